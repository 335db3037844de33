/* decode.c -- request bodies (jansson) and query parameters into typed values. */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

static const char *type_name(enum jtype t)
{
    switch (t) {
    case J_STR:
        return "a string";
    case J_I64:
        return "an integer";
    case J_BOOL:
        return "true or false";
    case J_MONEY:
        return "an object {\"amount\", \"currency\"}";
    case J_IDS:
        return "an array of ids";
    case J_DEC3:
        return "a number with at most 3 decimals";
    case J_F64:
        return "a number";
    case J_OBJ:
        return "an object";
    case J_STRS:
        return "an array of strings";
    case J_INTS:
        return "an array of integers";
    case J_OBJS:
        return "an array of objects";
    }
    return "?";
}

static enum kam_err wrong_type(struct api_call *c, const struct jfield *f)
{
    return kam_fail(c->ctx->err, KAM_EINVAL, f->name, "%s must be %s%s", f->name,
                    type_name(f->type), f->nullable ? " or null" : "");
}

/* Set while decoding a body that jansson could only read with integers as reals (one of them
 * did not fit int64): exact integers below 2^53 still count as integers there. */
static _Thread_local int ints_as_reals;

/* An integer JSON value that fits int64 (jansson reads integers as json_int_t = long long;
 * reals such as 1.5 or 1e3 are rejected: ids and counts are integers). */
static int get_i64(json_t *v, int64_t *out)
{
    if (json_is_integer(v)) {
        *out = (int64_t)json_integer_value(v);
        return 1;
    }
    if (ints_as_reals && json_is_real(v)) {
        double d = json_real_value(v);
        /* Range first: converting an out-of-range double to an integer is undefined. */
        if (d > -9007199254740992.0 && d < 9007199254740992.0 && d == (double)(int64_t)d) {
            *out = (int64_t)d;
            return 1;
        }
    }
    return 0;
}

static enum kam_err get_str(struct api_call *c, const char *field, json_t *v, const char **out)
{
    size_t n = json_string_length(v);
    const char *s = json_string_value(v);
    if (n > API_MAX_STRING)
        return kam_fail(c->ctx->err, KAM_EINVAL, field, "%s is too long", field);
    if (memchr(s, 0, n))
        return kam_fail(c->ctx->err, KAM_EINVAL, field, "%s must not contain NUL", field);
    *out = arena_strndup(c->ctx->a, s, n);
    return KAM_OK;
}

static enum kam_err decode_money(struct api_call *c, const struct jfield *f, json_t *v, char *base)
{
    if (json_is_null(v)) {
        *(int *)(void *)(base + f->off3) = 0;
        return KAM_OK;
    }
    if (!json_is_object(v))
        return wrong_type(c, f);
    json_t *amount = NULL, *currency = NULL;
    const char *k;
    json_t *x;
    json_object_foreach(v, k, x)
    {
        if (strcmp(k, "amount") == 0)
            amount = x;
        else if (strcmp(k, "currency") == 0)
            currency = x;
        else
            return kam_fail(c->ctx->err, KAM_EINVAL, f->name, "unknown field %s.%s", f->name, k);
    }
    char field[48];
    snprintf(field, sizeof field, "%s.amount", f->name);
    int64_t a;
    if (!amount || !get_i64(amount, &a))
        return kam_fail(c->ctx->err, KAM_EINVAL, field, "%s must be an integer (minor units)",
                        field);
    snprintf(field, sizeof field, "%s.currency", f->name);
    if (!currency || !json_is_string(currency))
        return kam_fail(c->ctx->err, KAM_EINVAL, field, "%s must be a string", field);
    const char *cur;
    enum kam_err rc = get_str(c, field, currency, &cur);
    if (rc)
        return rc;
    *(int64_t *)(void *)(base + f->off) = a;
    *(const char **)(void *)(base + f->off2) = cur;
    *(int *)(void *)(base + f->off3) = 1;
    return KAM_OK;
}

