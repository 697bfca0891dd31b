//! The block client: task threads fetching blocks from other executors' block services.
//!
//! Task threads are plain OS threads, outside the async runtime: the client's methods block
//! the calling thread while the runtime of the [`Handle`] it was given drives the network. It
//! keeps one connection per peer address, opened on first use and shared by every clone.

use super::{block_name, block_on, check_flavor};
use crate::ExecutorError;
use arrow::record_batch::RecordBatch;
use arrow_flight::Ticket;
use arrow_flight::decode::FlightRecordBatchStream;
use arrow_flight::error::FlightError;
use arrow_flight::flight_service_client::FlightServiceClient;
use ember_proto::auth::Credentials;
use ember_proto::tls::Tls;
use ember_proto::v1::BlockTicket;
use ember_proto::{error_chain, status_text};
use futures::{StreamExt, TryStreamExt};
use parking_lot::Mutex;
use prost::Message;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::runtime::Handle;
use tokio::task::JoinSet;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;
use tonic::{Code, Status};

/// Spark's default `spark.reducer.maxSizeInFlight`: 48 MiB.
pub const DEFAULT_MAX_BYTES_IN_FLIGHT: u64 = 48 << 20;

/// HTTP/2 flow control windows the client grants a peer: large enough that a peer streaming a
/// block over a fast network is not held back waiting for window updates.
const STREAM_WINDOW: u32 = 16 << 20;
const CONNECTION_WINDOW: u32 = 64 << 20;
/// The largest HTTP/2 frame a peer may send (the protocol allows up to 16 MiB - 1).
const FRAME_SIZE: u32 = 1 << 20;

/// How a [`BlockClient`] connects and fetches.
#[derive(Clone, Debug)]
pub struct BlockClientConfig {
    /// The bound on the expected bytes of the blocks [`BlockClient::fetch_many`] fetches at
    /// once (Spark's `spark.reducer.maxSizeInFlight`). A block larger than the bound is still
    /// fetched, alone.
    pub max_bytes_in_flight: u64,
    /// How long opening a connection to a peer may take.
    pub connect_timeout: Duration,
    /// How long a peer may keep a fetch waiting for its answer or for the next message of a
    /// block; a peer silent for longer fails the fetch.
    pub idle_timeout: Duration,
    /// Connect over TLS, trusting its trust file, when set (`ember.ssl.*`).
    pub tls: Option<Tls>,
}

impl Default for BlockClientConfig {
    fn default() -> Self {
        BlockClientConfig {
            max_bytes_in_flight: DEFAULT_MAX_BYTES_IN_FLIGHT,
            connect_timeout: Duration::from_secs(5),
            idle_timeout: Duration::from_secs(120),
            tls: None,
        }
    }
}

/// What fetching one block yields: its batches, or `None` when the peer does not hold it.
pub type Fetched = Result<Option<Vec<RecordBatch>>, ExecutorError>;

type Flight = FlightServiceClient<InterceptedService<Channel, Credentials>>;

struct Inner {
    handle: Handle,
    credentials: Credentials,
    config: BlockClientConfig,
    /// One channel per peer address; a channel reconnects by itself after a lost connection.
    channels: Mutex<HashMap<String, Channel>>,
}

/// Fetches blocks from the block services of other executors. Cheap to clone; clones share
/// their connections.
#[derive(Clone)]
pub struct BlockClient {
    inner: Arc<Inner>,
}

impl BlockClient {
    /// A client sending `credentials` with every call, driven by the runtime of `handle`
    /// (a multi-thread runtime, which must outlive the client), with the default
    /// [`BlockClientConfig`].
    pub fn new(handle: Handle, credentials: Credentials) -> Result<Self, ExecutorError> {
        Self::with_config(handle, credentials, BlockClientConfig::default())
    }

