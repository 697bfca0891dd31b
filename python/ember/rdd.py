"""RDD: a resilient distributed dataset of Python objects (pyspark.rdd).

Transformations are lazy. Consecutive narrow transformations (map, filter, flatMap,
mapPartitions...) are fused into one Python function per partition, as pyspark's PipelinedRDD;
the fused function is cloudpickled and run by the Python worker processes of the executor.

The class is split by subject: this module holds the core (persistence, checkpoints, narrow
transformations, the basic actions); ``rdd_pair`` the pair-RDD operations, ``rdd_actions``
the other actions, ``rdd_numeric`` the statistics, ``rddsampler`` sampling.
"""

from __future__ import annotations

import operator
import pickle
import warnings
from functools import reduce as _reduce
from itertools import chain, islice
from typing import TYPE_CHECKING, Any, Callable, Generic, Iterable, NoReturn, Optional, TypeVar

import cloudpickle

from ember._checks import check_callable as _check_callable
from ember._checks import check_int, check_rdd
from ember._ember import NativeRdd
from ember.partitioner import Partitioner, portable_hash
from ember.rdd_actions import ActionFunctions
from ember.rdd_numeric import NumericFunctions
from ember.rdd_pair import PairRDDFunctions
from ember.rddsampler import SamplingFunctions
from ember.storagelevel import StorageLevel

if TYPE_CHECKING:
    from ember.context import SparkContext

__all__ = ["RDD", "portable_hash", "Partitioner"]

T = TypeVar("T")
U = TypeVar("U")
K = TypeVar("K")
V = TypeVar("V")


def _collect(ctx: "SparkContext", jrdd: NativeRdd, partitions: Optional[list[int]] = None) -> list[Any]:
    """Runs the job of ``jrdd`` (on all or the given partitions) and returns its elements,
    re-raising a worker's exception."""
    if partitions is None:
        batches = ctx._run(jrdd.collect)
    else:
        batches = ctx._run(lambda: jrdd.collect_partitions(partitions))
    if jrdd.lines():
        return batches
    loads = pickle.loads
    return list(chain.from_iterable(loads(b) for b in batches))


