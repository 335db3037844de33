"""Background jobs on their own database, with a pinned clock.

A fresh database (SQLite in the temp dir, or --jobs-dsn) gets its own admin and its own
`kam serve` with KAM_NOW pinned to T0 (and KAM_JOBS_INTERVAL=0); `kam jobs run --now` /
KAM_NOW plays the scheduler at chosen times:

1. visit generation from the default cadence rules, checked visit by visit, then idempotent
   (a second run plans 0; counted through the API);
2. two `kam jobs run` started together with the same clock: each visit, each escalation and
   each overdue notice exactly once;
3. escalation: after the response deadline (or the resolution deadline) to the assignee's
   team lead, once, with a notification; overdue visits: one notification each;
4. SLA statistics with exact medians (the server is restarted at later clock values);
5. `kam serve` with the scheduler on plans a due visit by itself.
"""

import os
import re
import subprocess
import time

import fixtures
from lib import Server, run_cli, iso, epoch, is_time

T0 = 1930352400  # 2031-03-04T01:00:00Z: a pinned "now"; 02:00 UTC (10:00 in China) is still ahead
H = 3600
DAY = 86400
JOBS_RE = re.compile(r"(\d+) visits planned, (\d+) overdue notices, (\d+) issues escalated")


class World:
    """The jobs group's own database, server and fixture context."""

    def __init__(self, ctx, dsn):
        self.ctx = ctx
        self.ck = ctx.ck
        self.dsn = dsn
        self.w = fixtures.Ctx(ctx.kam, dsn, ctx.tmp, ctx.ck)
        self.w.tag = ctx.tag
        self.n = 0
        self.now = None
        self.failed0 = ctx.ck.failed

    def start(self, now):
        self.n += 1
        srv = Server(self.ctx.kam, self.dsn, self.ctx.tmp, name="kam-jobs-%d" % self.n,
                     env_extra={"KAM_NOW": str(now), "KAM_SESSION_TTL": str(400 * DAY)})
        if not self.ck.ok(srv.start(), "jobs server starts with KAM_NOW=%s (%s)" % (now, iso(now)),
                          srv.start_error or ""):
            print(srv.log_tail(20), flush=True)
            srv.stop()
            return False
        self.w.srv = srv
        self.now = now
        return True

    def restart(self, now):
        rc = self.w.srv.stop()
        self.ck.ok(rc == 0, "jobs server stops cleanly (exit 0)", "exit %s" % rc)
        return self.start(now)

    def stop(self):
        if self.w.srv is not None:
            rc = self.w.srv.stop()
            self.ck.ok(rc == 0, "jobs server stops cleanly (exit 0)", "exit %s" % rc)
            if self.ck.failed > self.failed0:
                print("---- tail of %s" % self.w.srv.log_path)
                print(self.w.srv.log_tail(15), flush=True)
            self.w.srv = None

    def jobs_cmd(self, now, via_env=False):
        env = dict(os.environ)
        env.pop("KAM_NOW", None)
        args = [self.ctx.kam, "jobs", "run", "--db", self.dsn]
        if via_env:
            env["KAM_NOW"] = str(now)
        else:
            args += ["--now", iso(now)]
        return args, env

    def jobs(self, now, label, via_env=False):
        """One `kam jobs run`; (visits planned, overdue notices, issues escalated) or None."""
        args, env = self.jobs_cmd(now, via_env)
        rc, out, err = run_cli(args[0], args[1:], env=env)
        return self._parse(rc, out, err, "%s: kam jobs run %s exits 0 and reports its counts"
                           % (label, "KAM_NOW=%d" % now if via_env else "--now " + iso(now)))

    def jobs_together(self, now, label, n=2):
        """n `kam jobs run` started at the same moment, same clock (one via --now, one via KAM_NOW)."""
        procs = []
        for i in range(n):
            args, env = self.jobs_cmd(now, via_env=bool(i % 2))
            procs.append(subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env))
        outs = []
        for i, p in enumerate(procs):
            try:
                out, err = p.communicate(timeout=120)
            except subprocess.TimeoutExpired:
                p.kill()
                out, err = p.communicate()
            outs.append(self._parse(p.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"),
                                    "%s: concurrent kam jobs run #%d exits 0 and reports its counts" % (label, i + 1)))
        return outs

    def _parse(self, rc, out, err, name):
        m = JOBS_RE.search(out)
        if not self.ck.ok(rc == 0 and m is not None, name, "rc=%s stdout=%s stderr=%s" % (rc, out[-300:], err[-300:])):
            return None
        return tuple(int(x) for x in m.groups())

    # API helpers on this world's server
    @property
    def admin(self):
        return self.w.admin

    def visits(self):
        items, _, err = self.admin.list_all("/api/v1/visits")
        if err is not None:
            self.ck.fail("jobs: list all visits", err.describe())
            return []
        return items

    def notifications(self, u):
        items, _, err = u.client.list_all("/api/v1/notifications")
        if err is not None:
            self.ck.fail("jobs: notifications of %s" % u.key, err.describe())
            return []
        # the early-warning engine's alerts (issue 16, t_alerts.py) are not this group's
        return [n for n in items if n.get("kind") != "alert"]

    def issue(self, xid):
        return self.admin.get("/api/v1/issues/%d" % xid).json or {}

    def contact_at(self, acc, name, role, last=None):
        cid = self.w.new_contact(acc, name=name, decision_role=role)
        if last is not None:
            self.w.new_interaction(acc, subject="上次 " + name, contact_ids=[cid], occurred_at=iso(last))
        return cid


