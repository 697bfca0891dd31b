"""``ember.sql.types`` against pyspark 4.3's documented behaviour.

Expected values come from pyspark's docstrings (``pyspark/sql/types.py``, ``session.py``),
its error texts (``pyspark/errors/error-conditions.json``: ``[CLASS] message``), its Arrow type
mapping (``pyspark/sql/pandas/types.py``), Spark's JSON form of types (``DataType.json``) and
Spark's SQL type grammar (``SqlBaseParser.g4``: ``INT``/``INTEGER``, ``BIGINT``/``LONG``...);
each test names its source.
"""

from __future__ import annotations

import collections
import datetime
import decimal
import json
import pickle
from array import array

import pyarrow as pa
import pytest

from ember.sql._types_ddl import ParseException
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
    _infer_schema,
    _infer_type,
    _make_type_verifier,
    _merge_type,
    _parse_datatype_json_string,
    _parse_datatype_string,
    arrow_to_rows,
    from_arrow_schema,
    from_arrow_type,
    rows_to_arrow,
    to_arrow_schema,
    to_arrow_type,
)

# --- DataType basics (pyspark/sql/types.py) -------------------------------------------------


@pytest.mark.parametrize(
    "dt, simple, type_name, json_value, text",
    [
        (NullType(), "void", "void", '"void"', "NullType()"),
        (StringType(), "string", "string", '"string"', "StringType()"),
        (BinaryType(), "binary", "binary", '"binary"', "BinaryType()"),
        (BooleanType(), "boolean", "boolean", '"boolean"', "BooleanType()"),
        (DateType(), "date", "date", '"date"', "DateType()"),
        (TimestampType(), "timestamp", "timestamp", '"timestamp"', "TimestampType()"),
        (TimestampNTZType(), "timestamp_ntz", "timestamp_ntz", '"timestamp_ntz"', "TimestampNTZType()"),
        (DecimalType(10, 2), "decimal(10,2)", "decimal", '"decimal(10,2)"', "DecimalType(10,2)"),
        (DoubleType(), "double", "double", '"double"', "DoubleType()"),
        (FloatType(), "float", "float", '"float"', "FloatType()"),
        (ByteType(), "tinyint", "byte", '"byte"', "ByteType()"),
        (ShortType(), "smallint", "short", '"short"', "ShortType()"),
        (IntegerType(), "int", "integer", '"integer"', "IntegerType()"),
        (LongType(), "bigint", "long", '"long"', "LongType()"),
        (CharType(5), "char(5)", "char", '"char(5)"', "CharType(5)"),
        (VarcharType(5), "varchar(5)", "varchar", '"varchar(5)"', "VarcharType(5)"),
    ],
)
def test_atomic_types(dt, simple, type_name, json_value, text):
    assert dt.simpleString() == simple
    assert dt.typeName() == type_name
    assert dt.json() == json_value
    assert repr(dt) == text
    assert _parse_datatype_json_string(dt.json()) == dt


def test_singletons_equality_and_hash():
    assert LongType() is LongType()
    assert DecimalType(10, 2) == DecimalType(10, 2) != DecimalType(10, 3)
    assert DecimalType() == DecimalType(10, 0)
    assert len({ArrayType(LongType()), ArrayType(LongType()), ArrayType(LongType(), False)}) == 2
    assert LongType() != IntegerType()


def test_complex_type_forms():
    # pyspark/sql/types.py docstrings (ArrayType, MapType, StructField, StructType).
    schema = StructType(
        [
            StructField("a", ArrayType(StringType(), False), True),
            StructField("m", MapType(StringType(), LongType()), False, {"comment": "x"}),
        ]
    )
    assert repr(schema) == (
        "StructType([StructField('a', ArrayType(StringType(), False), True), "
        "StructField('m', MapType(StringType(), LongType(), True), False)])"
    )
    assert schema.simpleString() == "struct<a:array<string>,m:map<string,bigint>>"
    assert json.loads(schema.json()) == {
        "type": "struct",
        "fields": [
            {
                "name": "a",
                "type": {"type": "array", "elementType": "string", "containsNull": False},
                "nullable": True,
                "metadata": {},
            },
            {
                "name": "m",
                "type": {
                    "type": "map",
                    "keyType": "string",
                    "valueType": "long",
                    "valueContainsNull": True,
                },
                "nullable": False,
                "metadata": {"comment": "x"},
            },
        ],
    }
    assert StructType.fromJson(json.loads(schema.json())) == schema
    assert schema.toNullable() == StructType(
        [
            StructField("a", ArrayType(StringType(), True)),
            StructField("m", MapType(StringType(), LongType()), True, {"comment": "x"}),
        ]
    )


