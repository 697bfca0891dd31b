//! [`DataFrameWriter`]: Spark's `df.write`, a DataFrame saved as a directory of part files.
//!
//! ```
//! use ember::sql::write::SaveMode;
//! # let dir = tempfile::tempdir()?;
//! # let out = dir.path().join("out");
//! # let out = out.to_str().unwrap();
//! let ctx = ember::Context::new(ember::Conf::new().master("local[2]"))?;
//! let df = ctx.sql("SELECT * FROM (VALUES ('a', 1), ('b', 2)) AS t(k, v)")?;
//! df.write().mode(SaveMode::Overwrite).parquet(out)?;
//! assert_eq!(ctx.read().parquet(out)?.count()?, 2);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A write is one Ember job. DataFusion plans it as a `COPY TO` (`LogicalPlanBuilder::copy_to`),
//! whose sink would write the whole result from a single partition; Ember instead runs one
//! write task per partition of the query's result stage, each with its own copy of the sink,
//! writing below its task attempt's directory `<path>/_temporary/<job>/attempt-<id>/`. The
//! output is committed by the protocol of `api/src/commit`, the same for local paths and
//! remote stores (`s3://bucket/dir`, `gs://`, `az://`): when the job has succeeded, the files
//! of the attempt each partition committed are moved into `<path>` (the old files are deleted
//! after that for [`SaveMode::Overwrite`]), `_temporary` is removed and an empty `_SUCCESS`
//! marker written. A failed job leaves the output as it was (a local directory the write
//! created is removed). Files over 5 MiB go to object stores as multipart uploads.
//!
//! Part files are named `part-<partition>-<write id>_<n>.<ext>`, below `key=value`
//! directories when [`partition_by`](DataFrameWriter::partition_by) is set (the partition
//! columns are then left out of the files, as Spark does).

use super::dataframe::DataFrame;
use super::execution::execute_query;
use super::run::{df_err, only_child};
use crate::commit::{Job, Output, Staging};
use crate::error::{Error, Result};
use arrow::array::{RecordBatch, UInt64Array};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::common::file_options::csv_writer::CsvWriterOptions;
use datafusion::common::file_options::json_writer::JsonWriterOptions;
use datafusion::common::parsers::CompressionTypeVariant;
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::config::TableParquetOptions;
use datafusion::datasource::file_format::csv::{CsvFormatFactory, CsvSink};
use datafusion::datasource::file_format::format_as_file_type;
use datafusion::datasource::file_format::json::{JsonFormatFactory, JsonSink};
use datafusion::datasource::file_format::parquet::{ParquetFormatFactory, ParquetSink};
use datafusion::datasource::listing::ListingTableUrl;
use datafusion::datasource::physical_plan::{FileOutputMode, FileSink, FileSinkConfig};
use datafusion::datasource::sink::{DataSink, DataSinkExec};
use datafusion::error::Result as DfResult;
use datafusion::execution::TaskContext as DfTaskContext;
use datafusion::logical_expr::LogicalPlanBuilder;
use datafusion::physical_expr::{EquivalenceProperties, PhysicalExpr};
use datafusion::physical_plan::coalesce_partitions::CoalescePartitionsExec;
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, ExecutionPlan, ExecutionPlanProperties, Partitioning,
    PlanProperties, SendableRecordBatchStream, execute_input_stream,
};
use ember_engine::EngineError;
use ember_engine::ids::TaskId;
use ember_engine::sql::runtime::{block_on, ember_task};
use ember_engine::sql::to_datafusion;
use futures::{SinkExt, StreamExt};
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

pub use crate::commit::SaveMode;

impl DataFrame {
    /// Saves this DataFrame's rows as files (Spark's `df.write`): set the mode, partition
    /// columns and options, then call [`parquet`](DataFrameWriter::parquet),
    /// [`csv`](DataFrameWriter::csv) or [`json`](DataFrameWriter::json).
    pub fn write(&self) -> DataFrameWriter {
        DataFrameWriter {
            df: self.clone(),
            format: None,
            mode: SaveMode::default(),
            partition_by: Vec::new(),
            options: HashMap::new(),
        }
    }
}

