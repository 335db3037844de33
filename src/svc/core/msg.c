/* msg.c -- the message catalogue and Accept-Language parsing. */
#include "msg.h"

#include <opencc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/log.h"
#include "base/lunar.h"

struct entry {
    const char *key;
    const char *text[MSG_LANG_COUNT]; /* en, zh-CN, zh-TW */
};

/* Keys are stable: the web UI (web/src/composables/errors.ts, NotificationBell.vue) words the
 * same keys itself. Keep the English text equal to what the printf call sites write. */
static const struct entry catalogue[] = {
    /* validation (svc/core/check.c) */
    {"bad_utf8",
     {"{field} is not valid UTF-8", "{field} 不是有效的 UTF-8 文本",
      "{field} 不是有效的 UTF-8 文字"}},
    {"control_char",
     {"{field} contains a control character", "{field} 含有控制字符", "{field} 含有控制字元"}},
    {"bidi_control",
     {"{field} contains a bidirectional control character (U+202A-U+202E, U+2066-U+2069)",
      "{field} 含有双向文字控制字符（U+202A-U+202E、U+2066-U+2069）",
      "{field} 含有雙向文字控制字元（U+202A-U+202E、U+2066-U+2069）"}},
    {"line_break",
     {"{field} contains a line break", "{field} 不能含有换行", "{field} 不能含有換行"}},
    {"required", {"{field} is required", "{field} 为必填项", "{field} 為必填項"}},
    {"too_short",
     {"{field} is too short", "{field} 太短（至少 {min} 个字符）",
      "{field} 太短（至少 {min} 個字元）"}},
    {"too_long",
     {"{field} is longer than {max} characters", "{field} 不能超过 {max} 个字符",
      "{field} 不能超過 {max} 個字元"}},
    {"not_one_of",
     {"{field} must be one of: {allowed}", "{field} 必须是以下之一：{allowed}",
      "{field} 必須是以下之一：{allowed}"}},
    {"out_of_range",
     {"{field} must be between {min} and {max}", "{field} 必须在 {min} 到 {max} 之间",
      "{field} 必須介於 {min} 到 {max} 之間"}},
    {"bad_date",
     {"{field} must be a date YYYY-MM-DD", "{field} 必须是日期（YYYY-MM-DD）",
      "{field} 必須是日期（YYYY-MM-DD）"}},
    {"bad_email",
     {"{field} must be one plain e-mail address like name@example.com",
      "{field} 必须是一个电子邮件地址，例如 name@example.com",
      "{field} 必須是一個電子郵件地址，例如 name@example.com"}},
    {"bad_currency",
     {"{field} must be a 3-letter ISO 4217 code", "{field} 必须是三个字母的 ISO 4217 货币代码",
      "{field} 必須是三個字母的 ISO 4217 貨幣代碼"}},
    {"taken", {"{field} is already taken", "{field} 已被使用", "{field} 已被使用"}},
    {"stale_version",
     {"the record was changed by someone else; reload it", "记录已被他人修改，请刷新后重试",
      "記錄已被他人修改，請重新整理後再試"}},
    /* target plans (svc/volume/target.c): separation of duties */
    {"plan_self_approval",
     {"a plan is approved by someone other than the person who wrote it",
      "计划须由编制人以外的人审批", "計畫須由編制人以外的人核准"}},
    {"plan_self_change_approval",
     {"a plan is approved by someone other than those who changed its values",
      "计划须由修改过其数值的人以外的人审批", "計畫須由修改過其數值的人以外的人核准"}},
    /* KPI lines by team (svc/volume/kpi.c): the account managers without a team */
    {"kpi_no_team", {"no team", "无团队", "無團隊"}},
    /* the codes' own keys (no template for "invalid" and "conflict": their printf text says
     * more than a generic phrase) */
    {"unauthenticated", {"not logged in", "未登录或登录已过期", "未登入或登入已過期"}},
    {"forbidden", {"not allowed", "不允许执行此操作", "不允許執行此操作"}},
    {"not_found", {"no such record", "记录不存在", "記錄不存在"}},
    {"too_large", {"the request is too large", "请求内容过大", "請求內容過大"}},
    {"rate_limited",
     {"too many requests; retry later", "请求过于频繁，请稍后再试", "請求過於頻繁，請稍後再試"}},
    {"method_not_allowed", {"method not allowed", "不支持该请求方法", "不支援該請求方法"}},
    {"unsupported_media_type", {"unsupported media type", "不支持的内容类型", "不支援的內容類型"}},
    {"busy", {"the database is busy; retry", "数据库繁忙，请重试", "資料庫忙碌中，請重試"}},
    {"db_error", {"internal error", "服务器内部错误", "伺服器內部錯誤"}},
    {"io_error", {"internal error", "服务器内部错误", "伺服器內部錯誤"}},
    {"internal", {"internal error", "服务器内部错误", "伺服器內部錯誤"}},
    /* conflicts (409) and refusals with a key of their own (issue 12; the "langs" block) */
    {"duplicate", {"the value already exists", "该值已存在，不能重复", "該值已存在，不能重複"}},
    {"in_use",
     {"the record is referenced by other records", "该记录正被其他记录引用",
      "該記錄正被其他記錄引用"}},
    /* issue 16, slice ALERTS: the early-warning rules and alerts (svc/risk/alert*.c) */
    {"alert.no_signal", {"no such signal", "没有该预警信号", "沒有該預警訊號"}},
    {"alert.params",
     {"params must be a JSON object", "参数必须是 JSON 对象", "參數必須是 JSON 物件"}},
    {"alert.param_unknown",
     {"the signal has no parameter {name}", "该预警信号没有参数 {name}",
      "該預警訊號沒有參數 {name}"}},
    {"alert.resolved", {"the alert is resolved", "该预警已解决", "該預警已解決"}},
    {"breach.bad_move",
     {"a {from} breach cannot become {to}", "违约状态不能从“{from}”改为“{to}”",
      "違約狀態不能從「{from}」改為「{to}」"}},
    {"notify.breach_detected",
     {"Contract breach: {contract_number}, {obligation} ({occurrence})",
      "合同违约：{contract_number}，{obligation}（{occurrence}）",
      "合約違約：{contract_number}，{obligation}（{occurrence}）"}},
    {"price_list.in_contract",
     {"a contract's prices are on this list; deactivate it instead",
      "该价目表是合同约定价格，不能删除，请改为停用",
      "該價目表是合約約定價格，無法刪除，請改為停用"}},
    {"contact.contract_signatory",
     {"the contact signed a contract of the account; the contract keeps naming them",
      "该联系人是合同签字人，合同仍引用此人，不能删除",
      "該聯絡人是合約簽署人，合約仍引用此人，無法刪除"}},
    {"alert.not_open",
     {"the alert is no longer open", "该预警已不是待处理状态", "該預警已不是待處理狀態"}},
    {"alert.owner",
     {"the owner must be someone who may work on the account's alerts",
      "负责人必须是可以处理该客户预警的人", "負責人必須是可以處理該客戶預警的人"}},
    {"notify.alert_raised",
     {"New alert: {name}, {signal_name}", "新预警：{name}，{signal_name}",
      "新預警：{name}，{signal_name}"}},
    {"digest.alert_new",
     {"New alert ({severity}): {name}, {signal_name}",
      "新预警（{severity}）：{name}，{signal_name}",
      "新預警（{severity}）：{name}，{signal_name}"}},
    {"digest.alert_open",
     {"Open alert ({severity}): {name}, {signal_name}",
      "未解决的预警（{severity}）：{name}，{signal_name}",
      "未解決的預警（{severity}）：{name}，{signal_name}"}},
    {"catalog.in_use",
     {"offers use it; deactivate it instead", "报价单已使用该项目，不能删除，请改为停用",
      "報價單已使用該項目，無法刪除，請改為停用"}},
    {"care.already_closed",
     {"the reminder is already {status}", "该提醒已处理过，不能再次操作",
      "該提醒已處理過，無法再次操作"}},
    {"contact.self_report",
     {"a contact cannot report to themselves", "联系人不能向自己汇报", "聯絡人不能向自己匯報"}},
    {"contact.report_cycle",
     {"this reporting line would form a cycle", "该汇报关系会形成循环", "該匯報關係會形成循環"}},
    {"account.parent_cycle",
     {"an account cannot be its own parent or ancestor",
      "客户不能是自己的上级客户（或更上层的客户）", "客戶不能是自己的上級客戶（或更上層的客戶）"}},
    {"account.has_subsidiaries",
     {"the account has {n} subsidiaries; move or delete them first",
      "该客户有 {n} 家下属客户，请先移走或删除它们",
      "該客戶有 {n} 家下屬客戶，請先移走或刪除它們"}},
    {"account.has_order_lines",
     {"the account has {n} order lines; set its status to lost instead",
      "该客户有 {n} 条订单明细，不能删除；请把状态改为“流失”",
      "該客戶有 {n} 筆訂單明細，無法刪除；請把狀態改為「流失」"}},
    {"account.has_prices",
     {"the account has price lists, promotions or rebates of its own; delete them first",
      "该客户有专属的价目表、促销或返利，不能删除；请先删除它们",
      "該客戶有專屬的價目表、促銷或返利，無法刪除；請先刪除它們"}},
    /* prices on order lines (svc/offers/price_check.c, docs/PRICING.md) */
    {"price.below",
     {"{field} is below the price: the price is {price} {currency} for this quantity",
      "{field} 低于价格：该数量的价格为 {price} {currency}",
      "{field} 低於價格：該數量的價格為 {price} {currency}"}},
    {"price.reason_required",
     {"the amount is below the price ({price} {currency}): give price_reason",
      "金额低于价格（{price} {currency}）：请填写低价原因",
      "金額低於價格（{price} {currency}）：請填寫低價原因"}},
    {"price.over_limit",
     {"the discount ({bp} bp) is over your limit ({max} bp): make an offer for approval",
      "折扣（{bp} 基点）超出您的权限（{max} 基点）：请创建报价并提交审批",
      "折扣（{bp} 基點）超出您的權限（{max} 基點）：請建立報價並送審"}},
    {"price.too_large",
     {"{field}: the price of this quantity is too large", "{field}：该数量的价格过大",
      "{field}：該數量的價格過大"}},
    {"account.has_offers",
     {"the account has opportunities or offers; delete them or set its status to lost instead",
      "该客户有商机或报价，不能删除；请先删除它们，或把状态改为“流失”",
      "該客戶有商機或報價，無法刪除；請先刪除它們，或把狀態改為「流失」"}},
    {"account.has_risk_records",
     {"the account has risks, gifts, invoices, payments or competitor records; set its status "
      "to lost instead",
      "该客户有风险、礼品记录、发票、回款或竞争对手记录，不能删除；请把状态改为“流失”",
      "該客戶有風險、禮品紀錄、發票、回款或競爭對手紀錄，無法刪除；請把狀態改為「流失」"}},
    /* opportunities and their stages (svc/offers/opportunity.c) */
    {"bad_month",
     {"{field} must be YYYY-MM", "{field} 应为 YYYY-MM 格式的月份",
      "{field} 應為 YYYY-MM 格式的月份"}},
    {"opportunity.reason_required",
     {"outcome_reason is required to close an opportunity as won or lost",
      "商机赢单或丢单时必须填写原因", "商機贏單或丟單時必須填寫原因"}},
    {"opportunity.has_offers",
     {"the opportunity has offers; close it as won or lost instead",
      "该商机已有报价，不能删除；请将其关闭为赢单或丢单",
      "該商機已有報價，無法刪除；請將其關閉為贏單或丟單"}},
    {"opportunity.bad_stage",
     {"stage must be an active stage", "阶段必须是启用中的商机阶段", "階段必須是啟用中的商機階段"}},
    {"opportunity.bad_owner",
     {"owner_id must be an active user who may work on this account's opportunities",
      "负责人必须是可以处理该客户商机的在职用户", "負責人必須是可以處理該客戶商機的在職使用者"}},
    {"opportunity.bad_product",
     {"{field}: no such product", "{field}：产品不存在", "{field}：產品不存在"}},
    {"opportunity.need_other_account",
     {"need_ids must name needs of the same account", "关联的需求必须属于同一客户",
      "關聯的需求必須屬於同一客戶"}},
    {"opportunity.stage_in_use",
     {"stage {stage} is in use: deactivate it instead of removing it",
      "阶段 {stage} 正在使用中：请停用它，而不是删除",
      "階段 {stage} 正在使用中：請停用它，而不是刪除"}},
    {"opportunity.stage_outcomes",
     {"exactly one active won stage and one active lost stage",
      "必须恰好有一个启用的赢单阶段和一个启用的丢单阶段",
      "必須恰好有一個啟用的贏單階段和一個啟用的丟單階段"}},
    {"opportunity.outcome_in_use",
     {"stage {stage} is in use: its outcome cannot change",
      "阶段 {stage} 正在使用中：不能更改其结果", "階段 {stage} 正在使用中：無法變更其結果"}},
    {"opportunity.sums_too_large",
     {"the pipeline's sums are too large for one number: narrow the filters",
      "商机管道的合计金额过大，无法表示：请缩小筛选范围",
      "商機管道的合計金額過大，無法表示：請縮小篩選範圍"}},
    {"account.already_member",
     {"already a member of the account team", "已是该客户团队的成员", "已是該客戶團隊的成員"}},
    {"visit.not_planned",
     {"only planned visits can change", "只有计划中的拜访可以修改", "只有計畫中的拜訪可以修改"}},
    {"visit.already_closed",
     {"the visit is already {status}", "该拜访已结束，不能再次操作", "該拜訪已結束，無法再次操作"}},
    {"need.bad_transition",
     {"a need that is {from} cannot become {to}", "需求当前的状态不允许这一变更",
      "需求目前的狀態不允許這項變更"}},
    {"need.addressed_by_required",
     {"a need becomes addressed by an offer, a measure or an issue",
      "标记为已满足时须注明由哪项报价、措施或问题满足",
      "標記為已滿足時須註明由哪項報價、措施或問題滿足"}},
    {"need.not_same_account",
     {"{field} must be {what} of the same account", "{field} 必须属于同一客户",
      "{field} 必須屬於同一客戶"}},
    {"need.bad_owner",
     {"owner_id must be an active user who may work on this account's needs",
      "负责人必须是可处理该客户需求的在职用户", "負責人必須是可處理該客戶需求的在職使用者"}},
    {"need.no_such_user",
     {"user_ids names no such user", "参加人中有不存在的用户", "參加人中有不存在的使用者"}},
    {"need.attendee_no_access",
     {"user_ids names a disabled user or one who may not see this account",
      "参加人中有已停用或无权查看该客户的用户", "參加人中有已停用或無權查看該客戶的使用者"}},
    /* surveys: definitions, drivers, sending (svc/needs/survey.c, survey_link.c) */
    {"survey.too_many_questions",
     {"a survey has at most {max} questions", "一份问卷最多 {max} 个问题",
      "一份問卷最多 {max} 個問題"}},
    {"survey.driver_required",
     {"a rating question names the driver it measures", "评分题必须选择所衡量的驱动因素",
      "評分題必須選擇所衡量的驅動因素"}},
    {"survey.driver_only_rating",
     {"only a rating question names a driver", "只有评分题可以选择驱动因素",
      "只有評分題可以選擇驅動因素"}},
    {"survey.overall_kind",
     {"only an NPS or CSAT question is the overall score", "只有 NPS 或 CSAT 题可作为总体评分",
      "只有 NPS 或 CSAT 題可作為總體評分"}},
    {"survey.overall_once",
     {"at most one question is the overall score", "最多只能有一个总体评分题",
      "最多只能有一個總體評分題"}},
    {"survey.options_count",
     {"a choice question has 2 to 20 options", "选择题须有 2 到 20 个选项",
      "選擇題須有 2 到 20 個選項"}},
    {"survey.options_only_choice",
     {"only a single or multiple choice question has options", "只有单选或多选题可以设置选项",
      "只有單選或多選題可以設定選項"}},
    {"survey.unknown_driver",
     {"driver must be an active driver of the driver list", "驱动因素必须是启用中的驱动因素",
      "驅動因素必須是啟用中的驅動因素"}},
    {"survey.title_required",
     {"a survey has a title in at least one language", "问卷至少要有一种语言的标题",
      "問卷至少要有一種語言的標題"}},
    {"survey.frozen",
     {"the questions of a survey that has been opened cannot change",
      "问卷已发布，问题不能再修改（可复制为新草稿）",
      "問卷已發佈，問題不能再修改（可複製為新草稿）"}},
    {"survey.has_responses",
     {"a survey with responses cannot be deleted; close it instead",
      "已有回复的问卷不能删除，请改为关闭", "已有回覆的問卷不能刪除，請改為關閉"}},
    {"survey.bad_transition",
     {"a survey that is {from} cannot become {to}", "问卷当前的状态不允许这一变更",
      "問卷目前的狀態不允許這項變更"}},
    {"survey.not_openable",
     {"a survey opens with a title and at least one question, every question and option worded "
      "in at least one language",
      "发布前问卷须有标题和至少一个问题，且每个问题和选项至少有一种语言的文字",
      "發佈前問卷須有標題和至少一個問題，且每個問題和選項至少有一種語言的文字"}},
    {"survey.not_open",
     {"only an open survey is sent", "只有已发布的问卷可以发送", "只有已發佈的問卷可以發送"}},
    {"survey.send_to",
     {"send to chosen contacts or to the key contacts of a tier (one of them)",
      "请选择联系人，或选择一个等级的关键联系人（二者择一）",
      "請選擇聯絡人，或選擇一個等級的關鍵聯絡人（二者擇一）"}},
    {"survey.too_many_links",
     {"one sending makes at most {max} links", "一次最多发送 {max} 个链接",
      "一次最多發送 {max} 個連結"}},
    {"survey.link_answered",
     {"the link has been answered: it cannot change", "该链接已作答，不能再修改",
      "該連結已作答，不能再修改"}},
    {"survey.no_public_url",
     {"e-mailed links need KAM's public address: set it under surveys' settings (or "
      "KAM_PUBLIC_URL)",
      "邮件发送的链接需要 KAM 的公开地址：请先在问卷设置中填写（或设置 KAM_PUBLIC_URL）",
      "郵件寄送的連結需要 KAM 的公開網址：請先在問卷設定中填寫（或設定 KAM_PUBLIC_URL）"}},
    {"survey.mail_subject", {"Survey: {title}", "问卷：{title}", "問卷：{title}"}},
    {"survey.mail_reminder_subject", {"Reminder: {title}", "提醒：{title}", "提醒：{title}"}},
    {"survey.mail_hello", {"Dear {name},", "{name}，您好：", "{name}，您好："}},
    {"survey.mail_until",
     {"The link is valid until {day} and can be used once.", "链接有效期至 {day}，仅可使用一次。",
      "連結有效期至 {day}，僅可使用一次。"}},
    /* survey answers (issue 14, ANSWERS slice: svc/needs/survey_answer.c) */
    {"survey.link_unknown", {"this survey link is not valid", "该问卷链接无效", "該問卷連結無效"}},
    {"survey.link_used",
     {"this survey link has already been answered", "该问卷链接已经作答过了",
      "該問卷連結已經作答過了"}},
    {"survey.link_expired",
     {"this survey link has expired", "该问卷链接已过期", "該問卷連結已過期"}},
    {"survey.closed", {"this survey is closed", "该问卷已结束", "該問卷已結束"}},
    {"survey.throttled",
     {"too many requests; try again later", "请求过于频繁，请稍后再试",
      "請求過於頻繁，請稍後再試"}},
    {"survey.answer_shape",
     {"{field}: this question is answered with {want}", "{field}：该题的作答方式不对",
      "{field}：該題的作答方式不對"}},
    {"survey.answer_no_option",
     {"{field}: no such option", "{field}：没有这个选项", "{field}：沒有這個選項"}},
    {"survey.answer_no_question",
     {"{field}: not a question of this survey", "{field}：不是本问卷的题目",
      "{field}：不是本問卷的題目"}},
    {"survey.answer_duplicate",
     {"{field}: answered twice", "{field}：重复作答", "{field}：重複作答"}},
    {"survey.answer_too_many",
     {"more answers than the survey has questions", "答案数量超过题目数量",
      "答案數量超過題目數量"}},
    {"survey.answer_required",
     {"question {n} must be answered", "第 {n} 题为必答题", "第 {n} 題為必答題"}},
    {"survey.answer_none", {"answer at least one question", "请至少回答一道题", "請至少回答一題"}},
    {"survey.thanks", {"Thank you for your answers.", "感谢您的宝贵意见！", "感謝您的寶貴意見！"}},
    {"issue.bad_transition",
     {"an issue that is {from} cannot become {to}", "问题当前的状态不允许这一变更",
      "問題目前的狀態不允許這項變更"}},
    {"plan.decomposed_fixed",
     {"the plan is decomposed: year, measure, dims and scope are fixed (decompose again after "
      "changing them on a new plan)",
      "计划已分解：年份、指标、维度和范围不能再改（如需修改，请新建计划后重新分解）",
      "計畫已分解：年度、指標、維度和範圍不能再改（如需修改，請新建計畫後重新分解）"}},
    {"plan.locked_over_total",
     {"the locked cells add up to more than {total}", "锁定的单元格合计超过 {total}",
      "鎖定的儲存格合計超過 {total}"}},
    {"plan.delete_draft_only",
     {"only a draft plan can be deleted", "只能删除草稿状态的计划", "只能刪除草稿狀態的計畫"}},
    {"plan.locked_disallow",
     {"the selection's locked cells do not allow {value}",
      "所选范围内的锁定单元格不允许设为 {value}", "所選範圍內的鎖定儲存格不允許設為 {value}"}},
    {"plan.locked_need_more",
     {"{value} leaves {rest} for the other cells, but their locked cells need more (or there is "
      "no unlocked cell to take the difference)",
      "设为 {value} 后其他单元格只剩 "
      "{rest}，不够其中锁定单元格所需（或没有未锁定的单元格承接差额）",
      "設為 {value} 後其他儲存格只剩 "
      "{rest}，不夠其中鎖定儲存格所需（或沒有未鎖定的儲存格承接差額）"}},
    {"plan.wrong_status",
     {"the plan is {status}", "计划当前的状态不允许此操作", "計畫目前的狀態不允許此操作"}},
    {"plan.not_decomposed", {"decompose the plan first", "请先分解计划", "請先分解計畫"}},
    {"sales.external_id_taken",
     {"a line with external_id {value} exists", "外部编号为 {value} 的订单明细已存在",
      "外部編號為 {value} 的訂單明細已存在"}},
    {"team.parent_cycle",
     {"a team cannot be its own parent or ancestor", "团队不能是自己的上级团队（或更上层的团队）",
      "團隊不能是自己的上級團隊（或更上層的團隊）"}},
    {"views.name_taken",
     {"you already have a view with this name", "您已有同名的视图", "您已有同名的檢視"}},
    /* notifications (svc/core/notify.c callers) */
    {"notify.plan_off_track",
     {"Plan off track: {name} ({pct}%)", "目标计划偏离：{name}（{pct}%）",
      "目標計畫偏離：{name}（{pct}%）"}},
    {"notify.account_off_track",
     {"Account off track: {name} ({pct}%)", "客户目标偏离：{name}（{pct}%）",
      "客戶目標偏離：{name}（{pct}%）"}},
    {"notify.visit_overdue", {"Visit overdue: {name}", "拜访逾期：{name}", "拜訪逾期：{name}"}},
    {"notify.issue_new", {"New issue: {title}", "新问题：{title}", "新問題：{title}"}},
    {"notify.issue_assigned",
     {"Issue assigned: {title}", "问题指派：{title}", "問題指派：{title}"}},
    {"notify.issue_escalated",
     {"Issue escalated: {title}", "问题升级：{title}", "問題升級：{title}"}},
    {"notify.care_due",
     {"Care: {occasion_name} {date}", "客户关怀：{occasion_name} {date}",
      "客戶關懷：{occasion_name} {date}"}},
    /* the daily digest (svc/core/digest.c) */
    {"digest.subject", {"KAM daily digest {day}", "KAM 每日摘要 {day}", "KAM 每日摘要 {day}"}},
    {"digest.hello", {"Hello {name},", "{name}，您好：", "{name}，您好："}},
    {"digest.overdue", {"Overdue visits: {n}", "逾期拜访：{n}", "逾期拜訪：{n}"}},
    {"digest.care", {"Care to give: {n}", "待办关怀：{n}", "待辦關懷：{n}"}},
    /* import problems (svc/volume/import*.c) */
    {"import.too_many_columns", {"more than {max} columns", "超过 {max} 列", "超過 {max} 欄"}},
    {"import.no_column",
     {"the file has no column \"{value}\"", "文件中没有“{value}”列", "檔案中沒有「{value}」欄"}},
    {"import.row_too_long", {"the row is longer than 1 MiB", "该行超过 1 MiB", "該列超過 1 MiB"}},
    {"import.field_count",
     {"has {n} fields, the header {max}", "有 {n} 个字段，表头有 {max} 个",
      "有 {n} 個欄位，標題列有 {max} 個"}},
    {"import.value_too_long",
     {"is longer than {max} bytes", "超过 {max} 字节", "超過 {max} 位元組"}},
    {"import.bad_utf8",
     {"is not valid UTF-8 text (save the file as UTF-8)",
      "不是有效的 UTF-8 文本（请将文件另存为 UTF-8）",
      "不是有效的 UTF-8 文字（請將檔案另存為 UTF-8）"}},
    {"import.control_char",
     {"contains a line break or another control character", "含有换行或其他控制字符",
      "含有換行或其他控制字元"}},
    {"import.too_many_rows",
     {"the file has {n} rows, more than the {max} one import of yours may "
      "hold (split it, or ask an admin)",
      "文件有 {n} 行，超过您单次导入上限 {max} 行（请拆分文件或联系管理员）",
      "檔案有 {n} 列，超過您單次匯入上限 {max} 列（請拆分檔案或聯絡管理員）"}},
    {"import.malformed",
     {"the CSV is malformed near here", "CSV 格式在此处有误", "CSV 格式在此處有誤"}},
    {"import.empty_file",
     {"the file is empty: it needs a header row", "文件为空：需要表头行", "檔案為空：需要標題列"}},
    {"import.no_header",
     {"no header row: the first rows hold at most two values each and none names the columns",
      "找不到表头行：前几行每行最多两个值，且都不是列名",
      "找不到標題列：前幾列每列最多兩個值，且都不是欄名"}},
    {"import.empty", {"is empty", "为空", "為空"}},
    {"import.too_long",
     {"is longer than {max} characters", "超过 {max} 个字符", "超過 {max} 個字元"}},
    {"import.repeats",
     {"{value} repeats row {n}", "{value} 与第 {n} 行重复", "{value} 與第 {n} 列重複"}},
    {"import.bad_date",
     {"\"{value}\" is not a date (2026-03-05, 2026/3/5, 2026-3-5, 2026.3.5, 2026年3月5日, "
      "20260305, or a date cell of an .xlsx)",
      "“{value}”不是日期（可用 2026-03-05、2026/3/5、2026-3-5、2026.3.5、2026年3月5日、20260305 "
      "或 .xlsx 的日期单元格）",
      "「{value}」不是日期（可用 2026-03-05、2026/3/5、2026-3-5、2026.3.5、2026年3月5日、20260305 "
      "或 .xlsx 的日期儲存格）"}},
    {"import.no_account",
     {"no account with code \"{value}\"", "没有代码为“{value}”的客户",
      "沒有代碼為「{value}」的客戶"}},
    {"import.no_product",
     {"no product with sku \"{value}\"", "没有 SKU 为“{value}”的产品",
      "沒有 SKU 為「{value}」的產品"}},
    {"import.bad_number",
     {"\"{value}\" is not a number with at most {max} decimals",
      "“{value}”不是最多 {max} 位小数的数字", "「{value}」不是最多 {max} 位小數的數字"}},
    {"import.no_rate",
     {"no exchange rate for \"{value}\"", "没有“{value}”的汇率", "沒有「{value}」的匯率"}},
    {"import.price_below",
     {"is below the price: {price} {currency} for this quantity, paid {value}",
      "低于价格：该数量的价格为 {price} {currency}，实付 {value}",
      "低於價格：該數量的價格為 {price} {currency}，實付 {value}"}},
    {"import.out_of_range",
     {"is out of range in the base currency", "折算为本位币后超出范围", "折算為本位幣後超出範圍"}},
    {"import.no_user",
     {"no user with login \"{value}\"", "没有登录名为“{value}”的用户",
      "沒有登入名稱為「{value}」的使用者"}},
    {"import.owner_required",
     {"is required for a new account", "新客户必须填写", "新客戶必須填寫"}},
    {"import.not_yours",
     {"you may not change the account {value}", "您无权修改客户 {value}",
      "您無權修改客戶 {value}"}},
    /* reading import files (svc/volume/import_read.c, import_mapping.c) */
    {"import.unknown_encoding",
     {"encoding must be one of {names}", "编码须为以下之一：{names}", "編碼須為以下之一：{names}"}},
    {"import.encoding_uncertain",
     {"the file's encoding is unclear: choose one of {value}",
      "无法确定文件的编码：请从 {value} 中选择", "無法確定檔案的編碼：請從 {value} 中選擇"}},
    {"import.xls_unsupported",
     {"a .xls (or password-protected) workbook cannot be read: save it as .xlsx without a "
      "password, or as CSV",
      "无法读取 .xls（或有密码的）工作簿：请另存为无密码的 .xlsx 或 CSV",
      "無法讀取 .xls（或有密碼的）活頁簿：請另存為無密碼的 .xlsx 或 CSV"}},
    {"import.encoding_not_text",
     {"encoding applies to text files only, not to .xlsx", "编码仅适用于文本文件，不适用于 .xlsx",
      "編碼僅適用於文字檔，不適用於 .xlsx"}},
    {"import.sheet_not_xlsx",
     {"sheet applies to .xlsx files only, not to text",
      "工作表仅适用于 .xlsx 文件，不适用于文本文件", "工作表僅適用於 .xlsx 檔案，不適用於文字檔"}},
    {"import.xlsx_busy",
     {"other .xlsx files are being read: try again in a moment",
      "正在读取其他 .xlsx 文件，请稍后重试", "正在讀取其他 .xlsx 檔案，請稍後重試"}},
    {"import.bad_encoding",
     {"line {n} is not {value} text (choose the file's encoding)",
      "第 {n} 行不是 {value} 编码的文本（请选择文件的编码）",
      "第 {n} 行不是 {value} 編碼的文字（請選擇檔案的編碼）"}},
    {"import.file_too_big",
     {"the file is too big once converted to UTF-8", "文件转换为 UTF-8 后过大",
      "檔案轉換為 UTF-8 後過大"}},
    {"import.bad_xlsx",
     {"the .xlsx file is damaged or not an Excel workbook", ".xlsx 文件已损坏或不是 Excel 工作簿",
      ".xlsx 檔案已損毀或不是 Excel 活頁簿"}},
    {"import.xlsx_too_big",
     {"the .xlsx file is too big when unpacked", ".xlsx 文件解压后过大", ".xlsx 檔案解壓縮後過大"}},
    {"import.xlsx_too_many_columns",
     {"the sheet has values past its 256th column", "工作表第 256 列之后还有数据",
      "工作表第 256 欄之後還有資料"}},
    {"import.xlsx_too_many_rows",
     {"the sheet has more than 1048576 rows", "工作表超过 1048576 行", "工作表超過 1048576 列"}},
    {"import.no_sheet",
     {"the workbook has no sheet named \"{value}\"", "工作簿中没有名为“{value}”的工作表",
      "活頁簿中沒有名為「{value}」的工作表"}},
    {"import.bad_mapping",
     {"\"{value}\" is not field=Header with a field of this kind, once",
      "“{value}”不是有效的“字段=表头”映射（字段须属于该导入类型且只出现一次）",
      "「{value}」不是有效的「欄位=標題」對應（欄位須屬於該匯入類型且只出現一次）"}},
    /* visit check-in (svc/relationships/visit.c checkin_allowed) */
    {"visit.checkin_owner",
     {"only the visit's owner (the person visiting) may check in",
      "只有拜访负责人（拜访者本人）可以签到", "只有拜訪負責人（拜訪者本人）可以簽到"}},
    {"visit.checkin_planned",
     {"only a planned visit can be checked in", "只有计划中的拜访可以签到",
      "只有計畫中的拜訪可以簽到"}},
    {"visit.checkin_onsite",
     {"only an on-site visit can be checked in", "只有上门拜访可以签到", "只有親自拜訪可以簽到"}},
    {"visit.checkin_twice",
     {"the visit is already checked in", "该拜访已签到，不能重复签到",
      "該拜訪已簽到，不能重複簽到"}},
    {"visit.checked_in",
     {"a checked-in visit keeps its owner and kind", "已签到的拜访不能更换负责人或拜访方式",
      "已簽到的拜訪不能更換負責人或拜訪方式"}},
    /* list exports (api/core/list_export.c): the words of enum values and booleans, one table
     * "enum.<group>.<value>" (groups named in list_export.c's worded[]); each text equals the
     * web's label of the same value (web/src/locales), so a file says what the screen says */
    {"enum.tier.strategic", {"Strategic", "战略", "策略"}},
    {"enum.tier.key", {"Key", "重点", "重點"}},
    {"enum.tier.growth", {"Growth", "成长", "成長"}},
    {"enum.tier.maintain", {"Maintain", "维持", "維持"}},
    {"enum.account_status.prospect", {"Prospect", "潜在", "潛在"}},
    {"enum.account_status.active", {"Active", "活跃", "活躍"}},
    {"enum.account_status.dormant", {"Dormant", "休眠", "休眠"}},
    {"enum.account_status.lost", {"Lost", "流失", "流失"}},
    {"enum.source.market_research", {"Market research", "市场调研", "市場調研"}},
    {"enum.source.trade_show", {"Trade show", "展会", "展會"}},
    {"enum.source.referral", {"Referral", "转介绍", "轉介紹"}},
    {"enum.source.other", {"Other", "其他", "其他"}},
    {"enum.screening.accepted", {"Accepted", "通过", "通過"}},
    {"enum.screening.rejected", {"Rejected", "未通过", "未通過"}},
    {"enum.channel.direct", {"Direct", "直销", "直銷"}},
    {"enum.channel.distributor", {"Distributor", "经销商", "經銷商"}},
    {"enum.channel.oem", {"OEM", "OEM", "OEM"}},
    {"enum.channel.online", {"Online", "线上", "線上"}},
    {"enum.channel.project", {"Project", "项目", "專案"}},
    {"enum.region.华东", {"East China", "华东", "華東"}},
    {"enum.region.华南", {"South China", "华南", "華南"}},
    {"enum.region.华北", {"North China", "华北", "華北"}},
    {"enum.region.华中", {"Central China", "华中", "華中"}},
    {"enum.region.西南", {"SW China", "西南", "西南"}},
    {"enum.region.西北", {"NW China", "西北", "西北"}},
    {"enum.region.东北", {"NE China", "东北", "東北"}},
    {"enum.region.港澳台", {"HK, Macao, TW", "港澳台", "港澳台"}},
    {"enum.region.APAC", {"APAC", "亚太", "亞太"}},
    {"enum.region.EMEA", {"EMEA", "欧洲、中东及非洲", "歐洲、中東及非洲"}},
    {"enum.region.Americas", {"Americas", "美洲", "美洲"}},
    {"enum.industry.automotive", {"Automotive", "汽车", "汽車"}},
    {"enum.industry.chemicals", {"Chemicals", "化工", "化工"}},
    {"enum.industry.construction", {"Construction", "建筑", "營建"}},
    {"enum.industry.electronics", {"Electronics", "电子", "電子"}},
    {"enum.industry.energy", {"Energy", "能源", "能源"}},
    {"enum.industry.food", {"Food & beverage", "食品饮料", "食品飲料"}},
    {"enum.industry.logistics", {"Logistics", "物流", "物流"}},
    {"enum.industry.machinery", {"Machinery", "机械", "機械"}},
    {"enum.industry.medical", {"Medical devices", "医疗器械", "醫療器材"}},
    {"enum.industry.metals", {"Metals", "金属", "金屬"}},
    {"enum.industry.packaging", {"Packaging", "包装", "包裝"}},
    {"enum.industry.pharma", {"Pharmaceuticals", "制药", "製藥"}},
    {"enum.industry.retail", {"Retail", "零售", "零售"}},
    {"enum.industry.semiconductor", {"Semiconductors", "半导体", "半導體"}},
    {"enum.industry.telecom", {"Telecom", "电信", "電信"}},
    {"enum.industry.textiles", {"Textiles", "纺织", "紡織"}},
    {"enum.decision_role.decision_maker", {"Decision maker", "决策者", "決策者"}},
    {"enum.decision_role.influencer", {"Influencer", "影响者", "影響者"}},
    {"enum.decision_role.champion", {"Champion", "内部支持者", "內部支持者"}},
    {"enum.decision_role.user", {"User", "使用者", "使用者"}},
    {"enum.decision_role.gatekeeper", {"Gatekeeper", "把关者", "把關者"}},
    {"enum.decision_role.other", {"Other", "其他", "其他"}},
    {"enum.attitude.-2", {"Opposed", "反对", "反對"}},
    {"enum.attitude.-1", {"Sceptical", "疑虑", "疑慮"}},
    {"enum.attitude.0", {"Neutral", "中立", "中立"}},
    {"enum.attitude.1", {"Positive", "积极", "積極"}},
    {"enum.attitude.2", {"Supporter", "支持", "支持"}},
    {"enum.interaction_kind.call", {"Call", "电话", "電話"}},
    {"enum.interaction_kind.email", {"E-mail", "邮件", "郵件"}},
    {"enum.interaction_kind.meeting", {"Meeting", "会议", "會議"}},
    {"enum.interaction_kind.visit", {"Visit", "拜访", "拜訪"}},
    {"enum.interaction_kind.material", {"Shared material", "资料分享", "資料分享"}},
    {"enum.interaction_kind.care", {"Care", "关怀", "關懷"}},
    {"enum.material_type.industry_trends", {"Industry trends", "行业趋势", "產業趨勢"}},
    {"enum.material_type.market_news", {"Market news", "市场动态", "市場動態"}},
    {"enum.material_type.product_info", {"Product information", "产品资料", "產品資料"}},
    {"enum.material_type.technology", {"Technology", "技术资料", "技術資料"}},
    {"enum.material_type.other", {"Other", "其他", "其他"}},
    {"enum.visit_kind.onsite", {"On-site visit", "上门拜访", "親自拜訪"}},
    {"enum.visit_kind.phone", {"Phone call", "电话拜访", "電話拜訪"}},
    {"enum.visit_status.planned", {"Planned", "已计划", "已排定"}},
    {"enum.visit_status.done", {"Done", "已完成", "已完成"}},
    {"enum.visit_status.cancelled", {"Cancelled", "已取消", "已取消"}},
    {"enum.issue_category.quality", {"Quality", "质量", "品質"}},
    {"enum.issue_category.delivery", {"Delivery", "交付", "交貨"}},
    {"enum.issue_category.billing", {"Billing", "账务", "帳務"}},
    {"enum.issue_category.service", {"Service", "服务", "服務"}},
    {"enum.issue_category.technical", {"Technical", "技术", "技術"}},
    {"enum.issue_category.suggestion", {"Suggestion", "建议", "建議"}},
    {"enum.issue_category.other", {"Other", "其他", "其他"}},
    {"enum.severity.critical", {"Critical", "紧急", "緊急"}},
    {"enum.severity.high", {"High", "高", "高"}},
    {"enum.severity.medium", {"Medium", "中", "中"}},
    {"enum.severity.low", {"Low", "低", "低"}},
    {"enum.issue_status.open", {"Open", "待处理", "待處理"}},
    {"enum.issue_status.in_progress", {"In progress", "处理中", "處理中"}},
    {"enum.issue_status.resolved", {"Resolved", "已解决", "已解決"}},
    {"enum.issue_status.confirmed", {"Confirmed", "客户已确认", "客戶已確認"}},
    {"enum.need_category.product", {"Product", "产品", "產品"}},
    {"enum.need_category.service", {"Service", "服务", "服務"}},
    {"enum.need_category.price", {"Price", "价格", "價格"}},
    {"enum.need_category.delivery", {"Delivery", "交付", "交付"}},
    {"enum.need_category.technical", {"Technical", "技术", "技術"}},
    {"enum.need_category.other", {"Other", "其他", "其他"}},
    {"enum.need_status.open", {"Open", "待处理", "待處理"}},
    {"enum.need_status.addressing", {"Being addressed", "处理中", "處理中"}},
    {"enum.need_status.addressed", {"Addressed", "已满足", "已滿足"}},
    {"enum.need_status.dropped", {"Dropped", "已放弃", "已放棄"}},
    {"enum.need_priority.high", {"High", "高", "高"}},
    {"enum.need_priority.medium", {"Medium", "中", "中"}},
    {"enum.need_priority.low", {"Low", "低", "低"}},
    {"enum.need_source.interview", {"Interview", "访谈", "訪談"}},
    {"enum.need_source.visit", {"Visit", "拜访", "拜訪"}},
    {"enum.need_source.survey", {"Survey", "问卷", "問卷"}},
    {"enum.need_source.manual", {"Recorded by hand", "手工记录", "手動記錄"}},
    {"enum.need_addressed_kind.offer", {"Offer", "报价", "報價"}},
    {"enum.need_addressed_kind.measure", {"Measure", "措施", "措施"}},
    {"enum.need_addressed_kind.issue", {"Issue", "问题", "問題"}},
    {"enum.occasion_kind.festival", {"Festival", "节日", "節日"}},
    {"enum.occasion_kind.birthday", {"Birthday", "生日", "生日"}},
    {"enum.occasion_kind.special", {"Special day", "特别日子", "特別日子"}},
    {"enum.care_status.pending", {"Pending", "待处理", "待處理"}},
    {"enum.care_status.sent", {"Sent", "已发送", "已寄送"}},
    {"enum.care_status.done", {"Done", "已完成", "已完成"}},
    {"enum.care_status.skipped", {"Skipped", "已跳过", "已略過"}},
    {"enum.care_channel.call", {"Call", "电话", "電話"}},
    {"enum.care_channel.gift", {"Gift", "礼品", "禮品"}},
    {"enum.care_channel.visit", {"Visit", "拜访", "拜訪"}},
    {"enum.care_channel.other", {"Other", "其他", "其他"}},
    {"enum.care_channel.email", {"E-mail", "邮件", "郵件"}},
    {"enum.price_check.ok", {"At the price", "价格正常", "價格正常"}},
    {"enum.price_check.below", {"Below the price", "低于价格", "低於價格"}},
    {"enum.price_check.unpriced", {"No price", "无定价", "無定價"}},
    {"enum.mail_status.queued", {"queued", "已进入发送队列", "已排入寄送佇列"}},
    {"enum.mail_status.sending", {"sending", "发送中", "寄送中"}},
    {"enum.mail_status.sent", {"sent", "已发出", "已寄出"}},
    {"enum.mail_status.failed", {"failed", "发送失败", "寄送失敗"}},
    {"enum.mail_status.retry", {"retrying", "等待重试", "等待重試"}},
    {"enum.bool.true", {"yes", "是", "是"}},
    {"enum.bool.false", {"no", "否", "否"}},
    /* list exports: at most --max-exports run at once */
    {"export.busy",
     {"too many exports are running; retry in a moment", "正在进行的导出过多，请稍后重试",
      "正在進行的匯出過多，請稍後重試"}},
    {"export.too_many_rows",
     {"{n} rows do not fit an .xlsx worksheet ({max} at most); ask for format=csv or narrow the "
      "filters",
      "{n} 行超出 .xlsx 工作表上限（最多 {max} 行）；请改用 CSV 或缩小筛选范围",
      "{n} 列超出 .xlsx 工作表上限（最多 {max} 列）；請改用 CSV 或縮小篩選範圍"}},
    /* FOLLOWUPS slice (issue 14): department follow-ups and hand-offs. */
    {"follow_up.bad_transition",
     {"a follow-up that is {from} cannot become {to}", "跟进任务当前的状态不允许这一变更",
      "跟進任務目前的狀態不允許這項變更"}},
    {"follow_up.action_required",
     {"say what was done to fix it (action)", "请填写采取的改进措施", "請填寫採取的改善措施"}},
    {"follow_up.confirmation_required",
     {"say what the customer confirmed (confirmation)", "请填写客户的确认意见",
      "請填寫客戶的確認意見"}},
    {"follow_up.reason_required",
     {"say why it is dropped (reason)", "请填写放弃的原因", "請填寫放棄的原因"}},
    {"follow_up.owner_may_not",
     {"owner_id must be an active user who may work on this account's follow-ups",
      "负责人必须是可处理该客户跟进任务的在职用户",
      "負責人必須是可處理該客戶跟進任務的在職使用者"}},
    {"follow_up.same_dept",
     {"a hand-off goes to another department", "转交须交给另一个部门", "轉交須交給另一個部門"}},
    {"notify.follow_up_new",
     {"Follow-up for you ({account}): {title}", "新的跟进任务（{account}）：{title}",
      "新的跟進任務（{account}）：{title}"}},
    /* offers and discount approval (svc/offers/offer*.c, approval.c) */
    {"notify.approval_requested",
     {"Discount approval requested: {offer} ({discount} % below the price)",
      "折扣待审批：{offer}（低于价格 {discount}%）",
      "折扣待審批：{offer}（低於價格 {discount}%）"}},
    {"notify.approval_approved",
     {"Discount approved: {offer}", "折扣已批准：{offer}", "折扣已核准：{offer}"}},
    {"notify.approval_rejected",
     {"Discount rejected: {offer}", "折扣被驳回：{offer}", "折扣被駁回：{offer}"}},
    {"approval.own",
     {"you cannot decide your own discount request", "不能审批自己提交的折扣申请",
      "不能審批自己提交的折扣申請"}},
    {"approval.not_decider_team_lead",
     {"this request needs the account's team lead; you cannot decide it",
      "此申请需由该客户的组长审批，您无权审批", "此申請需由該客戶的組長審批，您無權審批"}},
    {"approval.not_decider_director",
     {"this request needs a director; you cannot decide it", "此申请需由总监审批，您无权审批",
      "此申請需由總監審批，您無權審批"}},
    {"approval.not_decider_finance",
     {"this request needs finance and a director; you cannot decide it (or your part is done)",
      "此申请需由财务和总监共同审批，您无权审批（或您的部分已审批）",
      "此申請需由財務和總監共同審批，您無權審批（或您的部分已審批）"}},
    {"approval.limit_role",
     {"the role must be account manager, team lead or director", "角色须为客户经理、组长或总监",
      "角色須為客戶經理、組長或總監"}},
    {"approval.limit_range",
     {"the limit must be 0 to 100 %", "折扣上限须在 0 到 100% 之间",
      "折扣上限須在 0 到 100% 之間"}},
    {"approval.not_pending",
     {"the approval is no longer pending", "该审批已不在待审批状态", "該審批已不在待審批狀態"}},
    {"approval.not_requester",
     {"only the requester withdraws a request", "只有申请人可以撤回申请",
      "只有申請人可以撤回申請"}},
    {"approval.limits_order",
     {"the limits must be account manager ≤ team lead ≤ director",
      "折扣上限须满足：客户经理 ≤ 组长 ≤ 总监", "折扣上限須滿足：客戶經理 ≤ 組長 ≤ 總監"}},
    {"offer.not_draft",
     {"only a draft offer can be changed (this one is {status})", "只有草稿报价可以修改",
      "只有草稿報價可以修改"}},
    {"offer.needs_approval",
     {"the offer must be approved before it is sent", "报价需先获批准才能发送",
      "報價需先獲核准才能發送"}},
    {"offer.bad_transition",
     {"an offer that is {from} cannot become {to}", "报价当前状态不允许此操作",
      "報價目前狀態不允許此操作"}},
    {"offer.not_newest",
     {"only the newest version of an open offer gets a new version", "只有最新版本可以生成新版本",
      "只有最新版本可以產生新版本"}},
    {"offer.not_deletable",
     {"only a draft first version can be deleted", "只能删除草稿状态的第一版报价",
      "只能刪除草稿狀態的第一版報價"}},
    {"offer.unpriced",
     {"the product {sku} has no price on this date", "产品 {sku} 在该日期没有价格",
      "產品 {sku} 在該日期沒有價格"}},
    {"offer.valid_before_price_date",
     {"valid_until must not be before price_date", "有效期不能早于定价日期",
      "有效期不能早於定價日期"}},
    {"offer.no_product", {"no such active product", "没有该产品或已停用", "沒有該產品或已停用"}},
    {"offer.price_date_past",
     {"the price date may not be before today ({today})", "定价日期不能早于今天（{today}）",
      "定價日期不能早於今天（{today}）"}},
    {"offer.valid_until_past",
     {"the offer must be valid until today ({today}) or later", "有效期不能早于今天（{today}）",
      "有效期不能早於今天（{today}）"}},
    {"offer.expired",
     {"the offer was valid until {valid_until}: make a new version",
      "报价已于 {valid_until} 过期，请生成新版本", "報價已於 {valid_until} 過期，請產生新版本"}},
    {"offer.bad_convert_day",
     {"the day must be between {from} (accepted) and {to} (today)",
      "日期须在 {from}（接受日）到 {to}（今天）之间",
      "日期須在 {from}（接受日）到 {to}（今天）之間"}},
    {"offer.bundle_unpriced",
     {"the bundle {code} has no priced components", "组合套装 {code} 没有可定价的组成产品",
      "組合套裝 {code} 沒有可定價的組成產品"}},
    {"offer.too_many_lines",
     {"an offer has at most 200 lines", "一份报价最多 200 行", "一份報價最多 200 行"}},
    {"offer.too_many_customisations",
     {"an offer has at most 50 customisation requests", "一份报价最多 50 项定制需求",
      "一份報價最多 50 項客製需求"}},
    {"offer.line_one_item",
     {"a line names one product, bundle or service item, matching its kind",
      "每行只能指定一个与类型相符的产品、组合套装或服务项目",
      "每行只能指定一個與類型相符的產品、組合套裝或服務項目"}},
    {"offer.price_or_discount",
     {"give the unit price or the discount, not both", "单价和折扣只能填写其一",
      "單價和折扣只能填寫其一"}},
    {"offer.bad_unit_price",
     {"the unit price may not be negative", "单价不能为负数", "單價不能為負數"}},
    {"offer.bad_discount",
     {"the discount must be between -100 % and 100 %", "折扣须在 -100% 到 100% 之间",
      "折扣須在 -100% 到 100% 之間"}},
    {"offer.no_customisation",
     {"no such customisation request on this offer", "该报价没有此定制需求",
      "該報價沒有此客製需求"}},
    {"offer.no_bundle",
     {"no such active bundle", "没有该组合套装或已停用", "沒有該組合套裝或已停用"}},
    {"offer.no_service_item",
     {"no such active service item", "没有该服务项目或已停用", "沒有該服務項目或已停用"}},
    {"offer.bad_quantity", {"the quantity must be above 0", "数量必须大于 0", "數量必須大於 0"}},
    {"offer.amount_too_large", {"the line's amount is too large", "该行金额过大", "該行金額過大"}},
    {"offer.bad_opportunity",
     {"the opportunity must be one of the same account", "商机必须属于同一客户",
      "商機必須屬於同一客戶"}},
    {"offer.no_lines",
     {"an offer needs at least one line", "报价至少需要一行", "報價至少需要一行"}},
    {"offer.closed",
     {"the offer is {status}: its customisations are closed", "该报价已关闭，定制需求不能再修改",
      "該報價已關閉，客製需求不能再修改"}},
    {"offer.confirm_open",
     {"say whether it is feasible before confirming", "请先填写可行性再确认",
      "請先填寫可行性再確認"}},
    {"offer.not_confirmer",
     {"only the account's department named on the request (or a director) confirms it",
      "只有该客户的对应部门可以确认此定制需求", "只有該客戶的對應部門可以確認此客製需求"}},
    {"enum.follow_up_status.open", {"Open", "待处理", "待處理"}},
    {"enum.follow_up_status.in_progress", {"In progress", "处理中", "處理中"}},
    {"enum.follow_up_status.resolved", {"Resolved", "已解决", "已解決"}},
    {"enum.follow_up_status.confirmed", {"Confirmed by the customer", "客户已确认", "客戶已確認"}},
    {"enum.follow_up_status.reopened", {"Reopened", "已重开", "已重開"}},
    {"enum.follow_up_status.dropped", {"Dropped", "已放弃", "已放棄"}},
    {"enum.follow_up_source.survey", {"Low score", "问卷低分", "問卷低分"}},
    {"enum.follow_up_source.comment", {"Negative comment", "负面评论", "負面評論"}},
    {"enum.follow_up_source.handoff", {"Hand-off", "部门转交", "部門轉交"}},
    {"enum.dept_role.sales", {"Sales", "销售", "銷售"}},
    {"enum.dept_role.marketing", {"Marketing", "市场", "市場"}},
    {"enum.dept_role.technical", {"Technical", "技术", "技術"}},
    {"enum.dept_role.production", {"Production", "生产", "生產"}},
    {"enum.dept_role.service", {"Service", "服务", "服務"}},
    /* list exports, issue 16 (EXPORTS): the words of the risk, gift, competitor, alert and
     * receivables lists' enum values, equal to the web's labels of them */
    {"enum.risk_category.credit", {"Credit", "信用", "信用"}},
    {"enum.risk_category.operating", {"Operating", "经营", "經營"}},
    {"enum.risk_category.competitive", {"Competitive", "竞争", "競爭"}},
    {"enum.risk_category.compliance", {"Compliance", "合规", "合規"}},
    {"enum.risk_category.other", {"Other", "其他", "其他"}},
    {"enum.risk_status.open", {"Open", "待应对", "待應對"}},
    {"enum.risk_status.responding", {"Responding", "应对中", "應對中"}},
    {"enum.risk_status.closed", {"Closed", "已关闭", "已關閉"}},
    {"enum.risk_level.low", {"Low", "低", "低"}},
    {"enum.risk_level.medium", {"Medium", "中", "中"}},
    {"enum.risk_level.high", {"High", "高", "高"}},
    {"enum.risk_level.critical", {"Critical", "极高", "極高"}},
    {"enum.risk_response.avoid", {"Avoid", "规避", "規避"}},
    {"enum.risk_response.reduce", {"Reduce", "降低", "降低"}},
    {"enum.risk_response.transfer", {"Transfer", "转移", "轉移"}},
    {"enum.risk_response.accept", {"Accept", "接受", "接受"}},
    {"enum.risk_source.manual", {"Recorded by hand", "手工登记", "手動登記"}},
    {"enum.risk_source.alert", {"An alert", "预警", "預警"}},
    {"enum.risk_source.gift", {"A gift", "礼品合规", "禮品合規"}},
    {"enum.risk_source.competitor", {"A competitor's move", "竞争对手动态", "競爭對手動態"}},
    {"enum.risk_source.contract", {"A contract", "合同", "合約"}},
    {"enum.gift_kind.gift", {"Gift", "礼品", "禮品"}},
    {"enum.gift_kind.hospitality", {"Hospitality", "宴请招待", "宴請招待"}},
    {"enum.gift_status.recorded", {"Recorded", "已登记", "已登記"}},
    {"enum.gift_status.pending", {"Waiting for approval", "待审批", "待審批"}},
    {"enum.gift_status.approved", {"Approved", "已批准", "已核准"}},
    {"enum.gift_status.rejected", {"Rejected", "已驳回", "已駁回"}},
    {"enum.gift_status.breach", {"Breach", "违规", "違規"}},
    {"enum.gift_approver.team_lead", {"Team lead", "团队主管", "團隊主管"}},
    {"enum.gift_approver.director", {"Director", "总监", "總監"}},
    {"enum.gift_approver.finance", {"Finance", "财务", "財務"}},
    {"enum.price_level.lower", {"Lower than ours", "低于我方", "低於我方"}},
    {"enum.price_level.similar", {"Similar to ours", "与我方相当", "與我方相當"}},
    {"enum.price_level.higher", {"Higher than ours", "高于我方", "高於我方"}},
    {"enum.price_level.unknown", {"Unknown", "不详", "不詳"}},
    {"enum.move_kind.price_cut", {"Price cut", "降价", "降價"}},
    {"enum.move_kind.promotion", {"Promotion", "促销", "促銷"}},
    {"enum.move_kind.new_product", {"New product", "新产品", "新產品"}},
    {"enum.move_kind.relationship", {"Relationship building", "关系拓展", "關係拓展"}},
    {"enum.move_kind.won_business", {"Won business", "抢下业务", "搶下業務"}},
    {"enum.move_kind.other", {"Other", "其他", "其他"}},
    {"enum.move_severity.low", {"Low", "低", "低"}},
    {"enum.move_severity.medium", {"Medium", "中", "中"}},
    {"enum.move_severity.high", {"High", "高", "高"}},
    {"enum.alert_status.open", {"Open", "待处理", "待處理"}},
    {"enum.alert_status.acknowledged", {"Acknowledged", "已确认", "已確認"}},
    {"enum.alert_status.responding", {"Responding", "应对中", "應對中"}},
    {"enum.alert_status.resolved", {"Resolved", "已解决", "已解決"}},
    {"enum.contract_kind.framework", {"Framework", "框架协议", "框架協議"}},
    {"enum.contract_kind.supply", {"Supply", "供货合同", "供貨合約"}},
    {"enum.contract_kind.service", {"Service", "服务合同", "服務合約"}},
    {"enum.contract_kind.distribution", {"Distribution", "经销合同", "經銷合約"}},
    {"enum.contract_status.draft", {"Draft", "草稿", "草稿"}},
    {"enum.contract_status.active", {"In force", "生效中", "生效中"}},
    {"enum.contract_status.expiring", {"Expiring", "即将到期", "即將到期"}},
    {"enum.contract_status.expired", {"Expired", "已到期", "已到期"}},
    {"enum.contract_status.terminated", {"Terminated", "已终止", "已終止"}},
    {"enum.contract_status.renewed", {"Renewed", "已续签", "已續簽"}},
    {"enum.obligation_side.ours", {"Ours", "我方", "我方"}},
    {"enum.obligation_side.theirs", {"Theirs", "客户方", "客戶方"}},
    {"enum.obligation_kind.volume", {"Volume", "采购量", "採購量"}},
    {"enum.obligation_kind.price", {"Price", "价格", "價格"}},
    {"enum.obligation_kind.payment", {"Payment", "付款", "付款"}},
    {"enum.obligation_kind.service_level", {"Service level", "服务水平", "服務水準"}},
    {"enum.obligation_kind.delivery", {"Delivery", "交付", "交付"}},
    {"enum.obligation_kind.support", {"Support", "技术支持", "技術支援"}},
    {"enum.obligation_kind.training", {"Training", "培训", "培訓"}},
    {"enum.obligation_kind.forecast", {"Forecast", "需求预测", "需求預測"}},
    {"enum.obligation_kind.other", {"Other", "其他", "其他"}},
    {"enum.breach_status.detected", {"Detected", "已发现", "已發現"}},
    {"enum.breach_status.confirmed", {"Confirmed", "已确认", "已確認"}},
    {"enum.breach_status.waived", {"Waived", "已豁免", "已豁免"}},
    {"enum.breach_status.action", {"Corrective action", "纠正中", "糾正中"}},
    {"enum.breach_status.cured", {"Cured", "已纠正", "已糾正"}},
    {"enum.dispute_stage.negotiation", {"Negotiation", "协商", "協商"}},
    {"enum.dispute_stage.mediation", {"Mediation", "调解", "調解"}},
    {"enum.dispute_stage.arbitration", {"Arbitration", "仲裁", "仲裁"}},
    {"enum.dispute_stage.litigation", {"Litigation", "诉讼", "訴訟"}},
    {"enum.dispute_stage.closed", {"Closed", "已结案", "已結案"}},
    {"enum.dispute_outcome.settled", {"Settled", "和解", "和解"}},
    {"enum.dispute_outcome.won", {"Won", "胜诉", "勝訴"}},
    {"enum.dispute_outcome.lost", {"Lost", "败诉", "敗訴"}},
    {"enum.dispute_outcome.withdrawn", {"Withdrawn", "撤回", "撤回"}},
    {"enum.training_source.lesson", {"Lesson learned", "经验教训", "經驗教訓"}},
    {"enum.training_source.competency", {"Competency gap", "能力差距", "能力差距"}},
    {"enum.training_source.appraisal", {"Appraisal", "考核结果", "考核結果"}},
    {"enum.training_source.manual", {"Entered", "手工录入", "手工錄入"}},
    {"enum.training_status.open", {"Open", "待安排", "待安排"}},
    {"enum.training_status.planned", {"Planned", "已安排", "已安排"}},
    {"enum.training_status.done", {"Done", "已完成", "已完成"}},
    {"enum.training_status.dropped", {"Dropped", "已取消", "已取消"}},
    {"enum.alert_severity.low", {"Low", "低", "低"}},
    {"enum.alert_severity.medium", {"Medium", "中", "中"}},
    {"enum.alert_severity.high", {"High", "高", "高"}},
    {"enum.alert_severity.critical", {"Critical", "严重", "嚴重"}},
    {"enum.alert_dept.sales", {"Sales", "销售", "業務"}},
    {"enum.alert_dept.finance", {"Finance", "财务", "財務"}},
    {"enum.alert_dept.service", {"Service", "服务", "服務"}},
    {"enum.alert_dept.marketing", {"Marketing", "市场", "行銷"}},
    {"enum.alert_dept.technical", {"Technical", "技术", "技術"}},
    {"enum.alert_dept.production", {"Production", "生产", "生產"}},
    {"enum.signal.volume_below_forecast",
     {"Volume below forecast", "销量低于预测", "銷量低於預測"}},
    {"enum.signal.volume_below_target", {"Volume below target", "销量低于目标", "銷量低於目標"}},
    {"enum.signal.purchase_overdue", {"Purchase overdue", "采购逾期", "採購逾期"}},
    {"enum.signal.volume_decline", {"Volume decline", "销量下滑", "銷量下滑"}},
    {"enum.signal.key_contact_stale",
     {"Key contact not reached", "关键人长期未联系", "關鍵人長期未聯繫"}},
    {"enum.signal.key_contact_gone", {"Key contact gone", "关键人离开", "關鍵人離開"}},
    {"enum.signal.visits_overdue", {"Visits overdue", "拜访逾期", "拜訪逾期"}},
    {"enum.signal.sla_breach", {"Service level missed", "服务时限未达成", "服務時限未達成"}},
    {"enum.signal.nps_drop", {"NPS drop", "NPS 下降", "NPS 下降"}},
    {"enum.signal.csat_drop", {"Satisfaction drop", "满意度下降", "滿意度下降"}},
    {"enum.signal.negative_sentiment", {"Negative comments", "负面评价", "負面評價"}},
    {"enum.signal.receivables_overdue", {"Receivables overdue", "应收账款逾期", "應收帳款逾期"}},
    {"enum.signal.exposure_near_limit",
     {"Exposure near credit limit", "信用敞口接近额度", "信用曝險接近額度"}},
    {"enum.signal.competitor_move", {"Competitor move", "竞争对手动作", "競爭對手動作"}},
    {"enum.signal.contract_breach", {"Contract breach", "合同违约", "合約違約"}},
    {"enum.signal.contract_expiring",
     {"Contract notice deadline near", "合同通知期将至", "合約通知期將至"}},
    {"enum.signal.competitor_share", {"Competitor share", "竞争对手份额", "競爭對手份額"}},
    {"enum.invoice_status.open", {"Not yet due", "未到期", "未到期"}},
    {"enum.invoice_status.overdue", {"Overdue", "已逾期", "已逾期"}},
    {"enum.invoice_status.paid", {"Paid", "已结清", "已結清"}},
    {"enum.invoice_bucket.not_due", {"Not due", "未到期", "未到期"}},
    {"enum.invoice_bucket.1_30", {"1-30 days", "1-30 天", "1-30 天"}},
    {"enum.invoice_bucket.31_60", {"31-60 days", "31-60 天", "31-60 天"}},
    {"enum.invoice_bucket.61_90", {"61-90 days", "61-90 天", "61-90 天"}},
    {"enum.invoice_bucket.over_90", {"Over 90 days", "90 天以上", "90 天以上"}},
    /* REGISTER slice (issue 16): the risk register and compliance (svc/risk/risk.c, gift.c) */
    {"risk.closed",
     {"the risk is closed: reopen it first", "该风险已关闭：请先重新打开",
      "該風險已關閉：請先重新開啟"}},
    {"risk.not_closed",
     {"only a closed risk can be reopened", "只有已关闭的风险可以重新打开",
      "只有已關閉的風險可以重新開啟"}},
    {"risk.from_source",
     {"a risk raised from a {source} cannot be deleted: close it",
      "由其他记录引发的风险不能删除，请改为关闭", "由其他記錄引發的風險無法刪除，請改為關閉"}},
    {"risk.not_group",
     {"covers_group needs a group's head account (one with subsidiaries)",
      "覆盖集团须选择集团总部客户（有下属公司的客户）",
      "涵蓋集團須選擇集團總部客戶（有子公司的客戶）"}},
    {"risk.bad_owner",
     {"{field} must be an active user who may work on this account's risks",
      "负责人必须是可处理该客户风险的在职用户", "負責人必須是可處理該客戶風險的在職使用者"}},
    {"risk.review_due",
     {"Review of risk \"{title}\" is overdue (due {date})",
      "风险“{title}”已逾期未复核（应于 {date}）", "風險「{title}」已逾期未複核（應於 {date}）"}},
    {"risk.action_due",
     {"Action on risk \"{title}\" is overdue (due {date}): {action}",
      "风险“{title}”的应对措施已逾期（应于 {date}）：{action}",
      "風險「{title}」的應對措施已逾期（應於 {date}）：{action}"}},
    {"gift.not_same_account",
     {"{field} must be a record of the same account", "{field} 必须属于同一客户",
      "{field} 必須屬於同一客戶"}},
    {"gift.not_pending",
     {"only a pending gift can be decided", "只有待审批的礼品可以审批",
      "只有待審批的禮品可以審批"}},
    {"gift.own_gift",
     {"the giver cannot decide their own gift", "赠送人不能审批自己的礼品",
      "贈送人不能審批自己的禮品"}},
    {"gift.own_record",
     {"whoever recorded a gift cannot decide it", "礼品记录人不能审批该礼品",
      "禮品記錄人不能審批該禮品"}},
    {"gift.lapsed",
     {"the gift's day ({date}) came without a decision: it is a breach",
      "该礼品的赠送日（{date}）已到仍未审批，已属违规",
      "該禮品的贈送日（{date}）已到仍未審批，已屬違規"}},
    {"risk.own_gift",
     {"who gave or recorded the gift cannot close its risk", "礼品的赠送人或记录人不能关闭其风险",
      "禮品的贈送人或記錄人不能關閉其風險"}},
    {"gift.not_approver",
     {"only the rule's approver ({role}) or a director may decide this gift",
      "只有规则指定的审批角色或总监可以审批该礼品", "只有規則指定的審批角色或總監可以審批該禮品"}},
    {"gift.decided",
     {"the gift is {status}: it can no longer change", "该礼品记录已处理，不能再修改",
      "該禮品記錄已處理，無法再修改"}},
    {"gift.pending_for_you",
     {"A gift to {account} waits for your decision: {description}",
      "赠予 {account} 的礼品待您审批：{description}",
      "贈予 {account} 的禮品待您審批：{description}"}},
    {"gift.breach",
     {"Gift to {account} breaches the compliance rules: {description}",
      "赠予 {account} 的礼品违反合规规则：{description}",
      "贈予 {account} 的禮品違反合規規則：{description}"}},
    /* COMPETITORS slice (issue 16): competitors, presence, moves (svc/risk/competitor.c) */
    {"competitor.in_use",
     {"the competitor has presence or moves at accounts; deactivate it instead",
      "该竞争对手在客户处已有份额或动态记录，不能删除；请改为停用",
      "該競爭對手在客戶處已有份額或動態紀錄，無法刪除；請改為停用"}},
    {"competitor.presence_exists",
     {"the competitor is already recorded at this account for this family",
      "该竞争对手在此客户的该产品族已有记录", "該競爭對手在此客戶的該產品族已有紀錄"}},
    {"competitor.share_sum",
     {"the competitors' shares in this family would exceed 100 % (others hold {other} bp; at "
      "most {max} bp)",
      "该产品族的竞争对手份额合计将超过 100%（其他对手已占 {other} 基点，最多还可填 {max} 基点）",
      "該產品族的競爭對手份額合計將超過 100%（其他對手已占 {other} 基點，最多還可填 {max} "
      "基點）"}},
    {"competitor.inactive", {"the competitor is inactive", "该竞争对手已停用", "該競爭對手已停用"}},
    {"competitor.future_day",
     {"a move is recorded once it happened: day is in the future",
      "竞争动态须在发生后记录：日期不能晚于今天", "競爭動態須在發生後記錄：日期不能晚於今天"}},
    {"competitor.move_has_risk",
     {"the move was raised as a risk; it stays as the risk's evidence",
      "该动态已登记为风险，作为风险依据予以保留，不能删除",
      "該動態已登記為風險，作為風險依據予以保留，無法刪除"}},
    /* DOCUMENTS (issue 17): files attached to records (svc/core/document.c) */
    {"document.empty", {"the file is empty", "文件为空", "檔案為空"}},
    {"document.too_big",
     {"the file is larger than {max} bytes", "文件超过 {max} 字节的上限",
      "檔案超過 {max} 位元組的上限"}},
    {"document.type_unsupported",
     {"the file is none of PDF, image (PNG, JPEG, GIF, WebP), Office document or plain UTF-8 "
      "text",
      "文件类型不受支持：仅接受 PDF、图片（PNG、JPEG、GIF、WebP）、Office 文档或 UTF-8 纯文本",
      "檔案類型不受支援：僅接受 PDF、圖片（PNG、JPEG、GIF、WebP）、Office 文件或 UTF-8 純文字"}},
    {"document.type_mismatch",
     {"the content is not the .{ext} file its name says", "文件内容与文件名的 .{ext} 类型不符",
      "檔案內容與檔名的 .{ext} 類型不符"}},
    {"document.bad_name",
     {"the file name must be UTF-8 text of at most {max} characters",
      "文件名须为不超过 {max} 个字符的 UTF-8 文本", "檔名須為不超過 {max} 個字元的 UTF-8 文字"}},
    /* CONTRACTS (issue 17 item 1): contracts and obligations (svc/contracts/contract.c,
     * obligation.c) */
    {"contract.number_taken",
     {"contract number {number} is already taken", "合同编号 {number} 已被使用",
      "合約編號 {number} 已被使用"}},
    {"contract.unknown_currency",
     {"{field}: no exchange rate for {currency}", "{field}：{currency} 没有汇率",
      "{field}：{currency} 沒有匯率"}},
    {"contract.price_list",
     {"{field}: must be a price list of this account or its group, in the contract's currency",
      "{field} 必须是该客户或其集团的价格表，且币种与合同一致",
      "{field} 必須是該客戶或其集團的價格表，且幣別與合約一致"}},
    {"contract.ends_before_start",
     {"ends_on is before starts_on", "结束日期早于开始日期", "結束日期早於開始日期"}},
    {"contract.not_group",
     {"covers_group needs a group's head account (one with subsidiaries)",
      "覆盖集团须选择集团总部客户（有下属公司的客户）",
      "涵蓋集團須選擇集團總部客戶（有子公司的客戶）"}},
    {"contract.not_account_contact",
     {"{field}: must be a contact of the contract's account", "{field} 必须是该合同客户的联系人",
      "{field} 必須是該合約客戶的聯絡人"}},
    {"contract.bad_owner",
     {"{field}: must be an active user who may read this account's contracts",
      "负责人必须是可查看该客户合同的在职用户", "負責人必須是可檢視該客戶合約的在職使用者"}},
    {"contract.amend_active",
     {"the contract is in force: its terms change only through an amendment",
      "合同已生效：条款只能通过补充协议（变更）修改",
      "合約已生效：條款只能透過增補協議（變更）修改"}},
    {"contract.closed",
     {"the contract has ended: it cannot change", "合同已终止或到期，不能再修改",
      "合約已終止或到期，無法再修改"}},
    {"contract.not_draft",
     {"only a draft contract can be deleted; terminate it instead",
      "只有草稿合同可以删除；已生效的合同请改为终止",
      "只有草稿合約可以刪除；已生效的合約請改為終止"}},
    {"contract.not_draft_activate",
     {"the contract is not a draft: it was activated already", "该合同不是草稿，已经生效过",
      "該合約不是草稿，已經生效過"}},
    {"contract.in_use",
     {"the contract has breaches or disputes", "该合同已有违约或争议记录",
      "該合約已有違約或爭議紀錄"}},
    {"contract.not_active",
     {"only a contract in force (active or expiring) can do this",
      "只有生效中（含即将到期）的合同可以执行此操作",
      "只有生效中（含即將到期）的合約可以執行此操作"}},
    {"contract.effective_before_start",
     {"{field} is before the contract starts", "{field} 早于合同开始日期",
      "{field} 早於合約開始日期"}},
    {"contract.already_renewed",
     {"the contract was renewed already", "该合同已续签", "該合約已續簽"}},
    {"contract.not_renewable",
     {"only an active, expiring or expired contract is renewed",
      "只有生效中、即将到期或已到期的合同可以续签", "只有生效中、即將到期或已到期的合約可以續簽"}},
    {"contract.renewal_due",
     {"Contract {contract_number}: the notice deadline is {deadline} (renew or give notice)",
      "合同 {contract_number} 的通知截止日为 {deadline}，请决定续签或发出终止通知",
      "合約 {contract_number} 的通知截止日為 {deadline}，請決定續簽或發出終止通知"}},
    {"contract.field_not_for_kind",
     {"{field} does not apply to a {kind} obligation", "{field} 不适用于该类义务",
      "{field} 不適用於該類義務"}},
    {"contract.unknown_family",
     {"{field}: no product has this family", "{field}：没有属于该产品族的产品",
      "{field}：沒有屬於該產品族的產品"}},
    {"contract.obligation_in_use",
     {"the obligation has breaches: it stays", "该义务已有违约记录，不能删除",
      "該義務已有違約紀錄，無法刪除"}},
    {"contract.future_day",
     {"done_on is in the future", "完成日期不能晚于今天", "完成日期不能晚於今天"}},
    {"contract.not_occurrence",
     {"due_on is not a due date of this obligation", "due_on 不是该义务的到期日",
      "due_on 不是該義務的到期日"}},
    {"contract.already_done",
     {"this occurrence is recorded as done already", "该期义务已记录为完成",
      "該期義務已記錄為完成"}},
    {"account.has_contracts",
     {"the account has contracts; set its status to lost instead",
      "该客户已有合同，不能删除；请改为将状态设为流失",
      "該客戶已有合約，無法刪除；請改為將狀態設為流失"}},
    /* DISPUTES and LESSONS (issue 17 items 4-5): svc/contracts/dispute.c, lesson.c */
    {"dispute.future_day",
     {"{field} is in the future", "{field} 不能晚于今天", "{field} 不能晚於今天"}},
    {"dispute.escalate_closed",
     {"the dispute is closed: it cannot be escalated", "该争议已结案，不能再升级",
      "該爭議已結案，不能再升級"}},
    {"dispute.escalate_to_closed",
     {"a dispute is closed with its outcome, not escalated to closed",
      "争议须通过结案并填写结果来关闭，不能升级为“已结案”",
      "爭議須透過結案並填寫結果來關閉，不能升級為「已結案」"}},
    {"dispute.same_stage",
     {"the dispute is already at {from}", "该争议已处于 {from} 阶段", "該爭議已處於 {from} 階段"}},
    {"dispute.backwards",
     {"a dispute does not go back: {from} -> {to}", "争议不能回退：{from} → {to}",
      "爭議不能回退：{from} → {to}"}},
    {"dispute.skip_stage",
     {"a dispute escalates one step at a time: from {from} the next stage is {next}",
      "争议只能逐级升级：{from} 之后是 {next}", "爭議只能逐級升級：{from} 之後是 {next}"}},
    {"dispute.already_closed", {"the dispute is already closed", "该争议已结案", "該爭議已結案"}},
    {"dispute.outcome_needs_decision",
     {"{outcome} needs a decision: a dispute is won or lost at arbitration or litigation, not "
      "at {from}",
      "{outcome} 需要裁决：争议只能在仲裁或诉讼阶段胜诉或败诉，不能在 {from} 阶段",
      "{outcome} 需要裁決：爭議只能在仲裁或訴訟階段勝訴或敗訴，不能在 {from} 階段"}},
    {"dispute.before_arose",
     {"started_on is before the dispute arose", "开始日期早于争议发生日",
      "開始日期早於爭議發生日"}},
    {"dispute.before_stage",
     {"the date is before the current stage started", "日期早于当前阶段的开始日期",
      "日期早於目前階段的開始日期"}},
    {"dispute.settled_only",
     {"settled_amount goes with the outcome settled only", "和解金额仅适用于“和解”结果",
      "和解金額僅適用於「和解」結果"}},
    {"dispute.person",
     {"{field} must be an active user who may read the account's disputes",
      "{field} 须为可查看该客户争议的在职用户", "{field} 須為可查看該客戶爭議的在職用戶"}},
    {"dispute.breach_contract",
     {"the breach is of another contract", "该违约属于另一份合同", "該違約屬於另一份合約"}},
    {"dispute.has_lessons",
     {"a lesson learned links the dispute; it stays as the lesson's case",
      "该争议已被经验教训引用，作为案例予以保留，不能删除",
      "該爭議已被經驗教訓引用，作為案例予以保留，無法刪除"}},
    {"dispute.limitation_near",
     {"Dispute {title}: the limitation period ends on {date} (within {days} days)",
      "争议“{title}”：诉讼时效将于 {date} 届满（{days} 天内）",
      "爭議「{title}」：訴訟時效將於 {date} 屆滿（{days} 天內）"}},
    {"dispute.deadline_near",
     {"Dispute {title}: the stage deadline is {date} (within {days} days)",
      "争议“{title}”：当前阶段期限为 {date}（{days} 天内）",
      "爭議「{title}」：目前階段期限為 {date}（{days} 天內）"}},
    {"lesson.no_such_link",
     {"{field}: no such record", "{field}：没有该记录", "{field}：沒有該紀錄"}},
    {"lesson.tag_comma",
     {"a tag is one word without commas", "标签须为不含逗号的单个词", "標籤須為不含逗號的單個詞"}},
    {"lesson.no_account",
     {"a lesson of no account is recorded by legal or the director: name its account or link "
      "a record of one",
      "不属于任何客户的经验教训只能由法务或总监记录：请指定客户或关联某客户的记录",
      "不屬於任何客戶的經驗教訓只能由法務或總監記錄：請指定客戶或關聯某客戶的紀錄"}},
    {"training.user_or_role",
     {"name a person (user_id) or a role (audience_role), not both",
      "请指定人员（user_id）或角色（audience_role），不能同时指定",
      "請指定人員（user_id）或角色（audience_role），不能同時指定"}},
    /* COMPETENCIES slice (issue 18 F6.1): the model, role profiles, assessments, candidates
     * (svc/team/competency.c, candidate.c) */
    {"enum.assessment_kind.self", {"Self", "自评", "自評"}},
    {"enum.assessment_kind.manager", {"Manager", "上级评估", "主管評估"}},
    {"enum.assessment_kind.peer", {"Peer", "同事互评", "同事互評"}},
    {"enum.candidate_status.open", {"Open", "待定", "待定"}},
    {"enum.candidate_status.hired", {"Hired", "已录用", "已錄用"}},
    {"enum.candidate_status.rejected", {"Rejected", "未录用", "未錄用"}},
    {"enum.candidate_status.on_hold", {"On hold", "暂缓", "暫緩"}},
    {"enum.candidate_status.promoted", {"Promoted", "已晋升", "已晉升"}},
    {"competency.bad_code",
     {"a code is lower-case letters, digits and _, starting with a letter",
      "代码须由小写字母、数字和下划线组成，并以字母开头",
      "代碼須由小寫字母、數字和底線組成，並以字母開頭"}},
    {"competency.five_levels",
     {"the rubric has levels 1 to 5, each once", "评分标准须包含 1 至 5 级，每级一次",
      "評分標準須包含 1 至 5 級，每級一次"}},
    {"competency.code_taken",
     {"the code {code} is taken", "代码 {code} 已被使用", "代碼 {code} 已被使用"}},
    {"competency.builtin",
     {"a built-in competency cannot be deleted; deactivate it instead",
      "内置胜任力不能删除；请改为停用", "內建職能不能刪除；請改為停用"}},
    {"competency.in_use",
     {"the competency is used by assessments, role profiles, interviews or courses; deactivate "
      "it instead",
      "该胜任力已用于评估、岗位要求、面试或课程，不能删除；请改为停用",
      "該職能已用於評估、職位要求、面試或課程，無法刪除；請改為停用"}},
    {"competency.no_such_profile",
     {"no role profile {code}", "没有岗位要求 {code}", "沒有職位要求 {code}"}},
    {"competency.no_such",
     {"{field}: no such competency", "{field}：没有该胜任力", "{field}：沒有該職能"}},
    {"competency.inactive",
     {"{field}: the competency is inactive", "{field}：该胜任力已停用", "{field}：該職能已停用"}},
    {"competency.twice",
     {"{field}: the competency is named twice", "{field}：该胜任力重复出现",
      "{field}：該職能重複出現"}},
    {"competency.profile_empty",
     {"a role profile needs at least one competency", "岗位要求至少须包含一项胜任力",
      "職位要求至少須包含一項職能"}},
    {"role_profile.code_taken",
     {"the code {code} is taken", "代码 {code} 已被使用", "代碼 {code} 已被使用"}},
    {"role_profile.in_use",
     {"candidates are ranked against this profile; deactivate it instead",
      "已有候选人按此岗位要求排名，不能删除；请改为停用",
      "已有候選人依此職位要求排名，無法刪除；請改為停用"}},
    {"assessment.self_only",
     {"a self-assessment is about yourself", "自评只能评估本人", "自評只能評估本人"}},
    {"assessment.not_self",
     {"a manager or peer assessment is about someone else", "上级评估和同事评估须针对他人",
      "主管評估和同事評估須針對他人"}},
    {"assessment.not_manager",
     {"a manager assessment is given by someone who leads the person", "上级评估须由其上级作出",
      "主管評估須由其主管作出"}},
    {"assessment.not_colleague",
     {"a peer assessment is given by a colleague of the same team",
      "同事评估须由同一团队的同事作出", "同事評估須由同一團隊的同事作出"}},
    {"assessment.future",
     {"an assessment is recorded once it was made: the date is in the future",
      "评估须在完成后记录：日期不能晚于今天", "評估須在完成後記錄：日期不能晚於今天"}},
    {"assessment.no_scores",
     {"at least one competency is scored", "至少须为一项胜任力评分", "至少須為一項職能評分"}},
    {"candidate.no_such_profile",
     {"no such active role profile", "没有该有效的岗位要求", "沒有該有效的職位要求"}},
    {"candidate.already",
     {"the person is already an open candidate for this profile", "此人已是该岗位的待定候选人",
      "此人已是該職位的待定候選人"}},
    {"candidate.decided",
     {"the candidate was decided ({status})", "该候选人已有决定（{status}）",
      "該候選人已有決定（{status}）"}},
    {"candidate.reason_required",
     {"a decision is recorded with its reason", "记录决定时须填写理由", "記錄決定時須填寫理由"}},
    {"candidate.promote_external",
     {"only an internal candidate is promoted; an external one is hired",
      "只有内部候选人可以晋升；外部候选人应为录用", "只有內部候選人可以晉升；外部候選人應為錄用"}},
    /* TRAINING slice (issue 18 F6.2): courses, sessions, enrolments (svc/team/course.c,
     * enrolment.c) */
    {"course.in_use",
     {"the course has sessions; deactivate it instead", "该课程已有培训场次，不能删除；请改为停用",
      "該課程已有培訓場次，無法刪除；請改為停用"}},
    {"session.in_use",
     {"the session has enrolments", "该培训场次已有报名，不能删除",
      "該培訓場次已有報名，無法刪除"}},
    {"session.ends_before",
     {"the session ends before it starts", "培训结束日期早于开始日期", "培訓結束日期早於開始日期"}},
    {"session.trainer",
     {"name the trainer: trainer_id (a user) or trainer_name",
      "请指定讲师：trainer_id（系统用户）或 trainer_name",
      "請指定講師：trainer_id（系統使用者）或 trainer_name"}},
    {"enrolment.duplicate",
     {"the person is already enrolled in this session", "该人员已报名此培训场次",
      "該人員已報名此培訓場次"}},
    {"enrolment.cancelled", {"the enrolment was cancelled", "该报名已取消", "該報名已取消"}},
    {"enrolment.not_attended",
     {"the person has not attended the session", "该人员尚未出席培训", "該人員尚未出席培訓"}},
    {"enrolment.completed", {"the training is completed", "该培训已完成", "該培訓已完成"}},
    {"enrolment.not_started", {"the session has not started yet", "培训尚未开始", "培訓尚未開始"}},
    {"enrolment.has_post_score",
     {"the person has a post-test score: they attended", "该人员已有培训后测验成绩，说明已出席",
      "該人員已有培訓後測驗成績，表示已出席"}},
    {"enrolment.feedback_own",
     {"only the person trained gives their feedback", "只有受训者本人可以提交培训反馈",
      "只有受訓者本人可以提交培訓回饋"}},
    {"enrolment.practice_account",
     {"the practice account must be an account the person may read",
      "实践任务的客户必须是该人员有权查看的客户", "實踐任務的客戶必須是該人員有權查看的客戶"}},
    {"account.has_disputes",
     {"the account has disputes or lessons learned; set its status to lost instead",
      "该客户已有争议或经验教训记录，不能删除；请改为将状态设为流失",
      "該客戶已有爭議或經驗教訓紀錄，無法刪除；請改為將狀態設為流失"}},
    /* APPRAISAL slice (issue 18 F6.3): schemes and scorecards (svc/team/scheme.c,
     * scorecard.c, indicator.c) */
    {"appraisal.curve_order",
     {"threshold, target and stretch must be in order", "门槛值、目标值和挑战值的顺序不正确",
      "門檻值、目標值和挑戰值的順序不正確"}},
    {"appraisal.no_indicators",
     {"a scheme needs at least one indicator", "考核方案至少需要一个指标",
      "考核方案至少需要一個指標"}},
    {"appraisal.kind_twice",
     {"a computed indicator appears once in a scheme", "同一计算指标在方案中只能出现一次",
      "同一計算指標在方案中只能出現一次"}},
    {"appraisal.weights_sum",
     {"the weights must add up to 100 % (they add up to {sum} bp)",
      "指标权重之和须为 100%（当前为 {sum} 个基点）",
      "指標權重之和須為 100%（目前為 {sum} 個基點）"}},
    {"appraisal.bad_period",
     {"period: 2026Q3 for a quarterly scheme, 2026 for a yearly one",
      "考核期间格式：季度方案如 2026Q3，年度方案如 2026",
      "考核期間格式：季度方案如 2026Q3，年度方案如 2026"}},
    {"appraisal.not_manual",
     {"no manual indicator of this scorecard", "该考核表没有此手工评分指标",
      "該考核表沒有此手工評分指標"}},
    {"scheme.in_use",
     {"the scheme has scorecards: set it inactive instead",
      "该考核方案已有考核表，不能删除；请改为停用", "該考核方案已有考核表，無法刪除；請改為停用"}},
    {"scheme.inactive", {"the scheme is inactive", "该考核方案已停用", "該考核方案已停用"}},
    {"scorecard.own",
     {"a manager's step is not taken on one's own scorecard", "不能对自己的考核表执行主管操作",
      "不能對自己的考核表執行主管操作"}},
    {"scorecard.not_yours",
     {"only the person acknowledges their scorecard", "只有被考核人本人可以确认考核表",
      "只有被考核人本人可以確認考核表"}},
    {"scorecard.not_in_review",
     {"a scorecard is acknowledged while in review (it is {status})",
      "考核表须处于待确认状态才能确认（当前：{status}）",
      "考核表須處於待確認狀態才能確認（目前：{status}）"}},
    {"scorecard.not_draft",
     {"only a draft scorecard changes this way (it is {status})",
      "只有草稿状态的考核表可以这样修改（当前：{status}）",
      "只有草稿狀態的考核表可以這樣修改（目前：{status}）"}},
    {"scorecard.final",
     {"a final scorecard does not change", "已定稿的考核表不能修改", "已定稿的考核表無法修改"}},
    {"scorecard.not_calibratable",
     {"a scorecard is calibrated after it was submitted and before it is final (it is {status})",
      "考核表须已提交且未定稿才能校准（当前：{status}）",
      "考核表須已提交且未定稿才能校準（目前：{status}）"}},
    {"scorecard.not_finalisable",
     {"a scorecard is made final after it was submitted, once (it is {status})",
      "考核表须已提交才能定稿，且只能定稿一次（当前：{status}）",
      "考核表須已提交才能定稿，且只能定稿一次（目前：{status}）"}},
    {"notify.scorecard_review",
     {"Your scorecard {period} ({scheme}) is ready for review",
      "您的考核表 {period}（{scheme}）待确认", "您的考核表 {period}（{scheme}）待確認"}},
    {"enum.scorecard_status.draft", {"Draft", "草稿", "草稿"}},
    {"enum.scorecard_status.review", {"In review", "待确认", "待確認"}},
    {"enum.scorecard_status.acknowledged", {"Acknowledged", "已确认", "已確認"}},
    {"enum.scorecard_status.calibrated", {"Calibrated", "已校准", "已校準"}},
    {"enum.scorecard_status.final", {"Final", "已定稿", "已定稿"}},
    /* issue 18: the words of the team chapter's exported states */
    {"enum.enrolment_status.enrolled", {"Enrolled", "已报名", "已報名"}},
    {"enum.enrolment_status.attended", {"Attended", "已出席", "已出席"}},
    {"enum.enrolment_status.absent", {"Absent", "缺席", "缺席"}},
    {"enum.enrolment_status.completed", {"Completed", "已结业", "已結業"}},
    {"enum.enrolment_status.cancelled", {"Cancelled", "已取消", "已取消"}},
    {"enum.course_format.classroom", {"Classroom", "课堂", "課堂"}},
    {"enum.course_format.online", {"Online", "线上", "線上"}},
    {"enum.course_format.workshop", {"Workshop", "工作坊", "工作坊"}},
    {"enum.course_format.coaching", {"Coaching", "辅导", "輔導"}},
    {"enum.payout_status.draft", {"Draft", "草稿", "草稿"}},
    {"enum.payout_status.submitted", {"Submitted", "已提交", "已提交"}},
    {"enum.payout_status.approved", {"Approved", "已批准", "已核准"}},
    {"enum.payout_status.rejected", {"Rejected", "已驳回", "已駁回"}},
    {"enum.payout_status.paid", {"Paid", "已发放", "已發放"}},
    /* CHURN slice (issue 16): the churn model (svc/risk/churn_job.c) */
    {"churn.too_little_history",
     {"too little history to train the churn model: {rows} rows with {positives} falls (at "
      "least 200 rows and 20 falls are needed)",
      "历史数据不足，无法训练流失模型：{rows} 条样本，其中下滑 {positives} 条（至少需要 200 "
      "条样本和 20 条下滑）",
      "歷史資料不足，無法訓練流失模型：{rows} 筆樣本，其中下滑 {positives} 筆（至少需要 200 "
      "筆樣本和 20 筆下滑）"}},
    /* CREDIT slice (issue 16): credit and receivables (svc/risk/receivable.c, credit.c) */
    {"receivable.bad_amount",
     {"the amount must be between 0 and 10^15 minor units",
      "金额须在 0 到 10^15（最小货币单位）之间", "金額須在 0 到 10^15（最小貨幣單位）之間"}},
    {"receivable.due_before_date",
     {"the due date may not be before the invoice's date", "到期日不能早于开票日期",
      "到期日不能早於開票日期"}},
    {"receivable.other_account",
     {"invoice {no} belongs to another account", "发票 {no} 属于另一个客户",
      "發票 {no} 屬於另一個客戶"}},
    {"receivable.currency_paid",
     {"the currency of an invoice with payments applied cannot change",
      "已核销回款的发票不能更改币种", "已核銷回款的發票不能更改幣別"}},
    {"receivable.below_paid",
     {"the amount may not be below what was paid on it", "发票金额不能低于已回款金额",
      "發票金額不能低於已回款金額"}},
    {"receivable.no_invoice", {"no invoice {no}", "没有发票 {no}", "沒有發票 {no}"}},
    {"receivable.foreign_invoice",
     {"invoice {no} belongs to another account", "发票 {no} 属于另一个客户",
      "發票 {no} 屬於另一個客戶"}},
    {"receivable.payment_changed",
     {"payment {no} was loaded with other figures; a payment is not changed",
      "回款 {no} 已按其他数据导入，回款记录不能修改",
      "回款 {no} 已按其他資料匯入，回款記錄不能修改"}},
    {"credit.held",
     {"the offer would go over the account's credit limit: it waits for finance's release",
      "该报价将使客户超出信用额度，须等待财务放行", "該報價將使客戶超出信用額度，須等待財務放行"}},
    {"credit.refused",
     {"finance refused the credit for this offer", "财务已拒绝该报价的信用",
      "財務已拒絕該報價的信用"}},
    {"credit.not_open",
     {"the credit hold is already {status}", "该信用冻结已处理（{status}）",
      "該信用凍結已處理（{status}）"}},
    {"credit.over_limit_notice",
     {"{account} would go over its credit limit", "{account} 将超出信用额度",
      "{account} 將超出信用額度"}},
    /* RESULTS slice (issue 14): satisfaction filters (svc/needs/satisfaction.c) */
    {"sat.bad_range",
     {"to must not be before from", "结束日期不能早于开始日期", "結束日期不能早於開始日期"}},
    {"sat.whole_months",
     {"{field}: whole months only (from the 1st of a month, to the last day of a month)",
      "{field} 须为整月（开始为月初第一天，结束为月末最后一天）",
      "{field} 須為整月（開始為月初第一天，結束為月底最後一天）"}},
    {"sat.small_complement",
     {"{field} leaves out only 1 or 2 responses: widen or drop this filter",
      "{field} 筛选只排除了 1 到 2 份答卷，可能暴露个人答案：请放宽或取消该筛选",
      "{field} 篩選只排除了 1 到 2 份答卷，可能暴露個人答案：請放寬或取消該篩選"}},
    /* INCENTIVES (issue 18 item 4): payout statements (svc/team/payout.c) */
    {"commission_plan.in_use",
     {"the plan has statements or bonus pools; make it inactive instead",
      "该提成方案已有结算单或奖金池，不能删除；请改为停用",
      "該提成方案已有結算單或獎金池，無法刪除；請改為停用"}},
    {"payout.frozen",
     {"the statement is {status}: it is no longer recomputed", "该结算单已{status}，不再重新计算",
      "該結算單已{status}，不再重新計算"}},
    {"payout.bad_transition",
     {"the statement is {status}: it cannot be moved this way ({action})",
      "结算单状态为 {status}，不能执行该操作（{action}）",
      "結算單狀態為 {status}，不能執行該操作（{action}）"}},
};
#define NCAT (sizeof catalogue / sizeof catalogue[0])

