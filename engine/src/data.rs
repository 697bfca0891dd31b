//! What an RDD element may be, and the conversion of elements to and from Arrow.
//!
//! Inside a task, elements flow as plain Rust values in chunks (`Vec<T>`) through fused
//! iterators. At the boundaries (shuffle, cache, checkpoint) a chunk becomes an Arrow
//! [`RecordBatch`] with one column, `value`, whose Arrow type follows the element's serde shape
//! (numbers, strings, tuples as structs with fields `0`, `1`, ..., `Option` as nullable, `Vec` as
//! a list, derived structs as structs, maps as Arrow maps).
//!
//! One shape has no faithful Arrow form: an `Option` directly inside an `Option` (`Some(None)`
//! and `None` would both become null). Element types that show it in their name (outer joins of
//! optional values do) are stored instead as a binary column of postcard-encoded values, marked
//! by the field metadata `ember.encoding = postcard`, so nothing is lost.

use crate::error::{EngineError, Result};
use arrow::datatypes::{FieldRef, Schema};
use arrow::record_batch::RecordBatch;
use parking_lot::RwLock;
use serde::de::DeserializeOwned;
use serde::ser::{SerializeSeq, SerializeStruct};
use serde::{Deserialize, Serialize, Serializer};
use serde_arrow::schema::{SchemaLike, TracingOptions};
use std::any::TypeId;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, OnceLock};

/// An element of an RDD: any owned, thread-safe value that serde can (de)serialise.
pub trait Data: Clone + Send + Sync + Serialize + DeserializeOwned + 'static {}
impl<T> Data for T where T: Clone + Send + Sync + Serialize + DeserializeOwned + 'static {}

/// A key of a pair RDD: data that can be hashed and compared for equality.
pub trait Key: Data + Eq + Hash {}
impl<T> Key for T where T: Data + Eq + Hash {}

/// Elements of one partition travel between operators in chunks of about this many.
pub const CHUNK_ROWS: usize = 1024;

/// Rows per record batch when a partition is converted to Arrow.
pub const BATCH_ROWS: usize = 65_536;

struct Rows<'a, T>(&'a [T]);
struct RowRef<'a, T>(&'a T);

impl<T: Serialize> Serialize for Rows<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for item in self.0 {
            seq.serialize_element(&RowRef(item))?;
        }
        seq.end()
    }
}

impl<T: Serialize> Serialize for RowRef<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Row", 1)?;
        st.serialize_field("value", self.0)?;
        st.end()
    }
}

#[derive(Deserialize)]
struct Row<T> {
    value: T,
}

fn tracing_options() -> TracingOptions {
    TracingOptions::default()
        .allow_null_fields(true)
        .enums_without_data_as_strings(true)
        .strings_as_large_utf8(false)
        .map_as_struct(false)
}

fn schema_cache() -> &'static RwLock<HashMap<TypeId, Arc<Vec<FieldRef>>>> {
    static CACHE: OnceLock<RwLock<HashMap<TypeId, Arc<Vec<FieldRef>>>>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

fn conversion_error<T>(message: impl std::fmt::Display) -> EngineError {
    EngineError::Conversion {
        type_name: std::any::type_name::<T>().to_string(),
        message: message.to_string(),
    }
}

/// The Arrow fields used for elements of type `T` (traced once per type, then cached).
fn fields_for<T: Data>(sample: &[T]) -> Result<Arc<Vec<FieldRef>>> {
    let key = TypeId::of::<T>();
    if let Some(fields) = schema_cache().read().get(&key) {
        return Ok(Arc::clone(fields));
    }
    let fields = match Vec::<FieldRef>::from_type::<Row<T>>(tracing_options()) {
        Ok(f) => f,
        Err(type_err) => {
            if sample.is_empty() {
                return Err(conversion_error::<T>(type_err));
            }
            // Types serde cannot describe statically (e.g. maps with dynamic keys) are traced
            // from values instead; such a schema is not cached since another sample may differ.
            let f = Vec::<FieldRef>::from_samples(Rows(sample), tracing_options())
                .map_err(conversion_error::<T>)?;
            return Ok(Arc::new(f));
        }
    };
    let fields = Arc::new(fields);
    schema_cache().write().insert(key, Arc::clone(&fields));
    Ok(fields)
}

/// Field metadata key naming a non-Arrow encoding of the `value` column.
pub const ENCODING_KEY: &str = "ember.encoding";

/// True for element types whose Arrow form would lose information (nested options).
fn needs_binary<T>() -> bool {
    std::any::type_name::<T>().contains("Option<core::option::Option<")
}

