"""t_sec_auth -- issue 10, authentication and user administration.

Runs on the main server after the matrix (plus servers of its own on the same database):

* roles: hr can no longer make itself director, reset a director's password or create
  directors; nobody changes their own role; one's own password only through /me/password;
  the CLI (`kam user add|passwd`, run as the system) still works and keeps the password rules;
* password rules: common passwords (any case) and passwords containing the login are refused
  with 400 naming the field, on every way in; the demo password passes;
* a password change (own, or a reset) revokes the user's API tokens and ends their other
  sessions, audited;
* the throttle: wrong old passwords on /me/password are throttled like logins; failed logins
  back off per (login, client address) with growing delays (checked on servers with a pinned
  clock, KAM_NOW); an attacker elsewhere cannot lock the user out; the per-login limit for
  unknown addresses spares the addresses the user logged in from; 40 parallel attempts on two
  instances let exactly the allowed five through, and the refused ones run no argon2.

Failed attempts leave from addresses of their own (127.0.0.x, x >= 30, bound as the source
address): the main server's limit for 127.0.0.1 is shared by the whole suite.
"""

import http.client
import json
import os
import re
import statistics
import threading
import time

from lib import NOBODY, UNSAFE, Client, Resp, Server, run_cli


class AddrClient(Client):
    """A Client whose connections leave from src (an address of 127.0.0.0/8), optionally to
    another server than ctx.srv."""

    def __init__(self, ctx, label, src, srv=None):
        super().__init__(ctx, label)
        self.src = src
        self.srv = srv

    @property
    def port(self):
        return (self.srv or self.ctx.srv).port

    def request(self, method, path, body=NOBODY, *, query=None, headers=None, csrf=True, **kw):
        hdrs = {"Accept": "application/json", "Connection": "close"}
        if self.cookies:
            hdrs["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        if self.bearer:
            hdrs["Authorization"] = "Bearer " + self.bearer
        if method in UNSAFE and csrf and self.csrf:
            hdrs["X-CSRF-Token"] = self.csrf if csrf is True else csrf
        data = None
        if body is not NOBODY:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            hdrs["Content-Type"] = "application/json"
        elif method in ("POST", "PATCH", "PUT"):
            data = b""
        hdrs.update(headers or {})
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30, source_address=(self.src, 0))
        try:
            conn.request(method, path, body=data, headers=hdrs)
            resp = conn.getresponse()
            r = Resp(method, path, data, resp.status, resp.getheaders(), resp.read())
        except (OSError, http.client.HTTPException) as e:
            r = Resp(method, path, data, 0, [], b"", "%s: %s" % (type(e).__name__, e))
        finally:
            conn.close()
        self._absorb_cookies(r)
        self.ctx.ck.envelope(r)
        return r


_next_addr = [30]


def fresh_addr():
    """A loopback address nobody else in the suite sends from."""
    _next_addr[0] += 1
    return "127.0.0.%d" % _next_addr[0]


def retry_after(r):
    v = r.header("Retry-After")
    return int(v) if v and v.isdigit() else None


def pinned_server(ctx, now, name):
    srv = Server(ctx.kam, ctx.dsn, ctx.tmp, name=name, env_extra={"KAM_NOW": str(now)})
    if not ctx.ck.ok(srv.start(), "server %s with KAM_NOW=%d starts" % (name, now), srv.start_error or ""):
        print(srv.log_tail(), flush=True)
        srv.stop()
        return None
    return srv


def g_sec_auth(ctx):
    roles(ctx)
    cli(ctx)
    password_rules(ctx)
    change_ends_access(ctx)
    change_throttled(ctx)
    backoff_per_address(ctx)
    backoff_grows(ctx)
    known_addresses(ctx)
    parallel_attempts(ctx)


# ---------------------------------------------------------------- roles (item 1)

