"""spark.read's malformed-record modes (PERMISSIVE, DROPMALFORMED, FAILFAST) and
columnNameOfCorruptRecord for CSV and JSON, pyspark-style calls against hand-computed rows."""

import gzip

import pytest

from ember.sql import Row

# Line 1 is the header; line 3's age is not a number, line 4 has too few fields, line 5 too many.
PEOPLE = "name,age\nann,31\nbob,x\ncy\ndan,40,extra\neve,25\n"

# Line 2 is cut short, line 3 is not JSON, line 4 is blank.
EVENTS = '{"a":1,"b":"x"}\n{"a":2,"b":"y"\nnot json\n\n{"a":4}\n'


@pytest.fixture
def people(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(PEOPLE)
    return str(path)


@pytest.fixture
def events(tmp_path):
    path = tmp_path / "events.json"
    path.write_text(EVENTS)
    return str(path)


def test_csv_permissive_fills_the_corrupt_record_column(spark, people):
    schema = "name STRING, age INT, _corrupt_record STRING"
    expected = [
        Row(name="ann", age=31, _corrupt_record=None),
        Row(name="bob", age=None, _corrupt_record="bob,x"),
        Row(name="cy", age=None, _corrupt_record="cy"),
        Row(name="dan", age=40, _corrupt_record="dan,40,extra"),
        Row(name="eve", age=25, _corrupt_record=None),
    ]
    assert spark.read.csv(people, schema=schema, header=True).collect() == expected
    assert spark.read.csv(people, schema=schema, header=True, mode="permissive").collect() == expected
    reader = spark.read.option("mode", "PERMISSIVE").option("header", True).schema(schema)
    assert reader.csv(people).collect() == expected
    # Without the column, the bad fields are null and the rows stay.
    rows = spark.read.csv(people, schema="name STRING, age INT", header=True).collect()
    assert [(r.name, r.age) for r in rows] == [("ann", 31), ("bob", None), ("cy", None), ("dan", 40), ("eve", 25)]


def test_csv_custom_corrupt_column(spark, people):
    df = spark.read.csv(people, schema="name STRING, age INT, bad STRING", header=True,
                        columnNameOfCorruptRecord="bad")
    assert [r.bad for r in df.collect()] == [None, "bob,x", "cy", "dan,40,extra", None]
    df = spark.read.options(header=True, columnNameOfCorruptRecord="bad").csv(
        people, schema="name STRING, age INT, bad STRING")
    assert df.filter(df.bad.isNotNull()).count() == 3


def test_csv_dropmalformed(spark, people):
    df = spark.read.csv(people, schema="name STRING, age INT", header=True, mode="DROPMALFORMED")
    assert df.collect() == [Row(name="ann", age=31), Row(name="eve", age=25)]
    # All-string columns: only the field counts are wrong.
    df = spark.read.option("mode", "dropmalformed").csv(people, header=True)
    assert df.collect() == [Row(name="ann", age="31"), Row(name="bob", age="x"), Row(name="eve", age="25")]


def test_csv_failfast_names_file_and_line(spark, tmp_path):
    path = tmp_path / "one_bad.csv"
    path.write_text("name,age\nann,31\nbob,x\neve,25\n")
    df = spark.read.csv(str(path), schema="name STRING, age INT", header=True, mode="FAILFAST")
    with pytest.raises(RuntimeError) as e:
        df.collect()
    message = str(e.value)
    assert str(path) in message and "line 3" in message and "bob,x" in message


def test_csv_gzip_modes(spark, tmp_path):
    path = tmp_path / "n.csv.gz"
    with gzip.open(path, "wt") as f:
        f.write("1,2\n3,4\noops\n5,6\n")
    schema = "a INT, b INT, _corrupt_record STRING"
    rows = spark.read.csv(str(path), schema=schema).collect()
    assert rows[2] == Row(a=None, b=None, _corrupt_record="oops")
    assert spark.read.csv(str(path), schema="a INT, b INT", mode="DROPMALFORMED").count() == 3
    with pytest.raises(RuntimeError, match="line 3"):
        spark.read.csv(str(path), schema="a INT, b INT", mode="FAILFAST").collect()


def test_json_inference_adds_corrupt_record(spark, events):
    df = spark.read.json(events)
    assert df.columns == ["_corrupt_record", "a", "b"]
    assert df.collect() == [
        Row(_corrupt_record=None, a=1, b="x"),
        Row(_corrupt_record='{"a":2,"b":"y"', a=None, b=None),
        Row(_corrupt_record="not json", a=None, b=None),
        Row(_corrupt_record=None, a=4, b=None),
    ]
    assert spark.read.json(events, columnNameOfCorruptRecord="raw").columns == ["a", "b", "raw"]
    assert spark.read.json(events, mode="DROPMALFORMED").collect() == [Row(a=1, b="x"), Row(a=4, b=None)]
    with pytest.raises(RuntimeError) as e:
        spark.read.json(events, mode="FAILFAST")
    assert events in str(e.value) and "line 2" in str(e.value)


def test_json_user_schema_modes(spark, tmp_path):
    path = tmp_path / "typed.json"
    path.write_text('{"a":1}\n{"a":"three"}\n{"a":4}\n')
    rows = spark.read.schema("a BIGINT, _corrupt_record STRING").json(str(path)).collect()
    assert rows == [
        Row(a=1, _corrupt_record=None),
        Row(a=None, _corrupt_record='{"a":"three"}'),
        Row(a=4, _corrupt_record=None),
    ]
    assert spark.read.json(str(path), schema="a BIGINT", mode="DROPMALFORMED").collect() == [Row(a=1), Row(a=4)]
    with pytest.raises(RuntimeError) as e:
        spark.read.format("json").option("mode", "FAILFAST").schema("a BIGINT").load(str(path)).collect()
    assert str(path) in str(e.value) and "line 2" in str(e.value) and "three" in str(e.value)


def test_bad_mode_and_argument_types(spark, people, events):
    with pytest.raises(ValueError, match="lenient"):
        spark.read.csv(people, mode="lenient")
    with pytest.raises(ValueError, match="lenient"):
        spark.read.option("mode", "lenient").json(events)
    with pytest.raises(TypeError, match="mode"):
        spark.read.csv(people, mode=1)
    with pytest.raises(TypeError, match="columnNameOfCorruptRecord"):
        spark.read.json(events, columnNameOfCorruptRecord=["x"])
    with pytest.raises(ValueError, match="multiLine"):
        spark.read.json(events, multiLine=True)