static const struct entry *find(const char *key)
{
    if (!key || !*key)
        return NULL;
    for (size_t i = 0; i < NCAT; i++)
        if (strcmp(catalogue[i].key, key) == 0)
            return &catalogue[i];
    return NULL;
}

int msg_known(const char *key)
{
    return find(key) != NULL;
}

const char *msg_lang_tag(enum msg_lang lang)
{
    switch (lang) {
    case MSG_ZH_CN:
        return "zh-CN";
    case MSG_ZH_TW:
        return "zh-TW";
    case MSG_EN:
    case MSG_LANG_COUNT:
        break;
    }
    return "en";
}

/* The language of one tag (n bytes), or -1 when unsupported. */
static int tag_lang(const char *t, size_t n)
{
    if (n == 1 && t[0] == '*')
        return MSG_EN;
    if (n >= 2 && strncasecmp(t, "en", 2) == 0 && (n == 2 || t[2] == '-' || t[2] == '_'))
        return MSG_EN;
    if (n < 2 || strncasecmp(t, "zh", 2) != 0 || (n > 2 && t[2] != '-' && t[2] != '_'))
        return -1;
    if (n == 2)
        return MSG_ZH_CN;
    /* the subtags after zh: script (Hant/Hans) decides, else the region */
    const char *s = t + 3;
    size_t left = n - 3;
    while (left > 0) {
        size_t k = 0;
        while (k < left && s[k] != '-' && s[k] != '_')
            k++;
        if (k == 4 && strncasecmp(s, "hant", 4) == 0)
            return MSG_ZH_TW;
        if (k == 4 && strncasecmp(s, "hans", 4) == 0)
            return MSG_ZH_CN;
        if (k == 2 && (strncasecmp(s, "tw", 2) == 0 || strncasecmp(s, "hk", 2) == 0 ||
                       strncasecmp(s, "mo", 2) == 0))
            return MSG_ZH_TW;
        if (k == 2 && (strncasecmp(s, "cn", 2) == 0 || strncasecmp(s, "sg", 2) == 0))
            return MSG_ZH_CN;
        s += k;
        left -= k;
        if (left > 0) {
            s++;
            left--;
        }
    }
    return MSG_ZH_CN;
}

