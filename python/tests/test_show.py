"""``show_string`` and ``tree_string`` against the text Spark 4 prints.

Expected texts come from pyspark 4.3's docstrings (which pyspark runs as doctests against a
real Spark) and from Spark's own test suites (``DataFrameShowSuite.scala``,
``DatasetSuite.scala``); each test names its source. Where a source predates a change of
Spark 4's ``Dataset.showString`` the difference is explained next to it.

pyspark runs its doctests with NORMALIZE_WHITESPACE, so the padding of its docstrings is only
trustworthy where it agrees with Spark's suites (which compare strings exactly); docstrings whose
padding is off are compared with whitespace normalised.
"""

from __future__ import annotations

import datetime
import decimal
import math

import pyarrow as pa
import pytest

from ember.sql._show import java_double_string, pretty_string, show_string, tree_string
from ember.sql.types import (
    ArrayType,
    BinaryType,
    DoubleType,
    FloatType,
    IntegerType,
    LongType,
    MapType,
    NullType,
    Row,
    StringType,
    StructField,
    StructType,
    TimestampNTZType,
    TimestampType,
    _infer_schema,
    _parse_datatype_string,
    arrow_to_rows,
    from_arrow_schema,
    rows_to_arrow,
)


def create(data, schema=None):
    """(rows, schema) as ``spark.createDataFrame(data, schema).collect()`` would give them:
    inference, conversion to Arrow and back (the path Ember's createDataFrame takes)."""
    names = None
    if isinstance(schema, str):
        schema = _parse_datatype_string(schema)
    if schema is None or isinstance(schema, list):
        names = schema
        schema = _infer_schema(data, names)
    table = rows_to_arrow(data, schema)
    if names:
        schema = StructType(
            [StructField(n, f.dataType, f.nullable) for n, f in zip(names, schema.fields)]
        )
    return arrow_to_rows(table, schema), schema


def show(data, schema=None, n=20, truncate=True, vertical=False):
    rows, struct = create(data, schema)
    return show_string(rows[:n], struct, n, truncate, vertical, has_more=len(rows) > n)


def lines(text):
    return "\n".join(text) + "\n"


def normalized(text):
    return " ".join(text.split())


# --- pyspark/sql/dataframe.py, DataFrame.show docstring ------------------------------------

PEOPLE = [(14, "Tom"), (23, "Alice"), (16, "Bob"), (19, "This is a super long name")]


def test_show_docstring_default():
    assert show(PEOPLE, ["age", "name"]) == lines(
        [
            "+---+--------------------+",
            "|age|                name|",
            "+---+--------------------+",
            "| 14|                 Tom|",
            "| 23|               Alice|",
            "| 16|                 Bob|",
            "| 19|This is a super l...|",
            "+---+--------------------+",
        ]
    )


def test_show_docstring_top_two_rows():
    # Spark 4's Dataset.showString appends the footer without a newline (print adds it).
    assert show(PEOPLE, ["age", "name"], n=2) == (
        lines(
            [
                "+---+-----+",
                "|age| name|",
                "+---+-----+",
                "| 14|  Tom|",
                "| 23|Alice|",
                "+---+-----+",
            ]
        )
        + "only showing top 2 rows"
    )


def test_show_docstring_no_truncation():
    assert show(PEOPLE, ["age", "name"], truncate=False) == lines(
        [
            "+---+-------------------------+",
            "|age|name                     |",
            "+---+-------------------------+",
            "|14 |Tom                      |",
            "|23 |Alice                    |",
            "|16 |Bob                      |",
            "|19 |This is a super long name|",
            "+---+-------------------------+",
        ]
    )


def test_show_docstring_truncate_three():
    assert show(PEOPLE, ["age", "name"], truncate=3) == lines(
        [
            "+---+----+",
            "|age|name|",
            "+---+----+",
            "| 14| Tom|",
            "| 23| Ali|",
            "| 16| Bob|",
            "| 19| Thi|",
            "+---+----+",
        ]
    )


