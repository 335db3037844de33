"""KPI arithmetic and targets by salesperson and team (issue 13, sections 2 and 3).

A second `kam serve` on the suite's database with KAM_NOW = 5 December (noon UTC) of a year Y
with no sales from Y-3 to Y+1 (chosen apart from t_plans' years). Two fresh account managers,
M1 in team East and M2 in team West, own one fresh account each, with order lines in Q4 of Y-1
and Y (October and November up, a large sale on 20 December Y-1 that is after the 5th).

  - growth like for like (growth.h): December compares 1-5 December with 1-5 December a year
    before, Q4 and the year compare their complete months whole plus those days; the same in
    the breakdown and in by=month; a period not started has no growth, with its reason;
  - every null KPI says why (why.*; satisfaction: no_surveys);
  - KPIs by=owner and by=team: lines rolled up from the accounts (actual, last year) and the
    plan's account cells (targets), ranked by attainment; who sees which line (an account
    manager their own, a team lead their team, a director every line, finance every line);
  - separation of duties: the director who wrote a plan cannot approve it (409, key
    plan_self_approval, nothing changed); another director can (approved_by is them).
    Nor does a director who changed its values (a cell value, the total, the split; key
    plan_self_change_approval); locks and unlocks do not count.
"""

import calendar
import csv
import io

from lib import Client, Server
from t_plans import PCtx, relogin
from t_sales import audit_db

DAY = 86400
SMART = "以可衡量、可实现、相关且有期限的方式提高重点客户的销量 (kpi test)"

# (account, year offset, month, day, amount in yuan)
LINES = [
    ("A1", -1, 6, 10, 400),
    ("A1", -1, 10, 10, 1000),
    ("A1", -1, 11, 10, 1000),
    ("A1", -1, 12, 3, 100),
    ("A1", -1, 12, 20, 5000),
    ("A1", 0, 10, 10, 1200),
    ("A1", 0, 11, 10, 1100),
    ("A1", 0, 12, 2, 150),
    ("A2", -1, 10, 15, 500),
    ("A2", -1, 12, 4, 200),
    ("A2", -1, 12, 5, 50),
    ("A2", -1, 12, 6, 999),
    ("A2", 0, 10, 15, 400),
    ("A2", 0, 12, 1, 300),
]


def pct1(a, b):
    """volume_pct: a / b in %, one decimal, halves away from zero."""
    x = a * 100.0 / b
    return int(x * 10 + (0.5 if x >= 0 else -0.5)) / 10.0


def pick_year(ctx):
    for y in (2095, 2094, 2093):
        r = ctx.admin.get("/api/v1/sales/series", {"from": "%d-01" % (y - 3), "to": "%d-12" % (y + 1), "by": "family"})
        if r.status == 200 and isinstance(r.json, dict) and not r.json.get("series"):
            return y
    raise RuntimeError("no free year for the KPI test")


def g_targets_kpi(ctx):
    ck = ctx.ck
    Y = pick_year(ctx)
    now = calendar.timegm((Y, 12, 5, 12, 0, 0, 0, 0, 0))
    tag = ctx.uniq()
    m1 = ctx.new_user("tk_m1", "account_manager", team="east", login=False, name="甲 M1 " + tag)
    m2 = ctx.new_user("tk_m2", "account_manager", team="west", login=False, name="乙 M2 " + tag)
    dir2 = ctx.new_user("tk_dir2", "director", team="sales", login=False, name="总经理 " + tag)
    srv = Server(ctx.kam, ctx.dsn, ctx.tmp, name="kam-kpi",
                 env_extra={"KAM_NOW": str(now), "KAM_SESSION_TTL": str(400 * DAY)})
    if not ck.ok(srv.start(), "KPI server starts with KAM_NOW = 5 Dec %d" % Y, srv.start_error or ""):
        srv.stop()
        return
    try:
        pc = PCtx(ctx, srv)
        cl = {}
        for key, u in (("admin", ctx.U("admin")), ("dir", ctx.U("dir")), ("fin", ctx.U("fin")),
                       ("lead_e", ctx.U("lead_e")), ("lead_w", ctx.U("lead_w")), ("m1", m1), ("m2", m2),
                       ("dir2", dir2)):
            c = Client(pc, key + "@kpi")
            ctx.must(c.login(u.login, u.password), 200, "login %s on the KPI server" % key)
            cl[key] = c
        W = build(ctx, cl["admin"], Y, tag, m1, m2)
        W.dir2 = dir2
        for name, fn in (("growth", growth), ("why", why), ("people", people), ("dims", dims),
                         ("approval", approval), ("reopen", reopen), ("owner_approval", owner_approval),
                         ("wide_texts", wide_texts), ("adj_scope", adj_scope), ("home_owner", home_owner),
                         ("scoped_targets", scoped_targets), ("ranks", ranks)):
            try:
                fn(ctx, cl, W)
            except Exception as e:
                import traceback
                ck.fail("targets_kpi part %s aborted by %s: %s" % (name, type(e).__name__, e),
                        traceback.format_exc(limit=5).strip().replace("\n", " | "))
    finally:
        rc = srv.stop()
        ck.ok(rc == 0, "KPI server stops cleanly (exit 0)", "exit %s; log tail: %s" % (rc, srv.log_tail(10)))
        relogin(ctx)


class World:
    pass


def build(ctx, a, Y, tag, m1, m2):
    W = World()
    W.Y, W.tag, W.m1, W.m2 = Y, tag, m1, m2
    W.fam = "KF-" + tag
    W.sku = "KSKU-" + tag
    ctx.must(a.post("/api/v1/products", {"sku": W.sku, "name": "KPI 产品 " + tag, "family": W.fam}), 201,
             "create the KPI product")
    W.code = {"A1": "KA1" + tag, "A2": "KA2" + tag}
    W.acc = {}
    for k, owner in (("A1", m1), ("A2", m2)):
        W.acc[k] = ctx.must(a.post("/api/v1/accounts", {"code": W.code[k], "name": "KPI 客户 %s %s" % (k, tag),
                                                        "owner_id": owner.id}), 201, "create account " + k)["id"]
    rows = ["external_id,date,account_code,sku,region,channel,quantity,amount,currency"]
    for i, (acc, dy, m, d, amt) in enumerate(LINES):
        rows.append("KL-%s-%02d,%04d-%02d-%02d,%s,%s,R-%s,C-%s,1,%d.00,CNY"
                    % (tag, i, Y + dy, m, d, W.code[acc], W.sku, tag, tag, amt))
    j = ctx.must(a.csv("orders", "\n".join(rows) + "\n"), 201, "import the KPI world's lines")
    if j.get("rows_inserted") != len(LINES):
        raise RuntimeError("import inserted %r of %d lines" % (j.get("rows_inserted"), len(LINES)))
    return W


