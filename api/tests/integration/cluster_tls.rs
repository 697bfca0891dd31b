//! Cluster mode over TLS (`ember.ssl.*`): a CA and a certificate for 127.0.0.1 are made at test
//! time; jobs run on `local-cluster` and on a standalone master and worker over TLS, and
//! clients that speak plain HTTP/2 or do not trust the CA are refused on every port.

use super::cluster::{local, start_workers, word_count};
use ember::{Conf, Context};
use ember_proto::auth::{Credentials, Secret};
use ember_proto::tls::{self, Tls, TlsFiles};
use ember_proto::v1::MapOutputsRequest;
use ember_proto::v1::driver_client::DriverClient;
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
use std::path::Path;
use std::time::{Duration, Instant};

const SECRET: &str = "tls-test-secret";

/// The PEM files of a test PKI.
struct Pki {
    /// The certificate of 127.0.0.1 and localhost, signed by the CA.
    cert: String,
    /// Its private key.
    key: String,
    /// The CA's certificate.
    ca: String,
    /// Another CA's certificate, which signed nothing the cluster presents.
    rogue_ca: String,
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// A self-signed CA named `name`.
fn ca(name: &str) -> CertifiedIssuer<'static, KeyPair> {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap()
}

fn make_pki(dir: &Path) -> Pki {
    let ca_cert = ca("ember test CA");
    let key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
        .unwrap()
        .signed_by(&key, &ca_cert)
        .unwrap();
    Pki {
        cert: write(dir, "cert.pem", &leaf.pem()),
        key: write(dir, "key.pem", &key.serialize_pem()),
        ca: write(dir, "ca.pem", &ca_cert.pem()),
        rogue_ca: write(dir, "rogue-ca.pem", &ca("rogue CA").pem()),
    }
}

impl Pki {
    /// The `ember.ssl.*` settings of a driver.
    fn conf(&self, conf: Conf) -> Conf {
        conf.set(tls::ENABLED, "true")
            .set(tls::CERT_FILE, &self.cert)
            .set(tls::KEY_FILE, &self.key)
            .set(tls::TRUST_FILE, &self.ca)
    }
    /// A client's TLS trusting `ca`.
    fn trusting(&self, ca: &str) -> Tls {
        TlsFiles::new(Some(&self.cert), Some(&self.key), Some(ca))
            .unwrap()
            .load()
            .unwrap()
    }
}

fn executor_conf(master: String, name: &str) -> Conf {
    Conf::new()
        .master(master)
        .app_name(name)
        .set("ember.ui.showConsoleProgress", "false")
        .set("ember.authenticate.secret", SECRET)
        // Executors that cannot reach the driver fail the test in seconds, not minutes.
        .set("ember.executor.registrationTimeout", "30s")
        .set(
            "ember.executor.args",
            format!("{name} --exact --nocapture --test-threads=1"),
        )
}

#[test]
fn word_count_runs_over_tls_and_plain_or_untrusted_clients_are_refused() {
    let name = "cluster_tls::word_count_runs_over_tls_and_plain_or_untrusted_clients_are_refused";
    let dir = tempfile::tempdir().unwrap();
    // Executors take their TLS files from their launch settings, not from this conf.
    let pki = (!Context::is_executor_process()).then(|| make_pki(dir.path()));
    let conf = executor_conf("local-cluster[2,1,512]".into(), name);
    let conf = match &pki {
        Some(p) => p.conf(conf),
        None => conf,
    };
    let ctx = Context::new(conf).expect("a local cluster over TLS starts");
    let got = word_count(&ctx);
    if let Some(pki) = &pki {
        assert_eq!(got, word_count(&local()));
        assert_eq!(got.iter().find(|(w, _)| w == "shared").unwrap().1, 3000);
        clients_without_the_ca_are_refused(&ctx, pki);
        the_ui_and_metrics_speak_https(&ctx, pki);
    }
    // The executors' copies wait here while the driver checks its ports.
    assert_eq!(
        ctx.parallelize((0..10u64).collect(), 2).count().unwrap(),
        10
    );
}

