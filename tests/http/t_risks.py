"""The risk register (issue 16 item 1, src/api/risk/risks.c, docs/RISK.md): likelihood x impact with
the level boundaries, the owner default, responses (open <-> responding), actions (add, done,
remove; audited under the risk), close with a reason and reopen, refusals naming the field with
nothing written, delete rules (a raised risk is closed, not deleted), lists with their filters
(level, status, review_due, action_overdue, subsidiaries), the heat map worked out by hand, the
scheduler's overdue notices (once), and the permission matrix builders of every route."""

import datetime
import os
import time

import policy as pol
import t_matrix
from lib import run_cli, iso
from policy import ALL, NONE, SCOPE, _roles
from t_matrix import route, Attempt
from t_answers import sql

# the openapi group's x-kam-scope check knows this slice's scopes (added by EXPORTS)
import t_basic as _t_basic  # noqa: E402
for _s in ('risk',):
    if _s not in _t_basic.SCOPES:
        _t_basic.SCOPES = _t_basic.SCOPES + (_s,)

# src/svc/core/policy.c OBJ_RISK
pol.EXPECTED.update({
    ("risk", "read"): _roles(NONE, admin=ALL, director=ALL, finance=ALL, team_lead=SCOPE,
                             account_manager=SCOPE, service=SCOPE, viewer=SCOPE),
    ("risk", "create"): _roles(NONE, admin=ALL, director=ALL, finance=ALL, team_lead=SCOPE,
                               account_manager=SCOPE, service=SCOPE),
    ("risk", "update"): _roles(NONE, admin=ALL, director=ALL, finance=ALL, team_lead=SCOPE,
                               account_manager=SCOPE, service=SCOPE),
    ("risk", "delete"): _roles(NONE, admin=ALL, director=ALL, team_lead=SCOPE),
})
if "risk" not in t_matrix.RECORD_KINDS:
    t_matrix.RECORD_KINDS = t_matrix.RECORD_KINDS + ("risk",)


def today(days=0):
    d = datetime.datetime.fromtimestamp(time.time() + 8 * 3600, datetime.timezone.utc).date()
    return (d + datetime.timedelta(days=days)).isoformat()


def new_risk(ctx, account_id, client=None, **fields):
    body = {"account_id": account_id, "category": "operating", "title": "风险 " + ctx.uniq(),
            "likelihood": 3, "impact": 3}
    body.update(fields)
    return ctx.must((client or ctx.admin).post("/api/v1/risks", body), 201, "create risk")