/// Writes a DataFrame as a directory of part files (Spark's `DataFrameWriter`). Options (keys
/// are case-insensitive):
///
/// | key | formats | default | meaning |
/// |-----|---------|---------|---------|
/// | `header` | csv | `false` | write the column names as the first line of each file |
/// | `delimiter` or `sep` | csv | `,` | the field separator (one byte) |
/// | `compression` or `codec` | all | none for csv and json; DataFusion's (`zstd`) for parquet | csv, json: `none`, `gzip`, `bzip2`, `xz`, `zstd`; parquet: `none`, `snappy`, `gzip`, `brotli`, `lz4`, `lz4_raw`, `zstd` (or DataFusion's `zstd(5)` form) |
#[derive(Clone)]
pub struct DataFrameWriter {
    df: DataFrame,
    format: Option<String>,
    mode: SaveMode,
    partition_by: Vec<String>,
    options: HashMap<String, String>,
}

fn invalid(message: impl Into<String>) -> Error {
    EngineError::invalid("DataFrameWriter", message).into()
}

/// The file formats a DataFrame can be written in.
#[derive(Clone, Copy, Debug)]
enum Format {
    Csv,
    Json,
    Parquet,
}

/// A sink's format-specific writer options: with a [`FileSinkConfig`], enough to make a copy
/// of the planned sink that writes somewhere else.
#[derive(Clone, Debug)]
enum SinkKind {
    Csv(CsvWriterOptions),
    Json(JsonWriterOptions),
    Parquet(Box<TableParquetOptions>),
}

impl DataFrameWriter {
    /// What to do if the output path exists.
    pub fn mode(mut self, mode: SaveMode) -> Self {
        self.mode = mode;
        self
    }

    /// Writes one directory level per column, `column=value`, in the order given.
    pub fn partition_by(mut self, columns: &[&str]) -> Self {
        self.partition_by = columns.iter().map(|c| c.to_string()).collect();
        self
    }

    /// Sets option `key` (case-insensitive) to `value`.
    pub fn option(mut self, key: &str, value: impl ToString) -> Self {
        self.options
            .insert(key.to_ascii_lowercase(), value.to_string());
        self
    }

    /// The format [`save`](DataFrameWriter::save) writes: `parquet` (the default, as in
    /// Spark), `csv` or `json`.
    pub fn format(mut self, source: &str) -> Self {
        self.format = Some(source.to_ascii_lowercase());
        self
    }

    /// Writes to `path` in the format set by [`format`](DataFrameWriter::format).
    pub fn save(&self, path: &str) -> Result<()> {
        match self.format.as_deref().unwrap_or("parquet") {
            "parquet" => self.parquet(path),
            "csv" => self.csv(path),
            "json" => self.json(path),
            other => Err(invalid(format!(
                "unknown format '{other}' (parquet, csv or json)"
            ))),
        }
    }

    /// Writes CSV files.
    pub fn csv(&self, path: &str) -> Result<()> {
        self.save_as(path, Format::Csv)
    }

    /// Writes newline-delimited JSON files, one object per row.
    pub fn json(&self, path: &str) -> Result<()> {
        self.save_as(path, Format::Json)
    }

    /// Writes Parquet files.
    pub fn parquet(&self, path: &str) -> Result<()> {
        self.save_as(path, Format::Parquet)
    }

    fn get(&self, keys: &[&str]) -> Option<&str> {
        keys.iter()
            .find_map(|k| self.options.get(*k))
            .map(String::as_str)
    }

    fn text_compression(&self) -> Result<CompressionTypeVariant> {
        let Some(name) = self.get(&["compression", "codec"]) else {
            return Ok(CompressionTypeVariant::UNCOMPRESSED);
        };
        Ok(match name.to_ascii_lowercase().as_str() {
            "none" | "uncompressed" => CompressionTypeVariant::UNCOMPRESSED,
            "gzip" => CompressionTypeVariant::GZIP,
            "bzip2" => CompressionTypeVariant::BZIP2,
            "xz" => CompressionTypeVariant::XZ,
            "zstd" => CompressionTypeVariant::ZSTD,
            other => {
                return Err(invalid(format!(
                    "unsupported compression '{other}' (none, gzip, bzip2, xz or zstd)"
                )));
            }
        })
    }

