//! Every narrow one-to-one transformation (map, filter, flat_map, map_partitions, glom, ...) is
//! a `MapPartitionsRdd` whose function rewrites the parent's chunk stream. Chains of them fuse:
//! a task pulls chunks through all of them with nothing materialised in between.

use super::{BatchIter, Dependency, RddBase, RddCompute, RddMeta};
use crate::data::Data;
use crate::error::Result;
use crate::partitioner::PartitionerKind;
use crate::task_context::TaskContext;
use std::marker::PhantomData;
use std::sync::Arc;

/// Applies `f(partition_index, parent_chunks)` to each partition of `parent`.
pub struct MapPartitionsRdd<T, U, F> {
    meta: RddMeta,
    parent: Arc<dyn RddCompute<T>>,
    f: F,
    preserves_partitioning: bool,
    _out: PhantomData<fn() -> U>,
}

impl<T, U, F> MapPartitionsRdd<T, U, F>
where
    T: Data,
    U: Data,
    F: Fn(usize, BatchIter<T>) -> BatchIter<U> + Send + Sync + 'static,
{
    /// A new node. `preserves_partitioning` keeps the parent's partitioner (keys unchanged).
    pub fn new(
        meta: RddMeta,
        parent: Arc<dyn RddCompute<T>>,
        f: F,
        preserves_partitioning: bool,
    ) -> Self {
        MapPartitionsRdd {
            meta,
            parent,
            f,
            preserves_partitioning,
            _out: PhantomData,
        }
    }
}

impl<T, U, F> RddBase for MapPartitionsRdd<T, U, F>
where
    T: Data,
    U: Data,
    F: Fn(usize, BatchIter<T>) -> BatchIter<U> + Send + Sync + 'static,
{
    fn meta(&self) -> &RddMeta {
        &self.meta
    }
    fn kind(&self) -> &'static str {
        "MapPartitionsRDD"
    }
    fn num_partitions(&self) -> usize {
        self.parent.num_partitions()
    }
    fn dependencies(&self) -> Vec<Dependency> {
        let parent: Arc<dyn RddBase> = Arc::clone(&self.parent) as Arc<dyn RddBase>;
        vec![Dependency::one_to_one(parent)]
    }
    fn partitioner(&self) -> Option<PartitionerKind> {
        if self.preserves_partitioning {
            self.parent.partitioner()
        } else {
            None
        }
    }
}

impl<T, U, F> RddCompute<U> for MapPartitionsRdd<T, U, F>
where
    T: Data,
    U: Data,
    F: Fn(usize, BatchIter<T>) -> BatchIter<U> + Send + Sync + 'static,
{
    fn compute(&self, split: usize, tc: &Arc<TaskContext>) -> Result<BatchIter<U>> {
        let input = self.parent.iterator(split, tc)?;
        Ok((self.f)(split, input))
    }
}
