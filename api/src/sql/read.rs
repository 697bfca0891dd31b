//! DataFrames from files ([`DataFrameReader`], Spark's `spark.read`) and from RDDs
//! ([`Rdd::to_df`]).
//!
//! ```
//! # let dir = tempfile::tempdir()?;
//! # let path = dir.path().join("people.csv");
//! # std::fs::write(&path, "name,age\nann,31\nbob,27\n")?;
//! let ctx = ember::Context::new(ember::Conf::new().master("local[2]"))?;
//! let people = ctx
//!     .read()
//!     .option("header", true)
//!     .option("inferSchema", true)
//!     .csv(path.to_str().unwrap())?;
//! assert_eq!(people.count()?, 2);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A path may be a file, a directory, a glob (`data/*.csv`) or several of these separated by
//! commas, local (`file://` URLs too) or remote (`s3://bucket/key`, `gs://`, `az://`,
//! `http(s)://`, through the context's [`Stores`](ember_engine::store::Stores)). A path that
//! matches nothing is an error naming it. How each kind of path is read:
//!
//! - a file is read whatever its name;
//! - a glob reads the files it matches, except hidden ones (names starting with `.` or `_`,
//!   as Spark skips them);
//! - a directory reads the files below it with the format's extension (`.csv`, `.parquet`,
//!   `.json`, plus `.gz`, `.bz2`, `.xz` or `.zst` when compressed), so markers such as
//!   `_SUCCESS` are skipped. Subdirectories named `key=value` (as written by
//!   [`DataFrameWriter::partition_by`](super::write::DataFrameWriter::partition_by)) are
//!   partitions: each `key` becomes a column after the files' own, an integer (`Int64`) if
//!   every value is one, else a float (`Float64`) if every value is one, else a string.
//!
//! Compression is taken from the `compression` option, else from the file names (`x.csv.gz`).

use super::dataframe::DataFrame;
use super::read_paths::{
    DirLayout, Located, compression_ext, compression_named, compression_of_name, dir_layout,
    invalid, locate,
};
use super::rows::{Row, conversion};
use super::run::df_err;
use crate::context::Context;
use crate::error::Result;
use crate::rdd::Rdd;
use arrow::array::{AsArray, RecordBatch, RecordBatchOptions, StringBuilder, make_array};
use arrow::buffer::NullBuffer;
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::catalog::MemTable;
use datafusion::catalog::streaming::StreamingTable;
use datafusion::datasource::file_format::file_compression_type::FileCompressionType;
use datafusion::error::Result as DfResult;
use datafusion::execution::TaskContext as DfTaskContext;
use datafusion::physical_plan::SendableRecordBatchStream;
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::streaming::PartitionStream;
use datafusion::prelude::ParquetReadOptions;
use ember_engine::EngineError;
use ember_engine::data::{Data, ENCODING_KEY, to_batch, to_batches};
use ember_engine::rdd::{BatchIter, RddCompute, TextFileRdd};
use ember_engine::sql::runtime::{block_on, ember_task};
use ember_engine::sql::to_datafusion;
use ember_engine::store::list_files;
use ember_engine::task_context::TaskAbort;
use std::collections::HashMap;
use std::fmt;
use std::panic::{AssertUnwindSafe, Location, catch_unwind, resume_unwind};

use std::sync::Arc;

mod csv_lines;
mod json_lines;
mod line_inputs;
mod modes;
mod split_lines;

impl Context {
    /// Reads files as DataFrames (Spark's `spark.read`): set options, then call
    /// [`csv`](DataFrameReader::csv), [`parquet`](DataFrameReader::parquet),
    /// [`json`](DataFrameReader::json) or [`text`](DataFrameReader::text).
    pub fn read(&self) -> DataFrameReader {
        DataFrameReader {
            ctx: self.clone(),
            format: None,
            options: HashMap::new(),
            schema: None,
        }
    }
}