    /// The format factory the plan is made with, and the sink options to copy it with.
    fn file_format(
        &self,
        format: Format,
    ) -> Result<(
        Arc<dyn datafusion::datasource::file_format::FileFormatFactory>,
        SinkKind,
    )> {
        let defaults = self.df.context().session().state().default_table_options();
        Ok(match format {
            Format::Csv => {
                let mut o = defaults.csv;
                o.has_header = Some(match self.get(&["header"]) {
                    None => false,
                    Some(v) if v.eq_ignore_ascii_case("true") => true,
                    Some(v) if v.eq_ignore_ascii_case("false") => false,
                    Some(v) => {
                        return Err(invalid(format!(
                            "option header must be true or false, not '{v}'"
                        )));
                    }
                });
                if let Some(d) = self.get(&["delimiter", "sep"]) {
                    o.delimiter = match d {
                        "\\t" => b'\t',
                        d if d.len() == 1 => d.as_bytes()[0],
                        d => {
                            return Err(invalid(format!(
                                "option delimiter must be one one-byte character, not '{d}'"
                            )));
                        }
                    };
                }
                o.compression = self.text_compression()?;
                let writer = CsvWriterOptions::try_from(&o).map_err(df_err)?;
                (
                    Arc::new(CsvFormatFactory::new_with_options(o)),
                    SinkKind::Csv(writer),
                )
            }
            Format::Json => {
                let mut o = defaults.json;
                o.compression = self.text_compression()?;
                let writer = JsonWriterOptions::try_from(&o).map_err(df_err)?;
                (
                    Arc::new(JsonFormatFactory::new_with_options(o)),
                    SinkKind::Json(writer),
                )
            }
            Format::Parquet => {
                let mut o = defaults.parquet;
                if let Some(c) = self.get(&["compression", "codec"]) {
                    let c = c.to_ascii_lowercase();
                    o.global.compression = Some(match c.as_str() {
                        "none" | "uncompressed" => "uncompressed".to_string(),
                        "gzip" => "gzip(6)".to_string(),
                        "brotli" => "brotli(1)".to_string(),
                        "zstd" => "zstd(3)".to_string(),
                        "snappy" | "lz4" | "lz4_raw" => c,
                        _ if c.contains('(') => c,
                        other => {
                            return Err(invalid(format!(
                                "unsupported parquet compression '{other}'"
                            )));
                        }
                    });
                }
                (
                    Arc::new(ParquetFormatFactory::new_with_options(o.clone())),
                    SinkKind::Parquet(Box::new(o)),
                )
            }
        })
    }

    fn save_as(&self, path: &str, format: Format) -> Result<()> {
        let out = Output::new(self.df.context().stores(), path)?;
        let columns = self.df.schema();
        for c in &self.partition_by {
            if columns.field_with_name(c).is_err() {
                return Err(invalid(format!("partition column {c} is not a column")));
            }
        }
        let written = out.url("");
        let Some(job) = Job::begin(out, self.mode)? else {
            return Ok(());
        };
        let tasks = self.run(job.staging(), format, path);
        let done = job.finish(tasks, |partition, file| {
            // DataFusion names its files `<write id>_<n>.<ext>`, below `key=value` folders.
            match file.rsplit_once('/') {
                Some((dirs, name)) => format!("{dirs}/part-{partition:05}-{name}"),
                None => format!("part-{partition:05}-{file}"),
            }
        });
        self.forget_listings(&written);
        done
    }

    /// Drops the session's cached directory listings of `out` and of the directories around
    /// it, so that later reads see the files as they now are.
    fn forget_listings(&self, out: &str) {
        let session = self.df.context().session();
        let Some(cache) = session.runtime_env().cache_manager.get_list_files_cache() else {
            return;
        };
        let Ok(url) = ListingTableUrl::parse(out) else {
            return;
        };
        let written = url.prefix().as_ref().trim_end_matches('/').to_string();
        for key in cache.list_entries().into_keys() {
            let listed = key.path.as_ref().trim_end_matches('/');
            let related = listed == written
                || listed.is_empty()
                || written.starts_with(&format!("{listed}/"))
                || listed.starts_with(&format!("{written}/"));
            if related {
                cache.remove(&key);
            }
        }
    }

