//! Integration tests of the `ember` crate, built as one test binary.
//!
//! Every test builds its own [`ember::Context`] (see `common::ctx`) and compares results
//! against hand-computed literals. Where an operation does not define an order (shuffles,
//! joins), results are sorted before comparing.

#[path = "integration/common.rs"]
mod common;

#[path = "integration/actions.rs"]
mod actions;
#[path = "integration/cluster.rs"]
mod cluster;
#[path = "integration/cluster_cache.rs"]
mod cluster_cache;
#[path = "integration/cluster_restart.rs"]
mod cluster_restart;
#[path = "integration/cluster_rollback.rs"]
mod cluster_rollback;
#[path = "integration/cluster_tls.rs"]
mod cluster_tls;
#[path = "integration/compressed_input.rs"]
mod compressed_input;
#[path = "integration/determinism.rs"]
mod determinism;
#[path = "integration/errors.rs"]
mod errors;
#[path = "integration/events.rs"]
mod events;
#[path = "integration/joins.rs"]
mod joins;
#[path = "integration/moto.rs"]
mod moto;
#[path = "integration/pairs.rs"]
mod pairs;
#[path = "integration/path_globs.rs"]
mod path_globs;
#[path = "integration/persistence.rs"]
mod persistence;
#[path = "integration/read_modes.rs"]
mod read_modes;
#[path = "integration/s3_read.rs"]
mod s3_read;
#[path = "integration/s3_write.rs"]
mod s3_write;
#[path = "integration/scheduler.rs"]
mod scheduler;
#[path = "integration/serde_data.rs"]
mod serde_data;
#[path = "integration/shared_vars.rs"]
mod shared_vars;
#[path = "integration/slt.rs"]
mod slt;
#[path = "integration/sorting.rs"]
mod sorting;
#[path = "integration/sources.rs"]
mod sources;
#[path = "integration/sql_cli.rs"]
mod sql_cli;
#[path = "integration/sql_core.rs"]
mod sql_core;
#[path = "integration/sql_dataframe.rs"]
mod sql_dataframe;
#[path = "integration/tpch.rs"]
mod tpch;
#[path = "integration/transformations.rs"]
mod transformations;
#[path = "integration/ui_server.rs"]
mod ui_server;
#[path = "integration/web_ui.rs"]
mod web_ui;
#[path = "integration/webdriver.rs"]
mod webdriver;
