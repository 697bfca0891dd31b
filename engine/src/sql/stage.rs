//! A plan fragment as an RDD ([`PlanRdd`]) and the shuffle that feeds the fragment above it
//! ([`PlanShuffle`]).

use super::from_datafusion;
use super::runtime::for_each_batch;
use crate::cleaner::{Cleaner, CleanupTask};
use crate::env::MapStatus;
use crate::error::Result;
use crate::ids::ShuffleId;
use crate::rdd::{Dependency, Determinism, RddBase, RddMeta, ShuffleDependencyBase};
use crate::task_context::TaskContext;
use arrow::compute::BatchCoalescer;
use arrow::record_batch::RecordBatch;
use datafusion::execution::TaskContext as DfTaskContext;
use datafusion::physical_plan::execution_plan::reset_plan_states;
use datafusion::physical_plan::metrics::Time;
use datafusion::physical_plan::repartition::BatchPartitioner;
use datafusion::physical_plan::{ExecutionPlan, ExecutionPlanProperties, Partitioning};
use std::sync::Arc;
use std::sync::atomic::Ordering;

/// One fragment of a physical plan: its leaves are scans or [`ShuffleReaderExec`](super::ShuffleReaderExec)s, and it
/// runs one task per output partition.
pub struct PlanRdd {
    meta: RddMeta,
    plan: Arc<dyn ExecutionPlan>,
    shuffles: Vec<Arc<PlanShuffle>>,
    base: Arc<DfTaskContext>,
}

impl PlanRdd {
    /// A fragment `plan` reading `shuffles` (one per [`ShuffleReaderExec`](super::ShuffleReaderExec) in it), run with the
    /// session's functions and configuration in `base`.
    pub fn new(
        meta: RddMeta,
        plan: Arc<dyn ExecutionPlan>,
        shuffles: Vec<Arc<PlanShuffle>>,
        base: Arc<DfTaskContext>,
    ) -> Self {
        PlanRdd {
            meta,
            plan,
            shuffles,
            base,
        }
    }

    /// The fragment.
    pub fn plan(&self) -> &Arc<dyn ExecutionPlan> {
        &self.plan
    }

    /// The shuffles it reads.
    pub fn shuffles(&self) -> &[Arc<PlanShuffle>] {
        &self.shuffles
    }

    /// Runs partition `partition` in task `tc`, handing each batch to `f`.
    ///
    /// A retried attempt runs a copy of the fragment with its operators' state reset (a hash
    /// join's build side, dynamic filters), so nothing of the failed attempt leaks into it.
    pub fn for_each_batch(
        &self,
        partition: usize,
        tc: &Arc<TaskContext>,
        f: impl FnMut(RecordBatch) -> Result<()> + Send,
    ) -> Result<()> {
        let plan = if tc.attempt_number() > 0 || tc.stage_attempt_number() > 0 {
            reset_plan_states(Arc::clone(&self.plan)).map_err(from_datafusion)?
        } else {
            Arc::clone(&self.plan)
        };
        for_each_batch(&plan, partition, &self.base, tc, f)
    }

    /// All batches of partition `partition` (a result task).
    pub fn collect_partition(
        &self,
        partition: usize,
        tc: &Arc<TaskContext>,
    ) -> Result<Vec<RecordBatch>> {
        let mut out = Vec::new();
        self.for_each_batch(partition, tc, |b| {
            if b.num_rows() > 0 {
                out.push(b);
            }
            Ok(())
        })?;
        Ok(out)
    }
}

impl RddBase for PlanRdd {
    fn meta(&self) -> &RddMeta {
        &self.meta
    }
    fn kind(&self) -> &'static str {
        "PlanRDD"
    }
    fn num_partitions(&self) -> usize {
        self.plan.output_partitioning().partition_count()
    }
    fn dependencies(&self) -> Vec<Dependency> {
        self.shuffles
            .iter()
            .map(|s| Dependency::Shuffle(Arc::clone(s) as Arc<dyn ShuffleDependencyBase>))
            .collect()
    }
    /// A query gives the same rows on every run, but DataFusion does not promise their order.
    fn determinism_from(&self, inputs: Determinism) -> Determinism {
        self.meta
            .declared_determinism(inputs.max(Determinism::Unordered))
    }
}

/// How a [`PlanShuffle`] routes the rows of its map side.
#[derive(Clone, Debug)]
pub enum ShuffleKind {
    /// By DataFusion's hash or round-robin partitioning (a `RepartitionExec`).
    Partitioned(Partitioning),
    /// Everything to reduce partition 0 (a coalesce or a sort-preserving merge).
    Single,
}

/// The batches of one reduce partition of a map task.
struct Bucket {
    coalescer: BatchCoalescer,
    done: Vec<RecordBatch>,
}

