//! The 22 TPC-H queries at scale factor 0.1 through Ember's SQL, each answer checked against
//! DuckDB's answer on the same Parquet files.
//!
//! Needs two Python tools, which `scripts/test.sh` installs into a virtual environment
//! (`<target>/py-venv`) and names in `EMBER_PYTHON`: `tpchgen-cli`, which generates the data,
//! and `duckdb`, the oracle. Run by hand without them, every test here fails saying so.
//!
//! Cached under `<target>/tmp/tpch-sf0.1/` (`EMBER_TPCH_DIR` overrides the place): `data/`,
//! the eight tables as `<table>.parquet` (generated once, about 32 MB); `answers/`, DuckDB's
//! answer to each query as JSON, written by `api/tests/tpch/duckdb_answers.py` and redone when a
//! query file or that script is newer than the answers.
//!
//! Comparison: the same columns (names, case-insensitive) and number of rows; numbers (integers,
//! decimals, floats) equal within 0.01 absolute and 1e-4 relative to max(1, |expected|), whichever
//! is tighter; strings and dates exactly. Rows are compared in order, except that rows whose
//! ORDER BY keys tie may come in any order among themselves; in the last group of ties of a query
//! cut by LIMIT only the keys are compared (which of the tied rows make the cut is arbitrary).
//!
//! To run only these: `cargo test -p ember --test integration tpch`.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Instant, SystemTime};

use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Float64Type};
use datafusion::arrow::record_batch::RecordBatch;
use ember::{Conf, Context};

/// The eight TPC-H tables.
const TABLES: [&str; 8] = [
    "region", "nation", "supplier", "customer", "part", "partsupp", "orders", "lineitem",
];

/// The scale factor of the data.
const SCALE_FACTOR: &str = "0.1";

/// `api/tests/tpch`: the queries and the DuckDB script.
fn tpch_src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tpch")
}

/// Where the data and DuckDB's answers are cached.
fn cache_dir() -> PathBuf {
    match std::env::var_os("EMBER_TPCH_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("tpch-sf{SCALE_FACTOR}")),
    }
}

/// The Python of the virtual environment that has `duckdb` and `tpchgen-cli`.
fn python() -> Result<PathBuf, String> {
    let python = match std::env::var_os("EMBER_PYTHON") {
        Some(p) => PathBuf::from(p),
        None => {
            // The virtual environment scripts/test.sh makes: <target>/py-venv.
            let venv_python = Path::new(env!("CARGO_TARGET_TMPDIR"))
                .parent()
                .map(|target| target.join("py-venv/bin/python"));
            match venv_python {
                Some(p) if p.exists() => p,
                _ => {
                    return Err(
                        "the TPC-H tests need Python with duckdb and tpchgen-cli: run \
                                scripts/test.sh (which installs them into <target>/py-venv), or \
                                set EMBER_PYTHON to a Python that has them"
                            .to_string(),
                    );
                }
            }
        }
    };
    if !python.exists() {
        return Err(format!(
            "EMBER_PYTHON={} does not exist: run scripts/test.sh, which installs duckdb and \
             tpchgen-cli into a virtual environment",
            python.display()
        ));
    }
    Ok(python)
}

/// `tpchgen-cli`: beside the Python of the virtual environment, else on `PATH`.
fn tpchgen(python: &Path) -> PathBuf {
    let beside = python.with_file_name("tpchgen-cli");
    if beside.exists() {
        beside
    } else {
        PathBuf::from("tpchgen-cli")
    }
}

