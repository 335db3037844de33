"""Health, unauthenticated access, and openapi.json (route existence)."""

import os
import re

from lib import is_str

HTTP_METHODS = ("get", "post", "patch", "put", "delete", "head", "options")

# Routes named in docs/API.md (also parsed at run time when the file exists).
API_MD_ROUTES = [
    ("GET", "/healthz"),
    ("GET", "/api/v1/openapi.json"),
    ("POST", "/api/v1/session"), ("GET", "/api/v1/session"), ("DELETE", "/api/v1/session"),
    ("GET", "/api/v1/me"), ("POST", "/api/v1/me/password"),
    ("GET", "/api/v1/users"), ("POST", "/api/v1/users"),
    ("GET", "/api/v1/users/{id}"), ("PATCH", "/api/v1/users/{id}"),
    ("GET", "/api/v1/teams"), ("POST", "/api/v1/teams"),
    ("GET", "/api/v1/teams/{id}"), ("PATCH", "/api/v1/teams/{id}"),
    ("GET", "/api/v1/tokens"), ("POST", "/api/v1/tokens"), ("DELETE", "/api/v1/tokens/{id}"),
    ("GET", "/api/v1/accounts"), ("POST", "/api/v1/accounts"),
    ("GET", "/api/v1/accounts/{id}"), ("PATCH", "/api/v1/accounts/{id}"), ("DELETE", "/api/v1/accounts/{id}"),
    ("GET", "/api/v1/accounts/{id}/subsidiaries"),
    ("GET", "/api/v1/accounts/{id}/members"), ("POST", "/api/v1/accounts/{id}/members"),
    ("DELETE", "/api/v1/accounts/{id}/members/{user_id}"),
    ("GET", "/api/v1/accounts/{id}/contacts"), ("POST", "/api/v1/accounts/{id}/contacts"),
    ("GET", "/api/v1/contacts/{id}"), ("PATCH", "/api/v1/contacts/{id}"), ("DELETE", "/api/v1/contacts/{id}"),
    ("GET", "/api/v1/audit"),
    # Relationships (issue 5)
    ("GET", "/api/v1/accounts/{id}/interactions"), ("POST", "/api/v1/accounts/{id}/interactions"),
    ("GET", "/api/v1/interactions/{id}"), ("PATCH", "/api/v1/interactions/{id}"),
    ("DELETE", "/api/v1/interactions/{id}"),
    ("GET", "/api/v1/settings/freshness"), ("PATCH", "/api/v1/settings/freshness"),
    ("GET", "/api/v1/stale-contacts"),
    ("GET", "/api/v1/cadences"), ("POST", "/api/v1/cadences"),
    ("PATCH", "/api/v1/cadences/{id}"), ("DELETE", "/api/v1/cadences/{id}"),
    ("GET", "/api/v1/visits"), ("POST", "/api/v1/accounts/{id}/visits"),
    ("GET", "/api/v1/visits/{id}"), ("PATCH", "/api/v1/visits/{id}"), ("POST", "/api/v1/visits/{id}/complete"),
    ("POST", "/api/v1/calendar-token"), ("DELETE", "/api/v1/calendar-token"), ("GET", "/calendar/{file}"),
    ("GET", "/api/v1/sla-rules"), ("PATCH", "/api/v1/sla-rules/{id}"),
    ("GET", "/api/v1/issues"), ("POST", "/api/v1/accounts/{id}/issues"), ("GET", "/api/v1/issues/stats"),
    ("GET", "/api/v1/issues/{id}"), ("PATCH", "/api/v1/issues/{id}"), ("DELETE", "/api/v1/issues/{id}"),
    ("POST", "/api/v1/issues/{id}/transition"),
    ("GET", "/api/v1/notifications"), ("POST", "/api/v1/notifications/{id}/read"),
    ("POST", "/api/v1/notifications/read-all"),
    # Care (F2.4)
    ("GET", "/api/v1/care-occasions"), ("POST", "/api/v1/care-occasions"),
    ("PATCH", "/api/v1/care-occasions/{id}"), ("DELETE", "/api/v1/care-occasions/{id}"),
    ("GET", "/api/v1/message-templates"), ("POST", "/api/v1/message-templates"),
    ("PATCH", "/api/v1/message-templates/{id}"), ("DELETE", "/api/v1/message-templates/{id}"),
    ("GET", "/api/v1/care"), ("GET", "/api/v1/care/{id}"), ("POST", "/api/v1/care/{id}/send"),
    ("POST", "/api/v1/care/{id}/done"), ("POST", "/api/v1/care/{id}/skip"),
    # Prospects and valuation (F2.1, F1.2); PATCH /api/v1/me
    ("POST", "/api/v1/accounts/{id}/screening"), ("GET", "/api/v1/scoring-criteria"),
    ("PATCH", "/api/v1/scoring-criteria/{id}"), ("GET", "/api/v1/accounts/{id}/valuation"),
    ("PATCH", "/api/v1/accounts/{id}/valuation"), ("GET", "/api/v1/settings/tier-thresholds"),
    ("PATCH", "/api/v1/settings/tier-thresholds"), ("POST", "/api/v1/valuation/preview"),
    ("PATCH", "/api/v1/me"),
]

