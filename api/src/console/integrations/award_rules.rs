//! `/console/award-rules`: the Sales Star rules in force (weights,
//! eligibility, bonus tiers and pool, as the API shows them), every earlier
//! version, and a change, which writes the next version through the API's
//! own function. The bonus rules by rank (`/api/v1/bonus-rules`) have
//! another shape and permission and are not on this page.

use actix_web::{
    HttpResponse,
    web::{self, ServiceConfig},
};
use domain::{
    DomainError,
    access::{audit::actor_names, permissions::Scope},
    performance::awards::rules::{self, Eligibility, Rules, RulesInput, Tier, Weights},
    platform::{text::Msg, version},
};
use maud::{Markup, html};
use serde::Deserialize;

use super::user_name;
use crate::{
    auth::perm,
    console::{
        self,
        error::ConsoleError,
        layout::{self, Nav},
        session::{Submitted, Viewer},
        ui,
    },
    error::ApiError,
    state::AppState,
};

/// Blank tier rows offered beyond the current ones.
const SPARE_TIERS: usize = 2;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(web::resource("/award-rules").get(show).post(change));
}

/// The five weights with their labels, in the API's order.
fn weights(w: &Weights) -> [(&'static str, Msg, f64); 5] {
    [
        ("units_sold", Msg::UiAwardRulesUnitsSold, w.units_sold),
        ("amount_sold", Msg::UiAwardRulesAmountSold, w.amount_sold),
        ("satisfaction_rate", Msg::UiAwardRulesSatisfaction, w.satisfaction_rate),
        ("complaint_rate", Msg::UiAwardRulesComplaintRate, w.complaint_rate),
        ("new_leads", Msg::UiAwardRulesNewLeads, w.new_leads),
    ]
}

fn condition<T: std::fmt::Display>(viewer: &Viewer, value: Option<T>) -> String {
    value.map_or_else(|| viewer.t(Msg::UiAwardRulesNoCondition), |v| v.to_string())
}

fn tiers(viewer: &Viewer, tiers: &[Tier]) -> Markup {
    html! {
        ul.plain {
            @for t in tiers {
                @if let [first, last] = t.ranks.as_slice() {
                    li { (viewer.t(Msg::UiAwardRulesTier { first: *first, last: *last, share: t.share_percent })) }
                }
            }
        }
    }
}

/// The rules of one version as a definition list.
fn facts(viewer: &Viewer, r: &Rules) -> Markup {
    let e = &r.eligibility;
    html! {
        dl.facts {
            @for (_, label, value) in weights(&r.weights) {
                dt { (viewer.t(label)) } dd.num { (value) }
            }
            dt { (viewer.t(Msg::UiAwardRulesMinUnits)) } dd { (condition(viewer, e.min_units_sold)) }
            dt { (viewer.t(Msg::UiAwardRulesMaxComplaintRate)) } dd { (condition(viewer, e.max_complaint_rate)) }
            dt { (viewer.t(Msg::UiAwardRulesMinTenure)) } dd { (condition(viewer, e.min_tenure_days)) }
            dt { (viewer.t(Msg::UiAwardRulesTiers)) } dd { (tiers(viewer, &r.tiers)) }
            dt { (viewer.t(Msg::UiAwardRulesPool)) } dd { (ui::money(r.bonus_pool_fen)) }
        }
    }
}

async fn show(viewer: Viewer, state: web::Data<AppState>) -> Result<HttpResponse, ConsoleError> {
    viewer.require::<perm::AwardRulesRead>()?;
    let versions = rules::history(&state.db).await?;
    let Some(current) = versions.first() else {
        return Err(DomainError::NotFound(Msg::NounAwardRules).into());
    };
    let names = actor_names(
        &state.db,
        versions.iter().filter_map(|r| r.created_by).collect(),
        vec![],
    )
    .await?;
    let can_write = viewer.scope("award_rules:write") == Some(Scope::All);
    let body = html! {
        h2 { (viewer.t(Msg::UiAwardRulesCurrent { version: current.version })) }
        (facts(&viewer, current))
        @if can_write {
            (edit_form(&viewer, current)?)
        }
        h2 { (viewer.t(Msg::UiAwardRulesHistory)) }
        div.table-wrap {
            table {
                thead { tr {
                    th.num { (viewer.t(Msg::UiAwardRulesVersion)) }
                    @for (_, label, _) in weights(&current.weights) { th.num { (viewer.t(label)) } }
                    th { (viewer.t(Msg::UiAwardRulesEligibility)) }
                    th { (viewer.t(Msg::UiAwardRulesTiers)) }
                    th.num { (viewer.t(Msg::UiAwardRulesPool)) }
                    th { (viewer.t(Msg::UiSlaPoliciesSince)) }
                    th { (viewer.t(Msg::UiSlaPoliciesChangedBy)) }
                } }
                tbody {
                    @for r in &versions {
                        tr {
                            td.num { (r.version) }
                            @for (_, _, value) in weights(&r.weights) { td.num { (value) } }
                            td {
                                (viewer.t(Msg::UiAwardRulesMinUnits)) " " (condition(&viewer, r.eligibility.min_units_sold)) br;
                                (viewer.t(Msg::UiAwardRulesMaxComplaintRate)) " " (condition(&viewer, r.eligibility.max_complaint_rate)) br;
                                (viewer.t(Msg::UiAwardRulesMinTenure)) " " (condition(&viewer, r.eligibility.min_tenure_days))
                            }
                            td { (tiers(&viewer, &r.tiers)) }
                            td.num { (ui::money(r.bonus_pool_fen)) }
                            td { (ui::time(&viewer, r.created_at)) }
                            td { (user_name(&viewer, &names, r.created_by)) }
                        }
                    }
                }
            }
        }
        (super::audit_link(&viewer, "award_rules", ""))
    };
    let title = viewer.t(Msg::UiNavAwardRules);
    Ok(console::html_page(layout::page(
        &viewer,
        Some(Nav::AwardRules),
        &title,
        body,
    )))
}

fn edit_form(viewer: &Viewer, current: &Rules) -> Result<Markup, ConsoleError> {
    let etag = version::etag_of(current)?;
    let e = &current.eligibility;
    let blank: Vec<Option<&Tier>> = current
        .tiers
        .iter()
        .map(Some)
        .chain(std::iter::repeat_n(None, SPARE_TIERS))
        .collect();
    let pool = format!("{}.{:02}", current.bonus_pool_fen / 100, current.bonus_pool_fen % 100);
    Ok(html! {
        h2 { (viewer.t(Msg::UiAwardRulesEdit)) }
        p.muted { (viewer.t(Msg::UiAwardRulesNote)) }
        form.stack.wide method="post" action="/console/award-rules" {
            (ui::csrf(viewer))
            input type="hidden" name="etag" value=(etag);
            fieldset {
                legend { (viewer.t(Msg::UiAwardRulesWeights)) }
                @for (name, label, value) in weights(&current.weights) {
                    label for={ "w-" (name) } { (viewer.t(label)) }
                    input id={ "w-" (name) } type="number" name={ "w_" (name) } min="-1" max="1" step="any" required value=(value);
                }
            }
            fieldset {
                legend { (viewer.t(Msg::UiAwardRulesEligibility)) }
                label for="e-units" { (viewer.t(Msg::UiAwardRulesMinUnits)) }
                input #e-units type="number" name="min_units_sold" min="0" value=[e.min_units_sold];
                label for="e-complaints" { (viewer.t(Msg::UiAwardRulesMaxComplaintRate)) }
                input #e-complaints type="number" name="max_complaint_rate" min="0" max="1" step="any" value=[e.max_complaint_rate];
                label for="e-tenure" { (viewer.t(Msg::UiAwardRulesMinTenure)) }
                input #e-tenure type="number" name="min_tenure_days" min="0" value=[e.min_tenure_days];
            }
            fieldset {
                legend { (viewer.t(Msg::UiAwardRulesTiers)) }
                div.table-wrap {
                    table {
                        thead { tr {
                            th { (viewer.t(Msg::UiAwardRulesFirstRank)) }
                            th { (viewer.t(Msg::UiAwardRulesLastRank)) }
                            th { (viewer.t(Msg::UiAwardRulesShare)) }
                        } }
                        tbody {
                            @for (i, tier) in blank.iter().enumerate() {
                                @let ranks = tier.map(|t| t.ranks.as_slice()).unwrap_or(&[]);
                                tr {
                                    td {
                                        label.visually-hidden for={ "t-first-" (i) } { (viewer.t(Msg::UiAwardRulesFirstRank)) }
                                        input id={ "t-first-" (i) } type="number" name="tier_first" min="1" value=[ranks.first()];
                                    }
                                    td {
                                        label.visually-hidden for={ "t-last-" (i) } { (viewer.t(Msg::UiAwardRulesLastRank)) }
                                        input id={ "t-last-" (i) } type="number" name="tier_last" min="1" value=[ranks.get(1)];
                                    }
                                    td {
                                        label.visually-hidden for={ "t-share-" (i) } { (viewer.t(Msg::UiAwardRulesShare)) }
                                        input id={ "t-share-" (i) } type="number" name="tier_share" min="0" max="100" value=[tier.map(|t| t.share_percent)];
                                    }
                                }
                            }
                        }
                    }
                }
            }
            label for="pool" { (viewer.t(Msg::UiAwardRulesPool)) }
            input #pool type="text" inputmode="decimal" name="bonus_pool_yuan" required value=(pool);
            div { button.primary type="submit" { (viewer.t(Msg::UiSave)) } }
        }
    })
}

#[derive(Debug, Deserialize)]
struct RulesForm {
    etag: Option<String>,
    w_units_sold: String,
    w_amount_sold: String,
    w_satisfaction_rate: String,
    w_complaint_rate: String,
    w_new_leads: String,
    min_units_sold: Option<String>,
    max_complaint_rate: Option<String>,
    min_tenure_days: Option<String>,
    bonus_pool_yuan: String,
}

/// `raw` read as a `T`, or a field error at `pointer`; blank is `None`.
fn optional<T: std::str::FromStr>(raw: Option<&str>, pointer: &str, errors: &mut Vec<domain::FieldError>) -> Option<T> {
    let raw = raw.map(str::trim).filter(|r| !r.is_empty())?;
    let parsed = raw.parse().ok();
    if parsed.is_none() {
        errors.push(domain::FieldError::new(pointer, Msg::UiAwardRulesNotANumber));
    }
    parsed
}

/// Yuan as typed (`30000`, `30,000.5`) in fen.
fn fen_of(yuan: &str) -> Option<i64> {
    let clean: String = yuan.trim().chars().filter(|c| *c != ',' && *c != '¥').collect();
    let (whole, part) = clean.split_once('.').unwrap_or((&clean, ""));
    if whole.is_empty() || part.len() > 2 || !part.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let cents: i64 = format!("{part:0<2}").parse().ok()?;
    whole
        .checked_mul(100)?
        .checked_add(if whole < 0 { -cents } else { cents })
}

async fn change(state: web::Data<AppState>, submitted: Submitted<RulesForm>) -> Result<HttpResponse, ConsoleError> {
    let viewer = &submitted.viewer;
    if viewer.require::<perm::AwardRulesWrite>()? != Scope::All {
        return Err(ApiError::Forbidden(Msg::NeedsAllRecords {
            permission: "award_rules:write".to_owned(),
        })
        .into());
    }
    let f = &submitted.form;
    let mut errors = Vec::new();
    let mut weight = |raw: &str, name: &str| {
        optional::<f64>(Some(raw), &format!("/weights/{name}"), &mut errors).unwrap_or(f64::NAN)
    };
    let weights = Weights {
        units_sold: weight(&f.w_units_sold, "units_sold"),
        amount_sold: weight(&f.w_amount_sold, "amount_sold"),
        satisfaction_rate: weight(&f.w_satisfaction_rate, "satisfaction_rate"),
        complaint_rate: weight(&f.w_complaint_rate, "complaint_rate"),
        new_leads: weight(&f.w_new_leads, "new_leads"),
    };
    let eligibility = Eligibility {
        min_units_sold: optional(f.min_units_sold.as_deref(), "/eligibility/min_units_sold", &mut errors),
        max_complaint_rate: optional(
            f.max_complaint_rate.as_deref(),
            "/eligibility/max_complaint_rate",
            &mut errors,
        ),
        min_tenure_days: optional(
            f.min_tenure_days.as_deref(),
            "/eligibility/min_tenure_days",
            &mut errors,
        ),
    };
    let (firsts, lasts, shares) = (
        submitted.all("tier_first"),
        submitted.all("tier_last"),
        submitted.all("tier_share"),
    );
    let mut tiers = Vec::new();
    for ((first, last), share) in firsts.iter().zip(&lasts).zip(&shares) {
        if [first, last, share].iter().all(|v| v.trim().is_empty()) {
            continue;
        }
        let pointer = format!("/tiers/{}", tiers.len());
        let first = optional::<i64>(Some(first), &format!("{pointer}/ranks"), &mut errors);
        let last = optional::<i64>(Some(last), &format!("{pointer}/ranks"), &mut errors).or(first);
        let share = optional::<i64>(Some(share), &format!("{pointer}/share_percent"), &mut errors);
        tiers.push(Tier {
            ranks: first.into_iter().chain(last).collect(),
            share_percent: share.unwrap_or(-1),
        });
    }
    let bonus_pool_fen = fen_of(&f.bonus_pool_yuan).unwrap_or_else(|| {
        errors.push(domain::FieldError::new("/bonus_pool_fen", Msg::UiAwardRulesNotANumber));
        0
    });
    if !errors.is_empty() {
        return Err(DomainError::Validation(errors).into());
    }
    let input = RulesInput {
        weights,
        eligibility,
        tiers,
        bonus_pool_fen,
    };
    let etag = f.etag.as_deref().filter(|e| !e.is_empty());
    let saved = rules::set_rules(&state.db, &viewer.audit(), input, etag).await?;
    let message = Msg::UiAwardRulesSaved { version: saved.version };
    console::done(&state, viewer, message, "/console/award-rules").await
}

#[cfg(test)]
mod tests {
    use super::fen_of;

    #[test]
    fn yuan_as_typed_are_read_in_fen() {
        for (typed, fen) in [
            ("30000", Some(3_000_000)),
            ("30,000.5", Some(3_000_050)),
            ("¥1.05", Some(105)),
            ("0", Some(0)),
            ("1.234", None),
            ("abc", None),
            ("", None),
        ] {
            assert_eq!(fen_of(typed), fen, "{typed}");
        }
    }
}
