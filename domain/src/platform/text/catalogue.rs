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
        }

        impl Msg {
            /// The stable key of the message (its variant's name).
            pub fn key(&self) -> &'static str {
                match self {
                    $( Self::$name { .. } => stringify!($name), )*
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
                }
            }

            /// Key, Chinese and English template of every message.
            #[cfg(test)]
            pub(crate) const TEMPLATES: &'static [(&'static str, &'static str, &'static str)] =
                &[ $( (stringify!($name), $zh, $en), )* ];
        }
    };
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

    /// Text of a length outside its bounds (a name).
    CharsBetween { min: usize, max: usize } => zh "长度须为 {min} 到 {max} 个字符", en "must be {min} to {max} characters";
    /// Text shorter than its floor (a password).
    AtLeastChars { min: usize } => zh "至少 {min} 个字符", en "must be at least {min} characters";
    /// A number above its limit.
    AtMost { max: u64 } => zh "不能大于 {max}", en "must be at most {max}";
    /// A number outside its bounds (a page size, a rate limit).
    Between { min: u64, max: u64 } => zh "必须在 {min} 到 {max} 之间", en "must be between {min} and {max}";
    /// A date or time outside the window every input is held to.
    DateWindow => zh "必须在 1900-01-01 到 2200-12-31 之间", en "must be between 1900-01-01 and 2200-12-31";
    /// A control character in a JSON member name.
    MemberName { problem: Box<Msg> } => zh "成员名{problem}", en "member name {problem}";
    /// A control character in a query parameter's name.
    ParameterName { problem: Box<Msg> } => zh "参数名{problem}", en "parameter name {problem}";
    /// A `cursor` the API did not hand out.
    NotACursor => zh "不是本接口返回的游标", en "is not a cursor this API returned";
    /// `text` (quoted) as a year, quarter or month that it is not.
    NotAYear { text: String } => zh "{text} 不是年份：请使用 YYYY 格式", en "{text} is not a year: use YYYY";
    NotAQuarter { text: String } => zh "{text} 不是季度：请使用 YYYY-Qn 格式，例如 2026-Q3",
        en "{text} is not a quarter: use YYYY-Qn, e.g. 2026-Q3";
    NotAMonth { text: String } => zh "{text} 不是月份：请使用 YYYY-MM 格式", en "{text} is not a month: use YYYY-MM";
    /// A unique value taken (the database's `detail` names it).
    UniqueValueExists { detail: String } => zh "已存在具有相同唯一值的记录：{detail}",
        en "a record with the same unique value exists: {detail}";
    /// A foreign key broken (the database's `detail` names it).
    ReferenceBroken { detail: String } => zh "引用的记录不存在或仍在使用中：{detail}",
        en "a referenced record is missing or still in use: {detail}";
    /// A reference to a record that does not exist.
    NoSuch { what: Box<Msg> } => zh "{what}不存在", en "no such {what}";

    // ------------------------------------------------------------ money
    /// An amount below zero.
    FenAtLeastZero => zh "必须是不小于 0 的整数（单位：分）", en "must be a whole number of fen of at least 0";
    /// A price of nothing.
    FenPositive => zh "必须是正数金额（单位：分）", en "must be a positive amount in fen";
    /// An amount above the ceiling.
    FenTooLarge => zh "不能超过 1000000000000 分（¥10,000,000,000）",
                   en "must be at most 1000000000000 fen (¥10,000,000,000)";

    // ------------------------------------------------------------ api
    /// A body of the wrong media type; `got` is the type sent, quoted.
    ContentTypeJson { got: String } => zh "Content-Type 必须是 application/json，收到的是 {got}",
        en "Content-Type must be application/json, got {got}";
    ContentTypeJsonOrForm { got: String }
        => zh "Content-Type 必须是 application/json 或 application/x-www-form-urlencoded，收到的是 {got}",
           en "Content-Type must be application/json or application/x-www-form-urlencoded, got {got}";
    ContentTypeJsonNone => zh "Content-Type 必须是 application/json，但请求未提供",
        en "Content-Type must be application/json, got \"nothing\"";
    ContentTypeJsonOrFormNone
        => zh "Content-Type 必须是 application/json 或 application/x-www-form-urlencoded，但请求未提供",
           en "Content-Type must be application/json or application/x-www-form-urlencoded, got \"nothing\"";
    BodyUnreadable { reason: String } => zh "无法读取请求体：{reason}", en "could not read the request body: {reason}";
    FormNotUtf8 => zh "表单请求体不是 UTF-8 编码", en "form body is not UTF-8";
    FormPercentEncoding => zh "表单请求体中的百分号编码有误", en "bad percent-encoding in form body";
    /// A query parameter, named, and what is wrong with it.
    NamedParameter { name: String, problem: Box<Msg> } => zh "参数 {name} {problem}", en "{name} {problem}";
    NotAKnownField { allowed: Vec<String> } => zh "不是已知字段；允许的字段：{allowed}",
        en "is not a known field; allowed: {allowed}";
    NoFieldAllowed => zh "不是已知字段；此处不允许任何字段", en "is not a known field; none are allowed here";
    GivenTwice => zh "重复出现", en "is given more than once";
    NotAllowedValue => zh "不是允许的值", en "is not an allowed value";
    /// The values of an enum a body or query names wrongly.
    OneOfListed { values: Vec<String> } => zh "必须是以下之一：{values}", en "must be one of: {values}";
    MustBeObject => zh "必须是对象", en "must be an object";
    WrongElementCount => zh "元素个数不对", en "has the wrong number of elements";
    NoFormMatches => zh "不符合任何允许的格式", en "does not match any of the allowed forms";
    MustBeUuid => zh "必须是 UUID", en "must be a UUID";
    MustBeInteger => zh "必须是整数", en "must be an integer";
    IntegerOutOfRange => zh "超出整数范围", en "is out of range for an integer";
    IntegerBetween { min: String, max: String } => zh "必须是 {min} 到 {max} 之间的整数",
        en "must be an integer from {min} to {max}";
    MustBeNumber => zh "必须是数字", en "must be a number";
    MustBeBoolean => zh "必须是 true 或 false", en "must be true or false";
    MustBeString => zh "必须是字符串", en "must be a string";
    MustBeNull => zh "必须是 null", en "must be null";
    MustBeArray => zh "必须是数组", en "must be an array";
    MustBeAllowedValue => zh "必须是允许的值之一", en "must be one of the allowed values";
    MustBeDate => zh "必须是日期（YYYY-MM-DD）", en "must be a date (YYYY-MM-DD)";
    MustBeDateTime => zh "必须是日期时间（RFC 3339，例如 2026-11-29T10:30:00+08:00）",
        en "must be a date and time (RFC 3339, e.g. 2026-11-29T10:30:00+08:00)";
    MustBeDateOrTime => zh "必须是文档所述的日期（YYYY-MM-DD）或时间（RFC 3339，例如 2026-11-29T10:30:00+08:00）",
        en "must be a date (YYYY-MM-DD) or a time (RFC 3339, e.g. 2026-11-29T10:30:00+08:00) as documented";
    WrongType => zh "类型不对", en "has the wrong type";
    NotValidValue => zh "不是有效的值", en "is not a valid value";
    TokenSignature => zh "令牌签名无效", en "the token's signature is not valid";
    TokenExpired => zh "令牌已过期", en "the token has expired";
    TokenNotYetValid => zh "令牌尚未生效", en "the token is not valid yet";
    TokenForeignIssuer => zh "令牌不是由本接口签发的", en "the token was not issued by this API";
    TokenForeignAudience => zh "令牌不是发给本接口的", en "the token is not meant for this API";
    TokenAlgorithm => zh "令牌未使用 HS256 签名", en "the token is not signed with HS256";
    TokenLacksClaim { name: String } => zh "令牌缺少声明 {name}", en "the token lacks the claim {name}";
    TokenClaimInvalid { name: String } => zh "令牌的声明 {name} 无效", en "the token's claim {name} is not valid";
    TokenMalformed => zh "令牌格式错误", en "the token is malformed";
    CallerGone => zh "账号或客户端已停用或不存在", en "the account or client is disabled or no longer exists";
    BearerRequired => zh "需要 Authorization: Bearer <token> 请求头", en "an Authorization: Bearer <token> header is required";
    AuthorizationNotText => zh "Authorization 请求头不是有效的文本", en "the Authorization header is not valid text";
    AuthorizationNotBearer => zh "Authorization 请求头必须是 `Bearer <token>`", en "the Authorization header must be `Bearer <token>`";
    NeedsPermission { permission: String } => zh "此操作需要 {permission} 权限", en "this action needs the {permission} permission";
    NeedsAllRecords { permission: String } => zh "此变更需要全部记录范围的 {permission} 权限",
        en "this change needs {permission} on all records";
    StaffOnly => zh "此项由销售团队记录，合作方客户端不能记录", en "this is recorded by the sales team, not by partner clients";
    RequiredForGrant { grant: String } => zh "grant_type={grant} 时必填", en "is required for grant_type={grant}";
    TooManySignIns => zh "此账号或此地址的登录失败次数过多", en "too many failed sign-ins for this account or from this address";
    WrongCredentials => zh "电子邮件或密码错误，或账号已停用", en "the e-mail or password is wrong, or the account is disabled";
    RefreshRefused => zh "刷新令牌未知、已过期、已撤销或已使用，或其账号已停用",
        en "the refresh token is unknown, expired, revoked or spent, or its account is disabled";
    ClientRefused => zh "客户端不存在或已停用，或密钥错误", en "the client is unknown or disabled, or the secret is wrong";
    ClientRateLimit { limit: u32 } => zh "此客户端每分钟最多可发出 {limit} 个请求", en "this client may make {limit} requests a minute";
    /// A bare status that reached the edge without a body of ours.
    UnsupportedMediaType => zh "不支持的媒体类型", en "unsupported media type";
    AuthenticationRequired => zh "需要认证", en "authentication required";
    NotAllowed => zh "不允许", en "not allowed";
    /// Any other client error without a body: its HTTP reason phrase.
    StatusReason { reason: String } => zh "请求有误：{reason}", en "{reason}";
    JobWrongState => zh "该任务当前的状态不适用此操作", en "the job is not in a state this action applies to";
    ActionNotForState { state: String } => zh "此操作不适用于 {state} 状态的任务", en "this action does not apply to {state} jobs";

    // ------------------------------------------------------------ access
    /// A region or team that still holds teams or people.
    NotEmpty { what: Box<Msg> } => zh "该{what}不为空：请先移走或删除其中的内容",
        en "the {what} is not empty; move or remove what it holds first";
    /// An e-mail address that is not one.
    EmailAddress => zh "必须是电子邮件地址，例如 name@example.com", en "must be an e-mail address such as name@example.com";
    EmailTaken { email: String } => zh "已存在电子邮件为 {email} 的用户", en "a user with e-mail {email} exists";
    /// A field only an all-records users:write may change.
    NeedsUsersWriteAll => zh "只有拥有全部记录范围的 users:write 权限才能修改",
        en "may only be changed with users:write on all records";
    /// A role name (quoted) that no role has.
    UnknownRole { role: String } => zh "角色 {role} 不存在", en "unknown role {role}";
    /// A permission name (quoted) that no permission has.
    UnknownPermission { permission: String } => zh "权限 {permission} 不存在", en "unknown permission {permission}";
    UnknownPermissionSeeList { permission: String } => zh "权限 {permission} 不存在；请查看 GET /api/v1/permissions",
        en "unknown permission {permission}; see GET /api/v1/permissions";
    GrantedTwice => zh "重复授予", en "is granted twice";
    RoleName => zh "必须是 2 到 64 个 a-z、0-9 或 _ 字符，并以字母开头",
        en "must be 2 to 64 of a-z, 0-9 and _, starting with a letter";
    RoleNameTaken => zh "已存在同名角色", en "a role with this name exists";
    BuiltinRoleRename { role: String } => zh "内置角色 {role} 不能改名", en "the built-in role {role} cannot be renamed";
    BuiltinRoleDelete { role: String } => zh "内置角色 {role} 不能删除", en "the built-in role {role} cannot be deleted";
    LastAdministrator => zh "此变更将导致没有任何有效的管理员（拥有全部记录范围的 users:write 和 roles:write 权限的用户）",
        en "this change would leave no active administrator (a user with users:write and roles:write on all records)";
    NewClientActive => zh "新建的客户端总是启用状态", en "a new client is always active";
    CallerInactive => zh "您的账号或客户端已停用", en "your account or client is no longer active";
    /// What a delegate lacks for a grant: a permission it does not hold.
    UncoveredNotHeld { permission: String, scope: String }
        => zh "范围为 {scope} 的 {permission}，而您没有 {permission} 权限",
           en "{permission} with scope {scope}, and you do not hold {permission}";
    /// What a delegate lacks for a grant: a wider scope than it holds.
    UncoveredNarrower { permission: String, scope: String, held: String }
        => zh "范围为 {scope} 的 {permission}，而您的 {permission} 权限范围仅为 {held}",
           en "{permission} with scope {scope}, and you hold {permission} only with scope {held}";
    GrantOnlyHeld { uncovered: Box<Msg> } => zh "您只能授予自己拥有的权限，且范围不能更大：此操作将授予{uncovered}",
        en "you can grant only what you hold, with no wider scope: this would grant {uncovered}";
    CannotAssignRole { role: String, uncovered: Box<Msg> } => zh "您不能分配角色 {role}：它授予{uncovered}",
        en "you cannot assign the role {role}: it grants {uncovered}";
    CannotRemoveRole { role: String, uncovered: Box<Msg> } => zh "您不能移除角色 {role}：它授予{uncovered}",
        en "you cannot remove the role {role}: it grants {uncovered}";
    CannotChangeRole { role: String, uncovered: Box<Msg> } => zh "您不能修改角色 {role}：它授予{uncovered}",
        en "you cannot change the role {role}: it grants {uncovered}";
    CannotChangeOwnRole { role: String } => zh "您不能修改角色 {role}：您自己拥有该角色",
        en "you cannot change the role {role}: you hold it yourself";
    OnlyAdministratorsRole { role: String }
        => zh "只有管理员（拥有全部记录范围的 users:write 和 roles:write 权限）才能修改 {role} 角色",
           en "only an administrator (users:write and roles:write with scope all) may change the {role} role";
    OnlyAdministratorsGrants { role: String }
        => zh "只有管理员（拥有全部记录范围的 users:write 和 roles:write 权限）才能修改内置角色 {role} 的权限",
           en "only an administrator (users:write and roles:write with scope all) may change the grants of the built-in role {role}";

    // ------------------------------------------------------------ sales
    // sales: customers and their assignment
    /// Text whose length must lie in 1..=max.
    OneToChars { max: usize } => zh "长度必须为 1 到 {max} 个字符", en "must be 1 to {max} characters";
    CustomerEmail => zh "必须是电子邮箱地址", en "must be an e-mail address";
    CannotBeChangedHere => zh "不能在此修改", en "cannot be changed here";
    CannotBeChanged => zh "不能修改", en "cannot be changed";
    NoSuchUser => zh "用户不存在", en "no such user";
    NoSuchActiveUser => zh "用户不存在或未启用", en "no such active user";
    NoSuchTeam => zh "团队不存在", en "no such team";
    NoSuchUnit => zh "房源不存在", en "no such unit";
    NoSuchCustomerInReach => zh "您的范围内没有该客户", en "no such customer within your reach";
    AssignedBySalesTeam => zh "由销售团队分配", en "is assigned by the sales team";
    AssignedBySalesTeamNotPartners => zh "由销售团队分配，合作方不能指定", en "is assigned by the sales team, not by partners";
    ForPartnerLeads => zh "仅用于合作方推送的线索", en "is for leads pushed by partners";
    OutsideWhatYouMayAssign => zh "超出您可分配的范围", en "is outside what you may assign";
    OutsideTeamsYouMayAssign => zh "不在您可分配的团队范围内", en "is outside the teams you may assign to";
    ConsultantOrTeam => zh "consultant_id（指定顾问）和 team_id（团队内轮流分配）须二选一",
        en "give exactly one of consultant_id (a named consultant) and team_id (round-robin in the team)";
    RequiredToReassign => zh "重新分配时必填", en "is required to reassign";
    RequiredWhenLost => zh "客户流失时必填", en "is required when a customer is lost";
    AlreadyOwnsCustomer => zh "已是该客户的负责顾问", en "already owns this customer";
    AlreadyAssigned => zh "该客户已有顾问：请使用 POST .../reassignment",
        en "the customer already has a consultant: use POST .../reassignment";
    NotAssigned => zh "该客户还没有顾问：请使用 POST .../assignment",
        en "the customer has no consultant yet: use POST .../assignment";
    NoAvailableConsultant => zh "该团队没有可接收线索的顾问（在职且未暂停）",
        en "the team has no active, unpaused consultant to take the lead";
    MergedAssignThatOne => zh "该客户已合并到另一位客户，请分配那一位", en "this customer was merged into another; assign that one";
    MergedRecordThere => zh "该客户已合并到另一位客户，请在那一位客户上记录", en "this customer was merged into another; record it there";
    AnotherCustomer => zh "必须是另一位客户", en "must be another customer";
    AlreadyMerged => zh "已合并到另一位客户", en "was already merged into another customer";
    ThisCustomerAlreadyMerged => zh "该客户已合并到另一位客户", en "this customer was already merged into another customer";
    /// A time a person reports that lies before the customer's record.
    BeforeCustomerRecorded => zh "早于客户的录入时间", en "is before the customer was recorded";
    AfterOccurredAt => zh "必须晚于 occurred_at", en "must be after occurred_at";

    // sales: events, needs, units and deals
    StartsAtAttended => zh "已有客户记为出席，开始时间不能晚于当前时间",
        en "customers are recorded as having attended, so it cannot be in the future";
    EventNotStarted => zh "活动尚未开始", en "the event has not started yet";
    BelowMinimum => zh "不能小于最小值", en "must not be below the minimum";
    OutOfRange => zh "超出范围", en "is out of range";
    AtMostDistricts { max: usize } => zh "最多 {max} 个意向区域", en "at most {max} districts";
    AtMostUnits { max: usize } => zh "最多 {max} 套房源", en "at most {max} units";
    UnitTwice => zh "重复推荐了同一套房源", en "names a unit twice";
    UnknownUnit => zh "推荐的房源不存在", en "names a unit that does not exist";
    AreaFormat => zh "必须是最多两位小数的正数字符串，例如 \"89.50\"",
        en "must be a positive decimal string with at most 2 decimals, e.g. \"89.50\"";
    /// A unit status staff may not set by hand.
    UnitStatusManual => zh "必须是 available 或 reserved（subscribed 和 sold 由交易设定）",
        en "must be available or reserved (subscribed and sold are set by deals)";
    UnitExists => zh "已有相同项目、楼栋和房号的房源", en "a unit with this project, building and number exists";
    UnitSetByDeal { status: String } => zh "该房源已由交易设为 {status}，只能由交易更改其状态",
        en "the unit is {status} by a deal; only the deal changes its status";
    UnitUnavailable => zh "该房源已不可售：已被其他交易占用或已售出",
        en "the unit is no longer available: another deal has taken it, or it is sold";
    SupportRole { role: String } => zh "必须是拥有 {role} 角色的在职用户", en "must be an active user with the {role} role";
    /// `stage` is the name as sent, quoted.
    UnknownStage { stage: String } => zh "未知的阶段 {stage}", en "unknown stage {stage}";
    StagesAre { problem: Box<Msg>, stages: Vec<String> } => zh "{problem}；可用的阶段：{stages}", en "{problem}; stages are {stages}";
    RequiredToCancelDeal => zh "取消交易时必填", en "is required to cancel a deal";
    NotBeforePreviousMove { at: super::Stamp }
        => zh "不能早于该交易上一次变更的时间（{at}）", en "must not be before the deal's previous move ({at})";
    FinalDeal { stage: String } => zh "处于 {stage} 阶段的交易不能修改", en "a {stage} deal cannot be changed";
    OpenInspectionIssues { count: u64 } => zh "还有 {count} 个检查问题未整改，请先整改再交房",
        en "{count} inspection issue(s) are not resolved yet; resolve them before the handover";
    ChecklistIncomplete { count: u64 } => zh "交房检查清单还有 {count} 项未完成",
        en "{count} item(s) of the handover checklist are not done yet";

    // sales: customer files (CSV)
    // The headers of the customer files: the English is the column's name
    // (what API clients write and read); an import accepts either language.
    ColumnId => zh "客户编号", en "id";
    ColumnName => zh "姓名", en "name";
    ColumnPhone => zh "电话", en "phone";
    ColumnEmail => zh "邮箱", en "email";
    ColumnWechatId => zh "微信号", en "wechat_id";
    ColumnChannel => zh "渠道", en "channel";
    ColumnStatus => zh "状态", en "status";
    ColumnLostReason => zh "流失原因", en "lost_reason";
    ColumnKeyAccount => zh "重点客户", en "key_account";
    ColumnOwnerId => zh "负责人编号", en "owner_id";
    ColumnOwnerEmail => zh "负责人邮箱", en "owner_email";
    ColumnTeamId => zh "团队编号", en "team_id";
    ColumnExternalId => zh "外部编号", en "external_id";
    ColumnCreatedAt => zh "创建时间", en "created_at";
    ColumnAssignedAt => zh "分配时间", en "assigned_at";
    ColumnFirstResponseAt => zh "首次响应时间", en "first_response_at";
    ColumnNeedsAssessedAt => zh "需求分析时间", en "needs_assessed_at";
    ColumnLastFollowUpAt => zh "最近跟进时间", en "last_follow_up_at";
    /// An import without its first line.
    CsvHeaderMissing => zh "缺少标题行", en "the header line is missing";
    /// The first line of an import cannot be read as CSV.
    CsvHeaderLine { problem: Box<Msg> } => zh "标题行{problem}", en "the header line {problem}";
    /// `column` is the header as written, quoted; `columns` are header messages.
    CsvUnknownColumn { column: String, columns: Vec<Msg> }
        => zh "未知的列 {column}；可用的列：{columns}", en "unknown column {column}; the columns are {columns}";
    CsvNameColumnMissing => zh "标题行必须包含姓名（name）列", en "the header line must have a name column";
    CsvTooManyRows { max: usize } => zh "一次最多导入 {max} 行", en "at most {max} rows in one import";
    CsvQuoteNotClosed => zh "有未闭合的引号", en "has a quote that is not closed";
    CsvNotUtf8 => zh "不是 UTF-8 文本", en "is not UTF-8 text";
    /// `reason` is the CSV reader's own (English) words.
    CsvNotARow { reason: String } => zh "不是有效的 CSV 行：{reason}", en "is not a CSV row: {reason}";
    CsvEmpty => zh "为空", en "is empty";
    CsvCellCount { cells: usize, columns: usize }
        => zh "有 {cells} 个单元格，但标题行有 {columns} 列", en "has {cells} cells but the header line has {columns} columns";
    /// What is wrong with one cell of an import row; `column` is a header message.
    CsvCell { column: Box<Msg>, problem: Box<Msg> } => zh "{column}列：{problem}", en "{column} {problem}";
    TrueOrFalse => zh "必须是 true 或 false", en "must be true or false";
    CsvPhoneOnFile => zh "电话号码已存在", en "phone number already on file";
    CsvExternalIdPushedBefore => zh "该 external_id 之前已推送过", en "external_id pushed before";
    CsvContentType => zh "请以 Content-Type: text/csv 发送客户数据", en "send the customers as Content-Type: text/csv";


    // ------------------------------------------------------------ after-sales
    /// Free text that must not be blank and has a limit.
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
    NoSuchRegion => zh "没有此区域", en "no such region";
    NoUserInReach => zh "没有此用户，或不在您的权限范围内", en "no such user within your reach";
    /// A range whose end (`to`) comes before its start (`from`).
    NotBeforeFrom => zh "不能早于 from", en "must not be before from";
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
    /// Why a consultant is not eligible for the Sales Star, one unmet condition each.
    IneligibleUnitsSold { sold: i64, min: i64 } => zh "售出 {sold} 套，少于 {min} 套", en "sold {sold} units, fewer than {min}";
    IneligibleComplaintRate { rate: f64, max: f64 } => zh "投诉率 {rate} 高于 {max}", en "complaint rate {rate} above {max}";
    IneligibleTenure { days: i64, min: i64 } => zh "入职 {days} 天，少于 {min} 天", en "{days} days of tenure, fewer than {min}";
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
    TargetExists { subject: Box<Msg>, period: String }
        => zh "{subject}在 {period} 已有目标：请修改那一个",
           en "{subject} already has a target for {period}: change that one instead";
    /// The department as a target's subject.
    SubjectTheDepartment => zh "销售部", en "the department";
    /// A region, team or consultant as a target's subject, by its kind alone.
    SubjectThis { what: Box<Msg> } => zh "该{what}", en "this {what}";
    /// A region, team or consultant as a target's subject, by name.
    SubjectRegion { name: String } => zh "区域“{name}”", en "region {name}";
    SubjectTeam { name: String } => zh "团队“{name}”", en "team {name}";
    SubjectConsultant { name: String } => zh "顾问“{name}”", en "consultant {name}";
    NounConsultant => zh "顾问", en "consultant";
    // ------------------------------------------------------------ webhook delivery failures (read per reader)
    /// Not sent: the URL is malformed or private.
    DeliveryNotSent { cause: String } => zh "未发送：URL 不可用（{cause}）", en "not sent: the URL is unusable ({cause})";
    /// No connection to the receiver.
    DeliveryNoConnection { cause: String } => zh "无法连接接收方：{cause}", en "could not connect to the receiver: {cause}";
    DeliveryTimeout { secs: i64 } => zh "接收方 {secs} 秒内未应答", en "the receiver did not answer within {secs} s";
    DeliveryAnswerUnreadable { cause: String } => zh "无法读完接收方的应答：{cause}",
        en "the receiver's answer could not be read: {cause}";
    DeliveryRejected { status: i32 } => zh "接收方返回状态 {status}", en "the receiver answered {status}";
    DeliveryInactive => zh "订阅已停用或已删除，不再投递", en "the subscription is inactive or deleted: not delivered";

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
    MalformedJsonAt { line: usize, column: usize } => zh "请求体不是有效的 JSON：第 {line} 行第 {column} 列有语法错误",
        en "the body is not valid JSON: a syntax error at line {line}, column {column}";
    MalformedJsonEndsEarly { line: usize, column: usize } => zh "请求体不是有效的 JSON：在第 {line} 行第 {column} 列提前结束",
        en "the body is not valid JSON: it ends early, at line {line}, column {column}";
    InvalidQuery { reason: Box<Msg> } => zh "查询字符串无效：{reason}", en "invalid query string: {reason}";
    InvalidPath { reason: Box<Msg> } => zh "路径参数无效：{reason}", en "invalid path parameter: {reason}";
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

    // ------------------------------------------------------------ lead routing rules
    NounRoutingRule => zh "分配规则", en "routing rule";
    /// An ordinary routing rule with nothing to match.
    RoutingConditionRequired => zh "至少需要一个条件（渠道、合作方、项目、区域或重点客户）；兜底规则请设 fallback",
        en "needs at least one condition (channel, partner, project, district or key account); for the default rule set fallback";
    /// The default rule with a condition.
    RoutingFallbackMatchesAll => zh "兜底规则匹配其余所有线索，不能设条件",
        en "the default rule takes every other lead and has no conditions";
    /// A second default rule.
    RoutingFallbackExists => zh "已有兜底规则，请修改它或先将其设为普通规则",
        en "there is a default rule already; change it, or make it an ordinary rule first";
    /// The priority of a routing rule out of range.
    RoutingPriority => zh "必须在 0 到 100000 之间", en "must be from 0 to 100000";
    ColumnProjectOfInterest => zh "意向项目", en "project_of_interest";
    ColumnDistrictOfInterest => zh "意向区域", en "district_of_interest";
    // ------------------------------------------------------------ privacy and defects (issue 12, items 10 and 11)
    PhoneNumberForms => zh "必须是电话号码：11 位手机号（可带 +86），带区号的固定电话（如 010-55556666，可带分机），或以 + 开头的国际号码",
        en "must be a phone number: an 11-digit mainland mobile (+86 optional), a landline with its area code (e.g. 010-55556666, extension optional) or an international number starting with +";
    ComplaintResolvedByHandler => zh "此投诉已交由处理人：只有处理人或该团队的经理可以解决",
        en "this complaint has a handler: only the handler or a manager of its team may resolve it";
    // ------------------------------------------------------------ approvals (审批重大销售政策及市场推广方案)
    NounApproval => zh "审批申请", en "approval request";
    /// What is submitted, as prose names it.
    ApprovalSalesPolicy => zh "销售政策", en "sales policy";
    ApprovalMarketingPlan => zh "市场推广方案", en "marketing plan";
    /// What the decision deadline watches, as its notifications name it.
    SlaApprovalDecision => zh "审批决定", en "approval decision";
    /// The director's notification of a new request.
    NoticeApprovalRequested { what: Box<Msg>, title: String }
        => zh "待审批：{what}“{title}”", en "Awaiting your decision: {what} \"{title}\"";
    /// The body of a request's notifications: budget, period, deadline.
    NoticeApprovalBody { budget: super::Amount, start: String, end: String, due: super::At }
        => zh "预算 {budget}，执行期 {start} 至 {end}，请于 {due} 前审批",
           en "Budget {budget}, running {start} to {end}; decide by {due}";
    /// The submitter's notification of the decision.
    NoticeApprovalApproved { what: Box<Msg>, title: String }
        => zh "已批准：{what}“{title}”", en "Approved: {what} \"{title}\"";
    NoticeApprovalRejected { what: Box<Msg>, title: String }
        => zh "已驳回：{what}“{title}”", en "Rejected: {what} \"{title}\"";
    /// The body of a decision's notification: the director's comment.
    NoticeApprovalComment { comment: String } => zh "审批意见：{comment}", en "Comment: {comment}";
    /// The director's reminder before the deadline, and the notice after it.
    NoticeApprovalReminder { what: Box<Msg>, title: String }
        => zh "提醒：{what}“{title}”即将超过审批时限", en "Reminder: the decision on {what} \"{title}\" is due soon";
    NoticeApprovalOverdue { what: Box<Msg>, title: String }
        => zh "逾期：{what}“{title}”未在时限内审批", en "Overdue: {what} \"{title}\" was not decided in time";
    /// Input rules of a request.
    ApprovalPeriodEnd => zh "不能早于开始日期", en "must not be before the start date";
    ApprovalHttpsLink => zh "必须是 https 链接", en "must be an https link";
    ApprovalAtMostLinks { max: usize } => zh "最多 {max} 个链接", en "must hold at most {max} links";
    ApprovalDecision => zh "必须是 approved（批准）或 rejected（驳回）", en "must be approved or rejected";
    ApprovalRejectionComment => zh "驳回时必须填写审批意见", en "a rejection needs a comment";
    ApprovalResubmitRejected => zh "只能重新提交自己被驳回的申请", en "only a rejected request of your own can be resubmitted";
    ApprovalsForStaff => zh "审批申请仅面向员工账号", en "approval requests are for staff accounts";
    ApprovalOnlySubmitterWithdraws => zh "只有提交人可以撤回申请", en "only the submitter may withdraw a request";
    // A consultant's day (the agenda: GET /me/agenda, /teams/{id}/agenda).
    AgendaFirstResponse { customer: String, due: super::At }
        => zh "首次联系{customer}（{due} 前）", en "First contact with {customer} by {due}";
    AgendaNeedsAssessment { customer: String, due: super::At }
        => zh "完成{customer}的需求分析（{due} 前）", en "Assess the needs of {customer} by {due}";
    AgendaFollowUp { customer: String, due: super::At }
        => zh "跟进回访{customer}（{due} 前）", en "Follow up with {customer} by {due}";
    AgendaInspection { customer: String, due: super::At }
        => zh "为{customer}做交房前检查（{due} 前）", en "Pre-handover inspection for {customer} by {due}";
    AgendaVisit { customer: String, due: super::At }
        => zh "交房后回访{customer}（{due} 前）", en "Post-handover visit to {customer} by {due}";
    AgendaComplaint { customer: String, due: super::At }
        => zh "处理{customer}的投诉（{due} 前）", en "Resolve the complaint of {customer} by {due}";
    AgendaOverdue { title: Box<Msg> } => zh "已逾期：{title}", en "Overdue: {title}";
    AgendaOfOwnOnly => zh "您只能查看自己的待办：团队待办需要团队或全部范围的客户读取权限",
        en "you may read only your own agenda: a team's agenda needs customers:read with scope team or all";
    // ------------------------------------------------------------ target plans (销售目标分解, 月度销售计划)
    /// A target's period, now months too.
    YearQuarterOrMonth => zh "必须是年份（2026）、季度（2026-Q1）或月份（2026-11）",
        en "must be a year (2026), a quarter (2026-Q1) or a month (2026-11)";
    /// A department's target names no region, team or consultant.
    DepartmentNamesNoSubject => zh "部门目标不能指定区域、团队或顾问",
        en "a department target names no region, team or consultant";
    /// A region's target names only its region.
    RegionTargetNamesRegionOnly => zh "区域目标只能指定 region_id", en "a region target names its region_id only";
    /// A team's target names only its team.
    TeamTargetNamesTeamOnly => zh "团队目标只能指定 team_id", en "a team target names its team_id only";
    /// A consultant's target names the consultant.
    ConsultantTargetNeedsUser => zh "顾问目标必须指定 user_id（团队即顾问所在团队）",
        en "a consultant target needs user_id (its team is the consultant's)";
    NoSuchConsultantInTeam => zh "该团队中没有此在职顾问", en "no such active consultant in this team";
    NotAConsultantWithTeam => zh "不是在职且属于某个团队的顾问", en "not an active consultant of a team";
    TeamOfAnotherRegion => zh "该团队不属于此区域", en "this team is not in the region";
    /// A split names each part by exactly one of these.
    OnePartKey => zh "必须且只能填写 region_id、team_id、user_id、period 之一",
        en "exactly one of region_id, team_id, user_id and period is required";
    /// What the parts of a target's split must be.
    PartsOfDepartment => zh "部门目标按区域（region_id）或期间（period）分解",
        en "a department target splits into regions (region_id) or periods (period)";
    PartsOfRegion => zh "区域目标按团队（team_id）或期间（period）分解",
        en "a region target splits into teams (team_id) or periods (period)";
    PartsOfTeam => zh "团队目标按顾问（user_id）或期间（period）分解",
        en "a team target splits into consultants (user_id) or periods (period)";
    PartsOfConsultant => zh "顾问目标只能按期间（period）分解", en "a consultant target splits into periods (period) only";
    PartsOneKind => zh "所有部分必须是同一种（区域、团队、顾问或期间）",
        en "all parts must be of one kind (regions, teams, consultants or periods)";
    PeriodNotAPart { parent: String } => zh "不是 {parent} 的组成期间（年分为季度，季度分为月份）",
        en "not a part of {parent} (a year splits into quarters, a quarter into months)";
    PartTwice => zh "同一部分出现了两次", en "this part is named twice";
    PartsAtLeastOne => zh "至少需要一个部分", en "at least one part is required";
    /// A manager splits only the monthly targets of their teams, to consultants.
    ManagerSplitsTeamMonths => zh "销售经理只能把本团队的月度目标分解给顾问（年度、季度目标由销售总监分解）",
        en "a manager splits only their team's monthly targets, to consultants (the director splits years and quarters)";
    /// Parts that add up to more than their target.
    TargetOverAllocated { subject: Box<Msg>, period: String, units: i64, amount: super::Amount }
        => zh "{subject}的 {period} 目标被超额分解：各部分合计超出 {units} 套、{amount}（查看其分解计划）",
           en "the parts of the {period} target of {subject} exceed it by {units} units and {amount} (see its plan)";
    TitleInputRefusedByRule => zh "输入被业务规则拒绝", en "Input refused by a business rule";
    // ------------------------------------------------------------ talent list (表现优异者优先晋升或参与高端培训)
    /// How often a consultant must rank in the top places: at most the quarters looked at.
    TalentTimesWithinQuarters { quarters: u64 } => zh "必须在 1 到 {quarters}（所看季度数）之间",
        en "must be between 1 and {quarters} (the number of quarters looked at)";
    /// Candidates are offered for advanced trainings only.
    TrainingNotAdvanced => zh "该培训不是高端培训：只有高端培训才优先向人才名单推荐人选（先将其标记为高端培训）",
        en "this training is not advanced: only advanced trainings are offered to the talent list first (mark it advanced first)";
    // ------------------------------------------------------------ bonuses by ranking (绩效奖金：根据业绩排名，按比例发放)
    NounBonusRules => zh "奖金规则", en "bonus rules";
    NounBonusPool => zh "奖金池", en "bonus pool";
    /// A pool's period is a month or a quarter.
    BonusPeriod { text: String } => zh "必须是月份（2026-11）或季度（2026-Q4），收到 {text}",
        en "must be a month (2026-11) or a quarter (2026-Q4), got {text}";
    /// A department pool names no team.
    BonusDepartmentNoTeam => zh "部门奖金池不能指定团队（团队奖金池请设 scope 为 team）",
        en "a department pool names no team (for a team pool set scope to team)";
    /// A second pool of the same period and scope.
    BonusPoolExists { period: String } => zh "{period} 的此范围奖金池已存在（每个期间和范围只能有一个）",
        en "there is a pool of {period} for this scope already (one per period and scope)";
    /// A change to a published pool.
    BonusPoolPublished => zh "奖金池已发布，结果已冻结，不能再计算或发布",
        en "the pool is published and its results are frozen: it cannot be computed or published again";
    /// Publishing before computing.
    BonusPoolNotComputed => zh "奖金池尚未计算，请先计算再发布", en "the pool has not been computed yet: compute it before publishing";
    /// The rules' bands must name increasing ranks.
    BonusRanksIncrease { after: i64 } => zh "必须是大于 {after} 的名次（各档名次递增）",
        en "must be a rank above {after} (the bands' ranks increase)";
    BonusPermille => zh "必须在 0 到 1000（‰）之间", en "must be from 0 to 1000 (per mille)";
    BonusSharesAtMostWhole { total: i64 } => zh "各档比例与其余部分合计 {total}‰，不能超过 1000‰",
        en "the bands and the rest add up to {total} per mille, more than 1000";
    BonusAtMostBands { max: usize } => zh "最多 {max} 档", en "must hold at most {max} bands";
    /// A consultant's notice of a published pool.
    NoticeBonusPublished { period: String, rank: i64, amount: super::Yuan }
        => zh "{period} 绩效奖金：排名第 {rank}，奖金 {amount}", en "Bonus for {period}: rank {rank}, {amount}";
    NoticeBonusShare { score: f64, pool: super::Yuan }
        => zh "得分 {score}，奖金池 {pool}", en "Score {score}; pool {pool}";
    NoticeBonusNotRanked { period: String }
        => zh "{period} 绩效奖金：未参与排名", en "Bonus for {period}: not ranked";
    NoticeBonusIneligible { reasons: Vec<Msg> } => zh "原因：{reasons}", en "Why: {reasons}";
    // ------------------------------------------------------------ reports (每日/周汇报业绩情况, 分析客户流失原因)
    /// A caller with reports:read on its own records asks for a team's report.
    ReportNeedsTeamScope => zh "团队报表需要范围为 team 或 all 的 reports:read 权限",
        en "a team's report needs reports:read with scope team or all";
    /// The last row of a team's report: the team as a whole.
    ReportTeamTotal => zh "团队合计", en "team total";
    /// The headers of a team report's CSV: the English is the column's name.
    ReportColumnName => zh "姓名", en "name";
    ReportColumnUserId => zh "用户编号", en "user_id";
    ReportColumnNewLeads => zh "新增线索", en "new_leads";
    ReportColumnFollowUps => zh "跟进次数", en "follow_ups";
    ReportColumnFirstResponsesOnTime => zh "首次响应按时", en "first_responses_on_time";
    ReportColumnFirstResponsesLate => zh "首次响应逾期", en "first_responses_late";
    ReportColumnDealsSubscribed => zh "认购笔数", en "deals_subscribed";
    ReportColumnDealsContracted => zh "签约笔数", en "deals_contracted";
    ReportColumnUnitsSold => zh "成交套数", en "units_sold";
    ReportColumnAmountSoldFen => zh "成交金额（分）", en "amount_sold_fen";
    ReportColumnTargetUnits => zh "本月目标套数", en "target_units";
    ReportColumnTargetAmountFen => zh "本月目标金额（分）", en "target_amount_fen";
    ReportColumnUnitsToDate => zh "本月累计套数", en "units_to_date";
    ReportColumnAmountToDateFen => zh "本月累计金额（分）", en "amount_to_date_fen";
    ReportColumnUnitsPermille => zh "套数完成率（‰）", en "units_permille";
    ReportColumnAmountPermille => zh "金额完成率（‰）", en "amount_permille";
    /// Per kind of deadline: `what` is the deadline's name (SlaFirstResponse, …).
    ReportColumnSlaMet { what: Box<Msg> } => zh "{what}按时", en "{what} met";
    ReportColumnSlaBreached { what: Box<Msg> } => zh "{what}逾期", en "{what} breached";
    /// The title of a manager's daily or weekly digest of a team: the sales.
    DigestTitle { team: String, label: String, units: i64, amount: super::Amount }
        => zh "{team} {label} 简报：成交 {units} 套，{amount}",
           en "{team} digest {label}: {units} units sold for {amount}";
    /// The body of a digest: the period, then one line per figure.
    DigestBody { from: super::At, to: super::At, lines: super::Lines }
        => zh "统计时段：{from} 至 {to}\n{lines}", en "From {from} to {to}\n{lines}";
    DigestLeads { leads: i64, follow_ups: i64, on_time: i64, late: i64 }
        => zh "新增线索 {leads} 条，跟进 {follow_ups} 次，首次响应按时 {on_time} 个、逾期 {late} 个",
           en "{leads} new leads, {follow_ups} follow-ups, first responses {on_time} on time and {late} late";
    DigestDeals { subscribed: i64, contracted: i64 }
        => zh "认购 {subscribed} 笔，签约 {contracted} 笔", en "{subscribed} deals subscribed, {contracted} contracted";
    /// The month's target of the team, to date.
    DigestTargetUnits { month: String, sold: i64, target: i64, rate: super::Percent }
        => zh "{month} 目标：已成交 {sold} 套，目标 {target} 套（{rate}）",
           en "{month} target: {sold} of {target} units ({rate})";
    DigestTargetAmount { sold: super::Amount, target: super::Amount, rate: super::Percent }
        => zh "成交金额 {sold}，目标 {target}（{rate}）", en "amount {sold} of {target} ({rate})";
    DigestNoTarget { month: String } => zh "{month} 未设定团队目标", en "no team target set for {month}";
    DigestSla { met: i64, breached: i64, rate: super::Percent }
        => zh "时限按时完成 {met} 个，逾期 {breached} 个（达成率 {rate}）",
           en "deadlines: {met} met, {breached} missed ({rate} met)";
    /// Where a lead came from, as people read it (the churn analysis).
    ChannelWebsite => zh "官网", en "official website";
    ChannelSocialMedia => zh "社交媒体", en "social media";
    ChannelPartnerPlatform => zh "合作平台", en "partner platform";
    ChannelStoreWalkIn => zh "门店接待", en "store walk-in";
    ChannelOutdoorExhibition => zh "户外展销", en "outdoor exhibition";
    ChannelCrossIndustry => zh "异业合作", en "cross-industry partnership";
    /// A customer's status, as people read it (the churn analysis's stages).
    StatusNew => zh "新线索", en "new lead";
    StatusContacted => zh "已联系", en "contacted";
    StatusNeedsAssessed => zh "已完成需求分析", en "needs assessed";
    StatusActive => zh "跟进中", en "active";
    StatusNegotiating => zh "谈判中", en "negotiating";
    StatusSubscribed => zh "已认购", en "subscribed";
    StatusContracted => zh "已签约", en "contracted";
    StatusHandedOver => zh "已交房", en "handed over";
    StatusLost => zh "已流失", en "lost";
    /// Churn groups without a value.
    ChurnStageUnknown => zh "未记录（流失前状态记录之前流失）", en "not recorded (lost before the stage was kept)";
    ChurnNoReason => zh "未填写原因", en "no reason given";
    ChurnNoConsultant => zh "无负责顾问", en "no consultant";
    // ------------------------------------------------------------ negotiation and after-sales details (谈判准备，贷款及过户)
    NounProject => zh "项目", en "project";
    NounProjectBrief => zh "项目卖点与竞品资料", en "project brief";
    NounNegotiationPlan => zh "谈判方案", en "negotiation plan";
    NounLoan => zh "贷款", en "loan";
    /// A list longer than its limit.
    AtMostItems { max: usize } => zh "最多 {max} 项", en "must have at most {max} items";
    /// An amount above the deal's agreed price.
    NotAboveAgreedPrice { price: super::Amount } => zh "不能超过成交价 {price}",
        en "must not exceed the agreed price of {price}";
    /// A day before the deal's subscription or contract (a date in the business time zone).
    NotBeforeSubscription { date: String } => zh "不能早于认购日期 {date}", en "must not be before the subscription date, {date}";
    NotBeforeContract { date: String } => zh "不能早于签约日期 {date}", en "must not be before the contract date, {date}";
    /// A loan on a deal paid without one.
    LoanNotApplicable { payment: String }
        => zh "付款方式为 {payment} 的交易没有贷款：只有商业贷款（mortgage）和公积金贷款（provident_fund）的交易记录贷款",
           en "a deal paid by {payment} has no loan: only mortgage and provident_fund deals record a loan";
    /// A loan recorded before the deal is subscribed.
    LoanNotYet { stage: String } => zh "该交易处于 {stage} 阶段：认购（subscribed）后才能记录贷款",
        en "the deal is {stage}: a loan is recorded once the deal is subscribed";
    LoanApprovedOnRequired => zh "贷款为已批准（approved）或已放款（disbursed）时必填",
        en "is required when the loan is approved or disbursed";
    LoanApprovedOnNotYet => zh "只有已批准（approved）或已放款（disbursed）的贷款才有批准日期",
        en "only an approved or disbursed loan has an approval date";
    /// Leaving the loan stage without an approved loan.
    LoanNotApproved => zh "贷款尚未获批：商业贷款或公积金贷款的交易须先记录已批准（approved）或已放款（disbursed）的贷款（PUT …/loan），才能进入过户（title_transfer）阶段",
        en "the loan is not approved: a mortgage or provident_fund deal moves to title_transfer once its loan is recorded as approved or disbursed (PUT …/loan)";
    /// A title transfer recorded before the deal reaches its stage.
    TitleTransferNotYet { stage: String } => zh "该交易处于 {stage} 阶段：进入过户（title_transfer）阶段后才能记录过户",
        en "the deal is {stage}: the title transfer is recorded once the deal reaches title_transfer";
    /// Leaving the title-transfer stage without the new certificate.
    TitleNotTransferred => zh "过户尚未完成：须先记录新房产证号和过户日期（PUT …/title-transfer），交易才能进入待交房（handover_ready）阶段",
        en "the title has not been transferred: record the new certificate number and the transfer date (PUT …/title-transfer) before the deal moves to handover_ready";
    /// Support staff reach the deal, but the plan is the consultant's.
    PlanByConsultant => zh "谈判方案只能由交易的销售顾问或其经理编写",
        en "only the deal's consultant or their manager writes its negotiation plan";
    // ------------------------------------------------------------ key-account care and feedback (客户回访，客户意见反馈)
    /// What the revisit deadline watches, as its notifications name it.
    SlaKeyAccountRevisit => zh "重点客户回访", en "key-account revisit";
    AgendaKeyAccountRevisit { customer: String, due: super::At }
        => zh "回访重点客户{customer}（{due} 前）", en "Revisit key account {customer} by {due}";
    NounFeedback => zh "客户意见", en "feedback";
    /// What feedback is about, as prose names it.
    FeedbackProduct => zh "产品", en "product";
    FeedbackService => zh "服务", en "service";
    FeedbackPropertyManagement => zh "物业管理", en "property management";
    FeedbackPricing => zh "价格", en "pricing";
    FeedbackOther => zh "其他", en "other";
    /// A recipient's notification of feedback routed to their department.
    NoticeFeedbackRouted { department: Box<super::Named>, category: Box<Msg>, customer: String }
        => zh "客户意见转{department}：{customer}（{category}）", en "Feedback for {department}: {customer} ({category})";
    NoticeFeedbackBody { text: String } => zh "意见内容：{text}", en "What was said: {text}";
    /// Rules of the routing table.
    FeedbackRouteEachCategoryOnce { categories: Vec<String> }
        => zh "每个类别必须且只能出现一次：{categories}", en "each category must appear exactly once: {categories}";
    FeedbackRouteDepartmentCode => zh "必须是 1 到 64 个小写字母、数字或下划线", en "must be 1 to 64 lowercase letters, digits or underscores";
    FeedbackRouteRecipients => zh "至少需要一个接收人：recipient_role 或 recipient_user_ids",
        en "at least one recipient is needed: recipient_role or recipient_user_ids";
    FeedbackRouteNoSuchRole => zh "没有此角色", en "no such role";
    FeedbackRouteNoSuchActiveUser => zh "没有此在职员工", en "no such active staff account";

    // ------------------------------------------------------------ console: frame (管理控制台)
    UiConsole => zh "EstateFlow 管理控制台", en "EstateFlow console";
    UiSignIn => zh "登录", en "Sign in";
    UiSignOut => zh "退出登录", en "Sign out";
    UiEmail => zh "电子邮箱", en "E-mail";
    UiPassword => zh "密码", en "Password";
    UiLanguage => zh "语言", en "Language";
    UiSignedInAs { name: String } => zh "当前用户：{name}", en "Signed in as {name}";
    UiTimesIn { zone: String } => zh "时间均按 {zone} 显示", en "Times are in {zone}";
    UiSkipToContent => zh "跳到正文", en "Skip to content";
    UiMenu => zh "菜单", en "Menu";
    UiHome => zh "首页", en "Home";
    UiHomeIntro => zh "请选择要进行的工作：", en "Choose what to work on:";
    UiNothingHere => zh "您的角色在控制台中没有可用的页面；如需访问，请联系系统管理员。",
        en "Your roles give you no pages in the console; ask an administrator for access.";
    UiWrongCredentials => zh "电子邮箱或密码不正确。", en "The e-mail or password is wrong.";
    UiTooManySignIns { minutes: u64 } => zh "登录失败次数过多，请 {minutes} 分钟后再试。",
        en "Too many failed sign-ins; try again in {minutes} minutes.";
    UiSessionEnded => zh "会话已结束，请重新登录。", en "Your session has ended; please sign in again.";
    UiSignedOut => zh "您已退出登录。", en "You have signed out.";
    UiFormExpired => zh "表单已过期，请重新提交。", en "The form has expired; please submit it again.";
    UiCsrfRefused => zh "请求缺少有效的表单令牌，已被拒绝（可能来自其他网站）。",
        en "The request lacked a valid form token and was refused (it may have come from another site).";
    UiNotFound => zh "页面或记录", en "page or record";
    UiErrorDetail { request_id: String } => zh "服务内部出错，已记录（请求编号 {request_id}）。请稍后再试。",
        en "The service failed and has logged it (request {request_id}). Please try again later.";
    UiBackHome => zh "返回首页", en "Back to the home page";
    UiSave => zh "保存", en "Save";
    UiCancel => zh "取消", en "Cancel";
    UiSearch => zh "搜索", en "Search";
    UiFilter => zh "筛选", en "Filter";
    UiReset => zh "重置", en "Reset";
    UiPrevious => zh "上一页", en "Previous";
    UiNext => zh "下一页", en "Next";
    UiDownloadCsv => zh "下载 CSV", en "Download CSV";
    UiNone => zh "无", en "none";
    UiYes => zh "是", en "yes";
    UiNo => zh "否", en "no";
    UiSelectAll => zh "全选", en "Select all";
    UiActions => zh "操作", en "Actions";
    UiLiveUpdating => zh "自动刷新中", en "Updating live";
    // The sidebar (console.md: navigation).
    UiNavDashboard => zh "看板", en "Dashboard";
    UiNavCustomers => zh "客户", en "Customers";
    UiNavQueues => zh "队列", en "Queues";
    UiNavTimers => zh "定时器", en "Timers";
    UiNavPeriodic => zh "周期任务", en "Periodic runs";
    UiNavSlaBreaches => zh "时限违约", en "SLA breaches";
    UiNavUsers => zh "用户", en "Users";
    UiNavTeams => zh "团队与区域", en "Teams & regions";
    UiNavRoles => zh "角色与权限", en "Roles & permissions";
    UiNavApiClients => zh "接口客户端", en "API clients";
    UiNavWebhooks => zh "Webhook 回调", en "Webhooks";
    UiNavSlaPolicies => zh "时限策略", en "SLA policies";
    UiNavAwardRules => zh "评奖规则", en "Award rules";
    UiNavAudit => zh "审计日志", en "Audit log";
    UiNavHealth => zh "系统状态", en "System health";
    UiNavGroupWork => zh "业务", en "Work";
    UiNavGroupOperations => zh "运维", en "Operations";
    UiNavGroupAdministration => zh "系统管理", en "Administration";

    // ---- console: timers, periodic runs, SLA breaches, system health (运维)
    UiOpsTimersByKind => zh "按类型统计的未触发定时器", en "Open timers by kind";
    UiOpsKind => zh "类型", en "Kind";
    UiOpsPhase => zh "阶段", en "Phase";
    UiOpsOverdue => zh "已逾期", en "Overdue";
    UiOpsNextHour => zh "一小时内到期", en "Due in the next hour";
    UiOpsLater => zh "更晚到期", en "Later";
    UiOpsAllOpen => zh "全部未触发", en "All open";
    UiOpsAnyKind => zh "全部类型", en "Every kind";
    UiOpsDueAt => zh "到期时间", en "Due";
    UiOpsState => zh "状态", en "State";
    UiOpsAttempts => zh "尝试次数", en "Attempts";
    UiOpsRecord => zh "所属记录", en "Record";
    UiOpsPolicyVersion => zh "策略版本", en "Policy version";
    UiOpsShowingFirst { shown: u64 } => zh "按到期时间显示前 {shown} 条。", en "Showing the first {shown} by due time.";
    UiOpsNoTimers => zh "没有符合条件的定时器：没有逾期或即将到期的工作。", en "No timers match: nothing is overdue or due soon.";
    UiOpsTimerPending => zh "等待中", en "pending";
    UiOpsTimerQueued => zh "已入队", en "queued";
    UiOpsKindPeriodic => zh "周期任务", en "periodic run";
    UiOpsKindAwardRun => zh "评奖计算", en "award computation";
    UiOpsKindWebhookDelivery => zh "Webhook 投递", en "webhook delivery";
    UiOpsKindOther { code: String } => zh "其他（{code}）", en "other ({code})";
    UiOpsJob => zh "任务", en "Job";
    UiOpsLastRun => zh "上次运行", en "Last run";
    UiOpsNextRun => zh "下次运行", en "Next run";
    UiOpsPeriod => zh "周期", en "Period";
    UiOpsRanBy => zh "执行进程", en "Ran by";
    UiOpsNever => zh "尚未运行", en "never";
    UiOpsRunNow => zh "立即运行", en "Run now";
    UiOpsRunNowConfirm { job: String, period: String } => zh "立即为 {period} 运行“{job}”？", en "Run “{job}” for {period} now?";
    UiOpsRanNow { job: String, period: String } => zh "已为 {period} 运行“{job}”。", en "Ran “{job}” for {period}.";
    UiOpsPeriodicIntro => zh "周期任务按业务时区在周期开始时运行，处理刚结束的周期；重复运行不会产生重复结果。",
        en "Periodic runs start at the beginning of each period in the business time zone and cover the period just ended; running one again doubles nothing.";
    UiOpsJobKpiSnapshot => zh "月度业绩快照", en "Monthly KPI snapshot";
    UiOpsJobDigestDaily => zh "经理每日汇报", en "Managers' daily digest";
    UiOpsJobDigestWeekly => zh "经理每周汇报", en "Managers' weekly digest";
    UiOpsJobSalesStar => zh "季度销售之星评选", en "Quarterly Sales Star";
    UiOpsJobBonuses => zh "月度/季度奖金计算", en "Monthly and quarterly bonuses";
    UiOpsBreachesHeat { weeks: u32 } => zh "最近 {weeks} 周各团队各类时限违约次数", en "Breaches by team and deadline kind, last {weeks} weeks";
    UiOpsWeeks => zh "周数", en "Weeks";
    UiOpsTeam => zh "团队", en "Team";
    UiOpsNoTeam => zh "（无团队）", en "(no team)";
    UiOpsTotal => zh "合计", en "Total";
    UiOpsRecentBreaches => zh "最近的违约", en "Recent breaches";
    UiOpsBreachedAt => zh "违约时间", en "Breached";
    UiOpsConsultant => zh "顾问", en "Consultant";
    UiOpsNoBreaches => zh "此期间没有时限违约。", en "No deadline was breached in this period.";
    UiOpsHealthComponent => zh "组件", en "Component";
    UiOpsHealthStatus => zh "状态", en "Status";
    UiOpsHealthDetail => zh "详情", en "Detail";
    UiOpsHealthDatabase => zh "数据库", en "Database";
    UiOpsHealthQueue => zh "任务队列", en "Job queue";
    UiOpsHealthService => zh "服务", en "Service";
    UiOpsHealthMigrations => zh "数据库迁移", en "Migrations";
    UiOpsHealthTimers => zh "定时器积压", en "Timer backlog";
    UiOpsUp => zh "正常", en "up";
    UiOpsDown => zh "不可用", en "down";
    UiOpsAnsweredIn { ms: u64 } => zh "{ms} 毫秒内响应", en "answered in {ms} ms";
    UiOpsMigrationsApplied { applied: u64, total: u64, last: String } => zh "已应用 {applied}/{total}，最新：{last}",
        en "{applied} of {total} applied, latest: {last}";
    UiOpsQueuedTimers { n: u64 } => zh "{n} 个定时器已交给队列、尚未触发", en "{n} timers handed to the queue, not yet fired";
    UiOpsVersion { version: String, mode: String } => zh "EstateFlow {version}，{mode}模式", en "EstateFlow {version}, {mode} mode";
    UiOpsModeEmbedded => zh "嵌入式（SQLite）", en "embedded (SQLite)";
    UiOpsModeProduction => zh "生产（PostgreSQL + Redis）", en "production (PostgreSQL + Redis)";
    // ---- console: people and access (用户、团队与区域、角色与权限)
    UiAdminName => zh "姓名", en "Name";
    UiAdminRoles => zh "角色", en "Roles";
    UiAdminTeam => zh "团队", en "Team";
    UiAdminStatus => zh "状态", en "Status";
    UiAdminIntakePaused => zh "暂停接收线索", en "Lead intake paused";
    UiAdminStatusActive => zh "启用", en "active";
    UiAdminStatusDisabled => zh "已停用", en "disabled";
    UiAdminAny => zh "全部", en "Any";
    UiAdminNoTeam => zh "无团队", en "No team";
    UiAdminSearchUsers => zh "姓名或电子邮箱", en "Name or e-mail";
    UiAdminNoUsers => zh "没有符合条件的用户。请修改筛选条件，或在下方新建用户。",
        en "No users match. Change the filters, or create a user below.";
    UiAdminFirstPage => zh "第一页", en "First page";
    UiAdminCreateUser => zh "新建用户", en "Create user";
    UiAdminPasswordHint => zh "留空则自动生成（只显示一次），至少 10 个字符",
        en "Leave empty to generate one (shown once); at least 10 characters";
    UiAdminUserCreated { name: String } => zh "已创建用户 {name}。", en "User {name} created.";
    UiAdminPasswordOnce => zh "请立即把此密码交给用户：它只显示这一次，之后无法再查看。",
        en "Give this password to the user now: it is shown only this once and cannot be read again.";
    UiAdminNewPassword => zh "新密码", en "New password";
    UiAdminPasswordTyped => zh "密码为您输入的密码。", en "The password is the one you typed.";
    UiAdminOpenUser => zh "打开用户页面", en "Open the user's page";
    UiAdminEditUser => zh "编辑用户", en "Edit user";
    UiAdminUserSaved => zh "已保存用户。", en "User saved.";
    UiAdminDisable => zh "停用", en "Disable";
    UiAdminEnable => zh "启用", en "Enable";
    UiAdminConfirmDisable { name: String } => zh "停用 {name}？其会话和接口访问将立即结束。",
        en "Disable {name}? Their sessions and API access end at once.";
    UiAdminUserDisabled => zh "已停用用户。", en "User disabled.";
    UiAdminUserEnabled => zh "已启用用户。", en "User enabled.";
    UiAdminResetPassword => zh "重置密码", en "Reset password";
    UiAdminConfirmReset { name: String } => zh "重置 {name} 的密码？其所有会话和登录令牌将失效。",
        en "Reset the password of {name}? All their sessions and sign-in tokens end.";
    UiAdminPasswordReset { name: String } => zh "已重置 {name} 的密码，其会话已结束。",
        en "The password of {name} is reset and their sessions ended.";
    UiAdminPauseIntake => zh "暂停接收线索", en "Pause lead intake";
    UiAdminResumeIntake => zh "恢复接收线索", en "Resume lead intake";
    UiAdminIntakePausedDone => zh "已暂停该用户接收线索。", en "Lead intake paused.";
    UiAdminIntakeResumedDone => zh "已恢复该用户接收线索。", en "Lead intake resumed.";
    UiAdminCreatedAt => zh "创建时间", en "Created";
    UiAdminRegions => zh "区域", en "Regions";
    UiAdminTeams => zh "团队", en "Teams";
    UiAdminRegion => zh "区域", en "Region";
    UiAdminManager => zh "经理", en "Manager";
    UiAdminMembers => zh "成员数", en "Members";
    UiAdminNoManager => zh "无经理", en "No manager";
    UiAdminCreateRegion => zh "新建区域", en "Create region";
    UiAdminCreateTeam => zh "新建团队", en "Create team";
    UiAdminRegionCreated => zh "已创建区域。", en "Region created.";
    UiAdminTeamCreated => zh "已创建团队。", en "Team created.";
    UiAdminTeamSaved => zh "已保存团队。", en "Team saved.";
    UiAdminNoRegions => zh "还没有区域。请先新建区域，再在其中新建团队。",
        en "No regions yet. Create a region first, then teams in it.";
    UiAdminNoTeams => zh "还没有团队。请在下方新建团队。", en "No teams yet. Create one below.";
    UiAdminChange => zh "修改", en "Change";
    UiAdminPermission => zh "权限", en "Permission";
    UiAdminDescription => zh "说明", en "Description";
    UiAdminScopeOwn => zh "本人", en "own";
    UiAdminScopeTeam => zh "本团队", en "team";
    UiAdminScopeAll => zh "全部", en "all";
    UiAdminBuiltin => zh "内置", en "built-in";
    UiAdminCustom => zh "自定义", en "custom";
    UiAdminBuiltinReadOnly { role: String } => zh "{role} 是内置角色，在控制台中只读，不能修改。",
        en "{role} is a built-in role: read-only in the console.";
    UiAdminMatrixIntro => zh "每格为角色授予该权限的范围：本人、本团队或全部；空格表示未授予。点击自定义角色的名称可修改其权限。",
        en "Each cell is the scope a role grants the permission with: own, team or all; empty means not granted. Open a custom role by its name to change its permissions.";
    UiAdminCreateRole => zh "新建自定义角色", en "Create a custom role";
    UiAdminRoleNameHint => zh "小写字母、数字和下划线，以字母开头", en "Lower-case letters, digits and underscores, starting with a letter";
    UiAdminRoleCreated => zh "已创建角色，请为其设置权限。", en "Role created; now give it its permissions.";
    UiAdminRoleSaved => zh "已保存角色的权限。", en "The role's permissions are saved.";
    UiAdminPreview => zh "预览变更", en "Preview changes";
    UiAdminPreviewIntro { users: u64 } => zh "该角色有 {users} 名启用的用户。保存后，每项变更的权限：",
        en "This role has {users} active users. On saving, for each changed permission:";
    UiAdminGain => zh "获得权限的用户", en "Users who gain it";
    UiAdminLose => zh "失去权限的用户", en "Users who lose it";
    UiAdminRescope => zh "范围改变的用户", en "Users whose scope changes";
    UiAdminFromTo => zh "变更", en "Change";
    UiAdminNoChanges => zh "与当前权限相同，没有变更。", en "Same as the current permissions: nothing changes.";
    UiAdminPreviewNote => zh "用户若有多个角色，取各角色中最宽的范围。尚未保存。",
        en "A user with several roles keeps the widest scope of any of them. Nothing is saved yet.";
    UiAdminEvaluate => zh "评估权限", en "Evaluate access";
    UiAdminPickUser => zh "选择用户", en "Pick a user";
    UiAdminEffectiveScope => zh "有效范围", en "Effective scope";
    UiAdminGrantedBy => zh "授予的角色", en "Granted by";
    UiAdminNotHeld => zh "未持有", en "not held";
    UiAdminEvaluateIntro { held: u64, total: u64 } => zh "持有 {held} / {total} 项权限。每项的有效范围是该用户各角色中最宽的范围。",
        en "Holds {held} of {total} permissions. Each effective scope is the widest that any of the user's roles grants.";
    UiAdminIntakeWho => zh "暂停或恢复线索分配由总监和经理操作（需要 customers:assign 权限）。",
        en "Directors and managers pause or resume lead intake (it needs the customers:assign permission).";
    UiAdminEvaluateDisabled => zh "此用户已停用：在重新启用之前，下列权限都不生效，也无法登录。",
        en "This user is disabled: none of the permissions below applies, and they cannot sign in, until the account is enabled again.";
    UiAdminNeedsWiderScope { permission: String } => zh "此页面需要范围为本团队或全部的 {permission} 权限。",
        en "This page needs the {permission} permission with scope team or all.";
    UiAdminNoMatch => zh "没有匹配的用户，请换个关键词。", en "No user matches; try other words.";

    // ---- console: integrations (接口客户端、Webhook、时限策略、评奖规则、审计日志)
    UiApiClientsName => zh "名称", en "Name";
    UiApiClientsClientId => zh "客户端 ID", en "Client ID";
    UiApiClientsScopes => zh "权限（范围：本人）", en "Permissions (scope: own)";
    UiApiClientsRateLimit => zh "限流（次/分钟）", en "Rate limit (per minute)";
    UiApiClientsStatus => zh "状态", en "Status";
    UiApiClientsActive => zh "启用", en "active";
    UiApiClientsDisabled => zh "已停用", en "disabled";
    UiApiClientsCreatedAt => zh "创建时间", en "Created";
    UiApiClientsSecretRotatedAt => zh "密钥更换时间", en "Secret rotated";
    UiApiClientsNew => zh "新建接口客户端", en "New API client";
    UiApiClientsCreate => zh "创建", en "Create";
    UiApiClientsScopesHint => zh "不勾选任何权限时，客户端获得合作方（partner）角色的权限。",
        en "With no permission ticked, the client gets the partner role's permissions.";
    UiApiClientsEmpty => zh "还没有接口客户端。请在下方新建一个，再把客户端 ID 和密钥交给合作方。",
        en "No API clients yet. Create one below, then give its client ID and secret to the partner.";
    UiApiClientsSecret => zh "客户端密钥", en "Client secret";
    UiApiClientsSecretOnce => zh "请立即复制此密钥：它只显示这一次，之后无法再查看；遗失后只能更换密钥。",
        en "Copy this secret now: it is shown only this once and cannot be seen again; if it is lost, rotate the secret.";
    UiApiClientsCreated { name: String } => zh "已创建接口客户端“{name}”。", en "API client {name} created.";
    UiApiClientsRotate => zh "更换密钥", en "Rotate secret";
    UiApiClientsRotateConfirm { name: String } => zh "更换“{name}”的密钥？旧密钥将立即失效。",
        en "Rotate the secret of {name}? The old secret stops working at once.";
    UiApiClientsRotated { name: String } => zh "已更换“{name}”的密钥，旧密钥已失效。",
        en "The secret of {name} was rotated; the old one no longer works.";
    UiApiClientsDisable => zh "停用", en "Disable";
    UiApiClientsEnable => zh "启用", en "Enable";
    UiApiClientsDisableConfirm { name: String } => zh "停用“{name}”？它将无法再获取令牌。",
        en "Disable {name}? It can no longer get tokens.";
    UiApiClientsDisabledNow => zh "接口客户端已停用。", en "The API client is disabled.";
    UiApiClientsEnabledNow => zh "接口客户端已启用。", en "The API client is enabled.";
    UiApiClientsBack => zh "返回接口客户端列表", en "Back to the API clients";

    UiWebhooksUrl => zh "接收地址（URL）", en "URL";
    UiWebhooksEvents => zh "事件", en "Events";
    UiWebhooksClient => zh "接口客户端", en "API client";
    UiWebhooksStatus => zh "状态", en "Status";
    UiWebhooksActive => zh "启用", en "active";
    UiWebhooksInactive => zh "已停用", en "disabled";
    UiWebhooksCreatedAt => zh "创建时间", en "Created";
    UiWebhooksNew => zh "新建订阅", en "New subscription";
    UiWebhooksCreate => zh "订阅", en "Subscribe";
    UiWebhooksEmpty => zh "还没有 Webhook 订阅。请先新建接口客户端，再在下方为它订阅事件。",
        en "No webhook subscriptions yet. Create an API client first, then subscribe it to events below.";
    UiWebhooksNeedClient => zh "订阅需要一个接口客户端：请先在“接口客户端”页面新建。",
        en "A subscription belongs to an API client: create one on the API clients page first.";
    UiWebhooksSecret => zh "签名密钥", en "Signing secret";
    UiWebhooksSecretOnce => zh "请立即复制此签名密钥：它只显示这一次，之后无法再查看。",
        en "Copy this signing secret now: it is shown only this once and cannot be seen again.";
    UiWebhooksCreated => zh "已创建订阅。", en "Subscription created.";
    UiWebhooksDisable => zh "停用", en "Disable";
    UiWebhooksEnable => zh "启用", en "Enable";
    UiWebhooksDisableConfirm => zh "停用此订阅？之后的事件不再投递。", en "Disable this subscription? Later events are not delivered.";
    UiWebhooksDisabledNow => zh "订阅已停用。", en "The subscription is disabled.";
    UiWebhooksEnabledNow => zh "订阅已启用。", en "The subscription is enabled.";
    UiWebhooksDeliveries => zh "投递记录", en "Delivery log";
    UiWebhooksOpen => zh "投递记录", en "Deliveries";
    UiWebhooksEvent => zh "事件", en "Event";
    UiWebhooksAttempts => zh "尝试次数", en "Attempts";
    UiWebhooksHttpStatus => zh "HTTP 状态", en "HTTP status";
    UiWebhooksLastError => zh "最近错误", en "Last error";
    UiWebhooksNextAttempt => zh "下次尝试", en "Next attempt";
    UiWebhooksDeliveredAt => zh "送达时间", en "Delivered";
    UiWebhooksAllStatuses => zh "全部状态", en "All statuses";
    UiWebhooksPending => zh "待处理", en "pending";
    UiWebhooksSucceeded => zh "已送达", en "delivered";
    UiWebhooksFailed => zh "失败（重试中）", en "failed (retrying)";
    UiWebhooksDead => zh "死信", en "dead";
    UiWebhooksSelect => zh "选择", en "Select";
    UiWebhooksRedeliver => zh "重新投递", en "Redeliver";
    UiWebhooksRedeliverConfirm => zh "立即重新投递 1 个投递？", en "Redeliver 1 delivery now?";
    UiWebhooksRedeliverSelected => zh "重新投递所选", en "Redeliver the selected";
    UiWebhooksRedeliverSelectedConfirm { count: String } => zh "立即重新投递所选投递（本页最多 {count} 个）？",
        en "Redeliver the selected deliveries now (at most {count} on this page)?";
    UiWebhooksRedelivered { count: String } => zh "已安排重新投递 {count} 个投递。", en "{count} deliveries scheduled again.";
    UiWebhooksNoneSelected => zh "未选择任何投递。", en "No delivery was selected.";
    UiWebhooksNoDeliveries => zh "没有符合条件的投递。订阅的事件发生后，投递会出现在这里。",
        en "No deliveries match. Deliveries appear here once a subscribed event happens.";
    UiWebhooksBack => zh "返回订阅列表", en "Back to the subscriptions";

    UiSlaPoliciesKind => zh "时限类型", en "Deadline";
    UiSlaPoliciesVersion => zh "版本", en "Version";
    UiSlaPoliciesDuration => zh "时长", en "Duration";
    UiSlaPoliciesWarning => zh "提醒点", en "Reminder";
    UiSlaPoliciesNoWarning => zh "不提醒", en "no reminder";
    UiSlaPoliciesWarningAt { percent: i32 } => zh "时长的 {percent}%", en "at {percent}% of the duration";
    UiSlaPoliciesNotifyManager => zh "违约时通知经理", en "Notify the manager on a breach";
    UiSlaPoliciesReassign => zh "首次响应逾期时改派", en "Reassign on a missed first response";
    UiSlaPoliciesChangedBy => zh "修改人", en "Changed by";
    UiSlaPoliciesSince => zh "生效时间", en "In force from";
    UiSlaPoliciesHistory => zh "历史版本", en "Versions";
    UiSlaPoliciesOpen => zh "修改与历史", en "Change and history";
    UiSlaPoliciesEdit => zh "修改（生成新版本）", en "Change (makes a new version)";
    UiSlaPoliciesNote => zh "保存后生成新版本，只用于此后开始的时限；进行中的时限仍按原版本计算。",
        en "Saving makes a new version, used by deadlines started from now on; running deadlines keep theirs.";
    UiSlaPoliciesDays { n: i64 } => zh "{n} 天", en "{n} days";
    UiSlaPoliciesHours { n: i64 } => zh "{n} 小时", en "{n} hours";
    UiSlaPoliciesSeconds { n: i64 } => zh "{n} 秒", en "{n} seconds";
    UiSlaPoliciesAmount => zh "时长数值", en "Duration";
    UiSlaPoliciesUnit => zh "单位", en "Unit";
    UiSlaPoliciesUnitHours => zh "小时", en "hours";
    UiSlaPoliciesUnitDays => zh "天", en "days";
    UiSlaPoliciesWarningPercent => zh "提醒点（时长的百分比，0 为不提醒）", en "Reminder (percent of the duration, 0 for none)";
    UiSlaPoliciesSaved { version: i32 } => zh "已保存为第 {version} 版。", en "Saved as version {version}.";
    UiSlaPoliciesBack => zh "返回时限策略", en "Back to the SLA policies";

    UiAwardRulesCurrent { version: i32 } => zh "现行规则：第 {version} 版", en "Rules in force: version {version}";
    UiAwardRulesVersion => zh "版本", en "Version";
    UiAwardRulesWeights => zh "权重（-1 至 1）", en "Weights (-1 to 1)";
    UiAwardRulesUnitsSold => zh "成交套数", en "Units sold";
    UiAwardRulesAmountSold => zh "成交金额", en "Amount sold";
    UiAwardRulesSatisfaction => zh "满意度", en "Satisfaction rate";
    UiAwardRulesComplaintRate => zh "投诉率", en "Complaint rate";
    UiAwardRulesNewLeads => zh "新线索", en "New leads";
    UiAwardRulesEligibility => zh "参评条件", en "Eligibility";
    UiAwardRulesMinUnits => zh "最少成交套数", en "Minimum units sold";
    UiAwardRulesMaxComplaintRate => zh "最高投诉率（0 至 1）", en "Highest complaint rate (0 to 1)";
    UiAwardRulesMinTenure => zh "最短任职天数", en "Minimum tenure (days)";
    UiAwardRulesNoCondition => zh "不限", en "no condition";
    UiAwardRulesTiers => zh "奖励档位", en "Tiers";
    UiAwardRulesFirstRank => zh "起始名次", en "From rank";
    UiAwardRulesLastRank => zh "截止名次", en "To rank";
    UiAwardRulesShare => zh "奖金池占比（%）", en "Share of the pool (%)";
    UiAwardRulesTier { first: i64, last: i64, share: i64 } => zh "第 {first}–{last} 名：奖金池的 {share}%",
        en "ranks {first}–{last}: {share}% of the pool";
    UiAwardRulesPool => zh "奖金池（元）", en "Bonus pool (yuan)";
    UiAwardRulesHistory => zh "历史版本", en "Versions";
    UiAwardRulesEdit => zh "修改规则（生成新版本）", en "Change the rules (makes a new version)";
    UiAwardRulesNote => zh "保存后生成新版本；已计算的销售之星评选仍按其使用的版本。空白的档位行不保存。",
        en "Saving makes a new version; Sales Star runs already computed keep the version they used. Blank tier rows are left out.";
    UiAwardRulesSaved { version: i32 } => zh "已保存为第 {version} 版。", en "Saved as version {version}.";
    UiAwardRulesNotANumber => zh "必须是数字", en "must be a number";

    UiAuditActor => zh "操作人（电子邮箱）", en "Actor (e-mail)";
    UiAuditBy => zh "操作人", en "By";
    UiAuditEntity => zh "对象类型", en "Entity type";
    UiAuditEntityId => zh "对象 ID", en "Entity id";
    UiAuditAction => zh "操作", en "Action";
    UiAuditFrom => zh "起始日期", en "From";
    UiAuditTo => zh "截止日期（含）", en "To (inclusive)";
    UiAuditWhen => zh "时间", en "Time";
    UiAuditChanges => zh "变更", en "Changes";
    UiAuditFieldCount { count: String } => zh "{count} 个字段", en "{count} fields";
    UiAuditField => zh "字段", en "Field";
    UiAuditBefore => zh "修改前", en "Before";
    UiAuditAfter => zh "修改后", en "After";
    UiAuditSystem => zh "系统", en "the system";
    UiAuditClient { name: String } => zh "接口客户端 {name}", en "API client {name}";
    UiAuditRequest => zh "请求编号", en "Request";
    UiAuditEmpty => zh "没有符合条件的记录。请放宽筛选条件或扩大时间范围。",
        en "No entries match. Loosen the filters or widen the time range.";
    UiAuditNoSuchActor => zh "没有使用此电子邮箱的用户。", en "No user has this e-mail.";
    UiAuditBadDate => zh "日期格式应为 年-月-日，例如 2026-11-30", en "a date is written year-month-day, e.g. 2026-11-30";
    UiAuditNewestFirst => zh "最新的记录在前。", en "Newest entries first.";
    UiAuditFirstPage => zh "第一页", en "First page";
    // ---- console: dashboards and customers
    UiDashTitle => zh "业绩看板", en "Performance dashboard";
    UiDashPeriod => zh "统计周期", en "Period";
    UiDashByMonth => zh "按月", en "By month";
    UiDashByQuarter => zh "按季度", en "By quarter";
    UiDashMonth => zh "月份", en "Month";
    UiDashQuarter => zh "季度", en "Quarter";
    UiDashShow => zh "查看", en "Show";
    UiDashTeams { period: String } => zh "{period} 各团队业绩", en "Teams, {period}";
    UiDashConsultants { period: String } => zh "{period} 各顾问业绩", en "Consultants, {period}";
    UiDashOwnOnly => zh "您的查看范围为本人，只显示您自己的业绩。", en "Your scope is your own: only your figures are shown.";
    UiDashNoTeams => zh "您的范围内没有团队；请联系系统管理员为您分配团队。",
        en "No team is within your scope; ask the administrator to assign you a team.";
    UiDashNoConsultants => zh "您的范围内没有在职顾问。", en "No active consultant is within your scope.";
    UiDashChartTeams { period: String } => zh "{period} 各团队成交金额与目标（万元）",
        en "Amount sold against target per team, {period} (10,000 yuan)";
    UiDashChartConsultants { period: String } => zh "{period} 各顾问成交金额与目标（万元）",
        en "Amount sold against target per consultant, {period} (10,000 yuan)";
    UiDashChartSold => zh "成交金额", en "amount sold";
    UiDashChartTarget => zh "目标", en "target";
    UiDashColTeam => zh "团队", en "Team";
    UiDashColConsultant => zh "顾问", en "Consultant";
    UiDashColUnits => zh "成交套数", en "Units sold";
    UiDashColAmount => zh "成交金额", en "Amount sold";
    UiDashColTargetPeriod => zh "目标周期", en "Target period";
    UiDashColTargetUnits => zh "目标套数", en "Target units";
    UiDashColUnitsToDate => zh "累计成交套数", en "Units to date";
    UiDashColUnitsRate => zh "套数达成率", en "Units achievement rate";
    UiDashColTargetAmount => zh "目标金额", en "Target amount";
    UiDashColAmountToDate => zh "累计成交金额", en "Amount to date";
    UiDashColAmountRate => zh "金额达成率", en "Amount achievement rate";
    UiDashColSatisfaction => zh "满意度", en "Satisfaction";
    UiDashColComplaintRate => zh "投诉率", en "Complaint rate";
    UiDashColNewLeads => zh "新增线索", en "New leads";
    UiDashColSla => zh "时限达成率", en "SLA compliance";
    UiDashColTrainingCoverage => zh "培训覆盖率", en "Training coverage";
    UiDashColPassRate => zh "考核通过率", en "Exam pass rate";
    UiDashColResolutionHours => zh "平均投诉解决时长（小时）", en "Average complaint resolution (hours)";
    UiDashColRank => zh "名次", en "Rank";
    UiDashColScore => zh "得分", en "Score";
    UiDashColEligible => zh "是否合格", en "Eligible";
    UiDashColBonus => zh "奖金", en "Bonus";
    UiDashColReason => zh "说明", en "Reason";
    UiDashColWaiting => zh "等待自", en "Waiting since";
    UiDashColCustomer => zh "客户", en "Customer";
    UiDashStar => zh "销售之星", en "Sales Star";
    UiDashStarOf { period: String, version: i32 } => zh "{period} 销售之星排名（评奖规则第 {version} 版）",
        en "Sales Star ranking of {period} (award rules version {version})";
    UiDashStarNone { period: String } => zh "{period} 的销售之星尚未评出：下一季度开始时自动评选，总监也可随时发起评选。",
        en "No Sales Star ranking of {period} yet: it is computed when the next quarter starts, or when the director asks for it.";
    /// `formula`: each figure's name × its weight, joined by " + ".
    UiDashStarScore { formula: String }
        => zh "得分 = {formula}；成交套数、成交金额和新增线索先除以合格顾问中的最高值。",
           en "Score = {formula}; units, amount and new leads are first divided by the highest among eligible consultants.";
    UiDashUnanswered => zh "未响应线索（按等待时长）", en "Unanswered leads by age";
    UiDashUnassigned => zh "未分配", en "Unassigned";
    UiDashNoUnanswered => zh "没有等待首次响应的线索。", en "No lead is waiting for a first response.";
    UiDashLongestOnly { count: u64 } => zh "只统计等待最久的 {count} 条线索。", en "Only the {count} longest-waiting leads are counted.";
    UiCustSearch => zh "姓名、电话或电子邮箱", en "Name, phone or e-mail";
    UiCustStatus => zh "状态", en "Status";
    UiCustAnyStatus => zh "全部状态", en "Any status";
    UiCustColName => zh "姓名", en "Name";
    UiCustColPhone => zh "电话", en "Phone";
    UiCustColOwner => zh "负责顾问", en "Consultant";
    UiCustColTeam => zh "团队", en "Team";
    UiCustColKeyAccount => zh "重点客户", en "Key account";
    UiCustColNextDue => zh "下一时限", en "Next deadline";
    UiCustColCreated => zh "创建时间", en "Created";
    UiCustColChannel => zh "来源渠道", en "Channel";
    UiCustColAssigned => zh "分配时间", en "Assigned";
    UiCustColFirstResponse => zh "首次响应时间", en "First response";
    UiCustColLastFollowUp => zh "最近跟进", en "Last follow-up";
    UiCustNone => zh "没有符合条件的客户；请修改搜索条件或清除筛选。", en "No customer matches; change the search or clear the filters.";
    UiCustRecord => zh "客户资料", en "Record";
    UiCustTimeline => zh "时间线（最新在前）", en "Timeline (newest first)";
    UiCustNoTimeline => zh "暂无记录。", en "Nothing recorded yet.";
    UiCustDeadlines => zh "待到期时限", en "Deadlines ahead";
    UiCustNoDeadlines => zh "没有待到期的时限。", en "No deadline is pending.";
    UiCustColKind => zh "类型", en "Kind";
    UiCustColDue => zh "到期时间", en "Due";
    UiCustColPolicy => zh "时限策略", en "Policy";
    UiCustColState => zh "是否逾期", en "Overdue";
    UiCustColWhen => zh "时间", en "When";
    UiCustColEvent => zh "事件", en "Event";
    UiCustColDetails => zh "详情", en "Details";
    UiCustColBy => zh "记录人", en "Recorded by";
    UiCustPolicyVersion { what: Box<Msg>, version: i32 } => zh "{what}策略 第 {version} 版", en "{what} policy, version {version}";
    UiCustTask => zh "任务", en "task";
    UiCustOverdue => zh "已逾期", en "overdue";
    UiCustNotYetDue => zh "未到期", en "not yet due";
    UiCustEventCreated => zh "客户建档", en "Customer recorded";
    UiCustEventAssigned => zh "分配顾问", en "Consultant assigned";
    UiCustEventReassigned => zh "改派顾问", en "Reassigned";
    UiCustEventStatusChanged => zh "状态变更", en "Status changed";
    UiCustEventFollowUp => zh "跟进", en "Follow-up";
    UiCustEventNeedsAssessed => zh "需求分析", en "Needs assessment";
    UiCustEventDealCreated => zh "创建交易", en "Deal created";
    UiCustEventDealStageChanged => zh "交易阶段变更", en "Deal stage changed";
    UiCustEventInspectionIssue => zh "交房前检查问题", en "Pre-handover inspection issue";
    UiCustEventHandoverCompleted => zh "交房", en "Handover";
    UiCustEventVisit => zh "交房后回访", en "Post-handover visit";
    UiCustEventComplaintReceived => zh "收到投诉", en "Complaint received";
    UiCustEventComplaintRouted => zh "投诉转交经理", en "Complaint routed to the manager";
    UiCustEventComplaintResolved => zh "投诉已解决", en "Complaint resolved";
    UiCustEventComplaintReopened => zh "投诉重新打开", en "Complaint reopened";
    UiCustEventMerged => zh "合并重复客户", en "Duplicate merged";
    UiCustEventEventInvited => zh "受邀参加活动", en "Invited to an event";
    UiCustEventEventAttended => zh "参加活动", en "Attended an event";
    UiCustEventSlaBreached => zh "时限违约", en "Deadline breached";
    UiCustEventNegotiationPlanUpdated => zh "谈判方案更新", en "Negotiation plan updated";
    UiCustEventLoanUpdated => zh "贷款信息更新", en "Loan updated";
    UiCustEventTitleTransferred => zh "过户", en "Title transfer";
    UiCustEventFeedback => zh "客户意见", en "Feedback";
    UiCustEventFeedbackResolved => zh "意见已处理", en "Feedback resolved";

    // ---- console: queues (队列)
    UiQueuesQueue => zh "队列", en "Queue";
    UiQueuesPending => zh "待处理", en "Pending";
    UiQueuesScheduled => zh "已计划", en "Scheduled";
    UiQueuesRunning => zh "运行中", en "Running";
    UiQueuesDead => zh "死信", en "Dead";
    UiQueuesDone => zh "已完成", en "Done";
    UiQueuesProcessed => zh "已处理", en "Processed";
    UiQueuesFailed => zh "失败", en "Failed";
    UiQueuesRetryingNote => zh "「重试中」是执行失败、等待再次执行的任务，它们同时计入「已计划」（等待重试时间）或「待处理」（已到期）；放弃重试的任务进入「死信」。",
        en "Retrying: jobs that failed and wait for another attempt; they are also counted as scheduled (until their retry is due) or pending (once it is). Jobs given up on are dead.";
    UiQueuesRetrying => zh "重试中", en "Retrying";
    UiQueuesRetryingPartial { most: u64 } => zh "等待的任务太多：只统计了前 {most} 个已计划和前 {most} 个待处理的任务。", en "Too many jobs waiting: counted among the first {most} scheduled and the first {most} pending jobs only.";
    UiQueuesStatus => zh "状态", en "Status";
    UiQueuesPausedBadge => zh "已暂停", en "Paused";
    UiQueuesActiveBadge => zh "正常", en "Active";
    UiQueuesPause => zh "暂停", en "Pause";
    UiQueuesResume => zh "恢复", en "Resume";
    UiQueuesRetry => zh "重试", en "Retry";
    UiQueuesRunNow => zh "立即运行", en "Run now";
    UiQueuesDelete => zh "删除", en "Delete";
    UiQueuesThroughput => zh "吞吐量（最近 3 小时）", en "Throughput (last 3 hours)";
    UiQueuesThroughputOf { queue: String } => zh "{queue}：每分钟处理与失败的任务数", en "{queue}: jobs processed and failed per minute";
    UiQueuesMinute => zh "分钟", en "Minute";
    UiQueuesNoThroughput => zh "最近 3 小时内没有任务完成。", en "No jobs finished in the last 3 hours.";
    UiQueuesAsTable => zh "以表格查看有任务完成的分钟", en "Show the minutes with finished jobs as a table";
    UiQueuesWorkers => zh "工作进程", en "Workers";
    UiQueuesWorker => zh "工作进程", en "Worker";
    UiQueuesLastHeartbeat => zh "最近心跳", en "Last heartbeat";
    UiQueuesSecondsAgo { seconds: u64 } => zh "{seconds} 秒前", en "{seconds} s ago";
    UiQueuesAlive => zh "存活", en "alive";
    UiQueuesGone => zh "已失联", en "dead";
    UiQueuesHolds => zh "正在处理的任务", en "Running jobs";
    UiQueuesNoWorkers => zh "没有已注册的工作进程：请启动 estateflow worker（或 estateflow serve），否则任务不会被处理。",
        en "No workers are registered: start estateflow worker (or estateflow serve), or no job will run.";
    UiQueuesJobsOf { queue: String } => zh "队列 {queue} 的任务", en "Jobs of {queue}";
    UiQueuesJob { id: String } => zh "任务 {id}", en "Job {id}";
    UiQueuesJobId => zh "任务编号", en "Job id";
    UiQueuesPayload => zh "参数", en "Payload";
    UiQueuesAttempts => zh "尝试次数", en "Attempts";
    UiQueuesRunAt => zh "计划运行时间", en "Due at";
    UiQueuesDoneAt => zh "最近一次结束", en "Last attempt ended";
    UiQueuesLastResult => zh "最近结果", en "Last result";
    UiQueuesSearch => zh "按任务编号或参数搜索", en "Search the job id or payload";
    UiQueuesNoJobs => zh "此状态下没有符合条件的任务；可换一个状态或清除搜索。",
        en "No jobs in this state match; pick another state or clear the search.";
    UiQueuesSelect { id: String } => zh "选择任务 {id}", en "Select job {id}";
    UiQueuesSelected => zh "所选任务：", en "Selected jobs:";
    UiQueuesAllMatching { count: String } => zh "符合当前筛选的全部 {count} 个任务：", en "All {count} jobs matching this filter:";
    UiQueuesConfirmRetry { count: String } => zh "重试 {count} 个任务？", en "Retry {count} jobs?";
    UiQueuesConfirmRunNow { count: String } => zh "立即运行 {count} 个任务？", en "Run {count} jobs now?";
    UiQueuesConfirmDelete { count: String } => zh "删除 {count} 个任务？此操作无法撤销。", en "Delete {count} jobs? This cannot be undone.";
    UiQueuesConfirmPause { queue: String } => zh "暂停队列 {queue}？工作进程将不再取新任务。", en "Pause queue {queue}? Workers will take no new jobs.";
    UiQueuesRetried { count: String } => zh "已重试 {count} 个任务。", en "Retried {count} jobs.";
    UiQueuesRanNow { count: String } => zh "已将 {count} 个任务设为立即运行。", en "{count} jobs are due now.";
    UiQueuesDeleted { count: String } => zh "已删除 {count} 个任务。", en "Deleted {count} jobs.";
    UiQueuesNoneSelected => zh "未选择任务：请先勾选要处理的任务。", en "No jobs selected: tick the jobs to act on first.";
    UiQueuesPausedFlash { queue: String } => zh "队列 {queue} 已暂停：工作进程不再取新任务。", en "Queue {queue} is paused: workers take no new jobs.";
    UiQueuesResumedFlash { queue: String } => zh "队列 {queue} 已恢复。", en "Queue {queue} runs again.";
    UiQueuesPage { page: u64 } => zh "第 {page} 页", en "Page {page}";
    UiQueuesReadOnly => zh "您只能查看：操作需要 queues:write 权限。", en "You can look but not act: actions need the queues:write permission.";
    UiQueuesBack => zh "返回队列", en "Back to the queue";
    // ------------------------------------------------------------ console: webhook actions, agenda, lead ages
    UiWebhooksRotate => zh "更换签名密钥", en "Rotate signing secret";
    UiWebhooksRotateConfirm => zh "更换此订阅的签名密钥？之后的投递将用新密钥签名。",
        en "Rotate this subscription's signing secret? Deliveries from now on are signed with the new one.";
    UiWebhooksRotated => zh "已更换签名密钥：之后的投递用新密钥签名，旧密钥不再使用。",
        en "Signing secret rotated: deliveries from now on are signed with the new one, never the old.";
    UiWebhooksDelete => zh "删除订阅", en "Delete subscription";
    UiWebhooksDeleteConfirm => zh "删除此订阅及其全部投递记录？此操作无法撤销。",
        en "Delete this subscription with its whole delivery log? This cannot be undone.";
    UiWebhooksDeleted => zh "订阅已删除。", en "The subscription is deleted.";
    UiWebhooksDeliveryDetails => zh "详情", en "Details";
    UiWebhooksDeliveryTitle { event: String } => zh "投递：{event}", en "Delivery: {event}";
    UiWebhooksAttemptLog => zh "每次尝试", en "Every attempt";
    UiWebhooksNoAttempts => zh "尚未尝试投递。", en "No attempt yet.";
    UiWebhooksAttemptNumber => zh "第几次", en "Attempt";
    UiWebhooksAttemptedAt => zh "尝试时间", en "Attempted at";
    UiWebhooksDuration => zh "耗时", en "Duration";
    UiWebhooksMillis { ms: String } => zh "{ms} 毫秒", en "{ms} ms";
    UiWebhooksError => zh "错误", en "Error";
    UiWebhooksResponse => zh "应答摘录", en "Response excerpt";
    UiWebhooksPayload => zh "事件内容", en "Payload";
    UiWebhooksBackToLog => zh "返回投递记录", en "Back to the delivery log";
    UiAgendaNav => zh "工作日程", en "Agenda";
    UiAgendaConsultant => zh "顾问", en "Consultant";
    UiAgendaShow => zh "查看", en "Show";
    UiAgendaOf { name: String } => zh "{name} 的日程", en "Agenda of {name}";
    UiAgendaOwnOnly => zh "这是您本人的日程（只读）；客户跟进请在销售应用中办理。",
        en "This is your own agenda (read-only); work your customers in the sales app.";
    UiAgendaEmpty => zh "没有待办时限：新线索、跟进和回访的时限会出现在这里。",
        en "Nothing is due: deadlines of new leads, follow-ups and visits appear here.";
    UiAgendaNoSuchPerson => zh "不是有效的用户编号", en "is not a user id";
    /// `hours`: the first-response deadline of the policy in force.
    UiDashUnansweredIntroOf { hours: String } => zh "尚未首次响应（初次接触）的线索，按分配后等待的时长分组；超过 {hours} 小时即已逾期。",
        en "Leads without a first response yet, by how long they have waited since assignment; over {hours} hours is overdue.";
    UiDashAgeUnder { hours: String } => zh "{hours} 小时内", en "Under {hours} h";
    UiDashAgeBetween { from: String, to: String } => zh "{from}–{to} 小时", en "{from}–{to} h";
    UiDashAgeOver { hours: String } => zh "超过 {hours} 小时（逾期）", en "Over {hours} h (overdue)";

    // ---- console: administration gaps (区域与团队改名删除、自定义角色改名删除、接口客户端修改与最近使用)
    UiTeamsActions => zh "操作", en "Actions";
    UiTeamsRename => zh "改名", en "Rename";
    UiTeamsDelete => zh "删除", en "Delete";
    UiTeamsRenameRegion { name: String } => zh "区域“{name}”的新名称", en "New name of region {name}";
    UiTeamsTeamName { name: String } => zh "团队“{name}”的名称", en "Name of team {name}";
    UiTeamsConfirmDeleteRegion { name: String } => zh "删除区域“{name}”？此操作无法撤销；仍有团队的区域不能删除。",
        en "Delete region {name}? This cannot be undone; a region that still has teams cannot be deleted.";
    UiTeamsConfirmDeleteTeam { name: String, members: u64 } => zh "删除团队“{name}”？它有 {members} 名成员；仍有成员的团队不能删除。此操作无法撤销。",
        en "Delete team {name}? It has {members} members; a team that still has members cannot be deleted. This cannot be undone.";
    UiTeamsRegionRenamed => zh "已重命名区域。", en "Region renamed.";
    UiTeamsRegionDeleted => zh "已删除区域。", en "Region deleted.";
    UiTeamsTeamDeleted => zh "已删除团队。", en "Team deleted.";
    UiRolesRename => zh "改名", en "Rename";
    UiRolesNewName => zh "新名称", en "New name";
    UiRolesDelete => zh "删除角色", en "Delete role";
    UiRolesHolders { users: u64 } => zh "{users} 名启用的用户持有该角色。", en "{users} active users hold this role.";
    UiRolesConfirmDelete { role: String, users: u64 } => zh "删除角色 {role}？{users} 名启用的用户将失去它授予的权限。此操作无法撤销。",
        en "Delete role {role}? {users} active users lose what it grants. This cannot be undone.";
    UiRolesRenamed => zh "已重命名角色。", en "Role renamed.";
    UiRolesDeleted { role: String } => zh "已删除角色 {role}。", en "Role {role} deleted.";
    UiApiClientsEdit => zh "修改客户端", en "Edit client";
    UiApiClientsScopesEditHint => zh "勾选的权限替换客户端现有的权限；在这里一个都不勾选，客户端就没有任何权限（只有新建时不勾选才表示采用合作伙伴角色的权限）。",
        en "The ticked permissions replace the client's; here, with none ticked, the client holds none (only on creation does none ticked mean the partner role's permissions).";
    UiApiClientsSaved => zh "已保存接口客户端。", en "API client saved.";
    UiApiClientsLastUsed => zh "最近使用", en "Last used";
    UiApiClientsNeverUsed => zh "从未使用", en "never";
    UiApiClientsLastUsedHint => zh "最近使用：客户端最近一次获取访问令牌的时间，精确到分钟。",
        en "Last used: when the client last got an access token, to the minute.";
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