def roles(ctx):
    """Self-changes use users of their own, so that a wrongly allowed one (before the fix)
    changes no fixture user the later checks rely on."""
    ck = ctx.ck
    a = ctx.admin
    hr = ctx.U("hr")
    d = ctx.new_user("secdir", "director", login=False)
    hr2 = ctx.new_user("sechr", "hr")
    before = ctx.user_state(hr2.id)
    r = hr2.client.patch("/api/v1/users/%d" % hr2.id, {"role": "director"})
    ck.expect(r, 403, "hr makes itself director -> 403 field role", field="role", code="forbidden")
    ck.same(before, ctx.user_state(hr2.id), "hr's refused self-promotion changed nothing")

    before = ctx.user_state(d.id)
    r = hr.client.patch("/api/v1/users/%d" % d.id, {"password": "taken-over-by-hr-1"})
    ck.expect(r, 403, "hr resets a director's password -> 403 field role", field="role", code="forbidden")
    ck.same(before, ctx.user_state(d.id), "the refused reset changed nothing")
    c = AddrClient(ctx, "secdir", fresh_addr())
    ck.expect(c.login(d.login, d.password), 200, "the director still logs in with the old password")
    r = hr.client.patch("/api/v1/users/%d" % d.id, {"disabled": True})
    ck.expect(r, 403, "hr disables a director -> 403 field role", field="role", code="forbidden")
    ck.same(before, ctx.user_state(d.id), "the refused disable changed nothing")

    for role in ("director", "viewer"):
        login = ctx.uniq("sec")
        r = hr.client.post("/api/v1/users", {"login": login, "name": "x", "role": role, "password": "hr-made-pw-123"})
        ck.expect(r, 403, "hr creates a %s -> 403 field role" % role, field="role", code="forbidden")
        ck.same([], ctx.ids_of("/api/v1/users", {"q": login}), "the refused %s creation created nothing" % role)
    login = ctx.uniq("sec")
    r = hr.client.post("/api/v1/users", {"login": login, "name": "x", "role": "hr", "password": "hr-made-pw-123"})
    ck.expect(r, 201, "hr creates an hr user -> 201", json={"role": "hr"})

    adm2 = ctx.new_user("secadm", "admin")
    before = ctx.user_state(adm2.id)
    r = adm2.client.patch("/api/v1/users/%d" % adm2.id, {"password": "admin-own-reset-1"})
    ck.expect(r, 403, "an admin sets its own password without the old one -> 403 field password", field="password",
              code="forbidden")
    r = adm2.client.patch("/api/v1/users/%d" % adm2.id, {"role": "director"})
    ck.expect(r, 403, "an admin changes its own role -> 403 field role", field="role", code="forbidden")
    ck.same(before, ctx.user_state(adm2.id), "the admin's refused self-changes changed nothing")
    r = a.patch("/api/v1/users/%d" % d.id, {"password": "reset-by-admin-77"})
    ck.expect(r, 200, "an admin resets a director's password -> 200")
    d.password = "reset-by-admin-77"


def cli(ctx):
    """`kam user add|passwd` runs as the system: any role, but the password rules hold."""
    ck = ctx.ck
    login = ctx.uniq("clidir")
    rc, out, err = run_cli(ctx.kam, ["user", "add", "--db", ctx.dsn, "--login", login, "--role", "director"],
                           stdin_text="operator-set-pw-1\n")
    ck.ok(rc == 0, "kam user add --role director (the operator) exits 0", "rc=%s %s %s" % (rc, out[-200:], err[-200:]))
    rc, out, err = run_cli(ctx.kam, ["user", "passwd", "--db", ctx.dsn, "--login", login], stdin_text="operator-set-pw-2\n")
    ck.ok(rc == 0, "kam user passwd exits 0", "rc=%s %s %s" % (rc, out[-200:], err[-200:]))
    c = AddrClient(ctx, "clidir", fresh_addr())
    ck.expect(c.login(login, "operator-set-pw-2"), 200, "the CLI-made director logs in with the CLI-set password")
    other = ctx.uniq("clibad")
    for label, add_pw, passwd_pw in (("a common password", "QWERTYUIOP", "1q2w3e4r5t"),
                                     ("a password containing the login", "my-%s-pw" % other.upper(),
                                      "my-%s-pw" % login)):
        rc, out, err = run_cli(ctx.kam, ["user", "add", "--db", ctx.dsn, "--login", other, "--role", "viewer"],
                               stdin_text=add_pw + "\n")
        ck.ok(rc != 0 and "(password)" in err, "kam user add refuses %s" % label,
              "rc=%s %s %s" % (rc, out[-200:], err[-200:]))
        ck.same([], ctx.ids_of("/api/v1/users", {"q": other}), "the refused CLI user was not created")
        rc, out, err = run_cli(ctx.kam, ["user", "passwd", "--db", ctx.dsn, "--login", login],
                               stdin_text=passwd_pw + "\n")
        ck.ok(rc != 0 and "(password)" in err, "kam user passwd refuses %s" % label,
              "rc=%s %s %s" % (rc, out[-200:], err[-200:]))
    ck.expect(c.login(login, "operator-set-pw-2"), 200, "the refused passwd changed nothing")


