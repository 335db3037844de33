"""Compliance: gifts and hospitality (issue 16 item 1, src/api/risk/gifts.c, docs/RISK.md): the rule
that applies (recipient role over 'any', kind over 'any'), the boundaries (at the rule's maximum
recorded, one more pending when planned and a breach when already given; the budget exactly used
up is within, one more a breach), a breach raising its compliance risk once, the approver's
notice and "waiting for my decision", decisions (the giver may not, another role may not, the
rule's approver and a director may; a rejected gift already given is a breach), the yearly
budget, refusals naming the field with nothing written, and the permission matrix builders."""

import datetime
import os
import time

import policy as pol
import t_matrix
from policy import ALL, NONE, SCOPE, _roles
from t_matrix import route, Attempt
from t_answers import sql
from lib import run_cli, iso

# the openapi group's x-kam-scope check knows this slice's scopes (added by EXPORTS)
import t_basic as _t_basic  # noqa: E402
for _s in ("gift",):
    if _s not in _t_basic.SCOPES:
        _t_basic.SCOPES = _t_basic.SCOPES + (_s,)

# src/svc/core/policy.c OBJ_GIFT (rules and budgets are config)
pol.EXPECTED.update({
    ("gift", "read"): _roles(NONE, admin=ALL, director=ALL, finance=ALL, team_lead=SCOPE,
                             account_manager=SCOPE, service=SCOPE),
    ("gift", "create"): _roles(NONE, admin=ALL, director=ALL, team_lead=SCOPE, account_manager=SCOPE,
                               service=SCOPE),
    ("gift", "update"): _roles(NONE, admin=ALL, director=ALL, finance=ALL, team_lead=SCOPE,
                               account_manager=SCOPE),
    ("gift", "delete"): _roles(NONE, admin=ALL, director=ALL, team_lead=SCOPE),
})
if "gift" not in t_matrix.RECORD_KINDS:
    t_matrix.RECORD_KINDS = t_matrix.RECORD_KINDS + ("gift",)


def today(days=0):
    d = datetime.datetime.fromtimestamp(time.time() + 8 * 3600, datetime.timezone.utc).date()
    return (d + datetime.timedelta(days=days)).isoformat()


RULES = [  # key, body: one (kind, recipient role) each, so the suite's gifts know their rule
    ("champ_gift", {"name": "礼品 ≤ ¥500", "kind": "gift", "recipient_role": "champion", "max_value": 50000,
                    "currency": "CNY", "approver_role": "team_lead"}),
    ("champ_meal", {"name": "宴请 ≤ ¥2,000", "kind": "hospitality", "recipient_role": "champion",
                    "max_value": 200000, "currency": "CNY", "approver_role": "director"}),
    ("gate_gift", {"name": "把关人不收礼", "kind": "gift", "recipient_role": "gatekeeper", "max_value": 0,
                   "currency": "CNY", "forbidden": True}),
    ("infl_meal", {"name": "影响者宴请 ≤ ¥1", "kind": "hospitality", "recipient_role": "influencer",
                   "max_value": 100, "currency": "CNY", "approver_role": "finance"}),
]


def rules(ctx):
    if getattr(ctx, "gift_rules", None):
        return ctx.gift_rules
    out = {}
    have = ctx.admin.get("/api/v1/gift-rules").json["items"]
    for key, body in RULES:
        same = [r for r in have if r["kind"] == body["kind"] and r["recipient_role"] == body["recipient_role"]
                and r["active"]]
        if same:  # a database used before: the oldest such rule applies (same definition)
            out[key] = same[0]["id"]
        else:
            out[key] = ctx.must(ctx.admin.post("/api/v1/gift-rules", body), 201, "gift rule " + key)["id"]
    ctx.gift_rules = out
    return out


def new_gift(ctx, account_id, client=None, **fields):
    body = {"account_id": account_id, "kind": "gift", "description": "礼品 " + ctx.uniq(), "value": 100,
            "currency": "CNY", "given_on": today()}
    body.update(fields)
    return ctx.must((client or ctx.admin).post("/api/v1/gifts", body), 201, "create gift")


