/* follow_up.c -- department follow-ups: from low scores and negative comments of survey
 * responses, hand-offs by hand, their workflow, lists, stats. */
#include "follow_up.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "base/utf8.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/audit.h"
#include "svc/core/check.h"
#include "svc/core/notify.h"
#include "svc/core/page.h"
#include "svc/core/policy.h"
#include "svc/core/rows.h"
#include "svc/core/settings.h"
#include "svc/core/tone.h"
#include "svc/core/update.h"

const char *const follow_up_statuses[] = {"open",     "in_progress", "resolved", "confirmed",
                                          "reopened", "dropped",     NULL};
const char *const follow_up_sources[] = {"survey", "comment", "handoff", NULL};
const char *const follow_up_depts[] = {"sales",      "marketing", "technical",
                                       "production", "service",   NULL};

#define CHINA_OFFSET (8 * 3600) /* due dates and "today" are China's days */

/* A negative comment goes to the relationship's department (the account manager reads it and
 * hands it on when another department must act). */
#define COMMENT_DEPT "sales"

#define COLS                                                                                       \
    "follow_ups.id, follow_ups.account_id, follow_ups.dept_role, follow_ups.source, "              \
    "follow_ups.response_id, follow_ups.question_id, follow_ups.from_dept, follow_ups.title, "     \
    "follow_ups.detail, follow_ups.owner_id, follow_ups.due_on, follow_ups.status, "               \
    "follow_ups.action, follow_ups.resolved_at, follow_ups.confirmed_at, "                         \
    "follow_ups.confirmation, "                                                                    \
    "follow_ups.created_by, follow_ups.version, follow_ups.created_at, follow_ups.updated_at, "    \
    "follow_ups.reason, accounts.name, COALESCE(fu_owner.name, ''), "                              \
    "COALESCE(CASE WHEN fu_q.text_zh_cn <> '' THEN fu_q.text_zh_cn WHEN fu_q.text_zh_tw <> '' "    \
    "THEN fu_q.text_zh_tw ELSE fu_q.text_en END, ''), fu_c.name"

#define FROM                                                                                       \
    " FROM follow_ups JOIN accounts ON accounts.id = follow_ups.account_id LEFT JOIN users "       \
    "fu_owner ON fu_owner.id = follow_ups.owner_id LEFT JOIN survey_questions fu_q ON fu_q.id = "  \
    "follow_ups.question_id LEFT JOIN survey_responses fu_r ON fu_r.id = follow_ups.response_id "  \
    "LEFT JOIN contacts fu_c ON fu_c.id = fu_r.contact_id"

/* A follow-up from a response names the respondent by this word in its title or detail, as
 * stored and as returned: never by their name, which readers of responses get beside it
 * (respondent_name, from the contact as it is now), so a contact deleted or renamed leaves no
 * copy of their name in follow-ups (lists, exports, audit and search included). */
#define RESPONDENT "受访者"
#define COMMENT_HEAD "负面评论："

#define OPEN_STATES "('open', 'in_progress', 'reopened')"

/* ---- pure rules ---- */

int follow_up_transition_allowed(const char *from, const char *to)
{
    static const char *const moves[][2] = {
        {"open", "in_progress"},     {"open", "resolved"},        {"open", "dropped"},
        {"in_progress", "resolved"}, {"in_progress", "dropped"},  {"resolved", "confirmed"},
        {"resolved", "reopened"},    {"reopened", "in_progress"}, {"reopened", "resolved"},
        {"reopened", "dropped"},     {"dropped", "reopened"},
    };
    if (!from || !to)
        return 0;
    for (size_t i = 0; i < sizeof moves / sizeof moves[0]; i++)
        if (!strcmp(moves[i][0], from) && !strcmp(moves[i][1], to))
            return 1;
    return 0;
}

const char *follow_up_dept_for(const char *kind, const char *driver_dept)
{
    if (!kind)
        return NULL;
    if (!strcmp(kind, "nps") || !strcmp(kind, "csat"))
        return "sales";
    if (!strcmp(kind, "rating"))
        return driver_dept && check_in(driver_dept, follow_up_depts) ? driver_dept : "sales";
    return NULL;
}

int follow_up_is_low(const char *kind, int64_t value, int64_t nps_max, int64_t csat_max,
                     int64_t rating_max)
{
    if (!kind)
        return 0;
    if (!strcmp(kind, "nps"))
        return value >= 0 && value <= 10 && value <= nps_max;
    if (!strcmp(kind, "csat"))
        return value >= 1 && value <= 5 && value <= csat_max;
    if (!strcmp(kind, "rating"))
        return value >= 1 && value <= 5 && value <= rating_max;
    return 0;
}

