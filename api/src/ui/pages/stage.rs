//! `/stages/stage/?id=S&attempt=A[&job=J]`: one stage attempt (its summary, failure and
//! figures) and the table of its task attempts.

use super::PageError;
use super::layout::{
    Shell, Tab, bytes_records, elapsed_text, header_row, millis_text, progress_text, spill_text,
    stage_state_word, status_badge, time_text,
};
use super::stages::stage_href;
use crate::ui::store::{AppState, StageRecord};
use maud::{Markup, html};

/// `/stages/stage/?id=S&attempt=A[&job=J]`: the attempt of job `J`, else the newest record of
/// the attempt.
pub fn stage_page(
    shell: &Shell,
    s: &AppState,
    (stage_id, attempt, job): (u64, u32, Option<u64>),
    now: u64,
) -> Result<Markup, PageError> {
    let record = match job {
        Some(j) => s.stages.get(&(stage_id, attempt, j)),
        None => s
            .attempts(stage_id)
            .filter(|r| r.attempt == attempt)
            .max_by_key(|r| (r.submitted.is_some(), r.job_id)),
    };
    let Some(r) = record else {
        let of_job = job.map_or(String::new(), |j| format!(" of job {j}"));
        return Err(PageError::NotFound(format!(
            "no stage {stage_id} attempt {attempt}{of_job} is known"
        )));
    };
    let m = &r.metrics;
    let other_attempts: Vec<&StageRecord> = s
        .attempts(stage_id)
        .filter(|o| (o.attempt, o.job_id) != (r.attempt, r.job_id))
        .collect();
    let content = html! {
        dl.summary {
            dt { "Job" } dd { a href=(shell.href(&format!("/jobs/job/?id={}", r.job_id))) { (r.job_id) } }
            dt { "Status" } dd.stage-state { (status_badge(stage_state_word(r.state))) }
            dt { "Submitted" } dd { (time_text(r.submitted)) }
            dt { "Duration" } dd { (elapsed_text(r.submitted, r.completed, now)) }
            dt { "Tasks" } dd.stage-summary-tasks {
                (progress_text(r.completed_tasks, r.num_tasks, r.failed_tasks))
                @if r.killed_tasks > 0 { " (" (r.killed_tasks) " killed)" }
                @if r.active_tasks > 0 { " (" (r.active_tasks) " running)" }
            }
            dt { "Total task time" } dd { (millis_text(r.task_time_ms)) }
            dt { "Input" } dd { (bytes_records(m.input_bytes, m.input_records)) }
            dt { "Output" } dd { (bytes_records(m.output_bytes, m.output_records)) }
            dt { "Shuffle read" } dd { (bytes_records(m.shuffle_read_bytes, m.shuffle_read_records)) }
            dt { "Shuffle write" } dd { (bytes_records(m.shuffle_write_bytes, m.shuffle_write_records)) }
            dt { "Spill (memory / disk)" } dd { (spill_text(m)) }
            @if !r.parents.is_empty() {
                dt { "Parent stages" } dd {
                    @for p in &r.parents {
                        @match s.latest_attempt(*p) {
                            Some(pr) => { a href=(stage_href(shell, pr)) { (p) } " " }
                            None => { (p) " " }
                        }
                    }
                }
            }
            @if !other_attempts.is_empty() {
                dt { "Other runs" } dd {
                    @for o in &other_attempts {
                        a href=(stage_href(shell, o)) { "attempt " (o.attempt) " of job " (o.job_id) } " "
                    }
                }
            }
        }
        @if let Some(f) = &r.failure {
            h2 { "Failure" }
            pre.stage-failure { (f) }
        }
        h2 { "Tasks (" (r.tasks.len()) ")" }
        (task_table(r, now))
    };
    let title = format!("Stage {stage_id} (attempt {attempt})");
    let heading = format!("Details for stage {stage_id} (attempt {attempt})");
    Ok(shell.page(Tab::Stages, &title, &heading, content))
}

const TASK_COLUMNS: [&str; 13] = [
    "Index",
    "Task",
    "Attempt",
    "Status",
    "Executor",
    "Launched",
    "Duration",
    "Input",
    "Output",
    "Shuffle read",
    "Shuffle write",
    "Spill (memory / disk)",
    "Error",
];