def risk_state(ctx, rid=None):
    st = {"n": sql(ctx, "SELECT COUNT(*) FROM risks")[0][0],
          "actions": sql(ctx, "SELECT COUNT(*) FROM risk_actions")[0][0],
          "audit": sql(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'risk'")[0][0]}
    if rid:
        st["row"] = sql(ctx, "SELECT status, version, title, response FROM risks WHERE id = %d" % rid)
    return st


def audit_actions(ctx, rid):
    return [r[0] for r in sql(ctx, "SELECT action FROM audit WHERE entity = 'risk' AND entity_id = %d ORDER BY id"
                              % rid)]


def g_risks(ctx):
    ck = ctx.ck
    a = ctx.admin
    am = ctx.U("am_e").client
    lead = ctx.U("lead_e").client
    acct = ctx.new_account("am_e", code=ctx.uniq("RK"), name="风险客户 " + ctx.tag)
    am_id = ctx.U("am_e").id

    # create: score = likelihood x impact; level boundaries; owner defaults to the account's owner
    r = am.post("/api/v1/risks", {"account_id": acct, "category": "credit", "title": "回款延迟",
                                  "likelihood": 4, "impact": 4, "review_on": today(30)})
    if not ck.expect(r, 201, "POST risk as the account manager -> 201",
                     json={"score": 16, "level": "high", "status": "open", "owner_id": am_id, "source": "manual",
                           "response": None, "actions": [], "version": 1, "covers_group": False}):
        return
    rid = r.json["id"]
    for lk, im, level in ((1, 4, "low"), (5, 1, "medium"), (3, 3, "medium"), (2, 5, "high"), (4, 5, "critical"),
                          (5, 5, "critical")):
        x = new_risk(ctx, acct, likelihood=lk, impact=im)
        ck.ok(x["score"] == lk * im and x["level"] == level, "%d x %d = %d is %s" % (lk, im, lk * im, level),
              repr((x["score"], x["level"])))

    # refusals name the field and write nothing
    before = risk_state(ctx)
    good = {"account_id": acct, "category": "credit", "title": "t", "likelihood": 3, "impact": 3}
    for b, status, field in [
        (dict(good, category="weather"), 400, "category"),
        (dict(good, likelihood=0), 400, "likelihood"),
        (dict(good, impact=6), 400, "impact"),
        (dict(good, title="  "), 400, "title"),
        (dict(good, title="题" * 201), 400, "title"),
        ({k: v for k, v in good.items() if k != "title"}, 400, "title"),
        ({k: v for k, v in good.items() if k != "account_id"}, 400, "account_id"),
        (dict(good, response="ignore"), 400, "response"),
        (dict(good, review_on="2026-02-30"), 400, "review_on"),
        (dict(good, covers_group=True), 400, "covers_group"),  # no subsidiaries
        (dict(good, owner_id=ctx.U("am_w").id), 400, "owner_id"),  # may not work on this account
        (dict(good, account_id=ctx.ids["A_other"]), 400, "account_id"),  # not readable: no such account
        (dict(good, version=2), 400, "version"),
    ]:
        ck.expect(am.post("/api/v1/risks", b), status, "POST risk refused -> %d %s" % (status, field), field=field)
    ck.ok(risk_state(ctx) == before, "refused risks wrote nothing")

    # a group risk on a head account
    sub = ctx.new_account("am_e", code=ctx.uniq("RKS"), name="风险子公司 " + ctx.tag, parent_id=acct)
    g = new_risk(ctx, acct, am, covers_group=True, title="集团风险")
    ck.ok(g["covers_group"] is True, "covers_group on a head account", repr(g))

    # response -> responding; back to none -> open; stale version 409
    r = am.patch("/api/v1/risks/%d" % rid, {"response": "reduce", "response_plan": "缩短账期", "version": 1})
    ck.expect(r, 200, "PATCH response -> responding", json={"status": "responding", "response": "reduce", "version": 2})
    ck.expect(am.patch("/api/v1/risks/%d" % rid, {"title": "x", "version": 1}), 409, "stale version -> 409",
              field="version")
    r = am.patch("/api/v1/risks/%d" % rid, {"response": None})
    ck.expect(r, 200, "no response -> open", json={"status": "open", "response": None, "version": 3})
    r = am.patch("/api/v1/risks/%d" % rid, {"response": "transfer"})
    ck.expect(r, 200, "a response again", json={"status": "responding"})
    n = len(audit_actions(ctx, rid))
    ck.expect(am.patch("/api/v1/risks/%d" % rid, {"response": "transfer"}), 200, "a no-op PATCH",
              json={"version": 4})
    ck.ok(len(audit_actions(ctx, rid)) == n, "a no-op PATCH writes no audit row")

    # actions: owner defaults to the risk's; done; overdue; removed; audited under the risk
    r = am.post("/api/v1/risks/%d/actions" % rid, {"description": "催收函", "due_on": today(-1)})
    ck.expect(r, 201, "POST action -> 201 (the risk)", json={"actions_total": 1, "actions_open": 1,
                                                            "actions_overdue": 1,
                                                            "actions": [{"description": "催收函", "owner_id": am_id,
                                                                         "overdue": True, "done": False}]})
    aid = r.json["actions"][0]["id"] if r.status == 201 else 0
    ck.expect(am.post("/api/v1/risks/%d/actions" % rid, {"description": " "}), 400, "blank action refused",
              field="description")
    ck.expect(am.post("/api/v1/risks/%d/actions" % rid, {"description": "x", "due_on": "tomorrow"}), 400,
              "bad due_on refused", field="due_on")
    ck.expect(am.post("/api/v1/risks/%d/actions" % rid, {"description": "x", "owner_id": ctx.U("am_w").id}), 400,
              "an owner who may not work on the account refused", field="owner_id")
    r = am.patch("/api/v1/risks/%d/actions/%d" % (rid, aid), {"done": True})
    ck.expect(r, 200, "action done", json={"actions_open": 0, "actions_overdue": 0,
                                           "actions": [{"id": aid, "done": True, "overdue": False}]})
    ck.expect(am.patch("/api/v1/risks/%d/actions/%d" % (rid, 999999999), {"done": True}), 404,
              "an action of no such id -> 404", field="action_id")
    r2 = am.post("/api/v1/risks/%d/actions" % rid, {"description": "上门拜访", "due_on": today(7)})
    aid2 = r2.json["actions"][-1]["id"] if r2.status == 201 else 0
    ck.expect(am.delete("/api/v1/risks/%d/actions/%d" % (rid, aid2)), 204, "remove an action")
    ck.expect(am.get("/api/v1/risks/%d" % rid), 200, "one action left", json={"actions_total": 1})
    acts = audit_actions(ctx, rid)
    ck.ok(acts.count("action_add") == 2 and acts.count("action_update") == 1 and acts.count("action_delete") == 1,
          "actions audited under the risk", repr(acts))

    # close needs a reason; closed refuses changes; reopen -> open, or responding with its response
    before = risk_state(ctx, rid)
    ck.expect(am.post("/api/v1/risks/%d/close" % rid, {"reason": ""}), 400, "close without a reason", field="reason")
    ck.expect(am.post("/api/v1/risks/%d/close" % rid, {}), 400, "close without a reason (absent)", field="reason")
    ck.ok(risk_state(ctx, rid) == before, "refused close wrote nothing")
    r = am.post("/api/v1/risks/%d/close" % rid, {"reason": "客户已付清"})
    ck.expect(r, 200, "close", json={"status": "closed", "closed_reason": "客户已付清"})
    ck.ok(r.status == 200 and r.json.get("closed_at") is not None, "closed_at set", r.describe())
    ck.expect(am.post("/api/v1/risks/%d/close" % rid, {"reason": "again"}), 409, "close twice -> 409",
              field="status")
    ck.expect(am.patch("/api/v1/risks/%d" % rid, {"title": "改"}), 409, "PATCH a closed risk -> 409",
              field="status")
    ck.expect(am.post("/api/v1/risks/%d/actions" % rid, {"description": "x"}), 409, "an action on a closed risk",
              field="status")
    r = am.post("/api/v1/risks/%d/reopen" % rid)
    ck.expect(r, 200, "reopen -> responding: the response chosen before stands",
              json={"status": "responding", "response": "transfer", "closed_reason": "", "closed_at": None})
    plain = new_risk(ctx, acct, am, title="无应对 " + ctx.uniq())
    ctx.must(am.post("/api/v1/risks/%d/close" % plain["id"], {"reason": "x"}), 200, "close one without a response")
    ck.expect(am.post("/api/v1/risks/%d/reopen" % plain["id"]), 200, "reopen one without a response -> open",
              json={"status": "open", "response": None})
    ck.expect(am.post("/api/v1/risks/%d/reopen" % rid), 409, "reopen an open risk -> 409", field="status")
    acts = audit_actions(ctx, rid)
    ck.ok(acts[0] == "create" and "close" in acts and acts[-1] == "reopen", "history: create .. close .. reopen",
          repr(acts))
    r = am.get("/api/v1/audit", {"entity": "risk", "id": str(rid)})
    ck.expect(r, 200, "the risk's history through /audit")
    if r.status == 200:
        ck.ok(len(r.json["items"]) == len(acts), "every audit row of the risk in its history", repr(len(r.json["items"])))

    # delete: the account manager may not; a team lead in scope may; a raised risk may not be deleted
    x = new_risk(ctx, acct, am)
    ck.expect(am.delete("/api/v1/risks/%d" % x["id"]), 403, "an account manager may not delete", code="forbidden")
    ck.expect(lead.delete("/api/v1/risks/%d" % x["id"]), 204, "the team lead deletes a manual risk")
    ck.expect(a.get("/api/v1/risks/%d" % x["id"]), 404, "deleted")
    sql(ctx, "INSERT INTO risks (account_id, category, title, likelihood, impact, status, source, source_id, "
             "created_at, updated_at) VALUES (%d, 'compliance', '来源风险 %s', 2, 2, 'open', 'contract', %d, 1, 1)"
             % (acct, ctx.tag, acct))
    src = int(sql(ctx, "SELECT MAX(id) FROM risks WHERE source = 'contract'")[0][0])
    before = risk_state(ctx, src)
    r = a.delete("/api/v1/risks/%d" % src)
    ck.expect(r, 409, "a raised risk cannot be deleted -> 409", field="id")
    ck.ok(r.status == 409 and r.json["error"].get("key") == "risk.from_source", "key risk.from_source", r.describe())
    ck.ok(risk_state(ctx, src) == before, "refused delete wrote nothing")
    ck.expect(am.get("/api/v1/risks/%d" % rid, ), 200, "read")
    ck.expect(ctx.U("am_w").client.get("/api/v1/risks/%d" % rid), 404, "out of scope -> 404")
    ck.ok(sub > 0, "subsidiary made")


def g_risks_lists(ctx):
    ck = ctx.ck
    am = ctx.U("am_e").client
    acct = ctx.new_account("am_e", code=ctx.uniq("RKL"), name="风险列表 " + ctx.tag)
    sub = ctx.new_account("am_e", code=ctx.uniq("RKL"), name="风险列表子 " + ctx.tag, parent_id=acct)
    # hand-made cells: (5,5) x2, (2,3), (1,1) closed, sub (4,3) with an overdue review
    r1 = new_risk(ctx, acct, am, likelihood=5, impact=5, category="credit", title="甲")
    r2 = new_risk(ctx, acct, am, likelihood=5, impact=5, category="compliance", title="乙")
    r3 = new_risk(ctx, acct, am, likelihood=2, impact=3, category="credit", title="丙")
    r4 = new_risk(ctx, acct, am, likelihood=1, impact=1, title="丁")
    ctx.must(am.post("/api/v1/risks/%d/close" % r4["id"], {"reason": "无"}), 200, "close r4")
    r5 = new_risk(ctx, sub, am, likelihood=4, impact=3, title="戊", review_on=today(-2))
    ctx.must(am.post("/api/v1/risks/%d/actions" % r3["id"], {"description": "逾期措施", "due_on": today(-3)}), 201,
             "overdue action")

    def ids(q):
        r = am.get("/api/v1/risks", q)
        if not ck.expect(r, 200, "list %r" % q):
            return None
        return sorted(x["id"] for x in r.json["items"])

    A = {"account_id": str(acct)}
    ck.ok(ids(A) == sorted([r1["id"], r2["id"], r3["id"], r4["id"]]), "account's risks")
    ck.ok(ids(dict(A, subsidiaries="1")) == sorted([r1["id"], r2["id"], r3["id"], r4["id"], r5["id"]]),
          "subsidiaries=1 adds the group's")
    ck.ok(ids(dict(A, level="critical")) == sorted([r1["id"], r2["id"]]), "level critical")
    ck.ok(ids(dict(A, level="medium")) == [r3["id"]], "level medium (6)")
    ck.ok(ids(dict(A, level="low")) == [r4["id"]], "level low")
    ck.ok(ids(dict(A, status="closed")) == [r4["id"]], "status closed")
    ck.ok(ids(dict(A, category="credit")) == sorted([r1["id"], r3["id"]]), "category")
    ck.ok(ids({"account_id": str(sub), "review_due": "1"}) == [r5["id"]], "review_due")
    ck.ok(ids(dict(A, review_due="1")) == [], "review_due: none on the head")
    ck.ok(ids(dict(A, action_overdue="1")) == [r3["id"]], "action_overdue")
    ck.ok(ids({"q": "风险列表子 " + ctx.tag}) == [r5["id"]], "q by account name")
    r = am.get("/api/v1/risks", dict(A, limit="2"))
    ck.expect(r, 200, "page 1 by -score")
    if r.status == 200:
        ck.ok([x["id"] for x in r.json["items"]] == sorted([r1["id"], r2["id"]], reverse=True) and r.json["next_cursor"],
              "highest scores first, a next page", repr(r.json))
        r = am.get("/api/v1/risks", dict(A, limit="2", cursor=r.json["next_cursor"]))
        ck.ok(r.status == 200 and [x["id"] for x in r.json["items"]] == [r3["id"], r4["id"]], "page 2", r.describe())
    ck.expect(am.get("/api/v1/risks", {"level": "huge"}), 400, "bad level", field="level")
    ck.expect(am.get("/api/v1/risks", {"subsidiaries": "1"}), 400, "subsidiaries without account", field="subsidiaries")
    ck.expect(am.get("/api/v1/risks", {"sort": "colour"}), 400, "bad sort", field="sort")
    ck.ok(ids({"account_id": str(acct)}) is not None and
          ctx.U("am_w").client.get("/api/v1/risks", A).json["items"] == [], "another's account manager sees none")

    # heat map: open and responding only
    r = am.get("/api/v1/risks/heatmap", dict(A, subsidiaries="1"))
    if ck.expect(r, 200, "heat map", json={"total": 4}):
        cells = {(c["likelihood"], c["impact"]): c for c in r.json["cells"]}
        ck.ok(len(cells) == 25, "25 cells")
        ck.ok(cells[(5, 5)]["count"] == 2 and cells[(5, 5)]["level"] == "critical" and
              sorted(x["id"] for x in cells[(5, 5)]["risks"]) == sorted([r1["id"], r2["id"]]), "(5,5) holds 2",
              repr(cells[(5, 5)]))
        ck.ok(cells[(2, 3)]["count"] == 1 and cells[(4, 3)]["count"] == 1 and cells[(1, 1)]["count"] == 0,
              "(2,3) 1, (4,3) 1 (the subsidiary's), (1,1) 0 (closed)")
        ck.ok(sum(c["count"] for c in r.json["cells"]) == 4, "counts add up to the total")
    r = am.get("/api/v1/risks/heatmap", dict(A, category="compliance"))
    ck.expect(r, 200, "heat map by category", json={"total": 1})


def g_risks_due(ctx):
    """The scheduler tells the owner once of an overdue review and of an overdue action."""
    ck = ctx.ck
    am = ctx.U("am_e")
    acct = ctx.new_account("am_e", code=ctx.uniq("RKD"), name="风险复核 " + ctx.tag)
    r = new_risk(ctx, acct, am.client, title="复核 " + ctx.tag, review_on=today(-1))
    ctx.must(am.client.post("/api/v1/risks/%d/actions" % r["id"], {"description": "措施 " + ctx.tag,
                                                                   "due_on": today(-1)}), 201, "action")
    # a near miss: review today is not overdue
    nm = new_risk(ctx, acct, am.client, title="今日复核 " + ctx.tag, review_on=today(0))

    def notes():
        return sql(ctx, "SELECT COUNT(*) FROM notifications WHERE user_id = %d AND msg_key IN ('risk.review_due', "
                        "'risk.action_due') AND link = '/risks/%d'" % (am.id, r["id"]))[0][0]

    def near():
        return sql(ctx, "SELECT COUNT(*) FROM notifications WHERE dedup_key LIKE 'risk_review:%d:%%'" % nm["id"])[0][0]

    env = dict(os.environ)
    env.pop("KAM_NOW", None)
    for i in range(2):
        rc, out, err = run_cli(ctx.kam, ["jobs", "run", "--db", ctx.dsn, "--now", iso(time.time())], env=env)
        ck.ok(rc == 0, "kam jobs run #%d" % (i + 1), err[-300:])
        ck.ok(int(notes()) == 2, "review and action told once (run %d)" % (i + 1), repr(notes()))
    ck.ok(int(near()) == 0, "a review due today is not overdue")


GROUPS = [
    ("risks", g_risks, True),
    ("risks_lists", g_risks_lists, True),
    ("risks_due", g_risks_due, True),
]


# ---- permission matrix builders (t_matrix.py): every route of api/risk/risks.c

def _acc(ctx, rec_):
    return ctx.ids["A_other" if rec_ == "other" else "A_own"]


def _risk(ctx, rec_):
    key = "RK_matrix_%s" % rec_
    if key not in ctx.ids:
        ctx.ids[key] = new_risk(ctx, _acc(ctx, rec_), title="矩阵风险")["id"]
    return ctx.ids[key]


@route("GET", "/api/v1/risks", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/risks", query={"limit": "5"})


@route("GET", "/api/v1/risks/export", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/risks/export", query={"format": "csv"})


@route("GET", "/api/v1/risks/heatmap", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/risks/heatmap")


@route("POST", "/api/v1/risks", "none")
def _(ctx, u, rec_):
    # x-kam-scope none: the body's account is checked by the service (the own account is in
    # every writer's scope)
    return Attempt("POST", "/api/v1/risks", {"account_id": _acc(ctx, "own"), "category": "other",
                                             "title": "矩阵 " + ctx.uniq(), "likelihood": 1, "impact": 2},
                   ok=201, state=lambda: risk_state(ctx))


@route("GET", "/api/v1/risks/{id}", "risk")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/risks/%d" % _risk(ctx, rec_))


@route("PATCH", "/api/v1/risks/{id}", "risk")
def _(ctx, u, rec_):
    rid = _risk(ctx, rec_)
    return Attempt("PATCH", "/api/v1/risks/%d" % rid, {"description": "matrix " + ctx.uniq()},
                   state=lambda: risk_state(ctx, rid))


@route("DELETE", "/api/v1/risks/{id}", "risk")
def _(ctx, u, rec_):
    rid = new_risk(ctx, _acc(ctx, rec_), title="矩阵删除")["id"]
    return Attempt("DELETE", "/api/v1/risks/%d" % rid, ok=204, state=lambda: risk_state(ctx, rid))


@route("POST", "/api/v1/risks/{id}/close", "risk")
def _(ctx, u, rec_):
    rid = new_risk(ctx, _acc(ctx, rec_), title="矩阵关闭")["id"]
    return Attempt("POST", "/api/v1/risks/%d/close" % rid, {"reason": "matrix"}, state=lambda: risk_state(ctx, rid))


@route("POST", "/api/v1/risks/{id}/reopen", "risk")
def _(ctx, u, rec_):
    rid = new_risk(ctx, _acc(ctx, rec_), title="矩阵重开")["id"]
    ctx.must(ctx.admin.post("/api/v1/risks/%d/close" % rid, {"reason": "matrix"}), 200, "close for reopen")
    return Attempt("POST", "/api/v1/risks/%d/reopen" % rid, state=lambda: risk_state(ctx, rid))


@route("POST", "/api/v1/risks/{id}/actions", "risk")
def _(ctx, u, rec_):
    rid = _risk(ctx, rec_)
    return Attempt("POST", "/api/v1/risks/%d/actions" % rid, {"description": "matrix " + ctx.uniq()}, ok=201,
                   state=lambda: risk_state(ctx, rid))


def _action(ctx, rec_):
    rid = new_risk(ctx, _acc(ctx, rec_), title="矩阵措施")["id"]
    r = ctx.must(ctx.admin.post("/api/v1/risks/%d/actions" % rid, {"description": "matrix"}), 201, "action")
    return rid, r["actions"][0]["id"]


@route("PATCH", "/api/v1/risks/{id}/actions/{aid}", "risk")
def _(ctx, u, rec_):
    rid, aid = _action(ctx, rec_)
    return Attempt("PATCH", "/api/v1/risks/%d/actions/%d" % (rid, aid), {"done": True},
                   state=lambda: risk_state(ctx, rid))


@route("DELETE", "/api/v1/risks/{id}/actions/{aid}", "risk")
def _(ctx, u, rec_):
    rid, aid = _action(ctx, rec_)
    return Attempt("DELETE", "/api/v1/risks/%d/actions/%d" % (rid, aid), ok=204, state=lambda: risk_state(ctx, rid))
