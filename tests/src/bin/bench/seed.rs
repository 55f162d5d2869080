//! `bench seed`: fills a fresh database with a sales organisation of a
//! chosen size in bulk (multi-row `INSERT`s, several at once on
//! PostgreSQL) and prints the time and rate per table. The other
//! benchmarks (`http`, `scale`) seed through [`organisation`] or reuse a
//! database kept with `--keep`.
//!
//! `target/release/bench seed [--customers 1000000] [--follow-ups 10000000] [--deals 200000] [--consultants 500] [--teams 100] [--keep]`
//!
//! The organisation: regions of ten teams, each team with a manager and
//! its consultants; a director and a customer manager (who reads and
//! writes every customer: the benchmarks sign in as this account,
//! [`READER_EMAIL`]); customers created evenly over the past year (ids are
//! UUIDv7 of their creation time), owned by the consultants, in statuses
//! that depend on their age; follow-ups spread over the customers (none
//! for leads of the last 20 hours, which are still `new`), the last one of
//! every customer still being worked within the last six days; deals on
//! evenly spread customers with stages by age (6 % cancelled), one unit
//! each plus 10 % units unsold; and the open deadlines the timer engine
//! would hold: the weekly follow-up of every customer being worked, the
//! first response and needs assessment of every new lead, and the periodic
//! runs of the periods just ended, marked done. Everything is
//! derived from the customer's index, so two seeds of one size agree
//! (except the instant they count back from).

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use domain::{Secret, Settings, platform::secret::ConnectionUrl};
use entities::{
    customers::{self, Channel, CustomerStatus},
    deals::{self, DealStage, LoanStatus, PaymentMethod},
    follow_ups::{self, FollowUpKind},
    regions, roles,
    sla_policies::{self, SlaKind},
    teams, timers, units, user_roles, users,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter, QueryOrder, Set,
    sea_query::Expr,
};
use tests::{Backends, TestData};
use uuid::Uuid;

/// The account the benchmarks sign in as: a customer manager, who reads
/// and writes every customer.
pub const READER_EMAIL: &str = "bench.reader@bench.estateflow.local";
/// The first team's manager.
pub const MANAGER_EMAIL: &str = "manager000@bench.estateflow.local";
/// The password of every seeded account.
pub const READER_PASSWORD: &str = "bench-password-2026";

/// How big an organisation to seed.
#[derive(Debug, Clone, clap::Args)]
pub struct Size {
    #[arg(long, default_value_t = 1_000_000)]
    pub customers: usize,
    #[arg(long, default_value_t = 10_000_000)]
    pub follow_ups: usize,
    #[arg(long, default_value_t = 200_000)]
    pub deals: usize,
    #[arg(long, default_value_t = 500)]
    pub consultants: usize,
    #[arg(long, default_value_t = 100)]
    pub teams: usize,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    size: Size,
    /// Leave the database (its URL is printed) for `psql` or `--database`.
    #[arg(long)]
    keep: bool,
}

/// Where a benchmark's organisation comes from: seeded at `size` into a
/// fresh database, or a database kept by `bench seed --keep`.
#[derive(Debug, clap::Args)]
pub struct Source {
    #[command(flatten)]
    pub size: Size,
    /// Reuse this seeded database (kept by `bench seed --keep`) instead of seeding.
    #[arg(long)]
    pub database: Option<String>,
    /// Keep the seeded database (its URL is printed).
    #[arg(long)]
    pub keep: bool,
}

impl Source {
    /// The workspace, seeded unless it was given; then its statistics gathered.
    pub async fn open(&self) -> (Workspace, Option<Seeded>) {
        let workspace = Workspace::open(self.database.clone()).await;
        let seeded = match &self.database {
            Some(_) => None,
            None => Some(organisation(&workspace.db, &self.size).await),
        };
        domain::platform::db::refresh_statistics(&workspace.db, &TABLES)
            .await
            .expect("analyze");
        (workspace, seeded)
    }
}

/// The tables the seeder fills that the benchmarks read.
pub const TABLES: [&str; 5] = ["customers", "follow_ups", "deals", "units", "timers"];

/// Rows written to one table, and how long it took.
#[derive(Debug, Clone)]
pub struct Written {
    pub table: &'static str,
    pub rows: usize,
    pub took: Duration,
}

/// What a seed wrote.
#[derive(Debug, Clone, Default)]
pub struct Seeded {
    pub tables: Vec<Written>,
    pub took: Duration,
}

impl Seeded {
    /// The Markdown table of rows, seconds and rows a second per table.
    pub fn print(&self) {
        println!("| table | rows | seconds | rows/s |");
        println!("|---|---:|---:|---:|");
        for w in &self.tables {
            let secs = w.took.as_secs_f64();
            println!(
                "| {} | {} | {secs:.1} | {:.0} |",
                w.table,
                w.rows,
                w.rows as f64 / secs.max(1e-9)
            );
        }
        let rows: usize = self.tables.iter().map(|w| w.rows).sum();
        let secs = self.took.as_secs_f64();
        println!("| all | {rows} | {secs:.1} | {:.0} |", rows as f64 / secs.max(1e-9));
    }
}

