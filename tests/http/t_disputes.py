"""Disputes (issue 17 item 4, src/api/contracts/disputes.c): a dispute reported by an account
manager goes to their reporting line (the team manager; a team lead's own manager above; nobody
for a user without a team) and belongs to the account's owner; limitation_on = arose_on + 3 years
(29 Feb -> 28 Feb); validation naming the field with nothing written; the ladder negotiation ->
mediation -> arbitration -> litigation -> closed with every forbidden move a 409 naming stage
with its own message key and the tables unchanged (snapshot of disputes, dispute_stages and the
audit log); stages ended when the next starts; stage edits, events, the timeline, lists with
filters and export, the board; the dossier as HTML (the sections) and .xlsx (a zip with the six
sheets) with the contract, the breach evidence and the hash-chain verification; account deletes
refused while a dispute is there; the permission matrix of every route (legal, finance,
director; the account team per the grants; hr and service none)."""

import datetime
import io
import zipfile

import policy as pol
import t_basic
import t_matrix
from policy import ALL, NONE, SCOPE, _roles
from t_matrix import route, Attempt
from t_answers import sql

# src/svc/core/policy.c: disputes are read and written org-wide by admin, director, finance and
# legal (deleted by admin, director and legal); a team lead reads, reports and moves the disputes
# of accounts in scope, an account manager reads and reports them only; service, hr and viewers
# nothing.
pol.EXPECTED.update({
    ("dispute", "read"): _roles(NONE, admin=ALL, director=ALL, finance=ALL, team_lead=SCOPE,
                                account_manager=SCOPE, legal=ALL),
    ("dispute", "create"): _roles(NONE, admin=ALL, director=ALL, finance=ALL, team_lead=SCOPE,
                                  account_manager=SCOPE, legal=ALL),
    ("dispute", "update"): _roles(NONE, admin=ALL, director=ALL, finance=ALL, team_lead=SCOPE, legal=ALL),
    ("dispute", "delete"): _roles(NONE, admin=ALL, director=ALL, legal=ALL),
})

if "dispute" not in t_matrix.RECORD_KINDS:
    t_matrix.RECORD_KINDS = t_matrix.RECORD_KINDS + ("dispute",)
if "dispute" not in t_basic.SCOPES:
    t_basic.SCOPES = t_basic.SCOPES + ("dispute",)


def today():
    return (datetime.datetime.utcnow() + datetime.timedelta(hours=8)).date()


def day(ago):
    return (today() - datetime.timedelta(days=ago)).isoformat()


def n_rows(ctx, q):
    return int(sql(ctx, q)[0][0])


def new_dispute(ctx, account, client=None, **fields):
    body = {"account_id": account, "title": "货款纠纷 " + ctx.uniq(), "counterpart": "对方法务部",
            "amount_claimed": 1250000, "currency": "CNY", "our_position": "已按约交付",
            "their_position": "质量不符", "arose_on": day(40)}
    body.update(fields)
    return ctx.must((client or ctx.admin).post("/api/v1/disputes", body), 201, "create dispute")["id"]


def state(ctx, did=None):
    st = {"n": n_rows(ctx, "SELECT COUNT(*) FROM disputes"),
          "stages": n_rows(ctx, "SELECT COUNT(*) FROM dispute_stages"),
          "events": n_rows(ctx, "SELECT COUNT(*) FROM dispute_events"),
          "audit": n_rows(ctx, "SELECT COUNT(*) FROM audit WHERE entity IN ('dispute', 'dispute_stage', "
                               "'dispute_event')")}
    if did:
        st["row"] = sql(ctx, "SELECT stage, outcome, outcome_note, settled_amount, closed_on, version, title, "
                             "limitation_on FROM disputes WHERE id = %d" % did)
        st["stage_rows"] = sql(ctx, "SELECT id, stage, started_on, ended_on, deadline_on, forum, cost, note FROM "
                                    "dispute_stages WHERE dispute_id = %d ORDER BY id" % did)
    return st


