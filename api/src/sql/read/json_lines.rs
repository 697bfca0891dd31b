//! JSON Lines files read with Spark's modes (see [`super::modes`]).
//!
//! A record is malformed when its line is not a JSON object or a field's value does not fit
//! its column's type; in PERMISSIVE mode all its fields are then null (Spark's behaviour
//! without `spark.sql.json.enablePartialResults`). Blank lines are skipped. Schema inference
//! reads every line: in PERMISSIVE mode a malformed line adds the corrupt-record column, in
//! DROPMALFORMED mode it is left out, in FAILFAST mode it fails naming the file and line.

use super::DataFrameReader;
use super::line_inputs::{Inputs, list_inputs, open_file, splits};
use super::modes::{
    LineDecoder, LineFormat, ModeOptions, ParseMode, Salvaged, line_frame, split_schema,
};
use crate::error::Result;
use crate::sql::dataframe::DataFrame;
use arrow::array::{RecordBatch, new_null_array};
use arrow::datatypes::{DataType, Field, SchemaRef};
use arrow::error::ArrowError;
use datafusion::arrow::json::reader::{Decoder, ReaderBuilder, infer_json_schema_from_iterator};
use ember_engine::EngineError;
use std::io::{BufRead, BufReader};
use std::sync::Arc;

/// How JSON lines are read.
pub(super) struct JsonLines {
    schema: SchemaRef,
}

/// Arrow's JSON decoder.
pub(super) struct JsonDecoder {
    decoder: Decoder,
    batch_size: usize,
}

impl LineDecoder for JsonDecoder {
    fn decode(&mut self, bytes: &[u8]) -> Result<usize, ArrowError> {
        self.decoder.decode(bytes)
    }
    fn is_full(&self) -> bool {
        self.decoder.len() >= self.batch_size
    }
    fn flush(&mut self) -> Result<Option<RecordBatch>, ArrowError> {
        self.decoder.flush()
    }
}

impl LineFormat for JsonLines {
    const NAME: &'static str = "JSON";
    type Decoder = JsonDecoder;

    fn data_schema(&self) -> &SchemaRef {
        &self.schema
    }

    fn decoder(&self, columns: &[usize], batch_size: usize) -> Result<JsonDecoder, ArrowError> {
        let schema = Arc::new(self.schema.project(columns)?);
        let decoder = ReaderBuilder::new(schema)
            .with_batch_size(batch_size)
            .with_coerce_primitive(true)
            .build_decoder()?;
        Ok(JsonDecoder {
            decoder,
            batch_size,
        })
    }

    fn salvage(&self, _line: &[u8], columns: &[usize], error: &ArrowError) -> Salvaged {
        Salvaged {
            reason: error.to_string(),
            columns: columns
                .iter()
                .map(|&i| new_null_array(self.schema.field(i).data_type(), 1))
                .collect(),
        }
    }
}

/// Reads JSON Lines files with Spark's options (see [`DataFrameReader::json`]).
pub(super) fn read_json(reader: &DataFrameReader, path: &str) -> Result<DataFrame> {
    let options = ModeOptions::of(reader)?;
    let inputs = list_inputs(reader, path, ".json")?;
    let fields = match reader.file_schema(&inputs.source) {
        Some(s) => s.fields().iter().map(|f| f.as_ref().clone()).collect(),
        None => infer(reader, &inputs, &options)?,
    };
    let (schema, data) = split_schema(fields, &inputs.partitions, &options.corrupt)?;
    let splits = splits(reader, &inputs)?;
    line_frame(reader, JsonLines { schema: data }, schema, options, splits)
}

/// A file being read for inference: its path, its lines and the number of the last one read.
type OpenFile = (String, BufReader<Box<dyn std::io::Read + Send>>, u64);

/// The schema of every record of the files, its fields sorted by name as Spark lists them,
/// with the corrupt-record column when a line is malformed in PERMISSIVE mode.
fn infer(reader: &DataFrameReader, inputs: &Inputs, options: &ModeOptions) -> Result<Vec<Field>> {
    let stores = &reader.ctx.inner.stores;
    let mut malformed = false;
    let mut failure: Option<EngineError> = None;
    let mut files = inputs.files.iter();
    let mut current: Option<OpenFile> = None;
    let mut line = Vec::new();
    let values = std::iter::from_fn(|| {
        loop {
            if current.is_none() {
                let (f, _) = files.next()?;
                match open_file(stores, &f.path, f.size, inputs.codec) {
                    Ok(s) => current = Some((f.path.clone(), BufReader::new(s), 0)),
                    Err(e) => {
                        failure = Some(engine_error(e));
                        return None;
                    }
                }
            }
            let (path, stream, number) = current.as_mut().expect("a file");
            line.clear();
            match stream.read_until(b'\n', &mut line) {
                Ok(0) => {
                    current = None;
                    continue;
                }
                Ok(_) => *number += 1,
                Err(e) => {
                    failure = Some(EngineError::io(&*path, &e));
                    return None;
                }
            }
            let text = line.trim_ascii();
            if text.is_empty() {
                continue;
            }
            let parsed = serde_json::from_slice::<serde_json::Value>(text);
            let reason = match parsed {
                Ok(v @ serde_json::Value::Object(_)) => return Some(Ok(v)),
                Ok(_) => "not a JSON object".to_string(),
                Err(e) => e.to_string(),
            };
            match options.mode {
                ParseMode::Permissive => malformed = true,
                ParseMode::DropMalformed => {}
                ParseMode::FailFast => {
                    failure = Some(EngineError::MalformedRecord {
                        path: path.clone(),
                        line: *number,
                        record: String::from_utf8_lossy(text).chars().take(1000).collect(),
                        reason: format!("not valid JSON: {reason}"),
                    });
                    return None;
                }
            }
        }
    });
    let inferred = infer_json_schema_from_iterator(values);
    if let Some(e) = failure {
        return Err(e.into());
    }
    let inferred = inferred
        .map_err(|e| super::invalid(format!("cannot infer the schema of JSON files: {e}")))?;
    let mut fields: Vec<Field> = inferred
        .fields()
        .iter()
        .filter(|f| !inputs.partitions.iter().any(|(p, _)| p == f.name()))
        .map(|f| f.as_ref().clone())
        .collect();
    if malformed && !fields.iter().any(|f| f.name() == &options.corrupt) {
        fields.push(Field::new(&options.corrupt, DataType::Utf8, true));
    }
    fields.sort_by(|a, b| a.name().cmp(b.name()));
    Ok(fields)
}

fn engine_error(e: crate::Error) -> EngineError {
    match e {
        crate::Error::Engine(e) => e,
        other => EngineError::Query {
            message: other.to_string(),
        },
    }
}
