#!/usr/bin/env python3
"""Cross-engine suite: the same plans give the same cells on SQLite and on PostgreSQL.

    tests/pg/cross_engine.py --kam build/kam --dsn postgres://...(empty db)

Starts one `kam serve` on a fresh SQLite file and one on the PostgreSQL database, both with the
same pinned clock (KAM_NOW = 16 May 2071, tests/http/plan_world.py), loads the same world into
both (products, three accounts, the order lines as one CSV import, a wallet estimate), creates
the same target plans (dims subsets x bases last_year / equal / potential / forecast / blend,
totals 0 .. 10^12, scope filters), decomposes them, applies the same edits and locks (and the
same refused edits), and compares every leaf cell account x family x region x channel x month
(grid views with filters, accounts by code), the lock states, the grid totals, the csv exports
and the KPIs. Last line: N passed, N failed.
"""
import argparse
import os
import sys
import tempfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "http"))
from lib import Checker, Client, Server, run_cli  # noqa: E402
import plan_world as PW  # noqa: E402
from plan_world import World, read_cells, SMART  # noqa: E402

YEAR = 2071
TAG = "xe"
STATS = {"grids": 0, "cells": 0, "nonzero": 0, "edits": {}}


class PCtx:
    def __init__(self, srv, ck):
        self.srv = srv
        self.ck = ck


def plan_cases(W):
    F, R, C = W.fam, W.reg, W.chan
    return [
        dict(dims="family", basis="last_year", total=100, scope_region=R["N"], scope_channel=C["D"]),
        dict(dims="account", basis="equal", total=100),
        dict(dims="account,family", basis="last_year", total=7),
        dict(dims="account,family", basis="last_year", total=0),
        dict(dims="family,month", basis="last_year", total=10 ** 12),
        dict(dims="account,family,region,channel,month", basis="last_year", total=999983),
        dict(dims="account,family,region,channel,month", basis="equal", total=1000),
        dict(dims="account,family,region,channel,month", basis="forecast", total=10 ** 12),
        dict(dims="account,family,month", basis="forecast", total=123457),
        dict(dims="account,month", basis="potential", total=12345),
        dict(dims="account,family,channel", basis="blend", blend="last_year:50,forecast:50", total=1001),
        dict(dims="account,family,month", basis="blend", blend="forecast:20,potential:30,equal:50", total=777),
        dict(dims="region,channel,month", basis="blend", blend="last_year:30,potential:70", total=5),
        dict(dims="month", basis="last_year", total=12, scope_family=F["FA"]),
        dict(dims="account,family", basis="last_year", total=100, measure="quantity"),
    ]


def edit_script(W):
    """(selection, value, lock, reason) in order; the selection names accounts by key."""
    F, R = W.fam, W.reg
    return [
        ({"account": "A1"}, None, True),
        ({"family": F["FB"]}, 2000, None),
        ({"account": "A2", "month": 6}, 1234, None),
        ({"family": F["FA"]}, 0, None),               # refused: A1's FA cells are locked
        ({"region": R["S"]}, 3333, True),
        ({"account": "A2"}, "total", None),           # refused: the locked cells would have to give
        ({"account": "A1"}, None, False),
        ({"family": F["FC"], "month": 8}, 777, None),
        ({}, "total", None),                           # the whole plan to its own total: no change
    ]


