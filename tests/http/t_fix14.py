"""Three defects of the surveys chapter (issue 14 leftovers, brief FIX14), each with a test that
fails without its fix:

1. fix14-names: a deleted contact's name stays nowhere in survey follow-ups -- not in the stored
   title or detail, nor in what is read, listed or exported (.csv, .xlsx). Titles and details
   name the respondent by a neutral word (受访者), as stored and as returned; readers of
   responses get the name beside them (respondent_name, from the contact as it is now, null
   when it is gone); what a PATCH sends is stored as sent. Search, the history and
   notifications never carried the name (the plain title): checked as regression guards only.
   fix14-migration: migration 0021 rewrites rows of the old shapes (name in the title or detail),
   run by kam itself on the suite's database.
2. fix14-throttle: the public answer routes' per-address throttle counts the requests dispatch
   refuses before the route runs (a body over the public routes' 64 KB cap, refused on its
   headers; not JSON; an unknown query parameter), and an address over its limit gets 429 on
   its headers, before its body is read (413, 415, broken JSON all become 429; a body announced
   and never sent too); one row per address, its count stopped at the limit. X-Forwarded-For on
   several lines: all of them, in order.
3. fix14-race: a survey delete racing an answer. Both engines: rounds of the two at once, each
   ending cleanly (delete 204 + answer 404, or answer 201 + delete 409), never a 5xx. PostgreSQL:
   the interleaving that deadlocked (the answer has claimed its link and waits; the delete locks
   the survey and waits for the link) forced with psql holding a queued mail of the link (the
   waits followed by pg_blocking_pids). And a close racing an answer: the answer waits on the
   survey row (FOR SHARE ... AND status = 'open'), then gets 410 survey.closed, nothing stored.

Surveys and links are written straight into the database (t_answers.py's helpers)."""

import glob
import io
import json
import os
import secrets
import subprocess
import threading
import time
import zipfile

from lib import Server, raw_call
from t_results import db_script
from t_answers import STD_QUESTIONS, _Other, anon, full_answers, lit, new_link, new_survey, sql

NEG = "交货一再延误，质量也很差，非常失望，考虑换供应商"


def _text(r):
    b = r.body
    if isinstance(b, bytes):
        try:
            return b.decode("utf-8-sig")
        except UnicodeDecodeError:
            return repr(b)
    return str(b)


def _xlsx_text(body):
    """All the XML text of an .xlsx (shared strings and sheets)."""
    try:
        z = zipfile.ZipFile(io.BytesIO(body))
    except zipfile.BadZipFile:
        return None
    return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))


# ---- 1. a deleted contact's name in follow-ups

def _stored_with(ctx, acc_id, name):
    """[the account's follow-ups, those whose stored title or detail holds name]."""
    like = lit("%" + name + "%")
    return sql(ctx, "SELECT COUNT(*), SUM(CASE WHEN title LIKE %s OR detail LIKE %s THEN 1 ELSE 0 END) FROM "
                    "follow_ups WHERE account_id = %d" % (like, like, acc_id))[0]

