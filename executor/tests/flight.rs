//! The Flight block service and client over real sockets on 127.0.0.1: blocks round-trip
//! exactly, missing blocks, secrets, dead and silent peers, the bound on bytes in flight and
//! the order of `fetch_many`'s results.

use arrow::array::{ArrayRef, Int64Array, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use arrow_flight::flight_service_client::FlightServiceClient;
use arrow_flight::{Criteria, Empty, FlightDescriptor, Ticket};
use ember_engine::env::{BlockStore, MapStatus, ShuffleStore};
use ember_engine::error::Result as EngineResult;
use ember_engine::ids::{ExecutorId, RddId, ShuffleId};
use ember_engine::storage::{BlockId, StorageLevel};
use ember_executor::ExecutorError;
use ember_executor::block_manager::BlockManager;
use ember_executor::flight::client::{BlockClient, BlockClientConfig};
use ember_executor::flight::server::{BlockServer, BlockService};
use ember_executor::flight::{block_id, ticket};
use ember_executor::shuffle_store::LocalShuffleStore;
use ember_proto::auth::{Credentials, Guard, Secret};
use ember_proto::v1::BlockTicket;
use parking_lot::Mutex;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tempfile::TempDir;
use tokio::runtime::Runtime;

const SECRET: &str = "s3cret";

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn schema() -> Arc<Schema> {
    Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("word", DataType::Utf8, true),
    ]))
}

/// `rows` rows: ids from `first`, words `w<id>` with every seventh one null.
fn batch(first: i64, rows: usize) -> RecordBatch {
    let ids: Vec<i64> = (first..first + rows as i64).collect();
    let words: Vec<Option<String>> = ids
        .iter()
        .map(|i| (i % 7 != 3).then(|| format!("w{i}")))
        .collect();
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from(ids)),
        Arc::new(StringArray::from(words)),
    ];
    RecordBatch::try_new(schema(), columns).unwrap()
}

fn shuffle(shuffle: u64, map: usize, reduce: usize) -> BlockTicket {
    ticket(&BlockId::Shuffle {
        shuffle: ShuffleId(shuffle),
        map,
        reduce,
    })
}

fn rdd(rdd: u64, partition: usize) -> BlockTicket {
    ticket(&BlockId::Rdd {
        rdd: RddId(rdd),
        partition,
    })
}

fn credentials(secret: Option<&str>) -> Credentials {
    Credentials::new(secret.and_then(Secret::new).as_ref()).unwrap()
}

/// One executor's stores and its block service, holding `SECRET`.
struct Peer {
    shuffles: Arc<dyn ShuffleStore>,
    blocks: Arc<BlockManager>,
    server: BlockServer,
    _dir: TempDir,
}

impl Peer {
    /// A peer whose shuffle store keeps `budget` bytes in memory and spills the rest.
    fn start(rt: &Runtime, budget: u64) -> Peer {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalShuffleStore::new(ExecutorId::driver(), budget, dir.path().join("s"));
        Peer::with_store(rt, Arc::new(store), dir)
    }

    fn with_store(rt: &Runtime, shuffles: Arc<dyn ShuffleStore>, dir: TempDir) -> Peer {
        let blocks = Arc::new(BlockManager::new(1 << 30, dir.path().join("b")));
        let service = BlockService::new(
            Arc::clone(&shuffles),
            Arc::clone(&blocks) as Arc<dyn BlockStore>,
        );
        let guard = Guard::new(Secret::new(SECRET));
        let loopback: SocketAddr = "127.0.0.1:0".parse().unwrap();
        let server = BlockServer::start(rt.handle(), loopback, service, guard, None).unwrap();
        Peer {
            shuffles,
            blocks,
            server,
            _dir: dir,
        }
    }

    /// A peer holding one block of 3 rows: map 0, reduce 0 of `shuffle`.
    fn holding(rt: &Runtime, shuffle: u64) -> Peer {
        let peer = Peer::start(rt, 1 << 30);
        let block = vec![batch(0, 3)];
        peer.shuffles
            .write(ShuffleId(shuffle), 0, vec![block])
            .unwrap();
        peer
    }

    fn addr(&self) -> String {
        self.server.address().to_string()
    }
}

fn client(rt: &Runtime, secret: Option<&str>) -> BlockClient {
    BlockClient::new(rt.handle().clone(), credentials(secret)).unwrap()
}

