/* msg.h -- the message catalogue: stable keys with named parameters rendered in the reader's
 * language (en, zh-CN, zh-TW), and Accept-Language parsing.
 *
 * A template names its parameters in braces: "{field} is longer than {max} characters". A
 * parameter the caller did not give renders as "". Keys without a template in the asked
 * language fall back to English; keys without any template are not rendered (msg_render
 * returns -1) and the caller keeps its own (English, printf-rendered) text.
 *
 * Derived parameter: {occasion_name} (when the caller gave none) is msg_occasion_name(lang,
 * {occasion}, {name}), so a stored care notification words its festival in each reader's
 * language; {signal_name} is the early-warning signal {signal} (its key) by its name. */
#ifndef KAM_MSG_H
#define KAM_MSG_H

#include <stddef.h>

#include "base/err.h"

enum msg_lang { MSG_EN = 0, MSG_ZH_CN, MSG_ZH_TW, MSG_LANG_COUNT };

/* The best supported language of an Accept-Language header (NULL/junk: English). Highest q
 * wins, the first on a tie; q=0 refuses; zh, zh-CN, zh-SG, zh-Hans* -> zh-CN; zh-TW, zh-HK,
 * zh-MO, zh-Hant* -> zh-TW; en* -> en; "*" -> en. */
enum msg_lang msg_lang_parse(const char *accept_language);
/* "en", "zh-CN", "zh-TW". */
const char *msg_lang_tag(enum msg_lang lang);

/* Renders key in lang into out (always NUL-terminated when cap > 0). params: np entries (may
 * be 0). Returns the length written, or -1 when the key has no template (out = ""). */
int msg_render(enum msg_lang lang, const char *key, const struct kam_param *params, size_t np,
               char *out, size_t cap);
/* 1 if key has a template. */
int msg_known(const char *key);

/* The name of a care occasion in lang: a festival (a key of lunar_festivals) or "birthday" by
 * its key (zh-TW in Traditional); anything else (a special date's name, which its user wrote)
 * is `stored` as written. Static or `stored`; never NULL. */
const char *msg_occasion_name(enum msg_lang lang, const char *key, const char *stored);
/* The language of a user's stored preference ("zh-CN", "zh-TW", "en"; NULL, "" or anything else:
 * zh-CN, the default of users.lang). */
enum msg_lang msg_lang_stored(const char *tag);

/* Parameters packed for storage: name US value RS name US value ... (US = 0x1f, RS = 0x1e;
 * both are refused in every stored text, so a value cannot break the packing). */
size_t msg_params_pack(const struct kam_param *params, size_t np, char *out, size_t cap);
/* Unpacks s (modified in place) into at most max params; returns how many. */
size_t msg_params_unpack(char *s, struct kam_param *params, size_t max);

/* s (UTF-8, simplified Chinese entered by users: criteria names ...) in Traditional characters
 * with Taiwan phrasing (OpenCC s2twp) into out (NUL-terminated, never cut inside a character);
 * s itself when OpenCC is unavailable or fails (the converter is opened once per process;
 * conversions are serialised). Returns out. */
const char *msg_to_hant(const char *s, char *out, size_t cap);

#endif
