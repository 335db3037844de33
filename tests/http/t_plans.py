"""Targets, KPIs, measures, behaviour and the volume series on a pinned clock (plan_world.py).

The group starts a second `kam serve` on the suite's database with KAM_NOW = 16 May of a plan
year Y in which (and three years around which) the database holds no sales yet, imports the
world's order lines and checks exact values computed from them: decompositions (sum, no
negative cell, the suite's own largest-remainder model), edits with locks and rebalancing,
refusals that change nothing, approval and reasons, SMART validation, KPIs (actual, target,
attainment, run rate, status, share of wallet, exports), measures (CRUD, validation, scope,
the measured effect), behaviour (intervals, recency, mix, cross-sell), affinity, series and
breakdowns.
"""

import datetime
import io
import xml.etree.ElementTree as ET
import zipfile

from lib import Client, Server
import plan_world as PW
from plan_world import World, read_cells, compare_cells, apply_edit, SMART

DAY = 86400


class PCtx:
    """What lib.Client needs (srv, ck) for the pinned server."""

    def __init__(self, ctx, srv):
        self.srv = srv
        self.ck = ctx.ck


def pick_year(ctx):
    """A plan year Y such that the database has no sales from Y-3 to Y+1."""
    for y in range(2071, 2090, 6):
        r = ctx.admin.get("/api/v1/sales/series", {"from": "%d-01" % (y - 3), "to": "%d-12" % (y + 1),
                                                   "by": "family"})
        if r.status == 200 and isinstance(r.json, dict) and not r.json.get("series"):
            return y
    raise RuntimeError("no free plan year found")


def plan_body(W, **kw):
    body = {"year": W.Y, "name": "计划 " + kw.pop("label", "") + " " + W.tag, "measure": "amount", "total": 1000,
            "dims": "family", "basis": "last_year", "deadline": "%d-12-31" % W.Y, "specific": SMART,
            "measurable": SMART, "achievable": SMART, "relevant": SMART}
    body.update(kw)
    return body


def new_plan(ck, c, W, decompose=True, **kw):
    body = plan_body(W, **kw)
    r = c.post("/api/v1/targets", body)
    if not ck.expect(r, 201, "create plan %s/%s/%s total %s" % (body["dims"], body["basis"],
                                                               body.get("blend", ""), body["total"])):
        return None, body
    pid = r.json["id"]
    if decompose:
        r = c.post("/api/v1/targets/%d/decompose" % pid, {})
        if not ck.expect(r, 200, "decompose plan %d" % pid, json={"cells": int}):
            return None, body
    return pid, body


def grid_total(c, pid, **q):
    r = c.get("/api/v1/targets/%d/grid" % pid, dict({"rows": "none", "cols": "none"}, **q))
    return r.json.get("total") if r.status == 200 and isinstance(r.json, dict) else ("error", r.status, r.body[:200])


def model_of(W, body):
    """The model plan from a create body, with the world's real names."""
    p = dict(body)
    return p


def g_plans(ctx):
    ck = ctx.ck
    W = World(ctx.tag, pick_year(ctx))
    srv = Server(ctx.kam, ctx.dsn, ctx.tmp, name="kam-plans",
                 env_extra={"KAM_NOW": str(W.now), "KAM_SESSION_TTL": str(400 * DAY)})
    if not ck.ok(srv.start(), "plans server starts with KAM_NOW=%d (16 May %d)" % (W.now, W.Y), srv.start_error or ""):
        srv.stop()
        return
    try:
        pc = PCtx(ctx, srv)
        cl = {}
        for key in ("admin", "dir", "fin", "am_e", "am_w", "lead_e", "service_e", "viewer_e"):
            u = ctx.U(key)
            c = Client(pc, key + "@plans")
            ctx.must(c.login(u.login, u.password), 200, "login %s on the plans server" % key)
            cl[key] = c
        W.build(cl["admin"], ctx.must, owners={"A1": ctx.U("am_e").id, "A2": ctx.U("am_w").id})
        for name, fn in (("targets", targets), ("edits", edits), ("workflow", workflow), ("kpis", kpis),
                         ("measures", measures), ("behaviour", behaviour), ("series", series),
                         ("exports", exports)):
            try:
                fn(ctx, W, cl)
            except Exception as e:  # one failure, go on with the next part
                import traceback
                ck.fail("plans part %s aborted by %s: %s" % (name, type(e).__name__, e),
                        traceback.format_exc(limit=5).strip().replace("\n", " | "))
    finally:
        rc = srv.stop()
        ck.ok(rc == 0, "plans server stops cleanly (exit 0)", "exit %s; log tail: %s" % (rc, srv.log_tail(10)))
        relogin(ctx)


def relogin(ctx):
    """A login at the pinned clock (years ahead) purges every session that expires before it,
    the main server's too: log the fixture users (fixtures.LOGGED_IN) in again on the main
    server (only them: their passwords are known, and a failed login would count against the
    per-address limit)."""
    from fixtures import LOGGED_IN
    for key in LOGGED_IN:
        u = ctx.U(key)
        c = u.client
        if c is None or c.bearer:
            continue
        c.cookies.clear()
        ctx.must(c.login(u.login, u.password), 200, "log %s in again on the main server" % key)


# ---------------------------------------------------------------- decomposition

def check_plan(ck, c, W, pid, body, label):
    """Sum = total exactly, no negative cell, exact cells where the basis is modelled."""
    total = body["total"]
    ck.ok(grid_total(c, pid) == total, "%s: the grid total equals the plan total %d" % (label, total),
          "grid total %r" % (grid_total(c, pid),))
    cells = read_cells(c, pid, body["dims"].split(","), W)
    if not ck.ok(isinstance(cells, dict), "%s: cells readable" % label, str(cells)):
        return None
    ck.ok(sum(v for v, _ in cells.values()) == total, "%s: the leaf cells add up to %d" % (label, total),
          "sum %d" % sum(v for v, _ in cells.values()))
    ck.ok(all(v >= 0 for v, _ in cells.values()), "%s: no negative cell" % label,
          str([k for k, (v, _) in cells.items() if v < 0][:5]))
    model = W.expected_cells(body)
    if model is not None:
        probs = compare_cells(cells, model)
        ck.ok(not probs, "%s: cells equal the suite's largest-remainder model" % label, "; ".join(probs[:6]))
    else:
        leaves = W.leaves(body)
        probs = compare_cells(cells, {k: cells.get(k, (None,))[0] for k in leaves})
        ck.ok(not probs and all(k in cells for k in leaves), "%s: one cell per leaf of the basis year" % label,
              "; ".join(probs[:6]))
    return cells


