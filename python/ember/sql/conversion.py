"""Between RDDs and DataFrames: ``df.rdd`` and ``spark.createDataFrame(rdd)``.

Both go through the driver today: ``df.rdd`` collects the rows and parallelizes them over the
DataFrame's partition count, and ``createDataFrame(rdd)`` collects the RDD and builds an Arrow
table (the schema inferred from the rows as pyspark does, or the one given). pyspark streams
both through its workers; Ember's worker protocol has no Arrow input yet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:
    from ember.rdd import RDD
    from ember.sql.dataframe import DataFrame
    from ember.sql.session import SparkSession


def dataframe_to_rdd(df: "DataFrame") -> "RDD":
    """The rows of ``df`` as an RDD of ``Row``s."""
    rows = df.collect()
    sc = df.sparkSession.sparkContext
    return sc.parallelize(rows, max(1, min(len(rows), sc.defaultParallelism)))


def rdd_to_dataframe(session: "SparkSession", rdd: "RDD", schema: Any,
                     samplingRatio: Optional[float], verifySchema: bool) -> "DataFrame":
    """A DataFrame of the rows of ``rdd``."""
    return session.createDataFrame(rdd.collect(), schema, samplingRatio, verifySchema)
