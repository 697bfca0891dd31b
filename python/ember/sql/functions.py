"""pyspark's ``pyspark.sql.functions`` on DataFusion's function library.

Each function keeps pyspark's name, arguments and the name Spark gives its result column
(``upper(name)``, ``sum(x)``); where DataFusion's function of the same purpose differs
(``log`` is base 10 there, ``regexp_replace`` replaces the first match only, ``concat`` skips
NULLs, ``dayofweek`` counts from 0), the Spark semantics are built from DataFusion's pieces.

>>> df = spark.createDataFrame([("Alice", 2), ("Bob", 5)], ["name", "age"])
>>> df.select(upper("name"), (col("age") * 2).alias("x"), when(df.age > 3, "old").otherwise("young").alias("y")).collect()
[Row(upper(name)='ALICE', x=4, y='young'), Row(upper(name)='BOB', x=10, y='old')]
"""

from __future__ import annotations

import builtins
import re
from typing import Any, Callable, Optional, Union

from ember.sql.column import Column, _name_col, _Resolver, _to_col
from ember.sql.types import (
    DataType,
    DateType,
    DoubleType,
    IntegerType,
    LongType,
    StringType,
    TimestampType,
)
from ember.sql.udf import pandas_udf, udf  # noqa: F401  (part of pyspark.sql.functions)

ColumnOrName = Union[Column, str]

# ---- basics ----------------------------------------------------------------------------------


def col(col: str) -> Column:
    """A column by name (``"a.b"`` is a qualified column or a struct field; backticks quote).

    >>> spark.createDataFrame([(1,)], ["x"]).select(col("x")).collect()
    [Row(x=1)]
    """
    if not isinstance(col, str):
        raise TypeError(f"[NOT_STR] Argument `col` should be a str, got {type(col).__name__}.")
    return Column._named(col)


column = col


def lit(col: Any) -> Column:
    """A literal value (a Column is returned as it is).

    >>> spark.range(1).select(lit(5).alias("five"), lit("a")).collect()
    [Row(five=5, a='a')]
    """
    return Column._lit(col)


def expr(str: str) -> Column:
    """A SQL expression, parsed against the columns of the DataFrame it is used in.

    >>> spark.createDataFrame([(2,)], ["age"]).select(expr("age + 1 AS older")).collect()
    [Row(older=3)]
    """
    if not isinstance(str, builtins.str):
        raise TypeError(f"[NOT_STR] Argument `str` should be a str, got {type(str).__name__}.")
    text = str

    def build(r: _Resolver) -> Any:
        if r.frame is None:
            raise ValueError(f"expr({text!r}) can only be used in a DataFrame method")
        return r.frame.parse_expr(text)

    name = text.strip()
    m = re.match(r"(?is)^(.*?)\s+as\s+`?([A-Za-z_][A-Za-z0-9_]*)`?$", name)
    if m:
        inner = Column(lambda r: r.frame.parse_expr(m.group(1)), m.group(2))
        return inner
    return Column(build, name)


def when(condition: Column, value: Any) -> Column:
    """``CASE WHEN condition THEN value``; chain ``.when(..)`` and ``.otherwise(..)``.

    >>> df = spark.createDataFrame([(2,), (5,)], ["age"])
    >>> df.select(when(df.age > 3, 1).otherwise(0).alias("old")).collect()
    [Row(old=0), Row(old=1)]
    """
    from ember.sql.column import _case

    if not isinstance(condition, Column):
        raise TypeError(f"[NOT_COLUMN] Argument `condition` should be a Column, got {type(condition).__name__}.")
    return _case([(condition, _to_col(value))], None)


def broadcast(df: Any) -> Any:
    """A hint that ``df`` is small; DataFusion picks join strategies itself, so this returns
    ``df`` unchanged."""
    return df


def asc(col: ColumnOrName) -> Column:
    return _name_col(col).asc()


def desc(col: ColumnOrName) -> Column:
    return _name_col(col).desc()


def asc_nulls_first(col: ColumnOrName) -> Column:
    return _name_col(col).asc_nulls_first()


def asc_nulls_last(col: ColumnOrName) -> Column:
    return _name_col(col).asc_nulls_last()


