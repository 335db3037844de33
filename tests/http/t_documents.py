"""Documents (issue 17 item 2, src/api/core/documents.c, svc/core/document.c): files attached to
contracts, breaches, disputes and lessons, stored in the database.

Uploads are the raw body with name= in the query: a byte-exact round trip (NUL and high bytes,
a 3 MiB file past the 1 MiB JSON cap) with the download's headers (the stored type, nosniff,
Content-Disposition attachment with the ASCII fallback and the RFC 5987 UTF-8 name,
Content-Security-Policy sandbox); the type judged from the content (PDF, PNG, JPEG, GIF, WebP,
docx/xlsx/pptx built with zipfile, doc/xls/ppt as OLE2 directories, UTF-8 text, CSV by name);
a wrong type under a right name (HTML text or an ELF or a PNG under x.pdf: 415 on name), an
unknown type (415 on content), an empty body (400), over documents.max_bytes (set small in the
settings table: 413 document.too_big, the cap itself accepted), a Content-Length over the HTTP
cap (413 on the headers), a form body (415 on Content-Type); names sanitised (directories of /
and \\, control characters, bidi overrides, leading dots, reserved characters, 200 characters,
Chinese kept, empty -> document.<ext>, an executable extension under a PDF refused); permission
through the owner record (an account manager reads and downloads the documents of their
account's contract but may not upload or delete them: 403, nothing written; another team's: 404;
legal and finance upload and delete; a lesson of no account: every lesson reader downloads, only
org-wide writers change); audit rows create / download / delete under the owner's account in
the same transaction; lists newest first with keyset paging and their export; the permission
matrix of every route of the file (group documents_matrix, and the builders for the suite's
matrix and the fault suite).

Owner records are inserted with SQL (both engines), so the group does not depend on the
contract, breach, dispute and lesson routes."""

import io
import zipfile

import policy as pol
import t_basic
import t_matrix
from lib import raw_call
from policy import ALL, NONE, SCOPE, _roles
from t_matrix import route, Attempt
from t_answers import sql

# src/svc/core/policy.c (docs/API.md "Contracts"): read, create, update, delete. Document routes
# take the owner's read (list, download) and update (upload, delete). setdefault: the contracts
# chapter's own modules may have set the same rows.
for _k, _v in {
    ("contract", "read"): _roles(SCOPE, admin=ALL, director=ALL, finance=ALL, hr=NONE, legal=ALL),
    ("contract", "update"): _roles(NONE, admin=ALL, director=ALL, finance=ALL, legal=ALL),
    ("breach", "read"): _roles(SCOPE, admin=ALL, director=ALL, finance=ALL, hr=NONE, viewer=NONE, legal=ALL),
    ("breach", "update"): _roles(NONE, admin=ALL, director=ALL, finance=ALL, legal=ALL),
    ("dispute", "read"): _roles(NONE, admin=ALL, director=ALL, finance=ALL, team_lead=SCOPE,
                                account_manager=SCOPE, legal=ALL),
    ("dispute", "update"): _roles(NONE, admin=ALL, director=ALL, finance=ALL, team_lead=SCOPE, legal=ALL),
    ("lesson", "read"): _roles(SCOPE, admin=ALL, director=ALL, finance=ALL, hr=ALL, legal=ALL),
    ("lesson", "update"): _roles(NONE, admin=ALL, director=ALL, finance=ALL, team_lead=SCOPE,
                                 account_manager=SCOPE, legal=ALL),
}.items():
    pol.EXPECTED.setdefault(_k, _v)

_KINDS = ("contract", "breach", "dispute", "lesson", "document")
t_matrix.RECORD_KINDS = t_matrix.RECORD_KINDS + tuple(k for k in _KINDS if k not in t_matrix.RECORD_KINDS)
t_basic.SCOPES = t_basic.SCOPES + tuple(k for k in _KINDS if k not in t_basic.SCOPES)

PDF = (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + bytes(range(256)) +
       b"\x00\x00\xff\xfe\r\n\r\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00;"
WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00/\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00\x01\x00\x00\x00" + b"\x00" * 40
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>\n"
TEXT = "合同备忘：第 3 条付款期限 30 天。\nSecond line, plain text.\n".encode("utf-8")


def ooxml(kind):
    main = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "pptx": "ppt/presentation.xml"}[kind]
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        z.writestr(main, '<?xml version="1.0"?><root/>')
    return b.getvalue()


def plain_zip():
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w") as z:
        z.writestr("readme.txt", "a plain zip is no Office file")
    return b.getvalue()


