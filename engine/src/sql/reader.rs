//! The reduce side of a SQL shuffle: a leaf of a plan fragment that reads map outputs from the
//! executor's shuffle store.

use super::runtime::ember_task;
use super::to_datafusion;
use crate::error::EngineError;
use crate::ids::ShuffleId;
use crate::task_context::TaskContext;
use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::error::Result as DfResult;
use datafusion::execution::TaskContext as DfTaskContext;
use datafusion::physical_expr::PhysicalExpr;
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, ExecutionPlan, PlanProperties, SendableRecordBatchStream,
};
use std::fmt;
use std::sync::Arc;

/// Which map outputs a reader partition reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadMode {
    /// Partition `r` reads reduce partition `r` of every map output (after a repartition or a
    /// coalesce to one partition).
    Reduce,
    /// Partition `m` reads reduce partition 0 of map output `m` alone, so the streams of the
    /// map side stay apart (below a sort-preserving merge, which merges them in order).
    PerMap,
}

/// Reads the output of shuffle `shuffle` (written by `num_maps` map tasks).
///
/// Contract of [`ExecutionPlan::execute`]: must run inside an Ember task (the DataFusion task
/// context carries [`super::runtime::EmberTaskEnv`]); a map output the shuffle store does not
/// hold fails the stream with [`EngineError::FetchFailed`], which the scheduler answers by
/// rerunning that map task.
#[derive(Debug)]
pub struct ShuffleReaderExec {
    shuffle: ShuffleId,
    num_maps: usize,
    mode: ReadMode,
    properties: Arc<PlanProperties>,
}

impl ShuffleReaderExec {
    /// A reader with the output `properties` of the exchange it replaces (schema, partitioning,
    /// ordering and equivalences).
    pub fn new(
        shuffle: ShuffleId,
        num_maps: usize,
        mode: ReadMode,
        properties: Arc<PlanProperties>,
    ) -> Self {
        ShuffleReaderExec {
            shuffle,
            num_maps,
            mode,
            properties,
        }
    }

    /// The shuffle read.
    pub fn shuffle_id(&self) -> ShuffleId {
        self.shuffle
    }

    fn blocks(&self, partition: usize) -> Vec<(usize, usize)> {
        match self.mode {
            ReadMode::Reduce => (0..self.num_maps).map(|m| (m, partition)).collect(),
            ReadMode::PerMap => vec![(partition, 0)],
        }
    }
}

impl DisplayAs for ShuffleReaderExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut fmt::Formatter) -> fmt::Result {
        let mode = match self.mode {
            ReadMode::Reduce => "",
            ReadMode::PerMap => ", per map",
        };
        write!(
            f,
            "ShuffleReaderExec: shuffle={}, maps={}, partitions={}{mode}",
            self.shuffle,
            self.num_maps,
            self.properties.partitioning.partition_count()
        )
    }
}

fn read(
    tc: &Arc<TaskContext>,
    shuffle: ShuffleId,
    map: usize,
    reduce: usize,
) -> Result<Vec<RecordBatch>, EngineError> {
    let batches =
        tc.env()
            .shuffles
            .read(shuffle, map, reduce)?
            .ok_or(EngineError::FetchFailed {
                shuffle,
                map,
                reduce,
            })?;
    tc.metrics.record_shuffle_read(&batches);
    Ok(batches)
}

impl ExecutionPlan for ShuffleReaderExec {
    fn name(&self) -> &str {
        "ShuffleReaderExec"
    }
    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
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
        let tc = ember_task(&context, "ShuffleReaderExec").map_err(to_datafusion)?;
        let shuffle = self.shuffle;
        let schema: SchemaRef = self.schema();
        // Blocks are fetched lazily, one map output at a time, as the consumer pulls.
        let batches = self
            .blocks(partition)
            .into_iter()
            .map(move |(map, reduce)| read(&tc, shuffle, map, reduce))
            .flat_map(|r| match r {
                Ok(batches) => batches.into_iter().map(Ok).collect::<Vec<_>>(),
                Err(e) => vec![Err(to_datafusion(e))],
            });
        Ok(Box::pin(RecordBatchStreamAdapter::new(
            schema,
            futures::stream::iter(batches),
        )))
    }
}
