//! Running a physical plan as an Ember job.

use super::input_metrics::count_scans;
use crate::context::Context;
use crate::error::{Error, Result};
use arrow::record_batch::RecordBatch;
use datafusion::common::ScalarValue;
use datafusion::error::DataFusionError;
use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_plan::execution_plan::replace_children_if_necessary;
use datafusion::physical_plan::scalar_subquery::ScalarSubqueryExec;
use ember_engine::EngineError;
use ember_engine::cleaner::Cleaner;
use ember_engine::ids::ShuffleId;
use ember_engine::rdd::{RddBase, RddMeta};
use ember_engine::sql::planner::{StageIds, cut};
use ember_engine::sql::{PlanRdd, from_datafusion};
use ember_scheduler::SchedulerError;
use std::sync::Arc;

impl StageIds for Context {
    fn rdd_meta(&self, name: String) -> RddMeta {
        RddMeta::new(self.new_rdd_id(), "sql", name).with_cleaner(self.inner.cleaner.clone())
    }
    fn shuffle_id(&self) -> ShuffleId {
        self.new_shuffle_id()
    }
    fn cleaner(&self) -> Option<Cleaner> {
        Some(self.inner.cleaner.clone())
    }
}

/// The one child of plan node `name` rebuilt with `children` (its `with_new_children`).
pub(crate) fn only_child(
    name: &str,
    children: Vec<Arc<dyn ExecutionPlan>>,
) -> datafusion::error::Result<Arc<dyn ExecutionPlan>> {
    let [child] = <[_; 1]>::try_from(children)
        .map_err(|c| DataFusionError::Internal(format!("{name} has one child, not {}", c.len())))?;
    Ok(child)
}

/// A DataFusion error as Ember's.
pub(crate) fn df_err(e: DataFusionError) -> Error {
    Error::Engine(from_datafusion(e))
}

/// A failed SQL job reports the query's own error: a query error (or a malformed record under
/// read mode FAILFAST) fails the job at its first occurrence, and the job wrapper would only
/// add noise to its message.
pub(crate) fn unwrap_query_error(e: Error) -> Error {
    match e {
        Error::Job(SchedulerError::TaskFailed {
            error: q @ (EngineError::Query { .. } | EngineError::MalformedRecord { .. }),
            ..
        }) => Error::Engine(q),
        other => other,
    }
}

/// Cuts `plan` into stages to run it; its file scans count their input in the task metrics
/// (see [`count_scans`]).
pub(crate) fn stages(ctx: &Context, plan: Arc<dyn ExecutionPlan>) -> Result<Arc<PlanRdd>> {
    plan_stages(ctx, count_scans(plan).map_err(df_err)?)
}

/// Cuts `plan` into stages as it is (for `EXPLAIN`).
pub(crate) fn plan_stages(ctx: &Context, plan: Arc<dyn ExecutionPlan>) -> Result<Arc<PlanRdd>> {
    let base = ctx.session().task_ctx();
    Ok(cut(plan, ctx, &base)?)
}

/// Runs the stages rooted at `root` as one job and returns every output batch, in partition
/// order.
pub(crate) fn run_stages(
    ctx: &Context,
    root: &Arc<PlanRdd>,
    description: String,
) -> Result<Vec<RecordBatch>> {
    ctx.clean_up();
    let r = Arc::clone(root);
    let n = root.num_partitions();
    let values = ctx
        .run_job(
            Arc::clone(root) as Arc<dyn RddBase>,
            (0..n).collect(),
            description,
            crate::cluster::batches_codec(),
            move |tc| r.collect_partition(tc.partition_id(), tc),
        )
        .map_err(unwrap_query_error)?;
    Ok(values.into_iter().flatten().collect())
}

/// Plans and runs `plan`: scalar subqueries first, each as a job of its own, then the plan.
pub(crate) fn execute(
    ctx: &Context,
    plan: Arc<dyn ExecutionPlan>,
    description: String,
) -> Result<Vec<RecordBatch>> {
    let plan = resolve_subqueries(ctx, plan, &description)?;
    let root = stages(ctx, plan)?;
    run_stages(ctx, &root, description)
}

/// Runs the subqueries of every `ScalarSubqueryExec` in `plan` and stores their values where
/// the plan's expressions read them, then drops those nodes: their input can then be cut into
/// stages like any plan (DataFusion would run the subqueries when the node first executes,
/// which in Ember would be after the stages below it had already run).
pub(crate) fn resolve_subqueries(
    ctx: &Context,
    plan: Arc<dyn ExecutionPlan>,
    description: &str,
) -> Result<Arc<dyn ExecutionPlan>> {
    if let Some(s) = plan.downcast_ref::<ScalarSubqueryExec>() {
        for link in s.subqueries() {
            let batches = execute(
                ctx,
                Arc::clone(&link.plan),
                format!("{description} (scalar subquery)"),
            )?;
            let value = scalar_value(&link.plan, &batches)?;
            s.results().set(link.index, value).map_err(df_err)?;
        }
        return resolve_subqueries(ctx, Arc::clone(s.input()), description);
    }
    let children: Vec<Arc<dyn ExecutionPlan>> = plan.children().into_iter().cloned().collect();
    if children.is_empty() {
        return Ok(plan);
    }
    let mut resolved = Vec::with_capacity(children.len());
    for c in children {
        resolved.push(resolve_subqueries(ctx, c, description)?);
    }
    replace_children_if_necessary(plan, resolved).map_err(df_err)
}

/// SQL's value of a scalar subquery: NULL for no row, the value for one, an error for more.
fn scalar_value(plan: &Arc<dyn ExecutionPlan>, batches: &[RecordBatch]) -> Result<ScalarValue> {
    let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
    match batches.iter().find(|b| b.num_rows() > 0) {
        _ if rows > 1 => Err(df_err(DataFusionError::Execution(
            "Scalar subquery returned more than one row".into(),
        ))),
        Some(b) => ScalarValue::try_from_array(b.column(0), 0).map_err(df_err),
        None => ScalarValue::try_from(plan.schema().field(0).data_type()).map_err(df_err),
    }
}
