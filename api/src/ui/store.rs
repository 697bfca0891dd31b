//! The UI's status store: a [`Listener`] that folds scheduler events into the state every page,
//! the REST API and the driver's `/metrics` read ([`AppState`]). The live UI registers it on the
//! context's event bus; `ember history` feeds it a replayed event log, so both show the same.
//!
//! Retention follows Spark's `spark.ui.retainedJobs` / `retainedStages` / `retainedTasks`
//! (`ember.ui.retainedJobs` and so on): the oldest finished jobs, stages and tasks are dropped,
//! while the cumulative counters ([`Totals`]) never go down.

use ember_engine::task_context::TaskMetricsSnapshot;
use ember_scheduler::events::{Event, Listener, StageEndStatus, StagePlan, TaskEndStatus};
use parking_lot::RwLock;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// How many jobs, stages and tasks (per stage) the store keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retention {
    /// Finished jobs kept (`ember.ui.retainedJobs`, 1000).
    pub jobs: usize,
    /// Finished stage attempts kept (`ember.ui.retainedStages`, 1000).
    pub stages: usize,
    /// Tasks kept per stage attempt (`ember.ui.retainedTasks`, 100000).
    pub tasks: usize,
}

impl Default for Retention {
    fn default() -> Self {
        Retention {
            jobs: 1000,
            stages: 1000,
            tasks: 100_000,
        }
    }
}

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
    /// Its task attempts by id (the newest [`Retention::tasks`]).
    pub tasks: BTreeMap<u64, TaskRecord>,
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
    /// The last time it was heard of (joined, or ended a task).
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

/// Everything the UI knows of one application.
#[derive(Clone, Debug, Default, Serialize)]
pub struct AppState {
    /// The application.
    pub app: AppInfo,
    /// Its configuration, secrets redacted.
    pub environment: Vec<(String, String)>,
    /// Executors by id, lost ones included.
    pub executors: BTreeMap<String, ExecutorRecord>,
    /// Jobs by id.
    pub jobs: BTreeMap<u64, JobRecord>,
    /// Stage attempts by (stage, attempt, job).
    pub stages: BTreeMap<(u64, u32, u64), StageRecord>,
    /// Persisted RDDs by id.
    pub rdds: BTreeMap<u64, RddRecord>,
    /// SQL queries by id.
    pub sql: BTreeMap<u64, SqlRecord>,
    /// Lifetime counters.
    pub totals: Totals,
}

impl AppState {
    /// The newest attempt of `stage` (the one of the newest job when jobs share the stage).
    pub fn latest_attempt(&self, stage: u64) -> Option<&StageRecord> {
        self.attempts(stage)
            .max_by_key(|s| (s.submitted.is_some(), s.attempt, s.job_id))
    }

    /// Every recorded attempt of `stage`.
    pub fn attempts(&self, stage: u64) -> impl Iterator<Item = &StageRecord> {
        self.stages
            .range((stage, 0, 0)..=(stage, u32::MAX, u64::MAX))
            .map(|(_, s)| s)
    }

    /// Task attempts running, over all stages.
    pub fn active_tasks(&self) -> usize {
        self.stages.values().map(|s| s.active_tasks).sum()
    }

    fn stage_mut(&mut self, stage: u64, attempt: u32, job: u64) -> Option<&mut StageRecord> {
        self.stages.get_mut(&(stage, attempt, job))
    }

