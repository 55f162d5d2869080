//! Roles and their grants. The regulation's roles are built in: they can be
//! re-granted but not renamed or deleted. No change may leave the service
//! without an active administrator (an active user who can manage both
//! accounts and roles everywhere): such a change is refused as a whole.
//!
//! Who may grant what: an administrator manages every role and every
//! assignment. Anyone else holding `roles:write` or `users:write` is a
//! delegate: it grants, and assigns or removes roles that grant, only what it
//! holds itself with no wider scope; it never changes a role it holds; and it
//! leaves the grants of built-in roles and the `admin` role to
//! administrators. The caller's grants are read inside the transaction of the
//! change, so a grant revoked a moment earlier counts.

use std::collections::BTreeSet;

use chrono::Utc;
use entities::{role_permissions, roles, user_roles, users};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
    RelationTrait, Set, TransactionTrait, sea_query::SelectStatement,
};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crate::platform::text::Msg;
use crate::{
    access::actor,
    access::audit::AuditContext,
    access::permissions::{self, ADMINISTRATOR, Grants, Scope},
    access::record::{self, Record},
    platform::error::{DomainError, FieldError},
    platform::version,
};

/// The built-in role of administrators.
pub const ADMIN_ROLE: &str = "admin";

/// The built-in role of support staff (loan, title-transfer and handover
/// paperwork): the only mark of who may be a deal's support, since none of
/// its permissions is its alone.
pub const SUPPORT_ROLE: &str = "support";

/// The built-in role of customer managers (客户经理): the mark of who
/// answers for a key account's revisits when they mark or revisit it.
pub const CUSTOMER_MANAGER_ROLE: &str = "customer_manager";

/// A role with its grants, as shown to administrators.
#[derive(Debug, Clone, Serialize)]
pub struct RoleView {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub builtin: bool,
    pub grants: Vec<Grant>,
}

/// One permission held with a scope.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
pub struct Grant {
    pub permission: String,
    pub scope: Scope,
}

/// Fields of a new role or a change to one; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct RoleInput {
    pub name: Option<String>,
    pub description: Option<String>,
    pub grants: Option<Vec<Grant>>,
}

/// How far a caller's say over roles and their holders reaches.
#[derive(Debug)]
enum Authority {
    /// The service itself (first start, the CLI, the demo) or an administrator.
    Full,
    /// Anyone else: only what its own grants cover, and no role it holds.
    Delegate { grants: Grants, roles: Vec<String> },
}

impl Authority {
    /// The authority of the caller behind `ctx`, read in `db` (the change's
    /// transaction). A context without a user or client is the service itself.
    async fn of(db: &impl ConnectionTrait, ctx: &AuditContext) -> Result<Authority, DomainError> {
        let caller = match (ctx.actor_user_id, ctx.actor_client_id) {
            (Some(user), _) => actor::load_user(db, user).await?,
            (None, Some(client)) => actor::load_client(db, client).await?,
            (None, None) => return Ok(Authority::Full),
        };
        let caller = caller.ok_or_else(|| DomainError::Forbidden(Msg::CallerInactive))?;
        Ok(if caller.grants.is_administrator() {
            Authority::Full
        } else {
            Authority::Delegate {
                grants: caller.grants,
                roles: caller.roles,
            }
        })
    }

    /// The first of `grants` this authority does not cover (none for full authority).
    fn beyond(&self, grants: &[Grant]) -> Option<permissions::Uncovered> {
        let Authority::Delegate { grants: own, .. } = self else {
            return None;
        };
        own.first_uncovered(grants.iter().map(|g| (g.permission.as_str(), g.scope)))
    }

    /// Refuses granting anything the caller's own grants do not cover.
    fn may_grant(&self, grants: &[Grant]) -> Result<(), DomainError> {
        match self.beyond(grants) {
            None => Ok(()),
            Some(uncovered) => Err(DomainError::Forbidden(Msg::GrantOnlyHeld {
                uncovered: Box::new(uncovered.into()),
            })),
        }
    }

    /// Refuses assigning, removing or changing (`refusal`, the message
    /// with the role and what it grants beyond the caller) a role that
    /// grants anything the caller's own grants do not cover.
    fn may_hand_out(&self, role: &RoleView, refusal: fn(String, Box<Msg>) -> Msg) -> Result<(), DomainError> {
        match self.beyond(&role.grants) {
            None => Ok(()),
            Some(uncovered) => Err(DomainError::Forbidden(refusal(
                role.name.clone(),
                Box::new(uncovered.into()),
            ))),
        }
    }

