//! Ember's wire protocol: the gRPC messages and services between a driver and its executors
//! ([`v1`], generated from `proto/ember.proto`, whose comments are the protocol's reference),
//! the protocol version both ends compare, and [`auth`], the shared-secret check that every
//! gRPC and Flight endpoint runs before it decodes a message.
//!
//! Start with `proto/ember.proto`: it describes the session an executor keeps with its driver.

pub mod auth;

/// The generated messages and services of `ember.v1`.
#[allow(missing_docs, clippy::all, clippy::clone_on_ref_ptr)]
pub mod v1 {
    tonic::include_proto!("ember.v1");
}

/// The protocol version this build speaks. A peer that speaks another is refused with an error
/// naming both versions.
pub const PROTOCOL_VERSION: u32 = 1;

/// The largest gRPC message either end accepts (a job's values travel in one message).
pub const MAX_MESSAGE_BYTES: usize = 1 << 30;
