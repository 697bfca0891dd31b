//! Spark's [`Row`] and [`DataFrame::rdd`](crate::sql::DataFrame::rdd): the rows of a query as
//! an `Rdd<Row>`. (The other way, `rdd.to_df()`, is in [`read`](super::read).)
//!
//! A [`Row`] holds its values by position ([`Value`]: null, booleans, 64-bit integers and
//! floats, strings, binary, dates, timestamps, decimals, lists, maps and structs) and the field
//! names of the query, shared by every row of a partition.
//!
//! `Row` and `Value` are RDD elements like any other (cached, shuffled, checkpointed). As a
//! value may nest to any depth, they have no one fixed Arrow type: their serde form is one byte
//! string in a compact binary encoding (a binary Arrow column where Ember stores them).

use crate::error::Result;
use arrow::array::{Array, ArrayRef, AsArray, RecordBatch, make_array};
use arrow::datatypes::{
    ArrowPrimitiveType, DataType, Date32Type, Date64Type, Decimal128Type, Float64Type, Int64Type,
    TimeUnit, TimestampMicrosecondType, UInt64Type,
};
use arrow::util::display::{ArrayFormatter, FormatOptions};
use ember_engine::EngineError;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;
use std::sync::Arc;

/// One value of a [`Row`] (Spark's SQL types, as Rust values).
///
/// Integers of every width (and unsigned ones up to `i64::MAX`) are `Int`; larger `u64` values
/// are a `Decimal` of scale 0. Floats of every width are `Float`. Types without a variant here
/// (times of day, durations, intervals, unions) are given as their display string.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// SQL `NULL`.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// A string.
    Str(String),
    /// Bytes.
    Binary(Vec<u8>),
    /// A date: days since 1970-01-01.
    Date(i32),
    /// A timestamp: microseconds since 1970-01-01 00:00:00 UTC.
    Timestamp(i64),
    /// A decimal number: `unscaled / 10^scale`.
    Decimal {
        /// The digits, as an integer.
        unscaled: i128,
        /// How many of the digits are after the decimal point.
        scale: i8,
    },
    /// A list (SQL array).
    List(Vec<Value>),
    /// A map, as its key-value entries in order.
    Map(Vec<(Value, Value)>),
    /// A struct, as its named fields in order.
    Struct(Vec<(String, Value)>),
}

/// `pub fn $name(&self) -> Option<$t>`: the payload of variant `$variant`, else `None`.
macro_rules! accessor {
    ($(#[$doc:meta] $name:ident -> $t:ty, $pat:pat => $val:expr;)*) => {
        $(
            #[$doc]
            pub fn $name(&self) -> Option<$t> {
                match self {
                    $pat => Some($val),
                    _ => None,
                }
            }
        )*
    };
}

impl Value {
    /// True for `Null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
    accessor! {
        /// The boolean, if this is one.
        as_bool -> bool, Value::Bool(b) => *b;
        /// The integer, if this is one.
        as_i64 -> i64, Value::Int(i) => *i;
        /// The string, if this is one.
        as_str -> &str, Value::Str(s) => s.as_str();
        /// The bytes, if this is binary.
        as_binary -> &[u8], Value::Binary(b) => b.as_slice();
        /// Days since 1970-01-01, if this is a date.
        as_date -> i32, Value::Date(d) => *d;
        /// Microseconds since the epoch, if this is a timestamp.
        as_timestamp -> i64, Value::Timestamp(t) => *t;
        /// The elements, if this is a list.
        as_list -> &[Value], Value::List(v) => v.as_slice();
        /// The named fields, if this is a struct.
        as_struct -> &[(String, Value)], Value::Struct(v) => v.as_slice();
        /// The entries, if this is a map.
        as_map -> &[(Value, Value)], Value::Map(v) => v.as_slice();
    }
    /// The number as a float: a float, an integer or a decimal.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Float(f) => Some(*f),
            Value::Int(i) => Some(*i as f64),
            Value::Decimal { unscaled, scale } => {
                Some(*unscaled as f64 / 10f64.powi(i32::from(*scale)))
            }
            _ => None,
        }
    }
}

