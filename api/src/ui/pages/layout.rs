//! The shell every page shares (title, header with the application's name, navigation,
//! stylesheet) and the text forms of the figures the pages show: sizes with record counts,
//! times, durations, states. Every user-supplied text reaches the page through maud's escaping.

use crate::ui::master_page::{bytes_text, duration_text};
use crate::ui::server::STYLESHEET_PATH;
use crate::ui::store::{JobState, StageState};
use ember_engine::task_context::TaskMetricsSnapshot;
use maud::{DOCTYPE, Markup, html};
use std::time::Duration;

/// The sections of the navigation bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    /// `/jobs/`.
    Jobs,
    /// `/stages/`.
    Stages,
    /// `/storage/`.
    Storage,
    /// `/environment/`.
    Environment,
    /// `/executors/`.
    Executors,
    /// `/SQL/`.
    Sql,
}

impl Tab {
    const ALL: [Tab; 6] = [
        Tab::Jobs,
        Tab::Stages,
        Tab::Storage,
        Tab::Environment,
        Tab::Executors,
        Tab::Sql,
    ];

    /// The id of its navigation link, its path and its label.
    fn parts(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Tab::Jobs => ("nav-jobs", "/jobs/", "Jobs"),
            Tab::Stages => ("nav-stages", "/stages/", "Stages"),
            Tab::Storage => ("nav-storage", "/storage/", "Storage"),
            Tab::Environment => ("nav-environment", "/environment/", "Environment"),
            Tab::Executors => ("nav-executors", "/executors/", "Executors"),
            Tab::Sql => ("nav-sql", "/SQL/", "SQL"),
        }
    }
}

/// What every page needs to draw its shell and its links.
#[derive(Clone, Copy, Debug)]
pub struct Shell<'a> {
    /// The prefix of every link ("" for the driver UI, `/history/<app id>` in history).
    pub base: &'a str,
    /// The application's name.
    pub app_name: &'a str,
}

impl Shell<'_> {
    /// `base` followed by `path`: the href of a page of this application.
    pub fn href(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A whole page: `<title>{app} - {page}</title>`, the header with the application's name
    /// and the navigation (with `tab` marked), then `content` under an `h1` of `heading`.
    pub fn page(&self, tab: Tab, page_name: &str, heading: &str, content: Markup) -> Markup {
        let app_name = if self.app_name.is_empty() {
            "Ember"
        } else {
            self.app_name
        };
        html! {
            (DOCTYPE)
            html lang="en" {
                head {
                    meta charset="utf-8";
                    title { (app_name) " - " (page_name) }
                    // Served at the root only (the history server too), hence no base.
                    link rel="stylesheet" href=(STYLESHEET_PATH);
                }
                body {
                    header {
                        nav {
                            span.brand { "Ember" }
                            @for t in Tab::ALL {
                                @let (id, path, label) = t.parts();
                                a id=(id) class=[(t == tab).then_some("active")] href=(self.href(path)) { (label) }
                            }
                            span #app-name .app { (app_name) }
                        }
                    }
                    main {
                        h1 { (heading) }
                        (content)
                    }
                }
            }
        }
    }
}

/// A table's header row: one `th` per column.
pub fn header_row(columns: &[&str]) -> Markup {
    html! { thead { tr { @for c in columns { th { (c) } } } } }
}

/// `{bytes} / {records}`, e.g. `1.5 KiB / 20`.
pub fn bytes_records(bytes: u64, records: u64) -> String {
    format!("{} / {records}", bytes_text(bytes))
}

/// The `{memory} / {disk}` spill text of `m`.
pub fn spill_text(m: &TaskMetricsSnapshot) -> String {
    format!(
        "{} / {}",
        bytes_text(m.memory_bytes_spilled),
        bytes_text(m.disk_bytes_spilled)
    )
}

/// The text of a span of milliseconds.
pub fn millis_text(ms: u64) -> String {
    duration_text(Duration::from_millis(ms))
}

/// From `start` to `end`, or to `now` while it runs; "-" without a start.
pub fn elapsed_text(start: Option<u64>, end: Option<u64>, now: u64) -> String {
    match start {
        Some(s) => millis_text(end.unwrap_or(now).saturating_sub(s)),
        None => "-".into(),
    }
}

