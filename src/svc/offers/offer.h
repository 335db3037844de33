/* offer.h -- offers and quotes (issue 15 item 4, docs/OFFERS.md "Offers"): lines priced by the
 * engine (price_quote) with any discount, bundles and service items, customisation requests,
 * versions (v1, v2 ... share a number), the status machine draft -> pending -> approved -> sent
 * -> accepted | rejected | expired -> converted (order lines), superseded by a newer version.
 * Money is integer minor units of the offer's currency; a quantity is thousandths; a discount
 * is basis points below the engine's price (negative: above it). */
#ifndef KAM_OFFER_H
#define KAM_OFFER_H

#include <stddef.h>
#include <stdint.h>

#include "svc/core/ctx.h"

#define OFFER_TITLE_MAX 200
#define OFFER_TERMS_MAX 4000
#define OFFER_NOTE_MAX 2000
#define OFFER_LINES_MAX 200
#define OFFER_CUSTS_MAX 50
#define OFFER_DESC_MAX 2000
#define OFFER_REQUEST_MAX 2000
#define OFFER_COMPONENTS_MAX 50
#define OFFER_AMOUNT_MAX 1000000000000000LL /* a line's amount: 10^13 units of the currency */

extern const char *const offer_statuses[];
extern const char *const offer_line_kinds[];
extern const char *const offer_langs[];
extern const char *const offer_feasibilities[];
extern const char *const offer_confirm_bys[];

struct offer_component {
    int64_t product_id, quantity, engine_price; /* quantity per bundle; engine price per unit */
    int has_engine;
    const char *sku, *name;
};

struct offer_line {
    int64_t id, position, product_id, bundle_id, service_item_id, quantity, engine_price,
        unit_price, discount_bp, amount, unit_cost, components_total, order_line_id;
    int has_product, has_bundle, has_service, has_engine, has_cost, has_order_line;
    const char *kind, *code, *name, *description;
    const char *explain;         /* JSON text ("[]" when none) */
    const char *components_json; /* a bundle's components as priced (frozen), JSON; "" none */
    struct offer_component *components;
    size_t ncomponents;
};

struct offer_cust {
    int64_t id, confirmed_by, confirmed_at;
    int has_confirmed;
    const char *request, *feasibility, *confirm_by, *confirmed_by_name, *note;
};

struct offer_ver {
    int64_t id, version_no;
    const char *status;
};

struct approval;

struct offer {
    int64_t id, version_no, root_id, account_id, opportunity_id, max_discount_bp, approval_id,
        subtotal, total, cost, margin_bp, created_by, created_at, updated_at, sent_at, decided_at,
        version;
    int has_opportunity, has_approval, has_cost, has_margin, has_created_by, has_sent, has_decided;
    const char *number, *account_name, *opportunity_name, *title, *lang, *currency, *price_date,
        *valid_until, *status, *terms, *note, *decision_reason, *created_by_name;
    const char *needs_approval; /* for the caller's role; NULL: within their limit */
    struct approval *approval;  /* NULL: none */
    struct offer_line *lines;
    size_t nlines;
    struct offer_cust *custs;
    size_t ncusts;
    struct offer_ver *versions;
    size_t nversions;
    int lines_loaded; /* 0 for list items (no lines, customisations, versions) */
};

/* Body elements (api J_OBJS: the first member is the bits of the fields present). */
enum {
    OL_KIND = 1,
    OL_PRODUCT = 2,
    OL_BUNDLE = 4,
    OL_SERVICE = 8,
    OL_QUANTITY = 16,
    OL_UNIT_PRICE = 32,
    OL_DISCOUNT = 64,
    OL_DESCRIPTION = 128
};
struct offer_line_in {
    unsigned set;
    const char *kind, *description;
    int64_t product_id, bundle_id, service_item_id, quantity, unit_price, discount_bp;
};

enum { OC_REQUEST = 1, OC_CONFIRM_BY = 2, OC_NOTE = 4, OC_ID = 8 };
struct offer_cust_in {
    unsigned set;
    const char *request, *confirm_by, *note;
    int64_t id; /* PATCH: the row kept (its feasibility and confirmation with it) */
};

enum offer_field {
    OF_ACCOUNT = 1u << 0,
    OF_OPPORTUNITY = 1u << 1,
    OF_TITLE = 1u << 2,
    OF_LANG = 1u << 3,
    OF_CURRENCY = 1u << 4,
    OF_PRICE_DATE = 1u << 5,
    OF_VALID_UNTIL = 1u << 6,
    OF_TERMS = 1u << 7,
    OF_NOTE = 1u << 8,
    OF_LINES = 1u << 9,
    OF_CUSTS = 1u << 10,
    OF_VERSION = 1u << 11,
};

struct offer_in {
    unsigned set;
    int64_t account_id, opportunity_id, version;
    int has_opportunity;
    const char *title, *lang, *currency, *price_date, *valid_until, *terms, *note;
    struct offer_line_in *lines;
    int nlines;
    struct offer_cust_in *custs;
    int ncusts;
};

enum kam_err offer_create(struct kam_ctx *ctx, const struct offer_in *in, struct offer *out);
enum kam_err offer_get(struct kam_ctx *ctx, int64_t id, struct offer *out);
/* Draft only (409 offer.not_draft); lines / customisations replaced whole when given. */
enum kam_err offer_update(struct kam_ctx *ctx, int64_t id, const struct offer_in *in,
                          struct offer *out);
/* A draft v1 only. */
enum kam_err offer_delete(struct kam_ctx *ctx, int64_t id);