/// Spark's rendering: `null`, dates as `2024-01-31`, timestamps as `2024-01-31 10:00:00`,
/// lists as `[1, 2]`, maps as `{a -> 1}`, structs as `{x: 1, y: b}`.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => write!(f, "{x}"),
            Value::Str(s) => f.write_str(s),
            Value::Binary(b) => write_items(f, "[", b, " ", "]", |f, x| write!(f, "{x:02X}")),
            Value::Date(d) => match arrow::temporal_conversions::date32_to_datetime(*d) {
                Some(t) => write!(f, "{}", t.date()),
                None => write!(f, "date({d})"),
            },
            Value::Timestamp(t) => {
                match arrow::temporal_conversions::timestamp_us_to_datetime(*t) {
                    Some(dt) => write!(f, "{dt}"),
                    None => write!(f, "timestamp({t})"),
                }
            }
            Value::Decimal { unscaled, scale } => write_decimal(f, *unscaled, *scale),
            Value::List(v) => write_items(f, "[", v, ", ", "]", |f, x| write!(f, "{x}")),
            Value::Map(m) => write_items(f, "{", m, ", ", "}", |f, (k, v)| write!(f, "{k} -> {v}")),
            Value::Struct(s) => {
                write_items(f, "{", s, ", ", "}", |f, (k, v)| write!(f, "{k}: {v}"))
            }
        }
    }
}

/// Writes `items` between `open` and `close`, separated by `sep`, each with `one`.
fn write_items<T>(
    f: &mut fmt::Formatter<'_>,
    open: &str,
    items: &[T],
    sep: &str,
    close: &str,
    mut one: impl FnMut(&mut fmt::Formatter<'_>, &T) -> fmt::Result,
) -> fmt::Result {
    f.write_str(open)?;
    for (i, x) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(sep)?;
        }
        one(f, x)?;
    }
    f.write_str(close)
}

fn write_decimal(f: &mut fmt::Formatter<'_>, unscaled: i128, scale: i8) -> fmt::Result {
    if scale <= 0 {
        return write!(f, "{unscaled}{}", "0".repeat(scale.unsigned_abs() as usize));
    }
    let digits = unscaled.unsigned_abs().to_string();
    let scale = scale as usize;
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (int, frac) = padded.split_at(padded.len() - scale);
    write!(f, "{}{int}.{frac}", if unscaled < 0 { "-" } else { "" })
}

/// A row of a DataFrame (Spark's `Row`): values by position, and the field names of the
/// DataFrame it came from (shared by the rows of a partition; empty for a row built by hand).
///
/// ```
/// use ember::sql::rows::{Row, Value};
/// let row = Row::new(vec![Value::Str("ann".into()), Value::Int(31), Value::Null]);
/// assert_eq!(row.get_str(0), Some("ann"));
/// assert_eq!(row.get_i64(1), Some(31));
/// assert!(row.is_null_at(2));
/// assert_eq!(row.to_string(), "[ann,31,null]");
/// ```
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Row {
    names: Arc<[String]>,
    values: Vec<Value>,
}