def total(W, acc=None, frm=None, to=None):
    """Sum in yuan of the lines of acc (None: both) dated in [frm, to] ((y, m, d) tuples)."""
    s = 0
    for a, dy, m, d, amt in LINES:
        day = (W.Y + dy, m, d)
        if (acc is None or a == acc) and frm <= day <= to:
            s += amt
    return s


def growth(ctx, cl, W):
    ck, c, Y = ctx.ck, cl["fin"], W.Y
    ly = Y - 1
    q = {"family": W.fam}
    # December after five days: 1-5 December against 1-5 December a year before
    r = c.get("/api/v1/kpis", dict(q, period="%d-12" % Y, by="account"))
    if ck.expect(r, 200, "KPIs of December on 5 December"):
        a = total(W, None, (Y, 12, 1), (Y, 12, 31))
        b = total(W, None, (ly, 12, 1), (ly, 12, 5))
        ck.ok((a, b) == (450, 350), "the world: 450 this December so far, 350 on 1-5 December a year before")
        ck.matches(r.json.get("period"), {"elapsed_days": 5, "days": 31, "last_year_from": "%d-12-01" % ly,
                                          "last_year_to": "%d-12-05" % ly},
                   "December: 5 of 31 days, compared with 1-5 December %d" % ly)
        ck.matches(r.json.get("total"), {"actual": a, "last_year": b, "growth_pct": pct1(a - b, b)},
                   "December growth like for like: +28.6 %% (not -%s %% against the whole December)"
                   % (100 - pct1(a, total(W, None, (ly, 12, 1), (ly, 12, 31)))))
        items = {x["key"]: x for x in r.json.get("items", [])}
        for k in ("A1", "A2"):
            a = total(W, k, (Y, 12, 1), (Y, 12, 31))
            b = total(W, k, (ly, 12, 1), (ly, 12, 5))
            ck.matches(items.get(str(W.acc[k])), {"actual": a, "last_year": b, "growth_pct": pct1(a - b, b)},
                       "December %s: %d against %d (1-5 December)" % (k, a, b))
    # Q4: October and November up; the whole of both months plus 1-5 December
    r = c.get("/api/v1/kpis", dict(q, period="%d-Q4" % Y, by="none"))
    if ck.expect(r, 200, "KPIs of Q4 on 5 December"):
        a = total(W, None, (Y, 10, 1), (Y, 12, 31))
        b = total(W, None, (ly, 10, 1), (ly, 12, 5))
        ck.ok(total(W, None, (Y, 10, 1), (Y, 10, 31)) > total(W, None, (ly, 10, 1), (ly, 10, 31)) and
              total(W, None, (Y, 11, 1), (Y, 11, 30)) > total(W, None, (ly, 11, 1), (ly, 11, 30)),
              "the world: October and November both up")
        ck.matches(r.json.get("total"), {"actual": a, "last_year": b, "growth_pct": pct1(a - b, b)},
                   "Q4 growth like for like %+.1f %% (positive)" % pct1(a - b, b))
        ck.ok(pct1(a - b, b) > 0, "Q4 growth is positive when October and November are up")
        ck.matches(r.json.get("period"), {"last_year_from": "%d-10-01" % ly, "last_year_to": "%d-12-05" % ly},
                   "Q4 compared with 1 October - 5 December %d" % ly)
    # the year in progress
    r = c.get("/api/v1/kpis", dict(q, period=str(Y), by="none"))
    if ck.expect(r, 200, "KPIs of the year on 5 December"):
        a = total(W, None, (Y, 1, 1), (Y, 12, 31))
        b = total(W, None, (ly, 1, 1), (ly, 12, 5))
        ck.matches(r.json.get("total"), {"actual": a, "last_year": b, "growth_pct": pct1(a - b, b)},
                   "the year: January - 5 December against the same days of %d" % ly)
    # a past period compares whole months
    r = c.get("/api/v1/kpis", dict(q, period="%d-Q4" % ly, by="none"))
    if ck.expect(r, 200, "KPIs of last year's Q4"):
        ck.matches(r.json.get("total"), {"actual": total(W, None, (ly, 10, 1), (ly, 12, 31)), "last_year": 0,
                                         "growth_pct": None, "why": {"growth_pct": "no_sales_last_year"}},
                   "a past quarter: whole months; no sales the year before: growth null, why no_sales_last_year")
    # by month: December's last year is its first five days
    r = c.get("/api/v1/kpis", dict(q, period="%d-Q4" % Y, by="month"))
    if ck.expect(r, 200, "KPIs of Q4 by month"):
        items = {x["key"]: x for x in r.json.get("items", [])}
        ck.matches(items.get("%d-12" % Y), {"actual": 450, "last_year": 350, "growth_pct": pct1(100, 350)},
                   "by=month: December against 1-5 December")
        ck.matches(items.get("%d-10" % Y), {"actual": 1600, "last_year": 1500, "growth_pct": pct1(100, 1500)},
                   "by=month: October against the whole October")
    # the breakdown uses the same rule
    r = c.get("/api/v1/sales/breakdown", dict(q, **{"from": "%d-10" % Y, "to": "%d-12" % Y, "by": "account"}))
    if ck.expect(r, 200, "breakdown of Q4 by account"):
        items = {x["key"]: x for x in r.json.get("items", [])}
        for k in ("A1", "A2"):
            a = total(W, k, (Y, 10, 1), (Y, 12, 31))
            b = total(W, k, (ly, 10, 1), (ly, 12, 5))
            ck.matches(items.get(str(W.acc[k])), {"actual": a, "previous": b, "growth_pct": pct1(a - b, b)},
                       "breakdown %s: previous = the same days of %d" % (k, ly))
    # a period not started: no growth, and why
    r = c.get("/api/v1/kpis", dict(q, period=str(Y + 1), by="none"))
    if ck.expect(r, 200, "KPIs of next year"):
        ck.matches(r.json.get("total"), {"actual": 0, "growth_pct": None, "why": {"growth_pct": "not_started"}},
                   "next year: growth null, why not_started")