void follow_up_day(int64_t t, int64_t n, char out[11])
{
    int64_t days = (t + CHINA_OFFSET) / 86400;
    if ((t + CHINA_OFFSET) % 86400 < 0)
        days--;
    int y, m, d;
    days_to_date(days + n, &y, &m, &d);
    snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

double follow_up_median(double *v, size_t n)
{
    if (!n)
        return 0;
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ---- settings ---- */

static const struct {
    const char *key;
    int64_t def, min, max;
} setting_defs[5] = {
    {FOLLOW_UP_NPS_MAX_KEY, 6, 0, 9},       {FOLLOW_UP_CSAT_MAX_KEY, 2, 1, 4},
    {FOLLOW_UP_RATING_MAX_KEY, 2, 1, 4},    {FOLLOW_UP_DUE_DAYS_KEY, 7, 1, 365},
    {FOLLOW_UP_URGENT_DAYS_KEY, 3, 1, 365},
};

enum kam_err follow_up_settings(struct kam_ctx *ctx, int64_t out[5])
{
    enum kam_err rc = KAM_OK;
    for (int i = 0; i < 5 && !rc; i++) {
        rc = settings_get_i64(ctx, setting_defs[i].key, setting_defs[i].def, &out[i]);
        if (out[i] < setting_defs[i].min || out[i] > setting_defs[i].max)
            out[i] = setting_defs[i].def;
    }
    return rc;
}

enum kam_err follow_up_set_settings(struct kam_ctx *ctx, const int64_t v[5], unsigned mask)
{
    static const char *const fields[5] = {"nps_max", "csat_max", "rating_max", "due_days",
                                          "urgent_days"};
    enum kam_err rc;
    for (int i = 0; i < 5; i++)
        if ((mask & (1u << i)) &&
            (rc = check_range(ctx, fields[i], v[i], setting_defs[i].min, setting_defs[i].max)))
            return rc;
    int64_t before[5];
    if ((rc = follow_up_settings(ctx, before)))
        return rc;
    /* The urgent due date (NPS <= 3, CSAT 1) comes no later than the ordinary one. */
    int64_t due = mask & (1u << 3) ? v[3] : before[3], urgent = mask & (1u << 4) ? v[4] : before[4];
    if (urgent > due)
        return kam_fail(ctx->err, KAM_EINVAL, "urgent_days",
                        "urgent_days must not exceed due_days (%lld)", (long long)due);
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct audit_diff d;
    audit_diff_init(&d);
    for (int i = 0; i < 5 && !rc; i++) {
        if (!(mask & (1u << i)))
            continue;
        char val[24];
        snprintf(val, sizeof val, "%lld", (long long)v[i]);
        struct db_stmt *st;
        if ((rc = db_prepare(ctx->db,
                             "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) "
                             "DO UPDATE SET value = excluded.value",
                             &st, ctx->err)))
            break;
        db_bind_text(st, 1, setting_defs[i].key);
        db_bind_text(st, 2, val);
        rc = db_run(st, ctx->err);
        audit_diff_i64(&d, setting_defs[i].key, before[i], 0, v[i], 0);
    }
    if (!rc)
        rc = audit_write(ctx, "settings", 1, 0, "update", &d);
    else
        audit_diff_release(&d);
    return db_end(ctx->db, rc, ctx->err);
}

/* ---- reading ---- */

static int64_t opt(struct db_stmt *st, int col, int *has)
{
    *has = !db_col_is_null(st, col);
    return *has ? db_col_i64(st, col) : 0;
}

static const char *opt_text(struct kam_ctx *ctx, struct db_stmt *st, int col)
{
    return db_col_is_null(st, col) ? NULL : arena_strdup(ctx->a, db_col_text(st, col));
}

/* A negative comment's text is what one person said: only readers of responses see it. */
static int may_read_responses(const struct kam_ctx *ctx)
{
    return ctx->who.user_id == 0 ||
           policy_grant(ctx->who.role, OBJ_SURVEY_RESPONSE, ACT_READ) != GRANT_NONE;
}

static const char *cut(struct kam_ctx *ctx, const char *s, size_t max);

/* 1 for a follow-up made from a survey response (its title and detail name the respondent and
 * their score or comment). */
static int from_response(const struct follow_up *x)
{
    return strcmp(x->source, "handoff") != 0;
}

/* The title of a follow-up from a response without the respondent or score. */
static const char *plain_title(struct kam_ctx *ctx, const char *source, const char *qtext)
{
    const char *head = !strcmp(source, "comment") ? "负面评论" : "低分";
    return *qtext ? arena_printf(ctx->a, "%s：%s", head, cut(ctx, qtext, 120)) : head;
}

/* A row as stored (no redaction: erasure and the writers). */
static void read_row_raw(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct follow_up *x = row;
    memset(x, 0, sizeof *x);
    x->id = db_col_i64(st, 0);
    x->account_id = db_col_i64(st, 1);
    x->dept_role = arena_strdup(ctx->a, db_col_text(st, 2));
    x->source = arena_strdup(ctx->a, db_col_text(st, 3));
    x->response_id = opt(st, 4, &x->has_response);
    x->question_id = opt(st, 5, &x->has_question);
    x->from_dept = opt_text(ctx, st, 6);
    x->title = arena_strdup(ctx->a, db_col_text(st, 7));
    x->detail = arena_strdup(ctx->a, db_col_text(st, 8));
    x->owner_id = opt(st, 9, &x->has_owner);
    x->due_on = opt_text(ctx, st, 10);
    x->status = arena_strdup(ctx->a, db_col_text(st, 11));
    x->action = arena_strdup(ctx->a, db_col_text(st, 12));
    x->resolved_at = opt(st, 13, &x->has_resolved);
    x->confirmed_at = opt(st, 14, &x->has_confirmed);
    x->confirmation = arena_strdup(ctx->a, db_col_text(st, 15));
    x->created_by = opt(st, 16, &x->has_created_by);
    x->version = db_col_i64(st, 17);
    x->created_at = db_col_i64(st, 18);
    x->updated_at = db_col_i64(st, 19);
    x->reason = arena_strdup(ctx->a, db_col_text(st, 20));
    x->account_name = arena_strdup(ctx->a, db_col_text(st, 21));
    x->owner_name = arena_strdup(ctx->a, db_col_text(st, 22));
    if (from_response(x))
        x->plain_title = plain_title(ctx, x->source, db_col_text(st, 23));
    x->respondent = from_response(x) && !db_col_is_null(st, 24)
                        ? arena_strdup(ctx->a, db_col_text(st, 24))
                        : NULL;
    char today[11];
    follow_up_day(ctx->now, 0, today);
    x->overdue = x->due_on && strcmp(x->due_on, today) < 0 &&
                 (!strcmp(x->status, "open") || !strcmp(x->status, "in_progress") ||
                  !strcmp(x->status, "reopened"));
}

/* A row as the caller may see it: a follow-up from a response is about one person and their
 * score or comment, for readers of responses only (others see the plain title, no detail and
 * no respondent). The name is never in the title or detail: respondent (NULL: a hand-off, a
 * reader who may not read responses, a contact gone). */
static void read_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    read_row_raw(ctx, st, row);
    struct follow_up *x = row;
    if (from_response(x) && !may_read_responses(ctx)) {
        x->title = x->plain_title;
        x->detail = "";
        x->detail_withheld = 1;
        x->respondent = NULL;
    }
}

enum kam_err follow_up_get(struct kam_ctx *ctx, int64_t id, struct follow_up *out)
{
    return row_get(ctx, "SELECT " COLS FROM " WHERE follow_ups.id = ?", id, read_row, out,
                   "follow-up");
}

static enum kam_err get_raw(struct kam_ctx *ctx, int64_t id, struct follow_up *out)
{
    return row_get(ctx, "SELECT " COLS FROM " WHERE follow_ups.id = ?", id, read_row_raw, out,
                   "follow-up");
}

#define NOT_LOGGED "（不记入历史 / not logged）"
#define CHANGED_NOT_LOGGED "（已修改，不记入历史 / changed, not logged）"

/* The audit row of a follow-up. One from a response keeps the respondent, their score and
 * comment out of it (readers of the history may not read responses; an erased response leaves
 * no copy in the hash-chained log): its plain title, and only that title or detail changed. */
static void diff_all(struct audit_diff *d, const struct follow_up *b, const struct follow_up *a)
{
    const struct follow_up *s = a ? a : b;
    int hide = s && from_response(s);
    audit_diff_str(d, "dept_role", b ? b->dept_role : NULL, a ? a->dept_role : NULL);
    audit_diff_str(d, "source", b ? b->source : NULL, a ? a->source : NULL);
    audit_diff_str(d, "from_dept", b ? b->from_dept : NULL, a ? a->from_dept : NULL);
    if (!hide) {
        audit_diff_str(d, "title", b ? b->title : NULL, a ? a->title : NULL);
        audit_diff_str(d, "detail", b ? b->detail : NULL, a ? a->detail : NULL);
    } else {
        audit_diff_str(d, "title", b ? b->plain_title : NULL, a ? a->plain_title : NULL);
        if (a && b && strcmp(a->title, b->title) != 0)
            audit_diff_str(d, "title", NOT_LOGGED, CHANGED_NOT_LOGGED);
        if (a && b && strcmp(a->detail, b->detail) != 0)
            audit_diff_str(d, "detail", NOT_LOGGED, CHANGED_NOT_LOGGED);
    }
    audit_diff_str(d, "due_on", b ? b->due_on : NULL, a ? a->due_on : NULL);
    audit_diff_str(d, "status", b ? b->status : NULL, a ? a->status : NULL);
    audit_diff_str(d, "action", b ? b->action : NULL, a ? a->action : NULL);
    audit_diff_str(d, "confirmation", b ? b->confirmation : NULL, a ? a->confirmation : NULL);
    audit_diff_str(d, "reason", b ? b->reason : NULL, a ? a->reason : NULL);
    audit_diff_i64(d, "owner_id", b ? b->owner_id : 0, !b || !b->has_owner, a ? a->owner_id : 0,
                   !a || !a->has_owner);
    audit_diff_i64(d, "response_id", b ? b->response_id : 0, !b || !b->has_response,
                   a ? a->response_id : 0, !a || !a->has_response);
    audit_diff_i64(d, "question_id", b ? b->question_id : 0, !b || !b->has_question,
                   a ? a->question_id : 0, !a || !a->has_question);
    audit_diff_time(d, "resolved_at", b ? b->resolved_at : 0, !b || !b->has_resolved,
                    a ? a->resolved_at : 0, !a || !a->has_resolved);
    audit_diff_time(d, "confirmed_at", b ? b->confirmed_at : 0, !b || !b->has_confirmed,
                    a ? a->confirmed_at : 0, !a || !a->has_confirmed);
}

/* ---- owners, notifications ---- */

/* The department's member on the account team who was added first and may work on its
 * follow-ups; else the account owner when they may; else the nearest manager up the account
 * owner's team tree who may (a follow-up nobody owns would reach nobody: the lead hands it on);
 * else nobody (0). */
static enum kam_err default_owner(struct kam_ctx *ctx, int64_t account_id, const char *dept,
                                  int64_t *owner_out)
{
    *owner_out = 0;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT user_id FROM account_members WHERE account_id = ? AND "
                                 "dept_role = ? ORDER BY created_at, user_id LIMIT 20",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, account_id);
    db_bind_text(st, 2, dept);
    int64_t cand[42];
    size_t n = 0;
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row && n < 20)
        cand[n++] = db_col_i64(st, 0);
    db_done(st);
    if (rc)
        return rc;
    int64_t owner = 0;
    if ((rc = db_query_i64(ctx->db, "SELECT COALESCE(owner_id, 0) FROM accounts WHERE id = ?", 1,
                           account_id, &owner, ctx->err)))
        return rc;
    if (owner)
        cand[n++] = owner;
    if (owner &&
        (rc = db_prepare(ctx->db,
                         "WITH RECURSIVE up(id, depth) AS (SELECT team_id, 0 FROM users WHERE id = "
                         "? AND team_id IS NOT NULL UNION ALL SELECT teams.parent_id, up.depth + 1 "
                         "FROM teams JOIN up ON teams.id = up.id WHERE teams.parent_id IS NOT NULL "
                         "AND up.depth < 20) SELECT teams.manager_id FROM up JOIN teams ON "
                         "teams.id = up.id WHERE teams.manager_id IS NOT NULL ORDER BY up.depth",
                         &st, ctx->err)))
        return rc;
    if (owner) {
        db_bind_i64(st, 1, owner);
        while (!(rc = db_step(st, &row, ctx->err)) && row && n < sizeof cand / sizeof cand[0])
            cand[n++] = db_col_i64(st, 0);
        db_done(st);
        if (rc)
            return rc;
    }
    for (size_t i = 0; i < n; i++) {
        int yes = 0;
        if ((rc = policy_user_may(ctx, cand[i], OBJ_FOLLOW_UP, ACT_UPDATE, account_id, &yes)))
            return rc;
        if (yes) {
            *owner_out = cand[i];
            return KAM_OK;
        }
    }
    return KAM_OK;
}

