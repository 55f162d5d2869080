//! Customers (`/console/customers`): search by name, phone or e-mail and
//! filter by status within the viewer's `customers:read` scope, as the API
//! lists them; and a customer's page (`/console/customers/{id}`) with the
//! record, its whole timeline newest first and the deadlines still ahead
//! of it, each with the SLA policy version that set it. A customer outside
//! the viewer's reach is the 404 page, as on the API. Read-only.

use std::collections::HashMap;

use actix_web::{
    HttpResponse,
    web::{self, ServiceConfig},
};
use chrono::Utc;
use domain::{
    outbox::{sla, timers},
    performance::churn,
    platform::{input, text::Msg},
    sales::{
        customers::{self, CustomerFilter, CustomerPage, CustomerView},
        timeline::{self, Kind},
    },
};
use entities::{
    customers::{Channel, CustomerStatus},
    sla_policies::SlaKind,
};
use maud::{Markup, html};
use sea_orm::Iterable;
use serde::Deserialize;
use uuid::Uuid;

use super::{
    error::ConsoleError,
    layout::{self, Nav},
    session::Viewer,
    ui,
};
use crate::{auth::perm, state::AppState};

/// The customers' routes, inside `/console`.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(web::resource("/customers").get(list))
        .service(web::resource("/customers/{id}").get(show));
}

/// Customers on a page of the list.
const PAGE_SIZE: u64 = 50;

#[derive(Debug, Deserialize)]
struct ListQuery {
    q: Option<String>,
    status: Option<String>,
    cursor: Option<String>,
}

/// A customer's status in words; the stored word if it is not one we know.
fn status_words(viewer: &Viewer, status: &str) -> String {
    input::variant::<CustomerStatus>(status, "/status")
        .map(|s| viewer.t(churn::status_label(s)))
        .unwrap_or_else(|_| status.to_owned())
}

fn channel_words(viewer: &Viewer, channel: &str) -> String {
    input::variant::<Channel>(channel, "/channel")
        .map(|c| viewer.t(churn::channel_label(c)))
        .unwrap_or_else(|_| channel.to_owned())
}

/// The names of the staff and teams `customers` name, in two queries.
async fn labels(
    state: &AppState,
    viewer: &Viewer,
    people: Vec<Uuid>,
) -> Result<(HashMap<Uuid, String>, HashMap<Uuid, String>), ConsoleError> {
    let names = domain::access::users::names(&state.db, &people).await?;
    Ok((names, ui::team_names(state, viewer).await?))
}

fn next_due(viewer: &Viewer, customer: &CustomerView) -> Markup {
    let now = Utc::now();
    html! {
        @if let Some(next) = customer.next_due {
            (viewer.t(sla::what(next.kind.timer()))) " " (ui::time(viewer, next.at))
            @if next.at < now { " " span.badge.bad { (viewer.t(Msg::UiCustOverdue)) } }
        } @else {
            span.muted { (viewer.t(Msg::UiNone)) }
        }
    }
}

async fn list(
    viewer: Viewer,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ConsoleError> {
    let scope = viewer.require::<perm::CustomersRead>()?;
    let q = query.into_inner();
    let text = q.q.clone().unwrap_or_default();
    let status = q.status.clone().filter(|s| !s.is_empty());
    let filter = CustomerFilter {
        q: Some(text.clone()).filter(|t| !t.trim().is_empty()),
        status: status.clone(),
        ..Default::default()
    };
    let page = CustomerPage::new(Some(PAGE_SIZE), q.cursor.as_deref(), Some("-created_at"))?;
    let page = customers::list(&state.db, &viewer.actor, scope, filter, page).await?;
    let people: Vec<Uuid> = page.items.iter().filter_map(|c| c.owner_id).collect();
    let (names, teams) = labels(&state, &viewer, people).await?;
    let status = status.unwrap_or_default();
    let next = page.next_cursor.as_deref().map(|cursor| {
        format!(
            "/console/customers{}",
            ui::query(&[("q", &text), ("status", &status), ("cursor", cursor)])
        )
    });
    let body = html! {
        form.filters method="get" action="/console/customers" role="search" {
            label for="q" {
                (viewer.t(Msg::UiCustSearch))
                input #q type="search" name="q" value=(text);
            }
            label for="status" {
                (viewer.t(Msg::UiCustStatus))
                select #status name="status" {
                    option value="" { (viewer.t(Msg::UiCustAnyStatus)) }
                    @for s in CustomerStatus::iter() {
                        @let value = sea_orm::ActiveEnum::to_value(&s);
                        option value=(value) selected[value == status] { (viewer.t(churn::status_label(s))) }
                    }
                }
            }
            button type="submit" { (viewer.t(Msg::UiSearch)) }
            a href="/console/customers" { (viewer.t(Msg::UiReset)) }
        }
        @if page.items.is_empty() {
            p.empty { (viewer.t(Msg::UiCustNone)) }
        } @else {
            div.table-wrap {
                table {
                    thead { tr {
                        th scope="col" { (viewer.t(Msg::UiCustColName)) }
                        th scope="col" { (viewer.t(Msg::UiCustColPhone)) }
                        th scope="col" { (viewer.t(Msg::UiCustStatus)) }
                        th scope="col" { (viewer.t(Msg::UiCustColOwner)) }
                        th scope="col" { (viewer.t(Msg::UiCustColTeam)) }
                        th scope="col" { (viewer.t(Msg::UiCustColKeyAccount)) }
                        th scope="col" { (viewer.t(Msg::UiCustColNextDue)) }
                        th scope="col" { (viewer.t(Msg::UiCustColCreated)) }
                    } }
                    tbody {
                        @for c in &page.items {
                            tr {
                                td { a href={ "/console/customers/" (c.id) } { (c.name) } }
                                td { (c.phone.clone().unwrap_or_default()) }
                                td { (status_words(&viewer, &c.status)) }
                                td { (c.owner_id.and_then(|o| names.get(&o).cloned()).unwrap_or_default()) }
                                td { (c.team_id.and_then(|t| teams.get(&t).cloned()).unwrap_or_default()) }
                                td { @if c.key_account { (viewer.t(Msg::UiYes)) } }
                                td { (next_due(&viewer, c)) }
                                td { (ui::time(&viewer, c.created_at)) }
                            }
                        }
                    }
                }
            }
        }
        @if let Some(next) = next {
            nav.pager aria-label=(viewer.t(Msg::UiNext)) {
                @if q.cursor.is_some() {
                    a href={ "/console/customers" (ui::query(&[("q", &text), ("status", &status)])) } { (viewer.t(Msg::UiPrevious)) }
                }
                a href=(next) rel="next" { (viewer.t(Msg::UiNext)) }
            }
        }
    };
    let title = viewer.t(Msg::UiNavCustomers);
    Ok(super::html_page(layout::page(
        &viewer,
        Some(Nav::Customers),
        &title,
        body,
    )))
}

