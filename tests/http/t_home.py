"""The role homes (issue 12 item 6): GET /api/v1/home/agenda and GET /api/v1/home/team.

The group makes its own world on the suite's database -- a team with a lead and two account
managers, accounts, visits, issues, an interaction and an order line -- through a second
`kam serve` whose clock is pinned (KAM_NOW) to T0 = 09:00 China time (01:00 UTC) of a day D0
three days back (never ahead: a login on a server whose clock is ahead would purge the suite's
sessions as expired), then restarts it at T1 = T0 + 3 h and T2 = T0 + 30 h and checks:
  - the agenda of M1 at T1: today's visits (V1 later today, V3 an hour past: also overdue),
    tomorrow's visit only with ?date=D0+1, follow-ups (the critical issue due within 48 h,
    not the low one), nothing of M2's;
  - at T2: the critical issue is overdue (no first response within 24 h), every visit overdue;
  - the team figures per person equal what the list routes say (visits ?overdue=1, issues by
    assignee and status, interactions per account for the accounts without contact, the KPI
    route's actual for the person's own accounts);
  - a lead sees their team (the lead and the two account managers) and gets 403 for another
    team; a director any team; an account manager calling /home/team gets one row, themselves
    (documented in the route's summary); hr is refused by the policy (403);
  - bad input: date, period, team_id, stale_days -> 400 naming the parameter.
Care reminders are made only by the scheduler (`kam jobs run`, over the whole database); the
group does not run it on the shared database, so the care lists are checked for shape only.
"""

import copy
import time

from lib import Server, iso
from fixtures import U
from t_matrix import route, Attempt

DAY = 86400
H = 3600


@route("GET", "/api/v1/home/agenda", "none")
def _agenda(ctx, u, rec_):
    return Attempt("GET", "/api/v1/home/agenda")


@route("GET", "/api/v1/home/team", "none")
def _team(ctx, u, rec_):
    return Attempt("GET", "/api/v1/home/team")


def _day(d):
    return time.strftime("%Y-%m-%d", time.gmtime(d * DAY))


class Home:
    def __init__(self, ctx):
        self.ctx = ctx
        self.ck = ctx.ck
        self.srv = None
        self.hc = copy.copy(ctx)
        self.hc.users = {}
        self.hc.teams = dict(ctx.teams)
        self.n = 0

    def start(self, now):
        if self.srv is not None:
            self.srv.stop()
        self.n += 1
        self.srv = Server(self.ctx.kam, self.ctx.dsn, self.ctx.tmp, name="kam-home-%d" % self.n,
                          env_extra={"KAM_NOW": str(now), "KAM_SESSION_TTL": str(400 * DAY)})
        ok = self.ck.ok(self.srv.start(), "home server starts with KAM_NOW=%s" % iso(now),
                        self.srv.start_error or "")
        self.hc.srv = self.srv
        return ok

    def stop(self):
        if self.srv is not None:
            self.srv.stop()
            self.srv = None


def g_home(ctx):
    H_ = Home(ctx)
    hc, ck = H_.hc, ctx.ck
    D0 = int(time.time()) // DAY - 3
    T0 = D0 * DAY + 1 * H
    if not H_.start(T0):
        return
    try:
        _run(ctx, H_, hc, ck, D0, T0)
    finally:
        H_.stop()


def _people(j):
    return {p["user_id"]: p for p in j.get("people", [])}


