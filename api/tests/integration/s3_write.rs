//! Writing to S3 (a `moto_server` the tests start, see `moto.rs`) with the commit protocol of
//! local writes: `save_as_text_file` (plain and compressed, multipart past 5 MiB), DataFrame
//! writes in every format and mode, `partition_by`, failed jobs that leave nothing (or the old
//! data) behind, and retried tasks that write no duplicates (on S3 and on local disk).

use crate::common::{display_rows, strings, write_with_a_retried_task};
use crate::moto::moto;
use ember::sql::write::SaveMode;
use ember::{Context, Error};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// The keys below `prefix/` in `bucket`, relative to it.
fn keys(bucket: &str, prefix: &str) -> Vec<String> {
    moto()
        .keys(bucket, &format!("{prefix}/"))
        .into_iter()
        .map(|k| k[prefix.len() + 1..].to_string())
        .collect()
}

/// The stored bytes of `s3://bucket/key`.
fn object(ctx: &Context, bucket: &str, key: &str) -> Vec<u8> {
    ember_engine::store::read_all(ctx.stores(), &format!("s3://{bucket}/{key}")).unwrap()
}

fn rows(df: &ember::DataFrame) -> Vec<String> {
    let mut out = display_rows(&df.collect().unwrap());
    out.sort();
    out
}

fn people(ctx: &Context) -> ember::DataFrame {
    ctx.sql(
        "SELECT * FROM (VALUES ('ann', 31, 'oslo'), ('bob', 27, 'rome'), ('cy', 45, 'oslo')) \
         AS t(name, age, city)",
    )
    .unwrap()
}

#[test]
fn save_as_text_file_to_s3_commits_parts_and_success() {
    let ctx = moto().ctx();
    let b = moto().bucket("save-text");
    let url = format!("s3://{b}/out");
    let rdd = ctx.parallelize((1..=7).collect::<Vec<i32>>(), 3);
    rdd.save_as_text_file(&url).unwrap();
    assert_eq!(
        keys(&b, "out"),
        strings(&["_SUCCESS", "part-00000", "part-00001", "part-00002"])
    );
    // Slices of 7 in 3: [1,2], [3,4], [5,6,7].
    assert_eq!(object(&ctx, &b, "out/part-00000"), b"1\n2\n");
    assert_eq!(object(&ctx, &b, "out/part-00002"), b"5\n6\n7\n");
    assert_eq!(object(&ctx, &b, "out/_SUCCESS"), b"");
    let back = ctx.text_file(&url, 2).unwrap().collect().unwrap();
    assert_eq!(back, strings(&["1", "2", "3", "4", "5", "6", "7"]));

    // The prefix holds objects now: a second save fails naming it and changes nothing.
    let err = rdd.save_as_text_file(&url).unwrap_err();
    assert!(matches!(err, Error::OutputExists { .. }), "{err:?}");
    assert!(err.to_string().contains(&url), "{err}");
    assert_eq!(keys(&b, "out").len(), 4);
    // Any object below the prefix counts, and so does an object with the prefix's own key.
    ctx.parallelize(vec![1], 1)
        .save_as_text_file(format!("s3://{b}/other/deep/x"))
        .unwrap();
    let err = rdd
        .save_as_text_file(format!("s3://{b}/other"))
        .unwrap_err();
    assert!(matches!(err, Error::OutputExists { .. }), "{err:?}");
    let err = rdd
        .save_as_text_file(format!("s3://{b}/out/part-00000"))
        .unwrap_err();
    assert!(matches!(err, Error::OutputExists { .. }), "{err:?}");
}

#[test]
fn compressed_text_files_on_s3_read_back() {
    let ctx = moto().ctx();
    let b = moto().bucket("save-codec");
    let rdd = ctx.parallelize((1..=5).collect::<Vec<i32>>(), 2);
    let decoders = crate::common::text_codecs();
    for (codec, decode) in decoders {
        let dir = format!("{codec:?}");
        let url = format!("s3://{b}/{dir}");
        rdd.save_as_compressed_text_file(&url, codec).unwrap();
        let ext = codec.extension();
        assert_eq!(
            keys(&b, &dir),
            vec![
                "_SUCCESS".to_string(),
                format!("part-00000{ext}"),
                format!("part-00001{ext}")
            ]
        );
        let part = |i: usize| object(&ctx, &b, &format!("{dir}/part-0000{i}{ext}"));
        assert_eq!(decode(&part(0)), "1\n2\n", "{codec:?}");
        assert_eq!(decode(&part(1)), "3\n4\n5\n", "{codec:?}");
        let back = ctx.text_file(&url, 1).unwrap().collect().unwrap();
        assert_eq!(back, strings(&["1", "2", "3", "4", "5"]), "{codec:?}");
    }
}

