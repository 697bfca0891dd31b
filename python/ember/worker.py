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

_INT = struct.Struct(">i")
_HEAD = struct.Struct(">IBB")
_PARTITION = struct.Struct(">I")
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


def serve(inp: BinaryIO, out: BinaryIO) -> None:
    """Serves requests from ``inp`` until it closes."""
    import cloudpickle  # noqa: F401  (functions pickled by value need it to unpickle)

    while True:
        head = inp.read(_HEAD.size)
        if len(head) < _HEAD.size:
            return
        split, in_kind, out_kind = _HEAD.unpack(head)
        (n,) = _INT.unpack(inp.read(4))
        command = inp.read(n)
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
            else:
                pack = _PARTITION.pack
                for partition, data in results:
                    _write_frame(out, pack(partition) + data)
            request.drain()
            out.write(_INT.pack(_END))
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the driver
            request.drain()
            out.write(_INT.pack(_ERROR))
            _write_frame(out, _error_summary(exc))
            _write_frame(out, _error_payload(exc))
        out.flush()


def main() -> None:
    """Entry point: the protocol on the original stdout; user prints go to stderr."""
    proto_out = os.fdopen(os.dup(1), "wb", buffering=1 << 16)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    serve(sys.stdin.buffer, proto_out)


if __name__ == "__main__":
    main()
