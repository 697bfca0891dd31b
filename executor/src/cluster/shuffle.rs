//! The shuffle store of an executor in a cluster: its own map outputs in a
//! [`LocalShuffleStore`], other executors' fetched over Flight.
//!
//! Where each map output lives comes from the driver (`Driver.MapOutputs`) and is cached per
//! shuffle. Every task launch carries the driver's map-output epoch; a newer epoch (an output
//! was lost or recomputed) empties the cache. A block that cannot be fetched (its executor is
//! gone, or no longer holds it) reads as missing, which the reading task reports as a fetch
//! failure: the scheduler then reruns the lost map task.

use crate::flight::client::BlockClient;
use crate::shuffle_store::LocalShuffleStore;
use arrow::record_batch::RecordBatch;
use ember_engine::env::{MapStatus, ShuffleStore};
use ember_engine::error::Result;
use ember_engine::ids::{ExecutorId, ShuffleId};
use ember_proto::v1::{BlockTicket, MapLocation, ShuffleBlock, block_ticket};
use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::Arc;

/// Asks the driver where the map outputs of a shuffle are: `(epoch, locations)`.
pub type Locate = Arc<dyn Fn(ShuffleId) -> Option<(u64, Vec<MapLocation>)> + Send + Sync>;

#[derive(Default)]
struct Cache {
    epoch: u64,
    shuffles: HashMap<ShuffleId, Arc<Vec<MapLocation>>>,
}

/// Local map outputs plus remote ones over Flight.
pub struct ClusterShuffleStore {
    me: ExecutorId,
    local: Arc<LocalShuffleStore>,
    client: BlockClient,
    locate: Locate,
    cache: Mutex<Cache>,
}

impl ClusterShuffleStore {
    /// A store for executor `me`.
    pub fn new(
        me: ExecutorId,
        local: Arc<LocalShuffleStore>,
        client: BlockClient,
        locate: Locate,
    ) -> Self {
        ClusterShuffleStore {
            me,
            local,
            client,
            locate,
            cache: Mutex::new(Cache::default()),
        }
    }

    /// The executor's own outputs (which its Flight service serves).
    pub fn local(&self) -> &Arc<LocalShuffleStore> {
        &self.local
    }

    /// Notes the driver's map-output epoch at a task launch; a newer one drops cached
    /// locations.
    pub fn observe_epoch(&self, epoch: u64) {
        let mut c = self.cache.lock();
        if epoch > c.epoch {
            c.epoch = epoch;
            c.shuffles.clear();
        }
    }

    fn locations(&self, shuffle: ShuffleId) -> Option<Arc<Vec<MapLocation>>> {
        if let Some(l) = self.cache.lock().shuffles.get(&shuffle) {
            return Some(Arc::clone(l));
        }
        let (epoch, maps) = (self.locate)(shuffle)?;
        let maps = Arc::new(maps);
        let mut c = self.cache.lock();
        if epoch >= c.epoch {
            c.epoch = epoch;
            c.shuffles.insert(shuffle, Arc::clone(&maps));
        }
        Some(maps)
    }
}

impl ShuffleStore for ClusterShuffleStore {
    fn write(
        &self,
        shuffle: ShuffleId,
        map: usize,
        blocks: Vec<Vec<RecordBatch>>,
    ) -> Result<MapStatus> {
        self.local.write(shuffle, map, blocks)
    }

    fn read(
        &self,
        shuffle: ShuffleId,
        map: usize,
        reduce: usize,
    ) -> Result<Option<Vec<RecordBatch>>> {
        if tokio::runtime::Handle::try_current().is_ok() {
            // Called from async code (a SQL task's stream): the network calls below block, which
            // a runtime's thread must not do, so they run on a plain thread.
            return std::thread::scope(|s| {
                s.spawn(|| self.read_here(shuffle, map, reduce))
                    .join()
                    .unwrap_or(Ok(None))
            });
        }
        self.read_here(shuffle, map, reduce)
    }

    fn remove_map_output(&self, shuffle: ShuffleId, map: usize) -> bool {
        self.local.remove_map_output(shuffle, map)
    }

    fn remove_shuffle(&self, shuffle: ShuffleId) {
        self.cache.lock().shuffles.remove(&shuffle);
        self.local.remove_shuffle(shuffle);
    }
}

impl ClusterShuffleStore {
    /// [`ShuffleStore::read`] from a thread outside any async runtime.
    fn read_here(
        &self,
        shuffle: ShuffleId,
        map: usize,
        reduce: usize,
    ) -> Result<Option<Vec<RecordBatch>>> {
        let Some(maps) = self.locations(shuffle) else {
            return Ok(None);
        };
        let Some(at) = maps.iter().find(|m| m.map == map as u64) else {
            return Ok(None);
        };
        if at.executor_id.is_empty() {
            return Ok(None);
        }
        if at.executor_id == self.me.0 {
            return self.local.read(shuffle, map, reduce);
        }
        let ticket = BlockTicket {
            block: Some(block_ticket::Block::Shuffle(ShuffleBlock {
                shuffle: shuffle.0,
                map: map as u64,
                reduce: reduce as u64,
            })),
        };
        match self.client.fetch(&at.flight_address, ticket) {
            Ok(found) => Ok(found),
            Err(e) => {
                tracing::warn!(%shuffle, map, reduce, executor = %at.executor_id, error = %e, "shuffle fetch failed");
                Ok(None)
            }
        }
    }
}
