"""Contracts (issue 17 item 1, src/api/contracts/contracts.c, src/svc/contracts/contract.c,
obligation.c): create with inline obligations (draft, defaults, audit rows with the account),
every refused body naming its field with nothing written (number taken 409, dates, currency
without a rate, covers_group without subsidiaries, a signatory of another account, a price list
of another account or currency, an owner who may not read the account, each obligation kind's
rules), PATCH (versions, a draft's terms, an active contract's owner and note only: 409
contract.amend_active), DELETE of drafts only, activate (revision 1 in the versions), amend
(revision + 1, the version's terms, obligations kept by id and the rest deactivated), terminate,
renew (the successor draft, renewed_to, 409 twice), obligations of drafts (POST, PATCH, DELETE)
and their done occurrences, the list (scope, filters, subsidiaries, expiring_within, paging,
export) and the permission matrix of every route of the file (contracts_matrix; the suite's
matrix runs the same builders). The status job is unit-tested (tests/unit/test_contracts.c):
nothing here sleeps or moves the clock."""

import datetime

import policy as pol
import t_basic
import t_matrix
from policy import ALL, NONE, SCOPE, _roles
from t_matrix import route, Attempt
from t_answers import sql

# src/svc/core/policy.c: legal, director and admin write contracts; finance creates and changes,
# never deletes; the account team, service and viewers read in scope; hr nothing.
pol.EXPECTED.update({
    ("contract", "read"): _roles(SCOPE, admin=ALL, director=ALL, finance=ALL, legal=ALL, hr=NONE),
    ("contract", "create"): _roles(NONE, admin=ALL, director=ALL, finance=ALL, legal=ALL),
    ("contract", "update"): _roles(NONE, admin=ALL, director=ALL, finance=ALL, legal=ALL),
    ("contract", "delete"): _roles(NONE, admin=ALL, director=ALL, legal=ALL),
})

if "contract" not in t_matrix.RECORD_KINDS:
    t_matrix.RECORD_KINDS = t_matrix.RECORD_KINDS + ("contract",)
if "contract" not in t_basic.SCOPES:
    t_basic.SCOPES = t_basic.SCOPES + ("contract",)


def today():
    return (datetime.datetime.utcnow() + datetime.timedelta(hours=8)).date()


def n_rows(ctx, q):
    return int(sql(ctx, q)[0][0])


def audit_count(ctx, entity, rid=None, action=None):
    q = "SELECT COUNT(*) FROM audit WHERE entity = '%s'" % entity
    if rid is not None:
        q += " AND entity_id = %d" % rid
    if action:
        q += " AND action = '%s'" % action
    return n_rows(ctx, q)


def state(ctx, cid=None):
    st = {"n": n_rows(ctx, "SELECT COUNT(*) FROM contracts"),
          "obl": n_rows(ctx, "SELECT COUNT(*) FROM contract_obligations"),
          "ver": n_rows(ctx, "SELECT COUNT(*) FROM contract_versions"),
          "done": n_rows(ctx, "SELECT COUNT(*) FROM contract_obligation_done"),
          "audit": audit_count(ctx, "contract") + audit_count(ctx, "contract_obligation")}
    if cid:
        st["row"] = sql(ctx, "SELECT number, title, note, status, ends_on, revision, renewed_to, version FROM "
                             "contracts WHERE id = %d" % cid)
        st["obls"] = sql(ctx, "SELECT id, kind, title, target, active FROM contract_obligations WHERE "
                              "contract_id = %d ORDER BY id" % cid)
    return st


def body(ctx, account, **fields):
    b = {"account_id": account, "number": ctx.uniq("HT-"), "title": "年度框架协议 " + ctx.tag, "kind": "framework",
         "starts_on": "2026-01-01", "ends_on": "2026-12-31", "currency": "CNY"}
    b.update(fields)
    return b


def new_contract(ctx, account, client=None, activate=False, **fields):
    c = client or ctx.admin
    j = ctx.must(c.post("/api/v1/contracts", body(ctx, account, **fields)), 201, "create contract")
    if activate:
        ctx.must(c.post("/api/v1/contracts/%d/activate" % j["id"], {}), 200, "activate contract")
    return j["id"]


def family(ctx):
    """A product family that exists (volume obligations name one)."""
    if "CT_family" not in ctx.ids:
        fam = "合同族 " + ctx.tag
        ctx.must(ctx.admin.post("/api/v1/products", {"sku": ctx.uniq("CTP"), "name": "合同产品", "family": fam}),
                 201, "product of the contract family")
        ctx.ids["CT_family"] = fam
    return ctx.ids["CT_family"]


VOLUME = {"side": "theirs", "kind": "volume", "title": "季度采购量", "measure": "amount", "period": "quarter",
          "target": 50000000}
PAYMENT = {"side": "theirs", "kind": "payment", "title": "60 天付款", "days": 60}
TRAINING = {"side": "ours", "kind": "training", "title": "每季度培训", "due_on": "2026-01-31",
            "recurrence": "month"}
SLA = {"side": "ours", "kind": "service_level", "response_hours": 4, "resolution_hours": 48}