def sql_contract(ctx, account):
    """A contract and a breach with evidence, inserted as rows (the dispute only reads them)."""
    no = ctx.uniq("DHT-")
    cid = int(sql(ctx, "INSERT INTO contracts (account_id, number, title, kind, our_party, their_party, starts_on, "
                       "ends_on, currency, status, created_at, updated_at) VALUES (%d, '%s', '供货合同', "
                       "'supply', '我方公司', '对方公司', '2026-01-01', '2026-12-31', 'CNY', 'active', 1, 1) "
                       "RETURNING id" % (account, no))[0][0])
    ob = int(sql(ctx, "INSERT INTO contract_obligations (contract_id, side, kind, title, due_on, created_at, "
                      "updated_at) VALUES (%d, 'theirs', 'payment', '60 天内付款', '2026-03-31', 1, 1) RETURNING id"
                 % cid)[0][0])
    bid = int(sql(ctx, "INSERT INTO contract_breaches (contract_id, obligation_id, account_id, side, kind, "
                       "occurrence, severity, at_stake, currency, evidence, detected_at, last_seen_at, created_at, "
                       "updated_at) VALUES (%d, %d, %d, 'theirs', 'payment', 'INV-77', 'high', 880000, 'CNY', "
                       "'{\"invoices\":[{\"number\":\"INV-77\",\"days_late\":45}]}', 1, 1, 1, 1) RETURNING id"
                  % (cid, ob, account))[0][0])
    return cid, bid, no


