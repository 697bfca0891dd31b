"""``Column``: an expression over a DataFrame's columns, as pyspark's ``pyspark.sql.Column``.

A Column is built lazily: it holds a function that makes the DataFusion expression once the
DataFrame it is used in is known (``df["x"]`` must find ``x`` on the right side of a join,
``expr("a + 1")`` must be parsed against the DataFrame's columns), and the name Spark gives the
result (``(age + 1)``, ``sum(x)``), which becomes the output column's name.
"""

from __future__ import annotations

import datetime
import decimal
from typing import TYPE_CHECKING, Any, Callable, Optional, Union

import pyarrow as pa

from ember import _cluster
from ember._ember import NativeExpr

if TYPE_CHECKING:
    from ember._ember import NativeDataFrame, NativeSession
    from ember.sql.types import DataType
    from ember.sql.window import WindowSpec

__all__ = ["Column"]


class _Resolver:
    """What a Column needs to become an expression: the session (functions) and the columns
    of the DataFrame it is used in (qualifiers, SQL parsing)."""

    def __init__(self, session: "NativeSession", frame: Optional["NativeDataFrame"]) -> None:
        self.session = session
        self.frame = frame
        self._columns: Optional[list[tuple[Optional[str], str]]] = None

    def columns(self) -> list[tuple[Optional[str], str]]:
        if self._columns is None:
            self._columns = self.frame.qualified_columns() if self.frame is not None else []
        return self._columns

    def column(self, name: str, owner: Optional[str] = None) -> NativeExpr:
        """The column ``name`` (Spark's rules: backticks quote, ``a.b`` is a qualified column
        or a struct field), preferring the qualifier ``owner`` when the frame has it."""
        cols = self.columns()
        if owner is not None and (owner, name) in cols:
            return _cluster.classes.NativeExpr.column(name, owner)
        if name.startswith("`") and name.endswith("`") and len(name) > 1:
            return _cluster.classes.NativeExpr.column(name[1:-1].replace("``", "`"))
        if "." in name and not any(n == name for _, n in cols):
            head, rest = name.split(".", 1)
            if any(q == head for q, _ in cols):
                return self.column(rest, head) if (head, rest) in cols else _cluster.classes.NativeExpr.column(rest, head)
            base = self.column(head)
            for part in rest.split("."):
                base = self.session.call("get_field", [base, _literal(part)])
            return base
        return _cluster.classes.NativeExpr.column(name)


Builder = Callable[[_Resolver], NativeExpr]


def _arrow_literal(value: Any) -> pa.Array:
    if value is None:
        return pa.array([None], pa.null())
    if isinstance(value, bool):
        return pa.array([value], pa.bool_())
    if isinstance(value, int):
        t = pa.int32() if -(2**31) <= value < 2**31 else pa.int64()
        return pa.array([value], t)
    if isinstance(value, float):
        return pa.array([value], pa.float64())
    if isinstance(value, str):
        return pa.array([value], pa.string())
    if isinstance(value, (bytes, bytearray)):
        return pa.array([bytes(value)], pa.binary())
    if isinstance(value, datetime.datetime):
        return pa.array([value], pa.timestamp("us", tz="UTC" if value.tzinfo else None))
    if isinstance(value, datetime.date):
        return pa.array([value], pa.date32())
    if isinstance(value, decimal.Decimal):
        return pa.array([value])
    if isinstance(value, (list, tuple)):
        return pa.array([list(value)])
    raise TypeError(
        f"[UNSUPPORTED_LITERAL_TYPE] Unsupported literal type {type(value).__name__}: {value!r}"
    )


def _literal(value: Any) -> NativeExpr:
    array = _arrow_literal(value)
    sink = pa.BufferOutputStream()
    batch = pa.record_batch([array], names=["v"])
    with pa.ipc.new_stream(sink, batch.schema) as w:
        w.write_batch(batch)
    return _cluster.classes.NativeExpr.literal(sink.getvalue().to_pybytes())


def _type_ipc(data_type: "DataType") -> bytes:
    from ember.sql.types import to_arrow_type

    schema = pa.schema([pa.field("t", to_arrow_type(data_type))])
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, schema):
        pass
    return sink.getvalue().to_pybytes()