# ---------------------------------------------------------------- password rules (item 2)

def password_rules(ctx):
    ck = ctx.ck
    a = ctx.admin
    for label, pw in (("common", "1234567890"), ("common, other case", "QwertyUIOP"), ("common", "Password123"),
                      ("common (Chinese list)", "woaini1314"), ("containing the login", None)):
        login = ctx.uniq("pwr")
        body = {"login": login, "name": "Rules", "role": "viewer", "password": pw or "my-%s-secret" % login.upper()}
        r = a.post("/api/v1/users", body)
        ck.expect(r, 400, "POST /users with a %s password -> 400 field password" % label, field="password",
                  code="invalid")
        ck.same([], ctx.ids_of("/api/v1/users", {"q": login}), "the refused user was not created")
    login = ctx.uniq("demo")
    r = a.post("/api/v1/users", {"login": login, "name": "Demo pw", "role": "viewer", "password": "kam-demo-2026"})
    ck.expect(r, 201, "the demo password kam-demo-2026 passes the rules")

    u = ctx.new_user("pwrule", "viewer")
    before = ctx.user_state(u.id)
    for pw in ("basketball", "my-%s-pw" % u.login):
        r = a.patch("/api/v1/users/%d" % u.id, {"password": pw})
        ck.expect(r, 400, "PATCH /users password %r -> 400 field password" % pw, field="password", code="invalid")
        r = u.client.post("/api/v1/me/password", {"old_password": u.password, "new_password": pw})
        ck.expect(r, 400, "POST /me/password new %r -> 400 field new_password" % pw, field="new_password",
                  code="invalid")
    ck.same(before, ctx.user_state(u.id), "the refused passwords changed nothing")
    ck.expect(ctx.client().login(u.login, u.password), 200, "the old password still works")


# ---------------------------------------------------------------- tokens and sessions end

def change_ends_access(ctx):
    ck = ctx.ck
    u = ctx.new_user("pwend", "account_manager")
    c2 = ctx.client("pwend-2")
    ck.expect(c2.login(u.login, u.password), 200, "a second session")
    r = u.client.post("/api/v1/tokens", {"name": "sync"})
    if not ck.expect(r, 201, "an API token"):
        return
    b = ctx.client("pwend-bearer")
    b.bearer = r.json["token"]
    ck.expect(b.get("/api/v1/me"), 200, "the token works")
    new = "after-change-%s" % ctx.tag
    r = u.client.post("/api/v1/me/password", {"old_password": u.password, "new_password": new})
    if not ck.expect(r, 204, "POST /me/password -> 204"):
        return
    u.password = new
    ck.expect(u.client.get("/api/v1/me"), 200, "the session that changed the password stays")
    ck.expect(c2.get("/api/v1/me"), 401, "the other session ended", code="unauthenticated")
    ck.expect(b.get("/api/v1/me"), 401, "the API token was revoked", code="unauthenticated")
    r = u.client.get("/api/v1/tokens")
    ck.ok(r.status == 200 and all(it.get("revoked_at") for it in r.items or []),
          "the token list shows the token revoked", r.describe())
    rows = [x for x in ctx.audit_items("user", u.id) if isinstance(x, dict) and "password" in (x.get("changes") or {})]
    ck.ok(len(rows) == 1 and rows[0].get("user_id") == u.id
          and (rows[0].get("changes") or {}).get("tokens_revoked") == [0, 1]
          and (rows[0].get("changes") or {}).get("sessions_ended") == [0, 1],
          "the change is audited with the revoked token and the ended session", repr(rows)[:400])

    # a reset by an admin ends every session and token, the user's own included
    r = u.client.post("/api/v1/tokens", {"name": "sync-2"})
    b.bearer = r.json.get("token") if r.status == 201 else "x"
    r = ctx.admin.patch("/api/v1/users/%d" % u.id, {"password": "reset-by-admin-%s" % ctx.tag})
    ck.expect(r, 200, "an admin resets the password")
    u.password = "reset-by-admin-%s" % ctx.tag
    ck.expect(u.client.get("/api/v1/me"), 401, "after a reset the user's own session ended", code="unauthenticated")
    ck.expect(b.get("/api/v1/me"), 401, "after a reset the new token was revoked too", code="unauthenticated")
    r = u.client.login(u.login, u.password)
    ck.expect(r, 200, "the user logs in with the reset password")