class Side:
    def __init__(self, name, kam, dsn, tmp, ck):
        self.name = name
        self.dsn = dsn
        self.ck = ck
        self.srv = Server(kam, dsn, tmp, name="xe-" + name,
                          env_extra={"KAM_NOW": str(PW.NOW(YEAR)), "KAM_SESSION_TTL": str(400 * 86400)})
        self.W = World(TAG, YEAR)
        self.c = None
        self.plans = []

    def must(self, r, status, what):
        if not self.ck.expect(r, status, "%s: %s" % (self.name, what)):
            raise RuntimeError("%s: %s failed" % (self.name, what))
        return r.json


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kam", required=True)
    ap.add_argument("--dsn", required=True, help="an empty PostgreSQL database")
    args = ap.parse_args()
    kam = os.path.abspath(args.kam)
    ck = Checker()
    ck.group = "cross-engine"
    tmp = tempfile.mkdtemp(prefix="kam-xe-")
    sides = [Side("sqlite", kam, "sqlite:" + os.path.join(tmp, "kam.db"), tmp, ck),
             Side("postgres", kam, args.dsn, tmp, ck)]
    password = "cross-engine-admin-pw"
    try:
        for s in sides:
            rc, out, err = run_cli(kam, ["init", "--db", s.dsn])
            if not ck.ok(rc == 0, "%s: kam init" % s.name, err[-300:]):
                return finish(ck, sides, tmp)
            rc, out, err = run_cli(kam, ["user", "add", "--db", s.dsn, "--login", "xadmin", "--role", "admin"],
                                   stdin_text=password + "\n")
            if not ck.ok(rc == 0, "%s: kam user add" % s.name, err[-300:]):
                return finish(ck, sides, tmp)
            if not ck.ok(s.srv.start(), "%s: kam serve starts (KAM_NOW pinned)" % s.name, s.srv.start_error or ""):
                return finish(ck, sides, tmp)
            s.c = Client(PCtx(s.srv, ck), s.name)
            s.must(s.c.login("xadmin", password), 200, "login")
            s.W.build(s.c, s.must)
        run(ck, sides)
    except Exception as e:
        import traceback
        ck.fail("aborted by %s: %s" % (type(e).__name__, e), traceback.format_exc(limit=5).replace("\n", " | "))
    return finish(ck, sides, tmp)


def by_code(s, cells):
    """Cells keyed by account key (A1..) instead of the engine's ids."""
    if not isinstance(cells, dict):
        return cells
    inv = {v: k for k, v in s.W.acc.items()}
    return {(inv.get(k[0], k[0]),) + k[1:]: v for k, v in cells.items()}


def run(ck, sides):
    sq, pg = sides
    ck.ok(sq.W.acc.keys() == pg.W.acc.keys(), "both worlds built")
    for i, case in enumerate(plan_cases(sq.W)):
        label = "plan %d (%s)" % (i, ",".join("%s=%s" % kv for kv in sorted(case.items())))
        pids = []
        for s in sides:
            body = {"year": YEAR, "name": "跨引擎 %d" % i, "measure": "amount", "deadline": "%d-12-31" % YEAR,
                    "specific": SMART, "measurable": SMART, "achievable": SMART, "relevant": SMART}
            body.update(case)
            pid = s.must(s.c.post("/api/v1/targets", body), 201, "create " + label)["id"]
            s.must(s.c.post("/api/v1/targets/%d/decompose" % pid, {}), 200, "decompose " + label)
            pids.append(pid)
        dims = case["dims"].split(",")
        compare(ck, sides, pids, dims, label + " decomposed")
        if i in (5, 7, 11):
            edits(ck, sides, pids, dims, label, case["total"])
    kpis(ck, sides)


def compare(ck, sides, pids, dims, label):
    got = [by_code(s, read_cells(s.c, pid, dims, s.W)) for s, pid in zip(sides, pids)]
    if not ck.ok(all(isinstance(g, dict) for g in got), "%s: cells readable on both" % label, repr(got)[:300]):
        return
    a, b = got
    STATS["grids"] += 1
    STATS["cells"] += len(a)
    STATS["nonzero"] += sum(1 for v, _ in a.values() if v)
    diff = [(k, a.get(k), b.get(k)) for k in sorted(set(a) | set(b), key=repr) if a.get(k) != b.get(k)]
    ck.ok(not diff, "%s: every cell (value, lock) equal on SQLite and PostgreSQL (%d cells)" % (label, len(a)),
          "%d differ, e.g. %r" % (len(diff), diff[:4]))
    ck.ok(any(v for v, _ in a.values()) or sum(v for v, _ in a.values()) == 0, "%s: cells read" % label)
    totals = []
    for s, pid in zip(sides, pids):
        r = s.c.get("/api/v1/targets/%d/grid" % pid, {"rows": "none", "cols": "none"})
        totals.append(r.json.get("total") if r.status == 200 else r.status)
    ck.ok(totals[0] == totals[1] == sum(v for v, _ in a.values()), "%s: grid totals equal" % label, repr(totals))
    # the csv export of the first two dims (account labels carry names, not ids)
    rows = dims[0]
    cols = dims[1] if len(dims) > 1 else "none"
    texts = []
    for s, pid in zip(sides, pids):
        r = s.c.get("/api/v1/targets/%d/export" % pid, {"format": "csv", "rows": rows, "cols": cols})
        t = r.body.decode("utf-8") if r.status == 200 else "status %d" % r.status
        if rows == "account":  # the key column is the engine's id: name the account by its key
            for k, v in s.W.acc.items():
                t = t.replace('"%d",' % v, '"%s",' % k)
        texts.append(t)
    ck.ok(texts[0] == texts[1], "%s: csv exports (%s x %s) identical" % (label, rows, cols),
          "%r vs %r" % (texts[0][:300], texts[1][:300]))


