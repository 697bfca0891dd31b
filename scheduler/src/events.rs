//! Scheduler events (Spark's `SparkListenerEvent`s) and the bus that delivers them.
//!
//! The scheduler, the context and the cluster backend post an [`Event`] for everything a user
//! may want to watch: jobs, stages and tasks starting and ending (with each task's metrics),
//! executors joining and leaving, cached blocks stored, SQL queries run. Listeners (the UI's
//! status store, the event log writer) receive them in order on the posting thread, so a
//! listener must be quick and must not call back into the scheduler.
//!
//! Events are plain data with serde derives: the event log is one JSON object per line, and
//! replaying it through the same listeners rebuilds the same view (`ember history`).

use ember_engine::task_context::{BlockUpdate, TaskMetricsSnapshot};
use parking_lot::RwLock;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch, the time stamp of every event.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// A stage as planned when its job starts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StagePlan {
    /// The stage.
    pub stage_id: u64,
    /// `operation at file:line`.
    pub name: String,
    /// Tasks in a full run of the stage.
    pub num_tasks: usize,
    /// The stages whose shuffle output it reads.
    pub parents: Vec<u64>,
    /// Whether it writes shuffle output (else it computes the job's result).
    pub shuffle_map: bool,
}

/// How a task attempt ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TaskEndStatus {
    /// It succeeded.
    Success,
    /// It failed; the error is in the event.
    Failed,
    /// Its job ended first.
    Killed,
}

/// How a stage attempt ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StageEndStatus {
    /// Every task succeeded.
    Complete,
    /// Its output already existed; no task ran.
    Skipped,
    /// It failed, or its job failed while it ran.
    Failed,
}

/// One thing that happened in an application.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event")]
pub enum Event {
    /// The context started.
    ApplicationStart {
        /// The application id.
        app_id: String,
        /// `ember.app.name`.
        app_name: String,
        /// The master URL.
        master: String,
        /// The user that started it.
        user: String,
        /// When.
        time: u64,
    },
    /// The context stopped.
    ApplicationEnd {
        /// When.
        time: u64,
    },
    /// The configuration, secrets redacted.
    Environment {
        /// `(key, value)` pairs, sorted by key.
        properties: Vec<(String, String)>,
    },
    /// An executor joined (in local mode: the driver itself).
    ExecutorAdded {
        /// Its id.
        executor_id: String,
        /// Its host.
        host: String,
        /// Task slots.
        cores: usize,
        /// Memory for cached blocks.
        max_memory: u64,
        /// Its `/metrics` URL, if it serves one.
        metrics_url: Option<String>,
        /// When.
        time: u64,
    },
    /// An executor's heartbeat reached the driver (Spark's executor metrics update). Posted
    /// about twice a second per executor, so the event log leaves it out.
    ExecutorHeartbeat {
        /// The executor.
        executor_id: String,
        /// When.
        time: u64,
    },
    /// An executor left or was lost.
    ExecutorRemoved {
        /// Its id.
        executor_id: String,
        /// Why.
        reason: String,
        /// When.
        time: u64,
    },
    /// A job was submitted.
    JobStart {
        /// The job.
        job_id: u64,
        /// `action at file:line`.
        description: String,
        /// Its stages, parents first.
        stages: Vec<StagePlan>,
        /// The SQL query it runs for, if any.
        sql_execution: Option<u64>,
        /// When.
        time: u64,
    },
    /// A job ended.
    JobEnd {
        /// The job.
        job_id: u64,
        /// The error, if it failed.
        error: Option<String>,
        /// When.
        time: u64,
    },
    /// A stage attempt was submitted.
    StageSubmitted {
        /// Its job.
        job_id: u64,
        /// The stage.
        stage_id: u64,
        /// The attempt.
        attempt: u32,
        /// Tasks this attempt runs (the partitions still missing).
        num_tasks: usize,
        /// When.
        time: u64,
    },
    /// A stage attempt ended.
    StageCompleted {
        /// Its job.
        job_id: u64,
        /// The stage.
        stage_id: u64,
        /// The attempt.
        attempt: u32,
        /// How.
        status: StageEndStatus,
        /// Why it failed.
        failure: Option<String>,
        /// When.
        time: u64,
    },
    /// A task attempt was handed to the backend.
    TaskStart {
        /// Its job.
        job_id: u64,
        /// Its stage.
        stage_id: u64,
        /// The stage attempt.
        stage_attempt: u32,
        /// The task attempt's unique id.
        task_id: u64,
        /// Its partition.
        partition: usize,
        /// Its attempt number.
        attempt: u32,
        /// When.
        time: u64,
    },
    /// A task attempt ended.
    TaskEnd {
        /// Its job.
        job_id: u64,
        /// Its stage.
        stage_id: u64,
        /// The stage attempt.
        stage_attempt: u32,
        /// The task attempt's unique id.
        task_id: u64,
        /// Its partition.
        partition: usize,
        /// Its attempt number.
        attempt: u32,
        /// The executor that ran it.
        executor_id: String,
        /// How it ended.
        status: TaskEndStatus,
        /// The error, if it failed.
        error: Option<String>,
        /// Run time on the executor, in milliseconds.
        duration_ms: u64,
        /// Its counters.
        metrics: TaskMetricsSnapshot,
        /// When.
        time: u64,
    },
    /// An RDD or DataFrame was persisted.
    RddPersisted {
        /// The RDD.
        rdd_id: u64,
        /// Its name (`setName`, else its operation and call site).
        name: String,
        /// The storage level, as Spark prints it.
        level: String,
        /// Its partitions.
        num_partitions: usize,
    },
    /// An RDD was unpersisted; its blocks are gone.
    RddUnpersisted {
        /// The RDD.
        rdd_id: u64,
    },
    /// A cached block was stored on an executor.
    BlockUpdated {
        /// The executor.
        executor_id: String,
        /// Where the block is.
        block: BlockUpdate,
    },
    /// A SQL query or DataFrame action started.
    SqlStart {
        /// The query's id.
        execution_id: u64,
        /// The SQL text or the DataFrame action.
        description: String,
        /// The physical plan, as `EXPLAIN` prints it.
        plan: String,
        /// When.
        time: u64,
    },
    /// A SQL query ended.
    SqlEnd {
        /// The query's id.
        execution_id: u64,
        /// The error, if it failed.
        error: Option<String>,
        /// When.
        time: u64,
    },
}

