//! Shuffle block transfer over Arrow Flight on loopback: one executor's block service holding
//! about 1 GiB of shuffle blocks, one client fetching them all.
//!
//! ```text
//! cargo run --release -p ember-benches --bin flight_bench
//! cargo run --release -p ember-benches --bin flight_bench -- --blocks 64 --block-mib 16
//! ```
//! The server holds `--blocks` map outputs of one reduce partition each, `--block-mib` MiB of
//! Arrow memory apiece in batches of `--batch-rows` rows (an Int64 column and a Utf8 column of
//! 20 to 60 byte strings), in a `LocalShuffleStore`, served by `BlockServer` behind a shared
//! secret. The server and the client each run on their own two-thread runtime, as two
//! executor processes would. The client fetches every block:
//!
//! - one after another with `BlockClient::fetch`;
//! - with `BlockClient::fetch_many`, bounded by Spark's default 48 MiB in flight (blocks larger
//!   than the bound go one at a time) and by four blocks' worth.
//!
//! Prints the best of `--runs` for each in seconds and GB/s (10^9 bytes of the blocks' Arrow
//! memory per second), and the ratio against the target of issue 6: 1 GB/s. Every fetched block
//! is checked against the one the server holds.

use arrow::array::{ArrayRef, Int64Array, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use clap::Parser;
use ember_benches::best_of;
use ember_engine::env::{BlockStore, ShuffleStore};
use ember_engine::ids::{ExecutorId, ShuffleId};
use ember_engine::storage::BlockId;
use ember_executor::block_manager::BlockManager;
use ember_executor::flight::client::{BlockClient, BlockClientConfig, DEFAULT_MAX_BYTES_IN_FLIGHT};
use ember_executor::flight::server::{BlockServer, BlockService};
use ember_executor::flight::ticket;
use ember_executor::shuffle_store::LocalShuffleStore;
use ember_proto::auth::{Credentials, Guard, Secret};
use ember_proto::v1::BlockTicket;
use std::sync::Arc;
use std::time::Duration;
use tokio::runtime::Runtime;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Issue 6's target for shuffle transfer between executors.
const TARGET_GB_PER_S: f64 = 1.0;

#[derive(Parser)]
struct Args {
    /// Shuffle blocks held by the server.
    #[arg(long, default_value_t = 16)]
    blocks: usize,
    /// Size of each block (Arrow memory), in MiB.
    #[arg(long, default_value_t = 64)]
    block_mib: u64,
    /// Rows per record batch.
    #[arg(long, default_value_t = 65536)]
    batch_rows: usize,
    /// Runs of each way of fetching (the best counts).
    #[arg(long, default_value_t = 3)]
    runs: usize,
}

fn runtime(name: &str) -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name(name)
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("cannot start the {name} runtime: {e}"))
}

/// A batch of `rows` rows from row `first`: ids, and strings of 20 to 60 bytes.
fn batch(schema: &Arc<Schema>, first: u64, rows: usize) -> RecordBatch {
    let ids: Vec<i64> = (first..first + rows as u64).map(|i| i as i64).collect();
    let words: Vec<String> = ids
        .iter()
        .map(|&i| {
            let x = (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
            let len = 20 + (x >> 58) as usize * 40 / 63;
            format!(
                "{x:016x}{}",
                "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnop"
            )[..len]
                .to_string()
        })
        .collect();
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from(ids)),
        Arc::new(StringArray::from(words)),
    ];
    RecordBatch::try_new(Arc::clone(schema), columns).expect("columns match the schema")
}

fn size(batches: &[RecordBatch]) -> u64 {
    batches
        .iter()
        .map(|b| b.get_array_memory_size() as u64)
        .sum()
}

fn report(what: &str, time: Duration, bytes: u64) {
    let gbs = bytes as f64 / 1e9 / time.as_secs_f64();
    println!(
        "{what:<44} {:>7.3} s {gbs:>7.2} GB/s  {:>5.2}x the 1 GB/s target",
        time.as_secs_f64(),
        gbs / TARGET_GB_PER_S
    );
}

fn check(got: Option<Vec<RecordBatch>>, want: &[RecordBatch], map: usize) {
    let got = got.unwrap_or_else(|| panic!("block of map {map} missing"));
    assert!(got == want, "block of map {map} differs from the server's");
}

