"""The worker side of Python UDFs: each request carries one Arrow IPC stream holding a batch
of argument columns (``_0``, ``_1``...), and answers with one stream holding the result column.
Imported by worker processes (``python -m ember.worker``), never run in the driver."""

from __future__ import annotations

from typing import Any, Callable, Iterator

import pyarrow as pa


def _plain(value: Any) -> Any:
    """A returned value as pyarrow takes it (Rows as dicts, recursively)."""
    from ember.sql.types import Row

    if isinstance(value, Row):
        fields = getattr(value, "__fields__", None)
        if fields:
            return {k: _plain(v) for k, v in zip(fields, value)}
        return [_plain(v) for v in value]
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _result(name: str, values: Any, return_type: pa.DataType, rows: int, pandas: bool) -> pa.Array:
    try:
        if pandas:
            arr = pa.Array.from_pandas(values, type=return_type)
        else:
            arr = pa.array([_plain(v) for v in values], type=return_type)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError) as exc:
        raise TypeError(f"the Python UDF {name} returned values that are not {return_type}: {exc}") from exc
    if len(arr) != rows:
        raise ValueError(f"the Python UDF {name} returned {len(arr)} values for {rows} rows")
    return arr


def evaluate(kind: str, func: Callable[..., Any], return_type: pa.DataType, name: str,
             split: int, frames: Iterator[bytes]) -> Iterator[bytes]:
    """Applies ``func`` to each batch of ``frames`` (row by row, or to pandas Series when
    ``kind`` is ``pandas``) and yields the result batches."""
    for frame in frames:
        batch = pa.ipc.open_stream(frame).read_all()
        rows = batch.num_rows
        if kind == "pandas":
            args = [batch.column(i).to_pandas() for i in range(batch.num_columns)]
            values = func(*args)
            arr = _result(name, values, return_type, rows, True)
        else:
            cols = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
            values = [func(*row) for row in zip(*cols)] if cols else [func() for _ in range(rows)]
            arr = _result(name, values, return_type, rows, False)
        out = pa.record_batch([arr], names=["r"])
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, out.schema) as w:
            w.write_batch(out)
        yield sink.getvalue().to_pybytes()
