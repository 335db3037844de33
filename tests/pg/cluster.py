#!/usr/bin/env python3
"""PostgreSQL-only suite: several kam serve on one database, and migrate-data round trips.

    tests/pg/cluster.py --kam build/kam --dsn postgres://... --dsn2 postgres://...(empty db)

1. Two `kam serve` on one PostgreSQL behave as one system: a session made on A works on B,
   a logout on B ends it on A, and failed-login limits count across both.
2. Concurrent updates of one account through both instances: every PATCH carries the version
   it read; the winners get 200, the losers 409; no update is lost (final version = 1 + wins)
   and every win has exactly one audit row.
3. Three `kam jobs run` started together on the demo data (same pinned clock, 40 days ahead):
   every visit, escalation and overdue notice happens once (counts add up, no duplicate
   visit, a third run finds nothing to do).
4. The database restarts under a running instance: it reconnects and goes on.
5. `kam migrate-data` round trip of the demo data: SQLite -> PostgreSQL (dsn2) -> SQLite, with
   per-table counts and checksums printed and verified by kam, and checked here again through
   the API of a server on the copy.
Last line: N passed, N failed.
"""
import argparse
import json
import os
import sys
import re
import subprocess
import tempfile
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "http"))
from lib import Server, http_call, run_cli, iso, epoch  # noqa: E402

PASSED = 0
FAILED = 0


def ok(cond, name, detail=""):
    global PASSED, FAILED
    if cond:
        PASSED += 1
    else:
        FAILED += 1
        print("FAIL %s %s" % (name, detail))
    return cond


def call(port, method, path, body=None, cookie=None, csrf=None):
    hdrs = [("Connection", "close")]
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        hdrs.append(("Content-Type", "application/json"))
    if cookie:
        hdrs.append(("Cookie", cookie))
    if csrf:
        hdrs.append(("X-CSRF-Token", csrf))
    status, headers, raw, _ = http_call(port, method, path, data, hdrs)
    try:
        js = json.loads(raw) if raw else None
    except ValueError:
        js = None
    return status, headers, js


def login(port, user, password="kam-demo-2026"):
    st, headers, js = call(port, "POST", "/api/v1/session", {"login": user, "password": password})
    cookie = None
    for k, v in headers:
        if k.lower() == "set-cookie" and v.startswith("kam_session="):
            cookie = v.split(";")[0]
    return st, cookie, (js or {}).get("csrf_token")


def shared_sessions(a, b):
    st, cookie, csrf = login(a.port, "director")
    ok(st == 200 and cookie, "login on A")
    st, _, js = call(b.port, "GET", "/api/v1/me", cookie=cookie)
    ok(st == 200 and js and js.get("login") == "director", "session from A works on B", st)
    st, _, js = call(b.port, "POST", "/api/v1/accounts",
                     {"code": "CLUSTER-1", "name": "集群测试客户"}, cookie=cookie, csrf=csrf)
    ok(st == 201, "unsafe request on B with A's session and CSRF token", st)
    st, _, _ = call(b.port, "DELETE", "/api/v1/session", cookie=cookie, csrf=csrf)
    ok(st == 204, "logout on B", st)
    st, _, _ = call(a.port, "GET", "/api/v1/me", cookie=cookie)
    ok(st == 401, "the session is gone on A too", st)
    # Failed logins counted across instances: 3 on A + 3 on B exceed the per-login limit of 5.
    for i in range(3):
        call(a.port, "POST", "/api/v1/session", {"login": "finance", "password": "wrong-%d" % i})
        call(b.port, "POST", "/api/v1/session", {"login": "finance", "password": "wrong-b%d" % i})
    st, _, _ = call(a.port, "POST", "/api/v1/session", {"login": "finance", "password": "kam-demo-2026"})
    ok(st == 429, "failed-login limit is shared by both instances", st)


