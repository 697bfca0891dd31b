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

mod records;
#[cfg(test)]
mod tests;

pub use records::*;

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
            Event::ExecutorHeartbeat { executor_id, time } => {
                if let Some(e) = self.executors.get_mut(executor_id)
                    && e.removed.is_none()
                {
                    e.last_seen = e.last_seen.max(*time);
                }
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
                    s.put_task(
                        TaskRecord::running(*task_id, *partition, *attempt, *time),
                        keep.tasks,
                    );
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
                let launched = time.saturating_sub(*duration_ms);
                let task = TaskRecord {
                    executor_id: executor_id.clone(),
                    status: task_status_name(*status),
                    duration_ms: *duration_ms,
                    error: error.clone(),
                    metrics: *metrics,
                    ..TaskRecord::running(*task_id, *partition, *attempt, launched)
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
            s.put_task(task, tasks_kept);
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
