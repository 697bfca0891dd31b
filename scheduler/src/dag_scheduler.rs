//! The DAG scheduler: runs a job by running its stages in dependency order.
//!
//! For each action the scheduler cuts the lineage into stages ([`crate::dag::JobGraph`]), skips
//! map stages whose shuffle output already exists (the map-output tracker says so), submits a
//! stage once all its parents are available, and hands one task per missing partition to the
//! backend, never more at once than it has slots (the task-scheduling part).
//!
//! Invariants and a checklist for reviewers (after Spark's `DAGScheduler`):
//! - A task failure is retried up to `max_task_failures` attempts; then the job fails with the
//!   last error. The context stays usable. A query error (`EngineError::Query`) or a
//!   malformed record (`EngineError::MalformedRecord`) is deterministic and fails the job at
//!   its first occurrence.
//! - A fetch failure does not count against the task: the lost map output is unregistered, the
//!   parent stage reruns only its missing map tasks, then the failing stage resumes. A stage that
//!   fails this way more than `max_stage_attempts` times fails the job.
//! - Unless the parent's output is indeterminate (`ShuffleDependencyBase::output_determinism`,
//!   e.g. a `repartition` of an unordered input): a map stage with an indeterminate output never
//!   runs with part of its output kept. Whenever it must run with some map outputs registered
//!   and some missing (a fetch failure, an executor lost), the scheduler either fails the job
//!   with [`SchedulerError::IndeterminateOutputLost`], if a result partition of the job was
//!   already computed, or rolls back: it forgets every output of that stage and of every stage
//!   of the job that read it, directly or not (and of shuffles of earlier jobs computed from
//!   it), and runs them all again. Completions of the rolled-back attempts still running are
//!   dropped (`rollback.rs`). Determinate and unordered map stages rerun only the missing
//!   tasks: a hash or range partitioner sends every record where it went before.
//! - Accumulator updates are applied once per partition of a stage per job: only the first
//!   successful attempt's updates count; failed attempts' updates are dropped.
//! - Completions of an older attempt of a stage are still used when they succeed (the output is
//!   the same), and ignored when they fail; after a rollback, those of attempts before it are
//!   ignored either way.
//! - No job state outlives [`DagScheduler::run_job`] except map outputs (kept for reuse) and the
//!   job's entry in the status tracker.

use crate::dag::JobGraph;
use crate::error::SchedulerError;
use crate::events::{Event, EventBus, StageEndStatus, now_ms};
use crate::map_output::MapOutputTracker;
use crate::progress::ConsoleProgress;
use crate::sql_execution::SqlExecutions;
use crate::stage::{Running, StageKind, StageState, Succeeded, Waiting};
use crate::status::{StageStatus, StatusTracker};
use ember_engine::EngineError;
use ember_engine::ids::{JobId, ShuffleId, StageId, TaskId};
use ember_engine::rdd::{RddBase, persisted_partitions};
use ember_engine::task::{ResultFn, TaskBackend, TaskCompletion, TaskKind, TaskOutput, TaskSpec};
use parking_lot::Mutex;
use std::any::Any;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::Instant;

/// Rolling back indeterminate map stages (a child module: it extends `JobRun`).
#[path = "rollback.rs"]
mod rollback;

/// The events a job run posts (a child module: it extends `JobRun`).
#[path = "job_events.rs"]
mod job_events;
use job_events::plan_of;

/// Scheduler settings.
#[derive(Clone, Debug)]
pub struct SchedulerConfig {
    /// Attempts of one task before the job fails (`ember.task.maxFailures`, 4).
    pub max_task_failures: u32,
    /// Attempts of one stage lost to fetch failures before the job fails (4).
    pub max_stage_attempts: u32,
    /// Show the console progress bar (`ember.ui.showConsoleProgress`).
    pub show_progress: bool,
}

impl Default for SchedulerConfig {
    fn default() -> Self {
        SchedulerConfig {
            max_task_failures: 4,
            max_stage_attempts: 4,
            show_progress: true,
        }
    }
}

