//! The console's integration and governance pages: partner API clients,
//! webhook subscriptions with their delivery log, SLA policies, the Sales
//! Star rules and the audit log. Each reads and changes through the same
//! domain functions as the REST API (`routes::{api_clients, webhooks, sla,
//! awards, audit}`), audited with the viewer as actor.

mod api_clients;
mod audit;
mod award_rules;
mod sla_policies;
mod webhooks;

use actix_web::{HttpResponse, http::header, web::ServiceConfig};
use domain::{access::audit::ActorNames, platform::text::Msg};
use maud::{Markup, html};
use uuid::Uuid;

use super::{session::Viewer, ui};

/// The routes of these pages, inside the console's scope.
pub fn configure(cfg: &mut ServiceConfig) {
    api_clients::configure(cfg);
    webhooks::configure(cfg);
    sla_policies::configure(cfg);
    award_rules::configure(cfg);
    audit::configure(cfg);
}

/// A page that shows a secret: never cached, by the browser or on the way.
fn secret_page(markup: Markup) -> HttpResponse {
    let mut page = super::html_page(markup);
    page.headers_mut()
        .insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    page
}

/// The panel that shows a secret once, with its warning.
fn secret_panel(viewer: &Viewer, label: Msg, warning: Msg, secret: &str) -> Markup {
    html! {
        section.secret role="alert" {
            p { strong { (viewer.t(warning)) } }
            dl.facts {
                dt { (viewer.t(label)) }
                dd { code.secret { (secret) } }
            }
        }
    }
}

/// Paging links of a cursor-paged list: back to the first page, and on to
/// the next, keeping the page's filters (`pairs`, without the cursor).
pub(crate) fn pager(
    viewer: &Viewer,
    base: &str,
    pairs: &[(&str, &str)],
    cursor: Option<&str>,
    next: Option<&str>,
) -> Markup {
    let with = |c: &str| {
        let mut all = pairs.to_vec();
        all.push(("cursor", c));
        format!("{base}{}", ui::query(&all))
    };
    html! {
        @if cursor.is_some() || next.is_some() {
            nav.pager aria-label=(viewer.t(Msg::UiNext)) {
                @if cursor.is_some() {
                    a href={ (base) (ui::query(pairs)) } { (viewer.t(Msg::UiAuditFirstPage)) }
                }
                @if let Some(next) = next {
                    a href=(with(next)) rel="next" { (viewer.t(Msg::UiNext)) }
                }
            }
        }
    }
}

/// Who a user id is, as the page names it: the name, else the id.
fn user_name(viewer: &Viewer, names: &ActorNames, user: Option<Uuid>) -> String {
    match user {
        Some(id) => names
            .users
            .get(&id)
            .map_or_else(|| id.to_string(), |(name, _)| name.clone()),
        None => viewer.t(Msg::UiAuditSystem),
    }
}

/// A link to the audit log of one record.
fn audit_link(viewer: &Viewer, entity: &str, id: &str) -> Markup {
    let href = format!("/console/audit{}", ui::query(&[("entity", entity), ("entity_id", id)]));
    html! {
        @if viewer.scope("audit_log:read").is_some() {
            p { a href=(href) { (viewer.t(Msg::UiNavAudit)) } }
        }
    }
}

/// Names as code, space-separated (permissions, events).
fn codes(names: &[String]) -> Markup {
    html! {
        @for (i, name) in names.iter().enumerate() {
            @if i > 0 { " " }
            code { (name) }
        }
    }
}

/// An on/off badge: `on` in green, `off` in red.
fn on_off(viewer: &Viewer, on: bool, on_label: Msg, off_label: Msg) -> Markup {
    html! {
        @if on {
            span.badge.good { (viewer.t(on_label)) }
        } @else {
            span.badge.bad { (viewer.t(off_label)) }
        }
    }
}
