"""Opportunities (商机, issue 15 item 3): create/patch/delete, stage moves with the win/loss
reason and closed_at, products and needs (needs of another account refused), scope (another
team's account 404 for an account manager), the stage table (PUT: one won and one lost stage,
a stage in use deactivated not removed), the pipeline against hand-computed sums (weighted =
amount x probability, half away from zero; conversion through fx_rates) and its scope, the
per-month weighted pipeline; the matrix builders of every route of api/offers/opportunities.c."""

from lib import ANY, is_id, is_time
import policy as pol
from policy import ALL, SCOPE, NONE, _roles
from t_matrix import route, Attempt, acc
from t_needs import new_need
from t_sales import new_product
from t_answers import sql

# ---- the suite's own policy row (src/svc/core/policy.c): opportunities follow the account's
# record scope; admin and director all; team lead and account manager everything in scope;
# finance reads all; service and viewer read in scope; hr nothing.
OPP_READ = _roles(NONE, admin=ALL, director=ALL, finance=ALL, team_lead=SCOPE, account_manager=SCOPE,
                  service=SCOPE, viewer=SCOPE)
OPP_WRITE = _roles(NONE, admin=ALL, director=ALL, team_lead=SCOPE, account_manager=SCOPE)
pol.EXPECTED.update({
    ("opportunity", "read"): OPP_READ,
    ("opportunity", "create"): OPP_WRITE,
    ("opportunity", "update"): OPP_WRITE,
    ("opportunity", "delete"): OPP_WRITE,
})

CUR = "XOP"  # this module's own currency: 0.50 CNY per unit

OPP_SHAPE = {"id": is_id, "account_id": is_id, "account_name": str, "name": str, "owner_id": ANY, "stage": str,
             "outcome": str, "amount": int, "currency": str, "quantity": ANY, "close_month": str,
             "probability_bp": ANY, "effective_probability_bp": int, "weighted": int, "competitors": str,
             "outcome_reason": str, "closed_at": ANY, "version": int, "created_at": is_time,
             "updated_at": is_time}


def fx(ctx):
    if not getattr(ctx, "opp_fx", False):
        ctx.must(ctx.admin.put("/api/v1/fx-rates", {"currency": CUR, "rate_micro": 500000}), 200, "fx XOP")
        ctx.opp_fx = True


def new_opp(ctx, account_id, client=None, **fields):
    body = {"name": fields.pop("name", "商机 " + ctx.uniq()), "stage": fields.pop("stage", "initial"),
            "amount": fields.pop("amount", 100000), "currency": fields.pop("currency", "CNY"),
            "close_month": fields.pop("close_month", "2026-09")}
    body.update(fields)
    return ctx.must((client or ctx.admin).post("/api/v1/accounts/%d/opportunities" % account_id, body), 201,
                    "create opportunity")["id"]


def opp_state(ctx, acc_id, oid=None):
    st = {"list": ctx.ids_of("/api/v1/accounts/%d/opportunities" % acc_id)}
    if oid:
        r = ctx.admin.get("/api/v1/opportunities/%d" % oid)
        st["record"] = (r.status, r.json)
        st["audit"] = ctx.audit_ids("opportunity", oid)
    return st