/// `pub fn $name(&self, i: usize) -> Option<$t>`: value `i` through `Value::$accessor`.
macro_rules! getter {
    ($(#[$doc:meta] $name:ident -> $t:ty = $accessor:ident;)*) => {
        $(
            #[$doc]
            pub fn $name(&self, i: usize) -> Option<$t> {
                self.get(i).and_then(Value::$accessor)
            }
        )*
    };
}

impl Row {
    /// A row of `values` without field names.
    pub fn new(values: Vec<Value>) -> Self {
        Row {
            names: Arc::from(Vec::new()),
            values,
        }
    }

    /// A row of `values` named by `names` (one name per value), or an error if the counts
    /// differ.
    pub fn with_names(names: Arc<[String]>, values: Vec<Value>) -> Result<Self> {
        if !names.is_empty() && names.len() != values.len() {
            return Err(EngineError::invalid(
                "Row::with_names",
                format!("{} names for {} values", names.len(), values.len()),
            )
            .into());
        }
        Ok(Row { names, values })
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.values.len()
    }
    /// True for a row without values.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
    /// The field names (empty if the row has none).
    pub fn field_names(&self) -> &[String] {
        &self.names
    }
    /// The values.
    pub fn values(&self) -> &[Value] {
        &self.values
    }
    /// The values, taken out of the row.
    pub fn into_values(self) -> Vec<Value> {
        self.values
    }
    /// The position of field `name`.
    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }
    /// Value `i`, or `None` past the end.
    pub fn get(&self, i: usize) -> Option<&Value> {
        self.values.get(i)
    }
    /// The value of field `name` (Spark's `getAs(name)`).
    pub fn get_by_name(&self, name: &str) -> Option<&Value> {
        self.field_index(name).and_then(|i| self.values.get(i))
    }
    /// True if value `i` exists and is null.
    pub fn is_null_at(&self, i: usize) -> bool {
        self.get(i).is_some_and(Value::is_null)
    }
    getter! {
        /// Value `i` as a boolean (`None` if missing, null or not a boolean).
        get_bool -> bool = as_bool;
        /// Value `i` as an integer (`None` if missing, null or not an integer).
        get_i64 -> i64 = as_i64;
        /// Value `i` as a float (a float, an integer or a decimal; `None` otherwise).
        get_f64 -> f64 = as_f64;
        /// Value `i` as a string (`None` if missing, null or not a string).
        get_str -> &str = as_str;
        /// Value `i` as a date, in days since 1970-01-01.
        get_date -> i32 = as_date;
        /// Value `i` as a timestamp, in microseconds since the epoch.
        get_timestamp -> i64 = as_timestamp;
        /// Value `i` as a list.
        get_list -> &[Value] = as_list;
        /// Value `i` as a struct's named fields.
        get_struct -> &[(String, Value)] = as_struct;
    }
}

/// Spark's rendering of a row: `[a,1,null]`.
impl fmt::Display for Row {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_items(f, "[", &self.values, ",", "]", |f, v| write!(f, "{v}"))
    }
}

// ---- serde: one byte string in a compact encoding --------------------------------------------

/// Values nest at most this deep in an encoded row (deeper input is rejected, not recursed).
const MAX_DEPTH: usize = 256;

/// A result whose error is a message about malformed input.
type Decoded<T> = std::result::Result<T, String>;

fn put_len(n: usize, out: &mut Vec<u8>) {
    out.extend((n as u64).to_le_bytes());
}

fn put_bytes(b: &[u8], out: &mut Vec<u8>) {
    put_len(b.len(), out);
    out.extend_from_slice(b);
}

/// A tag byte, then `payload`.
fn put_tagged(tag: u8, payload: &[u8], out: &mut Vec<u8>) {
    out.push(tag);
    out.extend_from_slice(payload);
}

/// A tag byte, then `b` with its length.
fn put_tagged_bytes(tag: u8, b: &[u8], out: &mut Vec<u8>) {
    out.push(tag);
    put_bytes(b, out);
}

fn put_value(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Null => out.push(0),
        Value::Bool(b) => put_tagged(1, &[u8::from(*b)], out),
        Value::Int(i) => put_tagged(2, &i.to_le_bytes(), out),
        Value::Float(x) => put_tagged(3, &x.to_bits().to_le_bytes(), out),
        Value::Str(s) => put_tagged_bytes(4, s.as_bytes(), out),
        Value::Binary(b) => put_tagged_bytes(5, b, out),
        Value::Date(d) => put_tagged(6, &d.to_le_bytes(), out),
        Value::Timestamp(t) => put_tagged(7, &t.to_le_bytes(), out),
        Value::Decimal { unscaled, scale } => {
            put_tagged(8, &unscaled.to_le_bytes(), out);
            out.extend(scale.to_le_bytes());
        }
        Value::List(items) => {
            put_tagged(9, &(items.len() as u64).to_le_bytes(), out);
            items.iter().for_each(|x| put_value(x, out));
        }
        Value::Map(entries) => {
            put_tagged(10, &(entries.len() as u64).to_le_bytes(), out);
            for (k, x) in entries {
                put_value(k, out);
                put_value(x, out);
            }
        }
        Value::Struct(fields) => {
            put_tagged(11, &(fields.len() as u64).to_le_bytes(), out);
            for (k, x) in fields {
                put_bytes(k.as_bytes(), out);
                put_value(x, out);
            }
        }
    }
}

/// Reads the encoding back; every length is checked against the bytes left.
struct Decoder<'a> {
    buf: &'a [u8],
}