/* The owner is told (a follow-up from a response by its plain title: the owner may work on
 * it without reading responses). */
static enum kam_err notify_owner(struct kam_ctx *ctx, const struct follow_up *x)
{
    if (!x->has_owner || x->owner_id == ctx->who.user_id)
        return KAM_OK;
    const char *title = x->plain_title ? x->plain_title : x->title;
    return notify_add_msg(
        ctx, x->owner_id, "follow_up", "notify.follow_up_new",
        (struct kam_param[]){{"title", title}, {"account", x->account_name}, {0}}, "",
        arena_printf(ctx->a, "/follow-ups/%lld", (long long)x->id),
        arena_printf(ctx->a, "follow_up:%lld:%lld", (long long)x->id, (long long)x->owner_id),
        NULL);
}

/* ---- create ---- */

static enum kam_err insert(struct kam_ctx *ctx, struct follow_up *x)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        "INSERT INTO follow_ups (account_id, dept_role, source, response_id, question_id, "
        "from_dept, title, detail, owner_id, due_on, status, action, confirmation, reason, "
        "created_by, version, created_at, updated_at) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,'open','','','',?,1,?,?) RETURNING id",
        &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, x->account_id);
    db_bind_text(st, 2, x->dept_role);
    db_bind_text(st, 3, x->source);
    db_bind_i64n(st, 4, x->response_id, !x->has_response);
    db_bind_i64n(st, 5, x->question_id, !x->has_question);
    db_bind_text(st, 6, x->from_dept);
    db_bind_text(st, 7, x->title);
    db_bind_text(st, 8, x->detail);
    db_bind_i64n(st, 9, x->owner_id, !x->has_owner);
    db_bind_text(st, 10, x->due_on);
    db_bind_i64n(st, 11, ctx->who.user_id, ctx->who.user_id == 0);
    db_bind_i64(st, 12, ctx->now);
    db_bind_i64(st, 13, ctx->now);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        x->id = db_col_i64(st, 0);
    db_done(st);
    if (rc)
        return rc;
    struct follow_up after;
    if ((rc = get_raw(ctx, x->id, &after)))
        return rc;
    struct audit_diff d;
    audit_diff_init(&d);
    diff_all(&d, NULL, &after);
    if ((rc = audit_write(ctx, "follow_up", x->id, x->account_id, "create", &d)))
        return rc;
    *x = after;
    return notify_owner(ctx, x);
}

/* Cuts s to at most max code points (UTF-8), in the arena. */
static const char *cut(struct kam_ctx *ctx, const char *s, size_t max)
{
    size_t n = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p && n < max) {
        p++;
        while ((*p & 0xC0) == 0x80)
            p++;
        n++;
    }
    if (!*p)
        return s;
    return arena_printf(ctx->a, "%.*s…", (int)((const char *)p - s), s);
}

