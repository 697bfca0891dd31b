//! The REST API under `/api/v1`, shaped like Spark's monitoring API
//! (<https://spark.apache.org/docs/latest/monitoring.html#rest-api>): the same paths, the same
//! camelCase field names, times as `yyyy-MM-dd'T'HH:mm:ss.SSS'GMT'` strings ([`iso_time`]) and
//! absent optional fields left out. Every figure comes from the [`AppState`] of an
//! application's [`StatusStore`](super::store::StatusStore), read under its lock at each request.
//!
//! | Path (under `/api/v1/applications`) | Answer |
//! |---|---|
//! | `` (`?status=completed\|running`, `?limit=N`) | the applications |
//! | `/{app}` | one application |
//! | `/{app}/jobs` (`?status=running\|succeeded\|failed`) | its jobs, newest first |
//! | `/{app}/jobs/{job}` | one job |
//! | `/{app}/stages` (`?status=active\|complete\|pending\|failed\|skipped`) | its stages |
//! | `/{app}/stages/{stage}` | every attempt of a stage, with its tasks |
//! | `/{app}/stages/{stage}/{attempt}` | one attempt, with its tasks |
//! | `/{app}/stages/{stage}/{attempt}/taskList` (`?offset=0&length=20`) | its tasks |
//! | `/{app}/executors`, `/{app}/allexecutors` | active executors, all executors |
//! | `/{app}/storage/rdd`, `/{app}/storage/rdd/{id}` | cached RDDs, one with its blocks |
//! | `/{app}/environment` | application facts and configuration (secrets redacted) |
//! | `/{app}/sql` (`?offset=0&length=20`), `/{app}/sql/{id}` | SQL queries |
//!
//! A status filter may be repeated (`?status=active&status=pending`) and is matched without
//! regard to case. An unknown application, job, stage, RDD or query answers 404 and a bad
//! parameter (an unknown status, an id or count that is not a non-negative integer) 400, each
//! with a plain-text message naming it.

mod applications;
mod environment;
mod executors;
mod jobs;
mod sql;
mod stages;
mod storage;
#[cfg(test)]
mod tests;

use super::store::{AppSource, AppState};
use axum::extract::{FromRequestParts, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use std::sync::Arc;

/// The router of `/api/v1` over the applications of `apps` (one live application, or the
/// event logs of a history server).
pub fn rest_router(apps: Arc<dyn AppSource>) -> Router {
    const APP: &str = "/api/v1/applications/{app}";
    Router::new()
        .route("/api/v1/applications", get(applications::list))
        .route(APP, get(applications::one))
        .route(&format!("{APP}/jobs"), get(jobs::list))
        .route(&format!("{APP}/jobs/{{job}}"), get(jobs::one))
        .route(&format!("{APP}/stages"), get(stages::list))
        .route(&format!("{APP}/stages/{{stage}}"), get(stages::attempts))
        .route(
            &format!("{APP}/stages/{{stage}}/{{attempt}}"),
            get(stages::one),
        )
        .route(
            &format!("{APP}/stages/{{stage}}/{{attempt}}/taskList"),
            get(stages::task_list),
        )
        .route(&format!("{APP}/executors"), get(executors::active))
        .route(&format!("{APP}/allexecutors"), get(executors::all))
        .route(&format!("{APP}/storage/rdd"), get(storage::list))
        .route(&format!("{APP}/storage/rdd/{{rdd}}"), get(storage::one))
        .route(&format!("{APP}/environment"), get(environment::get))
        .route(&format!("{APP}/sql"), get(sql::list))
        .route(&format!("{APP}/sql/{{execution}}"), get(sql::one))
        .with_state(apps)
}

/// The router's state: where the applications come from.
type Apps = State<Arc<dyn AppSource>>;

/// `ms` since the epoch as Spark's REST API prints times: `2026-11-23T17:55:04.000GMT`.
pub fn iso_time(ms: u64) -> String {
    i64::try_from(ms)
        .ok()
        .and_then(arrow::temporal_conversions::timestamp_ms_to_datetime)
        .map_or_else(
            || format!("{ms} ms after the epoch"),
            |t| t.format("%Y-%m-%dT%H:%M:%S%.3fGMT").to_string(),
        )
}

/// [`iso_time`] of a time that may not have come yet.
fn iso(ms: Option<u64>) -> Option<String> {
    ms.map(iso_time)
}

/// Why a request is refused.
#[derive(Debug)]
enum ApiError {
    /// The application, job, stage… does not exist (404).
    NotFound(String),
    /// A parameter is malformed (400).
    BadRequest(String),
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::NotFound(m) => (StatusCode::NOT_FOUND, m).into_response(),
            ApiError::BadRequest(m) => (StatusCode::BAD_REQUEST, m).into_response(),
        }
    }
}

/// The answer of a handler: JSON, or a refusal.
type Answer<T> = Result<Json<T>, ApiError>;

/// Runs `f` over the state of application `app` (under its lock: `f` only copies figures out).
fn with_app<R>(
    apps: &dyn AppSource,
    app: &str,
    f: impl FnOnce(&AppState) -> Result<R, ApiError>,
) -> Answer<R> {
    let store = apps
        .app(app)
        .ok_or_else(|| ApiError::NotFound(format!("unknown app: {app}")))?;
    store.read(f).map(Json)
}

/// The thing with id `raw` in application `app`, looked up by `find`; `what` names it in the
/// 400 and 404 messages (`job`, `rdd`, `SQL execution`).
fn by_id<R>(
    apps: &dyn AppSource,
    (app, what, raw): (&str, &str, &str),
    find: impl FnOnce(&AppState, u64) -> Option<R>,
) -> Answer<R> {
    let id = number(&format!("{what} id"), raw)?;
    with_app(apps, app, |s| {
        find(s, id).ok_or_else(|| ApiError::NotFound(format!("unknown {what} {id} in app {app}")))
    })
}

/// `raw` as an id or count; `what` names the parameter in the 400 message.
fn number(what: &str, raw: &str) -> Result<u64, ApiError> {
    raw.parse().map_err(|_| {
        ApiError::BadRequest(format!(
            "{what} must be a non-negative integer, got '{raw}'"
        ))
    })
}

/// The query parameters of a request, in order, repeated keys kept.
struct Params(Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Query::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map(|Query(pairs)| Params(pairs))
            .map_err(|e| ApiError::BadRequest(e.body_text()))
    }
}

impl Params {
    fn values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> {
        self.0
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The `status` values as `T`s (empty: no filter); an unknown one is a 400 listing the
    /// accepted `choices`.
    fn statuses<T: Copy>(&self, choices: &[(&str, T)]) -> Result<Vec<T>, ApiError> {
        self.values("status")
            .map(|v| {
                choices
                    .iter()
                    .find(|(name, _)| name.eq_ignore_ascii_case(v))
                    .map(|(_, s)| *s)
                    .ok_or_else(|| {
                        let names: Vec<&str> = choices.iter().map(|(n, _)| *n).collect();
                        ApiError::BadRequest(format!(
                            "status must be one of {}, got '{v}'",
                            names.join(", ")
                        ))
                    })
            })
            .collect()
    }

    /// The last `name` as a count, `default` when absent.
    fn count(&self, name: &str, default: usize) -> Result<usize, ApiError> {
        match self.values(name).last() {
            None => Ok(default),
            Some(v) => number(name, v).map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
        }
    }

    /// Spark's paging: `(offset, length)`, 0 and 20 when absent.
    fn window(&self) -> Result<(usize, usize), ApiError> {
        Ok((self.count("offset", 0)?, self.count("length", 20)?))
    }
}
