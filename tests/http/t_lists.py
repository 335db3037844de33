"""Issue 12, lists that scale: the account list's count, the revenue sort converted to the base
currency, the tier sort, keyset paging under every sort, saved views (own only, caps) and the bulk
owner transfer (all or nothing, per-account policy, audited); the permission-matrix builders of
the new routes."""

import json

from lib import NOBODY
from t_matrix import route, Attempt

# Currencies of this module only (three letters, no other test sets them): rate = base per unit
# x 10^6. The unconverted order of the amounts below differs from the converted one.
RATES = {"LSU": 7000000, "LSE": 8000000, "LSJ": 50000}


def _mk(ctx, tag, n, tier, revenue, owner="am_e"):
    body = {"code": "%s-%d" % (tag, n), "name": "清单%s %d" % (tag, n), "tier": tier,
            "owner_id": ctx.U(owner).id}
    if revenue is not None:
        body["revenue"] = {"amount": revenue[0], "currency": revenue[1]}
    r = ctx.admin.post("/api/v1/accounts", body)
    ctx.ck.expect(r, 201, "lists: create account %d" % n)
    return r.json["id"] if r.status == 201 else None


def _world(ctx):
    """Six accounts of am_e under one search tag; returns (tag, {n: id})."""
    if getattr(ctx, "_lists_world", None):
        return ctx._lists_world
    for cur, rate in RATES.items():
        r = ctx.admin.put("/api/v1/fx-rates", {"currency": cur, "rate_micro": rate})
        ctx.ck.expect(r, 200, "lists: set rate %s" % cur)
    tag = "LST" + ctx.tag.upper()
    ids = {
        1: _mk(ctx, tag, 1, "maintain", (1000000, "LSJ")),  # 50,000 CNY
        2: _mk(ctx, tag, 2, "strategic", (10000, "LSU")),  # 70,000
        3: _mk(ctx, tag, 3, "growth", (9000, "LSE")),  # 72,000
        4: _mk(ctx, tag, 4, "key", (60000, "CNY")),  # 60,000
        5: _mk(ctx, tag, 5, "key", None),  # no revenue: -1
        6: _mk(ctx, tag, 6, "strategic", (500, "LSZ")),  # no rate: -1
    }
    ctx._lists_world = (tag, ids)
    return ctx._lists_world


def _walk(ctx, client, query, limit):
    items, pages, err = client.list_all("/api/v1/accounts", query, limit=limit)
    return [it["id"] for it in items], len(pages), err


