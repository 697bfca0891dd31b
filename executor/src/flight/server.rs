//! The block service: an executor's shuffle and cached blocks served by Flight `do_get`.
//!
//! [`serve`] runs the service on a listener until a shutdown signal; [`BlockServer::start`]
//! binds an address and runs it in the background of a runtime until stopped or dropped. Both
//! put the shared-secret [`Guard`] in front of the service, so a call without the right secret
//! is refused before its ticket is decoded, and serve over TLS when given a [`Tls`].

use super::{MAX_FLIGHT_DATA_BYTES, block_id, block_on};
use crate::ExecutorError;
use arrow_flight::encode::FlightDataEncoderBuilder;
use arrow_flight::flight_service_server::{FlightService, FlightServiceServer};
use arrow_flight::{
    Action, ActionType, Criteria, Empty, FlightData, FlightDescriptor, FlightInfo,
    HandshakeRequest, HandshakeResponse, PollInfo, PutResult, SchemaResult, Ticket,
};
use ember_engine::env::{BlockStore, ShuffleStore};
use ember_engine::storage::BlockId;
use ember_proto::auth::Guard;
use ember_proto::error_chain;
use ember_proto::tls::{self, Tls};
use ember_proto::v1::BlockTicket;
use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};
use prost::Message;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::runtime::Handle;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::server::TcpIncoming;
use tonic::{Request, Response, Status, Streaming};

/// Serves one executor's blocks: `do_get` with an encoded [`BlockTicket`]; every other Flight
/// method is refused as unimplemented.
#[derive(Clone)]
pub struct BlockService {
    shuffles: Arc<dyn ShuffleStore>,
    blocks: Arc<dyn BlockStore>,
}

impl BlockService {
    /// A service reading shuffle blocks from `shuffles` and cached partitions from `blocks`.
    pub fn new(shuffles: Arc<dyn ShuffleStore>, blocks: Arc<dyn BlockStore>) -> Self {
        BlockService { shuffles, blocks }
    }

    /// Reads a block from its store, off the async threads (a spilled block is read from disk).
    async fn read(&self, id: BlockId) -> Result<Vec<arrow::record_batch::RecordBatch>, Status> {
        let shuffles = Arc::clone(&self.shuffles);
        let blocks = Arc::clone(&self.blocks);
        let read = tokio::task::spawn_blocking(move || match id {
            BlockId::Shuffle {
                shuffle,
                map,
                reduce,
            } => shuffles.read(shuffle, map, reduce),
            BlockId::Rdd { .. } => blocks.get(&id),
        })
        .await
        .map_err(|e| Status::internal(format!("reading block {id} failed: {e}")))?;
        read.map_err(|e| Status::internal(format!("cannot read block {id}: {e}")))?
            .ok_or_else(|| Status::not_found(format!("block {id} is not held by this executor")))
    }
}

/// The refusal of every Flight method but `do_get`.
fn unimplemented<T>(method: &str) -> Result<T, Status> {
    Err(Status::unimplemented(format!(
        "{method} is not offered: Ember's block service only serves blocks by do_get with a \
         BlockTicket"
    )))
}

type Stream<T> = BoxStream<'static, Result<T, Status>>;

#[tonic::async_trait]
impl FlightService for BlockService {
    type HandshakeStream = Stream<HandshakeResponse>;
    type ListFlightsStream = Stream<FlightInfo>;
    type DoGetStream = Stream<FlightData>;
    type DoPutStream = Stream<PutResult>;
    type DoExchangeStream = Stream<FlightData>;
    type DoActionStream = Stream<arrow_flight::Result>;
    type ListActionsStream = Stream<ActionType>;

    async fn do_get(
        &self,
        request: Request<Ticket>,
    ) -> Result<Response<Self::DoGetStream>, Status> {
        let bytes = request.into_inner().ticket;
        let ticket = BlockTicket::decode(bytes)
            .map_err(|e| Status::invalid_argument(format!("bad block ticket: {e}")))?;
        let id = block_id(&ticket)
            .map_err(|e| Status::invalid_argument(format!("bad block ticket: {e}")))?;
        let batches = self.read(id).await?;
        let mut encoder =
            FlightDataEncoderBuilder::new().with_max_flight_data_size(MAX_FLIGHT_DATA_BYTES);
        if let Some(first) = batches.first() {
            // The schema goes first even when no batch has rows (those are not sent).
            encoder = encoder.with_schema(first.schema());
        }
        let stream = encoder
            .build(futures::stream::iter(batches.into_iter().map(Ok)))
            .map_err(Status::from);
        Ok(Response::new(stream.boxed()))
    }

