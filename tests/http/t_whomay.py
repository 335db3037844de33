"""Who may (issue 12 review follow-ups): the visit check-in, the team home's people and figures,
the search catch-up of the first start after an upgrade.

- whomay-checkin: a check-in (外勤签到) is the visit owner's alone (a lead, a director and an admin
  who may edit the visit get 403 visit.checkin_owner, worded in the request's language), on an
  on-site visit (409 visit.checkin_onsite) that stays planned (409 visit.checkin_planned, also
  when the same PATCH cancels it), once (409 visit.checkin_twice): every refusal leaves the
  visit as it was. The same rules on create (a lead planning for someone else with a check-in).
  A checked-in visit keeps its owner and kind (409 visit.checked_in).
- whomay-home: a lead asking for their team gets its people in their scope only: the manager
  of a subteam who belongs to another team is not listed (nor in the figures); a director sees
  them. On a database of its own (both engines) with an approved plan split by account: the
  service role (no grant on targets) gets no plan, no targets, no attainment and no KPI alert,
  only the actual; a director sees all of them for the same person.
- whomay-catchup: a database with accounts written straight into the table (sqlite3 / psql),
  none in the search index: `kam serve` answers /healthz while the index is still short of them
  (the catch-up runs after listening, logged after the "serving" line), a search meanwhile
  answers 200, and a bounded poll of the search route finds the last of them. A server stopped
  in the middle of the catch-up exits 0 at once, with the scheduler on too (its first pass does
  not catch up again).
- whomay-catchup-busy (SQLite): the catch-up meeting a held write lock (KAM_SQLITE_BUSY_MS=300,
  the jobs off) is tried again after a back-off: once the lock is gone, search finds the rows.
- whomay-catchup-locks (PostgreSQL): the catch-up locks no record (a writer holding a contact's
  row neither stops it nor deadlocks with it when it then locks an earlier contact of the
  batch); a writer holding an index row the batch needs makes the batch give way (lock_timeout,
  retried), never the writer, and `kam jobs run` meanwhile runs its other jobs and exits 0 with a
  warning; the next catch-up takes the writer's newer versions. A writer deleting a contact and
  its index row while the catch-up's upsert waits on that row: once it commits, the contact
  stays out of the index (the catch-up's re-check).
"""

import glob
import os
import socket
import subprocess
import time
import urllib.parse

import fixtures
from lib import Server, iso, http_call

POLL_S = 180.0  # upper bound for a busy machine (PostgreSQL, sanitizers), not the expected time


# ---------------------------------------------------------------- helpers

