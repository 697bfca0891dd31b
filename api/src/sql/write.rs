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
//! write task per partition of the query's result stage, each with its own copy of the sink.
//! Output is committed like Hadoop's `FileOutputCommitter`: a task attempt writes below
//! `<path>/_temporary/<job>/attempt-<id>/`, and on success renames its directory to
//! `task-<partition>` (so a failed or retried attempt leaves nothing behind); when the job has
//! succeeded the driver moves the committed files into `<path>` (removing what was there first
//! for [`SaveMode::Overwrite`]), removes `_temporary` and writes an empty `_SUCCESS` marker.
//! A failed job leaves the output directory as it was (removed if the write created it).
//!
//! Part files are named `part-<partition>-<write id>_<n>.<ext>`, below `key=value`
//! directories when [`partition_by`](DataFrameWriter::partition_by) is set (the partition
//! columns are then left out of the files, as Spark does). Only local paths (or `file://`
//! URLs) can be written.

use super::dataframe::DataFrame;
use super::run::{df_err, execute};
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
use datafusion::error::{DataFusionError, Result as DfResult};
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
use ember_engine::sql::runtime::{block_on, ember_task};
use ember_engine::sql::to_datafusion;
use futures::{SinkExt, StreamExt};
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

/// What a write does when its output path exists (Spark's `SaveMode`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SaveMode {
    /// Fail with [`Error::OutputExists`] naming the path (the default).
    #[default]
    ErrorIfExists,
    /// Replace what is there once the new output is written.
    Overwrite,
    /// Add new part files next to the existing ones.
    Append,
    /// Do nothing, and write nothing.
    Ignore,
}

impl FromStr for SaveMode {
    type Err = Error;

    /// Spark's names: `error`/`errorifexists`/`default`, `overwrite`, `append`, `ignore`
    /// (case-insensitive).
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "error" | "errorifexists" | "default" => Ok(SaveMode::ErrorIfExists),
            "overwrite" => Ok(SaveMode::Overwrite),
            "append" => Ok(SaveMode::Append),
            "ignore" => Ok(SaveMode::Ignore),
            other => Err(invalid(format!(
                "unknown save mode '{other}' (error, overwrite, append or ignore)"
            ))),
        }
    }
}

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

fn io(path: &Path, e: &std::io::Error) -> EngineError {
    EngineError::io(path.display(), e)
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
        if path.contains("://") && !path.starts_with("file://") {
            return Err(invalid(format!(
                "cannot write to {path}: only local paths are supported"
            )));
        }
        let local = path.strip_prefix("file://").unwrap_or(path);
        let out = std::path::absolute(local).map_err(|e| io(Path::new(local), &e))?;
        let mut existed = out.symlink_metadata().is_ok();
        if existed {
            match self.mode {
                SaveMode::ErrorIfExists => {
                    return Err(Error::OutputExists {
                        path: path.to_string(),
                    });
                }
                SaveMode::Ignore => return Ok(()),
                SaveMode::Append if !out.is_dir() => {
                    return Err(invalid(format!("cannot append to {path}: not a directory")));
                }
                SaveMode::Overwrite if !out.is_dir() => {
                    std::fs::remove_file(&out).map_err(|e| io(&out, &e))?;
                    existed = false;
                }
                _ => {}
            }
        }
        let columns = self.df.schema();
        for c in &self.partition_by {
            if columns.field_with_name(c).is_err() {
                return Err(invalid(format!("partition column {c} is not a column")));
            }
        }
        let job = format!("{:016x}", rand::random::<u64>());
        let temporary = out.join("_temporary");
        let staging = temporary.join(&job);
        std::fs::create_dir_all(&staging).map_err(|e| io(&staging, &e))?;
        let done = self
            .run(&staging, format, path)
            .and_then(|()| commit_job(&out, &staging, self.mode == SaveMode::Overwrite));
        // Best effort: the job's result does not depend on the clean-up.
        let _ = std::fs::remove_dir_all(&staging);
        let _ = std::fs::remove_dir(&temporary);
        if done.is_err() && !existed {
            let _ = std::fs::remove_dir_all(&out);
        }
        self.forget_listings(&out);
        done
    }

    /// Drops the session's cached directory listings of `out` and of the directories around
    /// it, so that later reads see the files as they now are.
    fn forget_listings(&self, out: &Path) {
        let session = self.df.context().session();
        let Some(cache) = session.runtime_env().cache_manager.get_list_files_cache() else {
            return;
        };
        let Ok(url) = ListingTableUrl::parse(out.to_string_lossy()) else {
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
    /// writer, and runs it as one job.
    fn run(&self, staging: &Path, format: Format, path: &str) -> Result<()> {
        let (factory, kind) = self.file_format(format)?;
        let options = HashMap::from([("single_file_output".to_string(), "false".to_string())]);
        let plan = LogicalPlanBuilder::copy_to(
            self.df.inner().logical_plan().clone(),
            staging.to_string_lossy().into_owned(),
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
        let exec = WriteExec::new(input, config, kind, staging.to_path_buf());
        let name = format!("{format:?}").to_lowercase();
        let description = format!("write {name} to {path}");
        execute(ctx, Arc::new(exec), description)?;
        Ok(())
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

/// Moves the files of every committed task into `out` (after emptying it for an overwrite)
/// and marks the output complete with `_SUCCESS`.
fn commit_job(out: &Path, staging: &Path, overwrite: bool) -> Result<()> {
    if overwrite {
        for entry in std::fs::read_dir(out).map_err(|e| io(out, &e))? {
            let p = entry.map_err(|e| io(out, &e))?.path();
            if p.file_name().is_some_and(|n| n == "_temporary") {
                continue;
            }
            let removed = if p.is_dir() {
                std::fs::remove_dir_all(&p)
            } else {
                std::fs::remove_file(&p)
            };
            removed.map_err(|e| io(&p, &e))?;
        }
    }
    let mut tasks: Vec<PathBuf> = Vec::new();
    for entry in std::fs::read_dir(staging).map_err(|e| io(staging, &e))? {
        let p = entry.map_err(|e| io(staging, &e))?.path();
        if p.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("task-"))
        {
            tasks.push(p);
        }
    }
    tasks.sort();
    for t in tasks {
        move_tree(&t, out)?;
    }
    let marker = out.join("_SUCCESS");
    std::fs::write(&marker, b"").map_err(|e| io(&marker, &e))?;
    Ok(())
}

/// Moves the files below `from` to the same relative places below `to`.
fn move_tree(from: &Path, to: &Path) -> std::result::Result<(), EngineError> {
    std::fs::create_dir_all(to).map_err(|e| io(to, &e))?;
    for entry in std::fs::read_dir(from).map_err(|e| io(from, &e))? {
        let p = entry.map_err(|e| io(from, &e))?.path();
        let Some(name) = p.file_name() else { continue };
        let target = to.join(name);
        if p.is_dir() {
            move_tree(&p, &target)?;
        } else {
            std::fs::rename(&p, &target).map_err(|e| io(&p, &e))?;
        }
    }
    Ok(())
}

/// Names every file below `dir` `<prefix><name>`.
fn prefix_files(dir: &Path, prefix: &str) -> std::result::Result<(), EngineError> {
    for entry in std::fs::read_dir(dir).map_err(|e| io(dir, &e))? {
        let p = entry.map_err(|e| io(dir, &e))?.path();
        if p.is_dir() {
            prefix_files(&p, prefix)?;
        } else if let Some(name) = p.file_name() {
            let target = p.with_file_name(format!("{prefix}{}", name.to_string_lossy()));
            std::fs::rename(&p, &target).map_err(|e| io(&p, &e))?;
        }
    }
    Ok(())
}

/// A task's commit: its files get their part names, and its attempt directory becomes the
/// partition's committed directory (replacing one an earlier attempt committed).
fn commit_task(attempt: &Path, task_dir: &Path, partition: usize) -> Result<(), EngineError> {
    prefix_files(attempt, &format!("part-{partition:05}-"))?;
    if task_dir.exists() {
        std::fs::remove_dir_all(task_dir).map_err(|e| io(task_dir, &e))?;
    }
    std::fs::rename(attempt, task_dir).map_err(|e| io(attempt, &e))
}

fn count_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![Field::new(
        "count",
        DataType::UInt64,
        false,
    )]))
}

