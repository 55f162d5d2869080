//! `/console/audit`: the audit log, newest first, through the API's
//! listing: filtered by actor (a user's e-mail), entity type and id,
//! action and a range of days in the business time zone, all in the URL;
//! each entry opens to the table of its changed fields, before and after.

use actix_web::{
    HttpResponse,
    web::{self, ServiceConfig},
};
use chrono::{Days, NaiveDate};
use domain::{
    DomainError, FieldError,
    access::audit::{self, ActorNames, AuditFilter},
    platform::{calendar::start_of_day, page::PageRequest, text::Msg},
};
use entities::audit_log;
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use super::pager;
use crate::{
    auth::perm,
    console::{
        self,
        error::ConsoleError,
        layout::{self, Nav},
        session::Viewer,
        ui,
    },
    state::AppState,
};

/// Entries on a page.
const PAGE_SIZE: u64 = 50;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(web::resource("/audit").get(list));
}

/// The filters, as in the URL.
#[derive(Debug, Default, Deserialize)]
struct AuditQuery {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    entity: String,
    #[serde(default)]
    entity_id: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    cursor: Option<String>,
}

impl AuditQuery {
    fn pairs(&self) -> [(&str, &str); 6] {
        [
            ("actor", self.actor.trim()),
            ("entity", self.entity.trim()),
            ("entity_id", self.entity_id.trim()),
            ("action", self.action.trim()),
            ("from", self.from.trim()),
            ("to", self.to.trim()),
        ]
    }
}

fn day(raw: &str, pointer: &str, errors: &mut Vec<FieldError>) -> Option<NaiveDate> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    let parsed = NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok();
    if parsed.is_none() {
        errors.push(FieldError::new(pointer, Msg::UiAuditBadDate));
    }
    parsed
}

fn text(raw: &str) -> Option<String> {
    Some(raw.trim().to_owned()).filter(|s| !s.is_empty())
}

