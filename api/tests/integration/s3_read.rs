//! Reading from S3 (a `moto_server` the tests start, see `moto.rs`): text files split into
//! ranged reads, globs and directories listed from the bucket, compressed objects, whole
//! files, DataFrames and SQL over `s3://` paths, and the errors for missing objects and
//! missing or rejected credentials.

use crate::moto::{http_server, moto, moto_with_auth};
use ember::Context;
use ember_engine::store::{ObjectWriter, parse_remote};
use std::io::Write;

/// Writes `bytes` to the object at `url` through the context's stores.
fn put(ctx: &Context, url: &str, bytes: &[u8]) {
    let path = parse_remote(url).unwrap().unwrap();
    let store = ctx.stores().store(&path).unwrap();
    let mut w = ObjectWriter::new(store, path);
    w.write_all(bytes).unwrap();
    w.finish().unwrap();
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

#[test]
fn text_file_splits_a_large_object_into_ranged_reads() {
    let ctx = moto().ctx();
    let bucket = moto().bucket("ranged");
    // 200,000 numbered lines of varying length: about 2.3 MB.
    let lines: Vec<String> = (0..200_000)
        .map(|i| format!("{i}:{}", "x".repeat(i % 17)))
        .collect();
    let url = format!("s3://{bucket}/big.txt");
    put(&ctx, &url, (lines.join("\n") + "\n").as_bytes());
    let rdd = ctx.text_file(&url, 8).unwrap();
    assert!(rdd.num_partitions() >= 8, "{}", rdd.num_partitions());
    // Every line once, in order, though each split starts and ends mid-line.
    assert_eq!(rdd.collect().unwrap(), lines);
    // The same through the DataFrame reader.
    let df = ctx.read().text(&url).unwrap();
    assert_eq!(df.count().unwrap(), 200_000);
}

#[test]
fn globs_directories_and_lists_resolve_against_bucket_listings() {
    let ctx = moto().ctx();
    let b = moto().bucket("globs");
    for (key, text) in [
        ("logs/2024/a.txt", "a1\na2\n"),
        ("logs/2024/b.log", "b1\n"),
        ("logs/2025/c.txt", "c1\n"),
        ("logs/2025/deep/d.txt", "d1\n"),
        ("logs/2025/_hidden.txt", "hidden\n"),
        ("logs/2025/.crc", "hidden\n"),
        ("top.txt", "top\n"),
    ] {
        put(&ctx, &format!("s3://{b}/{key}"), text.as_bytes());
    }
    let read = |spec: &str| sorted(ctx.text_file(spec, 2).unwrap().collect().unwrap());
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert_eq!(
        read(&format!("s3://{b}/logs/*/*.txt")),
        s(&["a1", "a2", "c1"])
    );
    // `*` matches the directory `deep` too, which stands for its files (as on local disk).
    assert_eq!(read(&format!("s3://{b}/logs/202[^4]/*")), s(&["c1", "d1"]));
    assert_eq!(
        read(&format!("s3://{b}/logs/{{2024,2025}}/?.log")),
        s(&["b1"])
    );
    assert_eq!(
        read(&format!("s3://{b}/logs/**/*.txt")),
        s(&["a1", "a2", "c1", "d1"])
    );
    // A directory: its visible objects, not those deeper down.
    assert_eq!(read(&format!("s3://{b}/logs/2025")), s(&["c1"]));
    assert_eq!(read(&format!("s3://{b}/logs/2025/")), s(&["c1"]));
    // A glob matching directories reads their files.
    assert_eq!(
        read(&format!("s3://{b}/logs/20*")),
        s(&["a1", "a2", "b1", "c1"])
    );
    // Comma lists mix objects and globs.
    assert_eq!(
        read(&format!("s3://{b}/top.txt,s3://{b}/logs/2024/a*")),
        s(&["a1", "a2", "top"])
    );
    // Nothing matched: the error names the pattern.
    for missing in [
        format!("s3://{b}/logs/*.csv"),
        format!("s3://{b}/nothing.txt"),
        format!("s3://{b}/nodir/"),
    ] {
        let Err(err) = ctx.text_file(&missing, 1) else {
            panic!("{missing} matched something");
        };
        assert!(err.to_string().contains(&missing), "{err}");
    }
}

#[test]
fn compressed_objects_and_whole_files_read_from_the_bucket() {
    let ctx = moto().ctx();
    let b = moto().bucket("whole");
    let text = "one\ntwo\nthree\n".repeat(1000);
    put(
        &ctx,
        &format!("s3://{b}/d/t.txt.gz"),
        &gzip(text.as_bytes()),
    );
    put(&ctx, &format!("s3://{b}/d/plain.txt"), b"p1\np2");
    let lines = ctx.text_file(&format!("s3://{b}/d/t.txt.gz"), 4).unwrap();
    assert_eq!(lines.num_partitions(), 1);
    assert_eq!(lines.count().unwrap(), 3000);
    let mut whole = ctx
        .whole_text_files(&format!("s3://{b}/d"), 2)
        .unwrap()
        .collect()
        .unwrap();
    whole.sort();
    assert_eq!(
        whole,
        vec![
            (format!("s3://{b}/d/plain.txt"), "p1\np2".to_string()),
            (format!("s3://{b}/d/t.txt.gz"), text.clone()),
        ]
    );
    let binary = ctx
        .binary_files(&format!("s3://{b}/d/*.gz"), 1)
        .unwrap()
        .collect()
        .unwrap();
    assert_eq!(
        binary,
        vec![(format!("s3://{b}/d/t.txt.gz"), gzip(text.as_bytes()))]
    );
}

#[test]
fn dataframes_and_sql_read_csv_json_and_parquet_from_the_bucket() {
    let ctx = moto().ctx();
    let b = moto().bucket("frames");
    put(
        &ctx,
        &format!("s3://{b}/people/part-0.csv"),
        b"name,age\nann,31\nbob,27\n",
    );
    put(
        &ctx,
        &format!("s3://{b}/people/part-1.csv"),
        b"name,age\ncy,45\n",
    );
    put(&ctx, &format!("s3://{b}/people/_SUCCESS"), b"");
    put(
        &ctx,
        &format!("s3://{b}/j/x.json"),
        b"{\"k\":\"a\",\"v\":1}\n{\"k\":\"b\",\"v\":2}\n",
    );
    let csv = ctx
        .read()
        .option("header", true)
        .option("inferSchema", true)
        .csv(&format!("s3://{b}/people"))
        .unwrap();
    assert_eq!(csv.count().unwrap(), 3);
    let json = ctx.read().json(&format!("s3://{b}/j/x.json")).unwrap();
    assert_eq!(json.count().unwrap(), 2);

    // Parquet, written locally with key=value folders, uploaded, then read with a filter and
    // a projection pushed into the scan.
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("t");
    ctx.sql("SELECT * FROM (VALUES (1, 'x', 10), (2, 'y', 20), (3, 'x', 30)) AS t(id, g, v)")
        .unwrap()
        .write()
        .partition_by(&["g"])
        .parquet(local.to_str().unwrap())
        .unwrap();
    for entry in walk(&local) {
        let rel = entry
            .strip_prefix(&local)
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        put(
            &ctx,
            &format!("s3://{b}/t/{rel}"),
            &std::fs::read(&entry).unwrap(),
        );
    }
    let t = ctx.read().parquet(&format!("s3://{b}/t")).unwrap();
    t.create_or_replace_temp_view("t").unwrap();
    let q = "SELECT id, g FROM t WHERE v > 15 ORDER BY id";
    assert_eq!(
        table(&ctx, q),
        "+----+---+\n| id | g |\n+----+---+\n| 2  | y |\n| 3  | x |\n+----+---+"
    );
    let plan = ctx.sql(q).unwrap().explain().unwrap();
    assert!(plan.contains("predicate=") && plan.contains("v@"), "{plan}");

    // SQL names the objects directly, and external tables live in the bucket.
    let direct = table(
        &ctx,
        &format!("SELECT count(*) AS n FROM 's3://{b}/people/part-0.csv'"),
    );
    assert_eq!(direct, "+---+\n| n |\n+---+\n| 2 |\n+---+");
    ctx.sql(&format!(
        "CREATE EXTERNAL TABLE people STORED AS CSV LOCATION 's3://{b}/people/' \
         OPTIONS ('format.has_header' 'true')"
    ))
    .unwrap();
    let n = table(&ctx, "SELECT sum(age) AS s FROM people");
    assert_eq!(n, "+-----+\n| s   |\n+-----+\n| 103 |\n+-----+");
}

/// The result of `sql` as DataFusion's table text.
fn table(ctx: &Context, sql: &str) -> String {
    let batches = ctx.sql(sql).unwrap().collect().unwrap();
    arrow::util::pretty::pretty_format_batches(&batches)
        .unwrap()
        .to_string()
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn missing_objects_and_credentials_are_errors_naming_them() {
    let ctx = moto().ctx();
    let b = moto().bucket("errors");
    let url = format!("s3://{b}/absent.csv");
    let Err(err) = ctx.read().csv(&url) else {
        panic!("read a missing object");
    };
    assert!(err.to_string().contains(&url), "{err}");

    // Keys the server does not know: refused, naming the bucket and the server's reason.
    let auth = moto_with_auth();
    let guarded = auth.bucket("guarded");
    let strict = Context::new(auth.conf()).unwrap();
    let Err(err) = strict.text_file(&format!("s3://{guarded}/x.txt"), 1) else {
        panic!("read with rejected keys");
    };
    let msg = err.to_string();
    assert!(
        msg.contains(&format!("s3://{guarded}")) && msg.contains("InvalidAccessKeyId"),
        "{msg}"
    );

    // No keys at all: refused before any request, naming the bucket and what to set.
    assert!(
        std::env::var_os("AWS_ACCESS_KEY_ID").is_none(),
        "this test needs AWS_ACCESS_KEY_ID unset"
    );
    let bare = Context::new(
        ember::Conf::new()
            .master("local[1]")
            .set("ember.s3.endpoint", &moto().endpoint),
    )
    .unwrap();
    let Err(err) = bare.text_file(&format!("s3://{b}/x.txt"), 1) else {
        panic!("read without credentials");
    };
    let msg = err.to_string();
    assert!(
        msg.contains(&format!("s3://{b}")) && msg.contains("AWS_ACCESS_KEY_ID"),
        "{msg}"
    );
}

#[test]
fn the_sql_shell_queries_the_bucket_with_conf_from_the_command_line() {
    let m = moto();
    let ctx = m.ctx();
    let b = m.bucket("shell");
    put(&ctx, &format!("s3://{b}/t/a.csv"), b"k,v\na,1\nb,2\n");
    put(&ctx, &format!("s3://{b}/t/b.csv"), b"k,v\nc,3\n");
    let home = tempfile::tempdir().unwrap();
    let conf = |k: &str, v: &str| format!("--conf={k}={v}");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ember"))
        .args(["sql", "--master", "local[2]", "-q", "--format", "csv"])
        .arg(conf("ember.s3.endpoint", &m.endpoint))
        .arg(conf("ember.s3.region", "us-east-1"))
        // Hadoop's S3A key names work too, as Spark programs set them.
        .arg(conf("spark.hadoop.fs.s3a.access.key", "testing"))
        .arg(conf("spark.hadoop.fs.s3a.secret.key", "testing"))
        .arg("-c")
        .arg(format!(
            "CREATE EXTERNAL TABLE t STORED AS CSV LOCATION 's3://{b}/t/' \
             OPTIONS ('format.has_header' 'true')"
        ))
        .arg("-c")
        .arg("SELECT k, v FROM t ORDER BY k")
        // COPY writes to the bucket too; the copy reads back.
        .arg("-c")
        .arg(format!(
            "COPY (SELECT k, v * 10 AS v FROM t) TO 's3://{b}/copy/out.parquet' STORED AS PARQUET"
        ))
        .arg("-c")
        .arg(format!(
            "SELECT sum(v) AS s FROM 's3://{b}/copy/out.parquet'"
        ))
        .env("HOME", home.path())
        .env_remove("EMBER_MASTER")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "k,v\na,1\nb,2\nc,3\ncount\n3\ns\n60\n"
    );
}

#[test]
fn http_objects_are_read_whole_with_one_get() {
    let dir = tempfile::tempdir().unwrap();
    let lines: Vec<String> = (0..50_000).map(|i| format!("line {i}")).collect();
    std::fs::write(dir.path().join("big.txt"), lines.join("\n")).unwrap();
    std::fs::write(dir.path().join("c.csv"), "a,b\n1,2\n3,4\n").unwrap();
    let (url, _server) = http_server(dir.path());
    let ctx = moto().ctx();
    // Python's server ignores Range headers, so the object is one split read by one GET.
    let rdd = ctx.text_file(&format!("{url}/big.txt"), 4).unwrap();
    assert_eq!(rdd.num_partitions(), 1);
    assert_eq!(rdd.collect().unwrap(), lines);
    let df = ctx
        .read()
        .option("header", true)
        .csv(&format!("{url}/c.csv"))
        .unwrap();
    assert_eq!(df.count().unwrap(), 2);
    let missing = format!("{url}/absent.txt");
    let Err(err) = ctx.text_file(&missing, 1) else {
        panic!("read a missing object");
    };
    assert!(err.to_string().contains("absent.txt"), "{err}");
}
