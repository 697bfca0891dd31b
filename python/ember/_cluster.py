"""Cluster mode for the Python API: executors replay the driver's calls into the engine.

A Rust program's executors run their own copy of its ``main`` (see Ember's README). A Python
program cannot be run again (an interactive session, a notebook, pytest), so in cluster mode
(``local-cluster[N,C,M]``, ``ember://host:port``) the driver records every call the Python API
makes into the native layer (``ember._ember``) and sends it to the executors before running it;
each executor runs ``python -m ember._executor``, which replays the calls in the same order.
Both sides then build the same lineage (the same RDD and shuffle ids), reach the same actions
in the same order, and the executors run the tasks of the driver's jobs; Python functions
travel inside the calls as the cloudpickled bytes the API already makes of them, and run in
Python workers the executors start.

A recorded call (a *step*) is a pickle of ``(target, method, args, kwargs, handle, dropped)``:

- ``target``: the handle of a native object, or the name of a native class (static methods and
  constructors, with ``method`` ``None`` for the constructor);
- ``args``, ``kwargs``: plain values (bytes, str, numbers, lists, tuples); native objects among
  them travel as their handles (pickle's persistent ids);
- ``handle``: the handle the result gets if it is a native object (handle 0 is the context);
- ``dropped``: handles of objects the driver no longer holds, which the executor forgets
  after the call.

Calls that only read state the driver holds (a schema, a plan's text, an id) are not recorded.
Calls run one at a time while recorded, so the executors see them in the driver's order.
"""

import base64
import io
import os
import pickle
import sys
import threading
from typing import Any, Callable, Optional

from ember import _ember

#: The native classes whose objects get handles.
NATIVE_TYPES = (
    _ember.NativeContext,
    _ember.NativeRdd,
    _ember.NativeSession,
    _ember.NativeDataFrame,
    _ember.NativeExpr,
)

#: Methods that read state and build nothing: not sent to the executors.
LOCAL_ONLY = frozenset(
    {
        "__repr__",
        "cached_partitions",
        "checkpoint_file",
        "debug_string",
        "default_parallelism",
        "explain",
        "has_aggregate",
        "has_function",
        "id",
        "is_cluster_driver",
        "status_json",
        "is_raw",
        "lines",
        "logical_plan",
        "num_partitions",
        "qualified_columns",
        "schema",
        "storage_level",
        "table_names",
        "take_accumulator_updates",
        "ui_url",
    }
)

#: Settings the executors must not see in their arguments (they get secrets from their
#: environment) or must not inherit (they are the driver's own).
_PRIVATE = ("ember.authenticate.", "ember.executor.program", "ember.executor.args")


def executor_settings(master: str, app_name: str, settings: list[tuple[str, str]],
                      worker_env: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The settings that make a cluster driver's executors run ``python -m ember._executor``
    with this interpreter, told how to build the same context."""
    public = [(k, v) for k, v in settings if not k.startswith(_PRIVATE)]
    context = (master, app_name, public, worker_env, list(sys.path))
    encoded = base64.urlsafe_b64encode(pickle.dumps(context)).decode("ascii")
    path = os.pathsep.join(p for p in sys.path if p)
    out = [
        ("ember.executor.program", sys.executable),
        ("ember.executor.args", f"-m ember._executor {encoded}"),
    ]
    if not any(k == "ember.executorEnv.PYTHONPATH" for k, _ in settings):
        # `-m ember._executor` must import the package the driver runs.
        out.append(("ember.executorEnv.PYTHONPATH", path))
    alias = os.environ.get("EMBER_PYSPARK_ALIAS")
    if alias:
        # Under ember-submit, workers on executors alias `pyspark` as the driver's do.
        out.append(("ember.executorEnv.EMBER_PYSPARK_ALIAS", alias))
    return out


def decode_context(argument: str) -> tuple[str, str, list[tuple[str, str]], list[tuple[str, str]], list[str]]:
    """The context an executor builds, from its argument (see :func:`executor_settings`)."""
    return pickle.loads(base64.urlsafe_b64decode(argument.encode("ascii")))


def _unwrap(value: Any) -> Any:
    """``value`` with every :class:`Remote` replaced by its native object."""
    if isinstance(value, Remote):
        return value._native
    if isinstance(value, list):
        return [_unwrap(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_unwrap(v) for v in value)
    if isinstance(value, dict):
        return {k: _unwrap(v) for k, v in value.items()}
    return value


class _StepPickler(pickle.Pickler):
    def persistent_id(self, obj: Any) -> Optional[int]:  # noqa: D102 (pickle's protocol)
        return obj._handle if isinstance(obj, Remote) else None


class Recorder:
    """Records a cluster driver's native calls and sends them to its executors."""

    #: The recorder of the active cluster context, if any (one context runs at a time).
    active: Optional["Recorder"] = None

    def __init__(self, native: Any) -> None:
        self._native = native
        self._lock = threading.RLock()
        self._next = 1
        self._dropped: list[int] = []
        self.root = Remote(native, 0, self)

    def call(self, target: Any, method: Optional[str], func: Callable[..., Any],
             args: tuple, kwargs: dict) -> Any:
        """Sends the call to the executors, then runs it here; a native result is wrapped."""
        if method in LOCAL_ONLY:
            return func(*_unwrap(args), **_unwrap(kwargs))
        with self._lock:
            handle = self._next
            self._next += 1
            dropped, self._dropped = self._dropped, []
            buf = io.BytesIO()
            _StepPickler(buf, protocol=pickle.HIGHEST_PROTOCOL).dump(
                (target, method, args, kwargs, handle, dropped))
            self._native.send_program_step(buf.getvalue())
            result = func(*_unwrap(args), **_unwrap(kwargs))
            return Remote(result, handle, self) if isinstance(result, NATIVE_TYPES) else result

    def drop(self, handle: int) -> None:
        """The driver no longer holds ``handle``: the executors forget it with the next step."""
        self._dropped.append(handle)


class Remote:
    """A native object of a cluster driver: its method calls are recorded, then run."""

    __slots__ = ("_native", "_handle", "_recorder")

    def __init__(self, native: Any, handle: int, recorder: Recorder) -> None:
        self._native = native
        self._handle = handle
        self._recorder = recorder

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._native, name)
        if not callable(attr):
            return attr
        # The call keeps this object alive, so its handle is not dropped before the call.
        return lambda *args, **kwargs: self._recorder.call(self._handle, name, attr, args, kwargs)

    def __repr__(self) -> str:
        return repr(self._native)

    def __del__(self) -> None:
        if self._handle:
            self._recorder.drop(self._handle)


class _RecordedClass:
    """A native class whose constructor and static methods a recorder records."""

    def __init__(self, recorder: Recorder, cls: type) -> None:
        self._recorder = recorder
        self._cls = cls

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._recorder.call(self._cls.__name__, None, self._cls, args, kwargs)

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._cls, name)
        recorder, target = self._recorder, self._cls.__name__
        return lambda *args, **kwargs: recorder.call(target, name, attr, args, kwargs)


class _Classes:
    """The native classes, recorded while a cluster context is active:
    ``classes.NativeExpr.column("a")``, ``classes.NativeSession(ctx)``."""

    def __getattr__(self, name: str) -> Any:
        cls = getattr(_ember, name)
        recorder = Recorder.active
        return cls if recorder is None else _RecordedClass(recorder, cls)


classes = _Classes()
