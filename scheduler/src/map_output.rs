//! The map-output tracker: which map tasks of each shuffle have output, and where.

use ember_engine::env::MapStatus;
use ember_engine::ids::{ExecutorId, ShuffleId};
use parking_lot::Mutex;
use std::collections::HashMap;

/// A map status and the epoch it was registered at.
type Registered = (MapStatus, u64);

/// Map statuses by shuffle. A shuffle whose every map output is registered is *available*: its
/// map stage is skipped by later jobs.
///
/// Every registration bumps an *epoch*. A reduce task that fails to fetch a map output only
/// unregisters it if the output was registered before the task was launched: a fetch failure
/// reported late, by a task that ran against an older output, must not discard a freshly
/// recomputed one (Spark's map-output epoch).
#[derive(Default)]
pub struct MapOutputTracker {
    shuffles: Mutex<HashMap<ShuffleId, Vec<Option<Registered>>>>,
    epoch: std::sync::atomic::AtomicU64,
}

impl MapOutputTracker {
    /// Makes sure `shuffle` is known with `maps` map outputs.
    pub fn register_shuffle(&self, shuffle: ShuffleId, maps: usize) {
        self.shuffles
            .lock()
            .entry(shuffle)
            .or_insert_with(|| vec![None; maps]);
    }
    /// The current epoch.
    pub fn epoch(&self) -> u64 {
        self.epoch.load(std::sync::atomic::Ordering::SeqCst)
    }
    /// Records the output of map task `map`.
    pub fn register_map_output(&self, shuffle: ShuffleId, map: usize, status: MapStatus) {
        let epoch = self.epoch.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        if let Some(v) = self.shuffles.lock().get_mut(&shuffle)
            && map < v.len()
        {
            v[map] = Some((status, epoch));
        }
    }
    /// Forgets the output of one map task if it was registered at or before `epoch` (the epoch
    /// at which the task that could not fetch it was launched). Returns whether it was forgotten.
    pub fn unregister_if_older(&self, shuffle: ShuffleId, map: usize, epoch: u64) -> bool {
        if let Some(v) = self.shuffles.lock().get_mut(&shuffle)
            && let Some(slot) = v.get_mut(map)
            && slot.as_ref().is_some_and(|(_, e)| *e <= epoch)
        {
            *slot = None;
            return true;
        }
        false
    }
    /// Forgets every output held by `executor`; returns how many were forgotten.
    pub fn remove_outputs_on(&self, executor: &ExecutorId) -> usize {
        let mut n = 0;
        // Readers that cached the old locations must look again.
        self.epoch.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        for v in self.shuffles.lock().values_mut() {
            for s in v.iter_mut() {
                if s.as_ref().is_some_and(|(s, _)| &s.executor == executor) {
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
        let shuffles = self.shuffles.lock();
        let v = shuffles.get(&shuffle)?;
        Some(
            v.iter()
                .map(|s| s.as_ref().map(|(s, _)| s.clone()))
                .collect(),
        )
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

#[cfg(test)]
mod tests {
    use super::*;

    fn status() -> MapStatus {
        MapStatus {
            executor: ExecutorId::driver(),
            sizes: vec![1],
            records: 1,
        }
    }

    #[test]
    fn a_late_fetch_failure_keeps_a_newer_output() {
        let t = MapOutputTracker::default();
        let s = ShuffleId(0);
        t.register_shuffle(s, 2);
        t.register_map_output(s, 0, status());
        let launched = t.epoch();
        // The output is lost and recomputed after the reader was launched.
        assert!(t.unregister_if_older(s, 0, launched));
        t.register_map_output(s, 0, status());
        // The stale reader's failure arrives late: the new output stays.
        assert!(!t.unregister_if_older(s, 0, launched));
        assert_eq!(t.missing(s), vec![1]);
    }
}