def targets(ctx, W, cl):
    ck, c = ctx.ck, cl["admin"]
    F, R, C = W.fam, W.reg, W.chan
    # 3:1 -> 75/25 (only A1 sells in region N, channel D last year: FA 300, FB 100)
    pid, body = new_plan(ck, c, W, total=100, dims="family", scope_region=R["N"], scope_channel=C["D"], label="3:1")
    if pid:
        r = c.get("/api/v1/targets/%d/grid" % pid, {"rows": "family", "cols": "none"})
        rows = {x["key"]: x["total"] for x in (r.json or {}).get("rows", [])} if r.status == 200 else None
        ck.ok(rows == {F["FA"]: 75, F["FB"]: 25}, "last_year basis 3:1 splits 100 into 75/25", repr(rows))
        check_plan(ck, c, W, pid, body, "3:1")
    # three equal cells: 34/33/33, the extra unit to the lowest account id
    pid, body = new_plan(ck, c, W, total=100, dims="account", basis="equal", label="equal3")
    if pid:
        r = c.get("/api/v1/targets/%d/grid" % pid, {"rows": "account", "cols": "none"})
        rows = {x["key"]: x["total"] for x in (r.json or {}).get("rows", [])} if r.status == 200 else None
        a = W.acc
        ck.ok(rows == {str(a["A1"]): 34, str(a["A2"]): 33, str(a["A3"]): 33},
              "equal basis over three accounts: 100 -> 34/33/33 (tie to the lower account id)", repr(rows))
        check_plan(ck, c, W, pid, body, "equal3")
    # many plans
    cases = [
        dict(dims="account,family", basis="last_year", total=7),
        dict(dims="account,family", basis="last_year", total=0),
        dict(dims="account,family", basis="last_year", total=1),
        dict(dims="family,month", basis="last_year", total=10 ** 12),
        dict(dims="account,family,region,channel,month", basis="last_year", total=999983),
        dict(dims="account,family,region,channel,month", basis="equal", total=1000),
        dict(dims="region,channel", basis="equal", total=7),
        dict(dims="account", basis="potential", total=100000),
        dict(dims="account,month", basis="potential", total=12345),
        dict(dims="account,family", basis="blend", blend="last_year:50,equal:50", total=1001),
        dict(dims="account,family,month", basis="blend", blend="last_year:30,potential:70", total=777),
        dict(dims="account,family", basis="forecast", total=5000),
        dict(dims="account,family,month", basis="forecast", total=10 ** 12),
        dict(dims="account,family", basis="blend", blend="forecast:50,last_year:50", total=999),
        dict(dims="month", basis="last_year", total=12, scope_family=F["FA"]),
        dict(dims="account,channel", basis="last_year", total=50, scope_region=R["N"]),
        dict(dims="family", basis="equal", total=10, scope_channel=C["W"]),
        dict(dims="account,family", basis="last_year", total=100, measure="quantity"),
    ]
    for i, case in enumerate(cases):
        label = "plan %d (%s)" % (i, ",".join("%s=%s" % kv for kv in sorted(case.items())))
        pid, body = new_plan(ck, c, W, label="case%d" % i, **case)
        if pid:
            check_plan(ck, c, W, pid, body, label)
    # decomposing again gives the same cells
    pid, body = new_plan(ck, c, W, total=4321, dims="account,family,month", label="again")
    if pid:
        a = read_cells(c, pid, body["dims"].split(","), W)
        ck.expect(c.post("/api/v1/targets/%d/decompose" % pid, {}), 200, "decompose a second time")
        ck.same(a, read_cells(c, pid, body["dims"].split(","), W), "a second decomposition gives the same cells")
    # PATCH total on a decomposed plan rebalances, sum holds
    pid, body = new_plan(ck, c, W, total=1000, dims="account,family", label="retotal")
    if pid:
        ck.expect(c.patch("/api/v1/targets/%d" % pid, {"total": 1003}), 200, "PATCH a new total", json={"total": 1003})
        body["total"] = 1003
        check_plan(ck, c, W, pid, body, "after PATCH total")
    # validation
    for label, kw, field in (
            ("specific missing", {"specific": None}, "specific"),
            ("specific too short", {"specific": "太短了"}, "specific"),
            ("measurable too short", {"measurable": "abc"}, "measurable"),
            ("achievable too short", {"achievable": "short"}, "achievable"),
            ("relevant missing", {"relevant": None}, "relevant"),
            ("deadline in the year after", {"deadline": "%d-01-01" % (W.Y + 1)}, "deadline"),
            ("deadline in the year before", {"deadline": "%d-12-31" % (W.Y - 1)}, "deadline"),
            ("deadline not a date", {"deadline": "%d-13-01" % W.Y}, "deadline"),
            ("unknown dim", {"dims": "account,colour"}, "dims"),
            ("empty dim name", {"dims": "account,,family"}, "dims"),
            ("unknown basis", {"basis": "gut_feeling"}, "basis"),
            ("blend that does not add up", {"basis": "blend", "blend": "last_year:50,equal:40"}, "blend"),
            ("blend of an unknown basis", {"basis": "blend", "blend": "hope:100"}, "blend"),
            ("negative total", {"total": -1}, "total"),
            ("unknown measure", {"measure": "weight"}, "measure")):
        body = plan_body(W, label="bad")
        for k, v in kw.items():
            if v is None:
                body.pop(k, None)
            else:
                body[k] = v
        before = ctx.ids_of("/api/v1/targets", {"year": str(W.Y)}, client=c)
        ck.expect(c.post("/api/v1/targets", body), 400, "create plan: %s -> 400 %s" % (label, field), field=field)
        ck.same(before, ctx.ids_of("/api/v1/targets", {"year": str(W.Y)}, client=c),
                "create plan: %s: no plan made" % label)
    pid, body = new_plan(ck, c, W, decompose=False, label="patchbad")
    if pid:
        ck.expect(c.patch("/api/v1/targets/%d" % pid, {"deadline": "%d-06-30" % (W.Y + 2)}), 400,
                  "PATCH a deadline outside the plan year -> 400 deadline", field="deadline")
        ck.expect(c.patch("/api/v1/targets/%d" % pid, {"dims": "family,shoe"}), 400,
                  "PATCH unknown dims -> 400 dims", field="dims")


# ---------------------------------------------------------------- edits