    /// Refuses any change to `role` (its name, description or grants, or
    /// its deletion) that the caller may not make: to a role it holds, to the
    /// `admin` role, to the grants of a built-in role, to a role granting more
    /// than the caller holds, or to grants (`new_grants`) beyond its own.
    fn may_change(&self, role: &RoleView, new_grants: Option<&[Grant]>) -> Result<(), DomainError> {
        let Authority::Delegate { roles, .. } = self else {
            return Ok(());
        };
        if roles.contains(&role.name) {
            return Err(DomainError::Forbidden(Msg::CannotChangeOwnRole {
                role: role.name.clone(),
            }));
        }
        if role.name == ADMIN_ROLE {
            return Err(DomainError::Forbidden(Msg::OnlyAdministratorsRole {
                role: ADMIN_ROLE.to_owned(),
            }));
        }
        let regranted =
            new_grants.is_some_and(|new| new.iter().collect::<BTreeSet<_>>() != role.grants.iter().collect());
        if role.builtin && regranted {
            return Err(DomainError::Forbidden(Msg::OnlyAdministratorsGrants {
                role: role.name.clone(),
            }));
        }
        self.may_hand_out(role, |role, uncovered| Msg::CannotChangeRole { role, uncovered })?;
        new_grants.map_or(Ok(()), |new| self.may_grant(new))
    }
}

/// Refuses (403) role assignments the caller behind `ctx` may not make:
/// assigning or removing a role that grants more than the caller holds. Call
/// inside the transaction of the change, with the roles it adds and removes.
pub(crate) async fn check_assignment(
    db: &impl ConnectionTrait,
    ctx: &AuditContext,
    added: &[roles::Model],
    removed: &[roles::Model],
) -> Result<(), DomainError> {
    let authority = Authority::of(db, ctx).await?;
    if matches!(authority, Authority::Full) {
        return Ok(());
    }
    let changed = views(db, added.iter().chain(removed).cloned().collect()).await?;
    for (i, role) in changed.iter().enumerate() {
        let refusal: fn(String, Box<Msg>) -> Msg = if i < added.len() {
            |role, uncovered| Msg::CannotAssignRole { role, uncovered }
        } else {
            |role, uncovered| Msg::CannotRemoveRole { role, uncovered }
        };
        authority.may_hand_out(role, refusal)?;
    }
    Ok(())
}