def g_jobs(ctx):
    ck = ctx.ck
    # the main server runs without a scheduler: nothing there was planned from a cadence rule
    items, _, err = ctx.admin.list_all("/api/v1/visits")
    ck.ok(err is None and items and all(v.get("cadence_id") is None for v in items),
          "the main server (KAM_JOBS_INTERVAL=0) planned no visit by itself",
          err.describe() if err else repr([v for v in items if v.get("cadence_id") is not None][:3]))

    dsn = ctx.jobs_dsn or "sqlite:%s" % os.path.join(ctx.tmp, "jobs.db")
    rc, out, err = run_cli(ctx.kam, ["init", "--db", dsn])
    if not ck.ok(rc == 0, "kam init --db %s (jobs database)" % dsn, err[-300:]):
        return
    J = World(ctx, dsn)
    if not fixtures.bootstrap_admin(J.w) or not J.start(T0):
        return
    try:
        _setup(J)
        _generation(J)
        _together(J)
        _escalation(J)
        _stats(J)
        _serve_scheduler(J)
    finally:
        J.stop()


def _setup(J):
    w, ck = J.w, J.ck
    adm = w.users["admin"]
    adm.client = w.client("admin")
    w.must(adm.client.login(adm.login, adm.password), 200, "jobs: admin login")
    adm.id = adm.client.user["id"]
    r = adm.client.get("/api/v1/cadences")
    got = sorted((x.get("tier"), x.get("decision_role"), x.get("kind"), x.get("every_days"), x.get("active"))
                 for x in r.items or [])
    want = sorted([("strategic", "decision_maker", "onsite", 30, True), ("strategic", "decision_maker", "phone", 14, True),
                   ("key", "decision_maker", "onsite", 60, True), ("key", "decision_maker", "phone", 30, True),
                   ("growth", None, "phone", 45, True), ("maintain", None, "phone", 90, True)])
    ck.ok(got == want, "a fresh database has exactly the documented default cadence rules", repr(got))
    J.rules = {(x.get("tier"), x.get("kind")): x.get("id") for x in r.items or []}
    J.sla = {(x.get("tier"), x.get("severity")): x for x in adm.client.get("/api/v1/sla-rules").items or []}
    for key, name in (("j", "Jobs team"), ("st", "Stats team"), ("st2", "Stats team 2")):
        j = w.must(adm.client.post("/api/v1/teams", {"name": name, "parent_id": None, "manager_id": None}), 201,
                   "jobs: team " + name)
        w.teams[key] = j["id"]
    J.lead = w.new_user("jlead", "team_lead", team="j")
    J.ja = w.new_user("ja", "account_manager", team="j")
    J.jb = w.new_user("jb", "account_manager", team="j")
    w.must(adm.client.patch("/api/v1/teams/%d" % w.teams["j"], {"manager_id": J.lead.id}), 200, "jobs: team lead")


