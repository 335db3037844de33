"""Credit (issue 16 item 2, src/api/risk/credit.c, docs/CREDIT.md): finance sets an account's
limit, group limit and terms (audited, version-guarded, 400s naming the field); an account
manager reads their account's exposure but gets 403 on the limit; exposure's parts, ageing
and DSO worked by hand; a group limit covering subsidiaries; the over-limit setting (flag |
hold): an order line over the limit is flagged, an offer over it is held and cannot be sent
until finance releases it (a refused one never); the permission matrix builders of every route
of api/risk/credit.c."""

import datetime
import time

import policy as pol
from policy import ALL, SCOPE, NONE, _roles
from t_matrix import route, Attempt, acc
from t_answers import sql

# the openapi group's x-kam-scope check knows this slice's scopes
import t_basic as _t_basic  # noqa: E402
for _s in ('credit_hold', 'invoice'):
    if _s not in _t_basic.SCOPES:
        _t_basic.SCOPES = _t_basic.SCOPES + (_s,)

# src/svc/core/policy.c
pol.EXPECTED.update({
    ("credit", "read"): _roles(SCOPE, admin=ALL, director=ALL, finance=ALL, service=NONE, hr=NONE, viewer=NONE),
    ("credit", "create"): _roles(NONE, admin=ALL, finance=ALL),
    ("credit", "update"): _roles(NONE, admin=ALL, finance=ALL),
    ("credit", "delete"): _roles(NONE, admin=ALL, finance=ALL),
    ("receivable", "read"): _roles(SCOPE, admin=ALL, director=ALL, finance=ALL, service=NONE, hr=NONE,
                                   viewer=NONE),
    ("receivable", "create"): _roles(NONE, admin=ALL, finance=ALL),
    ("receivable", "update"): _roles(NONE, admin=ALL, finance=ALL),
    ("receivable", "delete"): _roles(NONE, admin=ALL, finance=ALL),
})


def today(days=0):
    """The China date (UTC+8) of the real clock the suite's server runs on, plus days."""
    d = datetime.datetime.fromtimestamp(time.time() + 8 * 3600, datetime.timezone.utc).date()
    return (d + datetime.timedelta(days=days)).isoformat()


def csv_text(rows):
    return "".join(",".join(r) + "\r\n" for r in rows)


def load(ctx, kind, rows, client=None, ok=201, **query):
    r = (client or ctx.admin).csv(kind, csv_text(rows), query=query or None)
    ctx.ck.expect(r, ok, "import %s (%d rows) -> %d" % (kind, len(rows) - 1, ok))
    return r


INV_HEAD = ["invoice_no", "account_code", "date", "due_date", "amount", "currency"]
PAY_HEAD = ["payment_no", "account_code", "date", "amount", "currency", "invoice_no"]


def credit_account(ctx, owner="am_e", **kw):
    code = ctx.uniq("CR")
    aid = ctx.new_account(owner, code=code, name="信用客户 " + code, **kw)
    return aid, code


def credit_of(ctx, aid, client=None):
    r = (client or ctx.admin).get("/api/v1/accounts/%d/credit" % aid)
    ctx.ck.expect(r, 200, "GET credit of account %d" % aid)
    return r.json or {}


