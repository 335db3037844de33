"""Incentives (issue 18 item 4, F6.4; src/api/team/incentives.c, src/svc/team/commission.c,
payout.c): a commission plan with family rates, a threshold, marginal accelerators, split credit
by department role, a return and a bad debt clawed back, a bonus pool shared by appraisal score,
worked through by hand for one account in 2019-Q1 (every statement line and the total asserted
exactly), then a cap; the workflow draft -> submitted -> approved -> paid (finance approves,
hr cannot, a reason to reject, an approved statement frozen: 409 payout.frozen); the personal
data rule (an account manager sees their own statement only, the team lead their team's, other
leads and managers nothing); the payroll workbook (unzipped, both sheets read); the simulator
against an independent Python model; a margin plan; recognition; bad input with nothing
written; the permission matrix of every route. Both engines."""

import io
import re
import threading
import zipfile

import policy as pol
import t_basic
import t_matrix
from policy import ALL, SCOPE
from t_matrix import route, Attempt
from t_answers import sql

for _k in ("payout", "user"):
    if _k not in t_matrix.RECORD_KINDS:
        t_matrix.RECORD_KINDS = t_matrix.RECORD_KINDS + (_k,)
    if _k not in t_basic.SCOPES:
        t_basic.SCOPES = t_basic.SCOPES + (_k,)

PERIOD = "2019-Q1"
MY_PREFIXES = ("/api/v1/commission-plans", "/api/v1/bonus-pools", "/api/v1/recognitions", "/api/v1/payouts")
MY_EXTRA = ("/api/v1/users/{id}/payouts",)


def n_rows(ctx, q):
    return int(sql(ctx, q)[0][0])


def state(ctx):
    return {"plans": n_rows(ctx, "SELECT COUNT(*) FROM commission_plans"),
            "rates": n_rows(ctx, "SELECT COUNT(*) FROM commission_rates"),
            "pools": n_rows(ctx, "SELECT COUNT(*) FROM bonus_pools"),
            "recog": n_rows(ctx, "SELECT COUNT(*) FROM recognitions"),
            "stmts": sql(ctx, "SELECT id, status, total, version FROM payout_statements ORDER BY id"),
            "lines": n_rows(ctx, "SELECT COUNT(*) FROM payout_lines"),
            "audit": n_rows(ctx, "SELECT COUNT(*) FROM audit WHERE entity IN ('commission_plan', 'payout_statement', "
                                 "'bonus_pool', 'recognition')")}


# ---- an independent model of the rules (docs/TEAM.md "Incentives")