def gift_state(ctx, gid=None):
    st = {"n": sql(ctx, "SELECT COUNT(*) FROM gifts")[0][0],
          "risks": sql(ctx, "SELECT COUNT(*) FROM risks")[0][0],
          "budgets": sql(ctx, "SELECT COUNT(*) FROM gift_budgets")[0][0],
          "audit": sql(ctx, "SELECT COUNT(*) FROM audit WHERE entity IN ('gift', 'gift_rule', 'gift_budget')")[0][0]}
    if gid:
        st["row"] = sql(ctx, "SELECT status, version, description FROM gifts WHERE id = %d" % gid)
    return st


def g_gifts(ctx):
    ck = ctx.ck
    R = rules(ctx)
    am = ctx.U("am_e")
    lead = ctx.U("lead_e").client
    d = ctx.U("dir").client
    fin = ctx.U("fin").client
    acct = ctx.new_account("am_e", code=ctx.uniq("GF"), name="礼品客户 " + ctx.tag)
    champ = ctx.new_contact(acct, name="支持者", decision_role="champion")
    gate = ctx.new_contact(acct, name="把关人", decision_role="gatekeeper")
    other_c = ctx.ids["C_other"]

    # at the rule's maximum: recorded, with its rule
    g = new_gift(ctx, acct, am.client, contact_id=champ, value=50000)
    ck.ok(g["status"] == "recorded" and g["rule_id"] == R["champ_gift"] and g["given_by"] == am.id and
          g["risk_id"] is None and g["value_base"] == 50000, "at the maximum -> recorded by its rule", repr(g))
    # kind matters: hospitality of 2,000.00 to the champion is within its own rule
    g2 = new_gift(ctx, acct, am.client, contact_id=champ, kind="hospitality", value=200000)
    ck.ok(g2["status"] == "recorded" and g2["rule_id"] == R["champ_meal"], "hospitality rule", repr(g2))

    # one more, planned: pending for the team lead; the giver may not decide, nor another role
    before_n = int(sql(ctx, "SELECT COUNT(*) FROM notifications WHERE msg_key = 'gift.pending_for_you' AND user_id = "
                            "%d" % ctx.U("lead_e").id)[0][0])
    p = new_gift(ctx, acct, am.client, contact_id=champ, value=50001, given_on=today(5), description="待批礼品")
    ck.ok(p["status"] == "pending" and p["approver_role"] == "team_lead" and p["risk_id"] is None,
          "max + 1, planned -> pending", repr(p))
    after_n = int(sql(ctx, "SELECT COUNT(*) FROM notifications WHERE msg_key = 'gift.pending_for_you' AND user_id = "
                           "%d" % ctx.U("lead_e").id)[0][0])
    ck.ok(after_n == before_n + 1, "the team lead is told", repr((before_n, after_n)))
    mine = lead.get("/api/v1/gifts", {"pending_for_me": "1", "account_id": str(acct)})
    ck.ok(mine.status == 200 and [x["id"] for x in mine.json["items"]] == [p["id"]], "waiting for the team lead",
          mine.describe())
    mine = am.client.get("/api/v1/gifts", {"pending_for_me": "1", "account_id": str(acct)})
    ck.ok(mine.status == 200 and mine.json["items"] == [], "not waiting for the giver", mine.describe())
    mine = fin.get("/api/v1/gifts", {"pending_for_me": "1", "account_id": str(acct)})
    ck.ok(mine.status == 200 and mine.json["items"] == [], "not waiting for finance", mine.describe())
    before = gift_state(ctx, p["id"])
    r = am.client.post("/api/v1/gifts/%d/decide" % p["id"], {"decision": "approve"})
    ck.expect(r, 403, "the giver cannot approve their own gift", code="forbidden")
    ck.ok(r.status == 403 and r.json["error"].get("key") == "gift.own_gift", "key gift.own_gift", r.describe())
    r = fin.post("/api/v1/gifts/%d/decide" % p["id"], {"decision": "approve"})
    ck.expect(r, 403, "finance is not this rule's approver", code="forbidden")
    ck.expect(lead.post("/api/v1/gifts/%d/decide" % p["id"], {"decision": "maybe"}), 400, "bad decision",
              field="decision")
    ck.ok(gift_state(ctx, p["id"]) == before, "refused decisions wrote nothing")
    r = lead.post("/api/v1/gifts/%d/decide" % p["id"], {"decision": "approve", "note": "同意"})
    ck.expect(r, 200, "the team lead approves", json={"status": "approved", "decided_by": ctx.U("lead_e").id,
                                                      "decision_note": "同意"})
    ck.expect(lead.post("/api/v1/gifts/%d/decide" % p["id"], {"decision": "reject"}), 409, "decided twice",
              field="status")
    ck.expect(am.client.patch("/api/v1/gifts/%d" % p["id"], {"description": "改"}), 409, "an approved gift is kept",
              field="status")

    # one more, already given: a breach with its compliance risk
    b = new_gift(ctx, acct, am.client, contact_id=champ, value=50001, given_on=today(-1), description="先送后批")
    ck.ok(b["status"] == "breach" and b["risk_id"], "max + 1 already given -> breach", repr(b))
    if b["risk_id"]:
        # owned by the manager of the account owner's team, never by the giver; a neutral title and
        # text: the gift's description, value and day stay behind the gift's own policy
        r = ctx.admin.get("/api/v1/risks/%d" % b["risk_id"])
        ck.expect(r, 200, "the compliance risk",
                  json={"category": "compliance", "source": "gift", "source_id": b["id"], "account_id": acct,
                        "owner_id": ctx.U("lead_e").id, "status": "open", "title": "礼品/招待违规"})
        ck.ok(r.status == 200 and "先送后批" not in r.json["description"] and "500.01" not in r.json["description"]
              and today(-1) not in r.json["description"] and ("#%d" % b["id"]) in r.json["description"],
              "the risk names the gift by id only", r.describe())
        r = ctx.U("viewer_e").client.get("/api/v1/risks/%d" % b["risk_id"])
        ck.ok(r.status != 200 or "先送后批" not in repr(r.json), "a viewer does not read the gift through its risk",
              r.describe())
        before = gift_state(ctx, b["id"])
        r = am.client.post("/api/v1/risks/%d/close" % b["risk_id"], {"reason": "没事"})
        ck.expect(r, 403, "the giver cannot close the risk raised against them", code="forbidden")
        ck.ok(r.status == 403 and r.json["error"].get("key") == "risk.own_gift", "key risk.own_gift", r.describe())
        ck.expect(am.client.patch("/api/v1/risks/%d" % b["risk_id"], {"owner_id": am.id}), 400,
                  "nor take it over", field="owner_id")
        row = [str(v) for v in sql(ctx, "SELECT status, owner_id FROM risks WHERE id = %d" % b["risk_id"])[0]]
        ck.ok(gift_state(ctx, b["id"]) == before and row == ["open", str(ctx.U("lead_e").id)],
              "refused close and take-over wrote nothing", repr(row))
        ck.expect(ctx.admin.delete("/api/v1/risks/%d" % b["risk_id"]), 409, "a gift's risk cannot be deleted",
                  field="id")

    # recorded by the team lead (the account team's manager) for the account manager: neither owns its risk
    lb = new_gift(ctx, acct, lead, contact_id=champ, value=50001, given_on=today(-1), given_by=am.id,
                  description="组长代记违规 " + ctx.uniq())
    ck.ok(lb["status"] == "breach" and lb["risk_id"], "recorded by the lead, already given -> breach", repr(lb))
    if lb["risk_id"]:
        own = sql(ctx, "SELECT r.owner_id, u.role FROM risks r JOIN users u ON u.id = r.owner_id WHERE r.id = %d"
                  % lb["risk_id"])
        ck.ok(len(own) == 1 and str(own[0][0]) not in (str(am.id), str(ctx.U("lead_e").id)) and
              own[0][1] in ("director", "admin"), "the risk's owner is neither giver nor recorder", repr(own))
        ck.expect(lead.post("/api/v1/risks/%d/close" % lb["risk_id"], {"reason": "x"}), 403,
                  "the recorder cannot close it either", code="forbidden")

    # the approver may not decide a gift they recorded themselves, whoever they name as giver
    for giver in (am.id, None):
        q = new_gift(ctx, acct, lead, contact_id=champ, value=50001, given_on=today(6), given_by=giver,
                     description="组长代记 " + ctx.uniq())
        ck.ok(q["status"] == "pending" and q["created_by"] == ctx.U("lead_e").id and q["given_by"] == giver,
              "recorded by the team lead for %r -> pending" % giver, repr(q))
        mine = lead.get("/api/v1/gifts", {"pending_for_me": "1", "account_id": str(acct)})
        ck.ok(mine.status == 200 and q["id"] not in [x["id"] for x in mine.json["items"]],
              "not waiting for its recorder", mine.describe())
        before = gift_state(ctx, q["id"])
        r = lead.post("/api/v1/gifts/%d/decide" % q["id"], {"decision": "approve"})
        ck.expect(r, 403, "the recorder cannot approve (giver %r)" % giver, code="forbidden")
        ck.ok(r.status == 403 and r.json["error"].get("key") == "gift.own_record", "key gift.own_record",
              r.describe())
        ck.ok(gift_state(ctx, q["id"]) == before, "the refused decision wrote nothing")
        ck.expect(d.post("/api/v1/gifts/%d/decide" % q["id"], {"decision": "approve"}), 200,
                  "a director approves it", json={"status": "approved"})
    # forbidden: whatever the value
    f = new_gift(ctx, acct, am.client, contact_id=gate, value=1, given_on=today(3))
    ck.ok(f["status"] == "breach" and f["rule_id"] == R["gate_gift"] and f["risk_id"], "forbidden -> breach",
          repr(f))
    # a director decides a director rule; rejecting one already given is a breach
    h = new_gift(ctx, acct, am.client, contact_id=champ, kind="hospitality", value=200001, given_on=today(2))
    ck.ok(h["status"] == "pending" and h["approver_role"] == "director", "hospitality over -> pending", repr(h))
    ck.expect(lead.post("/api/v1/gifts/%d/decide" % h["id"], {"decision": "approve"}), 403,
              "a team lead cannot decide a director's rule")
    ck.expect(d.post("/api/v1/gifts/%d/decide" % h["id"], {"decision": "reject"}), 200, "the director rejects",
              json={"status": "rejected", "risk_id": None})
    # the day of a pending gift comes undecided: a decision is 409, the scheduler makes it a breach
    h2 = new_gift(ctx, acct, am.client, contact_id=champ, kind="hospitality", value=200001, given_on=today(1))
    sql(ctx, "UPDATE gifts SET given_on = '%s' WHERE id = %d" % (today(0), h2["id"]))  # the day came
    before = gift_state(ctx, h2["id"])
    for dec in ("approve", "reject"):
        r = d.post("/api/v1/gifts/%d/decide" % h2["id"], {"decision": dec})
        ck.expect(r, 409, "%s on the gift's day, undecided -> 409" % dec, field="status")
        ck.ok(r.status == 409 and r.json["error"].get("key") == "gift.lapsed", "key gift.lapsed", r.describe())
    ck.ok(gift_state(ctx, h2["id"]) == before, "the refused decisions wrote nothing")
    env = dict(os.environ)
    env.pop("KAM_NOW", None)
    rc, out, err = run_cli(ctx.kam, ["jobs", "run", "--db", ctx.dsn, "--now", iso(time.time())], env=env)
    ck.ok(rc == 0, "kam jobs run", err[-300:])
    r = am.client.get("/api/v1/gifts/%d" % h2["id"])
    ck.expect(r, 200, "the scheduler: an undecided gift on its day -> breach", json={"status": "breach"})
    ck.ok(r.status == 200 and r.json["risk_id"], "with its risk", r.describe())
    r = am.client.get("/api/v1/audit", {"entity": "gift", "id": str(h2["id"])})
    ck.ok(r.status == 200 and [i["action"] for i in r.json["items"]] == ["lapse", "create"], "the lapse is audited",
          r.describe())
    ck.expect(d.post("/api/v1/gifts/%d/decide" % h2["id"], {"decision": "approve"}), 409,
              "a decision after the breach -> 409", field="status")

    # refusals name the field and write nothing
    before = gift_state(ctx)
    good = {"account_id": acct, "kind": "gift", "description": "x", "value": 1, "currency": "CNY",
            "given_on": today()}
    for body, status, field in [
        (dict(good, kind="cash"), 400, "kind"),
        (dict(good, value=-1), 400, "value"),
        (dict(good, currency="QQQ"), 400, "currency"),
        (dict(good, given_on="2026-13-01"), 400, "given_on"),
        (dict(good, description=" "), 400, "description"),
        (dict(good, description="礼" * 501), 400, "description"),
        (dict(good, contact_id=other_c), 400, "contact_id"),
        (dict(good, visit_id=999999999), 400, "visit_id"),
        (dict(good, care_reminder_id=999999999), 400, "care_reminder_id"),
        (dict(good, given_by=ctx.U("am_w").id), 400, "given_by"),
        ({k: v for k, v in good.items() if k != "given_on"}, 400, "given_on"),
        (dict(good, account_id=ctx.ids["A_other"]), 400, "account_id"),
    ]:
        ck.expect(am.client.post("/api/v1/gifts", body), status, "POST gift refused -> %s" % field, field=field)
    ck.ok(gift_state(ctx) == before, "refused gifts wrote nothing")

    # PATCH re-evaluates; DELETE only recorded and pending, by the team lead (not the account manager)
    x = new_gift(ctx, acct, am.client, contact_id=champ, value=100, given_on=today(4))
    r = am.client.patch("/api/v1/gifts/%d" % x["id"], {"value": 60000})
    ck.expect(r, 200, "PATCH over the rule (planned) -> pending", json={"status": "pending", "version": 2})
    ck.expect(am.client.delete("/api/v1/gifts/%d" % x["id"]), 403, "an account manager may not delete")
    ck.expect(lead.delete("/api/v1/gifts/%d" % x["id"]), 204, "the team lead deletes a pending gift")
    ck.expect(lead.delete("/api/v1/gifts/%d" % b["id"]), 409, "a breach is kept", field="status")
    ck.expect(ctx.U("viewer_e").client.get("/api/v1/gifts"), 403, "a viewer sees no gifts")
    ck.expect(ctx.U("viewer_e").client.get("/api/v1/gifts/%d" % _gift(ctx, "own")), 403,
              "nor one gift of an account they read")
    ck.expect(ctx.U("am_w").client.get("/api/v1/gifts/%d" % g["id"]), 404, "out of scope -> 404")
    r = am.client.get("/api/v1/audit", {"entity": "gift", "id": str(p["id"])})
    ck.ok(r.status == 200 and [i["action"] for i in r.json["items"]] == ["approve", "create"], "gift history",
          r.describe())
    ck.expect(ctx.U("viewer_e").client.get("/api/v1/audit", {"entity": "gift", "id": str(p["id"])}), 403,
              "a viewer reads no gift history")
    # a contact who received a gift can still be deleted (personal data): the gift stays, without them
    gone = ctx.new_contact(acct, name="受礼人 " + ctx.uniq())
    kept = new_gift(ctx, acct, am.client, contact_id=gone, value=100)
    ck.expect(am.client.delete("/api/v1/contacts/%d" % gone), 204, "delete a contact who received a gift")
    r = am.client.get("/api/v1/gifts/%d" % kept["id"])
    ck.ok(r.status == 200 and r.json.get("contact_id") is None and r.json.get("value") == 100,
          "the gift is kept without the contact", r.describe())