def g_contracts(ctx):
    ck = ctx.ck
    a = ctx.admin
    legal = ctx.U("legal").client
    fin = ctx.U("fin").client
    am = ctx.U("am_e").client
    viewer = ctx.U("viewer_e").client
    hr = ctx.U("hr").client
    own = ctx.new_account("am_e", members=[("service_e", "service"), ("viewer_e", "marketing")],
                          code=ctx.uniq("CTA"), name="合同客户 " + ctx.tag)
    other = ctx.new_account("am_w", code=ctx.uniq("CTB"), name="他人合同客户 " + ctx.tag)
    contact = ctx.new_contact(own, name="签约人 " + ctx.tag)
    other_contact = ctx.new_contact(other, name="他人签约人")
    fam = family(ctx)
    b = body(ctx, own, signatory_contact_id=contact, their_signatory="王总", payment_days=60,
             sla_response_hours=4, note="主合同",
             obligations=[dict(VOLUME, family=fam), PAYMENT, TRAINING, SLA])
    r = legal.post("/api/v1/contracts", b)
    if not ck.expect(r, 201, "legal creates a contract with obligations",
                     json={"status": "draft", "revision": 1, "version": 1, "number": b["number"],
                           "account_id": own, "renewal_months": 12, "notice_days": 30, "remind_days": 30,
                           "auto_renew": False, "owner_id": ctx.U("legal").id, "payment_days": 60,
                           "notice_on": "2026-12-01", "open_breaches": 0, "covers_group": False,
                           "signatory_contact_id": contact}):
        return
    cid = r.json["id"]
    obls = r.json["obligations"]
    ck.ok(len(obls) == 4 and [o["kind"] for o in obls] == ["volume", "payment", "training", "service_level"],
          "four obligations in order", repr(obls))
    tr = [o for o in obls if o["kind"] == "training"]
    ck.ok(tr and tr[0]["next_due"] == "2026-01-31" and tr[0]["recurrence"] == "month",
          "a dated obligation's next due date", repr(tr))
    ck.ok(audit_count(ctx, "contract", cid, "create") == 1, "create audited")
    ck.ok(n_rows(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'contract_obligation' AND action = 'create' AND "
                      "account_id = %d" % own) == 4, "each obligation audited with the account")
    ck.ok(n_rows(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'contract' AND entity_id = %d AND account_id = %d"
                      % (cid, own)) == 1, "the contract's audit row carries the account")

    # refused bodies: 400 naming the field (409 for a taken number), nothing written
    head = ctx.new_account("am_e", code=ctx.uniq("CTH"), name="无子公司 " + ctx.tag)
    pl_other = ctx.must(a.post("/api/v1/price-lists", {"name": "他人价 " + ctx.tag, "currency": "CNY",
                                                      "scope": "account", "account_id": other}), 201,
                        "price list of another account")["id"]
    ctx.must(a.put("/api/v1/fx-rates", {"currency": "XCT", "rate_micro": 2000000}), 200, "fx XCT")
    pl_usd = ctx.must(a.post("/api/v1/price-lists", {"name": "外币价 " + ctx.tag, "currency": "XCT",
                                                    "scope": "account", "account_id": own}), 201,
                      "price list in another currency")["id"]
    pl_ok = ctx.must(a.post("/api/v1/price-lists", {"name": "合同价 " + ctx.tag, "currency": "CNY",
                                                   "scope": "account", "account_id": own}), 201,
                     "price list of the account")["id"]
    before = state(ctx)
    base = body(ctx, own)
    bad = [
        ({k: v for k, v in base.items() if k != "number"}, 400, "number"),
        ({k: v for k, v in base.items() if k != "account_id"}, 400, "account_id"),
        ({k: v for k, v in base.items() if k != "currency"}, 400, "currency"),
        (dict(base, number=b["number"]), 409, "number"),
        (dict(base, number=" "), 400, "number"),
        (dict(base, number="n" * 51), 400, "number"),
        (dict(base, title="t" * 201), 400, "title"),
        (dict(base, kind="loan"), 400, "kind"),
        (dict(base, starts_on="2026-02-30"), 400, "starts_on"),
        (dict(base, ends_on="2025-12-31"), 400, "ends_on"),
        (dict(base, signed_on="yesterday"), 400, "signed_on"),
        (dict(base, currency="cny"), 400, "currency"),
        (dict(base, currency="QQQ"), 400, "currency"),
        (dict(base, notice_days=366), 400, "notice_days"),
        (dict(base, remind_days=-1), 400, "remind_days"),
        (dict(base, renewal_months=0), 400, "renewal_months"),
        (dict(base, payment_days=366), 400, "payment_days"),
        (dict(base, sla_response_hours=0), 400, "sla_response_hours"),
        (dict(base, sla_resolution_hours=-5), 400, "sla_resolution_hours"),
        (dict(base, our_party="p" * 201), 400, "our_party"),
        (dict(base, their_signatory="s" * 101), 400, "their_signatory"),
        (dict(base, note="n" * 2001), 400, "note"),
        (dict(base, account_id=head, covers_group=True), 400, "covers_group"),
        (dict(base, signatory_contact_id=other_contact), 400, "signatory_contact_id"),
        (dict(base, signatory_contact_id=999999999), 400, "signatory_contact_id"),
        (dict(base, price_list_id=pl_other), 400, "price_list_id"),
        (dict(base, price_list_id=pl_usd), 400, "price_list_id"),
        (dict(base, owner_id=ctx.U("am_w").id), 400, "owner_id"),
        (dict(base, owner_id=ctx.U("hr").id), 400, "owner_id"),
        (dict(base, account_id=999999999), 400, "account_id"),
        (dict(base, colour="red"), 400, "colour"),
        (dict(base, version=1), 400, "version"),
        (dict(base, obligations=[{"kind": "volume"}]), 400, "obligations[0].side"),
        (dict(base, obligations=[dict(VOLUME, side="both")]), 400, "obligations[0].side"),
        (dict(base, obligations=[dict(VOLUME, kind="bribe")]), 400, "obligations[0].kind"),
        (dict(base, obligations=[{k: v for k, v in VOLUME.items() if k != "measure"}]), 400,
         "obligations[0].measure"),
        (dict(base, obligations=[{k: v for k, v in VOLUME.items() if k != "period"}]), 400,
         "obligations[0].period"),
        (dict(base, obligations=[dict(VOLUME, period="week")]), 400, "obligations[0].period"),
        (dict(base, obligations=[dict(VOLUME, target=0)]), 400, "obligations[0].target"),
        (dict(base, obligations=[dict(VOLUME, family="没有的族 " + ctx.tag)]), 400, "obligations[0].family"),
        (dict(base, obligations=[dict(VOLUME, due_on="2026-03-01")]), 400, "obligations[0].due_on"),
        (dict(base, obligations=[PAYMENT, dict(PAYMENT, days=400)]), 400, "obligations[1].days"),
        (dict(base, obligations=[dict(PAYMENT, measure="amount")]), 400, "obligations[0].measure"),
        (dict(base, obligations=[dict(SLA, response_hours=0)]), 400, "obligations[0].response_hours"),
        (dict(base, obligations=[{k: v for k, v in TRAINING.items() if k != "due_on"}]), 400,
         "obligations[0].due_on"),
        (dict(base, obligations=[dict(TRAINING, recurrence="daily")]), 400, "obligations[0].recurrence"),
        (dict(base, obligations=[dict(PAYMENT, recurrence="month")]), 400, "obligations[0].recurrence"),
        (dict(base, obligations=[dict(VOLUME, tolerance_bp=10001)]), 400, "obligations[0].tolerance_bp"),
        (dict(base, obligations=[dict(TRAINING, title="t" * 201)]), 400, "obligations[0].title"),
        (dict(base, obligations=[PAYMENT] * 51), 400, "obligations"),
    ]
    for bb, status, field in bad:
        ck.expect(legal.post("/api/v1/contracts", bb), status, "POST contract refused -> %d %s" % (status, field),
                  field=field)
    r = legal.post("/api/v1/contracts", dict(base, number=b["number"]))
    ck.ok(r.status == 409 and r.json["error"].get("key") == "contract.number_taken", "key contract.number_taken",
          r.describe())
    ck.expect(am.post("/api/v1/contracts", base), 403, "an account manager may not create a contract")
    ck.expect(viewer.post("/api/v1/contracts", base), 403, "a viewer may not create a contract")
    ck.expect(hr.post("/api/v1/contracts", base), 403, "hr may not create a contract")
    ck.ok(state(ctx) == before, "refused creations wrote nothing")
    # a price list of the account in the contract's currency is taken; so is a group list of the head
    parent = ctx.new_account("am_e", code=ctx.uniq("CTG"), name="集团总部 " + ctx.tag)
    sub = ctx.new_account("am_e", parent_id=parent, code=ctx.uniq("CTS"), name="子公司 " + ctx.tag)
    pl_group = ctx.must(a.post("/api/v1/price-lists", {"name": "集团价 " + ctx.tag, "currency": "CNY",
                                                      "scope": "group", "account_id": parent}), 201,
                        "group price list")["id"]
    ck.expect(legal.post("/api/v1/contracts", body(ctx, own, price_list_id=pl_ok)), 201,
              "the account's own price list", json={"price_list_id": pl_ok})
    ck.expect(legal.post("/api/v1/contracts", body(ctx, sub, price_list_id=pl_group)), 201,
              "the group head's group price list for a subsidiary", json={"price_list_id": pl_group})
    gid = new_contract(ctx, parent, legal, covers_group=True)

    # GET: scope
    ck.expect(am.get("/api/v1/contracts/%d" % cid), 200, "the account manager reads the contract",
              json={"id": cid, "account_name": "合同客户 " + ctx.tag})
    ck.expect(viewer.get("/api/v1/contracts/%d" % cid), 200, "a viewer in scope reads it")
    ck.expect(ctx.U("am_w").client.get("/api/v1/contracts/%d" % cid), 404, "another team's AM: 404")
    ck.expect(hr.get("/api/v1/contracts/%d" % cid), 404, "hr: 404")

    # PATCH a draft: terms change freely, versions guard
    st = state(ctx, cid)
    ck.expect(legal.patch("/api/v1/contracts/%d" % cid, {"title": "x", "version": 7}), 409, "stale version -> 409",
              field="version")
    ck.expect(legal.patch("/api/v1/contracts/%d" % cid, {"account_id": other}), 400, "the account cannot change",
              field="account_id")
    ck.expect(legal.patch("/api/v1/contracts/%d" % cid, {"ends_on": "2025-01-01"}), 400, "ends before it starts",
              field="ends_on")
    ck.expect(am.patch("/api/v1/contracts/%d" % cid, {"note": "x"}), 403, "an account manager may not change it")
    ck.expect(legal.patch("/api/v1/contracts/%d" % cid, {"obligations": [dict(VOLUME, target=-1)]}), 400,
              "a bad obligation in the new list", field="obligations[0].target")
    ck.ok(state(ctx, cid) == st, "refused PATCHes changed nothing")
    r = legal.patch("/api/v1/contracts/%d" % cid, {"title": "年度框架协议（修订）", "notice_days": 60, "version": 1})
    ck.expect(r, 200, "PATCH a draft's terms", json={"title": "年度框架协议（修订）", "notice_days": 60, "version": 2,
                                                       "notice_on": "2026-11-01"})
    ck.expect(legal.patch("/api/v1/contracts/%d" % cid, {"notice_days": 60}), 200, "the same value: no new version",
              json={"version": 2})
    ck.ok(audit_count(ctx, "contract", cid, "update") == 1, "one update audited")
    # the obligations replaced whole: the volume one kept by id (changed), the rest deactivated, one new
    vol = [o for o in obls if o["kind"] == "volume"][0]
    r = legal.patch("/api/v1/contracts/%d" % cid, {"obligations": [{"id": vol["id"], "target": 60000000},
                                                                   dict(TRAINING, title="新培训")]})
    if ck.expect(r, 200, "PATCH the obligations of a draft", json={"version": 3}):
        act = [(o["kind"], o["target"]) for o in r.json["obligations"] if o["active"]]
        ck.ok(act == [("volume", 60000000), ("training", None)], "the volume kept and changed, one new", repr(act))
        ck.ok(len([o for o in r.json["obligations"] if not o["active"]]) == 3, "the others deactivated",
              repr(r.json["obligations"]))

    # DELETE: drafts only
    d = new_contract(ctx, own, legal, obligations=[PAYMENT])
    ck.expect(fin.delete("/api/v1/contracts/%d" % d), 403, "finance may not delete a contract")
    ck.expect(legal.delete("/api/v1/contracts/%d" % d), 204, "DELETE a draft")
    ck.expect(legal.get("/api/v1/contracts/%d" % d), 404, "gone")
    ck.ok(audit_count(ctx, "contract", d, "delete") == 1, "delete audited")
    ck.ok(n_rows(ctx, "SELECT COUNT(*) FROM contract_obligations WHERE contract_id = %d" % d) == 0,
          "its obligations went with it")

    # the account cannot go while it has contracts
    r = a.delete("/api/v1/accounts/%d" % head)
    ck.expect(r, 204, "an account without contracts can go")
    r = a.delete("/api/v1/accounts/%d" % own)
    ck.ok(r.status == 409 and r.json["error"].get("key") in ("account.has_contracts", "account.has_prices"),
          "an account with contracts (or prices) stays", r.describe())
    acc3 = ctx.new_account("am_e", code=ctx.uniq("CTD"), name="删不掉 " + ctx.tag)
    new_contract(ctx, acc3, legal)
    r = a.delete("/api/v1/accounts/%d" % acc3)
    ck.ok(r.status == 409 and r.json["error"].get("key") == "account.has_contracts", "account.has_contracts",
          r.describe())

    # list: scope, filters, paging, export
    ctx.ids["CT_list"] = (own, other, cid, gid, sub, parent)
    mine = new_contract(ctx, own, legal, kind="supply", title="供货合同 " + ctx.tag, ends_on="2026-06-30")
    theirs = new_contract(ctx, other, legal, title="他人合同 " + ctx.tag)
    r = am.get("/api/v1/contracts", {"q": ctx.tag, "limit": "500"})
    ids = [x["id"] for x in r.json["items"]] if r.status == 200 else []
    ck.ok(r.status == 200 and cid in ids and mine in ids and theirs not in ids, "the AM lists own accounts' only",
          r.describe())
    r = a.get("/api/v1/contracts", {"q": ctx.tag, "limit": "500"})
    ck.ok(r.status == 200 and theirs in [x["id"] for x in r.json["items"]], "the admin lists all", r.describe())
    r = a.get("/api/v1/contracts", {"account_id": str(own), "kind": "supply"})
    ck.ok(r.status == 200 and [x["id"] for x in r.json["items"]] == [mine], "kind filters", r.describe())
    r = a.get("/api/v1/contracts", {"q": "供货合同 " + ctx.tag})
    ck.ok(r.status == 200 and [x["id"] for x in r.json["items"]] == [mine], "q finds the title", r.describe())
    r = a.get("/api/v1/contracts", {"q": b["number"].lower()})
    ck.ok(r.status == 200 and [x["id"] for x in r.json["items"]] == [cid], "q finds the number", r.describe())
    r = a.get("/api/v1/contracts", {"account_id": str(parent), "subsidiaries": "1", "limit": "500"})
    ids = [x["id"] for x in r.json["items"]] if r.status == 200 else []
    ck.ok(r.status == 200 and gid in ids and len(ids) == 2, "subsidiaries=1: the group's contracts", r.describe())
    r = a.get("/api/v1/contracts", {"account_id": str(own), "status": "draft", "sort": "ends_on", "limit": "1"})
    if ck.ok(r.status == 200 and len(r.json["items"]) == 1 and r.json["items"][0]["id"] == mine
             and r.json.get("next_cursor"), "sorted by ends_on, a cursor", r.describe()):
        r2 = a.get("/api/v1/contracts", {"account_id": str(own), "status": "draft", "sort": "ends_on", "limit": "1",
                                         "cursor": r.json["next_cursor"]})
        ck.ok(r2.status == 200 and r2.json["items"] and r2.json["items"][0]["id"] != mine, "the next page",
              r2.describe())
        ck.expect(a.get("/api/v1/contracts", {"sort": "number", "cursor": r.json["next_cursor"]}), 400,
                  "a cursor of another sort", field="cursor")
    r = a.get("/api/v1/contracts", {"owner_id": "me", "account_id": str(own)})
    ck.ok(r.status == 200 and r.json["items"] == [], "owner_id=me: the admin owns none of them", r.describe())
    r = legal.get("/api/v1/contracts", {"owner_id": "me", "q": ctx.tag, "limit": "500"})
    ck.ok(r.status == 200 and mine in [x["id"] for x in r.json["items"]], "owner_id=me for legal", r.describe())
    for q, field in (({"status": "open"}, "status"), ({"kind": "loan"}, "kind"), ({"sort": "colour"}, "sort"),
                     ({"expiring_within": "-1"}, "expiring_within"), ({"subsidiaries": "1"}, "subsidiaries"),
                     ({"limit": "0"}, "limit")):
        ck.expect(a.get("/api/v1/contracts", q), 400, "bad list query %s" % q, field=field)
    ck.expect(hr.get("/api/v1/contracts"), 403, "hr lists no contracts")
    # the global search: by number and title, in the reader's scope
    r = am.get("/api/v1/search", {"q": b["number"], "kinds": "contract"})
    ck.ok(r.status == 200 and [(x["kind"], x["id"]) for x in r.json["items"]] == [("contract", cid)],
          "the search finds the contract by its number", r.describe())
    r = ctx.U("am_w").client.get("/api/v1/search", {"q": b["number"], "kinds": "contract"})
    ck.ok(r.status == 200 and r.json["items"] == [], "not another team's", r.describe())
    r = am.get("/api/v1/contracts/export", {"account_id": str(own), "format": "csv", "columns": "number:编号,title:名称"})
    text = r.body.decode("utf-8", "replace")
    ck.ok(r.status == 200 and "编号" in text and b["number"] in text and "供货合同" in text, "export as csv",
          text[:300])