def desc_nulls_first(col: ColumnOrName) -> Column:
    return _name_col(col).desc_nulls_first()


def desc_nulls_last(col: ColumnOrName) -> Column:
    return _name_col(col).desc_nulls_last()


# ---- function factories ----------------------------------------------------------------------


def _call(fn: str, shown: str, *cols: Any, distinct: bool = False) -> Column:
    args = [c for c in cols]
    names = ", ".join(a._name for a in args)
    if distinct:
        names = "DISTINCT " + names
    return Column._call(fn, args, f"{shown}({names})", distinct)


def _unary(pyspark_name: str, fn: str, shown: Optional[str] = None, doc: str = "") -> Callable[[ColumnOrName], Column]:
    def f(col: ColumnOrName) -> Column:
        return _call(fn, shown or pyspark_name, _name_col(col))

    f.__name__ = f.__qualname__ = pyspark_name
    f.__doc__ = doc or f"Spark's ``{pyspark_name}`` of a column (DataFusion's ``{fn}``)."
    return f


def _cast(c: Column, t: DataType) -> Column:
    from ember.sql.column import _type_ipc

    ipc = _type_ipc(t)
    return Column(lambda r: c._expr(r).cast(ipc, False), c._name)


def _named(c: Column, name: str) -> Column:
    return Column(c._build, name)


# ---- aggregates ------------------------------------------------------------------------------


def count(col: ColumnOrName) -> Column:
    """The number of non-NULL values (``count("*")`` counts rows, named ``count(1)``).

    >>> spark.createDataFrame([(1,), (None,)], "x INT").select(count("*"), count("x")).collect()
    [Row(count(1)=2, count(x)=1)]
    """
    if isinstance(col, str) and col == "*":
        return _call("count", "count", lit(1))
    return _call("count", "count", _name_col(col))


def countDistinct(col: ColumnOrName, *cols: ColumnOrName) -> Column:
    """The number of distinct non-NULL values (of ``col``, or of tuples of columns)."""
    if cols:
        args = [_name_col(c) for c in (col, *cols)]
        shown = ", ".join(a._name for a in args)
        structed = Column._call("struct", args, shown)
        return _named(Column._call("count", [structed], "", True), f"count(DISTINCT {shown})")
    return _call("count", "count", _name_col(col), distinct=True)


count_distinct = countDistinct


def sum_distinct(col: ColumnOrName) -> Column:
    return _call("sum", "sum", _name_col(col), distinct=True)


sumDistinct = sum_distinct

sum = _unary("sum", "sum", doc="The sum of a column's values.")
avg = _unary("avg", "avg", doc="The average of a column's values.")
min = _unary("min", "min", doc="The smallest value.")
max = _unary("max", "max", doc="The largest value.")
stddev = _unary("stddev", "stddev", "stddev", "The sample standard deviation.")
std = stddev
stddev_samp = _unary("stddev_samp", "stddev", "stddev_samp")
stddev_pop = _unary("stddev_pop", "stddev_pop")
variance = _unary("variance", "var_samp")
var_samp = _unary("var_samp", "var_samp")
var_pop = _unary("var_pop", "var_pop")
collect_list = _unary("collect_list", "array_agg", doc="The values of a group as an array.")
median = _unary("median", "median")
any_value = _unary("any_value", "first_value")
approx_count_distinct = _unary("approx_count_distinct", "approx_distinct")
bool_and = _unary("bool_and", "bool_and")
bool_or = _unary("bool_or", "bool_or")
every = _unary("every", "bool_and")
some = _unary("some", "bool_or")


def mean(col: ColumnOrName) -> Column:
    """The average (named ``avg(x)`` as in Spark)."""
    return _call("avg", "avg", _name_col(col))


def collect_set(col: ColumnOrName) -> Column:
    """The distinct values of a group as an array."""
    return _named(_call("array_agg", "collect_set", _name_col(col), distinct=True),
                  f"collect_set({_name_col(col)._name})")


def first(col: ColumnOrName, ignorenulls: bool = False) -> Column:
    """The first value of a group (pass ``ignorenulls=True`` to skip NULLs)."""
    c = _name_col(col)
    first = _call("first_value", "first", c)
    if ignorenulls:
        return Column(lambda r: first._expr(r).ignore_nulls(), first._name)
    return first


