//! `/executors/`: every executor the application had (in local mode: the driver), live and
//! lost, with its storage, task counts and figures.

use super::layout::{Shell, Tab, bytes_records, header_row, millis_text, status_badge};
use crate::ui::master_page::bytes_text;
use crate::ui::store::{AppState, ExecutorRecord};
use maud::{Markup, html};

/// `metrics_url` when it is an http(s) URL (anything else is not made a link).
fn safe_url(url: &Option<String>) -> Option<&str> {
    url.as_deref()
        .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
}

fn executor_row(e: &ExecutorRecord, now: u64) -> Markup {
    let m = &e.metrics;
    html! {
        tr.executor data-executor-id=(e.id) {
            td.executor-id { (e.id) }
            td.executor-address { (e.host) }
            td.executor-status {
                (status_badge(if e.removed.is_none() { "Active" } else { "Dead" }))
            }
            td.executor-storage-memory { (bytes_text(e.memory_used)) " / " (bytes_text(e.max_memory)) }
            td.executor-cores { (e.cores) }
            td.executor-active-tasks { (e.active_tasks) }
            td.executor-failed-tasks { (e.failed_tasks) }
            td.executor-completed-tasks { (e.completed_tasks) }
            td.executor-task-time { (millis_text(e.task_time_ms)) }
            td.executor-input { (bytes_records(m.input_bytes, m.input_records)) }
            td.executor-shuffle-read { (bytes_records(m.shuffle_read_bytes, m.shuffle_read_records)) }
            td.executor-shuffle-write { (bytes_records(m.shuffle_write_bytes, m.shuffle_write_records)) }
            td.executor-heartbeat {
                @match &e.removed {
                    Some((_, reason)) => { "- " span.executor-removed-reason { (reason) } }
                    None => { (millis_text(now.saturating_sub(e.last_seen))) " ago" }
                }
            }
            td.executor-metrics {
                @if let Some(url) = safe_url(&e.metrics_url) {
                    a.executor-metrics href=(url) { "metrics" }
                }
            }
        }
    }
}

/// `/executors/`: live executors first, each group by id.
pub fn executors_page(shell: &Shell, s: &AppState, now: u64) -> Markup {
    let mut executors: Vec<&ExecutorRecord> = s.executors.values().collect();
    executors.sort_by_key(|e| e.removed.is_some());
    let active: Vec<&&ExecutorRecord> = executors.iter().filter(|e| e.removed.is_none()).collect();
    let content = html! {
        dl.summary {
            dt { "Active executors" } dd { (active.len()) }
            dt { "Dead executors" } dd { (executors.len() - active.len()) }
            dt { "Cores" } dd { (active.iter().map(|e| e.cores).sum::<usize>()) }
            dt { "Storage memory used" } dd {
                (bytes_text(active.iter().map(|e| e.memory_used).sum()))
                " / " (bytes_text(active.iter().map(|e| e.max_memory).sum()))
            }
        }
        table #executors-table {
            (header_row(&["Executor", "Address", "Status", "Storage memory", "Cores",
                "Active tasks", "Failed tasks", "Completed tasks", "Task time", "Input",
                "Shuffle read", "Shuffle write", "Last heard of", "Metrics"]))
            tbody {
                @if executors.is_empty() { tr.empty { td colspan="14" { "No executors yet." } } }
                @for e in &executors { (executor_row(e, now)) }
            }
        }
    };
    shell.page(Tab::Executors, "Executors", "Executors", content)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::pages::fixture::{T0, assert_escaped, cells, store};

    #[test]
    fn executors_show_their_tasks_storage_and_state() {
        let shell = Shell {
            base: "",
            app_name: crate::ui::pages::fixture::EVIL,
        };
        let st = store();
        let html = st
            .read(|s| executors_page(&shell, s, T0 + 6_000))
            .into_string();
        assert_escaped(&html);
        assert!(html.contains(r#"<tr class="executor" data-executor-id="driver">"#));
        assert_eq!(cells(&html, "executor-id"), ["driver", "1"]);
        assert_eq!(cells(&html, "executor-address"), ["localhost", "worker-1"]);
        assert_eq!(cells(&html, "executor-status"), ["Active", "Dead"]);
        assert_eq!(
            cells(&html, "executor-storage-memory"),
            ["3.9 KiB / 1.0 GiB", "0 B / 1.0 GiB"]
        );
        assert_eq!(cells(&html, "executor-cores"), ["2", "4"]);
        assert_eq!(cells(&html, "executor-active-tasks"), ["0", "0"]);
        assert_eq!(cells(&html, "executor-failed-tasks"), ["1", "0"]);
        assert_eq!(cells(&html, "executor-completed-tasks"), ["7", "0"]);
        assert_eq!(cells(&html, "executor-task-time"), ["2.0 s", "0 ms"]);
        assert_eq!(cells(&html, "executor-input"), ["4.0 KiB / 40", "0 B / 0"]);
        assert_eq!(
            cells(&html, "executor-shuffle-read"),
            ["2.9 KiB / 12", "0 B / 0"]
        );
        assert_eq!(
            cells(&html, "executor-shuffle-write"),
            ["8.0 KiB / 20", "0 B / 0"]
        );
        // Last heard of when task 7 ended (T0 + 3100).
        assert_eq!(
            cells(&html, "executor-heartbeat"),
            ["2.9 s ago", "- &lt;b&gt;heartbeat timed out&lt;/b&gt;"]
        );
        assert_eq!(
            cells(&html, "executor-removed-reason"),
            ["&lt;b&gt;heartbeat timed out&lt;/b&gt;"]
        );
        // Only http(s) metrics URLs become links.
        assert!(
            html.contains(r#"<a class="executor-metrics" href="http://localhost:4040/metrics">"#)
        );
        assert!(!html.contains("javascript:"));
    }
}