/// Runs `cmd`; the error has its stderr.
fn run(mut cmd: Command) -> Result<(), String> {
    let shown = format!("{cmd:?}");
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run {shown}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{shown} failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// Fills `dir` by `fill` in a fresh sibling directory, then renames it into place, so an
/// interrupted run leaves no half-filled `dir`. A `dir` that appeared meanwhile is kept.
fn build_dir(dir: &Path, fill: impl FnOnce(&Path) -> Result<(), String>) -> Result<(), String> {
    let parent = dir.parent().expect("cache directories have a parent");
    std::fs::create_dir_all(parent).map_err(|e| format!("create {}: {e}", parent.display()))?;
    let tmp = tempfile::Builder::new()
        .prefix(".building-")
        .tempdir_in(parent)
        .map_err(|e| format!("temporary directory in {}: {e}", parent.display()))?;
    fill(tmp.path())?;
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|e| format!("remove {}: {e}", dir.display()))?;
    }
    let tmp = tmp.keep();
    if let Err(e) = std::fs::rename(&tmp, dir) {
        let _ = std::fs::remove_dir_all(&tmp);
        if !dir.join("COMPLETE").exists() {
            return Err(format!("rename to {}: {e}", dir.display()));
        }
    }
    Ok(())
}

fn modified(path: &Path) -> Result<SystemTime, String> {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// Generates the data and DuckDB's answers if they are not cached; returns the cache directory.
fn prepare() -> Result<PathBuf, String> {
    let cache = cache_dir();
    let data = cache.join("data");
    let answers = cache.join("answers");
    let python = python()?;

    if !data.join("COMPLETE").exists() {
        let start = Instant::now();
        build_dir(&data, |dir| {
            let mut cmd = Command::new(tpchgen(&python));
            cmd.args([
                "parquet",
                "--scale-factor",
                SCALE_FACTOR,
                "--quiet",
                "--output-dir",
            ])
            .arg(dir);
            run(cmd)?;
            for table in TABLES {
                let file = dir.join(format!("{table}.parquet"));
                if !file.exists() {
                    return Err(format!("tpchgen-cli wrote no {}", file.display()));
                }
            }
            std::fs::write(
                dir.join("COMPLETE"),
                format!("tpchgen-cli sf{SCALE_FACTOR}\n"),
            )
            .map_err(|e| e.to_string())
        })?;
        eprintln!(
            "tpch: generated SF {SCALE_FACTOR} in {:.1?}",
            start.elapsed()
        );
    }

    let script = tpch_src_dir().join("duckdb_answers.py");
    let marker = answers.join("COMPLETE");
    let stale = if marker.exists() {
        let done = modified(&marker)?;
        let mut inputs = vec![script.clone(), data.join("COMPLETE")];
        inputs.extend((1..=22).map(query_path));
        let mut newest = SystemTime::UNIX_EPOCH;
        for input in &inputs {
            newest = newest.max(modified(input)?);
        }
        newest > done
    } else {
        true
    };
    if stale {
        let start = Instant::now();
        build_dir(&answers, |dir| {
            let mut cmd = Command::new(&python);
            cmd.arg(&script)
                .arg(&data)
                .arg(dir)
                .arg(tpch_src_dir().join("queries"));
            run(cmd)
        })?;
        eprintln!("tpch: DuckDB answers in {:.1?}", start.elapsed());
    }
    Ok(cache)
}

/// The prepared cache directory, once per test process.
fn cache() -> &'static Path {
    static CACHE: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    match CACHE.get_or_init(prepare) {
        Ok(dir) => dir,
        Err(e) => panic!("TPC-H setup failed: {e}"),
    }
}

fn query_path(n: usize) -> PathBuf {
    tpch_src_dir().join(format!("queries/q{n}.sql"))
}

/// The statements of a query file: `--` comment lines dropped, split at `;`.
fn statements(text: &str) -> Vec<String> {
    let text: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("--"))
        .collect();
    text.join("\n")
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Whether a statement returns rows.
fn is_query(statement: &str) -> bool {
    let first = statement
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    first == "select" || first == "with"
}

/// One value of an answer.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Null,
    Num(f64),
    Str(String),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("NULL"),
            Value::Num(x) => write!(f, "{x}"),
            Value::Str(s) => write!(f, "{s:?}"),
        }
    }
}

/// Whether `actual` is `expected` within the tolerance of the module docs.
fn close(actual: &Value, expected: &Value) -> bool {
    match (actual, expected) {
        (Value::Num(a), Value::Num(e)) => {
            let tolerance = f64::min(0.01, 1e-4 * e.abs().max(1.0));
            (a - e).abs() <= tolerance
        }
        (a, e) => a == e,
    }
}

