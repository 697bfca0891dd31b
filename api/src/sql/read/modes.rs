//! Spark's read modes for CSV and JSON files: how a reader treats a malformed record.
//!
//! Both formats are read one record per line (Spark's default `multiLine=false`), in byte-range
//! splits aligned to lines as [`Context::text_file`](crate::Context::text_file) cuts them
//! (a compressed file is one split). A split's lines go through the format's Arrow decoder in
//! batches, so clean data costs what the plain decoder costs. Only when a batch fails are its
//! lines sifted: halves are decoded again until each malformed line stands alone, and that line
//! is then handled by the mode ([`ParseMode`]). A `FAILFAST` error names the file and the
//! line, counted by reading the file up to the record (only on that error path).
//!
//! The table is a DataFusion [`TableProvider`] whose scan decodes only the projected columns
//! (all of them when the corrupt-record column is projected, as Spark parses the whole record
//! then); each split runs as one partition, in the Ember task that reads it.

use super::DataFrameReader;
use super::split_lines::{SplitReader, open_stream};
use crate::error::Result;
use crate::sql::dataframe::DataFrame;
use crate::sql::input_metrics::{SplitBatchIter, count_split};
use crate::sql::run::df_err;
use arrow::array::{ArrayRef, RecordBatch, RecordBatchOptions, StringBuilder, new_null_array};
use arrow::compute::concat_batches;
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use arrow::error::ArrowError;
use async_trait::async_trait;
use datafusion::catalog::{MemTable, Session, TableProvider};
use datafusion::common::ScalarValue;
use datafusion::error::Result as DfResult;
use datafusion::execution::TaskContext as DfTaskContext;
use datafusion::logical_expr::{Expr, TableType};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::streaming::{PartitionStream, StreamingTableExec};
use datafusion::physical_plan::{ExecutionPlan, SendableRecordBatchStream};
use ember_engine::EngineError;
use ember_engine::rdd::{FileSplit, InputCodec};
use ember_engine::sql::to_datafusion;
use ember_engine::store::Stores;
use std::fmt;
use std::io::Read;
use std::sync::Arc;

/// What a reader does with a malformed record (Spark's option `mode`, case-insensitive).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ParseMode {
    /// Keep it: its fields that parse, the others null, and its text in the corrupt-record
    /// column when the schema has one (the default).
    Permissive,
    /// Drop it.
    DropMalformed,
    /// Fail the query, naming the file and line.
    FailFast,
}

/// The mode options of a reader: `mode` and `columnNameOfCorruptRecord`.
pub(super) struct ModeOptions {
    pub(super) mode: ParseMode,
    pub(super) corrupt: String,
}

impl ModeOptions {
    /// The options set on `reader`; an unknown mode is an error naming it.
    pub(super) fn of(reader: &DataFrameReader) -> Result<Self> {
        let mode = match reader.get(&["mode"]) {
            None => ParseMode::Permissive,
            Some(v) => match v.to_ascii_uppercase().as_str() {
                "PERMISSIVE" => ParseMode::Permissive,
                "DROPMALFORMED" => ParseMode::DropMalformed,
                "FAILFAST" => ParseMode::FailFast,
                _ => {
                    return Err(super::invalid(format!(
                        "unknown mode '{v}' (PERMISSIVE, DROPMALFORMED or FAILFAST)"
                    )));
                }
            },
        };
        if reader.flag("multiline", false)? {
            return Err(super::invalid(
                "option multiLine=true is not supported: records are read one per line",
            ));
        }
        let corrupt = reader
            .get(&["columnnameofcorruptrecord"])
            .unwrap_or("_corrupt_record")
            .to_string();
        Ok(ModeOptions { mode, corrupt })
    }
}

/// A streaming decoder of whole lines into Arrow batches.
pub(super) trait LineDecoder: Send {
    /// Decodes from `bytes`; the number of bytes used (fewer when the batch is full).
    fn decode(&mut self, bytes: &[u8]) -> Result<usize, ArrowError>;
    /// Whether a batch is full and must be flushed before more is decoded.
    fn is_full(&self) -> bool;
    /// The decoded records as a batch (`None` when there are none).
    fn flush(&mut self) -> Result<Option<RecordBatch>, ArrowError>;
}

/// What is left of a malformed record: why it is malformed, and the values of the decoded
/// columns that parse (the others null), one row each.
pub(super) struct Salvaged {
    pub(super) reason: String,
    pub(super) columns: Vec<ArrayRef>,
}

