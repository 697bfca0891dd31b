"""``DataFrame``, as pyspark's ``pyspark.sql.DataFrame``: a lazy query (a DataFusion plan run by
Ember's scheduler). Transformations build plans; actions (collect, count, show, write...) run
them as Ember jobs, and rows come back as Arrow record batches."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any, Iterator, Optional, Union, overload

import pyarrow as pa

from ember._ember import NativeDataFrame
from ember.sql.column import Column, _name_col, _Resolver
from ember.sql.group import GroupedData
from ember.storagelevel import StorageLevel

if TYPE_CHECKING:
    import pandas

    from ember.rdd import RDD
    from ember.sql.readwriter import DataFrameWriter
    from ember.sql.session import SparkSession
    from ember.sql.types import Row, StructType

__all__ = ["DataFrame", "DataFrameNaFunctions"]

ColumnOrName = Union[Column, str]

_ids = itertools.count(1)

_JOIN_TYPES = {
    "inner": "inner", "cross": "inner", "outer": "full", "full": "full", "fullouter": "full",
    "full_outer": "full", "left": "left", "leftouter": "left", "left_outer": "left",
    "right": "right", "rightouter": "right", "right_outer": "right", "semi": "left_semi",
    "leftsemi": "left_semi", "left_semi": "left_semi", "anti": "left_anti",
    "leftanti": "left_anti", "left_anti": "left_anti",
}


def _flatten(cols: tuple) -> list:
    if len(cols) == 1 and isinstance(cols[0], (list, tuple)):
        return list(cols[0])
    return list(cols)


class DataFrame:
    """A distributed collection of rows under named columns.

    >>> df = spark.createDataFrame([(14, "Tom"), (23, "Alice"), (16, "Bob")], ["age", "name"])
    >>> df.filter(df.age > 15).orderBy("age").select("name").collect()
    [Row(name='Bob'), Row(name='Alice')]
    """

    def __init__(self, jdf: NativeDataFrame, session: "SparkSession") -> None:
        self._jdf = jdf
        self.sparkSession = session
        self._id = next(_ids)
        self._schema: Optional["StructType"] = None

    # ---- plumbing -----------------------------------------------------------------------

    def _new(self, jdf: NativeDataFrame) -> "DataFrame":
        return DataFrame(jdf, self.sparkSession)

    def _resolver(self, frame: Optional[NativeDataFrame] = None) -> _Resolver:
        return _Resolver(self.sparkSession._native, frame if frame is not None else self._jdf)

    def _arrow(self) -> pa.Table:
        ipc = self.sparkSession._run(self._jdf.collect)
        return pa.ipc.open_stream(ipc).read_all()

    def _aggregate(self, keys: list[Column], aggs: list[Column]) -> "DataFrame":
        r = self._resolver()
        return self._new(
            self._jdf.aggregate([k._named_expr(r) for k in keys], [a._named_expr(r) for a in aggs])
        )

    def _numeric_columns(self) -> list[str]:
        from ember.sql.types import NumericType

        return [f.name for f in self.schema.fields if isinstance(f.dataType, NumericType)]

    def _columns_of(self, cols: tuple, what: str) -> list[Column]:
        out = []
        for c in _flatten(cols):
            if isinstance(c, str):
                if c == "*":
                    out.extend(Column._named(n, None) for n in self._quoted_columns())
                else:
                    out.append(_name_col(c))
            elif isinstance(c, Column):
                out.append(c)
            else:
                raise TypeError(
                    f"[NOT_COLUMN_OR_STR] Argument `{what}` should be a Column or str, "
                    f"got {type(c).__name__}."
                )
        return out

    def _quoted_columns(self) -> list[str]:
        return ["`" + n.replace("`", "``") + "`" for n in self.columns]

    # ---- schema -------------------------------------------------------------------------

    @property
    def schema(self) -> "StructType":
        """The schema as a ``StructType``.

        >>> spark.createDataFrame([(1, "a")], ["id", "s"]).schema.simpleString()
        'struct<id:bigint,s:string>'
        """
        if self._schema is None:
            from ember.sql.types import from_arrow_schema

            self._schema = from_arrow_schema(pa.ipc.open_stream(self._jdf.schema()).schema)
        return self._schema

    @property
    def columns(self) -> list[str]:
        """The column names."""
        return [f.name for f in self.schema.fields]

    @property
    def dtypes(self) -> list[tuple[str, str]]:
        """``(name, type)`` pairs, types in Spark's short form (``bigint``, ``string``)."""
        return [(f.name, f.dataType.simpleString()) for f in self.schema.fields]

    def printSchema(self, level: Optional[int] = None) -> None:
        """Prints the schema as a tree."""
        from ember.sql._show import tree_string

        print(tree_string(self.schema, level) if level is not None else tree_string(self.schema))

    def explain(self, extended: Optional[Union[bool, str]] = None, mode: Optional[str] = None) -> None:
        """Prints the plans: the logical plan, and with ``extended`` (or a mode other than
        ``simple``) DataFusion's physical plan and Ember's stages."""
        if extended is False or mode in (None, "simple") and extended in (None, False):
            print("== Logical Plan ==\n" + self._jdf.logical_plan())
        else:
            print(self._jdf.explain())

    def __repr__(self) -> str:
        return "DataFrame[" + ", ".join(f"{n}: {t}" for n, t in self.dtypes) + "]"

    # ---- projections --------------------------------------------------------------------

    def select(self, *cols: ColumnOrName) -> "DataFrame":
        """Projects a set of expressions.

        >>> df = spark.createDataFrame([(2, "Alice"), (5, "Bob")], ["age", "name"])
        >>> df.select("name", (df.age + 10).alias("age")).collect()
        [Row(name='Alice', age=12), Row(name='Bob', age=15)]
        """
        columns = self._columns_of(cols, "cols")
        generators = [c for c in columns if c._generator is not None]
        if len(generators) > 1:
            from ember.sql.utils import AnalysisException

            raise AnalysisException(
                "[UNSUPPORTED_GENERATOR.MULTI_GENERATOR] only one generator allowed per select "
                f"clause but found {len(generators)}"
            )
        r = self._resolver()
        if not generators:
            exprs = [c._named_expr(r) for c in columns]
            if any(e.has_aggregate() for e in exprs):
                return self._new(self._jdf.aggregate([], exprs))
            return self._new(self._jdf.select(exprs))
        tmp = f"__ember_generator_{self._id}"
        kind, inner = generators[0]._generator  # type: ignore[misc]
        pre = [
            inner._expr(r).alias(tmp) if c is generators[0] else c._named_expr(r)
            for c in columns
        ]
        exploded = self._jdf.select(pre).explode(tmp, kind == "explode_outer")
        out = self._new(exploded)
        return out.withColumnRenamed(tmp, generators[0]._name)

    def selectExpr(self, *expr: str) -> "DataFrame":
        """Projects SQL expressions.

        >>> df = spark.createDataFrame([(2, "Alice")], ["age", "name"])
        >>> df.selectExpr("age * 2 AS double", "abs(age)").collect()
        [Row(double=4, abs(age)=2)]
        """
        from ember.sql.functions import expr as sql_expr

        return self.select([sql_expr(e) for e in _flatten(expr)])

    def filter(self, condition: ColumnOrName) -> "DataFrame":
        """Rows where ``condition`` (a boolean Column or a SQL string) holds.

        >>> df = spark.createDataFrame([(2, "Alice"), (5, "Bob")], ["age", "name"])
        >>> df.filter("age > 3").collect()
        [Row(age=5, name='Bob')]
        """
        if isinstance(condition, str):
            native = self._jdf.parse_expr(condition)
        elif isinstance(condition, Column):
            native = condition._expr(self._resolver())
        else:
            raise TypeError(
                f"[NOT_COLUMN_OR_STR] Argument `condition` should be a Column or str, "
                f"got {type(condition).__name__}."
            )
        return self._new(self._jdf.filter(native))

    where = filter

    def withColumn(self, colName: str, col: Column) -> "DataFrame":
        """Adds a column, or replaces the one of the same name.

        >>> df = spark.createDataFrame([(2, "Alice")], ["age", "name"])
        >>> df.withColumn("age2", df.age + 2).collect()
        [Row(age=2, name='Alice', age2=4)]
        """
        if not isinstance(colName, str):
            raise TypeError(f"[NOT_STR] Argument `colName` should be a str, got {type(colName).__name__}.")
        if not isinstance(col, Column):
            raise TypeError(f"[NOT_COLUMN] Argument `col` should be a Column, got {type(col).__name__}.")
        return self._new(self._jdf.with_column(colName, col._expr(self._resolver())))

    def withColumns(self, *colsMap: dict[str, Column]) -> "DataFrame":
        """``withColumn`` for each name and Column of a dict."""
        if len(colsMap) != 1 or not isinstance(colsMap[0], dict):
            raise TypeError("[NOT_DICT] withColumns() takes one dict of names to Columns")
        df = self
        for name, col in colsMap[0].items():
            df = df.withColumn(name, col)
        return df

    def withColumnRenamed(self, existing: str, new: str) -> "DataFrame":
        """Renames a column; a no-op when there is no column ``existing``."""
        if not isinstance(existing, str) or not isinstance(new, str):
            raise TypeError("withColumnRenamed() takes two column names (str)")
        if existing not in self.columns:
            return self
        return self._new(self._jdf.with_column_renamed(existing, new))

    def withColumnsRenamed(self, colsMap: dict[str, str]) -> "DataFrame":
        df = self
        for old, new in colsMap.items():
            df = df.withColumnRenamed(old, new)
        return df

    def toDF(self, *cols: str) -> "DataFrame":
        """The same rows with new column names."""
        if len(cols) != len(self.columns):
            raise ValueError(
                f"toDF() needs {len(self.columns)} names, got {len(cols)}: {list(cols)}"
            )
        return self.select([Column._named(q).alias(n) for q, n in zip(self._quoted_columns(), cols)])

    def drop(self, *cols: ColumnOrName) -> "DataFrame":
        """The DataFrame without the given columns (names that do not exist are ignored)."""
        names = []
        for c in cols:
            if isinstance(c, Column):
                names.append(c._name)
            elif isinstance(c, str):
                names.append(c)
            else:
                raise TypeError(f"[NOT_COLUMN_OR_STR] drop() takes Columns or str, got {type(c).__name__}")
        keep = [n for n in names if n in self.columns]
        return self._new(self._jdf.drop(keep)) if keep else self

    def alias(self, alias: str) -> "DataFrame":
        """The DataFrame under a name, so ``col("alias.x")`` refers to its column ``x``."""
        return self._new(self._jdf.alias(alias))

    def __getitem__(self, item: Union[int, str, Column, list, tuple]) -> Any:
        if isinstance(item, str):
            if item != "*" and item not in self.columns and "." not in item and "`" not in item:
                from ember.sql.utils import AnalysisException

                raise AnalysisException(
                    f"[UNRESOLVED_COLUMN.WITH_SUGGESTION] A column or function parameter with "
                    f"name `{item}` cannot be resolved. Did you mean one of {self.columns}?"
                )
            return Column._named(item, f"_e{self._id}")
        if isinstance(item, Column):
            return self.filter(item)
        if isinstance(item, (list, tuple)):
            return self.select(*item)
        if isinstance(item, int):
            return self[self.columns[item]]
        raise TypeError(f"unexpected item type: {type(item).__name__}")

    def __getattr__(self, name: str) -> Column:
        if name.startswith("_") or name not in self.columns:
            raise AttributeError(f"'DataFrame' object has no attribute '{name}'")
        return self[name]

    # ---- relational operators -----------------------------------------------------------

    def groupBy(self, *cols: ColumnOrName) -> GroupedData:
        """Groups rows by ``cols`` for aggregation (see ``GroupedData``)."""
        return GroupedData(self, self._columns_of(cols, "cols"))

    groupby = groupBy

    def agg(self, *exprs: Union[Column, dict[str, str]]) -> "DataFrame":
        """Aggregates over the whole DataFrame (``df.groupBy().agg(...)``)."""
        return self.groupBy().agg(*exprs)

    def join(
        self,
        other: "DataFrame",
        on: Optional[Union[str, list[str], Column, list[Column]]] = None,
        how: Optional[str] = None,
    ) -> "DataFrame":
        """Joins with ``other`` on column names (one output column per name, as SQL's
        USING) or on a join condition; ``how`` is inner (default), cross, outer/full,
        left, right, semi/left_semi or anti/left_anti.

        >>> a = spark.createDataFrame([(1, "x"), (2, "y")], ["id", "a"])
        >>> b = spark.createDataFrame([(1, "p"), (3, "q")], ["id", "b"])
        >>> a.join(b, "id").collect()
        [Row(id=1, a='x', b='p')]
        >>> sorted(a.join(b, a.id == b.id, "left").select(a.id, "b").collect())
        [Row(id=1, b='p'), Row(id=2, b=None)]
        """
        if not isinstance(other, DataFrame):
            raise TypeError(f"[NOT_DATAFRAME] join() takes a DataFrame, got {type(other).__name__}")
        kind = (how or "inner").lower().replace(" ", "")
        if kind not in _JOIN_TYPES:
            raise ValueError(
                f"[UNSUPPORTED_JOIN_TYPE] Unsupported join type '{how}'. Supported join types "
                f"include: {', '.join(sorted(_JOIN_TYPES))}."
            )
        jt = _JOIN_TYPES[kind]
        left = self._jdf.alias(f"_e{self._id}")
        right = other._jdf.alias(f"_e{other._id}")
        items = on if isinstance(on, list) else ([] if on is None else [on])
        if all(isinstance(i, str) for i in items) and items:
            return self._using_join(other, left, right, items, jt)
        conds = []
        for i in items:
            if not isinstance(i, Column):
                raise TypeError(f"join() on must be column names or Columns, got {type(i).__name__}")
            conds.append(i)
        r = _Resolver(self.sparkSession._native, None)
        r._columns = left.qualified_columns() + right.qualified_columns()
        native = left.join_on(right, jt, [c._expr(r) for c in conds])
        return self._new(native)

    def _using_join(self, other: "DataFrame", left: NativeDataFrame, right: NativeDataFrame,
                    names: list[str], jt: str) -> "DataFrame":
        lq, rq = f"_e{self._id}", f"_e{other._id}"
        for n in names:
            for side, df in (("left", self), ("right", other)):
                if n not in df.columns:
                    from ember.sql.utils import AnalysisException

                    raise AnalysisException(
                        f"[UNRESOLVED_USING_COLUMN_FOR_JOIN] USING column `{n}` cannot be "
                        f"resolved on the {side} side of the join. The {side}-side columns: "
                        f"{df.columns}."
                    )
        joined = self._new(left.join(right, jt, [f"{lq}.{n}" for n in names],
                                     [f"{rq}.{n}" for n in names]))
        if jt in ("left_semi", "left_anti"):
            return joined
        keys = []
        for n in names:
            lc, rc = Column._named(n, lq), Column._named(n, rq)
            if jt == "right":
                keys.append(rc.alias(n))
            elif jt == "full":
                from ember.sql.functions import coalesce

                keys.append(coalesce(lc, rc).alias(n))
            else:
                keys.append(lc.alias(n))
        rest = [Column._named(n, lq) for n in self.columns if n not in names]
        rest += [Column._named(n, rq) for n in other.columns if n not in names]
        r = joined._resolver()
        return self._new(joined._jdf.select([k._named_expr(r) for k in keys] +
                                            [c._expr(r) for c in rest]))

    def crossJoin(self, other: "DataFrame") -> "DataFrame":
        """The Cartesian product with ``other``."""
        return self.join(other, how="cross")

    def orderBy(self, *cols: ColumnOrName, ascending: Union[bool, list[bool]] = True) -> "DataFrame":
        """Sorted by ``cols`` (ascending with NULLs first unless the Columns say otherwise).

        >>> df = spark.createDataFrame([(2, "Alice"), (5, "Bob")], ["age", "name"])
        >>> df.orderBy("age", ascending=False).collect()
        [Row(age=5, name='Bob'), Row(age=2, name='Alice')]
        """
        columns = self._columns_of(cols, "cols")
        if not columns:
            raise ValueError("[CANNOT_BE_EMPTY] At least one column must be specified.")
        flags = ascending if isinstance(ascending, list) else [ascending] * len(columns)
        if not all(isinstance(f, (bool, int)) for f in flags):
            raise TypeError(f"[NOT_BOOL_OR_LIST] ascending should be a bool or a list, got {ascending!r}")
        r = self._resolver()
        keys = []
        for c, asc in zip(columns, flags):
            if c._sort is None and not asc:
                c = c.desc()
            keys.append(c._sort_key(r))
        return self._new(self._jdf.sort(keys))

    sort = orderBy

    def limit(self, num: int) -> "DataFrame":
        """The first ``num`` rows."""
        if not isinstance(num, int) or isinstance(num, bool) or num < 0:
            raise TypeError(f"[NOT_INT] limit() takes a non-negative int, got {num!r}")
        return self._new(self._jdf.limit(num))

    def offset(self, num: int) -> "DataFrame":
        """All rows but the first ``num``."""
        return self._new(self._jdf.limit(2**62, num))

    def distinct(self) -> "DataFrame":
        """The distinct rows."""
        return self._new(self._jdf.distinct())

    def dropDuplicates(self, subset: Optional[list[str]] = None) -> "DataFrame":
        """Distinct rows, or one row per distinct value of the ``subset`` columns."""
        if subset is None:
            return self.distinct()
        if isinstance(subset, str) or not all(isinstance(s, str) for s in subset):
            raise TypeError(f"[NOT_LIST_OR_TUPLE] dropDuplicates() takes a list of names, got {subset!r}")
        r = self._resolver()
        return self._new(self._jdf.distinct_on([_name_col(s)._expr(r) for s in subset]))

    drop_duplicates = dropDuplicates

    def union(self, other: "DataFrame") -> "DataFrame":
        """The rows of both, columns matched by position (SQL's UNION ALL)."""
        if not isinstance(other, DataFrame):
            raise TypeError(f"[NOT_DATAFRAME] union() takes a DataFrame, got {type(other).__name__}")
        if len(self.columns) != len(other.columns):
            from ember.sql.utils import AnalysisException

            raise AnalysisException(
                f"[NUM_COLUMNS_MISMATCH] UNION can only be performed on inputs with the same "
                f"number of columns, but the first input has {len(self.columns)} columns and "
                f"the second input has {len(other.columns)} columns."
            )
        renamed = other.toDF(*self.columns) if other.columns != self.columns else other
        return self._new(self._jdf.union(renamed._jdf))

    unionAll = union

    def unionByName(self, other: "DataFrame", allowMissingColumns: bool = False) -> "DataFrame":
        """The rows of both, columns matched by name; with ``allowMissingColumns``, a column
        missing on one side is NULL there."""
        if not allowMissingColumns and set(self.columns) != set(other.columns):
            from ember.sql.utils import AnalysisException

            missing = sorted(set(self.columns) ^ set(other.columns))
            raise AnalysisException(f"[NUM_COLUMNS_MISMATCH] unionByName: columns {missing} are not on both sides")
        return self._new(self._jdf.union_by_name(other._jdf))

    # ---- actions ------------------------------------------------------------------------

    def collect(self) -> list["Row"]:
        """All rows, as ``Row``s."""
        from ember.sql.types import arrow_to_rows

        return arrow_to_rows(self._arrow(), self.schema)

    def toArrow(self) -> pa.Table:
        """All rows as a ``pyarrow.Table``."""
        return self._arrow()

    def toPandas(self) -> "pandas.DataFrame":
        """All rows as a ``pandas.DataFrame``."""
        return self._arrow().to_pandas()

    def toLocalIterator(self, prefetchPartitions: bool = False) -> Iterator["Row"]:
        return iter(self.collect())

    def count(self) -> int:
        """The number of rows."""
        return self.sparkSession._run(self._jdf.count)

    @overload
    def head(self) -> Optional["Row"]: ...

    @overload
    def head(self, n: int) -> list["Row"]: ...

    def head(self, n: Optional[int] = None) -> Union[Optional["Row"], list["Row"]]:
        """The first row, or the first ``n`` rows."""
        if n is None:
            rows = self.limit(1).collect()
            return rows[0] if rows else None
        return self.limit(n).collect()

    def first(self) -> Optional["Row"]:
        return self.head()

    def take(self, num: int) -> list["Row"]:
        return self.limit(num).collect()

    def tail(self, num: int) -> list["Row"]:
        rows = self.collect()
        return rows[-num:] if num else []

    def isEmpty(self) -> bool:
        return len(self.limit(1).collect()) == 0

    def show(self, n: int = 20, truncate: Union[bool, int] = True, vertical: bool = False) -> None:
        """Prints the first ``n`` rows as pyspark does.

        >>> spark.createDataFrame([(14, "Tom"), (23, "Alice")], ["age", "name"]).show()
        +---+-----+
        |age| name|
        +---+-----+
        | 14|  Tom|
        | 23|Alice|
        +---+-----+
        <BLANKLINE>
        """
        print(self._show_string(n, truncate, vertical))

    def _show_string(self, n: int = 20, truncate: Union[bool, int] = True, vertical: bool = False) -> str:
        from ember.sql._show import show_string
        from ember.sql.types import arrow_to_rows

        if not isinstance(n, int) or isinstance(n, bool):
            raise TypeError(f"[NOT_INT] Argument `n` should be an int, got {type(n).__name__}.")
        if not isinstance(truncate, (bool, int)):
            raise TypeError(f"[NOT_BOOL] Argument `truncate` should be a bool or int, got {type(truncate).__name__}.")
        rows = arrow_to_rows(self.limit(max(n, 0) + 1)._arrow(), self.schema)
        return show_string(rows[: max(n, 0)], self.schema, n, truncate, vertical, has_more=len(rows) > n)

    def foreach(self, f: Any) -> None:
        self.rdd.foreach(f)

    def foreachPartition(self, f: Any) -> None:
        self.rdd.foreachPartition(f)

    # ---- persistence, views, writing ----------------------------------------------------

    def persist(self, storageLevel: StorageLevel = StorageLevel.MEMORY_AND_DISK_DESER) -> "DataFrame":
        """Keeps the result in Ember's block manager once computed (lazily)."""
        if not isinstance(storageLevel, StorageLevel):
            raise TypeError(f"persist() takes a StorageLevel, got {type(storageLevel).__name__}")
        self._jdf = self._jdf.persist(storageLevel.useDisk, storageLevel.useMemory,
                                      storageLevel.replication)
        return self

    def cache(self) -> "DataFrame":
        return self.persist()

    def unpersist(self, blocking: bool = False) -> "DataFrame":
        self._jdf.unpersist()
        return self

    @property
    def storageLevel(self) -> StorageLevel:
        disk, memory, replication = self._jdf.storage_level()
        return StorageLevel(disk, memory, False, memory, replication if (disk or memory) else 1)

    @property
    def is_cached(self) -> bool:
        disk, memory, _ = self._jdf.storage_level()
        return disk or memory

    def createOrReplaceTempView(self, name: str) -> None:
        """Registers the DataFrame as a temporary view for SQL."""
        if not isinstance(name, str):
            raise TypeError(f"[NOT_STR] Argument `name` should be a str, got {type(name).__name__}.")
        self._jdf.create_or_replace_temp_view(name)

    def createTempView(self, name: str) -> None:
        """As ``createOrReplaceTempView``, failing when the view exists."""
        if name in self.sparkSession._native.table_names():
            from ember.sql.utils import AnalysisException

            raise AnalysisException(
                f"[TEMP_TABLE_OR_VIEW_ALREADY_EXISTS] Cannot create the temporary view `{name}` "
                "because it already exists."
            )
        self.createOrReplaceTempView(name)

    def createOrReplaceGlobalTempView(self, name: str) -> None:
        """Registers the DataFrame as ``global_temp.name``, visible to every session."""
        self.sparkSession._ensure_global_temp()
        self._jdf.create_or_replace_temp_view(f"global_temp.{name}")

    def createGlobalTempView(self, name: str) -> None:
        self.createOrReplaceGlobalTempView(name)

    @property
    def write(self) -> "DataFrameWriter":
        """The writer of this DataFrame's rows to files."""
        from ember.sql.readwriter import DataFrameWriter

        return DataFrameWriter(self)

    @property
    def rdd(self) -> "RDD":
        """The rows as an RDD of ``Row``s."""
        return self.sparkSession._rows_rdd(self)

    @property
    def na(self) -> "DataFrameNaFunctions":
        return DataFrameNaFunctions(self)

    def fillna(self, value: Any, subset: Optional[list[str]] = None) -> "DataFrame":
        return self.na.fill(value, subset)

    def dropna(self, how: str = "any", thresh: Optional[int] = None,
               subset: Optional[list[str]] = None) -> "DataFrame":
        return self.na.drop(how, thresh, subset)

    def describe(self, *cols: str) -> "DataFrame":
        """count, mean, stddev, min and max of numeric and string columns, as strings."""
        from ember.sql.describe import describe

        return describe(self, [c for c in _flatten(cols)])


