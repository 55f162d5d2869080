//! The permission catalog and record scopes. A permission is
//! `resource:action`; a role grants it with a scope saying which records it
//! reaches: `own` (the caller's), `team` (the caller's teams, and the teams
//! the caller manages) or `all`. Holding a permission through several roles
//! gives the widest scope.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::platform::text::Msg;

/// Which records a grant reaches, as stored with each grant.
pub use entities::role_permissions::Scope;

/// One entry of the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PermissionInfo {
    pub name: &'static str,
    pub description: &'static str,
}

/// Every permission the service checks. Adding an endpoint that needs a new
/// permission means adding it here (and granting it in a migration).
pub const CATALOG: &[PermissionInfo] = &[
    PermissionInfo {
        name: "users:read",
        description: "Read staff accounts",
    },
    PermissionInfo {
        name: "users:write",
        description: "Create, change and disable staff accounts and their roles",
    },
    PermissionInfo {
        name: "roles:read",
        description: "Read roles and the permission catalog",
    },
    PermissionInfo {
        name: "roles:write",
        description: "Create, change and delete roles and their grants",
    },
    PermissionInfo {
        name: "regions:read",
        description: "Read regions",
    },
    PermissionInfo {
        name: "regions:write",
        description: "Create, rename and delete regions",
    },
    PermissionInfo {
        name: "teams:read",
        description: "Read teams",
    },
    PermissionInfo {
        name: "teams:write",
        description: "Create, change and delete teams",
    },
    PermissionInfo {
        name: "api_clients:read",
        description: "Read partner API clients",
    },
    PermissionInfo {
        name: "api_clients:write",
        description: "Create, change, disable API clients and rotate their secrets",
    },
    PermissionInfo {
        name: "audit_log:read",
        description: "Read the audit log",
    },
    PermissionInfo {
        name: "customers:read",
        description: "Read customers (leads) and their progress",
    },
    PermissionInfo {
        name: "customers:write",
        description: "Create customers (push leads) and change them",
    },
    PermissionInfo {
        name: "customers:delete",
        description: "Delete customers",
    },
    PermissionInfo {
        name: "customers:assign",
        description: "Assign and reassign customers to consultants, pause consultants' lead intake",
    },
    PermissionInfo {
        name: "units:read",
        description: "Read units (listings)",
    },
    PermissionInfo {
        name: "units:write",
        description: "Create and change units",
    },
    PermissionInfo {
        name: "deals:read",
        description: "Read deals, their stages and after-sales records",
    },
    PermissionInfo {
        name: "deals:write",
        description: "Create deals, move their stages, record inspection, handover and visits",
    },
    PermissionInfo {
        name: "complaints:read",
        description: "Read complaints",
    },
    PermissionInfo {
        name: "complaints:write",
        description: "Record and resolve complaints",
    },
    PermissionInfo {
        name: "targets:read",
        description: "Read sales targets",
    },
    PermissionInfo {
        name: "targets:write",
        description: "Set sales targets for regions and teams",
    },
    PermissionInfo {
        name: "trainings:read",
        description: "Read trainings and their attendance",
    },
    PermissionInfo {
        name: "trainings:write",
        description: "Record trainings, attendance and exam results",
    },
    PermissionInfo {
        name: "customer_events:read",
        description: "Read customer events and invitations",
    },
    PermissionInfo {
        name: "customer_events:write",
        description: "Organise customer events, invite customers, record attendance",
    },
    PermissionInfo {
        name: "kpis:read",
        description: "Read performance figures",
    },
    PermissionInfo {
        name: "sla_policies:read",
        description: "Read SLA policies",
    },
    PermissionInfo {
        name: "sla_policies:write",
        description: "Change SLA policies (each change is a new version)",
    },
    PermissionInfo {
        name: "sla_breaches:read",
        description: "Read SLA breaches",
    },
    PermissionInfo {
        name: "webhooks:read",
        description: "Read webhook subscriptions and their delivery log",
    },
    PermissionInfo {
        name: "webhooks:write",
        description: "Subscribe to webhook events, change subscriptions, re-deliver",
    },
    PermissionInfo {
        name: "award_rules:read",
        description: "Read the Sales Star award rules",
    },
    PermissionInfo {
        name: "award_rules:write",
        description: "Change the Sales Star award rules",
    },
    PermissionInfo {
        name: "awards:read",
        description: "Read Sales Star award runs and their rankings",
    },
    PermissionInfo {
        name: "awards:write",
        description: "Run the Sales Star award on demand",
    },
    PermissionInfo {
        name: "routing_rules:read",
        description: "Read the lead routing rules",
    },
    PermissionInfo {
        name: "routing_rules:write",
        description: "Create, change, reorder and delete the lead routing rules",
    },
    PermissionInfo {
        name: "queues:read",
        description: "Read job queues, workers and timers",
    },
    PermissionInfo {
        name: "queues:write",
        description: "Retry, delete, run, pause and resume jobs and queues",
    },
    PermissionInfo {
        name: "approvals:read",
        description: "Read sales policy and marketing plan approval requests",
    },
    PermissionInfo {
        name: "approvals:write",
        description: "Submit sales policies and marketing plans for approval, withdraw them",
    },
    PermissionInfo {
        name: "approvals:decide",
        description: "Approve or reject sales policies and marketing plans",
    },
    PermissionInfo {
        name: "bonuses:read",
        description: "Read bonus pools and their lines (own: the caller's line of published pools)",
    },
    PermissionInfo {
        name: "bonuses:manage",
        description: "Set the bonus rules and pools, compute and publish pools",
    },
    PermissionInfo {
        name: "reports:read",
        description: "Read teams' daily and weekly reports (sales against target, SLA compliance)",
    },
    PermissionInfo {
        name: "churn:read",
        description: "Read the churn analysis: lost customers by reason, channel, stage and consultant",
    },
    PermissionInfo {
        name: "projects:read",
        description: "Read the projects' selling points and competitor notes",
    },
    PermissionInfo {
        name: "projects:write",
        description: "Write the projects' selling points and competitor notes",
    },
    PermissionInfo {
        name: "feedback:read",
        description: "Read customer feedback (and, with scope own, the feedback routed to oneself)",
    },
    PermissionInfo {
        name: "feedback:write",
        description: "Record customer feedback and resolve it",
    },
    PermissionInfo {
        name: "feedback:route",
        description: "Read and change the feedback routing table (category to department)",
    },
];