/* q of a parameter list ";q=0.8" (n bytes); 1000 = 1.0; -1 when malformed. */
static int parse_q(const char *p, size_t n)
{
    int q = 1000;
    while (n > 0) {
        while (n > 0 && (*p == ';' || *p == ' ' || *p == '\t')) {
            p++;
            n--;
        }
        if (n >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
            p += 2;
            n -= 2;
            if (n == 0 || (*p != '0' && *p != '1'))
                return -1;
            q = (*p - '0') * 1000;
            p++;
            n--;
            if (n > 0 && *p == '.') {
                p++;
                n--;
                int scale = 100, digits = 0;
                while (n > 0 && *p >= '0' && *p <= '9' && digits < 3) {
                    q += (*p - '0') * scale;
                    scale /= 10;
                    digits++;
                    p++;
                    n--;
                }
            }
            if (q > 1000)
                return -1;
        }
        while (n > 0 && *p != ';') {
            p++;
            n--;
        }
    }
    return q;
}

enum msg_lang msg_lang_parse(const char *h)
{
    if (!h)
        return MSG_EN;
    int best = MSG_EN, best_q = 0;
    const char *p = h;
    for (int items = 0; *p && items < 32; items++) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (!*p)
            break;
        const char *item = p;
        while (*p && *p != ',')
            p++;
        size_t n = (size_t)(p - item), tn = 0;
        while (tn < n && item[tn] != ';' && item[tn] != ' ' && item[tn] != '\t')
            tn++;
        int lang = tag_lang(item, tn);
        int q = parse_q(item + tn, n - tn);
        if (lang >= 0 && q > best_q) {
            best = lang;
            best_q = q;
        }
    }
    return (enum msg_lang)best;
}

