//! The HTTP side of the web UI (issue 7): the port rule, the security headers, authentication,
//! and the `/metrics` of the driver, the executors of a `local-cluster` and `ember master`
//! (each exposition checked by `promtool check metrics`, from Debian's `prometheus` package,
//! which must be on PATH), and the master's cluster page escaping an application's name.

use axum::Router;
use axum::response::Html;
use axum::routing::get;
use base64::Engine;
use ember::ui::server::{CONTENT_SECURITY_POLICY, UiSettings, serve};
use ember::ui::{DriverMetrics, driver_metrics_router};
use ember::{Conf, Context};
use ember_proto::auth::Secret;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::Duration;

/// Checks an exposition with `promtool check metrics`; fails (not skips) without promtool.
pub fn promtool_check(text: &str) {
    let mut child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot run promtool ({e}): install Debian's prometheus package (scripts/test.sh does)")
        });
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "promtool check metrics failed: {}{}\n--- exposition:\n{text}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The value of the sample `name` (a whole sample name, labels included) in an exposition.
pub fn sample(text: &str, name: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("no sample {name} in:\n{text}"))
}

fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

fn open_on(port: u16) -> UiSettings {
    UiSettings {
        host: "127.0.0.1".into(),
        ..UiSettings::new(port)
    }
}

fn page_router() -> Router {
    Router::new().route("/", get(|| async { Html("<p>hello</p>") }))
}

#[test]
fn a_taken_port_moves_the_ui_to_the_next_free_one() {
    // A 4040-style preferred port, taken.
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let server = serve(page_router(), &open_on(port)).unwrap();
    assert!(
        server.port() > port && server.port() <= port + 16,
        "{port} taken: served on {}",
        server.port()
    );
    assert_eq!(server.url(), format!("http://127.0.0.1:{}", server.port()));
    let body = client().get(server.url()).send().unwrap().text().unwrap();
    assert_eq!(body, "<p>hello</p>");
    // Dropping the server frees its port.
    let freed = server.port();
    drop(server);
    TcpListener::bind(("127.0.0.1", freed)).expect("the port is free after the drop");

    // Every port of the retries taken: an ephemeral port.
    let first = TcpListener::bind("127.0.0.1:0").unwrap();
    let p = first.local_addr().unwrap().port();
    let Ok(second) = TcpListener::bind(("127.0.0.1", p + 1)) else {
        return; // someone else holds p + 1: the rule is still taken, nothing to check here
    };
    let settings = UiSettings {
        max_retries: 1,
        ..open_on(p)
    };
    let server = serve(page_router(), &settings).unwrap();
    assert!(server.port() != p && server.port() != p + 1);
    drop((first, second));
}

