//! `/console/webhooks`: partner webhook subscriptions (create, disable,
//! enable, rotate the signing secret — shown once —, delete) and each one's
//! delivery log with its failures in the reader's language, filtered by
//! status and paged; a delivery's page lists its every attempt; a delivery,
//! or a selection of them, is sent again through the API's redelivery.

use std::collections::HashMap;

use actix_web::{
    HttpResponse,
    web::{self, ServiceConfig},
};
use domain::{
    outbox::webhooks::{
        deliveries::{self, DeliveryView},
        destinations::Destinations,
        subscriptions::{self, EVENTS, WebhookInput, WebhookView},
    },
    platform::{page::PageRequest, text::Msg},
};
use entities::webhook_deliveries::DeliveryStatus;
use maud::{Markup, html};
use serde::Deserialize;
use uuid::Uuid;

use super::{audit_link, codes, on_off, pager, secret_page, secret_panel};
use crate::{
    auth::perm,
    console::{
        self,
        error::ConsoleError,
        layout::{self, Nav},
        session::{Submitted, Viewer},
        ui,
    },
    state::AppState,
};

/// Rows on a page of subscriptions or deliveries.
const PAGE_SIZE: u64 = 50;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(web::resource("/webhooks").get(list).post(create))
        .service(web::resource("/webhooks/{id}").get(show))
        .service(web::resource("/webhooks/{id}/active").post(set_active))
        .service(web::resource("/webhooks/{id}/secret").post(rotate))
        .service(web::resource("/webhooks/{id}/delete").post(delete))
        .service(web::resource("/webhooks/{id}/deliveries/{delivery}").get(show_delivery))
        .service(web::resource("/webhooks/{id}/redeliver").post(redeliver_selected))
        .service(web::resource("/webhooks/{id}/deliveries/{delivery}/redeliver").post(redeliver_one));
}

#[derive(Debug, Deserialize)]
struct ListQuery {
    cursor: Option<String>,
}

fn active_badge(viewer: &Viewer, active: bool) -> Markup {
    on_off(viewer, active, Msg::UiWebhooksActive, Msg::UiWebhooksInactive)
}

