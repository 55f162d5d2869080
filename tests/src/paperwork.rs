//! The paperwork a deal's stages need (办理贷款及过户手续): a mortgage or
//! provident-fund deal leaves `loan_processing` only with an approved loan,
//! and every deal leaves `title_transfer` only with its title transfer on
//! record. Tests that walk a deal through its stages record them first, as
//! staff do, through the API.

use chrono::{NaiveDate, Utc};
use serde_json::json;

use crate::{TestApp, client::expect_json};

/// Today in the app's business time zone.
pub fn today(app: &TestApp) -> NaiveDate {
    Utc::now().with_timezone(&app.settings.timezone).date_naive()
}

/// Records, as `token`, what moving `deal` to `to` needs: an approved loan
/// before a loan-paid deal moves to `title_transfer`, the title transfer
/// before a deal moves to `handover_ready`. Nothing for any other move.
pub async fn prepare_move(app: &TestApp, token: &str, deal: &str, to: &str) {
    let path = format!("/api/v1/deals/{deal}");
    match to {
        "title_transfer" => {
            let current = expect_json(app.get(&path, Some(token)).await, 200).await;
            let by_loan = matches!(current["payment_method"].as_str(), Some("mortgage" | "provident_fund"));
            if by_loan && current["stage"] == "loan_processing" {
                let price = current["agreed_price_fen"].as_i64().expect("price");
                let loan = json!({"bank": "中国建设银行", "amount_fen": price / 2, "approved_on": today(app),
                                  "status": "approved"});
                expect_json(app.put_json(&format!("{path}/loan"), Some(token), &loan).await, 200).await;
            }
        }
        "handover_ready" => {
            let transfer = json!({"certificate_number": "沪(2026)浦东新区不动产权第0000001号",
                                  "transferred_on": today(app)});
            let response = app
                .put_json(&format!("{path}/title-transfer"), Some(token), &transfer)
                .await;
            expect_json(response, 200).await;
        }
        _ => {}
    }
}
