"""Arrow <-> Spark types, and rows of Python values <-> Arrow tables (``ember.sql.types``
re-exports these names).

The type mapping is pyspark's (``pyspark.sql.pandas.types``): ``TimestampType`` is an Arrow
``timestamp[us, tz=UTC]`` (an instant), ``TimestampNTZType`` a ``timestamp[us]`` (a wall
clock), ``DateType`` a ``date32``, ``DecimalType(p, s)`` a ``decimal128(p, s)``, ``ArrayType``
a ``list``, ``MapType`` a ``map``, ``StructType`` a ``struct``; field metadata travels in the
Arrow field metadata under ``SPARK::metadata::json``. Reading Arrow also accepts what an
engine may produce: ``large_string``/``string_view``, ``large_binary``/``binary_view``,
``large_list``/``list_view``/``fixed_size_list``, dictionary-encoded columns, timestamps of
any unit or zone, ``date64``, ``float16``, and unsigned integers (as the smallest signed Spark
type holding them: ``uint64`` becomes ``decimal(20,0)``).

Python values are pyspark's: timestamps are naive ``datetime``\\s in the local time zone
(``TimestampType``) or wall clocks (``TimestampNTZType``), binary values ``bytearray``\\s,
structs :class:`Row`\\s, maps ``dict``\\s.
"""

from __future__ import annotations

import calendar
import datetime
import decimal
import gc
import json
import time
from collections.abc import Callable, Iterable
from typing import Any

import pyarrow as pa
import pyarrow.types as pat

from ember.sql._types_infer import (
    _create_converter,
    _need_converter,
    _to_string,
    _verify_values,
)
from ember.sql._types_row import _row_class
from ember.sql.types import (
    ArrayType,
    BinaryType,
    BooleanType,
    ByteType,
    CharType,
    DataType,
    DateType,
    DecimalType,
    DoubleType,
    FloatType,
    IntegerType,
    LongType,
    MapType,
    NullType,
    Row,
    ShortType,
    StringType,
    StructField,
    StructType,
    TimestampNTZType,
    TimestampType,
    VarcharType,
    _error,
)

__all__ = [
    "to_arrow_type",
    "from_arrow_type",
    "to_arrow_schema",
    "from_arrow_schema",
    "rows_to_arrow",
    "arrow_to_rows",
]

_METADATA_KEY = b"SPARK::metadata::json"
_EPOCH = datetime.datetime(1970, 1, 1)

# --- types -------------------------------------------------------------------------------

_SIMPLE_TO_ARROW: dict[type, Callable[[], pa.DataType]] = {
    BooleanType: pa.bool_,
    ByteType: pa.int8,
    ShortType: pa.int16,
    IntegerType: pa.int32,
    LongType: pa.int64,
    FloatType: pa.float32,
    DoubleType: pa.float64,
    StringType: pa.string,
    CharType: pa.string,
    VarcharType: pa.string,
    BinaryType: pa.binary,
    DateType: pa.date32,
    TimestampNTZType: lambda: pa.timestamp("us"),
    NullType: pa.null,
}


def _unsupported_arrow(data_type: Any) -> TypeError:
    return _error(
        TypeError,
        "UNSUPPORTED_DATA_TYPE_FOR_ARROW_CONVERSION",
        f"{data_type} is not supported in conversion to Arrow.",
    )


def _arrow_metadata(metadata: dict[str, Any] | None) -> dict[bytes, bytes] | None:
    if metadata:
        return {_METADATA_KEY: json.dumps(metadata).encode("utf-8")}
    return None


def _spark_metadata(metadata: dict[bytes, bytes] | None) -> dict[str, Any] | None:
    if metadata and _METADATA_KEY in metadata:
        return json.loads(metadata[_METADATA_KEY].decode("utf-8"))
    return None