# ---------------------------------------------------------------- throttling

def change_throttled(ctx):
    ck = ctx.ck
    u = ctx.new_user("pwthr", "viewer", login=False)
    c = AddrClient(ctx, "pwthr", fresh_addr())
    if not ck.expect(c.login(u.login, u.password), 200, "login from its own address"):
        return
    for i in range(5):
        r = c.post("/api/v1/me/password", {"old_password": "guess-%d-password" % i, "new_password": "new-one-%s" % ctx.tag})
        ck.expect(r, 400, "wrong old password %d/5 -> 400 field old_password" % (i + 1), field="old_password",
                  code="invalid")
    before = ctx.user_state(u.id)
    r = c.post("/api/v1/me/password", {"old_password": u.password, "new_password": "new-one-%s" % ctx.tag})
    ck.expect(r, 429, "6th attempt, even with the right old password -> 429 field old_password",
              field="old_password", code="rate_limited")
    # the real clock may tick between the 5th attempt and this one: 60 or 59 seconds
    ck.ok(retry_after(r) in (59, 60), "it says Retry-After: 60 (59 a second later)", repr(r.headers))
    ck.same(before, ctx.user_state(u.id), "the throttled change changed nothing")
    ck.expect(c.get("/api/v1/me"), 200, "the session itself still works")
    ck.expect(AddrClient(ctx, "pwthr-b", fresh_addr()).login(u.login, u.password), 200,
              "the password is unchanged (log in from elsewhere)")


def backoff_per_address(ctx):
    """Five wrong passwords from one address do not lock the user out elsewhere."""
    ck = ctx.ck
    u = ctx.new_user("victim", "viewer", login=False)
    attacker = AddrClient(ctx, "attacker", fresh_addr())
    for i in range(5):
        ck.expect(attacker.login(u.login, "wrong-%d-password" % i), 401, "attacker's failure %d/5 -> 401" % (i + 1),
                  code="unauthenticated")
    r = attacker.login(u.login, u.password)
    ck.expect(r, 429, "the attacker's address is refused, even the right password -> 429 field login",
              field="login", code="rate_limited")
    ck.ok(retry_after(r) in (59, 60), "Retry-After: 60 after the 5th failure (59 a second later)", repr(r.headers))
    ck.ok(attacker.cookies.get("kam_session") is None, "no session for the refused attempt", repr(attacker.cookies))
    user = AddrClient(ctx, "victim", fresh_addr())
    ck.expect(user.login(u.login, u.password), 200, "the user from another address still logs in")


def backoff_grows(ctx):
    """1, 2, 4 ... minutes: servers on the same database with the clock pinned (KAM_NOW)."""
    ck = ctx.ck
    u = ctx.new_user("backoff", "viewer", login=False)
    src = fresh_addr()
    t0 = int(time.time())
    steps = [  # (clock offset, password, expected status, expected Retry-After)
        (0, "wrong-1-password", 401, None), (0, "wrong-2-password", 401, None), (0, "wrong-3-password", 401, None),
        (0, "wrong-4-password", 401, None), (0, "wrong-5-password", 401, None), (0, u.password, 429, 60),
        (59, u.password, 429, 1),
        (60, "wrong-6-password", 401, None), (60, u.password, 429, 120),
        (179, u.password, 429, 1),
        (180, "wrong-7-password", 401, None), (180, u.password, 429, 240),
        (420, u.password, 200, None),  # the delay has passed: the right password gets in
    ]
    srv = None
    at = None
    try:
        for off, pw, want, ra in steps:
            if off != at:
                if srv:
                    srv.stop()
                srv = pinned_server(ctx, t0 + off, "kam-backoff")
                if srv is None:
                    return
                at = off
            c = AddrClient(ctx, "backoff", src, srv=srv)
            r = c.login(u.login, pw)
            name = "at +%ds: %s -> %d" % (off, "right password" if pw == u.password else pw, want)
            if want == 200:
                ck.expect(r, 200, name)
            else:
                ck.expect(r, want, name, code="unauthenticated" if want == 401 else "rate_limited")
            if ra is not None:
                ck.ok(retry_after(r) == ra, name + ": Retry-After %d" % ra, repr(r.headers))
    finally:
        if srv:
            ck.ok(srv.stop() == 0, "the pinned-clock server exits 0")