    /// Folds one event in.
    pub fn apply(&mut self, event: &Event, keep: &Retention) {
        match event {
            Event::ApplicationStart {
                app_id,
                app_name,
                master,
                user,
                time,
            } => {
                self.app = AppInfo {
                    id: app_id.clone(),
                    name: app_name.clone(),
                    master: master.clone(),
                    user: user.clone(),
                    start: *time,
                    end: None,
                }
            }
            Event::ApplicationEnd { time } => self.app.end = Some(*time),
            Event::Environment { properties } => self.environment = properties.clone(),
            Event::ExecutorAdded {
                executor_id,
                host,
                cores,
                max_memory,
                metrics_url,
                time,
            } => {
                self.executors.insert(
                    executor_id.clone(),
                    ExecutorRecord {
                        id: executor_id.clone(),
                        host: host.clone(),
                        cores: *cores,
                        max_memory: *max_memory,
                        metrics_url: metrics_url.clone(),
                        added: *time,
                        removed: None,
                        last_seen: *time,
                        active_tasks: 0,
                        completed_tasks: 0,
                        failed_tasks: 0,
                        task_time_ms: 0,
                        metrics: TaskMetricsSnapshot::default(),
                        memory_used: 0,
                        disk_used: 0,
                    },
                );
            }
            Event::ExecutorRemoved {
                executor_id,
                reason,
                time,
            } => {
                if let Some(e) = self.executors.get_mut(executor_id) {
                    e.removed = Some((*time, reason.clone()));
                    e.active_tasks = 0;
                }
                for rdd in self.rdds.values_mut() {
                    rdd.blocks.retain(|_, b| b.executor_id != *executor_id);
                }
            }
            Event::JobStart {
                job_id,
                description,
                stages,
                sql_execution,
                time,
            } => self.job_started(*job_id, description, stages, *sql_execution, *time, keep),
            Event::JobEnd {
                job_id,
                error,
                time,
            } => {
                if let Some(j) = self.jobs.get_mut(job_id) {
                    j.completed = Some(*time);
                    j.error = error.clone();
                    j.state = match error {
                        None => JobState::Succeeded,
                        Some(_) => JobState::Failed,
                    };
                    j.active_tasks = 0;
                    match error {
                        None => self.totals.jobs_succeeded += 1,
                        Some(_) => self.totals.jobs_failed += 1,
                    }
                }
            }
            Event::StageSubmitted {
                job_id,
                stage_id,
                attempt,
                num_tasks,
                time,
            } => self.stage_submitted(*job_id, *stage_id, *attempt, *num_tasks, *time, keep),
            Event::StageCompleted {
                job_id,
                stage_id,
                attempt,
                status,
                failure,
                time,
            } => self.stage_completed(*job_id, *stage_id, *attempt, *status, failure, *time),
            Event::TaskStart {
                job_id,
                stage_id,
                stage_attempt,
                task_id,
                partition,
                attempt,
                time,
            } => {
                if let Some(j) = self.jobs.get_mut(job_id) {
                    j.active_tasks += 1;
                }
                if let Some(s) = self.stage_mut(*stage_id, *stage_attempt, *job_id) {
                    s.active_tasks += 1;
                    s.tasks.insert(
                        *task_id,
                        TaskRecord {
                            task_id: *task_id,
                            partition: *partition,
                            attempt: *attempt,
                            executor_id: String::new(),
                            launched: *time,
                            status: "RUNNING",
                            duration_ms: 0,
                            error: None,
                            metrics: TaskMetricsSnapshot::default(),
                        },
                    );
                    while s.tasks.len() > keep.tasks {
                        s.tasks.pop_first();
                    }
                }
            }
            Event::TaskEnd {
                job_id,
                stage_id,
                stage_attempt,
                task_id,
                partition,
                attempt,
                executor_id,
                status,
                error,
                duration_ms,
                metrics,
                time,
            } => {
                let task = TaskRecord {
                    task_id: *task_id,
                    partition: *partition,
                    attempt: *attempt,
                    executor_id: executor_id.clone(),
                    launched: time.saturating_sub(*duration_ms),
                    status: task_status_name(*status),
                    duration_ms: *duration_ms,
                    error: error.clone(),
                    metrics: *metrics,
                };
                self.task_ended(
                    *job_id,
                    (*stage_id, *stage_attempt),
                    task,
                    *status,
                    *time,
                    keep.tasks,
                );
            }
            Event::RddPersisted {
                rdd_id,
                name,
                level,
                num_partitions,
            } => {
                let blocks = self
                    .rdds
                    .remove(rdd_id)
                    .map(|r| r.blocks)
                    .unwrap_or_default();
                self.rdds.insert(
                    *rdd_id,
                    RddRecord {
                        rdd_id: *rdd_id,
                        name: name.clone(),
                        level: level.clone(),
                        num_partitions: *num_partitions,
                        blocks,
                    },
                );
            }
            Event::RddUnpersisted { rdd_id } => {
                if let Some(r) = self.rdds.remove(rdd_id) {
                    for (_, b) in r.blocks {
                        self.block_removed(&b);
                    }
                }
            }
            Event::BlockUpdated { executor_id, block } => {
                let Some(rdd) = self.rdds.get_mut(&block.rdd) else {
                    return;
                };
                let old = rdd.blocks.remove(&block.partition);
                let new = BlockRecord {
                    executor_id: executor_id.clone(),
                    memory_bytes: block.memory_bytes,
                    disk_bytes: block.disk_bytes,
                };
                let stored = new.memory_bytes + new.disk_bytes > 0;
                if stored {
                    rdd.blocks.insert(block.partition, new.clone());
                }
                if let Some(old) = old {
                    self.block_removed(&old);
                }
                if let (true, Some(e)) = (stored, self.executors.get_mut(executor_id)) {
                    e.memory_used += new.memory_bytes;
                    e.disk_used += new.disk_bytes;
                }
            }
            Event::SqlStart {
                execution_id,
                description,
                plan,
                time,
            } => {
                self.sql.insert(
                    *execution_id,
                    SqlRecord {
                        execution_id: *execution_id,
                        description: description.clone(),
                        plan: plan.clone(),
                        start: *time,
                        end: None,
                        error: None,
                        jobs: Vec::new(),
                    },
                );
                while self.sql.len() > keep.jobs {
                    self.sql.pop_first();
                }
            }
            Event::SqlEnd {
                execution_id,
                error,
                time,
            } => {
                if let Some(q) = self.sql.get_mut(execution_id) {
                    q.end = Some(*time);
                    q.error = error.clone();
                }
            }
        }
    }

