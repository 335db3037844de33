/* views.h -- saved list views (issue 12): a user's named filters, sort and columns of one list
 * screen, kept on the server so they follow the user between devices.
 *
 * A view belongs to its user: only they list, change or delete it (anyone else's id is "no
 * such view"). The state is the screen's JSON text, opaque here and capped. Views are
 * preferences, not business data: they are not audited (see views.c). */
#ifndef KAM_VIEWS_H
#define KAM_VIEWS_H

#include <stddef.h>
#include <stdint.h>

#include "ctx.h"

#define VIEW_NAME_MAX 60     /* characters */
#define VIEW_STATE_MAX 8192  /* bytes of JSON text */
#define VIEWS_PER_SCREEN 100 /* per user and screen */

/* The list screens that save views. */
extern const char *const view_screens[]; /* accounts, issues, kpis, contacts, ... */

struct saved_view {
    int64_t id, user_id, created_at, updated_at;
    const char *screen, *name, *state;
};

/* The caller's views of screen, by name; items in ctx->a. */
enum kam_err view_list(struct kam_ctx *ctx, const char *screen, struct saved_view **items_out,
                       size_t *n_out);
/* Creates a view of the caller; KAM_ECONFLICT (field "name") if the name is taken on screen. */
enum kam_err view_create(struct kam_ctx *ctx, const char *screen, const char *name,
                         const char *state, struct saved_view *out);
/* Changes name and/or state (NULL: unchanged) of one of the caller's views. */
enum kam_err view_update(struct kam_ctx *ctx, int64_t id, const char *name, const char *state,
                         struct saved_view *out);
enum kam_err view_delete(struct kam_ctx *ctx, int64_t id);

#endif
