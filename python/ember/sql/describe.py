"""``DataFrame.describe``: count, mean, stddev, min and max per column, as strings, as
pyspark's ``describe``."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ember.sql.dataframe import DataFrame

_STATS = ["count", "mean", "stddev", "min", "max"]


def describe(df: "DataFrame", cols: list[str]) -> "DataFrame":
    """Statistics of the numeric and string columns (or of ``cols``).

    >>> df = spark.createDataFrame([("Bob", 13), ("Alice", 12)], ["name", "age"])
    >>> df.describe("age").collect()  # doctest: +NORMALIZE_WHITESPACE
    [Row(summary='count', age='2'), Row(summary='mean', age='12.5'),
     Row(summary='stddev', age='0.7071067811865476'), Row(summary='min', age='12'),
     Row(summary='max', age='13')]
    """
    from ember.sql import functions as F
    from ember.sql.types import NumericType, StringType, StructField, StructType

    types = {f.name: f.dataType for f in df.schema.fields}
    for c in cols:
        if not isinstance(c, str):
            raise TypeError(f"describe() takes column names (str), got {type(c).__name__}")
        if c not in types:
            from ember.sql.utils import AnalysisException

            raise AnalysisException(f"[UNRESOLVED_COLUMN] describe(): no column named `{c}`")
    names = cols or [n for n, t in types.items() if isinstance(t, (NumericType, StringType))]
    aggs = []
    for n in names:
        c = F.col("`" + n + "`")
        numeric = isinstance(types[n], NumericType)
        aggs += [F.count(c).alias(f"count_{n}")]
        aggs += [F.avg(c).alias(f"mean_{n}"), F.stddev(c).alias(f"stddev_{n}")] if numeric else []
        aggs += [F.min(c).alias(f"min_{n}"), F.max(c).alias(f"max_{n}")]
    row = df.agg(*aggs).collect()[0].asDict() if aggs else {}
    out = []
    for stat in _STATS:
        values = [stat]
        for n in names:
            v = row.get(f"{stat}_{n}")
            values.append(None if v is None else _spark_str(v))
        out.append(tuple(values))
    schema = StructType([StructField("summary", StringType(), True)] +
                        [StructField(n, StringType(), True) for n in names])
    return df.sparkSession.createDataFrame(out, schema)


def _spark_str(v: object) -> str:
    if isinstance(v, float):
        return repr(v)
    return str(v)