fn rows_close(actual: &[Value], expected: &[Value]) -> bool {
    actual.len() == expected.len() && actual.iter().zip(expected).all(|(a, e)| close(a, e))
}

fn show_row(row: &[Value]) -> String {
    let cells: Vec<String> = row.iter().map(Value::to_string).collect();
    format!("[{}]", cells.join(", "))
}

/// DuckDB's answer: column names and rows.
struct Answer {
    columns: Vec<String>,
    rows: Vec<Vec<Value>>,
}

fn read_expected(path: &Path) -> Result<Answer, String> {
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("read {}: {e}", path.display()))?;
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("parse {}: {e}", path.display()))?;
    let columns = json["columns"]
        .as_array()
        .ok_or("no columns")?
        .iter()
        .map(|c| c.as_str().map(str::to_string).ok_or("a column name"))
        .collect::<Result<_, _>>()?;
    let rows = json["rows"]
        .as_array()
        .ok_or("no rows")?
        .iter()
        .map(|row| {
            row.as_array()
                .ok_or_else(|| format!("a row is not an array: {row}"))?
                .iter()
                .map(|v| match v {
                    serde_json::Value::Null => Ok(Value::Null),
                    serde_json::Value::Number(n) => {
                        n.as_f64().map(Value::Num).ok_or(format!("number {n}"))
                    }
                    serde_json::Value::String(s) => Ok(Value::Str(s.clone())),
                    serde_json::Value::Bool(b) => Ok(Value::Str(b.to_string())),
                    other => Err(format!("unexpected value {other}")),
                })
                .collect::<Result<Vec<_>, String>>()
        })
        .collect::<Result<_, _>>()?;
    Ok(Answer { columns, rows })
}

/// Ember's answer as rows of [`Value`]s: numbers as `f64`, everything else as its Arrow
/// string form (dates as `YYYY-MM-DD`).
fn ember_rows(batches: &[RecordBatch]) -> Result<Vec<Vec<Value>>, String> {
    let mut rows = Vec::new();
    for batch in batches {
        let mut columns: Vec<Vec<Value>> = Vec::new();
        for col in batch.columns() {
            let t = col.data_type();
            let values: Vec<Value> = if t.is_numeric() {
                let f = cast(col, &DataType::Float64).map_err(|e| format!("{t} as f64: {e}"))?;
                let f = f.as_primitive::<Float64Type>();
                (0..f.len())
                    .map(|i| {
                        if f.is_null(i) {
                            Value::Null
                        } else {
                            Value::Num(f.value(i))
                        }
                    })
                    .collect()
            } else {
                let s = cast(col, &DataType::Utf8).map_err(|e| format!("{t} as text: {e}"))?;
                let s = s.as_string::<i32>();
                (0..s.len())
                    .map(|i| {
                        if s.is_null(i) {
                            Value::Null
                        } else {
                            Value::Str(s.value(i).to_string())
                        }
                    })
                    .collect()
            };
            columns.push(values);
        }
        for r in 0..batch.num_rows() {
            rows.push(columns.iter().map(|c| c[r].clone()).collect());
        }
    }
    Ok(rows)
}

/// The output columns of the query's final ORDER BY, and its LIMIT.
fn order_by(query: &str, columns: &[String]) -> Result<(Vec<usize>, Option<usize>), String> {
    let lower = query.to_ascii_lowercase();
    let Some(at) = lower.rfind("order by") else {
        return Ok((Vec::new(), None));
    };
    let clause = &lower[at + "order by".len()..];
    let (keys, limit) = match clause.find("limit") {
        Some(l) => {
            let n = clause[l + "limit".len()..].trim();
            let n = n.parse().map_err(|_| format!("LIMIT {n:?}"))?;
            (&clause[..l], Some(n))
        }
        None => (clause, None),
    };
    let mut indices = Vec::new();
    for key in keys.split(',') {
        let name = key
            .split_whitespace()
            .next()
            .ok_or_else(|| format!("empty ORDER BY key in {keys:?}"))?;
        let i = columns
            .iter()
            .position(|c| c.eq_ignore_ascii_case(name))
            .ok_or_else(|| format!("ORDER BY key {name} is not an output column {columns:?}"))?;
        indices.push(i);
    }
    Ok((indices, limit))
}

