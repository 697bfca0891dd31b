//! The DataFrame word count (split, explode, group by) through Ember's Python DataFrame API
//! against the same job through the Rust DataFrame API, in the same run.
//!
//! ```text
//! python3 ../shared/bench/gen_text.py /tmp/words200.txt 200
//! EMBER_PYTHON=/path/to/venv/bin/python \
//!     cargo run --release -p ember-benches --bin df_wordcount_bench -- /tmp/words200.txt
//! ```
//! `EMBER_PYTHON` is an interpreter with the `ember` package installed (built in release:
//! `maturin develop --release`). The Python side is `benches/python/df_wordcount.py`: it runs
//! `spark.read.text(f).select(explode(split(value, " ")).alias("word")).groupBy("word").count()`
//! and times `collect()` (rows as pyspark `Row`s) and `toArrow()`. The Rust side builds the same
//! plan (`string_to_array`, unnest, `count(1)` by word) and collects record batches. Prints the
//! best times of `--runs`, the ratios Python / Rust, and checks that all counted the same words.

use clap::Parser;
use datafusion::common::ScalarValue;
use datafusion::functions_aggregate::expr_fn::count;
use datafusion::functions_nested::expr_fn::string_to_array;
use datafusion::prelude::{col, lit};
use ember::sql::DataFrame;
use ember::{Conf, Context};
use ember_benches::best_of;
use std::process::Command;
use std::time::Duration;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
struct Args {
    /// The corpus.
    file: String,
    /// Master for both.
    #[arg(long, default_value = "local[2]")]
    master: String,
    /// Runs of each (the best is kept).
    #[arg(long, default_value_t = 5)]
    runs: usize,
}

/// The Rust DataFrame job: (distinct words, total words).
fn rust_count(ctx: &Context, path: &str) -> (usize, i64) {
    let lines = ctx.read().text(path).expect("corpus exists");
    let words = lines
        .inner()
        .clone()
        .select(vec![
            string_to_array(col("value"), lit(" "), lit(ScalarValue::Utf8(None))).alias("word"),
        ])
        .and_then(|d| d.unnest_columns(&["word"]))
        .expect("plan");
    let counts = DataFrame::from_datafusion(ctx, words)
        .group_by(vec![col("word")])
        .agg(vec![count(lit(1)).alias("count")])
        .expect("plan")
        .collect()
        .expect("job runs");
    let mut distinct = 0;
    let mut total = 0;
    for b in &counts {
        distinct += b.num_rows();
        let c = b
            .column(1)
            .as_any()
            .downcast_ref::<arrow::array::Int64Array>()
            .expect("count is an int64");
        total += c.values().iter().sum::<i64>();
    }
    (distinct, total)
}

/// Runs the Python side; its JSON line has the best times and the counts.
fn python_side(args: &Args) -> serde_json::Value {
    let python = std::env::var("EMBER_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/python/df_wordcount.py");
    let out = Command::new(&python)
        .args([script, &args.file, "--master", &args.master])
        .args(["--runs", &args.runs.to_string()])
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
    if !out.status.success() {
        panic!(
            "{python} {script} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().last().unwrap_or_default();
    serde_json::from_str(line).unwrap_or_else(|e| panic!("bad output {line:?}: {e}"))
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let py = python_side(&args);
    let ctx = Context::new(Conf::new().master(args.master.as_str()))?;
    let (rust, (distinct, total)) = best_of(args.runs, || rust_count(&ctx, &args.file));
    let field = |k: &str| py[k].as_f64().unwrap_or(f64::NAN);
    println!(
        "corpus {}: {distinct} distinct words, {total} words",
        args.file
    );
    println!("Rust DataFrame API   collect    {:>8.3} s", secs(rust));
    for (name, key) in [("collect", "collect_s"), ("toArrow", "to_arrow_s")] {
        let t = field(key);
        println!(
            "Python DataFrame API {name:<10} {t:>8.3} s   ratio {:.2}",
            t / secs(rust)
        );
    }
    let same =
        py["distinct"].as_u64() == Some(distinct as u64) && py["total"].as_i64() == Some(total);
    println!(
        "same counts: {}",
        if same {
            "yes"
        } else {
            "NO (see the JSON below)"
        }
    );
    if !same {
        println!("{py}");
        std::process::exit(1);
    }
    Ok(())
}
