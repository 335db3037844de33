/* survey_answer.h -- answers to satisfaction surveys (issue 14, F3.7): the public answer page
 * reached by a link's token (no session), answers taken by phone and entered by staff, the
 * verbatims (one respondent's answers: personal data) and their erasure.
 *
 * The public routes throttle by address (an IPv6 one by its /64, as the login throttle) and by
 * token hash (table survey_hits, a fixed window). An address over its limit is refused by a read
 * before the token is looked at; a request within it counts on the address also when it is then
 * refused (bad lang, no token, unknown token, a body that does not decode); a request over a
 * limit inserts nothing, so the table holds at most one token row per counted request. An answer
 * is stored whole or not at all: one response per link (the link's answered_at is claimed by a
 * guarded UPDATE that on the public path also checks the token still opens the link and it has
 * not expired; the UNIQUE link_id backs it up). A token opens its link when it is the link's
 * current one, or the one a reminder replaced while the link is unanswered (prev_token_hash).
 *
 * Erasure (sa_response_delete) removes what the person said everywhere KAM copied it: the
 * response and its answers (scores, choices, comments), and on the follow-ups made from it the
 * respondent's name, the score and the comment (follow_ups_erase_response). Audit rows of a
 * response name the response, the link, the contact id and how many answers, never the answers
 * themselves, so the hash-chained log keeps no copy either. What stays: that the link was
 * answered (the link row, its answered_at), the follow-ups themselves (their department, status
 * and history, without the text), and the audit rows saying a response existed and was erased. */
#ifndef KAM_SURVEY_ANSWER_H
#define KAM_SURVEY_ANSWER_H

#include <stddef.h>
#include <stdint.h>

#include "svc/core/ctx.h"

#define SA_TEXT_MAX 2000    /* characters of a text answer */
#define SA_QUESTIONS_MAX 50 /* questions of a survey (the builder's cap) */
#define SA_OPTIONS_MAX 20   /* options of a choice question (a multi answer is a bit mask) */
#define SA_TOKEN_LEN 22     /* base64url of 16 random bytes, no padding */
#define SA_WINDOW 600       /* seconds of a throttle window */
#define SA_ADDR_MAX 300     /* public requests per address and window (carrier NAT: generous) */
#define SA_TOKEN_MAX 30     /* public requests per token and window */
#define SA_LANGS 3          /* 0 zh-CN, 1 zh-TW, 2 en */

/* Question kinds. */
enum sa_kind { SA_NPS = 0, SA_CSAT, SA_RATING, SA_SINGLE, SA_MULTI, SA_TEXT, SA_KIND_COUNT };
extern const char *const sa_kind_names[]; /* nps csat rating single multi text */
extern const char *const sa_lang_tags[];  /* zh-CN zh-TW en */

/* 0 zh-CN, 1 zh-TW, 2 en; -1 for anything else (NULL included). */
int sa_lang_index(const char *tag);
/* The first non-empty of texts[] in lang's fallback order (zh-TW -> zh-CN -> en; zh-CN -> zh-TW
 * -> en; en -> zh-CN -> zh-TW); "" when all are empty. */
const char *sa_text_in(const char *const texts[SA_LANGS], int lang);

struct sa_question {
    int64_t id, position;
    enum sa_kind kind;
    const char *driver; /* rating only */
    const char *texts[SA_LANGS];
    int required, overall, noptions;
    int option_pos[SA_OPTIONS_MAX]; /* positions of the options, ascending */
    const char *labels[SA_OPTIONS_MAX][SA_LANGS];
};

struct sa_survey {
    int64_t id;
    const char *status; /* draft | open | closed */
    const char *titles[SA_LANGS], *intros[SA_LANGS];
    int nquestions;
    struct sa_question *questions; /* by position */
};

/* One answer as the body gives it. has: which of value / values / text the body named (bits
 * SA_HAS_*; several is an error). index: its place in the body's array (errors name
 * "answers[index].field"). */
enum { SA_HAS_VALUE = 1, SA_HAS_VALUES = 2, SA_HAS_TEXT = 4, SA_HAS_QUESTION = 8 };
struct sa_answer_in {
    int64_t question_id, value;
    int64_t values[SA_OPTIONS_MAX];
    int nvalues, values_over; /* values_over: the body's list had more than SA_OPTIONS_MAX */
    const char *text;
    unsigned has;
};

/* One answer as stored: value (a score, a position, or a multi answer's bit mask) or text. */
struct sa_answer {
    int64_t question_id, value;
    const char *text; /* NULL unless a text answer */
    int position;     /* the question's position (for reading) */
    enum sa_kind kind;
    /* reading a text answer: its tone (svc/core/tone.h: enum tone_label, TONE_NONE otherwise) */
    int tone;
};

