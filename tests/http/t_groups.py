"""t_groups.py -- groups add up (issue 13, section 4): a group's figures with its subsidiaries.

The world: group G (owned by am_e) with subsidiaries S1 (am_e), S11 (am_e, under S1: depth 2)
and S2 (am_w: outside am_e's record scope), each with 24 complete months of sales before this
month (G 10,000, S1 20,000, S11 4,000, S2 50,000 yuan a month, +-3 % by month), and wallet
estimates for this year. Checked, as the director (reads every account) and as am_e:
- the dashboard series and breakdown: alone = G's own; subsidiaries=1 = the sum of the parts
  the caller may read, with `group` naming how many subsidiaries were added and how many were
  left out (am_e: 2 added, 1 not visible); by=account lists exactly those accounts;
- the forecast of the rolled-up series is fitted on the group's total (its level);
- the behaviour profile: the family mix of the group is the sum of the parts read;
- the wallet: subsidiaries=1 sums the estimates by year over the parts read;
- the valuation: inputs alone and with the readable subsidiaries; the score's computed
  criteria count the whole group (the same for every reader);
- bad switches refused naming `subsidiaries`; a parent cycle refused (409) and nothing changed.
"""
import math
import time

from t_exports import csv_rows
from t_sales import ORDER_HEADER, new_product

MONTHLY = {"G": 10000, "S1": 20000, "S11": 4000, "S2": 50000}  # yuan
WOBBLE = [1.00, 1.03, 0.98, 1.01, 0.97, 1.02, 1.00, 0.99, 1.03, 0.97, 1.01, 1.00]