/// A format read line by line: CSV or JSON.
pub(super) trait LineFormat: Send + Sync + 'static {
    /// Its name in errors.
    const NAME: &'static str;
    /// Its decoder.
    type Decoder: LineDecoder;
    /// The columns of the records (without the corrupt-record column and partition columns).
    fn data_schema(&self) -> &SchemaRef;
    /// Whether the first line of a file is a header to skip.
    fn header(&self) -> bool {
        false
    }
    /// A decoder of the data columns `columns` (ascending) in batches of `batch_size` rows.
    fn decoder(&self, columns: &[usize], batch_size: usize) -> Result<Self::Decoder, ArrowError>;
    /// What can be kept of the malformed `line` (without its line ending) for `columns`;
    /// `error` is what the decoder said of it.
    fn salvage(&self, line: &[u8], columns: &[usize], error: &ArrowError) -> Salvaged;
}

/// The schema of a table read with `mode`: the file columns (a user schema's, in its order,
/// its corrupt-record column included) then the partition columns, all nullable as in Spark;
/// and the data schema the decoder reads (the file columns without the corrupt-record one).
pub(super) fn split_schema(
    file_fields: Vec<Field>,
    partitions: &[(String, DataType)],
    corrupt: &str,
) -> Result<(SchemaRef, SchemaRef)> {
    if let Some(f) = file_fields.iter().find(|f| f.name() == corrupt)
        && f.data_type() != &DataType::Utf8
    {
        return Err(super::invalid(format!(
            "the corrupt-record column {corrupt} must be a string column, not {}",
            f.data_type()
        )));
    }
    let data: Vec<Field> = file_fields
        .iter()
        .filter(|f| f.name() != corrupt)
        .map(|f| f.clone().with_nullable(true))
        .collect();
    let mut all: Vec<Field> = file_fields
        .into_iter()
        .map(|f| f.with_nullable(true))
        .collect();
    all.extend(
        partitions
            .iter()
            .map(|(n, t)| Field::new(n, t.clone(), true)),
    );
    Ok((Arc::new(Schema::new(all)), Arc::new(Schema::new(data))))
}

/// A DataFrame of `splits` read with `format` and `options` (an empty one without splits).
pub(super) fn line_frame<F: LineFormat>(
    reader: &DataFrameReader,
    format: F,
    schema: SchemaRef,
    options: ModeOptions,
    splits: Vec<InputSplit>,
) -> Result<DataFrame> {
    let session = reader.ctx.session();
    let df = if splits.is_empty() {
        let table = MemTable::try_new(schema, vec![Vec::new()]).map_err(df_err)?;
        session.read_table(Arc::new(table))
    } else {
        let stores = Arc::clone(&reader.ctx.inner.stores);
        let table = LineTable::new(format, schema, options, splits, stores);
        session.read_table(Arc::new(table))
    }
    .map_err(df_err)?;
    Ok(reader.wrap(df))
}

/// One split to read, with the values of its file's partition columns.
#[derive(Clone, Debug)]
pub(super) struct InputSplit {
    pub(super) split: FileSplit,
    /// A codec the `compression` option forces on a file whose name names none.
    pub(super) codec: Option<InputCodec>,
    pub(super) partition_values: Arc<Vec<ScalarValue>>,
}

/// Where an output column comes from.
#[derive(Clone, Copy, Debug)]
enum Source {
    /// The decoded column at this position of the decoded columns.
    Data(usize),
    /// The corrupt-record column.
    Corrupt,
    /// This partition column.
    Partition(usize),
}

/// A projection of the table: what to decode and how to build the output.
#[derive(Debug)]
struct Projection {
    schema: SchemaRef,
    decoded: Vec<usize>,
    sources: Vec<Source>,
    corrupt_wanted: bool,
}

/// A table of CSV or JSON files read with a mode.
struct LineTable<F: LineFormat> {
    format: Arc<F>,
    schema: SchemaRef,
    mode: ParseMode,
    corrupt: String,
    splits: Vec<InputSplit>,
    stores: Arc<Stores>,
}

impl<F: LineFormat> fmt::Debug for LineTable<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LineTable({}, {} splits)", F::NAME, self.splits.len())
    }
}

impl<F: LineFormat> LineTable<F> {
    /// A table of `splits` with `schema` (from [`split_schema`]).
    fn new(
        format: F,
        schema: SchemaRef,
        options: ModeOptions,
        splits: Vec<InputSplit>,
        stores: Arc<Stores>,
    ) -> Self {
        LineTable {
            format: Arc::new(format),
            schema,
            mode: options.mode,
            corrupt: options.corrupt,
            splits,
            stores,
        }
    }