def trunc_div(a, b):
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def model(plan, target, sales, debts=(), cap=None):
    """sales: [(family, credited)] in day order; debts: [credited]; -> (lines' amounts, total)."""
    rates = {r["family"]: r["rate_bp"] for r in plan.get("rates", [])}
    tiers = sorted((t["from_bp"], t["multiplier_bp"]) for t in plan.get("tiers", []))
    net = sum(c for _, c in sales)
    att = trunc_div(net * 10000, target) if target else None
    below = att is not None and att < plan.get("threshold_bp", 0)
    out, cum = [], 0
    bounds = [(-10 ** 30, 10000)] + [(target * f // 10000, m) for f, m in tiers] if target else [(-10 ** 30, 10000)]
    for fam, c in sales:
        rate = rates.get(fam, plan.get("default_rate_bp", 0))
        if c < 0:
            out.append(trunc_div(c * rate, 10000))
        elif c > 0 and not below:
            c0, c1 = cum, cum + c
            for i, (lo, mult) in enumerate(bounds):
                hi = bounds[i + 1][0] if i + 1 < len(bounds) else 10 ** 30
                s, e = max(c0, lo), min(c1, hi)
                if e > s:
                    out.append((e - s) * rate * mult // 100000000)
        if c > 0:
            cum += c
    for c in debts:
        out.append(-(c * plan.get("default_rate_bp", 0) // 10000))
    total = sum(out)
    if cap is not None and total > cap:
        out.append(cap - total)
        total = cap
    return out, total


def spread(xs):
    xs = sorted(xs)
    n = len(xs)

    def q(p):
        pos = (n - 1) * p
        lo = int(pos)
        return xs[lo] if lo + 1 >= n else xs[lo] + (pos - lo) * (xs[lo + 1] - xs[lo])
    mean = sum(xs) / n
    var = sum((x - mean) ** 2 for x in xs) / n
    gini = sum(abs(a - b) for a in xs for b in xs) / (2 * n * n * mean) if mean else 0
    return {"n": n, "min": xs[0], "max": xs[-1], "q1": q(.25), "median": q(.5), "q3": q(.75), "mean": mean,
            "cv": (var ** .5) / mean if mean else 0, "gini": gini}


# ---- the world of the worked example

def world(ctx):
    if "INC_world" in ctx.ids:
        return ctx.ids["INC_world"]
    a = ctx.admin
    W = {}
    W["am"] = am = ctx.new_user("inc_am", "account_manager", team="east")
    W["sv"] = sv = ctx.new_user("inc_sv", "service", team="east", login=False)
    W["famA"], W["famB"] = famA, famB = "IncA" + ctx.tag, "IncB" + ctx.tag
    skuA, skuB = ctx.uniq("ISA"), ctx.uniq("ISB")
    for sku, fam in ((skuA, famA), (skuB, famB)):
        ctx.must(a.post("/api/v1/products", {"sku": sku, "name": sku, "family": fam}), 201, "product")
    W["acc"] = acc = ctx.must(a.post("/api/v1/accounts", {"code": ctx.uniq("INC"), "name": "激励客户 " + ctx.tag,
                                                           "owner_id": am.id}), 201, "account")["id"]
    ctx.must(a.post("/api/v1/accounts/%d/members" % acc, {"user_id": sv.id, "dept_role": "service"}), 201, "member")
    W["ol"] = []
    for day, sku, amt, q in (("2019-01-10", skuA, 750000, 1), ("2019-01-20", skuB, 625000, 1),
                             ("2019-02-05", skuA, 250000, 1), ("2019-03-01", skuA, -62500, -1)):
        j = ctx.must(a.post("/api/v1/orders", {"external_id": ctx.uniq("IOL"), "date": day, "account_id": acc,
                                               "sku": sku, "quantity": q,
                                               "amount": {"amount": amt, "currency": "CNY"}}), 201, "order line")
        W["ol"].append(j["id"])
    # invoices: one unpaid 30 days after its due day inside the quarter (bad debt), one paid, one
    # that turns bad only in the next quarter
    for no, due, paid in (("B", "2019-02-15", 0), ("P", "2019-02-10", 100000), ("L", "2019-03-15", 0)):
        sql(ctx, "INSERT INTO invoices (invoice_no, account_id, day, due_day, amount, currency, amount_base, paid, "
                 "created_at, updated_at) VALUES ('%s', %d, '2019-01-16', '%s', 100000, 'CNY', 100000, %d, 0, 0)"
            % (ctx.uniq("INV" + no), acc, due, paid))
    W["inv"] = n_rows(ctx, "SELECT id FROM invoices WHERE account_id = %d AND due_day = '2019-02-15'" % acc)
    sql(ctx, "INSERT INTO appraisal_schemes (name, role, period_kind, active, version, created_at, updated_at) "
             "VALUES ('inc-%s', 'account_manager', 'quarter', 1, 1, 0, 0)" % ctx.tag)
    scheme = n_rows(ctx, "SELECT id FROM appraisal_schemes WHERE name = 'inc-%s'" % ctx.tag)
    for uid, status, score in ((am.id, "final", 12000), (sv.id, "calibrated", 8000),
                               (ctx.U("lead_e").id, "draft", 9000)):
        sql(ctx, "INSERT INTO scorecards (scheme_id, user_id, period_start, period_end, status, score, version, "
                 "created_at, updated_at) VALUES (%d, %d, '2019-01-01', '2019-03-31', '%s', %d, 1, 0, 0)"
            % (scheme, uid, status, score))
    ctx.ids["INC_world"] = W
    return W


def plan_body(ctx, W):
    return {"name": "销售提成 " + ctx.tag, "period_kind": "quarter", "basis": "revenue", "default_rate_bp": 200,
            "threshold_bp": 5000, "bad_debt_days": 30,
            "rates": [{"family": W["famA"], "rate_bp": 500}, {"family": W["famB"], "rate_bp": 300}],
            "tiers": [{"from_bp": 12000, "multiplier_bp": 20000}, {"from_bp": 10000, "multiplier_bp": 15000}],
            "splits": [{"dept_role": "owner", "share_bp": 8000}, {"dept_role": "service", "share_bp": 2000}],
            "targets": [{"user_id": W["am"].id, "period": PERIOD, "amount": 1000000}]}


def line_tuple(l):
    return (l["kind"], l["reason"], l["order_line_id"], l["invoice_id"], l["tier"], l["line_amount"], l["share_bp"],
            l["basis"], l["rate_bp"], l["multiplier_bp"], l["amount"])


def g_incentives(ctx):
    ck = ctx.ck
    W = world(ctx)
    am, sv = W["am"], W["sv"]
    ol, inv = W["ol"], W["inv"]
    hr, fin = ctx.U("hr").client, ctx.U("fin").client
    body = plan_body(ctx, W)
    r = hr.post("/api/v1/commission-plans", body)
    if not ck.expect(r, 201, "hr makes a commission plan",
                     json={"version": 1, "currency": "CNY", "cap": None,
                           "tiers": [{"from_bp": 10000, "multiplier_bp": 15000},
                                     {"from_bp": 12000, "multiplier_bp": 20000}],
                           "targets": [{"user_id": am.id, "period": PERIOD, "period_start": "2019-01-01",
                                        "amount": 1000000}]}):
        return
    P = r.json["id"]
    ctx.ids["INC_plan"] = P
    ck.ok(n_rows(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'commission_plan' AND entity_id = %d AND action = "
                      "'create'" % P) == 1, "the plan's creation audited")
    r = hr.post("/api/v1/bonus-pools", {"plan_id": P, "name": "季度奖金池 " + ctx.tag, "period": PERIOD,
                                        "amount": 10000, "team_id": ctx.teams["east"]})
    # shares by score among final/calibrated scorecards of the period (a draft does not count):
    # 10000 x 12000 / 20000 = 6000, 10000 x 8000 / 20000 = 4000
    if not ck.expect(r, 201, "a bonus pool with its shares",
                     json={"period_start": "2019-01-01", "period_end": "2019-03-31",
                           "shares": [{"user_id": am.id, "score": 12000, "amount": 6000},
                                      {"user_id": sv.id, "score": 8000, "amount": 4000}]}):
        return
    pool = r.json["id"]
    pool_name = r.json["name"]
    # the shares carry each person's score and bonus: a reader of plans sees their own and their
    # team's only; hr and finance every one
    for who, want in ((am, {am.id}), (ctx.U("lead_e"), {am.id, sv.id}), (ctx.U("am_w"), set()),
                      (ctx.U("fin"), {am.id, sv.id})):
        r = who.client.get("/api/v1/bonus-pools/%d" % pool)
        got = {x["user_id"] for x in r.json.get("shares", [])} if r.status == 200 else None
        ck.ok(got == want, "bonus pool shares seen by %s" % who.login, "got %r, want %r" % (got, want))

    r = hr.post("/api/v1/payouts/compute", {"plan_id": P, "period": PERIOD, "user_ids": [am.id, sv.id]})
    if not ck.expect(r, 200, "hr computes the quarter's statements"):
        return
    by_user = {s["user_id"]: s for s in r.json["items"]}
    ck.ok(set(by_user) == {am.id, sv.id} and r.json["skipped"] == [], "two statements", r.describe())
    s_am, s_sv = by_user[am.id]["id"], by_user[sv.id]["id"]
    # by hand: the owner is credited 8000 / (8000 + 2000) = 80 % of each line: 600,000 / 500,000 /
    # 200,000 / -50,000; target 1,000,000; tiers from 100 % (x1.5) and 120 % (x2), marginal:
    #   line 1 A 600,000 in tier 0 at 5 %                      30,000
    #   line 2 B 400,000 in tier 0 at 3 %                      12,000
    #          B 100,000 in tier 1 at 3 % x 1.5                 4,500
    #   line 3 A 100,000 in tier 1 at 5 % x 1.5                 7,500
    #          A 100,000 in tier 2 at 5 % x 2                  10,000
    #   line 4 a return of -50,000 at 5 % (base rate)          -2,500
    #   bad debt: invoice of 100,000 unpaid 30 days after its due day (2019-02-15 -> 2019-03-17),
    #   80 % = 80,000 at the default 2 %                       -1,600
    #   bonus: 6,000
    # = 65,900; net credited 1,250,000: attainment 12,500 bp
    want_am = [
        ("commission", "", ol[0], None, 0, 750000, 8000, 600000, 500, 10000, 30000),
        ("commission", "", ol[1], None, 0, 625000, 8000, 400000, 300, 10000, 12000),
        ("commission", "", ol[1], None, 1, 625000, 8000, 100000, 300, 15000, 4500),
        ("commission", "", ol[2], None, 1, 250000, 8000, 100000, 500, 15000, 7500),
        ("commission", "", ol[2], None, 2, 250000, 8000, 100000, 500, 20000, 10000),
        ("clawback", "return", ol[3], None, 0, -62500, 8000, -50000, 500, 10000, -2500),
        ("clawback", "bad_debt", None, inv, 0, 100000, 8000, -80000, 200, 10000, -1600),
        ("bonus", pool_name, None, None, 0, 10000, 0, 12000, 0, 10000, 6000),
    ]
    r = am.client.get("/api/v1/payouts/%d" % s_am)
    if ck.expect(r, 200, "the account manager reads their own statement",
                 json={"status": "draft", "total": 65900, "credited": 1250000, "attainment_bp": 12500,
                       "target": 1000000, "period": PERIOD, "currency": "CNY", "lines_more": False,
                       "plan_version": 1}):
        got = [line_tuple(l) for l in r.json["lines"]]
        ck.same(want_am, got, "every line of the statement as computed by hand")
        ck.ok(sum(l["amount"] for l in r.json["lines"]) == r.json["total"], "the lines add up to the total")
        ck.ok(r.json["lines"][0]["day"] == "2019-01-10" and r.json["lines"][6]["day"] == "2019-03-17",
              "the days of the lines", r.describe())
    # the service member: 20 %, no target (base rates, no threshold, no accelerator):
    # 150,000 x 5 % + 125,000 x 3 % + 50,000 x 5 % - 12,500 x 5 % - 20,000 x 2 % + 4,000
    r = ctx.admin.get("/api/v1/payouts/%d" % s_sv)
    if ck.expect(r, 200, "the service member's statement", json={"total": 16725, "target": None,
                                                                 "attainment_bp": None}):
        ck.same([7500, 3750, 2500, -625, -400, 4000], [l["amount"] for l in r.json["lines"]],
                "the service member's lines")
    # the model agrees
    _, t = model(body, 1000000, [(W["famA"], 600000), (W["famB"], 500000), (W["famA"], 200000),
                                 (W["famA"], -50000)], [80000])
    ck.ok(t + 6000 == 65900, "the Python model gives the same total", t)

    # a cap: finance changes the plan (a new version, audited), the recompute cuts to 50,000
    r = fin.patch("/api/v1/commission-plans/%d" % P, {"cap": 50000, "version": 1})
    ck.expect(r, 200, "finance sets a cap", json={"cap": 50000, "version": 2})
    ck.expect(fin.patch("/api/v1/commission-plans/%d" % P, {"cap": 1, "version": 1}), 409, "a stale version",
              field="version")
    ck.ok(n_rows(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'commission_plan' AND entity_id = %d AND action = "
                      "'update' AND changes LIKE '%%cap%%'" % P) == 1, "the cap audited")
    r = hr.post("/api/v1/payouts/compute", {"plan_id": P, "period": PERIOD, "user_ids": [am.id]})
    ck.expect(r, 200, "recomputed", json={"items": [{"id": s_am, "total": 56000, "plan_version": 2, "version": 2}]})
    r = am.client.get("/api/v1/payouts/%d" % s_am)
    if ck.expect(r, 200, "the capped statement"):
        kinds = [(l["kind"], l["basis"], l["amount"]) for l in r.json["lines"]]
        ck.same(("cap", 59900, -9900), kinds[7], "a cap line takes 9,900 off the 59,900 of commission")
        ck.same(("bonus", 12000, 6000), kinds[8], "the bonus comes after the cap")
    ck.ok(n_rows(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'payout_statement' AND entity_id = %d AND action "
                      "= 'recompute'" % s_am) == 1, "the recompute audited")

    # ---- personal data
    ck.expect(ctx.U("am_e").client.get("/api/v1/payouts/%d" % s_am), 404, "another account manager: 404")
    ck.expect(ctx.U("lead_e").client.get("/api/v1/payouts/%d" % s_am), 200, "the team lead reads their member's")
    ck.expect(ctx.U("lead_w").client.get("/api/v1/payouts/%d" % s_am), 404, "another team's lead: 404")
    ck.expect(ctx.U("dir").client.get("/api/v1/payouts/%d" % s_am), 200, "the director reads it")
    ck.expect(ctx.U("service_e").client.get("/api/v1/payouts/%d" % s_am), 404,
              "a colleague of the team (service) does not")
    r = am.client.get("/api/v1/payouts", {"period": PERIOD})
    ck.ok(r.status == 200 and [s["id"] for s in r.json["items"]] == [s_am], "the manager lists their own only",
          r.describe())
    r = ctx.U("am_e").client.get("/api/v1/payouts", {"period": PERIOD})
    ck.ok(r.status == 200 and s_am not in [s["id"] for s in r.json["items"]], "not in another manager's list",
          r.describe())
    r = ctx.U("lead_e").client.get("/api/v1/payouts", {"period": PERIOD, "plan_id": str(P)})
    ck.ok(r.status == 200 and {s["id"] for s in r.json["items"]} == {s_am, s_sv}, "the lead lists the team's",
          r.describe())
    r = ctx.U("lead_w").client.get("/api/v1/payouts", {"period": PERIOD, "plan_id": str(P)})
    ck.ok(r.status == 200 and r.json["items"] == [], "another lead lists none", r.describe())
    ck.expect(ctx.U("am_e").client.get("/api/v1/users/%d/payouts" % am.id), 404, "another manager: a person's list 404")
    r = ctx.U("lead_e").client.get("/api/v1/users/%d/payouts" % am.id)
    ck.ok(r.status == 200 and [s["id"] for s in r.json["items"]] == [s_am], "the lead: the person's list",
          r.describe())

    # ---- the workflow
    before = state(ctx)
    ck.expect(am.client.post("/api/v1/payouts/%d/submit" % s_am, {}), 403, "the manager cannot submit")
    ck.expect(fin.post("/api/v1/payouts/%d/approve" % s_am, {}), 409, "a draft cannot be approved",
              json={"error": {"key": "payout.bad_transition"}})
    ck.same(before, state(ctx), "nothing changed")
    ck.expect(hr.post("/api/v1/payouts/%d/submit" % s_am, {}), 200, "hr submits", json={"status": "submitted"})
    before = state(ctx)
    # hr reads statements but approves nothing; hr reads no accounts, so dispatch answers 404
    ck.expect(hr.post("/api/v1/payouts/%d/approve" % s_am, {}), 403, "hr reads the statement but cannot approve: 403")
    ck.expect(ctx.U("lead_e").client.post("/api/v1/payouts/%d/approve" % s_am, {}), 403, "the lead cannot approve")
    ck.same(before, state(ctx), "nothing changed")
    r = fin.post("/api/v1/payouts/%d/approve" % s_am, {})
    ck.expect(r, 200, "finance approves", json={"status": "approved", "approved_by": ctx.U("fin").id})
    before = state(ctx)
    ck.expect(hr.post("/api/v1/payouts/compute", {"plan_id": P, "period": PERIOD, "user_ids": [am.id, sv.id]}), 409,
              "an approved statement is frozen", field="user_ids", json={"error": {"key": "payout.frozen"}})
    ck.same(before, state(ctx), "nothing recomputed, not even the other person's")
    r = hr.post("/api/v1/payouts/compute", {"plan_id": P, "period": PERIOD})
    ck.ok(r.status == 200 and s_am in r.json["skipped"] and s_sv in [s["id"] for s in r.json["items"]],
          "without user_ids the frozen one is skipped, the rest refreshed", r.describe())
    ck.expect(fin.post("/api/v1/payouts/%d/reject" % s_am, {"reason": "late"}), 409, "an approved one is not rejected",
              json={"error": {"key": "payout.bad_transition"}})
    ck.expect(fin.post("/api/v1/payouts/%d/pay" % s_am, {}), 200, "paid", json={"status": "paid"})
    ck.expect(hr.post("/api/v1/payouts/%d/submit" % s_sv, {}), 200, "the other submitted")
    ck.expect(fin.post("/api/v1/payouts/%d/reject" % s_sv, {}), 400, "a rejection needs a reason", field="reason")
    ck.expect(fin.post("/api/v1/payouts/%d/reject" % s_sv, {"reason": "  "}), (200, 400), "blank reason")
    r = ctx.admin.get("/api/v1/payouts/%d" % s_sv)
    if r.json["status"] == "submitted":
        ck.expect(fin.post("/api/v1/payouts/%d/reject" % s_sv, {"reason": "份额待确认"}), 200, "rejected with a reason",
                  json={"status": "rejected", "reason": "份额待确认"})
    ck.expect(hr.post("/api/v1/payouts/compute", {"plan_id": P, "period": PERIOD, "user_ids": [sv.id]}), 200,
              "a rejected statement is recomputed", json={"items": [{"status": "draft", "reason": ""}]})
    ck.ok(n_rows(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'payout_statement' AND entity_id = %d AND action IN "
                      "('submit', 'approve', 'pay')" % s_am) == 3, "every move audited")

    # ---- the payroll workbook
    r = fin.get("/api/v1/payouts/payroll", {"period": PERIOD, "status": "paid"})
    if ck.expect(r, 200, "the payroll workbook"):
        try:
            z = zipfile.ZipFile(io.BytesIO(r.body))
            wb = z.read("xl/workbook.xml").decode()
            strings = z.read("xl/sharedStrings.xml").decode()
            s1 = z.read("xl/worksheets/sheet1.xml").decode()
            s2 = z.read("xl/worksheets/sheet2.xml").decode()
        except Exception as e:  # noqa: BLE001
            ck.ok(False, "the workbook unzips", repr(e))
        else:
            ck.ok('name="Payroll"' in wb and 'name="Lines"' in wb, "two sheets", wb[:300])
            ck.ok(am.login in strings and PERIOD in strings, "the login and period in the sheets")
            ck.ok("<v>560</v>" in s1, "the total 560.00 as a number", s1[:600])
            ck.ok(len(re.findall(r"<row ", s1)) == 2, "one row per paid statement", s1[:600])
            ck.ok(len(re.findall(r"<row ", s2)) == 10, "a row per line (9) and the header", s2[:300])
    ck.expect(fin.get("/api/v1/payouts/payroll", {}), 400, "payroll needs a period", field="period")
    ck.expect(fin.get("/api/v1/payouts/payroll", {"period": "2019-Q5"}), 400, "a bad period", field="period")
    r = fin.get("/api/v1/payouts/export", {"format": "csv", "period": PERIOD, "plan_id": str(P)})
    ck.ok(r.status == 200 and am.login in r.body.decode("utf-8-sig"), "the list export", r.describe())
    r = fin.get("/api/v1/payouts/%d/lines" % s_am, {"limit": "4"})
    ck.ok(r.status == 200 and len(r.json["items"]) == 4 and r.json["next_cursor"], "lines paged", r.describe())
    if r.status == 200 and r.json.get("next_cursor"):
        r2 = fin.get("/api/v1/payouts/%d/lines" % s_am, {"limit": "10", "cursor": r.json["next_cursor"]})
        ck.ok(r2.status == 200 and [l["seq"] for l in r2.json["items"]] == [5, 6, 7, 8, 9], "the next page",
              r2.describe())


def g_simulate(ctx):
    ck = ctx.ck
    W = world(ctx)
    P = ctx.ids.get("INC_plan")
    if not ck.ok(P is not None, "the plan of the incentives group"):
        return
    hr = ctx.U("hr").client
    am, sv = W["am"], W["sv"]
    r = hr.post("/api/v1/commission-plans", {"name": "对照方案 " + ctx.tag, "default_rate_bp": 100})
    if not ck.expect(r, 201, "a flat plan to compare with"):
        return
    P2 = r.json["id"]
    before = state(ctx)
    r = hr.post("/api/v1/commission-plans/%d/simulate" % P, {"period_from": PERIOD, "period_to": PERIOD,
                                                             "compare_plan_id": P2})
    if not ck.expect(r, 200, "the simulator", json={"periods": 1, "compare_plan_id": P2}):
        return
    ck.same(before, state(ctx), "the simulator writes nothing")
    plan = ctx.admin.get("/api/v1/commission-plans/%d" % P).json
    flat = ctx.admin.get("/api/v1/commission-plans/%d" % P2).json
    # the model: the capped plan (no bonus in the simulator) and the flat one (the owner alone, 1 %)
    _, am_a = model(plan, 1000000, [(W["famA"], 600000), (W["famB"], 500000), (W["famA"], 200000),
                                    (W["famA"], -50000)], [80000], cap=plan["cap"])
    _, sv_a = model(plan, 0, [(W["famA"], 150000), (W["famB"], 125000), (W["famA"], 50000), (W["famA"], -12500)],
                    [20000], cap=plan["cap"])
    _, am_b = model(flat, 0, [(W["famA"], 750000), (W["famB"], 625000), (W["famA"], 250000), (W["famA"], -62500)])
    people = {p["user_id"]: p for p in r.json["people"]}
    ck.ok(am.id in people and sv.id in people, "both people simulated", r.describe())
    if am.id in people and sv.id in people:
        ck.same((am_a, am_b, am_a - am_b), (people[am.id]["amount"], people[am.id]["compare_amount"],
                                            people[am.id]["delta"]), "the owner: plan, compared plan, gain")
        ck.same((sv_a, 0, sv_a), (people[sv.id]["amount"], people[sv.id]["compare_amount"], people[sv.id]["delta"]),
                "the service member gains all under the split plan")
        ck.ok((am_a, sv_a, am_b) == (50000, 12725, 15625), "the model's numbers by hand", (am_a, sv_a, am_b))
    amounts = [p["amount"] for p in r.json["people"]]
    ck.ok(r.json["total"] == sum(amounts) and r.json["compare_total"] == sum(p["compare_amount"] for p in
                                                                              r.json["people"]), "totals")
    want = spread(amounts)
    got = r.json["spread"]
    ck.ok(all(abs(got[k] - want[k]) < 1e-6 for k in want), "the spread as computed in Python", (got, want))
    bad = [({"period_from": PERIOD}, "period_to"), ({"period_from": "2019-Q2", "period_to": PERIOD}, "period_to"),
           ({"period_from": "2019-01", "period_to": "2019-Q1"}, "period_from"),
           ({"period_from": "2010-Q1", "period_to": "2019-Q4"}, "period_to"),
           ({"period_from": PERIOD, "period_to": PERIOD, "compare_plan_id": 999999999}, "compare_plan_id"),
           ({"period_from": PERIOD, "period_to": PERIOD, "x": 1}, "x")]
    for b, field in bad:
        ck.expect(hr.post("/api/v1/commission-plans/%d/simulate" % P, b), 400, "simulate %r -> 400 %s" % (b, field),
                  field=field)
    # the same plan as a body not saved gives the same figures
    unsaved = {k: plan[k] for k in ("name", "period_kind", "basis", "default_rate_bp", "threshold_bp", "cap",
                                    "bad_debt_days", "rates", "tiers", "splits")}
    unsaved["targets"] = [{"user_id": t["user_id"], "period": t["period"], "amount": t["amount"]}
                          for t in plan["targets"]]
    before = state(ctx)
    r2 = hr.post("/api/v1/commission-plans/simulate", {"plan": unsaved, "period_from": PERIOD, "period_to": PERIOD,
                                                       "compare_plan_id": P2})
    if ck.expect(r2, 200, "the simulator on a plan not saved", json={"plan_id": None, "compare_plan_id": P2}):
        ck.same({p["user_id"]: p["amount"] for p in r.json["people"]},
                {p["user_id"]: p["amount"] for p in r2.json["people"]}, "the same figures as the saved plan")
    # without the accelerators and the cap the owner earns on base rates:
    # 30,000 + 15,000 + 10,000 - 2,500 - 1,600
    unsaved["tiers"] = []
    unsaved["cap"] = None
    r3 = hr.post("/api/v1/commission-plans/simulate", {"plan": unsaved, "period_from": PERIOD, "period_to": PERIOD})
    if ck.expect(r3, 200, "a variant without accelerators", json={"compare_plan_id": None}):
        _, am_flat = model(dict(unsaved), 1000000, [(W["famA"], 600000), (W["famB"], 500000), (W["famA"], 200000),
                                                   (W["famA"], -50000)], [80000])
        got = {p["user_id"]: p["amount"] for p in r3.json["people"]}
        ck.ok(got.get(am.id) == am_flat == 50900, "the owner without accelerators", (got.get(am.id), am_flat))
    ck.same(before, state(ctx), "nothing written")
    for b, field in [({"period_from": PERIOD, "period_to": PERIOD}, "plan"),
                     ({"plan": dict(unsaved, rates=[{"family": "x"}]), "period_from": PERIOD, "period_to": PERIOD},
                      "plan.rates[0].rate_bp"),
                     ({"plan": dict(unsaved, default_rate_bp=-1), "period_from": PERIOD, "period_to": PERIOD},
                      "plan.default_rate_bp"),
                     ({"plan": dict(unsaved, colour=1), "period_from": PERIOD, "period_to": PERIOD}, "plan")]:
        ck.expect(hr.post("/api/v1/commission-plans/simulate", b), 400, "simulate a body -> 400 %s" % field,
                  field=field)
    ck.expect(ctx.U("am_e").client.post("/api/v1/commission-plans/%d/simulate" % P,
                                        {"period_from": PERIOD, "period_to": PERIOD}), 403,
              "an account manager does not design plans")


def g_margin(ctx):
    """basis margin: revenue minus the product's standard cost (unit_cost x quantity); a product
    without a cost counts a margin of 0 (reason no_cost)."""
    ck = ctx.ck
    a = ctx.admin
    am3 = ctx.new_user("inc_m", "account_manager", login=False)
    fam = "IncM" + ctx.tag
    sku, sku0 = ctx.uniq("ISM"), ctx.uniq("ISN")
    ctx.must(a.post("/api/v1/products", {"sku": sku, "name": sku, "family": fam, "unit_cost": 250000}), 201, "product")
    ctx.must(a.post("/api/v1/products", {"sku": sku0, "name": sku0, "family": fam}), 201, "product")
    acc = ctx.must(a.post("/api/v1/accounts", {"code": ctx.uniq("INM"), "name": "毛利客户 " + ctx.tag,
                                               "owner_id": am3.id}), 201, "account")["id"]
    for s, amt, q in ((sku, 1000000, 2), (sku0, 100000, 1)):
        ctx.must(a.post("/api/v1/orders", {"external_id": ctx.uniq("IOM"), "date": "2019-04-10", "account_id": acc,
                                           "sku": s, "quantity": q, "amount": {"amount": amt, "currency": "CNY"}}),
                 201, "order line")
    r = a.post("/api/v1/commission-plans", {"name": "毛利提成 " + ctx.tag, "basis": "margin", "default_rate_bp": 1000})
    if not ck.expect(r, 201, "a margin plan", json={"basis": "margin"}):
        return
    r = a.post("/api/v1/payouts/compute", {"plan_id": r.json["id"], "period": "2019-Q2", "user_ids": [am3.id]})
    if not ck.expect(r, 200, "computed"):
        return
    s = a.get("/api/v1/payouts/%d" % r.json["items"][0]["id"]).json
    # 1,000,000 - 2 x 250,000 = 500,000 margin at 10 % = 50,000; the line without a cost: 0
    ck.same([(500000, 50000, ""), (0, 0, "no_cost")], [(l["basis"], l["amount"], l["reason"]) for l in s["lines"]],
            "margin lines")
    ck.ok(s["total"] == 50000 and s["credited"] == 1100000, "total on margin, credit on revenue", s)


def g_plans_misc(ctx):
    ck = ctx.ck
    W = world(ctx)
    hr = ctx.U("hr").client
    body = plan_body(ctx, W)
    body["name"] = "校验 " + ctx.tag
    before = state(ctx)
    bad = [
        ({k: v for k, v in body.items() if k != "name"}, "name"),
        (dict(body, name=" "), "name"),
        (dict(body, name="n" * 201), "name"),
        (dict(body, currency="cny"), "currency"),
        (dict(body, period_kind="week"), "period_kind"),
        (dict(body, basis="profit"), "basis"),
        (dict(body, default_rate_bp=10001), "default_rate_bp"),
        (dict(body, threshold_bp=-1), "threshold_bp"),
        (dict(body, cap=-1), "cap"),
        (dict(body, bad_debt_days=3651), "bad_debt_days"),
        (dict(body, note="x" * 4001), "note"),
        (dict(body, rates=[{"family": W["famA"]}]), "rates[0].rate_bp"),
        (dict(body, rates=[{"family": "A", "rate_bp": 1}, {"family": "A", "rate_bp": 2}]), "rates[1].family"),
        (dict(body, rates=[{"family": "F%d" % i, "rate_bp": 1} for i in range(51)]), "rates"),
        (dict(body, tiers=[{"from_bp": 0, "multiplier_bp": 15000}]), "tiers[0].from_bp"),
        (dict(body, tiers=[{"from_bp": 10000, "multiplier_bp": 100001}]), "tiers[0].multiplier_bp"),
        (dict(body, tiers=[{"from_bp": 10000, "multiplier_bp": 1}, {"from_bp": 10000, "multiplier_bp": 2}]),
         "tiers[1].from_bp"),
        (dict(body, splits=[{"dept_role": "owner", "share_bp": 9000}]), "splits"),
        (dict(body, splits=[{"dept_role": "ceo", "share_bp": 10000}]), "splits[0].dept_role"),
        (dict(body, targets=[{"user_id": W["am"].id, "period": "2019-13", "amount": 1}]), "targets[0].period"),
        (dict(body, targets=[{"user_id": 999999999, "period": PERIOD, "amount": 1}]), "targets[0].user_id"),
        (dict(body, targets=[{"user_id": W["am"].id, "period": PERIOD, "amount": 0}]), "targets[0].amount"),
        (dict(body, version=1), "version"),
        (dict(body, colour="red"), "colour"),
    ]
    for b, field in bad:
        ck.expect(hr.post("/api/v1/commission-plans", b), 400, "POST plan -> 400 naming %s" % field, field=field)
    P = ctx.ids.get("INC_plan")
    if P:
        ck.expect(hr.patch("/api/v1/commission-plans/%d" % P, {"period_kind": "month"}), 400,
                  "the period kind does not change", field="period_kind")
        cbad = [({"period": PERIOD}, "plan_id"), ({"plan_id": P}, "period"),
                ({"plan_id": 999999999, "period": PERIOD}, "plan_id"), ({"plan_id": P, "period": "2019-05"}, "period"),
                ({"plan_id": P, "period": PERIOD, "user_ids": [999999999]}, "user_ids[0]")]
        for b, field in cbad:
            ck.expect(hr.post("/api/v1/payouts/compute", b), 400, "compute %r -> 400 %s" % (b, field), field=field)
        pbad = [({"plan_id": P, "name": "x", "period": "2019-01", "amount": 1}, "period"),
                ({"plan_id": P, "name": "x", "period": PERIOD, "amount": 0}, "amount"),
                ({"plan_id": P, "name": "x", "period": PERIOD, "amount": 1, "role": "king"}, "role"),
                ({"plan_id": P, "name": "x", "period": PERIOD, "amount": 1, "team_id": 999999999}, "team_id"),
                ({"plan_id": 999999999, "name": "x", "period": PERIOD, "amount": 1}, "plan_id")]
        for b, field in pbad:
            ck.expect(hr.post("/api/v1/bonus-pools", b), 400, "pool %r -> 400 %s" % (b, field), field=field)
    ck.expect(hr.post("/api/v1/recognitions", {"user_id": W["am"].id}), 400, "recognition needs a title",
              field="title")
    ck.expect(hr.post("/api/v1/recognitions", {"user_id": 999999999, "title": "x"}), 400, "no such user",
              field="user_id")
    ck.expect(hr.post("/api/v1/recognitions", {"user_id": W["am"].id, "title": "x", "day": "2019-02-30"}), 400,
              "a bad day", field="day")
    ck.same(before, state(ctx), "nothing written by any refused request")
    # recognition: visible to every reader of plans (account managers too), not to service
    r = hr.post("/api/v1/recognitions", {"user_id": W["am"].id, "title": "季度之星 " + ctx.tag,
                                         "reason": "大客户续约", "day": "2019-03-31"})
    ck.expect(r, 201, "hr recognises a person", json={"day": "2019-03-31", "created_by": ctx.U("hr").id})
    r = ctx.U("am_e").client.get("/api/v1/recognitions", {"user_id": str(W["am"].id)})
    ck.ok(r.status == 200 and [x["title"] for x in r.json["items"]] == ["季度之星 " + ctx.tag],
          "an account manager sees recognition", r.describe())
    ck.expect(ctx.U("service_e").client.get("/api/v1/recognitions"), 403, "service reads no commission data")
    r = ctx.U("am_e").client.get("/api/v1/commission-plans", {"limit": "500"})
    ck.ok(r.status == 200 and any(p["id"] == P for p in r.json["items"]), "plans are read by account managers")
    ck.expect(ctx.U("am_e").client.post("/api/v1/commission-plans", {"name": "x"}), 403, "but not made by them")
    # delete: a plan in use is kept (409), an unused one goes with its lists, audited
    if P:
        before = state(ctx)
        ck.expect(ctx.admin.delete("/api/v1/commission-plans/%d" % P), 409, "a plan with statements is kept",
                  json={"error": {"key": "commission_plan.in_use"}})
        ck.same(before, state(ctx), "nothing deleted")
    r = hr.post("/api/v1/commission-plans", dict(plan_body(ctx, W), name="删除 " + ctx.tag))
    if ck.expect(r, 201, "a plan to delete"):
        pid = r.json["id"]
        ck.expect(hr.delete("/api/v1/commission-plans/%d" % pid), 403, "hr does not delete plans")
        ck.expect(ctx.admin.delete("/api/v1/commission-plans/%d" % pid), 204, "admin deletes an unused plan")
        ck.ok(n_rows(ctx, "SELECT COUNT(*) FROM commission_rates WHERE plan_id = %d" % pid) == 0 and
              n_rows(ctx, "SELECT COUNT(*) FROM commission_targets WHERE plan_id = %d" % pid) == 0 and
              n_rows(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'commission_plan' AND entity_id = %d AND "
                          "action = 'delete'" % pid) == 1, "its lists gone, the delete audited")
        ck.expect(ctx.admin.get("/api/v1/commission-plans/%d" % pid), 404, "gone")


# ---- the permission matrix

_PERIOD_N = [0]


def _next_period():
    _PERIOD_N[0] += 1
    k = _PERIOD_N[0]
    return "%04d-%02d" % (2000 + (k - 1) // 12, (k - 1) % 12 + 1)


def _mplan(ctx):
    if "INC_mplan" not in ctx.ids:
        ctx.ids["INC_mplan"] = ctx.must(ctx.admin.post("/api/v1/commission-plans", {
            "name": "矩阵方案 " + ctx.tag, "period_kind": "month", "default_rate_bp": 100}), 201, "matrix plan")["id"]
    return ctx.ids["INC_mplan"]


def _subject(ctx, u, rec_):
    return u.id if rec_ == "own" else ctx.U("am_w").id


def _stmt(ctx, uid, status="draft"):
    a = ctx.admin
    r = ctx.must(a.post("/api/v1/payouts/compute", {"plan_id": _mplan(ctx), "period": _next_period(),
                                                    "user_ids": [uid]}), 200, "matrix statement")
    sid = r["items"][0]["id"]
    for move in {"draft": [], "submitted": ["submit"], "approved": ["submit", "approve"]}[status]:
        ctx.must(a.post("/api/v1/payouts/%d/%s" % (sid, move), {}), 200, "matrix " + move)
    return sid


def _cached_stmt(ctx, u, rec_):
    key = "INC_ms_%s" % _subject(ctx, u, rec_)
    if key not in ctx.ids:
        ctx.ids[key] = _stmt(ctx, _subject(ctx, u, rec_))
    return ctx.ids[key]


def _pool(ctx):
    if "INC_mpool" not in ctx.ids:
        ctx.ids["INC_mpool"] = ctx.must(ctx.admin.post("/api/v1/bonus-pools", {
            "plan_id": _mplan(ctx), "name": "矩阵奖金 " + ctx.tag, "period": "1999-12", "amount": 100}), 201,
            "matrix pool")["id"]
    return ctx.ids["INC_mpool"]


def _stmt_state(ctx, sid):
    return lambda: (state(ctx), sql(ctx, "SELECT status, version FROM payout_statements WHERE id = %d" % sid))


@route("GET", "/api/v1/commission-plans", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/commission-plans", query={"limit": "5"})


@route("GET", "/api/v1/commission-plans/export", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/commission-plans/export", query={"format": "csv", "active": "false"})


@route("POST", "/api/v1/commission-plans", "none")
def _(ctx, u, rec_):
    return Attempt("POST", "/api/v1/commission-plans", {"name": "矩阵 " + ctx.uniq()}, ok=201,
                   state=lambda: state(ctx))


@route("GET", "/api/v1/commission-plans/{id}", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/commission-plans/%d" % _mplan(ctx))


@route("PATCH", "/api/v1/commission-plans/{id}", "none")
def _(ctx, u, rec_):
    return Attempt("PATCH", "/api/v1/commission-plans/%d" % _mplan(ctx), {"note": "matrix " + ctx.uniq()},
                   state=lambda: state(ctx))


@route("DELETE", "/api/v1/commission-plans/{id}", "none")
def _(ctx, u, rec_):
    pid = ctx.must(ctx.admin.post("/api/v1/commission-plans", {"name": "矩阵删除 " + ctx.uniq()}), 201,
                   "a plan to delete")["id"]
    return Attempt("DELETE", "/api/v1/commission-plans/%d" % pid, ok=204, state=lambda: state(ctx))


@route("POST", "/api/v1/commission-plans/simulate", "none")
def _(ctx, u, rec_):
    return Attempt("POST", "/api/v1/commission-plans/simulate",
                   {"plan": {"name": "矩阵草案", "period_kind": "month", "default_rate_bp": 50},
                    "period_from": "1999-01", "period_to": "1999-02"}, state=lambda: state(ctx))


@route("POST", "/api/v1/commission-plans/{id}/simulate", "none")
def _(ctx, u, rec_):
    return Attempt("POST", "/api/v1/commission-plans/%d/simulate" % _mplan(ctx),
                   {"period_from": "1999-01", "period_to": "1999-02"}, state=lambda: state(ctx))


@route("GET", "/api/v1/bonus-pools", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/bonus-pools", query={"limit": "5"})


@route("GET", "/api/v1/bonus-pools/export", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/bonus-pools/export", query={"format": "csv", "plan_id": str(_mplan(ctx))})


@route("POST", "/api/v1/bonus-pools", "none")
def _(ctx, u, rec_):
    return Attempt("POST", "/api/v1/bonus-pools", {"plan_id": _mplan(ctx), "name": "矩阵 " + ctx.uniq(),
                                                   "period": "1999-11", "amount": 1}, ok=201, state=lambda: state(ctx))


@route("GET", "/api/v1/bonus-pools/{id}", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/bonus-pools/%d" % _pool(ctx))


@route("PATCH", "/api/v1/bonus-pools/{id}", "none")
def _(ctx, u, rec_):
    return Attempt("PATCH", "/api/v1/bonus-pools/%d" % _pool(ctx), {"name": "矩阵 " + ctx.uniq()},
                   state=lambda: (state(ctx), sql(ctx, "SELECT name FROM bonus_pools WHERE id = %d" % _pool(ctx))))


@route("GET", "/api/v1/recognitions", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/recognitions", query={"limit": "5"})


@route("GET", "/api/v1/recognitions/export", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/recognitions/export", query={"format": "csv", "user_id": "me"})


@route("POST", "/api/v1/recognitions", "none")
def _(ctx, u, rec_):
    return Attempt("POST", "/api/v1/recognitions", {"user_id": ctx.U("am_w").id, "title": "矩阵 " + ctx.uniq()},
                   ok=201, state=lambda: state(ctx))


@route("POST", "/api/v1/payouts/compute", "none")
def _(ctx, u, rec_):
    return Attempt("POST", "/api/v1/payouts/compute", {"plan_id": _mplan(ctx), "period": _next_period(),
                                                       "user_ids": [ctx.U("am_w").id]}, state=lambda: state(ctx))


@route("GET", "/api/v1/payouts", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/payouts", query={"limit": "5"})


@route("GET", "/api/v1/payouts/export", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/payouts/export", query={"format": "csv", "status": "paid"})


@route("GET", "/api/v1/payouts/payroll", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/payouts/payroll", query={"period": "1999-01"})


@route("GET", "/api/v1/payouts/{id}", "payout")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/payouts/%d" % _cached_stmt(ctx, u, rec_))


@route("GET", "/api/v1/payouts/{id}/lines", "payout")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/payouts/%d/lines" % _cached_stmt(ctx, u, rec_))


@route("POST", "/api/v1/payouts/{id}/submit", "payout")
def _(ctx, u, rec_):
    sid = _stmt(ctx, _subject(ctx, u, rec_))
    return Attempt("POST", "/api/v1/payouts/%d/submit" % sid, {}, state=_stmt_state(ctx, sid))


@route("POST", "/api/v1/payouts/{id}/approve", "payout")
def _(ctx, u, rec_):
    sid = _stmt(ctx, _subject(ctx, u, rec_), "submitted")
    return Attempt("POST", "/api/v1/payouts/%d/approve" % sid, {}, state=_stmt_state(ctx, sid))


@route("POST", "/api/v1/payouts/{id}/reject", "payout")
def _(ctx, u, rec_):
    sid = _stmt(ctx, _subject(ctx, u, rec_), "submitted")
    return Attempt("POST", "/api/v1/payouts/%d/reject" % sid, {"reason": "matrix"}, state=_stmt_state(ctx, sid))


@route("POST", "/api/v1/payouts/{id}/pay", "payout")
def _(ctx, u, rec_):
    sid = _stmt(ctx, _subject(ctx, u, rec_), "approved")
    return Attempt("POST", "/api/v1/payouts/%d/pay" % sid, {}, state=_stmt_state(ctx, sid))


@route("GET", "/api/v1/users/{id}/payouts", "user")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/users/%d/payouts" % _subject(ctx, u, rec_))


def g_matrix(ctx):
    """t_matrix's loop over this file's operations only (run_matrix of t_disputes, with the one
    route under /users)."""
    ck = ctx.ck
    r = ctx.admin.get("/api/v1/openapi.json")
    if not ck.ok(r.status == 200, "openapi.json for the matrix"):
        return
    n = 0
    for meth, path, op in sorted(t_basic.openapi_ops(r.json), key=lambda o: (o[1], o[0])):
        if not (path.startswith(MY_PREFIXES) or path in MY_EXTRA):
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
                    deny = 403 if pol.may_read_record(role, rec == "own", obj, kind) else 404
                before = att.state() if (att.state and not allow) else None
                resp = u.client.request(att.method, att.path, att.body, query=att.query)
                name = "matrix %s %s %s [%s record]" % (role, meth, path, rec or "no")
                if allow:
                    ck.expect(resp, att.ok, "%s -> %s" % (name, att.ok))
                else:
                    ck.expect(resp, deny, "%s -> %d (denied)" % (name, deny))
                    if att.state:
                        ck.same(before, att.state(), name + ": nothing changed")
    ck.ok(n == 27, "27 operations of incentives.c in the matrix", "got %d" % n)


def g_targets_private(ctx):
    """A plan's per-person targets are personal: an account manager reading the plan sees their
    own target only, a lead those of their team, hr and finance every one."""
    ck = ctx.ck
    am_e, am_w, lead_e = ctx.U("am_e"), ctx.U("am_w"), ctx.U("lead_e")
    body = {"name": "目标保密 " + ctx.tag, "period_kind": "quarter", "basis": "revenue", "default_rate_bp": 100,
            "targets": [{"user_id": u.id, "period": PERIOD, "amount": amt}
                        for u, amt in ((am_e, 500000), (am_w, 700000), (lead_e, 900000))]}
    plan = ctx.must(ctx.U("hr").client.post("/api/v1/commission-plans", body), 201, "plan")
    path = "/api/v1/commission-plans/%d" % plan["id"]
    want = {"am_e": {am_e.id}, "am_w": {am_w.id}, "lead_e": {am_e.id, lead_e.id},
            "hr": {am_e.id, am_w.id, lead_e.id}, "fin": {am_e.id, am_w.id, lead_e.id}}
    for key, ids in sorted(want.items()):
        r = ctx.U(key).client.get(path)
        got = {t["user_id"] for t in (r.json or {}).get("targets", [])} if r.status == 200 else None
        ck.ok(got == ids, "commission plan targets seen by %s: own and led only (or all for hr/finance)" % key,
              "got %r, want %r" % (got, ids))
        r = ctx.U(key).client.get("/api/v1/commission-plans", query={"limit": "200"})
        row = [p for p in (r.json or {}).get("items", []) if p["id"] == plan["id"]] if r.status == 200 else []
        got = {t["user_id"] for t in row[0]["targets"]} if row else None
        ck.ok(got == ids, "commission plan list targets seen by %s" % key, "got %r, want %r" % (got, ids))


def g_race(ctx):
    """Two computes of one plan and period at the same moment, each making the same new
    statements: the second waits for the first (the plan row locked on PostgreSQL; one writer on
    SQLite) and recomputes them, so both answer 200 and no statement is there twice."""
    ck = ctx.ck
    W = world(ctx)
    am, sv = W["am"], W["sv"]
    hr, adm = ctx.U("hr").client, ctx.admin
    body = dict(plan_body(ctx, W), name="并发提成 " + ctx.tag, targets=[])
    P = ctx.must(hr.post("/api/v1/commission-plans", body), 201, "a plan for the race")["id"]
    bad = []
    for i in range(8):
        period = "%d-Q%d" % (2015 + i // 4, 1 + i % 4)  # a new quarter each round: new statements
        got = {}
        gate = threading.Barrier(2)

        def compute(name, c):
            gate.wait()
            r = c.post("/api/v1/payouts/compute", {"plan_id": P, "period": period, "user_ids": [am.id, sv.id]})
            got[name] = r.status
        ts = [threading.Thread(target=compute, args=(n, c)) for n, c in (("hr", hr), ("admin", adm))]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        n = n_rows(ctx, "SELECT COUNT(*) FROM payout_statements WHERE plan_id = %d AND period_start = '%d-%02d-01'"
                   % (P, 2015 + i // 4, 1 + 3 * (i % 4)))
        if got != {"hr": 200, "admin": 200} or n != 2:
            bad.append((period, got, n))
    ck.ok(not bad, "8 pairs of concurrent computes: both 200, two statements each time", str(bad))


GROUPS = [
    ("incentives_targets", g_targets_private, True),
    ("incentives", g_incentives, True),
    ("incentives_simulate", g_simulate, True),
    ("incentives_margin", g_margin, True),
    ("incentives_plans", g_plans_misc, True),
    ("incentives_matrix", g_matrix, True),
    ("incentives_race", g_race, True),
]
