/* fault.h -- fault injection for the fault suite (tests/fault/): the Nth fault
 * point of a request fails.
 *
 * Only the fault build (`make FAULT=1`, objects compiled with -DKAM_FAULT) has
 * it: there the HTTP server arms a per-thread countdown from a request's
 * `X-Kam-Fault: N` header, and the fault points count down on the thread
 * handling the request. Without KAM_FAULT every hook is the constant 0 and
 * compiles to nothing.
 *
 * Fault points: store/db.c at every prepare, bind, step, exec (BEGIN and
 * SAVEPOINT included) and the outermost COMMIT (a failure as the engine would
 * report it: KAM_EDB "injected fault"; a failed COMMIT also rolls back), and
 * every malloc of src/analytics (NULL). Only the Nth point fails; the ones
 * before and after it succeed (SQLite's "single failure" mode), so a request
 * answers as if exactly one thing had gone wrong.
 *
 * Not injected: arena and buf allocations. By the out-of-memory policy of
 * base/err.h they abort the process, so a failure there can only ever be a
 * crash: there is no error path to test. */
#ifndef KAM_FAULT_H
#define KAM_FAULT_H

enum fault_kind {
    FAULT_PREPARE,
    FAULT_BIND,
    FAULT_STEP,
    FAULT_EXEC,
    FAULT_COMMIT,
    FAULT_ALLOC,
    FAULT_KINDS
};

#ifdef KAM_FAULT
#include <stdlib.h>

/* Arms this thread: its nth fault point from now fails (n >= 1); n <= 0
 * disarms. Resets the counters below. */
void fault_arm(long n);
/* Arms this thread from a header value: "N" as fault_arm(N), or "KIND:N" where
 * only points of KIND (a fault_kind_name) count, e.g. "commit:1" fails the first
 * COMMIT whatever comes before it. Anything else disarms. */
void fault_arm_spec(const char *spec);
/* Disarms this thread (the counters stay readable). */
void fault_disarm(void);
/* 1 when this call is this thread's armed Nth fault point (the caller then fails
 * as kind would); 0 otherwise, and always on a thread that is not armed. */
int fault_hit(enum fault_kind kind);
/* Fault points this thread passed since fault_arm (the failing one counts). */
long fault_points(void);
/* The kind that failed since fault_arm, or -1 when none did. */
int fault_fired(void);
/* "prepare", "bind", ... */
const char *fault_kind_name(int kind);

/* malloc that fails as the Nth FAULT_ALLOC point (src/analytics). */
static inline void *fault_malloc(size_t n)
{
    return fault_hit(FAULT_ALLOC) ? NULL : malloc(n);
}
static inline void *fault_calloc(size_t n, size_t size)
{
    return fault_hit(FAULT_ALLOC) ? NULL : calloc(n, size);
}
static inline void *fault_realloc(void *p, size_t n)
{
    return fault_hit(FAULT_ALLOC) ? NULL : realloc(p, n);
}
#define FAULT_MALLOC(n) fault_malloc(n)
#define FAULT_CALLOC(n, size) fault_calloc(n, size)
#define FAULT_REALLOC(p, n) fault_realloc(p, n)
#else
#define fault_hit(kind) ((void)(kind), 0)
#define FAULT_MALLOC(n) malloc(n)
#define FAULT_CALLOC(n, size) calloc(n, size)
#define FAULT_REALLOC(p, n) realloc(p, n)
#endif

#endif