def g_opportunities(ctx):
    ck, a = ctx.ck, ctx.admin
    fx(ctx)
    am = ctx.U("am_e")
    amw = ctx.U("am_w")
    acc_id = ctx.new_account("am_e", code=ctx.uniq("OP"), name="商机客户 " + ctx.tag)
    other = ctx.new_account("am_w", code=ctx.uniq("OP"), name="西区客户 " + ctx.tag)
    fam = "Opp-" + ctx.tag
    prod1, prod2 = new_product(ctx, fam), new_product(ctx, fam)
    p1, p2 = prod1["id"], prod2["id"]
    n1_text = "年度扩产需要稳定的轴承供应，交期不超过四周 " + ctx.tag + " 并且希望提供现场技术支持和库存寄售服务"
    n1 = new_need(ctx, acc_id, description=n1_text)
    n_other = new_need(ctx, other)

    body = {"name": "年度框架 " + ctx.tag, "stage": "qualified", "amount": 1234567, "currency": "CNY",
            "quantity": 12.5, "close_month": "2026-10", "competitors": "华信",
            "products": [{"product_id": p2, "quantity": 3}, {"product_id": p1, "amount": 5000}],
            "need_ids": [n1]}
    r = am.client.post("/api/v1/accounts/%d/opportunities" % acc_id, body)
    want = dict(OPP_SHAPE, account_id=acc_id, owner_id=am.id, stage="qualified", outcome="open", amount=1234567,
                quantity=12.5, probability_bp=None, effective_probability_bp=2500, weighted=308642,
                closed_at=None, version=1, need_ids=[n1], offers=[])
    if not ck.expect(r, 201, "POST opportunity as the account manager -> 201, owner = caller, stage's probability",
                     json=want):
        return
    oid = r.json["id"]
    ck.ok([p["product_id"] for p in r.json["products"]] == sorted([p1, p2]), "products come back sorted",
          repr(r.json["products"]))
    ck.ok(any(p["product_id"] == p1 and p["amount"] == 5000 and p["quantity"] is None for p in r.json["products"]),
          "a product's amount without a quantity", repr(r.json["products"]))
    ck.expect(a.get("/api/v1/opportunities/%d" % oid), 200, "GET opportunity round-trips",
              json={"id": oid, "name": body["name"], "competitors": "华信"})
    rows = ctx.audit_items("opportunity", oid)
    ck.ok(isinstance(rows, list) and any(x.get("action") == "create" for x in rows), "create is audited",
          repr(rows)[:300])
    # the history reads as people do: SKU and decimal quantity, the amount with its currency,
    # needs by their description (cut on a character boundary), never bare ids or thousandths
    ch = next((x.get("changes") or {} for x in rows or [] if x.get("action") == "create"), {})
    want_p = "%s =50.00 CNY, %s \u00d73" % (prod1["sku"], prod2["sku"])
    if p1 > p2:
        want_p = "%s \u00d73, %s =50.00 CNY" % (prod2["sku"], prod1["sku"])
    ck.ok(ch.get("products") == [None, want_p], "audited products: SKU \u00d7qty =amount currency",
          repr(ch.get("products")))
    nt = (ch.get("need_ids") or [None, ""])[1] or ""
    ck.ok(nt.endswith("\u2026") and n1_text.startswith(nt[:-1]) and len(nt.encode()) <= 63,
          "audited needs by description, cut on a character boundary", repr(nt))

    # bad input: 400 naming the field, nothing written
    before = opp_state(ctx, acc_id)
    good = {"name": "x", "stage": "initial", "amount": 1, "currency": "CNY", "close_month": "2026-01"}
    bad = [
        ({k: v for k, v in good.items() if k != "name"}, "name"),
        ({k: v for k, v in good.items() if k != "stage"}, "stage"),
        ({k: v for k, v in good.items() if k != "close_month"}, "close_month"),
        (dict(good, name=""), "name"),
        (dict(good, name="x" * 201), "name"),
        (dict(good, stage="nowhere"), "stage"),
        (dict(good, amount=-1), "amount"),
        (dict(good, amount="12"), "amount"),
        (dict(good, currency="QQQ"), "currency"),
        (dict(good, currency="cny"), "currency"),
        (dict(good, close_month="2026-13"), "close_month"),
        (dict(good, close_month="2026-1"), "close_month"),
        (dict(good, probability_bp=10001), "probability_bp"),
        (dict(good, quantity=1.2345), "quantity"),
        (dict(good, stage="won"), "outcome_reason"),
        (dict(good, stage="lost", outcome_reason=""), "outcome_reason"),
        (dict(good, need_ids=[n_other]), "need_ids"),
        (dict(good, need_ids=[99999999]), "need_ids"),
        (dict(good, products=[{"product_id": 99999999}]), "products[0].product_id"),
        (dict(good, products=[{"quantity": 1}]), "products[0].product_id"),
        (dict(good, products=[{"product_id": p1}, {"product_id": p1}]), "products[1].product_id"),
        (dict(good, owner_id=amw.id), "owner_id"),
        (dict(good, competitors="y" * 2001), "competitors"),
        (dict(good, surprise=1), None),
    ]
    for b, field in bad:
        r = am.client.post("/api/v1/accounts/%d/opportunities" % acc_id, b)
        ck.expect(r, 400, "POST opportunity bad %s -> 400" % (field or "field"),
                  **({"field": field} if field else {}))
    ck.ok(opp_state(ctx, acc_id) == before, "refused creates wrote nothing")
    # API clients reading Chinese get the refusals in Chinese (the svc/core/msg.c catalogue)
    zh = [(dict(good, stage="won"), "opportunity.reason_required", "必须填写原因"),
          (dict(good, stage="nowhere"), "opportunity.bad_stage", "启用中的商机阶段"),
          (dict(good, close_month="2026-13"), "bad_month", "close_month 应为 YYYY-MM"),
          (dict(good, need_ids=[n_other]), "opportunity.need_other_account", "同一客户"),
          (dict(good, products=[{"product_id": 99999999}]), "opportunity.bad_product",
           "products[0].product_id：产品不存在"),
          (dict(good, owner_id=amw.id), "opportunity.bad_owner", "负责人")]
    for b, key, text in zh:
        r = am.client.post("/api/v1/accounts/%d/opportunities" % acc_id, b, headers={"Accept-Language": "zh-CN"})
        e = r.err or {}
        ck.ok(r.status == 400 and e.get("key") == key and text in (e.get("message") or ""),
              "%s in Chinese" % key, repr(e))

    # scope: another team's account and opportunity are 404 for an account manager
    o_other = new_opp(ctx, other, amount=777)
    ck.expect(am.client.get("/api/v1/opportunities/%d" % o_other), 404, "AM reads another team's opportunity -> 404")
    ck.expect(am.client.patch("/api/v1/opportunities/%d" % o_other, {"name": "mine"}), 404,
              "AM patches another team's opportunity -> 404")
    ck.expect(am.client.post("/api/v1/accounts/%d/opportunities" % other, good), 404,
              "AM creates on another team's account -> 404")
    mine = am.client.list_all("/api/v1/opportunities", {"q": ctx.tag})[0] or []
    ck.ok(oid in [x["id"] for x in mine] and o_other not in [x["id"] for x in mine],
          "AM's list has their own, not the other team's", repr([x["id"] for x in mine]))

    # PATCH: version, stage moves, reason, closed_at
    v = r_json = ctx.admin.get("/api/v1/opportunities/%d" % oid).json
    v = r_json["version"]
    ck.expect(am.client.patch("/api/v1/opportunities/%d" % oid, {"name": "stale", "version": v + 5}), 409,
              "PATCH with a stale version -> 409")
    r = am.client.patch("/api/v1/opportunities/%d" % oid, {"stage": "negotiation", "probability_bp": 6000,
                                                           "version": v})
    ck.expect(r, 200, "PATCH moves the stage, own probability", json={"stage": "negotiation", "probability_bp": 6000,
                                                                      "effective_probability_bp": 6000,
                                                                      "weighted": 740740, "version": v + 1})
    r0 = ctx.admin.get("/api/v1/opportunities/%d" % oid).json
    ck.expect(am.client.patch("/api/v1/opportunities/%d" % oid, {"stage": "won"}), 400,
              "move to won without a reason -> 400 outcome_reason", field="outcome_reason")
    ck.ok(ctx.admin.get("/api/v1/opportunities/%d" % oid).json == r0, "refused move left it unchanged")
    r = am.client.patch("/api/v1/opportunities/%d" % oid, {"stage": "won", "outcome_reason": "价格最优"})
    ck.expect(r, 200, "move to won with a reason sets closed_at",
              json={"stage": "won", "outcome": "won", "closed_at": is_time, "probability_bp": 6000,
                    "effective_probability_bp": 10000, "weighted": 1234567})
    r = am.client.patch("/api/v1/opportunities/%d" % oid, {"stage": "proposal", "probability_bp": None})
    ck.expect(r, 200, "move back to an open stage clears closed_at",
              json={"stage": "proposal", "outcome": "open", "closed_at": None, "probability_bp": None,
                    "effective_probability_bp": 5000})
    r = am.client.patch("/api/v1/opportunities/%d" % oid, {"need_ids": [n_other]})
    ck.expect(r, 400, "PATCH with a need of another account -> 400", field="need_ids")
    r = am.client.patch("/api/v1/opportunities/%d" % oid, {"need_ids": [], "products": [], "quantity": None})
    ck.expect(r, 200, "PATCH clears needs, products, quantity", json={"need_ids": [], "products": [],
                                                                      "quantity": None})
    r = am.client.patch("/api/v1/opportunities/%d" % oid, {"amount": 1234500})
    ck.expect(r, 200, "PATCH the amount")
    last = (ctx.audit_items("opportunity", oid) or [{}])[0].get("changes") or {}
    ck.ok(last.get("amount") == [1234567, 1234500] and last.get("currency") == ["CNY", "CNY"],
          "an amount change names its currency in the history", repr(last))
    hist = ctx.audit_items("opportunity", oid)
    ck.ok(isinstance(hist, list) and len([x for x in hist if x.get("action") == "update"]) >= 4,
          "every change is audited", repr(hist)[:300])
    # If-Match: the ETag of GET
    r = a.get("/api/v1/opportunities/%d" % oid)
    tag = r.header("ETag")
    ck.ok(tag == '"%d"' % r.json["version"], "GET sends the version as ETag", repr(tag))
    ck.expect(am.client.patch("/api/v1/opportunities/%d" % oid, {"competitors": "x"},
                              headers=[("If-Match", '"%d"' % (r.json["version"] - 1))]), 409, "stale If-Match -> 409")
    ck.expect(am.client.patch("/api/v1/opportunities/%d" % oid, {"competitors": "x"}, headers=[("If-Match", "abc")]),
              400, "malformed If-Match -> 400", field="If-Match")
    r = am.client.patch("/api/v1/opportunities/%d" % oid, {"competitors": "华信、恒通"}, headers=[("If-Match", tag)])
    ck.expect(r, 200, "PATCH with If-Match", json={"competitors": "华信、恒通"})
    ck.ok(r.header("ETag") == '"%d"' % (r.json or {}).get("version", -1), "PATCH answers the new ETag")
    # an unchanged PATCH writes nothing
    cur = ctx.admin.get("/api/v1/opportunities/%d" % oid).json
    r = am.client.patch("/api/v1/opportunities/%d" % oid, {"name": cur["name"]})
    ck.expect(r, 200, "no-op PATCH", json={"version": cur["version"]})

    # lists and count
    r = am.client.get("/api/v1/opportunities/count", {"account_id": str(acc_id)})
    ck.expect(r, 200, "count", json={"total": 1})
    r = a.get("/api/v1/opportunities", {"account_id": str(acc_id), "open": "1", "stage": "proposal"})
    ck.expect(r, 200, "list filtered")
    ck.ok((r.status == 200) and [x["id"] for x in r.json["items"]] == [oid], "list by stage", repr(r.json)[:200])
    r = a.get("/api/v1/opportunities", {"from": "2030-01"})
    ck.ok((r.status == 200) and oid not in [x["id"] for x in r.json["items"]], "from filter excludes earlier months")
    ck.expect(a.get("/api/v1/opportunities", {"from": "2026-1"}), 400, "bad from -> 400", field="from")

    # delete: refused while an offer names it (offers may be built elsewhere: a row written here)
    sql(ctx, "INSERT INTO offers (number, account_id, opportunity_id, currency, price_date, valid_until, "
             "created_at, updated_at) VALUES ('QT-%s', %d, %d, 'CNY', '2026-01-01', '2026-02-01', 0, 0)"
        % (ctx.tag, acc_id, oid))
    r = a.get("/api/v1/opportunities/%d" % oid)
    ck.ok((r.status == 200) and len(r.json["offers"]) == 1 and r.json["offers"][0]["number"] == "QT-" + ctx.tag,
          "the opportunity lists its offers", repr(r.json)[:300])
    before = opp_state(ctx, acc_id, oid)
    ck.expect(am.client.delete("/api/v1/opportunities/%d" % oid), 409, "DELETE with an offer -> 409")
    ck.ok(opp_state(ctx, acc_id, oid) == before, "refused delete changed nothing")
    sql(ctx, "DELETE FROM offers WHERE number = 'QT-%s'" % ctx.tag)
    ck.expect(am.client.delete("/api/v1/opportunities/%d" % oid), 204, "DELETE -> 204")
    ck.expect(a.get("/api/v1/opportunities/%d" % oid), 404, "gone")
    hist = ctx.audit_items("opportunity", oid)
    ck.ok(isinstance(hist, list) and any(x.get("action") == "delete" for x in hist), "delete is audited")


