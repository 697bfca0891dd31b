"""SparkContext: the entry point of the RDD API (pyspark.context)."""

from __future__ import annotations

import os
import pickle
import sys
import threading
import time
from types import TracebackType
from typing import Any, Callable, Iterable, Optional, Sequence, TypeVar

from ember._ember import NativeContext
from ember.conf import SparkConf
from ember.rdd import RDD

__all__ = ["SparkContext"]

T = TypeVar("T")
U = TypeVar("U")


def _worker_env(conf: SparkConf) -> list[tuple[str, str]]:
    """The environment of the Python workers: the driver's import path (so functions pickled by
    reference import), a fixed hash seed (so ``portable_hash`` of a string agrees across
    workers), and the ``spark.executorEnv.*`` variables."""
    path = [os.getcwd() if p == "" else p for p in sys.path]
    env = {
        "PYTHONPATH": os.pathsep.join(path),
        "PYTHONHASHSEED": os.environ.get("PYTHONHASHSEED", "0"),
    }
    for k, v in conf.getAll():
        if k.startswith("spark.executorEnv."):
            env[k[len("spark.executorEnv.") :]] = v
    return list(env.items())


class SparkContext:
    """Main entry point for Ember functionality, as pyspark's ``SparkContext``.

    Only one SparkContext may be active at a time; ``stop()`` it before creating another, or use
    it as a context manager. The master defaults to ``$EMBER_MASTER`` or ``local[*]``, the
    application name to ``ember``::

        with SparkContext("local[2]", "example") as sc:
            sc.parallelize([1, 2, 3, 4, 5]).map(lambda x: x * 2).collect()  # [2, 4, 6, 8, 10]
    """

    _active_spark_context: Optional["SparkContext"] = None
    _lock = threading.RLock()

    def __init__(
        self,
        master: Optional[str] = None,
        appName: Optional[str] = None,
        sparkHome: Optional[str] = None,
        pyFiles: Optional[list[str]] = None,
        environment: Optional[dict[str, Any]] = None,
        batchSize: int = 0,
        serializer: Any = None,
        conf: Optional[SparkConf] = None,
        gateway: Any = None,
        jsc: Any = None,
        profiler_cls: Any = None,
        udf_profiler_cls: Any = None,
        memory_profiler_cls: Any = None,
    ) -> None:
        if conf is not None and not isinstance(conf, SparkConf):
            raise TypeError(f"conf must be a SparkConf, got {type(conf).__name__}")
        with SparkContext._lock:
            active = SparkContext._active_spark_context
            if active is not None:
                raise ValueError(
                    "Cannot run multiple SparkContexts at once; existing "
                    f"SparkContext(app={active.appName}, master={active.master})"
                )
            self._conf = SparkConf().setAll((conf or SparkConf()).getAll())
            if master:
                self._conf.setMaster(master)
            if appName:
                self._conf.setAppName(appName)
            if sparkHome:
                self._conf.setSparkHome(sparkHome)
            for k, v in (environment or {}).items():
                self._conf.setExecutorEnv(k, str(v))
            self._conf.setIfMissing("spark.master", os.environ.get("EMBER_MASTER", "local[*]"))
            self._conf.setIfMissing("spark.app.name", "ember")
            self.master: str = self._conf.get("spark.master")  # type: ignore[assignment]
            self.appName: str = self._conf.get("spark.app.name")  # type: ignore[assignment]
            self.sparkHome = sparkHome
            self.environment = dict(environment or {})
            self._native: Optional[NativeContext] = NativeContext(
                self.master,
                self.appName,
                self._conf._ember_settings(),
                sys.executable,
                _worker_env(self._conf),
            )
            self.startTime = int(time.time() * 1000)
            self._application_id = f"local-{self.startTime}"
            SparkContext._active_spark_context = self

    def __repr__(self) -> str:
        return f"<SparkContext master={self.master} appName={self.appName}>"

    def __enter__(self) -> "SparkContext":
        return self

    def __exit__(
        self,
        type: Optional[type[BaseException]],
        value: Optional[BaseException],
        trace: Optional[TracebackType],
    ) -> None:
        self.stop()

    @classmethod
    def getOrCreate(cls, conf: Optional[SparkConf] = None) -> "SparkContext":
        """Gets the active SparkContext, or creates one from ``conf``."""
        with cls._lock:
            if cls._active_spark_context is None:
                SparkContext(conf=conf or SparkConf())
            assert cls._active_spark_context is not None
            return cls._active_spark_context

    def _ctx(self) -> NativeContext:
        if self._native is None:
            raise RuntimeError(
                f"SparkContext(app={self.appName}, master={self.master}) has been stopped; "
                "create a new one"
            )
        return self._native

    def stop(self) -> None:
        """Shuts down the context and its Python workers. Stopping twice does nothing."""
        with SparkContext._lock:
            if self._native is not None:
                self._native.stop()
                self._native = None
            if SparkContext._active_spark_context is self:
                SparkContext._active_spark_context = None

    @property
    def version(self) -> str:
        """The version of Ember this application runs on."""
        from ember import __version__

        return __version__

    @property
    def applicationId(self) -> str:
        """A unique identifier of the application, ``local-<start time in ms>``."""
        return self._application_id

    @property
    def defaultParallelism(self) -> int:
        """Default level of parallelism (the cores of ``local[N]`` unless configured)."""
        return self._ctx().default_parallelism()

    @property
    def defaultMinPartitions(self) -> int:
        """Default minimum number of partitions of ``textFile``: min(defaultParallelism, 2)."""
        return min(self.defaultParallelism, 2)

    def getConf(self) -> SparkConf:
        """A copy of this context's configuration."""
        return SparkConf().setAll(self._conf.getAll())

    def setLogLevel(self, logLevel: str) -> None:
        """Accepted for compatibility; Ember's log level is set by ``$EMBER_LOG``."""
        valid = {"ALL", "DEBUG", "ERROR", "FATAL", "INFO", "OFF", "TRACE", "WARN"}
        if logLevel.upper() not in valid:
            raise ValueError(f"setLogLevel: unknown level {logLevel!r}; expected one of {sorted(valid)}")

    def parallelize(self, c: Iterable[T], numSlices: Optional[int] = None) -> RDD[T]:
        """Distributes a local Python collection to form an RDD.

        >>> sc.parallelize([0, 2, 3, 4, 6], 5).glom().collect()
        [[0], [2], [3], [4], [6]]
        >>> sc.parallelize(range(0, 6, 2), 5).glom().collect()
        [[], [0], [], [2], [4]]
        """
        numSlices = int(numSlices) if numSlices is not None else self.defaultParallelism
        if numSlices < 1:
            raise ValueError(f"parallelize: numSlices must be positive, got {numSlices}")
        if isinstance(c, range):
            size = len(c)
            if size == 0:
                return self.parallelize([], numSlices)
            step = c[1] - c[0] if size > 1 else 1
            start0 = c[0]

            def getStart(split: int) -> int:
                return start0 + int((split * size / numSlices)) * step

            def f(split: int, iterator: Iterable[Any]) -> Iterable[int]:
                return iter(range(getStart(split), getStart(split + 1), step))

            return self.parallelize([], numSlices).mapPartitionsWithIndex(f)
        data = c if isinstance(c, list) else list(c)
        n = len(data)
        slices = [
            pickle.dumps(data[i * n // numSlices : (i + 1) * n // numSlices], 5) for i in range(numSlices)
        ]
        return RDD(self._ctx().parallelize(slices), self)

    def range(
        self,
        start: int,
        end: Optional[int] = None,
        step: int = 1,
        numSlices: Optional[int] = None,
    ) -> RDD[int]:
        """An RDD of ``range(start, end, step)``; with one argument, ``range(0, start)``.

        >>> sc.range(5).collect()
        [0, 1, 2, 3, 4]
        >>> sc.range(2, 4).collect()
        [2, 3]
        >>> sc.range(1, 7, 2).collect()
        [1, 3, 5]
        """
        if end is None:
            end = start
            start = 0
        return self.parallelize(range(start, end, step), numSlices)

    def textFile(self, name: str, minPartitions: Optional[int] = None, use_unicode: bool = True) -> RDD[str]:
        """The lines of a text file, a directory of them, a glob, or a comma-separated list.

        A path that matches nothing raises ``FileNotFoundError`` naming it.
        """
        if not isinstance(name, str):
            raise TypeError(f"textFile: name must be a str path, got {type(name).__name__}")
        minPartitions = minPartitions if minPartitions is not None else self.defaultMinPartitions
        return RDD(self._ctx().text_file(name, int(minPartitions)), self)

    def runJob(
        self,
        rdd: RDD[T],
        partitionFunc: Callable[[Iterable[T]], Iterable[U]],
        partitions: Optional[Sequence[int]] = None,
        allowLocal: bool = False,
    ) -> list[U]:
        """Runs ``partitionFunc`` on the given partitions (all by default) and returns the
        results as one list.

        >>> myRDD = sc.parallelize(range(6), 3)
        >>> sc.runJob(myRDD, lambda part: [x * x for x in part])
        [0, 1, 4, 9, 16, 25]
        >>> sc.runJob(myRDD, lambda part: [x * x for x in part], [0, 2], True)
        [0, 1, 16, 25]
        """
        from ember.rdd import _collect

        mapped = rdd.mapPartitions(partitionFunc)
        parts = list(range(rdd.getNumPartitions()) if partitions is None else partitions)
        return _collect(mapped._jrdd, parts)

    def emptyRDD(self) -> RDD[Any]:
        """An RDD that has no partitions or elements."""
        return RDD(self._ctx().parallelize([]), self)

    def union(self, rdds: list[RDD[T]]) -> RDD[T]:
        """The union of a list of RDDs, their partitions side by side."""
        if not rdds:
            raise ValueError("union: at least one RDD is needed")
        return RDD(self._ctx().union([r._jrdd for r in rdds]), self)
