//! People and access: staff accounts (`/console/users`), teams and regions
//! (`/console/teams`), the role × permission matrix with custom roles and a
//! preview of what a change does (`/console/roles`), and the evaluation of
//! one user's access (`/console/roles/evaluate`). Every read and change goes
//! through the same domain functions as the REST API, with the viewer's
//! scopes and the viewer as the audit log's actor.

mod roles;
mod teams;
mod users;

use actix_web::web::{self, ServiceConfig};
use domain::{access::permissions::Scope, platform::text::Msg};
use entities::users::UserStatus;
use uuid::Uuid;

use super::{error::ConsoleError, layout::Nav, session::Viewer};
use crate::{auth::Permission, error::ApiError};

/// The routes of people and access.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(web::resource("/users").get(users::list).post(users::create))
        .service(web::resource("/users/{id}").get(users::show).post(users::save))
        .service(web::resource("/users/{id}/status").post(users::set_status))
        .service(web::resource("/users/{id}/password").post(users::reset_password))
        .service(web::resource("/users/{id}/intake").post(users::set_intake))
        .service(web::resource("/teams").get(teams::list))
        .service(web::resource("/teams/regions").post(teams::create_region))
        .service(web::resource("/teams/regions/{id}").post(teams::rename_region))
        .service(web::resource("/teams/regions/{id}/delete").post(teams::delete_region))
        .service(web::resource("/teams/new").post(teams::create_team))
        .service(web::resource("/teams/{id}").post(teams::change_team))
        .service(web::resource("/teams/{id}/delete").post(teams::delete_team))
        .service(web::resource("/roles").get(roles::matrix).post(roles::create))
        .service(web::resource("/roles/evaluate").get(roles::evaluate))
        .service(web::resource("/roles/{name}").get(roles::show).post(roles::save))
        .service(web::resource("/roles/{name}/preview").post(roles::preview))
        .service(web::resource("/roles/{name}/rename").post(roles::rename))
        .service(web::resource("/roles/{name}/delete").post(roles::delete));
}

/// Permission `P` held on all records, or the 403 page: what the API asks
/// of account, team and region administration.
fn require_all<P: Permission>(viewer: &Viewer) -> Result<(), ConsoleError> {
    if viewer.require::<P>()? == Scope::All {
        Ok(())
    } else {
        Err(ApiError::Forbidden(Msg::NeedsAllRecords {
            permission: P::NAME.to_owned(),
        })
        .into())
    }
}

/// The scope of the permission that opens page `nav`, or the 403 page
/// when the viewer lacks it or holds it too narrowly (see [`Nav::least_scope`]).
fn require_page(viewer: &Viewer, nav: Nav) -> Result<Scope, ConsoleError> {
    let (_, _, permission) = nav.entry();
    match viewer.scope(permission) {
        Some(scope) if nav.opens_for(viewer) => Ok(scope),
        Some(_) => Err(ApiError::Forbidden(Msg::UiAdminNeedsWiderScope {
            permission: permission.to_owned(),
        })
        .into()),
        None => Err(ApiError::Forbidden(Msg::NeedsPermission {
            permission: permission.to_owned(),
        })
        .into()),
    }
}

/// Whether the viewer holds `permission` on all records (what shows a form).
fn holds_all(viewer: &Viewer, permission: &str) -> bool {
    viewer.scope(permission) == Some(Scope::All)
}

/// A scope in the viewer's words (本人/本团队/全部, own/team/all).
fn scope_label(viewer: &Viewer, scope: Scope) -> String {
    viewer.t(match scope {
        Scope::Own => Msg::UiAdminScopeOwn,
        Scope::Team => Msg::UiAdminScopeTeam,
        Scope::All => Msg::UiAdminScopeAll,
    })
}

/// An account's status in the viewer's words.
fn status_label(viewer: &Viewer, status: UserStatus) -> String {
    viewer.t(match status {
        UserStatus::Active => Msg::UiAdminStatusActive,
        UserStatus::Disabled => Msg::UiAdminStatusDisabled,
    })
}

/// An id field of a form or query: empty is none, anything else must be an id.
fn id_field(raw: &str, pointer: &str) -> Result<Option<Uuid>, ConsoleError> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    raw.trim()
        .parse()
        .map(Some)
        .map_err(|_| domain::DomainError::invalid(pointer, Msg::Required).into())
}
