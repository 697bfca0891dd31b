//! The status API of a context: jobs, stages and tasks run (Spark's `SparkStatusTracker`).

use ember_engine::ids::JobId;
use ember_scheduler::status::StatusTracker;
pub use ember_scheduler::status::{JobInfo, JobStatus, StageInfo, StageStatus};
use std::sync::Arc;

/// A read-only view of a context's jobs.
#[derive(Clone)]
pub struct StatusView {
    tracker: Arc<StatusTracker>,
}

impl StatusView {
    pub(crate) fn new(tracker: Arc<StatusTracker>) -> Self {
        StatusView { tracker }
    }
    /// Every retained job, oldest first.
    pub fn jobs(&self) -> Vec<JobInfo> {
        self.tracker.jobs()
    }
    /// One job.
    pub fn job(&self, id: JobId) -> Option<JobInfo> {
        self.tracker.job(id)
    }
    /// The newest job.
    pub fn last_job(&self) -> Option<JobInfo> {
        self.tracker.last_job()
    }
    /// Ids of running jobs.
    pub fn active_job_ids(&self) -> Vec<JobId> {
        self.tracker.active_job_ids()
    }
    /// Stages with running tasks.
    pub fn active_stages(&self) -> Vec<StageInfo> {
        self.tracker.active_stages()
    }
}
