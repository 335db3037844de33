"""Offers and discount approval (issue 15 items 2 and 4, docs/OFFERS.md): worked examples (the
engine's price frozen on the line, discounts, totals, margins), refused moves (409, nothing
changed), approvals (own request refused, team lead / director / finance+director, reject back
to draft, notifications), versions, conversion to order lines, expiry by `kam jobs` with
KAM_NOW, discount limits; the permission matrix builders of api/offers/{offers,approvals}.c."""

import calendar
import datetime
import os
import threading
import time

import policy as pol
import t_basic
import t_matrix
from policy import ALL, NONE, SCOPE, _roles
from t_matrix import route, Attempt
from t_answers import sql
from lib import run_cli

OFFER_READ = _roles(NONE, admin=ALL, director=ALL, finance=ALL, team_lead=SCOPE, account_manager=SCOPE,
                    service=SCOPE, viewer=SCOPE)
OFFER_WRITE = _roles(NONE, admin=ALL, director=ALL, team_lead=SCOPE, account_manager=SCOPE)
pol.EXPECTED.update({
    ("offer", "read"): OFFER_READ,
    ("offer", "create"): OFFER_WRITE,
    ("offer", "update"): OFFER_WRITE,
    ("offer", "delete"): OFFER_WRITE,
    ("discount", "read"): _roles(NONE, admin=ALL, director=ALL, finance=ALL, team_lead=SCOPE,
                                 account_manager=SCOPE),
    ("discount", "create"): _roles(NONE, admin=ALL, director=ALL, team_lead=SCOPE, account_manager=SCOPE),
    ("discount", "update"): _roles(NONE, director=ALL, finance=ALL, team_lead=SCOPE),
    ("discount", "delete"): _roles(NONE, director=ALL, team_lead=SCOPE, account_manager=SCOPE),
})


def today(ctx, days=0):
    """The China date (UTC+8) of the real clock the suite's server runs on, plus days."""
    d = datetime.datetime.fromtimestamp(time.time() + 8 * 3600, datetime.timezone.utc).date()
    return (d + datetime.timedelta(days=days)).isoformat()


def world(ctx):
    if getattr(ctx, "offer_world", None):
        return ctx.offer_world
    a = ctx.admin
    p = ctx.must(a.post("/api/v1/products", {"sku": ctx.uniq("OFP"), "name": "报价产品", "family": ctx.uniq("OFF"),
                                            "list_price": {"amount": 10000, "currency": "CNY"}}), 201, "product")
    q = ctx.must(a.post("/api/v1/products", {"sku": ctx.uniq("OFQ"), "name": "无价产品", "family": ctx.uniq("OFF")}),
                 201, "unpriced product")
    sql(ctx, "UPDATE products SET unit_cost = 6000 WHERE id = %d" % p["id"])
    w = {"p": p["id"], "sku": p["sku"], "q": q["id"], "own": ctx.ids["A_own"], "other": ctx.ids["A_other"]}
    ctx.offer_world = w
    return w


def body(ctx, disc=None, qty=10, **kw):
    w = world(ctx)
    line = {"kind": "product", "product_id": w["p"], "quantity": qty}
    if disc is not None:
        line["discount_bp"] = disc
    b = {"account_id": w["own"], "title": "报价 " + ctx.uniq(), "valid_until": "2099-12-31",
         "lines": [line], "customisations": [{"request": "定制外壳颜色", "confirm_by": "production"}]}
    b.update(kw)
    return b


def new_offer(ctx, client=None, disc=None, **kw):
    return ctx.must((client or ctx.admin).post("/api/v1/offers", body(ctx, disc, **kw)), 201, "create offer")


def offer_state(ctx, oid):
    r = ctx.admin.get("/api/v1/offers/%d" % oid)
    return {"record": (r.status, r.json), "audit": sql(ctx, "SELECT COUNT(*) FROM audit WHERE entity IN "
                                                       "('offer', 'approval')")}


def post(c, oid, what, b=None):
    return c.post("/api/v1/offers/%d/%s" % (oid, what), b if b is not None else {})