/// Builds a DataFrame over files (Spark's `DataFrameReader`). Options (keys are
/// case-insensitive, as in Spark):
///
/// | key | formats | default | meaning |
/// |-----|---------|---------|---------|
/// | `header` | csv | `false` | the first line of each file names the columns |
/// | `inferSchema` | csv | `false` | infer column types from all the data; when false every column is a string, as in Spark |
/// | `delimiter` or `sep` | csv | `,` | the field separator (one byte) |
/// | `quote` | csv | `"` | the quote character |
/// | `escape` | csv | none | the escape character inside quotes |
/// | `comment` | csv | none | lines starting with it are skipped |
/// | `compression` or `codec` | csv, json | from the file names | `none`, `gzip`, `bzip2`, `xz` or `zstd` |
/// | `mode` | csv, json | `PERMISSIVE` | malformed records: `PERMISSIVE` keeps them (unparseable fields null, the line in the corrupt-record column if the schema has it), `DROPMALFORMED` drops them, `FAILFAST` fails naming the file and line |
/// | `columnNameOfCorruptRecord` | csv, json | `_corrupt_record` | the string column that gets a malformed record's line (JSON inference adds it when a line is malformed) |
///
/// Columns of a CSV file without a header are named `_c0`, `_c1`, ... (Spark's names). A JSON
/// file is newline-delimited, one object per line; its schema is inferred from all records
/// unless [`schema`](DataFrameReader::schema) gives one.
#[derive(Clone)]
pub struct DataFrameReader {
    ctx: Context,
    format: Option<String>,
    options: HashMap<String, String>,
    schema: Option<SchemaRef>,
}

/// The paths DataFusion reads, their extension filter and partition columns.
struct Source {
    paths: Vec<String>,
    ext: String,
    partitions: Vec<(String, DataType)>,
    compression: FileCompressionType,
}

impl DataFrameReader {
    /// The format [`load`](DataFrameReader::load) reads: `csv`, `parquet` (the default, as in
    /// Spark), `json` or `text`.
    pub fn format(mut self, source: &str) -> Self {
        self.format = Some(source.to_ascii_lowercase());
        self
    }

    /// Sets option `key` (case-insensitive) to `value` (`true`, `","`, ...).
    pub fn option(mut self, key: &str, value: impl ToString) -> Self {
        self.options
            .insert(key.to_ascii_lowercase(), value.to_string());
        self
    }

    /// Sets several options.
    pub fn options<K: AsRef<str>, V: ToString>(
        mut self,
        options: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        for (k, v) in options {
            self = self.option(k.as_ref(), v);
        }
        self
    }

    /// The schema of the files, instead of inferring it. For a partitioned directory it may
    /// also name partition columns, whose types it then sets.
    pub fn schema(mut self, schema: SchemaRef) -> Self {
        self.schema = Some(schema);
        self
    }

    /// Reads `path` in the format set by [`format`](DataFrameReader::format).
    #[track_caller]
    pub fn load(&self, path: &str) -> Result<DataFrame> {
        match self.format.as_deref().unwrap_or("parquet") {
            "parquet" => self.parquet(path),
            "csv" => self.csv(path),
            "json" => self.json(path),
            "text" => self.text(path),
            other => Err(invalid(format!(
                "unknown format '{other}' (csv, parquet, json or text)"
            ))),
        }
    }

    fn get(&self, keys: &[&str]) -> Option<&str> {
        keys.iter()
            .find_map(|k| self.options.get(*k))
            .map(String::as_str)
    }

    fn flag(&self, key: &str, default: bool) -> Result<bool> {
        match self.get(&[key]) {
            None => Ok(default),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
            Some(v) => Err(invalid(format!(
                "option {key} must be true or false, not '{v}'"
            ))),
        }
    }

    fn byte(&self, keys: &[&str]) -> Result<Option<u8>> {
        match self.get(keys) {
            None => Ok(None),
            Some(v) if v.len() == 1 => Ok(Some(v.as_bytes()[0])),
            Some("\\t") => Ok(Some(b'\t')),
            Some(v) => Err(invalid(format!(
                "option {} must be a single one-byte character, not '{v}'",
                keys[0]
            ))),
        }
    }

