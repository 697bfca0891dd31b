//! Blocking byte streams over object stores, for task threads: [`RangeReader`] reads an
//! object's byte range with ranged GETs (the next chunk fetched while this one is read),
//! [`StreamReader`] a whole object with one streaming GET, and
//! [`ObjectWriter`] writes an object, in one PUT when small and as a multipart upload of
//! [`PART_BYTES`] parts when larger.

use super::listing::store_error;
use super::location::{RemotePath, parse_remote};
use super::stores::Stores;
use crate::error::{EngineError, Result};
use crate::sql::runtime::runtime;
use bytes::Bytes;
use futures::StreamExt;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload, WriteMultipart};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::sync::Arc;
use tokio::task::JoinHandle;

/// Bytes asked for in one ranged GET while reading a split.
const CHUNK_BYTES: u64 = 8 << 20;
/// Bytes asked for at a time past a split's end (finishing its last line).
const TAIL_BYTES: u64 = 64 << 10;
/// Size of a multipart upload's parts (S3's minimum part size): objects larger than this are
/// uploaded in parts.
pub const PART_BYTES: usize = 5 << 20;
/// Parts uploading at once per writer.
const PARTS_IN_FLIGHT: usize = 4;

type Fetch = JoinHandle<std::result::Result<Bytes, object_store::Error>>;

/// Waits for `fut` on the calling thread, inside Ember's IO runtime's context (its workers
/// drive the connections). Unlike a runtime's `block_on`, this also works where the thread is
/// already running a runtime's `block_on` (a DataFusion scan polled by an Ember task), with no
/// helper thread per call.
fn wait<F: std::future::Future>(fut: F) -> F::Output {
    let _in_runtime = runtime().enter();
    futures::executor::block_on(fut)
}

/// A blocking reader of bytes `start..size` of a remote object, fetched in chunks by ranged
/// GETs. Up to `hint_end` (where the caller expects to stop: a split's end) chunks are
/// 8 MiB (`CHUNK_BYTES`) and the next one is fetched while the current one is read; past it, the
/// reader fetches small 64 KiB (`TAIL_BYTES`) ranges on demand, so a reader that stops soon after
/// `hint_end` transfers little more than it reads.
pub struct RangeReader {
    store: Arc<dyn ObjectStore>,
    path: RemotePath,
    /// Where the next fetch starts.
    next_start: u64,
    size: u64,
    hint_end: u64,
    current: Bytes,
    prefetch: Option<(u64, Fetch)>,
}

impl RangeReader {
    /// Reads `path` (of `size` bytes) from `start`, expecting to stop near `hint_end`.
    pub fn new(
        store: Arc<dyn ObjectStore>,
        path: RemotePath,
        start: u64,
        size: u64,
        hint_end: u64,
    ) -> Self {
        RangeReader {
            store,
            path,
            next_start: start.min(size),
            size,
            hint_end: hint_end.min(size),
            current: Bytes::new(),
            prefetch: None,
        }
    }

    /// The range of the next fetch from `start`, or `None` at the end of the object.
    fn range_from(&self, start: u64) -> Option<std::ops::Range<u64>> {
        if start >= self.size {
            return None;
        }
        let end = if start < self.hint_end {
            (start + CHUNK_BYTES).min(self.hint_end + TAIL_BYTES)
        } else {
            start + TAIL_BYTES
        };
        Some(start..end.min(self.size))
    }

    fn spawn(&self, range: std::ops::Range<u64>) -> Fetch {
        let store = Arc::clone(&self.store);
        let object = self.path.object();
        runtime().spawn(async move { store.get_range(&object, range).await })
    }

    /// Moves to the next chunk; `false` at the end of the object.
    fn advance(&mut self) -> io::Result<bool> {
        let Some(range) = self.range_from(self.next_start) else {
            return Ok(false);
        };
        let fetch = match self.prefetch.take() {
            Some((start, fetch)) if start == range.start => fetch,
            _ => self.spawn(range.clone()),
        };
        let bytes = wait(fetch)
            .map_err(|e| io::Error::other(format!("{}: {e}", self.path)))?
            .map_err(|e| io::Error::other(store_error(&self.path, e).to_string()))?;
        self.next_start = range.start + bytes.len() as u64;
        if bytes.is_empty() {
            return Ok(false);
        }
        self.current = bytes;
        if self.next_start < self.hint_end
            && let Some(next) = self.range_from(self.next_start)
        {
            self.prefetch = Some((next.start, self.spawn(next)));
        }
        Ok(true)
    }
}

impl Read for RangeReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.current.is_empty() && !self.advance()? {
            return Ok(0);
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current[..n]);
        let _ = self.current.split_to(n);
        Ok(n)
    }
}

impl Drop for RangeReader {
    fn drop(&mut self) {
        if let Some((_, fetch)) = self.prefetch.take() {
            fetch.abort();
        }
    }
}

/// A blocking reader of a whole remote object through one streaming GET (which any HTTP
/// server answers, unlike ranged GETs).
pub struct StreamReader {
    path: RemotePath,
    stream: futures::stream::BoxStream<'static, std::result::Result<Bytes, object_store::Error>>,
    current: Bytes,
}