def test_struct_type_access():
    # pyspark/sql/types.py, StructType and StructType.add docstrings.
    struct = StructType().add("f1", StringType(), True).add("f2", "integer", False)
    assert struct.fieldNames() == ["f1", "f2"] and struct.names == ["f1", "f2"]
    assert len(struct) == 2
    assert [f.name for f in struct] == ["f1", "f2"]
    assert struct["f2"] == StructField("f2", IntegerType(), False)
    assert struct[0] == StructField("f1", StringType(), True)
    assert struct[1:] == StructType([StructField("f2", IntegerType(), False)])
    with pytest.raises(KeyError, match=r"\[KEY_NOT_EXISTS\] Key `f3` does not exist."):
        struct["f3"]
    with pytest.raises(IndexError, match=r"\[INDEX_OUT_OF_RANGE\] StructType index out of range, got '5'."):
        struct[5]
    with pytest.raises(TypeError, match=r"Argument `key` should be int, slice or str, got float"):
        struct[1.0]
    with pytest.raises(ValueError, match=r"\[ARGUMENT_REQUIRED\] Argument `data_type` is required"):
        StructType().add("f1")
    with pytest.raises(TypeError, match="fields should be a list of StructField"):
        StructType(["a"])
    with pytest.raises(TypeError, match="dataType should be an instance of DataType"):
        StructField("a", "int")
    with pytest.raises(TypeError, match="field name 1 should be a string"):
        StructField(1, LongType())
    with pytest.raises(TypeError, match="INVALID_TYPENAME_CALL"):
        StructField("a", LongType()).typeName()


def test_from_ddl_docstring():
    # pyspark/sql/types.py, DataType.fromDDL docstring.
    assert repr(DataType.fromDDL("b string, a int")) == (
        "StructType([StructField('b', StringType(), True), StructField('a', IntegerType(), True)])"
    )
    assert repr(DataType.fromDDL("decimal(10,10)")) == "DecimalType(10,10)"
    assert DataType.fromDDL("b: string, a: int") == DataType.fromDDL("b string, a int")


# --- Row (pyspark/sql/types.py, Row docstring) ----------------------------------------------


def test_row_docstring():
    row = Row(name="Alice", age=11)
    assert repr(row) == "Row(name='Alice', age=11)"
    assert (row["name"], row["age"]) == ("Alice", 11)
    assert (row.name, row.age) == ("Alice", 11)
    assert "name" in row and "wrong_key" not in row
    person = Row("name", "age")
    assert repr(person) == "<Row('name', 'age')>"
    assert "name" in person and "wrong_key" not in person
    assert repr(person("Alice", 11)) == "Row(name='Alice', age=11)"
    assert Row("Alice", 11) == Row(name="Alice", age=11)
    assert Row(b=1, a=2) == (1, 2)  # fields keep the given order (pyspark >= 3.0)


def test_row_as_dict_docstring():
    assert Row(name="Alice", age=11).asDict() == {"name": "Alice", "age": 11}
    row = Row(key=1, value=Row(name="a", age=2))
    assert row.asDict() == {"key": 1, "value": Row(name="a", age=2)}
    assert row.asDict(True) == {"key": 1, "value": {"name": "a", "age": 2}}
    nested = Row(a=[Row(b=1)], m={"k": Row(c=2)})
    assert nested.asDict(True) == {"a": [{"b": 1}], "m": {"k": {"c": 2}}}


