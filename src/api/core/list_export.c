/* list_export.c -- GET <list>/export: every row a list route returns, over all its pages, as a
 * CSV or .xlsx file (issue 12).
 *
 * The export route sits at its list route's path + "/export", with the list's object, action
 * and scope (so dispatch grants an export exactly to those who may list) and the list's query
 * parameters except limit and cursor, plus format (csv|xlsx) and columns. The handler calls
 * the list route's own handler page after page (limit PAGE, following next_cursor), each page
 * in a fresh arena and a reused buffer, and writes each item as a row into an export_stream
 * (a temporary file without a name), which the server then streams: the memory used does not grow
 * with the rows. So the filters, sort and scope of the export are the list's, by construction.
 *
 * Columns come from the list's item shape (the route's resp "[Name]", api_shapes): scalars by
 * name, nested objects flattened ("revenue.amount"), arrays joined with ", ". columns=
 * picks and orders them, each "key" or "key:label" (the web sends the user's visible columns
 * with their labels in the user's language); a key naming an object takes all its fields.
 *
 * Words, not codes (issue 12): a cell shows what the screen shows, in the reader's language
 * (lang=zh-CN|zh-TW|en, else Accept-Language, else English): enum values and stored codes in
 * the words of the message catalogue's one table "enum.<group>.<value>" (svc/core/msg.c; the
 * groups are worded[] below), booleans as yes/no, and user ids (owner_id, assignee_id ...) as
 * the person's display name, resolved once per user and export (a small cache). The stored
 * value stays available: raw=1 writes every cell as the list's JSON has it, and a column
 * "<key>_code" (status_code, owner_id_code) is the stored value of a worded column.
 *
 * Limits: at most api_exports_limit() exports build or download at once per server (the slot
 * is given back when the server is done with the response: http_resp.done); the next gets 503
 * "export.busy" with Retry-After. An .xlsx whose list has a count route (<list>/count) is
 * refused (413) before anything is written when the count is over the worksheet's rows. */
#include <jansson.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api.h"
#include "base/currency.h"
#include "base/timeutil.h"
#include "internal.h"
#include "svc/core/export_stream.h"
#include "svc/core/msg.h"
#include "svc/core/user.h"

#define PAGE 500
#define MAX_DEPTH 3
/* An array or object cell holds at most this many bytes of text (an .xlsx cell 32767
 * characters); longer ones are cut on a character boundary and end in CUT_MARK. */
#define CELL_MAX 32000
#define CUT_MARK " \xE2\x80\xA6" /* " …" */
#define RETRY_AFTER "5"

/* The fields whose values the screens show as words: (item shape, field) -> the catalogue's
 * group "enum.<group>.<value>". A value without an entry (free text in a code field) is
 * written as it is. */
static const struct {
    const char *shape, *field, *group;
} worded[] = {
    {"Account", "tier", "tier"},
    {"Account", "status", "account_status"},
    {"Account", "source", "source"},
    {"Account", "screening", "screening"},
    {"Account", "channel", "channel"},
    {"Account", "region", "region"},
    {"Account", "industry", "industry"},
    {"Contact", "decision_role", "decision_role"},
    {"Contact", "attitude", "attitude"},
    {"Interaction", "kind", "interaction_kind"},
    {"Interaction", "material_type", "material_type"},
    {"Visit", "kind", "visit_kind"},
    {"Visit", "status", "visit_status"},
    {"Issue", "category", "issue_category"},
    {"Issue", "severity", "severity"},
    {"Issue", "status", "issue_status"},
    {"Need", "category", "need_category"},
    {"Need", "status", "need_status"},
    {"Need", "priority", "need_priority"},
    {"Need", "source", "need_source"},
    {"Need", "kind", "need_addressed_kind"}, /* addressed_by.kind */
    {"FollowUp", "status", "follow_up_status"},
    {"FollowUp", "source", "follow_up_source"},
    {"FollowUp", "dept_role", "dept_role"},
    {"FollowUp", "from_dept", "dept_role"},
    {"CareReminder", "occasion_kind", "occasion_kind"},
    {"CareReminder", "status", "care_status"},
    {"CareReminder", "channel", "care_channel"},
    {"CareReminder", "mail_status", "mail_status"},
    {"OrderLine", "region", "region"},
    {"OrderLine", "channel", "channel"},
    {"OrderLine", "price_check", "price_check"},
    /* issue 16: the risk register, gifts, competitors, alerts, churn and receivables lists */
    {"Risk", "category", "risk_category"},
    {"Risk", "status", "risk_status"},
    {"Risk", "level", "risk_level"},
    {"Risk", "response", "risk_response"},
    {"Risk", "source", "risk_source"},
    {"Gift", "kind", "gift_kind"},
    {"Gift", "status", "gift_status"},
    {"Gift", "approver_role", "gift_approver"},
    {"CompetitorPresence", "price_level", "price_level"},
    {"CompetitorMove", "kind", "move_kind"},
    {"CompetitorMove", "severity", "move_severity"},
    {"Alert", "status", "alert_status"},
    {"Alert", "severity", "alert_severity"},
    {"Alert", "dept", "alert_dept"},
    {"Alert", "signal", "signal"},
    {"ChurnScore", "tier", "tier"},
    {"Invoice", "status", "invoice_status"},
    {"Invoice", "bucket", "invoice_bucket"},
    /* issue 17: contracts, breaches, disputes, training needs */
    {"Contract", "kind", "contract_kind"},
    {"Contract", "status", "contract_status"},
    {"Breach", "side", "obligation_side"},
    {"Breach", "kind", "obligation_kind"},
    {"Breach", "severity", "alert_severity"},
    {"Breach", "status", "breach_status"},
    {"Dispute", "stage", "dispute_stage"},
    {"Dispute", "outcome", "dispute_outcome"},
    {"TrainingNeed", "source", "training_source"},
    {"TrainingNeed", "status", "training_status"},
    /* issue 18: the account team */
    {"Assessment", "kind", "assessment_kind"},
    {"Candidate", "status", "candidate_status"},
    {"Course", "format", "course_format"},
    {"Enrolment", "status", "enrolment_status"},
    {"Scorecard", "status", "scorecard_status"},
    {"Payout", "status", "payout_status"},
};

