//! Ember's wire protocol: the gRPC messages and services between a driver and its executors
//! ([`v1`], generated from `proto/ember.proto`, whose comments are the protocol's reference),
//! the protocol version both ends compare, [`auth`], the shared-secret check that every
//! gRPC and Flight endpoint runs before it decodes a message, and [`tls`], the optional TLS
//! (`ember.ssl.*`) every endpoint serves and connects with.
//!
//! Start with `proto/ember.proto`: it describes the session an executor keeps with its driver.

pub mod auth;
pub mod convert;
pub mod tls;

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

/// An error and its sources, `: `-separated (tonic's transport errors keep the reason, such
/// as an untrusted certificate, in their sources).
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        let s = e.to_string();
        if !text.contains(&s) {
            text.push_str(": ");
            text.push_str(&s);
        }
        source = e.source();
    }
    text
}

/// A status as `Code: message: source: ...` (a status's own `Display` shows its source's
/// `Debug` form, and its message alone leaves out why a connection failed).
pub fn status_text(status: &tonic::Status) -> String {
    let code = status.code();
    match std::error::Error::source(status).map(error_chain) {
        Some(source) if source.contains(status.message()) => format!("{code:?}: {source}"),
        Some(source) => format!("{code:?}: {}: {source}", status.message()),
        None => format!("{code:?}: {}", status.message()),
    }
}

/// A digest of the file this code was loaded from (computed once): the executable, or the
/// shared library that holds Ember (the Python extension). A driver and its executors must run
/// the same build, because the executor rebuilds the driver's lineage. A file that cannot be
/// read gives `unknown`.
pub fn build_id() -> &'static str {
    static ID: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    ID.get_or_init(|| {
        let file = match code_file() {
            Some(f) => Ok(f),
            None => std::env::current_exe(),
        };
        let digest = file.and_then(std::fs::read).map(|bytes| digest(&bytes));
        match digest {
            Ok(d) => format!("{d:016x}"),
            Err(_) => "unknown".to_string(),
        }
    })
}

/// The file mapped at this function's code, from `/proc/self/maps` (Linux); `None` elsewhere.
fn code_file() -> Option<std::path::PathBuf> {
    let here = code_file as fn() -> Option<std::path::PathBuf> as usize;
    let maps = std::fs::read_to_string("/proc/self/maps").ok()?;
    maps.lines().find_map(|line| {
        let (range, _) = line.split_once(' ')?;
        let (start, end) = range.split_once('-')?;
        let start = usize::from_str_radix(start, 16).ok()?;
        let end = usize::from_str_radix(end, 16).ok()?;
        let path = line
            .split_whitespace()
            .skip(5)
            .collect::<Vec<_>>()
            .join(" ");
        (start <= here && here < end && path.starts_with('/')).then(|| path.into())
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
        // In a test binary the code is the executable's.
        let exe = std::env::current_exe().unwrap();
        assert_eq!(
            super::code_file().map(|f| f.canonicalize().unwrap()),
            Some(exe.canonicalize().unwrap())
        );
    }
}