/* A generated title within FOLLOW_UP_TITLE_MAX characters (the "…" included), cut on a
 * character boundary, so that a PATCH of the follow-up never fails on it. */
static const char *cut_title(struct kam_ctx *ctx, const char *s)
{
    return cut(ctx, s, FOLLOW_UP_TITLE_MAX - 1);
}

/* What one response is: its account and survey (not the respondent's name: see RESPONDENT). */
struct resp_info {
    int64_t account_id, survey_id, submitted_at;
    const char *survey_title;
};

static enum kam_err resp_info(struct kam_ctx *ctx, int64_t response_id, struct resp_info *out)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        "SELECT r.account_id, r.survey_id, r.submitted_at, "
        "CASE WHEN s.title_zh_cn <> '' THEN s.title_zh_cn WHEN s.title_zh_tw <> '' THEN "
        "s.title_zh_tw ELSE s.title_en END FROM survey_responses r JOIN surveys s ON s.id = "
        "r.survey_id WHERE r.id = ?",
        &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, response_id);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row) {
        out->account_id = db_col_i64(st, 0);
        out->survey_id = db_col_i64(st, 1);
        out->submitted_at = db_col_i64(st, 2);
        out->survey_title = arena_strdup(ctx->a, db_col_text(st, 3));
    }
    db_done(st);
    if (!rc && !row)
        rc = kam_fail(ctx->err, KAM_ENOTFOUND, "response_id", "no such survey response");
    return rc;
}

static enum kam_err exists_for(struct kam_ctx *ctx, int64_t response_id, int64_t question_id,
                               int *yes)
{
    struct db_stmt *st;
    enum kam_err rc =
        db_prepare(ctx->db, "SELECT 1 FROM follow_ups WHERE response_id = ? AND question_id = ?",
                   &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, response_id);
    db_bind_i64(st, 2, question_id);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    db_done(st);
    *yes = row;
    return rc;
}

#define QTEXT                                                                                      \
    "CASE WHEN q.text_zh_cn <> '' THEN q.text_zh_cn WHEN q.text_zh_tw <> '' THEN q.text_zh_tw "    \
    "ELSE q.text_en END"

struct low {
    int64_t question_id, value;
    const char *kind, *text, *dept;
};

/* Every text answer of the response that reads negative (the one rule of svc/core/tone.h: the
 * score stored with the answer, or a fresh one under a new model) becomes a follow-up. */
