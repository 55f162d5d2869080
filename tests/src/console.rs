//! The console as a browser sees it, without a browser: a client that
//! signs in through the form, keeps the session cookie and sends the
//! page's CSRF token with its posts. The browser tests (`tests/browser`)
//! drive Chromium itself.

use reqwest::Response;

use crate::{Api, TestApp};

/// A signed-in console session.
#[derive(Debug)]
pub struct Console {
    pub api: Api,
    /// `ef_console=…`, as the browser would send it.
    pub cookie: String,
    /// The session's CSRF token, read from a page's form.
    pub csrf: String,
}

/// The value of cookie `name` set by `response`, if any.
pub fn set_cookie(response: &Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}

/// The value of the first hidden `csrf` field of a page.
pub fn csrf_of(html: &str) -> Option<String> {
    let at = html.find("name=\"csrf\" value=\"")? + "name=\"csrf\" value=\"".len();
    html[at..].split('"').next().map(str::to_owned)
}

/// Posts the sign-in form as a browser would: the form's page first (for
/// its CSRF cookie and field), then the form. Returns the answer.
pub async fn submit_sign_in(app: &TestApp, email: &str, password: &str) -> Response {
    let page = app.get("/console/sign-in", None).await;
    let cookie = set_cookie(&page, "ef_sign_in").expect("the sign-in page sets its CSRF cookie");
    let html = page.text().await.expect("sign-in page");
    let csrf = csrf_of(&html).expect("the sign-in form carries a CSRF field");
    app.client
        .post(app.url("/console/sign-in"))
        .header("cookie", format!("ef_sign_in={cookie}"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", email),
            ("password", password),
            ("next", "/console"),
        ])
        .send()
        .await
        .expect("sign-in post")
}

impl Console {
    /// Signs in through the form; panics unless the console lets the user in.
    pub async fn sign_in(app: &TestApp, email: &str, password: &str) -> Console {
        let response = submit_sign_in(app, email, password).await;
        assert_eq!(response.status().as_u16(), 303, "sign-in of {email} is accepted");
        let session = set_cookie(&response, "ef_console").expect("a session cookie");
        let mut console = Console {
            api: Api::new(app.base.clone()),
            cookie: format!("ef_console={session}"),
            csrf: String::new(),
        };
        let home = console.page("/console").await;
        assert_eq!(home.0, 200, "{}", home.1);
        console.csrf = csrf_of(&home.1).expect("a signed-in page carries the CSRF token");
        console
    }

    /// `GET path` with the session.
    pub async fn get(&self, path: &str) -> Response {
        self.api
            .client
            .get(self.api.url(path))
            .header("cookie", &self.cookie)
            .send()
            .await
            .expect("console GET")
    }

    /// Status and body of `GET path`.
    pub async fn page(&self, path: &str) -> (u16, String) {
        let response = self.get(path).await;
        let status = response.status().as_u16();
        (status, response.text().await.expect("page body"))
    }

    /// Posts `fields` as a form with the session's CSRF token.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        let mut all = vec![("csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    /// Posts `fields` exactly as given (a forged form has no CSRF token).
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        self.api
            .client
            .post(self.api.url(path))
            .header("cookie", &self.cookie)
            .form(fields)
            .send()
            .await
            .expect("console POST")
    }
}

/// Where a `303`/`302` answer sends the browser.
pub fn location(response: &Response) -> String {
    response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}
