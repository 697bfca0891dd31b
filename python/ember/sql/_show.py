"""The text of ``DataFrame.show()`` and ``printSchema()``, exactly as Spark 4 prints them.

``show_string`` follows Spark's ``Dataset.showString``: every value becomes Spark's "pretty
string" (``ToPrettyString``: ``NULL`` for nulls, at the top level and inside arrays, maps and
structs; ``true``/``false``; Java's ``Double.toString``/``Float.toString`` for floating point
numbers; decimals in plain notation with their scale; timestamps ``yyyy-MM-dd HH:mm:ss[.ffffff]``
without trailing zeros in the fraction; arrays ``[1, 2]``, maps ``{a -> 1}``, structs ``{1, a}``,
binary ``[01 02]`` in upper-case hex), meta characters are escaped (``\\n`` -> ``\\\\n``),
cells longer than ``truncate`` are cut, and columns are padded to their width counted in
"half widths" (East Asian full-width characters count 2), as Spark does.

Lengths are counted, as in Java, in UTF-16 code units (a character outside the Basic
Multilingual Plane counts 2).
"""

from __future__ import annotations

import datetime
import decimal
import math
import re
import struct
from collections.abc import Sequence
from typing import Any

from ember.sql.types import (
    ArrayType,
    BinaryType,
    BooleanType,
    CharType,
    DataType,
    DateType,
    DecimalType,
    DoubleType,
    FloatType,
    MapType,
    NullType,
    StructField,
    StructType,
    TimestampNTZType,
    TimestampType,
    VarcharType,
    _error,
)

__all__ = ["show_string", "tree_string", "pretty_string", "java_double_string"]

_MINIMUM_COL_WIDTH = 3
_NULL = "NULL"
_INT_MAX = 2147483647

# --- values as Spark's ToPrettyString writes them --------------------------------------------


def pretty_string(value: Any, dataType: DataType) -> str:
    """A value of ``dataType`` as Spark's ``ToPrettyString`` writes it (``df.show()``'s cells,
    before escaping and truncation).

    >>> from ember.sql.types import LongType, Row, StringType
    >>> pretty_string(None, DoubleType()), pretty_string(1e10, DoubleType())
    ('NULL', '1.0E10')
    >>> pretty_string([1, None], ArrayType(DoubleType()))
    '[1.0, NULL]'
    >>> pretty_string({"a": 1, "b": None}, MapType(StringType(), LongType()))
    '{a -> 1, b -> NULL}'
    >>> pretty_string(Row(a=1, b="x"), StructType().add("a", "integer").add("b", "string"))
    '{1, x}'
    >>> pretty_string(bytearray(b"\\x01\\xab"), BinaryType())
    '[01 AB]'
    """
    if value is None or isinstance(dataType, NullType):
        return _NULL
    if isinstance(dataType, BooleanType):
        return "true" if value else "false"
    if isinstance(dataType, DoubleType):
        return java_double_string(float(value))
    if isinstance(dataType, FloatType):
        return _java_float_string(float(value))
    if isinstance(dataType, DecimalType):
        return _decimal_string(value, dataType.scale)
    if isinstance(dataType, BinaryType):
        return "[" + " ".join("%02X" % b for b in bytes(value)) + "]"
    if isinstance(dataType, TimestampType):
        return _timestamp_string(value, local=True)
    if isinstance(dataType, TimestampNTZType):
        return _timestamp_string(value, local=False)
    if isinstance(dataType, DateType):
        if isinstance(value, datetime.datetime):
            value = value.date()
        return "%04d-%02d-%02d" % (value.year, value.month, value.day)
    if isinstance(dataType, ArrayType):
        return "[" + ", ".join(pretty_string(v, dataType.elementType) for v in value) + "]"
    if isinstance(dataType, MapType):
        items = value.items() if isinstance(value, dict) else value
        return (
            "{"
            + ", ".join(
                f"{pretty_string(k, dataType.keyType)} -> {pretty_string(v, dataType.valueType)}"
                for k, v in items
            )
            + "}"
        )
    if isinstance(dataType, StructType):
        if isinstance(value, dict):
            values: Sequence[Any] = [value.get(name) for name in dataType.names]
        elif isinstance(value, (tuple, list)):
            values = value
        else:
            values = [getattr(value, name, None) for name in dataType.names]
        return (
            "{"
            + ", ".join(pretty_string(v, f.dataType) for v, f in zip(values, dataType.fields))
            + "}"
        )
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _decimal_string(value: Any, scale: int) -> str:
    d = value if isinstance(value, decimal.Decimal) else decimal.Decimal(value)
    with decimal.localcontext() as ctx:
        ctx.prec = 100
        d = d.quantize(decimal.Decimal(1).scaleb(-scale), rounding=decimal.ROUND_HALF_UP)
    if d == 0:
        d = abs(d)  # Java's BigDecimal has no negative zero
    return format(d, "f")


