//! The status API: jobs, their stages and task counts, as Spark's `SparkStatusTracker` and the
//! UI's job and stage tables show them.

use ember_engine::ids::{JobId, StageId};
use parking_lot::Mutex;
use serde::Serialize;
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// How many finished jobs the tracker remembers.
pub const RETAINED_JOBS: usize = 1000;

/// State of a job.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum JobStatus {
    /// Running.
    Running,
    /// Every stage succeeded.
    Succeeded,
    /// Aborted.
    Failed,
}

/// State of a stage within a job.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum StageStatus {
    /// Waiting for parent stages.
    Pending,
    /// Tasks running.
    Active,
    /// Every task succeeded.
    Complete,
    /// Its output already existed; no task ran.
    Skipped,
    /// Gave up.
    Failed,
}

/// A stage as seen by one job.
#[derive(Clone, Debug, Serialize)]
pub struct StageInfo {
    /// The stage.
    pub stage_id: StageId,
    /// `operation at file:line`.
    pub name: String,
    /// The latest attempt.
    pub attempt: u32,
    /// Tasks in a full run.
    pub num_tasks: usize,
    /// Tasks running now.
    pub num_active_tasks: usize,
    /// Tasks that succeeded in this job.
    pub num_completed_tasks: usize,
    /// Task attempts that failed.
    pub num_failed_tasks: usize,
    /// Task attempts launched in this job (0 for a skipped stage).
    pub tasks_launched: usize,
    /// Status.
    pub status: StageStatus,
    /// Shuffle records read.
    pub shuffle_read_records: u64,
    /// Shuffle bytes read.
    pub shuffle_read_bytes: u64,
    /// Shuffle records written.
    pub shuffle_write_records: u64,
    /// Shuffle bytes written.
    pub shuffle_write_bytes: u64,
}

/// A job and its stages.
#[derive(Clone, Debug, Serialize)]
pub struct JobInfo {
    /// The job.
    pub job_id: JobId,
    /// `action at file:line`.
    pub description: String,
    /// Status.
    pub status: JobStatus,
    /// Stages in submission order (parents first).
    pub stages: Vec<StageInfo>,
    /// Wall time, once finished.
    pub duration: Option<Duration>,
    /// The failure, if it failed.
    pub error: Option<String>,
    #[serde(skip)]
    started: Option<Instant>,
}

impl JobInfo {
    /// Tasks launched in all stages of this job.
    pub fn tasks_launched(&self) -> usize {
        self.stages.iter().map(|s| s.tasks_launched).sum()
    }
    /// The stage info for `stage`.
    pub fn stage(&self, stage: StageId) -> Option<&StageInfo> {
        self.stages.iter().find(|s| s.stage_id == stage)
    }
    /// Stages that were skipped.
    pub fn skipped_stages(&self) -> usize {
        self.stages
            .iter()
            .filter(|s| s.status == StageStatus::Skipped)
            .count()
    }
}

/// Jobs and stages of a context, newest last.
#[derive(Default)]
pub struct StatusTracker {
    jobs: Mutex<VecDeque<JobInfo>>,
}

impl StatusTracker {
    /// Every retained job, oldest first.
    pub fn jobs(&self) -> Vec<JobInfo> {
        self.jobs.lock().iter().cloned().collect()
    }
    /// One job.
    pub fn job(&self, id: JobId) -> Option<JobInfo> {
        self.jobs.lock().iter().find(|j| j.job_id == id).cloned()
    }
    /// The newest job.
    pub fn last_job(&self) -> Option<JobInfo> {
        self.jobs.lock().back().cloned()
    }
    /// Ids of running jobs.
    pub fn active_job_ids(&self) -> Vec<JobId> {
        let jobs = self.jobs.lock();
        jobs.iter()
            .filter(|j| j.status == JobStatus::Running)
            .map(|j| j.job_id)
            .collect()
    }
    /// Stages with running tasks, over all running jobs.
    pub fn active_stages(&self) -> Vec<StageInfo> {
        let jobs = self.jobs.lock();
        jobs.iter()
            .filter(|j| j.status == JobStatus::Running)
            .flat_map(|j| {
                j.stages
                    .iter()
                    .filter(|s| s.status == StageStatus::Active)
                    .cloned()
            })
            .collect()
    }

    pub(crate) fn job_started(
        &self,
        job_id: JobId,
        description: String,
        stages: Vec<(StageId, String, usize)>,
    ) {
        let stages = stages
            .into_iter()
            .map(|(stage_id, name, num_tasks)| StageInfo {
                stage_id,
                name,
                attempt: 0,
                num_tasks,
                num_active_tasks: 0,
                num_completed_tasks: 0,
                num_failed_tasks: 0,
                tasks_launched: 0,
                status: StageStatus::Pending,
                shuffle_read_records: 0,
                shuffle_read_bytes: 0,
                shuffle_write_records: 0,
                shuffle_write_bytes: 0,
            })
            .collect();
        let mut jobs = self.jobs.lock();
        jobs.push_back(JobInfo {
            job_id,
            description,
            status: JobStatus::Running,
            stages,
            duration: None,
            error: None,
            started: Some(Instant::now()),
        });
        while jobs.len() > RETAINED_JOBS {
            jobs.pop_front();
        }
    }

    pub(crate) fn update_stage(&self, job: JobId, stage: StageId, f: impl FnOnce(&mut StageInfo)) {
        let mut jobs = self.jobs.lock();
        if let Some(j) = jobs.iter_mut().rev().find(|j| j.job_id == job)
            && let Some(s) = j.stages.iter_mut().find(|s| s.stage_id == stage)
        {
            f(s);
        }
    }

    pub(crate) fn job_ended(&self, job: JobId, error: Option<String>) {
        let mut jobs = self.jobs.lock();
        if let Some(j) = jobs.iter_mut().rev().find(|j| j.job_id == job) {
            j.status = if error.is_some() {
                JobStatus::Failed
            } else {
                JobStatus::Succeeded
            };
            j.duration = j.started.map(|s| s.elapsed());
            j.error = error;
            for s in &mut j.stages {
                s.num_active_tasks = 0;
                if matches!(s.status, StageStatus::Pending | StageStatus::Active)
                    && j.status == JobStatus::Failed
                {
                    s.status = StageStatus::Failed;
                }
            }
        }
    }
}
