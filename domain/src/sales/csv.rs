//! Customers in bulk: a CSV import of up to 10,000 rows answered row by
//! row (created, duplicate, invalid with the reason), and an export of the
//! customers in the caller's reach, streamed in batches.
//!
//! A row is a duplicate when its phone number is already on file (or on an
//! earlier row), or, for a partner, when it pushed the same `external_id`
//! before; duplicates are reported with the customer they match and not
//! created again. Every created customer gets its timeline entries; the
//! import is one audit entry.
//!
//! People read these files: the export's header line is in the reader's
//! language, and an import accepts either language's headers ([`COLUMNS`]).

use std::collections::HashMap;

use chrono::Utc;
use entities::{customers, timeline_entries, users};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionSession,
    TransactionTrait,
};
use serde_json::json;
use uuid::Uuid;

use crate::{
    access::actor::{Actor, ActorKind},
    access::audit::{self, AuditContext},
    access::permissions::Scope,
    platform::error::{DomainError, FieldError},
    platform::input::is_refused_control,
    platform::text::{Locale, Msg, Reader},
    sales::customers::{CustomerFilter, CustomerInput, CustomerView, Owner, build, check, may_own, reach},
    sales::timeline,
};

pub const MAX_ROWS: usize = 10_000;

/// The name of a column, as API clients write it: its header in English.
fn name_of(column: &Msg) -> String {
    column.render(&Reader::LOG)
}

/// The header of a column in `locale`.
fn header_in(column: &Msg, locale: Locale) -> String {
    column.render(&Reader {
        locale,
        ..Reader::default()
    })
}

/// Columns an import may have, by their header messages (the catalogue
/// holds both languages' headers; the English is the column's name); `name`
/// is required.
pub const IMPORT_COLUMNS: &[Msg] = &[
    Msg::ColumnName,
    Msg::ColumnPhone,
    Msg::ColumnEmail,
    Msg::ColumnWechatId,
    Msg::ColumnChannel,
    Msg::ColumnExternalId,
    Msg::ColumnOwnerEmail,
    Msg::ColumnKeyAccount,
    Msg::ColumnProjectOfInterest,
    Msg::ColumnDistrictOfInterest,
];

/// What became of one row.
#[derive(Debug, Clone, PartialEq)]
pub struct RowResult {
    /// The row's number among the data rows, from 1.
    pub row: usize,
    /// `created`, `duplicate` or `invalid`.
    pub status: &'static str,
    /// The customer created, or the one the row duplicates.
    pub customer_id: Option<Uuid>,
    /// Why a row is invalid or a duplicate (empty when it is neither).
    pub reasons: Vec<Msg>,
}

impl RowResult {
    /// Why the row is invalid or a duplicate, for `reader`.
    pub fn reason(&self, reader: &Reader) -> Option<String> {
        let sep = match reader.locale {
            Locale::ZhCn => "；",
            Locale::En => "; ",
        };
        let texts: Vec<String> = self.reasons.iter().map(|r| r.render(reader)).collect();
        (!texts.is_empty()).then(|| texts.join(sep))
    }
}

#[derive(Debug, Clone)]
pub struct ImportReport {
    pub rows: usize,
    pub created: usize,
    pub duplicates: usize,
    pub invalid: usize,
    pub results: Vec<RowResult>,
}

struct Row {
    number: usize,
    input: CustomerInput,
    owner_email: Option<String>,
}

