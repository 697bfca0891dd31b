//! Every narrow one-to-one transformation (map, filter, flat_map, map_partitions, glom, ...) is
//! a `MapPartitionsRdd` whose function rewrites the parent's chunk stream. Chains of them fuse:
//! a task pulls chunks through all of them with nothing materialised in between.

use super::{BatchIter, Dependency, RddBase, RddCompute, RddMeta, drop_without_recursion};
use crate::data::Data;
use crate::error::Result;
use crate::partitioner::PartitionerKind;
use crate::task_context::TaskContext;
use std::marker::PhantomData;
use std::sync::Arc;

/// Applies `f(partition_index, parent_chunks)` to each partition of `parent`.
pub struct MapPartitionsRdd<T: 'static, U, F> {
    meta: RddMeta,
    /// Always `Some`, except while the node is being dropped (see the `Drop` impl).
    parent: Option<Arc<dyn RddCompute<T>>>,
    f: F,
    /// The parent's partition count and (if kept) partitioner, stored so that asking does not
    /// walk the whole chain of parents.
    partitions: usize,
    partitioner: Option<PartitionerKind>,
    _out: PhantomData<fn() -> U>,
}

impl<T: 'static, U, F> Drop for MapPartitionsRdd<T, U, F> {
    fn drop(&mut self) {
        if let Some(parent) = self.parent.take() {
            drop_without_recursion(Box::new(parent));
        }
    }
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
            partitions: parent.num_partitions(),
            partitioner: if preserves_partitioning {
                parent.partitioner()
            } else {
                None
            },
            parent: Some(parent),
            f,
            _out: PhantomData,
        }
    }

    fn parent(&self) -> &Arc<dyn RddCompute<T>> {
        self.parent
            .as_ref()
            .expect("the parent is set until the node is dropped")
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
        self.partitions
    }
    fn dependencies(&self) -> Vec<Dependency> {
        let parent: Arc<dyn RddBase> = Arc::clone(self.parent()) as Arc<dyn RddBase>;
        vec![Dependency::one_to_one(parent)]
    }
    fn partitioner(&self) -> Option<PartitionerKind> {
        self.partitioner.clone()
    }
}

impl<T, U, F> RddCompute<U> for MapPartitionsRdd<T, U, F>
where
    T: Data,
    U: Data,
    F: Fn(usize, BatchIter<T>) -> BatchIter<U> + Send + Sync + 'static,
{
    fn compute(&self, split: usize, tc: &Arc<TaskContext>) -> Result<BatchIter<U>> {
        let input = self.parent().iterator(split, tc)?;
        Ok((self.f)(split, input))
    }
}
