/* dispute_doc.c -- a dispute's dossier (dispute.h): the dispute, its stages and events, its
 * contract with its obligations, the breach and its evidence, and the audit trail of the
 * dispute, its contract and its breach with the result of the hash-chain verification; as a
 * printable A4 page (like the quote, svc/offers/quote_doc.c) and as an .xlsx workbook. Labels
 * are bilingual (中文 / English): a dossier goes to lawyers of either language. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "base/timeutil.h"
#include "dispute.h"
#include "store/db.h"
#include "svc/core/audit.h"
#include "svc/core/rows.h"
#include "svc/offers/quote_doc.h"

#define DOSSIER_AUDIT_MAX 2000

static const char *dup_or_empty(struct kam_ctx *ctx, struct db_stmt *st, int i)
{
    return db_col_is_null(st, i) ? "" : arena_strdup(ctx->a, db_col_text(st, i));
}

static enum kam_err load_contract(struct kam_ctx *ctx, struct dispute_dossier *d)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT number, title, kind, our_party, their_party, "
                                 "our_signatory, their_signatory, starts_on, ends_on, status, "
                                 "currency FROM contracts WHERE id = ?",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, d->d.contract_id);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row) {
        d->has_contract = 1;
        const char **f[] = {&d->c_number,          &d->c_title,       &d->c_kind,
                            &d->c_our_party,       &d->c_their_party, &d->c_our_signatory,
                            &d->c_their_signatory, &d->c_starts_on,   &d->c_ends_on,
                            &d->c_status,          &d->c_currency};
        for (int i = 0; i < 11; i++)
            *f[i] = dup_or_empty(ctx, st, i);
    }
    db_done(st);
    if (rc || !d->has_contract)
        return rc;
    if ((rc = db_prepare(ctx->db,
                         "SELECT side, kind, title, due_on, target FROM contract_obligations "
                         "WHERE contract_id = ? ORDER BY id LIMIT 200",
                         &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, d->d.contract_id);
    d->obligations = arena_calloc(ctx->a, 200, sizeof *d->obligations);
    while (d->n_obligations < 200 && !(rc = db_step(st, &row, ctx->err)) && row) {
        struct dossier_obligation *o = &d->obligations[d->n_obligations++];
        o->side = dup_or_empty(ctx, st, 0);
        o->kind = dup_or_empty(ctx, st, 1);
        o->title = dup_or_empty(ctx, st, 2);
        o->due_on = dup_or_empty(ctx, st, 3);
        o->has_target = !db_col_is_null(st, 4);
        o->target = o->has_target ? db_col_i64(st, 4) : 0;
    }
    db_done(st);
    return rc;
}

static enum kam_err load_breach(struct kam_ctx *ctx, struct dispute_dossier *d)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT kind, side, occurrence, severity, status, currency, "
                                 "evidence, at_stake FROM contract_breaches WHERE id = ?",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, d->d.breach_id);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row) {
        d->has_breach = 1;
        d->b_kind = dup_or_empty(ctx, st, 0);
        d->b_side = dup_or_empty(ctx, st, 1);
        d->b_occurrence = dup_or_empty(ctx, st, 2);
        d->b_severity = dup_or_empty(ctx, st, 3);
        d->b_status = dup_or_empty(ctx, st, 4);
        d->b_currency = dup_or_empty(ctx, st, 5);
        d->b_evidence = dup_or_empty(ctx, st, 6);
        d->b_at_stake = db_col_i64(st, 7);
    }
    db_done(st);
    return rc;
}

static enum kam_err load_audit(struct kam_ctx *ctx, struct dispute_dossier *d)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        "SELECT a.id, a.seq, a.at, a.user_id, u.name, u.login, a.entity, a.entity_id, a.action, "
        "a.changes FROM audit a LEFT JOIN users u ON u.id = a.user_id WHERE (a.entity = "
        "'dispute' AND a.entity_id = ?) OR (a.entity = 'dispute_stage' AND a.entity_id IN "
        "(SELECT id FROM dispute_stages WHERE dispute_id = ?)) OR (a.entity = 'dispute_event' AND "
        "a.entity_id IN (SELECT id FROM dispute_events WHERE dispute_id = ?)) OR (a.entity = "
        "'contract' AND a.entity_id = ?) OR (a.entity = 'contract_obligation' AND a.entity_id IN "
        "(SELECT id FROM contract_obligations WHERE contract_id = ?)) OR (a.entity = 'breach' AND "
        "a.entity_id = ?) ORDER BY a.id LIMIT 2000",
        &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, d->d.id);
    db_bind_i64(st, 2, d->d.id);
    db_bind_i64(st, 3, d->d.id);
    db_bind_i64(st, 4, d->d.has_contract ? d->d.contract_id : 0);
    db_bind_i64(st, 5, d->d.has_contract ? d->d.contract_id : 0);
    db_bind_i64(st, 6, d->d.has_breach ? d->d.breach_id : 0);
    d->audit = arena_calloc(ctx->a, DOSSIER_AUDIT_MAX, sizeof *d->audit);
    int row = 0;
    while (d->n_audit < DOSSIER_AUDIT_MAX && !(rc = db_step(st, &row, ctx->err)) && row) {
        struct dossier_audit *x = &d->audit[d->n_audit++];
        x->id = db_col_i64(st, 0);
        x->seq = db_col_is_null(st, 1) ? 0 : db_col_i64(st, 1);
        x->at = db_col_i64(st, 2);
        x->has_user = !db_col_is_null(st, 3);
        x->user_id = x->has_user ? db_col_i64(st, 3) : 0;
        const char *name = dup_or_empty(ctx, st, 4);
        x->user_name = *name ? name : dup_or_empty(ctx, st, 5);
        x->entity = dup_or_empty(ctx, st, 6);
        x->entity_id = db_col_i64(st, 7);
        x->action = dup_or_empty(ctx, st, 8);
        x->changes = dup_or_empty(ctx, st, 9);
    }
    db_done(st);
    return rc;
}

enum kam_err dispute_dossier_load(struct kam_ctx *ctx, int64_t id, struct dispute_dossier *d)
{
    memset(d, 0, sizeof *d);
    d->generated_at = ctx->now;
    enum kam_err rc;
    if ((rc = dispute_get(ctx, id, &d->d)) ||
        (rc = dispute_stages_of(ctx, id, &d->stages, &d->n_stages)) ||
        (rc = dispute_events_of(ctx, id, &d->events, &d->n_events)) ||
        (d->d.has_contract && (rc = load_contract(ctx, d))) ||
        (d->d.has_breach && (rc = load_breach(ctx, d))) || (rc = load_audit(ctx, d)))
        return rc;
    struct audit_chain_report r;
    if ((rc = audit_chain_verify(ctx, &r)))
        return rc;
    d->chain_intact = r.intact;
    d->chain_rows = r.rows;
    d->chain_bad_seq = r.intact ? 0 : r.bad_seq;
    d->chain_problem = arena_strdup(ctx->a, r.intact ? "" : r.problem);
    return KAM_OK;
}

/* ---- HTML ---- */