impl<'a> Decoder<'a> {
    fn take(&mut self, n: usize) -> Decoded<&'a [u8]> {
        if n > self.buf.len() {
            return Err(format!(
                "encoded row truncated: {n} bytes needed, {} left",
                self.buf.len()
            ));
        }
        let (head, rest) = self.buf.split_at(n);
        self.buf = rest;
        Ok(head)
    }
    fn array<const N: usize>(&mut self) -> Decoded<[u8; N]> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }
    /// A count of items, each at least `min_size` bytes long.
    fn len(&mut self, min_size: usize) -> Decoded<usize> {
        let n = u64::from_le_bytes(self.array()?);
        match usize::try_from(n) {
            Ok(n) if n.saturating_mul(min_size) <= self.buf.len() => Ok(n),
            _ => Err(format!("encoded row has a bad length {n}")),
        }
    }
    fn bytes(&mut self) -> Decoded<&'a [u8]> {
        let n = self.len(1)?;
        self.take(n)
    }
    fn string(&mut self) -> Decoded<String> {
        let b = self.bytes()?;
        String::from_utf8(b.to_vec()).map_err(|e| format!("encoded string: {e}"))
    }
    /// `n` items read by `item` (a count read first, each item at least `min_size` bytes).
    fn items<T>(
        &mut self,
        min_size: usize,
        mut item: impl FnMut(&mut Self) -> Decoded<T>,
    ) -> Decoded<Vec<T>> {
        let n = self.len(min_size)?;
        (0..n).map(|_| item(self)).collect()
    }
    fn value(&mut self, depth: usize) -> Decoded<Value> {
        if depth > MAX_DEPTH {
            return Err(format!("encoded value nests deeper than {MAX_DEPTH}"));
        }
        let [tag] = self.array()?;
        let d = depth + 1;
        Ok(match tag {
            0 => Value::Null,
            1 => Value::Bool(self.array::<1>()?[0] != 0),
            2 => Value::Int(i64::from_le_bytes(self.array()?)),
            3 => Value::Float(f64::from_bits(u64::from_le_bytes(self.array()?))),
            4 => Value::Str(self.string()?),
            5 => Value::Binary(self.bytes()?.to_vec()),
            6 => Value::Date(i32::from_le_bytes(self.array()?)),
            7 => Value::Timestamp(i64::from_le_bytes(self.array()?)),
            8 => Value::Decimal {
                unscaled: i128::from_le_bytes(self.array()?),
                scale: i8::from_le_bytes(self.array()?),
            },
            9 => Value::List(self.items(1, |s| s.value(d))?),
            10 => Value::Map(self.items(2, |s| Ok((s.value(d)?, s.value(d)?)))?),
            11 => Value::Struct(self.items(9, |s| Ok((s.string()?, s.value(d)?)))?),
            t => return Err(format!("encoded value has an unknown tag {t}")),
        })
    }
}

fn encode_row(row: &Row) -> Vec<u8> {
    let mut out = Vec::new();
    put_len(row.names.len(), &mut out);
    row.names
        .iter()
        .for_each(|n| put_bytes(n.as_bytes(), &mut out));
    put_len(row.values.len(), &mut out);
    row.values.iter().for_each(|v| put_value(v, &mut out));
    out
}

/// An empty input (what serde's type tracing passes) is the empty row.
fn decode_row(buf: &[u8]) -> Decoded<Row> {
    if buf.is_empty() {
        return Ok(Row::default());
    }
    let mut d = Decoder { buf };
    let names: Vec<String> = d.items(8, |d| d.string())?;
    let values = d.items(1, |d| d.value(0))?;
    Ok(Row {
        names: names.into(),
        values,
    })
}

/// An empty input is `Null`.
fn decode_value(buf: &[u8]) -> Decoded<Value> {
    if buf.is_empty() {
        return Ok(Value::Null);
    }
    Decoder { buf }.value(0)
}

/// Accepts the byte string (or, from formats without bytes, a sequence of numbers).
struct BytesVisitor<T>(fn(&[u8]) -> Decoded<T>);

impl<'de, T> Visitor<'de> for BytesVisitor<T> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an encoded Ember row or value (bytes)")
    }
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> std::result::Result<T, E> {
        (self.0)(v).map_err(E::custom)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<T, A::Error> {
        let mut buf = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 20));
        while let Some(b) = seq.next_element::<u8>()? {
            buf.push(b);
        }
        (self.0)(&buf).map_err(de::Error::custom)
    }
}