def edits(ctx, W, cl):
    ck, c = ctx.ck, cl["admin"]
    A, F = W.acc, W.fam
    dims = "account,family,month"
    pid, body = new_plan(ck, c, W, total=10000, dims=dims, label="edits")
    if not pid:
        return
    model = {k: [v, 0] for k, v in W.expected_cells(body).items()}
    got = read_cells(c, pid, dims.split(","), W)
    ck.ok(not compare_cells(got, model), "edits: decomposition as modelled", "; ".join(compare_cells(got, model)[:5]))

    def put(sel, label, status=200, **kw):
        b = dict(sel)
        b.update(kw)
        r = c.put("/api/v1/targets/%d/cells" % pid, b)
        ok = ck.expect(r, status, "%s -> %d" % (label, status))
        return r, ok

    def msel(sel):
        m = {}
        for k, v in sel.items():
            m[k] = v
        return m

    # lock A1, then give FB 2000: A1's FB cells keep their values, FB sums to 2000, total holds
    sel_lock = {"account_id": A["A1"]}
    put(sel_lock, "lock every cell of A1", lock=True)
    apply_edit(model, msel(sel_lock), 10000, lock=True)
    locked_before = {k: v for k, v in read_cells(c, pid, dims.split(","), W).items() if k[0] == A["A1"]}
    sel_fb = {"family": F["FB"]}
    r, _ = put(sel_fb, "set family FB to 2000", value=2000)
    ck.ok(apply_edit(model, msel(sel_fb), 10000, value=2000), "model: the FB edit is feasible")
    after = read_cells(c, pid, dims.split(","), W)
    ck.ok(isinstance(after, dict) and all(after.get(k) == v for k, v in locked_before.items()),
          "the locked cells of A1 keep their values and stay locked",
          str([(k, locked_before[k], after.get(k)) for k in locked_before if after.get(k) != locked_before[k]][:4]))
    ck.ok(sum(v for k, (v, _) in after.items() if k[1] == F["FB"]) == 2000, "the FB cells add up to 2000")
    ck.ok(sum(v for v, _ in after.values()) == 10000 and grid_total(c, pid) == 10000,
          "the plan total 10000 still holds after the edit")
    ck.ok(all(v >= 0 for v, _ in after.values()), "no negative cell after the edit")
    ck.ok(not compare_cells(after, model), "the edit rebalances as the model does (proportional, largest remainder)",
          "; ".join(compare_cells(after, model)[:5]))
    # a month of A2 to a value, then back: both exact
    sel_m = {"account_id": A["A2"], "month": 6}
    put(sel_m, "set A2 June to 1234", value=1234)
    apply_edit(model, sel_m, 10000, value=1234)
    after = read_cells(c, pid, dims.split(","), W)
    ck.ok(not compare_cells(after, model), "a second edit (A2, June = 1234) as modelled",
          "; ".join(compare_cells(after, model)[:5]))
    ck.ok(sum(v for k, (v, _) in after.items() if k[0] == A["A2"] and k[4] == 6) == 1234, "A2 June adds up to 1234")

    # impossible edits: 409 and nothing changed
    lockedA1 = sum(v for k, (v, lk) in after.items() if k[0] == A["A1"])
    adj_before = c.get("/api/v1/targets/%d/adjustments" % pid).json
    plan_before = c.get("/api/v1/targets/%d" % pid).json
    for label, sel, value in (
            ("the whole plan below what A1's locked cells hold", {}, lockedA1 - 1 if lockedA1 else None),
            ("family FA to 0 with A1's FA cells locked", {"family": F["FA"]}, 0),
            ("A2 to the whole total: the locked A1 cells would have to give", {"account_id": A["A2"]}, 10000)):
        if value is None:
            continue
        ok_model = apply_edit({k: list(v) for k, v in model.items()}, sel, 10000, value=value)
        ck.ok(not ok_model, "model: %s is infeasible" % label)
        g0 = read_cells(c, pid, dims.split(","), W)
        r = c.put("/api/v1/targets/%d/cells" % pid, dict(sel, value=value))
        ck.expect(r, 409, "impossible edit (%s) -> 409" % label, code="conflict")
        ck.same(g0, read_cells(c, pid, dims.split(","), W), "impossible edit (%s): the grid is unchanged" % label)
    ck.same((adj_before, plan_before), (c.get("/api/v1/targets/%d/adjustments" % pid).json,
                                        c.get("/api/v1/targets/%d" % pid).json),
            "impossible edits: no adjustment logged, plan (version) unchanged")
    ck.expect(c.put("/api/v1/targets/%d/cells" % pid, {"account_id": 999999999, "value": 5}), 404,
              "an edit whose selection matches no cell -> 404")
    ck.expect(c.put("/api/v1/targets/%d/cells" % pid, {"family": F["FA"]}), 400,
              "an edit with neither value nor lock -> 400 value", field="value")
    ck.expect(c.put("/api/v1/targets/%d/cells" % pid, {"month": 13, "value": 1}), 400,
              "an edit of month 13 -> 400 month", field="month")
    ck.expect(c.put("/api/v1/targets/%d/cells" % pid, {"family": F["FA"], "value": -5}), 400,
              "a negative value -> 400 value", field="value")
    # unlock and the whole plan can move again
    put(sel_lock, "unlock A1", lock=False)
    apply_edit(model, sel_lock, 10000, lock=False)
    put({"family": F["FA"]}, "FA to 0 once A1 is unlocked", value=0)
    ck.ok(apply_edit(model, {"family": F["FA"]}, 10000, value=0), "model: FA to 0 is feasible unlocked")
    after = read_cells(c, pid, dims.split(","), W)
    ck.ok(not compare_cells(after, model), "FA = 0 as modelled", "; ".join(compare_cells(after, model)[:5]))
    ck.ok(grid_total(c, pid) == 10000, "the total holds after FA = 0")
    # grid filters and lock states (some / all)
    put({"account_id": A["A1"], "month": 1}, "lock A1 January", lock=True)
    r = c.get("/api/v1/targets/%d/grid" % pid, {"rows": "account", "cols": "month"})
    cells = {(row["key"], x["col"]): x["locked"] for row in (r.json or {}).get("rows", []) for x in row["cells"]}
    r2 = c.get("/api/v1/targets/%d/grid" % pid, {"rows": "account", "cols": "none"})
    row_lock = {row["key"]: row["cells"][0]["locked"] for row in (r2.json or {}).get("rows", [])}
    ck.ok(cells.get((str(A["A1"]), "1")) == "all" and row_lock.get(str(A["A1"])) == "some"
          and row_lock.get(str(A["A2"])) == "none", "lock states: all on the locked cells, some on their row",
          "%r %r" % (cells.get((str(A["A1"]), "1")), row_lock))
    # export: the same numbers, labels neutralised
    r = c.get("/api/v1/targets/%d/export" % pid, {"format": "csv", "rows": "account", "cols": "family"})
    g = c.get("/api/v1/targets/%d/grid" % pid, {"rows": "account", "cols": "family"}).json or {}
    if ck.expect(r, 200, "export the grid as csv"):
        text = r.body.decode("utf-8")
        ck.ok((r.header("Content-Type") or "").startswith("text/csv"), "csv content type", r.header("Content-Type"))
        rows = [ln.split(",") for ln in text.strip().splitlines()]
        ck.ok('"\'=SUM(1+1) plan three %s"' % W.tag in text, "the csv neutralises a label starting with =",
              text[:400])
        want = {}
        for row in g.get("rows", []):
            want[row["key"]] = [str(x["value"]) for x in row["cells"]] + [str(row["total"])]
        gotrows = {x[0].strip('"'): x[2:] for x in rows[1:] if x[0].strip('"') != "total"}
        ck.ok(gotrows == want, "the csv rows carry the grid's numbers", "%r vs %r" % (gotrows, want))
        tot = [x for x in rows if x[0].strip('"') == "total"]
        ck.ok(tot and tot[0][-1] == "10000", "the csv's total row ends with the plan total", repr(tot))
    r = c.get("/api/v1/targets/%d/export" % pid, {"format": "xlsx", "rows": "account", "cols": "family"})
    if ck.expect(r, 200, "export the grid as xlsx"):
        ck.ok(r.body[:2] == b"PK", "the xlsx is a zip (PK header)")
        ck.ok(r.header("Content-Type") == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
              "xlsx content type", r.header("Content-Type"))
    ck.expect(c.get("/api/v1/targets/%d/export" % pid, {"format": "pdf"}), 400, "export format pdf -> 400 format",
              field="format")
    ck.expect(c.get("/api/v1/targets/%d/grid" % pid, {"rows": "region"}), 400,
              "grid by a dim the plan is not split by -> 400 rows", field="rows")
    # bottom-up: the account team's proposal against the top-down cells
    r = cl["am_e"].put("/api/v1/accounts/%d/target-proposals/%d" % (A["A1"], pid), {"value": 4321, "note": "客户扩产"})
    ck.expect(r, 200, "am_e proposes 4321 for A1", json={"value": 4321, "plan_id": pid, "account_id": A["A1"]})
    ck.expect(cl["am_e"].put("/api/v1/accounts/%d/target-proposals/%d" % (A["A2"], pid), {"value": 1}), (403, 404),
              "am_e cannot propose for am_w's account")
    r = c.get("/api/v1/targets/%d/bottom-up" % pid)
    if ck.expect(r, 200, "bottom-up by account"):
        it = {x["key"]: x for x in r.json.get("items", [])}
        a1 = it.get(str(A["A1"]), {})
        td = sum(v for k, (v, _) in after.items() if k[0] == A["A1"])
        ck.ok(a1.get("proposal") == 4321 and a1.get("top_down") == td and a1.get("gap") == 4321 - td,
              "bottom-up: A1's proposal, top-down and gap", repr(a1))
        ck.ok(it.get(str(A["A2"]), {}).get("proposal") is None and r.json.get("top_down") == 10000,
              "bottom-up: no proposal for A2 (null), top-down total 10000", repr(r.json)[:300])


# ---------------------------------------------------------------- approval, reasons, deletes

