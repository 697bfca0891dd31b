//! End-to-end tests of the examples (`wordcount`, `pagerank`, `sort`, `quickstart`): each is run as its own
//! process through `cargo run --example`, and its output is checked against values this file
//! computes independently, in plain Rust.
//!
//! Cargo gives integration tests no path to example binaries, so the tests call the cargo that
//! runs them (`$CARGO`) in this package's directory. Example builds are small and incremental;
//! concurrent tests simply wait for one another's build lock.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Output};

/// Runs `cargo run --example name -- args` (release if these tests are built optimised).
fn run_example(name: &str, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR")).args([
        "run",
        "-q",
        "-p",
        "ember",
        "--example",
        name,
    ]);
    if !cfg!(debug_assertions) {
        cmd.arg("--release");
    }
    cmd.arg("--")
        .args(args)
        .env_remove("EMBER_MASTER")
        .env("EMBER_LOG", "warn");
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run cargo for example {name}: {e}"))
}

/// Runs an example that must succeed; its stdout.
fn run_ok(name: &str, args: &[&str]) -> String {
    let out = run_example(name, args);
    let stdout = String::from_utf8(out.stdout).expect("stdout is UTF-8");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "example {name} {args:?} failed with {}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        out.status
    );
    stdout
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write test input");
    path.to_str().expect("temp paths are UTF-8").to_owned()
}

// ---------------------------------------------------------------------------------------------
// wordcount

const TEXT: &str = "the cat sat on the mat\n\
                    the dog  sat\ton the log\n\
                    \n\
                    A cat and a dog\n";

#[test]
fn wordcount_counts_and_breaks_ties_by_word() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "text.txt", TEXT);
    // the 4; cat dog on sat 2; A a and log mat 1 ("A" < "a": byte order). 10 distinct.
    let all =
        "the\t4\ncat\t2\ndog\t2\non\t2\nsat\t2\nA\t1\na\t1\nand\t1\nlog\t1\nmat\t1\ndistinct=10\n";
    assert_eq!(run_ok("wordcount", &[&file, "--master", "local[2]"]), all);
    assert_eq!(
        run_ok("wordcount", &[&file, "--top", "2", "--master", "local[2]"]),
        "the\t4\ncat\t2\ndistinct=10\n"
    );
    // The tie at 2 is cut by word, not by whichever task saw a word first.
    assert_eq!(
        run_ok("wordcount", &[&file, "--top", "3", "--master", "local"]),
        "the\t4\ncat\t2\ndog\t2\ndistinct=10\n"
    );
}

#[test]
fn wordcount_fails_on_a_missing_file_and_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-input.txt");
    let missing = missing.to_str().unwrap();
    let out = run_example("wordcount", &[missing, "--master", "local[2]"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "expected a failure; stderr:\n{stderr}"
    );
    assert!(
        stderr.contains(missing),
        "stderr does not name {missing}:\n{stderr}"
    );
    assert!(
        out.stdout.is_empty(),
        "unexpected stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
}

// ---------------------------------------------------------------------------------------------
// pagerank

/// Spark's SparkPageRank, computed directly: distinct links grouped by source; every source
/// starts at 1.0; each iteration, the new ranks are `0.15 + 0.85 * contributions` of the nodes
/// that received a contribution (so nodes without incoming links drop out, and sinks pass
/// nothing on).
fn reference_pagerank(text: &str, iterations: usize) -> BTreeMap<String, f64> {
    let mut links: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut fields = line.split_whitespace();
        if let (Some(src), Some(dst)) = (fields.next(), fields.next()) {
            links
                .entry(src.to_owned())
                .or_default()
                .insert(dst.to_owned());
        }
    }
    let mut ranks: BTreeMap<String, f64> = links.keys().map(|k| (k.clone(), 1.0)).collect();
    for _ in 0..iterations {
        let mut contribs: BTreeMap<String, f64> = BTreeMap::new();
        for (src, dsts) in &links {
            if let Some(rank) = ranks.get(src) {
                for dst in dsts {
                    *contribs.entry(dst.clone()).or_default() += rank / dsts.len() as f64;
                }
            }
        }
        ranks = contribs
            .into_iter()
            .map(|(k, c)| (k, 0.15 + 0.85 * c))
            .collect();
    }
    ranks
}

fn parse_ranks(stdout: &str) -> Vec<(String, String)> {
    stdout
        .lines()
        .map(|l| {
            let (node, rank) = l
                .split_once('\t')
                .unwrap_or_else(|| panic!("bad line {l:?}"));
            (node.to_owned(), rank.to_owned())
        })
        .collect()
}

/// The printed lines agree with `expected` (same nodes, ranks within 1e-6, six decimals) and
/// are in order: rank descending, then node ascending.
fn check_ranks(printed: &[(String, String)], expected: &BTreeMap<String, f64>, top: Option<usize>) {
    let want_len = top.map_or(expected.len(), |k| k.min(expected.len()));
    assert_eq!(
        printed.len(),
        want_len,
        "printed {printed:?}\nexpected {expected:?}"
    );
    for (node, rank) in printed {
        let (int, frac) = rank
            .split_once('.')
            .unwrap_or_else(|| panic!("rank {rank:?}"));
        assert!(
            !int.is_empty() && frac.len() == 6,
            "rank {rank:?} is not printed with {{:.6}}"
        );
        let got: f64 = rank.parse().unwrap();
        let exp = expected
            .get(node)
            .unwrap_or_else(|| panic!("unexpected node {node}"));
        assert!(
            (got - exp).abs() <= 1e-6,
            "{node}: printed {rank}, expected {exp}"
        );
    }
    for pair in printed.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        let (ra, rb): (f64, f64) = (a.1.parse().unwrap(), b.1.parse().unwrap());
        assert!(
            ra > rb || (ra == rb && a.0 < b.0),
            "out of order: {a:?} before {b:?}"
        );
    }
    let nodes: BTreeSet<&String> = printed.iter().map(|(n, _)| n).collect();
    assert_eq!(nodes.len(), printed.len(), "a node printed twice");
    if top.is_none() {
        assert!(nodes.iter().copied().eq(expected.keys()), "nodes differ");
    } else {
        // The top K are the K best, whatever their order among ties at the cut.
        let cut: f64 = printed
            .last()
            .map_or(f64::INFINITY, |l| l.1.parse().unwrap());
        for (node, rank) in expected {
            if *rank > cut + 1e-6 {
                assert!(nodes.contains(node), "{node} ({rank}) missing from the top");
            }
        }
    }
}

