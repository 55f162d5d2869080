//! Teams and regions: every region, every team the viewer reaches with its
//! region, manager and member count; creating, renaming and deleting regions
//! and teams, and moving a team to another region or manager. A region that
//! still has teams, or a team that still has members, is not deleted: the
//! domain refuses it and the error page says why.

use actix_web::{HttpResponse, web};
use domain::{
    access::{
        org::{self, RegionView, TeamInput},
        permissions::Scope,
        users::{self as accounts, UserFilter, UserView},
    },
    platform::{page::PageRequest, text::Msg},
};
use entities::users::UserStatus;
use maud::{Markup, html};
use serde::Deserialize;
use uuid::Uuid;

use super::{holds_all, id_field, require_all};
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

/// The role whose holders are offered as team managers.
const MANAGER_ROLE: &str = "manager";

/// `GET /console/teams`
pub async fn list(viewer: Viewer, state: web::Data<AppState>) -> Result<HttpResponse, ConsoleError> {
    let scope = viewer.require::<perm::TeamsRead>()?;
    let db = &state.db;
    let regions = match viewer.scope("regions:read") {
        Some(_) => org::list_regions(db).await?,
        None => Vec::new(),
    };
    let teams = org::list_teams(db, &viewer.actor, scope, None).await?;
    let counts = org::member_counts(db, teams.iter().map(|t| t.id)).await?;
    let managers = accounts::names_of(db, teams.iter().filter_map(|t| t.manager_id)).await?;
    let write_teams = holds_all(&viewer, "teams:write");
    let write_regions = holds_all(&viewer, "regions:write");
    let candidates = if write_teams {
        manager_candidates(&state, &viewer).await?
    } else {
        Vec::new()
    };
    let region_name = |id: Uuid| regions.iter().find(|r| r.id == id).map(|r| r.name.as_str());
    let t = |m: Msg| viewer.t(m);
    let body = html! {
        @if viewer.scope("regions:read").is_some() {
            h2 { (t(Msg::UiAdminRegions)) }
            @if regions.is_empty() {
                p.empty { (t(Msg::UiAdminNoRegions)) }
            } @else {
                div.table-wrap { table {
                    thead { tr {
                        th { (t(Msg::UiAdminName)) } th.num { (t(Msg::UiAdminTeams)) }
                        @if write_regions { th { (t(Msg::UiTeamsActions)) } }
                    } }
                    tbody {
                        @for region in &regions {
                            tr data-region=(region.id) {
                                td { (region.name) }
                                td.num { (ui::count(teams.iter().filter(|t| t.region_id == region.id).count() as u64)) }
                                @if write_regions {
                                    td { (region_actions(&viewer, region)) }
                                }
                            }
                        }
                    }
                } }
            }
            @if write_regions {
                form.filters method="post" action="/console/teams/regions" {
                    (ui::csrf(&viewer))
                    label { (t(Msg::UiAdminName)) input name="name" required maxlength="200"; }
                    button.primary type="submit" { (t(Msg::UiAdminCreateRegion)) }
                }
            }
        }
        h2 { (t(Msg::UiAdminTeams)) }
        @if teams.is_empty() {
            p.empty { (t(Msg::UiAdminNoTeams)) }
        } @else {
            div.table-wrap { table {
                thead { tr {
                    th { (t(Msg::UiAdminName)) } th { (t(Msg::UiAdminRegion)) } th { (t(Msg::UiAdminManager)) }
                    th.num { (t(Msg::UiAdminMembers)) }
                    @if write_teams { th { (t(Msg::UiAdminChange)) } }
                } }
                tbody {
                    @for team in &teams {
                        @let members = counts.get(&team.id).copied().unwrap_or(0);
                        tr data-team=(team.id) {
                            td { (team.name) }
                            td { (region_name(team.region_id).unwrap_or("—")) }
                            td { (team.manager_id.and_then(|m| managers.get(&m)).map_or("—", String::as_str)) }
                            td.num { (ui::count(members)) }
                            @if write_teams {
                                td {
                                    form.filters method="post" action={ "/console/teams/" (team.id) } {
                                        (ui::csrf(&viewer))
                                        input name="name" value=(team.name) required maxlength="200"
                                            aria-label=(t(Msg::UiTeamsTeamName { name: team.name.clone() }));
                                        (region_select(&viewer, &regions, Some(team.region_id), &format!("region-{}", team.id)))
                                        (manager_select(&viewer, &candidates, team.manager_id, managers.get(&team.manager_id.unwrap_or_default()), &format!("manager-{}", team.id)))
                                        button type="submit" { (t(Msg::UiSave)) }
                                    }
                                    (ui::action_button(
                                        &viewer,
                                        &format!("/console/teams/{}/delete", team.id),
                                        &t(Msg::UiTeamsDelete),
                                        Some(&t(Msg::UiTeamsConfirmDeleteTeam { name: team.name.clone(), members })),
                                        "danger",
                                    ))
                                }
                            }
                        }
                    }
                }
            } }
        }
        @if write_teams && !regions.is_empty() {
            h3 { (t(Msg::UiAdminCreateTeam)) }
            form.filters method="post" action="/console/teams/new" {
                (ui::csrf(&viewer))
                label { (t(Msg::UiAdminName)) input name="name" required maxlength="200"; }
                (region_select(&viewer, &regions, None, "region-new"))
                (manager_select(&viewer, &candidates, None, None, "manager-new"))
                button.primary type="submit" { (t(Msg::UiAdminCreateTeam)) }
            }
        }
    };
    Ok(console::html_page(layout::page(
        &viewer,
        Some(Nav::Teams),
        &t(Msg::UiNavTeams),
        body,
    )))
}