/* Fields holding a user's id, written as the user's name. */
static const char *const user_fields[] = {"owner_id",     "assignee_id", "user_id",
                                          "escalated_to", "screened_by", "created_by",
                                          "updated_by",   NULL};

enum col_kind { COL_PLAIN, COL_ENUM, COL_BOOL, COL_USER };

/* The words of one worded column's values met so far (its catalogue texts, or the value). */
struct word {
    const char *code, *text;
};
#define WORDS_MAX 256

struct col {
    const char *key;     /* "revenue.amount" */
    const char *label;   /* the header text */
    const char *cur_key; /* a Money amount: its currency's key ("revenue.currency"), else NULL */
    enum col_kind kind;
    const char *group; /* COL_ENUM */
    int raw;           /* "<key>_code": the stored value */
    struct word *words;
    size_t nwords;
};

struct cols {
    struct col *v;
    size_t n, cap;
};

static void col_add(struct arena *a, struct cols *cs, const char *key, const char *label)
{
    if (cs->n == cs->cap) {
        size_t cap = cs->cap ? cs->cap * 2 : 32;
        struct col *v = arena_calloc(a, cap, sizeof *v);
        if (cs->n)
            memcpy(v, cs->v, cs->n * sizeof *v);
        cs->v = v;
        cs->cap = cap;
    }
    memset(&cs->v[cs->n], 0, sizeof cs->v[cs->n]);
    cs->v[cs->n].key = key;
    cs->v[cs->n].label = label;
    cs->n++;
}

/* Decimals of a currency's minor unit (ISO 4217): Money amounts are written in them. */
static int minor_digits(const char *cur)
{
    return currency_minor_digits(cur);
}

static const char *shape_fields(const char *name, size_t len)
{
    for (int i = 0;; i++) {
        const struct api_shape *t = api_shape_table_at(i);
        if (!t)
            return NULL;
        for (; t->name; t++)
            if (strlen(t->name) == len && strncmp(t->name, name, len) == 0)
                return t->fields;
    }
}

/* How a field of shape is written: plain, as words, yes/no, a user's name. */
static enum col_kind kind_of(const char *shape, const char *name, size_t nlen, const char *type,
                             size_t tlen, int depth, const char **group)
{
    *group = NULL;
    if (tlen == 4 && strncmp(type, "bool", 4) == 0)
        return COL_BOOL;
    for (size_t i = 0; i < sizeof worded / sizeof worded[0]; i++)
        if (strcmp(worded[i].shape, shape) == 0 && strlen(worded[i].field) == nlen &&
            strncmp(worded[i].field, name, nlen) == 0) {
            *group = worded[i].group;
            return COL_ENUM;
        }
    if (depth == 0 && tlen == 3 && strncmp(type, "int", 3) == 0)
        for (const char *const *u = user_fields; *u; u++)
            if (strlen(*u) == nlen && strncmp(*u, name, nlen) == 0)
                return COL_USER;
    return COL_PLAIN;
}

