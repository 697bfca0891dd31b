//! `/applications/{app}/executors` (active ones) and `/allexecutors`: Spark's
//! `ExecutorSummary`. `totalTasks` counts the task attempts that ran or run on the executor
//! (active, completed and failed); `hostPort` is the host the executor registered with.

use super::{Answer, Apps, iso, iso_time, with_app};
use crate::ui::store::{AppState, ExecutorRecord};
use axum::extract::Path;
use serde::Serialize;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ExecutorSummary {
    id: String,
    host_port: String,
    is_active: bool,
    rdd_blocks: usize,
    memory_used: u64,
    disk_used: u64,
    total_cores: usize,
    max_tasks: usize,
    active_tasks: usize,
    failed_tasks: usize,
    completed_tasks: usize,
    total_tasks: usize,
    /// Sum of its tasks' run times, in ms.
    total_duration: u64,
    total_input_bytes: u64,
    total_shuffle_read: u64,
    total_shuffle_write: u64,
    max_memory: u64,
    add_time: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    remove_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    remove_reason: Option<String>,
}

impl ExecutorSummary {
    fn of(e: &ExecutorRecord, s: &AppState) -> Self {
        let rdd_blocks = s
            .rdds
            .values()
            .flat_map(|r| r.blocks.values())
            .filter(|b| b.executor_id == e.id)
            .count();
        ExecutorSummary {
            id: e.id.clone(),
            host_port: e.host.clone(),
            is_active: e.removed.is_none(),
            rdd_blocks,
            memory_used: e.memory_used,
            disk_used: e.disk_used,
            total_cores: e.cores,
            max_tasks: e.cores,
            active_tasks: e.active_tasks,
            failed_tasks: e.failed_tasks,
            completed_tasks: e.completed_tasks,
            total_tasks: e.active_tasks + e.failed_tasks + e.completed_tasks,
            total_duration: e.task_time_ms,
            total_input_bytes: e.metrics.input_bytes,
            total_shuffle_read: e.metrics.shuffle_read_bytes,
            total_shuffle_write: e.metrics.shuffle_write_bytes,
            max_memory: e.max_memory,
            add_time: iso_time(e.added),
            remove_time: iso(e.removed.as_ref().map(|r| r.0)),
            remove_reason: e.removed.as_ref().map(|r| r.1.clone()),
        }
    }
}

fn summaries(apps: Apps, app: &str, only_active: bool) -> Answer<Vec<ExecutorSummary>> {
    with_app(apps.0.as_ref(), app, |s| {
        Ok(s.executors
            .values()
            .filter(|e| !only_active || e.removed.is_none())
            .map(|e| ExecutorSummary::of(e, s))
            .collect())
    })
}

/// `GET .../executors`: the active executors.
pub(super) async fn active(apps: Apps, Path(app): Path<String>) -> Answer<Vec<ExecutorSummary>> {
    summaries(apps, &app, true)
}

/// `GET .../allexecutors`: every executor, removed ones included.
pub(super) async fn all(apps: Apps, Path(app): Path<String>) -> Answer<Vec<ExecutorSummary>> {
    summaries(apps, &app, false)
}