fn client_with(rt: &Runtime, config: BlockClientConfig) -> BlockClient {
    BlockClient::with_config(rt.handle().clone(), credentials(Some(SECRET)), config).unwrap()
}

#[test]
fn shuffle_and_rdd_blocks_round_trip_exactly_from_memory_and_disk() {
    let rt = runtime();
    // A store that keeps everything in memory, and one that spills every map output.
    for budget in [1 << 30, 0] {
        let peer = Peer::start(&rt, budget);
        let several = vec![batch(0, 1000), batch(1000, 1), batch(5000, 300)];
        let no_rows = vec![batch(0, 0)];
        let blocks = vec![several.clone(), no_rows.clone(), Vec::new()];
        peer.shuffles.write(ShuffleId(4), 2, blocks).unwrap();
        peer.blocks
            .put(
                BlockId::Rdd {
                    rdd: RddId(7),
                    partition: 1,
                },
                several.clone(),
                StorageLevel::MEMORY_ONLY,
            )
            .unwrap();
        peer.blocks
            .put(
                BlockId::Rdd {
                    rdd: RddId(7),
                    partition: 2,
                },
                several.clone(),
                StorageLevel::DISK_ONLY,
            )
            .unwrap();
        let c = client(&rt, Some(SECRET));
        let addr = peer.addr();
        let got = c.fetch(&addr, shuffle(4, 2, 0)).unwrap().unwrap();
        assert_eq!(got, several, "budget {budget}");
        let got = c.fetch(&addr, shuffle(4, 2, 1)).unwrap().unwrap();
        assert_eq!(
            got, no_rows,
            "an empty block keeps its schema (budget {budget})"
        );
        assert_eq!(got[0].schema(), schema());
        let got = c.fetch(&addr, shuffle(4, 2, 2)).unwrap().unwrap();
        assert!(got.is_empty(), "a block of no batches stays empty");
        for partition in [1, 2] {
            let got = c.fetch(&addr, rdd(7, partition)).unwrap().unwrap();
            assert_eq!(got, several, "rdd_7_{partition}");
        }
        // The same client again (its connection is reused), and after dropping it.
        assert_eq!(c.fetch(&addr, shuffle(4, 2, 0)).unwrap().unwrap(), several);
        c.forget(&addr);
        assert_eq!(c.fetch(&addr, shuffle(4, 2, 0)).unwrap().unwrap(), several);
    }
}

#[test]
fn a_missing_block_is_none() {
    let rt = runtime();
    let peer = Peer::holding(&rt, 1);
    let c = client(&rt, Some(SECRET));
    let addr = peer.addr();
    assert!(c.fetch(&addr, shuffle(1, 0, 0)).unwrap().is_some());
    for missing in [
        shuffle(1, 1, 0),
        shuffle(1, 0, 1),
        shuffle(2, 0, 0),
        rdd(3, 0),
    ] {
        assert!(c.fetch(&addr, missing).unwrap().is_none(), "{missing:?}");
    }
}

/// A raw gRPC connection to `addr`.
async fn connect(addr: &str) -> tonic::transport::Channel {
    tonic::transport::Endpoint::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect()
        .await
        .unwrap()
}

