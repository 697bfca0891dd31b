//! `/stages/` (every stage attempt, grouped Active, Pending, Completed, Skipped, Failed, newest
//! first), and the stage table the job and SQL pages show too.

use super::layout::{
    Shell, Tab, bytes_records, elapsed_text, header_row, progress_text, spill_text,
    stage_state_word, status_badge, time_text,
};
use crate::ui::store::{AppState, JobRecord, StageRecord, StageState};
use ember_engine::task_context::TaskMetricsSnapshot;
use maud::{Markup, html};
use std::collections::BTreeSet;

/// One row of a stage table: a recorded attempt, or a stage of a job that has not run
/// (pending) or did not need to (skipped).
pub struct StageRow<'a> {
    /// The stage.
    pub stage_id: u64,
    /// The attempt (0 for stages that did not run).
    pub attempt: u32,
    /// `operation at file:line`.
    pub name: &'a str,
    /// Its state.
    pub state: StageState,
    /// The attempt's record, if it ran (else the figures are zero).
    pub record: Option<&'a StageRecord>,
    /// Tasks of a full run, for stages that did not run.
    pub planned_tasks: usize,
    /// Where its description links to (its record, or the record of an earlier run).
    pub href: Option<String>,
}

/// The link of a stage attempt's page.
pub fn stage_href(shell: &Shell, r: &StageRecord) -> String {
    shell.href(&format!(
        "/stages/stage/?id={}&attempt={}&job={}",
        r.stage_id, r.attempt, r.job_id
    ))
}

impl<'a> StageRow<'a> {
    fn recorded(shell: &Shell, r: &'a StageRecord) -> Self {
        StageRow {
            stage_id: r.stage_id,
            attempt: r.attempt,
            name: &r.name,
            state: r.state,
            record: Some(r),
            planned_tasks: r.num_tasks,
            href: Some(stage_href(shell, r)),
        }
    }

    /// A stage of `job` without a record in it, linking to its newest run in another job.
    fn planned(shell: &Shell, s: &'a AppState, job: &'a JobRecord, stage_id: u64) -> Self {
        let plan = job.stages.iter().find(|p| p.stage_id == stage_id);
        StageRow {
            stage_id,
            attempt: 0,
            name: plan.map_or("", |p| p.name.as_str()),
            state: job
                .stage_states
                .get(&stage_id)
                .copied()
                .unwrap_or(StageState::Pending),
            record: None,
            planned_tasks: plan.map_or(0, |p| p.num_tasks),
            href: s.latest_attempt(stage_id).map(|r| stage_href(shell, r)),
        }
    }
}

/// The rows of `job`'s stages: each recorded attempt, else the stage as planned.
pub fn job_stage_rows<'a>(shell: &Shell, s: &'a AppState, job: &'a JobRecord) -> Vec<StageRow<'a>> {
    let mut rows = Vec::new();
    for plan in &job.stages {
        let attempts: Vec<&StageRecord> = s
            .attempts(plan.stage_id)
            .filter(|r| r.job_id == job.job_id)
            .collect();
        if attempts.is_empty() {
            rows.push(StageRow::planned(shell, s, job, plan.stage_id));
        }
        rows.extend(attempts.into_iter().map(|r| StageRow::recorded(shell, r)));
    }
    rows
}

/// Every recorded attempt, plus the stages of jobs that never ran in any job kept (pending or
/// skipped), once each.
fn all_stage_rows<'a>(shell: &Shell, s: &'a AppState) -> Vec<StageRow<'a>> {
    let mut rows: Vec<StageRow> = s
        .stages
        .values()
        .map(|r| StageRow::recorded(shell, r))
        .collect();
    let mut seen: BTreeSet<u64> = s.stages.keys().map(|k| k.0).collect();
    for job in s.jobs.values().rev() {
        for (stage, state) in &job.stage_states {
            let unrun = matches!(state, StageState::Pending | StageState::Skipped);
            if unrun && seen.insert(*stage) {
                rows.push(StageRow::planned(shell, s, job, *stage));
            }
        }
    }
    rows
}

const GROUPS: [(StageState, &str); 5] = [
    (StageState::Active, "Active Stages"),
    (StageState::Pending, "Pending Stages"),
    (StageState::Complete, "Completed Stages"),
    (StageState::Skipped, "Skipped Stages"),
    (StageState::Failed, "Failed Stages"),
];

const STAGE_COLUMNS: [&str; 11] = [
    "Stage",
    "Description",
    "Submitted",
    "Duration",
    "Status",
    "Tasks: succeeded/total",
    "Input",
    "Output",
    "Shuffle read",
    "Shuffle write",
    "Spill (memory / disk)",
];

/// A stage table with id `table_id`: `rows` grouped by state, newest first in each group.
pub fn stage_table(table_id: &str, mut rows: Vec<StageRow>, now: u64) -> Markup {
    rows.sort_by_key(|r| {
        let job = r.record.map_or(0, |x| x.job_id);
        std::cmp::Reverse((r.stage_id, r.attempt, job))
    });
    html! {
        table id=(table_id) {
            (header_row(&STAGE_COLUMNS))
            @if rows.is_empty() {
                tbody { tr.empty { td colspan=(STAGE_COLUMNS.len()) { "No stages." } } }
            }
            @for (state, title) in GROUPS {
                @let group: Vec<&StageRow> = rows.iter().filter(|r| r.state == state).collect();
                @if !group.is_empty() {
                    tbody {
                        tr.stage-group { th colspan=(STAGE_COLUMNS.len()) { (title) " (" (group.len()) ")" } }
                        @for r in group { (stage_row(r, now)) }
                    }
                }
            }
        }
    }
}

