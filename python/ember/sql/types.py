"""pyspark's data types (``pyspark.sql.types``): :class:`DataType` and its subclasses,
:class:`StructField`, :class:`StructType` and :class:`Row`.

The helpers the DataFrame layer needs live in private modules and are importable from here,
as in pyspark: ``_parse_datatype_string`` (DDL strings, ``ember/sql/_types_ddl.py``),
``_infer_schema``/``_infer_type``/``_merge_type``/``_make_type_verifier`` (schema inference
and verification, ``ember/sql/_types_infer.py``) and the Arrow conversions ``to_arrow_type``,
``from_arrow_type``, ``to_arrow_schema``, ``from_arrow_schema``, ``rows_to_arrow`` and
``arrow_to_rows`` (``ember/sql/_types_arrow.py``).

Errors carry pyspark's error class in their text (``[KEY_NOT_EXISTS] Key `x` does not
exist.``) and are raised as the builtin exception pyspark's own error class derives from
(``PySparkTypeError`` is a ``TypeError``, ``PySparkValueError`` a ``ValueError``...).
"""

from __future__ import annotations

import json as _json
import re
from collections.abc import Iterator
from typing import Any, ClassVar

from ember.sql._types_row import Row, _create_row, _error

__all__ = [
    "DataType",
    "NullType",
    "CharType",
    "StringType",
    "VarcharType",
    "BinaryType",
    "BooleanType",
    "DateType",
    "TimestampType",
    "TimestampNTZType",
    "DecimalType",
    "DoubleType",
    "FloatType",
    "ByteType",
    "IntegerType",
    "LongType",
    "Row",
    "ShortType",
    "ArrayType",
    "MapType",
    "StructField",
    "StructType",
]


class DataType:
    """Base class for data types."""

    def __repr__(self) -> str:
        return self.__class__.__name__ + "()"

    def __hash__(self) -> int:
        return hash(str(self))

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, self.__class__) and self.__dict__ == other.__dict__

    def __ne__(self, other: Any) -> bool:
        return not self.__eq__(other)

    @classmethod
    def typeName(cls) -> str:
        """The name of the type in JSON and in ``printSchema`` (``"integer"``, ``"long"``)."""
        return cls.__name__[:-4].lower()

    def simpleString(self) -> str:
        """The type as written in SQL (``"int"``, ``"bigint"``, ``"array<string>"``)."""
        return self.typeName()

    def jsonValue(self) -> str | dict[str, Any]:
        """The JSON form of the type, as a Python value."""
        return self.typeName()

    def json(self) -> str:
        """The JSON form of the type (compact, keys sorted), as Spark writes it."""
        return _json.dumps(self.jsonValue(), separators=(",", ":"), sort_keys=True)

    def needConversion(self) -> bool:
        """Whether Python values of this type differ from their internal form."""
        return False

    def toInternal(self, obj: Any) -> Any:
        """Converts a Python object into an internal SQL object."""
        return obj

    def fromInternal(self, obj: Any) -> Any:
        """Converts an internal SQL object into a native Python object."""
        return obj

    def _as_nullable(self) -> DataType:
        return self

    @classmethod
    def fromDDL(cls, ddl: str) -> DataType:
        """
        Creates :class:`DataType` for a given DDL-formatted string.

        Examples
        --------
        >>> DataType.fromDDL("b string, a int")
        StructType([StructField('b', StringType(), True), StructField('a', IntegerType(), True)])
        >>> DataType.fromDDL("decimal(10,10)")
        DecimalType(10,10)
        >>> DataType.fromDDL("b: string, a: int")
        StructType([StructField('b', StringType(), True), StructField('a', IntegerType(), True)])
        """
        from ember.sql._types_ddl import _parse_datatype_string

        return _parse_datatype_string(ddl)


class DataTypeSingleton(type):
    """Metaclass of the types without parameters: one instance per class."""

    _instances: ClassVar[dict[type, Any]] = {}

    def __call__(cls):  # type: ignore[override]
        if cls not in cls._instances:
            cls._instances[cls] = super().__call__()
        return cls._instances[cls]


