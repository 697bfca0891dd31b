//! `cartesian`: every pair of elements of two RDDs.

use super::{BatchIter, Dependency, NarrowKind, RddBase, RddCompute, RddMeta, chunked};
use crate::data::Data;
use crate::error::Result;
use crate::task_context::TaskContext;
use std::sync::Arc;

/// Partition `(i, j)` pairs partition `i` of the left with partition `j` of the right (Spark's
/// `CartesianRDD`). The right partition is held in memory while the left one streams.
pub struct CartesianRdd<T, U> {
    meta: RddMeta,
    left: Arc<dyn RddCompute<T>>,
    right: Arc<dyn RddCompute<U>>,
}

impl<T: Data, U: Data> CartesianRdd<T, U> {
    /// The product of `left` and `right`.
    pub fn new(meta: RddMeta, left: Arc<dyn RddCompute<T>>, right: Arc<dyn RddCompute<U>>) -> Self {
        CartesianRdd { meta, left, right }
    }
}

impl<T: Data, U: Data> RddBase for CartesianRdd<T, U> {
    fn meta(&self) -> &RddMeta {
        &self.meta
    }
    fn kind(&self) -> &'static str {
        "CartesianRDD"
    }
    fn num_partitions(&self) -> usize {
        self.left.num_partitions() * self.right.num_partitions()
    }
    fn dependencies(&self) -> Vec<Dependency> {
        vec![
            Dependency::Narrow {
                parent: Arc::clone(&self.left) as Arc<dyn RddBase>,
                kind: NarrowKind::Many,
            },
            Dependency::Narrow {
                parent: Arc::clone(&self.right) as Arc<dyn RddBase>,
                kind: NarrowKind::Many,
            },
        ]
    }
}

impl<T: Data, U: Data> RddCompute<(T, U)> for CartesianRdd<T, U> {
    fn compute(&self, split: usize, tc: &Arc<TaskContext>) -> Result<BatchIter<(T, U)>> {
        let nr = self.right.num_partitions();
        let (i, j) = (split / nr, split % nr);
        let right: Arc<Vec<U>> = Arc::new(self.right.iterator(j, tc)?.flatten().collect());
        let left = self.left.iterator(i, tc)?.flatten();
        Ok(chunked(left.flat_map(move |t| {
            let right = Arc::clone(&right);
            (0..right.len()).map(move |k| (t.clone(), right[k].clone()))
        })))
    }
}