/// The outcome of a `MapOutputs` call to the driver at `driver` with `tls`.
fn call_driver(
    rt: &tokio::runtime::Runtime,
    driver: &str,
    tls: Option<&Tls>,
) -> Result<(), String> {
    let secret = Secret::new(SECRET);
    let creds = Credentials::new(secret.as_ref()).unwrap();
    rt.block_on(async {
        let channel = tls::endpoint(driver, tls)?
            .connect_timeout(Duration::from_secs(5))
            .connect()
            .await
            .map_err(|e| ember_proto::error_chain(&e))?;
        DriverClient::with_interceptor(channel, creds)
            .map_outputs(MapOutputsRequest { shuffle: 0 })
            .await
            .map(|_| ())
            .map_err(|s| ember_proto::status_text(&s))
    })
}

/// The outcome of fetching a block the executor at `flight` does not hold, with `tls`.
fn fetch_block(rt: &tokio::runtime::Runtime, flight: &str, tls: Option<Tls>) -> Result<(), String> {
    use ember_executor::flight::client::{BlockClient, BlockClientConfig};
    let creds = Credentials::new(Secret::new(SECRET).as_ref()).unwrap();
    let config = BlockClientConfig {
        tls,
        connect_timeout: Duration::from_secs(5),
        ..BlockClientConfig::default()
    };
    let client = BlockClient::with_config(rt.handle().clone(), creds, config).unwrap();
    let ticket = ember_executor::flight::ticket(&ember_engine::storage::BlockId::Rdd {
        rdd: ember_engine::ids::RddId(0),
        partition: 0,
    });
    match client.fetch(flight, ticket) {
        Ok(None) => Ok(()),
        Ok(Some(_)) => Err("an unexpected block".into()),
        Err(e) => Err(e.to_string()),
    }
}

fn clients_without_the_ca_are_refused(ctx: &Context, pki: &Pki) {
    let driver = ctx.cluster_driver_address().unwrap();
    let flight = ctx.cluster_executors()[0].2.clone().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let trusted = pki.trusting(&pki.ca);
    let rogue = pki.trusting(&pki.rogue_ca);
    // A client trusting the CA, with the secret, is served (the positive control).
    call_driver(&rt, &driver, Some(&trusted)).unwrap();
    fetch_block(&rt, &flight, Some(trusted)).unwrap();
    // Plain HTTP/2 to a TLS port: no answer, whatever the secret.
    let e = call_driver(&rt, &driver, None).unwrap_err();
    assert!(!e.contains("Unauthenticated"), "{e}");
    let e = fetch_block(&rt, &flight, None).unwrap_err();
    assert!(e.contains(&flight), "{e}");
    // A client that does not trust the CA refuses the server's certificate, saying so.
    for e in [
        call_driver(&rt, &driver, Some(&rogue)).unwrap_err(),
        fetch_block(&rt, &flight, Some(rogue.clone())).unwrap_err(),
    ] {
        assert!(e.contains("invalid peer certificate"), "{e}");
        assert!(e.contains("UnknownIssuer"), "{e}");
    }
}

