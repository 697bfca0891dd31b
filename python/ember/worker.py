"""The Python worker process: ``python -m ember.worker``.

An Ember task hands its partition to a worker over the worker's stdin and reads the results
from its stdout (the protocol is described in ``python/src/worker.rs`` and ``python/README.md``).
A worker serves one request after another until its stdin closes; a failing user function
fails the request, not the worker.
"""

from __future__ import annotations

import os
import pickle
import struct
import sys
import traceback
from typing import BinaryIO, Iterator

from ember.accumulators import _accumulatorRegistry, _task_updates
from ember.broadcast import _drop as _drop_broadcasts
from ember.taskcontext import TaskContext

_INT = struct.Struct(">i")
#: Request kind, partition id, stage id, stage attempt, attempt number, task attempt id.
_HEAD = struct.Struct(">BIQIIQ")
#: The body of an RDD request: split, input kind, output kind.
_RDD_HEAD = struct.Struct(">IBB")
_PARTITION = struct.Struct(">I")
_KIND_RDD = 0
#: Elements per pickled output batch.
BATCH_SIZE = 1024
_END = -1
_ERROR = -2


class _Input:
    """The input frames of one request, read lazily; remembers whether the end was seen."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.done = False

    def frames(self) -> Iterator[bytes]:
        read = self.stream.read
        while not self.done:
            (n,) = _INT.unpack(read(4))
            if n < 0:
                self.done = True
                return
            yield read(n)

    def drain(self) -> None:
        for _ in self.frames():
            pass


def _elements(inp: _Input, kind: int) -> Iterator[object]:
    loads = pickle.loads
    if kind == 0:
        for frame in inp.frames():
            yield from loads(frame)
    elif kind == 2:
        yield from inp.frames()
    else:
        for frame in inp.frames():
            yield from frame.decode("utf-8").split("\n")


def _write_frame(out: BinaryIO, data: bytes) -> None:
    out.write(_INT.pack(len(data)))
    out.write(data)


def _error_payload(exc: BaseException) -> bytes:
    """(pickled exception or None, type name, message, traceback text), pickled."""
    try:
        exc_bytes: bytes | None = pickle.dumps(exc)
        pickle.loads(exc_bytes)
    except Exception:
        exc_bytes = None
    cls = type(exc)
    name = cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"
    tb = "".join(traceback.format_exception(exc))
    return pickle.dumps((exc_bytes, name, str(exc), tb))


def _error_summary(exc: BaseException) -> bytes:
    """``Type: message (file, line n, in function)``: where the user's code raised."""
    summary = f"{type(exc).__name__}: {exc}"
    frames = traceback.extract_tb(exc.__traceback__)
    if frames:
        last = frames[-1]
        summary += f" ({last.filename}, line {last.lineno}, in {last.name})"
    return summary.encode("utf-8", "replace")


def _read_frame(inp: BinaryIO) -> bytes:
    (n,) = _INT.unpack(inp.read(4))
    return inp.read(n)


_archives_seen: set[str] = set()


def _import_added_archives() -> None:
    """Puts the ``.zip`` and ``.egg`` files added with ``SparkContext.addPyFile`` since the last
    task on ``sys.path`` (``.py`` files import from the files directory itself)."""
    root = os.environ.get("EMBER_FILES_DIR")
    try:
        names = os.listdir(root) if root else []
    except FileNotFoundError:  # the context stopped; its last tasks may still be running
        return
    for name in names:
        if name.endswith((".zip", ".egg", ".jar")) and name not in _archives_seen:
            _archives_seen.add(name)
            sys.path.insert(1, os.path.join(root, name))


def _start_task(inp: BinaryIO, head: bytes) -> int:
    """Reads the rest of the common request header: sets the TaskContext, drops the broadcasts
    the driver unpersisted, clears the accumulators of the previous task. Returns the kind."""
    kind, partition, stage, stage_attempt, attempt, task = _HEAD.unpack(head)
    properties = _read_frame(inp)
    (n,) = _INT.unpack(inp.read(4))
    _drop_broadcasts(struct.unpack(f">{n}Q", inp.read(8 * n)))
    _accumulatorRegistry.clear()
    _import_added_archives()
    TaskContext._setTaskContext(
        TaskContext(
            stageId=stage,
            partitionId=partition,
            attemptNumber=attempt,
            taskAttemptId=task,
            localProperties=pickle.loads(properties) if properties else {},
            stageAttemptNumber=stage_attempt,
        )
    )
    return kind


def serve(inp: BinaryIO, out: BinaryIO) -> None:
    """Serves requests from ``inp`` until it closes."""
    import cloudpickle  # (functions pickled by value need it to unpickle)

    while True:
        head = inp.read(_HEAD.size)
        if len(head) < _HEAD.size:
            return
        kind = _start_task(inp, head)
        if kind != _KIND_RDD:
            # The rest of the request cannot be parsed: the worker must not be reused.
            raise SystemExit(f"ember.worker: unknown request kind {kind}")
        split, in_kind, out_kind = _RDD_HEAD.unpack(inp.read(_RDD_HEAD.size))
        command = _read_frame(inp)
        request = _Input(inp)
        try:
            func = pickle.loads(command)
            results = func(split, _elements(request, in_kind))
            if out_kind == 0:
                batch: list[object] = []
                for x in results:
                    batch.append(x)
                    if len(batch) >= BATCH_SIZE:
                        _write_frame(out, pickle.dumps(batch, 5))
                        batch = []
                if batch:
                    _write_frame(out, pickle.dumps(batch, 5))
            elif out_kind == 2:
                for data in results:
                    _write_frame(out, data)
            else:
                pack = _PARTITION.pack
                for partition, data in results:
                    _write_frame(out, pack(partition) + data)
            request.drain()
            updates = _task_updates()
            payload = cloudpickle.dumps(updates, 5) if updates else b""
            out.write(_INT.pack(_END))
            _write_frame(out, payload)
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the driver
            request.drain()
            out.write(_INT.pack(_ERROR))
            _write_frame(out, _error_summary(exc))
            _write_frame(out, _error_payload(exc))
        finally:
            TaskContext._setTaskContext(None)
            _accumulatorRegistry.clear()
        out.flush()


def main() -> None:
    """Entry point: the protocol on the original stdout; user prints go to stderr."""
    if os.environ.get("EMBER_PYSPARK_ALIAS") == "1":
        # Under ember-submit, modules of the program that import pyspark load here too.
        from ember.submit import install_pyspark_alias

        install_pyspark_alias()
    proto_out = os.fdopen(os.dup(1), "wb", buffering=1 << 16)
    files = os.environ.get("EMBER_FILES_DIR")
    if files:
        sys.path.append(files)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    serve(sys.stdin.buffer, proto_out)


if __name__ == "__main__":
    main()