def g_lists_accounts(ctx):
    ck = ctx.ck
    tag, ids = _world(ctx)
    if None in ids.values():
        return
    am = ctx.U("am_e").client
    q = {"q": tag}

    # count = the rows of all pages, for the same filters, per caller's scope
    for who, client in (("admin", ctx.admin), ("am_e", am)):
        for extra, want in (({}, 6), ({"tier": "key"}, 2), ({"tier": "strategic"}, 2), ({"status": "lost"}, 0)):
            qq = dict(q, **extra)
            r = client.get("/api/v1/accounts/count", qq)
            got, _, err = _walk(ctx, client, qq, 4)
            ck.ok(err is None and r.status == 200 and r.json == {"total": len(got)} and len(got) == want,
                  "count equals the rows over all pages (%s, %s)" % (who, extra),
                  "count %s %s, rows %d, want %d" % (r.status, r.json, len(got), want))
    r = ctx.U("am_w").client.get("/api/v1/accounts/count", q)
    ck.expect(r, 200, "count of another manager's accounts is 0 (scope)", json={"total": 0})
    r = am.get("/api/v1/accounts/count", {"tier": "gold"})
    ck.expect(r, 400, "count with a bad tier -> 400 naming tier", field="tier")
    r = am.get("/api/v1/accounts/count", {"sort": "name"})
    ck.expect(r, 400, "count takes no sort (unknown parameter)")

    # revenue sort: converted to the base currency, unknown (no revenue / no rate) first
    order = {
        "revenue": [ids[5], ids[6], ids[1], ids[4], ids[2], ids[3]],
        "-revenue": [ids[3], ids[2], ids[4], ids[1], ids[6], ids[5]],
        "tier": [ids[2], ids[6], ids[4], ids[5], ids[3], ids[1]],
        "-tier": [ids[1], ids[3], ids[5], ids[4], ids[6], ids[2]],
        "code": [ids[n] for n in range(1, 7)],
        "-code": [ids[n] for n in range(6, 0, -1)],
        "id": sorted(ids.values()),
        "-id": sorted(ids.values(), reverse=True),
    }
    unconverted = [ids[6], ids[3], ids[2], ids[4], ids[1]]
    ck.ok([i for i in order["revenue"] if i != ids[5]] != unconverted,
          "the fixture's unconverted order differs from the converted one")
    for sort, want in order.items():
        for limit in (1, 2, 4, 500):
            got, pages, err = _walk(ctx, am, dict(q, sort=sort), limit)
            ck.ok(err is None and got == want,
                  "sort=%s limit=%d: every row once, in order, over %d pages" % (sort, limit, pages),
                  "got %s want %s err %s" % (got, want, err and err.describe()))
    for sort in ("name", "-name", "updated_at", "-updated_at"):
        got, _, err = _walk(ctx, am, dict(q, sort=sort), 2)
        ck.ok(err is None and sorted(got) == sorted(ids.values()),
              "sort=%s limit=2: every row once" % sort, "got %s" % got)
    # a cursor is bound to its sort
    r = am.get("/api/v1/accounts", dict(q, sort="revenue", limit="2"))
    if ck.expect(r, 200, "revenue page 1"):
        nc = r.json["next_cursor"]
        r = am.get("/api/v1/accounts", dict(q, sort="tier", limit="2", cursor=nc))
        ck.expect(r, 400, "a revenue cursor on the tier sort -> 400 cursor", field="cursor")
        r = am.get("/api/v1/accounts", dict(q, sort="-revenue", limit="2", cursor=nc))
        ck.expect(r, 400, "a revenue cursor on -revenue -> 400 cursor", field="cursor")
    # the rate moves the order: LSJ at 80,000 puts account 1 last
    r = ctx.admin.put("/api/v1/fx-rates", {"currency": "LSJ", "rate_micro": 80000})
    ck.expect(r, 200, "lists: change rate LSJ")
    got, _, err = _walk(ctx, am, dict(q, sort="revenue"), 3)
    ck.ok(got == [ids[5], ids[6], ids[4], ids[2], ids[3], ids[1]],
          "revenue sort follows the current exchange rate", "got %s" % got)
    ctx.admin.put("/api/v1/fx-rates", {"currency": "LSJ", "rate_micro": RATES["LSJ"]})
    r = am.get("/api/v1/accounts", {"sort": "revenue_amount"})
    ck.expect(r, 400, "unknown sort -> 400 sort", field="sort")


def _owner(ctx, aid):
    r = ctx.admin.get("/api/v1/accounts/%d" % aid)
    return (r.json.get("owner_id"), r.json.get("version")) if r.status == 200 else None


def _owner_audits(ctx, aid):
    r = ctx.admin.get("/api/v1/audit", {"entity": "account", "id": str(aid), "limit": "500"})
    if r.status != 200:
        return None
    return [it["changes"]["owner_id"] for it in r.json["items"]
            if it.get("entity") == "account" and it.get("entity_id") == aid
            and isinstance(it.get("changes"), dict) and "owner_id" in it["changes"]
            and it.get("action") == "update"]


