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
    /// The description in Chinese.
    pub zh: &'static str,
}

impl PermissionInfo {
    /// The description in `locale`.
    pub fn describe(&self, locale: crate::platform::text::Locale) -> &'static str {
        match locale {
            crate::platform::text::Locale::ZhCn => self.zh,
            crate::platform::text::Locale::En => self.description,
        }
    }
}

/// Every permission the service checks. Adding an endpoint that needs a new
/// permission means adding it here (and granting it in a migration).
pub const CATALOG: &[PermissionInfo] = &[
    PermissionInfo {
        name: "users:read",
        description: "Read staff accounts",
        zh: "查看员工账号",
    },
    PermissionInfo {
        name: "users:write",
        description: "Create, change and disable staff accounts and their roles",
        zh: "创建、修改和停用员工账号及其角色",
    },
    PermissionInfo {
        name: "roles:read",
        description: "Read roles and the permission catalog",
        zh: "查看角色和权限目录",
    },
    PermissionInfo {
        name: "roles:write",
        description: "Create, change and delete roles and their grants",
        zh: "创建、修改和删除角色及其授权",
    },
    PermissionInfo {
        name: "regions:read",
        description: "Read regions",
        zh: "查看区域",
    },
    PermissionInfo {
        name: "regions:write",
        description: "Create, rename and delete regions",
        zh: "创建、重命名和删除区域",
    },
    PermissionInfo {
        name: "teams:read",
        description: "Read teams",
        zh: "查看团队",
    },
    PermissionInfo {
        name: "teams:write",
        description: "Create, change and delete teams",
        zh: "创建、修改和删除团队",
    },
    PermissionInfo {
        name: "api_clients:read",
        description: "Read partner API clients",
        zh: "查看合作方接口客户端",
    },
    PermissionInfo {
        name: "api_clients:write",
        description: "Create, change, disable API clients and rotate their secrets",
        zh: "创建、修改、停用接口客户端并轮换其密钥",
    },
    PermissionInfo {
        name: "audit_log:read",
        description: "Read the audit log",
        zh: "查看审计日志",
    },
    PermissionInfo {
        name: "customers:read",
        description: "Read customers (leads) and their progress",
        zh: "查看客户（线索）及其进展",
    },
    PermissionInfo {
        name: "customers:write",
        description: "Create customers (push leads) and change them",
        zh: "创建客户（推送线索）并修改客户",
    },
    PermissionInfo {
        name: "customers:delete",
        description: "Delete customers",
        zh: "删除客户",
    },
    PermissionInfo {
        name: "customers:assign",
        description: "Assign and reassign customers to consultants, pause consultants' lead intake",
        zh: "分配和重新分配客户给顾问，暂停顾问接收线索",
    },
    PermissionInfo {
        name: "units:read",
        description: "Read units (listings)",
        zh: "查看房源",
    },
    PermissionInfo {
        name: "units:write",
        description: "Create and change units",
        zh: "创建和修改房源",
    },
    PermissionInfo {
        name: "deals:read",
        description: "Read deals, their stages and after-sales records",
        zh: "查看交易、交易阶段及售后记录",
    },
    PermissionInfo {
        name: "deals:write",
        description: "Create deals, move their stages, record inspection, handover and visits",
        zh: "创建交易、推进阶段，记录验房、交房和回访",
    },
    PermissionInfo {
        name: "complaints:read",
        description: "Read complaints",
        zh: "查看投诉",
    },
    PermissionInfo {
        name: "complaints:write",
        description: "Record and resolve complaints",
        zh: "记录和处理投诉",
    },
    PermissionInfo {
        name: "targets:read",
        description: "Read sales targets",
        zh: "查看销售目标",
    },
    PermissionInfo {
        name: "targets:write",
        description: "Set sales targets for regions and teams",
        zh: "为区域和团队制定销售目标",
    },
    PermissionInfo {
        name: "trainings:read",
        description: "Read trainings and their attendance",
        zh: "查看培训及出勤",
    },
    PermissionInfo {
        name: "trainings:write",
        description: "Record trainings, attendance and exam results",
        zh: "记录培训、出勤和考核成绩",
    },
    PermissionInfo {
        name: "customer_events:read",
        description: "Read customer events and invitations",
        zh: "查看客户活动及邀请",
    },
    PermissionInfo {
        name: "customer_events:write",
        description: "Organise customer events, invite customers, record attendance",
        zh: "组织客户活动、邀请客户、记录到场",
    },
    PermissionInfo {
        name: "kpis:read",
        description: "Read performance figures",
        zh: "查看业绩数据",
    },
    PermissionInfo {
        name: "sla_policies:read",
        description: "Read SLA policies",
        zh: "查看时限策略",
    },
    PermissionInfo {
        name: "sla_policies:write",
        description: "Change SLA policies (each change is a new version)",
        zh: "修改时限策略（每次修改生成新版本）",
    },
    PermissionInfo {
        name: "sla_breaches:read",
        description: "Read SLA breaches",
        zh: "查看时限违约",
    },
    PermissionInfo {
        name: "webhooks:read",
        description: "Read webhook subscriptions and their delivery log",
        zh: "查看 Webhook 订阅及投递记录",
    },
    PermissionInfo {
        name: "webhooks:write",
        description: "Subscribe to webhook events, change subscriptions, re-deliver",
        zh: "订阅 Webhook 事件、修改订阅、重新投递",
    },
    PermissionInfo {
        name: "award_rules:read",
        description: "Read the Sales Star award rules",
        zh: "查看销售之星评奖规则",
    },
    PermissionInfo {
        name: "award_rules:write",
        description: "Change the Sales Star award rules",
        zh: "修改销售之星评奖规则",
    },
    PermissionInfo {
        name: "awards:read",
        description: "Read Sales Star award runs and their rankings",
        zh: "查看销售之星评选及排名",
    },
    PermissionInfo {
        name: "awards:write",
        description: "Run the Sales Star award on demand",
        zh: "按需运行销售之星评选",
    },
    PermissionInfo {
        name: "routing_rules:read",
        description: "Read the lead routing rules",
        zh: "查看线索分配规则",
    },
    PermissionInfo {
        name: "routing_rules:write",
        description: "Create, change, reorder and delete the lead routing rules",
        zh: "创建、修改、排序和删除线索分配规则",
    },
    PermissionInfo {
        name: "queues:read",
        description: "Read job queues, workers and timers",
        zh: "查看任务队列、工作进程和定时器",
    },
    PermissionInfo {
        name: "queues:write",
        description: "Retry, delete, run, pause and resume jobs and queues",
        zh: "重试、删除、运行、暂停和恢复任务与队列",
    },
    PermissionInfo {
        name: "approvals:read",
        description: "Read sales policy and marketing plan approval requests",
        zh: "查看销售政策和营销方案的审批申请",
    },
    PermissionInfo {
        name: "approvals:write",
        description: "Submit sales policies and marketing plans for approval, withdraw them",
        zh: "提交销售政策和营销方案审批，撤回申请",
    },
    PermissionInfo {
        name: "approvals:decide",
        description: "Approve or reject sales policies and marketing plans",
        zh: "批准或驳回销售政策和营销方案",
    },
    PermissionInfo {
        name: "bonuses:read",
        description: "Read bonus pools and their lines (own: the caller's line of published pools)",
        zh: "查看奖金池及明细（本人：已发布奖金池中本人的明细）",
    },
    PermissionInfo {
        name: "bonuses:manage",
        description: "Set the bonus rules and pools, compute and publish pools",
        zh: "设置奖金规则和奖金池，计算并发布奖金池",
    },
    PermissionInfo {
        name: "reports:read",
        description: "Read teams' daily and weekly reports (sales against target, SLA compliance)",
        zh: "查看团队每日和每周汇报（销售对比目标、时限达成）",
    },
    PermissionInfo {
        name: "churn:read",
        description: "Read the churn analysis: lost customers by reason, channel, stage and consultant",
        zh: "查看客户流失分析：按原因、渠道、阶段和顾问统计的流失客户",
    },
    PermissionInfo {
        name: "projects:read",
        description: "Read the projects' selling points and competitor notes",
        zh: "查看项目卖点和竞品信息",
    },
    PermissionInfo {
        name: "projects:write",
        description: "Write the projects' selling points and competitor notes",
        zh: "编写项目卖点和竞品信息",
    },
    PermissionInfo {
        name: "feedback:read",
        description: "Read customer feedback (and, with scope own, the feedback routed to oneself)",
        zh: "查看客户反馈（范围为本人时：分派给本人的反馈）",
    },
    PermissionInfo {
        name: "feedback:write",
        description: "Record customer feedback and resolve it",
        zh: "记录并处理客户反馈",
    },
    PermissionInfo {
        name: "feedback:route",
        description: "Read and change the feedback routing table (category to department)",
        zh: "查看和修改反馈分派表（类别到部门）",
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
    fn every_permission_is_described_in_chinese_and_in_english() {
        use crate::platform::text::Locale;
        let han = |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c);
        for info in CATALOG {
            assert!(info.describe(Locale::ZhCn).chars().any(han), "{}", info.name);
            assert!(!info.describe(Locale::En).chars().any(han), "{}", info.name);
        }
    }

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
