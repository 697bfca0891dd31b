//! The HTTP server of the web UI and of the `/metrics` endpoints: it serves an
//! [`axum::Router`] the caller builds, on a small tokio runtime of its own, and adds to every
//! route what every page needs:
//!
//! - the stylesheet `/static/ember.css`, served from the binary (nothing loads from the
//!   network);
//! - security headers on every response, errors included: a Content-Security-Policy that allows
//!   no script and no inline style ([`CONTENT_SECURITY_POLICY`]), `X-Content-Type-Options:
//!   nosniff`, `X-Frame-Options: DENY` and `Referrer-Policy: no-referrer`;
//! - authentication when a shared secret is set (`ember.authenticate.secret`, as in cluster
//!   mode): every path needs HTTP Basic authentication whose password is the secret (any user
//!   name), or `Authorization: Bearer <secret>`; anything else is answered 401 with
//!   `WWW-Authenticate: Basic realm="ember"`. Without a secret the UI is open, as Spark's is.
//!
//! The port is chosen by Spark's rule ([`bind`]): the preferred port, else the next ones up to
//! `ember.port.maxRetries` (16) retries, else an ephemeral port with a warning.
//!
//! With TLS settings ([`UiSettings::tls`]: `ember.ssl.enabled` on a driver or an executor,
//! `--tls-cert` and `--tls-key` for `ember master` and `ember history`) the server speaks HTTPS
//! only ([`https`](super::https)) and its URL starts with `https://`, so the secret of Basic
//! authentication never crosses the network in clear.

use super::https::TlsListener;
use crate::conf::Conf;
use crate::error::Result;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine;
use ember_proto::auth::Secret;
use ember_proto::tls::Tls;
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

/// The Content-Security-Policy of every response: nothing but same-origin stylesheets and
/// images; no script, no inline style, no frames, no forms.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; \
     img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The driver UI's default port (`ember.ui.port`), as Spark's.
pub const DEFAULT_UI_PORT: u16 = 4040;

/// How many next ports are tried when the preferred one is taken (`ember.port.maxRetries`).
pub const DEFAULT_MAX_RETRIES: u16 = 16;

/// The realm of the Basic authentication challenge.
pub const REALM: &str = "ember";

/// The stylesheet every page links, at [`STYLESHEET_PATH`].
pub const STYLESHEET: &str = include_str!("../../static/ember.css");

/// Where [`STYLESHEET`] is served.
pub const STYLESHEET_PATH: &str = "/static/ember.css";

/// Where and how a UI server listens.
#[derive(Clone, Debug)]
pub struct UiSettings {
    /// The address to bind (`0.0.0.0` by default).
    pub host: String,
    /// The preferred port; 0 for an ephemeral one.
    pub port: u16,
    /// How many next ports to try when `port` is taken, before an ephemeral one.
    pub max_retries: u16,
    /// The host name [`UiServer::url`] shows; default: `host`, or `127.0.0.1` when `host` is
    /// an unspecified address (`0.0.0.0`, `::`).
    pub public_host: Option<String>,
    /// The shared secret every request must carry; `None` leaves the UI open.
    pub secret: Option<Secret>,
    /// Serve HTTPS with this certificate; `None` serves plain HTTP.
    pub tls: Option<Tls>,
}

impl UiSettings {
    /// Settings for `port` on every address, open, with the default retries.
    pub fn new(port: u16) -> Self {
        UiSettings {
            host: "0.0.0.0".into(),
            port,
            max_retries: DEFAULT_MAX_RETRIES,
            public_host: None,
            secret: None,
            tls: None,
        }
    }