def to_arrow_type(dt: DataType, *, timezone: str = "UTC") -> pa.DataType:
    """The Arrow type of a Spark type (``timezone`` is the zone of ``TimestampType``).

    >>> to_arrow_type(LongType()), to_arrow_type(TimestampType())
    (DataType(int64), TimestampType(timestamp[us, tz=UTC]))
    >>> to_arrow_type(MapType(StringType(), ArrayType(IntegerType(), False)))
    MapType(map<string, list<element: int32 not null>>)
    """
    build = _SIMPLE_TO_ARROW.get(type(dt))
    if build is not None:
        return build()
    if isinstance(dt, TimestampType):
        return pa.timestamp("us", tz=timezone)
    if isinstance(dt, DecimalType):
        return pa.decimal128(dt.precision, dt.scale)
    if isinstance(dt, ArrayType):
        element = to_arrow_type(dt.elementType, timezone=timezone)
        return pa.list_(pa.field("element", element, nullable=dt.containsNull))
    if isinstance(dt, MapType):
        key = pa.field("key", to_arrow_type(dt.keyType, timezone=timezone), nullable=False)
        value = pa.field(
            "value",
            to_arrow_type(dt.valueType, timezone=timezone),
            nullable=dt.valueContainsNull,
        )
        return pa.map_(key, value)
    if isinstance(dt, StructType):
        return pa.struct([_to_arrow_field(f, timezone) for f in dt.fields])
    raise _unsupported_arrow(dt)


def _to_arrow_field(field: StructField, timezone: str) -> pa.Field:
    return pa.field(
        field.name,
        to_arrow_type(field.dataType, timezone=timezone),
        nullable=field.nullable,
        metadata=_arrow_metadata(field.metadata),
    )


def to_arrow_schema(schema: StructType, *, timezone: str = "UTC") -> pa.Schema:
    """The Arrow schema of a Spark schema.

    >>> to_arrow_schema(StructType().add("a", "long", False).add("b", "string"))
    a: int64 not null
    b: string
    """
    if not isinstance(schema, StructType):
        raise TypeError(f"schema should be a StructType, got {type(schema).__name__}")
    return pa.schema([_to_arrow_field(f, timezone) for f in schema.fields])


# Arrow type predicates -> Spark type, for the types without parameters.
_SIMPLE_FROM_ARROW: list[tuple[Callable[[pa.DataType], bool], Callable[[], DataType]]] = [
    (pat.is_boolean, BooleanType),
    (pat.is_int8, ByteType),
    (pat.is_int16, ShortType),
    (pat.is_int32, IntegerType),
    (pat.is_int64, LongType),
    (pat.is_uint8, ShortType),
    (pat.is_uint16, IntegerType),
    (pat.is_uint32, LongType),
    (pat.is_uint64, lambda: DecimalType(20, 0)),
    (pat.is_float16, FloatType),
    (pat.is_float32, FloatType),
    (pat.is_float64, DoubleType),
    (pat.is_string, StringType),
    (pat.is_large_string, StringType),
    (pat.is_string_view, StringType),
    (pat.is_binary, BinaryType),
    (pat.is_large_binary, BinaryType),
    (pat.is_fixed_size_binary, BinaryType),
    (pat.is_binary_view, BinaryType),
    (pat.is_date32, DateType),
    (pat.is_date64, DateType),
    (pat.is_null, NullType),
]


def _is_list_like(at: pa.DataType) -> bool:
    return (
        pat.is_list(at)
        or pat.is_large_list(at)
        or pat.is_fixed_size_list(at)
        or pat.is_list_view(at)
        or pat.is_large_list_view(at)
    )


def from_arrow_type(at: pa.DataType, prefer_timestamp_ntz: bool = True) -> DataType:
    """The Spark type of an Arrow type. A timestamp without a time zone is a
    ``TimestampNTZType`` (a ``TimestampType`` when ``prefer_timestamp_ntz`` is false).

    >>> from_arrow_type(pa.string_view()), from_arrow_type(pa.timestamp("ns", "Europe/Paris"))
    (StringType(), TimestampType())
    >>> from_arrow_type(pa.large_list(pa.field("item", pa.int32(), nullable=False)))
    ArrayType(IntegerType(), False)
    """
    for predicate, build in _SIMPLE_FROM_ARROW:
        if predicate(at):
            return build()
    if pat.is_decimal(at):
        return DecimalType(at.precision, at.scale)
    if pat.is_timestamp(at):
        if at.tz is None and prefer_timestamp_ntz:
            return TimestampNTZType()
        return TimestampType()
    if pat.is_map(at):
        return MapType(
            from_arrow_type(at.key_type, prefer_timestamp_ntz),
            from_arrow_type(at.item_type, prefer_timestamp_ntz),
            at.item_field.nullable,
        )
    if _is_list_like(at):
        return ArrayType(
            from_arrow_type(at.value_type, prefer_timestamp_ntz), at.value_field.nullable
        )
    if pat.is_struct(at):
        return StructType(
            [_from_arrow_field(at.field(i), prefer_timestamp_ntz) for i in range(at.num_fields)]
        )
    if pat.is_dictionary(at):
        return from_arrow_type(at.value_type, prefer_timestamp_ntz)
    raise _unsupported_arrow(at)