def g_gift_budget(ctx):
    ck = ctx.ck
    rules(ctx)
    am = ctx.U("am_e").client
    d = ctx.U("dir").client
    acct = ctx.new_account("am_e", code=ctx.uniq("GB"), name="礼品预算 " + ctx.tag)
    champ = ctx.new_contact(acct, name="预算支持者", decision_role="champion")
    year = today()[:4]
    ck.expect(am.get("/api/v1/accounts/%d/gift-budget" % acct), 200, "no budget yet",
              json={"amount": None, "remaining_base": None, "used_base": 0, "gifts": 0, "year": int(year)})
    before = gift_state(ctx)
    ck.expect(am.put("/api/v1/accounts/%d/gift-budgets/%s" % (acct, year), {"amount": 30000, "currency": "CNY"}),
              403, "an account manager may not set budgets")
    ck.expect(d.put("/api/v1/accounts/%d/gift-budgets/%s" % (acct, year), {"amount": -1, "currency": "CNY"}), 400,
              "negative budget", field="amount")
    ck.expect(d.put("/api/v1/accounts/%d/gift-budgets/%s" % (acct, year), {"amount": 1}), 400, "no currency",
              field="currency")
    ck.ok(gift_state(ctx) == before, "refused budgets wrote nothing")
    ck.expect(d.put("/api/v1/accounts/%d/gift-budgets/%s" % (acct, year), {"amount": 30000, "currency": "CNY"}), 200,
              "director sets the budget", json={"amount": 30000, "amount_base": 30000, "remaining_base": 30000})
    g1 = new_gift(ctx, acct, am, contact_id=champ, value=20000, given_on=year + "-01-15")
    g2 = new_gift(ctx, acct, am, contact_id=champ, value=10000)
    ck.ok(g1["status"] == "recorded" and g2["status"] == "recorded", "the budget exactly used up is within",
          repr((g1["status"], g2["status"])))
    g3 = new_gift(ctx, acct, am, contact_id=champ, value=1)
    ck.ok(g3["status"] == "breach" and g3["risk_id"], "one more -> breach with its risk", repr(g3))
    ck.expect(am.get("/api/v1/accounts/%d/gift-budget" % acct, {"year": year}), 200, "the year's budget",
              json={"amount": 30000, "used_base": 30001, "remaining_base": -1, "gifts": 3})
    ck.expect(am.get("/api/v1/accounts/%d/gift-budget" % acct, {"year": str(int(year) - 1)}), 200,
              "last year: nothing", json={"amount": None, "used_base": 0, "gifts": 0})
    ck.expect(am.get("/api/v1/accounts/%d/gift-budget" % acct, {"year": "12"}), 400, "bad year", field="year")
    r = am.get("/api/v1/gifts", {"account_id": str(acct), "year": year, "status": "breach"})
    ck.ok(r.status == 200 and [x["id"] for x in r.json["items"]] == [g3["id"]], "list by year and status",
          r.describe())


