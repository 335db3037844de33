/* survey.h -- satisfaction surveys (issue 14, F3.7): definitions (questions of six kinds,
 * worded in zh-CN, zh-TW and en; draft -> open -> closed), the configurable drivers a rating
 * question measures, sending by links (one per contact, a 128-bit token given out once;
 * survey_links stores only its sha256, an e-mail waiting in the outbox holds the link until
 * sent), reissue, revoke, reminders and response rates. */
#ifndef KAM_SURVEY_H
#define KAM_SURVEY_H

#include <stddef.h>
#include <stdint.h>

#include "svc/core/ctx.h"

#define SURVEY_QUESTIONS_MAX 50
#define SURVEY_OPTIONS_MAX 20
#define SURVEY_TEXT_MAX 500   /* question texts, option labels, driver labels */
#define SURVEY_TITLE_MAX 200  /* per language */
#define SURVEY_INTRO_MAX 2000 /* per language */
#define SURVEY_LINKS_MAX 500  /* contacts per send */
#define SURVEY_LANGS 3        /* 0 zh-CN, 1 zh-TW, 2 en */

extern const char *const survey_langs[];    /* zh-CN zh-TW en */
extern const char *const survey_kinds[];    /* nps csat rating single multi text */
extern const char *const survey_statuses[]; /* draft open closed */
extern const char *const survey_channels[]; /* email copy phone */

/* 0 zh-CN, 1 zh-TW, 2 en; -1 for anything else (NULL included). */
int survey_lang_index(const char *lang);
/* The text to show in language `lang` (index): texts[lang] if not empty, else the fallback
 * order zh-TW -> zh-CN -> en, zh-CN -> zh-TW -> en, en -> zh-CN -> zh-TW; "" if all empty. */
const char *survey_text_in(const char *const texts[SURVEY_LANGS], int lang);

struct survey_option {
    int position; /* 0.. */
    const char *labels[SURVEY_LANGS];
};

struct survey_question {
    int64_t id;
    int position;       /* 1.. */
    const char *kind;   /* nps csat rating single multi text */
    const char *driver; /* a survey_drivers key for kind rating; NULL otherwise */
    const char *texts[SURVEY_LANGS];
    int required, overall; /* 0/1 */
    size_t noptions;
    struct survey_option *options;
};

struct survey {
    int64_t id, created_by, opened_at, closed_at, version, created_at, updated_at;
    int has_created_by, has_opened, has_closed;
    const char *status; /* draft open closed */
    const char *titles[SURVEY_LANGS], *intros[SURVEY_LANGS];
    int64_t link_days, remind_days, max_reminders;
    size_t nquestions;
    struct survey_question *questions;
    /* links and responses on accounts in the caller's scope (survey_get and survey_list) */
    int64_t n_links, n_responses;
};

/* The survey with its questions and options (arena), KAM_ENOTFOUND field "id". */
enum kam_err survey_get(struct kam_ctx *ctx, int64_t id, struct survey *out);

enum survey_field {
    SURVEY_TITLE = 1u << 0,
    SURVEY_INTRO = 1u << 1,
    SURVEY_LINK_DAYS = 1u << 2,
    SURVEY_REMIND_DAYS = 1u << 3,
    SURVEY_MAX_REMINDERS = 1u << 4,
    SURVEY_QUESTIONS = 1u << 5,
    SURVEY_VERSION = 1u << 6,
};

struct survey_in {
    struct survey v; /* titles/intros: NULL = "" on create, unchanged on update per language */
    unsigned set;
};

/* Checks a definition (caps, kinds, drivers, options, at most one overall csat/nps question)
 * without the database's driver list (drivers are checked by create/update): pure, for the
 * unit tests. Errors name "questions[i].field". */
enum kam_err survey_check_questions(struct kam_ctx *ctx, const struct survey_question *q, size_t n);
/* 1 when the survey may be opened: a title in some language and every question with a text
 * in at least one language (and every option with a label). */
int survey_openable(const struct survey *s);

enum kam_err survey_create(struct kam_ctx *ctx, const struct survey_in *in, struct survey *out);
/* Questions may be replaced (whole) only while draft: else KAM_ECONFLICT survey.frozen. */
enum kam_err survey_update(struct kam_ctx *ctx, int64_t id, const struct survey_in *in,
                           struct survey *out);
/* Only a draft or a survey without responses: else KAM_ECONFLICT survey.has_responses. */
enum kam_err survey_delete(struct kam_ctx *ctx, int64_t id);
/* draft -> open (survey_openable, else 409 survey.not_openable), open -> closed, closed ->
 * open; others 409 survey.bad_transition. version 0: not checked. */
enum kam_err survey_set_status(struct kam_ctx *ctx, int64_t id, const char *to, int64_t version,
                               struct survey *out);
/* A new draft with the same texts and questions ("(copy)" is not added: the caller renames). */
enum kam_err survey_copy(struct kam_ctx *ctx, int64_t id, struct survey *out);

struct survey_query {
    const char *status, *q, *cursor;
    int64_t limit;
};
/* Surveys newest first (id desc) with their counts of questions, links and responses (the
 * links and responses of accounts in the caller's scope). Items have no questions. */
enum kam_err survey_list(struct kam_ctx *ctx, const struct survey_query *q, struct survey **items,
                         size_t *n, const char **next_out);
enum kam_err survey_count(struct kam_ctx *ctx, const struct survey_query *q, int64_t *n_out);

