//! The batched shuffle read (`ShuffleStore::read_many`) of the cluster shuffle store over real
//! sockets on 127.0.0.1: local and remote blocks come back in the order asked for, and a block
//! that is not held, not listed or cannot be fetched reads as missing without failing the
//! others; `ShuffleBlocks` turns the first missing one into a fetch failure for its map. Also
//! the default `read_many` of the local store.

use arrow::array::{Array, Int64Array};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use ember_engine::env::{BlockStore, READ_MANY_CHUNK, ShuffleBlocks, ShuffleStore};
use ember_engine::error::EngineError;
use ember_engine::ids::{ExecutorId, ShuffleId};
use ember_executor::block_manager::BlockManager;
use ember_executor::cluster::shuffle::{ClusterShuffleStore, Locate};
use ember_executor::flight::client::BlockClient;
use ember_executor::flight::server::{BlockServer, BlockService};
use ember_executor::shuffle_store::LocalShuffleStore;
use ember_proto::auth::{Credentials, Guard, Secret};
use ember_proto::v1::MapLocation;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tempfile::TempDir;
use tokio::runtime::Runtime;

const SECRET: &str = "s3cret";
const SHUFFLE: ShuffleId = ShuffleId(7);
const REDUCE: usize = 1;

/// A multi-thread runtime (the block client refuses a current-thread one).
fn runtime() -> Runtime {
    Runtime::new().unwrap()
}

/// The block of `map` for reduce partition `reduce`: `map * 100 + reduce` repeated `map + 1`
/// times, so each block is told apart by its values and its length.
fn block(map: usize, reduce: usize) -> Vec<RecordBatch> {
    let schema = Arc::new(Schema::new(vec![Field::new("v", DataType::Int64, false)]));
    let values = vec![(map * 100 + reduce) as i64; map + 1];
    vec![RecordBatch::try_new(schema, vec![Arc::new(Int64Array::from(values))]).unwrap()]
}

/// The values of a block, to compare it with [`block`].
fn values(batches: &[RecordBatch]) -> Vec<i64> {
    batches
        .iter()
        .flat_map(|b| {
            let col = b.column(0).as_any().downcast_ref::<Int64Array>().unwrap();
            (0..col.len()).map(|i| col.value(i)).collect::<Vec<_>>()
        })
        .collect()
}

/// Writes the outputs of `maps` (two reduce partitions each) into `store`.
fn write(store: &LocalShuffleStore, maps: &[usize]) {
    for &map in maps {
        store
            .write(SHUFFLE, map, vec![block(map, 0), block(map, 1)])
            .unwrap();
    }
}

/// A local store in a temporary directory.
fn store(executor: &str) -> (Arc<LocalShuffleStore>, TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalShuffleStore::new(ExecutorId(executor.into()), 1 << 30, dir.path().join("s"));
    (Arc::new(store), dir)
}

/// Another executor: its local store behind a block service.
struct Peer {
    store: Arc<LocalShuffleStore>,
    server: BlockServer,
    _dir: TempDir,
}

impl Peer {
    fn start(rt: &Runtime) -> Peer {
        let (store, dir) = store("peer");
        let blocks = Arc::new(BlockManager::new(1 << 30, dir.path().join("b")));
        let service = BlockService::new(
            Arc::clone(&store) as Arc<dyn ShuffleStore>,
            blocks as Arc<dyn BlockStore>,
        );
        let loopback: SocketAddr = "127.0.0.1:0".parse().unwrap();
        let guard = Guard::new(Secret::new(SECRET));
        let server = BlockServer::start(rt.handle(), loopback, service, guard, None).unwrap();
        Peer {
            store,
            server,
            _dir: dir,
        }
    }
}

/// An address nothing listens on.
fn dead_address() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().to_string()
}

fn location(map: usize, executor: &str, address: &str) -> MapLocation {
    MapLocation {
        map: map as u64,
        executor_id: executor.to_string(),
        flight_address: address.to_string(),
        sizes: vec![64, 64],
    }
}

/// Executor `me` with the map outputs spread as the driver would list them:
/// - 0 and 3 here (held), 6 here but no longer held;
/// - 1, 2 and 5 on the peer (held), 4 listed on the peer which does not hold it;
/// - 7 on an executor that is gone (nothing listens at its address);
/// - 8 missing (no executor).
struct Cluster {
    store: Arc<ClusterShuffleStore>,
    locates: Arc<AtomicUsize>,
    _peer: Peer,
    _dir: TempDir,
}

