"""The catalogue (issue 15 item 4, src/api/offers/catalog.c): bundles with their components (list
total and saving, PATCH replacing the components, versions), a bundle priced for an account by the
price engine (worked example: a break reached by component quantity x bundles, conversion), service
items (kinds, units, SLA, margin), products' unit cost; validation 400s naming the field with
nothing written, audit rows in the same transaction, DELETE refused while an offer line uses the
record; the permission matrix builders of every route of api/offers/catalog.c."""

import policy as pol
from policy import ALL, NONE, _roles
from t_matrix import route, Attempt
from t_answers import sql

# src/svc/core/policy.c: every role reads the catalogue; admin, director and finance write it.
CATALOG_READ = _roles(ALL)
CATALOG_WRITE = _roles(NONE, admin=ALL, director=ALL, finance=ALL)
pol.EXPECTED.update({
    ("catalog", "read"): CATALOG_READ,
    ("catalog", "create"): CATALOG_WRITE,
    ("catalog", "update"): CATALOG_WRITE,
    ("catalog", "delete"): CATALOG_WRITE,
})

CUR = "XCT"  # this module's own currency: 2.00 CNY per unit


def world(ctx):
    if getattr(ctx, "cat_world", None):
        return ctx.cat_world
    a = ctx.admin
    ctx.must(a.put("/api/v1/fx-rates", {"currency": CUR, "rate_micro": 2000000}), 200, "fx XCT")
    fam = ctx.uniq("CTF")
    p1 = ctx.must(a.post("/api/v1/products", {"sku": ctx.uniq("CT1"), "name": "套装主件", "family": fam,
                                             "list_price": {"amount": 10000, "currency": "CNY"}}), 201, "P1")
    p2 = ctx.must(a.post("/api/v1/products", {"sku": ctx.uniq("CT2"), "name": "套装配件", "family": fam,
                                             "list_price": {"amount": 5000, "currency": "CNY"}}), 201, "P2")
    p3 = ctx.must(a.post("/api/v1/products", {"sku": ctx.uniq("CT3"), "name": "无价配件", "family": fam}), 201, "P3")
    own = ctx.new_account("am_e", code=ctx.uniq("CTA"), name="套装客户 " + ctx.tag, tier="key")
    w = {"p1": p1["id"], "p2": p2["id"], "p3": p3["id"], "sku1": p1["sku"], "sku2": p2["sku"], "own": own}
    ctx.cat_world = w
    return w


def state(ctx, path, rid=None, entity="bundle"):
    st = {"ids": ctx.ids_of(path, {"limit": "500"}),
          "audit": sql(ctx, "SELECT COUNT(*) FROM audit WHERE entity = '%s'" % entity)}
    if rid:
        r = ctx.admin.get("%s/%d" % (path, rid))
        st["record"] = (r.status, r.json)
    return st


def bundle_state(ctx, bid=None):
    return state(ctx, "/api/v1/bundles", bid, "bundle")


def service_state(ctx, sid=None):
    return state(ctx, "/api/v1/service-items", sid, "service_item")


def new_bundle(ctx, client=None, **fields):
    w = world(ctx)
    body = {"code": ctx.uniq("BND"), "name": "套装 " + ctx.uniq(), "currency": "CNY", "price": 20000,
            "items": [{"product_id": w["p1"], "quantity": 1}]}
    body.update(fields)
    return ctx.must((client or ctx.admin).post("/api/v1/bundles", body), 201, "create bundle")["id"]


def new_service(ctx, client=None, **fields):
    body = {"code": ctx.uniq("SVC"), "kind": "aftersales", "name": "售后服务 " + ctx.uniq(), "unit": "year",
            "price": 100000, "currency": "CNY", "unit_cost": 60000, "sla": "售后 4 小时响应"}
    body.update(fields)
    return ctx.must((client or ctx.admin).post("/api/v1/service-items", body), 201, "create service item")["id"]


def audit_count(ctx, entity, rid, action):
    rows = sql(ctx, "SELECT COUNT(*) FROM audit WHERE entity = '%s' AND entity_id = %d AND action = '%s'"
               % (entity, rid, action))
    return int(rows[0][0])


