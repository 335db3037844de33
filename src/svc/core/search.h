/* search.h -- the global search index and the duplicate check (查重), issue 12.
 *
 * Every searchable record has one row in search_index (migration 0011), written in the same
 * transaction as the record by search_sync() and removed by search_drop(). The row holds the
 * record's texts folded for matching: NFKC (full-width -> half-width), Traditional ->
 * Simplified, lower case (ICU transliterators), the full pinyin without tones or spaces
 * ("ceping") and its initials ("cp") from ICU's Han-Latin; phone numbers as digits only; e-mails
 * lower-cased.
 *
 * Kinds: "account", "contact", "issue", "product". A later chapter adds its records with one
 * row in search_kinds[] (search.c: its policy object and the SELECT that reads one record's
 * texts) and one search_sync() call in its create/update paths (search_drop() on delete).
 * search_catch_up() indexes what older binaries or direct writes (imports, the demo) left out.
 */
#ifndef KAM_SEARCH_H
#define KAM_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "ctx.h"

#define SEARCH_MAX_Q 100    /* characters of a query */
#define SEARCH_MAX_LIMIT 50 /* results of one query */

/* (Re)indexes record id of kind (its row read back through search_kinds[]); a record that no
 * longer exists is dropped. Call inside the writing transaction. */
enum kam_err search_sync(struct kam_ctx *ctx, const char *kind, int64_t id);
/* Removes one record from the index. */
enum kam_err search_drop(struct kam_ctx *ctx, const char *kind, int64_t id);
/* Removes every record under an account (the account itself, its contacts, issues, ...). */
enum kam_err search_drop_account(struct kam_ctx *ctx, int64_t account_id);

/* Indexes the records missing from the index or changed since (version), and drops rows of
 * records gone; in batches of 500 per transaction. *indexed_out (may be NULL): rows written. */
enum kam_err search_catch_up(struct kam_ctx *ctx, int *indexed_out);
/* The same, asking stop(stop_arg) (may be NULL) before each batch: a true answer ends it there
 * (KAM_OK; what was indexed stays). `kam serve` runs it after it listens, on a thread with its
 * own connection: searches meanwhile find what is indexed so far. Each batch's records are
 * re-read and indexed in one transaction, each under a share lock (no writer's newer row is
 * overwritten by an older read). */
enum kam_err search_catch_up_until(struct kam_ctx *ctx, int (*stop)(void *), void *stop_arg,
                                   int *indexed_out);

struct search_hit {
    const char *kind;
    int64_t id;
    int64_t account_id; /* 0: none (products) */
    const char *label, *sub;
    const char *matched; /* code name pinyin initials phone email */
    int rank;            /* 0 exact, 1 prefix, 2 pinyin/initials, 3 substring */
};

/* The records matching q the caller may read, best first: exact code or name, then prefix,
 * then pinyin or initials, then substring. kinds: NULL for all, or a comma list. limit 1..50
 * (0: 20). KAM_EINVAL on field "q" (empty, too long), "kinds" (unknown kind). */
enum kam_err search_query(struct kam_ctx *ctx, const char *q, const char *kinds, int64_t limit,
                          struct search_hit **items_out, size_t *n_out);

struct search_dup_query {
    const char *kind; /* "account" or "contact" */
    const char *name, *code, *phone, *email;
    int64_t account_id; /* contacts: the account the new one goes under (names compare there) */
    int64_t exclude_id; /* the record being edited */
};

struct search_dup {
    const char *kind;
    int64_t id, account_id;
    const char *label, *sub;
    const char *reason; /* same_code same_phone same_email similar_name */
    int score;          /* 0..100 */
};

/* Records close to the one about to be written. Candidates the caller may not read are only
 * counted in *hidden_out, never named. */
enum kam_err search_duplicates(struct kam_ctx *ctx, const struct search_dup_query *q,
                               struct search_dup **items_out, size_t *n_out, int *hidden_out);

/* ---- folding (exported for the unit tests and the fuzz target) ---- */

/* NFKC, Traditional -> Simplified, lower case; invalid UTF-8 becomes U+FFFD. Input beyond
 * 4096 bytes is ignored. NULL only when ICU cannot open its transliterators. */
const char *search_fold(struct arena *a, const char *s);
/* From folded text: the full pinyin of its Han characters without spaces, Latin words and
 * digits kept ("abc测评" -> "abcceping"), and the initials ("abccp"). Two Latin words in a row
 * keep one space between them ("液压泵 hydraulic pump" -> "yybhydraulic pump"). Phrases whose
 * reading ICU gets wrong come from a table first (长沙 "changsha", 厦门 "xiamen", 银行 "yinhang");
 * a name starting with a surname of two readings gets both, space-separated ("曾伟" -> "cengwei
 * zengwei", "cw zw"). */
void search_pinyin(struct arena *a, const char *folded, const char **full_out,
                   const char **initials_out);
/* 1 if the pinyin phrase tables are sorted as their binary search needs (unit tests). */
int search_pinyin_tables_sorted(void);
/* The digits of s ("+86 138-0013 8000" -> "8613800138000"). */
const char *search_digits(struct arena *a, const char *s);
/* A folded company name without spaces, punctuation and company suffixes (有限公司, 股份, 集团,
 * (China) Co., Ltd., ...): "深圳测评科技有限公司" -> "深圳测评科技". */
const char *search_name_core(struct arena *a, const char *folded);
/* Similarity of two name cores, 0..100: Dice over character bigrams, containment counting
 * at least 75. */
int search_similarity(const char *a, const char *b);
/* Frees the transliterators (at exit; called by an atexit handler too). */
void search_shutdown(void);

#endif
