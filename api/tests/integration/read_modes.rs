//! Spark's read modes for CSV and JSON (`PERMISSIVE`, `DROPMALFORMED`, `FAILFAST`) and
//! `columnNameOfCorruptRecord`. Expected rows are written out by hand from the files.

use crate::common::{ctx, ctx_with, display_rows};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use ember::{Context, DataFrame};
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

/// The rows of `df` in order, as `a|b|..` (a null shows as nothing).
fn rows(df: &DataFrame) -> Vec<String> {
    display_rows(&df.collect().unwrap())
}

fn names(df: &DataFrame) -> Vec<String> {
    df.schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

fn schema(fields: &[(&str, DataType)]) -> SchemaRef {
    Arc::new(Schema::new(
        fields
            .iter()
            .map(|(n, t)| Field::new(*n, t.clone(), true))
            .collect::<Vec<_>>(),
    ))
}

/// Line 1 is the header; line 3 has a field of the wrong type, line 4 too few fields, line 5
/// too many.
const PEOPLE: &str = "name,age\nann,31\nbob,x\ncy\ndan,40,extra\neve,25\n";

fn people(ctx: &Context, dir: &Path, mode: Option<&str>, fields: &[(&str, DataType)]) -> DataFrame {
    let path = write(dir, "people.csv", PEOPLE);
    let mut reader = ctx.read().option("header", true).schema(schema(fields));
    if let Some(m) = mode {
        reader = reader.option("mode", m);
    }
    reader.csv(&path).unwrap()
}

fn person_fields(corrupt: Option<&str>) -> Vec<(&str, DataType)> {
    let mut f = vec![("name", DataType::Utf8), ("age", DataType::Int64)];
    if let Some(c) = corrupt {
        f.push((c, DataType::Utf8));
    }
    f
}

#[test]
fn csv_permissive_keeps_bad_records_with_their_line() {
    let ctx = ctx();
    let dir = tempfile::tempdir().unwrap();
    // PERMISSIVE is the default, and the mode name is case-insensitive.
    for mode in [None, Some("permissive")] {
        let df = people(
            &ctx,
            dir.path(),
            mode,
            &person_fields(Some("_corrupt_record")),
        );
        assert_eq!(
            rows(&df),
            [
                "ann|31|",
                "bob||bob,x",
                "cy||cy",
                "dan|40|dan,40,extra",
                "eve|25|"
            ]
        );
    }
    // Without the corrupt-record column the bad records stay, their bad fields null.
    let df = people(&ctx, dir.path(), None, &person_fields(None));
    assert_eq!(rows(&df), ["ann|31", "bob|", "cy|", "dan|40", "eve|25"]);
    // Selecting only the corrupt-record column still parses whole records.
    df_corrupt_only(&ctx, dir.path());
}

fn df_corrupt_only(ctx: &Context, dir: &Path) {
    let df = people(ctx, dir, None, &person_fields(Some("_corrupt_record")));
    df.create_or_replace_temp_view("people").unwrap();
    let bad = ctx
        .sql("SELECT _corrupt_record FROM people WHERE _corrupt_record IS NOT NULL")
        .unwrap();
    assert_eq!(rows(&bad), ["bob,x", "cy", "dan,40,extra"]);
}

#[test]
fn csv_custom_corrupt_column_name() {
    let ctx = ctx();
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "people.csv", PEOPLE);
    let df = ctx
        .read()
        .option("header", true)
        .option("columnNameOfCorruptRecord", "broken")
        .schema(schema(&[
            ("broken", DataType::Utf8),
            ("name", DataType::Utf8),
            ("age", DataType::Int64),
        ]))
        .csv(&path)
        .unwrap();
    assert_eq!(names(&df), ["broken", "name", "age"]);
    assert_eq!(
        rows(&df),
        [
            "|ann|31",
            "bob,x|bob|",
            "cy|cy|",
            "dan,40,extra|dan|40",
            "|eve|25"
        ]
    );
}