def test_row_errors():
    row = Row(name="Alice", age=11)
    with pytest.raises(ValueError, match=r"\[KEY_NOT_EXISTS\] Key `x` does not exist."):
        row["x"]
    with pytest.raises(AttributeError, match=r"\[ATTRIBUTE_NOT_SUPPORTED\] Attribute `x` is not supported."):
        row.x
    with pytest.raises(RuntimeError, match=r"\[READ_ONLY\] Row is read-only."):
        row.name = "Bob"
    with pytest.raises(ValueError, match=r"\[CANNOT_SET_TOGETHER\] args and kwargs should not be set together."):
        Row("a", b=1)
    with pytest.raises(ValueError, match=r"\[TOO_MANY_VALUES\] Expected 2 values for `fields`, got 3."):
        Row("a", "b")(1, 2, 3)
    with pytest.raises(TypeError, match=r"\[CANNOT_CONVERT_TYPE\] Cannot convert Row into dict."):
        Row(1, 2).asDict()
    assert not hasattr(row, "__missing__")


def test_row_pickles():
    row = Row(name="Alice", nested=Row(x=1))
    back = pickle.loads(pickle.dumps(row))
    assert back == row and back.name == "Alice" and back.nested.x == 1
    assert repr(pickle.loads(pickle.dumps(Row(1, 2)))) == "<Row(1, 2)>"
    assert Row(a=1)[0] == 1 and Row(a=1, b=2)[1:] == (2,)


# --- DDL strings (pyspark/sql/types.py, _parse_datatype_string docstring; Spark's grammar) ---


def test_parse_datatype_string_docstring():
    p = _parse_datatype_string
    assert repr(p("int ")) == "IntegerType()"
    assert repr(p("INT ")) == "IntegerType()"
    assert repr(p("a: byte, b: decimal(  16 , 8   ) ")) == (
        "StructType([StructField('a', ByteType(), True), StructField('b', DecimalType(16,8), True)])"
    )
    assert repr(p("a DOUBLE, b STRING")) == (
        "StructType([StructField('a', DoubleType(), True), StructField('b', StringType(), True)])"
    )
    assert repr(p("a DOUBLE, b CHAR( 50 )")) == (
        "StructType([StructField('a', DoubleType(), True), StructField('b', CharType(50), True)])"
    )
    assert repr(p("a DOUBLE, b VARCHAR( 50 )")) == (
        "StructType([StructField('a', DoubleType(), True), StructField('b', VarcharType(50), True)])"
    )
    assert repr(p("a: array< short>")) == (
        "StructType([StructField('a', ArrayType(ShortType(), True), True)])"
    )
    assert repr(p(" map<string , string > ")) == "MapType(StringType(), StringType(), True)"
    for bad in ["blabla", "a: int,", "array<int", "map<int, boolean>>"]:
        with pytest.raises(ParseException):
            p(bad)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("tinyint", ByteType()),
        ("byte", ByteType()),
        ("smallint", ShortType()),
        ("short", ShortType()),
        ("int", IntegerType()),
        ("integer", IntegerType()),
        ("bigint", LongType()),
        ("long", LongType()),
        ("float", FloatType()),
        ("real", FloatType()),
        ("double", DoubleType()),
        ("boolean", BooleanType()),
        ("string", StringType()),
        ("string collate UTF8_BINARY", StringType()),
        ("binary", BinaryType()),
        ("date", DateType()),
        ("timestamp", TimestampType()),
        ("timestamp_ltz", TimestampType()),
        ("timestamp with local time zone", TimestampType()),
        ("timestamp_ntz", TimestampNTZType()),
        ("timestamp without time zone", TimestampNTZType()),
        ("void", NullType()),
        ("decimal", DecimalType(10, 0)),
        ("dec(5)", DecimalType(5, 0)),
        ("numeric(38, 18)", DecimalType(38, 18)),
        ("decimal(10,2)", DecimalType(10, 2)),
        ("array<int>", ArrayType(IntegerType())),
        ("ARRAY<ARRAY<BIGINT>>", ArrayType(ArrayType(LongType()))),
        ("map<string,int>", MapType(StringType(), IntegerType())),
        ("struct<>", StructType([])),
        ("struct<a:int,b:string>", StructType().add("a", IntegerType()).add("b", StringType())),
        ("struct<a int not null>", StructType([StructField("a", IntegerType(), False)])),
        ("a int", StructType([StructField("a", IntegerType())])),
        (
            "`a b` INT NOT NULL COMMENT 'the \\'a\\'', `c``d` array<map<string, struct<x: double>>>",
            StructType(
                [
                    StructField("a b", IntegerType(), False, {"comment": "the 'a'"}),
                    StructField(
                        "c`d",
                        ArrayType(MapType(StringType(), StructType().add("x", DoubleType()))),
                    ),
                ]
            ),
        ),
        ("date date, string string", StructType().add("date", DateType()).add("string", StringType())),
    ],
)
def test_parse_datatype_string(text, expected):
    assert _parse_datatype_string(text) == expected