def _timestamp_string(value: Any, local: bool) -> str:
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone() if local else value
            value = value.replace(tzinfo=None)
    elif isinstance(value, datetime.date):
        value = datetime.datetime(value.year, value.month, value.day)
    else:
        return str(value)
    text = "%04d-%02d-%02d %02d:%02d:%02d" % (
        value.year,
        value.month,
        value.day,
        value.hour,
        value.minute,
        value.second,
    )
    if value.microsecond:
        text += ("." + "%06d" % value.microsecond).rstrip("0")
    return text


# --- Java's Double.toString and Float.toString -----------------------------------------------


def _neighbours(x: float, single: bool) -> tuple[decimal.Decimal, decimal.Decimal, bool]:
    """The two values of the format adjacent to ``x > 0`` (exactly), and whether ``x``'s
    significand is even (it wins the ties of rounding to nearest)."""
    if single:
        bits = struct.unpack("<I", struct.pack("<f", x))[0]

        def value(b: int) -> float:
            return struct.unpack("<f", struct.pack("<I", b))[0]

    else:
        bits = struct.unpack("<Q", struct.pack("<d", x))[0]

        def value(b: int) -> float:
            return struct.unpack("<d", struct.pack("<Q", b))[0]

    below = decimal.Decimal(value(bits - 1))
    above_value = value(bits + 1)
    exact = decimal.Decimal(x)
    above = exact + (exact - below) if math.isinf(above_value) else decimal.Decimal(above_value)
    return below, above, bits % 2 == 0


def _shortest_decimal(x: float, single: bool) -> decimal.Decimal:
    """The decimal Java 19+ prints for ``x > 0``: among the decimals that round to ``x``, those
    of the fewest digits (when that is one digit, those of one or two digits), then the one
    closest to ``x``, then the one with an even last digit."""
    if not single:
        # Python's repr is the shortest decimal that reads back as x, the closest to x among
        # those: Java's choice too, unless it has a single digit (then Java may take two).
        shortest = decimal.Decimal(repr(x)).normalize()
        if len(shortest.as_tuple().digits) > 1:
            return shortest
    with decimal.localcontext() as ctx:
        ctx.prec = 2000
        exact = decimal.Decimal(x)
        below, above, even = _neighbours(x, single)
        low, high = (exact + below) / 2, (exact + above) / 2

        def rounds_to_x(c: decimal.Decimal) -> bool:
            return low < c < high or (even and (c == low or c == high))

        chosen: list[tuple[decimal.Decimal, int]] = []
        for digits in range(1, 18):
            exponent = exact.adjusted() - digits + 1
            nearest = int(exact.scaleb(-exponent).to_integral_value(decimal.ROUND_HALF_EVEN))
            for n in (nearest - 1, nearest, nearest + 1):
                candidate = decimal.Decimal(n).scaleb(exponent)
                if n > 0 and rounds_to_x(candidate):
                    chosen.append((candidate, n))
            if chosen and digits >= 2:
                break
        best = min(chosen, key=lambda c: (abs(c[0] - exact), c[1] % 2))
        return best[0].normalize()


def _java_format(x: float, single: bool) -> str:
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    sign = "-" if math.copysign(1.0, x) < 0 else ""
    if x == 0:
        return sign + "0.0"
    d = _shortest_decimal(abs(x), single)
    sign_bit, digit_tuple, _ = d.as_tuple()
    digits = "".join(map(str, digit_tuple))
    point = d.adjusted()  # the power of ten of the first digit
    if 1e-3 <= abs(x) < 1e7:
        if point >= 0:
            whole = digits[: point + 1].ljust(point + 1, "0")
            fraction = digits[point + 1 :] or "0"
        else:
            whole, fraction = "0", "0" * (-point - 1) + digits
        return f"{sign}{whole}.{fraction}"
    return f"{sign}{digits[0]}.{digits[1:] or '0'}E{point}"


def java_double_string(x: float) -> str:
    """``x`` as Java's ``Double.toString`` writes it (Java 19+: the shortest decimal that
    reads back as ``x``), which is how Spark shows a double.

    >>> [java_double_string(v) for v in (1.0, 0.1, 1e10, 1e-5, 123456.789, -0.0, 1e7, 5e-324)]
    ['1.0', '0.1', '1.0E10', '1.0E-5', '123456.789', '-0.0', '1.0E7', '4.9E-324']
    >>> java_double_string(float("nan")), java_double_string(float("-inf"))
    ('NaN', '-Infinity')
    """
    return _java_format(x, single=False)


