"""Between RDDs and DataFrames: ``df.rdd`` and ``spark.createDataFrame(rdd)``.

Both run through Python workers, never the driver: ``df.rdd`` is an RDD of the query's record
batches as Arrow IPC frames (computed lazily by the RDD's jobs), decoded into ``Row``s by the
first function of its pipeline; ``createDataFrame(rdd)`` turns each partition's rows into
Arrow IPC frames in the workers (the schema inferred from the first rows as pyspark does, or the
one given), and the engine keeps the frames as the DataFrame's partitions (one job, as the Rust
API's ``Rdd::to_df``).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Optional

import cloudpickle
import pyarrow as pa

from ember.sql.types import (
    DataType,
    StructField,
    StructType,
    _infer_schema,
    arrow_to_rows,
    rows_to_arrow,
    to_arrow_schema,
)

if TYPE_CHECKING:
    from ember.rdd import RDD
    from ember.sql.dataframe import DataFrame
    from ember.sql.session import SparkSession

#: Rows per Arrow batch written by ``createDataFrame(rdd)``.
_BATCH_ROWS = 8192


def _decode_rows(schema: StructType, _split: int, frames: Iterable[bytes]) -> Iterator[Any]:
    for frame in frames:
        yield from arrow_to_rows(pa.ipc.open_stream(frame).read_all(), schema)


def dataframe_to_rdd(df: "DataFrame") -> "RDD":
    """The rows of ``df`` as an RDD of ``Row``s, computed lazily."""
    from ember.rdd import RDD, PipelinedRDD

    session = df.sparkSession
    raw = RDD(session._native.dataframe_rdd(df._jdf), session.sparkContext)
    return PipelinedRDD(raw, functools.partial(_decode_rows, df.schema))


def _encode_rows(schema: StructType, verify: bool, wrap: bool, _split: int,
                 rows: Iterable[Any]) -> Iterator[bytes]:
    batch: list[Any] = []

    def flush() -> bytes:
        table = rows_to_arrow(batch, schema, verify=verify)
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, table.schema) as w:
            w.write_table(table)
        return sink.getvalue().to_pybytes()

    for row in rows:
        batch.append((row,) if wrap else row)
        if len(batch) >= _BATCH_ROWS:
            yield flush()
            batch = []
    if batch:
        yield flush()


def _schema_of(rdd: "RDD", schema: Any, samplingRatio: Optional[float]) -> StructType:
    if isinstance(schema, StructType):
        return schema
    if isinstance(schema, DataType):
        return StructType([StructField("value", schema, True)])
    names = list(schema) if isinstance(schema, (list, tuple)) else None
    if samplingRatio is not None and samplingRatio < 0.99:
        sample = rdd.sample(False, samplingRatio).collect()
    else:
        # As pyspark: the first row, then up to 100 when some types are still unknown.
        sample = rdd.take(1)
        if not sample:
            raise ValueError("[CANNOT_INFER_EMPTY_SCHEMA] Can not infer schema from an empty dataset.")
        try:
            return _rename(_infer_schema(sample, names), names)
        except ValueError:
            sample = rdd.take(100)
    return _rename(_infer_schema(sample, names), names)


def _rename(schema: StructType, names: Optional[list[str]]) -> StructType:
    if not names:
        return schema
    fields = [StructField(n, f.dataType, f.nullable) for n, f in zip(names, schema.fields)]
    return StructType(fields + schema.fields[len(names):])


def rdd_to_dataframe(session: "SparkSession", rdd: "RDD", schema: Any,
                     samplingRatio: Optional[float], verifySchema: bool) -> "DataFrame":
    """A DataFrame of the rows of ``rdd``."""
    from ember.rdd import PipelinedRDD
    from ember.sql.dataframe import DataFrame

    struct = _schema_of(rdd, schema, samplingRatio)
    wrap = isinstance(schema, DataType) and not isinstance(schema, StructType)
    writer = PipelinedRDD(rdd, functools.partial(_encode_rows, struct, verifySchema, wrap))
    command = cloudpickle.dumps(writer.func)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, to_arrow_schema(struct)):
        pass
    schema_ipc = sink.getvalue().to_pybytes()
    native = session._run(
        lambda: session._native.rdd_dataframe(writer._prev_jrdd, command, schema_ipc)  # type: ignore[attr-defined]
    )
    return DataFrame(native, session)
