//! Route handlers, one module per resource. Handlers stay thin: extract,
//! call `domain`, respond.

pub mod after_sales;
pub mod api_clients;
pub mod audit;
pub mod awards;
pub mod complaints;
pub mod customer_csv;
pub mod customer_events;
pub mod customers;
pub mod deals;
pub mod follow_ups;
pub mod health;
pub mod kpis;
pub mod me;
pub mod notifications;
pub mod org;
pub mod probes;
pub mod queues;
pub mod roles;
pub mod sla;
pub mod targets;
pub mod token;
pub mod trainings;
pub mod units;
pub mod users;
pub mod webhooks;

use actix_web::web;

/// Liveness, readiness and metrics: the whole HTTP face of a worker process.
pub fn configure_probes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/healthz").get(health::healthz))
        .service(web::resource("/readyz").get(health::readyz))
        .service(web::resource("/metrics").get(health::metrics));
}

/// Every route of the service. Each path is a resource, so a request with
/// a method the path does not serve is 405, not 404.
pub fn configure(cfg: &mut web::ServiceConfig) {
    configure_probes(cfg);
    cfg.service(
        web::scope("/api/v1")
            .service(web::resource("/openapi.json").get(crate::openapi::openapi_json))
            .service(web::resource("/auth/token").post(token::create_token))
            .service(web::resource("/auth/revoke").post(token::create_revocation))
            .service(web::resource("/me").get(me::get_me))
            .service(web::resource("/permissions").get(roles::list_permissions))
            .service(web::resource("/roles").get(roles::list_roles).post(roles::create_role))
            .service(
                web::resource("/roles/{id}")
                    .get(roles::get_role)
                    .patch(roles::update_role)
                    .delete(roles::delete_role),
            )
            .service(web::resource("/users").get(users::list_users).post(users::create_user))
            .service(
                web::resource("/users/{id}")
                    .get(users::get_user)
                    .patch(users::update_user),
            )
            .service(web::resource("/users/{id}/roles").put(users::update_user_roles))
            .service(web::resource("/audit-log").get(audit::list_audit_log))
            .service(
                web::resource("/customers")
                    .get(customers::list_customers)
                    .post(customers::create_customer),
            )
            .service(web::resource("/units").get(units::list_units).post(units::create_unit))
            .service(
                web::resource("/units/{id}")
                    .get(units::get_unit)
                    .patch(units::update_unit),
            )
            .service(web::resource("/deals").get(deals::list_deals).post(deals::create_deal))
            .service(
                web::resource("/deals/{id}")
                    .get(deals::get_deal)
                    .patch(deals::update_deal),
            )
            .service(web::resource("/deals/{id}/transitions").post(deals::create_deal_transition))
            .service(
                web::resource("/deals/{id}/inspection-issues")
                    .get(after_sales::list_inspection_issues)
                    .post(after_sales::create_inspection_issue),
            )
            .service(
                web::resource("/deals/{id}/inspection-issues/{issue_id}").patch(after_sales::update_inspection_issue),
            )
            .service(web::resource("/deals/{id}/handover-checklist").get(after_sales::get_handover_checklist))
            .service(
                web::resource("/deals/{id}/handover-checklist/{item}").put(after_sales::update_handover_checklist_item),
            )
            .service(
                web::resource("/deals/{id}/handover")
                    .get(after_sales::get_handover)
                    .post(after_sales::create_handover),
            )
            .service(
                web::resource("/deals/{id}/visits")
                    .get(after_sales::list_visits)
                    .post(after_sales::create_visit),
            )
            .service(web::resource("/customers/import").post(customer_csv::create_customer_import))
            .service(web::resource("/customers/export").get(customer_csv::get_customer_export))
            .service(
                web::resource("/customers/{id}")
                    .get(customers::get_customer)
                    .patch(customers::update_customer)
                    .delete(customers::delete_customer),
            )
            .service(web::resource("/customers/{id}/status").post(customers::create_customer_status_change))
            .service(web::resource("/customers/{id}/assignment").post(customers::create_customer_assignment))
            .service(web::resource("/customers/{id}/reassignment").post(customers::create_customer_reassignment))
            .service(web::resource("/customers/{id}/merge").post(customers::create_customer_merge))
            .service(web::resource("/customers/{id}/timeline").get(customers::get_customer_timeline))
            .service(
                web::resource("/customers/{id}/follow-ups")
                    .get(follow_ups::list_follow_ups)
                    .post(follow_ups::create_follow_up),
            )
            .service(
                web::resource("/customers/{id}/needs")
                    .get(follow_ups::list_needs)
                    .post(follow_ups::create_needs),
            )
            .service(
                web::resource("/customers/{id}/needs/{needs_id}/recommendations/{unit_id}")
                    .put(follow_ups::update_recommendation),
            )
            .service(web::resource("/kpis/consultants").get(kpis::list_consultant_kpis))
            .service(web::resource("/kpis/teams").get(kpis::list_team_kpis))
            .service(
                web::resource("/award-rules")
                    .get(awards::get_award_rules)
                    .put(awards::update_award_rules),
            )
            .service(
                web::resource("/awards/runs")
                    .get(awards::list_award_runs)
                    .post(awards::create_award_run),
            )
            .service(web::resource("/awards/runs/{id}").get(awards::get_award_run))
            .service(web::resource("/users/{id}/lead-intake").put(customers::update_lead_intake))
            .service(
                web::resource("/complaints")
                    .get(complaints::list_complaints)
                    .post(complaints::create_complaint),
            )
            .service(
                web::resource("/complaints/{id}")
                    .get(complaints::get_complaint)
                    .patch(complaints::update_complaint),
            )
            .service(
                web::resource("/targets")
                    .get(targets::list_targets)
                    .post(targets::create_target),
            )
            .service(
                web::resource("/targets/{id}")
                    .get(targets::get_target)
                    .patch(targets::update_target)
                    .delete(targets::delete_target),
            )
            .service(
                web::resource("/trainings")
                    .get(trainings::list_trainings)
                    .post(trainings::create_training),
            )
            .service(
                web::resource("/trainings/{id}")
                    .get(trainings::get_training)
                    .patch(trainings::update_training),
            )
            .service(
                web::resource("/trainings/{id}/attendees/{user_id}")
                    .put(trainings::update_training_attendee)
                    .delete(trainings::delete_training_attendee),
            )
            .service(
                web::resource("/customer-events")
                    .get(customer_events::list_customer_events)
                    .post(customer_events::create_customer_event),
            )
            .service(
                web::resource("/customer-events/{id}")
                    .get(customer_events::get_customer_event)
                    .patch(customer_events::update_customer_event),
            )
            .service(
                web::resource("/customer-events/{id}/invitations")
                    .get(customer_events::list_event_invitations)
                    .post(customer_events::create_event_invitation),
            )
            .service(
                web::resource("/customer-events/{id}/invitations/{customer_id}")
                    .get(customer_events::get_event_invitation)
                    .put(customer_events::update_event_invitation),
            )
            .service(
                web::resource("/regions")
                    .get(org::list_regions)
                    .post(org::create_region),
            )
            .service(
                web::resource("/regions/{id}")
                    .get(org::get_region)
                    .patch(org::update_region)
                    .delete(org::delete_region),
            )
            .service(web::resource("/teams").get(org::list_teams).post(org::create_team))
            .service(
                web::resource("/teams/{id}")
                    .get(org::get_team)
                    .patch(org::update_team)
                    .delete(org::delete_team),
            )
            .service(
                web::resource("/api-clients")
                    .get(api_clients::list_api_clients)
                    .post(api_clients::create_api_client),
            )
            .service(
                web::resource("/api-clients/{id}")
                    .get(api_clients::get_api_client)
                    .patch(api_clients::update_api_client),
            )
            .service(web::resource("/api-clients/{id}/secret").post(api_clients::create_api_client_secret))
            .service(
                web::resource("/webhooks")
                    .get(webhooks::list_webhooks)
                    .post(webhooks::create_webhook),
            )
            .service(
                web::resource("/webhooks/{id}")
                    .get(webhooks::get_webhook)
                    .patch(webhooks::update_webhook)
                    .delete(webhooks::delete_webhook),
            )
            .service(web::resource("/webhooks/{id}/secret").post(webhooks::create_webhook_secret))
            .service(web::resource("/webhooks/{id}/deliveries").get(webhooks::list_webhook_deliveries))
            .service(web::resource("/webhooks/{id}/deliveries/{delivery_id}").get(webhooks::get_webhook_delivery))
            .service(
                web::resource("/webhooks/{id}/deliveries/{delivery_id}/redeliver")
                    .post(webhooks::create_webhook_redelivery),
            )
            .service(web::resource("/sla-policies").get(sla::list_sla_policies))
            .service(
                web::resource("/sla-policies/{kind}")
                    .get(sla::get_sla_policy)
                    .put(sla::update_sla_policy),
            )
            .service(web::resource("/sla-breaches").get(sla::list_sla_breaches))
            .service(web::resource("/timers").get(sla::list_timers))
            .service(web::resource("/notifications").get(notifications::list_notifications))
            .service(web::resource("/notifications/{id}/read").post(notifications::create_notification_read))
            .service(web::resource("/admin/queue-probes").post(probes::create_queue_probe))
            .service(web::resource("/admin/queue-probes/{id}").get(probes::get_queue_probe))
            .service(web::resource("/admin/queues").get(queues::list_queues))
            .service(web::resource("/admin/queues/{queue}").get(queues::get_queue))
            .service(web::resource("/admin/queues/{queue}/jobs").get(queues::list_queue_jobs))
            .service(web::resource("/admin/queues/{queue}/jobs/{job_id}").delete(queues::delete_queue_job))
            .service(web::resource("/admin/queues/{queue}/jobs/{job_id}/retry").post(queues::create_queue_job_retry))
            .service(web::resource("/admin/queues/{queue}/jobs/{job_id}/run-now").post(queues::create_queue_job_run))
            .service(web::resource("/admin/queues/{queue}/job-retries").post(queues::create_queue_job_retries))
            .service(web::resource("/admin/queues/{queue}/job-runs").post(queues::create_queue_job_runs))
            .service(web::resource("/admin/queues/{queue}/job-deletions").post(queues::create_queue_job_deletions))
            .service(web::resource("/admin/queues/{queue}/pause").post(queues::create_queue_pause))
            .service(web::resource("/admin/queues/{queue}/resume").post(queues::create_queue_resume))
            .service(web::resource("/admin/workers").get(queues::list_workers)),
    );
}
