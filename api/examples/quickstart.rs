//! Ember's two front doors in one program, in local mode on all cores: a word count of
//! `README.md` through the RDD API, then a SQL query over a CSV file through `Context::sql`.
//!
//! ```text
//! cargo run --release -p ember --example quickstart
//! ```

use ember::{Conf, Context};
use std::path::Path;

fn main() {
    if let Err(e) = run() {
        eprintln!("quickstart: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), ember::Error> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = root.join("../README.md");
    let ctx = Context::new(Conf::new().master("local[*]").app_name("quickstart"))?;

    println!("The ten most frequent words of README.md:");
    let counts = ctx
        .text_file(&readme.display().to_string(), ctx.default_min_partitions())?
        .flat_map(ember::text::words)
        .map(|word| (word, 1u64))
        .reduce_by_key(|a, b| a + b);
    for (n, word) in counts
        .map(|(word, n)| (std::cmp::Reverse(n), word))
        .take_ordered(10)?
    {
        println!("{word}\t{}", n.0);
    }

    let cities = root.join("examples/data/cities.csv");
    let query = format!(
        "SELECT country, count(*) AS cities, sum(population) AS people \
         FROM '{}' GROUP BY country ORDER BY people DESC",
        cities.display()
    );
    println!("\n{query}");
    ctx.sql(&query)?.show(20)
}