/// Waits (inside a task, while the job runs) until `n` objects whose keys end in `suffix`
/// are staged below `bucket/prefix/_temporary/`, and returns their ETags: the commit copies
/// objects, and a copy gets an ETag of its own, so only the staged object shows how it was
/// uploaded.
fn staged_etags(bucket: &str, prefix: &str, suffix: &str, n: usize) -> Vec<String> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let staged: Vec<String> = moto()
            .keys(bucket, &format!("{prefix}/_temporary/"))
            .into_iter()
            .filter(|k| k.ends_with(suffix))
            .collect();
        if staged.len() >= n {
            return staged.iter().map(|k| moto().etag(bucket, k)).collect();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "nothing staged: {staged:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn a_text_partition_over_5_mib_goes_up_in_parts() {
    let ctx = moto().ctx();
    let b = moto().bucket("save-multipart");
    let url = format!("s3://{b}/big");
    // Partition 0: 800,000 lines of 8 to 14 bytes, about 8.9 MB; partition 1: one line,
    // once partition 0's object is staged.
    let line = |i: u32| format!("{i:07}{}", "x".repeat((i % 7) as usize));
    let lines: Vec<String> = (0..800_000u32).map(line).collect();
    let size: usize = lines.iter().map(|l| l.len() + 1).sum();
    assert!(size > 8 << 20, "{size}");
    let etags = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&etags);
    let bucket = b.clone();
    ctx.parallelize(vec![0u32, 1], 2)
        .flat_map(move |p| {
            if p == 0 {
                (0..800_000u32).map(line).collect()
            } else {
                *seen.lock().unwrap() = staged_etags(&bucket, "big", "part-00000", 1);
                vec!["last".to_string()]
            }
        })
        .save_as_text_file(&url)
        .unwrap();
    // Two parts of 5 MiB at most (S3's ETag of a multipart upload ends in -<parts>).
    let etags = etags.lock().unwrap().clone();
    assert!(etags.len() == 1 && etags[0].ends_with("-2"), "{etags:?}");
    assert_eq!(object(&ctx, &b, "big/part-00000").len(), size);
    let mut expected = lines;
    expected.push("last".to_string());
    assert!(ctx.text_file(&url, 4).unwrap().collect().unwrap() == expected);
    assert_eq!(
        keys(&b, "big"),
        strings(&["_SUCCESS", "part-00000", "part-00001"])
    );
}