def _from_arrow_field(field: pa.Field, prefer_timestamp_ntz: bool) -> StructField:
    return StructField(
        field.name,
        from_arrow_type(field.type, prefer_timestamp_ntz),
        nullable=field.nullable,
        metadata=_spark_metadata(field.metadata),
    )


def from_arrow_schema(arrow_schema: pa.Schema, prefer_timestamp_ntz: bool = True) -> StructType:
    """The Spark schema of an Arrow schema.

    >>> from_arrow_schema(pa.schema([("a", pa.int64()), ("b", pa.large_string())]))
    StructType([StructField('a', LongType(), True), StructField('b', StringType(), True)])
    """
    return StructType([_from_arrow_field(f, prefer_timestamp_ntz) for f in arrow_schema])


# --- Python rows -> Arrow --------------------------------------------------------------------


def _needs_preparation(dt: DataType) -> bool:
    if isinstance(dt, (TimestampType, TimestampNTZType, DateType, DecimalType)):
        return True
    return isinstance(dt, (ArrayType, MapType, StructType))


def _local_micros(value: datetime.datetime) -> int:
    """A TimestampType value as microseconds since the epoch: naive datetimes are local
    times, aware ones are converted (as pyspark's ``TimestampType.toInternal``)."""
    if value.tzinfo is not None:
        seconds = calendar.timegm(value.utctimetuple())
    else:
        seconds = int(time.mktime(value.timetuple()))
    return seconds * 1_000_000 + value.microsecond


def _decimal_value(value: Any, dt: DecimalType) -> decimal.Decimal | None:
    """``value`` rounded half up to the scale of ``dt`` (as Spark's ``Decimal.set``); NaN is
    null (as in pyspark's verifier); a value needing more digits than the precision fails."""
    d = value if isinstance(value, decimal.Decimal) else decimal.Decimal(value)
    if d.is_nan():
        return None
    try:
        with decimal.localcontext() as ctx:
            ctx.prec = 100
            d = d.quantize(decimal.Decimal(1).scaleb(-dt.scale), rounding=decimal.ROUND_HALF_UP)
    except decimal.InvalidOperation:
        d = None
    if d is None or len(d.as_tuple().digits) > dt.precision:
        raise _error(
            ValueError,
            "NUMERIC_VALUE_OUT_OF_RANGE",
            f"{value} cannot be represented as Decimal({dt.precision}, {dt.scale}).",
        )
    return d


def _preparer(dt: DataType) -> Callable[[Any], Any]:
    """A function turning a converted value (structs as tuples) into what ``pa.array``
    takes for ``to_arrow_type(dt)``."""
    if isinstance(dt, TimestampType):
        return lambda v: None if v is None else _local_micros(v)
    if isinstance(dt, TimestampNTZType):
        return lambda v: None if v is None else v.replace(tzinfo=None)
    if isinstance(dt, DateType):
        return lambda v: v.date() if isinstance(v, datetime.datetime) else v
    if isinstance(dt, DecimalType):
        return lambda v: None if v is None else _decimal_value(v, dt)
    if isinstance(dt, ArrayType):
        element = _preparer(dt.elementType)
        return lambda v: None if v is None else [element(e) for e in v]
    if isinstance(dt, MapType):
        key, item = _preparer(dt.keyType), _preparer(dt.valueType)
        return lambda v: None if v is None else [(key(k), item(i)) for k, i in v.items()]
    if isinstance(dt, StructType):
        fields = [_preparer(f.dataType) for f in dt.fields]
        return lambda v: None if v is None else tuple(p(x) for p, x in zip(fields, v))
    if isinstance(dt, BinaryType):
        return lambda v: bytes(v) if isinstance(v, bytearray) else v
    return lambda v: v


