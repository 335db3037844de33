/* test_rules_sec.c -- unit tests of issue 10's field and assignment rules: the e-mail header
 * encoder (RFC 5322 / RFC 2047), Message-IDs, plain addresses, bidirectional controls, who may
 * be given work on an account (policy_user_may), and accounts named in a body answering alike
 * whether missing or out of scope (policy_body_account). */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/utf8.h"
#include "fixture.h"
#include "store/db.h"
#include "svc/core/check.h"
#include "svc/core/outbox.h"
#include "svc/core/policy.h"
#include "svc/core/user.h"
#include "svc/relationships/account.h"
#include "svc/relationships/issue.h"
#include "svc/volume/measure.h"
#include "test.h"

#define NOW 1790000000

/* ---- header decoding, enough to check what the encoder wrote ---- */

/* Unfolds header field `name` of msg (CRLF + WSP -> WSP) into a; NULL if absent. */
static char *header_of(struct arena *a, const char *msg, const char *name)
{
    size_t nl = strlen(name);
    for (const char *p = msg; *p;) {
        const char *eol = strstr(p, "\r\n");
        if (!eol || eol == p)
            return NULL; /* end of the header */
        if (!strncmp(p, name, nl) && p[nl] == ':') {
            const char *end = eol;
            while (end[2] == ' ' || end[2] == '\t')
                end = strstr(end + 2, "\r\n");
            char *out = arena_alloc(a, (size_t)(end - p) + 1), *w = out;
            for (const char *q = p + nl + 1; q < end; q++) {
                if (q[0] == '\r' && q[1] == '\n') {
                    q++;
                    continue;
                }
                *w++ = *q;
            }
            *w = 0;
            return out;
        }
        p = eol + 2;
    }
    return NULL;
}

/* Checks every physical line of the header block: at most max_line characters. */
static int lines_at_most(const char *msg, size_t max_line)
{
    for (const char *p = msg;;) {
        const char *eol = strstr(p, "\r\n");
        if (!eol || eol == p)
            return 1;
        if ((size_t)(eol - p) > max_line) {
            fprintf(stderr, "  line of %zu: %.*s\n", (size_t)(eol - p), (int)(eol - p), p);
            return 0;
        }
        p = eol + 2;
    }
}

/* Decodes an unfolded value made of "=?UTF-8?B?...?=" words separated by white space, with
 * an optional tail after the words (" <addr>"), which is returned in *tail_out. Each word
 * must be <= 75 characters and decode to whole UTF-8 characters on its own. */
static char *decode_words(struct arena *a, const char *v, const char **tail_out, int *ok)
{
    struct buf out;
    buf_init(&out, 1 << 16);
    *ok = 1;
    const char *p = v;
    for (;;) {
        while (*p == ' ')
            p++;
        if (strncmp(p, "=?UTF-8?B?", 10))
            break;
        const char *end = strstr(p + 10, "?=");
        if (!end) {
            *ok = 0;
            break;
        }
        if (end + 2 - p > 75) {
            fprintf(stderr, "  encoded-word of %d characters\n", (int)(end + 2 - p));
            *ok = 0;
        }
        unsigned char bin[64];
        size_t n = 0;
        if (sodium_base642bin(bin, sizeof bin, p + 10, (size_t)(end - p - 10), NULL, &n, NULL,
                              sodium_base64_VARIANT_ORIGINAL) ||
            !utf8_valid((const char *)bin, n)) {
            fprintf(stderr, "  encoded-word not whole UTF-8: %.*s\n", (int)(end + 2 - p), p);
            *ok = 0;
        }
        buf_append(&out, bin, n);
        p = end + 2;
    }
    if (tail_out)
        *tail_out = p;
    char *s = arena_strdup(a, out.data ? out.data : "");
    buf_release(&out);
    return s;
}

