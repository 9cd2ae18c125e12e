//! Debian's chromium, headless, driven through Debian's chromedriver with WebDriver (fantoccini):
//! never a downloaded browser (docs/decisions/018-the-console.md). A missing browser fails the
//! test with what to run; it is never skipped.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::process::{Child, Command};

/// Debian's chromium.
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// Debian's chromedriver (package `chromium-driver`).
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Set to `1` to write screenshots into `docs/screenshots/`.
pub const SCREENSHOTS_ENV: &str = "LIAISON_SCREENSHOTS";

/// A browser session; the driver is killed when it is dropped.
pub struct Browser {
    /// The WebDriver client.
    pub client: Client,
    _driver: Child,
    _profile: TempDir,
}

impl Browser {
    /// Starts chromedriver on a free port and a headless chromium at 1280×800 with a fresh
    /// profile and no network beyond this machine.
    pub async fn start() -> Browser {
        for binary in [CHROMIUM, CHROMEDRIVER] {
            assert!(
                Path::new(binary).is_file(),
                "{binary} is missing: run `just setup` (it installs Debian's chromium and \
                 chromium-driver for the console's browser tests)"
            );
        }
        let port = liaison_testkit::free_port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("{CHROMEDRIVER} does not start: {e}"));
        let deadline = Instant::now() + Duration::from_secs(15);
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            assert!(
                Instant::now() < deadline,
                "chromedriver did not listen on {port}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let profile = tempfile::tempdir().expect("a profile directory");
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--window-size=1280,800",
        ]
        .map(str::to_owned)
        .into_iter()
        .chain([format!("--user-data-dir={}", profile.path().display())])
        .collect::<Vec<_>>();
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": CHROMIUM, "args": args },
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .unwrap_or_else(|e| panic!("chromium does not start under chromedriver: {e}"));
        Browser {
            client,
            _driver: driver,
            _profile: profile,
        }
    }

    /// Waits (at most `within`) for an element matching `css`.
    pub async fn element(&self, css: &str, within: Duration) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(within)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element {css} within {within:?}: {e}"))
    }

    /// Runs `script` (a function body returning a JSON value).
    pub async fn js(&self, script: &str) -> Value {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("the script failed: {e}\n{script}"))
    }

    /// Waits (at most `within`) until `script` returns `true`; how long it took.
    pub async fn until(&self, what: &str, script: &str, within: Duration) -> Duration {
        let started = Instant::now();
        loop {
            if self.js(script).await == Value::Bool(true) {
                return started.elapsed();
            }
            assert!(started.elapsed() < within, "not within {within:?}: {what}");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Writes a screenshot to `docs/screenshots/<name>.png` when [`SCREENSHOTS_ENV`] is `1`.
    pub async fn screenshot(&self, name: &str) {
        if std::env::var(SCREENSHOTS_ENV).as_deref() != Ok("1") {
            return;
        }
        let png = self.client.screenshot().await.expect("a screenshot");
        let dir = super::repo_root().join("docs/screenshots");
        std::fs::create_dir_all(&dir).expect("docs/screenshots");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("writing a screenshot");
    }

    /// Ends the session.
    pub async fn stop(self) {
        let _ = self.client.close().await;
    }
}