static enum kam_err negative_comments(struct kam_ctx *ctx, int64_t response_id)
{
    int below = TONE_NEGATIVE_BELOW_DEFAULT;
    enum kam_err rc = tone_negative_below(ctx, &below);
    struct db_stmt *st;
    if (rc || (rc = db_prepare(ctx->db,
                               "SELECT a.question_id, a.text, a.sentiment_ppm, a.sentiment_model "
                               "FROM survey_answers a JOIN survey_questions q ON q.id = "
                               "a.question_id WHERE a.response_id = ? AND a.text IS NOT NULL "
                               "AND q.kind = 'text' ORDER BY q.position",
                               &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, response_id);
    int64_t neg[64];
    size_t n = 0;
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        const char *text = db_col_text(st, 1);
        enum tone_label tl;
        if ((rc = tone_of_stored(ctx, text, !db_col_is_null(st, 2), (int)db_col_i64(st, 2),
                                 db_col_text(st, 3), below, &tl)))
            break;
        if (tl == TONE_NEGATIVE && n < sizeof neg / sizeof neg[0])
            neg[n++] = db_col_i64(st, 0);
    }
    db_done(st);
    for (size_t i = 0; i < n && !rc; i++)
        rc = follow_up_from_comment(ctx, response_id, neg[i], "情感：负面 / sentiment: negative");
    return rc;
}

enum kam_err follow_ups_from_response(struct kam_ctx *ctx, int64_t response_id)
{
    int64_t set[5];
    enum kam_err rc = follow_up_settings(ctx, set);
    if (rc || (rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct resp_info r = {0};
    struct db_stmt *st;
    if ((rc = resp_info(ctx, response_id, &r)) ||
        (rc = db_prepare(ctx->db,
                         "SELECT q.id, q.kind, " QTEXT ", a.value, COALESCE(d.dept_role, '') "
                         "FROM survey_answers a JOIN survey_questions q ON q.id = a.question_id "
                         "LEFT JOIN survey_drivers d ON d.key = q.driver WHERE a.response_id = ? "
                         "AND a.value IS NOT NULL AND q.kind IN ('nps', 'csat', 'rating') "
                         "ORDER BY q.position",
                         &st, ctx->err)))
        goto out;
    db_bind_i64(st, 1, response_id);
    struct low lows[64];
    size_t n = 0;
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        const char *kind = db_col_text(st, 1);
        int64_t v = db_col_i64(st, 3);
        if (n < sizeof lows / sizeof lows[0] && follow_up_is_low(kind, v, set[0], set[1], set[2])) {
            lows[n].question_id = db_col_i64(st, 0);
            lows[n].kind = arena_strdup(ctx->a, kind);
            lows[n].text = arena_strdup(ctx->a, db_col_text(st, 2));
            lows[n].value = v;
            lows[n].dept = follow_up_dept_for(kind, arena_strdup(ctx->a, db_col_text(st, 4)));
            n++;
        }
    }
    db_done(st);
    if (rc)
        goto out;
    char submitted[11];
    follow_up_day(r.submitted_at, 0, submitted);
    for (size_t i = 0; i < n && !rc; i++) {
        int have = 0;
        if ((rc = exists_for(ctx, response_id, lows[i].question_id, &have)) || have)
            continue;
        const struct low *l = &lows[i];
        int nps = !strcmp(l->kind, "nps");
        int64_t max = nps ? 10 : 5;
        int urgent = (nps && l->value <= 3) || (!strcmp(l->kind, "csat") && l->value <= 1);
        char due[11];
        follow_up_day(ctx->now, urgent ? set[4] : set[3], due);
        struct follow_up x = {0};
        x.account_id = r.account_id;
        x.dept_role = l->dept;
        x.source = "survey";
        x.response_id = response_id;
        x.has_response = 1;
        x.question_id = l->question_id;
        x.has_question = 1;
        x.title = cut_title(ctx, arena_printf(ctx->a, "%s %lld/%lld：%s", nps ? "NPS" : "低分",
                                              (long long)l->value, (long long)max,
                                              cut(ctx, l->text, 120)));
        /* the respondent by the neutral word, never by name (see RESPONDENT) */
        x.detail =
            arena_printf(ctx->a, RESPONDENT "于 %s 在问卷“%s”中对“%s”打了 %lld 分（满分 %lld）。",
                         submitted, cut(ctx, r.survey_title, 200), cut(ctx, l->text, 500),
                         (long long)l->value, (long long)max);
        x.due_on = arena_strdup(ctx->a, due);
        if ((rc = default_owner(ctx, r.account_id, x.dept_role, &x.owner_id)))
            break;
        x.has_owner = x.owner_id != 0;
        rc = insert(ctx, &x);
    }
    if (!rc)
        rc = negative_comments(ctx, response_id);
out:
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err follow_up_from_comment(struct kam_ctx *ctx, int64_t response_id, int64_t question_id,
                                    const char *why)
{
    int64_t set[5];
    enum kam_err rc = follow_up_settings(ctx, set);
    if (rc || (rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct resp_info r = {0};
    struct db_stmt *st;
    int have = 0;
    if ((rc = resp_info(ctx, response_id, &r)) ||
        (rc = exists_for(ctx, response_id, question_id, &have)) || have)
        goto out;
    if ((rc = db_prepare(ctx->db,
                         "SELECT " QTEXT ", a.text FROM survey_answers a JOIN survey_questions q "
                         "ON q.id = a.question_id WHERE a.response_id = ? AND a.question_id = ? "
                         "AND a.text IS NOT NULL",
                         &st, ctx->err)))
        goto out;
    db_bind_i64(st, 1, response_id);
    db_bind_i64(st, 2, question_id);
    int row = 0;
    const char *qtext = NULL, *text = NULL;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row) {
        qtext = arena_strdup(ctx->a, db_col_text(st, 0));
        text = arena_strdup(ctx->a, db_col_text(st, 1));
    }
    db_done(st);
    if (rc)
        goto out;
    if (!row) {
        rc = kam_fail(ctx->err, KAM_ENOTFOUND, "question_id", "no text answer to this question");
        goto out;
    }
    char due[11];
    follow_up_day(ctx->now, set[3], due);
    struct follow_up x = {0};
    x.account_id = r.account_id;
    x.dept_role = COMMENT_DEPT;
    x.source = "comment";
    x.response_id = response_id;
    x.has_response = 1;
    x.question_id = question_id;
    x.has_question = 1;
    x.title =
        cut_title(ctx, arena_printf(ctx->a, COMMENT_HEAD RESPONDENT " · %s", cut(ctx, qtext, 120)));
    x.detail = arena_printf(ctx->a, "%s%s%s%s", cut(ctx, text, 3000), why && *why ? "\n\n（" : "",
                            why && *why ? cut(ctx, why, 200) : "", why && *why ? "）" : "");
    x.due_on = arena_strdup(ctx->a, due);
    if ((rc = default_owner(ctx, r.account_id, x.dept_role, &x.owner_id)))
        goto out;
    x.has_owner = x.owner_id != 0;
    rc = insert(ctx, &x);
out:
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err follow_ups_erase_response(struct kam_ctx *ctx, int64_t response_id)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct db_stmt *st;
    struct follow_up *items = NULL;
    size_t n = 0;
    if ((rc = db_prepare(ctx->db,
                         "SELECT " COLS FROM " WHERE follow_ups.response_id = ? ORDER BY "
                         "follow_ups.id",
                         &st, ctx->err)))
        goto out;
    db_bind_i64(st, 1, response_id);
    if ((rc = rows_collect(ctx, st, 10000, read_row_raw, sizeof *items, (void **)&items, &n)))
        goto out;
    for (size_t i = 0; i < n && !rc; i++) {
        const struct follow_up *x = &items[i];
        if (!x->plain_title)
            continue;
        int new_title = strcmp(x->title, x->plain_title) != 0;
        int new_detail = strcmp(x->detail, FOLLOW_UP_ERASED) != 0;
        if (!new_title && !new_detail)
            continue;
        if ((rc = db_prepare(ctx->db,
                             "UPDATE follow_ups SET title = ?, detail = ?, version = version + 1, "
                             "updated_at = ? WHERE id = ?",
                             &st, ctx->err)))
            break;
        db_bind_text(st, 1, x->plain_title);
        db_bind_text(st, 2, FOLLOW_UP_ERASED);
        db_bind_i64(st, 3, ctx->now);
        db_bind_i64(st, 4, x->id);
        if ((rc = db_run(st, ctx->err)))
            break;
        struct audit_diff d;
        audit_diff_init(&d);
        if (new_title)
            audit_diff_str(&d, "title", NOT_LOGGED, x->plain_title);
        if (new_detail)
            audit_diff_str(&d, "detail", NOT_LOGGED, FOLLOW_UP_ERASED);
        rc = audit_write(ctx, "follow_up", x->id, x->account_id, "update", &d);
    }
out:
    return db_end(ctx->db, rc, ctx->err);
}

/* ---- hand-offs and PATCH ---- */

static enum kam_err check_owner(struct kam_ctx *ctx, const struct follow_up *x)
{
    if (!x->has_owner)
        return KAM_OK;
    int yes = 0;
    enum kam_err rc =
        policy_user_may(ctx, x->owner_id, OBJ_FOLLOW_UP, ACT_UPDATE, x->account_id, &yes);
    if (rc)
        return rc;
    if (!yes)
        return kam_fail_key(ctx->err, KAM_EINVAL, "owner_id", "follow_up.owner_may_not", NULL,
                            "owner_id must be an active user who may work on this account's "
                            "follow-ups");
    return KAM_OK;
}

static enum kam_err validate(struct kam_ctx *ctx, const struct follow_up *x,
                             const struct follow_up *before)
{
    enum kam_err rc;
    if ((rc = check_enum(ctx, "dept_role", x->dept_role, follow_up_depts)) ||
        (rc = check_text(ctx, "title", x->title, 1, FOLLOW_UP_TITLE_MAX, CHECK_LINE)) ||
        (rc = check_text(ctx, "detail", x->detail, 0, FOLLOW_UP_TEXT_MAX, CHECK_MULTILINE)))
        return rc;
    if (x->from_dept && (rc = check_enum(ctx, "from_dept", x->from_dept, follow_up_depts)))
        return rc;
    if (!strcmp(x->source, "handoff")) {
        if (!x->from_dept)
            return kam_fail_key(ctx->err, KAM_EINVAL, "from_dept", "required",
                                (struct kam_param[]){{"field", "from_dept"}, {0}},
                                "from_dept is required");
        if (!strcmp(x->from_dept, x->dept_role))
            return kam_fail_key(ctx->err, KAM_EINVAL, "dept_role", "follow_up.same_dept", NULL,
                                "a hand-off goes to another department");
    } else if (x->from_dept && (!before || !before->from_dept)) {
        return kam_fail(ctx->err, KAM_EINVAL, "from_dept", "only a hand-off has from_dept");
    }
    /* A title of only white space says nothing. */
    const char *t = x->title;
    while (*t == ' ' || *t == '\t')
        t++;
    if (!*t)
        return kam_fail_key(ctx->err, KAM_EINVAL, "title", "required",
                            (struct kam_param[]){{"field", "title"}, {0}}, "title is required");
    if (x->due_on && (rc = check_date(ctx, "due_on", x->due_on)))
        return rc;
    if (x->has_owner && (!before || !before->has_owner || before->owner_id != x->owner_id ||
                         strcmp(before->dept_role, x->dept_role) != 0))
        return check_owner(ctx, x);
    return KAM_OK;
}

static void merge(struct follow_up *x, const struct follow_up_in *in)
{
    const struct follow_up *v = &in->v;
    if (in->set & FU_DEPT)
        x->dept_role = v->dept_role;
    if (in->set & FU_TITLE)
        x->title = v->title;
    if (in->set & FU_DETAIL)
        x->detail = v->detail ? v->detail : "";
    if (in->set & FU_DUE)
        x->due_on = v->due_on;
    if (in->set & FU_FROM_DEPT)
        x->from_dept = v->from_dept;
    if (in->set & FU_OWNER) {
        x->has_owner = v->has_owner;
        x->owner_id = v->owner_id;
    }
}

enum kam_err follow_up_create(struct kam_ctx *ctx, int64_t account_id,
                              const struct follow_up_in *in, struct follow_up *out)
{
    int64_t set[5];
    enum kam_err rc = follow_up_settings(ctx, set);
    if (rc)
        return rc;
    static const struct {
        unsigned bit;
        const char *field;
    } required[] = {{FU_FROM_DEPT, "from_dept"}, {FU_DEPT, "dept_role"}, {FU_TITLE, "title"}};
    for (size_t i = 0; i < 3; i++)
        if (!(in->set & required[i].bit))
            return kam_fail_key(ctx->err, KAM_EINVAL, required[i].field, "required",
                                (struct kam_param[]){{"field", required[i].field}, {0}},
                                "%s is required", required[i].field);
    struct follow_up x = {0};
    char due[11];
    follow_up_day(ctx->now, set[3], due);
    x.account_id = account_id;
    x.source = "handoff";
    x.detail = "";
    x.due_on = due;
    x.status = "open";
    merge(&x, in);
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    if (!(in->set & FU_OWNER) && x.dept_role && check_in(x.dept_role, follow_up_depts)) {
        if ((rc = default_owner(ctx, account_id, x.dept_role, &x.owner_id)))
            goto out;
        x.has_owner = x.owner_id != 0;
    }
    if ((rc = validate(ctx, &x, NULL)) || (rc = insert(ctx, &x)))
        goto out;
    *out = x;
out:
    return db_end(ctx->db, rc, ctx->err);
}

#define WRITE_COLS                                                                                 \
    "dept_role = ?, from_dept = ?, title = CASE WHEN ? = 1 THEN ? ELSE title END, "                \
    "detail = CASE WHEN ? = 1 THEN ? ELSE detail END, owner_id = ?, due_on = ?, status = ?, "      \
    "action = ?, resolved_at = ?, confirmed_at = ?, confirmation = ?, reason = ?, updated_at = ?"

static enum kam_err up_get(struct kam_ctx *ctx, int64_t id, void *rec)
{
    return follow_up_get(ctx, id, rec);
}

static enum kam_err up_merge(const struct update_op *op, void *rec)
{
    struct follow_up *x = rec;
    merge(x, op->in);
    return validate(op->ctx, x, op->before);
}

static void up_diff(const struct update_op *op)
{
    diff_all(op->diff, op->before, op->after);
}

static enum kam_err up_write(const struct update_op *op)
{
    const struct follow_up *x = op->after, *b = op->before;
    struct kam_ctx *ctx = op->ctx;
    /* Title and detail only when the request names them: a caller who may not read responses
     * got the plain title and no detail, which must not overwrite the stored ones. (Neither
     * carries the respondent's name, as stored or as read: nothing to take out here.) */
    const struct follow_up_in *in = op->in;
    unsigned set = in ? in->set : 0;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "UPDATE follow_ups SET " WRITE_COLS
                                 ", version = version + 1 WHERE id = ? AND version = ?",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, x->dept_role);
    db_bind_text(st, 2, x->from_dept);
    db_bind_i64(st, 3, (set & FU_TITLE) != 0);
    db_bind_text(st, 4, x->title);
    db_bind_i64(st, 5, (set & FU_DETAIL) != 0);
    db_bind_text(st, 6, x->detail);
    db_bind_i64n(st, 7, x->owner_id, !x->has_owner);
    db_bind_text(st, 8, x->due_on);
    db_bind_text(st, 9, x->status);
    db_bind_text(st, 10, x->action);
    db_bind_i64n(st, 11, x->resolved_at, !x->has_resolved);
    db_bind_i64n(st, 12, x->confirmed_at, !x->has_confirmed);
    db_bind_text(st, 13, x->confirmation);
    db_bind_text(st, 14, x->reason);
    db_bind_i64(st, 15, ctx->now);
    db_bind_i64(st, 16, x->id);
    db_bind_i64(st, 17, b->version);
    return db_run(st, ctx->err);
}

static int64_t up_account(const void *rec)
{
    return ((const struct follow_up *)rec)->account_id;
}

/* A new owner is told. */
static enum kam_err up_after(const struct update_op *op)
{
    const struct follow_up *b = op->before, *x = op->after;
    if (!x->has_owner || (b->has_owner && b->owner_id == x->owner_id))
        return KAM_OK;
    return notify_owner(op->ctx, x);
}

static const struct update_spec follow_up_spec = {
    .entity = "follow_up",
    .noun = "follow-up",
    .size = sizeof(struct follow_up),
    .versioned = 1,
    .version_at = offsetof(struct follow_up, version),
    .in_set_at = offsetof(struct follow_up_in, set),
    .in_version_at = offsetof(struct follow_up_in, v.version),
    .in_version_bit = FU_VERSION,
    .get = up_get,
    .merge = up_merge,
    .diff = up_diff,
    .write = up_write,
    .account_of = up_account,
    .after = up_after,
};

enum kam_err follow_up_update(struct kam_ctx *ctx, int64_t id, const struct follow_up_in *in,
                              struct follow_up *out)
{
    return record_update(ctx, &follow_up_spec, id, in, out);
}

enum kam_err follow_up_set_status(struct kam_ctx *ctx, int64_t id,
                                  const struct follow_up_status_in *in, struct follow_up *out)
{
    enum kam_err rc = check_enum(ctx, "to", in->to, follow_up_statuses);
    if (rc ||
        (rc = check_text(ctx, "action", in->action, 0, FOLLOW_UP_TEXT_MAX, CHECK_MULTILINE)) ||
        (rc = check_text(ctx, "confirmation", in->confirmation, 0, FOLLOW_UP_TEXT_MAX,
                         CHECK_MULTILINE)) ||
        (rc = check_text(ctx, "reason", in->reason, 0, FOLLOW_UP_TEXT_MAX, CHECK_MULTILINE)))
        return rc;
    if (!strcmp(in->to, "open"))
        return kam_fail_key(ctx->err, KAM_ECONFLICT, "to", "follow_up.bad_transition",
                            (struct kam_param[]){{"from", "?"}, {"to", in->to}, {0}},
                            "a follow-up never becomes open again: reopen it");
    if (in->confirmation && *in->confirmation && strcmp(in->to, "confirmed") != 0)
        return kam_fail(ctx->err, KAM_EINVAL, "confirmation",
                        "only the move to confirmed takes a confirmation");
    if (in->reason && *in->reason && strcmp(in->to, "dropped") != 0)
        return kam_fail(ctx->err, KAM_EINVAL, "reason", "only the move to dropped takes a reason");
    /* The action is what the department does: written while working on it or when resolving,
     * never on a confirmation, a reopening or a drop (it would replace the confirmed one). */
    if (in->action && *in->action && strcmp(in->to, "in_progress") != 0 &&
        strcmp(in->to, "resolved") != 0)
        return kam_fail(ctx->err, KAM_EINVAL, "action",
                        "only the moves to in_progress and resolved take an action");
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct follow_up before, x;
    if ((rc = follow_up_get(ctx, id, &before)))
        goto out;
    if (in->has_version && in->version != before.version) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "version", "stale_version", NULL,
                          "the follow-up was changed by someone else; reload it");
        goto out;
    }
    if (!follow_up_transition_allowed(before.status, in->to)) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "to", "follow_up.bad_transition",
                          (struct kam_param[]){{"from", before.status}, {"to", in->to}, {0}},
                          "a follow-up that is %s cannot become %s", before.status, in->to);
        goto out;
    }
    x = before;
    x.status = in->to;
    if (in->action && !utf8_blank(in->action))
        x.action = in->action;
    if (!strcmp(in->to, "resolved")) {
        if (utf8_blank(x.action)) {
            rc = kam_fail_key(ctx->err, KAM_EINVAL, "action", "follow_up.action_required", NULL,
                              "say what was done to fix it (action)");
            goto out;
        }
        x.resolved_at = ctx->now;
        x.has_resolved = 1;
    } else if (!strcmp(in->to, "confirmed")) {
        if (utf8_blank(in->confirmation)) {
            rc = kam_fail_key(ctx->err, KAM_EINVAL, "confirmation",
                              "follow_up.confirmation_required", NULL,
                              "say what the customer confirmed (confirmation)");
            goto out;
        }
        x.confirmation = in->confirmation;
        x.confirmed_at = ctx->now;
        x.has_confirmed = 1;
    } else if (!strcmp(in->to, "dropped")) {
        if (utf8_blank(in->reason)) {
            rc = kam_fail_key(ctx->err, KAM_EINVAL, "reason", "follow_up.reason_required", NULL,
                              "say why it is dropped (reason)");
            goto out;
        }
        x.reason = in->reason;
    } else if (!strcmp(in->to, "reopened")) {
        x.has_resolved = x.has_confirmed = 0;
        x.resolved_at = x.confirmed_at = 0;
        x.confirmation = "";
        x.reason = "";
    }
    if ((rc = record_save(ctx, &follow_up_spec, id, &before, &x, NULL, "update", NULL)))
        goto out;
    rc = follow_up_get(ctx, id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err follow_up_delete(struct kam_ctx *ctx, int64_t id)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct follow_up before;
    if ((rc = follow_up_get(ctx, id, &before)) ||
        (rc = db_exec_i64(ctx->db, "DELETE FROM follow_ups WHERE id = ?", id, ctx->err)))
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    diff_all(&d, &before, NULL);
    rc = audit_write(ctx, "follow_up", id, before.account_id, "delete", &d);
out:
    return db_end(ctx->db, rc, ctx->err);
}

