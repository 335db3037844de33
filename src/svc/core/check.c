/* check.c -- field validation. */
#include "check.h"

#include <stdio.h>
#include <string.h>

#include "base/timeutil.h"
#include "base/utf8.h"

/* The explicit bidirectional formatting characters (UTF-8 E2 80 AA..AE: LRE RLE PDF LRO RLO;
 * E2 81 A6..A9: LRI RLI FSI PDI) reorder the text that follows them, also text that is not
 * theirs when a name is shown inline next to other data ("Trojan Source"); a name with U+202E
 * displays "moc.elpmaxe" as "example.com". No name, code or note needs them. The implicit marks
 * U+200E/U+200F/U+061C only set the direction of the neutral characters next to them, cannot
 * reverse a run, and right-to-left names use them to keep numbers in place: they are allowed.
 * Returns the sequence's length (3) or 0. */
static size_t bidi_control(const unsigned char *p, size_t left)
{
    if (left < 3 || p[0] != 0xe2)
        return 0;
    if (p[1] == 0x80 && p[2] >= 0xaa && p[2] <= 0xae)
        return 3;
    if (p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9)
        return 3;
    return 0;
}

/* U+2028 LINE SEPARATOR and U+2029 PARAGRAPH SEPARATOR (E2 80 A8/A9) break lines like \n. */
static int unicode_line_break(const unsigned char *p, size_t left)
{
    return left >= 3 && p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9);
}

enum kam_err check_text(struct kam_ctx *ctx, const char *field, const char *s, int min_chars,
                        int max_chars, int multiline)
{
    if (!s)
        s = "";
    size_t n = strlen(s);
    if (!utf8_valid(s, n))
        return kam_fail_key(ctx->err, KAM_EINVAL, field, "bad_utf8", NULL, "%s is not valid UTF-8",
                            field);
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = u[i];
        /* C1 controls U+0080..U+009F are UTF-8 C2 80..C2 9F. */
        if (c == 0xc2 && i + 1 < n && u[i + 1] <= 0x9f)
            return kam_fail_key(ctx->err, KAM_EINVAL, field, "control_char", NULL,
                                "%s contains a control character", field);
        /* Refused in notes too: a note shown in a list or a timeline line would reorder the
         * author, date and neighbouring rows the same way a name does. Secrets are never
         * shown, and a stored password must keep working. */
        if (multiline != CHECK_SECRET && bidi_control(u + i, n - i))
            return kam_fail_key(ctx->err, KAM_EINVAL, field, "bidi_control", NULL,
                                "%s contains a bidirectional control character (U+202A-U+202E, "
                                "U+2066-U+2069)",
                                field);
        if (multiline == CHECK_LINE && unicode_line_break(u + i, n - i))
            return kam_fail_key(ctx->err, KAM_EINVAL, field, "line_break", NULL,
                                "%s contains a line break", field);
        if (c < 0x20 || c == 0x7f) {
            if (multiline == CHECK_MULTILINE && (c == '\n' || c == '\r' || c == '\t'))
                continue;
            return kam_fail_key(ctx->err, KAM_EINVAL, field, "control_char", NULL,
                                "%s contains a control character", field);
        }
    }
    size_t chars = utf8_chars(s, n);
    char num[24];
    if (chars < (size_t)min_chars) {
        snprintf(num, sizeof num, "%d", min_chars);
        return kam_fail_key(ctx->err, KAM_EINVAL, field, min_chars == 1 ? "required" : "too_short",
                            (struct kam_param[]){{"min", num}, {NULL, NULL}},
                            min_chars == 1 ? "%s is required" : "%s is too short", field);
    }
    if (chars > (size_t)max_chars) {
        snprintf(num, sizeof num, "%d", max_chars);
        return kam_fail_key(ctx->err, KAM_EINVAL, field, "too_long",
                            (struct kam_param[]){{"max", num}, {NULL, NULL}},
                            "%s is longer than %d characters", field, max_chars);
    }
    return KAM_OK;
}

int check_in(const char *s, const char *const *vals)
{
    for (; s && *vals; vals++)
        if (strcmp(s, *vals) == 0)
            return 1;
    return 0;
}

enum kam_err check_enum(struct kam_ctx *ctx, const char *field, const char *s,
                        const char *const *vals)
{
    if (check_in(s, vals))
        return KAM_OK;
    char list[160] = "";
    for (; *vals; vals++) {
        if (*list)
            strncat(list, ", ", sizeof list - strlen(list) - 1);
        strncat(list, *vals, sizeof list - strlen(list) - 1);
    }
    return kam_fail_key(ctx->err, KAM_EINVAL, field, "not_one_of",
                        (struct kam_param[]){{"allowed", list}, {NULL, NULL}},
                        "%s must be one of: %s", field, list);
}