TEST(mail_from_encodes_the_display_name_only)
{
    struct arena a;
    arena_init(&a);
    const char *name, *addr;
    CHECK(outbox_parse_mailbox(&a, "KAM 大客户系统 <kam@example.com>", &name, &addr));
    CHECK_EQ_STR(name, "KAM 大客户系统");
    CHECK_EQ_STR(addr, "kam@example.com");
    struct buf b;
    buf_init(&b, 1 << 16);
    outbox_header_mailbox(&b, &a, "From", name, addr);
    buf_puts(&b, "\r\n");
    CHECK(lines_at_most(b.data, 76));
    const char *v = header_of(&a, b.data, "From"), *tail = NULL;
    int ok = 0;
    CHECK(v != NULL);
    if (v) {
        CHECK_EQ_STR(decode_words(&a, v, &tail, &ok), "KAM 大客户系统");
        CHECK(ok);
        CHECK_EQ_STR(tail, "<kam@example.com>");                      /* after the folding space */
        CHECK(strstr(v, "kam@example.com") && !strstr(v, "?B?a2Ft")); /* address never encoded */
    }
    buf_release(&b);
    arena_release(&a);
}

TEST(mail_display_names_ascii_atoms_or_quoted)
{
    struct arena a;
    arena_init(&a);
    struct buf b;
    buf_init(&b, 1 << 16);
    outbox_header_mailbox(&b, &a, "From", "KAM Mail", "kam@example.com");
    outbox_header_mailbox(&b, &a, "To", "Smith, John \"JJ\" \\", "j@example.com");
    outbox_header_mailbox(&b, &a, "Cc", "", "plain@example.com");
    CHECK_EQ_STR(b.data, "From: KAM Mail <kam@example.com>\r\n"
                         "To: \"Smith, John \\\"JJ\\\" \\\\\" <j@example.com>\r\n"
                         "Cc: plain@example.com\r\n");
    /* And back: the quoted-string is unquoted. */
    const char *name, *addr;
    CHECK(outbox_parse_mailbox(&a, "\"Smith, John \\\"JJ\\\"\" <j@example.com>", &name, &addr));
    CHECK_EQ_STR(name, "Smith, John \"JJ\"");
    CHECK_EQ_STR(addr, "j@example.com");
    CHECK(outbox_parse_mailbox(&a, "kam@localhost", &name, &addr));
    CHECK_EQ_STR(name, "");
    /* Not one mailbox. */
    CHECK(!outbox_parse_mailbox(&a, "KAM <kam@example.com> x", &name, &addr));
    CHECK(!outbox_parse_mailbox(&a, "a@example.com, b@example.com", &name, &addr));
    CHECK(!outbox_parse_mailbox(&a, "KAM <x<evil@attacker.example>>", &name, &addr));
    buf_release(&b);
    arena_release(&a);
}

TEST(mail_long_subject_round_trips_in_short_words)
{
    struct arena a;
    arena_init(&a);
    /* 200 characters: Chinese, a four-byte emoji and ASCII at awkward places. */
    struct buf s;
    buf_init(&s, 4096);
    for (int i = 0; i < 196; i++)
        buf_puts(&s, i % 37 == 5 ? "😀" : i % 23 == 0 ? "A" : "客");
    buf_puts(&s, " end");
    CHECK_EQ_INT(utf8_chars(s.data, s.len), 200);
    struct buf b;
    buf_init(&b, 1 << 16);
    outbox_header_text(&b, &a, "Subject", s.data);
    buf_puts(&b, "\r\n");
    CHECK(lines_at_most(b.data, 76));
    const char *v = header_of(&a, b.data, "Subject"), *tail = NULL;
    int ok = 0;
    CHECK(v != NULL);
    if (v) {
        CHECK_EQ_STR(decode_words(&a, v, &tail, &ok), s.data);
        CHECK(ok);
        CHECK_EQ_STR(tail, "");
    }
    buf_release(&b);
    buf_release(&s);
    arena_release(&a);
}