def g_contract_flow(ctx):
    ck = ctx.ck
    legal = ctx.U("legal").client
    fin = ctx.U("fin").client
    am = ctx.U("am_e").client
    own = ctx.new_account("am_e", members=[("viewer_e", "marketing")], code=ctx.uniq("CFA"),
                          name="合同流程客户 " + ctx.tag)
    cid = new_contract(ctx, own, legal, obligations=[PAYMENT, TRAINING], starts_on="2026-01-01",
                       ends_on="2026-12-31", renewal_months=12)
    # obligations of a draft: add, change, remove
    path = "/api/v1/contracts/%d/obligations" % cid
    r = fin.post(path, dict(VOLUME, family=family(ctx)))
    if not ck.expect(r, 201, "finance adds an obligation to a draft", json={"kind": "volume", "active": True}):
        return
    oid = r.json["id"]
    other_c = new_contract(ctx, own, legal)
    st = state(ctx, cid)
    ck.expect(fin.post(path, dict(VOLUME, period=None)), 400, "a volume without period", field="period")
    ck.expect(fin.post(path, dict(SLA, days=3)), 400, "days on a service level", field="days")
    ck.expect(fin.patch("%s/%d" % (path, oid), {"target": 0}), 400, "PATCH target 0", field="target")
    ck.expect(am.post(path, PAYMENT), 403, "an account manager may not add one")
    ck.expect(fin.patch("/api/v1/contracts/%d/obligations/%d" % (other_c, oid), {"title": "x"}), 404,
              "an obligation of another contract: 404")
    ck.expect(fin.delete("/api/v1/contracts/%d/obligations/%d" % (other_c, oid)), 404,
              "no DELETE through another contract")
    ck.ok(state(ctx, cid) == st, "refused obligation writes changed nothing")
    ck.expect(fin.patch("%s/%d" % (path, oid), {"title": "月度采购额", "period": "month"}), 200,
              "PATCH an obligation", json={"title": "月度采购额", "period": "month"})
    ck.ok(audit_count(ctx, "contract_obligation", oid, "update") == 1, "obligation update audited")
    r = legal.get(path)
    ck.ok(r.status == 200 and [o["kind"] for o in r.json["items"]] == ["payment", "training", "volume"],
          "GET obligations", r.describe())
    tmp = ctx.must(legal.post(path, PAYMENT), 201, "another obligation")["id"]
    ck.expect(legal.delete("%s/%d" % (path, tmp)), 204, "DELETE an obligation of a draft")
    ck.ok(audit_count(ctx, "contract_obligation", tmp, "delete") == 1, "obligation delete audited")
    # done on a draft: nothing is due yet
    tr = [o for o in r.json["items"] if o["kind"] == "training"][0]["id"] if r.status == 200 else 0
    ck.expect(legal.post("%s/%d/done" % (path, tr), {"due_on": "2026-01-31"}), 409, "done on a draft -> 409",
              field="status")

    # activate: revision 1 in the versions
    ck.expect(legal.post("/api/v1/contracts/%d/activate" % cid, {"version": 99}), 409, "activate with a stale version",
              field="version")
    r = legal.post("/api/v1/contracts/%d/activate" % cid, {})
    if not ck.expect(r, 200, "activate", json={"status": "active", "revision": 1}):
        return
    ver = r.json["version"]
    ck.expect(legal.post("/api/v1/contracts/%d/activate" % cid, {}), 409, "activate twice -> 409", field="status")
    r = legal.get("/api/v1/contracts/%d/versions" % cid)
    ck.ok(r.status == 200 and len(r.json["items"]) == 1 and r.json["items"][0]["revision"] == 1
          and r.json["items"][0]["effective_on"] == "2026-01-01"
          and len(r.json["items"][0]["terms"]["obligations"]) == 3
          and r.json["items"][0]["terms"]["ends_on"] == "2026-12-31", "version 1 with the terms", r.describe())
    ck.ok(audit_count(ctx, "contract", cid, "activate") == 1, "activation audited")

    # in force: terms only through an amendment; owner and note still patchable; no deletes
    st = state(ctx, cid)
    r = legal.patch("/api/v1/contracts/%d" % cid, {"ends_on": "2027-06-30"})
    ck.expect(r, 409, "PATCH of a term of an active contract -> 409", field="status")
    ck.ok(r.status == 409 and r.json["error"].get("key") == "contract.amend_active", "key contract.amend_active",
          r.describe())
    ck.expect(legal.patch("/api/v1/contracts/%d" % cid, {"obligations": []}), 409, "PATCH of obligations -> 409",
              field="status")
    ck.expect(legal.post(path, PAYMENT), 409, "POST obligation on an active contract -> 409", field="status")
    ck.expect(legal.delete("%s/%d" % (path, oid)), 409, "DELETE obligation on an active contract -> 409",
              field="status")
    r = legal.delete("/api/v1/contracts/%d" % cid)
    ck.expect(r, 409, "DELETE an active contract -> 409", field="id")
    ck.ok(r.status == 409 and r.json["error"].get("key") == "contract.not_draft", "key contract.not_draft",
          r.describe())
    ck.ok(state(ctx, cid) == st, "refused changes of an active contract changed nothing")
    r = legal.patch("/api/v1/contracts/%d" % cid, {"note": "续签谈判中", "owner_id": ctx.U("am_e").id, "version": ver})
    ck.expect(r, 200, "owner and note of an active contract", json={"note": "续签谈判中", "owner_id": ctx.U("am_e").id})
    # the same terms again are no change
    ck.expect(legal.patch("/api/v1/contracts/%d" % cid, {"ends_on": "2026-12-31", "title": r.json.get("title")}), 200,
              "unchanged terms are not refused")

    # done occurrences
    r = legal.post("%s/%d/done" % (path, tr), {"due_on": "2026-02-28", "done_on": "2026-02-20", "note": "已培训"})
    ck.expect(r, 201, "record an occurrence done (Jan 31 + 1 month = Feb 28)",
              json={"next_due": "2026-01-31", "done": [{"due_on": "2026-02-28", "done_on": "2026-02-20"}]})
    r = legal.post("%s/%d/done" % (path, tr), {"due_on": "2026-01-31", "done_on": "2026-01-30"})
    ck.expect(r, 201, "the first occurrence", json={"next_due": "2026-03-31"})
    st = state(ctx, cid)
    for bb, status, field in (({"due_on": "2026-02-28"}, 409, "due_on"), ({"due_on": "2026-02-27"}, 400, "due_on"),
                              ({"due_on": "2025-12-31"}, 400, "due_on"), ({}, 400, "due_on"),
                              ({"due_on": "2026-03-31", "done_on": (today() + datetime.timedelta(days=2))
                                .isoformat()}, 400, "done_on"),
                              ({"due_on": "2026-03-31", "note": "n" * 2001}, 400, "note")):
        ck.expect(legal.post("%s/%d/done" % (path, tr), bb), status, "done refused %s -> %d" % (bb, status),
                  field=field)
    ck.expect(legal.post("%s/%d/done" % (path, oid), {"due_on": "2026-01-31"}), 400,
              "a volume obligation has no occurrences", field="due_on")
    ck.ok(state(ctx, cid) == st, "refused done records wrote nothing")
    ck.ok(audit_count(ctx, "contract_obligation", tr, "done") == 2, "done audited")

    # amend: revision 2, obligations by id, the version's terms
    pay = [o for o in legal.get(path).json["items"] if o["kind"] == "payment"][0]["id"]
    st = state(ctx, cid)
    for bb, status, field in (({"note": "x"}, 400, "effective_on"),
                              ({"effective_on": "2025-12-01"}, 400, "effective_on"),
                              ({"effective_on": "2026-07-01", "ends_on": "2025-01-01"}, 400, "ends_on"),
                              ({"effective_on": "2026-07-01", "account_id": own}, 400, "account_id"),
                              ({"effective_on": "2026-07-01", "obligations": [{"id": 999999999}]}, 400,
                               "obligations[0].id"),
                              ({"effective_on": "2026-07-01", "version": 1}, 409, "version")):
        ck.expect(legal.post("/api/v1/contracts/%d/amend" % cid, bb), status, "amend refused -> %d %s"
                  % (status, field), field=field)
    ck.expect(am.post("/api/v1/contracts/%d/amend" % cid, {"effective_on": "2026-07-01"}), 403,
              "an account manager may not amend")
    ck.ok(state(ctx, cid) == st, "refused amendments changed nothing")
    r = legal.post("/api/v1/contracts/%d/amend" % cid, {
        "effective_on": "2026-07-01", "note": "延长一年，付款改为 45 天", "ends_on": "2027-12-31",
        "obligations": [{"id": pay, "days": 45}, {"id": tr}]})
    if ck.expect(r, 200, "amend", json={"revision": 2, "ends_on": "2027-12-31", "status": "active"}):
        act = sorted((o["kind"], o["days"]) for o in r.json["obligations"] if o["active"])
        ck.ok(act == [("payment", 45), ("training", None)], "kept by id, the volume deactivated", repr(act))
    r = legal.get("/api/v1/contracts/%d/versions" % cid)
    if ck.ok(r.status == 200 and [v["revision"] for v in r.json["items"]] == [2, 1], "two versions, newest first",
             r.describe()):
        v2 = r.json["items"][0]
        ck.ok(v2["effective_on"] == "2026-07-01" and v2["note"] == "延长一年，付款改为 45 天"
              and v2["terms"]["ends_on"] == "2027-12-31"
              and sorted(o["kind"] for o in v2["terms"]["obligations"]) == ["payment", "training"]
              and r.json["items"][1]["terms"]["ends_on"] == "2026-12-31", "the terms of each revision", repr(v2))
    ck.ok(audit_count(ctx, "contract", cid, "amend") == 1, "amendment audited")
    ck.expect(am.get("/api/v1/contracts/%d/versions" % cid), 200, "the account manager reads the versions")
    ck.expect(ctx.U("am_w").client.get("/api/v1/contracts/%d/versions" % cid), 404, "another team: 404")

    # renew: a successor draft; twice 409
    ck.expect(legal.post("/api/v1/contracts/%d/renew" % cid, {}), 400, "renew without number", field="number")
    num = ctx.uniq("HT-R")
    r = legal.post("/api/v1/contracts/%d/renew" % cid, {"number": num})
    if ck.expect(r, 201, "renew", json={"status": "draft", "number": num, "starts_on": "2028-01-01",
                                        "ends_on": "2028-12-31", "account_id": own}):
        succ = r.json["id"]
        ck.ok(sorted(o["kind"] for o in r.json["obligations"]) == ["payment", "training"]
              and [o["due_on"] for o in r.json["obligations"] if o["kind"] == "training"] == ["2028-01-31"],
              "the successor's obligations (the training from its first month)", repr(r.json["obligations"]))
        ck.expect(legal.get("/api/v1/contracts/%d" % cid), 200, "the contract names its successor",
                  json={"renewed_to": succ, "status": "active"})
        r = legal.post("/api/v1/contracts/%d/renew" % cid, {"number": ctx.uniq("HT-R")})
        ck.expect(r, 409, "renew twice -> 409", field="id")
        # deleting the successor draft undoes the link
        ck.expect(legal.delete("/api/v1/contracts/%d" % succ), 204, "delete the successor draft")
        ck.expect(legal.get("/api/v1/contracts/%d" % cid), 200, "the link is gone", json={"renewed_to": None})
    ck.expect(legal.post("/api/v1/contracts/%d/renew" % other_c, {"number": ctx.uniq("HT-R")}), 409,
              "a draft is not renewed", field="status")

    # terminate
    st = state(ctx, cid)
    ck.expect(legal.post("/api/v1/contracts/%d/terminate" % cid, {"on": "2026-09-30"}), 400, "no reason",
              field="reason")
    ck.expect(legal.post("/api/v1/contracts/%d/terminate" % cid, {"reason": "违约", "on": "2025-12-31"}), 400,
              "before the start", field="on")
    ck.expect(legal.post("/api/v1/contracts/%d/terminate" % cid, {"reason": "违约", "on": "2026-13-01"}), 400,
              "a bad date", field="on")
    ck.expect(legal.post("/api/v1/contracts/%d/terminate" % other_c, {"reason": "x"}), 409, "a draft -> 409",
              field="status")
    ck.ok(state(ctx, cid) == st, "refused terminations changed nothing")
    r = fin.post("/api/v1/contracts/%d/terminate" % cid, {"reason": "客户严重违约，协商解除", "on": "2026-09-30"})
    ck.expect(r, 200, "finance terminates", json={"status": "terminated", "status_note": "客户严重违约，协商解除",
                                                  "ends_on": "2026-09-30", "revision": 3})
    ck.expect(legal.post("/api/v1/contracts/%d/terminate" % cid, {"reason": "x"}), 409, "terminate twice -> 409",
              field="status")
    r = legal.patch("/api/v1/contracts/%d" % cid, {"title": "新标题"})
    ck.ok(r.status == 409 and r.json["error"].get("key") == "contract.closed", "an ended contract: contract.closed",
          r.describe())
    ck.expect(legal.post("/api/v1/contracts/%d/amend" % cid, {"effective_on": "2026-10-01"}), 409,
              "an ended contract is not amended", field="status")
    r = legal.get("/api/v1/contracts/%d/versions" % cid)
    ck.ok(r.status == 200 and [(v["revision"], v["effective_on"], v["note"], v["terms"]["ends_on"])
                               for v in r.json["items"]][0] == (3, "2026-09-30", "客户严重违约，协商解除", "2026-09-30")
          and len(r.json["items"]) == 3, "three versions, the termination's first", r.describe())
    ck.ok(audit_count(ctx, "contract", cid, "terminate") == 1, "termination audited")


