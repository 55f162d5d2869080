//! Trainings (`/api/v1/trainings`) and their attendees with attendance and
//! exam results. Consultants read the trainings they attend, managers their
//! teams', the director every one; lookups outside the caller's reach are 404.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, FixedOffset, Utc};
use domain::{
    performance::trainings::{
        Attendance, AttendeeView, Candidate as CandidateView, Mark, TrainingFilter, TrainingInput, TrainingView,
    },
    platform::page::PageRequest,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    auth::{Authorized, perm},
    error::{ApiError, Problem},
    extract::{ApiJson, IfMatch},
    state::AppState,
};

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"user_id": "0193a0c4-1111-7000-8000-000000000001", "attended": true, "exam_passed": true,
    "updated_at": "2026-11-21T10:00:00Z"}))]
pub struct Attendee {
    pub user_id: Uuid,
    pub attended: bool,
    /// `null` until the exam result is known (or if there was no exam).
    pub exam_passed: Option<bool>,
    pub updated_at: DateTime<Utc>,
}

impl From<AttendeeView> for Attendee {
    fn from(v: AttendeeView) -> Self {
        Self {
            user_id: v.user_id,
            attended: v.attended,
            exam_passed: v.exam_passed,
            updated_at: v.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a0c4-7d1e-7a51-9a43-3e0d5c1f2a10", "title": "谈判技巧", "topic": "异议处理",
    "team_id": "0193a0c4-2222-7000-8000-000000000002", "held_at": "2026-11-20T06:00:00Z", "trainer": "张经理", "advanced": false,
    "created_by": "0193a0c4-3333-7000-8000-000000000003", "created_at": "2026-11-18T08:00:00Z",
    "updated_at": "2026-11-18T08:00:00Z", "attendees": []}))]
pub struct Training {
    pub id: Uuid,
    pub title: String,
    pub topic: Option<String>,
    pub team_id: Option<Uuid>,
    pub held_at: DateTime<Utc>,
    pub trainer: Option<String>,
    /// An advanced training (高端培训), offered first to the talent list.
    pub advanced: bool,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Who it is for; empty in lists.
    pub attendees: Vec<Attendee>,
}

impl From<TrainingView> for Training {
    fn from(v: TrainingView) -> Self {
        Self {
            id: v.id,
            title: v.title,
            topic: v.topic,
            team_id: v.team_id,
            held_at: v.held_at,
            trainer: v.trainer,
            advanced: v.advanced,
            created_by: v.created_by,
            created_at: v.created_at,
            updated_at: v.updated_at,
            attendees: v.attendees.into_iter().map(Attendee::from).collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TrainingList {
    pub items: Vec<Training>,
    pub next_cursor: Option<String>,
}

/// A training for `attendee_ids`. With `trainings:write` on team scope, `team_id` must be one of the caller's teams.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": "谈判技巧", "topic": "异议处理", "team_id": "0193a0c4-2222-7000-8000-000000000002",
    "held_at": "2026-11-20T14:00:00+08:00", "trainer": "张经理", "attendee_ids": ["0193a0c4-1111-7000-8000-000000000001"]}))]
pub struct NewTrainingBody {
    pub title: String,
    pub topic: Option<String>,
    pub team_id: Option<Uuid>,
    #[serde(deserialize_with = "crate::extract::in_window")]
    pub held_at: DateTime<FixedOffset>,
    pub trainer: Option<String>,
    /// An advanced training (高端培训); default `false`.
    #[serde(default)]
    pub advanced: bool,
    #[serde(default)]
    pub attendee_ids: Vec<Uuid>,
}

/// Only the fields given change; `null` clears topic or trainer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": "谈判技巧（二）", "held_at": "2026-11-21T14:00:00+08:00"}))]
pub struct TrainingPatch {
    pub title: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::present")]
    #[schema(value_type = Option<String>)]
    pub topic: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::extract::present")]
    #[schema(value_type = Option<String>)]
    pub trainer: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::extract::in_window")]
    pub held_at: Option<DateTime<FixedOffset>>,
    /// Mark it advanced (高端培训) or not.
    pub advanced: Option<bool>,
}