class NullType(DataType, metaclass=DataTypeSingleton):
    """Null type: the type of ``None``, used for the types that cannot be inferred."""

    @classmethod
    def typeName(cls) -> str:
        return "void"


class AtomicType(DataType):
    """Every type that is not null, an array, a struct or a map."""


class NumericType(AtomicType):
    """Numeric data types."""


class IntegralType(NumericType, metaclass=DataTypeSingleton):
    """Integral data types."""


class FractionalType(NumericType):
    """Fractional data types."""


class StringType(AtomicType):
    """String data type.

    Parameters
    ----------
    collation : str
        name of the collation, default is UTF8_BINARY (Ember compares strings by their bytes).
    """

    def __init__(self, collation: str = "UTF8_BINARY"):
        self.collation = collation

    def simpleString(self) -> str:
        if self.collation == "UTF8_BINARY":
            return "string"
        return f"string collate {self.collation}"

    def jsonValue(self) -> str:
        return self.simpleString()

    def __repr__(self) -> str:
        if self.collation == "UTF8_BINARY":
            return "StringType()"
        return f"StringType('{self.collation}')"


class _LengthLimitedStringType(AtomicType):
    """A string type with a length limit (``char(n)``, ``varchar(n)``)."""

    _sql_name: ClassVar[str]

    def __init__(self, length: int):
        self.length = length

    def simpleString(self) -> str:
        return f"{self._sql_name}({self.length})"

    def jsonValue(self) -> str:
        return self.simpleString()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.length})"


class CharType(_LengthLimitedStringType):
    """Char data type (a string of a fixed ``length``)."""

    _sql_name = "char"


class VarcharType(_LengthLimitedStringType):
    """Varchar data type (a string of at most ``length`` characters)."""

    _sql_name = "varchar"


class BinaryType(AtomicType, metaclass=DataTypeSingleton):
    """Binary (byte array) data type."""


class BooleanType(AtomicType, metaclass=DataTypeSingleton):
    """Boolean data type."""


class DatetimeType(AtomicType):
    """Super class of all datetime data types."""


class DateType(DatetimeType, metaclass=DataTypeSingleton):
    """Date (datetime.date) data type."""


class TimestampType(DatetimeType, metaclass=DataTypeSingleton):
    """Timestamp (datetime.datetime) data type: an instant, shown in the local time zone."""


class TimestampNTZType(DatetimeType, metaclass=DataTypeSingleton):
    """Timestamp (datetime.datetime) data type without timezone information."""

    @classmethod
    def typeName(cls) -> str:
        return "timestamp_ntz"


class DecimalType(FractionalType):
    """Decimal (decimal.Decimal) data type.

    The DecimalType must have fixed precision (the maximum total number of digits)
    and scale (the number of digits on the right of dot). For example, (5, 2) can
    support the value from [-999.99 to 999.99].

    The precision can be up to 38, the scale must be less or equal to precision.

    When creating a DecimalType, the default precision and scale is (10, 0). When inferring
    schema from decimal.Decimal objects, it will be DecimalType(38, 18).

    Parameters
    ----------
    precision : int, optional
        the maximum (i.e. total) number of digits (default: 10)
    scale : int, optional
        the number of digits on right side of dot. (default: 0)

    Examples
    --------
    >>> DecimalType(5, 2)
    DecimalType(5,2)
    >>> DecimalType().simpleString()
    'decimal(10,0)'
    """

    def __init__(self, precision: int = 10, scale: int = 0):
        self.precision = precision
        self.scale = scale
        self.hasPrecisionInfo = True

    def simpleString(self) -> str:
        return f"decimal({self.precision},{self.scale})"

    def jsonValue(self) -> str:
        return self.simpleString()

    def __repr__(self) -> str:
        return f"DecimalType({self.precision},{self.scale})"


class DoubleType(FractionalType, metaclass=DataTypeSingleton):
    """Double data type, representing double precision floats."""


class FloatType(FractionalType, metaclass=DataTypeSingleton):
    """Float data type, representing single precision floats."""


class ByteType(IntegralType):
    """Byte data type, representing signed 8-bit integers."""

    def simpleString(self) -> str:
        return "tinyint"


