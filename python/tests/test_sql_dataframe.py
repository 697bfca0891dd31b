"""ember.sql: SparkSession, DataFrame, Column and GroupedData against hand-computed answers and
pyspark's documented results."""

import datetime
import os

import pandas as pd
import pyarrow as pa
import pytest

from ember.sql import AnalysisException, DataFrame, ParseException, Row, SparkSession, Window
from ember.sql import functions as F
from ember.sql.types import LongType, StringType, StructField, StructType


@pytest.fixture(scope="module")
def people(spark):
    return spark.createDataFrame(
        [("Alice", 34, "NY"), ("Bob", 45, "SF"), ("Carol", 29, "NY"), ("Dan", None, "LA")],
        ["name", "age", "city"],
    )


def test_builder_returns_the_session_over_the_active_context(sc, spark):
    s = SparkSession.builder.master("local[2]").appName("x").config("spark.some", "v").getOrCreate()
    assert s.sparkContext is sc
    assert s.conf.get("spark.some") == "v"


def test_create_dataframe_from_tuples_rows_dicts_pandas_arrow(spark):
    expected = [Row(a=1, b="x"), Row(a=2, b="y")]
    assert spark.createDataFrame([(1, "x"), (2, "y")], ["a", "b"]).collect() == expected
    assert spark.createDataFrame([Row(a=1, b="x"), Row(a=2, b="y")]).collect() == expected
    assert spark.createDataFrame([{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]).collect() == expected
    pdf = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    assert spark.createDataFrame(pdf).collect() == expected
    assert spark.createDataFrame(pa.table({"a": [1, 2], "b": ["x", "y"]})).collect() == expected
    schema = StructType([StructField("a", LongType()), StructField("b", StringType())])
    assert spark.createDataFrame([(1, "x"), (2, "y")], schema).collect() == expected
    assert spark.createDataFrame([(1, "x"), (2, "y")], "a long, b string").collect() == expected
    assert spark.createDataFrame([1, 2], "int").collect() == [Row(value=1), Row(value=2)]


def test_create_dataframe_rejects_bad_input(spark):
    with pytest.raises(TypeError, match="createDataFrame"):
        spark.createDataFrame(42)
    with pytest.raises(TypeError, match="LongType"):
        spark.createDataFrame([("x",)], "a long")
    with pytest.raises(TypeError, match="schema"):
        spark.createDataFrame([(1,)], 3.5)


def test_schema_columns_dtypes(people):
    assert people.columns == ["name", "age", "city"]
    assert people.dtypes == [("name", "string"), ("age", "bigint"), ("city", "string")]
    assert repr(people) == "DataFrame[name: string, age: bigint, city: string]"


def test_select_filter_with_column_names(people):
    out = people.filter(people.age > 30).select("name", (F.col("age") + 1).alias("next")).orderBy("name")
    assert out.collect() == [Row(name="Alice", next=35), Row(name="Bob", next=46)]
    assert people.select(people["age"] + 1).columns == ["(age + 1)"]
    assert people.select(F.upper("name")).columns == ["upper(name)"]
    assert people.where("city = 'NY'").count() == 2
    assert people.selectExpr("age * 2 AS d").orderBy("d").first() == Row(d=None)


def test_arithmetic_follows_spark(spark):
    df = spark.createDataFrame([(7, 2)], ["a", "b"])
    row = df.select((df.a / df.b).alias("q"), (df.a % df.b).alias("m"), (-df.a).alias("n")).first()
    assert row == Row(q=3.5, m=1, n=-7)


def test_with_column_renamed_drop_to_df(people):
    df = people.withColumn("age2", people.age * 2).withColumnRenamed("city", "town").drop("age")
    assert df.columns == ["name", "town", "age2"]
    assert people.withColumnRenamed("missing", "x").columns == people.columns
    assert people.drop("missing").columns == people.columns
    assert people.toDF("n", "a", "c").columns == ["n", "a", "c"]


def test_group_by_aggregates(people):
    out = people.groupBy("city").agg(F.count("*").alias("n"), F.avg("age").alias("avg")).orderBy("city")
    assert out.collect() == [Row(city="LA", n=1, avg=None), Row(city="NY", n=2, avg=31.5),
                             Row(city="SF", n=1, avg=45.0)]
    assert sorted(people.groupBy("city").count().collect()) == [
        Row(city="LA", count=1), Row(city="NY", count=2), Row(city="SF", count=1)]
    assert people.agg({"age": "max"}).collect() == [Row(**{"max(age)": 45})]
    assert people.groupBy().sum("age").collect() == [Row(**{"sum(age)": 108})]
    assert people.select(F.countDistinct("city")).first()[0] == 3


def test_joins_of_every_kind(spark):
    a = spark.createDataFrame([(1, "a1"), (2, "a2"), (3, "a3")], ["id", "va"])
    b = spark.createDataFrame([(2, "b2"), (3, "b3"), (4, "b4")], ["id", "vb"])
    assert a.join(b, "id").orderBy("id").collect() == [Row(id=2, va="a2", vb="b2"),
                                                       Row(id=3, va="a3", vb="b3")]
    assert a.join(b, "id", "left").orderBy("id").collect()[0] == Row(id=1, va="a1", vb=None)
    assert a.join(b, ["id"], "right").orderBy("id").collect()[-1] == Row(id=4, va=None, vb="b4")
    full = a.join(b, "id", "outer").orderBy("id").collect()
    assert [r.id for r in full] == [1, 2, 3, 4]
    assert a.join(b, "id", "left_semi").orderBy("id").collect() == [Row(id=2, va="a2"), Row(id=3, va="a3")]
    assert a.join(b, "id", "anti").collect() == [Row(id=1, va="a1")]
    cond = a.join(b, a.id == b.id).select(a.id, b.vb).orderBy(a.id)
    assert cond.collect() == [Row(id=2, vb="b2"), Row(id=3, vb="b3")]
    assert a.crossJoin(b).count() == 9
    with pytest.raises(ValueError, match="UNSUPPORTED_JOIN_TYPE"):
        a.join(b, "id", "sideways")
    with pytest.raises(AnalysisException, match="USING column `nope`"):
        a.join(b, "nope")


def test_order_limit_distinct_union(spark):
    df = spark.createDataFrame([(3,), (1,), (None,), (2,), (1,)], "x int")
    assert [r.x for r in df.orderBy("x").collect()] == [None, 1, 1, 2, 3]
    assert [r.x for r in df.orderBy(F.desc("x")).collect()] == [3, 2, 1, 1, None]
    assert [r.x for r in df.orderBy("x", ascending=False).limit(2).collect()] == [3, 2]
    assert df.distinct().count() == 4
    assert df.union(df).count() == 10
    other = spark.createDataFrame([(5, "z")], ["y", "x"])
    with pytest.raises(AnalysisException):
        df.unionByName(other)
    assert sorted(df.dropDuplicates().collect(), key=lambda r: (r.x is not None, r.x))[0] == Row(x=None)


def test_union_by_name_and_drop_duplicates_subset(spark):
    a = spark.createDataFrame([(1, "x")], ["n", "s"])
    b = spark.createDataFrame([("y", 2)], ["s", "n"])
    assert sorted(a.unionByName(b).collect()) == [Row(n=1, s="x"), Row(n=2, s="y")]
    df = spark.createDataFrame([(1, "a"), (1, "b"), (2, "c")], ["k", "v"])
    assert df.dropDuplicates(["k"]).count() == 2


def test_when_otherwise_isin_between_like(people):
    out = people.select(
        "name",
        F.when(people.age > 40, "old").when(people.age > 30, "mid").otherwise("young").alias("band"),
    ).orderBy("name").collect()
    assert [r.band for r in out] == ["mid", "old", "young", "young"]
    assert people.filter(people.city.isin("NY", "LA")).count() == 3
    assert people.filter(people.age.between(29, 34)).count() == 2
    assert people.filter(people.name.like("%o%")).count() == 2
    assert people.filter(people.name.startswith("A")).first().name == "Alice"
    assert people.filter(people.age.isNull()).first().name == "Dan"


def test_string_and_math_functions(spark):
    df = spark.createDataFrame([("  Hello World ", -2.5, 9)], ["s", "f", "i"])
    r = df.select(
        F.trim("s").alias("t"), F.length(F.trim("s")).alias("l"), F.lower(F.trim("s")).alias("lo"),
        F.concat(F.lit("a"), F.lit("b")).alias("c"), F.concat_ws("-", F.lit("a"), F.lit("b")).alias("cw"),
        F.substring(F.trim("s"), 1, 5).alias("sub"), F.abs("f").alias("a"), F.sqrt("i").alias("sq"),
        F.round(F.lit(2.345), 2).alias("r"), F.floor("f").alias("fl"), F.ceil("f").alias("ce"),
        F.regexp_replace(F.trim("s"), "o", "0").alias("re"),
        F.regexp_extract(F.trim("s"), r"(\w+) (\w+)", 2).alias("ex"),
        F.log(F.lit(1.0)).alias("ln"), F.split(F.trim("s"), " ").alias("sp"),
    ).first()
    assert r == Row(t="Hello World", l=11, lo="hello world", c="ab", cw="a-b", sub="Hello", a=2.5,
                    sq=3.0, r=2.35, fl=-3, ce=-2, re="Hell0 W0rld", ex="World", ln=0.0,
                    sp=["Hello", "World"])


def test_date_functions(spark):
    df = spark.createDataFrame([(datetime.date(2024, 3, 1),)], ["d"])
    r = df.select(F.year("d").alias("y"), F.month("d").alias("m"), F.dayofmonth("d").alias("dd"),
                  F.dayofweek("d").alias("dow"), F.date_add("d", 30).alias("plus"),
                  F.datediff(F.lit(datetime.date(2024, 3, 11)), F.col("d")).alias("diff"),
                  F.date_format("d", "yyyy/MM/dd").alias("f")).first()
    assert r == Row(y=2024, m=3, dd=1, dow=6, plus=datetime.date(2024, 3, 31), diff=10, f="2024/03/01")
    parsed = spark.createDataFrame([("01-02-2023",)], ["s"]).select(F.to_date("s", "dd-MM-yyyy").alias("d"))
    assert parsed.first().d == datetime.date(2023, 2, 1)


def test_explode_split_word_count(spark):
    df = spark.createDataFrame([("a b a",), ("b c",), (None,)], ["line"])
    words = df.select(F.explode(F.split(df.line, " ")).alias("word"))
    counts = {r.word: r["count"] for r in words.groupBy("word").count().collect()}
    assert counts == {"a": 2, "b": 2, "c": 1}
    outer = df.select(F.explode_outer(F.split(df.line, " ")).alias("w"))
    assert outer.count() == 6
    assert df.select(F.explode(F.split("line", " "))).columns == ["col"]
    # pyspark's documented results for a regular expression, with and without a limit.
    s = spark.createDataFrame([("oneAtwoBthreeC",)], ["s"])
    assert s.select(F.split(s.s, "[ABC]", 2).alias("p")).first().p == ["one", "twoBthreeC"]
    assert s.select(F.split(s.s, "[ABC]").alias("p")).first().p == ["one", "two", "three", ""]


def test_array_functions(spark):
    df = spark.createDataFrame([([3, 1, 2],)], ["xs"])
    r = df.select(F.size("xs").alias("n"), F.array_contains("xs", 2).alias("has"),
                  F.sort_array("xs").alias("s"), F.array_max("xs").alias("mx"),
                  F.element_at("xs", 1).alias("first"), F.col("xs")[0].alias("zero"),
                  F.array_join(F.sort_array("xs"), ",").alias("j")).first()
    assert r == Row(n=3, has=True, s=[1, 2, 3], mx=3, first=3, zero=3, j="1,2,3")


def test_window_functions(spark):
    df = spark.createDataFrame([("a", 1), ("a", 3), ("a", 2), ("b", 5)], ["k", "v"])
    w = Window.partitionBy("k").orderBy("v")
    out = df.select("k", "v", F.row_number().over(w).alias("rn"), F.sum("v").over(w).alias("run"),
                    F.lag("v").over(w).alias("prev"),
                    F.max("v").over(Window.partitionBy("k")).alias("mx")).orderBy("k", "v").collect()
    assert out == [Row(k="a", v=1, rn=1, run=1, prev=None, mx=3), Row(k="a", v=2, rn=2, run=3, prev=1, mx=3),
                   Row(k="a", v=3, rn=3, run=6, prev=2, mx=3), Row(k="b", v=5, rn=1, run=5, prev=None, mx=5)]
    rows = Window.partitionBy("k").orderBy("v").rowsBetween(-1, Window.currentRow)
    moving = df.select("v", F.sum("v").over(rows).alias("m")).orderBy("v").collect()
    assert [r.m for r in moving] == [1, 3, 5, 5]


def test_sql_temp_views_and_global_temp_views(spark, people):
    people.createOrReplaceTempView("people_t")
    assert spark.sql("SELECT count(*) AS n FROM people_t WHERE age > 30").first() == Row(n=2)
    assert "people_t" in [t.name for t in spark.catalog.listTables()]
    people.createGlobalTempView("people_g")
    assert spark.newSession().sql("SELECT count(*) AS n FROM global_temp.people_g").first().n == 4
    assert spark.catalog.dropTempView("people_t") is True
    assert spark.catalog.tableExists("people_t") is False
    with pytest.raises(AnalysisException, match="people_t"):
        spark.sql("SELECT * FROM people_t").collect()
    with pytest.raises(ParseException):
        spark.sql("SELEC 1")


def test_unknown_column_is_an_analysis_exception(people):
    with pytest.raises(AnalysisException, match="nope"):
        people.select("nope")
    with pytest.raises(AnalysisException, match="nope"):
        people["nope"]
    with pytest.raises(AttributeError):
        people.nope


def test_wrong_argument_types_raise_type_error(spark, people):
    with pytest.raises(TypeError, match="Column or str"):
        people.select(3)
    with pytest.raises(TypeError, match="condition"):
        people.filter(3)
    with pytest.raises(TypeError, match="colName"):
        people.withColumn(1, F.lit(1))
    with pytest.raises(TypeError, match="Column"):
        people.withColumn("x", 1)
    with pytest.raises(TypeError, match="limit"):
        people.limit("3")
    with pytest.raises(TypeError, match="DataFrame"):
        people.join("other")
    with pytest.raises(TypeError, match="sqlQuery"):
        spark.sql(5)
    with pytest.raises(TypeError, match="path"):
        spark.read.csv(5)
    with pytest.raises(TypeError, match="col"):
        F.col(5)
    with pytest.raises(TypeError, match="dataType"):
        people.age.cast(5)
    with pytest.raises(ValueError, match="bool"):
        bool(people.age > 1)


def test_show_prints_pyspark_table(capsys, spark):
    spark.createDataFrame([(1, "a"), (None, "bb")], "n int, s string").show()
    assert capsys.readouterr().out == (
        "+----+---+\n|   n|  s|\n+----+---+\n|   1|  a|\n|NULL| bb|\n+----+---+\n\n"
    )
    spark.range(5).show(2)
    assert capsys.readouterr().out == (
        "+---+\n| id|\n+---+\n|  0|\n|  1|\n+---+\nonly showing top 2 rows\n"
    )


def test_to_pandas_to_arrow_head_take(people):
    pdf = people.orderBy("name").toPandas()
    assert list(pdf["name"]) == ["Alice", "Bob", "Carol", "Dan"]
    assert people.toArrow().num_rows == 4
    assert people.orderBy("name").head() == Row(name="Alice", age=34, city="NY")
    assert len(people.take(2)) == 2 and len(people.head(3)) == 3
    assert not people.isEmpty()


def test_na_fill_drop_and_describe(spark):
    df = spark.createDataFrame([(None, "a", 1.0), (2, None, None), (3, "c", 3.0)], "n int, s string, f double")
    assert df.na.fill(0).collect()[0] == Row(n=0, s="a", f=1.0)
    assert df.na.fill({"s": "?"}).collect()[1].s == "?"
    assert df.na.drop().count() == 1
    assert df.dropna(how="all").count() == 3
    assert df.na.drop(thresh=3).count() == 1
    desc = {r.summary: r for r in df.describe("n").collect()}
    assert desc["count"].n == "2" and desc["mean"].n == "2.5" and desc["max"].n == "3"


def test_cache_persist_unpersist(spark):
    from ember import StorageLevel

    df = spark.range(100).withColumn("sq", F.col("id") * F.col("id"))
    df.cache()
    assert df.is_cached
    assert df.agg(F.sum("sq")).first()[0] == sum(i * i for i in range(100))
    assert df.count() == 100
    df.unpersist()
    assert not df.is_cached
    df.persist(StorageLevel.DISK_ONLY)
    assert df.storageLevel.useDisk and not df.storageLevel.useMemory


def test_read_and_write_round_trip(spark, tmp_path):
    df = spark.createDataFrame([(1, "a"), (2, "b"), (3, "a")], ["n", "s"])
    for fmt in ("parquet", "csv", "json"):
        path = str(tmp_path / fmt)
        df.write.format(fmt).option("header", True).save(path)
        assert os.path.exists(os.path.join(path, "_SUCCESS"))
        reader = spark.read.format(fmt)
        if fmt == "csv":
            reader = reader.option("header", True).option("inferSchema", True)
        back = reader.load(path)
        assert sorted(back.collect()) == sorted(df.collect())
    with pytest.raises(Exception, match="already exists"):
        df.write.parquet(str(tmp_path / "parquet"))
    df.write.mode("overwrite").parquet(str(tmp_path / "parquet"))
    df.write.mode("append").parquet(str(tmp_path / "parquet"))
    assert spark.read.parquet(str(tmp_path / "parquet")).count() == 6
    df.write.partitionBy("s").parquet(str(tmp_path / "parts"))
    assert sorted(os.listdir(tmp_path / "parts")) == ["_SUCCESS", "s=a", "s=b"]
    with pytest.raises(ValueError, match="save mode"):
        df.write.mode("sometimes").parquet(str(tmp_path / "x"))


def test_json_columns_are_sorted_by_name_as_spark_infers_them(spark, tmp_path):
    # pyspark's sql/basic.py example: people.json shows as `age|name`.
    path = tmp_path / "people.json"
    path.write_text('{"name":"Michael"}\n{"name":"Andy", "age":30}\n{"name":"Justin", "age":19}\n')
    df = spark.read.json(str(path))
    assert df.columns == ["age", "name"]
    assert df.collect() == [Row(age=None, name="Michael"), Row(age=30, name="Andy"), Row(age=19, name="Justin")]


def test_missing_file_names_the_path(spark, tmp_path):
    missing = str(tmp_path / "nope.csv")
    with pytest.raises(FileNotFoundError, match="nope.csv"):
        spark.read.csv(missing)


def test_rdd_and_back(spark):
    df = spark.createDataFrame([("a", 1), ("b", 2)], ["k", "v"])
    assert df.rdd.map(lambda r: r.v * 10).collect() == [10, 20]
    assert df.rdd.getNumPartitions() >= 1
    assert sorted(df.rdd.collect()) == [Row(k="a", v=1), Row(k="b", v=2)]
    rdd = spark.sparkContext.parallelize([Row(name="x", n=1), Row(name="y", n=2)], 2)
    back = spark.createDataFrame(rdd)
    assert back.columns == ["name", "n"] and back.count() == 2
    pairs = spark.sparkContext.parallelize([("a", None), ("b", 2)], 2)
    assert spark.createDataFrame(pairs, ["k", "v"]).orderBy("k").collect() == [Row(k="a", v=None), Row(k="b", v=2)]
    assert spark.createDataFrame(pairs, "k string, v int").schema.simpleString() == "struct<k:string,v:int>"
    assert spark.createDataFrame(spark.sparkContext.parallelize([1, 2]), "int").collect() == [Row(value=1), Row(value=2)]
    big = spark.sparkContext.range(20000, numSlices=3).map(lambda i: (i, str(i)))
    assert spark.createDataFrame(big, ["i", "s"]).agg(F.sum("i")).first()[0] == sum(range(20000))
    with pytest.raises(ValueError, match="empty"):
        spark.createDataFrame(spark.sparkContext.emptyRDD())


def test_udf_and_pandas_udf(spark):
    @F.udf("string")
    def shout(s):
        return s.upper() + "!"

    @F.pandas_udf("double")
    def half(v: pd.Series) -> pd.Series:
        return v / 2

    df = spark.createDataFrame([("a", 1), ("b", 4)], ["s", "n"])
    assert df.select(shout("s").alias("x"), half("n").alias("h")).collect() == [
        Row(x="A!", h=0.5), Row(x="B!", h=2.0)]
    spark.udf.register("twice", lambda x: x * 2, "long")
    df.createOrReplaceTempView("udf_t")
    assert spark.sql("SELECT twice(n) AS t FROM udf_t ORDER BY t").collect() == [Row(t=2), Row(t=8)]


def test_udf_error_reaches_the_driver_as_its_own_type(spark):
    bad = F.udf(lambda x: 1 // 0, "long")
    with pytest.raises(ZeroDivisionError):
        spark.range(3).select(bad("id")).collect()
    assert spark.range(3).count() == 3


def test_dataframe_is_a_dataframe(people):
    assert isinstance(people.limit(1), DataFrame)