    fn projection(&self, projection: Option<&Vec<usize>>) -> DfResult<Projection> {
        let all: Vec<usize> = (0..self.schema.fields().len()).collect();
        let wanted = projection.unwrap_or(&all);
        let data = self.format.data_schema();
        let partitions_from = self.schema.fields().len() - self.splits_partition_count();
        let corrupt_wanted = wanted
            .iter()
            .any(|&i| self.schema.field(i).name() == &self.corrupt);
        // Spark parses every column of a record whose corrupt-record column is asked for.
        let mut decoded: Vec<usize> = if corrupt_wanted {
            (0..data.fields().len()).collect()
        } else {
            wanted
                .iter()
                .filter(|&&i| i < partitions_from)
                .filter_map(|&i| data.index_of(self.schema.field(i).name()).ok())
                .collect()
        };
        decoded.sort_unstable();
        decoded.dedup();
        let sources = wanted
            .iter()
            .map(|&i| {
                let name = self.schema.field(i).name();
                if i >= partitions_from {
                    Source::Partition(i - partitions_from)
                } else if name == &self.corrupt {
                    Source::Corrupt
                } else {
                    let d = data.index_of(name).expect("a data column");
                    Source::Data(decoded.binary_search(&d).expect("decoded"))
                }
            })
            .collect();
        Ok(Projection {
            schema: Arc::new(self.schema.project(wanted)?),
            decoded,
            sources,
            corrupt_wanted,
        })
    }

    fn splits_partition_count(&self) -> usize {
        let file_columns = self.format.data_schema().fields().len()
            + usize::from(self.schema.field_with_name(&self.corrupt).is_ok());
        self.schema.fields().len() - file_columns
    }
}

#[async_trait]
impl<F: LineFormat> TableProvider for LineTable<F> {
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    async fn scan(
        &self,
        _state: &dyn Session,
        projection: Option<&Vec<usize>>,
        _filters: &[Expr],
        limit: Option<usize>,
    ) -> DfResult<Arc<dyn ExecutionPlan>> {
        let projection = Arc::new(self.projection(projection)?);
        let partitions = self
            .splits
            .iter()
            .map(|s| {
                Arc::new(SplitStream {
                    format: Arc::clone(&self.format),
                    projection: Arc::clone(&projection),
                    mode: self.mode,
                    input: s.clone(),
                    stores: Arc::clone(&self.stores),
                }) as Arc<dyn PartitionStream>
            })
            .collect();
        let exec = StreamingTableExec::try_new(
            Arc::clone(&projection.schema),
            partitions,
            None,
            Vec::new(),
            false,
            limit,
        )?;
        Ok(Arc::new(exec))
    }
}

/// One split of a [`LineTable`], as a partition.
struct SplitStream<F: LineFormat> {
    format: Arc<F>,
    projection: Arc<Projection>,
    mode: ParseMode,
    input: InputSplit,
    stores: Arc<Stores>,
}

impl<F: LineFormat> fmt::Debug for SplitStream<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.input.split;
        write!(f, "{}Split({}, {}+{})", F::NAME, s.path, s.start, s.len)
    }
}

impl<F: LineFormat> PartitionStream for SplitStream<F> {
    fn schema(&self) -> &SchemaRef {
        &self.projection.schema
    }

    fn execute(&self, ctx: Arc<DfTaskContext>) -> SendableRecordBatchStream {
        let batch_size = ctx.session_config().batch_size().max(1);
        let batches: SplitBatchIter =
            match SplitReader::open(&self.input, &self.stores, self.format.header()) {
                Ok(reader) => count_split(
                    &ctx,
                    self.input.split.len,
                    Box::new(SplitBatches {
                        format: Arc::clone(&self.format),
                        projection: Arc::clone(&self.projection),
                        mode: self.mode,
                        input: self.input.clone(),
                        stores: Arc::clone(&self.stores),
                        reader,
                        decoder: None,
                        batch_size,
                        done: false,
                    }),
                ),
                Err(e) => Box::new(std::iter::once(Err(to_datafusion(e)))),
            };
        Box::pin(RecordBatchStreamAdapter::new(
            Arc::clone(&self.projection.schema),
            futures::stream::iter(batches),
        ))
    }
}

/// A good run of decoded records, or a malformed line kept in PERMISSIVE mode.
enum Piece {
    Good(RecordBatch),
    Bad(RecordBatch, String),
}

