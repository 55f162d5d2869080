//! Sign-in throttling under concurrency: the attempt is counted before the
//! password is verified, so a burst of guesses cannot outrun the limit.

use futures::future::join_all;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::json;
use tests::{ADMIN_EMAIL, ADMIN_PASSWORD, AppOptions, assert_problem, spawn_app_with};

const TOKEN: &str = "/api/v1/auth/token";

#[tokio::test]
async fn sixty_concurrent_wrong_passwords_have_only_the_first_five_verified_and_the_rest_answered_429() {
    let app = spawn_app_with(AppOptions {
        // The defaults: 5 per account, 20 per address, over 15 minutes.
        customise: |s| {
            s.login_max_failures_per_account = 5;
            s.login_max_failures_per_address = 20;
            s.login_failure_window_secs = 900;
        },
        ..AppOptions::default()
    })
    .await;
    let attempts = (0..60).map(|i| {
        let app = &app;
        async move {
            let wrong =
                json!({"grant_type": "password", "email": ADMIN_EMAIL, "password": format!("wrong-password-{i}")});
            app.post_json(TOKEN, None, &wrong).await
        }
    });
    let responses = join_all(attempts).await;
    let mut refused = 0;
    let mut throttled = 0;
    for response in responses {
        match response.status().as_u16() {
            400 => {
                assert_problem(response, 400, "invalid_grant").await;
                refused += 1;
            }
            429 => {
                let retry_after: u64 = response.headers()["retry-after"]
                    .to_str()
                    .expect("ascii")
                    .parse()
                    .expect("seconds");
                assert!((1..=900).contains(&retry_after), "Retry-After {retry_after}");
                assert_problem(response, 429, "rate_limited").await;
                throttled += 1;
            }
            other => panic!("unexpected status {other}"),
        }
    }
    // Every 400 is a verified password: exactly the limit may be, the first of the burst.
    assert_eq!(
        refused, 5,
        "{refused} passwords verified (answered 400), {throttled} throttled"
    );
    assert_eq!(refused + throttled, 60);
    // Only the verified attempts count as failures: throttled ones do not extend the window.
    let recorded = entities::login_failures::Entity::find()
        .count(&app.db)
        .await
        .expect("count failures");
    assert_eq!(recorded, refused, "failures recorded");

    let right = json!({"grant_type": "password", "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD});
    let locked = app.post_json(TOKEN, None, &right).await;
    assert!(locked.headers().contains_key("retry-after"));
    assert_problem(locked, 429, "rate_limited").await;
}

#[tokio::test]
async fn the_right_password_is_refused_until_the_window_passes_and_then_signs_in() {
    let app = spawn_app_with(AppOptions {
        customise: |s| {
            s.login_max_failures_per_account = 2;
            s.login_failure_window_secs = 2;
        },
        ..AppOptions::default()
    })
    .await;
    let wrong = json!({"grant_type": "password", "email": ADMIN_EMAIL, "password": "wrong-password"});
    for _ in 0..2 {
        assert_problem(app.post_json(TOKEN, None, &wrong).await, 400, "invalid_grant").await;
    }
    let right = json!({"grant_type": "password", "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD});
    let started = std::time::Instant::now();
    // Retrying while throttled does not push the end of the window back.
    loop {
        let response = app.post_json(TOKEN, None, &right).await;
        if response.status() == 200 {
            break;
        }
        assert_problem(response, 429, "rate_limited").await;
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "still throttled long after the window"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(
        started.elapsed() >= std::time::Duration::from_secs(1),
        "the lock held for the window"
    );
}