def concurrent_updates(a, b):
    st, cookie, csrf = login(a.port, "director")
    st, _, js = call(a.port, "POST", "/api/v1/accounts", {"code": "RACE-1", "name": "Race Ltd"},
                     cookie=cookie, csrf=csrf)
    if not ok(st == 201, "create the contested account", st):
        return
    acc = js["id"]
    results = []
    lock = threading.Lock()

    def worker(port, n, tag):
        for i in range(n):
            st, _, js = call(port, "GET", "/api/v1/accounts/%d" % acc, cookie=cookie)
            if st != 200:
                with lock:
                    results.append(("get", st))
                continue
            st, _, _ = call(port, "PATCH", "/api/v1/accounts/%d" % acc,
                            {"version": js["version"], "alias": "%s-%d" % (tag, i)},
                            cookie=cookie, csrf=csrf)
            with lock:
                results.append(("patch", st))

    threads = [threading.Thread(target=worker, args=(srv.port, 25, "%s%d" % (name, k)))
               for k in range(2) for srv, name in ((a, "A"), (b, "B"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wins = sum(1 for kind, st in results if kind == "patch" and st == 200)
    stale = sum(1 for kind, st in results if kind == "patch" and st == 409)
    other = [r for r in results if not (r[0] == "patch" and r[1] in (200, 409))]
    ok(not other, "every PATCH answered 200 or 409", other[:5])
    ok(wins > 0 and stale > 0, "both outcomes happened (%d won, %d stale)" % (wins, stale))
    st, _, js = call(a.port, "GET", "/api/v1/accounts/%d" % acc, cookie=cookie)
    ok(st == 200 and js["version"] == 1 + wins, "no lost update: version = 1 + wins",
       "version %s, wins %d" % (js and js.get("version"), wins))
    rows, cursor = [], None
    while True:
        q = "/api/v1/audit?entity=account&id=%d&limit=500" % acc + ("&cursor=" + cursor if cursor else "")
        st, _, js = call(b.port, "GET", q, cookie=cookie)
        if st != 200:
            break
        rows += js["items"]
        cursor = js["next_cursor"]
        if not cursor:
            break
    updates = [r for r in rows if r["entity"] == "account" and r["action"] == "update"]
    ok(len(updates) == wins, "one audit row per successful update", "%d rows, %d wins" % (len(updates), wins))
    print("concurrent updates: %d patches, %d won, %d stale (409)" % (wins + stale, wins, stale))


JOBS_RE = re.compile(r"(\d+) visits planned, (\d+) overdue notices, (\d+) issues escalated")


def list_all(port, path, cookie):
    items, cursor = [], None
    while True:
        q = path + ("&" if "?" in path else "?") + "limit=500" + ("&cursor=" + cursor if cursor else "")
        st, _, js = call(port, "GET", q, cookie=cookie)
        if st != 200:
            return None
        items += js["items"]
        cursor = js["next_cursor"]
        if not cursor:
            return items


def concurrent_jobs(kam, dsn, a):
    """Three scheduler passes at once (--now or KAM_NOW, same instant) on the demo data."""
    st, cookie, csrf = login(a.port, "director")
    if not ok(st == 200, "jobs: director login", st):
        return
    st, _, js = call(a.port, "GET", "/api/v1/accounts?limit=20&sort=id", cookie=cookie)
    for acc in (js or {}).get("items", []):  # more work to race for: an issue on each of 20 accounts
        st, _, _ = call(a.port, "POST", "/api/v1/accounts/%d/issues" % acc["id"],
                        {"title": "并发升级 %d" % acc["id"], "severity": "critical"}, cookie=cookie, csrf=csrf)
        ok(st == 201, "jobs: create an issue to escalate", st)
    now = int(time.time()) + 40 * 86400
    visits0 = list_all(a.port, "/api/v1/visits", cookie)
    esc0 = list_all(a.port, "/api/v1/issues?escalated=1", cookie)
    open0 = [x for x in (list_all(a.port, "/api/v1/issues?escalated=0", cookie) or [])
             if x["status"] in ("open", "in_progress")]
    if not ok(visits0 is not None and esc0 is not None, "jobs: list visits and issues before"):
        return
    overdue0 = [v for v in visits0 if v["status"] == "planned" and epoch(v["planned_at"]) < now]
    procs = []
    for i in range(3):
        env = dict(os.environ)
        args = [kam, "jobs", "run", "--db", dsn]
        if i == 1:
            env["KAM_NOW"] = str(now)
        else:
            args += ["--now", iso(now)]
        procs.append(subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env))
    counts = []
    for i, p in enumerate(procs):
        out, err = p.communicate(timeout=300)
        m = JOBS_RE.search(out.decode())
        ok(p.returncode == 0 and m, "concurrent kam jobs run #%d exits 0" % (i + 1),
           (p.returncode, out.decode()[-300:], err.decode()[-300:]))
        counts.append(tuple(int(x) for x in m.groups()) if m else (0, 0, 0))
    print("concurrent jobs: %s (visits planned, overdue notices, issues escalated)" % counts)
    visits1 = list_all(a.port, "/api/v1/visits", cookie) or []
    esc1 = list_all(a.port, "/api/v1/issues?escalated=1", cookie) or []
    old = {v["id"] for v in visits0}
    new = [v for v in visits1 if v["id"] not in old]
    keys = [(v["cadence_id"], v["account_id"], v["contact_id"]) for v in visits1
            if v["status"] == "planned" and v["cadence_id"] is not None]
    ok(len(new) > 0, "the concurrent runs planned visits (%d)" % len(new))
    ok(sum(c[0] for c in counts) == len(new), "visits planned by the runs add up to the new visits",
       "%s vs %d" % ([c[0] for c in counts], len(new)))
    ok(len(keys) == len(set(keys)), "no rule, account and contact has two planned visits",
       "%d planned, %d distinct" % (len(keys), len(set(keys))))
    ok(len(esc1) - len(esc0) == len(open0) > 0,
       "every open issue past its deadlines 40 days on was escalated (%d)" % len(open0),
       "%d -> %d escalated" % (len(esc0), len(esc1)))
    ok(sum(c[2] for c in counts) == len(esc1) - len(esc0), "escalations of the runs add up: each issue once",
       "%s vs %d" % ([c[2] for c in counts], len(esc1) - len(esc0)))
    ok(sum(c[1] for c in counts) == len(overdue0) > 0,
       "overdue notices of the runs add up to the %d overdue visits: each once" % len(overdue0),
       [c[1] for c in counts])
    ok(all(x["escalated_at"] == iso(now) for x in esc1 if x["id"] not in {e["id"] for e in esc0}),
       "escalated_at is the pinned time")
    rc, out, err = run_cli(kam, ["jobs", "run", "--db", dsn, "--now", iso(now)])
    m = JOBS_RE.search(out)
    ok(rc == 0 and m and m.groups() == ("0", "0", "0"), "a third run at the same time finds nothing to do", out + err)


def reconnect(a):
    """The database restarts under a running instance: the next request reconnects."""
    cmd = os.environ.get("KAM_TEST_PG_RESTART")
    if not cmd:
        print("skip reconnect: KAM_TEST_PG_RESTART not set (scripts/pg-tmp.sh sets it)")
        return
    st, cookie, csrf = login(a.port, "lead.east")
    ok(st == 200, "login before the database restart", st)
    ok(os.system(cmd) == 0, "PostgreSQL restarted")
    # Every worker thread holds a connection that is now dead: each reconnects on first use.
    statuses = [call(a.port, "GET", "/api/v1/me", cookie=cookie)[0] for _ in range(8)]
    ok(all(s == 200 for s in statuses), "requests after the restart succeed (reconnect + retry)",
       statuses)
    st, _, js = call(a.port, "POST", "/api/v1/accounts", {"code": "AFTER-RESTART", "name": "重连后"},
                     cookie=cookie, csrf=csrf)
    ok(st == 201, "writes work after the restart", (st, js))


def migrate_round_trip(kam, dsn2, tmp):
    src = "sqlite:" + os.path.join(tmp, "src.db")
    back = "sqlite:" + os.path.join(tmp, "back.db")
    rc, out, err = run_cli(kam, ["demo", "--db", src])
    if not ok(rc == 0, "demo data into SQLite", err):
        return
    rc, out, err = run_cli(kam, ["migrate-data", "--from", src, "--to", dsn2], timeout=300)
    print(out.rstrip())
    ok(rc == 0 and "copied and verified" in out, "migrate-data SQLite -> PostgreSQL", err)
    rc, out2, err = run_cli(kam, ["migrate-data", "--from", dsn2, "--to", back], timeout=300)
    ok(rc == 0 and "copied and verified" in out2, "migrate-data PostgreSQL -> SQLite", err)
    counts1 = [l.split()[:2] for l in out.splitlines() if " rows " in l]
    counts2 = [l.split()[:2] for l in out2.splitlines() if " rows " in l]
    ok(counts1 and counts1 == counts2, "same tables and counts both ways")
    ok(any(t == "accounts" and int(n) == 200 for t, n in counts1), "200 demo accounts copied")
    ok(any(t == "audit" and int(n) > 0 for t, n in counts1), "audit history copied")
    rc, out3, err = run_cli(kam, ["migrate-data", "--from", src, "--to", dsn2])
    ok(rc != 0 and "not empty" in err, "migrate-data refuses a target holding data", err)
    # The copy works as a live system: ids and new rows continue after the copied ones.
    srv = Server(kam, dsn2, tmp, name="copy")
    if not ok(srv.start(), "serve the PostgreSQL copy", srv.start_error or ""):
        return
    st, cookie, csrf = login(srv.port, "am.east1")
    ok(st == 200, "demo login works on the copy (password hashes copied)", st)
    st, _, js = call(srv.port, "POST", "/api/v1/accounts", {"code": "AFTER-COPY", "name": "New"},
                     cookie=cookie, csrf=csrf)
    ok(st == 201 and js["id"] > 200, "a new account gets an id after the copied ones", (st, js))
    ok(srv.stop() == 0, "copy server stops cleanly")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kam", required=True)
    ap.add_argument("--dsn", required=True)
    ap.add_argument("--dsn2", required=True)
    args = ap.parse_args()
    kam = os.path.abspath(args.kam)
    with tempfile.TemporaryDirectory(prefix="kam-pg-") as tmp:
        rc, out, err = run_cli(kam, ["init", "--db", args.dsn])
        ok(rc == 0, "init", err)
        rc, out, err = run_cli(kam, ["demo", "--db", args.dsn], timeout=300)
        ok(rc == 0, "demo data on PostgreSQL", err)
        a = Server(kam, args.dsn, tmp, name="a")
        b = Server(kam, args.dsn, tmp, name="b")
        if ok(a.start() and b.start(), "two servers on one database", (a.start_error, b.start_error)):
            shared_sessions(a, b)
            concurrent_updates(a, b)
            concurrent_jobs(kam, args.dsn, a)
            reconnect(a)
        ok(a.stop() == 0, "server A stops cleanly (exit 0)")
        ok(b.stop() == 0, "server B stops cleanly (exit 0)")
        if FAILED:
            print(a.log_tail(15))
            print(b.log_tail(15))
        migrate_round_trip(kam, args.dsn2, tmp)
    print("%d passed, %d failed" % (PASSED, FAILED))
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