class DataFrameNaFunctions:
    """``df.na``: filling and dropping NULLs."""

    def __init__(self, df: DataFrame) -> None:
        self._df = df

    def fill(self, value: Any, subset: Optional[Union[str, list[str]]] = None) -> DataFrame:
        """Replaces NULLs with ``value`` in the columns of its type (or of ``subset``), or per
        column with a dict.

        >>> df = spark.createDataFrame([(None, "a"), (3, None)], "n INT, s STRING")
        >>> df.na.fill(0).collect()
        [Row(n=0, s='a'), Row(n=3, s=None)]
        """
        from ember.sql.functions import coalesce, lit
        from ember.sql.types import BooleanType, NumericType, StringType

        df = self._df
        if isinstance(value, dict):
            todo = dict(value)
        elif isinstance(value, (bool, int, float, str)):
            names = [subset] if isinstance(subset, str) else subset
            want = (BooleanType,) if isinstance(value, bool) else (
                (NumericType,) if isinstance(value, (int, float)) else (StringType,))
            todo = {f.name: value for f in df.schema.fields
                    if isinstance(f.dataType, want) and (names is None or f.name in names)}
        else:
            raise TypeError(
                f"[NOT_BOOL_OR_DICT_OR_FLOAT_OR_INT_OR_STR] Argument `value` should be a bool, "
                f"dict, float, int or str, got {type(value).__name__}."
            )
        cols = []
        types = {f.name: f.dataType for f in df.schema.fields}
        for name in df.columns:
            c = Column._named("`" + name + "`")
            if name in todo:
                c = coalesce(c, lit(todo[name]).cast(types[name])).alias(name)
            cols.append(c)
        return df.select(cols)

    def drop(self, how: str = "any", thresh: Optional[int] = None,
             subset: Optional[Union[str, list[str]]] = None) -> DataFrame:
        """Drops rows with NULLs: any (default) or all of the columns (or of ``subset``), or
        with fewer than ``thresh`` non-NULL values."""
        from ember.sql.functions import lit, when

        if how not in ("any", "all"):
            raise ValueError(f"how ('{how}') should be 'any' or 'all'")
        names = [subset] if isinstance(subset, str) else (subset or self._df.columns)
        if thresh is None:
            thresh = len(names) if how == "any" else 1
        nonnull = lit(0)
        for n in names:
            nonnull = nonnull + when(_name_col(n).isNotNull(), 1).otherwise(0)
        return self._df.filter(nonnull >= thresh)