/// Runs jobs on a task backend.
pub struct DagScheduler {
    backend: Arc<dyn TaskBackend>,
    config: SchedulerConfig,
    map_outputs: Arc<MapOutputTracker>,
    status: Arc<StatusTracker>,
    events: Arc<EventBus>,
    sql: SqlExecutions,
    shuffle_stages: Mutex<HashMap<ShuffleId, StageId>>,
    /// The shuffles each known shuffle's map side reads (see `rollback`).
    shuffle_parents: Mutex<HashMap<ShuffleId, Vec<ShuffleId>>>,
    next_job: AtomicU64,
    next_stage: AtomicU64,
    next_task: AtomicU64,
    job_lock: Mutex<()>,
    /// The running job's cancel flag, and whether a caller asked to cancel it.
    active: Mutex<Option<(Arc<AtomicBool>, Arc<AtomicBool>)>>,
}

impl DagScheduler {
    /// A scheduler over `backend`.
    pub fn new(backend: Arc<dyn TaskBackend>, config: SchedulerConfig) -> Self {
        Self::with_map_outputs(backend, config, Arc::default())
    }

    /// A scheduler over `backend` sharing `map_outputs` with it (a cluster backend forgets
    /// the outputs of executors it loses).
    pub fn with_map_outputs(
        backend: Arc<dyn TaskBackend>,
        config: SchedulerConfig,
        map_outputs: Arc<MapOutputTracker>,
    ) -> Self {
        DagScheduler {
            backend,
            config,
            map_outputs,
            status: Arc::new(StatusTracker::default()),
            events: Arc::default(),
            sql: SqlExecutions::default(),
            shuffle_stages: Mutex::new(HashMap::new()),
            shuffle_parents: Mutex::new(HashMap::new()),
            next_job: AtomicU64::new(0),
            next_stage: AtomicU64::new(0),
            next_task: AtomicU64::new(0),
            job_lock: Mutex::new(()),
            active: Mutex::new(None),
        }
    }

    /// The bus the scheduler posts job, stage and task events on.
    pub fn events(&self) -> &Arc<EventBus> {
        &self.events
    }
    /// The SQL executions: a job carries the one its thread runs in its `JobStart`.
    pub fn sql_executions(&self) -> &SqlExecutions {
        &self.sql
    }
    /// The task backend.
    pub fn backend(&self) -> &Arc<dyn TaskBackend> {
        &self.backend
    }
    /// The map-output tracker.
    pub fn map_outputs(&self) -> &Arc<MapOutputTracker> {
        &self.map_outputs
    }
    /// The status of jobs and stages.
    pub fn status(&self) -> &Arc<StatusTracker> {
        &self.status
    }

    /// Forgets a shuffle: its map outputs and its stage id.
    pub fn remove_shuffle(&self, shuffle: ShuffleId) {
        self.map_outputs.unregister_shuffle(shuffle);
        self.shuffle_stages.lock().remove(&shuffle);
        self.shuffle_parents.lock().remove(&shuffle);
        self.backend.remove_shuffle(shuffle);
    }

    /// Cancels the running job, if any: its queued tasks do not start, running tasks that check
    /// (SQL tasks, between batches) stop, and `run_job` returns [`SchedulerError::Cancelled`]
    /// at the next task completion.
    pub fn cancel_all_jobs(&self) {
        if let Some((tasks, user)) = &*self.active.lock() {
            user.store(true, Ordering::SeqCst);
            tasks.store(true, Ordering::SeqCst);
        }
    }

    fn stage_for_shuffle(&self, shuffle: ShuffleId) -> StageId {
        *self
            .shuffle_stages
            .lock()
            .entry(shuffle)
            .or_insert_with(|| StageId(self.next_stage.fetch_add(1, Ordering::Relaxed)))
    }