def g_names(ctx):
    ck = ctx.ck
    a = ctx.admin
    acc_id = ctx.new_account("am_e", members=[("lead_e", "production")], code=ctx.uniq("FXN"),
                             name="删联系人跟进 " + ctx.tag)
    name = "闵知秋" + ctx.uniq()
    cid = ctx.new_contact(acc_id, name=name)
    sid, q = new_survey(ctx)
    _, tok = new_link(ctx, sid, acc_id, contact_id=cid)
    answers = full_answers(q, nps=2, csat=4)
    answers[5] = {"question_id": q[5], "text": NEG}
    r = anon(ctx).post("/api/v1/public/survey/answer", {"token": tok, "answers": answers})
    if not ck.expect(r, 201, "the contact answers: NPS 2, delivery 2, a negative comment"):
        return
    items, _, err = a.list_all("/api/v1/accounts/%d/follow-ups" % acc_id)
    by_src = {}
    for i in items or []:
        by_src.setdefault(i["source"], []).append(i)
    ck.ok(err is None and len(by_src.get("survey", [])) == 2 and len(by_src.get("comment", [])) == 1,
          "three follow-ups (two scores, one comment)", repr([(i["source"], i["title"]) for i in items or []]))
    if not items:
        return
    cm = by_src["comment"][0]
    nps = [i for i in by_src["survey"] if i["question_id"] == q[0]][0]
    fids = [i["id"] for i in items]
    # while the contact exists, readers of responses get the name beside the text, never in it
    ck.ok(cm["title"] == "负面评论：受访者 · 还有什么建议？" and cm["respondent_name"] == name,
          "the comment's title names the respondent by the neutral word; respondent_name by name",
          "%r %r" % (cm["title"], cm.get("respondent_name")))
    ck.ok(nps["detail"].startswith("受访者于 ") and nps["respondent_name"] == name,
          "the score's detail by the neutral word; respondent_name by name",
          "%r %r" % (nps["detail"][:60], nps.get("respondent_name")))
    # (a reader who may not read responses gets no respondent: tests/unit/test_followups.c)
    csv = a.get("/api/v1/follow-ups/export", {"account_id": str(acc_id), "format": "csv"})
    ck.ok(csv.status == 200 and name in _text(csv), "the export has the respondent's name (its own column)",
          _text(csv)[:200])
    # what is sent back is stored as sent: nothing swapped in or out
    edited = cm["title"] + "（已联系）"
    r = a.patch("/api/v1/follow-ups/%d" % cm["id"], {"title": edited, "due_on": "2031-01-31",
                                                      "version": cm["version"]})
    ck.expect(r, 200, "a PATCH of the title", json={"due_on": "2031-01-31", "title": edited, "respondent_name": name})
    typed = "与%s电话沟通，%s 于周一回电。" % (name, name)
    r = a.patch("/api/v1/follow-ups/%d" % nps["id"], {"detail": typed, "version": nps["version"]})
    ck.expect(r, 200, "a PATCH of the detail that names the contact (the user's own words)", json={"detail": typed})
    row = sql(ctx, "SELECT detail FROM follow_ups WHERE id = %d" % nps["id"])
    ck.ok(row == [[typed]], "stored exactly as typed (no swap-back rewriting what the user wrote)", repr(row))
    r = a.patch("/api/v1/follow-ups/%d" % nps["id"], {"detail": nps["detail"], "version": r.json["version"]})
    ck.expect(r, 200, "the generated detail put back", json={"detail": nps["detail"]})
    ck.ok(_stored_with(ctx, acc_id, name) == [3, 0], "the stored titles and details never hold the name",
          repr(_stored_with(ctx, acc_id, name)))

    ck.expect(a.delete("/api/v1/contacts/%d" % cid), 204, "delete the contact")

    def clean(what, text):
        ck.ok(name not in text, what + ": no trace of the deleted contact's name", text[:300])

    ck.ok(_stored_with(ctx, acc_id, name) == [3, 0], "follow_ups as stored: no trace of the name",
          repr(_stored_with(ctx, acc_id, name)))
    for f_ in fids:
        r = a.get("/api/v1/follow-ups/%d" % f_)
        ck.expect(r, 200, "follow-up %d stays, respondent_name null" % f_, json={"respondent_name": None})
        clean("follow-up %d (admin)" % f_, _text(r))
    r = a.get("/api/v1/follow-ups/%d" % cm["id"])
    ck.expect(r, 200, "the comment's title as it was", json={"title": edited, "due_on": "2031-01-31"})
    items, _, err = a.list_all("/api/v1/accounts/%d/follow-ups" % acc_id)
    clean("the account's follow-ups", json.dumps(items, ensure_ascii=False))
    clean("all follow-ups", json.dumps(a.list_all("/api/v1/follow-ups", {"account_id": str(acc_id)})[0],
                                       ensure_ascii=False))
    csv = a.get("/api/v1/follow-ups/export", {"account_id": str(acc_id), "format": "csv"})
    ck.ok(csv.status == 200 and "受访者" in _text(csv), "the .csv export", _text(csv)[:200])
    clean("the .csv export", _text(csv))
    x = a.get("/api/v1/follow-ups/export", {"account_id": str(acc_id), "format": "xlsx", "lang": "en"})
    xt = _xlsx_text(x.body) if x.status == 200 else None
    ck.ok(xt is not None and "受访者" in xt, "the .xlsx export (English)", "status %d" % x.status)
    clean("the .xlsx export", xt or "")
    # Regression guards only: search, the history and notifications never carried the name
    # (they read the plain title); these cannot fail on this change, they watch for a new path.
    r = a.get("/api/v1/search", {"q": name})
    clean("search (guard)", _text(r))
    hist = ctx.audit_items("account", acc_id)
    clean("the account's history (guard)",
          json.dumps([h for h in hist if isinstance(h, dict) and h.get("entity") == "follow_up"], ensure_ascii=False))
    for who in ("am_e", "lead_e"):
        clean("%s's notifications (guard)" % who,
              json.dumps(ctx.U(who).client.list_all("/api/v1/notifications")[0], ensure_ascii=False))
    # the response's erasure still scrubs them to the plain title
    rid = nps["response_id"]
    ck.expect(a.delete("/api/v1/survey-responses/%d" % rid), 204, "erase the response afterwards")
    ck.expect(a.get("/api/v1/follow-ups/%d" % cm["id"]), 200, "the comment's follow-up: its plain title",
              json={"title": "负面评论：还有什么建议？", "detail": "（已按要求删除 / erased）", "respondent_name": None})


