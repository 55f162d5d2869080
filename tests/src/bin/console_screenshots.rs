//! `cargo run -p tests --bin console-screenshots`: PNGs of the console's
//! pages in Chinese and English at 1280×800, into docs/console/, and their
//! list into docs/console.md (between the `screenshots` markers).
//!
//! It starts the service as the tests do (embedded mode: a temporary
//! SQLite database and queue, removed afterwards) with the demo
//! organisation of `estateflow serve --demo`, then signs in through the
//! form in headless Chromium (chromedriver and Chromium must be installed:
//! `apt-get install chromium chromium-driver`; for Chinese text a CJK font
//! such as `fonts-noto-cjk`). A page not built yet (404) is skipped with a
//! note. A new page is one line of [`SHOTS`].
#![allow(clippy::print_stdout, reason = "a command-line tool reports what it did")]

use std::path::{Path, PathBuf};

use tests::{ADMIN_EMAIL, ADMIN_PASSWORD, AppOptions, Backends, browser::Browser, spawn_app_with};

/// Who looks at a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    /// Nobody signed in (the sign-in page).
    Nobody,
    /// The first administrator.
    Administrator,
    /// The demo director (`director@demo.estateflow.local`).
    Director,
}

/// The pages shot: file name, path, and who looks at it.
const SHOTS: &[(&str, &str, Who)] = &[
    ("sign-in", "/console/sign-in", Who::Nobody),
    ("home", "/console", Who::Administrator),
    ("users", "/console/users", Who::Administrator),
    ("roles", "/console/roles", Who::Administrator),
    ("queues", "/console/queues", Who::Administrator),
    ("timers", "/console/timers?view=open", Who::Administrator),
    ("sla-breaches", "/console/sla-breaches", Who::Director),
    ("dashboard", "/console/dashboard", Who::Director),
    ("customers", "/console/customers", Who::Director),
    ("agenda", "/console/agenda", Who::Director),
    ("audit", "/console/audit", Who::Administrator),
];

const LANGUAGES: [&str; 2] = ["zh-CN", "en"];
const DIRECTOR: &str = "director@demo.estateflow.local";
const BEGIN: &str = "<!-- screenshots:begin (written by `cargo run -p tests --bin console-screenshots`) -->";
const END: &str = "<!-- screenshots:end -->";

fn docs() -> PathBuf {
    let tests = Path::new(env!("CARGO_MANIFEST_DIR"));
    tests.parent().unwrap_or(tests).join("docs")
}

#[tokio::main]
async fn main() {
    let app = spawn_app_with(AppOptions {
        backends: Backends::embedded(),
        workers: false,
        customise: |_| {},
    })
    .await;
    let demo = domain::demo::load(&app.db, app.settings.timezone)
        .await
        .expect("load the demo organisation");
    println!(
        "demo organisation loaded ({} staff) on {}",
        demo.map_or(0, |d| d.users.len()),
        app.base
    );
    let out = docs().join("console");
    let mut saved = Vec::new();
    for lang in LANGUAGES {
        for who in [Who::Nobody, Who::Administrator, Who::Director] {
            let shots: Vec<_> = SHOTS.iter().filter(|(_, _, w)| *w == who).collect();
            if shots.is_empty() {
                continue;
            }
            // A fresh browser (1280×800) per viewer and language: its own session.
            let browser = Browser::start(&app).await;
            match who {
                Who::Nobody => {}
                Who::Administrator => sign_in(&browser, lang, ADMIN_EMAIL, ADMIN_PASSWORD).await,
                Who::Director => sign_in(&browser, lang, DIRECTOR, domain::demo::DEMO_PASSWORD).await,
            }
            for (name, path, _) in shots {
                let path = if who == Who::Nobody {
                    format!("{path}?lang={lang}")
                } else {
                    (*path).to_owned()
                };
                browser.open(&path).await;
                let status = browser.status().await;
                if status != 200 {
                    println!("note: {path} answers {status}: not shot (not built yet?)");
                    continue;
                }
                let file = out.join(format!("{name}.{lang}.png"));
                browser.screenshot(&file).await;
                let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or_default();
                println!("saved {} ({} KiB)", file.display(), size / 1024);
                saved.push((*name, lang, path));
            }
        }
    }
    write_list(&saved);
    app.stop().await;
}

async fn sign_in(browser: &Browser, lang: &str, email: &str, password: &str) {
    browser.open(&format!("/console/sign-in?lang={lang}")).await;
    browser.fill("#email", email).await;
    browser.fill("#password", password).await;
    browser.click_and_load("form.stack button[type=submit]").await;
    assert_eq!(browser.path().await, "/console", "{email} is signed in");
}

/// Replaces the list of screenshots in docs/console.md.
fn write_list(saved: &[(&str, &str, String)]) {
    let file = docs().join("console.md");
    let text = std::fs::read_to_string(&file).unwrap_or_default();
    let mut list = String::from(BEGIN);
    list.push('\n');
    for (name, lang, path) in saved {
        list.push_str(&format!("\n![{name} ({lang}): {path}](console/{name}.{lang}.png)\n"));
    }
    list.push('\n');
    list.push_str(END);
    let updated = match (text.find(BEGIN), text.find(END)) {
        (Some(begin), Some(end)) if begin < end => {
            format!("{}{list}{}", &text[..begin], &text[end + END.len()..])
        }
        _ => format!("{}\n## Screenshots\n\n{list}\n", text.trim_end()),
    };
    std::fs::write(&file, updated).unwrap_or_else(|e| panic!("write {}: {e}", file.display()));
    println!("listed {} screenshots in {}", saved.len(), file.display());
}