def last(col: ColumnOrName, ignorenulls: bool = False) -> Column:
    """The last value of a group (pass ``ignorenulls=True`` to skip NULLs)."""
    last = _call("last_value", "last", _name_col(col))
    if ignorenulls:
        return Column(lambda r: last._expr(r).ignore_nulls(), last._name)
    return last


def corr(col1: ColumnOrName, col2: ColumnOrName) -> Column:
    return _call("corr", "corr", _name_col(col1), _name_col(col2))


def covar_samp(col1: ColumnOrName, col2: ColumnOrName) -> Column:
    return _call("covar_samp", "covar_samp", _name_col(col1), _name_col(col2))


def covar_pop(col1: ColumnOrName, col2: ColumnOrName) -> Column:
    return _call("covar_pop", "covar_pop", _name_col(col1), _name_col(col2))


def percentile_approx(col: ColumnOrName, percentage: float, accuracy: int = 10000) -> Column:
    """An approximate percentile (DataFusion's ``approx_percentile_cont``, which interpolates
    between values where Spark returns one of the column's values)."""
    c = _name_col(col)
    return _named(Column._call("approx_percentile_cont", [c, lit(float(percentage))], ""),
                  f"percentile_approx({c._name}, {percentage}, {accuracy})")


# ---- window functions ------------------------------------------------------------------------


def row_number() -> Column:
    """The 1-based position of a row in its window partition."""
    return _cast(Column._call("row_number", [], "row_number()"), IntegerType())


def rank() -> Column:
    return _cast(Column._call("rank", [], "RANK()"), IntegerType())


def dense_rank() -> Column:
    return _cast(Column._call("dense_rank", [], "DENSE_RANK()"), IntegerType())


def percent_rank() -> Column:
    return Column._call("percent_rank", [], "PERCENT_RANK()")


def cume_dist() -> Column:
    return Column._call("cume_dist", [], "CUME_DIST()")


def ntile(n: int) -> Column:
    return _cast(Column._call("ntile", [lit(n)], f"ntile({n})"), IntegerType())


def lag(col: ColumnOrName, offset: int = 1, default: Any = None) -> Column:
    """The value ``offset`` rows before the current row in the window."""
    c = _name_col(col)
    return Column._call("lag", [c, lit(offset), lit(default)], f"lag({c._name}, {offset}, {default})")


def lead(col: ColumnOrName, offset: int = 1, default: Any = None) -> Column:
    """The value ``offset`` rows after the current row in the window."""
    c = _name_col(col)
    return Column._call("lead", [c, lit(offset), lit(default)], f"lead({c._name}, {offset}, {default})")


def nth_value(col: ColumnOrName, offset: int, ignoreNulls: bool = False) -> Column:
    c = _name_col(col)
    return Column._call("nth_value", [c, _cast(lit(offset), LongType())], f"nth_value({c._name}, {offset})")


# ---- strings ---------------------------------------------------------------------------------

upper = _unary("upper", "upper", doc="The string in upper case.")
lower = _unary("lower", "lower", doc="The string in lower case.")
length = _unary("length", "character_length", "length", "The number of characters.")
char_length = length
trim = _unary("trim", "btrim", "trim", "The string without leading and trailing spaces.")
ltrim = _unary("ltrim", "ltrim")
rtrim = _unary("rtrim", "rtrim")
reverse = _unary("reverse", "reverse")
initcap = _unary("initcap", "initcap")
ascii = _unary("ascii", "ascii")
md5 = _unary("md5", "md5")
bit_length = _unary("bit_length", "bit_length")
octet_length = _unary("octet_length", "octet_length")


def concat(*cols: ColumnOrName) -> Column:
    """The strings joined; NULL when any is NULL (Spark's rule).

    >>> spark.createDataFrame([("a", "b", None)], "x STRING, y STRING, z STRING").select(concat("x", "y"), concat("x", "z")).collect()
    [Row(concat(x, y)='ab', concat(x, z)=None)]
    """
    args = [_name_col(c) for c in cols]
    if not args:
        return lit("")
    out = args[0]
    for a in args[1:]:
        out = out._binary("||", a)
    return _named(out, "concat(" + ", ".join(a._name for a in args) + ")")