def g_migration(ctx):
    """Migration 0021 on rows as the code before it wrote them, run by kam itself (its version
    row removed, a server started on the suite's database migrates again)."""
    ck = ctx.ck
    a = ctx.admin
    acc_id = ctx.new_account("am_e", code=ctx.uniq("FXM"), name="迁移姓名 " + ctx.tag)
    name = "宋迁移" + ctx.uniq()
    gone = "韩已删" + ctx.uniq()
    cid = ctx.new_contact(acc_id, name=name)
    cid2 = ctx.new_contact(acc_id, name=gone)
    sid, q = new_survey(ctx)
    ids = {}
    for who, c_ in (("kept", cid), ("gone", cid2)):
        _, tok = new_link(ctx, sid, acc_id, contact_id=c_)
        answers = full_answers(q, nps=2, csat=4)
        answers[5] = {"question_id": q[5], "text": NEG}
        if not ck.expect(anon(ctx).post("/api/v1/public/survey/answer", {"token": tok, "answers": answers}), 201,
                         "%s answers" % who):
            return
        ids[who] = sql(ctx, "SELECT r.id FROM survey_responses r JOIN survey_links l ON l.id = r.link_id "
                            "WHERE l.contact_id = %d" % c_)[0][0]
    # the old shapes, with each respondent's name
    for who, nm in (("kept", name), ("gone", gone)):
        sql(ctx, "UPDATE follow_ups SET title = %s WHERE response_id = %d AND source = 'comment'"
            % (lit("负面评论：%s · 还有什么建议？" % nm), ids[who]))
        sql(ctx, "UPDATE follow_ups SET detail = %s || substr(detail, 4) WHERE response_id = %d AND source = 'survey'"
            % (lit(nm + " "), ids[who]))
    ho = a.post("/api/v1/accounts/%d/follow-ups" % acc_id,
                {"from_dept": "sales", "dept_role": "service", "title": "负面评论：%s · 手写" % name,
                 "detail": "%s 于 周一 在问卷“甲”中对“乙”打了 1 分（满分 5）。" % name})
    ck.expect(ho, 201, "a hand-off whose text has the old shapes")
    ck.expect(a.delete("/api/v1/contacts/%d" % cid2), 204, "one contact deleted since")
    like = lit("%" + name + "%")
    like2 = lit("%" + gone + "%")
    count = "SELECT COUNT(*) FROM follow_ups WHERE account_id = %d AND source <> 'handoff' AND " \
            "(title LIKE %s OR detail LIKE %s OR title LIKE %s OR detail LIKE %s)" % (acc_id, like, like, like2, like2)
    ck.ok(sql(ctx, count) == [[6]], "before: six rows name their respondent", repr(sql(ctx, count)))
    # 0021 again, as the migration ran it (later migrations are applied: running it by hand)
    dialect = "sqlite" if ctx.dsn.startswith("sqlite:") else "postgres"
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src", "store", "migrations",
                        dialect, "0021_follow_up_names.sql")
    text = "\n".join(x for x in open(path, encoding="utf-8").read().split("\n") if not x.startswith("--"))
    stmts = [x.strip() for x in text.split(";\n") if x.strip()]
    ck.ok(len(stmts) >= 2, "0021's script has its statements", repr(len(stmts)))
    db_script(ctx, stmts)
    ck.ok(sql(ctx, count) == [[0]], "after: no row names its respondent", repr(sql(ctx, count)))
    rows = sql(ctx, "SELECT source, title, substr(detail, 1, 5) FROM follow_ups WHERE account_id = %d AND "
                    "source <> 'handoff' ORDER BY id" % acc_id)
    ck.ok(sorted(set(r[1] for r in rows if r[0] == "comment")) == ["负面评论：受访者 · 还有什么建议？"]
          and all(r[2] == "受访者于 " for r in rows if r[0] == "survey") and len(rows) == 6,
          "the neutral word in their place, the rest as it was", repr(rows))
    r = a.get("/api/v1/follow-ups/%d" % ho.json["id"]) if ho.status == 201 else None
    ck.ok(r is not None and r.json["title"] == "负面评论：%s · 手写" % name and r.json["detail"].startswith(name),
          "the hand-off untouched", r.describe() if r is not None else "-")