impl Serialize for Row {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_bytes(&encode_row(self))
    }
}

impl<'de> Deserialize<'de> for Row {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_bytes(BytesVisitor(decode_row))
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut out = Vec::new();
        put_value(self, &mut out);
        s.serialize_bytes(&out)
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_bytes(BytesVisitor(decode_value))
    }
}

// ---- Arrow columns to values -----------------------------------------------------------------

/// A result whose error is a conversion error.
type Converted<T> = std::result::Result<T, EngineError>;

/// A conversion error about Arrow data and rows.
pub(super) fn conversion(message: impl fmt::Display) -> EngineError {
    EngineError::Conversion {
        type_name: "ember::sql::rows::Row".to_string(),
        message: message.to_string(),
    }
}

fn cast(array: &dyn Array, to: &DataType) -> Converted<ArrayRef> {
    arrow::compute::cast(&make_array(array.to_data()), to).map_err(conversion)
}

fn opt<T>(v: Option<T>, f: impl FnOnce(T) -> Value) -> Value {
    v.map_or(Value::Null, f)
}

/// The values of a primitive column, each made a [`Value`] by `f`.
fn prims<P: ArrowPrimitiveType>(array: &dyn Array, f: impl Fn(P::Native) -> Value) -> Vec<Value> {
    array
        .as_primitive::<P>()
        .iter()
        .map(|v| opt(v, &f))
        .collect()
}

/// Cuts `child` (the values of a list or map column, in offset order) into one value per row,
/// made by `make`; `ranges` are the rows' `(start, end)` offsets, `None` for a null row.
fn group<T>(
    child: Vec<T>,
    ranges: impl Iterator<Item = Option<(usize, usize)>>,
    make: fn(Vec<T>) -> Value,
) -> Vec<Value> {
    let mut it = child.into_iter();
    let mut pos = 0;
    let mut out = Vec::new();
    for r in ranges {
        match r {
            Some((start, end)) if start >= pos && end >= start => {
                it.by_ref().take(start - pos).for_each(drop);
                out.push(make(it.by_ref().take(end - start).collect()));
                pos = end;
            }
            _ => out.push(Value::Null),
        }
    }
    out
}