def _psql(dsn, sql):
    psql = sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"))
    p = subprocess.run([psql[-1] if psql else "psql", dsn, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-At", "-c", sql],
                       capture_output=True, timeout=300)
    if p.returncode != 0:
        raise RuntimeError("psql: %s" % p.stderr.decode("utf-8", "replace")[:300])
    return p.stdout.decode("utf-8", "replace").strip()


def _sql(dsn, sql):
    """One statement on a database, outside kam; the first column of the first row, if any."""
    if dsn.startswith("sqlite:"):
        import sqlite3
        con = sqlite3.connect(dsn[len("sqlite:"):], timeout=30)
        try:
            cur = con.execute(sql)
            row = cur.fetchone() if cur.description else None
            con.commit()
            return None if row is None else str(row[0])
        finally:
            con.close()
    return _psql(dsn, sql) or None


class OwnDb:
    """A database of the group's own, on the suite's engine: a file beside the suite's (SQLite)
    or a database created on the suite's server (PostgreSQL), dropped at the end."""

    def __init__(self, ctx, name):
        self.ctx = ctx
        self.pg = None
        if ctx.dsn.startswith("sqlite:"):
            self.dsn = "sqlite:%s" % os.path.join(ctx.tmp, "whomay-%s.db" % name)
        else:
            self.pg = "kam_whomay_%s_%s" % (ctx.tag, name)
            _psql(ctx.dsn, "CREATE DATABASE %s" % self.pg)
            u = urllib.parse.urlsplit(ctx.dsn)
            self.dsn = urllib.parse.urlunsplit((u.scheme, u.netloc, "/" + self.pg, u.query, u.fragment))
        self.w = fixtures.Ctx(ctx.kam, self.dsn, ctx.tmp, ctx.ck)
        self.srv = None

    def init(self):
        from lib import run_cli
        rc, out, err = run_cli(self.ctx.kam, ["init", "--db", self.dsn])
        return self.ctx.ck.ok(rc == 0, "kam init of the group's own database", err[-300:]) and \
            fixtures.bootstrap_admin(self.w)

    def start(self, name, env=None):
        self.srv = Server(self.ctx.kam, self.dsn, self.ctx.tmp, name=name, env_extra=env)
        self.w.srv = self.srv
        return self.ctx.ck.ok(self.srv.start(wait=60), "%s starts" % name, self.srv.start_error or "")

    def admin(self):
        a = self.w.users["admin"]
        a.client = self.w.client("admin")
        r = a.client.login(a.login, a.password)
        self.w.must(r, 200, "admin login on the group's own server")
        a.id = r.json["user"]["id"]
        return a

    def stop(self):
        rc = self.srv.stop() if self.srv else None
        self.srv = None
        return rc

    def drop(self):
        self.stop()
        if self.pg:
            try:
                _psql(self.ctx.dsn, "DROP DATABASE IF EXISTS %s WITH (FORCE)" % self.pg)
            except RuntimeError:
                pass


def _key(r):
    e = r.err or {}
    return e.get("key")


CK = {"checkin_lat": 31.230416, "checkin_lon": 121.473701, "checkin_accuracy_m": 8}


# ---------------------------------------------------------------- check-in

def g_checkin(ctx):
    ck = ctx.ck
    am, lead, dir_ = ctx.U("am_e"), ctx.U("lead_e"), ctx.U("dir")
    acc = ctx.new_account("am_e", code=ctx.uniq("WMC"), name="签到客户 " + ctx.tag)
    v = ctx.new_visit(acc, "am_e")

    # others who may edit the visit may not check in for its owner
    for who, c in (("lead_e (the owner's lead)", lead.client), ("a director", dir_.client), ("an admin", ctx.admin)):
        before = ctx.record_state("visits", v, acc)
        r = c.patch("/api/v1/visits/%d" % v, CK)
        ck.expect(r, 403, "%s checks in on am_e's visit -> 403 field checkin_lat" % who, field="checkin_lat")
        ck.ok(_key(r) == "visit.checkin_owner", "the refusal's key is visit.checkin_owner", r.describe())
        ck.same(before, ctx.record_state("visits", v, acc), "the refused check-in by %s changed nothing" % who)
    r = lead.client.patch("/api/v1/visits/%d" % v, CK, headers={"Accept-Language": "zh-CN"})
    ck.ok(r.status == 403 and (r.err or {}).get("message") == "只有拜访负责人（拜访者本人）可以签到",
          "the refusal is worded in the request's language (zh-CN)", r.describe())
    r = lead.client.patch("/api/v1/visits/%d" % v, {"place": "领导改的地点"})
    ck.expect(r, 200, "the lead may still edit the visit's details", json={"place": "领导改的地点"})

    # the owner checks in once
    r = am.client.patch("/api/v1/visits/%d" % v, CK)
    ck.expect(r, 200, "the owner checks in -> 200", json={"checkin_lat": 31.230416, "checkin_accuracy_m": 8})
    ck.ok(r.status == 200 and r.json.get("checkin_at"), "the check-in is stamped", r.describe())
    before = ctx.record_state("visits", v, acc)
    r = am.client.patch("/api/v1/visits/%d" % v, {"checkin_lat": 30.0, "checkin_lon": 120.0})
    ck.expect(r, 409, "a second check-in -> 409 field checkin_at", field="checkin_at")
    ck.ok(_key(r) == "visit.checkin_twice", "key visit.checkin_twice", r.describe())
    ck.same(before, ctx.record_state("visits", v, acc), "the refused second check-in changed nothing")
    # the check-in stays true: no other owner, no other kind
    r = lead.client.patch("/api/v1/visits/%d" % v, {"owner_id": lead.id})
    ck.expect(r, 409, "the checked-in visit handed to another owner -> 409 field owner_id", field="owner_id")
    ck.ok(_key(r) == "visit.checked_in", "key visit.checked_in", r.describe())
    r = am.client.patch("/api/v1/visits/%d" % v, {"kind": "phone"}, headers={"Accept-Language": "zh-TW"})
    ck.expect(r, 409, "the checked-in visit made a phone visit -> 409 field kind", field="kind")
    ck.ok(_key(r) == "visit.checked_in" and (r.err or {}).get("message") == "已簽到的拜訪不能更換負責人或拜訪方式",
          "key visit.checked_in, worded in zh-TW", r.describe())
    ck.same(before, ctx.record_state("visits", v, acc), "the refused owner and kind changes changed nothing")
    r = am.client.patch("/api/v1/visits/%d" % v, {"kind": "onsite", "owner_id": am.id, "purpose": "同一人同方式"})
    ck.expect(r, 200, "the same owner and kind restated with another change -> 200", json={"purpose": "同一人同方式"})

    # only on-site visits
    vp = ctx.new_visit(acc, "am_e", kind="phone")
    before = ctx.record_state("visits", vp, acc)
    r = am.client.patch("/api/v1/visits/%d" % vp, CK)
    ck.expect(r, 409, "a check-in on a phone visit -> 409 field kind", field="kind")
    ck.ok(_key(r) == "visit.checkin_onsite", "key visit.checkin_onsite", r.describe())
    ck.same(before, ctx.record_state("visits", vp, acc), "the refused phone check-in changed nothing")
    r = am.client.patch("/api/v1/visits/%d" % vp, dict(CK, kind="onsite"))
    ck.expect(r, 200, "made on-site and checked in in one PATCH -> 200",
              json={"kind": "onsite", "checkin_lat": 31.230416})

    # only planned visits: cancelled, or cancelled by the same PATCH
    vc = ctx.new_visit(acc, "am_e")
    before = ctx.record_state("visits", vc, acc)
    r = am.client.patch("/api/v1/visits/%d" % vc, dict(CK, status="cancelled"))
    ck.expect(r, 409, "cancel and check in at once -> 409 field status", field="status")
    ck.ok(_key(r) == "visit.checkin_planned", "key visit.checkin_planned", r.describe())
    ck.same(before, ctx.record_state("visits", vc, acc), "the refused cancel + check-in changed nothing")
    ctx.must(am.client.patch("/api/v1/visits/%d" % vc, {"status": "cancelled"}), 200, "cancel visit")
    r = am.client.patch("/api/v1/visits/%d" % vc, CK)
    ck.expect(r, 409, "a check-in on a cancelled visit -> 409 field status", field="status")
    ck.ok(_key(r) == "visit.checkin_planned", "key visit.checkin_planned", r.describe())

    # the owner handing the visit over cannot check in for the new owner in the same PATCH
    r = lead.client.post("/api/v1/accounts/%d/visits" % acc, {"kind": "onsite", "planned_at": iso(time.time() + 5 * 86400)})
    if ck.expect(r, 201, "the lead plans a visit of their own"):
        vl = r.json["id"]
        before = ctx.record_state("visits", vl, acc)
        r = lead.client.patch("/api/v1/visits/%d" % vl, dict(CK, owner_id=am.id))
        ck.expect(r, 403, "reassign + check in -> 403 field checkin_lat", field="checkin_lat")
        ck.same(before, ctx.record_state("visits", vl, acc), "the refused reassign + check-in changed nothing")

    # create: the check-in is the (new) owner's
    before = ctx.ids_of("/api/v1/visits", {"account_id": str(acc)})
    r = lead.client.post("/api/v1/accounts/%d/visits" % acc,
                         dict(CK, kind="onsite", owner_id=am.id, planned_at=iso(time.time() + 86400)))
    ck.expect(r, 403, "a lead planning am_e's visit with a check-in -> 403 field checkin_lat", field="checkin_lat")
    r = am.client.post("/api/v1/accounts/%d/visits" % acc, dict(CK, kind="phone", planned_at=iso(time.time() + 86400)))
    ck.expect(r, 409, "a phone visit created with a check-in -> 409 field kind", field="kind")
    ck.same(before, ctx.ids_of("/api/v1/visits", {"account_id": str(acc)}), "refused creates planned nothing")
    r = am.client.post("/api/v1/accounts/%d/visits" % acc, dict(CK, kind="onsite", planned_at=iso(time.time() + 3600)))
    ck.expect(r, 201, "the owner creates an on-site visit checked in (unplanned, on the spot) -> 201",
              json={"owner_id": am.id, "checkin_lat": 31.230416})


# ---------------------------------------------------------------- the team home

def _people(r):
    return {p["user_id"]: p for p in (r.json or {}).get("people", [])} if r.status == 200 else {}


def g_home_scope(ctx):
    ck, a = ctx.ck, ctx.admin
    for key, parent in (("wm_h", None), ("wm_s", "wm_h"), ("wm_o", None)):
        j = ctx.must(a.post("/api/v1/teams", {"name": ctx.uniq("WM-%s " % key), "manager_id": None,
                                              "parent_id": ctx.teams[parent] if parent else None}),
                     201, "create team %s" % key)
        ctx.teams[key] = j["id"]
    L = ctx.new_user("wml", "team_lead", "wm_h", name="范围组长")
    M = ctx.new_user("wmm", "account_manager", "wm_s", name="范围经理")
    X = ctx.new_user("wmx", "team_lead", "wm_o", name="别组组长")  # leads the subteam, belongs elsewhere
    for t, u in (("wm_h", L), ("wm_s", X)):
        ctx.must(a.patch("/api/v1/teams/%d" % ctx.teams[t], {"manager_id": u.id}), 200, "manager of %s" % t)
    ctx.new_account(M.login, code=ctx.uniq("WMH"))
    ctx.new_account(X.login, code=ctx.uniq("WMX"))

    r = L.client.get("/api/v1/home/team", {"team_id": str(ctx.teams["wm_h"])})
    if ck.expect(r, 200, "the lead's team by id"):
        ppl = _people(r)
        ck.ok(set(ppl) == {L.id, M.id}, "the lead's team: the lead and the subteam's account manager, not the "
              "subteam's manager from another team", "got %s (L %d M %d X %d)" % (sorted(ppl), L.id, M.id, X.id))
        ck.ok(r.json["totals"]["accounts"] == sum(p["accounts"] for p in ppl.values()) == 1,
              "the totals count the listed people only (M's one account)", str(r.json["totals"]))
    r = L.client.get("/api/v1/home/team", {"team_id": str(ctx.teams["wm_s"])})
    if ck.expect(r, 200, "the lead picks the subteam"):
        ck.ok(set(_people(r)) == {M.id}, "the subteam: its account manager only", str(sorted(_people(r))))
    r = L.client.get("/api/v1/home/team")
    if ck.expect(r, 200, "the lead's default selection"):
        ck.ok(X.id not in _people(r) and {L.id, M.id} <= set(_people(r)), "the default: the lead's scope, no X",
              str(sorted(_people(r))))
    r = ctx.U("dir").client.get("/api/v1/home/team", {"team_id": str(ctx.teams["wm_h"])})
    if ck.expect(r, 200, "a director picks the team"):
        ck.ok(set(_people(r)) == {L.id, M.id, X.id}, "a director sees the subteam's manager too",
              str(sorted(_people(r))))


def g_home_service(ctx):
    ck = ctx.ck
    D = OwnDb(ctx, "home")
    try:
        if not D.init() or not D.start("kam-whomay-home"):
            return
        w = D.w
        adm = D.admin()
        S = w.new_user("wms", "service", None, name="服务专员")
        dr = w.new_user("wmd", "director", None, name="审批总监")
        y = time.gmtime().tm_year
        from t_sales import new_product, new_line
        sku = new_product(w, "WMFam")["sku"]
        for owner, amount in ((S, 3000), (dr, 1000)):  # last year's sales: the plan's basis
            a_id = w.new_account(owner.login, code=w.uniq("WMS"), name="服务客户 " + w.uniq())
            new_line(w, a_id, sku, date="%d-06-15" % (y - 1), amount=amount)
        smart = "具体可衡量的年度目标说明"
        r = adm.client.post("/api/v1/targets", {
            "year": y, "name": "服务计划 " + w.tag, "measure": "amount", "total": 1200, "dims": "account",
            "basis": "last_year", "deadline": "%d-12-31" % y, "specific": smart, "measurable": smart,
            "achievable": smart, "relevant": smart})
        pid = w.must(r, 201, "create a plan split by account")["id"]
        w.must(adm.client.post("/api/v1/targets/%d/decompose" % pid, {}), 200, "decompose")
        w.must(adm.client.post("/api/v1/targets/%d/submit" % pid, {}), 200, "submit")
        w.must(dr.client.post("/api/v1/targets/%d/approve" % pid, {}), 200, "approve")
        _sql(D.dsn, "INSERT INTO notifications (user_id, kind, title, created_at) VALUES (%d, 'kpi_off_track', "
                    "'off track %s', %d)" % (S.id, w.tag, int(time.time()) - 60))

        r = dr.client.get("/api/v1/home/team")
        if ck.expect(r, 200, "a director's team figures"):
            p = _people(r).get(S.id, {})
            ck.ok(r.json["plan_id"] == pid and p.get("target") is not None and p.get("attainment_pct") is not None
                  and "attainment" in r.json["sections"],
                  "a director sees the plan and the service member's target and attainment", str(p))
            ck.ok(any(x["kind"] == "kpi_off_track" and x["user_id"] == S.id for x in r.json["alerts"]),
                  "a director sees the KPI alert", str(r.json["alerts"]))
        r = S.client.get("/api/v1/home/team")
        if ck.expect(r, 200, "the service role's /home/team"):
            j = r.json
            p = _people(r).get(S.id, {})
            ck.ok(list(_people(r)) == [S.id], "the service member sees themselves", str(list(_people(r))))
            ck.ok(j["plan_id"] is None and j["plan_name"] is None, "no plan for a role without a grant on targets",
                  str((j["plan_id"], j["plan_name"])))
            ck.ok(p.get("target") is None and p.get("attainment_pct") is None and p.get("projection_pct") is None
                  and p.get("status") == "no_target" and j["totals"]["target"] is None,
                  "no target, attainment or projection", str(p))
            ck.ok("attainment" not in j["sections"] and "actual" in j["sections"],
                  "sections: no attainment, the actual", str(j["sections"]))
            ck.ok(not any(x["kind"] == "kpi_off_track" for x in j["alerts"]), "no KPI alert", str(j["alerts"]))
        ck.expect(S.client.get("/api/v1/targets/%d" % pid), 403, "(the policy: service may not read the plan)")

        # per role: the plan and the attainment section for the roles with a grant on targets
        # (policy.c), none for service, and hr reads no team figures at all
        from policy import policy as grant_of
        for role in ("admin", "director", "finance", "team_lead", "account_manager", "service", "viewer", "hr"):
            u = w.new_user("wmr", role, None)
            r = u.client.get("/api/v1/home/team")
            if grant_of(role, "account", "read") == "none":
                ck.expect(r, 403, "%s: /home/team refused (no grant on accounts)" % role)
                continue
            reads = grant_of(role, "target", "read") != "none"
            if ck.expect(r, 200, "%s: /home/team" % role):
                ck.ok((r.json["plan_id"] == pid) == reads and ("attainment" in r.json["sections"]) == reads
                      and (reads or not any(x["kind"] == "kpi_off_track" for x in r.json["alerts"])),
                      "%s: the plan and attainment %s" % (role, "shown" if reads else "not shown"),
                      "plan_id %s sections %s" % (r.json["plan_id"], r.json["sections"]))
    finally:
        D.drop()


# ---------------------------------------------------------------- search catch-up after listening

N_ROWS = 5000


def g_catchup(ctx):
    ck = ctx.ck
    D = OwnDb(ctx, "catchup")
    try:
        if not D.init():
            return
        tag = ctx.tag
        uid = _sql(D.dsn, "SELECT MIN(id) FROM users")
        if D.pg:
            gen = "FROM generate_series(1, %d) AS n(i)" % N_ROWS
            cat = "'WMQ%s-' || i, '追平索引客户' || i" % tag
            _sql(D.dsn, "INSERT INTO accounts (code, name, owner_id, tier, status, version, created_at, updated_at) "
                        "SELECT %s, %s, 'key', 'active', 1, 0, 0 %s" % (cat, uid, gen))
        else:
            _sql(D.dsn, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d) "
                        "INSERT INTO accounts (code, name, owner_id, tier, status, version, created_at, updated_at) "
                        "SELECT 'WMQ%s-' || i, '追平索引客户' || i, %s, 'key', 'active', 1, 0, 0 FROM n"
                        % (N_ROWS, tag, uid))
        indexed = lambda: int(_sql(D.dsn, "SELECT COUNT(*) FROM search_index WHERE kind = 'account'") or 0)
        ck.ok(indexed() == 0, "the %d accounts written straight into the table are not in the index" % N_ROWS)

        t0 = time.monotonic()
        if not D.start("kam-whomay-catchup"):
            return
        secs = time.monotonic() - t0
        at_health = indexed()
        ck.ok(at_health < N_ROWS, "/healthz answers while the index still lacks some of the %d rows "
              "(the catch-up runs after listening)" % N_ROWS, "%d indexed when /healthz answered after %.2f s"
              % (at_health, secs))
        adm = D.admin()
        r = adm.client.get("/api/v1/search", {"q": "WMQ%s-%d" % (tag, N_ROWS)})
        ck.expect(r, 200, "a search during the catch-up answers (from what is indexed)")
        last, found, n_polls = "WMQ%s-%d" % (tag, N_ROWS), False, 0
        deadline = time.monotonic() + POLL_S
        while time.monotonic() < deadline:
            n_polls += 1
            r = adm.client.get("/api/v1/search", {"q": last})
            if r.status == 200 and any(h.get("label") == "追平索引客户%d" % N_ROWS for h in r.json.get("items", [])):
                found = True
                break
            time.sleep(0.2)
        ck.ok(found, "the search finds the last row written behind kam's back after the catch-up",
              "after %d polls in %.0f s; %d indexed" % (n_polls, time.monotonic() - t0, indexed()))
        r = adm.client.get("/api/v1/search", {"q": "zpsy"})  # initials of 追平索引
        ck.ok(r.status == 200 and any(h["kind"] == "account" for h in r.json.get("items", [])),
              "pinyin initials find the caught-up rows", r.describe())
        with open(D.srv.log_path, "rb") as f:
            log = f.read().decode("utf-8", "replace")
        i_serving, i_index = log.find(" serving "), log.find("search index: %d records indexed" % N_ROWS)
        ck.ok(0 <= i_serving < i_index, "the log: serving first, then the catch-up's count",
              log[-600:])
        D.stop()
        print("whomay: %d rows; /healthz after %.2f s with %d indexed; found by search after %.1f s"
              % (N_ROWS, secs, at_health, time.monotonic() - t0), flush=True)

        # stopped in the middle of a catch-up (a new folding rule: every row again) -> exits 0 at once
        _sql(D.dsn, "UPDATE search_index SET fold_version = 0")
        if not D.start("kam-whomay-catchup-2"):
            return
        t1 = time.monotonic()
        rc = D.stop()
        secs = time.monotonic() - t1
        refolded = int(_sql(D.dsn, "SELECT COUNT(*) FROM search_index WHERE fold_version <> 0") or 0)
        ck.ok(rc == 0 and refolded < N_ROWS, "SIGTERM during the catch-up: exit 0 between two batches, without "
              "waiting for the rest", "rc=%s after %.1f s, %d of %d re-folded" % (rc, secs, refolded, N_ROWS))

        # the same with the scheduler on (its first pass would catch up again, to the end,
        # unless it too sees the stop): exit 0 between two batches
        _sql(D.dsn, "UPDATE search_index SET fold_version = 0")
        if not D.start("kam-whomay-catchup-3", env={"KAM_JOBS_INTERVAL": "60"}):
            return
        t1 = time.monotonic()
        rc = D.stop()
        secs = time.monotonic() - t1
        refolded = int(_sql(D.dsn, "SELECT COUNT(*) FROM search_index WHERE fold_version <> 0") or 0)
        ck.ok(rc == 0 and refolded < N_ROWS, "SIGTERM during the catch-up with the scheduler on: exit 0 "
              "between two batches, the jobs' pass not run", "rc=%s after %.1f s, %d of %d re-folded"
              % (rc, secs, refolded, N_ROWS))
    finally:
        D.drop()