def _generation(J):
    w, ck, a = J.w, J.ck, J.admin
    S1 = w.new_account(J.ja.key, code=w.uniq("S1"), name="战略客户 " + w.tag, tier="strategic")
    K1 = w.new_account(J.ja.key, code=w.uniq("K1"), name="重点客户 " + w.tag, tier="key")
    M1 = w.new_account(J.jb.key, code=w.uniq("M1"), name="维护客户甲 " + w.tag)
    M2 = w.new_account(J.jb.key, code=w.uniq("M2"), name="维护客户乙 " + w.tag)
    dm_never = J.contact_at(S1, "从未联系", "decision_maker")
    dm_recent = J.contact_at(S1, "昨天联系", "decision_maker", T0 - DAY)
    dm_20 = J.contact_at(S1, "二十天前", "decision_maker", T0 - 20 * DAY)
    dm_10 = J.contact_at(S1, "十天前", "decision_maker", T0 - 10 * DAY)
    dm_planned = J.contact_at(S1, "已有计划", "decision_maker")
    J.contact_at(S1, "影响者", "influencer")
    J.contact_at(S1, "支持者", "champion")
    dm_k = J.contact_at(K1, "重点四十天", "decision_maker", T0 - 40 * DAY)
    J.contact_at(M2, "维护三十天", "user", T0 - 30 * DAY)
    manual = w.new_visit(S1, J.ja.key, contact_id=dm_planned, kind="phone", planned_at=iso(T0 + 5 * DAY))
    J.S1 = S1

    before = J.visits()
    ck.ok([v.get("id") for v in before] == [manual], "before the scheduler: only the manual visit", repr(before)[:300])
    res = J.jobs(T0, "generation")
    after = J.visits()
    new = [v for v in after if v.get("id") != manual]
    r = J.rules
    want = sorted([(r[("strategic", "onsite")], S1, dm_never), (r[("strategic", "phone")], S1, dm_never),
                   (r[("strategic", "phone")], S1, dm_20), (r[("strategic", "onsite")], S1, dm_planned),
                   # due in 4 days (10 days ago + 14): inside the 7-day look-ahead of API.md
                   (r[("strategic", "phone")], S1, dm_10),
                   (r[("key", "phone")], K1, dm_k), (r[("maintain", "phone")], M1, None)])
    got = sorted((v.get("cadence_id"), v.get("account_id"), v.get("contact_id")) for v in new)
    names = {dm_never: "never", dm_recent: "1 d ago", dm_20: "20 d ago", dm_10: "10 d ago", dm_planned: "planned",
             dm_k: "key 40 d ago", None: "account"}
    ck.ok(got == want,
          "generation: a visit per active rule for each key person / account falling due within 7 days and "
          "with none planned (strategic 30/14, key 30, maintain 90 account-level)",
          "unexpected %s; missing %s" % ([(c, a_, names.get(p, p)) for c, a_, p in got if (c, a_, p) not in want],
                                         [(c, a_, names.get(p, p)) for c, a_, p in want if (c, a_, p) not in got]))
    if res is not None:
        ck.ok(res[0] == len(new), "the reported count (%d) = the visits that appeared through the API (%d)"
              % (res[0], len(new)))
    owners = {S1: J.ja.id, K1: J.ja.id, M1: J.jb.id}
    kinds = {rid: kind for (tier, kind), rid in J.rules.items()}
    for v in new:
        ck.matches(v, {"status": "planned", "owner_id": owners.get(v.get("account_id")),
                       "kind": kinds.get(v.get("cadence_id")), "overdue": False,
                       "planned_at": lambda t: is_time(t) and T0 <= epoch(t) <= T0 + 8 * DAY},
                   "generated visit %s: planned, for the account's owner, the rule's kind, due within the week"
                   % v.get("id"))
    res2 = J.jobs(T0, "second run")
    ck.ok(res2 is not None and res2[0] == 0, "a second run at the same time plans 0 visits", repr(res2))
    ck.ok(len(J.visits()) == len(after), "...and the API shows no new visit")
    res3 = J.jobs(T0 + H, "third run an hour later (KAM_NOW)", via_env=True)
    ck.ok(res3 is not None and res3[0] == 0, "a run an hour later plans 0 visits (all are planned)", repr(res3))
    ck.ok(len(J.visits()) == len(after), "...and the API still shows the same visits")
    J.generated = {v.get("id") for v in new}


