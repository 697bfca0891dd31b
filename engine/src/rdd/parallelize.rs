//! `parallelize`: a local collection cut into slices.

use super::{BatchIter, Dependency, RddBase, RddCompute, RddMeta, one_chunk};
use crate::data::Data;
use crate::error::Result;
use crate::task_context::TaskContext;
use std::sync::Arc;

/// An RDD over a collection held by the driver (Spark's `ParallelCollectionRDD`). With zero
/// slices it is Spark's `EmptyRDD`.
pub struct ParallelizeRdd<T> {
    meta: RddMeta,
    slices: Vec<Arc<Vec<T>>>,
}

impl<T: Data> ParallelizeRdd<T> {
    /// Cuts `data` into `slices` contiguous slices of near-equal length, as Spark does
    /// (slice `i` holds elements `i*n/slices .. (i+1)*n/slices`).
    pub fn new(meta: RddMeta, data: Vec<T>, slices: usize) -> Self {
        let n = data.len();
        let mut rest = data;
        let mut out = Vec::with_capacity(slices);
        let mut cut = Vec::with_capacity(slices);
        for i in 0..slices {
            cut.push((i + 1) * n / slices);
        }
        // Split from the back so each split_off moves only its own slice.
        for i in (0..slices).rev() {
            let start = if i == 0 { 0 } else { cut[i - 1] };
            out.push(Arc::new(rest.split_off(start)));
        }
        out.reverse();
        ParallelizeRdd { meta, slices: out }
    }
}

impl<T: Data> RddBase for ParallelizeRdd<T> {
    fn meta(&self) -> &RddMeta {
        &self.meta
    }
    fn kind(&self) -> &'static str {
        if self.slices.is_empty() {
            "EmptyRDD"
        } else {
            "ParallelCollectionRDD"
        }
    }
    fn num_partitions(&self) -> usize {
        self.slices.len()
    }
    fn dependencies(&self) -> Vec<Dependency> {
        Vec::new()
    }
}

impl<T: Data> RddCompute<T> for ParallelizeRdd<T> {
    fn compute(&self, split: usize, _tc: &Arc<TaskContext>) -> Result<BatchIter<T>> {
        Ok(one_chunk(self.slices[split].as_ref().clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::RddId;

    #[test]
    fn slices_like_spark() {
        let r = ParallelizeRdd::new(RddMeta::new(RddId(0), "p", ""), (1..=5).collect(), 3);
        let lens: Vec<usize> = r.slices.iter().map(|s| s.len()).collect();
        assert_eq!(lens, vec![1, 2, 2]);
        assert_eq!(*r.slices[2], vec![4, 5]);
        let many = ParallelizeRdd::new(RddMeta::new(RddId(1), "p", ""), vec![1], 4);
        assert_eq!(many.slices.iter().filter(|s| s.is_empty()).count(), 3);
    }
}