def g_catchup_busy(ctx):
    """The catch-up meets a busy database (another process holds SQLite's write lock): it is
    tried again after a back-off, not given up for the life of the process (the jobs off, so
    nothing else would index the rows). SQLite only: the lock is SQLite's."""
    import sqlite3
    ck = ctx.ck
    if not ctx.dsn.startswith("sqlite:"):
        print("whomay-catchup-busy: SQLite's write lock only (skipped on PostgreSQL)", flush=True)
        return
    D = OwnDb(ctx, "catchup-busy")
    try:
        if not D.init():
            return
        tag, n = ctx.tag, 300
        uid = _sql(D.dsn, "SELECT MIN(id) FROM users")
        _sql(D.dsn, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d) "
                    "INSERT INTO accounts (code, name, owner_id, tier, status, version, created_at, updated_at) "
                    "SELECT 'WMB%s-' || i, '忙锁索引客户' || i, %s, 'key', 'active', 1, 0, 0 FROM n" % (n, tag, uid))
        holder = sqlite3.connect(D.dsn[len("sqlite:"):], timeout=30, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            D.srv = Server(ctx.kam, D.dsn, ctx.tmp, name="kam-whomay-catchup-busy",
                           env_extra={"KAM_SQLITE_BUSY_MS": "300"}, args=["--jobs-interval", "0"])
            D.w.srv = D.srv
            if not ck.ok(D.srv.start(wait=60), "kam serve starts while another process holds the write lock",
                         D.srv.start_error or ""):
                return
            log, deadline = "", time.monotonic() + POLL_S
            while time.monotonic() < deadline and "search index:" not in log:
                with open(D.srv.log_path, "rb") as f:
                    log = f.read().decode("utf-8", "replace")
                time.sleep(0.1)
            ck.ok("search index:" in log and "indexed" not in log,
                  "the catch-up's first try fails on the held lock (logged)", log[-400:])
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        adm = D.admin()
        found, deadline, t0 = False, time.monotonic() + POLL_S, time.monotonic()
        while time.monotonic() < deadline:
            r2 = adm.client.get("/api/v1/search", {"q": "WMB%s-%d" % (tag, n)})
            if r2.status == 200 and any(h.get("label") == "忙锁索引客户%d" % n for h in r2.json.get("items", [])):
                found = True
                break
            time.sleep(0.2)
        ck.ok(found, "once the lock is released, the retried catch-up indexes the rows: search finds them",
              "after %.1f s; %s" % (time.monotonic() - t0, _sql(D.dsn, "SELECT COUNT(*) FROM search_index")))
        rc = D.stop()
        ck.ok(rc == 0, "the server stops cleanly", "rc=%s" % rc)
    finally:
        D.drop()


def _psql_session(dsn):
    """An open psql session: run(sql, timeout) -> its output line (None on a timeout or an
    error: ON_ERROR_STOP ends the session), close()."""
    import select
    psql = sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"))
    p = subprocess.Popen([psql[-1] if psql else "psql", dsn, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def run(sql, timeout=30):
        try:
            p.stdin.write(sql.encode() + b"\n")
            p.stdin.flush()
        except OSError:  # the session ended on an error
            return None
        ready, _, _ = select.select([p.stdout], [], [], timeout)
        return p.stdout.readline().decode().strip() or None if ready else None

    def close():
        try:
            p.stdin.close()
        except OSError:
            pass
        try:
            p.wait(30)
        except subprocess.TimeoutExpired:
            p.kill()
        return (p.stderr.read() or b"").decode("utf-8", "replace")
    return run, close


def g_catchup_locks(ctx):
    """The catch-up locks no record (PostgreSQL): a writer holding a contact's row lock neither
    stops a batch over that contact, nor deadlocks with it when it then locks an earlier
    contact of the batch (the batch once share-locked its records in id order)."""
    ck = ctx.ck
    if ctx.dsn.startswith("sqlite:"):
        print("whomay-catchup-locks: PostgreSQL's row locks only (skipped on SQLite)", flush=True)
        return
    D = OwnDb(ctx, "catchup_locks")
    try:
        if not D.init():
            return
        uid = _sql(D.dsn, "SELECT MIN(id) FROM users")
        acc = _sql(D.dsn, "INSERT INTO accounts (code, name, owner_id, tier, status, version, created_at, updated_at) "
                          "VALUES ('WML%s', '锁客户', %s, 'key', 'active', 1, 0, 0) RETURNING id" % (ctx.tag, uid))
        _sql(D.dsn, "INSERT INTO contacts (account_id, name, decision_role, influence, attitude, created_at, updated_at) "
                    "SELECT %s, '锁联系人' || i, 'user', 3, 0, 0, 0 FROM generate_series(1, 300) AS n(i)" % acc)
        ids = [int(x) for x in _psql(D.dsn, "SELECT id FROM contacts ORDER BY id").split()]
        late, early = ids[149], ids[49]
        run, close = _psql_session(D.dsn)
        err = ""
        try:
            held = run("BEGIN; UPDATE contacts SET notes = 'B', version = version + 1 WHERE id = %d; "
                       "SELECT 'locked';" % late)
            if not ck.ok(held == "locked", "a writer holds the 150th contact's row lock", repr(held)):
                return
            if not D.start("kam-whomay-catchup-locks", env=None):
                return
            log, deadline = "", time.monotonic() + 30
            while time.monotonic() < deadline and "records indexed" not in log:
                with open(D.srv.log_path, "rb") as f:
                    log = f.read().decode("utf-8", "replace")
                time.sleep(0.1)
            waiting = _sql(ctx.dsn, "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = '%s' "
                                    "AND wait_event_type = 'Lock'" % D.pg)
            ck.ok("records indexed" in log, "the catch-up finishes while the writer holds its lock (never waits "
                  "for it)", "%s backends waiting on a lock; %s" % (waiting, log[-300:]))
            second = run("UPDATE contacts SET notes = 'B2', version = version + 1 WHERE id = %d; "
                         "SELECT 'second';" % early)
            ck.ok(second == "second", "the writer then locks the 50th contact of the same batch: no wait, "
                  "no deadlock", repr(second))
            ck.ok(run("COMMIT; SELECT 'committed';") == "committed", "the writer commits")
        finally:
            err = close()
        ck.ok("deadlock" not in err and "deadlock" not in log, "no deadlock anywhere", err[-300:])
        D.stop()
        # A writer holding the index row of a contact the batch reaches after an earlier one:
        # the batch gives way (lock_timeout: KAM_EBUSY, tried again after a back-off) and
        # releases the earlier row at once, so the writer's next index row never waits on it.
        _sql(D.dsn, "UPDATE search_index SET fold_version = 0 WHERE kind = 'contact'")
        run, close = _psql_session(D.dsn)
        log2 = ""
        try:
            held = run("BEGIN; UPDATE search_index SET label = label WHERE kind = 'contact' AND id = %d; "
                       "SELECT 'held';" % late)
            if not ck.ok(held == "held", "a writer holds the 150th contact's index row", repr(held)):
                return
            if not D.start("kam-whomay-catchup-locks-2"):
                return
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and "(retried)" not in log2:
                with open(D.srv.log_path, "rb") as f:
                    log2 = f.read().decode("utf-8", "replace")
                time.sleep(0.1)
            ck.ok("(retried)" in log2, "the batch meeting the writer's index row gives way (logged, retried)",
                  log2[-300:])
            # `kam jobs run` meanwhile: its catch-up gives way too, the other jobs (the mail) run
            # all the same, and it exits 0 with a warning
            from lib import run_cli
            jrc, jout, jerr = run_cli(ctx.kam, ["jobs", "run", "--db", D.dsn])
            ck.ok(jrc == 0 and "jobs done" in jout and "catch-up did not finish" in jerr,
                  "kam jobs run while the catch-up gives way: the other jobs run, exit 0 with a warning",
                  "rc=%s out=%s err=%s" % (jrc, jout[-200:], jerr[-300:]))
            t0 = time.monotonic()
            second = run("UPDATE search_index SET label = label WHERE kind = 'contact' AND id = %d; "
                         "SELECT 'second';" % early, timeout=10)
            ck.ok(second == "second" and time.monotonic() - t0 < 0.9,
                  "the writer then takes the 50th contact's index row without waiting (before "
                  "deadlock_timeout)", "%r after %.2f s" % (second, time.monotonic() - t0))
            ck.ok(run("COMMIT; SELECT 'committed';") == "committed", "the writer commits")
        finally:
            err = close()
        ck.ok("deadlock" not in err and "deadlock" not in log2, "no deadlock", err[-300:])
        # the catch-up, tried again, takes the writer's versions
        stale, deadline = None, time.monotonic() + 30
        while time.monotonic() < deadline and stale != "0":
            stale = _sql(D.dsn, "SELECT COUNT(*) FROM contacts t LEFT JOIN search_index s ON s.kind = 'contact' "
                                "AND s.id = t.id WHERE s.id IS NULL OR s.version <> t.version")
            time.sleep(0.1)
        ck.ok(stale == "0", "the next catch-up indexes the written contacts' new versions", "%s stale" % stale)
        D.stop()
        _race_deleted_record(ctx, D, early)
    finally:
        D.drop()


def _race_deleted_record(ctx, D, cid):
    """A writer deletes a record and its index row, uncommitted, while the catch-up reads the
    record (still visible) and its upsert waits on the writer's index row; the writer commits:
    the record stays out of the index (the catch-up re-checks after its upsert)."""
    ck = ctx.ck
    _sql(D.dsn, "UPDATE search_index SET fold_version = 0 WHERE kind = 'contact' AND id = %d" % cid)
    writer, wclose = _psql_session(D.dsn)
    poll, pclose = _psql_session(D.dsn)
    jobs = None
    try:
        gone = writer("BEGIN; DELETE FROM search_index WHERE kind = 'contact' AND id = %d; "
                      "DELETE FROM contacts WHERE id = %d; SELECT 'gone';" % (cid, cid))
        if not ck.ok(gone == "gone", "a writer deletes a contact and its index row (uncommitted)", repr(gone)):
            return
        jobs = subprocess.Popen([ctx.kam, "jobs", "run", "--db", D.dsn], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        waiting, deadline = None, time.monotonic() + 20
        while time.monotonic() < deadline and waiting != "1" and jobs.poll() is None:
            waiting = poll("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = '%s' AND "
                           "wait_event_type = 'Lock' AND query LIKE '%%search_index%%';" % D.pg)
        ck.ok(waiting == "1", "the catch-up's upsert waits on the writer's index row", repr(waiting))
        ck.ok(writer("COMMIT; SELECT 'committed';") == "committed", "the writer commits")
        out, err = jobs.communicate(timeout=60)
        err = err.decode("utf-8", "replace")
        ck.ok(jobs.returncode == 0 and "did not finish" not in err,
              "the catch-up went ahead once the writer committed (did not give way)",
              "rc=%s %s" % (jobs.returncode, err[-300:]))
        left = _sql(D.dsn, "SELECT COUNT(*) FROM search_index WHERE kind = 'contact' AND id = %d" % cid)
        ck.ok(left == "0", "the deleted contact stays out of the index (no ghost search hit)",
              "%s index rows" % left)
    finally:
        if jobs and jobs.poll() is None:
            jobs.kill()
            jobs.wait()
        wclose()
        pclose()


# ---------------------------------------------------------------- the per-address cap

def _hold_throttle_lock(D):
    """Takes the lock a failed login's throttle write needs (SQLite: the write lock; PostgreSQL:
    login_failures) and returns the function that lets it go."""
    if not D.pg:
        import sqlite3
        con = sqlite3.connect(D.dsn[len("sqlite:"):], timeout=30, isolation_level=None)
        con.execute("BEGIN IMMEDIATE")

        def release():
            con.execute("COMMIT")
            con.close()
        return release
    psql = sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"))
    p = subprocess.Popen([psql[-1] if psql else "psql", D.dsn, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    p.stdin.write(b"BEGIN; LOCK TABLE login_failures IN ACCESS EXCLUSIVE MODE; SELECT 'locked';\n")
    p.stdin.flush()
    p.stdout.readline()  # printed once the lock is held

    def release():
        p.stdin.write(b"COMMIT;\n")
        p.stdin.close()
        p.wait(60)
    return release


def _kept_alive(port):
    """A kept-alive connection that got one answer, or None when the server closed it unanswered."""
    from t_server import read_response
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        s.sendall(b"GET /api/v1/openapi.json HTTP/1.1\r\nHost: x\r\n\r\n")  # no database involved
        got = read_response(s)
    except OSError:
        got = b""
    if got.startswith(b"HTTP/1.1 200"):
        return s
    s.close()
    return None


def g_cap(ctx):
    """The per-address cap is libmicrohttpd's count (src/http/server.c): a connection counts until
    the server has finished with it. A client that gives up on a login waiting for a lock still
    holds its slot while the login runs; the slot comes back as soon as the login returns."""
    ck = ctx.ck
    D = OwnDb(ctx, "cap")
    held = []
    try:
        if not D.init() or not D.start("kam-whomay-cap", env={"KAM_MAX_CONNS_PER_ADDR": "2",
                                                               "KAM_HEADER_TIMEOUT": "60"}):
            return
        port = D.srv.port
        release = _hold_throttle_lock(D)
        try:
            st, _, _, err = http_call(port, "POST", "/api/v1/session",
                                      b'{"login":"nobody-whomay","password":"wrong-password-123"}',
                                      [("Connection", "close"), ("Content-Type", "application/json")], timeout=0.5)
            ck.ok(st == 0, "a login waiting for the lock is given up by its client after 0.5 s", "status %s %s" % (st, err))
            a = _kept_alive(port)
            ck.ok(a is not None, "a second connection is served (cap 2: one slot left)")
            if a:
                held.append(a)
            b = _kept_alive(port)
            ck.ok(b is None, "a third is closed unanswered: the abandoned login still holds its slot")
            if b:
                held.append(b)
        finally:
            release()
        t0 = time.monotonic()
        c = None
        while c is None and time.monotonic() - t0 < 30:
            c = _kept_alive(port)
        secs = time.monotonic() - t0
        ck.ok(c is not None and secs < 10, "once the lock went and the login returned, its slot is free again "
              "(the kept-alive second connection still open)", "after %.2f s" % secs)
        if c:
            held.append(c)
        print("whomay: the abandoned login's slot came back %.2f s after the lock was released" % secs, flush=True)
    finally:
        for s_ in held:
            s_.close()
        D.drop()


GROUPS = [
    ("whomay-checkin", g_checkin, True),
    ("whomay-home", g_home_scope, True),
    ("whomay-home-service", g_home_service, True),
    ("whomay-catchup", g_catchup, True),
    ("whomay-catchup-busy", g_catchup_busy, True),
    ("whomay-catchup-locks", g_catchup_locks, True),
    ("whomay-cap", g_cap, True),
]