#[test]
fn dataframes_write_to_s3_in_every_format_and_mode() {
    let ctx = moto().ctx();
    let b = moto().bucket("df-modes");
    let everyone = ["ann|31|oslo", "bob|27|rome", "cy|45|oslo"];
    for format in ["parquet", "csv", "json"] {
        let url = format!("s3://{b}/{format}");
        let read = || {
            let r = ctx.read();
            let df = match format {
                "parquet" => r.parquet(&url),
                "csv" => r.option("header", "true").csv(&url),
                _ => r.json(&url),
            };
            let df = df.unwrap();
            df.create_or_replace_temp_view("back").unwrap();
            rows(
                &ctx.sql("SELECT name, CAST(age AS INT), city FROM back")
                    .unwrap(),
            )
        };
        let writer = |df: &ember::DataFrame, mode: SaveMode| {
            df.write()
                .format(format)
                .option("header", "true")
                .mode(mode)
                .save(&url)
        };
        writer(&people(&ctx), SaveMode::ErrorIfExists).unwrap();
        assert_eq!(read(), everyone, "{format}");
        let files = keys(&b, format);
        assert!(files.contains(&"_SUCCESS".to_string()), "{files:?}");
        assert!(
            files.iter().all(|f| !f.starts_with("_temporary")),
            "{files:?}"
        );
        assert!(
            files
                .iter()
                .filter(|f| *f != "_SUCCESS")
                .all(|f| f.starts_with("part-") && f.ends_with(&format!(".{format}"))),
            "{files:?}"
        );

        // ErrorIfExists fails naming the path and leaves the data alone.
        let e = writer(&people(&ctx), SaveMode::ErrorIfExists).unwrap_err();
        assert!(matches!(e, Error::OutputExists { .. }), "{e}");
        assert!(e.to_string().contains(&url), "{e}");
        assert_eq!(keys(&b, format), files);

        // Append adds the rows again.
        writer(&people(&ctx), SaveMode::Append).unwrap();
        assert_eq!(read().len(), 6, "{format}");

        // Overwrite replaces every old object with the one row kept.
        let older = ctx
            .sql("SELECT * FROM (VALUES ('cy', 45, 'oslo')) AS t(name, age, city)")
            .unwrap();
        writer(&older, SaveMode::Overwrite).unwrap();
        assert_eq!(read(), ["cy|45|oslo"], "{format}");
        let after = keys(&b, format);
        let replaced = after.iter().filter(|f| *f != "_SUCCESS");
        assert!(
            replaced.clone().all(|f| !files.contains(f)),
            "{after:?} {files:?}"
        );

        // Ignore keeps what is there.
        writer(&people(&ctx), SaveMode::Ignore).unwrap();
        assert_eq!(keys(&b, format), after);
        assert_eq!(read(), ["cy|45|oslo"], "{format}");
    }
    // Ignore on an empty prefix writes.
    let url = format!("s3://{b}/ignored");
    people(&ctx)
        .write()
        .mode(SaveMode::Ignore)
        .parquet(&url)
        .unwrap();
    assert_eq!(ctx.read().parquet(&url).unwrap().count().unwrap(), 3);
}

#[test]
fn partition_by_writes_key_value_prefixes_on_s3() {
    let ctx = moto().ctx();
    let b = moto().bucket("df-partitioned");
    let url = format!("s3://{b}/by_city");
    people(&ctx)
        .write()
        .partition_by(&["city"])
        .parquet(&url)
        .unwrap();
    let files = keys(&b, "by_city");
    let dirs: Vec<&str> = files
        .iter()
        .filter_map(|f| f.split_once('/').map(|(d, _)| d))
        .collect();
    assert!(
        dirs.iter().all(|d| ["city=oslo", "city=rome"].contains(d)),
        "{files:?}"
    );
    assert!(
        dirs.contains(&"city=oslo") && dirs.contains(&"city=rome"),
        "{files:?}"
    );
    assert!(
        files.iter().filter(|f| f.contains('/')).all(|f| f
            .split('/')
            .nth(1)
            .unwrap()
            .starts_with("part-")),
        "{files:?}"
    );
    let back = ctx.read().parquet(&url).unwrap();
    back.create_or_replace_temp_view("by_city").unwrap();
    assert_eq!(
        rows(&ctx.sql("SELECT name, age, city FROM by_city").unwrap()),
        ["ann|31|oslo", "bob|27|rome", "cy|45|oslo"]
    );
    // Overwrite with other keys: the old key's objects are gone.
    ctx.sql("SELECT * FROM (VALUES ('dee', 50, 'lima')) AS t(name, age, city)")
        .unwrap()
        .write()
        .partition_by(&["city"])
        .mode(SaveMode::Overwrite)
        .parquet(&url)
        .unwrap();
    let files = keys(&b, "by_city");
    assert!(
        files
            .iter()
            .all(|f| f == "_SUCCESS" || f.starts_with("city=lima/")),
        "{files:?}"
    );
}

