"""``SparkSession``, as pyspark's ``pyspark.sql.SparkSession``: the entry point of DataFrames
and SQL, over a ``SparkContext``."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Callable, Iterable, Optional, TypeVar, Union

import pyarrow as pa

from ember import _cluster
from ember._ember import NativeSession
from ember.conf import SparkConf
from ember.context import SparkContext
from ember.sql.dataframe import DataFrame
from ember.sql.types import (
    AtomicType,
    DataType,
    Row,
    StructField,
    StructType,
    _infer_schema,
    _parse_datatype_string,
    from_arrow_schema,
    rows_to_arrow,
    to_arrow_schema,
)

if TYPE_CHECKING:
    import pandas

    from ember.rdd import RDD
    from ember.sql.catalog import Catalog
    from ember.sql.readwriter import DataFrameReader
    from ember.sql.udf import UDFRegistration

__all__ = ["SparkSession", "RuntimeConfig"]

T = TypeVar("T")


class RuntimeConfig:
    """``spark.conf``: the session's configuration."""

    def __init__(self, session: "SparkSession") -> None:
        self._session = session
        self._values: dict[str, str] = dict(session.sparkContext.getConf().getAll())

    def get(self, key: str, default: Optional[str] = None) -> Optional[str]:
        return self._values.get(key, default)

    def set(self, key: str, value: Any) -> None:
        self._values[key] = str(value).lower() if isinstance(value, bool) else str(value)

    def unset(self, key: str) -> None:
        self._values.pop(key, None)

    def getAll(self) -> dict[str, str]:
        return dict(self._values)