/* The value of parameter name[0..kn), NULL when not given. */
static const char *param(const struct kam_param *params, size_t np, const char *name, size_t kn)
{
    for (size_t i = 0; i < np; i++)
        if (params[i].name && strlen(params[i].name) == kn &&
            strncmp(params[i].name, name, kn) == 0)
            return params[i].value ? params[i].value : "";
    return NULL;
}

const char *msg_occasion_name(enum msg_lang lang, const char *key, const char *stored)
{
    const char *zh, *zh_tw, *en;
    if (key && strcmp(key, "birthday") == 0) {
        zh = zh_tw = "生日";
        en = "Birthday";
    } else if (!key || !lunar_festival_names(key, &zh, &zh_tw, &en)) {
        return stored ? stored : "";
    }
    return lang == MSG_ZH_CN ? zh : lang == MSG_ZH_TW ? zh_tw : en;
}

enum msg_lang msg_lang_stored(const char *tag)
{
    if (tag && strcmp(tag, "en") == 0)
        return MSG_EN;
    if (tag && strcmp(tag, "zh-TW") == 0)
        return MSG_ZH_TW;
    return MSG_ZH_CN;
}

int msg_render(enum msg_lang lang, const char *key, const struct kam_param *params, size_t np,
               char *out, size_t cap)
{
    if (cap == 0)
        return -1;
    out[0] = 0;
    const struct entry *e = find(key);
    if (!e)
        return -1;
    if ((unsigned)lang >= MSG_LANG_COUNT)
        lang = MSG_EN;
    const char *t = e->text[lang] ? e->text[lang] : e->text[MSG_EN];
    size_t o = 0;
    char sig[128]; /* {signal_name}, while it is copied */
    for (const char *p = t; *p;) {
        const char *close = *p == '{' ? strchr(p, '}') : NULL;
        const char *v = NULL;
        size_t vn = 0;
        if (close) {
            size_t kn = (size_t)(close - p - 1);
            v = param(params, np, p + 1, kn);
            if (!v && kn == 13 && strncmp(p + 1, "occasion_name", 13) == 0)
                v = msg_occasion_name(lang, param(params, np, "occasion", 8),
                                      param(params, np, "name", 4));
            if (!v && kn == 11 && strncmp(p + 1, "signal_name", 11) == 0) {
                /* an early-warning signal's name in lang, from {signal} (its key) */
                const char *k = param(params, np, "signal", 6);
                char sk[96];
                snprintf(sk, sizeof sk, "enum.signal.%s", k ? k : "");
                v = k && msg_render(lang, sk, NULL, 0, sig, sizeof sig) > 0 ? sig : k;
            }
            if (!v)
                v = "";
            vn = strlen(v);
            p = close + 1;
        } else {
            /* one whole character of the template */
            v = p;
            vn = 1;
            while (p[vn] && ((unsigned char)p[vn] & 0xc0) == 0x80)
                vn++;
            p += vn;
        }
        if (o + vn >= cap) {
            /* what fits, never cutting a UTF-8 sequence */
            vn = cap - 1 - o;
            while (vn > 0 && ((unsigned char)v[vn] & 0xc0) == 0x80)
                vn--;
            memcpy(out + o, v, vn);
            o += vn;
            break;
        }
        memcpy(out + o, v, vn);
        o += vn;
    }
    out[o] = 0;
    return (int)o;
}

