//! [`Output`]: the directory a write goes to, a local directory or a prefix of a remote store,
//! and the few file operations the commit protocol needs, on paths relative to it (`/`
//! separated). Local operations use `std::fs` (a rename is atomic and cheap); remote ones go
//! through `ember_engine::store` (`object_store`: a move is a server-side copy and a delete,
//! deletes are bulk requests, many requests in flight at once).

use crate::error::Result;
use ember_engine::EngineError;
use ember_engine::store::{self, ObjectWriter, RemotePath, Stores, parse_remote};
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where a write's files go.
#[derive(Clone, Debug)]
pub(crate) struct Output {
    /// The path as the caller named it (for messages).
    name: String,
    root: Root,
}

#[derive(Clone, Debug)]
enum Root {
    /// An absolute local directory.
    Local(PathBuf),
    /// A remote "directory": the objects below its key.
    Remote(Arc<Stores>, RemotePath),
}

/// What is at an output's path before a write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Existing {
    /// Nothing.
    Nothing,
    /// A file (a remote object with the directory's key, and nothing below it).
    File,
    /// A directory (remote: objects below the key).
    Dir,
}

fn io_error(path: &Path, e: &io::Error) -> EngineError {
    EngineError::io(path.display(), e)
}

impl Output {
    /// The output at `path`: a local path, a `file://` URL or a remote store's URL.
    pub(crate) fn new(stores: &Arc<Stores>, path: &str) -> Result<Output> {
        let root = match parse_remote(path)? {
            Some(dir) => {
                let key = dir.key.trim_end_matches('/').to_string();
                Root::Remote(Arc::clone(stores), dir.with_key(key))
            }
            None => {
                let local = path.strip_prefix("file://").unwrap_or(path);
                return Output::local(Path::new(local), path);
            }
        };
        Ok(Output {
            name: path.to_string(),
            root,
        })
    }

    /// The local directory `path`, named `name` in messages.
    pub(crate) fn local(path: &Path, name: &str) -> Result<Output> {
        let absolute = std::path::absolute(path).map_err(|e| io_error(path, &e))?;
        Ok(Output {
            name: name.to_string(),
            root: Root::Local(absolute),
        })
    }

    /// The path as the caller named it.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// Whether the output is on the local file system.
    pub(crate) fn is_local(&self) -> bool {
        matches!(self.root, Root::Local(_))
    }

    fn local_path(root: &Path, rel: &str) -> PathBuf {
        if rel.is_empty() {
            root.to_path_buf()
        } else {
            root.join(rel)
        }
    }

    fn remote_path(dir: &RemotePath, rel: &str) -> RemotePath {
        if rel.is_empty() {
            dir.clone()
        } else {
            dir.child(rel)
        }
    }

    /// `rel` (below the output) as a local path or a URL, as DataFusion's sinks take it.
    pub(crate) fn url(&self, rel: &str) -> String {
        match &self.root {
            Root::Local(root) => Self::local_path(root, rel).to_string_lossy().into_owned(),
            Root::Remote(_, dir) => Self::remote_path(dir, rel).url(),
        }
    }

    /// What is at the output's path now.
    pub(crate) fn existing(&self) -> Result<Existing> {
        Ok(match &self.root {
            Root::Local(root) => match root.symlink_metadata() {
                Err(_) => Existing::Nothing,
                Ok(_) if root.is_dir() => Existing::Dir,
                Ok(_) => Existing::File,
            },
            Root::Remote(stores, dir) => {
                let at = store::occupancy(stores, dir)?;
                match (at.object, at.below) {
                    (_, true) => Existing::Dir,
                    (true, false) => Existing::File,
                    (false, false) => Existing::Nothing,
                }
            }
        })
    }