def g_bundles(ctx):
    ck = ctx.ck
    a = ctx.admin
    fin = ctx.U("fin").client
    am = ctx.U("am_e").client
    w = world(ctx)

    # A starter kit: P1 (100.00) x 1 and P2 (50.00) x 2.5 by sku = 225.00 at list prices, sold at 200.00.
    code = ctx.uniq("KIT")
    body = {"code": code, "name": "入门套装 " + ctx.tag, "description": "主件一件，配件两件半", "currency": "CNY",
            "price": 20000, "items": [{"sku": w["sku2"], "quantity": 2.5}, {"product_id": w["p1"], "quantity": 1}]}
    r = fin.post("/api/v1/bundles", body)
    if not ck.expect(r, 201, "POST bundle as finance -> 201",
                     json={"code": code, "price": 20000, "currency": "CNY", "active": True, "version": 1,
                           "components_list_total": 22500, "saving": 2500,
                           "items": [{"product_id": w["p1"], "quantity": 1, "list_price": 10000,
                                      "list_currency": "CNY", "name": "套装主件"},
                                     {"product_id": w["p2"], "sku": w["sku2"], "quantity": 2.5,
                                      "list_price": 5000}]}):
        return
    bid = r.json["id"]
    ck.ok(audit_count(ctx, "bundle", bid, "create") == 1, "bundle create audited")
    ck.expect(am.get("/api/v1/bundles/%d" % bid), 200, "an account manager reads the bundle",
              json={"id": bid, "saving": 2500})
    ck.expect(am.post("/api/v1/bundles", dict(body, code=ctx.uniq("KIT"))), 403, "an account manager may not create")

    # refused writes name the field and change nothing
    before = bundle_state(ctx)
    body = dict(body, code=ctx.uniq("KIT"))  # refusals other than the taken code
    bad = [
        ({k: v for k, v in body.items() if k != "items"}, 400, "items"),
        (dict(body, items=[]), 400, "items"),
        (dict(body, items=[{"product_id": w["p1"], "quantity": 1}, {"sku": w["sku2"],
                                                                      "quantity": 1},
                           {"product_id": w["p1"], "quantity": 2}]), 400, "items[2].product_id"),
        (dict(body, items=[{"product_id": 999999999, "quantity": 1}]), 400, "items[0].product_id"),
        (dict(body, items=[{"sku": "no-such-" + ctx.tag, "quantity": 1}]), 400, "items[0].sku"),
        (dict(body, items=[{"product_id": w["p1"], "sku": w["sku1"], "quantity": 1}]), 400, "items[0].product_id"),
        (dict(body, items=[{"product_id": w["p1"], "quantity": 0}]), 400, "items[0].quantity"),
        (dict(body, items=[{"product_id": w["p1"]}]), 400, "items[0].quantity"),
        (dict(body, items=[{"product_id": w["p1"] + i * 0, "quantity": 1} for i in range(51)]), 400, "items"),
        (dict(body, currency="QQQ"), 400, "currency"),
        (dict(body, currency="cny"), 400, "currency"),
        (dict(body, price=-1), 400, "price"),
        (dict(body, name="名" * 201), 400, "name"),
        (dict(body, name="  "), 400, "name"),
        (dict(body, description="描" * 2001), 400, "description"),
        (dict(body, code=""), 400, "code"),
        ({k: v for k, v in body.items() if k != "price"}, 400, "price"),
        (dict(body, version=3), 400, "version"),
        (dict(body, code=code), 409, "code"),  # the code is taken
    ]
    for b, status, field in bad:
        key = sorted(set(b) ^ set(body)) or [k for k in b if b[k] != body.get(k)] or ["(same)"]
        ck.expect(fin.post("/api/v1/bundles", b), status, "POST bundle refused: %s -> %d %s" % (key, status, field),
                  field=field)
    ck.ok(bundle_state(ctx) == before, "refused bundles wrote nothing (no row, no audit)")

    # list, filters, count
    r = am.get("/api/v1/bundles", {"q": code.lower(), "limit": "5"})
    ck.expect(r, 200, "list by q (code, case-insensitive)")
    if r.status == 200:
        ck.ok([x["id"] for x in r.json["items"]] == [bid], "q finds the kit", repr(r.json))
    ck.expect(am.get("/api/v1/bundles/count", {"q": code}), 200, "count by q", json={"total": 1})
    ck.expect(am.get("/api/v1/bundles/count", {"q": code, "active": "0"}), 200, "count inactive", json={"total": 0})
    ck.expect(am.get("/api/v1/bundles", {"active": "2"}), 400, "active=2 refused", field="active")
    ck.expect(am.get("/api/v1/bundles", {"sort": "colour"}), 400, "unknown sort refused", field="sort")

    # PATCH: stale version 409; items replaced whole; a new currency converts the list total
    st = bundle_state(ctx, bid)
    ck.expect(fin.patch("/api/v1/bundles/%d" % bid, {"price": 1, "version": 7}), 409, "stale version -> 409")
    ck.expect(fin.patch("/api/v1/bundles/%d" % bid, {"items": [{"product_id": w["p1"], "quantity": 1},
                                                              {"product_id": w["p1"], "quantity": 1}]}),
              400, "PATCH duplicate component", field="items[1].product_id")
    ck.expect(am.patch("/api/v1/bundles/%d" % bid, {"price": 1}), 403, "an account manager may not change it")
    ck.ok(bundle_state(ctx, bid) == st, "refused PATCHes changed nothing")
    r = fin.patch("/api/v1/bundles/%d" % bid, {"version": 1, "items": [{"product_id": w["p2"], "quantity": 4}]})
    ck.expect(r, 200, "PATCH items replaced whole", json={"version": 2, "components_list_total": 20000,
                                                          "saving": 0, "items": [{"product_id": w["p2"]}]})
    if r.status == 200:
        ck.ok(len(r.json["items"]) == 1, "one component left", repr(r.json["items"]))
    rows = sql(ctx, "SELECT changes FROM audit WHERE entity = 'bundle' AND entity_id = %d AND action = 'update' "
                    "ORDER BY id" % bid)
    ck.ok(len(rows) == 1 and ("%d x 4.000" % w["p2"]) in str(rows[0][0]), "audit names the new components",
          repr(rows))
    r = fin.patch("/api/v1/bundles/%d" % bid, {"currency": CUR, "price": 9000})
    ck.expect(r, 200, "in XCT: the list total converted (200.00 CNY / 2 = 100.00)",
              json={"currency": CUR, "components_list_total": 10000, "saving": 1000, "version": 3})
    r = fin.patch("/api/v1/bundles/%d" % bid, {"currency": CUR, "price": 9000})
    ck.expect(r, 200, "the same values: no new version", json={"version": 3})
    ck.ok(audit_count(ctx, "bundle", bid, "update") == 2, "two updates audited")
    r = fin.patch("/api/v1/bundles/%d" % bid, {"items": [{"product_id": w["p3"], "quantity": 1}]})
    ck.expect(r, 200, "a component without a list price: no list total, no saving",
              json={"components_list_total": None, "saving": None})

    # DELETE: refused while an offer line uses the bundle (409 catalog.in_use), then allowed
    used = new_bundle(ctx, code=ctx.uniq("USED"))
    oid = _offer_line(ctx, w["own"], "bundle_id", used)
    st = bundle_state(ctx, used)
    r = fin.delete("/api/v1/bundles/%d" % used)
    ck.expect(r, 409, "DELETE a bundle an offer uses -> 409")
    if r.status == 409:
        ck.ok(r.json["error"].get("key") == "catalog.in_use", "key catalog.in_use", repr(r.json))
    ck.ok(bundle_state(ctx, used) == st, "the refused DELETE changed nothing")
    ck.expect(fin.patch("/api/v1/bundles/%d" % used, {"active": False}), 200, "deactivate instead",
              json={"active": False})
    _drop_offer(ctx, oid)
    ck.expect(fin.delete("/api/v1/bundles/%d" % used), 204, "DELETE an unused bundle -> 204")
    ck.expect(a.get("/api/v1/bundles/%d" % used), 404, "gone")
    ck.ok(audit_count(ctx, "bundle", used, "delete") == 1, "delete audited")
    ck.ok(sql(ctx, "SELECT COUNT(*) FROM bundle_items WHERE bundle_id = %d" % used)[0][0] == 0,
          "its components went with it")


