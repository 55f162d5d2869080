//! The demo's sales record: units, customers at every status with their
//! follow-ups and needs, deals in every stage with inspection, handover and
//! visits, complaints, targets, trainings and an open day, spread over the
//! last four months so that every endpoint and every figure shows data.
//! Written straight to the tables (history needs past times), with the
//! timeline entries the services would have written.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use entities::{
    complaints,
    complaints::Severity,
    customer_events, customers,
    customers::Channel,
    deals,
    deals::{LoanStatus, PaymentMethod},
    event_invitations, follow_ups,
    follow_ups::FollowUpKind,
    handover_checklist_items,
    handover_checklist_items::ChecklistItem,
    handovers, inspection_issues, needs_assessments,
    needs_assessments::{Purpose, Reaction},
    targets,
    targets::TargetLevel,
    timeline_entries,
    timeline_entries::TimelineKind,
    training_attendees, trainings, units,
    units::UnitStatus,
    visits,
};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Iterable, Set};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::platform::error::DomainError;

/// A demo consultant and the team it belongs to.
#[derive(Debug, Clone, Copy)]
pub struct Seller {
    pub id: Uuid,
    pub team_id: Uuid,
    pub manager_id: Uuid,
    pub region_id: Uuid,
}

/// What the sales record holds, for the start-up banner.
#[derive(Debug, Clone, Default)]
pub struct SalesSummary {
    pub units: usize,
    pub customers: usize,
    pub deals: usize,
    pub complaints: usize,
    /// Customers that came from the demo partner client (its view shows
    /// what a partner sees of them).
    pub partner_leads: usize,
}

/// A small deterministic generator, so that every demo looks the same.
struct Dice(u64);

impl Dice {
    fn next(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % below.max(1)
    }
}

const SURNAMES: [&str; 12] = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙"];
const LAYOUTS: [&str; 4] = ["2室1厅", "3室2厅", "3室2厅", "4室2厅"];
const LOST_REASONS: [&str; 3] = [
    "在附近买了二手房 bought a resale flat nearby",
    "贷款预审后预算缩减 budget cut after the loan pre-check",
    "搬去外地 moved to another city",
];

/// The banks of the demo's mortgages.
const BANKS: [&str; 3] = [
    "中国建设银行 China Construction Bank",
    "招商银行 China Merchants Bank",
    "中国工商银行 ICBC",
];

/// Where a demo customer's story stops.
const STORIES: [&str; 12] = [
    "new",
    "contacted",
    "needs_assessed",
    "active",
    "negotiating",
    "subscribed",
    "contracted",
    "loan_processing",
    "handover_ready",
    "handed_over",
    "closed",
    "lost",
];

/// A deal's regular path: every stage but `cancelled`, in order, by name.
fn regular_path() -> Vec<String> {
    crate::sales::deal_stages::all()
        .filter(|stage| *stage != crate::sales::deal_stages::Stage::Cancelled)
        .map(|stage| stage.to_string())
        .collect()
}

struct Writer<'a, C> {
    db: &'a C,
    now: DateTime<Utc>,
    /// Works the paperwork of every contracted deal.
    support: Uuid,
    /// The demo partner client: customers from partner platforms are its leads.
    partner: Uuid,
    dice: Dice,
    summary: SalesSummary,
}