static void esc(struct buf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&':
            buf_puts(b, "&amp;");
            break;
        case '<':
            buf_puts(b, "&lt;");
            break;
        case '>':
            buf_puts(b, "&gt;");
            break;
        case '"':
            buf_puts(b, "&quot;");
            break;
        case '\'':
            buf_puts(b, "&#39;");
            break;
        case '\n':
            buf_puts(b, "<br>");
            break;
        case '\r':
            break;
        default:
            buf_putc(b, *s);
        }
    }
}

static void th(struct buf *b, const char *label)
{
    buf_puts(b, "<th>");
    esc(b, label);
    buf_puts(b, "</th>");
}

static void td(struct buf *b, const char *text)
{
    buf_puts(b, "<td>");
    esc(b, text);
    buf_puts(b, "</td>");
}

static void kv(struct buf *b, const char *label, const char *value)
{
    buf_puts(b, "<tr><th>");
    esc(b, label);
    buf_puts(b, "</th><td>");
    esc(b, value && *value ? value : "—");
    buf_puts(b, "</td></tr>");
}

static const char *money(struct kam_ctx *ctx, const char *cur, int64_t v)
{
    char m[64];
    quote_money(m, sizeof m, cur, v);
    return arena_strdup(ctx->a, m);
}

static const char *num(struct kam_ctx *ctx, int64_t v)
{
    return arena_printf(ctx->a, "%lld", (long long)v);
}

static const char *iso(struct kam_ctx *ctx, int64_t t)
{
    char s[32];
    time_iso(t, s, sizeof s);
    return arena_strdup(ctx->a, s);
}

