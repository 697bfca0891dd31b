//! Partitioners: which reduce partition a key goes to.
//!
//! Hash partitioning uses a portable hash (the same key lands in the same partition in every
//! process of the same build), so map outputs written by one executor agree with readers on
//! another. Range partitioning uses bounds sampled from the data, as Spark's `RangePartitioner`.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// The shape of a partitioner, without its key type: what the scheduler and `to_debug_string`
/// see, and how co-partitioning is detected (two RDDs with equal kinds need no shuffle to join).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PartitionerKind {
    /// Portable hash of the key modulo `partitions`.
    Hash {
        /// Number of partitions.
        partitions: usize,
    },
    /// Sorted key ranges; equal only to the very same range partitioner.
    Range {
        /// Number of partitions.
        partitions: usize,
        /// Identity of this partitioner instance.
        id: u64,
    },
    /// A user or internal function of the key; equal only to the very same instance.
    Custom {
        /// Number of partitions.
        partitions: usize,
        /// Identity of this partitioner instance.
        id: u64,
    },
}

impl PartitionerKind {
    /// Number of partitions.
    pub fn num_partitions(&self) -> usize {
        match self {
            PartitionerKind::Hash { partitions }
            | PartitionerKind::Range { partitions, .. }
            | PartitionerKind::Custom { partitions, .. } => *partitions,
        }
    }
}

/// A typed partitioner. The hash case, the common one, is a plain match with no indirect call.
pub enum Partitioner<K> {
    /// Portable hash modulo `partitions`.
    Hash {
        /// Number of partitions.
        partitions: usize,
    },
    /// Sorted ranges of keys.
    Range {
        /// Number of partitions.
        partitions: usize,
        /// Identity of this instance.
        id: u64,
        /// Finds the partition of a key.
        locate: Arc<dyn Fn(&K) -> usize + Send + Sync>,
    },
    /// Any function of the key into `0..partitions`.
    Custom {
        /// Number of partitions.
        partitions: usize,
        /// Identity of this instance.
        id: u64,
        /// Finds the partition of a key; must return a value below `partitions`.
        locate: Arc<dyn Fn(&K) -> usize + Send + Sync>,
    },
}

impl<K> Clone for Partitioner<K> {
    fn clone(&self) -> Self {
        match self {
            Partitioner::Hash { partitions } => Partitioner::Hash {
                partitions: *partitions,
            },
            Partitioner::Range {
                partitions,
                id,
                locate,
            } => Partitioner::Range {
                partitions: *partitions,
                id: *id,
                locate: Arc::clone(locate),
            },
            Partitioner::Custom {
                partitions,
                id,
                locate,
            } => Partitioner::Custom {
                partitions: *partitions,
                id: *id,
                locate: Arc::clone(locate),
            },
        }
    }
}

impl<K> fmt::Debug for Partitioner<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.kind())
    }
}

impl<K: Hash> Partitioner<K> {
    /// Hash partitioning into `partitions` (at least 1).
    pub fn hash(partitions: usize) -> Self {
        Partitioner::Hash {
            partitions: partitions.max(1),
        }
    }

    /// The partition of `key`.
    #[inline]
    pub fn partition_of(&self, key: &K) -> usize {
        match self {
            Partitioner::Hash { partitions } => (portable_hash(key) % *partitions as u64) as usize,
            Partitioner::Range { locate, .. } | Partitioner::Custom { locate, .. } => locate(key),
        }
    }
}

impl<K> Partitioner<K> {
    /// Number of partitions.
    pub fn num_partitions(&self) -> usize {
        self.kind().num_partitions()
    }

    /// The untyped shape.
    pub fn kind(&self) -> PartitionerKind {
        match self {
            Partitioner::Hash { partitions } => PartitionerKind::Hash {
                partitions: *partitions,
            },
            Partitioner::Range { partitions, id, .. } => PartitionerKind::Range {
                partitions: *partitions,
                id: *id,
            },
            Partitioner::Custom { partitions, id, .. } => PartitionerKind::Custom {
                partitions: *partitions,
                id: *id,
            },
        }
    }
}

