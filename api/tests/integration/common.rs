//! Helpers shared by the integration tests.

#![allow(dead_code)]

use ember::{Conf, Context};

/// A context on `master` with the console progress bar off and extra `settings`.
pub fn ctx_with(master: &str, settings: &[(&str, &str)]) -> Context {
    let mut conf = Conf::new()
        .master(master)
        .app_name("integration")
        .set("ember.ui.showConsoleProgress", "false");
    for (k, v) in settings {
        conf = conf.set(*k, *v);
    }
    Context::new(conf).expect("context starts")
}

/// The default test context: `local[2]`.
pub fn ctx() -> Context {
    ctx_with("local[2]", &[])
}

/// A context on `master` (e.g. `local[1]`, `local[3]`).
pub fn ctx_on(master: &str) -> Context {
    ctx_with(master, &[])
}

/// `v`, sorted.
pub fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort();
    v
}

/// `String`s from string literals.
pub fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// `(String, V)` pairs from `(&str, V)` literals.
pub fn kv<V: Clone>(v: &[(&str, V)]) -> Vec<(String, V)> {
    v.iter().map(|(k, x)| (k.to_string(), x.clone())).collect()
}

/// Asserts two floats are within `1e-9` of each other.
#[track_caller]
pub fn assert_close(actual: f64, expected: f64) {
    assert!(
        (actual - expected).abs() < 1e-9,
        "expected {expected}, got {actual}"
    );
}

/// The rows of `batches` as `a|b|..` strings (Arrow's display of each cell), in order.
pub fn display_rows(batches: &[arrow::record_batch::RecordBatch]) -> Vec<String> {
    let mut out = Vec::new();
    for b in batches {
        for r in 0..b.num_rows() {
            let cells: Vec<String> = b
                .columns()
                .iter()
                .map(|c| arrow::util::display::array_value_to_string(c, r).unwrap())
                .collect();
            out.push(cells.join("|"));
        }
    }
    out
}
