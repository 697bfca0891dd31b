"""Schema inference from Python values, type merging, and the verification of values against
a schema (pyspark's ``verifySchema``), as pyspark's ``types.py`` does them. ``ember.sql.types``
re-exports these names."""

from __future__ import annotations

import datetime
import decimal
from array import array
from collections.abc import Callable, Iterable
from functools import reduce
from typing import Any

from ember.sql._types_row import _row_fields
from ember.sql.types import (
    ArrayType,
    AtomicType,
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
    "_verify_values",
    "_infer_type",
    "_infer_schema",
    "_merge_type",
    "_has_nulltype",
    "_make_type_verifier",
    "_create_converter",
]

# Python type -> Spark type, for the values pyspark infers directly.
_TYPE_MAPPINGS: dict[type, Callable[[], DataType]] = {
    type(None): NullType,
    bool: BooleanType,
    int: LongType,
    float: DoubleType,
    str: StringType,
    bytearray: BinaryType,
    bytes: BinaryType,
    decimal.Decimal: lambda: DecimalType(38, 18),
    datetime.date: DateType,
    datetime.datetime: TimestampType,
}

# array.array typecodes -> element type (signed C types by size; unsigned ones need one more bit).
_ARRAY_TYPECODES: dict[str, Callable[[], DataType]] = {
    "b": ByteType,
    "h": ShortType,
    "i": IntegerType,
    "l": LongType,
    "B": ShortType,
    "H": IntegerType,
    "I": LongType,
    "f": FloatType,
    "d": DoubleType,
    "u": StringType,
}

_UNSUPPORTED_BY_EMBER = {
    datetime.time: "time",
    datetime.timedelta: "interval day to second",
}


def _unsupported(type_name: str) -> TypeError:
    return _error(TypeError, "UNSUPPORTED_DATA_TYPE", f"Unsupported DataType `{type_name}`.")


def _infer_type(
    obj: Any,
    infer_dict_as_struct: bool = False,
    infer_array_from_first_element: bool = False,
    infer_map_from_first_pair: bool = False,
    prefer_timestamp_ntz: bool = False,
) -> DataType:
    """Infer the DataType of a Python value, as pyspark does.

    >>> _infer_type(1), _infer_type(1.5), _infer_type("a"), _infer_type(None)
    (LongType(), DoubleType(), StringType(), NullType())
    >>> _infer_type([1, None, 2])
    ArrayType(LongType(), True)
    >>> _infer_type({"a": 1.0})
    MapType(StringType(), DoubleType(), True)
    >>> _infer_type(Row(a=1, b="x"))
    StructType([StructField('a', LongType(), True), StructField('b', StringType(), True)])
    """
    options = (
        infer_dict_as_struct,
        infer_array_from_first_element,
        infer_map_from_first_pair,
        prefer_timestamp_ntz,
    )
    build = _TYPE_MAPPINGS.get(type(obj))
    if build is not None:
        if build is TimestampType and prefer_timestamp_ntz and obj.tzinfo is None:
            return TimestampNTZType()
        return build()
    if type(obj) in _UNSUPPORTED_BY_EMBER:
        raise _unsupported(_UNSUPPORTED_BY_EMBER[type(obj)])

    if isinstance(obj, dict):
        return _infer_dict(obj, options)
    if isinstance(obj, list):
        if not obj:
            return ArrayType(NullType(), True)
        if infer_array_from_first_element:
            return ArrayType(_infer_type(obj[0], *options), True)
        return ArrayType(reduce(_merge_type, (_infer_type(v, *options) for v in obj)), True)
    if isinstance(obj, array):
        if obj.typecode not in _ARRAY_TYPECODES:
            raise _unsupported(f"array({obj.typecode})")
        return ArrayType(_ARRAY_TYPECODES[obj.typecode](), False)
    try:
        return _infer_struct(obj, None, *options)
    except TypeError:
        raise _unsupported(type(obj).__name__) from None