def g_opp_stages(ctx):
    ck, a = ctx.ck, ctx.admin
    r = ctx.U("am_e").client.get("/api/v1/opportunity-stages")
    if not ck.expect(r, 200, "stages readable by an account manager"):
        return
    orig = r.json["items"]
    ck.ok([s["code"] for s in orig][:6] == ["initial", "qualified", "proposal", "negotiation", "won", "lost"],
          "the default stages in order", repr([s["code"] for s in orig]))
    body = [{k: s[k] for k in ("code", "name_zh_hans", "name_zh_hant", "name_en", "position", "probability_bp",
                               "outcome", "active")} for s in orig]
    ck.expect(ctx.U("am_e").client.put("/api/v1/opportunity-stages", {"stages": body}), 403, "AM cannot PUT stages")
    ck.expect(a.put("/api/v1/opportunity-stages", {"stages": [s for s in body if s["outcome"] != "won"]}), 400,
              "no won stage -> 400", field="stages")
    two_won = body + [dict(body[4], code="won2", position=9)]
    ck.expect(a.put("/api/v1/opportunity-stages", {"stages": two_won}), 400, "two won stages -> 400",
              field="stages")
    r = a.put("/api/v1/opportunity-stages", {"stages": two_won}, headers={"Accept-Language": "zh-TW"})
    ck.ok("啟用的贏單階段" in ((r.err or {}).get("message") or ""), "stage_outcomes in Chinese (zh-TW)", repr(r.err))
    ck.expect(a.put("/api/v1/opportunity-stages", {"stages": body + [dict(body[0], probability_bp=10001,
                                                                           code="zz")]}), 400,
              "probability over 10000 -> 400", field="stages[%d].probability_bp" % len(body))
    ck.expect(a.put("/api/v1/opportunity-stages", {"stages": body + [dict(body[0])]}), 400,
              "a code twice -> 400", field="stages[%d].code" % len(body))
    # a new stage, then remove it (not in use)
    extra = {"code": "pilot", "name_zh_hans": "试点", "name_zh_hant": "試點", "name_en": "Pilot", "position": 4,
             "probability_bp": 6000, "outcome": "open"}
    r = a.put("/api/v1/opportunity-stages", {"stages": body + [extra]})
    ck.expect(r, 200, "PUT adds a stage")
    ck.ok((r.status == 200) and [s["code"] for s in r.json["items"]].index("pilot") == 4, "ordered by position, then code",
          repr(r.json)[:300])
    acc_id = ctx.new_account("am_e", code=ctx.uniq("OS"))
    oid = new_opp(ctx, acc_id, stage="pilot")
    ck.expect(a.get("/api/v1/opportunities/%d" % oid), 200, "an opportunity at the new stage",
              json={"effective_probability_bp": 6000})
    ck.expect(a.put("/api/v1/opportunity-stages", {"stages": body}), 409, "removing a stage in use -> 409")
    r = a.put("/api/v1/opportunity-stages", {"stages": body}, headers={"Accept-Language": "zh-CN"})
    ck.ok("阶段 pilot 正在使用中" in ((r.err or {}).get("message") or ""), "stage_in_use in Chinese", repr(r.err))
    # a stage in use keeps its outcome (open -> won here; won -> open below), nothing written
    new_opp(ctx, acc_id, stage="won", outcome_reason="签约")
    before = a.get("/api/v1/opportunity-stages").json
    r = a.put("/api/v1/opportunity-stages", {"stages": body + [dict(extra, outcome="won", active=False)]})
    ck.expect(r, 409, "changing the outcome of a stage in use -> 409", field="stages[%d].outcome" % len(body))
    ck.ok((r.err or {}).get("key") == "opportunity.outcome_in_use", "its message key", repr(r.err))
    won_i = [s["code"] for s in body].index("won")
    flipped = [dict(s, outcome="open") if s["code"] == "won" else s for s in body]
    r = a.put("/api/v1/opportunity-stages", {"stages": flipped + [extra, dict(body[won_i], code="won2", position=9)]})
    ck.expect(r, 409, "won -> open on a stage in use -> 409", field="stages[%d].outcome" % won_i)
    ck.ok(a.get("/api/v1/opportunity-stages").json == before, "refused outcome changes wrote nothing")
    r = a.put("/api/v1/opportunity-stages", {"stages": body + [dict(extra, active=False)]})
    ck.expect(r, 200, "deactivating a stage in use")
    ck.expect(a.post("/api/v1/accounts/%d/opportunities" % acc_id,
                     {"name": "x", "stage": "pilot", "amount": 1, "currency": "CNY", "close_month": "2026-01"}),
              400, "an inactive stage is refused for new ones", field="stage")
    ck.expect(a.patch("/api/v1/opportunities/%d" % oid, {"name": "still here"}), 200,
              "an opportunity may stay at an inactive stage")
    n = sql(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'settings' AND changes LIKE '%opportunity_stages%'")
    ck.ok(n and n[0][0] >= 2, "stage changes audited as settings", repr(n))
    ck.expect(a.patch("/api/v1/opportunities/%d" % oid, {"stage": "initial"}), 200, "move out")
    ck.expect(a.put("/api/v1/opportunity-stages", {"stages": body}), 200, "now it may be removed")


def g_pipeline(ctx):
    ck, a = ctx.ck, ctx.admin
    fx(ctx)
    am, amw = ctx.U("am_e"), ctx.U("am_w")
    e = ctx.new_account("am_e", code=ctx.uniq("PL"), name="管道东 " + ctx.tag)
    w = ctx.new_account("am_w", code=ctx.uniq("PL"), name="管道西 " + ctx.tag)
    # east: initial 10% of 100001 -> 10000.1 -> 10000; proposal 50% of 333 -> 166.5 -> 167;
    # negotiation with 3333 bp of 1000 XOP (= 500 CNY) -> 333.3 -> 333 XOP -> 166.5 -> 167 CNY;
    # won 100000 (excluded unless include_closed); lost 5000 never.
    new_opp(ctx, e, client=am.client, stage="initial", amount=100001, close_month="2026-03")
    new_opp(ctx, e, client=am.client, stage="proposal", amount=333, close_month="2026-04")
    new_opp(ctx, e, client=am.client, stage="negotiation", amount=1000, currency=CUR, probability_bp=3333,
            close_month="2026-04")
    new_opp(ctx, e, client=am.client, stage="won", amount=100000, outcome_reason="ok", close_month="2026-02",
            probability_bp=3000)
    new_opp(ctx, e, client=am.client, stage="lost", amount=5000, outcome_reason="no", close_month="2026-02")
    new_opp(ctx, w, client=amw.client, stage="proposal", amount=4000, close_month="2026-04")

    r = am.client.get("/api/v1/pipeline", {"group": "stage", "account_id": str(e)})
    if not ck.expect(r, 200, "pipeline by stage"):
        return
    rows = {x["key"]: x for x in r.json["rows"]}
    ck.ok(r.json["currency"] == "CNY", "base currency by default", repr(r.json))
    ck.ok(sorted(rows) == ["initial", "negotiation", "proposal"], "open stages only", repr(rows))
    ck.ok(rows.get("initial", {}).get("weighted") == 10000 and rows.get("proposal", {}).get("weighted") == 167
          and rows.get("negotiation", {}).get("amount") == 500 and rows["negotiation"]["weighted"] == 167,
          "weighted = amount x probability, rounded half away from zero, converted", repr(rows))
    ck.ok(r.json["total"] == {"count": 3, "amount": 100001 + 333 + 500, "weighted": 10000 + 167 + 167},
          "totals", repr(r.json["total"]))
    ck.ok(rows.get("proposal", {}).get("label") == "Proposal", "stage labels in English by default", repr(rows))
    for lang, want in (("zh-CN", "方案报价"), ("zh-TW", "方案報價")):
        r = am.client.get("/api/v1/pipeline", {"group": "stage", "account_id": str(e)}, headers={"Accept-Language": lang})
        lab = {x["key"]: x["label"] for x in r.json["rows"]} if r.status == 200 else {}
        ck.ok(lab.get("proposal") == want, "stage labels in the request's language (%s)" % lang, repr(lab))
    r = a.get("/api/v1/pipeline", {"group": "month", "account_id": str(e), "include_closed": "1"})
    ck.expect(r, 200, "pipeline by month with won")
    rows = {x["key"]: x for x in r.json["rows"]} if (r.status == 200) else {}
    ck.ok(rows.get("2026-02", {}).get("amount") == 100000 and rows["2026-02"]["count"] == 1
          and rows.get("2026-04", {}).get("count") == 2, "by month, won included, lost not", repr(rows))
    ck.ok(rows.get("2026-02", {}).get("weighted") == 100000,
          "a won opportunity weighs 100 % whatever its own probability (3000 bp)", repr(rows.get("2026-02")))
    r = a.get("/api/v1/pipeline", {"group": "stage", "account_id": str(e), "currency": CUR})
    ck.ok((r.status == 200) and r.json["total"]["amount"] == 2 * 100001 + 2 * 333 + 1000, "in another currency",
          repr(r.json)[:300])
    r = a.get("/api/v1/pipeline", {"group": "owner", "account_id": str(e)})
    ck.ok((r.status == 200) and [x["key"] for x in r.json["rows"]] == [str(am.id)], "by owner", repr(r.json)[:300])
    r = a.get("/api/v1/pipeline", {"group": "team", "from": "2026-04", "to": "2026-04", "q": "x"})
    ck.expect(r, 400, "unknown parameter -> 400")
    # scope: the east AM's pipeline leaves out the west account
    # team: the east team's pipeline (owners in the team and its subteams) leaves out the west one
    r = a.get("/api/v1/pipeline", {"group": "team", "team_id": str(ctx.teams["east"]), "from": "2026-02",
                                   "to": "2026-04", "include_closed": "1"})
    rows = {x["key"]: x for x in r.json["rows"]} if (r.status == 200) else {}
    ck.ok(str(ctx.teams["west"]) not in rows and rows.get(str(ctx.teams["east"]), {}).get("count", 0) >= 4,
          "team filter and team grouping", repr(r.json)[:300])
    r = a.get("/api/v1/opportunities", {"team_id": str(ctx.teams["west"]), "q": ctx.tag})
    ck.ok((r.status == 200) and [x["account_id"] for x in r.json["items"]] == [w], "list by team", repr(r.json)[:300])
    r = am.client.get("/api/v1/pipeline", {"group": "stage", "account_id": str(w)})
    ck.ok((r.status == 200) and r.json["total"]["count"] == 0, "an AM's pipeline excludes other teams'", repr(r.json)[:200])
    r = ctx.U("dir").client.get("/api/v1/pipeline", {"group": "team", "account_id": str(w)})
    ck.ok((r.status == 200) and r.json["total"]["count"] == 1, "the director sees it", repr(r.json)[:200])
    for q, field in (({"group": "colour"}, "group"), ({"currency": "QQQ"}, "currency"), ({"from": "26-01"}, "from"),
                     ({"include_closed": "2"}, "include_closed")):
        ck.expect(a.get("/api/v1/pipeline", q), 400, "pipeline bad %s -> 400" % field, field=field)
    # sums past int64 (93,000 opportunities at the 1e14 cap, written straight to the table):
    # a clear 400, not the database's overflow as a 500; nothing left behind
    big = ctx.new_account("am_e", code=ctx.uniq("PB"), name="管道大 " + ctx.tag)
    sql(ctx, "INSERT INTO opportunities (account_id, name, stage, amount, currency, close_month, created_at, "
             "updated_at) WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 93000) "
             "SELECT %d, 'big', 'initial', 100000000000000, 'CNY', '2031-01', 0, 0 FROM c" % big)
    try:
        r = a.get("/api/v1/pipeline", {"group": "stage", "account_id": str(big)})
        ck.expect(r, 400, "pipeline sums past int64 -> 400", field="currency")
        ck.ok((r.err or {}).get("key") == "opportunity.sums_too_large", "its key", repr(r.err))
        sql(ctx, "DELETE FROM opportunities WHERE account_id = %d AND id > (SELECT MIN(id) FROM opportunities "
                 "WHERE account_id = %d) + 49000" % (big, big))
        r = a.get("/api/v1/pipeline", {"group": "stage", "account_id": str(big)})
        ck.expect(r, 200, "49,001 at the cap still add up (over one SQL bucket)",
                  json={"total": {"count": 49001, "amount": 49001 * 10 ** 14, "weighted": 49001 * 10 ** 13}})
    finally:
        sql(ctx, "DELETE FROM opportunities WHERE account_id = %d" % big)
    # per month
    r = am.client.get("/api/v1/pipeline/forecast", {"from": "2026-03", "to": "2026-05"})
    ck.expect(r, 200, "weighted pipeline per month")
    ms = r.json["months"] if (r.status == 200) else []
    ck.ok([m["month"] for m in ms] == ["2026-03", "2026-04", "2026-05"], "every month present", repr(ms))
    # hand-computed per month (months of their own, 2028): 12345 CNY at 10 % -> 1234.5 -> 1235;
    # 999 XOP at 2500 bp -> 249.75 -> 250 XOP -> 125 CNY, amount 999 XOP -> 499.5 -> 500 CNY;
    # a won one and the west account's are not in the east AM's forecast (open only, scoped)
    new_opp(ctx, e, client=am.client, stage="initial", amount=12345, close_month="2028-11")
    new_opp(ctx, e, client=am.client, stage="proposal", amount=999, currency=CUR, probability_bp=2500,
            close_month="2028-11")
    new_opp(ctx, e, client=am.client, stage="won", amount=7000, outcome_reason="ok", close_month="2028-12")
    new_opp(ctx, w, client=amw.client, stage="proposal", amount=4000, close_month="2028-12")
    r = am.client.get("/api/v1/pipeline/forecast", {"from": "2028-10", "to": "2028-12"})
    ck.expect(r, 200, "the forecast's weighted values by hand",
              json={"currency": "CNY", "months": [
                  {"month": "2028-10", "count": 0, "amount": 0, "weighted": 0},
                  {"month": "2028-11", "count": 2, "amount": 12345 + 500, "weighted": 1235 + 125},
                  {"month": "2028-12", "count": 0, "amount": 0, "weighted": 0}]})
    r = ctx.U("dir").client.get("/api/v1/pipeline/forecast", {"from": "2028-12", "to": "2028-12"})
    ck.expect(r, 200, "the director's forecast has the west account's",
              json={"months": [{"month": "2028-12", "count": 1, "amount": 4000, "weighted": 2000}]})
    ck.expect(a.get("/api/v1/pipeline/forecast", {"from": "2026-05", "to": "2026-03"}), 400, "to before from",
              field="to")
    r = a.get("/api/v1/pipeline/forecast", {"from": "2026-05"})
    ck.ok(r.status == 200 and len(r.json["months"]) >= 1 and r.json["months"][0]["month"] == "2026-05",
          "to defaults to eleven months after the month in progress", repr(r.json)[:200])
    ck.expect(a.get("/api/v1/pipeline/forecast", {"from": "2026-05", "to": "2036-06"}), 400, "over 120 months",
              field="to")


GROUPS = [
    ("opportunities", g_opportunities, True),
    ("opp-stages", g_opp_stages, True),
    ("pipeline", g_pipeline, True),
]


# ---- permission matrix builders (t_matrix.py): every route of api/offers/opportunities.c

def _opp(ctx, rec_):
    key = "OPP_own" if rec_ == "own" else "OPP_other"
    if key not in ctx.ids:
        ctx.ids[key] = new_opp(ctx, acc(ctx, rec_), name="矩阵商机")
    return ctx.ids[key]


@route("GET", "/api/v1/opportunities", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/opportunities")


@route("GET", "/api/v1/opportunities/count", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/opportunities/count")


@route("GET", "/api/v1/accounts/{id}/opportunities", "account")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/accounts/%d/opportunities" % acc(ctx, rec_))


@route("POST", "/api/v1/accounts/{id}/opportunities", "account")
def _(ctx, u, rec_):
    a = acc(ctx, rec_)
    return Attempt("POST", "/api/v1/accounts/%d/opportunities" % a,
                   {"name": "矩阵 " + ctx.uniq(), "stage": "initial", "amount": 100, "currency": "CNY",
                    "close_month": "2026-06"}, ok=201, state=lambda: opp_state(ctx, a))


@route("GET", "/api/v1/opportunities/{id}", "opportunity")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/opportunities/%d" % _opp(ctx, rec_))


@route("PATCH", "/api/v1/opportunities/{id}", "opportunity")
def _(ctx, u, rec_):
    o, a = _opp(ctx, rec_), acc(ctx, rec_)
    return Attempt("PATCH", "/api/v1/opportunities/%d" % o, {"competitors": "matrix " + ctx.uniq()},
                   state=lambda: opp_state(ctx, a, o))


@route("DELETE", "/api/v1/opportunities/{id}", "opportunity")
def _(ctx, u, rec_):
    a = acc(ctx, rec_)
    o = new_opp(ctx, a, name="矩阵删除")
    return Attempt("DELETE", "/api/v1/opportunities/%d" % o, ok=204, state=lambda: opp_state(ctx, a, o))


@route("GET", "/api/v1/opportunity-stages", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/opportunity-stages")


@route("PUT", "/api/v1/opportunity-stages", "none")
def _(ctx, u, rec_):
    items = ctx.must(ctx.admin.get("/api/v1/opportunity-stages"), 200, "stages")["items"]
    body = [{k: s[k] for k in ("code", "name_zh_hans", "name_zh_hant", "name_en", "position", "probability_bp",
                               "outcome", "active")} for s in items]
    return Attempt("PUT", "/api/v1/opportunity-stages", {"stages": body},
                   state=lambda: ctx.admin.get("/api/v1/opportunity-stages").json)


@route("GET", "/api/v1/pipeline", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/pipeline", query={"group": "owner"})


@route("GET", "/api/v1/pipeline/forecast", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/pipeline/forecast", query={"from": "2026-01", "to": "2026-06"})