/// A region's rename form and delete button (confirmed).
fn region_actions(viewer: &Viewer, region: &RegionView) -> Markup {
    html! {
        form.inline method="post" action={ "/console/teams/regions/" (region.id) } {
            (ui::csrf(viewer))
            input name="name" value=(region.name) required maxlength="200"
                aria-label=(viewer.t(Msg::UiTeamsRenameRegion { name: region.name.clone() }));
            button type="submit" { (viewer.t(Msg::UiTeamsRename)) }
        }
        (ui::action_button(
            viewer,
            &format!("/console/teams/regions/{}/delete", region.id),
            &viewer.t(Msg::UiTeamsDelete),
            Some(&viewer.t(Msg::UiTeamsConfirmDeleteRegion { name: region.name.clone() })),
            "danger",
        ))
    }
}

/// Active holders of the manager role (at most a page of them).
async fn manager_candidates(state: &AppState, viewer: &Viewer) -> Result<Vec<UserView>, ConsoleError> {
    let filter = UserFilter {
        role: Some(MANAGER_ROLE.to_owned()),
        status: Some(UserStatus::Active),
        ..UserFilter::default()
    };
    let page = PageRequest::new(Some(domain::platform::page::MAX_LIMIT), None)?;
    Ok(accounts::list(&state.db, &viewer.actor, Scope::All, filter, page)
        .await?
        .items)
}

fn region_select(viewer: &Viewer, regions: &[RegionView], current: Option<Uuid>, id: &str) -> Markup {
    html! {
        label for=(id) { (viewer.t(Msg::UiAdminRegion))
            select id=(id) name="region" required {
                @for region in regions {
                    option value=(region.id) selected[Some(region.id) == current] { (region.name) }
                }
            }
        }
    }
}

