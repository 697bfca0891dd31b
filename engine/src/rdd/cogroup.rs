//! `cogroup`: for each key, the values of two key-value RDDs. The base of every join.

use super::shuffled::{ShuffleDependency, ShuffleDependencyBase, read_shuffle};
use super::{BatchIter, Dependency, RddBase, RddCompute, RddMeta, chunked};
use crate::aggregator::NoAggregator;
use crate::cleaner::Cleaner;
use crate::data::{Data, Key};
use crate::error::Result;
use crate::ids::ShuffleId;
use crate::partitioner::{Partitioner, PartitionerKind};
use crate::task_context::{TaskContext, abort};
use hashbrown::HashMap;
use std::sync::Arc;

/// How one side of a cogroup is read: straight from a parent already partitioned the same way,
/// or through a shuffle.
enum Side<K, V> {
    Narrow(Arc<dyn RddCompute<(K, V)>>),
    Shuffled(Arc<ShuffleDependency<K, V, V, NoAggregator>>),
}

impl<K: Key, V: Data> Side<K, V> {
    fn new(
        parent: Arc<dyn RddCompute<(K, V)>>,
        partitioner: &Partitioner<K>,
        shuffle_id: impl FnOnce() -> ShuffleId,
        cleaner: Option<&Cleaner>,
    ) -> Self {
        if parent.partitioner().as_ref() == Some(&partitioner.kind()) {
            Side::Narrow(parent)
        } else {
            Side::Shuffled(Arc::new(
                ShuffleDependency::new(shuffle_id(), parent, partitioner.clone(), None, false)
                    .with_cleaner(cleaner.cloned()),
            ))
        }
    }

    fn dependency(&self) -> Dependency {
        match self {
            Side::Narrow(p) => Dependency::one_to_one(Arc::clone(p) as Arc<dyn RddBase>),
            Side::Shuffled(d) => {
                Dependency::Shuffle(Arc::clone(d) as Arc<dyn ShuffleDependencyBase>)
            }
        }
    }

    fn read(&self, split: usize, tc: &Arc<TaskContext>) -> BatchIter<(K, V)> {
        match self {
            Side::Narrow(p) => p.iterator(split, tc).unwrap_or_else(|e| abort(e)),
            Side::Shuffled(d) => {
                let maps = ShuffleDependencyBase::parent(d.as_ref()).num_partitions();
                Box::new(read_shuffle::<(K, V)>(tc, d.shuffle_id(), maps, split))
            }
        }
    }
}

/// For each key, the values from the left and from the right (Spark's `CoGroupedRDD` of two).
pub struct CoGroupedRdd<K, V, W> {
    meta: RddMeta,
    partitioner: Partitioner<K>,
    left: Side<K, V>,
    right: Side<K, W>,
}

impl<K: Key, V: Data, W: Data> CoGroupedRdd<K, V, W> {
    /// Cogroups `left` and `right` into `partitioner`'s partitions. A side already partitioned
    /// by an equal partitioner is read without a shuffle. `next_shuffle_id` allocates ids for
    /// the sides that need one.
    pub fn new(
        meta: RddMeta,
        left: Arc<dyn RddCompute<(K, V)>>,
        right: Arc<dyn RddCompute<(K, W)>>,
        partitioner: Partitioner<K>,
        mut next_shuffle_id: impl FnMut() -> ShuffleId,
    ) -> Self {
        let left = Side::new(left, &partitioner, &mut next_shuffle_id, meta.cleaner());
        let right = Side::new(right, &partitioner, &mut next_shuffle_id, meta.cleaner());
        CoGroupedRdd {
            meta,
            partitioner,
            left,
            right,
        }
    }
}

impl<K: Key, V: Data, W: Data> RddBase for CoGroupedRdd<K, V, W> {
    fn meta(&self) -> &RddMeta {
        &self.meta
    }
    fn kind(&self) -> &'static str {
        "CoGroupedRDD"
    }
    fn num_partitions(&self) -> usize {
        self.partitioner.num_partitions()
    }
    fn dependencies(&self) -> Vec<Dependency> {
        vec![self.left.dependency(), self.right.dependency()]
    }
    fn partitioner(&self) -> Option<PartitionerKind> {
        Some(self.partitioner.kind())
    }
}

type Groups<V, W> = (Vec<V>, Vec<W>);

impl<K: Key, V: Data, W: Data> RddCompute<(K, Groups<V, W>)> for CoGroupedRdd<K, V, W> {
    fn compute(&self, split: usize, tc: &Arc<TaskContext>) -> Result<BatchIter<(K, Groups<V, W>)>> {
        // A fixed hasher, so a recomputed partition comes out in the same order.
        let mut groups: HashMap<K, Groups<V, W>, rustc_hash::FxBuildHasher> = HashMap::default();
        for chunk in self.left.read(split, tc) {
            for (k, v) in chunk {
                groups.entry(k).or_default().0.push(v);
            }
        }
        for chunk in self.right.read(split, tc) {
            for (k, w) in chunk {
                groups.entry(k).or_default().1.push(w);
            }
        }
        Ok(chunked(groups.into_iter()))
    }
}
