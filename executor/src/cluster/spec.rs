//! How a launcher tells a process to be an executor: the environment variable
//! `EMBER_EXECUTOR` holds `key=value` pairs separated by `;`, and `EMBER_EXECUTOR_SECRET` the
//! shared secret (kept out of the command line, which other users can read). With TLS on,
//! `tls_cert`, `tls_key` and `tls_ca` name the PEM files (`ember.ssl.*`) the executor serves
//! and connects with: file paths, never their contents.

use crate::ExecutorError;
use ember_proto::tls::TlsFiles;

/// The variable holding an executor's launch settings.
pub const SPEC_VAR: &str = "EMBER_EXECUTOR";
/// The variable holding the shared secret.
pub const SECRET_VAR: &str = "EMBER_EXECUTOR_SECRET";

/// An executor's launch settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecutorSpec {
    /// `host:port` of the driver's gRPC service.
    pub driver: String,
    /// The id the driver knows this executor by.
    pub executor_id: String,
    /// The address to serve blocks on (port chosen by the system).
    pub host: String,
    /// Task slots.
    pub cores: usize,
    /// Memory for cached blocks, in bytes.
    pub memory_bytes: u64,
    /// Milliseconds between heartbeats.
    pub heartbeat_ms: u64,
    /// Seconds a task waits for the program's copy to reach its job.
    pub job_wait_secs: u64,
    /// The TLS files to serve and connect with; `None` for plain connections.
    pub tls: Option<TlsFiles>,
}

impl ExecutorSpec {
    /// The settings of this process, if a launcher made it an executor.
    pub fn from_env() -> Option<Result<ExecutorSpec, ExecutorError>> {
        let text = std::env::var(SPEC_VAR).ok()?;
        Some(ExecutorSpec::parse(&text))
    }

    /// The shared secret a launcher passed.
    pub fn secret_from_env() -> Option<String> {
        std::env::var(SECRET_VAR).ok().filter(|s| !s.is_empty())
    }

    /// Parses the `key=value;...` form.
    pub fn parse(text: &str) -> Result<ExecutorSpec, ExecutorError> {
        let bad = |field: &str, message: String| ExecutorError::Spec {
            field: field.to_string(),
            message,
        };
        let mut fields = std::collections::HashMap::new();
        for pair in text.split(';').filter(|p| !p.is_empty()) {
            let (k, v) = pair
                .split_once('=')
                .ok_or_else(|| bad(pair, "expected key=value".into()))?;
            fields.insert(k.trim(), v.trim());
        }
        let get = |k: &str| {
            fields
                .get(k)
                .copied()
                .ok_or_else(|| bad(k, "missing".into()))
        };
        let num = |k: &str| -> Result<u64, ExecutorError> {
            get(k)?
                .parse()
                .map_err(|_| bad(k, format!("`{}` is not a number", get(k).unwrap_or(""))))
        };
        let tls = match fields.get("tls_cert") {
            None => None,
            Some(cert) => Some(
                TlsFiles::new(
                    Some(cert),
                    Some(get("tls_key")?),
                    fields.get("tls_ca").copied(),
                )
                .map_err(|e| bad("tls_cert", e.to_string()))?,
            ),
        };
        Ok(ExecutorSpec {
            driver: get("driver")?.to_string(),
            executor_id: get("id")?.to_string(),
            host: get("host")?.to_string(),
            cores: num("cores")?.max(1) as usize,
            memory_bytes: num("memory")?,
            heartbeat_ms: num("heartbeat_ms")?.max(10),
            job_wait_secs: num("job_wait_secs")?,
            tls,
        })
    }

    /// The `key=value;...` form [`parse`](Self::parse) reads.
    pub fn to_env(&self) -> String {
        let tls = self.tls.as_ref().map_or_else(String::new, |t| {
            format!(";tls_cert={};tls_key={};tls_ca={}", t.cert, t.key, t.trust)
        });
        format!(
            "driver={};id={};host={};cores={};memory={};heartbeat_ms={};job_wait_secs={}{tls}",
            self.driver,
            self.executor_id,
            self.host,
            self.cores,
            self.memory_bytes,
            self.heartbeat_ms,
            self.job_wait_secs
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_names_bad_fields() {
        let spec = ExecutorSpec {
            driver: "127.0.0.1:7078".into(),
            executor_id: "exec-1".into(),
            host: "127.0.0.1".into(),
            cores: 2,
            memory_bytes: 1 << 30,
            heartbeat_ms: 500,
            job_wait_secs: 120,
            tls: None,
        };
        assert_eq!(ExecutorSpec::parse(&spec.to_env()).unwrap(), spec);
        let tls = TlsFiles::new(Some("/c/cert.pem"), Some("/c/key=1.pem"), Some("/c/ca.pem"));
        let with_tls = ExecutorSpec {
            tls: Some(tls.unwrap()),
            ..spec.clone()
        };
        assert_eq!(ExecutorSpec::parse(&with_tls.to_env()).unwrap(), with_tls);
        let e = ExecutorSpec::parse(&format!("{};tls_cert=/c/cert.pem", spec.to_env()))
            .unwrap_err()
            .to_string();
        assert!(e.contains("tls_key") && e.contains("missing"), "{e}");
        let e = ExecutorSpec::parse(
            "driver=a;id=b;host=c;cores=x;memory=1;heartbeat_ms=1;job_wait_secs=1",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("cores") && e.contains("`x`"), "{e}");
        let e = ExecutorSpec::parse("driver=a").unwrap_err().to_string();
        assert!(e.contains("id") && e.contains("missing"), "{e}");
    }
}
