//! The RDD model: Spark's five properties as two traits.
//!
//! 1. a list of partitions ([`RddBase::num_partitions`]);
//! 2. a function computing each partition ([`RddCompute::compute`]);
//! 3. dependencies on parent RDDs ([`RddBase::dependencies`]), narrow or shuffle;
//! 4. optionally, a partitioner for key-value RDDs ([`RddBase::partitioner`]);
//! 5. optionally, preferred locations of each partition ([`RddBase::preferred_locations`]).
//!
//! [`RddBase`] is the untyped view the scheduler walks; [`RddCompute<T>`] is the typed view a
//! task pulls elements from. Elements move in chunks ([`BatchIter`]), so each operator pays one
//! indirect call per chunk, not per element, and narrow operators fuse into one pass.

mod cartesian;
mod checkpoint;
mod coalesce;
mod codec;
mod cogroup;
mod determinism;
mod locality;
mod map_partitions;
mod parallelize;
pub(crate) mod paths;
mod range;
mod shuffled;
mod text_file;
mod union;
mod zip;

pub use cartesian::CartesianRdd;
pub use checkpoint::{read_checkpoint, write_checkpoint_partition};
pub use coalesce::CoalescedRdd;
pub use codec::{InputCodec, corrupt, decode_stream, open_decoded, read_decoded};
pub use cogroup::CoGroupedRdd;
pub use determinism::Determinism;
pub use locality::{CachedPartition, persisted_partitions};
pub use map_partitions::MapPartitionsRdd;
pub use parallelize::ParallelizeRdd;
pub use paths::{is_hidden_name, resolve_paths};
pub use range::RangeRdd;
pub use shuffled::{
    CombinedRdd, KeySorter, ShuffleDependency, ShuffleDependencyBase, ShuffledRdd, read_shuffle,
};
pub use text_file::{FileSplit, TextFileRdd, plan_splits};
pub use union::UnionRdd;
pub use zip::ZippedRdd;

use crate::cleaner::{Cleaner, CleanupTask};
use crate::data::{Data, from_batch, to_batches};
use crate::error::Result;
use crate::ids::{ExecutorId, RddId};
use crate::partitioner::PartitionerKind;
use crate::storage::{BlockId, StorageLevel};
use crate::task_context::{TaskContext, abort, rows_and_bytes};
use parking_lot::Mutex;
use std::any::Any;
use std::cell::RefCell;
use std::path::PathBuf;
use std::sync::Arc;

/// The elements of one partition, in chunks. Operators keep chunks of about
/// [`crate::data::CHUNK_ROWS`] elements; an empty chunk may appear and means nothing.
pub type BatchIter<T> = Box<dyn Iterator<Item = Vec<T>> + Send>;

/// The elements of one partition one by one, as user functions see them.
pub type Elements<T> = std::iter::Flatten<BatchIter<T>>;

/// How a child partition depends on its parent's partitions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NarrowKind {
    /// Child partition `i` reads parent partition `i`.
    OneToOne,
    /// Child partitions `out_start..out_start+len` read parent partitions `in_start..`.
    Range {
        /// First parent partition.
        in_start: usize,
        /// First child partition.
        out_start: usize,
        /// Number of partitions in the range.
        len: usize,
    },
    /// Each child partition reads several parent partitions (coalesce, cartesian).
    Many,
}

/// A dependency of an RDD on a parent.
#[derive(Clone)]
pub enum Dependency {
    /// Computable in the same task as the child: no shuffle.
    Narrow {
        /// The parent RDD.
        parent: Arc<dyn RddBase>,
        /// Which parent partitions each child partition reads.
        kind: NarrowKind,
    },
    /// A shuffle: the parent's map outputs must exist before the child runs (a stage boundary).
    Shuffle(Arc<dyn ShuffleDependencyBase>),
}

impl Dependency {
    /// A one-to-one narrow dependency.
    pub fn one_to_one(parent: Arc<dyn RddBase>) -> Self {
        Dependency::Narrow {
            parent,
            kind: NarrowKind::OneToOne,
        }
    }