#[test]
fn tls_settings_that_cannot_be_used_name_the_setting_and_file() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.pem").display().to_string();
    let start = |extra: &[(&str, &str)]| {
        let mut conf = Conf::new()
            .master("local-cluster[1,1,256]")
            .set("ember.ui.showConsoleProgress", "false")
            .set(tls::ENABLED, "true");
        for (k, v) in extra {
            conf = conf.set(*k, *v);
        }
        Context::new(conf)
            .err()
            .expect("the context fails")
            .to_string()
    };
    let e = start(&[]);
    assert!(
        e.contains("ember.ssl.certFile") && e.contains("not set"),
        "{e}"
    );
    let e = start(&[(tls::CERT_FILE, &missing), (tls::KEY_FILE, &missing)]);
    assert!(
        e.contains("ember.ssl.certFile") && e.contains(&missing),
        "{e}"
    );
    assert!(e.contains("cannot read"), "{e}");
    // The CLI names its flags (and exits: a master that started would serve forever).
    let pki = make_pki(dir.path());
    let mut master = std::process::Command::new(env!("CARGO_BIN_EXE_ember"))
        .args(["master", "--port", "0", "--tls-cert", &pki.cert])
        .args(["--tls-key", &pki.ca])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let status = loop {
        if let Some(status) = master.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(30) {
            let _ = master.kill();
            panic!("ember master started with a certificate as its key");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(!status.success());
    let mut e = String::new();
    std::io::Read::read_to_string(&mut master.stderr.take().unwrap(), &mut e).unwrap();
    assert!(e.contains("--tls-key") && e.contains(&pki.ca), "{e}");
    assert!(e.contains("no PEM private key"), "{e}");
}

#[test]
fn a_standalone_master_and_worker_run_a_job_over_tls() {
    let name = "cluster_tls::a_standalone_master_and_worker_run_a_job_over_tls";
    let dir = tempfile::tempdir().unwrap();
    let mut workers = Vec::new();
    let mut master = None;
    // The executors' copies of this test must not start a master and a worker again.
    let (url, pki) = if Context::is_executor_process() {
        ("ember://127.0.0.1:1".to_string(), None)
    } else {
        let pki = make_pki(dir.path());
        let m = ember_scheduler::cluster::MasterHandle::start(
            "127.0.0.1:0",
            Secret::new(SECRET),
            Some(pki.trusting(&pki.ca)),
            Duration::from_secs(10),
        )
        .unwrap();
        let url = format!("ember://{}", m.address());
        let tls = [
            "--tls-cert",
            &pki.cert,
            "--tls-key",
            &pki.key,
            "--tls-ca",
            &pki.ca,
        ];
        workers = start_workers(&m, &url, &tls, &[("EMBER_AUTHENTICATE_SECRET", SECRET)]);
        master = Some(m);
        (url, Some(pki))
    };
    let conf = executor_conf(url, name)
        .set("ember.executor.instances", "2")
        .set("ember.executor.memory", "256m");
    let conf = match &pki {
        Some(p) => p.conf(conf),
        None => conf,
    };
    let ctx = Context::new(conf).expect("a standalone cluster over TLS starts");
    let got = word_count(&ctx);
    if ctx.is_driver() {
        assert_eq!(got, word_count(&local()));
    }
    drop(ctx);
    drop(master);
    for mut w in workers {
        let _ = w.kill();
        let _ = w.wait();
    }
}

/// The driver's UI and every executor's `/metrics` serve HTTPS with the cluster's certificate.
fn the_ui_and_metrics_speak_https(ctx: &Context, pki: &Pki) {
    let ca = std::fs::read(&pki.ca).unwrap();
    let trusting = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(10))
        .add_root_certificate(reqwest::Certificate::from_pem(&ca).unwrap())
        .build()
        .unwrap();
    let ui = ctx.ui_url().expect("the UI is on");
    let metrics = ctx.executor_metrics_urls();
    assert_eq!(metrics.len(), 2, "{metrics:?}");
    let pages = metrics.into_iter().map(|(_, url)| (url, "ember_executor_"));
    let api = (format!("{ui}/api/v1/applications"), "\"attempts\"");
    for (url, expected) in std::iter::once(api).chain(pages) {
        assert!(url.starts_with("https://127.0.0.1:"), "{url}");
        let r = trusting.get(&url).bearer_auth(SECRET).send().unwrap();
        assert_eq!(r.status().as_u16(), 200, "{url}");
        let body = r.text().unwrap();
        assert!(body.contains(expected), "{url}: {body}");
        // The same port in plain HTTP answers nothing.
        let plain = url.replacen("https://", "http://", 1);
        let e = trusting.get(&plain).bearer_auth(SECRET).send().unwrap_err();
        assert!(!e.is_status(), "{plain}: {e}");
    }
}