#[test]
fn a_failed_overwrite_on_s3_keeps_the_old_data() {
    let ctx = moto().ctx();
    let b = moto().bucket("df-failed-overwrite");
    let url = format!("s3://{b}/t");
    people(&ctx).write().json(&url).unwrap();
    let before = keys(&b, "t");
    // Four partitions; the cast fails in the last one only, after the others wrote.
    let values: Vec<String> = vec!["1".into(), "2".into(), "3".into(), "x".into()];
    let bad = ctx.parallelize(values, 4).to_df().unwrap();
    bad.create_or_replace_temp_view("bad").unwrap();
    let bad = ctx.sql("SELECT CAST(value AS INT) AS i FROM bad").unwrap();
    let e = bad
        .write()
        .mode(SaveMode::Overwrite)
        .json(&url)
        .unwrap_err();
    assert!(e.to_string().contains("'x'"), "{e}");
    assert_eq!(keys(&b, "t"), before);
    assert_eq!(rows(&ctx.read().json(&url).unwrap()).len(), 3);
    // A failed write to a new prefix leaves nothing there.
    let e = bad.write().parquet(&format!("s3://{b}/new"));
    assert!(e.is_err());
    assert_eq!(keys(&b, "new"), Vec::<String>::new());
}

#[test]
fn a_job_failing_mid_write_leaves_no_objects() {
    let ctx = moto().ctx();
    let b = moto().bucket("save-failed");
    // Partitions 0 and 1 write and finish; partition 2 fails (every attempt) later.
    let rdd = ctx.parallelize((0..30).collect::<Vec<i32>>(), 3).map(|x| {
        if x == 29 {
            std::thread::sleep(std::time::Duration::from_millis(200));
            panic!("bad record 29");
        }
        x
    });
    let err = rdd
        .save_as_text_file(format!("s3://{b}/failed"))
        .unwrap_err();
    assert!(err.to_string().contains("bad record 29"), "{err}");
    let job = ctx.status_tracker().last_job().unwrap();
    assert_eq!(job.stages.last().unwrap().num_failed_tasks, 4, "{job:?}");
    assert_eq!(moto().keys(&b, ""), Vec::<String>::new());
    // The job fails while partition 0 is still writing: its file is not staged after the
    // clean-up.
    let rdd = ctx.parallelize((0..30).collect::<Vec<i32>>(), 3).map(|x| {
        if x == 5 {
            std::thread::sleep(std::time::Duration::from_millis(500));
        }
        if x == 29 {
            panic!("bad record 29");
        }
        x
    });
    let err = rdd.save_as_text_file(format!("s3://{b}/slow")).unwrap_err();
    assert!(err.to_string().contains("bad record 29"), "{err}");
    std::thread::sleep(std::time::Duration::from_millis(800));
    assert_eq!(moto().keys(&b, ""), Vec::<String>::new());
}

/// The first task attempt anywhere that sees `x == at` fails, once per flag.
fn fail_once(flag: &'static AtomicBool, x: u32, at: u32) -> u32 {
    if x == at && !flag.swap(true, Ordering::SeqCst) {
        panic!("the first attempt fails at {at}");
    }
    x
}

/// Saves 0..1,000,000 (partition 0, about 6.9 MB) and 0..10 (partition 1) to `url`, the
/// first attempt of partition 0 failing at 900,000 (after writing a 5 MiB part); checks every
/// line is there once and one task failed.
fn save_with_a_retried_task(ctx: &Context, url: &str, flag: &'static AtomicBool) {
    ctx.parallelize(vec![1_000_000u32, 10], 2)
        .flat_map(|n| 0..n)
        .map(move |x| fail_once(flag, x, 900_000))
        .save_as_text_file(url)
        .unwrap();
    assert!(flag.load(Ordering::SeqCst));
    let job = ctx.status_tracker().last_job().unwrap();
    assert_eq!(job.stages.last().unwrap().num_failed_tasks, 1, "{job:?}");
    let back = ctx.text_file(url, 2).unwrap().collect().unwrap();
    let expected: Vec<String> = (0..1_000_000u32)
        .chain(0..10)
        .map(|x| x.to_string())
        .collect();
    assert_eq!(back.len(), expected.len());
    assert!(back == expected, "each line once, in order");
}

#[test]
fn a_retried_text_task_writes_each_line_once_on_s3() {
    static FAILED: AtomicBool = AtomicBool::new(false);
    let ctx = moto().ctx();
    let b = moto().bucket("save-retried");
    save_with_a_retried_task(&ctx, &format!("s3://{b}/out"), &FAILED);
    assert_eq!(
        moto().keys(&b, ""),
        strings(&["out/_SUCCESS", "out/part-00000", "out/part-00001"])
    );
    // The failed attempt's multipart upload was aborted: none is left open.
    let (status, body) = moto().request("GET", &format!("/{b}?uploads"));
    assert_eq!(status, 200, "{body}");
    assert!(!body.contains("<UploadId>"), "{body}");
}