def workflow(ctx, W, cl):
    ck, c, d = ctx.ck, cl["admin"], cl["dir"]
    F = W.fam
    pid, body = new_plan(ck, c, W, total=900, dims="family", label="flow")
    if not pid:
        return
    ck.expect(c.post("/api/v1/targets/%d/submit" % pid, {}), 200, "submit", json={"status": "submitted"})
    ck.expect(c.post("/api/v1/targets/%d/approve" % pid, {}), 403, "admin cannot approve (separation of duties)")
    ck.expect(d.post("/api/v1/targets/%d/approve" % pid, {"note": "同意"}), 200, "the director approves",
              json={"status": "approved", "approved_by": ctx.U("dir").id})
    g0 = read_cells(c, pid, ["family"], W)
    r = c.put("/api/v1/targets/%d/cells" % pid, {"family": F["FA"], "value": 500})
    ck.expect(r, 400, "an approved plan's edit without a reason -> 400 reason", field="reason")
    r = c.put("/api/v1/targets/%d/cells" % pid, {"family": F["FA"], "value": 500, "reason": ""})
    ck.expect(r, 400, "an empty reason -> 400 reason", field="reason")
    ck.same(g0, read_cells(c, pid, ["family"], W), "refused edits of the approved plan change nothing")
    ck.expect(c.patch("/api/v1/targets/%d" % pid, {"total": 1000}), 400,
              "PATCH total of an approved plan without a reason -> 400 reason", field="reason")
    ck.expect(c.post("/api/v1/targets/%d/decompose" % pid, {}), 400,
              "decompose an approved plan without a reason -> 400 reason", field="reason")
    r = c.put("/api/v1/targets/%d/cells" % pid, {"family": F["FA"], "value": 500, "reason": "大客户追加订单"})
    ck.expect(r, 200, "an approved plan's edit with a reason -> 200")
    r = c.get("/api/v1/targets/%d/adjustments" % pid)
    top = (r.items or [{}])[0] if r.status == 200 else {}
    ck.matches(top, {"action": "set", "reason": "大客户追加订单", "to_value": 500, "selection": "family=" + F["FA"],
                     "user_id": ctx.U("admin").id}, "the adjustment log records the edit with its reason")
    cells = read_cells(c, pid, ["family"], W)
    ck.ok(isinstance(cells, dict) and cells.get((0, F["FA"], "", "", 0), (0,))[0] == 500
          and sum(v for v, _ in cells.values()) == 900, "the approved plan's edit holds: FA 500, total 900")
    ck.expect(c.delete("/api/v1/targets/%d" % pid), 409, "DELETE an approved plan -> 409")
    ck.expect(c.get("/api/v1/targets/%d" % pid), 200, "the approved plan is still there")
    pid2, _ = new_plan(ck, c, W, total=10, dims="family", label="sub")
    if pid2:
        c.post("/api/v1/targets/%d/submit" % pid2, {})
        ck.expect(c.delete("/api/v1/targets/%d" % pid2), 409, "DELETE a submitted plan -> 409")
    pid3, _ = new_plan(ck, c, W, total=10, dims="family", label="draft")
    if pid3:
        ck.expect(c.delete("/api/v1/targets/%d" % pid3), 204, "DELETE a draft plan -> 204")
        ck.expect(c.get("/api/v1/targets/%d" % pid3), 404, "the deleted draft is gone")
    pid4, _ = new_plan(ck, c, W, decompose=False, total=10, dims="family", label="nocells")
    if pid4:
        ck.expect(c.post("/api/v1/targets/%d/submit" % pid4, {}), 409, "submit an undecomposed plan -> 409")


# ---------------------------------------------------------------- KPIs

def pct1(a, b):
    """Percent with one decimal, half away from zero (as the server rounds)."""
    if not b:
        return 0
    x = a * 100.0 / b
    return int(x * 10 + (0.5 if x >= 0 else -0.5)) / 10