/// The database a benchmark works on: a fresh one (removed at the end
/// unless kept) or one given by URL; in production mode, a Redis
/// namespace of its own.
pub struct Workspace {
    pub db: DatabaseConnection,
    pub url: String,
    pub redis: Option<(String, String)>,
    data: TestData,
    fresh: bool,
}

impl Workspace {
    /// A fresh migrated database, or the one at `url`; the backends come
    /// from the environment (docs/benchmarks.md).
    pub async fn open(url: Option<String>) -> Workspace {
        let backends = Backends::from_env();
        let fresh = url.is_none();
        let data = match url {
            None => TestData::create(backends).await,
            Some(_) => TestData {
                postgres: None,
                sqlite_dir: None,
                redis: backends
                    .redis
                    .clone()
                    .map(|r| (r, format!("ef-bench-{}", Uuid::new_v4().simple()))),
            },
        };
        let url = url.unwrap_or_else(|| data.database_url());
        let settings = Settings {
            database_url: ConnectionUrl::new(url.clone()),
            database_max_connections: 6,
            ..Settings::default()
        };
        let db = domain::platform::db::connect(&settings).await.expect("connect");
        domain::migrate(&db).await.expect("migrate");
        Workspace {
            db,
            redis: data.redis.clone(),
            url,
            data,
            fresh,
        }
    }

    pub fn postgres(&self) -> bool {
        self.db.get_database_backend() == DbBackend::Postgres
    }

    /// "PostgreSQL + Redis" or "embedded (SQLite)".
    pub fn mode(&self) -> &'static str {
        if self.postgres() {
            "PostgreSQL + Redis"
        } else {
            "embedded (SQLite)"
        }
    }

    /// Removes what this benchmark created, unless `keep` (then prints the URL).
    pub async fn close(self, keep: bool) {
        self.db.close().await.ok();
        if keep && self.fresh {
            println!("\nkept: {}", self.url);
            if let Some((url, namespace)) = self.data.redis {
                tests::TestData {
                    postgres: None,
                    sqlite_dir: None,
                    redis: Some((url, namespace)),
                }
                .remove()
                .await;
            }
        } else if self.fresh || self.data.redis.is_some() {
            self.data.remove().await;
        }
    }
}

pub async fn run(args: Args) {
    let workspace = Workspace::open(None).await;
    let seeded = organisation(&workspace.db, &args.size).await;
    println!(
        "\n{}; {} customers, {} follow-ups, {} deals, {} consultants in {} teams, seeded in {:.1?}\n",
        workspace.mode(),
        args.size.customers,
        args.size.follow_ups,
        args.size.deals,
        args.size.consultants,
        args.size.teams,
        seeded.took
    );
    seeded.print();
    workspace.close(args.keep).await;
}

/// A stable pseudo-random number of `i` for the purpose `salt` (splitmix64).
fn mix(i: u64, salt: u64) -> u64 {
    let mut z = i.wrapping_add(salt.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// `mix` as a number in [0, 1).
fn unit(i: u64, salt: u64) -> f64 {
    (mix(i, salt) >> 11) as f64 / (1u64 << 53) as f64
}

/// The item of `weighted` that `roll` (in [0, 1)) falls on.
fn pick<T: Copy>(weighted: &[(T, u32)], roll: f64) -> T {
    let total: u32 = weighted.iter().map(|(_, w)| w).sum();
    let mut at = roll * f64::from(total);
    for (item, weight) in weighted {
        if at < f64::from(*weight) {
            return *item;
        }
        at -= f64::from(*weight);
    }
    weighted[weighted.len() - 1].0
}

/// The instant `share` of the way from `from` to `to`.
fn between(from: DateTime<Utc>, to: DateTime<Utc>, share: f64) -> DateTime<Utc> {
    from + chrono::Duration::milliseconds(((to - from).num_milliseconds() as f64 * share.clamp(0.0, 1.0)) as i64)
}

const HOUR: i64 = 3600;
const DAY: i64 = 24 * HOUR;

// Salts of the pseudo-random choices.
const ID: u64 = 1;
const JITTER: u64 = 2;
const OWNER: u64 = 3;
const CHANNEL: u64 = 4;
const STATUS: u64 = 5;
const COUNT: u64 = 6;
const FIRST: u64 = 7;
const END: u64 = 8;
const NAME: u64 = 9;
const KIND: u64 = 10;
const STAGE: u64 = 11;
const PRICE: u64 = 12;
const PAYMENT: u64 = 13;

const SURNAMES: [&str; 20] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林",
    "罗",
];
const GIVEN: [&str; 24] = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀", "霞",
    "平", "刚", "桂", "英", "华",
];
const NOTES: [&str; 8] = [
    "电话沟通，客户关注学区和通勤时间",
    "微信发送户型图和价格表",
    "带看样板间，对三房户型感兴趣",
    "客户预算有调整，需要推荐小户型",
    "家人一起到访，讨论付款方式",
    "客户在比较竞品楼盘，强调我方配套优势",
    "约定周末再次到访",
    "询问贷款政策和首付比例",
];
const PROJECTS: [&str; 10] = [
    "滨江壹号",
    "翠湖天地",
    "云栖苑",
    "金桥花园",
    "海棠湾",
    "中央公园",
    "锦绣华府",
    "星河湾",
    "紫荆城",
    "春江悦府",
];
const BANKS: [&str; 4] = ["中国建设银行", "中国工商银行", "招商银行", "中国银行"];
const LOST_REASONS: [&str; 4] = ["预算不足", "已购竞品楼盘", "暂缓购房", "联系不上"];