/* Appends the columns of a shape's field list (fields[0..len)) under prefix. */
static void shape_cols(struct arena *a, struct cols *cs, const char *shape, const char *prefix,
                       const char *fields, size_t len, int depth)
{
    const char *p = fields, *end = fields + len;
    while (p < end) {
        while (p < end && *p == ' ')
            p++;
        if (p >= end)
            break;
        const char *name = p;
        while (p < end && *p != ':' && *p != ' ')
            p++;
        size_t nlen = (size_t)(p - name);
        if (nlen && name[nlen - 1] == '?')
            nlen--;
        if (p >= end || *p != ':')
            continue;
        p++;
        const char *type = p;
        int d = 0;
        while (p < end && (d > 0 || *p != ' ')) {
            if (*p == '{' || *p == '[' || *p == '(')
                d++;
            else if (*p == '}' || *p == ']' || *p == ')')
                d--;
            p++;
        }
        size_t tlen = (size_t)(p - type);
        if (tlen && type[tlen - 1] == '?')
            tlen--;
        const char *key = arena_printf(a, "%s%.*s", prefix, (int)nlen, name);
        const char *sub = NULL;
        size_t sublen = 0;
        if (tlen >= 2 && type[0] == '{') {
            sub = type + 1;
            sublen = tlen - 2;
        } else if (tlen && type[0] >= 'A' && type[0] <= 'Z') {
            sub = shape_fields(type, tlen);
            sublen = sub ? strlen(sub) : 0;
        }
        if (tlen == 5 && strncmp(type, "Money", 5) == 0) {
            /* money as the number people read (12345.67), beside its currency */
            col_add(a, cs, arena_printf(a, "%s.amount", key), arena_printf(a, "%s.amount", key));
            cs->v[cs->n - 1].cur_key = arena_printf(a, "%s.currency", key);
            const char *ck = arena_printf(a, "%s.currency", key);
            col_add(a, cs, ck, ck);
        } else if (sub && depth < MAX_DEPTH) {
            const char *sub_shape =
                type[0] == '{' ? shape : arena_printf(a, "%.*s", (int)tlen, type);
            shape_cols(a, cs, sub_shape, arena_printf(a, "%s.", key), sub, sublen, depth + 1);
        } else {
            col_add(a, cs, key, key);
            struct col *c = &cs->v[cs->n - 1];
            c->kind = kind_of(shape, name, nlen, type, tlen, depth, &c->group);
        }
    }
}

/* The columns columns= asks for, from the item's columns all. */
static enum kam_err pick_cols(struct api_call *c, const struct cols *all, const char *spec,
                              struct cols *out)
{
    struct arena *a = c->ctx->a;
    char *s = arena_strdup(a, spec);
    for (char *item = s; item;) {
        char *next = strchr(item, ',');
        if (next)
            *next++ = 0;
        char *label = strchr(item, ':');
        if (label)
            *label++ = 0;
        while (*item == ' ')
            item++;
        if (!*item) {
            item = next;
            continue;
        }
        size_t klen = strlen(item);
        int found = 0;
        for (size_t i = 0; i < all->n; i++) {
            const char *k = all->v[i].key;
            if (strcmp(k, item) == 0) {
                col_add(a, out, k, label && *label ? label : k);
                out->v[out->n - 1] = all->v[i];
                out->v[out->n - 1].label = label && *label ? label : k;
                found = 1;
                break;
            }
            if (all->v[i].kind != COL_PLAIN && klen == strlen(k) + 5 &&
                strncmp(item, k, klen - 5) == 0 && strcmp(item + klen - 5, "_code") == 0) {
                /* "status_code": the stored value of a worded column */
                col_add(a, out, k, label && *label ? label : arena_strdup(a, item));
                out->v[out->n - 1].raw = 1;
                found = 1;
                break;
            }
            if (strncmp(k, item, klen) == 0 && k[klen] == '.') {
                /* an object: all its fields, "label.field" */
                col_add(a, out, k, k);
                out->v[out->n - 1] = all->v[i];
                out->v[out->n - 1].label =
                    label && *label ? arena_printf(a, "%s.%s", label, k + klen + 1) : k;
                found = 1;
            }
        }
        if (!found)
            return kam_fail(c->ctx->err, KAM_EINVAL, "columns", "unknown column %.60s", item);
        if (out->n > EXPORT_MAX_COLS)
            return kam_fail(c->ctx->err, KAM_EINVAL, "columns", "at most %d columns",
                            EXPORT_MAX_COLS);
        item = next;
    }
    if (!out->n)
        return kam_fail(c->ctx->err, KAM_EINVAL, "columns", "columns names no column");
    return KAM_OK;
}

/* The value at a dotted path in obj, or NULL. */
static json_t *lookup(json_t *obj, const char *path)
{
    char seg[128];
    while (obj && json_is_object(obj)) {
        size_t n = strcspn(path, ".");
        if (n >= sizeof seg)
            return NULL;
        memcpy(seg, path, n);
        seg[n] = 0;
        obj = json_object_get(obj, seg);
        if (!path[n])
            return obj;
        path += n + 1;
    }
    return NULL;
}