    /// Plans the `COPY TO`, replaces its single-partition sink by Ember's per-partition
    /// writer, and runs it as one job; the task attempt each partition committed.
    fn run(&self, staging: &Staging, format: Format, path: &str) -> Result<Vec<(usize, TaskId)>> {
        let (factory, kind) = self.file_format(format)?;
        let options = HashMap::from([("single_file_output".to_string(), "false".to_string())]);
        let plan = LogicalPlanBuilder::copy_to(
            self.df.inner().logical_plan().clone(),
            staging.url(),
            format_as_file_type(factory),
            options,
            self.partition_by.clone(),
        )
        .and_then(|b| b.build())
        .map_err(df_err)?;
        let ctx = self.df.context();
        let state = ctx.session().state();
        let physical = block_on(state.create_physical_plan(&plan)).map_err(df_err)?;
        let sink_exec = physical
            .downcast_ref::<DataSinkExec>()
            .ok_or_else(|| invalid(format!("unexpected write plan: {}", physical.name())))?;
        let config = sink_config(sink_exec.sink())
            .ok_or_else(|| invalid("unexpected sink in the write plan"))?
            .clone();
        let mut input = Arc::clone(sink_exec.input());
        if let Some(c) = input.downcast_ref::<CoalescePartitionsExec>()
            && c.fetch().is_none()
        {
            input = Arc::clone(c.input());
        }
        let exec = WriteExec::new(input, config, kind, staging.clone());
        let name = format!("{format:?}").to_lowercase();
        let description = format!("write {name} to {path}");
        let query = self.df.sql_text().unwrap_or(&description).to_string();
        let results = execute_query(ctx, Arc::new(exec), description, &query)?;
        committed_attempts(&results)
    }
}

fn sink_config(sink: &dyn DataSink) -> Option<&FileSinkConfig> {
    if let Some(s) = sink.downcast_ref::<CsvSink>() {
        Some(s.config())
    } else if let Some(s) = sink.downcast_ref::<JsonSink>() {
        Some(s.config())
    } else {
        sink.downcast_ref::<ParquetSink>().map(|s| s.config())
    }
}

/// What each write task returns: its rows, its partition and its task attempt's id.
fn result_schema() -> SchemaRef {
    let field = |name| Field::new(name, DataType::UInt64, false);
    Arc::new(Schema::new(vec![
        field("count"),
        field("partition"),
        field("attempt"),
    ]))
}

/// The attempt whose files each partition committed, from the write tasks' results.
fn committed_attempts(results: &[RecordBatch]) -> Result<Vec<(usize, TaskId)>> {
    let mut out = Vec::new();
    for batch in results {
        let column = |i: usize| {
            batch
                .column(i)
                .as_any()
                .downcast_ref::<UInt64Array>()
                .ok_or_else(|| invalid("unexpected result of a write task"))
        };
        let (partitions, attempts) = (column(1)?, column(2)?);
        for (p, a) in partitions.values().iter().zip(attempts.values()) {
            out.push((*p as usize, TaskId(*a)));
        }
    }
    Ok(out)
}

/// Writes each partition of `input` with its own copy of the planned file sink, into the
/// task attempt's directory below `staging`; each partition returns its row count, partition
/// and attempt id.
#[derive(Debug)]
struct WriteExec {
    input: Arc<dyn ExecutionPlan>,
    config: FileSinkConfig,
    kind: SinkKind,
    staging: Staging,
    properties: Arc<PlanProperties>,
}