TEST(mail_headers_cannot_be_injected)
{
    struct arena a;
    arena_init(&a);
    struct buf b;
    buf_init(&b, 1 << 16);
    outbox_header_text(&b, &a, "Subject", "Hello\r\nBcc: evil@attacker.example\n\r\x01x");
    CHECK_EQ_STR(b.data, "Subject: Hello  Bcc: evil@attacker.example   x\r\n");
    buf_reset(&b);
    outbox_header_mailbox(&b, &a, "From", "KAM\r\nBcc: evil@attacker.example", "kam@example.com");
    CHECK(strstr(b.data, "\r\nBcc") == NULL);
    /* ASCII that looks like an encoded-word is encoded, so it reads back as typed. */
    buf_reset(&b);
    outbox_header_text(&b, &a, "Subject", "=?UTF-8?B?SGk=?=");
    CHECK(strncmp(b.data, "Subject: =?UTF-8?B?", 19) == 0);
    /* A long ASCII subject folds at spaces and unfolds to itself. */
    buf_reset(&b);
    const char *words = "Quarterly business review with the purchasing director and the plant "
                        "manager about next year's volume";
    outbox_header_text(&b, &a, "Subject", words);
    CHECK(strstr(b.data, "\r\n ") != NULL);
    CHECK(lines_at_most(b.data, 78));
    const char *v = header_of(&a, b.data, "Subject");
    CHECK(v && v[0] == ' ' && !strcmp(v + 1, words));
    buf_release(&b);
    arena_release(&a);
}

TEST(mail_compose_refuses_a_recipient_in_brackets)
{
    struct arena a;
    arena_init(&a);
    struct mail_cfg cfg = {"smtp://127.0.0.1:9", "KAM 大客户系统 <kam@example.com>", NULL, NULL};
    struct buf b;
    buf_init(&b, 1 << 20);
    const char *why = NULL;
    CHECK_EQ_INT(outbox_compose(&a, &cfg, "<x@example.com>", "x<evil@attacker.example>", "s", "b",
                                NOW, &b, &why),
                 OUTBOX_REFUSED);
    CHECK_EQ_INT(outbox_compose(&a, &cfg, "<x@example.com>", "a@example.com, evil@attacker.example",
                                "s", "b", NOW, &b, &why),
                 OUTBOX_REFUSED);
    cfg.from = "KAM <not an address>";
    CHECK_EQ_INT(
        outbox_compose(&a, &cfg, "<x@example.com>", "zhang@example.cn", "s", "b", NOW, &b, &why),
        OUTBOX_RETRY);
    cfg.from = "KAM 大客户系统 <kam@example.com>";
    buf_reset(&b);
    CHECK_EQ_INT(outbox_compose(&a, &cfg, "<0123@example.com>", "zhang@example.cn", "生日快乐",
                                "第一行\n第二行\r第三行\r\n", NOW, &b, &why),
                 OUTBOX_OK);
    CHECK(strstr(b.data, "\r\nTo: zhang@example.cn\r\n") != NULL);
    CHECK(strstr(b.data, "\r\nMessage-ID: <0123@example.com>\r\n") != NULL);
    CHECK(strstr(b.data, "\r\n\r\n第一行\r\n第二行\r\n第三行\r\n\r\n") != NULL);
    buf_release(&b);
    arena_release(&a);
}

TEST(mail_message_ids_unique_stable_and_hosted)
{
    unsigned char k1[OUTBOX_MID_KEY], k2[OUTBOX_MID_KEY];
    randombytes_buf(k1, sizeof k1);
    randombytes_buf(k2, sizeof k2);
    char a[128], b[128], c[128], d[128];
    outbox_message_id(k1, 1, "example.com", a, sizeof a);
    outbox_message_id(k1, 2, "example.com", b, sizeof b);
    outbox_message_id(k1, 1, "example.com", c, sizeof c);
    outbox_message_id(k2, 1, "example.com", d, sizeof d);
    CHECK(strcmp(a, b) != 0); /* two messages */
    CHECK_EQ_STR(a, c);       /* one message, every attempt */
    CHECK(strcmp(a, d) != 0); /* two installations */
    CHECK_EQ_INT(strlen(a), 1 + 32 + 1 + strlen("example.com") + 1);
    CHECK(a[0] == '<' && strstr(a, "@example.com>") == a + 33);
    CHECK(strstr(a, "outbox") == NULL);
}