def test_parse_errors_name_the_problem():
    # Spark 4's DataType.fromDDL("blabla") reports the unknown type
    with pytest.raises(ParseException, match=r'\[UNSUPPORTED_DATATYPE\] Unsupported data type "BLABLA"'):
        _parse_datatype_string("blabla")
    with pytest.raises(ParseException, match=r"\[PARSE_SYNTAX_ERROR\] Syntax error at or near end of input"):
        _parse_datatype_string("a int, b")
    with pytest.raises(ParseException, match=r"Syntax error at or near '>'"):
        _parse_datatype_string("map<int, boolean>>")
    with pytest.raises(ParseException, match=r"DECIMAL_PRECISION_EXCEEDS_MAX_PRECISION"):
        _parse_datatype_string("decimal(39, 0)")
    with pytest.raises(ParseException, match=r"Decimal scale \(3\) cannot be greater than precision \(2\)"):
        _parse_datatype_string("decimal(2, 3)")
    with pytest.raises(ParseException, match=r'Unsupported data type "INTERVAL"'):
        _parse_datatype_string("interval")
    with pytest.raises(ParseException, match="collation `UNICODE_CI` is not supported"):
        _parse_datatype_string("string collate UNICODE_CI")
    with pytest.raises(TypeError, match=r"\[NOT_STR\]"):
        _parse_datatype_string(1)
    from ember.sql.utils import ParseException as SqlParseException

    assert ParseException is SqlParseException  # one class for DDL and SQL text


# --- inference (pyspark/sql/types.py _infer_type/_infer_schema/_merge_type; session.py) -----


def test_infer_atomic_types():
    assert _infer_type(1) == LongType()
    assert _infer_type(1.5) == DoubleType()
    assert _infer_type("a") == StringType()
    assert _infer_type(True) == BooleanType()
    assert _infer_type(b"a") == BinaryType() == _infer_type(bytearray(b"a"))
    assert _infer_type(datetime.date(2024, 1, 1)) == DateType()
    assert _infer_type(datetime.datetime(2024, 1, 1)) == TimestampType()
    assert _infer_type(datetime.datetime(2024, 1, 1), prefer_timestamp_ntz=True) == TimestampNTZType()
    assert _infer_type(decimal.Decimal("1.5")) == DecimalType(38, 18)
    assert _infer_type(None) == NullType()


def test_infer_nested_types():
    assert _infer_type([1, None, 2]) == ArrayType(LongType(), True)
    assert _infer_type([]) == ArrayType(NullType(), True)
    assert _infer_type({"a": 1, "b": None}) == MapType(StringType(), LongType(), True)
    assert _infer_type({"a": {"b": 1.0}}, infer_dict_as_struct=True) == StructType(
        [StructField("a", StructType([StructField("b", DoubleType())]))]
    )
    assert _infer_type(array("i", [1])) == ArrayType(IntegerType(), False)
    assert _infer_type(array("d", [1.0])) == ArrayType(DoubleType(), False)
    assert _infer_type(Row(a=1, b=Row(c="x"))) == StructType(
        [
            StructField("a", LongType()),
            StructField("b", StructType([StructField("c", StringType())])),
        ]
    )
    assert _infer_type((1, "a")) == StructType([StructField("_1", LongType()), StructField("_2", StringType())])


