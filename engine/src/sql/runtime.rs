//! Driving DataFusion's async streams from Ember's task threads.
//!
//! DataFusion operators are async streams. A task polls its stream with [`block_on`] on the
//! task thread itself, so CPU work stays within Ember's task slots; the shared runtime's two
//! worker threads only serve what operators spawn (file reads of the object store, spills).
//! The Ember task that runs a plan reaches its executor's services through [`EmberTaskEnv`],
//! an extension of the DataFusion task context.

use crate::error::{EngineError, Result};
use crate::task_context::TaskContext;
use datafusion::execution::TaskContext as DfTaskContext;
use datafusion::physical_plan::{ExecutionPlan, SendableRecordBatchStream};
use futures::StreamExt;
use std::future::Future;
use std::sync::{Arc, OnceLock};

/// The process-wide runtime for DataFusion's spawned work.
pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("ember-io")
            .enable_all()
            .build()
            .expect("the tokio runtime starts (threads and timers are available)")
    })
}

/// Runs `fut` to completion on the calling thread, inside Ember's runtime. Called from within
/// another tokio runtime (a user's `#[tokio::main]`), it runs on a scoped helper thread instead,
/// since a runtime cannot block inside another.
pub fn block_on<F>(fut: F) -> F::Output
where
    F: Future + Send,
    F::Output: Send,
{
    if tokio::runtime::Handle::try_current().is_ok() {
        std::thread::scope(|s| {
            s.spawn(|| runtime().block_on(fut))
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p))
        })
    } else {
        runtime().block_on(fut)
    }
}

/// The Ember task a DataFusion plan partition runs in: its executor services and metrics.
pub struct EmberTaskEnv {
    /// The running task.
    pub task: Arc<TaskContext>,
}

/// A DataFusion task context for running a plan inside Ember task `tc`: `base` (the session's
/// functions, configuration and memory pool) plus the [`EmberTaskEnv`] extension that shuffle
/// readers use.
pub fn task_context(base: &DfTaskContext, tc: &Arc<TaskContext>) -> Arc<DfTaskContext> {
    let config = base
        .session_config()
        .clone()
        .with_extension(Arc::new(EmberTaskEnv {
            task: Arc::clone(tc),
        }));
    Arc::new(DfTaskContext::new(
        Some(tc.task_attempt_id().to_string()),
        base.session_id(),
        config,
        base.scalar_functions().clone(),
        base.higher_order_functions().clone(),
        base.aggregate_functions().clone(),
        base.window_functions().clone(),
        base.runtime_env(),
    ))
}

/// The Ember task behind a DataFusion task context, or an error naming `who` needs it.
pub fn ember_task(ctx: &DfTaskContext, who: &str) -> Result<Arc<TaskContext>> {
    ctx.session_config()
        .get_extension::<EmberTaskEnv>()
        .map(|e| Arc::clone(&e.task))
        .ok_or_else(|| EngineError::Query {
            message: format!("{who} runs only inside an Ember task (no Ember task environment)"),
        })
}

/// Executes partition `partition` of `plan` in Ember task `tc` and hands each batch to `f`,
/// checking for cancellation between batches.
pub fn for_each_batch(
    plan: &Arc<dyn ExecutionPlan>,
    partition: usize,
    base: &DfTaskContext,
    tc: &Arc<TaskContext>,
    mut f: impl FnMut(arrow::record_batch::RecordBatch) -> Result<()> + Send,
) -> Result<()> {
    let ctx = task_context(base, tc);
    let cancelled = || EngineError::Cancelled {
        reason: "the job was cancelled".into(),
    };
    block_on(async move {
        let mut stream: SendableRecordBatchStream = plan
            .execute(partition, ctx)
            .map_err(super::from_datafusion)?;
        // An operator may run long before its first batch (an aggregation over a join), so the
        // cancel flag is also checked on a timer while the stream is polled.
        let mut tick = tokio::time::interval(std::time::Duration::from_millis(50));
        loop {
            tokio::select! {
                biased;
                next = stream.next() => match next {
                    Some(batch) => {
                        if tc.is_cancelled() {
                            return Err(cancelled());
                        }
                        f(batch.map_err(super::from_datafusion)?)?;
                    }
                    None => return Ok(()),
                },
                _ = tick.tick() => {
                    if tc.is_cancelled() {
                        return Err(cancelled());
                    }
                }
            }
        }
    })
}