class IntegerType(IntegralType):
    """Int data type, representing signed 32-bit integers."""

    def simpleString(self) -> str:
        return "int"


class LongType(IntegralType):
    """Long data type, representing signed 64-bit integers.

    If the values are beyond the range of [-9223372036854775808, 9223372036854775807],
    please use :class:`DecimalType`.
    """

    def simpleString(self) -> str:
        return "bigint"


class ShortType(IntegralType):
    """Short data type, representing signed 16-bit integers."""

    def simpleString(self) -> str:
        return "smallint"


def _check_type_argument(value: Any, what: str) -> None:
    if not isinstance(value, DataType):
        raise TypeError(f"{what} should be an instance of DataType, got {type(value).__name__}")


class _NestedType(DataType):
    """Arrays, maps and structs: the types with nullability flags inside."""

    def toNullable(self) -> DataType:
        """The same type with every nullability flag set to true (``StructField.nullable``,
        ``ArrayType.containsNull``, ``MapType.valueContainsNull``).

        >>> StructType([StructField("a", IntegerType(), nullable=False)]).toNullable()
        StructType([StructField('a', IntegerType(), True)])
        >>> MapType(IntegerType(), StringType(), valueContainsNull=False).toNullable()
        MapType(IntegerType(), StringType(), True)
        """
        return self._as_nullable()


class ArrayType(_NestedType):
    """Array data type.

    Parameters
    ----------
    elementType : :class:`DataType`
        :class:`DataType` of each element in the array.
    containsNull : bool, optional
        whether the array can contain null (None) values.

    Examples
    --------
    >>> ArrayType(StringType()) == ArrayType(StringType(), True)
    True
    >>> ArrayType(StringType(), False) == ArrayType(StringType())
    False
    >>> ArrayType(IntegerType(), containsNull=False).toNullable()
    ArrayType(IntegerType(), True)
    """

    def __init__(self, elementType: DataType, containsNull: bool = True):
        _check_type_argument(elementType, "elementType")
        self.elementType = elementType
        self.containsNull = containsNull

    def simpleString(self) -> str:
        return f"array<{self.elementType.simpleString()}>"

    def _as_nullable(self) -> ArrayType:
        return ArrayType(self.elementType._as_nullable(), containsNull=True)

    def __repr__(self) -> str:
        return f"ArrayType({self.elementType!r}, {self.containsNull})"

    def jsonValue(self) -> dict[str, Any]:
        return {
            "type": self.typeName(),
            "elementType": self.elementType.jsonValue(),
            "containsNull": self.containsNull,
        }

    @classmethod
    def fromJson(cls, json: dict[str, Any]) -> ArrayType:
        """The :class:`ArrayType` of a JSON value (see :meth:`jsonValue`)."""
        return ArrayType(_parse_datatype_json_value(json["elementType"]), json["containsNull"])


class MapType(_NestedType):
    """Map data type.

    Parameters
    ----------
    keyType : :class:`DataType`
        :class:`DataType` of the keys in the map.
    valueType : :class:`DataType`
        :class:`DataType` of the values in the map.
    valueContainsNull : bool, optional
        indicates whether values can contain null (None) values.

    Notes
    -----
    Keys in a map data type are not allowed to be null (None).

    Examples
    --------
    >>> (MapType(StringType(), IntegerType())
    ...        == MapType(StringType(), IntegerType(), True))
    True
    >>> (MapType(StringType(), IntegerType(), False)
    ...        == MapType(StringType(), FloatType()))
    False
    """

    def __init__(self, keyType: DataType, valueType: DataType, valueContainsNull: bool = True):
        _check_type_argument(keyType, "keyType")
        _check_type_argument(valueType, "valueType")
        self.keyType = keyType
        self.valueType = valueType
        self.valueContainsNull = valueContainsNull

    def simpleString(self) -> str:
        return f"map<{self.keyType.simpleString()},{self.valueType.simpleString()}>"

    def _as_nullable(self) -> MapType:
        return MapType(self.keyType._as_nullable(), self.valueType._as_nullable(), True)

    def __repr__(self) -> str:
        return f"MapType({self.keyType!r}, {self.valueType!r}, {self.valueContainsNull})"

    def jsonValue(self) -> dict[str, Any]:
        return {
            "type": self.typeName(),
            "keyType": self.keyType.jsonValue(),
            "valueType": self.valueType.jsonValue(),
            "valueContainsNull": self.valueContainsNull,
        }

    @classmethod
    def fromJson(cls, json: dict[str, Any]) -> MapType:
        """The :class:`MapType` of a JSON value (see :meth:`jsonValue`)."""
        return MapType(
            _parse_datatype_json_value(json["keyType"]),
            _parse_datatype_json_value(json["valueType"]),
            json["valueContainsNull"],
        )


