"""Contract breaches (issue 17 item 3, src/api/contracts/breaches.c): the scan on demand finds an
obligation missed (a deliverable not done by its day) and not its near miss (done on the day),
records it once however often and however concurrently it runs (two scans racing: one row, one
notification per person), with its evidence; the inbox's filters and paging, its export; the
workflow detected -> confirmed -> action -> cured and waived with a reason, every other move a
409 naming status with nothing changed, a stale version 409, a missing reason 400; the
obligations' standing (GET /contracts/{id}/compliance); audit rows in the same transaction; the
permission matrix of every route of the file.

Contracts and obligations are written with SQL here (the contracts routes have their own
module), so the scan is tested on exactly the rows it reads."""

import datetime
import threading

import policy as pol
import t_basic
import t_matrix
from policy import ALL, NONE, SCOPE, _roles
from t_matrix import route, Attempt
from t_answers import sql

# src/svc/core/policy.c (docs/API.md "Contracts, breaches, disputes"): breaches are read by
# everyone who reads the account's contracts except viewers; legal, finance and the director
# work them org-wide; scanning (creating breaches) is legal's, the director's and admin's.
pol.EXPECTED.update({
    ("breach", "read"): _roles(NONE, admin=ALL, director=ALL, finance=ALL, legal=ALL, team_lead=SCOPE,
                               account_manager=SCOPE, service=SCOPE),
    ("breach", "create"): _roles(NONE, admin=ALL, director=ALL, legal=ALL),
    ("breach", "update"): _roles(NONE, admin=ALL, director=ALL, finance=ALL, legal=ALL),
    ("breach", "delete"): _roles(NONE, admin=ALL),
})
pol.EXPECTED.setdefault(("contract", "read"), _roles(NONE, admin=ALL, director=ALL, finance=ALL, legal=ALL,
                                                     team_lead=SCOPE, account_manager=SCOPE, service=SCOPE,
                                                     viewer=SCOPE))

for _k in ("contract", "breach"):
    if _k not in t_matrix.RECORD_KINDS:
        t_matrix.RECORD_KINDS = t_matrix.RECORD_KINDS + (_k,)
    if _k not in t_basic.SCOPES:
        t_basic.SCOPES = t_basic.SCOPES + (_k,)


def today():
    return (datetime.datetime.utcnow() + datetime.timedelta(hours=8)).date()


def day(ago):
    return (today() - datetime.timedelta(days=ago)).isoformat()


def n_rows(ctx, q):
    return int(sql(ctx, q)[0][0])


def new_contract(ctx, account, status="active"):
    no = "HT-B-" + ctx.uniq()
    rows = sql(ctx, "INSERT INTO contracts (account_id, number, title, kind, starts_on, ends_on, currency, "
                    "status, created_at, updated_at) VALUES (%d, '%s', '框架协议 %s', 'framework', '%s', '%s', "
                    "'CNY', '%s', 1, 1) RETURNING id" % (account, no, no, day(200), day(-165), status))
    return int(rows[0][0])


def new_obligation(ctx, contract, due_ago, kind="delivery", side="ours"):
    rows = sql(ctx, "INSERT INTO contract_obligations (contract_id, side, kind, title, due_on, created_at, "
                    "updated_at) VALUES (%d, '%s', '%s', '按期交付', '%s', 1, 1) RETURNING id"
               % (contract, side, kind, day(due_ago)))
    return int(rows[0][0])


def done(ctx, obligation, due_ago, done_ago):
    sql(ctx, "INSERT INTO contract_obligation_done (obligation_id, due_on, done_on, created_at) VALUES "
             "(%d, '%s', '%s', 1)" % (obligation, day(due_ago), day(done_ago)))


def new_breach(ctx, account):
    """A contract on account with one deliverable 10 days overdue, scanned: the breach's id."""
    c = new_contract(ctx, account)
    new_obligation(ctx, c, 10)
    ctx.must(ctx.admin.post("/api/v1/contracts/%d/scan" % c), 200, "scan")
    return n_rows(ctx, "SELECT MAX(id) FROM contract_breaches WHERE contract_id = %d" % c)


