//! Small pieces the console's pages share: values in the viewer's form
//! (money in yuan, counts with thousands separators, instants in the
//! business time zone), the CSRF field, action buttons that confirm with
//! the count they touch, and paging links that keep the page's filters.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, http::header};
use chrono::{DateTime, Utc};
use domain::platform::text::{self, Arg, At, Locale};
use maud::{Markup, html};
use uuid::Uuid;

use super::session::Viewer;

/// Fen as yuan with thousands separators: `¥1,234,567.00`.
pub fn money(fen: i64) -> String {
    text::yuan(fen)
}

/// A count with thousands separators: `1,204`.
pub fn count(n: u64) -> String {
    text::thousands(n)
}

/// An instant in the business time zone, to the minute.
pub fn at(viewer: &Viewer, instant: DateTime<Utc>) -> String {
    At(instant).text(&viewer.reader)
}

/// An instant in the business time zone, to the second, as a `<time>`
/// element carrying the ISO instant.
pub fn time(viewer: &Viewer, instant: DateTime<Utc>) -> Markup {
    let local = instant.with_timezone(&viewer.reader.tz);
    let shown = match viewer.reader.locale {
        Locale::ZhCn => local.format("%Y年%-m月%-d日 %H:%M:%S").to_string(),
        Locale::En => local.format("%Y-%m-%d %H:%M:%S").to_string(),
    };
    html! { time datetime=(instant.to_rfc3339()) { (shown) } }
}

/// The hidden CSRF field every form carries.
pub fn csrf(viewer: &Viewer) -> Markup {
    html! { input type="hidden" name="csrf" value=(viewer.session.csrf_token); }
}

/// A one-button form posting to `action`; with `confirm`, the browser asks
/// first (the console's script; without script the action goes ahead).
pub fn action_button(viewer: &Viewer, action: &str, label: &str, confirm: Option<&str>, class: &str) -> Markup {
    html! {
        form.inline method="post" action=(action) data-confirm=[confirm] {
            (csrf(viewer))
            button type="submit" class=(class) { (label) }
        }
    }
}

/// The query string of `pairs`, empty values left out (filters in the URL).
pub fn query(pairs: &[(&str, &str)]) -> String {
    let kept: Vec<(&str, &str)> = pairs.iter().copied().filter(|(_, v)| !v.is_empty()).collect();
    if kept.is_empty() {
        String::new()
    } else {
        format!("?{}", serde_urlencoded::to_string(kept).unwrap_or_default())
    }
}

/// A fragment of a page that the console's script fetches again while the
/// page is open (`data-refresh`): tagged with an ETag of its content, so
/// that an unchanged fragment is answered `304 Not Modified`.
pub fn fragment(req: &HttpRequest, markup: Markup) -> HttpResponse {
    let body = markup.into_string();
    let etag = format!("\"{:016x}\"", super::fingerprint(body.bytes()));
    let unchanged = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag));
    if unchanged {
        return HttpResponse::NotModified().insert_header((header::ETAG, etag)).finish();
    }
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::ETAG, etag))
        .body(body)
}

/// The name of every team, by id (a table of a few dozen rows), to label
/// figures and records with.
pub async fn team_names(
    state: &crate::state::AppState,
    viewer: &Viewer,
) -> Result<HashMap<Uuid, String>, super::error::ConsoleError> {
    let all = domain::access::permissions::Scope::All;
    Ok(domain::access::org::list_teams(&state.db, &viewer.actor, all, None)
        .await?
        .into_iter()
        .map(|team| (team.id, team.name))
        .collect())
}

/// A timer kind as people read it: a deadline by its name, the engine's own
/// kinds named, anything else by its code.
pub fn timer_kind(code: &str) -> text::Msg {
    use domain::outbox::sla::{self, SlaKind};
    use sea_orm::Iterable;
    if let Some(kind) = SlaKind::iter().find(|k| k.as_str() == code) {
        return sla::what(kind);
    }
    match code {
        domain::engine::periodic::KIND => text::Msg::UiOpsKindPeriodic,
        domain::performance::awards::runs::TIMER_KIND => text::Msg::UiOpsKindAwardRun,
        domain::outbox::webhooks::deliveries::TIMER_KIND => text::Msg::UiOpsKindWebhookDelivery,
        other => text::Msg::UiOpsKindOther { code: other.to_owned() },
    }
}
