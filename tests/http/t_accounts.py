"""Accounts: CRUD round trips, versioning, lists (pagination, sort,
filters, search), hierarchy and conflicts."""

import json

from lib import ANY, is_id, is_time, trunc

ACCOUNT_SHAPE = {"id": is_id, "code": str, "name": str, "alias": ANY, "parent_id": ANY, "industry": ANY,
                 "region": ANY, "channel": ANY, "employees": ANY, "revenue": ANY, "owner_id": is_id,
                 "tier": str, "status": str, "version": int, "created_at": is_time, "updated_at": is_time}


def paginate(ctx, client, path, query, limit, name):
    """Walk all pages; one check for the walk, one for 'no duplicates'."""
    ck = ctx.ck
    items, pages, err = client.list_all(path, query, limit=limit)
    if err is not None:
        ck.fail(name + ": walking pages", err.describe())
        return None
    over = [len(p.items) for p in pages if len(p.items) > limit]
    ck.ok(not over, name + ": every page has <= limit items", "page sizes %s" % [len(p.items) for p in pages])
    ids = [it.get("id") for it in items]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    ck.ok(not dup, name + ": no duplicates across pages", "duplicated ids %s" % dup)
    return items


def g_accounts_crud(ctx):
    ck = ctx.ck
    am = ctx.U("am_e")
    c = am.client
    a = ctx.admin
    body = {"code": ctx.uniq("HW"), "name": "华为技术有限公司", "alias": "Huawei Technologies", "parent_id": None,
            "industry": "electronics", "region": "华南", "channel": "direct", "employees": 195000,
            "revenue": {"amount": 64200000000000, "currency": "CNY"}, "tier": "strategic", "status": "active"}
    r = c.post("/api/v1/accounts", body)
    want = dict(ACCOUNT_SHAPE, **body)
    want.update(owner_id=am.id, version=1)
    if not ck.expect(r, 201, "POST /api/v1/accounts (all fields, as account_manager) -> 201", json=want):
        return
    acc = r.json
    aid = acc["id"]
    ck.ok(r.header("Location") is None or str(aid) in r.header("Location"), "Location header (if any) names the id",
          repr(r.header("Location")))
    r = c.get("/api/v1/accounts/%d" % aid)
    ck.expect(r, 200, "GET account round-trips every field, plus parent and subsidiary_count",
              json=dict(want, id=aid, parent=None, subsidiary_count=0, created_at=acc["created_at"]))

    # defaults
    code = ctx.uniq("MIN")
    r = a.post("/api/v1/accounts", {"code": code, "name": "Minimal Ltd"})
    ck.expect(r, 201, "POST minimal account -> defaults tier=maintain status=active owner=caller parent=null",
              json=dict(ACCOUNT_SHAPE, code=code, name="Minimal Ltd", tier="maintain", status="active",
                        owner_id=ctx.U("admin").id, parent_id=None, version=1))
    r = a.post("/api/v1/accounts", {"code": ctx.uniq("OWN"), "name": "Owned by West", "owner_id": ctx.U("am_w").id})
    ck.expect(r, 201, "POST with owner_id of another user", json={"owner_id": ctx.U("am_w").id})

    # boundaries that must be accepted
    long_cn = "华" * 200
    r = a.post("/api/v1/accounts", {"code": ("L%s" % ctx.uniq()).ljust(40, "X"), "name": long_cn, "alias": "a" * 200})
    ck.expect(r, 201, "name of 200 Chinese characters (600 bytes) and 40-char code accepted",
              json={"name": long_cn, "code": lambda v: len(v) == 40})
    emoji = "😀" * 200
    r = a.post("/api/v1/accounts", {"code": ctx.uniq("EMO"), "name": emoji})
    ck.expect(r, 201, "name of 200 emoji (4-byte UTF-8, counted as characters) accepted", json={"name": emoji})
    big = 9007199254740993  # 2**53 + 1: must not pass through a double
    r = a.post("/api/v1/accounts", {"code": ctx.uniq("BIG"), "name": "Big revenue", "employees": 0,
                                   "revenue": {"amount": big, "currency": "USD"}})
    ck.expect(r, 201, "revenue amount 2^53+1 and employees 0 round-trip exactly",
              json={"employees": 0, "revenue": {"amount": big, "currency": "USD"}})
    code = ctx.uniq("ESC")
    raw = ('{"code":"%s","name":"\\u534e\\u4e3a \\ud83d\\ude00 \\"q\\" \\\\ \\/"}' % code).encode()
    r = a.post("/api/v1/accounts", raw=raw)
    ck.expect(r, 201, "JSON escapes (\\u, surrogate pair, quotes, backslash, solidus) decoded",
              json={"name": '华为 😀 "q" \\ /'})
    r = a.post("/api/v1/accounts", {"code": ctx.uniq("LS"), "name": "Zürich Ⅻ — “quoted” · 株式会社"})
    ck.expect(r, 201, "non-ASCII punctuation and symbols in a one-line name accepted",
              json={"name": "Zürich Ⅻ — “quoted” · 株式会社"})
    r = a.post("/api/v1/accounts", raw=json.dumps({"code": ctx.uniq("CT"), "name": "Charset"}).encode(),
               content_type="application/json; charset=utf-8")
    ck.expect(r, 201, "Content-Type application/json; charset=utf-8 accepted")

    # update + version
    r = c.patch("/api/v1/accounts/%d" % aid, {"name": "华为 新名称"})
    ck.expect(r, 200, "PATCH name -> 200, version 2, other fields unchanged",
              json=dict(want, id=aid, name="华为 新名称", version=2, created_at=acc["created_at"]))
    if r.status == 200:
        ck.ok(r.json.get("updated_at", "") >= acc["updated_at"], "updated_at does not go back", r.describe())
    r = c.patch("/api/v1/accounts/%d" % aid, {"version": 2, "tier": "key"})
    ck.expect(r, 200, "PATCH with the current version -> 200, version 3", json={"tier": "key", "version": 3})
    before = ctx.acct_state(aid)
    r = c.patch("/api/v1/accounts/%d" % aid, {"version": 2, "tier": "growth"})
    ck.expect(r, 409, "PATCH with a stale version -> 409 field version", field="version", code="conflict")
    ck.same(before, ctx.acct_state(aid), "stale PATCH changed nothing (record, audit)")
    r = c.patch("/api/v1/accounts/%d" % aid, {"revenue": None, "employees": None, "alias": "", "region": "华东"})
    ck.expect(r, 200, "PATCH to null revenue/employees, empty alias",
              json={"revenue": None, "employees": None, "alias": "", "region": "华东", "version": 4, "tier": "key"})
    r = c.get("/api/v1/accounts/%d" % aid)
    ck.expect(r, 200, "GET after PATCHes shows the stored values",
              json={"name": "华为 新名称", "revenue": None, "employees": None, "region": "华东", "version": 4,
                    "industry": "electronics", "channel": "direct", "status": "active"})
    r = a.patch("/api/v1/accounts/%d" % aid, {"owner_id": ctx.U("am_w").id, "status": "dormant"})
    ck.expect(r, 200, "admin reassigns owner", json={"owner_id": ctx.U("am_w").id, "status": "dormant", "version": 5})

    # delete
    r = a.delete("/api/v1/accounts/%d" % aid)
    ck.expect(r, 204, "DELETE account -> 204")
    ck.ok(r.body == b"", "204 has an empty body", repr(r.body[:80]))
    r = a.get("/api/v1/accounts/%d" % aid)
    ck.expect(r, 404, "GET deleted account -> 404", code="not_found")
    r = a.delete("/api/v1/accounts/%d" % aid)
    ck.expect(r, 404, "DELETE deleted account -> 404", code="not_found")
    r = a.patch("/api/v1/accounts/%d" % aid, {"name": "zombie"})
    ck.expect(r, 404, "PATCH deleted account -> 404", code="not_found")
    r = a.get("/api/v1/accounts/999999999")
    ck.expect(r, 404, "GET unknown account id -> 404", code="not_found")
    for bad in ("abc", "-1", "0", "1.5", "99999999999999999999999"):
        r = a.get("/api/v1/accounts/" + bad)
        ck.expect(r, (400, 404), "GET /api/v1/accounts/%s -> 400 or 404 (not 5xx)" % bad)


