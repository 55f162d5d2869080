//! `/console/api-clients`: partner API clients — the list with when each
//! last got a token, creation and secret rotation (the secret on the
//! answering page only, never again), changing a client's name, permissions
//! and rate limit, disabling and enabling.

use actix_web::{
    HttpResponse,
    web::{self, ServiceConfig},
};
use domain::{
    access::{
        api_clients::{self, ClientInput, ClientView},
        permissions,
    },
    platform::text::Msg,
};
use entities::api_clients::ApiClientStatus;
use maud::{Markup, html};
use serde::Deserialize;
use uuid::Uuid;

use super::{audit_link, codes, on_off, secret_page, secret_panel};
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

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(web::resource("/api-clients").get(list).post(create))
        .service(web::resource("/api-clients/{id}").get(show).post(save))
        .service(web::resource("/api-clients/{id}/secret").post(rotate))
        .service(web::resource("/api-clients/{id}/status").post(set_status));
}

fn status_badge(viewer: &Viewer, status: &str) -> Markup {
    on_off(
        viewer,
        status == ApiClientStatus::Active.to_string(),
        Msg::UiApiClientsActive,
        Msg::UiApiClientsDisabled,
    )
}

async fn list(viewer: Viewer, state: web::Data<AppState>) -> Result<HttpResponse, ConsoleError> {
    viewer.require::<perm::ApiClientsRead>()?;
    let clients = api_clients::list(&state.db).await?;
    let can_write = viewer.scope("api_clients:write").is_some();
    let body = html! {
        @if clients.is_empty() {
            p.empty { (viewer.t(Msg::UiApiClientsEmpty)) }
        } @else {
            div.table-wrap {
                table {
                    thead { tr {
                        th { (viewer.t(Msg::UiApiClientsName)) }
                        th { (viewer.t(Msg::UiApiClientsClientId)) }
                        th { (viewer.t(Msg::UiApiClientsScopes)) }
                        th.num { (viewer.t(Msg::UiApiClientsRateLimit)) }
                        th { (viewer.t(Msg::UiApiClientsStatus)) }
                        th { (viewer.t(Msg::UiApiClientsCreatedAt)) }
                        th { (viewer.t(Msg::UiApiClientsSecretRotatedAt)) }
                        th { (viewer.t(Msg::UiApiClientsLastUsed)) }
                    } }
                    tbody {
                        @for c in &clients {
                            tr {
                                td { a href={ "/console/api-clients/" (c.id) } { (c.name) } }
                                td { code { (c.client_id) } }
                                td { (codes(&c.scopes)) }
                                td.num { (ui::count(u64::try_from(c.rate_limit_per_minute).unwrap_or(0))) }
                                td { (status_badge(&viewer, &c.status)) }
                                td { (ui::time(&viewer, c.created_at)) }
                                td { (ui::time(&viewer, c.secret_rotated_at)) }
                                td.last-used { (last_used(&viewer, c)) }
                            }
                        }
                    }
                }
            }
            p.muted { (viewer.t(Msg::UiApiClientsLastUsedHint)) }
        }
        @if can_write {
            (create_form(&viewer))
        }
    };
    let title = viewer.t(Msg::UiNavApiClients);
    Ok(console::html_page(layout::page(
        &viewer,
        Some(Nav::ApiClients),
        &title,
        body,
    )))
}

/// When the client last got a token, or "never".
fn last_used(viewer: &Viewer, client: &ClientView) -> Markup {
    match client.last_used_at {
        Some(at) => ui::time(viewer, at),
        None => html! { span.muted { (viewer.t(Msg::UiApiClientsNeverUsed)) } },
    }
}

/// A checkbox per permission of the catalogue, those in `held` ticked.
fn scope_boxes(viewer: &Viewer, held: &[String], hint: Msg) -> Markup {
    html! {
        fieldset.checks {
            legend { (viewer.t(Msg::UiApiClientsScopes)) }
            p.muted { (viewer.t(hint)) }
            @for p in permissions::CATALOG {
                label.check {
                    input type="checkbox" name="scope" value=(p.name) checked[held.iter().any(|h| h == p.name)];
                    " " code { (p.name) } " "
                    span.muted { (p.describe(viewer.reader.locale)) }
                }
            }
        }
    }
}