def edits(ck, sides, pids, dims, label, total):
    for n, (sel, value, lock) in enumerate(edit_script(sides[0].W)):
        statuses = []
        for s, pid in zip(sides, pids):
            body = {}
            for k, v in sel.items():
                if k == "account":
                    body["account_id"] = s.W.acc[v]
                elif k in ("family", "region", "channel", "month"):
                    body[k] = v
            if value is not None:
                body["value"] = total if value == "total" else value
            if lock is not None:
                body["lock"] = lock
            r = s.c.put("/api/v1/targets/%d/cells" % pid, body)
            statuses.append(r.status)
        STATS["edits"][statuses[0]] = STATS["edits"].get(statuses[0], 0) + 1
        ck.ok(statuses[0] == statuses[1] and statuses[0] in (200, 404, 409),
              "%s edit %d %r: same answer on both engines" % (label, n, sel), repr(statuses))
        compare(ck, sides, pids, dims, "%s after edit %d" % (label, n))


def kpis(ck, sides):
    """KPIs and the series answer the same on both engines (accounts by key)."""
    queries = [("/api/v1/kpis", {"by": "family", "period": "%d" % YEAR}),
               ("/api/v1/kpis", {"by": "account", "period": "%d-Q1" % YEAR}),
               ("/api/v1/kpis", {"by": "month", "period": "%d" % (YEAR - 1)}),
               ("/api/v1/sales/series", {"by": "family", "from": "%d-01" % (YEAR - 2), "to": "%d-05" % YEAR,
                                         "forecast": "6"}),
               ("/api/v1/sales/breakdown", {"by": "region", "from": "%d-01" % YEAR, "to": "%d-05" % YEAR}),
               ("/api/v1/sales/affinity", {"min_count": "1"})]
    for path, q in queries:
        got = []
        for s in sides:
            r = s.c.get(path, q)
            j = r.json if r.status == 200 else ("status", r.status)
            txt = repr(j)
            for k, v in s.W.acc.items():
                txt = txt.replace("'%d'" % v, "'%s'" % k)
            got.append(txt)
        ck.ok(got[0] == got[1], "%s %r: same answer on both engines" % (path, q), "%s vs %s" % (got[0][:300],
                                                                                               got[1][:300]))
    for a in ("A1", "A2", "A3"):
        got = []
        for s in sides:
            r = s.c.get("/api/v1/accounts/%d/behaviour" % s.W.acc[a])
            j = r.json if r.status == 200 else ("status", r.status)
            if isinstance(j, dict):
                j.pop("account_id", None)
                for x in j.get("neighbours", []):
                    x.pop("account_id", None)
            got.append(repr(j))
        ck.ok(got[0] == got[1], "behaviour of %s: same on both engines" % a, "%s vs %s" % (got[0][:300], got[1][:300]))


def finish(ck, sides, tmp):
    for s in sides:
        if s.srv.proc is not None:
            alive = s.srv.alive()
            rc = s.srv.stop()
            ck.ok(alive and rc == 0, "%s: server stops cleanly (exit 0)" % s.name, "exit %s" % rc)
    if ck.failed:
        for s in sides:
            print("---- tail of %s" % s.srv.log_path)
            print(s.srv.log_tail(15))
        print("temp dir kept: %s" % tmp)
    else:
        import shutil
        shutil.rmtree(tmp, ignore_errors=True)
    print("compared %d grids, %d leaf cells (%d non-zero); edit answers %r"
          % (STATS["grids"], STATS["cells"], STATS["nonzero"], STATS["edits"]))
    if ck.known:
        print("known src/ bugs still present (not counted): %s" % ", ".join(sorted(set(ck.known))))
    print("%d passed, %d failed" % (ck.passed, ck.failed))
    return 1 if ck.failed else 0


if __name__ == "__main__":
    sys.exit(main())
