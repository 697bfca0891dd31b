//! `/applications` and `/applications/{app}`: Spark's `ApplicationInfo`, one attempt each.

use super::{Answer, ApiError, Apps, Params, iso_time, with_app};
use crate::ui::store::AppState;
use axum::Json;
use axum::extract::{Path, State};
use serde::Serialize;

/// What Spark prints as the end of an application still running (`new Date(-1)`).
const NOT_ENDED: &str = "1969-12-31T23:59:59.999GMT";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ApplicationInfo {
    id: String,
    name: String,
    attempts: Vec<AttemptInfo>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AttemptInfo {
    start_time: String,
    end_time: String,
    last_updated: String,
    /// Run time in ms; 0 while running, as Spark.
    duration: u64,
    spark_user: String,
    completed: bool,
    start_time_epoch: u64,
    /// -1 while running, as Spark.
    end_time_epoch: i64,
    last_updated_epoch: u64,
}

impl ApplicationInfo {
    fn of(s: &AppState) -> Self {
        let a = &s.app;
        let updated = last_updated(s);
        ApplicationInfo {
            id: a.id.clone(),
            name: a.name.clone(),
            attempts: vec![AttemptInfo {
                start_time: iso_time(a.start),
                end_time: a.end.map_or_else(|| NOT_ENDED.to_string(), iso_time),
                last_updated: iso_time(updated),
                duration: a.end.map_or(0, |e| e.saturating_sub(a.start)),
                spark_user: a.user.clone(),
                completed: a.end.is_some(),
                start_time_epoch: a.start,
                end_time_epoch: a.end.map_or(-1, |e| i64::try_from(e).unwrap_or(i64::MAX)),
                last_updated_epoch: updated,
            }],
        }
    }
}

/// The newest time stamp the state holds: the last thing known to have happened.
fn last_updated(s: &AppState) -> u64 {
    let jobs = s
        .jobs
        .values()
        .flat_map(|j| [Some(j.submitted), j.completed]);
    let stages = s
        .stages
        .values()
        .flat_map(|st| [st.submitted, st.completed]);
    let tasks = s.stages.values().flat_map(|st| st.tasks.values());
    let tasks = tasks.map(|t| Some(t.launched + t.duration_ms));
    let executors = s.executors.values();
    let executors = executors.flat_map(|e| [Some(e.last_seen), e.removed.as_ref().map(|r| r.0)]);
    let sql = s.sql.values().flat_map(|q| [Some(q.start), q.end]);
    [Some(s.app.start), s.app.end]
        .into_iter()
        .chain(jobs)
        .chain(stages)
        .chain(tasks)
        .chain(executors)
        .chain(sql)
        .flatten()
        .max()
        .unwrap_or(0)
}

/// `GET /applications[?status=completed|running][&limit=N]`, newest first.
pub(super) async fn list(State(apps): Apps, params: Params) -> Answer<Vec<ApplicationInfo>> {
    let wanted = params.statuses(&[("completed", true), ("running", false)])?;
    let limit = params.count("limit", usize::MAX)?;
    let infos = apps
        .apps()
        .iter()
        .map(|store| store.read(ApplicationInfo::of))
        .filter(|info| {
            let completed = info.attempts.iter().all(|a| a.completed);
            wanted.is_empty() || wanted.contains(&completed)
        })
        .take(limit)
        .collect();
    Ok(Json(infos))
}

/// `GET /applications/{app}`.
pub(super) async fn one(State(apps): Apps, Path(app): Path<String>) -> Answer<ApplicationInfo> {
    with_app(apps.as_ref(), &app, |s| {
        Ok::<_, ApiError>(ApplicationInfo::of(s))
    })
}
