//! The context of a running task: which partition and attempt it is, the executor's services,
//! and the accumulator updates it has made. User code reaches it with [`TaskContext::get`].

use crate::env::Env;
use crate::error::EngineError;
use crate::ids::{AccumulatorId, StageId, TaskId};
use parking_lot::Mutex;
use std::any::Any;
use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// An accumulator update made by a task, applied to the driver's value only if the task succeeds.
pub trait PendingUpdate: Send {
    /// Folds this update into the accumulator's value.
    fn commit(self: Box<Self>);
    /// For merging further updates of the same accumulator into this one.
    fn as_any_mut(&mut self) -> &mut dyn Any;
    /// The update encoded for a driver in another process; `None` if its type cannot be.
    fn encode(&self) -> Option<Vec<u8>> {
        None
    }
}

/// Counters a task keeps about its own work.
#[derive(Debug, Default)]
pub struct TaskMetrics {
    /// Shuffle records read.
    pub shuffle_records_read: AtomicU64,
    /// Shuffle bytes read (encoded).
    pub shuffle_bytes_read: AtomicU64,
    /// Shuffle records written.
    pub shuffle_records_written: AtomicU64,
    /// Shuffle bytes written (encoded).
    pub shuffle_bytes_written: AtomicU64,
}

impl TaskMetrics {
    /// Counts one shuffle block read (its rows and Arrow memory size).
    pub fn record_shuffle_read(&self, batches: &[arrow::record_batch::RecordBatch]) {
        let bytes: usize = batches.iter().map(|b| b.get_array_memory_size()).sum();
        let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
        self.shuffle_bytes_read
            .fetch_add(bytes as u64, Ordering::Relaxed);
        self.shuffle_records_read
            .fetch_add(rows as u64, Ordering::Relaxed);
    }
}

/// A running task, as seen by the code it runs.
pub struct TaskContext {
    stage: StageId,
    stage_attempt: u32,
    partition: usize,
    attempt: u32,
    task_id: TaskId,
    env: Arc<Env>,
    cancelled: Arc<AtomicBool>,
    updates: Mutex<Vec<(AccumulatorId, Box<dyn PendingUpdate>)>>,
    /// Counters of this task's work.
    pub metrics: TaskMetrics,
}

thread_local! {
    static CURRENT: RefCell<Option<Arc<TaskContext>>> = const { RefCell::new(None) };
}

/// The error a task's iterators raise mid-stream. Operators that cannot return a `Result` (an
/// iterator's `next`) stop the task with [`abort`]; the task runner turns it back into the error.
pub struct TaskAbort(pub EngineError);

/// Stops the running task with `err`. The task runner catches it and reports `err` as the task's
/// failure; no panic message is printed.
pub fn abort(err: EngineError) -> ! {
    std::panic::resume_unwind(Box::new(TaskAbort(err)))
}

impl TaskContext {
    /// A context for one attempt of one task.
    pub fn new(
        stage: StageId,
        stage_attempt: u32,
        partition: usize,
        attempt: u32,
        task_id: TaskId,
        env: Arc<Env>,
        cancelled: Arc<AtomicBool>,
    ) -> Self {
        TaskContext {
            stage,
            stage_attempt,
            partition,
            attempt,
            task_id,
            env,
            cancelled,
            updates: Mutex::new(Vec::new()),
            metrics: TaskMetrics::default(),
        }
    }

    /// The context of the task running on this thread, if any (Spark's `TaskContext.get()`).
    pub fn get() -> Option<Arc<TaskContext>> {
        CURRENT.with(|c| c.borrow().clone())
    }

    /// Runs `f` with `ctx` as this thread's current task.
    pub fn scope<R>(ctx: &Arc<TaskContext>, f: impl FnOnce() -> R) -> R {
        struct Reset(Option<Arc<TaskContext>>);
        impl Drop for Reset {
            fn drop(&mut self) {
                let prev = self.0.take();
                CURRENT.with(|c| *c.borrow_mut() = prev);
            }
        }
        let prev = CURRENT.with(|c| c.borrow_mut().replace(Arc::clone(ctx)));
        let _reset = Reset(prev);
        f()
    }

    /// The stage this task belongs to.
    pub fn stage_id(&self) -> StageId {
        self.stage
    }
    /// The attempt number of the stage.
    pub fn stage_attempt_number(&self) -> u32 {
        self.stage_attempt
    }
    /// The partition this task computes.
    pub fn partition_id(&self) -> usize {
        self.partition
    }
    /// How many times this task was tried before (0 on the first attempt).
    pub fn attempt_number(&self) -> u32 {
        self.attempt
    }
    /// The unique id of this task attempt.
    pub fn task_attempt_id(&self) -> TaskId {
        self.task_id
    }
    /// The executor's services.
    pub fn env(&self) -> &Arc<Env> {
        &self.env
    }
    /// True once the task's job has ended; long loops may stop early.
    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }

    /// Records an accumulator update. `f` gets this task's pending update for `id`, if any, to
    /// fold into; otherwise it returns a new pending update.
    pub fn record_update(
        &self,
        id: AccumulatorId,
        f: impl FnOnce(Option<&mut dyn Any>) -> Option<Box<dyn PendingUpdate>>,
    ) {
        let mut updates = self.updates.lock();
        match updates.iter_mut().find(|(i, _)| *i == id) {
            Some((_, u)) => {
                f(Some(u.as_any_mut()));
            }
            None => {
                if let Some(new) = f(None) {
                    updates.push((id, new));
                }
            }
        }
    }

    /// Takes the updates this task made (the task runner sends them with the task's result).
    pub fn take_updates(&self) -> Vec<(AccumulatorId, Box<dyn PendingUpdate>)> {
        std::mem::take(&mut *self.updates.lock())
    }
}
