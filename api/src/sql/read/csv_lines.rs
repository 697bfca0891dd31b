//! CSV files read line by line with Spark's modes (see [`super::modes`]).
//!
//! A record is malformed when it has fewer or more fields than the schema, or when a field
//! does not parse as its column's type (Spark 3 and later). In PERMISSIVE mode such a record
//! keeps the fields that parse (missing and unparseable ones are null, extra ones dropped).

use super::DataFrameReader;
use super::line_inputs::{list_inputs, open_file, splits};
use super::modes::{LineDecoder, LineFormat, ModeOptions, Salvaged, line_frame, split_schema};
use crate::error::Result;
use crate::sql::dataframe::DataFrame;
use arrow::array::{ArrayRef, RecordBatch, new_null_array};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use arrow::error::ArrowError;
use datafusion::arrow::csv::reader::{Decoder, Format, ReaderBuilder};
use std::sync::Arc;

/// How CSV lines are read.
pub(super) struct CsvLines {
    schema: SchemaRef,
    header: bool,
    format: Format,
    quote: u8,
    escape: Option<u8>,
    comment: Option<u8>,
    delimiter: u8,
}

/// Arrow's CSV decoder.
pub(super) struct CsvDecoder(Decoder);

impl LineDecoder for CsvDecoder {
    fn decode(&mut self, bytes: &[u8]) -> Result<usize, ArrowError> {
        self.0.decode(bytes)
    }
    fn is_full(&self) -> bool {
        self.0.capacity() == 0
    }
    fn flush(&mut self) -> Result<Option<RecordBatch>, ArrowError> {
        self.0.flush()
    }
}

impl CsvLines {
    fn builder(&self, schema: SchemaRef) -> ReaderBuilder {
        ReaderBuilder::new(schema).with_format(self.format.clone())
    }

    /// The fields of `line`, unquoted and unescaped.
    fn tokens(&self, line: &[u8]) -> Vec<Vec<u8>> {
        let mut reader = csv_core::ReaderBuilder::new()
            .delimiter(self.delimiter)
            .quote(self.quote)
            .escape(self.escape)
            .comment(self.comment)
            .build();
        let mut tokens = Vec::new();
        let mut field = Vec::new();
        let mut out = [0u8; 4096];
        let mut input = line;
        loop {
            let (result, read, written) = reader.read_field(input, &mut out);
            input = &input[read..];
            field.extend_from_slice(&out[..written]);
            match result {
                csv_core::ReadFieldResult::InputEmpty | csv_core::ReadFieldResult::OutputFull => {}
                csv_core::ReadFieldResult::Field { record_end } => {
                    tokens.push(std::mem::take(&mut field));
                    if record_end {
                        return tokens;
                    }
                }
                csv_core::ReadFieldResult::End => return tokens,
            }
        }
    }

    /// `token` parsed as `field`'s type, as the decoder parses it.
    fn value(&self, field: &Field, token: &[u8]) -> Result<ArrayRef, ArrowError> {
        let mut line = vec![self.quote];
        for &b in token {
            if b == self.quote || Some(b) == self.escape {
                line.push(self.escape.unwrap_or(self.quote));
            }
            line.push(b);
        }
        line.extend_from_slice(&[self.quote, b'\n']);
        let schema = Arc::new(Schema::new(vec![field.clone()]));
        let mut d = self.builder(schema).with_batch_size(2).build_decoder();
        d.decode(&line)?;
        d.decode(&[])?;
        let batch = d
            .flush()?
            .ok_or_else(|| ArrowError::ParseError("no value".into()))?;
        Ok(Arc::clone(batch.column(0)))
    }
}

impl LineFormat for CsvLines {
    const NAME: &'static str = "CSV";
    type Decoder = CsvDecoder;

    fn data_schema(&self) -> &SchemaRef {
        &self.schema
    }

    fn header(&self) -> bool {
        self.header
    }

    fn decoder(&self, columns: &[usize], batch_size: usize) -> Result<CsvDecoder, ArrowError> {
        Ok(CsvDecoder(
            self.builder(Arc::clone(&self.schema))
                .with_projection(columns.to_vec())
                .with_batch_size(batch_size)
                .build_decoder(),
        ))
    }

