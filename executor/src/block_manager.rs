//! The block manager: cached RDD partitions held as Arrow record batches.
//!
//! Memory is a budget of bytes (Arrow's own accounting of the batches). A `put` that does not fit
//! evicts the least recently used blocks of *other* RDDs (Spark's rule: a job never evicts the
//! partitions of the RDD it is caching); an evicted block whose level allows disk is written to
//! disk as an Arrow IPC file, any other is dropped and later recomputed from lineage. A block
//! that still does not fit goes to disk if its level allows, else it is not stored.

use arrow::record_batch::RecordBatch;
use ember_engine::env::{BlockStore, PutOutcome, RddStorageInfo};
use ember_engine::error::{EngineError, Result};
use ember_engine::ids::RddId;
use ember_engine::ipc::{read_stream, write_stream};
use ember_engine::storage::{BlockId, StorageLevel};
use lru::LruCache;
use parking_lot::Mutex;
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::path::PathBuf;

struct MemoryBlock {
    batches: Vec<RecordBatch>,
    bytes: u64,
    level: StorageLevel,
}

struct DiskBlock {
    path: PathBuf,
    bytes: u64,
}

struct State {
    memory: LruCache<BlockId, MemoryBlock>,
    memory_used: u64,
    disk: HashMap<BlockId, DiskBlock>,
}

/// Cached partitions of one executor.
pub struct BlockManager {
    budget: u64,
    dir: PathBuf,
    state: Mutex<State>,
}

fn batches_size(batches: &[RecordBatch]) -> u64 {
    batches
        .iter()
        .map(|b| b.get_array_memory_size() as u64)
        .sum()
}

fn rdd_of(id: &BlockId) -> Option<RddId> {
    match id {
        BlockId::Rdd { rdd, .. } => Some(*rdd),
        BlockId::Shuffle { .. } => None,
    }
}

impl BlockManager {
    /// A block manager with `budget` bytes of memory, spilling into `dir` (created on first use).
    pub fn new(budget: u64, dir: PathBuf) -> Self {
        BlockManager {
            budget,
            dir,
            state: Mutex::new(State {
                memory: LruCache::unbounded(),
                memory_used: 0,
                disk: HashMap::new(),
            }),
        }
    }

    /// Bytes of memory in use.
    pub fn memory_used(&self) -> u64 {
        self.state.lock().memory_used
    }

    /// The memory budget, in bytes.
    pub fn capacity(&self) -> u64 {
        self.budget
    }

    /// Bytes of blocks held on disk (their IPC files' sizes).
    pub fn disk_used(&self) -> u64 {
        self.state.lock().disk.values().map(|b| b.bytes).sum()
    }

    /// Blocks held, in memory and on disk.
    pub fn block_ids(&self) -> Vec<BlockId> {
        let st = self.state.lock();
        let mut ids: Vec<BlockId> = st.memory.iter().map(|(k, _)| *k).collect();
        ids.extend(st.disk.keys().copied());
        ids.sort();
        ids.dedup();
        ids
    }

    fn write_disk(&self, id: BlockId, batches: &[RecordBatch]) -> Result<DiskBlock> {
        let io = |e: std::io::Error| EngineError::io(self.dir.display(), &e);
        std::fs::create_dir_all(&self.dir).map_err(io)?;
        let path = self.dir.join(format!("{id}.arrow"));
        let file = File::create(&path).map_err(|e| EngineError::io(path.display(), &e))?;
        write_stream(BufWriter::new(file), batches, &id.to_string())?;
        let bytes = std::fs::metadata(&path)
            .map_err(|e| EngineError::io(path.display(), &e))?
            .len();
        tracing::debug!(block = %id, bytes, "block written to disk");
        Ok(DiskBlock { path, bytes })
    }

    /// Frees memory for `need` bytes by evicting LRU blocks not of `protect`. Returns the evicted
    /// blocks that must go to disk.
    fn evict(
        st: &mut State,
        budget: u64,
        need: u64,
        protect: Option<RddId>,
    ) -> Vec<(BlockId, MemoryBlock)> {
        let mut spill = Vec::new();
        let mut skipped = Vec::new();
        while st.memory_used + need > budget {
            let Some((id, block)) = st.memory.pop_lru() else {
                break;
            };
            if protect.is_some() && rdd_of(&id) == protect {
                skipped.push((id, block));
                continue;
            }
            st.memory_used -= block.bytes;
            tracing::debug!(block = %id, bytes = block.bytes, "evicted from memory");
            if block.level.use_disk && !st.disk.contains_key(&id) {
                spill.push((id, block));
            }
        }
        // Blocks of the protected RDD go back, most recently used last as before.
        for (id, block) in skipped.into_iter().rev() {
            st.memory.push(id, block);
            st.memory.demote(&id);
        }
        spill
    }
}

impl BlockStore for BlockManager {
    fn put(
        &self,
        id: BlockId,
        batches: Vec<RecordBatch>,
        level: StorageLevel,
    ) -> Result<PutOutcome> {
        let bytes = batches_size(&batches);
        let mut spill = Vec::new();
        let in_memory = if level.use_memory && bytes <= self.budget {
            let mut st = self.state.lock();
            if let Some(old) = st.memory.pop(&id) {
                st.memory_used -= old.bytes;
            }
            spill = Self::evict(&mut st, self.budget, bytes, rdd_of(&id));
            if st.memory_used + bytes <= self.budget {
                st.memory_used += bytes;
                st.memory.push(
                    id,
                    MemoryBlock {
                        batches: batches.clone(),
                        bytes,
                        level,
                    },
                );
                true
            } else {
                false
            }
        } else {
            false
        };
        for (sid, block) in spill {
            let disk = self.write_disk(sid, &block.batches)?;
            self.state.lock().disk.insert(sid, disk);
        }
        if in_memory {
            return Ok(PutOutcome::Memory);
        }
        if level.use_disk {
            let disk = self.write_disk(id, &batches)?;
            self.state.lock().disk.insert(id, disk);
            return Ok(PutOutcome::Disk);
        }
        tracing::debug!(block = %id, bytes, budget = self.budget, "block does not fit; not stored");
        Ok(PutOutcome::NotStored)
    }