def test_show_docstring_vertical():
    # The docstring's padding is normalised away by pyspark's doctest flags; the exact padding
    # (a space before the name, cells padded to the widest) is checked against Spark's suite
    # below.
    expected = """
        -RECORD 0--------------------
        age  | 14
        name | Tom
        -RECORD 1--------------------
        age  | 23
        name | Alice
        -RECORD 2--------------------
        age  | 16
        name | Bob
        -RECORD 3--------------------
        age  | 19
        name | This is a super l...
    """
    text = show(PEOPLE, ["age", "name"], vertical=True)
    assert normalized(text) == normalized(expected)
    assert text.splitlines()[1] == " age  | 14                   "


# --- pyspark/sql/session.py, SparkSession.createDataFrame docstring ------------------------


def test_create_dataframe_docstring_examples():
    alice = lines(["+-----+---+", "| name|age|", "+-----+---+", "|Alice|  1|", "+-----+---+"])
    assert show([("Alice", 1)]) == alice.replace(" name|age", "   _1| _2")
    assert show([{"name": "Alice", "age": 1}]) == lines(
        ["+---+-----+", "|age| name|", "+---+-----+", "|  1|Alice|", "+---+-----+"]
    )
    assert show([("Alice", 1)], ["name", "age"]) == alice
    assert show([("Alice", 1)], "name: string, age: int") == alice
    assert show([Row("name", "age")("Alice", 1)]) == alice
    assert show([], "name: string, age: int") == lines(
        ["+----+---+", "|name|age|", "+----+---+", "+----+---+"]
    )


def test_create_dataframe_from_arrow_docstring():
    table = pa.table({"0": [1], "1": [2]})
    schema = from_arrow_schema(table.schema)
    assert show_string(arrow_to_rows(table), schema) == lines(
        ["+---+---+", "|  0|  1|", "+---+---+", "|  1|  2|", "+---+---+"]
    )


# --- sql/core/src/test/scala/org/apache/spark/sql/DataFrameShowSuite.scala -------------------

ONES = [("1",), ("1" * 21,)]


def test_suite_truncate_0_and_20():
    assert show(ONES, ["value"], n=10, truncate=0) == lines(
        [
            "+---------------------+",
            "|value                |",
            "+---------------------+",
            "|1                    |",
            "|111111111111111111111|",
            "+---------------------+",
        ]
    )
    assert show(ONES, ["value"], n=10, truncate=20) == lines(
        [
            "+--------------------+",
            "|               value|",
            "+--------------------+",
            "|                   1|",
            "|11111111111111111...|",
            "+--------------------+",
        ]
    )


def test_suite_truncate_0_and_20_vertical():
    assert show(ONES, ["value"], n=10, truncate=0, vertical=True) == (
        "-RECORD 0----------------------\n"
        " value | 1                     \n"
        "-RECORD 1----------------------\n"
        " value | 111111111111111111111 \n"
    )
    assert show(ONES, ["value"], n=10, truncate=20, vertical=True) == (
        "-RECORD 0---------------------\n"
        " value | 1                    \n"
        "-RECORD 1---------------------\n"
        " value | 11111111111111111... \n"
    )


def test_suite_truncate_3_and_17():
    # The suite's snapshot also cuts the header to "val"; Spark 4 does not truncate column
    # names (getRows only truncates data cells, and pyspark 4.3's show(truncate=3) docstring
    # prints "|age|name|"), so the header keeps its width here.
    assert show(ONES, ["value"], n=10, truncate=3) == lines(
        ["+-----+", "|value|", "+-----+", "|    1|", "|  111|", "+-----+"]
    )
    assert show(ONES, ["value"], n=10, truncate=17) == lines(
        [
            "+-----------------+",
            "|            value|",
            "+-----------------+",
            "|                1|",
            "|11111111111111...|",
            "+-----------------+",
        ]
    )
    assert show(ONES, ["value"], n=10, truncate=3, vertical=True) == (
        "-RECORD 0----\n value | 1   \n-RECORD 1----\n value | 111 \n"
    )
    assert show(ONES, ["value"], n=10, truncate=17, vertical=True) == (
        "-RECORD 0------------------\n"
        " value | 1                 \n"
        "-RECORD 1------------------\n"
        " value | 11111111111111... \n"
    )


