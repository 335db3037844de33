"""t_server -- issue 10: the server process and the command line.

Runs its own `kam serve` processes (on the suite's database, or on small databases of its own
in a private temp dir) and CLI runs; the main server is only used as the holder of a port.

* the listening address is exclusive: a second `kam serve` on the main server's port refuses to
  start (exit 1, naming the address) instead of sharing it; a quick restart on a port still
  works;
* only `kam init` and `kam demo` create a database: serve, jobs run, import, user
  add|passwd|list|disable and migrate-data --from on a missing SQLite file (or, on PostgreSQL,
  a schema without KAM's tables) exit 1 naming the command to run, and create nothing;
* `kam help`: every command and sub-command with its flags, the import columns (owner_login is
  required for new accounts), the jobs `jobs run` really runs and the SMTP settings; every
  command the README shows exists; every numeric flag and environment variable refuses
  garbage, signs, fractions, out-of-range and overflowing values with exit 2 naming it;
* connection caps: connections past the per-address cap are closed at once; a client that
  sends its headers slowly (each line resets libmicrohttpd's idle timeout) is closed at the
  header deadline, as are silent and idle kept-alive connections; the defaults serve 100
  concurrent connections from one address;
* a database that takes no writes: `kam serve` refuses to start on one (SQLite file or
  directory read-only; PostgreSQL default_transaction_read_only), and /healthz answers 503
  {"db":"read_only"} when the database stops taking writes while the server runs (SQLite: a
  connection opened after the file became read-only; PostgreSQL: sessions that reconnect to a
  database made read-only), and 200 again once it takes them (PostgreSQL).

Read-only files mean nothing to root, so when the suite runs as root the servers of those
checks run as the unprivileged uid 65534 (nobody).
"""

import glob
import json
import os
import re
import select
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.parse

from lib import free_port, http_call, run_cli

NOBODY_UID = 65534
WAIT = 10.0  # upper bound for a server to start, refuse or close something


# ---------------------------------------------------------------- helpers

