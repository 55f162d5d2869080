//! Route handlers, one module per resource. Handlers stay thin: extract,
//! call `domain`, respond.
//!
//! Each handler is listed once, in [`PROBES`] or [`API`]; its
//! `#[utoipa::path]` says where it is served. The same table registers the
//! actix routes and gives the OpenAPI document its operations, so no
//! handler is served undocumented or documented unserved.

pub mod after_sales;
pub mod agenda;
pub mod api_clients;
pub mod approvals;
pub mod audit;
pub mod awards;
pub mod bonuses;
pub mod complaints;
pub mod customer_csv;
pub mod customer_events;
pub mod customers;
pub mod deal_details;
pub mod deals;
pub mod feedback;
pub mod follow_ups;
pub mod health;
pub mod kpis;
pub mod me;
pub mod notifications;
pub mod org;
pub mod probes;
pub mod project_briefs;
pub mod queues;
pub mod reports;
pub mod respond;
pub mod roles;
pub mod routing;
pub mod sla;
pub mod talent;
pub mod targets;
pub mod token;
pub mod trainings;
pub mod units;
pub mod users;
pub mod webhooks;

use std::sync::LazyLock;

use actix_web::{Route, http::Method, web};
use utoipa::openapi::{OpenApi, PathItem};

/// Turns handlers (`module::handler`, each with `#[utoipa::path]`) into
/// [`Operation`]s. Each gets a one-operation `OpenApi` derive, which is how
/// utoipa finds the path, method and schemas of a handler by its name.
macro_rules! operations {
    ($($module:ident :: $handler:ident),* $(,)?) => {
        &[$({
            #[derive(utoipa::OpenApi)]
            #[openapi(paths($module::$handler))]
            struct Documented;
            Operation {
                document: <Documented as utoipa::OpenApi>::openapi,
                route: |method| web::method(method).to($module::$handler),
            }
        }),*]
    };
}

/// Liveness, readiness and metrics, served at the root.
pub static PROBES: &[Operation] = operations![health::healthz, health::readyz, health::metrics];