/// Every API client's name by row id (one query; the clients are few).
async fn client_names(state: &AppState) -> Result<Vec<(Uuid, String)>, ConsoleError> {
    Ok(domain::access::api_clients::list(&state.db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect())
}

async fn list(
    viewer: Viewer,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ConsoleError> {
    let scope = viewer.require::<perm::WebhooksRead>()?;
    let cursor = query.cursor.as_deref().filter(|c| !c.is_empty());
    let page = PageRequest::new(Some(PAGE_SIZE), cursor)?;
    let page = subscriptions::list(&state.db, &viewer.actor, scope, page).await?;
    let clients = client_names(&state).await?;
    let names: HashMap<Uuid, &str> = clients.iter().map(|(id, n)| (*id, n.as_str())).collect();
    let body = html! {
        @if page.items.is_empty() && cursor.is_none() {
            p.empty { (viewer.t(Msg::UiWebhooksEmpty)) }
        } @else {
            div.table-wrap {
                table {
                    thead { tr {
                        th { (viewer.t(Msg::UiWebhooksUrl)) }
                        th { (viewer.t(Msg::UiWebhooksClient)) }
                        th { (viewer.t(Msg::UiWebhooksEvents)) }
                        th { (viewer.t(Msg::UiWebhooksStatus)) }
                        th { (viewer.t(Msg::UiWebhooksCreatedAt)) }
                    } }
                    tbody {
                        @for w in &page.items {
                            tr {
                                td { a href={ "/console/webhooks/" (w.id) } { (w.url) } }
                                td { (names.get(&w.client_id).copied().unwrap_or("")) }
                                td { (codes(&w.events)) }
                                td { (active_badge(&viewer, w.active)) }
                                td { (ui::time(&viewer, w.created_at)) }
                            }
                        }
                    }
                }
            }
            (pager(&viewer, "/console/webhooks", &[], cursor, page.next_cursor.as_deref()))
        }
        @if viewer.scope("webhooks:write").is_some() {
            (create_form(&viewer, &clients))
        }
    };
    let title = viewer.t(Msg::UiNavWebhooks);
    Ok(console::html_page(layout::page(
        &viewer,
        Some(Nav::Webhooks),
        &title,
        body,
    )))
}

fn create_form(viewer: &Viewer, clients: &[(Uuid, String)]) -> Markup {
    html! {
        h2 { (viewer.t(Msg::UiWebhooksNew)) }
        @if clients.is_empty() {
            p.empty { (viewer.t(Msg::UiWebhooksNeedClient)) " " a href="/console/api-clients" { (viewer.t(Msg::UiNavApiClients)) } }
        } @else {
            form.stack.wide method="post" action="/console/webhooks" {
                (ui::csrf(viewer))
                label for="hook-client" { (viewer.t(Msg::UiWebhooksClient)) }
                select #hook-client name="client_id" required {
                    @for (id, name) in clients {
                        option value=(id) { (name) }
                    }
                }
                label for="hook-url" { (viewer.t(Msg::UiWebhooksUrl)) }
                input #hook-url type="url" name="url" required maxlength="2000" placeholder="https://";
                fieldset.checks {
                    legend { (viewer.t(Msg::UiWebhooksEvents)) }
                    @for e in EVENTS {
                        label.check { input type="checkbox" name="event" value=(e); " " code { (e) } }
                    }
                }
                div { button.primary type="submit" { (viewer.t(Msg::UiWebhooksCreate)) } }
            }
        }
    }
}

#[derive(Debug, Deserialize)]
struct NewWebhookForm {
    client_id: Uuid,
    url: String,
}

/// Subscribes and answers with the subscription's page showing its signing
/// secret once.
async fn create(
    state: web::Data<AppState>,
    submitted: Submitted<NewWebhookForm>,
) -> Result<HttpResponse, ConsoleError> {
    let viewer = &submitted.viewer;
    let scope = viewer.require::<perm::WebhooksWrite>()?;
    let input = WebhookInput {
        url: Some(submitted.form.url.trim().to_owned()),
        events: Some(submitted.all("event").into_iter().map(str::to_owned).collect()),
        active: None,
        client_id: Some(submitted.form.client_id),
        destinations: Destinations::of(&state.settings),
    };
    let (webhook, secret) = subscriptions::create(&state.db, &viewer.audit(), &viewer.actor, scope, input).await?;
    let shown = (Msg::UiWebhooksCreated, secret);
    let page = subscription_page(viewer, &state, &webhook, &DeliveryQuery::default(), Some(shown)).await?;
    Ok(secret_page(page))
}

#[derive(Debug, Default, Deserialize)]
struct DeliveryQuery {
    status: Option<String>,
    cursor: Option<String>,
}

async fn show(
    viewer: Viewer,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: web::Query<DeliveryQuery>,
) -> Result<HttpResponse, ConsoleError> {
    let scope = viewer.require::<perm::WebhooksRead>()?;
    let webhook = subscriptions::get(&state.db, &viewer.actor, scope, id.into_inner()).await?;
    let page = subscription_page(&viewer, &state, &webhook, &query, None).await?;
    Ok(console::html_page(page))
}

const STATUSES: [(&str, Msg); 4] = [
    ("pending", Msg::UiWebhooksPending),
    ("succeeded", Msg::UiWebhooksSucceeded),
    ("failed", Msg::UiWebhooksFailed),
    ("dead", Msg::UiWebhooksDead),
];

fn status_badge(viewer: &Viewer, status: &str) -> Markup {
    let class = match status {
        "succeeded" => "badge good",
        "failed" => "badge warn",
        "dead" => "badge bad",
        _ => "badge",
    };
    let label = STATUSES
        .iter()
        .find(|(s, _)| *s == status)
        .map_or_else(|| status.to_owned(), |(_, m)| viewer.t(m.clone()));
    html! { span class=(class) { (label) } }
}

/// The page of one subscription with its delivery log; `shown` is the
/// notice and the signing secret of the creation or rotation this page
/// answers.
async fn subscription_page(
    viewer: &Viewer,
    state: &AppState,
    webhook: &WebhookView,
    query: &DeliveryQuery,
    shown: Option<(Msg, String)>,
) -> Result<Markup, ConsoleError> {
    let scope = viewer.require::<perm::WebhooksRead>()?;
    let status = query.status.as_deref().filter(|s| !s.is_empty());
    let cursor = query.cursor.as_deref().filter(|c| !c.is_empty());
    let page = PageRequest::new_sorted(Some(PAGE_SIZE), cursor, Some("-created_at"))?;
    let log = deliveries::list_deliveries(
        &state.db,
        &viewer.actor,
        scope,
        webhook.id,
        status.map(str::to_owned),
        page,
        &viewer.reader,
    )
    .await?;
    let client = domain::access::api_clients::get(&state.db, webhook.client_id)
        .await
        .map(|c| c.name)
        .ok();
    let can_write = viewer.scope("webhooks:write").is_some();
    let base = format!("/console/webhooks/{}", webhook.id);
    let redeliverable = log
        .items
        .iter()
        .filter(|d| d.status != DeliveryStatus::Pending.to_string())
        .count();
    let body = html! {
        @if let Some((notice, secret)) = shown {
            p.flash role="status" { (viewer.t(notice)) }
            (secret_panel(viewer, Msg::UiWebhooksSecret, Msg::UiWebhooksSecretOnce, &secret))
        }
        dl.facts {
            dt { (viewer.t(Msg::UiWebhooksClient)) } dd { (client.unwrap_or_default()) }
            dt { (viewer.t(Msg::UiWebhooksEvents)) } dd { (codes(&webhook.events)) }
            dt { (viewer.t(Msg::UiWebhooksStatus)) } dd { (active_badge(viewer, webhook.active)) }
            dt { (viewer.t(Msg::UiWebhooksCreatedAt)) } dd { (ui::time(viewer, webhook.created_at)) }
        }
        @if can_write {
            div.toolbar {
                @if webhook.active {
                    form.inline method="post" action={ (base) "/active" } data-confirm=(viewer.t(Msg::UiWebhooksDisableConfirm)) {
                        (ui::csrf(viewer))
                        input type="hidden" name="active" value="false";
                        button.danger type="submit" { (viewer.t(Msg::UiWebhooksDisable)) }
                    }
                } @else {
                    form.inline method="post" action={ (base) "/active" } {
                        (ui::csrf(viewer))
                        input type="hidden" name="active" value="true";
                        button type="submit" { (viewer.t(Msg::UiWebhooksEnable)) }
                    }
                }
                (ui::action_button(
                    viewer,
                    &format!("{base}/secret"),
                    &viewer.t(Msg::UiWebhooksRotate),
                    Some(&viewer.t(Msg::UiWebhooksRotateConfirm)),
                    "",
                ))
                (ui::action_button(
                    viewer,
                    &format!("{base}/delete"),
                    &viewer.t(Msg::UiWebhooksDelete),
                    Some(&viewer.t(Msg::UiWebhooksDeleteConfirm)),
                    "danger",
                ))
            }
        }
        h2 { (viewer.t(Msg::UiWebhooksDeliveries)) }
        form.filters method="get" action=(base) {
            label {
                (viewer.t(Msg::UiWebhooksStatus))
                select name="status" {
                    option value="" { (viewer.t(Msg::UiWebhooksAllStatuses)) }
                    @for (value, label) in &STATUSES {
                        option value=(value) selected[status == Some(*value)] { (viewer.t(label.clone())) }
                    }
                }
            }
            button type="submit" { (viewer.t(Msg::UiFilter)) }
        }
        @if log.items.is_empty() {
            p.empty { (viewer.t(Msg::UiWebhooksNoDeliveries)) }
        } @else {
            (delivery_table(viewer, &base, &log.items, can_write, redeliverable))
            (pager(viewer, &base, &[("status", status.unwrap_or(""))], cursor, log.next_cursor.as_deref()))
        }
        (audit_link(viewer, "webhook", &webhook.id.to_string()))
        p { a href="/console/webhooks" { (viewer.t(Msg::UiWebhooksBack)) } }
    };
    Ok(layout::page(viewer, Some(Nav::Webhooks), &webhook.url, body))
}

fn delivery_table(
    viewer: &Viewer,
    base: &str,
    items: &[DeliveryView],
    can_write: bool,
    redeliverable: usize,
) -> Markup {
    let selection = format!("{base}/redeliver");
    let confirm = viewer.t(Msg::UiWebhooksRedeliverSelectedConfirm {
        count: ui::count(redeliverable as u64),
    });
    html! {
        // The selection's form; each row's checkbox names it (`form=`), so
        // that the per-row buttons can be forms of their own.
        @if can_write {
            form #redeliver-selected method="post" action=(selection) data-confirm=(confirm) {
                (ui::csrf(viewer))
            }
        }
        div.table-wrap {
            table {
                thead { tr {
                    @if can_write {
                        th {
                            label.check {
                                input type="checkbox" form="redeliver-selected" data-select-all="delivery";
                                span.visually-hidden { (viewer.t(Msg::UiSelectAll)) }
                            }
                        }
                    }
                    th { (viewer.t(Msg::UiWebhooksEvent)) }
                    th { (viewer.t(Msg::UiWebhooksStatus)) }
                    th.num { (viewer.t(Msg::UiWebhooksAttempts)) }
                    th.num { (viewer.t(Msg::UiWebhooksHttpStatus)) }
                    th { (viewer.t(Msg::UiWebhooksLastError)) }
                    th { (viewer.t(Msg::UiApiClientsCreatedAt)) }
                    th { (viewer.t(Msg::UiWebhooksNextAttempt)) }
                    th { (viewer.t(Msg::UiWebhooksDeliveredAt)) }
                    th { span.visually-hidden { (viewer.t(Msg::UiWebhooksDeliveryDetails)) } }
                    @if can_write { th { (viewer.t(Msg::UiActions)) } }
                } }
                tbody {
                    @for d in items {
                        tr {
                            @if can_write {
                                td {
                                    @if d.status != DeliveryStatus::Pending.to_string() {
                                        label.check {
                                            input type="checkbox" name="delivery" value=(d.id) form="redeliver-selected";
                                            span.visually-hidden { (viewer.t(Msg::UiWebhooksSelect)) }
                                        }
                                    }
                                }
                            }
                            td { code { (d.event) } }
                            td { (status_badge(viewer, &d.status)) }
                            td.num { (ui::count(u64::try_from(d.attempts).unwrap_or(0))) }
                            td.num { @if let Some(code) = d.last_status_code { (code) } }
                            td {
                                @if let Some(error) = &d.last_error {
                                    @if let Some(code) = &d.last_error_code { code { (code) } " " }
                                    (error)
                                }
                            }
                            td { (ui::time(viewer, d.created_at)) }
                            td { @if let Some(t) = d.next_attempt_at { (ui::time(viewer, t)) } }
                            td { @if let Some(t) = d.delivered_at { (ui::time(viewer, t)) } }
                            td { a href={ (base) "/deliveries/" (d.id) } { (viewer.t(Msg::UiWebhooksDeliveryDetails)) } }
                            @if can_write {
                                td {
                                    (ui::action_button(
                                        viewer,
                                        &format!("{base}/deliveries/{}/redeliver", d.id),
                                        &viewer.t(Msg::UiWebhooksRedeliver),
                                        Some(&viewer.t(Msg::UiWebhooksRedeliverConfirm)),
                                        "",
                                    ))
                                }
                            }
                        }
                    }
                }
            }
        }
        @if can_write && redeliverable > 0 {
            div.toolbar {
                button type="submit" form="redeliver-selected" { (viewer.t(Msg::UiWebhooksRedeliverSelected)) }
            }
        }
    }
}