def known_addresses(ctx):
    """Guessing one login from many addresses hits the per-login limit (50 per 15 minutes) for
    addresses the user has not logged in from, not for the user's own."""
    ck = ctx.ck
    u = ctx.new_user("distrib", "viewer", login=False)
    office = AddrClient(ctx, "office", fresh_addr())
    ck.expect(office.login(u.login, u.password), 200, "the user logs in from the office")
    bots = [fresh_addr() for _ in range(10)]
    results = []

    def bot(addr):
        c = AddrClient(ctx, "bot", addr)
        for i in range(5):
            results.append(c.login(u.login, "bot-guess-%d-pw" % i).status)

    threads = [threading.Thread(target=bot, args=(b,)) for b in bots]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ck.ok(sorted(results) == [401] * 50, "50 guesses from 10 addresses are each answered 401",
          "statuses %s" % sorted(results))
    r = AddrClient(ctx, "new-place", fresh_addr()).login(u.login, u.password)
    ck.expect(r, 429, "then a new address is refused for that login -> 429", code="rate_limited")
    ck.expect(office.login(u.login, u.password), 200, "the office address still logs in")


def _log_times(path, offset, status):
    """µs of the POST /api/v1/session lines with status in a server log from byte offset on."""
    try:
        with open(path, "rb") as f:
            f.seek(offset)
            text = f.read().decode("utf-8", "replace")
    except OSError:
        return []
    return [int(m.group(1)) for m in re.finditer(r"POST /api/v1/session %d (\d+)us" % status, text)]


def _size(path):
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def parallel_attempts(ctx):
    """40 wrong passwords at once through two instances on one database: exactly 5 are checked
    (401), 35 refused (429) without an argon2 run (they answer far faster)."""
    ck = ctx.ck
    second = Server(ctx.kam, ctx.dsn, ctx.tmp, name="kam-second")
    if not ck.ok(second.start(), "a second instance on the same database starts", second.start_error or ""):
        second.stop()
        return
    try:
        for what in ("login", "password change"):
            u = ctx.new_user("race", "viewer", login=False)
            src = fresh_addr()
            sessions = {}
            if what == "password change":
                for s in (None, second):
                    c = AddrClient(ctx, "race", src, srv=s)
                    if not ck.expect(c.login(u.login, u.password), 200, "race: log in"):
                        return
                    sessions[s] = c
            offs = {p: _size(p) for p in (ctx.srv.log_path, second.log_path)}
            statuses = []
            barrier = threading.Barrier(40)

            def attempt(i):
                s = second if i % 2 else None
                if what == "login":
                    c = AddrClient(ctx, "race", src, srv=s)
                    barrier.wait()
                    statuses.append(c.login(u.login, "race-%d-password" % i).status)
                else:
                    c = sessions[s]
                    barrier.wait()
                    statuses.append(c.post("/api/v1/me/password", {"old_password": "race-%d-password" % i,
                                                                   "new_password": "race-new-%s" % ctx.tag}).status)

            threads = [threading.Thread(target=attempt, args=(i,)) for i in range(40)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            wrong = 401 if what == "login" else 400
            ck.ok(statuses.count(wrong) == 5 and statuses.count(429) == 35,
                  "40 parallel wrong %ss on two instances: exactly 5 checked (%d), 35 refused (429)" % (what, wrong),
                  "got %s" % {s: statuses.count(s) for s in set(statuses)})
            if what == "login":
                slow = _log_times(ctx.srv.log_path, offs[ctx.srv.log_path], 401) + \
                    _log_times(second.log_path, offs[second.log_path], 401)
                fast = _log_times(ctx.srv.log_path, offs[ctx.srv.log_path], 429) + \
                    _log_times(second.log_path, offs[second.log_path], 429)
                ck.ok(slow and fast and statistics.median(fast) * 3 < statistics.median(slow),
                      "refused attempts run no argon2: median 429 time is under a third of a 401's",
                      "401 µs %s, 429 µs %s" % (sorted(slow), sorted(fast)[:10]))
    finally:
        ck.ok(second.stop() == 0, "the second instance exits 0")