def concat_ws(sep: str, *cols: ColumnOrName) -> Column:
    """The non-NULL strings joined by ``sep``."""
    args = [_name_col(c) for c in cols]
    return Column._call("concat_ws", [lit(sep)] + args,
                        f"concat_ws({sep}, " + ", ".join(a._name for a in args) + ")")


def substring(str: ColumnOrName, pos: int, len: int) -> Column:
    """``len`` characters from 1-based ``pos``."""
    c = _name_col(str)
    return Column._call("substr", [c, lit(pos), lit(len)], f"substring({c._name}, {pos}, {len})")


def lpad(col: ColumnOrName, len: int, pad: str) -> Column:
    c = _name_col(col)
    return Column._call("lpad", [c, lit(len), lit(pad)], f"lpad({c._name}, {len}, {pad})")


def rpad(col: ColumnOrName, len: int, pad: str) -> Column:
    c = _name_col(col)
    return Column._call("rpad", [c, lit(len), lit(pad)], f"rpad({c._name}, {len}, {pad})")


def repeat(col: ColumnOrName, n: int) -> Column:
    c = _name_col(col)
    return Column._call("repeat", [c, lit(n)], f"repeat({c._name}, {n})")


def instr(str: ColumnOrName, substr: str) -> Column:
    """The 1-based position of the first ``substr`` in ``str`` (0 if absent)."""
    c = _name_col(str)
    return Column._call("strpos", [c, lit(substr)], f"instr({c._name}, {substr})")


def locate(substr: str, str: ColumnOrName, pos: int = 1) -> Column:
    c = _name_col(str)
    if pos != 1:
        tail = Column._call("substr", [c, lit(pos)], c._name)
        found = Column._call("strpos", [tail, lit(substr)], "")
        return _named(when(found > 0, found + (pos - 1)).otherwise(0), f"locate({substr}, {c._name}, {pos})")
    return Column._call("strpos", [c, lit(substr)], f"locate({substr}, {c._name}, 1)")


def _java_regex(pattern: str) -> str:
    """Java regular expressions mostly read the same in Rust's regex; named groups differ."""
    return pattern.replace("(?<", "(?P<").replace("(?P<=", "(?<=").replace("(?P<!", "(?<!")


_REGEX_META = re.compile(r"[\\^$.|?*+()\[\]{}]")


def split(str: ColumnOrName, pattern: str, limit: int = -1) -> Column:
    """The string split around matches of the regular expression ``pattern``.

    >>> spark.createDataFrame([("a b  c",)], ["s"]).select(split("s", " ").alias("w")).collect()
    [Row(w=['a', 'b', '', 'c'])]
    """
    c = _name_col(str)
    if not isinstance(pattern, type("")):
        raise TypeError(f"[NOT_STR] Argument `pattern` should be a str, got {type(pattern).__name__}.")
    shown = f"split({c._name}, {pattern}, {limit})"
    if limit <= 0 and not _REGEX_META.search(pattern):
        return Column._call("string_to_array", [c, lit(pattern)], shown)
    return Column._call("split", [c, lit(_java_regex(pattern)), lit(limit)], shown)


def regexp_replace(string: ColumnOrName, pattern: Union[str, Column], replacement: Union[str, Column]) -> Column:
    """Every match of ``pattern`` replaced (``$1`` refers to a group).

    >>> spark.createDataFrame([("100-200",)], ["s"]).select(regexp_replace("s", r"(\\d+)", "<$1>").alias("r")).collect()
    [Row(r='<100>-<200>')]
    """
    c = _name_col(string)
    p = lit(_java_regex(pattern)) if isinstance(pattern, type("")) else pattern
    rep = lit(re.sub(r"\$(\d+)", r"${\1}", replacement)) if isinstance(replacement, type("")) else replacement
    return Column._call("regexp_replace", [c, p, rep, lit("g")],
                        f"regexp_replace({c._name}, {p._name}, {rep._name}, 1)")


