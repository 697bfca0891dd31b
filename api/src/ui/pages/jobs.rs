//! `/jobs/` (every job kept, newest first) and `/jobs/job/?id=N` (one job: its summary, the
//! stage DAG and its stages).

use super::PageError;
use super::dag::stage_dag;
use super::layout::{
    Shell, Tab, elapsed_text, header_row, job_state_word, progress_text, status_badge, time_text,
};
use super::stages::{job_stage_rows, stage_href, stage_table};
use crate::ui::store::{AppState, JobRecord, JobState, StageState};
use maud::{Markup, html};

/// `{succeeded}/{total}` of a job's stages (skipped ones not counted in the total, as Spark),
/// then ` ({k} skipped)` and ` ({k} failed)` when any.
pub fn job_stages_text(j: &JobRecord) -> String {
    let skipped = j.stages_in(StageState::Skipped);
    let failed = j.stages_in(StageState::Failed);
    let total = j.stage_states.len() - skipped;
    let mut text = format!("{}/{total}", j.stages_in(StageState::Complete));
    if skipped > 0 {
        text.push_str(&format!(" ({skipped} skipped)"));
    }
    if failed > 0 {
        text.push_str(&format!(" ({failed} failed)"));
    }
    text
}

fn job_href(shell: &Shell, job_id: u64) -> String {
    shell.href(&format!("/jobs/job/?id={job_id}"))
}

/// Links to jobs `ids`, separated by spaces.
pub fn job_links(shell: &Shell, ids: &[u64]) -> Markup {
    html! { @for (i, j) in ids.iter().enumerate() { @if i > 0 { " " } a href=(job_href(shell, *j)) { (j) } } }
}

/// `/jobs/`.
pub fn jobs_page(shell: &Shell, s: &AppState, now: u64) -> Markup {
    let running = s
        .jobs
        .values()
        .filter(|j| j.state == JobState::Running)
        .count();
    let content = html! {
        dl.summary {
            dt { "User" } dd { (s.app.user) }
            dt { "Started" } dd { (time_text(Some(s.app.start))) }
            dt { @if s.app.end.is_some() { "Total duration" } @else { "Uptime" } }
            dd { (elapsed_text(Some(s.app.start), s.app.end, now)) }
            dt { "Active jobs" } dd { (running) }
            dt { "Succeeded jobs" } dd { (s.totals.jobs_succeeded) }
            dt { "Failed jobs" } dd { (s.totals.jobs_failed) }
        }
        table #jobs-table {
            (header_row(&["Job", "Description", "Submitted", "Duration", "Status",
                "Stages: succeeded/total", "Tasks: succeeded/total"]))
            tbody {
                @if s.jobs.is_empty() { tr.empty { td colspan="7" { "No jobs yet." } } }
                @for j in s.jobs.values().rev() {
                    tr.job data-job-id=(j.job_id) {
                        td.job-id { (j.job_id) }
                        td.job-description { a href=(job_href(shell, j.job_id)) { (j.description) } }
                        td.job-submitted { (time_text(Some(j.submitted))) }
                        td.job-duration { (elapsed_text(Some(j.submitted), j.completed, now)) }
                        td.job-status { (status_badge(job_state_word(j.state))) }
                        td.job-stages { (job_stages_text(j)) }
                        td.job-tasks { (progress_text(j.completed_tasks, j.num_tasks, j.failed_tasks)) }
                    }
                }
            }
        }
    };
    shell.page(Tab::Jobs, "Jobs", "Jobs", content)
}

