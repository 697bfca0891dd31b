//! The events a job run posts to the scheduler's bus: task and stage ends, and the stage
//! plans of a job's start (see [`crate::events`]).

use super::JobRun;
use crate::dag::JobGraph;
use crate::events::{Event, StageEndStatus, StagePlan, TaskEndStatus, now_ms};
use crate::stage::{StageKind, StageState};
use ember_engine::EngineError;
use ember_engine::ids::StageId;
use ember_engine::task::TaskCompletion;

impl JobRun<'_> {
    /// Posts the end of a task attempt, and the cached blocks it stored.
    pub(super) fn post_task_end(&self, done: &mut TaskCompletion) {
        let events = &self.sched.events;
        if !events.is_active() {
            return;
        }
        let (status, error) = match &done.result {
            Ok(_) => (TaskEndStatus::Success, None),
            Err(EngineError::Cancelled { .. }) => (TaskEndStatus::Killed, None),
            Err(e) => (TaskEndStatus::Failed, Some(e.to_string())),
        };
        events.post(Event::TaskEnd {
            job_id: self.job.0,
            stage_id: done.stage.0,
            stage_attempt: done.stage_attempt,
            task_id: done.task_id.0,
            partition: done.partition,
            attempt: done.attempt,
            executor_id: done.executor.clone(),
            status,
            error,
            duration_ms: done.duration.as_millis() as u64,
            metrics: done.metrics,
            time: now_ms(),
        });
        for block in done.blocks.drain(..) {
            events.post(Event::BlockUpdated {
                executor_id: done.executor.clone(),
                block,
            });
        }
    }

    /// Posts the end of a stage attempt.
    pub(super) fn stage_ended(
        &self,
        stage: StageId,
        attempt: u32,
        status: StageEndStatus,
        failure: Option<String>,
    ) {
        self.sched.events.post(Event::StageCompleted {
            job_id: self.job.0,
            stage_id: stage.0,
            attempt,
            status,
            failure,
            time: now_ms(),
        });
    }

    /// Posts the failure of every stage still running when the job failed.
    pub(super) fn running_stages_failed(&self, error: &str) {
        for (stage, state) in &self.states {
            if let StageState::Running(r) = state {
                self.stage_ended(
                    *stage,
                    r.attempt,
                    StageEndStatus::Failed,
                    Some(error.to_string()),
                );
            }
        }
    }
}

/// The plan of `stage` as a job-start event lists it.
pub(super) fn plan_of(graph: &JobGraph, stage: StageId) -> StagePlan {
    let st = &graph.stages[&stage];
    StagePlan {
        stage_id: stage.0,
        name: st.name.clone(),
        num_tasks: st.num_tasks(),
        parents: st.parents.iter().map(|p| p.0).collect(),
        shuffle_map: matches!(st.kind, StageKind::ShuffleMap(_)),
    }
}
