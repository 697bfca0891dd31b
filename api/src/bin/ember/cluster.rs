//! `ember master` and `ember worker`: the standalone cluster manager and the process that
//! starts executors on each host.

use clap::Args;
use ember::ui::master_page::master_router;
use ember::ui::server::{UiSettings, serve};
use ember_executor::worker::{WorkerConfig, run};
use ember_proto::auth::Secret;
use ember_proto::tls::{self, Tls, TlsFiles};
use ember_scheduler::cluster::MasterHandle;
use ember_scheduler::cluster::master::{DEFAULT_MAX_EXECUTOR_RETRIES, MasterConfig};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// The shared secret: `EMBER_AUTHENTICATE_SECRET`, or the file `--secret-file` names.
pub fn secret(file: Option<&str>) -> Result<Option<Secret>, String> {
    if let Some(f) = file {
        let text = std::fs::read_to_string(f).map_err(|e| format!("cannot read {f}: {e}"))?;
        return Ok(Secret::new(text.trim().to_string()));
    }
    Ok(std::env::var("EMBER_AUTHENTICATE_SECRET")
        .ok()
        .and_then(Secret::new))
}

/// TLS settings of `ember master` and `ember worker` (the `ember.ssl.*` keys of a driver).
#[derive(Args, Debug)]
pub struct TlsArgs {
    /// Serve and connect over TLS with this PEM certificate chain (ember.ssl.certFile); a
    /// worker's executors use it too, and a master's web UI serves HTTPS with it.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<String>,
    /// The PEM private key of --tls-cert (ember.ssl.keyFile).
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<String>,
    /// PEM CA certificates to trust when connecting (ember.ssl.trustFile; default: the
    /// --tls-cert file).
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_ca: Option<String>,
}

impl TlsArgs {
    /// The TLS the flags ask for, its files read and checked; an error names the flag and file.
    fn load(&self) -> Result<Option<Tls>, String> {
        load_tls(
            self.tls_cert.as_deref(),
            self.tls_key.as_deref(),
            self.tls_ca.as_deref(),
        )
    }
}

/// The TLS of the flags `--tls-cert`, `--tls-key` and `--tls-ca` (none without a certificate),
/// its files read and checked; an error names the flag and the file at fault.
pub fn load_tls(
    cert: Option<&str>,
    key: Option<&str>,
    ca: Option<&str>,
) -> Result<Option<Tls>, String> {
    if cert.is_none() {
        return Ok(None);
    }
    let files = TlsFiles::new(cert, key, ca);
    files.and_then(|f| f.load()).map(Some).map_err(|mut e| {
        e.key = match e.key.as_str() {
            tls::CERT_FILE => "--tls-cert",
            tls::KEY_FILE => "--tls-key",
            _ => "--tls-ca",
        }
        .to_string();
        e.to_string()
    })
}

/// Arguments of `ember master`.
#[derive(Args, Debug)]
pub struct MasterArgs {
    /// The address to listen on (a non-loopback address needs a secret).
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// The port to listen on.
    #[arg(long, default_value_t = 7077)]
    port: u16,
    /// The port of the web UI (the cluster page, /json and /metrics) on --host; the next free
    /// port when taken (up to 16 more), 0 for any.
    #[arg(long, value_name = "PORT", default_value_t = 8080)]
    webui_port: u16,
    /// How many failed executors of one application are replaced; past it, they are not
    /// (ember.deploy.maxExecutorRetries).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_EXECUTOR_RETRIES)]
    max_executor_retries: u32,
    /// A file holding the cluster's shared secret (else EMBER_AUTHENTICATE_SECRET).
    #[arg(long, value_name = "FILE")]
    secret_file: Option<String>,
    #[command(flatten)]
    tls: TlsArgs,
}

/// Arguments of `ember worker`.
#[derive(Args, Debug)]
pub struct WorkerArgs {
    /// The master, as ember://host:port.
    #[arg(long, value_name = "URL")]
    master: String,
    /// Cores to offer.
    #[arg(long, default_value_t = 1)]
    cores: u32,
    /// Memory to offer (e.g. 2g).
    #[arg(long, default_value = "1g")]
    memory: String,
    /// The address executors on this host serve blocks on (reachable from other hosts).
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// This worker's id (default: worker-<host>-<pid>).
    #[arg(long)]
    id: Option<String>,
    /// Where executors' logs go.
    #[arg(long, value_name = "DIR")]
    work_dir: Option<String>,
    /// A file holding the cluster's shared secret (else EMBER_AUTHENTICATE_SECRET).
    #[arg(long, value_name = "FILE")]
    secret_file: Option<String>,
    #[command(flatten)]
    tls: TlsArgs,
}

/// Logs to stderr, filtered by `EMBER_LOG` (default `info`).
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("EMBER_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Runs a master until the process is stopped.
pub fn master(args: &MasterArgs) -> ExitCode {
    init_logging();
    let (secret, tls) =
        match secret(args.secret_file.as_deref()).and_then(|s| Ok((s, args.tls.load()?))) {
            Ok(settings) => settings,
            Err(e) => {
                eprintln!("ember master: {e}");
                return ExitCode::FAILURE;
            }
        };
    let bind = if args.host.contains(':') {
        format!("[{}]:{}", args.host, args.port)
    } else {
        format!("{}:{}", args.host, args.port)
    };
    let config = MasterConfig {
        worker_timeout: Duration::from_secs(30),
        max_executor_retries: args.max_executor_retries,
    };
    let ui = UiSettings {
        host: args.host.clone(),
        port: args.webui_port,
        secret: secret.clone(),
        tls: tls.clone(),
        ..UiSettings::new(args.webui_port)
    };
    match MasterHandle::start_with(&bind, secret, tls, config) {
        Ok(m) => {
            let m = Arc::new(m);
            let view = Arc::clone(&m);
            let server = match serve(master_router(move || view.snapshot()), &ui) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("ember master: the web UI: {e}");
                    return ExitCode::FAILURE;
                }
            };
            eprintln!("ember master listening on ember://{}", m.address());
            eprintln!("ember master web UI at {}", server.url());
            m.run_forever();
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("ember master: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs a worker until its master goes away.
pub fn worker(args: &WorkerArgs) -> ExitCode {
    init_logging();
    let fail = |e: String| {
        eprintln!("ember worker: {e}");
        ExitCode::FAILURE
    };
    let Some(master) = args.master.strip_prefix("ember://") else {
        return fail(format!(
            "--master {}: expected ember://host:port",
            args.master
        ));
    };
    let Some(memory) = ember::conf::parse_bytes(&args.memory) else {
        return fail(format!(
            "--memory {}: expected a size like 512m or 2g",
            args.memory
        ));
    };
    let (secret, tls) =
        match secret(args.secret_file.as_deref()).and_then(|s| Ok((s, args.tls.load()?))) {
            Ok(settings) => settings,
            Err(e) => return fail(e),
        };
    let work_dir = args
        .work_dir
        .clone()
        .map_or_else(|| std::env::temp_dir().join("ember-worker"), Into::into);
    let config = WorkerConfig {
        master: master.to_string(),
        worker_id: args
            .id
            .clone()
            .unwrap_or_else(|| format!("worker-{}-{}", args.host, std::process::id())),
        host: args.host.clone(),
        cores: args.cores.max(1),
        memory_bytes: memory,
        secret,
        tls,
        work_dir,
    };
    match run(config) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(e.to_string()),
    }
}