def why(ctx, cl, W):
    ck, c, Y = ctx.ck, cl["fin"], W.Y
    r = c.get("/api/v1/kpis", {"family": W.fam, "period": str(Y), "by": "account"})
    if not ck.expect(r, 200, "KPIs by account without a plan"):
        return
    for it in r.json.get("items", []) + [r.json.get("total")]:
        nulls = sorted(k for k in ("target", "attainment_pct", "projection", "projection_pct", "growth_pct",
                                   "share_of_wallet_pct", "satisfaction") if it.get(k) is None)
        ck.ok(sorted(it.get("why", {})) == nulls, "every null KPI of %r says why, and only those" % it.get("key"),
              "nulls %r, why %r" % (nulls, it.get("why")))
    ck.matches(r.json.get("total"), {"satisfaction": None, "why": {"satisfaction": "no_surveys", "target": "no_plan",
                                                                   "share_of_wallet_pct": "accounts_only"}},
               "satisfaction null: no_surveys; no plan: no_plan; the total has no share of wallet: accounts_only")
    items = r.json.get("items", [])
    ck.ok(items and all(x.get("why", {}).get("share_of_wallet_pct") == "no_wallet_estimate" for x in items),
          "accounts without a wallet estimate: why no_wallet_estimate")


def new_plan(ctx, c, W, label, dims="account", basis="equal"):
    body = {"year": W.Y, "name": "KPI 计划 %s %s" % (label, W.tag), "measure": "amount", "total": 10000,
            "dims": dims, "basis": basis, "scope_family": W.fam, "deadline": "%d-12-31" % W.Y,
            "specific": SMART, "measurable": SMART, "achievable": SMART, "relevant": SMART}
    pid = ctx.must(c.post("/api/v1/targets", body), 201, "create plan " + label)["id"]
    ctx.must(c.post("/api/v1/targets/%d/decompose" % pid, {}), 200, "decompose plan " + label)
    return pid


def people(ctx, cl, W):
    ck, Y = ctx.ck, W.Y
    pid = new_plan(ctx, cl["dir"], W, "people")
    r = cl["dir"].get("/api/v1/targets/%d/grid" % pid, {"rows": "account", "cols": "none"})
    rows = {x["key"]: x["total"] for x in (r.json or {}).get("rows", [])} if r.status == 200 else None
    ck.ok(rows == {str(W.acc["A1"]): 5000, str(W.acc["A2"]): 5000}, "the plan: 5000 per account", repr(rows))
    a1 = total(W, "A1", (Y, 1, 1), (Y, 12, 31))
    a2 = total(W, "A2", (Y, 1, 1), (Y, 12, 31))
    l1 = total(W, "A1", (Y - 1, 1, 1), (Y - 1, 12, 5))
    l2 = total(W, "A2", (Y - 1, 1, 1), (Y - 1, 12, 5))
    want_owner = [
        {"key": str(W.m1.id), "label": W.m1.name, "actual": a1, "target": 5000, "attainment_pct": pct1(a1, 5000),
         "last_year": l1, "growth_pct": pct1(a1 - l1, l1), "rank": 1},
        {"key": str(W.m2.id), "label": W.m2.name, "actual": a2, "target": 5000, "attainment_pct": pct1(a2, 5000),
         "last_year": l2, "growth_pct": pct1(a2 - l2, l2), "rank": 2},
    ]
    q = {"plan_id": str(pid), "period": str(Y), "family": W.fam}

    def lines(c, by):
        r = c.get("/api/v1/kpis", dict(q, by=by))
        if r.status != 200:
            return r.status, r.body[:200]
        return [{k: x.get(k) for k in ("key", "label", "actual", "target", "attainment_pct", "last_year",
                                       "growth_pct", "rank")} for x in r.json["items"]], r.json

    for who in ("dir", "fin"):
        got, j = lines(cl[who], "owner")
        ck.same(want_owner, got, "%s: by=owner, both account managers ranked by attainment (业绩排行)" % who)
        if isinstance(j, dict):
            ck.matches(j, {"by": "owner", "total": {"actual": a1 + a2, "target": 10000}},
                       "%s: by=owner total = the lines' sum" % who)
        got, j = lines(cl[who], "team")
        ck.ok(isinstance(got, list) and [x["key"] for x in got] == [str(ctx.teams["east"]), str(ctx.teams["west"])]
              and [x["actual"] for x in got] == [a1, a2] and [x["target"] for x in got] == [5000, 5000]
              and [x["rank"] for x in got] == [1, 2],
              "%s: by=team: East then West, each its manager's figures" % who, repr(got))
    def alone(i):  # ranked among the lines shown
        return dict(want_owner[i], rank=1)

    # an account manager: their own line only; no team lines
    for key, i in (("m1", 0), ("m2", 1)):
        got, j = lines(cl[key], "owner")
        ck.same([alone(i)], got, "%s: by=owner shows their own line only (rank 1 of the lines shown)" % key)
        got, j = lines(cl[key], "team")
        ck.same([], got, "%s: by=team shows no team line" % key)
    # a team lead: the people and the team they lead
    got, j = lines(cl["lead_e"], "owner")
    ck.same([alone(0)], got, "lead_e: by=owner shows East's people (M1), not West's")
    got, j = lines(cl["lead_e"], "team")
    ck.ok(isinstance(got, list) and [x["key"] for x in got] == [str(ctx.teams["east"])],
          "lead_e: by=team shows East only", repr(got))
    got, j = lines(cl["lead_w"], "owner")
    ck.same([alone(1)], got, "lead_w: by=owner shows West's people (M2)")
    # bad by
    ck.expect(cl["dir"].get("/api/v1/kpis", dict(q, by="salesperson")), 400, "by=salesperson -> 400 by", field="by")
    # the export follows by=owner
    r = cl["dir"].get("/api/v1/kpis/export", dict(q, by="owner", format="csv"))
    if ck.expect(r, 200, "KPI export by owner"):
        text = r.body.decode("utf-8-sig") if isinstance(r.body, bytes) else r.body
        ck.ok(W.m1.name in text and W.m2.name in text, "the export by owner names both account managers")