def g_lists_transfer(ctx):
    ck = ctx.ck
    tag = "LTR" + ctx.tag.upper()
    a1 = _mk(ctx, tag, 1, "key", None)
    a2 = _mk(ctx, tag, 2, "key", None)
    other = ctx.ids["A_other"]  # am_w's, out of am_e's and lead_e's scope
    am_e, am_w, lead_e = ctx.U("am_e"), ctx.U("am_w"), ctx.U("lead_e")
    snap = lambda: [(_owner(ctx, a), _owner_audits(ctx, a)) for a in (a1, a2, other)]
    before = snap()

    # all or nothing, the failing account named
    r = am_e.client.post("/api/v1/accounts/transfer", {"ids": [a1, other], "owner_id": am_e.id})
    ck.expect(r, 400, "account manager: another's account in the batch -> 400 ids", field="ids")
    ck.ok(str(other) in (r.err or {}).get("message", ""), "the refusal names the account",
          r.describe())
    r = am_e.client.post("/api/v1/accounts/transfer", {"ids": [a1, a2], "owner_id": am_w.id})
    ck.expect(r, 403, "account manager: giving own accounts to someone outside their reach -> 403",
              field="owner_id")
    r = lead_e.client.post("/api/v1/accounts/transfer", {"ids": [a1, a2, 999999999], "owner_id": lead_e.id})
    ck.expect(r, 400, "an unknown id -> 400 ids, nothing moved", field="ids")
    ck.ok("999999999" in (r.err or {}).get("message", ""), "the unknown id is named", r.describe())
    r = lead_e.client.post("/api/v1/accounts/transfer", {"ids": [a1, other], "owner_id": lead_e.id})
    ck.expect(r, 400, "team lead: an account of another team -> 400", field="ids")
    ck.same(before, snap(), "failed transfers changed no owner, version or audit row")

    # bad input
    for body, field, name in (
            ({"ids": [], "owner_id": lead_e.id}, "ids", "no ids"),
            ({"ids": [a1, a1], "owner_id": lead_e.id}, "ids", "an id twice"),
            ({"ids": list(range(1, 52)), "owner_id": lead_e.id}, "ids", "51 ids (cap 50)"),
            ({"ids": [a1]}, "owner_id", "no owner"),
            ({"owner_id": lead_e.id}, "ids", "no ids field"),
            ({"ids": [a1], "owner_id": 999999999}, "owner_id", "an unknown owner"),
            ({"ids": [a1, a2], "owner_id": lead_e.id, "versions": [1]}, "versions", "versions of the wrong length"),
            ({"ids": "1", "owner_id": lead_e.id}, "ids", "ids not an array")):
        r = lead_e.client.post("/api/v1/accounts/transfer", body)
        ck.ok(r.status in (400, 413) and r.field == field, "transfer with %s -> 4xx naming %s" % (name, field),
              r.describe())
    v1, v2 = _owner(ctx, a1)[1], _owner(ctx, a2)[1]
    r = lead_e.client.post("/api/v1/accounts/transfer", {"ids": [a1, a2], "owner_id": lead_e.id,
                                                         "versions": [v1, v2 + 5]})
    ck.expect(r, 409, "a stale version -> 409, nothing moved")
    ck.same(before, snap(), "failed transfers changed nothing")

    # a lead within the team: both move, each audited
    r = lead_e.client.post("/api/v1/accounts/transfer", {"ids": [a1, a2], "owner_id": lead_e.id,
                                                         "versions": [v1, v2]})
    ck.expect(r, 200, "team lead transfers two accounts of the team to themselves",
              json={"transferred": 2, "changed": 2, "owner_id": lead_e.id})
    for a in (a1, a2):
        o = _owner(ctx, a)
        ck.ok(o and o[0] == lead_e.id, "account %d now owned by lead_e" % a, repr(o))
        aud = _owner_audits(ctx, a)
        ck.ok(aud is not None and [am_e.id, lead_e.id] in aud, "account %d: the owner change is audited" % a,
              repr(aud))
    # an account manager moves own accounts to themselves (no change: nothing written)
    r = lead_e.client.post("/api/v1/accounts/transfer", {"ids": [a1], "owner_id": am_e.id})
    ck.expect(r, 200, "team lead gives one back to am_e", json={"changed": 1})
    r = am_e.client.post("/api/v1/accounts/transfer", {"ids": [a1], "owner_id": am_e.id})
    ck.expect(r, 200, "a transfer to the current owner changes nothing", json={"changed": 0})
    ck.ok(len(_owner_audits(ctx, a1) or []) == 2, "no audit row for a no-op transfer")
    # the director moves across teams
    r = ctx.U("dir").client.post("/api/v1/accounts/transfer", {"ids": [a1, a2], "owner_id": am_w.id})
    ck.expect(r, 200, "director transfers to another team", json={"changed": 2})
    r = ctx.U("viewer_e").client.post("/api/v1/accounts/transfer", {"ids": [a1], "owner_id": am_e.id})
    ck.expect(r, 403, "a viewer may not transfer")


