//! The catalogue: every message a person reads, in Chinese and English side
//! by side. A message is a variant of [`Msg`]; its fields are the values it
//! carries, named in both templates as `{field}` and shown in the reader's
//! form ([`super::Arg`]). The words follow the glossary of the console
//! specification (线索 lead, 跟进 follow-up, 时限 deadline, …).

use super::{Arg, Locale, Reader};

/// Declares [`Msg`] with its two templates per message. The macro makes a
/// message without both languages a compile error; the tests below check
/// that both name the same fields.
macro_rules! catalogue {
    ($(
        $(#[$doc:meta])*
        $name:ident $({ $($field:ident : $ty:ty),* $(,)? })?
            => zh $zh:literal, en $en:literal;
    )*) => {
        /// A message a person reads; rendered for a [`Reader`] with [`Msg::render`].
        #[derive(Debug, Clone, PartialEq)]
        pub enum Msg {
            $( $(#[$doc])* $name $({ $($field: $ty),* })?, )*
            /// A text not in the catalogue yet, shown as it is in every
            /// language. Transitional: it goes once every text is here.
            Untranslated(String),
        }

        impl Msg {
            /// The stable key of the message (its variant's name).
            pub fn key(&self) -> &'static str {
                match self {
                    $( Self::$name { .. } => stringify!($name), )*
                    Self::Untranslated(_) => "Untranslated",
                }
            }

            /// The message in the reader's language, its values in the reader's form.
            pub fn render(&self, reader: &Reader) -> String {
                match self {
                    $( Self::$name $({ $($field),* })? => {
                        $($( let $field = Arg::text($field, reader); )*)?
                        match reader.locale {
                            Locale::ZhCn => format!($zh),
                            Locale::En => format!($en),
                        }
                    } )*
                    Self::Untranslated(text) => text.clone(),
                }
            }

            /// Key, Chinese and English template of every message.
            #[cfg(test)]
            pub(crate) const TEMPLATES: &'static [(&'static str, &'static str, &'static str)] =
                &[ $( (stringify!($name), $zh, $en), )* ];
        }
    };
}

impl From<String> for Msg {
    fn from(text: String) -> Self {
        Msg::Untranslated(text)
    }
}

impl From<&str> for Msg {
    fn from(text: &str) -> Self {
        Msg::Untranslated(text.to_owned())
    }
}

/// In English and UTC: what logs and operators' consoles print.
impl std::fmt::Display for Msg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render(&Reader::LOG))
    }
}

