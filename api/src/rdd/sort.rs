//! Sorting: a range partitioner from sampled keys, then a sort within each partition, so the
//! partitions in order hold the keys in order (Spark's `sortByKey`).

use super::Rdd;
use crate::error::Result;
use ember_engine::data::{Data, Key};
use ember_engine::partitioner::{Partitioner, determine_bounds};
use ember_engine::rdd::BatchIter;
use ember_engine::rdd::KeySorter;
use ember_engine::task_context::TaskContext;
use rand::{Rng, SeedableRng};
use std::panic::Location;
use std::sync::Arc;

/// Reservoir sample of up to `m` keys of a partition, with the partition's size.
fn sample_keys<K: Clone, V>(it: BatchIter<(K, V)>, m: usize, seed: u64) -> (u64, Vec<K>) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut sample = Vec::with_capacity(m);
    let mut seen = 0u64;
    for chunk in it {
        for (k, _) in chunk {
            if sample.len() < m {
                sample.push(k);
            } else {
                let j = rng.random_range(0..=seen);
                if (j as usize) < m {
                    sample[j as usize] = k;
                }
            }
            seen += 1;
        }
    }
    (seen, sample)
}

impl<K: Key + Ord, V: Data> Rdd<(K, V)> {
    fn sort_by_key_at(
        &self,
        ascending: bool,
        partitions: usize,
        loc: &Location<'_>,
    ) -> Result<Rdd<(K, V)>> {
        let n = partitions.max(1);
        let bounds = if n > 1 && self.num_partitions() > 0 {
            // Spark: about 20 keys per output partition, 3x over-sampled per input partition.
            let sample_size = (20 * n).min(1_000_000);
            let per_partition = (3 * sample_size).div_ceil(self.num_partitions());
            let sketches = self.run_all("sortByKey", loc, move |it| {
                let p = TaskContext::get().map_or(0, |t| t.partition_id()) as u64;
                sample_keys(it, per_partition, p.wrapping_mul(0x9e37_79b9))
            })?;
            let mut candidates = Vec::new();
            for (count, sample) in sketches {
                if sample.is_empty() {
                    continue;
                }
                let weight = count as f64 / sample.len() as f64;
                candidates.extend(sample.into_iter().map(|k| (k, weight)));
            }
            determine_bounds(candidates, n)
        } else {
            Vec::new()
        };
        let partitioner =
            Partitioner::range(bounds, ascending, self.context().new_partitioner_id());
        let sorter: KeySorter<K, V> = Arc::new(move |v: &mut Vec<(K, V)>| {
            if ascending {
                v.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            } else {
                v.sort_unstable_by(|a, b| b.0.cmp(&a.0));
            }
        });
        Ok(self.shuffle_plain(partitioner, Some(sorter), "sortByKey", loc))
    }

    /// Sorts by key into as many partitions as this RDD has. Runs a job to sample the keys for
    /// the range boundaries, as Spark does.
    #[track_caller]
    pub fn sort_by_key(&self, ascending: bool) -> Result<Rdd<(K, V)>> {
        self.sort_by_key_at(ascending, self.num_partitions(), Location::caller())
    }

    /// [`Rdd::sort_by_key`] into `partitions` partitions.
    #[track_caller]
    pub fn sort_by_key_n(&self, ascending: bool, partitions: usize) -> Result<Rdd<(K, V)>> {
        self.sort_by_key_at(ascending, partitions, Location::caller())
    }
}

impl<T: Data> Rdd<T> {
    /// Sorts the elements by the key `f` gives them.
    #[track_caller]
    pub fn sort_by<K: Key + Ord>(
        &self,
        f: impl Fn(&T) -> K + Send + Sync + 'static,
        ascending: bool,
    ) -> Result<Rdd<T>> {
        let loc = Location::caller();
        let n = self.num_partitions();
        Ok(self
            .map_with_op("sortBy", loc, false, move |x| (f(&x), x))
            .sort_by_key_at(ascending, n, loc)?
            .values())
    }
}