def _infer_dict(obj: dict, options: tuple[bool, bool, bool, bool]) -> DataType:
    infer_dict_as_struct, _, infer_map_from_first_pair, _ = options
    if infer_dict_as_struct:
        struct = StructType()
        for key, value in obj.items():
            if key is not None and value is not None:
                struct.add(key, _infer_type(value, *options), True)
        return struct
    if infer_map_from_first_pair:
        for key, value in obj.items():
            if key is not None and value is not None:
                return MapType(_infer_type(key, *options), _infer_type(value, *options), True)
        return MapType(NullType(), NullType(), True)
    key_type: DataType = NullType()
    value_type: DataType = NullType()
    for key, value in obj.items():
        if key is not None:
            key_type = _merge_type(key_type, _infer_type(key, *options))
        if value is not None:
            value_type = _merge_type(value_type, _infer_type(value, *options))
    return MapType(key_type, value_type, True)


def _infer_struct(
    row: Any,
    names: list[str] | None = None,
    infer_dict_as_struct: bool = False,
    infer_array_from_first_element: bool = False,
    infer_map_from_first_pair: bool = False,
    prefer_timestamp_ntz: bool = False,
) -> StructType:
    """The schema of one row: a dict (keys sorted), Row, namedtuple, tuple/list (fields named
    by ``names``, then ``_1``, ``_2``...) or object (its ``__dict__``, sorted) - pyspark's
    ``_infer_schema``."""
    items: Iterable[tuple[str, Any]]
    if isinstance(row, dict):
        items = sorted(row.items())
    elif isinstance(row, (tuple, list)):
        row_fields = _row_fields(row) if isinstance(row, Row) else None
        if row_fields is not None:
            items = zip(row_fields, tuple(row))
        elif hasattr(row, "_fields"):  # namedtuple
            items = zip(row._fields, tuple(row))
        else:
            row_names = list(names) if names is not None else []
            row_names.extend("_%d" % i for i in range(len(row_names) + 1, len(row) + 1))
            items = zip(row_names, row)
    elif hasattr(row, "__dict__"):  # object
        items = sorted(row.__dict__.items())
    else:
        raise _error(
            TypeError,
            "CANNOT_INFER_SCHEMA_FOR_TYPE",
            f"Can not infer schema for type: `{type(row).__name__}`.",
        )
    fields = []
    for name, value in items:
        try:
            data_type = _infer_type(
                value,
                infer_dict_as_struct,
                infer_array_from_first_element,
                infer_map_from_first_pair,
                prefer_timestamp_ntz,
            )
        except TypeError:
            raise _error(
                TypeError,
                "CANNOT_INFER_TYPE_FOR_FIELD",
                f"Unable to infer the type of the field `{name}`.",
            ) from None
        fields.append(StructField(name, data_type, True))
    return StructType(fields)