def kpis(ctx, W, cl):
    ck, c = ctx.ck, cl["admin"]
    F, A, Y = W.fam, W.acc, W.Y
    # plan by family with targets chosen for each status in Q1: FA on track, FB at risk, FC off
    pid, body = new_plan(ck, c, W, total=3000, dims="family", label="kpi")
    if not pid:
        return
    for fam, v, lock in (("FA", 800, True), ("FB", 1560, True)):
        ck.expect(c.put("/api/v1/targets/%d/cells" % pid, {"family": F[fam], "value": v, "lock": lock}), 200,
                  "KPI plan: %s = %d" % (fam, v))
    tgt = {F["FA"]: 800, F["FB"]: 1560, F["FC"]: 640}
    cells = read_cells(c, pid, ["family"], W)
    ck.ok({k[1]: v for k, (v, _) in cells.items()} == tgt, "KPI plan cells 800/1560/640", repr(cells))

    def act(fam=None, months=None, acc=None):
        return W.month_total(lambda ln: (fam is None or ln["fam"] == fam) and (acc is None or ln["acc"] == acc),
                             months=months)

    q1 = (Y * 100 + 1, Y * 100 + 3)
    r = c.get("/api/v1/kpis", {"plan_id": str(pid), "by": "family", "period": "%d-Q1" % Y})
    if ck.expect(r, 200, "KPIs by family, Q1"):
        ck.matches(r.json.get("period"), {"from": "%d-01" % Y, "to": "%d-03" % Y, "days": 90, "elapsed_days": 90},
                   "Q1: 90 days, all elapsed")
        items = {x["key"]: x for x in r.json.get("items", [])}
        for fam, status in (("FA", "on_track"), ("FB", "at_risk"), ("FC", "off_track")):
            a = act(F[fam], q1)
            t = tgt[F[fam]] * 3 // 12
            ck.matches(items.get(F[fam]), {"actual": a / 100, "target": t, "attainment_pct": pct1(a, t * 100),
                                           "run_rate": a / 100, "projection": a / 100, "status": status,
                                           "last_year": act(F[fam], (q1[0] - 100, q1[1] - 100)) / 100},
                       "Q1 %s: actual %d, target %d (prorated), %s" % (fam, a // 100, t, status))
        a = act(None, q1)
        ck.matches(r.json.get("total"), {"actual": a / 100, "target": 750, "attainment_pct": pct1(a, 75000),
                                         "status": "on_track" if a >= 75000 else "at_risk" if a * 100 >= 75000 * 90
                                         else "off_track"}, "Q1 total")
    # the whole year, in progress: run rate = actual x days / elapsed
    r = c.get("/api/v1/kpis", {"plan_id": str(pid), "by": "family", "period": str(Y)})
    el = (W.today - datetime.date(Y, 1, 1)).days + 1
    days = (datetime.date(Y + 1, 1, 1) - datetime.date(Y, 1, 1)).days
    if ck.expect(r, 200, "KPIs by family, the year"):
        ck.matches(r.json.get("period"), {"days": days, "elapsed_days": el}, "the year: %d of %d days" % (el, days))
        items = {x["key"]: x for x in r.json.get("items", [])}
        for fam in FAMS_OF(W):
            a = act(fam, (Y * 100 + 1, Y * 100 + 12))
            it = items.get(fam) or {}
            ck.matches(it, {"actual": a / 100, "target": tgt[fam], "attainment_pct": pct1(a, tgt[fam] * 100),
                            "run_rate": (a * days // el) / 100},
                       "year %s: actual, target, attainment, run rate" % fam)
            proj = it.get("projection")
            if isinstance(proj, (int, float)) and isinstance(it.get("projection_pct"), (int, float)):
                p = round(proj * 100)
                st = "on_track" if p >= tgt[fam] * 100 else "at_risk" if p * 100 >= tgt[fam] * 100 * 90 else "off_track"
                ck.ok(it.get("status") == st and it["projection_pct"] == pct1(p, tgt[fam] * 100),
                      "year %s: status from the projection (%s)" % (fam, st), repr(it))
    # a month in progress
    mth = (Y * 100 + 5, Y * 100 + 5)
    r = c.get("/api/v1/kpis", {"by": "none", "period": "%d-05" % Y})
    if ck.expect(r, 200, "KPIs of May, no plan"):
        a = act(None, mth)
        ck.matches(r.json, {"period": {"days": 31, "elapsed_days": 16}, "items": [],
                            "total": {"actual": a / 100, "target": None, "status": "no_target",
                                      "run_rate": (a * 31 // 16) / 100,
                                      "last_year": sum(ln["amount"] for ln in W.lines()
                                                       if datetime.date(Y - 1, 5, 1) <= ln["date"]
                                                       <= datetime.date(Y - 1, 5, 16)) / 100}},
                   "May: actual, run rate = actual x 31 / 16, no target, last year = 1-16 May (like for like)")
    # by account with a wallet estimate: share of wallet over the last twelve complete months
    r = c.get("/api/v1/kpis", {"by": "account", "period": str(Y)})
    if ck.expect(r, 200, "KPIs by account"):
        items = {x["key"]: x for x in r.json.get("items", [])}
        w12 = act(None, (W.now_m - 100, W.now_m - 1), acc="A1")
        ck.matches(items.get(str(A["A1"])), {"share_of_wallet_pct": pct1(w12, 200000), "label": W.name["A1"],
                                             "actual": act(None, (Y * 100 + 1, Y * 100 + 12), acc="A1") / 100},
                   "A1: share of wallet = last 12 months / estimate")
        ck.matches(items.get(str(A["A2"])), {"share_of_wallet_pct": None}, "A2 without an estimate: no share")
    # by month: actuals per month of the period
    r = c.get("/api/v1/kpis", {"by": "month", "period": "%d-Q1" % Y})
    if ck.expect(r, 200, "KPIs by month"):
        items = {x["key"]: x.get("actual") for x in r.json.get("items", [])}
        want = {}
        for m in range(1, 4):
            a = act(None, (Y * 100 + m, Y * 100 + m))
            if a:
                want["%d-%02d" % (Y, m)] = a / 100
        ck.ok(items == want, "by=month lists one item per month (YYYY-MM) with its actual",
              "got %r, want %r" % (items, want))
    # export: the same numbers; labels neutralised
    r = c.get("/api/v1/kpis/export", {"by": "account", "period": str(Y), "format": "csv"})
    j = c.get("/api/v1/kpis", {"by": "account", "period": str(Y)}).json or {}
    if ck.expect(r, 200, "KPI export csv"):
        text = r.body.decode("utf-8")
        ck.ok('"\'=SUM(1+1) plan three %s"' % W.tag in text, "the KPI csv neutralises a label starting with =",
              text[:300])
        rows = {}
        for ln in text.strip().splitlines()[1:]:
            parts = ln.split(",")
            rows[parts[0].strip('"')] = parts
        for it in j.get("items", []) + [dict(j.get("total", {}), key="total")]:
            row = rows.get(it["key"])
            ck.ok(row is not None and row[2] == "%.2f" % it["actual"] and row[7] == "%.2f" % it["last_year"]
                  and row[-1].strip('"') == it["status"], "KPI csv row %s: actual, last year, status" % it["key"],
                  "%r vs %r" % (row, it))
    r = c.get("/api/v1/kpis/export", {"by": "family", "period": str(Y), "format": "xlsx", "plan_id": str(pid)})
    if ck.expect(r, 200, "KPI export xlsx"):
        ok_zip = r.body[:2] == b"PK"
        try:
            names = zipfile.ZipFile(io.BytesIO(r.body)).namelist()
        except Exception as e:
            names = [str(e)]
        ck.ok(ok_zip and any(n.startswith("xl/") for n in names), "the KPI xlsx is a workbook zip", repr(names[:5]))
        ck.ok(r.header("Content-Type") == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
              "KPI xlsx content type", r.header("Content-Type"))
    for q, field in (({"period": "%d-Q5" % Y}, "period"), ({"period": "%d-13" % Y}, "period"),
                     ({"by": "colour"}, "by"), ({"measure": "weight"}, "measure")):
        ck.expect(c.get("/api/v1/kpis", q), 400, "KPIs with %r -> 400 %s" % (q, field), field=field)
    r = c.get("/api/v1/kpis", {"plan_id": "999999999"})
    ck.ok(r.status == 400 and r.field == "plan_id", "KPIs with an unknown plan_id -> 400 plan_id", r.describe())
    # scope: am_e sees A1 only
    r = cl["am_e"].get("/api/v1/kpis", {"by": "account", "period": str(Y)})
    if ck.expect(r, 200, "am_e's KPIs by account"):
        ck.ok([x["key"] for x in r.json.get("items", [])] == [str(A["A1"])], "am_e's KPIs list only A1",
              repr([x["key"] for x in r.json.get("items", [])]))


def FAMS_OF(W):
    return [W.fam[f] for f in PW.FAMS]


# ---------------------------------------------------------------- measures

def measures(ctx, W, cl):
    ck, c = ctx.ck, cl["admin"]
    A, F, Y = W.acc, W.fam, W.Y
    base = {"kind": "promotion", "title": "春季促销 " + W.tag, "start": "%d-01-01" % Y, "due": "%d-04-30" % Y,
            "account_id": A["A1"], "family": F["FA"], "expected_uplift": 50}
    r = cl["am_e"].post("/api/v1/measures", base)
    if not ck.expect(r, 201, "am_e plans a measure on A1", json={"status": "planned", "effect": None,
                                                                   "owner_id": ctx.U("am_e").id, "start": base["start"],
                                                                   "due": base["due"], "family": F["FA"]}):
        return
    mid = r.json["id"]
    ver = r.json["version"]
    for label, kw, field in (("unknown kind", {"kind": "magic"}, "kind"),
                             ("unknown status", {"status": "dreaming"}, "status"),
                             ("due before start", {"start": "%d-05-01" % Y, "due": "%d-04-30" % Y}, "due"),
                             ("start not a date", {"start": "%d-02-30" % Y}, "start"),
                             ("empty title", {"title": ""}, "title"),
                             ("unknown measure", {"measure": "weight"}, "measure")):
        before = ctx.ids_of("/api/v1/measures", {"account_id": str(A["A1"])}, client=c)
        ck.expect(c.post("/api/v1/measures", dict(base, **kw)), 400, "measure: %s -> 400 %s" % (label, field),
                  field=field)
        ck.same(before, ctx.ids_of("/api/v1/measures", {"account_id": str(A["A1"])}, client=c),
                "measure: %s: nothing made" % label)
    b = dict(base)
    b.pop("kind")
    ck.expect(c.post("/api/v1/measures", b), 400, "measure without kind -> 400 kind", field="kind")
    ck.expect(c.patch("/api/v1/measures/%d" % mid, {"due": "%d-12-31" % (Y - 1)}), 400,
              "PATCH due before start -> 400 due", field="due")
    # scope
    before = ctx.ids_of("/api/v1/measures", {"account_id": str(A["A2"])}, client=c)
    ck.expect(cl["am_e"].post("/api/v1/measures", dict(base, account_id=A["A2"])), 400,
              "am_e cannot plan a measure on am_w's account -> 400 account_id, as for a missing account",
              field="account_id", code="invalid")
    ck.same(before, ctx.ids_of("/api/v1/measures", {"account_id": str(A["A2"])}, client=c),
            "the refused measure was not made")
    b = dict(base)
    b.pop("account_id")
    ck.expect(cl["am_e"].post("/api/v1/measures", b), 403, "am_e cannot plan a plan-wide measure -> 403")
    ck.expect(cl["am_e"].post("/api/v1/measures", dict(base, account_id=None)), 403,
              "am_e cannot plan a measure with account_id null -> 403")
    r = cl["dir"].post("/api/v1/measures", dict(b, title="全国渠道拓展 " + W.tag, kind="channel"))
    ck.expect(r, 201, "the director plans a plan-wide measure", json={"account_id": None})
    wide = r.json["id"] if r.status == 201 else None
    if wide:
        ck.expect(cl["am_e"].get("/api/v1/measures/%d" % wide), 200, "am_e reads the plan-wide measure")
        ck.expect(cl["viewer_e"].get("/api/v1/measures/%d" % wide), 200, "viewer_e reads the plan-wide measure")
        st0 = measure_snapshot(ctx, c, wide)
        r = cl["am_e"].patch("/api/v1/measures/%d" % wide, {"title": "改"})
        ck.ok(r.status in (403, 404), "am_e cannot change the plan-wide measure", r.describe())
        ck.ok(r.status == 403, "am_e's refused PATCH of a readable plan-wide measure -> 403", r.describe())
        r = cl["lead_e"].delete("/api/v1/measures/%d" % wide)
        ck.ok(r.status in (403, 404), "lead_e cannot delete the plan-wide measure", r.describe())
        ck.ok(r.status == 403, "lead_e's refused DELETE of a readable plan-wide measure -> 403", r.describe())
        ck.same(st0, measure_snapshot(ctx, c, wide), "the refused writes changed nothing")
        ids = [x["id"] for x in (cl["am_e"].get("/api/v1/measures", {"limit": "500"}).items or [])]
        ck.ok(wide in ids and mid in ids, "am_e's list holds their measure and the plan-wide one")
    for label, kw, field in (("an unknown plan", {"plan_id": 999999999}, "plan_id"),
                             ("an unknown owner", {"owner_id": 999999999}, "owner_id")):
        r = c.post("/api/v1/measures", dict(base, **kw))
        ck.expect(r, 400, "measure with %s -> 400 %s" % (label, field), field=field)
    before = ctx.ids_of("/api/v1/measures", {"owner_id": str(ctx.U("admin").id)}, client=c)
    r = c.post("/api/v1/measures", dict(base, account_id=999999999))
    ck.ok(r.status in (400, 404), "measure with an unknown account is refused", r.describe())
    ck.ok(r.status == 400 and r.field == "account_id", "measure with an unknown account -> 400 account_id", r.describe())
    ck.same(before, ctx.ids_of("/api/v1/measures", {"owner_id": str(ctx.U("admin").id)}, client=c),
            "the refused measure was not made")
    ck.expect(cl["am_w"].get("/api/v1/measures/%d" % mid), 404, "am_w cannot see am_e's measure (404)")
    ck.expect(cl["am_e"].delete("/api/v1/measures/%d" % mid), 403, "an account manager deletes no measure -> 403")
    # done: the effect = actual over the window - the same window a year before (whole units)
    a = W.month_total(lambda ln: ln["acc"] == "A1" and ln["fam"] == F["FA"], months=(Y * 100 + 1, Y * 100 + 4))
    b0 = W.month_total(lambda ln: ln["acc"] == "A1" and ln["fam"] == F["FA"],
                       months=((Y - 1) * 100 + 1, (Y - 1) * 100 + 4))
    r = cl["am_e"].patch("/api/v1/measures/%d" % mid, {"status": "done", "version": ver})
    ck.expect(r, 200, "am_e marks the measure done: effect %d - %d" % (a // 100, b0 // 100),
              json={"status": "done", "effect": (a - b0) // 100, "effect_baseline": b0 // 100})
    r2 = cl["am_e"].patch("/api/v1/measures/%d" % mid, {"title": "x", "version": ver})
    ck.expect(r2, 409, "PATCH with a stale version -> 409", code="conflict")
    # quantity measure on A2, all families, March to May
    q = W.month_total(lambda ln: ln["acc"] == "A2", quantity=True, months=(Y * 100 + 3, Y * 100 + 5))
    q0 = W.month_total(lambda ln: ln["acc"] == "A2", quantity=True, months=((Y - 1) * 100 + 3, (Y - 1) * 100 + 5))
    r = c.post("/api/v1/measures", {"kind": "price", "title": "调价 " + W.tag, "start": "%d-03-01" % Y,
                                    "due": "%d-05-31" % Y, "account_id": A["A2"], "measure": "quantity",
                                    "status": "done"})
    ck.expect(r, 201, "a measure created done is measured at once (quantity)",
              json={"effect": (q - q0) // 1000, "effect_baseline": q0 // 1000})
    r = c.get("/api/v1/measures", {"account_id": str(A["A1"]), "status": "done"})
    ck.ok(r.status == 200 and [x["id"] for x in r.items or []] == [mid], "list filter status=done, account A1",
          r.describe())
    ck.expect(c.get("/api/v1/measures", {"kind": "magic"}), 400, "list kind=magic -> 400 kind", field="kind")
    mid2 = c.post("/api/v1/measures", dict(base, title="删除 " + W.tag)).json["id"]
    ck.expect(cl["lead_e"].delete("/api/v1/measures/%d" % mid2), 204, "lead_e deletes a measure of A1")
    ck.expect(c.get("/api/v1/measures/%d" % mid2), 404, "the deleted measure is gone")


def measure_snapshot(ctx, c, mid):
    r = c.get("/api/v1/measures/%d" % mid)
    return (r.status, r.json, ctx.audit_ids("measure", mid))


# ---------------------------------------------------------------- behaviour, affinity

def behaviour(ctx, W, cl):
    ck, c = ctx.ck, cl["admin"]
    A = W.acc
    lines = W.lines()
    days = sorted({ln["date"] for ln in lines if ln["acc"] == "A1"})
    gaps = sorted((b - a).days for a, b in zip(days, days[1:]))
    mean = sum(gaps) / len(gaps)
    cv = (sum((g - mean) ** 2 for g in gaps) / len(gaps)) ** 0.5 / mean
    n = len(gaps)
    med2 = 2 * gaps[n // 2] if n % 2 else gaps[n // 2 - 1] + gaps[n // 2]
    nxt = days[-1] + datetime.timedelta(days=(med2 + 1) // 2)
    r = c.get("/api/v1/accounts/%d/behaviour" % A["A1"])
    if not ck.expect(r, 200, "behaviour of A1"):
        return
    j = r.json
    r3 = lambda x: int(x * 1000 + (0.5 if x >= 0 else -0.5)) / 1000  # noqa: E731
    ck.matches(j.get("intervals"), {"orders": len(days), "mean_days": r3(mean), "median_days": med2 / 2,
                                    "cv": r3(cv), "regularity": "regular" if cv < 0.5 else "irregular",
                                    "last_date": days[-1].isoformat(), "next_date": nxt.isoformat(),
                                    "overdue": W.today > nxt,
                                    "days_overdue": max(0, (W.today - nxt).days)},
               "A1 intervals: %d order days, gaps %s" % (len(days), gaps))
    year_ago = W.today - datetime.timedelta(days=365)
    recent = [ln for ln in lines if ln["acc"] == "A1" and ln["date"] > year_ago]
    ck.matches(j.get("rfm"), {"recency_days": (W.today - days[-1]).days,
                              "frequency": len({ln["date"] for ln in recent}),
                              "monetary": sum(ln["amount"] for ln in recent) / 100},
               "A1 RFM: recency in days, frequency (order days), monetary of the last 365 days")
    lo, hi = W.now_m - 100, W.now_m - 1
    mix = {}
    for ln in lines:
        if ln["acc"] == "A1" and lo <= ln["month"] <= hi:
            mix[ln["fam"]] = mix.get(ln["fam"], 0) + ln["amount"]
    tot = sum(mix.values())
    want = [{"family": f, "amount": v / 100, "share": r3(v / tot)} for f, v in sorted(mix.items(), key=lambda kv: -kv[1])]
    ck.matches(j.get("mix"), want, "A1 mix over the last twelve complete months")
    bought = set(mix)
    sugg = [x.get("family") for x in j.get("cross_sell", [])]
    ck.ok(W.fam["FC"] in sugg and not bought & set(sugg),
          "cross-sell suggests FC (bought by the similar A2 and A3, not by A1) and nothing A1 buys", repr(sugg))
    r = cl["am_e"].get("/api/v1/accounts/%d/behaviour" % A["A2"])
    ck.expect(r, 404, "am_e cannot read the behaviour of am_w's account")
    r = cl["am_e"].get("/api/v1/accounts/%d/behaviour" % A["A1"])
    if ck.expect(r, 200, "am_e reads A1's behaviour"):
        nb = r.json.get("neighbours", [])
        ck.ok(all(x.get("account_id") is None and x.get("name") == "" for x in nb) and nb,
              "am_e sees the similar accounts anonymised (not theirs)", repr(nb))
    # affinity: baskets = (account, month) over the last twelve complete months
    baskets = {}
    for ln in lines:
        if lo <= ln["month"] <= hi:
            baskets.setdefault((ln["acc"], ln["month"]), set()).add(ln["fam"])
    nb_ = len(baskets)
    r = c.get("/api/v1/sales/affinity", {"min_count": "1"})
    if ck.expect(r, 200, "affinity, min_count 1"):
        got = {(x["a"], x["b"]): x for x in r.items}
        fams = sorted({f for b in baskets.values() for f in b})
        for fa in fams:
            for fb in fams:
                if fa == fb:
                    continue
                ab = sum(1 for b in baskets.values() if fa in b and fb in b)
                ca = sum(1 for b in baskets.values() if fa in b)
                cb = sum(1 for b in baskets.values() if fb in b)
                x = got.get((fa, fb))
                if not ab:
                    ck.ok(x is None, "affinity: no pair %s/%s" % (fa[:2], fb[:2]), repr(x))
                    continue
                if x is None and (fb, fa) in got:
                    continue  # one row per pair: checked the other way round
                ck.matches(x, {"count": ab, "support": r3(ab / nb_), "confidence": r3(ab / ca),
                               "lift": r3((ab / ca) / (cb / nb_))},
                           "affinity %s->%s: count %d, support, confidence, lift" % (fa[:2], fb[:2], ab))
        for (fa, fb), x in got.items():
            y = got.get((fb, fa))
            if y is not None:
                ck.ok(y["lift"] == x["lift"], "affinity lift is symmetric %s/%s" % (fa[:2], fb[:2]))
    ck.expect(c.get("/api/v1/sales/affinity", {"min_count": "0"}), 400, "affinity min_count 0 -> 400",
              field="min_count")


# ---------------------------------------------------------------- series, breakdown

def series(ctx, W, cl):
    ck, c = ctx.ck, cl["admin"]
    Y = W.Y
    frm, to = "%d-01" % (Y - 2), "%d-05" % Y
    months = []
    m = (Y - 2) * 100 + 1
    while m <= Y * 100 + 5:
        months.append(m)
        m = PW.month_add(m, 1)
    r = c.get("/api/v1/sales/series", {"from": frm, "to": to, "by": "family"})
    if ck.expect(r, 200, "series by family"):
        ser = {s["key"]: s for s in r.json.get("series", [])}
        ck.ok(set(ser) == set(FAMS_OF(W)), "series: one per family", repr(sorted(ser)))
        for f in FAMS_OF(W):
            want = [W.month_total(lambda ln: ln["fam"] == f, months=(mm, mm)) / 100 for mm in months]
            ck.ok(ser.get(f, {}).get("actual") == want, "series %s: monthly totals of the lines" % f[:2],
                  "%r vs %r" % (ser.get(f, {}).get("actual"), want))
        tot = [W.month_total(months=(mm, mm)) / 100 for mm in months]
        sums = [round(sum(s["actual"][i] for s in ser.values()), 2) for i in range(len(months))]
        ck.ok(sums == tot, "series: the families add up to the month totals")
    r = c.get("/api/v1/sales/series", {"from": frm, "to": to})
    ck.expect(r, 200, "series without by=")
    if r.status == 200:
        tot = [W.month_total(months=(mm, mm)) / 100 for mm in months]
        ck.ok([x for s in r.json.get("series", []) for x in s["actual"]] == tot, "series (by none): month totals")
    r = c.get("/api/v1/sales/series", {"from": frm, "to": to, "by": "region", "forecast": "6"})
    if ck.expect(r, 200, "series with a 6-month forecast"):
        f = r.json.get("forecast") or {}
        ck.ok(f.get("months") == ["%d-%02d" % (Y, m) for m in range(5, 11)], "forecast months start with the one "
              "in progress", repr(f.get("months")))
        bands = [f.get(k) or [] for k in ("lo95", "lo80", "mean", "hi80", "hi95")]
        ck.ok(all(len(b) == 6 for b in bands) and all(bands[0][i] <= bands[1][i] <= bands[2][i] <= bands[3][i]
                                                      <= bands[4][i] for i in range(6)),
              "forecast: lo95 <= lo80 <= mean <= hi80 <= hi95", repr(bands))
    ck.expect(c.get("/api/v1/sales/series", {"from": frm, "to": to, "by": "family", "forecast": "37"}), 400,
              "forecast 37 -> 400 forecast", field="forecast")
    # issue 13: fitted on all the history, whatever window is shown (no 400 in January-March)
    full = r.json.get("forecast") if r.status == 200 else None
    for lo, hi, first in (("%d-05" % Y, "%d-05" % Y, 5), ("%d-01" % Y, "%d-12" % Y, 5),
                          ("%d-01" % Y, "%d-02" % Y, 3), ("%d-02" % (Y - 1), "%d-02" % Y, 3)):
        r2 = c.get("/api/v1/sales/series", {"from": lo, "to": hi, "forecast": "6"})
        if not ck.expect(r2, 200, "forecast of the window %s..%s" % (lo, hi)):
            continue
        f2 = r2.json.get("forecast") or {}
        ck.ok(f2.get("months") == ["%d-%02d" % (Y, m) for m in range(first, first + 6)],
              "window %s..%s: forecast from %d-%02d" % (lo, hi, Y, first), repr(f2.get("months")))
        ck.ok(all(x >= 0 for k in ("mean", "lo80", "lo95") for x in f2.get(k) or [-1]),
              "window %s..%s: no negative forecast or bound for sales" % (lo, hi), repr(f2))
        ck.ok(f2.get("outliers") == [], "window %s..%s: outliers reported (none here)" % (lo, hi), repr(f2))
        if first == 5 and full:
            ck.ok(all(f2.get(k) == full.get(k) for k in ("method", "mean", "lo80", "hi80", "lo95", "hi95")),
                  "window %s..%s: the same forecast as from the long window" % (lo, hi),
                  "%r vs %r" % (f2, full))
    two = [c.get("/api/v1/sales/series", {"from": lo, "to": "%d-02" % Y, "forecast": "4"}) for lo in
           ("%d-01" % Y, "%d-01" % (Y - 2))]
    if all(x.status == 200 for x in two):
        ck.ok(two[0].json.get("forecast") == two[1].json.get("forecast"),
              "January-February and two years to February: one forecast (all the history)")
    # breakdown by family against the year before
    r = c.get("/api/v1/sales/breakdown", {"from": "%d-01" % Y, "to": "%d-05" % Y, "by": "family"})
    if ck.expect(r, 200, "breakdown by family"):
        items = {x["key"]: x for x in r.json.get("items", [])}
        total = W.month_total(months=(Y * 100 + 1, Y * 100 + 5))
        ck.ok(r.json.get("total") == total / 100, "breakdown total", repr(r.json.get("total")))
        for f in FAMS_OF(W):
            a = W.month_total(lambda ln: ln["fam"] == f, months=(Y * 100 + 1, Y * 100 + 5))
            # like for like (growth.h): January - 16 May of the year before
            p = sum(ln["amount"] for ln in W.lines() if ln["fam"] == f and
                    datetime.date(Y - 1, 1, 1) <= ln["date"] <= datetime.date(Y - 1, 5, 16))
            ck.matches(items.get(f), {"actual": a / 100, "previous": p / 100,
                                      "growth_pct": pct1(a - p, p) if p else None,
                                      "share_pct": pct1(a, total)}, "breakdown %s" % f[:2])
        ck.ok(round(sum(x["actual"] for x in items.values()), 2) == total / 100, "breakdown: the families add up")


# ---------------------------------------------------------------- exports (issue 10)

XLSX_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
SHEET_FORBIDDEN = set("[]:*?/\\")
# The demo's draft plan of 2027 (src/svc/volume/demo_sales.c): its 31st byte falls inside 案.
DEMO_DRAFT = "2027 年度上量目标（草案）Volume plan draft"


def units16(s):
    return len(s.encode("utf-16-le")) // 2


def sheet_model(title):
    """The server's rule for a worksheet name (src/svc/core/export.c export_sheet_name)."""
    out, units = [], 0
    for ch in title.lstrip("'"):
        u = 2 if ord(ch) > 0xFFFF else 1
        if units + u > 31:
            break
        if ch in SHEET_FORBIDDEN or ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F or ch in "\ufffe\uffff":
            ch = "_"
        out.append(ch)
        units += u
    name = "".join(out).rstrip("'")
    if not name:
        return "KAM"
    return name + "_" if name.lower() == "history" else name


def xlsx_parts(ck, body, label):
    """{part name: root element} of an .xlsx whose every XML part is well-formed UTF-8, or None."""
    try:
        z = zipfile.ZipFile(io.BytesIO(body))
        bad = z.testzip()
        if bad:
            raise ValueError("corrupt member %s" % bad)
        parts = {}
        for n in z.namelist():
            if n.endswith(".xml") or n.endswith(".rels"):
                raw = z.read(n)
                raw.decode("utf-8")  # strictly: a character cut in two fails here
                parts[n] = ET.fromstring(raw)
    except Exception as e:  # noqa: BLE001 - any failure to read the file is the finding
        ck.fail("%s: the .xlsx is a zip of well-formed UTF-8 XML" % label, "%s: %s" % (type(e).__name__, e))
        return None
    ck.ok("xl/workbook.xml" in parts, "%s: the .xlsx is a zip of well-formed UTF-8 XML with a workbook" % label,
          repr(sorted(parts)))
    return parts


def sheet_name_problems(name):
    out = []
    if not name:
        out.append("empty")
    if units16(name) > 31:
        out.append("%d UTF-16 units" % units16(name))
    if set(name) & SHEET_FORBIDDEN:
        out.append("forbidden characters")
    if name[:1] == "'" or name[-1:] == "'":
        out.append("an apostrophe first or last")
    if name.lower() == "history":
        out.append("the reserved name History")
    if any(ord(ch) < 0x20 for ch in name):
        out.append("a control character")
    return out


def exports(ctx, W, cl):
    """Plans whose names are no valid worksheet names export to .xlsx files that open (every
    XML part well-formed UTF-8, a sheet name Excel accepts, exactly the model's), and the server
    stays up (an apostrophe first or last crashed it); CSV cells a spreadsheet would take for a
    formula after leading white space are neutralised, XLSX text cells are strings as they are."""
    ck, c = ctx.ck, cl["admin"]
    t = W.tag
    made = []
    pid, body = new_plan(ck, c, W, total=100, dims="account", basis="equal", label="formula cells")
    if pid:
        made.append(pid)
        formula_cells(ctx, W, cl, pid)
    # the names that crashed the server come last, so that each of the others is checked too
    names = [DEMO_DRAFT, "History", "hiSTORY", "a[b]:c*d?e/f\\g " + t, "😀" * 20 + t, "x" * 30 + "😀" + t,
             "计" * 40 + t, "Q1 it's " + t, "x" * 30 + "'" + t, "'引号开头 " + t, "引号结尾 " + t + "'",
             "'" + t + "'", "'''"]
    for name in names:
        pid, body = new_plan(ck, c, W, decompose=False, total=100, dims="account", basis="equal", name=name)
        if not pid:
            continue
        made.append(pid)
        label = "export of plan %r" % name
        r = c.get("/api/v1/targets/%d/export" % pid, {"format": "xlsx", "rows": "account", "cols": "none"})
        if not ck.expect(r, 200, "%s as xlsx -> 200" % label):
            ck.ok(c.get("/healthz").status == 200, "the server is still up after the %s" % label)
            continue
        parts = xlsx_parts(ck, r.body, label)
        if not parts or "xl/workbook.xml" not in parts:
            continue
        sheets = parts["xl/workbook.xml"].findall("m:sheets/m:sheet", XLSX_NS)
        got = sheets[0].get("name") if len(sheets) == 1 else None
        ck.ok(got is not None and not sheet_name_problems(got), "%s: the sheet name %r is one Excel accepts"
              % (label, got), "; ".join(sheet_name_problems(got or "")))
        ck.ok(got == sheet_model(name), "%s: the sheet is named %r" % (label, sheet_model(name)), repr(got))
        r = c.get("/api/v1/targets/%d/export" % pid, {"format": "csv", "rows": "account", "cols": "none"})
        ck.expect(r, 200, "%s as csv -> 200" % label)
    ck.expect(c.get("/healthz"), 200, "the plans server is up after every export")
    for pid in made:
        ck.expect(c.delete("/api/v1/targets/%d" % pid), 204, "delete export plan %d" % pid)


def formula_cells(ctx, W, cl, pid):
    """Account names as row labels: those a spreadsheet would run are neutralised in the csv
    (leading white space included); in the xlsx they are string cells, exactly as named."""
    ck, c = ctx.ck, cl["admin"]
    aid = W.acc["A3"]
    cases = [(' =HYPERLINK("http://x") ', True), ("\u3000=1+1 ", True), ("\u00a0@SUM(1) ", True),
             ("  -2+3 ", True), ("＝1+1 ", True), ("a=b ", False), ("'=quoted ", False)]
    try:
        for name, neutral in cases:
            name += W.tag
            ck.expect(c.patch("/api/v1/accounts/%d" % aid, {"name": name}), 200, "rename A3 to %r" % name)
            r = c.get("/api/v1/targets/%d/export" % pid, {"format": "csv", "rows": "account", "cols": "none"})
            if not ck.expect(r, 200, "csv export with A3 named %r" % name):
                continue
            text = r.body.decode("utf-8")
            want = '"%s%s"' % ("'" if neutral else "", name.replace('"', '""'))
            ck.ok(("," + want + ",") in text, "csv: the label %r is written as %s" % (name, want), text[:300])
            r = c.get("/api/v1/targets/%d/export" % pid, {"format": "xlsx", "rows": "account", "cols": "none"})
            parts = xlsx_parts(ck, r.body, "xlsx with A3 named %r" % name) if r.status == 200 else None
            if not parts:
                continue
            strings = ["".join(x.itertext()) for x in parts.get("xl/sharedStrings.xml", ET.Element("x"))]
            sheet = parts.get("xl/worksheets/sheet1.xml")
            ck.ok(name in strings and sheet is not None and not sheet.findall(".//m:f", XLSX_NS),
                  "xlsx: the label %r is a string cell as it is, no formula anywhere" % name, repr(strings)[:300])
    finally:
        ck.expect(c.patch("/api/v1/accounts/%d" % aid, {"name": W.name["A3"]}), 200, "A3 gets its name back")
