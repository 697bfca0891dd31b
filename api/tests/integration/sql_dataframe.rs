//! DataFrames and files, DataFrames and RDDs: `ctx.read()`, `df.write()`, `df.rdd()` and
//! `rdd.to_df()`. Answers are hand-computed; rows are compared sorted unless the query orders
//! them.

use crate::common::ctx;
use arrow::datatypes::DataType;
use ember::Context;
use ember::sql::{Row, SaveMode, Value};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Rows as `a|b|..` strings, sorted.
fn rows(df: &ember::DataFrame) -> Vec<String> {
    let mut out = crate::common::display_rows(&df.collect().unwrap());
    out.sort();
    out
}

fn sql_rows(ctx: &Context, query: &str) -> Vec<String> {
    rows(&ctx.sql(query).unwrap())
}

/// Column names and types.
fn columns(df: &ember::DataFrame) -> Vec<(String, DataType)> {
    df.schema()
        .fields()
        .iter()
        .map(|f| (f.name().clone(), f.data_type().clone()))
        .collect()
}

fn write_file(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

/// The names of the files directly in `dir`, sorted.
fn listing(dir: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn people(ctx: &Context) -> ember::DataFrame {
    ctx.sql("SELECT * FROM (VALUES ('ann', 31, 'oslo'), ('bob', 27, 'rome'), ('cy', 45, 'oslo')) AS t(name, age, city)")
        .unwrap()
}

#[test]
fn csv_without_header_has_string_columns_c0_c1() {
    let ctx = ctx();
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), "p.txt", "ann,31\nbob,27\n");
    let df = ctx.read().csv(&path).unwrap();
    assert_eq!(
        columns(&df),
        [
            ("_c0".into(), DataType::Utf8),
            ("_c1".into(), DataType::Utf8)
        ]
    );
    assert_eq!(rows(&df), ["ann|31", "bob|27"]);
}

#[test]
fn csv_header_delimiter_and_infer_schema() {
    let ctx = ctx();
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), "p.csv", "name;age\nann;31\nbob;27\ncy;\n");
    // Without inferSchema every column is a string, as in Spark; an empty field is null.
    let strings = ctx
        .read()
        .option("header", true)
        .option("sep", ";")
        .csv(&path)
        .unwrap();
    assert_eq!(
        columns(&strings),
        [
            ("name".into(), DataType::Utf8),
            ("age".into(), DataType::Utf8)
        ]
    );
    strings.create_or_replace_temp_view("s").unwrap();
    assert_eq!(
        sql_rows(&ctx, "SELECT count(age), max(age) FROM s"),
        ["2|31"]
    );
    let typed = ctx
        .read()
        .option("HEADER", "true")
        .option("delimiter", ";")
        .option("inferSchema", true)
        .csv(&path)
        .unwrap();
    assert_eq!(
        columns(&typed),
        [
            ("name".into(), DataType::Utf8),
            ("age".into(), DataType::Int64)
        ]
    );
    typed.create_or_replace_temp_view("p").unwrap();
    // 31 + 27 = 58; cy's age is null.
    assert_eq!(
        sql_rows(&ctx, "SELECT sum(age), count(age), count(*) FROM p"),
        ["58|2|3"]
    );
}

#[test]
fn bad_reader_options_are_errors() {
    let ctx = ctx();
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), "p.csv", "a\n");
    let e = ctx.read().option("header", "yes").csv(&path).err().unwrap();
    assert!(e.to_string().contains("header"), "{e}");
    let e = ctx.read().option("sep", ";;").csv(&path).err().unwrap();
    assert!(e.to_string().contains(";;"), "{e}");
}