def g_gift_rules(ctx):
    ck = ctx.ck
    a = ctx.admin
    d = ctx.U("dir").client
    am = ctx.U("am_e").client
    body = {"name": "规则 " + ctx.tag, "kind": "any", "recipient_role": "user", "max_value": 100, "currency": "CNY",
            "active": False}
    before = gift_state(ctx)
    for b, field in [(dict(body, kind="cash"), "kind"), (dict(body, recipient_role="boss"), "recipient_role"),
                     (dict(body, approver_role="hr"), "approver_role"), (dict(body, max_value=-1), "max_value"),
                     (dict(body, name=""), "name"), ({k: v for k, v in body.items() if k != "currency"}, "currency")]:
        ck.expect(d.post("/api/v1/gift-rules", b), 400, "rule refused: %s" % field, field=field)
    ck.expect(am.post("/api/v1/gift-rules", body), 403, "an account manager may not add rules")
    ck.ok(gift_state(ctx) == before, "refused rules wrote nothing")
    r = ctx.must(d.post("/api/v1/gift-rules", body), 201, "rule")
    ck.ok(r["approver_role"] == "director" and r["forbidden"] is False, "defaults", repr(r))
    ck.expect(d.patch("/api/v1/gift-rules/%d" % r["id"], {"max_value": 200, "version": 1}), 200, "PATCH rule",
              json={"max_value": 200, "version": 2})
    ck.expect(d.patch("/api/v1/gift-rules/%d" % r["id"], {"max_value": 300, "version": 1}), 409, "stale",
              field="version")
    ck.expect(d.delete("/api/v1/gift-rules/%d" % r["id"]), 204, "delete an unused rule")
    R = rules(ctx)
    new_gift(ctx, ctx.ids["A_own"], contact_id=ctx.new_contact(ctx.ids["A_own"], decision_role="champion"))
    r = a.delete("/api/v1/gift-rules/%d" % R["champ_gift"])
    ck.expect(r, 409, "a rule gifts were judged by cannot be deleted", field="id")


