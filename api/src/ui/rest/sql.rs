//! `/applications/{app}/sql` and `/sql/{id}`: Spark's `ExecutionData` (without the plan graph's
//! nodes and edges). A running query's `duration` runs until now, as Spark's; its jobs are
//! sorted into running, succeeded and failed by their state (jobs no longer retained are left
//! out).

use super::{Answer, Apps, Params, by_id, iso_time, with_app};
use crate::ui::store::{AppState, JobState, SqlRecord};
use axum::extract::{Path, State};
use ember_scheduler::events::now_ms;
use serde::Serialize;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ExecutionData {
    id: u64,
    /// `RUNNING`, `COMPLETED` or `FAILED`.
    status: &'static str,
    description: String,
    plan_description: String,
    submission_time: String,
    duration: u64,
    running_job_ids: Vec<u64>,
    success_job_ids: Vec<u64>,
    failed_job_ids: Vec<u64>,
}

impl ExecutionData {
    fn of(q: &SqlRecord, s: &AppState) -> Self {
        let jobs_in = |state: JobState| -> Vec<u64> {
            q.jobs
                .iter()
                .copied()
                .filter(|id| s.jobs.get(id).is_some_and(|j| j.state == state))
                .collect()
        };
        let status = match (&q.error, q.end) {
            (Some(_), _) => "FAILED",
            (None, Some(_)) => "COMPLETED",
            (None, None) => "RUNNING",
        };
        ExecutionData {
            id: q.execution_id,
            status,
            description: q.description.clone(),
            plan_description: q.plan.clone(),
            submission_time: iso_time(q.start),
            duration: q.end.unwrap_or_else(now_ms).saturating_sub(q.start),
            running_job_ids: jobs_in(JobState::Running),
            success_job_ids: jobs_in(JobState::Succeeded),
            failed_job_ids: jobs_in(JobState::Failed),
        }
    }
}

/// `GET .../sql[?offset=0&length=20]`: the queries by id, Spark's page of 20 by default.
pub(super) async fn list(
    State(apps): Apps,
    Path(app): Path<String>,
    params: Params,
) -> Answer<Vec<ExecutionData>> {
    let (offset, length) = params.window()?;
    with_app(apps.as_ref(), &app, |s| {
        Ok(s.sql
            .values()
            .skip(offset)
            .take(length)
            .map(|q| ExecutionData::of(q, s))
            .collect())
    })
}

/// `GET .../sql/{id}`.
pub(super) async fn one(
    State(apps): Apps,
    Path((app, execution)): Path<(String, String)>,
) -> Answer<ExecutionData> {
    by_id(
        apps.as_ref(),
        (&app, "SQL execution", &execution),
        |s, id| s.sql.get(&id).map(|q| ExecutionData::of(q, s)),
    )
}