def regexp_extract(str: ColumnOrName, pattern: str, idx: int) -> Column:
    """Group ``idx`` (0: the whole match) of the first match, or ``""`` when none."""
    c = _name_col(str)
    whole = f"({_java_regex(pattern)})"
    m = Column._call("regexp_match", [c, lit(whole)], "")
    item = Column._call("array_element", [m, lit(idx + 1)], "")
    return _named(coalesce(item, when(c.isNotNull(), lit(""))),
                  f"regexp_extract({c._name}, {pattern}, {idx})")


def translate(srcCol: ColumnOrName, matching: str, replace: str) -> Column:
    c = _name_col(srcCol)
    return Column._call("translate", [c, lit(matching), lit(replace)],
                        f"translate({c._name}, {matching}, {replace})")


def levenshtein(left: ColumnOrName, right: ColumnOrName) -> Column:
    return _call("levenshtein", "levenshtein", _name_col(left), _name_col(right))


def sha2(col: ColumnOrName, numBits: int) -> Column:
    c = _name_col(col)
    fn = {0: "sha256", 224: "sha224", 256: "sha256", 384: "sha384", 512: "sha512"}.get(numBits)
    if fn is None:
        raise ValueError(f"sha2: numBits must be 224, 256, 384, 512 or 0, got {numBits}")
    return Column._call("encode", [Column._call(fn, [c], ""), lit("hex")], f"sha2({c._name}, {numBits})")


# ---- math ------------------------------------------------------------------------------------

abs = _unary("abs", "abs")
sqrt = _unary("sqrt", "sqrt", "SQRT")
exp = _unary("exp", "exp", "EXP")
log10 = _unary("log10", "log10", "LOG10")
log2 = _unary("log2", "log2", "LOG2")
sin = _unary("sin", "sin", "SIN")
cos = _unary("cos", "cos", "COS")
tan = _unary("tan", "tan", "TAN")
asin = _unary("asin", "asin", "ASIN")
acos = _unary("acos", "acos", "ACOS")
atan = _unary("atan", "atan", "ATAN")
signum = _unary("signum", "signum", "SIGNUM")
degrees = _unary("degrees", "degrees", "DEGREES")
radians = _unary("radians", "radians", "RADIANS")
cbrt = _unary("cbrt", "cbrt", "CBRT")
isnan = _unary("isnan", "isnan")


def log(arg1: Union[ColumnOrName, float], arg2: Optional[ColumnOrName] = None) -> Column:
    """The natural logarithm of ``arg1``, or with two arguments the logarithm of ``arg2`` in
    base ``arg1``."""
    if arg2 is None:
        c = _name_col(arg1)  # type: ignore[arg-type]
        return Column._call("ln", [c], f"ln({c._name})")
    b, c = _to_col(arg1), _name_col(arg2)
    return Column._call("log", [b, c], f"LOG({b._name}, {c._name})")


ln = _unary("ln", "ln")
log1p = _unary("log1p", "ln", "LOG1P")


def pow(col1: Union[ColumnOrName, float], col2: Union[ColumnOrName, float]) -> Column:
    a = col1 if isinstance(col1, Column) else (_name_col(col1) if isinstance(col1, type("")) else lit(float(col1)))
    b = col2 if isinstance(col2, Column) else (_name_col(col2) if isinstance(col2, type("")) else lit(float(col2)))
    return Column._call("power", [_cast(a, DoubleType()), _cast(b, DoubleType())], f"POWER({a._name}, {b._name})")


power = pow


def round(col: ColumnOrName, scale: int = 0) -> Column:
    """Rounded to ``scale`` decimals, halves away from zero."""
    c = _name_col(col)
    return Column._call("round", [c, lit(scale)], f"round({c._name}, {scale})")


def floor(col: ColumnOrName) -> Column:
    c = _name_col(col)
    return _named(_cast(Column._call("floor", [c], ""), LongType()), f"FLOOR({c._name})")


def ceil(col: ColumnOrName) -> Column:
    c = _name_col(col)
    return _named(_cast(Column._call("ceil", [c], ""), LongType()), f"CEIL({c._name})")


ceiling = ceil


def greatest(*cols: ColumnOrName) -> Column:
    args = [_name_col(c) for c in cols]
    return Column._call("greatest", args, "greatest(" + ", ".join(a._name for a in args) + ")")