impl Bucket {
    fn push(&mut self, batch: RecordBatch) -> Result<()> {
        if batch.num_rows() == 0 {
            return Ok(());
        }
        self.coalescer
            .push_batch(batch)
            .map_err(|e| from_datafusion(e.into()))?;
        while let Some(b) = self.coalescer.next_completed_batch() {
            self.done.push(b);
        }
        Ok(())
    }

    fn finish(mut self) -> Result<Vec<RecordBatch>> {
        self.coalescer
            .finish_buffered_batch()
            .map_err(|e| from_datafusion(e.into()))?;
        while let Some(b) = self.coalescer.next_completed_batch() {
            self.done.push(b);
        }
        Ok(self.done)
    }
}

/// An exchange of a physical plan: the map side runs the fragment below it.
pub struct PlanShuffle {
    id: ShuffleId,
    parent: Arc<PlanRdd>,
    kind: ShuffleKind,
    cleaner: Option<Cleaner>,
}

impl Drop for PlanShuffle {
    fn drop(&mut self) {
        if let Some(c) = &self.cleaner {
            c.send(CleanupTask::Shuffle(self.id));
        }
    }
}

impl PlanShuffle {
    /// A shuffle of `parent`'s output; its map outputs are freed through `cleaner` once the
    /// shuffle is dropped.
    pub fn new(
        id: ShuffleId,
        parent: Arc<PlanRdd>,
        kind: ShuffleKind,
        cleaner: Option<Cleaner>,
    ) -> Self {
        PlanShuffle {
            id,
            parent,
            kind,
            cleaner,
        }
    }

    /// The fragment of the map side.
    pub fn map_side(&self) -> &Arc<PlanRdd> {
        &self.parent
    }

    /// How rows are routed.
    pub fn kind(&self) -> &ShuffleKind {
        &self.kind
    }
}

impl ShuffleDependencyBase for PlanShuffle {
    fn shuffle_id(&self) -> ShuffleId {
        self.id
    }
    fn parent(&self) -> Arc<dyn RddBase> {
        Arc::clone(&self.parent) as Arc<dyn RddBase>
    }
    fn num_reduce_partitions(&self) -> usize {
        match &self.kind {
            ShuffleKind::Partitioned(p) => p.partition_count(),
            ShuffleKind::Single => 1,
        }
    }
    /// Hash partitioning routes each row by its values; round-robin routes rows by position, so
    /// an unordered input sends other rows to each bucket.
    fn determinism_from(&self, map_input: Determinism) -> Determinism {
        match &self.kind {
            ShuffleKind::Partitioned(Partitioning::Hash(..)) | ShuffleKind::Single => map_input,
            ShuffleKind::Partitioned(_) => Determinism::order_sensitive(map_input),
        }
    }
    fn run_map_task(&self, map: usize, tc: &Arc<TaskContext>) -> Result<MapStatus> {
        let n = self.num_reduce_partitions();
        // Each bucket goes through a coalescer, as inside DataFusion's `RepartitionExec`: the
        // slices a partitioner takes are small, and string views taken from a batch still
        // point into all of its buffers; coalescing copies them into compact batches of the
        // session's batch size (a hash join building over uncompacted views slows down many
        // times over).
        let schema = self.parent.plan().schema();
        let target = self.parent.base.session_config().batch_size();
        let mut buckets: Vec<Bucket> = (0..n)
            .map(|_| Bucket {
                coalescer: BatchCoalescer::new(Arc::clone(&schema), target),
                done: Vec::new(),
            })
            .collect();
        match &self.kind {
            ShuffleKind::Single => self
                .parent
                .for_each_batch(map, tc, |b| buckets[0].push(b))?,
            ShuffleKind::Partitioned(p) => {
                let maps = self.parent.num_partitions();
                let mut partitioner = BatchPartitioner::try_new(p.clone(), Time::new(), map, maps)
                    .map_err(from_datafusion)?;
                self.parent.for_each_batch(map, tc, |b| {
                    partitioner
                        .partition(b, |i, out| {
                            buckets[i].push(out).map_err(super::to_datafusion)
                        })
                        .map_err(from_datafusion)
                })?;
            }
        }
        let buckets = buckets
            .into_iter()
            .map(Bucket::finish)
            .collect::<Result<Vec<_>>>()?;
        let status = tc.env().shuffles.write(self.id, map, buckets)?;
        let m = &tc.metrics;
        m.shuffle_records_written
            .fetch_add(status.records, Ordering::Relaxed);
        m.shuffle_bytes_written
            .fetch_add(status.sizes.iter().sum(), Ordering::Relaxed);
        Ok(status)
    }
}
