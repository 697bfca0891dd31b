//! What a running task can reach on its executor: the block store for cached partitions and the
//! shuffle store for map outputs. The engine only defines these contracts; the `executor` crate
//! implements them (in memory, spilling to disk, and later served to peers over Flight).

use crate::error::{EngineError, Result};
use crate::ids::{ExecutorId, RddId, ShuffleId};
use crate::storage::{BlockId, StorageLevel};
use arrow::record_batch::RecordBatch;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
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
    /// Reads reduce partition `reduce` of the outputs of the map tasks `maps`: one entry per
    /// entry of `maps`, in the order of `maps`.
    ///
    /// # Order
    ///
    /// The result has exactly `maps.len()` entries and entry `i` is the block of `maps[i]`,
    /// whatever order the blocks arrived in. Readers concatenate blocks in that order, which
    /// makes a reduce partition's records deterministic (see `rdd::determinism`).
    ///
    /// # Missing blocks
    ///
    /// An entry is `None` when its block is not (or no longer) held, or cannot be fetched from
    /// the executor that held it; the reader turns the first `None` into
    /// [`EngineError::FetchFailed`] for that map, so the scheduler reruns that map task. A
    /// missing block does not fail the others: every entry says whether its own block exists.
    ///
    /// # Errors
    ///
    /// `Err` is for a store that fails reading a block it holds (a spill file it cannot
    /// read), as [`read`](Self::read) does; it fails the whole call.
    ///
    /// # Memory
    ///
    /// All the blocks asked for are held at once in the result, so callers bound memory by
    /// how many maps they ask for per call (see [`ShuffleBlocks`]). Implementations may fetch
    /// the blocks concurrently, with their own bound on the bytes in flight.
    ///
    /// # Blocking
    ///
    /// Like [`read`](Self::read), the call blocks the calling thread until every block is
    /// read or known to be missing. It may be called from a task thread or from inside an
    /// async runtime (the stream of a SQL shuffle reader); an implementation that needs to
    /// block on network calls must not block a runtime from within it.
    ///
    /// # Default implementation
    ///
    /// Calls [`read`](Self::read) for each map in turn; a store that reads remote blocks
    /// overrides it to fetch them together.
    fn read_many(
        &self,
        shuffle: ShuffleId,
        maps: &[usize],
        reduce: usize,
    ) -> Result<Vec<Option<Vec<RecordBatch>>>> {
        maps.iter()
            .map(|&map| self.read(shuffle, map, reduce))
            .collect()
    }
    /// Drops the outputs of one map task (as executor loss would).
    fn remove_map_output(&self, shuffle: ShuffleId, map: usize) -> bool;
    /// Drops a whole shuffle.
    fn remove_shuffle(&self, shuffle: ShuffleId);
}

/// How many map outputs a [`ShuffleBlocks`] asks [`ShuffleStore::read_many`] for at once.
///
/// Reading a reduce partition one block at a time costs a network round trip per remote
/// block; reading all of them at once holds them all in memory before the first is used. A
/// chunk of maps is the middle ground: its remote blocks are fetched together (within the
/// store's bound on bytes in flight), and at most this many blocks wait in memory for the
/// consumer. Local blocks cost nothing to hold (the local store hands out its own buffers).
pub const READ_MANY_CHUNK: usize = 16;

/// The blocks of one reduce partition, map by map in the order given, read from a shuffle
/// store [`READ_MANY_CHUNK`] maps at a time: yields `(map, batches)`, or
/// [`EngineError::FetchFailed`] for the first map whose block is missing, or the store's
/// error; nothing after an error.
pub struct ShuffleBlocks {
    store: Arc<dyn ShuffleStore>,
    shuffle: ShuffleId,
    reduce: usize,
    maps: Vec<usize>,
    /// How many of `maps` were asked for.
    asked: usize,
    ready: VecDeque<(usize, Option<Vec<RecordBatch>>)>,
    failed: bool,
}

impl ShuffleBlocks {
    /// The blocks of reduce partition `reduce` of `shuffle` written by `maps`, in that order.
    pub fn new(
        store: Arc<dyn ShuffleStore>,
        shuffle: ShuffleId,
        maps: Vec<usize>,
        reduce: usize,
    ) -> Self {
        ShuffleBlocks {
            store,
            shuffle,
            reduce,
            maps,
            asked: 0,
            ready: VecDeque::new(),
            failed: false,
        }
    }

    /// Asks the store for the next chunk of maps.
    fn fill(&mut self) -> Result<()> {
        let end = (self.asked + READ_MANY_CHUNK).min(self.maps.len());
        let chunk = &self.maps[self.asked..end];
        let blocks = self.store.read_many(self.shuffle, chunk, self.reduce)?;
        if blocks.len() != chunk.len() {
            return Err(EngineError::Storage {
                block: format!("shuffle {} reduce {}", self.shuffle, self.reduce),
                message: format!(
                    "the shuffle store returned {} blocks for {} maps",
                    blocks.len(),
                    chunk.len()
                ),
            });
        }
        self.ready.extend(chunk.iter().copied().zip(blocks));
        self.asked = end;
        Ok(())
    }
}

impl Iterator for ShuffleBlocks {
    type Item = Result<(usize, Vec<RecordBatch>)>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        if self.ready.is_empty()
            && self.asked < self.maps.len()
            && let Err(e) = self.fill()
        {
            self.failed = true;
            return Some(Err(e));
        }
        let (map, block) = self.ready.pop_front()?;
        match block {
            Some(batches) => Some(Ok((map, batches))),
            None => {
                self.failed = true;
                Some(Err(EngineError::FetchFailed {
                    shuffle: self.shuffle,
                    map,
                    reduce: self.reduce,
                }))
            }
        }
    }
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