# ---- 2. refusals before the route count on the public routes' throttle

def _big(c, path, addr, query="", length=(64 << 10) + 1, timeout=20):
    """A POST announcing a body over the public routes' 64 KB cap, headers only: the server must
    answer on the headers (before the cap it waited for the body: no answer)."""
    head = ("POST %s%s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\nAccept: application/json\r\n"
            "Content-Type: application/json\r\nContent-Length: %d\r\nX-Forwarded-For: %s\r\n\r\n"
            % (path, query, c.port, length, addr))
    status, headers, body, err = raw_call(c.port, head.encode("latin-1"), timeout=timeout)
    return status, headers


def g_throttle(ctx):
    ck = ctx.ck
    acc_id = ctx.new_account("am_e", code=ctx.uniq("FXT"), name="限流拒绝 " + ctx.tag)
    sid, q = new_survey(ctx)
    srv = Server(ctx.kam, ctx.dsn, ctx.tmp, name="kam-fix14-throttle", args=["--trusted-proxies", "127.0.0.1"])
    if not ck.ok(srv.start(), "a server behind a trusted proxy starts", srv.start_error or ""):
        return
    try:
        c = _Other(ctx, srv)
        # X-Forwarded-For on two lines (two proxies): every line counts, in order, so the client is
        # the rightmost untrusted address of both (before: the first line only)
        first = "203.0.113.%d" % (secrets.randbelow(200) + 20)
        last = "192.0.2.%d" % (secrets.randbelow(200) + 20)
        head = ("POST /api/v1/public/survey?x=1 HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n"
                "Content-Type: application/json\r\nContent-Length: 2\r\nX-Forwarded-For: %s\r\n"
                "X-Forwarded-For: %s, 127.0.0.1\r\n\r\n{}" % (c.port, first, last))
        st, _, _, _ = raw_call(c.port, head.encode("latin-1"))
        ck.ok(st == 400, "a refused request with two X-Forwarded-For lines: 400", repr(st))
        rows = sql(ctx, "SELECT key, count FROM survey_hits WHERE key IN (%s, %s)"
                   % (lit("addr:" + first), lit("addr:" + last)))
        ck.ok(rows == [["addr:" + last, 1]], "counted on the last line's client, not the first line's", repr(rows))
        # an address no other group draws (t_answers' throttle uses 198.51.100.0/24 on the same
        # database and window: a shared address arrived over its limit, CI of stop 28)
        addr = "198.%d.%d.%d" % (18 + secrets.randbelow(2), secrets.randbelow(256), secrets.randbelow(254) + 1)
        hdr = {"X-Forwarded-For": addr}
        # bodies of 64 KB + 1 .. 1 MiB announced: 413 on the headers (the body never sent)
        lens = [(64 << 10) + 1, 100 << 10, 512 << 10, 1 << 20] * 25
        sts = []
        for n in lens:
            sts.append(_big(c, "/api/v1/public/survey/answer", addr, length=n, timeout=5)[0])
            if sts[-1] != 413:
                break
        ck.ok(sts == [413] * 100, "100 bodies of 64 KB + 1 .. 1 MiB: 413 each on their headers",
              repr(sorted(set(sts))))
        sts = [c.post("/api/v1/public/survey", {"token": secrets.token_urlsafe(16)}, query={"x": "1"},
                      headers=hdr).status for _ in range(100)]
        ck.ok(sts == [400] * 100, "100 with an unknown query parameter: 400 each", repr(sorted(set(sts))))
        sts = [c.post("/api/v1/public/survey/answer", {"token": secrets.token_urlsafe(16), "answers": []},
                      content_type="text/plain", headers=hdr).status for _ in range(100)]
        ck.ok(sts == [415] * 100, "100 that are not JSON: 415 each", repr(sorted(set(sts))))
        row = sql(ctx, "SELECT key, count FROM survey_hits WHERE key = %s" % lit("addr:" + addr))
        ck.ok(row == [["addr:" + addr, 300]], "all 300 counted on the address (one row)", repr(row))
        _, tok = new_link(ctx, sid, acc_id)
        r = c.post("/api/v1/public/survey", {"token": tok}, headers=hdr)
        ck.expect(r, 429, "the 301st request from that address -> 429, even with a good token", field="token")
        ck.ok(r.header("Retry-After") is not None, "with Retry-After")
        # over the limit: 429 before anything of the request is read
        st, h = _big(c, "/api/v1/public/survey/answer", addr)
        ck.ok(st == 429 and any(k.lower() == "retry-after" for k, _ in h),
              "a body over 64 KB from an address over its limit -> 429 with Retry-After", "%r %r" % (st, h))
        # a body within the cap, announced and never sent: 429 on the headers, the body not waited for
        st, h = _big(c, "/api/v1/public/survey/answer", addr, length=100, timeout=5)
        ck.ok(st == 429 and any(k.lower() == "retry-after" for k, _ in h),
              "a 100-byte body never sent, from an address over its limit -> 429 on its headers", "%r %r" % (st, h))
        ck.expect(c.post("/api/v1/public/survey/answer", {"token": tok, "answers": full_answers(q)},
                         content_type="text/plain", headers=hdr), 429, "not JSON, over the limit -> 429")
        ck.expect(c.request("POST", "/api/v1/public/survey/answer", raw=b'{"token": ', headers=hdr), 429,
                  "broken JSON, over the limit -> 429")
        ck.expect(c.post("/api/v1/public/survey", {"token": tok}, query={"x": "1"}, headers=hdr), 429,
                  "an unknown query parameter, over the limit -> 429")
        before = sql(ctx, "SELECT COUNT(*) FROM survey_responses WHERE survey_id = %d" % sid)
        ck.expect(c.post("/api/v1/public/survey/answer", {"token": tok, "answers": full_answers(q)}, headers=hdr),
                  429, "a good answer, over the limit -> 429")
        ck.same(before, sql(ctx, "SELECT COUNT(*) FROM survey_responses WHERE survey_id = %d" % sid),
                "and nothing stored")
        row = sql(ctx, "SELECT key, count FROM survey_hits WHERE key = %s" % lit("addr:" + addr))
        ck.ok(row == [["addr:" + addr, 300]], "the table stays bounded: one row, its count stopped at the limit",
              repr(row))
        # IPv6: one /64 shares the budget, whatever the refusal
        net = "2001:db8:%x:%x" % (secrets.randbelow(0xffff) + 1, secrets.randbelow(0xffff) + 1)
        sts = []
        for i in range(300):
            sts.append(_big(c, "/api/v1/public/survey", net + "::%x" % (i + 1), timeout=5)[0])
            if sts[-1] != 413:
                break
        ck.ok(sts == [413] * 300, "300 oversize bodies from 300 addresses of one /64: 413 each",
              repr(sorted(set(sts))))
        ck.expect(c.post("/api/v1/public/survey", {"token": tok}, headers={"X-Forwarded-For": net + ":ab:cd:ef:12"}),
                  429, "a neighbour in that /64 -> 429")
        ck.expect(c.post("/api/v1/public/survey", {"token": tok}, headers={"X-Forwarded-For": "203.0.113.9"}), 200,
                  "another address is not throttled")
        # an authenticated route is no public route: no gate, no count
        r = ctx.admin.get("/api/v1/surveys", {"nosuch": "1"})
        ck.expect(r, 400, "a signed-in route's unknown parameter is still a plain 400", field="nosuch")
    finally:
        srv.stop()


