"""Prices on order lines (issue 15 item 1, docs/PRICING.md "Prices on order lines"): every order
line written through POST|PATCH /api/v1/orders and every row of an orders import is priced by the
engine; a line below the price is refused (setting prices.below_price = refuse, 400 naming amount)
or accepted with its price_reason (accept_with_reason, the default: 400 naming price_reason
without one; 409 price.over_limit past the role's discount limit); price_check, price_reason and
engine_amount on the line; GET /orders?price_check=below; the import report names the rows below
the price and without one (and refuses the rows below it under refuse)."""

from t_answers import sql

CUR = "CNY"


def world(ctx):
    if getattr(ctx, "pc_world", None):
        return ctx.pc_world
    a = ctx.admin
    fam = ctx.uniq("PCF")
    # P: list price 100.00; Q: no price at all
    p = ctx.must(a.post("/api/v1/products", {"sku": ctx.uniq("PCP"), "name": "查价产品", "family": fam,
                                            "list_price": {"amount": 10000, "currency": CUR}}), 201, "product P")
    q = ctx.must(a.post("/api/v1/products", {"sku": ctx.uniq("PCQ"), "name": "无价产品", "family": fam}), 201,
                 "product Q")
    code = ctx.uniq("PCA")
    own = ctx.new_account("am_e", code=code, name="查价客户 " + ctx.tag, tier="growth")
    w = {"p": p["sku"], "q": q["sku"], "own": own, "code": code}
    ctx.pc_world = w
    return w


def line(ctx, w, amount, sku=None, qty=2, **extra):
    body = {"external_id": ctx.uniq("PCL"), "date": "2026-06-15", "account_id": w["own"],
            "sku": sku or w["p"], "quantity": qty, "amount": {"amount": amount, "currency": CUR}}
    body.update(extra)
    return body


def count_lines(ctx, ext):
    return int(sql(ctx, "SELECT COUNT(*) FROM order_lines WHERE external_id = '%s'" % ext)[0][0])


def set_rule(ctx, rule):
    return ctx.admin.patch("/api/v1/settings/prices", {"below_price": rule})