class StructField(DataType):
    """A field in :class:`StructType`.

    Parameters
    ----------
    name : str
        name of the field.
    dataType : :class:`DataType`
        :class:`DataType` of the field.
    nullable : bool, optional
        whether the field can be null (None) or not.
    metadata : dict, optional
        a dict from string to simple type that can be toInternald to JSON automatically

    Examples
    --------
    >>> (StructField("f1", StringType(), True)
    ...      == StructField("f1", StringType(), True))
    True
    >>> (StructField("f1", StringType(), True)
    ...      == StructField("f2", StringType(), True))
    False
    """

    def __init__(
        self,
        name: str,
        dataType: DataType,
        nullable: bool = True,
        metadata: dict[str, Any] | None = None,
    ):
        _check_type_argument(dataType, "dataType")
        if not isinstance(name, str):
            raise TypeError(f"field name {name!r} should be a string")
        self.name = name
        self.dataType = dataType
        self.nullable = nullable
        self.metadata = metadata or {}

    def simpleString(self) -> str:
        return f"{self.name}:{self.dataType.simpleString()}"

    def __repr__(self) -> str:
        return f"StructField('{self.name}', {self.dataType!r}, {self.nullable})"

    def jsonValue(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.dataType.jsonValue(),
            "nullable": self.nullable,
            "metadata": self.metadata,
        }

    @classmethod
    def fromJson(cls, json: dict[str, Any]) -> StructField:
        """The :class:`StructField` of a JSON value (see :meth:`jsonValue`)."""
        return StructField(
            json["name"],
            _parse_datatype_json_value(json["type"]),
            json.get("nullable", True),
            json.get("metadata"),
        )

    def typeName(self) -> str:  # type: ignore[override]
        raise _error(
            TypeError,
            "INVALID_TYPENAME_CALL",
            "StructField does not have typeName. Use typeName on its type explicitly instead.",
        )