TEST(check_email_takes_one_plain_address)
{
    static const char *const good[] = {"zhang.wei@example.cn", "a@b.co",
                                       "o'brien+kam@mail.example.com", "x_y-z@sub-1.example.org",
                                       NULL};
    static const char *const bad[] = {"x<evil@attacker.example>",
                                      "Zhang <zhang@example.cn>",
                                      "<zhang@example.cn>",
                                      "a@example.com, b@example.com",
                                      "a@example.com;b@example.com",
                                      "\"a b\"@example.com",
                                      "a(comment)@example.com",
                                      "a b@example.com",
                                      "a..b@example.com",
                                      ".a@example.com",
                                      "a.@example.com",
                                      "a@localhost",
                                      "a@-example.com",
                                      "a@example-.com",
                                      "a@example..com",
                                      "a@192.168.0.1",
                                      "a@[192.168.0.1]",
                                      "张伟@example.cn",
                                      "a@b@example.com",
                                      "@example.com",
                                      "a@",
                                      NULL};
    for (int i = 0; good[i]; i++) {
        CHECK(check_addr_spec(good[i], 2));
        if (!check_addr_spec(good[i], 2))
            fprintf(stderr, "  refused %s\n", good[i]);
    }
    for (int i = 0; bad[i]; i++) {
        CHECK(!check_addr_spec(bad[i], 2));
        if (check_addr_spec(bad[i], 2))
            fprintf(stderr, "  accepted %s\n", bad[i]);
    }
    /* RFC 5321 lengths: local part 64, whole address 254. */
    char local[80], addr[300];
    memset(local, 'l', 64);
    local[64] = 0;
    snprintf(addr, sizeof addr, "%s@example.com", local);
    CHECK(check_addr_spec(addr, 2));
    snprintf(addr, sizeof addr, "%sl@example.com", local);
    CHECK(!check_addr_spec(addr, 2));
    char dom[260];
    memset(dom, 0, sizeof dom);
    for (int i = 0; i < 4; i++)
        strcat(dom, i ? ".aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                      : "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    snprintf(addr, sizeof addr, "abc@%s.cn", dom); /* 4 + 251 = 255 characters */
    CHECK(!check_addr_spec(addr, 2));
    CHECK(check_addr_spec("kam@localhost", 1));
}

TEST(check_text_refuses_bidi_controls)
{
    struct arena a;
    arena_init(&a);
    struct kam_error e = {0};
    struct kam_ctx ctx = {.a = &a, .err = &e};
    static const char *const bidi[] = {"\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
                                       "\u2066", "\u2067", "\u2068", "\u2069", NULL};
    for (int i = 0; bidi[i]; i++) {
        char s[64];
        snprintf(s, sizeof s, "ACME%sgpj.exe", bidi[i]);
        kam_error_clear(&e);
        CHECK_EQ_INT(check_text(&ctx, "name", s, 1, 100, 0), KAM_EINVAL);
        CHECK_EQ_STR(e.field, "name");
        kam_error_clear(&e);
        CHECK_EQ_INT(check_text(&ctx, "notes", s, 0, 100, 1), KAM_EINVAL);
        CHECK_EQ_STR(e.field, "notes");
    }
    /* Implicit marks stay: right-to-left names use them. */
    kam_error_clear(&e);
    CHECK_EQ_INT(check_text(&ctx, "name", "\u05e9\u05dc\u05d5\u05dd\u200f 12", 1, 100, 0), KAM_OK);
    CHECK_EQ_INT(check_text(&ctx, "name", "abc\u200edef\u061c", 1, 100, 0), KAM_OK);
    /* Unicode line breaks are line breaks: single-line fields refuse them, notes keep them. */
    CHECK_EQ_INT(check_text(&ctx, "name", "a\u2028b", 1, 100, 0), KAM_EINVAL);
    kam_error_clear(&e);
    CHECK_EQ_INT(check_text(&ctx, "notes", "a\u2029b", 0, 100, 1), KAM_OK);
    /* Neighbours of the refused ranges pass. */
    CHECK_EQ_INT(check_text(&ctx, "name", "a\u2027b\u202fc\u2065d\u206ae", 1, 100, 0), KAM_OK);
    arena_release(&a);
}

/* ---- who may be given work: a small world ---- */

struct fx {
    struct fixture fix;
    int64_t lead, am, am2, service, viewer, finance, director, off, team, acc, acc2;
};

static struct kam_ctx *C(struct fx *f)
{
    return fixture_ctx(&f->fix);
}

static int64_t mk_user(struct fx *f, const char *login, const char *role, int64_t team, int *ok)
{
    struct user_in ui = {.set = USR_LOGIN | USR_ROLE | USR_PASSWORD | USR_TEAM,
                         .password = "password-123"};
    ui.v.login = login;
    ui.v.role = role;
    ui.v.has_team = team != 0;
    ui.v.team_id = team;
    struct user u = {0};
    *ok = *ok && !user_create(C(f), &ui, &u);
    return u.id;
}

static int64_t mk_account(struct fx *f, const char *code, int64_t owner, int *ok)
{
    struct account_in ai = {.set = ACC_CODE | ACC_NAME | ACC_OWNER};
    ai.v.code = code;
    ai.v.name = code;
    ai.v.owner_id = owner;
    struct account acc = {0};
    *ok = *ok && !account_create(C(f), &ai, &acc);
    return acc.id;
}

/* Team East (manager lead): am, service, viewer. am2 in no team. acc owned by am with the
 * service engineer on its team; acc2 owned by am2. */
static int fx_open(struct fx *f)
{
    memset(f, 0, sizeof *f);
    if (!fixture_open(&f->fix, FIXTURE_MEMORY, NOW))
        return 0;
    struct team_in ti = {.set = TEAM_NAME};
    ti.v.name = "East";
    struct team t;
    int ok = !team_create(C(f), &ti, &t);
    f->team = t.id;
    f->lead = mk_user(f, "lead", "team_lead", f->team, &ok);
    f->am = mk_user(f, "am", "account_manager", f->team, &ok);
    f->service = mk_user(f, "service", "service", f->team, &ok);
    f->viewer = mk_user(f, "viewer", "viewer", f->team, &ok);
    f->am2 = mk_user(f, "am2", "account_manager", 0, &ok);
    f->finance = mk_user(f, "finance", "finance", 0, &ok);
    f->director = mk_user(f, "director", "director", 0, &ok);
    f->off = mk_user(f, "off", "account_manager", f->team, &ok);
    struct team_in tm = {.set = TEAM_MANAGER};
    tm.v.has_manager = 1;
    tm.v.manager_id = f->lead;
    ok = ok && !team_update(C(f), f->team, &tm, &t);
    f->acc = mk_account(f, "A1", f->am, &ok);
    f->acc2 = mk_account(f, "A2", f->am2, &ok);
    struct account_member m;
    ok = ok && !account_member_add(C(f), f->acc, f->service, "service", &m);
    ok = ok && !account_member_add(C(f), f->acc2, f->off, "sales", &m);
    ok = ok &&
         !db_exec_i64(f->fix.db, "UPDATE users SET disabled = 1 WHERE id = ?", f->off, &f->fix.e);
    return fixture_setup_end(&f->fix, ok);
}

static int may(struct fx *f, int64_t uid, enum obj o, int64_t account)
{
    int yes = -1;
    CHECK_EQ_INT(policy_user_may(C(f), uid, o, ACT_UPDATE, account, &yes), KAM_OK);
    return yes;
}

TEST(policy_user_may_needs_scope_and_grant)
{
    struct fx f;
    if (!fx_open(&f))
        return;
    /* Owner, account team member, the manager up the tree; org-wide grants everywhere. */
    CHECK_EQ_INT(may(&f, f.am, OBJ_ISSUE, f.acc), 1);
    CHECK_EQ_INT(may(&f, f.service, OBJ_ISSUE, f.acc), 1);
    CHECK_EQ_INT(may(&f, f.lead, OBJ_ISSUE, f.acc), 1);
    CHECK_EQ_INT(may(&f, f.director, OBJ_ISSUE, f.acc2), 1);
    /* Out of their scope. */
    CHECK_EQ_INT(may(&f, f.am, OBJ_ISSUE, f.acc2), 0);
    CHECK_EQ_INT(may(&f, f.service, OBJ_ISSUE, f.acc2), 0);
    CHECK_EQ_INT(may(&f, f.am2, OBJ_ISSUE, f.acc), 0);
    /* In scope, but the role changes no issues / no measures. */
    CHECK_EQ_INT(may(&f, f.viewer, OBJ_ISSUE, f.acc), 0);
    CHECK_EQ_INT(may(&f, f.finance, OBJ_ISSUE, f.acc), 0);
    CHECK_EQ_INT(may(&f, f.service, OBJ_MEASURE, f.acc), 0);
    /* Disabled, missing. */
    CHECK_EQ_INT(may(&f, f.off, OBJ_ISSUE, f.acc2), 0);
    CHECK_EQ_INT(may(&f, 999999, OBJ_ISSUE, f.acc), 0);
    /* No account (a plan-wide measure): any grant on the object. */
    CHECK_EQ_INT(may(&f, f.am, OBJ_MEASURE, 0), 1);
    CHECK_EQ_INT(may(&f, f.viewer, OBJ_MEASURE, 0), 0);
    fixture_close(&f.fix);
}

TEST(policy_body_account_answers_missing_and_hidden_alike)
{
    struct fx f;
    if (!fx_open(&f))
        return;
    f.fix.ctx.who = (struct principal){f.am, ROLE_ACCOUNT_MANAGER, "am"};
    CHECK_EQ_INT(policy_body_account(C(&f), "account_id", f.acc, OBJ_MEASURE, ACT_CREATE), KAM_OK);
    CHECK_EQ_INT(policy_body_account(C(&f), "account_id", f.acc2, OBJ_MEASURE, ACT_CREATE),
                 KAM_EINVAL);
    struct kam_error hidden = f.fix.e;
    CHECK_EQ_INT(policy_body_account(C(&f), "account_id", 987654, OBJ_MEASURE, ACT_CREATE),
                 KAM_EINVAL);
    CHECK_EQ_STR(hidden.field, f.fix.e.field);
    CHECK_EQ_STR(hidden.msg, f.fix.e.msg);
    CHECK_EQ_STR(f.fix.e.field, "account_id");
    /* Readable but without the grant: a 403 is fine, it tells nothing new. */
    CHECK_EQ_INT(policy_body_account(C(&f), "account_id", f.acc, OBJ_MEASURE, ACT_DELETE),
                 KAM_EFORBIDDEN);
    fixture_close(&f.fix);
}

TEST(issue_assignee_must_work_on_the_account)
{
    struct fx f;
    if (!fx_open(&f))
        return;
    struct issue_in in = {.set = ISS_TITLE | ISS_ASSIGNEE};
    in.v.title = "来料不良";
    in.v.has_assignee = 1;
    struct issue x;
    /* The account team's service engineer and the manager may; someone without the account,
     * a viewer of it and a disabled user may not. */
    const struct {
        int64_t user;
        enum kam_err want;
    } cases[] = {{f.service, KAM_OK},
                 {f.lead, KAM_OK},
                 {f.am2, KAM_EINVAL},
                 {f.viewer, KAM_EINVAL},
                 {f.off, KAM_EINVAL}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        in.v.assignee_id = cases[i].user;
        CHECK_EQ_INT(issue_create(C(&f), f.acc, &in, &x), cases[i].want);
        if (cases[i].want)
            CHECK_EQ_STR(f.fix.e.field, "assignee_id");
    }
    /* The default, the owner, when the owner may; else unassigned. */
    in.set = ISS_TITLE;
    CHECK_EQ_INT(issue_create(C(&f), f.acc, &in, &x), KAM_OK);
    CHECK(x.has_assignee && x.assignee_id == f.am);
    struct db_stmt *st;
    if (!db_prepare(f.fix.db, "UPDATE accounts SET owner_id = ? WHERE id = ?", &st, &f.fix.e)) {
        db_bind_i64(st, 1, f.viewer);
        db_bind_i64(st, 2, f.acc);
        int row;
        CHECK_EQ_INT(db_step(st, &row, &f.fix.e), KAM_OK);
        db_done(st);
    }
    CHECK_EQ_INT(issue_create(C(&f), f.acc, &in, &x), KAM_OK);
    CHECK(!x.has_assignee);
    fixture_close(&f.fix);
}