fn check(input: &RoleInput, creating: bool) -> Result<(), DomainError> {
    let mut errors = Vec::new();
    match &input.name {
        Some(name) => {
            let valid = (2..=64).contains(&name.len())
                && name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                && name.as_bytes()[0].is_ascii_lowercase();
            if !valid {
                errors.push(FieldError::new("/name", Msg::RoleName));
            }
        }
        None if creating => errors.push(FieldError::new("/name", Msg::Required)),
        None => {}
    }
    if input.description.as_ref().is_some_and(|d| d.chars().count() > 500) {
        errors.push(FieldError::new("/description", Msg::AtMostChars { max: 500 }));
    }
    if let Some(grants) = &input.grants {
        let mut seen = BTreeSet::new();
        for (i, grant) in grants.iter().enumerate() {
            if !permissions::is_known(&grant.permission) {
                errors.push(FieldError::new(
                    format!("/grants/{i}/permission"),
                    Msg::UnknownPermissionSeeList {
                        permission: format!("{:?}", grant.permission),
                    },
                ));
            } else if !seen.insert(grant.permission.as_str()) {
                errors.push(FieldError::new(format!("/grants/{i}/permission"), Msg::GrantedTwice));
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(DomainError::Validation(errors))
    }
}

async fn view(db: &impl ConnectionTrait, role: roles::Model) -> Result<RoleView, DomainError> {
    let grants = grants_of(db, [role.id]).await?;
    Ok(role_view(role, &grants))
}

/// The grant rows of the roles `ids`, by permission (one query).
async fn grants_of(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = Uuid>,
) -> Result<Vec<role_permissions::Model>, DomainError> {
    Ok(role_permissions::Entity::find()
        .filter(role_permissions::Column::RoleId.is_in(ids))
        .order_by_asc(role_permissions::Column::Permission)
        .all(db)
        .await?)
}

/// `role` with its grants among the rows `grants`.
fn role_view(role: roles::Model, grants: &[role_permissions::Model]) -> RoleView {
    RoleView {
        grants: grants
            .iter()
            .filter(|g| g.role_id == role.id)
            .map(|g| Grant {
                permission: g.permission.clone(),
                scope: g.scope,
            })
            .collect(),
        id: role.id,
        name: role.name,
        description: role.description,
        builtin: role.builtin,
    }
}

impl Record for RoleView {
    type Entity = roles::Entity;
    const NAME: Msg = Msg::NounRole;
    const AUDITED: &'static str = "role";
    fn audit_json(&self) -> serde_json::Value {
        json!({"name": self.name, "description": self.description, "grants": self.grants})
    }
}

/// Every role, by name, with its grants (two queries in all).
pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<RoleView>, DomainError> {
    let roles = roles::Entity::find().order_by_asc(roles::Column::Name).all(db).await?;
    let grants = role_permissions::Entity::find()
        .order_by_asc(role_permissions::Column::Permission)
        .all(db)
        .await?;
    Ok(roles.into_iter().map(|role| role_view(role, &grants)).collect())
}

/// `roles`, in their order, with their grants (one query).
async fn views(db: &impl ConnectionTrait, roles: Vec<roles::Model>) -> Result<Vec<RoleView>, DomainError> {
    if roles.is_empty() {
        return Ok(Vec::new());
    }
    let grants = grants_of(db, roles.iter().map(|role| role.id)).await?;
    Ok(roles.into_iter().map(|role| role_view(role, &grants)).collect())
}

/// The ids of the accounts holding the role `name`, as a subquery.
pub fn holders(name: &str) -> SelectStatement {
    user_roles::Entity::find()
        .select_only()
        .column(user_roles::Column::UserId)
        .inner_join(roles::Entity)
        .filter(roles::Column::Name.eq(name))
        .into_query()
}

/// The ids of the accounts holding `permission` through any of their roles, as a subquery.
pub fn holders_of(permission: &str) -> SelectStatement {
    user_roles::Entity::find()
        .select_only()
        .column(user_roles::Column::UserId)
        .filter(
            user_roles::Column::RoleId.in_subquery(
                role_permissions::Entity::find()
                    .select_only()
                    .column(role_permissions::Column::RoleId)
                    .filter(role_permissions::Column::Permission.eq(permission))
                    .into_query(),
            ),
        )
        .into_query()
}

/// A role's name already in use: the unique name refused the write.
fn name_taken(error: sea_orm::DbErr) -> DomainError {
    match DomainError::from(error) {
        DomainError::Conflict(_) => DomainError::Conflict(Msg::RoleNameTaken),
        other => other,
    }
}

/// The grants of role `id` to active accounts.
fn active_grants_of(id: Uuid) -> sea_orm::Select<user_roles::Entity> {
    user_roles::Entity::find()
        .inner_join(users::Entity)
        .filter(user_roles::Column::RoleId.eq(id))
        .filter(users::Column::Status.eq(users::UserStatus::Active))
}

/// How many active accounts hold role `id` (one SQL count): what deleting
/// or renaming the role touches.
pub async fn active_holders(db: &impl ConnectionTrait, id: Uuid) -> Result<u64, DomainError> {
    use sea_orm::PaginatorTrait;
    Ok(active_grants_of(id).count(db).await?)
}

pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> Result<RoleView, DomainError> {
    let role = record::find_by_id::<RoleView>(db, id).await?;
    view(db, role).await
}

pub async fn create(db: &impl TransactionTrait, ctx: &AuditContext, input: RoleInput) -> Result<RoleView, DomainError> {
    check(&input, true)?;
    let txn = crate::platform::db::begin_write(db).await?;
    Authority::of(&txn, ctx)
        .await?
        .may_grant(input.grants.as_deref().unwrap_or_default())?;
    let now = Utc::now();
    let role = roles::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(input.name.clone().unwrap_or_default()),
        description: Set(input.description.clone().unwrap_or_default()),
        builtin: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await
    .map_err(name_taken)?;
    replace_grants(&txn, role.id, input.grants.as_deref().unwrap_or_default()).await?;
    let created = view(&txn, role).await?;
    record::commit_created(txn, ctx, &created, created.id).await?;
    Ok(created)
}

/// Changes a role; with `if_match`, only if the role still has that ETag.
pub async fn update(
    db: &impl TransactionTrait,
    ctx: &AuditContext,
    id: Uuid,
    input: RoleInput,
    if_match: Option<&str>,
) -> Result<RoleView, DomainError> {
    check(&input, false)?;
    let txn = crate::platform::db::begin_write(db).await?;
    let role = record::find_by_id::<RoleView>(&txn, id).await?;
    let before = view(&txn, role.clone()).await?;
    version::check(if_match, &before)?;
    Authority::of(&txn, ctx)
        .await?
        .may_change(&before, input.grants.as_deref())?;
    if role.builtin && input.name.as_ref().is_some_and(|n| *n != role.name) {
        return Err(DomainError::Rule {
            code: "builtin_role",
            detail: Msg::BuiltinRoleRename { role: role.name },
        });
    }
    let mut active: roles::ActiveModel = role.into();
    if let Some(name) = input.name {
        active.name = Set(name);
    }
    if let Some(description) = input.description {
        active.description = Set(description);
    }
    active.updated_at = Set(Utc::now());
    let role = active.update(&txn).await.map_err(name_taken)?;
    if let Some(grants) = &input.grants {
        replace_grants(&txn, id, grants).await?;
    }
    ensure_an_administrator_remains(&txn).await?;
    let after = view(&txn, role).await?;
    record::commit_changed(txn, ctx, "update", id, &before, &after).await?;
    Ok(after)
}

/// Deletes a role (not a built-in one); with `if_match`, only if the role still has that ETag.
pub async fn delete(
    db: &impl TransactionTrait,
    ctx: &AuditContext,
    id: Uuid,
    if_match: Option<&str>,
) -> Result<(), DomainError> {
    let txn = crate::platform::db::begin_write(db).await?;
    let role = record::find_by_id::<RoleView>(&txn, id).await?;
    let before = view(&txn, role.clone()).await?;
    version::check(if_match, &before)?;
    Authority::of(&txn, ctx).await?.may_change(&before, None)?;
    if role.builtin {
        return Err(DomainError::Rule {
            code: "builtin_role",
            detail: Msg::BuiltinRoleDelete { role: role.name },
        });
    }
    roles::Entity::delete_by_id(id).exec(&txn).await?;
    ensure_an_administrator_remains(&txn).await?;
    record::commit_deleted(txn, ctx, id, &before).await
}

/// What a change of one permission of a role does to the role's active
/// holders, each of whom keeps the widest scope any of its roles grants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GrantShift {
    pub permission: String,
    /// The role's own grant before and after the change.
    pub before: Option<Scope>,
    pub after: Option<Scope>,
    /// Active holders who come to hold the permission, no longer hold it,
    /// or hold it with another scope.
    pub gain: u64,
    pub lose: u64,
    pub rescope: u64,
}

/// What a change of a role's grants would do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Preview {
    /// The role's active holders.
    pub holders: u64,
    /// One entry per permission whose grant changes.
    pub shifts: Vec<GrantShift>,
}