/* ---- lists ---- */

#define DUE_KEY "COALESCE(follow_ups.due_on, '9999-12-31')"

static const struct page_sort sorts[] = {
    {"created_at", "follow_ups.created_at", 0},
    {"due_on", DUE_KEY, 1},
};

static enum kam_err where(struct kam_ctx *ctx, const struct follow_up_query *q, struct sqlb *b,
                          const char *select)
{
    enum kam_err rc;
    if ((q->dept_role && (rc = check_enum(ctx, "dept_role", q->dept_role, follow_up_depts))) ||
        (q->status && (rc = check_enum(ctx, "status", q->status, follow_up_statuses))) ||
        (q->source && (rc = check_enum(ctx, "source", q->source, follow_up_sources))))
        return rc;
    int scoped = policy_scope_with(ctx, b);
    sqlb_sql(b, select);
    sqlb_sql(b, FROM " WHERE 1 = 1");
    if (scoped)
        sqlb_sql(b, " AND " POLICY_SCOPE_COND);
    if (q->account_id) {
        sqlb_sql(b, " AND follow_ups.account_id = ?");
        sqlb_i64(b, q->account_id);
    }
    if (q->owner_id) {
        sqlb_sql(b, " AND follow_ups.owner_id = ?");
        sqlb_i64(b, q->owner_id);
    }
    if (q->dept_role) {
        sqlb_sql(b, " AND follow_ups.dept_role = ?");
        sqlb_text(b, q->dept_role);
    }
    if (q->status) {
        sqlb_sql(b, " AND follow_ups.status = ?");
        sqlb_text(b, q->status);
    }
    if (q->source) {
        sqlb_sql(b, " AND follow_ups.source = ?");
        sqlb_text(b, q->source);
    }
    if (q->open_only || q->overdue)
        sqlb_sql(b, " AND follow_ups.status IN " OPEN_STATES);
    if (q->overdue) {
        char today[11];
        follow_up_day(ctx->now, 0, today);
        sqlb_sql(b, " AND follow_ups.due_on < ?");
        sqlb_text(b, arena_strdup(ctx->a, today));
    }
    return KAM_OK;
}