def breach_state(ctx, bid=None):
    st = {"n": n_rows(ctx, "SELECT COUNT(*) FROM contract_breaches"),
          "audit": n_rows(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'breach'")}
    if bid:
        st["row"] = sql(ctx, "SELECT status, reason, action, version FROM contract_breaches WHERE id = %d" % bid)
    return st


def g_breaches(ctx):
    ck = ctx.ck
    a = ctx.admin
    acc = ctx.ids["A_own"]
    c = new_contract(ctx, acc)
    late = new_obligation(ctx, c, 3)           # due 3 days ago, never done: a breach
    ontime = new_obligation(ctx, c, 5)         # done on its day: the near miss
    done(ctx, ontime, 5, 5)
    today_due = new_obligation(ctx, c, 0)      # due today: not judged yet
    r = a.post("/api/v1/contracts/%d/scan" % c)
    ck.expect(r, 200, "scan the contract", json={"contracts": 1, "obligations": 3, "found": 1, "detected": 1})
    r = a.get("/api/v1/breaches", {"contract_id": str(c)})
    ck.expect(r, 200, "the contract's breaches")
    items = r.items or []
    ck.ok(len(items) == 1 and items[0]["obligation_id"] == late, "one breach, of the late obligation",
          str(items)[:300])
    if not items:
        return
    b = items[0]
    ck.ok(b["status"] == "detected" and b["side"] == "ours" and b["kind"] == "delivery"
          and b["occurrence"] == day(3) and b["measured"] == 3 and b["evidence"].get("days_late") == 3,
          "status, side, kind, occurrence (the due day), days late in measured and evidence", str(b)[:400])
    ck.ok(not any(x["obligation_id"] in (ontime, today_due) for x in items), "no breach for the near misses")
    ck.ok(n_rows(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'breach' AND entity_id = %d AND action = "
                      "'create'" % b["id"]) == 1, "the breach's create audit row")
    told = n_rows(ctx, "SELECT COUNT(*) FROM notifications WHERE kind = 'breach' AND link = '/breaches/%d'" % b["id"])
    ck.ok(told >= 2, "the owner and the legal and finance users are told", "got %d" % told)
    # scanning again, and twice at once: nothing new
    before = breach_state(ctx)
    results = []

    def scan():
        results.append(ctx.U("legal").client.post("/api/v1/breaches/scan"))
    ts = [threading.Thread(target=scan) for _ in range(2)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    ck.ok(all(x.status == 200 for x in results), "two scans at once both answer 200",
          "; ".join(x.describe() for x in results))
    ck.same(before, breach_state(ctx), "racing scans add no breach and no audit row")
    ck.ok(n_rows(ctx, "SELECT COUNT(*) FROM notifications WHERE kind = 'breach' AND link = '/breaches/%d'"
                 % b["id"]) == told, "nor a second notification")
    # one breach, its evidence
    r = a.get("/api/v1/breaches/%d" % b["id"])
    ck.expect(r, 200, "get the breach", json={"id": b["id"], "contract_id": c})
    # the workflow: forbidden moves first, nothing changed
    bid = b["id"]
    for path, body, status, field in (("cure", {}, 409, "status"), ("action", {"action": "补发"}, 409, "status"),
                                      ("waive", {}, 400, "reason"), ("waive", {"reason": ""}, 400, "reason"),
                                      ("confirm", {"version": 99}, 409, "version"),
                                      ("confirm", {"version": 0}, 400, "version"),
                                      ("confirm", {"note": "x"}, 400, "note")):
        st = breach_state(ctx, bid)
        r = a.post("/api/v1/breaches/%d/%s" % (bid, path), body)
        ck.expect(r, status, "%s %s -> %d" % (path, body if len(str(body)) < 40 else "(long)", status), field=field)
        ck.same(st, breach_state(ctx, bid), "%s refused: nothing changed" % path)
    r = a.post("/api/v1/breaches/%d/confirm" % bid, {"version": 1})
    ck.expect(r, 200, "confirm", json={"status": "confirmed", "version": 2})
    r = a.post("/api/v1/breaches/%d/action" % bid, {"action": "本周补发并致函客户"})
    ck.expect(r, 200, "corrective action", json={"status": "action", "action": "本周补发并致函客户"})
    r = a.post("/api/v1/breaches/%d/cure" % bid, {})
    ck.expect(r, 200, "cured", json={"status": "cured"})
    ck.ok(r.json and r.json.get("cured_at"), "cured_at set")
    r = a.post("/api/v1/breaches/%d/waive" % bid, {"reason": "客户同意"})
    ck.expect(r, 409, "a cured breach is not waived", field="status")
    ck.ok(r.json and r.json["error"].get("key") == "breach.bad_move", "its message key", r.describe())
    acts = sql(ctx, "SELECT action FROM audit WHERE entity = 'breach' AND entity_id = %d ORDER BY id" % bid)
    ck.ok([x[0] for x in acts] == ["create", "confirmed", "action", "cured"], "audit: create and each move",
          str(acts))
    # waiving: another breach
    bid2 = new_breach(ctx, acc)
    r = a.post("/api/v1/breaches/%d/waive" % bid2, {"reason": "客户书面同意延期"})
    ck.expect(r, 200, "waive with a reason", json={"status": "waived", "reason": "客户书面同意延期"})
    # the inbox's filters
    for q, want in (({"status": "open", "contract_id": str(c)}, 0), ({"status": "cured", "contract_id": str(c)}, 1),
                    ({"side": "ours", "contract_id": str(c)}, 1), ({"side": "theirs", "contract_id": str(c)}, 0),
                    ({"kind": "delivery", "contract_id": str(c)}, 1), ({"kind": "volume", "contract_id": str(c)}, 0)):
        r = a.get("/api/v1/breaches", q)
        ck.expect(r, 200, "list %s" % q)
        ck.ok(len(r.items or []) == want, "list %s: %d" % (q, want), "got %d" % len(r.items or []))
    for q, field in (({"status": "bogus"}, "status"), ({"side": "both"}, "side"), ({"severity": "x"}, "severity"),
                     ({"contract_id": "-1"}, "contract_id"), ({"limit": "0"}, "limit"), ({"mine": "2"}, "mine"),
                     ({"sort": "nope"}, "sort"), ({"cursor": "garbage"}, "cursor")):
        ck.expect(a.get("/api/v1/breaches", q), 400, "list %s -> 400" % q, field=field)
    # paging: 3 breaches of one contract, 2 a page
    c3 = new_contract(ctx, acc)
    for ago in (3, 4, 5):
        new_obligation(ctx, c3, ago)
    a.post("/api/v1/contracts/%d/scan" % c3)
    items, pages, err = a.list_all("/api/v1/breaches", {"contract_id": str(c3), "limit": "2", "sort": "id"})
    ck.ok(err is None and len(items) == 3 and len(set(x["id"] for x in items)) == 3,
          "paging walks 3 breaches 2 a page", str(err))
    r = a.get("/api/v1/breaches/export", {"contract_id": str(c3), "format": "csv"})
    ck.ok(r.status == 200 and r.body.count(b"\n") >= 4, "export: a header and 3 rows", r.describe())
    r = a.get("/api/v1/breaches/export", {"contract_id": str(c3), "format": "csv", "lang": "zh-CN",
                                          "columns": "kind,status,side,occurrence"})
    text = r.body.decode("utf-8", "replace") if r.status == 200 else ""
    ck.ok("交付" in text and "已发现" in text and "我方" in text and "delivery" not in text,
          "export: kind, status and side in words", text[:300])
    # the standing of the obligations
    r = a.get("/api/v1/contracts/%d/compliance" % c)
    ck.expect(r, 200, "compliance")
    st = {x["obligation_id"]: x for x in (r.json or {}).get("items", [])}
    ck.ok(st.get(late, {}).get("state") == "ok" and st.get(ontime, {}).get("state") == "ok"
          and st.get(today_due, {}).get("next_due") == day(0),
          "compliance: the cured one ok again, the next due day of the one due today", str(st)[:400])
    ck.expect(a.get("/api/v1/contracts/999999999/compliance"), 404, "compliance of no contract")
    ck.expect(a.post("/api/v1/contracts/999999999/scan"), 404, "scan of no contract")
    ck.expect(a.get("/api/v1/breaches/999999999"), 404, "no such breach")


def g_breach_scope(ctx):
    """An account manager sees the breaches of their accounts only; a viewer none at all."""
    ck = ctx.ck
    own = new_breach(ctx, ctx.ids["A_own"])
    other = new_breach(ctx, ctx.ids["A_other"])
    am = ctx.U("am_e").client
    items, _, err = am.list_all("/api/v1/breaches", {"status": "open"})
    ids = {x["id"] for x in items}
    ck.ok(err is None and own in ids and other not in ids, "am_e lists A_own's breach, not A_other's")
    ck.expect(am.get("/api/v1/breaches/%d" % other), 404, "am_e: A_other's breach is hidden")
    ck.expect(am.post("/api/v1/breaches/%d/confirm" % own, {}), 403, "am_e reads but does not work breaches")
    ck.expect(ctx.U("viewer_e").client.get("/api/v1/breaches"), 403, "viewers read no breaches")


# ---- the permission matrix of this file's routes

def _acc(ctx, rec_):
    return ctx.ids["A_other" if rec_ == "other" else "A_own"]


def _contract(ctx, rec_):
    key = "CT_breach_%s" % rec_
    if key not in ctx.ids:
        ctx.ids[key] = new_contract(ctx, _acc(ctx, rec_))
    return ctx.ids[key]


def _breach(ctx, rec_):
    key = "BR_matrix_%s" % rec_
    if key not in ctx.ids:
        ctx.ids[key] = new_breach(ctx, _acc(ctx, rec_))
    return ctx.ids[key]


@route("GET", "/api/v1/breaches", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/breaches", query={"limit": "5"})


@route("GET", "/api/v1/breaches/export", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/breaches/export", query={"format": "csv", "status": "waived"})


@route("POST", "/api/v1/breaches/scan", "none")
def _(ctx, u, rec_):
    # something to find: a fresh contract with a deliverable overdue
    new_obligation(ctx, new_contract(ctx, ctx.ids["A_own"]), 4)
    return Attempt("POST", "/api/v1/breaches/scan", state=lambda: breach_state(ctx))


@route("GET", "/api/v1/breaches/{id}", "breach")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/breaches/%d" % _breach(ctx, rec_))


def _move(path, body):
    def build(ctx, u, rec_):
        bid = new_breach(ctx, _acc(ctx, rec_))
        if path in ("action", "cure"):
            ctx.admin.post("/api/v1/breaches/%d/confirm" % bid, {})
        if path == "cure":
            ctx.admin.post("/api/v1/breaches/%d/action" % bid, {"action": "已处理"})
        return Attempt("POST", "/api/v1/breaches/%d/%s" % (bid, path), body, state=lambda: breach_state(ctx, bid))
    return build


route("POST", "/api/v1/breaches/{id}/confirm", "breach")(_move("confirm", {"version": 1}))
route("POST", "/api/v1/breaches/{id}/waive", "breach")(_move("waive", {"reason": "矩阵"}))
route("POST", "/api/v1/breaches/{id}/action", "breach")(_move("action", {"action": "矩阵"}))
route("POST", "/api/v1/breaches/{id}/cure", "breach")(_move("cure", {}))


@route("POST", "/api/v1/contracts/{id}/scan", "contract")
def _(ctx, u, rec_):
    c = new_contract(ctx, _acc(ctx, rec_))
    new_obligation(ctx, c, 4)
    new_obligation(ctx, c, 6, kind="training")
    return Attempt("POST", "/api/v1/contracts/%d/scan" % c, state=lambda: breach_state(ctx))


@route("GET", "/api/v1/contracts/{id}/compliance", "contract")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/contracts/%d/compliance" % _contract(ctx, rec_))


MY_OPS = {("GET", "/api/v1/breaches"), ("GET", "/api/v1/breaches/export"), ("POST", "/api/v1/breaches/scan"),
          ("GET", "/api/v1/breaches/{id}"), ("POST", "/api/v1/breaches/{id}/confirm"),
          ("POST", "/api/v1/breaches/{id}/waive"), ("POST", "/api/v1/breaches/{id}/action"),
          ("POST", "/api/v1/breaches/{id}/cure"), ("POST", "/api/v1/contracts/{id}/scan"),
          ("GET", "/api/v1/contracts/{id}/compliance")}


def g_matrix(ctx):
    """t_matrix.g_matrix's loop over this file's operations only."""
    ck = ctx.ck
    r = ctx.admin.get("/api/v1/openapi.json")
    if not ck.ok(r.status == 200, "openapi.json for the matrix"):
        return
    n = 0
    for meth, path, op in sorted(t_basic.openapi_ops(r.json), key=lambda o: (o[1], o[0])):
        if (meth, t_basic.norm(path)) not in {(m, t_basic.norm(p)) for m, p in MY_OPS}:
            continue
        n += 1
        obj, act, scope = op.get("x-kam-object"), op.get("x-kam-action"), op.get("x-kam-scope")
        b = t_matrix.BUILDERS.get((meth, t_basic.norm(path)))
        if not ck.ok(b is not None and pol.policy("admin", obj, act) is not None,
                     "builder and policy for %s %s" % (meth, path)):
            continue
        fn, kind = b
        ck.ok(scope == kind, "openapi %s %s x-kam-scope is %r" % (meth, path, kind), "got %r" % scope)
        recs = ("own", "other") if kind in t_matrix.RECORD_KINDS else (None,)
        for role in pol.ROLES:
            u = ctx.U(t_matrix.ROLE_USER[role])
            for rec in recs:
                att = fn(ctx, u, rec)
                if rec is None:
                    allow, deny = pol.policy(role, obj, act) in (ALL, SCOPE), 403
                else:
                    allow = pol.allowed(role, obj, act, rec == "own")
                    deny = 403 if pol.may_read_record(role, rec == "own") else 404
                before = att.state() if (att.state and not allow) else None
                resp = u.client.request(att.method, att.path, att.body, query=att.query)
                name = "matrix %s %s %s [%s record]" % (role, meth, path, rec or "no")
                if allow:
                    ck.expect(resp, att.ok, "%s -> %s" % (name, att.ok))
                else:
                    ck.expect(resp, deny, "%s -> %d (denied)" % (name, deny))
                    if att.state:
                        ck.same(before, att.state(), name + ": nothing changed")
    ck.ok(n == len(MY_OPS), "%d operations of breaches.c in the matrix" % len(MY_OPS), "got %d" % n)


GROUPS = [
    ("breaches", g_breaches, True),
    ("breach_scope", g_breach_scope, True),
    ("breaches_matrix", g_matrix, True),
]