enum kam_err check_range(struct kam_ctx *ctx, const char *field, int64_t v, int64_t min,
                         int64_t max)
{
    if (v < min || v > max) {
        char lo[24], hi[24];
        snprintf(lo, sizeof lo, "%lld", (long long)min);
        snprintf(hi, sizeof hi, "%lld", (long long)max);
        return kam_fail_key(ctx->err, KAM_EINVAL, field, "out_of_range",
                            (struct kam_param[]){{"min", lo}, {"max", hi}, {NULL, NULL}},
                            "%s must be between %lld and %lld", field, (long long)min,
                            (long long)max);
    }
    return KAM_OK;
}

enum kam_err check_date(struct kam_ctx *ctx, const char *field, const char *s)
{
    int y, m, d;
    if (!s || date_parse(s, &y, &m, &d) != 0)
        return kam_fail_key(ctx->err, KAM_EINVAL, field, "bad_date", NULL,
                            "%s must be a date YYYY-MM-DD", field);
    return KAM_OK;
}

/* RFC 5322 atext: the characters of a dot-atom. */
static int atext(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

/* A host name: at least min_labels labels of 1..63 letters, digits and inner hyphens, <= 253
 * in all, the last not all digits (that would be an IP address). */
static int domain_ok(const char *d, size_t min_labels)
{
    size_t n = strlen(d), labels = 0, len = 0;
    int digits_only = 1;
    if (n == 0 || n > 253)
        return 0;
    for (size_t i = 0; i <= n; i++) {
        unsigned char c = (unsigned char)d[i];
        if (c == '.' || c == 0) {
            if (len == 0 || len > 63 || d[i - 1] == '-')
                return 0;
            labels++;
            if (c == 0)
                break;
            len = 0;
            digits_only = 1;
            continue;
        }
        int alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && !(c == '-' && len > 0))
            return 0;
        if (!(c >= '0' && c <= '9'))
            digits_only = 0;
        len++;
    }
    return labels >= min_labels && !digits_only;
}

int check_addr_spec(const char *s, int min_labels)
{
    if (!s)
        return 0;
    size_t n = strlen(s);
    const char *at = strchr(s, '@');
    if (n > 254 || !at || strchr(at + 1, '@'))
        return 0;
    size_t local = (size_t)(at - s);
    if (local == 0 || local > 64 || s[0] == '.' || at[-1] == '.')
        return 0;
    for (size_t i = 0; i < local; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '.' ? s[i + 1] == '.' : !atext(c))
            return 0;
    }
    return domain_ok(at + 1, min_labels > 0 ? (size_t)min_labels : 1);
}

enum kam_err check_email(struct kam_ctx *ctx, const char *field, const char *s)
{
    enum kam_err rc = check_text(ctx, field, s, 0, 254, 0);
    if (rc || !s || !*s)
        return rc;
    /* One plain address and nothing else: a display name or angle brackets would make the
     * mail go to whatever the brackets hold, a comma or semicolon to several people. */
    if (!check_addr_spec(s, 2))
        return kam_fail_key(ctx->err, KAM_EINVAL, field, "bad_email", NULL,
                            "%s must be one plain e-mail address like name@example.com", field);
    return KAM_OK;
}

enum kam_err check_currency(struct kam_ctx *ctx, const char *field, const char *s)
{
    if (!s || strlen(s) != 3 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z' ||
        s[2] < 'A' || s[2] > 'Z')
        return kam_fail_key(ctx->err, KAM_EINVAL, field, "bad_currency", NULL,
                            "%s must be a 3-letter ISO 4217 code", field);
    return KAM_OK;
}

enum kam_err check_given(struct kam_ctx *ctx, unsigned set, unsigned bit, const char *field)
{
    if (set & bit)
        return KAM_OK;
    return kam_fail_key(ctx->err, KAM_EINVAL, field, "required",
                        (struct kam_param[]){{"field", field}, {0}}, "%s is required", field);
}

enum kam_err check_line(struct kam_ctx *ctx, const char *field, const char *s, int max_chars)
{
    enum kam_err rc = check_text(ctx, field, s, 1, max_chars, CHECK_LINE);
    if (!rc && utf8_blank(s))
        rc = check_given(ctx, 0, 1, field);
    return rc;
}
