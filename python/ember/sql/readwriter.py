"""``DataFrameReader`` (``spark.read``) and ``DataFrameWriter`` (``df.write``), as pyspark's
``pyspark.sql.readwriter``. Options follow Spark's names (``header``, ``sep``/``delimiter``,
``inferSchema``, ``mode``...) and are handed to Ember's readers and writers."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Optional, Union

import pyarrow as pa

from ember.sql.types import StructType, _parse_datatype_string, to_arrow_schema

if TYPE_CHECKING:
    from ember.sql.dataframe import DataFrame
    from ember.sql.session import SparkSession

__all__ = ["DataFrameReader", "DataFrameWriter"]

PathOrPaths = Union[str, list[str]]


def _opt(v: Any) -> str:
    return ("true" if v else "false") if isinstance(v, bool) else str(v)


def _paths(path: Any, what: str) -> list[str]:
    if isinstance(path, (str, os.PathLike)):
        return [os.fspath(path)]
    if isinstance(path, (list, tuple)) and path and all(isinstance(p, (str, os.PathLike)) for p in path):
        return [os.fspath(p) for p in path]
    raise TypeError(f"[NOT_STR_OR_LIST_OF_RDD] Argument `{what}` should be a str or a list of str, "
                    f"got {type(path).__name__}.")


def _check_modes(mode: Any, corrupt: Any) -> None:
    for name, v in (("mode", mode), ("columnNameOfCorruptRecord", corrupt)):
        if v is not None and not isinstance(v, str):
            raise TypeError(f"[NOT_STR] Argument `{name}` should be a str, got {type(v).__name__}.")


class DataFrameReader:
    """Reads CSV, JSON, Parquet and text files (a path, directory, glob or list of them).

    >>> import tempfile, os
    >>> d = tempfile.mkdtemp()
    >>> with open(os.path.join(d, "p.csv"), "w") as f:
    ...     _ = f.write("name,age\\nAlice,2\\nBob,5\\n")
    >>> spark.read.csv(os.path.join(d, "p.csv"), header=True, inferSchema=True).collect()
    [Row(name='Alice', age=2), Row(name='Bob', age=5)]
    """

    def __init__(self, spark: "SparkSession") -> None:
        self._spark = spark
        self._format = "parquet"
        self._options: dict[str, str] = {}
        self._schema: Optional[StructType] = None

    def format(self, source: str) -> "DataFrameReader":
        if not isinstance(source, str):
            raise TypeError(f"[NOT_STR] Argument `source` should be a str, got {type(source).__name__}.")
        self._format = source.lower()
        return self

    def schema(self, schema: Union[StructType, str]) -> "DataFrameReader":
        """The schema to read with (a StructType or a DDL string such as ``"a INT, b STRING"``)."""
        if isinstance(schema, str):
            schema = _parse_datatype_string(schema)
        if not isinstance(schema, StructType):
            raise TypeError(f"[NOT_STR_OR_STRUCT] Argument `schema` should be a StructType or str, "
                            f"got {type(schema).__name__}.")
        self._schema = schema
        return self

    def option(self, key: str, value: Any) -> "DataFrameReader":
        self._options[key] = _opt(value)
        return self

    def options(self, **options: Any) -> "DataFrameReader":
        for k, v in options.items():
            if v is not None:
                self.option(k, v)
        return self

    def load(self, path: Optional[PathOrPaths] = None, format: Optional[str] = None,
             schema: Optional[Union[StructType, str]] = None, **options: Any) -> "DataFrame":
        """Reads ``path`` in the reader's format (or ``format``)."""
        from ember.sql.dataframe import DataFrame

        if format is not None:
            self.format(format)
        if schema is not None:
            self.schema(schema)
        self.options(**options)
        if path is None:
            raise ValueError("load() needs a path")
        schema_ipc = None
        if self._schema is not None:
            sink = pa.BufferOutputStream()
            with pa.ipc.new_stream(sink, to_arrow_schema(self._schema)):
                pass
            schema_ipc = sink.getvalue().to_pybytes()
        frames = [
            DataFrame(self._spark._native.read(self._format, p, list(self._options.items()), schema_ipc),
                      self._spark)
            for p in _paths(path, "path")
        ]
        out = frames[0]
        for f in frames[1:]:
            out = out.union(f)
        return out

    def csv(self, path: PathOrPaths, schema: Optional[Union[StructType, str]] = None,
            sep: Optional[str] = None, encoding: Optional[str] = None, quote: Optional[str] = None,
            escape: Optional[str] = None, comment: Optional[str] = None, header: Optional[Union[bool, str]] = None,
            inferSchema: Optional[Union[bool, str]] = None, nullValue: Optional[str] = None,
            mode: Optional[str] = None, columnNameOfCorruptRecord: Optional[str] = None,
            **options: Any) -> "DataFrame":
        """Reads CSV files, one record per line: ``header`` (false), ``sep`` (``,``),
        ``inferSchema`` (false: all columns strings), ``nullValue``, ``quote``, ``escape``,
        ``comment``.

        ``mode`` (case-insensitive) says what happens to a malformed record (fewer or more
        fields than the schema, or a field that does not parse as its column's type):
        ``PERMISSIVE`` (the default) keeps it, its unparseable fields null, and puts its line in
        the string column ``columnNameOfCorruptRecord`` (``_corrupt_record``) when the schema has
        one; ``DROPMALFORMED`` drops it; ``FAILFAST`` fails naming the file and line.

        >>> import tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "bad.csv")
        >>> with open(path, "w") as f:
        ...     _ = f.write("1,a\\n2\\nx,b\\n")
        >>> spark.read.csv(path, schema="n INT, s STRING, _corrupt_record STRING").collect()
        [Row(n=1, s='a', _corrupt_record=None), Row(n=2, s=None, _corrupt_record='2'), Row(n=None, s='b', _corrupt_record='x,b')]
        >>> spark.read.csv(path, schema="n INT, s STRING", mode="DROPMALFORMED").collect()
        [Row(n=1, s='a')]
        """
        _check_modes(mode, columnNameOfCorruptRecord)
        return self.load(path, "csv", schema, sep=sep, encoding=encoding, quote=quote, escape=escape,
                         comment=comment, header=header, inferSchema=inferSchema, nullValue=nullValue,
                         mode=mode, columnNameOfCorruptRecord=columnNameOfCorruptRecord, **options)

    def json(self, path: PathOrPaths, schema: Optional[Union[StructType, str]] = None, *,
             mode: Optional[str] = None, columnNameOfCorruptRecord: Optional[str] = None,
             **options: Any) -> "DataFrame":
        """Reads JSON Lines files (one object per line); without ``schema`` it is inferred from
        every line, the fields sorted by name.

        ``mode`` (case-insensitive) says what happens to a malformed line (not a JSON object, or
        a value that does not fit its column's type): ``PERMISSIVE`` (the default) keeps it with
        every field null and its text in the string column ``columnNameOfCorruptRecord``
        (``_corrupt_record``) when the schema has one (schema inference adds that column when a
        line is malformed); ``DROPMALFORMED`` drops it; ``FAILFAST`` fails naming the file and
        line.

        >>> import tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "bad.json")
        >>> with open(path, "w") as f:
        ...     _ = f.write('{"a": 1}\\n{"a": \\n')
        >>> spark.read.json(path).collect()
        [Row(_corrupt_record=None, a=1), Row(_corrupt_record='{"a": ', a=None)]
        >>> spark.read.json(path, mode="DROPMALFORMED").collect()
        [Row(a=1)]
        """
        _check_modes(mode, columnNameOfCorruptRecord)
        return self.load(path, "json", schema, mode=mode,
                         columnNameOfCorruptRecord=columnNameOfCorruptRecord, **options)

    def parquet(self, *paths: str, **options: Any) -> "DataFrame":
        """Reads Parquet files."""
        if not paths:
            raise ValueError("parquet() needs at least one path")
        return self.load(list(paths), "parquet", **options)

    def text(self, paths: PathOrPaths, wholetext: bool = False, lineSep: Optional[str] = None,
             **options: Any) -> "DataFrame":
        """Reads text files as one string column ``value`` per line."""
        if wholetext:
            options["wholetext"] = True
        if lineSep is not None:
            options["lineSep"] = lineSep
        return self.load(paths, "text", **options)

    def table(self, tableName: str) -> "DataFrame":
        return self._spark.table(tableName)


