//! The OpenAPI 3.1 document, generated from the handlers' annotations and
//! served at `/api/v1/openapi.json`; Swagger UI at `/docs` is served from
//! the binary (no CDN). docs/openapi.json is a committed snapshot that a
//! test compares with this output.

use actix_web::{HttpResponse, web};
use serde_json::json;
use utoipa::{
    Modify, OpenApi,
    openapi::{
        ContentBuilder, Ref, RefOr, Required, ResponseBuilder,
        path::{Operation, ParameterIn, PathItem},
        request_body::RequestBody,
        schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, SchemaType, Type},
        security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
    },
};

use crate::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "EstateFlow API",
        description = "Workflow and task-queue service for real-estate sales departments. \
            Errors are RFC 9457 problem+json documents with a stable `code` (see docs/api/errors.md).",
        license(name = "MIT"),
    ),
    components(schemas(crate::error::Problem, crate::error::ProblemField)),
    modifiers(&Served, &BearerAuth, &SharedRules),
    tags(
        (name = "health", description = "Liveness, readiness, metrics"),
        (name = "auth", description = "Tokens and the caller's identity"),
        (name = "access", description = "Roles, permissions and the audit log"),
        (name = "organisation", description = "Staff accounts, teams and regions"),
        (name = "customers", description = "Customers (leads): pushed by partners, worked by the sales team"),
        (name = "routing", description = "Lead routing rules: where a lead goes as it arrives, set by the director"),
        (name = "figures", description = "Performance figures (KPIs) by month"),
        (name = "feedback", description = "Customer feedback (客户意见) with a category, routed to the department concerned, and the routing table"),
        (name = "approvals", description = "Sales policies and marketing plans submitted for the director's approval (审批), with a decision deadline"),
        (name = "complaints", description = "Customer complaints: received, routed to the manager when major, resolved"),
        (name = "awards", description = "The quarterly Sales Star (销售之星): its versioned rules and its runs, each ranking explained"),
        (name = "bonuses", description = "Bonuses by ranking (绩效奖金): versioned rules sharing a pool by rank, pools per month or quarter for the department or a team, computed, explained and published once"),
        (name = "targets", description = "Sales targets by year, quarter and month for the department, regions, teams and consultants: set and split down by the director, a team's month split to consultants by its manager"),
        (name = "trainings", description = "Trainings, their attendees and exam results"),
        (name = "customer-events", description = "Open days and themed events, invitations and attendance"),
        (name = "units", description = "Units (房源) for sale"),
        (name = "projects", description = "What consultants prepare a negotiation with: each project's selling points and competitor notes (熟悉产品卖点及市场竞品)"),
        (name = "deals", description = "Deals from negotiation to closing, and their stage machine"),
        (name = "after-sales", description = "Inspection issues, handover checklist, handover and post-handover visits"),
        (name = "sla", description = "SLA policies and breaches"),
        (name = "webhooks", description = "Partners' webhook subscriptions, signed deliveries and their log (see docs/api/webhooks.md)"),
        (name = "notifications", description = "Each user's reminders, breaches, tasks and digests"),
        (name = "operations", description = "Queue and worker operations (administrators)"),
    )
)]
#[derive(Debug)]
pub struct ApiDoc;

/// The operations of the route table ([`routes::every_operation`]), each
/// with its schemas: the document describes what is served, no more, no less.
struct Served;

impl Modify for Served {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for operation in routes::every_operation() {
            openapi.merge(operation.document());
        }
    }
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// What every operation shares, written once here rather than in 129
/// annotations: any request body may be refused as malformed (400), too
/// large (413), of another Content-Type (415) or not matching its schema
/// (422), as the body extractors (`crate::extract`) do for every operation;
/// any parameter may have the wrong type (400) or break an input rule (422);
/// any request may be refused for its URI (414) or headers (431) at the
/// edge (`crate::edge`); every
/// list pages with `limit` and `cursor` and sorts with `sort` as
/// `domain::platform::page` rules.
struct SharedRules;

/// The lists whose page size has its own bound: a queue's jobs.
const QUEUE_JOBS_PATH: &str = "/api/v1/admin/queues/{queue}/jobs";

