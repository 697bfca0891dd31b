//! A persisted DataFrame: its partitions kept in the executor's block manager as record
//! batches, computed by the first job that reads them.

use super::runtime::ember_task;
use super::{PlanRdd, to_datafusion};
use crate::rdd::RddBase;
use crate::storage::{BlockId, StorageLevel};
use crate::task_context::rows_and_bytes;
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::error::Result as DfResult;
use datafusion::execution::TaskContext as DfTaskContext;
use datafusion::physical_expr::PhysicalExpr;
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, ExecutionPlan, PlanProperties, SendableRecordBatchStream,
};
use futures::{StreamExt, TryStreamExt};
use std::fmt;
use std::sync::Arc;

/// Reads partition `p` of a persisted query from the block manager, or computes it from the
/// query's own stages ([`PlanRdd`]) and stores it at the RDD's storage level.
///
/// The planner adds the cached query's shuffles to the dependencies of the fragment holding
/// this node, so the scheduler runs (or, when their outputs exist, skips) them first. Those
/// shuffles keep their ids for the life of the cache, which is what lets a second job skip
/// them. An evicted block is recomputed here, transparently.
#[derive(Debug)]
pub struct CachedExec {
    rdd: Arc<PlanRdd>,
}

impl fmt::Debug for PlanRdd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PlanRdd({})", self.id())
    }
}

impl CachedExec {
    /// A node reading `rdd`'s partitions through the block manager (at `rdd`'s storage level).
    pub fn new(rdd: Arc<PlanRdd>) -> Self {
        CachedExec { rdd }
    }

    /// The persisted query.
    pub fn rdd(&self) -> &Arc<PlanRdd> {
        &self.rdd
    }
}

impl DisplayAs for CachedExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "CachedExec: {}, level={}, partitions={}",
            self.rdd.id(),
            self.rdd.meta().storage_level(),
            self.rdd.num_partitions()
        )
    }
}

impl ExecutionPlan for CachedExec {
    fn name(&self) -> &str {
        "CachedExec"
    }
    fn properties(&self) -> &Arc<PlanProperties> {
        self.rdd.plan().properties()
    }
    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        Vec::new()
    }
    fn apply_expressions(
        &self,
        _f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> DfResult<TreeNodeRecursion>,
    ) -> DfResult<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }
    fn with_new_children(
        self: Arc<Self>,
        _children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> DfResult<Arc<dyn ExecutionPlan>> {
        Ok(self)
    }
    fn execute(
        &self,
        partition: usize,
        context: Arc<DfTaskContext>,
    ) -> DfResult<SendableRecordBatchStream> {
        let tc = ember_task(&context, "CachedExec").map_err(to_datafusion)?;
        let schema = self.schema();
        let level = self.rdd.meta().storage_level();
        let block = BlockId::Rdd {
            rdd: self.rdd.id(),
            partition,
        };
        let store = Arc::clone(&tc.env().blocks);
        if level.is_valid()
            && let Some(batches) = store.get(&block).map_err(to_datafusion)?
        {
            tracing::debug!(%block, "cache hit");
            let (rows, bytes) = rows_and_bytes(&batches);
            tc.metrics.record_input(rows, bytes);
            return Ok(Box::pin(RecordBatchStreamAdapter::new(
                schema,
                futures::stream::iter(batches.into_iter().map(Ok)),
            )));
        }
        let input = self.rdd.plan().execute(partition, context)?;
        if level == StorageLevel::NONE {
            return Ok(input);
        }
        // Computed in full, stored, then handed on (as RDD caching does).
        let rdd = self.rdd.id().0;
        let stored = futures::stream::once(async move {
            let batches: Vec<_> = input.try_collect().await?;
            let (_, bytes) = rows_and_bytes(&batches);
            let outcome = store
                .put(block, batches.clone(), level)
                .map_err(to_datafusion)?;
            tracing::debug!(%block, ?outcome, "cached partition");
            tc.metrics.record_block(rdd, partition, outcome, bytes);
            Ok::<_, datafusion::error::DataFusionError>(futures::stream::iter(
                batches.into_iter().map(Ok),
            ))
        })
        .try_flatten();
        Ok(Box::pin(RecordBatchStreamAdapter::new(
            schema,
            stored.boxed(),
        )))
    }
}
