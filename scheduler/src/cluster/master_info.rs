//! What a master shows of its cluster: workers, executors and applications, as its web UI's
//! cluster page, `/json` and `/metrics` read them (see [`super::MasterHandle::snapshot`]).

use serde::Serialize;
use std::time::Duration;

/// An application as the master sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ApplicationInfo {
    /// The id the master gave it.
    pub id: String,
    /// The name the driver gave it.
    pub name: String,
    /// Its executors' ids, sorted.
    pub executors: Vec<String>,
    /// Cores of each executor.
    pub cores_per_executor: u32,
    /// Memory of each executor, in bytes.
    pub memory_per_executor: u64,
    /// How long ago the master accepted it.
    pub duration: Duration,
    /// How many of its executors failed.
    pub failures: u32,
    /// Exited executors waiting for a worker with room to be replaced.
    pub waiting: usize,
    /// Its failures went past the limit: exited executors are no longer replaced.
    pub not_replacing: bool,
}

impl ApplicationInfo {
    /// Cores its executors hold.
    pub fn cores(&self) -> u64 {
        self.executors.len() as u64 * u64::from(self.cores_per_executor)
    }

    /// `RUNNING`, or `WAITING` while exited executors wait for a worker with room.
    pub fn state(&self) -> &'static str {
        if self.waiting > 0 {
            "WAITING"
        } else {
            "RUNNING"
        }
    }
}

/// A registered worker.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WorkerInfo {
    /// Its id.
    pub id: String,
    /// The address its executors serve blocks on.
    pub host: String,
    /// Cores it offers.
    pub cores: u32,
    /// Cores its executors use.
    pub cores_used: u32,
    /// Memory it offers, in bytes.
    pub memory_bytes: u64,
    /// Memory its executors use, in bytes.
    pub memory_used: u64,
    /// `ALIVE` (a lost worker is forgotten at once).
    pub state: &'static str,
    /// Time since its last message.
    pub last_heartbeat: Duration,
}

/// An executor the master placed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExecutorInfo {
    /// Its id.
    pub id: String,
    /// Its application.
    pub app_id: String,
    /// The worker running it.
    pub worker: String,
    /// The worker's host.
    pub host: String,
    /// Cores it holds.
    pub cores: u32,
    /// Memory it holds, in bytes.
    pub memory_bytes: u64,
}

/// The master's whole view at one instant, each list sorted by id (applications in the order
/// they were accepted).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ClusterSnapshot {
    /// The address of the master's service (`host:port`).
    pub address: String,
    /// Registered workers.
    pub workers: Vec<WorkerInfo>,
    /// Placed executors.
    pub executors: Vec<ExecutorInfo>,
    /// Running applications.
    pub applications: Vec<ApplicationInfo>,
}

impl ClusterSnapshot {
    /// Cores all workers offer.
    pub fn cores_total(&self) -> u64 {
        self.workers.iter().map(|w| u64::from(w.cores)).sum()
    }

    /// Cores executors hold.
    pub fn cores_used(&self) -> u64 {
        self.workers.iter().map(|w| u64::from(w.cores_used)).sum()
    }
}