# ---- 3. a survey delete racing an answer

def _psql():
    p = sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"))
    return p[-1] if p else "psql"


def _outcome(ctx, sid):
    return (sql(ctx, "SELECT COUNT(*) FROM surveys WHERE id = %d" % sid)[0][0],
            sql(ctx, "SELECT COUNT(*) FROM survey_responses WHERE survey_id = %d" % sid)[0][0])


def _log_from(ctx, offset):
    """The server's log written since offset."""
    try:
        with open(ctx.srv.log_path, "rb") as f:
            f.seek(offset)
            return f.read().decode("utf-8", "replace")
    except (OSError, AttributeError):
        return ""


def _log_size(ctx):
    try:
        return os.path.getsize(ctx.srv.log_path)
    except (OSError, AttributeError):
        return 0


def g_race(ctx):
    ck = ctx.ck
    mark = _log_size(ctx)
    acc_id = ctx.new_account("am_e", code=ctx.uniq("FXR"), name="删问卷并发 " + ctx.tag)
    seen = {}
    for round_ in range(12):
        sid, q = new_survey(ctx)
        for _ in range(3):
            new_link(ctx, sid, acc_id)  # links the delete drops before the answered one
        _, tok = new_link(ctx, sid, acc_id)
        got = {}
        barrier = threading.Barrier(2)
        admin = ctx.admin

        def delete():
            barrier.wait()
            got["delete"] = admin.delete("/api/v1/surveys/%d" % sid).status

        def answer():
            c = anon(ctx)
            barrier.wait()
            got["answer"] = c.post("/api/v1/public/survey/answer", {"token": tok, "answers": full_answers(q)}).status

        ts = [threading.Thread(target=delete), threading.Thread(target=answer)]
        for t in ts:
            t.start()
        for t in ts:
            t.join(60)
        pair = (got.get("delete"), got.get("answer"))
        seen[pair] = seen.get(pair, 0) + 1
        out = _outcome(ctx, sid)
        ck.ok(pair in ((204, 404), (409, 201)), "round %d: delete and answer at once end cleanly" % round_,
              repr(pair))
        ck.ok(out == ((0, 0) if pair[0] == 204 else (1, 1)), "round %d: the database agrees" % round_,
              "%r %r" % (pair, out))
    print("fix14-race: delete/answer outcomes over 12 rounds: %r" % seen)
    log = _log_from(ctx, mark)
    ck.ok("deadlock" not in log, "no deadlock in the server's log (a deadlocked delete is replayed: it would "
                                 "not show in the statuses)", log[max(0, log.find("deadlock") - 120):][:400])
    if ctx.dsn.startswith("sqlite:"):
        return  # BEGIN IMMEDIATE: one writer at a time; the interleaving below cannot happen

    # PostgreSQL: the answer has claimed its link and waits (psql holds the link's queued mail,
    # which the answer drops); the delete locks the survey and waits for the link; then psql
    # lets go. Before the fix the answer then waited for the survey: a deadlock, one side 503.
    for round_ in range(2):
        sid, q = new_survey(ctx)
        lid, tok = new_link(ctx, sid, acc_id)
        now = int(time.time())
        mail = sql(ctx, "INSERT INTO outbox (to_addr, subject, body, status, next_attempt_at, dedup_key, created_at) "
                        "VALUES ('fix14@example.com', 's', 'b', 'queued', %d, %s, %d) RETURNING id"
                   % (now + 30 * 86400, lit("survey_link:%d:fix14" % lid), now))[0][0]
        p = subprocess.Popen([_psql(), ctx.dsn, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        got = {}
        ts = []
        try:
            p.stdin.write("BEGIN;\nSELECT id FROM outbox WHERE id = %d FOR UPDATE;\nSELECT pg_backend_pid();\n" % mail)
            p.stdin.flush()
            p.stdout.readline()
            held = p.stdout.readline().strip()
            ck.ok(held.isdigit(), "psql holds the link's queued mail", held)

            def waiter_of(pid):
                """The backend waiting for a lock pid holds (None after 20 s): only that one,
                not any other lock wait on the server."""
                for _ in range(800):
                    w = sql(ctx, "SELECT pid FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))"
                            % pid)
                    if w:
                        return w[0][0]
                    time.sleep(0.025)
                return None

            def answer():
                got["answer"] = anon(ctx).post("/api/v1/public/survey/answer",
                                               {"token": tok, "answers": full_answers(q)})

            def delete():
                got["delete"] = ctx.admin.delete("/api/v1/surveys/%d" % sid)

            ts.append(threading.Thread(target=answer))
            ts[-1].start()
            ans_pid = waiter_of(held)
            ck.ok(ans_pid is not None, "the answer has claimed its link and waits for psql")
            ts.append(threading.Thread(target=delete))
            ts[-1].start()
            del_pid = waiter_of(ans_pid) if ans_pid is not None else None
            ck.ok(del_pid is not None, "the delete waits too, for the answer (the survey row it holds)")
            # both past PostgreSQL's deadlock check of their wait (it runs once, deadlock_timeout
            # after the wait began): the cycle psql's COMMIT may close is then found by the
            # answer's check, which nothing retries (the delete, aborted while it had written
            # nothing, is replayed by the server: the deadlock would not show)
            for _ in range(800):
                if sql(ctx, "SELECT COUNT(*) FROM pg_stat_activity WHERE pid IN (%s, %s) AND wait_event_type = "
                            "'Lock' AND clock_timestamp() - query_start > 1.5 * "
                            "current_setting('deadlock_timeout')::interval" % (ans_pid or 0, del_pid or 0))[0][0] >= 2:
                    break
                time.sleep(0.025)
            p.stdin.write("COMMIT;\n")
            p.stdin.close()
            p.wait(timeout=30)
            for t in ts:
                t.join(60)
        finally:
            if p.poll() is None:
                p.kill()
        d, a_ = got.get("delete"), got.get("answer")
        pair = (d.status if d else None, a_.status if a_ else None)
        ck.ok(pair == (409, 201), "forced interleaving %d: the answer wins, the delete waits then refuses (409)"
              % round_, "%r delete=%s answer=%s" % (pair, d.describe() if d else "-", a_.describe() if a_ else "-"))
        if d is not None and d.status == 409:
            ck.ok((d.json or {}).get("error", {}).get("key") == "survey.has_responses", "key survey.has_responses",
                  d.describe())
        ck.ok(_outcome(ctx, sid) == (1, 1), "the survey stays with its response", repr(_outcome(ctx, sid)))
        log = _log_from(ctx, mark)
        ck.ok("deadlock" not in log, "forced interleaving %d: no deadlock in the server's log" % round_,
              log[max(0, log.find("deadlock") - 120):][:400])

    # A close racing an answer: psql closes the survey and holds its transaction; the answer
    # (which read the survey open) waits on the survey row, then finds it closed: 410, nothing
    # stored. Before FOR SHARE ... AND status = 'open' (FOR KEY SHARE, which an UPDATE of the
    # status does not block) it stored its response in a survey closed meanwhile.
    sid, q = new_survey(ctx)
    _, tok = new_link(ctx, sid, acc_id)
    p = subprocess.Popen([_psql(), ctx.dsn, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    got = {}
    t = None
    try:
        p.stdin.write("BEGIN;\nUPDATE surveys SET status = 'closed' WHERE id = %d;\nSELECT pg_backend_pid();\n" % sid)
        p.stdin.flush()
        held = p.stdout.readline().strip()
        ck.ok(held.isdigit(), "psql closes the survey, uncommitted", held)

        def answer():
            got["answer"] = anon(ctx).post("/api/v1/public/survey/answer", {"token": tok, "answers": full_answers(q)})

        t = threading.Thread(target=answer)
        t.start()
        waited = None
        for _ in range(200):
            waited = sql(ctx, "SELECT pid FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))" % held)
            if waited or got.get("answer") is not None:
                break
            time.sleep(0.025)
        ck.ok(bool(waited), "the answer waits for the close (the survey row)",
              got["answer"].describe() if got.get("answer") is not None else "")
        p.stdin.write("COMMIT;\n")
        p.stdin.close()
        p.wait(timeout=30)
        t.join(60)
    finally:
        if p.poll() is None:
            p.kill()
    r = got.get("answer")
    ck.ok(r is not None and r.status == 410 and (r.json or {}).get("error", {}).get("key") == "survey.closed",
          "the answer then gets 410 survey.closed", r.describe() if r is not None else "-")
    ck.ok(_outcome(ctx, sid) == (1, 0), "no response stored in the closed survey", repr(_outcome(ctx, sid)))


GROUPS = [
    ("fix14-names", g_names, True),
    ("fix14-migration", g_migration, True),
    ("fix14-throttle", g_throttle, True),
    ("fix14-race", g_race, True),
]

_ = STD_QUESTIONS  # the questions full_answers() answers (t_answers.py)
