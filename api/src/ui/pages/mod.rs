//! The pages of an application's web UI, at Spark's URLs: `/jobs/`, `/jobs/job/?id=N`,
//! `/stages/`, `/stages/stage/?id=S&attempt=A[&job=J]`, `/storage/`, `/storage/rdd/?id=N`,
//! `/executors/`, `/SQL/`, `/SQL/execution/?id=N` and `/environment/`; `/` redirects to the
//! jobs. Each page is drawn from the [`StatusStore`] when requested, with maud templates that
//! escape every text of the application (names, descriptions, SQL, plans, errors, settings) and
//! use neither inline script nor inline style (the server's CSP forbids both).
//!
//! A missing or malformed query parameter is answered 400 naming it; an id that names nothing
//! the store holds is answered 404.

pub mod dag;
pub mod environment;
pub mod executors;
pub mod jobs;
pub mod layout;
pub mod sql;
pub mod stage;
pub mod stages;
pub mod storage;

#[cfg(test)]
mod fixture;

use crate::ui::store::{AppState, StatusStore};
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use ember_scheduler::events::now_ms;
use layout::{Shell, Tab};
use maud::{Markup, html};
use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;

/// Why a page cannot be shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PageError {
    /// A query parameter is missing or malformed (400).
    BadRequest(String),
    /// The id names nothing known (404).
    NotFound(String),
}