/// The words of a timeline entry's kind; the stored word if it is not one we know.
fn event_words(viewer: &Viewer, kind: &str) -> String {
    let Ok(kind) = serde_json::from_value::<Kind>(serde_json::Value::String(kind.to_owned())) else {
        return kind.to_owned();
    };
    viewer.t(match kind {
        Kind::Created => Msg::UiCustEventCreated,
        Kind::Assigned => Msg::UiCustEventAssigned,
        Kind::Reassigned => Msg::UiCustEventReassigned,
        Kind::StatusChanged => Msg::UiCustEventStatusChanged,
        Kind::FollowUp => Msg::UiCustEventFollowUp,
        Kind::NeedsAssessed => Msg::UiCustEventNeedsAssessed,
        Kind::DealCreated => Msg::UiCustEventDealCreated,
        Kind::DealStageChanged => Msg::UiCustEventDealStageChanged,
        Kind::InspectionIssue => Msg::UiCustEventInspectionIssue,
        Kind::HandoverCompleted => Msg::UiCustEventHandoverCompleted,
        Kind::Visit => Msg::UiCustEventVisit,
        Kind::ComplaintReceived => Msg::UiCustEventComplaintReceived,
        Kind::ComplaintRouted => Msg::UiCustEventComplaintRouted,
        Kind::ComplaintResolved => Msg::UiCustEventComplaintResolved,
        Kind::ComplaintReopened => Msg::UiCustEventComplaintReopened,
        Kind::Merged => Msg::UiCustEventMerged,
        Kind::EventInvited => Msg::UiCustEventEventInvited,
        Kind::EventAttended => Msg::UiCustEventEventAttended,
        Kind::SlaBreached => Msg::UiCustEventSlaBreached,
        Kind::NegotiationPlanUpdated => Msg::UiCustEventNegotiationPlanUpdated,
        Kind::LoanUpdated => Msg::UiCustEventLoanUpdated,
        Kind::TitleTransferred => Msg::UiCustEventTitleTransferred,
        Kind::Feedback => Msg::UiCustEventFeedback,
        Kind::FeedbackResolved => Msg::UiCustEventFeedbackResolved,
    })
}

/// An entry's data as the API gives it, one `key: value` per field.
fn details(data: &serde_json::Value) -> Markup {
    let fields: Vec<(String, String)> = match data {
        serde_json::Value::Object(map) => map
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| {
                let shown = match v {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (k.clone(), shown)
            })
            .collect(),
        serde_json::Value::Null => Vec::new(),
        other => vec![(String::new(), other.to_string())],
    };
    html! {
        @for (key, value) in &fields {
            span.field { @if !key.is_empty() { code { (key) } ": " } (value) } " "
        }
    }
}