#[test]
fn every_response_carries_the_security_headers() {
    let router = page_router().merge(driver_metrics_router(DriverMetrics::default));
    let server = serve(router, &open_on(0)).unwrap();
    let http = client();
    for (path, status, kind) in [
        ("/", 200, "text/html"),
        ("/no/such/page", 404, "text/plain"),
        ("/metrics", 200, "text/plain; version=0.0.4"),
        ("/static/ember.css", 200, "text/css"),
    ] {
        let r = http.get(format!("{}{path}", server.url())).send().unwrap();
        assert_eq!(r.status().as_u16(), status, "{path}");
        let h = r.headers();
        let header = |name: &str| h.get(name).map(|v| v.to_str().unwrap().to_string());
        assert_eq!(
            header("content-security-policy").as_deref(),
            Some(CONTENT_SECURITY_POLICY),
            "{path}"
        );
        assert_eq!(
            header("x-content-type-options").as_deref(),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(header("x-frame-options").as_deref(), Some("DENY"), "{path}");
        assert_eq!(
            header("referrer-policy").as_deref(),
            Some("no-referrer"),
            "{path}"
        );
        assert!(header("content-type").unwrap().starts_with(kind), "{path}");
    }
    let css = http
        .get(format!("{}/static/ember.css", server.url()))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert_eq!(css, ember::ui::server::STYLESHEET);
    // Prometheus asks for OpenMetrics, and gets it.
    let om = http
        .get(format!("{}/metrics", server.url()))
        .header(
            "accept",
            "application/openmetrics-text;version=1.0.0,text/plain;q=0.5",
        )
        .send()
        .unwrap();
    assert!(
        om.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/openmetrics-text")
    );
    assert!(om.text().unwrap().ends_with("# EOF\n"));
    assert!(!CONTENT_SECURITY_POLICY.contains("unsafe-inline"));
}

#[test]
fn a_secret_guards_every_path() {
    let settings = UiSettings {
        secret: Secret::new("open sesame"),
        ..open_on(0)
    };
    let server = serve(page_router(), &settings).unwrap();
    let http = client();
    let get = |path: &str, auth: Option<String>| {
        let mut r = http.get(format!("{}{path}", server.url()));
        if let Some(a) = auth {
            r = r.header("authorization", a);
        }
        r.send().unwrap()
    };
    let basic = |user_pass: &str| {
        let b64 = base64::engine::general_purpose::STANDARD.encode(user_pass);
        Some(format!("Basic {b64}"))
    };
    for path in ["/", "/static/ember.css", "/no/such/page"] {
        let r = get(path, None);
        assert_eq!(r.status().as_u16(), 401, "{path}");
        let challenge = r.headers()["www-authenticate"].to_str().unwrap();
        assert!(
            challenge.starts_with("Basic realm=\"ember\""),
            "{challenge}"
        );
        assert_eq!(
            r.headers()["content-security-policy"].to_str().unwrap(),
            CONTENT_SECURITY_POLICY
        );
        assert_eq!(
            get(path, basic("admin:wrong")).status().as_u16(),
            401,
            "{path}"
        );
        assert_eq!(
            get(path, Some("Bearer wrong".into())).status().as_u16(),
            401
        );
    }
    assert_eq!(get("/", basic("anyone:open sesame")).status().as_u16(), 200);
    let page = get("/", Some("Bearer open sesame".into()));
    assert_eq!(page.status().as_u16(), 200);
    assert_eq!(page.text().unwrap(), "<p>hello</p>");
    assert_eq!(
        get("/no/such/page", basic("u:open sesame"))
            .status()
            .as_u16(),
        404
    );
}

#[test]
fn driver_metrics_pass_promtool_and_count_the_job() {
    let ctx = Context::new(
        Conf::new()
            .master("local[2]")
            .set("ember.ui.showConsoleProgress", "false"),
    )
    .unwrap();
    let counts = ctx
        .parallelize((0..100u64).collect::<Vec<_>>(), 4)
        .map(|x| (x % 5, 1u64))
        .reduce_by_key_n(|a, b| a + b, 3)
        .collect()
        .unwrap();
    assert_eq!(counts.len(), 5);
    let cached = ctx.parallelize((0..1000u64).collect::<Vec<_>>(), 2).cache();
    assert_eq!(cached.count().unwrap(), 1000);
    // The live driver UI's /metrics, fed by its status store.
    let url = ctx.ui_url().expect("the UI runs by default").to_string();
    let r = client().get(format!("{url}/metrics")).send().unwrap();
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let text = r.text().unwrap();
    promtool_check(&text);
    // Two jobs: 4 map and 3 reduce tasks, then 2 tasks of the count.
    assert_eq!(sample(&text, "ember_driver_jobs_succeeded_total"), 2.0);
    assert_eq!(sample(&text, "ember_driver_jobs_active"), 0.0);
    assert_eq!(sample(&text, "ember_driver_tasks_completed_total"), 9.0);
    assert_eq!(sample(&text, "ember_driver_stages_completed_total"), 3.0);
    assert_eq!(sample(&text, "ember_driver_tasks_failed_total"), 0.0);
    assert_eq!(sample(&text, "ember_driver_executors_active"), 1.0);
    // The 100 records crossed the shuffle as at most 4 x 5 combined ones.
    let written = sample(&text, "ember_driver_shuffle_write_records_total");
    assert!((5.0..=20.0).contains(&written), "{written}");
    assert!(sample(&text, "ember_driver_shuffle_write_bytes_total") > 0.0);
    assert!(sample(&text, "ember_driver_blocks_memory_bytes") > 0.0);
    assert_eq!(
        sample(&text, "ember_driver_blocks_memory_bytes"),
        ctx.storage_memory_used() as f64
    );
}

#[test]
fn executor_metrics_of_a_local_cluster_pass_promtool() {
    let name = "ui_server::executor_metrics_of_a_local_cluster_pass_promtool";
    let ctx = Context::new(
        Conf::new()
            .master("local-cluster[2,1,512]")
            .app_name(name)
            .set("ember.ui.showConsoleProgress", "false")
            .set("ember.authenticate.secret", "metrics-secret")
            .set(
                "ember.executor.args",
                format!("{name} --exact --nocapture --test-threads=1"),
            ),
    )
    .expect("local cluster starts");
    let sums = ctx
        .parallelize((0..600u64).collect::<Vec<_>>(), 6)
        .map(|x| (x % 7, x))
        .reduce_by_key_n(|a, b| a + b, 4)
        .collect()
        .unwrap();
    assert_eq!(sums.len(), 7);
    if !ctx.is_driver() {
        // An executor's copy keeps the process (and its /metrics) alive until the driver, done
        // scraping, ends the session, which ends the process.
        std::thread::sleep(Duration::from_secs(300));
        return;
    }
    let urls = ctx.executor_metrics_urls();
    let ids: Vec<&str> = urls.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, ["exec-0", "exec-1"]);
    let http = client();
    let (mut completed, mut written, mut read) = (0.0, 0.0, 0.0);
    for (id, url) in &urls {
        assert!(
            url.starts_with("http://127.0.0.1:") && url.ends_with("/metrics"),
            "{url}"
        );
        // The executors share the cluster's secret.
        assert_eq!(http.get(url).send().unwrap().status().as_u16(), 401);
        let r = http
            .get(url)
            .header("authorization", "Bearer metrics-secret")
            .send()
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        let text = r.text().unwrap();
        promtool_check(&text);
        let label = format!("{{executor_id=\"{id}\"}}");
        let at = |m: &str| sample(&text, &format!("ember_executor_{m}{label}"));
        completed += at("tasks_completed_total");
        written += at("shuffle_write_bytes_total");
        read += at("shuffle_read_bytes_total");
        assert_eq!(at("tasks_failed_total"), 0.0);
        assert_eq!(at("tasks_active"), 0.0);
        assert!(at("blocks_memory_capacity_bytes") > 0.0);
        assert!(at("process_resident_memory_bytes") > 1e6);
        assert!(at("process_cpu_seconds_total") > 0.0);
    }
    // 6 map and 4 reduce tasks ran on the two executors.
    assert_eq!(completed, 10.0);
    assert!(
        written > 0.0 && read > 0.0,
        "written {written}, read {read}"
    );
}