size_t msg_params_pack(const struct kam_param *params, size_t np, char *out, size_t cap)
{
    size_t o = 0;
    if (cap == 0)
        return 0;
    out[0] = 0;
    for (size_t i = 0; i < np && params[i].name; i++) {
        const char *v = params[i].value ? params[i].value : "";
        int w = snprintf(out + o, cap - o, "%s%s\x1f%s", i ? "\x1e" : "", params[i].name, v);
        if (w < 0 || (size_t)w >= cap - o) {
            out[o] = 0; /* drop a parameter that does not fit whole */
            break;
        }
        o += (size_t)w;
    }
    return o;
}

size_t msg_params_unpack(char *s, struct kam_param *params, size_t max)
{
    size_t n = 0;
    while (s && *s && n < max) {
        char *end = strchr(s, '\x1e');
        if (end)
            *end = 0;
        char *us = strchr(s, '\x1f');
        if (us) {
            *us = 0;
            params[n].name = s;
            params[n].value = us + 1;
            n++;
        }
        s = end ? end + 1 : NULL;
    }
    return n;
}

/* ---- simplified -> traditional (OpenCC) ---- */

static pthread_once_t hant_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t hant_mu = PTHREAD_MUTEX_INITIALIZER;
static opencc_t hant_cc = (opencc_t)-1;