    /// Removes the file (remote: the object) at the output's own path, if any.
    pub(crate) fn remove_own_file(&self) -> Result<()> {
        match &self.root {
            Root::Local(root) => match std::fs::remove_file(root) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => Err(io_error(root, &e).into()),
                _ => Ok(()),
            },
            Root::Remote(stores, dir) => Ok(store::delete_object(stores, dir)?),
        }
    }

    /// Makes the directory `rel` (local outputs; a remote store has no directories).
    pub(crate) fn create_dir(&self, rel: &str) -> Result<()> {
        if let Root::Local(root) = &self.root {
            let dir = Self::local_path(root, rel);
            std::fs::create_dir_all(&dir).map_err(|e| io_error(&dir, &e))?;
        }
        Ok(())
    }

    /// A writer of the new file `rel`. Remote, nothing is visible before
    /// [`finish`](PartWriter::finish) (and a multipart upload starts past 5 MiB).
    pub(crate) fn create(&self, rel: &str) -> std::result::Result<PartWriter, EngineError> {
        Ok(match &self.root {
            Root::Local(root) => {
                let path = Self::local_path(root, rel);
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent).map_err(|e| io_error(parent, &e))?;
                }
                let file = File::create(&path).map_err(|e| io_error(&path, &e))?;
                PartWriter::Local {
                    file: BufWriter::with_capacity(1 << 16, file),
                    path,
                }
            }
            Root::Remote(stores, dir) => {
                let path = Self::remote_path(dir, rel);
                PartWriter::Remote(ObjectWriter::new(stores.store(&path)?, path))
            }
        })
    }

    /// Every file below `rel` (all depths), relative to the output, sorted; nothing there
    /// gives an empty list.
    pub(crate) fn list(&self, rel: &str) -> Result<Vec<String>> {
        let mut files = match &self.root {
            Root::Local(root) => {
                let mut files = Vec::new();
                list_local(&Self::local_path(root, rel), rel, &mut files)?;
                files
            }
            Root::Remote(stores, dir) => {
                let below = store::list_relative(stores, &Self::remote_path(dir, rel))?;
                if rel.is_empty() {
                    below
                } else {
                    below.into_iter().map(|k| format!("{rel}/{k}")).collect()
                }
            }
        };
        files.sort();
        Ok(files)
    }

    /// Moves each file `from` to `to`. On failure, the first error and the indices of the
    /// moves that were done.
    pub(crate) fn move_files(
        &self,
        moves: &[(String, String)],
    ) -> std::result::Result<(), (EngineError, Vec<usize>)> {
        match &self.root {
            Root::Local(root) => {
                for (i, (from, to)) in moves.iter().enumerate() {
                    let (from, to) = (root.join(from), root.join(to));
                    move_local(&from, &to).map_err(|e| (e, (0..i).collect()))?;
                }
                Ok(())
            }
            Root::Remote(stores, dir) => store::move_objects(stores, dir, moves),
        }
    }

    /// Deletes the files `rels` (missing ones are no error).
    pub(crate) fn delete_files(&self, rels: &[String]) -> Result<()> {
        match &self.root {
            Root::Local(root) => {
                for rel in rels {
                    let path = root.join(rel);
                    match std::fs::remove_file(&path) {
                        Err(e) if e.kind() != io::ErrorKind::NotFound => {
                            return Err(io_error(&path, &e).into());
                        }
                        _ => {}
                    }
                }
                Ok(())
            }
            Root::Remote(stores, dir) => Ok(store::delete_objects(stores, dir, rels)?),
        }
    }

    /// Removes the directory `rel` and everything below it.
    pub(crate) fn remove_tree(&self, rel: &str) -> Result<()> {
        match &self.root {
            Root::Local(root) => {
                let dir = Self::local_path(root, rel);
                match std::fs::remove_dir_all(&dir) {
                    Err(e) if e.kind() != io::ErrorKind::NotFound => Err(io_error(&dir, &e).into()),
                    _ => Ok(()),
                }
            }
            Root::Remote(..) => self.delete_files(&self.list(rel)?),
        }
    }

    /// Removes the empty directories below the output, except `keep` (local outputs: what
    /// deleting files leaves behind; a remote store has no directories).
    pub(crate) fn prune_empty_dirs(&self, keep: &str) -> Result<()> {
        if let Root::Local(root) = &self.root {
            prune_local(root, &root.join(keep))?;
        }
        Ok(())
    }

    /// Removes the directory `rel` if it is empty (local outputs).
    pub(crate) fn remove_empty_dir(&self, rel: &str) {
        if let Root::Local(root) = &self.root {
            let _ = std::fs::remove_dir(Self::local_path(root, rel));
        }
    }

    /// Writes the empty file `rel` (a marker).
    pub(crate) fn put_marker(&self, rel: &str) -> Result<()> {
        match &self.root {
            Root::Local(root) => {
                let path = root.join(rel);
                std::fs::write(&path, b"").map_err(|e| io_error(&path, &e))?;
                Ok(())
            }
            Root::Remote(stores, dir) => Ok(store::put_empty(stores, &dir.child(rel))?),
        }
    }
}

