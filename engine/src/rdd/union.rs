//! `union`: the partitions of several RDDs side by side.

use super::{BatchIter, Dependency, NarrowKind, RddBase, RddCompute, RddMeta};
use crate::data::Data;
use crate::error::Result;
use crate::task_context::TaskContext;
use std::sync::Arc;

/// The partitions of each parent in turn (Spark's `UnionRDD`); no shuffle.
pub struct UnionRdd<T> {
    meta: RddMeta,
    parents: Vec<Arc<dyn RddCompute<T>>>,
}

impl<T: Data> UnionRdd<T> {
    /// A union of `parents`.
    pub fn new(meta: RddMeta, parents: Vec<Arc<dyn RddCompute<T>>>) -> Self {
        UnionRdd { meta, parents }
    }

    fn locate(&self, mut split: usize) -> (usize, usize) {
        for (i, p) in self.parents.iter().enumerate() {
            let n = p.num_partitions();
            if split < n {
                return (i, split);
            }
            split -= n;
        }
        unreachable!("partition index beyond the union's partitions")
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
        self.parents.iter().map(|p| p.num_partitions()).sum()
    }
    fn dependencies(&self) -> Vec<Dependency> {
        let mut out_start = 0;
        self.parents
            .iter()
            .map(|p| {
                let len = p.num_partitions();
                let d = Dependency::Narrow {
                    parent: Arc::clone(p) as Arc<dyn RddBase>,
                    kind: NarrowKind::Range {
                        in_start: 0,
                        out_start,
                        len,
                    },
                };
                out_start += len;
                d
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
