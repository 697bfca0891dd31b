//! Optional TLS (rustls) on every cluster endpoint (`ember.ssl.*`, as Spark's `spark.ssl.*`).
//!
//! | key | default | meaning |
//! | --- | --- | --- |
//! | `ember.ssl.enabled` | false | every gRPC and Flight endpoint serves and connects over TLS; the web UI and `/metrics` serve HTTPS |
//! | `ember.ssl.certFile` | (required) | PEM certificate chain a process presents, leaf first |
//! | `ember.ssl.keyFile` | (required) | PEM private key of that certificate (PKCS#8, PKCS#1 or SEC1) |
//! | `ember.ssl.trustFile` | the cert file | PEM CA certificates a process trusts when it connects |
//!
//! Every cluster process but the master both serves and connects, so each needs all three.
//! A client checks the server's certificate against its trust file and the host it connects
//! to: executors reach the driver and each other by IP address, so certificates must name
//! those addresses (IP subject alternative names) or the names the processes are given. The
//! default trust file, the cert file itself, fits one self-signed (non-CA) certificate shared
//! by every process. TLS authenticates servers and encrypts; callers are still checked by the
//! shared secret ([`auth`](crate::auth)), which TLS keeps from crossing the network in clear.
//!
//! [`TlsFiles`] names the files, [`TlsFiles::load`] reads and checks them once (every error
//! names the setting and the file at fault), and the [`Tls`] it gives configures servers
//! ([`server`]) and clients ([`endpoint`]).

use rustls::crypto::ring::default_provider;
use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::sign::CertifiedKey;
use std::sync::Arc;
use tonic::transport::{Certificate, ClientTlsConfig, Endpoint, Identity, Server, ServerTlsConfig};

/// Whether TLS is on (`true`/`false`, default false).
pub const ENABLED: &str = "ember.ssl.enabled";
/// The PEM certificate chain a process presents.
pub const CERT_FILE: &str = "ember.ssl.certFile";
/// The PEM private key of the certificate.
pub const KEY_FILE: &str = "ember.ssl.keyFile";
/// The PEM CA certificates a client trusts (default: the cert file).
pub const TRUST_FILE: &str = "ember.ssl.trustFile";

/// A TLS setting that cannot be used: the setting (a configuration key, or a command-line
/// flag), the file it names when there is one, and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{key}{}: {message}", path.as_deref().map(|p| format!(" ({p})")).unwrap_or_default())]
pub struct TlsError {
    /// The setting at fault (`ember.ssl.certFile`, ...).
    pub key: String,
    /// The file it names, if any.
    pub path: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl TlsError {
    fn new(key: &str, path: Option<&str>, message: impl Into<String>) -> Self {
        TlsError {
            key: key.to_string(),
            path: path.map(str::to_string),
            message: message.into(),
        }
    }
}

/// The files of a TLS setup (paths as given; executors receive them, never their contents).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsFiles {
    /// The PEM certificate chain (`ember.ssl.certFile`).
    pub cert: String,
    /// The PEM private key (`ember.ssl.keyFile`).
    pub key: String,
    /// The PEM CA certificates to trust (`ember.ssl.trustFile`).
    pub trust: String,
}

impl TlsFiles {
    /// The files of the settings `cert`, `key` and `trust` (which defaults to `cert`). A
    /// missing certificate or key is an error naming its key, as is a path with `;` (which
    /// cannot reach executors, whose launch settings are `;`-separated).
    pub fn new(
        cert: Option<&str>,
        key: Option<&str>,
        trust: Option<&str>,
    ) -> Result<TlsFiles, TlsError> {
        let given = |name: &str, value: Option<&str>| -> Result<Option<String>, TlsError> {
            match value.map(str::trim).filter(|v| !v.is_empty()) {
                Some(v) if v.contains(';') => Err(TlsError::new(
                    name,
                    Some(v),
                    "a path with `;` cannot be passed to executors",
                )),
                v => Ok(v.map(str::to_string)),
            }
        };
        let required = |name: &str, value: Option<&str>| {
            given(name, value)?
                .ok_or_else(|| TlsError::new(name, None, format!("not set, and {ENABLED} is true")))
        };
        let cert = required(CERT_FILE, cert)?;
        let key = required(KEY_FILE, key)?;
        let trust = given(TRUST_FILE, trust)?.unwrap_or_else(|| cert.clone());
        Ok(TlsFiles { cert, key, trust })
    }