static enum kam_err decode_ids(struct api_call *c, const struct jfield *f, json_t *v, char *base)
{
    if (!json_is_array(v))
        return wrong_type(c, f);
    size_t n = json_array_size(v);
    int ints = f->type == J_INTS; /* J_INTS: integers >= 0, at most max_items */
    int max = ints && f->max_items > 0 && f->max_items < API_MAX_IDS ? f->max_items : API_MAX_IDS;
    if (n > (size_t)max)
        return kam_fail(c->ctx->err, KAM_EINVAL, f->name, "%s holds more than %d %s", f->name, max,
                        ints ? "items" : "ids");
    int64_t *ids = (int64_t *)(void *)(base + f->off);
    for (size_t i = 0; i < n; i++) {
        int64_t x;
        if (ints && (!get_i64(json_array_get(v, i), &x) || x < 0))
            return kam_fail(c->ctx->err, KAM_EINVAL, f->name, "%s must hold integers of at least 0",
                            f->name);
        if (!ints && (!get_i64(json_array_get(v, i), &x) || x <= 0))
            return kam_fail(c->ctx->err, KAM_EINVAL, f->name, "%s must hold positive ids", f->name);
        ids[i] = x;
    }
    *(int *)(void *)(base + f->off2) = (int)n;
    *(int *)(void *)(base + f->off3) = 1;
    return KAM_OK;
}

static enum kam_err decode_strs(struct api_call *c, const struct jfield *f, json_t *v, char *base)
{
    if (!json_is_array(v))
        return wrong_type(c, f);
    size_t n = json_array_size(v);
    int max = f->max_items > 0 && f->max_items < API_MAX_IDS ? f->max_items : API_MAX_IDS;
    if (n > (size_t)max)
        return kam_fail(c->ctx->err, KAM_EINVAL, f->name, "%s holds at most %d texts", f->name,
                        max);
    const char **out = (const char **)(void *)(base + f->off);
    for (size_t i = 0; i < n; i++) {
        json_t *x = json_array_get(v, i);
        if (!json_is_string(x))
            return kam_fail(c->ctx->err, KAM_EINVAL, f->name, "%s must hold strings", f->name);
        enum kam_err rc = get_str(c, f->name, x, &out[i]);
        if (rc)
            return rc;
    }
    *(int *)(void *)(base + f->off2) = (int)n;
    *(int *)(void *)(base + f->off3) = 1;
    return KAM_OK;
}

static enum kam_err decode_field(struct api_call *c, const struct jfield *f, json_t *v, char *base);

static enum kam_err decode_obj(struct api_call *c, const struct jfield *f, json_t *v, char *base)
{
    if (json_is_null(v) && f->nullable) {
        *(int *)(void *)(base + f->off2) = 0;
        return KAM_OK;
    }
    if (!json_is_object(v))
        return wrong_type(c, f);
    unsigned *bits = (unsigned *)(void *)(base + f->off);
    const char *k;
    json_t *x;
    json_object_foreach(v, k, x)
    {
        const struct jfield *sf = f->sub;
        while (sf && sf->name && strcmp(sf->name, k) != 0)
            sf++;
        if (!sf || !sf->name)
            return kam_fail(c->ctx->err, KAM_EINVAL, f->name, "unknown field %s.%.60s", f->name, k);
        struct jfield g = *sf;
        g.name = arena_printf(c->ctx->a, "%s.%s", f->name, sf->name);
        enum kam_err rc = decode_field(c, &g, x, base);
        if (rc)
            return rc;
        *bits |= sf->bit;
    }
    *(int *)(void *)(base + f->off2) = 1;
    return KAM_OK;
}

