//! Storage levels and block ids: how and where a cached partition or shuffle block is kept.

use crate::ids::{RddId, ShuffleId};
use serde::{Deserialize, Serialize};
use std::fmt;

/// How a persisted RDD keeps its partitions, as in Spark's `StorageLevel`.
///
/// Blocks are always kept as Arrow record batches (Spark's "serialized" form is Arrow IPC on
/// disk), so there is no separate `_SER` family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StorageLevel {
    /// Keep blocks on disk (as Arrow IPC files) when memory is short, or always for `DISK_ONLY`.
    pub use_disk: bool,
    /// Keep blocks in memory.
    pub use_memory: bool,
    /// How many copies to keep (more than one needs cluster mode).
    pub replication: u8,
}

impl StorageLevel {
    /// Not persisted.
    pub const NONE: StorageLevel = StorageLevel::new(false, false, 1);
    /// Memory only; a block that does not fit, or is evicted, is recomputed from lineage.
    pub const MEMORY_ONLY: StorageLevel = StorageLevel::new(false, true, 1);
    /// Memory, and disk for blocks that do not fit or are evicted.
    pub const MEMORY_AND_DISK: StorageLevel = StorageLevel::new(true, true, 1);
    /// Disk only.
    pub const DISK_ONLY: StorageLevel = StorageLevel::new(true, false, 1);
    /// `MEMORY_ONLY`, replicated on two executors.
    pub const MEMORY_ONLY_2: StorageLevel = StorageLevel::new(false, true, 2);
    /// `MEMORY_AND_DISK`, replicated on two executors.
    pub const MEMORY_AND_DISK_2: StorageLevel = StorageLevel::new(true, true, 2);
    /// `DISK_ONLY`, replicated on two executors.
    pub const DISK_ONLY_2: StorageLevel = StorageLevel::new(true, false, 2);

    /// A level from its parts.
    pub const fn new(use_disk: bool, use_memory: bool, replication: u8) -> Self {
        StorageLevel {
            use_disk,
            use_memory,
            replication,
        }
    }

    /// True unless this is [`StorageLevel::NONE`].
    pub fn is_valid(&self) -> bool {
        self.use_disk || self.use_memory
    }
}

impl fmt::Display for StorageLevel {
    /// Spark's `StorageLevel.description`, e.g. `Memory Deserialized 1x Replicated`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if self.use_disk {
            parts.push("Disk");
        }
        if self.use_memory {
            parts.push("Memory");
        }
        if parts.is_empty() {
            return f.write_str("None");
        }
        write!(
            f,
            "{} Serialized {}x Replicated",
            parts.join(" "),
            self.replication
        )
    }
}

/// A block held by a block store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum BlockId {
    /// One partition of a persisted RDD.
    Rdd {
        /// The RDD.
        rdd: RddId,
        /// The partition index.
        partition: usize,
    },
    /// The output of one map task for one reduce partition.
    Shuffle {
        /// The shuffle.
        shuffle: ShuffleId,
        /// The map partition that wrote it.
        map: usize,
        /// The reduce partition it is for.
        reduce: usize,
    },
}

impl fmt::Display for BlockId {
    /// Spark's block names: `rdd_3_1`, `shuffle_0_2_5`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BlockId::Rdd { rdd, partition } => write!(f, "rdd_{}_{}", rdd.0, partition),
            BlockId::Shuffle {
                shuffle,
                map,
                reduce,
            } => write!(f, "shuffle_{}_{}_{}", shuffle.0, map, reduce),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_descriptions() {
        let b = BlockId::Rdd {
            rdd: RddId(3),
            partition: 1,
        };
        assert_eq!(b.to_string(), "rdd_3_1");
        assert_eq!(
            StorageLevel::MEMORY_AND_DISK.to_string(),
            "Disk Memory Serialized 1x Replicated"
        );
        assert!(!StorageLevel::NONE.is_valid());
    }
}
