//! What the web UI costs a driver: the same jobs with `ember.ui.enabled` (the default, every
//! task's events folded into the status store) and without it, in the same run.
//!
//! ```text
//! cargo run --release -p ember-benches --bin ui_overhead_bench
//! cargo run --release -p ember-benches --bin ui_overhead_bench -- --corpus /tmp/words200.txt
//! ```
//! Jobs: a shuffle of `--tasks` tiny map tasks into 8 reduce tasks (the worst case: the
//! scheduler's per-task work dominates), and, with `--corpus`, a word count. Prints the best
//! time of each setting and the median ratio UI on / UI off over alternating rounds.

use clap::Parser;
use ember::{Conf, Context};
use ember_benches::best_of;
use std::time::Duration;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
struct Args {
    /// Master of both contexts.
    #[arg(long, default_value = "local[2]")]
    master: String,
    /// Map tasks of the many-tasks job.
    #[arg(long, default_value_t = 2000)]
    tasks: usize,
    /// A corpus for a word count (skipped without).
    #[arg(long)]
    corpus: Option<String>,
    /// Paired rounds (one run of each per round).
    #[arg(long, default_value_t = 7)]
    runs: usize,
}

fn context(master: &str, ui: bool) -> Result<Context, ember::Error> {
    Context::new(
        Conf::new()
            .master(master)
            .set("ember.ui.showConsoleProgress", "false")
            .set("ember.ui.enabled", if ui { "true" } else { "false" })
            .set("ember.ui.port", "0"),
    )
}

fn many_tasks(ctx: &Context, tasks: usize) -> u64 {
    let counts = ctx
        .parallelize((0..tasks as u64 * 10).collect::<Vec<_>>(), tasks)
        .map(|x| (x % 100, 1u64))
        .reduce_by_key_n(|a, b| a + b, 8)
        .collect()
        .expect("job runs");
    counts.iter().map(|(_, n)| n).sum()
}

/// Alternates the two contexts `runs` times; prints the best times and the median ratio.
fn compare(name: &str, runs: usize, on: &Context, off: &Context, job: impl Fn(&Context) -> u64) {
    let (mut best_on, mut best_off) = (Duration::MAX, Duration::MAX);
    let mut ratios = Vec::new();
    for _ in 0..runs.max(1) {
        let (t_off, r_off) = best_of(1, || job(off));
        let (t_on, r_on) = best_of(1, || job(on));
        assert_eq!(r_on, r_off, "{name}: both settings count the same");
        best_on = best_on.min(t_on);
        best_off = best_off.min(t_off);
        ratios.push(t_on.as_secs_f64() / t_off.as_secs_f64());
    }
    ratios.sort_by(f64::total_cmp);
    println!(
        "{name}: UI on {:.3} s, UI off {:.3} s, ratio on/off {:.3} (median of {} rounds)",
        best_on.as_secs_f64(),
        best_off.as_secs_f64(),
        ratios[ratios.len() / 2],
        ratios.len()
    );
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let on = context(&args.master, true)?;
    let off = context(&args.master, false)?;
    assert!(on.ui_url().is_some() && off.ui_url().is_none());
    let name = format!("shuffle of {} map tasks", args.tasks);
    compare(&name, args.runs, &on, &off, |c| many_tasks(c, args.tasks));
    if let Some(corpus) = &args.corpus {
        compare("word count", args.runs, &on, &off, |c| {
            ember_benches::word_count(c, corpus).1
        });
    }
    Ok(())
}