def _infer_schema(
    rows: Iterable[Any],
    names: list[str] | None = None,
    infer_dict_as_struct: bool = False,
    infer_array_from_first_element: bool = False,
    infer_map_from_first_pair: bool = False,
    prefer_timestamp_ntz: bool = False,
) -> StructType:
    """The schema of a list of rows (tuples, lists, Rows, dicts, namedtuples or objects):
    each row's schema, merged (``None`` takes the other rows' type), as pyspark's
    ``SparkSession._inferSchemaFromList`` does for ``createDataFrame``.

    ``names`` name the fields of tuple and list rows (``_1``, ``_2``... beyond them); dict
    rows give their keys sorted. Unlike ``createDataFrame``, the fields are not renamed to
    ``names`` afterwards: convert the rows with this schema, then rename.

    >>> _infer_schema([(1, "a"), (2, None)])
    StructType([StructField('_1', LongType(), True), StructField('_2', StringType(), True)])
    >>> _infer_schema([{"b": 1, "a": 2.0}])
    StructType([StructField('a', DoubleType(), True), StructField('b', LongType(), True)])
    >>> _infer_schema([(1, None)], ["x", "y"])
    Traceback (most recent call last):
        ...
    ValueError: [CANNOT_DETERMINE_TYPE] Some of types cannot be determined after inferring.
    """
    rows = list(rows)
    if not rows:
        raise _error(
            ValueError, "CANNOT_INFER_EMPTY_SCHEMA", "Can not infer schema from an empty dataset."
        )
    # Rows of a shape already seen (same kind, names and value types, all simple) have the
    # same schema, and merging a schema in again changes nothing: they are skipped.
    simple = _SIMPLE_VALUE_TYPES - ({datetime.datetime} if prefer_timestamp_ntz else set())
    seen: set[tuple] = set()
    schema: StructType | None = None
    for row in rows:
        shape = _row_shape(row, simple)
        if shape is not None:
            if shape in seen:
                continue
            seen.add(shape)
        row_schema = _infer_struct(
            row,
            names,
            infer_dict_as_struct,
            infer_array_from_first_element,
            infer_map_from_first_pair,
            prefer_timestamp_ntz,
        )
        schema = row_schema if schema is None else _merge_type(schema, row_schema)
    assert schema is not None
    if _has_nulltype(schema):
        raise _error(
            ValueError,
            "CANNOT_DETERMINE_TYPE",
            "Some of types cannot be determined after inferring.",
        )
    return schema


_SIMPLE_VALUE_TYPES = set(_TYPE_MAPPINGS)


def _row_shape(row: Any, simple: set[type]) -> tuple | None:
    """A key shared by the rows whose inferred schemas are equal, or None when the row holds
    values (lists, dicts, objects...) whose types alone do not decide their schema."""
    if isinstance(row, dict):
        names: tuple = (dict, *row)
        values: Iterable[Any] = row.values()
    elif isinstance(row, (tuple, list)):
        fields = _row_fields(row) if isinstance(row, Row) else None
        names = (type(row), *(fields or getattr(row, "_fields", ())))
        values = row
    else:
        return None
    types = tuple(map(type, values))
    if not simple.issuperset(types):
        return None
    return names, types


def _has_nulltype(dt: DataType) -> bool:
    """Return whether there is a NullType in `dt` or not"""
    if isinstance(dt, StructType):
        return any(_has_nulltype(f.dataType) for f in dt.fields)
    if isinstance(dt, ArrayType):
        return _has_nulltype(dt.elementType)
    if isinstance(dt, MapType):
        return _has_nulltype(dt.keyType) or _has_nulltype(dt.valueType)
    return isinstance(dt, NullType)


def _merge_type(a: DataType, b: DataType, name: str | None = None) -> DataType:
    """The type of values of types ``a`` and ``b``: NullType yields to the other, an atomic
    type merged with a string is a string, and structs, arrays and maps merge field by field.

    >>> _merge_type(LongType(), NullType())
    LongType()
    >>> _merge_type(LongType(), StringType())
    StringType()
    >>> _merge_type(LongType(), DoubleType())
    Traceback (most recent call last):
        ...
    TypeError: [CANNOT_MERGE_TYPE] Can not merge type `LongType` and `DoubleType`.
    """
    if isinstance(a, NullType):
        return b
    if isinstance(b, NullType):
        return a
    if isinstance(a, TimestampType) and isinstance(b, TimestampNTZType):
        return a
    if isinstance(a, TimestampNTZType) and isinstance(b, TimestampType):
        return b
    if isinstance(a, AtomicType) and isinstance(b, StringType):
        return b
    if isinstance(a, StringType) and isinstance(b, AtomicType):
        return a
    if type(a) is not type(b):
        raise _error(
            TypeError,
            "CANNOT_MERGE_TYPE",
            f"Can not merge type `{type(a).__name__}` and `{type(b).__name__}`.",
        )

    def field_name(n: str) -> str:
        return f"field {n}" if name is None else f"field {n} in {name}"

    if isinstance(a, StructType):
        assert isinstance(b, StructType)
        other = {f.name: f.dataType for f in b.fields}
        fields = [
            StructField(
                f.name,
                _merge_type(f.dataType, other.get(f.name, NullType()), field_name(f.name)),
            )
            for f in a.fields
        ]
        seen = {f.name for f in fields}
        fields.extend(StructField(n, t) for n, t in other.items() if n not in seen)
        return StructType(fields)
    if isinstance(a, ArrayType):
        assert isinstance(b, ArrayType)
        element = _merge_type(a.elementType, b.elementType, f"element in array {name}")
        return ArrayType(element, True)
    if isinstance(a, MapType):
        assert isinstance(b, MapType)
        return MapType(
            _merge_type(a.keyType, b.keyType, f"key of map {name}"),
            _merge_type(a.valueType, b.valueType, f"value of map {name}"),
            True,
        )
    return a


