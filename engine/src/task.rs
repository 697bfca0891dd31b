//! Tasks as the scheduler hands them to a backend, and what comes back.
//!
//! A task is one partition of one stage: a shuffle-map task writes the partition's shuffle
//! output, a result task applies the action's function to the partition. The backend (local
//! threads now, remote executors in cluster mode) runs it and replies on a channel.

use crate::env::{Env, MapStatus};
use crate::error::{EngineError, Result};
use crate::ids::{AccumulatorId, JobId, RddId, ShuffleId, StageId, TaskId};
use crate::rdd::ShuffleDependencyBase;
use crate::task_context::{BlockUpdate, PendingUpdate, TaskContext, TaskMetricsSnapshot};
use std::any::Any;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc::Sender;
use std::time::Duration;

/// The function of a result task: computes the action's per-partition value.
pub type ResultFn = Arc<dyn Fn(&Arc<TaskContext>) -> Result<Box<dyn Any + Send>> + Send + Sync>;

/// What a task does.
#[derive(Clone)]
pub enum TaskKind {
    /// Writes the shuffle output of one map partition.
    ShuffleMap(Arc<dyn ShuffleDependencyBase>),
    /// Computes one partition's value for the job's action.
    Result(ResultFn),
}

/// One attempt of one task.
#[derive(Clone)]
pub struct TaskSpec {
    /// The job it belongs to.
    pub job: JobId,
    /// The stage it belongs to.
    pub stage: StageId,
    /// Attempt number of the stage.
    pub stage_attempt: u32,
    /// The partition it computes.
    pub partition: usize,
    /// Attempt number of this task (0 first).
    pub attempt: u32,
    /// Unique id of this attempt.
    pub task_id: TaskId,
    /// The work.
    pub kind: TaskKind,
    /// Set when the job ends; a queued task that sees it does not start.
    pub cancelled: Arc<AtomicBool>,
    /// The cached partitions the task reads or writes
    /// ([`persisted_partitions`](crate::rdd::persisted_partitions)): a cluster runs it where
    /// they are when it can. Empty unless the backend
    /// [`places_by_cache`](TaskBackend::places_by_cache).
    pub cached: Vec<crate::rdd::CachedPartition>,
}

/// A successful task's output.
pub enum TaskOutput {
    /// A map task's status.
    Map(MapStatus),
    /// A result task's value.
    Value(Box<dyn Any + Send>),
}

/// What a backend reports about a finished task attempt.
pub struct TaskCompletion {
    /// Unique id of the attempt.
    pub task_id: TaskId,
    /// Its stage.
    pub stage: StageId,
    /// Attempt number of the stage.
    pub stage_attempt: u32,
    /// Its partition.
    pub partition: usize,
    /// Its attempt number.
    pub attempt: u32,
    /// The output, or the error that ended it.
    pub result: Result<TaskOutput, EngineError>,
    /// Accumulator updates, to apply only if the task succeeded.
    pub updates: Vec<(AccumulatorId, Box<dyn PendingUpdate>)>,
    /// Wall time of the attempt.
    pub duration: Duration,
    /// The task's counters.
    pub metrics: TaskMetricsSnapshot,
    /// Cached blocks the task stored.
    pub blocks: Vec<BlockUpdate>,
    /// The executor that ran it (`driver` in local mode).
    pub executor: String,
}

/// Runs tasks: local threads, or executors in other processes.
///
/// Contract: `launch` never blocks on the task itself; exactly one [`TaskCompletion`] is sent on
/// `reply` for every launched task, unless the task was cancelled before it started, in which
/// case a completion with [`EngineError::Cancelled`] is sent.
pub trait TaskBackend: Send + Sync {
    /// Queues a task.
    fn launch(&self, task: TaskSpec, reply: Sender<TaskCompletion>);
    /// Number of tasks that can run at once.
    fn slots(&self) -> usize;
    /// The services tasks see (the driver's own, in local mode).
    fn env(&self) -> Arc<Env>;
    /// Drops a shuffle's blocks wherever they are held.
    fn remove_shuffle(&self, shuffle: ShuffleId) {
        self.env().shuffles.remove_shuffle(shuffle);
    }
    /// Drops an RDD's cached blocks wherever they are held.
    fn remove_rdd(&self, rdd: RddId) {
        self.env().blocks.remove_rdd(rdd);
    }
    /// Whether the backend places tasks by the cached partitions they read
    /// ([`TaskSpec::cached`]); the scheduler lists them only then (one process holds every
    /// block in local mode).
    fn places_by_cache(&self) -> bool {
        false
    }
}