struct offer_query {
    int64_t account_id, opportunity_id, limit;
    const char *status, *q, *cursor;
    int mine, all_versions;
};
enum kam_err offer_list(struct kam_ctx *ctx, const struct offer_query *q, struct offer **items,
                        size_t *n, const char **next);
enum kam_err offer_count(struct kam_ctx *ctx, const struct offer_query *q, int64_t *n);

/* The status machine. submit: draft -> approved (within the caller's limit) | pending (a new
 * approval, the deciders notified). send: approved -> sent. accept / reject (reason required):
 * sent -> accepted / rejected. */
enum kam_err offer_submit(struct kam_ctx *ctx, int64_t id, const char *comment, struct offer *out);
enum kam_err offer_send(struct kam_ctx *ctx, int64_t id, struct offer *out);
enum kam_err offer_decide(struct kam_ctx *ctx, int64_t id, int accept, const char *reason,
                          struct offer *out);
/* Any status but converted: a new draft v+1 (lines repriced at today's date), this one
 * superseded (a pending approval withdrawn). */
enum kam_err offer_new_version(struct kam_ctx *ctx, int64_t id, struct offer *out);

struct offer_cust_patch {
    unsigned set; /* OC_* bits plus these */
    const char *feasibility, *note;
    int confirm;
};
enum { OCP_FEASIBILITY = 1, OCP_NOTE = 2, OCP_CONFIRM = 4 };
/* feasibility / note changed without confirm: an existing confirmation is dropped. */
enum kam_err offer_cust_update(struct kam_ctx *ctx, int64_t id, int64_t cid,
                               const struct offer_cust_patch *in, struct offer *out);
/* The department's confirmation (route: offer read in scope): an account member with that
 * dept_role, a user of the service role for `service`, a director or an admin (403
 * offer.not_confirmer otherwise). */
enum kam_err offer_cust_confirm(struct kam_ctx *ctx, int64_t id, int64_t cid,
                                const char *feasibility, const char *note, struct offer *out);

/* accepted -> converted: one order line per product line and per bundle component. */
struct offer_conversion {
    struct offer offer;
    int64_t *order_line_ids;
    size_t n_order_lines;
    int64_t *skipped; /* the service lines' ids */
    size_t n_skipped;
};
enum kam_err offer_convert(struct kam_ctx *ctx, int64_t id, const char *day,
                           struct offer_conversion *out);

/* The jobs pass: sent offers past valid_until (today in China) -> expired, audited. */
enum kam_err offer_expire_due(struct kam_ctx *ctx, int64_t *expired_out);

/* ---- internals shared by offer.c, offer_line.c, offer_flow.c, offer_convert.c ---- */

/* Prices in->lines into out (account, currency and price_date set): every line's engine price,
 * unit price, discount, amount, cost, explanation; then the offer's totals. Errors name
 * lines[i].<field>. */
enum kam_err offer_price_lines(struct kam_ctx *ctx, struct offer *x, const struct offer_line_in *in,
                               size_t n);
/* Totals from x->lines. */
void offer_totals(struct offer *x);
/* The line arithmetic (unit tests): discount of unit vs engine in bp (0 when engine <= 0). */
int64_t offer_discount_bp(int64_t engine, int64_t unit);
/* engine less bp basis points; for a discount (bp > 0) the amount off is rounded down, so
 * offer_discount_bp(engine, result) <= bp. */
int64_t offer_apply_discount(int64_t engine, int64_t bp);
/* A bundle component's quantity on a line of `bundles` bundles (thousandths; at least 1). */
int64_t offer_component_qty(int64_t per_bundle, int64_t bundles);
/* Splits total over n parts in proportion to weights (remainder on the last); out[n]. */
void offer_split(int64_t total, const int64_t *weights, size_t n, int64_t *out);
/* Writes the lines and customisations of offer x->id (deleting what was there). */
enum kam_err offer_write_lines(struct kam_ctx *ctx, const struct offer *x);
/* Customisations: rows matched by id (or, without one, the same request text) are kept with
 * their feasibility and confirmation (reset when the request or department changes); the
 * others deleted; new ones inserted. */
enum kam_err offer_write_custs(struct kam_ctx *ctx, int64_t offer_id,
                               const struct offer_cust_in *in, size_t n);
/* A new version's customisations: copied as they are. */
enum kam_err offer_copy_custs(struct kam_ctx *ctx, int64_t from, int64_t to);
enum kam_err offer_load_details(struct kam_ctx *ctx, struct offer *x);
/* Moves offer id to status (audited with extra fields); reason may be NULL; to draft the
 * approval link (approval_id) is cleared. */
enum kam_err offer_set_status(struct kam_ctx *ctx, const struct offer *before, const char *status,
                              const char *reason, int set_sent, int set_decided);
/* price_date and valid_until not before today (400 naming the field). */
enum kam_err offer_check_dates(struct kam_ctx *ctx, const struct offer *x);
/* The same with the approval link cleared (clear_approval) and one more audited field. */
enum kam_err offer_set_status_ex(struct kam_ctx *ctx, const struct offer *b, const char *status,
                                 const char *reason, int set_sent, int set_decided,
                                 int clear_approval, const char *extra_key,
                                 const char *extra_value);
/* Today's date in China ('YYYY-MM-DD', arena). */
const char *offer_today(struct kam_ctx *ctx);
/* The date in China of a time. */
const char *offer_day_of(struct kam_ctx *ctx, int64_t at);

#endif