impl Modify for SharedRules {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in &mut openapi.paths.paths {
            let default_limit = domain::platform::page::DEFAULT_LIMIT;
            let max_limit = if path == QUEUE_JOBS_PATH {
                queue::inspect::MAX_PAGE_LIMIT
            } else {
                domain::platform::page::MAX_LIMIT
            };
            for operation in operations(item) {
                if let Some(RefOr::T(body)) = &mut operation.request_body {
                    absent_not_null(body);
                }
                if operation.request_body.is_some() {
                    add_problem(operation, 400, "The body is not well-formed (`malformed_json`)");
                    add_problem(
                        operation,
                        422,
                        "The body has missing, unknown or mistyped fields (`validation_failed`, with a pointer to each)",
                    );
                    add_problem(
                        operation,
                        413,
                        "The body is larger than the limit (`payload_too_large`, see ESTATEFLOW_BODY_LIMIT_BYTES)",
                    );
                    add_problem(
                        operation,
                        415,
                        "The Content-Type is not one this operation accepts (`unsupported_media_type`)",
                    );
                }
                if operation.parameters.as_ref().is_some_and(|p| !p.is_empty()) {
                    add_problem(
                        operation,
                        400,
                        "A path or query parameter has the wrong type (`invalid_path`, `invalid_query`)",
                    );
                    add_problem(
                        operation,
                        422,
                        "A parameter breaks an input rule (`validation_failed`, with a pointer such as `/limit`)",
                    );
                }
                add_problem(
                    operation,
                    414,
                    "The path and query are longer than 8 KiB (`uri_too_long`)",
                );
                add_problem(
                    operation,
                    431,
                    "The request's headers total more than 32 KiB (`headers_too_large`)",
                );
                page_parameters(operation, default_limit, max_limit);
            }
        }
    }
}

fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.patch,
    ]
    .into_iter()
    .flatten()
}

/// An optional body (`Option<T>` in the annotation, `OptionalJson` in the
/// handler) may be left out, but is not `null` when sent: its schema is `T`.
fn absent_not_null(body: &mut RequestBody) {
    if body.required == Some(Required::True) {
        return;
    }
    for content in body.content.values_mut() {
        let RefOr::T(content) = content else { continue };
        if let Some(RefOr::T(Schema::OneOf(one_of))) = &content.schema {
            let not_null: Vec<_> = one_of
                .items
                .iter()
                .filter(|item| !matches!(item, RefOr::T(Schema::Object(o)) if o.schema_type == SchemaType::Type(Type::Null)))
                .cloned()
                .collect();
            if let [only] = not_null.as_slice() {
                content.schema = Some(only.clone());
            }
        }
    }
}

/// Adds a problem+json response for `status` unless the operation already describes it.
fn add_problem(operation: &mut Operation, status: u16, description: &str) {
    operation
        .responses
        .responses
        .entry(status.to_string())
        .or_insert_with(|| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/problem+json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("Problem")))
                        .build(),
                )
                .into()
        });
}

/// Gives the query parameters `limit` and `sort` their bounds and values.
fn page_parameters(operation: &mut Operation, default_limit: u64, max_limit: u64) {
    for parameter in operation.parameters.iter_mut().flatten() {
        let RefOr::T(parameter) = parameter else { continue };
        if parameter.parameter_in != ParameterIn::Query {
            continue;
        }
        match parameter.name.as_str() {
            "limit" => {
                parameter.description = Some(format!("Page size, 1 to {max_limit}; default {default_limit}."));
                parameter.schema = Some(
                    ObjectBuilder::new()
                        .schema_type(Type::Integer)
                        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
                        .minimum(Some(1))
                        .maximum(Some(max_limit))
                        .default(Some(json!(default_limit)))
                        .into(),
                );
            }
            "sort" => {
                parameter.description = Some(
                    "`created_at` (oldest first, the default) or `-created_at` (newest first); empty is the default."
                        .to_owned(),
                );
                parameter.schema = Some(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .enum_values(Some(domain::platform::page::SORTS.into_iter().chain([""])))
                        .default(Some(json!(domain::platform::page::SORTS[0])))
                        .into(),
                );
            }
            _ => {}
        }
    }
}

/// The document as pretty JSON, exactly as committed in docs/openapi.json.
pub fn openapi_pretty_json() -> Result<String, serde_json::Error> {
    Ok(ApiDoc::openapi().to_pretty_json()? + "\n")
}

pub async fn openapi_json(doc: web::Data<OpenApiJson>) -> HttpResponse {
    HttpResponse::Ok().content_type("application/json").body(doc.0.clone())
}

/// The rendered document, built once at start-up.
#[derive(Debug)]
pub struct OpenApiJson(pub String);
