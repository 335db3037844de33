"""Bad input for every JSON POST/PATCH/PUT of volume growth (issue 6), with the same declarative
tables as t_badinput.py: each refused request answers 400 naming the field, and the endpoint's
state is unchanged afterwards. The CSV imports have their own bad-file tests (t_sales.py)."""

from t_badinput import DEL, RAW_CASES, run_table

BIG = "x" * 10000


def g_badinput_sales(ctx):
    ck = ctx.ck
    a = ctx.admin
    tag = ctx.tag
    fam = "BADFAM-" + tag
    sku = ctx.uniq("BADSKU")
    r = a.post("/api/v1/products", {"sku": sku, "name": "坏输入产品", "family": fam})
    if not ck.expect(r, 201, "bad-input sales: a product"):
        return
    pid = r.json["id"]
    acc = ctx.new_account("am_e", code=ctx.uniq("BS"), name="销售坏输入 " + tag)
    r = a.post("/api/v1/orders", {"external_id": ctx.uniq("BADL"), "date": "2025-03-01", "account_id": acc,
                                  "sku": sku, "quantity": 2, "amount": {"amount": 10000, "currency": "CNY"}})
    if not ck.expect(r, 201, "bad-input sales: an order line"):
        return
    lid = r.json["id"]

    def rec(path):
        return lambda: (lambda r: (r.status, r.json))(a.get(path))

    # products
    products = lambda: ctx.ids_of("/api/v1/products", {"family": fam})  # noqa: E731
    product_fields = [
        ("sku missing", {"sku": DEL}, 400, "sku"),
        ("sku empty", {"sku": ""}, 400, "sku"),
        ("sku 65 chars", {"sku": "S" * 65}, 400, "sku"),
        ("name 201 chars", {"name": "名" * 201}, 400, "name"),
        ("name with newline", {"name": "a\nb"}, 400, "name"),
        ("family number", {"family": 5}, 400, "family"),
        ("unit 21 chars", {"unit": "u" * 21}, 400, "unit"),
        ("list_price amount string", {"list_price": {"amount": "9", "currency": "CNY"}}, 400,
         "list_price.amount"),
        ("list_price negative", {"list_price": {"amount": -1, "currency": "CNY"}}, 400, "list_price"),
        ("list_price currency lower case", {"list_price": {"amount": 1, "currency": "cny"}}, 400, "currency"),
        ("active string", {"active": "yes"}, 400, "active"),
        ("unknown field", {"colour": "red"}, 400, "colour"),
    ]
    ok = run_table(ctx, "POST products", a, "POST", "/api/v1/products",
                   {"sku": ctx.uniq("BADSKU2"), "name": "x", "family": fam},
                   product_fields + RAW_CASES, products, "name")
    ok = ok and run_table(ctx, "PATCH product", a, "PATCH", "/api/v1/products/%d" % pid, {},
                          [c for c in product_fields if c[1].get("sku") is not DEL] + RAW_CASES,
                          rec("/api/v1/products/%d" % pid), "name")
    # exchange rates
    ok = ok and run_table(ctx, "PUT fx-rates", a, "PUT", "/api/v1/fx-rates",
                          {"currency": "XBQ", "rate_micro": 1000000},
                          [("currency missing", {"currency": DEL}, 400, "currency"),
                           ("currency lower case", {"currency": "xbq"}, 400, "currency"),
                           ("the base currency", {"currency": "CNY"}, 400, "currency"),
                           ("rate 0", {"rate_micro": 0}, 400, "rate_micro"),
                           ("rate string", {"rate_micro": "1"}, 400, "rate_micro"),
                           ("rate missing", {"rate_micro": DEL}, 400, "rate_micro")] + RAW_CASES,
                          rec("/api/v1/fx-rates"), "currency")
    # order lines
    line = {"external_id": ctx.uniq("BADL2"), "date": "2025-03-02", "account_id": acc, "sku": sku,
            "quantity": 1, "amount": {"amount": 100, "currency": "CNY"}}
    line_fields = [
        ("date 2025-02-30", {"date": "2025-02-30"}, 400, "date"),
        ("date a number", {"date": 20250301}, 400, "date"),
        ("quantity with 4 decimals", {"quantity": 1.2345}, 400, "quantity"),
        ("quantity a string", {"quantity": "1"}, 400, "quantity"),
        ("sku unknown", {"sku": "NO-SUCH-" + tag}, 400, "sku"),
        ("account unknown", {"account_id": 999999999}, 400, "account_id"),
        ("region with newline", {"region": "华\n东"}, 400, "region"),
        ("channel 65 chars", {"channel": "c" * 65}, 400, "channel"),
        ("external_id 101 chars", {"external_id": "e" * 101}, 400, "external_id"),
        ("amount a number", {"amount": 100}, 400, "amount"),
        ("amount currency lower case", {"amount": {"amount": 1, "currency": "cny"}}, 400, "amount.currency"),
        ("unknown field", {"price": 1}, 400, "price"),
    ]
    lines = lambda: ctx.ids_of("/api/v1/orders", {"account_id": str(acc)})  # noqa: E731
    ok = ok and run_table(ctx, "POST orders", a, "POST", "/api/v1/orders", line,
                          [("external_id missing", {"external_id": DEL}, 400, "external_id"),
                           ("amount missing", {"amount": DEL}, 400, "amount")] + line_fields + RAW_CASES,
                          lines, "external_id")
    ok = ok and run_table(ctx, "PATCH order", a, "PATCH", "/api/v1/orders/%d" % lid, {},
                          line_fields + RAW_CASES, rec("/api/v1/orders/%d" % lid), "region")
    # wallet estimates
    ok = ok and run_table(ctx, "PUT wallet", a, "PUT", "/api/v1/accounts/%d/wallet/2025" % acc, {"amount": 100},
                          [("amount missing", {"amount": DEL}, 400, "amount"),
                           ("amount negative", {"amount": -1}, 400, "amount"),
                           ("amount 1.5", {"amount": 1.5}, 400, "amount"),
                           ("note too long", {"note": BIG}, 400, "note")] + RAW_CASES,
                          rec("/api/v1/accounts/%d/wallet" % acc), "note")
    # target plans
    plan = {"year": 2091, "name": "坏输入计划 " + tag, "total": 1000, "dims": "family,month",
            "basis": "equal", "specific": "Specific enough text", "measurable": "Amount",
            "achievable": "Achievable because", "relevant": "Relevant because", "deadline": "2091-12-31"}
    plan_fields = [
        ("year 1999", {"year": 1999}, 400, "year"),
        ("total negative", {"total": -1}, 400, "total"),
        ("measure weight", {"measure": "weight"}, 400, "measure"),
        ("dims colour", {"dims": "family,colour"}, 400, "dims"),
        ("dims repeated", {"dims": "family,family"}, 400, "dims"),
        ("basis magic", {"basis": "magic"}, 400, "basis"),
        ("blend without basis blend", {"blend": "last_year:100"}, 400, "blend"),
        ("blend not adding up", {"basis": "blend", "blend": "last_year:50,forecast:40"}, 400, "blend"),
        ("specific too short", {"specific": "short"}, 400, "specific"),
        ("achievable missing text", {"achievable": ""}, 400, "achievable"),
        ("deadline not a date", {"deadline": "2091-13-01"}, 400, "deadline"),
        ("deadline another year", {"deadline": "2092-01-31"}, 400, "deadline"),
        ("unknown field", {"owner": 1}, 400, "owner"),
    ]
    plans = lambda: ctx.ids_of("/api/v1/targets", {"year": "2091"})  # noqa: E731
    ok = ok and run_table(ctx, "POST targets", a, "POST", "/api/v1/targets", plan,
                          [("specific missing", {"specific": DEL}, 400, "specific")] + plan_fields + RAW_CASES,
                          plans, "name")
    r = a.post("/api/v1/targets", dict(plan, name="坏输入计划二 " + tag))
    if not ck.expect(r, 201, "bad-input sales: a plan"):
        return
    tid = r.json["id"]
    ok = ok and run_table(ctx, "PATCH target", a, "PATCH", "/api/v1/targets/%d" % tid, {},
                          plan_fields + RAW_CASES, rec("/api/v1/targets/%d" % tid), "name")
    ck.expect(a.post("/api/v1/targets/%d/decompose" % tid, {}), 200, "decompose the bad-input plan")
    grid = rec("/api/v1/targets/%d/grid?rows=month" % tid)
    ok = ok and run_table(ctx, "PUT cells", a, "PUT", "/api/v1/targets/%d/cells" % tid, {"month": 3, "value": 10},
                          [("value negative", {"value": -1}, 400, "value"),
                           ("month 13", {"month": 13}, 400, "month"),
                           ("value and lock missing", {"value": DEL}, 400, "value"),
                           ("lock a string", {"lock": "yes"}, 400, "lock"),
                           ("reason too long", {"reason": BIG}, 400, "reason"),
                           ("unknown field", {"cell": 1}, 400, "cell")] + RAW_CASES,
                          grid, "family")
    ok = ok and run_table(ctx, "PUT proposal", a, "PUT",
                          "/api/v1/accounts/%d/target-proposals/%d" % (acc, tid), {"value": 10},
                          [("value missing", {"value": DEL}, 400, "value"),
                           ("value negative", {"value": -1}, 400, "value"),
                           ("note too long", {"note": BIG}, 400, "note")] + RAW_CASES,
                          rec("/api/v1/targets/%d/adjustments" % tid), "note")
    # measures
    measure = {"plan_id": tid, "account_id": acc, "kind": "promotion", "title": "坏输入举措",
               "start": "2091-01-01", "due": "2091-03-31"}
    measure_fields = [
        ("kind discount", {"kind": "discount"}, 400, "kind"),
        ("status finished", {"status": "finished"}, 400, "status"),
        ("title empty", {"title": ""}, 400, "title"),
        ("start not a date", {"start": "2091-02-30"}, 400, "start"),
        ("due before start", {"due": "2090-12-31"}, 400, "due"),
        ("owner unknown", {"owner_id": 999999999}, 400, "owner_id"),
        ("plan unknown", {"plan_id": 999999999}, 400, "plan_id"),
        ("account unknown", {"account_id": 999999999}, 400, "account_id"),
        ("measure weight", {"measure": "weight"}, 400, "measure"),
        ("expected_uplift a string", {"expected_uplift": "5"}, 400, "expected_uplift"),
    ]
    measures = lambda: ctx.ids_of("/api/v1/measures", {"plan_id": str(tid)})  # noqa: E731
    ok = ok and run_table(ctx, "POST measures", a, "POST", "/api/v1/measures", measure,
                          [("kind missing", {"kind": DEL}, 400, "kind")] + measure_fields + RAW_CASES,
                          measures, "title")
    r = a.post("/api/v1/measures", measure)
    if not ck.expect(r, 201, "bad-input sales: a measure"):
        return
    mid = r.json["id"]
    run_table(ctx, "PATCH measure", a, "PATCH", "/api/v1/measures/%d" % mid, {},
              measure_fields + RAW_CASES, rec("/api/v1/measures/%d" % mid), "title")