/* What one export needs besides its columns: the reader's language, raw, the words of
 * booleans, the user names met so far. The caches live in the request's arena. */
#define USERS_CAP 4096 /* names cached; more distinct users are looked up each time */
#define USERS_SLOTS 8192
struct wctx {
    struct kam_ctx *ctx;
    struct arena *a; /* the request's arena */
    enum msg_lang lang;
    int raw;
    int names; /* the caller may read users (else "#id", as a screen without the directory) */
    const char *yes, *no;
    int64_t *uid;       /* USERS_SLOTS, 0 empty */
    const char **uname; /* beside uid */
    size_t nusers;
};

/* Appends s to a cell's text, at most CELL_MAX bytes in all (cut on a character boundary). */
static void put_cell(struct buf *b, const char *s, size_t n, int *cut)
{
    if (*cut)
        return;
    size_t room = b->len < CELL_MAX ? CELL_MAX - b->len : 0;
    if (n > room) {
        n = room;
        while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
            n--;
        *cut = 1;
    }
    buf_append(b, s, n);
}

/* Appends the text of v; a JSON text that cannot be made fails the export (never an empty
 * cell). */
static enum kam_err json_text(struct kam_ctx *ctx, struct buf *b, json_t *v, int *cut)
{
    char num[40];
    if (json_is_string(v)) {
        put_cell(b, json_string_value(v), json_string_length(v), cut);
    } else if (json_is_integer(v)) {
        int n = snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
        put_cell(b, num, (size_t)n, cut);
    } else if (json_is_real(v)) {
        int n = snprintf(num, sizeof num, "%.15g", json_real_value(v));
        put_cell(b, num, (size_t)n, cut);
    } else if (json_is_true(v) || json_is_false(v)) {
        put_cell(b, json_is_true(v) ? "true" : "false", json_is_true(v) ? 4 : 5, cut);
    } else if (!json_is_null(v)) {
        char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        if (!s)
            return kam_fail(ctx->err, KAM_EINTERNAL, "", "a cell's JSON could not be written");
        put_cell(b, s, strlen(s), cut);
        free(s);
    }
    return KAM_OK;
}

/* The cell of a JSON value; text in the arena a (or borrowed from v). An array is its
 * elements' texts joined with ", "; an object its JSON; either cut at CELL_MAX bytes with a
 * visible " …". */
static enum kam_err cell_of(struct kam_ctx *ctx, struct arena *a, json_t *v, struct export_cell *x)
{
    memset(x, 0, sizeof *x);
    if (!v || json_is_null(v)) {
        x->text = "";
    } else if (json_is_string(v)) {
        x->text = json_string_value(v);
    } else if (json_is_integer(v)) {
        x->num = (int64_t)json_integer_value(v);
    } else if (json_is_real(v)) {
        double r = json_real_value(v);
        int d = 0;
        double scaled = r;
        while (d < 6 && fabs(scaled - nearbyint(scaled)) > 1e-9 * (fabs(scaled) + 1)) {
            scaled *= 10;
            d++;
        }
        if (fabs(scaled) < 9e15) {
            x->num = (int64_t)llrint(scaled);
            x->decimals = d;
        } else {
            x->text = arena_printf(a, "%.15g", r);
        }
    } else {
        struct buf b;
        buf_init(&b, CELL_MAX + sizeof CUT_MARK);
        int cut = 0;
        enum kam_err rc = KAM_OK;
        if (json_is_array(v)) {
            size_t i;
            json_t *e;
            json_array_foreach(v, i, e)
            {
                if (i)
                    put_cell(&b, ", ", 2, &cut);
                if ((rc = json_text(ctx, &b, e, &cut)) || cut)
                    break;
            }
        } else {
            rc = json_text(ctx, &b, v, &cut);
        }
        if (!rc && cut)
            buf_puts(&b, CUT_MARK);
        if (!rc && !buf_ok(&b))
            rc = kam_fail(ctx->err, KAM_EINTERNAL, "", "a cell outgrew its cap");
        if (!rc)
            x->text = arena_strdup(a, b.data ? b.data : "");
        buf_release(&b);
        return rc;
    }
    return KAM_OK;
}

/* The words of a worded column's value (its catalogue text in the reader's language, or the
 * value itself when the catalogue has none), cached per column. */
