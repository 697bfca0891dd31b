//! The records of the status store: what the UI knows of the application, its jobs, stage
//! attempts, tasks, executors, cached RDDs and SQL queries.

use ember_engine::task_context::TaskMetricsSnapshot;
use ember_scheduler::events::StagePlan;
use serde::Serialize;
use std::collections::BTreeMap;

/// The application as the UI shows it.
#[derive(Clone, Debug, Default, Serialize)]
pub struct AppInfo {
    /// Its id.
    pub id: String,
    /// `ember.app.name`.
    pub name: String,
    /// The master URL.
    pub master: String,
    /// The user that started it.
    pub user: String,
    /// Start, in ms since the epoch.
    pub start: u64,
    /// End, once it ended.
    pub end: Option<u64>,
}

/// Where a job is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum JobState {
    /// Running.
    Running,
    /// Every stage succeeded.
    Succeeded,
    /// It failed or was cancelled.
    Failed,
}

/// Where a stage attempt is, as seen by one job.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum StageState {
    /// Not submitted yet.
    Pending,
    /// Tasks running.
    Active,
    /// Every task succeeded.
    Complete,
    /// Its output existed; no task ran.
    Skipped,
    /// It failed.
    Failed,
}

/// One job.
#[derive(Clone, Debug, Serialize)]
pub struct JobRecord {
    /// The job.
    pub job_id: u64,
    /// `action at file:line`.
    pub description: String,
    /// Its stages, parents first.
    pub stages: Vec<StagePlan>,
    /// Each stage's state in this job.
    pub stage_states: BTreeMap<u64, StageState>,
    /// The SQL query it ran for.
    pub sql_execution: Option<u64>,
    /// Submission time.
    pub submitted: u64,
    /// Completion time.
    pub completed: Option<u64>,
    /// Its state.
    pub state: JobState,
    /// The error, if it failed.
    pub error: Option<String>,
    /// Tasks of the stages that ran or will run (skipped stages excluded).
    pub num_tasks: usize,
    /// Tasks that succeeded.
    pub completed_tasks: usize,
    /// Task attempts that failed.
    pub failed_tasks: usize,
    /// Task attempts killed.
    pub killed_tasks: usize,
    /// Task attempts running.
    pub active_tasks: usize,
}

impl JobRecord {
    /// Stages of this job in `state`.
    pub fn stages_in(&self, state: StageState) -> usize {
        self.stage_states.values().filter(|s| **s == state).count()
    }
}

/// One task attempt.
#[derive(Clone, Debug, Serialize)]
pub struct TaskRecord {
    /// Its unique id.
    pub task_id: u64,
    /// Its partition.
    pub partition: usize,
    /// Its attempt number.
    pub attempt: u32,
    /// The executor that ran it (empty until it ended).
    pub executor_id: String,
    /// Launch time.
    pub launched: u64,
    /// `RUNNING`, `SUCCESS`, `FAILED` or `KILLED`.
    pub status: &'static str,
    /// Run time on the executor.
    pub duration_ms: u64,
    /// The error, if it failed.
    pub error: Option<String>,
    /// Its counters.
    pub metrics: TaskMetricsSnapshot,
}

impl TaskRecord {
    /// A task attempt launched at `launched`, still running.
    pub fn running(task_id: u64, partition: usize, attempt: u32, launched: u64) -> Self {
        TaskRecord {
            task_id,
            partition,
            attempt,
            executor_id: String::new(),
            launched,
            status: "RUNNING",
            duration_ms: 0,
            error: None,
            metrics: TaskMetricsSnapshot::default(),
        }
    }
}

/// One stage attempt.
#[derive(Clone, Debug, Serialize)]
pub struct StageRecord {
    /// The stage.
    pub stage_id: u64,
    /// The attempt.
    pub attempt: u32,
    /// The job that ran it.
    pub job_id: u64,
    /// `operation at file:line`.
    pub name: String,
    /// Tasks this attempt runs.
    pub num_tasks: usize,
    /// The stages whose shuffle output it reads.
    pub parents: Vec<u64>,
    /// Whether it writes shuffle output.
    pub shuffle_map: bool,
    /// Its state.
    pub state: StageState,
    /// Submission time.
    pub submitted: Option<u64>,
    /// Completion time.
    pub completed: Option<u64>,
    /// Why it failed.
    pub failure: Option<String>,
    /// Tasks that succeeded.
    pub completed_tasks: usize,
    /// Task attempts that failed.
    pub failed_tasks: usize,
    /// Task attempts killed.
    pub killed_tasks: usize,
    /// Task attempts running.
    pub active_tasks: usize,
    /// Sum of its ended tasks' counters.
    pub metrics: TaskMetricsSnapshot,
    /// Sum of its ended tasks' run times.
    pub task_time_ms: u64,
    /// Its task attempts by id (the newest [`Retention::tasks`](super::Retention::tasks)).
    pub tasks: BTreeMap<u64, TaskRecord>,
}

