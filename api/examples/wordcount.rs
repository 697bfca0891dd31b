//! Word count: the `N` most frequent whitespace-separated words of a text file, glob or
//! directory, as `word<TAB>count` (count descending, then word ascending), then
//! `distinct=<number of distinct words>`.
//!
//! ```text
//! cargo run --release --example wordcount -- FILE [--top N] [--master URL]
//! ```

use clap::Parser;
use ember::{Conf, Context};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(about = "Count words with Ember")]
struct Args {
    /// Input file, directory or glob.
    file: String,
    /// How many of the most frequent words to print.
    #[arg(long, default_value_t = 20)]
    top: usize,
    /// Master URL: local, local[N] or local[*].
    #[arg(long, default_value = "local[*]")]
    master: String,
}

fn main() {
    let args = Args::parse();
    if let Err(e) = run(&args) {
        eprintln!("wordcount: {e}");
        std::process::exit(1);
    }
}

fn run(args: &Args) -> Result<(), ember::Error> {
    let ctx = Context::new(Conf::new().master(&args.master).app_name("wordcount"))?;
    let counts = ctx
        .text_file(&args.file, ctx.default_min_partitions())?
        .flat_map(ember::text::words)
        .map(|word| (word, 1u64))
        .reduce_by_key(|a, b| a + b)
        .cache();
    let top = counts
        .map(|(word, n)| (std::cmp::Reverse(n), word))
        .take_ordered(args.top)?;
    for (n, word) in top {
        println!("{word}\t{}", n.0);
    }
    println!("distinct={}", counts.count()?);
    Ok(())
}
