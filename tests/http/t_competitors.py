"""Competitors (issue 16 item 3, src/api/risk/competitors.c): competitor records (unique names,
validation naming the field with nothing written, versions, list q/active/paging, export, delete
refused while in use), their presence per account and family (the shares of one account and
family at most 100 %: 400 competitor.share_sum; one row per competitor, account and family: 409;
our own share from the wallet estimate; a competitor's accounts filtered by the caller's scope),
moves (dated, not in the future; list filters and export; raised as a competitive risk once;
a raised move stays), audit rows in the same transaction; an account manager cannot touch another
team's account, a viewer reads only; the permission matrix of every route of the file (its own
group, competitors_matrix, and the builders for the suite's matrix)."""

import datetime

import policy as pol
import t_basic
import t_matrix
from policy import ALL, NONE, SCOPE, _roles
from t_matrix import route, Attempt
from t_answers import sql

# src/svc/core/policy.c (docs/API.md "Risk and early warning"): competitor records are read by
# every role but hr, written by admin, director, team_lead and account_manager (deleted by
# admin and director); presence and moves follow the account's scope.
pol.EXPECTED.update({
    ("competitor", "read"): _roles(ALL, hr=NONE),
    ("competitor", "create"): _roles(NONE, admin=ALL, director=ALL, team_lead=ALL, account_manager=ALL),
    ("competitor", "update"): _roles(NONE, admin=ALL, director=ALL, team_lead=ALL, account_manager=ALL),
    ("competitor", "delete"): _roles(NONE, admin=ALL, director=ALL),
    ("competition", "read"): _roles(SCOPE, admin=ALL, director=ALL, finance=ALL, hr=NONE),
    ("competition", "create"): _roles(NONE, admin=ALL, director=ALL, team_lead=SCOPE, account_manager=SCOPE,
                                      service=SCOPE),
    ("competition", "update"): _roles(NONE, admin=ALL, director=ALL, team_lead=SCOPE, account_manager=SCOPE),
    ("competition", "delete"): _roles(NONE, admin=ALL, director=ALL, team_lead=SCOPE, account_manager=SCOPE),
})
# raising a move as a risk is creating a risk (the REGISTER slice's row, if it is not there yet)
pol.EXPECTED.setdefault(("risk", "create"), _roles(NONE, admin=ALL, director=ALL, finance=ALL, team_lead=SCOPE,
                                                   account_manager=SCOPE, service=SCOPE))

if "presence" not in t_matrix.RECORD_KINDS:
    t_matrix.RECORD_KINDS = t_matrix.RECORD_KINDS + ("presence", "move")
for _s in ("presence", "move"):
    if _s not in t_basic.SCOPES:
        t_basic.SCOPES = t_basic.SCOPES + (_s,)


def today():
    return (datetime.datetime.utcnow() + datetime.timedelta(hours=8)).date()


def day(ago):
    return (today() - datetime.timedelta(days=ago)).isoformat()


def new_competitor(ctx, client=None, **fields):
    body = {"name": "竞品 " + ctx.uniq(), "alias": "别名", "strengths": "价格低", "weaknesses": "交期慢"}
    body.update(fields)
    return ctx.must((client or ctx.admin).post("/api/v1/competitors", body), 201, "create competitor")["id"]


def new_presence(ctx, account, comp, client=None, **fields):
    body = {"competitor_id": comp, "family": "F" + ctx.uniq(), "share_bp": 1000, "price_level": "lower"}
    body.update(fields)
    return ctx.must((client or ctx.admin).post("/api/v1/accounts/%d/competitors" % account, body), 201,
                    "create presence")["id"]


def new_move(ctx, account, comp, client=None, **fields):
    body = {"competitor_id": comp, "kind": "price_cut", "severity": "high", "description": "报价直降 8%",
            "day": day(2)}
    body.update(fields)
    return ctx.must((client or ctx.admin).post("/api/v1/accounts/%d/competitor-moves" % account, body), 201,
                    "create move")["id"]


def n_rows(ctx, q):
    return int(sql(ctx, q)[0][0])


def audit_count(ctx, entity, rid=None, action=None):
    q = "SELECT COUNT(*) FROM audit WHERE entity = '%s'" % entity
    if rid is not None:
        q += " AND entity_id = %d" % rid
    if action:
        q += " AND action = '%s'" % action
    return n_rows(ctx, q)