def rows_to_arrow(
    rows: Iterable[Any], schema: StructType, *, verify: bool = True, timezone: str = "UTC"
) -> pa.Table:
    """A table of ``rows`` (tuples, lists, Rows - by position -, dicts or objects - by field
    name -) with ``schema``, values converted as pyspark's ``createDataFrame`` does (string
    fields take ``str(value)``, ``True`` becoming ``'true'``; decimals are rounded half up to
    the field's scale). With ``verify`` the values are first checked against the schema as
    pyspark's ``verifySchema`` does, with its errors.

    >>> schema = StructType().add("name", "string").add("age", "long")
    >>> rows_to_arrow([("Alice", 1), {"age": 2, "name": "Bob"}], schema).to_pydict()
    {'name': ['Alice', 'Bob'], 'age': [1, 2]}
    >>> rows_to_arrow([("Alice", "1")], schema)
    Traceback (most recent call last):
        ...
    TypeError: [FIELD_DATA_TYPE_UNACCEPTABLE_WITH_NAME] field age: LongType() can not accept object '1' in type <class 'str'>.
    """
    if not isinstance(schema, StructType):
        raise TypeError(f"schema should be a StructType, got {type(schema).__name__}")
    tuples = [_row_values(row, schema) for row in rows]
    arrow_schema = to_arrow_schema(schema, timezone=timezone)
    arrays = []
    for i, field in enumerate(schema.fields):
        values = [t[i] for t in tuples]
        if verify:
            _verify_values(values, field.dataType, field.nullable, f"field {field.name}")
        values = _convert_values(values, field.dataType)
        try:
            arrays.append(pa.array(values, type=arrow_schema.field(i).type))
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError) as exc:
            raise TypeError(
                f"cannot convert the values of field {field.name} to {field.dataType!r}: {exc}"
            ) from exc
    return pa.Table.from_arrays(arrays, schema=arrow_schema)


def _row_values(row: Any, schema: StructType) -> tuple | list:
    """The values of a row in the order of the schema's fields (tuples, lists and Rows by
    position, dicts and objects by name)."""
    if isinstance(row, (tuple, list)):
        if len(row) != len(schema.fields):
            raise _error(
                ValueError,
                "FIELD_STRUCT_LENGTH_MISMATCH",
                f"Length of object ({len(row)}) does not match with length of fields "
                f"({len(schema.fields)}).",
            )
        return row
    if isinstance(row, dict):
        return tuple(row.get(name) for name in schema.names)
    if row is not None and hasattr(row, "__dict__"):
        return tuple(row.__dict__.get(name) for name in schema.names)
    raise _error(
        TypeError,
        "FIELD_DATA_TYPE_UNACCEPTABLE",
        f"{schema!r} can not accept object {row!r} in type {type(row)}.",
    )


def _convert_values(values: list[Any], dt: DataType) -> list[Any]:
    """The values of one field as ``pa.array`` takes them for ``to_arrow_type(dt)``: converted
    as pyspark's ``createDataFrame`` does (structs to tuples, strings with ``str``), then
    timestamps, dates and decimals prepared."""
    if isinstance(dt, StringType):
        if not set(map(type, values)).issubset((str, type(None))):
            values = [_to_string(v) for v in values]
    elif _need_converter(dt):
        convert = _create_converter(dt)
        values = [convert(v) for v in values]
    if _needs_preparation(dt):
        prepare = _preparer(dt)
        return [prepare(v) for v in values]
    if isinstance(dt, BinaryType):
        return [bytes(v) if isinstance(v, bytearray) else v for v in values]
    return values


# --- Arrow -> Python rows ----------------------------------------------------------------


def _ranges(arr: pa.Array) -> tuple[list[int], list[int]]:
    """The start and end of each list of a list-like array, in its ``values``."""
    if pat.is_list_view(arr.type) or pat.is_large_list_view(arr.type):
        starts = arr.offsets.to_pylist()
        sizes = arr.sizes.to_pylist()
        return starts, [s + n for s, n in zip(starts, sizes)]
    offsets = arr.offsets.to_pylist()
    return offsets[:-1], offsets[1:]


def _lists(arr: pa.Array) -> tuple[list[bool], list[int], list[int], int, int]:
    """The null flags, starts and ends of the lists of a list-like array, relative to the
    part ``low:high`` of its values that they use."""
    nulls = arr.is_null().to_pylist()
    starts, ends = _ranges(arr)
    used = [i for i, null in enumerate(nulls) if not null]
    low = min((starts[i] for i in used), default=0)
    high = max((ends[i] for i in used), default=0)
    return nulls, [s - low for s in starts], [e - low for e in ends], low, high