    fn block_removed(&mut self, b: &BlockRecord) {
        if let Some(e) = self.executors.get_mut(&b.executor_id) {
            e.memory_used = e.memory_used.saturating_sub(b.memory_bytes);
            e.disk_used = e.disk_used.saturating_sub(b.disk_bytes);
        }
    }

    fn job_started(
        &mut self,
        job_id: u64,
        description: &str,
        stages: &[StagePlan],
        sql_execution: Option<u64>,
        time: u64,
        keep: &Retention,
    ) {
        if let Some(q) = sql_execution.and_then(|id| self.sql.get_mut(&id)) {
            q.jobs.push(job_id);
        }
        self.jobs.insert(
            job_id,
            JobRecord {
                job_id,
                description: description.to_string(),
                stages: stages.to_vec(),
                stage_states: stages
                    .iter()
                    .map(|s| (s.stage_id, StageState::Pending))
                    .collect(),
                sql_execution,
                submitted: time,
                completed: None,
                state: JobState::Running,
                error: None,
                num_tasks: stages.iter().map(|s| s.num_tasks).sum(),
                completed_tasks: 0,
                failed_tasks: 0,
                killed_tasks: 0,
                active_tasks: 0,
            },
        );
        while self.jobs.len() > keep.jobs {
            let Some((&oldest, j)) = self.jobs.iter().next() else {
                break;
            };
            if j.completed.is_none() {
                break;
            }
            self.jobs.remove(&oldest);
            self.stages.retain(|_, s| s.job_id != oldest);
        }
    }

    fn stage_submitted(
        &mut self,
        job_id: u64,
        stage_id: u64,
        attempt: u32,
        num_tasks: usize,
        time: u64,
        keep: &Retention,
    ) {
        let Some(job) = self.jobs.get_mut(&job_id) else {
            return;
        };
        job.stage_states.insert(stage_id, StageState::Active);
        let plan = job.stages.iter().find(|s| s.stage_id == stage_id);
        let record = StageRecord {
            stage_id,
            attempt,
            job_id,
            name: plan.map(|p| p.name.clone()).unwrap_or_default(),
            num_tasks,
            parents: plan.map(|p| p.parents.clone()).unwrap_or_default(),
            shuffle_map: plan.is_some_and(|p| p.shuffle_map),
            state: StageState::Active,
            submitted: Some(time),
            completed: None,
            failure: None,
            completed_tasks: 0,
            failed_tasks: 0,
            killed_tasks: 0,
            active_tasks: 0,
            metrics: TaskMetricsSnapshot::default(),
            task_time_ms: 0,
            tasks: BTreeMap::new(),
        };
        self.stages.insert((stage_id, attempt, job_id), record);
        while self.stages.len() > keep.stages {
            let oldest = self
                .stages
                .iter()
                .filter(|(_, s)| s.completed.is_some())
                .min_by_key(|(_, s)| s.completed)
                .map(|(k, _)| *k);
            match oldest {
                Some(k) => self.stages.remove(&k),
                None => break,
            };
        }
    }

