"""The price engine (issue 15 item 1, docs/PRICING.md): GET /api/v1/prices/quote with its
explanation (worked examples end to end: account list, tier, breaks, currency, no price), who may
quote which account; price lists CRUD with nested items and breaks, validation 400s naming the
field with nothing written, versions, audit rows in the same transaction, the setting
prices.hide_other_accounts; the permission matrix builders of every route of api/offers/prices.c."""

import policy as pol
from policy import ALL, NONE, _roles
from t_matrix import route, Attempt, acc
from t_answers import sql

# ---- the suite's own policy row for the new object (src/svc/core/policy.c): every role reads
# prices; admin, director and finance write price lists, promotions and rebates.
PRICING_READ = _roles(ALL)
PRICING_WRITE = _roles(NONE, admin=ALL, director=ALL, finance=ALL)
pol.EXPECTED.update({
    ("pricing", "read"): PRICING_READ,
    ("pricing", "create"): PRICING_WRITE,
    ("pricing", "update"): PRICING_WRITE,
    ("pricing", "delete"): PRICING_WRITE,
})

CUR = "XPR"  # this module's own currency: 2.00 CNY per unit


def world(ctx):
    if getattr(ctx, "price_world", None):
        return ctx.price_world
    a = ctx.admin
    ctx.must(a.put("/api/v1/fx-rates", {"currency": CUR, "rate_micro": 2000000}), 200, "fx XPR")
    fam = ctx.uniq("PRF")
    p = ctx.must(a.post("/api/v1/products", {"sku": ctx.uniq("PRP"), "name": "定价产品", "family": fam,
                                            "list_price": {"amount": 10000, "currency": "CNY"}}), 201, "product P")
    q = ctx.must(a.post("/api/v1/products", {"sku": ctx.uniq("PRQ"), "name": "无价产品", "family": fam}), 201,
                 "product Q")
    own = ctx.new_account("am_e", code=ctx.uniq("PRA"), name="定价客户 " + ctx.tag, tier="strategic")
    other = ctx.new_account("am_w", code=ctx.uniq("PRB"), name="别家定价 " + ctx.tag, tier="growth")
    w = {"p": p["id"], "sku": p["sku"], "q": q["id"], "own": own, "other": other}
    ctx.price_world = w
    return w