fn cluster(rt: &Runtime) -> Cluster {
    let peer = Peer::start(rt);
    write(&peer.store, &[1, 2, 5]);
    let (local, dir) = store("me");
    write(&local, &[0, 3]);
    let here = "127.0.0.1:1";
    let there = peer.server.address().to_string();
    let gone = dead_address();
    let maps = vec![
        location(0, "me", here),
        location(1, "peer", &there),
        location(2, "peer", &there),
        location(3, "me", here),
        location(4, "peer", &there),
        location(5, "peer", &there),
        location(6, "me", here),
        location(7, "gone", &gone),
        location(8, "", ""),
    ];
    let locates = Arc::new(AtomicUsize::new(0));
    let locate: Locate = {
        let locates = Arc::clone(&locates);
        Arc::new(move |shuffle| {
            assert_eq!(shuffle, SHUFFLE);
            locates.fetch_add(1, Ordering::SeqCst);
            Some((1, maps.clone()))
        })
    };
    let secret = Secret::new(SECRET);
    let client = BlockClient::new(
        rt.handle().clone(),
        Credentials::new(secret.as_ref()).unwrap(),
    )
    .unwrap();
    let store = ClusterShuffleStore::new(ExecutorId("me".into()), local, client, locate);
    Cluster {
        store: Arc::new(store),
        locates,
        _peer: peer,
        _dir: dir,
    }
}

/// The blocks read, as values (`None` for a missing block).
fn read_values(blocks: Vec<Option<Vec<RecordBatch>>>) -> Vec<Option<Vec<i64>>> {
    blocks.into_iter().map(|b| b.map(|b| values(&b))).collect()
}

fn expected(maps: &[usize]) -> Vec<Option<Vec<i64>>> {
    maps.iter()
        .map(|&m| {
            [0, 1, 2, 3, 5]
                .contains(&m)
                .then(|| values(&block(m, REDUCE)))
        })
        .collect()
}

/// Maps in an order that mixes local, remote and missing blocks, not sorted.
const ASKED: [usize; 10] = [5, 8, 0, 4, 1, 7, 3, 6, 2, 5];

#[test]
fn read_many_returns_local_and_remote_blocks_in_the_order_asked_and_missing_ones_as_none() {
    let rt = runtime();
    let c = cluster(&rt);
    let got = read_values(c.store.read_many(SHUFFLE, &ASKED, REDUCE).unwrap());
    assert_eq!(got, expected(&ASKED));
    // One question to the driver for the whole read (and none for the next one).
    assert_eq!(c.locates.load(Ordering::SeqCst), 1);
    // Each map's block alone reads the same through `read`.
    for map in 0..10 {
        let one = c.store.read(SHUFFLE, map, REDUCE).unwrap();
        assert_eq!(
            one.map(|b| values(&b)),
            expected(&[map]).remove(0),
            "map {map}"
        );
    }
    assert_eq!(c.locates.load(Ordering::SeqCst), 1);
    assert_eq!(c.store.read_many(SHUFFLE, &[], REDUCE).unwrap().len(), 0);
}

#[test]
fn read_many_from_async_code_reads_the_same() {
    let rt = runtime();
    let c = cluster(&rt);
    // A SQL task polls its reader inside another runtime (Ember's I/O runtime).
    let other = runtime();
    let store = Arc::clone(&c.store);
    let got = other.block_on(async move { store.read_many(SHUFFLE, &ASKED, REDUCE) });
    assert_eq!(read_values(got.unwrap()), expected(&ASKED));
}

#[test]
fn shuffle_blocks_yield_in_map_order_and_stop_at_the_first_missing_block() {
    let rt = runtime();
    let c = cluster(&rt);
    let store = Arc::clone(&c.store) as Arc<dyn ShuffleStore>;
    let read: Vec<_> = ShuffleBlocks::new(store, SHUFFLE, vec![3, 1, 0, 5, 4, 2], REDUCE).collect();
    assert_eq!(read.len(), 5, "four blocks, the failure, then nothing");
    for (item, map) in read.iter().zip([3, 1, 0, 5]) {
        let (m, batches) = item.as_ref().unwrap();
        assert_eq!(*m, map);
        assert_eq!(values(batches), values(&block(map, REDUCE)));
    }
    match &read[4] {
        Err(EngineError::FetchFailed {
            shuffle,
            map,
            reduce,
        }) => assert_eq!((*shuffle, *map, *reduce), (SHUFFLE, 4, REDUCE)),
        other => panic!("expected a fetch failure for map 4, got {other:?}"),
    }
}

#[test]
fn shuffle_blocks_read_more_maps_than_one_chunk_in_order() {
    let (local, _dir) = store("me");
    let n = 2 * READ_MANY_CHUNK + 3;
    let maps: Vec<usize> = (0..n).rev().collect();
    write(&local, &maps);
    let read: Vec<usize> =
        ShuffleBlocks::new(local as Arc<dyn ShuffleStore>, SHUFFLE, maps.clone(), 0)
            .map(|r| {
                let (map, batches) = r.unwrap();
                assert_eq!(values(&batches), values(&block(map, 0)));
                map
            })
            .collect();
    assert_eq!(read, maps);
}

#[test]
fn local_store_default_read_many_keeps_order_and_reports_missing_blocks() {
    let (local, _dir) = store("me");
    write(&local, &[0, 2]);
    let got = read_values(local.read_many(SHUFFLE, &[2, 1, 0, 2], 0).unwrap());
    let b = |m| Some(values(&block(m, 0)));
    assert_eq!(got, vec![b(2), None, b(0), b(2)]);
    // A reduce partition the map outputs do not have is missing too.
    assert_eq!(
        read_values(local.read_many(SHUFFLE, &[0], 5).unwrap()),
        vec![None]
    );
}
