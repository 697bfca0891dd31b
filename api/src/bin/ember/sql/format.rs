//! Printing results: the output formats (`table`, `csv`, `tsv`, `json`, `ndjson`) and the
//! row limit of the table format.

use super::error::CliError;
use datafusion::arrow::csv::WriterBuilder as CsvWriterBuilder;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::json::WriterBuilder as JsonWriterBuilder;
use datafusion::arrow::json::writer::{JsonArray, LineDelimited};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::arrow::util::pretty::pretty_format_batches_with_schema;
use std::fmt;
use std::io::{self, Write};
use std::str::FromStr;

/// How results are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// A boxed table, as datafusion-cli prints it.
    Table,
    /// Comma-separated values with a header line.
    Csv,
    /// Tab-separated values with a header line.
    Tsv,
    /// One JSON array of objects per result.
    Json,
    /// One JSON object per line.
    Ndjson,
}

impl OutputFormat {
    /// Every format's name, for messages and completion.
    pub const NAMES: [&'static str; 5] = ["table", "csv", "tsv", "json", "ndjson"];
}

impl fmt::Display for OutputFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            OutputFormat::Table => "table",
            OutputFormat::Csv => "csv",
            OutputFormat::Tsv => "tsv",
            OutputFormat::Json => "json",
            OutputFormat::Ndjson => "ndjson",
        };
        f.write_str(name)
    }
}

impl FromStr for OutputFormat {
    type Err = CliError;

    fn from_str(s: &str) -> Result<Self, CliError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "table" => Ok(OutputFormat::Table),
            "csv" => Ok(OutputFormat::Csv),
            "tsv" => Ok(OutputFormat::Tsv),
            "json" => Ok(OutputFormat::Json),
            "ndjson" => Ok(OutputFormat::Ndjson),
            other => Err(CliError::Meta {
                message: format!(
                    "unknown format '{other}': expected one of {}",
                    OutputFormat::NAMES.join(", ")
                ),
            }),
        }
    }
}

/// How many rows the table format shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MaxRows {
    /// Every row.
    Unlimited,
    /// At most this many.
    Limit(usize),
}

impl fmt::Display for MaxRows {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MaxRows::Unlimited => f.write_str("inf"),
            MaxRows::Limit(n) => write!(f, "{n}"),
        }
    }
}

impl FromStr for MaxRows {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("inf") || s.eq_ignore_ascii_case("all") {
            return Ok(MaxRows::Unlimited);
        }
        s.parse::<usize>()
            .map(MaxRows::Limit)
            .map_err(|_| format!("invalid row limit '{s}': expected a number or 'inf'"))
    }
}

/// The first `limit` rows of `batches`.
fn first_rows(batches: &[RecordBatch], limit: usize) -> Vec<RecordBatch> {
    let mut left = limit;
    let mut out = Vec::new();
    for batch in batches {
        if left == 0 {
            break;
        }
        let take = batch.num_rows().min(left);
        out.push(batch.slice(0, take));
        left -= take;
    }
    out
}

/// A writer that remembers its first I/O error, so that a failed write is reported as the
/// I/O error it is (a closed pipe, say) even when Arrow's writers wrap it in their own error.
struct Tracked<'a> {
    inner: &'a mut dyn Write,
    failed: Option<io::Error>,
}

impl Tracked<'_> {
    fn note(&mut self, e: io::Error) -> io::Error {
        if self.failed.is_none() {
            self.failed = Some(io::Error::new(e.kind(), e.to_string()));
        }
        e
    }
}

impl Write for Tracked<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf).map_err(|e| self.note(e))
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush().map_err(|e| self.note(e))
    }
}

/// Writes a result (`batches`, of `schema`) to `out` in `format`, and returns how many rows
/// were written: all of them, except in the table format when `max_rows` is smaller. A
/// result without rows still prints its column names (except in `ndjson`, which has no
/// header, and `json`, which prints `[]`).
pub fn write_result(
    out: &mut dyn Write,
    format: OutputFormat,
    schema: SchemaRef,
    batches: &[RecordBatch],
    max_rows: MaxRows,
) -> Result<usize, CliError> {
    let mut tracked = Tracked {
        inner: out,
        failed: None,
    };
    let result = write_to(&mut tracked, format, schema, batches, max_rows);
    match (result, tracked.failed) {
        (Err(_), Some(source)) => Err(CliError::Output { source }),
        (result, _) => result,
    }
}