#[test]
fn csv_dropmalformed_drops_bad_records() {
    let ctx = ctx();
    let dir = tempfile::tempdir().unwrap();
    let df = people(
        &ctx,
        dir.path(),
        Some("DROPMALFORMED"),
        &person_fields(None),
    );
    assert_eq!(rows(&df), ["ann|31", "eve|25"]);
    let df = people(
        &ctx,
        dir.path(),
        Some("dropMalformed"),
        &person_fields(Some("_corrupt_record")),
    );
    assert_eq!(rows(&df), ["ann|31|", "eve|25|"]);
    // Without a schema every column is a string, so only the field counts are wrong.
    let path = write(dir.path(), "people.csv", PEOPLE);
    let df = ctx
        .read()
        .option("header", true)
        .option("mode", "DROPMALFORMED")
        .csv(&path)
        .unwrap();
    assert_eq!(rows(&df), ["ann|31", "bob|x", "eve|25"]);
    let permissive = ctx.read().option("header", true).csv(&path).unwrap();
    assert_eq!(
        rows(&permissive),
        ["ann|31", "bob|x", "cy|", "dan|40", "eve|25"]
    );
}

#[test]
fn csv_failfast_names_the_file_and_line() {
    // One malformed line per file: splits fail in parallel, so with several bad lines any of
    // them may be the one reported (as in Spark).
    let ctx = ctx();
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "typed.csv", "name,age\nann,31\nbob,x\neve,25\n");
    let df = ctx
        .read()
        .option("header", true)
        .option("mode", "FAILFAST")
        .schema(schema(&person_fields(None)))
        .csv(&path)
        .unwrap();
    let err = df.collect().unwrap_err().to_string();
    assert!(err.contains(&path), "{err}");
    assert!(err.contains("line 3"), "{err}");
    assert!(err.contains("bob,x"), "{err}");
    assert!(err.contains("age"), "{err}");
    // With every column a string, only a field count can be wrong.
    let path = write(
        dir.path(),
        "short.csv",
        "name,age\nann,31\nbob,x\ncy\neve,25\n",
    );
    let df = ctx
        .read()
        .option("header", true)
        .option("mode", "failfast")
        .csv(&path)
        .unwrap();
    let err = df.collect().unwrap_err().to_string();
    assert!(err.contains("line 4") && err.contains("cy"), "{err}");
    assert!(err.contains("expected 2 fields, found 1"), "{err}");
}

/// `n` lines `i,2i` (from 1), except line `bad`, which has three fields.
fn numbers(n: usize, bad: usize) -> String {
    let mut text = String::new();
    for i in 1..=n {
        if i == bad {
            text.push_str("oops,1,2\n");
        } else {
            text.push_str(&format!("{i},{}\n", 2 * i));
        }
    }
    text
}

#[test]
fn csv_modes_across_many_splits() {
    // 4 KiB splits: the 20 KB file is read in several partitions, the bad line in a late one.
    let ctx = ctx_with("local[2]", &[("ember.files.maxPartitionBytes", "4096")]);
    let dir = tempfile::tempdir().unwrap();
    let text = numbers(3000, 2500);
    assert!(text.len() > 5 * 4096);
    let path = write(dir.path(), "numbers.csv", &text);
    let fields = schema(&[("a", DataType::Int64), ("b", DataType::Int64)]);
    let read = |mode: &str| {
        ctx.read()
            .option("mode", mode)
            .schema(Arc::clone(&fields))
            .csv(&path)
            .unwrap()
    };
    let failfast = read("FAILFAST");
    assert!(failfast.rdd().unwrap().num_partitions() > 1);
    let err = failfast.collect().unwrap_err().to_string();
    assert!(err.contains(&path), "{err}");
    assert!(err.contains("line 2500"), "{err}");
    assert!(err.contains("oops,1,2"), "{err}");
    // Every good line once: 2999 rows, a = 1..=3000 without 2500.
    let dropped = read("DROPMALFORMED");
    assert_eq!(dropped.count().unwrap(), 2999);
    dropped.create_or_replace_temp_view("numbers").unwrap();
    let sums = ctx
        .sql("SELECT sum(a), sum(b), count(*) FROM numbers")
        .unwrap();
    let total: i64 = (1..=3000).sum::<i64>() - 2500;
    assert_eq!(rows(&sums), [format!("{total}|{}|2999", 2 * total)]);
    // PERMISSIVE keeps the bad line: its first field does not parse, the second does.
    let permissive = read("PERMISSIVE");
    permissive.create_or_replace_temp_view("numbers").unwrap();
    let bad = ctx.sql("SELECT a, b FROM numbers WHERE a IS NULL").unwrap();
    assert_eq!(rows(&bad), ["|1"]);
    assert_eq!(permissive.count().unwrap(), 3000);
}