/// The batches of one split.
struct SplitBatches<F: LineFormat> {
    format: Arc<F>,
    projection: Arc<Projection>,
    mode: ParseMode,
    input: InputSplit,
    stores: Arc<Stores>,
    reader: SplitReader,
    decoder: Option<F::Decoder>,
    batch_size: usize,
    done: bool,
}

impl<F: LineFormat> Iterator for SplitBatches<F> {
    type Item = DfResult<RecordBatch>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let next = self.next_batch();
        if !matches!(next, Ok(Some(_))) {
            self.done = true;
        }
        next.map_err(to_datafusion).transpose()
    }
}

type EngineResult<T> = ember_engine::Result<T>;

fn decode_error(e: ArrowError) -> EngineError {
    EngineError::Query {
        message: e.to_string(),
    }
}

impl<F: LineFormat> SplitBatches<F> {
    fn new_decoder(&self, batch_size: usize) -> EngineResult<F::Decoder> {
        self.format
            .decoder(&self.projection.decoded, batch_size)
            .map_err(decode_error)
    }

    fn next_batch(&mut self) -> EngineResult<Option<RecordBatch>> {
        loop {
            if self.decoder.is_none() {
                self.decoder = Some(self.new_decoder(self.batch_size)?);
            }
            let r = &mut self.reader;
            let d = self.decoder.as_mut().expect("a decoder");
            if r.pos == r.buf.len() {
                if r.fill()? {
                    continue;
                }
                // The end of the split: finish a last line without a newline.
                return match d.decode(&[]).and_then(|_| d.flush()) {
                    Ok(Some(b)) => {
                        r.keep = r.pos;
                        Ok(Some(self.output(b, None)?))
                    }
                    Ok(None) => Ok(None),
                    Err(_) => match self.recover()? {
                        Some(b) => Ok(Some(b)),
                        None => continue,
                    },
                };
            }
            let flushed = match d.decode(&r.buf[r.pos..]) {
                Ok(n) => {
                    r.pos += n;
                    if d.is_full() { d.flush() } else { Ok(None) }
                }
                Err(e) => Err(e),
            };
            match flushed {
                Ok(None) => {}
                Ok(Some(b)) => {
                    r.keep = r.pos;
                    return Ok(Some(self.output(b, None)?));
                }
                Err(_) => {
                    if let Some(b) = self.recover()? {
                        return Ok(Some(b));
                    }
                }
            }
        }
    }

    /// Sifts the lines of the batch that failed, from `keep`: the good ones decoded, the
    /// malformed ones handled by the mode. `None` when nothing is left of them.
    fn recover(&mut self) -> EngineResult<Option<RecordBatch>> {
        self.decoder = None;
        let end = self.reader.region_end(self.batch_size)?;
        let start = self.reader.keep;
        let region = self.reader.buf[start..end].to_vec();
        let offset = self.reader.base + start as u64;
        self.reader.pos = end;
        self.reader.keep = end;
        let mut lines = Vec::new();
        let mut from = 0;
        for (i, &b) in region.iter().enumerate() {
            if b == b'\n' {
                lines.push((from, i + 1));
                from = i + 1;
            }
        }
        if from < region.len() {
            lines.push((from, region.len()));
        }
        let mut pieces = Vec::new();
        self.sift(&region, &lines, offset, &mut pieces)?;
        self.assemble(pieces)
    }

    /// Decodes `bytes` (`lines` whole lines) in one go.
    fn trial(&self, bytes: &[u8], lines: usize) -> Result<Option<RecordBatch>, ArrowError> {
        let mut d = self.format.decoder(&self.projection.decoded, lines + 1)?;
        if d.decode(bytes)? != bytes.len() {
            return Err(ArrowError::ParseError("more records than lines".into()));
        }
        d.decode(&[])?;
        d.flush()
    }