#[test]
fn parquet_round_trip_and_save_modes() {
    let ctx = ctx();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("people");
    let out = out.to_str().unwrap();
    people(&ctx).write().parquet(out).unwrap();
    let expected = ["ann|31|oslo", "bob|27|rome", "cy|45|oslo"];
    assert_eq!(rows(&ctx.read().parquet(out).unwrap()), expected);
    let files = listing(out);
    assert!(files.contains(&"_SUCCESS".to_string()), "{files:?}");
    assert!(!files.contains(&"_temporary".to_string()), "{files:?}");
    assert!(
        files
            .iter()
            .filter(|f| *f != "_SUCCESS")
            .all(|f| f.starts_with("part-") && f.ends_with(".parquet")),
        "{files:?}"
    );

    // ErrorIfExists (the default) fails, naming the path, and leaves the data alone.
    let e = people(&ctx).write().parquet(out).err().unwrap();
    assert!(matches!(e, ember::Error::OutputExists { .. }), "{e}");
    assert!(e.to_string().contains(out), "{e}");
    assert_eq!(ctx.read().parquet(out).unwrap().count().unwrap(), 3);

    // Append adds the rows again: 3 + 3.
    people(&ctx)
        .write()
        .mode(SaveMode::Append)
        .parquet(out)
        .unwrap();
    assert_eq!(ctx.read().parquet(out).unwrap().count().unwrap(), 6);

    // Overwrite replaces everything with the one row kept by the filter.
    let older = people(&ctx).filter(ember::sql::col("age").gt(ember::sql::lit(40)));
    older
        .unwrap()
        .write()
        .mode("overwrite".parse().unwrap())
        .parquet(out)
        .unwrap();
    assert_eq!(rows(&ctx.read().parquet(out).unwrap()), ["cy|45|oslo"]);

    // Ignore keeps what is there.
    people(&ctx)
        .write()
        .mode(SaveMode::Ignore)
        .parquet(out)
        .unwrap();
    assert_eq!(rows(&ctx.read().parquet(out).unwrap()), ["cy|45|oslo"]);
}

#[test]
fn overwrite_can_replace_the_data_it_reads() {
    let ctx = ctx();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("t");
    let out = out.to_str().unwrap();
    people(&ctx).write().parquet(out).unwrap();
    let doubled = ctx
        .read()
        .parquet(out)
        .unwrap()
        .select(vec![
            ember::sql::col("name"),
            (ember::sql::col("age") * ember::sql::lit(2)).alias("age"),
        ])
        .unwrap();
    doubled
        .write()
        .mode(SaveMode::Overwrite)
        .parquet(out)
        .unwrap();
    assert_eq!(
        rows(&ctx.read().parquet(out).unwrap()),
        ["ann|62", "bob|54", "cy|90"]
    );
}

#[test]
fn json_round_trip() {
    let ctx = ctx();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("j");
    let out = out.to_str().unwrap();
    people(&ctx).write().json(out).unwrap();
    let back = ctx.read().json(out).unwrap();
    // Inferred JSON fields come in name order, as in Spark.
    assert_eq!(
        columns(&back),
        [
            ("age".into(), DataType::Int64),
            ("city".into(), DataType::Utf8),
            ("name".into(), DataType::Utf8)
        ]
    );
    assert_eq!(rows(&back), ["27|rome|bob", "31|oslo|ann", "45|oslo|cy"]);
    // Each part file holds one JSON object per line.
    let part = listing(out)
        .into_iter()
        .find(|f| f.ends_with(".json"))
        .unwrap();
    let text = std::fs::read_to_string(Path::new(out).join(part)).unwrap();
    assert!(text.lines().all(|l| l.starts_with("{\"name\":")), "{text}");
}

#[test]
fn csv_write_with_header_delimiter_and_gzip_reads_back() {
    let ctx = ctx();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("c");
    let out = out.to_str().unwrap();
    people(&ctx)
        .write()
        .option("header", true)
        .option("delimiter", "|")
        .option("compression", "gzip")
        .csv(out)
        .unwrap();
    let files = listing(out);
    assert!(files.iter().any(|f| f.ends_with(".csv.gz")), "{files:?}");
    let back = ctx
        .read()
        .option("header", true)
        .option("delimiter", "|")
        .csv(out)
        .unwrap();
    assert_eq!(
        columns(&back),
        [
            ("name".into(), DataType::Utf8),
            ("age".into(), DataType::Utf8),
            ("city".into(), DataType::Utf8)
        ]
    );
    assert_eq!(rows(&back), ["ann|31|oslo", "bob|27|rome", "cy|45|oslo"]);
}