    fn salvage(&self, line: &[u8], columns: &[usize], error: &ArrowError) -> Salvaged {
        let tokens = self.tokens(line);
        let expected = self.schema.fields().len();
        let mut reason = (tokens.len() != expected)
            .then(|| format!("expected {expected} fields, found {}", tokens.len()));
        let columns = columns
            .iter()
            .map(|&i| {
                let field = self.schema.field(i);
                let null = || new_null_array(field.data_type(), 1);
                match tokens.get(i) {
                    None => null(),
                    Some(t) => self.value(field, t).unwrap_or_else(|_| {
                        reason.get_or_insert_with(|| {
                            format!(
                                "column {} ({}) cannot hold '{}'",
                                field.name(),
                                field.data_type(),
                                String::from_utf8_lossy(t)
                            )
                        });
                        null()
                    }),
                }
            })
            .collect();
        Salvaged {
            reason: reason.unwrap_or_else(|| error.to_string()),
            columns,
        }
    }
}

/// Reads CSV files with Spark's options (see [`DataFrameReader::csv`]).
pub(super) fn read_csv(reader: &DataFrameReader, path: &str) -> Result<DataFrame> {
    let options = ModeOptions::of(reader)?;
    let header = reader.flag("header", false)?;
    let infer = reader.flag("inferschema", false)?;
    let delimiter = reader.byte(&["delimiter", "sep"])?.unwrap_or(b',');
    let quote = reader.byte(&["quote"])?.unwrap_or(b'"');
    let escape = reader.byte(&["escape"])?;
    let comment = reader.byte(&["comment"])?;
    let mut format = Format::default()
        .with_delimiter(delimiter)
        .with_quote(quote);
    if let Some(e) = escape {
        format = format.with_escape(e);
    }
    if let Some(c) = comment {
        format = format.with_comment(c);
    }
    let inputs = list_inputs(reader, path, ".csv")?;
    let stores = &reader.ctx.inner.stores;
    let fields = match reader.file_schema(&inputs.source) {
        Some(s) => s.fields().iter().map(|f| f.as_ref().clone()).collect(),
        None => {
            let mut fields = Vec::new();
            let sample = if infer { None } else { Some(1) };
            for (f, _) in &inputs.files {
                let stream = open_file(stores, &f.path, f.size, inputs.codec)?;
                let (schema, _) = format
                    .clone()
                    .with_header(header)
                    .with_truncated_rows(true)
                    .infer_schema(stream, sample)
                    .map_err(|e| {
                        super::invalid(format!("cannot infer the schema of {}: {e}", f.path))
                    })?;
                fields = merge_fields(fields, &schema, header, infer);
                if !infer && !fields.is_empty() {
                    break;
                }
            }
            fields
        }
    };
    let (schema, data) = split_schema(fields, &inputs.partitions, &options.corrupt)?;
    let splits = splits(reader, &inputs)?;
    let format = CsvLines {
        schema: data,
        header,
        format,
        quote,
        escape,
        comment,
        delimiter,
    };
    line_frame(reader, format, schema, options, splits)
}

/// The columns so far with those inferred from one more file: the first file names them
/// (`_c0`, `_c1`, ... without a header); a column whose types differ between files is a
/// float when they are numbers, else a string. Without inference every column is a string.
fn merge_fields(fields: Vec<Field>, file: &Schema, header: bool, infer: bool) -> Vec<Field> {
    if fields.is_empty() {
        return file
            .fields()
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let name = if header {
                    f.name().clone()
                } else {
                    format!("_c{i}")
                };
                let t = if infer {
                    f.data_type().clone()
                } else {
                    DataType::Utf8
                };
                Field::new(name, t, true)
            })
            .collect();
    }
    fields
        .into_iter()
        .enumerate()
        .map(|(i, f)| {
            let Some(other) = file.fields().get(i).map(|o| o.data_type()) else {
                return f;
            };
            let t = match (f.data_type(), other) {
                (a, b) if a == b => a.clone(),
                (DataType::Int64 | DataType::Float64, DataType::Int64 | DataType::Float64) => {
                    DataType::Float64
                }
                _ => DataType::Utf8,
            };
            f.with_data_type(t)
        })
        .collect()
}
