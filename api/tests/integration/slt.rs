//! The sqllogictest files under `api/tests/slt/`, run through Ember's SQL.
//!
//! Every `*.slt` file runs on a fresh `local[2]` [`Context`] with its own temporary directory.
//! Before a file is parsed, `${DATA}` in its text becomes the directory of the checked-in test
//! data (`api/tests/slt/data`) and `${TMPDIR}` that file's temporary directory (where a file
//! writes the Parquet files it queries, with `COPY ... TO`); `${DATA_RE}` and `${TMPDIR_RE}` are
//! the same paths escaped for use in an error regex. Expected answers in the files are
//! computed by hand from those tiny inputs, never taken from Ember's own output.
//!
//! Values print the way DataFusion's sqllogictest prints them: `NULL` for null, `(empty)` for
//! the empty string, booleans as `true`/`false`, floats rounded to 12 significant digits (then
//! shortest form: `2.5`, `3`), decimals with their scale (`12.50`), dates as `YYYY-MM-DD`.
//! Result column types are checked: `I` for integers, `R` for floats and decimals, `T` for
//! everything else.
//!
//! One test runs every file and fails naming each file that failed, with the line of the first
//! failing record and the expected and actual results.
//!
//! To run only these: `cargo test -p ember --test integration slt`.

use std::fmt;
use std::path::{Path, PathBuf};

use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::datatypes::{DataType, Float16Type, Float32Type, Float64Type};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use ember::{Conf, Context};
use sqllogictest::{DB, DBOutput, DefaultColumnType, Runner};

/// The folder of the `.slt` files.
fn slt_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/slt")
}

/// An error from Ember, as the runner matches it against `statement error <regex>`.
#[derive(Debug)]
struct SqlError(String);

impl fmt::Display for SqlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SqlError {}

/// One Ember context, as the runner's database connection.
struct EmberDb {
    ctx: Context,
}

impl DB for EmberDb {
    type Error = SqlError;
    type ColumnType = DefaultColumnType;

    fn run(&mut self, sql: &str) -> Result<DBOutput<DefaultColumnType>, SqlError> {
        let error = |e: ember::Error| SqlError(e.to_string());
        let df = self.ctx.sql(sql).map_err(error)?;
        if df.is_ddl() {
            // CREATE, DROP, SET: no result set.
            return Ok(DBOutput::StatementComplete(0));
        }
        let schema = df.schema();
        let batches = df.collect().map_err(error)?;
        let types = schema
            .fields()
            .iter()
            .map(|f| column_type(f.data_type()))
            .collect();
        let mut rows = Vec::new();
        for batch in &batches {
            rows.extend(format_batch(batch).map_err(SqlError)?);
        }
        Ok(DBOutput::Rows { types, rows })
    }

    fn engine_name(&self) -> &str {
        "ember"
    }
}

/// The sqllogictest type letter of an Arrow type.
fn column_type(t: &DataType) -> DefaultColumnType {
    match t {
        DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64 => DefaultColumnType::Integer,
        DataType::Float16
        | DataType::Float32
        | DataType::Float64
        | DataType::Decimal32(_, _)
        | DataType::Decimal64(_, _)
        | DataType::Decimal128(_, _)
        | DataType::Decimal256(_, _) => DefaultColumnType::FloatingPoint,
        _ => DefaultColumnType::Text,
    }
}

/// A float as the `.slt` files expect it: 12 significant digits, then the shortest form.
fn format_float(v: f64) -> String {
    if v.is_nan() {
        return "NaN".to_string();
    }
    if v.is_infinite() {
        return if v > 0.0 { "Infinity" } else { "-Infinity" }.to_string();
    }
    let rounded: f64 = format!("{v:.11e}")
        .parse()
        .expect("a formatted float parses");
    if rounded == 0.0 {
        // Also turns -0 into 0.
        "0".to_string()
    } else {
        format!("{rounded}")
    }
}

/// The rows of `batch`, each value formatted as the `.slt` files expect it.
fn format_batch(batch: &RecordBatch) -> Result<Vec<Vec<String>>, String> {
    let options = FormatOptions::default().with_null("NULL");
    let columns: Vec<Box<dyn Fn(usize) -> String + '_>> = batch
        .columns()
        .iter()
        .map(|col| column_formatter(col, &options))
        .collect::<Result<_, _>>()?;
    Ok((0..batch.num_rows())
        .map(|row| columns.iter().map(|f| f(row)).collect())
        .collect())
}

