//! The standalone master's web UI (`ember master --webui-port`): `/` the cluster page
//! (workers, executors, applications), `/json` the same data as JSON, and `/metrics`.
//! Every text shown (application names above all) is escaped by the templates.

use super::metrics::{master_metrics, response};
use super::server::STYLESHEET_PATH;
use axum::Json;
use axum::Router;
use axum::http::HeaderMap;
use axum::response::Html;
use axum::routing::get;
use ember_scheduler::cluster::master::ClusterSnapshot;
use maud::{DOCTYPE, Markup, html};
use std::sync::Arc;
use std::time::Duration;

/// A router of the master's pages, reading the cluster from `snapshot` at each request
/// (e.g. `move || master.snapshot()` of a `MasterHandle`).
pub fn master_router(snapshot: impl Fn() -> ClusterSnapshot + Send + Sync + 'static) -> Router {
    let snapshot = Arc::new(snapshot);
    let (page, json, metrics) = (Arc::clone(&snapshot), Arc::clone(&snapshot), snapshot);
    Router::new()
        .route(
            "/",
            get(move || {
                let html = cluster_page(&page()).into_string();
                async move { Html(html) }
            }),
        )
        .route(
            "/json",
            get(move || {
                let data = json();
                async move { Json(data) }
            }),
        )
        .route(
            "/metrics",
            get(move |headers: HeaderMap| {
                let text = master_metrics(&metrics());
                async move { response(&headers, text) }
            }),
        )
}

/// `1.5 GiB`, `512.0 MiB`, `10 B`.
pub fn bytes_text(n: u64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut v = n as f64 / 1024.0;
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    format!("{v:.1} {}", UNITS[unit])
}

/// `45 ms`, `3.2 s`, `4.5 min`, `2.1 h`.
pub fn duration_text(d: Duration) -> String {
    let s = d.as_secs_f64();
    match s {
        s if s < 1.0 => format!("{} ms", d.as_millis()),
        s if s < 60.0 => format!("{s:.1} s"),
        s if s < 3600.0 => format!("{:.1} min", s / 60.0),
        s => format!("{:.1} h", s / 3600.0),
    }
}

/// A table's header row; a column named `#Name` holds numbers (right-aligned).
fn head(columns: &[&str]) -> Markup {
    html! {
        thead { tr {
            @for c in columns {
                @if let Some(name) = c.strip_prefix('#') { th.num { (name) } } @else { th { (c) } }
            }
        } }
    }
}

/// The cluster page.
pub fn cluster_page(c: &ClusterSnapshot) -> Markup {
    let status = |s: &str| html! { span class={ "status status-" (s.to_lowercase()) } { (s) } };
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { "Ember master at " (c.address) }
                link rel="stylesheet" href=(STYLESHEET_PATH);
            }
            body {
                nav {
                    span.brand { "Ember" }
                    a.active href="/" { "Cluster" }
                    a href="/json" { "JSON" }
                    a href="/metrics" { "Metrics" }
                    span.app { "master ember://" (c.address) }
                }
                main {
                    h1 { "Ember master at ember://" (c.address) }
                    dl.summary {
                        dt { "Workers" } dd { (c.workers.len()) }
                        dt { "Cores in use" } dd { (c.cores_used()) " of " (c.cores_total()) }
                        dt { "Executors" } dd { (c.executors.len()) }
                        dt { "Applications" } dd { (c.applications.len()) }
                    }
                    h2 { "Workers (" (c.workers.len()) ")" }
                    table #workers {
                        (head(&["Worker", "Host", "#Cores", "#Memory", "State", "#Last heartbeat"]))
                        tbody {
                            @for w in &c.workers {
                                tr {
                                    td { (w.id) }
                                    td { (w.host) }
                                    td.num { (w.cores) " (" (w.cores_used) " used)" }
                                    td.num { (bytes_text(w.memory_bytes)) " (" (bytes_text(w.memory_used)) " used)" }
                                    td { (status(w.state)) }
                                    td.num { (duration_text(w.last_heartbeat)) " ago" }
                                }
                            }
                        }
                    }
                    h2 { "Executors (" (c.executors.len()) ")" }
                    table #executors {
                        (head(&["Executor", "Application", "Worker", "Host", "#Cores", "#Memory"]))
                        tbody {
                            @for e in &c.executors {
                                tr {
                                    td { (e.id) } td { (e.app_id) } td { (e.worker) }
                                    td { (e.host) } td.num { (e.cores) }
                                    td.num { (bytes_text(e.memory_bytes)) }
                                }
                            }
                        }
                    }
                    h2 { "Applications (" (c.applications.len()) ")" }
                    table #applications {
                        (head(&["Application", "Name", "#Cores", "#Memory per executor", "State", "#Duration"]))
                        tbody {
                            @for a in &c.applications {
                                tr {
                                    td { (a.id) }
                                    td { (a.name) }
                                    td.num { (a.cores()) }
                                    td.num { (bytes_text(a.memory_per_executor)) }
                                    td { (status(a.state())) }
                                    td.num { (duration_text(a.duration)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ember_scheduler::cluster::master::ApplicationInfo;

    #[test]
    fn sizes_and_durations_read_well() {
        assert_eq!(bytes_text(10), "10 B");
        assert_eq!(bytes_text(512 << 20), "512.0 MiB");
        assert_eq!(bytes_text(3 << 29), "1.5 GiB");
        assert_eq!(duration_text(Duration::from_millis(45)), "45 ms");
        assert_eq!(duration_text(Duration::from_millis(3200)), "3.2 s");
        assert_eq!(duration_text(Duration::from_secs(270)), "4.5 min");
    }

    #[test]
    fn names_are_escaped() {
        let c = ClusterSnapshot {
            address: "127.0.0.1:7077".into(),
            workers: Vec::new(),
            executors: Vec::new(),
            applications: vec![ApplicationInfo {
                id: "app-0".into(),
                name: "<b>\"x\" & y</b>".into(),
                executors: vec!["app-0-exec-0".into()],
                cores_per_executor: 2,
                memory_per_executor: 1 << 30,
                duration: Duration::from_secs(5),
                failures: 0,
                waiting: 0,
                not_replacing: false,
            }],
        };
        let page = cluster_page(&c).into_string();
        assert!(!page.contains("<b>"), "{page}");
        assert!(
            page.contains("&lt;b&gt;&quot;x&quot; &amp; y&lt;/b&gt;"),
            "{page}"
        );
        assert!(page.contains("<td class=\"num\">2</td>"), "{page}");
    }
}