    /// A client with the given configuration.
    pub fn with_config(
        handle: Handle,
        credentials: Credentials,
        config: BlockClientConfig,
    ) -> Result<Self, ExecutorError> {
        check_flavor(&handle)?;
        Ok(BlockClient {
            inner: Arc::new(Inner {
                handle,
                credentials,
                config,
                channels: Mutex::new(HashMap::new()),
            }),
        })
    }

    /// The client's configuration.
    pub fn config(&self) -> &BlockClientConfig {
        &self.inner.config
    }

    /// Fetches one block from the peer at `addr` (`host:port`). `Ok(None)` when the peer does
    /// not hold it; an error names the address and the block when the peer cannot be reached,
    /// the connection is lost or times out, or the peer fails reading the block, and carries
    /// the peer's message when it refuses this client's secret. Blocks the calling thread,
    /// which must not be inside the runtime.
    pub fn fetch(
        &self,
        addr: &str,
        ticket: BlockTicket,
    ) -> Result<Option<Vec<RecordBatch>>, ExecutorError> {
        block_on(
            &self.inner.handle,
            "BlockClient::fetch",
            self.fetch_async(addr.to_string(), ticket),
        )?
    }

    /// Fetches many blocks at once: `(address, ticket, expected bytes)` each, results in the
    /// order of the requests. Blocks are requested in order while the expected bytes of the
    /// fetches under way stay within [`BlockClientConfig::max_bytes_in_flight`]; a block
    /// larger than the bound is fetched when nothing else is in flight. The first failed fetch
    /// is returned and the others are abandoned. Blocks the calling thread, which must not be
    /// inside the runtime.
    pub fn fetch_many(
        &self,
        requests: Vec<(String, BlockTicket, u64)>,
    ) -> Result<Vec<Option<Vec<RecordBatch>>>, ExecutorError> {
        block_on(
            &self.inner.handle,
            "BlockClient::fetch_many",
            self.fetch_many_async(requests),
        )?
    }

    /// Fetches many blocks at once like [`fetch_many`](Self::fetch_many), with the same bound
    /// on the bytes in flight, but each request gets its own outcome in the order of the
    /// requests: a failed fetch fails that entry alone and the other fetches go on. The outer
    /// error is for a call from async code or a fetch task that ended abnormally. Blocks the
    /// calling thread, which must not be inside the runtime.
    pub fn fetch_each(
        &self,
        requests: Vec<(String, BlockTicket, u64)>,
    ) -> Result<Vec<Fetched>, ExecutorError> {
        block_on(
            &self.inner.handle,
            "BlockClient::fetch_each",
            self.fetch_bounded(requests, false),
        )?
    }

    async fn fetch_many_async(
        &self,
        requests: Vec<(String, BlockTicket, u64)>,
    ) -> Result<Vec<Option<Vec<RecordBatch>>>, ExecutorError> {
        self.fetch_bounded(requests, true)
            .await?
            .into_iter()
            .collect()
    }

    /// The fetches of `requests` within the bound on bytes in flight, outcomes in request
    /// order; with `abandon`, the first failed fetch is returned and the others abandoned.
    async fn fetch_bounded(
        &self,
        requests: Vec<(String, BlockTicket, u64)>,
        abandon: bool,
    ) -> Result<Vec<Fetched>, ExecutorError> {
        let max = self.inner.config.max_bytes_in_flight;
        let mut results: Vec<Fetched> = requests.iter().map(|_| Ok(None)).collect();
        // Dropping the set (on an error) aborts the fetches still under way.
        let mut running = JoinSet::new();
        let mut in_flight = 0u64;
        let mut queue = requests.into_iter().enumerate().peekable();
        loop {
            while let Some((_, (_, _, bytes))) = queue.peek() {
                if in_flight > 0 && in_flight.saturating_add(*bytes) > max {
                    break;
                }
                let Some((index, (addr, ticket, bytes))) = queue.next() else {
                    break;
                };
                in_flight = in_flight.saturating_add(bytes);
                let client = self.clone();
                running
                    .spawn(async move { (index, bytes, client.fetch_async(addr, ticket).await) });
            }
            let Some(done) = running.join_next().await else {
                break;
            };
            let (index, bytes, fetched) = done.map_err(|e| ExecutorError::Runtime {
                message: format!("a block fetch task ended abnormally: {e}"),
            })?;
            in_flight = in_flight.saturating_sub(bytes);
            results[index] = match fetched {
                Err(e) if abandon => return Err(e),
                fetched => fetched,
            };
        }
        Ok(results)
    }