def _lit_name(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "array(" + ", ".join(_lit_name(v) for v in value) + ")"
    return str(value)


def _to_col(value: Any) -> "Column":
    """A Column as it is, anything else a literal."""
    return value if isinstance(value, Column) else Column._lit(value)


def _name_col(value: Union["Column", str]) -> "Column":
    """A Column as it is, a string as a column name (pyspark's ``_to_java_column``)."""
    if isinstance(value, Column):
        return value
    if isinstance(value, str):
        return Column._named(value)
    raise TypeError(
        f"[NOT_COLUMN_OR_STR] Argument `col` should be a Column or str, got {type(value).__name__}."
    )


_SPARK_OPS = {"==": "=", "and": "AND", "or": "OR", "<=>": "<=>"}


class Column:
    """A column expression in a DataFrame.

    >>> from ember.sql import functions as F
    >>> df = spark.createDataFrame([(2, "Alice"), (5, "Bob")], ["age", "name"])
    >>> df.select(df.age + 1, (F.col("age") * 2).alias("double")).collect()
    [Row((age + 1)=3, double=4), Row((age + 1)=6, double=10)]
    """

    __slots__ = ("_build", "_name", "_sort", "_generator")

    def __init__(
        self,
        build: Builder,
        name: str,
        sort: Optional[tuple[bool, bool]] = None,
        generator: Optional[tuple[str, "Column"]] = None,
    ) -> None:
        self._build = build
        self._name = name
        self._sort = sort
        self._generator = generator

    # ---- construction -------------------------------------------------------------------

    @staticmethod
    def _named(name: str, owner: Optional[str] = None) -> "Column":
        shown = name[1:-1] if name.startswith("`") and name.endswith("`") else name
        return Column(lambda r: r.column(name, owner), shown)

    @staticmethod
    def _lit(value: Any) -> "Column":
        if isinstance(value, Column):
            return value
        native = _literal(value)
        return Column(lambda r: native, _lit_name(value))

    @staticmethod
    def _call(fn: str, args: list["Column"], name: str, distinct: bool = False) -> "Column":
        """A call of DataFusion's function ``fn`` on ``args``, named ``name``."""
        return Column(
            lambda r: r.session.call(fn, [a._expr(r) for a in args], distinct), name
        )

    def _expr(self, resolver: _Resolver) -> NativeExpr:
        if self._generator is not None:
            raise _analysis(
                "[UNSUPPORTED_GENERATOR] explode can only be used at the top of a select list"
            )
        return self._build(resolver)

    def _named_expr(self, resolver: _Resolver) -> NativeExpr:
        """The expression under its Spark name (for select lists and aggregates)."""
        return self._expr(resolver).alias(self._name)

    def _binary(self, op: str, other: Any, reverse: bool = False) -> "Column":
        left, right = (_to_col(other), self) if reverse else (self, _to_col(other))
        shown = _SPARK_OPS.get(op, op)
        return Column(
            lambda r: left._expr(r).binary(op, right._expr(r)),
            f"({left._name} {shown} {right._name})",
        )

    # ---- operators ----------------------------------------------------------------------

    def __add__(self, other: Any) -> "Column":
        return self._binary("+", other)

    def __radd__(self, other: Any) -> "Column":
        return self._binary("+", other, True)

    def __sub__(self, other: Any) -> "Column":
        return self._binary("-", other)

    def __rsub__(self, other: Any) -> "Column":
        return self._binary("-", other, True)

    def __mul__(self, other: Any) -> "Column":
        return self._binary("*", other)

    def __rmul__(self, other: Any) -> "Column":
        return self._binary("*", other, True)

    def _divide(self, other: Any, reverse: bool) -> "Column":
        from ember.sql.types import DoubleType

        left, right = (_to_col(other), self) if reverse else (self, _to_col(other))
        double = _type_ipc(DoubleType())
        return Column(
            lambda r: left._expr(r).cast(double, False).binary("/", right._expr(r).cast(double, False)),
            f"({left._name} / {right._name})",
        )

    def __truediv__(self, other: Any) -> "Column":
        return self._divide(other, False)

    def __rtruediv__(self, other: Any) -> "Column":
        return self._divide(other, True)

    def __mod__(self, other: Any) -> "Column":
        return self._binary("%", other)

    def __rmod__(self, other: Any) -> "Column":
        return self._binary("%", other, True)

    def __pow__(self, other: Any) -> "Column":
        o = _to_col(other)
        return Column._call("power", [self, o], f"POWER({self._name}, {o._name})")

    def __rpow__(self, other: Any) -> "Column":
        o = _to_col(other)
        return Column._call("power", [o, self], f"POWER({o._name}, {self._name})")

    def __neg__(self) -> "Column":
        return Column(lambda r: self._expr(r).negate(), f"(- {self._name})")

    def __eq__(self, other: Any) -> "Column":  # type: ignore[override]
        return self._binary("==", other)

    def __ne__(self, other: Any) -> "Column":  # type: ignore[override]
        eq = self._binary("==", other)
        return Column(lambda r: eq._expr(r).not_(), f"(NOT {eq._name})")

    def __lt__(self, other: Any) -> "Column":
        return self._binary("<", other)

    def __le__(self, other: Any) -> "Column":
        return self._binary("<=", other)

    def __gt__(self, other: Any) -> "Column":
        return self._binary(">", other)

    def __ge__(self, other: Any) -> "Column":
        return self._binary(">=", other)

    def __and__(self, other: Any) -> "Column":
        return self._binary("and", other)

    def __rand__(self, other: Any) -> "Column":
        return self._binary("and", other, True)

    def __or__(self, other: Any) -> "Column":
        return self._binary("or", other)

    def __ror__(self, other: Any) -> "Column":
        return self._binary("or", other, True)

    def __invert__(self) -> "Column":
        return Column(lambda r: self._expr(r).not_(), f"(NOT {self._name})")

    __hash__ = None  # type: ignore[assignment]

    def __bool__(self) -> bool:
        raise ValueError(
            "[CANNOT_CONVERT_COLUMN_INTO_BOOL] Cannot convert column into bool: please use '&' "
            "for 'and', '|' for 'or', '~' for 'not' when building DataFrame boolean expressions."
        )

    def __iter__(self) -> None:
        raise TypeError("[NOT_ITERABLE] Column is not iterable.")

    def __contains__(self, item: Any) -> None:
        raise ValueError(
            "[CANNOT_APPLY_IN_FOR_COLUMN] Cannot apply 'in' operator against a column: please "
            "use 'contains' in a string column or 'array_contains' function for an array column."
        )

    def __repr__(self) -> str:
        return f"Column<'{self._name}'>"

    # ---- methods ------------------------------------------------------------------------

    def eqNullSafe(self, other: Any) -> "Column":
        """Equality that treats two NULLs as equal (SQL's ``<=>``)."""
        return self._binary("<=>", other)

    def bitwiseAND(self, other: Any) -> "Column":
        return self._binary("&", other)

    def bitwiseOR(self, other: Any) -> "Column":
        return self._binary("|", other)

    def bitwiseXOR(self, other: Any) -> "Column":
        return self._binary("^", other)

    def alias(self, *alias: str, **kwargs: Any) -> "Column":
        """The column under another name.

        >>> df = spark.createDataFrame([(2, "Alice")], ["age", "name"])
        >>> df.select(df.age.alias("age2")).collect()
        [Row(age2=2)]
        """
        if len(alias) != 1 or not isinstance(alias[0], str):
            raise TypeError(f"alias() takes one name (a str), got {alias!r}")
        return Column(self._build, alias[0], self._sort, self._generator)

    name = alias

    def cast(self, dataType: Union["DataType", str]) -> "Column":
        """The column converted to ``dataType`` (a DataType or a DDL type string).

        >>> df = spark.createDataFrame([(2, "Alice")], ["age", "name"])
        >>> df.select(df.age.cast("string").alias("ages")).collect()
        [Row(ages='2')]
        """
        from ember.sql.types import DataType, _parse_datatype_string

        if isinstance(dataType, str):
            dataType = _parse_datatype_string(dataType)
        if not isinstance(dataType, DataType):
            raise TypeError(
                f"[NOT_DATATYPE_OR_STR] Argument `dataType` should be a DataType or str, "
                f"got {type(dataType).__name__}."
            )
        ipc = _type_ipc(dataType)
        shown = dataType.simpleString().upper()
        return Column(lambda r: self._expr(r).cast(ipc, False), f"CAST({self._name} AS {shown})")

    astype = cast

    def try_cast(self, dataType: Union["DataType", str]) -> "Column":
        """As ``cast``, with NULL where a value does not convert."""
        from ember.sql.types import _parse_datatype_string

        if isinstance(dataType, str):
            dataType = _parse_datatype_string(dataType)
        ipc = _type_ipc(dataType)
        shown = dataType.simpleString().upper()
        return Column(lambda r: self._expr(r).cast(ipc, True), f"TRY_CAST({self._name} AS {shown})")

    def isNull(self) -> "Column":
        return Column(lambda r: self._expr(r).is_null(False), f"({self._name} IS NULL)")

    def isNotNull(self) -> "Column":
        return Column(lambda r: self._expr(r).is_null(True), f"({self._name} IS NOT NULL)")

    def isNaN(self) -> "Column":
        return Column._call("isnan", [self], f"isnan({self._name})")

    def isin(self, *cols: Any) -> "Column":
        """True where the value is one of ``cols`` (values or Columns, or one list of them).

        >>> df = spark.createDataFrame([(2, "Alice"), (5, "Bob")], ["age", "name"])
        >>> df.filter(df.name.isin("Bob", "Mike")).collect()
        [Row(age=5, name='Bob')]
        """
        if len(cols) == 1 and isinstance(cols[0], (list, set, tuple)):
            cols = tuple(cols[0])
        items = [_to_col(c) for c in cols]
        shown = ", ".join(i._name for i in items)
        return Column(
            lambda r: self._expr(r).in_list([i._expr(r) for i in items], False),
            f"({self._name} IN ({shown}))",
        )

    def between(self, lowerBound: Any, upperBound: Any) -> "Column":
        low, high = _to_col(lowerBound), _to_col(upperBound)
        return Column(
            lambda r: self._expr(r).between(low._expr(r), high._expr(r)),
            f"(({self._name} >= {low._name}) AND ({self._name} <= {high._name}))",
        )

    def _like(self, pattern: Any, case_insensitive: bool, word: str) -> "Column":
        if not isinstance(pattern, (str, Column)):
            raise TypeError(f"{word.lower()}() takes a pattern str, got {type(pattern).__name__}")
        p = _to_col(pattern)
        return Column(
            lambda r: self._expr(r).like(p._expr(r), False, case_insensitive),
            f"{self._name} {word} {p._name}",
        )

    def like(self, other: str) -> "Column":
        """SQL LIKE (``%`` any run, ``_`` one character)."""
        return self._like(other, False, "LIKE")

    def ilike(self, other: str) -> "Column":
        """Case-insensitive LIKE."""
        return self._like(other, True, "ILIKE")

    def rlike(self, other: str) -> "Column":
        """True where a match of the Java-style regular expression ``other`` is found."""
        return Column._call("regexp_like", [self, _to_col(other)], f"RLIKE({self._name}, {other})")

    def startswith(self, other: Any) -> "Column":
        o = _to_col(other)
        return Column._call("starts_with", [self, o], f"startswith({self._name}, {o._name})")

    def endswith(self, other: Any) -> "Column":
        o = _to_col(other)
        return Column._call("ends_with", [self, o], f"endswith({self._name}, {o._name})")

    def contains(self, other: Any) -> "Column":
        o = _to_col(other)
        return Column._call("contains", [self, o], f"contains({self._name}, {o._name})")

    def substr(self, startPos: Any, length: Any) -> "Column":
        """The substring from ``startPos`` (1-based) of ``length`` characters."""
        s, n = _to_col(startPos), _to_col(length)
        return Column._call("substr", [self, s, n], f"substr({self._name}, {s._name}, {n._name})")

    def getItem(self, key: Any) -> "Column":
        """An array's element at 0-based ``key``, or a map's value at ``key``."""
        k = _to_col(key)
        shown = f"{self._name}[{k._name}]"
        if isinstance(key, int) and not isinstance(key, bool):
            idx = Column._lit(key + 1)
            return Column(
                lambda r: r.session.call("array_element", [self._expr(r), idx._expr(r)]), shown
            )
        return Column(lambda r: r.session.call("get_field", [self._expr(r), k._expr(r)]), shown)

    def getField(self, name: str) -> "Column":
        """A struct's field ``name``."""
        if not isinstance(name, str):
            raise TypeError(f"getField() takes a field name (str), got {type(name).__name__}")
        n = Column._lit(name)
        return Column(
            lambda r: r.session.call("get_field", [self._expr(r), n._expr(r)]),
            f"{self._name}.{name}",
        )

    def __getitem__(self, k: Any) -> "Column":
        if isinstance(k, slice):
            if k.step is not None:
                raise ValueError("Column slices take no step")
            return self.substr(k.start, k.stop)
        return self.getItem(k)

    def __getattr__(self, item: str) -> "Column":
        if item.startswith("__"):
            raise AttributeError(item)
        return self.getField(item)

    # ---- sorting ------------------------------------------------------------------------

    def _sorted(self, asc: bool, nulls_first: bool, word: str) -> "Column":
        return Column(self._build, f"{self._name} {word}", (asc, nulls_first))

    def asc(self) -> "Column":
        return self._sorted(True, True, "ASC NULLS FIRST")

    def asc_nulls_first(self) -> "Column":
        return self._sorted(True, True, "ASC NULLS FIRST")

    def asc_nulls_last(self) -> "Column":
        return self._sorted(True, False, "ASC NULLS LAST")

    def desc(self) -> "Column":
        return self._sorted(False, False, "DESC NULLS LAST")

    def desc_nulls_first(self) -> "Column":
        return self._sorted(False, True, "DESC NULLS FIRST")

    def desc_nulls_last(self) -> "Column":
        return self._sorted(False, False, "DESC NULLS LAST")

    def _sort_key(self, resolver: _Resolver) -> tuple[NativeExpr, bool, bool]:
        asc, nulls_first = self._sort or (True, True)
        return (self._expr(resolver), asc, nulls_first)

    # ---- conditionals and windows -------------------------------------------------------

    def when(self, condition: "Column", value: Any) -> "Column":
        """Another branch of a ``functions.when`` chain."""
        branches = getattr(self._build, "_branches", None)
        if branches is None or getattr(self._build, "_otherwise", None) is not None:
            raise _analysis("when() can only be applied on a Column made by functions.when()")
        return _case(branches + [(condition, _to_col(value))], None)

    def otherwise(self, value: Any) -> "Column":
        """The value where no branch of a ``functions.when`` chain holds."""
        branches = getattr(self._build, "_branches", None)
        if branches is None or getattr(self._build, "_otherwise", None) is not None:
            raise _analysis("otherwise() can only be applied once on a Column made by when()")
        return _case(branches, _to_col(value))

    def over(self, window: "WindowSpec") -> "Column":
        """This aggregate or ranking function evaluated over ``window``."""
        from ember.sql.window import WindowSpec

        if not isinstance(window, WindowSpec):
            raise TypeError(f"over() takes a WindowSpec, got {type(window).__name__}")
        return Column(
            lambda r: self._expr(r).over(
                [p._expr(r) for p in window._partition],
                [o._sort_key(r) for o in window._order],
                window._frame,
            ),
            f"{self._name} OVER ({window._describe()})",
        )


def _case(branches: list[tuple[Column, Column]], otherwise: Optional[Column]) -> Column:
    def build(r: _Resolver) -> NativeExpr:
        return _cluster.classes.NativeExpr.case_when(
            [(c._expr(r), v._expr(r)) for c, v in branches],
            otherwise._expr(r) if otherwise is not None else None,
        )

    build._branches = branches  # type: ignore[attr-defined]
    build._otherwise = otherwise  # type: ignore[attr-defined]
    shown = " ".join(f"WHEN {c._name} THEN {v._name}" for c, v in branches)
    tail = f" ELSE {otherwise._name}" if otherwise is not None else ""
    return Column(build, f"CASE {shown}{tail} END")


def _analysis(message: str) -> Exception:
    from ember.sql.utils import AnalysisException

    return AnalysisException(message)
