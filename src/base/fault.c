/* fault.c -- the per-thread countdown of the fault build (fault.h); empty otherwise. */
#include "fault.h"

#include "log.h"

#include <string.h>

#ifdef KAM_FAULT

static _Thread_local long armed_n;   /* the failing point, 0: not armed */
static _Thread_local long passed;    /* points passed since fault_arm */
static _Thread_local int fired = -1; /* the kind that failed */
static _Thread_local int only = -1;  /* count only this kind, -1: every kind */
static _Thread_local long counted;   /* points of the counted kind(s) */

void fault_arm(long n)
{
    armed_n = n > 0 ? n : 0;
    passed = 0;
    counted = 0;
    fired = -1;
    only = -1;
}

void fault_arm_spec(const char *spec)
{
    int kind = -1;
    const char *colon = spec ? strchr(spec, ':') : NULL;
    if (colon) {
        for (int k = 0; k < FAULT_KINDS; k++)
            if (strlen(fault_kind_name(k)) == (size_t)(colon - spec) &&
                !strncmp(spec, fault_kind_name(k), (size_t)(colon - spec)))
                kind = k;
        if (kind < 0) {
            fault_arm(0);
            return;
        }
        spec = colon + 1;
    }
    fault_arm(spec ? strtol(spec, NULL, 10) : 0);
    only = kind;
}

void fault_disarm(void)
{
    armed_n = 0;
}

int fault_hit(enum fault_kind kind)
{
    if (!armed_n)
        return 0;
    passed++;
    if (only >= 0 && (int)kind != only)
        return 0;
    if (++counted != armed_n)
        return 0;
    fired = (int)kind;
    if (kind == FAULT_ALLOC) /* store/db.c logs its own, with the statement */
        log_info("fault: injected alloc failure");
    return 1;
}

long fault_points(void)
{
    return passed;
}

int fault_fired(void)
{
    return fired;
}

const char *fault_kind_name(int kind)
{
    static const char *const names[FAULT_KINDS] = {"prepare", "bind",   "step",
                                                   "exec",    "commit", "alloc"};
    return kind >= 0 && kind < FAULT_KINDS ? names[kind] : "none";
}

#else
/* ISO C forbids an empty translation unit. */
typedef int fault_unused;
#endif
