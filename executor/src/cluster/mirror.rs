//! The executor's copy of the driver's jobs.
//!
//! A Rust executor runs the application's own binary, so its copy of `main` builds the same
//! lineage as the driver's: RDD and shuffle ids are handed out in the same order. Each action
//! the copy reaches registers its job here (the RDD, the action's function, the action's
//! description) under the same job number the driver gives it, then waits for the driver's
//! [`JobEnded`](ember_proto::v1::JobEnded) and returns the driver's values, so the copy follows
//! the driver's path through the program. Tasks the driver sends name a job number and, for map
//! tasks, a shuffle id; the mirror finds the function to run in the registered lineage.
//!
//! A task for a job the copy has not reached yet waits for it; a task whose job the copy
//! registered under another description means the copy took another path than the driver's,
//! which fails the task with [`EngineError::Diverged`].

use ember_engine::error::EngineError;
use ember_engine::ids::ShuffleId;
use ember_engine::rdd::{Dependency, RddBase, ShuffleDependencyBase};
use ember_engine::task::{ResultFn, TaskKind};
use parking_lot::{Condvar, Mutex};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A job's outcome on the driver: the encoded value of each partition, or the error's message.
pub type JobOutcome = Result<Vec<Vec<u8>>, String>;

struct Registered {
    description: String,
    func: ResultFn,
    shuffles: HashMap<ShuffleId, Arc<dyn ShuffleDependencyBase>>,
}

#[derive(Default)]
struct State {
    jobs: HashMap<u64, Registered>,
    ended: HashMap<u64, (String, JobOutcome)>,
    /// The next job number the program's copy will reach.
    next: u64,
    /// The driver is gone; nothing will end any more.
    closed: Option<String>,
}

/// Jobs of this executor's copy of the program, by job number.
#[derive(Default)]
pub struct JobMirror {
    state: Mutex<State>,
    changed: Condvar,
}

/// Every shuffle dependency reachable from `rdd`, walked with an explicit stack.
fn shuffles_of(rdd: &Arc<dyn RddBase>) -> HashMap<ShuffleId, Arc<dyn ShuffleDependencyBase>> {
    let mut out = HashMap::new();
    let mut seen = HashSet::new();
    let mut stack = vec![Arc::clone(rdd)];
    while let Some(r) = stack.pop() {
        if !seen.insert(r.id()) {
            continue;
        }
        for d in r.dependencies() {
            match d {
                Dependency::Narrow { parent, .. } => stack.push(parent),
                Dependency::Shuffle(s) => {
                    stack.push(s.parent());
                    out.insert(s.shuffle_id(), s);
                }
            }
        }
    }
    out
}

impl JobMirror {
    /// Registers the next job the program reached and waits for the driver to end it. Returns
    /// the job number and the driver's outcome.
    pub fn run_job(
        &self,
        rdd: &Arc<dyn RddBase>,
        func: ResultFn,
        description: String,
    ) -> (u64, JobOutcome) {
        let shuffles = shuffles_of(rdd);
        let mut st = self.state.lock();
        let job = st.next;
        st.next += 1;
        st.jobs.insert(
            job,
            Registered {
                description,
                func,
                shuffles,
            },
        );
        self.changed.notify_all();
        loop {
            if let Some((_, outcome)) = st.ended.remove(&job) {
                st.jobs.remove(&job);
                return (job, outcome);
            }
            if let Some(why) = &st.closed {
                let why = why.clone();
                st.jobs.remove(&job);
                return (job, Err(why));
            }
            self.changed.wait(&mut st);
        }
    }

    /// The driver ended `job` (or it ended before this executor joined, in a replay).
    pub fn job_ended(&self, job: u64, description: String, outcome: JobOutcome) {
        let mut st = self.state.lock();
        st.ended.insert(job, (description, outcome));
        self.changed.notify_all();
    }

    /// The driver is gone: every waiting job returns `why`.
    pub fn close(&self, why: String) {
        let mut st = self.state.lock();
        st.closed = Some(why);
        self.changed.notify_all();
    }

    /// The work of a task of `job`: the map side of `shuffle`, or the job's result function.
    /// Waits up to `wait` for the program's copy to reach the job.
    pub fn task_kind(
        &self,
        executor: &str,
        job: u64,
        description: &str,
        shuffle: Option<ShuffleId>,
        wait: Duration,
    ) -> Result<TaskKind, EngineError> {
        let deadline = Instant::now() + wait;
        let mut st = self.state.lock();
        loop {
            if let Some(r) = st.jobs.get(&job) {
                if r.description != description {
                    return Err(EngineError::Diverged {
                        executor: executor.to_string(),
                        detail: format!(
                            "its job {job} is `{}` where the driver's is `{description}`",
                            r.description
                        ),
                    });
                }
                return match shuffle {
                    None => Ok(TaskKind::Result(Arc::clone(&r.func))),
                    Some(s) => match r.shuffles.get(&s) {
                        Some(dep) => Ok(TaskKind::ShuffleMap(Arc::clone(dep))),
                        None => Err(EngineError::Diverged {
                            executor: executor.to_string(),
                            detail: format!(
                                "job {job} (`{description}`) has no shuffle {s} in its lineage"
                            ),
                        }),
                    },
                };
            }
            if st.next > job && !st.jobs.contains_key(&job) {
                return Err(EngineError::Cancelled {
                    reason: format!("job {job} (`{description}`) already ended"),
                });
            }
            if let Some(why) = &st.closed {
                return Err(EngineError::Cancelled {
                    reason: why.clone(),
                });
            }
            if self.changed.wait_until(&mut st, deadline).timed_out() {
                return Err(EngineError::Diverged {
                    executor: executor.to_string(),
                    detail: format!(
                        "its program has reached job {} but not the driver's job {job} \
                         (`{description}`) after {} s",
                        st.next,
                        wait.as_secs()
                    ),
                });
            }
        }
    }
}
