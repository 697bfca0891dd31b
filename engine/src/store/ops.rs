//! Changing what a remote "directory" holds: the operations of an output commit (listing the
//! objects below a prefix, moving objects by server-side copy and delete, deleting, writing an
//! empty marker). Every function addresses objects by keys relative to a directory `dir` of
//! one store, and runs many requests at once.

use super::listing::store_error;
use super::location::RemotePath;
use super::stores::Stores;
use crate::error::{EngineError, Result};
use crate::sql::runtime::block_on;
use futures::{StreamExt, TryStreamExt};
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use std::sync::Arc;

/// Requests in flight at once while moving or deleting objects.
const REQUESTS_IN_FLIGHT: usize = 16;

/// What is stored at a remote directory's key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Occupancy {
    /// An object has the directory's own key (a "file" of that name).
    pub object: bool,
    /// Objects exist below `dir/`.
    pub below: bool,
}

impl Occupancy {
    /// Whether anything is stored there.
    pub fn any(self) -> bool {
        self.object || self.below
    }
}

/// The prefix `object_store` lists below `dir`, `None` for a bucket's root.
fn prefix(dir: &RemotePath) -> Option<object_store::path::Path> {
    let key = dir.key.trim_end_matches('/');
    (!key.is_empty()).then(|| super::location::object_path(key))
}

/// What `dir` holds: an object at its key, objects below it (one listing request).
pub fn occupancy(stores: &Stores, dir: &RemotePath) -> Result<Occupancy> {
    let store = stores.store(dir)?;
    let key = dir.key.trim_end_matches('/');
    block_on(async {
        let object = if key.is_empty() {
            false
        } else {
            match store.head(&dir.with_key(key).object()).await {
                Ok(_) => true,
                Err(object_store::Error::NotFound { .. }) => false,
                Err(e) => return Err(store_error(dir, e)),
            }
        };
        let first = store.list(prefix(dir).as_ref()).next().await;
        let below = match first {
            None => false,
            Some(Ok(_)) => true,
            Some(Err(e)) => return Err(store_error(dir, e)),
        };
        Ok(Occupancy { object, below })
    })
}

/// The keys of every object below `dir` (all depths, hidden ones too; directory markers left
/// out), relative to `dir`, sorted. Nothing below it gives an empty list.
pub fn list_relative(stores: &Stores, dir: &RemotePath) -> Result<Vec<String>> {
    let store = stores.store(dir)?;
    let listed: Vec<object_store::ObjectMeta> =
        block_on(store.list(prefix(dir).as_ref()).try_collect())
            .map_err(|e| store_error(dir, e))?;
    let base = dir.key.trim_end_matches('/');
    let mut keys: Vec<String> = listed
        .into_iter()
        .map(|m| m.location.to_string())
        .filter(|k| !k.ends_with('/'))
        .map(|k| match base {
            "" => k,
            b => k
                .strip_prefix(b)
                .and_then(|r| r.strip_prefix('/'))
                .map(str::to_string)
                .unwrap_or(k),
        })
        .collect();
    keys.sort();
    Ok(keys)
}

/// Moves each object `from` to `to` (keys relative to `dir`): a server-side copy, then a
/// delete of the source (what `object_store` does for a rename on S3; a rename on a local
/// file system). On failure, the first error and the indices of the moves that completed.
pub fn move_objects(
    stores: &Stores,
    dir: &RemotePath,
    moves: &[(String, String)],
) -> std::result::Result<(), (EngineError, Vec<usize>)> {
    let store = stores.store(dir).map_err(|e| (e, Vec::new()))?;
    let results: Vec<(usize, Result<()>)> = block_on(
        futures::stream::iter(moves.iter().enumerate())
            .map(|(i, (from, to))| {
                let store = Arc::clone(&store);
                let (from, to) = (dir.child(from), dir.child(to));
                async move {
                    let moved = store
                        .rename(&from.object(), &to.object())
                        .await
                        .map_err(|e| store_error(&from, e));
                    (i, moved)
                }
            })
            .buffer_unordered(REQUESTS_IN_FLIGHT)
            .collect(),
    );
    let mut done = Vec::new();
    let mut first_error = None;
    for (i, r) in results {
        match r {
            Ok(()) => done.push(i),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    match first_error {
        None => Ok(()),
        Some(e) => {
            done.sort_unstable();
            Err((e, done))
        }
    }
}

/// Deletes the objects at `keys` (relative to `dir`; missing ones are no error), in the
/// store's bulk requests where it has them (S3's DeleteObjects).
pub fn delete_objects(stores: &Stores, dir: &RemotePath, keys: &[String]) -> Result<()> {
    if keys.is_empty() {
        return Ok(());
    }
    let store = stores.store(dir)?;
    let paths: Vec<object_store::Result<object_store::path::Path>> =
        keys.iter().map(|k| Ok(dir.child(k).object())).collect();
    let results: Vec<object_store::Result<object_store::path::Path>> = block_on(
        store
            .delete_stream(futures::stream::iter(paths).boxed())
            .collect(),
    );
    for r in results {
        match r {
            Ok(_) | Err(object_store::Error::NotFound { .. }) => {}
            Err(e) => return Err(store_error(dir, e)),
        }
    }
    Ok(())
}

/// Deletes the object at `path`, if there is one.
pub fn delete_object(stores: &Stores, path: &RemotePath) -> Result<()> {
    let store = stores.store(path)?;
    match block_on(store.delete(&path.object())) {
        Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
        Err(e) => Err(store_error(path, e)),
    }
}

/// Writes an empty object at `path` (a marker such as `_SUCCESS`).
pub fn put_empty(stores: &Stores, path: &RemotePath) -> Result<()> {
    let store = stores.store(path)?;
    block_on(store.put(&path.object(), PutPayload::new()))
        .map(|_| ())
        .map_err(|e| store_error(path, e))
}