# --- converting rows to tuples ---------------------------------------------------------------


def _need_converter(dt: DataType) -> bool:
    if isinstance(dt, (StructType, NullType, StringType)):
        return True
    if isinstance(dt, ArrayType):
        return _need_converter(dt.elementType)
    if isinstance(dt, MapType):
        return _need_converter(dt.keyType) or _need_converter(dt.valueType)
    return False


def _to_string(value: Any) -> Any:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def _create_converter(dataType: DataType) -> Callable[[Any], Any]:
    """A function turning a Python value of ``dataType`` into its plain form, as pyspark's:
    structs (Rows, dicts, objects) become tuples in the schema's field order, values of
    string fields become ``str`` (``True`` -> ``'true'``), NullType values None.

    >>> conv = _create_converter(StructType().add("a", "long").add("b", "string"))
    >>> conv({"b": True, "a": 1}), conv(Row(a=2, b=None))
    ((1, 'true'), (2, None))
    """
    if not _need_converter(dataType):
        return lambda value: value
    if isinstance(dataType, ArrayType):
        element = _create_converter(dataType.elementType)
        return lambda value: None if value is None else [element(v) for v in value]
    if isinstance(dataType, MapType):
        key = _create_converter(dataType.keyType)
        val = _create_converter(dataType.valueType)
        return lambda value: (
            None if value is None else {key(k): val(v) for k, v in value.items()}
        )
    if isinstance(dataType, NullType):
        return lambda value: None
    if isinstance(dataType, StringType):
        return _to_string
    assert isinstance(dataType, StructType)
    names = list(dataType.names)
    converters = [_create_converter(f.dataType) for f in dataType.fields]

    def convert_struct(obj: Any) -> tuple | None:
        if obj is None:
            return None
        if isinstance(obj, (tuple, list)):
            return tuple(conv(v) for v, conv in zip(obj, converters))
        if isinstance(obj, dict):
            d = obj
        elif hasattr(obj, "__dict__"):
            d = obj.__dict__
        else:
            raise _unsupported(type(obj).__name__)
        return tuple(conv(d.get(n)) for n, conv in zip(names, converters))

    return convert_struct


# --- verifying values against a schema -------------------------------------------------------

_ACCEPTABLE_TYPES: dict[type, tuple[type, ...]] = {
    BooleanType: (bool,),
    ByteType: (int,),
    ShortType: (int,),
    IntegerType: (int,),
    LongType: (int,),
    FloatType: (float,),
    DoubleType: (float,),
    DecimalType: (decimal.Decimal,),
    StringType: (str,),
    CharType: (str,),
    VarcharType: (str,),
    BinaryType: (bytearray, bytes),
    DateType: (datetime.date, datetime.datetime),
    TimestampType: (datetime.datetime,),
    TimestampNTZType: (datetime.datetime,),
    ArrayType: (list, tuple, array),
    MapType: (dict,),
    StructType: (tuple, list, dict),
}