/* ---- drivers ---- */

struct survey_driver {
    const char *key, *labels[SURVEY_LANGS], *dept_role;
    int64_t position, updated_at;
    int active;
};
enum kam_err survey_driver_list(struct kam_ctx *ctx, struct survey_driver **items, size_t *n);
/* Creates or updates a driver (key [a-z0-9_]{1,40}); audited (entity survey_driver). */
enum kam_err survey_driver_put(struct kam_ctx *ctx, const struct survey_driver *in,
                               struct survey_driver *out, int *created);

/* ---- links (survey_link.c) ---- */

struct survey_link {
    int64_t id, survey_id, contact_id, account_id, expires_at, sent_at, reminded_at, reminders,
        answered_at, created_by, created_at;
    int has_contact, has_reminded, has_answered, has_created_by;
    const char *lang, *channel, *state; /* state: pending answered expired */
    const char *contact_name, *account_name, *account_tier;
    const char *token, *url; /* only right after creation or reissue; else NULL */
    int64_t response_id;     /* 0 when not answered */
};

struct survey_skip {
    int64_t contact_id;
    const char *reason; /* already_sent no_email not_in_scope not_found */
};

struct survey_send_in {
    const int64_t *contact_ids;
    size_t n_contacts;
    const char *tier; /* strategic key growth maintain: every key contact of the tier's active
                         accounts in scope */
    int key_only;     /* with tier: must be 1 */
    const char *channel, *lang;
    /* the request's base (scheme://host) for copy and phone links when no public address is
     * configured; never for e-mail (409 survey.no_public_url, field channel, without one) */
    const char *base_url;
};
enum kam_err survey_send(struct kam_ctx *ctx, int64_t survey_id, const struct survey_send_in *in,
                         struct survey_link **items, size_t *n, struct survey_skip **skipped,
                         size_t *n_skipped);

/* A fresh token: 22 characters of base64url over 16 random bytes (arena) and its hex sha256
 * (65 bytes buffer). */
void survey_token_new(struct kam_ctx *ctx, const char **token, char hash_hex[65]);
/* The hex sha256 of a token string (for the answer routes). */
void survey_token_hash(const char *token, char hash_hex[65]);
#define SURVEY_PUBLIC_URL_KEY "public_url"
#define SURVEY_PUBLIC_URL_MAX 200
/* The configured public address of KAM (the setting public_url, else KAM_PUBLIC_URL); NULL when
 * neither is set. */
enum kam_err survey_public_base(struct kam_ctx *ctx, const char **base);
/* "" or an absolute http(s) URL of at most 200 characters without spaces, ? or #: else 400
 * naming field. */
enum kam_err survey_check_public_url(struct kam_ctx *ctx, const char *field, const char *url);
/* The setting public_url ("" when unset) and *env the KAM_PUBLIC_URL environment (NULL). */
enum kam_err survey_settings_get(struct kam_ctx *ctx, const char **public_url, const char **env);
/* Sets public_url ("" clears it), audited (entity settings). */
enum kam_err survey_settings_set(struct kam_ctx *ctx, const char *public_url);
/* Deletes the still-queued outbox e-mails of link_id (they hold its link). */
enum kam_err survey_link_mail_drop(struct kam_ctx *ctx, int64_t link_id);
/* Deletes every link of a survey (locked on PostgreSQL) with its queued e-mails, one audit row
 * per link under its account; 409 survey.has_responses when one is answered. *n: how many. */
enum kam_err survey_links_drop_all(struct kam_ctx *ctx, int64_t survey_id, int64_t *n);
/* "<base>/s#<token>" into *url: base is survey_public_base, else fallback_base (may be NULL:
 * "/s#..."). Errors only from the database. */
enum kam_err survey_link_url(struct kam_ctx *ctx, const char *fallback_base, const char *token,
                             const char **url);

struct survey_link_query {
    int64_t survey_id, account_id, limit;
    const char *state, *cursor;
};
enum kam_err survey_link_list(struct kam_ctx *ctx, const struct survey_link_query *q,
                              struct survey_link **items, size_t *n, const char **next_out);
enum kam_err survey_link_get(struct kam_ctx *ctx, int64_t id, struct survey_link *out);
/* A new token (the old one and the one kept from before a reminder dead), a new expiry, and for
 * an e-mail link a new e-mail (the old queued ones deleted); not once answered (409
 * survey.link_answered). */
enum kam_err survey_link_reissue(struct kam_ctx *ctx, int64_t id, const char *base_url,
                                 struct survey_link *out);
/* Deletes an unanswered link (409 survey.link_used once answered). */
enum kam_err survey_link_revoke(struct kam_ctx *ctx, int64_t id);

/* The job: e-mail reminders for due links (see survey_link.c). *sent: how many queued. */
enum kam_err survey_reminders_run(struct kam_ctx *ctx, int *sent);

struct survey_rate {
    const char *key;  /* account id (as text), tier or channel */
    const char *name; /* account name; NULL otherwise */
    int64_t sent, answered, expired;
    double rate; /* answered / sent; 0 when sent == 0 */
};
struct survey_rates {
    struct survey_rate total;
    struct survey_rate *by_account, *by_tier, *by_channel;
    size_t n_account, n_tier, n_channel;
};
enum kam_err survey_rates_get(struct kam_ctx *ctx, int64_t survey_id, struct survey_rates *out);

#endif
