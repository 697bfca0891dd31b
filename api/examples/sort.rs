//! Sort a large random data set with `sort_by_key`, then check the result on the executors.
//!
//! Record `i` (for `i` in `0..N`) is the pair `(splitmix64(i ^ seed), i)`, generated inside the
//! RDD from `Context::range`, so the driver never holds the data. After `sort_by_key`, each task
//! checks that its partition's keys are non-decreasing and reports its count, first and last
//! key, smallest and largest key and the wrapping sum of its keys; the driver checks that the
//! last key of each non-empty partition is at most the first key of the next one.
//!
//! Prints `records=`, `partitions=` (of the sorted RDD), `sorted=true|false`, `checksum=` (the
//! wrapping sum of all keys, as u64), `first=` and `last=` (smallest and largest key). Exits
//! with a non-zero status if the output is not sorted or lost or gained records.
//!
//! ```text
//! cargo run --release -p ember --example sort -- [--records N] [--partitions P] [--seed S] [--master URL]
//! ```

use clap::Parser;
use ember::{Conf, Context};
use serde::{Deserialize, Serialize};
use std::process::ExitCode;
use std::time::Instant;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(about = "Sort random records with Ember and verify the order")]
struct Args {
    /// Number of records.
    #[arg(long, default_value_t = 1_000_000)]
    records: u64,
    /// Partitions of the input and of the sorted output.
    #[arg(long, default_value_t = 8)]
    partitions: usize,
    /// Seed of the generator.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Master URL: local, local[N] or local[*].
    #[arg(long, default_value = "local[*]")]
    master: String,
}

/// SplitMix64's output function: a bijection on u64 with good mixing.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// What one task reports about its partition of the sorted output.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct PartitionSummary {
    index: usize,
    count: u64,
    first: Option<u64>,
    last: Option<u64>,
    min: Option<u64>,
    max: Option<u64>,
    /// Keys non-decreasing within the partition.
    sorted: bool,
    /// Wrapping sum of the keys.
    checksum: u64,
}

fn summarise(index: usize, records: impl Iterator<Item = (u64, u64)>) -> PartitionSummary {
    let mut s = PartitionSummary {
        index,
        count: 0,
        first: None,
        last: None,
        min: None,
        max: None,
        sorted: true,
        checksum: 0,
    };
    for (key, _) in records {
        if s.first.is_none() {
            s.first = Some(key);
        }
        if s.last.is_some_and(|prev| prev > key) {
            s.sorted = false;
        }
        s.last = Some(key);
        s.min = Some(s.min.map_or(key, |m| m.min(key)));
        s.max = Some(s.max.map_or(key, |m| m.max(key)));
        s.count += 1;
        s.checksum = s.checksum.wrapping_add(key);
    }
    s
}

fn run(args: &Args) -> Result<bool, Box<dyn std::error::Error>> {
    if args.partitions == 0 {
        return Err("--partitions must be at least 1".into());
    }
    let end = i64::try_from(args.records).map_err(|_| "--records is too large")?;
    let ctx = Context::new(Conf::new().master(&args.master).app_name("sort"))?;
    let seed = args.seed;
    let started = Instant::now();

    let records = ctx
        .range(0, end, 1, args.partitions)?
        .map(move |i| (splitmix64(i as u64 ^ seed), i as u64));
    let sorted = records.sort_by_key(true)?;
    let mut summaries = sorted
        .map_partitions_with_index(|index, it| std::iter::once(summarise(index, it)))
        .collect()?;
    summaries.sort_by_key(|s| s.index);
    let elapsed = started.elapsed();

    let non_empty: Vec<&PartitionSummary> = summaries.iter().filter(|s| s.count > 0).collect();
    let within = summaries.iter().all(|s| s.sorted);
    let across = non_empty.windows(2).all(|w| w[0].last <= w[1].first);
    let count: u64 = summaries.iter().map(|s| s.count).sum();
    let checksum = summaries
        .iter()
        .fold(0u64, |acc, s| acc.wrapping_add(s.checksum));
    let first = summaries.iter().filter_map(|s| s.min).min();
    let last = summaries.iter().filter_map(|s| s.max).max();
    let sorted_ok = within && across;

    let show = |k: Option<u64>| k.map_or_else(|| "none".to_string(), |k| k.to_string());
    println!("records={count}");
    println!("partitions={}", sorted.num_partitions());
    println!("sorted={sorted_ok}");
    println!("checksum={checksum}");
    println!("first={}", show(first));
    println!("last={}", show(last));
    eprintln!(
        "sort: {count} records in {} partitions in {:.3}s",
        sorted.num_partitions(),
        elapsed.as_secs_f64()
    );
    if !within {
        for s in summaries.iter().filter(|s| !s.sorted) {
            eprintln!("sort: partition {} is not in key order", s.index);
        }
    }
    if !across {
        eprintln!("sort: partitions overlap: a partition ends above the next one's first key");
    }
    if count != args.records {
        eprintln!("sort: expected {} records, found {count}", args.records);
    }
    Ok(sorted_ok && count == args.records)
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("sort: {e}");
            ExitCode::FAILURE
        }
    }
}