static const char *word_of(struct wctx *w, struct col *c, const char *code)
{
    for (size_t i = 0; i < c->nwords; i++)
        if (strcmp(c->words[i].code, code) == 0)
            return c->words[i].text;
    char key[160], text[400];
    const char *out = code;
    if (snprintf(key, sizeof key, "enum.%s.%s", c->group, code) < (int)sizeof key &&
        msg_render(w->lang, key, NULL, 0, text, sizeof text) > 0)
        out = arena_strdup(w->a, text);
    if (!c->words)
        c->words = arena_calloc(w->a, WORDS_MAX, sizeof *c->words);
    if (c->nwords < WORDS_MAX) {
        c->words[c->nwords].code = arena_strdup(w->a, code);
        c->words[c->nwords].text = out == code ? c->words[c->nwords].code : out;
        return c->words[c->nwords++].text;
    }
    return out == code ? arena_strdup(w->ctx->a, code) : out; /* code lives in the page */
}

/* A user's display name (the login when it has none, "#id" when there is no such user), looked
 * up once per export. */
static enum kam_err user_name(struct wctx *w, int64_t id, const char **out)
{
    if (!w->uid) {
        w->uid = arena_calloc(w->a, USERS_SLOTS, sizeof *w->uid);
        w->uname = arena_calloc(w->a, USERS_SLOTS, sizeof *w->uname);
    }
    size_t h = (size_t)((uint64_t)id * 0x9E3779B97F4A7C15ull >> 51) & (USERS_SLOTS - 1);
    while (w->uid[h]) {
        if (w->uid[h] == id) {
            *out = w->uname[h];
            return KAM_OK;
        }
        h = (h + 1) & (USERS_SLOTS - 1);
    }
    struct user u;
    enum kam_err rc = w->names ? user_get(w->ctx, id, &u) : KAM_ENOTFOUND;
    const char *name;
    if (rc == KAM_ENOTFOUND) {
        kam_error_clear(w->ctx->err);
        name = arena_printf(w->a, "#%lld", (long long)id);
    } else if (rc) {
        return rc;
    } else {
        name = arena_strdup(w->a, u.name && *u.name ? u.name : u.login ? u.login : "");
    }
    if (w->nusers < USERS_CAP) {
        w->uid[h] = id;
        w->uname[h] = name;
        w->nusers++;
    }
    *out = name;
    return KAM_OK;
}

/* The cell of column c of an item: worded unless raw. */
static enum kam_err col_cell(struct wctx *w, struct col *c, json_t *item, struct export_cell *x)
{
    struct kam_ctx *ctx = w->ctx;
    json_t *v = lookup(item, c->key);
    if (!w->raw && !c->raw && v && !json_is_null(v)) {
        memset(x, 0, sizeof *x);
        if (c->kind == COL_BOOL && json_is_boolean(v)) {
            x->text = json_is_true(v) ? w->yes : w->no;
            return KAM_OK;
        }
        if (c->kind == COL_ENUM && (json_is_string(v) || json_is_integer(v))) {
            const char *code = json_is_string(v)
                                   ? json_string_value(v)
                                   : arena_printf(ctx->a, "%lld", (long long)json_integer_value(v));
            x->text = word_of(w, c, code);
            return KAM_OK;
        }
        if (c->kind == COL_USER && json_is_integer(v))
            return user_name(w, (int64_t)json_integer_value(v), &x->text);
    }
    enum kam_err rc = cell_of(ctx, ctx->a, v, x);
    if (!rc && c->cur_key && json_is_integer(v))
        x->decimals = minor_digits(json_string_value(lookup(item, c->cur_key)));
    return rc;
}

static const struct route *list_route_of(const struct route *export)
{
    size_t n = strlen(export->path);
    static const char suffix[] = "/export";
    if (n <= sizeof suffix - 1 || strcmp(export->path + n - (sizeof suffix - 1), suffix) != 0)
        return NULL;
    for (int i = 0;; i++) {
        const struct route *rt = api_route_at(i);
        if (!rt)
            return NULL;
        if (rt->fn != api_list_export && strcmp(rt->method, "GET") == 0 &&
            strlen(rt->path) == n - (sizeof suffix - 1) &&
            strncmp(rt->path, export->path, n - (sizeof suffix - 1)) == 0)
            return rt;
    }
}

/* The export's own parameters, not passed to the list. */
static int own_param(const char *k)
{
    return !strcmp(k, "format") || !strcmp(k, "columns") || !strcmp(k, "lang") || !strcmp(k, "raw");
}

void api_list_export_query(const char *export_path, const char **q)
{
    struct route ex = {.path = export_path};
    const struct route *list = list_route_of(&ex);
    size_t n = 0;
    for (const char *const *p = list ? list->query : NULL; p && *p; p++)
        if (strcmp(*p, "limit") && strcmp(*p, "cursor") && !own_param(*p) &&
            n < API_EXPORT_QUERY_MAX - 5)
            q[n++] = *p;
    q[n++] = "format";
    q[n++] = "columns";
    q[n++] = "lang";
    q[n++] = "raw";
    q[n] = NULL;
}

