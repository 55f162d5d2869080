//! Staff accounts: the list with search and filters in the URL, creation
//! (a generated password shown once), and a user's page to change name,
//! team, language and roles, disable or enable the account, reset its
//! password (ending its sessions and sign-in tokens) and pause or resume its
//! lead intake.

use actix_web::{HttpResponse, http::header, web};
use domain::{
    Secret,
    access::{
        org::{self, TeamView},
        permissions::Scope,
        roles::{self, RoleView},
        users::{self as accounts, NewUser, UserChanges, UserFilter, UserView},
    },
    platform::{page::PageRequest, text::Locale, text::Msg},
};
use entities::users::UserStatus;
use maud::{Markup, html};
use serde::Deserialize;
use uuid::Uuid;

use super::{holds_all, id_field, require_all, status_label};
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

/// Accounts a page.
const PAGE: u64 = 50;

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    team: String,
    #[serde(default)]
    status: String,
    cursor: Option<String>,
}

fn status_field(raw: &str) -> Result<Option<UserStatus>, ConsoleError> {
    match raw {
        "" => Ok(None),
        "active" => Ok(Some(UserStatus::Active)),
        "disabled" => Ok(Some(UserStatus::Disabled)),
        _ => Err(domain::DomainError::invalid(
            "/status",
            Msg::OneOf {
                values: vec!["active".to_owned(), "disabled".to_owned()],
            },
        )
        .into()),
    }
}

/// Every team, by id (names for tables and choices).
async fn teams_by_id(state: &AppState, viewer: &Viewer) -> Result<Vec<TeamView>, ConsoleError> {
    Ok(org::list_teams(&state.db, &viewer.actor, Scope::All, None).await?)
}

fn team_name(teams: &[TeamView], id: Option<Uuid>) -> Option<&str> {
    id.and_then(|id| teams.iter().find(|t| t.id == id))
        .map(|t| t.name.as_str())
}

/// `GET /console/users`
pub async fn list(
    viewer: Viewer,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ConsoleError> {
    let scope = super::require_page(&viewer, Nav::Users)?;
    let query = query.into_inner();
    let filter = UserFilter {
        team_id: id_field(&query.team, "/team")?,
        status: status_field(&query.status)?,
        role: Some(query.role.clone()).filter(|r| !r.is_empty()),
        q: Some(query.q.clone()).filter(|q| !q.trim().is_empty()),
    };
    let page = PageRequest::new(Some(PAGE), query.cursor.as_deref())?;
    let page = accounts::list(&state.db, &viewer.actor, scope, filter, page).await?;
    let all_roles = roles::list(&state.db).await?;
    let teams = teams_by_id(&state, &viewer).await?;
    let t = |m: Msg| viewer.t(m);
    let filters: [(&str, &str); 4] = [
        ("q", &query.q),
        ("role", &query.role),
        ("team", &query.team),
        ("status", &query.status),
    ];
    let body = html! {
        form.filters method="get" action="/console/users" role="search" {
            label { (t(Msg::UiAdminSearchUsers)) input type="search" name="q" value=(query.q); }
            label { (t(Msg::UiAdminRoles))
                select name="role" {
                    option value="" { (t(Msg::UiAdminAny)) }
                    @for role in &all_roles {
                        option value=(role.name) selected[role.name == query.role] { (role.name) }
                    }
                }
            }
            label { (t(Msg::UiAdminTeam))
                select name="team" {
                    option value="" { (t(Msg::UiAdminAny)) }
                    @for team in &teams {
                        @let id = team.id.to_string();
                        option value=(id) selected[id == query.team] { (team.name) }
                    }
                }
            }
            label { (t(Msg::UiAdminStatus))
                select name="status" {
                    option value="" { (t(Msg::UiAdminAny)) }
                    @for (status, value) in [(UserStatus::Active, "active"), (UserStatus::Disabled, "disabled")] {
                        option value=(value) selected[value == query.status] { (status_label(&viewer, status)) }
                    }
                }
            }
            button.primary type="submit" { (t(Msg::UiFilter)) }
            a href="/console/users" { (t(Msg::UiReset)) }
        }
        @if page.items.is_empty() {
            p.empty { (t(Msg::UiAdminNoUsers)) }
        } @else {
            div.table-wrap { table {
                thead { tr {
                    th { (t(Msg::UiAdminName)) } th { (t(Msg::UiEmail)) } th { (t(Msg::UiAdminRoles)) }
                    th { (t(Msg::UiAdminTeam)) } th { (t(Msg::UiAdminStatus)) } th { (t(Msg::UiLanguage)) }
                    th { (t(Msg::UiAdminIntakePaused)) }
                } }
                tbody {
                    @for user in &page.items {
                        tr {
                            td { a href={ "/console/users/" (user.id) } { (user.name) } }
                            td { (user.email) }
                            td { (user.roles.join(", ")) }
                            td { (team_name(&teams, user.team_id).unwrap_or("—")) }
                            td { (status_badge(&viewer, user.status)) }
                            td { (user.locale) }
                            td { @if user.lead_intake_paused { (t(Msg::UiYes)) } @else { (t(Msg::UiNo)) } }
                        }
                    }
                }
            } }
        }
        nav.pager {
            @if query.cursor.is_some() {
                a href={ "/console/users" (ui::query(&filters)) } { (t(Msg::UiAdminFirstPage)) }
            }
            @if let Some(next) = &page.next_cursor {
                @let pairs: Vec<(&str, &str)> = filters.iter().copied().chain([("cursor", next.as_str())]).collect();
                a href={ "/console/users" (ui::query(&pairs)) } rel="next" { (t(Msg::UiNext)) }
            }
        }
        @if holds_all(&viewer, "users:write") {
            (create_form(&viewer, &all_roles, &teams))
        }
    };
    Ok(console::html_page(layout::page(
        &viewer,
        Some(Nav::Users),
        &t(Msg::UiNavUsers),
        body,
    )))
}

fn status_badge(viewer: &Viewer, status: UserStatus) -> Markup {
    let class = match status {
        UserStatus::Active => "badge good",
        UserStatus::Disabled => "badge bad",
    };
    html! { span class=(class) { (status_label(viewer, status)) } }
}

fn locale_select(viewer: &Viewer, current: &str) -> Markup {
    html! {
        label for="locale" { (viewer.t(Msg::UiLanguage)) }
        select #locale name="locale" {
            @for locale in Locale::ALL {
                @let name = match locale { Locale::ZhCn => "中文 (zh-CN)", Locale::En => "English (en)" };
                option value=(locale.tag()) selected[locale.tag() == current] { (name) }
            }
        }
    }
}