def _offer_line(ctx, account, col, rid):
    """An offer with one line naming the record, written straight to the database (the offers API is
    another module's; the refusal is what is tested here)."""
    num = ctx.uniq("QCT")
    sql(ctx, "INSERT INTO offers (number, account_id, currency, price_date, valid_until, created_at, updated_at) "
             "VALUES ('%s', %d, 'CNY', '2026-06-01', '2026-06-30', 0, 0)" % (num, account))
    oid = int(sql(ctx, "SELECT id FROM offers WHERE number = '%s'" % num)[0][0])
    sql(ctx, "INSERT INTO offer_lines (offer_id, position, kind, %s, quantity, unit_price, amount) VALUES "
             "(%d, 1, '%s', %d, 1000, 100, 100)" % (col, oid, "bundle" if col == "bundle_id" else "service", rid))
    return oid


def _drop_offer(ctx, oid):
    sql(ctx, "DELETE FROM offer_lines WHERE offer_id = %d" % oid)
    sql(ctx, "DELETE FROM offers WHERE id = %d" % oid)


def g_bundle_quote(ctx):
    ck = ctx.ck
    fin = ctx.U("fin").client
    am = ctx.U("am_e").client
    w = world(ctx)
    own = w["own"]
    # The account's own prices for 2026: P1 90.00, from 10 units 80.00 (a quantity break per order).
    ctx.must(ctx.admin.post("/api/v1/price-lists", {
        "name": "套装客户价 " + ctx.tag, "currency": "CNY", "scope": "account", "account_id": own,
        "valid_from": "2026-01-01", "valid_to": "2026-12-31",
        "items": [{"product_id": w["p1"], "unit_price": 9000,
                   "breaks": [{"kind": "quantity", "threshold": 10000, "unit_price": 8000}]}]}), 201, "account list")
    # The bundle: P1 x 5 and P2 x 1 for 400.00.
    bid = new_bundle(ctx, fin, code=ctx.uniq("QKT"), price=40000,
                     items=[{"product_id": w["p1"], "quantity": 5}, {"product_id": w["p2"], "quantity": 1}])
    path = "/api/v1/bundles/%d/quote" % bid

    # 1 bundle: P1 5 x 90.00 = 450.00 (break not reached), P2 1 x 50.00 (list price) = 500.00; saving 100.00
    r = am.get(path, {"account_id": str(own), "date": "2026-06-15"})
    ck.expect(r, 200, "quote 1 bundle", json={
        "bundle_id": bid, "account_id": own, "date": "2026-06-15", "quantity": 1, "currency": "CNY",
        "unit_price": 40000, "amount": 40000, "components_total": 50000, "saving": 10000,
        "components": [{"product_id": w["p1"], "quantity": 5, "found": True, "engine_price": 9000, "amount": 45000},
                       {"product_id": w["p2"], "quantity": 1, "found": True, "engine_price": 5000, "amount": 5000}]})
    # 2 bundles: P1 10 units reaches the break (80.00): 800.00 + 100.00 = 900.00 against 800.00
    r = am.get(path, {"account_id": str(own), "date": "2026-06-15", "quantity": "2"})
    ck.expect(r, 200, "quote 2 bundles: the component break is reached", json={
        "quantity": 2, "unit_price": 40000, "amount": 80000, "components_total": 90000, "saving": 10000,
        "components": [{"quantity": 10, "engine_price": 8000, "amount": 80000},
                       {"quantity": 2, "engine_price": 5000, "amount": 10000}]})
    # the same in XCT (2 CNY each): 200.00 a bundle, P1 40.00, P2 25.00
    r = am.get(path, {"account_id": str(own), "date": "2026-06-15", "quantity": "2", "currency": CUR})
    ck.expect(r, 200, "quote in XCT", json={
        "currency": CUR, "unit_price": 20000, "amount": 40000, "components_total": 45000, "saving": 5000,
        "components": [{"engine_price": 4000, "amount": 40000}, {"engine_price": 2500, "amount": 5000}]})
    # 2027: the account list has ended; P1 at its list price 100.00
    r = am.get(path, {"account_id": str(own), "date": "2027-01-04"})
    ck.expect(r, 200, "after the list's end: list prices",
              json={"components": [{"engine_price": 10000, "amount": 50000}, {"engine_price": 5000}],
                    "components_total": 55000, "saving": 15000})
    # a component without any price: no total, no saving
    bid2 = new_bundle(ctx, fin, code=ctx.uniq("QNP"),
                      items=[{"product_id": w["p1"], "quantity": 1}, {"product_id": w["p3"], "quantity": 1}])
    ck.expect(am.get("/api/v1/bundles/%d/quote" % bid2, {"account_id": str(own), "date": "2026-06-15"}), 200,
              "a component without a price", json={"components_total": None, "saving": None,
                                                  "components": [{"found": True}, {"found": False,
                                                                                   "engine_price": None}]})
    # who may quote which account; bad queries name the parameter
    ck.expect(ctx.U("am_w").client.get(path, {"account_id": str(own)}), 404,
              "another team's account -> 404", field="account_id")
    ck.expect(ctx.U("hr").client.get(path, {"account_id": str(own)}), 404, "hr reads no accounts -> 404")
    for q, field in [({}, "account_id"), ({"account_id": "x"}, "account_id"),
                     ({"account_id": str(own), "date": "2026-02-30"}, "date"),
                     ({"account_id": str(own), "quantity": "0"}, "quantity"),
                     ({"account_id": str(own), "quantity": "1.0001"}, "quantity"),
                     ({"account_id": str(own), "currency": "QQQ"}, "currency")]:
        ck.expect(am.get(path, q), 400, "quote refused: %r" % q, field=field)
    ck.expect(am.get("/api/v1/bundles/999999999/quote", {"account_id": str(own)}), 404, "no such bundle")