    /// Runs `func` over `partitions` of `rdd` and returns the values in the order of
    /// `partitions`. `description` names the action (`collect at main.rs:12`).
    ///
    /// Jobs of one scheduler run one at a time; a second caller waits.
    pub fn run_job(
        &self,
        rdd: Arc<dyn RddBase>,
        partitions: Vec<usize>,
        func: ResultFn,
        description: String,
    ) -> Result<Vec<Box<dyn Any + Send>>, SchedulerError> {
        let _one_at_a_time = self.job_lock.lock();
        let job = JobId(self.next_job.fetch_add(1, Ordering::Relaxed));
        let total = rdd.num_partitions();
        if let Some(&p) = partitions.iter().find(|&&p| p >= total) {
            return Err(SchedulerError::NoSuchPartition {
                job,
                partition: p,
                partitions: total,
            });
        }
        let result_stage = StageId(self.next_stage.fetch_add(1, Ordering::Relaxed));
        let graph = JobGraph::build(&rdd, partitions, result_stage, description.clone(), |s| {
            self.stage_for_shuffle(s)
        });
        let order = graph.topological();
        self.record_lineage(&graph);
        self.status.job_started(
            job,
            description.clone(),
            order
                .iter()
                .map(|s| {
                    let st = &graph.stages[s];
                    (*s, st.name.clone(), st.num_tasks())
                })
                .collect(),
        );
        self.events.post(Event::JobStart {
            job_id: job.0,
            description: description.clone(),
            stages: order.iter().map(|s| plan_of(&graph, *s)).collect(),
            sql_execution: self.sql.current(),
            time: now_ms(),
        });
        tracing::info!(%job, stages = order.len(), %description, "job submitted");
        let _progress = if self.config.show_progress {
            ConsoleProgress::start(Arc::clone(&self.status))
        } else {
            None
        };
        let started = Instant::now();
        let mut run = JobRun::new(self, job, graph, order, func);
        *self.active.lock() = Some((Arc::clone(&run.cancelled), Arc::clone(&run.user_cancel)));
        let outcome = run.run();
        *self.active.lock() = None;
        run.cancelled.store(true, Ordering::Relaxed);
        if let Err(e) = &outcome {
            run.running_stages_failed(&e.to_string());
        }
        self.events.post(Event::JobEnd {
            job_id: job.0,
            error: outcome.as_ref().err().map(ToString::to_string),
            time: now_ms(),
        });
        match &outcome {
            Ok(_) => {
                tracing::info!(%job, elapsed = ?started.elapsed(), "job finished");
                self.status.job_ended(job, None);
            }
            Err(e @ SchedulerError::Cancelled { .. }) => {
                tracing::info!(%job, "job cancelled");
                self.status.job_ended(job, Some(e.to_string()));
            }
            Err(e) => {
                // The caller gets the error; logging it louder would print it twice.
                tracing::info!(%job, error = %e, "job failed");
                self.status.job_ended(job, Some(e.to_string()));
            }
        }
        outcome
    }
}

struct JobRun<'a> {
    sched: &'a DagScheduler,
    job: JobId,
    graph: JobGraph,
    order: Vec<StageId>,
    states: HashMap<StageId, StageState>,
    func: ResultFn,
    result_index: HashMap<usize, usize>,
    results: Vec<Option<Box<dyn Any + Send>>>,
    remaining: usize,
    attempts: HashMap<(StageId, usize), u32>,
    failures: HashMap<(StageId, usize), u32>,
    stage_failures: HashMap<StageId, u32>,
    committed: HashSet<(StageId, usize)>,
    /// The latest attempt started of each stage.
    latest_attempt: HashMap<StageId, u32>,
    /// Completions of a stage's attempts below this were computed from output that was rolled
    /// back, and are dropped.
    floors: HashMap<StageId, u32>,
    queue: VecDeque<TaskSpec>,
    in_flight: usize,
    /// Map-output epoch at each running task's launch (see `MapOutputTracker`).
    launch_epochs: HashMap<TaskId, u64>,
    cancelled: Arc<AtomicBool>,
    /// Set by [`DagScheduler::cancel_all_jobs`].
    user_cancel: Arc<AtomicBool>,
    tx: mpsc::Sender<TaskCompletion>,
    rx: mpsc::Receiver<TaskCompletion>,
}

