//! `/console/sla-policies`: the policy in force for each kind of deadline,
//! each kind's versions, and a change, which writes the next version
//! through the API's own function (audited; running deadlines keep theirs).

use actix_web::{
    HttpResponse,
    web::{self, ServiceConfig},
};
use domain::{
    access::audit::{ActorNames, actor_names},
    outbox::sla::{self, Policy, PolicyInput, SlaKind},
    platform::{text::Msg, version},
};
use maud::{Markup, html};
use serde::Deserialize;

use super::{audit_link, user_name};
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

const DAY: i64 = 86_400;
const HOUR: i64 = 3_600;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(web::resource("/sla-policies").get(list))
        .service(web::resource("/sla-policies/{kind}").get(show).post(change));
}

/// A duration as people read it: whole days, else whole hours, else seconds.
fn duration(viewer: &Viewer, secs: i64) -> String {
    let msg = if secs % DAY == 0 {
        Msg::UiSlaPoliciesDays { n: secs / DAY }
    } else if secs % HOUR == 0 {
        Msg::UiSlaPoliciesHours { n: secs / HOUR }
    } else {
        Msg::UiSlaPoliciesSeconds { n: secs }
    };
    viewer.t(msg)
}

fn warning(viewer: &Viewer, percent: i32) -> String {
    if percent == 0 {
        viewer.t(Msg::UiSlaPoliciesNoWarning)
    } else {
        viewer.t(Msg::UiSlaPoliciesWarningAt { percent })
    }
}

fn yes_no(viewer: &Viewer, on: bool) -> String {
    viewer.t(if on { Msg::UiYes } else { Msg::UiNo })
}

/// Policies a row each: the current ones with their kind linked, or one
/// kind's versions.
fn policy_table(viewer: &Viewer, policies: &[Policy], names: &ActorNames, with_kind: bool) -> Markup {
    html! {
        div.table-wrap {
            table {
                thead { tr {
                    @if with_kind { th { (viewer.t(Msg::UiSlaPoliciesKind)) } }
                    th.num { (viewer.t(Msg::UiSlaPoliciesVersion)) }
                    th.num { (viewer.t(Msg::UiSlaPoliciesDuration)) }
                    th { (viewer.t(Msg::UiSlaPoliciesWarning)) }
                    th { (viewer.t(Msg::UiSlaPoliciesNotifyManager)) }
                    th { (viewer.t(Msg::UiSlaPoliciesReassign)) }
                    th { (viewer.t(Msg::UiSlaPoliciesSince)) }
                    th { (viewer.t(Msg::UiSlaPoliciesChangedBy)) }
                } }
                tbody {
                    @for p in policies {
                        tr {
                            @if with_kind {
                                td { a href={ "/console/sla-policies/" (p.kind.as_str()) } { (viewer.t(sla::what(p.kind))) } }
                            }
                            td.num { (p.version) }
                            td.num { (duration(viewer, p.duration_secs)) }
                            td { (warning(viewer, p.warning_percent)) }
                            td { (yes_no(viewer, p.notify_manager)) }
                            td { (yes_no(viewer, p.reassign)) }
                            td { (ui::time(viewer, p.created_at)) }
                            td { (user_name(viewer, names, p.created_by)) }
                        }
                    }
                }
            }
        }
    }
}

async fn list(viewer: Viewer, state: web::Data<AppState>) -> Result<HttpResponse, ConsoleError> {
    viewer.require::<perm::SlaPoliciesRead>()?;
    let policies = sla::all_current(&state.db).await?;
    let names = actor_names(
        &state.db,
        policies.iter().filter_map(|p| p.created_by).collect(),
        vec![],
    )
    .await?;
    let body = html! {
        (policy_table(&viewer, &policies, &names, true))
        p.muted { (viewer.t(Msg::UiSlaPoliciesNote)) }
    };
    let title = viewer.t(Msg::UiNavSlaPolicies);
    Ok(console::html_page(layout::page(
        &viewer,
        Some(Nav::SlaPolicies),
        &title,
        body,
    )))
}

