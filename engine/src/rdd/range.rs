//! `range`: integers from `start` to `end` by `step`, computed on the fly.

use super::{BatchIter, Dependency, RddBase, RddCompute, RddMeta};
use crate::data::CHUNK_ROWS;
use crate::error::{EngineError, Result};
use crate::task_context::TaskContext;
use std::sync::Arc;

/// `start, start+step, ...` up to (not including) `end`, cut into contiguous partitions.
pub struct RangeRdd {
    meta: RddMeta,
    start: i64,
    step: i64,
    count: u64,
    slices: usize,
}

impl RangeRdd {
    /// A range; `step` must not be zero.
    pub fn new(meta: RddMeta, start: i64, end: i64, step: i64, slices: usize) -> Result<Self> {
        if step == 0 {
            return Err(EngineError::invalid("range", "step must not be 0"));
        }
        let span = if step > 0 {
            (end as i128 - start as i128).max(0)
        } else {
            (start as i128 - end as i128).max(0)
        };
        let s = (step as i128).abs();
        let count = ((span + s - 1) / s) as u64;
        Ok(RangeRdd {
            meta,
            start,
            step,
            count,
            slices: slices.max(1),
        })
    }
}

impl RddBase for RangeRdd {
    fn meta(&self) -> &RddMeta {
        &self.meta
    }
    fn kind(&self) -> &'static str {
        "RangeRDD"
    }
    fn num_partitions(&self) -> usize {
        self.slices
    }
    fn dependencies(&self) -> Vec<Dependency> {
        Vec::new()
    }
}

impl RddCompute<i64> for RangeRdd {
    fn compute(&self, split: usize, _tc: &Arc<TaskContext>) -> Result<BatchIter<i64>> {
        let n = self.slices as u128;
        let lo = (split as u128 * self.count as u128 / n) as u64;
        let hi = ((split as u128 + 1) * self.count as u128 / n) as u64;
        let (start, step) = (self.start, self.step);
        let chunks = (lo..hi).step_by(CHUNK_ROWS).map(move |c| {
            let end = (c + CHUNK_ROWS as u64).min(hi);
            (c..end)
                .map(|i| start.wrapping_add((i as i64).wrapping_mul(step)))
                .collect()
        });
        Ok(Box::new(chunks))
    }
}