static const char dossier_css[] =
    "@page{size:A4;margin:16mm 14mm 18mm 14mm}*{box-sizing:border-box}"
    "body{font-family:'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft "
    "YaHei',sans-serif;font-size:10pt;color:#1f2329;margin:0;line-height:1.45}"
    ".sheet{max-width:182mm;margin:0 auto;padding:8mm 0}"
    "h1{font-size:16pt;color:#1f4e8c;border-bottom:2px solid #1f4e8c;padding-bottom:2mm}"
    "h2{font-size:12pt;margin:6mm 0 2mm;color:#1f4e8c}"
    "table{width:100%;border-collapse:collapse;font-size:9pt}"
    "th,td{border-bottom:1px solid #e3e7ee;padding:1.2mm;text-align:left;vertical-align:top}"
    "table.kv th{width:45mm;color:#555;font-weight:600}"
    "table.list th{background:#eef2f8;border-bottom:1px solid #9fb0c8}"
    "thead{display:table-header-group}tr{break-inside:avoid;page-break-inside:avoid}"
    "pre{white-space:pre-wrap;word-break:break-all;font-size:8pt;background:#f6f8fa;padding:2mm}"
    ".ok{color:#1e7b34;font-weight:700}.bad{color:#c0392b;font-weight:700}"
    "td.changes{font-family:monospace;font-size:7.5pt;word-break:break-all}"
    "@media screen{body{background:#f3f5f8}.sheet{background:#fff;padding:12mm 14mm;margin:4mm "
    "auto}}";

enum kam_err dispute_dossier_html(struct kam_ctx *ctx, const struct dispute_dossier *d,
                                  struct buf *b)
{
    const struct dispute *x = &d->d;
    buf_puts(b, "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><meta "
                "name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>");
    esc(b, "争议卷宗 Dispute dossier: ");
    esc(b, x->title);
    buf_puts(b, "</title><style>");
    buf_puts(b, dossier_css);
    buf_puts(b, "</style></head><body><div class=\"sheet\"><h1>争议卷宗 Dispute dossier #");
    esc(b, num(ctx, x->id));
    buf_puts(b, "</h1>");

    buf_puts(b, "<section id=\"dispute\"><h2>争议 Dispute</h2><table class=\"kv\">");
    kv(b, "标题 Title", x->title);
    kv(b, "客户 Account", x->account_name);
    kv(b, "对方 Counterpart", x->counterpart);
    kv(b, "索赔金额 Amount claimed", money(ctx, x->currency, x->amount_claimed));
    kv(b, "我方立场 Our position", x->our_position);
    kv(b, "对方立场 Their position", x->their_position);
    kv(b, "发生日 Arose on", x->arose_on);
    kv(b, "诉讼时效届满 Limitation (3 years)", x->limitation_on);
    kv(b, "阶段 Stage", x->stage);
    kv(b, "结果 Outcome", x->outcome ? x->outcome : "");
    kv(b, "结案日 Closed on", x->closed_on ? x->closed_on : "");
    kv(b, "和解金额 Settled amount",
       x->has_settled ? money(ctx, x->currency, x->settled_amount) : "");
    kv(b, "结果说明 Outcome note", x->outcome_note);
    buf_puts(b, "</table></section>");

    buf_puts(b, "<section id=\"stages\"><h2>阶段 Stages</h2><table class=\"list\"><thead><tr>");
    th(b, "阶段 Stage");
    th(b, "开始 Started");
    th(b, "结束 Ended");
    th(b, "期限 Deadline");
    th(b, "机构 Forum");
    th(b, "参与人 Participants");
    th(b, "费用 Cost");
    th(b, "备注 Note");
    buf_puts(b, "</tr></thead><tbody>");
    for (size_t i = 0; i < d->n_stages; i++) {
        const struct dispute_stage *s = &d->stages[i];
        buf_puts(b, "<tr>");
        td(b, s->stage);
        td(b, s->started_on);
        td(b, s->ended_on ? s->ended_on : "");
        td(b,
           s->deadline_on ? arena_printf(ctx->a, "%s %s", s->deadline_on, s->deadline_note) : "");
        td(b, s->forum);
        td(b, s->participants);
        td(b, money(ctx, x->currency, s->cost));
        td(b, s->note);
        buf_puts(b, "</tr>");
    }
    buf_puts(b, "</tbody></table></section>");