fn write_to(
    out: &mut dyn Write,
    format: OutputFormat,
    schema: SchemaRef,
    batches: &[RecordBatch],
    max_rows: MaxRows,
) -> Result<usize, CliError> {
    let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
    match format {
        OutputFormat::Table => {
            let shown = match max_rows {
                MaxRows::Limit(n) if n < rows => first_rows(batches, n),
                _ => batches.to_vec(),
            };
            let count = shown.iter().map(RecordBatch::num_rows).sum();
            writeln!(
                out,
                "{}",
                pretty_format_batches_with_schema(schema, &shown)?
            )?;
            Ok(count)
        }
        OutputFormat::Csv | OutputFormat::Tsv => {
            let delimiter = if format == OutputFormat::Csv {
                b','
            } else {
                b'\t'
            };
            let mut writer = CsvWriterBuilder::new()
                .with_header(true)
                .with_delimiter(delimiter)
                .build(&mut *out);
            if batches.is_empty() {
                writer.write(&RecordBatch::new_empty(schema))?;
            }
            for batch in batches {
                writer.write(batch)?;
            }
            Ok(rows)
        }
        OutputFormat::Json => {
            let mut writer = JsonWriterBuilder::new()
                .with_explicit_nulls(true)
                .build::<_, JsonArray>(&mut *out);
            for batch in batches {
                writer.write(batch)?;
            }
            writer.finish()?;
            drop(writer);
            writeln!(out)?;
            Ok(rows)
        }
        OutputFormat::Ndjson => {
            let mut writer = JsonWriterBuilder::new()
                .with_explicit_nulls(true)
                .build::<_, LineDelimited>(&mut *out);
            for batch in batches {
                writer.write(batch)?;
            }
            writer.finish()?;
            Ok(rows)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{ArrayRef, Int64Array, StringArray};
    use std::sync::Arc;

    fn batch() -> RecordBatch {
        RecordBatch::try_from_iter(vec![
            ("a", Arc::new(Int64Array::from(vec![1, 2, 3])) as ArrayRef),
            (
                "b",
                Arc::new(StringArray::from(vec![Some("x,y"), None, Some("z")])) as ArrayRef,
            ),
        ])
        .expect("batch")
    }

    fn render(format: OutputFormat, batches: &[RecordBatch], max: MaxRows) -> (String, usize) {
        let schema = batch().schema();
        let mut out = Vec::new();
        let shown = write_result(&mut out, format, schema, batches, max).expect("written");
        (String::from_utf8(out).expect("utf-8"), shown)
    }

    #[test]
    fn csv_tsv_json_ndjson() {
        let b = [batch()];
        let all = MaxRows::Unlimited;
        assert_eq!(
            render(OutputFormat::Csv, &b, all).0,
            "a,b\n1,\"x,y\"\n2,\n3,z\n"
        );
        assert_eq!(
            render(OutputFormat::Tsv, &b, all).0,
            "a\tb\n1\tx,y\n2\t\n3\tz\n"
        );
        assert_eq!(
            render(OutputFormat::Json, &b, all).0,
            "[{\"a\":1,\"b\":\"x,y\"},{\"a\":2,\"b\":null},{\"a\":3,\"b\":\"z\"}]\n"
        );
        assert_eq!(
            render(OutputFormat::Ndjson, &b, all).0,
            "{\"a\":1,\"b\":\"x,y\"}\n{\"a\":2,\"b\":null}\n{\"a\":3,\"b\":\"z\"}\n"
        );
    }

    #[test]
    fn empty_results_keep_their_header() {
        assert_eq!(
            render(OutputFormat::Csv, &[], MaxRows::Unlimited).0,
            "a,b\n"
        );
        assert_eq!(
            render(OutputFormat::Json, &[], MaxRows::Unlimited).0,
            "[]\n"
        );
        assert_eq!(render(OutputFormat::Ndjson, &[], MaxRows::Unlimited).0, "");
        let (table, shown) = render(OutputFormat::Table, &[], MaxRows::Unlimited);
        assert_eq!(table, "+---+---+\n| a | b |\n+---+---+\n+---+---+\n");
        assert_eq!(shown, 0);
    }

    #[test]
    fn table_limits_rows() {
        let (table, shown) = render(OutputFormat::Table, &[batch(), batch()], MaxRows::Limit(4));
        assert_eq!(shown, 4);
        assert_eq!(table.lines().count(), 4 + 4);
        let (_, shown) = render(OutputFormat::Csv, &[batch()], MaxRows::Limit(1));
        assert_eq!(shown, 3);
    }

    /// A reader of the output that went away.
    struct ClosedPipe;

    impl Write for ClosedPipe {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::from(io::ErrorKind::BrokenPipe))
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_closed_pipe_is_reported_as_such_in_every_format() {
        for format in [OutputFormat::Table, OutputFormat::Csv, OutputFormat::Json] {
            let result = write_result(
                &mut ClosedPipe,
                format,
                batch().schema(),
                &[batch()],
                MaxRows::Unlimited,
            );
            assert!(result.is_err_and(|e| e.is_broken_pipe()), "{format}");
        }
    }

    #[test]
    fn parses_names_and_limits() {
        assert_eq!("CSV".parse::<OutputFormat>().ok(), Some(OutputFormat::Csv));
        assert!("xml".parse::<OutputFormat>().is_err());
        assert_eq!("inf".parse::<MaxRows>(), Ok(MaxRows::Unlimited));
        assert_eq!("10".parse::<MaxRows>(), Ok(MaxRows::Limit(10)));
        assert!("-1".parse::<MaxRows>().is_err());
    }
}