def least(*cols: ColumnOrName) -> Column:
    args = [_name_col(c) for c in cols]
    return Column._call("least", args, "least(" + ", ".join(a._name for a in args) + ")")


def rand(seed: Optional[int] = None) -> Column:
    """A uniform random number in [0, 1) per row (the seed is not honoured)."""
    return Column._call("random", [], f"rand({seed})")


def pi() -> Column:
    return Column._call("pi", [], "PI()")


# ---- NULLs and conditionals ------------------------------------------------------------------


def coalesce(*cols: ColumnOrName) -> Column:
    """The first non-NULL value."""
    args = [_name_col(c) for c in cols]
    return Column._call("coalesce", args, "coalesce(" + ", ".join(a._name for a in args) + ")")


def isnull(col: ColumnOrName) -> Column:
    return _named(_name_col(col).isNull(), f"({_name_col(col)._name} IS NULL)")


def isnotnull(col: ColumnOrName) -> Column:
    return _name_col(col).isNotNull()


def ifnull(col1: ColumnOrName, col2: ColumnOrName) -> Column:
    return _call("coalesce", "ifnull", _name_col(col1), _name_col(col2))


nvl = ifnull


def nullif(col1: ColumnOrName, col2: ColumnOrName) -> Column:
    return _call("nullif", "nullif", _name_col(col1), _name_col(col2))


def nanvl(col1: ColumnOrName, col2: ColumnOrName) -> Column:
    return _call("nanvl", "nanvl", _name_col(col1), _name_col(col2))


# ---- dates and times -------------------------------------------------------------------------

_JAVA_TO_CHRONO = [
    ("yyyy", "%Y"), ("yy", "%y"), ("MMMM", "%B"), ("MMM", "%b"), ("MM", "%m"), ("dd", "%d"),
    ("HH", "%H"), ("hh", "%I"), ("mm", "%M"), ("ss", "%S"), ("SSSSSS", "%6f"), ("SSS", "%3f"),
    ("EEEE", "%A"), ("EEE", "%a"), ("a", "%p"), ("XXX", "%:z"), ("Z", "%z"),
]


def _chrono(fmt: str) -> str:
    """A Java date pattern (``yyyy-MM-dd HH:mm:ss``) as a chrono format (``%Y-%m-%d ...``)."""
    out, i = [], 0
    while i < len(fmt):
        if fmt[i] == "'":
            j = fmt.find("'", i + 1)
            j = len(fmt) if j < 0 else j
            out.append(fmt[i + 1:j].replace("%", "%%") or "'")
            i = j + 1
            continue
        for java, chrono in _JAVA_TO_CHRONO:
            if fmt.startswith(java, i):
                out.append(chrono)
                i += len(java)
                break
        else:
            out.append("%%" if fmt[i] == "%" else fmt[i])
            i += 1
    return "".join(out)


def current_date() -> Column:
    return Column._call("current_date", [], "current_date()")


def current_timestamp() -> Column:
    return Column._call("now", [], "current_timestamp()")


now = current_timestamp


def _part(part: str, shown: str) -> Callable[[ColumnOrName], Column]:
    def f(col: ColumnOrName) -> Column:
        c = _name_col(col)
        return _named(_cast(Column._call("date_part", [lit(part), c], ""), IntegerType()), f"{shown}({c._name})")

    f.__name__ = f.__qualname__ = shown
    f.__doc__ = f"The {part} of a date or timestamp, as an integer."
    return f


year = _part("year", "year")
quarter = _part("quarter", "quarter")
month = _part("month", "month")
dayofmonth = _part("day", "dayofmonth")
day = dayofmonth
dayofyear = _part("doy", "dayofyear")
hour = _part("hour", "hour")
minute = _part("minute", "minute")
second = _part("second", "second")
weekofyear = _part("week", "weekofyear")


def dayofweek(col: ColumnOrName) -> Column:
    """The day of the week, 1 (Sunday) to 7 (Saturday)."""
    c = _name_col(col)
    d = _cast(Column._call("date_part", [lit("dow"), c], ""), IntegerType())
    return _named(d + 1, f"dayofweek({c._name})")