def g_service_items(ctx):
    ck = ctx.ck
    fin = ctx.U("fin").client
    am = ctx.U("am_e").client
    code = ctx.uniq("SVG")
    body = {"code": code, "kind": "support", "name": "远程技术支持 " + ctx.tag, "unit": "month", "price": 200000,
            "currency": "CNY", "unit_cost": 90000, "sla": "7×24 热线，2 小时内响应。"}
    r = fin.post("/api/v1/service-items", body)
    if not ck.expect(r, 201, "POST service item as finance", json=dict(
            body, margin_bp=5500, active=True, version=1)):
        return
    sid = r.json["id"]
    ck.ok(audit_count(ctx, "service_item", sid, "create") == 1, "service item create audited")
    ck.expect(am.post("/api/v1/service-items", dict(body, code=ctx.uniq("SVG"))), 403,
              "an account manager may not create")
    before = service_state(ctx)
    for b, status, field in [
        (dict(body, kind="repair"), 400, "kind"),
        (dict(body, unit="week"), 400, "unit"),
        (dict(body, sla="约" * 501), 400, "sla"),
        (dict(body, price=-5), 400, "price"),
        (dict(body, unit_cost=-1), 400, "unit_cost"),
        (dict(body, currency="QQQ"), 400, "currency"),
        ({k: v for k, v in body.items() if k != "kind"}, 400, "kind"),
        ({k: v for k, v in body.items() if k != "currency"}, 400, "currency"),
        (dict(body, name=""), 400, "name"),
        (dict(body, colour="red"), 400, "colour"),
        (body, 409, "code"),
    ]:
        ck.expect(fin.post("/api/v1/service-items", b), status, "POST service item refused -> %s" % field,
                  field=field)
    ck.ok(service_state(ctx) == before, "refused service items wrote nothing")

    ck.expect(am.get("/api/v1/service-items/count", {"q": code, "kind": "support"}), 200, "count by kind",
              json={"total": 1})
    ck.expect(am.get("/api/v1/service-items/count", {"q": code, "kind": "training"}), 200, "other kind",
              json={"total": 0})
    ck.expect(am.get("/api/v1/service-items", {"kind": "repair"}), 400, "unknown kind filter", field="kind")
    r = am.get("/api/v1/service-items", {"q": code, "sort": "-name"})
    ck.expect(r, 200, "list by q")
    if r.status == 200:
        ck.ok([x["id"] for x in r.json["items"]] == [sid], "q finds it", repr(r.json))

    st = service_state(ctx, sid)
    ck.expect(fin.patch("/api/v1/service-items/%d" % sid, {"sla": "x", "version": 9}), 409, "stale version")
    ck.expect(fin.patch("/api/v1/service-items/%d" % sid, {"unit": "week"}), 400, "bad unit", field="unit")
    ck.ok(service_state(ctx, sid) == st, "refused PATCHes changed nothing")
    ck.expect(fin.patch("/api/v1/service-items/%d" % sid, {"unit_cost": None, "version": 1}), 200,
              "cost cleared: no margin", json={"unit_cost": None, "margin_bp": None, "version": 2})
    ck.expect(fin.patch("/api/v1/service-items/%d" % sid, {"unit_cost": 250000, "price": 200000}), 200,
              "a cost above the price: a negative margin", json={"margin_bp": -2500})

    oid = _offer_line(ctx, world(ctx)["own"], "service_item_id", sid)
    r = fin.delete("/api/v1/service-items/%d" % sid)
    ck.expect(r, 409, "DELETE a service item an offer uses -> 409")
    _drop_offer(ctx, oid)
    ck.expect(fin.delete("/api/v1/service-items/%d" % sid), 204, "DELETE an unused service item")
    ck.ok(audit_count(ctx, "service_item", sid, "delete") == 1, "delete audited")