def _together(J):
    """Two runs at once at T1 = T0 + 3 h: new visits, escalations and overdue notices, each once."""
    w, ck, a = J.w, J.ck, J.admin
    T1 = T0 + 3 * H
    S2 = w.new_account(J.ja.key, code=w.uniq("S2"), name="并发战略 " + w.tag, tier="strategic")
    K2 = w.new_account(J.jb.key, code=w.uniq("K2"), name="并发重点 " + w.tag, tier="key")
    for i in range(15):
        J.contact_at(S2, "并发决策人 %d" % i, "decision_maker")
    for i in range(10):
        J.contact_at(K2, "并发重点决策人 %d" % i, "decision_maker")
    # issues (reported at T0 on the server clock), all assigned to ja (team j, lead jlead)
    crit = J.sla[("strategic", "critical")]
    low = J.sla[("strategic", "low")]
    ck.ok(crit["response_hours"] < 3 < low["response_hours"] < 26 and 3 < crit["resolution_hours"] < 26,
          "jobs: the default SLA hours suit this scenario (critical response < 3 h < low response < 26 h, "
          "3 h < critical resolution < 26 h)", repr((crit, low)))
    race = [w.new_issue(S2, title="并发升级 %d" % i, severity="critical") for i in range(6)]
    e_resp = w.new_issue(J.S1, title="响应超时", severity="critical")
    e_ok = w.new_issue(J.S1, title="已响应", severity="critical")
    e_done = w.new_issue(J.S1, title="已解决", severity="critical")
    e_low = w.new_issue(J.S1, title="低优先级", severity="low")
    ck.expect(a.post("/api/v1/issues/%d/transition" % e_ok, {"to": "in_progress"}), 200, "respond to e_ok at T0",
              json={"first_response_at": iso(T0)})
    ck.expect(a.post("/api/v1/issues/%d/transition" % e_done, {"to": "resolved"}), 200, "resolve e_done at T0")
    J.issues = {"race": race, "e_resp": e_resp, "e_ok": e_ok, "e_done": e_done, "e_low": e_low}

    before = {v.get("id"): v for v in J.visits()}
    overdue_before = {i for i, v in before.items() if v.get("status") == "planned" and epoch(v.get("planned_at")) < T1}
    n_lead, n_ja, n_jb = (len(J.notifications(u)) for u in (J.lead, J.ja, J.jb))
    outs = J.jobs_together(T1, "together")
    if None in outs:
        return
    print("NOTE: two kam jobs run at once: %s (visits planned, overdue notices, issues escalated)" % outs, flush=True)
    after = {v.get("id"): v for v in J.visits()}
    new = [v for i, v in after.items() if i not in before]
    keys = [(v.get("cadence_id"), v.get("account_id"), v.get("contact_id")) for v in new]
    ck.ok(len(keys) == len(set(keys)) == 15 * 2 + 10 * 2,
          "two runs at once: 50 new visits (15 strategic and 10 key decision makers x 2 rules), none twice",
          "%d new, %d distinct" % (len(keys), len(set(keys))))
    ck.ok(sum(o[0] for o in outs) == len(new), "the two runs' visit counts add up to the visits made (%s)"
          % [o[0] for o in outs])
    esc = [x for x in race + [e_resp]]
    ck.ok(sum(o[2] for o in outs) == len(esc), "the two runs' escalation counts add up to %d (%s)"
          % (len(esc), [o[2] for o in outs]))
    ck.ok(sum(o[1] for o in outs) == len(overdue_before),
          "the two runs' overdue notices add up to the %d visits overdue at T1 (%s)"
          % (len(overdue_before), [o[1] for o in outs]))
    for xid in esc:
        ck.matches(J.issue(xid), {"escalated_at": iso(T1), "escalated_to": J.lead.id},
                   "issue %d past its response deadline: escalated at T1 to the assignee's team lead" % xid)
    for name in ("e_ok", "e_done", "e_low"):
        ck.matches(J.issue(J.issues[name]), {"escalated_at": None, "escalated_to": None},
                   "%s (responded, resolved, or not yet due) is not escalated at T1" % name)
    lead_new = J.notifications(J.lead)[: len(J.notifications(J.lead)) - n_lead]
    ck.ok(len(lead_new) == len(esc), "the lead got exactly one notification per escalated issue (%d)" % len(esc),
          repr([x.get("title") for x in lead_new]))
    titles = {xid: J.issue(xid).get("title") for xid in esc}
    for xid, t in titles.items():
        hits = [n for n in lead_new if t in (n.get("title", "") + n.get("body", "")) or
                re.search(r"\b%d\b" % xid, n.get("link", ""))]
        ck.ok(len(hits) == 1, "exactly one lead notification names issue %d (%s)" % (xid, t),
              repr([(n.get("title"), n.get("link")) for n in lead_new]))
    per_owner = {}
    for i in overdue_before:
        per_owner[before[i].get("owner_id")] = per_owner.get(before[i].get("owner_id"), 0) + 1
    for u, n0 in ((J.jb, n_jb),):
        ck.ok(len(J.notifications(u)) - n0 == per_owner.get(u.id, 0),
              "%s got one notice per overdue visit (%d)" % (u.key, per_owner.get(u.id, 0)))
    # ja also got escalation notices as the assignee (not required by the contract): count only the overdue ones
    ja_new = J.notifications(J.ja)[: len(J.notifications(J.ja)) - n_ja]
    ja_over = [n for n in ja_new if not any(t in (n.get("title", "") + n.get("body", "")) for t in titles.values())]
    ck.ok(len(ja_over) == per_owner.get(J.ja.id, 0), "ja got one notice per overdue visit (%d)"
          % per_owner.get(J.ja.id, 0), repr([n.get("title") for n in ja_new]))
    res = J.jobs(T1, "after the concurrent runs")
    ck.ok(res == (0, 0, 0), "one more run at T1: nothing planned, notified or escalated", repr(res))
    J.overdue_notified = overdue_before
    J.T1 = T1


