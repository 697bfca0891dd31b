//! `NativeSession`: the SQL side of a context (catalog, readers, SQL text, function lookup),
//! used by `ember/sql/session.py`.

use super::expr::type_from_ipc;
use super::expr::{NativeExpr, exprs};
use super::frame::NativeDataFrame;
use super::udf::PythonUdf;
use super::{AnalysisException, df_error, ember_error, from_ipc};
use crate::worker::OutputKind;
use crate::worker::WorkerPool;
use crate::{NativeContext, NativeRdd};
use datafusion::datasource::MemTable;
use datafusion::execution::FunctionRegistry;
use datafusion::logical_expr::ExprFunctionExt;
use datafusion::logical_expr::ScalarUDF;
use ember::Context;
use pyo3::prelude::*;
use std::sync::Arc;

/// The SQL session of a context.
#[pyclass(frozen, module = "ember._ember")]
pub(crate) struct NativeSession {
    ctx: Context,
    pool: Arc<WorkerPool>,
}

impl NativeSession {
    /// A DataFrame over record batches held in memory, one list per partition.
    fn in_memory(
        &self,
        schema: arrow::datatypes::SchemaRef,
        partitions: Vec<Vec<arrow::record_batch::RecordBatch>>,
    ) -> PyResult<NativeDataFrame> {
        let table = MemTable::try_new(schema, partitions).map_err(df_error)?;
        let df = self
            .ctx
            .session()
            .read_table(Arc::new(table))
            .map_err(df_error)?;
        Ok(NativeDataFrame::wrap(&self.ctx, df))
    }
}

#[pymethods]
impl NativeSession {
    #[new]
    fn new(context: &NativeContext) -> Self {
        NativeSession {
            ctx: context.ctx.clone(),
            pool: Arc::clone(&context.pool),
        }
    }

    /// A DataFrame of a SQL statement (DDL runs at once).
    fn sql(&self, py: Python<'_>, query: &str) -> PyResult<NativeDataFrame> {
        let ctx = self.ctx.clone();
        let df = py.detach(move || ctx.sql(query)).map_err(ember_error)?;
        Ok(NativeDataFrame { df })
    }

    /// A DataFrame over files: `format` is csv, json, parquet or text; options as Spark's;
    /// `schema` an Arrow IPC stream whose schema is imposed.
    #[pyo3(signature = (format, path, options, schema=None))]
    fn read(
        &self,
        py: Python<'_>,
        format: &str,
        path: &str,
        options: Vec<(String, String)>,
        schema: Option<Vec<u8>>,
    ) -> PyResult<NativeDataFrame> {
        let mut reader = self.ctx.read().format(format).options(options);
        if let Some(ipc) = schema {
            reader = reader.schema(from_ipc(&ipc)?.0);
        }
        let df = py.detach(move || reader.load(path)).map_err(ember_error)?;
        Ok(NativeDataFrame { df })
    }

    /// A DataFrame over record batches (an Arrow IPC stream), spread over `partitions`.
    fn arrow_table(&self, ipc: &[u8], partitions: usize) -> PyResult<NativeDataFrame> {
        let (schema, batches) = from_ipc(ipc)?;
        let n = partitions.max(1);
        let mut parts = vec![Vec::new(); n];
        let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
        let per = rows.div_ceil(n).max(1);
        let mut part = 0;
        let mut filled = 0;
        for b in batches {
            let mut offset = 0;
            while offset < b.num_rows() {
                let take = (per - filled).min(b.num_rows() - offset);
                parts[part].push(b.slice(offset, take));
                offset += take;
                filled += take;
                if filled == per && part + 1 < n {
                    part += 1;
                    filled = 0;
                }
            }
        }
        self.in_memory(schema, parts)
    }

    /// The table or view `name` as a DataFrame.
    fn table(&self, py: Python<'_>, name: &str) -> PyResult<NativeDataFrame> {
        let session = self.ctx.session().clone();
        let df = py
            .detach(|| ember_engine::sql::runtime::block_on(session.table(name)))
            .map_err(df_error)?;
        Ok(NativeDataFrame::wrap(&self.ctx, df))
    }