/* 'attachment; filename="x"; filename*=UTF-8''x' (RFC 6266 / 5987). */
static const char *disposition(struct arena *a, const char *name)
{
    struct buf b;
    buf_init(&b, 4096);
    buf_puts(&b, "attachment; filename=\"");
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        buf_putc(&b, *p < 0x20 || *p >= 0x7f || *p == '"' || *p == '\\' ? '_' : (char)*p);
    buf_puts(&b, "\"; filename*=UTF-8''");
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~", *p))
            buf_putc(&b, (char)*p);
        else
            buf_printf(&b, "%%%02X", *p);
    }
    const char *s = arena_strdup(a, b.data);
    buf_release(&b);
    return s;
}

/* "accounts", "account-12-contacts": the file name's stem, from the list path. */
static const char *file_stem(struct api_call *c, const struct route *list)
{
    const char *p = list->path + strlen("/api/v1/");
    const char *last = strrchr(p, '/');
    if (list->scope == SCOPE_ACCOUNT && last)
        return arena_printf(c->ctx->a, "account-%lld-%s", (long long)c->id[0], last + 1);
    return arena_strdup(c->ctx->a, last ? last + 1 : p);
}

/* ---- at most N exports at once ---- */

static atomic_int exports_running, exports_cap = API_EXPORTS_DEFAULT;

void api_exports_limit(int n)
{
    atomic_store(&exports_cap, n < 1 ? 1 : n);
}

static int slot_take(void)
{
    int cur = atomic_load(&exports_running);
    while (cur < atomic_load(&exports_cap))
        if (atomic_compare_exchange_weak(&exports_running, &cur, cur + 1))
            return 1;
    return 0;
}

static void slot_give(void *arg)
{
    (void)arg;
    atomic_fetch_sub(&exports_running, 1);
}

/* The reader's language: lang=, else Accept-Language, else English. */
static enum kam_err export_lang(struct api_call *c, enum msg_lang *out)
{
    const char *l = api_query_str(c, "lang");
    if (!l) {
        *out = msg_lang_parse(c->req->header ? c->req->header(c->req, "Accept-Language") : NULL);
        return KAM_OK;
    }
    for (int i = 0; i < MSG_LANG_COUNT; i++)
        if (strcasecmp(l, msg_lang_tag((enum msg_lang)i)) == 0) {
            *out = (enum msg_lang)i;
            return KAM_OK;
        }
    return kam_fail_key(c->ctx->err, KAM_EINVAL, "lang", "not_one_of",
                        (const struct kam_param[]){{"allowed", "zh-CN, zh-TW, en"}, {0, 0}},
                        "lang must be one of: zh-CN, zh-TW, en");
}

/* The list's request: the export's, but its headers answer Accept-Language with the export's
 * language (lang= wins over the header: a list that words texts itself, as care's occasion
 * names, writes them in the file's language). */
struct sub_req {
    struct http_req req; /* first: the list's handler is given &req */
    const struct http_req *orig;
    const char *lang;
};

static const char *sub_header(const struct http_req *r, const char *name)
{
    const struct sub_req *s = (const struct sub_req *)r;
    if (strcasecmp(name, "Accept-Language") == 0)
        return s->lang;
    return s->orig->header ? s->orig->header(s->orig, name) : NULL;
}

/* The list request sub (the export's parameters but its own, no page) for route rt: only the
 * parameters rt takes. */
static void sub_request(struct api_call *c, const struct route *rt, const struct wctx *w,
                        struct sub_req *s)
{
    struct http_req *sub = &s->req;
    *sub = *c->req;
    s->orig = c->req;
    s->lang = msg_lang_tag(w->lang);
    sub->header = sub_header;
    sub->nquery = 0;
    for (int i = 0; i < c->req->nquery; i++) {
        const char *k = c->req->query[i].key;
        int takes = 0;
        for (const char *const *p = rt->query; p && *p && !takes; p++)
            takes = strcmp(*p, k) == 0;
        if (takes && !own_param(k) && strcmp(k, "limit") && strcmp(k, "cursor") &&
            sub->nquery < HTTP_MAX_QUERY_PARAMS - 2)
            sub->query[sub->nquery++] = c->req->query[i];
    }
}

/* The list's row count from its count route (<list>/count answering {"total":n}) when it has
 * one, else -1. */