def g_lists_views(ctx):
    ck = ctx.ck
    e, w = ctx.U("am_e").client, ctx.U("am_w").client
    name = "我的视图 " + ctx.uniq()
    state = json.dumps({"filters": {"tier": "key"}, "sort": "-revenue", "columns": ["name", "tier"]})
    r = e.post("/api/v1/views", {"screen": "accounts", "name": name, "state": state})
    if not ck.expect(r, 201, "POST /views -> 201", json={"screen": "accounts", "name": name, "state": state}):
        return
    vid = r.json["id"]
    r = e.get("/api/v1/views", {"screen": "accounts"})
    ck.ok(r.status == 200 and vid in [v["id"] for v in r.json["items"]], "own view listed", r.describe())
    r = e.get("/api/v1/views", {"screen": "issues"})
    ck.ok(r.status == 200 and vid not in [v["id"] for v in r.json["items"]], "not listed on another screen")
    r = w.get("/api/v1/views", {"screen": "accounts"})
    ck.ok(r.status == 200 and vid not in [v["id"] for v in r.json["items"]], "another user's view is invisible")
    r = w.patch("/api/v1/views/%d" % vid, {"name": "stolen"})
    ck.expect(r, 404, "PATCH another user's view -> 404")
    r = w.delete("/api/v1/views/%d" % vid)
    ck.expect(r, 404, "DELETE another user's view -> 404")
    r = w.post("/api/v1/views", {"screen": "accounts", "name": name, "state": "{}"})
    ck.expect(r, 201, "another user may use the same name")
    r = e.post("/api/v1/views", {"screen": "accounts", "name": name, "state": "{}"})
    ck.expect(r, 409, "a name twice on one screen -> 409 name", field="name")
    r = e.post("/api/v1/views", {"screen": "issues", "name": name, "state": "{}"})
    ck.expect(r, 201, "the same name on another screen")
    for body, status, field, what in (
            ({"screen": "accounts", "name": "x" * 61, "state": "{}"}, 400, "name", "a 61-character name"),
            ({"screen": "accounts", "name": "", "state": "{}"}, 400, "name", "an empty name"),
            ({"screen": "accounts", "name": "big", "state": "{\"a\":\"%s\"}" % ("x" * 8200)}, 413, "state",
             "a state over 8192 bytes"),
            ({"screen": "accounts", "name": "arr", "state": "[1]"}, 400, "state", "a state not an object"),
            ({"screen": "nowhere", "name": "n", "state": "{}"}, 400, "screen", "an unknown screen"),
            ({"name": "n", "state": "{}"}, 400, "screen", "no screen")):
        r = e.post("/api/v1/views", body)
        ck.expect(r, status, "POST /views with %s -> %d %s" % (what, status, field), field=field)
    r = e.post("/api/v1/views", {"screen": "accounts", "name": "x" * 60, "state": "{\"a\":\"%s\"}" % ("x" * 8000)})
    ck.expect(r, 201, "a 60-character name and an 8 KB state are accepted")
    r = e.get("/api/v1/views")
    ck.expect(r, 400, "GET /views without screen -> 400 screen", field="screen")
    r = e.patch("/api/v1/views/%d" % vid, {"name": name + " 2", "state": "{\"sort\":\"tier\"}"})
    ck.expect(r, 200, "PATCH own view", json={"name": name + " 2", "state": "{\"sort\":\"tier\"}"})
    r = e.patch("/api/v1/views/%d" % vid, {"screen": "issues"})
    ck.expect(r, 400, "a view stays on its screen", field="screen")
    r = e.delete("/api/v1/views/%d" % vid)
    ck.expect(r, 204, "DELETE own view")
    r = e.get("/api/v1/views", {"screen": "accounts"})
    ck.ok(r.status == 200 and vid not in [v["id"] for v in r.json["items"]], "deleted view gone")