#[test]
fn partition_by_writes_key_value_directories_that_read_back() {
    let ctx = ctx();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("by_city");
    let out = out.to_str().unwrap();
    people(&ctx)
        .write()
        .partition_by(&["city"])
        .parquet(out)
        .unwrap();
    assert_eq!(listing(out), ["_SUCCESS", "city=oslo", "city=rome"]);
    let back = ctx.read().parquet(out).unwrap();
    // The partition column comes last, as in Spark.
    assert_eq!(
        columns(&back)
            .into_iter()
            .map(|(n, _)| n)
            .collect::<Vec<_>>(),
        ["name", "age", "city"]
    );
    assert_eq!(rows(&back), ["ann|31|oslo", "bob|27|rome", "cy|45|oslo"]);
    back.create_or_replace_temp_view("by_city").unwrap();
    // Only oslo's directory is needed: 31 + 45 = 76.
    assert_eq!(
        sql_rows(&ctx, "SELECT sum(age) FROM by_city WHERE city = 'oslo'"),
        ["76"]
    );

    // An integer partition column reads back as an integer.
    let by_age = dir.path().join("by_age");
    let by_age = by_age.to_str().unwrap();
    people(&ctx)
        .write()
        .partition_by(&["age"])
        .option("header", true)
        .csv(by_age)
        .unwrap();
    assert_eq!(listing(by_age), ["_SUCCESS", "age=27", "age=31", "age=45"]);
    let back = ctx.read().option("header", true).csv(by_age).unwrap();
    assert_eq!(
        columns(&back),
        [
            ("name".into(), DataType::Utf8),
            ("city".into(), DataType::Utf8),
            ("age".into(), DataType::Int64)
        ]
    );
    assert_eq!(rows(&back), ["ann|oslo|31", "bob|rome|27", "cy|oslo|45"]);
}

#[test]
fn partition_by_an_unknown_column_is_an_error() {
    let ctx = ctx();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x");
    let e = people(&ctx)
        .write()
        .partition_by(&["country"])
        .parquet(out.to_str().unwrap())
        .err()
        .unwrap();
    assert!(e.to_string().contains("country"), "{e}");
    assert!(!out.exists());
}

#[test]
fn text_reads_one_row_per_line() {
    let ctx = ctx();
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "a.txt", "alpha\n\nbeta gamma\n");
    write_file(dir.path(), "b.txt", "delta\r\nlast");
    write_file(dir.path(), "_hidden.txt", "skipped\n");
    let df = ctx.read().text(dir.path().to_str().unwrap()).unwrap();
    assert_eq!(columns(&df), [("value".into(), DataType::Utf8)]);
    assert_eq!(rows(&df), ["", "alpha", "beta gamma", "delta", "last"]);
    assert_eq!(df.count().unwrap(), 5);
    df.create_or_replace_temp_view("lines").unwrap();
    // 5 + 0 + 10 + 5 + 4 = 24 characters.
    assert_eq!(
        sql_rows(&ctx, "SELECT sum(length(value)) FROM lines"),
        ["24"]
    );
    let one = ctx
        .read()
        .format("text")
        .load(&format!("{}/a.*", dir.path().display()))
        .unwrap();
    assert_eq!(rows(&one), ["", "alpha", "beta gamma"]);
    // A text DataFrame written as JSON and read back.
    let out = dir.path().join("lines_json");
    let out = out.to_str().unwrap();
    one.write().json(out).unwrap();
    assert_eq!(
        rows(&ctx.read().json(out).unwrap()),
        ["", "alpha", "beta gamma"]
    );
}