/// What replacing the grants of role `id` with `grants` would change, per
/// changed permission, for the role's active holders (four queries,
/// however many holders). Changes nothing.
pub async fn preview(db: &impl ConnectionTrait, id: Uuid, grants: &[Grant]) -> Result<Preview, DomainError> {
    let role = record::find_by_id::<RoleView>(db, id).await?;
    let current = view(db, role).await?;
    let holders: Vec<Uuid> = active_grants_of(id)
        .select_only()
        .column(user_roles::Column::UserId)
        .into_tuple()
        .all(db)
        .await?;
    let elsewhere: Vec<(Uuid, String, Scope)> = user_roles::Entity::find()
        .select_only()
        .column(user_roles::Column::UserId)
        .column(role_permissions::Column::Permission)
        .column(role_permissions::Column::Scope)
        .join(sea_orm::JoinType::InnerJoin, user_roles::Relation::Role.def())
        .join(sea_orm::JoinType::InnerJoin, roles::Relation::RolePermissions.def())
        .filter(user_roles::Column::UserId.is_in(holders.clone()))
        .filter(user_roles::Column::RoleId.ne(id))
        .into_tuple()
        .all(db)
        .await?;
    let mut others: std::collections::BTreeMap<Uuid, Vec<(String, Scope)>> =
        holders.iter().map(|u| (*u, Vec::new())).collect();
    for (user, permission, scope) in elsewhere {
        others.entry(user).or_default().push((permission, scope));
    }
    let others: Vec<Grants> = others.into_values().map(Grants::from_pairs).collect();
    Ok(Preview {
        holders: others.len() as u64,
        shifts: shifts(&current.grants, grants, &others),
    })
}