fn task_table(r: &StageRecord, now: u64) -> Markup {
    html! {
        table #tasks-table {
            (header_row(&TASK_COLUMNS))
            tbody {
                @for t in r.tasks.values() {
                    @let m = &t.metrics;
                    @let running = t.status == "RUNNING";
                    tr.task data-task-id=(t.task_id) {
                        td.task-index { (t.partition) }
                        td.task-id { (t.task_id) }
                        td.task-attempt { (t.attempt) }
                        td.task-status { (status_badge(t.status)) }
                        td.task-executor { (t.executor_id) }
                        td.task-launched { (time_text(Some(t.launched))) }
                        td.task-duration {
                            @if running { (millis_text(now.saturating_sub(t.launched))) }
                            @else { (millis_text(t.duration_ms)) }
                        }
                        td.task-input { (bytes_records(m.input_bytes, m.input_records)) }
                        td.task-output { (bytes_records(m.output_bytes, m.output_records)) }
                        td.task-shuffle-read { (bytes_records(m.shuffle_read_bytes, m.shuffle_read_records)) }
                        td.task-shuffle-write { (bytes_records(m.shuffle_write_bytes, m.shuffle_write_records)) }
                        td.task-spill { (spill_text(m)) }
                        td.task-error { @if let Some(e) = &t.error { pre { (e) } } }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::pages::fixture::{EVIL, SHELL, T0, assert_escaped, cells, store};
    use crate::ui::store::StageState;

    #[test]
    fn a_stage_page_lists_its_task_attempts() {
        let st = store();
        let html = st
            .read(|s| stage_page(&SHELL, s, (1, 0, Some(0)), T0))
            .unwrap()
            .into_string();
        assert_escaped(&html);
        assert!(html.contains(&format!(
            "<title>{} - Stage 1 (attempt 0)</title>",
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        )));
        assert!(html.contains(r#"<tr class="task" data-task-id="4">"#));
        assert_eq!(cells(&html, "task-id"), ["4", "5", "6", "7"]);
        assert_eq!(cells(&html, "task-index"), ["0", "0", "1", "2"]);
        assert_eq!(cells(&html, "task-attempt"), ["0", "1", "0", "0"]);
        assert_eq!(
            cells(&html, "task-status"),
            ["FAILED", "SUCCESS", "SUCCESS", "SUCCESS"]
        );
        assert_eq!(cells(&html, "task-executor"), ["driver"; 4]);
        assert_eq!(cells(&html, "task-duration"), ["250 ms"; 4]);
        assert_eq!(cells(&html, "task-launched")[0], "2023-11-14 22:13:21");
        assert_eq!(cells(&html, "task-shuffle-read")[1..], ["1000 B / 4"; 3]);
        assert_eq!(cells(&html, "task-spill")[1..], ["512 B / 100 B"; 3]);
        assert_eq!(cells(&html, "task-input")[0], "0 B / 0");
        let errors = cells(&html, "task-error");
        assert_eq!(
            errors,
            ["&lt;script&gt;alert(1)&lt;/script&gt;", "", "", ""]
        );
        assert!(html.contains("<td class=\"task-error\"><pre>&lt;script&gt;"));
        assert!(html.contains(r#"<a href="/b/jobs/job/?id=0">0</a>"#));
        assert!(!html.contains("stage-failure"));
        assert_eq!(cells(&html, "stage-summary-tasks"), ["3/3 (1 failed)"]);

        // A running task's duration runs; the attempt without a job is found.
        let html = st
            .read(|s| stage_page(&SHELL, s, (2, 0, None), T0 + 750 + 10 * 300 + 3_200))
            .unwrap()
            .into_string();
        assert_eq!(cells(&html, "task-status"), ["RUNNING"]);
        assert_eq!(cells(&html, "task-duration"), ["3.2 s"]);
    }

    #[test]
    fn a_failed_stage_shows_its_failure_escaped() {
        let mut s = store().snapshot();
        let r = s.stages.get_mut(&(1, 0, 0)).unwrap();
        r.state = StageState::Failed;
        r.failure = Some(format!("fetch failed: {EVIL}"));
        let html = stage_page(&SHELL, &s, (1, 0, None), T0)
            .unwrap()
            .into_string();
        assert_escaped(&html);
        assert_eq!(
            cells(&html, "stage-failure"),
            ["fetch failed: &lt;script&gt;alert(1)&lt;/script&gt;"]
        );
    }

    #[test]
    fn unknown_attempts_are_not_found() {
        let st = store();
        let missing = |which| st.read(|s| stage_page(&SHELL, s, which, T0).unwrap_err());
        assert_eq!(
            missing((9, 0, None)),
            PageError::NotFound("no stage 9 attempt 0 is known".into())
        );
        assert_eq!(
            missing((1, 0, Some(1))),
            PageError::NotFound("no stage 1 attempt 0 of job 1 is known".into())
        );
        assert!(matches!(missing((1, 2, None)), PageError::NotFound(_)));
    }
}