impl StreamReader {
    /// Starts the GET of `path`.
    pub fn open(store: &dyn ObjectStore, path: RemotePath) -> Result<Self> {
        let got = wait(store.get(&path.object())).map_err(|e| store_error(&path, e))?;
        Ok(StreamReader {
            path,
            stream: got.into_stream(),
            current: Bytes::new(),
        })
    }
}

impl Read for StreamReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.current.is_empty() {
            match wait(self.stream.next()) {
                None => return Ok(0),
                Some(Ok(bytes)) => self.current = bytes,
                Some(Err(e)) => {
                    return Err(io::Error::other(store_error(&self.path, e).to_string()));
                }
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current[..n]);
        let _ = self.current.split_to(n);
        Ok(n)
    }
}

/// The whole of a remote object.
pub fn read_object(store: &dyn ObjectStore, path: &RemotePath) -> Result<Bytes> {
    wait(async {
        store
            .get(&path.object())
            .await
            .map_err(|e| store_error(path, e))?
            .bytes()
            .await
            .map_err(|e| store_error(path, e))
    })
}

/// A blocking writer of one remote object. Bytes are buffered; the object is written by
/// [`finish`](ObjectWriter::finish): in one PUT if it is at most [`PART_BYTES`], else as a
/// multipart upload whose parts go out while later bytes are written. Nothing is visible at
/// the path before `finish` succeeds; a writer dropped unfinished aborts its upload.
pub struct ObjectWriter {
    store: Arc<dyn ObjectStore>,
    path: RemotePath,
    buffer: Vec<u8>,
    upload: Option<WriteMultipart>,
}

impl ObjectWriter {
    /// A writer of the object at `path`.
    pub fn new(store: Arc<dyn ObjectStore>, path: RemotePath) -> Self {
        ObjectWriter {
            store,
            path,
            buffer: Vec::new(),
            upload: None,
        }
    }

    fn error(&self, e: object_store::Error) -> io::Error {
        io::Error::other(store_error(&self.path, e).to_string())
    }

    /// Hands the buffer to the multipart upload (started on first use).
    fn send_buffer(&mut self) -> io::Result<()> {
        let _in_runtime = runtime().enter();
        if self.upload.is_none() {
            let upload =
                wait(self.store.put_multipart(&self.path.object())).map_err(|e| self.error(e))?;
            self.upload = Some(WriteMultipart::new_with_chunk_size(upload, PART_BYTES));
        }
        let upload = self.upload.as_mut().expect("started above");
        upload.write(&self.buffer);
        self.buffer.clear();
        let waited = wait(upload.wait_for_capacity(PARTS_IN_FLIGHT));
        waited.map_err(|e| self.error(e))
    }

    /// Writes what is left and completes the object.
    pub fn finish(mut self) -> Result<()> {
        let failed = |path: &RemotePath, e: object_store::Error| store_error(path, e);
        match self.upload.take() {
            None => {
                let payload = PutPayload::from(std::mem::take(&mut self.buffer));
                wait(self.store.put(&self.path.object(), payload))
                    .map(|_| ())
                    .map_err(|e| failed(&self.path, e))
            }
            Some(mut upload) => {
                let _in_runtime = runtime().enter();
                upload.write(&self.buffer);
                self.buffer.clear();
                wait(upload.finish())
                    .map(|_| ())
                    .map_err(|e| failed(&self.path, e))
            }
        }
    }
}

impl Write for ObjectWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.buffer.extend_from_slice(buf);
        if self.buffer.len() >= PART_BYTES {
            self.send_buffer()?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for ObjectWriter {
    fn drop(&mut self) {
        if let Some(upload) = self.upload.take() {
            let _in_runtime = runtime().enter();
            if let Err(e) = wait(upload.abort()) {
                tracing::warn!(path = %self.path, error = %e, "aborting a multipart upload failed");
            }
        }
    }
}

/// Opens `path` (a local path or a remote URL, of `size` bytes) for reading from byte
/// `start`, expecting to stop near `hint_end` (a remote object is then fetched in ranges up to
/// there, see [`RangeReader`]).
pub fn open_range(
    stores: &Stores,
    path: &str,
    start: u64,
    hint_end: u64,
    size: u64,
) -> Result<Box<dyn Read + Send>> {
    match parse_remote(path)? {
        None => {
            let local = path.strip_prefix("file://").unwrap_or(path);
            let mut file = std::fs::File::open(local).map_err(|e| EngineError::io(local, &e))?;
            if start > 0 {
                file.seek(SeekFrom::Start(start))
                    .map_err(|e| EngineError::io(local, &e))?;
            }
            Ok(Box::new(file))
        }
        Some(remote) => {
            let store = stores.store(&remote)?;
            if start == 0 && hint_end >= size {
                // The whole object (a compressed file, an unsplit one): one streaming GET.
                return Ok(Box::new(StreamReader::open(store.as_ref(), remote)?));
            }
            Ok(Box::new(RangeReader::new(
                store, remote, start, size, hint_end,
            )))
        }
    }
}

/// The stored bytes of `path`, a local path or a remote URL.
pub fn read_all(stores: &Stores, path: &str) -> Result<Vec<u8>> {
    match parse_remote(path)? {
        None => {
            let local = path.strip_prefix("file://").unwrap_or(path);
            std::fs::read(local).map_err(|e| EngineError::io(local, &e))
        }
        Some(remote) => {
            let store = stores.store(&remote)?;
            Ok(read_object(store.as_ref(), &remote)?.to_vec())
        }
    }
}