    fn get(&self, id: &BlockId) -> Result<Option<Vec<RecordBatch>>> {
        let path = {
            let mut st = self.state.lock();
            if let Some(b) = st.memory.get(id) {
                return Ok(Some(b.batches.clone()));
            }
            match st.disk.get(id) {
                Some(d) => d.path.clone(),
                None => return Ok(None),
            }
        };
        let file = match File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                self.state.lock().disk.remove(id);
                return Ok(None);
            }
            Err(e) => return Err(EngineError::io(path.display(), &e)),
        };
        Ok(Some(read_stream(BufReader::new(file), &id.to_string())?))
    }

    fn remove(&self, id: &BlockId) -> bool {
        let mut st = self.state.lock();
        let mut found = false;
        if let Some(b) = st.memory.pop(id) {
            st.memory_used -= b.bytes;
            found = true;
        }
        if let Some(d) = st.disk.remove(id) {
            let _ = std::fs::remove_file(&d.path);
            found = true;
        }
        found
    }

    fn remove_rdd(&self, rdd: RddId) -> usize {
        let ids: Vec<BlockId> = self
            .block_ids()
            .into_iter()
            .filter(|b| rdd_of(b) == Some(rdd))
            .collect();
        ids.iter().filter(|id| self.remove(id)).count()
    }

    fn rdd_info(&self, rdd: RddId) -> RddStorageInfo {
        let st = self.state.lock();
        let mut parts = std::collections::HashSet::new();
        let mut info = RddStorageInfo::default();
        for (id, b) in st.memory.iter() {
            if rdd_of(id) == Some(rdd) {
                parts.insert(*id);
                info.memory_bytes += b.bytes;
            }
        }
        for (id, d) in &st.disk {
            if rdd_of(id) == Some(rdd) {
                parts.insert(*id);
                info.disk_bytes += d.bytes;
            }
        }
        info.cached_partitions = parts.len();
        info
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ember_engine::data::{from_batch, to_batch};

    fn block(rdd: u64, partition: usize) -> BlockId {
        BlockId::Rdd {
            rdd: RddId(rdd),
            partition,
        }
    }

    fn batch(n: i64) -> Vec<RecordBatch> {
        vec![to_batch(&(0..n).collect::<Vec<i64>>()).unwrap()]
    }

    #[test]
    fn lru_eviction_spills_memory_and_disk_blocks_and_drops_memory_only() {
        let dir = tempfile::tempdir().unwrap();
        let one = batches_size(&batch(1000));
        let bm = BlockManager::new(one * 2 + one / 2, dir.path().to_path_buf());
        assert_eq!(
            bm.put(block(1, 0), batch(1000), StorageLevel::MEMORY_ONLY)
                .unwrap(),
            PutOutcome::Memory
        );
        assert_eq!(
            bm.put(block(2, 0), batch(1000), StorageLevel::MEMORY_AND_DISK)
                .unwrap(),
            PutOutcome::Memory
        );
        // Touch rdd 1 so rdd 2's block is the least recently used.
        assert!(bm.get(&block(1, 0)).unwrap().is_some());
        assert_eq!(
            bm.put(block(3, 0), batch(1000), StorageLevel::MEMORY_ONLY)
                .unwrap(),
            PutOutcome::Memory
        );
        // rdd 2 was evicted to disk and reads back.
        let info = bm.rdd_info(RddId(2));
        assert_eq!((info.cached_partitions, info.memory_bytes), (1, 0));
        assert!(info.disk_bytes > 0);
        let back = bm.get(&block(2, 0)).unwrap().unwrap();
        assert_eq!(from_batch::<i64>(&back[0]).unwrap().len(), 1000);
        // Another put evicts rdd 1 (MEMORY_ONLY): gone for good.
        bm.put(block(4, 0), batch(1000), StorageLevel::MEMORY_ONLY)
            .unwrap();
        assert!(bm.get(&block(1, 0)).unwrap().is_none());
        assert!(bm.memory_used() <= one * 2 + one / 2);
    }

    #[test]
    fn a_job_does_not_evict_its_own_rdd_and_too_big_blocks_are_not_stored() {
        let dir = tempfile::tempdir().unwrap();
        let one = batches_size(&batch(1000));
        let bm = BlockManager::new(one + one / 2, dir.path().to_path_buf());
        bm.put(block(1, 0), batch(1000), StorageLevel::MEMORY_ONLY)
            .unwrap();
        let second = bm
            .put(block(1, 1), batch(1000), StorageLevel::MEMORY_ONLY)
            .unwrap();
        assert_eq!(second, PutOutcome::NotStored);
        assert!(bm.get(&block(1, 0)).unwrap().is_some());
        let disk = bm
            .put(block(5, 0), batch(100_000), StorageLevel::DISK_ONLY)
            .unwrap();
        assert_eq!(disk, PutOutcome::Disk);
        assert_eq!(bm.remove_rdd(RddId(5)), 1);
        assert!(bm.get(&block(5, 0)).unwrap().is_none());
    }
}