def _to_python(arr: pa.Array | pa.ChunkedArray, dt: DataType) -> list:
    """The Python values of an Arrow array read as ``dt``."""
    if isinstance(arr, pa.ChunkedArray):
        out: list = []
        for chunk in arr.chunks:
            out.extend(_to_python(chunk, dt))
        return out
    if pat.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    if pat.is_fixed_size_list(arr.type):
        arr = arr.cast(pa.list_(arr.type.value_field))
    if isinstance(dt, NullType):
        return [None] * len(arr)
    if isinstance(dt, StructType):
        if not pat.is_struct(arr.type):
            raise _mismatch(arr.type, dt)
        children = [_to_python(c, f.dataType) for c, f in zip(arr.flatten(), dt.fields)]
        nulls = arr.is_null().to_pylist() if arr.null_count else [False] * len(arr)
        cls = _row_class(tuple(dt.names))
        return [
            None if null else tuple.__new__(cls, values)
            for null, values in zip(nulls, zip(*children) if children else [()] * len(arr))
        ]
    if isinstance(dt, MapType):
        if not pat.is_map(arr.type):
            raise _mismatch(arr.type, dt)
        nulls, starts, ends, low, high = _lists(arr)
        keys = _to_python(arr.keys.slice(low, high - low), dt.keyType)
        items = _to_python(arr.items.slice(low, high - low), dt.valueType)
        return [
            None if null else dict(zip(keys[s:e], items[s:e]))
            for null, s, e in zip(nulls, starts, ends)
        ]
    if isinstance(dt, ArrayType):
        if not _is_list_like(arr.type):
            raise _mismatch(arr.type, dt)
        nulls, starts, ends, low, high = _lists(arr)
        values = _to_python(arr.values.slice(low, high - low), dt.elementType)
        return [None if null else values[s:e] for null, s, e in zip(nulls, starts, ends)]
    if isinstance(dt, (TimestampType, TimestampNTZType)):
        if not pat.is_timestamp(arr.type):
            raise _mismatch(arr.type, dt)
        micros = arr.cast(pa.timestamp("us", arr.type.tz), safe=False).cast(pa.int64())
        if isinstance(dt, TimestampType):
            return [
                None
                if us is None
                else datetime.datetime.fromtimestamp(us // 1_000_000).replace(
                    microsecond=us % 1_000_000
                )
                for us in micros.to_pylist()
            ]
        return [
            None if us is None else _EPOCH + datetime.timedelta(microseconds=us)
            for us in micros.to_pylist()
        ]
    values = arr.to_pylist()
    if isinstance(dt, BinaryType):
        return [None if v is None else bytearray(v) for v in values]
    if isinstance(dt, DecimalType) and not pat.is_decimal(arr.type):
        return [None if v is None else decimal.Decimal(v) for v in values]
    return values


def _mismatch(at: pa.DataType, dt: DataType) -> TypeError:
    return TypeError(f"cannot read Arrow values of type {at} as {dt!r}")


def arrow_to_rows(table: pa.Table | pa.RecordBatch, schema: StructType | None = None) -> list[Row]:
    """The rows of an Arrow table as :class:`Row`\\s named by ``schema`` (the table's own,
    converted with :func:`from_arrow_schema`, by default), values as pyspark's ``collect()``
    returns them: nested structs become Rows, maps dicts, arrays lists, binary values
    bytearrays, timestamps naive datetimes (local time for ``TimestampType``).

    >>> table = pa.table({"name": ["Alice", None], "tags": [["a"], []]})
    >>> arrow_to_rows(table)
    [Row(name='Alice', tags=['a']), Row(name=None, tags=[])]
    """
    if schema is None:
        schema = from_arrow_schema(table.schema)
    if len(schema.fields) != table.num_columns:
        raise ValueError(
            f"the schema has {len(schema.fields)} fields but the Arrow table has "
            f"{table.num_columns} columns"
        )
    # Creating many tuples at once sets off the cyclic garbage collector again and again, and
    # each pass walks the rows made so far (rows hold no cycles): paused, this is 4x faster.
    paused = gc.isenabled()
    gc.disable()
    try:
        columns = [_to_python(table.column(i), f.dataType) for i, f in enumerate(schema.fields)]
        cls = _row_class(tuple(schema.names))
        if not columns:
            return [tuple.__new__(cls, ()) for _ in range(table.num_rows)]
        return [tuple.__new__(cls, values) for values in zip(*columns)]
    finally:
        if paused:
            gc.enable()
