"""RDD: a resilient distributed dataset of Python objects (pyspark.rdd).

Transformations are lazy. Consecutive narrow transformations (map, filter, flatMap,
mapPartitions...) are fused into one Python function per partition, as pyspark's PipelinedRDD;
the fused function is cloudpickled and run by the Python worker processes of the executor.
"""

from __future__ import annotations

import bisect
import operator
import os
import pickle
import random
import sys
from collections import defaultdict
from functools import reduce as _reduce
from itertools import chain, islice
from typing import TYPE_CHECKING, Any, Callable, Generic, Hashable, Iterable, Iterator, Optional, TypeVar

import cloudpickle

from ember._ember import NativeRdd, WorkerError
from ember.errors import reraise
from ember.join import cogroup, join_with
from ember.resultiterable import ResultIterable
from ember.storagelevel import StorageLevel

if TYPE_CHECKING:
    from ember.context import SparkContext

__all__ = ["RDD", "portable_hash", "Partitioner"]

T = TypeVar("T")
U = TypeVar("U")
K = TypeVar("K")
V = TypeVar("V")

#: Pairs per shuffle batch before the map side flushes its buckets.
_SHUFFLE_BATCH = 10_000


def portable_hash(x: Hashable) -> int:
    """A hash that agrees across Python processes (pyspark's ``portable_hash``).

    Strings hash the same only under a fixed ``PYTHONHASHSEED``; Ember's workers run with one.

    >>> portable_hash(None)
    0
    >>> portable_hash((None, 1)) & 0xffffffff
    219750521
    """
    if "PYTHONHASHSEED" not in os.environ:
        raise RuntimeError("Randomness of hash of string should be disabled via PYTHONHASHSEED")
    if x is None:
        return 0
    if isinstance(x, tuple):
        h = 0x345678
        for i in x:
            h ^= portable_hash(i)
            h *= 1000003
            h &= sys.maxsize
        h ^= len(x)
        if h == -1:
            h = -2
        return int(h)
    return hash(x)


class Partitioner:
    """How a pair RDD is partitioned: a number of partitions and a function of the key."""

    def __init__(self, numPartitions: int, partitionFunc: Callable[[Any], int]) -> None:
        self.numPartitions = numPartitions
        self.partitionFunc = partitionFunc

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Partitioner)
            and self.numPartitions == other.numPartitions
            and self.partitionFunc == other.partitionFunc
        )

    def __call__(self, k: Any) -> int:
        return self.partitionFunc(k) % self.numPartitions


def _collect(jrdd: NativeRdd, partitions: Optional[list[int]] = None) -> list[Any]:
    """Runs the job of ``jrdd`` (on all or the given partitions) and returns its elements,
    re-raising a worker's exception."""
    try:
        batches = jrdd.collect() if partitions is None else jrdd.collect_partitions(partitions)
    except WorkerError as err:
        reraise(err)
    if jrdd.lines():
        return batches
    loads = pickle.loads
    return list(chain.from_iterable(loads(b) for b in batches))


def _check_callable(f: object, operation: str) -> None:
    if not callable(f):
        raise TypeError(f"{operation}: expected a function, got {type(f).__name__} {f!r}")