class DataFrameWriter:
    """Writes a DataFrame's rows as files: ``mode`` (error, overwrite, append, ignore),
    ``partitionBy`` (hive-style folders), format options; output is committed at the end of the
    job with a ``_SUCCESS`` marker."""

    def __init__(self, df: "DataFrame") -> None:
        self._df = df
        self._format = "parquet"
        self._mode = "errorifexists"
        self._options: dict[str, str] = {}
        self._partition_by: list[str] = []

    def mode(self, saveMode: Optional[str]) -> "DataFrameWriter":
        if saveMode is not None:
            if not isinstance(saveMode, str):
                raise TypeError(f"[NOT_STR] Argument `saveMode` should be a str, got {type(saveMode).__name__}.")
            self._mode = saveMode.lower()
        return self

    def format(self, source: str) -> "DataFrameWriter":
        self._format = source.lower()
        return self

    def option(self, key: str, value: Any) -> "DataFrameWriter":
        self._options[key] = _opt(value)
        return self

    def options(self, **options: Any) -> "DataFrameWriter":
        for k, v in options.items():
            if v is not None:
                self.option(k, v)
        return self

    def partitionBy(self, *cols: Union[str, list[str]]) -> "DataFrameWriter":
        if len(cols) == 1 and isinstance(cols[0], list):
            cols = tuple(cols[0])
        for c in cols:
            if not isinstance(c, str):
                raise TypeError(f"partitionBy() takes column names (str), got {type(c).__name__}")
        self._partition_by = list(cols)  # type: ignore[arg-type]
        return self

    def save(self, path: Optional[str] = None, format: Optional[str] = None, mode: Optional[str] = None,
             partitionBy: Optional[Union[str, list[str]]] = None, **options: Any) -> None:
        if format is not None:
            self.format(format)
        self.mode(mode)
        if partitionBy is not None:
            self.partitionBy(*([partitionBy] if isinstance(partitionBy, str) else partitionBy))
        self.options(**options)
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"[NOT_STR] Argument `path` should be a str, got {type(path).__name__}.")
        df = self._df
        df.sparkSession._run(lambda: df._jdf.write(self._format, os.fspath(path), self._mode,
                                                   self._partition_by, list(self._options.items())))

    def csv(self, path: str, mode: Optional[str] = None, sep: Optional[str] = None,
            header: Optional[Union[bool, str]] = None, **options: Any) -> None:
        self.save(path, "csv", mode, sep=sep, header=header, **options)

    def json(self, path: str, mode: Optional[str] = None, **options: Any) -> None:
        self.save(path, "json", mode, **options)

    def parquet(self, path: str, mode: Optional[str] = None,
                partitionBy: Optional[Union[str, list[str]]] = None, **options: Any) -> None:
        self.save(path, "parquet", mode, partitionBy, **options)

    def text(self, path: str, mode: Optional[str] = None, **options: Any) -> None:
        self.save(path, "text", mode, **options)