/// Whether the user attended and passed the exam (`null`: no result).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"attended": true, "exam_passed": true}))]
pub struct AttendeeBody {
    pub attended: bool,
    #[serde(default)]
    pub exam_passed: Option<bool>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TrainingQuery {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
    /// `created_at` (oldest first, the default) or `-created_at` (newest first).
    pub sort: Option<String>,
    pub team_id: Option<Uuid>,
    /// Held at or after (RFC 3339).
    #[serde(default, deserialize_with = "crate::extract::in_window")]
    pub from: Option<DateTime<FixedOffset>>,
    /// Held before (RFC 3339).
    #[serde(default, deserialize_with = "crate::extract::in_window")]
    pub to: Option<DateTime<FixedOffset>>,
    /// Only advanced trainings (`true`) or only the others (`false`).
    pub advanced: Option<bool>,
}

/// Plan or record a training and whom it is for.
#[utoipa::path(post, path = "/api/v1/trainings", tag = "trainings", operation_id = "create_training",
    security(("bearer" = [])),
    request_body = NewTrainingBody,
    responses(
        (status = 201, description = "Created; `Location` names it", body = Training),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks trainings:write", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, a team not the caller's, attendees unknown or outside the caller's reach", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_training(
    caller: Authorized<perm::TrainingsWrite>,
    state: web::Data<AppState>,
    ApiJson(body): ApiJson<NewTrainingBody>,
) -> Result<HttpResponse, ApiError> {
    let input = TrainingInput {
        title: Some(body.title),
        topic: Some(body.topic),
        trainer: Some(body.trainer),
        held_at: Some(body.held_at.with_timezone(&Utc)),
        advanced: Some(body.advanced),
        team_id: body.team_id,
        attendee_ids: body.attendee_ids,
    };
    let training =
        domain::performance::trainings::create(&state.db, &caller.audit(), &caller.actor, caller.scope, input).await?;
    super::respond::created::<Training, _>(format!("/api/v1/trainings/{}", training.id), training)
}

/// Trainings within the caller's reach (without attendees).
#[utoipa::path(get, path = "/api/v1/trainings", tag = "trainings", operation_id = "list_trainings",
    security(("bearer" = [])),
    params(TrainingQuery),
    responses(
        (status = 200, description = "A page of trainings, oldest first (newest first with `sort=-created_at`)", body = TrainingList),
        (status = 400, description = "Malformed query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks trainings:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`to` before `from`, limit out of range, a foreign cursor or an unknown sort", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_trainings(
    caller: Authorized<perm::TrainingsRead>,
    state: web::Data<AppState>,
    query: crate::extract::ApiQuery<TrainingQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let page = PageRequest::new_sorted(q.limit, q.cursor.as_deref(), q.sort.as_deref())?;
    let filter = TrainingFilter {
        team_id: q.team_id,
        from: q.from.map(|t| t.with_timezone(&Utc)),
        to: q.to.map(|t| t.with_timezone(&Utc)),
        advanced: q.advanced,
    };
    let page = domain::performance::trainings::list(&state.db, &caller.actor, caller.scope, filter, page).await?;
    Ok(super::respond::page(page, |items, next_cursor| TrainingList {
        items,
        next_cursor,
    }))
}

/// One training with its attendees; outside the caller's reach it is 404.
#[utoipa::path(get, path = "/api/v1/trainings/{id}", tag = "trainings", operation_id = "get_training",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Training id")),
    responses(
        (status = 200, description = "The training; `ETag` names its version", body = Training),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks trainings:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such training within the caller's reach", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_training(
    caller: Authorized<perm::TrainingsRead>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let training = domain::performance::trainings::get(&state.db, &caller.actor, caller.scope, id.into_inner()).await?;
    super::respond::tagged::<Training, _>(training)
}

/// Change a training's title, topic, trainer, time or whether it is advanced.
#[utoipa::path(patch, path = "/api/v1/trainings/{id}", tag = "trainings", operation_id = "update_training",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Training id"),
        ("If-Match" = Option<String>, Header, description = "Apply only if the training still has this ETag"),
    ),
    request_body = TrainingPatch,
    responses(
        (status = 200, description = "Changed; `ETag` names the new version", body = Training),
        (status = 400, description = "Malformed JSON or bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks trainings:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such training the caller may change", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_training(
    caller: Authorized<perm::TrainingsWrite>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    ApiJson(body): ApiJson<TrainingPatch>,
) -> Result<HttpResponse, ApiError> {
    let input = TrainingInput {
        title: body.title,
        topic: body.topic,
        trainer: body.trainer,
        held_at: body.held_at.map(|t| t.with_timezone(&Utc)),
        advanced: body.advanced,
        ..TrainingInput::default()
    };
    let training = domain::performance::trainings::update(
        &state.db,
        &caller.audit(),
        &caller.actor,
        caller.scope,
        id.into_inner(),
        input,
        if_match.as_deref(),
    )
    .await?;
    super::respond::tagged::<Training, _>(training)
}

/// Add a user to a training, or record whether they attended and passed.
/// Attendance and results are refused before the training is held.
#[utoipa::path(put, path = "/api/v1/trainings/{id}/attendees/{user_id}", tag = "trainings", operation_id = "update_training_attendee",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Training id"),
        ("user_id" = Uuid, Path, description = "User id"),
    ),
    request_body = AttendeeBody,
    responses(
        (status = 201, description = "Added", body = Attendee),
        (status = 200, description = "Changed", body = Attendee),
        (status = 400, description = "Malformed JSON or bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks trainings:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such training the caller may change, or no such user within the caller's reach", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Attendance before the training, or an exam result without attendance", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_training_attendee(
    caller: Authorized<perm::TrainingsWrite>,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    ApiJson(body): ApiJson<AttendeeBody>,
) -> Result<HttpResponse, ApiError> {
    let (training_id, user_id) = path.into_inner();
    let mark = Mark {
        attended: body.attended,
        exam_passed: body.exam_passed,
    };
    let (db, audit, actor) = (&state.db, caller.audit(), &caller.actor);
    match domain::performance::trainings::set_attendee(db, &audit, actor, caller.scope, training_id, user_id, mark)
        .await?
    {
        Attendance::Added(a) => Ok(HttpResponse::Created().json(Attendee::from(a))),
        Attendance::Changed(a) => Ok(HttpResponse::Ok().json(Attendee::from(a))),
    }
}

/// Take a user off a training.
#[utoipa::path(delete, path = "/api/v1/trainings/{id}/attendees/{user_id}", tag = "trainings", operation_id = "delete_training_attendee",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Training id"),
        ("user_id" = Uuid, Path, description = "User id"),
    ),
    responses(
        (status = 204, description = "Removed"),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks trainings:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such training the caller may change, or the user is not on it", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_training_attendee(
    caller: Authorized<perm::TrainingsWrite>,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (training_id, user_id) = path.into_inner();
    let (db, audit, actor) = (&state.db, caller.audit(), &caller.actor);
    domain::performance::trainings::remove_attendee(db, &audit, actor, caller.scope, training_id, user_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A consultant an advanced training may be offered to.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"user_id": "0193a0c4-1111-7000-8000-000000000001", "name": "李娜",
    "team_id": "0193a0c4-2222-7000-8000-000000000002", "on_talent_list": true, "times_in_top": 2, "best_rank": 1}))]
pub struct Candidate {
    pub user_id: Uuid,
    pub name: String,
    pub team_id: Option<Uuid>,
    /// On the talent list (top 3 in 2 of the last 4 published quarters): offered first.
    pub on_talent_list: bool,
    /// Quarters in the top places among those looked at; 0 when not on the list.
    pub times_in_top: usize,
    /// Best rank in those quarters; `null` when not on the list.
    pub best_rank: Option<i64>,
}

impl From<CandidateView> for Candidate {
    fn from(v: CandidateView) -> Self {
        Self {
            user_id: v.user_id,
            name: v.name,
            team_id: v.team_id,
            on_talent_list: v.on_talent_list,
            times_in_top: v.times_in_top,
            best_rank: v.best_rank,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CandidateList {
    pub items: Vec<Candidate>,
}

/// Whom an advanced training is offered to: the talent list first, then the
/// other active consultants within the caller's reach; those already on it left out.
#[utoipa::path(get, path = "/api/v1/trainings/{id}/candidates", tag = "trainings", operation_id = "list_training_candidates",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Training id")),
    responses(
        (status = 200, description = "Talent-list members first (`on_talent_list`), then the others by name", body = CandidateList),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks trainings:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such training the caller may change", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The training is not advanced", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_training_candidates(
    caller: Authorized<perm::TrainingsWrite>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (db, actor, tz) = (&state.db, &caller.actor, state.settings.timezone);
    let items = domain::performance::trainings::candidates(db, actor, caller.scope, id.into_inner(), tz).await?;
    Ok(HttpResponse::Ok().json(CandidateList {
        items: items.into_iter().map(Candidate::from).collect(),
    }))
}