def ole2(stream):
    """A Compound File Binary with a root entry and one stream named stream (UTF-16LE)."""
    hdr = bytearray(512)
    hdr[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    hdr[0x1A:0x1C] = b"\x3e\x00"
    hdr[0x1C:0x1E] = b"\xfe\xff"
    hdr[0x1E:0x20] = b"\x09\x00"  # 512-byte sectors

    def entry(name, typ):
        e = bytearray(128)
        n = (name + "\x00").encode("utf-16-le")
        e[0:len(n)] = n
        e[0x40:0x42] = len(n).to_bytes(2, "little")
        e[0x42] = typ
        return bytes(e)
    sector = entry("Root Entry", 5) + entry(stream, 2) + bytes(256)
    return bytes(hdr) + sector


def today():
    import datetime
    return (datetime.datetime.utcnow() + datetime.timedelta(hours=8)).date().isoformat()


def ins(ctx, q):
    return int(sql(ctx, q + " RETURNING id")[0][0])


def new_owner(ctx, kind, account):
    """A contract, breach, dispute or lesson of account (None: a lesson of no account)."""
    if kind == "lesson":
        return ins(ctx, "INSERT INTO lessons (account_id, title, created_at, updated_at) VALUES (%s, '文档教训 %s', 0, 0)"
                   % ("NULL" if account is None else int(account), ctx.uniq()))
    cid = ins(ctx, "INSERT INTO contracts (account_id, number, title, kind, starts_on, ends_on, currency, created_at, "
                   "updated_at) VALUES (%d, 'DOC-%s', '文档合同', 'framework', '2026-01-01', '2026-12-31', 'CNY', 0, 0)"
              % (account, ctx.uniq()))
    if kind == "contract":
        return cid
    if kind == "dispute":
        return ins(ctx, "INSERT INTO disputes (account_id, contract_id, title, currency, arose_on, limitation_on, "
                        "created_at, updated_at) VALUES (%d, %d, '文档争议', 'CNY', '2026-02-01', '2029-02-01', 0, 0)"
                   % (account, cid))
    ob = ins(ctx, "INSERT INTO contract_obligations (contract_id, side, kind, created_at, updated_at) "
                  "VALUES (%d, 'theirs', 'payment', 0, 0)" % cid)
    return ins(ctx, "INSERT INTO contract_breaches (contract_id, obligation_id, account_id, side, kind, occurrence, "
                    "severity, currency, detected_at, last_seen_at, created_at, updated_at) VALUES "
                    "(%d, %d, %d, 'theirs', 'payment', '2026-03-31', 'low', 'CNY', 0, 0, 0, 0)" % (cid, ob, account))


PLURAL = {"contract": "contracts", "breach": "breaches", "dispute": "disputes", "lesson": "lessons"}


def upload(client, kind, owner, data, name=None, content_type="application/octet-stream"):
    q = {"name": name} if name is not None else None
    return client.request("POST", "/api/v1/%s/%d/documents" % (PLURAL[kind], owner), raw=data, query=q,
                          content_type=content_type)


def n_rows(ctx, q):
    return int(sql(ctx, q)[0][0])


def doc_state(ctx, kind=None, owner=None):
    st = {"n": n_rows(ctx, "SELECT COUNT(*) FROM documents"),
          "content": n_rows(ctx, "SELECT COUNT(*) FROM document_content"),
          "audit": n_rows(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'document'")}
    if owner:
        st["ids"] = sql(ctx, "SELECT id FROM documents WHERE owner_kind = '%s' AND owner_id = %d ORDER BY id"
                        % (kind, owner))
    return st


def audit_actions(ctx, did):
    return [tuple(r) for r in sql(ctx, "SELECT action, account_id FROM audit WHERE entity = 'document' AND "
                                       "entity_id = %d ORDER BY id" % did)]


def set_cap(ctx, v):
    if v is None:
        sql(ctx, "DELETE FROM settings WHERE key = 'documents.max_bytes'")
    else:
        sql(ctx, "INSERT INTO settings (key, value) VALUES ('documents.max_bytes', '%d') "
                 "ON CONFLICT (key) DO UPDATE SET value = excluded.value" % v)


def g_documents(ctx):
    ck = ctx.ck
    admin, legal, fin = ctx.admin, ctx.U("legal").client, ctx.U("fin").client
    am, am_w = ctx.U("am_e").client, ctx.U("am_w").client
    a_own, a_other = ctx.ids["A_own"], ctx.ids["A_other"]
    c_own = new_owner(ctx, "contract", a_own)
    c_other = new_owner(ctx, "contract", a_other)

    # ---- round trip, byte-exact, with the download's headers
    r = legal.request("POST", "/api/v1/contracts/%d/documents" % c_own, raw=PDF,
                      query={"name": "合同扫描件 2026.pdf", "note": "签字版 扫描件"},
                      content_type="application/octet-stream")
    if not ck.expect(r, 201, "legal uploads a PDF to a contract"):
        return
    d = r.json
    ck.ok(d["owner_kind"] == "contract" and d["owner_id"] == c_own and d["account_id"] == a_own and
          d["name"] == "合同扫描件 2026.pdf" and d["mime"] == "application/pdf" and d["size"] == len(PDF) and
          d["created_by"] == ctx.U("legal").id and d["note"] == "签字版 扫描件", "the document's metadata", d)
    import hashlib
    ck.ok(d["sha256"] == hashlib.sha256(PDF).hexdigest(), "sha256 of the bytes", d["sha256"])
    ck.ok(sql(ctx, "SELECT owner_kind, owner_id, account_id, size FROM documents WHERE id = %d" % d["id"]) ==
          [["contract", c_own, a_own, len(PDF)]], "the row in documents")
    g = am.get("/api/v1/documents/%d" % d["id"])
    if ck.expect(g, 200, "the account manager of the account downloads it"):
        ck.ok(g.body == PDF, "byte-exact", "%d bytes" % len(g.body))
        ck.ok(g.header("Content-Type") == "application/pdf", "stored type", g.header("Content-Type"))
        ck.ok(g.header("X-Content-Type-Options") == "nosniff", "nosniff", g.header("X-Content-Type-Options"))
        cd = g.header("Content-Disposition") or ""
        ck.ok(cd == "attachment; filename=\"%s 2026.pdf\"; filename*=UTF-8''%s" %
              ("_" * 15, "%E5%90%88%E5%90%8C%E6%89%AB%E6%8F%8F%E4%BB%B6%202026.pdf"),
              "Content-Disposition: attachment, ASCII fallback and UTF-8 name", cd)
        ck.ok("sandbox" in (g.header("Content-Security-Policy") or ""), "CSP sandbox",
              g.header("Content-Security-Policy"))
        ck.ok(g.header("Content-Encoding") is None, "never re-encoded", g.header("Content-Encoding"))
    ck.ok(audit_actions(ctx, d["id"]) == [("create", a_own), ("download", a_own)],
          "audit: create and download under the owner's account", audit_actions(ctx, d["id"]))
    row = sql(ctx, "SELECT user_id, changes FROM audit WHERE entity = 'document' AND entity_id = %d AND "
                   "action = 'download'" % d["id"])
    ck.ok(row and row[0][0] == ctx.U("am_e").id and d["sha256"] in row[0][1], "the download names who and what", row)

    # a 3 MiB file: past the 1 MiB body cap of JSON routes, every byte value
    big = b"%PDF-1.4\n" + bytes((i * 7 + (i >> 8)) & 0xff for i in range(3 << 20))
    r = upload(fin, "contract", c_own, big, "big.pdf")
    if ck.expect(r, 201, "finance uploads 3 MiB"):
        g = admin.get("/api/v1/documents/%d" % r.json["id"])
        ck.ok(g.status == 200 and g.body == big, "3 MiB byte-exact", "%d %d" % (g.status, len(g.body)))

    # ---- types from the content
    cases = [
        (PNG, "photo.png", "image/png", "photo.png"),
        (JPEG, "photo.JPEG", "image/jpeg", "photo.JPEG"),
        (GIF, "anim.gif", "image/gif", "anim.gif"),
        (WEBP, "pic.webp", "image/webp", "pic.webp"),
        (ooxml("docx"), "合同.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         "合同.docx"),
        (ooxml("xlsx"), "清单.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "清单.xlsx"),
        (ooxml("pptx"), "deck.pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation",
         "deck.pptx"),
        (ole2("WordDocument"), "old.doc", "application/msword", "old.doc"),
        (ole2("Workbook"), "old.xls", "application/vnd.ms-excel", "old.xls"),
        (ole2("PowerPoint Document"), "old.ppt", "application/vnd.ms-powerpoint", "old.ppt"),
        (TEXT, "备忘.txt", "text/plain", "备忘.txt"),
        (b"a,b\n1,2\n", "rows.csv", "text/csv", "rows.csv"),
        (PNG, "no extension", "image/png", "no extension.png"),
        (ooxml("docx"), None, "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         "document.docx"),
        (PDF, "report.final", "application/pdf", "report.final.pdf"),
    ]
    for data, name, mime, stored in cases:
        r = upload(admin, "contract", c_own, data, name)
        if ck.expect(r, 201, "upload %r as %s" % (name, mime)):
            ck.ok(r.json["mime"] == mime and r.json["name"] == stored, "%r: %s, stored as %r" % (name, mime, stored),
                  r.json)
            g = admin.get("/api/v1/documents/%d" % r.json["id"])
            ct = (g.header("Content-Type") or "").split(";")[0]
            ck.ok(g.status == 200 and g.body == data and ct == mime, "%r round trip as %s" % (name, mime),
                  "%s %s" % (g.status, g.header("Content-Type")))

    # ---- refused: nothing written
    before = doc_state(ctx)
    for data, name, field, what in [
        (HTML, "x.pdf", "name", "HTML text under x.pdf"),
        (ELF, "x.pdf", "name", "an ELF under x.pdf"),
        (PNG, "x.pdf", "name", "a PNG under x.pdf"),
        (PDF, "scan.docx", "name", "a PDF under .docx"),
        (HTML, "page.html", "name", "HTML under .html"),
        (PDF, "a\u202efdp.exe", "name", "a PDF named .exe behind a bidi override"),
        (ELF, "tool", "content", "an ELF"),
        (ELF, "tool.bin", "content", "an ELF under .bin"),
        (plain_zip(), "a.zip", "content", "a zip that is no Office file"),
        (ole2("Contents"), "x.dat", "content", "an OLE2 file of no Office stream"),
        (b"\x00\x01\x02binary", "x.dat", "content", "binary bytes"),
        (b"text with a NUL\x00 byte", "x.txt", "name", "text with NUL under .txt"),
        (b"\xc3\x28 invalid UTF-8", "x.dat", "content", "invalid UTF-8 text"),
    ]:
        r = upload(admin, "contract", c_own, data, name)
        ck.expect(r, 415, "%s -> 415 on %s" % (what, field), field=field)
    ck.expect(upload(admin, "contract", c_own, b"", "empty.pdf"), 400, "an empty body -> 400", field="content")
    ck.expect(upload(admin, "contract", c_own, PDF, "x.pdf", content_type="multipart/form-data; boundary=x"), 415,
              "a form body -> 415", field="Content-Type")
    ck.expect(upload(admin, "contract", c_own, PDF, "x" * 1001 + ".pdf"), 400, "a name over 1000 characters -> 400",
              field="name")
    ck.expect(upload(admin, "contract", 99999999, PDF, "x.pdf"), 404, "no such contract -> 404")
    ck.expect(admin.request("POST", "/api/v1/contracts/%d/documents" % c_own, raw=PDF,
                            query={"name": "x.pdf", "note": "n" * 501}, content_type="application/octet-stream"),
              400, "a note over 500 characters -> 400", field="note")
    ck.same(before, doc_state(ctx), "refused uploads wrote nothing")

    # ---- the size cap (documents.max_bytes) and the HTTP cap
    set_cap(ctx, 1000)
    try:
        body = b"%PDF-" + b"x" * 995
        ck.expect(upload(admin, "contract", c_own, body, "cap.pdf"), 201, "exactly documents.max_bytes is accepted")
        before = doc_state(ctx)
        r = upload(admin, "contract", c_own, body + b"x", "over.pdf")
        if ck.expect(r, 413, "one byte over documents.max_bytes -> 413", field="content"):
            ck.ok(r.err.get("key") == "document.too_big" and r.err.get("params", {}).get("max") == "1000",
                  "413 document.too_big names the cap", r.err)
        ck.same(before, doc_state(ctx), "the oversized upload wrote nothing")
    finally:
        set_cap(ctx, None)
    head = ("POST /api/v1/contracts/%d/documents?name=huge.pdf HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
            "Content-Type: application/octet-stream\r\nContent-Length: %d\r\n\r\n"
            % (c_own, (64 << 20) + 1)).encode()
    st, _, _, err = raw_call(ctx.srv.port, head + b"%PDF-", timeout=20)
    ck.ok(st == 413, "a Content-Length over 64 MiB -> 413 on the headers", "%s %s" % (st, err))

    # ---- names sanitised
    for name, data, want in [
        ("../../etc/passwd", TEXT, "passwd.txt"),
        ("C:\\x\\y.pdf", PDF, "y.pdf"),
        ("a\u202etxt.pdf", PDF, "atxt.pdf"),
        ("re\x01po\x1frt\x7f.pdf", PDF, "report.pdf"),
        ("...hidden.pdf", PDF, "hidden.pdf"),
        ("a<b>:c|d?e*f\".pdf", PDF, "abcdef.pdf"),
        ("  spaced   out  .pdf ", PDF, "spaced out .pdf"),
        ("zero\u200bwidth\ufeff.pdf", PDF, "zerowidth.pdf"),
        ("/", PDF, "document.pdf"),
        ("\u202e\u202d", PNG, "document.png"),
        ("", TEXT, "document.txt"),
        ("年" * 300 + ".pdf", PDF, "年" * 196 + ".pdf"),
    ]:
        r = upload(admin, "contract", c_own, data, name)
        if ck.expect(r, 201, "upload named %r" % name):
            ck.ok(r.json["name"] == want, "%r is stored as %r" % (name, want), r.json["name"])
            g = admin.get("/api/v1/documents/%d" % r.json["id"])
            cd = g.header("Content-Disposition") or ""
            ck.ok(cd.startswith("attachment; filename=\"") and "\x00" not in cd and "\r" not in cd and
                  "/" not in cd.split("filename*=")[0] and "\\" not in cd, "%r: a safe disposition" % name, cd)

    # ---- permission through the owner record
    r = upload(legal, "contract", c_own, PDF, "own.pdf")
    own_doc = r.json["id"] if ck.expect(r, 201, "legal uploads") else 0
    r = upload(admin, "contract", c_other, PDF, "other.pdf")
    other_doc = r.json["id"] if ck.expect(r, 201, "admin uploads to another team's contract") else 0
    before = doc_state(ctx, "contract", c_own)
    ck.expect(upload(am, "contract", c_own, PDF, "am.pdf"), 403, "the account manager (reads, may not edit) "
              "uploads -> 403")
    ck.expect(am.delete("/api/v1/documents/%d" % own_doc), 403, "the account manager deletes -> 403")
    ck.expect(ctx.U("viewer_e").client.delete("/api/v1/documents/%d" % own_doc), 403, "a viewer deletes -> 403")
    ck.same(before, doc_state(ctx, "contract", c_own), "denied requests changed nothing")
    ck.expect(am.get("/api/v1/documents/%d" % other_doc), 404, "another team's contract document -> 404")
    ck.expect(am.delete("/api/v1/documents/%d" % other_doc), 404, "delete of another team's document -> 404")
    ck.expect(upload(am, "contract", c_other, PDF, "x.pdf"), 404, "upload to another team's contract -> 404")
    ck.expect(ctx.U("hr").client.get("/api/v1/documents/%d" % own_doc), 404, "hr (no account data) -> 404")
    ck.expect(ctx.U("viewer_e").client.get("/api/v1/documents/%d" % own_doc), 200, "a viewer on the team downloads")
    ck.expect(am_w.get("/api/v1/documents/%d" % other_doc), 200, "the other team's manager downloads theirs")
    ck.same(before, doc_state(ctx, "contract", c_own) | {"audit": before["audit"]},
            "the denied downloads changed nothing but the audit of the allowed ones")
    ck.expect(admin.get("/api/v1/documents/99999999"), 404, "no such document -> 404")
    lst = am.get("/api/v1/contracts/%d/documents" % c_own)
    if ck.expect(lst, 200, "the account manager lists the contract's documents"):
        ids = [x["id"] for x in lst.json["items"]]
        ck.ok(ids == sorted(ids, reverse=True) and own_doc in ids, "newest first", ids[:5])
    ck.expect(am.get("/api/v1/contracts/%d/documents" % c_other), 404, "another team's contract's list -> 404")
    # keyset paging
    seen, cur = [], None
    for _ in range(100):
        q = {"limit": "3"}
        if cur:
            q["cursor"] = cur
        p = admin.get("/api/v1/contracts/%d/documents" % c_own, q)
        if not ck.expect(p, 200, "a page"):
            break
        seen += [x["id"] for x in p.json["items"]]
        cur = p.json["next_cursor"]
        if not cur:
            break
    every = [x[0] for x in sql(ctx, "SELECT id FROM documents WHERE owner_kind = 'contract' AND owner_id = %d "
                                    "ORDER BY id DESC" % c_own)]
    ck.ok(seen == every, "pages of 3 hold every document once, newest first", "%d vs %d" % (len(seen), len(every)))
    ex = admin.get("/api/v1/contracts/%d/documents/export" % c_own, {"format": "csv", "raw": "1"})
    if ck.expect(ex, 200, "the list's export"):
        ck.ok(ex.body.decode("utf-8-sig").count("\n") == len(every) + 1, "the export has every row and a header")

    # delete: finance (updates contracts); the bytes go too; audit under the account
    r = fin.delete("/api/v1/documents/%d" % own_doc)
    if ck.expect(r, 204, "finance deletes a document"):
        ck.ok(n_rows(ctx, "SELECT COUNT(*) FROM documents WHERE id = %d" % own_doc) == 0 and
              n_rows(ctx, "SELECT COUNT(*) FROM document_content WHERE document_id = %d" % own_doc) == 0,
              "row and bytes are gone")
        acts = audit_actions(ctx, own_doc)
        ck.ok(acts[0] == ("create", a_own) and acts[-1] == ("delete", a_own) and ("download", a_own) in acts,
              "audit: create, downloads, delete", acts)
        ck.expect(admin.get("/api/v1/documents/%d" % own_doc), 404, "a deleted document -> 404")

    # ---- breaches, disputes, lessons
    b_own = new_owner(ctx, "breach", a_own)
    r = upload(legal, "breach", b_own, TEXT, "证据.txt")
    if ck.expect(r, 201, "legal attaches evidence to a breach"):
        ck.ok(r.json["owner_kind"] == "breach" and r.json["account_id"] == a_own, "a breach's document", r.json)
        ck.expect(am.get("/api/v1/documents/%d" % r.json["id"]), 200, "the account manager reads a breach document")
        ck.expect(am.delete("/api/v1/documents/%d" % r.json["id"]), 403, "but may not delete it (breach update)")
        ck.expect(ctx.U("viewer_e").client.get("/api/v1/documents/%d" % r.json["id"]), 403,
                  "a viewer (no breach read, reads the account) -> 403")
    ck.expect(upload(am, "breach", b_own, TEXT, "x.txt"), 403, "the account manager uploads to a breach -> 403")

    d_own = new_owner(ctx, "dispute", a_own)
    lead = ctx.U("lead_e").client
    r = upload(lead, "dispute", d_own, PDF, "调解书.pdf")
    if ck.expect(r, 201, "the team lead (updates disputes in scope) attaches to a dispute"):
        did = r.json["id"]
        ck.expect(am.get("/api/v1/documents/%d" % did), 200, "the account manager reads it")
        ck.expect(am.delete("/api/v1/documents/%d" % did), 403, "the account manager (no dispute update) -> 403")
        ck.expect(ctx.U("service_e").client.get("/api/v1/documents/%d" % did), 403,
                  "service (no dispute read, reads the account) -> 403")
        ck.expect(lead.delete("/api/v1/documents/%d" % did), 204, "the team lead deletes it")

        def doc_rows(client, doc_id):
            items = ctx.audit_items("account", a_own, client)
            if isinstance(items, tuple):
                return items
            return sorted(x["action"] for x in items if x["entity"] == "document" and x["entity_id"] == doc_id)
        viewer = ctx.U("viewer_e").client
        ck.ok(doc_rows(admin, did) == ["create", "delete", "download"],
              "the account's history holds the dispute document's rows for admin", doc_rows(admin, did))
        ck.ok(doc_rows(viewer, did) == [], "but not for a viewer, who reads no disputes", doc_rows(viewer, did))
        ck.ok("create" in doc_rows(viewer, own_doc) and "delete" in doc_rows(viewer, own_doc),
              "a contract document's rows stay in the viewer's account history", doc_rows(viewer, own_doc))
    ck.expect(upload(am, "dispute", d_own, PDF, "x.pdf"), 403, "the account manager uploads to a dispute -> 403")

    l_own = new_owner(ctx, "lesson", a_own)
    r = upload(am, "lesson", l_own, TEXT, "复盘.txt")
    if ck.expect(r, 201, "the account manager (updates lessons in scope) attaches to a lesson"):
        ck.expect(ctx.U("hr").client.get("/api/v1/documents/%d" % r.json["id"]), 200, "hr reads every lesson's files")
        ck.expect(am_w.get("/api/v1/documents/%d" % r.json["id"]), 404, "another team's manager -> 404")
    l_none = new_owner(ctx, "lesson", None)
    before = doc_state(ctx, "lesson", l_none)
    ck.expect(upload(am, "lesson", l_none, TEXT, "x.txt"), 403,
              "a lesson of no account: the account manager may not attach")
    ck.same(before, doc_state(ctx, "lesson", l_none), "nothing attached")
    r = upload(legal, "lesson", l_none, TEXT, "公司级复盘.txt")
    if ck.expect(r, 201, "legal attaches to a lesson of no account"):
        did = r.json["id"]
        ck.ok(r.json["account_id"] is None, "no account", r.json)
        for key in ("am_e", "am_w", "hr", "viewer_e", "service_e"):
            ck.expect(ctx.U(key).client.get("/api/v1/documents/%d" % did), 200, "%s reads it" % key)
        ck.expect(am.delete("/api/v1/documents/%d" % did), 403, "the account manager may not delete it")
        ck.expect(ctx.U("hr").client.delete("/api/v1/documents/%d" % did), 403, "hr may not delete it")
        ck.ok(audit_actions(ctx, did)[0] == ("create", None), "audited without an account", audit_actions(ctx, did))
        ck.expect(ctx.U("dir").client.delete("/api/v1/documents/%d" % did), 204, "the director deletes it")


def _blob_rows(dsn, ids):
    """{id: bytes} of document_content for ids, read from a SQLite file or with psql (hex)."""
    q = "SELECT document_id, %s FROM document_content WHERE document_id IN (%s)"
    if dsn.startswith("sqlite:"):
        import sqlite3
        con = sqlite3.connect(dsn[len("sqlite:"):])
        try:
            return {r[0]: bytes(r[1]) for r in con.execute(q % ("content", ",".join(map(str, ids))))}
        finally:
            con.close()
    import glob
    import subprocess
    psql = sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"))
    p = subprocess.run([psql[-1] if psql else "psql", dsn, "-X", "-q", "-At", "-F", "\t", "-c",
                        q % ("encode(content, 'hex')", ",".join(map(str, ids)))], capture_output=True, timeout=60)
    out = {}
    for line in p.stdout.decode().splitlines():
        k, v = line.split("\t")
        out[int(k)] = bytes.fromhex(v)
    return out


def _pg_db(ctx, name):
    """A new empty PostgreSQL database beside the suite's; its DSN."""
    sql(ctx, "DROP DATABASE IF EXISTS %s" % name)
    sql(ctx, "CREATE DATABASE %s" % name)
    base, _, rest = ctx.dsn.rpartition("/")
    return "%s/%s%s" % (base, name, ("?" + rest.split("?", 1)[1]) if "?" in rest else "")


def g_carry(ctx):
    """The bytes survive kam migrate-data (to SQLite, and on PostgreSQL runs PostgreSQL ->
    SQLite -> PostgreSQL) and kam backup / kam restore, byte-exact, with their checksums."""
    import os
    from lib import run_cli
    ck = ctx.ck
    c = new_owner(ctx, "contract", ctx.ids["A_own"])
    files = {"all-bytes.pdf": b"%PDF-1.5\n" + bytes(range(256)) * 64 + b"\x00" * 100,
             "备忘.txt": TEXT, "p.png": PNG, "d.docx": ooxml("docx")}
    want = {}
    for name, data in files.items():
        r = upload(ctx.admin, "contract", c, data, name)
        if ck.expect(r, 201, "upload %s" % name):
            want[r.json["id"]] = data
    if not want:
        return
    ids = sorted(want)
    ck.ok(_blob_rows(ctx.dsn, ids) == want, "the stored bytes as sent (read with the engine's own client)")
    pg = not ctx.dsn.startswith("sqlite:")
    tag = ctx.uniq().lower().replace("-", "_")

    copy = "sqlite:%s" % os.path.join(ctx.tmp, "documents-copy-%s.db" % tag)
    rc, out, err = run_cli(ctx.kam, ["migrate-data", "--from", ctx.dsn, "--to", copy], timeout=600)
    if ck.ok(rc == 0, "kam migrate-data to a new SQLite file", (out + err)[-600:]):
        ck.ok("document_content" in out + err, "the copy reports document_content", (out + err)[-300:])
        ck.ok(_blob_rows(copy, ids) == want, "the SQLite copy holds every document byte-exact")
        if pg:
            back = _pg_db(ctx, "kam_docs_back_%s" % tag)
            rc, out, err = run_cli(ctx.kam, ["init", "--db", back], timeout=300)
            rc2, out2, err2 = run_cli(ctx.kam, ["migrate-data", "--from", copy, "--to", back], timeout=600)
            if ck.ok(rc == 0 and rc2 == 0, "kam migrate-data SQLite -> PostgreSQL", (out + err + out2 + err2)[-600:]):
                ck.ok(_blob_rows(back, ids) == want, "PostgreSQL -> SQLite -> PostgreSQL keeps every byte")
            sql(ctx, "DROP DATABASE IF EXISTS kam_docs_back_%s" % tag)

    bak = os.path.join(ctx.tmp, "documents-%s.bak" % tag)
    rc, out, err = run_cli(ctx.kam, ["backup", "--db", ctx.dsn, "--to", bak], timeout=600)
    if ck.ok(rc == 0, "kam backup", (out + err)[-600:]):
        target = _pg_db(ctx, "kam_docs_rest_%s" % tag) if pg else \
            "sqlite:%s" % os.path.join(ctx.tmp, "documents-restored-%s.db" % tag)
        rc, out, err = run_cli(ctx.kam, ["restore", "--from", bak, "--db", target], timeout=600)
        if ck.ok(rc == 0, "kam restore (verifies every table's checksum)", (out + err)[-600:]):
            ck.ok(_blob_rows(target, ids) == want, "the restored database holds every document byte-exact")
        if pg:
            sql(ctx, "DROP DATABASE IF EXISTS kam_docs_rest_%s" % tag)


# ---- the permission matrix of this file's routes (the suite's matrix runs the same builders)

def _owner(ctx, kind, rec_):
    key = "DOC_%s_%s" % (kind, rec_)
    if key not in ctx.ids:
        ctx.ids[key] = new_owner(ctx, kind, ctx.ids["A_other" if rec_ == "other" else "A_own"])
    return ctx.ids[key]


def _doc(ctx, rec_):
    r = upload(ctx.admin, "contract", _owner(ctx, "contract", rec_), PDF, "matrix.pdf")
    return ctx.must(r, 201, "matrix document")["id"]


def _builders(kind):
    plural = PLURAL[kind]

    @route("POST", "/api/v1/%s/{id}/documents" % plural, kind)
    def _(ctx, u, rec_):
        o = _owner(ctx, kind, rec_)
        return Attempt("POST", "/api/v1/%s/%d/documents" % (plural, o), raw=TEXT, query={"name": "m.txt"},
                       content_type="application/octet-stream", ok=201, state=lambda: doc_state(ctx, kind, o))

    @route("GET", "/api/v1/%s/{id}/documents" % plural, kind)
    def _(ctx, u, rec_):
        return Attempt("GET", "/api/v1/%s/%d/documents" % (plural, _owner(ctx, kind, rec_)), query={"limit": "5"})

    @route("GET", "/api/v1/%s/{id}/documents/export" % plural, kind)
    def _(ctx, u, rec_):
        return Attempt("GET", "/api/v1/%s/%d/documents/export" % (plural, _owner(ctx, kind, rec_)),
                       query={"format": "csv"})


for _kind in PLURAL:
    _builders(_kind)


@route("GET", "/api/v1/documents/{id}", "document")
def _(ctx, u, rec_):
    key = "DOC_doc_%s" % rec_
    if key not in ctx.ids:
        ctx.ids[key] = _doc(ctx, rec_)
    did = ctx.ids[key]
    return Attempt("GET", "/api/v1/documents/%d" % did, state=lambda: doc_state(ctx, "contract", did))


@route("DELETE", "/api/v1/documents/{id}", "document")
def _(ctx, u, rec_):
    did = _doc(ctx, rec_)
    o = _owner(ctx, "contract", rec_)
    return Attempt("DELETE", "/api/v1/documents/%d" % did, ok=204, state=lambda: doc_state(ctx, "contract", o))


def g_matrix(ctx):
    """t_matrix.g_matrix's loop over this file's operations only."""
    ck = ctx.ck
    r = ctx.admin.get("/api/v1/openapi.json")
    if not ck.ok(r.status == 200, "openapi.json for the matrix"):
        return
    mine = [(m, p, op) for m, p, op in t_basic.openapi_ops(r.json)
            if p.startswith("/api/v1/documents") or (p.endswith("/documents") or p.endswith("/documents/export"))]
    n = 0
    for meth, path, op in sorted(mine, key=lambda o: (o[1], o[0])):
        n += 1
        obj, act, scope = op.get("x-kam-object"), op.get("x-kam-action"), op.get("x-kam-scope")
        b = t_matrix.BUILDERS.get((meth, t_basic.norm(path)))
        if not ck.ok(b is not None and pol.policy("admin", obj, act) is not None,
                     "builder and policy for %s %s" % (meth, path)):
            continue
        fn, kind = b
        ck.ok(scope == kind, "openapi %s %s x-kam-scope is %r" % (meth, path, kind), "got %r" % scope)
        for role in pol.ROLES:
            u = ctx.U(t_matrix.ROLE_USER[role])
            for rec in ("own", "other"):
                att = fn(ctx, u, rec)
                allow = pol.allowed(role, obj, act, rec == "own")
                deny = 403 if pol.may_read_record(role, rec == "own") else 404
                before = att.state() if (att.state and not allow) else None
                resp = u.client.request(att.method, att.path, att.body, query=att.query, raw=att.raw,
                                        content_type=att.content_type)
                name = "matrix %s %s %s [%s record]" % (role, meth, path, rec)
                if allow:
                    ck.expect(resp, att.ok, "%s -> %s" % (name, att.ok))
                else:
                    ck.expect(resp, deny, "%s -> %d (denied)" % (name, deny))
                    if att.state:
                        ck.same(before, att.state(), name + ": nothing changed")
    ck.ok(n == 14, "14 operations of documents.c in the matrix", "got %d" % n)


GROUPS = [
    ("documents", g_documents, True),
    ("documents_matrix", g_matrix, True),
    ("documents_carry", g_carry, True),
]