KEY_VALUE = StructType([StructField("key", IntegerType()), StructField("value", StringType())])


@pytest.mark.parametrize("n", [-1, 0])
def test_suite_show_string_negative_and_zero(n):
    # The suite's snapshot ends the footer with "\n", which Spark 4's showString no longer
    # appends (see test_show_docstring_top_two_rows).
    rows = [Row(key=1, value="1")]
    assert show_string(rows, KEY_VALUE, n, has_more=True) == (
        lines(["+---+-----+", "|key|value|", "+---+-----+", "+---+-----+"])
        + "only showing top 0 rows"
    )
    assert show_string(rows, KEY_VALUE, n, vertical=True, has_more=True) == "(0 rows)"


def test_suite_show_string_int_max():
    assert show([(1, 2), (3, 4)], ["a", "b"], n=2147483647) == lines(
        ["+---+---+", "|  a|  b|", "+---+---+", "|  1|  2|", "|  3|  4|", "+---+---+"]
    )


def test_suite_array():
    data = [([1, 2, 3], [1, 2, 3]), ([2, 3, 4], [2, 3, 4])]
    assert show(data, n=10) == lines(
        [
            "+---------+---------+",
            "|       _1|       _2|",
            "+---------+---------+",
            "|[1, 2, 3]|[1, 2, 3]|",
            "|[2, 3, 4]|[2, 3, 4]|",
            "+---------+---------+",
        ]
    )
    assert show(data, n=10, vertical=True) == (
        "-RECORD 0--------\n"
        " _1  | [1, 2, 3] \n"
        " _2  | [1, 2, 3] \n"
        "-RECORD 1--------\n"
        " _1  | [2, 3, 4] \n"
        " _2  | [2, 3, 4] \n"
    )


def test_suite_binary():
    data = [(b"12", b"ABC."), (b"34", b"12346")]
    assert show(data, n=10) == lines(
        [
            "+-------+----------------+",
            "|     _1|              _2|",
            "+-------+----------------+",
            "|[31 32]|   [41 42 43 2E]|",
            "|[33 34]|[31 32 33 34 36]|",
            "+-------+----------------+",
        ]
    )
    assert show(data, n=10, vertical=True) == (
        "-RECORD 0---------------\n"
        " _1  | [31 32]          \n"
        " _2  | [41 42 43 2E]    \n"
        "-RECORD 1---------------\n"
        " _1  | [33 34]          \n"
        " _2  | [31 32 33 34 36] \n"
    )


def test_suite_minimum_column_width():
    assert show([(1, 1), (2, 2)], n=10) == lines(
        ["+---+---+", "| _1| _2|", "+---+---+", "|  1|  1|", "|  2|  2|", "+---+---+"]
    )
    assert show([(1, 1), (2, 2)], n=10, vertical=True) == (
        "-RECORD 0--\n _1  | 1   \n _2  | 1   \n-RECORD 1--\n _1  | 2   \n _2  | 2   \n"
    )


META = "aaa\nbbb\tccc\rddd\feee\bfff\u000bggg\u0007hhh"
ESCAPED = "aaa\\nbbb\\tccc\\rddd\\feee\\bfff\\vggg\\ahhh"


def test_suite_escape_meta_characters():
    assert show_string([(META,)], StructType([StructField(META, StringType())]), 1, 0) == lines(
        ["+" + "-" * 38 + "+", f"|{ESCAPED}|", "+" + "-" * 38 + "+", f"|{ESCAPED}|", "+" + "-" * 38 + "+"]
    )
    name = f"array({ESCAPED})"
    schema = StructType([StructField(f"array({META})", ArrayType(StringType()))])
    assert show_string([([META],)], schema, 1, 0) == lines(
        ["+" + "-" * 45 + "+", f"|{name}|", "+" + "-" * 45 + "+", f"|[{ESCAPED}]     |", "+" + "-" * 45 + "+"]
    )
    key = "aaa\nbbb\tccc"
    schema = StructType([StructField(f"map({key}, {META})", MapType(StringType(), StringType()))])
    sep = "+" + "-" * 58 + "+"
    assert show_string([({key: META},)], schema, 1, 0) == lines(
        [sep, f"|map(aaa\\nbbb\\tccc, {ESCAPED})|", sep, f"|{{aaa\\nbbb\\tccc -> {ESCAPED}}} |", sep]
    )
    schema = StructType(
        [StructField(f"named_struct(v, {META})", StructType([StructField("v", StringType())]))]
    )
    sep = "+" + "-" * 55 + "+"
    assert show_string([(Row(v=META),)], schema, 1, 0) == lines(
        [sep, f"|named_struct(v, {ESCAPED})|", sep, f"|{{{ESCAPED}}}" + " " * 15 + "|", sep]
    )