impl<'a> JobRun<'a> {
    fn new(
        sched: &'a DagScheduler,
        job: JobId,
        graph: JobGraph,
        order: Vec<StageId>,
        func: ResultFn,
    ) -> Self {
        let partitions = match &graph.stages[&graph.result].kind {
            StageKind::Result { partitions } => partitions.clone(),
            StageKind::ShuffleMap(_) => unreachable!("the result stage is a result stage"),
        };
        let result_index = partitions
            .iter()
            .enumerate()
            .map(|(i, p)| (*p, i))
            .collect();
        let (tx, rx) = mpsc::channel();
        let states = order
            .iter()
            .map(|s| (*s, StageState::Waiting(Waiting::default())))
            .collect();
        JobRun {
            sched,
            job,
            graph,
            order,
            states,
            func,
            result_index,
            results: (0..partitions.len()).map(|_| None).collect(),
            remaining: partitions.len(),
            attempts: HashMap::new(),
            failures: HashMap::new(),
            stage_failures: HashMap::new(),
            committed: HashSet::new(),
            latest_attempt: HashMap::new(),
            floors: HashMap::new(),
            queue: VecDeque::new(),
            in_flight: 0,
            launch_epochs: HashMap::new(),
            cancelled: Arc::new(AtomicBool::new(false)),
            user_cancel: Arc::new(AtomicBool::new(false)),
            tx,
            rx,
        }
    }

    /// Missing partitions of a stage: map partitions without output, or results not yet in.
    fn missing(&self, stage: StageId) -> Vec<usize> {
        match &self.graph.stages[&stage].kind {
            StageKind::ShuffleMap(dep) => self.sched.map_outputs.missing(dep.shuffle_id()),
            StageKind::Result { partitions } => partitions
                .iter()
                .filter(|p| self.results[self.result_index[p]].is_none())
                .copied()
                .collect(),
        }
    }

    fn available(&self, stage: StageId) -> bool {
        matches!(self.graph.stages[&stage].kind, StageKind::ShuffleMap(_))
            && self.missing(stage).is_empty()
    }

    fn run(&mut self) -> Result<Vec<Box<dyn Any + Send>>, SchedulerError> {
        for s in self.order.clone() {
            if let StageKind::ShuffleMap(dep) = &self.graph.stages[&s].kind {
                let maps = dep.parent().num_partitions();
                self.sched
                    .map_outputs
                    .register_shuffle(dep.shuffle_id(), maps);
                if self.available(s) {
                    self.states
                        .insert(s, StageState::Succeeded(Succeeded { skipped: true }));
                    self.sched
                        .status
                        .update_stage(self.job, s, |i| i.status = StageStatus::Skipped);
                    self.stage_ended(s, 0, StageEndStatus::Skipped, None);
                }
            }
        }
        if self.remaining == 0 {
            self.sched
                .status
                .update_stage(self.job, self.graph.result, |i| {
                    i.status = StageStatus::Complete
                });
            return Ok(Vec::new());
        }
        self.submit_ready()?;
        loop {
            self.launch();
            if self.in_flight == 0 {
                // Nothing running and nothing launchable: every stage is blocked, which the
                // submit logic never leaves behind; report rather than wait forever.
                return Err(SchedulerError::BackendGone { job: self.job });
            }
            let done = self
                .rx
                .recv()
                .map_err(|_| SchedulerError::BackendGone { job: self.job })?;
            self.in_flight -= 1;
            if self.user_cancel.load(Ordering::SeqCst) {
                return Err(SchedulerError::Cancelled { job: self.job });
            }
            if let Some(results) = self.handle(done)? {
                return Ok(results);
            }
        }
    }

