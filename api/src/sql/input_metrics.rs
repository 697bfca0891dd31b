//! Input records and bytes of SQL file scans in the task metrics (the Stages and SQL pages'
//! "Input" column).
//!
//! Ember's own line readers count as they read: text DataFrames through their
//! `TextFileRdd`, CSV and JSON through their split streams (records produced, and the split's
//! bytes in the file). DataFusion's file scans (`DataSourceExec` over files: Parquet, and
//! tables DataFusion reads itself) are wrapped, before a plan runs, in an
//! [`InputMetricsExec`] that counts the rows and Arrow memory size of each batch the scan
//! produces into the Ember task running it.

use super::run::only_child;
use arrow::record_batch::RecordBatch;
use datafusion::common::tree_node::{Transformed, TreeNode, TreeNodeRecursion};
use datafusion::datasource::physical_plan::FileScanConfig;
use datafusion::datasource::source::DataSourceExec;
use datafusion::error::Result as DfResult;
use datafusion::execution::TaskContext as DfTaskContext;
use datafusion::physical_expr::PhysicalExpr;
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, ExecutionPlan, PlanProperties, SendableRecordBatchStream,
};
use ember_engine::sql::runtime::ember_task;
use futures::TryStreamExt;
use std::fmt;
use std::sync::Arc;

/// `plan` with every DataFusion file scan wrapped in an [`InputMetricsExec`].
pub(crate) fn count_scans(plan: Arc<dyn ExecutionPlan>) -> DfResult<Arc<dyn ExecutionPlan>> {
    plan.transform_up(|node| {
        let file_scan = node
            .downcast_ref::<DataSourceExec>()
            .is_some_and(|s| s.data_source().downcast_ref::<FileScanConfig>().is_some());
        Ok(match file_scan {
            true => Transformed::yes(Arc::new(InputMetricsExec { input: node }) as _),
            false => Transformed::no(node),
        })
    })
    .map(|t| t.data)
}

/// A pass-through over a file scan that counts each batch it yields (rows, Arrow memory
/// size) as input of the Ember task running it. Outside an Ember task it only passes
/// batches through. It is added after DataFusion optimized the plan, so it offers the
/// optimizer nothing (no statistics, no pushdowns).
#[derive(Debug)]
pub(crate) struct InputMetricsExec {
    input: Arc<dyn ExecutionPlan>,
}

impl DisplayAs for InputMetricsExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "InputMetricsExec")
    }
}

impl ExecutionPlan for InputMetricsExec {
    /// The scan's name: a stage is named after its top operator, and this one adds nothing
    /// to what the stage does.
    fn name(&self) -> &str {
        self.input.name()
    }
    fn properties(&self) -> &Arc<PlanProperties> {
        self.input.properties()
    }
    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.input]
    }
    fn maintains_input_order(&self) -> Vec<bool> {
        vec![true]
    }
    fn benefits_from_input_partitioning(&self) -> Vec<bool> {
        vec![false]
    }
    fn apply_expressions(
        &self,
        _f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> DfResult<TreeNodeRecursion>,
    ) -> DfResult<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }
    fn with_new_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> DfResult<Arc<dyn ExecutionPlan>> {
        let input = only_child("InputMetricsExec", children)?;
        Ok(Arc::new(InputMetricsExec { input }))
    }
    fn execute(
        &self,
        partition: usize,
        context: Arc<DfTaskContext>,
    ) -> DfResult<SendableRecordBatchStream> {
        let stream = self.input.execute(partition, Arc::clone(&context))?;
        let Ok(task) = ember_task(&context, "InputMetricsExec") else {
            return Ok(stream);
        };
        let schema = stream.schema();
        let counted = stream.inspect_ok(move |b: &RecordBatch| {
            task.metrics
                .record_input(b.num_rows() as u64, b.get_array_memory_size() as u64);
        });
        Ok(Box::pin(RecordBatchStreamAdapter::new(schema, counted)))
    }
}

/// Batches a line reader produces from a split of `bytes` bytes of its file.
pub(crate) type SplitBatchIter = Box<dyn Iterator<Item = DfResult<RecordBatch>> + Send>;

/// `batches` of a split of `bytes` bytes, counted as input of the Ember task running
/// `ctx` (as text reads count: the split's bytes when it opens, then each batch's records).
pub(crate) fn count_split(
    ctx: &DfTaskContext,
    bytes: u64,
    batches: SplitBatchIter,
) -> SplitBatchIter {
    let Ok(task) = ember_task(ctx, "a line scan") else {
        return batches;
    };
    task.metrics.record_input(0, bytes);
    Box::new(batches.inspect(move |b| {
        if let Ok(b) = b {
            task.metrics.record_input(b.num_rows() as u64, 0);
        }
    }))
}
