//! Helpers shared by the integration tests.

#![allow(dead_code)]

use ember::{Conf, Context};

/// A context on `master` with the console progress bar off and extra `settings`.
pub fn ctx_with(master: &str, settings: &[(&str, &str)]) -> Context {
    let mut conf = Conf::new()
        .master(master)
        .app_name("integration")
        .set("ember.ui.showConsoleProgress", "false");
    for (k, v) in settings {
        conf = conf.set(*k, *v);
    }
    Context::new(conf).expect("context starts")
}

/// The default test context: `local[2]`.
pub fn ctx() -> Context {
    ctx_with("local[2]", &[])
}

/// A context on `master` (e.g. `local[1]`, `local[3]`).
pub fn ctx_on(master: &str) -> Context {
    ctx_with(master, &[])
}

/// `v`, sorted.
pub fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort();
    v
}

/// `String`s from string literals.
pub fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// `(String, V)` pairs from `(&str, V)` literals.
pub fn kv<V: Clone>(v: &[(&str, V)]) -> Vec<(String, V)> {
    v.iter().map(|(k, x)| (k.to_string(), x.clone())).collect()
}

/// Asserts two floats are within `1e-9` of each other.
#[track_caller]
pub fn assert_close(actual: f64, expected: f64) {
    assert!(
        (actual - expected).abs() < 1e-9,
        "expected {expected}, got {actual}"
    );
}

/// The rows of `batches` as `a|b|..` strings (Arrow's display of each cell), in order.
pub fn display_rows(batches: &[arrow::record_batch::RecordBatch]) -> Vec<String> {
    let mut out = Vec::new();
    for b in batches {
        for r in 0..b.num_rows() {
            let cells: Vec<String> = b
                .columns()
                .iter()
                .map(|c| arrow::util::display::array_value_to_string(c, r).unwrap())
                .collect();
            out.push(cells.join("|"));
        }
    }
    out
}

/// A decoder of compressed text.
pub type Decode = fn(&[u8]) -> String;

/// Hadoop's text codecs Ember writes, each with a decoder (the oracle of the compressed
/// output tests).
pub fn text_codecs() -> [(ember::rdd::save::Codec, Decode); 4] {
    use ember::rdd::save::Codec;
    use std::io::Read;
    fn read_all(mut r: impl Read) -> String {
        let mut s = String::new();
        r.read_to_string(&mut s).unwrap();
        s
    }
    [
        (Codec::Gzip, |b| read_all(flate2::read::GzDecoder::new(b))),
        (Codec::Deflate, |b| {
            read_all(flate2::read::ZlibDecoder::new(b))
        }),
        (Codec::BZip2, |b| read_all(bzip2::read::BzDecoder::new(b))),
        (Codec::Zstd, |b| {
            String::from_utf8(zstd::decode_all(b).unwrap()).unwrap()
        }),
    ]
}

/// Registers `flaky(BIGINT) -> BIGINT` with `ctx`'s session: the identity, except that the
/// second batch any task of the context gives it fails, once, as a task failure that Ember
/// retries. Counts its calls.
pub fn register_flaky_udf(ctx: &Context) -> std::sync::Arc<std::sync::atomic::AtomicUsize> {
    use arrow::datatypes::DataType;
    use datafusion::error::DataFusionError;
    use datafusion::logical_expr::{ColumnarValue, Volatility, create_udf};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&calls);
    let flaky = create_udf(
        "flaky",
        vec![DataType::Int64],
        DataType::Int64,
        Volatility::Volatile,
        Arc::new(move |args: &[ColumnarValue]| {
            if seen.fetch_add(1, Ordering::SeqCst) == 1 {
                let lost = ember::EngineError::UserPanic {
                    message: "lost executor".into(),
                };
                return Err(DataFusionError::External(Box::new(lost)));
            }
            Ok(args[0].clone())
        }),
    );
    ctx.session().register_udf(flaky);
    calls
}

/// Writes `1..=20000` as Parquet to `url` through [`register_flaky_udf`], so that one write
/// task fails once and is retried; checks the retry happened and every row is there once.
pub fn write_with_a_retried_task(ctx: &Context, url: &str) {
    use std::sync::atomic::Ordering;
    let calls = register_flaky_udf(ctx);
    ctx.sql("SELECT flaky(value) AS v FROM generate_series(1, 20000)")
        .unwrap()
        .write()
        .parquet(url)
        .unwrap();
    assert!(calls.load(Ordering::SeqCst) > 2);
    // The failed attempt was a write task.
    let jobs = ctx.status_tracker().jobs();
    let write = jobs[0]
        .stages
        .iter()
        .find(|s| s.name.starts_with("write"))
        .unwrap();
    assert_eq!(write.num_failed_tasks, 1);
    let back = ctx.read().parquet(url).unwrap();
    back.create_or_replace_temp_view("retried").unwrap();
    let sums = ctx.sql("SELECT count(*), sum(v) FROM retried").unwrap();
    // 1 + ... + 20000 = 200010000, each row once.
    assert_eq!(display_rows(&sums.collect().unwrap()), ["20000|200010000"]);
}