/// `d` has no incoming link (dropped after iteration 1), `a` is linked twice from one node
/// (counted once), `e`, `y`, `z` are sinks, `y` and `z` tie (broken by name), and there are a
/// comment, a blank line, a malformed line and tab-separated fields.
const GRAPH: &str = "# src dst\n\
                     a b\n\
                     a c\n\
                     b c\n\
                     c a\n\
                     d c\n\
                     d a\n\
                     a b\n\
                     \n\
                     c\te\n\
                     a   x  ignored-third-field\n\
                     x y\n\
                     x z\n\
                     lonely\n";

#[test]
fn pagerank_matches_an_independent_computation() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "graph.txt", GRAPH);

    let expected = reference_pagerank(GRAPH, 10);
    assert!(!expected.contains_key("d"), "the reference keeps d");
    let printed = parse_ranks(&run_ok("pagerank", &[&file, "--master", "local[2]"]));
    check_ranks(&printed, &expected, None);
    // Exact order, ties (a/e, y/z, b/x) broken by node.
    let order: Vec<&str> = printed.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(order, ["c", "a", "e", "y", "z", "b", "x"]);

    let printed = parse_ranks(&run_ok(
        "pagerank",
        &[&file, "--top", "3", "--master", "local[3]"],
    ));
    check_ranks(&printed, &expected, Some(3));
    let order: Vec<&str> = printed.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(order, ["c", "a", "e"]);

    // After one iteration d still counts: every source, with its outgoing links.
    let expected = reference_pagerank(GRAPH, 1);
    let printed = parse_ranks(&run_ok(
        "pagerank",
        &[&file, "--iterations", "1", "--master", "local[2]"],
    ));
    check_ranks(&printed, &expected, None);
}

/// A larger pseudo-random graph over several partitions.
#[test]
fn pagerank_on_a_random_graph() {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move |n: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % n
    };
    let mut text = String::new();
    for _ in 0..400 {
        let (src, dst) = (next(80), next(80));
        text.push_str(&format!("n{src} n{dst}\n"));
    }
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "random.txt", &text);
    let expected = reference_pagerank(&text, 10);
    let printed = parse_ranks(&run_ok(
        "pagerank",
        &[&file, "--partitions", "5", "--master", "local[4]"],
    ));
    check_ranks(&printed, &expected, None);
}

// ---------------------------------------------------------------------------------------------
// sort

/// The generator of the `sort` example, copied: record `i` has key `splitmix64(i ^ seed)`.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn key_values(stdout: &str) -> BTreeMap<String, String> {
    stdout
        .lines()
        .map(|l| {
            let (k, v) = l
                .split_once('=')
                .unwrap_or_else(|| panic!("bad line {l:?}"));
            (k.to_owned(), v.to_owned())
        })
        .collect()
}

#[test]
fn sort_sorts_and_keeps_every_record() {
    let (records, seed) = (20_000u64, 7u64);
    let keys: Vec<u64> = (0..records).map(|i| splitmix64(i ^ seed)).collect();
    let checksum = keys.iter().fold(0u64, |a, &k| a.wrapping_add(k));
    let (min, max) = (keys.iter().min().unwrap(), keys.iter().max().unwrap());

    let stdout = run_ok(
        "sort",
        &[
            "--records",
            "20000",
            "--partitions",
            "4",
            "--seed",
            "7",
            "--master",
            "local[4]",
        ],
    );
    let kv = key_values(&stdout);
    let get = |k: &str| {
        kv.get(k)
            .unwrap_or_else(|| panic!("no {k}= in:\n{stdout}"))
            .as_str()
    };
    assert_eq!(get("records"), "20000");
    assert_eq!(get("partitions"), "4");
    assert_eq!(get("sorted"), "true");
    assert_eq!(get("checksum"), checksum.to_string());
    assert_eq!(get("first"), min.to_string());
    assert_eq!(get("last"), max.to_string());
}

/// The README's first command: a word count of README.md, then a SQL aggregate of the CSV.
#[test]
fn quickstart_counts_readme_words_and_runs_sql() {
    let out = run_ok("quickstart", &[]);
    // The word count's first line is README.md's most frequent word, counted here by hand.
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
        .expect("README.md");
    let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
    for w in readme.split_whitespace() {
        *counts.entry(w).or_default() += 1;
    }
    let (top_word, top_n) = counts
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        .expect("README.md has words");
    let first = out.lines().nth(1).expect("a first word line");
    assert_eq!(first, format!("{top_word}\t{top_n}"), "{out}");
    // Sweden: Stockholm 984748 + Gothenburg 604616.
    assert!(out.contains("| Sweden  | 2      | 1589364 |"), "{out}");
    assert!(out.contains("| Finland | 1      | 674500  |"), "{out}");
}
