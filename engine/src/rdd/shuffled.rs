//! Shuffles: the map side ([`ShuffleDependency`]) and the reduce side ([`CombinedRdd`] for
//! aggregations, [`ShuffledRdd`] for plain repartitioning and sorting).
//!
//! A map task pulls its parent partition, combines values per key when the dependency has an
//! aggregator with map-side combine, splits the records by the partitioner, converts each
//! bucket to one Arrow record batch and hands the buckets to the executor's shuffle store. A
//! reduce task reads its bucket from every map output; a missing one is a fetch failure, which
//! makes the scheduler rerun the lost map task.

use super::{BatchIter, Dependency, Determinism, RddBase, RddCompute, RddMeta, chunked};
use crate::aggregator::Aggregator;
use crate::cleaner::{Cleaner, CleanupTask};
use crate::combine::CombineMap;
use crate::data::{Data, Key, from_batch, to_batch};
use crate::env::MapStatus;
use crate::error::{EngineError, Result};
use crate::ids::ShuffleId;
use crate::partitioner::{Partitioner, PartitionerKind};
use crate::task_context::{TaskContext, abort};
use std::marker::PhantomData;
use std::sync::Arc;
use std::sync::atomic::Ordering;

/// The untyped view of a shuffle dependency: what the scheduler needs to run its map stage.
pub trait ShuffleDependencyBase: Send + Sync + 'static {
    /// The shuffle's id.
    fn shuffle_id(&self) -> ShuffleId;
    /// The RDD whose partitions the map tasks read.
    fn parent(&self) -> Arc<dyn RddBase>;
    /// Number of reduce partitions.
    fn num_reduce_partitions(&self) -> usize;
    /// Runs map task `map`: computes the parent partition and writes its shuffle output.
    fn run_map_task(&self, map: usize, tc: &Arc<TaskContext>) -> Result<MapStatus>;
    /// How repeatable the map output is, given the level of the parent's output.
    ///
    /// Contract: the default passes `map_input` through, which is right when each record goes
    /// to a bucket chosen from the record alone (a hash or range partitioner): an unordered
    /// input then fills every bucket with the same records. A shuffle that routes records by
    /// position (round-robin) must return [`Determinism::Indeterminate`] for an input that is
    /// not [`Determinism::Determinate`]. An indeterminate map output makes the DAG scheduler
    /// rerun the whole map stage and the stages that read it when part of it is lost.
    fn determinism_from(&self, map_input: Determinism) -> Determinism {
        map_input
    }
    /// How repeatable the map output is: [`ShuffleDependencyBase::determinism_from`] of the
    /// parent's [`RddBase::output_determinism`].
    fn output_determinism(&self) -> Determinism {
        self.determinism_from(self.parent().output_determinism())
    }
}

/// A shuffle of `(K, V)` records by a partitioner, optionally aggregating values into `C`.
pub struct ShuffleDependency<K, V, C, A> {
    id: ShuffleId,
    parent: Arc<dyn RddCompute<(K, V)>>,
    partitioner: Partitioner<K>,
    aggregator: Option<Arc<A>>,
    map_side_combine: bool,
    cleaner: Option<Cleaner>,
    _c: PhantomData<fn() -> C>,
}

impl<K, V, C, A> Drop for ShuffleDependency<K, V, C, A> {
    fn drop(&mut self) {
        if let Some(c) = &self.cleaner {
            c.send(CleanupTask::Shuffle(self.id));
        }
    }
}

impl<K: Key, V: Data, C: Data, A: Aggregator<V, C>> ShuffleDependency<K, V, C, A> {
    /// A shuffle of `parent`. With `map_side_combine`, map tasks aggregate before writing (only
    /// meaningful with an aggregator).
    pub fn new(
        id: ShuffleId,
        parent: Arc<dyn RddCompute<(K, V)>>,
        partitioner: Partitioner<K>,
        aggregator: Option<Arc<A>>,
        map_side_combine: bool,
    ) -> Self {
        let map_side_combine = map_side_combine && aggregator.is_some();
        ShuffleDependency {
            id,
            parent,
            partitioner,
            aggregator,
            map_side_combine,
            cleaner: None,
            _c: PhantomData,
        }
    }

    /// Reports the shuffle to `cleaner` when the dependency is dropped, so its map outputs are
    /// freed.
    pub fn with_cleaner(mut self, cleaner: Option<Cleaner>) -> Self {
        self.cleaner = cleaner;
        self
    }