    fn stage_completed(
        &mut self,
        job_id: u64,
        stage_id: u64,
        attempt: u32,
        status: StageEndStatus,
        failure: &Option<String>,
        time: u64,
    ) {
        let state = match status {
            StageEndStatus::Complete => StageState::Complete,
            StageEndStatus::Skipped => StageState::Skipped,
            StageEndStatus::Failed => StageState::Failed,
        };
        match status {
            StageEndStatus::Complete => self.totals.stages_completed += 1,
            StageEndStatus::Skipped => self.totals.stages_skipped += 1,
            StageEndStatus::Failed => self.totals.stages_failed += 1,
        }
        if let Some(j) = self.jobs.get_mut(&job_id) {
            j.stage_states.insert(stage_id, state);
            if status == StageEndStatus::Skipped {
                let skipped = j.stages.iter().find(|s| s.stage_id == stage_id);
                j.num_tasks -= skipped.map_or(0, |s| s.num_tasks).min(j.num_tasks);
            }
        }
        // A skipped stage ran in an earlier job: its record there stays as it was.
        if status == StageEndStatus::Skipped {
            return;
        }
        if let Some(s) = self.stage_mut(stage_id, attempt, job_id) {
            s.state = state;
            s.completed = Some(time);
            s.failure = failure.clone();
            s.active_tasks = 0;
        }
    }

    fn task_ended(
        &mut self,
        job_id: u64,
        (stage_id, stage_attempt): (u64, u32),
        task: TaskRecord,
        status: TaskEndStatus,
        time: u64,
        tasks_kept: usize,
    ) {
        let t = &mut self.totals;
        match status {
            TaskEndStatus::Success => t.tasks_completed += 1,
            TaskEndStatus::Failed => t.tasks_failed += 1,
            TaskEndStatus::Killed => t.tasks_killed += 1,
        }
        t.metrics.add(&task.metrics);
        if let Some(j) = self.jobs.get_mut(&job_id) {
            j.active_tasks = j.active_tasks.saturating_sub(1);
            count(
                status,
                &mut j.completed_tasks,
                &mut j.failed_tasks,
                &mut j.killed_tasks,
            );
        }
        if let Some(e) = self.executors.get_mut(&task.executor_id) {
            e.last_seen = time;
            e.task_time_ms += task.duration_ms;
            e.metrics.add(&task.metrics);
            let mut killed = 0;
            count(
                status,
                &mut e.completed_tasks,
                &mut e.failed_tasks,
                &mut killed,
            );
        }
        if let Some(s) = self.stage_mut(stage_id, stage_attempt, job_id) {
            s.active_tasks = s.active_tasks.saturating_sub(1);
            count(
                status,
                &mut s.completed_tasks,
                &mut s.failed_tasks,
                &mut s.killed_tasks,
            );
            s.metrics.add(&task.metrics);
            s.task_time_ms += task.duration_ms;
            s.tasks.insert(task.task_id, task);
            while s.tasks.len() > tasks_kept {
                s.tasks.pop_first();
            }
        }
    }
}

fn count(status: TaskEndStatus, ok: &mut usize, failed: &mut usize, killed: &mut usize) {
    match status {
        TaskEndStatus::Success => *ok += 1,
        TaskEndStatus::Failed => *failed += 1,
        TaskEndStatus::Killed => *killed += 1,
    }
}

fn task_status_name(status: TaskEndStatus) -> &'static str {
    match status {
        TaskEndStatus::Success => "SUCCESS",
        TaskEndStatus::Failed => "FAILED",
        TaskEndStatus::Killed => "KILLED",
    }
}

/// The store: an [`AppState`] behind a lock, updated by events.
#[derive(Default)]
pub struct StatusStore {
    state: RwLock<AppState>,
    keep: Retention,
}

