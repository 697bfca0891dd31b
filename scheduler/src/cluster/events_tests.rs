//! The cluster backend posts executors joining, beating and leaving: executors of a real driver service
//! registering over gRPC before and after the event bus is attached.

use super::{ClusterBackend, ClusterConfig};
use crate::events::{Event, EventBus, Listener};
use ember_engine::accumulator::AccumulatorRegistry;
use ember_engine::env::{BlockStore, Env, ShuffleStore};
use ember_engine::ids::ExecutorId;
use ember_executor::block_manager::BlockManager;
use ember_executor::shuffle_store::LocalShuffleStore;
use ember_proto::v1::driver_client::DriverClient;
use ember_proto::v1::{ExecutorMessage, Heartbeat, Register, executor_message};
use ember_proto::{PROTOCOL_VERSION, build_id};
use parking_lot::Mutex;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc::UnboundedSender;

#[derive(Default)]
struct Collect(Mutex<Vec<Event>>);
impl Listener for Collect {
    fn on_event(&self, event: &Event) {
        self.0.lock().push(event.clone());
    }
}

fn backend(dir: &std::path::Path) -> ClusterBackend {
    let id = ExecutorId::driver();
    let env = Arc::new(Env {
        executor_id: id.clone(),
        blocks: Arc::new(BlockManager::new(1 << 20, dir.join("blocks"))) as Arc<dyn BlockStore>,
        shuffles: Arc::new(LocalShuffleStore::new(id, 1 << 20, dir.join("shuffle")))
            as Arc<dyn ShuffleStore>,
        checkpoint_dir: Default::default(),
    });
    let config = ClusterConfig {
        app_id: "events-test".into(),
        bind: "127.0.0.1:0".into(),
        secret: None,
        tls: None,
        heartbeat_timeout: Duration::from_secs(30),
        grace_period: Duration::from_secs(30),
        locality_wait: Duration::from_secs(3),
    };
    ClusterBackend::start(
        config,
        Arc::default(),
        env,
        Arc::new(AccumulatorRegistry::default()),
    )
    .unwrap()
}

/// Registers executor `id` and returns its session's upward channel (dropping it ends the
/// session).
fn register(b: &ClusterBackend, id: &str, metrics_url: &str) -> UnboundedSender<ExecutorMessage> {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tx.send(ExecutorMessage {
        kind: Some(executor_message::Kind::Register(Register {
            protocol_version: PROTOCOL_VERSION,
            build_id: build_id().to_string(),
            executor_id: id.into(),
            host: "10.0.0.7".into(),
            flight_address: "10.0.0.7:7000".into(),
            cores: 3,
            memory_bytes: 512 << 20,
            pid: 1,
            metrics_url: metrics_url.into(),
        })),
    })
    .unwrap();
    let address = format!("http://{}", b.address());
    let up = futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|m| (m, rx)) });
    b.runtime().block_on(async {
        let mut client = DriverClient::connect(address).await.unwrap();
        let mut down = client.session(up).await.unwrap().into_inner();
        // Keep reading what the driver sends, so the session stays open.
        tokio::spawn(async move { while let Ok(Some(_)) = down.message().await {} });
    });
    tx
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < Duration::from_secs(20), "{what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn executors_joining_and_leaving_are_posted_and_early_ones_are_kept_for_later() {
    let dir = tempfile::tempdir().unwrap();
    let b = backend(dir.path());
    let _early = register(&b, "early", "");
    b.wait_for_executors(1, Duration::from_secs(20)).unwrap();
    let bus = Arc::new(EventBus::default());
    let seen = Arc::new(Collect::default());
    bus.add_listener(Arc::clone(&seen) as Arc<dyn Listener>);
    b.set_events(Arc::clone(&bus));
    assert!(seen.0.lock().is_empty(), "nothing is posted on attaching");

    let late = register(&b, "late", "http://10.0.0.7:9100/metrics");
    b.wait_for_executors(2, Duration::from_secs(20)).unwrap();
    let events = seen.0.lock().clone();
    assert_eq!(events.len(), 1, "{events:?}");
    let Event::ExecutorAdded {
        executor_id,
        host,
        cores,
        max_memory,
        metrics_url,
        time,
    } = &events[0]
    else {
        panic!("{events:?}")
    };
    assert_eq!(executor_id, "late");
    assert_eq!(host, "10.0.0.7");
    assert_eq!((*cores, *max_memory), (3, 512 << 20));
    assert_eq!(metrics_url.as_deref(), Some("http://10.0.0.7:9100/metrics"));
    assert!(*time > 0);

    // Only the executor that joined before the bus was attached is left to announce; one
    // without a metrics endpoint has no URL.
    let startup = b.startup_executor_events();
    assert_eq!(startup.len(), 1, "{startup:?}");
    assert!(matches!(
        &startup[0],
        Event::ExecutorAdded { executor_id, metrics_url: None, cores: 3, .. } if executor_id == "early"
    ));

    // A heartbeat is posted with its executor.
    late.send(ExecutorMessage {
        kind: Some(executor_message::Kind::Heartbeat(Heartbeat {})),
    })
    .unwrap();
    wait_for("the heartbeat is posted", || seen.0.lock().len() == 2);
    let events = seen.0.lock().clone();
    assert!(
        matches!(&events[1], Event::ExecutorHeartbeat { executor_id, time } if executor_id == "late" && *time > 0),
        "{events:?}"
    );

    drop(late);
    wait_for("the closed session is posted", || seen.0.lock().len() == 3);
    let events = seen.0.lock().clone();
    assert!(
        matches!(
            &events[2],
            Event::ExecutorRemoved { executor_id, reason, .. }
                if executor_id == "late" && reason == "its session closed"
        ),
        "{events:?}"
    );
    assert_eq!(b.executors().len(), 1);
}
