//! `/applications/{app}/stages[/{stage}[/{attempt}[/taskList]]]`: Spark's `StageData` and
//! `TaskData`.
//!
//! Every recorded stage attempt is listed (a stage that two jobs both ran appears once per
//! job; `jobIds` names the job of each entry). A stage no job ran is listed once more, with
//! no attempt record behind it, as `PENDING` while a running job waits for it or `SKIPPED`
//! when its jobs did without it (its output already existed, or the job ended first); its
//! `jobIds` are those jobs.
//!
//! Ember does not tell local from remote shuffle reads: a task's `shuffleReadMetrics` carry
//! every byte read in `localBytesRead` and 0 in `remoteBytesRead`, so their sum (what Spark's
//! UI shows) is right.

use super::jobs::stage_state_in;
use super::{Answer, ApiError, Apps, Params, by_id, iso, iso_time, number, with_app};
use crate::ui::store::{AppState, StageRecord, StageState, TaskRecord};
use axum::extract::{Path, State};
use ember_engine::task_context::TaskMetricsSnapshot;
use ember_scheduler::events::StagePlan;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct StageData {
    status: StageState,
    stage_id: u64,
    attempt_id: u32,
    num_tasks: usize,
    num_active_tasks: usize,
    num_complete_tasks: usize,
    num_failed_tasks: usize,
    num_killed_tasks: usize,
    executor_run_time: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    submission_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    completion_time: Option<String>,
    input_bytes: u64,
    input_records: u64,
    output_bytes: u64,
    output_records: u64,
    shuffle_read_bytes: u64,
    shuffle_read_records: u64,
    shuffle_write_bytes: u64,
    shuffle_write_records: u64,
    memory_bytes_spilled: u64,
    disk_bytes_spilled: u64,
    name: String,
    /// Spark's long call site; Ember records one call site, the one in `name`.
    details: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    failure_reason: Option<String>,
    job_ids: Vec<u64>,
    /// Task attempts by id, in the answers about one stage.
    #[serde(skip_serializing_if = "Option::is_none")]
    tasks: Option<BTreeMap<u64, TaskData>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct TaskData {
    task_id: u64,
    /// The partition.
    index: usize,
    attempt: u32,
    launch_time: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    duration: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    executor_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    host: Option<String>,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_message: Option<String>,
    task_metrics: TaskMetrics,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TaskMetrics {
    executor_run_time: u64,
    input_metrics: InputMetrics,
    output_metrics: OutputMetrics,
    shuffle_read_metrics: ShuffleReadMetrics,
    shuffle_write_metrics: ShuffleWriteMetrics,
    memory_bytes_spilled: u64,
    disk_bytes_spilled: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct InputMetrics {
    bytes_read: u64,
    records_read: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OutputMetrics {
    bytes_written: u64,
    records_written: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ShuffleReadMetrics {
    remote_bytes_read: u64,
    local_bytes_read: u64,
    records_read: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ShuffleWriteMetrics {
    bytes_written: u64,
    records_written: u64,
}

impl TaskData {
    fn of(t: &TaskRecord, s: &AppState) -> Self {
        let m = &t.metrics;
        let executor = (!t.executor_id.is_empty()).then(|| t.executor_id.clone());
        let host = s.executors.get(&t.executor_id).map(|e| e.host.clone());
        TaskData {
            task_id: t.task_id,
            index: t.partition,
            attempt: t.attempt,
            launch_time: iso_time(t.launched),
            duration: (t.status != "RUNNING").then_some(t.duration_ms),
            executor_id: executor,
            host,
            status: t.status,
            error_message: t.error.clone(),
            task_metrics: TaskMetrics {
                executor_run_time: t.duration_ms,
                input_metrics: InputMetrics {
                    bytes_read: m.input_bytes,
                    records_read: m.input_records,
                },
                output_metrics: OutputMetrics {
                    bytes_written: m.output_bytes,
                    records_written: m.output_records,
                },
                shuffle_read_metrics: ShuffleReadMetrics {
                    remote_bytes_read: 0,
                    local_bytes_read: m.shuffle_read_bytes,
                    records_read: m.shuffle_read_records,
                },
                shuffle_write_metrics: ShuffleWriteMetrics {
                    bytes_written: m.shuffle_write_bytes,
                    records_written: m.shuffle_write_records,
                },
                memory_bytes_spilled: m.memory_bytes_spilled,
                disk_bytes_spilled: m.disk_bytes_spilled,
            },
        }
    }
}

/// A stage as listed: a recorded attempt, or a stage no job ran.
enum Entry<'a> {
    Ran(&'a StageRecord),
    NotRun {
        plan: &'a StagePlan,
        status: StageState,
        jobs: Vec<u64>,
    },
}

impl Entry<'_> {
    fn stage_id(&self) -> u64 {
        match self {
            Entry::Ran(r) => r.stage_id,
            Entry::NotRun { plan, .. } => plan.stage_id,
        }
    }

    fn attempt(&self) -> u32 {
        match self {
            Entry::Ran(r) => r.attempt,
            Entry::NotRun { .. } => 0,
        }
    }

    fn status(&self) -> StageState {
        match self {
            Entry::Ran(r) => r.state,
            Entry::NotRun { status, .. } => *status,
        }
    }

    /// Its data, with its tasks when `details`.
    fn data(&self, s: &AppState, details: bool) -> StageData {
        let (record, metrics) = match self {
            Entry::Ran(r) => (Some(*r), r.metrics),
            Entry::NotRun { .. } => (None, TaskMetricsSnapshot::default()),
        };
        let (name, num_tasks, job_ids) = match self {
            Entry::Ran(r) => (r.name.clone(), r.num_tasks, vec![r.job_id]),
            Entry::NotRun { plan, jobs, .. } => (plan.name.clone(), plan.num_tasks, jobs.clone()),
        };
        let of_record = |f: fn(&StageRecord) -> usize| record.map_or(0, f);
        let tasks = details.then(|| {
            record
                .iter()
                .flat_map(|r| r.tasks.values())
                .map(|t| (t.task_id, TaskData::of(t, s)))
                .collect()
        });
        StageData {
            status: self.status(),
            stage_id: self.stage_id(),
            attempt_id: self.attempt(),
            num_tasks,
            num_active_tasks: of_record(|r| r.active_tasks),
            num_complete_tasks: of_record(|r| r.completed_tasks),
            num_failed_tasks: of_record(|r| r.failed_tasks),
            num_killed_tasks: of_record(|r| r.killed_tasks),
            executor_run_time: record.map_or(0, |r| r.task_time_ms),
            submission_time: iso(record.and_then(|r| r.submitted)),
            completion_time: iso(record.and_then(|r| r.completed)),
            input_bytes: metrics.input_bytes,
            input_records: metrics.input_records,
            output_bytes: metrics.output_bytes,
            output_records: metrics.output_records,
            shuffle_read_bytes: metrics.shuffle_read_bytes,
            shuffle_read_records: metrics.shuffle_read_records,
            shuffle_write_bytes: metrics.shuffle_write_bytes,
            shuffle_write_records: metrics.shuffle_write_records,
            memory_bytes_spilled: metrics.memory_bytes_spilled,
            disk_bytes_spilled: metrics.disk_bytes_spilled,
            details: name.clone(),
            name,
            failure_reason: record.and_then(|r| r.failure.clone()),
            job_ids,
            tasks,
        }
    }
}

/// Every stage entry, newest (highest stage, attempt, job) first.
fn entries(s: &AppState) -> Vec<Entry<'_>> {
    let mut not_run: BTreeMap<u64, (&StagePlan, StageState, Vec<u64>)> = BTreeMap::new();
    for job in s.jobs.values() {
        for plan in &job.stages {
            let status = stage_state_in(job, plan.stage_id);
            let ran_here = s.attempts(plan.stage_id).any(|r| r.job_id == job.job_id);
            let Some(status @ (StageState::Pending | StageState::Skipped)) = status else {
                continue;
            };
            if ran_here {
                continue;
            }
            let e = not_run
                .entry(plan.stage_id)
                .or_insert((plan, status, Vec::new()));
            if status == StageState::Pending {
                e.1 = StageState::Pending;
            }
            e.2.push(job.job_id);
        }
    }
    let ran = s.stages.values().rev().map(Entry::Ran);
    let not_run = not_run
        .into_values()
        .map(|(plan, status, jobs)| Entry::NotRun { plan, status, jobs });
    let mut all: Vec<Entry> = ran.chain(not_run).collect();
    // Stable: a stage's recorded attempts stay ahead of its not-run entry.
    all.sort_by_key(|e| std::cmp::Reverse((e.stage_id(), e.attempt())));
    all
}

const STATUSES: [(&str, StageState); 5] = [
    ("active", StageState::Active),
    ("complete", StageState::Complete),
    ("pending", StageState::Pending),
    ("failed", StageState::Failed),
    ("skipped", StageState::Skipped),
];

/// `GET .../stages[?status=active|complete|pending|failed|skipped]`.
pub(super) async fn list(
    State(apps): Apps,
    Path(app): Path<String>,
    params: Params,
) -> Answer<Vec<StageData>> {
    let wanted = params.statuses(&STATUSES)?;
    with_app(apps.as_ref(), &app, |s| {
        Ok(entries(s)
            .iter()
            .filter(|e| wanted.is_empty() || wanted.contains(&e.status()))
            .map(|e| e.data(s, false))
            .collect())
    })
}

/// `GET .../stages/{stage}`: every attempt, with tasks.
pub(super) async fn attempts(
    State(apps): Apps,
    Path((app, stage)): Path<(String, String)>,
) -> Answer<Vec<StageData>> {
    by_id(apps.as_ref(), (&app, "stage", &stage), |s, id| {
        let found: Vec<StageData> = entries(s)
            .iter()
            .filter(|e| e.stage_id() == id)
            .map(|e| e.data(s, true))
            .collect();
        (!found.is_empty()).then_some(found)
    })
}

/// The entry of attempt `attempt` of `stage` (the newest job's when several jobs ran it).
fn find<'a>(s: &'a AppState, app: &str, stage: u64, attempt: u32) -> Result<Entry<'a>, ApiError> {
    entries(s)
        .into_iter()
        .find(|e| e.stage_id() == stage && e.attempt() == attempt)
        .ok_or_else(|| {
            ApiError::NotFound(format!(
                "unknown attempt {attempt} of stage {stage} in app {app}"
            ))
        })
}

fn stage_and_attempt(stage: &str, attempt: &str) -> Result<(u64, u32), ApiError> {
    let id = number("stage id", stage)?;
    let attempt = number("stage attempt id", attempt)?;
    let attempt = u32::try_from(attempt)
        .map_err(|_| ApiError::BadRequest(format!("stage attempt id {attempt} is too large")))?;
    Ok((id, attempt))
}

/// `GET .../stages/{stage}/{attempt}`: one attempt, with tasks.
pub(super) async fn one(
    State(apps): Apps,
    Path((app, stage, attempt)): Path<(String, String, String)>,
) -> Answer<StageData> {
    let (id, attempt) = stage_and_attempt(&stage, &attempt)?;
    with_app(apps.as_ref(), &app, |s| {
        find(s, &app, id, attempt).map(|e| e.data(s, true))
    })
}

/// `GET .../stages/{stage}/{attempt}/taskList[?offset=0&length=20]`: its tasks by id.
pub(super) async fn task_list(
    State(apps): Apps,
    Path((app, stage, attempt)): Path<(String, String, String)>,
    params: Params,
) -> Answer<Vec<TaskData>> {
    let (id, attempt) = stage_and_attempt(&stage, &attempt)?;
    let (offset, length) = params.window()?;
    with_app(apps.as_ref(), &app, |s| {
        let tasks = match find(s, &app, id, attempt)? {
            Entry::Ran(r) => r
                .tasks
                .values()
                .skip(offset)
                .take(length)
                .map(|t| TaskData::of(t, s))
                .collect(),
            Entry::NotRun { .. } => Vec::new(),
        };
        Ok(tasks)
    })
}