    /// The parent RDD.
    pub fn parent(&self) -> Arc<dyn RddBase> {
        match self {
            Dependency::Narrow { parent, .. } => Arc::clone(parent),
            Dependency::Shuffle(s) => s.parent(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum CheckpointState {
    None,
    Marked,
    Done(PathBuf),
}

/// What every RDD node carries besides its own fields: identity, where the user created it, and
/// the mutable persistence and checkpoint state.
pub struct RddMeta {
    id: RddId,
    op: &'static str,
    call_site: String,
    name: Mutex<Option<String>>,
    storage: Mutex<StorageLevel>,
    checkpoint: Mutex<CheckpointState>,
    declared: determinism::Declared,
    cleaner: Option<Cleaner>,
}

impl Drop for RddMeta {
    fn drop(&mut self) {
        if let Some(c) = &self.cleaner
            && self.storage.get_mut().is_valid()
        {
            c.send(CleanupTask::Rdd(self.id));
        }
    }
}

impl RddMeta {
    /// Metadata for a new RDD made by operation `op` (e.g. `map`) at `call_site` (`file:line`).
    pub fn new(id: RddId, op: &'static str, call_site: impl Into<String>) -> Self {
        RddMeta {
            id,
            op,
            call_site: call_site.into(),
            name: Mutex::new(None),
            storage: Mutex::new(StorageLevel::NONE),
            checkpoint: Mutex::new(CheckpointState::None),
            declared: determinism::Declared::default(),
            cleaner: None,
        }
    }
    /// Reports the RDD to `cleaner` when dropped while persisted, so its blocks are freed.
    pub fn with_cleaner(mut self, cleaner: Cleaner) -> Self {
        self.cleaner = Some(cleaner);
        self
    }
    /// The cleaner, if any (nodes pass it on to the shuffle dependencies they create).
    pub fn cleaner(&self) -> Option<&Cleaner> {
        self.cleaner.as_ref()
    }
    /// The id.
    pub fn id(&self) -> RddId {
        self.id
    }
    /// The operation that made this RDD.
    pub fn op(&self) -> &'static str {
        self.op
    }
    /// Where in user code the RDD was made.
    pub fn call_site(&self) -> &str {
        &self.call_site
    }
    /// The user-given name, if any.
    pub fn name(&self) -> Option<String> {
        self.name.lock().clone()
    }
    /// Sets the user-given name.
    pub fn set_name(&self, name: impl Into<String>) {
        *self.name.lock() = Some(name.into());
    }
    /// The storage level (`NONE` unless persisted).
    pub fn storage_level(&self) -> StorageLevel {
        *self.storage.lock()
    }
    /// Sets the storage level.
    pub fn set_storage_level(&self, level: StorageLevel) {
        *self.storage.lock() = level;
    }
    /// Marks the RDD for checkpointing at the end of its next job.
    pub fn mark_checkpoint(&self) {
        let mut c = self.checkpoint.lock();
        if *c == CheckpointState::None {
            *c = CheckpointState::Marked;
        }
    }
    /// True if marked for checkpointing and not yet written.
    pub fn checkpoint_pending(&self) -> bool {
        *self.checkpoint.lock() == CheckpointState::Marked
    }
    /// Records that the checkpoint files are written in `dir`: the lineage is cut here.
    pub fn set_checkpointed(&self, dir: PathBuf) {
        *self.checkpoint.lock() = CheckpointState::Done(dir);
    }
    /// The directory holding this RDD's checkpoint, once written.
    pub fn checkpoint_dir(&self) -> Option<PathBuf> {
        match &*self.checkpoint.lock() {
            CheckpointState::Done(d) => Some(d.clone()),
            _ => None,
        }
    }
}

/// The untyped view of an RDD: what the DAG scheduler and `to_debug_string` walk.
pub trait RddBase: Send + Sync + 'static {
    /// Identity, persistence and checkpoint state.
    fn meta(&self) -> &RddMeta;
    /// Spark's class name for this kind of node, e.g. `MapPartitionsRDD`.
    fn kind(&self) -> &'static str;
    /// Number of partitions; fixed for the life of the RDD.
    fn num_partitions(&self) -> usize;
    /// Dependencies of the lineage as built, ignoring checkpoints; see
    /// [`RddBase::lineage_dependencies`].
    fn dependencies(&self) -> Vec<Dependency>;
    /// How keys are partitioned, for key-value RDDs that know it.
    fn partitioner(&self) -> Option<PartitionerKind> {
        None
    }
    /// Executors where partition `split` is cheap to compute (cached or local data).
    fn preferred_locations(&self, _split: usize) -> Vec<ExecutorId> {
        Vec::new()
    }
    /// The id.
    fn id(&self) -> RddId {
        self.meta().id()
    }
    /// The dependencies the scheduler follows: none once the RDD is checkpointed.
    fn lineage_dependencies(&self) -> Vec<Dependency> {
        if self.meta().checkpoint_dir().is_some() {
            Vec::new()
        } else {
            self.dependencies()
        }
    }
    /// How repeatable this node's output is, given `inputs`: the least repeatable level among
    /// what its dependencies deliver ([`Determinism::Determinate`] for a source).
    ///
    /// Contract: return the level a recomputation of one partition of this node guarantees.
    /// [`Determinism::Unordered`] means a rerun gives the same elements in another order;
    /// [`Determinism::Indeterminate`] means it may give other elements, so the DAG scheduler
    /// never mixes map outputs of two runs of a shuffle whose map side is indeterminate (it
    /// reruns the whole map stage and every stage that read it, or fails the job when result
    /// partitions were already computed; see `ember_scheduler::dag_scheduler`). Never return
    /// less than `inputs` unless the node really restores order (e.g. sorts by the whole
    /// element). The default applies what was declared on [`RddMeta`]
    /// ([`RddMeta::declare_determinism`], [`RddMeta::mark_order_sensitive`]) and otherwise
    /// passes `inputs` through; a node whose function depends on the order of its input
    /// overrides it (see [`Determinism::order_sensitive`]) and still applies the declarations.
    fn determinism_from(&self, inputs: Determinism) -> Determinism {
        self.meta().declared_determinism(inputs)
    }
    /// How repeatable this RDD's output is: [`RddBase::determinism_from`] over the whole
    /// lineage (a checkpointed RDD is determinate). Not meant to be overridden.
    fn output_determinism(&self) -> Determinism {
        determinism::output_determinism(self)
    }
}

/// The typed view of an RDD of `T`.
pub trait RddCompute<T: Data>: RddBase {
    /// Computes partition `split` from the parents.
    ///
    /// Contract: lazy, like DataFusion's `ExecutionPlan::execute`: no element is computed before
    /// the first chunk is pulled. Errors found before iteration starts are returned; errors found
    /// mid-stream stop the task through [`abort`]. Called by [`RddCompute::iterator`], which
    /// handles caching and checkpoints; children call `iterator`, never `compute`.
    fn compute(&self, split: usize, tc: &Arc<TaskContext>) -> Result<BatchIter<T>>;

    /// The elements of partition `split`: from the block store if the RDD is persisted and the
    /// block is held, else from the checkpoint if one is written, else computed (and stored if
    /// persisted). A block that was evicted or dropped is recomputed here, transparently.
    fn iterator(&self, split: usize, tc: &Arc<TaskContext>) -> Result<BatchIter<T>> {
        let meta = self.meta();
        let level = meta.storage_level();
        if !level.is_valid() {
            return self.compute_or_read_checkpoint(split, tc);
        }
        let block = BlockId::Rdd {
            rdd: meta.id(),
            partition: split,
        };
        let store = Arc::clone(&tc.env().blocks);
        if let Some(batches) = store.get(&block)? {
            tracing::debug!(%block, "cache hit");
            let (rows, bytes) = rows_and_bytes(&batches);
            tc.metrics.record_input(rows, bytes);
            return Ok(decode_batches(batches));
        }
        let items: Vec<T> = self
            .compute_or_read_checkpoint(split, tc)?
            .flatten()
            .collect();
        let batches = to_batches(&items)?;
        let (_, bytes) = rows_and_bytes(&batches);
        let outcome = store.put(block, batches, level)?;
        tracing::debug!(%block, ?outcome, "cached partition");
        tc.metrics.record_block(meta.id().0, split, outcome, bytes);
        Ok(one_chunk(items))
    }

    /// Partition `split` from the checkpoint if one is written, else computed.
    fn compute_or_read_checkpoint(
        &self,
        split: usize,
        tc: &Arc<TaskContext>,
    ) -> Result<BatchIter<T>> {
        match self.meta().checkpoint_dir() {
            Some(dir) => read_checkpoint::<T>(&dir, self.meta().id(), split),
            None => self.compute(split, tc),
        }
    }
}

thread_local! {
    /// Parents of dropped nodes, waiting for the outermost [`drop_without_recursion`] call on
    /// this thread to drop them.
    static DROP_QUEUE: RefCell<Option<Vec<Box<dyn Any>>>> = const { RefCell::new(None) };
}

/// Drops `value` (a node's parent) without recursing into its own ancestors.
///
/// Dropping the last handle to a long chain of `map`s would otherwise drop each node from inside
/// its child's drop: one set of stack frames per RDD, which overflows the caller's stack for a
/// lineage thousands of RDDs deep (e.g. 10,000 `map`s; the driver thread has no large stack).
/// Instead, a drop that happens inside another one only queues the value, and the outermost
/// call drops the queued values one after the other.
pub(crate) fn drop_without_recursion(value: Box<dyn Any>) {
    /// Ends the draining on this thread, even if a drop panicked.
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            let rest = DROP_QUEUE.with(|q| q.borrow_mut().take());
            drop(rest);
        }
    }
    // If the thread-local is already gone (thread exit), `value` is simply dropped here.
    let outermost = DROP_QUEUE.try_with(move |q| {
        let mut q = q.borrow_mut();
        match q.as_mut() {
            Some(pending) => {
                pending.push(value);
                None
            }
            None => {
                *q = Some(Vec::new());
                Some(value)
            }
        }
    });
    if let Ok(Some(first)) = outermost {
        let _reset = Reset;
        drop(first);
        while let Some(next) = DROP_QUEUE.with(|q| q.borrow_mut().as_mut().and_then(Vec::pop)) {
            drop(next);
        }
    }
}