def test_suite_footer_one_row():
    rows = [Row(key=1, value="1")]
    assert show_string(rows, KEY_VALUE, 1, has_more=True) == (
        lines(["+---+-----+", "|key|value|", "+---+-----+", "|  1|    1|", "+---+-----+"])
        + "only showing top 1 row"
    )
    assert show_string(rows, KEY_VALUE, 1, vertical=True, has_more=True) == (
        "-RECORD 0----\n key   | 1   \n value | 1   \nonly showing top 1 row"
    )


def test_suite_cast_rows_to_strings():
    assert show([([1, 2, 3, 4],)], ["a"], n=10) == lines(
        ["+------------+", "|           a|", "+------------+", "|[1, 2, 3, 4]|", "+------------+"]
    )
    assert show([({1: "a", 2: "b"},)], ["a"], n=10) == lines(
        [
            "+----------------+",
            "|               a|",
            "+----------------+",
            "|{1 -> a, 2 -> b}|",
            "+----------------+",
        ]
    )
    assert show([((1, "a"), 0), ((2, "b"), 0)], ["a", "b"], n=10) == lines(
        [
            "+------+---+",
            "|     a|  b|",
            "+------+---+",
            "|{1, a}|  0|",
            "|{2, b}|  0|",
            "+------+---+",
        ]
    )


def test_suite_empty_dataframe():
    assert show_string([], KEY_VALUE, 1) == lines(
        ["+---+-----+", "|key|value|", "+---+-----+", "+---+-----+"]
    )
    assert show_string([], KEY_VALUE, 1, vertical=True) == "(0 rows)"


def test_suite_session_local_timezone():
    # Timestamps are shown in the session time zone: a TimestampType value arrives as the
    # naive local datetime pyspark's collect() returns.
    data = [(datetime.date(2016, 12, 1), datetime.datetime(2016, 12, 1, 0, 0, 0))]
    assert show(data, ["d", "ts"], n=1, truncate=0) == lines(
        [
            "+----------+-------------------+",
            "|d         |ts                 |",
            "+----------+-------------------+",
            "|2016-12-01|2016-12-01 00:00:00|",
            "+----------+-------------------+",
        ]
    )
    assert show(data, ["d", "ts"], n=1, truncate=0, vertical=True) == (
        "-RECORD 0------------------\n d   | 2016-12-01          \n ts  | 2016-12-01 00:00:00 \n"
    )


# --- sql/core/src/test/scala/org/apache/spark/sql/DatasetSuite.scala (Spark 4) --------------


def test_suite_full_width_characters():
    # SPARK-25108: full-width characters take two columns.
    values = [None, "", "ab c", "1098", "mø", "γύρ", "pê", "ー", "测", "か", "걸", "à", "焼",
              "羍む", "뺭ᾘ", "\u0967\u0968\u0969"]
    cells = ["NULL", "    ", "ab c", "1098", "  mø", " γύρ", "  pê", "  ー", "  测", "  か",
             "  걸", "   à", "  焼", "羍む", " 뺭ᾘ", " १२३"]
    schema = _parse_datatype_string("b int, a string, c int")
    text = show_string([(0, v, 1) for v in values], schema)
    assert text == lines(
        ["+---+----+---+", "|  b|   a|  c|", "+---+----+---+"]
        + [f"|  0|{cell}|  1|" for cell in cells]
        + ["+---+----+---+"]
    )


