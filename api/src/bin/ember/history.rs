//! `ember history`: the history server, the driver's web UI over the event logs of a directory
//! (`ember.eventLog.dir`).

use clap::Args;
use ember::ui::history::{HistoryDir, history_router};
use ember::ui::server::{UiSettings, serve};
use ember::ui::store::Retention;
use std::process::ExitCode;
use std::sync::Arc;

/// Arguments of `ember history`.
#[derive(Args, Debug)]
pub struct HistoryArgs {
    /// The directory of event logs (the drivers' ember.eventLog.dir).
    #[arg(long, value_name = "DIR", default_value = "/tmp/ember-events")]
    dir: String,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// The port to listen on; the next free port when taken (up to 16 more), 0 for any.
    #[arg(long, default_value_t = 18080)]
    port: u16,
    /// A file holding a secret the pages require (HTTP Basic password or Bearer token; else
    /// EMBER_AUTHENTICATE_SECRET, else none).
    #[arg(long, value_name = "FILE")]
    secret_file: Option<String>,
    /// Serve HTTPS with this PEM certificate chain.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<String>,
    /// The PEM private key of --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<String>,
}

/// Serves the history UI until the process is stopped.
pub fn main(args: &HistoryArgs) -> ExitCode {
    crate::cluster::init_logging();
    let run = || -> Result<(), String> {
        let secret = crate::cluster::secret(args.secret_file.as_deref())?;
        let tls =
            crate::cluster::load_tls(args.tls_cert.as_deref(), args.tls_key.as_deref(), None)?;
        let logs = HistoryDir::new(std::path::Path::new(&args.dir), Retention::default())
            .map_err(|e| e.to_string())?;
        let settings = UiSettings {
            host: args.host.clone(),
            secret,
            tls,
            ..UiSettings::new(args.port)
        };
        let server = serve(history_router(Arc::new(logs)), &settings).map_err(|e| e.to_string())?;
        eprintln!(
            "ember history server at {} (logs in {})",
            server.url(),
            args.dir
        );
        loop {
            std::thread::park();
        }
    };
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ember history: {e}");
            ExitCode::FAILURE
        }
    }
}
