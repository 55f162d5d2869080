//! The frame of every console page: the sidebar (only what the viewer's
//! permissions reach), the header with the language switch and sign-out,
//! the flash message, and the time zone named once per page.

use domain::{
    access::permissions::Scope,
    platform::text::{Locale, Msg, Reader},
};
use maud::{DOCTYPE, Markup, html};

use super::{ASSETS_VERSION, session::Viewer};

/// A page of the sidebar: where it is and the permission it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    Dashboard,
    Customers,
    Agenda,
    Queues,
    Timers,
    Periodic,
    SlaBreaches,
    Users,
    Teams,
    Roles,
    ApiClients,
    Webhooks,
    SlaPolicies,
    AwardRules,
    Audit,
    Health,
}

/// The sidebar's groups, in order.
const GROUPS: [(Msg, &[Nav]); 3] = [
    (
        Msg::UiNavGroupWork,
        &[Nav::Dashboard, Nav::Customers, Nav::Agenda, Nav::SlaBreaches],
    ),
    (
        Msg::UiNavGroupOperations,
        &[Nav::Queues, Nav::Timers, Nav::Periodic, Nav::Health],
    ),
    (
        Msg::UiNavGroupAdministration,
        &[
            Nav::Users,
            Nav::Teams,
            Nav::Roles,
            Nav::ApiClients,
            Nav::Webhooks,
            Nav::SlaPolicies,
            Nav::AwardRules,
            Nav::Audit,
        ],
    ),
];

impl Nav {
    /// Path, label and the permission that shows the entry.
    pub const fn entry(self) -> (&'static str, Msg, &'static str) {
        match self {
            Nav::Dashboard => ("/console/dashboard", Msg::UiNavDashboard, "kpis:read"),
            Nav::Customers => ("/console/customers", Msg::UiNavCustomers, "customers:read"),
            Nav::Agenda => ("/console/agenda", Msg::UiAgendaNav, "customers:read"),
            Nav::Queues => ("/console/queues", Msg::UiNavQueues, "queues:read"),
            Nav::Timers => ("/console/timers", Msg::UiNavTimers, "queues:read"),
            Nav::Periodic => ("/console/periodic", Msg::UiNavPeriodic, "queues:read"),
            Nav::SlaBreaches => ("/console/sla-breaches", Msg::UiNavSlaBreaches, "sla_breaches:read"),
            Nav::Users => ("/console/users", Msg::UiNavUsers, "users:read"),
            Nav::Teams => ("/console/teams", Msg::UiNavTeams, "teams:read"),
            Nav::Roles => ("/console/roles", Msg::UiNavRoles, "roles:read"),
            Nav::ApiClients => ("/console/api-clients", Msg::UiNavApiClients, "api_clients:read"),
            Nav::Webhooks => ("/console/webhooks", Msg::UiNavWebhooks, "webhooks:read"),
            Nav::SlaPolicies => ("/console/sla-policies", Msg::UiNavSlaPolicies, "sla_policies:read"),
            Nav::AwardRules => ("/console/award-rules", Msg::UiNavAwardRules, "award_rules:read"),
            Nav::Audit => ("/console/audit", Msg::UiNavAudit, "audit_log:read"),
            Nav::Health => ("/console/health", Msg::UiNavHealth, "queues:read"),
        }
    }

    /// The narrowest scope of the entry's permission that opens the page:
    /// the list of accounts is for those who reach more than their own
    /// (a consultant reads its own account through the API, not here).
    pub const fn least_scope(self) -> Scope {
        match self {
            Nav::Users => Scope::Team,
            _ => Scope::Own,
        }
    }

    /// Whether `viewer` may open this page.
    pub fn opens_for(self, viewer: &Viewer) -> bool {
        viewer.scope(self.entry().2).is_some_and(|s| s >= self.least_scope())
    }
}

/// The sidebar groups with the entries `viewer` may open.
pub fn visible(viewer: &Viewer) -> Vec<(Msg, Vec<Nav>)> {
    GROUPS
        .iter()
        .map(|(group, navs)| {
            let shown = navs.iter().copied().filter(|n| n.opens_for(viewer)).collect::<Vec<_>>();
            (group.clone(), shown)
        })
        .filter(|(_, navs)| !navs.is_empty())
        .collect()
}

