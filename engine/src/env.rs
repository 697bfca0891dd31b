//! What a running task can reach on its executor: the block store for cached partitions and the
//! shuffle store for map outputs. The engine only defines these contracts; the `executor` crate
//! implements them (in memory, spilling to disk, and later served to peers over Flight).

use crate::error::Result;
use crate::ids::{ExecutorId, RddId, ShuffleId};
use crate::storage::{BlockId, StorageLevel};
use arrow::record_batch::RecordBatch;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::Arc;

/// Where a `put` left a block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PutOutcome {
    /// Held in memory.
    Memory,
    /// Written to disk.
    Disk,
    /// Not stored (no room and the level does not allow disk); it will be recomputed.
    NotStored,
}

/// Cache state of one RDD, as shown by `to_debug_string` and the status API.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RddStorageInfo {
    /// Partitions held in memory or on disk.
    pub cached_partitions: usize,
    /// Bytes held in memory.
    pub memory_bytes: u64,
    /// Bytes held on disk.
    pub disk_bytes: u64,
}

/// Cached RDD partitions, as Arrow record batches.
///
/// Contract: `get` after a successful `put` may return `None` at any time (the block was
/// evicted or dropped); callers then recompute the partition from lineage. Implementations are
/// shared by all task threads of an executor.
pub trait BlockStore: Send + Sync {
    /// Stores a block at `level`, evicting least recently used blocks of *other* RDDs if needed.
    fn put(
        &self,
        id: BlockId,
        batches: Vec<RecordBatch>,
        level: StorageLevel,
    ) -> Result<PutOutcome>;
    /// Returns a block if it is still held in memory or on disk.
    fn get(&self, id: &BlockId) -> Result<Option<Vec<RecordBatch>>>;
    /// Drops one block; returns whether it existed.
    fn remove(&self, id: &BlockId) -> bool;
    /// Drops every block of an RDD; returns how many were dropped.
    fn remove_rdd(&self, rdd: RddId) -> usize;
    /// Cache state of an RDD.
    fn rdd_info(&self, rdd: RddId) -> RddStorageInfo;
}

/// What a map task reports when it has written its shuffle output.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MapStatus {
    /// The executor that holds the blocks.
    pub executor: ExecutorId,
    /// Bytes written for each reduce partition (Arrow memory size in memory, IPC size once
    /// spilled or sent).
    pub sizes: Vec<u64>,
    /// Records written in all.
    pub records: u64,
}

/// Shuffle blocks: map outputs held until the shuffle is removed.
///
/// Contract: `write` of a map task's outputs is all-or-nothing; a retried map task replaces the
/// blocks of an earlier attempt. `read` returns `None` for a block that is not (or no longer)
/// held, which the reading task turns into a fetch failure.
pub trait ShuffleStore: Send + Sync {
    /// Stores the outputs of map task `map`, one entry per reduce partition (empty = nothing
    /// for that partition).
    fn write(
        &self,
        shuffle: ShuffleId,
        map: usize,
        blocks: Vec<Vec<RecordBatch>>,
    ) -> Result<MapStatus>;
    /// Reads one block.
    fn read(
        &self,
        shuffle: ShuffleId,
        map: usize,
        reduce: usize,
    ) -> Result<Option<Vec<RecordBatch>>>;
    /// Drops the outputs of one map task (as executor loss would).
    fn remove_map_output(&self, shuffle: ShuffleId, map: usize) -> bool;
    /// Drops a whole shuffle.
    fn remove_shuffle(&self, shuffle: ShuffleId);
}

/// The services of the executor a task runs on.
#[derive(Clone)]
pub struct Env {
    /// This executor.
    pub executor_id: ExecutorId,
    /// Cached RDD partitions.
    pub blocks: Arc<dyn BlockStore>,
    /// Shuffle outputs.
    pub shuffles: Arc<dyn ShuffleStore>,
    /// The checkpoint directory, if one is set.
    pub checkpoint_dir: Arc<parking_lot::RwLock<Option<PathBuf>>>,
}