/// Adds the files below `dir` (named `rel` relative to the output) to `out`.
fn list_local(dir: &Path, rel: &str, out: &mut Vec<String>) -> Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io_error(dir, &e).into()),
    };
    for entry in entries {
        let entry = entry.map_err(|e| io_error(dir, &e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let child = if rel.is_empty() {
            name
        } else {
            format!("{rel}/{name}")
        };
        let kind = entry.file_type().map_err(|e| io_error(&entry.path(), &e))?;
        if kind.is_dir() {
            list_local(&entry.path(), &child, out)?;
        } else {
            out.push(child);
        }
    }
    Ok(())
}

/// Renames `from` to `to`, making `to`'s directory first if it is missing.
fn move_local(from: &Path, to: &Path) -> std::result::Result<(), EngineError> {
    match std::fs::rename(from, to) {
        Err(e) if e.kind() == io::ErrorKind::NotFound && from.exists() => {
            let parent = to.parent().unwrap_or(to);
            std::fs::create_dir_all(parent).map_err(|e| io_error(parent, &e))?;
            std::fs::rename(from, to).map_err(|e| io_error(from, &e))
        }
        r => r.map_err(|e| io_error(from, &e)),
    }
}

/// Removes the empty directories below `dir` but `keep`; whether `dir` is empty after it.
fn prune_local(dir: &Path, keep: &Path) -> Result<bool> {
    let mut empty = true;
    for entry in std::fs::read_dir(dir).map_err(|e| io_error(dir, &e))? {
        let path = entry.map_err(|e| io_error(dir, &e))?.path();
        let is_dir = path.symlink_metadata().is_ok_and(|m| m.is_dir());
        if is_dir && path != keep && prune_local(&path, keep)? {
            std::fs::remove_dir(&path).map_err(|e| io_error(&path, &e))?;
        } else {
            empty = false;
        }
    }
    Ok(empty)
}

/// A part file being written: a buffered local file, or an [`ObjectWriter`].
pub(crate) enum PartWriter {
    /// A local file.
    Local {
        /// The buffered file.
        file: BufWriter<File>,
        /// Its path (for messages).
        path: PathBuf,
    },
    /// A remote object.
    Remote(ObjectWriter),
}

impl Write for PartWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            PartWriter::Local { file, .. } => file.write(buf),
            PartWriter::Remote(w) => w.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            PartWriter::Local { file, .. } => file.write_all(buf),
            PartWriter::Remote(w) => w.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            PartWriter::Local { file, .. } => file.flush(),
            PartWriter::Remote(w) => w.flush(),
        }
    }
}

impl PartWriter {
    /// Completes the file: flushed to disk, or the object written (its upload completed).
    pub(crate) fn finish(self) -> std::result::Result<(), EngineError> {
        match self {
            PartWriter::Local { mut file, path } => file.flush().map_err(|e| io_error(&path, &e)),
            PartWriter::Remote(w) => w.finish(),
        }
    }
}
