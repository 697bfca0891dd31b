//! Ember's wire protocol: the gRPC messages and services between a driver and its executors
//! ([`v1`], generated from `proto/ember.proto`, whose comments are the protocol's reference),
//! the protocol version both ends compare, and [`auth`], the shared-secret check that every
//! gRPC and Flight endpoint runs before it decodes a message.
//!
//! Start with `proto/ember.proto`: it describes the session an executor keeps with its driver.

pub mod auth;
pub mod convert;

/// The generated messages and services of `ember.v1`.
#[allow(missing_docs, clippy::all, clippy::clone_on_ref_ptr)]
pub mod v1 {
    tonic::include_proto!("ember.v1");
}

/// The protocol version this build speaks. A peer that speaks another is refused with an error
/// naming both versions.
pub const PROTOCOL_VERSION: u32 = 1;

/// The largest gRPC message either end accepts (a job's values travel in one message).
pub const MAX_MESSAGE_BYTES: usize = 1 << 30;

/// A digest of this process's executable file (computed once): a driver and a Rust executor
/// must run the same build, because the executor's copy of the program rebuilds the driver's
/// lineage. An executable that cannot be read gives `unknown`.
pub fn build_id() -> &'static str {
    static ID: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    ID.get_or_init(|| {
        let digest = std::env::current_exe()
            .and_then(std::fs::read)
            .map(|bytes| digest(&bytes));
        match digest {
            Ok(d) => format!("{d:016x}"),
            Err(_) => "unknown".to_string(),
        }
    })
}

/// A 64-bit digest of `bytes` (multiply-rotate over 8-byte words; fast, not cryptographic).
fn digest(bytes: &[u8]) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut h = bytes.len() as u64;
    let mut words = bytes.chunks_exact(8);
    for w in &mut words {
        let v = u64::from_le_bytes(w.try_into().unwrap_or([0; 8]));
        h = (h.rotate_left(5) ^ v).wrapping_mul(K);
    }
    for &b in words.remainder() {
        h = (h.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
    }
    h
}

#[cfg(test)]
mod tests {
    #[test]
    fn digests_differ_when_one_byte_does() {
        let a = vec![7u8; 4099];
        let mut b = a.clone();
        b[4000] = 8;
        assert_ne!(super::digest(&a), super::digest(&b));
        assert_eq!(super::digest(&a), super::digest(&a.clone()));
        assert_eq!(super::build_id().len(), 16);
    }
}
