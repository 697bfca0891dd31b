//! `/SQL/` (the SQL queries and DataFrame actions, newest first) and `/SQL/execution/?id=N`
//! (one query: its text, plan, error, and the stages of its jobs).

use super::PageError;
use super::jobs::job_links;
use super::layout::{Shell, Tab, elapsed_text, header_row, status_badge, time_text};
use super::stages::{StageRow, job_stage_rows, stage_table};
use crate::ui::store::{AppState, SqlRecord};
use maud::{Markup, html};

/// Characters of a query's text shown in the list (the query's page shows all of it).
const LIST_CHARS: usize = 300;

/// `RUNNING`, `COMPLETED` or `FAILED`.
pub fn query_state_word(q: &SqlRecord) -> &'static str {
    match (q.end, &q.error) {
        (None, _) => "RUNNING",
        (Some(_), None) => "COMPLETED",
        (Some(_), Some(_)) => "FAILED",
    }
}

fn shortened(text: &str) -> String {
    match text.char_indices().nth(LIST_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// `/SQL/`.
pub fn sql_page(shell: &Shell, s: &AppState, now: u64) -> Markup {
    let content = html! {
        table #sql-table {
            (header_row(&["ID", "Description", "Submitted", "Duration", "Status", "Jobs"]))
            tbody {
                @if s.sql.is_empty() { tr.empty { td colspan="6" { "No queries yet." } } }
                @for q in s.sql.values().rev() {
                    tr.query data-execution-id=(q.execution_id) {
                        td.query-id { (q.execution_id) }
                        td.query-description {
                            a href=(shell.href(&format!("/SQL/execution/?id={}", q.execution_id))) {
                                (shortened(&q.description))
                            }
                        }
                        td.query-submitted { (time_text(Some(q.start))) }
                        td.query-duration { (elapsed_text(Some(q.start), q.end, now)) }
                        td.query-status { (status_badge(query_state_word(q))) }
                        td.query-jobs { (job_links(shell, &q.jobs)) }
                    }
                }
            }
        }
    };
    shell.page(Tab::Sql, "SQL", "SQL / DataFrame", content)
}

/// `/SQL/execution/?id=N`.
pub fn query_page(
    shell: &Shell,
    s: &AppState,
    execution_id: u64,
    now: u64,
) -> Result<Markup, PageError> {
    let Some(q) = s.sql.get(&execution_id) else {
        return Err(PageError::NotFound(format!(
            "no SQL query {execution_id} is known"
        )));
    };
    let rows: Vec<StageRow> = q
        .jobs
        .iter()
        .filter_map(|j| s.jobs.get(j))
        .flat_map(|j| job_stage_rows(shell, s, j))
        .collect();
    let content = html! {
        dl.summary {
            dt { "Status" } dd.query-state { (status_badge(query_state_word(q))) }
            dt { "Submitted" } dd { (time_text(Some(q.start))) }
            dt { "Duration" } dd { (elapsed_text(Some(q.start), q.end, now)) }
            dt { "Jobs" } dd { (job_links(shell, &q.jobs)) }
        }
        h2 { "Query" }
        pre #query-text { (q.description) }
        @if let Some(e) = &q.error {
            h2 { "Error" }
            pre.query-error { (e) }
        }
        h2 { "Physical plan" }
        pre #plan { (q.plan) }
        h2 { "Stages" }
        (stage_table("query-stages-table", rows, now))
    };
    let title = format!("Query {execution_id}");
    let heading = format!("Details for query {execution_id}");
    Ok(shell.page(Tab::Sql, &title, &heading, content))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::pages::fixture::{SHELL, T0, assert_escaped, cells, store};

    const ESCAPED: &str = "&lt;script&gt;alert(1)&lt;/script&gt;";

    #[test]
    fn the_query_table_escapes_sql_and_links_jobs() {
        let st = store();
        let html = st.read(|s| sql_page(&SHELL, s, T0)).into_string();
        assert_escaped(&html);
        assert!(html.contains(r#"<tr class="query" data-execution-id="0">"#));
        assert_eq!(cells(&html, "query-id"), ["0"]);
        assert_eq!(
            cells(&html, "query-description"),
            [format!("SELECT '{ESCAPED}' AS x")]
        );
        assert!(html.contains(r#"<a href="/b/SQL/execution/?id=0">"#));
        assert_eq!(cells(&html, "query-status"), ["FAILED"]);
        assert_eq!(cells(&html, "query-duration"), ["4.9 s"]);
        assert_eq!(cells(&html, "query-jobs"), ["0"]);
        assert!(html.contains(r#"<td class="query-jobs"><a href="/b/jobs/job/?id=0">0</a></td>"#));
    }

    #[test]
    fn a_query_page_shows_text_plan_error_and_stages() {
        let st = store();
        let html = st
            .read(|s| query_page(&SHELL, s, 0, T0))
            .unwrap()
            .into_string();
        assert_escaped(&html);
        assert!(html.contains(&format!(
            r#"<pre id="query-text">SELECT '{ESCAPED}' AS x</pre>"#
        )));
        assert!(html.contains(&format!(
            r#"<pre id="plan">ProjectionExec: expr=[{ESCAPED}]</pre>"#
        )));
        assert_eq!(
            cells(&html, "query-error"),
            [format!("{ESCAPED} went wrong")]
        );
        assert!(html.contains(r#"<table id="query-stages-table">"#));
        assert_eq!(cells(&html, "stage-id"), ["1", "0"]);
        assert_eq!(cells(&html, "stage-input"), ["0 B / 0", "4.0 KiB / 40"]);
        assert_eq!(
            st.read(|s| query_page(&SHELL, s, 3, T0)).unwrap_err(),
            PageError::NotFound("no SQL query 3 is known".into())
        );
    }

    #[test]
    fn states_and_long_texts() {
        let mut q = store().snapshot().sql.remove(&0).unwrap();
        assert_eq!(query_state_word(&q), "FAILED");
        q.error = None;
        assert_eq!(query_state_word(&q), "COMPLETED");
        q.end = None;
        assert_eq!(query_state_word(&q), "RUNNING");
        let long = "é".repeat(LIST_CHARS + 5);
        assert_eq!(shortened(&long).chars().count(), LIST_CHARS + 1);
        assert_eq!(shortened("short"), "short");
    }
}