def g_disputes(ctx):
    ck = ctx.ck
    a = ctx.admin
    am = ctx.U("am_e").client
    lead = ctx.U("lead_e").client
    legal = ctx.U("legal").client
    fin = ctx.U("fin").client
    own, other = ctx.ids["A_own"], ctx.ids["A_other"]

    # an account manager reports: reported_to their team's manager, owner the account's owner
    body = {"account_id": own, "title": "质量索赔 " + ctx.tag, "counterpart": "客户采购部", "amount_claimed": 500000,
            "currency": "CNY", "our_position": "批次合格", "their_position": "批次不合格", "arose_on": "2024-02-29"}
    r = am.post("/api/v1/disputes", body)
    if not ck.expect(r, 201, "an account manager reports a dispute",
                     json={"stage": "negotiation", "limitation_on": "2027-02-28", "arose_on": "2024-02-29",
                           "reported_by": ctx.U("am_e").id, "reported_to": ctx.U("lead_e").id,
                           "owner_id": ctx.U("am_e").id, "outcome": None, "version": 1,
                           "stages": [{"stage": "negotiation", "started_on": day(0), "ended_on": None}]}):
        return
    d1 = r.json["id"]
    ck.ok(n_rows(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'dispute' AND entity_id = %d AND action = 'create' "
                      "AND account_id = %d" % (d1, own)) == 1, "the report is audited with its account")
    # limitation arithmetic: a plain date + 3 years
    r = legal.post("/api/v1/disputes", dict(body, arose_on="2025-03-01", title="时效 " + ctx.uniq()))
    ck.expect(r, 201, "legal reports one (no team: nobody above)",
              json={"limitation_on": "2028-03-01", "reported_to": None, "reported_by": ctx.U("legal").id})
    # a team lead managing their own team: the manager above
    r = lead.post("/api/v1/disputes", dict(body, title="组长 " + ctx.uniq()))
    ck.expect(r, 201, "a team lead's report goes up the tree", json={"reported_to": ctx.U("lead0").id})
    # reported_to and owner_id named
    r = am.post("/api/v1/disputes", dict(body, title="指定 " + ctx.uniq(), reported_to=ctx.U("legal").id,
                                         owner_id=ctx.U("lead_e").id))
    ck.expect(r, 201, "reported_to and owner_id named", json={"reported_to": ctx.U("legal").id,
                                                               "owner_id": ctx.U("lead_e").id})

    before = state(ctx)
    bad = [
        ({k: v for k, v in body.items() if k != "title"}, 400, "title"),
        ({k: v for k, v in body.items() if k != "account_id"}, 400, "account_id"),
        ({k: v for k, v in body.items() if k != "currency"}, 400, "currency"),
        ({k: v for k, v in body.items() if k != "arose_on"}, 400, "arose_on"),
        (dict(body, title=" "), 400, "title"),
        (dict(body, title="题" * 201), 400, "title"),
        (dict(body, counterpart="c" * 201), 400, "counterpart"),
        (dict(body, our_position="p" * 4001), 400, "our_position"),
        (dict(body, amount_claimed=-1), 400, "amount_claimed"),
        (dict(body, currency="cny"), 400, "currency"),
        (dict(body, arose_on="2024-02-30"), 400, "arose_on"),
        (dict(body, arose_on=day(-1)), 400, "arose_on"),
        (dict(body, started_on="2024-01-01"), 400, "started_on"),
        (dict(body, reported_to=ctx.U("viewer_e").id), 400, "reported_to"),
        (dict(body, owner_id=ctx.U("service_e").id), 400, "owner_id"),
        (dict(body, owner_id=999999999), 400, "owner_id"),
        (dict(body, account_id=other), 400, "account_id"),
        (dict(body, account_id=999999999), 400, "account_id"),
        (dict(body, contract_id=999999999), 400, "contract_id"),
        (dict(body, version=3), 400, "version"),
        (dict(body, colour="red"), 400, "colour"),
    ]
    for b, status, field in bad:
        ck.expect(am.post("/api/v1/disputes", b), status, "POST dispute refused -> %d %s" % (status, field),
                  field=field)
    ck.ok(state(ctx) == before, "refused reports wrote nothing")
    ck.expect(ctx.U("service_e").client.post("/api/v1/disputes", body), 403, "service may not report disputes")
    ck.expect(ctx.U("hr").client.get("/api/v1/disputes"), 403, "hr reads no disputes")

    # the contract and the breach must be of the account; a breach names its contract
    cid, bid, cno = sql_contract(ctx, own)
    ocid, obid, _ = sql_contract(ctx, other)
    r = a.post("/api/v1/disputes", dict(body, title="违约 " + ctx.uniq(), breach_id=bid))
    ck.expect(r, 201, "a dispute about a breach takes its contract",
              json={"breach_id": bid, "contract_id": cid, "contract_number": cno})
    ck.expect(a.post("/api/v1/disputes", dict(body, contract_id=ocid)), 400, "another account's contract",
              field="contract_id")
    ck.expect(a.post("/api/v1/disputes", dict(body, breach_id=obid)), 400, "another account's breach",
              field="breach_id")
    ck.expect(a.post("/api/v1/disputes", dict(body, contract_id=cid, breach_id=obid)), 400,
              "a breach of another contract", field="breach_id")

    # reads: the account team and the org-wide roles; PATCH by those who may update
    ck.expect(am.get("/api/v1/disputes/%d" % d1), 200, "the reporter reads it", json={"id": d1})
    ck.expect(fin.get("/api/v1/disputes/%d" % d1), 200, "finance reads it")
    ck.expect(ctx.U("am_w").client.get("/api/v1/disputes/%d" % d1), 404, "another team's manager: 404")
    ck.expect(am.patch("/api/v1/disputes/%d" % d1, {"title": "x"}), 403, "an account manager may not edit it")
    r = lead.patch("/api/v1/disputes/%d" % d1, {"arose_on": "2024-03-01", "our_position": "补充证据", "version": 1})
    ck.expect(r, 200, "the team lead edits it; limitation recomputed",
              json={"limitation_on": "2027-03-01", "version": 2, "our_position": "补充证据"})
    ck.expect(lead.patch("/api/v1/disputes/%d" % d1, {"title": "旧版本", "version": 1}), 409, "a stale version",
              field="version")
    for f, v in (("account_id", other), ("contract_id", cid), ("started_on", day(0))):
        ck.expect(lead.patch("/api/v1/disputes/%d" % d1, {f: v}), 400, "PATCH %s refused" % f, field=f)
    audits = n_rows(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'dispute' AND entity_id = %d" % d1)
    ck.expect(lead.patch("/api/v1/disputes/%d" % d1, {"our_position": "补充证据"}), 200, "the same value again",
              json={"version": 2})
    ck.ok(n_rows(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'dispute' AND entity_id = %d" % d1) == audits,
          "an update that changes nothing writes no audit row")

    # an account with a dispute cannot be deleted
    acc = ctx.new_account("am_e", code=ctx.uniq("DSP"), name="争议客户 " + ctx.tag)
    new_dispute(ctx, acc)
    r = a.delete("/api/v1/accounts/%d" % acc)
    ck.expect(r, 409, "an account with a dispute is not deleted", field="id")
    ck.ok((r.err or {}).get("key") == "account.has_disputes", "its own key", repr(r.err))

    # DELETE: legal may; a linked lesson keeps it
    d_del = new_dispute(ctx, own)
    ck.expect(fin.delete("/api/v1/disputes/%d" % d_del), 403, "finance may not delete")
    ck.expect(legal.delete("/api/v1/disputes/%d" % d_del), 204, "legal deletes a dispute")
    ck.ok(n_rows(ctx, "SELECT COUNT(*) FROM dispute_stages WHERE dispute_id = %d" % d_del) == 0,
          "its stages went with it")
    ck.ok(n_rows(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'dispute' AND entity_id = %d AND action = "
                      "'delete'" % d_del) == 1, "the delete is audited")


FORBIDDEN = "every forbidden move refused with its key, nothing changed"


def g_ladder(ctx):
    ck = ctx.ck
    legal = ctx.U("legal").client
    own = ctx.ids["A_own"]
    d = new_dispute(ctx, own, arose_on=day(30), started_on=day(20))

    def refused(body, key, name, path="escalate"):
        before = state(ctx, d)
        r = legal.post("/api/v1/disputes/%d/%s" % (d, path), body)
        ck.expect(r, 409, name + " -> 409 naming stage", field="stage")
        ck.ok((r.err or {}).get("key") == key, name + ": key " + key, repr(r.err))
        ck.same(before, state(ctx, d), name + ": nothing changed")

    refused({"stage": "arbitration"}, "dispute.skip_stage", "negotiation -> arbitration (skips mediation)")
    refused({"stage": "litigation"}, "dispute.skip_stage", "negotiation -> litigation")
    refused({"stage": "negotiation"}, "dispute.same_stage", "negotiation -> negotiation")
    refused({"stage": "closed"}, "dispute.escalate_to_closed", "escalate to closed")
    refused({"outcome": "won"}, "dispute.outcome_needs_decision", "won at negotiation", "close")
    refused({"outcome": "lost"}, "dispute.outcome_needs_decision", "lost at negotiation", "close")
    before = state(ctx, d)
    for b, field in (({}, "stage"), ({"stage": "appeal"}, "stage"), ({"stage": "mediation", "started_on": day(-1)},
                                                                     "started_on"),
                     ({"stage": "mediation", "started_on": day(21)}, "started_on"),
                     ({"stage": "mediation", "deadline_on": "2026-13-01"}, "deadline_on"),
                     ({"stage": "mediation", "forum": "f" * 301}, "forum")):
        ck.expect(legal.post("/api/v1/disputes/%d/escalate" % d, b), 400, "escalate refused: %s" % field, field=field)
    ck.same(before, state(ctx, d), "refused escalations wrote nothing")
    ck.expect(ctx.U("am_e").client.post("/api/v1/disputes/%d/escalate" % d, {"stage": "mediation"}), 403,
              "an account manager may not escalate")

    r = legal.post("/api/v1/disputes/%d/escalate" % d, {"stage": "mediation", "started_on": day(10),
                                                        "deadline_on": day(-20), "deadline_note": "调解期限",
                                                        "forum": "人民调解委员会", "participants": "调解员 王某"})
    if not ck.expect(r, 200, "negotiation -> mediation",
                     json={"stage": "mediation", "version": 2, "stage_started_on": day(10), "deadline_on": day(-20),
                           "stages": [{"stage": "negotiation", "started_on": day(20), "ended_on": day(10)},
                                      {"stage": "mediation", "started_on": day(10), "ended_on": None,
                                       "forum": "人民调解委员会"}]}):
        return
    refused({"stage": "negotiation"}, "dispute.backwards", "mediation -> negotiation (back)")
    refused({"stage": "litigation"}, "dispute.skip_stage", "mediation -> litigation")
    refused({"outcome": "won"}, "dispute.outcome_needs_decision", "won at mediation", "close")
    ck.expect(legal.post("/api/v1/disputes/%d/escalate" % d, {"stage": "arbitration", "started_on": day(11)}), 400,
              "a stage does not start before the current one", field="started_on")
    ck.expect(legal.post("/api/v1/disputes/%d/escalate" % d, {"stage": "arbitration", "started_on": day(5),
                                                              "forum": "上海仲裁委员会"}), 200,
              "mediation -> arbitration", json={"stage": "arbitration"})
    refused({"stage": "mediation"}, "dispute.backwards", "arbitration -> mediation (back)")
    ck.expect(legal.post("/api/v1/disputes/%d/escalate" % d, {"stage": "litigation", "started_on": day(2)}), 200,
              "arbitration -> litigation", json={"stage": "litigation"})
    refused({"stage": "litigation"}, "dispute.same_stage", "litigation -> litigation")
    for b, field in (({"outcome": "won", "settled_amount": 5}, "settled_amount"),
                     ({}, "outcome"), ({"outcome": "draw"}, "outcome"),
                     ({"outcome": "won", "closed_on": day(3)}, "closed_on"),
                     ({"outcome": "won", "closed_on": day(-1)}, "closed_on"),
                     ({"outcome": "settled", "settled_amount": -5}, "settled_amount")):
        ck.expect(legal.post("/api/v1/disputes/%d/close" % d, b), 400, "close refused: %s" % field, field=field)
    r = legal.post("/api/v1/disputes/%d/close" % d, {"outcome": "won", "closed_on": day(1), "note": "一审胜诉"})
    ck.expect(r, 200, "won at litigation", json={"stage": "closed", "outcome": "won", "closed_on": day(1),
                                                 "outcome_note": "一审胜诉", "settled_amount": None,
                                                 "deadline_on": None, "stage_started_on": None})
    stages = r.json["stages"] if r.json else []
    ck.ok([s["ended_on"] for s in stages] == [day(10), day(5), day(2), day(1)],
          "each stage ended when the next started, the last when it closed", repr(stages))
    refused({"outcome": "settled"}, "dispute.already_closed", "closing twice", "close")
    refused({"stage": "mediation"}, "dispute.escalate_closed", "escalating a closed dispute")
    refused({"stage": "litigation"}, "dispute.escalate_closed", "a closed dispute does not go back to litigation")
    ck.ok(n_rows(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'dispute' AND entity_id = %d AND action = "
                      "'escalate'" % d) == 3, "three escalations audited")
    ck.ok(n_rows(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'dispute' AND entity_id = %d AND action = 'close'"
                 % d) == 1, "the close audited")

    # settled from negotiation with an amount; withdrawn from mediation
    d2 = new_dispute(ctx, own)
    ck.expect(legal.post("/api/v1/disputes/%d/close" % d2, {"outcome": "settled", "settled_amount": 300000}), 200,
              "settled at negotiation", json={"outcome": "settled", "settled_amount": 300000, "closed_on": day(0)})
    d3 = new_dispute(ctx, own)
    ck.expect(legal.post("/api/v1/disputes/%d/escalate" % d3, {"stage": "mediation"}), 200, "to mediation")
    ck.expect(ctx.U("fin").client.post("/api/v1/disputes/%d/close" % d3, {"outcome": "withdrawn"}), 200,
              "withdrawn at mediation (finance)", json={"outcome": "withdrawn"})


def g_dispute_records(ctx):
    ck = ctx.ck
    legal = ctx.U("legal").client
    lead = ctx.U("lead_e").client
    am = ctx.U("am_e").client
    own, other = ctx.ids["A_own"], ctx.ids["A_other"]
    cur = "X" + ctx.tag[:2].upper() if len(ctx.tag) >= 2 else "XQQ"
    cur = "".join(ch if "A" <= ch <= "Z" else "Q" for ch in cur)[:3].ljust(3, "Q")
    d = new_dispute(ctx, own, title="看板 " + ctx.tag, currency=cur, amount_claimed=700)
    d_other = new_dispute(ctx, other, title="看板他人 " + ctx.tag, currency=cur, amount_claimed=900)
    r = legal.post("/api/v1/disputes/%d/escalate" % d, {"stage": "mediation", "deadline_on": day(-7)})
    ck.expect(r, 200, "to mediation with a deadline")
    sid = r.json["stages"][1]["id"] if r.json else 0
    first_sid = r.json["stages"][0]["id"] if r.json else 0

    # stage edits
    r = legal.patch("/api/v1/disputes/%d/stages/%d" % (d, sid), {"cost": 120000, "forum": "律所", "note": "聘请律师",
                                                                 "deadline_on": day(-9)})
    ck.expect(r, 200, "a stage's cost, forum, note and deadline",
              json={"cost": 120000, "forum": "律所", "deadline_on": day(-9), "stage": "mediation"})
    ck.expect(legal.patch("/api/v1/disputes/%d/stages/%d" % (d, sid), {"deadline_on": None}), 200,
              "the deadline cleared", json={"deadline_on": None})
    ck.expect(legal.patch("/api/v1/disputes/%d/stages/%d" % (d, sid), {"deadline_on": day(-9)}), 200, "set again")
    before = state(ctx, d)
    for b, field in (({"cost": -1}, "cost"), ({"stage": "litigation"}, "stage"), ({"started_on": day(3)}, "started_on"),
                     ({"note": "n" * 2001}, "note"), ({"deadline_on": "x"}, "deadline_on")):
        ck.expect(legal.patch("/api/v1/disputes/%d/stages/%d" % (d, sid), b), 400, "stage PATCH refused: %s" % field,
                  field=field)
    ck.expect(legal.patch("/api/v1/disputes/%d/stages/%d" % (d_other, sid), {"cost": 1}), 404,
              "a stage of another dispute")
    ck.same(before, state(ctx, d), "refused stage edits wrote nothing")
    ck.ok(n_rows(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'dispute_stage' AND entity_id = %d AND action = "
                      "'update'" % sid) == 3, "stage edits audited")

    # events and the timeline
    r = lead.post("/api/v1/disputes/%d/events" % d, {"day": day(1), "kind": "offer", "text": "对方提出和解 30 万",
                                                     "amount": 30000000})
    ck.expect(r, 201, "an event", json={"kind": "offer", "amount": 30000000, "created_by": ctx.U("lead_e").id})
    ev = r.json["id"] if r.json else 0
    before = state(ctx, d)
    for b, field in (({"kind": "offer"}, "text"), ({"text": "x"}, "kind"), ({"kind": "party", "text": "x"}, "kind"),
                     ({"kind": "note", "text": " "}, "text"), ({"kind": "note", "text": "x", "day": "2026-02-30"},
                                                              "day")):
        ck.expect(lead.post("/api/v1/disputes/%d/events" % d, b), 400, "event refused: %s" % field, field=field)
    ck.expect(am.post("/api/v1/disputes/%d/events" % d, {"kind": "note", "text": "x"}), 403,
              "an account manager may not add events")
    ck.same(before, state(ctx, d), "refused events wrote nothing")
    r = am.get("/api/v1/disputes/%d/timeline" % d)
    if ck.expect(r, 200, "the timeline"):
        items = r.json["items"]
        kinds = [i["kind"] for i in items]
        ck.ok("stage_started" in kinds and "stage_ended" in kinds and "event" in kinds and "audit" in kinds,
              "stages, events and audit rows merged", repr(kinds))
        ck.ok([i["day"] for i in items] == sorted(i["day"] for i in items), "by day")
        evs = [i for i in items if i["kind"] == "event"]
        ck.ok(len(evs) == 1 and evs[0]["ref_id"] == ev and evs[0]["text"] == "对方提出和解 30 万", "the event on it")
        aud = [i for i in items if i["kind"] == "audit"]
        ck.ok(any(i["entity"] == "dispute" and i["action"] == "escalate" and i["changes"]["stage"] ==
                  ["negotiation", "mediation"] for i in aud), "the escalation's audit row with its change")
        ck.ok(any(i["entity"] == "dispute_stage" and i["ref_id"] for i in aud), "stage audit rows")
        ck.ok(any(i["kind"] == "stage_ended" and i["ref_id"] == first_sid for i in items), "the first stage ended")

    # lists
    r = legal.get("/api/v1/disputes", {"q": "看板", "limit": "1"})
    if ck.expect(r, 200, "list by q, one per page"):
        ck.ok(len(r.json["items"]) == 1 and r.json["next_cursor"], "a next page")
        r2 = legal.get("/api/v1/disputes", {"q": "看板", "limit": "1", "cursor": r.json["next_cursor"]})
        ck.ok(r2.status == 200 and len(r2.json["items"]) == 1 and r2.json["items"][0]["id"] != r.json["items"][0]["id"],
              "the second page", r2.describe())
    r = am.get("/api/v1/disputes", {"q": "看板"})
    ck.expect(r, 200, "an account manager's list: in scope only", json={"items": [{"id": d}]})
    ck.ok(r.json and len(r.json["items"]) == 1, "the other team's dispute not listed")
    ck.expect(legal.get("/api/v1/disputes", {"account_id": str(other), "stage": "negotiation", "q": "看板"}), 200,
              "filters", json={"items": [{"id": d_other}]})
    r = legal.get("/api/v1/disputes", {"open": "1", "stage": "closed"})
    ck.ok(r.status == 200 and r.json["items"] == [], "open and closed: nothing", r.describe())
    for q, field in (({"stage": "x"}, "stage"), ({"open": "2"}, "open"), ({"sort": "title"}, "sort"),
                     ({"limit": "0"}, "limit"), ({"colour": "1"}, "colour")):
        ck.expect(legal.get("/api/v1/disputes", q), 400, "list refused: %s" % field, field=field)
    r = legal.get("/api/v1/disputes", {"sort": "-limitation_on", "limit": "2"})
    ck.expect(r, 200, "sort by limitation_on")
    r = legal.get("/api/v1/disputes/export", {"format": "csv", "q": "看板", "columns": "id,title,stage,currency"})
    if ck.expect(r, 200, "export csv"):
        text = r.body.decode("utf-8-sig")
        ck.ok("看板 " + ctx.tag in text and "看板他人" in text, "both disputes in the file", text[:300])

    # the board: per stage, by currency, the next deadline
    r = am.get("/api/v1/disputes/board")
    if ck.expect(r, 200, "the board"):
        st = {s["stage"]: s for s in r.json["stages"]}
        ck.ok(list(st) == ["negotiation", "mediation", "arbitration", "litigation", "closed"], "five columns")
        med = [x for x in st["mediation"]["amounts"] if x["currency"] == cur]
        ck.ok(med == [{"currency": cur, "amount": 700}], "mediation: the own dispute's amount only", repr(med))
        neg = [x for x in st["negotiation"]["amounts"] if x["currency"] == cur]
        ck.ok(neg == [], "the other team's dispute is not counted for the account manager", repr(neg))
    r = legal.get("/api/v1/disputes/board")
    if ck.expect(r, 200, "legal's board"):
        st = {s["stage"]: s for s in r.json["stages"]}
        ck.ok([x for x in st["negotiation"]["amounts"] if x["currency"] == cur] == [{"currency": cur, "amount": 900}],
              "legal counts every account")
        ck.ok(st["mediation"]["next_deadline"] is not None and st["mediation"]["next_deadline"] <= day(-9),
              "the next mediation deadline", repr(st["mediation"]))


def g_dossier(ctx):
    ck = ctx.ck
    legal = ctx.U("legal").client
    own = ctx.ids["A_own"]
    cid, bid, cno = sql_contract(ctx, own)
    d = new_dispute(ctx, own, breach_id=bid, title="卷宗 <b>" + ctx.tag)
    ctx.must(legal.post("/api/v1/disputes/%d/escalate" % d, {"stage": "mediation", "forum": "调解中心"}), 200, "escalate")
    ctx.must(legal.post("/api/v1/disputes/%d/events" % d, {"kind": "hearing", "text": "第一次调解会"}), 201, "event")
    r = legal.get("/api/v1/disputes/%d/dossier.html" % d)
    if ck.expect(r, 200, "the dossier as HTML"):
        html = r.body.decode("utf-8")
        ck.ok((r.header("Content-Type") or "").startswith("text/html"), "text/html")
        for sec in ("dispute", "stages", "events", "contract", "breach", "audit"):
            ck.ok('<section id="%s">' % sec in html, "section %s" % sec)
        ck.ok("@page{size:A4" in html, "A4 print CSS")
        ck.ok(cno in html and "60 天内付款" in html, "the contract and its obligations")
        ck.ok("INV-77" in html and "days_late" in html, "the breach evidence")
        ck.ok("第一次调解会" in html and "调解中心" in html, "events and stages")
        ck.ok("完整 intact" in html, "the hash chain verified intact")
        ck.ok("卷宗 &lt;b&gt;" in html and "卷宗 <b>" not in html, "titles escaped")
        ck.ok("'none'" in (r.header("Content-Security-Policy") or ""), "no scripts")
    r = legal.get("/api/v1/disputes/%d/dossier.xlsx" % d)
    if ck.expect(r, 200, "the dossier as a workbook"):
        try:
            z = zipfile.ZipFile(io.BytesIO(r.body))
            wb = z.read("xl/workbook.xml").decode("utf-8")
            ok = all('name="%s"' % s in wb for s in ("Dispute", "Stages", "Events", "Contract", "Breach", "Audit"))
            ck.ok(ok, "six sheets", wb[:400])
            strings = z.read("xl/sharedStrings.xml").decode("utf-8")
            ck.ok("INV-77" in strings and cno in strings and "intact" in strings, "evidence, contract, chain")
        except Exception as e:  # noqa: BLE001 - a broken file is the failure
            ck.ok(False, "the workbook opens", repr(e))
    ck.expect(ctx.U("am_w").client.get("/api/v1/disputes/%d/dossier.html" % d), 404, "out of scope: 404")
    ck.expect(ctx.U("hr").client.get("/api/v1/disputes/%d/dossier.xlsx" % d), 404, "hr: 404")


# ---- the permission matrix of this file's routes

def _acc(ctx, rec_):
    return ctx.ids["A_other" if rec_ == "other" else "A_own"]


def _dispute(ctx, rec_):
    key = "DI_matrix_%s" % rec_
    if key not in ctx.ids:
        ctx.ids[key] = new_dispute(ctx, _acc(ctx, rec_))
    return ctx.ids[key]


@route("GET", "/api/v1/disputes", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/disputes", query={"limit": "5"})


@route("GET", "/api/v1/disputes/export", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/disputes/export", query={"format": "csv", "q": "nothing-" + ctx.tag})


@route("GET", "/api/v1/disputes/board", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/disputes/board")


@route("POST", "/api/v1/disputes", "none")
def _(ctx, u, rec_):
    # the account in the body: A_own, in every scoped role's scope
    return Attempt("POST", "/api/v1/disputes", {"account_id": ctx.ids["A_own"], "title": "矩阵 " + ctx.uniq(),
                                                "currency": "CNY", "arose_on": day(3)}, ok=201,
                   state=lambda: state(ctx))


@route("GET", "/api/v1/disputes/{id}", "dispute")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/disputes/%d" % _dispute(ctx, rec_))


@route("PATCH", "/api/v1/disputes/{id}", "dispute")
def _(ctx, u, rec_):
    d = _dispute(ctx, rec_)
    return Attempt("PATCH", "/api/v1/disputes/%d" % d, {"our_position": "matrix " + ctx.uniq()},
                   state=lambda: state(ctx, d))


@route("DELETE", "/api/v1/disputes/{id}", "dispute")
def _(ctx, u, rec_):
    d = new_dispute(ctx, _acc(ctx, rec_))
    return Attempt("DELETE", "/api/v1/disputes/%d" % d, ok=204, state=lambda: state(ctx, d))


@route("POST", "/api/v1/disputes/{id}/escalate", "dispute")
def _(ctx, u, rec_):
    d = new_dispute(ctx, _acc(ctx, rec_))
    return Attempt("POST", "/api/v1/disputes/%d/escalate" % d, {"stage": "mediation"}, state=lambda: state(ctx, d))


@route("POST", "/api/v1/disputes/{id}/close", "dispute")
def _(ctx, u, rec_):
    d = new_dispute(ctx, _acc(ctx, rec_))
    return Attempt("POST", "/api/v1/disputes/%d/close" % d, {"outcome": "withdrawn"}, state=lambda: state(ctx, d))


@route("PATCH", "/api/v1/disputes/{id}/stages/{sid}", "dispute")
def _(ctx, u, rec_):
    d = _dispute(ctx, rec_)
    sid = n_rows(ctx, "SELECT MIN(id) FROM dispute_stages WHERE dispute_id = %d" % d)
    return Attempt("PATCH", "/api/v1/disputes/%d/stages/%d" % (d, sid), {"note": "matrix " + ctx.uniq()},
                   state=lambda: state(ctx, d))


@route("POST", "/api/v1/disputes/{id}/events", "dispute")
def _(ctx, u, rec_):
    d = _dispute(ctx, rec_)
    return Attempt("POST", "/api/v1/disputes/%d/events" % d, {"kind": "note", "text": "matrix"}, ok=201,
                   state=lambda: state(ctx, d))


@route("GET", "/api/v1/disputes/{id}/timeline", "dispute")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/disputes/%d/timeline" % _dispute(ctx, rec_))


@route("GET", "/api/v1/disputes/{id}/dossier.html", "dispute")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/disputes/%d/dossier.html" % _dispute(ctx, rec_))


@route("GET", "/api/v1/disputes/{id}/dossier.xlsx", "dispute")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/disputes/%d/dossier.xlsx" % _dispute(ctx, rec_))


MY_PATHS = ("/api/v1/disputes",)


def run_matrix(ctx, prefixes, expect_n, label):
    """t_matrix.g_matrix's loop over the operations under prefixes only."""
    ck = ctx.ck
    r = ctx.admin.get("/api/v1/openapi.json")
    if not ck.ok(r.status == 200, "openapi.json for the matrix"):
        return
    n = 0
    for meth, path, op in sorted(t_basic.openapi_ops(r.json), key=lambda o: (o[1], o[0])):
        if not path.startswith(prefixes) or "/documents" in path:
            continue  # documents are documents.c's (the lead's)
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
                    deny = 403 if pol.may_read_record(role, rec == "own", obj, kind) else 404
                before = att.state() if (att.state and not allow) else None
                resp = u.client.request(att.method, att.path, att.body, query=att.query)
                name = "matrix %s %s %s [%s record]" % (role, meth, path, rec or "no")
                if allow:
                    ck.expect(resp, att.ok, "%s -> %s" % (name, att.ok))
                else:
                    ck.expect(resp, deny, "%s -> %d (denied)" % (name, deny))
                    if att.state:
                        ck.same(before, att.state(), name + ": nothing changed")
    ck.ok(n == expect_n, "%d operations of %s in the matrix" % (expect_n, label), "got %d" % n)


def g_matrix(ctx):
    run_matrix(ctx, MY_PATHS, 14, "disputes.c")


GROUPS = [
    ("disputes", g_disputes, True),
    ("dispute_ladder", g_ladder, True),
    ("dispute_records", g_dispute_records, True),
    ("dispute_dossier", g_dossier, True),
    ("disputes_matrix", g_matrix, True),
]