/// The organisation's fixed points: its time span and its staff.
struct Plan {
    size: Size,
    now: DateTime<Utc>,
    start: DateTime<Utc>,
    /// Customers `0..live` are being or were worked; the rest arrived in
    /// the last 20 hours and are `new`.
    live: usize,
    /// Each consultant and their team.
    consultants: Vec<(Uuid, Uuid)>,
    policies: Vec<sla_policies::Model>,
}

/// A deal's story, from the customer's index.
struct DealPlan {
    index: usize,
    stage: DealStage,
    payment: PaymentMethod,
    subscribed_at: Option<DateTime<Utc>>,
    contracted_at: Option<DateTime<Utc>>,
    handed_over_at: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
    cancelled_at: Option<DateTime<Utc>>,
}

/// A customer's story, from its index.
struct Profile {
    index: usize,
    id: Uuid,
    created_at: DateTime<Utc>,
    owner: (Uuid, Uuid),
    status: CustomerStatus,
    lost_from: Option<CustomerStatus>,
    lost_at: Option<DateTime<Utc>>,
    follow_ups: usize,
    /// When its follow-ups begin and end.
    first: DateTime<Utc>,
    last: DateTime<Utc>,
    deal: Option<DealPlan>,
}

impl Plan {
    /// The creation time of customer `i`: evenly over the year, jittered.
    fn created_at(&self, i: usize) -> DateTime<Utc> {
        let share = (i as f64 + unit(i as u64, JITTER) * 0.9) / self.size.customers as f64;
        between(self.start, self.now, share)
    }

    /// Customer `i`'s id: a UUIDv7 of its creation time, so that id order is creation order.
    fn customer_id(&self, i: usize) -> Uuid {
        let random = mix(i as u64, ID).to_be_bytes();
        let mut bytes = [0u8; 10];
        bytes[..8].copy_from_slice(&random);
        bytes[8..].copy_from_slice(&(i as u16).to_be_bytes());
        let millis = u64::try_from(self.created_at(i).timestamp_millis()).unwrap_or(0);
        uuid::Builder::from_unix_timestamp_millis(millis, &bytes).into_uuid()
    }

    /// The deal of customer `i`, if it has one: deal `j` belongs to the
    /// live customer `j * live / deals`.
    fn deal_of(&self, i: usize) -> Option<usize> {
        let (d, m) = (self.size.deals.min(self.live), self.live);
        if d == 0 || i >= m {
            return None;
        }
        let j = (i * d).div_ceil(m);
        (j < d && j * m / d == i).then_some(j)
    }

    /// How many follow-ups customer `i` has: the total spread over the live
    /// customers, moved between neighbours so that counts vary.
    fn follow_up_count(&self, i: usize) -> usize {
        if i >= self.live {
            return 0;
        }
        let base = self.size.follow_ups / self.live;
        let extra = usize::from(i < self.size.follow_ups % self.live);
        if base == 0 || (i | 1) >= self.live {
            return base + extra;
        }
        let shift = (mix((i / 2) as u64, COUNT) % base as u64) as usize;
        if i.is_multiple_of(2) {
            base + shift + extra
        } else {
            base - shift + extra
        }
    }