#[test]
fn csv_gzip_file_modes() {
    let ctx = ctx();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("numbers.csv.gz");
    let mut gz = flate2::write::GzEncoder::new(
        std::fs::File::create(&path).unwrap(),
        flate2::Compression::default(),
    );
    gz.write_all(numbers(300, 250).as_bytes()).unwrap();
    gz.finish().unwrap();
    let path = path.to_str().unwrap();
    let fields = schema(&[
        ("a", DataType::Int64),
        ("b", DataType::Int64),
        ("_corrupt_record", DataType::Utf8),
    ]);
    let read = |mode: &str| {
        ctx.read()
            .option("mode", mode)
            .schema(Arc::clone(&fields))
            .csv(path)
            .unwrap()
    };
    let err = read("FAILFAST").collect().unwrap_err().to_string();
    assert!(err.contains(path) && err.contains("line 250"), "{err}");
    let df = read("PERMISSIVE");
    df.create_or_replace_temp_view("gz").unwrap();
    let bad = ctx
        .sql("SELECT a, b, _corrupt_record FROM gz WHERE _corrupt_record IS NOT NULL")
        .unwrap();
    assert_eq!(rows(&bad), ["|1|oops,1,2"]);
    assert_eq!(read("DROPMALFORMED").count().unwrap(), 299);
}

/// Line 2 is cut short, line 3 is not JSON, line 4 is blank (skipped).
const EVENTS: &str = "{\"a\":1,\"b\":\"x\"}\n{\"a\":2,\"b\":\"y\"\nnot json\n\n{\"a\":4}\n";

#[test]
fn json_inference_adds_the_corrupt_column() {
    let ctx = ctx();
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "events.json", EVENTS);
    let df = ctx.read().json(&path).unwrap();
    assert_eq!(names(&df), ["_corrupt_record", "a", "b"]);
    assert_eq!(
        rows(&df),
        ["|1|x", "{\"a\":2,\"b\":\"y\"||", "not json||", "|4|"]
    );
    let df = ctx
        .read()
        .option("columnNameOfCorruptRecord", "raw")
        .json(&path)
        .unwrap();
    assert_eq!(names(&df), ["a", "b", "raw"]);
    // DROPMALFORMED infers from the good lines only and drops the bad ones.
    let df = ctx
        .read()
        .option("mode", "DROPMALFORMED")
        .json(&path)
        .unwrap();
    assert_eq!(names(&df), ["a", "b"]);
    assert_eq!(rows(&df), ["1|x", "4|"]);
    // FAILFAST fails while inferring, at the first bad line.
    let err = ctx
        .read()
        .option("mode", "FAILFAST")
        .json(&path)
        .err()
        .expect("an error")
        .to_string();
    assert!(err.contains(&path) && err.contains("line 2"), "{err}");
    // Clean files get no corrupt-record column.
    let clean = write(dir.path(), "clean.json", "{\"a\":1}\n{\"a\":2}\n");
    assert_eq!(names(&ctx.read().json(&clean).unwrap()), ["a"]);
}

/// Line 2's `a` is not a number, line 3 is cut short.
const TYPED: &str = "{\"a\":1,\"b\":\"x\"}\n{\"a\":\"three\",\"b\":\"z\"}\n{\"a\":\n{\"a\":4}\n";