    buf_puts(b, "<section id=\"events\"><h2>事件 Events</h2><table class=\"list\"><thead><tr>");
    th(b, "日期 Day");
    th(b, "类型 Kind");
    th(b, "内容 Text");
    th(b, "金额 Amount");
    buf_puts(b, "</tr></thead><tbody>");
    for (size_t i = 0; i < d->n_events; i++) {
        const struct dispute_event *e = &d->events[i];
        buf_puts(b, "<tr>");
        td(b, e->day);
        td(b, e->kind);
        td(b, e->text);
        td(b, e->has_amount ? money(ctx, x->currency, e->amount) : "");
        buf_puts(b, "</tr>");
    }
    buf_puts(b, "</tbody></table></section>");

    buf_puts(b, "<section id=\"contract\"><h2>合同 Contract</h2>");
    if (!d->has_contract) {
        buf_puts(b, "<p>无 None</p>");
    } else {
        buf_puts(b, "<table class=\"kv\">");
        kv(b, "编号 Number", d->c_number);
        kv(b, "名称 Title", d->c_title);
        kv(b, "类型 Kind", d->c_kind);
        kv(b, "我方 Our party", d->c_our_party);
        kv(b, "对方 Their party", d->c_their_party);
        kv(b, "我方签署人 Our signatory", d->c_our_signatory);
        kv(b, "对方签署人 Their signatory", d->c_their_signatory);
        kv(b, "期间 Period", arena_printf(ctx->a, "%s – %s", d->c_starts_on, d->c_ends_on));
        kv(b, "状态 Status", d->c_status);
        buf_puts(b, "</table><h2>义务 Obligations</h2><table class=\"list\"><thead><tr>");
        th(b, "方 Side");
        th(b, "类型 Kind");
        th(b, "名称 Title");
        th(b, "到期 Due");
        th(b, "目标 Target");
        buf_puts(b, "</tr></thead><tbody>");
        for (size_t i = 0; i < d->n_obligations; i++) {
            const struct dossier_obligation *o = &d->obligations[i];
            buf_puts(b, "<tr>");
            td(b, o->side);
            td(b, o->kind);
            td(b, o->title);
            td(b, o->due_on);
            td(b, o->has_target ? num(ctx, o->target) : "");
            buf_puts(b, "</tr>");
        }
        buf_puts(b, "</tbody></table>");
    }
    buf_puts(b, "</section>");

    buf_puts(b, "<section id=\"breach\"><h2>违约 Breach</h2>");
    if (!d->has_breach) {
        buf_puts(b, "<p>无 None</p>");
    } else {
        buf_puts(b, "<table class=\"kv\">");
        kv(b, "类型 Kind", d->b_kind);
        kv(b, "方 Side", d->b_side);
        kv(b, "期次 Occurrence", d->b_occurrence);
        kv(b, "严重度 Severity", d->b_severity);
        kv(b, "状态 Status", d->b_status);
        kv(b, "涉及金额 At stake", money(ctx, d->b_currency, d->b_at_stake));
        buf_puts(b, "</table><h2>证据 Evidence</h2><pre>");
        esc(b, d->b_evidence);
        buf_puts(b, "</pre>");
    }
    buf_puts(b, "</section>");

    buf_puts(b, "<section id=\"audit\"><h2>审计轨迹 Audit trail</h2><p>哈希链校验 Hash-chain "
                "verification: ");
    if (d->chain_intact) {
        buf_puts(b, "<span class=\"ok\">完整 intact</span> (");
        esc(b, num(ctx, d->chain_rows));
        buf_puts(b, " rows)");
    } else {
        buf_puts(b, "<span class=\"bad\">已损坏 broken</span>, first bad seq ");
        esc(b, num(ctx, d->chain_bad_seq));
        buf_puts(b, ": ");
        esc(b, d->chain_problem);
    }
    buf_puts(b, "</p><table class=\"list\"><thead><tr>");
    th(b, "序号 Seq");
    th(b, "时间 At");
    th(b, "人员 User");
    th(b, "对象 Record");
    th(b, "操作 Action");
    th(b, "变更 Changes");
    buf_puts(b, "</tr></thead><tbody>");
    for (size_t i = 0; i < d->n_audit; i++) {
        const struct dossier_audit *a = &d->audit[i];
        buf_puts(b, "<tr>");
        td(b, num(ctx, a->seq));
        td(b, iso(ctx, a->at));
        td(b, a->user_name);
        td(b, arena_printf(ctx->a, "%s #%lld", a->entity, (long long)a->entity_id));
        td(b, a->action);
        buf_puts(b, "<td class=\"changes\">");
        esc(b, a->changes);
        buf_puts(b, "</td></tr>");
    }
    buf_puts(b, "</tbody></table></section><p>生成于 Generated ");
    esc(b, iso(ctx, d->generated_at));
    buf_puts(b, "</p></div></body></html>\n");
    if (!buf_ok(b))
        return kam_fail(ctx->err, KAM_EINTERNAL, "", "out of memory");
    return KAM_OK;
}

