//! Project briefs (`/api/v1/projects/{project}/brief`): the selling points
//! and competitor notes of a project (谈判准备：熟悉产品卖点及市场竞品), keyed
//! by the project name its units carry. Every staff role reads them
//! (`projects:read`); the director, managers and the customer manager write
//! them (`projects:write`). Partners hold neither.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use domain::sales::project_briefs::{BriefInput, BriefView, Competitor};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    auth::{Authorized, perm},
    error::{ApiError, Problem},
    extract::{ApiJson, IfMatch},
    state::AppState,
};

/// A competing project and how ours compares.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompetitorNote {
    /// The competing project's name, 1 to 120 characters.
    pub competitor: String,
    /// Distance, prices and the like, up to 1000 characters.
    #[serde(default)]
    pub notes: Option<String>,
    /// Where our project is better, 1 to 1000 characters.
    pub our_advantage: String,
}

impl From<Competitor> for CompetitorNote {
    fn from(c: Competitor) -> Self {
        Self {
            competitor: c.competitor,
            notes: c.notes,
            our_advantage: c.our_advantage,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a0c4-7d1e-7a51-9a43-3e0d5c1f2a10", "project": "滨江花园",
    "selling_points": ["地铁2号线步行5分钟", "一线江景"],
    "competitors": [{"competitor": "江畔豪庭", "notes": "相距1.5公里，均价低约8%", "our_advantage": "现房、品牌物业"}],
    "version": 2, "updated_by": "0193a0c4-1111-7000-8000-000000000001",
    "created_at": "2026-11-20T09:30:00Z", "updated_at": "2026-11-28T10:00:00Z"}))]
pub struct ProjectBrief {
    pub id: Uuid,
    /// The project's name, as its units carry it.
    pub project: String,
    pub selling_points: Vec<String>,
    pub competitors: Vec<CompetitorNote>,
    /// Raised by every write; the `ETag` names it.
    pub version: i32,
    pub updated_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<BriefView> for ProjectBrief {
    fn from(v: BriefView) -> Self {
        Self {
            id: v.id,
            project: v.project,
            selling_points: v.selling_points,
            competitors: v.competitors.into_iter().map(CompetitorNote::from).collect(),
            version: v.version,
            updated_by: v.updated_by,
            created_at: v.created_at,
            updated_at: v.updated_at,
        }
    }
}

/// The whole brief; it replaces the one on file.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"selling_points": ["地铁2号线步行5分钟", "一线江景"],
    "competitors": [{"competitor": "江畔豪庭", "notes": "相距1.5公里，均价低约8%", "our_advantage": "现房、品牌物业"}]}))]
pub struct ProjectBriefBody {
    /// Up to 30, each 1 to 200 characters.
    #[serde(default)]
    pub selling_points: Vec<String>,
    /// Up to 20.
    #[serde(default)]
    pub competitors: Vec<CompetitorNote>,
}

/// A project's selling points and competitor notes.
#[utoipa::path(get, path = "/api/v1/projects/{project}/brief", tag = "projects", operation_id = "get_project_brief",
    security(("bearer" = [])),
    params(("project" = String, Path, description = "The project's name, as units carry it")),
    responses(
        (status = 200, description = "The brief; `ETag` names its version", body = ProjectBrief),
        (status = 400, description = "Bad path", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks projects:read (partners do)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No unit carries this project, or it has no brief yet", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_project_brief(
    _caller: Authorized<perm::ProjectsRead>,
    state: web::Data<AppState>,
    project: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let brief = domain::sales::project_briefs::get(&state.db, &project.into_inner()).await?;
    super::respond::tagged::<ProjectBrief, _>(brief)
}

/// Write a project's brief whole: the first write creates it, each later one
/// raises its version. Audited.
#[utoipa::path(put, path = "/api/v1/projects/{project}/brief", tag = "projects", operation_id = "update_project_brief",
    security(("bearer" = [])),
    params(
        ("project" = String, Path, description = "The project's name, as units carry it"),
        ("If-Match" = Option<String>, Header, description = "Write only if the brief still has this ETag"),
    ),
    request_body = ProjectBriefBody,
    responses(
        (status = 200, description = "Written; `ETag` names the new version", body = ProjectBrief),
        (status = 400, description = "Malformed JSON or bad path", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks projects:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No unit carries this project", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names another version (or there is no brief yet)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Too many selling points or competitors, or a text empty or too long", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_project_brief(
    caller: Authorized<perm::ProjectsWrite>,
    state: web::Data<AppState>,
    project: web::Path<String>,
    if_match: IfMatch,
    ApiJson(body): ApiJson<ProjectBriefBody>,
) -> Result<HttpResponse, ApiError> {
    let input = BriefInput {
        selling_points: body.selling_points,
        competitors: (body.competitors.into_iter())
            .map(|c| Competitor {
                competitor: c.competitor,
                notes: c.notes,
                our_advantage: c.our_advantage,
            })
            .collect(),
    };
    let (db, audit, actor) = (&state.db, caller.audit(), &caller.actor);
    let brief =
        domain::sales::project_briefs::put(db, &audit, actor, &project.into_inner(), input, if_match.as_deref())
            .await?;
    super::respond::tagged::<ProjectBrief, _>(brief)
}
