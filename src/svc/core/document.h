/* document.h -- files attached to records (issue 17 item 2): contracts, breaches, disputes and
 * lessons now, other records later through one row of the owner table in document.c.
 *
 * The bytes live in the database (document_content; metadata in documents), so backup and
 * migrate-data carry them. An upload is capped by the setting documents.max_bytes (default
 * 20 MiB, at most DOC_MAX_BYTES_LIMIT), refused when empty, and its type is sniffed from the
 * content only (document_sniff): PDF, PNG, JPEG, GIF, WebP, Office OOXML (docx/xlsx/pptx, told
 * apart by their zip entries), legacy OLE2 Office (doc/xls/ppt, by their directory's stream
 * names) and plain UTF-8 text; anything else is 415 naming "content". The name is sanitised
 * (document_clean_name) and must not contradict the sniffed type (an extension of another known
 * type, e.g. HTML text or a PNG under "x.pdf": 415 naming "name"); a name of an unknown
 * extension ("x.exe") or none keeps it and gets the type's own appended. A document is served
 * only as a download (api/core/documents.c). Permission comes from the owner record: dispatch
 * asks document_scope() for the owner's policy object and account. Every upload, download and
 * delete is audited (entity "document", actions create / download / delete) under the owner's
 * account, in the same transaction. */
#ifndef KAM_DOCUMENT_H
#define KAM_DOCUMENT_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"
#include "ctx.h"
#include "policy.h"

#define DOC_NAME_MAX 200                  /* characters of a stored name */
#define DOC_NAME_IN_MAX 1000              /* characters of a name as sent */
#define DOC_NOTE_MAX 500                  /* characters of a note */
#define DOC_MAX_BYTES_DEFAULT (20u << 20) /* documents.max_bytes when unset */
#define DOC_MAX_BYTES_LIMIT (64u << 20)   /* the most documents.max_bytes may say (the HTTP cap) */

/* A type the sniffer knows. */
struct doc_type {
    const char *mime;        /* stored and served */
    const char *ext;         /* its extension, without the dot: appended to names without one */
    const char *const *exts; /* every extension naming it, NULL-terminated */
};

/* The type of p[0..n) judged from its bytes only, or NULL when it is none of the accepted ones
 * (an empty input included). Reads at most the whole input; never fails otherwise. */
const struct doc_type *document_sniff(const void *p, size_t n);
/* The known type whose extensions include ext (without the dot, any case), or NULL. */
const struct doc_type *document_type_of_ext(const char *ext);

/* A safe file name from what the client sent (NULL or any bytes): the part after the last
 * '/' or '\'; no control characters, NUL, bidi controls (U+202A-202E, U+2066-2069, U+200E,
 * U+200F, U+061C), zero-width characters or BOM, none of <>:"|?*; no leading dots or spaces,
 * no trailing dots or spaces; invalid UTF-8 dropped; white space runs made one space; at most
 * DOC_NAME_MAX characters (the extension kept when it is cut). Chinese stays. When t is given:
 * empty -> "document.<ext>"; no extension, or one no known type uses -> ".<ext>" appended.
 * *mismatch (may be NULL) is set to 1 when the extension is that of another known type (the
 * name is then returned unchanged in that respect). Result in a. */
const char *document_clean_name(struct arena *a, const char *name, const struct doc_type *t,
                                int *mismatch);

struct document {
    int64_t id;
    const char *owner_kind; /* contract | breach | dispute | lesson */
    int64_t owner_id;
    int64_t account_id; /* 0: none (a lesson of no account) */
    const char *name, *mime, *sha256, *note;
    int64_t size;
    int64_t created_by; /* 0: none */
    int64_t created_at;
};

/* The policy object of an owner kind (OBJ_CONTRACT ...); 0 with *ok 0 for an unknown kind. */
enum obj document_owner_obj(const char *owner_kind, int *ok);

/* Stores n bytes at p as a document of the owner record (owner_kind, owner_id) named name (the
 * client's, sanitised here) with note (NULL: "", one line of at most DOC_NOTE_MAX characters:
 * else KAM_EINVAL "note"). Errors: KAM_ENOTFOUND "id" (no such owner), KAM_EINVAL "content"
 * (empty), KAM_ETOOBIG "content" (over documents.max_bytes), KAM_EMEDIA "content" (a type not
 * accepted) or "name" (its extension contradicts the content), KAM_EINVAL "name" (over
 * DOC_NAME_IN_MAX characters). Audited ("create"). */
enum kam_err document_upload(struct kam_ctx *ctx, const char *owner_kind, int64_t owner_id,
                             const char *name, const char *note, const void *p, size_t n,
                             struct document *out);

/* The documents of an owner record, newest first; keyset paging (limit 0: default; cursor). */
enum kam_err document_list(struct kam_ctx *ctx, const char *owner_kind, int64_t owner_id,
                           int64_t limit, const char *cursor, struct document **items_out,
                           size_t *n_out, const char **next_out);

/* One document's metadata; KAM_ENOTFOUND "id". */
enum kam_err document_get(struct kam_ctx *ctx, int64_t id, struct document *out);

/* One document's metadata and its bytes appended to into; audited ("download") in its own
 * transaction (nested in the caller's, if any). KAM_EINTERNAL when into cannot hold them. */
enum kam_err document_read(struct kam_ctx *ctx, int64_t id, struct document *out, struct buf *into);

/* Removes a document and its bytes; audited ("delete"). KAM_ENOTFOUND "id". */
enum kam_err document_delete(struct kam_ctx *ctx, int64_t id);

/* For an account's whole history (audit_list): " AND NOT (...)" leaving out the audit rows of
 * documents whose owner's object the caller may not read (every row names its owner_kind), or
 * "" when they may read them all. In ctx->a; literal SQL, no parameters. */
const char *document_audit_hidden(struct kam_ctx *ctx);

/* For dispatch (SCOPE_DOCUMENT): the policy object of the document's owner record (the
 * caller's read stays a read, a delete is the owner's update) and the owner's account (0:
 * none). KAM_ENOTFOUND "id" when there is no such document. */
enum kam_err document_scope(struct kam_ctx *ctx, int64_t id, enum obj *obj_out,
                            int64_t *account_out);

#endif
