#!/usr/bin/env python3
"""crash.py -- the crash soak (issue 11 §3): `kam serve` under a mixed write load is killed with
SIGKILL at random moments, many cycles, on one database; after every restart the database must
hold everything a client saw acknowledged.

    tests/soak/crash.py --kam build/kam [--dsn postgres://...] [--cycles N]
                        [--seconds-per-cycle S] [--seed X] [--clients N] [--import-lines N]
                        [--no-family-changes] [--inject KIND] [--keep] [--verbose]

Without --dsn a fresh SQLite file in a temp dir; with --dsn an empty PostgreSQL database (`kam init`
runs on it; only the server is killed, never the database).

One cycle: `kam serve` (scheduler every second, KAM_NOW = T0 + cycle x 6 h, so each cycle's passes
plan visits and escalate issues afresh) takes API writes from several clients -- account managers
creating and changing accounts, contacts, visits, issues (edits and workflow moves) and
interactions; a finance user creating, changing and deleting order lines and now and then moving
a product to another family (not with --no-family-changes) -- while a `kam import orders` process
loads a CSV (new lines plus a re-import of earlier lines with new values, which is what makes it
take long enough to be killed). At a seeded moment (half the cycles aim at the running import)
serve and the import get SIGKILL. Then serve restarts and, while its scheduler runs, the checks
read one snapshot of the database:

  integrity   PRAGMA integrity_check = ok (SQLite); `kam audit verify` exit 0
  acked       every write answered 2xx is there: a create's record exists, an update's values
              (unless a later write of ours changed the field) with at least its version, a
              delete's record is gone; and each has its own audit row; records of earlier
              cycles are still as they were last read back
  doubt       a write cut off by the kill (no answer, or 5xx) either happened wholly, audit row
              included, or not at all
  import      an import that exited 0 is loaded with the counts of its summary; a killed one is
              all or nothing (`kam import` is one transaction: either the run is recorded
              `loaded` with every line of the file, or there is no run and no line of it and the
              re-imported lines keep their old values); every imported line equals the model
  rollups     sales_monthly, sales_monthly_dim and sales_monthly_account equal a recomputation
              from order_lines (GROUP BY in SQL, independent of svc/volume/rollup.c)
  audit       the log replayed record by record (each row's "before" is the previous row's
              "after"; the last "after" equals the row in the table; a deleted record is gone)
              for accounts, contacts, visits, issues, interactions, order lines and import runs;
              every such record has its create row (imported lines: their run's import row);
              the chain head never moves back and the row at the old head is unchanged

The next cycle continues on the same database. Prints one line per cycle, the figures, and last
`N passed, N failed` (N: checks, one per kind per cycle). Exit 1 on any failure; the temp dir
(server logs, the SQLite file, CSVs) is then kept. Real-clock waiting: only the seeded kill
moment and polling /healthz after a start; the application clock is pinned with KAM_NOW.
"""

import argparse
import calendar
import glob
import http.client
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

T0 = 1780272000  # 2026-06-01T00:00:00Z
STEP = 6 * 3600  # the application clock moves 6 hours per cycle
PASSWORD = "Soak-crash-Pw-4417"
USD_RATE = 7123456
REGIONS = ("east", "south", "north")
CHANNELS = ("direct", "distributor")
FAMILIES = ("Bearings", "Seals", "Motors")
MAX_SHOWN = 8  # failure lines shown per check and cycle


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(t)))


def epoch(s):
    return calendar.timegm(time.strptime(s, "%Y-%m-%dT%H:%M:%SZ"))


def day_of(date):
    return calendar.timegm(time.strptime(date, "%Y-%m-%d")) // 86400


def date_of(day):
    return time.strftime("%Y-%m-%d", time.gmtime(day * 86400))


def month_of_day(day):
    t = time.gmtime(day * 86400)
    return t.tm_year * 100 + t.tm_mon


def to_base(amount, rate):
    v = amount * rate
    return (v + 500000) // 1000000 if v >= 0 else -((-v + 500000) // 1000000)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


# ---------------------------------------------------------------- HTTP

