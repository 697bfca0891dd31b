//! Cutting a DataFusion physical plan into Ember stages.
//!
//! Exchanges become shuffles, the way Ballista's planner cuts a plan at `RepartitionExec` and
//! `CoalescePartitionsExec`; everything between two exchanges runs pipelined inside one task:
//!
//! | exchange in the plan                   | map side writes          | reduce side reads              |
//! |----------------------------------------|--------------------------|--------------------------------|
//! | `RepartitionExec` (hash, round robin)  | rows by the partitioning | partition `r` of every map     |
//! | `CoalescePartitionsExec` (N > 1 → 1)   | everything to 0          | partition 0 of every map       |
//! | `SortPreservingMergeExec` (N > 1 → 1)  | everything to 0          | each map's stream apart, merged by the kept `SortPreservingMergeExec` |
//!
//! What is not cut stays DataFusion's in-process exchange: an order-preserving repartition, and
//! anything under a recursive query (which reruns its plan) or a scalar subquery node (whose
//! subqueries must run before its input). Before running a plan, the `ember` crate evaluates
//! scalar subqueries as jobs of their own and removes those nodes, so only `EXPLAIN` sees them
//! here.

use super::{
    CachedExec, PlanRdd, PlanShuffle, ReadMode, ShuffleKind, ShuffleReaderExec, from_datafusion,
};
use crate::cleaner::Cleaner;
use crate::error::Result;
use crate::ids::ShuffleId;
use crate::rdd::{RddBase, RddMeta};
use datafusion::execution::TaskContext as DfTaskContext;
use datafusion::physical_plan::coalesce_partitions::CoalescePartitionsExec;
use datafusion::physical_plan::execution_plan::replace_children_if_necessary;
use datafusion::physical_plan::limit::GlobalLimitExec;
use datafusion::physical_plan::recursive_query::RecursiveQueryExec;
use datafusion::physical_plan::repartition::RepartitionExec;
use datafusion::physical_plan::scalar_subquery::ScalarSubqueryExec;
use datafusion::physical_plan::sorts::sort_preserving_merge::SortPreservingMergeExec;
use datafusion::physical_plan::{ExecutionPlan, ExecutionPlanProperties};
use std::sync::Arc;

/// Where the planner gets ids and the cleaner from (the context that runs the job).
pub trait StageIds {
    /// Metadata for a new fragment RDD; `name` describes its top operator.
    fn rdd_meta(&self, name: String) -> RddMeta;
    /// A fresh shuffle id.
    fn shuffle_id(&self) -> ShuffleId;
    /// The cleaner freeing a dropped shuffle's outputs.
    fn cleaner(&self) -> Option<Cleaner>;
}

/// Cuts `plan` into fragments; returns the top one (the result stage), whose shuffle
/// dependencies lead to the others. `base` carries the session's functions and settings.
pub fn cut(
    plan: Arc<dyn ExecutionPlan>,
    ids: &dyn StageIds,
    base: &Arc<DfTaskContext>,
) -> Result<Arc<PlanRdd>> {
    let mut shuffles = Vec::new();
    let fragment = cut_below(plan, ids, base, &mut shuffles)?;
    let meta = ids.rdd_meta(fragment.name().to_string());
    Ok(Arc::new(PlanRdd::new(
        meta,
        fragment,
        shuffles,
        Arc::clone(base),
    )))
}

/// A shuffle whose map side is `input`, registered in `shuffles`.
fn exchange(
    input: &Arc<dyn ExecutionPlan>,
    kind: ShuffleKind,
    ids: &dyn StageIds,
    base: &Arc<DfTaskContext>,
    shuffles: &mut Vec<Arc<PlanShuffle>>,
) -> Result<(ShuffleId, usize)> {
    let map_side = cut(Arc::clone(input), ids, base)?;
    let maps = map_side.num_partitions();
    let id = ids.shuffle_id();
    shuffles.push(Arc::new(PlanShuffle::new(
        id,
        map_side,
        kind,
        ids.cleaner(),
    )));
    Ok((id, maps))
}

fn cut_below(
    plan: Arc<dyn ExecutionPlan>,
    ids: &dyn StageIds,
    base: &Arc<DfTaskContext>,
    shuffles: &mut Vec<Arc<PlanShuffle>>,
) -> Result<Arc<dyn ExecutionPlan>> {
    if plan.is::<RecursiveQueryExec>() || plan.is::<ScalarSubqueryExec>() {
        return Ok(plan);
    }
    if let Some(c) = plan.downcast_ref::<CachedExec>() {
        // The persisted query's own stages, kept from when it was persisted.
        shuffles.extend(c.rdd().shuffles().iter().cloned());
        return Ok(plan);
    }
    if let Some(r) = plan.downcast_ref::<RepartitionExec>()
        && !r.preserve_order()
    {
        let kind = ShuffleKind::Partitioned(r.partitioning().clone());
        let (id, maps) = exchange(r.input(), kind, ids, base, shuffles)?;
        let reader = ShuffleReaderExec::new(id, maps, ReadMode::Reduce, Arc::clone(r.properties()));
        return Ok(Arc::new(reader));
    }
    if let Some(c) = plan.downcast_ref::<CoalescePartitionsExec>()
        && c.input().output_partitioning().partition_count() > 1
    {
        let (id, maps) = exchange(c.input(), ShuffleKind::Single, ids, base, shuffles)?;
        let reader: Arc<dyn ExecutionPlan> = Arc::new(ShuffleReaderExec::new(
            id,
            maps,
            ReadMode::Reduce,
            Arc::clone(c.properties()),
        ));
        return Ok(match c.fetch() {
            Some(fetch) => Arc::new(GlobalLimitExec::new(reader, 0, Some(fetch))),
            None => reader,
        });
    }
    if let Some(s) = plan.downcast_ref::<SortPreservingMergeExec>()
        && s.input().output_partitioning().partition_count() > 1
    {
        let (id, maps) = exchange(s.input(), ShuffleKind::Single, ids, base, shuffles)?;
        let reader: Arc<dyn ExecutionPlan> = Arc::new(ShuffleReaderExec::new(
            id,
            maps,
            ReadMode::PerMap,
            Arc::clone(s.input().properties()),
        ));
        return replace_children_if_necessary(Arc::clone(&plan), vec![reader])
            .map_err(from_datafusion);
    }
    let children: Vec<Arc<dyn ExecutionPlan>> = plan.children().into_iter().cloned().collect();
    if children.is_empty() {
        return Ok(plan);
    }
    let mut new_children = Vec::with_capacity(children.len());
    for c in children {
        new_children.push(cut_below(c, ids, base, shuffles)?);
    }
    replace_children_if_necessary(plan, new_children).map_err(from_datafusion)
}
