"""Loyalty beside NPS by group and period (issue 14 item 3): GET /api/v1/satisfaction/loyalty.

Order lines for a few accounts of a run-unique region go in through POST /api/v1/orders; a second
`kam serve` on the same database has its clock pinned (KAM_NOW = 2026-04-30 20:00 UTC, which is
already 1 May in China time: the current, partial period is 2026-05 / 2026-Q2 / 2026). The
expected buyers, retained_from, retained and repeat_buyers are computed here from the lines, per
group (account, tier, owner, all) and period (month, quarter, year), and compared with the route;
the NPS beside each cell is the satisfaction trend's same cell. Scope: an account manager sees only
their own accounts' groups. Bad input: 400 naming the field."""
import calendar
import copy
import time

from lib import Server
from t_matrix import route, Attempt
from t_results import db_script, response_sql, survey_sql, ts
from t_sales import new_line, sales_world

NOW = calendar.timegm((2026, 4, 30, 20, 0, 0))  # 2026-05-01 04:00 in China
CUR_MONTH = 2026 * 12 + 4  # May 2026 (China time), month index y*12+m-1
DAY = 86400

# account key -> (owner, tier, order lines: date or (date, amount)); "a4"'s July 2026 line is after
# the pinned now. Returns: a2's 2025-09 has only a return (net < 0) and a3's 2025-10 an order and
# its return (net 0): neither month is a purchase (net amount > 0 is).
PLAN = {
    "a1": ("am_e", "key", ["2025-01-10", "2025-02-03", "2025-04-15", "2025-12-20", "2026-01-05", "2026-05-01"]),
    "a2": ("am_e", "growth", ["2025-03-31", "2025-06-01", "2025-06-30", ("2025-09-10", -500), "2026-02-14"]),
    "a3": ("am_w", "key", ["2025-01-01", "2025-05-05", "2025-08-08", "2025-09-09", ("2025-10-01", 1000),
                          ("2025-10-15", -1000), "2026-03-03", "2026-04-04"]),
    "a4": ("am_e", "strategic", ["2024-11-11", "2025-01-20", "2025-01-25", "2026-07-01"]),
    "a5": ("am_e", "growth", []),  # no orders: an NPS cell without sales
}


def plan_lines(a):
    """[(date, amount)] of account key a (amount 1000 unless given)."""
    return [(d, 1000) if isinstance(d, str) else d for d in PLAN[a][2]]


def bought_months(a):
    """The months (y*12+m-1) whose net amount is > 0, up to the pinned now's month."""
    net = {}
    for d, amount in plan_lines(a):
        net[mindex(d)] = net.get(mindex(d), 0) + amount
    return {mo for mo, v in net.items() if v > 0 and mo <= CUR_MONTH}


def long_region(tag):
    """A run-unique region of 60 Chinese characters (180 bytes in UTF-8): the tag's hex digits as
    Chinese characters after 54 others."""
    digits = dict(zip("0123456789abcdef", "〇一二三四五六七八九甲乙丙丁戊己"))
    return ("华东长三角忠诚客户区域" * 6)[:54] + "".join(digits[c] for c in tag[:6])