fn stage_row(r: &StageRow, now: u64) -> Markup {
    let zero = TaskMetricsSnapshot::default();
    let m = r.record.map_or(&zero, |x| &x.metrics);
    let tasks = match r.record {
        Some(x) => progress_text(x.completed_tasks, x.num_tasks, x.failed_tasks),
        None => progress_text(0, r.planned_tasks, 0),
    };
    html! {
        tr.stage data-stage-id=(r.stage_id) data-attempt=(r.attempt) {
            td.stage-id { (r.stage_id) }
            td.stage-description {
                @match &r.href {
                    Some(h) => { a href=(h) { (r.name) } }
                    None => { (r.name) }
                }
            }
            td.stage-submitted { (time_text(r.record.and_then(|x| x.submitted))) }
            td.stage-duration {
                (r.record.map_or("-".into(), |x| elapsed_text(x.submitted, x.completed, now)))
            }
            td.stage-status { (status_badge(stage_state_word(r.state))) }
            td.stage-tasks { (tasks) }
            td.stage-input { (bytes_records(m.input_bytes, m.input_records)) }
            td.stage-output { (bytes_records(m.output_bytes, m.output_records)) }
            td.stage-shuffle-read { (bytes_records(m.shuffle_read_bytes, m.shuffle_read_records)) }
            td.stage-shuffle-write { (bytes_records(m.shuffle_write_bytes, m.shuffle_write_records)) }
            td.stage-spill { (spill_text(m)) }
        }
    }
}

/// `/stages/`.
pub fn stages_page(shell: &Shell, s: &AppState, now: u64) -> Markup {
    let rows = all_stage_rows(shell, s);
    let active = rows
        .iter()
        .filter(|r| r.state == StageState::Active)
        .count();
    let content = html! {
        dl.summary {
            dt { "Active stages" } dd { (active) }
            dt { "Completed stage attempts" } dd { (s.totals.stages_completed) }
            dt { "Skipped stages" } dd { (s.totals.stages_skipped) }
            dt { "Failed stage attempts" } dd { (s.totals.stages_failed) }
        }
        (stage_table("stages-table", rows, now))
    };
    shell.page(Tab::Stages, "Stages", "Stages for all jobs", content)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::pages::fixture::{SHELL, T0, assert_escaped, cells, store};

    #[test]
    fn the_stages_table_groups_attempts_and_sums_their_tasks() {
        let st = store();
        let html = st
            .read(|s| stages_page(&SHELL, s, T0 + 20_000))
            .into_string();
        assert_escaped(&html);
        assert!(html.contains(r#"<tr class="stage" data-stage-id="2" data-attempt="0">"#));
        assert_eq!(
            cells(&html, "stage-group"),
            ["Active Stages (1)", "Completed Stages (2)"]
        );
        assert_eq!(cells(&html, "stage-id"), ["2", "1", "0"]);
        assert_eq!(
            cells(&html, "stage-status"),
            ["ACTIVE", "COMPLETE", "COMPLETE"]
        );
        assert_eq!(
            cells(&html, "stage-tasks"),
            ["0/3", "3/3 (1 failed)", "4/4"]
        );
        assert_eq!(
            cells(&html, "stage-input"),
            ["0 B / 0", "0 B / 0", "4.0 KiB / 40"]
        );
        assert_eq!(cells(&html, "stage-output"), ["0 B / 0"; 3]);
        assert_eq!(
            cells(&html, "stage-shuffle-read"),
            ["0 B / 0", "2.9 KiB / 12", "0 B / 0"]
        );
        assert_eq!(
            cells(&html, "stage-shuffle-write"),
            ["0 B / 0", "0 B / 0", "8.0 KiB / 20"]
        );
        assert_eq!(
            cells(&html, "stage-spill"),
            ["0 B / 0 B", "1.5 KiB / 300 B", "0 B / 0 B"]
        );
        assert_eq!(cells(&html, "stage-duration")[2], "3.5 s");
        assert!(html.contains(
            r#"<a href="/b/stages/stage/?id=1&amp;attempt=0&amp;job=0">stage 1 at app.py:11</a>"#
        ));
    }

    #[test]
    fn stages_that_never_ran_are_listed_once_as_skipped_or_pending() {
        let mut s = store().snapshot();
        // Forget stage 0's run: job 1 skipped it and job 0 finished it, so it shows once.
        s.stages.retain(|k, _| k.0 != 0);
        // Job 1's stage 2 waits.
        s.stages.retain(|k, _| k.0 != 2);
        s.jobs
            .get_mut(&1)
            .unwrap()
            .stage_states
            .insert(2, StageState::Pending);
        let html = stages_page(&SHELL, &s, T0).into_string();
        assert_eq!(
            cells(&html, "stage-group"),
            [
                "Pending Stages (1)",
                "Completed Stages (1)",
                "Skipped Stages (1)"
            ]
        );
        assert_eq!(cells(&html, "stage-id"), ["2", "1", "0"]);
        assert_eq!(
            cells(&html, "stage-tasks"),
            ["0/3", "3/3 (1 failed)", "0/4"]
        );
        // Nothing to link to for stages without a run.
        let descriptions = cells(&html, "stage-description");
        assert_eq!(descriptions[2], "stage 0 at app.py:10");
        assert!(!html.contains("stage/?id=0&amp;"));
    }
}
