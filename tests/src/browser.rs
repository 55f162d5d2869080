//! The console in a real browser: headless Chromium driven through
//! chromedriver (WebDriver, with the `fantoccini` client), for the tests of
//! what only a browser shows (layout at phone width, script, contrast) and
//! for the console's screenshots.
//!
//! [`Browser::start`] runs a chromedriver of its own on a free port and a
//! Chromium session with a fresh profile; dropping the [`Browser`] (also
//! when a test panics) ends the session, stops chromedriver and removes the
//! profile, so that no browser outlives its test. At most [`MAX_BROWSERS`]
//! run at once per test binary: the tests of a binary run in parallel.
//!
//! chromedriver and Chromium come from the system (Debian/Ubuntu:
//! `apt-get install chromium chromium-driver`; `.ci/run` installs them), or
//! from `CHROMEDRIVER` and `CHROME` (paths of the binaries). Without them the
//! tests fail saying how to install them: they are never skipped.

use std::{
    io::{Read, Write},
    net::{SocketAddr, TcpListener, TcpStream},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use fantoccini::{Client, ClientBuilder, Locator, elements::Element};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};
use tokio::sync::{Semaphore, SemaphorePermit};
use uuid::Uuid;

use crate::TestApp;

/// How many browsers a test binary runs at once.
pub const MAX_BROWSERS: usize = 2;
/// The window of a desktop browser (the screenshots' size too).
pub const DESKTOP: (u32, u32) = (1280, 800);
/// The window of a phone held upright.
pub const PHONE: (u32, u32) = (390, 844);
/// How long a wait lasts before it fails the test.
pub const WAIT: Duration = Duration::from_secs(15);

static SLOTS: Semaphore = Semaphore::const_new(MAX_BROWSERS);

/// The accessibility check, run in the page (see [`accessibility_violations`]).
const ACCESSIBILITY_JS: &str = include_str!("browser/accessibility.js");

/// A headless Chromium session on a console.
#[derive(Debug)]
pub struct Browser {
    pub client: Client,
    /// `http://127.0.0.1:port` of the console's server.
    pub base: String,
    session: Option<String>,
    driver: Driver,
    _slot: SemaphorePermit<'static>,
}

/// A chromedriver process and the browser profile it was given.
#[derive(Debug)]
struct Driver {
    child: Child,
    port: u16,
    profile: PathBuf,
}

/// Where a program is: `$env` if set, else the first of `names` on the PATH.
fn program(env: &str, names: &[&str]) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(env).filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

const INSTALL: &str = "the console's browser tests drive headless Chromium through chromedriver. \
    Install both (Debian/Ubuntu: `sudo apt-get install chromium chromium-driver`; .ci/run does it), \
    or set CHROMEDRIVER and CHROME to the paths of a chromedriver and a matching Chrome/Chromium";

/// chromedriver and the browser binary, or a panic that says how to install them.
pub fn programs() -> (PathBuf, PathBuf) {
    let driver = program("CHROMEDRIVER", &["chromedriver"])
        .unwrap_or_else(|| panic!("chromedriver is not installed: {INSTALL}"));
    let chrome = program(
        "CHROME",
        &["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"],
    )
    .unwrap_or_else(|| panic!("Chromium is not installed: {INSTALL}"));
    (driver, chrome)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free local port")
}