def test_infer_schema_of_rows():
    Point = collections.namedtuple("Point", "x y")

    class Obj:
        def __init__(self):
            self.b = 1.0
            self.a = "x"

    assert _infer_schema([(1, "a")]) == StructType().add("_1", LongType()).add("_2", StringType())
    assert _infer_schema([(1, "a", True)], ["n", "s"]) == StructType(
        [StructField("n", LongType()), StructField("s", StringType()), StructField("_3", BooleanType())]
    )
    # dict keys are sorted, as pyspark's createDataFrame docstring shows (age before name)
    assert _infer_schema([{"name": "Alice", "age": 1}]).names == ["age", "name"]
    assert _infer_schema([Point(1, 2.0)]) == StructType().add("x", LongType()).add("y", DoubleType())
    assert _infer_schema([Row(name="a", age=1)]).names == ["name", "age"]
    assert _infer_schema([Obj()]).names == ["a", "b"]
    # a None takes the type of the other rows'
    assert _infer_schema([(None, 1), ("a", None)]) == StructType().add("_1", StringType()).add("_2", LongType())
    # pyspark 4 merges an atomic type with a string into a string
    assert _infer_schema([(1,), ("a",)]) == StructType().add("_1", StringType())
    assert _infer_schema([([1],), ([None],)]) == StructType().add("_1", ArrayType(LongType()))


def test_infer_schema_errors():
    # pyspark/errors/error-conditions.json
    with pytest.raises(ValueError, match=r"^\[CANNOT_INFER_EMPTY_SCHEMA\] Can not infer schema from an empty dataset.$"):
        _infer_schema([])
    with pytest.raises(ValueError, match=r"^\[CANNOT_DETERMINE_TYPE\] Some of types cannot be determined after inferring.$"):
        _infer_schema([(1, None), (2, None)])
    with pytest.raises(ValueError, match=r"CANNOT_DETERMINE_TYPE"):
        _infer_schema([([],)])
    with pytest.raises(TypeError, match=r"^\[CANNOT_MERGE_TYPE\] Can not merge type `LongType` and `DoubleType`.$"):
        _infer_schema([(1,), (1.5,)])
    with pytest.raises(TypeError, match=r"^\[CANNOT_INFER_SCHEMA_FOR_TYPE\] Can not infer schema for type: `int`.$"):
        _infer_schema([1, 2])
    with pytest.raises(TypeError, match=r"^\[CANNOT_INFER_TYPE_FOR_FIELD\] Unable to infer the type of the field `_1`.$"):
        _infer_schema([({1, 2},)])
    with pytest.raises(TypeError, match="CANNOT_INFER_TYPE_FOR_FIELD"):
        _infer_schema([(datetime.timedelta(1),)])


def test_merge_type():
    assert _merge_type(NullType(), LongType()) == LongType()
    assert _merge_type(TimestampNTZType(), TimestampType()) == TimestampType()
    a = StructType().add("x", LongType()).add("y", NullType())
    b = StructType().add("y", StringType()).add("z", DoubleType())
    assert _merge_type(a, b) == StructType().add("x", LongType()).add("y", StringType()).add("z", DoubleType())
    assert _merge_type(MapType(StringType(), NullType()), MapType(NullType(), LongType())) == MapType(
        StringType(), LongType()
    )


# --- verification (pyspark/sql/types.py _make_type_verifier; error-conditions.json) ---------


def test_verifier_accepts():
    _make_type_verifier(StructType([]))(None)
    _make_type_verifier(StringType())(1)  # strings take any value (it is str()'d)
    _make_type_verifier(LongType())(0)
    _make_type_verifier(ArrayType(ShortType()))(list(range(3)))
    _make_type_verifier(MapType(StringType(), IntegerType()))({})
    _make_type_verifier(StructType([]))(())
    _make_type_verifier(DateType())(datetime.datetime(2024, 1, 1))
    _make_type_verifier(DecimalType(5, 2), False)(decimal.Decimal("1.5"))


