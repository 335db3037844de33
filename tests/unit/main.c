/* main.c -- runs the registered unit tests. */
#include <sodium.h>
#include <stdlib.h>

#include "test.h"

static struct test_case cases[1024];
static int ncases;
int test_failed_checks;

void test_register(const char *name, void (*fn)(void))
{
    if (ncases < (int)(sizeof cases / sizeof cases[0]))
        cases[ncases++] = (struct test_case){name, fn};
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0)
        return 1;
    int passed = 0, failed = 0;
    for (int i = 0; i < ncases; i++) {
        if (argc > 1 && !strstr(cases[i].name, argv[1]))
            continue;
        int before = test_failed_checks;
        cases[i].fn();
        if (test_failed_checks == before) {
            passed++;
        } else {
            failed++;
            fprintf(stderr, "FAIL %s\n", cases[i].name);
        }
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
