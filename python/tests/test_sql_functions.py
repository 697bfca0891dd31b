"""ember.sql.functions one by one, against hand-computed answers (and known digests)."""

import datetime

import pytest

from ember.sql import Row, Window
from ember.sql import functions as F


@pytest.fixture(scope="module")
def df(spark):
    return spark.createDataFrame(
        [("Hello World", 1234.5678, 3, datetime.date(2024, 3, 15), [3, 1, 2], "2024-01-02 03:04:05"),
         ("abc", -2.5, 7, datetime.date(2023, 1, 1), [1], "2023-12-31 23:59:59")],
        ["s", "f", "i", "d", "xs", "tss"],
    )


SCALARS = [
    (F.sha2("s", 256), "a591a6d40bf420404a011733cfb7b190d62c65bf0bcda32b57b277d9ad9f146e"),
    (F.md5("s"), "b10a8db164e0754105b7a99be72e3fe5"),
    (F.trunc("d", "month"), datetime.date(2024, 3, 1)),
    (F.unix_timestamp("tss"), 1704164645),
    (F.locate("o", "s"), 5),
    (F.locate("o", "s", 6), 8),
    (F.instr("s", "World"), 7),
    (F.lpad("s", 14, "*"), "***Hello World"),
    (F.translate("s", "lo", "01"), "He001 W1r0d"),
    (F.levenshtein("s", F.lit("Hallo World")), 1),
    (F.array_position("xs", 2), 3),
    (F.array_remove("xs", 1), [3, 2]),
    (F.slice("xs", 1, 2), [3, 1]),
    (F.array_union("xs", F.array(F.lit(9))), [3, 1, 2, 9]),
    (F.struct("s", "i"), Row(s="Hello World", i=3)),
    (F.element_at(F.create_map(F.lit("k"), "i"), "k"), 3),
    (F.greatest("i", F.lit(5)), 5),
    (F.pow("i", 2), 9.0),
    (F.nullif("i", F.lit(3)), None),
    (F.ifnull(F.lit(None), "i"), 3),
    (F.initcap(F.lower("s")), "Hello World"),
    (F.reverse("s"), "dlroW olleH"),
    (F.concat_ws("-", "s", "s"), "Hello World-Hello World"),
    (F.dayofyear("d"), 75),
    (F.weekofyear("d"), 11),
    (F.quarter("d"), 1),
    (F.date_sub("d", 1), datetime.date(2024, 3, 14)),
    (F.round("f", 1), 1234.6),
    (F.ceil("f"), 1235),
    (F.array_distinct(F.array(F.lit(1), F.lit(1), F.lit(2))), [1, 2]),
    (F.flatten(F.array("xs", "xs")), [3, 1, 2, 3, 1, 2]),
    (F.col("s").substr(1, 3), "Hel"),
    (F.col("xs").getItem(0), 3),
    (F.col("s").rlike("W.r"), True),
    (F.col("s").ilike("hello%"), True),
    (F.col("s").contains("lo W"), True),
]


@pytest.mark.parametrize("column,expected", SCALARS, ids=[c._name for c, _ in SCALARS])
def test_scalar_function(df, column, expected):
    assert df.select(column.alias("x")).first().x == expected


AGGREGATES = [
    (F.collect_list("i"), [3, 7]),
    (F.stddev("i"), pytest.approx(2.8284271247461903)),
    (F.var_pop("i"), 4.0),
    (F.corr("i", "f"), pytest.approx(-1.0)),
    (F.covar_samp("i", "f"), pytest.approx(-2474.1356)),
    (F.median("i"), 5.0),
    (F.sum_distinct("i"), 10),
    (F.countDistinct("i", "s"), 2),
    (F.mean("i"), 5.0),
    (F.bool_and(F.col("i") > 0), True),
]


@pytest.mark.parametrize("column,expected", AGGREGATES, ids=[c._name for c, _ in AGGREGATES])
def test_aggregate_function(df, column, expected):
    assert df.agg(column.alias("x")).first().x == expected


def test_collect_set_is_the_distinct_values(df):
    assert sorted(df.agg(F.collect_set("i").alias("x")).first().x) == [3, 7]


WINDOWED = [
    (F.ntile(2), [1, 2]),
    (F.percent_rank(), [0.0, 1.0]),
    (F.cume_dist(), [0.5, 1.0]),
    (F.nth_value("i", 1), [3, 3]),
    (F.rank(), [1, 2]),
    (F.lead("i", 1, 0), [7, 0]),
]


@pytest.mark.parametrize("column,expected", WINDOWED, ids=[c._name for c, _ in WINDOWED])
def test_window_function(df, column, expected):
    w = Window.partitionBy(F.lit(1)).orderBy("i")
    assert [r.x for r in df.select(column.over(w).alias("x")).orderBy("x").collect()] == sorted(expected)