def test_verifier_errors():
    schema = StructType().add("a", IntegerType()).add("b", StringType(), False)
    verify = _make_type_verifier(schema)
    with pytest.raises(ValueError, match=r"^\[FIELD_NOT_NULLABLE_WITH_NAME\] field b: This field is not nullable, but got None.$"):
        verify((1, None))
    with pytest.raises(
        TypeError,
        match=r"^\[FIELD_DATA_TYPE_UNACCEPTABLE_WITH_NAME\] field a: IntegerType\(\) can not accept "
        r"object 'x' in type <class 'str'>.$",
    ):
        verify(("x", "y"))
    with pytest.raises(TypeError, match=r"field a: IntegerType\(\) can not accept object True in type <class 'bool'>"):
        verify({"a": True, "b": "y"})
    with pytest.raises(
        ValueError,
        match=r"^\[FIELD_STRUCT_LENGTH_MISMATCH\] Length of object \(1\) does not match with length of fields \(2\).$",
    ):
        verify((1,))
    with pytest.raises(
        ValueError,
        match=r"^\[VALUE_OUT_OF_BOUNDS\] Value for `obj` must be between -128 and 127 \(inclusive\), got 1234$",
    ):
        _make_type_verifier(ByteType())(1234)
    with pytest.raises(ValueError, match=r"^\[FIELD_NOT_NULLABLE\] Field is not nullable, but got None.$"):
        _make_type_verifier(ByteType(), False)(None)
    with pytest.raises(ValueError, match=r"element in array None: This field is not nullable"):
        _make_type_verifier(ArrayType(ShortType(), False))([1, None])
    with pytest.raises(ValueError, match=r"key of map None: This field is not nullable"):
        _make_type_verifier(MapType(StringType(), IntegerType()))({None: 1})
    with pytest.raises(TypeError, match=r"\[FIELD_DATA_TYPE_UNACCEPTABLE\] ArrayType\(StringType\(\), True\) can not accept object set\(\)"):
        _make_type_verifier(ArrayType(StringType()))(set())
    with pytest.raises(TypeError, match=r"DoubleType\(\) can not accept object 1 in type <class 'int'>"):
        _make_type_verifier(DoubleType())(1)
    nested = StructType().add("s", StructType().add("x", LongType()))
    with pytest.raises(TypeError, match=r"field x in field s: LongType\(\) can not accept object 'a'"):
        _make_type_verifier(nested)((("a",),))


# --- Arrow types (pyspark/sql/pandas/types.py to_arrow_type / from_arrow_type) ------------


@pytest.mark.parametrize(
    "dt, at",
    [
        (BooleanType(), pa.bool_()),
        (ByteType(), pa.int8()),
        (ShortType(), pa.int16()),
        (IntegerType(), pa.int32()),
        (LongType(), pa.int64()),
        (FloatType(), pa.float32()),
        (DoubleType(), pa.float64()),
        (DecimalType(10, 2), pa.decimal128(10, 2)),
        (StringType(), pa.string()),
        (BinaryType(), pa.binary()),
        (DateType(), pa.date32()),
        (TimestampType(), pa.timestamp("us", tz="UTC")),
        (TimestampNTZType(), pa.timestamp("us")),
        (NullType(), pa.null()),
        (ArrayType(LongType(), False), pa.list_(pa.field("element", pa.int64(), nullable=False))),
        (
            MapType(StringType(), DoubleType()),
            pa.map_(pa.field("key", pa.string(), nullable=False), pa.field("value", pa.float64())),
        ),
        (
            StructType([StructField("a", LongType(), False)]),
            pa.struct([pa.field("a", pa.int64(), nullable=False)]),
        ),
    ],
)
def test_arrow_type_mapping(dt, at):
    assert to_arrow_type(dt) == at
    back = from_arrow_type(at)
    assert back == dt


@pytest.mark.parametrize(
    "at, dt",
    [
        (pa.large_string(), StringType()),
        (pa.string_view(), StringType()),
        (pa.large_binary(), BinaryType()),
        (pa.binary_view(), BinaryType()),
        (pa.binary(3), BinaryType()),
        (pa.large_list(pa.int32()), ArrayType(IntegerType())),
        (pa.list_view(pa.int32()), ArrayType(IntegerType())),
        (pa.list_(pa.int8(), 2), ArrayType(ByteType())),
        (pa.timestamp("ns", tz="Europe/Paris"), TimestampType()),
        (pa.timestamp("ms"), TimestampNTZType()),
        (pa.date64(), DateType()),
        (pa.float16(), FloatType()),
        (pa.uint8(), ShortType()),
        (pa.uint16(), IntegerType()),
        (pa.uint32(), LongType()),
        (pa.uint64(), DecimalType(20, 0)),
        (pa.dictionary(pa.int32(), pa.string()), StringType()),
    ],
)
def test_arrow_types_an_engine_produces(at, dt):
    assert from_arrow_type(at) == dt


def test_arrow_type_errors():
    with pytest.raises(TypeError, match=r"\[UNSUPPORTED_DATA_TYPE_FOR_ARROW_CONVERSION\] duration\[us\] is not supported"):
        from_arrow_type(pa.duration("us"))
    assert from_arrow_type(pa.timestamp("us"), prefer_timestamp_ntz=False) == TimestampType()