impl StageRecord {
    /// Records `task` (replacing its earlier state), keeping the newest `kept` tasks.
    pub fn put_task(&mut self, task: TaskRecord, kept: usize) {
        self.tasks.insert(task.task_id, task);
        while self.tasks.len() > kept {
            self.tasks.pop_first();
        }
    }
}

/// One executor (in local mode: the driver).
#[derive(Clone, Debug, Serialize)]
pub struct ExecutorRecord {
    /// Its id.
    pub id: String,
    /// Its host.
    pub host: String,
    /// Task slots.
    pub cores: usize,
    /// Memory for cached blocks.
    pub max_memory: u64,
    /// Its `/metrics` URL.
    pub metrics_url: Option<String>,
    /// When it joined.
    pub added: u64,
    /// When and why it left.
    pub removed: Option<(u64, String)>,
    /// The last time it was heard of (joined, sent a heartbeat, or ended a task).
    pub last_seen: u64,
    /// Task attempts running on it.
    pub active_tasks: usize,
    /// Tasks it completed.
    pub completed_tasks: usize,
    /// Task attempts that failed on it.
    pub failed_tasks: usize,
    /// Sum of its tasks' run times.
    pub task_time_ms: u64,
    /// Sum of its tasks' counters.
    pub metrics: TaskMetricsSnapshot,
    /// Bytes of cached blocks in its memory.
    pub memory_used: u64,
    /// Bytes of cached blocks on its disk.
    pub disk_used: u64,
}

/// One cached partition.
#[derive(Clone, Debug, Serialize)]
pub struct BlockRecord {
    /// The executor holding it.
    pub executor_id: String,
    /// Bytes in memory.
    pub memory_bytes: u64,
    /// Bytes on disk.
    pub disk_bytes: u64,
}

/// A persisted RDD or DataFrame.
#[derive(Clone, Debug, Serialize)]
pub struct RddRecord {
    /// The RDD.
    pub rdd_id: u64,
    /// Its name.
    pub name: String,
    /// The storage level, as Spark prints it.
    pub level: String,
    /// Its partitions.
    pub num_partitions: usize,
    /// Its cached partitions.
    pub blocks: BTreeMap<usize, BlockRecord>,
}

impl RddRecord {
    /// Bytes of its blocks in memory.
    pub fn memory_bytes(&self) -> u64 {
        self.blocks.values().map(|b| b.memory_bytes).sum()
    }

    /// Bytes of its blocks on disk.
    pub fn disk_bytes(&self) -> u64 {
        self.blocks.values().map(|b| b.disk_bytes).sum()
    }
}

/// A SQL query or DataFrame action.
#[derive(Clone, Debug, Serialize)]
pub struct SqlRecord {
    /// Its id.
    pub execution_id: u64,
    /// The SQL text or the action.
    pub description: String,
    /// The physical plan.
    pub plan: String,
    /// Start time.
    pub start: u64,
    /// End time.
    pub end: Option<u64>,
    /// The error, if it failed.
    pub error: Option<String>,
    /// The jobs it ran.
    pub jobs: Vec<u64>,
}

/// Counters over the application's whole life (retention never lowers them).
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct Totals {
    /// Jobs that succeeded.
    pub jobs_succeeded: u64,
    /// Jobs that failed.
    pub jobs_failed: u64,
    /// Stage attempts completed.
    pub stages_completed: u64,
    /// Stages skipped.
    pub stages_skipped: u64,
    /// Stage attempts failed.
    pub stages_failed: u64,
    /// Tasks succeeded.
    pub tasks_completed: u64,
    /// Task attempts failed.
    pub tasks_failed: u64,
    /// Task attempts killed.
    pub tasks_killed: u64,
    /// Sum of every ended task's counters.
    pub metrics: TaskMetricsSnapshot,
}
