//! SQL executions (Spark's `SQLExecution`): every query or DataFrame action that runs jobs
//! is posted as `SqlStart` (its SQL text or action, and its physical plan) and `SqlEnd` (its
//! error, if any), and the jobs it runs carry its id in their `JobStart`.

use super::run::execute;
use crate::context::Context;
use crate::error::Result;
use arrow::record_batch::RecordBatch;
use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_plan::display::DisplayableExecutionPlan;
use ember_scheduler::events::{Event, now_ms};
use std::sync::Arc;

/// Runs `run` as a SQL execution described by `description` (the SQL text, or the action)
/// over physical plan `plan`. Within an execution already running on this thread (a scalar
/// subquery, an action built on another) it just runs `run`: its jobs belong to that one.
pub(crate) fn in_sql_execution<T>(
    ctx: &Context,
    description: &str,
    plan: &Arc<dyn ExecutionPlan>,
    run: impl FnOnce() -> Result<T>,
) -> Result<T> {
    let scheduler = &ctx.inner.scheduler;
    let Some(execution) = scheduler.sql_executions().start() else {
        return run();
    };
    let events = scheduler.events();
    let id = execution.id();
    if events.is_active() {
        events.post(Event::SqlStart {
            execution_id: id,
            description: description.to_string(),
            plan: DisplayableExecutionPlan::new(plan.as_ref())
                .indent(true)
                .to_string(),
            time: now_ms(),
        });
    }
    let outcome = run();
    drop(execution);
    if events.is_active() {
        events.post(Event::SqlEnd {
            execution_id: id,
            error: outcome.as_ref().err().map(ToString::to_string),
            time: now_ms(),
        });
    }
    outcome
}

/// [`execute`] as a SQL execution: `job` describes its jobs (progress bar, status API),
/// `query` the execution (the SQL text, or the action).
pub(crate) fn execute_query(
    ctx: &Context,
    plan: Arc<dyn ExecutionPlan>,
    job: String,
    query: &str,
) -> Result<Vec<RecordBatch>> {
    let shown = Arc::clone(&plan);
    in_sql_execution(ctx, query, &shown, || execute(ctx, plan, job))
}
