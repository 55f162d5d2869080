//! Roles and permissions: the role × permission matrix, custom roles edited
//! in place after a preview of what the change does to their holders,
//! renamed, or deleted after a confirmation naming how many active users
//! hold them (built-in roles are read-only here), and the evaluation of one
//! user's effective access with the roles that grant it.

use actix_web::{HttpResponse, web};
use domain::{
    DomainError,
    access::{
        permissions::{CATALOG, Grants, Scope},
        roles::{self, Grant, Preview, RoleInput, RoleView},
        users::{self as accounts, UserFilter},
    },
    platform::{page::PageRequest, text::Msg},
};
use maud::{Markup, html};
use serde::Deserialize;

use super::{id_field, scope_label};
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

/// The scopes a grant's select offers, after "none".
const SCOPES: [Scope; 3] = [Scope::Own, Scope::Team, Scope::All];

/// The form field of `permission`'s grant.
fn field(permission: &str) -> String {
    format!("grant.{permission}")
}

/// `GET /console/roles`: the matrix.
pub async fn matrix(viewer: Viewer, state: web::Data<AppState>) -> Result<HttpResponse, ConsoleError> {
    viewer.require::<perm::RolesRead>()?;
    let all_roles = roles::list(&state.db).await?;
    let t = |m: Msg| viewer.t(m);
    let body = html! {
        p { (t(Msg::UiAdminMatrixIntro)) }
        div.toolbar { a href="/console/roles/evaluate" { (t(Msg::UiAdminEvaluate)) } }
        div.table-wrap { table.matrix {
            thead { tr {
                th { (t(Msg::UiAdminPermission)) }
                @for role in &all_roles {
                    th scope="col" {
                        a href={ "/console/roles/" (role.name) } { (role.name) }
                        br;
                        span.muted { @if role.builtin { (t(Msg::UiAdminBuiltin)) } @else { (t(Msg::UiAdminCustom)) } }
                    }
                }
            } }
            tbody {
                @for info in CATALOG {
                    tr data-permission=(info.name) {
                        th scope="row" { code { (info.name) } br; span.muted { (info.describe(viewer.reader.locale)) } }
                        @for role in &all_roles {
                            td.scope {
                                @if let Some(scope) = granted(role, info.name) { (scope_label(&viewer, scope)) }
                            }
                        }
                    }
                }
            }
        } }
        @if viewer.scope("roles:write").is_some() {
            h2 { (t(Msg::UiAdminCreateRole)) }
            form.stack.narrow-form method="post" action="/console/roles" {
                (ui::csrf(&viewer))
                label for="role-name" { (t(Msg::UiAdminName)) }
                input #role-name name="name" required pattern="[a-z][a-z0-9_]{1,63}" aria-describedby="role-name-hint";
                small #role-name-hint .muted { (t(Msg::UiAdminRoleNameHint)) }
                label for="role-description" { (t(Msg::UiAdminDescription)) }
                input #role-description name="description" maxlength="500";
                button.primary type="submit" { (t(Msg::UiAdminCreateRole)) }
            }
        }
    };
    Ok(console::html_page(layout::page(
        &viewer,
        Some(Nav::Roles),
        &t(Msg::UiNavRoles),
        body,
    )))
}

fn granted(role: &RoleView, permission: &str) -> Option<Scope> {
    role.grants.iter().find(|g| g.permission == permission).map(|g| g.scope)
}

#[derive(Debug, Deserialize)]
pub struct NewRoleForm {
    name: String,
    #[serde(default)]
    description: String,
}

/// `POST /console/roles`: a custom role without grants, then its page.
pub async fn create(
    state: web::Data<AppState>,
    submitted: Submitted<NewRoleForm>,
) -> Result<HttpResponse, ConsoleError> {
    let viewer = &submitted.viewer;
    viewer.require::<perm::RolesWrite>()?;
    let input = RoleInput {
        name: Some(submitted.form.name.trim().to_owned()),
        description: Some(submitted.form.description.trim().to_owned()),
        grants: Some(Vec::new()),
    };
    let role = roles::create(&state.db, &viewer.audit(), input).await?;
    console::done(
        &state,
        viewer,
        Msg::UiAdminRoleCreated,
        &format!("/console/roles/{}", role.name),
    )
    .await
}

/// The role called `name`.
async fn find(state: &AppState, name: &str) -> Result<RoleView, ConsoleError> {
    roles::list(&state.db)
        .await?
        .into_iter()
        .find(|r| r.name == name)
        .ok_or_else(|| ApiError::NotFound(Msg::NounRole).into())
}

