"""Frames that only workers decode: zipped or crossed pairs of pickled batches, whole files,
and the bytes written by ``saveAsTextFile`` and ``saveAsPickleFile``.

The engine hands such frames to a worker as plain ``bytes`` elements (input kind 2, see
``python/README.md``); the functions here, fused into the RDD's first Python function, turn
them into Python objects. Output frames for files are the other way round (output kind 2):
bytes the engine writes as they are.
"""

from __future__ import annotations

import pickle
import struct
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

if TYPE_CHECKING:
    from ember.rdd import RDD

_LEN = struct.Struct(">I")


def _decoded(raw: "RDD[bytes]", decode: Callable[[Iterable[bytes]], Iterable[Any]]) -> "RDD[Any]":
    """The RDD of what ``decode`` makes of ``raw``'s frames, in the first worker pass."""
    from ember.rdd import PipelinedRDD

    return PipelinedRDD(raw, lambda _, frames: decode(frames))


def _split_pair(frame: bytes) -> tuple[bytes, bytes]:
    """``u32 len + first + second`` -> (first, second)."""
    (n,) = _LEN.unpack_from(frame)
    return frame[4 : 4 + n], frame[4 + n :]


def _named_files(frames: Iterable[bytes]) -> Iterator[tuple[str, bytes]]:
    """Frames of ``u32 len + name + contents`` -> ``(name, contents)``."""
    for frame in frames:
        name, contents = _split_pair(frame)
        yield name.decode("utf-8"), contents


def _utf8_file(named: tuple[str, bytes]) -> tuple[str, str]:
    """``(name, bytes)`` -> ``(name, text)``; a file that is not UTF-8 is an error naming it."""
    name, contents = named
    try:
        return name, contents.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ValueError(f"wholeTextFiles: {name} is not UTF-8 text: {e}") from None


def _records(named: tuple[str, bytes], length: int) -> Iterator[bytes]:
    """The ``length``-byte records of one file (``binaryRecords``)."""
    name, data = named
    if len(data) % length:
        raise ValueError(
            f"binaryRecords: {name} has {len(data)} bytes, not a multiple of the record length {length}"
        )
    return (data[i : i + length] for i in range(0, len(data), length))


def _zipped(frames: Iterable[bytes]) -> Iterator[tuple[Any, Any]]:
    """Pairs of pickled batches that hold the same positions of two RDDs -> element pairs."""
    loads = pickle.loads
    for frame in frames:
        a, b = _split_pair(frame)
        xs, ys = loads(a), loads(b)
        if len(xs) != len(ys):
            raise ValueError("Can only zip RDDs with same number of elements in each partition")
        yield from zip(xs, ys)


def _crossed(frames: Iterable[bytes]) -> Iterator[tuple[Any, Any]]:
    """Pairs of pickled batches of two RDDs -> every pair of their elements."""
    loads = pickle.loads
    for frame in frames:
        a, b = _split_pair(frame)
        ys = loads(b)
        for x in loads(a):
            for y in ys:
                yield x, y


def read_pickle_files(named: tuple[str, bytes]) -> Iterator[Any]:
    """The objects of one file written by ``saveAsPickleFile``: ``u32 len + pickled list``
    records."""
    name, data = named
    pos = 0
    while pos < len(data):
        if pos + 4 > len(data):
            raise ValueError(f"pickleFile: {name} is truncated or not written by saveAsPickleFile")
        (n,) = _LEN.unpack_from(data, pos)
        pos += 4
        if pos + n > len(data):
            raise ValueError(f"pickleFile: {name} is truncated or not written by saveAsPickleFile")
        yield from pickle.loads(data[pos : pos + n])
        pos += n


def pickle_records(iterator: Iterable[Any], batchSize: int) -> Iterator[bytes]:
    """Elements -> ``u32 len + pickled list`` records of ``batchSize`` elements."""
    batch: list[Any] = []
    for x in iterator:
        batch.append(x)
        if len(batch) >= batchSize:
            data = pickle.dumps(batch, 5)
            yield _LEN.pack(len(data)) + data
            batch = []
    if batch:
        data = pickle.dumps(batch, 5)
        yield _LEN.pack(len(data)) + data


def text_chunks(iterator: Iterable[Any]) -> Iterator[bytes]:
    """Elements -> lines as pyspark writes them (``bytes`` as they are, ``str`` in UTF-8,
    anything else as ``str(x)``), each ending with a newline, in chunks of 4096 lines."""
    chunk: list[bytes] = []
    for x in iterator:
        if isinstance(x, bytes):
            chunk.append(x)
        else:
            chunk.append(str(x).encode("utf-8"))
        if len(chunk) >= 4096:
            yield b"\n".join(chunk) + b"\n"
            chunk = []
    if chunk:
        yield b"\n".join(chunk) + b"\n"