fn to_binary_batch<T: Data>(items: &[T]) -> Result<RecordBatch> {
    use arrow::array::BinaryBuilder;
    use arrow::datatypes::{DataType, Field};
    let mut b = BinaryBuilder::with_capacity(items.len(), items.len() * 16);
    for item in items {
        b.append_value(postcard::to_allocvec(item).map_err(conversion_error::<T>)?);
    }
    let meta = HashMap::from([(ENCODING_KEY.to_string(), "postcard".to_string())]);
    let field = Field::new("value", DataType::Binary, false).with_metadata(meta);
    RecordBatch::try_new(
        Arc::new(Schema::new(vec![field])),
        vec![Arc::new(b.finish())],
    )
    .map_err(conversion_error::<T>)
}

fn from_binary_batch<T: Data>(batch: &RecordBatch) -> Result<Vec<T>> {
    let col = batch
        .column(0)
        .as_any()
        .downcast_ref::<arrow::array::BinaryArray>()
        .ok_or_else(|| conversion_error::<T>("postcard-encoded column is not binary"))?;
    col.iter()
        .map(|v| postcard::from_bytes(v.unwrap_or_default()).map_err(conversion_error::<T>))
        .collect()
}

/// Converts a slice of elements into one record batch with a single `value` column.
pub fn to_batch<T: Data>(items: &[T]) -> Result<RecordBatch> {
    if needs_binary::<T>() {
        return to_binary_batch(items);
    }
    let fields = fields_for(items)?;
    serde_arrow::to_record_batch(&fields, &Rows(items)).map_err(conversion_error::<T>)
}

/// Converts elements into record batches of at most [`BATCH_ROWS`] rows each.
pub fn to_batches<T: Data>(items: &[T]) -> Result<Vec<RecordBatch>> {
    if items.is_empty() {
        return Ok(vec![to_batch::<T>(&[])?]);
    }
    items.chunks(BATCH_ROWS).map(to_batch).collect()
}

/// Converts a record batch made by [`to_batch`] back into elements.
pub fn from_batch<T: Data>(batch: &RecordBatch) -> Result<Vec<T>> {
    let encoded = batch
        .schema_ref()
        .fields()
        .first()
        .and_then(|f| f.metadata().get(ENCODING_KEY).cloned());
    if encoded.as_deref() == Some("postcard") {
        return from_binary_batch(batch);
    }
    let rows: Vec<Row<T>> = serde_arrow::from_record_batch(batch).map_err(conversion_error::<T>)?;
    Ok(rows.into_iter().map(|r| r.value).collect())
}

/// The Arrow schema of elements of type `T`, if serde can describe it without samples.
pub fn schema_of<T: Data>() -> Result<Schema> {
    let fields = fields_for::<T>(&[])?;
    Ok(Schema::new(fields.as_ref().clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    struct Person {
        name: String,
        age: Option<u32>,
        tags: Vec<String>,
    }

    fn round_trip<T: Data + PartialEq + std::fmt::Debug>(items: Vec<T>) {
        let batch = to_batch(&items).unwrap();
        assert_eq!(batch.num_rows(), items.len());
        assert_eq!(from_batch::<T>(&batch).unwrap(), items);
    }

    #[test]
    fn numbers_strings_tuples_options_vecs_structs() {
        round_trip(vec![1i64, -2, 3]);
        round_trip(vec![1.5f64, f64::MAX]);
        round_trip(vec!["a".to_string(), String::new(), "ü".to_string()]);
        round_trip(vec![("a".to_string(), 1u64), ("b".to_string(), 2)]);
        round_trip(vec![Some(1i32), None]);
        round_trip(vec![vec![1u8, 2], vec![]]);
        round_trip(vec![(1i32, (Some("x".to_string()), vec![2.0f64]))]);
        round_trip(vec![Person {
            name: "ann".into(),
            age: None,
            tags: vec!["t".into()],
        }]);
        round_trip(Vec::<(String, i64)>::new());
        round_trip(vec![
            (1u8, (Some(1i32), Some(None::<i32>))),
            (2, (None, None)),
        ]);
        round_trip(vec![std::collections::BTreeMap::from([(
            1u32,
            "a".to_string(),
        )])]);
    }

    #[test]
    fn batches_split_at_batch_rows() {
        let items: Vec<u32> = (0..(BATCH_ROWS as u32 + 5)).collect();
        let batches = to_batches(&items).unwrap();
        assert_eq!(batches.len(), 2);
        assert_eq!(batches[1].num_rows(), 5);
    }
}