class StructType(_NestedType):
    """Struct type, consisting of a list of :class:`StructField`.

    This is the data type representing a :class:`Row`.

    Iterating a :class:`StructType` will iterate over its :class:`StructField`\\s.
    A contained :class:`StructField` can be accessed by its name or position.

    Examples
    --------
    >>> struct1 = StructType([StructField("f1", StringType(), True)])
    >>> struct1["f1"]
    StructField('f1', StringType(), True)
    >>> struct1[0]
    StructField('f1', StringType(), True)

    >>> struct1 = StructType([StructField("f1", StringType(), True)])
    >>> struct2 = StructType([StructField("f1", StringType(), True)])
    >>> struct1 == struct2
    True
    >>> struct2 = StructType([StructField("f1", StringType(), True),
    ...     StructField("f2", IntegerType(), False)])
    >>> struct1 == struct2
    False
    >>> print(StructType([
    ...     StructField("name", StringType()),
    ...     StructField("languagesSkills", ArrayType(StringType())),
    ... ]).treeString(), end="")
    root
     |-- name: string (nullable = true)
     |-- languagesSkills: array (nullable = true)
     |    |-- element: string (containsNull = true)
    """

    def __init__(self, fields: list[StructField] | None = None):
        fields = list(fields) if fields else []
        for f in fields:
            if not isinstance(f, StructField):
                raise TypeError(
                    f"fields should be a list of StructField, got {type(f).__name__}"
                )
        self.fields = fields
        self.names = [f.name for f in fields]

    def add(
        self,
        field: str | StructField,
        data_type: str | DataType | None = None,
        nullable: bool = True,
        metadata: dict[str, Any] | None = None,
    ) -> StructType:
        """
        Construct a :class:`StructType` by adding new elements to it, to define the schema.
        The method accepts either:

            a) A single parameter which is a :class:`StructField` object.
            b) Between 2 and 4 parameters as (name, data_type, nullable (optional),
               metadata(optional). The data_type parameter may be either a String or a
               :class:`DataType` object.

        Examples
        --------
        >>> struct1 = StructType().add("f1", StringType(), True).add("f2", StringType(), True, None)
        >>> struct2 = StructType([StructField("f1", StringType(), True),
        ...     StructField("f2", StringType(), True, None)])
        >>> struct1 == struct2
        True
        >>> struct1 = StructType().add(StructField("f1", StringType(), True))
        >>> struct2 = StructType([StructField("f1", StringType(), True)])
        >>> struct1 == struct2
        True
        >>> struct1 = StructType().add("f1", "string", True)
        >>> struct2 = StructType([StructField("f1", StringType(), True)])
        >>> struct1 == struct2
        True
        """
        if isinstance(field, StructField):
            new_field = field
        else:
            if data_type is None:
                raise _error(
                    ValueError,
                    "ARGUMENT_REQUIRED",
                    "Argument `data_type` is required when passing name of struct_field "
                    "to create.",
                )
            if isinstance(data_type, str):
                data_type = _parse_datatype_json_value(data_type)
            new_field = StructField(field, data_type, nullable, metadata)
        self.fields.append(new_field)
        self.names.append(new_field.name)
        return self

    def __iter__(self) -> Iterator[StructField]:
        """Iterate the fields"""
        return iter(self.fields)

    def __len__(self) -> int:
        """Return the number of fields."""
        return len(self.fields)

    def __getitem__(self, key: str | int | slice) -> Any:
        """Access fields by name or slice."""
        if isinstance(key, str):
            for field in self.fields:
                if field.name == key:
                    return field
            raise _error(KeyError, "KEY_NOT_EXISTS", f"Key `{key}` does not exist.")
        if isinstance(key, int):
            try:
                return self.fields[key]
            except IndexError:
                raise _error(
                    IndexError,
                    "INDEX_OUT_OF_RANGE",
                    f"StructType index out of range, got '{key}'.",
                ) from None
        if isinstance(key, slice):
            return StructType(self.fields[key])
        raise _error(
            TypeError,
            "NOT_EXPECTED_TYPE",
            f"Argument `key` should be int, slice or str, got {type(key).__name__}.",
        )

    def simpleString(self) -> str:
        return "struct<%s>" % ",".join(f.simpleString() for f in self.fields)

    def _as_nullable(self) -> StructType:
        return StructType(
            [
                StructField(f.name, f.dataType._as_nullable(), True, f.metadata)
                for f in self.fields
            ]
        )

    def __repr__(self) -> str:
        return "StructType([%s])" % ", ".join(repr(f) for f in self.fields)

    def jsonValue(self) -> dict[str, Any]:
        return {"type": self.typeName(), "fields": [f.jsonValue() for f in self.fields]}

    @classmethod
    def fromJson(cls, json: dict[str, Any]) -> StructType:
        """
        Constructs :class:`StructType` from a schema defined in JSON format.

        Examples
        --------
        >>> import json
        >>> scheme = StructType.fromJson(json.loads('''{"fields": [{"metadata": {},
        ...   "name": "Person", "nullable": true, "type": {"fields": [
        ...   {"metadata": {}, "name": "name", "nullable": false, "type": "string"},
        ...   {"metadata": {}, "name": "surname", "nullable": false, "type": "string"}],
        ...   "type": "struct"}}], "type": "struct"}'''))
        >>> scheme.simpleString()
        'struct<Person:struct<name:string,surname:string>>'
        """
        return StructType([StructField.fromJson(f) for f in json["fields"]])

    def fieldNames(self) -> list[str]:
        """
        Returns all field names in a list.

        Examples
        --------
        >>> struct = StructType([StructField("f1", StringType(), True)])
        >>> struct.fieldNames()
        ['f1']
        """
        return list(self.names)

    def treeString(self, maxDepth: int = 2147483647) -> str:
        """The schema as ``printSchema`` prints it, nested types down to ``maxDepth`` levels
        (all of them when ``maxDepth`` is not positive)."""
        from ember.sql._show import tree_string

        return tree_string(self, maxDepth)