impl Driver {
    /// Starts chromedriver on a free port and waits until it listens.
    async fn start(path: &Path) -> Driver {
        for _ in 0..5 {
            let port = free_port();
            let mut child = Command::new(path)
                .arg(format!("--port={port}"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("cannot run {}: {e}", path.display()));
            let profile = std::env::temp_dir().join(format!("estateflow-chromium-{}", Uuid::new_v4().simple()));
            let started = Instant::now();
            while started.elapsed() < Duration::from_secs(20) {
                if let Ok(Some(_)) = child.try_wait() {
                    break; // the port was taken meanwhile: another one
                }
                if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return Driver { child, port, profile };
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("chromedriver ({}) did not start listening", path.display());
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// `DELETE /session/{id}`, synchronously (from `Drop`, even while a
    /// panic unwinds): Chromium quits with its session.
    fn end_session(&self, id: &str) {
        let address = SocketAddr::from(([127, 0, 0, 1], self.port));
        let Ok(mut stream) = TcpStream::connect_timeout(&address, Duration::from_secs(2)) else {
            return;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(20)));
        let request = format!(
            "DELETE /session/{id} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
            self.port
        );
        if stream.write_all(request.as_bytes()).is_ok() {
            let mut answer = Vec::new();
            let _ = stream.read_to_end(&mut answer);
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let Some(id) = self.session.take() {
            self.driver.end_session(&id);
        }
    }
}

impl Browser {
    /// A fresh headless Chromium at [`DESKTOP`] size, on `app`'s console.
    pub async fn start(app: &TestApp) -> Browser {
        Browser::start_on(&app.base).await
    }

    /// A fresh headless Chromium on the server at `base` (`http://host:port`).
    pub async fn start_on(base: &str) -> Browser {
        let (driver_path, chrome) = programs();
        let slot = SLOTS.acquire().await.expect("the browser slots are never closed");
        let driver = Driver::start(&driver_path).await;
        let (width, height) = DESKTOP;
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chrome,
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--no-first-run",
                    "--hide-scrollbars",
                    "--lang=zh-CN",
                    format!("--window-size={width},{height}"),
                    format!("--user-data-dir={}", driver.profile.display()),
                ],
                "prefs": { "intl.accept_languages": "zh-CN,zh" },
            },
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!("capabilities are an object")
        };
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&driver.url())
            .await
            .unwrap_or_else(|e| panic!("chromedriver could not start Chromium ({}): {e}", chrome.display()));
        let session = client.session_id().await.ok().flatten();
        let browser = Browser {
            client,
            base: base.trim_end_matches('/').to_owned(),
            session,
            driver,
            _slot: slot,
        };
        browser.set_size(DESKTOP).await;
        browser
    }

    /// The port chromedriver listens on.
    pub fn driver_port(&self) -> u16 {
        self.driver.port
    }

    /// The browser's profile directory (removed with the browser).
    pub fn profile(&self) -> &Path {
        &self.driver.profile
    }

    /// The absolute URL of `path` on the console's server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Opens `path` (`/console/...`) and waits for the page.
    pub async fn open(&self, path: &str) {
        self.client
            .goto(&self.url(path))
            .await
            .unwrap_or_else(|e| panic!("open {path}: {e}"));
    }

    /// Signs in through the sign-in form and waits for the page it leads to.
    pub async fn sign_in(&self, email: &str, password: &str) {
        self.open("/console/sign-in").await;
        self.fill("#email", email).await;
        self.fill("#password", password).await;
        self.click_and_load("form.stack button[type=submit]").await;
    }

    /// Signs in and panics unless the console's home page opens.
    pub async fn sign_in_home(&self, email: &str, password: &str) {
        self.sign_in(email, password).await;
        let path = self.path().await;
        assert_eq!(
            path,
            "/console",
            "{email} signed in and landed on {path}: {}",
            self.body_text().await
        );
    }

    /// The element `css`, waiting up to [`WAIT`] for it.
    pub async fn find(&self, css: &str) -> Element {
        match self.client.wait().at_most(WAIT).for_element(Locator::Css(css)).await {
            Ok(element) => element,
            Err(e) => panic!("no element {css} on {}: {e}", self.path().await),
        }
    }

    /// Every element matching `css` now.
    pub async fn find_all(&self, css: &str) -> Vec<Element> {
        self.client
            .find_all(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("find {css}: {e}"))
    }