/* ---- the workbook ---- */

struct sheet {
    lxw_worksheet *ws;
    lxw_row_t row;
    lxw_format *head, *wrap;
};

static lxw_error cell(struct sheet *s, int col, const char *text)
{
    return worksheet_write_string(s->ws, s->row, (lxw_col_t)col, text ? text : "", s->wrap);
}

static lxw_error header(struct sheet *s, const char *const *labels)
{
    lxw_error e = LXW_NO_ERROR;
    for (int i = 0; labels[i] && !e; i++)
        e = worksheet_write_string(s->ws, s->row, (lxw_col_t)i, labels[i], s->head);
    s->row++;
    return e;
}

static lxw_error line(struct sheet *s, const char *const *cells, int n)
{
    lxw_error e = LXW_NO_ERROR;
    for (int i = 0; i < n && !e; i++)
        e = cell(s, i, cells[i]);
    s->row++;
    return e;
}

static lxw_error new_sheet(lxw_workbook *wb, const char *name, struct sheet *s, lxw_format *head,
                           lxw_format *wrap)
{
    memset(s, 0, sizeof *s);
    s->ws = workbook_add_worksheet(wb, name);
    s->head = head;
    s->wrap = wrap;
    if (!s->ws)
        return LXW_ERROR_MEMORY_MALLOC_FAILED;
    return worksheet_set_column(s->ws, 0, 7, 20, NULL);
}

