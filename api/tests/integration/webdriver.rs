//! A minimal W3C WebDriver client driving headless Chromium through Debian's `chromedriver`
//! (packages `chromium` and `chromium-driver`, installed by scripts/test.sh). Tests fail, not
//! skip, when they are missing.

use base64::Engine;
use serde_json::{Value, json};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The key of an element reference in WebDriver answers.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A browser session: a chromedriver process and one headless Chromium.
pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    http: reqwest::blocking::Client,
    _profile: tempfile::TempDir,
}

fn find(candidates: &[&str]) -> Option<String> {
    candidates
        .iter()
        .find(|c| std::path::Path::new(c).exists())
        .map(|c| c.to_string())
}

impl Browser {
    /// Starts chromedriver and a headless Chromium with a fresh profile.
    pub fn start() -> Browser {
        let driver_bin = find(&["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]).expect(
            "chromedriver not found: install Debian's chromium-driver (scripts/test.sh does)",
        );
        let chromium = find(&["/usr/bin/chromium", "/usr/lib/chromium/chromium"])
            .expect("chromium not found: install Debian's chromium (scripts/test.sh does)");
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let driver = Command::new(&driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {driver_bin}: {e}"));
        let http = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let ready = http
                .get(format!("{base}/status"))
                .send()
                .ok()
                .and_then(|r| r.json::<Value>().ok())
                .is_some_and(|v| v["value"]["ready"] == json!(true));
            if ready {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver did not become ready"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = tempfile::tempdir().unwrap();
        let caps = json!({"capabilities": {"alwaysMatch": {"goog:chromeOptions": {
            "binary": chromium,
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1400,1000",
                     format!("--user-data-dir={}", profile.path().display())],
        }}}});
        let mut browser = Browser {
            driver,
            base,
            session: String::new(),
            http,
            _profile: profile,
        };
        let answer = browser.call("POST", "/session", Some(caps));
        browser.session = answer["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {answer}"))
            .to_string();
        browser
    }

    /// One WebDriver command; panics with the driver's message on an error.
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let v = self.try_call(method, path, body);
        if let Some(e) = v.get("error") {
            panic!("WebDriver {method} {path}: {e}: {}", v["message"]);
        }
        v
    }

    /// One WebDriver command; its `value` (an `error` field on failure).
    fn try_call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{path}", self.base);
        let req = match method {
            "POST" => self.http.post(url).json(&body.unwrap_or(json!({}))),
            "DELETE" => self.http.delete(url),
            _ => self.http.get(url),
        };
        let answer: Value = req
            .send()
            .and_then(|r| r.json())
            .unwrap_or_else(|e| panic!("WebDriver {method} {path}: {e}"));
        answer["value"].clone()
    }

    fn session_path(&self, rest: &str) -> String {
        format!("/session/{}{rest}", self.session)
    }

    /// Opens `url` and waits for it to load.
    pub fn open(&self, url: &str) {
        self.call(
            "POST",
            &self.session_path("/url"),
            Some(json!({ "url": url })),
        );
    }

    /// The page's title.
    pub fn title(&self) -> String {
        let v = self.call("GET", &self.session_path("/title"), None);
        v.as_str().unwrap_or_default().to_string()
    }

    /// The element references matching a CSS selector.
    fn elements(&self, css: &str) -> Vec<String> {
        let body = json!({"using": "css selector", "value": css});
        let v = self.call("POST", &self.session_path("/elements"), Some(body));
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e[ELEMENT].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The rendered text of every element matching `css`, in document order.
    pub fn texts(&self, css: &str) -> Vec<String> {
        self.elements(css)
            .iter()
            .map(|e| {
                let v = self.call(
                    "GET",
                    &self.session_path(&format!("/element/{e}/text")),
                    None,
                );
                v.as_str().unwrap_or_default().to_string()
            })
            .collect()
    }

    /// The text of the one element matching `css`.
    pub fn text(&self, css: &str) -> String {
        let all = self.texts(css);
        assert_eq!(all.len(), 1, "{css} matched {} elements", all.len());
        all.into_iter().next().unwrap()
    }

    /// A DOM property of every element matching `css` (`href` gives absolute URLs).
    pub fn properties(&self, css: &str, name: &str) -> Vec<String> {
        self.elements(css)
            .iter()
            .map(|e| {
                let path = self.session_path(&format!("/element/{e}/property/{name}"));
                let v = self.call("GET", &path, None);
                v.as_str().unwrap_or_default().to_string()
            })
            .collect()
    }

    /// Whether a JavaScript dialog (an `alert(...)`) is open.
    pub fn alert_open(&self) -> bool {
        let v = self.try_call("GET", &self.session_path("/alert/text"), None);
        v.get("error").is_none()
    }

    /// Saves a PNG screenshot of the page as `<CARGO_TARGET_TMPDIR>/ui-screenshots/<name>.png`
    /// and prints where (the test output keeps the path).
    pub fn screenshot(&self, name: &str) -> PathBuf {
        let v = self.call("GET", &self.session_path("/screenshot"), None);
        let png = base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap_or_default())
            .expect("a base64 screenshot");
        assert!(png.starts_with(b"\x89PNG"), "the screenshot is not a PNG");
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("ui-screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap();
        println!("screenshot: {}", path.display());
        path
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = self.try_call("DELETE", &self.session_path(""), None);
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