/// `GET /console/roles/{name}`
pub async fn show(
    viewer: Viewer,
    state: web::Data<AppState>,
    name: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    viewer.require::<perm::RolesRead>()?;
    let role = find(&state, &name).await?;
    let grants = role.grants.clone();
    let holders = roles::active_holders(&state.db, role.id).await?;
    Ok(role_page(&viewer, &role, &grants, holders, None))
}

/// A role's page: a form of its grants for a custom role the viewer may
/// change (`grants` selected, `preview` of them shown), with its rename
/// form and delete button (confirmed with its `holders`, active users
/// holding it); else its grants.
fn role_page(
    viewer: &Viewer,
    role: &RoleView,
    grants: &[Grant],
    holders: u64,
    preview: Option<&Preview>,
) -> HttpResponse {
    let t = |m: Msg| viewer.t(m);
    let editable = !role.builtin && viewer.scope("roles:write").is_some();
    let action = format!("/console/roles/{}", role.name);
    let body = html! {
        p {
            @if role.builtin { span.badge { (t(Msg::UiAdminBuiltin)) } } @else { span.badge { (t(Msg::UiAdminCustom)) } }
            " " (role.description)
        }
        @if role.builtin {
            p.muted { (t(Msg::UiAdminBuiltinReadOnly { role: role.name.clone() })) }
        }
        @if editable {
            p #holders { (t(Msg::UiRolesHolders { users: holders })) }
            div.toolbar {
                form.inline method="post" action={ (action) "/rename" } {
                    (ui::csrf(viewer))
                    label for="role-new-name" { (t(Msg::UiRolesNewName)) }
                    " "
                    input #role-new-name name="name" value=(role.name) required pattern="[a-z][a-z0-9_]{1,63}";
                    " "
                    button type="submit" { (t(Msg::UiRolesRename)) }
                }
                (ui::action_button(
                    viewer,
                    &format!("{action}/delete"),
                    &t(Msg::UiRolesDelete),
                    Some(&t(Msg::UiRolesConfirmDelete { role: role.name.clone(), users: holders })),
                    "danger",
                ))
            }
        }
        @if let Some(preview) = preview {
            (preview_table(viewer, preview))
        }
        @if editable {
            form method="post" action=(action) {
                (ui::csrf(viewer))
                div.table-wrap { table {
                    thead { tr { th { (t(Msg::UiAdminPermission)) } th { (t(Msg::UiAdminDescription)) } th { (t(Msg::UiAdminEffectiveScope)) } } }
                    tbody {
                        @for info in CATALOG {
                            @let chosen = grants.iter().find(|g| g.permission == info.name).map(|g| g.scope);
                            @let id = field(info.name);
                            tr {
                                td { label for=(id) { code { (info.name) } } }
                                td.muted { (info.describe(viewer.reader.locale)) }
                                td {
                                    select id=(id) name=(id) {
                                        option value="" { (t(Msg::UiNone)) }
                                        @for scope in SCOPES {
                                            option value=(scope.to_string()) selected[chosen == Some(scope)] { (scope_label(viewer, scope)) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                } }
                div.toolbar {
                    button type="submit" formaction={ (action) "/preview" } { (t(Msg::UiAdminPreview)) }
                    button.primary type="submit" { (t(Msg::UiSave)) }
                }
            }
        } @else {
            (grant_list(viewer, grants))
        }
    };
    console::html_page(layout::page(viewer, Some(Nav::Roles), &role.name, body))
}

fn grant_list(viewer: &Viewer, grants: &[Grant]) -> Markup {
    html! {
        @if grants.is_empty() {
            p.empty { (viewer.t(Msg::UiNone)) }
        } @else {
            div.table-wrap { table {
                thead { tr { th { (viewer.t(Msg::UiAdminPermission)) } th { (viewer.t(Msg::UiAdminEffectiveScope)) } } }
                tbody {
                    @for grant in grants {
                        tr { td { code { (grant.permission) } } td { (scope_label(viewer, grant.scope)) } }
                    }
                }
            } }
        }
    }
}

fn preview_table(viewer: &Viewer, preview: &Preview) -> Markup {
    let t = |m: Msg| viewer.t(m);
    let scope = |s: Option<Scope>| s.map_or_else(|| t(Msg::UiNone), |s| scope_label(viewer, s));
    html! {
        section.preview aria-labelledby="preview-title" {
            h2 #preview-title { (t(Msg::UiAdminPreview)) }
            @if preview.shifts.is_empty() {
                p.empty { (t(Msg::UiAdminNoChanges)) }
            } @else {
                p { (t(Msg::UiAdminPreviewIntro { users: preview.holders })) }
                div.table-wrap { table {
                    thead { tr {
                        th { (t(Msg::UiAdminPermission)) } th { (t(Msg::UiAdminFromTo)) }
                        th.num { (t(Msg::UiAdminGain)) } th.num { (t(Msg::UiAdminLose)) } th.num { (t(Msg::UiAdminRescope)) }
                    } }
                    tbody {
                        @for shift in &preview.shifts {
                            tr data-permission=(shift.permission) {
                                td { code { (shift.permission) } }
                                td { (scope(shift.before)) " → " (scope(shift.after)) }
                                td.num.gain { (ui::count(shift.gain)) }
                                td.num.lose { (ui::count(shift.lose)) }
                                td.num.rescope { (ui::count(shift.rescope)) }
                            }
                        }
                    }
                } }
                p.muted { (t(Msg::UiAdminPreviewNote)) }
            }
        }
    }
}

/// The grants a role form sends, one select per permission of the catalog.
fn grants_sent(fields: &[(String, String)]) -> Result<Vec<Grant>, ConsoleError> {
    let mut grants = Vec::new();
    for info in CATALOG {
        let key = field(info.name);
        let value = fields.iter().find(|(k, _)| *k == key).map_or("", |(_, v)| v.as_str());
        if value.is_empty() || value == "none" {
            continue;
        }
        let scope = value.parse().map_err(|_| {
            DomainError::invalid(
                format!("/grants/{}", info.name),
                Msg::OneOf {
                    values: ["none", "own", "team", "all"].map(str::to_owned).to_vec(),
                },
            )
        })?;
        grants.push(Grant {
            permission: info.name.to_owned(),
            scope,
        });
    }
    Ok(grants)
}

/// A custom role the viewer may change, or the 403 page (built-in roles
/// are read-only in the console, whatever is posted).
async fn editable(state: &AppState, viewer: &Viewer, name: &str) -> Result<RoleView, ConsoleError> {
    viewer.require::<perm::RolesWrite>()?;
    let role = find(state, name).await?;
    if role.builtin {
        return Err(ApiError::Forbidden(Msg::UiAdminBuiltinReadOnly { role: role.name }).into());
    }
    Ok(role)
}

/// `POST /console/roles/{name}/preview`: the form again, with what saving
/// it would change for the role's active holders. Changes nothing.
pub async fn preview(
    state: web::Data<AppState>,
    name: web::Path<String>,
    submitted: Submitted<serde::de::IgnoredAny>,
) -> Result<HttpResponse, ConsoleError> {
    let viewer = &submitted.viewer;
    let role = editable(&state, viewer, &name).await?;
    let grants = grants_sent(&submitted.fields)?;
    let preview = roles::preview(&state.db, role.id, &grants).await?;
    Ok(role_page(viewer, &role, &grants, preview.holders, Some(&preview)))
}

/// `POST /console/roles/{name}`: replaces the role's grants, as
/// `PUT /api/v1/roles/{id}` does (audited, within the viewer's own grants).
pub async fn save(
    state: web::Data<AppState>,
    name: web::Path<String>,
    submitted: Submitted<serde::de::IgnoredAny>,
) -> Result<HttpResponse, ConsoleError> {
    let viewer = &submitted.viewer;
    let role = editable(&state, viewer, &name).await?;
    let input = RoleInput {
        grants: Some(grants_sent(&submitted.fields)?),
        ..RoleInput::default()
    };
    roles::update(&state.db, &viewer.audit(), role.id, input, None).await?;
    console::done(
        &state,
        viewer,
        Msg::UiAdminRoleSaved,
        &format!("/console/roles/{}", role.name),
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct RenameForm {
    name: String,
}

/// `POST /console/roles/{name}/rename`: a custom role's new name, as
/// `PATCH /api/v1/roles/{id}` with `name` (the domain refuses a built-in
/// role and a name taken).
pub async fn rename(
    state: web::Data<AppState>,
    name: web::Path<String>,
    submitted: Submitted<RenameForm>,
) -> Result<HttpResponse, ConsoleError> {
    let viewer = &submitted.viewer;
    viewer.require::<perm::RolesWrite>()?;
    let role = find(&state, &name).await?;
    let input = RoleInput {
        name: Some(submitted.form.name.trim().to_owned()),
        ..RoleInput::default()
    };
    let renamed = roles::update(&state.db, &viewer.audit(), role.id, input, None).await?;
    console::done(
        &state,
        viewer,
        Msg::UiRolesRenamed,
        &format!("/console/roles/{}", renamed.name),
    )
    .await
}

/// `POST /console/roles/{name}/delete`: deletes a custom role, taking it
/// from its holders (the domain refuses a built-in role, or leaving no
/// administrator).
pub async fn delete(
    state: web::Data<AppState>,
    name: web::Path<String>,
    submitted: Submitted<serde::de::IgnoredAny>,
) -> Result<HttpResponse, ConsoleError> {
    let viewer = &submitted.viewer;
    viewer.require::<perm::RolesWrite>()?;
    let role = find(&state, &name).await?;
    roles::delete(&state.db, &viewer.audit(), role.id, None).await?;
    console::done(
        &state,
        viewer,
        Msg::UiRolesDeleted { role: role.name },
        "/console/roles",
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct EvaluateQuery {
    #[serde(default)]
    user: String,
    #[serde(default)]
    q: String,
}

/// How many users a search of the evaluation lists.
const FOUND: u64 = 20;

/// `GET /console/roles/evaluate?user={id}`: every permission with the
/// user's effective scope and the roles granting it.
pub async fn evaluate(
    viewer: Viewer,
    state: web::Data<AppState>,
    query: web::Query<EvaluateQuery>,
) -> Result<HttpResponse, ConsoleError> {
    viewer.require::<perm::RolesRead>()?;
    let users_scope = super::require_page(&viewer, Nav::Users)?;
    let db = &state.db;
    let picked = match id_field(&query.user, "/user")? {
        Some(id) => Some(accounts::get(db, &viewer.actor, users_scope, id).await?),
        None => None,
    };
    let found = if query.q.trim().is_empty() {
        Vec::new()
    } else {
        let filter = UserFilter {
            q: Some(query.q.clone()),
            ..UserFilter::default()
        };
        let page = PageRequest::new(Some(FOUND), None)?;
        accounts::list(db, &viewer.actor, users_scope, filter, page)
            .await?
            .items
    };
    let held_roles: Vec<RoleView> = match &picked {
        Some(user) => roles::list(db)
            .await?
            .into_iter()
            .filter(|r| user.roles.contains(&r.name))
            .collect(),
        None => Vec::new(),
    };
    let effective = Grants::from_pairs(
        held_roles
            .iter()
            .flat_map(|r| r.grants.iter().map(|g| (g.permission.clone(), g.scope))),
    );
    let t = |m: Msg| viewer.t(m);
    let body = html! {
        form.filters method="get" action="/console/roles/evaluate" role="search" {
            label { (t(Msg::UiAdminSearchUsers)) input type="search" name="q" value=(query.q); }
            button.primary type="submit" { (t(Msg::UiSearch)) }
        }
        @if !query.q.trim().is_empty() {
            @if found.is_empty() {
                p.empty { (t(Msg::UiAdminNoMatch)) }
            } @else {
                h2 { (t(Msg::UiAdminPickUser)) }
                ul {
                    @for user in &found {
                        li { a href={ "/console/roles/evaluate?user=" (user.id) } { (user.name) " <" (user.email) ">" } }
                    }
                }
            }
        }
        @if let Some(user) = &picked {
            h2 { a href={ "/console/users/" (user.id) } { (user.name) } " <" (user.email) "> · " (user.roles.join(", ")) }
            @if user.status != entities::users::UserStatus::Active {
                p.form-problem role="status" { (t(Msg::UiAdminEvaluateDisabled)) }
            }
            p { (t(Msg::UiAdminEvaluateIntro { held: effective.iter().count() as u64, total: CATALOG.len() as u64 })) }
            div.table-wrap { table {
                thead { tr { th { (t(Msg::UiAdminPermission)) } th { (t(Msg::UiAdminEffectiveScope)) } th { (t(Msg::UiAdminGrantedBy)) } } }
                tbody {
                    @for info in CATALOG {
                        @let scope = effective.scope(info.name);
                        tr class=[scope.is_none().then_some("not-held")] data-permission=(info.name) {
                            td { code { (info.name) } br; span.muted { (info.describe(viewer.reader.locale)) } }
                            td.scope {
                                @match scope {
                                    Some(scope) => { (scope_label(&viewer, scope)) }
                                    None => { span.muted { (t(Msg::UiAdminNotHeld)) } }
                                }
                            }
                            td.granted-by {
                                @for (i, role) in held_roles.iter().filter_map(|r| granted(r, info.name).map(|s| (r, s))).enumerate() {
                                    @if i > 0 { ", " }
                                    a href={ "/console/roles/" (role.0.name) } { (role.0.name) } " (" (scope_label(&viewer, role.1)) ")"
                                }
                            }
                        }
                    }
                }
            } }
        }
    };
    Ok(console::html_page(layout::page(
        &viewer,
        Some(Nav::Roles),
        &t(Msg::UiAdminEvaluate),
        body,
    )))
}