    /// Where to read for `path` in a format whose files end with `ext`.
    fn source(&self, path: &str, ext: &str) -> Result<Source> {
        let option = self
            .get(&["compression", "codec"])
            .map(compression_named)
            .transpose()?;
        let (paths, file_ext, layout) = match locate(&self.ctx.inner.stores, path)? {
            Located::Files(files) => {
                let c = files.first().map(|f| compression_of_name(f));
                (
                    files,
                    String::new(),
                    DirLayout {
                        partitions: Vec::new(),
                        compression: c,
                    },
                )
            }
            Located::Dir(dir) => {
                let layout = dir_layout(&self.ctx.inner.stores, &dir, ext)?;
                (vec![dir], ext.to_string(), layout)
            }
        };
        let compression = option
            .or(layout.compression)
            .unwrap_or(FileCompressionType::UNCOMPRESSED);
        let ext = if file_ext.is_empty() {
            file_ext
        } else {
            format!("{file_ext}{}", compression_ext(compression))
        };
        let mut partitions = layout.partitions;
        // A user schema may name partition columns: it sets their types.
        if let Some(s) = &self.schema {
            for (name, t) in partitions.iter_mut() {
                if let Ok(f) = s.field_with_name(name) {
                    *t = f.data_type().clone();
                }
            }
        }
        Ok(Source {
            paths,
            ext,
            partitions,
            compression,
        })
    }

    /// The user schema without the partition columns (DataFusion adds those itself).
    fn file_schema(&self, src: &Source) -> Option<Schema> {
        self.schema.as_ref().map(|s| {
            let fields: Vec<Field> = s
                .fields()
                .iter()
                .filter(|f| !src.partitions.iter().any(|(p, _)| p == f.name()))
                .map(|f| f.as_ref().clone())
                .collect();
            Schema::new(fields)
        })
    }

    fn wrap(&self, df: datafusion::dataframe::DataFrame) -> DataFrame {
        DataFrame::new(self.ctx.clone(), df)
    }

    /// Reads CSV files, one record per line. Without `inferSchema`, every column is a string,
    /// as in Spark (the first line is read to count the columns); with it, types are inferred
    /// from all rows. Malformed records (too few or too many fields, a field of the wrong
    /// type) are handled by option `mode` (see [`DataFrameReader`]).
    pub fn csv(&self, path: &str) -> Result<DataFrame> {
        csv_lines::read_csv(self, path)
    }

    /// Reads Parquet files (their schema is in the files).
    pub fn parquet(&self, path: &str) -> Result<DataFrame> {
        let src = self.source(path, ".parquet")?;
        let schema = self.file_schema(&src);
        let mut opts = ParquetReadOptions::new()
            .file_extension(&src.ext)
            .table_partition_cols(src.partitions.clone());
        if let Some(s) = &schema {
            opts = opts.schema(s);
        }
        let df =
            block_on(self.ctx.session().read_parquet(src.paths.clone(), opts)).map_err(df_err)?;
        Ok(self.wrap(df))
    }

    /// Reads newline-delimited JSON files, one object per line. Without a schema it is
    /// inferred from all records; malformed records are handled by option `mode` (see
    /// [`DataFrameReader`]).
    pub fn json(&self, path: &str) -> Result<DataFrame> {
        json_lines::read_json(self, path)
    }

    /// Reads text files as one string column `value`, one row per line (without its line
    /// ending; empty lines included), as Spark does. Files are split into byte ranges like
    /// [`Context::text_file`]: one partition per range, read lazily by the query's tasks.
    /// Glob and directory paths read the visible files (not `.`/`_` ones), and several paths
    /// may be given separated by commas. Compressed files (`.gz`, `.bz2`, `.zst`, `.xz`,
    /// `.deflate`) are decompressed, one partition each.
    #[track_caller]
    pub fn text(&self, path: &str) -> Result<DataFrame> {
        let ctx = &self.ctx;
        let files = list_files(&ctx.inner.stores, path)?;
        let splits = ctx.reader_splits(&files);
        let schema = Arc::new(Schema::new(vec![Field::new("value", DataType::Utf8, true)]));
        let session = ctx.session();
        if splits.is_empty() {
            let table = MemTable::try_new(schema, vec![Vec::new()]).map_err(df_err)?;
            return Ok(self.wrap(session.read_table(Arc::new(table)).map_err(df_err)?));
        }
        let n = splits.len();
        let meta = ctx.new_meta("text", Location::caller());
        let rdd = Arc::new(TextFileRdd::new(
            meta,
            splits,
            Arc::clone(&ctx.inner.stores),
        ));
        let partitions = (0..n)
            .map(|split| {
                Arc::new(TextSplit {
                    rdd: Arc::clone(&rdd),
                    split,
                    schema: Arc::clone(&schema),
                }) as Arc<dyn PartitionStream>
            })
            .collect();
        let table = StreamingTable::try_new(schema, partitions).map_err(df_err)?;
        Ok(self.wrap(session.read_table(Arc::new(table)).map_err(df_err)?))
    }
}

