//! The history server (`ember history --dir D`): the driver's UI over the event logs of
//! finished (and running) applications. `/` lists the applications of the directory,
//! `/history/<app id>/...` serves one application's pages (the same pages as a live driver's,
//! their links carrying the prefix), and `/api/v1` the REST API over all of them.
//!
//! The directory is read again at each request; a log is replayed only when its size or time
//! changed since the last read. A log that cannot be read is listed with its error, not served.

use super::pages::pages_router;
use super::rest::rest_router;
use super::server::STYLESHEET_PATH;
use super::store::{AppSource, Retention, StatusStore};
use axum::Router;
use axum::extract::{Path as UrlPath, Request};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{any, get};
use maud::{DOCTYPE, html};
use parking_lot::Mutex;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;
use tower::ServiceExt;

/// A directory of event logs (`ember.eventLog.dir`).
pub struct HistoryDir {
    dir: PathBuf,
    keep: Retention,
    loaded: Mutex<HashMap<PathBuf, Loaded>>,
}

struct Loaded {
    modified: Option<SystemTime>,
    len: u64,
    app: Result<Arc<StatusStore>, String>,
}

/// What a scan of the directory found.
pub struct Scan {
    /// The applications, newest first.
    pub apps: Vec<Arc<StatusStore>>,
    /// Logs that could not be read, with why.
    pub problems: Vec<(PathBuf, String)>,
}

impl HistoryDir {
    /// The logs of `dir`; an error when it is not a readable directory.
    pub fn new(dir: &Path, keep: Retention) -> crate::Result<Self> {
        std::fs::read_dir(dir).map_err(|e| crate::Error::EventLog {
            path: dir.display().to_string(),
            message: format!("cannot list the event log directory: {e}"),
        })?;
        Ok(HistoryDir {
            dir: dir.to_path_buf(),
            keep,
            loaded: Mutex::new(HashMap::new()),
        })
    }

    /// Reads the directory, replaying the logs that are new or changed.
    pub fn scan(&self) -> Scan {
        let mut found = Vec::new();
        if let Ok(entries) = std::fs::read_dir(&self.dir) {
            for entry in entries.flatten() {
                let path = entry.path();
                let name = entry.file_name().to_string_lossy().into_owned();
                let is_log = name.ends_with(".jsonl") || name.ends_with(".jsonl.inprogress");
                if let (true, Ok(meta)) = (is_log, entry.metadata()) {
                    found.push((path, meta.modified().ok(), meta.len()));
                }
            }
        }
        let mut loaded = self.loaded.lock();
        loaded.retain(|p, _| found.iter().any(|(f, _, _)| f == p));
        let mut scan = Scan {
            apps: Vec::new(),
            problems: Vec::new(),
        };
        for (path, modified, len) in found {
            let fresh = loaded
                .get(&path)
                .is_some_and(|l| l.modified == modified && l.len == len);
            if !fresh {
                let app = self.load(&path);
                if let Err(e) = &app {
                    tracing::warn!(path = %path.display(), error = %e, "cannot read an event log");
                }
                loaded.insert(path.clone(), Loaded { modified, len, app });
            }
            match &loaded[&path].app {
                Ok(app) => scan.apps.push(Arc::clone(app)),
                Err(e) => scan.problems.push((path, e.clone())),
            }
        }
        scan.apps
            .sort_by_key(|a| std::cmp::Reverse(a.read(|s| (s.app.start, s.app.id.clone()))));
        scan.problems.sort();
        scan
    }

    fn load(&self, path: &Path) -> Result<Arc<StatusStore>, String> {
        let events = super::event_log::replay(path).map_err(|e| e.to_string())?;
        let store = StatusStore::from_events(&events, self.keep);
        if store.read(|s| s.app.id.is_empty()) {
            return Err("no ApplicationStart event: not an Ember event log".into());
        }
        Ok(Arc::new(store))
    }
}

impl AppSource for HistoryDir {
    fn apps(&self) -> Vec<Arc<StatusStore>> {
        self.scan().apps
    }
}

/// The history server's routes over `logs`.
pub fn history_router(logs: Arc<HistoryDir>) -> Router {
    let (index_logs, app_logs) = (Arc::clone(&logs), Arc::clone(&logs));
    Router::new()
        .route(
            "/",
            get(move || {
                let page = index_page(&index_logs.scan());
                async move { Html(page) }
            }),
        )
        .route(
            "/history/{app}",
            get(|UrlPath(app): UrlPath<String>| async move {
                Redirect::to(&format!("/history/{app}/jobs/"))
            }),
        )
        .route(
            "/history/{app}/{*rest}",
            any(
                move |UrlPath((app, rest)): UrlPath<(String, String)>, req: Request| {
                    let logs = Arc::clone(&app_logs);
                    async move { app_page(&logs, &app, &rest, req).await }
                },
            ),
        )
        .merge(rest_router(logs as Arc<dyn AppSource>))
}

/// Serves one application's page: its pages router sees the path without the prefix.
async fn app_page(logs: &HistoryDir, app: &str, rest: &str, mut req: Request) -> Response {
    let Some(store) = logs.app(app) else {
        let text = format!("no application {app:?} in {}\n", logs.dir.display());
        return (StatusCode::NOT_FOUND, text).into_response();
    };
    let target = match req.uri().query() {
        Some(q) => format!("/{rest}?{q}"),
        None => format!("/{rest}"),
    };
    match target.parse() {
        Ok(uri) => *req.uri_mut() = uri,
        Err(_) => return (StatusCode::BAD_REQUEST, "bad path\n").into_response(),
    }
    let router = pages_router(store, &format!("/history/{app}"));
    match router.oneshot(req).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

fn index_page(scan: &Scan) -> String {
    let time = |ms: u64| super::rest::iso_time(ms);
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { "Ember History Server" }
                link rel="stylesheet" href=(STYLESHEET_PATH);
            }
            body {
                header { h1 { "Ember History Server" } }
                main {
                    p { (scan.apps.len()) " applications" }
                    table #apps-table {
                        thead { tr {
                            th { "App ID" } th { "App Name" } th { "Started" }
                            th { "Completed" } th { "Duration" } th { "User" }
                        } }
                        tbody {
                            @for app in &scan.apps {
                                @let a = app.read(|s| s.app.clone());
                                tr .app data-app-id=(a.id) {
                                    td .app-id { a href=(format!("/history/{}/jobs/", a.id)) { (a.id) } }
                                    td .app-name { (a.name) }
                                    td .app-started { (time(a.start)) }
                                    td .app-completed {
                                        @match a.end { Some(e) => (time(e)), None => "in progress" }
                                    }
                                    td .app-duration {
                                        @if let Some(e) = a.end {
                                            (super::master_page::duration_text(
                                                std::time::Duration::from_millis(e.saturating_sub(a.start))))
                                        }
                                    }
                                    td .app-user { (a.user) }
                                }
                            }
                        }
                    }
                    @if !scan.problems.is_empty() {
                        h2 { "Logs that could not be read" }
                        ul #log-problems {
                            @for (path, e) in &scan.problems {
                                li { code { (path.display().to_string()) } ": " (e) }
                            }
                        }
                    }
                }
            }
        }
    }
    .into_string()
}
