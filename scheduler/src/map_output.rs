//! The map-output tracker: which map tasks of each shuffle have output, and where.

use ember_engine::env::MapStatus;
use ember_engine::ids::{ExecutorId, ShuffleId};
use parking_lot::Mutex;
use std::collections::HashMap;

/// Map statuses by shuffle. A shuffle whose every map output is registered is *available*: its
/// map stage is skipped by later jobs.
#[derive(Default)]
pub struct MapOutputTracker {
    shuffles: Mutex<HashMap<ShuffleId, Vec<Option<MapStatus>>>>,
}

impl MapOutputTracker {
    /// Makes sure `shuffle` is known with `maps` map outputs.
    pub fn register_shuffle(&self, shuffle: ShuffleId, maps: usize) {
        self.shuffles
            .lock()
            .entry(shuffle)
            .or_insert_with(|| vec![None; maps]);
    }
    /// Records the output of map task `map`.
    pub fn register_map_output(&self, shuffle: ShuffleId, map: usize, status: MapStatus) {
        if let Some(v) = self.shuffles.lock().get_mut(&shuffle)
            && map < v.len()
        {
            v[map] = Some(status);
        }
    }
    /// Forgets the output of one map task (its blocks are lost).
    pub fn unregister_map_output(&self, shuffle: ShuffleId, map: usize) {
        if let Some(v) = self.shuffles.lock().get_mut(&shuffle)
            && map < v.len()
        {
            v[map] = None;
        }
    }
    /// Forgets every output held by `executor`; returns how many were forgotten.
    pub fn remove_outputs_on(&self, executor: &ExecutorId) -> usize {
        let mut n = 0;
        for v in self.shuffles.lock().values_mut() {
            for s in v.iter_mut() {
                if s.as_ref().is_some_and(|s| &s.executor == executor) {
                    *s = None;
                    n += 1;
                }
            }
        }
        n
    }
    /// Map partitions of `shuffle` that have no output.
    pub fn missing(&self, shuffle: ShuffleId) -> Vec<usize> {
        match self.shuffles.lock().get(&shuffle) {
            Some(v) => (0..v.len()).filter(|&i| v[i].is_none()).collect(),
            None => Vec::new(),
        }
    }
    /// The statuses of a shuffle (for readers that need locations and sizes).
    pub fn statuses(&self, shuffle: ShuffleId) -> Option<Vec<Option<MapStatus>>> {
        self.shuffles.lock().get(&shuffle).cloned()
    }
    /// Forgets a shuffle entirely.
    pub fn unregister_shuffle(&self, shuffle: ShuffleId) {
        self.shuffles.lock().remove(&shuffle);
    }
    /// Shuffles known.
    pub fn shuffle_ids(&self) -> Vec<ShuffleId> {
        let mut v: Vec<ShuffleId> = self.shuffles.lock().keys().copied().collect();
        v.sort();
        v
    }
}