def _java_float_string(x: float) -> str:
    """``x`` rounded to a 32-bit float, as Java's ``Float.toString`` writes it.

    >>> _java_float_string(0.1), _java_float_string(1.5e10), _java_float_string(3.4028235e38)
    ('0.1', '1.5E10', '3.4028235E38')
    """
    (x,) = struct.unpack("<f", struct.pack("<f", x))
    return _java_format(x, single=True)


# --- widths, escaping and truncation as Spark counts them ------------------------------------

# Spark's Utils.stringHalfWidth: the full-width characters (two columns on a terminal).
_FULL_WIDTH = re.compile(
    "[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe10-\ufe19\ufe30-\ufe6f"
    "\uff00-\uff60\uffe0-\uffe6]"
)
_META = str.maketrans(
    {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\f": "\\f", "\b": "\\b", "\v": "\\v", "\a": "\\a"}
)


def _java_length(s: str) -> int:
    """The length of ``s`` in UTF-16 code units, as Java's ``String.length``."""
    return len(s) + sum(1 for c in s if ord(c) > 0xFFFF)


def _half_width(s: str) -> int:
    return _java_length(s) + len(_FULL_WIDTH.findall(s))


def _java_prefix(s: str, units: int) -> str:
    """The first ``units`` UTF-16 code units of ``s`` (Java's ``substring(0, units)``); a
    surrogate pair cut in half leaves its first half, which Java prints as ``?``."""
    out = []
    used = 0
    for c in s:
        size = 2 if ord(c) > 0xFFFF else 1
        if used + size > units:
            if used < units:
                out.append("?")
            break
        out.append(c)
        used += size
    return "".join(out)


def _cell_text(text: str, truncate: int) -> str:
    text = text.translate(_META)
    if truncate > 0 and _java_length(text) > truncate:
        # do not show ellipses for strings shorter than 4 characters
        if truncate < 4:
            return _java_prefix(text, truncate)
        return _java_prefix(text, truncate - 3) + "..."
    return text


def _pad(text: str, width: int, left: bool, fill: str = " ") -> str:
    padding = fill * max(0, width - _half_width(text))
    return padding + text if left else text + padding


# --- show --------------------------------------------------------------------------------


def _truncate_argument(truncate: bool | int) -> int:
    if isinstance(truncate, bool):
        return 20 if truncate else 0
    try:
        return int(truncate)
    except (TypeError, ValueError):
        raise _error(
            TypeError,
            "NOT_EXPECTED_TYPE",
            f"Argument `truncate` should be bool, got {type(truncate).__name__}.",
        ) from None


def show_string(
    rows: Sequence[Any],
    schema: StructType,
    n: int = 20,
    truncate: bool | int = True,
    vertical: bool = False,
    has_more: bool = False,
) -> str:
    """The text ``DataFrame.show(n, truncate, vertical)`` prints, without the final newline
    ``print`` adds (Spark's ``Dataset.showString``).

    ``rows`` are the first rows of the DataFrame (tuples or Rows, values as ``collect()``
    returns them); only the first ``n`` are shown. ``has_more`` says the DataFrame has more
    rows than those shown (so does a ``rows`` longer than ``n``), which adds the footer
    ``only showing top n rows``. ``truncate=True`` cuts cells to 20 characters, an int to that
    many (both align cells right), ``False`` or ``0`` shows them whole, aligned left.

    Examples
    --------
    >>> schema = StructType().add("age", "long").add("name", "string")
    >>> rows = [(14, "Tom"), (23, "Alice"), (16, "Bob"), (19, "This is a super long name")]
    >>> print(show_string(rows, schema))
    +---+--------------------+
    |age|                name|
    +---+--------------------+
    | 14|                 Tom|
    | 23|               Alice|
    | 16|                 Bob|
    | 19|This is a super l...|
    +---+--------------------+
    <BLANKLINE>
    >>> print(show_string(rows, schema, 2))
    +---+-----+
    |age| name|
    +---+-----+
    | 14|  Tom|
    | 23|Alice|
    +---+-----+
    only showing top 2 rows
    """
    if not isinstance(n, int) or isinstance(n, bool):
        raise _error(
            TypeError,
            "NOT_EXPECTED_TYPE",
            f"Argument `n` should be int, got {type(n).__name__}.",
        )
    if not isinstance(vertical, bool):
        raise _error(
            TypeError,
            "NOT_EXPECTED_TYPE",
            f"Argument `vertical` should be bool, got {type(vertical).__name__}.",
        )
    if not isinstance(schema, StructType):
        raise TypeError(f"schema should be a StructType, got {type(schema).__name__}")
    width = _truncate_argument(truncate)
    num_rows = min(max(n, 0), _INT_MAX - 16)
    rows = list(rows)
    has_more = has_more or len(rows) > num_rows
    header = [_cell_text(name, 0) for name in schema.names]
    data = [
        [_cell_text(pretty_string(v, f.dataType), width) for v, f in zip(row, schema.fields)]
        for row in rows[:num_rows]
    ]
    text = _vertical(header, data) if vertical else _table(header, data, width > 0)
    if vertical and not data:
        text += "(0 rows)"
    elif has_more:
        text += f"only showing top {num_rows} {'row' if num_rows == 1 else 'rows'}"
    return text


def _table(header: list[str], data: list[list[str]], align_right: bool) -> str:
    widths = [_MINIMUM_COL_WIDTH] * len(header)
    for row in [header, *data]:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], _half_width(cell))
    separator = "+" + "+".join("-" * w for w in widths) + "+\n"

    def line(row: list[str]) -> str:
        cells = (_pad(cell, widths[i], align_right) for i, cell in enumerate(row))
        return "|" + "|".join(cells) + "|\n"

    return separator + line(header) + separator + "".join(map(line, data)) + separator