def test_suite_nested_products_as_rows():
    schema = StructType([StructField("f", _parse_datatype_string("struct<a:string,b:int>"))])
    assert show_string([(Row(a="foo", b=1),), (Row(a="bar", b=2),)], schema) == lines(
        ["+--------+", "|       f|", "+--------+", "|{foo, 1}|", "|{bar, 2}|", "+--------+"]
    )


# --- pyspark/sql/functions/builtin.py docstrings (values of the shown columns) --------------


def test_builtin_unbase64_binary():
    schema = _parse_datatype_string("value string, `unbase64(value)` binary")
    rows = [("U3Bhcms=", b"Spark"), ("UHlTcGFyaw==", b"PySpark"), ("UGFuZGFzIEFQSQ==", b"Pandas API")]
    assert show_string(rows, schema, truncate=False) == lines(
        [
            "+----------------+-------------------------------+",
            "|value           |unbase64(value)                |",
            "+----------------+-------------------------------+",
            "|U3Bhcms=        |[53 70 61 72 6B]               |",
            "|UHlTcGFyaw==    |[50 79 53 70 61 72 6B]         |",
            "|UGFuZGFzIEFQSQ==|[50 61 6E 64 61 73 20 41 50 49]|",
            "+----------------+-------------------------------+",
        ]
    )


def test_builtin_decode_and_unhex():
    rows, schema = create([(b"\x61\x62\x63\x64",)], ["a"])
    schema = schema.add("decode(a, UTF-8)", StringType())
    assert show_string([(rows[0][0], "abcd")], schema) == lines(
        [
            "+-------------+----------------+",
            "|            a|decode(a, UTF-8)|",
            "+-------------+----------------+",
            "|[61 62 63 64]|            abcd|",
            "+-------------+----------------+",
        ]
    )
    schema = _parse_datatype_string("a string, `unhex(a)` binary")
    assert show_string([("414243", bytearray(b"ABC"))], schema) == lines(
        ["+------+----------+", "|     a|  unhex(a)|", "+------+----------+",
         "|414243|[41 42 43]|", "+------+----------+"]
    )


def test_builtin_url_decode_wide_characters():
    schema = _parse_datatype_string("`url_decode(url)` string")
    assert show_string([("你好",)], schema) == lines(
        ["+---------------+", "|url_decode(url)|", "+---------------+", "|           你好|",
         "+---------------+"]
    )


def test_builtin_create_map():
    schema = StructType(
        [StructField("map(name, name, gender, gender)", MapType(StringType(), StringType()))]
    )
    rows = [({"name": "Alice", "gender": "female"},), ({"name": "Bob", "gender": "male"},)]
    assert show_string(rows, schema, truncate=False) == lines(
        [
            "+---------------------------------+",
            "|map(name, name, gender, gender)  |",
            "+---------------------------------+",
            "|{name -> Alice, gender -> female}|",
            "|{name -> Bob, gender -> male}    |",
            "+---------------------------------+",
        ]
    )
    schema = StructType(
        [StructField("map(age, age, weight, weight)", MapType(StringType(), DoubleType()))]
    )
    rows = [({"age": 2.0, "weight": 22.2},), ({"age": 5.0, "weight": 36.1},)]
    assert show_string(rows, schema, truncate=False) == lines(
        [
            "+-----------------------------+",
            "|map(age, age, weight, weight)|",
            "+-----------------------------+",
            "|{age -> 2.0, weight -> 22.2} |",
            "|{age -> 5.0, weight -> 36.1} |",
            "+-----------------------------+",
        ]
    )


def test_builtin_explode_map_with_null_values():
    schema = _parse_datatype_string("i int, m map<int,int>")
    rows = [(1, {1: 2, 3: 4, 5: None}), (2, {}), (3, None)]
    assert show_string(rows, schema, truncate=False) == lines(
        [
            "+---+---------------------------+",
            "|i  |m                          |",
            "+---+---------------------------+",
            "|1  |{1 -> 2, 3 -> 4, 5 -> NULL}|",
            "|2  |{}                         |",
            "|3  |NULL                       |",
            "+---+---------------------------+",
        ]
    )