    /// Reads and checks the files: the certificate chain and the key must be PEM and belong
    /// together, and every certificate of the trust file must be usable as a trust anchor.
    pub fn load(&self) -> Result<Tls, TlsError> {
        let cert_pem = read(CERT_FILE, &self.cert)?;
        let chain = certificates(CERT_FILE, &self.cert, &cert_pem)?;
        let key_pem = read(KEY_FILE, &self.key)?;
        let key = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| {
            let message = match e {
                pem::Error::NoItemsFound => {
                    "no PEM private key in it (PKCS#8, PKCS#1 or SEC1)".to_string()
                }
                e => format!("not a PEM private key: {e}"),
            };
            TlsError::new(KEY_FILE, Some(&self.key), message)
        })?;
        let mismatch = |e: rustls::Error| {
            TlsError::new(
                KEY_FILE,
                Some(&self.key),
                format!("cannot be used with the certificate {}: {e}", self.cert),
            )
        };
        CertifiedKey::from_der(chain.clone(), key.clone_key(), &default_provider())
            .map_err(mismatch)?;
        let https = https_config(chain, key).map_err(mismatch)?;
        let trust_pem = if self.trust == self.cert {
            cert_pem.clone()
        } else {
            read(TRUST_FILE, &self.trust)?
        };
        let mut roots = rustls::RootCertStore::empty();
        for der in certificates(TRUST_FILE, &self.trust, &trust_pem)? {
            roots.add(der).map_err(|e| {
                TlsError::new(
                    TRUST_FILE,
                    Some(&self.trust),
                    format!("a certificate in it cannot be trusted: {e}"),
                )
            })?;
        }
        Ok(Tls {
            files: self.clone(),
            identity: Identity::from_pem(cert_pem, key_pem),
            trust: Certificate::from_pem(trust_pem),
            https,
        })
    }
}

/// The settings of an HTTPS server presenting `chain` (HTTP/1.1 only, as the UI servers
/// speak).
fn https_config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<Arc<rustls::ServerConfig>, rustls::Error> {
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(default_provider()))
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

fn read(key: &str, path: &str) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|e| TlsError::new(key, Some(path), format!("cannot read: {e}")))
}

/// The certificates of a PEM file: at least one, all well formed.
fn certificates(
    key: &str,
    path: &str,
    pem: &[u8],
) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TlsError::new(key, Some(path), format!("not a PEM certificate file: {e}")))?;
    if certs.is_empty() {
        return Err(TlsError::new(
            key,
            Some(path),
            "no PEM certificate (BEGIN CERTIFICATE) in it",
        ));
    }
    Ok(certs)
}

/// A loaded TLS setup: what a server presents and what a client trusts. Its `Debug` form
/// shows the file names only.
#[derive(Clone)]
pub struct Tls {
    files: TlsFiles,
    identity: Identity,
    trust: Certificate,
    https: Arc<rustls::ServerConfig>,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tls").field("files", &self.files).finish()
    }
}

impl Tls {
    /// The files it was loaded from (what a launcher passes to its executors).
    pub fn files(&self) -> &TlsFiles {
        &self.files
    }

    /// A server's settings: it presents the certificate chain.
    pub fn server_config(&self) -> ServerTlsConfig {
        ServerTlsConfig::new().identity(self.identity.clone())
    }

    /// The settings of an HTTPS server (the web UI, `/metrics`) presenting the certificate
    /// chain, for a `tokio_rustls::TlsAcceptor`.
    pub fn https_config(&self) -> Arc<rustls::ServerConfig> {
        Arc::clone(&self.https)
    }

    /// A client's settings: it trusts the trust file's certificates only, and checks the
    /// server's certificate against the host of the address it connects to.
    pub fn client_config(&self) -> ClientTlsConfig {
        ClientTlsConfig::new().ca_certificate(self.trust.clone())
    }
}

/// The endpoint of `address` (`host:port`): `https://` with `tls`, else `http://`.
pub fn endpoint(address: &str, tls: Option<&Tls>) -> Result<Endpoint, String> {
    let scheme = if tls.is_some() { "https" } else { "http" };
    let endpoint = Endpoint::from_shared(format!("{scheme}://{address}"))
        .map_err(|e| format!("not a host:port address ({e})"))?;
    match tls {
        Some(tls) => endpoint
            .tls_config(tls.client_config())
            .map_err(|e| format!("cannot set up TLS: {}", crate::error_chain(&e))),
        None => Ok(endpoint),
    }
}

