"""Operations on RDDs of ``(key, value)`` pairs (pyspark's pair-RDD functions): shuffles by
key, aggregations, joins, sorting, and the keyed actions. A mixin of ``RDD``.

``partitionBy`` runs, fused with whatever comes before it, a function that buckets the pairs by
``partitionFunc(key) % n`` and yields ``(partition, pickled batch)``; the engine routes each
batch to its partition without looking at keys. ``combineByKey`` combines in each partition,
shuffles, and merges the combiners of each key, as pyspark does.
"""

from __future__ import annotations

import bisect
import pickle
from collections import defaultdict
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Optional, TypeVar

import cloudpickle

from ember._checks import check_callable as _check
from ember._checks import check_optional_int, check_rdd
from ember.join import cogroup, join_with
from ember.partitioner import _SHUFFLE_BATCH, Partitioner, portable_hash
from ember.resultiterable import ResultIterable

if TYPE_CHECKING:
    from ember.rdd import RDD

T = TypeVar("T")
U = TypeVar("U")
K = TypeVar("K")
V = TypeVar("V")


class PairRDDFunctions:
    """The pair-RDD operations of ``RDD``."""

    def mapValues(self, f: Callable[[V], U]) -> "RDD[tuple[K, U]]":
        """Applies ``f`` to the value of each pair, keeping the key and the partitioning.

        >>> rdd = sc.parallelize([("a", ["apple", "banana", "lemon"]), ("b", ["grapes"])])
        >>> def f(x): return len(x)
        ...
        >>> rdd.mapValues(f).collect()
        [('a', 3), ('b', 1)]
        """
        _check(f, "mapValues")
        return self.map(lambda kv: (kv[0], f(kv[1])), preservesPartitioning=True)

    def flatMapValues(self, f: Callable[[V], Iterable[U]]) -> "RDD[tuple[K, U]]":
        """Applies ``f`` to each value and pairs the key with every result.

        >>> rdd = sc.parallelize([("a", ["x", "y", "z"]), ("b", ["p", "r"])])
        >>> def f(x): return x
        ...
        >>> rdd.flatMapValues(f).collect()
        [('a', 'x'), ('a', 'y'), ('a', 'z'), ('b', 'p'), ('b', 'r')]
        """
        _check(f, "flatMapValues")
        return self.flatMap(lambda kv: ((kv[0], x) for x in f(kv[1])), preservesPartitioning=True)

    def keys(self) -> "RDD[K]":
        """The key of each pair.

        >>> rdd = sc.parallelize([(1, 2), (3, 4)]).keys()
        >>> rdd.collect()
        [1, 3]
        """
        return self.map(lambda kv: kv[0])

    def values(self) -> "RDD[V]":
        """The value of each pair.

        >>> rdd = sc.parallelize([(1, 2), (3, 4)]).values()
        >>> rdd.collect()
        [2, 4]
        """
        return self.map(lambda kv: kv[1])

    def collectAsMap(self) -> dict[K, V]:
        """The pairs of this RDD as a dict.

        >>> m = sc.parallelize([(1, 2), (3, 4)]).collectAsMap()
        >>> m[1]
        2
        >>> m[3]
        4
        """
        return dict(self.collect())  # type: ignore[arg-type]

    # ---- shuffles ------------------------------------------------------------------------

    def _defaultReducePartitions(self) -> int:
        if self.ctx._conf.contains("spark.default.parallelism"):
            return self.ctx.defaultParallelism
        return self.getNumPartitions()

    def _reducePartitions(self, numPartitions: Optional[int], operation: str) -> int:
        """``numPartitions`` checked, or the default number of reduce partitions."""
        n = check_optional_int(numPartitions, operation, "numPartitions", 1)
        return n if n is not None else self._defaultReducePartitions()

    def partitionBy(
        self, numPartitions: Optional[int], partitionFunc: Callable[[Any], int] = portable_hash
    ) -> "RDD[tuple[K, V]]":
        """The pairs shuffled into ``numPartitions`` partitions by ``partitionFunc(key)``.

        >>> pairs = sc.parallelize([1, 2, 3, 4, 2, 4, 1]).map(lambda x: (x, x))
        >>> sets = pairs.partitionBy(2).glom().collect()
        >>> len(set(sets[0]).intersection(set(sets[1])))
        0
        """
        from ember.rdd import RDD, PipelinedRDD

        numPartitions = self._reducePartitions(numPartitions, "partitionBy")
        _check(partitionFunc, "partitionBy", "partitionFunc")
        partitioner = Partitioner(numPartitions, partitionFunc)
        if self.partitioner == partitioner:
            return self
        n = numPartitions

        def add_shuffle_key(_: int, iterator: Iterable[tuple[K, V]]) -> Iterator[tuple[int, bytes]]:
            buckets: dict[int, list[tuple[K, V]]] = defaultdict(list)
            c = 0
            for k, v in iterator:
                buckets[partitionFunc(k) % n].append((k, v))
                c += 1
                if c >= _SHUFFLE_BATCH:
                    for split, items in buckets.items():
                        yield split, pickle.dumps(items, 5)
                    buckets.clear()
                    c = 0
            for split, items in buckets.items():
                yield split, pickle.dumps(items, 5)

        keyed = PipelinedRDD(self, add_shuffle_key)
        jrdd = keyed._prev_jrdd.partition_by(cloudpickle.dumps(keyed.func), n)
        rdd: RDD[tuple[K, V]] = RDD(jrdd, self.ctx)
        rdd.partitioner = partitioner
        return rdd

    def combineByKey(
        self,
        createCombiner: Callable[[V], U],
        mergeValue: Callable[[U, V], U],
        mergeCombiners: Callable[[U, U], U],
        numPartitions: Optional[int] = None,
        partitionFunc: Callable[[Any], int] = portable_hash,
    ) -> "RDD[tuple[K, U]]":
        """Combines the values of each key: combined in each partition first, then shuffled,
        then the combiners of each key merged.

        >>> rdd = sc.parallelize([("a", 1), ("b", 1), ("a", 2)])
        >>> def to_list(a):
        ...     return [a]
        ...
        >>> def append(a, b):
        ...     a.append(b)
        ...     return a
        ...
        >>> def extend(a, b):
        ...     a.extend(b)
        ...     return a
        ...
        >>> sorted(rdd.combineByKey(to_list, append, extend).collect())
        [('a', [1, 2]), ('b', [1])]
        """
        for f, what in ((createCombiner, "createCombiner"), (mergeValue, "mergeValue"), (mergeCombiners, "mergeCombiners")):
            _check(f, f"combineByKey {what}")
        numPartitions = self._reducePartitions(numPartitions, "combineByKey")

        def combineLocally(iterator: Iterable[tuple[K, V]]) -> Iterator[tuple[K, U]]:
            merged: dict[K, U] = {}
            for k, v in iterator:
                merged[k] = mergeValue(merged[k], v) if k in merged else createCombiner(v)
            return iter(merged.items())

        def mergeShuffled(iterator: Iterable[tuple[K, U]]) -> Iterator[tuple[K, U]]:
            merged: dict[K, U] = {}
            for k, c in iterator:
                merged[k] = mergeCombiners(merged[k], c) if k in merged else c
            return iter(merged.items())

        shuffled = self.mapPartitions(combineLocally, True).partitionBy(numPartitions, partitionFunc)
        return shuffled.mapPartitions(mergeShuffled, True)

    def aggregateByKey(
        self,
        zeroValue: U,
        seqFunc: Callable[[U, V], U],
        combFunc: Callable[[U, U], U],
        numPartitions: Optional[int] = None,
        partitionFunc: Callable[[Any], int] = portable_hash,
    ) -> "RDD[tuple[K, U]]":
        """Aggregates the values of each key from a fresh copy of ``zeroValue``: ``seqFunc``
        within a partition, ``combFunc`` across partitions.

        >>> rdd = sc.parallelize([("a", 1), ("b", 1), ("a", 2)])
        >>> seqFunc = (lambda x, y: (x[0] + y, x[1] + 1))
        >>> combFunc = (lambda x, y: (x[0] + y[0], x[1] + y[1]))
        >>> sorted(rdd.aggregateByKey((0, 0), seqFunc, combFunc).collect())
        [('a', (3, 2)), ('b', (1, 1))]
        """
        _check(seqFunc, "aggregateByKey seqFunc")
        _check(combFunc, "aggregateByKey combFunc")
        zero = pickle.dumps(zeroValue)
        return self.combineByKey(
            lambda v: seqFunc(pickle.loads(zero), v), seqFunc, combFunc, numPartitions, partitionFunc
        )

    def foldByKey(
        self,
        zeroValue: V,
        func: Callable[[V, V], V],
        numPartitions: Optional[int] = None,
        partitionFunc: Callable[[Any], int] = portable_hash,
    ) -> "RDD[tuple[K, V]]":
        """Merges the values of each key with ``func``, starting from ``zeroValue``.

        >>> rdd = sc.parallelize([("a", 1), ("b", 1), ("a", 1)])
        >>> from operator import add
        >>> sorted(rdd.foldByKey(0, add).collect())
        [('a', 2), ('b', 1)]
        """
        _check(func, "foldByKey")
        return self.aggregateByKey(zeroValue, func, func, numPartitions, partitionFunc)

    def join(self, other: "RDD[tuple[K, U]]", numPartitions: Optional[int] = None) -> "RDD[tuple[K, tuple[V, U]]]":
        """Inner join on keys: every pair of values of a key present on both sides.

        >>> rdd1 = sc.parallelize([("a", 1), ("b", 4)])
        >>> rdd2 = sc.parallelize([("a", 2), ("a", 3)])
        >>> sorted(rdd1.join(rdd2).collect())
        [('a', (1, 2)), ('a', (1, 3))]
        """
        return join_with(self, other, numPartitions, False, False, "join")

    def leftOuterJoin(self, other: "RDD[tuple[K, U]]", numPartitions: Optional[int] = None) -> "RDD[tuple[K, tuple[V, Optional[U]]]]":
        """Left outer join: keys of this RDD, with ``None`` where ``other`` has no value.

        >>> rdd1 = sc.parallelize([("a", 1), ("b", 4)])
        >>> rdd2 = sc.parallelize([("a", 2)])
        >>> sorted(rdd1.leftOuterJoin(rdd2).collect())
        [('a', (1, 2)), ('b', (4, None))]
        """
        return join_with(self, other, numPartitions, False, True, "leftOuterJoin")

    def rightOuterJoin(self, other: "RDD[tuple[K, U]]", numPartitions: Optional[int] = None) -> "RDD[tuple[K, tuple[Optional[V], U]]]":
        """Right outer join: keys of ``other``, with ``None`` where this RDD has no value.

        >>> rdd1 = sc.parallelize([("a", 1), ("b", 4)])
        >>> rdd2 = sc.parallelize([("a", 2)])
        >>> sorted(rdd2.rightOuterJoin(rdd1).collect())
        [('a', (2, 1)), ('b', (None, 4))]
        """
        return join_with(self, other, numPartitions, True, False, "rightOuterJoin")

    def fullOuterJoin(self, other: "RDD[tuple[K, U]]", numPartitions: Optional[int] = None) -> "RDD[tuple[K, tuple[Optional[V], Optional[U]]]]":
        """Full outer join: keys of either side, ``None`` for the side without a value.

        >>> rdd1 = sc.parallelize([("a", 1), ("b", 4)])
        >>> rdd2 = sc.parallelize([("a", 2), ("c", 8)])
        >>> sorted(rdd1.fullOuterJoin(rdd2).collect())
        [('a', (1, 2)), ('b', (4, None)), ('c', (None, 8))]
        """
        return join_with(self, other, numPartitions, True, True, "fullOuterJoin")

    def cogroup(self, other: "RDD[tuple[K, U]]", numPartitions: Optional[int] = None) -> "RDD[tuple[K, tuple[Iterable[V], Iterable[U]]]]":
        """For each key of either side, the values of each side.

        >>> rdd1 = sc.parallelize([("a", 1), ("b", 4)])
        >>> rdd2 = sc.parallelize([("a", 2)])
        >>> [(x, tuple(map(list, y))) for x, y in sorted(list(rdd1.cogroup(rdd2).collect()))]
        [('a', ([1], [2])), ('b', ([4], []))]
        """
        check_rdd(other, "cogroup")
        return cogroup([self, other], numPartitions)

    def groupWith(self, other: "RDD[Any]", *others: "RDD[Any]") -> "RDD[tuple[K, tuple[Iterable[Any], ...]]]":
        """``cogroup`` of this RDD with any number of others.

        >>> rdd1 = sc.parallelize([("a", 5), ("b", 6)])
        >>> rdd2 = sc.parallelize([("a", 1), ("b", 4)])
        >>> rdd3 = sc.parallelize([("a", 2)])
        >>> rdd4 = sc.parallelize([("b", 42)])
        >>> [(x, tuple(map(list, y))) for x, y in
        ...     sorted(list(rdd1.groupWith(rdd2, rdd3, rdd4).collect()))]
        [('a', ([5], [1], [2], [])), ('b', ([6], [4], [], [42]))]
        """
        for o in (other, *others):
            check_rdd(o, "groupWith")
        return cogroup([self, other, *others], None)

    def subtractByKey(self, other: "RDD[tuple[K, Any]]", numPartitions: Optional[int] = None) -> "RDD[tuple[K, V]]":
        """The pairs of this RDD whose key is not in ``other``.

        >>> rdd1 = sc.parallelize([("a", 1), ("b", 4), ("b", 5), ("a", 2)])
        >>> rdd2 = sc.parallelize([("a", 3), ("c", None)])
        >>> sorted(rdd1.subtractByKey(rdd2).collect())
        [('b', 4), ('b', 5)]
        """

        def only_left(sides: tuple[Iterable[V], Iterable[Any]]) -> Iterable[V]:
            vs, ws = sides
            return [] if list(ws) else list(vs)

        return self.cogroup(other, numPartitions).flatMapValues(only_left)

    def subtract(self, other: "RDD[T]", numPartitions: Optional[int] = None) -> "RDD[T]":
        """The elements of this RDD that are not in ``other`` (duplicates kept).

        >>> rdd1 = sc.parallelize([("a", 1), ("b", 4), ("b", 5), ("a", 3)])
        >>> rdd2 = sc.parallelize([("a", 3), ("c", None)])
        >>> sorted(rdd1.subtract(rdd2).collect())
        [('a', 1), ('b', 4), ('b', 5)]
        """
        check_rdd(other, "subtract")
        mine = self.map(lambda x: (x, True))
        return mine.subtractByKey(other.map(lambda x: (x, True)), numPartitions).keys()

    def intersection(self, other: "RDD[T]") -> "RDD[T]":
        """The distinct elements in both RDDs.

        >>> rdd1 = sc.parallelize([1, 10, 2, 3, 4, 5])
        >>> rdd2 = sc.parallelize([1, 6, 2, 3, 7, 8])
        >>> rdd1.intersection(rdd2).collect()
        [1, 2, 3]
        """
        check_rdd(other, "intersection")
        both = self.map(lambda v: (v, None)).cogroup(other.map(lambda v: (v, None)))
        return both.filter(lambda kv: all(list(side) for side in kv[1])).keys()

    def reduceByKey(
        self,
        func: Callable[[V, V], V],
        numPartitions: Optional[int] = None,
        partitionFunc: Callable[[Any], int] = portable_hash,
    ) -> "RDD[tuple[K, V]]":
        """Merges the values of each key with ``func`` (combined map-side first).

        >>> from operator import add
        >>> rdd = sc.parallelize([("a", 1), ("b", 1), ("a", 1)])
        >>> sorted(rdd.reduceByKey(add).collect())
        [('a', 2), ('b', 1)]
        """
        _check(func, "reduceByKey")
        return self.combineByKey(lambda x: x, func, func, numPartitions, partitionFunc)

    def groupByKey(
        self, numPartitions: Optional[int] = None, partitionFunc: Callable[[Any], int] = portable_hash
    ) -> "RDD[tuple[K, Iterable[V]]]":
        """Groups the values of each key into one sequence (a ``ResultIterable``).

        >>> rdd = sc.parallelize([("a", 1), ("b", 1), ("a", 1)])
        >>> sorted(rdd.groupByKey().mapValues(len).collect())
        [('a', 2), ('b', 1)]
        >>> sorted(rdd.groupByKey().mapValues(list).collect())
        [('a', [1, 1]), ('b', [1])]
        """

        def append(xs: list[V], x: V) -> list[V]:
            xs.append(x)
            return xs

        def extend(a: list[V], b: list[V]) -> list[V]:
            a.extend(b)
            return a

        grouped = self.combineByKey(lambda x: [x], append, extend, numPartitions, partitionFunc)
        return grouped.mapValues(ResultIterable)

    def groupBy(
        self, f: Callable[[T], K], numPartitions: Optional[int] = None, partitionFunc: Callable[[Any], int] = portable_hash
    ) -> "RDD[tuple[K, Iterable[T]]]":
        """Groups the elements by ``f(x)``.

        >>> rdd = sc.parallelize([1, 1, 2, 3, 5, 8])
        >>> result = rdd.groupBy(lambda x: x % 2).collect()
        >>> sorted([(x, sorted(y)) for (x, y) in result])
        [(0, [2, 8]), (1, [1, 1, 3, 5])]
        """
        _check(f, "groupBy")
        return self.map(lambda x: (f(x), x)).groupByKey(numPartitions, partitionFunc)

    def distinct(self, numPartitions: Optional[int] = None) -> "RDD[T]":
        """The distinct elements.

        >>> sorted(sc.parallelize([1, 1, 2, 3]).distinct().collect())
        [1, 2, 3]
        """
        return self.map(lambda x: (x, None)).reduceByKey(lambda x, _: x, numPartitions).map(lambda kv: kv[0])

    def sortByKey(
        self,
        ascending: Optional[bool] = True,
        numPartitions: Optional[int] = None,
        keyfunc: Callable[[Any], Any] = lambda x: x,
    ) -> "RDD[tuple[K, V]]":
        """Sorts the pairs by key: keys are range-partitioned by sampled bounds, then each
        partition is sorted.

        >>> tmp = [('a', 1), ('b', 2), ('1', 3), ('d', 4), ('2', 5)]
        >>> sc.parallelize(tmp).sortByKey().first()
        ('1', 3)
        >>> sc.parallelize(tmp).sortByKey(True, 1).collect()
        [('1', 3), ('2', 5), ('a', 1), ('b', 2), ('d', 4)]
        >>> sc.parallelize(tmp).sortByKey(True, 2).collect()
        [('1', 3), ('2', 5), ('a', 1), ('b', 2), ('d', 4)]
        >>> tmp2 = [('Mary', 1), ('had', 2), ('a', 3), ('little', 4), ('lamb', 5)]
        >>> tmp2.extend([('whose', 6), ('fleece', 7), ('was', 8), ('white', 9)])
        >>> sc.parallelize(tmp2).sortByKey(True, 3, keyfunc=lambda k: k.lower()).collect()  # doctest: +ELLIPSIS
        [('a', 3), ('fleece', 7), ('had', 2), ('lamb', 5),...('white', 9), ('whose', 6)]
        """
        numPartitions = self._reducePartitions(numPartitions, "sortByKey")
        _check(keyfunc, "sortByKey", "keyfunc")
        reverse = not ascending

        def sortPartition(iterator: Iterable[tuple[K, V]]) -> Iterator[tuple[K, V]]:
            return iter(sorted(iterator, key=lambda kv: keyfunc(kv[0]), reverse=reverse))

        if numPartitions == 1:
            rdd = self.coalesce(1) if self.getNumPartitions() > 1 else self
            return rdd.mapPartitions(sortPartition, True)

        rddSize = self.count()
        if not rddSize:
            return self
        maxSampleSize = numPartitions * 20.0
        fraction = min(maxSampleSize / max(rddSize, 1), 1.0)
        samples = sorted(self.sample(False, fraction, 1).map(lambda kv: kv[0]).collect(), key=keyfunc)
        bounds = [samples[int(len(samples) * (i + 1) / numPartitions)] for i in range(0, numPartitions - 1)]

        def rangePartitioner(k: K) -> int:
            p = bisect.bisect_left(bounds, keyfunc(k))
            return p if ascending else numPartitions - 1 - p  # type: ignore[operator]

        return self.partitionBy(numPartitions, rangePartitioner).mapPartitions(sortPartition, True)

    def sortBy(
        self, keyfunc: Callable[[T], Any], ascending: bool = True, numPartitions: Optional[int] = None
    ) -> "RDD[T]":
        """Sorts the elements by ``keyfunc``.

        >>> tmp = [('a', 1), ('b', 2), ('1', 3), ('d', 4), ('2', 5)]
        >>> sc.parallelize(tmp).sortBy(lambda x: x[0]).collect()
        [('1', 3), ('2', 5), ('a', 1), ('b', 2), ('d', 4)]
        >>> sc.parallelize(tmp).sortBy(lambda x: x[1]).collect()
        [('a', 1), ('b', 2), ('1', 3), ('d', 4), ('2', 5)]
        """
        _check(keyfunc, "sortBy", "keyfunc")
        return self.keyBy(keyfunc).sortByKey(ascending, numPartitions).values()

    def repartitionAndSortWithinPartitions(
        self,
        numPartitions: Optional[int] = None,
        partitionFunc: Callable[[Any], int] = portable_hash,
        ascending: bool = True,
        keyfunc: Callable[[Any], Any] = lambda x: x,
    ) -> "RDD[tuple[K, V]]":
        """Shuffles the pairs by ``partitionFunc`` and sorts each partition by key.

        >>> rdd = sc.parallelize([(0, 5), (3, 8), (2, 6), (0, 8), (3, 8), (1, 3)])
        >>> rdd2 = rdd.repartitionAndSortWithinPartitions(2, lambda x: x % 2, True)
        >>> rdd2.glom().collect()
        [[(0, 5), (0, 8), (2, 6)], [(1, 3), (3, 8), (3, 8)]]
        """
        _check(keyfunc, "repartitionAndSortWithinPartitions", "keyfunc")
        numPartitions = self._reducePartitions(numPartitions, "repartitionAndSortWithinPartitions")
        reverse = not ascending

        def sortPartition(iterator: Iterable[tuple[K, V]]) -> Iterator[tuple[K, V]]:
            return iter(sorted(iterator, key=lambda kv: keyfunc(kv[0]), reverse=reverse))

        return self.partitionBy(numPartitions, partitionFunc).mapPartitions(sortPartition, True)

    # ---- keyed actions ---------------------------------------------------------------------

    def reduceByKeyLocally(self, func: Callable[[V, V], V]) -> dict[K, V]:
        """Merges the values of each key with ``func`` and returns the result as a dict (each
        partition is reduced in a worker, the partitions' dicts on the driver).

        >>> from operator import add
        >>> rdd = sc.parallelize([("a", 1), ("b", 1), ("a", 1)])
        >>> sorted(rdd.reduceByKeyLocally(add).items())
        [('a', 2), ('b', 1)]
        """
        _check(func, "reduceByKeyLocally", "func")

        def reducePartition(iterator: Iterable[tuple[K, V]]) -> Iterator[dict[K, V]]:
            m: dict[K, V] = {}
            for k, v in iterator:
                m[k] = func(m[k], v) if k in m else v
            yield m

        merged: dict[K, V] = {}
        for m in self.mapPartitions(reducePartition).collect():
            for k, v in m.items():
                merged[k] = func(merged[k], v) if k in merged else v
        return merged

    def countByKey(self) -> dict[K, int]:
        """How many pairs each key has, as a dict.

        >>> rdd = sc.parallelize([("a", 1), ("b", 1), ("a", 1)])
        >>> sorted(rdd.countByKey().items())
        [('a', 2), ('b', 1)]
        """
        return self.map(lambda kv: kv[0]).countByValue()

    def lookup(self, key: K) -> list[V]:
        """The values of ``key``; when the RDD's partitioner is known, only the partition the
        key belongs to is searched.

        >>> l = range(1000)
        >>> rdd = sc.parallelize(zip(l, l), 10)
        >>> rdd.lookup(42)  # slow
        [42]
        >>> sorted = rdd.sortByKey()
        >>> sorted.lookup(42)  # fast
        [42]
        >>> sorted.lookup(1024)
        []
        >>> rdd2 = sc.parallelize([(('a', 'b'), 'c')]).groupByKey()
        >>> list(rdd2.lookup(('a', 'b'))[0])
        ['c']
        """
        values = self.filter(lambda kv: kv[0] == key).values()
        partitioner = self.partitioner
        if partitioner is None:
            return values.collect()
        if self.ctx._hashes_like_workers():
            split = partitioner(key)
        else:
            # The driver's str hashes differ from the workers' (another PYTHONHASHSEED).
            split = self.ctx.parallelize([key], 1).map(partitioner).first()
        return self.ctx.runJob(values, lambda x: x, [split])