    /// The partitioner.
    pub fn partitioner(&self) -> &Partitioner<K> {
        &self.partitioner
    }

    fn write<X: Data>(
        &self,
        map: usize,
        tc: &Arc<TaskContext>,
        buckets: Vec<Vec<(K, X)>>,
    ) -> Result<MapStatus> {
        let mut records = 0u64;
        let mut blocks = Vec::with_capacity(buckets.len());
        for b in buckets {
            records += b.len() as u64;
            blocks.push(if b.is_empty() {
                Vec::new()
            } else {
                vec![to_batch(&b)?]
            });
        }
        let status = tc.env().shuffles.write(self.id, map, blocks)?;
        let m = &tc.metrics;
        m.shuffle_records_written
            .fetch_add(records, Ordering::Relaxed);
        m.shuffle_bytes_written
            .fetch_add(status.sizes.iter().sum(), Ordering::Relaxed);
        Ok(status)
    }
}

impl<K: Key, V: Data, C: Data, A: Aggregator<V, C>> ShuffleDependencyBase
    for ShuffleDependency<K, V, C, A>
{
    fn shuffle_id(&self) -> ShuffleId {
        self.id
    }
    fn parent(&self) -> Arc<dyn RddBase> {
        Arc::clone(&self.parent) as Arc<dyn RddBase>
    }
    fn num_reduce_partitions(&self) -> usize {
        self.partitioner.num_partitions()
    }
    fn run_map_task(&self, map: usize, tc: &Arc<TaskContext>) -> Result<MapStatus> {
        let input = self.parent.iterator(map, tc)?;
        let n = self.partitioner.num_partitions();
        match (&self.aggregator, self.map_side_combine) {
            (Some(agg), true) => {
                let mut combined: CombineMap<K, C> = CombineMap::new();
                for chunk in input {
                    for (k, v) in chunk {
                        combined.upsert(k, v, |v| agg.create(v), |c, v| agg.merge_value(c, v));
                    }
                }
                let mut buckets: Vec<Vec<(K, C)>> = (0..n).map(|_| Vec::new()).collect();
                for (k, c) in combined {
                    buckets[self.partitioner.partition_of(&k)].push((k, c));
                }
                self.write(map, tc, buckets)
            }
            _ => {
                let mut buckets: Vec<Vec<(K, V)>> = (0..n).map(|_| Vec::new()).collect();
                for chunk in input {
                    for (k, v) in chunk {
                        buckets[self.partitioner.partition_of(&k)].push((k, v));
                    }
                }
                self.write(map, tc, buckets)
            }
        }
    }
}

/// Reads reduce partition `reduce` of `shuffle` from all `num_maps` map outputs, lazily, one map
/// output at a time. A missing map output stops the task with [`EngineError::FetchFailed`].
pub fn read_shuffle<R: Data>(
    tc: &Arc<TaskContext>,
    shuffle: ShuffleId,
    num_maps: usize,
    reduce: usize,
) -> impl Iterator<Item = Vec<R>> + Send + 'static {
    let tc = Arc::clone(tc);
    (0..num_maps).flat_map(move |map| {
        let batches = match tc.env().shuffles.read(shuffle, map, reduce) {
            Ok(Some(b)) => b,
            Ok(None) => abort(EngineError::FetchFailed {
                shuffle,
                map,
                reduce,
            }),
            Err(e) => abort(e),
        };
        tc.metrics.record_shuffle_read(&batches);
        batches
            .into_iter()
            .map(|b| from_batch::<R>(&b).unwrap_or_else(|e| abort(e)))
    })
}

/// The reduce side of an aggregating shuffle: `(K, C)` with one combiner per key (Spark's
/// `ShuffledRDD` with an aggregator).
pub struct CombinedRdd<K, V, C, A> {
    meta: RddMeta,
    dep: Arc<ShuffleDependency<K, V, C, A>>,
}

impl<K: Key, V: Data, C: Data, A: Aggregator<V, C>> CombinedRdd<K, V, C, A> {
    /// The reduce side of `dep`, which must have an aggregator.
    pub fn new(meta: RddMeta, dep: Arc<ShuffleDependency<K, V, C, A>>) -> Result<Self> {
        if dep.aggregator.is_none() {
            return Err(EngineError::invalid(
                "combine_by_key",
                "an aggregating shuffle needs an aggregator",
            ));
        }
        Ok(CombinedRdd { meta, dep })
    }
}

