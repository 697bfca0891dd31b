//! Blocks between executors over Arrow Flight (cluster mode).
//!
//! Every executor runs a [`server::BlockService`]: a Flight service whose only method is
//! `do_get`, serving the shuffle blocks of its [`ShuffleStore`](ember_engine::env::ShuffleStore)
//! and the cached partitions of its [`BlockStore`](ember_engine::env::BlockStore). The ticket of
//! a `do_get` is an encoded [`BlockTicket`] ([`ticket`] builds one from a [`BlockId`]); the
//! server's [`Guard`](ember_proto::auth::Guard) checks the shared secret before it decodes it.
//!
//! Tasks read remote blocks through a [`client::BlockClient`]: blocking calls for task threads
//! (which never run inside the async runtime), one cached connection per peer, and
//! [`client::BlockClient::fetch_many`] bounding the bytes in flight like Spark's
//! `spark.reducer.maxSizeInFlight`.
//!
//! What travels is the block's record batches: a batch larger than
//! [`MAX_FLIGHT_DATA_BYTES`] arrives as several consecutive slices of it, a batch with no rows
//! is not sent, and a block with no rows at all arrives as one empty batch of its schema (a
//! block with no batches at all, which has no schema, arrives as no batches).

pub mod client;
pub mod server;

use crate::ExecutorError;
use ember_engine::ids::{RddId, ShuffleId};
use ember_engine::storage::BlockId;
use ember_proto::v1::block_ticket::Block;
use ember_proto::v1::{BlockTicket, RddBlock, ShuffleBlock};
use std::future::Future;
use tokio::runtime::{Handle, RuntimeFlavor};

/// The largest `FlightData` message the server builds: a record batch over this many bytes is
/// sent as several row slices. Larger messages mean fewer copies per byte on both ends; this
/// stays far below [`ember_proto::MAX_MESSAGE_BYTES`], which both ends accept.
pub const MAX_FLIGHT_DATA_BYTES: usize = 32 << 20;

/// The ticket naming `block`.
pub fn ticket(block: &BlockId) -> BlockTicket {
    let block = match *block {
        BlockId::Shuffle {
            shuffle,
            map,
            reduce,
        } => Block::Shuffle(ShuffleBlock {
            shuffle: shuffle.0,
            map: map as u64,
            reduce: reduce as u64,
        }),
        BlockId::Rdd { rdd, partition } => Block::Rdd(RddBlock {
            rdd: rdd.0,
            partition: partition as u64,
        }),
    };
    BlockTicket { block: Some(block) }
}

/// The block a ticket names, or why it names none.
pub fn block_id(ticket: &BlockTicket) -> Result<BlockId, String> {
    let index = |value: u64, what: &str| {
        usize::try_from(value).map_err(|_| format!("{what} {value} is out of range"))
    };
    match &ticket.block {
        Some(Block::Shuffle(b)) => Ok(BlockId::Shuffle {
            shuffle: ShuffleId(b.shuffle),
            map: index(b.map, "map partition")?,
            reduce: index(b.reduce, "reduce partition")?,
        }),
        Some(Block::Rdd(b)) => Ok(BlockId::Rdd {
            rdd: RddId(b.rdd),
            partition: index(b.partition, "partition")?,
        }),
        None => Err("the ticket names no block".to_string()),
    }
}

/// How errors name the block of a ticket.
fn block_name(ticket: &BlockTicket) -> String {
    block_id(ticket).map_or_else(|e| format!("<bad ticket: {e}>"), |id| id.to_string())
}

/// Refuses a runtime whose `Handle::block_on` cannot drive network I/O from another thread.
fn check_flavor(handle: &Handle) -> Result<(), ExecutorError> {
    match handle.runtime_flavor() {
        RuntimeFlavor::CurrentThread => Err(ExecutorError::Runtime {
            message: "a current-thread tokio runtime cannot serve blocking calls from other \
                      threads; give a multi-thread runtime's handle"
                .to_string(),
        }),
        _ => Ok(()),
    }
}

/// Runs `future` on `handle` from a thread outside any runtime (a task thread), as an error
/// rather than a panic when called from async code.
fn block_on<F: Future>(handle: &Handle, what: &str, future: F) -> Result<F::Output, ExecutorError> {
    if Handle::try_current().is_ok() {
        return Err(ExecutorError::Runtime {
            message: format!(
                "{what} blocks its thread and cannot be called from async code; call it from a \
                 task thread"
            ),
        });
    }
    Ok(handle.block_on(future))
}