def _months_back(n):
    """The n complete months before this one (UTC), oldest first, as (y, m)."""
    t = time.gmtime()
    k = t.tm_year * 12 + t.tm_mon - 1
    return [((k - i) // 12, (k - i) % 12 + 1) for i in range(n, 0, -1)]


def _amount(key, i):
    return round(MONTHLY[key] * WOBBLE[i % 12], 2)


def _world(ctx):
    W = getattr(ctx, "groups_world", None)
    if W is not None:
        return W
    W = {}
    W["G"] = ctx.new_account("am_e", code=ctx.uniq("GRP"), name="集团 " + ctx.tag)
    W["S1"] = ctx.new_account("am_e", parent_id=W["G"], code=ctx.uniq("GRS"), name="子公司一 " + ctx.tag)
    W["S11"] = ctx.new_account("am_e", parent_id=W["S1"], code=ctx.uniq("GRS"), name="孙公司 " + ctx.tag)
    W["S2"] = ctx.new_account("am_w", parent_id=W["G"], code=ctx.uniq("GRS"), name="子公司二 " + ctx.tag)
    W["fam"] = "Grp-" + ctx.tag
    sku = new_product(ctx, W["fam"])["sku"]
    W["months"] = _months_back(24)
    rows = [ORDER_HEADER]
    for key in ("G", "S1", "S11", "S2"):
        code = ctx.must(ctx.admin.get("/api/v1/accounts/%d" % W[key]), 200, "read " + key)["code"]
        for i, (y, m) in enumerate(W["months"]):
            rows.append("%s,%04d-%02d-10,%s,%s,,,1,%.2f,CNY" % (ctx.uniq("GX-"), y, m, code, sku, _amount(key, i)))
    ctx.must(ctx.admin.csv("orders", "\n".join(rows) + "\n"), 201, "import the group's order lines")
    W["year"] = time.gmtime().tm_year
    for key, yuan in (("G", 3000000), ("S1", 1000000), ("S2", 2000000)):
        ctx.must(ctx.admin.put("/api/v1/accounts/%d/wallet/%d" % (W[key], W["year"]),
                               {"amount": yuan * 100, "note": "group test"}), 200, "wallet of " + key)
    ctx.groups_world = W
    return W


def _sum(key_list, months_idx):
    return round(sum(_amount(k, i) for k in key_list for i in months_idx), 2)


def _close(a, b):
    return a is not None and b is not None and abs(a - b) < 0.005


def g_groups(ctx):
    ck = ctx.ck
    W = _world(ctx)
    d = ctx.U("dir").client
    am = ctx.U("am_e").client
    (fy, fm), (ty, tm) = W["months"][0], W["months"][-1]
    win = {"from": "%04d-%02d" % (fy, fm), "to": "%04d-%02d" % (ty, tm)}
    allm = range(24)
    mine = ["G", "S1", "S11"]
    every = mine + ["S2"]

    # ---- the dashboard series: alone vs rolled up, per reader
    def series(c, acc, **q):
        r = c.get("/api/v1/sales/series", dict(win, account_id=acc, by=q.pop("by", "none"), **q))
        return r, r.json if r.status == 200 else None

    for who, c, parts, hidden in (("director", d, every, 0), ("am_e", am, mine, 1)):
        r, alone = series(c, W["G"])
        ck.expect(r, 200, "%s: series of the group alone" % who)
        r, rolled = series(c, W["G"], subsidiaries=1)
        ck.expect(r, 200, "%s: series of the group with subsidiaries" % who)
        if not alone or not rolled:
            continue
        ck.ok(_close(alone["series"][0]["total"], _sum(["G"], allm)) and "group" not in alone,
              "%s: alone = G's own sales, no group field" % who, repr(alone["series"][0]["total"]))
        ck.ok(_close(rolled["series"][0]["total"], _sum(parts, allm)),
              "%s: rolled up = the sum of %s" % (who, "+".join(parts)),
              "%r vs %r" % (rolled["series"][0]["total"], _sum(parts, allm)))
        ok = all(_close(rolled["series"][0]["actual"][i], _sum(parts, [i])) for i in allm)
        ck.ok(ok, "%s: every month of the rolled-up series is the sum of its parts' month" % who)
        g = rolled.get("group") or {}
        ck.ok(g == {"account_id": W["G"], "subsidiaries": len(parts) - 1, "not_visible": hidden},
              "%s: group says %d subsidiaries added, %d not visible" % (who, len(parts) - 1, hidden), repr(g))
        # the parts one by one add up to the rolled-up total
        tot = 0
        for k in parts:
            r, one = series(c, W[k])
            tot += one["series"][0]["total"] if one else float("nan")
        ck.ok(_close(round(tot, 2), rolled["series"][0]["total"]),
              "%s: the parts' own series add up to the rolled-up total" % who, "%r vs %r" % (tot, rolled["series"][0]["total"]))
        r, by = series(c, W["G"], subsidiaries=1, by="account")
        keys = sorted(int(s["key"]) for s in (by or {}).get("series", []))
        ck.ok(keys == sorted(W[k] for k in parts), "%s: by=account lists exactly the readable parts" % who,
              "%r vs %r" % (keys, sorted(W[k] for k in parts)))
        # breakdown by family, rolled up
        r = c.get("/api/v1/sales/breakdown", dict(win, account_id=W["G"], subsidiaries=1, by="family"))
        ck.expect(r, 200, "%s: breakdown of the group with subsidiaries" % who)
        if r.status == 200:
            ck.ok(_close(r.json["total"], _sum(parts, allm)) and r.json.get("group", {}).get("not_visible") == hidden,
                  "%s: breakdown total = the sum of the parts, group named" % who, repr(r.json.get("total")))
        # the scope cannot be widened: the hidden subsidiary alone is still refused
        if hidden:
            r = c.get("/api/v1/sales/series", dict(win, account_id=W["S2"], subsidiaries=1))
            ck.expect(r, 400, "am_e: the hidden subsidiary itself stays refused", field="account_id")

    # ---- the forecast is fitted on the rolled-up total
    r, fa = series(d, W["G"], forecast=3)
    r2, fr = series(d, W["G"], forecast=3, subsidiaries=1)
    ck.expect(r2, 200, "director: forecast of the rolled-up series")
    if fa and fr and fa.get("forecast") and fr.get("forecast"):
        level = MONTHLY["G"] + MONTHLY["S1"] + MONTHLY["S11"] + MONTHLY["S2"]
        m = fr["forecast"]["mean"]
        ck.ok(all(abs(x - level) < 0.15 * level for x in m),
              "the rolled-up forecast is at the group's level (~%d a month)" % level, repr(m))
        ck.ok(all(abs(x - MONTHLY["G"]) < 0.15 * MONTHLY["G"] for x in fa["forecast"]["mean"]),
              "the forecast alone stays at G's own level", repr(fa["forecast"]["mean"]))
    else:
        ck.ok(False, "both forecasts present", "%r / %r" % (fa and fa.get("forecast"), fr and fr.get("forecast")))

    # ---- bad switches
    for q, field in (({"account_id": W["G"], "subsidiaries": 2}, "subsidiaries"),
                     ({"subsidiaries": 1}, "subsidiaries"),
                     ({"account_id": W["G"], "subsidiaries": "yes"}, "subsidiaries")):
        ck.expect(d.get("/api/v1/sales/series", q), 400, "series?%r -> 400 naming %s" % (q, field), field=field)
    ck.expect(d.get("/api/v1/accounts/%d/behaviour" % W["G"], {"subsidiaries": 5}), 400,
              "behaviour?subsidiaries=5 -> 400", field="subsidiaries")
    ck.expect(d.get("/api/v1/accounts/%d/wallet" % W["G"], {"subsidiaries": -1}), 400,
              "wallet?subsidiaries=-1 -> 400", field="subsidiaries")

    # ---- behaviour: the group as one customer (mix = the last twelve months of the parts read)
    last12 = range(12, 24)
    for who, c, parts, hidden in (("director", d, every, 0), ("am_e", am, mine, 1)):
        r = c.get("/api/v1/accounts/%d/behaviour" % W["G"], {"subsidiaries": 1})
        ck.expect(r, 200, "%s: behaviour of the group with subsidiaries" % who)
        a = c.get("/api/v1/accounts/%d/behaviour" % W["G"])
        if r.status != 200 or a.status != 200:
            continue
        mix = sum(x["amount"] for x in r.json["mix"] if x["family"] == W["fam"])
        ck.ok(_close(round(mix, 2), _sum(parts, last12)), "%s: the group's mix adds its parts' last 12 months" % who,
              "%r vs %r" % (mix, _sum(parts, last12)))
        own = sum(x["amount"] for x in a.json["mix"] if x["family"] == W["fam"])
        ck.ok(_close(round(own, 2), _sum(["G"], last12)) and "group" not in a.json,
              "%s: alone the mix is G's own" % who, repr(own))
        ck.ok(r.json.get("group", {}).get("not_visible") == hidden and
              r.json["intervals"]["orders"] == a.json["intervals"]["orders"] and
              not any(n.get("account_id") in [W[k] for k in every] for n in r.json["neighbours"]),
              "%s: group named; order days as G's (same days); no part of the group is its own neighbour" % who,
              repr((r.json.get("group"), r.json["intervals"]["orders"], a.json["intervals"]["orders"])))

    # ---- wallet by year, rolled up over the parts read
    for who, c, yuan in (("director", d, 6000000), ("am_e", am, 4000000)):
        r = c.get("/api/v1/accounts/%d/wallet" % W["G"], {"subsidiaries": 1})
        ck.expect(r, 200, "%s: wallet with subsidiaries" % who)
        items = (r.json or {}).get("items", []) if r.status == 200 else []
        got = [x["amount"] for x in items if x["year"] == W["year"]]
        ck.ok(got == [yuan * 100], "%s: the year's wallet is the sum of the readable parts' (%d)" % (who, yuan), repr(got))
        r = c.get("/api/v1/accounts/%d/wallet" % W["G"])
        got = [x["amount"] for x in (r.json or {}).get("items", []) if x["year"] == W["year"]]
        ck.ok(got == [300000000], "%s: alone the wallet is G's own" % who, repr(got))

    # ---- valuation: inputs both ways, the score on the whole group
    whole12 = _sum(every, last12)
    for who, c, parts, hidden, wallet in (("director", d, every, 0, 6000000), ("am_e", am, mine, 1, 4000000)):
        r = c.get("/api/v1/accounts/%d/valuation" % W["G"])
        ck.expect(r, 200, "%s: valuation of the group" % who)
        if r.status != 200:
            continue
        inp = r.json["inputs"]
        ck.ok(_close(inp["alone"]["sales_12m"], _sum(["G"], last12)) and _close(inp["alone"]["wallet"], 3000000),
              "%s: inputs alone are G's own" % who, repr(inp["alone"]))
        gr = inp.get("group") or {}
        ck.ok(_close(gr.get("sales_12m"), _sum(parts, last12)) and _close(gr.get("sales_prev_12m"), _sum(parts, range(12)))
              and _close(gr.get("wallet"), wallet) and inp["subsidiaries"] == len(parts) - 1 and inp["not_visible"] == hidden,
              "%s: inputs with subsidiaries add the readable parts" % who, repr(inp))
        c12 = {x["key"]: x["value"] for x in r.json["contributions"]}
        want_vol = max(0, min(100, math.floor(25 * math.log10(whole12 / 10000) + 0.5)))
        want_sow = max(0, min(100, math.floor(whole12 * 100 / 6000000 + 0.5)))
        ck.ok(c12.get("volume_12m") == want_vol and c12.get("share_of_wallet") == want_sow,
              "%s: the score counts the whole group (volume_12m %d, share_of_wallet %d)" % (who, want_vol, want_sow),
              repr(c12))
    r = d.get("/api/v1/accounts/%d/valuation" % W["S11"])
    if ck.expect(r, 200, "valuation of a leaf"):
        ck.ok("group" not in r.json["inputs"] and r.json["inputs"]["subsidiaries"] == 0,
              "a leaf has no group inputs", repr(r.json["inputs"]))

    # ---- cycles refused, nothing changed
    before = ctx.must(ctx.admin.get("/api/v1/accounts/%d" % W["G"]), 200, "read G")
    for target in ("S11", "S1", "G"):
        r = ctx.admin.patch("/api/v1/accounts/%d" % W["G"], {"parent_id": W[target], "version": before["version"]})
        ck.expect(r, 409, "G under %s (its own descendant or itself) -> 409" % target, field="parent_id")
    after = ctx.must(ctx.admin.get("/api/v1/accounts/%d" % W["G"]), 200, "read G again")
    ck.same((before.get("parent"), before["version"]), (after.get("parent"), after["version"]),
            "the refused cycles changed nothing")


SMART = "集团目标：以可衡量、可实现、相关且有期限的方式提高集团客户的销量 (groups)"


def _kpi_plan(ctx, W):
    """A plan split by account for the year of the last complete month (basis last year), its
    cells of G, S1, S11, S2 read back from the grid (whole yuan). Built once."""
    P = W.get("plan")
    if P is not None:
        return P
    y = W["months"][-1][0]
    a = ctx.admin
    body = {"year": y, "name": "集团计划 " + ctx.tag, "measure": "amount", "total": 900000000,
            "dims": "account", "basis": "last_year", "deadline": "%d-12-31" % y, "specific": SMART,
            "measurable": SMART, "achievable": SMART, "relevant": SMART}
    pid = ctx.must(a.post("/api/v1/targets", body), 201, "a plan by account for the group")["id"]
    ctx.must(a.post("/api/v1/targets/%d/decompose" % pid, {}), 200, "decompose the group's plan")
    cells = {}
    for k in ("G", "S1", "S11", "S2"):
        g = ctx.must(a.get("/api/v1/targets/%d/grid" % pid, {"rows": "none", "cols": "none", "account_id": W[k]}),
                     200, "the plan's cell of " + k)
        cells[k] = g["total"]
    W["plan"] = P = {"id": pid, "year": y, "cells": cells}
    return P


def g_groups_kpi(ctx):
    """The KPI table adds up groups: actual, target (the group's accounts' cells), attainment and
    share of wallet of a group are the sums of its readable parts (director vs am_e, who cannot
    read S2); alone they are G's own; by=account&subsidiaries=1 without an account marks the
    group rows (rolled up) and keeps the total counting each account once."""
    ck = ctx.ck
    W = _world(ctx)
    P = _kpi_plan(ctx, W)
    d = ctx.U("dir").client
    am = ctx.U("am_e").client
    y = P["year"]
    in_year = [i for i, (yy, _) in enumerate(W["months"]) if yy == y]
    last12 = range(12, 24)
    mine = ["G", "S1", "S11"]
    every = mine + ["S2"]
    ck.ok(all(v > 0 for v in P["cells"].values()), "every part of the group has a target cell", repr(P["cells"]))
    q0 = {"plan_id": P["id"], "period": str(y), "account_id": W["G"]}

    for who, c, parts, hidden in (("director", d, every, 0), ("am_e", am, mine, 1)):
        r = c.get("/api/v1/kpis", dict(q0, by="none"))
        r2 = c.get("/api/v1/kpis", dict(q0, by="none", subsidiaries=1))
        if not (ck.expect(r, 200, "%s: KPIs of the group alone" % who) and
                ck.expect(r2, 200, "%s: KPIs of the group with subsidiaries" % who)):
            continue
        alone, rolled = r.json["total"], r2.json["total"]
        ck.ok(_close(alone["actual"], _sum(["G"], in_year)) and alone["target"] == P["cells"]["G"]
              and "group" not in r.json,
              "%s: alone, actual and target are G's own, no group field" % who, repr(alone))
        want_t = sum(P["cells"][k] for k in parts)
        want_a = _sum(parts, in_year)
        ck.ok(_close(rolled["actual"], want_a), "%s: rolled-up actual = the sum of %s" % (who, "+".join(parts)),
              "%r vs %r" % (rolled["actual"], want_a))
        ck.ok(rolled["target"] == want_t, "%s: rolled-up target = the sum of the readable parts' cells (%d)"
              % (who, want_t), repr(rolled["target"]))
        want_att = round(want_a / want_t * 100, 1) if want_t else None
        ck.ok(rolled["attainment_pct"] is not None and abs(rolled["attainment_pct"] - want_att) <= 0.051,
              "%s: rolled-up attainment = actual / target of the parts (%s %%)" % (who, want_att),
              repr(rolled["attainment_pct"]))
        ck.ok(r2.json.get("group") == {"account_id": W["G"], "subsidiaries": len(parts) - 1, "not_visible": hidden},
              "%s: group says %d added, %d not visible" % (who, len(parts) - 1, hidden), repr(r2.json.get("group")))
        if y == W["year"]:
            wallet = 300000000 + 100000000 + (200000000 if "S2" in parts else 0)  # cents
            want_w = round(_sum(parts, last12) * 10000 / wallet, 1)
            got_w = rolled["share_of_wallet_pct"]
            ck.ok(got_w is not None and abs(got_w - round(_sum(parts, last12) * 10000 / wallet, 1)) <= 0.051,
                  "%s: rolled-up share of wallet = the parts' last 12 months / their estimates" % who,
                  "%r vs %r" % (got_w, want_w))
            got_alone = alone["share_of_wallet_pct"]
            ck.ok(got_alone is not None and abs(got_alone - round(_sum(["G"], last12) * 10000 / 300000000, 1)) <= 0.051,
                  "%s: alone, share of wallet is G's own" % who, repr(got_alone))
        # the parts one by one add up to the group (actual and target)
        tot_a, tot_t = 0, 0
        for k in parts:
            one = c.get("/api/v1/kpis", dict(q0, account_id=W[k], by="none"))
            if ck.expect(one, 200, "%s: KPIs of %s alone" % (who, k)):
                tot_a += one.json["total"]["actual"]
                tot_t += one.json["total"]["target"] or 0
        ck.ok(_close(round(tot_a, 2), rolled["actual"]) and tot_t == rolled["target"],
              "%s: the parts' own KPIs add up to the group's" % who, "%r/%r vs %r/%r" %
              (tot_a, tot_t, rolled["actual"], rolled["target"]))
        # by=account inside the group: the readable parts, each alone, summing to the group
        r = c.get("/api/v1/kpis", dict(q0, by="account", subsidiaries=1))
        if ck.expect(r, 200, "%s: the group's KPIs by account" % who):
            keys = sorted(int(x["key"]) for x in r.json["items"])
            ck.ok(keys == sorted(W[k] for k in parts) and
                  sum(x["target"] or 0 for x in r.json["items"]) == r.json["total"]["target"] == want_t,
                  "%s: by=account lists the readable parts; their targets add up to the group's" % who,
                  repr([(x["key"], x["target"]) for x in r.json["items"]]))
        # by=month: the months add up to the rolled-up year
        r = c.get("/api/v1/kpis", dict(q0, by="month", subsidiaries=1))
        if ck.expect(r, 200, "%s: the group's KPIs by month" % who):
            ck.ok(_close(round(sum(x["actual"] for x in r.json["items"]), 2), want_a) and
                  _close(r.json["total"]["actual"], want_a) and r.json.get("group", {}).get("not_visible") == hidden,
                  "%s: by month, the rolled-up months add up to the year" % who, repr(r.json["total"]["actual"]))
        # the export says the same
        r = c.get("/api/v1/kpis/export", dict(q0, by="none", subsidiaries=1, format="csv"))
        if ck.expect(r, 200, "%s: the group's KPI export" % who):
            rows = csv_rows(r.body)
            tot = [x for x in rows if x and x[0] == "total"]
            ck.ok(tot and _close(float(tot[0][2]), want_a) and tot[0][3] == str(want_t),
                  "%s: the export's total is the rolled-up one" % who, repr(tot))

    # ---- by=account with groups rolled up (no account): group rows marked, total not doubled
    fam = {"family": W["fam"], "period": str(y)}
    for who, c, parts, hidden in (("director", d, every, 0), ("am_e", am, mine, 1)):
        plain = c.get("/api/v1/kpis", dict(fam, by="account"))
        r = c.get("/api/v1/kpis", dict(fam, by="account", subsidiaries=1))
        if not (ck.expect(plain, 200, "%s: KPIs by account of the family" % who) and
                ck.expect(r, 200, "%s: KPIs by account, groups rolled up" % who)):
            continue
        rows = {int(x["key"]): x for x in r.json["items"]}
        ck.ok(sorted(rows) == sorted(W[k] for k in parts),
              "%s: every readable account has its row (subsidiaries alone too)" % who, repr(sorted(rows)))
        ck.ok(_close(r.json["total"]["actual"], plain.json["total"]["actual"]) and
              _close(r.json["total"]["actual"], _sum(parts, in_year)),
              "%s: the total counts each account once (= without subsidiaries)" % who,
              "%r vs %r" % (r.json["total"]["actual"], plain.json["total"]["actual"]))
        g, s1 = rows.get(W["G"], {}), rows.get(W["S1"], {})
        ck.ok(_close(g.get("actual"), _sum(parts, in_year)) and
              g.get("group") == {"subsidiaries": len(parts) - 1, "not_visible": hidden},
              "%s: G's row is rolled up and marked" % who, repr(g))
        ck.ok(_close(s1.get("actual"), _sum(["S1", "S11"], in_year)) and
              s1.get("group") == {"subsidiaries": 1, "not_visible": 0},
              "%s: S1 (a group itself) is rolled up with S11" % who, repr(s1))
        leaf = rows.get(W["S11"], {})
        ck.ok(_close(leaf.get("actual"), _sum(["S11"], in_year)) and "group" not in leaf,
              "%s: a leaf's row is alone, unmarked" % who, repr(leaf))
        ex = c.get("/api/v1/kpis/export", dict(fam, by="account", subsidiaries=1, format="csv"))
        if ck.expect(ex, 200, "%s: the rolled-up table as a file" % who):
            lines = csv_rows(ex.body)
            byk = {x[0]: x for x in lines[1:]}
            ck.ok(lines[0][-1] == "subsidiaries" and byk.get(str(W["G"]), [""])[-1] == str(len(parts) - 1)
                  and byk.get(str(W["S11"]), ["x"])[-1] == "",
                  "%s: the file marks the group rows (subsidiaries column)" % who, repr(lines[:3]))

    # ---- refused
    for q, field in (({"by": "none", "subsidiaries": 1}, "subsidiaries"),
                     ({"by": "owner", "subsidiaries": 1}, "subsidiaries"),
                     ({"by": "account", "subsidiaries": 3}, "subsidiaries"),
                     ({"account_id": W["S2"], "subsidiaries": 1}, "account_id")):
        ck.expect(am.get("/api/v1/kpis", q), 400, "kpis?%r -> 400 naming %s" % (q, field), field=field)


GROUPS = [("groups", g_groups, True), ("groups_kpi", g_groups_kpi, True)]
