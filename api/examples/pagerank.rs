//! PageRank, as Spark's `examples/SparkPageRank`: iterate
//! `rank(v) = 0.15 + 0.85 * sum(rank(u) / outdegree(u))` over the links `u -> v` of a graph.
//!
//! The input is a text file (or directory, or glob) of `src dst` lines, separated by any
//! whitespace; blank lines and lines starting with `#` are skipped, as are lines with fewer than
//! two fields (counted and reported on stderr), and fields after the second are ignored.
//! Duplicate links count once.
//!
//! The semantics are exactly Spark's example: every node with an outgoing link starts at rank
//! 1.0, and each iteration computes the ranks from the contributions received, so a node with no
//! incoming link drops out of the ranks after the first iteration, and a node with no outgoing
//! link keeps its rank but passes nothing on.
//!
//! The links are hash-partitioned and cached once, then joined against the ranks in every
//! iteration. The ranks are produced with the links' partitioning, so those joins read the
//! cached links in place instead of shuffling them again.
//!
//! Prints `node<TAB>rank` (rank with six decimals), rank descending then node ascending: every
//! node, or the first `K` with `--top K`. Ranks that print the same are ordered by node.
//!
//! ```text
//! cargo run --release -p ember --example pagerank -- FILE [--iterations N] [--top K] [--master URL]
//! ```

use clap::Parser;
use ember::{Conf, Context};
use std::cmp::Reverse;
use std::process::ExitCode;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(about = "PageRank with Ember (Spark's SparkPageRank)")]
struct Args {
    /// Input file, directory or glob of `src dst` lines.
    file: String,
    /// Iterations of the rank update.
    #[arg(long, default_value_t = 10)]
    iterations: usize,
    /// Print only the K highest-ranked nodes.
    #[arg(long)]
    top: Option<usize>,
    /// Partitions of the links (default: the context's default parallelism).
    #[arg(long)]
    partitions: Option<usize>,
    /// Master URL: local, local[N] or local[*].
    #[arg(long, default_value = "local[*]")]
    master: String,
}

/// The order of the output: rank descending, then node ascending. The rank is compared as
/// printed (six decimals), so that two ranks equal up to floating-point rounding in the sums
/// are ties broken by node name, whatever order the sums were added in.
type OrderKey = (Reverse<u64>, String, String);

fn order_key(node: String, rank: f64) -> OrderKey {
    let printed = format!("{rank:.6}");
    let value: f64 = printed.parse().expect("a formatted f64 parses");
    // Ranks are at least 0.15, and the bits of non-negative floats order as the floats do.
    (Reverse(value.max(0.0).to_bits()), node, printed)
}

fn run(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let ctx = Context::new(Conf::new().master(&args.master).app_name("pagerank"))?;
    let partitions = args
        .partitions
        .unwrap_or_else(|| ctx.default_parallelism())
        .max(1);
    let malformed = ctx.accumulator(0u64);
    let bad = malformed.clone();

    let edges = ctx
        .text_file(&args.file, ctx.default_min_partitions())?
        .flat_map(move |line| {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                return None;
            }
            let mut fields = line.split_whitespace();
            match (fields.next(), fields.next()) {
                (Some(src), Some(dst)) => Some((src.to_owned(), dst.to_owned())),
                _ => {
                    bad.add(1);
                    None
                }
            }
        });
    // links: node -> its distinct neighbours, hash-partitioned by node (group_by_key keeps that
    // partitioning, no second shuffle) and cached; every iteration's join reads it in place.
    let links = edges
        .distinct()
        .partition_by(partitions)
        .group_by_key()
        .cache();
    let mut ranks = links.map_values(|_| 1.0f64);
    for _ in 0..args.iterations {
        let contribs = links.join(&ranks).values().flat_map(|(neighbours, rank)| {
            let share = rank / neighbours.len() as f64;
            neighbours.into_iter().map(move |n| (n, share))
        });
        ranks = contribs
            .reduce_by_key_n(|a, b| a + b, partitions)
            .map_values(|sum| 0.15 + 0.85 * sum);
    }

    let keyed = ranks.map(|(node, rank)| order_key(node, rank));
    let ordered = match args.top {
        Some(k) => keyed.take_ordered(k)?,
        None => {
            let mut all = keyed.collect()?;
            all.sort_unstable();
            all
        }
    };
    let skipped = malformed.value();
    if skipped > 0 {
        eprintln!("pagerank: skipped {skipped} line(s) without two fields");
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for (_, node, rank) in ordered {
        use std::io::Write;
        writeln!(out, "{node}\t{rank}")?;
    }
    Ok(())
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pagerank: {e}");
            ExitCode::FAILURE
        }
    }
}