/* Checks answers against survey s (pure: no database). Each answer names a question of s once;
 * its value fits the question's kind (nps 0..10; csat, rating 1..5; single: an option position;
 * multi: a non-empty list of distinct option positions; text: 1..SA_TEXT_MAX characters, a
 * blank text counts as no answer); every required question is answered; at least one answer.
 * KAM_EINVAL naming "answers[i].question_id|value|values|text" or "answers". out (n entries)
 * receives the stored form in body order; *nout how many (blank texts dropped). */
enum kam_err sa_check(struct kam_ctx *ctx, const struct sa_survey *s, const struct sa_answer_in *in,
                      size_t n, struct sa_answer *out, size_t *nout);

/* The survey with its questions and options (arena); KAM_ENOTFOUND field "id". */
enum kam_err sa_survey_load(struct kam_ctx *ctx, int64_t survey_id, struct sa_survey *out);

/* The public page: what the respondent sees. lang: the asked language, NULL for the link's. */
struct sa_public {
    struct sa_survey survey;
    int lang;            /* the language shown */
    int langs[SA_LANGS]; /* languages with a title */
    int64_t expires_at;
};

/* Both public calls: token from the body (never logged); addr the client's address (may be
 * NULL). Own transactions (the route is ROUTE_OWN_TX): the throttle's hit commits also when the
 * request is refused. KAM_ELIMIT (*retry_after set) throttled; KAM_ENOTFOUND
 * "survey.link_unknown"; KAM_ECONFLICT "survey.link_used"; KAM_EGONE "survey.link_expired" or
 * "survey.closed". */
enum kam_err sa_public_get(struct kam_ctx *ctx, const char *token, const char *lang,
                           const char *addr, struct sa_public *out, int64_t *retry_after);
/* Stores the answers (see sa_check) as the link's one response; *thanks_lang: the language of
 * the thanks text. */
enum kam_err sa_public_answer(struct kam_ctx *ctx, const char *token, const char *lang,
                              const char *addr, const struct sa_answer_in *in, size_t n,
                              int *thanks_lang, int64_t *retry_after);

/* A public request refused before the service saw it (its body did not decode): counts it on
 * addr's key (own transaction). KAM_ELIMIT (*retry_after set) when the address is over its
 * limit: then the caller answers 429 instead of its own refusal. */
enum kam_err sa_public_refused(struct kam_ctx *ctx, const char *addr, int64_t *retry_after);

/* KAM_ELIMIT (*retry_after set) when addr is over its limit, by a read (nothing counted or
 * written): the public routes ask on a request's headers, before its body is read. */
enum kam_err sa_public_over(struct kam_ctx *ctx, const char *addr, int64_t *retry_after);

/* A response with its answers, the names of its contact and account. */
struct sa_response {
    int64_t id, survey_id, link_id, account_id, contact_id, entered_by, submitted_at;
    int has_contact, has_entered_by;
    const char *lang, *channel, *account_name, *contact_name; /* contact_name NULL: none */
    struct sa_answer *answers;
    size_t nanswers;
};

/* Staff entry of answers taken by phone (inside the request's transaction): link_id unanswered
 * (KAM_ECONFLICT "survey.link_used"), its survey open (KAM_ECONFLICT "survey.closed"; an expired
 * link is accepted: the expiry guards the token, the caller is authenticated); entered_by = the
 * caller. */
enum kam_err sa_response_enter(struct kam_ctx *ctx, int64_t link_id, const char *lang,
                               const struct sa_answer_in *in, size_t n, struct sa_response *out);
enum kam_err sa_response_get(struct kam_ctx *ctx, int64_t id, struct sa_response *out);
/* Erases a response (see the top of this file: the answers, and the name, score and comment on
 * its follow-ups), in one transaction, audited without the text. The link stays answered. */
enum kam_err sa_response_delete(struct kam_ctx *ctx, int64_t id);

struct sa_response_query {
    int64_t survey_id, account_id, limit;
    const char *cursor;
};
/* The survey's responses in the caller's scope, latest first (keyset). KAM_ENOTFOUND "id" when
 * there is no such survey. */
enum kam_err sa_response_list(struct kam_ctx *ctx, const struct sa_response_query *q,
                              struct sa_response **items, size_t *n, const char **next);

/* sha256 of a token, lower-case hex (65 bytes with the NUL) -- the stored survey_links.token_hash.
 */
void sa_token_hash(const char *token, char out[65]);

#endif