def to_date(col: ColumnOrName, format: Optional[str] = None) -> Column:
    """A string (``yyyy-MM-dd``, or in a Java pattern ``format``) or timestamp as a date."""
    c = _name_col(col)
    if format is None:
        return _named(_cast(c, DateType()), f"to_date({c._name})")
    return Column._call("to_date", [c, lit(_chrono(format))], f"to_date({c._name}, {format})")


def to_timestamp(col: ColumnOrName, format: Optional[str] = None) -> Column:
    c = _name_col(col)
    if format is None:
        return _named(_cast(c, TimestampType()), f"to_timestamp({c._name})")
    return Column._call("to_timestamp_micros", [c, lit(_chrono(format))], f"to_timestamp({c._name}, {format})")


def date_format(date: ColumnOrName, format: str) -> Column:
    """A date or timestamp as a string in the Java pattern ``format``."""
    c = _name_col(date)
    return Column._call("to_char", [c, lit(_chrono(format))], f"date_format({c._name}, {format})")


def _days(c: Column) -> Column:
    return _cast(_cast(c, DateType()), IntegerType())


def date_add(start: ColumnOrName, days: Union[int, Column]) -> Column:
    c = _name_col(start)
    n = _to_col(days)
    return _named(_cast(_days(c) + n, DateType()), f"date_add({c._name}, {n._name})")


def date_sub(start: ColumnOrName, days: Union[int, Column]) -> Column:
    c = _name_col(start)
    n = _to_col(days)
    return _named(_cast(_days(c) - n, DateType()), f"date_sub({c._name}, {n._name})")


def datediff(end: ColumnOrName, start: ColumnOrName) -> Column:
    """The number of days from ``start`` to ``end``."""
    e, s = _name_col(end), _name_col(start)
    return _named(_days(e) - _days(s), f"datediff({e._name}, {s._name})")


def date_trunc(format: str, timestamp: ColumnOrName) -> Column:
    c = _name_col(timestamp)
    return Column._call("date_trunc", [lit(format.lower()), c], f"date_trunc({format}, {c._name})")


def trunc(date: ColumnOrName, format: str) -> Column:
    c = _name_col(date)
    unit = {"yy": "year", "yyyy": "year", "mm": "month", "mon": "month"}.get(format.lower(), format.lower())
    return _named(_cast(Column._call("date_trunc", [lit(unit), c], ""), DateType()), f"trunc({c._name}, {format})")


def unix_timestamp(timestamp: Optional[ColumnOrName] = None, format: str = "yyyy-MM-dd HH:mm:ss") -> Column:
    if timestamp is None:
        return _named(_cast(Column._call("date_part", [lit("epoch"), current_timestamp()], ""), LongType()),
                      "unix_timestamp(current_timestamp())")
    c = _name_col(timestamp)
    ts = Column._call("to_timestamp_seconds", [c, lit(_chrono(format))], "")
    return _named(_cast(ts, LongType()), f"unix_timestamp({c._name}, {format})")


def from_unixtime(timestamp: ColumnOrName, format: str = "yyyy-MM-dd HH:mm:ss") -> Column:
    c = _name_col(timestamp)
    ts = Column._call("from_unixtime", [c], "")
    return _named(Column._call("to_char", [ts, lit(_chrono(format))], ""), f"from_unixtime({c._name}, {format})")


# ---- arrays, maps, structs -------------------------------------------------------------------


def array(*cols: ColumnOrName) -> Column:
    args = [_name_col(c) for c in (cols[0] if len(cols) == 1 and isinstance(cols[0], list) else cols)]
    return Column._call("make_array", args, "array(" + ", ".join(a._name for a in args) + ")")


def array_contains(col: ColumnOrName, value: Any) -> Column:
    c, v = _name_col(col), _to_col(value)
    return Column._call("array_has", [c, v], f"array_contains({c._name}, {v._name})")


def size(col: ColumnOrName) -> Column:
    """The number of elements of an array or map."""
    c = _name_col(col)
    return _named(_cast(Column._call("cardinality", [c], ""), IntegerType()), f"size({c._name})")


array_size = size
array_distinct = _unary("array_distinct", "array_distinct")
array_max = _unary("array_max", "array_max")
array_min = _unary("array_min", "array_min")
flatten = _unary("flatten", "flatten")
map_keys = _unary("map_keys", "map_keys")
map_values = _unary("map_values", "map_values")