impl StatusStore {
    /// An empty store keeping what `keep` says.
    pub fn new(keep: Retention) -> Self {
        StatusStore {
            state: RwLock::new(AppState::default()),
            keep,
        }
    }

    /// A store holding `events` folded in order (a replayed event log).
    pub fn from_events<'a>(events: impl IntoIterator<Item = &'a Event>, keep: Retention) -> Self {
        let store = StatusStore::new(keep);
        {
            let mut s = store.state.write();
            for e in events {
                s.apply(e, &keep);
            }
        }
        store
    }

    /// Reads the state under the lock (keep `f` short: events wait for it).
    pub fn read<R>(&self, f: impl FnOnce(&AppState) -> R) -> R {
        f(&self.state.read())
    }

    /// A copy of the whole state.
    pub fn snapshot(&self) -> AppState {
        self.state.read().clone()
    }
}

impl Listener for StatusStore {
    fn on_event(&self, event: &Event) {
        self.state.write().apply(event, &self.keep);
    }
}

/// The applications a UI serves: one live application, or the event logs of a history server.
pub trait AppSource: Send + Sync {
    /// Every application known, newest first.
    fn apps(&self) -> Vec<Arc<StatusStore>>;

    /// The application with id `id`.
    fn app(&self, id: &str) -> Option<Arc<StatusStore>> {
        self.apps().into_iter().find(|a| a.read(|s| s.app.id == id))
    }
}

/// The live application of a driver.
pub struct LiveApp(pub Arc<StatusStore>);