    fn profile(&self, i: usize) -> Profile {
        let n = i as u64;
        let created_at = self.created_at(i);
        let age = (self.now - created_at).num_seconds() as f64 / (self.now - self.start).num_seconds() as f64;
        let owner = self.consultants[(mix(n, OWNER) % self.consultants.len() as u64) as usize];
        let first =
            (created_at + chrono::Duration::seconds(HOUR + (mix(n, FIRST) % (20 * HOUR as u64)) as i64)).min(self.now);
        let recent_end = (self.now - chrono::Duration::seconds((mix(n, END) % (6 * DAY as u64)) as i64)).max(first);
        let mut profile = Profile {
            index: i,
            id: self.customer_id(i),
            created_at,
            owner,
            status: CustomerStatus::New,
            lost_from: None,
            lost_at: None,
            follow_ups: self.follow_up_count(i),
            first,
            last: recent_end,
            deal: None,
        };
        if i >= self.live {
            return profile;
        }
        if let Some(j) = self.deal_of(i) {
            let deal = self.deal(j, created_at, age);
            profile.status = match deal.stage {
                DealStage::Negotiating => CustomerStatus::Negotiating,
                DealStage::Subscribed => CustomerStatus::Subscribed,
                DealStage::HandedOver | DealStage::Closed => CustomerStatus::HandedOver,
                DealStage::Cancelled => CustomerStatus::Lost,
                _ => CustomerStatus::Contracted,
            };
            if let Some(at) = deal.cancelled_at {
                profile.lost_from = Some(CustomerStatus::Subscribed);
                profile.lost_at = Some(at);
                profile.last = at.max(first);
            } else if let Some(at) = deal.handed_over_at {
                profile.last = between(at, self.now, unit(n, END)).max(first);
            }
            profile.deal = Some(deal);
            return profile;
        }
        let roll = unit(n, STATUS);
        let lost = 0.08 + 0.35 * age;
        let working = if self.now - created_at < chrono::Duration::days(7) {
            [
                (CustomerStatus::Contacted, 60),
                (CustomerStatus::NeedsAssessed, 30),
                (CustomerStatus::Active, 10),
                (CustomerStatus::Negotiating, 0),
            ]
        } else {
            [
                (CustomerStatus::Contacted, 20),
                (CustomerStatus::NeedsAssessed, 30),
                (CustomerStatus::Active, 45),
                (CustomerStatus::Negotiating, 5),
            ]
        };
        if roll < lost {
            let at = between(first, self.now, 0.2 + 0.7 * unit(n, END));
            profile.status = CustomerStatus::Lost;
            profile.lost_from = Some(pick(&working, roll / lost));
            profile.lost_at = Some(at);
            profile.last = at;
        } else {
            profile.status = pick(&working, (roll - lost) / (1.0 - lost));
        }
        profile
    }

    /// Deal `j` of a customer created at `created_at`, `age` of the year ago.
    fn deal(&self, j: usize, created_at: DateTime<Utc>, age: f64) -> DealPlan {
        let n = j as u64;
        let payment = pick(
            &[
                (PaymentMethod::Mortgage, 60),
                (PaymentMethod::ProvidentFund, 15),
                (PaymentMethod::Full, 20),
                (PaymentMethod::Instalments, 5),
            ],
            unit(n, PAYMENT),
        );
        let loan = matches!(payment, PaymentMethod::Mortgage | PaymentMethod::ProvidentFund);
        let progress = age + 0.1 * (unit(n, STAGE) - 0.5);
        let cancelled = unit(n, STAGE ^ 0xff) < 0.06;
        let stage = match progress {
            _ if cancelled => DealStage::Cancelled,
            p if p < 0.03 => DealStage::Negotiating,
            p if p < 0.08 => DealStage::Subscribed,
            p if p < 0.18 => DealStage::Contracted,
            p if p < 0.25 && loan => DealStage::LoanProcessing,
            p if p < 0.25 => DealStage::Contracted,
            p if p < 0.30 => DealStage::TitleTransfer,
            p if p < 0.35 => DealStage::HandoverReady,
            p if p < 0.80 => DealStage::HandedOver,
            _ => DealStage::Closed,
        };
        let rank = |s: DealStage| match s {
            DealStage::Negotiating => 0,
            DealStage::Subscribed | DealStage::Cancelled => 1,
            DealStage::Contracted | DealStage::LoanProcessing | DealStage::TitleTransfer | DealStage::HandoverReady => {
                2
            }
            DealStage::HandedOver => 3,
            DealStage::Closed => 4,
        };
        let r = rank(stage);
        let subscribed_at = (r >= 1).then(|| between(created_at, self.now, 0.35 + 0.1 * unit(n, PRICE)));
        let contracted_at = subscribed_at.filter(|_| r >= 2).map(|s| between(s, self.now, 0.3));
        let handed_over_at = contracted_at.filter(|_| r >= 3).map(|c| between(c, self.now, 0.6));
        let closed_at = handed_over_at.filter(|_| r >= 4).map(|h| between(h, self.now, 0.5));
        let cancelled_at = subscribed_at
            .filter(|_| stage == DealStage::Cancelled)
            .map(|s| between(s, self.now, 0.2));
        DealPlan {
            index: j,
            stage,
            payment,
            subscribed_at,
            contracted_at,
            handed_over_at,
            closed_at,
            cancelled_at,
        }
    }

    fn policy(&self, kind: SlaKind) -> &sla_policies::Model {
        self.policies
            .iter()
            .filter(|p| p.kind == kind)
            .max_by_key(|p| p.version)
            .expect("every SLA policy is seeded by the migrations")
    }
}