// ---- rdd.to_df() -----------------------------------------------------------------------------

/// Turns a batch of one `value` column into top-level columns: a struct's fields (tuple fields
/// `0, 1, ..` become `_1, _2, ..` as in Spark), or the `value` column itself for any other type.
fn flatten_value(batch: RecordBatch) -> std::result::Result<RecordBatch, EngineError> {
    let field = batch.schema().field(0).clone();
    let is_struct = matches!(field.data_type(), DataType::Struct(_))
        && !field.metadata().contains_key(ENCODING_KEY);
    if !is_struct {
        return Ok(batch);
    }
    let rows = batch.num_rows();
    let (fields, arrays, nulls) = batch.column(0).as_struct().clone().into_parts();
    let tuple = fields
        .iter()
        .enumerate()
        .all(|(i, f)| f.name() == &i.to_string());
    let mut out_fields = Vec::with_capacity(fields.len());
    let mut out_arrays = Vec::with_capacity(arrays.len());
    for (i, (f, a)) in fields.iter().zip(arrays).enumerate() {
        let name = if tuple {
            format!("_{}", i + 1)
        } else {
            f.name().clone()
        };
        let a = match &nulls {
            Some(parent) if parent.null_count() > 0 => {
                let merged = NullBuffer::union(Some(parent), a.logical_nulls().as_ref());
                make_array(
                    a.to_data()
                        .into_builder()
                        .nulls(merged)
                        .build()
                        .map_err(conversion)?,
                )
            }
            _ => a,
        };
        let nullable = f.is_nullable() || field.is_nullable();
        out_fields.push(Field::new(name, f.data_type().clone(), nullable));
        out_arrays.push(a);
    }
    RecordBatch::try_new_with_options(
        Arc::new(Schema::new(out_fields)),
        out_arrays,
        &RecordBatchOptions::new().with_row_count(Some(rows)),
    )
    .map_err(conversion)
}

impl<T: Data> Rdd<T> {
    /// This RDD as a DataFrame (Spark's `rdd.toDF()`): a derived struct's fields become the
    /// columns, a tuple's fields become columns `_1`, `_2`, ..., and any other element type
    /// becomes one column `value`. Column types follow the elements' serde shape (integers
    /// keep their width, `Option` is nullable, `Vec` is a list, a nested struct a struct).
    ///
    /// The RDD is computed now, by one job, and its partitions are kept in memory as the
    /// DataFrame's partitions (the DataFrame does not recompute the RDD on each action).
    /// `Rdd<Row>` elements have no column structure of their own: they become one binary
    /// `value` column.
    ///
    /// ```
    /// let ctx = ember::Context::new(ember::Conf::new().master("local[2]"))?;
    /// let df = ctx.parallelize(vec![("a".to_string(), 1i64), ("b".to_string(), 2)], 2).to_df()?;
    /// df.create_or_replace_temp_view("t")?;
    /// let total = ctx.sql("SELECT sum(_2) AS s FROM t WHERE _1 <> 'c'")?.rdd()?.collect()?;
    /// assert_eq!(total[0].get_i64(0), Some(3));
    /// # Ok::<(), ember::Error>(())
    /// ```
    pub fn to_df(&self) -> Result<DataFrame> {
        let ctx = self.context().clone();
        let parts: Vec<Vec<T>> = self.glom().collect()?;
        if let Some(rows) = (&parts as &dyn std::any::Any).downcast_ref::<Vec<Vec<Row>>>() {
            return rows_to_df(&ctx, rows);
        }
        let mut partitions = Vec::with_capacity(parts.len().max(1));
        let mut schema = None;
        for part in parts {
            let mut batches = Vec::new();
            if !part.is_empty() {
                for b in to_batches(&part)? {
                    let b = flatten_value(b)?;
                    schema.get_or_insert_with(|| b.schema());
                    batches.push(b);
                }
            }
            partitions.push(batches);
        }
        // Without elements, the schema comes from the type alone.
        let schema = match schema {
            Some(s) => s,
            None => flatten_value(to_batch::<T>(&[])?)?.schema(),
        };
        if partitions.is_empty() {
            partitions.push(Vec::new());
        }
        let table = MemTable::try_new(schema, partitions).map_err(df_err)?;
        let df = ctx.session().read_table(Arc::new(table)).map_err(df_err)?;
        Ok(DataFrame::new(ctx, df))
    }
}