    /// The driver UI's settings from a configuration: `ember.ui.port` (default 4040; 0 for an
    /// ephemeral port), `ember.ui.host` (default `0.0.0.0`), `ember.port.maxRetries` (default
    /// 16), `ember.driver.host` as the host shown in the URL, the shared secret
    /// (`ember.authenticate.secret`, else `EMBER_AUTHENTICATE_SECRET`), and HTTPS when
    /// `ember.ssl.enabled` (with `ember.ssl.certFile` and `ember.ssl.keyFile`).
    pub fn from_conf(conf: &Conf) -> Result<Self> {
        let number = |key: &str, default: u16| -> Result<u16> {
            match conf.get(key) {
                None => Ok(default),
                Some(v) => v.trim().parse::<u16>().map_err(|_| crate::Error::Conf {
                    key: key.into(),
                    value: v.into(),
                    message: "expected an integer from 0 to 65535".into(),
                }),
            }
        };
        Ok(UiSettings {
            host: conf.get("ember.ui.host").unwrap_or("0.0.0.0").to_string(),
            port: number("ember.ui.port", DEFAULT_UI_PORT)?,
            max_retries: number("ember.port.maxRetries", DEFAULT_MAX_RETRIES)?,
            public_host: conf.get("ember.driver.host").map(str::to_string),
            secret: crate::cluster::secret_of(conf),
            tls: crate::cluster::tls_of(conf)?,
        })
    }
}

/// A UI server that could not start.
#[derive(Debug, thiserror::Error)]
#[error("cannot serve HTTP on {address}: {message}")]
pub struct UiError {
    /// The address it tried.
    pub address: String,
    /// Why it failed.
    pub message: String,
}

/// Binds `host` on `port`, else on the next free port of the `max_retries` after it, else on
/// an ephemeral port (with a warning). Port 0 binds an ephemeral port at once.
pub fn bind(host: &str, port: u16, max_retries: u16) -> std::result::Result<TcpListener, UiError> {
    let fail = |port: u16, e: std::io::Error| UiError {
        address: format!("{host}:{port}"),
        message: e.to_string(),
    };
    let at = |port: u16| {
        if host.contains(':') {
            format!("[{host}]:{port}")
        } else {
            format!("{host}:{port}")
        }
    };
    if port != 0 {
        let last = port.saturating_add(max_retries);
        for p in port..=last {
            match TcpListener::bind(at(p)) {
                Ok(l) => return Ok(l),
                Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => continue,
                Err(e) => return Err(fail(p, e)),
            }
        }
        tracing::warn!(%host, first = port, last, "ports {port} to {last} are taken; serving on an ephemeral port");
    }
    TcpListener::bind(at(0)).map_err(|e| fail(0, e))
}

/// A running UI server; it stops when dropped.
pub struct UiServer {
    address: SocketAddr,
    url: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl std::fmt::Debug for UiServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UiServer").field("url", &self.url).finish()
    }
}

impl UiServer {
    /// `http://host:port` (`https://` with TLS), with the public host of its settings.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The address it listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.address.port()
    }
}

impl Drop for UiServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(runtime) = self.runtime.take() {
            // Waiting for the runtime's threads is not allowed from async code.
            if tokio::runtime::Handle::try_current().is_ok() {
                runtime.shutdown_background();
            } else {
                runtime.shutdown_timeout(std::time::Duration::from_secs(2));
            }
        }
    }
}

/// Serves `router` (plus the stylesheet, the security headers and authentication of
/// [`secured`]) by the port rule of [`bind`], on a runtime of its own.
pub fn serve(router: Router, settings: &UiSettings) -> std::result::Result<UiServer, UiError> {
    let listener = bind(&settings.host, settings.port, settings.max_retries)?;
    let address = listener.local_addr().map_err(|e| UiError {
        address: settings.host.clone(),
        message: e.to_string(),
    })?;
    let fail = |message: String| UiError {
        address: address.to_string(),
        message,
    };
    listener
        .set_nonblocking(true)
        .map_err(|e| fail(e.to_string()))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("ember-ui")
        .enable_all()
        .build()
        .map_err(|e| fail(format!("cannot start the runtime: {e}")))?;
    let listener = {
        let _in = runtime.enter();
        tokio::net::TcpListener::from_std(listener).map_err(|e| fail(e.to_string()))?
    };
    let app = secured(router, settings.secret.clone());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let stopped = async move {
        let _ = stopped.await;
    };
    match &settings.tls {
        None => {
            runtime.spawn(run(listener, app, stopped));
        }
        Some(tls) => {
            let _in = runtime.enter();
            let listener =
                TlsListener::new(listener, tls.https_config()).map_err(|e| fail(e.to_string()))?;
            runtime.spawn(run(listener, app, stopped));
        }
    }
    let host = match &settings.public_host {
        Some(h) => h.clone(),
        None if address.ip().is_unspecified() => "127.0.0.1".into(),
        None => address.ip().to_string(),
    };
    let scheme = if settings.tls.is_some() {
        "https"
    } else {
        "http"
    };
    let url = if host.contains(':') {
        format!("{scheme}://[{host}]:{}", address.port())
    } else {
        format!("{scheme}://{host}:{}", address.port())
    };
    Ok(UiServer {
        address,
        url,
        stop: Some(stop),
        runtime: Some(runtime),
    })
}