def _vertical(header: list[str], data: list[list[str]]) -> str:
    name_width = max([_MINIMUM_COL_WIDTH, *map(_half_width, header)])
    data_width = max([_MINIMUM_COL_WIDTH, *(_half_width(c) for row in data for c in row)])
    out = []
    for i, row in enumerate(data):
        out.append(_pad(f"-RECORD {i}", name_width + data_width + 5, False, "-") + "\n")
        for name, cell in zip(header, row):
            out.append(
                f" {_pad(name, name_width, False)} | {_pad(cell, data_width, False)} \n"
            )
    return "".join(out)


# --- printSchema -------------------------------------------------------------------------


def _jvm_type_name(dt: DataType) -> str:
    if isinstance(dt, (DecimalType, CharType, VarcharType)):
        return dt.simpleString()
    return dt.typeName()


def _tree(dt: DataType, prefix: str, depth: int, out: list[str]) -> None:
    if depth <= 0:
        return
    if isinstance(dt, StructType):
        for field in dt.fields:
            _field_tree(field, prefix, depth, out)
    elif isinstance(dt, ArrayType):
        out.append(
            f"{prefix}-- element: {_jvm_type_name(dt.elementType)} "
            f"(containsNull = {str(dt.containsNull).lower()})\n"
        )
        _tree(dt.elementType, prefix + "    |", depth - 1, out)
    elif isinstance(dt, MapType):
        out.append(f"{prefix}-- key: {_jvm_type_name(dt.keyType)}\n")
        _tree(dt.keyType, prefix + "    |", depth - 1, out)
        out.append(
            f"{prefix}-- value: {_jvm_type_name(dt.valueType)} "
            f"(valueContainsNull = {str(dt.valueContainsNull).lower()})\n"
        )
        _tree(dt.valueType, prefix + "    |", depth - 1, out)


def _field_tree(field: StructField, prefix: str, depth: int, out: list[str]) -> None:
    out.append(
        f"{prefix}-- {field.name.translate(_META)}: {_jvm_type_name(field.dataType)} "
        f"(nullable = {str(field.nullable).lower()})\n"
    )
    _tree(field.dataType, prefix + "    |", depth - 1, out)


def tree_string(schema: StructType, level: int | None = None) -> str:
    """The text ``printSchema(level)`` prints (Spark's ``StructType.treeString``), with its
    final newline: nested types are shown down to ``level`` levels (all of them when ``level``
    is None or not positive).

    >>> from ember.sql.types import IntegerType, StringType
    >>> schema = StructType().add("age", "long").add("name", "string", False)
    >>> print(tree_string(schema), end="")
    root
     |-- age: long (nullable = true)
     |-- name: string (nullable = false)
    >>> nested = StructType().add("m", MapType(StringType(), ArrayType(IntegerType(), False)))
    >>> print(tree_string(nested), end="")
    root
     |-- m: map (nullable = true)
     |    |-- key: string
     |    |-- value: array (valueContainsNull = true)
     |    |    |-- element: integer (containsNull = false)
    >>> print(tree_string(nested, 1), end="")
    root
     |-- m: map (nullable = true)
    """
    if level is not None and (not isinstance(level, int) or isinstance(level, bool)):
        raise _error(
            TypeError,
            "NOT_EXPECTED_TYPE",
            f"Argument `level` should be int, got {type(level).__name__}.",
        )
    depth = level if level is not None and level > 0 else _INT_MAX
    out = ["root\n"]
    for field in schema.fields:
        _field_tree(field, " |", depth, out)
    return "".join(out)
