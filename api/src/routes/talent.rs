//! The talent list (`/api/v1/talent`, 表现优异者优先晋升或参与高端培训):
//! consultants in the top places of the published Sales Star runs often
//! enough, with the advanced trainings they attended and those they have
//! not. Read with `awards:read`, like the published runs it is drawn from.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use domain::performance::talent::{self, AdvancedTraining as TrainingView, TalentEntry, TalentParams};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    auth::{Authorized, perm},
    error::{ApiError, Problem},
    state::AppState,
};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TalentQuery {
    /// Ranks 1 to `top` count (1–20, default 3).
    pub top: Option<i64>,
    /// The last this many published quarters (1–12, default 4).
    pub quarters: Option<i64>,
    /// In the top places in at least this many of them (1 to `quarters`, default 2, or 1 when `quarters` is 1).
    pub times: Option<i64>,
}

/// A quarter in which the consultant ranked in the top places.
#[derive(Debug, Serialize, ToSchema)]
pub struct TalentPlacing {
    /// The quarter, `2026-Q3`.
    pub period: String,
    pub rank: i64,
}

/// An advanced training held in the quarters looked at, or to come.
#[derive(Debug, Serialize, ToSchema)]
pub struct TalentTraining {
    pub id: Uuid,
    pub title: String,
    pub held_at: DateTime<Utc>,
    /// On its attendee list (without having attended, in `advanced_not_attended`).
    pub enrolled: bool,
}

impl From<TrainingView> for TalentTraining {
    fn from(v: TrainingView) -> Self {
        Self {
            id: v.id,
            title: v.title,
            held_at: v.held_at,
            enrolled: v.enrolled,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TalentMember {
    pub user_id: Uuid,
    pub name: String,
    pub team_id: Option<Uuid>,
    /// How many of the quarters looked at they ranked in the top places.
    pub times_in_top: usize,
    pub best_rank: i64,
    /// The quarters and ranks that qualified them, latest first.
    pub placings: Vec<TalentPlacing>,
    pub advanced_attended: Vec<TalentTraining>,
    pub advanced_not_attended: Vec<TalentTraining>,
}

impl From<TalentEntry> for TalentMember {
    fn from(v: TalentEntry) -> Self {
        Self {
            user_id: v.user_id,
            name: v.name,
            team_id: v.team_id,
            times_in_top: v.times_in_top,
            best_rank: v.best_rank,
            placings: v
                .placings
                .into_iter()
                .map(|p| TalentPlacing {
                    period: p.period,
                    rank: p.rank,
                })
                .collect(),
            advanced_attended: v.advanced_attended.into_iter().map(TalentTraining::from).collect(),
            advanced_not_attended: v.advanced_not_attended.into_iter().map(TalentTraining::from).collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"top": 3, "quarters": 4, "times": 2, "periods": ["2026-Q3", "2026-Q2"], "items": [{
    "user_id": "0193a0c4-1111-7000-8000-000000000001", "name": "李娜", "team_id": "0193a0c4-2222-7000-8000-000000000002",
    "times_in_top": 2, "best_rank": 1, "placings": [{"period": "2026-Q3", "rank": 1}, {"period": "2026-Q2", "rank": 3}],
    "advanced_attended": [], "advanced_not_attended": [{"id": "0193a0c4-7d1e-7a51-9a43-3e0d5c1f2a10",
    "title": "高端豪宅销售", "held_at": "2026-12-10T06:00:00Z", "enrolled": false}]}]}))]
pub struct TalentList {
    pub top: i64,
    pub quarters: i64,
    pub times: i64,
    /// The published quarters looked at, latest first.
    pub periods: Vec<String>,
    /// Most often in the top places first, then by best rank.
    pub items: Vec<TalentMember>,
}

/// The talent list: consultants ranked in the top `top` of the Sales Star in
/// at least `times` of the last `quarters` published quarters.
#[utoipa::path(get, path = "/api/v1/talent", tag = "awards", operation_id = "get_talent_list",
    security(("bearer" = [])),
    params(TalentQuery),
    responses(
        (status = 200, description = "The list, most often in the top places first", body = TalentList),
        (status = 400, description = "Malformed query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks awards:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`top`, `quarters` or `times` out of range", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_talent_list(
    _caller: Authorized<perm::AwardsRead>,
    state: web::Data<AppState>,
    query: crate::extract::ApiQuery<TalentQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let params = TalentParams {
        top: q.top,
        quarters: q.quarters,
        times: q.times,
    };
    let list = talent::list(&state.db, params, state.settings.timezone).await?;
    Ok(HttpResponse::Ok().json(TalentList {
        top: list.top,
        quarters: list.quarters,
        times: list.times,
        periods: list.periods,
        items: list.entries.into_iter().map(TalentMember::from).collect(),
    }))
}
