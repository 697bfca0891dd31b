//! The driver's gRPC service (`ember.v1.Driver`), behind the shared-secret guard, over TLS
//! when `ember.ssl.enabled`.

use super::backend::Shared;
use ember_engine::ids::{ExecutorId, RddId, ShuffleId};
use ember_proto::auth::Guard;
use ember_proto::v1::driver_server::{Driver, DriverServer};
use ember_proto::v1::{
    DriverMessage, ExecutorMessage, MapOutputsReply, MapOutputsRequest, executor_message,
};
use futures::Stream;
use std::pin::Pin;
use std::sync::Arc;
use tonic::codegen::InterceptedService;
use tonic::transport::Server;
use tonic::transport::server::TcpIncoming;
use tonic::{Request, Response, Status, Streaming};

struct DriverService {
    shared: Arc<Shared>,
}

type Downstream = Pin<Box<dyn Stream<Item = Result<DriverMessage, Status>> + Send>>;

#[tonic::async_trait]
impl Driver for DriverService {
    type SessionStream = Downstream;

    async fn session(
        &self,
        request: Request<Streaming<ExecutorMessage>>,
    ) -> Result<Response<Downstream>, Status> {
        let mut inbound = request.into_inner();
        let first = inbound
            .message()
            .await?
            .ok_or_else(|| Status::invalid_argument("the session ended before registering"))?;
        let Some(executor_message::Kind::Register(reg)) = first.kind else {
            return Err(Status::invalid_argument(
                "the first message of a session must be Register",
            ));
        };
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        self.shared.register(&reg, tx)?;
        let id = ExecutorId(reg.executor_id.clone());
        let shared = Arc::clone(&self.shared);
        tokio::spawn(async move {
            let mut planned = false;
            let reason = loop {
                match inbound.message().await {
                    Ok(Some(m)) => match m.kind {
                        Some(executor_message::Kind::Heartbeat(_)) => shared.heartbeat(&id),
                        Some(executor_message::Kind::Status(s)) => {
                            shared.alive(&id);
                            shared.status(&id, s);
                        }
                        Some(executor_message::Kind::Stored(b)) => {
                            shared.stored(&id, RddId(b.rdd), b.partition as usize);
                        }
                        Some(executor_message::Kind::Goodbye(_)) => {
                            planned = true;
                            break "its program ended".to_string();
                        }
                        Some(executor_message::Kind::Register(_)) | None => {}
                    },
                    Ok(None) => break "its session closed".to_string(),
                    Err(s) => break format!("its session failed: {}", s.message()),
                }
            };
            shared.lost(&id, &reason, planned);
        });
        let out =
            futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|m| (m, rx)) });
        Ok(Response::new(Box::pin(out)))
    }

    async fn map_outputs(
        &self,
        request: Request<MapOutputsRequest>,
    ) -> Result<Response<MapOutputsReply>, Status> {
        let shuffle = ShuffleId(request.into_inner().shuffle);
        Ok(Response::new(self.shared.map_outputs_of(shuffle)))
    }
}

/// Serves the driver's service with `server` (plain or TLS) on `listener` until `shutdown`.
pub(super) async fn serve(
    mut server: Server,
    listener: tokio::net::TcpListener,
    shared: Arc<Shared>,
    guard: Guard,
    shutdown: impl Future<Output = ()>,
) {
    let service = DriverServer::new(DriverService { shared })
        .max_decoding_message_size(ember_proto::MAX_MESSAGE_BYTES)
        .max_encoding_message_size(ember_proto::MAX_MESSAGE_BYTES);
    let incoming = TcpIncoming::from(listener).with_nodelay(Some(true));
    if let Err(e) = server
        .add_service(InterceptedService::new(service, guard))
        .serve_with_incoming_shutdown(incoming, shutdown)
        .await
    {
        tracing::error!(error = %e, "the driver service stopped");
    }
}