class RDD(PairRDDFunctions, ActionFunctions, NumericFunctions, SamplingFunctions, Generic[T]):
    """A resilient distributed dataset: an immutable, partitioned collection of Python objects."""

    def __init__(self, jrdd: NativeRdd, ctx: "SparkContext") -> None:
        self._jrdd_val: Optional[NativeRdd] = jrdd
        self.ctx = ctx
        self.is_cached = False
        self.is_checkpointed = False
        self._locally_checkpointed = False
        self.partitioner: Optional[Partitioner] = None
        self._storage_level = StorageLevel.NONE
        self._name: Optional[str] = None

    @property
    def _jrdd(self) -> NativeRdd:
        assert self._jrdd_val is not None
        return self._jrdd_val

    @property
    def context(self) -> "SparkContext":
        """The SparkContext this RDD was created on.

        >>> rdd = sc.range(5)
        >>> rdd.context  # doctest: +ELLIPSIS
        <SparkContext ...>
        >>> rdd.context is sc
        True
        """
        return self.ctx

    def __repr__(self) -> str:
        name = f" {self._name}" if self._name else ""
        return f"{type(self).__name__}[{self.id()}]{name} with {self.getNumPartitions()} partitions"

    def __reduce__(self) -> NoReturn:
        raise RuntimeError(
            "It appears that you are attempting to broadcast an RDD or reference an RDD from an "
            "action or transformation. RDD transformations and actions can only be invoked by "
            "the driver, not inside of other transformations"
        )

    def id(self) -> int:
        """A unique id of this RDD within its SparkContext.

        >>> rdd = sc.range(5)
        >>> rdd.id() == rdd.id() and rdd.id() != sc.range(5).id()
        True
        """
        return self._jrdd.id()

    def name(self) -> Optional[str]:
        """The name of this RDD, if set.

        >>> rdd = sc.range(5)
        >>> rdd.name() == None
        True
        """
        return self._name

    def setName(self, name: str) -> "RDD[T]":
        """Assigns a name to this RDD.

        >>> rdd = sc.parallelize([1, 2])
        >>> rdd.setName('I am an RDD').name()
        'I am an RDD'
        """
        self._name = name
        return self

    def getNumPartitions(self) -> int:
        """The number of partitions of this RDD.

        >>> rdd = sc.parallelize([1, 2, 3, 4], 2)
        >>> rdd.getNumPartitions()
        2
        """
        return self._jrdd.num_partitions()

    def _reserialized(self) -> "RDD[T]":
        """This RDD as pickled batches: text lines and raw frames go through a worker first."""
        if self._jrdd.lines() or self._jrdd.is_raw():
            return self.map(lambda x: x, True)
        return self

    # ---- persistence and checkpoints -------------------------------------------------------

    def cache(self) -> "RDD[T]":
        """Persists this RDD with the default storage level (``MEMORY_ONLY``).

        >>> rdd = sc.range(5)
        >>> rdd2 = rdd.cache()
        >>> rdd2 is rdd
        True
        >>> str(rdd.getStorageLevel())
        'Memory Serialized 1x Replicated'
        >>> _ = rdd.unpersist()
        """
        return self.persist(StorageLevel.MEMORY_ONLY)

    def persist(self, storageLevel: StorageLevel = StorageLevel.MEMORY_ONLY) -> "RDD[T]":
        """Keeps this RDD's partitions after the first job that computes them. A persisted
        RDD keeps its level until ``unpersist``.

        >>> rdd = sc.parallelize(["b", "a", "c"])
        >>> rdd.persist().is_cached
        True
        >>> str(rdd.getStorageLevel())
        'Memory Serialized 1x Replicated'
        >>> _ = rdd.unpersist()
        >>> rdd.is_cached
        False

        >>> from ember import StorageLevel
        >>> rdd2 = sc.range(5)
        >>> _ = rdd2.persist(StorageLevel.MEMORY_AND_DISK)
        >>> rdd2.is_cached
        True
        >>> str(rdd2.getStorageLevel())
        'Disk Memory Serialized 1x Replicated'

        Can not override existing storage level

        >>> _ = rdd2.persist(StorageLevel.MEMORY_ONLY_2)
        Traceback (most recent call last):
            ...
        RuntimeError: Cannot change storage level of an RDD after it was already assigned a level

        Assign another storage level after `unpersist`

        >>> _ = rdd2.unpersist()
        >>> rdd2.is_cached
        False
        >>> _ = rdd2.persist(StorageLevel.MEMORY_ONLY_2)
        >>> str(rdd2.getStorageLevel())
        'Memory Serialized 2x Replicated'
        >>> rdd2.is_cached
        True
        >>> _ = rdd2.unpersist()
        """
        if not isinstance(storageLevel, StorageLevel):
            raise TypeError(f"persist: storageLevel must be a StorageLevel, got {type(storageLevel).__name__}")
        if self.is_cached and storageLevel != self._storage_level:
            raise RuntimeError("Cannot change storage level of an RDD after it was already assigned a level")
        level = storageLevel
        self._jrdd_val = self._jrdd.persist(level.useDisk, level.useMemory, level.replication, self._name)
        self.is_cached = True
        self._storage_level = storageLevel
        return self

    def unpersist(self, blocking: bool = False) -> "RDD[T]":
        """Marks the RDD as non-persistent and removes its blocks.

        >>> rdd = sc.range(5)
        >>> rdd.is_cached
        False
        >>> _ = rdd.unpersist()
        >>> rdd.is_cached
        False
        >>> _ = rdd.cache()
        >>> rdd.is_cached
        True
        >>> _ = rdd.unpersist()
        >>> rdd.is_cached
        False
        >>> _ = rdd.unpersist()
        """
        self._jrdd.unpersist()
        self.is_cached = False
        self._storage_level = StorageLevel.NONE
        return self

    def getStorageLevel(self) -> StorageLevel:
        """The RDD's current storage level.

        >>> rdd = sc.parallelize([1,2])
        >>> rdd.getStorageLevel()
        StorageLevel(False, False, False, False, 1)
        >>> print(rdd.getStorageLevel())
        Serialized 1x Replicated
        """
        return self._storage_level

    def checkpoint(self) -> None:
        """Marks this RDD for checkpointing: after the next job that computes it, its
        partitions are written under the checkpoint directory and its lineage is cut. Persist
        it first to avoid computing it twice.

        >>> import tempfile
        >>> with tempfile.TemporaryDirectory(prefix="checkpoint") as d:
        ...     sc.setCheckpointDir(d)
        ...     rdd = sc.range(5)
        ...     print(rdd.is_checkpointed, rdd.getCheckpointFile() == None)
        ...     rdd.checkpoint()
        ...     print(rdd.is_checkpointed, rdd.getCheckpointFile() == None)
        ...     print(rdd.count(), rdd.isCheckpointed(), rdd.getCheckpointFile() == None)
        ...     print(rdd.collect())
        False True
        True True
        5 True False
        [0, 1, 2, 3, 4]
        """
        self.ctx._run(self._jrdd.checkpoint)
        self.is_checkpointed = True

    def isCheckpointed(self) -> bool:
        """Whether this RDD is checkpointed and materialized, reliably or locally."""
        if self._locally_checkpointed:
            return self._jrdd.cached_partitions() == self.getNumPartitions()
        return self._jrdd.checkpoint_file() is not None

    def localCheckpoint(self) -> None:
        """Marks this RDD for local checkpointing: its partitions are kept in the block store
        (memory and disk) by the next job that computes them, and later jobs read them there.
        Unlike Spark, the lineage is kept (a lost block is recomputed rather than failing).

        >>> rdd = sc.range(5)
        >>> rdd.isLocallyCheckpointed()
        False
        >>> rdd.localCheckpoint()
        >>> rdd.isLocallyCheckpointed()
        True
        >>> rdd.isCheckpointed()
        False
        >>> rdd.count()
        5
        >>> rdd.isCheckpointed()
        True
        """
        if not self.is_cached:
            self.persist(StorageLevel.MEMORY_AND_DISK)
        self._locally_checkpointed = True
        self.is_checkpointed = True

    def isLocallyCheckpointed(self) -> bool:
        """Whether this RDD is marked for local checkpointing."""
        return self._locally_checkpointed

    def getCheckpointFile(self) -> Optional[str]:
        """Where this RDD was checkpointed (``file:/...``), or ``None`` until it is."""
        return self._jrdd.checkpoint_file()

    def toDebugString(self) -> bytes:
        """A description of this RDD and its recursive dependencies (as bytes, like pyspark).

        >>> rdd = sc.range(5)
        >>> rdd.toDebugString()  # doctest: +ELLIPSIS
        b'...MapPartitionsRDD...ParallelCollectionRDD...'
        """
        return self._jrdd.debug_string().encode("utf-8")

    # ---- narrow transformations ----------------------------------------------------------

    def mapPartitionsWithIndex(
        self, f: Callable[[int, Iterable[T]], Iterable[U]], preservesPartitioning: bool = False
    ) -> "RDD[U]":
        """Applies ``f`` to each partition, with the partition's index.

        >>> rdd = sc.parallelize([1, 2, 3, 4], 4)
        >>> def f(splitIndex, iterator): yield splitIndex
        ...
        >>> rdd.mapPartitionsWithIndex(f).sum()
        6
        """
        _check_callable(f, "mapPartitionsWithIndex")
        return PipelinedRDD(self, f, preservesPartitioning)

    def mapPartitionsWithSplit(
        self, f: Callable[[int, Iterable[T]], Iterable[U]], preservesPartitioning: bool = False
    ) -> "RDD[U]":
        """Deprecated name of ``mapPartitionsWithIndex``.

        >>> rdd = sc.parallelize([1, 2, 3, 4], 4)
        >>> def f(splitIndex, iterator): yield splitIndex
        ...
        >>> rdd.mapPartitionsWithSplit(f).sum()
        6
        """
        warnings.warn(
            "mapPartitionsWithSplit is deprecated; use mapPartitionsWithIndex instead",
            FutureWarning,
            stacklevel=2,
        )
        return self.mapPartitionsWithIndex(f, preservesPartitioning)

    def mapPartitions(self, f: Callable[[Iterable[T]], Iterable[U]], preservesPartitioning: bool = False) -> "RDD[U]":
        """Applies ``f`` to each partition.

        >>> rdd = sc.parallelize([1, 2, 3, 4], 2)
        >>> def f(iterator): yield sum(iterator)
        ...
        >>> rdd.mapPartitions(f).collect()
        [3, 7]
        """
        _check_callable(f, "mapPartitions")

        def func(_: int, iterator: Iterable[T]) -> Iterable[U]:
            return f(iterator)

        return self.mapPartitionsWithIndex(func, preservesPartitioning)

    def map(self, f: Callable[[T], U], preservesPartitioning: bool = False) -> "RDD[U]":
        """Applies ``f`` to each element.

        >>> rdd = sc.parallelize(["b", "a", "c"])
        >>> sorted(rdd.map(lambda x: (x, 1)).collect())
        [('a', 1), ('b', 1), ('c', 1)]
        """
        _check_callable(f, "map")

        def func(_: int, iterator: Iterable[T]) -> Iterable[U]:
            return map(f, iterator)

        return self.mapPartitionsWithIndex(func, preservesPartitioning)

    def flatMap(self, f: Callable[[T], Iterable[U]], preservesPartitioning: bool = False) -> "RDD[U]":
        """Applies ``f`` to each element and flattens the results.

        >>> rdd = sc.parallelize([2, 3, 4])
        >>> sorted(rdd.flatMap(lambda x: range(1, x)).collect())
        [1, 1, 1, 2, 2, 3]
        >>> sorted(rdd.flatMap(lambda x: [(x, x), (x, x)]).collect())
        [(2, 2), (2, 2), (3, 3), (3, 3), (4, 4), (4, 4)]
        """
        _check_callable(f, "flatMap")

        def func(_: int, iterator: Iterable[T]) -> Iterable[U]:
            return chain.from_iterable(map(f, iterator))

        return self.mapPartitionsWithIndex(func, preservesPartitioning)

    def filter(self, f: Callable[[T], bool]) -> "RDD[T]":
        """The elements that satisfy ``f``.

        >>> rdd = sc.parallelize([1, 2, 3, 4, 5])
        >>> rdd.filter(lambda x: x % 2 == 0).collect()
        [2, 4]
        """
        _check_callable(f, "filter")

        def func(_: int, iterator: Iterable[T]) -> Iterable[T]:
            return filter(f, iterator)

        return self.mapPartitionsWithIndex(func, True)

    def glom(self) -> "RDD[list[T]]":
        """Each partition as one list.

        >>> rdd = sc.parallelize([1, 2, 3, 4], 2)
        >>> sorted(rdd.glom().collect())
        [[1, 2], [3, 4]]
        """
        return self.mapPartitions(lambda it: [list(it)])

    def keyBy(self, f: Callable[[T], K]) -> "RDD[tuple[K, T]]":
        """Pairs ``(f(x), x)`` for each element.

        >>> rdd1 = sc.parallelize(range(0,3)).keyBy(lambda x: x*x)
        >>> rdd2 = sc.parallelize(zip(range(0,5), range(0,5)))
        >>> [(x, list(map(list, y))) for x, y in sorted(rdd1.cogroup(rdd2).collect())]
        [(0, [[0], [0]]), (1, [[1], [1]]), (2, [[], [2]]), (3, [[], [3]]), (4, [[2], [4]])]
        """
        _check_callable(f, "keyBy")
        return self.map(lambda x: (f(x), x))

    def union(self, other: "RDD[U]") -> "RDD[T | U]":
        """The union of this RDD and another one (partitions side by side).

        >>> rdd = sc.parallelize([1, 1, 2, 3])
        >>> rdd.union(rdd).collect()
        [1, 1, 2, 3, 1, 1, 2, 3]
        """
        check_rdd(other, "union")
        return self.ctx.union([self, other])  # type: ignore[list-item]

    def __add__(self, other: "RDD[U]") -> "RDD[T | U]":
        """``rdd + other`` is ``rdd.union(other)``.

        >>> rdd = sc.parallelize([1, 1, 2, 3])
        >>> (rdd + rdd).collect()
        [1, 1, 2, 3, 1, 1, 2, 3]
        """
        if not isinstance(other, RDD):
            raise TypeError(f"unsupported operand type(s) for +: 'RDD' and '{type(other).__name__}'")
        return self.union(other)

    def coalesce(self, numPartitions: int, shuffle: bool = False) -> "RDD[T]":
        """An RDD reduced into ``numPartitions`` partitions.

        >>> sc.parallelize([1, 2, 3, 4, 5], 3).glom().collect()
        [[1], [2, 3], [4, 5]]
        >>> sc.parallelize([1, 2, 3, 4, 5], 3).coalesce(1).glom().collect()
        [[1, 2, 3, 4, 5]]
        """
        n = check_int(numPartitions, "coalesce", "numPartitions", 1)
        return RDD(self._reserialized()._jrdd.coalesce(n, bool(shuffle)), self.ctx)

    def repartition(self, numPartitions: int) -> "RDD[T]":
        """An RDD with exactly ``numPartitions`` partitions, by a shuffle.

        >>> rdd = sc.parallelize([1,2,3,4,5,6,7], 4)
        >>> sorted(rdd.glom().collect())
        [[1], [2, 3], [4, 5], [6, 7]]
        >>> len(rdd.repartition(2).glom().collect())
        2
        >>> len(rdd.repartition(10).glom().collect())
        10
        """
        check_int(numPartitions, "repartition", "numPartitions", 1)
        return self.coalesce(numPartitions, shuffle=True)

    def collect(self) -> list[T]:
        """All the elements, in partition order.

        >>> sc.range(5).collect()
        [0, 1, 2, 3, 4]
        >>> sc.parallelize(["x", "y", "z"]).collect()
        ['x', 'y', 'z']
        """
        return _collect(self.ctx, self._jrdd)

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
        _check_callable(op, "fold", "op")

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
        >>> sc.parallelize((2 for _ in range(10))).map(lambda x: 1).cache().reduce(add)
        10
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
        >>> sc.parallelize([2, 3, 4, 5, 6]).take(10)
        [2, 3, 4, 5, 6]
        >>> sc.parallelize(range(100), 100).filter(lambda x: x > 90).take(3)
        [91, 92, 93]

        It scans one partition first, then more at a time (up to 4x the partitions scanned so
        far, estimated from the elements found), as pyspark does.
        """
        num = check_int(num, "take", "num")
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
        >>> sc.parallelize([]).first()
        Traceback (most recent call last):
            ...
        ValueError: RDD is empty
        """
        rs = self.take(1)
        if rs:
            return rs[0]
        raise ValueError("RDD is empty")

    def isEmpty(self) -> bool:
        """True if and only if the RDD contains no elements at all.

        >>> sc.parallelize([]).isEmpty()
        True
        >>> sc.parallelize([1]).isEmpty()
        False
        """
        return self.getNumPartitions() == 0 or len(self.take(1)) == 0

    def foreach(self, f: Callable[[T], None]) -> None:
        """Applies ``f`` to every element, in the workers.

        >>> def f(x): print(x)
        ...
        >>> sc.parallelize([1, 2, 3, 4, 5]).foreach(f)
        """
        _check_callable(f, "foreach")

        def func(iterator: Iterable[T]) -> Iterable[Any]:
            for x in iterator:
                f(x)
            return iter([])

        self.mapPartitions(func).collect()


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
