//! The executor of local mode: `N` task threads in the driver's process.
//!
//! CPU-bound task code runs on plain threads (never on an async runtime). Threads get a large
//! stack (256 MiB of address space, committed only as used) so that computing a partition
//! through a very deep lineage, which recurses once per RDD, does not overflow.

use crate::ExecutorError;
use crate::task_runner::run_task;
use crossbeam_channel::{Sender, unbounded};
use ember_engine::env::Env;
use ember_engine::task::{TaskBackend, TaskCompletion, TaskSpec};
use std::sync::Arc;
use std::sync::mpsc;
use std::thread::JoinHandle;

/// Stack size of task threads.
pub const TASK_STACK_BYTES: usize = 256 << 20;

type Job = (TaskSpec, mpsc::Sender<TaskCompletion>);

/// A pool of task threads sharing one block manager and shuffle store.
pub struct LocalBackend {
    slots: usize,
    env: Arc<Env>,
    queue: Option<Sender<Job>>,
    threads: Vec<JoinHandle<()>>,
}

impl LocalBackend {
    /// Starts `slots` task threads.
    pub fn new(slots: usize, env: Arc<Env>) -> Result<Self, ExecutorError> {
        let (tx, rx) = unbounded::<Job>();
        let mut threads = Vec::with_capacity(slots);
        for index in 0..slots.max(1) {
            let rx = rx.clone();
            let env = Arc::clone(&env);
            let handle = std::thread::Builder::new()
                .name(format!("ember-task-{index}"))
                .stack_size(TASK_STACK_BYTES)
                .spawn(move || {
                    while let Ok((spec, reply)) = rx.recv() {
                        let done = run_task(&spec, &env);
                        // Drop the task, and with it the lineage its function holds, *before*
                        // reporting completion: otherwise the job can return while this thread
                        // still holds the job's RDDs, and an RDD the user drops right after the
                        // action is only released (and reported to the context cleaner) after
                        // the next job has already run its clean-up.
                        drop(spec);
                        // The job may have ended already; then nobody listens, which is fine.
                        let _ = reply.send(done);
                    }
                })
                .map_err(|e| ExecutorError::Thread {
                    index,
                    message: e.to_string(),
                })?;
            threads.push(handle);
        }
        Ok(LocalBackend {
            slots: slots.max(1),
            env,
            queue: Some(tx),
            threads,
        })
    }
}

impl TaskBackend for LocalBackend {
    fn launch(&self, task: TaskSpec, reply: mpsc::Sender<TaskCompletion>) {
        if let Some(q) = &self.queue {
            // The receiver lives as long as the threads, which live as long as `self`.
            let _ = q.send((task, reply));
        }
    }
    fn slots(&self) -> usize {
        self.slots
    }
    fn env(&self) -> Arc<Env> {
        Arc::clone(&self.env)
    }
}

impl Drop for LocalBackend {
    fn drop(&mut self) {
        self.queue.take();
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}
