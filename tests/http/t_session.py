"""Sessions (cookie flags, CSRF, logout, expiry), bearer tokens, failed
logins and rate limiting."""

import calendar
import time

from lib import Server, is_time, is_nonempty_str, is_id, ABSENT
from fixtures import USER_SHAPE


def _epoch(iso):
    return calendar.timegm(time.strptime(iso, "%Y-%m-%dT%H:%M:%SZ"))


def _cookie_attrs(set_cookie_values, name="kam_session"):
    for sc in set_cookie_values:
        parts = [p.strip() for p in sc.split(";")]
        if parts and parts[0].startswith(name + "="):
            attrs = {}
            for p in parts[1:]:
                k, _, v = p.partition("=")
                attrs[k.strip().lower()] = v.strip()
            return parts[0].split("=", 1)[1], attrs
    return None, None


def _no_secrets(ck, name, user):
    if not isinstance(user, dict):
        return
    bad = [k for k in user if "pass" in k.lower() or "hash" in k.lower() or "salt" in k.lower()]
    ck.ok(not bad, name + ": user object carries no password material", "keys %s" % bad)


def g_session(ctx):
    ck = ctx.ck
    u = ctx.U("viewer_x")
    c = ctx.client("sess")
    t0 = time.time()
    r = c.login(u.login, u.password)
    ck.expect(r, 200, "POST /api/v1/session -> 200",
              json={"csrf_token": is_nonempty_str, "expires_at": is_time,
                    "user": dict(USER_SHAPE, id=u.id, login=u.login, role="viewer", disabled=False)})
    if r.status != 200:
        return
    _no_secrets(ck, "login response", r.json.get("user"))
    val, attrs = _cookie_attrs(r.all_headers("Set-Cookie"))
    if ck.ok(val is not None, "login sets cookie kam_session", "Set-Cookie: %s" % r.all_headers("Set-Cookie")):
        ck.ok(len(val) >= 16, "kam_session value is long enough to be unguessable", "value %r" % val)
        ck.ok("httponly" in attrs, "kam_session cookie is HttpOnly", "attrs %s" % attrs)
        ck.ok(attrs.get("samesite", "").lower() == "strict", "kam_session cookie is SameSite=Strict", "attrs %s" % attrs)
        ck.ok(attrs.get("path") == "/", "kam_session cookie has Path=/", "attrs %s" % attrs)
        ck.ok("secure" not in attrs, "kam_session cookie not Secure over plain HTTP", "attrs %s" % attrs)
    exp = r.json.get("expires_at")
    if is_time(exp):
        delta = _epoch(exp) - t0
        ck.ok(abs(delta - 28800) < 300, "expires_at is about now + 28800 s (default TTL)", "expires_at %s is now%+.0f s" % (exp, delta))
    csrf = r.json["csrf_token"]

    r = c.get("/api/v1/session")
    ck.expect(r, 200, "GET /api/v1/session returns the CSRF token and user",
              json={"csrf_token": csrf, "user": {"id": u.id, "login": u.login}, "expires_at": is_time})
    r = c.get("/api/v1/me")
    ck.expect(r, 200, "GET /api/v1/me with the session cookie", json=dict(USER_SHAPE, id=u.id, login=u.login))

    # CSRF: unsafe without / with a wrong token -> 403 field X-CSRF-Token, nothing changed
    tok_before = ctx.ids_of("/api/v1/tokens", client=c)
    r = c.post("/api/v1/tokens", {"name": "csrf-less"}, csrf=False)
    ck.expect(r, 403, "POST without X-CSRF-Token -> 403", field="X-CSRF-Token", code="forbidden")
    r = c.post("/api/v1/tokens", {"name": "csrf-wrong"}, csrf="0" * max(8, len(csrf)))
    ck.expect(r, 403, "POST with a wrong X-CSRF-Token -> 403", field="X-CSRF-Token", code="forbidden")
    other = ctx.U("am_e").client
    r = c.post("/api/v1/tokens", {"name": "csrf-other"}, csrf=other.csrf or "x")
    ck.expect(r, 403, "POST with another session's CSRF token -> 403", field="X-CSRF-Token", code="forbidden")
    ck.same(tok_before, ctx.ids_of("/api/v1/tokens", client=c), "no token created by CSRF-less requests")

    acc = ctx.ids["A_own"]
    am = ctx.U("am_e").client
    before = ctx.acct_state(acc)
    r = am.patch("/api/v1/accounts/%d" % acc, {"alias": "csrf attack"}, csrf=False)
    ck.expect(r, 403, "PATCH account without X-CSRF-Token -> 403", field="X-CSRF-Token", code="forbidden")
    r = am.delete("/api/v1/contacts/%d" % ctx.ids["C_own"], csrf="")
    ck.expect(r, 403, "DELETE contact with empty X-CSRF-Token -> 403", field="X-CSRF-Token", code="forbidden")
    r = am.patch("/api/v1/accounts/%d" % acc, {"alias": "csrf attack"}, csrf=csrf)
    ck.expect(r, 403, "PATCH account with another session's CSRF token -> 403", field="X-CSRF-Token")
    ck.same(before, ctx.acct_state(acc), "account, contacts, members, audit unchanged after CSRF failures")

    r = c.delete("/api/v1/session", csrf=False)
    ck.expect(r, 403, "DELETE /api/v1/session without X-CSRF-Token -> 403", field="X-CSRF-Token")
    r = c.get("/api/v1/me")
    ck.expect(r, 200, "session still valid after refused logout")

    # Secure behind a TLS proxy
    c2 = ctx.client("sess-tls")
    r = c2.login(u.login, u.password, headers={"X-Forwarded-Proto": "https"})
    if ck.expect(r, 200, "login with X-Forwarded-Proto: https"):
        _, attrs2 = _cookie_attrs(r.all_headers("Set-Cookie"))
        ck.ok(attrs2 is not None and "secure" in attrs2, "cookie is Secure with X-Forwarded-Proto: https",
              "Set-Cookie: %s" % r.all_headers("Set-Cookie"))
        r = c2.delete("/api/v1/session")
        ck.expect(r, 204, "DELETE /api/v1/session (tls session) -> 204")

    # logout
    cookie = dict(c.cookies)
    r = c.delete("/api/v1/session")
    ck.expect(r, 204, "DELETE /api/v1/session -> 204")
    ck.ok(r.body == b"", "204 has an empty body", repr(r.body[:100]))
    old = ctx.client("old-cookie")
    old.cookies = cookie
    old.csrf = csrf
    r = old.get("/api/v1/me")
    ck.expect(r, 401, "old session cookie after logout -> 401", code="unauthenticated")
    r = old.get("/api/v1/session")
    ck.expect(r, 401, "GET /api/v1/session after logout -> 401", code="unauthenticated")
    r = old.post("/api/v1/tokens", {"name": "after-logout"})
    ck.expect(r, 401, "POST with old cookie + its CSRF after logout -> 401", code="unauthenticated")


