//! Rolling back a shuffle-map stage whose output is indeterminate (Spark's rollback of the
//! stages that succeed an indeterminate stage).
//!
//! Map task `m` of an indeterminate map stage may write other records, or route them to other
//! reduce partitions, each time it runs (e.g. a `repartition`, which deals records round-robin,
//! of an unordered input). If one of its outputs is lost after some readers consumed it, running
//! only task `m` again would let the remaining readers see the new output while the finished
//! ones saw the old: records would be lost or duplicated. So when such a stage must run with
//! part of its output still registered, the scheduler instead
//!
//! 1. fails the job with [`SchedulerError::IndeterminateOutputLost`] if a result partition was
//!    already computed from the old output (it cannot be taken back: a result function may
//!    have written files or updated accumulators); else
//! 2. forgets every output of the stage and of every stage of the job that read it, directly or
//!    through other stages, and makes them all wait for a new attempt; completions of their
//!    older attempts still running are dropped (their attempt is below the stage's *floor*).
//!    Shuffles outside the job that were computed from the old output are forgotten too, so a
//!    later job cannot combine them with the new one.
//!
//! Determinate and unordered map stages keep rerunning only their missing tasks: an unordered
//! input still sends every record to the same reduce partition.

use super::{DagScheduler, JobRun};
use crate::dag::JobGraph;
use crate::error::SchedulerError;
use crate::stage::{StageKind, StageState, Waiting};
use crate::status::StageStatus;
use ember_engine::ids::{ShuffleId, StageId};
use ember_engine::rdd::Determinism;
use std::collections::HashSet;

impl DagScheduler {
    /// Records which shuffles each map stage of `graph` reads, so a rollback can find the
    /// shuffles computed from a rolled-back one in later jobs.
    pub(super) fn record_lineage(&self, graph: &JobGraph) {
        let mut parents = self.shuffle_parents.lock();
        for stage in graph.stages.values() {
            if let StageKind::ShuffleMap(dep) = &stage.kind {
                let reads = stage
                    .parents
                    .iter()
                    .filter_map(|p| match &graph.stages[p].kind {
                        StageKind::ShuffleMap(d) => Some(d.shuffle_id()),
                        StageKind::Result { .. } => None,
                    })
                    .collect();
                parents.insert(dep.shuffle_id(), reads);
            }
        }
    }

    /// Forgets every map output of `shuffle`.
    fn forget_outputs(&self, shuffle: ShuffleId) {
        let maps = self
            .map_outputs
            .statuses(shuffle)
            .map_or(0, |statuses| statuses.len());
        for map in 0..maps {
            self.map_outputs.unregister_if_older(shuffle, map, u64::MAX);
        }
    }

    /// Forgets the outputs of every known shuffle computed from `shuffle`'s output, directly or
    /// not, except those in `keep` (the running job handles its own).
    fn forget_derived(&self, shuffle: ShuffleId, keep: &HashSet<ShuffleId>) {
        let parents = self.shuffle_parents.lock().clone();
        let mut derived: HashSet<ShuffleId> = HashSet::from([shuffle]);
        loop {
            let before = derived.len();
            for (child, reads) in &parents {
                if reads.iter().any(|r| derived.contains(r)) {
                    derived.insert(*child);
                }
            }
            if derived.len() == before {
                break;
            }
        }
        for s in derived {
            if s != shuffle && !keep.contains(&s) {
                tracing::info!(%s, from = %shuffle, "forgetting a shuffle computed from rolled-back output");
                self.forget_outputs(s);
            }
        }
    }
}

impl JobRun<'_> {
    /// Completions of attempts of `stage` below this are dropped (0: none).
    pub(super) fn floor(&self, stage: StageId) -> u32 {
        self.floors.get(&stage).copied().unwrap_or(0)
    }

    /// A new attempt number for `stage`, above every attempt it had.
    pub(super) fn next_attempt(&self, stage: StageId) -> u32 {
        let latest = self.latest_attempt.get(&stage).copied().unwrap_or(0);
        latest.max(self.states[&stage].attempt()) + 1
    }

    /// True if `stage` is a shuffle-map stage with an indeterminate output of which some map
    /// outputs are registered and some are missing.
    pub(super) fn partially_lost_indeterminate(&self, stage: StageId) -> bool {
        let StageKind::ShuffleMap(dep) = &self.graph.stages[&stage].kind else {
            return false;
        };
        let missing = self.sched.map_outputs.missing(dep.shuffle_id()).len();
        missing > 0
            && missing < dep.parent().num_partitions()
            && dep.output_determinism() == Determinism::Indeterminate
    }

    /// The stages of the job that read `stage`'s output, directly or not, and `stage`.
    fn readers(&self, stage: StageId) -> HashSet<StageId> {
        let mut seen = HashSet::from([stage]);
        let mut stack = vec![stage];
        while let Some(s) = stack.pop() {
            for child in self.graph.children(s) {
                if seen.insert(child) {
                    stack.push(child);
                }
            }
        }
        seen
    }

    /// Rolls back the indeterminate map stage `stage`, or fails the job if a result partition
    /// was already computed from its output (see the module documentation).
    pub(super) fn roll_back(&mut self, stage: StageId) -> Result<(), SchedulerError> {
        let affected = self.readers(stage);
        let finished = self.results.len() - self.remaining;
        let st = &self.graph.stages[&stage];
        if affected.contains(&self.graph.result) && finished > 0 {
            return Err(SchedulerError::IndeterminateOutputLost {
                job: self.job,
                stage,
                rdd: st.rdd.id(),
                operation: st.name.clone(),
                result_stage: self.graph.result,
                finished,
                partitions: self.results.len(),
            });
        }
        let mut rolled: Vec<StageId> = affected.iter().copied().collect();
        rolled.sort();
        tracing::warn!(job = %self.job, %stage, name = %st.name, ?rolled, "indeterminate shuffle output lost: rerunning the stage and every stage that read it");
        let mut shuffles = HashSet::new();
        for s in &rolled {
            if let StageKind::ShuffleMap(dep) = &self.graph.stages[s].kind {
                shuffles.insert(dep.shuffle_id());
                self.sched.forget_outputs(dep.shuffle_id());
            }
            let attempt = self.next_attempt(*s);
            self.floors.insert(*s, attempt);
            self.states
                .insert(*s, StageState::Waiting(Waiting { attempt }));
            self.sched.status.update_stage(self.job, *s, |i| {
                i.status = StageStatus::Pending;
                i.attempt = attempt;
            });
        }
        self.queue.retain(|t| !affected.contains(&t.stage));
        if let StageKind::ShuffleMap(dep) = &self.graph.stages[&stage].kind {
            self.sched.forget_derived(dep.shuffle_id(), &shuffles);
        }
        Ok(())
    }
}