fn customer_row(p: &Profile) -> customers::ActiveModel {
    let n = p.index as u64;
    let name = format!(
        "{}{}{}",
        SURNAMES[(mix(n, NAME) % 20) as usize],
        GIVEN[(mix(n, NAME + 100) % 24) as usize],
        GIVEN[(mix(n, NAME + 200) % 24) as usize]
    );
    let phone = format!("13{:09}", p.index);
    let reached = p.follow_ups > 0;
    let assessed = matches!(
        p.lost_from.unwrap_or(p.status),
        CustomerStatus::NeedsAssessed
            | CustomerStatus::Active
            | CustomerStatus::Negotiating
            | CustomerStatus::Subscribed
            | CustomerStatus::Contracted
            | CustomerStatus::HandedOver
    );
    let channel = pick(
        &[
            (Channel::Website, 20),
            (Channel::SocialMedia, 25),
            (Channel::PartnerPlatform, 25),
            (Channel::StoreWalkIn, 15),
            (Channel::OutdoorExhibition, 10),
            (Channel::CrossIndustry, 5),
        ],
        unit(n, CHANNEL),
    );
    customers::ActiveModel {
        id: Set(p.id),
        name: Set(name),
        phone_key: Set(Some(phone.clone())),
        phone: Set(Some(phone)),
        email: Set(None),
        wechat_id: Set(None),
        channel: Set(channel),
        status: Set(p.status),
        lost_reason: Set(p.lost_at.map(|_| LOST_REASONS[(n % 4) as usize].to_owned())),
        key_account: Set(p.deal.is_some() && n.is_multiple_of(20) && p.status != CustomerStatus::Lost),
        account_manager_id: Set(None),
        owner_id: Set(Some(p.owner.0)),
        team_id: Set(Some(p.owner.1)),
        source_client_id: Set(None),
        external_id: Set(None),
        created_by: Set(None),
        assigned_at: Set(Some(p.created_at)),
        first_response_at: Set(reached.then_some(p.first)),
        needs_assessed_at: Set((reached && assessed).then(|| between(p.first, p.last, 0.3))),
        last_follow_up_at: Set(reached.then_some(p.last)),
        lost_at: Set(p.lost_at),
        lost_from_status: Set(p.lost_from),
        merged_into_id: Set(None),
        project_of_interest: Set(Some(PROJECTS[(mix(n, PRICE) % 10) as usize].to_owned())),
        district_of_interest: Set(None),
        // Computed for all at the end, as the database keeps them.
        next_due_at: sea_orm::NotSet,
        next_due_kind: sea_orm::NotSet,
        created_at: Set(p.created_at),
        updated_at: Set(p.last.max(p.created_at)),
    }
}

fn follow_up_rows(p: &Profile) -> Vec<follow_ups::ActiveModel> {
    let n = p.follow_ups;
    (0..n)
        .map(|k| {
            let h = mix(p.index as u64, KIND).wrapping_add(k as u64);
            let share = if n == 1 { 1.0 } else { k as f64 / (n - 1) as f64 };
            let at = between(p.first, p.last, share);
            let last = k + 1 == n;
            follow_ups::ActiveModel {
                id: Set(Uuid::now_v7()),
                customer_id: Set(p.id),
                author_id: Set(Some(p.owner.0)),
                kind: Set(pick(
                    &[
                        (FollowUpKind::Call, 45),
                        (FollowUpKind::Wechat, 30),
                        (FollowUpKind::Visit, 10),
                        (FollowUpKind::Showing, 8),
                        (FollowUpKind::MaterialSent, 5),
                        (FollowUpKind::Email, 2),
                    ],
                    unit(h, KIND),
                )),
                occurred_at: Set(at),
                reached: Set(k == 0 || h % 10 < 8),
                notes: Set(Some(NOTES[(h % 8) as usize].to_owned())),
                next_step: Set(last.then(|| "一周内再次回访".to_owned())),
                next_follow_up_at: Set(last.then(|| at + chrono::Duration::days(7))),
                created_at: Set(at),
            }
        })
        .collect()
}

fn unit_row(plan: &Plan, j: usize, deal: Option<&DealPlan>) -> units::ActiveModel {
    let n = j as u64;
    let project = PROJECTS[j % 10];
    let within = j / 10;
    let area = 6000 + (mix(n, PRICE) % 12_000) as i32;
    let per_sqm_yuan = 30_000 + (mix(n, PRICE + 1) % 50_000) as i64;
    let status = match deal.map(|d| d.stage) {
        None | Some(DealStage::Cancelled) => units::UnitStatus::Available,
        Some(DealStage::Negotiating) => units::UnitStatus::Reserved,
        Some(DealStage::Subscribed) => units::UnitStatus::Subscribed,
        Some(_) => units::UnitStatus::Sold,
    };
    units::ActiveModel {
        id: Set(unit_id(plan, j)),
        project: Set(project.to_owned()),
        building: Set(format!("{}栋", within / 1000 + 1)),
        number: Set(format!("{}", within % 1000 + 101)),
        layout: Set(["两室一厅", "三室两厅", "四室两厅"][(n % 3) as usize].to_owned()),
        area_sqm_centi: Set(area),
        list_price_fen: Set(i64::from(area) * per_sqm_yuan),
        status: Set(status),
        created_at: Set(plan.start),
        updated_at: Set(plan.start),
    }
}

