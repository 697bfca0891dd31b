//! Shared-secret authentication (`ember.authenticate.secret`).
//!
//! A client sends `authorization: Bearer <secret>` with every call; a server's [`Guard`] runs
//! as a tonic interceptor, which sees the call's metadata before any message of it is decoded,
//! and refuses a missing or wrong secret with `UNAUTHENTICATED`. Secrets are compared in
//! constant time.

use tonic::metadata::MetadataValue;
use tonic::service::Interceptor;
use tonic::{Request, Status};

/// The metadata key carrying the secret.
pub const HEADER: &str = "authorization";

/// A shared secret; its `Debug` form hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

impl Secret {
    /// A secret from its text; `None` for an empty one.
    pub fn new(text: impl Into<String>) -> Option<Secret> {
        let text = text.into();
        (!text.is_empty()).then_some(Secret(text))
    }
    /// The secret's text.
    pub fn expose(&self) -> &str {
        &self.0
    }
    /// Whether `candidate` is this secret, compared in time that depends only on the lengths.
    pub fn matches(&self, candidate: &[u8]) -> bool {
        same(candidate, self.0.as_bytes())
    }
    /// The `authorization` value a client sends.
    fn bearer(&self) -> String {
        format!("Bearer {}", self.0)
    }
}

/// Equal in time that depends only on the lengths.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The server side: an interceptor that lets a call through only with the right secret (or
/// every call when no secret is set, which is allowed on loopback addresses only).
#[derive(Clone, Debug)]
pub struct Guard {
    secret: Option<Secret>,
}

impl Guard {
    /// A guard for `secret`.
    pub fn new(secret: Option<Secret>) -> Self {
        Guard { secret }
    }
    /// Checks one call's metadata.
    pub fn check(&self, metadata: &tonic::metadata::MetadataMap) -> Result<(), Status> {
        let Some(secret) = &self.secret else {
            return Ok(());
        };
        match metadata.get(HEADER) {
            Some(v) if same(v.as_bytes(), secret.bearer().as_bytes()) => Ok(()),
            Some(_) => Err(Status::unauthenticated(
                "wrong secret: the caller's ember.authenticate.secret differs from this \
                 server's",
            )),
            None => Err(Status::unauthenticated(
                "no secret: this server requires ember.authenticate.secret",
            )),
        }
    }
}

impl Interceptor for Guard {
    fn call(&mut self, request: Request<()>) -> Result<Request<()>, Status> {
        self.check(request.metadata())?;
        Ok(request)
    }
}

/// The client side: an interceptor that adds the secret to every call.
#[derive(Clone, Debug)]
pub struct Credentials {
    value: Option<MetadataValue<tonic::metadata::Ascii>>,
}

/// A secret that cannot travel in a gRPC header.
#[derive(Debug, thiserror::Error)]
#[error("ember.authenticate.secret must be printable ASCII without line breaks")]
pub struct BadSecret;

impl Credentials {
    /// Credentials sending `secret` (nothing when `None`).
    pub fn new(secret: Option<&Secret>) -> Result<Self, BadSecret> {
        let value = secret
            .map(|s| s.bearer().parse().map_err(|_| BadSecret))
            .transpose()?;
        Ok(Credentials { value })
    }
}

impl Interceptor for Credentials {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
        if let Some(v) = &self.value {
            request.metadata_mut().insert(HEADER, v.clone());
        }
        Ok(request)
    }
}

/// Refuses to serve on a non-loopback `address` without a secret: anyone who can reach the
/// port could otherwise run code in the cluster.
pub fn check_listen(address: &std::net::SocketAddr, secret: Option<&Secret>) -> Result<(), String> {
    if secret.is_none() && !address.ip().is_loopback() {
        return Err(format!(
            "refusing to listen on {address} without a secret: set ember.authenticate.secret \
             (or EMBER_AUTHENTICATE_SECRET) on every cluster process, or listen on a loopback \
             address"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(creds: &mut Credentials) -> Request<()> {
        creds.call(Request::new(())).unwrap()
    }

    #[test]
    fn the_right_secret_passes_and_others_are_refused() {
        let secret = Secret::new("s3cret").unwrap();
        let mut guard = Guard::new(Some(secret.clone()));
        let mut right = Credentials::new(Some(&secret)).unwrap();
        assert!(guard.call(call(&mut right)).is_ok());
        let wrong = Secret::new("s3creT").unwrap();
        let e = guard
            .call(call(&mut Credentials::new(Some(&wrong)).unwrap()))
            .unwrap_err();
        assert_eq!(e.code(), tonic::Code::Unauthenticated);
        assert!(e.message().contains("wrong secret"), "{}", e.message());
        let e = guard
            .call(call(&mut Credentials::new(None).unwrap()))
            .unwrap_err();
        assert!(e.message().contains("no secret"), "{}", e.message());
        // No secret on the server: every call passes.
        assert!(Guard::new(None).call(Request::new(())).is_ok());
        assert!(Secret::new("").is_none());
        assert_eq!(format!("{secret:?}"), "Secret(..)");
        assert!(Credentials::new(Secret::new("a\nb").as_ref()).is_err());
        let public: std::net::SocketAddr = "10.1.2.3:7077".parse().unwrap();
        let local: std::net::SocketAddr = "127.0.0.1:7077".parse().unwrap();
        assert!(
            check_listen(&public, None)
                .unwrap_err()
                .contains("10.1.2.3:7077")
        );
        assert!(check_listen(&public, Some(&secret)).is_ok());
        assert!(check_listen(&local, None).is_ok());
    }
}