def g_offers(ctx):
    ck = ctx.ck
    w = world(ctx)
    am = ctx.U("am_e").client
    a = ctx.admin

    # Worked example: 10 units at the engine's 100.00, 3 % off -> 97.00; amount 970.00; the
    # engine's subtotal 1000.00; cost 60.00 x 10 = 600.00; margin (970 - 600) / 970 = 38.14 %.
    r = am.post("/api/v1/offers", body(ctx, 300))
    ck.expect(r, 201, "AM makes an offer with a 3 % discount",
              json={"status": "draft", "version_no": 1, "subtotal": 100000, "total": 97000, "cost": 60000,
                    "margin_bp": 3814, "max_discount_bp": 300, "needs_approval": None, "currency": "CNY"})
    o = r.json or {}
    ln = (o.get("lines") or [{}])[0]
    ck.ok(ln.get("engine_price") == 10000 and ln.get("unit_price") == 9700 and ln.get("amount") == 97000
          and ln.get("discount_bp") == 300 and ln.get("code") == w["sku"] and ln.get("unit_cost") == 6000,
          "the line: engine 100.00, unit 97.00, amount 970.00, cost 60.00", str(ln))
    ck.ok(isinstance(ln.get("explain"), list) and len(ln.get("explain")) >= 1, "the engine's steps are frozen",
          str(ln.get("explain")))
    ck.ok(str(o.get("number", "")).startswith("Q") and o.get("root_id") == o.get("id"), "number Qyyyy-nnnn, root",
          str(o.get("number")))
    oid = o.get("id", 0)

    # the AM's own limit exactly, on an awkward quantity: never rounded over it
    p333 = ctx.must(a.post("/api/v1/products", {"sku": ctx.uniq("OFR"), "name": "零头价", "family": ctx.uniq("OFF"),
                                               "list_price": {"amount": 333, "currency": "CNY"}}), 201, "3.33")
    r = am.post("/api/v1/offers", body(ctx, lines=[{"kind": "product", "product_id": p333["id"], "quantity": 1,
                                                     "discount_bp": 500}]))
    # 5 % of 3.33 is 0.1665: 0.16 off -> 3.17, a 4.805 % discount, 481 bp rounded up (not 3.16 =
    # 5.11 %, over the limit)
    ck.expect(r, 201, "5 % off 3.33: within the AM's limit",
              json={"max_discount_bp": 481, "needs_approval": None, "lines": [{"unit_price": 317}]})

    # a price above the engine's: a negative discount, no approval needed
    r = am.post("/api/v1/offers", body(ctx, None, lines=[{"kind": "product", "product_id": w["p"], "quantity": 1,
                                                          "unit_price": 11000}]))
    ck.expect(r, 201, "a price above the engine's is allowed", json={"max_discount_bp": 0})
    ck.ok(r.json and r.json["lines"][0]["discount_bp"] == -1000, "its discount is -10 %", str(r.json))

    # bad input: 400 naming the field, nothing written
    n0 = sql(ctx, "SELECT COUNT(*) FROM offers")
    for b, field in ((body(ctx, lines=[{"kind": "product", "product_id": w["q"], "quantity": 1}]),
                      "lines[0].product_id"),
                     (body(ctx, valid_until="2000-01-01"), "valid_until"),
                     (body(ctx, title=""), "title"),
                     (body(ctx, title="x" * 201), "title"),
                     (body(ctx, lines=[{"kind": "product", "product_id": w["p"], "quantity": 0}]), "lines[0].quantity"),
                     (body(ctx, lines=[{"kind": "gift", "product_id": w["p"], "quantity": 1}]), "lines[0].kind"),
                     (body(ctx, customisations=[{"request": "x", "confirm_by": "sales"}]),
                      "customisations[0].confirm_by")):
        r = am.post("/api/v1/offers", b)
        ck.expect(r, 400, "bad offer -> 400 naming %s" % field, field=field)
    ck.same(n0, sql(ctx, "SELECT COUNT(*) FROM offers"), "no offer written by the refused requests")
    r = am.post("/api/v1/offers", body(ctx, account_id=w["other"]))
    ck.expect(r, 400, "an account out of the AM's scope -> 400 no such account", field="account_id")

    # refused moves from draft: 409, nothing changes
    before = offer_state(ctx, oid)
    ck.expect(post(am, oid, "send"), 409, "send a draft -> 409", json={"error": {"key": "offer.needs_approval"}})
    ck.expect(post(am, oid, "accept"), 409, "accept a draft -> 409")
    ck.expect(post(am, oid, "reject", {"reason": "x"}), 409, "reject a draft -> 409")
    ck.expect(post(am, oid, "convert"), 409, "convert a draft -> 409")
    ck.same(before, offer_state(ctx, oid), "refused moves change nothing")

    # PATCH a draft: lines replaced and repriced
    r = am.patch("/api/v1/offers/%d" % oid, {"lines": [{"kind": "product", "product_id": w["p"], "quantity": 2}],
                                             "version": o.get("version")})
    ck.expect(r, 200, "PATCH a draft's lines", json={"total": 20000, "max_discount_bp": 0, "version": 2})
    ck.expect(am.patch("/api/v1/offers/%d" % oid, {"title": "x", "version": 1}), 409, "stale version -> 409")

    # submit within the AM's limit -> approved; send; accept; convert
    r = post(am, oid, "submit")
    ck.expect(r, 200, "submit within the limit -> approved", json={"status": "approved", "approval": None})
    before = offer_state(ctx, oid)
    ck.expect(am.patch("/api/v1/offers/%d" % oid, {"title": "late"}), 409, "PATCH an approved offer -> 409",
              json={"error": {"key": "offer.not_draft"}})
    ck.same(before, offer_state(ctx, oid), "refused PATCH changes nothing")
    ck.expect(post(am, oid, "send"), 200, "send", json={"status": "sent"})
    ck.expect(post(am, oid, "accept", {"reason": "价格合适"}), 200, "accept", json={"status": "accepted"})
    r = post(am, oid, "convert", {})
    if ck.expect(r, 200, "convert", json={"offer": {"status": "converted"}, "skipped_service_lines": []}):
        ids = r.json["order_line_ids"]
        ck.ok(len(ids) == 1, "one order line", str(ids))
        rows = sql(ctx, "SELECT amount, quantity, currency, external_id, price_reason FROM order_lines WHERE id = %d"
                   % ids[0]) if ids else []
        ck.ok(rows and rows[0][0] == 20000 and rows[0][1] == 2000 and rows[0][2] == "CNY"
              and rows[0][3] == "offer:%d:%d" % (oid, r.json["offer"]["lines"][0]["id"])
              and (rows[0][4] is None or str(rows[0][4]).startswith("offer Q")),
              "the order line carries the offer's price", str(rows))
    ck.expect(post(am, oid, "versions"), 409, "a converted offer gets no new version")

    # every refused move from sent, accepted and rejected: 409, nothing changed
    def at(status):
        x = new_offer(ctx, am)
        for step, b in (("submit", {}), ("send", {}), ("accept" if status != "rejected" else "reject",
                                                        {"reason": "r"})):
            if status == "sent" and step in ("accept", "reject"):
                break
            ctx.must(post(am, x["id"], step, b), 200, "setup " + step)
        return x["id"]
    for status, moves in (("sent", ("submit", "send", "convert")),
                          ("accepted", ("submit", "send", "accept", "reject", "versions_ok")),
                          ("rejected", ("submit", "send", "accept", "reject", "convert"))):
        xid = at(status)
        before = offer_state(ctx, xid)
        for m in moves:
            if m == "versions_ok":
                continue
            ck.expect(post(am, xid, m, {"reason": "r"} if m in ("accept", "reject") else {}), 409,
                      "%s on a %s offer -> 409" % (m, status))
        ck.expect(am.patch("/api/v1/offers/%d" % xid, {"title": "x"}), 409, "PATCH a %s offer -> 409" % status)
        ck.expect(am.delete("/api/v1/offers/%d" % xid), 409, "DELETE a %s offer -> 409" % status)
        ck.same(before, offer_state(ctx, xid), "nothing changed on the %s offer" % status)

    # keyset paging walks every offer once
    seen, cur = [], None
    for _ in range(100):
        q = {"limit": "2", "all_versions": "1"}
        if cur:
            q["cursor"] = cur
        r = am.get("/api/v1/offers", q)
        if r.status != 200:
            break
        seen += [x["id"] for x in r.json["items"]]
        cur = r.json.get("next_cursor")
        if not cur:
            break
    total = am.get("/api/v1/offers/count", {"all_versions": "1"}).json["total"]
    ck.ok(len(seen) == total == len(set(seen)), "paging by 2 walks all %d offers once" % total, str(len(seen)))

    # versions: v2 copies the lines, v1 superseded
    o2 = new_offer(ctx, am, 200)
    r = post(am, o2["id"], "versions")
    if ck.expect(r, 201, "new version", json={"version_no": 2, "status": "draft", "number": o2["number"],
                                             "root_id": o2["id"], "max_discount_bp": 200}):
        ck.expect(am.get("/api/v1/offers/%d" % o2["id"]), 200, "v1 superseded", json={"status": "superseded"})
        ck.ok(len(r.json["versions"]) == 2, "both versions listed", str(r.json["versions"]))
        ids = [x["id"] for x in am.get("/api/v1/offers", {"q": o2["number"]}).json["items"]]
        ck.ok(ids == [r.json["id"]], "the list shows the newest version", str(ids))
        ids = [x["id"] for x in am.get("/api/v1/offers", {"q": o2["number"], "all_versions": "1"}).json["items"]]
        ck.ok(sorted(ids) == sorted([o2["id"], r.json["id"]]), "all_versions=1 shows both", str(ids))
    ck.expect(post(am, o2["id"], "versions"), 409, "a superseded version gets no new version")

    # lists: filters and counts agree
    acc_items = am.get("/api/v1/accounts/%d/offers" % w["own"], {"limit": "500"}).json["items"]
    ck.ok(all(x["account_id"] == w["own"] for x in acc_items) and len(acc_items) >= 3, "the account's offers")
    for q in ({"status": "draft"}, {"status": "superseded", "all_versions": "1"}, {"mine": "1"},
              {"account_id": str(w["own"])}):
        r = am.get("/api/v1/offers", dict(q, limit="500"))
        c = am.get("/api/v1/offers/count", q)
        ck.ok(r.status == 200 and c.status == 200 and c.json["total"] == len(r.json["items"]),
              "count = list for %s" % q, "%s vs %s" % (c.json, len(r.json["items"]) if r.json else r.status))
        if "status" in q:
            ck.ok(all(x["status"] == q["status"] for x in r.json["items"]), "status filter %s" % q["status"])
    ck.expect(am.get("/api/v1/offers", {"status": "lost"}), 400, "a bad status -> 400", field="status")
    ck.expect(am.get("/api/v1/offers", {"mine": "2"}), 400, "mine 0|1", field="mine")

    # delete: draft v1 only
    o3 = new_offer(ctx, am)
    ck.expect(am.delete("/api/v1/offers/%d" % o3["id"]), 204, "delete a draft v1")
    ck.expect(am.get("/api/v1/offers/%d" % o3["id"]), 404, "gone")

    # numbers: a deleted draft's number does not make the next one collide
    o5, o6 = new_offer(ctx, am), new_offer(ctx, am)
    ck.expect(am.delete("/api/v1/offers/%d" % o5["id"]), 204, "delete an older draft")
    o7 = new_offer(ctx, am)
    ck.ok(o7["number"] not in (o6["number"],) and o7["number"] > o6["number"], "numbers go on after a deletion",
          "%s after %s" % (o7["number"], o6["number"]))

    # scope: another team's account manager neither reads nor lists the offer
    amw = ctx.U("am_w").client
    ck.expect(amw.get("/api/v1/offers/%d" % o7["id"]), 404, "another team's AM: 404")
    r = amw.get("/api/v1/offers", {"q": o7["number"]})
    ck.ok(r.status == 200 and r.json["items"] == [], "another team's AM does not list it", str(r.json))
    ck.expect(amw.patch("/api/v1/offers/%d" % o7["id"], {"title": "x"}), 404, "nor changes it")
    ck.expect(ctx.U("viewer_e").client.get("/api/v1/offers/%d" % o7["id"]), 200, "the account team's viewer reads it")
    ck.expect(ctx.U("viewer_e").client.patch("/api/v1/offers/%d" % o7["id"], {"title": "x"}), 403,
              "but does not change it")

    # PATCH customisations replaced whole: same count, other text -> written and audited
    n_audit = len(ctx.audit_ids("offer", o7["id"]))
    r = am.patch("/api/v1/offers/%d" % o7["id"], {"customisations": [{"request": "改用不锈钢", "confirm_by": "technical"}]})
    ck.expect(r, 200, "PATCH the customisations", json={"customisations": [{"request": "改用不锈钢",
                                                                           "confirm_by": "technical"}]})
    ck.ok(len(ctx.audit_ids("offer", o7["id"])) == n_audit + 1, "audited")

    # customisation: confirm only by the department
    o4 = new_offer(ctx, am)
    cid = o4["customisations"][0]["id"]
    path = "/api/v1/offers/%d/customisations/%d" % (o4["id"], cid)
    ck.expect(am.patch(path, {"feasibility": "feasible", "confirm": True}), 403, "AM cannot confirm for production",
              code="forbidden")
    ck.expect(am.patch(path, {"feasibility": "partly", "note": "颜色可选三种"}), 200, "AM sets the feasibility",
              json={"customisations": [{"feasibility": "partly", "confirmed_by": None}]})
    ck.expect(ctx.U("dir").client.patch(path, {"confirm": True}), 200, "a director confirms",
              json={"customisations": [{"confirmed_by": ctx.U("dir").id}]})
    # an account member of the production department confirms (dept_role production)
    lead_e = ctx.U("lead_e")
    ctx.must(ctx.admin.post("/api/v1/accounts/%d/members" % w["own"], {"user_id": lead_e.id,
                                                                       "dept_role": "production"}), 201, "member")
    try:
        ck.expect(lead_e.client.patch(path, {"feasibility": "feasible", "confirm": True}), 200,
                  "the production member confirms",
                  json={"customisations": [{"feasibility": "feasible", "confirmed_by": lead_e.id,
                                            "confirmed_by_name": lead_e.name}]})
        ck.expect(lead_e.client.patch(path, {"feasibility": "open", "confirm": True}), 400,
                  "confirming an open request -> 400", field="feasibility")
    finally:
        ctx.admin.delete("/api/v1/accounts/%d/members/%d" % (w["own"], lead_e.id))


