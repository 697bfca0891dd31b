//! The web UI and Prometheus endpoints (issue 7): the HTTP server every UI runs on
//! ([`server`]: port rule, security headers, authentication, the stylesheet; [`https`] when
//! TLS is on), the `/metrics`
//! expositions of driver, executors and master ([`metrics`]), and the standalone master's
//! cluster page ([`master_page`]).

pub mod driver;
pub mod event_log;
pub mod history;
pub mod https;
pub mod master_page;
pub mod metrics;
pub mod pages;
pub mod rest;
pub mod server;
pub mod store;

pub use metrics::{DriverMetrics, ExecutorMetrics, driver_metrics_router};
pub use server::{UiError, UiServer, UiSettings, serve};