class SparkSession:
    """The entry point of DataFrames and SQL.

    >>> spark = SparkSession.builder.master("local[2]").appName("doc").getOrCreate()
    >>> spark.sql("SELECT 1 + 1 AS two").collect()
    [Row(two=2)]
    """

    _lock = threading.RLock()
    _instantiatedSession: Optional["SparkSession"] = None
    _activeSession: Optional["SparkSession"] = None

    class Builder:
        """``SparkSession.builder``: master, app name and config, then ``getOrCreate``."""

        def __init__(self) -> None:
            self._options: dict[str, str] = {}

        def config(self, key: Optional[str] = None, value: Any = None,
                   conf: Optional[SparkConf] = None, map: Optional[dict[str, Any]] = None) -> "SparkSession.Builder":
            """Sets a config option (``key``/``value``), all of ``conf``'s, or a dict's."""
            if conf is not None:
                for k, v in conf.getAll():
                    self._options[k] = v
            if map is not None:
                for k, v in map.items():
                    self._options[k] = _conf_value(v)
            if key is not None:
                if not isinstance(key, str):
                    raise TypeError(f"config() key must be a str, got {type(key).__name__}")
                self._options[key] = _conf_value(value)
            return self

        def master(self, master: str) -> "SparkSession.Builder":
            return self.config("spark.master", master)

        def appName(self, name: str) -> "SparkSession.Builder":
            return self.config("spark.app.name", name)

        def remote(self, url: str) -> "SparkSession.Builder":
            raise ValueError("Ember has no Spark Connect server; use master() instead of remote()")

        def enableHiveSupport(self) -> "SparkSession.Builder":
            """Accepted for compatibility: Ember has no Hive metastore."""
            return self

        def getOrCreate(self) -> "SparkSession":
            """The active session (its config updated), or a new one over the active
            SparkContext (created from this builder's config if there is none)."""
            with SparkSession._lock:
                session = SparkSession._instantiatedSession
                if session is None or session._sc._native is None:
                    conf = SparkConf()
                    for k, v in self._options.items():
                        conf.set(k, v)
                    sc = SparkContext.getOrCreate(conf)
                    session = SparkSession(sc)
                for k, v in self._options.items():
                    session.conf.set(k, v)
                SparkSession._activeSession = session
                return session

        create = getOrCreate

    builder: "SparkSession.Builder"

    def __init__(self, sparkContext: SparkContext, jsparkSession: Optional[NativeSession] = None) -> None:
        if not isinstance(sparkContext, SparkContext):
            raise TypeError(f"SparkSession() takes a SparkContext, got {type(sparkContext).__name__}")
        self._sc = sparkContext
        self._native = jsparkSession or _cluster.classes.NativeSession(sparkContext._ctx())
        self._conf = RuntimeConfig(self)
        with SparkSession._lock:
            if SparkSession._instantiatedSession is None or SparkSession._instantiatedSession._sc._native is None:
                SparkSession._instantiatedSession = self
            SparkSession._activeSession = self

    def __enter__(self) -> "SparkSession":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<ember.sql.session.SparkSession master={self._sc.master}>"

    @classmethod
    def getActiveSession(cls) -> Optional["SparkSession"]:
        return cls._activeSession

    @classmethod
    def active(cls) -> "SparkSession":
        if cls._activeSession is None:
            raise RuntimeError("[NO_ACTIVE_OR_DEFAULT_SESSION] No active or default Spark session found.")
        return cls._activeSession

    # ---- plumbing -----------------------------------------------------------------------

    def _run(self, job: Callable[[], T]) -> T:
        return self._sc._run(job)

    def _ensure_global_temp(self) -> None:
        self._native.sql("CREATE SCHEMA IF NOT EXISTS global_temp")

    def _rows_rdd(self, df: DataFrame) -> "RDD":
        from ember.sql.conversion import dataframe_to_rdd

        return dataframe_to_rdd(df)

    # ---- properties ---------------------------------------------------------------------

    @property
    def sparkContext(self) -> SparkContext:
        return self._sc

    @property
    def version(self) -> str:
        return self._sc.version

    @property
    def conf(self) -> RuntimeConfig:
        return self._conf

    @property
    def read(self) -> "DataFrameReader":
        """Readers of CSV, JSON, Parquet and text files."""
        from ember.sql.readwriter import DataFrameReader

        return DataFrameReader(self)

    @property
    def catalog(self) -> "Catalog":
        from ember.sql.catalog import Catalog

        return Catalog(self)

    @property
    def udf(self) -> "UDFRegistration":
        from ember.sql.udf import UDFRegistration

        return UDFRegistration(self)

    def newSession(self) -> "SparkSession":
        """A session over the same context. Ember's sessions share one catalog, so temporary
        views are visible to both (pyspark keeps them apart; global temporary views are
        shared in both)."""
        return SparkSession(self._sc, self._native)

    def stop(self) -> None:
        """Stops the underlying SparkContext."""
        with SparkSession._lock:
            self._sc.stop()
            if SparkSession._instantiatedSession is self:
                SparkSession._instantiatedSession = None
            if SparkSession._activeSession is self:
                SparkSession._activeSession = None

    # ---- DataFrames ---------------------------------------------------------------------

    def sql(self, sqlQuery: str, args: Optional[dict[str, Any]] = None, **kwargs: Any) -> DataFrame:
        """The DataFrame of a SQL query (statements such as CREATE run at once).

        >>> spark.sql("SELECT 'a' AS s, 2 AS n").collect()
        [Row(s='a', n=2)]
        """
        if not isinstance(sqlQuery, str):
            raise TypeError(f"[NOT_STR] Argument `sqlQuery` should be a str, got {type(sqlQuery).__name__}.")
        if kwargs:
            sqlQuery = sqlQuery.format(**{k: _sql_literal(v) for k, v in kwargs.items()})
        if args:
            for k, v in sorted(args.items(), key=lambda kv: -len(kv[0])):
                sqlQuery = sqlQuery.replace(":" + k, _sql_literal(v))
        return DataFrame(self._run(lambda: self._native.sql(sqlQuery)), self)

    def table(self, tableName: str) -> DataFrame:
        """The table or view ``tableName``."""
        if not isinstance(tableName, str):
            raise TypeError(f"[NOT_STR] Argument `tableName` should be a str, got {type(tableName).__name__}.")
        return DataFrame(self._native.table(tableName), self)

    def range(self, start: int, end: Optional[int] = None, step: int = 1,
              numPartitions: Optional[int] = None) -> DataFrame:
        """A column ``id`` of longs from ``start`` to ``end`` (exclusive) by ``step``.

        >>> spark.range(1, 7, 2).collect()
        [Row(id=1), Row(id=3), Row(id=5)]
        """
        if end is None:
            start, end = 0, start
        for name, v in (("start", start), ("end", end), ("step", step)):
            if not isinstance(v, int) or isinstance(v, bool):
                raise TypeError(f"[NOT_INT] Argument `{name}` should be an int, got {type(v).__name__}.")
        if step == 0:
            raise ValueError("range() step must not be 0")
        return self.sql(f"SELECT value AS id FROM range({start}, {end}, {step})")

    def createDataFrame(self, data: Any, schema: Optional[Union[StructType, DataType, str, list[str]]] = None,
                        samplingRatio: Optional[float] = None, verifySchema: bool = True) -> DataFrame:
        """A DataFrame from a list of tuples, Rows, dicts or values, a pandas DataFrame, a
        pyarrow Table or an RDD; the schema is inferred (like pyspark) unless given as a
        StructType, a DDL string, an atomic type or a list of column names.

        >>> spark.createDataFrame([("Alice", 1)], ["name", "age"]).collect()
        [Row(name='Alice', age=1)]
        >>> spark.createDataFrame([{"name": "Bob", "age": 5}]).collect()
        [Row(age=5, name='Bob')]
        >>> spark.createDataFrame([(1, "x")], "id INT, s STRING").schema.simpleString()
        'struct<id:int,s:string>'
        """
        from ember.rdd import RDD

        if isinstance(schema, str):
            schema = _parse_datatype_string(schema)
        if schema is not None and not isinstance(schema, (DataType, list, tuple)):
            raise TypeError(
                f"[NOT_LIST_OR_NONE_OR_STRUCT] Argument `schema` should be a list, None, str or "
                f"StructType, got {type(schema).__name__}."
            )
        if isinstance(data, pa.Table):
            return self._from_arrow(data, schema)
        if _is_pandas(data):
            table = pa.Table.from_pandas(data, preserve_index=False)
            return self._from_arrow(table, schema)
        if isinstance(data, RDD):
            from ember.sql.conversion import rdd_to_dataframe

            return rdd_to_dataframe(self, data, schema, samplingRatio, verifySchema)
        if isinstance(data, (str, bytes)) or not isinstance(data, Iterable):
            raise TypeError(
                f"[CANNOT_INFER_SCHEMA_FOR_TYPE] createDataFrame() takes a list, pandas "
                f"DataFrame, pyarrow Table or RDD, got {type(data).__name__}."
            )
        rows = list(data)
        struct = self._schema_for(rows, schema)
        if isinstance(schema, AtomicType) or (isinstance(schema, DataType) and not isinstance(schema, StructType)):
            rows = [(r,) for r in rows]
        table = rows_to_arrow(rows, struct, verify=verifySchema)
        return self._from_table(table, struct)

    def _schema_for(self, rows: list, schema: Any) -> StructType:
        if isinstance(schema, StructType):
            return schema
        if isinstance(schema, DataType):
            return StructType([StructField("value", schema, True)])
        names = list(schema) if isinstance(schema, (list, tuple)) else None
        return _infer_schema(rows, names)

    def _from_arrow(self, table: pa.Table, schema: Any) -> DataFrame:
        struct = from_arrow_schema(table.schema)
        if isinstance(schema, (list, tuple)):
            table = table.rename_columns(list(schema))
            struct = from_arrow_schema(table.schema)
        elif isinstance(schema, StructType):
            table = table.rename_columns(schema.names).cast(to_arrow_schema(schema))
            struct = schema
        return self._from_table(table, struct)

    def _from_table(self, table: pa.Table, struct: StructType) -> DataFrame:
        table = table.cast(to_arrow_schema(struct)) if table.schema != to_arrow_schema(struct) else table
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, table.schema) as w:
            w.write_table(table)
        parts = self._sc.defaultParallelism if table.num_rows >= 1024 else 1
        native = self._native.arrow_table(sink.getvalue().to_pybytes(), parts)
        return DataFrame(native, self)