/// The values of a column, one per row.
fn column_values(array: &dyn Array) -> Converted<Vec<Value>> {
    use DataType as T;
    let n = array.len();
    let strings = |it: &mut dyn Iterator<Item = Option<&str>>| {
        it.map(|v| opt(v, |s| Value::Str(s.to_string()))).collect()
    };
    let bytes = |it: &mut dyn Iterator<Item = Option<&[u8]>>| {
        it.map(|v| opt(v, |b| Value::Binary(b.to_vec()))).collect()
    };
    Ok(match array.data_type() {
        T::Null => vec![Value::Null; n],
        T::Boolean => array
            .as_boolean()
            .iter()
            .map(|v| opt(v, Value::Bool))
            .collect(),
        T::Int8 | T::Int16 | T::Int32 | T::Int64 | T::UInt8 | T::UInt16 | T::UInt32 => {
            prims::<Int64Type>(cast(array, &T::Int64)?.as_ref(), Value::Int)
        }
        T::UInt64 => prims::<UInt64Type>(array, |x| match i64::try_from(x) {
            Ok(i) => Value::Int(i),
            Err(_) => Value::Decimal {
                unscaled: i128::from(x),
                scale: 0,
            },
        }),
        T::Float16 | T::Float32 | T::Float64 => {
            prims::<Float64Type>(cast(array, &T::Float64)?.as_ref(), Value::Float)
        }
        T::Utf8 => strings(&mut array.as_string::<i32>().iter()),
        T::LargeUtf8 => strings(&mut array.as_string::<i64>().iter()),
        T::Utf8View => strings(&mut array.as_string_view().iter()),
        T::Binary => bytes(&mut array.as_binary::<i32>().iter()),
        T::LargeBinary => bytes(&mut array.as_binary::<i64>().iter()),
        T::BinaryView => bytes(&mut array.as_binary_view().iter()),
        T::FixedSizeBinary(_) => bytes(&mut array.as_fixed_size_binary().iter()),
        T::Date32 => prims::<Date32Type>(array, Value::Date),
        T::Date64 => prims::<Date64Type>(array, |ms| Value::Date(ms.div_euclid(86_400_000) as i32)),
        T::Timestamp(..) => {
            let micros = cast(array, &T::Timestamp(TimeUnit::Microsecond, None))?;
            prims::<TimestampMicrosecondType>(micros.as_ref(), Value::Timestamp)
        }
        T::Decimal32(_, s) | T::Decimal64(_, s) | T::Decimal128(_, s) => {
            let scale = *s;
            let wide = cast(array, &T::Decimal128(38, scale))?;
            prims::<Decimal128Type>(wide.as_ref(), |unscaled| Value::Decimal { unscaled, scale })
        }
        T::Decimal256(_, s) => {
            let too_wide = |x| conversion(format!("decimal {x} does not fit in 128 bits"));
            let a = array.as_primitive::<arrow::datatypes::Decimal256Type>();
            a.iter()
                .map(|v| match v {
                    None => Ok(Value::Null),
                    Some(x) => {
                        x.to_i128()
                            .ok_or_else(|| too_wide(x))
                            .map(|unscaled| Value::Decimal {
                                unscaled,
                                scale: *s,
                            })
                    }
                })
                .collect::<std::result::Result<_, _>>()?
        }
        T::List(_) => lists(array.as_list::<i32>())?,
        T::LargeList(_) => lists(array.as_list::<i64>())?,
        T::FixedSizeList(_, len) => {
            let l = array.as_fixed_size_list();
            let len = usize::try_from(*len).map_err(conversion)?;
            let child = column_values(l.values().as_ref())?;
            let ranges = (0..n).map(|i| {
                let start = (l.offset() + i) * len;
                l.is_valid(i).then_some((start, start + len))
            });
            group(child, ranges, Value::List)
        }
        T::Struct(fields) => {
            let s = array.as_struct();
            let mut children = Vec::with_capacity(fields.len());
            for c in s.columns() {
                children.push(column_values(c.as_ref())?.into_iter());
            }
            (0..n)
                .map(|i| {
                    let vals: Vec<(String, Value)> = fields
                        .iter()
                        .zip(children.iter_mut())
                        .map(|(f, c)| (f.name().clone(), c.next().unwrap_or(Value::Null)))
                        .collect();
                    opt(s.is_valid(i).then_some(vals), Value::Struct)
                })
                .collect()
        }
        T::Map(..) => {
            let m = array.as_map();
            let keys = column_values(m.keys().as_ref())?;
            let values = column_values(m.values().as_ref())?;
            let entries: Vec<(Value, Value)> = keys.into_iter().zip(values).collect();
            let offsets = m.value_offsets();
            let ranges = (0..n).map(|i| {
                m.is_valid(i)
                    .then(|| (offsets[i] as usize, offsets[i + 1] as usize))
            });
            group(entries, ranges, Value::Map)
        }
        T::Dictionary(_, value_type) => column_values(cast(array, value_type)?.as_ref())?,
        _ => {
            let fmt =
                ArrayFormatter::try_new(array, &FormatOptions::default()).map_err(conversion)?;
            let text = |i| array.is_valid(i).then(|| fmt.value(i).to_string());
            (0..n).map(|i| opt(text(i), Value::Str)).collect()
        }
    })
}

fn lists<O: arrow::array::OffsetSizeTrait>(
    l: &arrow::array::GenericListArray<O>,
) -> Converted<Vec<Value>> {
    let child = column_values(l.values().as_ref())?;
    let offsets = l.value_offsets();
    let ranges = (0..l.len()).map(|i| {
        l.is_valid(i)
            .then(|| (offsets[i].as_usize(), offsets[i + 1].as_usize()))
    });
    Ok(group(child, ranges, Value::List))
}

/// The rows of `batch`, named by `names`.
pub(crate) fn batch_rows(batch: &RecordBatch, names: &Arc<[String]>) -> Converted<Vec<Row>> {
    let mut columns = Vec::with_capacity(batch.num_columns());
    for c in batch.columns() {
        columns.push(column_values(c.as_ref())?.into_iter());
    }
    Ok((0..batch.num_rows())
        .map(|_| Row {
            names: Arc::clone(names),
            values: columns
                .iter_mut()
                .map(|c| c.next().unwrap_or(Value::Null))
                .collect(),
        })
        .collect())
}