fn manager_select(
    viewer: &Viewer,
    candidates: &[UserView],
    current: Option<Uuid>,
    current_name: Option<&String>,
    id: &str,
) -> Markup {
    let listed = current.is_none_or(|c| candidates.iter().any(|u| u.id == c));
    html! {
        label for=(id) { (viewer.t(Msg::UiAdminManager))
            select id=(id) name="manager" {
                option value="" { (viewer.t(Msg::UiAdminNoManager)) }
                @if !listed {
                    @if let (Some(current), Some(name)) = (current, current_name) {
                        option value=(current) selected { (name) }
                    }
                }
                @for user in candidates {
                    option value=(user.id) selected[Some(user.id) == current] { (user.name) " <" (user.email) ">" }
                }
            }
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct RegionForm {
    name: String,
}

/// `POST /console/teams/regions`
pub async fn create_region(
    state: web::Data<AppState>,
    submitted: Submitted<RegionForm>,
) -> Result<HttpResponse, ConsoleError> {
    let viewer = &submitted.viewer;
    require_all::<perm::RegionsWrite>(viewer)?;
    let name = Some(submitted.form.name.clone());
    org::save_region(&state.db, &viewer.audit(), None, name, None).await?;
    console::done(&state, viewer, Msg::UiAdminRegionCreated, "/console/teams").await
}

/// `POST /console/teams/regions/{id}`: a new name.
pub async fn rename_region(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    submitted: Submitted<RegionForm>,
) -> Result<HttpResponse, ConsoleError> {
    let viewer = &submitted.viewer;
    require_all::<perm::RegionsWrite>(viewer)?;
    let name = Some(submitted.form.name.clone());
    org::save_region(&state.db, &viewer.audit(), Some(id.into_inner()), name, None).await?;
    console::done(&state, viewer, Msg::UiTeamsRegionRenamed, "/console/teams").await
}

/// `POST /console/teams/regions/{id}/delete`: refused while it has teams.
pub async fn delete_region(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    submitted: Submitted<serde::de::IgnoredAny>,
) -> Result<HttpResponse, ConsoleError> {
    let viewer = &submitted.viewer;
    require_all::<perm::RegionsWrite>(viewer)?;
    org::delete_region(&state.db, &viewer.audit(), id.into_inner(), None).await?;
    console::done(&state, viewer, Msg::UiTeamsRegionDeleted, "/console/teams").await
}

#[derive(Debug, Deserialize)]
pub struct TeamForm {
    name: Option<String>,
    region: Option<String>,
    manager: Option<String>,
}

impl TeamForm {
    fn input(&self) -> Result<TeamInput, ConsoleError> {
        Ok(TeamInput {
            name: self.name.clone(),
            region_id: self
                .region
                .as_deref()
                .map(|r| id_field(r, "/region_id"))
                .transpose()?
                .flatten(),
            manager_id: self
                .manager
                .as_deref()
                .map(|m| id_field(m, "/manager_id"))
                .transpose()?,
        })
    }
}

/// `POST /console/teams/new`
pub async fn create_team(
    state: web::Data<AppState>,
    submitted: Submitted<TeamForm>,
) -> Result<HttpResponse, ConsoleError> {
    let viewer = &submitted.viewer;
    require_all::<perm::TeamsWrite>(viewer)?;
    let input = submitted.form.input()?;
    org::save_team(&state.db, &viewer.audit(), None, input, None).await?;
    console::done(&state, viewer, Msg::UiAdminTeamCreated, "/console/teams").await
}

/// `POST /console/teams/{id}`: another name, region or manager.
pub async fn change_team(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    submitted: Submitted<TeamForm>,
) -> Result<HttpResponse, ConsoleError> {
    let viewer = &submitted.viewer;
    require_all::<perm::TeamsWrite>(viewer)?;
    let input = submitted.form.input()?;
    org::save_team(&state.db, &viewer.audit(), Some(id.into_inner()), input, None).await?;
    console::done(&state, viewer, Msg::UiAdminTeamSaved, "/console/teams").await
}

/// `POST /console/teams/{id}/delete`: refused while it has members.
pub async fn delete_team(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    submitted: Submitted<serde::de::IgnoredAny>,
) -> Result<HttpResponse, ConsoleError> {
    let viewer = &submitted.viewer;
    require_all::<perm::TeamsWrite>(viewer)?;
    org::delete_team(&state.db, &viewer.audit(), id.into_inner(), None).await?;
    console::done(&state, viewer, Msg::UiTeamsTeamDeleted, "/console/teams").await
}