def split(total, w):
    """Largest remainder (analytics/alloc.c): floors, then the units left to the largest
    remainders, ties to the earlier key."""
    s = sum(w)
    base = [total * x // s for x in w]
    rem = sorted(range(len(w)), key=lambda i: (-(total * w[i] % s), i))
    for i in rem[:total - sum(base)]:
        base[i] += 1
    return base


def grid(c, pid, rows, cols="none", **q):
    r = c.get("/api/v1/targets/%d/grid" % pid, dict({"rows": rows, "cols": cols}, **q))
    if r.status != 200:
        return r.status, r.body[:200]
    return {x["key"]: (x["label"], x["total"]) for x in r.json["rows"]}


def dims(ctx, cl, W):
    """Plans split by owner and by team: decomposition from the owners' (teams') sales of the
    basis year, grid rows and roll-up, locks, KPIs from the cells, scope."""
    ck, d, Y = ctx.ck, cl["dir"], W.Y
    ly = Y - 1
    w1 = total(W, "A1", (ly, 1, 1), (ly, 12, 31))
    w2 = total(W, "A2", (ly, 1, 1), (ly, 12, 31))
    t1, t2 = split(10000, [w1, w2]) if W.m1.id < W.m2.id else split(10000, [w2, w1])[::-1]
    east, west = str(ctx.teams["east"]), str(ctx.teams["west"])
    pid = new_plan(ctx, d, W, "by-owner", dims="owner", basis="last_year")
    ck.same({str(W.m1.id): (W.m1.name, t1), str(W.m2.id): (W.m2.name, t2)}, grid(d, pid, "owner"),
            "a plan by owner: one cell per account manager, split by their accounts' sales of %d" % ly)
    ck.same({east: ("East " + ctx.tag, t1), west: ("West " + ctx.tag, t2)}, grid(d, pid, "team"),
            "the plan by owner rolls up to the owners' teams")
    ck.same({str(W.m1.id): (W.m1.name, t1)}, grid(cl["m1"], pid, "owner"),
            "an account manager reads their own owner row only")
    ck.same({str(W.m1.id): (W.m1.name, t1)}, grid(cl["lead_e"], pid, "owner"),
            "East's lead reads East's people only")
    ck.same({str(W.m1.id): (W.m1.name, t1), str(W.m2.id): (W.m2.name, t2)}, grid(cl["fin"], pid, "owner"),
            "finance reads every owner row")
    r = d.get("/api/v1/kpis", {"plan_id": str(pid), "period": str(Y), "family": W.fam, "by": "owner"})
    if ck.expect(r, 200, "KPIs by owner of the plan by owner"):
        got = {x["key"]: (x["target"], x["rank"]) for x in r.json["items"]}
        a1, a2 = total(W, "A1", (Y, 1, 1), (Y, 12, 31)), total(W, "A2", (Y, 1, 1), (Y, 12, 31))
        order = sorted([(str(W.m1.id), a1 * 100.0 / t1), (str(W.m2.id), a2 * 100.0 / t2)], key=lambda x: -x[1])
        ck.same({order[0][0]: (t1 if order[0][0] == str(W.m1.id) else t2, 1),
                 order[1][0]: (t2 if order[1][0] == str(W.m2.id) else t1, 2)}, got,
                "KPIs by owner: the targets are the owner cells, ranked by attainment")
    r = d.get("/api/v1/kpis", {"plan_id": str(pid), "period": str(Y), "family": W.fam, "by": "team"})
    if ck.expect(r, 200, "KPIs by team of the plan by owner"):
        ck.same({east: t1, west: t2}, {x["key"]: x["target"] for x in r.json["items"]},
                "KPIs by team of a plan by owner: the owners' cells rolled up to their teams")
    # a plan by team
    pid = new_plan(ctx, d, W, "by-team", dims="team", basis="last_year")
    ck.same({east: ("East " + ctx.tag, t1), west: ("West " + ctx.tag, t2)}, grid(d, pid, "team"),
            "a plan by team: one cell per team")
    r = d.get("/api/v1/kpis", {"plan_id": str(pid), "period": str(Y), "family": W.fam, "by": "owner"})
    if ck.expect(r, 200, "KPIs by owner of the plan by team"):
        ck.ok(all(x["target"] is None and x["why"].get("target") == "plan_not_split" for x in r.json["items"]),
              "a plan by team has no owner targets: why plan_not_split", repr(r.json["items"])[:300])
    ck.same({}, grid(cl["m1"], pid, "team"), "an account manager reads no team row")
    # owner x month: lock an owner, set the other's December; the locked owner keeps every cell
    pid = new_plan(ctx, d, W, "owner-month", dims="owner,month", basis="last_year")
    before = grid(d, pid, "month", owner_id=str(W.m1.id))
    ck.expect(d.put("/api/v1/targets/%d/cells" % pid, {"owner_id": W.m1.id, "lock": True}), 200,
              "lock the owner M1")
    r = d.put("/api/v1/targets/%d/cells" % pid, {"owner_id": W.m2.id, "month": 12, "value": 1000})
    ck.expect(r, 200, "set M2's December to 1000")
    ck.same(before, grid(d, pid, "month", owner_id=str(W.m1.id)), "the locked owner's cells keep their values")
    ck.ok(grid(d, pid, "none").get("") == ("", 10000) if isinstance(grid(d, pid, "none"), dict) else False,
          "the plan total still holds", repr(grid(d, pid, "none")))
    g2 = grid(d, pid, "month", owner_id=str(W.m2.id))
    ck.ok(isinstance(g2, dict) and g2.get("12", (0, 0))[1] == 1000, "M2's December is 1000", repr(g2))
    r = d.get("/api/v1/targets/%d/grid" % pid, {"rows": "month", "cols": "owner"})
    if ck.expect(r, 200, "grid month x owner"):
        ck.same({str(W.m1.id): W.m1.name, str(W.m2.id): W.m2.name}, {x["key"]: x["label"] for x in r.json["cols"]},
                "owner columns are named by the account managers' names")
    r = d.get("/api/v1/targets/%d/grid" % pid, {"rows": "owner", "cols": "month"})
    if ck.expect(r, 200, "grid owner x month"):
        rows = {x["key"]: x for x in r.json["rows"]}
        ck.ok(all(cell["locked"] == "all" for cell in rows[str(W.m1.id)]["cells"] if cell["value"] or True)
              if str(W.m1.id) in rows else False, "M1's row shows locked cells", repr(rows.get(str(W.m1.id)))[:300])
    ck.expect(d.get("/api/v1/targets/%d/grid" % pid, {"rows": "account"}), 400,
              "grid rows=account of a plan by owner,month -> 400 rows", field="rows")


def approval(ctx, cl, W):
    ck = ctx.ck
    d, d2 = cl["dir"], cl["dir2"]
    pid = new_plan(ctx, d, W, "sod")
    ctx.must(d.post("/api/v1/targets/%d/submit" % pid, {}), 200, "submit the plan")
    before = d.get("/api/v1/targets/%d" % pid).json
    audit_before = ctx.audit_ids("target_plan", pid)
    r = d.post("/api/v1/targets/%d/approve" % pid, {"note": "my own plan"})
    if ck.expect(r, 409, "the director who wrote the plan approves it -> 409", field="approved_by"):
        ck.ok(r.json["error"].get("key") == "plan_self_approval", "the refusal has the key plan_self_approval",
              repr(r.json))
    ck.same(before, d.get("/api/v1/targets/%d" % pid).json, "the refused approval changes nothing")
    ck.same(audit_before, ctx.audit_ids("target_plan", pid), "the refused approval writes no audit row")
    r = d2.post("/api/v1/targets/%d/approve" % pid, {"note": "approved by the general manager"})
    ck.expect(r, 200, "another director approves the plan: approved_by is them",
              json={"status": "approved", "approved_by": W.dir2.id})
    # a draft approved directly by its author: refused too
    pid2 = new_plan(ctx, d, W, "sod-draft")
    ck.expect(d.post("/api/v1/targets/%d/approve" % pid2, {}), 409, "the author approves a draft directly -> 409",
              field="approved_by")


def approve2(ctx, cl, W, pid, what):
    """Submitted -> approved by dir2 (the plans here are written by dir)."""
    r = cl["dir2"].post("/api/v1/targets/%d/approve" % pid, {"note": what})
    ctx.ck.expect(r, 200, "dir2 approves the plan (%s)" % what, json={"status": "approved", "approved_by": W.dir2.id})


def reopen(ctx, cl, W):
    """Separation of duties after approval: a change to the total, the cells' values or the split
    of an approved plan returns it to submitted (approved_by/at cleared, audited); a lock alone
    does not change a value and keeps the approval."""
    ck, d = ctx.ck, cl["dir"]
    pid = new_plan(ctx, d, W, "reopen", dims="account,month")
    ctx.must(d.post("/api/v1/targets/%d/submit" % pid, {}), 200, "submit the plan to reopen")
    approve2(ctx, cl, W, pid, "first approval")

    def reopened(what):
        p = d.get("/api/v1/targets/%d" % pid).json or {}
        ck.matches(p, {"status": "submitted", "approved_by": None, "approved_at": None},
                   "%s: the approved plan is back to submitted, approved_by/at cleared" % what)
        rows = audit_db(ctx, "target_plan", pid)
        ck.ok(len(rows) > seen[0] and any(repr((ch or {}).get("status")).count("approved") and
                                          repr((ch or {}).get("status")).count("submitted")
                                          for _, ch, _ in rows[seen[0]:]),
              "%s: the return to submitted is audited" % what, repr(rows[seen[0]:])[:400])
        seen[0] = len(rows)

    seen = [len(audit_db(ctx, "target_plan", pid))]

    v = d.get("/api/v1/targets/%d" % pid).json["version"]
    r = d.patch("/api/v1/targets/%d" % pid, {"total": 12000, "version": v, "reason": "更高的目标 raise"})
    ck.expect(r, 200, "PATCH the total of an approved plan", json={"status": "submitted", "approved_by": None})
    reopened("PATCH total")
    approve2(ctx, cl, W, pid, "after the new total")
    # a lock alone keeps the approval
    r = d.put("/api/v1/targets/%d/cells" % pid, {"account_id": W.acc["A1"], "month": 10, "lock": True,
                                                  "reason": "锁定 lock"})
    ck.expect(r, 200, "lock a cell of the approved plan")
    ck.matches(d.get("/api/v1/targets/%d" % pid).json, {"status": "approved", "approved_by": W.dir2.id},
               "a lock (no value changes) keeps the approval")
    r = d.put("/api/v1/targets/%d/cells" % pid, {"account_id": W.acc["A2"], "month": 12, "value": 700,
                                                  "reason": "十二月调整 December"})
    ck.expect(r, 200, "PUT a cell value of the approved plan")
    reopened("PUT cells")
    approve2(ctx, cl, W, pid, "after the cell change")
    r = d.post("/api/v1/targets/%d/decompose" % pid, {"reason": "重新分解 decompose again"})
    ck.expect(r, 200, "decompose the approved plan again", json={"status": "submitted", "approved_by": None})
    reopened("decompose again")
    # the author still cannot approve the changed plan
    ck.expect(d.post("/api/v1/targets/%d/approve" % pid, {}), 409,
              "the author approves the reopened plan -> 409", field="approved_by")
    # nor does a director who changed the plan's values (no bypass through a change of one's own);
    # one who only locked/unlocked cells still may
    d2 = cl["dir2"]
    r = d2.put("/api/v1/targets/%d/cells" % pid, {"account_id": W.acc["A1"], "month": 11, "lock": True,
                                                   "reason": "二审锁定 lock by dir2"})
    ck.expect(r, 200, "dir2 locks a cell of the submitted plan")
    ck.expect(d2.put("/api/v1/targets/%d/cells" % pid, {"account_id": W.acc["A1"], "month": 11, "lock": False,
                                                         "reason": "二审解锁 unlock by dir2"}),
              200, "dir2 unlocks it again")
    approve2(ctx, cl, W, pid, "after dir2's lock and unlock only")
    r = d2.put("/api/v1/targets/%d/cells" % pid, {"account_id": W.acc["A2"], "month": 12, "value": 650,
                                                   "reason": "二审改值 dir2 changes a value"})
    ck.expect(r, 200, "dir2 (the approver) changes a cell value of the approved plan")
    reopened("PUT cells by dir2")
    before = d.get("/api/v1/targets/%d" % pid).json
    audit_before = ctx.audit_ids("target_plan", pid)
    r = d2.post("/api/v1/targets/%d/approve" % pid, {"note": "my own change"})
    if ck.expect(r, 409, "dir2 approves the plan after changing its values -> 409", field="approved_by"):
        ck.ok(r.json["error"].get("key") == "plan_self_change_approval",
              "the refusal has the key plan_self_change_approval", repr(r.json))
    ck.same(before, d.get("/api/v1/targets/%d" % pid).json, "the refused approval changes nothing")
    ck.same(audit_before, ctx.audit_ids("target_plan", pid), "the refused approval writes no audit row")
    # the same through the total of a plan not yet decomposed (an audited update, no adjustment)
    body = {"year": W.Y, "name": "KPI 计划 reopen-total %s" % W.tag, "measure": "amount", "total": 10000,
            "dims": "account", "basis": "equal", "scope_family": W.fam, "deadline": "%d-12-31" % W.Y,
            "specific": SMART, "measurable": SMART, "achievable": SMART, "relevant": SMART}
    pid2 = ctx.must(d.post("/api/v1/targets", body), 201, "create a plan (dir)")["id"]
    v = d.get("/api/v1/targets/%d" % pid2).json["version"]
    ctx.must(d2.patch("/api/v1/targets/%d" % pid2, {"total": 11000, "version": v}), 200,
             "dir2 changes the total of the draft")
    ctx.must(d.post("/api/v1/targets/%d/decompose" % pid2, {}), 200, "dir decomposes it")
    ctx.must(d.post("/api/v1/targets/%d/submit" % pid2, {}), 200, "dir submits it")
    r = d2.post("/api/v1/targets/%d/approve" % pid2, {}, headers={"Accept-Language": "zh-TW"})
    if ck.expect(r, 409, "dir2 approves a plan whose total they set -> 409", field="approved_by"):
        ck.ok(r.json["error"].get("key") == "plan_self_change_approval" and
              "修改過其數值" in r.json["error"].get("message", ""),
              "the total refusal has the key plan_self_change_approval, in zh-TW", repr(r.json))


def owner_approval(ctx, cl, W):
    """The plan's owner does not approve it either, whoever wrote it."""
    ck, d, d2 = ctx.ck, cl["dir"], cl["dir2"]
    pid = new_plan(ctx, d, W, "owner-sod")
    v = d.get("/api/v1/targets/%d" % pid).json["version"]
    ctx.must(d.patch("/api/v1/targets/%d" % pid, {"owner_id": W.dir2.id, "version": v}), 200,
             "make dir2 the plan's owner")
    ctx.must(d.post("/api/v1/targets/%d/submit" % pid, {}), 200, "submit the plan owned by dir2")
    before = d.get("/api/v1/targets/%d" % pid).json
    r = d2.post("/api/v1/targets/%d/approve" % pid, {"note": "my plan"})
    if ck.expect(r, 409, "the plan's owner approves it -> 409", field="approved_by"):
        ck.ok(r.json["error"].get("key") == "plan_self_approval", "owner refusal: key plan_self_approval")
    ck.same(before, d.get("/api/v1/targets/%d" % pid).json, "the owner's refused approval changes nothing")


def wide_texts(ctx, cl, W):
    """Family, region and channel of 64 four-byte characters: PUT cells names all three (the
    adjustment's selection text overflowed a 400-byte stack buffer and killed the server)."""
    ck, a, d, Y = ctx.ck, cl["admin"], cl["dir"], W.Y
    wide = "\U0001D400" * 64
    sku = "KW-" + W.tag
    ctx.must(a.post("/api/v1/products", {"sku": sku, "name": "宽字符 " + W.tag, "family": wide}), 201,
             "a product whose family is 64 x U+1D400")
    rows = ["external_id,date,account_code,sku,region,channel,quantity,amount,currency",
            "KW-%s,%04d-06-10,%s,%s,%s,%s,1,800.00,CNY" % (W.tag, Y - 1, W.code["A1"], sku, wide, wide)]
    ctx.must(a.csv("orders", "\n".join(rows) + "\n"), 201, "a line with region and channel of 64 x U+1D400")
    body = {"year": W.Y, "name": "KPI 计划 wide %s" % W.tag, "measure": "amount", "total": 10000,
            "dims": "account,family,region,channel", "basis": "last_year", "deadline": "%d-12-31" % W.Y,
            "specific": SMART, "measurable": SMART, "achievable": SMART, "relevant": SMART}
    pid = ctx.must(d.post("/api/v1/targets", body), 201, "create the wide-text plan")["id"]
    ctx.must(d.post("/api/v1/targets/%d/decompose" % pid, {}), 200, "decompose the wide-text plan")
    r = d.put("/api/v1/targets/%d/cells" % pid, {"account_id": W.acc["A1"], "family": wide, "region": wide,
                                                  "channel": wide, "value": 1234})
    ck.expect(r, 200, "PUT cells naming family, region and channel of 64 four-byte characters")
    r = d.get("/api/v1/targets/%d/adjustments" % pid)
    if ck.expect(r, 200, "the server still answers after the wide selection"):
        sel = [x["selection"] for x in r.json.get("items", []) if x.get("action") == "set"]
        want = "account=%d,family=%s,region=%s,channel=%s" % (W.acc["A1"], wide, wide, wide)
        ck.same([want], sel, "the adjustment records the whole selection")


def adj_scope(ctx, cl, W):
    """GET /targets/:id/adjustments filtered for scoped readers as the cells are: an account
    manager sees the whole plan's adjustments and those of their own account or line only."""
    ck, d = ctx.ck, cl["dir"]
    pid = new_plan(ctx, d, W, "adj-owner", dims="owner,month", basis="last_year")
    ctx.must(d.put("/api/v1/targets/%d/cells" % pid, {"owner_id": W.m2.id, "month": 10, "value": 300}), 200,
             "set M2's October")
    ctx.must(d.put("/api/v1/targets/%d/cells" % pid, {"owner_id": W.m1.id, "month": 10, "value": 200}), 200,
             "set M1's October")
    ctx.must(d.put("/api/v1/targets/%d/cells" % pid, {"month": 12, "value": 900}), 200,
             "set December of everyone")

    def sels(c):
        r = c.get("/api/v1/targets/%d/adjustments" % pid)
        return sorted(x["selection"] for x in r.json.get("items", [])) if r.status == 200 else r.status

    every = sorted(["", "owner=%d,month=10" % W.m2.id, "owner=%d,month=10" % W.m1.id, "month=12"])
    ck.same(every, sels(d), "the director reads every adjustment of the plan by owner")
    ck.same(every, sels(cl["fin"]), "finance reads every adjustment")
    ck.same(sorted(["", "owner=%d,month=10" % W.m1.id]), sels(cl["m1"]),
            "M1 reads the decomposition and their own line's adjustment, not M2's nor everyone's December")
    ck.same(sorted(["", "owner=%d,month=10" % W.m1.id]), sels(cl["lead_e"]), "East's lead reads East's people's")
    pid = new_plan(ctx, d, W, "adj-account", dims="account")
    ctx.must(d.put("/api/v1/targets/%d/cells" % pid, {"account_id": W.acc["A2"], "value": 6000}), 200,
             "set A2's target")
    ctx.must(d.put("/api/v1/targets/%d/cells" % pid, {"account_id": W.acc["A1"], "value": 3000}), 200,
             "set A1's target")
    ck.same(sorted(["", "account=%d" % W.acc["A1"]]), sels(cl["m1"]),
            "M1 reads A1's adjustment, not A2's (outside their scope)")
    ck.same(sorted(["", "account=%d" % W.acc["A1"], "account=%d" % W.acc["A2"]]), sels(d),
            "the director reads both accounts' adjustments")


def home_owner(ctx, cl, W):
    """The team home takes each person's target from an approved plan split by owner (its cells'
    owner_id), as /kpis?by=owner does; before, only plans split by account counted and every
    person showed no target."""
    ck, d, Y = ctx.ck, cl["dir"], W.Y
    ly = Y - 1
    w1 = total(W, "A1", (ly, 1, 1), (ly, 12, 31))
    w2 = total(W, "A2", (ly, 1, 1), (ly, 12, 31))
    t1, t2 = split(10000, [w1, w2]) if W.m1.id < W.m2.id else split(10000, [w2, w1])[::-1]
    pid = new_plan(ctx, d, W, "home-owner", dims="owner", basis="last_year")
    ctx.must(d.post("/api/v1/targets/%d/submit" % pid, {}), 200, "submit the plan by owner for the home")
    approve2(ctx, cl, W, pid, "the plan by owner for the home")
    r = d.get("/api/v1/kpis", {"plan_id": str(pid), "period": str(Y), "family": W.fam, "by": "owner"})
    kpi = {x["key"]: x["target"] for x in r.json["items"]} if r.status == 200 else r.status
    ck.same({str(W.m1.id): t1, str(W.m2.id): t2}, kpi, "KPIs by owner: the owner cells' targets")
    for key, team, who, t in (("dir", None, W.m1, t1), ("dir", None, W.m2, t2), ("lead_e", "east", W.m1, t1)):
        q = {"period": str(Y)}
        if team:
            q["team_id"] = str(ctx.teams[team])
        r = cl[key].get("/api/v1/home/team", q)
        if ck.expect(r, 200, "%s: the team home of %d" % (key, Y)):
            people = {x.get("user_id"): x for x in r.json.get("people", [])}
            ck.ok(r.json.get("plan_id") == pid, "%s: the team home uses the approved plan by owner" % key,
                  repr({k: r.json.get(k) for k in ("plan_id", "plan_name")}))
            ck.matches(people.get(who.id), {"target": t, "attainment_pct": pct1(total(W, "A1" if who is W.m1 else "A2",
                                                                                       (Y, 1, 1), (Y, 12, 31)), t)},
                       "%s: the team home shows %s's target %d from the owner cells" % (key, who.name, t))


def scoped_targets(ctx, cl, W):
    """On a plan split by owner (or team), a scoped caller's by=none and by=family KPIs compare
    their own sales with their own cells' target, not with the company's."""
    ck, d, Y = ctx.ck, cl["dir"], W.Y
    ly = Y - 1
    w1 = total(W, "A1", (ly, 1, 1), (ly, 12, 31))
    w2 = total(W, "A2", (ly, 1, 1), (ly, 12, 31))
    t1, t2 = split(10000, [w1, w2]) if W.m1.id < W.m2.id else split(10000, [w2, w1])[::-1]
    a1 = total(W, "A1", (Y, 1, 1), (Y, 12, 31))
    for dims_, by in (("owner", "none"), ("owner,family", "family")):
        pid = new_plan(ctx, d, W, "scoped-" + dims_, dims=dims_, basis="last_year")
        q = {"plan_id": str(pid), "period": str(Y), "family": W.fam, "by": by}
        for key, want in (("m1", t1), ("lead_e", t1), ("m2", t2), ("dir", 10000), ("fin", 10000)):
            r = cl[key].get("/api/v1/kpis", q)
            if not ck.expect(r, 200, "%s: KPIs by=%s of a plan by %s" % (key, by, dims_)):
                continue
            tot = r.json.get("total") or {}
            ck.ok(tot.get("target") == want, "%s: by=%s total target of a plan by %s is %d (their people's cells)"
                  % (key, by, dims_, want), repr({k: tot.get(k) for k in ("actual", "target", "attainment_pct")}))
            if by == "family":
                items = {x["key"]: x.get("target") for x in r.json.get("items", [])}
                ck.same({W.fam: want}, items, "%s: by=family line target of a plan by %s" % (key, dims_))
        r = cl["m1"].get("/api/v1/kpis", q)
        if r.status == 200:
            ck.matches(r.json.get("total"), {"actual": a1, "attainment_pct": pct1(a1, t1)},
                       "m1: own sales against own target (plan by %s)" % dims_)
    # a plan by team: an account manager who leads no team has no target line, not the company's
    pid = new_plan(ctx, d, W, "scoped-team", dims="team", basis="last_year")
    r = cl["m1"].get("/api/v1/kpis", {"plan_id": str(pid), "period": str(Y), "family": W.fam, "by": "none"})
    if ck.expect(r, 200, "m1: KPIs of a plan by team"):
        ck.matches(r.json.get("total"), {"target": None, "why": {"target": "not_in_plan"}},
                   "m1: a plan by team has no target of theirs (why not_in_plan)")
    r = cl["lead_e"].get("/api/v1/kpis", {"plan_id": str(pid), "period": str(Y), "family": W.fam, "by": "none"})
    if ck.expect(r, 200, "lead_e: KPIs of a plan by team"):
        ck.matches(r.json.get("total"), {"target": t1}, "lead_e: the plan by team's target is East's cell")


def ranks(ctx, cl, W):
    """The ranking (业绩排行) without a plan ranks by actual; a target of 0 has no attainment
    (why target_zero) and ranks after the lines with one, by actual; by=team names the owners
    without a team ("no team", label_key kpi_no_team); the export has the rank column.
    Runs last: it adds an account manager without a team."""
    ck, d, Y = ctx.ck, cl["dir"], W.Y
    a1 = total(W, "A1", (Y, 1, 1), (Y, 12, 31))
    a2 = total(W, "A2", (Y, 1, 1), (Y, 12, 31))
    q = {"period": str(Y), "family": W.fam}
    r = d.get("/api/v1/kpis", dict(q, by="owner"))
    if ck.expect(r, 200, "KPIs by owner without a plan"):
        got = [(x["key"], x.get("rank"), x.get("target")) for x in r.json["items"]]
        want = sorted([(str(W.m1.id), a1), (str(W.m2.id), a2)], key=lambda x: -x[1])
        ck.same([(want[0][0], 1, None), (want[1][0], 2, None)], got,
                "without a plan the lines rank by actual (not all 0)")
    # a target of 0 with sales: no attainment, ranked after the lines with one
    pid = new_plan(ctx, d, W, "zero", dims="owner", basis="last_year")
    ctx.must(d.put("/api/v1/targets/%d/cells" % pid, {"owner_id": W.m1.id, "value": 0}), 200,
             "M1's target to 0")
    r = d.get("/api/v1/kpis", dict(q, by="owner", plan_id=str(pid)))
    if ck.expect(r, 200, "KPIs by owner with a target of 0"):
        items = {x["key"]: x for x in r.json["items"]}
        ck.matches(items.get(str(W.m1.id)), {"target": 0, "attainment_pct": None, "projection_pct": None,
                                             "rank": 2, "why": {"attainment_pct": "target_zero"}},
                   "M1 (sales %d, target 0): attainment null, why target_zero, ranked after M2" % a1)
        ck.matches(items.get(str(W.m2.id)), {"target": 10000, "attainment_pct": pct1(a2, 10000), "rank": 1},
                   "M2 with a target ranks first")
    r = d.get("/api/v1/kpis/export", dict(q, by="owner", plan_id=str(pid), format="csv"))
    if ck.expect(r, 200, "KPI export by owner with ranks"):
        text = r.body.decode("utf-8-sig") if isinstance(r.body, bytes) else r.body
        lines = [x for x in csv.reader(io.StringIO(text)) if x]
        head = lines[0] if lines else []
        ck.ok("rank" in head, "the KPI export by owner has a rank column", repr(head))
        if "rank" in head:
            k, ri = head.index("key"), head.index("rank")
            rows = {x[k]: x[ri] for x in lines[1:]}
            ck.same({str(W.m2.id): "1", str(W.m1.id): "2", "total": ""}, rows, "the export's ranks")
    # an account manager without a team: by=team names their line
    a = cl["admin"]
    login = ctx.uniq("tk_m3_")
    m3 = ctx.must(a.post("/api/v1/users", {"login": login, "name": "丙 M3 " + W.tag, "email": login + "@example.com",
                                           "role": "account_manager", "team_id": None,
                                           "password": "pw-%s-0123456" % login.replace("_", "-")}), 201,
                  "an account manager without a team")
    m3 = type("U3", (), {"id": m3["id"]})
    acc = ctx.must(a.post("/api/v1/accounts", {"code": "KA3" + W.tag, "name": "KPI 客户 A3 " + W.tag,
                                               "owner_id": m3.id}), 201, "create account A3")["id"]
    rows = ["external_id,date,account_code,sku,region,channel,quantity,amount,currency",
            "KL3-%s,%04d-03-10,%s,%s,R-%s,C-%s,1,50.00,CNY" % (W.tag, Y, "KA3" + W.tag, W.sku, W.tag, W.tag)]
    ctx.must(a.csv("orders", "\n".join(rows) + "\n"), 201, "a sale of A3")
    for lang, want in (("en", "no team"), ("zh-CN", "无团队"), ("zh-TW", "無團隊")):
        r = d.get("/api/v1/kpis", dict(q, by="team"), headers={"Accept-Language": lang})
        if ck.expect(r, 200, "KPIs by team with an owner without a team (%s)" % lang):
            items = {x["key"]: x for x in r.json["items"]}
            ck.matches(items.get("0"), {"label": want, "label_key": "kpi_no_team", "actual": 50},
                       "by=team: the owners without a team are the line %r (%s)" % (want, lang))
    del acc


GROUPS = [("targets_kpi", g_targets_kpi, True)]
