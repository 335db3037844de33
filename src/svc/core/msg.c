/* msg.c -- the message catalogue and Accept-Language parsing. */
#include "msg.h"

#include <opencc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
     {"Care: {name} {date}", "客户关怀：{name} {date}", "客戶關懷：{name} {date}"}},
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
    {"import.empty", {"is empty", "为空", "為空"}},
    {"import.too_long",
     {"is longer than {max} characters", "超过 {max} 个字符", "超過 {max} 個字元"}},
    {"import.repeats",
     {"{value} repeats row {n}", "{value} 与第 {n} 行重复", "{value} 與第 {n} 列重複"}},
    {"import.bad_date",
     {"\"{value}\" is not a date (YYYY-MM-DD)", "“{value}”不是日期（YYYY-MM-DD）",
      "「{value}」不是日期（YYYY-MM-DD）"}},
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
    for (const char *p = t; *p;) {
        const char *close = *p == '{' ? strchr(p, '}') : NULL;
        const char *v = NULL;
        size_t vn = 0;
        if (close) {
            size_t kn = (size_t)(close - p - 1);
            v = "";
            for (size_t i = 0; i < np; i++)
                if (params[i].name && strlen(params[i].name) == kn &&
                    strncmp(params[i].name, p + 1, kn) == 0) {
                    v = params[i].value ? params[i].value : "";
                    break;
                }
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

static void hant_open(void)
{
    hant_cc = opencc_open("s2twp.json");
    if (hant_cc == (opencc_t)-1)
        hant_cc = opencc_open("/usr/share/opencc/s2twp.json");
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
