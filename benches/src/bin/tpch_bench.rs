//! TPC-H: the 22 queries through Ember (`local[2]`), DataFusion (the same version, 2 target
//! partitions) and DuckDB (2 threads), in the same run, over the same Parquet files.
//!
//! ```text
//! tpchgen-cli parquet -s 1 --output-dir=/tmp/tpch/sf1          # pip install tpchgen-cli
//! cargo run --release -p ember-benches --bin tpch_bench -- /tmp/tpch/sf1
//! ```
//! DuckDB runs in a Python subprocess (`EMBER_PYTHON`, default `python3`, with `duckdb`
//! installed). Each query runs `--runs` times per engine, Ember and DataFusion alternating; the
//! best time counts. Prints per-query times, the ratio Ember / DataFusion, the totals, and
//! whether the targets hold (total at most 1.15x DataFusion, every query within 1.5x).

use clap::Parser;
use datafusion::prelude::{ParquetReadOptions, SessionConfig, SessionContext};
use ember::{Conf, Context};
use ember_benches::statements;
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const TABLES: [&str; 8] = [
    "customer", "lineitem", "nation", "orders", "part", "partsupp", "region", "supplier",
];

#[derive(Parser)]
struct Args {
    /// Directory of `<table>.parquet` files (tpchgen-cli's layout).
    data: PathBuf,
    /// Directory of `q1.sql` .. `q22.sql`.
    #[arg(long, default_value = "api/tests/tpch/queries")]
    queries: PathBuf,
    /// Runs per query and engine.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Only these queries (e.g. `--query 1 --query 18`).
    #[arg(long)]
    query: Vec<usize>,
    /// Skip DuckDB.
    #[arg(long)]
    no_duckdb: bool,
}

fn rows(batches: &[arrow::record_batch::RecordBatch]) -> usize {
    batches.iter().map(|b| b.num_rows()).sum()
}

fn run_ember(ctx: &Context, stmts: &[String]) -> Result<usize, ember::Error> {
    let mut n = 0;
    for s in stmts {
        let b = ctx.sql(s)?.collect()?;
        if !b.is_empty() {
            n = rows(&b);
        }
    }
    Ok(n)
}

fn run_datafusion(
    rt: &tokio::runtime::Runtime,
    ctx: &SessionContext,
    stmts: &[String],
) -> datafusion::error::Result<usize> {
    rt.block_on(async {
        let mut n = 0;
        for s in stmts {
            let b = ctx.sql(s).await?.collect().await?;
            if !b.is_empty() {
                n = rows(&b);
            }
        }
        Ok(n)
    })
}

fn duckdb_times(args: &Args, names: &[String]) -> Option<serde_json::Value> {
    let python = std::env::var("EMBER_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/src/bin/tpch_duckdb.py");
    let out = std::process::Command::new(&python)
        .arg(script)
        .arg(&args.data)
        .arg(&args.queries)
        .arg(args.runs.to_string())
        .arg(names.join(","))
        .output();
    match out {
        Ok(o) if o.status.success() => serde_json::from_slice(&o.stdout).ok(),
        Ok(o) => {
            eprintln!(
                "DuckDB run failed ({python}): {}",
                String::from_utf8_lossy(&o.stderr)
            );
            None
        }
        Err(e) => {
            eprintln!("cannot start {python} for DuckDB: {e}");
            None
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let picked: Vec<usize> = if args.query.is_empty() {
        (1..=22).collect()
    } else {
        args.query.clone()
    };
    let names: Vec<String> = picked.iter().map(|q| format!("q{q}")).collect();

    let ember = Context::new(
        Conf::new()
            .master("local[2]")
            .set("ember.ui.showConsoleProgress", "false"),
    )?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let df = SessionContext::new_with_config(SessionConfig::new().with_target_partitions(2));
    for t in TABLES {
        let path = args.data.join(format!("{t}.parquet"));
        let path = path.to_str().ok_or("data path is not UTF-8")?;
        ember.sql(&format!(
            "CREATE EXTERNAL TABLE {t} STORED AS PARQUET LOCATION '{path}'"
        ))?;
        rt.block_on(df.register_parquet(t, path, ParquetReadOptions::default()))?;
    }

    let duck = if args.no_duckdb {
        None
    } else {
        duckdb_times(&args, &names)
    };

    println!(
        "{:<5} {:>9} {:>11} {:>9} {:>10} {:>6}",
        "query", "ember s", "datafusion", "duckdb", "ember/df", "rows"
    );
    let (mut te, mut td, mut tk) = (Duration::ZERO, Duration::ZERO, 0.0f64);
    let mut worst: f64 = 0.0;
    for name in &names {
        let text = std::fs::read_to_string(args.queries.join(format!("{name}.sql")))?;
        let stmts = statements(&text);
        let (mut be, mut bd) = (Duration::MAX, Duration::MAX);
        let (mut re, mut rd) = (0, 0);
        for _ in 0..args.runs.max(1) {
            let t = Instant::now();
            re = run_ember(&ember, &stmts)?;
            be = be.min(t.elapsed());
            let t = Instant::now();
            rd = run_datafusion(&rt, &df, &stmts)?;
            bd = bd.min(t.elapsed());
        }
        if re != rd {
            return Err(format!("{name}: Ember returned {re} rows, DataFusion {rd}").into());
        }
        let k = duck
            .as_ref()
            .and_then(|d| d[name.as_str()]["best"].as_f64());
        let ratio = be.as_secs_f64() / bd.as_secs_f64();
        worst = worst.max(ratio);
        te += be;
        td += bd;
        tk += k.unwrap_or(0.0);
        println!(
            "{name:<5} {:>9.3} {:>11.3} {:>9} {ratio:>10.2} {re:>6}",
            be.as_secs_f64(),
            bd.as_secs_f64(),
            k.map_or("-".to_string(), |k| format!("{k:.3}")),
        );
    }
    let total_ratio = te.as_secs_f64() / td.as_secs_f64();
    println!(
        "total {:>9.3} {:>11.3} {:>9} {total_ratio:>10.2}",
        te.as_secs_f64(),
        td.as_secs_f64(),
        if duck.is_some() {
            format!("{tk:.3}")
        } else {
            "-".into()
        },
    );
    println!(
        "targets: total <= 1.15x DataFusion: {} ({total_ratio:.2}); every query <= 1.5x: {} (worst {worst:.2})",
        if total_ratio <= 1.15 {
            "met"
        } else {
            "NOT met"
        },
        if worst <= 1.5 { "met" } else { "NOT met" },
    );
    Ok(())
}