impl<C: ConnectionTrait> Writer<'_, C> {
    async fn timeline(
        &self,
        customer: Uuid,
        kind: TimelineKind,
        at: DateTime<Utc>,
        actor: Option<Uuid>,
        subject: Option<Uuid>,
        data: Value,
    ) -> Result<(), DomainError> {
        timeline_entries::ActiveModel {
            id: Set(Uuid::now_v7()),
            customer_id: Set(customer),
            kind: Set(kind),
            occurred_at: Set(at),
            actor_user_id: Set(actor),
            actor_client_id: Set(None),
            subject_id: Set(subject),
            data: Set(data),
        }
        .insert(self.db)
        .await?;
        Ok(())
    }

    async fn units(&mut self) -> Result<Vec<units::Model>, DomainError> {
        let mut out = Vec::new();
        for (project, price_per_sqm) in [("滨江壹号 Riverside One", 62_000i64), ("森林湾 Forest Bay", 38_000)] {
            for building in ["1", "2", "3"] {
                for floor in [6, 12, 18, 24, 30] {
                    for door in [1, 2] {
                        let layout = LAYOUTS[self.dice.next(4) as usize];
                        let area_centi = 7_000 + i32::try_from(self.dice.next(7_000)).unwrap_or(0);
                        let price = i64::from(area_centi) * price_per_sqm + i64::from(floor) * 1_000_000;
                        let unit = units::ActiveModel {
                            id: Set(Uuid::now_v7()),
                            project: Set(project.to_owned()),
                            building: Set(building.to_owned()),
                            number: Set(format!("{floor:02}0{door}")),
                            layout: Set(layout.to_owned()),
                            area_sqm_centi: Set(area_centi),
                            list_price_fen: Set(price),
                            status: Set(UnitStatus::Available),
                            created_at: Set(self.now - Duration::days(150)),
                            updated_at: Set(self.now - Duration::days(150)),
                        }
                        .insert(self.db)
                        .await?;
                        out.push(unit);
                    }
                }
            }
        }
        self.summary.units = out.len();
        Ok(out)
    }

    async fn follow_up(
        &self,
        customer: Uuid,
        seller: Uuid,
        at: DateTime<Utc>,
        kind: FollowUpKind,
        notes: &str,
    ) -> Result<(), DomainError> {
        let id = Uuid::now_v7();
        follow_ups::ActiveModel {
            id: Set(id),
            customer_id: Set(customer),
            author_id: Set(Some(seller)),
            kind: Set(kind),
            occurred_at: Set(at),
            reached: Set(true),
            notes: Set(Some(notes.to_owned())),
            next_step: Set(None),
            next_follow_up_at: Set(Some(at + Duration::days(7))),
            created_at: Set(at),
        }
        .insert(self.db)
        .await?;
        let data = json!({"kind": kind, "reached": true, "notes": notes});
        self.timeline(customer, TimelineKind::FollowUp, at, Some(seller), Some(id), data)
            .await
    }

    /// One customer whose story stops at `story`, begun `age` days ago.
    async fn customer(
        &mut self,
        seller: Seller,
        n: usize,
        story: &str,
        age: i64,
        unit: Option<&units::Model>,
    ) -> Result<(), DomainError> {
        let created = self.now - Duration::days(age) - Duration::hours(self.dice.next(10) as i64);
        let id = Uuid::now_v7();
        let digits = format!("139{:08}", 10_000_000 + n * 7_919 % 89_999_999);
        // Numbers written as people write them; the key finds them however searched.
        let written = match n % 3 {
            0 => digits.clone(),
            1 => format!("{}-{}-{}", &digits[..3], &digits[3..7], &digits[7..]),
            _ => format!("+86 {} {} {}", &digits[..3], &digits[3..7], &digits[7..]),
        };
        let phone = crate::platform::phone::Phone::parse(&written)
            .map_err(|e| DomainError::Internal(format!("demo phone {written}: {e:?}")))?;
        let reached = story != "new";
        let assessed = !matches!(story, "new" | "contacted");
        let first_response = created + Duration::hours(2 + self.dice.next(20) as i64);
        let needs_at = first_response + Duration::days(1);
        let mut last_follow_up = reached.then_some(first_response);
        let status = match story {
            "loan_processing" | "handover_ready" => "contracted",
            "closed" => "handed_over",
            other => other,
        };
        let lost = story == "lost";
        let channels: Vec<Channel> = Channel::iter().collect();
        let channel = channels[n % channels.len()];
        let pushed = channel == Channel::PartnerPlatform;
        if pushed {
            self.summary.partner_leads += 1;
        }
        customers::ActiveModel {
            id: Set(id),
            name: Set(format!(
                "{}{}",
                SURNAMES[n % SURNAMES.len()],
                if n.is_multiple_of(2) { "先生" } else { "女士" }
            )),
            phone: Set(Some(phone.as_written().to_owned())),
            phone_key: Set(Some(phone.key().to_owned())),
            email: Set(None),
            wechat_id: Set(n.is_multiple_of(3).then(|| format!("wx_demo_{n}"))),
            channel: Set(channel),
            status: Set(status
                .parse()
                .map_err(|e| DomainError::Internal(format!("demo story {story}: {e}")))?),
            lost_reason: Set(lost.then(|| LOST_REASONS[n % LOST_REASONS.len()].to_owned())),
            key_account: Set(n.is_multiple_of(11)),
            account_manager_id: Set(None),
            owner_id: Set(Some(seller.id)),
            team_id: Set(Some(seller.team_id)),
            source_client_id: Set(pushed.then_some(self.partner)),
            external_id: Set(pushed.then(|| format!("demo-lead-{n}"))),
            created_by: Set(Some(seller.id)),
            assigned_at: Set(Some(created)),
            first_response_at: Set(reached.then_some(first_response)),
            needs_assessed_at: Set(assessed.then_some(needs_at)),
            last_follow_up_at: Set(None),
            lost_at: Set(lost.then_some(needs_at + Duration::days(5))),
            lost_from_status: Set(lost.then_some(customers::CustomerStatus::NeedsAssessed)),
            merged_into_id: Set(None),
            project_of_interest: Set(None),
            district_of_interest: Set(None),
            next_due_at: sea_orm::NotSet,
            next_due_kind: sea_orm::NotSet,
            created_at: Set(created),
            updated_at: Set(created),
        }
        .insert(self.db)
        .await?;
        self.summary.customers += 1;
        self.timeline(
            id,
            TimelineKind::Created,
            created,
            Some(seller.id),
            None,
            json!({"channel": channel}),
        )
        .await?;
        let assigned = json!({"consultant_id": seller.id, "team_id": seller.team_id, "strategy": "round_robin",
                              "reason": "demo"});
        self.timeline(
            id,
            TimelineKind::Assigned,
            created,
            Some(seller.manager_id),
            Some(seller.id),
            assigned,
        )
        .await?;
        if reached {
            self.follow_up(
                id,
                seller.id,
                first_response,
                FollowUpKind::Call,
                "First call; sent the project brochure",
            )
            .await?;
        }
        if assessed {
            let needs_id = Uuid::now_v7();
            let recommended: Vec<Value> = unit
                .map(|u| json!({"unit_id": u.id, "reaction": Reaction::Interested}))
                .into_iter()
                .collect();
            needs_assessments::ActiveModel {
                id: Set(needs_id),
                customer_id: Set(id),
                author_id: Set(Some(seller.id)),
                budget_min_fen: Set(Some(300_000_000)),
                budget_max_fen: Set(Some(600_000_000)),
                districts: Set(json!(["浦东", "徐汇"])),
                layout: Set(Some("3室2厅".to_owned())),
                area_min_sqm: Set(Some(85)),
                area_max_sqm: Set(Some(130)),
                purpose: Set(Some(if n.is_multiple_of(4) {
                    Purpose::Investment
                } else {
                    Purpose::OwnUse
                })),
                notes: Set(Some("Two children; near a good school".to_owned())),
                recommendations: Set(json!(recommended)),
                assessed_at: Set(needs_at),
                created_at: Set(needs_at),
                updated_at: Set(needs_at),
            }
            .insert(self.db)
            .await?;
            let data = json!({"layout": "3室2厅", "recommended_units": recommended.len()});
            self.timeline(
                id,
                TimelineKind::NeedsAssessed,
                needs_at,
                Some(seller.id),
                Some(needs_id),
                data,
            )
            .await?;
            let showing = needs_at + Duration::days(3);
            if showing < self.now {
                self.follow_up(
                    id,
                    seller.id,
                    showing,
                    FollowUpKind::Showing,
                    "Showed the recommended units",
                )
                .await?;
                last_follow_up = Some(showing);
            }
        }
        if lost {
            let data = json!({"from": "needs_assessed", "to": "lost", "reason": LOST_REASONS[n % LOST_REASONS.len()]});
            let at = needs_at + Duration::days(5);
            self.timeline(id, TimelineKind::StatusChanged, at, Some(seller.id), None, data)
                .await?;
        }
        if let Some(at) = last_follow_up {
            let active = customers::ActiveModel {
                id: Set(id),
                last_follow_up_at: Set(Some(at)),
                ..Default::default()
            };
            active.update(self.db).await?;
        }
        if let Some(unit) = unit {
            self.deal(seller, id, unit, story, needs_at + Duration::days(4), n)
                .await?;
        }
        Ok(())
    }

    /// A deal that has reached `story`, begun at `start`.
    async fn deal(
        &mut self,
        seller: Seller,
        customer: Uuid,
        unit: &units::Model,
        story: &str,
        start: DateTime<Utc>,
        n: usize,
    ) -> Result<(), DomainError> {
        let path = regular_path();
        let reached = path.iter().position(|s| s == story).unwrap_or(0);
        let id = Uuid::now_v7();
        let price = unit.list_price_fen / 100 * 97;
        let at = |i: usize| start + Duration::days(i as i64 * 6);
        let stamp = |i: usize| (reached >= i).then(|| at(i));
        let planned = (at(5) + Duration::days(10)).date_naive();
        let payment = if n.is_multiple_of(3) {
            PaymentMethod::Full
        } else {
            PaymentMethod::Mortgage
        };
        // The paperwork the stages need (`deal_stages::missing_paperwork`):
        // a mortgage in the loan stage has applied, one past it is approved;
        // a deal past the title transfer has its new certificate.
        let loan_index = path.iter().position(|s| s == "loan_processing").unwrap_or(3);
        let transfer_index = path.iter().position(|s| s == "title_transfer").unwrap_or(4);
        let loan = (payment == PaymentMethod::Mortgage && reached >= loan_index).then(|| {
            let granted = reached > loan_index;
            let status = if granted {
                LoanStatus::Approved
            } else {
                LoanStatus::Applied
            };
            (
                BANKS[n % BANKS.len()],
                price / 10 * 6,
                granted.then(|| at(3).date_naive()),
                status,
            )
        });
        let title = (reached > transfer_index).then(|| {
            let number = format!("沪(2026)浦东新区不动产权第{:07}号", 1_000_000 + n * 37);
            (number, (at(4) + Duration::days(2)).date_naive())
        });
        deals::ActiveModel {
            id: Set(id),
            customer_id: Set(customer),
            unit_id: Set(unit.id),
            consultant_id: Set(seller.id),
            team_id: Set(Some(seller.team_id)),
            support_id: Set((reached >= 2).then_some(self.support)),
            agreed_price_fen: Set(price),
            payment_method: Set(payment),
            planned_handover_on: Set(Some(planned)),
            stage: Set(path[reached]
                .parse()
                .map_err(|e| DomainError::Internal(format!("demo stage: {e}")))?),
            subscribed_at: Set(stamp(1)),
            contracted_at: Set(stamp(2)),
            handed_over_at: Set(stamp(6)),
            closed_at: Set(stamp(7)),
            cancelled_at: Set(None),
            cancel_reason: Set(None),
            loan_bank: Set(loan.map(|l| l.0.to_owned())),
            loan_amount_fen: Set(loan.map(|l| l.1)),
            loan_approved_on: Set(loan.and_then(|l| l.2)),
            loan_status: Set(loan.map(|l| l.3)),
            title_certificate_number: Set(title.as_ref().map(|t| t.0.clone())),
            title_transferred_on: Set(title.map(|t| t.1)),
            created_at: Set(start),
            updated_at: Set(at(reached)),
        }
        .insert(self.db)
        .await?;
        self.summary.deals += 1;
        let unit_status = match reached {
            0 => UnitStatus::Available,
            1 => UnitStatus::Subscribed,
            _ => UnitStatus::Sold,
        };
        units::ActiveModel {
            id: Set(unit.id),
            status: Set(unit_status),
            ..Default::default()
        }
        .update(self.db)
        .await?;
        let created = json!({"deal_id": id, "unit_id": unit.id, "agreed_price_fen": price});
        self.timeline(
            customer,
            TimelineKind::DealCreated,
            start,
            Some(seller.id),
            Some(id),
            created,
        )
        .await?;
        for i in 1..=reached {
            let data = json!({"deal_id": id, "from": path[i - 1], "to": path[i], "unit_id": unit.id,
                              "agreed_price_fen": price});
            self.timeline(
                customer,
                TimelineKind::DealStageChanged,
                at(i),
                Some(seller.id),
                Some(id),
                data,
            )
            .await?;
        }
        if (2..=5).contains(&reached) && n.is_multiple_of(2) && at(2) + Duration::days(1) < self.now {
            self.complaint(seller, customer, Some(id), at(2) + Duration::days(1), n / 2)
                .await?;
        }
        if reached >= 5 {
            self.after_sales(seller, customer, id, reached >= 6, at(5), at(6), n)
                .await?;
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    async fn after_sales(
        &mut self,
        seller: Seller,
        customer: Uuid,
        deal: Uuid,
        handed_over: bool,
        inspected: DateTime<Utc>,
        handover: DateTime<Utc>,
        n: usize,
    ) -> Result<(), DomainError> {
        for (i, (what, place)) in [
            ("Scratched kitchen worktop", "kitchen"),
            ("Balcony door does not close", "balcony"),
        ]
        .into_iter()
        .enumerate()
        {
            let resolved = handed_over || i == 0;
            let issue = Uuid::now_v7();
            inspection_issues::ActiveModel {
                id: Set(issue),
                deal_id: Set(deal),
                description: Set(what.to_owned()),
                location: Set(Some(place.to_owned())),
                status: Set(if resolved {
                    inspection_issues::IssueStatus::Resolved
                } else {
                    inspection_issues::IssueStatus::Rectifying
                }),
                resolution: Set(resolved.then(|| "Property management replaced it".to_owned())),
                reported_by: Set(Some(seller.id)),
                reported_at: Set(inspected),
                resolved_at: Set(resolved.then(|| inspected + Duration::days(3))),
                updated_at: Set(inspected),
            }
            .insert(self.db)
            .await?;
            let data = json!({"deal_id": deal, "description": what, "status": "open"});
            self.timeline(
                customer,
                TimelineKind::InspectionIssue,
                inspected,
                Some(seller.id),
                Some(issue),
                data,
            )
            .await?;
        }
        for item in ChecklistItem::iter() {
            handover_checklist_items::ActiveModel {
                deal_id: Set(deal),
                item: Set(item),
                done: Set(handed_over || item != ChecklistItem::Keys),
                note: Set(None),
                updated_by: Set(Some(seller.id)),
                updated_at: Set(inspected),
            }
            .insert(self.db)
            .await?;
        }
        if !handed_over {
            return Ok(());
        }
        handovers::ActiveModel {
            deal_id: Set(deal),
            handed_over_at: Set(handover),
            recipient: Set("The buyer in person".to_owned()),
            notes: Set(Some("Keys, manuals and certificate handed over".to_owned())),
            recorded_by: Set(Some(seller.id)),
            created_at: Set(handover),
        }
        .insert(self.db)
        .await?;
        self.timeline(
            customer,
            TimelineKind::HandoverCompleted,
            handover,
            Some(seller.id),
            Some(deal),
            json!({"deal_id": deal}),
        )
        .await?;
        let visited = handover + Duration::days(10 + self.dice.next(15) as i64);
        if visited < self.now {
            let satisfaction = [5, 4, 5, 3, 4][n % 5];
            let visit = Uuid::now_v7();
            visits::ActiveModel {
                id: Set(visit),
                deal_id: Set(deal),
                customer_id: Set(customer),
                consultant_id: Set(seller.id),
                team_id: Set(Some(seller.team_id)),
                visited_at: Set(visited),
                satisfaction: Set(satisfaction),
                feedback: Set(Some(
                    "Happy with the flat; the lift was slow in the first week".to_owned(),
                )),
                recorded_by: Set(Some(seller.id)),
                created_at: Set(visited),
            }
            .insert(self.db)
            .await?;
            let data = json!({"deal_id": deal, "satisfaction": satisfaction});
            self.timeline(
                customer,
                TimelineKind::Visit,
                visited,
                Some(seller.id),
                Some(visit),
                data,
            )
            .await?;
            if satisfaction == 3 {
                self.complaint(seller, customer, Some(deal), visited, n).await?;
            }
        }
        Ok(())
    }

    async fn complaint(
        &mut self,
        seller: Seller,
        customer: Uuid,
        deal: Option<Uuid>,
        received: DateTime<Utc>,
        n: usize,
    ) -> Result<(), DomainError> {
        let major = self.dice.next(3) == 0;
        let resolved = (!n.is_multiple_of(4)).then(|| received + Duration::hours(20 + self.dice.next(60) as i64));
        let resolved = resolved.filter(|at| *at < self.now);
        let id = Uuid::now_v7();
        let severity = if major { Severity::Major } else { Severity::Minor };
        complaints::ActiveModel {
            id: Set(id),
            customer_id: Set(customer),
            deal_id: Set(deal),
            consultant_id: Set(Some(seller.id)),
            team_id: Set(Some(seller.team_id)),
            handler_id: Set(major.then_some(seller.manager_id)),
            severity: Set(severity),
            summary: Set("Water stain on the bedroom ceiling after rain".to_owned()),
            status: Set(if resolved.is_some() {
                complaints::ComplaintStatus::Resolved
            } else {
                complaints::ComplaintStatus::Open
            }),
            received_at: Set(received),
            resolved_at: Set(resolved),
            resolution: Set(resolved.map(|_| "Property management re-sealed the roof".to_owned())),
            created_by: Set(Some(seller.id)),
            created_at: Set(received),
            updated_at: Set(resolved.unwrap_or(received)),
        }
        .insert(self.db)
        .await?;
        self.summary.complaints += 1;
        let data = json!({"severity": severity, "handler_id": major.then_some(seller.manager_id)});
        self.timeline(
            customer,
            TimelineKind::ComplaintReceived,
            received,
            Some(seller.id),
            Some(id),
            data,
        )
        .await?;
        if let Some(at) = resolved {
            self.timeline(
                customer,
                TimelineKind::ComplaintResolved,
                at,
                Some(seller.manager_id),
                Some(id),
                json!({}),
            )
            .await?;
        }
        Ok(())
    }
}

/// Writes the demo sales record for `sellers` (two or more per team).
pub async fn load(
    db: &impl ConnectionTrait,
    sellers: &[Seller],
    director: Uuid,
    customer_manager: Uuid,
    support: Uuid,
    partner: Uuid,
    tz: chrono_tz::Tz,
) -> Result<SalesSummary, DomainError> {
    let now = Utc::now();
    let mut w = Writer {
        db,
        now,
        support,
        partner,
        dice: Dice(0x5eed_2026_1127),
        summary: SalesSummary::default(),
    };
    let units = w.units().await?;
    let mut free = units.iter();
    let mut n = 0;
    for seller in sellers {
        for (i, story) in STORIES.iter().enumerate() {
            n += 1;
            // Later stories began earlier, so that their history fits.
            // A deal's stages are six days apart; the offset spreads the
            // subscriptions over this month and the ones before (2 to 61
            // days ago). Closed deals began two months further back and were
            // subscribed 97 to 127 days ago, so that the last finished
            // quarter (ended 1 to 92 days ago, 90 to 92 days long) holds
            // sales whatever the day the demo is loaded: its Sales Star,
            // which the talent list reads, has sellers to rank.
            let stage = regular_path().iter().position(|s| s == story);
            let age = match (*story, stage) {
                ("new", _) => 0,
                ("contacted", _) => 2,
                ("needs_assessed", _) => 6,
                ("closed", Some(k)) => 67 + 6 * k as i64 + w.dice.next(30) as i64,
                (_, Some(k)) => 7 + 6 * k as i64 + w.dice.next(30) as i64,
                _ => 20 + i as i64,
            };
            let with_deal = !matches!(*story, "new" | "contacted" | "needs_assessed" | "active" | "lost");
            let unit = if with_deal { free.next() } else { None };
            w.customer(*seller, n, story, age, unit).await?;
        }
    }

    // Targets split down (销售目标分解): the department's year into its
    // quarters and regions, each region's year and this quarter into its
    // teams, each team's quarter into its months, and this month of each team
    // into its consultants (the monthly plan). Every split adds up to its
    // target or less, never more.
    // The periods of today in the business time zone, as the figures count them.
    let today = now.with_timezone(&tz).date_naive();
    let year = crate::platform::calendar::Year::of_day(today);
    let quarter = crate::platform::calendar::Quarter::of_day(today);
    let month = crate::platform::calendar::Month::of_day(today);
    let mut teams: Vec<(Uuid, Uuid)> = sellers.iter().map(|s| (s.team_id, s.region_id)).collect();
    teams.sort_unstable();
    teams.dedup();
    let mut regions: Vec<Uuid> = teams.iter().map(|t| t.1).collect();
    regions.sort_unstable();
    regions.dedup();
    let months: Vec<String> = (0..3)
        .filter_map(|i| crate::platform::calendar::Month::new(year.number(), (quarter.number() - 1) * 3 + 1 + i))
        .map(|m| m.to_string())
        .collect();
    let department = (TargetLevel::Department, None, None, None, "department".to_owned());
    let region_years = 48 * 3 * i32::try_from(regions.len()).unwrap_or(1);
    let mut rows = vec![(year.to_string(), department.clone(), region_years + 12)];
    for q in 1..=4 {
        let q = crate::platform::calendar::Quarter::new(year.number(), q).map(|q| q.to_string());
        rows.extend(q.map(|q| (q, department.clone(), (region_years + 12) / 4)));
    }
    for region in &regions {
        let subject = (
            TargetLevel::Region,
            Some(*region),
            None,
            None,
            format!("region:{region}"),
        );
        rows.push((year.to_string(), subject.clone(), 48 * 3));
        rows.push((quarter.to_string(), subject, 12 * 3));
    }
    for (team, _) in &teams {
        let members: Vec<Uuid> = sellers.iter().filter(|s| s.team_id == *team).map(|s| s.id).collect();
        let monthly = i32::try_from(members.len()).unwrap_or(i32::MAX).max(4);
        let subject = (TargetLevel::Team, None, Some(*team), None, format!("team:{team}"));
        rows.push((year.to_string(), subject.clone(), 48));
        rows.push((quarter.to_string(), subject.clone(), 3 * monthly));
        rows.extend(months.iter().map(|m| (m.clone(), subject.clone(), monthly)));
        for member in members {
            let subject = (
                TargetLevel::Consultant,
                None,
                Some(*team),
                Some(member),
                format!("consultant:{member}"),
            );
            rows.push((month.to_string(), subject, 1));
        }
    }
    for (period, (level, region, team, user, subject), units) in rows {
        targets::ActiveModel {
            id: Set(Uuid::now_v7()),
            period: Set(period),
            level: Set(level),
            region_id: Set(region),
            team_id: Set(team),
            user_id: Set(user),
            subject: Set(subject),
            units: Set(units),
            amount_fen: Set(i64::from(units) * 450_000_000),
            set_by: Set(Some(director)),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(db)
        .await?;
    }

    // Two trainings per team: last month and this month, with exam results;
    // and an advanced one (高端培训) in two weeks, offered to the talent list first.
    for (team, _) in &teams {
        let members: Vec<Uuid> = sellers.iter().filter(|s| s.team_id == *team).map(|s| s.id).collect();
        for (title, days_ago) in [
            ("按揭与公积金贷款政策 Mortgage and provident-fund rules", 35),
            ("客户异议处理 Handling objections", 5),
            ("高端培训：豪宅销售 Advanced: selling luxury homes", -14),
        ] {
            let advanced = days_ago < 0;
            let training = Uuid::now_v7();
            trainings::ActiveModel {
                id: Set(training),
                title: Set(title.to_owned()),
                topic: Set(Some("销售技巧 Sales skills".to_owned())),
                team_id: Set(Some(*team)),
                held_at: Set(now - Duration::days(days_ago)),
                trainer: Set(Some("培训部 Training department".to_owned())),
                advanced: Set(advanced),
                created_by: Set(Some(director)),
                created_at: Set(now - Duration::days(days_ago.max(0) + 7)),
                updated_at: Set(now - Duration::days(days_ago.max(0))),
            }
            .insert(db)
            .await?;
            if advanced {
                continue;
            }
            for (i, member) in members.iter().enumerate() {
                training_attendees::ActiveModel {
                    training_id: Set(training),
                    user_id: Set(*member),
                    attended: Set(i == 0 || days_ago > 10),
                    exam_passed: Set(Some(i == 0 || days_ago > 10)),
                    updated_at: Set(now - Duration::days(days_ago)),
                }
                .insert(db)
                .await?;
            }
        }
    }

    // An open day next week with a few customers invited.
    let event = Uuid::now_v7();
    let next_saturday = {
        let today = now.date_naive();
        let ahead = (6 + 7 - today.weekday().num_days_from_monday()) % 7 + 1;
        NaiveDate::from_ymd_opt(today.year(), today.month(), today.day()).map_or(now, |d| {
            (d + Duration::days(i64::from(ahead)))
                .and_hms_opt(2, 0, 0)
                .map_or(now, |t| t.and_utc())
        })
    };
    customer_events::ActiveModel {
        id: Set(event),
        title: Set("滨江壹号开放日 Riverside One open day".to_owned()),
        kind: Set(customer_events::CustomerEventKind::OpenDay),
        starts_at: Set(next_saturday),
        location: Set(Some("滨江壹号售楼处 Riverside One sales centre".to_owned())),
        created_by: Set(Some(customer_manager)),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    let invited: Vec<customers::Model> = {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
        customers::Entity::find()
            .filter(customers::Column::Status.is_in([
                customers::CustomerStatus::NeedsAssessed,
                customers::CustomerStatus::Active,
                customers::CustomerStatus::Negotiating,
            ]))
            .limit(6)
            .all(db)
            .await?
    };
    for customer in invited {
        event_invitations::ActiveModel {
            event_id: Set(event),
            customer_id: Set(customer.id),
            attended: Set(false),
            invited_by: Set(Some(customer_manager)),
            invited_at: Set(now),
            updated_at: Set(now),
        }
        .insert(db)
        .await?;
        w.timeline(
            customer.id,
            TimelineKind::EventInvited,
            now,
            Some(customer_manager),
            Some(event),
            json!({"event_id": event}),
        )
        .await?;
    }
    deadlines(db).await?;
    Ok(w.summary)
}

/// The deadlines the services would have started for the demo's open work
/// (a lead's first response and needs assessment, the weekly follow-up of
/// a customer being worked, an open complaint), so that the agenda
/// (`GET /me/agenda`) and the reminders show the demo's day. Only those
/// still ahead: a fresh demo starts with nothing missed, not with a burst
/// of breaches as its workers start.
async fn deadlines(db: &impl ConnectionTrait) -> Result<(), DomainError> {
    use crate::outbox::sla::{self, SlaKind};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let now = Utc::now();
    let mut ahead = std::collections::HashMap::new();
    for policy in sla::all_current(db).await? {
        ahead.insert(policy.kind, Duration::seconds(policy.duration_secs));
    }
    let start = |kind: SlaKind, subject: Uuid, customer: Uuid, anchor: DateTime<Utc>| {
        let due = ahead.get(&kind).map(|d| anchor + *d);
        async move {
            match due {
                Some(due) if due > now => sla::start(db, kind, subject, Some(customer), anchor).await,
                _ => Ok(()),
            }
        }
    };
    for c in customers::Entity::find().all(db).await? {
        if c.status == customers::CustomerStatus::Lost {
            continue;
        }
        if c.first_response_at.is_none() {
            start(SlaKind::FirstResponse, c.id, c.id, c.created_at).await?;
        }
        if c.needs_assessed_at.is_none() {
            start(SlaKind::NeedsAssessment, c.id, c.id, c.created_at).await?;
        }
        if let Some(last) = c.last_follow_up_at.or(c.first_response_at)
            && sla::is_worked(c.status)
        {
            start(SlaKind::FollowUp, c.id, c.id, last).await?;
        }
    }
    let open = complaints::Entity::find()
        .filter(complaints::Column::Status.eq(complaints::ComplaintStatus::Open))
        .all(db)
        .await?;
    for complaint in open {
        start(
            SlaKind::ComplaintResolution,
            complaint.id,
            complaint.customer_id,
            complaint.received_at,
        )
        .await?;
    }
    Ok(())
}