def _conf_value(v: Any) -> str:
    return str(v).lower() if isinstance(v, bool) else str(v)


def _sql_literal(v: Any) -> str:
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, DataFrame):
        raise TypeError("DataFrame arguments of sql() are not supported by Ember")
    return "'" + str(v).replace("'", "''") + "'"


def _is_pandas(data: Any) -> bool:
    mod = type(data).__module__
    return mod.startswith("pandas") and type(data).__name__ == "DataFrame"


def _rdd_to_df(self: "RDD", schema: Optional[Union[StructType, str, list[str]]] = None,
               sampleRatio: Optional[float] = None) -> DataFrame:
    """``rdd.toDF(schema)``: ``spark.createDataFrame(rdd, schema)`` with the active session (or
    a new one over the RDD's context), as pyspark adds it to RDDs.

    >>> sc.parallelize([("a", 1)]).toDF(["k", "v"]).collect()
    [Row(k='a', v=1)]
    """
    session = SparkSession._activeSession
    if session is None or session._sc is not self.ctx:
        session = SparkSession(self.ctx)
    return session.createDataFrame(self, schema, sampleRatio)


def _install_to_df() -> None:
    from ember.rdd import RDD

    RDD.toDF = _rdd_to_df  # type: ignore[attr-defined]


_install_to_df()


class _BuilderDescriptor:
    def __get__(self, instance: Any, owner: Any) -> SparkSession.Builder:
        return SparkSession.Builder()


SparkSession.builder = _BuilderDescriptor()  # type: ignore[assignment]