/// Serves `app` on `listener` until `stopped`.
async fn run<L>(listener: L, app: Router, stopped: impl Future<Output = ()> + Send + 'static)
where
    L: axum::serve::Listener<Addr = SocketAddr>,
{
    let served = axum::serve(listener, app).with_graceful_shutdown(stopped);
    if let Err(e) = served.await {
        tracing::error!(error = %e, "the UI server stopped");
    }
}

/// `router` with the stylesheet route, a plain 404 for unknown paths, the security headers on
/// every response and, with a `secret`, authentication on every path.
pub fn secured(router: Router, secret: Option<Secret>) -> Router {
    router
        .route(STYLESHEET_PATH, get(stylesheet))
        .fallback(not_found)
        .layer(from_fn_with_state(Arc::new(secret), guard))
}

async fn stylesheet() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        STYLESHEET,
    )
        .into_response()
}

async fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "not found\n").into_response()
}

/// Whether the request's `Authorization` header carries `secret`: `Basic` with the secret as
/// password (any user name), or `Bearer <secret>`.
pub fn authorized(headers: &HeaderMap, secret: &Secret) -> bool {
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let (scheme, credentials) = value.trim().split_once(' ').unwrap_or((value, ""));
    let credentials = credentials.trim();
    if scheme.eq_ignore_ascii_case("bearer") {
        return secret.matches(credentials.as_bytes());
    }
    if scheme.eq_ignore_ascii_case("basic") {
        let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(credentials) else {
            return false;
        };
        let Some(colon) = decoded.iter().position(|b| *b == b':') else {
            return false;
        };
        return secret.matches(&decoded[colon + 1..]);
    }
    false
}

async fn guard(
    State(secret): State<Arc<Option<Secret>>>,
    request: Request,
    next: Next,
) -> Response {
    let allowed = match secret.as_ref() {
        None => true,
        Some(s) => authorized(request.headers(), s),
    };
    let mut response = if allowed {
        next.run(request).await
    } else {
        let challenge = format!("Basic realm=\"{REALM}\", charset=\"UTF-8\"");
        (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, challenge)],
            "authentication required: this server requires ember.authenticate.secret\n",
        )
            .into_response()
    };
    let headers = response.headers_mut();
    let set = [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
    ];
    for (name, value) in set {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn basic_and_bearer_credentials_are_checked() {
        let secret = Secret::new("s3cret:x").unwrap();
        let basic = |user_pass: &str| {
            let b64 = base64::engine::general_purpose::STANDARD.encode(user_pass);
            headers(&format!("Basic {b64}"))
        };
        // The password may hold colons; only the first one ends the user name.
        assert!(authorized(&basic("anyone:s3cret:x"), &secret));
        assert!(authorized(&basic(":s3cret:x"), &secret));
        assert!(!authorized(&basic("s3cret:x"), &secret));
        assert!(!authorized(&basic("anyone:s3cret"), &secret));
        assert!(authorized(&headers("Bearer s3cret:x"), &secret));
        assert!(authorized(&headers("bearer s3cret:x"), &secret));
        assert!(!authorized(&headers("Bearer s3cret"), &secret));
        assert!(!authorized(&headers("Basic !!notbase64"), &secret));
        assert!(!authorized(&headers("Digest s3cret:x"), &secret));
        assert!(!authorized(&HeaderMap::new(), &secret));
    }

    #[test]
    fn port_zero_binds_an_ephemeral_port() {
        let l = bind("127.0.0.1", 0, 16).unwrap();
        assert_ne!(l.local_addr().unwrap().port(), 0);
    }
}