#[derive(Debug, Deserialize)]
struct ActiveForm {
    active: bool,
}

async fn set_active(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    submitted: Submitted<ActiveForm>,
) -> Result<HttpResponse, ConsoleError> {
    let viewer = &submitted.viewer;
    let scope = viewer.require::<perm::WebhooksWrite>()?;
    let id = id.into_inner();
    let input = WebhookInput {
        active: Some(submitted.form.active),
        destinations: Destinations::of(&state.settings),
        ..WebhookInput::default()
    };
    let webhook = subscriptions::update(&state.db, &viewer.audit(), &viewer.actor, scope, id, input, None).await?;
    let message = if webhook.active {
        Msg::UiWebhooksEnabledNow
    } else {
        Msg::UiWebhooksDisabledNow
    };
    console::done(&state, viewer, message, &format!("/console/webhooks/{id}")).await
}

/// Sends deliveries of `webhook` again through the API's redelivery, each
/// in its own transaction and audited; answers with a redirect to `location`, else to the subscription's page.
async fn redeliver(
    state: &AppState,
    viewer: &Viewer,
    webhook: Uuid,
    ids: &[Uuid],
    location: Option<String>,
) -> Result<HttpResponse, ConsoleError> {
    let scope = viewer.require::<perm::WebhooksWrite>()?;
    let location = location.unwrap_or_else(|| format!("/console/webhooks/{webhook}"));
    if ids.is_empty() {
        return console::done(state, viewer, Msg::UiWebhooksNoneSelected, &location).await;
    }
    let audit = viewer.audit();
    for id in ids {
        deliveries::redeliver(&state.db, &audit, &viewer.actor, scope, webhook, *id, &viewer.reader).await?;
    }
    let count = ui::count(ids.len() as u64);
    console::done(state, viewer, Msg::UiWebhooksRedelivered { count }, &location).await
}

