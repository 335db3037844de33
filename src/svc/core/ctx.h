/* ctx.h -- what every service call gets: the connection, the caller, an arena, the error.
 *
 * A kam_ctx lives for one request or one CLI command. Services read `who` for permissions and
 * for the audit log; `now` is taken once so one operation has one timestamp. */
#ifndef KAM_CTX_H
#define KAM_CTX_H

#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"

/* The store is opaque here: api/ and cli/ see a connection only as a pointer (svc/core/conn.h);
 * services include store/db.h themselves. */
struct db;
struct db_stmt;

enum role {
    ROLE_NONE = 0,
    ROLE_ADMIN,
    ROLE_DIRECTOR,
    ROLE_TEAM_LEAD,
    ROLE_ACCOUNT_MANAGER,
    ROLE_FINANCE,
    ROLE_SERVICE,
    ROLE_HR,
    ROLE_VIEWER,
    ROLE_LEGAL,
    ROLE_COUNT
};

/* The authenticated caller. user_id 0 with ROLE_ADMIN is the system (CLI commands). */
struct principal {
    int64_t user_id;
    enum role role;
    const char *login; /* arena */
};

struct kam_ctx {
    struct db *db;
    struct arena *a;
    struct kam_error *err;
    struct principal who;
    int64_t now; /* unix seconds */
};

/* Role key ("account_manager") and back; role_parse returns ROLE_NONE if unknown. */
const char *role_name(enum role r);
enum role role_parse(const char *s);

#endif
