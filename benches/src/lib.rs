//! # ember-benches
//!
//! Benchmark harnesses that print Ember's times next to the tools a user would otherwise
//! pick, measured in the same run. Run them by hand in release mode; they are never timed
//! tests. Each binary in `src/bin` says how to run it.

use ember::Context;
use std::time::{Duration, Instant};

/// Ember's word count of the text file at `path`: (distinct words, total words), counted by
/// `reduceByKey` and collected to the driver.
pub fn word_count(ctx: &Context, path: &str) -> (usize, u64) {
    let counts = ctx
        .text_file(path, ctx.default_min_partitions())
        .expect("corpus exists")
        .flat_map(ember::text::words)
        .map(|w| (w, 1u64))
        .reduce_by_key(|a, b| a + b)
        .collect()
        .expect("job runs");
    (counts.len(), counts.iter().map(|(_, n)| n).sum())
}

/// Runs `f` `runs` times and returns the best wall time with the last result.
pub fn best_of<R>(runs: usize, mut f: impl FnMut() -> R) -> (Duration, R) {
    let mut best = Duration::MAX;
    let mut last = None;
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        let r = f();
        best = best.min(t.elapsed());
        last = Some(r);
    }
    (best, last.expect("at least one run"))
}

/// The statements of a TPC-H query file, comment lines dropped (q15 creates and drops a view
/// around its query).
pub fn statements(text: &str) -> Vec<String> {
    text.split(';')
        .map(|s| {
            s.lines()
                .filter(|l| !l.trim_start().starts_with("--"))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .filter(|s| !s.trim().is_empty())
        .collect()
}