/// Unit `j`'s id (deal `j` takes unit `j`).
fn unit_id(plan: &Plan, j: usize) -> Uuid {
    let random = mix(j as u64, ID ^ 0xabc).to_be_bytes();
    let mut bytes = [0u8; 10];
    bytes[..8].copy_from_slice(&random);
    bytes[8..].copy_from_slice(&(j as u16).to_be_bytes());
    let millis = u64::try_from(plan.start.timestamp_millis()).unwrap_or(0);
    uuid::Builder::from_unix_timestamp_millis(millis, &bytes).into_uuid()
}

fn deal_row(plan: &Plan, p: &Profile, d: &DealPlan) -> deals::ActiveModel {
    let n = d.index as u64;
    let unit = unit_row(plan, d.index, Some(d));
    let list_price = *unit.list_price_fen.as_ref();
    let agreed = list_price - list_price * (mix(n, PRICE + 2) % 50) as i64 / 1000;
    let loan = matches!(d.payment, PaymentMethod::Mortgage | PaymentMethod::ProvidentFund);
    let loan_status = match d.stage {
        _ if !loan => None,
        DealStage::LoanProcessing => Some(if n.is_multiple_of(2) {
            LoanStatus::Applied
        } else {
            LoanStatus::Approved
        }),
        DealStage::TitleTransfer | DealStage::HandoverReady | DealStage::HandedOver | DealStage::Closed => {
            Some(LoanStatus::Disbursed)
        }
        _ => None,
    };
    let day = |at: Option<DateTime<Utc>>| at.map(|a| a.date_naive());
    let titled = matches!(
        d.stage,
        DealStage::HandoverReady | DealStage::HandedOver | DealStage::Closed
    );
    let updated = [
        d.subscribed_at,
        d.contracted_at,
        d.handed_over_at,
        d.closed_at,
        d.cancelled_at,
    ]
    .into_iter()
    .flatten()
    .max()
    .unwrap_or(p.first);
    deals::ActiveModel {
        id: Set(Uuid::now_v7()),
        customer_id: Set(p.id),
        unit_id: Set(unit_id(plan, d.index)),
        consultant_id: Set(p.owner.0),
        team_id: Set(Some(p.owner.1)),
        support_id: Set(None),
        agreed_price_fen: Set(agreed),
        payment_method: Set(d.payment),
        planned_handover_on: Set(d.contracted_at.map(|c| c.date_naive() + chrono::Duration::days(90))),
        stage: Set(d.stage),
        subscribed_at: Set(d.subscribed_at),
        contracted_at: Set(d.contracted_at),
        handed_over_at: Set(d.handed_over_at),
        closed_at: Set(d.closed_at),
        cancelled_at: Set(d.cancelled_at),
        cancel_reason: Set(d.cancelled_at.map(|_| "客户退订".to_owned())),
        loan_bank: Set(loan_status.map(|_| BANKS[(n % 4) as usize].to_owned())),
        loan_amount_fen: Set(loan_status.map(|_| agreed * 6 / 10)),
        loan_approved_on: Set(loan_status
            .filter(|s| *s != LoanStatus::Applied)
            .and(day(d.contracted_at))),
        loan_status: Set(loan_status),
        title_certificate_number: Set(titled.then(|| format!("沪房权证字第{:09}号", d.index))),
        title_transferred_on: Set(if titled { day(d.contracted_at) } else { None }),
        created_at: Set(p.first),
        updated_at: Set(updated),
    }
}

/// The open deadlines of customer `p`: a new lead's first response and
/// needs assessment, a worked customer's weekly follow-up (each with its
/// reminder, already fired when its time has passed).
fn timer_rows(plan: &Plan, p: &Profile) -> Vec<timers::ActiveModel> {
    let kinds: &[SlaKind] = match p.status {
        CustomerStatus::Lost | CustomerStatus::HandedOver => &[],
        CustomerStatus::New => &[SlaKind::FirstResponse, SlaKind::NeedsAssessment],
        _ => &[SlaKind::FollowUp],
    };
    let anchor = if p.status == CustomerStatus::New {
        p.created_at
    } else {
        p.last
    };
    let mut rows = Vec::new();
    for kind in kinds {
        let policy = plan.policy(*kind);
        let duration = policy.duration_secs;
        let warning = (policy.warning_percent > 0 && policy.warning_percent < 100)
            .then(|| duration * i64::from(policy.warning_percent) / 100);
        for (phase, after) in [("warning", warning), ("deadline", Some(duration))] {
            let Some(after) = after else { continue };
            let due_at = anchor + chrono::Duration::seconds(after);
            let fired = due_at <= plan.now;
            rows.push(timers::ActiveModel {
                id: Set(Uuid::now_v7()),
                kind: Set(kind.as_str().to_owned()),
                phase: Set(phase.to_owned()),
                dedupe_key: Set(format!(
                    "{}:{phase}:{}:{}",
                    kind.as_str(),
                    p.id,
                    anchor.timestamp_micros()
                )),
                subject_id: Set(Some(p.id)),
                customer_id: Set(Some(p.id)),
                due_at: Set(due_at),
                policy_version: Set(Some(policy.version)),
                state: Set(if fired {
                    timers::TimerState::Fired
                } else {
                    timers::TimerState::Pending
                }),
                attempts: Set(i32::from(fired)),
                queued_at: Set(fired.then_some(due_at)),
                fired_at: Set(fired.then_some(due_at)),
                fired_by: Set(fired.then(|| "bench-seed".to_owned())),
                outcome: Set(None),
                created_at: Set(anchor),
            });
        }
    }
    rows
}