GROUPS = [
    ("gifts", g_gifts, True),
    ("gift_budget", g_gift_budget, True),
    ("gift_rules", g_gift_rules, True),
]


# ---- permission matrix builders (t_matrix.py): every route of api/risk/gifts.c

def _acc(ctx, rec_):
    return ctx.ids["A_other" if rec_ == "other" else "A_own"]


def _gift(ctx, rec_):
    key = "GF_matrix_%s" % rec_
    if key not in ctx.ids:
        ctx.ids[key] = new_gift(ctx, _acc(ctx, rec_), description="矩阵礼品")["id"]
    return ctx.ids[key]


def _contact(ctx, rec_, role):
    key = "GFC_%s_%s" % (rec_, role)
    if key not in ctx.ids:
        ctx.ids[key] = ctx.new_contact(_acc(ctx, rec_), name="矩阵" + role, decision_role=role)
    return ctx.ids[key]


def _rule(ctx):
    return ctx.must(ctx.admin.post("/api/v1/gift-rules", {"name": "矩阵规则", "kind": "gift",
                                                          "recipient_role": "decision_maker", "max_value": 1,
                                                          "currency": "CNY", "active": False}), 201, "rule")["id"]


@route("GET", "/api/v1/gifts", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/gifts", query={"limit": "5"})


@route("GET", "/api/v1/gifts/export", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/gifts/export", query={"format": "csv"})


@route("POST", "/api/v1/gifts", "none")
def _(ctx, u, rec_):
    return Attempt("POST", "/api/v1/gifts", {"account_id": _acc(ctx, "own"), "kind": "gift", "description": "矩阵",
                                             "value": 1, "currency": "CNY", "given_on": today()},
                   ok=201, state=lambda: gift_state(ctx))


@route("GET", "/api/v1/gifts/{id}", "gift")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/gifts/%d" % _gift(ctx, rec_))


@route("PATCH", "/api/v1/gifts/{id}", "gift")
def _(ctx, u, rec_):
    gid = _gift(ctx, rec_)
    return Attempt("PATCH", "/api/v1/gifts/%d" % gid, {"description": "矩阵 " + ctx.uniq()},
                   state=lambda: gift_state(ctx, gid))


@route("DELETE", "/api/v1/gifts/{id}", "gift")
def _(ctx, u, rec_):
    gid = new_gift(ctx, _acc(ctx, rec_), description="矩阵删除")["id"]
    return Attempt("DELETE", "/api/v1/gifts/%d" % gid, ok=204, state=lambda: gift_state(ctx, gid))


@route("POST", "/api/v1/gifts/{id}/decide", "gift")
def _(ctx, u, rec_):
    rules(ctx)
    giver = ctx.U("am_e" if rec_ != "other" else "am_w").id
    if u.role == "finance":  # a rule whose approver is finance
        g = new_gift(ctx, _acc(ctx, rec_), kind="hospitality", contact_id=_contact(ctx, rec_, "influencer"),
                     value=101, given_on=today(5), given_by=giver)
    else:  # a team lead's rule
        g = new_gift(ctx, _acc(ctx, rec_), contact_id=_contact(ctx, rec_, "champion"), value=50001,
                     given_on=today(5), given_by=giver)
    # the policy table lets them decide; the gift's rule does not (not its approver, or the giver)
    ok = 403 if u.role in ("admin", "account_manager") else 200
    return Attempt("POST", "/api/v1/gifts/%d/decide" % g["id"], {"decision": "approve"}, ok=ok,
                   state=lambda: gift_state(ctx, g["id"]))


@route("GET", "/api/v1/gift-rules", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/gift-rules")


@route("POST", "/api/v1/gift-rules", "none")
def _(ctx, u, rec_):
    return Attempt("POST", "/api/v1/gift-rules", {"name": "矩阵 " + ctx.uniq(), "kind": "gift",
                                                  "recipient_role": "decision_maker", "max_value": 1,
                                                  "currency": "CNY", "active": False},
                   ok=201, state=lambda: gift_state(ctx))


@route("PATCH", "/api/v1/gift-rules/{id}", "none")
def _(ctx, u, rec_):
    rid = _rule(ctx)
    return Attempt("PATCH", "/api/v1/gift-rules/%d" % rid, {"name": "矩阵 " + ctx.uniq()},
                   state=lambda: gift_state(ctx))


@route("DELETE", "/api/v1/gift-rules/{id}", "none")
def _(ctx, u, rec_):
    rid = _rule(ctx)
    return Attempt("DELETE", "/api/v1/gift-rules/%d" % rid, ok=204, state=lambda: gift_state(ctx))


@route("GET", "/api/v1/accounts/{id}/gift-budget", "account")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/accounts/%d/gift-budget" % _acc(ctx, rec_))


@route("PUT", "/api/v1/accounts/{id}/gift-budgets/{year}", "account")
def _(ctx, u, rec_):
    return Attempt("PUT", "/api/v1/accounts/%d/gift-budgets/2031" % _acc(ctx, rec_),
                   {"amount": 100000 + ctx._n, "currency": "CNY"}, state=lambda: gift_state(ctx))