/// A page of the console for `viewer`, `current` marked in the sidebar.
pub fn page(viewer: &Viewer, current: Option<Nav>, title: &str, body: Markup) -> Markup {
    let reader = &viewer.reader;
    let t = |m: Msg| m.render(reader);
    head(
        reader,
        title,
        html! {
            a.skip href="#main" { (t(Msg::UiSkipToContent)) }
            header.top {
                a.brand href="/console" { (t(Msg::UiConsole)) }
                details.menu {
                    summary { (t(Msg::UiMenu)) }
                    (sidebar(viewer, current))
                }
                div.who {
                    span { (t(Msg::UiSignedInAs { name: viewer.actor.name.clone() })) }
                    (switch(reader.locale, Some(viewer), None))
                    form method="post" action="/console/sign-out" {
                        input type="hidden" name="csrf" value=(viewer.session.csrf_token);
                        button.link type="submit" { (t(Msg::UiSignOut)) }
                    }
                }
            }
            div.shell {
                div.side { (sidebar(viewer, current)) }
                main #main {
                    h1 { (title) }
                    @if let Some(flash) = &viewer.session.flash {
                        p.flash role="status" { (flash) }
                    }
                    (body)
                    footer { (t(Msg::UiTimesIn { zone: zone_name(reader) })) }
                }
            }
        },
    )
}

/// A page without a session (sign-in, or an error before one): no sidebar;
/// its language links keep `next` (where the sign-in leads).
pub fn bare(reader: &Reader, title: &str, next: Option<&str>, body: Markup) -> Markup {
    head(
        reader,
        title,
        html! {
            header.top {
                a.brand href="/console" { (Msg::UiConsole.render(reader)) }
                div.who { (switch(reader.locale, None, next)) }
            }
            main #main .narrow {
                h1 { (title) }
                (body)
            }
        },
    )
}

fn head(reader: &Reader, title: &str, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(reader.locale.tag()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · " (Msg::UiConsole.render(reader)) }
                link rel="stylesheet" href={ "/console/assets/console.css?v=" (*ASSETS_VERSION) };
                script src={ "/console/assets/console.js?v=" (*ASSETS_VERSION) } defer {}
            }
            body { (content) }
        }
    }
}

fn sidebar(viewer: &Viewer, current: Option<Nav>) -> Markup {
    html! {
        nav aria-label=(viewer.t(Msg::UiMenu)) {
            @for (group, navs) in visible(viewer) {
                h2 { (viewer.t(group)) }
                ul {
                    @for nav in navs {
                        @let (href, label, _) = nav.entry();
                        li {
                            @if current == Some(nav) {
                                a href=(href) aria-current="page" { (viewer.t(label)) }
                            } @else {
                                a href=(href) { (viewer.t(label)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The language switch: a form per language (works without script); a
/// signed-in switch is kept in the session, the sign-in page's in the URL.
fn switch(current: Locale, viewer: Option<&Viewer>, next: Option<&str>) -> Markup {
    html! {
        div.lang role="group" aria-label="语言 / Language" {
            @for locale in Locale::ALL {
                @let name = match locale { Locale::ZhCn => "中文", Locale::En => "English" };
                @if locale == current {
                    span.on lang=(locale.tag()) aria-current="true" { (name) }
                } @else if let Some(viewer) = viewer {
                    form method="post" action="/console/language" {
                        input type="hidden" name="csrf" value=(viewer.session.csrf_token);
                        input type="hidden" name="locale" value=(locale.tag());
                        input type="hidden" name="back" value=(viewer.here);
                        button.link type="submit" lang=(locale.tag()) { (name) }
                    }
                } @else {
                    a href=(super::ui::query(&[("lang", locale.tag()), ("next", next.unwrap_or_default())]))
                        lang=(locale.tag()) { (name) }
                }
            }
        }
    }
}

/// `Asia/Shanghai (UTC+08:00)`: the business time zone, named once a page.
fn zone_name(reader: &Reader) -> String {
    let offset = chrono::Utc::now().with_timezone(&reader.tz).format("%:z");
    format!("{} (UTC{offset})", reader.tz.name())
}
