//! What the driver knows of each executor and of each task it runs.

use ember_engine::ids::{ExecutorId, TaskId};
use ember_engine::task::{TaskCompletion, TaskSpec};
use ember_proto::convert::Launched;
use ember_proto::v1::{DriverMessage, JobEnded, driver_message};
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::mpsc::Sender;
use std::time::Instant;
use tokio::sync::mpsc::UnboundedSender;
use tonic::Status;

/// The channel down an executor's session.
pub(super) type Downlink = UnboundedSender<Result<DriverMessage, Status>>;

/// A registered executor.
pub(super) struct Executor {
    pub flight_address: String,
    pub cores: usize,
    pub free: usize,
    pub last_heartbeat: Instant,
    pub down: Downlink,
    pub running: HashSet<TaskId>,
}

impl Executor {
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
}

/// The backend's state.
#[derive(Default)]
pub(super) struct State {
    pub executors: HashMap<ExecutorId, Executor>,
    pub queue: VecDeque<(TaskSpec, Sender<TaskCompletion>)>,
    pub running: HashMap<TaskId, Running>,
    /// Every job that ended, in order: a late executor's program replays them.
    pub ended: Vec<JobEnded>,
    /// Their encoded size.
    pub replay_bytes: usize,
    /// The log grew past its bound and was dropped: late executors are refused.
    pub replay_truncated: bool,
    /// The job being run: its number and description.
    pub job: Option<(u64, String)>,
    /// Since when no executor has been registered (None while some are).
    pub empty_since: Option<Instant>,
}