/// A child `ember` process, killed when dropped (also when a test fails).
struct EmberProcess(std::process::Child);

impl Drop for EmberProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `ember <args>` without a secret, and returns it with the lines it prints on stderr.
fn spawn_ember(
    args: &[&str],
) -> (
    EmberProcess,
    std::io::Lines<BufReader<std::process::ChildStderr>>,
) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ember"))
        .args(args)
        .env_remove("EMBER_AUTHENTICATE_SECRET")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = BufReader::new(child.stderr.take().unwrap()).lines();
    (EmberProcess(child), lines)
}

/// `ember master --port 0 --webui-port 0`, its addresses read from what it prints.
struct MasterProcess {
    _process: EmberProcess,
    address: String,
    ui: String,
}

fn start_master() -> MasterProcess {
    start_master_with(&[])
}

/// [`start_master`] with more arguments.
fn start_master_with(args: &[&str]) -> MasterProcess {
    let all = [&["master", "--port", "0", "--webui-port", "0"], args].concat();
    let (process, mut lines) = spawn_ember(&all);
    let (mut address, mut ui) = (None, None);
    while address.is_none() || ui.is_none() {
        let line = lines
            .next()
            .expect("the master prints its addresses")
            .unwrap();
        if let Some(a) = line.strip_prefix("ember master listening on ember://") {
            address = Some(a.to_string());
        }
        if let Some(u) = line.strip_prefix("ember master web UI at ") {
            ui = Some(u.to_string());
        }
    }
    // Keep draining its log so it never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    MasterProcess {
        _process: process,
        address: address.unwrap(),
        ui: ui.unwrap(),
    }
}