#[test]
fn missing_paths_are_errors_naming_the_path() {
    let ctx = ctx();
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope");
    let missing = missing.to_str().unwrap();
    let glob = format!("{missing}/*.csv");
    let errors = [
        ctx.read().csv(missing).err().unwrap(),
        ctx.read().parquet(missing).err().unwrap(),
        ctx.read().json(missing).err().unwrap(),
        ctx.read().text(missing).err().unwrap(),
        ctx.read().csv(&glob).err().unwrap(),
    ];
    for e in errors {
        assert!(
            matches!(
                e.engine_error(),
                Some(ember::EngineError::PathNotFound { .. })
            ),
            "{e}"
        );
        assert!(e.to_string().contains(missing), "{e}");
    }
}

#[test]
fn df_rdd_maps_rows_and_keeps_field_names() {
    let ctx = ctx();
    let df = ctx
        .sql("SELECT city, count(*) AS n, sum(age) AS total FROM (VALUES ('ann', 31, 'oslo'), ('bob', 27, 'rome'), ('cy', 45, 'oslo')) AS t(name, age, city) GROUP BY city")
        .unwrap();
    let rdd = df.rdd().unwrap();
    // Lazy: planning ran no job.
    let jobs_before = ctx.status_tracker().jobs().len();
    let mapped = rdd.map(|r: Row| {
        format!(
            "{}:{}:{}",
            r.get_str(0).unwrap(),
            r.get_i64(1).unwrap(),
            r.get_by_name("total").unwrap()
        )
    });
    assert_eq!(ctx.status_tracker().jobs().len(), jobs_before);
    let mut got = mapped.collect().unwrap();
    got.sort();
    assert_eq!(got, ["oslo:2:76", "rome:1:27"]);
    let first = rdd.first().unwrap();
    assert_eq!(first.field_names(), ["city", "n", "total"]);
    // Rows are elements like any other: cached, then shuffled.
    let cached = rdd.cache();
    assert_eq!(cached.count().unwrap(), 2);
    let mut again = cached
        .map(|r| (r.get_str(0).unwrap().len(), r.get_i64(2).unwrap()))
        .reduce_by_key(|a, b| a + b)
        .collect()
        .unwrap();
    again.sort();
    // "oslo" and "rome" both have 4 letters: 76 + 27 = 103.
    assert_eq!(again, [(4, 103)]);
}

#[test]
fn df_rdd_then_to_df_round_trips_with_names_and_types() {
    let ctx = ctx();
    let df = ctx
        .sql("SELECT * FROM (VALUES ('ann', 31, 1.5), ('bob', NULL, 2.0), ('cy', 45, NULL)) AS t(name, age, score)")
        .unwrap();
    let back = df
        .rdd()
        .unwrap()
        .filter(|r| r.get_str(0) != Some("bob"))
        .to_df()
        .unwrap();
    let schema = back.schema();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(names, ["name", "age", "score"]);
    back.create_or_replace_temp_view("people_back").unwrap();
    // ann: 31 + 1.5, cy: 45 + NULL (NULL).
    let got = sql_rows(&ctx, "SELECT name, age + 1, score * 2 FROM people_back");
    assert_eq!(got, ["ann|32|3.0", "cy|46|"]);
}

#[test]
fn rows_carry_sql_types() {
    let ctx = ctx();
    let df = ctx
        .sql("SELECT DATE '2024-01-31' AS d, CAST(1.25 AS DECIMAL(5, 2)) AS m, [1, 2, 3] AS l, named_struct('a', 1, 'b', 'x') AS s, CAST(NULL AS INT) AS n, 2.5 AS f, true AS b, TIMESTAMP '2024-01-31 10:00:00' AS ts")
        .unwrap();
    let rows = df.rdd().unwrap().collect().unwrap();
    assert_eq!(rows.len(), 1);
    let r = &rows[0];
    // 2024-01-31 is day 19753 after 1970-01-01.
    assert_eq!(r.get_date(0), Some(19_753));
    assert_eq!(
        r.get(1),
        Some(&Value::Decimal {
            unscaled: 125,
            scale: 2
        })
    );
    assert_eq!(
        r.get_list(2).unwrap(),
        [Value::Int(1), Value::Int(2), Value::Int(3)]
    );
    assert_eq!(
        r.get_struct(3).unwrap(),
        [
            ("a".to_string(), Value::Int(1)),
            ("b".to_string(), Value::Str("x".into()))
        ]
    );
    assert!(r.is_null_at(4));
    assert_eq!(r.get_f64(5), Some(2.5));
    assert_eq!(r.get_bool(6), Some(true));
    // 19753 days * 86400 s + 10 h, in microseconds.
    assert_eq!(r.get_timestamp(7), Some(1_706_695_200_000_000));
    assert_eq!(
        r.to_string(),
        "[2024-01-31,1.25,[1, 2, 3],{a: 1, b: x},null,2.5,true,2024-01-31 10:00:00]"
    );
}

