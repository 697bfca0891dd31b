//! `zip`: pairs the i-th elements of two RDDs with the same partitioning.

use super::{BatchIter, Dependency, Determinism, RddBase, RddCompute, RddMeta, chunked};
use crate::data::Data;
use crate::error::{EngineError, Result};
use crate::task_context::{TaskContext, abort};
use std::sync::Arc;

/// Element-wise pairs of two RDDs with the same number of partitions and of elements in each
/// partition (Spark's `ZippedPartitionsRDD2`).
pub struct ZippedRdd<T, U> {
    meta: RddMeta,
    left: Arc<dyn RddCompute<T>>,
    right: Arc<dyn RddCompute<U>>,
}

impl<T: Data, U: Data> ZippedRdd<T, U> {
    /// Zips `left` with `right`; fails if their partition counts differ.
    pub fn new(
        meta: RddMeta,
        left: Arc<dyn RddCompute<T>>,
        right: Arc<dyn RddCompute<U>>,
    ) -> Result<Self> {
        if left.num_partitions() != right.num_partitions() {
            return Err(EngineError::invalid(
                "zip",
                format!(
                    "can only zip RDDs with the same number of partitions: {} vs {}",
                    left.num_partitions(),
                    right.num_partitions()
                ),
            ));
        }
        Ok(ZippedRdd { meta, left, right })
    }
}

impl<T: Data, U: Data> RddBase for ZippedRdd<T, U> {
    fn meta(&self) -> &RddMeta {
        &self.meta
    }
    fn kind(&self) -> &'static str {
        "ZippedPartitionsRDD2"
    }
    fn num_partitions(&self) -> usize {
        self.left.num_partitions()
    }
    fn dependencies(&self) -> Vec<Dependency> {
        vec![
            Dependency::one_to_one(Arc::clone(&self.left) as Arc<dyn RddBase>),
            Dependency::one_to_one(Arc::clone(&self.right) as Arc<dyn RddBase>),
        ]
    }
    /// Pairs elements by position: an unordered input gives other pairs.
    fn determinism_from(&self, inputs: Determinism) -> Determinism {
        self.meta
            .declared_determinism(Determinism::order_sensitive(inputs))
    }
}

struct ZipIter<A, B> {
    a: A,
    b: B,
    split: usize,
}

impl<A: Iterator, B: Iterator> Iterator for ZipIter<A, B> {
    type Item = (A::Item, B::Item);
    fn next(&mut self) -> Option<Self::Item> {
        match (self.a.next(), self.b.next()) {
            (Some(x), Some(y)) => Some((x, y)),
            (None, None) => None,
            _ => abort(EngineError::invalid(
                "zip",
                format!(
                    "can only zip RDDs with the same number of elements in each partition; \
                     partition {} differs",
                    self.split
                ),
            )),
        }
    }
}

impl<T: Data, U: Data> RddCompute<(T, U)> for ZippedRdd<T, U> {
    fn compute(&self, split: usize, tc: &Arc<TaskContext>) -> Result<BatchIter<(T, U)>> {
        let a = self.left.iterator(split, tc)?.flatten();
        let b = self.right.iterator(split, tc)?.flatten();
        Ok(chunked(ZipIter { a, b, split }))
    }
}