static enum kam_err list_count(struct api_call *c, const struct route *list, const struct wctx *w,
                               int64_t *total)
{
    *total = -1;
    const struct route *count = NULL;
    size_t n = strlen(list->path);
    for (int i = 0; !count; i++) {
        const struct route *rt = api_route_at(i);
        if (!rt)
            return KAM_OK;
        if (strcmp(rt->method, "GET") == 0 && strncmp(rt->path, list->path, n) == 0 &&
            strcmp(rt->path + n, "/count") == 0)
            count = rt;
    }
    struct sub_req sub;
    sub_request(c, count, w, &sub);
    struct buf body;
    buf_init(&body, 4096);
    struct http_resp scratch = {0};
    buf_init(&scratch.body, 0);
    struct api_call cc = *c;
    cc.req = &sub.req;
    cc.export_raw = w->raw;
    cc.resp = &scratch;
    cc.route = count;
    cc.status = 200;
    jw_init(&cc.w, &body);
    enum kam_err rc = count->fn(&cc);
    if (!rc) {
        json_t *doc = json_loadb(body.data ? body.data : "", body.len, 0, NULL);
        json_t *t = doc ? json_object_get(doc, "total") : NULL;
        if (json_is_integer(t))
            *total = (int64_t)json_integer_value(t);
        else
            rc = kam_fail(c->ctx->err, KAM_EINTERNAL, "", "the count route answered no total");
        json_decref(doc);
    }
    buf_release(&body);
    buf_release(&scratch.body);
    return rc;
}

static enum kam_err export_rows(struct api_call *c, const struct route *list, struct cols *cols,
                                struct wctx *w, struct export_stream *st);

enum kam_err api_list_export(struct api_call *c)
{
    struct kam_ctx *ctx = c->ctx;
    const struct route *list = list_route_of(c->route);
    size_t rlen = list && list->resp ? strlen(list->resp) : 0;
    if (!list || rlen < 3 || list->resp[0] != '[' || list->resp[rlen - 1] != ']')
        return kam_fail(ctx->err, KAM_EINTERNAL, "", "no list route for %s", c->route->path);
    const char *format = api_query_str(c, "format");
    if (format && strcmp(format, "csv") && strcmp(format, "xlsx"))
        return kam_fail(ctx->err, KAM_EINVAL, "format", "format must be csv or xlsx");
    struct wctx w = {.ctx = ctx, .a = ctx->a};
    enum kam_err rc;
    if ((rc = export_lang(c, &w.lang)))
        return rc;
    const char *raw = api_query_str(c, "raw");
    if (raw && strcmp(raw, "0") && strcmp(raw, "1") && strcmp(raw, "true") && strcmp(raw, "false"))
        return kam_fail(ctx->err, KAM_EINVAL, "raw", "raw must be 0 or 1");
    w.raw = raw && (!strcmp(raw, "1") || !strcmp(raw, "true"));
    w.names = policy_grant(ctx->who.role, OBJ_USER, ACT_READ) != GRANT_NONE;
    char word[64];
    w.yes = arena_strdup(
        ctx->a,
        msg_render(w.lang, "enum.bool.true", NULL, 0, word, sizeof word) > 0 ? word : "true");
    w.no = arena_strdup(
        ctx->a,
        msg_render(w.lang, "enum.bool.false", NULL, 0, word, sizeof word) > 0 ? word : "false");
    const char *shape = arena_printf(ctx->a, "%.*s", (int)(rlen - 2), list->resp + 1);
    const char *item_fields = shape_fields(list->resp + 1, rlen - 2);
    if (!item_fields)
        return kam_fail(ctx->err, KAM_EINTERNAL, "", "no shape %s", list->resp);
    struct cols all = {0}, cols = {0};
    shape_cols(ctx->a, &all, shape, "", item_fields, strlen(item_fields), 0);
    const char *spec = api_query_str(c, "columns");
    if (spec && *spec) {
        if ((rc = pick_cols(c, &all, spec, &cols)))
            return rc;
    } else {
        cols = all;
    }
    if (cols.n > EXPORT_MAX_COLS)
        cols.n = EXPORT_MAX_COLS;

    /* An .xlsx whose rows are known not to fit: refused before anything is written. */
    if (format && !strcmp(format, "xlsx")) {
        int64_t total;
        if ((rc = list_count(c, list, &w, &total)))
            return rc;
        if (total > (int64_t)export_xlsx_max_rows()) {
            char n[24], max[24];
            snprintf(n, sizeof n, "%lld", (long long)total);
            snprintf(max, sizeof max, "%u", export_xlsx_max_rows());
            return kam_fail_key(ctx->err, KAM_ETOOBIG, "format", "export.too_many_rows",
                                (const struct kam_param[]){{"n", n}, {"max", max}, {0, 0}},
                                "%s rows do not fit an .xlsx worksheet (%s at most); ask for "
                                "format=csv or narrow the filters",
                                n, max);
        }
    }