impl<K> Partitioner<K> {
    /// A partitioner from any function of the key into `0..partitions`; values at or past
    /// `partitions` are wrapped around.
    pub fn custom(
        partitions: usize,
        id: u64,
        locate: impl Fn(&K) -> usize + Send + Sync + 'static,
    ) -> Self {
        let partitions = partitions.max(1);
        Partitioner::Custom {
            partitions,
            id,
            locate: Arc::new(move |k| locate(k) % partitions),
        }
    }
}

impl<K: Ord + Send + Sync + 'static> Partitioner<K> {
    /// Range partitioning by `bounds` (sorted ascending; `bounds.len() + 1` partitions). With
    /// `ascending == false` the partitions are numbered from the largest keys down.
    pub fn range(bounds: Vec<K>, ascending: bool, id: u64) -> Self {
        let partitions = bounds.len() + 1;
        let locate = move |k: &K| {
            let i = bounds.partition_point(|b| b < k);
            if ascending { i } else { partitions - 1 - i }
        };
        Partitioner::Range {
            partitions,
            id,
            locate: Arc::new(locate),
        }
    }
}

/// Chooses up to `partitions - 1` range bounds from weighted key samples (Spark's
/// `RangePartitioner.determineBounds`): sort the candidates and cut at equal steps of weight.
pub fn determine_bounds<K: Ord + Clone>(
    mut candidates: Vec<(K, f64)>,
    partitions: usize,
) -> Vec<K> {
    candidates.sort_by(|a, b| a.0.cmp(&b.0));
    let total: f64 = candidates.iter().map(|c| c.1).sum();
    if partitions <= 1 || candidates.is_empty() {
        return Vec::new();
    }
    let step = total / partitions as f64;
    let mut bounds: Vec<K> = Vec::with_capacity(partitions - 1);
    let mut cum = 0.0;
    let mut target = step;
    for (key, weight) in candidates {
        cum += weight;
        if cum >= target && bounds.last().is_none_or(|last| key > *last) {
            bounds.push(key);
            target += step;
            if bounds.len() == partitions - 1 {
                break;
            }
        }
    }
    bounds
}

/// A hash of `key` that is the same in every process of the same build: FxHash with a 64-bit
/// finaliser (MurmurHash3's `fmix64`) so that the low bits used by `%` are well mixed.
#[inline]
pub fn portable_hash<K: Hash + ?Sized>(key: &K) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    key.hash(&mut h);
    let mut x = h.finish();
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^ (x >> 33)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_spreads_multiples_of_four() {
        let p = Partitioner::<i64>::hash(4);
        let mut seen = [0usize; 4];
        for k in (0..4000).map(|i| i * 4) {
            seen[p.partition_of(&k)] += 1;
        }
        assert!(seen.iter().all(|&c| c > 800), "{seen:?}");
    }

    #[test]
    fn range_partitions_ascending_and_descending() {
        let up = Partitioner::range(vec![10, 20], true, 1);
        assert_eq!(
            [5, 10, 11, 20, 21].map(|k| up.partition_of(&k)),
            [0, 0, 1, 1, 2]
        );
        let down = Partitioner::range(vec![10, 20], false, 2);
        assert_eq!([5, 15, 25].map(|k| down.partition_of(&k)), [2, 1, 0]);
        assert_ne!(up.kind(), down.kind());
    }

    #[test]
    fn bounds_from_weighted_samples() {
        let c: Vec<(i32, f64)> = (0..100).map(|i| (i, 1.0)).collect();
        assert_eq!(determine_bounds(c, 4), vec![24, 49, 74]);
        let dup: Vec<(i32, f64)> = (0..100).map(|_| (7, 1.0)).collect();
        assert_eq!(determine_bounds(dup, 4), vec![7]);
        assert!(determine_bounds(Vec::<(i32, f64)>::new(), 4).is_empty());
    }
}