fn create_form(viewer: &Viewer) -> Markup {
    html! {
        h2 { (viewer.t(Msg::UiApiClientsNew)) }
        form.stack.wide method="post" action="/console/api-clients" {
            (ui::csrf(viewer))
            label for="client-name" { (viewer.t(Msg::UiApiClientsName)) }
            input #client-name type="text" name="name" required maxlength="200";
            label for="client-rate" { (viewer.t(Msg::UiApiClientsRateLimit)) }
            input #client-rate type="number" name="rate_limit_per_minute" min="1" max=(api_clients::MAX_RATE_LIMIT) value="600";
            (scope_boxes(viewer, &[], Msg::UiApiClientsScopesHint))
            div { button.primary type="submit" { (viewer.t(Msg::UiApiClientsCreate)) } }
        }
    }
}

#[derive(Debug, Deserialize)]
struct NewClientForm {
    name: String,
    rate_limit_per_minute: Option<String>,
}

/// Creates the client and answers with its page showing the secret once
/// (not a redirect: the secret is kept nowhere to be shown again).
async fn create(state: web::Data<AppState>, submitted: Submitted<NewClientForm>) -> Result<HttpResponse, ConsoleError> {
    let viewer = &submitted.viewer;
    viewer.require::<perm::ApiClientsWrite>()?;
    let scopes: Vec<String> = submitted.all("scope").into_iter().map(str::to_owned).collect();
    let rate = parse_rate(submitted.form.rate_limit_per_minute.as_deref())?;
    let input = ClientInput {
        name: Some(submitted.form.name.clone()),
        scopes: (!scopes.is_empty()).then_some(scopes),
        rate_limit_per_minute: rate,
        status: None,
    };
    let (client, secret) = api_clients::create(&state.db, &viewer.audit(), input).await?;
    let notice = viewer.t(Msg::UiApiClientsCreated {
        name: client.name.clone(),
    });
    Ok(secret_page(client_page(viewer, &client, Some((&notice, &secret)))))
}

fn parse_rate(raw: Option<&str>) -> Result<Option<i32>, ConsoleError> {
    match raw.map(str::trim).filter(|r| !r.is_empty()) {
        None => Ok(None),
        Some(r) => r
            .parse::<i32>()
            .map(Some)
            .map_err(|_| domain::DomainError::invalid("/rate_limit_per_minute", Msg::UiAwardRulesNotANumber).into()),
    }
}

async fn show(viewer: Viewer, state: web::Data<AppState>, id: web::Path<Uuid>) -> Result<HttpResponse, ConsoleError> {
    viewer.require::<perm::ApiClientsRead>()?;
    let client = api_clients::get(&state.db, id.into_inner()).await?;
    Ok(console::html_page(client_page(&viewer, &client, None)))
}

/// The page of one client; `shown` is the notice and the secret of the
/// creation or rotation this page answers.
fn client_page(viewer: &Viewer, client: &ClientView, shown: Option<(&str, &str)>) -> Markup {
    let can_write = viewer.scope("api_clients:write").is_some();
    let base = format!("/console/api-clients/{}", client.id);
    let body = html! {
        @if let Some((notice, secret)) = shown {
            p.flash role="status" { (notice) }
            (secret_panel(viewer, Msg::UiApiClientsSecret, Msg::UiApiClientsSecretOnce, secret))
        }
        dl.facts {
            dt { (viewer.t(Msg::UiApiClientsClientId)) } dd { code { (client.client_id) } }
            dt { (viewer.t(Msg::UiApiClientsStatus)) } dd { (status_badge(viewer, &client.status)) }
            dt { (viewer.t(Msg::UiApiClientsScopes)) } dd { (codes(&client.scopes)) }
            dt { (viewer.t(Msg::UiApiClientsRateLimit)) }
            dd { (ui::count(u64::try_from(client.rate_limit_per_minute).unwrap_or(0))) }
            dt { (viewer.t(Msg::UiApiClientsCreatedAt)) } dd { (ui::time(viewer, client.created_at)) }
            dt { (viewer.t(Msg::UiApiClientsSecretRotatedAt)) } dd { (ui::time(viewer, client.secret_rotated_at)) }
            dt { (viewer.t(Msg::UiApiClientsLastUsed)) } dd.last-used { (last_used(viewer, client)) }
        }
        @if can_write {
            div.toolbar {
                (ui::action_button(
                    viewer,
                    &format!("{base}/secret"),
                    &viewer.t(Msg::UiApiClientsRotate),
                    Some(&viewer.t(Msg::UiApiClientsRotateConfirm { name: client.name.clone() })),
                    "",
                ))
                @if client.status == ApiClientStatus::Active.to_string() {
                    form.inline method="post" action={ (base) "/status" }
                        data-confirm=(viewer.t(Msg::UiApiClientsDisableConfirm { name: client.name.clone() })) {
                        (ui::csrf(viewer))
                        input type="hidden" name="status" value="disabled";
                        button.danger type="submit" { (viewer.t(Msg::UiApiClientsDisable)) }
                    }
                } @else {
                    form.inline method="post" action={ (base) "/status" } {
                        (ui::csrf(viewer))
                        input type="hidden" name="status" value="active";
                        button type="submit" { (viewer.t(Msg::UiApiClientsEnable)) }
                    }
                }
            }
        }
        @if can_write {
            (edit_form(viewer, client, &base))
        }
        (audit_link(viewer, "api_client", &client.id.to_string()))
        p { a href="/console/api-clients" { (viewer.t(Msg::UiApiClientsBack)) } }
    };
    layout::page(viewer, Some(Nav::ApiClients), &client.name, body)
}

