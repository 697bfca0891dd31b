"""Actions and combining transformations of ``RDD`` beyond the basic ones: aggregations
(``aggregate``, the tree versions), ordering (``max``, ``top``, ``takeOrdered``), counting,
local iteration, saving files, ``zip``/``cartesian``, ``pipe``, and the approximate counts.
A mixin of ``RDD``.
"""

from __future__ import annotations

import heapq
import math
import os
import pickle
import shlex
import subprocess
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from functools import reduce as _reduce
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Optional, TypeVar

import cloudpickle

from ember._checks import check_callable, check_int, check_number, check_path, check_rdd, check_str
from ember.partitioner import portable_hash
from ember.rdd_io import _crossed, _decoded, _zipped, pickle_records, text_chunks

if TYPE_CHECKING:
    from ember.rdd import RDD

__all__ = ["ActionFunctions"]

T = TypeVar("T")
U = TypeVar("U")

_MASK64 = (1 << 64) - 1


def _mix64(h: int) -> int:
    """A 64-bit finalizer (splitmix64's): spreads the bits of Python's hash, which is the
    identity for small ints."""
    h = (h + 0x9E3779B97F4A7C15) & _MASK64
    h = ((h ^ (h >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    h = ((h ^ (h >> 27)) * 0x94D049BB133111EB) & _MASK64
    return h ^ (h >> 31)


def _batched(rdd: "RDD[Any]") -> Any:
    """The native RDD of ``rdd`` as worker output: batches of exactly ``BATCH_SIZE`` elements
    but the last of each partition, so two RDDs with the same number of elements per partition
    have the same batches (what ``zip`` pairs)."""
    from ember.rdd import PipelinedRDD

    if not isinstance(rdd, PipelinedRDD):
        rdd = rdd.map(lambda x: x, True)
    return rdd._jrdd


class ActionFunctions:
    """Aggregations, ordering, counting, saving, zipping and the approximate actions of
    ``RDD``."""

    # ---- aggregations ----------------------------------------------------------------------

    def aggregate(self, zeroValue: U, seqOp: Callable[[U, T], U], combOp: Callable[[U, U], U]) -> U:
        """Aggregates each partition with ``seqOp`` from a copy of ``zeroValue``, then the
        partitions' results with ``combOp``.

        >>> seqOp = (lambda x, y: (x[0] + y, x[1] + 1))
        >>> combOp = (lambda x, y: (x[0] + y[0], x[1] + y[1]))
        >>> sc.parallelize([1, 2, 3, 4]).aggregate((0, 0), seqOp, combOp)
        (10, 4)
        >>> sc.parallelize([]).aggregate((0, 0), seqOp, combOp)
        (0, 0)
        """
        check_callable(seqOp, "aggregate", "seqOp")
        check_callable(combOp, "aggregate", "combOp")
        zero = cloudpickle.dumps(zeroValue)

        def func(iterator: Iterable[T]) -> Iterator[U]:
            acc = pickle.loads(zero)
            for x in iterator:
                acc = seqOp(acc, x)
            yield acc

        vals = self.mapPartitions(func).collect()  # type: ignore[attr-defined]
        return _reduce(combOp, vals, pickle.loads(zero))

    def treeAggregate(
        self, zeroValue: U, seqOp: Callable[[U, T], U], combOp: Callable[[U, U], U], depth: int = 2
    ) -> U:
        """``aggregate`` with the partition results combined in a tree of the given depth
        (shuffles of fewer and fewer partitions) instead of all on the driver.

        >>> add = lambda x, y: x + y
        >>> rdd = sc.parallelize([-5, -4, -3, -2, -1, 1, 2, 3, 4], 10)
        >>> rdd.treeAggregate(0, add, add)
        -5
        >>> rdd.treeAggregate(0, add, add, 1)
        -5
        >>> rdd.treeAggregate(0, add, add, 2)
        -5
        >>> rdd.treeAggregate(0, add, add, 5)
        -5
        >>> rdd.treeAggregate(0, add, add, 10)
        -5
        """
        check_callable(seqOp, "treeAggregate", "seqOp")
        check_callable(combOp, "treeAggregate", "combOp")
        depth = check_int(depth, "treeAggregate", "depth")
        if depth < 1:
            raise ValueError(f"Depth cannot be smaller than 1 but got {depth}.")
        if self.getNumPartitions() == 0:  # type: ignore[attr-defined]
            return zeroValue
        zero = cloudpickle.dumps(zeroValue)

        def aggregatePartition(iterator: Iterable[T]) -> Iterator[U]:
            acc = pickle.loads(zero)
            for x in iterator:
                acc = seqOp(acc, x)
            yield acc

        partial = self.mapPartitions(aggregatePartition)  # type: ignore[attr-defined]
        n = partial.getNumPartitions()
        scale = max(int(math.ceil(n ** (1.0 / depth))), 2)
        # Each level combines ``scale`` partitions into one, while that saves work.
        while n > scale + n / scale:
            n = int(n / scale)
            width = n
            partial = (
                partial.mapPartitionsWithIndex(lambda i, it: ((i % width, x) for x in it))
                .reduceByKey(combOp, width)
                .values()
            )
        return partial.fold(pickle.loads(zero), combOp)

    def treeReduce(self, f: Callable[[T, T], T], depth: int = 2) -> T:
        """``reduce`` with the partition results combined in a tree of the given depth.

        >>> add = lambda x, y: x + y
        >>> rdd = sc.parallelize([-5, -4, -3, -2, -1, 1, 2, 3, 4], 10)
        >>> rdd.treeReduce(add)
        -5
        >>> rdd.treeReduce(add, 1)
        -5
        >>> rdd.treeReduce(add, 2)
        -5
        >>> rdd.treeReduce(add, 5)
        -5
        >>> rdd.treeReduce(add, 10)
        -5
        """
        check_callable(f, "treeReduce")
        depth = check_int(depth, "treeReduce", "depth")
        if depth < 1:
            raise ValueError(f"Depth cannot be smaller than 1 but got {depth}.")
        # (value, True) stands for "no value yet" (an empty partition).
        empty: tuple[Any, bool] = (None, True)

        def op(a: tuple[Any, bool], b: tuple[Any, bool]) -> tuple[Any, bool]:
            if a[1]:
                return b
            if b[1]:
                return a
            return f(a[0], b[0]), False

        value, missing = self.map(lambda x: (x, False)).treeAggregate(empty, op, op, depth)  # type: ignore[attr-defined]
        if missing:
            raise ValueError("Can not reduce() empty RDD")
        return value

    def _extreme(self, pick: Callable[..., Any], key: Optional[Callable[[T], Any]], operation: str) -> T:
        if key is None:
            return self.reduce(pick)  # type: ignore[attr-defined]
        check_callable(key, operation, "key")
        return self.reduce(lambda a, b: pick(a, b, key=key))  # type: ignore[attr-defined]

    def max(self, key: Optional[Callable[[T], Any]] = None) -> T:
        """The largest element (by ``key`` if given).

        >>> rdd = sc.parallelize([1.0, 5.0, 43.0, 10.0])
        >>> rdd.max()
        43.0
        >>> rdd.max(key=str)
        5.0
        """
        return self._extreme(max, key, "max")

    def min(self, key: Optional[Callable[[T], Any]] = None) -> T:
        """The smallest element (by ``key`` if given).

        >>> rdd = sc.parallelize([2.0, 5.0, 43.0, 10.0])
        >>> rdd.min()
        2.0
        >>> rdd.min(key=str)
        10.0
        """
        return self._extreme(min, key, "min")

    def top(self, num: int, key: Optional[Callable[[T], Any]] = None) -> list[T]:
        """The ``num`` largest elements (by ``key`` if given), largest first.

        >>> sc.parallelize([10, 4, 2, 12, 3]).top(1)
        [12]
        >>> sc.parallelize([2, 3, 4, 5, 6], 2).top(2)
        [6, 5]
        >>> sc.parallelize([10, 4, 2, 12, 3]).top(3, key=str)
        [4, 3, 2]
        """
        num = check_int(num, "top", "num")
        if key is not None:
            check_callable(key, "top", "key")
        if self.getNumPartitions() == 0:  # type: ignore[attr-defined]
            return []

        def merge(a: list[T], b: list[T]) -> list[T]:
            return heapq.nlargest(num, a + b, key=key)

        return self.mapPartitions(lambda it: [heapq.nlargest(num, it, key=key)]).reduce(merge)  # type: ignore[attr-defined]

    def takeOrdered(self, num: int, key: Optional[Callable[[T], Any]] = None) -> list[T]:
        """The ``num`` smallest elements (by ``key`` if given), smallest first.

        >>> sc.parallelize([10, 1, 2, 9, 3, 4, 5, 6, 7]).takeOrdered(6)
        [1, 2, 3, 4, 5, 6]
        >>> sc.parallelize([10, 1, 2, 9, 3, 4, 5, 6, 7], 2).takeOrdered(6, key=lambda x: -x)
        [10, 9, 7, 6, 5, 4]
        >>> sc.emptyRDD().takeOrdered(3)
        []
        """
        num = check_int(num, "takeOrdered", "num")
        if num < 0:
            raise ValueError("top N cannot be negative.")
        if key is not None:
            check_callable(key, "takeOrdered", "key")
        if num == 0 or self.getNumPartitions() == 0:  # type: ignore[attr-defined]
            return []

        def merge(a: list[T], b: list[T]) -> list[T]:
            return heapq.nsmallest(num, a + b, key=key)

        return self.mapPartitions(lambda it: [heapq.nsmallest(num, it, key=key)]).reduce(merge)  # type: ignore[attr-defined]

    def countByValue(self) -> dict[T, int]:
        """How many times each distinct element occurs, as a dict.

        >>> sorted(sc.parallelize([1, 2, 1, 2, 2], 2).countByValue().items())
        [(1, 2), (2, 3)]
        """
        counts: Counter[T] = Counter()
        for c in self.mapPartitions(lambda it: [Counter(it)]).collect():  # type: ignore[attr-defined]
            counts.update(c)
        return dict(counts)

    def foreachPartition(self, f: Callable[[Iterable[T]], None]) -> None:
        """Applies ``f`` to the iterator of each partition, in the workers.

        >>> def f(iterator):
        ...     for x in iterator:
        ...          print(x)
        ...
        >>> sc.parallelize([1, 2, 3, 4, 5]).foreachPartition(f)
        """
        check_callable(f, "foreachPartition")

        def func(iterator: Iterable[T]) -> Iterator[Any]:
            result = f(iterator)
            if result is not None:
                for _ in result:  # a generator function runs only when iterated
                    pass
            return iter(())

        self.mapPartitions(func).count()  # type: ignore[attr-defined]

    def toLocalIterator(self, prefetchPartitions: bool = False) -> Iterator[T]:
        """An iterator over the elements that runs one job per partition, so the driver holds
        one partition at a time (two with ``prefetchPartitions``, which computes the next one
        while the current one is consumed).

        >>> rdd = sc.parallelize(range(10))
        >>> [x for x in rdd.toLocalIterator()]
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
        """
        ctx = self.ctx  # type: ignore[attr-defined]
        n = self.getNumPartitions()  # type: ignore[attr-defined]
        properties = dict(ctx._local.__dict__.get("properties", {}))

        def fetch(i: int) -> list[T]:
            # Jobs of the prefetching thread carry the caller's local properties.
            ctx._local.properties = dict(properties)
            return ctx.runJob(self, lambda it: it, [i])

        if not prefetchPartitions:
            for i in range(n):
                yield from fetch(i)
            return
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ember-prefetch") as pool:
            pending = pool.submit(fetch, 0) if n else None
            for i in range(n):
                assert pending is not None
                part = pending.result()
                pending = pool.submit(fetch, i + 1) if i + 1 < n else None
                yield from part

    # ---- saving ----------------------------------------------------------------------------

    def _save_bytes(self, path: str, codec: Optional[str], encode: Callable[[Iterable[Any]], Iterable[bytes]]) -> None:
        from ember.rdd import PipelinedRDD

        writer = PipelinedRDD(self, lambda _, it: encode(it))  # type: ignore[arg-type]
        command = cloudpickle.dumps(writer.func)
        self.ctx._run(lambda: writer._prev_jrdd.save_as_bytes_file(command, path, codec))  # type: ignore[attr-defined]

    def saveAsTextFile(self, path: str, compressionCodecClass: Optional[str] = None) -> None:
        """Writes each partition as a text file ``part-NNNNN`` (``part-NNNNN.gz``... with a
        codec) under the new directory ``path``, one element per line (``str`` in UTF-8,
        ``bytes`` as they are, anything else as ``str(x)``), and ``_SUCCESS`` once every task
        succeeded; a failed job leaves no part files. An existing ``path`` raises
        ``FileExistsError``. Codecs: Hadoop's ``GzipCodec``, ``DefaultCodec``,
        ``DeflateCodec``, ``BZip2Codec`` and ``ZStandardCodec`` (full or short class names).

        >>> import os
        >>> import tempfile
        >>> from fileinput import input
        >>> from glob import glob
        >>> with tempfile.TemporaryDirectory(prefix="saveAsTextFile1") as d1:
        ...     path1 = os.path.join(d1, "text_file1")
        ...
        ...     # Write a temporary text file
        ...     sc.parallelize(range(10)).saveAsTextFile(path1)
        ...
        ...     # Load text file as an RDD
        ...     ''.join(sorted(input(glob(path1 + "/part-0000*"))))
        '0\\n1\\n2\\n3\\n4\\n5\\n6\\n7\\n8\\n9\\n'

        Empty lines are tolerated when saving to text files.

        >>> with tempfile.TemporaryDirectory(prefix="saveAsTextFile2") as d2:
        ...     path2 = os.path.join(d2, "text2_file2")
        ...
        ...     # Write another temporary text file
        ...     sc.parallelize(['', 'foo', '', 'bar', '']).saveAsTextFile(path2)
        ...
        ...     # Load text file as an RDD
        ...     ''.join(sorted(input(glob(path2 + "/part-0000*"))))
        '\\n\\n\\nbar\\nfoo\\n'

        Using compressionCodecClass

        >>> from fileinput import input, hook_compressed
        >>> with tempfile.TemporaryDirectory(prefix="saveAsTextFile3") as d3:
        ...     path3 = os.path.join(d3, "text3")
        ...     codec = "org.apache.hadoop.io.compress.GzipCodec"
        ...
        ...     # Write another temporary text file with specified codec
        ...     sc.parallelize(['foo', 'bar']).saveAsTextFile(path3, codec)
        ...
        ...     # Load text file as an RDD
        ...     result = sorted(input(glob(path3 + "/part*.gz"), openhook=hook_compressed))
        ...     ''.join([r.decode('utf-8') if isinstance(r, bytes) else r for r in result])
        'bar\\nfoo\\n'
        """
        path = check_path(path, "saveAsTextFile")
        if compressionCodecClass is not None:
            check_str(compressionCodecClass, "saveAsTextFile", "compressionCodecClass")
        self._save_bytes(path, compressionCodecClass, text_chunks)

    def saveAsPickleFile(self, path: str, batchSize: int = 10) -> None:
        """Writes the elements pickled, ``batchSize`` to a record (0: 1024), to ``part-NNNNN``
        files under the new directory ``path``, for ``SparkContext.pickleFile``. The format is
        Ember's own (``u32 length + pickled list`` records), not a Hadoop SequenceFile.

        >>> import os
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory(prefix="saveAsPickleFile") as d:
        ...     path = os.path.join(d, "pickle_file")
        ...
        ...     # Write a temporary pickled file
        ...     sc.parallelize(range(10)).saveAsPickleFile(path, 3)
        ...
        ...     # Load picked file as an RDD
        ...     sorted(sc.pickleFile(path, 3).collect())
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
        """
        path = check_path(path, "saveAsPickleFile")
        size = check_int(batchSize, "saveAsPickleFile", "batchSize", 0) or 1024
        self._save_bytes(path, None, lambda it: pickle_records(it, size))

    # ---- zips and products ---------------------------------------------------------------------

    def zip(self, other: "RDD[U]") -> "RDD[tuple[T, U]]":
        """Pairs the i-th element of each partition with the i-th of ``other``'s; both RDDs must
        have the same number of partitions and of elements in each.

        >>> rdd1 = sc.parallelize(range(0,5))
        >>> rdd2 = sc.parallelize(range(1000, 1005))
        >>> rdd1.zip(rdd2).collect()
        [(0, 1000), (1, 1001), (2, 1002), (3, 1003), (4, 1004)]
        """
        from ember.rdd import RDD

        check_rdd(other, "zip")
        if self.getNumPartitions() != other.getNumPartitions():  # type: ignore[attr-defined]
            raise ValueError("Can only zip with RDD which has the same number of partitions")
        raw = RDD(_batched(self).zip(_batched(other)), self.ctx)  # type: ignore[arg-type, attr-defined]
        return _decoded(raw, _zipped)

    def zipWithIndex(self) -> "RDD[tuple[T, int]]":
        """Pairs each element with its index in the RDD's order (running a job to count the
        elements of the partitions before the last, when there are several).

        >>> sc.parallelize(["a", "b", "c", "d"], 3).zipWithIndex().collect()
        [('a', 0), ('b', 1), ('c', 2), ('d', 3)]
        """
        n = self.getNumPartitions()  # type: ignore[attr-defined]
        starts = [0]
        if n > 1:
            counts = self.mapPartitions(lambda it: [sum(1 for _ in it)]).collect()  # type: ignore[attr-defined]
            for c in counts[:-1]:
                starts.append(starts[-1] + c)

        def func(k: int, it: Iterable[T]) -> Iterator[tuple[T, int]]:
            return ((x, i) for i, x in enumerate(it, starts[k]))

        return self.mapPartitionsWithIndex(func)  # type: ignore[attr-defined]

    def zipWithUniqueId(self) -> "RDD[tuple[T, int]]":
        """Pairs each element with a unique id: the elements of partition k get k, n+k, 2n+k...
        for n partitions. Runs no job; the ids have gaps.

        >>> sc.parallelize(["a", "b", "c", "d", "e"], 3).zipWithUniqueId().collect()
        [('a', 0), ('b', 1), ('c', 4), ('d', 2), ('e', 5)]
        """
        n = self.getNumPartitions()  # type: ignore[attr-defined]

        def func(k: int, it: Iterable[T]) -> Iterator[tuple[T, int]]:
            return ((x, i * n + k) for i, x in enumerate(it))

        return self.mapPartitionsWithIndex(func)  # type: ignore[attr-defined]

    def cartesian(self, other: "RDD[U]") -> "RDD[tuple[T, U]]":
        """Every pair ``(a, b)`` with ``a`` in this RDD and ``b`` in ``other``.

        >>> rdd = sc.parallelize([1, 2])
        >>> sorted(rdd.cartesian(rdd).collect())
        [(1, 1), (1, 2), (2, 1), (2, 2)]
        """
        from ember.rdd import RDD

        check_rdd(other, "cartesian")
        left = self._reserialized()._jrdd  # type: ignore[attr-defined]
        right = other._reserialized()._jrdd
        return _decoded(RDD(left.cartesian(right), self.ctx), _crossed)  # type: ignore[attr-defined]

    def pipe(self, command: str, env: Optional[dict[str, str]] = None, checkCode: bool = False) -> "RDD[str]":
        """Pipes each partition through the shell command ``command`` (split like a shell
        does, not run by one): each element is written as a line of its ``str``, each line the
        command prints is an element. ``env`` adds environment variables; with ``checkCode``
        a non-zero exit status fails the task.

        >>> sc.parallelize(['1', '2', '', '3']).pipe('cat').collect()
        ['1', '2', '', '3']
        """
        check_str(command, "pipe", "command")
        if env is not None and not isinstance(env, dict):
            raise TypeError(f"pipe: env must be a dict, got {type(env).__name__}")
        args = shlex.split(command)
        extra = dict(env or {})

        def func(iterator: Iterable[T]) -> Iterator[str]:
            proc = subprocess.Popen(args, env={**os.environ, **extra}, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            assert proc.stdin is not None and proc.stdout is not None
            failure: list[BaseException] = []

            def feed(out: Any) -> None:
                try:
                    for obj in iterator:
                        out.write(str(obj).rstrip("\n").encode("utf-8") + b"\n")
                except BrokenPipeError:
                    pass
                except BaseException as e:  # noqa: BLE001 - re-raised on the task's thread
                    failure.append(e)
                finally:
                    try:
                        out.close()
                    except BrokenPipeError:
                        pass

            writer = threading.Thread(target=feed, args=(proc.stdin,), daemon=True)
            writer.start()
            for line in proc.stdout:
                yield line.rstrip(b"\n").decode("utf-8")
            writer.join()
            code = proc.wait()
            if failure:
                raise failure[0]
            if checkCode and code:
                raise RuntimeError(f"Pipe function `{command}' exited with error code {code}")

        return self.mapPartitions(func)  # type: ignore[attr-defined]

    # ---- approximate actions -----------------------------------------------------------------

    def countApprox(self, timeout: int, confidence: float = 0.95) -> int:
        """The number of elements. Ember runs the whole job (the count is exact) rather than
        stopping at ``timeout`` milliseconds.

        >>> rdd = sc.parallelize(range(1000), 10)
        >>> rdd.countApprox(1000, 1.0)
        1000
        """
        check_int(timeout, "countApprox", "timeout")
        check_number(confidence, "countApprox", "confidence")
        return int(self.count())  # type: ignore[attr-defined]

    def countApproxDistinct(self, relativeSD: float = 0.05) -> int:
        """An estimate of the number of distinct elements, by HyperLogLog with a relative
        accuracy of about ``relativeSD`` (which must be greater than 0.000017). Elements are
        hashed with ``portable_hash``.

        >>> n = sc.parallelize(range(1000)).map(str).countApproxDistinct()
        >>> 900 < n < 1100
        True
        >>> n = sc.parallelize([i % 20 for i in range(1000)]).countApproxDistinct()
        >>> 16 < n < 24
        True
        """
        relativeSD = check_number(relativeSD, "countApproxDistinct", "relativeSD")
        if relativeSD < 0.000017:
            raise ValueError("relativeSD should be greater than 0.000017")
        p = max(4, math.ceil(2.0 * math.log2(1.054 / relativeSD)))
        m = 1 << p

        def registers(iterator: Iterable[T]) -> Iterator[bytearray]:
            regs = bytearray(m)
            for x in iterator:
                h = _mix64(portable_hash(x) & _MASK64)
                j = h >> (64 - p)
                rest = (h << p) & _MASK64
                rank = 64 - p + 1 if rest == 0 else 65 - rest.bit_length()
                if rank > regs[j]:
                    regs[j] = rank
            yield regs

        merged = self.mapPartitions(registers).reduce(  # type: ignore[attr-defined]
            lambda a, b: bytearray(max(x, y) for x, y in zip(a, b))
        )
        alpha = 0.7213 / (1 + 1.079 / m)
        estimate = alpha * m * m / sum(2.0 ** -r for r in merged)
        zeros = merged.count(0)
        if estimate <= 2.5 * m and zeros:
            estimate = m * math.log(m / zeros)  # linear counting for small cardinalities
        return int(round(estimate))
