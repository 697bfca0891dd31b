//! What the driver knows of each executor and of each task it runs.

use crate::events::{Event, EventBus};
use ember_engine::ids::{ExecutorId, RddId, TaskId};
use ember_engine::rdd::CachedPartition;
use ember_engine::task::{TaskCompletion, TaskSpec};
use ember_proto::convert::Launched;
use ember_proto::v1::{DriverMessage, JobEnded, driver_message};
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::sync::mpsc::Sender;
use std::time::Instant;
use tokio::sync::mpsc::UnboundedSender;
use tonic::Status;

/// The channel down an executor's session.
pub(super) type Downlink = UnboundedSender<Result<DriverMessage, Status>>;

/// A registered executor.
pub(super) struct Executor {
    /// The host it runs on.
    pub host: String,
    pub flight_address: String,
    /// Its Prometheus endpoint (empty when it serves none).
    pub metrics_url: String,
    pub cores: usize,
    /// Memory for cached blocks, in bytes.
    pub max_memory: u64,
    /// When it registered (ms since the epoch).
    pub registered_at: u64,
    /// Whether its `ExecutorAdded` event was posted (it joined after the bus was attached).
    pub announced: bool,
    pub free: usize,
    pub last_heartbeat: Instant,
    pub down: Downlink,
    pub running: HashSet<TaskId>,
}

impl Executor {
    /// Its `ExecutorAdded` event.
    pub fn added_event(&self, id: &ExecutorId) -> Event {
        Event::ExecutorAdded {
            executor_id: id.0.clone(),
            host: self.host.clone(),
            cores: self.cores,
            max_memory: self.max_memory,
            metrics_url: Some(self.metrics_url.clone()).filter(|u| !u.is_empty()),
            time: self.registered_at,
        }
    }

    pub fn send(&self, kind: driver_message::Kind) -> bool {
        self.down
            .send(Ok(DriverMessage { kind: Some(kind) }))
            .is_ok()
    }
}

/// A task on an executor, and where its completion goes.
pub(super) struct Running {
    pub launched: Launched,
    pub reply: Sender<TaskCompletion>,
    /// The cached partitions the task computes or reads (see `TaskSpec::cached`).
    pub cached: Vec<CachedPartition>,
}

/// The backend's state.
#[derive(Default)]
pub(super) struct State {
    pub executors: HashMap<ExecutorId, Executor>,
    pub queue: VecDeque<(TaskSpec, Sender<TaskCompletion>)>,
    /// When each queued task was queued (for the locality wait).
    pub queued_since: HashMap<TaskId, Instant>,
    /// The executors holding each cached RDD partition, as far as the driver knows: those
    /// that ran a task which computed it.
    pub cache_locations: HashMap<(RddId, usize), Vec<ExecutorId>>,
    /// The executors asked to store a replica of each cached RDD partition, until they do.
    pub replicating: HashMap<(RddId, usize), Vec<ExecutorId>>,
    pub running: HashMap<TaskId, Running>,
    /// Every job that ended, in order: a late executor's program replays them.
    pub ended: Vec<JobEnded>,
    /// Every program step sent, in order: a late executor's front end replays them.
    pub program: Vec<Vec<u8>>,
    /// Their encoded size.
    pub replay_bytes: usize,
    /// The log grew past its bound and was dropped: late executors are refused.
    pub replay_truncated: bool,
    /// The job being run: its number and description.
    pub job: Option<(u64, String)>,
    /// Since when no executor has been registered (None while some are).
    pub empty_since: Option<Instant>,
    /// Where executors joining and leaving are posted, once attached.
    pub events: Option<Arc<EventBus>>,
}
