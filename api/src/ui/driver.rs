//! The driver's web UI: a [`StatusStore`] listening to the context's scheduler events, served
//! with the pages, the REST API and `/metrics` on `ember.ui.port` (4040, or the next free
//! port). [`Context::ui_url`](crate::Context::ui_url) says where; `ember.ui.enabled=false` turns
//! it off.

use super::metrics::{DriverMetrics, driver_metrics_router};
use super::server::{UiServer, UiSettings, serve};
use super::store::{AppState, JobState, LiveApp, Retention, StageState, StatusStore};
use crate::{Conf, Error, Result};
use axum::Router;
use ember_executor::block_manager::BlockManager;
use std::sync::Arc;

/// A running driver UI.
pub struct DriverUi {
    store: Arc<StatusStore>,
    server: UiServer,
}

impl DriverUi {
    /// Serves `store` by the settings of `conf`; `blocks` is the driver's block manager (its
    /// figures go to `/metrics`).
    pub fn start(store: Arc<StatusStore>, conf: &Conf, blocks: Arc<BlockManager>) -> Result<Self> {
        let settings = UiSettings::from_conf(conf)?;
        let server =
            serve(app_router(Arc::clone(&store), blocks), &settings).map_err(|e| Error::Conf {
                key: "ember.ui.port".into(),
                value: settings.port.to_string(),
                message: e.to_string(),
            })?;
        tracing::info!(url = server.url(), "web UI started");
        Ok(DriverUi { store, server })
    }

    /// Where the UI is served (`http://host:port`).
    pub fn url(&self) -> &str {
        self.server.url()
    }

    /// The status store behind it.
    pub fn store(&self) -> &Arc<StatusStore> {
        &self.store
    }
}

/// The routes of one live application: pages, `/api/v1` and `/metrics`.
pub fn app_router(store: Arc<StatusStore>, blocks: Arc<BlockManager>) -> Router {
    let metrics_store = Arc::clone(&store);
    super::pages::pages_router(Arc::clone(&store), "")
        .merge(super::rest::rest_router(Arc::new(LiveApp(store))))
        .merge(driver_metrics_router(move || {
            let mut m = metrics_store.read(DriverMetrics::from_state);
            m.blocks_memory_bytes = blocks.memory_used();
            m.blocks_memory_capacity_bytes = blocks.capacity();
            m.blocks_disk_bytes = blocks.disk_used();
            m
        }))
}

/// The retention settings of `conf` (`ember.ui.retainedJobs`, `retainedStages`,
/// `retainedTasks`).
pub fn retention_of(conf: &Conf) -> Result<Retention> {
    let d = Retention::default();
    Ok(Retention {
        jobs: conf.get_usize("ember.ui.retainedJobs", d.jobs)?,
        stages: conf.get_usize("ember.ui.retainedStages", d.stages)?,
        tasks: conf.get_usize("ember.ui.retainedTasks", d.tasks)?,
    })
}

impl DriverMetrics {
    /// The job, stage, task, executor and shuffle figures of an application's state; the job,
    /// stage and task counters are lifetime totals, so retention never lowers them. The block
    /// figures stay 0 (the driver's block manager fills them).
    pub fn from_state(s: &AppState) -> Self {
        let t = &s.totals;
        DriverMetrics {
            jobs_active: count(s.jobs.values().filter(|j| j.state == JobState::Running)),
            jobs_succeeded: t.jobs_succeeded,
            jobs_failed: t.jobs_failed,
            stages_active: count(
                s.stages
                    .values()
                    .filter(|st| st.state == StageState::Active),
            ),
            stages_completed: t.stages_completed,
            stages_skipped: t.stages_skipped,
            stages_failed: t.stages_failed,
            tasks_active: s.active_tasks() as u64,
            tasks_completed: t.tasks_completed,
            tasks_failed: t.tasks_failed,
            executors_active: count(s.executors.values().filter(|e| e.removed.is_none())),
            shuffle_read_bytes: t.metrics.shuffle_read_bytes,
            shuffle_read_records: t.metrics.shuffle_read_records,
            shuffle_write_bytes: t.metrics.shuffle_write_bytes,
            shuffle_write_records: t.metrics.shuffle_write_records,
            ..DriverMetrics::default()
        }
    }
}

fn count<T>(items: impl Iterator<Item = T>) -> u64 {
    items.count() as u64
}