def g_tokens(ctx):
    ck = ctx.ck
    am = ctx.U("am_e")
    c = am.client
    name = "ci-" + ctx.tag
    r = c.post("/api/v1/tokens", {"name": name})
    if not ck.expect(r, 201, "POST /api/v1/tokens -> 201 with secret",
                     json={"id": is_id, "name": name, "token": is_nonempty_str, "created_at": is_time}):
        return
    tid, secret = r.json["id"], r.json["token"]
    ck.ok(len(secret) >= 20, "token secret is long", "len %d" % len(secret))

    b = ctx.client("bearer")
    b.bearer = secret
    r = b.get("/api/v1/me")
    ck.expect(r, 200, "bearer token authenticates GET /api/v1/me", json={"id": am.id, "login": am.login})
    r = b.post("/api/v1/accounts/%d/contacts" % ctx.ids["A_own"], {"name": "Bearer 联系人"})
    ok = ck.expect(r, 201, "bearer token: unsafe POST without CSRF header -> 201", json={"name": "Bearer 联系人"})
    if ok:
        r = b.delete("/api/v1/contacts/%d" % r.json["id"])
        ck.expect(r, 204, "bearer token: DELETE without CSRF header -> 204")

    r = c.get("/api/v1/tokens")
    if ck.expect(r, 200, "GET /api/v1/tokens -> 200", json={"items": list}):
        mine = [it for it in r.items if it.get("id") == tid]
        ck.ok(len(mine) == 1, "token list contains the new token", r.describe())
        if mine:
            ck.ok(not mine[0].get("token"), "token list item has no secret", repr(mine[0]))
            ck.ok(mine[0].get("name") == name and is_time(mine[0].get("created_at")) and mine[0].get("revoked_at") is None,
                  "token list item has name, created_at, revoked_at null", repr(mine[0]))
        ck.ok(secret not in r.body.decode("utf-8", "replace"), "secret appears nowhere in GET /api/v1/tokens", "")

    # someone else's token
    v = ctx.U("viewer_e")
    r = v.client.post("/api/v1/tokens", {"name": "viewer-" + ctx.tag})
    if ck.expect(r, 201, "viewer creates own token"):
        vid, vsecret = r.json["id"], r.json["token"]
        r = c.delete("/api/v1/tokens/%d" % vid)
        ck.expect(r, 404, "DELETE another user's token -> 404", code="not_found")
        vb = ctx.client("vbearer")
        vb.bearer = vsecret
        r = vb.get("/api/v1/me")
        ck.expect(r, 200, "the other user's token still works", json={"id": v.id})
        ids = [it.get("id") for it in (c.get("/api/v1/tokens").items or [])]
        ck.ok(vid not in ids, "GET /api/v1/tokens lists only own tokens", "ids %s contain %s" % (ids, vid))
        v.client.delete("/api/v1/tokens/%d" % vid)

    r = c.delete("/api/v1/tokens/999999999")
    ck.expect(r, 404, "DELETE unknown token id -> 404", code="not_found")

    r = c.delete("/api/v1/tokens/%d" % tid)
    ck.expect(r, 204, "DELETE own token -> 204")
    r = b.get("/api/v1/me")
    ck.expect(r, 401, "revoked token -> 401", code="unauthenticated")
    r = b.post("/api/v1/accounts/%d/contacts" % ctx.ids["A_own"], {"name": "after revoke"})
    ck.expect(r, 401, "revoked token on unsafe request -> 401", code="unauthenticated")
    r = c.get("/api/v1/tokens")
    if r.status == 200 and r.items is not None:
        mine = [it for it in r.items if it.get("id") == tid]
        ck.ok(not mine or is_time(mine[0].get("revoked_at")), "revoked token is gone or has revoked_at", repr(mine))

    b2 = ctx.client("bearer-case")
    b2.bearer = secret.upper() if secret.upper() != secret else secret.lower()
    if b2.bearer != secret:
        r = b2.get("/api/v1/me")
        ck.expect(r, 401, "token with altered case -> 401")


