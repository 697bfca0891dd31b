//! The one path layer of every file source and sink: local paths and globs, `file://` URLs,
//! and objects of remote stores (`s3://`, `gs://`, `az://`/`abfss://`, `http(s)://`)
//! through `object_store`.
//!
//! Start at [`list_files`], which resolves a path string (files, directories, globs, comma
//! lists) into [`SourceFile`]s with their sizes. [`Stores`] builds and caches one client per
//! bucket from the environment and the conf (and is DataFusion's object store registry too,
//! so SQL reads the same stores); [`RangeReader`] and [`ObjectWriter`] are the blocking byte
//! streams task threads read splits through and write part files with.

mod io;
mod listing;
mod location;
mod ops;
mod stores;

pub use io::{
    ObjectWriter, PART_BYTES, RangeReader, StreamReader, open_range, read_all, read_object,
};
pub use listing::{SourceFile, head, list_files, list_tree, store_error};
pub use location::{RemotePath, is_remote, object_path, parse_remote, store_key};
pub use ops::{
    Occupancy, delete_object, delete_objects, list_relative, move_objects, occupancy, put_empty,
};
pub use stores::Stores;