/// A function from row index to the formatted value of `col` in that row.
fn column_formatter<'a>(
    col: &'a ArrayRef,
    options: &'a FormatOptions<'a>,
) -> Result<Box<dyn Fn(usize) -> String + 'a>, String> {
    let null_or = move |row: usize, f: &dyn Fn(usize) -> String| {
        if col.is_null(row) {
            "NULL".to_string()
        } else {
            f(row)
        }
    };
    Ok(match col.data_type() {
        DataType::Float16 => {
            let a = col.as_primitive::<Float16Type>();
            Box::new(move |r| null_or(r, &|r| format_float(f64::from(a.value(r)))))
        }
        DataType::Float32 => {
            let a = col.as_primitive::<Float32Type>();
            Box::new(move |r| null_or(r, &|r| format_float(f64::from(a.value(r)))))
        }
        DataType::Float64 => {
            let a = col.as_primitive::<Float64Type>();
            Box::new(move |r| null_or(r, &|r| format_float(a.value(r))))
        }
        _ => {
            let formatter = ArrayFormatter::try_new(col.as_ref(), options)
                .map_err(|e| format!("cannot format {}: {e}", col.data_type()))?;
            Box::new(move |r| {
                let s = formatter.value(r).to_string();
                if s.is_empty() && !col.is_null(r) {
                    "(empty)".to_string()
                } else {
                    s
                }
            })
        }
    })
}

/// Every `.slt` file under `dir`, recursively, sorted.
fn slt_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("read {}: {e}", d.display())) {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "slt") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// `s` with the characters that mean something in a regex escaped, for `${DATA_RE}`.
fn regex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Runs one `.slt` file on a fresh context; the error names the file and the line.
fn run_file(path: &Path) -> Result<(), String> {
    let tmp = tempfile::tempdir().map_err(|e| format!("temporary directory: {e}"))?;
    let text = std::fs::read_to_string(path).map_err(|e| format!("read: {e}"))?;
    let data_dir = slt_dir().join("data");
    let data_dir = data_dir.to_string_lossy();
    let tmp_dir = tmp.path().to_string_lossy();
    let text = text
        .replace("${DATA_RE}", &regex_escape(&data_dir))
        .replace("${TMPDIR_RE}", &regex_escape(&tmp_dir))
        .replace("${DATA}", &data_dir)
        .replace("${TMPDIR}", &tmp_dir);
    let mut runner = Runner::new(|| async {
        let conf = Conf::new()
            .master("local[2]")
            .app_name("slt")
            .set("ember.ui.showConsoleProgress", "false");
        Context::new(conf)
            .map(|ctx| EmberDb { ctx })
            .map_err(|e| SqlError(format!("context: {e}")))
    });
    runner.with_column_validator(sqllogictest::strict_column_validator);
    let name = path
        .strip_prefix(Path::new(env!("CARGO_MANIFEST_DIR")))
        .unwrap_or(path)
        .to_string_lossy()
        .into_owned();
    let result = runner
        .run_script_with_name(&text, name)
        .map_err(|e| e.display(false).to_string());
    runner.shutdown();
    result
}

#[test]
fn every_slt_file_passes() {
    let files = slt_files(&slt_dir());
    // Guards against the files going missing: there are this many or more.
    assert!(
        files.len() >= 8,
        "expected the .slt files under {}, found {}",
        slt_dir().display(),
        files.len()
    );
    let mut failures = Vec::new();
    for file in &files {
        let start = std::time::Instant::now();
        let result = run_file(file);
        let rel = file.strip_prefix(slt_dir()).unwrap_or(file).display();
        match result {
            Ok(()) => eprintln!("slt ok     {rel} ({:.1?})", start.elapsed()),
            Err(e) => {
                eprintln!("slt FAILED {rel} ({:.1?})", start.elapsed());
                failures.push(format!("{rel}:\n{e}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} .slt files failed:\n\n{}",
        failures.len(),
        files.len(),
        failures.join("\n\n")
    );
}

#[test]
fn floats_print_with_twelve_significant_digits() {
    assert_eq!(format_float(0.1 + 0.2), "0.3");
    assert_eq!(format_float(3.0), "3");
    assert_eq!(format_float(-0.0), "0");
    assert_eq!(format_float(2.5), "2.5");
    assert_eq!(format_float(1.0 / 3.0), "0.333333333333");
    assert_eq!(format_float(123_456_789.123_456), "123456789.123");
    assert_eq!(format_float(f64::NAN), "NaN");
    assert_eq!(format_float(f64::NEG_INFINITY), "-Infinity");
}

#[test]
fn paths_are_escaped_for_regexes() {
    assert_eq!(regex_escape("/tmp/.tmp+x(1)"), r"/tmp/\.tmp\+x\(1\)");
}