def g_failed_logins(ctx):
    """Run last on the main server: counts toward the per-address limit
    (kept well below 20 in the whole suite)."""
    ck = ctx.ck
    c = ctx.client("bad-login")
    fin = ctx.U("fin")
    r = c.login(fin.login, fin.password + "x")
    ck.expect(r, 401, "wrong password -> 401", code="unauthenticated")
    ck.ok(not r.all_headers("Set-Cookie") or all("kam_session=;" in s.replace(" ", "") or "max-age=0" in s.lower()
                                                 for s in r.all_headers("Set-Cookie")),
          "failed login sets no session cookie", repr(r.all_headers("Set-Cookie")))
    msg1 = r.json and r.err and r.err.get("message")
    r = c.login("nosuchuser_" + ctx.tag, "whatever-password")
    ck.expect(r, 401, "unknown login -> 401", code="unauthenticated")
    msg2 = r.json and r.err and r.err.get("message")
    ck.ok(msg1 == msg2, "unknown login and wrong password answer alike (no user enumeration)",
          "%r vs %r" % (msg1, msg2))

    off = ctx.U("off")
    r = ctx.admin.patch("/api/v1/users/%d" % off.id, {"disabled": True})
    ck.expect(r, 200, "admin disables a user", json={"disabled": True})
    r = c.login(off.login, off.password)
    ck.expect(r, 401, "disabled user cannot log in -> 401", code="unauthenticated")

    rl = ctx.U("rl")
    for i in range(1, 6):
        r = c.login(rl.login, "wrong-password-%d" % i)
        ck.expect(r, 401, "failed login %d/5 for one login -> 401" % i, code="unauthenticated")
    r = c.login(rl.login, "wrong-password-6")
    ck.expect(r, 429, "6th failed login for one login -> 429", code="rate_limited")
    r = c.login(rl.login, rl.password)
    ck.expect(r, 429, "right password refused while rate limited -> 429", code="rate_limited")
    ck.ok(c.cookies.get("kam_session") is None, "no session cookie while rate limited", repr(c.cookies))
    c2 = ctx.client("other-user")
    r = c2.login(fin.login, fin.password)
    ck.expect(r, 200, "another login from the same address still works")