/// Every operation under [`API_PREFIX`], each listed once. Where it is served
/// (path and method) is read from its `#[utoipa::path]`, so what is served
/// and what is documented cannot differ. Within a path, the order here is
/// the order of the `Allow` header of a 405.
pub static API: &[Operation] = operations![
    token::create_token,
    token::create_revocation,
    me::get_me,
    agenda::get_my_agenda,
    roles::list_permissions,
    roles::list_roles,
    roles::create_role,
    roles::get_role,
    roles::update_role,
    roles::delete_role,
    users::list_users,
    users::create_user,
    users::get_user,
    users::update_user,
    users::update_user_roles,
    audit::list_audit_log,
    customers::list_customers,
    customers::create_customer,
    customers::get_customer,
    customers::update_customer,
    customers::delete_customer,
    customers::create_customer_status_change,
    customers::create_customer_assignment,
    customers::create_customer_reassignment,
    customers::create_customer_merge,
    customers::get_customer_timeline,
    customers::update_lead_intake,
    customer_csv::create_customer_import,
    customer_csv::get_customer_export,
    routing::list_routing_rules,
    routing::create_routing_rule,
    routing::get_routing_rule,
    routing::update_routing_rule,
    routing::delete_routing_rule,
    follow_ups::list_follow_ups,
    follow_ups::create_follow_up,
    follow_ups::list_needs,
    follow_ups::create_needs,
    follow_ups::update_recommendation,
    units::list_units,
    units::create_unit,
    units::get_unit,
    units::update_unit,
    project_briefs::get_project_brief,
    project_briefs::update_project_brief,
    deals::list_deals,
    deals::create_deal,
    deals::get_deal,
    deals::update_deal,
    deals::create_deal_transition,
    deal_details::get_negotiation_plan,
    deal_details::update_negotiation_plan,
    deal_details::update_deal_loan,
    deal_details::update_deal_title_transfer,
    after_sales::list_inspection_issues,
    after_sales::create_inspection_issue,
    after_sales::update_inspection_issue,
    after_sales::get_handover_checklist,
    after_sales::update_handover_checklist_item,
    after_sales::get_handover,
    after_sales::create_handover,
    after_sales::list_visits,
    after_sales::create_visit,
    kpis::list_consultant_kpis,
    kpis::list_team_kpis,
    kpis::list_target_achievements,
    awards::get_award_rules,
    awards::update_award_rules,
    awards::list_award_runs,
    awards::create_award_run,
    awards::get_award_run,
    talent::get_talent_list,
    approvals::list_approvals,
    approvals::create_approval,
    approvals::get_approval,
    approvals::create_approval_decision,
    approvals::create_approval_withdrawal,
    bonuses::get_bonus_rules,
    bonuses::update_bonus_rules,
    bonuses::list_bonus_pools,
    bonuses::create_bonus_pool,
    bonuses::get_bonus_pool,
    bonuses::create_bonus_pool_computation,
    bonuses::create_bonus_pool_publication,
    feedback::create_feedback,
    feedback::list_feedback,
    feedback::get_feedback,
    feedback::create_feedback_resolution,
    feedback::get_feedback_routes,
    feedback::update_feedback_routes,
    complaints::list_complaints,
    complaints::create_complaint,
    complaints::get_complaint,
    complaints::update_complaint,
    targets::list_targets,
    targets::create_target,
    targets::get_target,
    targets::update_target,
    targets::delete_target,
    targets::get_target_plan,
    targets::create_target_split,
    trainings::list_trainings,
    trainings::create_training,
    trainings::get_training,
    trainings::update_training,
    trainings::update_training_attendee,
    trainings::delete_training_attendee,
    trainings::list_training_candidates,
    customer_events::list_customer_events,
    customer_events::create_customer_event,
    customer_events::get_customer_event,
    customer_events::update_customer_event,
    customer_events::list_event_invitations,
    customer_events::create_event_invitation,
    customer_events::get_event_invitation,
    customer_events::update_event_invitation,
    org::list_regions,
    org::create_region,
    org::get_region,
    org::update_region,
    org::delete_region,
    org::list_teams,
    org::create_team,
    org::get_team,
    org::update_team,
    org::delete_team,
    agenda::get_team_agenda,
    reports::get_team_report,
    reports::get_team_report_csv,
    reports::get_churn_report,
    api_clients::list_api_clients,
    api_clients::create_api_client,
    api_clients::get_api_client,
    api_clients::update_api_client,
    api_clients::create_api_client_secret,
    webhooks::list_webhooks,
    webhooks::create_webhook,
    webhooks::get_webhook,
    webhooks::update_webhook,
    webhooks::delete_webhook,
    webhooks::create_webhook_secret,
    webhooks::list_webhook_deliveries,
    webhooks::get_webhook_delivery,
    webhooks::create_webhook_redelivery,
    sla::list_sla_policies,
    sla::get_sla_policy,
    sla::update_sla_policy,
    sla::list_sla_breaches,
    sla::list_timers,
    notifications::list_notifications,
    notifications::create_notification_read,
    probes::create_queue_probe,
    probes::get_queue_probe,
    queues::list_queues,
    queues::get_queue,
    queues::list_queue_jobs,
    queues::delete_queue_job,
    queues::create_queue_job_retry,
    queues::create_queue_job_run,
    queues::create_queue_job_retries,
    queues::create_queue_job_runs,
    queues::create_queue_job_deletions,
    queues::create_queue_pause,
    queues::create_queue_resume,
    queues::list_workers,
];

/// The prefix of every path in [`API`], served as one actix scope.
pub const API_PREFIX: &str = "/api/v1";

/// Liveness, readiness and metrics: the whole HTTP face of a worker process.
pub fn configure_probes(cfg: &mut web::ServiceConfig) {
    for resource in PROBE_RESOURCES.iter() {
        cfg.service(resource.service(""));
    }
}

/// Every route of the service. Each path is one resource, so a request with
/// a method the path does not serve is 405 (with `Allow`), not 404.
pub fn configure(cfg: &mut web::ServiceConfig) {
    configure_probes(cfg);
    // The document itself is served but not described in itself.
    let mut scope = web::scope(API_PREFIX).service(web::resource("/openapi.json").get(crate::openapi::openapi_json));
    for resource in API_RESOURCES.iter() {
        scope = scope.service(resource.service(API_PREFIX));
    }
    cfg.service(scope);
}

/// Every operation served, for the OpenAPI document.
pub fn every_operation() -> impl Iterator<Item = &'static Operation> {
    PROBES.iter().chain(API)
}

/// One operation: a handler and its `#[utoipa::path]`, which says where it
/// is served. Written with [`operations!`].
#[derive(Debug, Clone, Copy)]
pub struct Operation {
    document: fn() -> OpenApi,
    route: fn(Method) -> Route,
}

impl Operation {
    /// The OpenAPI document of this operation alone: its path, its method
    /// and the schemas it uses.
    pub fn document(&self) -> OpenApi {
        (self.document)()
    }
}

static PROBE_RESOURCES: LazyLock<Vec<Resource>> = LazyLock::new(|| resources(PROBES));
static API_RESOURCES: LazyLock<Vec<Resource>> = LazyLock::new(|| resources(API));

/// One path and the operations served on it: one actix resource.
#[derive(Debug)]
struct Resource {
    path: String,
    routes: Vec<(Method, Operation)>,
}