impl<K: Key, V: Data, C: Data, A: Aggregator<V, C>> RddBase for CombinedRdd<K, V, C, A> {
    fn meta(&self) -> &RddMeta {
        &self.meta
    }
    fn kind(&self) -> &'static str {
        "ShuffledRDD"
    }
    fn num_partitions(&self) -> usize {
        self.dep.partitioner.num_partitions()
    }
    fn dependencies(&self) -> Vec<Dependency> {
        vec![Dependency::Shuffle(
            Arc::clone(&self.dep) as Arc<dyn ShuffleDependencyBase>
        )]
    }
    fn partitioner(&self) -> Option<PartitionerKind> {
        Some(self.dep.partitioner.kind())
    }
}

impl<K: Key, V: Data, C: Data, A: Aggregator<V, C>> RddCompute<(K, C)> for CombinedRdd<K, V, C, A> {
    fn compute(&self, split: usize, tc: &Arc<TaskContext>) -> Result<BatchIter<(K, C)>> {
        let dep = &self.dep;
        let agg = dep.aggregator.as_ref().expect("checked in new");
        let maps = dep.parent.num_partitions();
        let mut combined: CombineMap<K, C> = CombineMap::new();
        if dep.map_side_combine {
            for chunk in read_shuffle::<(K, C)>(tc, dep.id, maps, split) {
                for (k, c) in chunk {
                    combined.upsert(k, c, |c| c, |old, c| agg.merge_combiners(old, c));
                }
            }
        } else {
            for chunk in read_shuffle::<(K, V)>(tc, dep.id, maps, split) {
                for (k, v) in chunk {
                    combined.upsert(k, v, |v| agg.create(v), |old, v| agg.merge_value(old, v));
                }
            }
        }
        Ok(chunked(combined.into_iter()))
    }
}

/// Sorts a reduce partition in place (set for `sort_by_key`).
pub type KeySorter<K, V> = Arc<dyn Fn(&mut Vec<(K, V)>) + Send + Sync>;

/// The reduce side of a non-aggregating shuffle: the records of each key range or hash bucket,
/// optionally sorted (Spark's `ShuffledRDD` without an aggregator).
pub struct ShuffledRdd<K, V, A> {
    meta: RddMeta,
    dep: Arc<ShuffleDependency<K, V, V, A>>,
    sorter: Option<KeySorter<K, V>>,
}

impl<K: Key, V: Data, A: Aggregator<V, V>> ShuffledRdd<K, V, A> {
    /// The reduce side of `dep`; `sorter`, if given, sorts each reduce partition.
    pub fn new(
        meta: RddMeta,
        dep: Arc<ShuffleDependency<K, V, V, A>>,
        sorter: Option<KeySorter<K, V>>,
    ) -> Self {
        ShuffledRdd { meta, dep, sorter }
    }
}

impl<K: Key, V: Data, A: Aggregator<V, V>> RddBase for ShuffledRdd<K, V, A> {
    fn meta(&self) -> &RddMeta {
        &self.meta
    }
    fn kind(&self) -> &'static str {
        "ShuffledRDD"
    }
    fn num_partitions(&self) -> usize {
        self.dep.partitioner.num_partitions()
    }
    fn dependencies(&self) -> Vec<Dependency> {
        vec![Dependency::Shuffle(
            Arc::clone(&self.dep) as Arc<dyn ShuffleDependencyBase>
        )]
    }
    fn partitioner(&self) -> Option<PartitionerKind> {
        Some(self.dep.partitioner.kind())
    }
}

impl<K: Key, V: Data, A: Aggregator<V, V>> RddCompute<(K, V)> for ShuffledRdd<K, V, A> {
    fn compute(&self, split: usize, tc: &Arc<TaskContext>) -> Result<BatchIter<(K, V)>> {
        let maps = self.dep.parent.num_partitions();
        let chunks = read_shuffle::<(K, V)>(tc, self.dep.id, maps, split);
        match &self.sorter {
            None => Ok(Box::new(chunks)),
            Some(sort) => {
                let mut all: Vec<(K, V)> = chunks.flatten().collect();
                sort(&mut all);
                Ok(super::one_chunk(all))
            }
        }
    }
}