def comp_state(ctx, cid=None):
    st = {"n": n_rows(ctx, "SELECT COUNT(*) FROM competitors"), "audit": audit_count(ctx, "competitor")}
    if cid:
        st["row"] = sql(ctx, "SELECT name, alias, note, active, version FROM competitors WHERE id = %d" % cid)
    return st


def presence_state(ctx, account=None, pid=None):
    st = {"n": n_rows(ctx, "SELECT COUNT(*) FROM competitor_presence"),
          "audit": audit_count(ctx, "competitor_presence")}
    if pid:
        st["row"] = sql(ctx, "SELECT family, share_bp, price_level, note, version FROM competitor_presence "
                             "WHERE id = %d" % pid)
    return st


def move_state(ctx, mid=None):
    st = {"n": n_rows(ctx, "SELECT COUNT(*) FROM competitor_moves"), "audit": audit_count(ctx, "competitor_move"),
          "risks": n_rows(ctx, "SELECT COUNT(*) FROM risks WHERE source = 'competitor'")}
    if mid:
        st["row"] = sql(ctx, "SELECT day, kind, severity, description FROM competitor_moves WHERE id = %d" % mid)
    return st


def g_competitors(ctx):
    ck = ctx.ck
    a = ctx.admin
    am = ctx.U("am_e").client
    viewer = ctx.U("viewer_e").client
    hr = ctx.U("hr").client
    name = "华信科技 " + ctx.tag
    body = {"name": name, "alias": "华信", "website": "https://huaxin.example.cn", "strengths": "价格低\n渠道密",
            "weaknesses": "交期不稳", "note": "华东最强对手"}
    r = am.post("/api/v1/competitors", body)
    if not ck.expect(r, 201, "an account manager records a competitor",
                     json={"name": name, "alias": "华信", "active": True, "version": 1, "accounts": 0, "moves": 0}):
        return
    cid = r.json["id"]
    ck.ok(audit_count(ctx, "competitor", cid, "create") == 1, "create audited")
    ck.expect(viewer.get("/api/v1/competitors/%d" % cid), 200, "a viewer reads it", json={"id": cid})
    ck.expect(viewer.post("/api/v1/competitors", dict(body, name=ctx.uniq("V"))), 403, "a viewer may not create")
    ck.expect(hr.get("/api/v1/competitors"), 403, "hr reads no competitors")

    before = comp_state(ctx)
    bad = [
        ({k: v for k, v in body.items() if k != "name"}, 400, "name"),
        (dict(body, name="  "), 400, "name"),
        (dict(body, name="名" * 101), 400, "name"),
        (dict(body, name=ctx.uniq("N"), alias="a" * 201), 400, "alias"),
        (dict(body, name=ctx.uniq("N"), website="w" * 301), 400, "website"),
        (dict(body, name=ctx.uniq("N"), strengths="s" * 2001), 400, "strengths"),
        (dict(body, name=ctx.uniq("N"), weaknesses="s" * 2001), 400, "weaknesses"),
        (dict(body, name=ctx.uniq("N"), note="n" * 2001), 400, "note"),
        (dict(body, name=ctx.uniq("N"), colour="red"), 400, "colour"),
        (dict(body, name=ctx.uniq("N"), version=2), 400, "version"),
        (dict(body, name=name.replace("华信科技", "华信科技")), 409, "name"),
    ]
    for b, status, field in bad:
        ck.expect(am.post("/api/v1/competitors", b), status, "POST competitor refused -> %d %s" % (status, field),
                  field=field)
    ck.ok(comp_state(ctx) == before, "refused creations wrote nothing")
    # the name is unique letter case aside
    latin = "Acme Industrial " + ctx.tag
    cid2 = new_competitor(ctx, am, name=latin)
    ck.expect(am.post("/api/v1/competitors", {"name": latin.upper()}), 409, "a name differing in case only -> 409",
              field="name")

    # PATCH: versions, no-op, deactivate
    st = comp_state(ctx, cid)
    ck.expect(am.patch("/api/v1/competitors/%d" % cid, {"note": "x", "version": 9}), 409, "stale version -> 409",
              field="version")
    ck.expect(am.patch("/api/v1/competitors/%d" % cid, {"name": latin}), 409, "rename to a taken name -> 409",
              field="name")
    ck.expect(viewer.patch("/api/v1/competitors/%d" % cid, {"note": "x"}), 403, "a viewer may not change it")
    ck.ok(comp_state(ctx, cid) == st, "refused PATCHes changed nothing")
    ck.expect(am.patch("/api/v1/competitors/%d" % cid, {"note": "新备注", "version": 1}), 200, "PATCH note",
              json={"note": "新备注", "version": 2})
    ck.expect(am.patch("/api/v1/competitors/%d" % cid, {"note": "新备注"}), 200, "the same value: no new version",
              json={"version": 2})
    ck.ok(audit_count(ctx, "competitor", cid, "update") == 1, "one update audited")

    # list: q (name or alias, case-insensitive), active, paging
    r = am.get("/api/v1/competitors", {"q": ctx.tag, "limit": "500"})
    ck.expect(r, 200, "list by q")
    if r.status == 200:
        ids = [x["id"] for x in r.json["items"]]
        ck.ok(cid in ids and cid2 in ids, "q finds both", repr(ids))
    r = am.get("/api/v1/competitors", {"q": "acme industrial " + ctx.tag.lower()})
    ck.ok(r.status == 200 and [x["id"] for x in r.json["items"]] == [cid2], "q is case-insensitive", r.describe())
    ck.expect(am.patch("/api/v1/competitors/%d" % cid2, {"active": False}), 200, "deactivate", json={"active": False})
    r = am.get("/api/v1/competitors", {"q": ctx.tag, "active": "1", "limit": "500"})
    ck.ok(r.status == 200 and cid2 not in [x["id"] for x in r.json["items"]]
          and cid in [x["id"] for x in r.json["items"]], "active=1 leaves out the inactive one", r.describe())
    ck.expect(am.get("/api/v1/competitors", {"active": "2"}), 400, "active=2 refused", field="active")
    ck.expect(am.get("/api/v1/competitors", {"sort": "colour"}), 400, "unknown sort refused", field="sort")
    r = am.get("/api/v1/competitors", {"q": ctx.tag, "limit": "1", "sort": "id"})
    ck.ok(r.status == 200 and len(r.json["items"]) == 1 and r.json.get("next_cursor"), "limit 1 gives a cursor",
          r.describe())
    if r.status == 200 and r.json.get("next_cursor"):
        r2 = am.get("/api/v1/competitors", {"q": ctx.tag, "limit": "1", "sort": "id", "cursor": r.json["next_cursor"]})
        ck.ok(r2.status == 200 and r2.json["items"] and r2.json["items"][0]["id"] > r.json["items"][0]["id"],
              "the next page follows", r2.describe())
    r = am.get("/api/v1/competitors/export", {"q": ctx.tag, "format": "csv", "columns": "name:名称,alias:别名"})
    text = r.body.decode("utf-8", "replace")
    ck.ok(r.status == 200 and "名称" in text and name in text and latin in text, "export as csv", text[:300])

    # DELETE: refused while present at an account, allowed after
    pid = new_presence(ctx, ctx.ids["A_own"], cid)
    st = comp_state(ctx, cid)
    r = a.delete("/api/v1/competitors/%d" % cid)
    ck.expect(r, 409, "DELETE a competitor with presence -> 409", field="id")
    if r.status == 409:
        ck.ok(r.json["error"].get("key") == "competitor.in_use", "key competitor.in_use", r.describe())
    ck.ok(comp_state(ctx, cid) == st, "the refused DELETE changed nothing")
    ck.expect(am.delete("/api/v1/competitors/%d" % cid2), 403, "an account manager may not delete")
    ck.expect(a.delete("/api/v1/competitors/%d" % cid2), 204, "DELETE an unused competitor -> 204")
    ck.expect(a.get("/api/v1/competitors/%d" % cid2), 404, "gone")
    ck.ok(audit_count(ctx, "competitor", cid2, "delete") == 1, "delete audited")
    ck.expect(a.delete("/api/v1/competitor-presence/%d" % pid), 204, "its presence deleted")
    ck.expect(a.delete("/api/v1/competitors/%d" % cid), 204, "then the competitor goes")