def _pager_set(ctx):
    n = 55
    recs = []
    for i in range(n):
        ni, ci = (i * 7) % n, (i * 13) % n
        name = "Pg%sN%02d" % (ctx.tag, ni)
        code = "PG%sC%02d" % (ctx.tag.upper(), ci)
        r = ctx.admin.post("/api/v1/accounts", {"code": code, "name": name, "owner_id": ctx.U("pager").id})
        if not ctx.ck.expect(r, 201, "create pager account %d" % i):
            return None
        recs.append({"id": r.json["id"], "ni": ni, "ci": ci})
    return recs


def g_accounts_lists(ctx):
    ck = ctx.ck
    a = ctx.admin
    recs = _pager_set(ctx)
    if not recs:
        return
    ids = {r["id"] for r in recs}
    by_id = {r["id"]: r for r in recs}
    q = {"owner_id": str(ctx.U("pager").id)}

    r = a.get("/api/v1/accounts", q)
    ck.expect(r, 200, "list without limit -> default 50 items and a next_cursor",
              json={"items": lambda v: len(v) == 50, "next_cursor": str})
    if r.status == 200 and r.items:
        ck.ok(not match_shape(r.items[0]), "list items have the account shape", repr(match_shape(r.items[0])))
        nc = r.json.get("next_cursor")
        if isinstance(nc, str):
            r2 = a.get("/api/v1/accounts", dict(q, cursor=nc))
            ck.expect(r2, 200, "second default page has the remaining 5 and next_cursor null",
                      json={"items": lambda v: len(v) == 5, "next_cursor": None})
    r = a.get("/api/v1/accounts", dict(q, limit="500"))
    ck.expect(r, 200, "limit=500 returns all 55, next_cursor null",
              json={"items": lambda v: len(v) == 55, "next_cursor": None})
    r = a.get("/api/v1/accounts", dict(q, limit="1"))
    ck.expect(r, 200, "limit=1 returns 1 item", json={"items": lambda v: len(v) == 1, "next_cursor": str})

    sorts = {
        None: lambda x: x["ni"], "name": lambda x: x["ni"], "-name": lambda x: -x["ni"],
        "code": lambda x: x["ci"], "-code": lambda x: -x["ci"],
        "id": lambda x: x["id"], "-id": lambda x: -x["id"],
        "updated_at": None, "-updated_at": None,
    }
    for s, key in sorts.items():
        label = "sort=%s" % (s or "(default name)")
        qq = dict(q)
        if s:
            qq["sort"] = s
        items = paginate(ctx, a, "/api/v1/accounts", qq, 7, "accounts %s limit=7" % label)
        if items is None:
            continue
        got = [it.get("id") for it in items]
        ck.ok(set(got) == ids and len(got) == len(ids), "accounts %s: pages cover all 55 exactly" % label,
              "missing %s extra %s" % (sorted(ids - set(got)), sorted(set(got) - ids)))
        if key is not None:
            want = [x["id"] for x in sorted((by_id[i] for i in ids), key=key)]
            ck.ok(got == want, "accounts %s: order" % label,
                  "got names %s" % [by_id.get(i, {}).get("ni") for i in got][:20])
        else:
            ts = [it.get("updated_at") or "" for it in items]
            mono = all(x <= y for x, y in zip(ts, ts[1:])) if s == "updated_at" else all(x >= y for x, y in zip(ts, ts[1:]))
            ck.ok(mono, "accounts %s: order" % label, "updated_at sequence %s" % ts[:12])

    # cursor tied to its sort; malformed query parameters
    r = a.get("/api/v1/accounts", dict(q, limit="5", sort="name"))
    nc = r.json.get("next_cursor") if r.status == 200 and isinstance(r.json, dict) else None
    if ck.ok(isinstance(nc, str), "got a next_cursor for sort=name", r.describe()):
        for other in ("code", "-name", "id"):
            r = a.get("/api/v1/accounts", dict(q, limit="5", sort=other, cursor=nc))
            ck.expect(r, 400, "cursor from sort=name used with sort=%s -> 400 field cursor" % other,
                      field="cursor", code="invalid")
        r = a.get("/api/v1/accounts", dict(q, limit="5", cursor=nc))
        ck.expect(r, 200, "cursor from sort=name used with the default sort (name) -> 200")
    for cur in ("garbage!!", "AAAA", "%00", "eyJ4IjoxfQ"):
        r = a.get("/api/v1/accounts", dict(q, cursor=cur))
        ck.expect(r, 400, "cursor=%r -> 400 field cursor" % cur, field="cursor", code="invalid")
    for lim in ("0", "501", "-1", "abc", "1.5", "", "99999999999999999999"):
        r = a.get("/api/v1/accounts", dict(q, limit=lim))
        ck.expect(r, 400, "limit=%r -> 400 field limit" % lim, field="limit", code="invalid")
    for s in ("bogus", "-", "--name", "owner_id", "name,code", "NAME"):
        r = a.get("/api/v1/accounts", dict(q, sort=s))
        ck.expect(r, 400, "sort=%r -> 400 field sort" % s, field="sort", code="invalid")


