//! Stages and their lifecycle.
//!
//! A stage is a set of tasks, one per partition, that run the same pipeline of narrow
//! operators. A *shuffle-map stage* ends at a shuffle dependency and writes map outputs; the
//! *result stage* ends at the job's RDD and computes the action's values.
//!
//! Each stage of a job moves through these states (each state is a struct with what it needs):
//!
//! ```text
//!                      all parent stages available
//!   ┌─────────┐  ───────────────────────────────────►  ┌─────────┐   every task done   ┌───────────┐
//!   │ Waiting │                                        │ Running │ ──────────────────► │ Succeeded │
//!   └─────────┘  ◄───────────────────────────────────  └─────────┘                     └───────────┘
//!        ▲        fetch failure: a parent's map output     │  task failed maxFailures times
//!        │        was lost; the parent reruns its          ▼  or too many stage attempts
//!        │        missing map tasks first             ┌────────┐
//!   (map output already complete: ──► Succeeded        │ Failed │
//!    the stage is *skipped*)                           └────────┘
//! ```
//!
//! A rollback (an indeterminate map stage lost part of its output; see
//! `dag_scheduler::rollback`) sends that stage and every stage that read it back to `Waiting`
//! from any state, with a new attempt number; their map outputs are forgotten, so they run in
//! full.

use ember_engine::ids::StageId;
use ember_engine::rdd::{RddBase, ShuffleDependencyBase};
use std::collections::BTreeSet;
use std::sync::Arc;

/// What a stage's tasks produce.
#[derive(Clone)]
pub enum StageKind {
    /// Map outputs of a shuffle.
    ShuffleMap(Arc<dyn ShuffleDependencyBase>),
    /// The job's results, for the listed partitions of the final RDD.
    Result {
        /// Partitions of the final RDD the action wants.
        partitions: Vec<usize>,
    },
}

/// A stage of a job.
#[derive(Clone)]
pub struct Stage {
    /// Its id (a shuffle's map stage keeps its id across jobs).
    pub id: StageId,
    /// What it produces.
    pub kind: StageKind,
    /// The last RDD of its pipeline.
    pub rdd: Arc<dyn RddBase>,
    /// Stages whose output it reads.
    pub parents: Vec<StageId>,
    /// `operation at file:line`, for the status API and progress bar.
    pub name: String,
}

impl Stage {
    /// Number of tasks a full run of the stage has.
    pub fn num_tasks(&self) -> usize {
        match &self.kind {
            StageKind::ShuffleMap(_) => self.rdd.num_partitions(),
            StageKind::Result { partitions } => partitions.len(),
        }
    }
}

/// Waiting for parent stages.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Waiting {
    /// Attempts made so far (a stage waits again after a fetch failure).
    pub attempt: u32,
}

/// Tasks launched or queued.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Running {
    /// This attempt's number.
    pub attempt: u32,
    /// Task indices not yet succeeded.
    pub pending: BTreeSet<usize>,
}

/// Every task succeeded (or nothing had to run).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Succeeded {
    /// True if the stage's output already existed and no task ran.
    pub skipped: bool,
}

/// The stage gave up; the job fails.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failed {
    /// Why.
    pub reason: String,
}

/// The lifecycle of one stage within a job.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StageState {
    /// See [`Waiting`].
    Waiting(Waiting),
    /// See [`Running`].
    Running(Running),
    /// See [`Succeeded`].
    Succeeded(Succeeded),
    /// See [`Failed`].
    Failed(Failed),
}

impl StageState {
    /// The current attempt number.
    pub fn attempt(&self) -> u32 {
        match self {
            StageState::Waiting(w) => w.attempt,
            StageState::Running(r) => r.attempt,
            _ => 0,
        }
    }
    /// True once succeeded.
    pub fn is_done(&self) -> bool {
        matches!(self, StageState::Succeeded(_))
    }
}