catalogue! {
    // ------------------------------------------------------------ input
    /// A required field is missing.
    Required => zh "必填", en "is required";
    /// A value outside a closed list.
    OneOf { values: Vec<String> } => zh "必须是以下之一：{values}", en "must be one of {values}";
    /// Free text longer than its limit.
    AtMostChars { max: usize } => zh "最多 {max} 个字符", en "must be at most {max} characters";
    /// A reported time ahead of the clock.
    NotInFuture => zh "不能晚于当前时间", en "must not be in the future";
    /// A control character in text.
    ControlCharacter { code_point: String }
        => zh "不能包含控制字符（发现 {code_point}）；只允许制表符、换行符和回车符",
           en "must not contain control characters (found {code_point}); only tab, line feed and carriage return are allowed";

    // ------------------------------------------------------------ money
    /// An amount below zero.
    FenAtLeastZero => zh "必须是不小于 0 的整数（单位：分）", en "must be a whole number of fen of at least 0";
    /// A price of nothing.
    FenPositive => zh "必须是正数金额（单位：分）", en "must be a positive amount in fen";
    /// An amount above the ceiling.
    FenTooLarge => zh "不能超过 1000000000000 分（¥10,000,000,000）",
                   en "must be at most 1000000000000 fen (¥10,000,000,000)";

    // ------------------------------------------------------------ access
    /// A region or team that still holds teams or people.
    NotEmpty { what: Box<Msg> } => zh "该{what}不为空：请先移走或删除其中的内容",
        en "the {what} is not empty; move or remove what it holds first";

    // ------------------------------------------------------------ sales

    // ------------------------------------------------------------ after-sales
    /// Free text that must not be blank and has a limit.
    OneToChars { max: usize } => zh "长度必须为 1 到 {max} 个字符", en "must be 1 to {max} characters";
    /// A closed or cancelled deal takes no more handover work.
    DealIs { stage: String } => zh "该交易已处于 {stage} 阶段", en "the deal is {stage}";
    IssueResolutionRequired => zh "解决问题时必须填写", en "is required to resolve an issue";
    SatisfactionOneToFive => zh "必须是 1 到 5 的整数", en "must be an integer from 1 to 5";
    /// A visit recorded on a deal not handed over.
    VisitBeforeHandover { stage: String } => zh "该交易处于 {stage} 阶段：交房后才能回访",
        en "the deal is {stage}: visits follow the handover";
    NotBeforeHandover => zh "不能早于交房时间", en "must not be before the handover";
    /// A complaint on a customer the caller cannot reach.
    NoCustomerInReach => zh "没有此客户，或不在您的权限范围内", en "no such customer within your reach";
    NoDealOfCustomer => zh "该客户没有此交易", en "no such deal of this customer";
    ComplaintResolutionRequired => zh "解决投诉时必须填写", en "is required to resolve a complaint";
    /// Resolution fields given when a complaint is reopened.
    OnlyForResolving => zh "仅在解决投诉时填写", en "is only for resolving a complaint";
    NotBeforeReceived => zh "不能早于投诉受理时间", en "must not be before the complaint was received";

    // ------------------------------------------------------------ performance
    /// A team-scoped caller plans a training without naming a team.
    TeamRequiredOfYours => zh "必填：请指定您的一个团队", en "is required: name one of your teams";
    NotOneOfYourTeams => zh "不是您的团队", en "is not one of your teams";
    AtMostUsers { max: usize } => zh "最多指定 {max} 名用户", en "must name at most {max} users";
    NoSuchTeam => zh "没有此团队", en "no such team";
    NoSuchRegion => zh "没有此区域", en "no such region";
    NoUserInReach => zh "没有此用户，或不在您的权限范围内", en "no such user within your reach";
    /// A range whose end (`to`) comes before its start (`from`).
    NotBeforeFrom => zh "不能早于 from", en "must not be before from";
    CannotBeChanged => zh "不能修改", en "cannot be changed";
    /// Moving a training with recorded attendance into the future.
    AttendanceRecordedNotFuture => zh "该培训已记录出勤，培训时间不能晚于当前时间",
        en "attendance is recorded for this training, so it cannot be in the future";
    TrainingNotHeldYet => zh "培训尚未举行", en "the training has not been held yet";
    ExamOnlyIfAttended => zh "只有出勤的人员才能有考试结果", en "only someone who attended can have an exam result";
    /// Why an award run failed, as its readers are told.
    RunRecordUnavailable => zh "当时无法读取销售记录；系统会自动重新计算",
        en "the sales record could not be read at the time; the run is computed again automatically";
    RunComputationFailed => zh "无法计算排名：请重新发起该季度的评奖；如果再次失败，请管理员在服务日志中查找此记录的 ID",
        en "the ranking could not be computed; request a new run of the quarter, and if it fails again ask an administrator to look for this run's id in the service logs";
    /// A quarter or a month that cannot be read; `value` is quoted as given.
    NotAQuarter { value: String } => zh "{value} 不是季度：请按 YYYY-Qn 填写，例如 2026-Q3",
        en "{value} is not a quarter: use YYYY-Qn, e.g. 2026-Q3";
    NotAMonth { value: String } => zh "{value} 不是月份：请按 YYYY-MM 填写", en "{value} is not a month: use YYYY-MM";
    /// A consultant (scope own) asks for team figures.
    KpiTeamsNeedScope => zh "团队指标需要范围为 team 或 all 的 kpis:read；您的 kpis:read 范围为 own：请在 /api/v1/kpis/consultants 查看您自己的指标",
        en "team figures need kpis:read with scope team or all; you hold kpis:read with scope own: read your own row at /api/v1/kpis/consultants";
    /// An award weight.
    WeightMinusOneToOne => zh "必须是 -1 到 1 之间的数", en "must be a number from -1 to 1";
    RateZeroToOne => zh "必须是 0 到 1 之间的比率", en "must be a rate from 0 to 1";
    DaysAtLeastZero => zh "必须是不小于 0 的整数天数", en "must be a whole number of days of at least 0";
    /// The ranks of a bonus tier.
    TierRanks => zh "必须是 [first, last]，且 1 ≤ first ≤ last", en "must be [first, last] with 1 ≤ first ≤ last";
    PercentZeroToHundred => zh "必须是 0 到 100 的整数百分比", en "must be a whole percentage from 0 to 100";
    TierRanksOverlap => zh "与另一档的名次重叠", en "overlaps the ranks of another tier";
    SharesAtMostHundred => zh "各档比例之和不能超过 100%", en "the shares must add up to at most 100 percent";
    /// A target's period.
    YearOrQuarter => zh "必须是年份（2026）或季度（2026-Q1 至 2026-Q4）",
        en "must be a year (2026) or a quarter (2026-Q1 to 2026-Q4)";
    YearSuchAs => zh "必须是年份，例如 2026", en "must be a year such as 2026";
    WholeAtLeastZero => zh "必须是不小于 0 的整数", en "must be a whole number of at least 0";
    RegionOrTeam => zh "region_id 和 team_id 必须且只能填写一个", en "exactly one of region_id and team_id is required";
    /// A second target for the same region or team and period.
    TargetExists { subject: String, period: String }
        => zh "{subject} 在 {period} 已有目标：请修改那一个",
           en "{subject} already has a target for {period}: change that one instead";

    // ------------------------------------------------------------ outbox and engine
    /// What an SLA deadline watches, as its notifications name it.
    SlaFirstResponse => zh "首次响应", en "first response";
    SlaNeedsAssessment => zh "需求分析", en "needs assessment";
    SlaFollowUp => zh "每周跟进", en "weekly follow-up";
    SlaInspection => zh "交房前检查", en "pre-handover inspection";
    SlaVisit => zh "交房后回访", en "post-handover visit";
    SlaComplaintResolution => zh "投诉处理", en "complaint resolution";
    /// The title of a consultant's task (inspection, visit).
    NoticeTask { what: Box<Msg> } => zh "任务：{what}", en "Task: {what}";
    /// The title of a reminder before a deadline.
    NoticeReminder { what: Box<Msg> } => zh "提醒：{what}即将到期", en "Reminder: {what} is due soon";
    /// The title of the manager's notification of a missed deadline.
    NoticeBreach { what: Box<Msg> } => zh "逾期：{what}未在时限内完成", en "SLA breach: {what} missed";
    /// The body of a deadline's notification.
    NoticeDue { what: Box<Msg>, due: super::At } => zh "{what}：{due} 到期", en "{what}: due {due}";
    /// The title of a manager's daily or weekly digest of a team.
    DigestTitle { team: String, label: String, leads: i64, breaches: i64 }
        => zh "{team} {label} 简报：新增线索 {leads} 条，逾期 {breaches} 次",
           en "{team} digest {label}: {leads} new leads, {breaches} missed deadlines";
    /// The period a digest covers.
    DigestPeriod { from: super::At, to: super::At } => zh "统计时段：{from} 至 {to}", en "From {from} to {to}";
    /// SLA policy limits.
    DurationOneSecondTo366Days => zh "必须在 1 秒到 366 天之间", en "must be between 1 second and 366 days";
    WarningPercent => zh "必须在 0（不提醒）到 99 之间", en "must be between 0 (no reminder) and 99";
    OnlyFirstResponseReassigns => zh "只有首次响应逾期才会重新分配线索", en "only a missed first response reassigns the lead";
    /// The notifications of an API client (they are for staff).
    NotificationsForStaff => zh "通知仅面向员工账号", en "notifications are for staff accounts";
    /// A webhook URL: its host is not on the public internet.
    PrivateDestination => zh "指向私有或特殊用途地址；除非设置了 ESTATEFLOW_WEBHOOK_ALLOW_PRIVATE_NETWORKS，接收方必须位于公网",
        en "points to a private or special-purpose address; receivers must be on the public internet unless ESTATEFLOW_WEBHOOK_ALLOW_PRIVATE_NETWORKS is set";
    /// A webhook URL that cannot be read; `reason` is the parser's (English).
    NotAUrl { reason: String } => zh "不是有效的 URL：{reason}", en "is not a URL: {reason}";
    HttpOrHttpsUrl => zh "必须是 http 或 https URL", en "must be an http or https URL";
    UrlHost => zh "必须包含主机名", en "must name a host";
    UrlCredentials => zh "不能包含凭据；请改为校验签名", en "must not carry credentials; verify the signature instead";
    AtLeastOneEvent => zh "至少指定一个事件", en "name at least one event";
    /// An event name not among the webhook events.
    UnknownEvent { event: String, events: Vec<String> } => zh "未知事件 {event}：请使用以下之一：{events}",
        en "unknown event {event}: use one of {events}";
    NameTheClient => zh "请指定要订阅的接口客户端", en "name the API client to subscribe";
    PartnerSubscribesItself => zh "合作方只能为自己订阅", en "a partner subscribes only itself";
    NoSuchApiClient => zh "没有此接口客户端", en "no such API client";
    OnlyApiClientsSubscribe => zh "只有接口客户端才能订阅", en "only API clients have subscriptions";
    SubscriptionClientFixed => zh "订阅不能转给其他客户端", en "a subscription cannot move to another client";

    // ------------------------------------------------------------ nouns (what a record is called)
    NounApiClient => zh "接口客户端", en "API client";
    NounKpiSnapshot => zh "KPI 快照", en "KPI snapshot";
    NounSlaPolicy => zh "时限策略", en "SLA policy";
    NounAttendee => zh "参训人员", en "attendee";
    NounAwardRules => zh "评奖规则", en "award rules";
    NounAwardRun => zh "评奖记录", en "award run";
    NounChecklistItem => zh "检查清单项", en "checklist item";
    NounComplaint => zh "投诉", en "complaint";
    NounCustomer => zh "客户", en "customer";
    NounCustomerEvent => zh "客户活动", en "customer event";
    NounDeal => zh "交易", en "deal";
    NounHandover => zh "交房记录", en "handover";
    NounInspectionIssue => zh "检查问题", en "inspection issue";
    NounInvitation => zh "邀请", en "invitation";
    NounJob => zh "任务", en "job";
    NounNeedsAssessment => zh "需求分析", en "needs assessment";
    NounNotification => zh "通知", en "notification";
    NounQueue => zh "队列", en "queue";
    NounQueueProbe => zh "队列探针", en "queue probe";
    NounRecommendation => zh "推荐", en "recommendation";
    NounRecord => zh "记录", en "record";
    NounRegion => zh "区域", en "region";
    NounRole => zh "角色", en "role";
    NounTarget => zh "目标", en "target";
    NounTeam => zh "团队", en "team";
    NounTraining => zh "培训", en "training";
    NounUnit => zh "房源", en "unit";
    NounUser => zh "用户", en "user";
    NounWebhook => zh "Webhook 订阅", en "webhook";
    NounWebhookDelivery => zh "Webhook 投递", en "webhook delivery";

    // ------------------------------------------------------------ problem titles
    TitleBadRequest => zh "请求有误", en "Bad request";
    TitleMalformedJson => zh "JSON 格式错误", en "Malformed JSON";
    TitleUnsupportedMediaType => zh "不支持的媒体类型", en "Unsupported media type";
    TitleInvalidQueryString => zh "查询字符串无效", en "Invalid query string";
    TitleInvalidPathParameter => zh "路径参数无效", en "Invalid path parameter";
    TitleValidationFailed => zh "校验未通过", en "Validation failed";
    TitlePayloadTooLarge => zh "请求体过大", en "Payload too large";
    TitleUriTooLong => zh "URI 过长", en "URI too long";
    TitleHeadersTooLarge => zh "请求头过大", en "Request header fields too large";
    TitleUnauthorized => zh "未认证", en "Unauthorized";
    TitleInvalidGrant => zh "授权无效", en "Invalid grant";
    TitleInvalidClient => zh "客户端无效", en "Invalid client";
    TitleUnsupportedGrantType => zh "不支持的授权类型", en "Unsupported grant type";
    TitleForbidden => zh "无权操作", en "Forbidden";
    TitleNotFound => zh "未找到", en "Not found";
    TitleRouteNotFound => zh "路径不存在", en "Route not found";
    TitleMethodNotAllowed => zh "不允许的请求方法", en "Method not allowed";
    TitleConflict => zh "冲突", en "Conflict";
    TitleRefusedByRule => zh "业务规则不允许", en "Refused by a business rule";
    TitleIllegalTransition => zh "不允许的状态变更", en "Illegal transition";
    TitlePreconditionFailed => zh "前提条件不成立", en "Precondition failed";
    TitleInvalidIdempotencyKey => zh "幂等键无效", en "Invalid Idempotency-Key";
    TitleIdempotencyKeyReused => zh "幂等键已用于其他请求", en "Idempotency-Key reused";
    TitleIdempotencyKeyInUse => zh "幂等键正在使用", en "Idempotency-Key in use";
    TitleTooManyRequests => zh "请求过于频繁", en "Too many requests";
    TitleServiceUnavailable => zh "服务不可用", en "Service unavailable";
    TitleInternalServerError => zh "服务器内部错误", en "Internal server error";

    // ------------------------------------------------------------ problem details
    MalformedJson { reason: String } => zh "请求体不是有效的 JSON：{reason}", en "the body is not valid JSON: {reason}";
    InvalidQuery { reason: String } => zh "查询字符串无效：{reason}", en "invalid query string: {reason}";
    InvalidPath { reason: String } => zh "路径参数无效：{reason}", en "invalid path parameter: {reason}";
    InvalidFields => zh "请求中有无效字段", en "the request has invalid fields";
    BodyTooLarge { limit: usize } => zh "请求体超过 {limit} 字节的上限", en "the request body is larger than the limit of {limit} bytes";
    BodyTooLargeUnknownLimit => zh "请求体超过上限。", en "The request body is larger than the limit.";
    UriTooLong { limit: usize } => zh "请求的路径和查询超过 {limit} 字节的上限",
        en "the request's path and query are longer than the limit of {limit} bytes";
    HeadersTooLarge { limit: usize } => zh "请求头超过 {limit} 字节的上限",
        en "the request's headers are larger than the limit of {limit} bytes";
    UnsupportedGrantType { grants: String } => zh "grant_type 必须是以下之一：{grants}", en "grant_type must be one of: {grants}";
    NotFound { what: Box<Msg> } => zh "未找到{what}", en "{what} not found";
    RouteNotFound => zh "没有与此路径匹配的接口", en "no route matches this path";
    MethodNotAllowed => zh "此路径不允许该请求方法", en "this method is not allowed on this path";
    RecordChanged => zh "记录在您读取后已被修改：请重新读取（新的 ETag）后再提交修改",
        en "the record has changed since you read it: read it again (new ETag) and reapply your change";
    InvalidIdempotencyKey => zh "Idempotency-Key 请求头必须是 1 到 255 个可打印 ASCII 字符",
        en "the Idempotency-Key header must be 1 to 255 printable ASCII characters";
    IdempotencyKeyReused => zh "此 Idempotency-Key 已用于另一个请求", en "this Idempotency-Key was used with a different request";
    IdempotencyKeyInUse => zh "使用此 Idempotency-Key 的第一个请求仍在处理中，请稍后重试",
        en "the first request with this Idempotency-Key is still running; retry shortly";
    NotReady { parts: Vec<String> } => zh "尚未就绪：{parts} 不可用", en "not ready: {parts} unavailable";
    InternalError => zh "发生了意外错误，已记录在日志中。报告问题时请提供请求 ID。",
        en "An unexpected error occurred; it has been logged. Quote the request id when reporting it.";
    NoMoveFrom { what: Box<Msg>, from: String, to: String }
        => zh "{what}不能从 {from} 变为 {to}：当前状态不允许任何变更",
           en "a {what} cannot move from {from} to {to}: no move is allowed from there";
    MoveNotAllowed { what: Box<Msg>, from: String, to: String, allowed: Vec<String> }
        => zh "{what}不能从 {from} 变为 {to}：允许变为 {allowed}",
           en "a {what} cannot move from {from} to {to}: allowed are {allowed}";
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// The `{field}` names a template uses.
    fn fields(template: &str) -> BTreeSet<&str> {
        template
            .split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
            .collect()
    }

    #[test]
    fn every_message_names_the_same_values_in_both_languages() {
        for (key, zh, en) in Msg::TEMPLATES {
            assert_eq!(fields(zh), fields(en), "{key}");
        }
    }

    #[test]
    fn every_message_is_written_in_chinese_and_in_english() {
        let han = |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c);
        for (key, zh, en) in Msg::TEMPLATES {
            assert!(zh.chars().any(han), "{key}: the Chinese text has no Chinese: {zh}");
            assert!(!en.chars().any(han), "{key}: the English text has Chinese: {en}");
            assert!(!en.trim().is_empty(), "{key}");
        }
    }

    /// Errors carry messages by value; a message with many or large fields
    /// boxes them, so that every `Result` stays small.
    #[test]
    fn a_message_stays_small() {
        assert!(std::mem::size_of::<Msg>() <= 80, "{}", std::mem::size_of::<Msg>());
    }

    #[test]
    fn a_message_renders_its_values_in_the_readers_form() {
        let zh = Reader::new(Locale::ZhCn, chrono_tz::Asia::Shanghai);
        let en = Reader::new(Locale::En, chrono_tz::Asia::Shanghai);
        let one_of = Msg::OneOf {
            values: vec!["new".to_owned(), "lost".to_owned()],
        };
        assert_eq!(one_of.render(&zh), "必须是以下之一：new、lost");
        assert_eq!(one_of.render(&en), "must be one of new, lost");
        assert_eq!(one_of.key(), "OneOf");
        assert_eq!(Msg::Required.render(&zh), "必填");
        assert_eq!(
            Msg::AtMostChars { max: 200 }.render(&en),
            "must be at most 200 characters"
        );
    }
}