/// Whether `name` is in the catalog.
pub fn is_known(name: &str) -> bool {
    CATALOG.iter().any(|p| p.name == name)
}

/// The permissions that, each held with scope `all`, make an administrator:
/// whoever holds them manages every account and every role.
pub const ADMINISTRATOR: [&str; 2] = ["users:write", "roles:write"];

/// A grant that a caller's own grants do not cover: a permission it does
/// not hold, or holds with a narrower scope. Said in the client's terms by [`Msg`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uncovered {
    pub permission: String,
    pub scope: Scope,
    /// The scope the caller holds the permission with, if at all.
    pub held: Option<Scope>,
}

impl From<Uncovered> for Msg {
    fn from(uncovered: Uncovered) -> Self {
        let Uncovered {
            permission,
            scope,
            held,
        } = uncovered;
        let scope = scope.to_string();
        match held {
            None => Msg::UncoveredNotHeld { permission, scope },
            Some(held) => Msg::UncoveredNarrower {
                permission,
                scope,
                held: held.to_string(),
            },
        }
    }
}

/// What a caller may do: each permission with its widest scope.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Grants(BTreeMap<String, Scope>);

impl Grants {
    /// Merges grants from several roles, keeping the widest scope of each.
    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, Scope)>) -> Self {
        let mut grants = BTreeMap::new();
        for (permission, scope) in pairs {
            grants
                .entry(permission)
                .and_modify(|s: &mut Scope| *s = (*s).max(scope))
                .or_insert(scope);
        }
        Grants(grants)
    }

    /// The scope of `permission`, if granted.
    pub fn scope(&self, permission: &str) -> Option<Scope> {
        self.0.get(permission).copied()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, Scope)> {
        self.0.iter().map(|(p, s)| (p.as_str(), *s))
    }

    /// Whether these grants make an administrator (see [`ADMINISTRATOR`]).
    pub fn is_administrator(&self) -> bool {
        ADMINISTRATOR.iter().all(|p| self.scope(p) == Some(Scope::All))
    }

    /// The first of `wanted` that these grants do not cover, if any: what a
    /// caller may not grant, or a role it may not hand out, because it would
    /// reach further than the caller itself.
    pub fn first_uncovered<'a>(&self, wanted: impl IntoIterator<Item = (&'a str, Scope)>) -> Option<Uncovered> {
        wanted.into_iter().find_map(|(permission, scope)| {
            let held = self.scope(permission);
            (held < Some(scope)).then(|| Uncovered {
                permission: permission.to_owned(),
                scope,
                held,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::text::Reader;

    #[test]
    fn the_widest_scope_of_several_roles_wins() {
        let grants = Grants::from_pairs([
            ("users:read".to_owned(), Scope::Own),
            ("users:read".to_owned(), Scope::All),
            ("users:read".to_owned(), Scope::Team),
            ("teams:read".to_owned(), Scope::Team),
        ]);
        assert_eq!(grants.scope("users:read"), Some(Scope::All));
        assert_eq!(grants.scope("teams:read"), Some(Scope::Team));
        assert_eq!(grants.scope("roles:write"), None);
    }

    #[test]
    fn grants_cover_the_same_permissions_with_equal_or_narrower_scopes_only() {
        let caller = Grants::from_pairs([
            ("users:read".to_owned(), Scope::Team),
            ("roles:write".to_owned(), Scope::All),
        ]);
        let uncovered = |permission: &str, scope, held| {
            Some(Uncovered {
                permission: permission.to_owned(),
                scope,
                held,
            })
        };
        /// Wanted grants, and the first of them the caller lacks.
        type Case<'a> = (&'a [(&'a str, Scope)], Option<Uncovered>);
        let cases: [Case; 7] = [
            (&[], None),
            (&[("users:read", Scope::Own)], None),
            (&[("users:read", Scope::Team)], None),
            (&[("users:read", Scope::Team), ("roles:write", Scope::All)], None),
            (
                &[("users:read", Scope::All)],
                uncovered("users:read", Scope::All, Some(Scope::Team)),
            ),
            (
                &[("users:write", Scope::Own)],
                uncovered("users:write", Scope::Own, None),
            ),
            (
                &[
                    ("roles:write", Scope::Own),
                    ("kpis:read", Scope::Own),
                    ("users:write", Scope::All),
                ],
                uncovered("kpis:read", Scope::Own, None),
            ),
        ];
        for (wanted, expected) in cases {
            assert_eq!(caller.first_uncovered(wanted.iter().copied()), expected, "{wanted:?}");
        }
    }

    #[test]
    fn uncovered_grants_say_what_the_caller_lacks() {
        let wider = Uncovered {
            permission: "users:read".to_owned(),
            scope: Scope::All,
            held: Some(Scope::Team),
        };
        let missing = Uncovered {
            held: None,
            ..wider.clone()
        };
        assert_eq!(
            Msg::from(wider).to_string(),
            "users:read with scope all, and you hold users:read only with scope team"
        );
        assert_eq!(
            Msg::from(missing.clone()).render(&Reader::default()),
            "范围为 all 的 users:read，而您没有 users:read 权限"
        );
        assert_eq!(
            Msg::from(missing).to_string(),
            "users:read with scope all, and you do not hold users:read"
        );
    }

    #[test]
    fn administrators_hold_users_and_roles_write_on_all_records() {
        let grants = |pairs: &[(&str, Scope)]| Grants::from_pairs(pairs.iter().map(|(p, s)| ((*p).to_owned(), *s)));
        let cases: [(&[(&str, Scope)], bool); 4] = [
            (&[("users:write", Scope::All), ("roles:write", Scope::All)], true),
            (&[("users:write", Scope::All), ("roles:write", Scope::Team)], false),
            (&[("roles:write", Scope::All), ("roles:read", Scope::All)], false),
            (&[], false),
        ];
        for (pairs, expected) in cases {
            assert_eq!(grants(pairs).is_administrator(), expected, "{pairs:?}");
        }
    }

    #[test]
    fn scopes_parse_and_order() {
        assert_eq!("team".parse::<Scope>(), Ok(Scope::Team));
        assert_eq!(
            "everything".parse::<Scope>(),
            Err("unknown scope \"everything\": use own, team or all".to_owned())
        );
        assert!(Scope::Own < Scope::Team && Scope::Team < Scope::All);
    }

    #[test]
    fn catalog_names_are_unique_and_resource_action_shaped() {
        let mut names: Vec<_> = CATALOG.iter().map(|p| p.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), CATALOG.len());
        for name in names {
            let (resource, action) = name.split_once(':').expect("resource:action");
            assert!(
                !resource.is_empty() && !action.is_empty() && !action.contains(':'),
                "{name}"
            );
        }
    }
}
