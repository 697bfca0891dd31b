//! Read throughput from local disk: text, CSV and Parquet through Ember (`local[2]`) against
//! DataFusion (2 target partitions), in the same run.
//!
//! ```text
//! python3 ../shared/bench/gen_text.py /tmp/bench/words200.txt 200
//! tpchgen-cli parquet -s 1 --output-dir=/tmp/tpch/sf1
//! cargo run --release -p ember-benches --bin read_bench -- --words /tmp/bench/words200.txt \
//!     --parquet /tmp/tpch/sf1/lineitem.parquet
//! ```
//! Inputs made once when missing: a 1 GB text file (the word corpus repeated, `--text`) and
//! `lineitem` as CSV with a header (`--csv`, written from the Parquet file by DataFusion).
//!
//! - Text: Ember counts the lines of `text_file` (printing its partition count and the CPU time
//!   it used per second of wall time: 2.0 means both cores busy); DataFusion counts the rows of
//!   the same file read as one-column CSV.
//! - CSV (header, schema inferred by both) and Parquet: both run `SELECT count(*), sum(l_quantity), max(l_comment)` over the
//!   file (schema inferred), so every row is parsed and two columns decoded.
//!
//! Prints the best of `--runs` for each, in seconds and MB/s, and the ratio Ember / DataFusion.

use clap::Parser;
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::dataframe::DataFrameWriteOptions;
use datafusion::prelude::{CsvReadOptions, ParquetReadOptions, SessionConfig, SessionContext};
use ember::{Conf, Context};
use ember_benches::best_of;
use std::path::Path;
use std::time::{Duration, Instant};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const QUERY: &str = "SELECT count(*), sum(l_quantity), max(l_comment) FROM t";

#[derive(Parser)]
struct Args {
    /// The word corpus the text file is made of.
    #[arg(long, default_value = "/tmp/bench/words200.txt")]
    words: String,
    /// The 1 GB text file (made from `--words` when missing).
    #[arg(long, default_value = "/tmp/bench/words1g.txt")]
    text: String,
    /// TPC-H lineitem as Parquet.
    #[arg(long, default_value = "/tmp/tpch/sf1/lineitem.parquet")]
    parquet: String,
    /// lineitem as CSV (made from `--parquet` when missing).
    #[arg(long, default_value = "/tmp/bench/lineitem.csv")]
    csv: String,
    /// Runs of each (the best counts).
    #[arg(long, default_value_t = 3)]
    runs: usize,
}

/// CPU time (user + system) of this process so far, from `/proc/self/stat` (Linux).
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // After the command name: state is field 0, utime field 11, stime field 12; 100 ticks/s.
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

fn make_text(words: &str, text: &str) {
    if Path::new(text).exists() {
        return;
    }
    let corpus = std::fs::read(words).unwrap_or_else(|e| panic!("read {words}: {e}"));
    let mut out = Vec::with_capacity(1 << 30);
    while out.len() < 1_000_000_000 {
        out.extend_from_slice(&corpus);
    }
    std::fs::write(text, out).unwrap_or_else(|e| panic!("write {text}: {e}"));
}

fn make_csv(df: &SessionContext, parquet: &str, csv: &str) {
    if Path::new(csv).exists() {
        return;
    }
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let data = df
            .read_parquet(parquet, ParquetReadOptions::default())
            .await
            .expect("lineitem parquet");
        data.write_csv(
            csv,
            DataFrameWriteOptions::new().with_single_file_output(true),
            None,
        )
        .await
        .expect("write csv");
    });
}

fn mb_per_s(path: &str, t: Duration) -> f64 {
    let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0) as f64;
    bytes / 1e6 / t.as_secs_f64()
}

fn report(what: &str, path: &str, ember: Duration, datafusion: Duration) {
    println!(
        "{what:<8} Ember {:>7.3} s {:>7.0} MB/s   DataFusion {:>7.3} s {:>7.0} MB/s   ratio {:.2}",
        ember.as_secs_f64(),
        mb_per_s(path, ember),
        datafusion.as_secs_f64(),
        mb_per_s(path, datafusion),
        ember.as_secs_f64() / datafusion.as_secs_f64()
    );
}

fn datafusion_query(rt: &tokio::runtime::Runtime, df: &SessionContext, sql: &str) -> usize {
    rt.block_on(async {
        let batches = df
            .sql(sql)
            .await
            .expect("plan")
            .collect()
            .await
            .expect("run");
        batches.iter().map(|b| b.num_rows()).sum()
    })
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let df = SessionContext::new_with_config(SessionConfig::new().with_target_partitions(2));
    make_text(&args.words, &args.text);
    make_csv(&df, &args.parquet, &args.csv);
    let rt = tokio::runtime::Runtime::new()?;
    let ctx = Context::new(Conf::new().master("local[2]"))?;

    // Text.
    let lines = ctx.text_file(&args.text, ctx.default_min_partitions())?;
    let partitions = lines.num_partitions();
    let (cpu0, wall0) = (cpu_time(), Instant::now());
    let (ember_text, n) = best_of(args.runs, || lines.count().expect("count lines"));
    let busy = (cpu_time() - cpu0).as_secs_f64() / wall0.elapsed().as_secs_f64();
    let one_column = Schema::new(vec![Field::new("line", DataType::Utf8, true)]);
    let opts = CsvReadOptions::new()
        .has_header(false)
        .delimiter(0x01)
        .file_extension(".txt")
        .schema(&one_column);
    rt.block_on(df.register_csv("text", &args.text, opts))?;
    let (df_text, m) = best_of(args.runs, || {
        rt.block_on(async {
            let t = df.table("text").await.expect("registered");
            t.count().await.expect("run")
        })
    });
    println!(
        "text file {}: {partitions} partitions, {n} lines; Ember used {busy:.2} cores",
        args.text
    );
    if n != m as u64 {
        println!("line counts differ: Ember {n}, DataFusion {m}");
    }
    report("text", &args.text, ember_text, df_text);

    // CSV and Parquet: the same query through both.
    for (what, path) in [("csv", &args.csv), ("parquet", &args.parquet)] {
        let table = if what == "csv" {
            ctx.read()
                .option("header", true)
                .option("inferSchema", true)
                .csv(path)?
        } else {
            ctx.read().parquet(path)?
        };
        table.create_or_replace_temp_view("t")?;
        let (ember_t, _) = best_of(args.runs, || {
            ctx.sql(QUERY)
                .and_then(|d| d.collect())
                .expect("ember query")
        });
        let _ = df.deregister_table("t");
        if what == "csv" {
            rt.block_on(df.register_csv("t", path, CsvReadOptions::new().has_header(true)))?;
        } else {
            rt.block_on(df.register_parquet("t", path, ParquetReadOptions::default()))?;
        }
        let (df_t, _) = best_of(args.runs, || datafusion_query(&rt, &df, QUERY));
        report(what, path, ember_t, df_t);
    }
    Ok(())
}