# --- JSON form of types (DataType.json, StructType.fromJson) --------------------------------

_JSON_ATOMIC: dict[str, type[DataType]] = {
    "string": StringType,
    "binary": BinaryType,
    "boolean": BooleanType,
    "decimal": DecimalType,
    "float": FloatType,
    "double": DoubleType,
    "byte": ByteType,
    "short": ShortType,
    "integer": IntegerType,
    "long": LongType,
    "date": DateType,
    "timestamp": TimestampType,
    "timestamp_ntz": TimestampNTZType,
    "void": NullType,
}
_JSON_DECIMAL = re.compile(r"decimal\(\s*(\d+)\s*,\s*(-?\d+)\s*\)")
_JSON_CHAR = re.compile(r"char\(\s*(\d+)\s*\)")
_JSON_VARCHAR = re.compile(r"varchar\(\s*(\d+)\s*\)")
_JSON_COLLATED = re.compile(r"string\s+collate\s+(\w+)")


def _parse_datatype_json_string(json_string: str) -> DataType:
    """Parses the given data type JSON string.

    >>> t = StructType([StructField("a", DecimalType(), False),
    ...     StructField("m", MapType(StringType(), ArrayType(LongType())), True, {"k": 1})])
    >>> _parse_datatype_json_string(t.json()) == t
    True
    """
    return _parse_datatype_json_value(_json.loads(json_string))


def _parse_datatype_json_value(json_value: dict[str, Any] | str) -> DataType:
    if isinstance(json_value, str):
        if json_value in _JSON_ATOMIC:
            return _JSON_ATOMIC[json_value]()
        for pattern, build in (
            (_JSON_DECIMAL, lambda m: DecimalType(int(m.group(1)), int(m.group(2)))),
            (_JSON_VARCHAR, lambda m: VarcharType(int(m.group(1)))),
            (_JSON_CHAR, lambda m: CharType(int(m.group(1)))),
            (_JSON_COLLATED, lambda m: StringType(m.group(1))),
        ):
            match = pattern.fullmatch(json_value)
            if match:
                return build(match)
        raise _error(
            ValueError, "CANNOT_PARSE_DATATYPE", f"Unable to parse datatype. {json_value}."
        )
    if not isinstance(json_value, dict) or "type" not in json_value:
        raise _error(
            ValueError, "CANNOT_PARSE_DATATYPE", f"Unable to parse datatype. {json_value!r}."
        )
    kind = json_value["type"]
    if kind == "array":
        return ArrayType.fromJson(json_value)
    if kind == "map":
        return MapType.fromJson(json_value)
    if kind == "struct":
        return StructType.fromJson(json_value)
    raise _error(ValueError, "UNSUPPORTED_DATA_TYPE", f"Unsupported DataType `{kind}`.")


# --- helpers defined in other modules, importable from here as in pyspark ---------------------

_LAZY = {
    "_parse_datatype_string": "ember.sql._types_ddl",
    "_infer_type": "ember.sql._types_infer",
    "_infer_schema": "ember.sql._types_infer",
    "_merge_type": "ember.sql._types_infer",
    "_has_nulltype": "ember.sql._types_infer",
    "_make_type_verifier": "ember.sql._types_infer",
    "_create_converter": "ember.sql._types_infer",
    "to_arrow_type": "ember.sql._types_arrow",
    "from_arrow_type": "ember.sql._types_arrow",
    "to_arrow_schema": "ember.sql._types_arrow",
    "from_arrow_schema": "ember.sql._types_arrow",
    "rows_to_arrow": "ember.sql._types_arrow",
    "arrow_to_rows": "ember.sql._types_arrow",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