def match_shape(item):
    from lib import match
    return match(ACCOUNT_SHAPE, item)


def _ids(r):
    return sorted(it.get("id") for it in (r.items or [])) if r.status == 200 else ("status", r.status)


def g_accounts_filters(ctx):
    ck = ctx.ck
    a = ctx.admin
    owner = ctx.U("am_f").id
    F = {}
    specs = {
        "F1": dict(tier="strategic", region="华东", channel="direct", status="active"),
        "F2": dict(tier="key", region="华南", channel="partner", status="prospect"),
        "F3": dict(tier="growth", region="华东", channel="partner", status="dormant"),
        "F4": dict(region="", channel="direct", status="lost"),  # tier default maintain
    }
    for k, f in specs.items():
        F[k] = ctx.new_account("am_f", code=ctx.uniq(k), name="Filter %s %s" % (k, ctx.tag), **f)
    base = {"owner_id": str(owner), "limit": "500"}
    cases = [
        ({}, ["F1", "F2", "F3", "F4"]),
        ({"tier": "strategic"}, ["F1"]),
        ({"tier": "maintain"}, ["F4"]),
        ({"region": "华东"}, ["F1", "F3"]),
        ({"channel": "partner"}, ["F2", "F3"]),
        ({"status": "dormant"}, ["F3"]),
        ({"status": "lost"}, ["F4"]),
        ({"tier": "growth", "region": "华东"}, ["F3"]),
        ({"channel": "direct", "status": "active"}, ["F1"]),
        ({"tier": "key", "region": "华东"}, []),
    ]
    for extra, want in cases:
        r = a.get("/api/v1/accounts", dict(base, **extra))
        ck.ok(_ids(r) == sorted(F[k] for k in want), "filter owner_id + %s -> %s" % (extra, want),
              "got %s, want %s | %s" % (_ids(r), sorted(F[k] for k in want), r.describe()))
    r = a.get("/api/v1/accounts", {"owner_id": str(ctx.U("am_e").id), "limit": "500"})
    got = _ids(r)
    ck.ok(isinstance(got, list) and ctx.ids["A_own"] in got and not set(got) & set(F.values()),
          "filter owner_id=am_e lists A_own and no F*", "got %s" % (got,))
    for p, v in (("tier", "platinum"), ("status", "closed"), ("owner_id", "abc"), ("parent_id", "x")):
        r = a.get("/api/v1/accounts", dict(base, **{p: v}))
        ck.expect(r, 400, "filter %s=%s -> 400 field %s" % (p, v, p), field=p, code="invalid")
    # The summary counts what the filters find: am_f owns exactly F1..F4.
    r = a.get("/api/v1/accounts/summary", {"owner_id": str(owner)})
    ck.expect(r, 200, "summary of am_f's accounts")
    js = r.json or {}
    ck.ok(js.get("total") == 4, "summary total = 4", r.describe())
    ck.ok(js.get("by_tier") == {"strategic": 1, "key": 1, "growth": 1, "maintain": 1},
          "summary by_tier counts one of each tier", r.describe())
    ck.ok(js.get("by_status") == {"prospect": 1, "active": 1, "dormant": 1, "lost": 1},
          "summary by_status", r.describe())
    ck.ok(js.get("regions") == [{"value": "华东", "count": 2}, {"value": "华南", "count": 1}],
          "summary regions: values in use, most frequent first, empty ones left out", r.describe())
    ck.ok(js.get("channels") == [{"value": "direct", "count": 2}, {"value": "partner", "count": 2}],
          "summary channels (ties by value)", r.describe())
    # Scope applies: am_w sees none of am_f's accounts.
    r = ctx.U("am_w").client.get("/api/v1/accounts/summary", {"owner_id": str(owner)})
    ck.ok(r.status == 200 and (r.json or {}).get("total") == 0, "summary is limited to the caller's scope",
          r.describe())
    r = a.get("/api/v1/accounts/summary", {"owner_id": "x"})
    ck.expect(r, 400, "summary owner_id=x -> 400", field="owner_id", code="invalid")