def _escalation(J):
    """Later: the resolution deadline of a responded issue, the low-severity response deadline;
    already escalated issues stay as they were; newly overdue visits get their notice."""
    ck = J.ck
    T2 = T0 + 26 * H
    n_lead = len(J.notifications(J.lead))
    before = {v.get("id"): v for v in J.visits()}
    overdue = {i for i, v in before.items() if v.get("status") == "planned" and epoch(v.get("planned_at")) < T2
               and i not in J.overdue_notified}
    res = J.jobs(T2, "T0 + 26 h")
    if res is None:
        return
    ck.ok(res[2] == 2, "T0 + 26 h: 2 escalations (a responded critical issue past resolution, a low one past "
          "response)", repr(res))
    ck.ok(res[1] == len(overdue), "T0 + 26 h: one notice per newly overdue visit (%d)" % len(overdue), repr(res))
    for name in ("e_ok", "e_low"):
        ck.matches(J.issue(J.issues[name]), {"escalated_at": iso(T2), "escalated_to": J.lead.id},
                   "%s escalated at T0 + 26 h to the lead" % name)
    ck.matches(J.issue(J.issues["e_resp"]), {"escalated_at": iso(J.T1), "escalated_to": J.lead.id},
               "an issue escalated before keeps its first escalation")
    ck.matches(J.issue(J.issues["e_done"]), {"escalated_at": None}, "a resolved issue is never escalated")
    ck.ok(len(J.notifications(J.lead)) - n_lead == 2, "the lead got 2 more notifications")
    r = J.admin.get("/api/v1/issues", {"escalated": "1", "limit": "500"})
    want = sorted(J.issues["race"] + [J.issues[k] for k in ("e_resp", "e_ok", "e_low")])
    ck.ok(r.status == 200 and sorted(x.get("id") for x in r.items or []) == want, "issues?escalated=1 lists those 9",
          r.describe())
    res = J.jobs(T2 + H, "T0 + 27 h")
    ck.ok(res == (0, 0, 0), "the next run has nothing left to do", repr(res))


