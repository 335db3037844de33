#!/usr/bin/env python3
"""Fault suite: every route's happy path with the Nth fault point failing, N = 1, 2, ...

The server is the fault build (`make build/kam-fault`, base/fault.h): a request carrying
`X-Kam-Fault: N` fails the Nth prepare / bind / step / exec / COMMIT of the storage layer or
malloc of src/analytics on its own thread, and the answer says whether that happened
(`X-Kam-Fault-Hit: 0|1`, `X-Kam-Fault-Kind`) and how many fault points it passed
(`X-Kam-Fault-Points`).

The world is the HTTP suite's fixture world (tests/http/fixtures.py) plus its care and sales
worlds, built through the API without faults. Then, for EVERY operation of the served
/api/v1/openapi.json, the permission matrix's request builder (tests/http/t_matrix.py, or an
override below) makes a valid request as admin, and it is sent with N = 1, 2, ... until the
fault no longer hits. A route with many fault points (a loop over rows) is probed at every N up to
--dense and then at a stride that grows with N (N/40), and once with `X-Kam-Fault: commit:1` (its
first COMMIT fails, whatever came before). One check per (route, N):
  hit:     a 5xx answer with a JSON error envelope, the server alive, and the database unchanged
           (every table's content, compared to before the request);
  not hit: the route's success status (the happy path still works), and the loop stops.
An operation without a builder fails, so a new route needs a sample here or in t_matrix.py.

Routes with a known bug in src/svc or src/api (not the fault suite's to fix) are listed in
KNOWN_FAILURES with the reason; their failing checks print KNOWN BUG and count in neither
column. The summary gives the fault suite's size: routes x fault points.

    tests/fault/run.py --kam build/kam-fault [--dsn postgres://...] [--only SUBSTR] [--keep]
"""

import argparse
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "http"))

import fixtures  # noqa: E402
import lib  # noqa: E402
import t_matrix  # noqa: E402
from lib import Checker, Server, run_cli, trunc  # noqa: E402
from t_basic import openapi_ops, norm  # noqa: E402

# Feature modules register their routes' builders with t_matrix.route when imported.
for _f in sorted(os.listdir(os.path.join(HERE, "..", "http"))):
    if _f.startswith("t_") and _f.endswith(".py"):
        __import__(_f[:-3])

# The HTTP suite validates every response against the OpenAPI document (lib.CONTRACT); that is
# its check, not this suite's, and the answers to injected faults are undocumented 500s.
if hasattr(lib, "CONTRACT"):
    lib.CONTRACT.check = lambda *args, **kwargs: None

# (METHOD, normalised path) -> why its fault checks fail today (a bug in src/svc or src/api,
# for the lead): these checks print KNOWN BUG and count in neither column until fixed.
KNOWN_FAILURES = {
}

SHOWN = 2  # failing checks shown in full per route; the others are summed up in one line


# The login throttle commits its reservation before the password is judged (by design: parallel
# guesses must count) and gives it back when the request then fails for another reason
# (svc/core/auth.c throttle_give_back); the counts are restored, the rows' timestamps are not.
# So login_failures is compared by its live counts.
THROTTLE_SQL = "SELECT key, count FROM login_failures WHERE count > 0"


def sqlite_path(dsn):
    p = dsn[len("sqlite:"):] if dsn.startswith("sqlite:") else dsn
    return p