def g_accounts_search(ctx):
    ck = ctx.ck
    a = ctx.admin
    t = ctx.tag.upper()
    S = {
        "S1": ctx.new_account("am_s", code="SZPM-" + t, name="苏州精密机械有限公司", alias="Suzhou Precision Machinery"),
        "S2": ctx.new_account("am_s", code="SHFC-" + t, name="上海精细化工有限公司", alias="Shanghai Fine Chemicals"),
        "S3": ctx.new_account("am_s", code="HQ-" + t, name="深圳华强电子", alias="Huaqiang Electronics"),
        "S4": ctx.new_account("am_s", code="ACME-" + t, name="Acme Widgets 100%", alias="acme_corp"),
    }
    base = {"owner_id": str(ctx.U("am_s").id), "limit": "500"}
    cases = [
        ("精密", ["S1"]), ("精", ["S1", "S2"]), ("精密机械", ["S1"]), ("机械有限公司", ["S1"]),
        ("有限公司", ["S1", "S2"]), ("华强", ["S3"]), ("州", ["S1"]),
        ("precision", ["S1"]), ("PRECISION mach", ["S1"]), ("fine chem", ["S2"]), ("ELECTRON", ["S3"]),
        ("shanghai", ["S2"]), ("huaQIANG", ["S3"]),
        ("szpm", ["S1"]), ("SZPM-" + t, ["S1"]), ("hq-" + t.lower(), ["S3"]),
        ("100%", ["S4"]), ("%", ["S4"]), ("_", ["S4"]), ("e_c", ["S4"]), ("a%", []), ("z_o", []),
        ("zzzz", []), ("精密化工", []),
    ]
    for q, want in cases:
        r = a.get("/api/v1/accounts", dict(base, q=q))
        ck.ok(_ids(r) == sorted(S[k] for k in want), "search q=%r -> %s" % (q, want),
              "got %s, want %s | %s" % (_ids(r), sorted(S[k] for k in want), trunc(r.describe(), 300)))
    r = a.get("/api/v1/accounts", {"q": "SZPM-" + t})
    ck.ok(_ids(r) == [S["S1"]], "search by full code without other filters -> exactly that account", r.describe())
    r = ctx.U("am_e").client.get("/api/v1/accounts", {"q": "精密"})
    got = _ids(r)
    ck.ok(isinstance(got, list) and S["S1"] not in got, "search does not leak accounts out of scope", "got %s" % (got,))