/// Receives events. Called on the posting thread, in posting order; must return quickly.
pub trait Listener: Send + Sync {
    /// Handles one event.
    fn on_event(&self, event: &Event);
}

/// Delivers events to every registered listener.
#[derive(Default)]
pub struct EventBus {
    listeners: RwLock<Vec<Arc<dyn Listener>>>,
}

impl EventBus {
    /// Adds a listener; it receives events posted from now on.
    pub fn add_listener(&self, listener: Arc<dyn Listener>) {
        self.listeners.write().push(listener);
    }

    /// Whether any listener is registered (posters may skip building an event otherwise).
    pub fn is_active(&self) -> bool {
        !self.listeners.read().is_empty()
    }

    /// Delivers `event` to every listener.
    pub fn post(&self, event: Event) {
        for l in self.listeners.read().iter() {
            l.on_event(&event);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use parking_lot::Mutex;

    struct Collect(Mutex<Vec<Event>>);
    impl Listener for Collect {
        fn on_event(&self, event: &Event) {
            self.0.lock().push(event.clone());
        }
    }

    #[test]
    fn events_reach_listeners_in_order_and_round_trip_as_json() {
        let bus = EventBus::default();
        assert!(!bus.is_active());
        let c = Arc::new(Collect(Mutex::new(Vec::new())));
        bus.add_listener(Arc::clone(&c) as Arc<dyn Listener>);
        bus.post(Event::JobEnd {
            job_id: 1,
            error: None,
            time: 5,
        });
        bus.post(Event::RddUnpersisted { rdd_id: 3 });
        let got = c.0.lock().clone();
        assert_eq!(got.len(), 2);
        let line = serde_json::to_string(&got[0]).unwrap();
        assert_eq!(
            line,
            r#"{"event":"JobEnd","job_id":1,"error":null,"time":5}"#
        );
        let back: Event = serde_json::from_str(&line).unwrap();
        assert_eq!(back, got[0]);
    }
}