/* J_OBJS: each element into its own struct (first member: its field bits), an arena array. */
static enum kam_err decode_objs(struct api_call *c, const struct jfield *f, json_t *v, char *base)
{
    if (!json_is_array(v))
        return wrong_type(c, f);
    size_t n = json_array_size(v);
    int max = f->max_items > 0 ? f->max_items : API_MAX_IDS;
    if (n > (size_t)max)
        return kam_fail(c->ctx->err, KAM_EINVAL, f->name, "%s holds more than %d items", f->name,
                        max);
    size_t size = f->off3 >= sizeof(unsigned) ? f->off3 : sizeof(unsigned);
    char *arr = arena_calloc(c->ctx->a, n ? n : 1, size);
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(v, i);
        const char *name = arena_printf(c->ctx->a, "%s[%zu]", f->name, i);
        if (!json_is_object(e))
            return kam_fail(c->ctx->err, KAM_EINVAL, name, "%s must be an object", name);
        char *eb = arr + i * size;
        const char *k;
        json_t *x;
        json_object_foreach(e, k, x)
        {
            const struct jfield *sf = f->sub;
            while (sf && sf->name && strcmp(sf->name, k) != 0)
                sf++;
            if (!sf || !sf->name)
                return kam_fail(c->ctx->err, KAM_EINVAL, name, "unknown field %s.%.60s", name, k);
            struct jfield g = *sf;
            g.name = arena_printf(c->ctx->a, "%s.%s", name, sf->name);
            enum kam_err rc = decode_field(c, &g, x, eb);
            if (rc)
                return rc;
            *(unsigned *)(void *)eb |= sf->bit;
        }
    }
    *(void **)(void *)(base + f->off) = arr;
    *(int *)(void *)(base + f->off2) = (int)n;
    return KAM_OK;
}

static enum kam_err decode_field(struct api_call *c, const struct jfield *f, json_t *v, char *base)
{
    if (f->type == J_OBJ)
        return decode_obj(c, f, v, base);
    if (f->type == J_OBJS)
        return decode_objs(c, f, v, base);
    if (f->type == J_INTS)
        return decode_ids(c, f, v, base);
    if (f->type == J_STRS)
        return decode_strs(c, f, v, base);
    if (f->type == J_MONEY)
        return decode_money(c, f, v, base);
    if (f->type == J_IDS)
        return decode_ids(c, f, v, base);
    if (json_is_null(v)) {
        if (!f->nullable)
            return wrong_type(c, f);
        if (f->type == J_STR)
            *(const char **)(void *)(base + f->off) = NULL;
        else
            *(int *)(void *)(base + f->off2) = 0;
        return KAM_OK;
    }
    switch (f->type) {
    case J_STR:
        if (!json_is_string(v))
            return wrong_type(c, f);
        return get_str(c, f->name, v, (const char **)(void *)(base + f->off));
    case J_I64: {
        int64_t x;
        if (!get_i64(v, &x))
            return wrong_type(c, f);
        *(int64_t *)(void *)(base + f->off) = x;
        if (f->nullable)
            *(int *)(void *)(base + f->off2) = 1;
        return KAM_OK;
    }
    case J_BOOL:
        if (!json_is_boolean(v))
            return wrong_type(c, f);
        *(int *)(void *)(base + f->off) = json_is_true(v);
        return KAM_OK;
    case J_DEC3: {
        int64_t x;
        if (get_i64(v, &x)) {
            if (x > INT64_C(1000000000000000) || x < -INT64_C(1000000000000000))
                return wrong_type(c, f);
            *(int64_t *)(void *)(base + f->off) = x * 1000;
            return KAM_OK;
        }
        if (!json_is_real(v))
            return wrong_type(c, f);
        double d = json_real_value(v) * 1000.0;
        if (!(d > -1e18 && d < 1e18))
            return wrong_type(c, f);
        double r = d < 0 ? -(double)(int64_t)(-d + 0.5) : (double)(int64_t)(d + 0.5);
        /* At most 3 decimals: d must be an integer up to the double's own rounding. */
        double tol = (d < 0 ? -d : d) * 4e-16;
        if (tol < 1e-6)
            tol = 1e-6;
        if (r - d > tol || d - r > tol)
            return wrong_type(c, f);
        *(int64_t *)(void *)(base + f->off) = (int64_t)r;
        return KAM_OK;
    }
    case J_F64: {
        int64_t x;
        if (get_i64(v, &x)) {
            *(double *)(void *)(base + f->off) = (double)x;
            return KAM_OK;
        }
        if (!json_is_real(v))
            return wrong_type(c, f);
        double d = json_real_value(v);
        if (!(d > -1e300 && d < 1e300))
            return wrong_type(c, f);
        *(double *)(void *)(base + f->off) = d;
        return KAM_OK;
    }
    default:
        return wrong_type(c, f);
    }
}