#[test]
fn a_retried_text_task_writes_each_line_once_on_local_disk() {
    static FAILED: AtomicBool = AtomicBool::new(false);
    let ctx = crate::common::ctx();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    save_with_a_retried_task(&ctx, out.to_str().unwrap(), &FAILED);
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, strings(&["_SUCCESS", "part-00000", "part-00001"]));
}

#[test]
fn a_retried_dataframe_write_task_on_s3_commits_one_attempt() {
    let ctx = moto().ctx();
    let b = moto().bucket("df-retried");
    write_with_a_retried_task(&ctx, &format!("s3://{b}/retried"));
    // Only the committed attempt's files are there, and nothing is left staged.
    let files = keys(&b, "retried");
    assert!(
        files
            .iter()
            .all(|f| f.starts_with("part-") || f == "_SUCCESS"),
        "{files:?}"
    );
}

#[test]
fn csv_files_over_5_mib_go_up_in_parts() {
    use datafusion::arrow::datatypes::DataType;
    use datafusion::logical_expr::{ColumnarValue, Volatility, create_udf};
    let ctx = moto().ctx();
    let b = moto().bucket("df-multipart");
    // 400,000 rows of about 60 bytes (about 24 MB of CSV) in one file per write task, and a
    // write task of one row that waits for the others' files to be staged and records their
    // ETags.
    let etags = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&etags);
    let bucket = b.clone();
    let wait = create_udf(
        "wait_for_staged",
        vec![DataType::Int64],
        DataType::Int64,
        Volatility::Volatile,
        Arc::new(move |args: &[ColumnarValue]| {
            *seen.lock().unwrap() = staged_etags(&bucket, "wide", ".csv", 2);
            Ok(args[0].clone())
        }),
    );
    ctx.session().register_udf(wait);
    let state = ctx.session().state_ref();
    {
        let mut state = state.write();
        let options = state.config_mut().options_mut();
        for key in [
            "optimizer.enable_round_robin_repartition",
            "execution.minimum_parallel_output_files",
        ] {
            let value = if key.starts_with("optimizer") {
                "false"
            } else {
                "1"
            };
            options.set(&format!("datafusion.{key}"), value).unwrap();
        }
    }
    let big = ctx
        .parallelize((1..=400_000i64).collect(), 1)
        .to_df()
        .unwrap();
    big.create_or_replace_temp_view("big").unwrap();
    let url = format!("s3://{b}/wide");
    ctx.sql(
        "SELECT value, repeat('y', 50) AS pad FROM big \
         UNION ALL SELECT wait_for_staged(CAST(0 AS BIGINT)), 'last'",
    )
    .unwrap()
    .write()
    .csv(&url)
    .unwrap();
    // Files of about 12 MB: 5 MiB parts (S3's ETag of a multipart upload ends in -<parts>).
    let etags = etags.lock().unwrap().clone();
    let parts = |e: &String| e.rsplit_once('-').map_or(1, |(_, n)| n.parse().unwrap());
    assert!(
        etags.len() == 2 && etags.iter().all(|e| parts(e) >= 2),
        "{etags:?}"
    );
    let sizes: Vec<usize> = keys(&b, "wide")
        .into_iter()
        .filter(|f| f.ends_with(".csv"))
        .map(|f| object(&ctx, &b, &format!("wide/{f}")).len())
        .collect();
    assert_eq!(sizes.len(), 3, "{sizes:?}");
    assert_eq!(
        sizes.iter().filter(|&&n| n > 5 << 20).count(),
        2,
        "{sizes:?}"
    );
    let back = ctx.read().csv(&url).unwrap();
    back.create_or_replace_temp_view("wide").unwrap();
    // 1 + ... + 400000 = 80000200000, and the extra row's 0.
    assert_eq!(
        rows(
            &ctx.sql("SELECT count(*), sum(CAST(_c0 AS BIGINT)) FROM wide")
                .unwrap()
        ),
        ["400001|80000200000"]
    );
}