#[derive(Debug, Deserialize)]
struct RedeliverQuery {
    /// `delivery`: back to the delivery's own page (its button says so).
    back: Option<String>,
}

async fn redeliver_one(
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    query: web::Query<RedeliverQuery>,
    submitted: Submitted<serde::de::IgnoredAny>,
) -> Result<HttpResponse, ConsoleError> {
    let (webhook, id) = path.into_inner();
    let back =
        (query.back.as_deref() == Some("delivery")).then(|| format!("/console/webhooks/{webhook}/deliveries/{id}"));
    redeliver(&state, &submitted.viewer, webhook, &[id], back).await
}

async fn redeliver_selected(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    submitted: Submitted<serde::de::IgnoredAny>,
) -> Result<HttpResponse, ConsoleError> {
    let mut ids = Vec::new();
    for raw in submitted.all("delivery") {
        let id =
            Uuid::parse_str(raw).map_err(|_| domain::DomainError::invalid("/delivery", Msg::UiWebhooksNoneSelected))?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    // At most a page's worth: the form offers no more.
    ids.truncate(usize::try_from(PAGE_SIZE).unwrap_or(50));
    redeliver(&state, &submitted.viewer, id.into_inner(), &ids, None).await
}

/// Replaces the signing secret and answers with the subscription's page
/// showing the new one once (kept nowhere to be shown again).
async fn rotate(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    submitted: Submitted<serde::de::IgnoredAny>,
) -> Result<HttpResponse, ConsoleError> {
    let viewer = &submitted.viewer;
    let scope = viewer.require::<perm::WebhooksWrite>()?;
    let (webhook, secret) =
        subscriptions::rotate_secret(&state.db, &viewer.audit(), &viewer.actor, scope, id.into_inner()).await?;
    let shown = (Msg::UiWebhooksRotated, secret);
    let page = subscription_page(viewer, &state, &webhook, &DeliveryQuery::default(), Some(shown)).await?;
    Ok(secret_page(page))
}

/// Deletes the subscription with its delivery log, back to the list.
async fn delete(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    submitted: Submitted<serde::de::IgnoredAny>,
) -> Result<HttpResponse, ConsoleError> {
    let viewer = &submitted.viewer;
    let scope = viewer.require::<perm::WebhooksWrite>()?;
    subscriptions::delete(&state.db, &viewer.audit(), &viewer.actor, scope, id.into_inner()).await?;
    console::done(&state, viewer, Msg::UiWebhooksDeleted, "/console/webhooks").await
}

/// One delivery with its every attempt: when, the receiver's status, how
/// long it took, why it failed and the start of the answer.
async fn show_delivery(
    viewer: Viewer,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ConsoleError> {
    let scope = viewer.require::<perm::WebhooksRead>()?;
    let (webhook, id) = path.into_inner();
    let detail = deliveries::get_delivery(&state.db, &viewer.actor, scope, webhook, id, &viewer.reader).await?;
    let d = &detail.delivery;
    let base = format!("/console/webhooks/{webhook}");
    let can_write = viewer.scope("webhooks:write").is_some();
    let payload = serde_json::to_string_pretty(&d.payload).map_err(|e| domain::DomainError::Internal(e.to_string()))?;
    let body = html! {
        dl.facts {
            dt { (viewer.t(Msg::UiWebhooksEvent)) } dd { code { (d.event) } }
            dt { (viewer.t(Msg::UiWebhooksStatus)) } dd { (status_badge(&viewer, &d.status)) }
            dt { (viewer.t(Msg::UiWebhooksAttempts)) } dd { (ui::count(u64::try_from(d.attempts).unwrap_or(0))) }
            dt { (viewer.t(Msg::UiApiClientsCreatedAt)) } dd { (ui::time(&viewer, d.created_at)) }
            @if let Some(t) = d.next_attempt_at {
                dt { (viewer.t(Msg::UiWebhooksNextAttempt)) } dd { (ui::time(&viewer, t)) }
            }
            @if let Some(t) = d.delivered_at {
                dt { (viewer.t(Msg::UiWebhooksDeliveredAt)) } dd { (ui::time(&viewer, t)) }
            }
        }
        @if can_write && d.status != DeliveryStatus::Pending.to_string() {
            div.toolbar {
                (ui::action_button(
                    &viewer,
                    &format!("{base}/deliveries/{}/redeliver?back=delivery", d.id),
                    &viewer.t(Msg::UiWebhooksRedeliver),
                    Some(&viewer.t(Msg::UiWebhooksRedeliverConfirm)),
                    "",
                ))
            }
        }
        h2 { (viewer.t(Msg::UiWebhooksAttemptLog)) }
        @if detail.attempts.is_empty() {
            p.empty { (viewer.t(Msg::UiWebhooksNoAttempts)) }
        } @else {
            div.table-wrap {
                table {
                    thead { tr {
                        th.num scope="col" { (viewer.t(Msg::UiWebhooksAttemptNumber)) }
                        th scope="col" { (viewer.t(Msg::UiWebhooksAttemptedAt)) }
                        th.num scope="col" { (viewer.t(Msg::UiWebhooksHttpStatus)) }
                        th.num scope="col" { (viewer.t(Msg::UiWebhooksDuration)) }
                        th scope="col" { (viewer.t(Msg::UiWebhooksError)) }
                        th scope="col" { (viewer.t(Msg::UiWebhooksResponse)) }
                    } }
                    tbody {
                        @for a in &detail.attempts {
                            tr {
                                td.num { (a.attempt) }
                                td { (ui::time(&viewer, a.attempted_at)) }
                                td.num { @if let Some(code) = a.status_code { (code) } }
                                td.num {
                                    (viewer.t(Msg::UiWebhooksMillis { ms: ui::count(u64::try_from(a.duration_ms).unwrap_or(0)) }))
                                }
                                td {
                                    @if let Some(error) = &a.error {
                                        @if let Some(code) = &a.error_code { code { (code) } " " }
                                        (error)
                                    }
                                }
                                td { @if let Some(response) = &a.response { pre { (response) } } }
                            }
                        }
                    }
                }
            }
        }
        h2 { (viewer.t(Msg::UiWebhooksPayload)) }
        pre { (payload) }
        (audit_link(&viewer, "webhook_delivery", &d.id.to_string()))
        p { a href=(base) { (viewer.t(Msg::UiWebhooksBackToLog)) } }
    };
    let title = viewer.t(Msg::UiWebhooksDeliveryTitle { event: d.event.clone() });
    Ok(console::html_page(layout::page(
        &viewer,
        Some(Nav::Webhooks),
        &title,
        body,
    )))
}