/// Customers per batch (a batch is written in one transaction).
const BATCH: usize = 1000;

/// Writes each batch `rows` gives in its own transaction, `parallel`
/// batches at a time; returns how many rows were written.
async fn write<A>(db: &DatabaseConnection, parallel: usize, batches: impl Iterator<Item = Vec<A>>) -> usize
where
    A: ActiveModelTrait + Send + 'static,
{
    let mut running = tokio::task::JoinSet::new();
    let mut written = 0;
    for batch in batches {
        if running.len() >= parallel {
            running.join_next().await.expect("a batch").expect("batch task");
        }
        written += batch.len();
        let db = db.clone();
        running.spawn(async move {
            let txn = domain::platform::db::begin_write(&db).await.expect("begin");
            domain::platform::db::insert_all(&txn, batch).await.expect("insert");
            txn.commit().await.expect("commit");
        });
    }
    while let Some(done) = running.join_next().await {
        done.expect("batch task");
    }
    written
}

/// Seeds the organisation of `size` into `db` (a fresh, migrated database).
pub async fn organisation(db: &DatabaseConnection, size: &Size) -> Seeded {
    assert!(
        size.teams > 0 && size.consultants > 0,
        "at least one team and consultant"
    );
    let started = Instant::now();
    let parallel = if db.get_database_backend() == DbBackend::Postgres {
        3
    } else {
        1
    };
    let now = Utc::now();
    // Bulk rows first, each customer's next due item computed once at the end.
    domain::outbox::agenda::suspend_next_due(db)
        .await
        .expect("suspend next due");
    let mut seeded = Seeded::default();
    let mut clock = Instant::now();
    let mut done = |table: &'static str, rows: usize, seeded: &mut Seeded| {
        seeded.tables.push(Written {
            table,
            rows,
            took: clock.elapsed(),
        });
        eprintln!("{table}: {rows} rows in {:.1?}", clock.elapsed());
        clock = Instant::now();
    };

    // Staff: one password hash for every account.
    let hash = domain::access::passwords::hash(&Secret::new(READER_PASSWORD))
        .await
        .expect("hash");
    let role = async |name: &str| {
        roles::Entity::find()
            .filter(roles::Column::Name.eq(name))
            .one(db)
            .await
            .expect("roles")
            .unwrap_or_else(|| panic!("role {name}"))
            .id
    };
    let (consultant, manager, director, customer_manager) = (
        role("consultant").await,
        role("manager").await,
        role("director").await,
        role("customer_manager").await,
    );
    let start = now - chrono::Duration::days(365);
    let regions: Vec<regions::ActiveModel> = (0..size.teams.div_ceil(10))
        .map(|r| regions::ActiveModel {
            id: Set(Uuid::now_v7()),
            name: Set(format!("压测区域 {:03}", r + 1)),
            created_at: Set(start),
            updated_at: Set(start),
        })
        .collect();
    let region_ids: Vec<Uuid> = regions.iter().map(|r| *r.id.as_ref()).collect();
    let team_ids: Vec<Uuid> = (0..size.teams).map(|_| Uuid::now_v7()).collect();
    let mut people = Vec::new();
    let mut holds = Vec::new();
    let mut person = |local: String, name: String, team: Option<Uuid>, role: Uuid| {
        let id = Uuid::now_v7();
        people.push(users::ActiveModel {
            id: Set(id),
            email: Set(format!("{local}@bench.estateflow.local")),
            name: Set(name),
            phone: Set(None),
            team_id: Set(team),
            locale: Set("zh-CN".to_owned()),
            status: Set(users::UserStatus::Active),
            password_hash: Set(hash.clone()),
            lead_intake_paused: Set(false),
            last_lead_assigned_at: Set(None),
            created_at: Set(start),
            updated_at: Set(start),
        });
        holds.push(user_roles::ActiveModel {
            user_id: Set(id),
            role_id: Set(role),
            created_at: Set(start),
        });
        id
    };
    person("bench.director".to_owned(), "压测总监".to_owned(), None, director);
    let reader = READER_EMAIL.split('@').next().expect("local part").to_owned();
    person(reader, "压测客户经理".to_owned(), None, customer_manager);
    let managers: Vec<Uuid> = team_ids
        .iter()
        .enumerate()
        .map(|(t, team)| person(format!("manager{t:03}"), format!("经理{t:03}"), Some(*team), manager))
        .collect();
    let consultants: Vec<(Uuid, Uuid)> = (0..size.consultants)
        .map(|c| {
            let team = team_ids[c % size.teams];
            let name = format!("{}{}{c:03}", SURNAMES[c % 20], GIVEN[(c / 20) % 24]);
            (person(format!("consultant{c:04}"), name, Some(team), consultant), team)
        })
        .collect();
    let team_rows: Vec<teams::ActiveModel> = team_ids
        .iter()
        .enumerate()
        .map(|(t, id)| teams::ActiveModel {
            id: Set(*id),
            region_id: Set(region_ids[t / 10]),
            name: Set(format!("压测{}组", t + 1)),
            manager_id: Set(None),
            created_at: Set(start),
            updated_at: Set(start),
        })
        .collect();
    let staff = people.len();
    let txn = domain::platform::db::begin_write(db).await.expect("begin");
    domain::platform::db::insert_all(&txn, regions).await.expect("regions");
    domain::platform::db::insert_all(&txn, team_rows).await.expect("teams");
    domain::platform::db::insert_all(&txn, people).await.expect("users");
    domain::platform::db::insert_all(&txn, holds).await.expect("user roles");
    // Teams and their managers refer to each other: the managers come second.
    for (team, manager) in team_ids.iter().zip(&managers) {
        teams::Entity::update_many()
            .col_expr(teams::Column::ManagerId, Expr::value(*manager))
            .filter(teams::Column::Id.eq(*team))
            .exec(&txn)
            .await
            .expect("team manager");
    }
    txn.commit().await.expect("commit staff");
    done("regions, teams, users, roles", staff, &mut seeded);

    let policies = sla_policies::Entity::find()
        .order_by_asc(sla_policies::Column::Version)
        .all(db)
        .await
        .expect("SLA policies");
    let new_share = 20.0 / (365.0 * 24.0);
    let plan = Plan {
        size: size.clone(),
        now,
        start,
        live: size.customers - (size.customers as f64 * new_share).ceil() as usize,
        consultants,
        policies,
    };
    let chunks = || (0..size.customers).step_by(BATCH);
    let profiles = |from: usize| (from..(from + BATCH).min(size.customers)).map(|i| plan.profile(i));

    let rows = write(
        db,
        parallel,
        chunks().map(|from| profiles(from).map(|p| customer_row(&p)).collect()),
    )
    .await;
    done("customers", rows, &mut seeded);
    // Ten follow-ups a customer on average: a tenth of the customers per batch.
    let rows = write(
        db,
        parallel,
        (0..size.customers).step_by(BATCH / 10).map(|from| {
            (from..(from + BATCH / 10).min(size.customers))
                .flat_map(|i| follow_up_rows(&plan.profile(i)))
                .collect()
        }),
    )
    .await;
    done("follow_ups", rows, &mut seeded);
    let deals = size.deals.min(plan.live);
    let unsold = deals / 10;
    let rows = write(
        db,
        parallel,
        (0..deals + unsold).step_by(BATCH * 5).map(|from| {
            (from..(from + BATCH * 5).min(deals + unsold))
                .map(|j| {
                    // A unit's status follows its deal, rebuilt from the deal's customer.
                    let deal = (j < deals).then(|| plan.profile(j * plan.live / deals).deal).flatten();
                    unit_row(&plan, j, deal.as_ref())
                })
                .collect()
        }),
    )
    .await;
    done("units", rows, &mut seeded);
    let rows = write(
        db,
        parallel,
        chunks().map(|from| {
            profiles(from)
                .filter_map(|p| p.deal.as_ref().map(|d| deal_row(&plan, &p, d)))
                .collect()
        }),
    )
    .await;
    done("deals", rows, &mut seeded);
    let rows = write(
        db,
        parallel,
        chunks().map(|from| profiles(from).flat_map(|p| timer_rows(&plan, &p)).collect()),
    )
    .await;
    // The periodic runs of the periods just ended count as done, as in a
    // service that has been running: `serve` does not start them (the
    // `scale` benchmark times them).
    domain::engine::periodic::ensure(db, now, Settings::default().timezone)
        .await
        .expect("periodic runs");
    timers::Entity::update_many()
        .col_expr(timers::Column::State, Expr::value(timers::TimerState::Fired))
        .col_expr(timers::Column::FiredAt, Expr::value(now))
        .filter(timers::Column::Kind.eq(domain::engine::periodic::KIND))
        .exec(db)
        .await
        .expect("periodic runs done");
    done("timers", rows, &mut seeded);
    domain::outbox::agenda::keep_next_due(db).await.expect("next due items");
    done("customers' next due items", size.customers, &mut seeded);
    seeded.took = started.elapsed();
    seeded
}