def test_builtin_inline_nested_struct():
    schema = _parse_datatype_string("s struct<a:int,b:int,c:array<struct<c:int,d:int>>>, c int, d int")
    s = Row(a=1, b=2, c=[Row(c=3, d=4), Row(c=5, d=6)])
    assert show_string([(s, 3, 4), (s, 5, 6)], schema, truncate=False) == lines(
        [
            "+------------------------+---+---+",
            "|s                       |c  |d  |",
            "+------------------------+---+---+",
            "|{1, 2, [{3, 4}, {5, 6}]}|3  |4  |",
            "|{1, 2, [{3, 4}, {5, 6}]}|5  |6  |",
            "+------------------------+---+---+",
        ]
    )


def test_builtin_window_time_timestamps():
    schema = _parse_datatype_string(
        "window struct<start:timestamp,end:timestamp>, `sum(v)` bigint, "
        "`window_time(window)` timestamp"
    )
    window = Row(start=datetime.datetime(2016, 3, 11, 9, 0, 5), end=datetime.datetime(2016, 3, 11, 9, 0, 10))
    rows = [(window, 1, datetime.datetime(2016, 3, 11, 9, 0, 9, 999999))]
    assert show_string(rows, schema, truncate=False) == lines(
        [
            "+------------------------------------------+------+--------------------------+",
            "|window                                    |sum(v)|window_time(window)       |",
            "+------------------------------------------+------+--------------------------+",
            "|{2016-03-11 09:00:05, 2016-03-11 09:00:10}|1     |2016-03-11 09:00:09.999999|",
            "+------------------------------------------+------+--------------------------+",
        ]
    )


def test_builtin_isnan_and_sqrt_doubles():
    schema = _parse_datatype_string("a double, b double, `isnan(a)` boolean, `isnan(b)` boolean")
    nan = float("nan")
    assert show_string([(1.0, nan, False, True), (nan, 2.0, True, False)], schema) == lines(
        [
            "+---+---+--------+--------+",
            "|  a|  b|isnan(a)|isnan(b)|",
            "+---+---+--------+--------+",
            "|1.0|NaN|   false|    true|",
            "|NaN|2.0|    true|   false|",
            "+---+---+--------+--------+",
        ]
    )
    schema = _parse_datatype_string("value int, `SQRT(value)` double")
    rows = [(-1, nan), (0, 0.0), (1, 1.0), (4, 2.0), (None, None)]
    assert show_string(rows, schema) == lines(
        ["+-----+-----------+", "|value|SQRT(value)|", "+-----+-----------+",
         "|   -1|        NaN|", "|    0|        0.0|", "|    1|        1.0|",
         "|    4|        2.0|", "| NULL|       NULL|", "+-----+-----------+"]
    )


def test_builtin_array_with_null_element():
    # array_append(data, NULL) in builtin.py: "[NULL, 1, 2, 3]" / "[1, 2, 3, NULL]"
    schema = StructType([StructField("x", ArrayType(LongType()))])
    assert pretty_string([None, 1, 2, 3], schema["x"].dataType) == "[NULL, 1, 2, 3]"
    assert pretty_string([1, 2, 3, None], schema["x"].dataType) == "[1, 2, 3, NULL]"


# --- value forms (Java's Double.toString / Float.toString, Spark's casts) -------------------


@pytest.mark.parametrize(
    "value, text",
    [
        # From the JDK's Double.toString specification (Java 19+ shortest form) and values
        # Spark prints (1.0E10, 1.0E-5 as in the brief).
        (1.0, "1.0"),
        (0.1, "0.1"),
        (100.0, "100.0"),
        (1e10, "1.0E10"),
        (1e-5, "1.0E-5"),
        (0.001, "0.001"),
        (0.0001, "1.0E-4"),
        (9999999.0, "9999999.0"),
        (1e7, "1.0E7"),
        (123456789.0, "1.23456789E8"),
        (-1.5, "-1.5"),
        (0.0, "0.0"),
        (-0.0, "-0.0"),
        (5e-324, "4.9E-324"),  # Double.MIN_VALUE
        (1.7976931348623157e308, "1.7976931348623157E308"),  # Double.MAX_VALUE
        (2.2250738585072014e-308, "2.2250738585072014E-308"),  # Double.MIN_NORMAL
        (math.inf, "Infinity"),
        (-math.inf, "-Infinity"),
        (math.nan, "NaN"),
    ],
)
def test_java_double_to_string(value, text):
    assert java_double_string(value) == text
    assert pretty_string(value, DoubleType()) == text