    /// Drops a table or view; false when there was none.
    fn drop_table(&self, name: &str) -> PyResult<bool> {
        let dropped = self
            .ctx
            .session()
            .deregister_table(name)
            .map_err(df_error)?;
        Ok(dropped.is_some())
    }

    /// Names of the tables and views of the current schema.
    fn table_names(&self) -> PyResult<Vec<String>> {
        let session = self.ctx.session();
        let state = session.state();
        let catalog = &state.config_options().catalog;
        let schema = session
            .catalog(&catalog.default_catalog)
            .and_then(|c| c.schema(&catalog.default_schema));
        let mut names = schema.map(|s| s.table_names()).unwrap_or_default();
        names.sort();
        Ok(names)
    }

    /// True when `name` is a registered function (scalar, aggregate or window).
    fn has_function(&self, name: &str) -> bool {
        let state = self.ctx.session().state();
        state.udf(name).is_ok() || state.udaf(name).is_ok() || state.udwf(name).is_ok()
    }

    /// A call of the function registered as `name` (scalar, aggregate or window).
    #[pyo3(signature = (name, args, distinct=false))]
    fn call(&self, name: &str, args: Vec<NativeExpr>, distinct: bool) -> PyResult<NativeExpr> {
        let state = self.ctx.session().state();
        let args = exprs(&args);
        if let Ok(f) = state.udf(name) {
            return Ok(f.call(args).into());
        }
        if let Ok(f) = state.udaf(name) {
            let call = f.call(args);
            if distinct {
                return call.distinct().build().map(Into::into).map_err(df_error);
            }
            return Ok(call.into());
        }
        if let Ok(f) = state.udwf(name) {
            return Ok(f.call(args).into());
        }
        Err(AnalysisException::new_err(format!(
            "[UNRESOLVED_ROUTINE] Cannot resolve routine `{name}`: no such function"
        )))
    }

    /// A call of a Python function (cloudpickled with its kind and return type by
    /// `ember/sql/udf.py`) evaluated in worker processes.
    fn python_udf(
        &self,
        name: &str,
        command: Vec<u8>,
        returns: &[u8],
        args: Vec<NativeExpr>,
    ) -> PyResult<NativeExpr> {
        let udf = PythonUdf::new(name, command, type_from_ipc(returns)?, &self.pool);
        Ok(ScalarUDF::from(udf).call(exprs(&args)).into())
    }

    /// Registers a Python function under `name` for SQL text.
    fn register_python_udf(&self, name: &str, command: Vec<u8>, returns: &[u8]) -> PyResult<()> {
        let udf = PythonUdf::new(name, command, type_from_ipc(returns)?, &self.pool);
        self.ctx.session().register_udf(ScalarUDF::from(udf));
        Ok(())
    }

    /// The rows of a DataFrame as an RDD of Arrow IPC frames (one per record batch), computed
    /// lazily by the RDD's jobs; Python decodes them in workers.
    fn dataframe_rdd(&self, df: &NativeDataFrame) -> PyResult<NativeRdd> {
        let rdd = df.df.arrow_rdd().map_err(ember_error)?;
        Ok(NativeRdd::raw(rdd, &self.pool))
    }

    /// A DataFrame of an RDD: `command` (a cloudpickled function run in workers) turns each
    /// partition into Arrow IPC frames with the schema of the Arrow IPC stream `schema`. The
    /// RDD is computed now, by one job, and its partitions kept as the DataFrame's (as the
    /// Rust API's `Rdd::to_df`).
    fn rdd_dataframe(
        &self,
        py: Python<'_>,
        rdd: &NativeRdd,
        command: &[u8],
        schema: &[u8],
    ) -> PyResult<NativeDataFrame> {
        let (schema, _) = from_ipc(schema)?;
        let (frames, _) = rdd.run_python(command, OutputKind::Raw);
        let parts = py
            .detach(move || frames.glom().collect())
            .map_err(crate::to_py_err)?;
        let mut partitions = Vec::with_capacity(parts.len().max(1));
        for part in parts {
            let mut batches = Vec::new();
            for frame in part {
                batches.extend(from_ipc(&frame)?.1);
            }
            partitions.push(batches);
        }
        if partitions.is_empty() {
            partitions.push(Vec::new());
        }
        self.in_memory(schema, partitions)
    }
}
