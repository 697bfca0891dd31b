//! Input records and bytes of SQL file scans in the task metrics (the Stages and SQL pages'
//! "Input" column).
//!
//! Ember's own line readers count as they read: text DataFrames through their
//! `TextFileRdd`, CSV and JSON through their split streams (records produced, and the split's
//! bytes in the file). DataFusion's file scans (`DataSourceExec` over files: Parquet, and
//! tables DataFusion reads itself) are wrapped, before a plan runs, in an
//! [`InputMetricsExec`] that counts the rows of each batch the scan produces into the Ember
//! task running it, and the bytes the scan read, as Spark counts `bytesRead`: for Parquet the
//! bytes fetched from the files (DataFusion's `bytes_scanned`: the footer and the column
//! chunks it did not prune), for other formats the bytes of the partition's file ranges.

use super::run::only_child;
use arrow::record_batch::RecordBatch;
use datafusion::common::tree_node::{Transformed, TreeNode, TreeNodeRecursion};
use datafusion::datasource::physical_plan::FileScanConfig;
use datafusion::datasource::source::DataSourceExec;
use datafusion::error::Result as DfResult;
use datafusion::execution::TaskContext as DfTaskContext;
use datafusion::physical_expr::PhysicalExpr;
use datafusion::physical_plan::metrics::MetricValue;
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, ExecutionPlan, PlanProperties, SendableRecordBatchStream,
};
use ember_engine::sql::runtime::ember_task;
use ember_engine::task_context::TaskContext;
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

/// A pass-through over a file scan that counts each batch's rows, and the bytes the scan
/// read (see the module's doc), as input of the Ember task running it. Outside an Ember task
/// it only passes batches through. It is added after DataFusion optimized the plan, so it
/// offers the optimizer nothing (no statistics, no pushdowns).
#[derive(Debug)]
pub(crate) struct InputMetricsExec {
    input: Arc<dyn ExecutionPlan>,
}

/// The name of the Parquet scan's counter of bytes read from its files.
const BYTES_SCANNED: &str = "bytes_scanned";

/// What `scan` (a Parquet scan) reports it read for `partition` so far: the sum of its
/// `bytes_scanned` counters of that partition (one per file it opened), 0 before it opened
/// any.
fn reported_bytes(scan: &Arc<dyn ExecutionPlan>, partition: usize) -> u64 {
    let Some(metrics) = scan.metrics() else {
        return 0;
    };
    metrics
        .iter()
        .filter(|m| m.partition() == Some(partition))
        .filter_map(|m| match m.value() {
            MetricValue::Count { name, count } if name == BYTES_SCANNED => Some(count.value()),
            _ => None,
        })
        .sum::<usize>() as u64
}

/// The bytes of the file ranges of `partition` of `config` (whole files where no range is set).
fn split_bytes(config: &FileScanConfig, partition: usize) -> u64 {
    config.file_groups.get(partition).map_or(0, |group| {
        group
            .iter()
            .map(|f| match &f.range {
                Some(r) => r.end.saturating_sub(r.start).max(0) as u64,
                None => f.object_meta.size,
            })
            .sum()
    })
}

/// Counts, when dropped with the stream it belongs to, what a Parquet scan read for one
/// partition since it was made: the stream may be dropped before its end (a `LIMIT`).
struct ScannedSince {
    task: Arc<TaskContext>,
    scan: Arc<dyn ExecutionPlan>,
    partition: usize,
    before: u64,
}

impl Drop for ScannedSince {
    fn drop(&mut self) {
        let read = reported_bytes(&self.scan, self.partition).saturating_sub(self.before);
        self.task.metrics.record_input(0, read);
    }
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
        let config = self
            .input
            .downcast_ref::<DataSourceExec>()
            .and_then(|s| s.data_source().downcast_ref::<FileScanConfig>());
        let bytes = match config {
            Some(c) if c.file_source().file_type() == "parquet" => Some(ScannedSince {
                task: Arc::clone(&task),
                scan: Arc::clone(&self.input),
                partition,
                before: reported_bytes(&self.input, partition),
            }),
            Some(c) => {
                task.metrics.record_input(0, split_bytes(c, partition));
                None
            }
            None => None,
        };
        let counted = stream.inspect_ok(move |b: &RecordBatch| {
            // Moved in here, the byte count lives as long as the stream.
            let _alive = &bytes;
            task.metrics.record_input(b.num_rows() as u64, 0);
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
