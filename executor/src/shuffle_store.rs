//! The shuffle store of local mode: each map task's output as Arrow record batches per reduce
//! partition, held in memory as they are (no encoding: a reader in the same process takes them
//! by reference) until the store's budget is reached, then spilled: the whole map output goes to
//! one file of Arrow IPC streams in the local directory, with an in-memory index of offsets.

use arrow::record_batch::RecordBatch;
use ember_engine::env::{MapStatus, ShuffleStore};
use ember_engine::error::{EngineError, Result};
use ember_engine::ids::{ExecutorId, ShuffleId};
use ember_engine::ipc::{decode, encode};
use ember_engine::task_context::TaskContext;
use parking_lot::Mutex;
use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::PathBuf;

enum MapOutput {
    Memory {
        blocks: Vec<Vec<RecordBatch>>,
        bytes: u64,
    },
    Disk {
        path: PathBuf,
        /// `(offset, len)` of each reduce partition's stream; `len == 0` means empty.
        index: Vec<(u64, u64)>,
    },
}

/// Map outputs by `(shuffle, map)`, and the bytes of them held in memory.
#[derive(Default)]
struct Outputs {
    maps: HashMap<(ShuffleId, usize), MapOutput>,
    memory: u64,
}

/// Map outputs of one executor.
pub struct LocalShuffleStore {
    executor: ExecutorId,
    budget: u64,
    dir: PathBuf,
    state: Mutex<Outputs>,
}

impl LocalShuffleStore {
    /// A store keeping up to `budget` bytes in memory and spilling into `dir`.
    pub fn new(executor: ExecutorId, budget: u64, dir: PathBuf) -> Self {
        LocalShuffleStore {
            executor,
            budget,
            dir,
            state: Mutex::new(Outputs::default()),
        }
    }

    /// Bytes of shuffle data held in memory.
    pub fn memory_used(&self) -> u64 {
        self.state.lock().memory
    }

    /// Number of map outputs held (in memory or on disk).
    pub fn map_outputs(&self) -> usize {
        self.state.lock().maps.len()
    }

    fn spill(
        &self,
        shuffle: ShuffleId,
        map: usize,
        blocks: &[Vec<RecordBatch>],
    ) -> Result<MapOutput> {
        let io = |p: &PathBuf, e: std::io::Error| EngineError::io(p.display(), &e);
        std::fs::create_dir_all(&self.dir).map_err(|e| io(&self.dir, e))?;
        let path = self.dir.join(format!("shuffle_{}_{}.data", shuffle.0, map));
        let mut file = std::io::BufWriter::new(File::create(&path).map_err(|e| io(&path, e))?);
        let mut index = Vec::with_capacity(blocks.len());
        let mut offset = 0u64;
        for (reduce, b) in blocks.iter().enumerate() {
            let mut len = 0;
            if !b.is_empty() {
                let what = format!("shuffle_{}_{}_{}", shuffle.0, map, reduce);
                let bytes = encode(b, &what)?;
                file.write_all(&bytes).map_err(|e| io(&path, e))?;
                len = bytes.len() as u64;
            }
            index.push((offset, len));
            offset += len;
        }
        file.flush().map_err(|e| io(&path, e))?;
        tracing::debug!(%shuffle, map, bytes = offset, "shuffle output spilled to disk");
        Ok(MapOutput::Disk { path, index })
    }
}

impl ShuffleStore for LocalShuffleStore {
    fn write(
        &self,
        shuffle: ShuffleId,
        map: usize,
        blocks: Vec<Vec<RecordBatch>>,
    ) -> Result<MapStatus> {
        let mut sizes = Vec::with_capacity(blocks.len());
        let mut records = 0u64;
        for b in &blocks {
            records += b.iter().map(|b| b.num_rows() as u64).sum::<u64>();
            sizes.push(b.iter().map(|b| b.get_array_memory_size() as u64).sum());
        }
        let encoded = blocks;
        let total: u64 = sizes.iter().sum();
        let fits = {
            let st = self.state.lock();
            st.memory + total <= self.budget
        };
        let output = if fits {
            MapOutput::Memory {
                blocks: encoded,
                bytes: total,
            }
        } else {
            let output = self.spill(shuffle, map, &encoded)?;
            if let (Some(tc), MapOutput::Disk { index, .. }) = (TaskContext::get(), &output) {
                tc.metrics
                    .record_spill(total, index.iter().map(|(_, len)| len).sum());
            }
            output
        };
        let mut st = self.state.lock();
        if let MapOutput::Memory { bytes, .. } = &output {
            st.memory += bytes;
        }
        if let Some(MapOutput::Memory { bytes, .. }) = st.maps.insert((shuffle, map), output) {
            st.memory -= bytes;
        }
        Ok(MapStatus {
            executor: self.executor.clone(),
            sizes,
            records,
        })
    }