fn main() {
    let args = Args::parse();
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("word", DataType::Utf8, false),
    ]));
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = Arc::new(LocalShuffleStore::new(
        ExecutorId("bench".to_string()),
        u64::MAX,
        dir.path().join("shuffle"),
    ));
    let target = args.block_mib << 20;
    let mut held = Vec::with_capacity(args.blocks);
    let mut sizes = Vec::with_capacity(args.blocks);
    let mut row = 0u64;
    for map in 0..args.blocks {
        let mut batches = Vec::new();
        while size(&batches) < target {
            batches.push(batch(&schema, row, args.batch_rows));
            row += args.batch_rows as u64;
        }
        let status = store
            .write(ShuffleId(0), map, vec![batches.clone()])
            .expect("write a map output");
        sizes.push(status.sizes[0]);
        held.push(batches);
    }
    let total: u64 = sizes.iter().sum();
    println!(
        "{} blocks, {:.1} MiB each, {} batches of {} rows each: {:.3} GB in all",
        args.blocks,
        total as f64 / args.blocks as f64 / (1 << 20) as f64,
        held[0].len(),
        args.batch_rows,
        total as f64 / 1e9
    );

    let server_rt = runtime("server");
    let client_rt = runtime("client");
    let secret = Secret::new("bench-secret");
    let blocks: Arc<dyn BlockStore> = Arc::new(BlockManager::new(0, dir.path().join("blocks")));
    let service = BlockService::new(Arc::clone(&store) as Arc<dyn ShuffleStore>, blocks);
    let loopback = "127.0.0.1:0".parse().expect("an address");
    let server = BlockServer::start(
        server_rt.handle(),
        loopback,
        service,
        Guard::new(secret.clone()),
        None,
    )
    .expect("start the block service");
    let addr = server.address().to_string();
    let credentials = Credentials::new(secret.as_ref()).expect("a printable secret");
    let tickets: Vec<BlockTicket> = (0..args.blocks)
        .map(|map| {
            ticket(&BlockId::Shuffle {
                shuffle: ShuffleId(0),
                map,
                reduce: 0,
            })
        })
        .collect();
    let client = |max_bytes_in_flight| {
        let config = BlockClientConfig {
            max_bytes_in_flight,
            ..BlockClientConfig::default()
        };
        BlockClient::with_config(client_rt.handle().clone(), credentials.clone(), config)
            .expect("a client")
    };

    let sequential = client(DEFAULT_MAX_BYTES_IN_FLIGHT);
    // Connect once, outside the timings.
    sequential
        .fetch(&addr, tickets[0])
        .expect("the first fetch");
    let rows: usize = held.iter().flatten().map(RecordBatch::num_rows).sum();
    let (time, fetched) = best_of(args.runs, || {
        tickets
            .iter()
            .map(|t| sequential.fetch(&addr, *t).expect("fetch a block"))
            .map(|b| b.map_or(0, |b| b.iter().map(RecordBatch::num_rows).sum()))
            .sum::<usize>()
    });
    assert_eq!(fetched, rows, "rows fetched one by one");
    report("fetch, one block after another", time, total);

    for (what, bound) in [
        ("fetch_many, 48 MiB in flight", DEFAULT_MAX_BYTES_IN_FLIGHT),
        ("fetch_many, four blocks in flight", 4 * target),
    ] {
        let many = client(bound);
        many.fetch(&addr, tickets[0]).expect("the first fetch");
        let requests: Vec<(String, BlockTicket, u64)> = tickets
            .iter()
            .zip(&sizes)
            .map(|(t, &s)| (addr.clone(), *t, s))
            .collect();
        let (time, results) = best_of(args.runs, || {
            many.fetch_many(requests.clone()).expect("fetch the blocks")
        });
        report(what, time, total);
        for (map, (got, want)) in results.into_iter().zip(&held).enumerate() {
            check(got, want, map);
        }
    }
    for (map, (t, want)) in tickets.iter().zip(&held).enumerate() {
        check(sequential.fetch(&addr, *t).expect("fetch"), want, map);
    }
    println!("every block arrived as the server holds it");
    server.stop().expect("stop the block service");
}