#[test]
fn the_master_serves_its_cluster_page_json_and_metrics() {
    use ember_proto::v1::master_client::MasterClient;
    use ember_proto::v1::{ApplicationRequest, RegisterWorker, WorkerMessage, worker_message};
    let master = start_master();
    assert!(master.ui.starts_with("http://127.0.0.1:"), "{}", master.ui);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let evil = "<script>alert(1)</script>";
    // A worker of 4 cores and 2 GiB (this test's own session), and an application asking for
    // 2-core executors: the master places one on it.
    let (_worker, _app) = rt.block_on(async {
        let mut client = MasterClient::connect(format!("http://{}", master.address))
            .await
            .unwrap();
        let register = WorkerMessage {
            kind: Some(worker_message::Kind::Register(RegisterWorker {
                protocol_version: ember_proto::PROTOCOL_VERSION,
                worker_id: "worker-a".into(),
                host: "127.0.0.1".into(),
                cores: 4,
                memory_bytes: 2 << 30,
            })),
        };
        let up = futures::StreamExt::chain(
            futures::stream::iter(vec![register]),
            futures::stream::pending(),
        );
        let mut worker = client.worker_session(up).await.unwrap().into_inner();
        worker.message().await.unwrap().expect("registered");
        let mut app = client
            .application(ApplicationRequest {
                protocol_version: ember_proto::PROTOCOL_VERSION,
                name: evil.into(),
                driver: "127.0.0.1:1".into(),
                program: "/bin/true".into(),
                executor_cores: 2,
                executor_memory_bytes: 512 << 20,
                max_executors: 1,
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        app.message().await.unwrap().expect("accepted");
        (worker, app)
    });
    let http = client();
    let page = http.get(&master.ui).send().unwrap();
    assert_eq!(page.status().as_u16(), 200);
    assert_eq!(
        page.headers()["content-security-policy"].to_str().unwrap(),
        CONTENT_SECURITY_POLICY
    );
    let page = page.text().unwrap();
    assert!(!page.contains(evil), "the raw name is in the page:\n{page}");
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{page}"
    );
    assert!(
        page.contains("worker-a") && page.contains("app-0-exec-0"),
        "{page}"
    );
    assert!(page.contains("href=\"/static/ember.css\""));

    let json: serde_json::Value = serde_json::from_str(
        &http
            .get(format!("{}/json", master.ui))
            .send()
            .unwrap()
            .text()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(json["address"], master.address.as_str());
    assert_eq!(json["workers"][0]["id"], "worker-a");
    assert_eq!(json["workers"][0]["cores"], 4);
    assert_eq!(json["workers"][0]["cores_used"], 2);
    assert_eq!(json["applications"][0]["name"], evil);
    assert_eq!(json["executors"][0]["app_id"], "app-0");

    let text = http
        .get(format!("{}/metrics", master.ui))
        .send()
        .unwrap()
        .text()
        .unwrap();
    promtool_check(&text);
    assert_eq!(sample(&text, "ember_master_workers_alive"), 1.0);
    assert_eq!(sample(&text, "ember_master_executors_alive"), 1.0);
    assert_eq!(sample(&text, "ember_master_applications_alive"), 1.0);
    assert_eq!(sample(&text, "ember_master_cores"), 4.0);
    assert_eq!(sample(&text, "ember_master_cores_used"), 2.0);
    assert_eq!(
        sample(&text, "ember_master_memory_bytes"),
        (2u64 << 30) as f64
    );
    assert_eq!(
        sample(&text, "ember_master_memory_used_bytes"),
        (512u64 << 20) as f64
    );
}

/// A self-signed certificate of 127.0.0.1 written to `dir`: (TLS settings, its PEM).
fn self_signed_tls(dir: &std::path::Path) -> (ember_proto::tls::Tls, String) {
    let made = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).unwrap();
    let cert = dir.join("cert.pem");
    let key = dir.join("key.pem");
    std::fs::write(&cert, made.cert.pem()).unwrap();
    std::fs::write(&key, made.signing_key.serialize_pem()).unwrap();
    let files = ember_proto::tls::TlsFiles::new(cert.to_str(), key.to_str(), None).unwrap();
    (files.load().unwrap(), made.cert.pem())
}

#[test]
fn with_tls_the_ui_speaks_https_only_and_a_silent_client_delays_nobody() {
    let dir = tempfile::tempdir().unwrap();
    let (tls, pem) = self_signed_tls(dir.path());
    let settings = UiSettings {
        secret: Secret::new("tls-ui-secret"),
        tls: Some(tls),
        ..open_on(0)
    };
    let server = serve(page_router(), &settings).unwrap();
    assert_eq!(server.url(), format!("https://127.0.0.1:{}", server.port()));
    // Connections that never finish a handshake do not hold up the next client.
    let silent: Vec<_> = (0..3)
        .map(|_| std::net::TcpStream::connect(server.address()).unwrap())
        .collect();
    let trusting = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(5))
        .add_root_certificate(reqwest::Certificate::from_pem(pem.as_bytes()).unwrap())
        .build()
        .unwrap();
    let get = |client: &reqwest::blocking::Client, url: &str, token: Option<&str>| {
        let mut request = client.get(url);
        if let Some(t) = token {
            request = request.bearer_auth(t);
        }
        request.send()
    };
    let r = get(&trusting, server.url(), Some("tls-ui-secret")).unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(
        r.headers()["content-security-policy"],
        CONTENT_SECURITY_POLICY
    );
    assert_eq!(r.text().unwrap(), "<p>hello</p>");
    // Authentication still holds over TLS.
    let r = get(&trusting, server.url(), None).unwrap();
    assert_eq!(r.status().as_u16(), 401);
    // Plain HTTP to the port gets no answer, not the page.
    let plain = format!("http://127.0.0.1:{}/", server.port());
    let e = get(&client(), &plain, Some("tls-ui-secret")).unwrap_err();
    assert!(!e.is_status(), "{e}");
    // A client that does not trust the certificate refuses it.
    let e = get(&client(), server.url(), Some("tls-ui-secret")).unwrap_err();
    assert!(
        format!("{e:?}").contains("UnknownIssuer"),
        "an untrusted certificate was accepted or failed otherwise: {e:?}"
    );
    drop(silent);
}