fn refusal(result: Result<Option<Vec<RecordBatch>>, ExecutorError>) -> (String, String) {
    match result {
        Err(ExecutorError::Unauthenticated { address, message }) => (address, message),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn a_wrong_or_missing_secret_is_refused_before_the_ticket_is_read() {
    let rt = runtime();
    let peer = Peer::holding(&rt, 0);
    let addr = peer.addr();
    assert!(
        client(&rt, Some(SECRET))
            .fetch(&addr, shuffle(0, 0, 0))
            .unwrap()
            .is_some()
    );
    let (at, message) = refusal(client(&rt, Some("guess")).fetch(&addr, shuffle(0, 0, 0)));
    assert_eq!(at, addr);
    assert!(message.contains("wrong secret"), "{message}");
    let err = client(&rt, None)
        .fetch(&addr, shuffle(0, 0, 0))
        .unwrap_err();
    assert!(err.to_string().contains(&addr), "{err}");
    let (_, message) = refusal(Err(err));
    assert!(message.contains("no secret"), "{message}");
    // A ticket that is not a BlockTicket: refused for the secret, not for the ticket.
    let garbage = Ticket {
        ticket: vec![0xff, 0xff, 0xff].into(),
    };
    let status = rt.block_on(async {
        let mut raw = FlightServiceClient::new(connect(&addr).await);
        raw.do_get(garbage).await.unwrap_err()
    });
    assert_eq!(status.code(), tonic::Code::Unauthenticated);
}

#[test]
fn bad_tickets_and_other_methods_are_refused_with_clear_errors() {
    let rt = runtime();
    let peer = Peer::start(&rt, 1 << 30);
    let addr = peer.addr();
    let (bad, empty, unimplemented) = rt.block_on(async {
        let channel = connect(&addr).await;
        let mut raw = FlightServiceClient::with_interceptor(channel, credentials(Some(SECRET)));
        let garbage = Ticket {
            ticket: vec![0xff, 0xff, 0xff].into(),
        };
        let bad = raw.do_get(garbage).await.unwrap_err();
        let empty = raw.do_get(Ticket::default()).await.unwrap_err();
        let mut unimplemented = vec![
            raw.list_flights(Criteria::default()).await.unwrap_err(),
            raw.get_flight_info(FlightDescriptor::default())
                .await
                .unwrap_err(),
            raw.list_actions(Empty::default()).await.unwrap_err(),
        ];
        let put = raw.do_put(futures::stream::empty()).await;
        unimplemented.push(put.unwrap_err());
        (bad, empty, unimplemented)
    });
    assert_eq!(bad.code(), tonic::Code::InvalidArgument);
    assert!(
        bad.message().contains("bad block ticket"),
        "{}",
        bad.message()
    );
    assert_eq!(empty.code(), tonic::Code::InvalidArgument);
    assert!(
        empty.message().contains("names no block"),
        "{}",
        empty.message()
    );
    for status in unimplemented {
        assert_eq!(status.code(), tonic::Code::Unimplemented);
        assert!(status.message().contains("only serves blocks by do_get"));
    }
    // Through the client: an error naming the peer and the ticket's fault.
    let err = client(&rt, Some(SECRET))
        .fetch(&addr, BlockTicket::default())
        .unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, ExecutorError::Fetch { .. }), "{err:?}");
    assert!(
        text.contains(&addr) && text.contains("names no block"),
        "{text}"
    );
}

fn fetch_error(result: Result<Option<Vec<RecordBatch>>, ExecutorError>) -> (String, String) {
    match result {
        Err(ExecutorError::Fetch {
            address, message, ..
        }) => (address, message),
        other => panic!("expected a fetch error, got {other:?}"),
    }
}

#[test]
fn a_dead_address_fails_fast_naming_it() {
    let rt = runtime();
    let dead = dead_address();
    let message = fails_within(
        &rt,
        BlockClientConfig::default(),
        &dead,
        Duration::from_secs(5),
    );
    assert!(message.to_lowercase().contains("refused"), "{message}");
    // A peer whose accept queue is full: its kernel drops our SYNs, the connect timeout ends
    // the wait.
    let (full, _held) = rt.block_on(full_listener());
    let config = BlockClientConfig {
        connect_timeout: Duration::from_secs(1),
        ..BlockClientConfig::default()
    };
    let message = fails_within(&rt, config, &full, Duration::from_secs(4));
    assert!(message.contains("deadline has elapsed"), "{message}");
    // Not an address at all.
    let (address, message) = fetch_error(client(&rt, None).fetch("no such host:x", rdd(0, 0)));
    assert_eq!(address, "no such host:x");
    assert!(message.contains("not a host:port address"), "{message}");
}

/// An address on 127.0.0.1 where nothing listens (any more).
fn dead_address() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().to_string()
}

/// Fetches a block from `addr` with `config`: the fetch error's message, checking that the
/// error names `addr` and came within `limit`.
fn fails_within(rt: &Runtime, config: BlockClientConfig, addr: &str, limit: Duration) -> String {
    let start = Instant::now();
    let (address, message) = fetch_error(client_with(rt, config).fetch(addr, rdd(1, 0)));
    assert!(
        start.elapsed() < limit,
        "{:?} for {message}",
        start.elapsed()
    );
    assert_eq!(address, addr);
    message
}

/// A listener with a backlog of 1 that never accepts, and the connections filling its queue.
async fn full_listener() -> (String, (tokio::net::TcpListener, Vec<std::net::TcpStream>)) {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(1).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut queued = Vec::new();
    // Connections complete until the queue is full; the next one hangs.
    while let Ok(stream) = std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(300)) {
        queued.push(stream);
        assert!(queued.len() < 64, "the accept queue never filled");
    }
    (addr.to_string(), (listener, queued))
}

