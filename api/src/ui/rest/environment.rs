//! `/applications/{app}/environment`: Spark's `ApplicationEnvironmentInfo`. Ember runs no JVM,
//! so `runtime` holds the application's own facts (the version of Ember serving the answer,
//! id, name, master, user, start) instead of Java's; `sparkProperties` is the configuration,
//! secret values redacted again here whatever the event said.

use super::{Answer, ApiError, Apps, iso_time, with_app};
use crate::ui::event_log::redacted;
use crate::ui::store::AppState;
use axum::extract::{Path, State};
use serde::Serialize;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct EnvironmentInfo {
    runtime: Runtime,
    spark_properties: Vec<(String, String)>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Runtime {
    ember_version: &'static str,
    app_id: String,
    app_name: String,
    master: String,
    spark_user: String,
    start_time: String,
}

impl EnvironmentInfo {
    fn of(s: &AppState) -> Self {
        let a = &s.app;
        EnvironmentInfo {
            runtime: Runtime {
                ember_version: env!("CARGO_PKG_VERSION"),
                app_id: a.id.clone(),
                app_name: a.name.clone(),
                master: a.master.clone(),
                spark_user: a.user.clone(),
                start_time: iso_time(a.start),
            },
            spark_properties: redacted(s.environment.iter().cloned()),
        }
    }
}

/// `GET .../environment`.
pub(super) async fn get(State(apps): Apps, Path(app): Path<String>) -> Answer<EnvironmentInfo> {
    with_app(apps.as_ref(), &app, |s| {
        Ok::<_, ApiError>(EnvironmentInfo::of(s))
    })
}
