/* outbox.h -- the durable e-mail outbox and its SMTP sender (libcurl).
 *
 * Services queue a message in the same transaction as the change that causes it; the
 * scheduler sends due messages: it claims one row (status "sending", locked for 5 minutes,
 * skipping rows other instances hold), sends it, and marks it "sent", or puts it back with
 * back-off (1, 5, 30 minutes, 2, 6, 12, 24 hours; then "failed"). A dedup key makes queueing
 * the same message twice a no-op. A message is sent at most once unless a process dies between
 * the SMTP server accepting it and the row being marked (then, after the lock expires, it is
 * sent again with the same Message-ID, which receiving systems use to drop duplicates).
 *
 * A Message-ID is <32 hex digits@host>: a keyed hash (BLAKE2b) of the row id under a random
 * key made once per database (settings "outbox.message_id_key"), so it is globally unique,
 * reveals no count of messages, and stays the same for every attempt at one message; the host
 * is the From address's domain. A row whose recipient is not one plain address fails at once
 * (status "failed") and nothing is sent anywhere. */
#ifndef KAM_OUTBOX_H
#define KAM_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

#include "ctx.h"

/* Queues a message; *id_out the row (new or the existing one with this dedup_key);
 * *created_out (may be NULL) 1 when this call added it. */
enum kam_err outbox_queue(struct kam_ctx *ctx, const char *to, const char *subject,
                          const char *body, const char *dedup_key, int64_t *id_out,
                          int *created_out);

struct mail_cfg {
    const char *url;  /* smtp://host:port or smtps://...; NULL: sending is off */
    const char *from; /* "KAM <kam@example.com>" */
    const char *user, *password;
};

/* From KAM_SMTP_URL, KAM_SMTP_FROM, KAM_SMTP_USER, KAM_SMTP_PASSWORD. */
void outbox_mail_cfg(struct mail_cfg *out);

/* Scheduler job: sends every due message (at most 500 per pass). *retried_out counts the
 * messages put back for another try; one that can never be sent is marked failed. */
enum kam_err outbox_send_due(struct kam_ctx *ctx, const struct mail_cfg *cfg, int *sent_out,
                             int *retried_out);

/* Status of one row ("queued", "sending", "sent", "failed"), in ctx->a. */
enum kam_err outbox_status(struct kam_ctx *ctx, int64_t id, const char **status_out);

/* ---- composing a message (exposed for the unit tests) ---- */

struct buf;

/* Appends an unstructured header field ("Subject: ...\r\n"). Controls, CR and LF included,
 * become spaces (no header injection); leading and trailing spaces go. Printable ASCII is
 * written as is, folded at spaces before 78 columns; anything else as RFC 2047 "B"
 * encoded-words of at most 75 characters, lines of at most 76, each word whole UTF-8
 * characters. Scratch memory from a. */
void outbox_header_text(struct buf *b, struct arena *a, const char *name, const char *value);

/* Appends an address header field ("From: display <addr>\r\n", or "To: addr\r\n" when
 * display is "" or NULL). The display name is cleaned like a text field and written as atoms,
 * as a quoted-string when it has specials, or as encoded-words when it is not ASCII; the
 * address is never encoded. addr must already be checked (check_addr_spec). */
void outbox_header_mailbox(struct buf *b, struct arena *a, const char *name, const char *display,
                           const char *addr);

/* Splits "Display Name <addr>", "\"Quoted, Name\" <addr>" or a bare "addr" (KAM_SMTP_FROM)
 * into the display name (unquoted; "" when none) and the address, both in a. 1 if the address
 * is one plain addr-spec (check_addr_spec with one label allowed, for "kam@localhost"). */
int outbox_parse_mailbox(struct arena *a, const char *s, const char **display_out,
                         const char **addr_out);

#define OUTBOX_MID_KEY 32
/* Writes "<hex@host>" for outbox row id under key into out (outn >= 40 + strlen(host)). */
void outbox_message_id(const unsigned char key[OUTBOX_MID_KEY], int64_t id, const char *host,
                       char *out, size_t outn);

enum { OUTBOX_OK = 0, OUTBOX_RETRY, OUTBOX_REFUSED };
/* Builds the whole message (headers, blank line, body with CRLF line ends) into msg.
 * OUTBOX_OK; OUTBOX_RETRY when cfg->from is not one mailbox (fixing the configuration helps);
 * OUTBOX_REFUSED when to is not one plain address (it never will be). *why_out says why. */
int outbox_compose(struct arena *a, const struct mail_cfg *cfg, const char *message_id,
                   const char *to, const char *subject, const char *body, int64_t now,
                   struct buf *msg, const char **why_out);

#endif