/// `/jobs/job/?id=N`.
pub fn job_page(shell: &Shell, s: &AppState, job_id: u64, now: u64) -> Result<Markup, PageError> {
    let Some(j) = s.jobs.get(&job_id) else {
        return Err(PageError::NotFound(format!("no job {job_id} is known")));
    };
    // Each box links to the stage's run in this job, else to its newest run elsewhere.
    let href = |stage: u64| {
        s.attempts(stage)
            .filter(|r| r.job_id == job_id)
            .max_by_key(|r| r.attempt)
            .or_else(|| s.latest_attempt(stage))
            .map(|r| stage_href(shell, r))
    };
    let content = html! {
        dl.summary {
            dt { "Description" } dd.job-summary-description { (j.description) }
            dt { "Status" } dd.job-state { (status_badge(job_state_word(j.state))) }
            dt { "Submitted" } dd { (time_text(Some(j.submitted))) }
            dt { "Duration" } dd { (elapsed_text(Some(j.submitted), j.completed, now)) }
            dt { "Stages" } dd { (job_stages_text(j)) }
            dt { "Tasks" } dd {
                (progress_text(j.completed_tasks, j.num_tasks, j.failed_tasks))
                @if j.killed_tasks > 0 { " (" (j.killed_tasks) " killed)" }
                @if j.active_tasks > 0 { " (" (j.active_tasks) " running)" }
            }
            @if let Some(q) = j.sql_execution {
                dt { "SQL query" } dd {
                    a #job-sql-link href=(shell.href(&format!("/SQL/execution/?id={q}"))) { (q) }
                }
            }
        }
        @if let Some(e) = &j.error {
            h2 { "Error" }
            pre.job-error { (e) }
        }
        h2 { "DAG" }
        (stage_dag(&j.stages, &j.stage_states, &href))
        h2 { "Stages" }
        (stage_table("stages-table", job_stage_rows(shell, s, j), now))
    };
    let title = format!("Job {job_id}");
    let heading = format!("Details for job {job_id}");
    Ok(shell.page(Tab::Jobs, &title, &heading, content))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::pages::fixture::{EVIL, T0, assert_escaped, cells, store};

    const SHELL: Shell = Shell {
        base: "/history/app-1",
        app_name: EVIL,
    };

    #[test]
    fn the_jobs_table_shows_every_job_newest_first() {
        let st = store();
        let html = st.read(|s| jobs_page(&SHELL, s, T0 + 20_000)).into_string();
        assert_escaped(&html);
        assert!(html.contains(r#"<table id="jobs-table">"#));
        assert!(html.contains(r#"<tr class="job" data-job-id="1">"#));
        assert_eq!(cells(&html, "job-id"), ["1", "0"]);
        // Job 1 skipped stage 0 (its 4 tasks leave the total); job 0 retried one task.
        assert_eq!(cells(&html, "job-stages"), ["0/1 (1 skipped)", "2/2"]);
        assert_eq!(cells(&html, "job-tasks"), ["0/3", "7/7 (1 failed)"]);
        assert_eq!(cells(&html, "job-status"), ["RUNNING", "SUCCEEDED"]);
        assert_eq!(
            cells(&html, "job-submitted"),
            ["2023-11-14 22:13:30", "2023-11-14 22:13:20"]
        );
        assert_eq!(cells(&html, "job-duration"), ["10.0 s", "4.7 s"]);
        assert!(
            html.contains(r#"<a href="/history/app-1/jobs/job/?id=0">collect at app.py:12</a>"#)
        );
        assert_eq!(
            cells(&html, "job-description")[0],
            "count at &lt;script&gt;alert(1)&lt;/script&gt;"
        );
    }

    #[test]
    fn a_job_page_draws_its_dag_and_lists_its_stages() {
        let st = store();
        let html = st
            .read(|s| job_page(&SHELL, s, 0, T0))
            .unwrap()
            .into_string();
        assert_escaped(&html);
        assert!(html.contains("<title>&lt;script&gt;alert(1)&lt;/script&gt; - Job 0</title>"));
        assert!(html.contains(r#"<svg class="dag" id="dag""#), "{html}");
        assert_eq!(
            html.matches("<g class=\"dag-stage dag-complete\"").count(),
            2
        );
        assert!(html.contains(r#"data-from="0" data-to="1""#));
        assert!(
            html.contains(
                r#"<a href="/history/app-1/stages/stage/?id=1&amp;attempt=0&amp;job=0">"#
            )
        );
        assert!(
            html.contains(
                r#"<a id="job-sql-link" href="/history/app-1/SQL/execution/?id=0">0</a>"#
            )
        );
        assert!(html.contains(r#"<table id="stages-table">"#));
        assert_eq!(cells(&html, "stage-id"), ["1", "0"]);
        assert_eq!(cells(&html, "job-state"), ["SUCCEEDED"]);

        // Job 1: stage 0 skipped (its box and row link to its run in job 0), stage 2 active.
        let html = st
            .read(|s| job_page(&SHELL, s, 1, T0))
            .unwrap()
            .into_string();
        assert_escaped(&html);
        assert!(
            html.contains(r#"<g class="dag-stage dag-skipped" data-stage-id="0" data-depth="0">"#)
        );
        assert!(
            html.contains(r#"<g class="dag-stage dag-active" data-stage-id="2" data-depth="1">"#)
        );
        assert_eq!(cells(&html, "stage-status"), ["ACTIVE", "SKIPPED"]);
        assert_eq!(cells(&html, "stage-tasks"), ["0/3", "0/4"]);
        assert_eq!(
            html.matches(r#"href="/history/app-1/stages/stage/?id=0&amp;attempt=0&amp;job=0""#)
                .count(),
            2
        );
        assert!(!html.contains("job-sql-link"));
    }

    #[test]
    fn an_unknown_job_is_not_found() {
        let st = store();
        let e = st.read(|s| job_page(&SHELL, s, 9, T0)).unwrap_err();
        assert_eq!(e, PageError::NotFound("no job 9 is known".into()));
    }
}