def g_presence(ctx):
    ck = ctx.ck
    a = ctx.admin
    am = ctx.U("am_e").client
    am_w = ctx.U("am_w").client
    viewer = ctx.U("viewer_e").client
    svc = ctx.U("service_e").client
    own = ctx.new_account("am_e", members=[("service_e", "service"), ("viewer_e", "marketing")],
                          code=ctx.uniq("CPA"), name="竞争客户 " + ctx.tag)
    other = ctx.new_account("am_w", code=ctx.uniq("CPB"), name="他人竞争客户 " + ctx.tag)
    c1, c2, c3 = (new_competitor(ctx) for _ in range(3))
    fam = "泵阀 " + ctx.tag
    path = "/api/v1/accounts/%d/competitors" % own
    r = am.post(path, {"competitor_id": c1, "family": fam, "share_bp": 6000, "price_level": "lower",
                       "note": "采购访谈估算"})
    if not ck.expect(r, 201, "an account manager records a presence",
                     json={"competitor_id": c1, "account_id": own, "family": fam, "share_bp": 6000,
                           "price_level": "lower", "version": 1, "updated_by": ctx.U("am_e").id}):
        return
    p1 = r.json["id"]
    ck.ok(audit_count(ctx, "competitor_presence", p1, "create") == 1, "presence create audited")
    ck.ok(n_rows(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'competitor_presence' AND entity_id = %d AND "
                      "account_id = %d" % (p1, own)) == 1, "the audit row carries the account")

    # the share rule: 6000 + 4001 > 10000 -> 400 naming share_bp; exactly 100 % is fine
    st = presence_state(ctx)
    r = am.post(path, {"competitor_id": c2, "family": fam, "share_bp": 4001})
    ck.expect(r, 400, "shares over 100 % -> 400", field="share_bp")
    if r.status == 400:
        ck.ok(r.json["error"].get("key") == "competitor.share_sum" and r.json["error"].get("params", {}).get("max")
              == "4000", "key competitor.share_sum with the room left", r.describe())
    bad = [
        ({"family": fam, "share_bp": 10}, 400, "competitor_id"),
        ({"competitor_id": 999999999}, 400, "competitor_id"),
        ({"competitor_id": c2, "share_bp": 10001}, 400, "share_bp"),
        ({"competitor_id": c2, "share_bp": -1}, 400, "share_bp"),
        ({"competitor_id": c2, "price_level": "cheap"}, 400, "price_level"),
        ({"competitor_id": c2, "family": "f" * 101}, 400, "family"),
        ({"competitor_id": c2, "note": "n" * 2001}, 400, "note"),
        ({"competitor_id": c1, "family": fam}, 409, "family"),
    ]
    for b, status, field in bad:
        ck.expect(am.post(path, b), status, "POST presence refused -> %d %s (%s)" % (status, field, sorted(b)),
                  field=field)
    ck.ok(presence_state(ctx) == st, "refused presence writes wrote nothing")
    p2 = new_presence(ctx, own, c2, am, family=fam, share_bp=4000, price_level="similar")
    p3 = new_presence(ctx, own, c3, am, family="", share_bp=None, price_level="unknown")
    # an inactive competitor is not recorded anew
    ck.expect(a.patch("/api/v1/competitors/%d" % c3, {"active": False}), 200, "deactivate c3")
    ck.expect(am.post(path, {"competitor_id": c3, "family": fam}), 400, "an inactive competitor -> 400",
              field="competitor_id")
    ck.expect(a.patch("/api/v1/competitors/%d" % c3, {"active": True}), 200, "reactivate c3")

    # PATCH: over 100 % refused, versions, the competitor fixed
    st = presence_state(ctx, pid=p1)
    ck.expect(am.patch("/api/v1/competitor-presence/%d" % p1, {"share_bp": 6001}), 400, "PATCH over 100 % -> 400",
              field="share_bp")
    ck.expect(am.patch("/api/v1/competitor-presence/%d" % p1, {"share_bp": 100, "version": 5}), 409,
              "stale version -> 409", field="version")
    ck.expect(am.patch("/api/v1/competitor-presence/%d" % p1, {"competitor_id": c2}), 400,
              "the competitor cannot change", field="competitor_id")
    ck.expect(viewer.patch("/api/v1/competitor-presence/%d" % p1, {"note": "x"}), 403, "a viewer may not change it")
    ck.expect(svc.patch("/api/v1/competitor-presence/%d" % p1, {"note": "x"}), 403, "service may not change it")
    ck.ok(presence_state(ctx, pid=p1) == st, "refused PATCHes changed nothing")
    ck.expect(am.patch("/api/v1/competitor-presence/%d" % p1, {"share_bp": 5000, "price_level": "higher",
                                                                "version": 1}),
              200, "PATCH share and price level", json={"share_bp": 5000, "price_level": "higher", "version": 2})
    ck.expect(am.patch("/api/v1/competitor-presence/%d" % p1, {"share_bp": 5000}), 200, "no-op PATCH",
              json={"version": 2})
    ck.ok(audit_count(ctx, "competitor_presence", p1, "update") == 1, "one update audited")

    # another team's account: the account manager does not see it (404), cannot write it
    op = new_presence(ctx, other, c1, am_w)
    ck.expect(am.get("/api/v1/accounts/%d/competitors" % other), 404, "another team's account: 404")
    st = presence_state(ctx, pid=op)
    ck.expect(am.post("/api/v1/accounts/%d/competitors" % other, {"competitor_id": c2}), 404,
              "no presence on another team's account")
    ck.expect(am.patch("/api/v1/competitor-presence/%d" % op, {"note": "x"}), 404,
              "no PATCH of another team's presence")
    ck.expect(am.delete("/api/v1/competitor-presence/%d" % op), 404, "no DELETE of another team's presence")
    ck.ok(presence_state(ctx, pid=op) == st, "another team's presence unchanged")
    # a competitor's accounts: scope-filtered
    r = am.get("/api/v1/competitors/%d/accounts" % c1)
    ck.ok(r.status == 200 and [x["id"] for x in r.json["items"]] == [p1], "the AM sees only own accounts",
          r.describe())
    r = a.get("/api/v1/competitors/%d/accounts" % c1)
    ck.ok(r.status == 200 and sorted(x["id"] for x in r.json["items"]) == sorted([p1, op]),
          "the admin sees both", r.describe())
    ck.expect(a.get("/api/v1/competitors/999999999/accounts"), 404, "no such competitor -> 404")

    # the account view: presence by family, largest first; our share from the wallet estimate
    r = viewer.get(path)
    if ck.expect(r, 200, "a viewer reads the account's competitors",
                 json={"account_id": own, "our_share_bp": None, "wallet": None}):
        ck.ok([x["id"] for x in r.json["presence"]] == [p3, p1, p2], "'' first, then the family by share",
              repr([(x["family"], x["share_bp"]) for x in r.json["presence"]]))
    ctx.must(a.put("/api/v1/accounts/%d/wallet/%d" % (own, today().year), {"amount": 500000}), 200, "wallet")
    ck.expect(am.get(path), 200, "our share without sales: 0 of the estimate",
              json={"our_share_bp": 0, "sales_12m": 0, "wallet": 500000})

    # DELETE
    ck.expect(viewer.delete("/api/v1/competitor-presence/%d" % p2), 403, "a viewer may not delete")
    ck.expect(am.delete("/api/v1/competitor-presence/%d" % p2), 204, "DELETE presence")
    ck.ok(audit_count(ctx, "competitor_presence", p2, "delete") == 1, "delete audited")
    ck.expect(am.patch("/api/v1/competitor-presence/%d" % p2, {"note": "x"}), 404, "gone")
    # service records presence on its account
    ck.expect(svc.post(path, {"competitor_id": c2, "family": "其他 " + ctx.tag, "share_bp": 100}), 201,
              "service records a presence in scope")