def g_unit_cost(ctx):
    ck = ctx.ck
    w = world(ctx)
    fin = ctx.U("fin").client
    p = w["p1"]
    cur = ctx.must(ctx.admin.get("/api/v1/products/%d" % p), 200, "product")
    r = fin.patch("/api/v1/products/%d" % p, {"unit_cost": 6500, "version": cur["version"]})
    ck.expect(r, 200, "finance sets a product's unit cost", json={"unit_cost": 6500})
    ck.ok(sql(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'product' AND entity_id = %d AND changes LIKE "
                   "'%%unit_cost%%'" % p)[0][0] == 1, "unit cost audited")
    ck.expect(fin.patch("/api/v1/products/%d" % p, {"unit_cost": -1}), 400, "negative cost", field="unit_cost")
    ck.expect(ctx.U("am_e").client.patch("/api/v1/products/%d" % p, {"unit_cost": 1}), 403,
              "an account manager may not set it")
    ck.expect(ctx.U("am_e").client.get("/api/v1/products/%d" % p), 200, "readers see it", json={"unit_cost": 6500})
    ck.expect(fin.patch("/api/v1/products/%d" % p, {"unit_cost": None}), 200, "cleared", json={"unit_cost": None})
    r = ctx.admin.post("/api/v1/products", {"sku": ctx.uniq("CTC"), "name": "带成本", "family": "F",
                                           "unit_cost": 123})
    ck.expect(r, 201, "created with a unit cost", json={"unit_cost": 123})