# x-kam-scope values: which record the path id names (audit: named in the query)
SCOPES = ("none", "account", "contact", "audit", "interaction", "visit", "issue", "care", "order", "measure",
          "need", "interview", "survey_link", "response", "follow_up")

PUBLIC = {("GET", "/healthz"), ("GET", "/api/v1/openapi.json"), ("POST", "/api/v1/session"),
          ("GET", "/calendar/{}"), ("POST", "/api/v1/public/survey"), ("POST", "/api/v1/public/survey/answer")}


def norm(path):
    # a parameter is a whole segment: /calendar/{token}.ics in the prose is /calendar/{file}
    return re.sub(r"\{[^}]*\}[^/]*", "{}", path)


def parse_api_md(path):
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError:
        return []
    out = []
    # a code span may wrap: "`POST\n  /api/v1/prospects/{id}/screening`" names one route
    for m in re.finditer(r"`((?:GET|POST|PATCH|PUT|DELETE)(?:\|(?:GET|POST|PATCH|PUT|DELETE))*)\s+(/[^`?\s]*)", text):
        # a segment may list alternatives: /imports/orders|products|accounts
        paths = [""]
        for seg in m.group(2).split("/")[1:]:
            paths = [p + "/" + alt for p in paths for alt in seg.split("|")]
        for meth in m.group(1).split("|"):
            for path_ in paths:
                out.append((meth, path_))
    return out


def openapi_ops(doc):
    """[(METHOD, full_path, operation_object)]"""
    base = ""
    servers = doc.get("servers") if isinstance(doc, dict) else None
    if isinstance(servers, list) and servers and isinstance(servers[0], dict):
        url = servers[0].get("url") or ""
        m = re.match(r"^(?:https?://[^/]+)?(/.*)?$", url)
        base = ((m.group(1) if m else "") or "").rstrip("/")
    ops = []
    paths = doc.get("paths") if isinstance(doc, dict) else None
    for p, item in (paths or {}).items():
        full = p if (p.startswith("/api/") or p == "/healthz" or not base) else base + p
        if not isinstance(item, dict):
            continue
        for meth, op in item.items():
            if meth.lower() in HTTP_METHODS and isinstance(op, dict):
                ops.append((meth.upper(), full, op))
    return ops


def fill(path, value="999999999"):
    return re.sub(r"\{[^}]*\}", value, path)


def g_health(ctx):
    ck = ctx.ck
    c = ctx.client()
    r = c.get("/healthz")
    ck.expect(r, 200, "GET /healthz without auth", json={"status": "ok"})
    r = c.get("/api/v1/openapi.json")
    ck.expect(r, 200, "GET /api/v1/openapi.json without auth", json={"openapi": lambda v: isinstance(v, str) and v.startswith("3.1"), "paths": dict})
    r = c.get("/api/v1/me")
    ck.expect(r, 401, "GET /api/v1/me without auth -> 401", code="unauthenticated")
    r = c.get("/api/v1/accounts")
    ck.expect(r, 401, "GET /api/v1/accounts without auth -> 401", code="unauthenticated")
    r = c.post("/api/v1/accounts", {"code": "NOAUTH", "name": "x"})
    ck.expect(r, 401, "POST /api/v1/accounts without auth -> 401", code="unauthenticated")
    c2 = ctx.client()
    c2.cookies["kam_session"] = "not-a-real-session-0123456789abcdef"
    r = c2.get("/api/v1/me")
    ck.expect(r, 401, "GET /api/v1/me with a forged kam_session cookie -> 401", code="unauthenticated")
    c3 = ctx.client()
    c3.bearer = "kam_bogus_token_0123456789abcdef"
    r = c3.get("/api/v1/me")
    ck.expect(r, 401, "GET /api/v1/me with a bogus bearer token -> 401", code="unauthenticated")
    r = c.get("/api/v1/me", headers={"Authorization": "Basic YWRtaW46YWRtaW4="})
    ck.expect(r, 401, "GET /api/v1/me with Basic auth -> 401", code="unauthenticated")