#[test]
fn a_silent_peer_times_out() {
    let rt = runtime();
    // Accepts connections (in the kernel's backlog) but never answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = silent.local_addr().unwrap().to_string();
    let config = BlockClientConfig {
        idle_timeout: Duration::from_secs(1),
        ..BlockClientConfig::default()
    };
    let message = fails_within(&rt, config, &addr, Duration::from_secs(4));
    assert!(message.contains("no answer"), "{message}");
}

#[test]
fn a_stopped_server_refuses_and_blocking_calls_refuse_async_code() {
    let rt = runtime();
    let peer = Peer::start(&rt, 1 << 30);
    let addr = peer.addr();
    peer.server.stop().unwrap();
    fetch_error(client(&rt, Some(SECRET)).fetch(&addr, rdd(0, 0)));
    let c = client(&rt, Some(SECRET));
    let inside = rt.block_on(async { c.fetch(&addr, rdd(0, 0)) });
    assert!(
        matches!(&inside, Err(ExecutorError::Runtime { message }) if message.contains("async")),
        "{inside:?}"
    );
    let single = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let refused = BlockClient::new(single.handle().clone(), credentials(None));
    assert!(matches!(refused, Err(ExecutorError::Runtime { .. })));
}

/// A shuffle store that holds every read for a while, and records which blocks are read at
/// the same time and the order reads end in.
struct Watched {
    inner: LocalShuffleStore,
    delay: fn(usize) -> Duration,
    reading: Mutex<Vec<(usize, u64)>>,
    /// The maps being read, and their bytes, each time a read starts.
    snapshots: Mutex<Vec<Vec<(usize, u64)>>>,
    ended: Mutex<Vec<usize>>,
}

impl Watched {
    fn new(delay: fn(usize) -> Duration, dir: &TempDir) -> Watched {
        Watched {
            inner: LocalShuffleStore::new(ExecutorId::driver(), 1 << 30, dir.path().join("w")),
            delay,
            reading: Mutex::new(Vec::new()),
            snapshots: Mutex::new(Vec::new()),
            ended: Mutex::new(Vec::new()),
        }
    }
}

impl ShuffleStore for Watched {
    fn write(&self, s: ShuffleId, map: usize, b: Vec<Vec<RecordBatch>>) -> EngineResult<MapStatus> {
        self.inner.write(s, map, b)
    }

    fn read(
        &self,
        s: ShuffleId,
        map: usize,
        reduce: usize,
    ) -> EngineResult<Option<Vec<RecordBatch>>> {
        let block = self.inner.read(s, map, reduce)?;
        let bytes = block
            .iter()
            .flatten()
            .map(|b| b.get_array_memory_size() as u64)
            .sum();
        {
            let mut reading = self.reading.lock();
            reading.push((map, bytes));
            self.snapshots.lock().push(reading.clone());
        }
        std::thread::sleep((self.delay)(map));
        self.reading.lock().retain(|(m, _)| *m != map);
        self.ended.lock().push(map);
        Ok(block)
    }

    fn remove_map_output(&self, s: ShuffleId, map: usize) -> bool {
        self.inner.remove_map_output(s, map)
    }

    fn remove_shuffle(&self, s: ShuffleId) {
        self.inner.remove_shuffle(s)
    }
}

fn watched_peer(rt: &Runtime, delay: fn(usize) -> Duration) -> (Peer, Arc<Watched>) {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Watched::new(delay, &dir));
    let peer = Peer::with_store(rt, Arc::clone(&store) as Arc<dyn ShuffleStore>, dir);
    (peer, store)
}