class Proc:
    """A `kam serve` of this group: started with its own arguments, environment and user."""

    def __init__(self, ctx, dsn, name, args=(), env=None, as_nobody=False, port=None):
        self.ctx = ctx
        self.port = port or free_port()
        self.log_path = os.path.join(ctx.tmp, "server-%s.log" % name)
        e = dict(os.environ)
        for k in ("KAM_NOW", "KAM_SESSION_TTL", "KAM_MAX_CONNS_PER_ADDR", "KAM_HEADER_TIMEOUT"):
            e.pop(k, None)
        e["KAM_JOBS_INTERVAL"] = "0"
        e.update(env or {})
        self.cmd = [ctx.kam, "serve", "--db", dsn, "--listen", "127.0.0.1:%d" % self.port] + list(args)
        kw = {}
        if as_nobody:
            kw = {"user": NOBODY_UID, "group": NOBODY_UID, "extra_groups": []}
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log,
                                     env=e, **kw)

    def exited(self, within=WAIT):
        """The exit status if the process ends within `within` seconds, else None (still running)."""
        try:
            return self.proc.wait(within)
        except subprocess.TimeoutExpired:
            return None

    def listening(self, within=WAIT):
        """True once the port accepts TCP connections (no request is sent: no database
        connection is opened by it)."""
        deadline = time.time() + within
        while time.time() < deadline and self.proc.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return True
            except OSError:
                time.sleep(0.02)
        return False

    def healthy(self, within=WAIT):
        deadline = time.time() + within
        while time.time() < deadline and self.proc.poll() is None:
            st, _, _, _ = http_call(self.port, "GET", "/healthz", None, [("Connection", "close")], timeout=2)
            if st == 200:
                return True
            time.sleep(0.02)
        return False

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode

    def output(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError as e:
            return "(no log: %s)" % e


def cli(ctx, args, stdin_text=None, env=None, timeout=60):
    e = dict(os.environ)
    e.pop("KAM_NOW", None)
    e.update(env or {})
    return run_cli(ctx.kam, args, stdin_text=stdin_text, env=e, timeout=timeout)


def short(s, n=300):
    s = (s or "").strip().replace("\n", " | ")
    return s if len(s) <= n else s[:n] + "..."


def is_pg(ctx):
    return ctx.dsn.startswith("postgres://") or ctx.dsn.startswith("postgresql://")


def psql(dsn, sql):
    """Runs sql with psql in a writable session (also while the database defaults to read-only
    transactions); (ok, output)."""
    exe = sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"))
    exe = exe[-1] if exe else "psql"
    env = dict(os.environ, PGOPTIONS="-c default_transaction_read_only=off")
    try:
        p = subprocess.run([exe, dsn, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql],
                           capture_output=True, timeout=60, env=env)
    except (OSError, subprocess.TimeoutExpired) as e:
        return False, str(e)
    out = (p.stdout + p.stderr).decode("utf-8", "replace").strip()
    return p.returncode == 0, out


def with_param(dsn, key, value):
    return dsn + ("&" if "?" in dsn else "?") + urllib.parse.urlencode({key: value}, quote_via=urllib.parse.quote)


def private_dir(mode=0o755):
    """A temp dir outside ctx.tmp (which is 0700), so uid 65534 can reach it."""
    d = tempfile.mkdtemp(prefix="kam-srv-")
    os.chmod(d, mode)
    return d


def read_response(sock):
    """One whole HTTP/1.1 response with a Content-Length from a kept-alive socket."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    n = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            n = int(line.split(b":", 1)[1])
    while len(body) < n:
        chunk = sock.recv(4096)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def closed_within(sock, seconds, dribble=None):
    """Waits up to `seconds` for the server to close sock (EOF or reset), sending `dribble`
    whenever nothing has come for 0.2 s (a slow client). Returns (closed, elapsed, data)."""
    t0 = time.time()
    data = b""
    while time.time() - t0 < seconds:
        r, _, _ = select.select([sock], [], [], 0.2)
        if r:
            try:
                chunk = sock.recv(65536)
            except OSError:
                return True, time.time() - t0, data
            if not chunk:
                return True, time.time() - t0, data
            data += chunk
        elif dribble:
            try:
                sock.sendall(dribble)
            except OSError:
                return True, time.time() - t0, data
    return False, time.time() - t0, data


# ---------------------------------------------------------------- the group

def g_server(ctx):
    exclusive_port(ctx)
    quick_restart(ctx)
    missing_database(ctx)
    help_texts(ctx)
    numeric_flags(ctx)
    per_address_cap(ctx)
    header_deadline(ctx)
    defaults_serve_many(ctx)
    trusted_proxies(ctx)
    if is_pg(ctx):
        pg_read_only_start(ctx)
        pg_read_only_runtime(ctx)
    else:
        sqlite_read_only_start(ctx)
        sqlite_read_only_runtime(ctx)


def exclusive_port(ctx):
    ck = ctx.ck
    port = ctx.srv.port
    p = Proc(ctx, ctx.dsn, "second-on-port", port=port)
    rc = p.exited(WAIT)
    out = p.output()
    p.stop()
    ck.ok(rc == 1, "a second kam serve on 127.0.0.1:%d, held by the main server, refuses to start (exit 1)" % port,
          "exit status %s (None: it was serving the same port) | %s" % (rc, short(out)))
    ck.ok("127.0.0.1:%d" % port in out and "in use" in out,
          "and says the address 127.0.0.1:%d is in use" % port, short(out))
    st, _, _, err = http_call(port, "GET", "/healthz", None, [("Connection", "close")])
    ck.ok(st == 200, "the main server still answers on its port", "status %s %s" % (st, err or ""))


def quick_restart(ctx):
    """SO_REUSEADDR stays: a server restarted at once binds the port its predecessor's closed
    connections still hold in TIME_WAIT."""
    ck = ctx.ck
    a = Proc(ctx, ctx.dsn, "restart-a")
    ok = a.healthy()
    for _ in range(5):  # the server closes these (Connection: close): TIME_WAIT on its side
        http_call(a.port, "GET", "/healthz", None, [("Connection", "close")])
    rc = a.stop()
    ck.ok(ok and rc == 0, "a server starts, answers and stops (exit 0)", "rc=%s | %s" % (rc, short(a.output())))
    b = Proc(ctx, ctx.dsn, "restart-b", port=a.port)
    ok = b.healthy()
    out = b.output()
    b.stop()
    ck.ok(ok, "a server restarted at once on the same port starts (SO_REUSEADDR)", short(out))


def missing_database(ctx):
    ck = ctx.ck
    d = private_dir()
    try:
        path = os.path.join(d, "missing.db")
        dsn = "sqlite:" + path
        csv_path = os.path.join(d, "orders.csv")
        with open(csv_path, "w") as f:
            f.write("external_id,date,account_code,sku,quantity,amount\n")
        cases = [
            (["jobs", "run", "--db", dsn], None),
            (["user", "list", "--db", dsn], None),
            (["user", "add", "--db", dsn, "--login", "someone", "--role", "admin"], "a-long-password-1\n"),
            (["user", "passwd", "--db", dsn, "--login", "someone"], "a-long-password-2\n"),
            (["user", "disable", "--db", dsn, "--login", "someone"], None),
            (["import", "orders", csv_path, "--db", dsn], None),
            (["import", "orders", csv_path, "--db", dsn, "--skip-bad-rows"], None),
        ]
        for args, stdin_text in cases:
            rc, out, err = cli(ctx, args, stdin_text=stdin_text, timeout=30)
            what = "kam " + " ".join(a for a in args[:2] if not a.startswith("/"))
            ck.ok(rc == 1, "%s on a missing SQLite file exits 1" % what, "rc=%s out=%s err=%s" % (rc, short(out), short(err)))
            ck.ok("does not exist" in err and "kam init --db %s" % dsn in err,
                  "%s says the database does not exist and to run kam init --db %s" % (what, dsn), short(err))
            ck.ok(not os.path.exists(path), "%s creates no database file" % what, str(os.listdir(d)))
            for f in os.listdir(d):
                if f.startswith("missing.db"):
                    os.unlink(os.path.join(d, f))
        ck.ok(not os.path.exists(csv_path + ".rejects.csv"), "kam import --skip-bad-rows leaves no reject file",
              str(os.listdir(d)))
        # serve: refuses instead of serving an empty database nobody can log in to
        p = Proc(ctx, dsn, "missing-db")
        rc = p.exited(WAIT)
        out = p.output()
        p.stop()
        ck.ok(rc == 1, "kam serve on a missing SQLite file exits 1", "exit status %s (None: it served) | %s" % (rc, short(out)))
        ck.ok("does not exist" in out and "kam init --db %s" % dsn in out,
              "kam serve names the missing database and kam init", short(out))
        ck.ok(not os.path.exists(path), "kam serve creates no database file", str(os.listdir(d)))
        # migrate-data: the source must exist; nothing is created on either side
        target = os.path.join(d, "target.db")
        rc, out, err = cli(ctx, ["migrate-data", "--from", dsn, "--to", "sqlite:" + target], timeout=30)
        ck.ok(rc == 1 and "does not exist" in err, "kam migrate-data --from a missing file exits 1 naming it",
              "rc=%s err=%s" % (rc, short(err)))
        ck.ok(not os.path.exists(path) and not os.path.exists(target), "migrate-data creates neither file",
              str(os.listdir(d)))
        # an unknown option is a usage error, not a spin (getopt_long was once run past argc)
        try:
            rc, out, err = cli(ctx, ["migrate-data", "--help"], timeout=10)
            ck.ok(rc == 2 and "migrate-data --from" in err, "kam migrate-data --help exits 2 with its usage",
                  "rc=%s err=%s" % (rc, short(err)))
        except subprocess.TimeoutExpired:
            ck.ok(False, "kam migrate-data --help exits 2 with its usage", "it did not exit in 10 s")
        # init and demo create
        rc, out, err = cli(ctx, ["init", "--db", dsn], timeout=30)
        ck.ok(rc == 0 and os.path.exists(path), "kam init creates the database", "rc=%s err=%s" % (rc, short(err)))
        demo = os.path.join(d, "demo.db")
        rc, out, err = cli(ctx, ["demo", "--db", "sqlite:" + demo, "--scale", "10"], timeout=120)
        ck.ok(rc == 0 and os.path.exists(demo), "kam demo creates the database", "rc=%s err=%s" % (rc, short(err)))
        rc, out, err = cli(ctx, ["user", "list", "--db", dsn], timeout=30)
        ck.ok(rc == 0, "kam user list works on the database kam init made", "rc=%s err=%s" % (rc, short(err)))
        # a file that exists but holds no KAM tables (an empty file) is not a database either
        empty = os.path.join(d, "empty.db")
        open(empty, "w").close()
        rc, out, err = cli(ctx, ["jobs", "run", "--db", "sqlite:" + empty], timeout=30)
        ck.ok(rc == 1 and "no KAM tables" in err and os.path.getsize(empty) == 0,
              "kam jobs run on an empty file exits 1 (no KAM tables) and leaves it empty",
              "rc=%s size=%d err=%s" % (rc, os.path.getsize(empty), short(err)))
    finally:
        shutil.rmtree(d, ignore_errors=True)
    if is_pg(ctx):
        missing_pg_schema(ctx)


def missing_pg_schema(ctx):
    """PostgreSQL databases are made by their administrator; a schema without KAM's tables is
    the counterpart of a missing SQLite file (search_path points the server at it)."""
    ck = ctx.ck
    schema = "kam_empty_%s" % ctx.tag
    ok, out = psql(ctx.dsn, "CREATE SCHEMA %s" % schema)
    if not ok:
        print("NOTE [server] cannot create a schema (%s): PostgreSQL missing-schema checks skipped" % short(out, 120))
        return
    try:
        dsn = with_param(ctx.dsn, "options", "-c search_path=%s" % schema)
        for args in (["jobs", "run", "--db", dsn], ["user", "list", "--db", dsn]):
            rc, out, err = cli(ctx, args, timeout=30)
            ck.ok(rc == 1 and "no KAM tables" in err and "kam init --db" in err,
                  "kam %s on a PostgreSQL schema without KAM's tables exits 1 naming kam init" % " ".join(args[:2]),
                  "rc=%s err=%s" % (rc, short(err)))
        p = Proc(ctx, dsn, "pg-empty-schema")
        rc = p.exited(WAIT)
        out = p.output()
        p.stop()
        ck.ok(rc == 1 and "no KAM tables" in out, "kam serve on a schema without KAM's tables exits 1",
              "exit status %s | %s" % (rc, short(out)))
        ok, n = psql(ctx.dsn, "SELECT count(*) FROM information_schema.tables WHERE table_schema = '%s'" % schema)
        ck.ok(ok and n == "0", "nothing was created in the schema", n)
    finally:
        psql(ctx.dsn, "DROP SCHEMA IF EXISTS %s CASCADE" % schema)


def help_texts(ctx):
    ck = ctx.ck
    rc, top, err = cli(ctx, ["help"])
    ck.ok(rc == 0, "kam help exits 0", err)
    for sub in ("add", "passwd", "list", "disable"):
        ck.ok(re.search(r"kam user %s\b" % sub, top) is not None, "kam help lists kam user %s" % sub, short(top, 2000))
    for flag in ("--map", "--dry-run", "--skip-bad-rows", "--reject", "--report", "--quiet"):
        ck.ok(re.search(r"kam import[^\n]*(\n +\[[^\n]*)*" + re.escape(flag), top) is not None,
              "kam help lists kam import %s" % flag, short(top, 2000))
    for flag in ("--max-conns-per-addr", "--header-timeout", "--jobs-interval", "--session-ttl", "--threads"):
        ck.ok(flag in top, "kam help lists kam serve %s" % flag)

    rc, imp, _ = cli(ctx, ["help", "import"])
    ck.ok(rc == 0 and "owner_login optional" not in imp, "kam help import no longer calls owner_login optional",
          short(imp, 2000))
    ck.ok(re.search(r"owner_login[^.]*required[^.]*new account", imp) is not None,
          "kam help import says owner_login is required for a new account", short(imp, 2000))

    rc, jobs, _ = cli(ctx, ["help", "jobs"])
    for what, pattern in (("visit planning", r"plans visits"), ("care reminders", r"care reminders"),
                          ("overdue visits", r"overdue visits"), ("escalation", r"escalates issues"),
                          ("digests", r"digests"), ("forecast refresh", r"forecasts"),
                          ("KPI alerts", r"KPIs?"), ("the e-mail outbox", r"outbox"),
                          ("KAM_SMTP_URL", r"KAM_SMTP_URL"), ("KAM_SMTP_FROM", r"KAM_SMTP_FROM")):
        ck.ok(re.search(pattern, jobs) is not None, "kam help jobs names %s" % what, short(jobs, 2000))

    rc, serve, _ = cli(ctx, ["help", "serve"])
    for needle in ("--max-conns-per-addr", "KAM_MAX_CONNS_PER_ADDR", "--header-timeout", "KAM_HEADER_TIMEOUT",
                   "proxy", "KAM_SMTP_URL", "read_only"):
        ck.ok(needle in serve, "kam help serve documents %s" % needle, short(serve, 2000))

    # every command the README shows exists; the README promises no command kam lacks
    readme = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "README.md")
    with open(readme, encoding="utf-8") as f:
        text = f.read()
    shown = sorted(set(re.findall(r"(?:build/)?\bkam ([a-z][a-z-]+)", text)))
    ck.ok(len(shown) >= 5, "the README shows kam commands", str(shown))
    for name in shown:
        rc, out, err = cli(ctx, ["help", name])
        ck.ok(rc == 0, "`kam %s` in the README is a command (kam help %s)" % (name, name), short(err))
    m = re.search(r"plus the command line for ([^.]*)\.", text.replace("\n", " "))
    ck.ok(m is not None and "report" not in m.group(1),
          "the README does not promise a reports command", m.group(0) if m else "sentence not found")


def numeric_flags(ctx):
    """Every numeric flag and variable: garbage, a sign, a fraction, out of range, overflow."""
    ck = ctx.ck
    bad_values = ["abc", "", "-1", "+5", "1.5", " 7", "99999999999999999999999"]
    serve_flags = {  # flag: (env var, a value out of range)
        "--threads": (None, "257"),
        "--session-ttl": ("KAM_SESSION_TTL", "0"),
        "--jobs-interval": ("KAM_JOBS_INTERVAL", "604801"),
        "--max-conns-per-addr": ("KAM_MAX_CONNS_PER_ADDR", "4097"),
        "--header-timeout": ("KAM_HEADER_TIMEOUT", "0"),
    }
    fails, cases = [], [0]

    def serve_refuses(label, args, env, name):
        cases[0] += 1
        # A binary that accepts the value serves: the upper bound stops it.
        p = Proc(ctx, ctx.dsn, "flags", args=args, env=env)
        rc = p.exited(5)
        out = p.output()[-400:]
        p.stop()
        if rc != 2 or name not in out:
            fails.append("%s: exit %s (None: it served) | %s" % (label, rc, short(out, 200)))

    for flag, (env, out_of_range) in serve_flags.items():
        for v in bad_values + [out_of_range]:
            serve_refuses("serve %s %r" % (flag, v), [flag, v], None, flag)
        if env:
            for v in ["abc", "-1", "1e3", "99999999999999999999999", out_of_range]:
                serve_refuses("%s=%r" % (env, v), [], {env: v}, env)
    ck.ok(not fails, "kam serve refuses every bad numeric flag and variable with exit 2 naming it "
          "(%d cases)" % cases[0], "; ".join(fails[:6]) + (" ... %d in all" % len(fails) if fails else ""))

    fails = []
    other = [
        (["demo", "--db", "sqlite:/nonexistent-dir/x.db", "--scale"], "--scale", bad_values + ["9", "10000001"]),
        (["forecast", "--input", "/dev/null", "--horizon"], "--horizon", bad_values + ["0", "1001"]),
        (["forecast", "--input", "/dev/null", "--horizon", "3", "--freq"], "--freq", bad_values + ["0", "1001"]),
        (["festivals", "--year"], "--year", bad_values + ["1800", "99999"]),
    ]
    for args, name, values in other:
        for v in values:
            rc, out, err = cli(ctx, args + [v], timeout=30)
            if rc != 2 or name not in err:
                fails.append("kam %s %r: rc=%s %s" % (" ".join(args[:1]), v, rc, short(err, 150)))
    for v in ["abc", "-5", "1.5", "99999999999999999999", "999999999999"]:
        rc, out, err = cli(ctx, ["version"], env={"KAM_NOW": v})
        if rc != 2 or "KAM_NOW" not in err:
            fails.append("KAM_NOW=%r: rc=%s %s" % (v, rc, short(err, 150)))
    ck.ok(not fails, "demo --scale, forecast --horizon/--freq, festivals --year and KAM_NOW refuse bad numbers "
          "with exit 2 naming them", "; ".join(fails[:6]))
    rc, out, err = cli(ctx, ["version"], env={"KAM_NOW": "1700000000"})
    ck.ok(rc == 0, "a good KAM_NOW is still accepted", err)


def per_address_cap(ctx):
    ck = ctx.ck
    p = Proc(ctx, ctx.dsn, "cap", env={"KAM_MAX_CONNS_PER_ADDR": "4", "KAM_HEADER_TIMEOUT": "60"})
    socks = []
    try:
        if not ck.ok(p.healthy(), "a server with KAM_MAX_CONNS_PER_ADDR=4 starts", short(p.output())):
            return
        for _ in range(4):
            # each is answered once and kept alive: the server has surely accepted it (a bare
            # connect may still wait in the backlog while the fifth is accepted first). The
            # health probe's connection counts until its worker thread has released it, which
            # a loaded machine may delay: a connection refused then is tried again.
            deadline, got = time.time() + WAIT, b""
            while True:
                sk = socket.create_connection(("127.0.0.1", p.port), timeout=5)
                try:
                    sk.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                    got = read_response(sk)
                except OSError:
                    got = b""
                if got or time.time() > deadline:
                    break
                sk.close()
                time.sleep(0.05)
            ck.ok(got.startswith(b"HTTP/1.1 200"), "connection %d within the cap is served" % (len(socks) + 1))
            socks.append(sk)
        extra = socket.create_connection(("127.0.0.1", p.port), timeout=5)
        extra.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        closed, secs, data = closed_within(extra, 5)
        extra.close()
        ck.ok(closed and not data, "a fifth connection from the same address is closed at once, unanswered",
              "closed=%s after %.2f s, got %r" % (closed, secs, data[:80]))
        # one of the four goes away: the address may connect again
        socks.pop().close()
        deadline, st = time.time() + WAIT, 0
        while time.time() < deadline and st != 200:
            st, _, _, _ = http_call(p.port, "GET", "/healthz", None, [("Connection", "close")], timeout=2)
        ck.ok(st == 200, "after one of them closed, a new connection is served", "status %s" % st)
        alive = 0
        for s in socks:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            try:
                alive += s.recv(64).startswith(b"HTTP/1.1 200")
            except OSError:
                pass
        ck.ok(alive == 3, "the connections within the cap still work", "%d of 3 answered" % alive)
    finally:
        for s in socks:
            s.close()
        p.stop()


def header_deadline(ctx):
    ck = ctx.ck
    p = Proc(ctx, ctx.dsn, "deadline", env={"KAM_HEADER_TIMEOUT": "1"})
    try:
        if not ck.ok(p.healthy(), "a server with KAM_HEADER_TIMEOUT=1 starts", short(p.output())):
            return
        # one header line every 0.2 s: each restarts libmicrohttpd's idle timeout
        s = socket.create_connection(("127.0.0.1", p.port), timeout=5)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        closed, secs, data = closed_within(s, 6, dribble=b"X-Slow: 1\r\n")
        s.close()
        ck.ok(closed and not data and secs >= 0.8,
              "a client sending its headers one line at a time is closed at the 1 s header deadline",
              "closed=%s after %.2f s, got %r" % (closed, secs, data[:80]))
        s = socket.create_connection(("127.0.0.1", p.port), timeout=5)
        closed, secs, data = closed_within(s, 6)
        s.close()
        ck.ok(closed and secs >= 0.8, "a connection that sends nothing is closed at the deadline",
              "closed=%s after %.2f s" % (closed, secs))
        # kept alive after an answer: the next request's headers are due within the deadline
        s = socket.create_connection(("127.0.0.1", p.port), timeout=5)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        first = b""
        while b"\r\n\r\n" not in first:
            chunk = s.recv(4096)
            if not chunk:
                break
            first += chunk
        closed, secs, _ = closed_within(s, 6)
        s.close()
        ck.ok(first.startswith(b"HTTP/1.1 200") and closed,
              "an idle kept-alive connection is closed at the deadline after its answer",
              "first=%r closed=%s after %.2f s" % (first[:40], closed, secs))
        # a request whose headers come in time is answered, and a slow body is not cut
        s = socket.create_connection(("127.0.0.1", p.port), timeout=10)
        body = b'{"login":"nobody-deadline","password":"wrong-password-123"}'
        s.sendall(b"POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                  b"Connection: close\r\nContent-Length: %d\r\n\r\n" % len(body) + body[:5])
        closed, secs, data = closed_within(s, 1.5)  # longer than the deadline
        if not closed:
            s.sendall(body[5:])
            closed, secs, data = closed_within(s, 10)
        s.close()
        ck.ok(data.startswith(b"HTTP/1.1 401"), "a request with complete headers and a slow body is answered",
              "got %r" % data[:80])
        # ... but a body sent a byte at a time for ever is cut: its deadline is 6 header
        # timeouts plus its length at 16 KiB/s (here 6 s + 0 s)
        s = socket.create_connection(("127.0.0.1", p.port), timeout=10)
        s.sendall(b"POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                  b"Content-Length: 1000\r\n\r\n{")
        closed, secs, data = closed_within(s, 20, dribble=b" ")
        s.close()
        ck.ok(closed and not data and 5.5 <= secs <= 12,
              "a body dribbled a byte at a time is closed at its deadline (6 header timeouts)",
              "closed=%s after %.2f s, got %r" % (closed, secs, data[:80]))
    finally:
        p.stop()


def defaults_serve_many(ctx):
    """The default caps leave room for what the suites do from 127.0.0.1 (wrk -c64, browsers,
    parallel tests): 100 connections at once on the main server are all served."""
    ck = ctx.ck
    socks = []
    try:
        for _ in range(100):
            socks.append(socket.create_connection(("127.0.0.1", ctx.srv.port), timeout=10))
        for s in socks:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        ok = 0
        for s in socks:
            data = b""
            try:
                while True:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    data += chunk
            except OSError:
                pass
            ok += data.startswith(b"HTTP/1.1 200")
        ck.ok(ok == 100, "with the default caps 100 concurrent connections from one address are served",
              "%d of 100" % ok)
    finally:
        for s in socks:
            s.close()


# ---------------------------------------------------------------- read-only databases

def sqlite_db(ctx, d, name):
    """A fresh initialised SQLite database in d with an admin; its DSN."""
    path = os.path.join(d, name)
    dsn = "sqlite:" + path
    rc, out, err = cli(ctx, ["init", "--db", dsn])
    if rc == 0:
        rc, out, err = cli(ctx, ["user", "add", "--db", dsn, "--login", "ro.admin", "--role", "admin"],
                           stdin_text="ro-admin-password-1\n")
    if rc != 0:
        raise RuntimeError("cannot make %s: %s" % (dsn, err))
    return path, dsn


def start_ro_refusal(ctx, label, path, dsn, as_nobody):
    ck = ctx.ck
    p = Proc(ctx, dsn, "ro-" + label, as_nobody=as_nobody)
    rc = p.exited(WAIT)
    out = p.output()
    p.stop()
    ck.ok(rc == 1, "kam serve refuses to start on a database whose %s (exit 1)" % label,
          "exit status %s (None: it served) | %s" % (rc, short(out)))
    ck.ok(dsn in out and ("read-only" in out or "does not accept writes" in out),
          "and says that %s is read-only / takes no writes" % dsn, short(out))


def sqlite_read_only_start(ctx):
    root = os.getuid() == 0
    d = private_dir(0o777)
    try:
        # file read-only, directory writable (SQLite silently opens such a file read-only)
        path, dsn = sqlite_db(ctx, d, "ro-file.db")
        if root:
            os.chown(path, 0, 0)
        os.chmod(path, 0o444)
        start_ro_refusal(ctx, "file is read-only", path, dsn, root)
        # directory read-only, file writable: SQLite cannot make its -wal and -shm files
        d2 = os.path.join(d, "ro-dir")
        os.mkdir(d2)
        path2, dsn2 = sqlite_db(ctx, d2, "ro-dir.db")
        if root:
            os.chown(path2, NOBODY_UID, NOBODY_UID)
        os.chmod(d2, 0o555)
        start_ro_refusal(ctx, "directory is read-only", path2, dsn2, root)
    finally:
        for sub, _, files in os.walk(d):
            os.chmod(sub, 0o755)
        shutil.rmtree(d, ignore_errors=True)


def sqlite_read_only_runtime(ctx):
    """The server opens a connection per worker thread when it first needs it; one opened after
    the file became read-only cannot write. /healthz must say so instead of 200."""
    ck = ctx.ck
    root = os.getuid() == 0
    d = private_dir(0o777)
    p = None
    try:
        path, dsn = sqlite_db(ctx, d, "ro-later.db")
        if root:
            for f in os.listdir(d):
                os.chown(os.path.join(d, f), NOBODY_UID, NOBODY_UID)
        p = Proc(ctx, dsn, "ro-later", args=["--threads", "1"], as_nobody=root)
        if not ck.ok(p.listening(), "a server on a writable SQLite file starts", short(p.output())):
            return
        os.chmod(path, 0o444)  # before the first request: the worker's connection opens read-only
        st, _, body, err = http_call(p.port, "GET", "/healthz", None, [("Connection", "close")])
        try:
            j = json.loads(body)
        except ValueError:
            j = None
        ck.ok(st == 503 and isinstance(j, dict) and j.get("db") == "read_only"
              and isinstance(j.get("error"), dict) and j["error"].get("code") == "db_error",
              "GET /healthz answers 503 {\"db\":\"read_only\"} once the SQLite file takes no writes",
              "status %s body %r %s" % (st, body[:200], err or ""))
        st, _, body, _ = http_call(p.port, "POST", "/api/v1/session",
                                   b'{"login":"ro.admin","password":"ro-admin-password-1"}',
                                   [("Content-Type", "application/json"), ("Connection", "close")])
        ck.ok(st >= 500, "and a login, which writes a session, fails", "status %s %r" % (st, body[:200]))
    finally:
        if p:
            p.stop()
        shutil.rmtree(d, ignore_errors=True)


def pg_read_only_start(ctx):
    dsn = with_param(ctx.dsn, "options", "-c default_transaction_read_only=on")
    p = Proc(ctx, dsn, "pg-ro")
    rc = p.exited(WAIT)
    out = p.output()
    p.stop()
    ck = ctx.ck
    ck.ok(rc == 1, "kam serve refuses to start on a PostgreSQL database in read-only transactions (exit 1)",
          "exit status %s (None: it served) | %s" % (rc, short(out)))
    ck.ok("does not accept writes" in out and ctx.dsn in out,
          "and says the database takes no writes, naming it", short(out))


def pg_read_only_runtime(ctx):
    """Sessions that reconnect to a database made read-only (what a failover to a standby
    looks like to the server): /healthz says read_only, and ok again once writable."""
    ck = ctx.ck
    app = "kam_ro_%s" % ctx.tag
    dsn = with_param(ctx.dsn, "application_name", app)
    set_ro = ("DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET default_transaction_read_only = on', "
              "current_database()); END $$")
    reset_ro = ("DO $$ BEGIN EXECUTE format('ALTER DATABASE %I RESET default_transaction_read_only', "
                "current_database()); END $$")
    kill = "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = '%s'" % app
    p = Proc(ctx, dsn, "pg-ro-later", args=["--threads", "1"])
    made_ro = False
    try:
        if not ck.ok(p.healthy(), "a server on the writable database starts", short(p.output())):
            return
        ok, out = psql(ctx.dsn, set_ro)
        if not ok:
            print("NOTE [server] cannot ALTER DATABASE (%s): PostgreSQL runtime read-only check skipped" % short(out, 120))
            return
        made_ro = True
        ok, out = psql(ctx.dsn, kill)
        # the next statement reconnects; the new session is read-only
        st, _, body, _ = http_call(p.port, "POST", "/api/v1/session",
                                   b'{"login":"nobody-ro","password":"wrong-password-123"}',
                                   [("Content-Type", "application/json"), ("Connection", "close")])
        ok, out = psql(ctx.dsn, reset_ro)
        made_ro = not ck.ok(ok, "the database is writable again (ALTER DATABASE ... RESET)", out)
        ck.ok(st >= 500, "on the reconnected read-only session a login fails", "status %s %r" % (st, body[:200]))
        st, _, body, _ = http_call(p.port, "GET", "/healthz", None, [("Connection", "close")])
        ck.ok(st == 503 and b'"db":"read_only"' in body,
              "GET /healthz answers 503 {\"db\":\"read_only\"} while the database takes no writes",
              "status %s %r" % (st, body[:200]))
        psql(ctx.dsn, kill)  # reconnect again, now writable
        deadline, st = time.time() + WAIT, 0
        while time.time() < deadline and st != 200:
            st, _, body, _ = http_call(p.port, "GET", "/healthz", None, [("Connection", "close")])
            if st != 200:
                time.sleep(0.1)
        ck.ok(st == 200, "and 200 again once it takes writes", "status %s %r" % (st, body[:200]))
    finally:
        if made_ro:
            ok, out = psql(ctx.dsn, reset_ro)
            ck.ok(ok, "the database is writable again after the check", out)
        p.stop()


def login_from(port, src, login, password, xff=None):
    """POST /api/v1/session from source address src (127.0.0.x), optionally with
    X-Forwarded-For; the status."""
    import http.client
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(src, 0))
    hdrs = {"Content-Type": "application/json", "Connection": "close"}
    if xff is not None:
        hdrs["X-Forwarded-For"] = xff
    try:
        conn.request("POST", "/api/v1/session", json.dumps({"login": login, "password": password}), hdrs)
        return conn.getresponse().status
    finally:
        conn.close()


def trusted_proxies(ctx):
    """Behind a trusted proxy the client is the address it names in X-Forwarded-For, so one
    client's failed logins do not throttle another's; from an untrusted peer the header is
    ignored (a client cannot pick its own address)."""
    ck = ctx.ck
    login, pw = ctx.uniq("xff"), "xff-proxy-password-7"
    rc, out, err = cli(ctx, ["user", "add", "--db", ctx.dsn, "--login", login, "--role", "viewer"],
                       stdin_text=pw + "\n")
    if not ck.ok(rc == 0, "a user for the proxy checks", short(out + err)):
        return
    rc, _, err = cli(ctx, ["serve", "--db", ctx.dsn, "--listen", "127.0.0.1:0",
                           "--trusted-proxies", "10.0.0.0/8,,1.2.3.4"])
    ck.ok(rc == 2 and "--trusted-proxies" in err, "a malformed --trusted-proxies is a usage error",
          "rc=%s %s" % (rc, short(err)))
    p = Proc(ctx, ctx.dsn, "proxy", env={"KAM_TRUSTED_PROXIES": "127.0.0.51, 10.0.0.0/8"})
    try:
        if not ck.ok(p.healthy(), "a server with KAM_TRUSTED_PROXIES starts", short(p.output())):
            return
        # five wrong passwords of client 203.0.113.7, through the proxy 127.0.0.51 (and an inner
        # proxy of 10/8 the header also names): that client is now held back ...
        for _ in range(5):
            login_from(p.port, "127.0.0.51", login, "wrong-password-xx", "203.0.113.7, 10.1.2.3")
        st = login_from(p.port, "127.0.0.51", login, "wrong-password-xx", "203.0.113.7, 10.1.2.3")
        ck.ok(st == 429, "behind a trusted proxy, the client named in X-Forwarded-For is throttled",
              "status %s" % st)
        # ... while another client behind the same proxy logs in
        st = login_from(p.port, "127.0.0.51", login, pw, "198.51.100.9")
        ck.ok(st == 200, "another client behind the same proxy is not held back by it", "status %s" % st)
        # an untrusted peer cannot choose its address: its own five failures hold it back,
        # whatever it writes in the header
        for i in range(5):
            login_from(p.port, "127.0.0.52", login, "wrong-password-xx", "192.0.2.%d" % (i + 1))
        st = login_from(p.port, "127.0.0.52", login, "wrong-password-xx", "192.0.2.77")
        ck.ok(st == 429, "X-Forwarded-For from an untrusted peer is ignored", "status %s" % st)
        # a header that is not an address, from the trusted proxy: the proxy itself is the
        # client (never a string of the client's making)
        for _ in range(5):
            login_from(p.port, "127.0.0.51", login, "wrong-password-xx", "not-an-address")
        st = login_from(p.port, "127.0.0.51", login, pw, "<script>")
        ck.ok(st == 429, "a header that is not an address leaves the proxy as the client",
              "status %s" % st)
        st = login_from(p.port, "127.0.0.51", login, pw, "203.0.113.200")
        ck.ok(st == 200, "... and a real client behind it is not held back by that", "status %s" % st)
    finally:
        p.stop()