/// A server builder, serving over TLS with `tls`.
pub fn server(tls: Option<&Tls>) -> Result<Server, String> {
    match tls {
        Some(tls) => Server::builder()
            .tls_config(tls.server_config())
            .map_err(|e| format!("cannot set up TLS: {}", crate::error_chain(&e))),
        None => Ok(Server::builder()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A self-signed certificate for 127.0.0.1 and its key, as PEM.
    fn self_signed() -> (String, String) {
        let made = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).unwrap();
        (made.cert.pem(), made.signing_key.serialize_pem())
    }

    fn write(dir: &std::path::Path, name: &str, text: &str) -> String {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    }

    #[test]
    fn missing_settings_and_bad_paths_name_their_key() {
        let e = TlsFiles::new(None, Some("k.pem"), None).unwrap_err();
        assert_eq!(e.key, CERT_FILE);
        assert!(e.to_string().contains("not set"), "{e}");
        let e = TlsFiles::new(Some("c.pem"), Some(" "), None).unwrap_err();
        assert_eq!(e.key, KEY_FILE);
        let e = TlsFiles::new(Some("c.pem"), Some("k.pem"), Some("a;b.pem")).unwrap_err();
        assert_eq!(
            (e.key.as_str(), e.path.as_deref()),
            (TRUST_FILE, Some("a;b.pem"))
        );
        // The trust file defaults to the certificate.
        let files = TlsFiles::new(Some("c.pem"), Some("k.pem"), None).unwrap();
        assert_eq!(files.trust, "c.pem");
    }

    #[test]
    fn files_that_cannot_be_used_are_named_with_their_key() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let (cert, key) = self_signed();
        let (_, other_key) = self_signed();
        let cert_path = write(dir, "cert.pem", &cert);
        let key_path = write(dir, "key.pem", &key);
        let load = |cert: &str, key: &str, trust: Option<&str>| {
            TlsFiles::new(Some(cert), Some(key), trust)
                .unwrap()
                .load()
                .map(|t| t.files().clone())
        };
        // Good files load; the trust file defaults to the certificate.
        let files = load(&cert_path, &key_path, None).unwrap();
        assert_eq!(files.trust, cert_path);
        let missing = dir.join("nope.pem").display().to_string();
        let e = load(&missing, &key_path, None).unwrap_err();
        assert_eq!(
            (e.key.as_str(), e.path.as_deref()),
            (CERT_FILE, Some(missing.as_str()))
        );
        assert!(e.to_string().contains("cannot read"), "{e}");
        // The key given as the certificate: no certificate in it.
        let e = load(&key_path, &key_path, None).unwrap_err();
        assert_eq!(e.key, CERT_FILE);
        assert!(e.message.contains("no PEM certificate"), "{e}");
        // The certificate given as the key: no key in it.
        let e = load(&cert_path, &cert_path, None).unwrap_err();
        assert_eq!(e.key, KEY_FILE);
        assert!(e.message.contains("no PEM private key"), "{e}");
        // A key of another certificate.
        let other = write(dir, "other-key.pem", &other_key);
        let e = load(&cert_path, &other, None).unwrap_err();
        assert_eq!(
            (e.key.as_str(), e.path.as_deref()),
            (KEY_FILE, Some(other.as_str()))
        );
        assert!(
            e.message.contains("cannot be used with the certificate"),
            "{e}"
        );
        // A trust file without certificates, and one with a broken certificate.
        let e = load(&cert_path, &key_path, Some(&key_path)).unwrap_err();
        assert_eq!(
            (e.key.as_str(), e.path.as_deref()),
            (TRUST_FILE, Some(key_path.as_str()))
        );
        let broken = write(
            dir,
            "broken.pem",
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        );
        let e = load(&cert_path, &key_path, Some(&broken)).unwrap_err();
        assert_eq!(e.key, TRUST_FILE);
        assert!(e.message.contains("cannot be trusted"), "{e}");
        // Debug shows file names, never the key.
        let tls = TlsFiles::new(Some(&cert_path), Some(&key_path), None)
            .unwrap()
            .load()
            .unwrap();
        let shown = format!("{tls:?}");
        assert!(
            shown.contains("key.pem") && !shown.contains("PRIVATE KEY"),
            "{shown}"
        );
    }
}
