//! `union`: the partitions of several RDDs side by side.

use super::{BatchIter, Dependency, NarrowKind, RddBase, RddCompute, RddMeta};
use crate::data::Data;
use crate::error::Result;
use crate::task_context::TaskContext;
use std::sync::Arc;

/// The partitions of each parent in turn (Spark's `UnionRDD`); no shuffle.
pub struct UnionRdd<T: 'static> {
    meta: RddMeta,
    parents: Vec<Arc<dyn RddCompute<T>>>,
    /// `starts[i]` is the first partition of parent `i`; the last entry is the total. Computed
    /// once, so a union of a union of ... answers without walking its ancestors.
    starts: Vec<usize>,
}

impl<T: 'static> Drop for UnionRdd<T> {
    fn drop(&mut self) {
        // A union of a union of ... (a loop of `rdd = rdd.union(..)`) would drop recursively.
        let parents = std::mem::take(&mut self.parents);
        super::drop_without_recursion(Box::new(parents));
    }
}

impl<T: Data> UnionRdd<T> {
    /// A union of `parents`.
    pub fn new(meta: RddMeta, parents: Vec<Arc<dyn RddCompute<T>>>) -> Self {
        let mut starts = Vec::with_capacity(parents.len() + 1);
        let mut total = 0;
        for p in &parents {
            starts.push(total);
            total += p.num_partitions();
        }
        starts.push(total);
        UnionRdd {
            meta,
            parents,
            starts,
        }
    }

    fn locate(&self, split: usize) -> (usize, usize) {
        // The parent whose range holds `split` (skipping parents without partitions).
        let i = self.starts.partition_point(|&s| s <= split) - 1;
        (i, split - self.starts[i])
    }
}

impl<T: Data> RddBase for UnionRdd<T> {
    fn meta(&self) -> &RddMeta {
        &self.meta
    }
    fn kind(&self) -> &'static str {
        "UnionRDD"
    }
    fn num_partitions(&self) -> usize {
        *self.starts.last().expect("starts has a total")
    }
    fn dependencies(&self) -> Vec<Dependency> {
        self.parents
            .iter()
            .enumerate()
            .map(|(i, p)| Dependency::Narrow {
                parent: Arc::clone(p) as Arc<dyn RddBase>,
                kind: NarrowKind::Range {
                    in_start: 0,
                    out_start: self.starts[i],
                    len: self.starts[i + 1] - self.starts[i],
                },
            })
            .collect()
    }
}

impl<T: Data> RddCompute<T> for UnionRdd<T> {
    fn compute(&self, split: usize, tc: &Arc<TaskContext>) -> Result<BatchIter<T>> {
        let (parent, inner) = self.locate(split);
        self.parents[parent].iterator(inner, tc)
    }
}