fn cell(record: &csv::StringRecord, index: Option<usize>) -> Option<String> {
    index
        .and_then(|i| record.get(i))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

fn invalid(row: usize, reasons: Vec<Msg>) -> RowResult {
    RowResult {
        row,
        status: "invalid",
        customer_id: None,
        reasons,
    }
}

/// One line as one CSV record, or why it is not one.
fn record_of(line: &[u8]) -> Result<csv::StringRecord, Msg> {
    if line.iter().filter(|b| **b == b'"').count() % 2 == 1 {
        return Err(Msg::CsvQuoteNotClosed);
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(line);
    match reader.records().next() {
        Some(Ok(record)) => Ok(record),
        Some(Err(e)) if matches!(e.kind(), csv::ErrorKind::Utf8 { .. }) => Err(Msg::CsvNotUtf8),
        Some(Err(e)) => Err(Msg::CsvNotARow { reason: e.to_string() }),
        None => Err(Msg::CsvEmpty),
    }
}

fn duplicate(row: usize, of: Uuid, reason: Msg) -> RowResult {
    RowResult {
        row,
        status: "duplicate",
        customer_id: Some(of),
        reasons: vec![reason],
    }
}

/// The import column a header names, in either language (the English
/// name in any case, a leading byte order mark ignored).
fn import_column(header: &str) -> Option<&'static Msg> {
    let header = header.trim().trim_start_matches('\u{feff}');
    let name = header.to_lowercase();
    IMPORT_COLUMNS
        .iter()
        .find(|c| name_of(c) == name || header_in(c, Locale::ZhCn) == header)
}

/// What is wrong with a cell: a control character in it.
fn cell_problem(text: &str) -> Option<Msg> {
    text.chars()
        .find(|c| is_refused_control(*c))
        .map(|c| Msg::ControlCharacter {
            code_point: format!("U+{:04X}", u32::from(c)),
        })
}

/// Reads the CSV: the header must name known columns, including `name`.
///
/// One line is one row (blank lines are skipped): no column of an import
/// may hold a line break, so a quote left open is that row's fault and
/// cannot swallow the rows after it. A row with more or fewer cells than
/// the header, an unclosed quote or a control character in a cell is
/// reported invalid; the other rows are unaffected.
fn parse(body: &[u8]) -> Result<(Vec<Row>, Vec<RowResult>), DomainError> {
    let mut lines = body
        .split(|b| *b == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
        .filter(|line| !line.is_empty());
    let header = lines
        .next()
        .ok_or_else(|| DomainError::invalid("/csv", Msg::CsvHeaderMissing))?;
    let headers = record_of(header).map_err(|problem| {
        DomainError::invalid(
            "/csv",
            Msg::CsvHeaderLine {
                problem: Box::new(problem),
            },
        )
    })?;
    let mut names = Vec::with_capacity(headers.len());
    for header in &headers {
        let Some(column) = import_column(header) else {
            let unknown = header.trim().trim_start_matches('\u{feff}').to_lowercase();
            return Err(DomainError::invalid(
                "/csv",
                Msg::CsvUnknownColumn {
                    column: format!("{unknown:?}"),
                    columns: IMPORT_COLUMNS.to_vec(),
                },
            ));
        };
        names.push(column);
    }
    let keys: Vec<String> = names.iter().map(|c| name_of(c)).collect();
    let column = |name: &str| keys.iter().position(|k| k == name);
    if column("name").is_none() {
        return Err(DomainError::invalid("/csv", Msg::CsvNameColumnMissing));
    }
    let mut rows = Vec::new();
    let mut results = Vec::new();
    for (i, line) in lines.enumerate() {
        let number = i + 1;
        if number > MAX_ROWS {
            return Err(DomainError::invalid("/csv", Msg::CsvTooManyRows { max: MAX_ROWS }));
        }
        let record = match record_of(line) {
            Ok(r) => r,
            Err(reason) => {
                results.push(invalid(number, vec![reason]));
                continue;
            }
        };
        if record.len() != names.len() {
            results.push(invalid(
                number,
                vec![Msg::CsvCellCount {
                    cells: record.len(),
                    columns: names.len(),
                }],
            ));
            continue;
        }
        if let Some(reason) = names.iter().zip(record.iter()).find_map(|(column, value)| {
            cell_problem(value).map(|problem| Msg::CsvCell {
                column: Box::new((*column).clone()),
                problem: Box::new(problem),
            })
        }) {
            results.push(invalid(number, vec![reason]));
            continue;
        }
        let key_account = match cell(&record, column("key_account")).as_deref() {
            None | Some("false" | "0" | "no") => Some(false),
            Some("true" | "1" | "yes") => Some(true),
            Some(_) => {
                let problem = Box::new(Msg::TrueOrFalse);
                let column = Box::new(Msg::ColumnKeyAccount);
                results.push(invalid(number, vec![Msg::CsvCell { column, problem }]));
                continue;
            }
        };
        rows.push(Row {
            number,
            input: CustomerInput {
                name: cell(&record, column("name")),
                phone: Some(cell(&record, column("phone"))),
                email: Some(cell(&record, column("email"))),
                wechat_id: Some(cell(&record, column("wechat_id"))),
                key_account,
                channel: cell(&record, column("channel")),
                external_id: cell(&record, column("external_id")),
                owner_id: None,
                project_of_interest: cell(&record, column("project_of_interest")),
                district_of_interest: cell(&record, column("district_of_interest")),
            },
            owner_email: cell(&record, column("owner_email")).map(|e| e.to_lowercase()),
        });
    }
    Ok((rows, results))
}

/// Created rows from which an import refreshes the planner's statistics
/// of the tables it grew ([`crate::platform::db::refresh_statistics`]).
const ANALYZE_AFTER: usize = 1_000;

/// Imports customers from CSV, answering every row.
pub async fn import(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    actor: &Actor,
    scope: Scope,
    body: &[u8],
) -> Result<ImportReport, DomainError> {
    let (rows, mut results) = parse(body)?;
    let is_client = actor.kind == ActorKind::Client;

    // Owners named by e-mail, in one query.
    let mut emails: Vec<String> = rows.iter().filter_map(|r| r.owner_email.clone()).collect();
    emails.sort_unstable();
    emails.dedup();
    let mut owners: HashMap<String, users::Model> = HashMap::new();
    for chunk in emails.chunks(500) {
        for user in users::Entity::find()
            .filter(users::Column::Email.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            owners.insert(user.email.clone(), user);
        }
    }
    let importer_team = if is_client {
        None
    } else {
        users::Entity::find_by_id(actor.id)
            .one(db)
            .await?
            .and_then(|u| u.team_id)
    };

    let txn = crate::platform::db::begin_write(db).await?;
    // What is on file already: phone keys (and, for a partner, its external ids).
    let mut keys: Vec<String> = rows
        .iter()
        .filter_map(|r| r.input.phone.clone().flatten())
        .filter_map(|p| crate::platform::phone::Phone::parse(&p).ok())
        .map(|p| p.key().to_owned())
        .collect();
    keys.sort_unstable();
    keys.dedup();
    let mut phones_on_file: HashMap<String, Uuid> = HashMap::new();
    for chunk in keys.chunks(500) {
        let found: Vec<(Uuid, Option<String>)> = customers::Entity::find()
            .select_only()
            .column(customers::Column::Id)
            .column(customers::Column::PhoneKey)
            .filter(customers::Column::PhoneKey.is_in(chunk.to_vec()))
            .filter(customers::Column::MergedIntoId.is_null())
            .into_tuple()
            .all(&txn)
            .await?;
        for (id, key) in found {
            if let Some(key) = key {
                phones_on_file.entry(key).or_insert(id);
            }
        }
    }
    let mut pushed: HashMap<String, Uuid> = HashMap::new();
    if is_client {
        let ids: Vec<String> = rows.iter().filter_map(|r| r.input.external_id.clone()).collect();
        for chunk in ids.chunks(500) {
            let found: Vec<(Uuid, Option<String>)> = customers::Entity::find()
                .select_only()
                .column(customers::Column::Id)
                .column(customers::Column::ExternalId)
                .filter(customers::Column::SourceClientId.eq(actor.id))
                .filter(customers::Column::ExternalId.is_in(chunk.to_vec()))
                .into_tuple()
                .all(&txn)
                .await?;
            for (id, external) in found {
                if let Some(external) = external {
                    pushed.insert(external, id);
                }
            }
        }
    }

    let now = Utc::now();
    let mut new_customers = Vec::new();
    let mut entries = Vec::new();
    let mut unowned = Vec::new();
    for row in rows {
        let mut errors = Vec::new();
        let checked = check(&row.input, true, &mut errors);
        if is_client && row.owner_email.is_some() {
            errors.push(FieldError::new("/owner_email", Msg::AssignedBySalesTeam));
        }
        if !is_client && row.input.external_id.is_some() {
            errors.push(FieldError::new("/external_id", Msg::ForPartnerLeads));
        }
        let owner = if is_client {
            None
        } else {
            match &row.owner_email {
                None => Some(Owner {
                    id: actor.id,
                    team_id: importer_team,
                }),
                Some(email) => match owners.get(email) {
                    None => {
                        errors.push(FieldError::new("/owner_email", Msg::NoSuchUser));
                        None
                    }
                    Some(user) => {
                        if !may_own(actor, scope, user) {
                            errors.push(FieldError::new("/owner_email", Msg::OutsideWhatYouMayAssign));
                        }
                        Some(Owner {
                            id: user.id,
                            team_id: user.team_id,
                        })
                    }
                },
            }
        };
        if !errors.is_empty() {
            let reasons = errors
                .into_iter()
                .map(|e| {
                    let name = e.pointer.trim_start_matches('/');
                    let column = IMPORT_COLUMNS.iter().find(|c| name_of(c) == name).ok_or_else(|| {
                        DomainError::Internal(format!("an import row's check names no column: {}", e.pointer))
                    })?;
                    let column = Box::new(column.clone());
                    let problem = Box::new(e.detail);
                    Ok(Msg::CsvCell { column, problem })
                })
                .collect::<Result<Vec<_>, DomainError>>()?;
            results.push(invalid(row.number, reasons));
            continue;
        }
        if let Some(id) = row.input.external_id.as_ref().and_then(|e| pushed.get(e)) {
            results.push(duplicate(row.number, *id, Msg::CsvExternalIdPushedBefore));
            continue;
        }
        let key = checked.phone.clone().flatten().map(|p| p.key().to_owned());
        if let Some(id) = key.as_ref().and_then(|k| phones_on_file.get(k)) {
            results.push(duplicate(row.number, *id, Msg::CsvPhoneOnFile));
            continue;
        }
        let id = Uuid::now_v7();
        if owner.is_none() {
            unowned.push(id);
        }
        if let Some(key) = key {
            phones_on_file.insert(key, id);
        }
        if let Some(external) = &row.input.external_id {
            pushed.insert(external.clone(), id);
        }
        let (customer, events) = build(id, row.input, checked, actor, owner, now, true);
        entries.extend(events.into_iter().map(|e| timeline::entry(Some(actor), e)));
        new_customers.push(customer);
        results.push(RowResult {
            row: row.number,
            status: "created",
            customer_id: Some(id),
            reasons: Vec::new(),
        });
    }
    for chunk in new_customers.chunks(500) {
        customers::Entity::insert_many(chunk.to_vec()).exec(&txn).await?;
    }
    for chunk in entries.chunks(1000) {
        timeline_entries::Entity::insert_many(chunk.to_vec()).exec(&txn).await?;
    }
    let created: Vec<Uuid> = results
        .iter()
        .filter(|r| r.status == "created")
        .filter_map(|r| r.customer_id)
        .collect();
    crate::outbox::sla::on_leads_arrived(&txn, &created, now).await?;
    let key_accounts: Vec<Uuid> = new_customers
        .iter()
        .filter(|c| c.key_account.try_as_ref() == Some(&true))
        .filter_map(|c| c.id.try_as_ref().copied())
        .collect();
    crate::outbox::sla::on_key_accounts_marked(&txn, &key_accounts, now).await?;
    // Leads without an owner (a partner's) go where the routing rules send them.
    crate::sales::routing::route(&txn, ctx, &unowned).await?;
    results.sort_by_key(|r| r.row);
    let count = |status: &str| results.iter().filter(|r| r.status == status).count();
    let report = ImportReport {
        rows: results.len(),
        created: count("created"),
        duplicates: count("duplicate"),
        invalid: count("invalid"),
        results,
    };
    let summary = json!({"rows": report.rows, "created": report.created, "duplicates": report.duplicates,
                         "invalid": report.invalid});
    audit::record(&txn, ctx, "import", "customer", "import", None, Some(&summary)).await?;
    txn.commit().await?;
    if report.created >= ANALYZE_AFTER {
        use sea_orm::EntityName;
        let grown = [
            customers::Entity.table_name(),
            entities::timers::Entity.table_name(),
            timeline_entries::Entity.table_name(),
        ];
        crate::platform::db::refresh_statistics(db, &grown).await?;
    }
    Ok(report)
}

/// Columns of an export, in order, by their header messages.
pub const EXPORT_COLUMNS: &[Msg] = &[
    Msg::ColumnId,
    Msg::ColumnName,
    Msg::ColumnPhone,
    Msg::ColumnEmail,
    Msg::ColumnWechatId,
    Msg::ColumnChannel,
    Msg::ColumnStatus,
    Msg::ColumnLostReason,
    Msg::ColumnKeyAccount,
    Msg::ColumnOwnerId,
    Msg::ColumnTeamId,
    Msg::ColumnExternalId,
    Msg::ColumnCreatedAt,
    Msg::ColumnAssignedAt,
    Msg::ColumnFirstResponseAt,
    Msg::ColumnNeedsAssessedAt,
    Msg::ColumnLastFollowUpAt,
];

/// One batch of the export: customers in reach after `after`, in id order.
pub async fn export_batch(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    filter: &CustomerFilter,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Vec<CustomerView>, DomainError> {
    use customers::Column as C;
    let mut query = customers::Entity::find()
        .filter(reach(actor, scope))
        .filter(C::MergedIntoId.is_null())
        .order_by_asc(C::Id)
        .limit(limit);
    if let Some(after) = after {
        query = query.filter(C::Id.gt(after));
    }
    if let Some(status) = &filter.status {
        query = query.filter(C::Status.eq(status.clone()));
    }
    if let Some(channel) = &filter.channel {
        query = query.filter(C::Channel.eq(channel.clone()));
    }
    if let Some(owner) = filter.owner_id {
        query = query.filter(C::OwnerId.eq(owner));
    }
    if let Some(team) = filter.team_id {
        query = query.filter(C::TeamId.eq(team));
    }
    Ok(query.all(db).await?.into_iter().map(CustomerView::from).collect())
}

/// A spreadsheet would run a cell starting with one of these as a formula.
pub(crate) fn defuse(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// Any table as CSV: `header` (already in the reader's language), then
/// `rows`; a text cell a spreadsheet would run as a formula is defused,
/// numbers are written as they are. For exports of figures (the console's
/// dashboard) that have no CSV of their own.
pub fn table(header: &[String], rows: &[Vec<String>]) -> Result<Vec<u8>, DomainError> {
    let fail = |e: csv::Error| DomainError::Internal(format!("writing CSV: {e}"));
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(header).map_err(fail)?;
    for row in rows {
        let cells = row.iter().map(|cell| {
            if cell.parse::<f64>().is_ok() {
                cell.clone()
            } else {
                defuse(cell)
            }
        });
        writer.write_record(cells).map_err(fail)?;
    }
    writer
        .into_inner()
        .map_err(|e| DomainError::Internal(format!("writing CSV: {e}")))
}

/// The lines of `customers` as CSV, after the header line in `header`'s
/// language if one is asked for. For a partner (`partner`) the sales
/// team's internals are left empty: lost_reason, key_account, owner_id and
/// team_id (see `sales::partner_view`).
pub fn to_csv(customers: &[CustomerView], header: Option<Locale>, partner: bool) -> Result<Vec<u8>, DomainError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| DomainError::Internal(format!("writing CSV: {e}"));
    if let Some(locale) = header {
        let headers = EXPORT_COLUMNS.iter().map(|c| header_in(c, locale));
        writer.write_record(headers).map_err(fail)?;
    }
    let time = |t: Option<chrono::DateTime<Utc>>| t.map(|t| t.to_rfc3339()).unwrap_or_default();
    let id = |i: Option<Uuid>| i.filter(|_| !partner).map(|i| i.to_string()).unwrap_or_default();
    for c in customers {
        let lost_reason = c.lost_reason.as_deref().filter(|_| !partner).unwrap_or_default();
        let key_account = if partner {
            String::new()
        } else {
            c.key_account.to_string()
        };
        writer
            .write_record([
                c.id.to_string(),
                defuse(&c.name),
                c.phone.clone().unwrap_or_default(),
                c.email.clone().unwrap_or_default(),
                defuse(c.wechat_id.as_deref().unwrap_or_default()),
                c.channel.clone(),
                c.status.clone(),
                defuse(lost_reason),
                key_account,
                id(c.owner_id),
                id(c.team_id),
                defuse(c.external_id.as_deref().unwrap_or_default()),
                c.created_at.to_rfc3339(),
                time(c.assigned_at),
                time(c.first_response_at),
                time(c.needs_assessed_at),
                time(c.last_follow_up_at),
            ])
            .map_err(fail)?;
    }
    writer
        .into_inner()
        .map_err(|e| DomainError::Internal(format!("writing CSV: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_that_a_spreadsheet_would_run_as_formulas_are_defused() {
        assert_eq!(defuse("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(defuse("王先生"), "王先生");
    }

    #[test]
    fn an_unknown_column_or_a_missing_name_column_refuses_the_whole_file() {
        assert!(parse(b"name,phone,shoe_size\nx,1,2\n").is_err());
        assert!(parse(b"phone\n13800138000\n").is_err());
        assert!(parse(b"").is_err());
        let (rows, results) = parse(b"\xEF\xBB\xBFName,Phone\nA,138\n").expect("parses");
        assert_eq!((rows.len(), results.len()), (1, 0));
    }

    #[test]
    fn malformed_rows_are_invalid_one_by_one_and_the_others_are_read() {
        let csv = "name,phone\r\n\
                   ok one,138\r\n\
                   too,many,cells\n\
                   too few\n\
                   \"open quote,139\n\
                   \n\
                   \"Wang, Li\",\"13\"\"9\"\n\
                   nul\0,140\n\
                   ok two,141\n";
        let (rows, results) = parse(csv.as_bytes()).expect("parses");
        let read: Vec<(usize, Option<String>)> = rows.iter().map(|r| (r.number, r.input.name.clone())).collect();
        assert_eq!(
            read,
            [
                (1, Some("ok one".to_owned())),
                (5, Some("Wang, Li".to_owned())),
                (7, Some("ok two".to_owned()))
            ]
        );
        let reasons: Vec<(usize, String)> = results
            .iter()
            .map(|r| (r.row, r.reason(&Reader::LOG).unwrap_or_default()))
            .collect();
        assert_eq!(
            reasons[0],
            (2, "has 3 cells but the header line has 2 columns".to_owned())
        );
        assert_eq!(
            reasons[1],
            (3, "has 1 cells but the header line has 2 columns".to_owned())
        );
        assert_eq!(reasons[2], (4, "has a quote that is not closed".to_owned()));
        assert_eq!(reasons[3].0, 6);
        assert!(
            reasons[3].1.starts_with("name must not contain control characters"),
            "{reasons:?}"
        );
        assert_eq!(reasons.len(), 4);
        let (_, results) = parse(b"name\n\xff\n").expect("parses");
        assert_eq!(results[0].reason(&Reader::LOG).as_deref(), Some("is not UTF-8 text"));
    }

    #[test]
    fn headers_are_read_in_either_language_and_problems_name_the_readers_column() {
        let (rows, _) = parse("姓名,电话,重点客户\n王先生,13800138000,true\n".as_bytes()).expect("parses");
        assert_eq!(rows[0].input.name.as_deref(), Some("王先生"));
        assert_eq!(rows[0].input.key_account, Some(true));
        let (_, results) = parse("name,key_account\nx,perhaps\n".as_bytes()).expect("parses");
        let zh = Reader::default();
        assert_eq!(
            results[0].reason(&zh).as_deref(),
            Some("重点客户列：必须是 true 或 false")
        );
        assert_eq!(
            results[0].reason(&Reader::LOG).as_deref(),
            Some("key_account must be true or false")
        );
        let Err(DomainError::Validation(errors)) = parse(b"name,shoe_size\nx,42\n") else {
            panic!("an unknown column is refused");
        };
        assert_eq!(
            errors[0].detail.render(&Reader::LOG),
            "unknown column \"shoe_size\"; the columns are name, phone, email, wechat_id, channel, external_id, owner_email, key_account, project_of_interest, district_of_interest"
        );
        assert!(errors[0].detail.render(&zh).contains("可用的列：姓名、电话、邮箱"));
    }

    #[test]
    fn a_columns_english_header_is_its_name_and_the_export_reads_in_chinese() {
        let names: Vec<String> = EXPORT_COLUMNS.iter().map(name_of).collect();
        assert_eq!(names[..3], ["id", "name", "phone"]);
        assert!(
            IMPORT_COLUMNS
                .iter()
                .chain(EXPORT_COLUMNS)
                .all(|c| name_of(c).chars().all(|ch| ch.is_ascii_lowercase() || ch == '_'))
        );
        let header = to_csv(&[], Some(Locale::ZhCn), false).expect("csv");
        assert!(
            String::from_utf8(header)
                .expect("utf-8")
                .starts_with("客户编号,姓名,电话,")
        );
    }
}