def g_price_check(ctx):
    ck, a = ctx.ck, ctx.admin
    am = ctx.U("dir").client  # a seller who writes order lines: the director (limit 20 %)
    am_e = ctx.U("am_e").client
    w = world(ctx)
    ck.expect(a.get("/api/v1/settings/prices"), 200, "the default rule is accept_with_reason",
              json={"below_price": "accept_with_reason"})

    # 2 units at 100.00 = 200.00
    r = am.post("/api/v1/orders", line(ctx, w, 20000))
    ck.expect(r, 201, "a line at the price: ok", json={"price_check": "ok", "engine_amount": 20000,
                                                       "price_reason": None})
    ok_id = r.json["id"] if r.status == 201 else 0

    b = line(ctx, w, 19600)
    ck.expect(am.post("/api/v1/orders", b), 400, "2 % below without a reason -> 400 naming price_reason",
              field="price_reason")
    ck.ok(count_lines(ctx, b["external_id"]) == 0, "the refused line is not written")

    b = line(ctx, w, 19600, price_reason="老客户年底补货，经理口头同意")
    r = am.post("/api/v1/orders", b)
    ck.expect(r, 201, "2 % below with a reason -> 201 below",
              json={"price_check": "below", "engine_amount": 20000, "price_reason": "老客户年底补货，经理口头同意"})
    below_id = r.json["id"] if r.status == 201 else 0
    n = sql(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'order_line' AND entity_id = %d AND "
                 "changes LIKE '%%price_reason%%'" % below_id)
    ck.ok(int(n[0][0]) == 1, "the reason is in the line's audit row", repr(n))

    b = line(ctx, w, 15000, price_reason="大单")
    r = am.post("/api/v1/orders", b)
    ck.expect(r, 409, "25 % below is over the director's 20 % -> 409 price.over_limit",
              field="amount", json={"error": {"key": "price.over_limit"}})
    ck.ok(count_lines(ctx, b["external_id"]) == 0, "the over-limit line is not written")
    ck.expect(ctx.U("fin").client.post("/api/v1/orders", line(ctx, w, 15000, price_reason="总部特批")), 201,
              "finance has no limit: 201 below", json={"price_check": "below"})

    r = am.post("/api/v1/orders", line(ctx, w, 1, sku=w["q"]))
    ck.expect(r, 201, "a product without a price: unpriced, not an error",
              json={"price_check": "unpriced", "engine_amount": None})
    r = am.post("/api/v1/orders", line(ctx, w, -20000, qty=-2))
    ck.expect(r, 201, "a return (negative quantity) is not checked", json={"price_check": None})

    r = am.get("/api/v1/orders", {"account_id": str(w["own"]), "price_check": "below", "limit": "100"})
    got = [x["price_check"] for x in r.json["items"]] if r.status == 200 else []
    ck.ok(r.status == 200 and len(got) == 2 and set(got) == {"below"},
          "GET /orders?price_check=below lists the two lines below the price", repr(got))
    ck.expect(am.get("/api/v1/orders", {"price_check": "cheap"}), 400, "an unknown price_check -> 400",
              field="price_check")

    # PATCH: a new amount is priced again; the stored reason is kept when the line stays below
    ck.expect(am.patch("/api/v1/orders/%d" % ok_id, {"amount": {"amount": 19000, "currency": CUR}}), 400,
              "PATCH an ok line below without a reason -> 400 naming price_reason", field="price_reason")
    r = am.get("/api/v1/orders/%d" % ok_id)
    ck.expect(r, 200, "the refused PATCH changed nothing", json={"price_check": "ok", "amount": {"amount": 20000}})
    ck.expect(am.patch("/api/v1/orders/%d" % ok_id, {"amount": {"amount": 19000, "currency": CUR},
                                                     "price_reason": "样品折让"}), 200,
              "PATCH with a reason -> 200 below", json={"price_check": "below", "price_reason": "样品折让"})
    ck.expect(am.patch("/api/v1/orders/%d" % below_id, {"amount": {"amount": 20000, "currency": CUR}}), 200,
              "PATCH back to the price -> ok, the reason dropped",
              json={"price_check": "ok", "price_reason": None})

    # refuse
    ck.expect(set_rule(ctx, "cheap"), 400, "an unknown rule -> 400 naming below_price", field="below_price")
    n0 = int(sql(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'settings'")[0][0])
    try:
        ck.expect(set_rule(ctx, "refuse"), 200, "PATCH below_price refuse", json={"below_price": "refuse"})
        n1 = int(sql(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'settings'")[0][0])
        ck.ok(n1 == n0 + 1, "the rule change is audited as settings", "%s -> %s" % (n0, n1))
        ck.expect(am_e.patch("/api/v1/settings/prices", {"below_price": "accept_with_reason"}), 403,
                  "an account manager may not change the rule")
        b = line(ctx, w, 19600, price_reason="老客户")
        r = am.post("/api/v1/orders", b)
        ck.expect(r, 400, "refuse: below with a reason -> 400 naming amount", field="amount",
                  json={"error": {"key": "price.below", "params": {"price": "200.00", "currency": "CNY"}}})
        ck.ok(r.status == 400 and "200.00" in (r.json or {}).get("error", {}).get("message", ""),
              "the message gives the engine's price (200.00)", r.describe())
        ck.ok(count_lines(ctx, b["external_id"]) == 0, "nothing written")
        ck.expect(a.post("/api/v1/orders", line(ctx, w, 19600, price_reason="x")), 400,
                  "refuse applies to the admin too", field="amount")
        ck.expect(am.post("/api/v1/orders", line(ctx, w, 20000)), 201, "refuse: a line at the price is fine",
                  json={"price_check": "ok"})
        import_check(ctx, w, refuse=True)
    finally:
        set_rule(ctx, "accept_with_reason")
    import_check(ctx, w, refuse=False)


def csv_of(w, rows):
    out = ["external_id,date,account_code,sku,region,channel,quantity,amount,currency"]
    for ext, sku, qty, amount in rows:
        out.append("%s,2026-06-16,%s,%s,,,%s,%s,CNY" % (ext, w["code"], sku, qty, amount))
    return "\n".join(out) + "\n"


def import_check(ctx, w, refuse):
    """A CSV with a row at the price (row 2), one below it (row 3) and one without a price (row 4)."""
    ck = ctx.ck
    fin = ctx.U("fin").client
    tag = "refuse" if refuse else "accept"
    exts = [ctx.uniq("PCI"), ctx.uniq("PCI"), ctx.uniq("PCI")]
    body = csv_of(w, [(exts[0], w["p"], "3", "300.00"), (exts[1], w["p"], "3", "240.00"),
                      (exts[2], w["q"], "1", "5.00")])
    r = fin.csv("orders", body, {"filename": "price-%s.csv" % tag, "dry_run": "1"})
    ck.expect(r, 200 if not refuse else (200, 422), "%s: the dry run prices the rows too" % tag,
              json={"price_below": 0 if refuse else 1, "price_unpriced": 1})
    r = fin.csv("orders", body, {"filename": "price-%s.csv" % tag})
    if refuse:
        ck.expect(r, 422, "refuse: the file with a row below the price is rejected",
                  json={"status": "rejected", "rows_rejected": 1,
                        "problems": [{"row": 3, "column": "amount", "key": "import.price_below",
                                      "params": {"price": "300.00", "value": "240.00", "currency": "CNY"}}],
                        "price_unpriced": 1})
        ck.ok(sum(count_lines(ctx, e) for e in exts) == 0, "refuse: nothing written")
        r = fin.csv("orders", body, {"filename": "price-skip.csv", "skip_bad_rows": "1"})
        ck.expect(r, 201, "refuse + skip_bad_rows: the other rows load", json={"rows_inserted": 2, "rows_rejected": 1})
        ck.ok(count_lines(ctx, exts[1]) == 0 and count_lines(ctx, exts[0]) == 1, "the row below is not written")
        return
    ck.expect(r, 201, "accept: the file loads; the report names the row below and the unpriced one",
              json={"status": "loaded", "rows_inserted": 3, "price_below": 1, "price_unpriced": 1,
                    "prices": [{"row": 3, "external_id": exts[1], "check": "below",
                                "amount": {"amount": 24000, "currency": "CNY"}, "engine_amount": 30000},
                               {"row": 4, "external_id": exts[2], "check": "unpriced", "engine_amount": None}]})
    got = sql(ctx, "SELECT external_id, price_check, engine_amount FROM order_lines WHERE external_id IN "
                   "('%s', '%s', '%s') ORDER BY external_id" % tuple(exts))
    want = sorted([(exts[0], "ok", 30000), (exts[1], "below", 30000), (exts[2], "unpriced", None)])
    ck.ok([tuple(x) for x in got] == want, "the lines carry their price check", repr(got))


# ---- period breaks: a line never counts against itself; an import prices its rows in sequence ----

def period_world(ctx):
    """A fresh account with its own list: product R 100.00, from 10 units in a month 50.00."""
    a = ctx.admin
    fam = ctx.uniq("PPF")
    r = ctx.must(a.post("/api/v1/products", {"sku": ctx.uniq("PPR"), "name": "月量产品", "family": fam}), 201,
                 "product R")
    code = ctx.uniq("PPA")
    acc = ctx.new_account("am_e", code=code, name="月量客户 " + ctx.uniq("x"), tier="growth")
    ctx.must(a.post("/api/v1/price-lists", {
        "name": "月量价 " + ctx.uniq("l"), "currency": CUR, "scope": "account", "account_id": acc,
        "items": [{"product_id": r["id"], "unit_price": 10000,
                   "breaks": [{"kind": "quantity", "basis": "month", "threshold": 10000, "unit_price": 5000}]}]}),
        201, "the account's list with a month break")
    return {"p": r["sku"], "own": acc, "code": code}


def one_csv(w, rows):
    out = ["external_id,date,account_code,sku,region,channel,quantity,amount,currency"]
    for ext, day, qty, amount in rows:
        out.append("%s,%s,%s,%s,,,%s,%s,CNY" % (ext, day, w["code"], w["p"], qty, amount))
    return "\n".join(out) + "\n"


def stored(ctx, ext):
    got = sql(ctx, "SELECT price_check, engine_amount, price_reason FROM order_lines WHERE external_id = '%s'" % ext)
    return tuple(got[0]) if got else None


def g_price_period(ctx):
    ck, a = ctx.ck, ctx.admin
    fin = ctx.U("fin").client
    w = period_world(ctx)

    # PATCH: the line's own stored version is not in the month's sum (6, not 6 + 6)
    b = line(ctx, w, 60000, qty=6, date="2026-07-10")
    r = a.post("/api/v1/orders", b)
    ck.expect(r, 201, "6 units at 600.00 (under the month break): ok", json={"price_check": "ok", "engine_amount": 60000})
    lid = r.json["id"] if r.status == 201 else 0
    ck.expect(a.patch("/api/v1/orders/%d" % lid, {"amount": {"amount": 30000, "currency": CUR}}), 400,
              "PATCH to 300.00 without a reason: the line does not count against itself -> 400 naming price_reason",
              field="price_reason")
    ck.expect(a.get("/api/v1/orders/%d" % lid), 200, "the refused PATCH changed nothing",
              json={"amount": {"amount": 60000}, "price_check": "ok"})
    # a second line of the month makes 12 units: both prices drop for the later line
    ck.expect(a.post("/api/v1/orders", line(ctx, w, 30000, qty=6, date="2026-07-11")), 201,
              "another 6 units later in the month: 12 >= 10 -> 50.00 a unit, ok",
              json={"price_check": "ok", "engine_amount": 30000})

    # re-import of an existing external id: the old version does not count either
    ext = ctx.uniq("PPX")
    ck.expect(a.post("/api/v1/orders", line(ctx, w, 60000, qty=6, date="2026-08-10", external_id=ext)), 201,
              "6 units in August at 600.00: ok", json={"price_check": "ok"})
    r = fin.csv("orders", one_csv(w, [(ext, "2026-08-10", "6", "300.00")]), {"filename": "pp-reimport.csv"})
    ck.expect(r, 201, "the ERP re-exports the line at 300.00: below (engine 600.00), not hidden",
              json={"rows_updated": 1, "price_below": 1,
                    "prices": [{"row": 2, "external_id": ext, "check": "below", "engine_amount": 60000}]})
    ck.ok(stored(ctx, ext)[:2] == ("below", 60000), "stored below 600.00", repr(stored(ctx, ext)))

    # one file, two rows of the month: priced as if sent one after the other
    e1, e2 = ctx.uniq("PPY"), ctx.uniq("PPY")
    body = one_csv(w, [(e1, "2026-09-10", "6", "600.00"), (e2, "2026-09-12", "6", "300.00")])
    r = fin.csv("orders", body, {"filename": "pp-seq.csv", "dry_run": "1"})
    ck.expect(r, 200, "dry run: the second row sees the first (12 units): no row below",
              json={"price_below": 0, "price_unpriced": 0})
    r = fin.csv("orders", body, {"filename": "pp-seq.csv"})
    ck.expect(r, 201, "the load: no row below", json={"rows_inserted": 2, "price_below": 0})
    ck.ok(stored(ctx, e2)[:2] == ("ok", 30000), "row 3 stored ok at 300.00", repr(stored(ctx, e2)))
    try:
        ck.expect(set_rule(ctx, "refuse"), 200, "refuse")
        e3, e4 = ctx.uniq("PPZ"), ctx.uniq("PPZ")
        body = one_csv(w, [(e3, "2026-11-10", "6", "600.00"), (e4, "2026-11-12", "6", "300.00")])
        r = fin.csv("orders", body, {"filename": "pp-refuse.csv"})
        ck.expect(r, 201, "refuse: the same pair loads (what POST /orders accepts one by one)",
                  json={"rows_inserted": 2, "rows_rejected": 0})
    finally:
        set_rule(ctx, "accept_with_reason")

    # a line in another currency: the engine's price converted in one step (docs/PRICING.md 4.)
    from t_sales import USD_RATE, set_rate
    set_rate(ctx, "USD", USD_RATE)
    n = 10000 * 1000000
    unit = (2 * n + USD_RATE) // (2 * USD_RATE)  # 100.00 CNY in USD cents, half away from zero
    r = a.post("/api/v1/orders", dict(line(ctx, w, 2 * unit, qty=2, date="2026-06-20"),
                                      amount={"amount": 2 * unit, "currency": "USD"}))
    ck.expect(r, 201, "2 units paid in USD at the converted price: ok, engine_amount in USD",
              json={"price_check": "ok", "engine_amount": 2 * unit, "amount": {"currency": "USD"}})
    r = a.post("/api/v1/orders", dict(line(ctx, w, 0, qty=2, date="2026-06-21", price_reason="汇率差"),
                                      amount={"amount": 2 * unit - 1, "currency": "USD"}))
    ck.expect(r, 201, "one US cent less: below, with the reason",
              json={"price_check": "below", "engine_amount": 2 * unit, "price_reason": "汇率差"})

    # a reason only stays with a line below the price
    ext = ctx.uniq("PPW")
    ck.expect(a.post("/api/v1/orders", line(ctx, w, 15000, qty=2, date="2026-10-10", external_id=ext,
                                            price_reason="样品")), 201, "a line below with its reason",
              json={"price_check": "below", "price_reason": "样品"})
    r = fin.csv("orders", one_csv(w, [(ext, "2026-10-10", "2", "200.00")]), {"filename": "pp-reason.csv"})
    ck.expect(r, 201, "re-imported at the price", json={"rows_updated": 1, "price_below": 0})
    ck.ok(stored(ctx, ext) == ("ok", 20000, None), "ok, and the old reason is gone", repr(stored(ctx, ext)))

    # a price past the range is the row's problem, not the import's
    big = ctx.must(a.post("/api/v1/products", {"sku": ctx.uniq("PPB"), "name": "贵重产品", "family": ctx.uniq("PPF"),
                                              "list_price": {"amount": 100000000000, "currency": CUR}}), 201,
                   "a product at 1,000,000,000.00")
    body = one_csv(w, [(ctx.uniq("PPO"), "2026-12-01", "1", "100.00")])
    body += "%s,2026-12-02,%s,%s,,,1000000000000,1.00,CNY\n" % (ctx.uniq("PPO"), w["code"], big["sku"])
    r = fin.csv("orders", body, {"filename": "pp-overflow.csv"})
    ck.expect(r, 422, "a quantity whose price overflows: the file is rejected naming row 3, quantity",
              json={"status": "rejected", "rows_rejected": 1,
                    "problems": [{"row": 3, "column": "quantity", "key": "price.too_large"}]})
    r = fin.csv("orders", body, {"filename": "pp-overflow.csv", "skip_bad_rows": "1"})
    ck.expect(r, 201, "with skip_bad_rows the other row loads", json={"rows_inserted": 1, "rows_rejected": 1})


def g_price_limit(ctx):
    """One role limit (approval_role_limit): a director without a discount_limits row has the
    default 20 %, as for offers, not 0; admin and finance have none on order lines."""
    from t_importscale import db_write
    ck = ctx.ck
    d = ctx.U("dir").client
    w = world(ctx)
    old = sql(ctx, "SELECT max_bp FROM discount_limits WHERE role = 'director'")
    try:
        db_write(ctx, "DELETE FROM discount_limits WHERE role = 'director'")
        ck.expect(d.post("/api/v1/orders", line(ctx, w, 17000, price_reason="年度框架价")), 201,
                  "no director row: the default 20 % -> 15 % below with a reason is 201",
                  json={"price_check": "below"})
        ck.expect(d.post("/api/v1/orders", line(ctx, w, 15000, price_reason="大单")), 409,
                  "25 % is past the default 20 % -> 409", json={"error": {"key": "price.over_limit",
                                                                         "params": {"max": "2000"}}})
        ck.expect(ctx.U("fin").client.post("/api/v1/orders", line(ctx, w, 1000, price_reason="入账")), 201,
                  "finance records what was booked: no limit on order lines", json={"price_check": "below"})
    finally:
        if old:
            db_write(ctx, "INSERT INTO discount_limits (role, max_bp) VALUES ('director', %d)" % int(old[0][0]))


def g_price_bulk(ctx):
    """A big load (50,200 rows: the bulk path, order_lines' indexes off and the periods preloaded;
    chunks of 7,000 through the writer thread) prices as the rows sent one by one: a re-exported
    line does not count against itself, and the file's own earlier rows count."""
    import os
    import tempfile
    from lib import run_cli
    ck, a = ctx.ck, ctx.admin
    w = period_world(ctx)
    e0 = ctx.uniq("PBX")
    ck.expect(a.post("/api/v1/orders", line(ctx, w, 60000, qty=6, date="2026-03-10", external_id=e0)), 201,
              "6 units in March 2026 at 600.00: ok", json={"price_check": "ok"})
    rows = []
    for i in range(50000):  # 2025: at the price whatever the month's sum (100.00 >= 50.00 and 100.00)
        rows.append(("PB%05d-%s" % (i, ctx.tag), "2025-%02d-%02d" % (1 + i % 12, 1 + i % 28), "1", "100.00"))
    y1, y2 = ctx.uniq("PBY"), ctx.uniq("PBY")
    rows[20000:20000] = [(e0, "2026-03-10", "6", "300.00")]
    rows[40000:40000] = [(y1, "2026-04-10", "6", "600.00")]
    rows.append((y2, "2026-04-12", "6", "300.00"))  # in another chunk than y1
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "bulk.csv")
        with open(path, "w", encoding="utf-8") as f:
            f.write(one_csv(w, rows))
        rc, out, err = run_cli(ctx.kam, ["import", "orders", path, "--db", ctx.dsn],
                               env=dict(os.environ, KAM_IMPORT_CHUNK="7000"), timeout=600)
    ck.ok(rc == 0 and "50002 inserted, 1 updated, 0 rejected" in err, "the big load loads", "rc=%s %s" % (rc, err[-500:]))
    ck.ok("prices: 1 rows below the price" in err and ("row 20002 (%s): below the price, price 600.00" % e0) in err,
          "only the re-exported line is below (600.00: its old version does not count); the April pair is not",
          err[-500:])
    ck.ok(stored(ctx, e0)[:2] == ("below", 60000) and stored(ctx, y2)[:2] == ("ok", 30000),
          "stored: the re-export below 600.00, the second April row ok at 300.00",
          "%r %r" % (stored(ctx, e0), stored(ctx, y2)))


def g_price_bulk_moves(ctx):
    """The price check keeps its period sums for the whole load (read once, the load's own lines
    counted by adjustment): a row that moves a stored line out of a month in an early chunk,
    written before a later chunk prices that month, takes the old version out exactly once, on
    a dry run (the old version still stored) as on the load (gone). June: 4 stored + 6 = 10
    units, the break (50.00): ok; twice taken out it would be 4 and below. July: 3 stored + 6 =
    9: below; the moved line still counted would make it 15 and ok. August: 4 units of chunk 1
    and 5 in the last chunk, whose year is read again after chunk 1 was written: 9, below; the
    load's own line read from the table as well as counted would make it 13 and ok."""
    import os
    import tempfile
    from lib import run_cli
    ck, a = ctx.ck, ctx.admin
    w = period_world(ctx)
    r1, r2, z1, z2, q1, q2 = (ctx.uniq("PBM") for _ in range(6))
    for ext, day, qty, amount in ((r1, "2027-06-10", 6, 60000), (ctx.uniq("PBM"), "2027-06-05", 4, 40000),
                                  (r2, "2027-07-10", 6, 60000), (ctx.uniq("PBM"), "2027-07-05", 3, 30000)):
        ck.expect(a.post("/api/v1/orders", line(ctx, w, amount, qty=qty, date=day, external_id=ext)), 201,
                  "stored: %d units on %s" % (qty, day))
    rows = []
    n = 50000  # two years in date order, one unit each at 100.00 (at the price: months of ~2,000 units)
    for i in range(n):
        m = i * 24 // n
        rows.append(("PBF%05d-%s" % (i, ctx.tag), "%d-%02d-%02d" % (2025 + m // 12, 1 + m % 12, 1 + i % 28), "1", "100.00"))
    rows[10:10] = [(r1, "2025-01-15", "1", "100.00"), (r2, "2025-01-16", "1", "100.00"),  # chunk 1: moved to 2025
                   (q1, "2027-08-10", "4", "400.00")]
    rows += [(z1, "2027-06-12", "6", "300.00"), (z2, "2027-07-12", "6", "300.00"), (q2, "2027-08-12", "5", "250.00")]
    env = dict(os.environ, KAM_IMPORT_CHUNK="7000")
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "moves.csv")
        with open(path, "w", encoding="utf-8") as f:
            f.write(one_csv(w, rows))
        want = ("row %d (%s): below the price, price 600.00" % (len(rows), z2),
                "row %d (%s): below the price, price 500.00" % (len(rows) + 1, q2))
        rc, out, err = run_cli(ctx.kam, ["import", "orders", path, "--db", ctx.dsn, "--dry-run"], env=env, timeout=600)
        ck.ok(rc == 0 and "prices: 2 rows below the price" in err and all(x in err for x in want),
              "dry run: July's and August's rows are below (June reaches the break without the moved line)", err[-600:])
        rc, out, err = run_cli(ctx.kam, ["import", "orders", path, "--db", ctx.dsn], env=env, timeout=600)
        ck.ok(rc == 0 and "50004 inserted, 2 updated, 0 rejected" in err, "the load loads", "rc=%s %s" % (rc, err[-500:]))
        ck.ok("prices: 2 rows below the price" in err and all(x in err for x in want), "the load: the same answer", err[-600:])
    ck.ok(stored(ctx, z1)[:2] == ("ok", 30000) and stored(ctx, z2)[:2] == ("below", 60000)
          and stored(ctx, q2)[:2] == ("below", 50000) and stored(ctx, r1)[0] == "ok",
          "stored: June ok at 300.00, July below at 600.00, August below at 500.00, the moved line ok in 2025",
          "%r %r %r %r" % (stored(ctx, z1), stored(ctx, z2), stored(ctx, q2), stored(ctx, r1)))


def g_price_reject(ctx):
    """kam import under refuse: every refused row in the reject file (after its header), in every
    chunk, also once a row has been refused."""
    import os
    import tempfile
    from lib import run_cli
    ck = ctx.ck
    w = period_world(ctx)
    env = dict(os.environ, KAM_IMPORT_CHUNK="1000")  # chunks of 125, then 1000 rows
    rows = []
    for i in range(2500):
        below = i in (1, 2300)
        rows.append(("PPC%05d-%s" % (i, ctx.tag), "2026-%02d-05" % (1 + i % 6), "1", "40.00" if below else "100.00"))
    with tempfile.TemporaryDirectory() as d:
        path, rej = os.path.join(d, "o.csv"), os.path.join(d, "rej.csv")
        with open(path, "w", encoding="utf-8") as f:
            f.write(one_csv(w, rows))
        try:
            ck.expect(set_rule(ctx, "refuse"), 200, "refuse")
            rc, out, err = run_cli(ctx.kam, ["import", "orders", path, "--db", ctx.dsn], env=env, timeout=120)
            ck.ok(rc == 1 and "2500 rows read, 0 inserted, 0 updated, 2 rejected" in err
                  and "row 3, column amount" in err and "row 2302, column amount" in err,
                  "refuse without skip: both rows below (chunks 1 and 4) refused and named, nothing written",
                  "rc=%s %s" % (rc, err[-600:]))
            rc, out, err = run_cli(ctx.kam, ["import", "orders", path, "--db", ctx.dsn, "--reject", rej,
                                             "--skip-bad-rows"], env=env, timeout=120)
            ck.ok(rc == 0 and "2498 inserted, 0 updated, 2 rejected" in err, "with --skip-bad-rows the 2498 others load",
                  "rc=%s %s" % (rc, err[-600:]))
            text = open(rej, encoding="utf-8").read() if os.path.exists(rej) else ""
            lines = text.splitlines()
            ck.ok(len(lines) == 3 and lines[0].startswith('"external_id"') and lines[0].endswith(",error")
                  and rows[1][0] in lines[1] and rows[2300][0] in lines[2] and "40.00" in lines[1],
                  "the reject file: the header, then rows 3 and 2302 with their error", repr(text[:800]))
        finally:
            set_rule(ctx, "accept_with_reason")
        # a dry run over several chunks prices as the load would: the earlier chunks count
        more = [("PPD%05d-%s" % (i, ctx.tag), "2025-02-%02d" % (1 + i % 28), "1", "100.00") for i in range(1500)]
        more[5] = ("PPD-a-" + ctx.tag, "2027-05-10", "6", "600.00")
        more[1400] = ("PPD-b-" + ctx.tag, "2027-05-12", "6", "300.00")
        with open(path, "w", encoding="utf-8") as f:
            f.write(one_csv(w, more))
        rc, out, err = run_cli(ctx.kam, ["import", "orders", path, "--db", ctx.dsn, "--dry-run"], env=env, timeout=120)
        ck.ok(rc == 0 and "prices: 0 rows below the price" in err,
              "a dry run of 1,500 rows in chunks of at most 1,000: row 1402 sees row 7 of an earlier chunk",
              "rc=%s %s" % (rc, err[-600:]))
        rc, out, err = run_cli(ctx.kam, ["import", "orders", path, "--db", ctx.dsn], env=env, timeout=120)
        ck.ok(rc == 0 and "prices: 0 rows below the price" in err and "1500 inserted" in err,
              "the load of the same file: the same answer", "rc=%s %s" % (rc, err[-600:]))


GROUPS = [("price_check", g_price_check, True), ("price_period", g_price_period, True),
          ("price_limit", g_price_limit, True), ("price_reject", g_price_reject, True),
          ("price_bulk", g_price_bulk, True), ("price_bulk_moves", g_price_bulk_moves, True)]