/// Compares Ember's rows with DuckDB's (see the module docs); the error lists the differences.
fn compare(
    actual: &[Vec<Value>],
    expected: &[Vec<Value>],
    keys: &[usize],
    limit: Option<usize>,
) -> Result<(), String> {
    if actual.len() != expected.len() {
        let mut msg = format!("{} rows, expected {}\n", actual.len(), expected.len());
        for (i, row) in actual.iter().enumerate().take(5) {
            msg += &format!("  actual   row {i}: {}\n", show_row(row));
        }
        for (i, row) in expected.iter().enumerate().take(5) {
            msg += &format!("  expected row {i}: {}\n", show_row(row));
        }
        return Err(msg);
    }
    let key_of = |row: &[Value]| -> Vec<Value> { keys.iter().map(|&k| row[k].clone()).collect() };
    let mut errors = Vec::new();
    let mut start = 0;
    while start < expected.len() {
        // The group of rows whose ORDER BY keys tie with expected[start] (all rows when the
        // query has no ORDER BY).
        let group_key = key_of(&expected[start]);
        let mut end = start + 1;
        while end < expected.len() && key_of(&expected[end]) == group_key {
            end += 1;
        }
        let errors_before = errors.len();
        for (i, row) in actual.iter().enumerate().take(end).skip(start) {
            if row.len() != expected[i].len() {
                errors.push(format!(
                    "row {i}: {} columns, expected {}",
                    row.len(),
                    expected[i].len()
                ));
            } else if !rows_close(&key_of(row), &group_key) {
                errors.push(format!(
                    "row {i}: ORDER BY keys of {} are not those of expected {}",
                    show_row(row),
                    show_row(&expected[i])
                ));
            }
        }
        let cut_by_limit = end == expected.len() && limit == Some(expected.len());
        if errors.len() == errors_before && !cut_by_limit {
            // Match the group's rows as multisets.
            let mut unused: Vec<usize> = (start..end).collect();
            for e in &expected[start..end] {
                match unused.iter().position(|&a| rows_close(&actual[a], e)) {
                    Some(p) => {
                        unused.remove(p);
                    }
                    None => errors.push(format!("missing row {}", show_row(e))),
                }
            }
            for a in unused {
                errors.push(format!("row {a} is not expected: {}", show_row(&actual[a])));
            }
        }
        if errors.len() > 10 {
            break;
        }
        start = end;
    }
    if errors.is_empty() {
        Ok(())
    } else {
        errors.truncate(10);
        Err(errors.join("\n"))
    }
}

/// A column name without table qualifiers: an unaliased `sum(l_quantity)` is named
/// `sum(lineitem.l_quantity)` by Ember and `sum(l_quantity)` by DuckDB.
fn unqualified(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut word = String::new();
    for c in name.chars() {
        if c.is_alphanumeric() || c == '_' {
            word.push(c);
        } else if c == '.' && !word.is_empty() && !word.chars().all(|c| c.is_ascii_digit()) {
            // A qualifier: drop it.
            word.clear();
        } else {
            out.push_str(&word);
            word.clear();
            out.push(c);
        }
    }
    out + &word
}

/// Ember's context with the eight tables registered through SQL DDL.
fn tpch_context(data: &Path, master: &str, settings: &[(&str, &str)]) -> Context {
    let mut conf = Conf::new()
        .master(master)
        .app_name("tpch")
        .set("ember.ui.showConsoleProgress", "false");
    for (k, v) in settings {
        conf = conf.set(*k, *v);
    }
    let ctx = Context::new(conf).expect("context starts");
    for table in TABLES {
        let path = data.join(format!("{table}.parquet"));
        let ddl = format!(
            "CREATE EXTERNAL TABLE {table} STORED AS PARQUET LOCATION '{}'",
            path.display()
        );
        ctx.sql(&ddl)
            .unwrap_or_else(|e| panic!("{ddl}: {e}"))
            .collect()
            .unwrap_or_else(|e| panic!("{ddl}: {e}"));
    }
    ctx
}