async fn show(
    viewer: Viewer,
    state: web::Data<AppState>,
    kind: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    viewer.require::<perm::SlaPoliciesRead>()?;
    let versions = sla::history(&state.db, &kind).await?;
    let Some(current) = versions.first() else {
        return Err(domain::DomainError::NotFound(Msg::NounSlaPolicy).into());
    };
    let names = actor_names(
        &state.db,
        versions.iter().filter_map(|p| p.created_by).collect(),
        vec![],
    )
    .await?;
    let can_write = viewer.scope("sla_policies:write") == Some(domain::access::permissions::Scope::All);
    let body = html! {
        @if can_write {
            (edit_form(&viewer, current)?)
        }
        h2 { (viewer.t(Msg::UiSlaPoliciesHistory)) }
        (policy_table(&viewer, &versions, &names, false))
        (audit_link(&viewer, "sla_policy", current.kind.as_str()))
        p { a href="/console/sla-policies" { (viewer.t(Msg::UiSlaPoliciesBack)) } }
    };
    let title = viewer.t(sla::what(current.kind));
    Ok(console::html_page(layout::page(
        &viewer,
        Some(Nav::SlaPolicies),
        &title,
        body,
    )))
}

fn edit_form(viewer: &Viewer, current: &Policy) -> Result<Markup, ConsoleError> {
    let (amount, unit) = if current.duration_secs % DAY == 0 {
        (current.duration_secs / DAY, "days")
    } else {
        (current.duration_secs / HOUR, "hours")
    };
    let etag = version::etag_of(current)?;
    Ok(html! {
        h2 { (viewer.t(Msg::UiSlaPoliciesEdit)) }
        p.muted { (viewer.t(Msg::UiSlaPoliciesNote)) }
        form.stack.wide method="post" action={ "/console/sla-policies/" (current.kind.as_str()) } {
            (ui::csrf(viewer))
            input type="hidden" name="etag" value=(etag);
            div.row {
                label for="sla-amount" { (viewer.t(Msg::UiSlaPoliciesAmount)) }
                input #sla-amount type="number" name="amount" min="1" required value=(amount);
                label for="sla-unit" { (viewer.t(Msg::UiSlaPoliciesUnit)) }
                select #sla-unit name="unit" {
                    option value="hours" selected[unit == "hours"] { (viewer.t(Msg::UiSlaPoliciesUnitHours)) }
                    option value="days" selected[unit == "days"] { (viewer.t(Msg::UiSlaPoliciesUnitDays)) }
                }
            }
            label for="sla-warning" { (viewer.t(Msg::UiSlaPoliciesWarningPercent)) }
            input #sla-warning type="number" name="warning_percent" min="0" max="99" required value=(current.warning_percent);
            label.check {
                input type="checkbox" name="notify_manager" value="on" checked[current.notify_manager];
                " " (viewer.t(Msg::UiSlaPoliciesNotifyManager))
            }
            @if current.kind == SlaKind::FirstResponse {
                label.check {
                    input type="checkbox" name="reassign" value="on" checked[current.reassign];
                    " " (viewer.t(Msg::UiSlaPoliciesReassign))
                }
            }
            div { button.primary type="submit" { (viewer.t(Msg::UiSave)) } }
        }
    })
}

#[derive(Debug, Deserialize)]
struct PolicyForm {
    etag: Option<String>,
    amount: String,
    unit: String,
    warning_percent: String,
    notify_manager: Option<String>,
    reassign: Option<String>,
}

async fn change(
    state: web::Data<AppState>,
    kind: web::Path<String>,
    submitted: Submitted<PolicyForm>,
) -> Result<HttpResponse, ConsoleError> {
    let viewer = &submitted.viewer;
    if viewer.require::<perm::SlaPoliciesWrite>()? != domain::access::permissions::Scope::All {
        return Err(crate::error::ApiError::Forbidden(Msg::NeedsAllRecords {
            permission: "sla_policies:write".to_owned(),
        })
        .into());
    }
    let form = &submitted.form;
    let unit = if form.unit == "days" { DAY } else { HOUR };
    let amount = form
        .amount
        .trim()
        .parse::<i64>()
        .map_err(|_| domain::DomainError::invalid("/duration_secs", Msg::UiAwardRulesNotANumber))?;
    let warning_percent = form
        .warning_percent
        .trim()
        .parse::<i32>()
        .map_err(|_| domain::DomainError::invalid("/warning_percent", Msg::UiAwardRulesNotANumber))?;
    let kind = kind.into_inner();
    let input = PolicyInput {
        duration_secs: Some(amount.saturating_mul(unit)),
        warning_percent: Some(warning_percent),
        notify_manager: Some(form.notify_manager.is_some()),
        reassign: (kind == SlaKind::FirstResponse.as_str()).then_some(form.reassign.is_some()),
    };
    let etag = form.etag.as_deref().filter(|e| !e.is_empty());
    let policy = sla::update(&state.db, &viewer.audit(), &kind, input, etag).await?;
    let message = Msg::UiSlaPoliciesSaved {
        version: policy.version,
    };
    console::done(&state, viewer, message, &format!("/console/sla-policies/{kind}")).await
}
