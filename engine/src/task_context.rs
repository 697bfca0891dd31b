//! The context of a running task: which partition and attempt it is, the executor's services,
//! and the accumulator updates it has made. User code reaches it with [`TaskContext::get`].

use crate::env::{Env, PutOutcome};
use crate::error::EngineError;
use crate::ids::{AccumulatorId, StageId, TaskId};
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
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

/// Counters a task keeps about its own work (Spark's `TaskMetrics`), updated once per chunk or
/// block, never per record.
#[derive(Debug, Default)]
pub struct TaskMetrics {
    /// Records read from sources (files) and from cached blocks.
    pub input_records: AtomicU64,
    /// Bytes read from sources and cached blocks.
    pub input_bytes: AtomicU64,
    /// Records written by save actions.
    pub output_records: AtomicU64,
    /// Bytes written by save actions.
    pub output_bytes: AtomicU64,
    /// Shuffle records read.
    pub shuffle_records_read: AtomicU64,
    /// Shuffle bytes read (encoded).
    pub shuffle_bytes_read: AtomicU64,
    /// Shuffle records written.
    pub shuffle_records_written: AtomicU64,
    /// Shuffle bytes written (encoded).
    pub shuffle_bytes_written: AtomicU64,
    /// In-memory size of data this task spilled to disk.
    pub memory_bytes_spilled: AtomicU64,
    /// On-disk size of data this task spilled.
    pub disk_bytes_spilled: AtomicU64,
    /// Cached blocks this task stored.
    pub blocks: Mutex<Vec<BlockUpdate>>,
}

/// A cached partition a task stored, as the driver's storage view learns of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockUpdate {
    /// The persisted RDD.
    pub rdd: u64,
    /// Its partition.
    pub partition: usize,
    /// Bytes held in memory (0 if on disk or not stored).
    pub memory_bytes: u64,
    /// Bytes held on disk (0 if in memory or not stored).
    pub disk_bytes: u64,
}

/// The counters of a finished task, as sent to the driver and shown by the UI.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskMetricsSnapshot {
    /// Records read from sources and cached blocks.
    pub input_records: u64,
    /// Bytes read from sources and cached blocks.
    pub input_bytes: u64,
    /// Records written by save actions.
    pub output_records: u64,
    /// Bytes written by save actions.
    pub output_bytes: u64,
    /// Shuffle records read.
    pub shuffle_read_records: u64,
    /// Shuffle bytes read.
    pub shuffle_read_bytes: u64,
    /// Shuffle records written.
    pub shuffle_write_records: u64,
    /// Shuffle bytes written.
    pub shuffle_write_bytes: u64,
    /// In-memory size of data spilled.
    pub memory_bytes_spilled: u64,
    /// On-disk size of data spilled.
    pub disk_bytes_spilled: u64,
}

impl TaskMetricsSnapshot {
    /// The counters in field order (the wire form).
    pub fn to_vec(&self) -> Vec<u64> {
        vec![
            self.input_records,
            self.input_bytes,
            self.output_records,
            self.output_bytes,
            self.shuffle_read_records,
            self.shuffle_read_bytes,
            self.shuffle_write_records,
            self.shuffle_write_bytes,
            self.memory_bytes_spilled,
            self.disk_bytes_spilled,
        ]
    }

    /// The inverse of [`to_vec`](Self::to_vec); missing counters are 0.
    pub fn from_slice(v: &[u64]) -> Self {
        let at = |i: usize| v.get(i).copied().unwrap_or(0);
        TaskMetricsSnapshot {
            input_records: at(0),
            input_bytes: at(1),
            output_records: at(2),
            output_bytes: at(3),
            shuffle_read_records: at(4),
            shuffle_read_bytes: at(5),
            shuffle_write_records: at(6),
            shuffle_write_bytes: at(7),
            memory_bytes_spilled: at(8),
            disk_bytes_spilled: at(9),
        }
    }

    /// Adds `other`'s counters to these.
    pub fn add(&mut self, other: &TaskMetricsSnapshot) {
        let mut sum = self.to_vec();
        for (a, b) in sum.iter_mut().zip(other.to_vec()) {
            *a += b;
        }
        *self = Self::from_slice(&sum);
    }
}

impl TaskMetrics {
    /// Counts one shuffle block read (its rows and Arrow memory size).
    pub fn record_shuffle_read(&self, batches: &[arrow::record_batch::RecordBatch]) {
        let (rows, bytes) = rows_and_bytes(batches);
        self.shuffle_bytes_read.fetch_add(bytes, Ordering::Relaxed);
        self.shuffle_records_read.fetch_add(rows, Ordering::Relaxed);
    }

    /// Counts records and bytes read from a source or a cached block.
    pub fn record_input(&self, records: u64, bytes: u64) {
        self.input_records.fetch_add(records, Ordering::Relaxed);
        self.input_bytes.fetch_add(bytes, Ordering::Relaxed);
    }

    /// Counts records and bytes written by a save action.
    pub fn record_output(&self, records: u64, bytes: u64) {
        self.output_records.fetch_add(records, Ordering::Relaxed);
        self.output_bytes.fetch_add(bytes, Ordering::Relaxed);
    }

    /// Counts data spilled to disk: its size in memory and on disk.
    pub fn record_spill(&self, memory_bytes: u64, disk_bytes: u64) {
        self.memory_bytes_spilled
            .fetch_add(memory_bytes, Ordering::Relaxed);
        self.disk_bytes_spilled
            .fetch_add(disk_bytes, Ordering::Relaxed);
    }

    /// Records where a cached partition of `bytes` (Arrow memory size) went.
    pub fn record_block(&self, rdd: u64, partition: usize, outcome: PutOutcome, bytes: u64) {
        let (memory_bytes, disk_bytes) = match outcome {
            PutOutcome::Memory => (bytes, 0),
            PutOutcome::Disk => (0, bytes),
            PutOutcome::NotStored => (0, 0),
        };
        self.blocks.lock().push(BlockUpdate {
            rdd,
            partition,
            memory_bytes,
            disk_bytes,
        });
    }

    /// The counters now.
    pub fn snapshot(&self) -> TaskMetricsSnapshot {
        let g = |a: &AtomicU64| a.load(Ordering::Relaxed);
        TaskMetricsSnapshot {
            input_records: g(&self.input_records),
            input_bytes: g(&self.input_bytes),
            output_records: g(&self.output_records),
            output_bytes: g(&self.output_bytes),
            shuffle_read_records: g(&self.shuffle_records_read),
            shuffle_read_bytes: g(&self.shuffle_bytes_read),
            shuffle_write_records: g(&self.shuffle_records_written),
            shuffle_write_bytes: g(&self.shuffle_bytes_written),
            memory_bytes_spilled: g(&self.memory_bytes_spilled),
            disk_bytes_spilled: g(&self.disk_bytes_spilled),
        }
    }
}

/// Rows and Arrow memory size of `batches`.
pub fn rows_and_bytes(batches: &[arrow::record_batch::RecordBatch]) -> (u64, u64) {
    let bytes: usize = batches.iter().map(|b| b.get_array_memory_size()).sum();
    let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
    (rows as u64, bytes as u64)
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