/// Runs TPC-H query `n` through Ember and compares with DuckDB's answer.
fn check_query(n: usize) {
    check_query_on(n, "local[2]", None);
}

/// Runs TPC-H query `n` on `master` (executors of a local cluster start with `executor_args`).
fn check_query_on(n: usize, master: &str, executor_args: Option<&str>) {
    let settings: Vec<(&str, &str)> = executor_args
        .map(|a| ("ember.executor.args", a))
        .into_iter()
        .collect();
    check_query_with(n, master, &settings);
}

/// Runs TPC-H query `n` on `master` with extra settings.
fn check_query_with(n: usize, master: &str, settings: &[(&str, &str)]) {
    let cache = cache();
    let text = std::fs::read_to_string(query_path(n)).expect("query file");
    let expected = read_expected(&cache.join(format!("answers/q{n}.json")))
        .unwrap_or_else(|e| panic!("q{n}: DuckDB's answer: {e}"));
    let ctx = tpch_context(&cache.join("data"), master, settings);

    let start = Instant::now();
    let mut result = None;
    for stmt in statements(&text) {
        let df = ctx
            .sql(&stmt)
            .unwrap_or_else(|e| panic!("q{n}: {e}\nin:\n{stmt}"));
        let schema = df.schema();
        let batches = df
            .collect()
            .unwrap_or_else(|e| panic!("q{n}: {e}\nin:\n{stmt}"));
        if is_query(&stmt) {
            assert!(result.is_none(), "q{n} has more than one query");
            result = Some((stmt, schema, batches));
        }
    }
    let elapsed = start.elapsed();
    let (query, schema, batches) = result.unwrap_or_else(|| panic!("q{n} has no query"));
    eprintln!("tpch q{n}: {elapsed:.2?}");

    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    let same_names = names.len() == expected.columns.len()
        && names
            .iter()
            .zip(&expected.columns)
            .all(|(a, e)| unqualified(a).eq_ignore_ascii_case(&unqualified(e)));
    assert!(
        same_names,
        "q{n}: columns {names:?}, expected {:?}",
        expected.columns
    );
    let actual = ember_rows(&batches).unwrap_or_else(|e| panic!("q{n}: {e}"));
    let (keys, limit) = order_by(&query, &expected.columns).unwrap_or_else(|e| panic!("q{n}: {e}"));
    if let Err(e) = compare(&actual, &expected.rows, &keys, limit) {
        panic!("q{n}: Ember's answer differs from DuckDB's:\n{e}");
    }
}

macro_rules! tpch_tests {
    ($($name:ident = $n:literal),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                check_query($n);
            }
        )*
    };
}

tpch_tests!(
    q01 = 1,
    q02 = 2,
    q03 = 3,
    q04 = 4,
    q05 = 5,
    q06 = 6,
    q07 = 7,
    q08 = 8,
    q09 = 9,
    q10 = 10,
    q11 = 11,
    q12 = 12,
    q13 = 13,
    q14 = 14,
    q15 = 15,
    q16 = 16,
    q17 = 17,
    q18 = 18,
    q19 = 19,
    q20 = 20,
    q21 = 21,
    q22 = 22,
);