async fn show(viewer: Viewer, state: web::Data<AppState>, id: web::Path<Uuid>) -> Result<HttpResponse, ConsoleError> {
    let scope = viewer.require::<perm::CustomersRead>()?;
    let id = id.into_inner();
    let customer = customers::get(&state.db, &viewer.actor, scope, id).await?;
    let mut entries = timeline::of_customer(&state.db, id).await?;
    entries.reverse();
    let deadlines = timers::ahead_of_customer(&state.db, id).await?;
    let mut people: Vec<Uuid> = entries.iter().filter_map(|e| e.actor_user_id).collect();
    people.extend(customer.owner_id);
    people.extend(customer.account_manager_id);
    people.sort();
    people.dedup();
    let (names, teams) = labels(&state, &viewer, people).await?;
    let name_of = |id: Option<Uuid>| id.and_then(|i| names.get(&i).cloned()).unwrap_or_default();
    let when = |t: Option<chrono::DateTime<Utc>>| match t {
        Some(t) => ui::time(&viewer, t),
        None => html! { span.muted { (viewer.t(Msg::UiNone)) } },
    };
    let now = Utc::now();
    let body = html! {
        h2 { (viewer.t(Msg::UiCustRecord)) }
        dl.record {
            dt { (viewer.t(Msg::UiCustStatus)) } dd { (status_words(&viewer, &customer.status)) }
            dt { (viewer.t(Msg::UiCustColOwner)) } dd { (name_of(customer.owner_id)) }
            dt { (viewer.t(Msg::UiCustColTeam)) } dd { (customer.team_id.and_then(|t| teams.get(&t).cloned()).unwrap_or_default()) }
            dt { (viewer.t(Msg::UiCustColKeyAccount)) }
            dd { (viewer.t(if customer.key_account { Msg::UiYes } else { Msg::UiNo })) }
            dt { (viewer.t(Msg::UiCustColNextDue)) } dd { (next_due(&viewer, &customer)) }
            dt { (viewer.t(Msg::UiCustColPhone)) } dd { (customer.phone.clone().unwrap_or_default()) }
            dt { (viewer.t(Msg::UiEmail)) } dd { (customer.email.clone().unwrap_or_default()) }
            dt { (viewer.t(Msg::UiCustColChannel)) } dd { (channel_words(&viewer, &customer.channel)) }
            dt { (viewer.t(Msg::UiCustColAssigned)) } dd { (when(customer.assigned_at)) }
            dt { (viewer.t(Msg::UiCustColFirstResponse)) } dd { (when(customer.first_response_at)) }
            dt { (viewer.t(Msg::UiCustColLastFollowUp)) } dd { (when(customer.last_follow_up_at)) }
            dt { (viewer.t(Msg::UiCustColCreated)) } dd { (ui::time(&viewer, customer.created_at)) }
        }
        h2 #deadlines { (viewer.t(Msg::UiCustDeadlines)) }
        @if deadlines.is_empty() {
            p.empty { (viewer.t(Msg::UiCustNoDeadlines)) }
        } @else {
            div.table-wrap {
                table {
                    thead { tr {
                        th scope="col" { (viewer.t(Msg::UiCustColKind)) }
                        th scope="col" { (viewer.t(Msg::UiCustColDue)) }
                        th scope="col" { (viewer.t(Msg::UiCustColPolicy)) }
                        th scope="col" { (viewer.t(Msg::UiCustColState)) }
                    } }
                    tbody {
                        @for d in &deadlines {
                            @let kind = d.kind.parse::<SlaKind>().ok();
                            @let what = viewer.t(ui::timer_kind(&d.kind));
                            tr data-kind=(d.kind) {
                                td {
                                    (what)
                                    @if d.phase == "task" { " (" (viewer.t(Msg::UiCustTask)) ")" }
                                }
                                td { (ui::time(&viewer, d.due_at)) }
                                td {
                                    @match (kind, d.policy_version) {
                                        (Some(k), Some(version)) => {
                                            (viewer.t(Msg::UiCustPolicyVersion { what: Box::new(sla::what(k)), version }))
                                        }
                                        _ => { span.muted { (viewer.t(Msg::UiNone)) } }
                                    }
                                }
                                td {
                                    @if d.due_at < now {
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
        h2 #timeline { (viewer.t(Msg::UiCustTimeline)) }
        @if entries.is_empty() {
            p.empty { (viewer.t(Msg::UiCustNoTimeline)) }
        } @else {
            div.table-wrap {
                table {
                    thead { tr {
                        th scope="col" { (viewer.t(Msg::UiCustColWhen)) }
                        th scope="col" { (viewer.t(Msg::UiCustColEvent)) }
                        th scope="col" { (viewer.t(Msg::UiCustColBy)) }
                        th scope="col" { (viewer.t(Msg::UiCustColDetails)) }
                    } }
                    tbody {
                        @for e in &entries {
                            tr data-kind=(e.kind) {
                                td { (ui::time(&viewer, e.occurred_at)) }
                                td { (event_words(&viewer, &e.kind)) }
                                td { (name_of(e.actor_user_id)) }
                                td { (details(&e.data)) }
                            }
                        }
                    }
                }
            }
        }
        p { a href="/console/customers" { (viewer.t(Msg::UiNavCustomers)) } }
    };
    Ok(super::html_page(layout::page(
        &viewer,
        Some(Nav::Customers),
        &customer.name,
        body,
    )))
}