/// The shifts of changing a role's grants from `old` to `new` for holders
/// whose other roles grant `others` (one entry per holder).
fn shifts(old: &[Grant], new: &[Grant], others: &[Grants]) -> Vec<GrantShift> {
    let scope_in = |list: &[Grant], p: &str| list.iter().find(|g| g.permission == p).map(|g| g.scope);
    let changed: BTreeSet<&str> = old
        .iter()
        .chain(new)
        .map(|g| g.permission.as_str())
        .filter(|p| scope_in(old, p) != scope_in(new, p))
        .collect();
    changed
        .into_iter()
        .map(|permission| {
            let (before, after) = (scope_in(old, permission), scope_in(new, permission));
            let mut shift = GrantShift {
                permission: permission.to_owned(),
                before,
                after,
                gain: 0,
                lose: 0,
                rescope: 0,
            };
            for grants in others {
                let elsewhere = grants.scope(permission);
                match (elsewhere.max(before), elsewhere.max(after)) {
                    (None, Some(_)) => shift.gain += 1,
                    (Some(_), None) => shift.lose += 1,
                    (Some(a), Some(b)) if a != b => shift.rescope += 1,
                    _ => {}
                }
            }
            shift
        })
        .collect()
}

async fn replace_grants(db: &impl ConnectionTrait, role_id: Uuid, grants: &[Grant]) -> Result<(), DomainError> {
    role_permissions::Entity::delete_many()
        .filter(role_permissions::Column::RoleId.eq(role_id))
        .exec(db)
        .await?;
    for grant in grants {
        role_permissions::ActiveModel {
            role_id: Set(role_id),
            permission: Set(grant.permission.clone()),
            scope: Set(grant.scope),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// Refuses (with `last_administrator`) a state in which no active user holds
/// every administrator permission with scope `all`. Call inside the
/// transaction of the change, after applying it.
pub async fn ensure_an_administrator_remains(db: &impl ConnectionTrait) -> Result<(), DomainError> {
    let mut holders: Option<BTreeSet<Uuid>> = None;
    for permission in ADMINISTRATOR {
        let users: BTreeSet<Uuid> = user_roles::Entity::find()
            .select_only()
            .column(user_roles::Column::UserId)
            .inner_join(users::Entity)
            .join(sea_orm::JoinType::InnerJoin, user_roles::Relation::Role.def())
            .join(sea_orm::JoinType::InnerJoin, roles::Relation::RolePermissions.def())
            .filter(users::Column::Status.eq(users::UserStatus::Active))
            .filter(role_permissions::Column::Permission.eq(permission))
            .filter(role_permissions::Column::Scope.eq(Scope::All))
            .into_tuple()
            .all(db)
            .await?
            .into_iter()
            .collect();
        holders = Some(match holders {
            None => users,
            Some(previous) => previous.intersection(&users).copied().collect(),
        });
    }
    if holders.is_some_and(|h| !h.is_empty()) {
        Ok(())
    } else {
        Err(DomainError::Rule {
            code: "last_administrator",
            detail: Msg::LastAdministrator,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(permission: &str, scope: Scope) -> Grant {
        Grant {
            permission: permission.to_owned(),
            scope,
        }
    }

    #[test]
    fn a_preview_counts_only_holders_whose_widest_scope_moves() {
        let none = Grants::default();
        let reads_all = Grants::from_pairs([("customers:read".to_owned(), Scope::All)]);
        let reads_own = Grants::from_pairs([("customers:read".to_owned(), Scope::Own)]);
        let old = [grant("customers:read", Scope::Team), grant("kpis:read", Scope::Own)];
        let new = [grant("kpis:read", Scope::Own), grant("units:read", Scope::All)];
        let shifts = shifts(&old, &new, &[none.clone(), reads_all, reads_own]);
        assert_eq!(
            shifts,
            vec![
                GrantShift {
                    permission: "customers:read".to_owned(),
                    before: Some(Scope::Team),
                    after: None,
                    gain: 0,
                    lose: 1,
                    rescope: 1,
                },
                GrantShift {
                    permission: "units:read".to_owned(),
                    before: None,
                    after: Some(Scope::All),
                    gain: 3,
                    lose: 0,
                    rescope: 0,
                },
            ]
        );
        assert!(super::shifts(&old, &old, &[none]).is_empty(), "no change, no shift");
    }
}