    /// Drops the connection to `addr` (an executor that is gone); a later fetch from the
    /// address opens a new one.
    pub fn forget(&self, addr: &str) {
        self.inner.channels.lock().remove(addr);
    }

    /// The connection to `addr`, opened on first use.
    fn channel(&self, addr: &str) -> Result<Channel, String> {
        let mut channels = self.inner.channels.lock();
        if let Some(channel) = channels.get(addr) {
            return Ok(channel.clone());
        }
        let config = &self.inner.config;
        let endpoint = ember_proto::tls::endpoint(addr, config.tls.as_ref())?
            .connect_timeout(config.connect_timeout)
            .tcp_nodelay(true)
            // A peer that stops answering pings is lost even in the middle of a block.
            .http2_keep_alive_interval(Duration::from_secs(30))
            .keep_alive_timeout(Duration::from_secs(20))
            .initial_stream_window_size(STREAM_WINDOW)
            .initial_connection_window_size(CONNECTION_WINDOW)
            .max_frame_size(FRAME_SIZE);
        let channel = endpoint.connect_lazy();
        channels.insert(addr.to_string(), channel.clone());
        Ok(channel)
    }

    async fn fetch_async(&self, addr: String, ticket: BlockTicket) -> Fetched {
        let fail = |message: String| ExecutorError::Fetch {
            address: addr.clone(),
            block: block_name(&ticket),
            message,
        };
        let channel = self.channel(&addr).map_err(fail)?;
        let mut client: Flight =
            FlightServiceClient::with_interceptor(channel, self.inner.credentials.clone())
                .max_decoding_message_size(ember_proto::MAX_MESSAGE_BYTES)
                .max_encoding_message_size(ember_proto::MAX_MESSAGE_BYTES);
        let idle = self.inner.config.idle_timeout;
        let request = Ticket {
            ticket: ticket.encode_to_vec().into(),
        };
        let answer = tokio::time::timeout(idle, client.do_get(request))
            .await
            .map_err(|_| fail(format!("no answer within {idle:?}")))?;
        let response = match answer {
            Ok(response) => response,
            Err(status) if status.code() == Code::NotFound => return Ok(None),
            Err(status) => return Err(status_error(&addr, &ticket, &status)),
        };
        let mut stream = FlightRecordBatchStream::new_from_flight_data(
            response.into_inner().map_err(FlightError::from),
        );
        let mut batches = Vec::new();
        loop {
            let next = tokio::time::timeout(idle, stream.next())
                .await
                .map_err(|_| fail(format!("no data for {idle:?} in the middle of the block")))?;
            match next {
                None => break,
                Some(Ok(batch)) => batches.push(batch),
                Some(Err(FlightError::Tonic(status))) => {
                    return Err(status_error(&addr, &ticket, &status));
                }
                Some(Err(e)) => return Err(fail(format!("bad block data: {}", error_chain(&e)))),
            }
        }
        if batches.is_empty()
            && let Some(schema) = stream.schema()
        {
            batches.push(RecordBatch::new_empty(Arc::clone(schema)));
        }
        Ok(Some(batches))
    }
}

/// The error for a call the peer (or the connection to it) failed with `status`.
fn status_error(addr: &str, ticket: &BlockTicket, status: &Status) -> ExecutorError {
    if status.code() == Code::Unauthenticated {
        return ExecutorError::Unauthenticated {
            address: addr.to_string(),
            message: status.message().to_string(),
        };
    }
    ExecutorError::Fetch {
        address: addr.to_string(),
        block: block_name(ticket),
        message: status_text(status),
    }
}