def limit_state(ctx, aid):
    return {"limit": sql(ctx, "SELECT amount, group_amount, currency, terms_days, note, version FROM credit_limits "
                              "WHERE account_id = %d" % aid),
            "audit": sql(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'credit_limit'")}


def g_credit_limits(ctx):
    ck = ctx.ck
    fin = ctx.U("fin").client
    am = ctx.U("am_e").client
    aid, code = credit_account(ctx)

    # nothing set: no limit, 30 days, the base currency
    c = credit_of(ctx, aid, am)
    ck.ok(c.get("limit", {}).get("amount") is None and c["limit"]["terms_days"] == 30 and
          c["limit"]["version"] is None and c.get("used_bp") is None and c.get("dso") is None,
          "an account without a limit: none, 30 days, no DSO", repr(c.get("limit")))

    # finance sets it; the account manager reads it but may not change it
    r = fin.put("/api/v1/accounts/%d/credit-limit" % aid, {"amount": 1000000, "terms_days": 45, "note": "年审"})
    ck.expect(r, 200, "finance sets the limit", json={"amount": 1000000, "terms_days": 45, "currency": "CNY",
                                                      "version": 1, "group_amount": None})
    ck.ok(int(sql(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'credit_limit' AND entity_id = %d AND action = "
                       "'create'" % aid)[0][0]) == 1, "the new limit is audited (credit_limit create)")
    before = limit_state(ctx, aid)
    ck.expect(am.put("/api/v1/accounts/%d/credit-limit" % aid, {"amount": 99}), 403,
              "an account manager may not change a limit", code="forbidden")
    ck.ok(limit_state(ctx, aid) == before, "the refused change wrote nothing")
    # refused bodies name the field and change nothing
    for body, status, field in [
        ({"amount": -1}, 400, "amount"),
        ({"group_amount": -5}, 400, "group_amount"),
        ({"amount": 10, "terms_days": 366}, 400, "terms_days"),
        ({"amount": 10, "currency": "QQQ"}, 400, "currency"),
        ({"amount": 10, "currency": "cny"}, 400, "currency"),
        ({"amount": 10, "note": "注" * 501}, 400, "note"),
        ({"amount": 10, "version": 7}, 409, "version"),
        ({"amount": 10}, 400, "version"),
        ({"amount": "x"}, 400, "amount"),
    ]:
        ck.expect(fin.put("/api/v1/accounts/%d/credit-limit" % aid, body), status,
                  "PUT credit-limit %r -> %d %s" % (body, status, field), field=field)
    ck.ok(limit_state(ctx, aid) == before, "refused limits wrote nothing (no row change, no audit)")
    # over an existing limit a PUT without version would overwrite blind: 400; a stale one says the current
    r = fin.put("/api/v1/accounts/%d/credit-limit" % aid, {"amount": 5})
    ck.expect(r, 400, "a PUT over a limit without version is refused", field="version", code="invalid")
    r = fin.put("/api/v1/accounts/%d/credit-limit" % aid, {"amount": 5, "version": 0})
    ck.expect(r, 409, "a stale version: 409 naming the current one", field="version", code="conflict")
    ck.ok(((r.json or {}).get("error") or {}).get("params", {}).get("version") == "1",
          "the 409 says the current version", r.describe())
    # the same again writes nothing
    r = fin.put("/api/v1/accounts/%d/credit-limit" % aid, {"amount": 1000000, "terms_days": 45, "note": "年审",
                                                            "version": 1})
    ck.expect(r, 200, "the same limit again: 200, version unchanged", json={"version": 1})
    ck.ok(limit_state(ctx, aid) == before, "a no-op PUT writes nothing")

    # exposure by hand: invoices 6000.00 (2000.00 paid) and 1000.00 not due; an order line after the latest
    # invoice (open) 500.00 and one before it (invoiced) 300.00
    i1, i2 = ctx.uniq("INV-"), ctx.uniq("INV-")
    load(ctx, "invoices", [INV_HEAD, [i1, code, today(-75), today(-45), "6000.00", "CNY"],
                           [i2, code, today(-10), today(20), "1000", "CNY"]], client=fin)
    load(ctx, "payments", [PAY_HEAD, [ctx.uniq("PAY-"), code, today(-40), "2000", "CNY", i1]], client=fin)
    w = ctx.must(ctx.admin.post("/api/v1/products", {"sku": ctx.uniq("CRP"), "name": "信用产品",
                                                     "family": ctx.uniq("CRF")}), 201, "product")
    for day, amt in ((today(-20), 30000), (today(-2), 50000)):
        ctx.must(ctx.admin.post("/api/v1/orders", {"external_id": ctx.uniq("CRL-"), "date": day, "account_id": aid,
                                                   "sku": w["sku"], "quantity": 1,
                                                   "amount": {"amount": amt, "currency": "CNY"},
                                                   "price_reason": "测试"}), 201, "order line")
    c = credit_of(ctx, aid, am)
    ck.ok(c.get("exposure") == {"receivables": 500000, "open_orders": 50000, "open_offers": 0, "total": 550000},
          "exposure = open receivables 5000.00 + open orders 500.00", repr(c.get("exposure")))
    ck.ok(c.get("used_bp") == 5500 and c.get("limit_base") == 1000000, "used 55.00 % of 10000.00",
          repr((c.get("used_bp"), c.get("limit_base"))))
    ag = c.get("ageing", {})
    ck.ok(ag.get("d31_60") == 400000 and ag.get("not_due") == 100000 and ag.get("overdue") == 400000 and
          ag.get("oldest_days") == 45, "ageing: 4000.00 at 45 days, 1000.00 not due", repr(ag))
    # DSO: open 5000.00 / (7000.00 invoiced in 90 days / 90) = 64.3 days
    ck.ok(c.get("dso") == 64.3, "DSO 5000 / (7000 / 90) = 64.3", repr(c.get("dso")))
    ck.ok(len(c.get("dso_trend", [])) == 12 and c["dso_trend"][-1]["dso"] == 64.3 and
          c["dso_trend"][-1]["day"] == today(), "the trend: 12 month-ends, the last one today",
          repr(c.get("dso_trend", [])[-2:]))

    # a group limit on the head covers its subsidiaries
    head, _ = credit_account(ctx)
    sub, _ = credit_account(ctx, parent_id=head)
    ck.expect(fin.put("/api/v1/accounts/%d/credit-limit" % head, {"group_amount": 2000000}), 200,
              "finance sets a group limit on the head")
    sql(ctx, "UPDATE accounts SET parent_id = %d WHERE id = %d" % (head, aid))
    c = credit_of(ctx, sub)
    ck.ok(c.get("group") and c["group"]["head_id"] == head and c["group"]["limit_base"] == 2000000 and
          c["group"]["exposure"] == 550000 and c["group"]["used_bp"] == 2750,
          "a subsidiary sees its group's limit and exposure (the other subsidiary's 5500.00)", repr(c.get("group")))
    sql(ctx, "UPDATE accounts SET parent_id = NULL WHERE id = %d" % aid)

    # another account's manager cannot read it: 404 (outside their scope)
    other, _ = credit_account(ctx, owner="am_f") if "am_f" in ctx.users else (None, None)
    if other:
        ck.expect(am.get("/api/v1/accounts/%d/credit" % other), 404, "another manager's account: 404")


def g_credit_holds(ctx):
    ck = ctx.ck
    a = ctx.admin
    fin = ctx.U("fin").client
    am = ctx.U("am_e").client
    aid, code = credit_account(ctx)
    # the account's receivables start (CREDIT.md): an invoice of 2000, paid, so its later lines
    # count as not yet invoiced whatever other groups loaded
    sql(ctx, "INSERT INTO invoices (invoice_no, account_id, day, due_day, amount, currency, amount_base, paid, "
             "created_at, updated_at) VALUES ('%s', %d, '2000-01-01', '2000-02-01', 100, 'CNY', 100, 100, 1, 1)"
             % (ctx.uniq("INV"), aid))
    p = ctx.must(a.post("/api/v1/products", {"sku": ctx.uniq("CHP"), "name": "信用报价产品", "family": ctx.uniq("CHF"),
                                            "list_price": {"amount": 10000, "currency": "CNY"}}), 201, "product")
    ctx.must(fin.put("/api/v1/accounts/%d/credit-limit" % aid, {"amount": 50000}), 200, "a 500.00 limit")
    ck.expect(am.get("/api/v1/settings/credit"), 200, "an account manager reads the credit setting",
              json={"over_limit": "flag"})
    ck.expect(am.patch("/api/v1/settings/credit", {"over_limit": "hold"}), 403, "an account manager may not change it")
    ck.expect(fin.patch("/api/v1/settings/credit", {"over_limit": "block"}), 400, "over_limit flag | hold",
              field="over_limit")
    ck.expect(fin.patch("/api/v1/settings/credit", {}), 400, "over_limit is required", field="over_limit")
    # the same value again writes nothing: no audit row
    n_audit = sql(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'settings'")[0][0]
    ck.expect(fin.patch("/api/v1/settings/credit", {"over_limit": "flag"}), 200, "the same setting again: 200",
              json={"over_limit": "flag"})
    ck.ok(sql(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'settings'")[0][0] == n_audit,
          "a no-op credit-settings PATCH writes no audit row")

    # an order line over the limit is flagged (never held)
    ck.expect(fin.patch("/api/v1/settings/credit", {"over_limit": "hold"}), 200, "finance: hold",
              json={"over_limit": "hold"})
    try:
        ok_line = ctx.must(a.post("/api/v1/orders", {"external_id": ctx.uniq("CHL-"), "date": today(-1),
                                                     "account_id": aid, "sku": p["sku"], "quantity": 1,
                                                     "amount": {"amount": 50000, "currency": "CNY"},
                                                     "price_reason": "测试"}), 201, "line")
        r = fin.get("/api/v1/credit-holds", {"account_id": str(aid)})
        ck.ok(r.status == 200 and r.json["items"] == [], "500.00 at a 500.00 limit: no hold (the near miss)",
              r.describe())
        line = ctx.must(a.post("/api/v1/orders", {"external_id": ctx.uniq("CHL-"), "date": today(-1),
                                                  "account_id": aid, "sku": p["sku"], "quantity": 1,
                                                  "amount": {"amount": 1, "currency": "CNY"},
                                                  "price_reason": "测试"}), 201, "line")
        r = fin.get("/api/v1/credit-holds", {"account_id": str(aid)})
        ck.expect(r, 200, "one cent more: the line is flagged",
                  json={"items": [{"kind": "order_line", "object_id": line["id"], "status": "flagged",
                                   "exposure": 50001, "limit_amount": 50000, "object_label": line["external_id"]}]})
        ck.ok(ok_line["id"] != line["id"], "two lines")
        # the offer: 1000.00 on top of 500.01 -> held
        o = ctx.must(a.post("/api/v1/offers", {"account_id": aid, "title": "超额报价 " + ctx.uniq(),
                                                "valid_until": "2099-12-31",
                                                "lines": [{"kind": "product", "product_id": p["id"],
                                                           "quantity": 10}]}), 201, "offer")
        r = a.post("/api/v1/offers/%d/submit" % o["id"], {})
        ck.expect(r, 200, "submit the offer")
        holds = fin.get("/api/v1/credit-holds", {"account_id": str(aid), "status": "held"}).json["items"]
        ck.ok(len(holds) == 1 and holds[0]["kind"] == "offer" and holds[0]["exposure"] == 150001,
              "the offer over the limit is held", repr(holds))
        r = a.post("/api/v1/offers/%d/send" % o["id"], {})
        ck.expect(r, 409, "a held offer cannot be sent", field="status")
        ck.ok(r.json and r.json.get("error", {}).get("key") == "credit.held", "its key is credit.held", r.describe())
        hid = holds[0]["id"] if holds else 0

        def stamped(offer_id):
            r = a.get("/api/v1/offers/%d/quote.html" % offer_id)
            return r.status == 200 and 'class="draft"' in r.body.decode("utf-8", "replace")
        ck.ok(stamped(o["id"]), "the held offer's quote is stamped a draft")
        ck.expect(am.post("/api/v1/credit-holds/%d/release" % hid, {}), 403, "an account manager may not release")
        ck.expect(fin.post("/api/v1/credit-holds/%d/refuse" % hid, {}), 400, "refusing takes a note", field="note")
        r = fin.post("/api/v1/credit-holds/%d/release" % hid, {"note": "已确认回款计划"})
        ck.expect(r, 200, "finance releases it", json={"status": "released", "note": "已确认回款计划",
                                                       "decided_by": ctx.U("fin").id})
        ck.expect(fin.post("/api/v1/credit-holds/%d/refuse" % hid, {"note": "晚了"}), 409,
                  "a decided hold is not decided again", field="status")
        ck.ok(not stamped(o["id"]), "released: the quote is the official one")
        ck.expect(a.post("/api/v1/offers/%d/send" % o["id"], {}), 200, "the released offer is sent",
                  json={"status": "sent"})
        # accepted and converted: its lines are not checked again (the offer was, at submit), so no
        # new hold, although the account is over its limit
        n0 = len(fin.get("/api/v1/credit-holds", {"account_id": str(aid)}).json["items"])
        ck.expect(a.post("/api/v1/offers/%d/accept" % o["id"], {"reason": "同意"}), 200, "accept the released offer")
        r = a.post("/api/v1/offers/%d/convert" % o["id"], {})
        if ck.expect(r, 200, "convert it"):
            n1 = len(fin.get("/api/v1/credit-holds", {"account_id": str(aid)}).json["items"])
            ck.ok(n1 == n0, "the converted lines add no credit hold (%d -> %d)" % (n0, n1))
        # a refused offer is never sent
        o2 = ctx.must(a.post("/api/v1/offers", {"account_id": aid, "title": "超额报价 " + ctx.uniq(),
                                                 "valid_until": "2099-12-31",
                                                 "lines": [{"kind": "product", "product_id": p["id"],
                                                            "quantity": 1}]}), 201, "offer 2")
        ck.expect(a.post("/api/v1/offers/%d/submit" % o2["id"], {}), 200, "submit offer 2")
        h2 = fin.get("/api/v1/credit-holds", {"account_id": str(aid), "status": "held"}).json["items"]
        if ck.ok(len(h2) == 1, "offer 2 held", repr(h2)):
            ck.expect(fin.post("/api/v1/credit-holds/%d/refuse" % h2[0]["id"], {"note": "逾期未还"}), 200,
                      "finance refuses it", json={"status": "refused"})
            r = a.post("/api/v1/offers/%d/send" % o2["id"], {})
            ck.expect(r, 409, "a refused offer cannot be sent", field="status")
            ck.ok(stamped(o2["id"]), "the refused offer's quote is stamped a draft")
        ck.ok(int(sql(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'credit_hold' AND account_id = %d" % aid)[0][0])
              >= 5, "holds and their decisions are audited")
        ck.ok(int(sql(ctx, "SELECT COUNT(*) FROM notifications WHERE user_id = %d AND kind = 'credit'"
                           % ctx.U("fin").id)[0][0]) >= 3, "finance is told of each")
    finally:
        fin.patch("/api/v1/settings/credit", {"over_limit": "flag"})
    # flag mode: an offer over the limit is flagged and may be sent
    o3 = ctx.must(a.post("/api/v1/offers", {"account_id": aid, "title": "超额报价 " + ctx.uniq(),
                                             "valid_until": "2099-12-31",
                                             "lines": [{"kind": "product", "product_id": p["id"], "quantity": 1}]}),
                  201, "offer 3")
    ck.expect(a.post("/api/v1/offers/%d/submit" % o3["id"], {}), 200, "submit offer 3 (flag mode)")
    ck.expect(a.post("/api/v1/offers/%d/send" % o3["id"], {}), 200, "a flagged offer is sent")
    r = fin.get("/api/v1/credit-holds", {"account_id": str(aid), "status": "flagged"})
    ck.ok(r.status == 200 and sorted(h["kind"] for h in r.json["items"]) == ["offer", "order_line"],
          "the offer is flagged beside the line", r.describe())
    # the flagged line deleted: its undecided hold goes with it (released, audited)
    ck.expect(a.delete("/api/v1/orders/%d" % line["id"]), 204, "delete the flagged line")
    r = fin.get("/api/v1/credit-holds", {"account_id": str(aid), "status": "flagged"})
    ck.ok(r.status == 200 and [h["kind"] for h in r.json["items"]] == ["offer"],
          "the deleted line's flag is gone", r.describe())
    c = credit_of(ctx, aid, am)
    ck.ok(len(c.get("holds", [])) == 4, "the account's credit lists its holds", repr(c.get("holds")))


GROUPS = [
    ("credit", g_credit_limits, True),
    ("credit_holds", g_credit_holds, True),
]


# ---- permission matrix builders (t_matrix.py): every route of api/risk/credit.c

def _hold(ctx, rec_):
    """A flagged hold on A_own or A_other (made by SQL: the object is not read)."""
    key = "CH_matrix_" + rec_
    if key not in ctx.ids:
        a = acc(ctx, rec_)
        sql(ctx, "INSERT INTO credit_holds (kind, object_id, account_id, exposure, limit_amount, status, created_at, "
                 "updated_at) VALUES ('offer', %d, %d, 2, 1, 'flagged', 1, 1)" % (900000000 + a, a))
        ctx.ids[key] = int(sql(ctx, "SELECT id FROM credit_holds WHERE object_id = %d AND kind = 'offer'"
                                    % (900000000 + a))[0][0])
    return ctx.ids[key]


def _hold_state(ctx, hid):
    return sql(ctx, "SELECT status, version FROM credit_holds WHERE id = %d" % hid)


def _reopen(ctx, hid):
    sql(ctx, "UPDATE credit_holds SET status = 'flagged' WHERE id = %d" % hid)


@route("GET", "/api/v1/accounts/{id}/credit", "account")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/accounts/%d/credit" % acc(ctx, rec_))


@route("PUT", "/api/v1/accounts/{id}/credit-limit", "account")
def _(ctx, u, rec_):
    a = acc(ctx, rec_)
    # a limit far above anything: other modules' offers on these accounts are never over it
    body = {"amount": 10 ** 14, "note": "matrix " + ctx.uniq()}
    v = sql(ctx, "SELECT version FROM credit_limits WHERE account_id = %d" % a)
    if v:  # over an existing limit, the version read
        body["version"] = int(v[0][0])
    return Attempt("PUT", "/api/v1/accounts/%d/credit-limit" % a, body, state=lambda: limit_state(ctx, a))


@route("GET", "/api/v1/credit-holds", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/credit-holds", query={"limit": "5"})


@route("POST", "/api/v1/credit-holds/{id}/release", "credit_hold")
def _(ctx, u, rec_):
    hid = _hold(ctx, rec_)
    return Attempt("POST", "/api/v1/credit-holds/%d/release" % hid, {"note": "matrix"},
                   state=lambda: _hold_state(ctx, hid), cleanup=lambda: _reopen(ctx, hid))


@route("POST", "/api/v1/credit-holds/{id}/refuse", "credit_hold")
def _(ctx, u, rec_):
    hid = _hold(ctx, rec_)
    return Attempt("POST", "/api/v1/credit-holds/%d/refuse" % hid, {"note": "matrix"},
                   state=lambda: _hold_state(ctx, hid), cleanup=lambda: _reopen(ctx, hid))


@route("GET", "/api/v1/settings/credit", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/settings/credit")


@route("PATCH", "/api/v1/settings/credit", "none")
def _(ctx, u, rec_):
    return Attempt("PATCH", "/api/v1/settings/credit", {"over_limit": "flag"},
                   state=lambda: sql(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'settings'"))