def pidx(month, period):
    """month: y*12+m-1."""
    if period == "year":
        return month // 12
    if period == "quarter":
        return (month // 12) * 4 + (month % 12) // 3
    return month


def pkey(i, period):
    if period == "year":
        return "%04d" % i
    if period == "quarter":
        return "%04d-Q%d" % (i // 4, i % 4 + 1)
    return "%04d-%02d" % (i // 12, i % 12 + 1)


def mindex(date):
    y, m = int(date[:4]), int(date[5:7])
    return y * 12 + m - 1


def expected(W, accounts, keyf, period, lo=None, hi=None):
    """{(group, period key): (buyers, retained_from, retained, repeat_buyers)} computed from the lines
    of accounts (keys of W.acc), independently of the SQL: per account its set of months."""
    cur = pidx(CUR_MONTH, period)
    hi = cur if hi is None else min(hi, cur)
    cells = {}
    for a in accounts:
        months = bought_months(a)
        per = {}
        for mo in months:
            per.setdefault(pidx(mo, period), set()).add(mo)
        cand = set(per) | {p + 1 for p in per}
        for p in cand:
            if p > hi or (lo is not None and p < lo):
                continue
            bought, before = p in per, (p - 1) in per
            if period == "month":
                rep = bought and before
            else:
                rep = bought and len(per[p]) >= 2
            c = cells.setdefault((keyf(a), pkey(p, period)), [0, 0, 0, 0])
            c[0] += bought
            c[1] += before
            c[2] += bought and before
            c[3] += rep
    return {k: tuple(v) for k, v in cells.items() if v[0] or v[1]}


def near(a, b):
    return (a is None and b is None) or (a is not None and b is not None and abs(a - b) < 1e-9)


def loyalty_world(ctx):
    W = getattr(ctx, "loyalty_world", None)
    if W is not None:
        return W

    class LW:
        pass

    W = LW()
    ctx.loyalty_world = W
    sw = sales_world(ctx)
    W.region = long_region(ctx.tag)
    assert len(W.region) == 60 and len(W.region.encode("utf-8")) == 180
    W.acc = {}
    for k, (owner, tier, dates) in PLAN.items():
        W.acc[k] = ctx.new_account(owner, tier=tier, region=W.region, code=ctx.uniq("LOY"),
                                   name="忠诚 %s %s" % (k, ctx.tag))
        for d, amount in plan_lines(k):
            new_line(ctx, W.acc[k], sw.prod[0]["sku"], d, 1 if amount > 0 else -1, amount)
    # NPS: three answers on a1 in 2025-12; two on a2 and one on a5 (no sales) in 2026-02. Every
    # month touched has at least 3 responses: another group's filter complement (t_results: its
    # region, 2025-01..06) never meets 1 or 2 of these.
    title = "Loyal " + ctx.tag
    st, sid = survey_sql(title, title, [(1, "nps", None, 1)], {})
    W.nps = [("a1", "2025-12-10", 10), ("a1", "2025-12-11", 9), ("a1", "2025-12-12", 3),
             ("a2", "2026-02-10", 8), ("a2", "2026-02-11", 10), ("a5", "2026-02-10", 6)]
    for i, (k, d, v) in enumerate(W.nps):
        st += response_sql(sid, "ltok-%s-%d" % (ctx.tag, i), W.acc[k], ts(d), {1: v})
    db_script(ctx, st)
    return W


def g_loyalty(ctx):
    ck = ctx.ck
    W = loyalty_world(ctx)
    srv = Server(ctx.kam, ctx.dsn, ctx.tmp, name="kam-loyalty",
                 env_extra={"KAM_NOW": str(NOW), "KAM_SESSION_TTL": str(400 * DAY)})
    if not ck.ok(srv.start(), "loyalty server starts with KAM_NOW", srv.start_error or ""):
        return
    try:
        hc = copy.copy(ctx)
        hc.srv = srv
        cl = {}
        for who in ("admin", "am_e", "am_w", "fin"):
            u = ctx.U(who)
            c = hc.client(who)
            if not ck.expect(c.login(u.login, u.password), 200, "%s logs in on the pinned server" % who):
                return
            cl[who] = c
        _run(ctx, ck, W, cl)
    finally:
        srv.stop()


def _run(ctx, ck, W, cl):
    owner_id = {k: str(ctx.U(PLAN[k][0]).id) for k in PLAN}
    keyfs = {
        "account": lambda a: str(W.acc[a]),
        "tier": lambda a: PLAN[a][1],
        "owner": lambda a: owner_id[a],
        "region": lambda a: W.region,
        "all": lambda a: "all",
    }
    base = {"region": W.region}

    def check(client, who, accounts, group, period, extra=None, lo=None, hi=None):
        query = dict(base, group=group, period=period, **(extra or {}))
        r = client.get("/api/v1/satisfaction/loyalty", query)
        name = "loyalty %s as %s %s" % (group, who, sorted((extra or {}).items()))
        if not ck.expect(r, 200, name):
            return None
        j = r.json
        want = expected(W, accounts, keyfs[group], period, lo, hi)
        got = {(it["group"], it["period"]): it for it in j["items"]}
        sales = {k: (it["buyers"], it["retained_from"], it["retained"], it["repeat_buyers"])
                 for k, it in got.items() if it["buyers"] or it["retained_from"]}
        ok = sales == want
        rates = all(near(it["retention_rate"], 100.0 * it["retained"] / it["retained_from"]
                         if it["retained_from"] else None) and
                    near(it["repeat_rate"], 100.0 * it["repeat_buyers"] / it["buyers"] if it["buyers"] else None)
                    for it in got.values())
        cur = pkey(pidx(CUR_MONTH, period), period)
        partial = all(it["partial"] == (it["period"] == cur) for it in got.values())
        rule = j["repeat_rule"] == ("month_and_previous" if period == "month" else "two_months")
        order = [(it["group"], it["period"]) for it in j["items"]]
        ck.ok(ok and rates and partial and rule and order == sorted(order),
              "%s by %s: buyers, retained_from, retained, repeat_buyers and the rates equal the "
              "computation from the lines; partial only on %s" % (name, period, cur),
              "want %r\ngot %r" % (sorted(want.items()), sorted(sales.items())))
        return got

    everyone = list(PLAN)
    for group in ("account", "tier", "owner", "region", "all"):
        for period in ("month", "quarter", "year"):
            got = check(cl["admin"], "admin", everyone, group, period)
            if got is None or group not in ("account", "region") or period == "year":
                continue
            # the NPS beside each cell is the satisfaction trend's same cell
            r = cl["admin"].get("/api/v1/satisfaction", dict(base, group=group, period=period))
            if ck.expect(r, 200, "trend beside loyalty"):
                tr = {(it["group"], it["period"]): it for it in r.json["items"]}
                same = all((got[k]["nps"] == it["nps"] and got[k]["responses"] == it["responses"])
                           if k in got else False for k, it in tr.items())
                rest = all(it["nps"] is None and it["responses"] == 0 for k, it in got.items() if k not in tr)
                ck.ok(same and rest and tr, "loyalty %s/%s: each trend cell's NPS and responses beside "
                      "it (a cell with NPS and no sales listed too), none elsewhere" % (group, period),
                      repr((sorted(tr), sorted((k, v["nps"]) for k, v in got.items())))[:1500])
    nps_a1 = check(cl["admin"], "admin", everyone, "account", "month")
    k = (str(W.acc["a1"]), "2025-12")
    ck.ok(nps_a1 is not None and k in nps_a1 and near(nps_a1[k]["nps"]["score"], 100.0 / 3) and
          nps_a1[k]["buyers"] == 1 and nps_a1[k]["retained_from"] == 0 and nps_a1[k]["repeat_rate"] == 0,
          "a1 in 2025-12: bought (not in November: no repeat) beside NPS 33.3 of 3 answers",
          repr(nps_a1.get(k) if nps_a1 else None))
    k5 = (str(W.acc["a5"]), "2026-02")
    ck.ok(nps_a1 is not None and k5 in nps_a1 and nps_a1[k5]["buyers"] == 0 and
          nps_a1[k5]["retention_rate"] is None and nps_a1[k5]["repeat_rate"] is None and
          nps_a1[k5]["nps"] is not None, "an account with NPS and no sales: listed, rates null",
          repr(nps_a1.get(k5) if nps_a1 else None))

    # from/to choose whole periods; to after now stops at the current period
    check(cl["admin"], "admin", everyone, "all", "quarter", {"from": "2025-04-01", "to": "2025-09-30"},
          lo=2025 * 4 + 1, hi=2025 * 4 + 2)
    check(cl["admin"], "admin", everyone, "tier", "month", {"from": "2025-06-01", "to": "2026-12-31"},
          lo=2025 * 12 + 5)
    check(cl["admin"], "admin", ["a1", "a3"], "account", "quarter", {"tier": "key"})

    # the NPS beside a cell covers the same whole period as its sales: from/to inside 2026-Q1 (its
    # January: no responses) give the quarter's NPS (a2's and a5's February answers)
    whole = cl["admin"].get("/api/v1/satisfaction", dict(base, group="all", period="quarter"))
    cut = check(cl["admin"], "admin", everyone, "all", "quarter", {"from": "2026-01-01", "to": "2026-01-31"},
                lo=2026 * 4, hi=2026 * 4)
    if ck.expect(whole, 200, "trend by quarter") and cut is not None:
        q1 = [it for it in whole.json["items"] if it["period"] == "2026-Q1"]
        c1 = cut.get(("all", "2026-Q1"))
        ck.ok(len(q1) == 1 and q1[0]["responses"] == 3 and c1 is not None and c1["responses"] == 3 and
              c1["nps"] == q1[0]["nps"] and c1["buyers"] > 0,
              "from/to inside 2026-Q1: the cell's NPS is the whole quarter's (3 February answers), as "
              "its sales are", repr((q1, c1)))

    # an account's own loyalty (GET /accounts/{id}/satisfaction): a month counts as ordered when
    # its net amount is > 0 (a2's return-only 2025-09 and a3's netted 2025-10 do not)
    win_hi = CUR_MONTH - 1
    win_lo = win_hi - 23
    for k in ("a2", "a3"):
        r = cl["admin"].get("/api/v1/accounts/%d/satisfaction" % W.acc[k])
        if not ck.expect(r, 200, "account %s satisfaction" % k):
            continue
        months = sorted(mo for mo in bought_months(k) if win_lo <= mo <= win_hi)
        want = {"months_ordered": len(months),
                "months_after_first": win_hi - months[0] if months else 0,
                "months_with_repeat": max(len(months) - 1, 0),
                "retained": (any(mo > win_hi - 12 for mo in months)
                             if any(mo <= win_hi - 12 for mo in months) else None)}
        lo_ = r.json["loyalty"]
        ck.ok(all(lo_[f] == v for f, v in want.items()),
              "account %s loyalty: months with a net amount > 0 only (returns are no purchase)" % k,
              "want %r got %r" % (want, lo_))

    # scope: an account manager sees only their accounts' groups; the team filter (am_e's team)
    mine = [a for a in PLAN if PLAN[a][0] == "am_e"]
    for group in ("owner", "tier", "account"):
        got = check(cl["am_e"], "am_e", mine, group, "quarter")
        if got is not None and group == "owner":
            ck.ok({g for g, _ in got} == {owner_id["a1"]}, "am_e by owner: only am_e's group", repr(sorted(got)))
    check(cl["am_w"], "am_w", ["a3"], "all", "year")
    check(cl["admin"], "admin", mine, "owner", "month", {"team_id": str(ctx.teams["east"])})
    check(cl["admin"], "admin", ["a3"], "account", "month", {"owner_id": str(ctx.U("am_w").id)})
    check(cl["am_e"], "am_e", mine, "account", "quarter", {"owner_id": "me"})

    # a reader who may not read responses: no NPS of fewer than 3 responses
    r = cl["fin"].get("/api/v1/satisfaction/loyalty", dict(base, group="account", period="month"))
    if ck.expect(r, 200, "loyalty as finance"):
        ok = all(it["nps"] is None or it["responses"] >= 3 for it in r.json["items"])
        small = [it for it in r.json["items"] if 0 < it["responses"] < 3]
        ck.ok(ok and small and all(it["nps"] is None for it in small) and r.json["items"],
              "finance: cells of 1-2 responses show no NPS (sales counts still shown)", r.describe())

    # bad input: 400 naming the field
    a = cl["admin"]
    for q_, field in (({"group": "product"}, "group"), ({"period": "week"}, "period"),
                      ({"from": "2025-13-01"}, "from"), ({"to": "2025/01/31"}, "to"),
                      ({"tier": "gold"}, "tier"), ({"account_id": "x"}, "account_id"),
                      ({"from": "2025-06-01", "to": "2025-01-31"}, "to")):
        ck.expect(a.get("/api/v1/satisfaction/loyalty", dict(base, **q_)), 400,
                  "loyalty %r -> 400" % q_, field=field)
    ck.expect(a.get("/api/v1/satisfaction/loyalty", {"team_id": "987654321"}), 404,
              "unknown team -> 404", field="team_id")
    ck.expect(cl["fin"].get("/api/v1/satisfaction/loyalty", {"from": "2025-01-15"}), 400,
              "finance: from not on a month start -> 400", field="from")


def g_sat_driver_leak(ctx):
    """Grouped trends, a reader who may not read responses (finance): a driver's mean hidden in
    one cell (1 response) must not be recoverable as the period's mean over all groups less the
    shown cells: the smallest shown mean of that driver is hidden too (secondary suppression)."""
    ck = ctx.ck
    region = "LEAK-" + ctx.tag
    b1 = ctx.new_account("am_e", tier="key", region=region, code=ctx.uniq("LK"), name="泄漏一 " + ctx.tag)
    b2 = ctx.new_account("am_e", tier="key", region=region, code=ctx.uniq("LK"), name="泄漏二 " + ctx.tag)
    title = "Leak " + ctx.tag
    st, sid = survey_sql(title, title, [(1, "nps", None, 1), (2, "rating", "product_quality", 0)], {})
    # 2019-08 (no other test's responses): b1 five people rate; b2 three people, one rates (2)
    rows = [(b1, "2019-08-0%d" % (i + 1), {1: 9, 2: 4 + i % 2}) for i in range(5)]
    rows += [(b2, "2019-08-1%d" % i, {1: 7, 2: 2} if i == 0 else {1: 8}) for i in range(3)]
    for i, (acc_, d, ans) in enumerate(rows):
        st += response_sql(sid, "lk-%s-%d" % (ctx.tag, i), acc_, ts(d), ans)
    db_script(ctx, st)
    q = {"region": region, "period": "month", "from": "2019-08-01", "to": "2019-08-31"}

    def drivers(client, group):
        r = client.get("/api/v1/satisfaction", dict(q, group=group))
        if not ck.expect(r, 200, "trend by %s" % group):
            return None
        return {it["group"]: {d["key"]: d for d in it["drivers"]} for it in r.json["items"]}

    fin = ctx.U("fin").client
    total, cells = drivers(fin, "all"), drivers(fin, "account")
    if total is None or cells is None:
        return
    ck.ok("product_quality" in total.get("all", {}) and total["all"]["product_quality"]["n"] == 6,
          "finance: the period's product_quality mean over all groups (6 answers) is shown", repr(total))
    ck.ok(str(b1) in cells and str(b2) in cells and
          all("product_quality" not in cells[g] for g in (str(b1), str(b2))),
          "finance by account: b2's mean of 1 answer is hidden, and so is b1's (else all less b1 "
          "gives b2's answer)", repr(cells))
    adm = drivers(ctx.admin, "account")
    ck.ok(adm is not None and adm[str(b1)]["product_quality"]["n"] == 5 and
          adm[str(b2)]["product_quality"]["n"] == 1,
          "a reader of responses sees every driver mean", repr(adm))


def g_sat_figure_complement(ctx):
    """The filter complement of a trend is checked figure by figure (a reader who may not read
    responses): tier key has 5 people (NPS 9, product_quality 4), tier growth 3 (one gives NPS 0
    and product_quality 1, two only a CSAT). Leaving growth out adds 3 responses but 1 NPS answer
    and 1 product_quality rater: tier=key's NPS (5) and mean against the region's (6) would give
    that one person's answers (6 x 3.5 - 5 x 4 = 1). So: 400 naming tier (the trend), the figures
    hidden (the loyalty route, soft); the whole region's figures and a reader of responses are
    unaffected."""
    ck = ctx.ck
    region = "FIG-" + ctx.tag
    k1 = ctx.new_account("am_e", tier="key", region=region, code=ctx.uniq("FG"), name="补集一 " + ctx.tag)
    g1 = ctx.new_account("am_e", tier="growth", region=region, code=ctx.uniq("FG"), name="补集二 " + ctx.tag)
    title = "Figure " + ctx.tag
    st, sid = survey_sql(title, title, [(1, "nps", None, 1), (2, "csat", None, 0),
                                        (3, "rating", "product_quality", 0)], {})
    # 2017-03: no other test's responses
    rows = [(k1, "2017-03-0%d" % (i + 1), {1: 9, 3: 4}) for i in range(5)]
    rows += [(g1, "2017-03-11", {1: 0, 3: 1}), (g1, "2017-03-12", {2: 4}), (g1, "2017-03-13", {2: 5})]
    for i, (acc_, d, ans) in enumerate(rows):
        st += response_sql(sid, "fg-%s-%d" % (ctx.tag, i), acc_, ts(d), ans)
    db_script(ctx, st)
    q = {"region": region, "period": "month", "from": "2017-03-01", "to": "2017-03-31"}
    fin = ctx.U("fin").client

    def cell(r):
        items = [it for it in r.json["items"] if it["period"] == "2017-03"]
        return items[0] if len(items) == 1 else None

    r = fin.get("/api/v1/satisfaction", dict(q, group="all"))
    if ck.expect(r, 200, "finance: the region's trend"):
        c = cell(r)
        pq = {d["key"]: d for d in c["drivers"]} if c else {}
        ck.ok(c is not None and c["responses"] == 8 and c["nps"] is not None and c["nps"]["n"] == 6 and
              pq.get("product_quality", {}).get("n") == 6,
              "finance: the region's NPS (6 answers) and product_quality mean (6) are shown", repr(c))
    for group in ("all", "account"):
        ck.expect(fin.get("/api/v1/satisfaction", dict(q, group=group, tier="key")), 400,
                  "finance by %s, tier=key: leaves out 3 responses but 1 NPS answer and 1 "
                  "product_quality rater -> 400 naming tier" % group, field="tier")
    r = fin.get("/api/v1/satisfaction/loyalty", dict(q, group="all", tier="key"))
    if ck.expect(r, 200, "finance: loyalty, tier=key (soft)"):
        c = cell(r)
        ck.ok(c is not None and c["responses"] == 5 and c["nps"] is None,
              "finance: loyalty tier=key hides the NPS of 5 (the region's 6 less it is one person's)",
              repr(c))
    r = ctx.admin.get("/api/v1/satisfaction", dict(q, group="all", tier="key"))
    if ck.expect(r, 200, "admin: tier=key"):
        c = cell(r)
        pq = {d["key"]: d for d in c["drivers"]} if c else {}
        ck.ok(c is not None and c["nps"] is not None and c["nps"]["n"] == 5 and
              pq.get("product_quality", {}).get("n") == 5,
              "a reader of responses sees tier=key's NPS and mean", repr(c))


def g_sat_nested_periods(ctx):
    """Nested periods (a reader who may not read responses): a quarter's figure less its months'
    shown figures is the months' hidden part; when that is 1 or 2 people the quarter's figure is
    hidden too. 2016 (no other test's responses), one account: April 5 people, May 1 (hidden),
    June 4: Q2 less April and June would be May's one answer, so Q2's NPS and product_quality
    mean are hidden. July 5, August 1, September 2: the hidden part is 3, Q3 is shown. The year
    (its quarters' hidden part 10, its months' 4) is shown."""
    ck = ctx.ck
    region = "NEST-" + ctx.tag
    n1 = ctx.new_account("am_e", tier="key", region=region, code=ctx.uniq("NS"), name="嵌套 " + ctx.tag)
    title = "Nested " + ctx.tag
    st, sid = survey_sql(title, title, [(1, "nps", None, 1), (3, "rating", "product_quality", 0)], {})
    plan = {"2016-04": 5, "2016-05": 1, "2016-06": 4, "2016-07": 5, "2016-08": 1, "2016-09": 2}
    i = 0
    for month, n in plan.items():
        for j in range(n):
            st += response_sql(sid, "ns-%s-%d" % (ctx.tag, i), n1, ts("%s-%02d" % (month, j + 1)),
                               {1: 9 if j % 2 else 6, 3: 4})
            i += 1
    db_script(ctx, st)
    fin = ctx.U("fin").client

    def trend(client, period):
        r = client.get("/api/v1/satisfaction", {"region": region, "group": "all", "period": period})
        if not ck.expect(r, 200, "trend by %s" % period):
            return {}
        return {it["period"]: it for it in r.json["items"]}

    def shown(it):
        return it["nps"] is not None, any(d["key"] == "product_quality" for d in it["drivers"])

    months = trend(fin, "month")
    ck.ok({p: shown(it) for p, it in months.items()} ==
          {p: (n >= 3, n >= 3) for p, n in plan.items()},
          "finance by month: the months of 1 or 2 people are hidden", repr(months)[:800])
    quarters = trend(fin, "quarter")
    ck.ok({p: shown(it) for p, it in quarters.items()} == {"2016-Q2": (False, False), "2016-Q3": (True, True)}
          and quarters["2016-Q3"]["nps"]["n"] == 8,
          "finance by quarter: Q2 less April and June would be May's one person: its NPS and "
          "product_quality mean are hidden; Q3's hidden part is 3 people: shown", repr(quarters)[:800])
    years = trend(fin, "year")
    ck.ok("2016" in years and shown(years["2016"]) == (True, True) and years["2016"]["nps"]["n"] == 18,
          "finance by year: the hidden parts (10 against the quarters, 4 against the months) are "
          "3 or more: shown", repr(years)[:800])
    r = fin.get("/api/v1/accounts/%d/satisfaction" % n1, {"period": "quarter"})
    if ck.expect(r, 200, "finance: the account's satisfaction by quarter"):
        q2 = [it for it in r.json["trend"] if it["period"] == "2016-Q2"]
        ck.ok(len(q2) == 1 and q2[0]["nps"] is None, "finance: the account's Q2 NPS is hidden too", repr(q2))
    adm = trend(ctx.admin, "quarter")
    ck.ok(adm.get("2016-Q2", {}).get("nps", {}) and adm["2016-Q2"]["nps"]["n"] == 10,
          "a reader of responses sees Q2's NPS", repr(adm)[:500])


GROUPS = [
    ("loyalty", g_loyalty, True),
    ("sat-driver-leak", g_sat_driver_leak, True),
    ("sat-figure-complement", g_sat_figure_complement, True),
    ("sat-nested-periods", g_sat_nested_periods, True),
]


@route("GET", "/api/v1/satisfaction/loyalty", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/satisfaction/loyalty", query={"group": "tier", "period": "quarter"})