/// One byte range of a text file, as a partition of a text DataFrame. Its stream reads the
/// range in the Ember task that runs it.
struct TextSplit {
    rdd: Arc<TextFileRdd>,
    split: usize,
    schema: SchemaRef,
}

impl fmt::Debug for TextSplit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.rdd.splits()[self.split];
        write!(f, "TextSplit({}, {}+{})", s.path, s.start, s.len)
    }
}

impl PartitionStream for TextSplit {
    fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    fn execute(&self, ctx: Arc<DfTaskContext>) -> SendableRecordBatchStream {
        let schema = Arc::clone(&self.schema);
        let lines = ember_task(&ctx, "a text DataFrame scan")
            .and_then(|tc| self.rdd.compute(self.split, &tc));
        let batches: Box<dyn Iterator<Item = DfResult<RecordBatch>> + Send> = match lines {
            Ok(lines) => Box::new(LineBatches {
                lines,
                schema: Arc::clone(&schema),
                batch_size: ctx.session_config().batch_size().max(1),
                done: false,
            }),
            Err(e) => Box::new(std::iter::once(Err(to_datafusion(e)))),
        };
        Box::pin(RecordBatchStreamAdapter::new(
            schema,
            futures::stream::iter(batches),
        ))
    }
}

/// Lines gathered into batches of about `batch_size` rows. A read error, which the line
/// iterator raises by stopping the task, ends the stream with that error instead.
struct LineBatches {
    lines: BatchIter<String>,
    schema: SchemaRef,
    batch_size: usize,
    done: bool,
}

impl Iterator for LineBatches {
    type Item = DfResult<RecordBatch>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let mut values = StringBuilder::new();
        let mut rows = 0;
        while rows < self.batch_size {
            match catch_unwind(AssertUnwindSafe(|| self.lines.next())) {
                Ok(Some(chunk)) => {
                    rows += chunk.len();
                    chunk.iter().for_each(|l| values.append_value(l));
                }
                Ok(None) => {
                    self.done = true;
                    break;
                }
                Err(payload) => {
                    self.done = true;
                    return match payload.downcast::<TaskAbort>() {
                        Ok(abort) => Some(Err(to_datafusion(abort.0))),
                        Err(other) => resume_unwind(other),
                    };
                }
            }
        }
        if rows == 0 {
            return None;
        }
        Some(
            RecordBatch::try_new(Arc::clone(&self.schema), vec![Arc::new(values.finish())])
                .map_err(Into::into),
        )
    }
}

/// `Rdd<Row>::to_df`: the rows' own field names and value types, one schema for all
/// partitions (each column typed by its first non-null value over the whole RDD).
fn rows_to_df(ctx: &Context, parts: &[Vec<Row>]) -> Result<DataFrame> {
    let all: Vec<Row> = parts.iter().flatten().cloned().collect();
    let batch = super::row_batches::rows_to_batch(&all)?;
    let mut partitions = Vec::with_capacity(parts.len().max(1));
    let mut offset = 0;
    for p in parts {
        partitions.push(if p.is_empty() {
            Vec::new()
        } else {
            vec![batch.slice(offset, p.len())]
        });
        offset += p.len();
    }
    if partitions.is_empty() {
        partitions.push(Vec::new());
    }
    let table = MemTable::try_new(batch.schema(), partitions).map_err(df_err)?;
    let df = ctx.session().read_table(Arc::new(table)).map_err(df_err)?;
    Ok(DataFrame::new(ctx.clone(), df))
}