    /// Submits every waiting stage that is needed and whose parents are available, walking from
    /// the result stage with an explicit stack.
    fn submit_ready(&mut self) -> Result<(), SchedulerError> {
        let mut stack = vec![self.graph.result];
        let mut seen = HashSet::new();
        while let Some(s) = stack.pop() {
            if !seen.insert(s) {
                continue;
            }
            if !matches!(self.states[&s], StageState::Waiting(_)) {
                continue;
            }
            let missing_parents: Vec<StageId> = self.graph.stages[&s]
                .parents
                .iter()
                .copied()
                .filter(|p| !self.available(*p))
                .collect();
            if missing_parents.is_empty() {
                // An indeterminate map output cannot be completed piecewise: run it all again,
                // with every stage that read the old output.
                if self.partially_lost_indeterminate(s) {
                    self.roll_back(s)?;
                }
                let attempt = self.states[&s].attempt();
                self.start_stage(s, attempt)?;
            } else {
                stack.extend(missing_parents);
            }
        }
        Ok(())
    }

    fn start_stage(&mut self, stage: StageId, attempt: u32) -> Result<(), SchedulerError> {
        let latest = self.latest_attempt.entry(stage).or_insert(attempt);
        *latest = (*latest).max(attempt);
        let missing = self.missing(stage);
        if missing.is_empty() {
            return self.stage_succeeded(stage);
        }
        let st = &self.graph.stages[&stage];
        tracing::info!(job = %self.job, %stage, attempt, tasks = missing.len(), name = %st.name, "submitting stage");
        let kind = match &st.kind {
            StageKind::ShuffleMap(dep) => TaskKind::ShuffleMap(Arc::clone(dep)),
            StageKind::Result { .. } => TaskKind::Result(Arc::clone(&self.func)),
        };
        let tasks = missing.len();
        for &p in &missing {
            self.enqueue(stage, attempt, p, kind.clone());
        }
        self.states.insert(
            stage,
            StageState::Running(Running {
                attempt,
                pending: missing.into_iter().collect(),
            }),
        );
        self.sched.status.update_stage(self.job, stage, |i| {
            i.status = StageStatus::Active;
            i.attempt = attempt;
        });
        self.sched.events.post(Event::StageSubmitted {
            job_id: self.job.0,
            stage_id: stage.0,
            attempt,
            num_tasks: tasks,
            time: now_ms(),
        });
        Ok(())
    }

    fn enqueue(&mut self, stage: StageId, stage_attempt: u32, partition: usize, kind: TaskKind) {
        let n = self.attempts.entry((stage, partition)).or_insert(0);
        let attempt = *n;
        *n += 1;
        self.queue.push_back(TaskSpec {
            job: self.job,
            stage,
            stage_attempt,
            partition,
            attempt,
            task_id: TaskId(self.sched.next_task.fetch_add(1, Ordering::Relaxed)),
            kind,
            cancelled: Arc::clone(&self.cancelled),
            cached: match self.sched.backend.places_by_cache() {
                true => persisted_partitions(&self.graph.stages[&stage].rdd, partition),
                false => Vec::new(),
            },
        });
    }

    fn launch(&mut self) {
        let slots = self.sched.backend.slots();
        while self.in_flight < slots {
            let Some(task) = self.queue.pop_front() else {
                break;
            };
            self.in_flight += 1;
            self.launch_epochs
                .insert(task.task_id, self.sched.map_outputs.epoch());
            self.sched.status.update_stage(self.job, task.stage, |i| {
                i.tasks_launched += 1;
                i.num_active_tasks += 1;
            });
            self.sched.events.post(Event::TaskStart {
                job_id: self.job.0,
                stage_id: task.stage.0,
                stage_attempt: task.stage_attempt,
                task_id: task.task_id.0,
                partition: task.partition,
                attempt: task.attempt,
                time: now_ms(),
            });
            tracing::debug!(task = %task.task_id, stage = %task.stage, partition = task.partition, attempt = task.attempt, "launching task");
            self.sched.backend.launch(task, self.tx.clone());
        }
    }

