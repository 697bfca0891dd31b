//! `/applications/{app}/jobs` and `/jobs/{job}`: Spark's `JobData`.
//!
//! As Spark counts them: `numTasks` counts the tasks of the stages the job had to run (a stage
//! whose output already existed is left out), `numSkippedTasks` those of its skipped stages, and
//! a stage still pending when its job ended counts as skipped.

use super::{Answer, Apps, Params, by_id, iso, iso_time, with_app};
use crate::ui::store::{AppState, JobRecord, JobState, StageState};
use axum::extract::{Path, State};
use serde::Serialize;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct JobData {
    job_id: u64,
    /// The action and its call site.
    name: String,
    /// The SQL query the job ran for, as Spark sets a SQL job's description.
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    submission_time: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    completion_time: Option<String>,
    stage_ids: Vec<u64>,
    status: JobState,
    num_tasks: usize,
    num_active_tasks: usize,
    num_completed_tasks: usize,
    num_skipped_tasks: usize,
    num_failed_tasks: usize,
    num_killed_tasks: usize,
    num_active_stages: usize,
    num_completed_stages: usize,
    num_skipped_stages: usize,
    num_failed_stages: usize,
}

/// The state of `stage` in `job`, a stage still pending when the job ended being skipped.
pub(super) fn stage_state_in(job: &JobRecord, stage: u64) -> Option<StageState> {
    let state = *job.stage_states.get(&stage)?;
    Some(match state {
        StageState::Pending if job.state != JobState::Running => StageState::Skipped,
        s => s,
    })
}

impl JobData {
    fn of(job: &JobRecord, s: &AppState) -> Self {
        let states: Vec<StageState> = job
            .stages
            .iter()
            .filter_map(|p| stage_state_in(job, p.stage_id))
            .collect();
        let stages_in = |want: StageState| states.iter().filter(|s| **s == want).count();
        let skipped_tasks = job
            .stages
            .iter()
            .filter(|p| stage_state_in(job, p.stage_id) == Some(StageState::Skipped))
            .map(|p| p.num_tasks)
            .sum();
        JobData {
            job_id: job.job_id,
            name: job.description.clone(),
            description: job
                .sql_execution
                .and_then(|id| s.sql.get(&id))
                .map(|q| q.description.clone()),
            submission_time: iso_time(job.submitted),
            completion_time: iso(job.completed),
            stage_ids: job.stages.iter().map(|p| p.stage_id).collect(),
            status: job.state,
            num_tasks: job.num_tasks,
            num_active_tasks: job.active_tasks,
            num_completed_tasks: job.completed_tasks,
            num_skipped_tasks: skipped_tasks,
            num_failed_tasks: job.failed_tasks,
            num_killed_tasks: job.killed_tasks,
            num_active_stages: stages_in(StageState::Active),
            num_completed_stages: stages_in(StageState::Complete),
            num_skipped_stages: stages_in(StageState::Skipped),
            num_failed_stages: stages_in(StageState::Failed),
        }
    }
}

/// `GET .../jobs[?status=running|succeeded|failed]`, newest first.
pub(super) async fn list(
    State(apps): Apps,
    Path(app): Path<String>,
    params: Params,
) -> Answer<Vec<JobData>> {
    let wanted = params.statuses(&[
        ("running", JobState::Running),
        ("succeeded", JobState::Succeeded),
        ("failed", JobState::Failed),
    ])?;
    with_app(apps.as_ref(), &app, |s| {
        Ok(s.jobs
            .values()
            .rev()
            .filter(|j| wanted.is_empty() || wanted.contains(&j.state))
            .map(|j| JobData::of(j, s))
            .collect())
    })
}

/// `GET .../jobs/{job}`.
pub(super) async fn one(
    State(apps): Apps,
    Path((app, job)): Path<(String, String)>,
) -> Answer<JobData> {
    by_id(apps.as_ref(), (&app, "job", &job), |s, id| {
        s.jobs.get(&id).map(|j| JobData::of(j, s))
    })
}