def sort_array(col: ColumnOrName, asc: bool = True) -> Column:
    c = _name_col(col)
    return Column._call("array_sort", [c, lit("ASC" if asc else "DESC"), lit("NULLS FIRST" if asc else "NULLS LAST")],
                        f"sort_array({c._name}, {'true' if asc else 'false'})")


def array_join(col: ColumnOrName, delimiter: str, null_replacement: Optional[str] = None) -> Column:
    c = _name_col(col)
    args = [c, lit(delimiter)] + ([lit(null_replacement)] if null_replacement is not None else [])
    return Column._call("array_to_string", args, f"array_join({c._name}, {delimiter})")


def element_at(col: ColumnOrName, extraction: Any) -> Column:
    """The element at 1-based index ``extraction`` of an array, or at key of a map."""
    c, e = _name_col(col), _to_col(extraction)
    fn = "array_element" if isinstance(extraction, int) else "get_field"
    return Column._call(fn, [c, e], f"element_at({c._name}, {e._name})")


def array_position(col: ColumnOrName, value: Any) -> Column:
    c, v = _name_col(col), _to_col(value)
    pos = Column._call("array_position", [c, v], "")
    return _named(_cast(coalesce(pos, lit(0)), LongType()), f"array_position({c._name}, {v._name})")


def array_remove(col: ColumnOrName, element: Any) -> Column:
    c, v = _name_col(col), _to_col(element)
    return Column._call("array_remove_all", [c, v], f"array_remove({c._name}, {v._name})")


def slice(x: ColumnOrName, start: Union[int, Column], length: Union[int, Column]) -> Column:
    c, s, n = _name_col(x), _to_col(start), _to_col(length)
    return _named(Column._call("array_slice", [c, s, s + n - 1], ""), f"slice({c._name}, {s._name}, {n._name})")


def array_union(col1: ColumnOrName, col2: ColumnOrName) -> Column:
    return _call("array_union", "array_union", _name_col(col1), _name_col(col2))


def array_intersect(col1: ColumnOrName, col2: ColumnOrName) -> Column:
    return _call("array_intersect", "array_intersect", _name_col(col1), _name_col(col2))


def array_except(col1: ColumnOrName, col2: ColumnOrName) -> Column:
    return _call("array_except", "array_except", _name_col(col1), _name_col(col2))


def struct(*cols: ColumnOrName) -> Column:
    """A struct of the columns, fields named after them."""
    args = [_name_col(c) for c in (cols[0] if len(cols) == 1 and isinstance(cols[0], list) else cols)]
    pairs: list[Column] = []
    for a in args:
        pairs += [lit(a._name), a]
    return Column._call("named_struct", pairs, "struct(" + ", ".join(a._name for a in args) + ")")


def create_map(*cols: ColumnOrName) -> Column:
    args = [_to_col(c) if not isinstance(c, type("")) else _name_col(c) for c in cols]
    keys, values = args[0::2], args[1::2]
    return Column._call("map", [Column._call("make_array", keys, ""), Column._call("make_array", values, "")],
                        "map(" + ", ".join(a._name for a in args) + ")")


def _generator(kind: str, col: ColumnOrName) -> Column:
    c = _name_col(col)

    def build(r: _Resolver) -> Any:
        raise ValueError(f"{kind} can only be used at the top of a select list")

    return Column(build, "col", generator=(kind, c))


def explode(col: ColumnOrName) -> Column:
    """One row per element of an array (rows with NULL or empty arrays disappear).

    >>> df = spark.createDataFrame([("a b",)], ["s"])
    >>> df.select(explode(split(df.s, " ")).alias("w")).collect()
    [Row(w='a'), Row(w='b')]
    """
    return _generator("explode", col)


def explode_outer(col: ColumnOrName) -> Column:
    """As ``explode``, with one NULL row for a NULL or empty array."""
    return _generator("explode_outer", col)


__all__ = [n for n, v in list(globals().items())
           if not n.startswith("_") and callable(v) and getattr(v, "__module__", "") in (__name__, "ember.sql.udf")
           and n not in ("Column", "DataType")]