    /// Replaces the value of the field `css` with `text`, typed.
    pub async fn fill(&self, css: &str, text: &str) {
        let field = self.find(css).await;
        field.clear().await.unwrap_or_else(|e| panic!("clear {css}: {e}"));
        field
            .send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("type into {css}: {e}"));
    }

    /// Clicks the element `css`.
    pub async fn click(&self, css: &str) {
        self.find(css)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// Clicks `css` (a link or a submit button) and waits until the page
    /// it leads to has loaded.
    pub async fn click_and_load(&self, css: &str) {
        self.mark_page().await;
        self.click(css).await;
        self.wait_for_new_page(css).await;
    }

    /// Clicks `css`, a button that asks before it acts (`data-confirm`),
    /// accepts the browser's dialog and waits until the page it leads to
    /// has loaded; returns the question the dialog asked.
    pub async fn click_confirm_and_load(&self, css: &str) -> String {
        self.mark_page().await;
        self.click(css).await;
        let started = Instant::now();
        let question = loop {
            match self.client.get_alert_text().await {
                Ok(text) => break text,
                Err(e) if started.elapsed() > WAIT => panic!("no dialog after clicking {css}: {e}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        };
        self.client
            .accept_alert()
            .await
            .unwrap_or_else(|e| panic!("accept the dialog of {css}: {e}"));
        self.wait_for_new_page(css).await;
        question
    }

    /// Runs `js` (a function body; `arguments[i]` are `args`) and waits
    /// until the page it leads to has loaded (a `form.submit()`).
    pub async fn script_and_load(&self, js: &str, args: Vec<Value>) {
        self.mark_page().await;
        self.script(js, args).await;
        self.wait_for_new_page(js).await;
    }

    /// Posts a form built in the page by a script, to `action` with
    /// `fields` only (a forged form: no CSRF token unless given), and waits
    /// for the answer's page.
    pub async fn post_forged_form(&self, action: &str, fields: &[(&str, &str)]) {
        let js = "const f = document.createElement('form'); f.method = 'post'; f.action = arguments[0]; \
                  for (const [name, value] of arguments[1]) { \
                    const i = document.createElement('input'); i.type = 'hidden'; i.name = name; i.value = value; \
                    f.appendChild(i); } \
                  document.body.appendChild(f); f.submit();";
        self.script_and_load(js, vec![json!(action), json!(fields)]).await;
    }

    async fn mark_page(&self) {
        // On the page's root element: a page the console's script writes in
        // place of this one (the answer to a form it posted) is new too.
        self.script("document.documentElement.__estateflowOldPage = true;", vec![])
            .await;
    }

    async fn wait_for_new_page(&self, after: &str) {
        let js = "return !document.documentElement.__estateflowOldPage && document.readyState === 'complete';";
        self.wait_until(&format!("a new page after {after}"), async || {
            self.client.execute(js, vec![]).await.ok() == Some(Value::Bool(true))
        })
        .await;
    }

    /// Waits up to [`WAIT`] until `ready` holds, else fails naming `what`.
    pub async fn wait_until(&self, what: &str, mut ready: impl AsyncFnMut() -> bool) {
        let started = Instant::now();
        loop {
            if ready().await {
                return;
            }
            if started.elapsed() > WAIT {
                panic!(
                    "waited {WAIT:?} for {what} on {}: {}",
                    self.path().await,
                    self.body_text().await
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Runs `js` (a function body) in the page and returns its value.
    pub async fn script(&self, js: &str, args: Vec<Value>) -> Value {
        self.client
            .execute(js, args)
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{js}"))
    }

    /// The visible text of the element `css`.
    pub async fn text(&self, css: &str) -> String {
        self.find(css)
            .await
            .text()
            .await
            .unwrap_or_else(|e| panic!("text of {css}: {e}"))
    }

    /// The whole page's text as shown (`body.innerText`).
    pub async fn body_text(&self) -> String {
        self.client
            .execute("return document.body ? document.body.innerText : '';", vec![])
            .await
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }

    /// Path and query of the page shown.
    pub async fn path(&self) -> String {
        match self.client.current_url().await {
            Ok(url) => match url.query() {
                Some(query) => format!("{}?{query}", url.path()),
                None => url.path().to_owned(),
            },
            Err(e) => format!("(no URL: {e})"),
        }
    }

    /// The HTTP status the page shown was answered with.
    pub async fn status(&self) -> u16 {
        let js = "const n = performance.getEntriesByType('navigation'); \
                  return n.length ? n[n.length - 1].responseStatus : 0;";
        let status = self.script(js, vec![]).await;
        status.as_u64().and_then(|s| u16::try_from(s).ok()).unwrap_or_default()
    }

    /// The page's language (`<html lang>`).
    pub async fn lang(&self) -> String {
        let lang = self.script("return document.documentElement.lang;", vec![]).await;
        lang.as_str().unwrap_or_default().to_owned()
    }

    /// Text of the page (and its title) that is not in the page's language:
    /// for English, anything with Chinese characters; for Chinese, words of
    /// Latin letters alone (e-mail addresses, time zones and the values of
    /// `allowed` aside). Elements marked with another `lang` are skipped
    /// (the language switch names each language in itself).
    pub async fn foreign_text(&self, allowed: &[&str]) -> Vec<String> {
        let js = r#"
            const lang = document.documentElement.lang;
            const allowed = arguments[0];
            const han = /[\u3400-\u9fff]/;
            const foreign = (text) => {
                const t = text.trim();
                if (!t || allowed.includes(t)) return false;
                if (lang === 'en') return han.test(t);
                if (han.test(t)) return false;
                const rest = t.replace(/\S+@\S+/g, '').replace(/[A-Za-z_]+\/[A-Za-z_]+/g, '').replace(/UTC/g, '');
                return /[A-Za-z]{2,}/.test(rest);
            };
            const out = [];
            if (foreign(document.title)) out.push('title: ' + document.title);
            const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
            while (walker.nextNode()) {
                const node = walker.currentNode;
                const element = node.parentElement;
                if (!element || element.closest('script, style')) continue;
                const marked = element.closest('[lang]');
                if (marked && marked !== document.documentElement) continue;
                if (foreign(node.nodeValue)) out.push(element.tagName.toLowerCase() + ': ' + node.nodeValue.trim());
            }
            for (const field of document.querySelectorAll('[placeholder], [aria-label], [title]')) {
                if (field.closest('[lang]') !== document.documentElement) continue;
                for (const name of ['placeholder', 'aria-label', 'title']) {
                    const value = field.getAttribute(name);
                    if (value && foreign(value)) out.push(name + ': ' + value);
                }
            }
            return out;
        "#;
        let found = self.script(js, vec![json!(allowed)]).await;
        strings(&found)
    }

    /// Resizes the viewport (the page's window, not the browser's) to
    /// `width`×`height` CSS pixels.
    pub async fn set_size(&self, (width, height): (u32, u32)) {
        let resize = async |w: u32, h: u32| {
            self.client
                .set_window_size(w, h)
                .await
                .unwrap_or_else(|e| panic!("resize to {w}×{h}: {e}"));
        };
        resize(width, height).await;
        // The window's own frame takes some of it: grow it by that much.
        let inner = self
            .script("return [window.innerWidth, window.innerHeight];", vec![])
            .await;
        let got = |i: usize| inner[i].as_u64().and_then(|v| u32::try_from(v).ok()).unwrap_or(0);
        let (w, h) = (got(0), got(1));
        if (w, h) != (width, height) && w > 0 && h > 0 {
            resize(width + width.saturating_sub(w), height + height.saturating_sub(h)).await;
        }
    }

    /// Saves a PNG of the viewport to `path`.
    pub async fn screenshot(&self, path: &Path) {
        let png = self
            .client
            .screenshot()
            .await
            .unwrap_or_else(|e| panic!("screenshot: {e}"));
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));
        }
        std::fs::write(path, png).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    }

    /// Panics, listing them, if the page shown has accessibility violations.
    pub async fn assert_accessible(&self) {
        let violations = accessibility_violations(&self.client).await;
        assert!(
            violations.is_empty(),
            "{} ({}) has {} accessibility violation(s):\n  {}",
            self.path().await,
            self.lang().await,
            violations.len(),
            violations.join("\n  ")
        );
    }
}

/// What the page shown in `client` does against the console's accessibility
/// rules (each a sentence naming the element), none if it is clean:
/// - `<html lang>` is set;
/// - every visible form field (input, select, textarea) has an accessible
///   name: a `label[for]`, a wrapping label, `aria-label`, `aria-labelledby`;
/// - every button and link has text or an `aria-label`; every image an alt;
///   every `svg[role=img]` a `<title>` or an `aria-label`;
/// - visible text contrasts with its effective background (the first
///   opaque background among its ancestors, translucent ones blended) by at
///   least 4.5:1, or 3:1 for large text (24 px, or 18.66 px bold) — WCAG AA.
pub async fn accessibility_violations(client: &Client) -> Vec<String> {
    let found = client
        .execute(ACCESSIBILITY_JS, vec![])
        .await
        .unwrap_or_else(|e| panic!("the accessibility check failed to run: {e}"));
    strings(&found)
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|all| {
            all.iter()
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}