enum kam_err follow_up_list(struct kam_ctx *ctx, const struct follow_up_query *q,
                            struct follow_up **items_out, size_t *n_out, const char **next_out)
{
    struct page_req pg;
    enum kam_err rc = page_parse(ctx, sorts, sizeof sorts / sizeof sorts[0],
                                 q->sort ? q->sort : "-created_at", q->limit, q->cursor, &pg);
    if (rc)
        return rc;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    if ((rc = where(ctx, q, &b, "SELECT " COLS)))
        return rc;
    struct follow_up *items;
    const struct follow_up *last;
    size_t n;
    if ((rc = page_fetch(ctx, &b, &pg, "follow_ups.id", read_row, sizeof *items, (void **)&items,
                         &n, (const void **)&last)))
        return rc;
    *next_out = NULL;
    if (last) {
        const struct follow_up *l = &items[n - 1];
        *next_out =
            page_cursor(ctx, &pg, l->due_on ? l->due_on : "9999-12-31", l->created_at, l->id);
    }
    *items_out = items;
    *n_out = n;
    return KAM_OK;
}

enum kam_err follow_up_count(struct kam_ctx *ctx, const struct follow_up_query *q, int64_t *n_out)
{
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    enum kam_err rc = where(ctx, q, &b, "SELECT COUNT(*)");
    if (rc)
        return rc;
    struct db_stmt *st;
    if ((rc = sqlb_prepare(&b, ctx->db, &st, ctx->err)))
        return rc;
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    *n_out = !rc && row ? db_col_i64(st, 0) : 0;
    db_done(st);
    return rc;
}