/// Writes each partition of `input` with its own copy of the planned file sink, into the
/// task attempt's directory below `staging`; each partition returns its row count.
#[derive(Debug)]
struct WriteExec {
    input: Arc<dyn ExecutionPlan>,
    config: FileSinkConfig,
    kind: SinkKind,
    staging: PathBuf,
    properties: Arc<PlanProperties>,
}

impl WriteExec {
    fn new(
        input: Arc<dyn ExecutionPlan>,
        config: FileSinkConfig,
        kind: SinkKind,
        staging: PathBuf,
    ) -> Self {
        let properties = PlanProperties::new(
            EquivalenceProperties::new(count_schema()),
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

    /// The planned sink, writing below `dir` instead.
    fn sink_for(&self, dir: &Path) -> DfResult<Arc<dyn DataSink>> {
        let mut config = self.config.clone();
        let url = ListingTableUrl::parse(dir.to_string_lossy())?;
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
            self.staging.display(),
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
) -> DfResult<u64> {
    let schema = Arc::clone(sink.schema());
    let mut data = execute_input_stream(input, Arc::clone(&schema), partition, Arc::clone(&ctx))?;
    let (mut tx, rx) = futures::channel::mpsc::channel::<DfResult<RecordBatch>>(2);
    let stream: SendableRecordBatchStream = Box::pin(RecordBatchStreamAdapter::new(schema, rx));
    let pump = async move {
        while let Some(batch) = data.next().await {
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
        let [input] = <[_; 1]>::try_from(children).map_err(|c| {
            DataFusionError::Internal(format!("EmberWriteExec has one child, not {}", c.len()))
        })?;
        Ok(Arc::new(WriteExec::new(
            input,
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
        let attempt = self
            .staging
            .join(format!("attempt-{}", tc.task_attempt_id()));
        let task_dir = self.staging.join(format!("task-{partition:05}"));
        let sink = self.sink_for(&attempt)?;
        let input = Arc::clone(&self.input);
        let write = async move {
            std::fs::create_dir_all(&attempt).map_err(|e| to_datafusion(io(&attempt, &e)))?;
            match write_partition(sink, input, partition, context).await {
                Ok(rows) => {
                    commit_task(&attempt, &task_dir, partition).map_err(to_datafusion)?;
                    let count = Arc::new(UInt64Array::from(vec![rows]));
                    Ok(RecordBatch::try_new(count_schema(), vec![count])?)
                }
                Err(e) => {
                    let _ = std::fs::remove_dir_all(&attempt);
                    Err(e)
                }
            }
        };
        Ok(Box::pin(RecordBatchStreamAdapter::new(
            count_schema(),
            futures::stream::once(write),
        )))
    }
}