_INT_BOUNDS: dict[type, tuple[int, int]] = {
    ByteType: (-128, 127),
    ShortType: (-32768, 32767),
    IntegerType: (-2147483648, 2147483647),
    LongType: (-9223372036854775808, 9223372036854775807),
}


def _make_type_verifier(
    dataType: DataType, nullable: bool = True, name: str | None = None
) -> Callable[[Any], None]:
    """
    Make a verifier that checks the type of obj against dataType and raises a TypeError if they do
    not match.

    This verifier also checks the value of obj against datatype and raises a ValueError if it's not
    within the allowed range, e.g. using 128 as ByteType will overflow. Note that, Python float is
    not checked, so it will become infinity when cast to Java float, if it overflows.

    Examples
    --------
    >>> _make_type_verifier(StructType([]))(None)
    >>> _make_type_verifier(StringType())("")
    >>> _make_type_verifier(LongType())(0)
    >>> _make_type_verifier(LongType())(1 << 64) # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
        ...
    ValueError:...
    >>> _make_type_verifier(ArrayType(ShortType()))(list(range(3)))
    >>> _make_type_verifier(ArrayType(StringType()))(set()) # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
        ...
    TypeError:...
    >>> _make_type_verifier(MapType(StringType(), IntegerType()))({})
    >>> _make_type_verifier(StructType([]))(())
    >>> _make_type_verifier(StructType([]))([])
    >>> _make_type_verifier(StructType([]))([1]) # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
        ...
    ValueError:...
    >>> # Check if numeric values are within the allowed range.
    >>> _make_type_verifier(ByteType())(12)
    >>> _make_type_verifier(ByteType())(1234) # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
        ...
    ValueError:...
    >>> _make_type_verifier(ByteType(), False)(None) # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
        ...
    ValueError:...
    >>> _make_type_verifier(
    ...     ArrayType(ShortType(), False))([1, None]) # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
        ...
    ValueError:...
    >>> _make_type_verifier(  # doctest: +IGNORE_EXCEPTION_DETAIL
    ...     MapType(StringType(), IntegerType())
    ...     )({None: 1})
    Traceback (most recent call last):
        ...
    ValueError:...
    >>> schema = StructType().add("a", IntegerType()).add("b", StringType(), False)
    >>> _make_type_verifier(schema)((1, None)) # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
        ...
    ValueError:...
    >>> _make_type_verifier(schema)(("1", "x"))
    Traceback (most recent call last):
        ...
    TypeError: [FIELD_DATA_TYPE_UNACCEPTABLE_WITH_NAME] field a: IntegerType() can not accept object '1' in type <class 'str'>.
    """
    prefix = "" if name is None else f"{name}: "
    with_name = "" if name is None else "_WITH_NAME"

    def field_name(n: str) -> str:
        return f"field {n}" if name is None else f"field {n} in {name}"

    def check_nullability(obj: Any) -> bool:
        """True when obj is a null (None or a NaN decimal) that is allowed; raises if not."""
        if obj is None or (isinstance(obj, decimal.Decimal) and obj.is_nan()):
            if nullable:
                return True
            if name is not None:
                raise _error(
                    ValueError,
                    "FIELD_NOT_NULLABLE_WITH_NAME",
                    f"{name}: This field is not nullable, but got None.",
                )
            raise _error(ValueError, "FIELD_NOT_NULLABLE", "Field is not nullable, but got None.")
        return False

    def unacceptable(obj: Any) -> TypeError:
        return _error(
            TypeError,
            "FIELD_DATA_TYPE_UNACCEPTABLE" + with_name,
            f"{prefix}{dataType!r} can not accept object {obj!r} in type {type(obj)}.",
        )

    acceptable = _ACCEPTABLE_TYPES.get(type(dataType))

    def check_type(obj: Any) -> None:
        if acceptable is None:
            raise AssertionError(f"{prefix}unknown datatype: {dataType!r} for object {obj!r}")
        # subclasses (bool for int...) are refused, as in pyspark
        if type(obj) not in acceptable:
            raise unacceptable(obj)

    verify_value: Callable[[Any], None]
    if isinstance(dataType, (StringType, CharType, VarcharType)):

        def verify_value(obj: Any) -> None:
            # strings accept any value: it is converted with str()
            pass

    elif type(dataType) in _INT_BOUNDS:
        lower, upper = _INT_BOUNDS[type(dataType)]

        def verify_value(obj: Any) -> None:
            check_type(obj)
            if obj < lower or obj > upper:
                raise _error(
                    ValueError,
                    "VALUE_OUT_OF_BOUNDS",
                    f"Value for `obj` must be between {lower} and {upper} (inclusive), "
                    f"got {obj}",
                )

    elif isinstance(dataType, ArrayType):
        verify_element = _make_type_verifier(
            dataType.elementType, dataType.containsNull, name=f"element in array {name}"
        )

        def verify_value(obj: Any) -> None:
            check_type(obj)
            for element in obj:
                verify_element(element)

    elif isinstance(dataType, MapType):
        verify_key = _make_type_verifier(dataType.keyType, False, name=f"key of map {name}")
        verify_item = _make_type_verifier(
            dataType.valueType, dataType.valueContainsNull, name=f"value of map {name}"
        )

        def verify_value(obj: Any) -> None:
            check_type(obj)
            for key, item in obj.items():
                verify_key(key)
                verify_item(item)

    elif isinstance(dataType, StructType):
        verifiers = [
            (f.name, _make_type_verifier(f.dataType, f.nullable, name=field_name(f.name)))
            for f in dataType.fields
        ]

        def verify_value(obj: Any) -> None:
            if isinstance(obj, dict):
                for n, verifier in verifiers:
                    verifier(obj.get(n))
            elif isinstance(obj, (tuple, list)):
                if len(obj) != len(verifiers):
                    raise _error(
                        ValueError,
                        "FIELD_STRUCT_LENGTH_MISMATCH" + with_name,
                        f"{prefix}Length of object ({len(obj)}) does not match with length "
                        f"of fields ({len(verifiers)}).",
                    )
                for value, (_, verifier) in zip(obj, verifiers):
                    verifier(value)
            elif hasattr(obj, "__dict__"):
                for n, verifier in verifiers:
                    verifier(obj.__dict__.get(n))
            else:
                raise unacceptable(obj)

    else:

        def verify_value(obj: Any) -> None:
            check_type(obj)

    def verify(obj: Any) -> None:
        if not check_nullability(obj):
            verify_value(obj)

    return verify


def _verify_values(values: list[Any], dataType: DataType, nullable: bool, name: str) -> None:
    """Verify many values of one type, as ``_make_type_verifier(dataType, nullable, name)``
    would one by one (with its errors), checking the types and ranges of plain columns at
    once."""
    verifier = _make_type_verifier(dataType, nullable, name)
    acceptable = _ACCEPTABLE_TYPES.get(type(dataType))
    if acceptable is not None and not isinstance(dataType, (ArrayType, MapType, StructType)):
        types = set(map(type, values))
        has_null = type(None) in types
        types.discard(type(None))
        fine = nullable or not has_null
        if not isinstance(dataType, (StringType, CharType, VarcharType)):
            fine = fine and types.issubset(acceptable)
            if fine and types and type(dataType) in _INT_BOUNDS:
                lower, upper = _INT_BOUNDS[type(dataType)]
                present = [v for v in values if v is not None] if has_null else values
                fine = lower <= min(present) and max(present) <= upper
            if isinstance(dataType, DecimalType) and not nullable:
                fine = False  # a NaN decimal is a null: check them one by one
        if fine:
            return
    for value in values:
        verifier(value)