def g_accounts_hierarchy(ctx):
    ck = ctx.ck
    a = ctx.admin
    P = ctx.new_account("am_e", code=ctx.uniq("PAR"), name="母公司 " + ctx.tag)
    C1 = ctx.new_account("am_e", parent_id=P, code=ctx.uniq("CH1"), name="子公司一 " + ctx.tag)
    C2 = ctx.new_account("am_w", parent_id=P, code=ctx.uniq("CH2"), name="子公司二 " + ctx.tag)
    G = ctx.new_account("am_e", parent_id=C1, code=ctx.uniq("GC"), name="孙公司 " + ctx.tag)

    r = a.get("/api/v1/accounts/%d" % C1)
    ck.expect(r, 200, "child shows parent {id,name}", json={"parent_id": P, "parent": {"id": P, "name": "母公司 " + ctx.tag},
                                                            "subsidiary_count": 1})
    r = a.get("/api/v1/accounts/%d" % P)
    ck.expect(r, 200, "parent shows subsidiary_count 2 and parent null", json={"subsidiary_count": 2, "parent": None})
    items = paginate(ctx, a, "/api/v1/accounts/%d/subsidiaries" % P, {}, 1, "subsidiaries limit=1")
    if items is not None:
        ck.ok(sorted(i.get("id") for i in items) == sorted([C1, C2]), "subsidiaries of P are C1, C2 (not grandchild)",
              repr([i.get("id") for i in items]))
    r = ctx.U("am_e").client.get("/api/v1/accounts/%d/subsidiaries" % P)
    ck.ok(_ids(r) == [C1], "subsidiaries as am_e: only the child in scope", "got %s | %s" % (_ids(r), r.describe()))
    r = a.get("/api/v1/accounts", {"parent_id": str(P), "limit": "500"})
    ck.ok(_ids(r) == sorted([C1, C2]), "filter parent_id=P -> C1, C2", "got %s" % (_ids(r),))

    # cycles -> 409 parent_id, nothing changed
    for target, new_parent, what in ((P, G, "grandchild"), (P, C1, "child"), (P, P, "itself"), (C1, G, "own child")):
        before = ctx.acct_state(target)
        r = a.patch("/api/v1/accounts/%d" % target, {"parent_id": new_parent})
        ck.expect(r, 409, "PATCH parent_id to %s (cycle) -> 409 field parent_id" % what, field="parent_id",
                  code="conflict")
        ck.same(before, ctx.acct_state(target), "cycle attempt (%s) changed nothing" % what)

    before = ctx.acct_state(P)
    r = a.delete("/api/v1/accounts/%d" % P)
    ck.expect(r, 409, "DELETE account with subsidiaries -> 409 field id", field="id", code="conflict")
    ck.same(before, ctx.acct_state(P), "refused delete changed nothing")
    r = a.delete("/api/v1/accounts/%d" % C1)
    ck.expect(r, 409, "DELETE middle account with a grandchild -> 409 field id", field="id", code="conflict")

    r = a.patch("/api/v1/accounts/%d" % C2, {"parent_id": None})
    ck.expect(r, 200, "detach a subsidiary (parent_id null)", json={"parent_id": None})
    r = a.get("/api/v1/accounts/%d" % P)
    ck.expect(r, 200, "subsidiary_count drops to 1", json={"subsidiary_count": 1})
    r = a.patch("/api/v1/accounts/%d" % G, {"parent_id": C2})
    ck.expect(r, 200, "move grandchild under another account", json={"parent_id": C2})
    r = a.delete("/api/v1/accounts/%d" % C1)
    ck.expect(r, 204, "DELETE leaf account -> 204")
    r = a.get("/api/v1/accounts/%d" % P)
    ck.expect(r, 200, "subsidiary_count drops to 0", json={"subsidiary_count": 0})

    # duplicate code
    code = ctx.uniq("DUP")
    r = a.post("/api/v1/accounts", {"code": code, "name": "First"})
    ck.expect(r, 201, "create account with code %s" % code)
    n_before = ctx.ids_of("/api/v1/accounts", {"q": code})
    r = ctx.U("am_e").client.post("/api/v1/accounts", {"code": code, "name": "Second"})
    ck.expect(r, 409, "duplicate account code on POST -> 409 field code", field="code", code="conflict")
    ck.same(n_before, ctx.ids_of("/api/v1/accounts", {"q": code}), "duplicate POST created nothing")
    before = ctx.acct_state(P)
    r = a.patch("/api/v1/accounts/%d" % P, {"code": code})
    ck.expect(r, 409, "duplicate account code on PATCH -> 409 field code", field="code", code="conflict")
    ck.same(before, ctx.acct_state(P), "duplicate PATCH changed nothing")