#[test]
fn fetch_many_keeps_the_bytes_in_flight_within_the_bound() {
    let rt = runtime();
    let (peer, store) = watched_peer(&rt, |_| Duration::from_millis(400));
    // Maps 0..8 write one block of the same size each; map 8 one three times as large.
    let mut expected = HashMap::new();
    let mut sizes = HashMap::new();
    for map in 0..9 {
        let batches = match map {
            8 => vec![batch(0, 20_000), batch(0, 20_000), batch(0, 20_000)],
            _ => vec![batch(map as i64 * 100_000, 20_000)],
        };
        let status = store
            .write(ShuffleId(0), map, vec![batches.clone()])
            .unwrap();
        sizes.insert(map, status.sizes[0]);
        expected.insert(map, batches);
    }
    let one = sizes[&0];
    assert!((1..8).all(|m| sizes[&m] == one) && sizes[&8] > 5 * one / 2);
    let bound = 5 * one / 2;
    let c = client_with(
        &rt,
        BlockClientConfig {
            max_bytes_in_flight: bound,
            ..BlockClientConfig::default()
        },
    );
    let order = [0, 1, 2, 3, 8, 4, 5, 6, 7];
    let requests = order
        .iter()
        .map(|&m| (peer.addr(), shuffle(0, m, 0), sizes[&m]))
        .collect();
    let results = c.fetch_many(requests).unwrap();
    for (got, map) in results.iter().zip(order) {
        assert_eq!(got.as_ref(), Some(&expected[&map]), "map {map}");
    }
    let snapshots = store.snapshots.lock().clone();
    assert_eq!(snapshots.len(), 9);
    let peak = snapshots.iter().map(Vec::len).max().unwrap();
    assert_eq!(peak, 2, "two blocks fit the bound: {snapshots:?}");
    for s in &snapshots {
        let bytes: u64 = s.iter().map(|(_, b)| b).sum();
        let big = s.iter().any(|(m, _)| *m == 8);
        assert!(
            bytes <= bound || (big && s.len() == 1),
            "{s:?} over {bound}"
        );
    }
}

#[test]
fn fetch_many_returns_results_in_request_order() {
    let rt = runtime();
    // The earlier maps answer last.
    let delay = |map: usize| Duration::from_millis(250 * (3 - map.min(3) as u64));
    let (a, store_a) = watched_peer(&rt, delay);
    let (b, store_b) = watched_peer(&rt, delay);
    for map in 0..3 {
        let block = vec![batch(map as i64 * 10, 5 + map)];
        store_a
            .write(ShuffleId(0), map, vec![block.clone()])
            .unwrap();
        let block = vec![batch(1000 + map as i64 * 10, 2)];
        store_b.write(ShuffleId(0), map, vec![block]).unwrap();
    }
    let want = |store: &Watched, map| store.inner.read(ShuffleId(0), map, 0).unwrap();
    let requests = vec![
        (a.addr(), shuffle(0, 0, 0), 100),
        (b.addr(), shuffle(0, 0, 0), 100),
        (a.addr(), shuffle(0, 9, 0), 100),
        (b.addr(), shuffle(0, 1, 0), 100),
        (a.addr(), shuffle(0, 2, 0), 100),
        (b.addr(), shuffle(0, 2, 0), 100),
    ];
    let got = client(&rt, Some(SECRET)).fetch_many(requests).unwrap();
    let expected = vec![
        want(&store_a, 0),
        want(&store_b, 0),
        None,
        want(&store_b, 1),
        want(&store_a, 2),
        want(&store_b, 2),
    ];
    assert_eq!(got, expected);
    // The reads did end in another order than requested.
    assert_eq!(*store_a.ended.lock(), vec![9, 2, 0]);
}

#[test]
fn fetch_many_reports_the_first_failure_naming_the_block() {
    let rt = runtime();
    let peer = Peer::holding(&rt, 3);
    let dead = dead_address();
    let requests = vec![
        (peer.addr(), shuffle(3, 0, 0), 10),
        (dead.clone(), shuffle(3, 1, 0), 10),
    ];
    let err = client(&rt, Some(SECRET)).fetch_many(requests).unwrap_err();
    match err {
        ExecutorError::Fetch { address, block, .. } => {
            assert_eq!(address, dead);
            assert_eq!(block, "shuffle_3_1_0");
        }
        other => panic!("{other:?}"),
    }
    assert!(client(&rt, None).fetch_many(Vec::new()).unwrap().is_empty());
}

#[test]
fn tickets_name_blocks() {
    for id in [
        BlockId::Shuffle {
            shuffle: ShuffleId(3),
            map: 1,
            reduce: 4,
        },
        BlockId::Rdd {
            rdd: RddId(9),
            partition: 2,
        },
    ] {
        assert_eq!(block_id(&ticket(&id)), Ok(id));
    }
    let err = block_id(&BlockTicket::default()).unwrap_err();
    assert!(err.contains("names no block"), "{err}");
}