/// Decodes record batches into element chunks lazily, one batch at a time.
pub fn decode_batches<T: Data>(batches: Vec<arrow::record_batch::RecordBatch>) -> BatchIter<T> {
    Box::new(
        batches
            .into_iter()
            .map(|b| from_batch::<T>(&b).unwrap_or_else(|e| abort(e))),
    )
}

/// A partition that is already in memory, as one chunk.
pub fn one_chunk<T: Send + 'static>(items: Vec<T>) -> BatchIter<T> {
    if items.is_empty() {
        Box::new(std::iter::empty())
    } else {
        Box::new(std::iter::once(items))
    }
}

/// Groups any element iterator into chunks of [`crate::data::CHUNK_ROWS`].
pub fn chunked<I>(it: I) -> BatchIter<I::Item>
where
    I: Iterator + Send + 'static,
    I::Item: Send + 'static,
{
    Box::new(Chunker { inner: it })
}

struct Chunker<I> {
    inner: I,
}

impl<I: Iterator> Iterator for Chunker<I> {
    type Item = Vec<I::Item>;
    fn next(&mut self) -> Option<Vec<I::Item>> {
        let mut chunk = Vec::with_capacity(crate::data::CHUNK_ROWS);
        chunk.extend(self.inner.by_ref().take(crate::data::CHUNK_ROWS));
        if chunk.is_empty() { None } else { Some(chunk) }
    }
}
