"""Ember's ``pyspark.sql``: SparkSession, DataFrame, Column, Row, types and functions.

DataFrames are DataFusion plans run by Ember's scheduler: transformations build the plan, and
actions run it as Ember jobs whose stages are cut at DataFusion's exchanges. Rows cross into
Python as Arrow record batches (``collect``, ``toPandas``, ``toArrow``). See
``python/README.md``.

>>> spark.createDataFrame([("a", 1), ("b", 2)], ["k", "v"]).groupBy().sum("v").collect()
[Row(sum(v)=3)]
"""

from ember.sql.column import Column
from ember.sql.dataframe import DataFrame, DataFrameNaFunctions
from ember.sql.group import GroupedData
from ember.sql.readwriter import DataFrameReader, DataFrameWriter
from ember.sql.session import SparkSession
from ember.sql.types import Row
from ember.sql.udf import UDFRegistration, UserDefinedFunction
from ember.sql.utils import AnalysisException, ParseException
from ember.sql.window import Window, WindowSpec

__all__ = [
    "SparkSession",
    "DataFrame",
    "DataFrameNaFunctions",
    "Column",
    "Row",
    "GroupedData",
    "Window",
    "WindowSpec",
    "DataFrameReader",
    "DataFrameWriter",
    "UserDefinedFunction",
    "UDFRegistration",
    "AnalysisException",
    "ParseException",
]