#[test]
fn json_modes_with_a_user_schema() {
    let ctx = ctx();
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "typed.json", TYPED);
    let read = |mode: &str, corrupt: bool| {
        let mut f = vec![("a", DataType::Int64), ("b", DataType::Utf8)];
        if corrupt {
            f.push(("_corrupt_record", DataType::Utf8));
        }
        ctx.read()
            .option("mode", mode)
            .schema(schema(&f))
            .json(&path)
            .unwrap()
    };
    assert_eq!(
        rows(&read("PERMISSIVE", true)),
        [
            "1|x|",
            "||{\"a\":\"three\",\"b\":\"z\"}",
            "||{\"a\":",
            "4||"
        ]
    );
    assert_eq!(rows(&read("PERMISSIVE", false)), ["1|x", "|", "|", "4|"]);
    assert_eq!(rows(&read("DROPMALFORMED", true)), ["1|x|", "4||"]);
    // A count decodes no column: the malformed syntax still shows, a wrong type does not.
    assert_eq!(read("PERMISSIVE", false).count().unwrap(), 4);
    assert_eq!(read("DROPMALFORMED", false).count().unwrap(), 3);
    // FAILFAST on a file whose only malformed line is line 2.
    let one_bad = write(
        dir.path(),
        "one_bad.json",
        "{\"a\":1}\n{\"a\":\"three\"}\n{\"a\":4}\n",
    );
    let err = ctx
        .read()
        .option("mode", "FAILFAST")
        .schema(schema(&[("a", DataType::Int64)]))
        .json(&one_bad)
        .unwrap()
        .collect()
        .unwrap_err()
        .to_string();
    assert!(err.contains(&one_bad) && err.contains("line 2"), "{err}");
    assert!(err.contains("three"), "{err}");
}

#[test]
fn bad_mode_and_bad_corrupt_column_are_errors() {
    let ctx = ctx();
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "people.csv", PEOPLE);
    let json = write(dir.path(), "events.json", EVENTS);
    let err = ctx
        .read()
        .option("mode", "lenient")
        .csv(&csv)
        .err()
        .expect("an error")
        .to_string();
    assert!(err.contains("lenient") && err.contains("FAILFAST"), "{err}");
    let err = ctx
        .read()
        .option("mode", "lenient")
        .json(&json)
        .err()
        .expect("an error")
        .to_string();
    assert!(err.contains("lenient"), "{err}");
    let err = ctx
        .read()
        .schema(schema(&[
            ("a", DataType::Int64),
            ("_corrupt_record", DataType::Int64),
        ]))
        .json(&json)
        .err()
        .expect("an error")
        .to_string();
    assert!(
        err.contains("_corrupt_record") && err.contains("string"),
        "{err}"
    );
}

#[test]
fn every_split_size_reads_every_line_once() {
    // Split boundaries fall everywhere, CRLF endings, a blank line, and a malformed last line
    // without a newline: each line is read once, by the split holding its first byte.
    let dir = tempfile::tempdir().unwrap();
    let text = "1,a\r\n22,bb\n\n333,ccc\n4,d\nbad";
    let path = write(dir.path(), "lines.csv", text);
    let with_header = write(dir.path(), "header.csv", &format!("n,s\n{text}"));
    let fields = schema(&[
        ("n", DataType::Int64),
        ("s", DataType::Utf8),
        ("_corrupt_record", DataType::Utf8),
    ]);
    for split in [1, 2, 3, 5, 8, 13, 64] {
        let ctx = ctx_with(
            "local[2]",
            &[("ember.files.maxPartitionBytes", &split.to_string())],
        );
        let df = ctx.read().schema(Arc::clone(&fields)).csv(&path).unwrap();
        assert_eq!(
            rows(&df),
            ["1|a|", "22|bb|", "333|ccc|", "4|d|", "||bad"],
            "split size {split}"
        );
        // With a header, only the first split of the file skips its first line.
        let df = ctx
            .read()
            .option("header", true)
            .schema(Arc::clone(&fields))
            .csv(&with_header)
            .unwrap();
        assert_eq!(
            rows(&df),
            ["1|a|", "22|bb|", "333|ccc|", "4|d|", "||bad"],
            "split size {split}, header"
        );
    }
}
