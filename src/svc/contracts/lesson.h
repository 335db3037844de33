/* lesson.h -- lessons learned (issue 17 item 5, F5.5): a case linked to what it came from
 * (disputes, breaches, lost opportunities, churned accounts, issues, contracts), what happened,
 * the root cause, what we change, tags; found through the search index (svc/core/search.c kind
 * "lesson": Chinese and English, Traditional folded to Simplified, pinyin) on both engines.
 * Accountability records (who decided what: personal data, OBJ_ACCOUNTABILITY) and training
 * needs (OBJ_TRAINING, source "lesson") hang under a lesson.
 *
 * Rules (docs/API.md "Lessons (issue 17)"):
 * - links: each must exist and be readable by the caller, else 400 naming links[i] (one answer
 *   for both, so no existence oracle); the first link's account becomes the lesson's account
 *   when none is given; a lesson of no account takes an org-wide create grant (403 naming
 *   account_id otherwise), as dispatch's SCOPE_LESSON rule wants for its changes.
 * - tags: at most 20 words of 1-30 characters without commas, stored comma-separated,
 *   duplicates dropped.
 * - readers with a scoped grant see lessons of accounts in their scope and those of no account;
 *   accountability and training needs further only of the people they manage (themselves and
 *   down their team tree) -- or, for training needs, of a lesson they may read.
 * - Audit entities "lesson", "lesson_accountability", "training_need". */
#ifndef KAM_SVC_LESSON_H
#define KAM_SVC_LESSON_H

#include <stddef.h>
#include <stdint.h>

#include "svc/core/ctx.h"

#define LESSON_TITLE_MAX 200
#define LESSON_TEXT_MAX 8000
#define LESSON_TAGS_MAX 20
#define LESSON_TAG_CHARS 30
#define LESSON_TAGS_CAP 50 /* the decoder's array (API_MAX_IDS) */
#define LESSON_LINKS_MAX 20
#define LESSON_DECISION_MAX 500
#define LESSON_NOTE_MAX 2000
#define TRAINING_TOPIC_MAX 200

extern const char *const lesson_link_kinds[]; /* dispute breach opportunity account issue
                                                 contract */

struct lesson_link {
    unsigned set; /* LL_* (the decoder's bits) */
    const char *kind;
    int64_t ref_id;
};
enum { LL_KIND = 1u << 0, LL_REF = 1u << 1 };

struct lesson {
    int64_t id, account_id, created_by, version, created_at, updated_at;
    int has_account, has_created_by;
    const char *account_name /* NULL: none */, *title, *what_happened, *root_cause, *changes,
        *tags /* comma-separated */;
    struct lesson_link *links;
    size_t n_links;
    const char *links_key; /* "kind:id,..." sorted: what the audit compares */
};

enum {
    LE_TITLE = 1u << 0,
    LE_WHAT = 1u << 1,
    LE_ROOT = 1u << 2,
    LE_CHANGES = 1u << 3,
    LE_TAGS = 1u << 4,
    LE_ACCOUNT = 1u << 5,
    LE_LINKS = 1u << 6,
    LE_VERSION = 1u << 7,
};

struct lesson_in {
    unsigned set;
    struct lesson v;
    const char *tags[LESSON_TAGS_CAP];
    int n_tags, tags_given;
    struct lesson_link *links;
    int n_links;
};

enum kam_err lesson_get(struct kam_ctx *ctx, int64_t id, struct lesson *out);
/* title required. */
enum kam_err lesson_create(struct kam_ctx *ctx, const struct lesson_in *in, struct lesson *out);
/* title, texts, tags, links (replaced whole); account_id cannot change; version optional. */
enum kam_err lesson_update(struct kam_ctx *ctx, int64_t id, const struct lesson_in *in,
                           struct lesson *out);
enum kam_err lesson_delete(struct kam_ctx *ctx, int64_t id);

struct lesson_query {
    int64_t account_id, ref_id, limit;
    const char *q, *tag, *kind /* with ref_id: linked to */, *sort, *cursor;
};
/* The lessons the caller may read; q through the search index; sort id | updated_at (default
 * -id). */
enum kam_err lesson_list(struct kam_ctx *ctx, const struct lesson_query *q,
                         struct lesson **items_out, size_t *n_out, const char **next_out);

/* ---- accountability ---- */

struct accountability {
    int64_t id, lesson_id, user_id, created_at;
    const char *lesson_title, *user_name, *decision, *note;
};
enum { AC_USER = 1u << 0, AC_DECISION = 1u << 1, AC_NOTE = 1u << 2 };
struct accountability_in {
    unsigned set;
    struct accountability v;
};
/* user_id (an existing user) and decision required. */
enum kam_err accountability_add(struct kam_ctx *ctx, int64_t lesson_id,
                                const struct accountability_in *in, struct accountability *out);

struct accountability_query {
    int64_t user_id, lesson_id, limit;
    const char *cursor;
};
/* Newest first; filtered for readers with a scoped grant (see the top). */
enum kam_err accountability_list(struct kam_ctx *ctx, const struct accountability_query *q,
                                 struct accountability **items_out, size_t *n_out,
                                 const char **next_out);

/* ---- training needs ---- */

struct training_need {
    int64_t id, source_id, user_id, created_by, created_at, updated_at;
    int has_source, has_user, has_created_by;
    const char *source, *topic, *detail, *audience_role, *status;
};
enum { TN_TOPIC = 1u << 0, TN_DETAIL = 1u << 1, TN_USER = 1u << 2, TN_ROLE = 1u << 3 };
struct training_in {
    unsigned set;
    struct training_need v;
};
/* topic required; user_id (an existing user) or audience_role (a role) or neither (everyone),
 * not both. */
enum kam_err training_need_add(struct kam_ctx *ctx, int64_t lesson_id, const struct training_in *in,
                               struct training_need *out);

struct training_query {
    int64_t user_id, lesson_id, limit;
    const char *status, *cursor;
};
enum kam_err training_list(struct kam_ctx *ctx, const struct training_query *q,
                           struct training_need **items_out, size_t *n_out, const char **next_out);

#endif