    fn sift(
        &self,
        region: &[u8],
        lines: &[(usize, usize)],
        offset: u64,
        out: &mut Vec<Piece>,
    ) -> EngineResult<()> {
        let (Some(first), Some(last)) = (lines.first(), lines.last()) else {
            return Ok(());
        };
        let error = match self.trial(&region[first.0..last.1], lines.len()) {
            Ok(Some(b)) => {
                out.push(Piece::Good(b));
                return Ok(());
            }
            Ok(None) => return Ok(()),
            Err(e) => e,
        };
        if lines.len() > 1 {
            let (left, right) = lines.split_at(lines.len() / 2);
            self.sift(region, left, offset, out)?;
            return self.sift(region, right, offset, out);
        }
        let mut line = &region[first.0..first.1];
        if let Some(l) = line.strip_suffix(b"\n") {
            line = l.strip_suffix(b"\r").unwrap_or(l);
        }
        match self.mode {
            ParseMode::DropMalformed => Ok(()),
            ParseMode::Permissive => {
                let salvaged = self.format.salvage(line, &self.projection.decoded, &error);
                let schema = Arc::new(
                    self.format
                        .data_schema()
                        .project(&self.projection.decoded)
                        .map_err(decode_error)?,
                );
                let row = RecordBatch::try_new_with_options(
                    schema,
                    salvaged.columns,
                    &RecordBatchOptions::new().with_row_count(Some(1)),
                )
                .map_err(decode_error)?;
                out.push(Piece::Bad(row, String::from_utf8_lossy(line).into_owned()));
                Ok(())
            }
            ParseMode::FailFast => {
                let salvaged = self.format.salvage(line, &self.projection.decoded, &error);
                let at = offset + first.0 as u64;
                let mut record: String = String::from_utf8_lossy(line).into_owned();
                if let Some((cut, _)) = record.char_indices().nth(1000) {
                    record.truncate(cut);
                    record.push_str("...");
                }
                Err(EngineError::MalformedRecord {
                    path: self.input.split.path.clone(),
                    line: self.line_number(at)?,
                    record,
                    reason: format!("not valid {}: {}", F::NAME, salvaged.reason),
                })
            }
        }
    }

    /// The line (from 1) of the byte at `offset` of the (decompressed) file: one more than the
    /// newlines before it, counted by reading the file from its start.
    fn line_number(&self, offset: u64) -> EngineResult<u64> {
        let mut stream = open_stream(&self.input, &self.stores, 0, offset)?.take(offset);
        let mut buf = vec![0u8; 1 << 16];
        let mut newlines = 0u64;
        loop {
            let n = match stream.read(&mut buf) {
                Ok(0) => return Ok(newlines + 1),
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(EngineError::io(&self.input.split.path, &e)),
            };
            newlines += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
        }
    }

    /// One batch of the sifted pieces, with the corrupt-record column of the malformed ones.
    fn assemble(&self, pieces: Vec<Piece>) -> EngineResult<Option<RecordBatch>> {
        let schema = Arc::new(
            self.format
                .data_schema()
                .project(&self.projection.decoded)
                .map_err(decode_error)?,
        );
        let mut corrupt = StringBuilder::new();
        let mut batches = Vec::with_capacity(pieces.len());
        for p in pieces {
            match p {
                Piece::Good(b) => {
                    (0..b.num_rows()).for_each(|_| corrupt.append_null());
                    batches.push(b);
                }
                Piece::Bad(b, text) => {
                    corrupt.append_value(text);
                    batches.push(b);
                }
            }
        }
        let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
        if rows == 0 {
            return Ok(None);
        }
        let data = if schema.fields().is_empty() {
            RecordBatch::try_new_with_options(
                schema,
                Vec::new(),
                &RecordBatchOptions::new().with_row_count(Some(rows)),
            )
        } else {
            concat_batches(&schema, &batches)
        }
        .map_err(decode_error)?;
        let corrupt: ArrayRef = Arc::new(corrupt.finish());
        Ok(Some(self.output(data, Some(corrupt))?))
    }

    /// The output batch of decoded `data`: its columns, the corrupt-record column (all null
    /// when not given) and the partition values, as projected.
    fn output(&self, data: RecordBatch, corrupt: Option<ArrayRef>) -> EngineResult<RecordBatch> {
        let rows = data.num_rows();
        let p = &self.projection;
        let mut columns = Vec::with_capacity(p.sources.len());
        for s in &p.sources {
            columns.push(match *s {
                Source::Data(i) => Arc::clone(data.column(i)),
                Source::Corrupt => match (&corrupt, p.corrupt_wanted) {
                    (Some(c), true) => Arc::clone(c),
                    _ => new_null_array(&DataType::Utf8, rows),
                },
                Source::Partition(k) => self.input.partition_values[k]
                    .to_array_of_size(rows)
                    .map_err(|e| EngineError::Query {
                        message: e.to_string(),
                    })?,
            });
        }
        RecordBatch::try_new_with_options(
            Arc::clone(&p.schema),
            columns,
            &RecordBatchOptions::new().with_row_count(Some(rows)),
        )
        .map_err(decode_error)
    }
}
