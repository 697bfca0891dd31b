//! Runs one task attempt: sets up its context, runs it with panics caught, and packages the
//! outcome, accumulator updates and metrics for the scheduler.

use ember_engine::env::Env;
use ember_engine::error::EngineError;
use ember_engine::task::{TaskCompletion, TaskKind, TaskOutput, TaskSpec};
use ember_engine::task_context::{TaskAbort, TaskContext};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

/// The message of a panic payload (`&str` or `String`), or a placeholder for other payloads.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic with a non-string payload".to_string()
    }
}

/// Runs `spec` on this thread with `env`. Never panics: a panic in user code becomes
/// [`EngineError::UserPanic`], an aborted task its error.
pub fn run_task(spec: &TaskSpec, env: &Arc<Env>) -> TaskCompletion {
    let start = Instant::now();
    let tc = Arc::new(TaskContext::new(
        spec.stage,
        spec.stage_attempt,
        spec.partition,
        spec.attempt,
        spec.task_id,
        Arc::clone(env),
        Arc::clone(&spec.cancelled),
    ));
    let result = if spec.cancelled.load(Ordering::Relaxed) {
        Err(EngineError::Cancelled {
            reason: format!("{} ended before the task started", spec.job),
        })
    } else {
        let run = catch_unwind(AssertUnwindSafe(|| {
            TaskContext::scope(&tc, || match &spec.kind {
                TaskKind::ShuffleMap(dep) => {
                    dep.run_map_task(spec.partition, &tc).map(TaskOutput::Map)
                }
                TaskKind::Result(f) => f(&tc).map(TaskOutput::Value),
            })
        }));
        match run {
            Ok(r) => r,
            Err(payload) => match payload.downcast::<TaskAbort>() {
                Ok(abort) => Err(abort.0),
                Err(payload) => Err(EngineError::UserPanic {
                    message: panic_message(payload.as_ref()),
                }),
            },
        }
    };
    let updates = if result.is_ok() {
        tc.take_updates()
    } else {
        Vec::new()
    };
    TaskCompletion {
        task_id: spec.task_id,
        stage: spec.stage,
        stage_attempt: spec.stage_attempt,
        partition: spec.partition,
        attempt: spec.attempt,
        result,
        updates,
        duration: start.elapsed(),
        metrics: tc.metrics.snapshot(),
        blocks: std::mem::take(&mut *tc.metrics.blocks.lock()),
        executor: env.executor_id.0.clone(),
    }
}