static lxw_error fill(struct kam_ctx *ctx, const struct dispute_dossier *d, lxw_workbook *wb)
{
    lxw_format *head = workbook_add_format(wb);
    format_set_bold(head);
    format_set_bg_color(head, 0xEEF2F8);
    lxw_format *wrap = workbook_add_format(wb);
    format_set_text_wrap(wrap);
    format_set_align(wrap, LXW_ALIGN_VERTICAL_TOP);
    const struct dispute *x = &d->d;
    struct sheet s;
    lxw_error e;
    if ((e = new_sheet(wb, "Dispute", &s, head, wrap)))
        return e;
    const char *rows[][2] = {
        {"标题 Title", x->title},
        {"客户 Account", x->account_name},
        {"对方 Counterpart", x->counterpart},
        {"索赔金额 Amount claimed", money(ctx, x->currency, x->amount_claimed)},
        {"我方立场 Our position", x->our_position},
        {"对方立场 Their position", x->their_position},
        {"发生日 Arose on", x->arose_on},
        {"诉讼时效届满 Limitation", x->limitation_on},
        {"阶段 Stage", x->stage},
        {"结果 Outcome", x->outcome ? x->outcome : ""},
        {"结案日 Closed on", x->closed_on ? x->closed_on : ""},
        {"和解金额 Settled amount",
         x->has_settled ? money(ctx, x->currency, x->settled_amount) : ""},
        {"哈希链 Hash chain", d->chain_intact
                                  ? "intact"
                                  : arena_printf(ctx->a, "broken at seq %lld: %s",
                                                 (long long)d->chain_bad_seq, d->chain_problem)},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0] && !e; i++)
        e = line(&s, rows[i], 2);
    if (e || (e = new_sheet(wb, "Stages", &s, head, wrap)) ||
        (e = header(&s, (const char *const[]){"stage", "started_on", "ended_on", "deadline_on",
                                              "deadline_note", "forum", "participants", "cost",
                                              "note", NULL})))
        return e;
    for (size_t i = 0; i < d->n_stages && !e; i++) {
        const struct dispute_stage *t = &d->stages[i];
        const char *c[] = {t->stage,
                           t->started_on,
                           t->ended_on ? t->ended_on : "",
                           t->deadline_on ? t->deadline_on : "",
                           t->deadline_note,
                           t->forum,
                           t->participants,
                           money(ctx, x->currency, t->cost),
                           t->note};
        e = line(&s, c, 9);
    }
    if (e || (e = new_sheet(wb, "Events", &s, head, wrap)) ||
        (e = header(&s, (const char *const[]){"day", "kind", "text", "amount", NULL})))
        return e;
    for (size_t i = 0; i < d->n_events && !e; i++) {
        const struct dispute_event *t = &d->events[i];
        const char *c[] = {t->day, t->kind, t->text,
                           t->has_amount ? money(ctx, x->currency, t->amount) : ""};
        e = line(&s, c, 4);
    }
    if (e || (e = new_sheet(wb, "Contract", &s, head, wrap)))
        return e;
    if (d->has_contract) {
        const char *c[][2] = {{"number", d->c_number},
                              {"title", d->c_title},
                              {"kind", d->c_kind},
                              {"our_party", d->c_our_party},
                              {"their_party", d->c_their_party},
                              {"our_signatory", d->c_our_signatory},
                              {"their_signatory", d->c_their_signatory},
                              {"starts_on", d->c_starts_on},
                              {"ends_on", d->c_ends_on},
                              {"status", d->c_status}};
        for (size_t i = 0; i < sizeof c / sizeof c[0] && !e; i++)
            e = line(&s, c[i], 2);
        s.row++;
        if (!e)
            e = header(&s,
                       (const char *const[]){"side", "kind", "title", "due_on", "target", NULL});
        for (size_t i = 0; i < d->n_obligations && !e; i++) {
            const struct dossier_obligation *o = &d->obligations[i];
            const char *r[] = {o->side, o->kind, o->title, o->due_on,
                               o->has_target ? num(ctx, o->target) : ""};
            e = line(&s, r, 5);
        }
    } else {
        e = cell(&s, 0, "none");
    }
    if (e || (e = new_sheet(wb, "Breach", &s, head, wrap)))
        return e;
    if (d->has_breach) {
        const char *c[][2] = {{"kind", d->b_kind},
                              {"side", d->b_side},
                              {"occurrence", d->b_occurrence},
                              {"severity", d->b_severity},
                              {"status", d->b_status},
                              {"at_stake", money(ctx, d->b_currency, d->b_at_stake)},
                              {"evidence", d->b_evidence}};
        for (size_t i = 0; i < sizeof c / sizeof c[0] && !e; i++)
            e = line(&s, c[i], 2);
    } else {
        e = cell(&s, 0, "none");
    }
    if (e || (e = new_sheet(wb, "Audit", &s, head, wrap)) ||
        (e = header(&s, (const char *const[]){"seq", "at", "user", "entity", "entity_id", "action",
                                              "changes", NULL})))
        return e;
    for (size_t i = 0; i < d->n_audit && !e; i++) {
        const struct dossier_audit *a = &d->audit[i];
        const char *c[] = {num(ctx, a->seq),       iso(ctx, a->at), a->user_name, a->entity,
                           num(ctx, a->entity_id), a->action,       a->changes};
        e = line(&s, c, 7);
    }
    return e;
}

static enum kam_err read_back(struct kam_ctx *ctx, const char *path, struct buf *out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return kam_fail(ctx->err, KAM_EIO, "", "the workbook could not be read back");
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(out, chunk, n);
    int bad = ferror(f);
    fclose(f);
    if (bad || !buf_ok(out))
        return kam_fail(ctx->err, KAM_EIO, "", "the workbook could not be read back");
    return KAM_OK;
}

enum kam_err dispute_dossier_xlsx(struct kam_ctx *ctx, const struct dispute_dossier *d,
                                  struct buf *out)
{
    const char *dir = getenv("TMPDIR");
    char path[512];
    snprintf(path, sizeof path, "%s/kam-dossier-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0)
        return kam_fail(ctx->err, KAM_EIO, "", "cannot create a temporary file");
    close(fd);
    lxw_workbook *wb = workbook_new(path);
    if (!wb) {
        unlink(path);
        return kam_fail(ctx->err, KAM_EIO, "", "cannot start the workbook");
    }
    enum kam_err rc;
    lxw_error e = fill(ctx, d, wb);
    if (e) {
        lxw_workbook_free(wb);
        rc = kam_fail(ctx->err, KAM_EIO, "", "the workbook could not be written: %s",
                      lxw_strerror(e));
    } else {
        e = workbook_close(wb);
        rc = e ? kam_fail(ctx->err, KAM_EIO, "", "the workbook could not be written: %s",
                          lxw_strerror(e))
               : read_back(ctx, path, out);
    }
    unlink(path);
    return rc;
}
