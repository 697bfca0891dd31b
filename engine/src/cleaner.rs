//! Clean-up of shuffle outputs and cached blocks that no RDD can reach any more (Spark's
//! `ContextCleaner`). When the last handle to a shuffle dependency or a persisted RDD is dropped,
//! a [`CleanupTask`] goes to the context, which drops the data before its next job.

use crate::ids::{RddId, ShuffleId};
use std::sync::mpsc::{Receiver, Sender, channel};

/// Data that nothing refers to any more.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CleanupTask {
    /// Map outputs of a shuffle whose dependency was dropped.
    Shuffle(ShuffleId),
    /// Cached blocks of a persisted RDD that was dropped.
    Rdd(RddId),
}

/// The sending side, held by RDD metadata and shuffle dependencies.
#[derive(Clone, Debug)]
pub struct Cleaner(Sender<CleanupTask>);

impl Cleaner {
    /// A cleaner and the receiver its context drains.
    pub fn channel() -> (Cleaner, Receiver<CleanupTask>) {
        let (tx, rx) = channel();
        (Cleaner(tx), rx)
    }

    /// Reports data nothing refers to. A context that is gone no longer listens; that is fine.
    pub fn send(&self, task: CleanupTask) {
        let _ = self.0.send(task);
    }
}