def g_moves(ctx):
    ck = ctx.ck
    a = ctx.admin
    am = ctx.U("am_e").client
    viewer = ctx.U("viewer_e").client
    svc = ctx.U("service_e").client
    own = ctx.new_account("am_e", members=[("service_e", "service"), ("viewer_e", "marketing")],
                          code=ctx.uniq("CMA"), name="动态客户 " + ctx.tag)
    other = ctx.new_account("am_w", code=ctx.uniq("CMB"), name="他人动态客户 " + ctx.tag)
    c1, c2 = new_competitor(ctx), new_competitor(ctx)
    path = "/api/v1/accounts/%d/competitor-moves" % own
    body = {"competitor_id": c1, "family": "泵阀", "day": day(3), "kind": "price_cut", "severity": "high",
            "description": "对采购部报价直降 8%"}
    r = am.post(path, body)
    if not ck.expect(r, 201, "an account manager records a move",
                     json={"competitor_id": c1, "account_id": own, "day": day(3), "kind": "price_cut",
                           "severity": "high", "risk_id": None, "created_by": ctx.U("am_e").id}):
        return
    m1 = r.json["id"]
    ck.ok(audit_count(ctx, "competitor_move", m1, "create") == 1, "move create audited")
    r = am.post(path, {"competitor_id": c2, "kind": "promotion", "description": "买十送一"})
    ck.expect(r, 201, "day and severity default", json={"day": today().isoformat(), "severity": "medium"})
    m2 = r.json["id"] if r.status == 201 else 0
    st = move_state(ctx)
    bad = [
        (dict(body, day=day(-1)), "day"),
        (dict(body, day="2026-02-30"), "day"),
        (dict(body, kind="rumour"), "kind"),
        (dict(body, severity="critical"), "severity"),
        (dict(body, description=" "), "description"),
        (dict(body, description="d" * 2001), "description"),
        ({k: v for k, v in body.items() if k != "kind"}, "kind"),
        ({k: v for k, v in body.items() if k != "competitor_id"}, "competitor_id"),
        (dict(body, competitor_id=999999999), "competitor_id"),
    ]
    for b, field in bad:
        ck.expect(am.post(path, b), 400, "POST move refused -> 400 %s" % field, field=field)
    ck.expect(viewer.post(path, body), 403, "a viewer may not record a move")
    ck.expect(am.post("/api/v1/accounts/%d/competitor-moves" % other, body), 404,
              "no move on another team's account")
    ck.ok(move_state(ctx) == st, "refused moves wrote nothing")
    mo = new_move(ctx, other, c1, day=day(40), kind="won_business")
    ms = new_move(ctx, own, c2, svc, day=day(60), kind="relationship", severity="low")

    # the list: scope, filters, order, export
    r = am.get("/api/v1/competitor-moves", {"competitor_id": str(c1), "limit": "500"})
    ck.ok(r.status == 200 and [x["id"] for x in r.json["items"]] == [m1], "the AM sees only own accounts' moves",
          r.describe())
    r = a.get("/api/v1/competitor-moves", {"competitor_id": str(c1)})
    ck.ok(r.status == 200 and [x["id"] for x in r.json["items"]] == [m1, mo], "latest day first", r.describe())
    r = a.get("/api/v1/competitor-moves", {"account_id": str(own), "since": day(30)})
    ck.ok(r.status == 200 and [x["id"] for x in r.json["items"]] == [m2, m1], "since leaves out older moves",
          r.describe())
    r = a.get("/api/v1/competitor-moves", {"account_id": str(own), "kind": "relationship"})
    ck.ok(r.status == 200 and [x["id"] for x in r.json["items"]] == [ms], "kind filters", r.describe())
    ck.expect(a.get("/api/v1/competitor-moves", {"kind": "rumour"}), 400, "unknown kind refused", field="kind")
    ck.expect(a.get("/api/v1/competitor-moves", {"since": "yesterday"}), 400, "bad since refused", field="since")
    r = a.get("/api/v1/competitor-moves", {"account_id": str(own), "limit": "1"})
    if ck.ok(r.status == 200 and r.json.get("next_cursor"), "limit 1 gives a cursor", r.describe()):
        r2 = a.get("/api/v1/competitor-moves", {"account_id": str(own), "limit": "1",
                                                "cursor": r.json["next_cursor"]})
        ck.ok(r2.status == 200 and [x["id"] for x in r2.json["items"]] == [m1], "the second page", r2.describe())
    r = am.get("/api/v1/competitor-moves/export", {"account_id": str(own), "format": "csv", "raw": "1"})
    text = r.body.decode("utf-8", "replace")
    ck.ok(r.status == 200 and "对采购部报价直降 8%" in text and "买十送一" in text, "export as csv", text[:300])
    r = am.get("/api/v1/accounts/%d/competitors" % own)
    ck.ok(r.status == 200 and [x["id"] for x in r.json["moves"]] == [m2, m1, ms], "the account view's moves",
          r.describe())

    # raised as a risk: competitive, source competitor; again -> the same risk
    st = move_state(ctx, m1)
    ck.expect(viewer.post("/api/v1/competitor-moves/%d/risk" % m1, {}), 403, "a viewer may not raise a risk")
    ck.expect(am.post("/api/v1/competitor-moves/%d/risk" % mo, {}), 404, "nor an AM on another team's move")
    ck.expect(am.post("/api/v1/competitor-moves/%d/risk" % m1, {"likelihood": 6}), 400, "likelihood 6 -> 400",
              field="likelihood")
    ck.ok(move_state(ctx, m1) == st, "refused raises changed nothing")
    r = am.post("/api/v1/competitor-moves/%d/risk" % m1, {})
    if ck.expect(r, 200, "raise the move as a risk", json={"created": True}):
        rid = r.json["risk_id"]
        row = sql(ctx, "SELECT category, source, source_id, likelihood, impact, account_id FROM risks WHERE id = %d"
                  % rid)
        ck.ok(row and [str(x) for x in row[0]] == ["competitive", "competitor", str(m1), "4", "4", str(own)],
              "a competitive risk of the account from the move (high: 4 x 4)", repr(row))
        ck.expect(svc.post("/api/v1/competitor-moves/%d/risk" % m1, {}), 200, "raising it again: the same risk",
                  json={"risk_id": rid, "created": False})
        ck.expect(am.get("/api/v1/competitor-moves", {"account_id": str(own), "kind": "price_cut"}), 200,
                  "the move names its risk", json={"items": [{"id": m1, "risk_id": rid}]})
        r = a.delete("/api/v1/competitor-moves/%d" % m1)
        ck.expect(r, 409, "a raised move cannot be deleted", field="id")
    r = am.post("/api/v1/competitor-moves/%d/risk" % ms, {"likelihood": 2, "impact": 5})
    if ck.expect(r, 200, "raise with likelihood and impact", json={"created": True}):
        row = sql(ctx, "SELECT likelihood, impact FROM risks WHERE id = %d" % r.json["risk_id"])
        ck.ok([str(x) for x in row[0]] == ["2", "5"], "likelihood and impact as given", repr(row))

    # DELETE
    ck.expect(viewer.delete("/api/v1/competitor-moves/%d" % m2), 403, "a viewer may not delete a move")
    ck.expect(svc.delete("/api/v1/competitor-moves/%d" % m2), 403, "service may not delete a move")
    ck.expect(am.delete("/api/v1/competitor-moves/%d" % m2), 204, "DELETE a move")
    ck.ok(audit_count(ctx, "competitor_move", m2, "delete") == 1, "move delete audited")
    ck.expect(a.get("/api/v1/competitors/%d" % c1), 200, "the competitor counts its moves and accounts",
              json={"moves": 2, "accounts": 0})