def test_arrow_schema_keeps_metadata_and_nullability():
    schema = StructType([StructField("a", LongType(), False, {"comment": "id"}), StructField("b", StringType())])
    arrow = to_arrow_schema(schema)
    assert arrow.field("a").nullable is False
    assert arrow.field("a").metadata == {b"SPARK::metadata::json": b'{"comment": "id"}'}
    assert from_arrow_schema(arrow) == schema


# --- rows <-> Arrow (createDataFrame's conversions, collect()'s values) ---------------------

NESTED = _parse_datatype_string(
    "i int, s struct<x: double, ts: array<timestamp>>, m map<string, decimal(5,2)>, "
    "b binary, d date, n timestamp_ntz, f float, l bigint"
)


def test_round_trip_nested_values():
    ts = datetime.datetime(2024, 1, 1, 12, 0, 0, 123000)
    rows = [
        (
            1,
            Row(x=1.5, ts=[ts, None]),
            {"k": decimal.Decimal("1.25"), "z": None},
            bytearray(b"ab"),
            datetime.date(2024, 2, 29),
            datetime.datetime(2024, 1, 1),
            0.5,
            2**62,
        ),
        (None,) * 8,
    ]
    back = arrow_to_rows(rows_to_arrow(rows, NESTED), NESTED)
    assert back == rows
    first = back[0]
    assert first.s.ts[0] == ts and first.s.x == 1.5
    assert isinstance(first.b, bytearray)
    assert repr(first.s) == "Row(x=1.5, ts=[datetime.datetime(2024, 1, 1, 12, 0, 0, 123000), None])"
    assert first.asDict(True)["s"] == {"x": 1.5, "ts": [ts, None]}
    # collected rows behave, print and pickle as rows made by Row(...)
    assert isinstance(first, Row) and type(first).__name__ == "Row"
    assert "s" in first and first["i"] == 1 and first.i == 1
    again = pickle.loads(pickle.dumps(first))
    assert again == first and type(again) is Row and again.__fields__ == first.__fields__
    with pytest.raises(RuntimeError, match="READ_ONLY"):
        first.i = 2


def test_rows_to_arrow_forms_of_rows():
    schema = StructType().add("name", StringType()).add("age", LongType())
    Person = collections.namedtuple("Person", "name age")

    class Obj:
        def __init__(self):
            self.age = 5
            self.name = "Obj"

    rows = [("A", 1), ["B", 2], Row(name="C", age=3), {"age": 4, "name": "D"}, Person("E", 6), Obj()]
    table = rows_to_arrow(rows, schema)
    assert table.to_pydict() == {"name": ["A", "B", "C", "D", "E", "Obj"], "age": [1, 2, 3, 4, 6, 5]}
    assert table.schema == pa.schema([("name", pa.string()), ("age", pa.int64())])


def test_rows_to_arrow_conversions():
    schema = _parse_datatype_string("s string, d decimal(4,2), dt date, t timestamp")
    aware = datetime.datetime(2024, 1, 1, 12, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))
    table = rows_to_arrow(
        [(True, decimal.Decimal("1.005"), datetime.datetime(2024, 1, 2, 3, 4), aware)], schema
    )
    # strings take str(value), True as 'true'; decimals round half up to their scale
    assert table.column("s").to_pylist() == ["true"]
    assert table.column("d").to_pylist() == [decimal.Decimal("1.01")]
    assert table.column("dt").to_pylist() == [datetime.date(2024, 1, 2)]
    assert table.column("t").cast(pa.int64()).to_pylist() == [
        int(datetime.datetime(2024, 1, 1, 10, tzinfo=datetime.timezone.utc).timestamp()) * 1_000_000
    ]
    # a naive TimestampType value is a local time, read back as the same local time
    naive = datetime.datetime(2024, 6, 1, 8, 30, 15, 7)
    back = arrow_to_rows(rows_to_arrow([(None, None, None, naive)], schema), schema)
    assert back[0].t == naive
    assert arrow_to_rows(table, schema)[0].t == aware.astimezone().replace(tzinfo=None)