# ---- the permission matrix of this file's routes (the suite's matrix runs the same builders)

def _acc(ctx, rec_):
    return ctx.ids["A_other" if rec_ == "other" else "A_own"]


def _draft(ctx, rec_):
    key = "CT_matrix_draft_%s" % rec_
    if key not in ctx.ids:
        ctx.ids[key] = new_contract(ctx, _acc(ctx, rec_), obligations=[PAYMENT])
    return ctx.ids[key]


def _active(ctx, rec_):
    key = "CT_matrix_active_%s" % rec_
    if key not in ctx.ids:
        ctx.ids[key] = new_contract(ctx, _acc(ctx, rec_), activate=True, obligations=[TRAINING])
    return ctx.ids[key]


def _obligation(ctx, cid):
    return ctx.must(ctx.admin.get("/api/v1/contracts/%d" % cid), 200, "contract")["obligations"][0]["id"]


@route("GET", "/api/v1/contracts", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/contracts", query={"limit": "5"})


@route("GET", "/api/v1/contracts/export", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/contracts/export", query={"format": "csv", "q": "nothing-" + ctx.tag})


@route("POST", "/api/v1/contracts", "none")
def _(ctx, u, rec_):
    return Attempt("POST", "/api/v1/contracts", body(ctx, ctx.ids["A_own"]), ok=201, state=lambda: state(ctx))


@route("GET", "/api/v1/contracts/{id}", "contract")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/contracts/%d" % _draft(ctx, rec_))


@route("PATCH", "/api/v1/contracts/{id}", "contract")
def _(ctx, u, rec_):
    cid = _draft(ctx, rec_)
    return Attempt("PATCH", "/api/v1/contracts/%d" % cid, {"note": "matrix " + ctx.uniq()},
                   state=lambda: state(ctx, cid))


@route("DELETE", "/api/v1/contracts/{id}", "contract")
def _(ctx, u, rec_):
    cid = new_contract(ctx, _acc(ctx, rec_))
    return Attempt("DELETE", "/api/v1/contracts/%d" % cid, ok=204, state=lambda: state(ctx, cid))


@route("POST", "/api/v1/contracts/{id}/activate", "contract")
def _(ctx, u, rec_):
    cid = new_contract(ctx, _acc(ctx, rec_))
    return Attempt("POST", "/api/v1/contracts/%d/activate" % cid, {}, state=lambda: state(ctx, cid))


@route("POST", "/api/v1/contracts/{id}/amend", "contract")
def _(ctx, u, rec_):
    cid = _active(ctx, rec_)
    return Attempt("POST", "/api/v1/contracts/%d/amend" % cid, {"effective_on": "2026-03-01",
                                                                "note": "matrix " + ctx.uniq()},
                   state=lambda: state(ctx, cid))


@route("GET", "/api/v1/contracts/{id}/versions", "contract")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/contracts/%d/versions" % _active(ctx, rec_))


@route("POST", "/api/v1/contracts/{id}/terminate", "contract")
def _(ctx, u, rec_):
    cid = new_contract(ctx, _acc(ctx, rec_), activate=True)
    return Attempt("POST", "/api/v1/contracts/%d/terminate" % cid, {"reason": "matrix"},
                   state=lambda: state(ctx, cid))


@route("POST", "/api/v1/contracts/{id}/renew", "contract")
def _(ctx, u, rec_):
    cid = new_contract(ctx, _acc(ctx, rec_), activate=True)
    return Attempt("POST", "/api/v1/contracts/%d/renew" % cid, {"number": ctx.uniq("HT-M")}, ok=201,
                   state=lambda: state(ctx, cid))


@route("GET", "/api/v1/contracts/{id}/obligations", "contract")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/contracts/%d/obligations" % _draft(ctx, rec_))


@route("POST", "/api/v1/contracts/{id}/obligations", "contract")
def _(ctx, u, rec_):
    cid = new_contract(ctx, _acc(ctx, rec_))
    return Attempt("POST", "/api/v1/contracts/%d/obligations" % cid, PAYMENT, ok=201, state=lambda: state(ctx, cid))


@route("PATCH", "/api/v1/contracts/{id}/obligations/{oid}", "contract")
def _(ctx, u, rec_):
    cid = _draft(ctx, rec_)
    oid = _obligation(ctx, cid)
    return Attempt("PATCH", "/api/v1/contracts/%d/obligations/%d" % (cid, oid), {"title": "matrix " + ctx.uniq()},
                   state=lambda: state(ctx, cid))


@route("DELETE", "/api/v1/contracts/{id}/obligations/{oid}", "contract")
def _(ctx, u, rec_):
    cid = new_contract(ctx, _acc(ctx, rec_), obligations=[PAYMENT])
    oid = _obligation(ctx, cid)
    return Attempt("DELETE", "/api/v1/contracts/%d/obligations/%d" % (cid, oid), ok=204,
                   state=lambda: state(ctx, cid))


@route("POST", "/api/v1/contracts/{id}/obligations/{oid}/done", "contract")
def _(ctx, u, rec_):
    cid = new_contract(ctx, _acc(ctx, rec_), activate=True, obligations=[TRAINING])
    oid = _obligation(ctx, cid)
    return Attempt("POST", "/api/v1/contracts/%d/obligations/%d/done" % (cid, oid),
                   {"due_on": "2026-01-31", "done_on": "2026-01-30"}, ok=201, state=lambda: state(ctx, cid))


# this file's operations (other files add routes under /api/v1/contracts/{id}/: documents, the
# breach scan; their modules run their matrix)
MY_OPS = {(m, t_basic.norm(p)) for m, p in (
    ("GET", "/api/v1/contracts"), ("GET", "/api/v1/contracts/export"), ("POST", "/api/v1/contracts"),
    ("GET", "/api/v1/contracts/{id}"), ("PATCH", "/api/v1/contracts/{id}"), ("DELETE", "/api/v1/contracts/{id}"),
    ("POST", "/api/v1/contracts/{id}/activate"), ("POST", "/api/v1/contracts/{id}/amend"),
    ("GET", "/api/v1/contracts/{id}/versions"), ("POST", "/api/v1/contracts/{id}/terminate"),
    ("POST", "/api/v1/contracts/{id}/renew"), ("GET", "/api/v1/contracts/{id}/obligations"),
    ("POST", "/api/v1/contracts/{id}/obligations"), ("PATCH", "/api/v1/contracts/{id}/obligations/{oid}"),
    ("DELETE", "/api/v1/contracts/{id}/obligations/{oid}"),
    ("POST", "/api/v1/contracts/{id}/obligations/{oid}/done"))}


def g_matrix(ctx):
    """t_matrix.g_matrix's loop over this file's operations only."""
    ck = ctx.ck
    r = ctx.admin.get("/api/v1/openapi.json")
    if not ck.ok(r.status == 200, "openapi.json for the matrix"):
        return
    n = 0
    for meth, path, op in sorted(t_basic.openapi_ops(r.json), key=lambda o: (o[1], o[0])):
        if (meth, t_basic.norm(path)) not in MY_OPS:
            continue
        n += 1
        obj, act, scope = op.get("x-kam-object"), op.get("x-kam-action"), op.get("x-kam-scope")
        b = t_matrix.BUILDERS.get((meth, t_basic.norm(path)))
        if not ck.ok(b is not None and pol.policy("admin", obj, act) is not None,
                     "builder and policy for %s %s" % (meth, path)):
            continue
        fn, kind = b
        ck.ok(scope == kind, "openapi %s %s x-kam-scope is %r" % (meth, path, kind), "got %r" % scope)
        recs = ("own", "other") if kind in t_matrix.RECORD_KINDS else (None,)
        for role in pol.ROLES:
            u = ctx.U(t_matrix.ROLE_USER[role])
            for rec in recs:
                att = fn(ctx, u, rec)
                if rec is None:
                    allow, deny = pol.policy(role, obj, act) in (ALL, SCOPE), 403
                else:
                    allow = pol.allowed(role, obj, act, rec == "own")
                    deny = 403 if pol.may_read_record(role, rec == "own") else 404
                before = att.state() if (att.state and not allow) else None
                resp = u.client.request(att.method, att.path, att.body, query=att.query)
                name = "matrix %s %s %s [%s record]" % (role, meth, path, rec or "no")
                if allow:
                    ck.expect(resp, att.ok, "%s -> %s" % (name, att.ok))
                else:
                    ck.expect(resp, deny, "%s -> %d (denied)" % (name, deny))
                    if att.state:
                        ck.same(before, att.state(), name + ": nothing changed")
    ck.ok(n == 16, "16 operations of contracts.c in the matrix", "got %d" % n)


def g_contract_refs(ctx):
    """What a contract names stays while it does: its signatory contact (409
    contact.contract_signatory) and its price list (409 price_list.in_contract); nothing deleted.
    Without the contract both go."""
    ck = ctx.ck
    a = ctx.admin
    own = ctx.new_account("am_e", code=ctx.uniq("CTR"), name="引用客户 " + ctx.tag)
    contact = ctx.new_contact(own, name="签约人 " + ctx.tag)
    pl = ctx.must(a.post("/api/v1/price-lists", {"name": "合同价 " + ctx.uniq(), "currency": "CNY",
                                                "scope": "account", "account_id": own}), 201, "price list")["id"]
    cid = new_contract(ctx, own, signatory_contact_id=contact, price_list_id=pl)
    before = state(ctx)
    r = a.delete("/api/v1/contacts/%d" % contact)
    ck.expect(r, 409, "delete the contract's signatory", field="id")
    ck.ok(r.json and r.json["error"].get("key") == "contact.contract_signatory", "its key", r.describe())
    r = a.delete("/api/v1/price-lists/%d" % pl)
    ck.expect(r, 409, "delete the contract's price list", field="id")
    ck.ok(r.json and r.json["error"].get("key") == "price_list.in_contract", "its key", r.describe())
    ck.same(before, state(ctx), "nothing changed")
    ck.ok(n_rows(ctx, "SELECT COUNT(*) FROM contacts WHERE id = %d" % contact) == 1
          and n_rows(ctx, "SELECT COUNT(*) FROM price_lists WHERE id = %d" % pl) == 1, "both still there")
    ck.expect(a.delete("/api/v1/contracts/%d" % cid), 204, "delete the draft contract")
    ck.expect(a.delete("/api/v1/contacts/%d" % contact), 204, "then the contact goes")
    ck.expect(a.delete("/api/v1/price-lists/%d" % pl), 204, "and the price list")


GROUPS = [
    ("contract_refs", g_contract_refs, True),
    ("contracts", g_contracts, True),
    ("contract_flow", g_contract_flow, True),
    ("contracts_matrix", g_matrix, True),
]