#[test]
fn ember_master_and_ember_history_serve_https_with_a_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let (_, pem) = self_signed_tls(dir.path());
    let cert = dir.path().join("cert.pem").display().to_string();
    let key = dir.path().join("key.pem").display().to_string();
    let tls = ["--tls-cert", cert.as_str(), "--tls-key", key.as_str()];
    let trusting = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(10))
        .add_root_certificate(reqwest::Certificate::from_pem(pem.as_bytes()).unwrap())
        .build()
        .unwrap();

    let master = start_master_with(&tls);
    assert!(master.ui.starts_with("https://127.0.0.1:"), "{}", master.ui);
    let r = trusting.get(format!("{}/json", master.ui)).send().unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.text().unwrap().contains("\"workers\""));

    let logs = tempfile::tempdir().unwrap();
    let dir_arg = logs.path().display().to_string();
    let all = [
        &["history", "--port", "0", "--dir", dir_arg.as_str()],
        &tls[..],
    ]
    .concat();
    let (_history, mut lines) = spawn_ember(&all);
    let url = loop {
        let line = lines.next().expect("ember history prints its URL").unwrap();
        if let Some(rest) = line.strip_prefix("ember history server at ") {
            break rest.split(' ').next().unwrap().to_string();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    let served = trusting.get(format!("{url}/")).send();
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    assert_eq!(served.unwrap().status().as_u16(), 200);
}