def g_approvals(ctx):
    ck = ctx.ck
    am = ctx.U("am_e").client
    dr = ctx.U("dir").client
    fin = ctx.U("fin").client
    lead = ctx.U("lead_e").client
    lead_w = ctx.U("lead_w").client
    am_id = ctx.U("am_e").id

    def notes(uid):
        return sql(ctx, "SELECT COUNT(*) FROM notifications WHERE user_id = %d" % uid)[0][0]

    # 8 % > the AM's 5 %: the team lead of the owner's team decides
    o = new_offer(ctx, am, 800)
    ck.ok(o["needs_approval"] == "team_lead", "needs_approval for the AM: team_lead", str(o["needs_approval"]))
    n_lead = notes(ctx.U("lead_e").id)
    r = post(am, o["id"], "submit", {"comment": "大客户"})
    ck.expect(r, 200, "submit over the limit -> pending", json={"status": "pending",
                                                                 "approval": {"needs": "team_lead", "status": "pending"}})
    ap = (r.json or {}).get("approval", {}).get("id", 0)
    ck.ok(notes(ctx.U("lead_e").id) == n_lead + 1, "the team lead is notified")
    ck.expect(post(am, o["id"], "send"), 409, "a pending offer cannot be sent",
              json={"error": {"key": "offer.needs_approval"}})
    before = offer_state(ctx, o["id"])
    ck.expect(am.post("/api/v1/approvals/%d/approve" % ap, {}), 403, "the AM cannot approve (no grant)")
    ck.expect(lead_w.post("/api/v1/approvals/%d/approve" % ap, {}), 404, "another team's lead: out of scope")
    ck.expect(fin.post("/api/v1/approvals/%d/approve" % ap, {}), 403, "finance does not decide a team_lead request",
              json={"error": {"key": "approval.not_decider_team_lead"}})
    ck.same(before, offer_state(ctx, o["id"]), "refused decisions change nothing")
    r = lead.get("/api/v1/approvals", {"mine": "1"})
    ck.ok(r.status == 200 and ap in [x["id"] for x in r.json["items"]], "in the team lead's inbox")
    ck.expect(lead.get("/api/v1/approvals/count", {"mine": "1", "status": "pending"}), 200, "inbox count")
    n_am = notes(am_id)
    ck.expect(lead.post("/api/v1/approvals/%d/approve" % ap, {"comment": "同意"}), 200, "the team lead approves",
              json={"status": "approved", "can_decide": False})
    ck.expect(am.get("/api/v1/offers/%d" % o["id"]), 200, "the offer is approved", json={"status": "approved"})
    ck.ok(notes(am_id) == n_am + 1, "the requester is notified")

    # a team lead's own request (15 %) needs a director; the requester never decides their own
    o = new_offer(ctx, dr, 1500)
    r = post(dr, o["id"], "submit")
    ck.expect(r, 200, "the director submits within the director's limit -> approved", json={"status": "approved"})
    o = new_offer(ctx, lead, 1500)
    n_dir = notes(ctx.U("dir").id)
    r = post(lead, o["id"], "submit")
    ck.expect(r, 200, "a team lead's 15 % -> pending director", json={"approval": {"needs": "director"}})
    ap = (r.json or {}).get("approval", {}).get("id", 0)
    ck.ok(notes(ctx.U("dir").id) == n_dir + 1, "the director is notified")
    r = dr.get("/api/v1/approvals", {"mine": "1", "status": "pending"})
    ck.ok(r.status == 200 and ap in [x["id"] for x in r.json["items"]] and
          all(x["can_decide"] for x in r.json["items"]), "in the director's inbox, decidable", str(r.json)[:300])
    r = lead.get("/api/v1/approvals", {"mine": "1"})
    ck.ok(r.status == 200 and ap not in [x["id"] for x in r.json["items"]], "not in the requester's own inbox")
    ck.expect(am.post("/api/v1/approvals/%d/withdraw" % ap, {}), 403, "only the requester withdraws",
              json={"error": {"key": "approval.not_requester"}})
    ck.expect(lead.post("/api/v1/approvals/%d/approve" % ap, {}), 403, "cannot approve one's own request",
              json={"error": {"key": "approval.own"}})
    ck.expect(dr.post("/api/v1/approvals/%d/reject" % ap, {}), 400, "reject needs a comment", field="comment")
    ck.expect(dr.post("/api/v1/approvals/%d/reject" % ap, {"comment": " \n\t "}), 400,
              "a blank comment is no reason", field="comment")
    ck.expect(dr.post("/api/v1/approvals/%d/reject" % ap, {"comment": "折扣太大"}), 200, "the director rejects",
              json={"status": "rejected"})
    ck.expect(lead.get("/api/v1/offers/%d" % o["id"]), 200, "rejected -> back to draft with the comment",
              json={"status": "draft", "decision_reason": "折扣太大"})
    r = post(lead, o["id"], "submit")
    ck.expect(r, 200, "resubmitted: a new request, the old reason dropped",
              json={"status": "pending", "decision_reason": "", "approval": {"status": "pending"}})
    ck.ok(r.json and r.json["approval"]["id"] != ap, "a new approval", str(r.json and r.json["approval"]))

    # 25 % > the director's 20 %: finance AND a director
    o = new_offer(ctx, am, 2500)
    r = post(am, o["id"], "submit")
    ck.expect(r, 200, "25 % -> finance+director", json={"approval": {"needs": "finance+director"}})
    ap = (r.json or {}).get("approval", {}).get("id", 0)
    ck.expect(dr.post("/api/v1/approvals/%d/approve" % ap, {}), 200, "the director approves first: still pending",
              json={"status": "pending"})
    ck.expect(dr.post("/api/v1/approvals/%d/approve" % ap, {}), 403, "the director's step is done")
    ck.expect(fin.post("/api/v1/approvals/%d/approve" % ap, {}), 200, "finance completes it",
              json={"status": "approved"})
    ck.expect(am.get("/api/v1/offers/%d" % o["id"]), 200, "approved", json={"status": "approved"})

    # withdraw: the requester only
    o = new_offer(ctx, am, 900)
    r = post(am, o["id"], "submit")
    ap = (r.json or {}).get("approval", {}).get("id", 0)
    ck.expect(am.post("/api/v1/approvals/%d/withdraw" % ap, {}), 200, "the requester withdraws",
              json={"status": "withdrawn"})
    ck.expect(am.get("/api/v1/offers/%d" % o["id"]), 200, "the offer is a draft again", json={"status": "draft"})

    # discount limits
    a = ctx.admin
    ck.expect(a.get("/api/v1/settings/discounts"), 200, "limits",
              json={"limits": [{"role": "account_manager", "max_bp": 500}, {"role": "team_lead", "max_bp": 1000},
                               {"role": "director", "max_bp": 2000}]})
    ck.expect(a.put("/api/v1/settings/discounts", {"limits": [{"role": "team_lead", "max_bp": 300}]}), 400,
              "team_lead below account_manager -> 400", field="limits[0].max_bp")
    ck.expect(am.put("/api/v1/settings/discounts", {"limits": [{"role": "team_lead", "max_bp": 1200}]}), 403,
              "an AM cannot set limits")
    ck.expect(a.put("/api/v1/settings/discounts", {"limits": [{"role": "team_lead", "max_bp": 1200}]}), 200,
              "set the team lead's limit", json={"limits": [{}, {"max_bp": 1200}, {}]})
    ck.expect(a.put("/api/v1/settings/discounts", {"limits": [{"role": "team_lead", "max_bp": 1000}]}), 200,
              "and back")