fn team_select(viewer: &Viewer, teams: &[TeamView], current: Option<Uuid>) -> Markup {
    html! {
        label for="team" { (viewer.t(Msg::UiAdminTeam)) }
        select #team name="team" {
            option value="" { (viewer.t(Msg::UiAdminNoTeam)) }
            @for team in teams {
                option value=(team.id) selected[Some(team.id) == current] { (team.name) }
            }
        }
    }
}

fn role_boxes(viewer: &Viewer, all_roles: &[RoleView], held: &[String]) -> Markup {
    html! {
        fieldset {
            legend { (viewer.t(Msg::UiAdminRoles)) }
            @for role in all_roles {
                @let id = format!("role-{}", role.name);
                label.check for=(id) {
                    input #(id) type="checkbox" name="roles" value=(role.name) checked[held.contains(&role.name)];
                    " " (role.name)
                }
            }
        }
    }
}

fn create_form(viewer: &Viewer, all_roles: &[RoleView], teams: &[TeamView]) -> Markup {
    let t = |m: Msg| viewer.t(m);
    html! {
        h2 #create { (t(Msg::UiAdminCreateUser)) }
        form.stack.narrow-form method="post" action="/console/users" {
            (ui::csrf(viewer))
            label for="name" { (t(Msg::UiAdminName)) }
            input #name name="name" required maxlength="200";
            label for="email" { (t(Msg::UiEmail)) }
            input #email type="email" name="email" required;
            (role_boxes(viewer, all_roles, &[]))
            (team_select(viewer, teams, None))
            (locale_select(viewer, "zh-CN"))
            label for="password" { (t(Msg::UiPassword)) }
            input #password type="password" name="password" autocomplete="new-password" minlength="10" aria-describedby="password-hint";
            small #password-hint .muted { (t(Msg::UiAdminPasswordHint)) }
            button.primary type="submit" { (t(Msg::UiAdminCreateUser)) }
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct NewUserForm {
    name: String,
    email: String,
    #[serde(default)]
    team: String,
    #[serde(default)]
    locale: String,
    #[serde(default)]
    password: String,
}

/// A page that shows a password once: never cached or kept.
fn password_page(viewer: &Viewer, title: &str, user: &UserView, password: Option<&Secret>) -> HttpResponse {
    let t = |m: Msg| viewer.t(m);
    let body = html! {
        @if let Some(password) = password {
            section.secret role="status" {
                p { strong { (t(Msg::UiAdminPasswordOnce)) } }
                p { (t(Msg::UiAdminNewPassword)) ": " code #new-password { (password.expose()) } }
            }
        } @else {
            p { (t(Msg::UiAdminPasswordTyped)) }
        }
        p { a href={ "/console/users/" (user.id) } { (t(Msg::UiAdminOpenUser)) } " · " (user.name) " <" (user.email) ">" }
    };
    let mut page = console::html_page(layout::page(viewer, Some(Nav::Users), title, body));
    page.headers_mut()
        .insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    page
}

/// `POST /console/users`: creates the account; the password typed, or one
/// generated and shown once.
pub async fn create(
    state: web::Data<AppState>,
    submitted: Submitted<NewUserForm>,
) -> Result<HttpResponse, ConsoleError> {
    let viewer = &submitted.viewer;
    require_all::<perm::UsersWrite>(viewer)?;
    let form = &submitted.form;
    let generated = form.password.is_empty();
    let password = if generated {
        accounts::generate_password()
    } else {
        Secret::new(form.password.clone())
    };
    let new = NewUser {
        email: form.email.clone(),
        name: form.name.clone(),
        password: password.clone(),
        roles: submitted.all("roles").into_iter().map(str::to_owned).collect(),
        team_id: id_field(&form.team, "/team_id")?,
        phone: None,
        locale: if form.locale.is_empty() {
            "zh-CN".to_owned()
        } else {
            form.locale.clone()
        },
    };
    let user = accounts::create(&state.db, &viewer.audit(), new).await?;
    let view = accounts::get(&state.db, &viewer.actor, Scope::All, user.id).await?;
    let title = viewer.t(Msg::UiAdminUserCreated {
        name: view.name.clone(),
    });
    Ok(password_page(viewer, &title, &view, generated.then_some(&password)))
}

/// `GET /console/users/{id}`
pub async fn show(
    viewer: Viewer,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ConsoleError> {
    let scope = super::require_page(&viewer, Nav::Users)?;
    let user = accounts::get(&state.db, &viewer.actor, scope, id.into_inner()).await?;
    let all_roles = roles::list(&state.db).await?;
    let teams = teams_by_id(&state, &viewer).await?;
    let t = |m: Msg| viewer.t(m);
    let write = viewer.scope("users:write");
    let all = write == Some(Scope::All);
    let action = format!("/console/users/{}", user.id);
    let body = html! {
        dl.facts {
            dt { (t(Msg::UiEmail)) } dd { (user.email) }
            dt { (t(Msg::UiAdminStatus)) } dd { (status_badge(&viewer, user.status)) }
            dt { (t(Msg::UiAdminRoles)) } dd { (user.roles.join(", ")) }
            dt { (t(Msg::UiAdminTeam)) } dd { (team_name(&teams, user.team_id).unwrap_or("—")) }
            dt { (t(Msg::UiLanguage)) } dd { (user.locale) }
            dt { (t(Msg::UiAdminIntakePaused)) } dd { @if user.lead_intake_paused { (t(Msg::UiYes)) } @else { (t(Msg::UiNo)) } }
            dt { (t(Msg::UiAdminCreatedAt)) } dd { (ui::time(&viewer, user.created_at)) }
        }
        div.toolbar {
            @if viewer.scope("roles:read").is_some() {
                a href={ "/console/roles/evaluate?user=" (user.id) } { (t(Msg::UiAdminEvaluate)) }
            }
            @if all {
                @match user.status {
                    UserStatus::Active => {
                        @let confirm = t(Msg::UiAdminConfirmDisable { name: user.name.clone() });
                        (status_button(&viewer, &action, "disabled", &t(Msg::UiAdminDisable), Some(&confirm), "danger"))
                    }
                    UserStatus::Disabled => {
                        (status_button(&viewer, &action, "active", &t(Msg::UiAdminEnable), None, "primary"))
                    }
                }
                @let confirm = t(Msg::UiAdminConfirmReset { name: user.name.clone() });
                (ui::action_button(&viewer, &format!("{action}/password"), &t(Msg::UiAdminResetPassword), Some(&confirm), ""))
            }
            @if viewer.scope("customers:assign").is_some() {
                form.inline method="post" action={ (action) "/intake" } {
                    (ui::csrf(&viewer))
                    @if user.lead_intake_paused {
                        input type="hidden" name="paused" value="false";
                        button type="submit" { (t(Msg::UiAdminResumeIntake)) }
                    } @else {
                        input type="hidden" name="paused" value="true";
                        button type="submit" { (t(Msg::UiAdminPauseIntake)) }
                    }
                }
            } @else {
                p.muted { (t(Msg::UiAdminIntakeWho)) }
            }
        }
        @if write.is_some() {
            h2 { (t(Msg::UiAdminEditUser)) }
            form.stack.narrow-form method="post" action=(action) {
                (ui::csrf(&viewer))
                label for="name" { (t(Msg::UiAdminName)) }
                input #name name="name" value=(user.name) required maxlength="200";
                (locale_select(&viewer, &user.locale))
                @if all {
                    (team_select(&viewer, &teams, user.team_id))
                    (role_boxes(&viewer, &all_roles, &user.roles))
                }
                button.primary type="submit" { (t(Msg::UiSave)) }
            }
        }
    };
    Ok(console::html_page(layout::page(
        &viewer,
        Some(Nav::Users),
        &user.name,
        body,
    )))
}

fn status_button(
    viewer: &Viewer,
    action: &str,
    status: &str,
    label: &str,
    confirm: Option<&str>,
    class: &str,
) -> Markup {
    html! {
        form.inline method="post" action={ (action) "/status" } data-confirm=[confirm] {
            (ui::csrf(viewer))
            input type="hidden" name="status" value=(status);
            button type="submit" class=(class) { (label) }
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct UserForm {
    name: Option<String>,
    locale: Option<String>,
    team: Option<String>,
}

/// `POST /console/users/{id}`: name and language; with `users:write` on all
/// records, team and roles too (the roles sent replace the user's).
pub async fn save(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    submitted: Submitted<UserForm>,
) -> Result<HttpResponse, ConsoleError> {
    let viewer = &submitted.viewer;
    let scope = viewer.require::<perm::UsersWrite>()?;
    let id = id.into_inner();
    let form = &submitted.form;
    let all = scope == Scope::All;
    let team_id = match (&form.team, all) {
        (Some(team), true) => Some(id_field(team, "/team_id")?),
        _ => None,
    };
    let changes = UserChanges {
        name: form.name.clone(),
        locale: form.locale.clone(),
        team_id,
        ..UserChanges::default()
    };
    let user = accounts::update(&state.db, &viewer.audit(), &viewer.actor, scope, id, changes, None).await?;
    let roles: Vec<String> = submitted.all("roles").into_iter().map(str::to_owned).collect();
    let mut wanted = roles.clone();
    wanted.sort_unstable();
    if all && wanted != user.roles {
        accounts::set_roles(&state.db, &viewer.audit(), id, roles).await?;
    }
    console::done(&state, viewer, Msg::UiAdminUserSaved, &format!("/console/users/{id}")).await
}

#[derive(Debug, Deserialize)]
pub struct StatusForm {
    status: String,
}

/// `POST /console/users/{id}/status`: disables or enables the account (a
/// disabled one loses its sessions and API access on its next request).
pub async fn set_status(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    submitted: Submitted<StatusForm>,
) -> Result<HttpResponse, ConsoleError> {
    let viewer = &submitted.viewer;
    require_all::<perm::UsersWrite>(viewer)?;
    let id = id.into_inner();
    let status = status_field(&submitted.form.status)?
        .ok_or_else(|| ConsoleError::from(domain::DomainError::invalid("/status", Msg::Required)))?;
    let changes = UserChanges {
        status: Some(status),
        ..UserChanges::default()
    };
    accounts::update(&state.db, &viewer.audit(), &viewer.actor, Scope::All, id, changes, None).await?;
    let message = match status {
        UserStatus::Active => Msg::UiAdminUserEnabled,
        UserStatus::Disabled => Msg::UiAdminUserDisabled,
    };
    console::done(&state, viewer, message, &format!("/console/users/{id}")).await
}

/// `POST /console/users/{id}/password`: a new generated password, shown
/// once; the user's console sessions and refresh tokens end.
pub async fn reset_password(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    submitted: Submitted<serde::de::IgnoredAny>,
) -> Result<HttpResponse, ConsoleError> {
    let viewer = &submitted.viewer;
    require_all::<perm::UsersWrite>(viewer)?;
    let user = accounts::get(&state.db, &viewer.actor, Scope::All, id.into_inner()).await?;
    let password = accounts::generate_password();
    accounts::reset_password(&state.db, &viewer.audit(), user.id, &password).await?;
    let title = viewer.t(Msg::UiAdminPasswordReset {
        name: user.name.clone(),
    });
    Ok(password_page(viewer, &title, &user, Some(&password)))
}

#[derive(Debug, Deserialize)]
pub struct IntakeForm {
    paused: bool,
}

/// `POST /console/users/{id}/intake`: pauses or resumes the user's
/// round-robin leads, as `PUT /api/v1/users/{id}/lead-intake` (with
/// `customers:assign`).
pub async fn set_intake(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    submitted: Submitted<IntakeForm>,
) -> Result<HttpResponse, ConsoleError> {
    let viewer = &submitted.viewer;
    let scope = viewer.require::<perm::CustomersAssign>()?;
    let id = id.into_inner();
    let paused = submitted.form.paused;
    domain::sales::assignment::set_intake(&state.db, &viewer.audit(), &viewer.actor, scope, id, paused).await?;
    let message = if paused {
        Msg::UiAdminIntakePausedDone
    } else {
        Msg::UiAdminIntakeResumedDone
    };
    console::done(&state, viewer, message, &format!("/console/users/{id}")).await
}