/// `2023-11-14 22:13:20` (UTC) for a time in ms since the epoch; "-" for none (the REST API's
/// [`iso_time`](crate::ui::rest::iso_time) formats through the same chrono conversion).
pub fn time_text(ms: Option<u64>) -> String {
    ms.and_then(|ms| i64::try_from(ms).ok())
        .and_then(arrow::temporal_conversions::timestamp_ms_to_datetime)
        .map_or_else(|| "-".into(), |t| t.format("%Y-%m-%d %H:%M:%S").to_string())
}

/// A state word in a `span.status` whose second class colors it (`status-running`, ...).
pub fn status_badge(word: &str) -> Markup {
    html! { span class={ "status status-" (word.to_ascii_lowercase()) } { (word) } }
}

/// `RUNNING`, `SUCCEEDED` or `FAILED`.
pub fn job_state_word(s: JobState) -> &'static str {
    match s {
        JobState::Running => "RUNNING",
        JobState::Succeeded => "SUCCEEDED",
        JobState::Failed => "FAILED",
    }
}

/// `PENDING`, `ACTIVE`, `COMPLETE`, `SKIPPED` or `FAILED`.
pub fn stage_state_word(s: StageState) -> &'static str {
    match s {
        StageState::Pending => "PENDING",
        StageState::Active => "ACTIVE",
        StageState::Complete => "COMPLETE",
        StageState::Skipped => "SKIPPED",
        StageState::Failed => "FAILED",
    }
}

/// `{done}/{total}`, then ` ({failed} failed)` when any failed.
pub fn progress_text(done: usize, total: usize, failed: usize) -> String {
    let mut text = format!("{done}/{total}");
    if failed > 0 {
        text.push_str(&format!(" ({failed} failed)"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_utc_calendar_dates() {
        assert_eq!(time_text(Some(0)), "1970-01-01 00:00:00");
        assert_eq!(time_text(Some(1_700_000_000_000)), "2023-11-14 22:13:20");
        // A leap day and the day after it.
        assert_eq!(time_text(Some(951_782_400_000)), "2000-02-29 00:00:00");
        assert_eq!(time_text(Some(951_868_799_999)), "2000-02-29 23:59:59");
        assert_eq!(time_text(Some(951_868_800_000)), "2000-03-01 00:00:00");
        assert_eq!(time_text(Some(4_102_444_800_000)), "2100-01-01 00:00:00");
        assert_eq!(time_text(None), "-");
    }

    #[test]
    fn figures_read_as_the_contract_says() {
        assert_eq!(bytes_records(1536, 20), "1.5 KiB / 20");
        assert_eq!(bytes_records(0, 0), "0 B / 0");
        assert_eq!(progress_text(3, 4, 0), "3/4");
        assert_eq!(progress_text(3, 4, 2), "3/4 (2 failed)");
        assert_eq!(elapsed_text(Some(1000), Some(4200), 0), "3.2 s");
        assert_eq!(elapsed_text(Some(1000), None, 1045), "45 ms");
        assert_eq!(elapsed_text(None, None, 5), "-");
        let m = TaskMetricsSnapshot {
            memory_bytes_spilled: 2048,
            disk_bytes_spilled: 10,
            ..Default::default()
        };
        assert_eq!(spill_text(&m), "2.0 KiB / 10 B");
    }

    #[test]
    fn the_shell_carries_title_navigation_and_base() {
        let shell = Shell {
            base: "/history/app-1",
            app_name: "a<b>",
        };
        let html = shell
            .page(Tab::Stages, "Stages", "Stages", html! { p { "x" } })
            .into_string();
        assert!(
            html.contains("<title>a&lt;b&gt; - Stages</title>"),
            "{html}"
        );
        assert!(html.contains(r#"<span class="app" id="app-name">a&lt;b&gt;</span>"#));
        assert!(html.contains(r#"<a id="nav-sql" href="/history/app-1/SQL/">SQL</a>"#));
        assert!(
            html.contains(r#"<a id="nav-stages" class="active" href="/history/app-1/stages/">"#),
            "{html}"
        );
        assert!(html.contains(r#"href="/static/ember.css""#));
        assert!(!html.contains("<b>"));
    }
}