def list_state(ctx, lid=None):
    st = {"lists": ctx.ids_of("/api/v1/price-lists", {"limit": "500"}),
          "audit": sql(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'price_list'")}
    if lid:
        r = ctx.admin.get("/api/v1/price-lists/%d" % lid)
        st["record"] = (r.status, r.json)
        r = ctx.admin.get("/api/v1/price-lists/%d/items" % lid)
        st["items"] = (r.status, r.json)
    return st


def new_list(ctx, client=None, **fields):
    body = {"name": fields.pop("name", "价目表 " + ctx.uniq()), "currency": fields.pop("currency", "CNY")}
    body.update(fields)
    return ctx.must((client or ctx.admin).post("/api/v1/price-lists", body), 201, "create price list")["id"]


def quote(client, **q):
    return client.get("/api/v1/prices/quote", {k: str(v) for k, v in q.items()})


def g_prices(ctx):
    ck = ctx.ck
    a = ctx.admin
    fin = ctx.U("fin").client
    w = world(ctx)
    p, own, other = w["p"], w["own"], w["other"]

    # A list for all: P 95.00, >= 10 units 5 % off, >= 100 units 80.00; an account list for own,
    # 2026 only: 88.00. Created by finance (a writer).
    body = {"name": "标准价 " + ctx.tag, "currency": "CNY", "scope": "all",
            "items": [{"product_id": p, "unit_price": 9500,
                       "breaks": [{"kind": "quantity", "threshold": 10000, "discount_bp": 500},
                                  {"kind": "quantity", "basis": "order", "threshold": 100000, "unit_price": 8000}]}]}
    r = fin.post("/api/v1/price-lists", body)
    if not ck.expect(r, 201, "POST price list as finance -> 201",
                     json={"name": body["name"], "scope": "all", "items": 1, "active": True, "version": 1,
                           "valid_from": None, "valid_to": None, "tier": None, "account_id": None}):
        return
    l_all = r.json["id"]
    r = a.post("/api/v1/price-lists", {"name": "大客户价 " + ctx.tag, "currency": "CNY", "scope": "account",
                                       "account_id": own, "valid_from": "2026-01-01", "valid_to": "2026-12-31",
                                       "items": [{"product_id": p, "unit_price": 8800}]})
    ck.expect(r, 201, "POST account price list", json={"scope": "account", "account_id": own, "items": 1})
    l_acc = r.json["id"] if r.status == 201 else 0
    ck.expect(a.get("/api/v1/price-lists/%d/items" % l_all), 200, "GET items with breaks",
              json={"items": [{"product_id": p, "unit_price": 9500, "breaks": [
                  {"kind": "quantity", "basis": "order", "threshold": 10000, "discount_bp": 500, "unit_price": None},
                  {"kind": "quantity", "basis": "order", "threshold": 100000, "unit_price": 8000,
                   "discount_bp": None}]}], "next_after_product": None})
    n_audit = sql(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'price_list' AND entity_id = %d "
                       "AND action = 'create'" % l_all)
    ck.ok(str(n_audit[0][0]) == "1", "price list create audited", repr(n_audit))

    # ---- quotes (worked examples)
    am = ctx.U("am_e").client
    r = quote(am, account_id=own, product_id=p, date="2026-06-15", quantity=1)
    ck.expect(r, 200, "quote: the account list wins (88.00)",
              json={"found": True, "unit_price": 8800, "currency": "CNY", "amount": 8800, "source": "list",
                    "list": {"id": l_acc, "scope": "account"}, "break_id": None, "promotion_id": None})
    if r.status == 200:
        ck.ok([s["kind"] for s in r.json["steps"]] == ["list"], "one step: the list", repr(r.json["steps"]))
        ck.ok(any(s["id"] == l_all and s["reason"] == "outranked" for s in r.json["skipped"]),
              "the list for all is named as outranked", repr(r.json["skipped"]))
    ck.expect(quote(am, account_id=own, product_id=p, date="2026-12-31"), 200, "valid_to inclusive",
              json={"unit_price": 8800})
    r = quote(am, account_id=own, product_id=p, date="2027-01-01", quantity="10")
    ck.expect(r, 200, "2027, 10 units: the list for all with 5 % off (95.00 -> 90.25)",
              json={"unit_price": 9025, "amount": 90250, "list": {"id": l_all}, "quantity": 10})
    if r.status == 200:
        ck.ok([(s["kind"], s["before"], s["after"]) for s in r.json["steps"]] == [("list", None, 9500),
                                                                                   ("break", 9500, 9025)],
              "steps list -> break", repr(r.json["steps"]))
    r = quote(am, account_id=own, sku=w["sku"], date="2027-01-01", quantity="9.999")
    ck.expect(r, 200, "by sku, 9.999 units: the break is not reached", json={"unit_price": 9500, "break_id": None})
    if r.status == 200:
        ck.ok(any(s["kind"] == "break" and s["reason"] == "not_reached" and s["need"] == 1 for s in r.json["skipped"]),
              "the break not reached says what is missing (0.001 unit)", repr(r.json["skipped"]))
    ck.expect(quote(am, account_id=own, product_id=p, date="2027-01-01", quantity=100), 200, "100 units: 80.00",
              json={"unit_price": 8000})
    r = quote(am, account_id=own, product_id=p, date="2027-01-01", quantity=10, currency=CUR)
    ck.expect(r, 200, "in XPR: 90.25 CNY / 2 = 45.125 -> 45.13 (half away from zero)",
              json={"unit_price": 4513, "currency": CUR, "base_price": 9500, "base_currency": "CNY"})
    ck.expect(quote(am, account_id=own, product_id=w["q"], date="2027-01-01"), 200, "no list, no list price: no price",
              json={"found": False, "unit_price": None, "source": "none", "steps": []})
    # the other account (growth) on the list for all; the other account's manager may not quote ours
    ck.expect(quote(ctx.U("am_w").client, account_id=other, product_id=p, date="2026-06-15"), 200,
              "the other account gets the list for all", json={"unit_price": 9500})
    ck.expect(quote(ctx.U("am_w").client, account_id=own, product_id=p), 404,
              "an account the caller may not read -> 404", field="account_id")
    ck.expect(quote(ctx.U("hr").client, account_id=own, product_id=p), 404, "hr reads no accounts -> 404")
    for q, field in [({"product_id": p}, "account_id"), ({"account_id": own}, "product_id"),
                     ({"account_id": own, "product_id": p, "date": "2026-02-30"}, "date"),
                     ({"account_id": own, "product_id": p, "quantity": "0"}, "quantity"),
                     ({"account_id": own, "product_id": p, "quantity": "1.2345"}, "quantity"),
                     ({"account_id": own, "product_id": p, "quantity": "abc"}, "quantity"),
                     ({"account_id": own, "product_id": p, "currency": "QQQ"}, "currency"),
                     ({"account_id": own, "sku": "no-such-sku-" + ctx.tag}, "sku"),
                     ({"account_id": own, "product_id": 99999999}, "product_id"),
                     ({"account_id": own, "product_id": p, "order_amount": "-1"}, "order_amount")]:
        ck.expect(quote(am, **q), 400, "quote %r -> 400 %s" % (q, field), field=field)

    # ---- validation: 400 naming the field, nothing written
    before = list_state(ctx)
    item = {"product_id": p, "unit_price": 1000}
    bad = [
        ({"currency": "CNY"}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"currency": "QQQ"}, "currency"),
        ({"currency": "cny"}, "currency"),
        ({"scope": "planet"}, "scope"),
        ({"scope": "tier"}, "tier"),
        ({"scope": "account"}, "account_id"),
        ({"scope": "group", "account_id": 99999999}, "account_id"),
        ({"scope": "all", "account_id": own}, "account_id"),
        ({"valid_from": "2026-02-01", "valid_to": "2026-01-31"}, "valid_to"),
        ({"valid_from": "2026-13-01"}, "valid_from"),
        ({"items": [{"product_id": 99999999, "unit_price": 1}]}, "items[0].product_id"),
        ({"items": [{"unit_price": 1}]}, "items[0].product_id"),
        ({"items": [{"product_id": p, "unit_price": -1}]}, "items[0].unit_price"),
        ({"items": [item, item]}, "items"),
        ({"items": [dict(item, breaks=[{"kind": "weight", "threshold": 1, "unit_price": 900}])]},
         "items[0].breaks[0].kind"),
        ({"items": [dict(item, breaks=[{"kind": "quantity", "basis": "week", "threshold": 1, "unit_price": 900}])]},
         "items[0].breaks[0].basis"),
        ({"items": [dict(item, breaks=[{"kind": "quantity", "threshold": 0, "unit_price": 900}])]},
         "items[0].breaks[0].threshold"),
        ({"items": [dict(item, breaks=[{"kind": "quantity", "threshold": 5, "unit_price": 900,
                                        "discount_bp": 100}])]}, "items[0].breaks[0].unit_price"),
        ({"items": [dict(item, breaks=[{"kind": "quantity", "threshold": 5, "discount_bp": 10001}])]},
         "items[0].breaks[0].discount_bp"),
        ({"items": [dict(item, breaks=[{"kind": "quantity", "threshold": 5, "unit_price": 1001}])]},
         "items[0].breaks[0].unit_price"),
        # not monotonic: 10 units 9.00, 20 units 9.50
        ({"items": [dict(item, breaks=[{"kind": "quantity", "threshold": 10000, "unit_price": 900},
                                       {"kind": "quantity", "threshold": 20000, "unit_price": 950}])]},
         "items[0].breaks[1].unit_price"),
        ({"items": [dict(item, breaks=[{"kind": "amount", "threshold": 10000, "discount_bp": 500},
                                       {"kind": "amount", "threshold": 20000, "discount_bp": 400}])]},
         "items[0].breaks[1].discount_bp"),
        ({"items": [dict(item, breaks=[{"kind": "quantity", "threshold": 10000, "unit_price": 900},
                                       {"kind": "quantity", "threshold": 10000, "unit_price": 800}])]},
         "items[0].breaks[1].threshold"),
        ({"version": 2}, "version"),
        ({"bogus": 1}, "bogus"),
    ]
    for b, field in bad:
        body = {"name": "坏价目表", "currency": "CNY"}
        body.update(b)
        if "name" in field and "name" not in b:
            body.pop("name")
        ck.expect(a.post("/api/v1/price-lists", body), 400, "bad price list %r -> 400 %s" % (
            list(b.keys()), field), field=field)
    ck.same(before, list_state(ctx), "rejected price lists changed nothing")
    # a different kind or basis is another series: no monotonic rule across them
    r = a.post("/api/v1/price-lists", {"name": "两个系列", "currency": "CNY", "items": [dict(item, breaks=[
        {"kind": "quantity", "threshold": 10000, "unit_price": 800},
        {"kind": "quantity", "basis": "month", "threshold": 20000, "unit_price": 900}])]})
    ck.expect(r, 201, "breaks of two series are each monotonic")
    if r.status == 201:
        ck.expect(a.delete("/api/v1/price-lists/%d" % r.json["id"]), 204, "DELETE price list")

    # ---- PATCH: versions, items replaced whole, audit
    if l_acc:
        r = a.patch("/api/v1/price-lists/%d" % l_acc, {"note": "年度协议", "version": 1})
        ck.expect(r, 200, "PATCH note", json={"note": "年度协议", "version": 2})
        ck.expect(a.patch("/api/v1/price-lists/%d" % l_acc, {"note": "x", "version": 1}), 409,
                  "PATCH with a stale version -> 409", field="version")
        ck.expect(a.patch("/api/v1/price-lists/%d" % l_acc, {"note": "年度协议"}), 200,
                  "PATCH that changes nothing keeps the version", json={"version": 2})
        before = list_state(ctx, l_acc)
        ck.expect(a.patch("/api/v1/price-lists/%d" % l_acc, {"items": [item, item]}), 400,
                  "PATCH with a product twice -> 400", field="items")
        ck.same(before, list_state(ctx, l_acc), "the refused PATCH changed nothing")
        r = a.patch("/api/v1/price-lists/%d" % l_acc, {"items": []})
        ck.expect(r, 200, "PATCH items to none", json={"version": 3, "items": 0})
        r = a.patch("/api/v1/price-lists/%d" % l_acc, {"items": [{"product_id": p, "unit_price": 8700}]})
        ck.expect(r, 200, "PATCH items", json={"version": 4, "items": 1})
        ck.expect(quote(am, account_id=own, product_id=p, date="2026-06-15"), 200, "the quote follows (87.00)",
                  json={"unit_price": 8700})
        rows = sql(ctx, "SELECT changes FROM audit WHERE entity = 'price_list' AND entity_id = %d AND "
                        "action = 'update' ORDER BY id" % l_acc)
        ck.ok(len(rows) == 3 and "8800" in str(rows[-2][0]) and "8700" in str(rows[-1][0]),
              "three audited updates, the items before and after", repr(rows)[:400])
        # moved off the account scope: the account goes with it
        r = a.patch("/api/v1/price-lists/%d" % l_acc, {"active": False})
        ck.expect(r, 200, "deactivate", json={"active": False})
        ck.expect(quote(am, account_id=own, product_id=p, date="2026-06-15", quantity=1), 200,
                  "an inactive list is skipped", json={"unit_price": 9500})

    # ---- lists, filters, hiding other accounts' lists
    ck.expect(a.get("/api/v1/price-lists", {"scope": "account", "account_id": str(own)}), 200,
              "list filtered by scope and account", json={"items": [{"id": l_acc}]})
    ck.expect(a.get("/api/v1/price-lists/count", {"scope": "account", "account_id": str(own)}), 200,
              "count", json={"total": 1})
    ck.expect(a.get("/api/v1/price-lists", {"scope": "moon"}), 400, "bad scope filter", field="scope")
    ck.expect(a.get("/api/v1/price-lists", {"active": "2"}), 400, "bad active filter", field="active")
    ck.expect(a.get("/api/v1/price-lists", {"valid_on": "2026-02-30"}), 400, "bad valid_on", field="valid_on")
    r = ctx.U("am_w").client.get("/api/v1/price-lists", {"account_id": str(own)})
    ck.expect(r, 200, "another team's account lists are hidden from a scoped reader", json={"items": []})
    ck.expect(ctx.U("am_w").client.get("/api/v1/price-lists/%d" % l_acc), 404, "... and GET answers 404")
    ck.expect(ctx.U("am_e").client.get("/api/v1/price-lists/%d" % l_acc), 200, "the account's own manager sees it")
    ck.expect(ctx.U("am_w").client.get("/api/v1/price-lists/%d" % l_all), 200, "a list for all is seen by all")
    # the setting off: everyone who reads prices sees every list
    sql(ctx, "UPDATE settings SET value = '0' WHERE key = 'prices.hide_other_accounts'")
    try:
        ck.expect(ctx.U("am_w").client.get("/api/v1/price-lists/%d" % l_acc), 200,
                  "prices.hide_other_accounts = 0: another team's account list is readable")
        ck.expect(ctx.U("am_w").client.get("/api/v1/price-lists", {"account_id": str(own)}), 200,
                  "... and listed", json={"items": [{"id": l_acc}]})
    finally:
        sql(ctx, "UPDATE settings SET value = '1' WHERE key = 'prices.hide_other_accounts'")
    ck.expect(ctx.U("am_w").client.get("/api/v1/price-lists/%d" % l_acc), 404, "the setting back on: hidden again")
    # paging
    r1 = a.get("/api/v1/price-lists", {"limit": "1", "sort": "id"})
    if ck.expect(r1, 200, "page 1") and r1.json.get("next_cursor"):
        r2 = a.get("/api/v1/price-lists", {"limit": "1", "sort": "id", "cursor": r1.json["next_cursor"]})
        ck.expect(r2, 200, "page 2")
        if r2.status == 200 and r2.json["items"]:
            ck.ok(r2.json["items"][0]["id"] > r1.json["items"][0]["id"], "keyset pages move on")

    # ---- writers only; delete audited
    ck.expect(am.post("/api/v1/price-lists", {"name": "x", "currency": "CNY"}), 403, "an account manager may not write")
    lid = new_list(ctx)
    ck.expect(a.delete("/api/v1/price-lists/%d" % lid), 204, "DELETE")
    ck.expect(a.get("/api/v1/price-lists/%d" % lid), 404, "gone")
    rows = sql(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'price_list' AND entity_id = %d AND action = 'delete'"
               % lid)
    ck.ok(str(rows[0][0]) == "1", "delete audited", repr(rows))


def rule_state(ctx, kind, rid=None):
    st = {"items": ctx.ids_of("/api/v1/%s" % kind, {"limit": "500"}),
          "audit": sql(ctx, "SELECT COUNT(*) FROM audit WHERE entity IN ('promotion', 'rebate')")}
    if rid:
        r = ctx.admin.get("/api/v1/%s/%d" % (kind, rid))
        st["record"] = (r.status, r.json)
    return st


def new_promo(ctx, **fields):
    body = {"name": "促销 " + ctx.uniq(), "all_products": True, "discount_bp": 100,
            "valid_from": "2030-01-01", "valid_to": "2030-01-31"}
    body.update(fields)
    return ctx.must(ctx.admin.post("/api/v1/promotions", body), 201, "create promotion")["id"]


def new_rebate(ctx, **fields):
    body = {"name": "返利 " + ctx.uniq(), "scope": "tier", "tier": "maintain",
            "tiers": [{"threshold": 100000000, "rebate_bp": 100}]}
    body.update(fields)
    return ctx.must(ctx.admin.post("/api/v1/rebates", body), 201, "create rebate")["id"]


def g_promotions(ctx):
    ck = ctx.ck
    a = ctx.admin
    w = world(ctx)
    p, own, other = w["p"], w["own"], w["other"]
    am = ctx.U("am_e").client
    # the list price of P (100.00) is the base for a fresh account without lists: use 2031
    fam = a.get("/api/v1/products/%d" % p).json["family"]
    body = {"name": "开年促销 " + ctx.tag, "valid_from": "2031-01-01", "valid_to": "2031-01-31",
            "families": [fam], "discount_bp": 1000}
    r = ctx.U("dir").client.post("/api/v1/promotions", body)
    if not ck.expect(r, 201, "POST promotion as the director", json={"families": [fam], "product_ids": [],
                                                                     "scope": "all", "discount_bp": 1000,
                                                                     "unit_price": None, "version": 1}):
        return
    pr1 = r.json["id"]
    r = a.post("/api/v1/promotions", {"name": "专享价", "scope": "account", "account_id": own,
                                      "product_ids": [p], "unit_price": 4000, "currency": CUR,
                                      "valid_from": "2031-01-15", "valid_to": "2031-02-28"})
    ck.expect(r, 201, "POST fixed-price promotion for one account in XPR",
              json={"product_ids": [p], "currency": CUR, "account_id": own})
    pr2 = r.json["id"] if r.status == 201 else 0
    # quotes: list 95.00 (the list for all from g_prices, if it ran) or the list price
    base = quote(am, account_id=own, product_id=p, date="2030-12-31")
    b0 = base.json["unit_price"] if base.status == 200 else None
    r = quote(am, account_id=own, product_id=p, date="2031-01-10")
    ck.expect(r, 200, "10 %% off the family (%s -> %s)" % (b0, b0 and round(b0 * 0.9)),
              json={"promotion_id": pr1, "unit_price": (b0 * 9000 + 5000) // 10000 if b0 else None})
    r = quote(am, account_id=own, product_id=p, date="2031-01-20")
    ck.expect(r, 200, "40.00 XPR = 80.00 CNY beats 10 % off", json={"promotion_id": pr2, "unit_price": 8000})
    if r.status == 200:
        ck.ok(any(x["id"] == pr1 and x["reason"] == "not_best" for x in r.json["skipped"]), "the other one: not_best",
              repr(r.json["skipped"]))
    ck.expect(quote(ctx.U("am_w").client, account_id=other, product_id=p, date="2031-01-20"), 200,
              "the account promotion is not for others", json={"promotion_id": pr1})
    ck.expect(quote(am, account_id=own, product_id=p, date="2031-03-01"), 200, "after both: no promotion",
              json={"promotion_id": None, "unit_price": b0})

    before = rule_state(ctx, "promotions")
    for b, field in [({"all_products": True}, "discount_bp"),
                     ({"all_products": True, "discount_bp": 10, "unit_price": 5, "currency": "CNY"}, "discount_bp"),
                     ({"all_products": True, "discount_bp": 0}, "discount_bp"),
                     ({"all_products": True, "discount_bp": 10001}, "discount_bp"),
                     ({"all_products": True, "unit_price": 5}, "currency"),
                     ({"all_products": True, "unit_price": 5, "currency": "QQQ"}, "currency"),
                     ({"all_products": True, "discount_bp": 10, "currency": "CNY"}, "currency"),
                     ({"discount_bp": 10}, "product_ids"),
                     ({"all_products": True, "product_ids": [p], "discount_bp": 10}, "product_ids"),
                     ({"product_ids": [99999999], "discount_bp": 10}, "product_ids"),
                     ({"product_ids": [p, p], "discount_bp": 10}, "product_ids"),
                     ({"families": [""], "discount_bp": 10}, "families"),
                     ({"all_products": True, "discount_bp": 10, "scope": "group"}, "scope"),
                     ({"all_products": True, "discount_bp": 10, "scope": "account"}, "account_id"),
                     ({"all_products": True, "discount_bp": 10, "scope": "tier"}, "tier"),
                     ({"all_products": True, "discount_bp": 10, "valid_from": "2031-02-01",
                       "valid_to": "2031-01-01"}, "valid_to"),
                     ({"all_products": True, "discount_bp": 10, "name": ""}, "name")]:
        body = {"name": "坏促销"}
        body.update(b)
        ck.expect(a.post("/api/v1/promotions", body), 400, "bad promotion %r -> 400 %s" % (b, field), field=field)
    ck.same(before, rule_state(ctx, "promotions"), "rejected promotions changed nothing")
    ck.expect(am.post("/api/v1/promotions", {"name": "x", "all_products": True, "discount_bp": 1}), 403,
              "an account manager may not create promotions")
    r = a.patch("/api/v1/promotions/%d" % pr1, {"discount_bp": 500, "version": 1})
    ck.expect(r, 200, "PATCH promotion", json={"discount_bp": 500, "version": 2})
    ck.expect(a.patch("/api/v1/promotions/%d" % pr1, {"discount_bp": 600, "version": 1}), 409, "stale -> 409",
              field="version")
    r = a.patch("/api/v1/promotions/%d" % pr1, {"unit_price": 9000, "currency": "CNY"})
    ck.expect(r, 200, "switch to a fixed price", json={"discount_bp": None, "unit_price": 9000, "currency": "CNY"})
    ck.expect(a.get("/api/v1/promotions", {"valid_on": "2031-01-20"}), 200, "list valid_on",
              json={"items": [{"id": pr1}, {"id": pr2}]})
    ck.expect(ctx.U("am_w").client.get("/api/v1/promotions/%d" % pr2), 404, "another account's promotion is hidden")
    rows = sql(ctx, "SELECT action FROM audit WHERE entity = 'promotion' AND entity_id = %d ORDER BY id" % pr1)
    ck.ok([x[0] for x in rows] == ["create", "update", "update"], "promotion writes audited", repr(rows))
    ck.expect(a.delete("/api/v1/promotions/%d" % pr1), 204, "DELETE promotion")
    ck.expect(a.get("/api/v1/promotions/%d" % pr1), 404, "gone")

    # rebates
    r = ctx.U("fin").client.post("/api/v1/rebates", {"name": "年度返利 " + ctx.tag, "scope": "account",
                                                     "account_id": own, "tiers": [
                                                         {"threshold": 50000000, "rebate_bp": 500},
                                                         {"threshold": 10000000, "rebate_bp": 200}]})
    ck.expect(r, 201, "POST rebate as finance (tiers sorted)",
              json={"tiers": [{"threshold": 10000000, "rebate_bp": 200}, {"threshold": 50000000, "rebate_bp": 500}]})
    rb = r.json["id"] if r.status == 201 else 0
    r = quote(am, account_id=own, product_id=p, date="2031-06-01")
    ck.expect(r, 200, "the quote reports the rebate: nothing bought in 2031 yet",
              json={"rebate": {"id": rb, "year": 2031, "year_amount": 0, "reached": None,
                               "next": {"threshold": 10000000, "rebate_bp": 200, "to_go": 10000000}}})
    before = rule_state(ctx, "rebates")
    for b, field in [({"tiers": []}, "tiers"),
                     ({"tiers": [{"threshold": 1}]}, "tiers[0].rebate_bp"),
                     ({"tiers": [{"threshold": -1, "rebate_bp": 1}]}, "tiers[0].threshold"),
                     ({"tiers": [{"threshold": 1, "rebate_bp": 10001}]}, "tiers[0].rebate_bp"),
                     ({"tiers": [{"threshold": 1, "rebate_bp": 5}, {"threshold": 2, "rebate_bp": 4}]}, "tiers"),
                     ({"tiers": [{"threshold": 1, "rebate_bp": 5}, {"threshold": 1, "rebate_bp": 6}]}, "tiers"),
                     ({"scope": "all", "tiers": [{"threshold": 1, "rebate_bp": 5}]}, "scope"),
                     ({"scope": "account", "tiers": [{"threshold": 1, "rebate_bp": 5}]}, "account_id")]:
        body = {"name": "坏返利", "scope": "tier", "tier": "key"}
        body.update(b)
        if body["scope"] != "tier":
            body.pop("tier")
        ck.expect(a.post("/api/v1/rebates", body), 400, "bad rebate %r -> 400 %s" % (b, field), field=field)
    ck.same(before, rule_state(ctx, "rebates"), "rejected rebates changed nothing")
    if rb:
        ck.expect(a.patch("/api/v1/rebates/%d" % rb, {"active": False, "version": 1}), 200, "PATCH rebate",
                  json={"active": False, "version": 2})
        ck.expect(quote(am, account_id=own, product_id=p, date="2031-06-01"), 200, "an inactive rebate is not reported",
                  json={"rebate": None})
        ck.expect(ctx.U("am_w").client.get("/api/v1/rebates", {"account_id": str(own)}), 200,
                  "another account's rebate is hidden", json={"items": []})
        ck.expect(a.delete("/api/v1/rebates/%d" % rb), 204, "DELETE rebate")
        rows = sql(ctx, "SELECT action FROM audit WHERE entity = 'rebate' AND entity_id = %d ORDER BY id" % rb)
        ck.ok([x[0] for x in rows] == ["create", "update", "delete"], "rebate writes audited", repr(rows))
    if pr2:
        ck.expect(a.delete("/api/v1/promotions/%d" % pr2), 204, "DELETE the account promotion")


def _err_key(r):
    e = r.json.get("error") if isinstance(r.json, dict) else None
    return e.get("key") if isinstance(e, dict) else None


def g_price_fixes(ctx):
    """The review's findings (docs/PRICING.md): an account with prices is not deleted (409
    account.has_prices), a large list's PATCH is audited as a per-product diff, tiers checked,
    the quote's default day is China's, the hide setting through its route, group lists
    visible to readers of any account under the group, a PATCH of scope drops what it no longer
    names, the audit route for price_list/promotion/rebate."""
    ck = ctx.ck
    a = ctx.admin
    w = world(ctx)
    p = w["p"]

    # ---- 1. deleting an account with prices: 409, nothing deleted; without them: 204
    acc_x = ctx.new_account("am_e", code=ctx.uniq("PXD"), name="删价客户 " + ctx.tag, tier="key")
    lx = new_list(ctx, scope="account", account_id=acc_x, items=[{"product_id": p, "unit_price": 7000}])
    px = new_promo(ctx, name="删价促销", scope="account", account_id=acc_x)
    before = (sql(ctx, "SELECT COUNT(*) FROM price_lists WHERE account_id = %d" % acc_x),
              sql(ctx, "SELECT COUNT(*) FROM audit"))
    r = a.delete("/api/v1/accounts/%d" % acc_x)
    ck.expect(r, 409, "DELETE an account with its own price list and promotion -> 409", field="id")
    ck.ok(_err_key(r) == "account.has_prices", "error key account.has_prices", repr(r.json))
    ck.same(before, (sql(ctx, "SELECT COUNT(*) FROM price_lists WHERE account_id = %d" % acc_x),
                     sql(ctx, "SELECT COUNT(*) FROM audit")), "the refused delete changed nothing")
    ck.expect(a.get("/api/v1/price-lists/%d" % lx), 200, "the account's list is still there")
    ck.expect(a.delete("/api/v1/price-lists/%d" % lx), 204, "DELETE the account's list")
    r = a.delete("/api/v1/accounts/%d" % acc_x)
    ck.expect(r, 409, "the promotion still holds it -> 409", field="id")
    ck.expect(a.delete("/api/v1/promotions/%d" % px), 204, "DELETE the account's promotion")
    ck.expect(a.delete("/api/v1/accounts/%d" % acc_x), 204, "without prices the account is deleted")

    # ---- 3. tiers are the account tiers
    ck.expect(a.post("/api/v1/price-lists", {"name": "坏等级", "currency": "CNY", "scope": "tier", "tier": "gold"}),
              400, "price list tier gold -> 400 tier", field="tier")
    ck.expect(a.post("/api/v1/promotions", {"name": "坏等级", "scope": "tier", "tier": "gold", "all_products": True,
                                            "discount_bp": 100}), 400, "promotion tier gold -> 400 tier", field="tier")
    ck.expect(a.post("/api/v1/rebates", {"name": "坏等级", "scope": "tier", "tier": "Key",
                                         "tiers": [{"threshold": 1, "rebate_bp": 1}]}),
              400, "rebate tier Key -> 400 tier", field="tier")
    ck.expect(a.post("/api/v1/price-lists", {"name": "好等级 " + ctx.uniq(), "currency": "CNY", "scope": "tier",
                                             "tier": "growth"}), 201, "price list tier growth -> 201")

    # ---- 10. PATCH of scope drops the account / tier it no longer names
    pa = new_promo(ctx, name="改范围", scope="account", account_id=w["own"])
    r = a.patch("/api/v1/promotions/%d" % pa, {"scope": "all", "version": 1})
    ck.expect(r, 200, "PATCH an account promotion to scope all -> 200",
              json={"scope": "all", "account_id": None, "tier": None, "version": 2})
    r = a.patch("/api/v1/promotions/%d" % pa, {"scope": "tier", "tier": "key", "version": 2})
    ck.expect(r, 200, "then to tier key", json={"scope": "tier", "tier": "key", "account_id": None})
    r = a.patch("/api/v1/promotions/%d" % pa, {"scope": "all", "version": 3})
    ck.expect(r, 200, "then back to all: the tier dropped", json={"scope": "all", "tier": None})
    rb = new_rebate(ctx, name="改范围返利")
    r = a.patch("/api/v1/rebates/%d" % rb, {"scope": "account", "account_id": w["own"], "version": 1})
    ck.expect(r, 200, "PATCH a tier rebate to one account: the tier dropped",
              json={"scope": "account", "account_id": w["own"], "tier": None})
    ck.expect(a.delete("/api/v1/promotions/%d" % pa), 204, "cleanup promotion")
    ck.expect(a.delete("/api/v1/rebates/%d" % rb), 204, "cleanup rebate")

    # ---- audit route for the pricing entities
    for ent, rid in (("price_list", lx), ("promotion", px)):
        r = a.get("/api/v1/audit", {"entity": ent, "id": str(rid)})
        ck.expect(r, 200, "GET /audit?entity=%s -> 200" % ent)
        if r.status == 200:
            ck.ok([x["action"] for x in r.json["items"]] == ["delete", "create"],
                  "the %s's history: create, delete (newest first)" % ent, repr(r.json)[:300])
    ck.expect(ctx.U("am_w").client.get("/api/v1/audit", {"entity": "price_list", "id": str(lx)}), 404,
              "an account list's history is out of another manager's scope")

    # ---- 2. a list near the body cap: POST then PATCH of every item, audited as a diff
    big_list(ctx)

    # ---- 7 and 9: the hide setting through its route; group lists
    hide_and_groups(ctx)

    # ---- 4. the quote's default day is China's
    china_day(ctx)


def big_list(ctx):
    ck, a = ctx.ck, ctx.admin
    n = 860  # x 20 breaks: ~1.0 MB of compact JSON, under the 1 MiB body cap
    pre = ctx.uniq("BIG")
    sql(ctx, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d) INSERT INTO products "
             "(sku, name, family, list_price, currency, created_at, updated_at) SELECT '%s' || i, 'big', 'FBIG', "
             "1000, 'CNY', 1, 1 FROM n" % (n, pre))
    pids = [int(x[0]) for x in sql(ctx, "SELECT id FROM products WHERE sku LIKE '%s%%' ORDER BY id" % pre)]
    if not ck.ok(len(pids) == n, "%d products for the big list" % n, str(len(pids))):
        return

    def body(price, name=None):
        items = [{"product_id": pid, "unit_price": price,
                  "breaks": [{"kind": "quantity", "threshold": 100000 + k * 1000, "discount_bp": 100 + k * 10}
                             for k in range(20)]} for pid in pids]
        b = {"items": items}
        if name:
            b.update({"name": name, "currency": "CNY"})
        return b

    import json as _json
    raw = _json.dumps(body(99999, "大价目表 " + ctx.tag), separators=(",", ":"), ensure_ascii=False).encode()
    ck.ok(len(raw) > 1000000 and len(raw) < (1 << 20), "the POST body is near the 1 MiB cap", str(len(raw)))
    r = a.post("/api/v1/price-lists", raw=raw)
    if not ck.expect(r, 201, "POST a list of %d items x 20 breaks -> 201" % n, json={"items": n}):
        return
    lid = r.json["id"]
    b2 = body(99998)
    b2["version"] = 1
    b2["items"][0]["unit_price"] = 88888
    del b2["items"][-1]
    raw = _json.dumps(b2, separators=(",", ":"), ensure_ascii=False).encode()
    r = a.patch("/api/v1/price-lists/%d" % lid, raw=raw)
    ck.expect(r, 200, "PATCH replacing every item of the big list -> 200", json={"items": n - 1, "version": 2})
    items = ctx.audit_items("price_list", lid)
    if ck.ok(isinstance(items, list) and len(items) == 2, "create and update audited", repr(items)[:300]):
        ch = items[0]["changes"]
        ck.ok(ch.get("items", [None, None])[0] == "%d items" % n or
              str(ch.get("items", [""])[0]).startswith("%d items #" % n), "items before: count + digest",
              repr(ch.get("items")))
        ck.ok(str(ch.get("items", ["", ""])[1]).startswith("%d items #" % (n - 1)), "items after: count + digest",
              repr(ch.get("items")))
        ck.ok(ch.get("items_changed", [None, ""])[1] == "%d changes: 0 added, 1 removed, %d changed" % (n, n - 1),
              "a large change is its counts", repr(ch.get("items_changed"))[:200])
    # a small PATCH: the per-product diff names old -> new
    b3 = body(99998)
    b3["version"] = 2
    del b3["items"][-1]
    b3["items"][0]["unit_price"] = 77777
    b3["items"][1]["breaks"] = b3["items"][1]["breaks"][:1]
    raw = _json.dumps(b3, separators=(",", ":"), ensure_ascii=False).encode()
    ck.expect(a.patch("/api/v1/price-lists/%d" % lid, raw=raw), 200, "PATCH two items", json={"version": 3})
    items = ctx.audit_items("price_list", lid)
    if isinstance(items, list) and items:
        got = items[0]["changes"].get("items_changed", [None, ""])[1]
        want = "~%d:88888[" % pids[0]
        ck.ok(got.startswith(want) and "->77777[" in got and got.count(";~") == 1 and
              got.endswith("->99998[quantity/order>=100000=-100bp]"),
              "the diff names both items with old -> new", got[:200] + " ... " + got[-120:])
    ck.expect(a.delete("/api/v1/price-lists/%d" % lid), 204, "DELETE the big list")


def hide_and_groups(ctx):
    ck, a = ctx.ck, ctx.admin
    w = world(ctx)
    p = w["p"]
    am_e, am_w = ctx.U("am_e").client, ctx.U("am_w").client
    r = a.get("/api/v1/settings/prices")
    ck.expect(r, 200, "GET /settings/prices", json={"hide_other_accounts": True})
    ck.expect(a.patch("/api/v1/settings/prices", {}), 400, "PATCH without the field -> 400",
              field="hide_other_accounts")
    ck.expect(am_e.patch("/api/v1/settings/prices", {"hide_other_accounts": False}), 403,
              "an account manager may not change it")
    # the parent (am_w's) with a child of am_e: the reviewer's case (am.east1 owns 4 under 1)
    parent = ctx.new_account("am_w", code=ctx.uniq("PGP"), name="集团 " + ctx.tag, tier="key")
    child = ctx.new_account("am_e", code=ctx.uniq("PGC"), name="集团子公司 " + ctx.tag, tier="key",
                            parent_id=parent)
    lone = ctx.new_account("am_w", code=ctx.uniq("PGL"), name="别家集团 " + ctx.tag, tier="key")
    lg = new_list(ctx, name="集团价 " + ctx.tag, scope="group", account_id=parent,
                  items=[{"product_id": p, "unit_price": 6600}])
    lo = new_list(ctx, name="别家集团价 " + ctx.tag, scope="group", account_id=lone,
                  items=[{"product_id": p, "unit_price": 6500}])
    la = new_list(ctx, name="集团本部价 " + ctx.tag, scope="account", account_id=parent,
                  items=[{"product_id": p, "unit_price": 6400}])
    try:
        r = quote(am_e, account_id=child, product_id=p, date="2040-01-01")
        ck.expect(r, 200, "the child's quote takes the group list", json={"list": {"id": lg}, "unit_price": 6600})
        ck.expect(am_e.get("/api/v1/price-lists/%d" % lg), 200,
                  "the group list the quote names is visible to the child's reader")
        ck.expect(am_e.get("/api/v1/price-lists/%d/items" % lg), 200, "and its items")
        ck.expect(am_e.get("/api/v1/price-lists/%d" % la), 404, "the parent's own account list is not")
        ck.expect(am_e.get("/api/v1/price-lists/%d" % lo), 404, "nor another group's list")
        r = am_e.get("/api/v1/price-lists", {"scope": "group", "limit": "500"})
        ids = [x["id"] for x in r.json["items"]] if r.status == 200 else []
        ck.ok(lg in ids and lo not in ids, "the list of group lists: the child's group, not another", repr(ids))
        r1 = am_e.get("/api/v1/price-lists/count", {"scope": "group"})
        ck.ok(r1.status == 200 and r1.json["total"] == len(ids), "count agrees with the list",
              "%s %s" % (r1.status, r1.json))
        ck.expect(am_w.get("/api/v1/price-lists/%d" % lg), 200, "the parent's owner sees the group list")
        # hide off through the route (audited as settings), then on again
        n0 = sql(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'settings'")[0][0]
        r = a.patch("/api/v1/settings/prices", {"hide_other_accounts": False})
        ck.expect(r, 200, "PATCH hide_other_accounts false", json={"hide_other_accounts": False})
        n1 = sql(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'settings'")[0][0]
        ck.ok(int(n1) == int(n0) + 1, "the change is audited as settings", "%s -> %s" % (n0, n1))
        ck.expect(am_e.get("/api/v1/price-lists/%d" % la), 200, "hide off: the parent's account list is visible")
        ck.expect(am_e.get("/api/v1/price-lists/%d" % lo), 200, "hide off: the other group's list too")
        r = a.patch("/api/v1/settings/prices", {"hide_other_accounts": True})
        ck.expect(r, 200, "PATCH hide_other_accounts true", json={"hide_other_accounts": True})
        ck.expect(am_e.get("/api/v1/price-lists/%d" % la), 404, "hide on again: hidden")
    finally:
        a.patch("/api/v1/settings/prices", {"hide_other_accounts": True})
        for lid in (lg, lo, la):
            a.delete("/api/v1/price-lists/%d" % lid)


def china_day(ctx):
    """KAM_NOW 23:30 UTC is 07:30 the next day in China: the quote without a date is for that day."""
    import datetime
    from lib import Client, Server
    ck = ctx.ck
    w = world(ctx)
    # The last 23:30 UTC not after the real time: logging in on the pinned server drops the
    # sessions expired by its clock, so it must not run ahead of the suite's sessions.
    real = datetime.datetime.now(datetime.timezone.utc)
    pin = real.replace(hour=23, minute=30, second=0, microsecond=0)
    if pin > real:
        pin -= datetime.timedelta(days=1)
    day0 = pin.date()
    day1 = (day0 + datetime.timedelta(days=1)).isoformat()
    now = int(pin.timestamp())
    # a list valid on the China day only
    lid = new_list(ctx, name="中国日 " + ctx.tag, scope="account", account_id=w["own"], valid_from=day1,
                   valid_to=day1, items=[{"product_id": w["p"], "unit_price": 5500}])
    srv = Server(ctx.kam, ctx.dsn, ctx.tmp, name="kam-priceday",
                 env_extra={"KAM_NOW": str(now), "KAM_SESSION_TTL": str(400 * 86400)})
    try:
        if not ck.ok(srv.start(), "a server with KAM_NOW = %s 23:30 UTC starts" % day0, srv.start_error or ""):
            return

        class PC:
            pass
        pc = PC()
        pc.srv, pc.ck = srv, ck
        c = Client(pc, "am_e@priceday")
        u = ctx.U("am_e")
        ctx.must(c.login(u.login, u.password), 200, "login on the pinned server")
        r = c.get("/api/v1/prices/quote", {"account_id": str(w["own"]), "product_id": str(w["p"])})
        ck.expect(r, 200, "no date: today in China (%s), the one-day list applies" % day1,
                  json={"date": day1, "unit_price": 5500, "list": {"id": lid}})
    finally:
        srv.stop()
        ctx.admin.delete("/api/v1/price-lists/%d" % lid)


GROUPS = [
    ("prices", g_prices, True),
    ("promotions", g_promotions, True),
    ("price_fixes", g_price_fixes, True),
]


# ---- permission matrix builders (t_matrix.py): every route of api/offers/prices.c

def _list(ctx):
    if "PL_matrix" not in ctx.ids:
        ctx.ids["PL_matrix"] = new_list(ctx, name="矩阵价目表", items=[{"product_id": world(ctx)["p"],
                                                                      "unit_price": 9000}])
    return ctx.ids["PL_matrix"]


@route("GET", "/api/v1/prices/quote", "none")
def _(ctx, u, rec_):
    w = world(ctx)
    # every role reads prices; the quote answers 404 for an account the caller may not read:
    # org-wide readers quote any account, scoped ones their own, hr none.
    a = acc(ctx, "other") if u.role in ("admin", "director", "finance") else acc(ctx, "own")
    return Attempt("GET", "/api/v1/prices/quote", query={"account_id": str(a), "product_id": str(w["p"])},
                   ok=404 if u.role == "hr" else 200)


@route("GET", "/api/v1/price-lists", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/price-lists", query={"limit": "5"})


@route("GET", "/api/v1/price-lists/count", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/price-lists/count")


@route("POST", "/api/v1/price-lists", "none")
def _(ctx, u, rec_):
    return Attempt("POST", "/api/v1/price-lists", {"name": "矩阵 " + ctx.uniq(), "currency": "CNY"}, ok=201,
                   state=lambda: list_state(ctx))


@route("GET", "/api/v1/price-lists/{id}", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/price-lists/%d" % _list(ctx))


@route("GET", "/api/v1/price-lists/{id}/items", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/price-lists/%d/items" % _list(ctx))


@route("PATCH", "/api/v1/price-lists/{id}", "none")
def _(ctx, u, rec_):
    lid = _list(ctx)
    return Attempt("PATCH", "/api/v1/price-lists/%d" % lid, {"note": "matrix " + ctx.uniq()},
                   state=lambda: list_state(ctx, lid))


@route("DELETE", "/api/v1/price-lists/{id}", "none")
def _(ctx, u, rec_):
    lid = new_list(ctx, name="矩阵删除")
    return Attempt("DELETE", "/api/v1/price-lists/%d" % lid, ok=204, state=lambda: list_state(ctx, lid))


def _promo(ctx):
    if "PR_matrix" not in ctx.ids:
        ctx.ids["PR_matrix"] = new_promo(ctx, name="矩阵促销")
    return ctx.ids["PR_matrix"]


def _rebate(ctx):
    if "RB_matrix" not in ctx.ids:
        ctx.ids["RB_matrix"] = new_rebate(ctx, name="矩阵返利")
    return ctx.ids["RB_matrix"]


@route("GET", "/api/v1/promotions", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/promotions", query={"limit": "5"})


@route("POST", "/api/v1/promotions", "none")
def _(ctx, u, rec_):
    return Attempt("POST", "/api/v1/promotions", {"name": "矩阵 " + ctx.uniq(), "all_products": True,
                                                  "discount_bp": 100, "valid_from": "2030-02-01",
                                                  "valid_to": "2030-02-01"}, ok=201,
                   state=lambda: rule_state(ctx, "promotions"))


@route("GET", "/api/v1/promotions/{id}", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/promotions/%d" % _promo(ctx))


@route("PATCH", "/api/v1/promotions/{id}", "none")
def _(ctx, u, rec_):
    pid = _promo(ctx)
    return Attempt("PATCH", "/api/v1/promotions/%d" % pid, {"name": "矩阵 " + ctx.uniq()},
                   state=lambda: rule_state(ctx, "promotions", pid))


@route("DELETE", "/api/v1/promotions/{id}", "none")
def _(ctx, u, rec_):
    pid = new_promo(ctx, name="矩阵删除促销")
    return Attempt("DELETE", "/api/v1/promotions/%d" % pid, ok=204, state=lambda: rule_state(ctx, "promotions", pid))


@route("GET", "/api/v1/settings/prices", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/settings/prices")


@route("PATCH", "/api/v1/settings/prices", "none")
def _(ctx, u, rec_):
    # the default value again: allowed for config writers, no change to undo
    return Attempt("PATCH", "/api/v1/settings/prices", {"hide_other_accounts": True},
                   state=lambda: (ctx.config_state(), ctx.admin.get("/api/v1/settings/prices").json),
                   cleanup=lambda: ctx.admin.patch("/api/v1/settings/prices", {"hide_other_accounts": True}))


@route("GET", "/api/v1/rebates", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/rebates", query={"limit": "5"})


@route("POST", "/api/v1/rebates", "none")
def _(ctx, u, rec_):
    return Attempt("POST", "/api/v1/rebates", {"name": "矩阵 " + ctx.uniq(), "scope": "tier", "tier": "maintain",
                                               "tiers": [{"threshold": 1, "rebate_bp": 1}]}, ok=201,
                   state=lambda: rule_state(ctx, "rebates"))


@route("GET", "/api/v1/rebates/{id}", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/rebates/%d" % _rebate(ctx))


@route("PATCH", "/api/v1/rebates/{id}", "none")
def _(ctx, u, rec_):
    rid = _rebate(ctx)
    return Attempt("PATCH", "/api/v1/rebates/%d" % rid, {"name": "矩阵 " + ctx.uniq()},
                   state=lambda: rule_state(ctx, "rebates", rid))


@route("DELETE", "/api/v1/rebates/{id}", "none")
def _(ctx, u, rec_):
    rid = new_rebate(ctx, name="矩阵删除返利")
    return Attempt("DELETE", "/api/v1/rebates/%d" % rid, ok=204, state=lambda: rule_state(ctx, "rebates", rid))