class SqliteState:
    """{table: sha256 of its rows} over every table of the file (sqlite_sequence included),
    through a read-only connection kept open. Reading every table is the costly part of a fault
    check, so it is skipped while `PRAGMA data_version` says no other connection committed
    since the last reading (a rolled-back request commits nothing): the last reading is still
    the content."""

    def __init__(self, dsn):
        self.dsn = dsn
        self.con = None
        self.version = None
        self.last = None

    def __call__(self):
        if self.con is None:
            self.con = sqlite3.connect("file:%s?mode=ro" % sqlite_path(self.dsn), uri=True, timeout=30,
                                       isolation_level=None)
        version = self.con.execute("PRAGMA data_version").fetchone()[0]
        if self.last is not None and version == self.version:
            return self.last
        out = {}
        tables = [r[0] for r in self.con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        for t in tables:
            h = hashlib.sha256()
            rows = self.con.execute(THROTTLE_SQL if t == "login_failures" else
                                    'SELECT * FROM "%s"' % t.replace('"', '""')).fetchall()
            for row in sorted(rows, key=repr):
                h.update(repr(row).encode("utf-8", "surrogatepass"))
                h.update(b"\n")
            out[t] = "%d:%s" % (len(rows), h.hexdigest()[:16])
        self.version, self.last = version, out
        return out

    def close(self):
        if self.con is not None:
            self.con.close()


class PgState:
    """{table: count:md5} over the public schema's tables, through one psql session. Sequences
    are left out: PostgreSQL never gives back a number taken by a rolled-back INSERT."""

    END = "__kam_fault_end__"

    def __init__(self, dsn):
        self.dsn = dsn
        self.sql = None
        self.proc = None
        self.xmax = None
        self.last = None

    def _psql(self, sql):
        if self.proc is None or self.proc.poll() is not None:
            self.proc = subprocess.Popen(["psql", "-X", "-q", "-At", "-d", self.dsn], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.proc.stdin.write(("%s;\n\\echo %s\n" % (sql, self.END)).encode("utf-8"))
        self.proc.stdin.flush()
        lines, errors = [], []
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError("psql ended: %s" % " | ".join(lines + errors)[-300:])
            line = line.decode("utf-8", "replace").rstrip("\n")
            if line == self.END:
                break
            (errors if line.startswith(("ERROR:", "psql:")) else lines).append(line)
        if errors:
            raise RuntimeError("psql: %s" % " | ".join(errors))
        return lines

    def __call__(self):
        # Reading every table is skipped when no transaction committed since the last reading:
        # every transaction id taken since then (the snapshot's xmax moved past it) aborted.
        xmax = int(self._psql("SELECT pg_snapshot_xmax(pg_current_snapshot())")[0])
        if self.last is not None:
            live = int(self._psql(
                "SELECT count(*) FROM generate_series(%d, %d) x "
                "WHERE pg_xact_status(x::text::xid8) IS DISTINCT FROM 'aborted'" % (self.xmax, xmax - 1))[0])
            if live == 0:
                self.xmax = xmax
                return self.last
        if self.sql is None:
            tables = self._psql("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
            parts = ["SELECT '%s', count(*) || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') "
                     "FROM %s t" % (t, "(%s) AS" % THROTTLE_SQL if t == "login_failures" else 'public."%s"' % t)
                     for t in tables]
            self.sql = " UNION ALL ".join(parts)
        out = {}
        for line in self._psql(self.sql):
            k, _, v = line.partition("|")
            out[k] = v
        self.xmax, self.last = xmax, out
        return out

    def close(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait(10)


def last_fault(srv):
    """The statement of the last injected fault, from the server's log."""
    try:
        with open(srv.log_path, "rb") as f:
            f.seek(0, 2)
            f.seek(max(0, f.tell() - 65536))
            lines = f.read().decode("utf-8", "replace").splitlines()
    except OSError:
        return ""
    for line in reversed(lines):
        i = line.find("fault: injected")
        if i >= 0:
            return line[i + 7:]
    return "(no fault in the log)"


def sanitizer_check(ck, srv):
    """No sanitizer report in the server's log (ASan/UBSan/LSan builds)."""
    try:
        with open(srv.log_path, "rb") as f:
            text = f.read().decode("utf-8", "replace")
    except OSError as e:
        return ck.fail("server log readable", str(e))
    hits = [line for line in text.splitlines()
            if "Sanitizer" in line or "runtime error:" in line]
    return ck.ok(not hits, "no sanitizer report in the server log", " | ".join(hits[:5]))


def diff_tables(before, after):
    return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))


# Builders for routes where the matrix's does not fit a fault loop; same signature
# (ctx, user, rec) -> t_matrix.Attempt.
OVERRIDES = {}


def override(method, path):
    def deco(fn):
        OVERRIDES[(method, norm(path))] = fn
        return fn
    return deco


@override("DELETE", "/api/v1/session")
def _(ctx, u, rec):
    # a session of its own: the admin's must live on
    c = ctx.client("fault-logout")
    ctx.must(c.login(u.login, u.password), 200, "a second admin session")
    return t_matrix.Attempt("DELETE", "/api/v1/session", ok=204, client=c)


@override("POST", "/api/v1/targets/{id}/approve")
def _(ctx, u, rec):
    # approval is the director's alone (separation of duties: admin may not)
    att = t_matrix.BUILDERS[("POST", norm("/api/v1/targets/{id}/approve"))][0](ctx, u, rec)
    att.client = ctx.U("dir").client
    return att


@override("POST", "/api/v1/approvals/{id}/approve")
@override("POST", "/api/v1/approvals/{id}/reject")
def _(ctx, u, rec):
    # a discount is decided by a director (or finance, a team lead), never by admin (t_offers.py)
    path = "/api/v1/approvals/{id}/approve"
    att = t_matrix.BUILDERS[("POST", norm(path))][0](ctx, ctx.U("dir"), rec)
    if "reject" in ctx.ck.group:
        att.path = att.path.replace("/approve", "/reject")
        att.body = {"comment": "fault"}
    att.client = ctx.U("dir").client
    return att


@override("POST", "/api/v1/churn/train")
def _(ctx, u, rec):
    # Training reads every feature row (each a fault point) and then fits the model; a fault loop
    # over a full training takes hours. Faulted here: the whole read of the history up to the
    # refusal (409 churn.too_little_history: a fall of over 99 % in 12 months is too rare), which
    # must leave the models and scores as they were. The training and its writes are covered by
    # tests/unit/test_churn_app.c and tests/http/t_churn.py.
    import t_churn
    t_churn.world(ctx)
    return t_matrix.Attempt("POST", "/api/v1/churn/train", {"horizon_months": 12, "drop_bp": 9900}, ok=409)


def _kpi_group(ctx):
    """A subsidiary of A_own with a sales line and a wallet estimate (once), for the KPIs with
    subsidiaries=1 (issue 13: groups add up)."""
    sub = getattr(ctx, "fault_kpi_sub", None)
    if sub is None:
        sub = ctx.new_account("am_e", parent_id=ctx.ids["A_own"], code=ctx.uniq("FKS"), name="故障子公司 " + ctx.tag)
        W = t_matrix.sales_world(ctx)
        t_matrix.new_line(ctx, sub, W.prod[0]["sku"], "2025-06-05", 2, 1000, "CNY")
        ctx.must(ctx.admin.put("/api/v1/accounts/%d/wallet/2025" % sub, {"amount": 500000, "note": "fault"}), 200,
                 "the subsidiary's wallet")
        ctx.fault_kpi_sub = sub
    return sub


@override("GET", "/api/v1/kpis")
def _(ctx, u, rec):
    # by account with every group rolled up (kpi_compute_groups: each group's KPIs with its
    # subsidiaries, the plan's account cells of the group, the group's wallet, group_extent).
    # The KPI lines by owner are faulted through GET /kpis/export below (the same kpi_run).
    _kpi_group(ctx)
    return t_matrix.Attempt("GET", "/api/v1/kpis", query={"by": "account", "subsidiaries": 1,
                                                          "plan_id": t_matrix.mx_plan(ctx), "period": "2090"})


@override("POST", "/api/v1/me/password")
def _(ctx, u, rec):
    # a user of its own: the admin's password stays
    v = ctx.new_user("fpw", "viewer")
    new = "fault-new-" + v.password
    return t_matrix.Attempt("POST", "/api/v1/me/password", {"old_password": v.password, "new_password": new},
                            ok=204, client=v.client)


# The forecast paths (svc/volume/volume.c, svc/volume/target_split.c): a series with a forecast and
# a plan on the forecast basis, so their out-of-memory answers are reached too.
@override("GET", "/api/v1/sales/series")
def _(ctx, u, rec):
    W = t_matrix.sw(ctx)
    return t_matrix.Attempt("GET", "/api/v1/sales/series", query={"family": W.fam[0], "from": "2025-01",
                                                                  "to": "2025-12", "by": "family", "forecast": "3"})


@override("POST", "/api/v1/targets/{id}/decompose")
def _(ctx, u, rec):
    t_matrix.sw(ctx)
    body = {"year": 2026, "name": "fault forecast " + ctx.uniq(), "measure": "amount", "total": 1200,
            "dims": "account", "basis": "forecast", "deadline": "2026-12-31", "specific": t_matrix.SMART,
            "measurable": t_matrix.SMART, "achievable": t_matrix.SMART, "relevant": t_matrix.SMART}
    pid = ctx.must(ctx.admin.post("/api/v1/targets", body), 201, "create a forecast-basis plan")["id"]
    return t_matrix.Attempt("POST", "/api/v1/targets/%d/decompose" % pid, {})


# Targets by account manager and team (issue 13): a plan split by owner and month, so the KPI
# lines per owner (kpi_compute_people, the owner cells as targets) and the grid's named owner
# columns are reached too.
def owner_plan(ctx):
    t_matrix.sw(ctx)
    body = {"year": 2026, "name": "fault owners " + ctx.uniq(), "measure": "amount", "total": 1200,
            "dims": "owner,month", "basis": "last_year", "deadline": "2026-12-31", "specific": t_matrix.SMART,
            "measurable": t_matrix.SMART, "achievable": t_matrix.SMART, "relevant": t_matrix.SMART}
    pid = ctx.must(ctx.admin.post("/api/v1/targets", body), 201, "create a plan by owner")["id"]
    ctx.must(ctx.admin.post("/api/v1/targets/%d/decompose" % pid, {}), 200, "decompose the plan by owner")
    return pid


@override("GET", "/api/v1/kpis/export")
def _(ctx, u, rec):
    pid = owner_plan(ctx)
    return t_matrix.Attempt("GET", "/api/v1/kpis/export", query={"plan_id": str(pid), "by": "owner", "period": "2026",
                                                                 "format": "csv"})


@override("GET", "/api/v1/targets/{id}/grid")
def _(ctx, u, rec):
    pid = owner_plan(ctx)
    return t_matrix.Attempt("GET", "/api/v1/targets/%d/grid" % pid, query={"rows": "month", "cols": "owner"})


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kam", required=True, help="the fault build (build/kam-fault)")
    ap.add_argument("--dsn", help="an EMPTY PostgreSQL database (default: a fresh SQLite file)")
    ap.add_argument("--only", help="only operations whose 'METHOD path' contains this text")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir")
    ap.add_argument("--shown", type=int, default=SHOWN, help="failing checks shown in full per route")
    ap.add_argument("--dense", type=int, default=400, help="probe every N up to this, then at a stride of N/40")
    ap.add_argument("--max-n", type=int, default=200000, help="give up on a route past this many fault points")
    args = ap.parse_args()

    kam = os.path.abspath(args.kam)
    tmp = tempfile.mkdtemp(prefix="kam-fault-")
    dsn = args.dsn or "sqlite:%s" % os.path.join(tmp, "kam.db")
    state = PgState(dsn) if dsn.startswith("postgres") else SqliteState(dsn)
    ck = Checker()
    ctx = fixtures.Ctx(kam, dsn, tmp, ck)
    t0 = time.time()
    srv = None
    stats = {"routes": 0, "points": 0, "known": 0}
    per_kind = {}

    def finish():
        state.close()
        if srv is not None:
            if ck.failed:
                print("---- tail of %s" % srv.log_path)
                print(srv.log_tail(30))
            srv.stop()
        if ck.failed or args.keep:
            print("temp dir kept: %s" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
        if ck.known:
            print("known failures (not counted): %d checks on %d routes: %s"
                  % (len(ck.known), len(set(ck.known)), ", ".join(sorted(set(ck.known)))))
        print("fault points by kind: %s" % ", ".join("%s %d" % kv for kv in sorted(per_kind.items())))
        print("fault suite: %d routes, %d faulted requests (%s, %.1f s)"
              % (stats["routes"], stats["points"], "PostgreSQL" if dsn.startswith("postgres") else "SQLite",
                 time.time() - t0))
        print("%d passed, %d failed" % (ck.passed, ck.failed))
        sys.exit(1 if ck.failed else 0)

    ck.group = "setup"
    if not ck.ok(os.access(kam, os.X_OK), "kam-fault exists", kam):
        finish()
    rc, out, err = run_cli(kam, ["init", "--db", dsn])
    if not ck.ok(rc == 0, "kam init", "rc=%s %s %s" % (rc, out[-300:], err[-300:])):
        finish()
    if not fixtures.bootstrap_admin(ctx):
        finish()
    srv = Server(kam, dsn, tmp, name="kam-fault")
    ctx.srv = srv
    if not ck.ok(srv.start(), "kam-fault serve starts", srv.start_error or ""):
        finish()
    try:
        fixtures.build(ctx)
    except Exception as e:
        ck.fail("fixture world: %s: %s" % (type(e).__name__, e), traceback.format_exc(limit=4))
        finish()
    admin = ctx.U("admin")
    r = ctx.client().get("/api/v1/openapi.json")
    if not ck.ok(r.status == 200 and isinstance(r.json, dict), "openapi.json", r.describe()):
        finish()
    # the build: a request without the header passes no fault point, and says so
    h = r.header("X-Kam-Fault-Hit")
    if not ck.ok(h == "0" and r.header("X-Kam-Fault-Points") == "0",
                 "the server is the fault build (X-Kam-Fault-Hit: 0, X-Kam-Fault-Points: 0 without a fault)",
                 "got %r / %r" % (h, r.header("X-Kam-Fault-Points"))):
        finish()
    print("-- setup: world built (%.1f s)" % (time.time() - t0), flush=True)

    ops = sorted(openapi_ops(r.json), key=lambda o: (o[1], o[0]))
    for meth, path, op in ops:
        key = (meth, norm(path))
        label = "%s %s" % (meth, path)
        if args.only and args.only not in label:
            continue
        ck.group = label
        fn = OVERRIDES.get(key) or (t_matrix.BUILDERS.get(key) or (None,))[0]
        if fn is None:
            ck.fail("operation without a sample: %s" % label,
                    "add a request builder to tests/http/t_matrix.py or an override to tests/fault/run.py")
            continue
        if not srv.alive():
            ck.fail("server died; restarting", srv.log_tail(20))
            srv.stop()
            if not srv.start():
                ck.fail("server restart", srv.start_error or "")
                finish()
        try:
            att = fn(ctx, admin, "own")
        except Exception as e:
            ck.fail("setup of %s: %s: %s" % (label, type(e).__name__, e), traceback.format_exc(limit=3))
            continue
        client = att.client or admin.client
        known = KNOWN_FAILURES.get(key)
        before = state()
        stats["routes"] += 1
        n = 1
        t_route = time.time()
        failed_n = []
        known0 = len(ck.known)
        probes = 0
        points = None
        commit_probe = commit_done = False
        while n <= args.max_n:
            # Past --dense, the first COMMIT is faulted once on its own (the stride may step over it).
            spec = "commit:1" if commit_probe else str(n)
            r = client.request(att.method, att.path, att.body, query=att.query, raw=att.raw,
                               content_type=att.content_type, headers={"X-Kam-Fault": spec})
            probes += 1
            hit = r.header("X-Kam-Fault-Hit")
            if commit_probe and hit != "1":
                # no COMMIT on this path (a read): the request ran whole, as a read may
                commit_probe = False
                continue
            if hit != "1":
                points = r.header("X-Kam-Fault-Points")
                # no fault left on this path: the request must succeed as without faults
                want = att.ok if isinstance(att.ok, (tuple, list)) else (att.ok,)
                ok = r.status in want and hit == "0"
                name = "%s after %s fault points: %s" % (label, points, att.ok)
                if known and not ok:
                    ck.known_bug(False, "%s %s" % (meth, norm(path)), name,
                                 "hit %r | %s [known: %s]" % (hit, r.describe(), known))
                else:
                    ck.ok(ok, name, "hit %r | %s" % (hit, r.describe()))
                if att.after:
                    att.after(r)
                if att.cleanup:
                    att.cleanup()
                break
            kind = r.header("X-Kam-Fault-Kind") or "?"
            per_kind[kind] = per_kind.get(kind, 0) + 1
            stats["points"] += 1
            problems = []
            if not 500 <= r.status <= 599:
                problems.append("status %d, want 5xx" % r.status)
            elif not (isinstance(r.err, dict) and isinstance(r.err.get("code"), str)):
                problems.append("no JSON error body")
            alive = srv.alive()
            if not alive:
                problems.append("the server died (exit %s)" % srv.proc.returncode)
            after = state()
            changed = diff_tables(before, after)
            if changed:
                problems.append("database changed: %s" % ", ".join(changed))
            name = "%s N=%s (%s fault)" % (label, spec, kind)
            detail = "; ".join(problems) + " | " + trunc(r.describe(), 300)
            if problems:
                detail += " | " + last_fault(srv)
            if problems:
                failed_n.append(spec)
            if known and problems:
                if len(failed_n) <= args.shown:
                    ck.known_bug(False, "%s %s" % (meth, norm(path)), name, detail + " [known: %s]" % known)
                else:
                    ck.known.append("%s %s" % (meth, norm(path)))
            elif problems and len(failed_n) > args.shown:
                ck.failed += 1  # shown in the route's summary line
            else:
                ck.ok(not problems, name, detail)
            if changed:
                before = after  # judge the next N on its own
            if not alive:
                srv.stop()
                if not srv.start():
                    ck.fail("server restart", srv.start_error or "")
                    finish()
            if commit_probe:
                commit_probe = False
                continue
            n += 1 if n < args.dense else max(1, n // 40)
            if n > args.dense and not commit_done:
                commit_probe = commit_done = True
        else:
            ck.fail("%s: still hitting faults after %d" % (label, args.max_n))
        if known and len(ck.known) == known0:
            print("NOTE [%s] known failure no longer reproduces: remove it from KNOWN_FAILURES" % label,
                  flush=True)
        if len(failed_n) > args.shown:
            print("%s [%s] %d more failing N (%d in all): %s"
                  % ("KNOWN BUG" if known else "FAIL", label, len(failed_n) - args.shown, len(failed_n),
                     " ".join(str(x) for x in failed_n)), flush=True)
        print("-- %s: %s fault points, %d probed, %d failing (%.2f s)"
              % (label, points, probes - 1, len(failed_n), time.time() - t_route), flush=True)

    ck.group = "end"
    if ck.ok(srv.alive(), "kam-fault is still running"):
        rc = srv.stop()
        ck.ok(rc == 0, "kam-fault stops cleanly (exit 0)", "exit %s" % rc)
    sanitizer_check(ck, srv)
    finish()


if __name__ == "__main__":
    main()