class RDD(Generic[T]):
    """A resilient distributed dataset: an immutable, partitioned collection of Python objects."""

    def __init__(self, jrdd: NativeRdd, ctx: "SparkContext") -> None:
        self._jrdd_val: Optional[NativeRdd] = jrdd
        self.ctx = ctx
        self.is_cached = False
        self.is_checkpointed = False
        self.partitioner: Optional[Partitioner] = None
        self._storage_level = StorageLevel.NONE
        self._name: Optional[str] = None

    @property
    def _jrdd(self) -> NativeRdd:
        assert self._jrdd_val is not None
        return self._jrdd_val

    @property
    def context(self) -> "SparkContext":
        """The SparkContext this RDD was created on."""
        return self.ctx

    def __repr__(self) -> str:
        return f"{type(self).__name__}[{self.name() or 'RDD'}] with {self.getNumPartitions()} partitions"

    def name(self) -> Optional[str]:
        """The name of this RDD, if set."""
        return self._name

    def setName(self, name: str) -> "RDD[T]":
        """Assigns a name to this RDD."""
        self._name = name
        return self

    def getNumPartitions(self) -> int:
        """The number of partitions of this RDD.

        >>> sc.parallelize([1, 2, 3, 4], 2).getNumPartitions()
        2
        """
        return self._jrdd.num_partitions()

    # ---- persistence -------------------------------------------------------------------

    def cache(self) -> "RDD[T]":
        """Persists this RDD with the default storage level (``MEMORY_ONLY``)."""
        return self.persist(StorageLevel.MEMORY_ONLY)

    def persist(self, storageLevel: StorageLevel = StorageLevel.MEMORY_ONLY) -> "RDD[T]":
        """Keeps this RDD's partitions after the first job that computes them."""
        if not isinstance(storageLevel, StorageLevel):
            raise TypeError(f"persist: expected a StorageLevel, got {type(storageLevel).__name__}")
        self._jrdd_val = self._jrdd.persist(storageLevel.useDisk, storageLevel.useMemory, storageLevel.replication)
        self.is_cached = True
        self._storage_level = storageLevel
        return self

    def unpersist(self, blocking: bool = False) -> "RDD[T]":
        """Marks the RDD as non-persistent and removes its blocks."""
        self._jrdd.unpersist()
        self.is_cached = False
        self._storage_level = StorageLevel.NONE
        return self

    def getStorageLevel(self) -> StorageLevel:
        """The RDD's current storage level."""
        return self._storage_level

    def toDebugString(self) -> bytes:
        """A description of this RDD and its recursive dependencies (as bytes, like pyspark)."""
        return self._jrdd.debug_string().encode("utf-8")

    # ---- narrow transformations ----------------------------------------------------------

    def mapPartitionsWithIndex(
        self, f: Callable[[int, Iterable[T]], Iterable[U]], preservesPartitioning: bool = False
    ) -> "RDD[U]":
        """Applies ``f`` to each partition, with the partition's index.

        >>> rdd = sc.parallelize([1, 2, 3, 4], 4)
        >>> rdd.mapPartitionsWithIndex(lambda s, it: [s]).sum()
        6
        """
        _check_callable(f, "mapPartitionsWithIndex")
        return PipelinedRDD(self, f, preservesPartitioning)

    def mapPartitions(self, f: Callable[[Iterable[T]], Iterable[U]], preservesPartitioning: bool = False) -> "RDD[U]":
        """Applies ``f`` to each partition.

        >>> rdd = sc.parallelize([1, 2, 3, 4], 2)
        >>> rdd.mapPartitions(lambda it: [sum(it)]).collect()
        [3, 7]
        """
        _check_callable(f, "mapPartitions")

        def func(_: int, iterator: Iterable[T]) -> Iterable[U]:
            return f(iterator)

        return self.mapPartitionsWithIndex(func, preservesPartitioning)

    def map(self, f: Callable[[T], U], preservesPartitioning: bool = False) -> "RDD[U]":
        """Applies ``f`` to each element.

        >>> sorted(sc.parallelize(["b", "a", "c"]).map(lambda x: (x, 1)).collect())
        [('a', 1), ('b', 1), ('c', 1)]
        """
        _check_callable(f, "map")

        def func(_: int, iterator: Iterable[T]) -> Iterable[U]:
            return map(f, iterator)

        return self.mapPartitionsWithIndex(func, preservesPartitioning)

    def flatMap(self, f: Callable[[T], Iterable[U]], preservesPartitioning: bool = False) -> "RDD[U]":
        """Applies ``f`` to each element and flattens the results.

        >>> sorted(sc.parallelize([2, 3, 4]).flatMap(lambda x: range(1, x)).collect())
        [1, 1, 1, 2, 2, 3]
        """
        _check_callable(f, "flatMap")

        def func(_: int, iterator: Iterable[T]) -> Iterable[U]:
            return chain.from_iterable(map(f, iterator))

        return self.mapPartitionsWithIndex(func, preservesPartitioning)

    def filter(self, f: Callable[[T], bool]) -> "RDD[T]":
        """The elements that satisfy ``f``.

        >>> sc.parallelize([1, 2, 3, 4, 5]).filter(lambda x: x % 2 == 0).collect()
        [2, 4]
        """
        _check_callable(f, "filter")

        def func(_: int, iterator: Iterable[T]) -> Iterable[T]:
            return filter(f, iterator)

        return self.mapPartitionsWithIndex(func, True)

    def glom(self) -> "RDD[list[T]]":
        """Each partition as one list.

        >>> sc.parallelize([1, 2, 3, 4], 2).glom().collect()
        [[1, 2], [3, 4]]
        """
        return self.mapPartitions(lambda it: [list(it)])

    def keyBy(self, f: Callable[[T], K]) -> "RDD[tuple[K, T]]":
        """Pairs ``(f(x), x)`` for each element."""
        return self.map(lambda x: (f(x), x))

    def mapValues(self, f: Callable[[V], U]) -> "RDD[tuple[K, U]]":
        """Applies ``f`` to the value of each pair, keeping the key and the partitioning.

        >>> sc.parallelize([("a", ["apple", "banana"]), ("b", ["grapes"])]).mapValues(len).collect()
        [('a', 2), ('b', 1)]
        """
        return self.map(lambda kv: (kv[0], f(kv[1])), preservesPartitioning=True)

    def flatMapValues(self, f: Callable[[V], Iterable[U]]) -> "RDD[tuple[K, U]]":
        """Applies ``f`` to each value and pairs the key with every result."""
        return self.flatMap(lambda kv: ((kv[0], x) for x in f(kv[1])), preservesPartitioning=True)

    def keys(self) -> "RDD[K]":
        """The key of each pair."""
        return self.map(lambda kv: kv[0])

    def values(self) -> "RDD[V]":
        """The value of each pair."""
        return self.map(lambda kv: kv[1])

    def sample(self, withReplacement: bool, fraction: float, seed: Optional[int] = None) -> "RDD[T]":
        """A sampled subset: each element kept with probability ``fraction`` (without
        replacement), or drawn a Poisson(``fraction``) number of times (with replacement)."""
        if fraction < 0.0:
            raise ValueError(f"Fraction must be nonnegative, got {fraction}")
        seed = seed if seed is not None else random.randrange(1 << 32)

        def func(split: int, iterator: Iterable[T]) -> Iterator[T]:
            rng = random.Random(seed ^ (split * 0x9E3779B97F4A7C15))
            if not withReplacement:
                return (x for x in iterator if rng.random() < fraction)
            return chain.from_iterable([x] * _poisson(rng, fraction) for x in iterator)

        return self.mapPartitionsWithIndex(func, True)

    def union(self, other: "RDD[U]") -> "RDD[T | U]":
        """The union of this RDD and another one (partitions side by side)."""
        return self.ctx.union([self, other])  # type: ignore[list-item]

    def coalesce(self, numPartitions: int, shuffle: bool = False) -> "RDD[T]":
        """An RDD reduced into ``numPartitions`` partitions.

        >>> sc.parallelize([1, 2, 3, 4, 5], 3).coalesce(1).glom().collect()
        [[1, 2, 3, 4, 5]]
        """
        return RDD(self._jrdd.coalesce(int(numPartitions), shuffle), self.ctx)

    def repartition(self, numPartitions: int) -> "RDD[T]":
        """An RDD with exactly ``numPartitions`` partitions, by a shuffle."""
        return self.coalesce(numPartitions, shuffle=True)

    # ---- actions -------------------------------------------------------------------------

    def collect(self) -> list[T]:
        """All the elements, in partition order.

        >>> sc.parallelize([1, 2, 3, 4], 2).collect()
        [1, 2, 3, 4]
        """
        return _collect(self._jrdd)

    def count(self) -> int:
        """The number of elements.

        >>> sc.parallelize([2, 3, 4]).count()
        3
        """
        return self.mapPartitions(lambda i: [sum(1 for _ in i)]).sum()

    def sum(self) -> Any:
        """The sum of the elements.

        >>> sc.parallelize([1.0, 2.0, 3.0]).sum()
        6.0
        """
        return self.mapPartitions(lambda x: [sum(x)]).fold(0, operator.add)

    def fold(self, zeroValue: T, op: Callable[[T, T], T]) -> T:
        """Folds each partition, then the partition results, starting from ``zeroValue``.

        >>> from operator import add
        >>> sc.parallelize([1, 2, 3, 4, 5]).fold(0, add)
        15
        """
        _check_callable(op, "fold")

        def func(iterator: Iterable[T]) -> Iterable[T]:
            acc = zeroValue
            for obj in iterator:
                acc = op(acc, obj)
            yield acc

        vals = self.mapPartitions(func).collect()
        return _reduce(op, vals, zeroValue)

    def reduce(self, f: Callable[[T, T], T]) -> T:
        """Reduces the elements with the commutative and associative ``f``.

        >>> from operator import add
        >>> sc.parallelize([1, 2, 3, 4, 5]).reduce(add)
        15
        >>> sc.parallelize([]).reduce(add)
        Traceback (most recent call last):
            ...
        ValueError: Can not reduce() empty RDD
        """
        _check_callable(f, "reduce")

        def func(iterator: Iterable[T]) -> Iterable[T]:
            iterator = iter(iterator)
            try:
                initial = next(iterator)
            except StopIteration:
                return
            yield _reduce(f, iterator, initial)

        vals = self.mapPartitions(func).collect()
        if vals:
            return _reduce(f, vals)
        raise ValueError("Can not reduce() empty RDD")

    def take(self, num: int) -> list[T]:
        """The first ``num`` elements.

        >>> sc.parallelize([2, 3, 4, 5, 6]).cache().take(2)
        [2, 3]
        >>> sc.parallelize(range(100), 100).filter(lambda x: x > 90).take(3)
        [91, 92, 93]

        It scans one partition first, then more at a time (up to 4x the partitions scanned so
        far, estimated from the elements found), as pyspark does.
        """
        items: list[T] = []
        totalParts = self.getNumPartitions()
        partsScanned = 0
        while len(items) < num and partsScanned < totalParts:
            numPartsToTry = 1
            if partsScanned > 0:
                if len(items) == 0:
                    numPartsToTry = partsScanned * 4
                else:
                    numPartsToTry = int(1.5 * num * partsScanned / len(items)) - partsScanned
                    numPartsToTry = min(max(numPartsToTry, 1), partsScanned * 4)
            left = num - len(items)
            parts = range(partsScanned, min(partsScanned + numPartsToTry, totalParts))
            items += self.ctx.runJob(self, lambda it: islice(it, left), parts)
            partsScanned += numPartsToTry
        return items[:num]

    def first(self) -> T:
        """The first element.

        >>> sc.parallelize([2, 3, 4]).first()
        2
        """
        rs = self.take(1)
        if rs:
            return rs[0]
        raise ValueError("RDD is empty")

    def isEmpty(self) -> bool:
        """True if and only if the RDD contains no elements at all."""
        return self.getNumPartitions() == 0 or len(self.take(1)) == 0

    def foreach(self, f: Callable[[T], None]) -> None:
        """Applies ``f`` to every element, in the workers."""

        def func(iterator: Iterable[T]) -> Iterable[Any]:
            for x in iterator:
                f(x)
            return iter([])

        self.mapPartitions(func).collect()

    def collectAsMap(self) -> dict[K, V]:
        """The pairs of this RDD as a dict.

        >>> sc.parallelize([(1, 2), (3, 4)]).collectAsMap()[1]
        2
        """
        return dict(self.collect())  # type: ignore[arg-type]

    # ---- shuffles ------------------------------------------------------------------------

    def _defaultReducePartitions(self) -> int:
        if self.ctx._conf.contains("spark.default.parallelism"):
            return self.ctx.defaultParallelism
        return self.getNumPartitions()

    def partitionBy(
        self, numPartitions: Optional[int], partitionFunc: Callable[[Any], int] = portable_hash
    ) -> "RDD[tuple[K, V]]":
        """The pairs shuffled into ``numPartitions`` partitions by ``partitionFunc(key)``.

        >>> pairs = sc.parallelize([1, 2, 3, 4, 2, 4, 1]).map(lambda x: (x, x))
        >>> sets = pairs.partitionBy(2).glom().collect()
        >>> len(set(sets[0]).intersection(set(sets[1])))
        0
        """
        if numPartitions is None:
            numPartitions = self._defaultReducePartitions()
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

        >>> x = sc.parallelize([("a", 1), ("b", 1), ("a", 2)])
        >>> def to_list(a): return [a]
        >>> def append(a, b): a.append(b); return a
        >>> def extend(a, b): a.extend(b); return a
        >>> sorted(x.combineByKey(to_list, append, extend).collect())
        [('a', [1, 2]), ('b', [1])]
        """
        for f, what in ((createCombiner, "createCombiner"), (mergeValue, "mergeValue"), (mergeCombiners, "mergeCombiners")):
            _check_callable(f, f"combineByKey {what}")
        if numPartitions is None:
            numPartitions = self._defaultReducePartitions()

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

        >>> rdd = sc.parallelize([("a", 1), ("b", 1), ("a", 1)])
        >>> seqFunc = (lambda x, y: (x[0] + y, x[1] + 1))
        >>> combFunc = (lambda x, y: (x[0] + y[0], x[1] + y[1]))
        >>> sorted(rdd.aggregateByKey((0, 0), seqFunc, combFunc).collect())
        [('a', (2, 2)), ('b', (1, 1))]
        """
        _check_callable(seqFunc, "aggregateByKey seqFunc")
        _check_callable(combFunc, "aggregateByKey combFunc")
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

        >>> from operator import add
        >>> sorted(sc.parallelize([("a", 1), ("b", 1), ("a", 1)]).foldByKey(0, add).collect())
        [('a', 2), ('b', 1)]
        """
        _check_callable(func, "foldByKey")
        return self.aggregateByKey(zeroValue, func, func, numPartitions, partitionFunc)

    def join(self, other: "RDD[tuple[K, U]]", numPartitions: Optional[int] = None) -> "RDD[tuple[K, tuple[V, U]]]":
        """Inner join on keys: every pair of values of a key present on both sides.

        >>> x = sc.parallelize([("a", 1), ("b", 4)])
        >>> y = sc.parallelize([("a", 2), ("a", 3)])
        >>> sorted(x.join(y).collect())
        [('a', (1, 2)), ('a', (1, 3))]
        """
        return join_with(self, other, numPartitions, False, False)

    def leftOuterJoin(self, other: "RDD[tuple[K, U]]", numPartitions: Optional[int] = None) -> "RDD[tuple[K, tuple[V, Optional[U]]]]":
        """Left outer join: keys of this RDD, with ``None`` where ``other`` has no value.

        >>> x = sc.parallelize([("a", 1), ("b", 4)])
        >>> y = sc.parallelize([("a", 2)])
        >>> sorted(x.leftOuterJoin(y).collect())
        [('a', (1, 2)), ('b', (4, None))]
        """
        return join_with(self, other, numPartitions, False, True)

    def rightOuterJoin(self, other: "RDD[tuple[K, U]]", numPartitions: Optional[int] = None) -> "RDD[tuple[K, tuple[Optional[V], U]]]":
        """Right outer join: keys of ``other``, with ``None`` where this RDD has no value.

        >>> x = sc.parallelize([("a", 1), ("b", 4)])
        >>> y = sc.parallelize([("a", 2)])
        >>> sorted(y.rightOuterJoin(x).collect())
        [('a', (2, 1)), ('b', (None, 4))]
        """
        return join_with(self, other, numPartitions, True, False)

    def fullOuterJoin(self, other: "RDD[tuple[K, U]]", numPartitions: Optional[int] = None) -> "RDD[tuple[K, tuple[Optional[V], Optional[U]]]]":
        """Full outer join: keys of either side, ``None`` for the side without a value.

        >>> x = sc.parallelize([("a", 1), ("b", 4)])
        >>> y = sc.parallelize([("a", 2), ("c", 8)])
        >>> sorted(x.fullOuterJoin(y).collect())
        [('a', (1, 2)), ('b', (4, None)), ('c', (None, 8))]
        """
        return join_with(self, other, numPartitions, True, True)

    def cogroup(self, other: "RDD[tuple[K, U]]", numPartitions: Optional[int] = None) -> "RDD[tuple[K, tuple[Iterable[V], Iterable[U]]]]":
        """For each key of either side, the values of each side.

        >>> x = sc.parallelize([("a", 1), ("b", 4)])
        >>> y = sc.parallelize([("a", 2)])
        >>> [(k, tuple(map(list, v))) for k, v in sorted(list(x.cogroup(y).collect()))]
        [('a', ([1], [2])), ('b', ([4], []))]
        """
        return cogroup([self, other], numPartitions)

    def groupWith(self, other: "RDD[Any]", *others: "RDD[Any]") -> "RDD[tuple[K, tuple[Iterable[Any], ...]]]":
        """``cogroup`` of this RDD with any number of others.

        >>> w = sc.parallelize([("a", 5), ("b", 6)])
        >>> x = sc.parallelize([("a", 1), ("b", 4)])
        >>> y = sc.parallelize([("a", 2)])
        >>> z = sc.parallelize([("b", 42)])
        >>> [(k, tuple(map(list, v))) for k, v in sorted(list(w.groupWith(x, y, z).collect()))]
        [('a', ([5], [1], [2], [])), ('b', ([6], [4], [], [42]))]
        """
        return cogroup([self, other, *others], None)

    def subtractByKey(self, other: "RDD[tuple[K, Any]]", numPartitions: Optional[int] = None) -> "RDD[tuple[K, V]]":
        """The pairs of this RDD whose key is not in ``other``.

        >>> x = sc.parallelize([("a", 1), ("b", 4), ("b", 5), ("a", 2)])
        >>> y = sc.parallelize([("a", 3), ("c", None)])
        >>> sorted(x.subtractByKey(y).collect())
        [('b', 4), ('b', 5)]
        """

        def only_left(sides: tuple[Iterable[V], Iterable[Any]]) -> Iterable[V]:
            vs, ws = sides
            return [] if list(ws) else list(vs)

        return self.cogroup(other, numPartitions).flatMapValues(only_left)

    def subtract(self, other: "RDD[T]", numPartitions: Optional[int] = None) -> "RDD[T]":
        """The elements of this RDD that are not in ``other`` (duplicates kept).

        >>> x = sc.parallelize([("a", 1), ("b", 4), ("b", 5), ("a", 3)])
        >>> y = sc.parallelize([("a", 3), ("c", None)])
        >>> sorted(x.subtract(y).collect())
        [('a', 1), ('b', 4), ('b', 5)]
        """
        mine = self.map(lambda x: (x, True))
        return mine.subtractByKey(other.map(lambda x: (x, True)), numPartitions).keys()

    def intersection(self, other: "RDD[T]") -> "RDD[T]":
        """The distinct elements in both RDDs.

        >>> rdd1 = sc.parallelize([1, 10, 2, 3, 4, 5])
        >>> rdd2 = sc.parallelize([1, 6, 2, 3, 7, 8])
        >>> sorted(rdd1.intersection(rdd2).collect())
        [1, 2, 3]
        """
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
        >>> sorted(sc.parallelize([("a", 1), ("b", 1), ("a", 1)]).reduceByKey(add).collect())
        [('a', 2), ('b', 1)]
        """
        _check_callable(func, "reduceByKey")
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

        >>> result = sc.parallelize([1, 1, 2, 3, 5, 8]).groupBy(lambda x: x % 2).collect()
        >>> sorted([(x, sorted(y)) for (x, y) in result])
        [(0, [2, 8]), (1, [1, 1, 3, 5])]
        """
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
        """
        if numPartitions is None:
            numPartitions = self._defaultReducePartitions()
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
        """
        return self.keyBy(keyfunc).sortByKey(ascending, numPartitions).values()


def _poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth's method; the means of sampling are small)."""
    limit, k, p = pow(2.718281828459045, -mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


class PipelinedRDD(RDD[U]):
    """A narrow Python transformation of a parent RDD, fused with the parent's own pending
    Python function when the parent is a PipelinedRDD that is not cached (pyspark's
    PipelinedRDD): one worker call per partition runs the whole chain."""

    def __init__(self, prev: RDD[T], func: Callable[[int, Iterable[Any]], Iterable[U]], preservesPartitioning: bool = False) -> None:
        if isinstance(prev, PipelinedRDD) and prev._is_pipelinable():
            prev_func = prev.func

            def pipeline_func(split: int, iterator: Iterable[Any]) -> Iterable[U]:
                return func(split, prev_func(split, iterator))

            self.func: Callable[[int, Iterable[Any]], Iterable[U]] = pipeline_func
            self._prev_jrdd: NativeRdd = prev._prev_jrdd
        else:
            self.func = func
            self._prev_jrdd = prev._jrdd
        super().__init__(None, prev.ctx)  # type: ignore[arg-type]
        self.preservesPartitioning = preservesPartitioning
        self.partitioner = prev.partitioner if preservesPartitioning else None

    @property
    def _jrdd(self) -> NativeRdd:
        if self._jrdd_val is None:
            self._jrdd_val = self._prev_jrdd.map_partitions(cloudpickle.dumps(self.func))
        return self._jrdd_val

    def _is_pipelinable(self) -> bool:
        return not (self.is_cached or self.is_checkpointed)