#[test]
fn tuples_to_df_have_columns_1_2() {
    let ctx = ctx();
    let pairs = ctx.parallelize(
        vec![
            ("a".to_string(), 1i64),
            ("b".to_string(), 2),
            ("a".to_string(), 3),
        ],
        2,
    );
    let df = pairs.to_df().unwrap();
    assert_eq!(
        columns(&df),
        [
            ("_1".into(), DataType::Utf8),
            ("_2".into(), DataType::Int64)
        ]
    );
    df.create_or_replace_temp_view("pairs").unwrap();
    assert_eq!(
        sql_rows(&ctx, "SELECT _1, sum(_2) FROM pairs GROUP BY _1"),
        ["a|4", "b|2"]
    );
    let numbers = ctx.parallelize(vec![5u32, 7], 2).to_df().unwrap();
    assert_eq!(columns(&numbers), [("value".into(), DataType::UInt32)]);
    assert_eq!(rows(&numbers), ["5", "7"]);
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct Person {
    name: String,
    age: u32,
    city: Option<String>,
}

#[test]
fn struct_rdd_to_df_then_sql() {
    let ctx = ctx();
    let people = vec![
        Person {
            name: "ann".into(),
            age: 31,
            city: Some("oslo".into()),
        },
        Person {
            name: "bob".into(),
            age: 27,
            city: None,
        },
        Person {
            name: "cy".into(),
            age: 45,
            city: Some("oslo".into()),
        },
    ];
    // The RDD is shuffled first, so to_df runs its lineage with a shuffle.
    let rdd = ctx
        .parallelize(people, 3)
        .map(|p| (p.name.clone(), p))
        .reduce_by_key(|a, _| a)
        .map(|(_, p)| p);
    let df = rdd.to_df().unwrap();
    assert_eq!(
        columns(&df),
        [
            ("name".into(), DataType::Utf8),
            ("age".into(), DataType::UInt32),
            ("city".into(), DataType::Utf8)
        ]
    );
    df.create_or_replace_temp_view("people").unwrap();
    // oslo: ann 31 + cy 45 = 76; bob has no city.
    assert_eq!(
        sql_rows(
            &ctx,
            "SELECT coalesce(city, '-'), count(*), sum(age) FROM people GROUP BY city"
        ),
        ["-|1|27", "oslo|2|76"]
    );
    // And back to rows.
    let mut names: Vec<String> = df
        .rdd()
        .unwrap()
        .map(|r| r.get_str(0).unwrap().to_string())
        .collect()
        .unwrap();
    names.sort();
    assert_eq!(names, ["ann", "bob", "cy"]);
}

#[test]
fn nullable_tuple_fields_become_nullable_columns() {
    let ctx = ctx();
    let items = vec![Some((1i32, "x".to_string())), None];
    let df = ctx.parallelize(items, 1).to_df().unwrap();
    assert_eq!(rows(&df), ["1|x", "|"]);
    assert!(df.schema().fields().iter().all(|f| f.is_nullable()));
}

#[test]
fn write_runs_one_task_per_partition() {
    let ctx = ctx();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("n");
    let out = out.to_str().unwrap();
    let numbers = ctx.parallelize((0..100i64).collect(), 4).to_df().unwrap();
    numbers.write().parquet(out).unwrap();
    let mut prefixes: Vec<String> = listing(out)
        .into_iter()
        .filter(|f| f.ends_with(".parquet"))
        .map(|f| f[..10].to_string())
        .collect();
    prefixes.dedup();
    assert_eq!(
        prefixes,
        ["part-00000", "part-00001", "part-00002", "part-00003"]
    );
    let back = ctx.read().parquet(out).unwrap();
    back.create_or_replace_temp_view("n").unwrap();
    // 0 + 1 + ... + 99 = 4950.
    assert_eq!(
        sql_rows(&ctx, "SELECT count(*), sum(value) FROM n"),
        ["100|4950"]
    );
}

#[test]
fn a_failed_write_leaves_no_output() {
    let ctx = ctx();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bad");
    let bad = ctx
        .sql("SELECT CAST(x AS INT) AS i FROM (VALUES ('1'), ('x')) AS t(x)")
        .unwrap();
    assert!(bad.write().csv(out.to_str().unwrap()).is_err());
    assert!(!out.exists());
    // Appending to an existing directory keeps it as it was.
    let good = dir.path().join("good");
    let good = good.to_str().unwrap();
    people(&ctx).write().json(good).unwrap();
    let before = listing(good);
    assert!(bad.write().mode(SaveMode::Append).json(good).is_err());
    assert_eq!(listing(good), before);
}

#[test]
fn rows_and_values_survive_serde_and_reject_malformed_bytes() {
    let names: std::sync::Arc<[String]> = vec!["a".to_string(), "b".to_string()].into();
    let row = Row::with_names(
        names,
        vec![
            Value::List(vec![
                Value::Struct(vec![("x".into(), Value::Float(1.5))]),
                Value::Null,
                Value::Binary(vec![0, 255]),
            ]),
            Value::Map(vec![(
                Value::Str("k".into()),
                Value::Decimal {
                    unscaled: -12345,
                    scale: 2,
                },
            )]),
        ],
    )
    .unwrap();
    let json = serde_json::to_string(&row).unwrap();
    assert_eq!(serde_json::from_str::<Row>(&json).unwrap(), row);
    let value = Value::Timestamp(-1);
    let json = serde_json::to_string(&value).unwrap();
    assert_eq!(serde_json::from_str::<Value>(&json).unwrap(), value);
    // A truncated length, an impossible length, an unknown tag.
    for bad in [
        "[1,0,0]",
        "[255,255,255,255,255,255,255,255]",
        "[0,0,0,0,0,0,0,0,1,0,0,0,0,0,0,0,99]",
    ] {
        assert!(serde_json::from_str::<Row>(bad).is_err(), "{bad}");
    }
    assert_eq!(row.get_by_name("b").unwrap().to_string(), "{k -> -123.45}");
    assert_eq!(row.get(0).unwrap().to_string(), "[{x: 1.5}, null, [00 FF]]");
    assert!(Row::with_names(vec!["a".to_string()].into(), vec![]).is_err());
}

#[test]
fn values_display_like_spark() {
    let d = |unscaled, scale| Value::Decimal { unscaled, scale }.to_string();
    assert_eq!(d(5, 3), "0.005");
    assert_eq!(d(-5, 1), "-0.5");
    assert_eq!(d(12, -2), "1200");
    assert_eq!(d(0, 0), "0");
    // 2024-01-31 is day 19753; 10:00 that day is 1706695200 s after the epoch.
    assert_eq!(Value::Date(19_753).to_string(), "2024-01-31");
    assert_eq!(
        Value::Timestamp(1_706_695_200_000_000).to_string(),
        "2024-01-31 10:00:00"
    );
    assert_eq!(Value::Date(-1).to_string(), "1969-12-31");
}

#[test]
fn a_retried_write_task_leaves_only_its_last_attempt() {
    let ctx = ctx();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("retried");
    let out = out.to_str().unwrap();
    crate::common::write_with_a_retried_task(&ctx, out);
    // The failed attempt's partial files were discarded.
    assert!(!listing(out).contains(&"_temporary".to_string()));
}
