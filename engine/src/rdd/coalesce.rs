//! `coalesce` without shuffle: each new partition reads a contiguous group of parent partitions.

use super::{BatchIter, Dependency, NarrowKind, RddBase, RddCompute, RddMeta};
use crate::data::Data;
use crate::error::Result;
use crate::task_context::{TaskContext, abort};
use std::sync::Arc;

/// Fewer partitions, each the concatenation of a group of the parent's (Spark's
/// `CoalescedRDD`).
pub struct CoalescedRdd<T> {
    meta: RddMeta,
    parent: Arc<dyn RddCompute<T>>,
    groups: Vec<Vec<usize>>,
}

impl<T: Data> CoalescedRdd<T> {
    /// Groups the parent's partitions into `partitions` contiguous, near-equal groups (never more
    /// groups than the parent has partitions).
    pub fn new(meta: RddMeta, parent: Arc<dyn RddCompute<T>>, partitions: usize) -> Self {
        let n = parent.num_partitions();
        let k = partitions.clamp(1, n.max(1));
        let groups = (0..k)
            .map(|i| (i * n / k..(i + 1) * n / k).collect())
            .collect();
        CoalescedRdd {
            meta,
            parent,
            groups,
        }
    }
}

impl<T: Data> RddBase for CoalescedRdd<T> {
    fn meta(&self) -> &RddMeta {
        &self.meta
    }
    fn kind(&self) -> &'static str {
        "CoalescedRDD"
    }
    fn num_partitions(&self) -> usize {
        if self.parent.num_partitions() == 0 {
            0
        } else {
            self.groups.len()
        }
    }
    fn dependencies(&self) -> Vec<Dependency> {
        vec![Dependency::Narrow {
            parent: Arc::clone(&self.parent) as Arc<dyn RddBase>,
            kind: NarrowKind::Many,
        }]
    }
}

impl<T: Data> RddCompute<T> for CoalescedRdd<T> {
    fn compute(&self, split: usize, tc: &Arc<TaskContext>) -> Result<BatchIter<T>> {
        let parent = Arc::clone(&self.parent);
        let tc = Arc::clone(tc);
        let group = self.groups[split].clone();
        Ok(Box::new(group.into_iter().flat_map(move |p| {
            parent.iterator(p, &tc).unwrap_or_else(|e| abort(e))
        })))
    }
}