impl AppSource for LiveApp {
    fn apps(&self) -> Vec<Arc<StatusStore>> {
        vec![Arc::clone(&self.0)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ember_engine::task_context::BlockUpdate;

    fn plan(stage_id: u64, num_tasks: usize, parents: &[u64]) -> StagePlan {
        StagePlan {
            stage_id,
            name: format!("stage {stage_id}"),
            num_tasks,
            parents: parents.to_vec(),
            shuffle_map: parents.is_empty(),
        }
    }

    fn task(job: u64, stage: u64, id: u64, status: TaskEndStatus, records: u64) -> [Event; 2] {
        let metrics = TaskMetricsSnapshot {
            input_records: records,
            ..TaskMetricsSnapshot::default()
        };
        [
            Event::TaskStart {
                job_id: job,
                stage_id: stage,
                stage_attempt: 0,
                task_id: id,
                partition: id as usize % 4,
                attempt: 0,
                time: 10,
            },
            Event::TaskEnd {
                job_id: job,
                stage_id: stage,
                stage_attempt: 0,
                task_id: id,
                partition: id as usize % 4,
                attempt: 0,
                executor_id: "driver".into(),
                status,
                error: (status == TaskEndStatus::Failed).then(|| "boom".to_string()),
                duration_ms: 5,
                metrics,
                time: 15,
            },
        ]
    }

    /// Job 0: stage 0 (2 tasks, one failed once and retried) then stage 1 (1 task); job 1
    /// skips stage 0 and reruns stage 1 as its stage 2; an RDD cached then unpersisted.
    fn events() -> Vec<Event> {
        let mut e = vec![
            Event::ExecutorAdded {
                executor_id: "driver".into(),
                host: "localhost".into(),
                cores: 2,
                max_memory: 100,
                metrics_url: None,
                time: 1,
            },
            Event::JobStart {
                job_id: 0,
                description: "collect".into(),
                stages: vec![plan(0, 2, &[]), plan(1, 1, &[0])],
                sql_execution: None,
                time: 2,
            },
            Event::RddPersisted {
                rdd_id: 7,
                name: "pairs".into(),
                level: "MEMORY_ONLY".into(),
                num_partitions: 2,
            },
            Event::StageSubmitted {
                job_id: 0,
                stage_id: 0,
                attempt: 0,
                num_tasks: 2,
                time: 3,
            },
        ];
        e.extend(task(0, 0, 0, TaskEndStatus::Success, 10));
        e.extend(task(0, 0, 1, TaskEndStatus::Failed, 0));
        e.extend(task(0, 0, 2, TaskEndStatus::Success, 30));
        e.push(Event::BlockUpdated {
            executor_id: "driver".into(),
            block: BlockUpdate {
                rdd: 7,
                partition: 0,
                memory_bytes: 40,
                disk_bytes: 0,
            },
        });
        e.push(Event::StageCompleted {
            job_id: 0,
            stage_id: 0,
            attempt: 0,
            status: StageEndStatus::Complete,
            failure: None,
            time: 20,
        });
        e.push(Event::StageSubmitted {
            job_id: 0,
            stage_id: 1,
            attempt: 0,
            num_tasks: 1,
            time: 21,
        });
        e.extend(task(0, 1, 3, TaskEndStatus::Success, 0));
        e.push(Event::StageCompleted {
            job_id: 0,
            stage_id: 1,
            attempt: 0,
            status: StageEndStatus::Complete,
            failure: None,
            time: 22,
        });
        e.push(Event::JobEnd {
            job_id: 0,
            error: None,
            time: 23,
        });
        e.push(Event::JobStart {
            job_id: 1,
            description: "count".into(),
            stages: vec![plan(0, 2, &[]), plan(2, 1, &[0])],
            sql_execution: None,
            time: 30,
        });
        e.push(Event::StageCompleted {
            job_id: 1,
            stage_id: 0,
            attempt: 0,
            status: StageEndStatus::Skipped,
            failure: None,
            time: 30,
        });
        e
    }

    #[test]
    fn events_fold_into_jobs_stages_tasks_executors_and_storage() {
        let store = StatusStore::from_events(&events(), Retention::default());
        let s = store.snapshot();
        let j0 = &s.jobs[&0];
        assert_eq!(j0.state, JobState::Succeeded);
        assert_eq!(
            (j0.num_tasks, j0.completed_tasks, j0.failed_tasks),
            (3, 3, 1)
        );
        assert_eq!(j0.stages_in(StageState::Complete), 2);
        let j1 = &s.jobs[&1];
        assert_eq!(j1.state, JobState::Running);
        assert_eq!(j1.stages_in(StageState::Skipped), 1);
        assert_eq!(j1.num_tasks, 1, "the skipped stage's tasks do not count");
        let st0 = &s.stages[&(0, 0, 0)];
        assert_eq!(
            st0.state,
            StageState::Complete,
            "skipping it later keeps its record"
        );
        assert_eq!(st0.tasks.len(), 3);
        assert_eq!(st0.metrics.input_records, 40);
        assert_eq!(st0.tasks[&1].error.as_deref(), Some("boom"));
        let driver = &s.executors["driver"];
        assert_eq!((driver.completed_tasks, driver.failed_tasks), (3, 1));
        assert_eq!(driver.memory_used, 40);
        assert_eq!(s.rdds[&7].blocks.len(), 1);
        assert_eq!(s.totals.tasks_completed, 3);
        assert_eq!(s.totals.stages_skipped, 1);
        assert_eq!(s.active_tasks(), 0);

        store.on_event(&Event::RddUnpersisted { rdd_id: 7 });
        store.read(|s| {
            assert!(s.rdds.is_empty());
            assert_eq!(s.executors["driver"].memory_used, 0);
        });
    }

    #[test]
    fn retention_drops_the_oldest_finished_jobs_and_tasks_but_not_the_totals() {
        let keep = Retention {
            jobs: 1,
            stages: 1000,
            tasks: 2,
        };
        let mut ev = events();
        ev.push(Event::JobEnd {
            job_id: 1,
            error: Some("x".into()),
            time: 40,
        });
        let s = StatusStore::from_events(&ev, keep).snapshot();
        assert_eq!(s.jobs.keys().copied().collect::<Vec<_>>(), vec![1]);
        assert!(s.stages.values().all(|st| st.job_id == 1));
        assert_eq!(s.totals.jobs_succeeded, 1);
        assert_eq!(s.totals.jobs_failed, 1);
        assert_eq!(s.totals.tasks_completed, 3);
        let keep = Retention { jobs: 10, ..keep };
        let s = StatusStore::from_events(&events(), keep).snapshot();
        assert_eq!(s.stages[&(0, 0, 0)].tasks.len(), 2, "the newest 2 tasks");
    }
}