def g_openapi(ctx):
    ck = ctx.ck
    r = ctx.client().get("/api/v1/openapi.json")
    if not ck.expect(r, 200, "openapi.json is served", json={"paths": dict}):
        return
    doc = r.json
    ctx.openapi = doc
    ops = openapi_ops(doc)
    ck.ok(len(ops) > 0, "openapi.json lists operations")

    for meth, path, op in ops:
        miss = [k for k in ("x-kam-object", "x-kam-action", "x-kam-scope") if not is_str(op.get(k))]
        ck.ok(not miss, "openapi %s %s carries x-kam-object/action/scope" % (meth, path), "missing %s" % miss)
        sc = op.get("x-kam-scope")
        ck.ok(sc in SCOPES, "openapi %s %s x-kam-scope is %s" % (meth, path, "|".join(SCOPES)), "got %r" % sc)

    # docs/API.md and openapi.json name the same routes, both ways: a route the server has
    # but the manual does not name fails, like a documented route the server lacks.
    listed = {(m, norm(p)) for m, p, _ in ops}
    doc_routes = list(API_MD_ROUTES)
    have_md = bool(ctx.api_md) and os.path.exists(ctx.api_md)
    ck.ok(have_md, "docs/API.md is there to compare openapi.json with", "looked for %s" % ctx.api_md)
    if have_md:
        parsed = parse_api_md(ctx.api_md)
        ck.ok(len(parsed) >= 20, "docs/API.md parsed for routes", "found %d" % len(parsed))
        doc_routes += parsed
    for meth, path in sorted(set((m, norm(p)) for m, p in doc_routes)):
        ck.ok((meth, path) in listed, "route %s %s from API.md is in openapi.json" % (meth, path),
              "openapi.json lists: %s" % sorted(listed))

    if have_md:
        documented = {(m, norm(p)) for m, p in doc_routes}
        for meth, path in sorted(listed):
            ck.ok((meth, path) in documented,
                  "route %s %s from openapi.json is named in docs/API.md" % (meth, path),
                  "docs/API.md names no `%s %s` (a code span with the method and the path)" % (meth, path))

    # every listed operation exists: without auth it answers 401 (public: not 404/405)
    anon = ctx.client()
    for meth, path, op in ops:
        key = (meth, norm(path))
        url = fill(path)
        if key == ("POST", "/api/v1/session"):
            continue  # would count as a failed login attempt for this address
        body = {} if meth in ("POST", "PATCH", "PUT") else None
        r = anon.request(meth, url, body) if body is not None else anon.request(meth, url)
        if key == ("GET", "/calendar/{}"):
            # the token in the path is the credential: an unknown one is 404 field token
            ck.expect(r, 404, "%s %s exists (public; unknown token -> 404 field token)" % (meth, path),
                      field="token", code="not_found")
        elif key in PUBLIC:
            ck.ok(r.status not in (404, 405), "%s %s exists (public)" % (meth, path), r.describe())
        else:
            ck.expect(r, 401, "%s %s exists and needs auth (401 without it)" % (meth, path), code="unauthenticated")

    # every listed path exists: an unlisted method gives 405, not 404 (ids that do not exist)
    by_path = {}
    for meth, path, op in ops:
        by_path.setdefault(path, set()).add(meth)
    for path, meths in sorted(by_path.items()):
        other = next((m for m in ("PUT", "PATCH", "DELETE", "POST", "GET") if m not in meths), None)
        if other is None:
            continue
        body = {} if other in ("POST", "PATCH", "PUT") else None
        url = fill(path)
        r = ctx.admin.request(other, url, body) if body is not None else ctx.admin.request(other, url)
        ck.expect(r, 405, "%s %s (method not listed) -> 405, so the path exists" % (other, path),
                  code="method_not_allowed")

    r = ctx.admin.get("/api/v1/no-such-route-" + ctx.tag)
    ck.expect(r, 404, "unknown path -> 404 not_found", code="not_found")
    r = ctx.admin.get("/api/v1/accounts/%d/no-such-sub" % ctx.ids["A_own"])
    ck.expect(r, 404, "unknown sub-path of an account -> 404 not_found", code="not_found")