/* By absolute path only: a relative name would be read from the working directory first. */
static void hant_open(void)
{
    static const char *const paths[] = {"/usr/share/opencc/s2twp.json",
                                        "/usr/local/share/opencc/s2twp.json"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0] && hant_cc == (opencc_t)-1; i++)
        hant_cc = opencc_open(paths[i]);
    if (hant_cc == (opencc_t)-1)
        log_warn("msg: OpenCC s2twp.json not found in /usr/share/opencc or "
                 "/usr/local/share/opencc; zh-TW texts stay in Simplified characters");
}

static const char *copy_clipped(const char *s, char *out, size_t cap)
{
    size_t n = strlen(s);
    if (n >= cap) {
        n = cap - 1;
        while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
            n--;
    }
    memcpy(out, s, n);
    out[n] = 0;
    return out;
}

const char *msg_to_hant(const char *s, char *out, size_t cap)
{
    if (cap == 0)
        return "";
    if (!s)
        s = "";
    /* plain ASCII needs no conversion */
    const unsigned char *u = (const unsigned char *)s;
    while (*u && *u < 0x80)
        u++;
    if (!*u)
        return copy_clipped(s, out, cap);
    pthread_once(&hant_once, hant_open);
    if (hant_cc == (opencc_t)-1)
        return copy_clipped(s, out, cap);
    pthread_mutex_lock(&hant_mu);
    char *conv = opencc_convert_utf8(hant_cc, s, strlen(s));
    pthread_mutex_unlock(&hant_mu);
    if (!conv)
        return copy_clipped(s, out, cap);
    copy_clipped(conv, out, cap);
    opencc_convert_utf8_free(conv);
    return out;
}