def _stats(J):
    """Exact SLA statistics: issues reported at T0, moved at T0 + 1 h and T0 + 3 h."""
    w, ck, a = J.w, J.ck, J.admin
    sa = w.new_user("sa", "account_manager", team="st", login=False)
    sb = w.new_user("sb", "account_manager", team="st2", login=False)
    SA = w.new_account(sa.key, code=w.uniq("SA"), name="统计甲 " + w.tag, tier="key")
    SB = w.new_account(sb.key, code=w.uniq("SB"), name="统计乙 " + w.tag, tier="key")
    rule = J.sla[("key", "high")]
    ck.expect(a.patch("/api/v1/sla-rules/%d" % rule["id"], {"response_hours": 2, "resolution_hours": 4}), 200,
              "key/high SLA: 2 h response, 4 h resolution")
    i1, i2, i3, _i4 = (w.new_issue(SA, title="统计 %d" % k, severity="high") for k in range(1, 5))
    w.new_issue(SB, title="统计乙", severity="high")
    ck.matches(J.issue(i1), {"reported_at": iso(T0), "response_due_at": iso(T0 + 2 * H),
                             "resolution_due_at": iso(T0 + 4 * H)}, "issue reported at T0 with deadlines +2 h / +4 h")
    if not J.restart(T0 + H):
        return
    ck.expect(a.post("/api/v1/issues/%d/transition" % i1, {"to": "in_progress"}), 200, "i1 responded at T0 + 1 h",
              json={"first_response_at": iso(T0 + H)})
    ck.expect(a.post("/api/v1/issues/%d/transition" % i3, {"to": "resolved"}), 200, "i3 resolved at T0 + 1 h",
              json={"first_response_at": iso(T0 + H), "resolved_at": iso(T0 + H)})
    if not J.restart(T0 + 3 * H):
        return
    ck.expect(a.post("/api/v1/issues/%d/transition" % i1, {"to": "resolved"}), 200, "i1 resolved at T0 + 3 h",
              json={"first_response_at": iso(T0 + H), "resolved_at": iso(T0 + 3 * H)})
    ck.expect(a.post("/api/v1/issues/%d/transition" % i2, {"to": "in_progress"}), 200, "i2 responded (late) at T0 + 3 h",
              json={"first_response_at": iso(T0 + 3 * H)})
    r = a.get("/api/v1/issues/stats", {"from": iso(T0), "to": iso(T0 + 1)})
    rows = {x.get("team_id"): x for x in r.items or []}
    st, st2 = w.teams["st"], w.teams["st2"]
    close = lambda want: (lambda v: isinstance(v, (int, float)) and abs(v - want) < 0.01)  # noqa: E731
    ck.matches(rows.get(st), {"team_id": st, "team_name": "Stats team", "issues": 4, "responded": 3,
                              "responded_in_sla": 2, "resolved": 2, "resolved_in_sla": 2,
                              "response_sla_pct": close(200.0 / 3), "resolution_sla_pct": close(100.0),
                              "median_response_hours": close(1.0), "median_resolution_hours": close(2.0)},
               "stats: 4 issues; responses 1 h, 1 h, 3 h (2 in SLA, median 1 h); resolutions 3 h, 1 h "
               "(both in SLA, median 2 h)")
    ck.matches(rows.get(st2), {"team_id": st2, "issues": 1, "responded": 0, "resolved": 0, "response_sla_pct": None,
                               "resolution_sla_pct": None, "median_response_hours": None,
                               "median_resolution_hours": None}, "stats of a team with nothing measured: nulls")
    for q, label in (({"from": iso(T0 + 1), "to": iso(T0 + 2 * H)}, "from after the reports"),
                     ({"from": iso(T0 - H), "to": iso(T0)}, "to = reported_at (exclusive)")):
        r = a.get("/api/v1/issues/stats", q)
        ck.ok(r.status == 200 and st not in {x.get("team_id") for x in r.items or []},
              "stats [from, to) %s: no row for the team" % label, r.describe())
    r = a.get("/api/v1/issues/stats")
    ck.ok(r.status == 200 and (({x.get("team_id"): x for x in r.items or []}.get(st) or {}).get("issues") == 4),
          "stats without from/to include them", r.describe())


def _serve_scheduler(J):
    """`kam serve` with the scheduler on runs the jobs by itself (at start, then every interval)."""
    w, ck = J.w, J.w.ck
    T3 = T0 + 28 * H  # an hour after the last planning run (kam serve plans at most every 15 min)
    S3 = w.new_account(J.ja.key, code=w.uniq("S3"), name="服务端调度 " + w.tag, tier="strategic")
    dm = J.contact_at(S3, "等调度的决策人", "decision_maker")
    w.srv.stop()
    srv = Server(J.ctx.kam, J.dsn, J.ctx.tmp, name="kam-jobs-sched",
                 env_extra={"KAM_NOW": str(T3), "KAM_JOBS_INTERVAL": "3600", "KAM_SESSION_TTL": str(400 * DAY)})
    if not ck.ok(srv.start(), "kam serve with KAM_JOBS_INTERVAL=3600 starts", srv.start_error or ""):
        return
    w.srv = srv
    got = []
    deadline = time.time() + 5
    while time.time() < deadline:
        r = J.admin.get("/api/v1/visits", {"account_id": str(S3)})
        got = r.items or []
        if len(got) >= 2:
            break
        time.sleep(0.05)
    ck.ok(sorted((v.get("contact_id"), v.get("kind")) for v in got) == [(dm, "onsite"), (dm, "phone")],
          "the server's own scheduler planned the new decision maker's visits", repr(got)[:300])
