//! `/console/agenda`: one consultant's agenda, read-only — the deadlines
//! ahead of them by due time, overdue first, each with its customer and
//! kind (`domain::outbox::agenda`, the API's `/me/agenda`). A consultant
//! sees their own; a manager or director picks one of the people their
//! `customers:read` scope reaches.

use actix_web::{
    HttpResponse,
    web::{self, ServiceConfig},
};
use domain::{
    access::{
        permissions::Scope,
        users::{self, UserFilter},
    },
    outbox::agenda::{self, AgendaItem, AgendaRequest},
    platform::{
        page::{OffsetRequest, PageRequest},
        text::Msg,
    },
};
use entities::users::UserStatus;
use maud::{Markup, html};
use serde::Deserialize;
use uuid::Uuid;

use super::{
    error::ConsoleError,
    integrations::pager,
    layout::{self, Nav},
    session::Viewer,
    ui,
};
use crate::{auth::perm, state::AppState};

/// Items on a page of the agenda.
const PAGE_SIZE: u64 = 100;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(web::resource("/agenda").get(show));
}

#[derive(Debug, Default, Deserialize)]
struct AgendaQuery {
    consultant: Option<String>,
    cursor: Option<String>,
}

/// The active people `scope` reaches, by name (every page of them).
async fn people(state: &AppState, viewer: &Viewer, scope: Scope) -> Result<Vec<(Uuid, String)>, ConsoleError> {
    let filter = UserFilter {
        status: Some(UserStatus::Active),
        ..UserFilter::default()
    };
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = PageRequest::new(Some(domain::platform::page::MAX_LIMIT), cursor.as_deref())?;
        let found = users::list(&state.db, &viewer.actor, scope, filter.clone(), page).await?;
        out.extend(found.items.into_iter().map(|u| (u.id, u.name)));
        match found.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    out.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(out)
}

async fn show(
    viewer: Viewer,
    state: web::Data<AppState>,
    query: web::Query<AgendaQuery>,
) -> Result<HttpResponse, ConsoleError> {
    let scope = viewer.require::<perm::CustomersRead>()?;
    let consultant = match query.consultant.as_deref().filter(|c| !c.is_empty()) {
        Some(raw) => {
            Uuid::parse_str(raw).map_err(|_| domain::DomainError::invalid("/consultant", Msg::UiAgendaNoSuchPerson))?
        }
        None => viewer.actor.id,
    };
    let cursor = query.cursor.as_deref().filter(|c| !c.is_empty());
    let request = AgendaRequest {
        due_before: None,
        page: OffsetRequest::new(Some(PAGE_SIZE), cursor, agenda::MAX_LIMIT)?,
    };
    let items = agenda::of_consultant(&state.db, &viewer.actor, scope, consultant, request).await?;
    let people = match scope {
        Scope::Own => Vec::new(),
        Scope::Team | Scope::All => people(&state, &viewer, scope).await?,
    };
    // The person's name where the list has it; the viewer's own agenda
    // (scope own: no list) is named by their sign-in.
    let name = people
        .iter()
        .find(|(id, _)| *id == consultant)
        .map(|(_, n)| n.clone())
        .unwrap_or_else(|| {
            if consultant == viewer.actor.id {
                viewer.actor.name.clone()
            } else {
                consultant.to_string()
            }
        });
    let chosen = consultant.to_string();
    let body = html! {
        @if !people.is_empty() {
            form.filters method="get" action="/console/agenda" {
                label {
                    (viewer.t(Msg::UiAgendaConsultant))
                    select name="consultant" {
                        @for (id, person) in &people {
                            option value=(id) selected[*id == consultant] { (person) }
                        }
                    }
                }
                button type="submit" { (viewer.t(Msg::UiAgendaShow)) }
            }
        } @else {
            p.muted { (viewer.t(Msg::UiAgendaOwnOnly)) }
        }
        h2 { (viewer.t(Msg::UiAgendaOf { name })) }
        @if items.items.is_empty() && cursor.is_none() {
            p.empty { (viewer.t(Msg::UiAgendaEmpty)) }
        } @else {
            (table(&viewer, &items.items))
            (pager(&viewer, "/console/agenda", &[("consultant", &chosen)], cursor, items.next_cursor.as_deref()))
        }
    };
    let title = viewer.t(Msg::UiAgendaNav);
    Ok(super::html_page(layout::page(&viewer, Some(Nav::Agenda), &title, body)))
}

fn table(viewer: &Viewer, items: &[AgendaItem]) -> Markup {
    let linked = Nav::Customers.opens_for(viewer);
    html! {
        div.table-wrap {
            table {
                thead { tr {
                    th scope="col" { (viewer.t(Msg::UiCustColDue)) }
                    th scope="col" { (viewer.t(Msg::UiCustColKind)) }
                    th scope="col" { (viewer.t(Msg::UiDashColCustomer)) }
                    th scope="col" { (viewer.t(Msg::UiCustColState)) }
                } }
                tbody {
                    @for item in items {
                        tr data-kind=(item.kind.as_str()) {
                            td { (ui::time(viewer, item.due_at)) }
                            td { (viewer.t(ui::timer_kind(item.kind.timer().as_str()))) }
                            td {
                                @if linked {
                                    a href={ "/console/customers/" (item.customer_id) } { (item.customer_name) }
                                } @else {
                                    (item.customer_name)
                                }
                            }
                            td {
                                @if item.overdue {
                                    span.badge.bad { (viewer.t(Msg::UiCustOverdue)) }
                                } @else {
                                    span.badge.good { (viewer.t(Msg::UiCustNotYetDue)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
