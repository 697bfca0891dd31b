//! Cluster mode against local mode, in the same run: word count and the TPC-H queries on
//! `local-cluster[2,1,2048]` (two executor processes of one core) and on `local[2]`.
//!
//! ```text
//! cargo run --release -p ember-benches --bin cluster_bench -- \
//!     --corpus /tmp/bench/words200.txt --tpch /tmp/tpch/sf1
//! ```
//! The executors are this binary again (cluster mode runs the program's own binary): their
//! copies skip the local-mode runs, which only the driver times, and follow the driver through
//! the cluster runs. Each measurement runs `--runs` times, local and cluster alternating; the
//! best time counts. Prints each figure, the ratio cluster / local and whether the target (at
//! most 1.5x) holds.

use clap::Parser;
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
    /// A text corpus for word count.
    #[arg(long)]
    corpus: Option<PathBuf>,
    /// Directory of TPC-H `<table>.parquet` files.
    #[arg(long)]
    tpch: Option<PathBuf>,
    /// Directory of `q1.sql` .. `q22.sql`.
    #[arg(long, default_value = "api/tests/tpch/queries")]
    queries: PathBuf,
    /// Runs per measurement and mode.
    #[arg(long, default_value_t = 3)]
    runs: usize,
}

fn word_count(ctx: &Context, path: &str) -> usize {
    ctx.text_file(path, ctx.default_min_partitions())
        .expect("corpus exists")
        .flat_map(ember::text::words)
        .map(|w| (w, 1u64))
        .reduce_by_key(|a, b| a + b)
        .count()
        .expect("job runs") as usize
}

fn query(ctx: &Context, stmts: &[String]) -> usize {
    let mut rows = 0;
    for s in stmts {
        let b = ctx
            .sql(s)
            .expect("query plans")
            .collect()
            .expect("query runs");
        rows = b.iter().map(|b| b.num_rows()).sum();
    }
    rows
}

fn register(ctx: &Context, dir: &std::path::Path) {
    for t in TABLES {
        let path = dir.join(format!("{t}.parquet"));
        ctx.sql(&format!(
            "CREATE EXTERNAL TABLE {t} STORED AS PARQUET LOCATION '{}'",
            path.display()
        ))
        .expect("table registers");
    }
}

/// Best of `runs` for local (driver only) and cluster, alternating.
fn measure(
    runs: usize,
    local: Option<&Context>,
    cluster: &Context,
    f: impl Fn(&Context) -> usize,
) -> (Duration, Duration) {
    let (mut best_local, mut best_cluster) = (Duration::MAX, Duration::MAX);
    for _ in 0..runs {
        if let Some(l) = local {
            let t = Instant::now();
            let a = f(l);
            best_local = best_local.min(t.elapsed());
            let t = Instant::now();
            let b = f(cluster);
            best_cluster = best_cluster.min(t.elapsed());
            assert_eq!(a, b, "local and cluster mode disagree");
        } else {
            f(cluster);
        }
    }
    (best_local, best_cluster)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let conf = |master: &str| {
        Conf::new()
            .master(master)
            .set("ember.ui.showConsoleProgress", "false")
    };
    let cluster = Context::new(conf("local-cluster[2,1,2048]"))?;
    // An executor's copy of this program follows the cluster runs only.
    let local = if cluster.is_driver() {
        Some(Context::new(conf("local[2]"))?)
    } else {
        None
    };
    let print = |name: &str, (l, c): (Duration, Duration), total: &mut (f64, f64)| {
        if cluster.is_driver() {
            let (l, c) = (l.as_secs_f64(), c.as_secs_f64());
            total.0 += l;
            total.1 += c;
            println!("{name:<12} {l:>9.3} {c:>11.3} {:>7.2}", c / l);
        }
    };
    if cluster.is_driver() {
        println!(
            "{:<12} {:>9} {:>11} {:>7}",
            "job", "local[2] s", "cluster s", "ratio"
        );
    }
    if let Some(corpus) = &args.corpus {
        let path = corpus
            .to_str()
            .ok_or("corpus path is not UTF-8")?
            .to_string();
        let mut total = (0.0, 0.0);
        let t = measure(args.runs, local.as_ref(), &cluster, |c| {
            word_count(c, &path)
        });
        print("wordcount", t, &mut total);
    }
    if let Some(dir) = &args.tpch {
        register(&cluster, dir);
        if let Some(l) = &local {
            register(l, dir);
        }
        let mut total = (0.0, 0.0);
        let mut worst = 0.0f64;
        for q in 1..=22 {
            let text = std::fs::read_to_string(args.queries.join(format!("q{q}.sql")))?;
            let stmts = statements(&text);
            let t = measure(args.runs, local.as_ref(), &cluster, |c| query(c, &stmts));
            worst = worst.max(t.1.as_secs_f64() / t.0.as_secs_f64());
            print(&format!("tpch q{q}"), t, &mut total);
        }
        if cluster.is_driver() {
            let ratio = total.1 / total.0;
            println!(
                "{:<12} {:>9.3} {:>11.3} {ratio:>7.2}  (worst query {worst:.2}; target: total at most 1.5x: {})",
                "tpch total",
                total.0,
                total.1,
                if ratio <= 1.5 { "holds" } else { "MISSED" }
            );
        }
    }
    Ok(())
}