# ---- the permission matrix of this file's routes (the suite's matrix runs the same builders)

def _comp(ctx):
    if "CO_matrix" not in ctx.ids:
        ctx.ids["CO_matrix"] = new_competitor(ctx)
    return ctx.ids["CO_matrix"]


def _acc(ctx, rec_):
    return ctx.ids["A_other" if rec_ == "other" else "A_own"]


def _presence(ctx, rec_):
    key = "PR_matrix_%s" % rec_
    if key not in ctx.ids:
        ctx.ids[key] = new_presence(ctx, _acc(ctx, rec_), _comp(ctx), share_bp=None)
    return ctx.ids[key]


@route("GET", "/api/v1/competitors", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/competitors", query={"limit": "5"})


@route("GET", "/api/v1/competitors/export", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/competitors/export", query={"format": "csv", "q": "nothing-" + ctx.tag})


@route("POST", "/api/v1/competitors", "none")
def _(ctx, u, rec_):
    return Attempt("POST", "/api/v1/competitors", {"name": "矩阵竞品 " + ctx.uniq()}, ok=201,
                   state=lambda: comp_state(ctx))


@route("GET", "/api/v1/competitors/{id}", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/competitors/%d" % _comp(ctx))


@route("PATCH", "/api/v1/competitors/{id}", "none")
def _(ctx, u, rec_):
    cid = _comp(ctx)
    return Attempt("PATCH", "/api/v1/competitors/%d" % cid, {"note": "matrix " + ctx.uniq()},
                   state=lambda: comp_state(ctx, cid))


@route("DELETE", "/api/v1/competitors/{id}", "none")
def _(ctx, u, rec_):
    cid = new_competitor(ctx)
    return Attempt("DELETE", "/api/v1/competitors/%d" % cid, ok=204, state=lambda: comp_state(ctx, cid))


@route("GET", "/api/v1/competitors/{id}/accounts", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/competitors/%d/accounts" % _comp(ctx))


@route("GET", "/api/v1/accounts/{id}/competitors", "account")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/accounts/%d/competitors" % _acc(ctx, rec_))


@route("POST", "/api/v1/accounts/{id}/competitors", "account")
def _(ctx, u, rec_):
    a = _acc(ctx, rec_)
    return Attempt("POST", "/api/v1/accounts/%d/competitors" % a,
                   {"competitor_id": _comp(ctx), "family": "M" + ctx.uniq()}, ok=201,
                   state=lambda: presence_state(ctx))


@route("PATCH", "/api/v1/competitor-presence/{id}", "presence")
def _(ctx, u, rec_):
    pid = _presence(ctx, rec_)
    return Attempt("PATCH", "/api/v1/competitor-presence/%d" % pid, {"note": "matrix " + ctx.uniq()},
                   state=lambda: presence_state(ctx, pid=pid))


@route("DELETE", "/api/v1/competitor-presence/{id}", "presence")
def _(ctx, u, rec_):
    pid = new_presence(ctx, _acc(ctx, rec_), _comp(ctx), share_bp=None)
    return Attempt("DELETE", "/api/v1/competitor-presence/%d" % pid, ok=204,
                   state=lambda: presence_state(ctx, pid=pid))


@route("GET", "/api/v1/competitor-moves", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/competitor-moves", query={"limit": "5"})


@route("GET", "/api/v1/competitor-moves/export", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/competitor-moves/export", query={"format": "csv", "kind": "other",
                                                                   "since": day(0)})


@route("POST", "/api/v1/accounts/{id}/competitor-moves", "account")
def _(ctx, u, rec_):
    a = _acc(ctx, rec_)
    return Attempt("POST", "/api/v1/accounts/%d/competitor-moves" % a,
                   {"competitor_id": _comp(ctx), "kind": "other", "description": "matrix " + ctx.uniq()}, ok=201,
                   state=lambda: move_state(ctx))


@route("DELETE", "/api/v1/competitor-moves/{id}", "move")
def _(ctx, u, rec_):
    mid = new_move(ctx, _acc(ctx, rec_), _comp(ctx))
    return Attempt("DELETE", "/api/v1/competitor-moves/%d" % mid, ok=204, state=lambda: move_state(ctx, mid))


@route("POST", "/api/v1/competitor-moves/{id}/risk", "move")
def _(ctx, u, rec_):
    mid = new_move(ctx, _acc(ctx, rec_), _comp(ctx))
    return Attempt("POST", "/api/v1/competitor-moves/%d/risk" % mid, {}, state=lambda: move_state(ctx, mid))


MY_PATHS = ("/api/v1/competitors", "/api/v1/competitor-", "/api/v1/accounts/{id}/competitor")


def g_matrix(ctx):
    """t_matrix.g_matrix's loop over this file's operations only."""
    ck = ctx.ck
    r = ctx.admin.get("/api/v1/openapi.json")
    if not ck.ok(r.status == 200, "openapi.json for the matrix"):
        return
    n = 0
    for meth, path, op in sorted(t_basic.openapi_ops(r.json), key=lambda o: (o[1], o[0])):
        if not path.startswith(MY_PATHS):
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
    ck.ok(n == 16, "16 operations of competitors.c in the matrix", "got %d" % n)


GROUPS = [
    ("competitors", g_competitors, True),
    ("competitor_presence", g_presence, True),
    ("competitor_moves", g_moves, True),
    ("competitors_matrix", g_matrix, True),
]