def g_offer_expiry(ctx):
    ck = ctx.ck
    am = ctx.U("am_e").client
    o = new_offer(ctx, am, valid_until=today(ctx, 1))
    post(am, o["id"], "submit")
    ck.expect(post(am, o["id"], "send"), 200, "sent", json={"status": "sent"})
    o2 = new_offer(ctx, am, valid_until=today(ctx, 2))  # valid through its last day
    post(am, o2["id"], "submit")
    post(am, o2["id"], "send")
    o3 = new_offer(ctx, am, valid_until=today(ctx, 1))
    post(am, o3["id"], "submit")
    # the jobs pass two days on (10:00 in China), just past o's and o3's validity; no mail sent
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAM_SMTP")}
    y, m, d = (int(x) for x in today(ctx, 2).split("-"))
    env["KAM_NOW"] = str(calendar.timegm((y, m, d, 2, 0, 0, 0, 0, 0)))
    rc, out, err = run_cli(ctx.kam, ["jobs", "run", "--db", ctx.dsn], env=env)
    ck.ok(rc == 0, "kam jobs run exits 0", err)
    ck.expect(am.get("/api/v1/offers/%d" % o["id"]), 200, "past valid_until -> expired", json={"status": "expired"})
    ck.ok(sql(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'offer' AND entity_id = %d" % o["id"])[0][0] >= 4,
          "the expiry is audited")
    ck.expect(am.get("/api/v1/offers/%d" % o2["id"]), 200, "a sent offer still valid stays sent",
              json={"status": "sent"})
    ck.expect(am.get("/api/v1/offers/%d" % o3["id"]), 200, "an approved (unsent) offer does not expire",
              json={"status": "approved"})


def g_offer_lines(ctx):
    """Bundle and service lines, margins, conversion with the bundle split and the opportunity won."""
    ck = ctx.ck
    w = world(ctx)
    am = ctx.U("am_e").client
    a = ctx.admin
    p2 = ctx.must(a.post("/api/v1/products", {"sku": ctx.uniq("OFB"), "name": "配件", "family": ctx.uniq("OFF"),
                                             "list_price": {"amount": 5000, "currency": "CNY"}}), 201, "product 2")
    sql(ctx, "UPDATE products SET unit_cost = 3000 WHERE id = %d" % p2["id"])
    code = ctx.uniq("BD")
    sql(ctx, "INSERT INTO bundles (code, name, currency, price, created_at, updated_at) VALUES "
             "('%s', '套装', 'CNY', 22000, 1, 1)" % code)
    bid = sql(ctx, "SELECT id FROM bundles WHERE code = '%s'" % code)[0][0]
    sql(ctx, "INSERT INTO bundle_items (bundle_id, product_id, quantity) VALUES (%d, %d, 2000), (%d, %d, 1000)"
        % (bid, w["p"], bid, p2["id"]))
    scode = ctx.uniq("SV")
    sql(ctx, "INSERT INTO service_items (code, kind, name, unit, price, currency, unit_cost, created_at, "
             "updated_at) VALUES ('%s', 'training', '培训', 'day', 80000, 'CNY', 50000, 1, 1)" % scode)
    sid = sql(ctx, "SELECT id FROM service_items WHERE code = '%s'" % scode)[0][0]
    sql(ctx, "INSERT INTO opportunities (account_id, name, owner_id, stage, amount, currency, close_month, "
             "created_at, updated_at) VALUES (%d, '报价商机 %s', %d, 'proposal', 100000, 'CNY', '2026-12', 1, 1)"
        % (w["own"], ctx.tag, ctx.U("am_e").id))
    opp = sql(ctx, "SELECT MAX(id) FROM opportunities")[0][0]

    # another currency: 2.00 CNY per XOS -> the engine's 100.00 CNY is 50.00 XOS, the cost 30.00
    ctx.must(a.put("/api/v1/fx-rates", {"currency": "XOS", "rate_micro": 2000000}), 200, "fx XOS")
    r = am.post("/api/v1/offers", body(ctx, None, currency="XOS"))
    ck.expect(r, 201, "an offer in XOS", json={"currency": "XOS", "subtotal": 50000, "total": 50000,
                                                "cost": 30000, "lines": [{"engine_price": 5000, "unit_cost": 3000}]})

    # no currency given: the account's own price list's (XOS here), else the base currency
    acc2 = ctx.new_account("am_e", code=ctx.uniq("OFA"), name="报价外币客户 " + ctx.tag)
    ctx.must(a.post("/api/v1/price-lists", {"name": "外币价 " + ctx.tag, "currency": "XOS", "scope": "account",
                                            "account_id": acc2, "items": [{"product_id": w["p"], "unit_price": 4500}]}),
             201, "account price list in XOS")
    r = am.post("/api/v1/offers", body(ctx, None, account_id=acc2))
    ck.expect(r, 201, "the account's list currency by default",
              json={"currency": "XOS", "lines": [{"engine_price": 4500}]})
    r = am.post("/api/v1/offers", body(ctx, None))
    ck.expect(r, 201, "else the base currency", json={"currency": "CNY"})

    b = body(ctx, 300, opportunity_id=opp)
    b["lines"] += [{"kind": "bundle", "bundle_id": bid, "quantity": 2, "unit_price": 20000},
                   {"kind": "service", "service_item_id": sid, "quantity": 1.5}]
    r = am.post("/api/v1/offers", b)
    # subtotal 1000 + 2 x 220 + 1.5 x 800 = 2640.00; total 970 + 400 + 1200 = 2570.00;
    # cost 600 + 2 x (2 x 60 + 30) + 1.5 x 500 = 1650.00; margin 920 / 2570 = 35.80 %;
    # the bundle's discount (220 - 200) / 220 = 9.0909 % (910 bp, rounded up) -> the team lead's.
    if not ck.expect(r, 201, "an offer with product, bundle and service lines",
                     json={"subtotal": 264000, "total": 257000, "cost": 165000, "margin_bp": 3580,
                           "max_discount_bp": 910, "needs_approval": "team_lead", "opportunity_id": opp}):
        return
    o = r.json
    bl = o["lines"][1]
    ck.ok(bl["engine_price"] == 22000 and bl["components_total"] == 25000 and bl["saving"] == 3000
          and bl["unit_cost"] == 15000
          and [c["engine_price"] for c in bl["components"]] == [10000, 5000], "the bundle: its price, its "
          "components' engine prices (250.00, a saving of 30.00), its cost", str(bl))
    sl = o["lines"][2]
    ck.ok(sl["engine_price"] == 80000 and sl["amount"] == 120000 and sl["code"] == scode, "the service line", str(sl))
    r = post(am, o["id"], "submit")
    ap = (r.json or {}).get("approval", {}).get("id", 0)
    ck.expect(ctx.U("lead_e").client.post("/api/v1/approvals/%d/approve" % ap, {}), 200, "the team lead approves")
    post(am, o["id"], "send")
    post(am, o["id"], "accept")
    r = post(am, o["id"], "convert", {"day": today(ctx)})
    if ck.expect(r, 200, "convert the offer", json={"skipped_service_lines": [sl["id"]]}):
        ids = r.json["order_line_ids"]
        rows = sql(ctx, "SELECT external_id, quantity, amount FROM order_lines WHERE id IN (%s) ORDER BY id"
                   % ",".join(str(i) for i in ids)) if ids else []
        want = [["offer:%d:%d" % (o["id"], o["lines"][0]["id"]), 10000, 97000],
                ["offer:%d:%d:%d" % (o["id"], bl["id"], w["p"]), 4000, 32000],
                ["offer:%d:%d:%d" % (o["id"], bl["id"], p2["id"]), 2000, 8000]]
        ck.same(want, rows, "order lines: the product line, the bundle split 320 + 80 by the components' prices")
    st = sql(ctx, "SELECT stage, outcome_reason FROM opportunities WHERE id = %d" % opp)
    ck.ok(st and st[0][0] == "won" and st[0][1] == "offer %s accepted" % o["number"], "the opportunity is won", str(st))


def _audit_changes(ctx, entity, eid):
    return [r[0] for r in sql(ctx, "SELECT changes FROM audit WHERE entity = '%s' AND entity_id = %d ORDER BY id"
                              % (entity, eid))]


def g_offer_fixes(ctx):
    """The review's points: dates not before today, expiry at send/accept, conversion's day and
    audit, bundles frozen, the approval link cleared, customisation confirmations kept."""
    ck = ctx.ck
    w = world(ctx)
    am_u = ctx.U("am_e")
    am = am_u.client
    a = ctx.admin
    yday, tday = today(ctx, -1), today(ctx)

    # 1. price_date / valid_until not before today: create, PATCH, submit -> 400 naming the field
    n0 = sql(ctx, "SELECT COUNT(*) FROM offers")
    ck.expect(am.post("/api/v1/offers", body(ctx, 300, price_date=yday)), 400,
              "a backdated price_date -> 400", field="price_date", json={"error": {"key": "offer.price_date_past"}})
    ck.expect(am.post("/api/v1/offers", body(ctx, 300, valid_until=yday, price_date=yday)), 400,
              "valid only in the past -> 400", field="price_date")
    ck.same(n0, sql(ctx, "SELECT COUNT(*) FROM offers"), "nothing written")
    o = new_offer(ctx, am, 300)
    ck.ok(o["price_date"] == tday, "price_date defaults to today in China", o["price_date"])
    before = offer_state(ctx, o["id"])
    ck.expect(am.patch("/api/v1/offers/%d" % o["id"], {"price_date": yday}), 400, "PATCH a backdated price_date",
              field="price_date")
    ck.same(before, offer_state(ctx, o["id"]), "the refused PATCH changes nothing")
    # a draft gone stale overnight cannot be submitted as it is
    sql(ctx, "UPDATE offers SET price_date = '%s' WHERE id = %d" % (yday, o["id"]))
    before = offer_state(ctx, o["id"])
    ck.expect(post(am, o["id"], "submit"), 400, "submit with yesterday's price_date -> 400", field="price_date")
    ck.same(before, offer_state(ctx, o["id"]), "the refused submit changes nothing")
    ck.expect(am.patch("/api/v1/offers/%d" % o["id"], {"price_date": tday}), 200, "today's date again")
    ck.expect(post(am, o["id"], "submit"), 200, "then it is submitted", json={"status": "approved"})
    # 7. send / accept past valid_until -> 409 offer.expired (the expiry pass marks it)
    sql(ctx, "UPDATE offers SET valid_until = '%s' WHERE id = %d" % (yday, o["id"]))
    before = offer_state(ctx, o["id"])
    ck.expect(post(am, o["id"], "send"), 409, "send past valid_until -> 409", json={"error": {"key": "offer.expired"}})
    ck.same(before, offer_state(ctx, o["id"]), "nothing changed")
    o2 = new_offer(ctx, am)
    post(am, o2["id"], "submit")
    ck.expect(post(am, o2["id"], "send"), 200, "sent")
    sql(ctx, "UPDATE offers SET valid_until = '%s' WHERE id = %d" % (yday, o2["id"]))
    before = offer_state(ctx, o2["id"])
    ck.expect(post(am, o2["id"], "accept"), 409, "accept past valid_until -> 409",
              json={"error": {"key": "offer.expired"}})
    ck.same(before, offer_state(ctx, o2["id"]), "nothing changed")

    # 2. convert: the day between the accept day and today; audited as the converting user
    o3 = new_offer(ctx, am)
    for step in ("submit", "send", "accept"):
        ctx.must(post(am, o3["id"], step), 200, step)
    before = offer_state(ctx, o3["id"])
    for day in ("2001-01-01", yday, today(ctx, 1)):
        ck.expect(post(am, o3["id"], "convert", {"day": day}), 400, "convert on %s -> 400" % day, field="day",
                  json={"error": {"key": "offer.bad_convert_day"}})
    ck.same(before, offer_state(ctx, o3["id"]), "nothing changed")
    r = post(am, o3["id"], "convert", {"day": tday})
    if ck.expect(r, 200, "convert today"):
        ids = r.json["order_line_ids"]
        who = sql(ctx, "SELECT DISTINCT user_id FROM audit WHERE entity = 'order_line' AND entity_id IN (%s)"
                  % ",".join(str(i) for i in ids))
        ck.same([[am_u.id]], who, "the order lines are audited as the converting user")
        ch = _audit_changes(ctx, "offer", o3["id"])[-1]
        ck.ok("order_line_ids" in ch and all(str(i) in ch for i in ids), "the offer's audit lists the order lines",
              ch)

    # 3. a bundle's components are frozen when priced; one with nothing priced is refused
    p2 = ctx.must(a.post("/api/v1/products", {"sku": ctx.uniq("OFX"), "name": "配件乙", "family": ctx.uniq("OFF"),
                                             "list_price": {"amount": 5000, "currency": "CNY"}}), 201, "product 2")
    code = ctx.uniq("BF")
    sql(ctx, "INSERT INTO bundles (code, name, currency, price, created_at, updated_at) VALUES "
             "('%s', '冻结套装', 'CNY', 22000, 1, 1)" % code)
    bid = sql(ctx, "SELECT id FROM bundles WHERE code = '%s'" % code)[0][0]
    sql(ctx, "INSERT INTO bundle_items (bundle_id, product_id, quantity) VALUES (%d, %d, 2000), (%d, %d, 1000)"
        % (bid, w["p"], bid, p2["id"]))
    r = am.post("/api/v1/offers", body(ctx, lines=[{"kind": "bundle", "bundle_id": bid, "quantity": 1}]))
    ck.expect(r, 201, "a bundle offer")
    ob = r.json or {"id": 0, "lines": [{}]}
    for step in ("submit", "send", "accept"):
        ctx.must(post(am, ob["id"], step), 200, step)
    sql(ctx, "DELETE FROM bundle_items WHERE bundle_id = %d" % bid)
    sql(ctx, "INSERT INTO bundle_items (bundle_id, product_id, quantity) VALUES (%d, %d, 5000)" % (bid, w["q"]))
    r = am.get("/api/v1/offers/%d" % ob["id"])
    bl = (r.json or {}).get("lines", [{}])[0]
    ck.ok([c.get("product_id") for c in bl.get("components", [])] == [w["p"], p2["id"]]
          and bl.get("components_total") == 25000, "the bundle shows its components as priced", str(bl))
    r = post(am, ob["id"], "convert", {})
    if ck.expect(r, 200, "convert the bundle"):
        rows = sql(ctx, "SELECT product_id, quantity, amount FROM order_lines WHERE id IN (%s) ORDER BY id"
                   % ",".join(str(i) for i in r.json["order_line_ids"]))
        ck.same([[w["p"], 2000, 17600], [p2["id"], 1000, 4400]], rows,
                "split over the frozen components (200 : 50 of 220.00)")
    ck.expect(am.post("/api/v1/offers", body(ctx, lines=[{"kind": "bundle", "bundle_id": bid, "quantity": 1}])), 400,
              "a bundle with no priced component -> 400", field="lines[0].bundle_id",
              json={"error": {"key": "offer.bundle_unpriced"}})

    # 6. the approval link: cleared back in draft and on a direct approve
    lead = ctx.U("lead_e").client
    o4 = new_offer(ctx, am, 800)
    ap = ctx.must(post(am, o4["id"], "submit"), 200, "submit 8 %")["approval"]["id"]
    ck.expect(lead.post("/api/v1/approvals/%d/reject" % ap, {"comment": "太低"}), 200, "the lead rejects")
    ck.expect(am.get("/api/v1/offers/%d" % o4["id"]), 200, "back in draft without the approval",
              json={"status": "draft", "approval": None})
    ln = [{"kind": "product", "product_id": w["p"], "quantity": 10, "discount_bp": 300}]
    ctx.must(am.patch("/api/v1/offers/%d" % o4["id"], {"lines": ln}), 200, "3 %")
    ck.expect(post(am, o4["id"], "submit"), 200, "resubmitted within the limit: approved, no stale approval",
              json={"status": "approved", "approval": None})
    o5 = new_offer(ctx, am, 800)
    ap = ctx.must(post(am, o5["id"], "submit"), 200, "submit 8 %")["approval"]["id"]
    ctx.must(am.post("/api/v1/approvals/%d/withdraw" % ap, {}), 200, "withdraw")
    ck.expect(am.get("/api/v1/offers/%d" % o5["id"]), 200, "withdrawn: draft, no approval",
              json={"status": "draft", "approval": None})

    # 12. deleting a draft v1 takes its withdrawn approval with it (no request without an offer)
    ck.expect(am.delete("/api/v1/offers/%d" % o5["id"]), 204, "delete the withdrawn draft")
    ck.same([[0]], sql(ctx, "SELECT COUNT(*) FROM approvals WHERE kind = 'offer' AND object_id = %d" % o5["id"]),
            "its approval is gone too")
    ck.ok(len(ctx.audit_ids("approval", ap)) >= 3, "the approval's deletion is audited")

    # 12. an inactive product is refused on a line
    px = ctx.must(a.post("/api/v1/products", {"sku": ctx.uniq("OFI"), "name": "停用产品", "family": ctx.uniq("OFF"),
                                             "list_price": {"amount": 1000, "currency": "CNY"}}), 201, "product")
    sql(ctx, "UPDATE products SET active = 0 WHERE id = %d" % px["id"])
    ck.expect(am.post("/api/v1/offers", body(ctx, lines=[{"kind": "product", "product_id": px["id"], "quantity": 1}])),
              400, "an inactive product -> 400", field="lines[0].product_id")
    # a unit price 5.004 % below is 501 bp: over the AM's 5 %
    p5 = ctx.must(a.post("/api/v1/products", {"sku": ctx.uniq("OFV"), "name": "千元", "family": ctx.uniq("OFF"),
                                             "list_price": {"amount": 100000, "currency": "CNY"}}), 201, "1000.00")
    r = am.post("/api/v1/offers", body(ctx, lines=[{"kind": "product", "product_id": p5["id"], "quantity": 1,
                                                     "unit_price": 94996}]))
    ck.expect(r, 201, "5.004 % below by unit price", json={"max_discount_bp": 501, "needs_approval": "team_lead"})

    # 9. no active team lead: the directors are notified
    lead_id = ctx.U("lead_e").id
    dir_id = ctx.U("dir").id

    def notes(uid):
        return sql(ctx, "SELECT COUNT(*) FROM notifications WHERE user_id = %d" % uid)[0][0]
    o6 = new_offer(ctx, am, 800)
    sql(ctx, "UPDATE users SET disabled = 1 WHERE id = %d" % lead_id)
    try:
        n_dir, n_lead = notes(dir_id), notes(lead_id)
        ck.expect(post(am, o6["id"], "submit"), 200, "submit while the team lead is disabled",
                  json={"approval": {"needs": "team_lead"}})
        ck.ok(notes(dir_id) == n_dir + 1 and notes(lead_id) == n_lead, "the directors are notified instead")
    finally:
        sql(ctx, "UPDATE users SET disabled = 0 WHERE id = %d" % lead_id)

    # 5. customisations: the department's own route, confirmations kept, dropped on a change
    svc = ctx.U("service_e")
    o7 = new_offer(ctx, am, customisations=[{"request": "现场安装", "confirm_by": "service"},
                                            {"request": "加装防水壳", "confirm_by": "production"}])
    c_svc, c_prod = o7["customisations"][0]["id"], o7["customisations"][1]["id"]
    conf = "/api/v1/offers/%d/customisations/%%d/confirm" % o7["id"]
    before = offer_state(ctx, o7["id"])
    ck.expect(am.post(conf % c_prod, {"feasibility": "feasible"}), 403, "the AM does not confirm for production",
              json={"error": {"key": "offer.not_confirmer"}})
    ck.expect(svc.client.post(conf % c_prod, {"feasibility": "feasible"}), 403, "nor service for production")
    ck.expect(ctx.U("viewer_e").client.post(conf % c_svc, {"feasibility": "feasible"}), 403,
              "the marketing viewer does not confirm a service request")
    ck.expect(svc.client.post(conf % c_svc, {"feasibility": "open"}), 400, "confirming 'open' -> 400",
              field="feasibility")
    ck.expect(svc.client.post(conf % c_svc, {}), 400, "feasibility required", field="feasibility")
    ck.same(before, offer_state(ctx, o7["id"]), "refused confirmations change nothing")
    ck.expect(svc.client.post(conf % c_svc, {"feasibility": "feasible", "note": "两天"}), 200,
              "the account's service member confirms (offer read)",
              json={"customisations": [{"feasibility": "feasible", "confirmed_by": svc.id, "note": "两天"}, {}]})
    ck.expect(ctx.U("dir").client.post(conf % c_prod, {"feasibility": "no"}), 200, "a director confirms production")
    # an offer PATCH keeps rows by id or same request, with their confirmation
    r = am.patch("/api/v1/offers/%d" % o7["id"], {"customisations": [
        {"id": c_svc, "request": "现场安装", "confirm_by": "service", "note": "两天"},
        {"request": "加装防水壳", "confirm_by": "production"},
        {"request": "包装改为木箱", "confirm_by": "production"}]})
    if ck.expect(r, 200, "PATCH the customisations"):
        cs = r.json["customisations"]
        ck.ok(cs[0]["id"] == c_svc and cs[0]["confirmed_by"] == svc.id and cs[0]["feasibility"] == "feasible"
              and cs[1]["id"] == c_prod and cs[1]["confirmed_by"] == dir_id and cs[1]["feasibility"] == "no"
              and cs[2]["feasibility"] == "open" and cs[2]["confirmed_by"] is None,
              "kept rows keep their feasibility and confirmation", str(cs))
    ck.expect(am.patch("/api/v1/offers/%d" % o7["id"], {"customisations": [
        {"id": 999999999, "request": "x", "confirm_by": "service"}]}), 400, "an unknown id -> 400",
        field="customisations[0].id")
    # a new version copies them as they are
    r = post(am, o7["id"], "versions")
    if ck.expect(r, 201, "a new version"):
        cs = r.json["customisations"]
        ck.ok([(c["request"], c["feasibility"], c["confirmed_by"]) for c in cs] ==
              [("现场安装", "feasible", svc.id), ("加装防水壳", "no", dir_id), ("包装改为木箱", "open", None)],
              "the new version copies feasibility and confirmations", str(cs))
        v2 = r.json["id"]
        c2 = cs[1]["id"]
        # changing feasibility without confirming drops the confirmation
        ck.expect(am.patch("/api/v1/offers/%d/customisations/%d" % (v2, c2), {"feasibility": "feasible"}), 200,
                  "the AM changes a confirmed feasibility",
                  json={"customisations": [{}, {"feasibility": "feasible", "confirmed_by": None,
                                                "confirmed_at": None}, {}]})


def g_approval_race(ctx):
    """Finance and a director deciding one finance+director request at the same moment: the
    second waits for the first (the approval row locked), so it always completes."""
    ck = ctx.ck
    am = ctx.U("am_e").client
    dr, fin = ctx.U("dir").client, ctx.U("fin").client
    stuck = []
    for i in range(20):
        o = new_offer(ctx, am, 2500)
        ap = ctx.must(post(am, o["id"], "submit"), 200, "submit 25 %")["approval"]["id"]
        got = {}
        gate = threading.Barrier(2)

        def decide(name, c):
            gate.wait()
            got[name] = c.post("/api/v1/approvals/%d/approve" % ap, {}).status
        ts = [threading.Thread(target=decide, args=(n, c)) for n, c in (("dir", dr), ("fin", fin))]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        st = sql(ctx, "SELECT status FROM approvals WHERE id = %d" % ap)[0][0]
        ost = sql(ctx, "SELECT status FROM offers WHERE id = %d" % o["id"])[0][0]
        if st != "approved" or ost != "approved" or got != {"dir": 200, "fin": 200}:
            stuck.append((i, st, ost, got))
    ck.ok(not stuck, "20 concurrent finance + director decisions all complete", str(stuck))


GROUPS = [
    ("offers", g_offers, True),
    ("offer_lines", g_offer_lines, True),
    ("approvals", g_approvals, True),
    ("offer_expiry", g_offer_expiry, True),
    ("offer_fixes", g_offer_fixes, True),
    ("approval_race", g_approval_race, True),
]

# ---- permission matrix builders (t_matrix.py): offers and approvals are records of an account
# (x-kam-scope offer / approval): own (A_own) and other (A_other) runs.
if "offer" not in t_matrix.RECORD_KINDS:
    t_matrix.RECORD_KINDS = t_matrix.RECORD_KINDS + ("offer", "approval")
# and the x-kam-scope values the openapi group accepts (issue 15's contract added these scopes)
for _s in ("opportunity", "offer", "approval"):
    if _s not in t_basic.SCOPES:
        t_basic.SCOPES = t_basic.SCOPES + (_s,)


def _acc(ctx, rec_):
    return ctx.ids["A_other" if rec_ == "other" else "A_own"]


def _read_offer(ctx, rec_):
    key = "OF_matrix_%s" % rec_
    if key not in ctx.ids:
        ctx.ids[key] = new_offer(ctx, account_id=_acc(ctx, rec_))["id"]
    return ctx.ids[key]


def _offer_at(ctx, status, rec_="own"):
    o = new_offer(ctx, account_id=_acc(ctx, rec_))
    oid = o["id"]
    steps = {"approved": ["submit"], "sent": ["submit", "send"], "accepted": ["submit", "send", "accept"]}
    for s in steps.get(status, []):
        ctx.must(post(ctx.admin, oid, s), 200, "matrix offer " + s)
    return oid


@route("GET", "/api/v1/offers", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/offers", query={"limit": "5"})


@route("GET", "/api/v1/offers/count", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/offers/count")


@route("GET", "/api/v1/accounts/{id}/offers", "account")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/accounts/%d/offers" % t_matrix.acc(ctx, rec_))


@route("POST", "/api/v1/offers", "none")
def _(ctx, u, rec_):
    return Attempt("POST", "/api/v1/offers", body(ctx), ok=201,
                   state=lambda: sql(ctx, "SELECT COUNT(*) FROM offers"))


@route("GET", "/api/v1/offers/{id}", "offer")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/offers/%d" % _read_offer(ctx, rec_))


@route("PATCH", "/api/v1/offers/{id}", "offer")
def _(ctx, u, rec_):
    oid = _offer_at(ctx, "draft", rec_)
    return Attempt("PATCH", "/api/v1/offers/%d" % oid, {"note": "matrix"}, state=lambda: offer_state(ctx, oid))


@route("DELETE", "/api/v1/offers/{id}", "offer")
def _(ctx, u, rec_):
    oid = _offer_at(ctx, "draft", rec_)
    return Attempt("DELETE", "/api/v1/offers/%d" % oid, ok=204, state=lambda: offer_state(ctx, oid))


def _move(what, status, ok=200, b=None):
    def fn(ctx, u, rec_):
        oid = _offer_at(ctx, status, rec_)
        return Attempt("POST", "/api/v1/offers/%d/%s" % (oid, what), b if b is not None else {}, ok=ok,
                       state=lambda: offer_state(ctx, oid))
    return fn


route("POST", "/api/v1/offers/{id}/submit", "offer")(_move("submit", "draft"))
route("POST", "/api/v1/offers/{id}/send", "offer")(_move("send", "approved"))
route("POST", "/api/v1/offers/{id}/accept", "offer")(_move("accept", "sent"))
route("POST", "/api/v1/offers/{id}/reject", "offer")(_move("reject", "sent", b={"reason": "matrix"}))
route("POST", "/api/v1/offers/{id}/versions", "offer")(_move("versions", "draft", ok=201))
route("POST", "/api/v1/offers/{id}/convert", "offer")(_move("convert", "accepted"))


@route("PATCH", "/api/v1/offers/{id}/customisations/{cid}", "offer")
def _(ctx, u, rec_):
    o = new_offer(ctx, account_id=_acc(ctx, rec_))
    cid = o["customisations"][0]["id"]
    return Attempt("PATCH", "/api/v1/offers/%d/customisations/%d" % (o["id"], cid), {"feasibility": "feasible"},
                   state=lambda: offer_state(ctx, o["id"]))


@route("POST", "/api/v1/offers/{id}/customisations/{cid}/confirm", "offer")
def _(ctx, u, rec_):
    # a service request: the route needs offer read in scope; the department check (service) is
    # met for the matrix by making the caller the account's service member for the attempt
    # (admin and director confirm any; service_e is A_own's service member already)
    acc = _acc(ctx, rec_)
    o = new_offer(ctx, account_id=acc, customisations=[{"request": "现场调试", "confirm_by": "service"}])
    cid = o["customisations"][0]["id"]
    cleanup = None
    in_scope = rec_ == "own" or u.role in ("finance", "legal")
    if u.role in ("account_manager", "team_lead", "viewer", "finance", "legal") and in_scope:
        old = sql(ctx, "SELECT dept_role FROM account_members WHERE account_id = %d AND user_id = %d" % (acc, u.id))
        if old:
            sql(ctx, "UPDATE account_members SET dept_role = 'service' WHERE account_id = %d AND user_id = %d"
                % (acc, u.id))

            def cleanup():
                sql(ctx, "UPDATE account_members SET dept_role = '%s' WHERE account_id = %d AND user_id = %d"
                    % (old[0][0], acc, u.id))
        else:
            sql(ctx, "INSERT INTO account_members (account_id, user_id, dept_role, created_at) VALUES "
                     "(%d, %d, 'service', 1)" % (acc, u.id))

            def cleanup():
                sql(ctx, "DELETE FROM account_members WHERE account_id = %d AND user_id = %d" % (acc, u.id))
    return Attempt("POST", "/api/v1/offers/%d/customisations/%d/confirm" % (o["id"], cid),
                   {"feasibility": "feasible"}, state=lambda: offer_state(ctx, o["id"]), cleanup=cleanup)


def _approval(ctx, disc=2500, client=None, rec_="own"):
    c = client or ctx.U("am_w" if rec_ == "other" else "am_e").client
    o = new_offer(ctx, c, disc, account_id=_acc(ctx, rec_))
    r = ctx.must(post(c, o["id"], "submit"), 200, "matrix submit")
    return r["approval"]["id"], o["id"]


def _appr_state(ctx, ap, oid):
    r = ctx.admin.get("/api/v1/offers/%d" % oid)
    return {"offer": (r.status, r.json), "approval": sql(ctx, "SELECT status, version FROM approvals WHERE id = %d"
                                                         % ap)}


@route("GET", "/api/v1/approvals", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/approvals", query={"limit": "5"})


@route("GET", "/api/v1/approvals/count", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/approvals/count")


@route("GET", "/api/v1/approvals/{id}", "approval")
def _(ctx, u, rec_):
    key = "AP_matrix_%s" % rec_
    if key not in ctx.ids:
        ctx.ids[key] = _approval(ctx, rec_=rec_)[0]
    return Attempt("GET", "/api/v1/approvals/%d" % ctx.ids[key])


def _decide(what, b):
    def fn(ctx, u, rec_):
        # a request each role may decide: team_lead for the owner's team lead, else finance+director
        ap, oid = _approval(ctx, 800 if u.role == "team_lead" else 2500, rec_=rec_)
        return Attempt("POST", "/api/v1/approvals/%d/%s" % (ap, what), b,
                       ok=200, state=lambda: _appr_state(ctx, ap, oid))
    return fn


route("POST", "/api/v1/approvals/{id}/approve", "approval")(_decide("approve", {}))
route("POST", "/api/v1/approvals/{id}/reject", "approval")(_decide("reject", {"comment": "matrix"}))


@route("POST", "/api/v1/approvals/{id}/withdraw", "approval")
def _(ctx, u, rec_):
    # the requester withdraws: the role's own request where it may make one
    mine = u.role in ("admin", "director", "account_manager") or (u.role == "team_lead" and rec_ == "own")
    if u.role == "account_manager" and rec_ == "other":
        mine = False
    ap, oid = _approval(ctx, 2500, u.client if mine else None, rec_=rec_)
    return Attempt("POST", "/api/v1/approvals/%d/withdraw" % ap, {}, state=lambda: _appr_state(ctx, ap, oid))


@route("GET", "/api/v1/settings/discounts", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/settings/discounts")


@route("PUT", "/api/v1/settings/discounts", "none")
def _(ctx, u, rec_):
    return Attempt("PUT", "/api/v1/settings/discounts", {"limits": [{"role": "account_manager", "max_bp": 500}]},
                   state=lambda: sql(ctx, "SELECT role, max_bp FROM discount_limits ORDER BY role"))
