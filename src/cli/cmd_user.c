/* cmd_user.c -- kam user add|passwd|list|disable. */
#include <getopt.h>
#include <sodium.h>
#include <string.h>

#include "base/jw.h"
#include "cli.h"
#include "svc/core/user.h"

/* First line of stdin, without the newline; NULL on EOF. */
static char *read_password(char *buf, size_t n)
{
    if (!fgets(buf, (int)n, stdin))
        return NULL;
    buf[strcspn(buf, "\r\n")] = 0;
    return buf;
}

static int add(struct cli_ctx *c, const char *login, const char *role, const char *team,
               const char *name, const char *email)
{
    char pw[256];
    if (!read_password(pw, sizeof pw)) {
        fputs("kam: the password is read from standard input\n", stderr);
        return EXIT_USAGE;
    }
    struct user_in in = {.set = USR_LOGIN | USR_ROLE | USR_PASSWORD};
    in.v.login = login;
    in.v.role = role;
    in.password = pw;
    if (name) {
        in.v.name = name;
        in.set |= USR_NAME;
    }
    if (email) {
        in.v.email = email;
        in.set |= USR_EMAIL;
    }
    struct user u;
    enum kam_err rc = user_create_in_team(&c->ctx, &in, team, &u);
    sodium_memzero(pw, sizeof pw);
    if (rc)
        return cli_fail(c);
    printf("kam: user %s (%s) created, id %lld\n", u.login, u.role, (long long)u.id);
    return EXIT_OK;
}

static int find(struct cli_ctx *c, const char *login, struct user *u)
{
    if (user_by_login(&c->ctx, login, u))
        return cli_fail(c);
    return EXIT_OK;
}

static int passwd(struct cli_ctx *c, const char *login)
{
    struct user u;
    if (find(c, login, &u))
        return EXIT_FAIL;
    char pw[256];
    if (!read_password(pw, sizeof pw)) {
        fputs("kam: the password is read from standard input\n", stderr);
        return EXIT_USAGE;
    }
    struct user_in in = {.set = USR_PASSWORD, .password = pw};
    enum kam_err rc = user_update(&c->ctx, u.id, &in, &u);
    sodium_memzero(pw, sizeof pw);
    if (rc)
        return cli_fail(c);
    printf("kam: password of %s changed\n", login);
    return EXIT_OK;
}

static int disable(struct cli_ctx *c, const char *login)
{
    struct user u;
    if (find(c, login, &u))
        return EXIT_FAIL;
    struct user_in in = {.set = USR_DISABLED};
    in.v.disabled = 1;
    if (user_update(&c->ctx, u.id, &in, &u))
        return cli_fail(c);
    printf("kam: %s disabled\n", login);
    return EXIT_OK;
}

static int list(struct cli_ctx *c, int json)
{
    struct user_query q = {.limit = 500};
    struct buf b;
    buf_init(&b, 1 << 26);
    struct jw w;
    jw_init(&w, &b);
    jw_arr_begin(&w);
    if (!json)
        printf("%-6s %-24s %-16s %-8s %s\n", "id", "login", "role", "team", "name");
    for (;;) {
        struct user *items;
        size_t n;
        const char *next;
        if (user_list(&c->ctx, &q, &items, &n, &next)) {
            buf_release(&b);
            return cli_fail(c);
        }
        for (size_t i = 0; i < n; i++) {
            const struct user *u = &items[i];
            if (json) {
                jw_obj_begin(&w);
                jw_ki64(&w, "id", u->id);
                jw_kstr(&w, "login", u->login);
                jw_kstr(&w, "name", u->name);
                jw_kstr(&w, "role", u->role);
                jw_ki64n(&w, "team_id", u->team_id, !u->has_team);
                jw_kbool(&w, "disabled", u->disabled);
                jw_obj_end(&w);
            } else {
                char team[24] = "-";
                if (u->has_team)
                    snprintf(team, sizeof team, "%lld", (long long)u->team_id);
                printf("%-6lld %-24s %-16s %-8s %s%s\n", (long long)u->id, u->login, u->role, team,
                       u->name, u->disabled ? " (disabled)" : "");
            }
        }
        if (!next)
            break;
        q.cursor = next;
    }
    jw_arr_end(&w);
    if (json)
        printf("%s\n", b.data);
    buf_release(&b);
    return EXIT_OK;
}

int cmd_user(int argc, char **argv)
{
    const struct cmd *self = cli_find("user");
    if (argc < 2) {
        cli_usage(stderr, self);
        return EXIT_USAGE;
    }
    const char *sub = argv[1];
    const char *dsn = NULL, *login = NULL, *role = NULL, *team = NULL, *name = NULL, *email = NULL;
    int json = 0;
    static const struct option opts[] = {
        {"db", required_argument, 0, 'd'},   {"login", required_argument, 0, 'l'},
        {"role", required_argument, 0, 'r'}, {"team", required_argument, 0, 't'},
        {"name", required_argument, 0, 'n'}, {"email", required_argument, 0, 'e'},
        {"json", no_argument, 0, 'j'},       {0, 0, 0, 0},
    };
    int o;
    optind = 2;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (o) {
        case 'd':
            dsn = optarg;
            break;
        case 'l':
            login = optarg;
            break;
        case 'r':
            role = optarg;
            break;
        case 't':
            team = optarg;
            break;
        case 'n':
            name = optarg;
            break;
        case 'e':
            email = optarg;
            break;
        case 'j':
            json = 1;
            break;
        default:
            cli_usage(stderr, self);
            return EXIT_USAGE;
        }
    }
    int need_login = strcmp(sub, "list") != 0;
    int known = !strcmp(sub, "add") || !strcmp(sub, "passwd") || !strcmp(sub, "list") ||
                !strcmp(sub, "disable");
    if (!known || optind < argc || (need_login && !login) || (!strcmp(sub, "add") && !role)) {
        cli_usage(stderr, self);
        return EXIT_USAGE;
    }
    struct cli_ctx c;
    if (cli_ctx_open(&c, cli_dsn(dsn), CONN_EXISTING))
        return EXIT_FAIL;
    int rc;
    if (!strcmp(sub, "add"))
        rc = add(&c, login, role, team, name, email);
    else if (!strcmp(sub, "passwd"))
        rc = passwd(&c, login);
    else if (!strcmp(sub, "disable"))
        rc = disable(&c, login);
    else
        rc = list(&c, json);
    cli_ctx_release(&c);
    return rc;
}
