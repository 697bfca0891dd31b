//! Word count of a corpus: Ember (`local[N]`) against a hand-written single-threaded Rust
//! `HashMap` count of the same file, in the same run.
//!
//! ```text
//! python3 ../shared/bench/gen_text.py /tmp/words200.txt 200
//! cargo run --release -p ember-benches --bin wordcount_bench -- /tmp/words200.txt
//! ```
//! Prints both times (best of `--runs`), the ratio Ember / hand-written, and checks that both
//! counted the same words.

use clap::Parser;
use ember::{Conf, Context};
use ember_benches::best_of;
use std::hash::BuildHasherDefault;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
struct Args {
    /// The corpus.
    file: String,
    /// Master for Ember.
    #[arg(long, default_value = "local[2]")]
    master: String,
    /// Paired rounds (one run of each per round).
    #[arg(long, default_value_t = 7)]
    runs: usize,
}

/// The baseline: read the file, split on ASCII whitespace, count in one `HashMap<&[u8], u64>`
/// with an Fx hasher, on one thread.
fn hand_written(path: &str) -> (usize, u64) {
    let data = std::fs::read(path).expect("read corpus");
    let mut counts: hashbrown::HashMap<&[u8], u64, BuildHasherDefault<rustc_hash::FxHasher>> =
        hashbrown::HashMap::default();
    for word in data
        .split(|b| b.is_ascii_whitespace())
        .filter(|w| !w.is_empty())
    {
        *counts.entry(word).or_insert(0) += 1;
    }
    (counts.len(), counts.values().sum())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let ctx = Context::new(
        Conf::new()
            .master(&args.master)
            .set("ember.ui.showConsoleProgress", "false"),
    )?;
    // Alternate the two so that a slow spell of the machine hits both alike: each round times
    // one of each back to back, and the median of the rounds' ratios is reported with the best
    // time of each.
    let (mut hand_t, mut ember_t) = (std::time::Duration::MAX, std::time::Duration::MAX);
    let (mut hand, mut ember) = ((0, 0), (0, 0));
    let mut ratios = Vec::new();
    for _ in 0..args.runs.max(1) {
        let (h, r) = best_of(1, || hand_written(&args.file));
        (hand_t, hand) = (hand_t.min(h), r);
        let (e, r) = best_of(1, || ember_benches::word_count(&ctx, &args.file));
        (ember_t, ember) = (ember_t.min(e), r);
        ratios.push(e.as_secs_f64() / h.as_secs_f64());
    }
    ratios.sort_by(f64::total_cmp);
    let median = ratios[ratios.len() / 2];
    assert_eq!(
        hand, ember,
        "hand-written and Ember disagree (distinct, total)"
    );
    println!("words: {} distinct, {} total", hand.0, hand.1);
    println!("hand-written 1 thread: {:.3} s", hand_t.as_secs_f64());
    println!("ember {}: {:.3} s", args.master, ember_t.as_secs_f64());
    println!(
        "ratio ember/hand-written: {:.2} (best times); median of {} paired rounds: {:.2}",
        ember_t.as_secs_f64() / hand_t.as_secs_f64(),
        ratios.len(),
        median
    );
    Ok(())
}