@pytest.mark.parametrize(
    "value, text",
    [
        (0.1, "0.1"),  # the float nearest 0.1, not 0.10000000149011612
        (1.0, "1.0"),
        (3.4028234663852886e38, "3.4028235E38"),  # Float.MAX_VALUE
        (1.401298464324817e-45, "1.4E-45"),  # Float.MIN_VALUE
        (16777216.0, "1.6777216E7"),
        (1234567.0, "1234567.0"),
    ],
)
def test_java_float_to_string(value, text):
    assert pretty_string(value, FloatType()) == text


def test_decimals_keep_their_scale():
    # Spark's Decimal.toPlainString of a decimal(p, s) value shows s digits after the point.
    rows, schema = create([(decimal.Decimal("1.5"), decimal.Decimal("-0.001"))], "a decimal(10,2), b decimal(38,18)")
    assert show_string(rows, schema, truncate=False) == lines(
        ["+----+---------------------+", "|a   |b                    |",
         "+----+---------------------+", "|1.50|-0.001000000000000000|",
         "+----+---------------------+"]
    )
    assert pretty_string(decimal.Decimal("-0.0001"), _parse_datatype_string("decimal(5,2)")) == "0.00"


def test_timestamp_forms():
    ts = TimestampType()
    assert pretty_string(datetime.datetime(2024, 1, 1, 12, 0, 0), ts) == "2024-01-01 12:00:00"
    assert pretty_string(datetime.datetime(2024, 1, 1, 12, 0, 0, 500000), ts) == "2024-01-01 12:00:00.5"
    assert pretty_string(datetime.datetime(1, 1, 1, 0, 0, 0, 1), TimestampNTZType()) == "0001-01-01 00:00:00.000001"
    aware = datetime.datetime(2024, 1, 1, 12, tzinfo=datetime.timezone.utc)
    local = aware.astimezone().replace(tzinfo=None)
    assert pretty_string(aware, ts) == local.strftime("%Y-%m-%d %H:%M:%S")


def test_nulls_and_other_types():
    assert pretty_string(None, NullType()) == "NULL"
    assert pretty_string(True, _parse_datatype_string("boolean")) == "true"
    assert pretty_string(bytearray(), BinaryType()) == "[]"
    assert pretty_string({}, MapType(StringType(), LongType())) == "{}"
    assert pretty_string([], ArrayType(LongType())) == "[]"
    schema = _parse_datatype_string("struct<a:int,b:string>")
    assert pretty_string(Row(a=None, b=None), schema) == "{NULL, NULL}"
    assert pretty_string({"b": "x", "a": 1}, schema) == "{1, x}"


def test_truncation_counts_utf16_units():
    # Java's String.length counts a character outside the BMP as two units.
    schema = StructType([StructField("e", StringType())])
    text = show_string([("😀" * 12,)], schema)
    assert text.splitlines()[3] == "|" + "😀" * 8 + "?...|"


# --- arguments ------------------------------------------------------------------------------


def test_argument_errors():
    with pytest.raises(TypeError, match=r"\[NOT_EXPECTED_TYPE\] Argument `n` should be int, got bool"):
        show_string([], KEY_VALUE, True)
    with pytest.raises(TypeError, match="Argument `vertical` should be bool, got str"):
        show_string([], KEY_VALUE, 20, True, "yes")
    with pytest.raises(TypeError, match="Argument `truncate` should be bool, got str"):
        show_string([], KEY_VALUE, 20, "abc")
    with pytest.raises(TypeError, match="schema should be a StructType"):
        show_string([], "key int")