async fn list(
    viewer: Viewer,
    state: web::Data<AppState>,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, ConsoleError> {
    viewer.require::<perm::AuditLogRead>()?;
    let q = query.into_inner();
    let tz = viewer.reader.tz;
    let mut errors = Vec::new();
    let from = day(&q.from, "/from", &mut errors);
    let to = day(&q.to, "/to", &mut errors);
    if !errors.is_empty() {
        return Err(DomainError::Validation(errors).into());
    }
    // The actor: a user's id as the API takes it, or the e-mail people know.
    let actor = q.actor.trim();
    let (actor_user_id, unknown_actor) = if actor.is_empty() {
        (None, false)
    } else if let Ok(id) = Uuid::parse_str(actor) {
        (Some(id), false)
    } else {
        let id = audit::user_with_email(&state.db, actor).await?;
        (id, id.is_none())
    };
    let cursor = q.cursor.as_deref().filter(|c| !c.is_empty());
    let (items, next) = if unknown_actor {
        (Vec::new(), None)
    } else {
        let filter = AuditFilter {
            entity: text(&q.entity),
            entity_id: text(&q.entity_id),
            actor_user_id,
            actor_client_id: None,
            action: text(&q.action),
            since: from.map(|d| start_of_day(d, tz)),
            until: to
                .and_then(|d| d.checked_add_days(Days::new(1)))
                .map(|d| start_of_day(d, tz)),
        };
        let page = PageRequest::new_sorted(Some(PAGE_SIZE), cursor, Some("-created_at"))?;
        let page = audit::list(&state.db, filter, page).await?;
        (page.items, page.next_cursor)
    };
    let names = audit::actor_names(
        &state.db,
        items.iter().filter_map(|e| e.actor_user_id).collect(),
        items.iter().filter_map(|e| e.actor_client_id).collect(),
    )
    .await?;
    let pairs = q.pairs();
    let body = html! {
        (filters(&viewer, &q))
        @if unknown_actor {
            p.error role="alert" { (viewer.t(Msg::UiAuditNoSuchActor)) }
        }
        @if items.is_empty() {
            p.empty { (viewer.t(Msg::UiAuditEmpty)) }
        } @else {
            p.muted { (viewer.t(Msg::UiAuditNewestFirst)) }
            div.table-wrap {
                table.audit {
                    thead { tr {
                        th { (viewer.t(Msg::UiAuditWhen)) }
                        th { (viewer.t(Msg::UiAuditBy)) }
                        th { (viewer.t(Msg::UiAuditAction)) }
                        th { (viewer.t(Msg::UiAuditEntity)) }
                        th { (viewer.t(Msg::UiAuditEntityId)) }
                        th { (viewer.t(Msg::UiAuditChanges)) }
                    } }
                    tbody {
                        @for entry in &items {
                            (row(&viewer, &names, entry))
                        }
                    }
                }
            }
            (pager(&viewer, "/console/audit", &pairs, cursor, next.as_deref()))
        }
    };
    let title = viewer.t(Msg::UiNavAudit);
    Ok(console::html_page(layout::page(
        &viewer,
        Some(Nav::Audit),
        &title,
        body,
    )))
}

fn filters(viewer: &Viewer, q: &AuditQuery) -> Markup {
    html! {
        form.filters method="get" action="/console/audit" {
            label { (viewer.t(Msg::UiAuditActor)) input type="text" name="actor" value=(q.actor.trim()); }
            label { (viewer.t(Msg::UiAuditEntity)) input type="text" name="entity" value=(q.entity.trim()) placeholder="user"; }
            label { (viewer.t(Msg::UiAuditEntityId)) input type="text" name="entity_id" value=(q.entity_id.trim()); }
            label { (viewer.t(Msg::UiAuditAction)) input type="text" name="action" value=(q.action.trim()) placeholder="update"; }
            label { (viewer.t(Msg::UiAuditFrom)) input type="date" name="from" value=(q.from.trim()); }
            label { (viewer.t(Msg::UiAuditTo)) input type="date" name="to" value=(q.to.trim()); }
            button type="submit" { (viewer.t(Msg::UiFilter)) }
            a href="/console/audit" { (viewer.t(Msg::UiReset)) }
        }
    }
}

fn actor(viewer: &Viewer, names: &ActorNames, entry: &audit_log::Model) -> Markup {
    html! {
        @if let Some(client) = entry.actor_client_id {
            (viewer.t(Msg::UiAuditClient {
                name: names.clients.get(&client).cloned().unwrap_or_else(|| client.to_string()),
            }))
        } @else if let Some(user) = entry.actor_user_id {
            @match names.users.get(&user) {
                Some((name, email)) => { (name) " " span.muted { "<" (email) ">" } },
                None => { (user) },
            }
        } @else {
            (viewer.t(Msg::UiAuditSystem))
        }
    }
}

fn row(viewer: &Viewer, names: &ActorNames, entry: &audit_log::Model) -> Markup {
    let changes = entry.changes.as_object();
    let count = changes.map_or(0, serde_json::Map::len);
    html! {
        tr {
            td { (ui::time(viewer, entry.occurred_at)) }
            td { (actor(viewer, names, entry)) }
            td { code { (entry.action) } }
            td { code { (entry.entity) } }
            td { code { (entry.entity_id) } }
            td {
                @if let Some(changes) = changes.filter(|c| !c.is_empty()) {
                    details {
                        summary { (viewer.t(Msg::UiAuditFieldCount { count: ui::count(count as u64) })) }
                        table.diff {
                            thead { tr {
                                th { (viewer.t(Msg::UiAuditField)) }
                                th { (viewer.t(Msg::UiAuditBefore)) }
                                th { (viewer.t(Msg::UiAuditAfter)) }
                            } }
                            tbody {
                                @for (field, change) in changes {
                                    tr {
                                        td { code { (field) } }
                                        td.before { (value(change.get("before"))) }
                                        td.after { (value(change.get("after"))) }
                                    }
                                }
                            }
                        }
                        @if let Some(request) = &entry.request_id {
                            p.muted { (viewer.t(Msg::UiAuditRequest)) " " code { (request) } }
                        }
                    }
                }
            }
        }
    }
}

/// A value of the diff: a string as it is, nothing for null, anything
/// else (numbers, lists, objects) as compact JSON.
fn value(v: Option<&Value>) -> Markup {
    html! {
        @match v {
            None | Some(Value::Null) => { span.muted { "—" } },
            Some(Value::String(s)) => { (s) },
            Some(other) => { code { (other.to_string()) } },
        }
    }
}
