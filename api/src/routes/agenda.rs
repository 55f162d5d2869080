//! A consultant's day (每日记录客户跟进情况): `GET /api/v1/me/agenda` is
//! what the caller must do, by due time; `GET /api/v1/teams/{id}/agenda`
//! is a team's, per consultant, for those whose `customers:read` reaches
//! the team. Due times are the timer engine's, so the agenda and the
//! reminders agree (`domain::outbox::agenda`).

use actix_web::web::{self, Json};
use chrono::{DateTime, Utc};
use domain::{
    outbox::agenda::{self, AgendaItem, AgendaRequest},
    platform::{page::OffsetRequest, text::Reader},
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    auth::{Authorized, perm},
    error::{ApiError, Problem},
    language::Reading,
    state::AppState,
    vocab,
};

/// One thing to do.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgendaItemBody {
    #[schema(value_type = vocab::AgendaKind)]
    pub kind: String,
    /// When it is due (the deadline the reminders and breaches use).
    pub due_at: DateTime<Utc>,
    /// Due before now.
    pub overdue: bool,
    pub customer: AgendaCustomer,
    /// The deal of an inspection or a post-handover visit.
    pub deal_id: Option<Uuid>,
    /// The complaint to resolve.
    pub complaint_id: Option<Uuid>,
    /// Whose item it is: the customer's owner, the deal's consultant, the
    /// complaint's handler, the key account's customer manager.
    pub consultant_id: Option<Uuid>,
    /// What to do, for whom and by when, in the reader's language, the
    /// time in the business time zone.
    #[schema(example = "首次联系王先生（2026年11月30日 09:15 前）")]
    pub title: String,
}

/// The customer an item concerns.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgendaCustomer {
    pub id: Uuid,
    pub name: String,
}

impl AgendaItemBody {
    fn of(item: AgendaItem, reader: &Reader) -> Self {
        Self {
            kind: item.kind.to_string(),
            due_at: item.due_at,
            overdue: item.overdue,
            title: item.title.render(reader),
            customer: AgendaCustomer {
                id: item.customer_id,
                name: item.customer_name,
            },
            deal_id: item.deal_id,
            complaint_id: item.complaint_id,
            consultant_id: item.consultant_id,
        }
    }
}

/// The caller's agenda: overdue items first, then by due time.
#[derive(Debug, Serialize, ToSchema)]
pub struct Agenda {
    pub items: Vec<AgendaItemBody>,
    pub next_cursor: Option<String>,
}

/// A team's agenda, one page of items grouped by consultant.
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamAgendaBody {
    pub team_id: Uuid,
    /// The team's active members (each, even with nothing due), then anyone
    /// else the team's records name (a manager handling a complaint).
    pub consultants: Vec<ConsultantAgendaBody>,
    pub next_cursor: Option<String>,
}

/// One consultant's items on a page of a team's agenda.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsultantAgendaBody {
    pub consultant_id: Option<Uuid>,
    pub name: Option<String>,
    pub items: Vec<AgendaItemBody>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AgendaQuery {
    /// 1 to 100, default 50.
    pub limit: Option<u64>,
    pub cursor: Option<String>,
    /// Only items due before this instant (e.g. the end of today).
    pub due_before: Option<DateTime<Utc>>,
}

impl AgendaQuery {
    fn request(&self) -> Result<AgendaRequest, ApiError> {
        Ok(AgendaRequest {
            due_before: self.due_before,
            page: OffsetRequest::new(self.limit, self.cursor.as_deref(), agenda::MAX_LIMIT)?,
        })
    }
}

/// What the caller must do, by due time: first responses, needs
/// assessments, weekly follow-ups, inspection tasks, post-handover visits
/// and complaints it handles. Overdue items come first (they are due
/// before the others); each has a title in the reader's language.
#[utoipa::path(get, path = "/api/v1/me/agenda", tag = "auth", operation_id = "get_my_agenda",
    security(("bearer" = [])),
    params(AgendaQuery),
    responses(
        (status = 200, description = "A page of the caller's agenda", body = Agenda),
        (status = 400, description = "Malformed query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks customers:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Limit out of range or a foreign cursor", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_my_agenda(
    caller: Authorized<perm::CustomersRead>,
    Reading(reader): Reading,
    state: web::Data<AppState>,
    query: crate::extract::ApiQuery<AgendaQuery>,
) -> Result<Json<Agenda>, ApiError> {
    let page = agenda::mine(&state.db, &caller.actor, query.request()?).await?;
    Ok(Json(Agenda {
        items: page.items.into_iter().map(|i| AgendaItemBody::of(i, &reader)).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// A team's agenda, per consultant: what each must do, by due time. A
/// manager reads the teams it belongs to or manages, a director every
/// team; with `customers:read` on one's own records only it is 403.
#[utoipa::path(get, path = "/api/v1/teams/{id}/agenda", tag = "org", operation_id = "get_team_agenda",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Team id"), AgendaQuery),
    responses(
        (status = 200, description = "A page of the team's agenda, grouped by consultant", body = TeamAgendaBody),
        (status = 400, description = "Malformed query or bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks customers:read, or holds it for its own records only", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such team within the caller's reach", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Limit out of range or a foreign cursor", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_team_agenda(
    caller: Authorized<perm::CustomersRead>,
    Reading(reader): Reading,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: crate::extract::ApiQuery<AgendaQuery>,
) -> Result<Json<TeamAgendaBody>, ApiError> {
    let request = query.request()?;
    let team = agenda::team(&state.db, &caller.actor, caller.scope, id.into_inner(), request).await?;
    Ok(Json(TeamAgendaBody {
        team_id: team.team_id,
        consultants: team
            .consultants
            .into_iter()
            .map(|c| ConsultantAgendaBody {
                consultant_id: c.consultant_id,
                name: c.name,
                items: c.items.into_iter().map(|i| AgendaItemBody::of(i, &reader)).collect(),
            })
            .collect(),
        next_cursor: team.next_cursor,
    }))
}