    fn stage_succeeded(&mut self, stage: StageId) -> Result<(), SchedulerError> {
        tracing::info!(job = %self.job, %stage, "stage finished");
        let attempt = self.states[&stage].attempt();
        self.stage_ended(stage, attempt, StageEndStatus::Complete, None);
        self.states
            .insert(stage, StageState::Succeeded(Succeeded { skipped: false }));
        self.sched
            .status
            .update_stage(self.job, stage, |i| i.status = StageStatus::Complete);
        self.submit_ready()
    }

    fn commit_updates(&mut self, done: &mut TaskCompletion) {
        if self.committed.insert((done.stage, done.partition)) {
            for (_, u) in done.updates.drain(..) {
                u.commit();
            }
        }
    }

    fn handle(
        &mut self,
        mut done: TaskCompletion,
    ) -> Result<Option<Vec<Box<dyn Any + Send>>>, SchedulerError> {
        let stage = done.stage;
        if !matches!(done.result, Err(EngineError::FetchFailed { .. })) {
            self.launch_epochs.remove(&done.task_id);
        }
        self.post_task_end(&mut done);
        let m = done.metrics;
        let ok = done.result.is_ok();
        self.sched.status.update_stage(self.job, stage, |i| {
            i.num_active_tasks = i.num_active_tasks.saturating_sub(1);
            if ok {
                i.num_completed_tasks += 1;
            } else {
                i.num_failed_tasks += 1;
            }
            i.shuffle_read_records += m.shuffle_read_records;
            i.shuffle_read_bytes += m.shuffle_read_bytes;
            i.shuffle_write_records += m.shuffle_write_records;
            i.shuffle_write_bytes += m.shuffle_write_bytes;
        });
        let result = std::mem::replace(&mut done.result, Ok(TaskOutput::Value(Box::new(()))));
        if done.stage_attempt < self.floor(stage)
            && matches!(result, Ok(_) | Err(EngineError::FetchFailed { .. }))
        {
            // Computed from (or reading) output that was rolled back since it started.
            tracing::debug!(job = %self.job, %stage, partition = done.partition, attempt = done.stage_attempt, "dropping the completion of a rolled-back stage attempt");
            self.launch_epochs.remove(&done.task_id);
            return Ok(None);
        }
        match result {
            Ok(TaskOutput::Map(status)) => {
                let StageKind::ShuffleMap(dep) = &self.graph.stages[&stage].kind else {
                    unreachable!("map output from a result stage");
                };
                let shuffle = dep.shuffle_id();
                self.sched
                    .map_outputs
                    .register_map_output(shuffle, done.partition, status);
                self.commit_updates(&mut done);
                self.task_succeeded(stage, done.partition)?;
                Ok(None)
            }
            Ok(TaskOutput::Value(v)) => {
                let idx = self.result_index[&done.partition];
                if self.results[idx].is_none() {
                    self.results[idx] = Some(v);
                    self.remaining -= 1;
                    self.commit_updates(&mut done);
                }
                self.task_succeeded(stage, done.partition)?;
                if self.remaining == 0 {
                    return Ok(Some(
                        self.results
                            .iter_mut()
                            .map(|r| r.take().expect("all results in"))
                            .collect(),
                    ));
                }
                Ok(None)
            }
            Err(EngineError::Cancelled { .. }) => Ok(None),
            Err(EngineError::FetchFailed {
                shuffle,
                map,
                reduce,
            }) => {
                let launched = self.launch_epochs.remove(&done.task_id).unwrap_or(0);
                self.fetch_failed(stage, done.stage_attempt, launched, shuffle, map, reduce)?;
                Ok(None)
            }
            Err(error) => {
                let current = self.states[&stage].attempt();
                let pending = matches!(&self.states[&stage], StageState::Running(r) if r.pending.contains(&done.partition));
                if done.stage_attempt < current || !pending {
                    return Ok(None);
                }
                let n = self.failures.entry((stage, done.partition)).or_insert(0);
                *n += 1;
                // A query error (DataFusion's: a bad cast, a missing file) or a malformed record
                // under read mode FAILFAST is deterministic: another attempt would fail the same
                // way, so it fails the job at once.
                let deterministic = matches!(
                    error,
                    EngineError::Query { .. }
                        | EngineError::MalformedRecord { .. }
                        | EngineError::NoExecutors { .. }
                        | EngineError::Diverged { .. }
                );
                if deterministic {
                    tracing::debug!(job = %self.job, %stage, partition = done.partition, %error, "query task failed");
                } else {
                    tracing::warn!(job = %self.job, %stage, partition = done.partition, attempt = done.attempt, %error, "task failed");
                }
                if deterministic || *n >= self.sched.config.max_task_failures {
                    return Err(SchedulerError::TaskFailed {
                        job: self.job,
                        stage,
                        partition: done.partition,
                        attempts: *n,
                        error,
                    });
                }
                let kind = match &self.graph.stages[&stage].kind {
                    StageKind::ShuffleMap(dep) => TaskKind::ShuffleMap(Arc::clone(dep)),
                    StageKind::Result { .. } => TaskKind::Result(Arc::clone(&self.func)),
                };
                self.enqueue(stage, current, done.partition, kind);
                Ok(None)
            }
        }
    }