impl PageError {
    /// The error as a page of the application (its message escaped like any text).
    pub fn page(&self, shell: &Shell) -> Response {
        let (status, name, message) = match self {
            PageError::BadRequest(m) => (StatusCode::BAD_REQUEST, "Bad request", m),
            PageError::NotFound(m) => (StatusCode::NOT_FOUND, "Not found", m),
        };
        let content = html! { p.error #page-error { (message) } };
        let page = shell.page(Tab::Jobs, name, name, content);
        (status, Html(page.into_string())).into_response()
    }
}

/// The query parameters of a request.
type Params = HashMap<String, String>;

/// Parameter `name` as a `T`, if given; a clear 400 when it is not a number.
fn optional<T: FromStr>(q: &Params, name: &str) -> Result<Option<T>, PageError> {
    match q.get(name) {
        None => Ok(None),
        Some(v) => v.trim().parse().map(Some).map_err(|_| {
            PageError::BadRequest(format!(
                "query parameter '{name}' must be a non-negative integer, not {v:?}"
            ))
        }),
    }
}

/// Parameter `name` as a `T`; a clear 400 when it is missing or not a number.
fn required<T: FromStr>(q: &Params, name: &str) -> Result<T, PageError> {
    optional(q, name)?.ok_or_else(|| {
        PageError::BadRequest(format!("missing query parameter '{name}' (e.g. ?{name}=0)"))
    })
}

struct Pages {
    store: Arc<StatusStore>,
    base: String,
}

type Ctx = State<Arc<Pages>>;

impl Pages {
    /// Draws a page from the state under the store's read lock; errors become pages too.
    fn render(
        &self,
        draw: impl FnOnce(&Shell, &AppState, u64) -> Result<Markup, PageError>,
    ) -> Response {
        let now = now_ms();
        self.store.read(|s| {
            let shell = Shell {
                base: &self.base,
                app_name: &s.app.name,
            };
            match draw(&shell, s, now) {
                Ok(page) => Html(page.into_string()).into_response(),
                Err(e) => e.page(&shell),
            }
        })
    }
}

/// The pages of the application in `store`; every link they hold starts with `base` (""
/// for the driver's UI, `/history/<app id>` where the history server serves it: it strips
/// the prefix before routing, so routes are declared without it). The stylesheet is linked
/// at `/static/ember.css`, which the server adds at its root.
pub fn pages_router(store: Arc<StatusStore>, base: &str) -> Router {
    let pages = Arc::new(Pages {
        store,
        base: base.trim_end_matches('/').to_string(),
    });
    let home = format!("{}/jobs/", pages.base);
    let mut router = Router::new().route(
        "/",
        get(move || {
            let home = home.clone();
            async move { Redirect::to(&home) }
        }),
    );
    // Spark's paths end in '/'; the same pages answer without it.
    let routes: [(&str, axum::routing::MethodRouter<Arc<Pages>>); 10] = [
        ("/jobs", get(jobs_list)),
        ("/jobs/job", get(job)),
        ("/stages", get(stages_list)),
        ("/stages/stage", get(stage)),
        ("/storage", get(storage_list)),
        ("/storage/rdd", get(rdd)),
        ("/executors", get(executors_list)),
        ("/SQL", get(sql_list)),
        ("/SQL/execution", get(query)),
        ("/environment", get(environment_list)),
    ];
    for (path, handler) in routes {
        router = router
            .route(&format!("{path}/"), handler.clone())
            .route(path, handler);
    }
    router.with_state(pages)
}

async fn jobs_list(State(p): Ctx) -> Response {
    p.render(|sh, s, now| Ok(jobs::jobs_page(sh, s, now)))
}

async fn job(State(p): Ctx, Query(q): Query<Params>) -> Response {
    p.render(|sh, s, now| jobs::job_page(sh, s, required(&q, "id")?, now))
}

async fn stages_list(State(p): Ctx) -> Response {
    p.render(|sh, s, now| Ok(stages::stages_page(sh, s, now)))
}

async fn stage(State(p): Ctx, Query(q): Query<Params>) -> Response {
    p.render(|sh, s, now| {
        let which = (
            required(&q, "id")?,
            required(&q, "attempt")?,
            optional(&q, "job")?,
        );
        stage::stage_page(sh, s, which, now)
    })
}

async fn storage_list(State(p): Ctx) -> Response {
    p.render(|sh, s, _| Ok(storage::storage_page(sh, s)))
}

async fn rdd(State(p): Ctx, Query(q): Query<Params>) -> Response {
    p.render(|sh, s, _| storage::rdd_page(sh, s, required(&q, "id")?))
}

async fn executors_list(State(p): Ctx) -> Response {
    p.render(|sh, s, now| Ok(executors::executors_page(sh, s, now)))
}

async fn sql_list(State(p): Ctx) -> Response {
    p.render(|sh, s, now| Ok(sql::sql_page(sh, s, now)))
}

async fn query(State(p): Ctx, Query(q): Query<Params>) -> Response {
    p.render(|sh, s, now| sql::query_page(sh, s, required(&q, "id")?, now))
}

async fn environment_list(State(p): Ctx) -> Response {
    p.render(|sh, s, _| Ok(environment::environment_page(sh, s)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::pages::fixture::{assert_escaped, store};
    use axum::body::{Body, to_bytes};
    use axum::http::{Request, header};
    use tower::ServiceExt;

    /// GETs `uri` from the fixture's pages under `base`: (status, Location, Content-Type, body).
    async fn get(base: &str, uri: &str) -> (StatusCode, String, String, String) {
        let router = pages_router(Arc::new(store()), base);
        let request = Request::get(uri).body(Body::empty()).unwrap();
        let response = router.oneshot(request).await.unwrap();
        let header_text = |name| {
            response
                .headers()
                .get(name)
                .map_or(String::new(), |v| v.to_str().unwrap().to_string())
        };
        let (location, content_type) = (
            header_text(header::LOCATION),
            header_text(header::CONTENT_TYPE),
        );
        let status = response.status();
        let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (
            status,
            location,
            content_type,
            String::from_utf8(body.to_vec()).unwrap(),
        )
    }

    /// Every `href` of `html` but the stylesheet's and http(s) ones.
    fn page_links(html: &str) -> Vec<&str> {
        html.split("href=\"")
            .skip(1)
            .map(|rest| &rest[..rest.find('"').unwrap()])
            .filter(|h| *h != "/static/ember.css" && !h.starts_with("http"))
            .collect()
    }

    #[tokio::test]
    async fn every_page_answers_escaped_with_links_under_base() {
        let base = "/history/app-1";
        let pages = [
            "/jobs/",
            "/jobs",
            "/jobs/job/?id=0",
            "/jobs/job/?id=1",
            "/stages/",
            "/stages/stage/?id=1&attempt=0",
            "/stages/stage/?id=0&attempt=0&job=0",
            "/storage/",
            "/storage/rdd/?id=7",
            "/executors/",
            "/SQL/",
            "/SQL/execution/?id=0",
            "/environment/",
        ];
        for uri in pages {
            let (status, _, content_type, html) = get(base, uri).await;
            assert_eq!(status, StatusCode::OK, "{uri}: {html}");
            assert_eq!(content_type, "text/html; charset=utf-8", "{uri}");
            assert_escaped(&html);
            assert!(html.contains(r#"<link rel="stylesheet" href="/static/ember.css">"#));
            let links = page_links(&html);
            assert!(links.len() >= 6, "{uri}: {links:?}");
            for link in links {
                assert!(link.starts_with("/history/app-1/"), "{uri}: {link}");
            }
        }
    }

    #[tokio::test]
    async fn the_root_redirects_to_the_jobs() {
        let (status, location, _, _) = get("/history/app-1/", "/").await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(location, "/history/app-1/jobs/");
        let (_, location, _, _) = get("", "/").await;
        assert_eq!(location, "/jobs/");
    }

    #[tokio::test]
    async fn bad_ids_are_400_and_unknown_ones_404() {
        let cases = [
            ("/jobs/job/", 400, "missing query parameter 'id'"),
            (
                "/jobs/job/?id=abc",
                400,
                "'id' must be a non-negative integer, not &quot;abc&quot;",
            ),
            ("/jobs/job/?id=-1", 400, "not &quot;-1&quot;"),
            ("/jobs/job/?id=99", 404, "no job 99 is known"),
            (
                "/stages/stage/?id=1",
                400,
                "missing query parameter 'attempt'",
            ),
            ("/stages/stage/?id=1&attempt=0&job=x", 400, "'job' must be"),
            (
                "/stages/stage/?id=1&attempt=5",
                404,
                "no stage 1 attempt 5 is known",
            ),
            ("/storage/rdd/?id=1", 404, "no persisted RDD 1 is known"),
            (
                "/SQL/execution/?id=%3Cscript%3E",
                400,
                "not &quot;&lt;script&gt;&quot;",
            ),
            ("/SQL/execution/?id=4", 404, "no SQL query 4 is known"),
        ];
        for (uri, want, message) in cases {
            let (status, _, _, html) = get("", uri).await;
            assert_eq!(status.as_u16(), want, "{uri}: {html}");
            assert!(html.contains(message), "{uri}: {html}");
            assert!(
                html.contains(r#"<p class="error" id="page-error">"#),
                "{html}"
            );
            assert_escaped(&html);
        }
        let (status, _, _, _) = get("", "/nowhere/").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
}