def test_rows_beyond_n_set_the_footer():
    rows = [Row(key=i, value=str(i)) for i in range(3)]
    assert show_string(rows, KEY_VALUE, 2).endswith("+---+-----+\nonly showing top 2 rows")
    assert show_string(rows, KEY_VALUE, 3).endswith("+---+-----+\n")


# --- printSchema: pyspark/sql/dataframe.py and types.py docstrings, DataFrameShowSuite ------


def test_print_schema_docstring_examples():
    _, schema = create([(14, "Tom"), (23, "Alice"), (16, "Bob")], ["age", "name"])
    assert tree_string(schema) == lines(
        ["root", " |-- age: long (nullable = true)", " |-- name: string (nullable = true)"]
    )
    _, schema = create([(1, (2, 2))], ["a", "b"])
    assert tree_string(schema, 1) == lines(
        ["root", " |-- a: long (nullable = true)", " |-- b: struct (nullable = true)"]
    )
    assert tree_string(schema, 2) == lines(
        [
            "root",
            " |-- a: long (nullable = true)",
            " |-- b: struct (nullable = true)",
            " |    |-- _1: long (nullable = true)",
            " |    |-- _2: long (nullable = true)",
        ]
    )
    schema = StructType(
        [StructField("nonnullable", LongType(), False), StructField("nullable", NullType())]
    )
    assert tree_string(schema) == lines(
        ["root", " |-- nonnullable: long (nullable = false)", " |-- nullable: void (nullable = true)"]
    )


def test_print_schema_struct_type_docstring():
    schema = StructType(
        [StructField("name", StringType()), StructField("languagesSkills", ArrayType(StringType()))]
    )
    assert schema.treeString() == lines(
        [
            "root",
            " |-- name: string (nullable = true)",
            " |-- languagesSkills: array (nullable = true)",
            " |    |-- element: string (containsNull = true)",
        ]
    )


def test_print_schema_escapes_meta_characters():
    # DataFrameShowSuite, SPARK-34308 (printSchema prints the tree followed by a newline).
    schema = StructType([StructField(f"map(aaa\nbbb\tccc, {META})", MapType(StringType(), StringType(), False), False)])
    assert tree_string(schema) == lines(
        [
            "root",
            f" |-- map(aaa\\nbbb\\tccc, {ESCAPED}): map (nullable = false)",
            " |    |-- key: string",
            " |    |-- value: string (valueContainsNull = false)",
        ]
    )
    schema = StructType([StructField(f"named_struct(v, {META})", StructType([StructField("v", StringType(), False)]), False)])
    assert tree_string(schema) == lines(
        [
            "root",
            f" |-- named_struct(v, {ESCAPED}): struct (nullable = false)",
            " |    |-- v: string (nullable = false)",
        ]
    )


def test_print_schema_decimal_shows_precision():
    schema = _parse_datatype_string("d decimal(5,2), i int, t timestamp_ntz")
    assert tree_string(schema) == lines(
        [
            "root",
            " |-- d: decimal(5,2) (nullable = true)",
            " |-- i: integer (nullable = true)",
            " |-- t: timestamp_ntz (nullable = true)",
        ]
    )


def test_double_and_float_strings_read_back_exactly():
    # Java's shortest forms read back as the same number and are never longer than Python's
    # repr (also the shortest); random bit patterns cover normal, subnormal and huge values.
    import random
    import struct

    rng = random.Random(7)
    for _ in range(3000):
        (x,) = struct.unpack("<d", struct.pack("<Q", rng.getrandbits(63)))
        if math.isnan(x) or math.isinf(x):
            continue
        text = java_double_string(x)
        assert float(text) == x
        digits = text.split("E")[0].replace(".", "").lstrip("0").rstrip("0")
        assert len(digits) <= max(2, len(repr(x).split("e")[0].replace(".", "").strip("0")))
        (f,) = struct.unpack("<f", struct.pack("<I", rng.getrandbits(31)))
        if math.isnan(f) or math.isinf(f):
            continue
        ftext = pretty_string(f, FloatType())
        assert struct.unpack("<f", struct.pack("<f", float(ftext)))[0] == f
        assert len(ftext.split("E")[0].replace(".", "").strip("0")) <= 9