    fn task_succeeded(&mut self, stage: StageId, partition: usize) -> Result<(), SchedulerError> {
        let finished = match self.states.get_mut(&stage) {
            Some(StageState::Running(r)) => {
                r.pending.remove(&partition);
                r.pending.is_empty()
            }
            _ => false,
        };
        if finished {
            let missing = self.missing(stage);
            if missing.is_empty() {
                return self.stage_succeeded(stage);
            }
            // Some output was lost while the stage ran: run the missing tasks again.
            let attempt = self.states[&stage].attempt() + 1;
            self.states
                .insert(stage, StageState::Waiting(Waiting { attempt }));
            return self.submit_ready();
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn fetch_failed(
        &mut self,
        stage: StageId,
        stage_attempt: u32,
        launched_epoch: u64,
        shuffle: ShuffleId,
        map: usize,
        reduce: usize,
    ) -> Result<(), SchedulerError> {
        tracing::warn!(job = %self.job, %stage, %shuffle, map, reduce, "fetch failed; recomputing lost map output");
        // Only an output registered before the failing task started is really lost; a newer
        // one was recomputed meanwhile.
        self.sched
            .map_outputs
            .unregister_if_older(shuffle, map, launched_epoch);
        // The parent map stage must run the lost task again (all of its tasks if its output is
        // indeterminate: `submit_ready` rolls it back).
        if let Some(parent) = self.sched.shuffle_stages.lock().get(&shuffle).copied()
            && let Some(StageState::Succeeded(_)) = self.states.get(&parent)
        {
            let attempt = self.next_attempt(parent);
            self.states
                .insert(parent, StageState::Waiting(Waiting { attempt }));
        }
        let current = self.states[&stage].attempt();
        if stage_attempt >= current && matches!(self.states[&stage], StageState::Running(_)) {
            let n = self.stage_failures.entry(stage).or_insert(0);
            *n += 1;
            if *n >= self.sched.config.max_stage_attempts {
                return Err(SchedulerError::StageFailed {
                    job: self.job,
                    stage,
                    attempts: *n,
                    error: EngineError::FetchFailed {
                        shuffle,
                        map,
                        reduce,
                    },
                });
            }
            self.queue.retain(|t| t.stage != stage);
            let failure = format!("fetch of shuffle {shuffle} map {map} failed");
            self.stage_ended(stage, current, StageEndStatus::Failed, Some(failure));
            self.states.insert(
                stage,
                StageState::Waiting(Waiting {
                    attempt: current + 1,
                }),
            );
        }
        self.submit_ready()
    }
}