/// The comparison itself can fail: wrong values, wrong order, missing rows.
#[test]
fn comparison_catches_differences() {
    use Value::{Num, Str};
    let row = |k: f64, s: &str, x: f64| vec![Num(k), Str(s.to_string()), Num(x)];
    let expected = vec![row(2.0, "a", 1.0), row(1.0, "b", 2.0), row(1.0, "c", 3.0)];
    let keys = [0];
    // Ties (key 1) may swap; values within tolerance pass.
    let swapped = vec![
        row(2.0, "a", 1.00005),
        row(1.0, "c", 3.0),
        row(1.0, "b", 2.0),
    ];
    assert!(compare(&swapped, &expected, &keys, None).is_ok());
    // A value off by more than the tolerance fails, as does a wrong string.
    let off = vec![row(2.0, "a", 1.001), row(1.0, "b", 2.0), row(1.0, "c", 3.0)];
    assert!(compare(&off, &expected, &keys, None).is_err());
    let renamed = vec![row(2.0, "a", 1.0), row(1.0, "b", 2.0), row(1.0, "d", 3.0)];
    assert!(compare(&renamed, &expected, &keys, None).is_err());
    // Rows out of ORDER BY order fail; a missing row fails.
    let reordered = vec![row(1.0, "b", 2.0), row(2.0, "a", 1.0), row(1.0, "c", 3.0)];
    assert!(compare(&reordered, &expected, &keys, None).is_err());
    assert!(compare(&expected[..2], &expected, &keys, None).is_err());
    // In the last tie group of a LIMIT query, other tied rows may make the cut.
    let other_tie = vec![row(2.0, "a", 1.0), row(1.0, "b", 2.0), row(1.0, "z", 9.0)];
    assert!(compare(&other_tie, &expected, &keys, Some(3)).is_ok());
    assert!(compare(&other_tie, &expected, &keys, None).is_err());
    // Small numbers are held to a relative tolerance.
    assert!(!close(&Num(0.0312), &Num(0.0345)));
    assert!(close(&Num(5_256_751_331.449_234), &Num(5_256_751_331.45)));
    // Column names compare without table qualifiers (but numbers keep their point).
    assert_eq!(unqualified("sum(lineitem.l_quantity)"), "sum(l_quantity)");
    assert_eq!(unqualified("a.b.c * 0.5"), "c * 0.5");
    // ORDER BY keys map to output columns.
    let columns = vec!["c_count".to_string(), "custdist".to_string()];
    assert_eq!(
        order_by("select ... order by custdist desc, c_count desc", &columns),
        Ok((vec![1, 0], None))
    );
    assert_eq!(
        order_by("select ... order by\n\tc_count\nlimit 20", &columns),
        Ok((vec![0], Some(20)))
    );
}

/// TPC-H queries on three executor processes (`local-cluster[3,1,1024]`): the same answers.
macro_rules! tpch_cluster_tests {
    ($($name:ident = $n:literal),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                let args = concat!("tpch::", stringify!($name), " --exact --nocapture --test-threads=1");
                check_query_on($n, "local-cluster[3,1,1024]", Some(args));
            }
        )*
    };
}

/// More partitions than task slots: a join's partitions do not all run at once (a join's
/// dynamic filter, which waits for all of them, would hang here).
#[test]
fn q03_with_more_partitions_than_slots() {
    check_query_with(3, "local[1]", &[("ember.default.parallelism", "4")]);
}

tpch_cluster_tests!(
    q01_on_a_local_cluster = 1,
    q02_on_a_local_cluster = 2,
    q03_on_a_local_cluster = 3,
    q04_on_a_local_cluster = 4,
    q05_on_a_local_cluster = 5,
    q06_on_a_local_cluster = 6,
    q07_on_a_local_cluster = 7,
    q08_on_a_local_cluster = 8,
    q09_on_a_local_cluster = 9,
    q10_on_a_local_cluster = 10,
    q11_on_a_local_cluster = 11,
    q12_on_a_local_cluster = 12,
    q13_on_a_local_cluster = 13,
    q14_on_a_local_cluster = 14,
    q15_on_a_local_cluster = 15,
    q16_on_a_local_cluster = 16,
    q17_on_a_local_cluster = 17,
    q18_on_a_local_cluster = 18,
    q19_on_a_local_cluster = 19,
    q20_on_a_local_cluster = 20,
    q21_on_a_local_cluster = 21,
    q22_on_a_local_cluster = 22
);