def _pg_hold(ctx, stmts):
    """PostgreSQL: a psql session that runs stmts in an open transaction and keeps it open (the
    locks held) until .commit(). Returns the Popen after the statements ran."""
    import glob
    import subprocess
    psql = sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"))
    p = subprocess.Popen([psql[-1] if psql else "psql", ctx.dsn, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    p.stdin.write("BEGIN;\n%s\n\\echo held\n" % stmts)
    p.stdin.flush()
    line = p.stdout.readline().strip()
    if line != "held":
        p.kill()
        raise RuntimeError("psql hold: %r %s" % (line, p.stderr.read()[:300]))
    return p


def _pg_release(p):
    p.stdin.write("COMMIT;\n")
    p.stdin.close()
    p.wait(timeout=30)


def _while_locked(ctx, hold_sql, request):
    """request() run in a thread while another transaction (hold_sql) holds its locks: the request
    is seen waiting for a lock (pg_stat_activity, polled: no fixed sleep), then the other commits.
    Returns the request's response."""
    import threading
    import time
    p = _pg_hold(ctx, hold_sql)
    out = {}
    t = threading.Thread(target=lambda: out.update(r=request()))
    try:
        t.start()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            n = sql(ctx, "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                         "AND datname = current_database()")[0][0]
            if n or not t.is_alive():
                break
            time.sleep(0.02)  # polling the server's state, not waiting on the clock
    finally:
        _pg_release(p)
        t.join(60)
    return out.get("r")


def g_catalog_review(ctx):
    """The review's findings (R-CAT): a component priced in a currency with no exchange rate, inactive
    components, codes trimmed and unique whatever the letter case, and on PostgreSQL the races of
    DELETE against an offer line insert and of two PATCHes."""
    ck = ctx.ck
    a = ctx.admin
    fin = ctx.U("fin").client
    am = ctx.U("am_e").client
    w = world(ctx)

    # A component whose list price moves to a currency with no exchange rate (XNR): the bundle, the
    # list and its writes keep working with no list total; a new bundle with it names the component.
    px = ctx.must(a.post("/api/v1/products", {"sku": ctx.uniq("CTX"), "name": "无汇率配件", "family": "F",
                                             "list_price": {"amount": 3000, "currency": "CNY"}}), 201, "PX")
    code = ctx.uniq("NRB")
    bid = new_bundle(ctx, fin, code=code, items=[{"product_id": w["p1"], "quantity": 1},
                                                 {"product_id": px["id"], "quantity": 1}])
    ck.expect(am.get("/api/v1/bundles/%d" % bid), 200, "list total with a rate", json={"components_list_total": 13000})
    ck.expect(a.patch("/api/v1/products/%d" % px["id"], {"list_price": {"amount": 1000, "currency": "XNR"}}), 200,
              "the component repriced in XNR (no rate)")
    ck.expect(am.get("/api/v1/bundles", {"q": code}), 200, "the list still answers",
              json={"items": [{"id": bid, "components_list_total": None, "saving": None}]})
    r = am.get("/api/v1/bundles", {"limit": "500"})
    ck.expect(r, 200, "the whole list still answers")
    if r.status == 200:  # the page's components (one query for the page) are each bundle's own
        bad = [x["id"] for x in r.json["items"]
               if a.get("/api/v1/bundles/%d" % x["id"]).json != x]
        ck.ok(len(r.json["items"]) >= 2 and not bad, "each listed bundle as read alone", repr(bad))
    ck.expect(am.get("/api/v1/bundles/%d" % bid), 200, "the bundle still answers: no list total",
              json={"components_list_total": None, "saving": None})
    ck.expect(fin.patch("/api/v1/bundles/%d" % bid, {"active": False}), 200, "it can be deactivated",
              json={"active": False, "components_list_total": None})
    before = bundle_state(ctx, bid)
    ck.expect(fin.post("/api/v1/bundles", {"code": ctx.uniq("NRB"), "name": "无汇率套装", "currency": "CNY",
                                           "price": 100, "items": [{"product_id": w["p1"], "quantity": 1},
                                                                   {"product_id": px["id"], "quantity": 1}]}),
              400, "a new bundle with the XNR component names it", field="items[1].product_id")
    ck.expect(fin.patch("/api/v1/bundles/%d" % bid, {"items": [{"sku": px["sku"], "quantity": 2}]}),
              400, "new components with it: named", field="items[0].sku")
    ck.ok(bundle_state(ctx, bid) == before, "the refusals changed nothing")
    ck.expect(fin.delete("/api/v1/bundles/%d" % bid), 204, "and it can be deleted")

    # an inactive product is no new component
    pi = ctx.must(a.post("/api/v1/products", {"sku": ctx.uniq("CTI"), "name": "停售配件", "family": "F",
                                             "active": False}), 201, "inactive product")
    ck.expect(fin.post("/api/v1/bundles", {"code": ctx.uniq("INB"), "name": "停售套装", "currency": "CNY",
                                           "price": 100, "items": [{"product_id": pi["id"], "quantity": 1}]}),
              400, "an inactive component refused", field="items[0].product_id")

    # codes: trimmed; taken whatever the letter case
    code = ctx.uniq("trm").upper()
    r = fin.post("/api/v1/bundles", {"code": "  %s\u3000" % code, "name": "去空格", "currency": "CNY", "price": 100,
                                     "items": [{"product_id": w["p1"], "quantity": 1}]})
    ck.expect(r, 201, "a code with spaces around is stored trimmed", json={"code": code})
    ck.expect(fin.post("/api/v1/bundles", {"code": code.lower(), "name": "小写", "currency": "CNY", "price": 100,
                                           "items": [{"product_id": w["p1"], "quantity": 1}]}),
              409, "the code in lower case is taken", field="code")
    if r.status == 201:
        ck.expect(fin.patch("/api/v1/bundles/%d" % r.json["id"], {"code": code.lower()}), 200,
                  "its own code in another case may be written", json={"code": code.lower()})
    sid = new_service(ctx, fin, code=" %s " % ctx.uniq("SVT"))
    svc = ctx.must(a.get("/api/v1/service-items/%d" % sid), 200, "service item")
    ck.ok(svc["code"] == svc["code"].strip(), "service item code trimmed", repr(svc["code"]))
    ck.expect(fin.post("/api/v1/service-items", {"code": svc["code"].lower(), "kind": "support", "name": "小写",
                                                 "unit": "hour", "price": 1, "currency": "CNY"}),
              409, "a service item code in lower case is taken", field="code")

    if ctx.dsn.startswith("sqlite:"):
        return  # SQLite: one writer at a time, no such race
    # DELETE while an offer line naming the bundle is being inserted: 409 catalog.in_use naming id
    used = new_bundle(ctx, fin, code=ctx.uniq("RCE"))
    num = ctx.uniq("QRC")
    sql(ctx, "INSERT INTO offers (number, account_id, currency, price_date, valid_until, created_at, updated_at) "
             "VALUES ('%s', %d, 'CNY', '2026-06-01', '2026-06-30', 0, 0)" % (num, w["own"]))
    oid = int(sql(ctx, "SELECT id FROM offers WHERE number = '%s'" % num)[0][0])
    r = _while_locked(ctx, "INSERT INTO offer_lines (offer_id, position, kind, bundle_id, quantity, unit_price, "
                           "amount) VALUES (%d, 1, 'bundle', %d, 1000, 100, 100);" % (oid, used),
                      lambda: fin.delete("/api/v1/bundles/%d" % used))
    ck.expect(r, 409, "DELETE racing an offer line insert -> 409 catalog.in_use", field="id")
    if r is not None and r.status == 409:
        ck.ok(r.json["error"].get("key") == "catalog.in_use", "key catalog.in_use", repr(r.json))
    sid = new_service(ctx, fin)
    r = _while_locked(ctx, "INSERT INTO offer_lines (offer_id, position, kind, service_item_id, quantity, "
                           "unit_price, amount) VALUES (%d, 2, 'service', %d, 1000, 100, 100);" % (oid, sid),
                      lambda: fin.delete("/api/v1/service-items/%d" % sid))
    ck.expect(r, 409, "service item DELETE racing an offer line insert -> 409", field="id")
    if r is not None and r.status == 409:
        ck.ok(r.json["error"].get("key") == "catalog.in_use", "service item: key catalog.in_use", repr(r.json))
    _drop_offer(ctx, oid)

    # two PATCHes of the components at once: the later one is stale (409 stale_version), not duplicate
    bid = new_bundle(ctx, fin, code=ctx.uniq("RCP"))
    r = _while_locked(ctx, "DELETE FROM bundle_items WHERE bundle_id = %d; INSERT INTO bundle_items (bundle_id, "
                           "product_id, quantity) VALUES (%d, %d, 1000); UPDATE bundles SET version = version + 1 "
                           "WHERE id = %d;" % (bid, bid, w["p2"], bid),
                      lambda: fin.patch("/api/v1/bundles/%d" % bid,
                                        {"version": 1, "items": [{"product_id": w["p2"], "quantity": 2}]}))
    ck.expect(r, 409, "a PATCH racing another -> 409 naming version", field="version")
    if r is not None and r.status == 409:
        ck.ok(r.json["error"].get("key") == "stale_version", "key stale_version", repr(r.json))
    ck.expect(a.get("/api/v1/bundles/%d" % bid), 200, "the first PATCH's components stand",
              json={"version": 2, "items": [{"product_id": w["p2"], "quantity": 1}]})


GROUPS = [
    ("catalog", g_bundles, True),
    ("catalog_review", g_catalog_review, True),
    ("catalog_quote", g_bundle_quote, True),
    ("catalog_services", g_service_items, True),
    ("catalog_cost", g_unit_cost, True),
]


# ---- permission matrix builders (t_matrix.py): every route of api/offers/catalog.c

def _bundle(ctx):
    if "BU_matrix" not in ctx.ids:
        ctx.ids["BU_matrix"] = new_bundle(ctx, code=ctx.uniq("MXB"))
    return ctx.ids["BU_matrix"]


def _service(ctx):
    if "SI_matrix" not in ctx.ids:
        ctx.ids["SI_matrix"] = new_service(ctx, code=ctx.uniq("MXS"))
    return ctx.ids["SI_matrix"]


@route("GET", "/api/v1/bundles", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/bundles", query={"limit": "5"})


@route("GET", "/api/v1/bundles/count", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/bundles/count")


@route("POST", "/api/v1/bundles", "none")
def _(ctx, u, rec_):
    w = world(ctx)
    return Attempt("POST", "/api/v1/bundles", {"code": ctx.uniq("MXP"), "name": "矩阵套装", "currency": "CNY",
                                               "price": 100, "items": [{"product_id": w["p1"], "quantity": 1}]},
                   ok=201, state=lambda: bundle_state(ctx))


@route("GET", "/api/v1/bundles/{id}", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/bundles/%d" % _bundle(ctx))


@route("GET", "/api/v1/bundles/{id}/quote", "none")
def _(ctx, u, rec_):
    # every role reads the catalogue; the quote answers 404 for an account the caller may not read
    from t_matrix import acc
    a = acc(ctx, "other") if u.role in ("admin", "director", "finance") else acc(ctx, "own")
    return Attempt("GET", "/api/v1/bundles/%d/quote" % _bundle(ctx), query={"account_id": str(a)},
                   ok=404 if u.role == "hr" else 200)


@route("PATCH", "/api/v1/bundles/{id}", "none")
def _(ctx, u, rec_):
    bid = _bundle(ctx)
    return Attempt("PATCH", "/api/v1/bundles/%d" % bid, {"description": "matrix " + ctx.uniq()},
                   state=lambda: bundle_state(ctx, bid))


@route("DELETE", "/api/v1/bundles/{id}", "none")
def _(ctx, u, rec_):
    bid = new_bundle(ctx, code=ctx.uniq("MXD"))
    return Attempt("DELETE", "/api/v1/bundles/%d" % bid, ok=204, state=lambda: bundle_state(ctx, bid))


@route("GET", "/api/v1/service-items", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/service-items", query={"limit": "5"})


@route("GET", "/api/v1/service-items/count", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/service-items/count")


@route("POST", "/api/v1/service-items", "none")
def _(ctx, u, rec_):
    return Attempt("POST", "/api/v1/service-items",
                   {"code": ctx.uniq("MXT"), "kind": "training", "name": "矩阵培训", "unit": "day", "price": 100,
                    "currency": "CNY"}, ok=201, state=lambda: service_state(ctx))


@route("GET", "/api/v1/service-items/{id}", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/service-items/%d" % _service(ctx))


@route("PATCH", "/api/v1/service-items/{id}", "none")
def _(ctx, u, rec_):
    sid = _service(ctx)
    return Attempt("PATCH", "/api/v1/service-items/%d" % sid, {"sla": "matrix " + ctx.uniq()},
                   state=lambda: service_state(ctx, sid))


@route("DELETE", "/api/v1/service-items/{id}", "none")
def _(ctx, u, rec_):
    sid = new_service(ctx, code=ctx.uniq("MXE"))
    return Attempt("DELETE", "/api/v1/service-items/%d" % sid, ok=204, state=lambda: service_state(ctx, sid))
