//! Actions: each runs one job (or, for `take`, a few small ones) and brings values back to the
//! driver.

use super::Rdd;
use crate::cluster::serde_codec;
use crate::context::call_site;
use crate::error::{Error, Result};
use ember_engine::EngineError;
use ember_engine::data::{Data, Key};
use ember_engine::rdd::{BatchIter, RddBase};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::{BinaryHeap, HashMap};
use std::panic::Location;
use std::sync::Arc;

impl<T: Data> Rdd<T> {
    /// Runs a job computing `f(chunks)` for each of `partitions`, in that order.
    pub(crate) fn run_partitions<R: Serialize + DeserializeOwned + Send + 'static>(
        &self,
        partitions: Vec<usize>,
        op: &'static str,
        loc: &Location<'_>,
        f: impl Fn(BatchIter<T>) -> R + Send + Sync + 'static,
    ) -> Result<Vec<R>> {
        if ember_engine::task_context::TaskContext::get().is_some() {
            // The job would wait for task slots held by the very task that started it.
            return Err(EngineError::invalid(
                op,
                "RDD actions can only run on the driver, not inside a task's function",
            )
            .into());
        }
        self.context().clean_up();
        let node = Arc::clone(self.node());
        let rdd: Arc<dyn RddBase> = Arc::clone(self.node()) as Arc<dyn RddBase>;
        let description = format!("{op} at {}", call_site(loc));
        let values =
            self.context()
                .run_job(rdd, partitions, description, serde_codec(), move |tc| {
                    Ok(f(node.iterator(tc.partition_id(), tc)?))
                })?;
        self.context()
            .run_pending_checkpoints(self.node().as_ref())?;
        Ok(values)
    }

    pub(crate) fn run_all<R: Serialize + DeserializeOwned + Send + 'static>(
        &self,
        op: &'static str,
        loc: &Location<'_>,
        f: impl Fn(BatchIter<T>) -> R + Send + Sync + 'static,
    ) -> Result<Vec<R>> {
        self.run_partitions((0..self.num_partitions()).collect(), op, loc, f)
    }

    /// The elements of the given partitions only, one vector per partition in the order given:
    /// Spark's `runJob` over a subset of partitions (what an incremental `take` is built on).
    /// A partition index past the last is an error naming it.
    #[track_caller]
    pub fn collect_partitions(&self, partitions: Vec<usize>) -> Result<Vec<Vec<T>>> {
        let total = self.num_partitions();
        if let Some(bad) = partitions.iter().find(|&&p| p >= total) {
            return Err(EngineError::invalid(
                "collectPartitions",
                format!("partition {bad} does not exist; the RDD has {total} partitions"),
            )
            .into());
        }
        self.run_partitions(partitions, "collectPartitions", Location::caller(), |it| {
            it.flatten().collect::<Vec<T>>()
        })
    }

    /// All elements, in partition order.
    #[track_caller]
    pub fn collect(&self) -> Result<Vec<T>> {
        let parts = self.run_all("collect", Location::caller(), |it| {
            let mut v = Vec::new();
            for chunk in it {
                if v.is_empty() {
                    v = chunk;
                } else {
                    v.extend(chunk);
                }
            }
            v
        })?;
        Ok(parts.into_iter().flatten().collect())
    }

    /// Number of elements.
    #[track_caller]
    pub fn count(&self) -> Result<u64> {
        let parts = self.run_all("count", Location::caller(), |it| {
            it.map(|c| c.len() as u64).sum::<u64>()
        })?;
        Ok(parts.into_iter().sum())
    }

    /// The first `n` elements. Scans one partition first, then four times as many partitions
    /// per round as needed, as Spark does, so leading empty partitions cost little.
    #[track_caller]
    pub fn take(&self, n: usize) -> Result<Vec<T>> {
        let loc = Location::caller();
        let total = self.num_partitions();
        let mut out: Vec<T> = Vec::with_capacity(n.min(1 << 16));
        let mut scanned = 0;
        while out.len() < n && scanned < total {
            let batch = if scanned == 0 {
                1
            } else if out.is_empty() {
                scanned * 4
            } else {
                // Estimate from the rows found so far, with 50% headroom, at most 4x.
                let want = (1.5 * n as f64 * scanned as f64 / out.len() as f64).ceil() as usize;
                want.saturating_sub(scanned).clamp(1, scanned * 4)
            };
            let parts: Vec<usize> = (scanned..(scanned + batch).min(total)).collect();
            scanned += parts.len();
            let left = n - out.len();
            let got = self.run_partitions(parts, "take", loc, move |it| {
                it.flatten().take(left).collect::<Vec<T>>()
            })?;
            for p in got {
                let room = n - out.len();
                out.extend(p.into_iter().take(room));
            }
        }
        Ok(out)
    }

    /// The first element.
    #[track_caller]
    pub fn first(&self) -> Result<T> {
        self.take(1)?
            .into_iter()
            .next()
            .ok_or(Error::EmptyRdd { operation: "first" })
    }

    /// True if the RDD has no element.
    #[track_caller]
    pub fn is_empty(&self) -> Result<bool> {
        Ok(self.num_partitions() == 0 || self.take(1)?.is_empty())
    }

    /// The `n` smallest elements, ascending.
    #[track_caller]
    pub fn take_ordered(&self, n: usize) -> Result<Vec<T>>
    where
        T: Ord,
    {
        let parts = self.run_all("takeOrdered", Location::caller(), move |it| smallest(it, n))?;
        let mut all: Vec<T> = parts.into_iter().flatten().collect();
        all.sort();
        all.truncate(n);
        Ok(all)
    }

    /// The `n` largest elements, descending.
    #[track_caller]
    pub fn top(&self, n: usize) -> Result<Vec<T>>
    where
        T: Ord,
    {
        let parts = self.run_all("top", Location::caller(), move |it| {
            let rev = it.map(|c| c.into_iter().map(std::cmp::Reverse).collect());
            smallest(Box::new(rev), n)
                .into_iter()
                .map(|r| r.0)
                .collect::<Vec<T>>()
        })?;
        let mut all: Vec<T> = parts.into_iter().flatten().collect();
        all.sort_by(|a, b| b.cmp(a));
        all.truncate(n);
        Ok(all)
    }

    /// Combines all elements with `f` (associative and commutative). An error on an empty RDD.
    #[track_caller]
    pub fn reduce(&self, f: impl Fn(T, T) -> T + Send + Sync + 'static) -> Result<T> {
        let f = Arc::new(f);
        let g = Arc::clone(&f);
        let parts = self.run_all("reduce", Location::caller(), move |it| {
            it.flatten().reduce(|a, b| g(a, b))
        })?;
        parts
            .into_iter()
            .flatten()
            .reduce(|a, b| f(a, b))
            .ok_or(Error::EmptyRdd {
                operation: "reduce",
            })
    }

    /// Folds each partition from `zero` with `f`, then the partition results from `zero`.
    #[track_caller]
    pub fn fold(&self, zero: T, f: impl Fn(T, T) -> T + Send + Sync + 'static) -> Result<T> {
        let f = Arc::new(f);
        let g = Arc::clone(&f);
        self.aggregate_at(
            zero,
            move |a, b| f(a, b),
            move |a, b| g(a, b),
            "fold",
            Location::caller(),
        )
    }

    /// Aggregates each partition from `zero` with `seq`, then combines the partition results
    /// from `zero` with `comb`.
    #[track_caller]
    pub fn aggregate<U: Data>(
        &self,
        zero: U,
        seq: impl Fn(U, T) -> U + Send + Sync + 'static,
        comb: impl Fn(U, U) -> U + Send + Sync + 'static,
    ) -> Result<U> {
        self.aggregate_at(zero, seq, comb, "aggregate", Location::caller())
    }

    fn aggregate_at<U: Data>(
        &self,
        zero: U,
        seq: impl Fn(U, T) -> U + Send + Sync + 'static,
        comb: impl Fn(U, U) -> U + Send + Sync + 'static,
        op: &'static str,
        loc: &Location<'_>,
    ) -> Result<U> {
        let z = zero.clone();
        let parts = self.run_all(op, loc, move |it| it.flatten().fold(z.clone(), &seq))?;
        Ok(parts.into_iter().fold(zero, comb))
    }

    /// Runs `f` on every element, on the executors.
    #[track_caller]
    pub fn foreach(&self, f: impl Fn(T) + Send + Sync + 'static) -> Result<()> {
        self.run_all("foreach", Location::caller(), move |it| {
            it.flatten().for_each(&f)
        })?;
        Ok(())
    }

    /// Runs `f` on the elements of each partition, on the executors.
    #[track_caller]
    pub fn foreach_partition(
        &self,
        f: impl Fn(ember_engine::rdd::Elements<T>) + Send + Sync + 'static,
    ) -> Result<()> {
        self.run_all("foreachPartition", Location::caller(), move |it| {
            f(it.flatten())
        })?;
        Ok(())
    }

    /// How many times each distinct element occurs.
    #[track_caller]
    pub fn count_by_value(&self) -> Result<HashMap<T, u64>>
    where
        T: Key,
    {
        let loc = Location::caller();
        self.map_with_op("countByValue", loc, false, |x| (x, ()))
            .count_by_key_at("countByValue", loc)
    }

    /// The largest element; an error on an empty RDD.
    #[track_caller]
    pub fn max(&self) -> Result<T>
    where
        T: Ord,
    {
        let parts = self.run_all("max", Location::caller(), |it| it.flatten().max())?;
        parts
            .into_iter()
            .flatten()
            .max()
            .ok_or(Error::EmptyRdd { operation: "max" })
    }

    /// The smallest element; an error on an empty RDD.
    #[track_caller]
    pub fn min(&self) -> Result<T>
    where
        T: Ord,
    {
        let parts = self.run_all("min", Location::caller(), |it| it.flatten().min())?;
        parts
            .into_iter()
            .flatten()
            .min()
            .ok_or(Error::EmptyRdd { operation: "min" })
    }
}

/// The `n` smallest elements of a partition, with a bounded heap.
fn smallest<T: Ord>(it: BatchIter<T>, n: usize) -> Vec<T> {
    if n == 0 {
        return Vec::new();
    }
    let mut heap = BinaryHeap::with_capacity(n.min(1 << 16));
    for chunk in it {
        for x in chunk {
            if heap.len() < n {
                heap.push(x);
            } else if heap.peek().is_some_and(|top| x < *top) {
                heap.pop();
                heap.push(x);
            }
        }
    }
    heap.into_vec()
}