    fn read(
        &self,
        shuffle: ShuffleId,
        map: usize,
        reduce: usize,
    ) -> Result<Option<Vec<RecordBatch>>> {
        let (path, offset, len) = {
            let st = self.state.lock();
            match st.maps.get(&(shuffle, map)) {
                None => return Ok(None),
                Some(MapOutput::Memory { blocks, .. }) => {
                    return Ok(blocks.get(reduce).cloned());
                }
                Some(MapOutput::Disk { path, index }) => match index.get(reduce) {
                    None => return Ok(None),
                    Some(&(_, 0)) => return Ok(Some(Vec::new())),
                    Some(&(offset, len)) => (path.clone(), offset, len),
                },
            }
        };
        let io = |e: std::io::Error| EngineError::io(path.display(), &e);
        let mut file = match File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io(e)),
        };
        file.seek(SeekFrom::Start(offset)).map_err(io)?;
        let mut buf = vec![0u8; len as usize];
        file.read_exact(&mut buf).map_err(io)?;
        let what = format!("shuffle_{}_{}_{}", shuffle.0, map, reduce);
        Ok(Some(decode(&buf, &what)?))
    }

    fn remove_map_output(&self, shuffle: ShuffleId, map: usize) -> bool {
        let mut st = self.state.lock();
        match st.maps.remove(&(shuffle, map)) {
            Some(MapOutput::Memory { bytes, .. }) => {
                st.memory -= bytes;
                true
            }
            Some(MapOutput::Disk { path, .. }) => {
                let _ = std::fs::remove_file(path);
                true
            }
            None => false,
        }
    }

    fn remove_shuffle(&self, shuffle: ShuffleId) {
        let maps: Vec<usize> = {
            let st = self.state.lock();
            st.maps
                .keys()
                .filter(|(s, _)| *s == shuffle)
                .map(|(_, m)| *m)
                .collect()
        };
        for m in maps {
            self.remove_map_output(shuffle, m);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ember_engine::data::{from_batch, to_batch};

    fn rows(items: &[(String, i64)]) -> Vec<RecordBatch> {
        vec![to_batch(items).unwrap()]
    }

    #[test]
    fn memory_then_spill_and_missing_versus_empty() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalShuffleStore::new(ExecutorId::driver(), 1, dir.path().to_path_buf());
        let s = ShuffleId(7);
        let status = store
            .write(
                s,
                0,
                vec![
                    rows(&[("a".into(), 1)]),
                    Vec::new(),
                    rows(&[("c".into(), 3)]),
                ],
            )
            .unwrap();
        assert_eq!(status.records, 2);
        assert_eq!(status.sizes[1], 0);
        // Over a 1-byte budget, so the output was spilled; it still reads back.
        assert_eq!(store.memory_used(), 0);
        let back = store.read(s, 0, 2).unwrap().unwrap();
        assert_eq!(
            from_batch::<(String, i64)>(&back[0]).unwrap(),
            vec![("c".into(), 3)]
        );
        assert_eq!(store.read(s, 0, 1).unwrap(), Some(Vec::new()));
        assert_eq!(store.read(s, 1, 0).unwrap(), None);
        assert!(store.remove_map_output(s, 0));
        assert_eq!(store.read(s, 0, 2).unwrap(), None);
    }

    #[test]
    fn in_memory_accounting() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalShuffleStore::new(ExecutorId::driver(), 1 << 30, dir.path().to_path_buf());
        let s = ShuffleId(1);
        store.write(s, 0, vec![rows(&[("x".into(), 1)])]).unwrap();
        store.write(s, 1, vec![rows(&[("y".into(), 2)])]).unwrap();
        assert!(store.memory_used() > 0);
        assert_eq!(store.map_outputs(), 2);
        store.remove_shuffle(s);
        assert_eq!((store.memory_used(), store.map_outputs()), (0, 0));
    }
}
