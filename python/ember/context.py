"""SparkContext: the entry point of the RDD API (pyspark.context)."""

from __future__ import annotations

import getpass
import itertools
import os
import pickle
import shutil
import sys
import tempfile
import threading
import time
from types import TracebackType
from typing import Any, Callable, Iterable, Optional, Sequence, TypeVar

from ember._ember import NativeContext, WorkerError
from ember.accumulators import Accumulator, AccumulatorParam, _apply_updates, _new_accumulator, _next_accumulator_id
from ember.broadcast import Broadcast
from ember import _cluster
from ember.conf import SparkConf, is_cluster_master
from ember.errors import reraise
from ember._checks import check_callable, check_int, check_optional_int, check_path, check_rdd, check_str
from ember.rdd import RDD
from ember.status import StatusTracker
from ember.rdd_io import _decoded, _named_files, _records, _utf8_file

__all__ = ["SparkContext"]

T = TypeVar("T")
U = TypeVar("U")


def _worker_env(conf: SparkConf, files_dir: str) -> list[tuple[str, str]]:
    """The environment of the Python workers: the driver's import path (so functions pickled by
    reference import), a fixed hash seed (so ``portable_hash`` of a string agrees across
    workers), where ``SparkFiles`` are, and the ``spark.executorEnv.*`` variables."""
    path = [os.getcwd() if p == "" else p for p in sys.path]
    env = {
        "PYTHONPATH": os.pathsep.join(path),
        "PYTHONHASHSEED": os.environ.get("PYTHONHASHSEED", "0"),
        "EMBER_FILES_DIR": files_dir,
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
            self._tmp = tempfile.mkdtemp(prefix="ember-")
            self._files_dir = os.path.join(self._tmp, "files")
            os.mkdir(self._files_dir)
            worker_env = _worker_env(self._conf, self._files_dir)
            self._worker_hash_seed = dict(worker_env)["PYTHONHASHSEED"]
            settings = self._conf._ember_settings()
            if is_cluster_master(self.master):
                settings += _cluster.executor_settings(self.master, self.appName, settings, worker_env)
            try:
                native = NativeContext(self.master, self.appName, settings, sys.executable, worker_env)
            except BaseException:
                shutil.rmtree(self._tmp, ignore_errors=True)
                raise
            if native.is_cluster_driver():
                # Executors replay this driver's calls into the engine (see ember._cluster).
                _cluster.Recorder.active = _cluster.Recorder(native)
                native = _cluster.Recorder.active.root
            self._native: Optional[NativeContext] = native
            self._local = threading.local()
            self._job_gate = threading.Condition()
            self._jobs_running = 0
            self._running_properties = b""
            self._broadcast_ids = itertools.count()
            self._checkpoint_dir: Optional[str] = None
            self._added_files: list[str] = []
            self._added_archives: list[str] = []
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
        """Gets the active SparkContext, or creates one from ``conf``.

        >>> SparkContext.getOrCreate()  # doctest: +ELLIPSIS
        <SparkContext ...>
        """
        if conf is not None and not isinstance(conf, SparkConf):
            raise TypeError(f"getOrCreate: conf must be a SparkConf, got {type(conf).__name__}")
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
                self._apply_accumulator_updates()
                self._native.stop()
                self._native = None
                _cluster.Recorder.active = None
                shutil.rmtree(self._tmp, ignore_errors=True)
            if SparkContext._active_spark_context is self:
                SparkContext._active_spark_context = None

    # ---- jobs ------------------------------------------------------------------------------

    def _run(self, job: Callable[[], T]) -> T:
        """Runs ``job`` (a call into the engine that runs Spark jobs) with this thread's local
        properties, re-raising a worker's exception as its own type, and applies the
        accumulator updates of the tasks that succeeded.

        Workers read the local properties of the running jobs from one slot of the context, so
        jobs with different properties wait for each other; jobs with the same run together.
        """
        native = self._ctx()
        props = getattr(self._local, "properties", None)
        key = pickle.dumps(dict(sorted(props.items()))) if props else b""
        with self._job_gate:
            while self._jobs_running and self._running_properties != key:
                self._job_gate.wait()
            if not self._jobs_running:
                native.set_job_properties(key)
                self._running_properties = key
            self._jobs_running += 1
        try:
            return job()
        except WorkerError as err:
            reraise(err)
        finally:
            with self._job_gate:
                self._jobs_running -= 1
                if not self._jobs_running and self._running_properties:
                    # Jobs started elsewhere (DataFrame actions) see no stale properties.
                    native.set_job_properties(b"")
                    self._running_properties = b""
                self._job_gate.notify_all()
            self._apply_accumulator_updates()

    def _hashes_like_workers(self) -> bool:
        """Whether ``hash`` of a str in this process agrees with the workers' (which run with
        the ``PYTHONHASHSEED`` of the environment, 0 by default)."""
        return sys.flags.hash_randomization == 0 and self._worker_hash_seed == "0"

    def _apply_accumulator_updates(self) -> None:
        """Adds the workers' accumulator updates of the tasks that succeeded so far."""
        native = self._native
        if native is not None:
            _apply_updates(native.take_accumulator_updates())

    def setLocalProperty(self, key: str, value: Optional[str]) -> None:
        """Sets a local property of this thread, seen by the jobs it starts (and by their tasks
        through ``TaskContext.getLocalProperty``); ``None`` removes it."""
        if not isinstance(key, str):
            raise TypeError(f"setLocalProperty: key must be a str, got {type(key).__name__}")
        props = self._local.__dict__.setdefault("properties", {})
        if value is None:
            props.pop(key, None)
        else:
            props[key] = str(value)

    def getLocalProperty(self, key: str) -> Optional[str]:
        """A local property set in this thread, or ``None`` if it is missing.

        >>> sc.setLocalProperty("testkey", "testvalue")
        >>> sc.getLocalProperty("testkey")
        'testvalue'
        >>> sc.setLocalProperty("testkey", None)
        >>> sc.getLocalProperty("testkey") is None
        True
        """
        return self._local.__dict__.get("properties", {}).get(key)

    # ---- shared variables --------------------------------------------------------------------

    def _temp_dir(self) -> str:
        self._ctx()
        return self._tmp

    def _next_broadcast_id(self) -> int:
        return next(self._broadcast_ids)

    def broadcast(self, value: T) -> "Broadcast[T]":
        """A read-only variable shared by the tasks: pickled once, read in workers with
        ``.value``.

        >>> mapping = {1: 10001, 2: 10002}
        >>> bc = sc.broadcast(mapping)

        >>> rdd = sc.range(5)
        >>> rdd2 = rdd.map(lambda i: bc.value[i] if i in bc.value else -1)
        >>> rdd2.collect()
        [-1, 10001, 10002, -1, -1]

        >>> bc.destroy()
        """
        return Broadcast(self, value)

    def accumulator(self, value: T, accum_param: Optional["AccumulatorParam[T]"] = None) -> "Accumulator[T]":
        """An accumulator starting at ``value``; ``int``, ``float`` and ``complex`` values are
        added with ``+``, other types need ``accum_param``.

        >>> acc = sc.accumulator(9)
        >>> acc.value
        9
        >>> acc += 1
        >>> acc.value
        10

        Accumulator object can be accumulated in RDD operations:

        >>> rdd = sc.range(5)
        >>> def f(x):
        ...     global acc
        ...     acc += 1
        ...
        >>> rdd.foreach(f)
        >>> acc.value
        15
        """
        self._ctx()
        return _new_accumulator(self, _next_accumulator_id(), value, accum_param)

    @property
    def version(self) -> str:
        """The version of Ember this application runs on.

        >>> _ = sc.version
        """
        from ember import __version__

        return __version__

    @property
    def applicationId(self) -> str:
        """A unique identifier of the application, ``local-<start time in ms>``.

        >>> sc.applicationId  # doctest: +ELLIPSIS
        'local-...'
        """
        return self._application_id

    @property
    def defaultParallelism(self) -> int:
        """Default level of parallelism (the cores of ``local[N]`` unless configured).

        >>> sc.defaultParallelism > 0
        True
        """
        return self._ctx().default_parallelism()

    @property
    def defaultMinPartitions(self) -> int:
        """Default minimum number of partitions of ``textFile``: min(defaultParallelism, 2).

        >>> sc.defaultMinPartitions > 0
        True
        """
        return min(self.defaultParallelism, 2)

    def getConf(self) -> SparkConf:
        """A copy of this context's configuration."""
        return SparkConf().setAll(self._conf.getAll())

    def setLogLevel(self, logLevel: str) -> None:
        """Accepted for compatibility (the level must be one of log4j's); Ember's log level is
        set by ``$EMBER_LOG``.

        >>> sc.setLogLevel("WARN")
        """
        valid = {"ALL", "DEBUG", "ERROR", "FATAL", "INFO", "OFF", "TRACE", "WARN"}
        if check_str(logLevel, "setLogLevel", "logLevel").upper() not in valid:
            raise ValueError(f"setLogLevel: unknown level {logLevel!r}; expected one of {sorted(valid)}")

    def parallelize(self, c: Iterable[T], numSlices: Optional[int] = None) -> RDD[T]:
        """Distributes a local Python collection to form an RDD.

        >>> sc.parallelize([0, 2, 3, 4, 6], 5).glom().collect()
        [[0], [2], [3], [4], [6]]
        >>> sc.parallelize(range(0, 6, 2), 5).glom().collect()
        [[], [0], [], [2], [4]]

        Deal with a list of strings.

        >>> strings = ["a", "b", "c"]
        >>> sc.parallelize(strings, 2).glom().collect()
        [['a'], ['b', 'c']]
        """
        numSlices = check_optional_int(numSlices, "parallelize", "numSlices")
        numSlices = numSlices if numSlices is not None else self.defaultParallelism
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
        if isinstance(c, list):
            data = c
        else:
            try:
                data = list(c)
            except TypeError:
                raise TypeError(f"parallelize: c must be an iterable collection, got {type(c).__name__}") from None
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

        Generate RDD with a negative step

        >>> sc.range(5, 0, -1).collect()
        [5, 4, 3, 2, 1]
        >>> sc.range(0, 5, -1).collect()
        []

        Control the number of partitions

        >>> sc.range(5, numSlices=1).getNumPartitions()
        1
        >>> sc.range(5, numSlices=10).getNumPartitions()
        10
        """
        start = check_int(start, "range", "start")
        end = check_optional_int(end, "range", "end")
        step = check_int(step, "range", "step")
        if step == 0:
            raise ValueError("range: step must not be zero")
        if end is None:
            end = start
            start = 0
        return self.parallelize(range(start, end, step), numSlices)

    def _min_partitions(self, minPartitions: Optional[int], operation: str) -> int:
        n = check_optional_int(minPartitions, operation, "minPartitions", 1)
        return n if n is not None else self.defaultMinPartitions

    def textFile(self, name: str, minPartitions: Optional[int] = None, use_unicode: bool = True) -> RDD[str]:
        """The lines of a text file, a directory of them, a glob, or a comma-separated list.

        A path that matches nothing raises ``FileNotFoundError`` naming it. With
        ``use_unicode=False`` the lines are UTF-8 ``bytes``.

        >>> import os
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory(prefix="textFile") as d:
        ...     path1 = os.path.join(d, "text1")
        ...     path2 = os.path.join(d, "text2")
        ...
        ...     # Write a temporary text file
        ...     sc.parallelize(["x", "y", "z"]).saveAsTextFile(path1)
        ...
        ...     # Write another temporary text file
        ...     sc.parallelize(["aa", "bb", "cc"]).saveAsTextFile(path2)
        ...
        ...     # Load text file
        ...     collected1 = sorted(sc.textFile(path1, 3).collect())
        ...     collected2 = sorted(sc.textFile(path2, 4).collect())
        ...
        ...     # Load two text files together
        ...     collected3 = sorted(sc.textFile('{},{}'.format(path1, path2), 5).collect())
        >>> collected1
        ['x', 'y', 'z']
        >>> collected2
        ['aa', 'bb', 'cc']
        >>> collected3
        ['aa', 'bb', 'cc', 'x', 'y', 'z']
        """
        name = check_path(name, "textFile", "name")
        n = self._min_partitions(minPartitions, "textFile")
        lines: RDD[Any] = RDD(self._ctx().text_file(name, n), self)
        if not use_unicode:  # UTF-8 bytes, as pyspark gives them
            return lines.map(lambda line: line.encode("utf-8"), True)
        return lines

    def _files(self, path: str, minPartitions: Optional[int], operation: str) -> RDD[tuple[str, bytes]]:
        """``(file:<path>, contents)`` for each file ``path`` names, read whole by the engine."""
        path = check_path(path, operation)
        n = self._min_partitions(minPartitions, operation)
        return _decoded(RDD(self._ctx().binary_files(path, n), self), _named_files)

    def wholeTextFiles(
        self, path: str, minPartitions: Optional[int] = None, use_unicode: bool = True
    ) -> RDD[tuple[str, str]]:
        """Each file of a directory (or glob, or comma-separated list) as one record
        ``(path, content)``, the path in Spark's ``file:/...`` form. The files must be UTF-8.

        >>> import os
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory(prefix="wholeTextFiles") as d:
        ...     # Write a temporary text file
        ...     with open(os.path.join(d, "1.txt"), "w") as f:
        ...         _ = f.write("123")
        ...
        ...     # Write another temporary text file
        ...     with open(os.path.join(d, "2.txt"), "w") as f:
        ...         _ = f.write("xyz")
        ...
        ...     collected = sorted(sc.wholeTextFiles(d).collect())
        >>> collected  # doctest: +ELLIPSIS
        [('.../1.txt', '123'), ('.../2.txt', 'xyz')]
        """
        files = self._files(path, minPartitions, "wholeTextFiles")
        if not use_unicode:  # path and contents as UTF-8 bytes, as pyspark gives them
            return files.map(lambda f: (f[0].encode("utf-8"), f[1]), True)
        return files.map(_utf8_file, True)

    def binaryFiles(self, path: str, minPartitions: Optional[int] = None) -> RDD[tuple[str, bytes]]:
        """Each file of a directory (or glob, or comma-separated list) as one record
        ``(path, bytes)``, the path in Spark's ``file:/...`` form.

        >>> import os
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory(prefix="binaryFiles") as d:
        ...     # Write a temporary binary file
        ...     with open(os.path.join(d, "1.bin"), "wb") as f1:
        ...         _ = f1.write(b"binary data I")
        ...
        ...     # Write another temporary binary file
        ...     with open(os.path.join(d, "2.bin"), "wb") as f2:
        ...         _ = f2.write(b"binary data II")
        ...
        ...     collected = sorted(sc.binaryFiles(d).collect())
        >>> collected  # doctest: +ELLIPSIS
        [('.../1.bin', b'binary data I'), ('.../2.bin', b'binary data II')]
        """
        return self._files(path, minPartitions, "binaryFiles")

    def pickleFile(self, name: str, minPartitions: Optional[int] = None) -> RDD[Any]:
        """The objects ``RDD.saveAsPickleFile`` wrote (in Ember's own format: see
        ``saveAsPickleFile``).

        >>> import os
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory(prefix="pickleFile") as d:
        ...     # Write a temporary pickled file
        ...     path1 = os.path.join(d, "pickled1")
        ...     sc.parallelize(range(10)).saveAsPickleFile(path1, 3)
        ...
        ...     # Write another temporary pickled file
        ...     path2 = os.path.join(d, "pickled2")
        ...     sc.parallelize(range(-10, -5)).saveAsPickleFile(path2, 3)
        ...
        ...     # Load picked file
        ...     collected1 = sorted(sc.pickleFile(path1, 3).collect())
        ...     collected2 = sorted(sc.pickleFile(path2, 4).collect())
        ...
        ...     # Load two picked files together
        ...     collected3 = sorted(sc.pickleFile('{},{}'.format(path1, path2), 5).collect())
        >>> collected1
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
        >>> collected2
        [-10, -9, -8, -7, -6]
        >>> collected3
        [-10, -9, -8, -7, -6, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
        """
        from ember.rdd_io import read_pickle_files

        return self._files(name, minPartitions, "pickleFile").flatMap(read_pickle_files)

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

        check_rdd(rdd, "runJob", "rdd")
        check_callable(partitionFunc, "runJob", "partitionFunc")
        mapped = rdd.mapPartitions(partitionFunc)
        if partitions is None:
            parts = list(range(rdd.getNumPartitions()))
        else:
            parts = [check_int(p, "runJob", "partitions") for p in partitions]
        return _collect(self, mapped._jrdd, parts)

    def emptyRDD(self) -> RDD[Any]:
        """An RDD that has no partitions or elements.

        >>> sc.emptyRDD()  # doctest: +ELLIPSIS
        RDD[...] with 1 partitions
        >>> sc.emptyRDD().count()
        0
        """
        return RDD(self._ctx().parallelize([]), self)

    def union(self, rdds: list[RDD[T]]) -> RDD[T]:
        """The union of a list of RDDs, their partitions side by side.

        >>> import os
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory(prefix="union") as d:
        ...     # generate a text RDD
        ...     with open(os.path.join(d, "union-text.txt"), "w") as f:
        ...         _ = f.write("Hello")
        ...     text_rdd = sc.textFile(d)
        ...
        ...     # generate another RDD
        ...     parallelized = sc.parallelize(["World!"])
        ...
        ...     unioned = sorted(sc.union([text_rdd, parallelized]).collect())

        >>> unioned
        ['Hello', 'World!']
        """
        if isinstance(rdds, RDD) or not isinstance(rdds, (list, tuple)):
            raise TypeError(f"union: rdds must be a list of RDDs, got {type(rdds).__name__}")
        for r in rdds:
            check_rdd(r, "union", "rdds")
        if not rdds:
            raise ValueError("union: at least one RDD is needed")
        return RDD(self._ctx().union([r._reserialized()._jrdd for r in rdds]), self)

    # ---- files and checkpoints ---------------------------------------------------------------

    def setCheckpointDir(self, dirName: str) -> None:
        """Sets the directory RDDs are checkpointed into (created if missing)."""
        dirName = check_path(dirName, "setCheckpointDir", "dirName")
        self._run(lambda: self._ctx().set_checkpoint_dir(dirName))
        self._checkpoint_dir = os.path.abspath(dirName)

    def getCheckpointDir(self) -> Optional[str]:
        """The checkpoint directory, or ``None`` if none is set.

        >>> import tempfile
        >>> with tempfile.TemporaryDirectory(prefix="getCheckpointDir") as d:
        ...     sc.setCheckpointDir(d)
        ...     sc.getCheckpointDir() == d
        True
        """
        return self._checkpoint_dir

    def addFile(self, path: str, recursive: bool = False) -> None:
        """Copies a file (or, with ``recursive``, a directory) to where every task finds it with
        ``SparkFiles.get(name)``. A missing path raises ``FileNotFoundError``.

        >>> import os
        >>> import tempfile
        >>> from ember import SparkFiles

        >>> with tempfile.TemporaryDirectory(prefix="addFile") as d:
        ...     path1 = os.path.join(d, "test1.txt")
        ...     with open(path1, "w") as f:
        ...         _ = f.write("100")
        ...
        ...     path2 = os.path.join(d, "test2.txt")
        ...     with open(path2, "w") as f:
        ...         _ = f.write("200")
        ...
        ...     sc.addFile(path1)
        ...     file_list1 = sorted(sc.listFiles)
        ...
        ...     sc.addFile(path2)
        ...     file_list2 = sorted(sc.listFiles)
        ...
        ...     # add path2 twice, this addition will be ignored
        ...     sc.addFile(path2)
        ...     file_list3 = sorted(sc.listFiles)
        ...
        ...     def func(iterator):
        ...         with open(SparkFiles.get("test1.txt")) as f:
        ...             mul = int(f.readline())
        ...             return [x * mul for x in iterator]
        ...
        ...     collected = sc.parallelize([1, 2, 3, 4]).mapPartitions(func).collect()

        >>> file_list1  # doctest: +ELLIPSIS
        ['file:/.../test1.txt']
        >>> file_list2  # doctest: +ELLIPSIS
        ['file:/.../test1.txt', 'file:/.../test2.txt']
        >>> file_list3  # doctest: +ELLIPSIS
        ['file:/.../test1.txt', 'file:/.../test2.txt']
        >>> collected
        [100, 200, 300, 400]
        """
        path = check_path(path, "addFile")
        local = path[len("file:") :] if path.startswith("file:") else path
        local = os.path.abspath(local)
        if not os.path.exists(local):
            raise FileNotFoundError(f"addFile: {path} does not exist")
        if os.path.isdir(local) and not recursive:
            raise ValueError(f"addFile: {path} is a directory and recursive is not turned on")
        uri = "file:" + local
        if uri in self._added_files:
            return
        target = os.path.join(self._files_dir, os.path.basename(local))
        if os.path.exists(target):
            raise ValueError(f"addFile: a different file named {os.path.basename(local)!r} was added already")
        if os.path.isdir(local):
            shutil.copytree(local, target)
        else:
            shutil.copyfile(local, target)
        self._added_files.append(uri)

    def addPyFile(self, path: str) -> None:
        """Adds a ``.py``, ``.zip`` or ``.egg`` file that tasks (and the driver) can import."""
        self.addFile(path)
        name = os.path.basename(path)
        if name.endswith((".zip", ".egg", ".jar")):
            sys.path.insert(1, os.path.join(self._files_dir, name))
        elif self._files_dir not in sys.path:
            sys.path.append(self._files_dir)

    @property
    def listFiles(self) -> list[str]:
        """The files added with ``addFile`` or ``addPyFile``, as ``file:`` URIs."""
        return list(self._added_files)

    def addArchive(self, path: str) -> None:
        """Unpacks an archive (``.zip``, ``.tar``, ``.tar.gz``, ``.tgz``, ``.jar``) where every
        task finds it: ``SparkFiles.get(name)`` is the directory of its contents (``name`` is
        the archive's file name, or what follows a ``#`` in ``path``). Adding the same path
        again does nothing.

        >>> import os
        >>> import tempfile
        >>> import zipfile
        >>> from ember import SparkFiles
        >>> with tempfile.TemporaryDirectory(prefix="addArchive") as d:
        ...     path = os.path.join(d, "test.txt")
        ...     with open(path, "w") as f:
        ...         _ = f.write("100")
        ...
        ...     zip_path1 = os.path.join(d, "test1.zip")
        ...     with zipfile.ZipFile(zip_path1, "w", zipfile.ZIP_DEFLATED) as z:
        ...         z.write(path, os.path.basename(path))
        ...
        ...     zip_path2 = os.path.join(d, "test2.zip")
        ...     with zipfile.ZipFile(zip_path2, "w", zipfile.ZIP_DEFLATED) as z:
        ...         z.write(path, os.path.basename(path))
        ...
        ...     sc.addArchive(zip_path1)
        ...     arch_list1 = sorted(sc.listArchives)
        ...
        ...     sc.addArchive(zip_path2)
        ...     arch_list2 = sorted(sc.listArchives)
        ...
        ...     # add zip_path2 twice, this addition will be ignored
        ...     sc.addArchive(zip_path2)
        ...     arch_list3 = sorted(sc.listArchives)
        ...
        ...     def func(iterator):
        ...         with open("%s/test.txt" % SparkFiles.get("test1.zip")) as f:
        ...             mul = int(f.readline())
        ...             return [x * mul for x in iterator]
        ...
        ...     collected = sc.parallelize([1, 2, 3, 4]).mapPartitions(func).collect()
        >>> arch_list1  # doctest: +ELLIPSIS
        ['file:/.../test1.zip']
        >>> arch_list2  # doctest: +ELLIPSIS
        ['file:/.../test1.zip', 'file:/.../test2.zip']
        >>> arch_list3  # doctest: +ELLIPSIS
        ['file:/.../test1.zip', 'file:/.../test2.zip']
        >>> collected
        [100, 200, 300, 400]
        """
        path = check_path(path, "addArchive")
        path, _, rename = path.partition("#")
        local = os.path.abspath(path[len("file:") :] if path.startswith("file:") else path)
        if not os.path.isfile(local):
            raise FileNotFoundError(f"addArchive: {path} does not exist")
        uri = "file:" + local
        if uri in self._added_archives:
            return
        name = rename or os.path.basename(local)
        target = os.path.join(self._files_dir, name)
        if os.path.exists(target):
            raise ValueError(f"addArchive: a file or archive named {name!r} was added already")
        fmt = "zip" if local.endswith(".jar") else None
        try:
            shutil.unpack_archive(local, target, fmt)
        except (shutil.ReadError, ValueError) as e:
            shutil.rmtree(target, ignore_errors=True)
            raise ValueError(f"addArchive: cannot unpack {path}: {e}") from None
        self._added_archives.append(uri)

    @property
    def listArchives(self) -> list[str]:
        """The archives added with ``addArchive``, as ``file:`` URIs."""
        return list(self._added_archives)

    def binaryRecords(self, path: str, recordLength: int) -> RDD[bytes]:
        """The fixed-length records of flat binary files: each file is cut into
        ``recordLength`` bytes; a file whose length is not a multiple of it is an error.

        >>> import os
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory(prefix="binaryRecords") as d:
        ...     # Write a temporary file
        ...     with open(os.path.join(d, "1.bin"), "w") as f:
        ...         for i in range(3):
        ...             _ = f.write("%04d" % i)
        ...
        ...     # Write another file
        ...     with open(os.path.join(d, "2.bin"), "w") as f:
        ...         for i in [-1, -2, -10]:
        ...             _ = f.write("%04d" % i)
        ...
        ...     collected = sorted(sc.binaryRecords(d, 4).collect())
        >>> collected
        [b'-001', b'-002', b'-010', b'0000', b'0001', b'0002']
        """
        n = check_int(recordLength, "binaryRecords", "recordLength", 1)
        return self._files(path, None, "binaryRecords").flatMap(lambda named: _records(named, n))

    def sparkUser(self) -> str:
        """The user running this context (``$SPARK_USER``, else the login name)."""
        return os.environ.get("SPARK_USER") or getpass.getuser()

    @property
    def uiWebUrl(self) -> Optional[str]:
        """The URL of the driver's web UI (``http://host:4040``, or the next free port), or
        ``None`` when ``spark.ui.enabled`` is false.

        >>> sc.uiWebUrl  # doctest: +ELLIPSIS
        'http://...:...'
        """
        return self._ctx().ui_url()

    def statusTracker(self) -> StatusTracker:
        """A :class:`ember.status.StatusTracker` over this context's jobs and stages."""
        return StatusTracker(self)

    @property
    def resources(self) -> dict[str, Any]:
        """Resources (GPUs...) of the driver: none in Ember's local mode."""
        return {}