/* ---- stats ---- */

/* Unix time of 00:00 China time of date s. */
static int64_t day_start(const char *s)
{
    int y, m, d;
    date_parse(s, &y, &m, &d);
    return date_to_days(y, m, d) * 86400 - CHINA_OFFSET;
}

enum kam_err follow_up_stats(struct kam_ctx *ctx, const char *from, const char *to, int64_t team_id,
                             struct follow_up_stat **out, size_t *n_out)
{
    enum kam_err rc;
    if ((from && (rc = check_date(ctx, "from", from))) || (to && (rc = check_date(ctx, "to", to))))
        return rc;
    if (from && to && strcmp(from, to) > 0)
        return kam_fail(ctx->err, KAM_EINVAL, "to", "to must not be before from");
    if (team_id < 0)
        return kam_fail(ctx->err, KAM_EINVAL, "team_id", "team_id must be positive");
    if (team_id) {
        int64_t n = 0;
        if ((rc = db_query_i64(ctx->db, "SELECT COUNT(*) FROM teams WHERE id = ?", 1, team_id, &n,
                               ctx->err)))
            return rc;
        if (!n)
            return kam_fail_key(ctx->err, KAM_ENOTFOUND, "team_id", "not_found",
                                (struct kam_param[]){{"what", "team"}, {0}}, "no such team");
    }
    char today[11];
    follow_up_day(ctx->now, 0, today);
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = policy_scope_with(ctx, &b);
    /* team_id: accounts owned by the team's people (policy.h's one team rule: its subteams and
     * their managers too). */
    if (team_id) {
        sqlb_sql(&b, scoped ? ", " POLICY_TEAM_TT "tq(uid) AS (SELECT uid FROM tp) "
                            : "WITH RECURSIVE " POLICY_TEAM_TT "tq(uid) AS (SELECT uid FROM tp) ");
        sqlb_i64(&b, team_id);
    }
    sqlb_sql(&b,
             "SELECT follow_ups.dept_role, follow_ups.status, follow_ups.created_at, "
             "follow_ups.resolved_at, follow_ups.confirmed_at, CASE WHEN follow_ups.status "
             "IN " OPEN_STATES " AND follow_ups.due_on < ? THEN 1 ELSE 0 END FROM follow_ups JOIN "
             "accounts ON accounts.id = follow_ups.account_id WHERE 1 = 1");
    sqlb_text(&b, arena_strdup(ctx->a, today));
    if (scoped)
        sqlb_sql(&b, " AND " POLICY_SCOPE_COND);
    if (from) {
        sqlb_sql(&b, " AND follow_ups.created_at >= ?");
        sqlb_i64(&b, day_start(from));
    }
    if (to) {
        sqlb_sql(&b, " AND follow_ups.created_at < ?");
        sqlb_i64(&b, day_start(to) + 86400);
    }
    if (team_id) {
        sqlb_sql(&b, " AND accounts.owner_id IN (SELECT uid FROM tq)");
    }
    sqlb_sql(&b, " ORDER BY follow_ups.id");
    struct db_stmt *st;
    if ((rc = sqlb_prepare(&b, ctx->db, &st, ctx->err)))
        return rc;
    enum { ND = 5 };
    struct follow_up_stat *s = arena_calloc(ctx->a, ND, sizeof *s);
    size_t cap = 64, nres[ND] = {0}, ncon[ND] = {0};
    double *res[ND], *con[ND];
    size_t capr[ND], capc[ND];
    for (int i = 0; i < ND; i++) {
        s[i].dept_role = follow_up_depts[i];
        res[i] = malloc(cap * sizeof(double));
        con[i] = malloc(cap * sizeof(double));
        capr[i] = capc[i] = cap;
        if (!res[i] || !con[i])
            rc = kam_fail(ctx->err, KAM_EINTERNAL, "", "out of memory");
    }
    int row = 0;
    while (!rc && !(rc = db_step(st, &row, ctx->err)) && row) {
        const char *dept = db_col_text(st, 0), *status = db_col_text(st, 1);
        int d = 0;
        while (d < ND && strcmp(follow_up_depts[d], dept) != 0)
            d++;
        if (d == ND)
            continue;
        struct follow_up_stat *x = &s[d];
        int64_t created = db_col_i64(st, 2);
        x->created++;
        if (!strcmp(status, "dropped"))
            x->dropped++;
        if (db_col_i64(st, 5))
            x->overdue++;
        if (!db_col_is_null(st, 3)) {
            x->resolved++;
            if (nres[d] == capr[d]) {
                double *w = realloc(res[d], 2 * capr[d] * sizeof(double));
                if (!w) {
                    rc = kam_fail(ctx->err, KAM_EINTERNAL, "", "out of memory");
                    break;
                }
                res[d] = w;
                capr[d] *= 2;
            }
            res[d][nres[d]++] = (double)(db_col_i64(st, 3) - created) / 86400.0;
        }
        if (!db_col_is_null(st, 4)) {
            x->confirmed++;
            if (ncon[d] == capc[d]) {
                double *w = realloc(con[d], 2 * capc[d] * sizeof(double));
                if (!w) {
                    rc = kam_fail(ctx->err, KAM_EINTERNAL, "", "out of memory");
                    break;
                }
                con[d] = w;
                capc[d] *= 2;
            }
            con[d][ncon[d]++] = (double)(db_col_i64(st, 4) - created) / 86400.0;
        }
    }
    db_done(st);
    for (int i = 0; i < ND; i++) {
        struct follow_up_stat *x = &s[i];
        if (!rc) {
            x->closed_loop_rate = x->created ? (double)x->confirmed / (double)x->created : 0;
            double sum = 0;
            for (size_t j = 0; j < nres[i]; j++)
                sum += res[i][j];
            x->has_resolve = nres[i] > 0;
            x->mean_days_resolve = nres[i] ? sum / (double)nres[i] : 0;
            x->median_days_resolve = follow_up_median(res[i], nres[i]);
            sum = 0;
            for (size_t j = 0; j < ncon[i]; j++)
                sum += con[i][j];
            x->has_confirm = ncon[i] > 0;
            x->mean_days_confirm = ncon[i] ? sum / (double)ncon[i] : 0;
            x->median_days_confirm = follow_up_median(con[i], ncon[i]);
        }
        free(res[i]);
        free(con[i]);
    }
    *out = s;
    *n_out = ND;
    return rc;
}
