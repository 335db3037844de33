/* demo.h -- the deterministic demo data set: teams, users of every role, accounts in groups
 * with Chinese and English names, account teams and buying centres. Built through the normal
 * services, so every row is validated and audited like real data. */
#ifndef KAM_DEMO_H
#define KAM_DEMO_H

#include "svc/core/ctx.h"

#define DEMO_DEFAULT_ACCOUNTS 200
#define DEMO_PASSWORD "kam-demo-2026"

struct demo_stats {
    int teams, users, accounts, contacts, interactions, visits, issues;
    int64_t order_lines;
};

struct demo_login {
    const char *login, *what;
};
/* The logins worth trying, {NULL}-terminated. */
extern const struct demo_login demo_logins[];

/* Loads the data set with `accounts` accounts (~5 contacts each) into an empty database;
 * KAM_ECONFLICT if demo users already exist. Same input, same data. */
enum kam_err demo_load(struct kam_ctx *ctx, int accounts, struct demo_stats *out);

#endif