def call(port, method, path, token=None, body=None, cookie=None, csrf=None, timeout=60):
    """(status, json|None, error text|None); status 0 when no answer came."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        data = None if body is None else json.dumps(body).encode()
        conn.putrequest(method, path, skip_accept_encoding=True)
        conn.putheader("Connection", "close")
        if token:
            conn.putheader("Authorization", "Bearer " + token)
        if cookie:
            conn.putheader("Cookie", cookie)
        if csrf:
            conn.putheader("X-CSRF-Token", csrf)
        if data is not None:
            conn.putheader("Content-Type", "application/json")
            conn.putheader("Content-Length", str(len(data)))
        elif method in ("POST", "PATCH", "PUT"):
            conn.putheader("Content-Length", "0")
        conn.endheaders(data)
        r = conn.getresponse()
        raw = r.read()
        try:
            j = json.loads(raw) if raw else None
        except ValueError:
            j = None
        return r.status, j, None if j is not None or not raw else raw[:200]
    except (OSError, http.client.HTTPException) as e:
        return 0, None, "%s: %s" % (type(e).__name__, e)
    finally:
        conn.close()


# ---------------------------------------------------------------- the database, read directly

class DB:
    """Read-only snapshots of the server's database: sqlite3 for SQLite, psql for PostgreSQL."""

    def __init__(self, dsn):
        self.dsn = dsn
        self.sqlite = dsn.startswith("sqlite:")
        if self.sqlite:
            self.path = dsn[len("sqlite:"):]
        else:
            psql = sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"))
            self.psql = psql[-1] if psql else "psql"

    def month(self, col):
        if self.sqlite:
            return "CAST(strftime('%%Y%%m', %s * 86400, 'unixepoch') AS INTEGER)" % col
        return "CAST(to_char(to_timestamp(%s * 86400) AT TIME ZONE 'UTC', 'YYYYMM') AS INTEGER)" % col

    def write(self, sql):
        """Runs one statement that changes the database (only --inject does: a fake bug)."""
        if self.sqlite:
            con = sqlite3.connect(self.path, timeout=30)
            try:
                n = con.execute(sql).rowcount
                con.commit()
                return n
            finally:
                con.close()
        p = subprocess.run([self.psql, self.dsn, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql],
                           capture_output=True, timeout=60)
        if p.returncode != 0:
            raise RuntimeError("psql: %s" % p.stderr.decode("utf-8", "replace")[:300])
        return -1

    def integrity(self):
        """'ok' or the problems (SQLite); None for PostgreSQL."""
        if not self.sqlite:
            return None
        con = sqlite3.connect("file:%s?mode=ro" % self.path, uri=True, timeout=30)
        try:
            rows = con.execute("PRAGMA integrity_check").fetchall()
        finally:
            con.close()
        return "; ".join(str(r[0]) for r in rows)

    def snapshot(self, queries):
        """{name: [row dict, ...]} for {name: sql}, all read in one transaction."""
        if self.sqlite:
            con = sqlite3.connect("file:%s?mode=ro" % self.path, uri=True, timeout=30,
                                  isolation_level=None)
            try:
                con.execute("BEGIN")
                out = {}
                for name, sql in queries.items():
                    cur = con.execute(sql)
                    cols = [d[0] for d in cur.description]
                    out[name] = [dict(zip(cols, r)) for r in cur.fetchall()]
                con.execute("COMMIT")
                return out
            finally:
                con.close()
        script = ["\\set ON_ERROR_STOP 1", "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;"]
        for name, sql in queries.items():
            script.append("SELECT '@@%s';" % name)
            script.append("SELECT row_to_json(t) FROM (%s) t;" % sql)
        script.append("COMMIT;")
        p = subprocess.run([self.psql, self.dsn, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1"],
                           input="\n".join(script).encode(), capture_output=True, timeout=300)
        if p.returncode != 0:
            raise RuntimeError("psql: %s" % p.stderr.decode("utf-8", "replace")[:500])
        out, cur = {}, None
        for ln in p.stdout.decode("utf-8").splitlines():
            if ln.startswith("@@"):
                cur = out.setdefault(ln[2:], [])
            elif ln and cur is not None:
                cur.append(json.loads(ln))
        for name in queries:
            out.setdefault(name, [])
        return out


# ---------------------------------------------------------------- kam serve

class Serve:
    def __init__(self, kam, dsn, tmp):
        self.kam, self.dsn, self.tmp = kam, dsn, tmp
        self.proc = None
        self.port = None
        self.starts = 0

    def start(self, now):
        self.starts += 1
        self.port = free_port()
        env = dict(os.environ)
        for k in ("KAM_DB", "KAM_SESSION_TTL", "KAM_JOBS_INTERVAL", "KAM_SMTP_URL"):
            env.pop(k, None)
        env["KAM_NOW"] = str(now)
        log = open(os.path.join(self.tmp, "serve.log"), "ab")
        log.write(b"---- start %d KAM_NOW=%d (%s)\n" % (self.starts, now, iso(now).encode()))
        log.flush()
        self.proc = subprocess.Popen(
            [self.kam, "serve", "--db", self.dsn, "--listen", "127.0.0.1:%d" % self.port,
             "--jobs-interval", "1", "--quiet"],
            stdout=log, stderr=log, stdin=subprocess.DEVNULL, env=env)
        log.close()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return "kam serve exited with %s at start" % self.proc.returncode
            st, _, _ = call(self.port, "GET", "/healthz", timeout=2)
            if st == 200:
                return None
            time.sleep(0.05)
        return "GET /healthz did not answer 200 within 30 s"

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        if self.proc:
            self.proc.wait()

    def stop(self):
        """SIGTERM: the exit status (None when it had to be killed)."""
        if not self.proc or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.kill()
            return None


def cli(kam, args, stdin=None, now=None, timeout=300):
    env = dict(os.environ)
    env.pop("KAM_DB", None)
    if now is not None:
        env["KAM_NOW"] = str(now)
    p = subprocess.run([kam] + args, input=(stdin or "").encode(), capture_output=True, env=env,
                       timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


# ---------------------------------------------------------------- the model of what should be there
# Fields are kept in the database's representation (times as unix seconds, quantity in
# thousandths, money in minor units), so the checks compare them with the columns as they are.

class Rec:
    """A record the soak made (or adopted after a cut-off create)."""

    def __init__(self, entity, rid, key, owner, fields, version, account_id):
        self.entity, self.id, self.key, self.owner = entity, rid, key, owner
        self.fields = dict(fields)  # client-owned fields as last confirmed
        self.version = version
        self.account_id = account_id
        self.exists = True
        self.frozen = False  # a write to it was cut off this cycle: leave it alone
        self.confirmed = False  # its state was read back after a restart


class Op:
    """One write: outcome 'ack' (2xx), 'refused' (4xx) or 'doubt' (no answer or 5xx)."""

    def __init__(self, thread, action, entity, rid, key, fields, account_id=None):
        self.thread, self.action, self.entity, self.id, self.key = thread, action, entity, rid, key
        self.fields = fields  # what this write sets (database representation)
        self.account_id = account_id
        self.changed = {}  # field -> (before, after) expected in its audit row
        self.outcome = None
        self.status = None
        self.version = None
        self.resp = None


class Model:
    def __init__(self):
        self.lock = threading.Lock()
        self.recs = {}  # (entity, id) -> Rec
        self.index = {}  # (owner, entity, account_id or None) -> {id: Rec}
        self.ops = []  # this cycle's writes
        self.counter = 0
        self.imported = {}  # external_id -> the line as its last loaded import left it
        self.runs = {}  # filename -> import run id (loaded runs)
        self.products = {}  # sku -> (id, family)
        self.accounts_base = []  # (id, code)
        self.family_changes = True

    def next(self):
        with self.lock:
            self.counter += 1
            return self.counter

    def add_op(self, op):
        with self.lock:
            self.ops.append(op)

    def add_rec(self, rec):
        with self.lock:
            self.recs[(rec.entity, rec.id)] = rec
            self.index.setdefault((rec.owner, rec.entity, rec.account_id), {})[rec.id] = rec
            self.index.setdefault((rec.owner, rec.entity, None), {})[rec.id] = rec

    def owned(self, owner, entity, account_id=None):
        """The owner's live records of entity (on one account when account_id is given)."""
        with self.lock:
            return [r for r in self.index.get((owner, entity, account_id), {}).values()
                    if r.exists and not r.frozen]


# ---------------------------------------------------------------- the clients

class Client(threading.Thread):
    def __init__(self, idx, role, token, user_id, port, model, rng, now, stop):
        super().__init__(daemon=True)
        self.idx, self.role, self.token, self.user_id = idx, role, token, user_id
        self.port, self.m, self.rng, self.now, self.stop_ev = port, model, rng, now, stop
        self.error = None

    def run(self):
        try:
            while not self.stop_ev.is_set():
                if self.role == "finance":
                    self.sales_op()
                else:
                    self.am_op()
        except Exception as e:  # a bug of the soak itself: reported as a failure
            import traceback
            self.error = traceback.format_exc()
            print("client %d crashed: %s" % (self.idx, e), flush=True)

    # One request; the op's outcome from its status. Returns the JSON on 2xx.
    def send(self, op, method, path, body):
        st, j, err = call(self.port, method, path, self.token, body)
        op.status = st
        if 200 <= st < 300:
            op.outcome = "ack"
            op.resp = j
            if isinstance(j, dict) and "version" in j:
                op.version = j["version"]
        elif 400 <= st < 500:
            op.outcome = "refused"
            op.resp = j
        elif err and err.startswith("ConnectionRefusedError"):
            op.outcome = "unsent"  # the server was already gone: nothing was sent
            return None
        else:
            op.outcome = "doubt"
            op.resp = err or "status %d %s" % (st, j)
        self.m.add_op(op)
        return j if op.outcome == "ack" else None

    def refresh(self, rec):
        """After a 409: read the record back (committed data) and take its version."""
        path = {"account": "/api/v1/accounts/%d", "contact": "/api/v1/contacts/%d",
                "visit": "/api/v1/visits/%d", "issue": "/api/v1/issues/%d",
                "product": "/api/v1/products/%d"}[rec.entity] % rec.id
        st, j, _ = call(self.port, "GET", path, self.token)
        if st == 200 and isinstance(j, dict):
            rec.version = j["version"]
            if rec.entity == "issue":
                rec.fields["status"] = j["status"]
        elif st == 0:
            rec.frozen = True

    def settle(self, op, rec, fields_after):
        """Apply an update's outcome to the record the thread works from."""
        if op.outcome == "ack":
            rec.fields.update(fields_after)
            if op.version is not None:
                rec.version = op.version
        elif op.outcome in ("doubt", "unsent"):
            rec.frozen = True
        elif op.status == 409:
            self.refresh(rec)

    def update(self, rec, path, body, fields):
        n = self.m.next()
        op = Op(self.idx, "update", rec.entity, rec.id, rec.key, fields, rec.account_id)
        op.changed = {f: (rec.fields.get(f), v) for f, v in fields.items() if rec.fields.get(f) != v}
        if rec.version is not None:
            body["version"] = rec.version
        self.send(op, "PATCH", path, body)
        self.settle(op, rec, fields)
        return n

    def create(self, entity, key, path, body, fields, account_id):
        op = Op(self.idx, "create", entity, None, key, fields, account_id)
        op.changed = {f: (None, v) for f, v in fields.items()}
        j = self.send(op, "POST", path, body)
        if j is not None:
            op.id = j["id"]
            rec = Rec(entity, j["id"], key, self.idx, fields, j.get("version"),
                      account_id if account_id else j["id"])
            self.m.add_rec(rec)
            return rec
        return None

    def am_op(self):
        r, m = self.rng, self.m
        accts = m.owned(self.idx, "account")
        roll = r.random()
        if not accts or (roll < 0.06 and len(accts) < 40):
            n = m.next()
            code = "SK%d-%d" % (self.idx, n)
            tier = r.choice(("strategic", "key", "growth"))
            name = "soak account %d" % n
            self.create("account", code, "/api/v1/accounts",
                        {"code": code, "name": name, "tier": tier, "industry": "ind0"},
                        {"code": code, "name": name, "tier": tier, "industry": "ind0"}, None)
            return
        a = r.choice(accts)
        contacts = m.owned(self.idx, "contact", a.id)
        if roll < 0.20:
            n = m.next()
            self.update(a, "/api/v1/accounts/%d" % a.id,
                        {"name": "soak account %s v%d" % (a.key, n), "industry": "ind%d" % n},
                        {"name": "soak account %s v%d" % (a.key, n), "industry": "ind%d" % n})
        elif (roll < 0.34 and len(contacts) < 8) or not contacts:
            n = m.next()
            name = "contact %d-%d" % (self.idx, n)
            role = r.choice(("decision_maker", "influencer", "user", "champion"))
            infl = r.randint(1, 5)
            self.create("contact", name, "/api/v1/accounts/%d/contacts" % a.id,
                        {"name": name, "title": "t0", "decision_role": role, "influence": infl},
                        {"name": name, "title": "t0", "decision_role": role, "influence": infl}, a.id)
        elif roll < 0.48:
            c = r.choice(contacts)
            n = m.next()
            infl = r.randint(1, 5)
            self.update(c, "/api/v1/contacts/%d" % c.id, {"title": "title %d" % n, "influence": infl},
                        {"title": "title %d" % n, "influence": infl})
        elif roll < 0.56:
            c = r.choice(contacts)
            n = m.next()
            at = self.now - 3600 - n  # unique, in the past
            subj = "interaction %d-%d" % (self.idx, n)
            self.create("interaction", subj, "/api/v1/accounts/%d/interactions" % a.id,
                        {"kind": "call", "subject": subj, "occurred_at": iso(at), "contact_ids": [c.id]},
                        {"kind": "call", "subject": subj, "occurred_at": at}, a.id)
        elif roll < 0.64 and len(m.owned(self.idx, "visit", a.id)) < 10:
            c = r.choice(contacts)
            n = m.next()
            at = self.now + 86400 * r.randint(1, 20) + n  # unique
            kind = r.choice(("phone", "onsite"))
            self.create("visit", (a.id, at), "/api/v1/accounts/%d/visits" % a.id,
                        {"contact_id": c.id, "kind": kind, "planned_at": iso(at)},
                        {"contact_id": c.id, "kind": kind, "planned_at": at}, a.id)
        elif roll < 0.72:
            visits = m.owned(self.idx, "visit", a.id)
            if not visits:
                return
            v = r.choice(visits)
            at = self.now + 86400 * r.randint(1, 20) + m.next()
            self.update(v, "/api/v1/visits/%d" % v.id, {"planned_at": iso(at)}, {"planned_at": at})
        elif roll < 0.80 and len(m.owned(self.idx, "issue", a.id)) < 10:
            n = m.next()
            title = "issue %d-%d" % (self.idx, n)
            sev = r.choice(("low", "medium", "high", "critical"))
            cat = r.choice(("quality", "delivery", "billing", "service"))
            self.create("issue", title, "/api/v1/accounts/%d/issues" % a.id,
                        {"title": title, "category": cat, "severity": sev},
                        {"title": title, "category": cat, "severity": sev, "status": "open"}, a.id)
        else:
            issues = m.owned(self.idx, "issue", a.id)
            if not issues:
                return
            i = r.choice(issues)
            nxt = {"open": "in_progress", "in_progress": "resolved", "resolved": "confirmed"}
            if roll < 0.90 or i.fields.get("status") not in nxt:
                n = m.next()
                self.update(i, "/api/v1/issues/%d" % i.id, {"title": "issue %s v%d" % (i.key, n)},
                            {"title": "issue %s v%d" % (i.key, n)})
            else:
                to = nxt[i.fields["status"]]
                op = Op(self.idx, "transition", "issue", i.id, i.key, {"status": to}, i.account_id)
                op.changed = {"status": (i.fields["status"], to)}
                self.send(op, "POST", "/api/v1/issues/%d/transition" % i.id, {"to": to})
                self.settle(op, i, {"status": to})

    def line_values(self):
        r, m = self.rng, self.m
        sku = r.choice(sorted(m.products))
        aid, _ = r.choice(m.accounts_base)
        day = self.now // 86400 - r.randint(0, 700)
        q = r.randint(1, 99999)
        amt = r.randint(100, 9999999)
        cur = r.choice(("CNY", "CNY", "USD"))
        return {"day": day, "account_id": aid, "product_id": m.products[sku][0], "sku": sku,
                "region": r.choice(REGIONS), "channel": r.choice(CHANNELS), "quantity": q,
                "amount": amt, "currency": cur}

    def sales_op(self):
        r, m = self.rng, self.m
        lines = m.owned(self.idx, "order_line")
        roll = r.random()
        if m.family_changes and roll < 0.03:  # a product moves family, its sales history too
            prods = m.owned(self.idx, "product")
            if prods:
                p = r.choice(prods)
                fam = r.choice([f for f in FAMILIES if f != p.fields["family"]])
                self.update(p, "/api/v1/products/%d" % p.id, {"family": fam}, {"family": fam})
            return
        if not lines or roll < (0.45 if len(lines) < 400 else 0.1):
            v = self.line_values()
            ext = "api-%d-%d" % (self.idx, m.next())
            body = {"external_id": ext, "date": date_of(v["day"]), "account_id": v["account_id"],
                    "sku": v["sku"], "region": v["region"], "channel": v["channel"],
                    "quantity": v["quantity"] / 1000.0,
                    "amount": {"amount": v["amount"], "currency": v["currency"]}}
            f = {k: v[k] for k in ("day", "account_id", "product_id", "region", "channel", "quantity",
                                   "amount", "currency")}
            f["external_id"] = ext
            self.create("order_line", ext, "/api/v1/orders", body, f, v["account_id"])
        elif roll < 0.85:
            ln = r.choice(lines)
            v = self.line_values()
            f = {"quantity": v["quantity"], "amount": v["amount"], "currency": v["currency"]}
            body = {"quantity": v["quantity"] / 1000.0,
                    "amount": {"amount": v["amount"], "currency": v["currency"]}}
            if r.random() < 0.5:  # moves it to another month and region: rollup rows move
                f.update(day=v["day"], region=v["region"])
                body.update(date=date_of(v["day"]), region=v["region"])
            self.update(ln, "/api/v1/orders/%d" % ln.id, body, f)
        else:
            ln = r.choice(lines)
            op = Op(self.idx, "delete", "order_line", ln.id, ln.key, {}, ln.account_id)
            self.send(op, "DELETE", "/api/v1/orders/%d" % ln.id, None)
            if op.outcome == "ack":
                ln.exists = False
            elif op.outcome == "doubt":
                ln.frozen = True


# ---------------------------------------------------------------- the import

class Importer(threading.Thread):
    """Writes the cycle's CSV at its moment and runs `kam import orders` on it."""

    def __init__(self, kam, dsn, tmp, cycle, model, rng, now, delay, n_new, n_re, start_ev):
        super().__init__(daemon=True)
        self.kam, self.dsn, self.cycle, self.m, self.now = kam, dsn, cycle, model, now
        self.delay, self.start_ev = delay, start_ev
        self.filename = "soak-c%s.csv" % cycle
        self.path = os.path.join(tmp, self.filename)
        self.proc = None
        self.lock = threading.Lock()
        self.cancelled = False
        self.rc = None
        self.out = ""
        self.t_start = self.t_end = None
        # The file: new lines and earlier lines with new values.
        self.new, self.re = {}, {}
        self.old = {}
        exts = sorted(model.imported)
        for ext in rng.sample(exts, min(n_re, len(exts))):
            self.old[ext] = dict(model.imported[ext])
            self.re[ext] = self.values(rng)
        for i in range(n_new):
            self.new["imp-%s-%d" % (cycle, i)] = self.values(rng)
        rows = ["external_id,date,account_code,sku,region,channel,quantity,amount,currency"]
        codes = dict(model.accounts_base)
        for ext, v in list(self.new.items()) + list(self.re.items()):
            rows.append("%s,%s,%s,%s,%s,%s,%d.%03d,%d.%02d,%s" % (
                ext, date_of(v["day"]), codes[v["account_id"]], v["sku"], v["region"], v["channel"],
                v["quantity"] // 1000, v["quantity"] % 1000, v["amount"] // 100, v["amount"] % 100,
                v["currency"]))
        with open(self.path, "w") as f:
            f.write("\n".join(rows) + "\n")

    def values(self, r):
        m = self.m
        sku = r.choice(sorted(m.products))
        aid, _ = r.choice(m.accounts_base)
        return {"day": self.now // 86400 - r.randint(0, 700), "account_id": aid,
                "product_id": m.products[sku][0], "sku": sku, "region": r.choice(REGIONS),
                "channel": r.choice(CHANNELS), "quantity": r.randint(1, 99999),
                "amount": r.randint(100, 9999999), "currency": r.choice(("CNY", "CNY", "USD"))}

    def run(self):
        if self.start_ev.wait(self.delay):
            return  # killed before its moment: this cycle has no import
        env = dict(os.environ)
        env.pop("KAM_DB", None)
        env["KAM_NOW"] = str(self.now)
        with self.lock:
            if self.cancelled:
                return
            self.t_start = time.monotonic()
            self.proc = subprocess.Popen([self.kam, "import", "orders", self.path, "--db", self.dsn,
                                          "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, env=env)
        out, _ = self.proc.communicate()
        self.t_end = time.monotonic()
        self.rc = self.proc.returncode
        self.out = out.decode("utf-8", "replace")

    def kill(self):
        with self.lock:
            self.cancelled = True
            if self.proc and self.proc.poll() is None:
                self.proc.send_signal(signal.SIGKILL)


# ---------------------------------------------------------------- the soak

class Soak:
    def __init__(self, args):
        self.a = args
        self.kam = os.path.abspath(args.kam)
        self.tmp = tempfile.mkdtemp(prefix="kam-soak-")
        self.dsn = args.dsn or "sqlite:%s" % os.path.join(self.tmp, "soak.db")
        self.db = DB(self.dsn)
        self.serve = Serve(self.kam, self.dsn, self.tmp)
        self.m = Model()
        self.m.family_changes = not args.no_family_changes
        self.passed = self.failed = 0
        self.fails_this = []
        self.stats = {"acked": 0, "doubt": 0, "refused": 0, "lost": 0, "doubt_applied": 0,
                      "doubt_not_applied": 0, "imports_completed": 0, "imports_killed": 0,
                      "killed_loaded": 0, "killed_not_loaded": 0, "imports_none": 0,
                      "half_loaded": 0, "aimed": 0}
        self.checks = {}
        self.audit_seq = 0  # audit rows folded so far
        self.audit_seq_prev = 0  # ... before this cycle's
        self.audit_rows = {}  # (entity, id) -> [(seq, action, changes)]
        self.fold = {}  # (entity, id) -> {"fields": {}, "deleted": bool, "created": bool}
        self.head = (0, None)  # (seq, hash) verified after the previous cycle
        self.users = {}  # login -> (id, token)
        self.import_est = 0.3

    # --- bookkeeping
    def check(self, name, problems):
        self.checks.setdefault(name, [0, 0])
        if problems:
            self.fails_this.append(name)
            self.failed += 1
            self.checks[name][1] += 1
            for p in problems[:MAX_SHOWN]:
                print("FAIL [cycle %d] %s: %s" % (self.cycle, name, p), flush=True)
            if len(problems) > MAX_SHOWN:
                print("FAIL [cycle %d] %s: ... and %d more" % (self.cycle, name,
                                                               len(problems) - MAX_SHOWN), flush=True)
        else:
            self.passed += 1
            self.checks[name][0] += 1

    def now(self, cycle):
        return T0 + cycle * STEP

    # --- setup
    def setup(self):
        self.cycle = 0
        rc, out, err = cli(self.kam, ["init", "--db", self.dsn])
        if rc != 0:
            raise RuntimeError("kam init: %s %s" % (out, err))
        logins = [("soak.admin", "admin", None), ("soak.fin", "finance", None),
                  ("soak.lead", "team_lead", "Soak KA")]
        logins += [("soak.am%d" % i, "account_manager", "Soak KA") for i in range(self.a.clients)]
        for login, role, team in logins:
            args = ["user", "add", "--db", self.dsn, "--login", login, "--role", role]
            if team:
                args += ["--team", team]
            rc, out, err = cli(self.kam, args, PASSWORD + "\n")
            if rc != 0:
                raise RuntimeError("kam user add %s: %s %s" % (login, out, err))
        err = self.serve.start(self.now(0))
        if err:
            raise RuntimeError(err)
        port = self.serve.port
        for login, role, team in logins:
            cookie, csrf, user = session(port, login)
            st, t, e = call(port, "POST", "/api/v1/tokens", body={"name": "soak"}, cookie=cookie, csrf=csrf)
            if st != 201:
                raise RuntimeError("token for %s: %s %s %s" % (login, st, t, e))
            self.users[login] = (user["id"], t["token"], user.get("team_id"))
        admin = self.users["soak.admin"][1]
        lead_id, _, team_id = self.users["soak.lead"]
        st, j, e = call(port, "PATCH", "/api/v1/teams/%d" % team_id, admin, {"manager_id": lead_id})
        if st != 200:
            raise RuntimeError("team manager: %s %s %s" % (st, j, e))
        st, j, e = call(port, "PUT", "/api/v1/fx-rates", admin, {"currency": "USD", "rate_micro": USD_RATE})
        if st not in (200, 201):
            raise RuntimeError("fx rate: %s %s %s" % (st, j, e))
        for i in range(6):
            sku = "SKU-%d" % i
            st, j, e = call(port, "POST", "/api/v1/products", admin,
                            {"sku": sku, "name": "product %d" % i, "family": FAMILIES[i % 3],
                             "list_price": {"amount": 1000 + i, "currency": "CNY"}})
            if st != 201:
                raise RuntimeError("product: %s %s %s" % (st, j, e))
            self.m.products[sku] = (j["id"], j["family"])
            # The finance client changes families now and then (the rollups move with them).
            self.m.add_rec(Rec("product", j["id"], sku, self.a.clients, {"family": j["family"]},
                               j["version"], 0))
        ams = ["soak.am%d" % i for i in range(self.a.clients)]
        for i in range(8):
            code = "SKB-%d" % i
            owner = self.users[ams[i % len(ams)]][0]
            st, j, e = call(port, "POST", "/api/v1/accounts", admin,
                            {"code": code, "name": "soak base %d" % i, "tier": "strategic",
                             "owner_id": owner})
            if st != 201:
                raise RuntimeError("base account: %s %s %s" % (st, j, e))
            self.m.accounts_base.append((j["id"], code))
        # The pool of imported lines that later imports re-import.
        rng = random.Random("%s-pool" % self.a.seed)
        imp = Importer(self.kam, self.dsn, self.tmp, 0, self.m, rng, self.now(0), 0,
                       self.a.import_lines, 0, threading.Event())
        imp.run()
        if imp.rc != 0:
            raise RuntimeError("pool import: %s" % imp.out)
        self.note_loaded(imp, self.run_id_of(imp.out))
        # A first re-import of the whole pool, timed: where the kill moments start from.
        imp = Importer(self.kam, self.dsn, self.tmp, "0r", self.m, rng, self.now(0), 0, 0,
                       self.a.import_lines, threading.Event())
        imp.run()
        if imp.rc != 0:
            raise RuntimeError("pool re-import: %s" % imp.out)
        self.note_loaded(imp, self.run_id_of(imp.out))
        self.import_est = imp.t_end - imp.t_start
        self.serve.stop()

    @staticmethod
    def run_id_of(out):
        i = out.find("(import ")
        return int(out[i + 8:out.index(")", i)]) if i >= 0 else None

    def note_loaded(self, imp, run_id):
        self.m.runs[imp.filename] = run_id
        for ext, v in list(imp.new.items()) + list(imp.re.items()):
            line = dict(v)
            line["import_id"] = run_id
            self.m.imported[ext] = line

    # --- one cycle
    def run_cycle(self, cycle):
        self.cycle = cycle
        a = self.a
        rng = random.Random("%s-%d" % (a.seed, cycle))
        now = self.now(cycle)
        self.m.ops = []
        self.fails_this = []
        for r in self.m.recs.values():
            r.frozen = False
        stop = threading.Event()
        clients = []
        for i in range(a.clients):
            login = "soak.am%d" % i
            clients.append(Client(i, "am", self.users[login][1], self.users[login][0], self.serve.port,
                                  self.m, random.Random(rng.random()), now, stop))
        clients.append(Client(a.clients, "finance", self.users["soak.fin"][1], self.users["soak.fin"][0],
                              self.serve.port, self.m, random.Random(rng.random()), now, stop))
        S = a.seconds_per_cycle
        t_imp = rng.uniform(0.05, 0.5) * S
        imp = Importer(self.kam, self.dsn, self.tmp, cycle, self.m, random.Random(rng.random()), now,
                       t_imp, a.new_lines, a.import_lines, stop)
        aimed = rng.random() < 0.5
        if aimed:
            kill_at = t_imp + rng.uniform(0.0, 1.3) * self.import_est
            self.stats["aimed"] += 1
        else:  # mostly after the import finished
            kill_at = max(rng.uniform(0.4, 1.0) * S, t_imp + 1.5 * self.import_est)
        kill_at = min(kill_at, 3 * S)  # a slow machine stretches the import, not the run
        t0 = time.monotonic()
        for c in clients:
            c.start()
        imp.start()
        # The kill: at the seeded moment (the one real-clock wait of the soak). A machine too
        # busy to have acknowledged a single write by then (on SQLite an import holds the write
        # lock) kills right after the first one instead, within a minute, so every cycle kills
        # a server that was taking writes.
        threading.Event().wait(max(0.0, kill_at - (time.monotonic() - t0)))
        until = time.monotonic() + 60
        while not any(o.outcome == "ack" for o in list(self.m.ops)) and time.monotonic() < until:
            threading.Event().wait(0.05)
        kill_at = max(kill_at, time.monotonic() - t0)
        died = self.serve.proc.poll()
        self.serve.kill()
        imp.kill()
        stop.set()
        for c in clients:
            c.join()
        imp.join()
        self.check("alive until the kill", [] if died is None else
                   ["kam serve exited by itself (status %s) before the kill; see serve.log" % died])
        for c in clients:
            if c.error:
                self.check("client", ["client %d crashed: %s" % (c.idx, c.error)])
        # How long an import takes under this load: from those that finished, and from those
        # killed while running for longer than expected.
        if imp.t_start and imp.t_end:
            took = imp.t_end - imp.t_start
            if imp.rc == 0:
                self.import_est = 0.7 * self.import_est + 0.3 * took
            elif took > self.import_est:
                self.import_est = 0.7 * self.import_est + 0.3 * 1.2 * took
        if a.inject and cycle == a.inject_cycle:
            self.inject(a.inject)
        # Restart; the next cycle's clock.
        err = self.serve.start(self.now(cycle + 1))
        if err:
            self.check("restart", [err])
            return False
        self.check("restart", [])
        self._verify(cycle, imp)
        ops = self.m.ops
        if self.a.verbose:
            for o in ops:
                if o.outcome != "ack":
                    print("  %s %s %s %s: %s %s" % (o.outcome, o.action, o.entity, o.id or o.key, o.status,
                                                 str(o.resp)[:160]))
        acked = sum(1 for o in ops if o.outcome == "ack")
        self.check("load", [] if acked else ["no write was acknowledged before the kill"])
        doubt = sum(1 for o in ops if o.outcome == "doubt")
        imp_state = ("none" if imp.rc is None and imp.t_start is None else
                     "completed" if imp.rc == 0 else "killed(%s)" % imp.last_state if imp.rc == -9
                     else "failed rc=%s" % imp.rc)
        print("cycle %d: killed at %.2fs%s, %d writes acknowledged, %d cut off, %d refused; import %s; "
              "%s" % (cycle, kill_at, " (aimed at the import)" if aimed else "", acked, doubt,
                      sum(1 for o in ops if o.outcome == "refused"), imp_state,
                      "ok" if not self.fails_this else "FAILED: " + ", ".join(sorted(set(self.fails_this)))),
              flush=True)
        return True

    def inject(self, kind):
        """--inject: what a durability bug would leave behind, written while serve is down, so
        the run shows that the named check fails."""
        ops = [o for o in self.m.ops if o.outcome == "ack"]
        if kind == "lost-write":  # an acknowledged account update undone
            o = [o for o in ops if o.entity == "account" and o.action == "update"][-1]
            sql = ("UPDATE accounts SET name = 'lost', version = version - 1 WHERE id = %d" % o.id)
        elif kind == "lost-earlier":  # a contact confirmed in an earlier cycle, untouched since
            touched = {(o.entity, o.id) for o in self.m.ops}
            r = [r for r in self.m.recs.values() if r.entity == "contact" and r.confirmed and r.exists
                 and (r.entity, r.id) not in touched][0]
            sql = "UPDATE contacts SET title = 'lost' WHERE id = %d" % r.id
        elif kind == "rollup":  # one rollup cell off by a cent
            sql = ("UPDATE sales_monthly_account SET amount = amount + 1 WHERE month = "
                   "(SELECT MIN(month) FROM sales_monthly_account)")
        elif kind == "audit":  # the last audit row gone (its change stays)
            sql = "DELETE FROM audit WHERE seq = (SELECT MAX(seq) FROM audit)"
        elif kind == "import":  # one line of a loaded import gone
            sql = "DELETE FROM order_lines WHERE external_id = 'imp-0-7'"
        else:
            raise SystemExit("--inject: lost-write, lost-earlier, rollup, audit or import")
        self.db.write(sql)
        print("injected (%s): %s" % (kind, sql), flush=True)

    # --- the checks after a restart
    def _verify(self, cycle, imp):
        db = self.db
        # integrity
        if db.sqlite:
            res = db.integrity()
            self.check("integrity_check", [] if res == "ok" else ["PRAGMA integrity_check: " + res])
        rc, out, err = cli(self.kam, ["audit", "verify", "--db", self.dsn])
        self.check("audit verify", [] if rc == 0 and "chain intact" in out + err else
                   ["kam audit verify exit %d: %s %s" % (rc, out.strip()[-300:], err.strip()[-300:])])
        mq = db.month("o.day")
        snap = db.snapshot({
            "accounts": "SELECT id, code, name, alias, industry, region, channel, owner_id, tier, "
                        "status, version FROM accounts",
            "contacts": "SELECT id, account_id, name, title, department, decision_role, influence, "
                        "attitude, phone, email, notes, birthday, last_contacted_at, version FROM contacts",
            "visits": "SELECT id, account_id, contact_id, owner_id, kind, planned_at, status, outcome, "
                      "next_steps, cadence_id, version FROM visits",
            "issues": "SELECT id, account_id, title, description, category, severity, status, "
                      "assignee_id, response_due_at, resolution_due_at, first_response_at, "
                      "resolved_at, confirmed_at, escalated_at, escalated_to, version FROM issues",
            "interactions": "SELECT id, account_id, kind, subject, notes, occurred_at, version "
                            "FROM interactions",
            "order_lines": "SELECT id, external_id, day, account_id, product_id, region, channel, "
                           "quantity, amount, currency, amount_base, import_id FROM order_lines",
            "import_runs": "SELECT id, kind, filename, status, rows_total, rows_inserted, rows_updated, "
                           "rows_rejected FROM import_runs",
            "audit": "SELECT seq, id, entity, entity_id, account_id, action, changes FROM audit "
                     "WHERE seq > %d OR seq IS NULL ORDER BY seq" % self.audit_seq,
            "audit_at_head": "SELECT seq, hash FROM audit WHERE seq = %d" % self.head[0],
            "head": "SELECT seq, hash FROM audit_head",
            "recomputed": "SELECT o.account_id AS account_id, %s AS month, p.family AS family, "
                          "o.region AS region, o.channel AS channel, SUM(o.quantity) AS quantity, "
                          "SUM(o.amount_base) AS amount, COUNT(*) AS lines FROM order_lines o "
                          "JOIN products p ON p.id = o.product_id GROUP BY o.account_id, %s, "
                          "p.family, o.region, o.channel" % (mq, mq),
            "sales_monthly": "SELECT account_id, month, family, region, channel, quantity, amount, "
                             "lines FROM sales_monthly",
            "sales_monthly_dim": "SELECT month, family, region, channel, quantity, amount, lines "
                                 "FROM sales_monthly_dim",
            "sales_monthly_account": "SELECT account_id, month, quantity, amount, lines "
                                     "FROM sales_monthly_account",
            "products": "SELECT id, sku, name, family, unit, currency, version FROM products",
        })
        tables = {
            "account": {r["id"]: r for r in snap["accounts"]},
            "contact": {r["id"]: r for r in snap["contacts"]},
            "visit": {r["id"]: r for r in snap["visits"]},
            "issue": {r["id"]: r for r in snap["issues"]},
            "interaction": {r["id"]: r for r in snap["interactions"]},
            "order_line": {r["id"]: r for r in snap["order_lines"]},
            "import": {r["id"]: r for r in snap["import_runs"]},
            "product": {r["id"]: r for r in snap["products"]},
        }
        self.scheduler = {
            "visits_planned": sum(1 for r in snap["visits"] if r["cadence_id"] is not None),
            "issues_escalated": sum(1 for r in snap["issues"] if r["escalated_at"] is not None),
        }
        self.check_head(snap)
        self.fold_audit(snap["audit"])
        self.check_writes(tables)
        self.check_import(imp, tables, snap)
        self.check_rollups(snap)
        self.check_audit(tables)

    def check_head(self, snap):
        probs = []
        head = snap["head"]
        if len(head) != 1:
            probs.append("audit_head has %d rows" % len(head))
        else:
            seq = head[0]["seq"]
            if seq < self.head[0]:
                probs.append("the audit head went back from seq %d to %d" % (self.head[0], seq))
            if self.head[0]:
                at = snap["audit_at_head"]
                if len(at) != 1 or at[0]["hash"] != self.head[1]:
                    probs.append("the audit row at the previous head (seq %d) changed or vanished: %s"
                                 % (self.head[0], at))
            self.head = (seq, head[0]["hash"])
        self.check("audit head", probs)

    # The audit log, replayed record by record (incrementally: rows beyond the last seq folded).
    FOLD = {
        "account": ({"code", "name", "alias", "industry", "region", "channel", "owner_id", "tier",
                     "status"}, set()),
        "contact": ({"name", "title", "department", "decision_role", "influence", "attitude", "phone",
                     "email", "notes", "birthday", "last_contacted_at"}, {"last_contacted_at"}),
        "visit": ({"contact_id", "owner_id", "kind", "planned_at", "status", "outcome", "next_steps"},
                  {"planned_at"}),
        "issue": ({"title", "description", "category", "severity", "status", "assignee_id",
                   "response_due_at", "resolution_due_at", "first_response_at", "resolved_at",
                   "confirmed_at", "escalated_at", "escalated_to"},
                  {"response_due_at", "resolution_due_at", "first_response_at", "resolved_at",
                   "confirmed_at", "escalated_at"}),
        "interaction": ({"kind", "subject", "notes", "occurred_at"}, {"occurred_at"}),
        "order_line": ({"external_id", "day", "account_id", "region", "channel", "quantity", "amount",
                        "currency"}, set()),
        "import": ({"kind", "status", "rows_inserted", "rows_updated", "rows_rejected"}, set()),
        "product": ({"sku", "name", "family", "unit", "currency"}, set()),
    }

    def fold_audit(self, rows):
        probs = []
        self.audit_seq_prev = self.audit_seq  # rows beyond it were written this cycle
        for r in rows:
            if r["seq"] is None:
                probs.append("audit row id %s has no seq" % r["id"])
                continue
            if r["seq"] != self.audit_seq + 1:
                probs.append("audit seq %d follows %d" % (r["seq"], self.audit_seq))
            self.audit_seq = r["seq"]
            try:
                changes = json.loads(r["changes"]) if r["changes"] else {}
            except ValueError:
                probs.append("audit seq %d: changes are not JSON" % r["seq"])
                continue
            key = (r["entity"], r["entity_id"])
            self.audit_rows.setdefault(key, []).append((r["seq"], r["action"], changes))
            if r["entity"] not in self.FOLD:
                continue
            cols, times = self.FOLD[r["entity"]]
            st = self.fold.setdefault(key, {"fields": {}, "deleted": False, "created": False})
            if r["action"] in ("create", "import"):
                if st["created"] and not st["deleted"]:
                    probs.append("audit seq %d: a second create of %s %d" % (r["seq"], *key))
                st["created"], st["deleted"] = True, False
                st["fields"] = {}
            elif r["action"] == "delete":
                st["deleted"] = True
                continue
            elif not st["created"] and key[0] != "import":
                probs.append("audit seq %d: %s of %s %d before its create" % (r["seq"], r["action"], *key))
            if st["deleted"] and r["action"] not in ("create", "import"):
                probs.append("audit seq %d: %s of deleted %s %d" % (r["seq"], r["action"], *key))
            for f, ba in changes.items():
                if f not in cols or not isinstance(ba, list) or len(ba) != 2:
                    continue
                before, after = ba
                if f in times:
                    before = epoch(before) if isinstance(before, str) else before
                    after = epoch(after) if isinstance(after, str) else after
                if r["action"] not in ("create", "import") and f in st["fields"] \
                        and st["fields"][f] != before:
                    probs.append("audit seq %d: %s %d field %s before=%r, but the previous row left %r"
                                 % (r["seq"], key[0], key[1], f, before, st["fields"][f]))
                st["fields"][f] = after
        self.check("audit rows in order", probs)

    def check_audit(self, tables):
        """Each folded record equals its row; each row of these tables has its create row."""
        probs = []
        for (entity, rid), st in self.fold.items():
            row = tables[entity].get(rid)
            if st["deleted"]:
                if row is not None:
                    probs.append("%s %d: audit says deleted, the row is there" % (entity, rid))
                continue
            if row is None:
                probs.append("%s %d: audited (%s) but not in the table"
                             % (entity, rid, "created" if st["created"] else "changed"))
                continue
            for f, v in st["fields"].items():
                if row.get(f) != v:
                    probs.append("%s %d field %s: the audit log says %r, the table %r"
                                 % (entity, rid, f, v, row.get(f)))
        for entity, rows in tables.items():
            for rid, row in rows.items():
                if entity == "order_line" and row["import_id"] is not None:
                    if ("import", row["import_id"]) not in self.fold:
                        probs.append("order line %d: its import run %s has no audit row"
                                     % (rid, row["import_id"]))
                    continue
                st = self.fold.get((entity, rid))
                if not st or not st["created"]:
                    probs.append("%s %d is in the table without an audit create row" % (entity, rid))
        self.check("audit = data", probs)

    def audit_has(self, op, action, last_only=False):
        """The op's own audit row, written this cycle: action and (for updates) every changed
        field's after value. last_only: only the record's latest row of that action is looked at
        (a cut-off write was the last of ours on its record; values such as a family recur)."""
        rows = [x for x in self.audit_rows.get((op.entity, op.id), [])
                if x[0] > self.audit_seq_prev and x[1] in action]
        if last_only:
            rows = rows[-1:]
        want = dict(op.changed)
        cols, times = self.FOLD.get(op.entity, (set(), set()))
        for _, act, ch in rows:
            if act not in action:
                continue
            ok = True
            for f, (b, a) in want.items():
                if f not in cols and act != "create":
                    continue
                if f not in ch:
                    if act == "create" or f not in cols:
                        continue  # create rows list what they list; fields outside cols unchecked
                    ok = False
                    break
                after = ch[f][1]
                if f in times and isinstance(after, str):
                    after = epoch(after)
                if after != a:
                    ok = False
                    break
            if ok:
                return True
        return False

    def check_writes(self, tables):
        """Every acknowledged write is there, cut-off writes are all or nothing; the model then
        takes the database's state for the next cycle."""
        probs, lost = [], 0
        ops = self.m.ops
        by_rec = {}
        for op in ops:
            if op.id is not None:
                by_rec.setdefault((op.entity, op.id), []).append(op)
        # Cut-off creates: found by their key, adopted when there.
        keyidx = {}
        for entity, rows in tables.items():
            for rid, row in rows.items():
                k = {"account": lambda r: r["code"], "contact": lambda r: r["name"],
                     "issue": lambda r: r["title"], "interaction": lambda r: r["subject"],
                     "visit": lambda r: (r["account_id"], r["planned_at"]),
                     "order_line": lambda r: r["external_id"]}.get(entity)
                if k:
                    keyidx[(entity, k(row))] = rid
        for op in ops:
            if op.action != "create" or op.outcome == "ack":
                continue
            rid = keyidx.get((op.entity, op.key))
            if op.outcome == "refused":
                if rid is not None and (op.entity, rid) not in self.m.recs:
                    probs.append("refused create %s %r (status %s) is there as id %d"
                                 % (op.entity, op.key, op.status, rid))
                continue
            if rid is None:
                self.stats["doubt_not_applied"] += 1
                continue
            self.stats["doubt_applied"] += 1
            row = tables[op.entity][rid]
            bad = [f for f, v in op.fields.items() if row.get(f) != v]
            if bad and not by_rec.get((op.entity, rid)):
                probs.append("cut-off create of %s %r is there (id %d) with other values: %s"
                             % (op.entity, op.key, rid, ", ".join("%s=%r" % (f, row.get(f)) for f in bad)))
            op.id = rid
            if not self.audit_has(op, ("create",)):
                probs.append("cut-off create of %s %d happened without its audit row" % (op.entity, rid))
            rec = Rec(op.entity, rid, op.key, op.thread, op.fields, row.get("version"),
                      op.account_id if op.account_id else rid)
            self.m.add_rec(rec)
        for op in ops:
            if op.outcome == "ack":
                self.stats["acked"] += 1
            elif op.outcome == "doubt":
                self.stats["doubt"] += 1
            else:
                self.stats["refused"] += 1
        # Acknowledged and cut-off writes, record by record, in the order they were sent.
        for key, rops in by_rec.items():
            row = tables[key[0]].get(key[1])
            for i, op in enumerate(rops):
                later = rops[i + 1:]
                if op.outcome == "refused":
                    continue
                if op.outcome == "ack":
                    miss = self.acked_missing(op, row, later)
                    if miss:
                        lost += 1
                        probs.append("LOST acknowledged %s of %s %d (status %d): %s"
                                     % (op.action, op.entity, op.id, op.status, miss))
                    else:
                        act = {"create": ("create",), "update": ("update",),
                               "transition": ("update",), "delete": ("delete",)}[op.action]
                        if not self.audit_has(op, act):
                            probs.append("acknowledged %s of %s %d has no audit row with %s"
                                         % (op.action, op.entity, op.id, op.changed))
                else:
                    p = self.doubt_problem(op, row, rops[:i])
                    if p:
                        probs.append(p)
        # Records of earlier cycles this cycle did not touch: still as last confirmed.
        for (entity, rid), rec in self.m.recs.items():
            if (entity, rid) in by_rec or not rec.confirmed:
                continue
            row = tables[entity].get(rid)
            if not rec.exists:
                if row is not None:
                    probs.append("%s %d, gone after an earlier cycle, is back" % (entity, rid))
                continue
            miss = "the record is gone" if row is None else "; ".join(
                "%s=%r, earlier %r" % (f, row.get(f), v) for f, v in rec.fields.items() if row.get(f) != v)
            if not miss and rec.version is not None and row.get("version", 0) < rec.version:
                miss = "version %d < %d" % (row["version"], rec.version)
            if miss:
                lost += 1
                probs.append("LOST earlier acknowledged state of %s %d: %s" % (entity, rid, miss))
        self.stats["lost"] += lost
        # The model takes the table's state.
        for (entity, rid), rec in list(self.m.recs.items()):
            row = tables[entity].get(rid)
            rec.confirmed = True
            if row is None:
                rec.exists = False
                continue
            rec.exists = True
            if "version" in row:
                rec.version = row["version"]
            for f in list(rec.fields):
                if f in row:
                    rec.fields[f] = row[f]
        self.check("acknowledged writes", probs)

    @staticmethod
    def acked_missing(op, row, later):
        """'' when the acknowledged write op is visible in row (None: no row)."""
        deleted_later = any(o.action == "delete" and o.outcome in ("ack", "doubt") for o in later)
        if op.action == "delete":
            return "" if row is None else "the record is still there"
        if row is None:
            return "" if deleted_later else "the record is gone"
        if op.version is not None and row.get("version") is not None and row["version"] < op.version:
            return "version %d < acknowledged %d" % (row["version"], op.version)
        bad = []
        for f, v in op.fields.items():
            if any(f in o.fields and o.outcome in ("ack", "doubt") for o in later):
                continue
            if row.get(f) != v:
                bad.append("%s=%r, acknowledged %r" % (f, row.get(f), v))
        return "; ".join(bad)

    def doubt_problem(self, op, row, earlier):
        """A cut-off write happened wholly (audit row too) or not at all."""
        if op.action == "delete":
            applied = row is None
            self.stats["doubt_applied" if applied else "doubt_not_applied"] += 1
            if applied != self.audit_has(op, ("delete",)):
                return "cut-off delete of %s %d: %s" % (op.entity, op.id, "gone without an audit row"
                                                        if applied else "still there but audited as deleted")
            return ""
        if row is None:
            return "cut-off %s of %s %d: the record is gone" % (op.action, op.entity, op.id)
        now = {f: row.get(f) for f in op.fields}
        if all(now[f] == v for f, v in op.fields.items()):
            applied = True
        else:
            before = {}
            for f in op.fields:
                before[f] = op.changed.get(f, (row.get(f), None))[0]
                for o in earlier:
                    if o.outcome == "ack" and f in o.fields:
                        before[f] = o.fields[f]
            if all(now[f] == before[f] for f in op.fields):
                applied = False
            else:
                return "cut-off %s of %s %d half applied: %r, sent %r" % (op.action, op.entity, op.id,
                                                                         now, op.fields)
        self.stats["doubt_applied" if applied else "doubt_not_applied"] += 1
        act = ("update",)
        if op.changed and self.audit_has(op, act, last_only=True) != applied:
            return "cut-off %s of %s %d %s" % (op.action, op.entity, op.id,
                                               "applied without its audit row" if applied else
                                               "not applied, yet its audit row is there")
        return ""

    def check_import(self, imp, tables, snap):
        probs = []
        runs = [r for r in snap["import_runs"] if r["filename"] == imp.filename]
        lines = {r["external_id"]: r for r in snap["order_lines"] if r["import_id"] is not None}
        imp.last_state = "-"

        def same(row, v, run_id):
            return row is not None and all(row[f] == v[f] for f in (
                "day", "account_id", "product_id", "region", "channel", "quantity", "amount",
                "currency")) and row["import_id"] == run_id

        if imp.t_start is None:
            self.stats["imports_none"] += 1
            if runs:
                probs.append("an import that never started has a run: %s" % runs)
        else:
            loaded = len(runs) == 1 and runs[0]["status"] == "loaded"
            if len(runs) > 1 or (runs and not loaded):
                probs.append("import %s: runs %s" % (imp.filename, runs))
            rid = runs[0]["id"] if runs else None
            new_there = sum(1 for e in imp.new if e in lines)
            new_ok = sum(1 for e, v in imp.new.items() if same(lines.get(e), v, rid))
            re_new = sum(1 for e, v in imp.re.items() if same(lines.get(e), v, rid))
            re_old = sum(1 for e, v in imp.old.items() if same(lines.get(e), v, v["import_id"]))
            n_new, n_re = len(imp.new), len(imp.re)
            whole = loaded and new_ok == n_new and re_new == n_re
            nothing = not runs and new_there == 0 and re_old == n_re
            if imp.rc == 0:
                self.stats["imports_completed"] += 1
                want = "loaded; %d rows read, %d inserted, %d updated, 0 rejected (import %s)" % (
                    n_new + n_re, n_new, n_re, rid)
                if not whole:
                    probs.append("import %s exited 0 (%s) but is not wholly there: run %s, %d/%d new "
                                 "lines, %d/%d re-imported" % (imp.filename, imp.out.strip()[:200], runs,
                                                               new_ok, n_new, re_new, n_re))
                elif want not in imp.out:
                    probs.append("import summary %r, want %r" % (imp.out.strip()[:300], want))
                elif runs[0]["rows_inserted"] != n_new or runs[0]["rows_updated"] != n_re:
                    probs.append("import run %s counts %s" % (rid, runs[0]))
            elif imp.rc == -signal.SIGKILL:
                self.stats["imports_killed"] += 1
                imp.last_state = "loaded" if whole else "nothing" if nothing else "HALF"
                if whole:
                    self.stats["killed_loaded"] += 1
                elif nothing:
                    self.stats["killed_not_loaded"] += 1
                else:
                    self.stats["half_loaded"] += 1
                    probs.append("killed import %s is neither all nor nothing: run %s, new lines %d/%d "
                                 "there (%d with the file's values), re-imported %d/%d new, %d/%d old"
                                 % (imp.filename, runs, new_there, n_new, new_ok, re_new, n_re, re_old,
                                    n_re))
            else:
                probs.append("import %s exited %s: %s" % (imp.filename, imp.rc, imp.out.strip()[:300]))
            if whole:
                self.note_loaded(imp, rid)
        # Every imported line (all acknowledged imports so far) equals the model.
        if len(lines) != len(self.m.imported):
            extra = sorted(set(lines) - set(self.m.imported))[:5]
            gone = sorted(set(self.m.imported) - set(lines))[:5]
            probs.append("%d imported lines in the table, %d expected (extra %s, missing %s)"
                         % (len(lines), len(self.m.imported), extra, gone))
        bad = [e for e, v in self.m.imported.items() if e in lines and not same(lines[e], v, v["import_id"])]
        if bad:
            probs.append("%d imported lines differ from their last loaded import, e.g. %s: %s, want %s"
                         % (len(bad), bad[0], lines[bad[0]], self.m.imported[bad[0]]))
        # amount_base follows the line's currency at the rate in force (USD is never changed).
        badb = [r for r in snap["order_lines"] if r["amount_base"] != (
            to_base(r["amount"], USD_RATE) if r["currency"] == "USD" else r["amount"])]
        if badb:
            probs.append("%d lines with a wrong amount_base, e.g. %s" % (len(badb), badb[0]))
        self.check("import all-or-nothing", probs)

    def check_rollups(self, snap):
        fine, dim, acct = {}, {}, {}
        for r in snap["recomputed"]:
            v = (int(r["quantity"]), int(r["amount"]), int(r["lines"]))
            fine[(r["account_id"], r["month"], r["family"], r["region"], r["channel"])] = v
            for d, k in ((dim, (r["month"], r["family"], r["region"], r["channel"])),
                         (acct, (r["account_id"], r["month"]))):
                s = d.get(k, (0, 0, 0))
                d[k] = (s[0] + v[0], s[1] + v[1], s[2] + v[2])
        probs = []
        for name, want, keycols in (
                ("sales_monthly", fine, ("account_id", "month", "family", "region", "channel")),
                ("sales_monthly_dim", dim, ("month", "family", "region", "channel")),
                ("sales_monthly_account", acct, ("account_id", "month"))):
            got = {}
            for r in snap[name]:
                v = (r["quantity"], r["amount"], r["lines"])
                if v != (0, 0, 0):
                    got[tuple(r[c] for c in keycols)] = v
            diff = [k for k in set(want) | set(got) if want.get(k) != got.get(k)]
            if diff:
                k = sorted(diff, key=repr)[0]
                probs.append("%s: %d rows differ from a recomputation from order_lines, e.g. %s: "
                             "table %s, lines %s" % (name, len(diff), k, got.get(k), want.get(k)))
        self.check("rollups", probs)

    # --- the whole run
    def main(self):
        try:
            return self.run_all()
        finally:
            self.serve.kill()  # whatever happened, no server is left behind

    def run_all(self):
        a = self.a
        t_start = time.monotonic()
        try:
            self.setup()
        except Exception as e:
            print("setup failed: %s" % e, flush=True)
            print("0 passed, 1 failed")
            return 1
        print("soak: %s, seed %s, %d cycles of %.1f s, %d account managers + 1 finance client%s, imports "
              "of %d new + %d re-imported lines (temp dir %s)" % (
                  "SQLite" if self.db.sqlite else "PostgreSQL", a.seed, a.cycles, a.seconds_per_cycle,
                  a.clients, "" if self.m.family_changes else " (no family changes)", a.new_lines,
                  a.import_lines, self.tmp), flush=True)
        err = self.serve.start(self.now(1))
        if err:
            print("start failed: %s" % err)
            print("0 passed, 1 failed")
            return 1
        cycles = 0
        for c in range(1, a.cycles + 1):
            try:
                if not self.run_cycle(c):
                    break
            except Exception:
                import traceback
                self.check("the soak itself", [traceback.format_exc()])
                break
            cycles += 1
        rc = self.serve.stop()
        self.cycle = cycles
        sch = getattr(self, "scheduler", {})
        self.check("scheduler worked", [] if sch.get("visits_planned") and sch.get("issues_escalated") else
                   ["the scheduler planned no visit or escalated no issue: %s" % sch])
        self.check("graceful stop", [] if rc == 0 else ["kam serve exit %s after SIGTERM" % rc])
        s = self.stats
        print("cycles %d, writes acknowledged %d, lost %d; cut off by the kill %d (%d happened, %d did "
              "not), refused %d" % (cycles, s["acked"], s["lost"], s["doubt"], s["doubt_applied"],
                                    s["doubt_not_applied"], s["refused"]))
        print("imports: %d completed, %d killed (%d loaded before the kill, %d not loaded, %d half "
              "loaded), %d cycles without one; %d kills aimed at the import" % (
                  s["imports_completed"], s["imports_killed"], s["killed_loaded"], s["killed_not_loaded"],
                  s["half_loaded"], s["imports_none"], s["aimed"]))
        print("scheduler: %d visits planned from cadences, %d issues escalated; audit rows %d; "
              "imported lines %d; %.0f s" % (
                  self.scheduler.get("visits_planned", 0), self.scheduler.get("issues_escalated", 0),
                  self.audit_seq, len(self.m.imported), time.monotonic() - t_start))
        print("checks: " + ", ".join("%s %d/%d" % (k, v[0], v[0] + v[1]) for k, v in self.checks.items()))
        if self.failed or a.keep:
            print("kept %s" % self.tmp)
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)
        print("%d passed, %d failed" % (self.passed, self.failed))
        return 1 if self.failed else 0


def session(port, login):
    """Logs in: (Cookie header value, CSRF token, user)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        body = json.dumps({"login": login, "password": PASSWORD}).encode()
        conn.request("POST", "/api/v1/session", body, {"Content-Type": "application/json",
                                                        "Connection": "close"})
        r = conn.getresponse()
        data = r.read()
        if r.status != 200:
            raise RuntimeError("login %s: %d %s" % (login, r.status, data[:200]))
        cookies = [v.split(";", 1)[0] for k, v in r.getheaders() if k.lower() == "set-cookie"]
        j = json.loads(data)
        return cookies[0], j["csrf_token"], j["user"]
    finally:
        conn.close()


def main():
    ap = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    ap.add_argument("--kam", required=True)
    ap.add_argument("--dsn", help="an empty PostgreSQL database (default: a fresh SQLite file)")
    ap.add_argument("--cycles", type=int, default=8)
    ap.add_argument("--seconds-per-cycle", type=float, default=2.0)
    ap.add_argument("--seed", default="1")
    ap.add_argument("--clients", type=int, default=3, help="account-manager clients (plus one finance)")
    ap.add_argument("--import-lines", type=int, default=2000,
                    help="lines every import re-imports (the pool the first import loads)")
    ap.add_argument("--new-lines", type=int, default=100, help="new lines in every import")
    ap.add_argument("--no-family-changes", action="store_true",
                    help="no product family changes in the load (for comparing runs; their race with "
                    "other sales writes is checked by family_race.py)")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir")
    ap.add_argument("--verbose", action="store_true", help="list the writes not acknowledged")
    ap.add_argument("--inject", help="self-test: after the kill of --inject-cycle, change the database "
                    "as a bug would (lost-write, lost-earlier, rollup, audit, import); the run must "
                    "then fail")
    ap.add_argument("--inject-cycle", type=int, default=2)
    args = ap.parse_args()
    sys.exit(Soak(args).main())


if __name__ == "__main__":
    main()
