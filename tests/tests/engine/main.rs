//! Tests of the workflow engine: deadlines fire on time and not when the
//! work was done; several workers fire each timer once; a crashed worker's
//! job completes elsewhere; a flushed Redis loses no timer; a whole flow
//! reads in each reader's language. (The burst of
//! 100,000 timers has a test binary of its own: tests/tests/burst.)

mod durability;
mod language;
mod periodic;
mod sla;

use chrono::{DateTime, Utc};
use entities::timers;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use tests::{AppOptions, TestApp, spawn_app_with};
use uuid::Uuid;

pub async fn quick_app() -> TestApp {
    spawn_app_with(AppOptions {
        customise: tests::quick_timers,
        ..AppOptions::default()
    })
    .await
}

/// How many timers of `kind` are in `state`.
pub async fn count(app: &TestApp, kind: &str, state: &str) -> u64 {
    timers::Entity::find()
        .filter(timers::Column::Kind.eq(kind))
        .filter(timers::Column::State.eq(state))
        .count(&app.db)
        .await
        .expect("count timers")
}

/// The timers on `subject`.
pub async fn timers_of(app: &TestApp, subject: Uuid) -> Vec<timers::Model> {
    timers::Entity::find()
        .filter(timers::Column::SubjectId.eq(subject))
        .all(&app.db)
        .await
        .expect("timers")
}

/// How late a fired timer fired.
pub fn lag(timer: &timers::Model) -> chrono::Duration {
    timer.fired_at.unwrap_or(DateTime::<Utc>::MAX_UTC) - timer.due_at
}
