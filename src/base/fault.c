/* fault.c -- the per-thread countdown of the fault build (fault.h); empty otherwise. */
#include "fault.h"

#include "log.h"

#ifdef KAM_FAULT

static _Thread_local long armed_n;   /* the failing point, 0: not armed */
static _Thread_local long passed;    /* points passed since fault_arm */
static _Thread_local int fired = -1; /* the kind that failed */

void fault_arm(long n)
{
    armed_n = n > 0 ? n : 0;
    passed = 0;
    fired = -1;
}

void fault_disarm(void)
{
    armed_n = 0;
}

int fault_hit(enum fault_kind kind)
{
    if (!armed_n)
        return 0;
    if (++passed != armed_n)
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