def test_rows_to_arrow_errors():
    schema = StructType().add("name", StringType()).add("age", LongType(), False)
    with pytest.raises(TypeError, match=r"field age: LongType\(\) can not accept object '1'"):
        rows_to_arrow([("a", "1")], schema)
    with pytest.raises(ValueError, match=r"field age: This field is not nullable, but got None."):
        rows_to_arrow([("a", None)], schema)
    with pytest.raises(ValueError, match=r"Length of object \(3\) does not match with length of fields \(2\)"):
        rows_to_arrow([("a", 1, 2)], schema)
    with pytest.raises(ValueError, match=r"Length of object \(1\) does not match"):
        rows_to_arrow([("a",)], schema, verify=False)
    with pytest.raises(ValueError, match=r"NUMERIC_VALUE_OUT_OF_RANGE.*Decimal\(3, 2\)"):
        rows_to_arrow([(decimal.Decimal("12.5"),)], _parse_datatype_string("d decimal(3,2)"))
    with pytest.raises(ValueError, match="VALUE_OUT_OF_BOUNDS"):
        rows_to_arrow([(2**63,)], StructType().add("l", LongType()))
    with pytest.raises(TypeError, match="schema should be a StructType"):
        rows_to_arrow([], "a int")
    # a decimal NaN is a null, as in pyspark's verifier
    table = rows_to_arrow([(decimal.Decimal("NaN"),)], _parse_datatype_string("d decimal(3,2)"))
    assert table.column(0).to_pylist() == [None]


def test_empty_rows_give_an_empty_table():
    table = rows_to_arrow([], NESTED)
    assert table.num_rows == 0 and table.schema == to_arrow_schema(NESTED)
    assert arrow_to_rows(table, NESTED) == []


def test_arrow_to_rows_reads_engine_arrays():
    table = pa.table(
        {
            "s": pa.array(["a", None], type=pa.string_view()),
            "l": pa.array([[1, 2], None], type=pa.large_list(pa.int64())),
            "v": pa.array([[3], [4, 5]], type=pa.list_view(pa.int64())),
            "f": pa.array([[1, 2], [3, 4]], type=pa.list_(pa.int8(), 2)),
            "d": pa.array(["x", "y"]).dictionary_encode(),
            "u": pa.array([2**64 - 1, 0], type=pa.uint64()),
            "t": pa.array([1_000_000_123, None], type=pa.timestamp("ns")),
            "c": pa.chunked_array([[1], [2]], type=pa.int32()),
        }
    )
    rows = arrow_to_rows(table)
    assert rows == [
        ("a", [1, 2], [3], [1, 2], "x", decimal.Decimal(2**64 - 1), datetime.datetime(1970, 1, 1, 0, 0, 1), 1),
        (None, None, [4, 5], [3, 4], "y", decimal.Decimal(0), None, 2),
    ]
    assert rows[0].__fields__ == ["s", "l", "v", "f", "d", "u", "t", "c"]


def test_arrow_to_rows_respects_slices():
    # Sliced arrays keep their parent's buffers: offsets must be honoured at every level.
    schema = _parse_datatype_string("s struct<a: int, b: array<string>>, m map<string, int>")
    rows = [
        (Row(a=i, b=[str(i)] * (i % 3)), {str(i): i} if i % 2 else None) for i in range(10)
    ]
    table = rows_to_arrow(rows, schema).slice(3, 4)
    assert arrow_to_rows(table, schema) == rows[3:7]
    batch = rows_to_arrow(rows, schema).to_batches()[0].slice(5)
    assert arrow_to_rows(batch, schema) == rows[5:]


def test_arrow_to_rows_with_duplicate_names_and_schema():
    struct = pa.struct([("a", pa.int64()), ("a", pa.string())])
    table = pa.Table.from_arrays(
        [pa.array([(1, "x")], type=struct), pa.array([2])], names=["s", "s"]
    )
    rows = arrow_to_rows(table)
    assert rows == [((1, "x"), 2)] and rows[0][0] == Row(a=1, a2="x")
    with pytest.raises(ValueError, match="the schema has 1 fields but the Arrow table has 2 columns"):
        arrow_to_rows(table, StructType().add("x", LongType()))
    with pytest.raises(TypeError, match="cannot read Arrow values of type int64 as ArrayType"):
        arrow_to_rows(pa.table({"x": [1]}), StructType().add("x", ArrayType(LongType())))
