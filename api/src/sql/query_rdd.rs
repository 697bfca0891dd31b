//! A query's result as an RDD: `df.rdd()` (an `Rdd<Row>`, Spark's `df.rdd`) and
//! `df.arrow_rdd()` (an `Rdd<Vec<u8>>` of Arrow IPC streams, one per record batch, for front
//! ends that decode batches themselves, such as the Python package).

use super::dataframe::DataFrame;
use super::rows::{Row, batch_rows};
use super::run::{df_err, resolve_subqueries, stages};
use crate::error::Result;
use crate::rdd::Rdd;
use arrow::array::RecordBatch;
use ember_engine::EngineError;
use ember_engine::data::Data;
use ember_engine::rdd::{BatchIter, Dependency, RddBase, RddCompute, RddMeta};
use ember_engine::sql::PlanRdd;
use ember_engine::sql::runtime::block_on;
use ember_engine::task_context::{TaskContext, abort};
use std::panic::Location;
use std::sync::Arc;

/// Turns one record batch of the result into elements.
type Convert<T> = fn(&RecordBatch, &Arc<[String]>) -> std::result::Result<Vec<T>, EngineError>;

/// The elements of a query's result stage: partition `i` is partition `i` of the plan fragment
/// `root` (whose shuffle dependencies the scheduler runs first), converted batch by batch.
struct QueryRdd<T> {
    meta: RddMeta,
    root: Arc<PlanRdd>,
    names: Arc<[String]>,
    convert: Convert<T>,
    kind: &'static str,
}

impl<T: Data> RddBase for QueryRdd<T> {
    fn meta(&self) -> &RddMeta {
        &self.meta
    }
    fn kind(&self) -> &'static str {
        self.kind
    }
    fn num_partitions(&self) -> usize {
        self.root.num_partitions()
    }
    fn dependencies(&self) -> Vec<Dependency> {
        vec![Dependency::one_to_one(
            Arc::clone(&self.root) as Arc<dyn RddBase>
        )]
    }
}

impl<T: Data> RddCompute<T> for QueryRdd<T> {
    fn compute(&self, split: usize, tc: &Arc<TaskContext>) -> ember_engine::Result<BatchIter<T>> {
        let root = Arc::clone(&self.root);
        let names = Arc::clone(&self.names);
        let convert = self.convert;
        let tc = Arc::clone(tc);
        // Nothing runs until the first chunk is pulled; then the partition's batches are
        // computed and converted one batch at a time.
        let batches = std::iter::once_with(move || {
            root.collect_partition(split, &tc)
                .unwrap_or_else(|e| abort(e))
        })
        .flatten();
        Ok(Box::new(batches.map(move |b| {
            convert(&b, &names).unwrap_or_else(|e| abort(e))
        })))
    }
}

/// A batch as one Arrow IPC stream.
fn batch_ipc(
    batch: &RecordBatch,
    _names: &Arc<[String]>,
) -> std::result::Result<Vec<Vec<u8>>, EngineError> {
    Ok(vec![ember_engine::ipc::encode(
        std::slice::from_ref(batch),
        "a query result batch",
    )?])
}

impl DataFrame {
    #[track_caller]
    fn query_rdd<T: Data>(
        &self,
        name: &'static str,
        kind: &'static str,
        convert: Convert<T>,
    ) -> Result<Rdd<T>> {
        let ctx = self.context();
        if self.is_ddl() {
            return Ok(ctx.empty());
        }
        let meta = ctx.new_meta(name, Location::caller());
        let plan = block_on(self.inner().clone().create_physical_plan()).map_err(df_err)?;
        let plan = resolve_subqueries(ctx, plan, name)?;
        let root = stages(ctx, plan)?;
        let names: Arc<[String]> = self
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        Ok(ctx.wrap(Arc::new(QueryRdd {
            meta,
            root,
            names,
            convert,
            kind,
        })))
    }

    /// The rows of this DataFrame as an RDD (Spark's `df.rdd`). Lazy: the query is planned
    /// now (files are listed, and scalar subqueries, if any, run as jobs of their own), and
    /// computed by the jobs of the RDD's actions. Its partitions are those of the query's
    /// result stage; the stages before it are its lineage, so a narrow transformation of the
    /// rows (`map`, `filter`) runs in the same tasks as the end of the query. A task holds its
    /// partition's record batches in memory while it turns them into rows.
    ///
    /// ```
    /// let ctx = ember::Context::new(ember::Conf::new().master("local[2]"))?;
    /// let df = ctx.sql("SELECT * FROM (VALUES ('a', 1), ('b', 2)) AS t(k, v)")?;
    /// let mut got = df.rdd()?.map(|r| format!("{}={}", r.get(0).unwrap(), r.get(1).unwrap())).collect()?;
    /// got.sort();
    /// assert_eq!(got, ["a=1", "b=2"]);
    /// # Ok::<(), ember::Error>(())
    /// ```
    #[track_caller]
    pub fn rdd(&self) -> Result<Rdd<Row>> {
        self.query_rdd("df.rdd", "SQLRowsRDD", batch_rows)
    }

    /// The result's record batches as an RDD of Arrow IPC streams (one batch each), lazily
    /// computed as [`DataFrame::rdd`] is: for front ends that decode batches themselves.
    ///
    /// ```
    /// let ctx = ember::Context::new(ember::Conf::new().master("local[2]"))?;
    /// let df = ctx.sql("SELECT * FROM (VALUES (1), (2), (3)) AS t(v)")?;
    /// let rows: usize = df
    ///     .arrow_rdd()?
    ///     .map(|ipc| ember_engine::ipc::decode(&ipc, "test").unwrap().iter().map(|b| b.num_rows()).sum::<usize>())
    ///     .collect()?
    ///     .into_iter()
    ///     .sum();
    /// assert_eq!(rows, 3);
    /// # Ok::<(), ember::Error>(())
    /// ```
    #[track_caller]
    pub fn arrow_rdd(&self) -> Result<Rdd<Vec<u8>>> {
        self.query_rdd("df.arrow_rdd", "SQLArrowRDD", batch_ipc)
    }
}
