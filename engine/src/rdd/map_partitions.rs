//! Every narrow one-to-one transformation (map, filter, flat_map, map_partitions, glom, ...) is
//! a `MapPartitionsRdd` whose function rewrites the parent's chunk stream. Chains of them fuse:
//! a task pulls chunks through all of them with nothing materialised in between.

use super::{BatchIter, Dependency, RddBase, RddCompute, RddMeta};
use crate::data::Data;
use crate::error::Result;
use crate::partitioner::PartitionerKind;
use crate::task_context::TaskContext;
use std::any::Any;
use std::cell::RefCell;
use std::marker::PhantomData;
use std::sync::Arc;

/// Applies `f(partition_index, parent_chunks)` to each partition of `parent`.
pub struct MapPartitionsRdd<T: 'static, U, F> {
    meta: RddMeta,
    /// Always `Some`, except while the node is being dropped (see the `Drop` impl).
    parent: Option<Arc<dyn RddCompute<T>>>,
    f: F,
    preserves_partitioning: bool,
    _out: PhantomData<fn() -> U>,
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
fn drop_without_recursion(value: Box<dyn Any>) {
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
            parent: Some(parent),
            f,
            preserves_partitioning,
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
        self.parent().num_partitions()
    }
    fn dependencies(&self) -> Vec<Dependency> {
        let parent: Arc<dyn RddBase> = Arc::clone(self.parent()) as Arc<dyn RddBase>;
        vec![Dependency::one_to_one(parent)]
    }
    fn partitioner(&self) -> Option<PartitionerKind> {
        if self.preserves_partitioning {
            self.parent().partitioner()
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
        let input = self.parent().iterator(split, tc)?;
        Ok((self.f)(split, input))
    }
}
