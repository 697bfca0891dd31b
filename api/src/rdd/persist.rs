//! Persistence (cache, persist, unpersist) and reliable checkpoints.

use super::Rdd;
use crate::context::Context;
use crate::error::Result;
use ember_engine::EngineError;
use ember_engine::data::Data;
use ember_engine::env::BlockStore;
use ember_engine::rdd::{RddBase, RddCompute, RddMeta, write_checkpoint_partition};
use ember_engine::storage::StorageLevel;
use ember_scheduler::events::Event;
use std::collections::HashSet;
use std::panic::Location;
use std::sync::Arc;

impl<T: Data> Rdd<T> {
    /// Keeps computed partitions in memory ([`StorageLevel::MEMORY_ONLY`]).
    pub fn cache(&self) -> Rdd<T> {
        self.persist(StorageLevel::MEMORY_ONLY)
    }

    /// Keeps computed partitions at `level`: the first job that computes a partition stores it,
    /// later jobs read it. A partition that is evicted or lost is recomputed from lineage.
    ///
    /// Listeners get an `RddPersisted` event when the level changes (naming the RDD by
    /// [`set_name`](Rdd::set_name), else by its operation and call site).
    pub fn persist(&self, level: StorageLevel) -> Rdd<T> {
        let meta = self.node().meta();
        let name = || {
            meta.name()
                .unwrap_or_else(|| format!("{} at {}", meta.op(), meta.call_site()))
        };
        self.context()
            .set_persisted(meta, level, self.node().num_partitions(), name);
        self.clone()
    }

    /// Stops persisting and drops the stored partitions (listeners get an `RddUnpersisted`
    /// event if it was persisted).
    pub fn unpersist(&self) -> Rdd<T> {
        self.context().unpersist_rdd(self.node().meta());
        self.clone()
    }

    /// The storage level (`NONE` unless persisted).
    pub fn storage_level(&self) -> StorageLevel {
        self.node().meta().storage_level()
    }

    /// Marks the RDD for checkpointing: after the next job that computes it, its partitions are
    /// written to the context's checkpoint directory and its lineage is cut. Persist it first to
    /// avoid computing it twice. An error if no checkpoint directory is set.
    #[track_caller]
    pub fn checkpoint(&self) -> Result<()> {
        let dir = self
            .context()
            .checkpoint_dir()
            .ok_or(EngineError::NoCheckpointDir { rdd: self.id() })?;
        let loc = Location::caller();
        let meta = self.node().meta();
        if meta.checkpoint_dir().is_some() {
            return Ok(());
        }
        meta.mark_checkpoint();
        let rdd = self.clone();
        let site = *loc;
        let writer = Box::new(move || -> Result<()> {
            let dir2 = dir.clone();
            let id = rdd.id();
            rdd.run_all("checkpoint", &site, move |it| {
                let tc = ember_engine::task_context::TaskContext::get().expect("runs in a task");
                let items: Vec<T> = it.flatten().collect();
                write_checkpoint_partition(&dir2, id, tc.partition_id(), &items)
                    .unwrap_or_else(|e| ember_engine::task_context::abort(e));
            })?;
            rdd.node().meta().set_checkpointed(dir.clone());
            tracing::info!(rdd = %id, dir = %dir.display(), "checkpoint written; lineage truncated");
            Ok(())
        });
        self.context()
            .inner
            .pending_checkpoints
            .lock()
            .insert(self.id(), writer);
        Ok(())
    }

    /// True once the checkpoint is written.
    pub fn is_checkpointed(&self) -> bool {
        self.node().meta().checkpoint_dir().is_some()
    }
}

impl Context {
    /// Writes the checkpoints pending for RDDs in the lineage of `root` (after a job over it).
    pub(crate) fn run_pending_checkpoints<T: Data>(&self, root: &dyn RddCompute<T>) -> Result<()> {
        if self.inner.pending_checkpoints.lock().is_empty() {
            return Ok(());
        }
        let mut found = Vec::new();
        let mut seen = HashSet::new();
        let mut stack: Vec<Arc<dyn RddBase>> = root
            .lineage_dependencies()
            .into_iter()
            .map(|d| d.parent())
            .collect();
        if root.meta().checkpoint_pending() {
            found.push(root.id());
        }
        while let Some(r) = stack.pop() {
            if !seen.insert(r.id()) {
                continue;
            }
            if r.meta().checkpoint_pending() {
                found.push(r.id());
            }
            stack.extend(r.lineage_dependencies().into_iter().map(|d| d.parent()));
        }
        for id in found {
            let writer = self.inner.pending_checkpoints.lock().remove(&id);
            if let Some(w) = writer {
                w()?;
            }
        }
        Ok(())
    }
}

impl Context {
    /// Sets the storage level of the RDD of `meta` (`partitions` partitions) and, when that
    /// changes it to a persisted level and someone listens, posts `RddPersisted` with the
    /// RDD's `name`.
    pub(crate) fn set_persisted(
        &self,
        meta: &RddMeta,
        level: StorageLevel,
        partitions: usize,
        name: impl FnOnce() -> String,
    ) {
        let before = meta.storage_level();
        meta.set_storage_level(level);
        let events = self.inner.scheduler.events();
        if level == before || !level.is_valid() || !events.is_active() {
            return;
        }
        events.post(Event::RddPersisted {
            rdd_id: meta.id().0,
            name: name(),
            level: level.to_string(),
            num_partitions: partitions,
        });
    }

    /// Stops persisting the RDD of `meta` and drops its blocks everywhere; posts
    /// `RddUnpersisted` if it was persisted.
    pub(crate) fn unpersist_rdd(&self, meta: &RddMeta) {
        let was = meta.storage_level();
        meta.set_storage_level(StorageLevel::NONE);
        self.remove_rdd_blocks(meta.id());
        if was.is_valid() {
            self.inner.scheduler.events().post(Event::RddUnpersisted {
                rdd_id: meta.id().0,
            });
        }
    }

    /// Storage state of an RDD: partitions cached, bytes in memory and on disk.
    pub fn rdd_storage_info(
        &self,
        rdd: ember_engine::ids::RddId,
    ) -> ember_engine::env::RddStorageInfo {
        self.inner.blocks.rdd_info(rdd)
    }
}