    async fn handshake(
        &self,
        _: Request<Streaming<HandshakeRequest>>,
    ) -> Result<Response<Self::HandshakeStream>, Status> {
        unimplemented("handshake (the shared secret travels in every call's metadata)")
    }

    async fn list_flights(
        &self,
        _: Request<Criteria>,
    ) -> Result<Response<Self::ListFlightsStream>, Status> {
        unimplemented("list_flights")
    }

    async fn get_flight_info(
        &self,
        _: Request<FlightDescriptor>,
    ) -> Result<Response<FlightInfo>, Status> {
        unimplemented("get_flight_info")
    }

    async fn poll_flight_info(
        &self,
        _: Request<FlightDescriptor>,
    ) -> Result<Response<PollInfo>, Status> {
        unimplemented("poll_flight_info")
    }

    async fn get_schema(
        &self,
        _: Request<FlightDescriptor>,
    ) -> Result<Response<SchemaResult>, Status> {
        unimplemented("get_schema")
    }

    async fn do_put(
        &self,
        _: Request<Streaming<FlightData>>,
    ) -> Result<Response<Self::DoPutStream>, Status> {
        unimplemented("do_put")
    }

    async fn do_exchange(
        &self,
        _: Request<Streaming<FlightData>>,
    ) -> Result<Response<Self::DoExchangeStream>, Status> {
        unimplemented("do_exchange")
    }

    async fn do_action(
        &self,
        _: Request<Action>,
    ) -> Result<Response<Self::DoActionStream>, Status> {
        unimplemented("do_action")
    }

    async fn list_actions(
        &self,
        _: Request<Empty>,
    ) -> Result<Response<Self::ListActionsStream>, Status> {
        unimplemented("list_actions")
    }
}

/// Serves `service` behind `guard` on `listener` (over TLS with `tls`) until `shutdown`
/// completes, then lets the calls under way finish.
pub async fn serve(
    listener: TcpListener,
    service: BlockService,
    guard: Guard,
    tls: Option<Tls>,
    shutdown: impl Future<Output = ()>,
) -> Result<(), ExecutorError> {
    let address = listener
        .local_addr()
        .map_or_else(|e| format!("<unknown address: {e}>"), |a| a.to_string());
    let mut server = tls::server(tls.as_ref()).map_err(|message| ExecutorError::Serve {
        address: address.clone(),
        message,
    })?;
    let flight = FlightServiceServer::new(service)
        .max_decoding_message_size(ember_proto::MAX_MESSAGE_BYTES)
        .max_encoding_message_size(ember_proto::MAX_MESSAGE_BYTES);
    let incoming = TcpIncoming::from(listener).with_nodelay(Some(true));
    server
        .add_service(InterceptedService::new(flight, guard))
        .serve_with_incoming_shutdown(incoming, shutdown)
        .await
        .map_err(|e| ExecutorError::Serve {
            message: error_chain(&e),
            address,
        })
}

/// A block service running in the background of a runtime. Dropping it stops the service.
pub struct BlockServer {
    address: SocketAddr,
    handle: Handle,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), ExecutorError>>>,
}

impl BlockServer {
    /// Binds `address` (port 0 picks a free port) and serves `service` behind `guard` (over
    /// TLS with `tls`) on the runtime of `handle`.
    pub fn start(
        handle: &Handle,
        address: SocketAddr,
        service: BlockService,
        guard: Guard,
        tls: Option<Tls>,
    ) -> Result<Self, ExecutorError> {
        let serve_error = |e: std::io::Error| ExecutorError::Serve {
            address: address.to_string(),
            message: e.to_string(),
        };
        let listener = std::net::TcpListener::bind(address).map_err(serve_error)?;
        listener.set_nonblocking(true).map_err(serve_error)?;
        let bound = listener.local_addr().map_err(serve_error)?;
        let listener = {
            let _runtime = handle.enter();
            TcpListener::from_std(listener).map_err(serve_error)?
        };
        let (stop, stopped) = oneshot::channel::<()>();
        let task = handle.spawn(serve(listener, service, guard, tls, async {
            // A dropped sender stops the service too.
            let _ = stopped.await;
        }));
        tracing::info!(address = %bound, "block service started");
        Ok(BlockServer {
            address: bound,
            handle: handle.clone(),
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// The address the service listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Stops accepting calls, waits for the calls under way to finish and returns how serving
    /// ended. Blocks: call it from a thread outside the runtime.
    pub fn stop(mut self) -> Result<(), ExecutorError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let Some(task) = self.task.take() else {
            return Ok(());
        };
        let address = self.address.to_string();
        block_on(&self.handle, "BlockServer::stop", task)?.map_err(|e| ExecutorError::Serve {
            address,
            message: format!("the service task ended abnormally: {e}"),
        })?
    }
}

impl Drop for BlockServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