impl Resource {
    /// The actix resource, its path relative to the scope at `prefix`.
    fn service(&self, prefix: &str) -> actix_web::Resource {
        let path = self.path.strip_prefix(prefix).unwrap_or(&self.path);
        self.routes
            .iter()
            .fold(web::resource(path), |resource, (method, operation)| {
                resource.route((operation.route)(method.clone()))
            })
    }
}

/// Groups operations by path, in the order actix must try them: where two
/// paths differ first, a fixed segment comes before a parameter, so that
/// `/customers/export` is not taken for `/customers/{id}`.
fn resources(operations: &[Operation]) -> Vec<Resource> {
    let mut resources: Vec<Resource> = Vec::new();
    for operation in operations {
        for (path, item) in operation.document().paths.paths {
            let routes = methods(&item).into_iter().map(|method| (method, *operation));
            match resources.iter_mut().find(|resource| resource.path == path) {
                Some(resource) => resource.routes.extend(routes),
                None => resources.push(Resource {
                    path,
                    routes: routes.collect(),
                }),
            }
        }
    }
    resources.sort_by_cached_key(|resource| {
        resource
            .path
            .split('/')
            .map(|segment| segment.starts_with('{'))
            .collect::<Vec<_>>()
    });
    resources
}

/// The methods a path item documents.
fn methods(item: &PathItem) -> Vec<Method> {
    [
        (&item.get, Method::GET),
        (&item.put, Method::PUT),
        (&item.post, Method::POST),
        (&item.delete, Method::DELETE),
        (&item.options, Method::OPTIONS),
        (&item.head, Method::HEAD),
        (&item.patch, Method::PATCH),
        (&item.trace, Method::TRACE),
    ]
    .into_iter()
    .filter(|(operation, _)| operation.is_some())
    .map(|(_, method)| method)
    .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeSet, HashSet};

    use actix_web::{App, http::header, test as actix_test};
    use utoipa::OpenApi as _;

    use super::*;
    use crate::openapi::ApiDoc;

    /// The documented paths and their methods, from the whole document.
    fn documented() -> Vec<(String, BTreeSet<String>)> {
        ApiDoc::openapi()
            .paths
            .paths
            .iter()
            .map(|(path, item)| (path.clone(), methods(item).iter().map(ToString::to_string).collect()))
            .collect()
    }

    #[actix_web::test]
    async fn every_documented_path_is_one_resource_serving_exactly_its_documented_methods() {
        let app = actix_test::init_service(App::new().configure(configure)).await;
        let documented = documented();
        assert_eq!(
            documented.iter().map(|(_, methods)| methods.len()).sum::<usize>(),
            every_operation().count(),
            "the document has the operations of the table"
        );
        for (path, methods) in documented {
            let uri = path
                .split('/')
                .map(|segment| if segment.starts_with('{') { "x" } else { segment })
                .collect::<Vec<_>>()
                .join("/");
            let request = actix_test::TestRequest::default()
                .method(Method::TRACE)
                .uri(&uri)
                .to_request();
            let response = actix_test::call_service(&app, request).await;
            assert_eq!(response.status(), 405, "TRACE {uri}");
            let allow = response
                .headers()
                .get(header::ALLOW)
                .and_then(|value| value.to_str().ok())
                .unwrap_or_default();
            let allowed: BTreeSet<String> = allow.split(", ").map(str::to_owned).collect();
            assert_eq!(allowed, methods, "the methods served at {path}");
        }
    }

    #[test]
    fn every_operation_has_its_own_path_and_method() {
        let mut seen = HashSet::new();
        for operation in every_operation() {
            let document = operation.document();
            let served: Vec<_> = document
                .paths
                .paths
                .iter()
                .flat_map(|(path, item)| methods(item).into_iter().map(move |method| (path.clone(), method)))
                .collect();
            assert_eq!(served.len(), 1, "one operation, one path and method: {served:?}");
            assert!(seen.insert(served[0].clone()), "listed twice: {:?}", served[0]);
        }
    }

    #[test]
    fn api_operations_are_under_the_prefix_and_probes_at_the_root() {
        for operation in API {
            for path in operation.document().paths.paths.keys() {
                assert!(path.starts_with(&format!("{API_PREFIX}/")), "{path}");
            }
        }
        for operation in PROBES {
            for path in operation.document().paths.paths.keys() {
                assert!(!path.starts_with(API_PREFIX), "{path}");
            }
        }
    }

    #[test]
    fn a_fixed_segment_is_tried_before_a_parameter() {
        let order: Vec<&str> = API_RESOURCES.iter().map(|resource| resource.path.as_str()).collect();
        let position = |path: &str| order.iter().position(|p| *p == path);
        assert!(position("/api/v1/customers/export") < position("/api/v1/customers/{id}"));
        assert!(position("/api/v1/customers/import") < position("/api/v1/customers/{id}"));
    }
}