fn edit_form(viewer: &Viewer, client: &ClientView, action: &str) -> Markup {
    html! {
        h2 { (viewer.t(Msg::UiApiClientsEdit)) }
        form.stack.wide method="post" action=(action) {
            (ui::csrf(viewer))
            label for="edit-name" { (viewer.t(Msg::UiApiClientsName)) }
            input #edit-name type="text" name="name" value=(client.name) required maxlength="200";
            label for="edit-rate" { (viewer.t(Msg::UiApiClientsRateLimit)) }
            input #edit-rate type="number" name="rate_limit_per_minute" min="1" max=(api_clients::MAX_RATE_LIMIT)
                value=(client.rate_limit_per_minute) required;
            (scope_boxes(viewer, &client.scopes, Msg::UiApiClientsScopesEditHint))
            div { button.primary type="submit" { (viewer.t(Msg::UiSave)) } }
        }
    }
}

#[derive(Debug, Deserialize)]
struct ClientForm {
    name: String,
    rate_limit_per_minute: Option<String>,
}

/// Changes the client's name, permissions (the ticked ones replace its
/// own; none ticked, none held) and rate limit, as `PATCH
/// /api/v1/api-clients/{id}` does.
async fn save(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    submitted: Submitted<ClientForm>,
) -> Result<HttpResponse, ConsoleError> {
    let viewer = &submitted.viewer;
    viewer.require::<perm::ApiClientsWrite>()?;
    let id = id.into_inner();
    let input = ClientInput {
        name: Some(submitted.form.name.clone()),
        scopes: Some(submitted.all("scope").into_iter().map(str::to_owned).collect()),
        rate_limit_per_minute: parse_rate(submitted.form.rate_limit_per_minute.as_deref())?,
        status: None,
    };
    api_clients::update(&state.db, &viewer.audit(), id, input, None).await?;
    console::done(
        &state,
        viewer,
        Msg::UiApiClientsSaved,
        &format!("/console/api-clients/{id}"),
    )
    .await
}

async fn rotate(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    submitted: Submitted<serde::de::IgnoredAny>,
) -> Result<HttpResponse, ConsoleError> {
    let viewer = &submitted.viewer;
    viewer.require::<perm::ApiClientsWrite>()?;
    let (client, secret) = api_clients::rotate_secret(&state.db, &viewer.audit(), id.into_inner()).await?;
    let notice = viewer.t(Msg::UiApiClientsRotated {
        name: client.name.clone(),
    });
    Ok(secret_page(client_page(viewer, &client, Some((&notice, &secret)))))
}

#[derive(Debug, Deserialize)]
struct StatusForm {
    status: String,
}

async fn set_status(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    submitted: Submitted<StatusForm>,
) -> Result<HttpResponse, ConsoleError> {
    let viewer = &submitted.viewer;
    viewer.require::<perm::ApiClientsWrite>()?;
    let id = id.into_inner();
    let input = ClientInput {
        status: Some(submitted.form.status.clone()),
        ..ClientInput::default()
    };
    let client = api_clients::update(&state.db, &viewer.audit(), id, input, None).await?;
    let message = if client.status == ApiClientStatus::Active.to_string() {
        Msg::UiApiClientsEnabledNow
    } else {
        Msg::UiApiClientsDisabledNow
    };
    console::done(&state, viewer, message, &format!("/console/api-clients/{id}")).await
}