const struct jfield api_csv_body[] = {{0}};
const struct jfield api_file_body[] = {{0}};

enum kam_err api_decode(struct api_call *c, const struct jfield *spec, void *out, unsigned *set)
{
    struct kam_error *e = c->ctx->err;
    const struct http_req *r = c->req;
    if (!r->body || r->body_len == 0)
        return kam_fail(e, KAM_EINVAL, "body", "a JSON object body is required");
    const char *ct = r->header(r, "Content-Type");
    if (!ct || strncasecmp(ct, "application/json", 16) != 0)
        return kam_fail(e, KAM_EMEDIA, "Content-Type", "the body must be application/json");
    json_error_t jerr;
    /* NUL is let through the parser so that the field holding it can be named below. */
    int flags = JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL;
    json_t *root = json_loadb(r->body, r->body_len, (size_t)flags, &jerr);
    ints_as_reals = 0;
    if (!root && json_error_code(&jerr) == json_error_numeric_overflow) {
        /* An integer beyond int64: read again with numbers as reals, so the decoder can name
         * the field whose value is out of range. */
        root = json_loadb(r->body, r->body_len, (size_t)(flags | JSON_DECODE_INT_AS_REAL), &jerr);
        ints_as_reals = 1;
    }
    if (!root)
        return kam_fail(e, KAM_EINVAL, "body", "invalid JSON at line %d column %d: %s", jerr.line,
                        jerr.column, jerr.text);
    enum kam_err rc = KAM_OK;
    if (!json_is_object(root)) {
        rc = kam_fail(e, KAM_EINVAL, "body", "the body must be a JSON object");
        goto out;
    }
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v)
    {
        const struct jfield *f = spec;
        while (f->name && strcmp(f->name, key) != 0)
            f++;
        if (!f->name) {
            rc = kam_fail(e, KAM_EINVAL, strlen(key) < 48 ? key : "body", "unknown field %.60s",
                          key);
            goto out;
        }
        if ((rc = decode_field(c, f, v, out)))
            goto out;
        *set |= f->bit;
    }
out:
    json_decref(root);
    return rc;
}

enum kam_err api_query_dec3(struct api_call *c, const char *key, int64_t def, int64_t *out)
{
    const char *s = api_query_str(c, key);
    *out = def;
    if (!s)
        return KAM_OK;
    int64_t v = 0;
    int digits = 0, dec = -1;
    for (const char *p = s; *p; p++) {
        if (*p == '.' && dec < 0 && digits) {
            dec = 0;
            continue;
        }
        if (*p < '0' || *p > '9' || dec >= 3 || digits >= 15)
            return kam_fail(c->ctx->err, KAM_EINVAL, key,
                            "%s must be a number with at most 3 decimals", key);
        v = v * 10 + (*p - '0');
        digits++;
        if (dec >= 0)
            dec++;
    }
    if (!digits || dec == 0)
        return kam_fail(c->ctx->err, KAM_EINVAL, key, "%s must be a number with at most 3 decimals",
                        key);
    for (int i = dec < 0 ? 0 : dec; i < 3; i++)
        v *= 10;
    *out = v;
    return KAM_OK;
}

enum kam_err api_query_i64(struct api_call *c, const char *key, int64_t def, int64_t *out)
{
    const char *v = http_query(c->req, key);
    if (!v) {
        *out = def;
        return KAM_OK;
    }
    char *end;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (errno || end == v || *end || strlen(v) > 20)
        return kam_fail(c->ctx->err, KAM_EINVAL, key, "%s must be an integer", key);
    *out = x;
    return KAM_OK;
}

enum kam_err api_query_user(struct api_call *c, const char *key, int64_t *out)
{
    const char *v = http_query(c->req, key);
    if (v && strcmp(v, "me") == 0) {
        *out = c->ctx->who.user_id;
        return KAM_OK;
    }
    return api_query_i64(c, key, 0, out);
}

const char *api_query_str(struct api_call *c, const char *key)
{
    return http_query(c->req, key);
}