def _run(ctx, H_, hc, ck, D0, T0):
    adm = ctx.users["admin"]
    a = U("admin", adm.login, adm.password, "admin")
    a.id = adm.id
    a.client = hc.client("admin")
    hc.must(a.client.login(a.login, a.password), 200, "admin logs in on the home server")
    hc.users["admin"] = a

    # a team with a lead and two account managers; a second team for the refusal
    tj = hc.must(a.client.post("/api/v1/teams", {"name": hc.uniq("Home "), "parent_id": None,
                                                 "manager_id": None}), 201, "create home team")
    oj = hc.must(a.client.post("/api/v1/teams", {"name": hc.uniq("Other "), "parent_id": None,
                                                 "manager_id": None}), 201, "create other team")
    hc.teams["home"] = tj["id"]
    hc.teams["other"] = oj["id"]
    L = hc.new_user("hlead", "team_lead", "home", name="主页组长")
    M1 = hc.new_user("ham1", "account_manager", "home", name="主页一")
    M2 = hc.new_user("ham2", "account_manager", "home", name="主页二")
    O = hc.new_user("hoth", "account_manager", "other", name="别组")
    hc.must(a.client.patch("/api/v1/teams/%d" % tj["id"], {"manager_id": L.id}), 200, "lead manages home team")
    dir_ = hc.new_user("hdir", "director", None, name="主页总监")
    hr = hc.new_user("hhr", "hr", None)

    A1 = hc.new_account(M1.login, name="主页客户一 " + hc.uniq())
    A2 = hc.new_account(M1.login, name="主页客户二 " + hc.uniq())
    A3 = hc.new_account(M2.login, name="主页客户三 " + hc.uniq())
    hc.new_account(O.login)

    def visit(client, acc, at, **more):
        body = {"kind": "onsite", "planned_at": iso(at)}
        body.update(more)
        return hc.must(client.post("/api/v1/accounts/%d/visits" % acc, body),
                       201, "plan visit at %s" % iso(at))["id"]

    V1 = visit(M1.client, A1, T0 + 5 * H, purpose="年度合同续签", place="上海总部")  # 14:00 China, later today
    V3 = visit(M1.client, A2, T0 + 1 * H)    # 10:00 China: overdue at T1
    V2 = visit(M1.client, A1, T0 + 25 * H)   # tomorrow
    VM2 = visit(M2.client, A3, T0 + 2 * H)   # M2's, never on M1's agenda
    X1 = hc.must(M1.client.post("/api/v1/accounts/%d/issues" % A1,
                                {"title": "紧急 " + hc.uniq(), "severity": "critical", "assignee_id": M1.id}),
                 201, "critical issue")
    X2 = hc.must(M1.client.post("/api/v1/accounts/%d/issues" % A2,
                                {"title": "一般 " + hc.uniq(), "severity": "low", "assignee_id": M1.id}),
                 201, "low issue")
    hc.must(M1.client.post("/api/v1/accounts/%d/interactions" % A1, {"kind": "call", "subject": "回访"}),
            201, "interaction on A1")
    # one order line for A1 on D0 (12.34 CNY)
    from t_sales import new_product
    prod = new_product(hc, "HomeFam-" + hc.tag)
    hc.must(a.client.post("/api/v1/orders", {"external_id": hc.uniq("HEXT-"), "date": _day(D0), "account_id": A1,
                                             "sku": prod["sku"], "quantity": 1,
                                             "amount": {"amount": 1234, "currency": "CNY"}}),
            201, "order line on A1")

    # ---- T1 = T0 + 3 h: the day's agenda
    if not H_.start(T0 + 3 * H):
        return
    r = M1.client.get("/api/v1/home/agenda")
    if ck.expect(r, 200, "agenda of M1 at T1"):
        j = r.json
        ck.ok(j["date"] == _day(D0), "agenda date defaults to today in China time", j["date"])
        ck.ok(j["day_start"] == iso(D0 * DAY - 8 * H), "the day starts at 00:00 +08:00", j["day_start"])
        ids = [v["id"] for v in j["visits"]]
        ck.ok(ids == [V3, V1], "today's visits: V3 then V1, in time order, not tomorrow's nor M2's",
              "%s (V1 %s V3 %s V2 %s VM2 %s)" % (ids, V1, V3, V2, VM2))
        ck.ok(all(v["account_name"] and v["planned_at"] for v in j["visits"]), "visits name their account")
        v1 = [v for v in j["visits"] if v["id"] == V1]
        ck.ok(v1 and v1[0]["purpose"] == "年度合同续签" and v1[0]["place"] == "上海总部",
              "a visit comes with its purpose and place", str(v1))
        ck.ok([v["id"] for v in j["overdue_visits"]] == [V3], "overdue: V3 only",
              str([v["id"] for v in j["overdue_visits"]]))
        fu = [x["id"] for x in j["follow_ups"]]
        ck.ok(fu == [X1["id"]], "follow-ups: the critical issue (response due in 24 h), not the low one", str(fu))
        ck.ok(j["overdue_issues"] == [], "no issue overdue yet", str(j["overdue_issues"]))
        ck.ok(j["truncated"] == [] and "visits" in j["sections"], "nothing truncated; sections listed")
    r = M1.client.get("/api/v1/home/agenda", {"date": _day(D0 + 1)})
    if ck.expect(r, 200, "agenda of M1 for tomorrow"):
        ck.ok([v["id"] for v in r.json["visits"]] == [V2], "tomorrow: V2 only",
              str([v["id"] for v in r.json["visits"]]))
    r = M2.client.get("/api/v1/home/agenda")
    if ck.expect(r, 200, "agenda of M2"):
        ck.ok([v["id"] for v in r.json["visits"]] == [VM2] and r.json["follow_ups"] == [],
              "M2's agenda holds M2's visit only", str(r.json["visits"]))
    for bad in ("2026-02-30", "tomorrow", "2026-1-2"):
        ck.expect(M1.client.get("/api/v1/home/agenda", {"date": bad}), 400, "agenda date %r refused" % bad,
                  field="date")
    r = hr.client.get("/api/v1/home/agenda")
    ck.expect(r, 200, "hr has an agenda too (empty)")
    if r.status == 200:
        ck.ok(not any(r.json[k] for k in ("visits", "care", "follow_ups", "overdue_visits")), "hr's agenda is empty")

    # ---- T2 = T0 + 30 h: overdue, and the team figures against the list routes
    if not H_.start(T0 + 30 * H):
        return
    T2 = T0 + 30 * H
    r = M1.client.get("/api/v1/home/agenda")
    if ck.expect(r, 200, "agenda of M1 at T2"):
        ck.ok([x["id"] for x in r.json["overdue_issues"]] == [X1["id"]], "the critical issue is overdue at T2",
              str(r.json["overdue_issues"]))
        ck.ok(sorted(v["id"] for v in r.json["overdue_visits"]) == sorted([V1, V2, V3]),
              "all three of M1's visits are overdue at T2", str(r.json["overdue_visits"]))

    def from_lists(uid, client):
        """The figures of one person computed from the list routes."""
        ov, _, e1 = client.list_all("/api/v1/visits", {"owner_id": str(uid), "overdue": "1"})
        iss, _, e2 = client.list_all("/api/v1/issues", {"assignee_id": str(uid)})
        accs, _, e3 = client.list_all("/api/v1/accounts", {"owner_id": str(uid)})
        ck.ok(e1 is None and e2 is None and e3 is None, "list routes answer for user %d" % uid)
        open_ = [x for x in iss if x["status"] in ("open", "in_progress")]
        from lib import epoch
        late = [x for x in open_ if (x.get("first_response_at") is None and epoch(x["response_due_at"]) < T2)
                or epoch(x["resolution_due_at"]) < T2]
        stale = 0
        for acc in accs:
            if acc.get("status") == "lost":
                continue
            its, _, _ = client.list_all("/api/v1/accounts/%d/interactions" % acc["id"])
            if not any(epoch(i["occurred_at"]) >= T2 - 30 * DAY for i in its):
                stale += 1
        return {"accounts": len(accs), "overdue_visits": len(ov), "open_issues": len(open_),
                "overdue_issues": len(late), "stale_accounts": stale}

    r = L.client.get("/api/v1/home/team")
    if ck.expect(r, 200, "lead's team figures"):
        ppl = _people(r.json)
        ck.ok(set(ppl) == {L.id, M1.id, M2.id}, "the lead sees the lead and the two account managers",
              str(sorted(ppl)))
        ck.ok([t["id"] for t in r.json["teams"]] == [hc.teams["home"]], "the lead may pick their team only",
              str(r.json["teams"]))
        for u in (M1, M2):
            if u.id not in ppl:
                continue
            want = from_lists(u.id, L.client)
            got = {k: ppl[u.id][k] for k in want}
            ck.ok(got == want, "figures of %s equal the list routes" % u.login, "got %s want %s" % (got, want))
        if M1.id in ppl:
            ck.ok(ppl[M1.id]["stale_accounts"] == 1, "A2 (no interaction) is M1's one stale account",
                  str(ppl[M1.id]))
            ck.ok(ppl[M1.id]["overdue_visits"] == 3 and ppl[M1.id]["overdue_issues"] == 1,
                  "M1: 3 overdue visits, 1 overdue issue", str(ppl[M1.id]))
            k = M1.client.get("/api/v1/kpis", {"period": r.json["period"], "by": "account"})
            if ck.expect(k, 200, "M1's KPIs"):
                ck.ok(ppl[M1.id]["actual"] == k.json["total"]["actual"] == 12.34,
                      "M1's actual equals the KPI route's total for M1's accounts (12.34)",
                      "home %s kpis %s" % (ppl[M1.id]["actual"], k.json["total"]["actual"]))
        tot = r.json["totals"]
        ck.ok(tot["overdue_visits"] == sum(p["overdue_visits"] for p in ppl.values()), "totals add the people up")
        ck.ok(r.json["sections"][:1] == ["attainment"], "sections name the figures", str(r.json["sections"]))
    ck.expect(L.client.get("/api/v1/home/team", {"team_id": str(hc.teams["other"])}), 403,
              "a lead may not see another team", field="team_id")
    r = L.client.get("/api/v1/home/team", {"team_id": str(hc.teams["home"])})
    if ck.expect(r, 200, "lead picks their own team"):
        ck.ok(set(_people(r.json)) == {L.id, M1.id, M2.id}, "own team by id: the same three people")
    r = dir_.client.get("/api/v1/home/team", {"team_id": str(hc.teams["other"])})
    if ck.expect(r, 200, "director picks another team"):
        ck.ok(set(_people(r.json)) == {O.id}, "the other team: its one account manager", str(_people(r.json)))
    r = dir_.client.get("/api/v1/home/team", {"team_id": str(hc.teams["home"])})
    if ck.expect(r, 200, "director picks the home team"):
        p = _people(r.json).get(M1.id, {})
        ck.ok(p.get("overdue_visits") == 3 and p.get("open_issues") == 2, "director sees M1's figures", str(p))
    r = dir_.client.get("/api/v1/home/team")
    if ck.expect(r, 200, "director: everyone"):
        ck.ok({M1.id, M2.id, O.id} <= set(_people(r.json)), "everyone includes both teams' people")
        ck.ok(len(r.json["teams"]) >= 2, "director may pick any team")
    r = M1.client.get("/api/v1/home/team")
    if ck.expect(r, 200, "an account manager's /home/team"):
        ck.ok(list(_people(r.json)) == [M1.id] and r.json["teams"] == [], "an account manager sees only themselves",
              str(list(_people(r.json))))
    ck.expect(M1.client.get("/api/v1/home/team", {"team_id": str(hc.teams["home"])}), 403,
              "an account manager may not pick a team", field="team_id")
    ck.expect(hr.client.get("/api/v1/home/team"), 403, "hr may not read team figures")
    for q, field in (({"period": "2026-13"}, "period"), ({"period": "20x6"}, "period"),
                     ({"team_id": "abc"}, "team_id"), ({"team_id": "999999999"}, "team_id"),
                     ({"stale_days": "0"}, "stale_days"), ({"stale_days": "366"}, "stale_days")):
        ck.expect(dir_.client.get("/api/v1/home/team", q), 400, "team %s refused" % q, field=field)
    r = dir_.client.get("/api/v1/home/team", {"period": _day(D0)[:7], "team_id": str(hc.teams["home"])})
    if ck.expect(r, 200, "a month period"):
        ck.ok(r.json["from"] == r.json["to"] == _day(D0)[:7], "the month's bounds", str((r.json["from"], r.json["to"])))


GROUPS = [("home", g_home, True)]