def g_lists_issues(ctx):
    ck = ctx.ck
    import time
    tag = "ISQ" + ctx.tag.upper()
    acc = ctx.new_account("am_e", code=ctx.uniq("LIS"), name="问题筛选 " + ctx.tag)
    made = {}
    for sev in ("low", "high", "critical"):
        r = ctx.admin.post("/api/v1/accounts/%d/issues" % acc,
                           {"title": "%s 交付延迟 %s 100%%_x" % (tag, sev), "category": "delivery", "severity": sev})
        if not ck.expect(r, 201, "lists: issue %s" % sev):
            return
        made[sev] = r.json["id"]
    am = ctx.U("am_e").client
    ids = lambda q: (lambda items, pages, err: None if err else sorted(i["id"] for i in items))(
        *am.list_all("/api/v1/issues", q, limit=1))
    everything = sorted(made.values())
    today = time.strftime("%Y-%m-%d", time.gmtime())
    yesterday = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 86400))
    tomorrow = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 86400))
    for q, want, what in (
            ({"q": tag}, everything, "q: a piece of the title (paged one by one)"),
            ({"q": tag.lower()}, everything, "q: case-insensitive"),
            ({"q": "100%_x"}, None, "q: % and _ are literal"),
            ({"q": "#%d" % made["high"]}, [made["high"]], "q: #number"),
            ({"q": tag, "severity": "critical"}, [made["critical"]], "severity"),
            ({"q": tag, "owner_id": str(ctx.U("am_e").id)}, everything, "owner_id of the account"),
            ({"q": tag, "owner_id": "me"}, everything, "owner_id=me"),
            ({"q": tag, "owner_id": str(ctx.U("am_w").id)}, [], "another owner"),
            ({"q": tag, "account_id": str(acc)}, everything, "account_id"),
            ({"q": tag, "opened_from": today, "opened_to": today}, everything, "opened today (to counts its day)"),
            ({"q": tag, "opened_to": yesterday}, [], "opened before yesterday's end"),
            ({"q": tag, "opened_from": tomorrow}, [], "opened from tomorrow"),
            ({"q": tag, "status": "open", "severity": "low"}, [made["low"]], "status + severity")):
        got = ids(q)
        if want is None:
            ck.ok(got is not None and set(everything) <= set(got), "issue filter %s" % what, "got %s" % got)
        else:
            ck.ok(got == want, "issue filter %s" % what, "got %s want %s" % (got, want))
    r = ctx.U("am_w").client.get("/api/v1/issues", {"q": tag})
    ck.ok(r.status == 200 and r.items == [], "another manager sees none of them", r.describe())
    for q, field in (({"severity": "urgent"}, "severity"), ({"opened_from": "2026-13-01"}, "opened_from"),
                     ({"opened_to": "yesterday"}, "opened_to"), ({"q": "x" * 101}, "q"),
                     ({"owner_id": "abc"}, "owner_id")):
        r = am.get("/api/v1/issues", q)
        ck.expect(r, 400, "issues with a bad %s -> 400" % field, field=field)


GROUPS = [
    ("lists", g_lists_accounts, True),
    ("lists", g_lists_transfer, True),
    ("lists", g_lists_views, True),
    ("lists", g_lists_issues, True),
]


# ---- permission matrix builders of the new routes
@route("GET", "/api/v1/accounts/count", "none")
def _(ctx, u, rec):
    return Attempt("GET", "/api/v1/accounts/count", query={"tier": "key"})


@route("POST", "/api/v1/accounts/transfer", "none")
def _(ctx, u, rec):
    # A fresh account of am_e given to am_e again: within reach of every role that may change
    # accounts (admin, director, lead_e, am_e); the others get 403 with nothing changed.
    a = ctx.new_account("am_e", code=ctx.uniq("MXT"), name="矩阵转移 " + ctx.tag)
    return Attempt("POST", "/api/v1/accounts/transfer", {"ids": [a], "owner_id": ctx.U("am_e").id},
                   state=lambda: ctx.acct_state(a))


@route("GET", "/api/v1/views", "none")
def _(ctx, u, rec):
    return Attempt("GET", "/api/v1/views", query={"screen": "accounts"})


@route("POST", "/api/v1/views", "none")
def _(ctx, u, rec):
    return Attempt("POST", "/api/v1/views", {"screen": "accounts", "name": "m " + ctx.uniq(), "state": "{}"},
                   ok=201)


def _own_view(u, ctx):
    r = u.client.post("/api/v1/views", {"screen": "kpis", "name": "m " + ctx.uniq(), "state": "{}"})
    return r.json["id"] if r.status == 201 else 999999999


@route("PATCH", "/api/v1/views/{id}", "none")
def _(ctx, u, rec):
    return Attempt("PATCH", "/api/v1/views/%d" % _own_view(u, ctx), {"state": "{\"x\":1}"})


@route("DELETE", "/api/v1/views/{id}", "none")
def _(ctx, u, rec):
    return Attempt("DELETE", "/api/v1/views/%d" % _own_view(u, ctx), ok=204)