def g_expiry(ctx):
    """Servers on the same database with KAM_SESSION_TTL=2 and the clock pinned (KAM_NOW): a
    session made at T is valid at T+1 and gone at T+2 (expires_at must lie ahead), without
    sleeping on the real clock."""
    ck = ctx.ck
    t0 = int(time.time())
    main = ctx.srv
    srv = None

    def at(offset):
        nonlocal srv
        if srv is not None:
            rc = srv.stop()
            ck.ok(rc == 0, "TTL=2 server exits 0 on SIGTERM", "exit status %s" % rc)
        srv = Server(ctx.kam, ctx.dsn, ctx.tmp, name="kam-ttl2",
                     env_extra={"KAM_SESSION_TTL": "2", "KAM_NOW": str(t0 + offset)})
        if not ck.ok(srv.start(), "server with KAM_SESSION_TTL=2, KAM_NOW=T+%d starts" % offset,
                     srv.start_error or ""):
            print(srv.log_tail(), flush=True)
            return False
        ctx.srv = srv
        return True

    try:
        if not at(0):
            return
        u = ctx.U("viewer_e")
        c = ctx.client("ttl")
        r = c.login(u.login, u.password)
        if not ck.expect(r, 200, "login on the TTL=2 server", json={"expires_at": is_time}):
            return
        ck.ok(_epoch(r.json["expires_at"]) == t0 + 2, "expires_at is exactly the pinned now + 2 s",
              "expires_at %s, now %d" % (r.json["expires_at"], t0))
        ck.expect(c.get("/api/v1/me"), 200, "session valid right after login")
        if not at(1):
            return
        ck.expect(c.get("/api/v1/me"), 200, "session still valid 1 s later")
        if not at(2):
            return
        r = c.get("/api/v1/me")
        ck.expect(r, 401, "session expired 2 s later -> 401", code="unauthenticated")
        r = c.get("/api/v1/session")
        ck.expect(r, 401, "GET /api/v1/session on expired session -> 401", code="unauthenticated")
        r = c.post("/api/v1/tokens", {"name": "expired"})
        ck.expect(r, 401, "unsafe request on expired session -> 401", code="unauthenticated")
    finally:
        ctx.srv = main
        if srv is not None:
            rc = srv.stop()
            ck.ok(rc == 0, "TTL=2 server exits 0 on SIGTERM", "exit status %s" % rc)