    if (!slot_take()) {
        http_resp_header(c->resp, "Retry-After", RETRY_AFTER);
        return kam_fail_key(ctx->err, KAM_EBUSY, "", "export.busy", NULL,
                            "too many exports are running; retry in a moment");
    }
    const char *ct;
    struct export_stream st;
    if ((rc = export_stream_open(&st, ctx, format, file_stem(c, list), &ct))) {
        slot_give(NULL);
        return rc;
    }
    if (!(rc = export_rows(c, list, &cols, &w, &st))) {
        int fd;
        uint64_t size;
        if (!(rc = export_stream_finish(&st, &fd, &size))) {
            http_resp_file(c->resp, fd, size);
            /* the slot is given back when the server is done sending the file */
            c->resp->done = slot_give;
            c->resp->done_arg = NULL;
        }
    } else {
        export_stream_abort(&st);
    }
    if (rc) {
        slot_give(NULL);
        return rc;
    }
    c->resp->content_type = ct;
    char day[32];
    time_iso(ctx->now, day, sizeof day);
    day[10] = 0;
    http_resp_header(c->resp, "Content-Disposition",
                     disposition(ctx->a, arena_printf(ctx->a, "%s-%s.%s", file_stem(c, list), day,
                                                      st.xlsx ? "xlsx" : "csv")));
    return KAM_OK;
}

/* The header, then the list's items page after page, as rows of st. */
static enum kam_err export_rows(struct api_call *c, const struct route *list, struct cols *cols,
                                struct wctx *w, struct export_stream *st)
{
    struct kam_ctx *ctx = c->ctx;
    const char **labels = arena_calloc(ctx->a, cols->n, sizeof *labels);
    for (size_t i = 0; i < cols->n; i++)
        labels[i] = cols->v[i].label;
    enum kam_err rc = export_stream_header(st, labels, cols->n);
    if (rc)
        return rc;
    struct export_cell *cells = arena_calloc(ctx->a, cols->n, sizeof *cells);

    /* The list's request: the export's parameters but its own, plus a page. */
    struct sub_req s;
    sub_request(c, list, w, &s);
    struct http_req *sub = &s.req;
    int base = sub->nquery;
    char limit[16];
    snprintf(limit, sizeof limit, "%d", PAGE);
    sub->query[sub->nquery++] = (struct http_param){"limit", limit};

    struct arena *req_arena = ctx->a;
    struct buf page;
    buf_init(&page, HTTP_MAX_RESPONSE);
    struct http_resp scratch = {0};
    buf_init(&scratch.body, 0);
    char *cursor = NULL;
    for (;;) {
        struct arena pa;
        arena_init(&pa);
        sub->a = &pa;
        sub->nquery = base + 1;
        if (cursor)
            sub->query[sub->nquery++] = (struct http_param){"cursor", arena_strdup(&pa, cursor)};
        ctx->a = &pa;
        buf_reset(&page);
        struct api_call lc = *c;
        lc.req = sub;
        lc.export_raw = w->raw;
        lc.resp = &scratch;
        lc.route = list;
        lc.status = 200;
        jw_init(&lc.w, &page);
        rc = list->fn(&lc);
        if (!rc && !buf_ok(&page))
            rc = kam_fail(ctx->err, KAM_EINTERNAL, "", "a page of the list is too large");
        json_t *doc = NULL;
        if (!rc) {
            json_error_t jerr;
            doc = json_loadb(page.data ? page.data : "", page.len, 0, &jerr);
            if (!doc)
                rc = kam_fail(ctx->err, KAM_EINTERNAL, "", "the list's page does not parse: %s",
                              jerr.text);
        }
        json_t *items = doc ? json_object_get(doc, "items") : NULL;
        size_t i;
        json_t *item;
        if (!rc && !json_is_array(items))
            rc = kam_fail(ctx->err, KAM_EINTERNAL, "", "the list's page has no items");
        if (!rc) {
            json_array_foreach(items, i, item)
            {
                for (size_t k = 0; k < cols->n && !rc; k++)
                    rc = col_cell(w, &cols->v[k], item, &cells[k]);
                if (rc || (rc = export_stream_row(st, cells)))
                    break;
            }
        }
        json_t *next = doc ? json_object_get(doc, "next_cursor") : NULL;
        char *prev = cursor;
        cursor = !rc && json_is_string(next) && *json_string_value(next)
                     ? strdup(json_string_value(next))
                     : NULL;
        if (!rc && !cursor && json_is_string(next) && *json_string_value(next))
            rc = kam_fail(ctx->err, KAM_EINTERNAL, "", "out of memory");
        if (cursor && prev && strcmp(cursor, prev) == 0) {
            free(cursor);
            cursor = NULL;
            rc = kam_fail(ctx->err, KAM_EINTERNAL, "", "the list's cursor does not advance");
        }
        free(prev);
        json_decref(doc);
        ctx->a = req_arena;
        arena_release(&pa);
        if (rc || !cursor)
            break;
    }
    free(cursor);
    buf_release(&page);
    buf_release(&scratch.body);
    return rc;
}