impl WriteExec {
    fn new(
        input: Arc<dyn ExecutionPlan>,
        config: FileSinkConfig,
        kind: SinkKind,
        staging: Staging,
    ) -> Self {
        let properties = PlanProperties::new(
            EquivalenceProperties::new(result_schema()),
            Partitioning::UnknownPartitioning(input.output_partitioning().partition_count()),
            EmissionType::Final,
            Boundedness::Bounded,
        );
        WriteExec {
            input,
            config,
            kind,
            staging,
            properties: Arc::new(properties),
        }
    }

    /// The planned sink, writing below `dir` (a local path or a URL) instead.
    fn sink_for(&self, dir: &str) -> DfResult<Arc<dyn DataSink>> {
        let mut config = self.config.clone();
        let url = ListingTableUrl::parse(dir)?;
        config.original_url = url.as_str().to_string();
        config.object_store_url = url.object_store();
        config.table_paths = vec![url];
        config.file_output_mode = FileOutputMode::Directory;
        Ok(match &self.kind {
            SinkKind::Csv(o) => Arc::new(CsvSink::new(config, o.clone())),
            SinkKind::Json(o) => Arc::new(JsonSink::new(config, o.clone())),
            SinkKind::Parquet(o) => Arc::new(ParquetSink::new(config, o.as_ref().clone())),
        })
    }
}

impl DisplayAs for WriteExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "EmberWriteExec: staging={}, partitions={}",
            self.staging.url(),
            self.properties.partitioning.partition_count()
        )
    }
}

/// Runs `sink` over partition `partition` of `input`. The input is polled here, on the task's
/// thread, and handed to the sink's own tasks through a small channel.
async fn write_partition(
    sink: Arc<dyn DataSink>,
    input: Arc<dyn ExecutionPlan>,
    partition: usize,
    ctx: Arc<DfTaskContext>,
    staging: &Staging,
) -> DfResult<u64> {
    let schema = Arc::clone(sink.schema());
    let mut data = execute_input_stream(input, Arc::clone(&schema), partition, Arc::clone(&ctx))?;
    let (mut tx, rx) = futures::channel::mpsc::channel::<DfResult<RecordBatch>>(2);
    let stream: SendableRecordBatchStream = Box::pin(RecordBatchStreamAdapter::new(schema, rx));
    let pump = async move {
        while let Some(batch) = data.next().await {
            // A failed job's sinks stop before completing their files.
            let batch = staging.check().map_err(to_datafusion).and(batch);
            let failed = batch.is_err();
            if tx.send(batch).await.is_err() || failed {
                break;
            }
        }
    };
    let (written, ()) = futures::join!(sink.write_all(stream, &ctx), pump);
    written
}

impl ExecutionPlan for WriteExec {
    fn name(&self) -> &str {
        "EmberWriteExec"
    }
    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }
    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.input]
    }
    fn apply_expressions(
        &self,
        _f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> DfResult<TreeNodeRecursion>,
    ) -> DfResult<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }
    fn with_new_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> DfResult<Arc<dyn ExecutionPlan>> {
        Ok(Arc::new(WriteExec::new(
            only_child("EmberWriteExec", children)?,
            self.config.clone(),
            self.kind.clone(),
            self.staging.clone(),
        )))
    }
    fn execute(
        &self,
        partition: usize,
        context: Arc<DfTaskContext>,
    ) -> DfResult<SendableRecordBatchStream> {
        let tc = ember_task(&context, "EmberWriteExec").map_err(to_datafusion)?;
        let attempt = tc.task_attempt_id();
        let sink = self.sink_for(&self.staging.attempt_url(attempt))?;
        let input = Arc::clone(&self.input);
        let staging = self.staging.clone();
        let write = async move {
            let _running = staging.task().map_err(to_datafusion)?;
            match write_partition(sink, input, partition, context, &staging).await {
                Ok(rows) => {
                    let column = |v: u64| Arc::new(UInt64Array::from(vec![v])) as _;
                    let columns = vec![column(rows), column(partition as u64), column(attempt.0)];
                    Ok(RecordBatch::try_new(result_schema(), columns)?)
                }
                Err(e) => {
                    staging.discard(attempt);
                    Err(e)
                }
            }
        };
        Ok(Box::pin(RecordBatchStreamAdapter::new(
            result_schema(),
            futures::stream::once(write),
        )))
    }
}
