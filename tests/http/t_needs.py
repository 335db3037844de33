"""Needs capture (issue 14, F3.1): needs per account, their workflow and what addressed them,
interviews with attendees on both sides, lists with filters (latent needs: by age), keyset
paging, count and export; permissions (the matrix builders for every route are below)."""

import time

from lib import ANY, is_id, is_time
import policy as pol
from policy import ALL, SCOPE, NONE, _roles
from t_matrix import route, Attempt, acc, con
from fixtures import ROLE_USER
from t_exports import web_labels

# ---- the suite's own policy rows for the new objects (decided in src/svc/core/policy.c):
# needs follow the account's record scope like issues: admin/director all; team_lead and
# account_manager read, create, change and delete in scope; service reads in scope and moves a
# need's status (need_status) but does not edit or delete it; finance reads all (needs are
# account business data, not personal data); viewer reads in scope; hr nothing. Interviews:
# the same, except that service only reads them.
NEED_READ = _roles(NONE, admin=ALL, director=ALL, finance=ALL, team_lead=SCOPE, account_manager=SCOPE,
                   service=SCOPE, viewer=SCOPE)
NEED_WRITE = _roles(NONE, admin=ALL, director=ALL, team_lead=SCOPE, account_manager=SCOPE)
NEED_STATUS = _roles(NONE, admin=ALL, director=ALL, team_lead=SCOPE, account_manager=SCOPE, service=SCOPE)
pol.EXPECTED.update({
    ("need", "read"): NEED_READ,
    ("need", "create"): NEED_WRITE,
    ("need", "update"): NEED_WRITE,
    ("need", "delete"): NEED_WRITE,
    ("need_status", "update"): NEED_STATUS,
    ("interview", "read"): NEED_READ,
    ("interview", "create"): NEED_WRITE,
    ("interview", "update"): NEED_WRITE,
    ("interview", "delete"): NEED_WRITE,
})

NEED_SHAPE = {"id": is_id, "account_id": is_id, "account_name": str, "category": str, "description": str,
              "pain_point": str, "expectation": str, "priority": str, "contact_id": ANY, "status": str,
              "addressed_by": ANY, "due_on": ANY, "interview_id": ANY, "visit_id": ANY, "source": str,
              "owner_id": ANY, "created_by": ANY, "status_at": is_time, "version": int, "created_at": is_time,
              "updated_at": is_time}


def new_need(ctx, account_id, client=None, **fields):
    body = {"description": fields.pop("description", "需求 " + ctx.uniq())}
    body.update(fields)
    return ctx.must((client or ctx.admin).post("/api/v1/accounts/%d/needs" % account_id, body), 201,
                    "create need")["id"]


def new_interview(ctx, account_id, **fields):
    body = {"held_on": fields.pop("held_on", "2026-03-02")}
    body.update(fields)
    return ctx.must(ctx.admin.post("/api/v1/accounts/%d/interviews" % account_id, body), 201,
                    "create interview")["id"]


def need_state(ctx, acc_id, nid=None):
    st = {"needs": ctx.ids_of("/api/v1/accounts/%d/needs" % acc_id),
          "audit": ctx.audit_ids("account", acc_id) if hasattr(ctx, "audit_ids") else None}
    if nid:
        r = ctx.admin.get("/api/v1/needs/%d" % nid)
        st["record"] = (r.status, r.json)
    return st


def interview_state(ctx, acc_id, iid=None):
    st = {"interviews": ctx.ids_of("/api/v1/accounts/%d/interviews" % acc_id),
          "needs": ctx.ids_of("/api/v1/accounts/%d/needs" % acc_id)}
    if iid:
        r = ctx.admin.get("/api/v1/interviews/%d" % iid)
        st["record"] = (r.status, r.json)
    return st


def audit_of(ctx, entity, eid):
    items = ctx.audit_items(entity, eid)
    return [(i.get("action"), i.get("changes") or i.get("diff")) for i in items] if isinstance(items, list) else items


def g_needs(ctx):
    ck = ctx.ck
    a = ctx.admin
    am = ctx.U("am_e")
    acc_id = ctx.new_account("am_e", members=[("service_e", "service")], code=ctx.uniq("ND"),
                             name="需求客户 " + ctx.tag)
    other = ctx.new_account("am_w", code=ctx.uniq("ND"), name="别家 " + ctx.tag)
    c1 = ctx.new_contact(acc_id, name="提需求的人")
    c_other = ctx.new_contact(other, name="别家的人")

    body = {"category": "delivery", "description": "希望交期缩短到 2 周\n目前 4 周", "pain_point": "库存积压",
            "expectation": "两周内到货", "priority": "high", "contact_id": c1, "due_on": "2026-06-30"}
    r = am.client.post("/api/v1/accounts/%d/needs" % acc_id, body)
    want = dict(NEED_SHAPE, account_id=acc_id, status="open", source="manual", owner_id=am.id, created_by=am.id,
                addressed_by=None, interview_id=None, visit_id=None, version=1, **body)
    if not ck.expect(r, 201, "POST need as the account manager -> 201 open, owner = account owner", json=want):
        return
    n = r.json
    nid = n["id"]
    ck.expect(a.get("/api/v1/needs/%d" % nid), 200, "GET need round-trips", json=dict(want, id=nid))
    rows = audit_of(ctx, "need", nid)
    ck.ok(isinstance(rows, list) and any(x[0] == "create" for x in rows), "need create is audited", repr(rows)[:300])

    # defaults and required fields
    r = a.post("/api/v1/accounts/%d/needs" % acc_id, {"description": "x"})
    ck.expect(r, 201, "POST need with only a description", json={"category": "other", "priority": "medium",
                                                                 "source": "manual", "due_on": None})
    # bad input: 4xx naming the field, nothing written
    before = need_state(ctx, acc_id)
    bad = [
        ({}, "description"),
        ({"description": ""}, "description"),
        ({"description": "x" * 2001}, "description"),
        ({"description": "x", "pain_point": "y" * 2001}, "pain_point"),
        ({"description": "x", "expectation": "y" * 2001}, "expectation"),
        ({"description": "x", "category": "food"}, "category"),
        ({"description": "x", "priority": "urgent"}, "priority"),
        ({"description": "x", "source": "rumour"}, "source"),
        ({"description": "x", "due_on": "2026-02-30"}, "due_on"),
        ({"description": "x", "contact_id": c_other}, "contact_id"),
        ({"description": "x", "contact_id": 99999999}, "contact_id"),
        ({"description": "x", "interview_id": 99999999}, "interview_id"),
        ({"description": "x", "owner_id": ctx.U("am_w").id}, "owner_id"),
        ({"description": "x", "owner_id": ctx.U("fin").id}, "owner_id"),
        ({"description": "x", "version": 3}, "version"),
        ({"description": "x", "bogus": 1}, "bogus"),
        ({"description": 5}, "description"),
    ]
    for b, field in bad:
        ck.expect(a.post("/api/v1/accounts/%d/needs" % acc_id, b), 400, "bad need %r -> 400 %s" % (
            list(b.keys()), field), field=field)
    ck.same(before, need_state(ctx, acc_id), "rejected needs changed nothing")

    # PATCH with versions
    r = am.client.patch("/api/v1/needs/%d" % nid, {"priority": "medium", "version": 1})
    ck.expect(r, 200, "PATCH need priority", json={"priority": "medium", "version": 2})
    r = am.client.patch("/api/v1/needs/%d" % nid, {"priority": "low", "version": 1})
    ck.expect(r, 409, "PATCH need with a stale version -> 409", field="version")
    r = am.client.patch("/api/v1/needs/%d" % nid, {"priority": "medium"})
    ck.expect(r, 200, "PATCH that changes nothing keeps the version", json={"version": 2})
    ck.expect(am.client.patch("/api/v1/needs/%d" % nid, {"source": "survey"}), 400, "source is fixed", field="source")
    ck.expect(am.client.patch("/api/v1/needs/%d" % nid, {"due_on": None}), 200, "due_on cleared",
              json={"due_on": None})

    # the workflow
    st = "/api/v1/needs/%d/status" % nid
    ck.expect(am.client.post(st, {"to": "closed"}), 400, "unknown status -> 400 to", field="to")
    ck.expect(am.client.post(st, {}), 400, "status without to -> 400", field="to")
    ck.expect(am.client.post(st, {"to": "addressed"}), 400, "addressed needs addressed_by",
              field="addressed_kind")
    ck.expect(am.client.post(st, {"to": "open"}), 409, "open -> open is no move", field="to")
    r = am.client.post(st, {"to": "open"})
    ck.ok((r.json or {}).get("error", {}).get("key") == "need.bad_transition", "bad move has its own key",
          r.describe())
    ck.expect(am.client.post(st, {"to": "addressing", "note": "报价准备中"}), 200, "open -> addressing",
              json={"status": "addressing", "addressed_by": None})
    iss = ctx.new_issue(acc_id, title="交期问题")
    iss_other = ctx.new_issue(other, title="别家问题")
    ck.expect(am.client.post(st, {"to": "addressed", "addressed_kind": "issue", "addressed_id": iss_other}), 400,
              "addressed by another account's issue -> 400", field="addressed_id")
    ck.expect(am.client.post(st, {"to": "addressed", "addressed_kind": "measure", "addressed_id": 99999999}),
              400, "addressed by a missing measure -> 400", field="addressed_id")
    ck.expect(am.client.post(st, {"to": "addressed", "addressed_kind": "contract", "addressed_id": 1}), 400,
              "addressed_kind outside offer|measure|issue -> 400", field="addressed_kind")
    ck.expect(am.client.post(st, {"to": "addressed", "addressed_kind": "issue"}), 400,
              "addressed_kind without addressed_id -> 400", field="addressed_id")
    ck.expect(am.client.post(st, {"to": "dropped", "addressed_kind": "issue", "addressed_id": iss}), 400,
              "only addressed names what addressed it", field="addressed_kind")
    r = am.client.post(st, {"to": "addressed", "addressed_kind": "issue", "addressed_id": iss})
    ck.expect(r, 200, "addressing -> addressed by an issue of the account",
              json={"status": "addressed", "addressed_by": {"kind": "issue", "id": iss}})
    ck.expect(am.client.post(st, {"to": "dropped"}), 409, "addressed -> dropped is not a move", field="to")
    ck.expect(am.client.post(st, {"to": "open", "version": 1}), 409, "stale version on a move -> 409",
              field="version")
    ck.expect(am.client.post(st, {"to": "open"}), 200, "reopened: addressed -> open clears addressed_by",
              json={"status": "open", "addressed_by": None})
    ck.expect(am.client.post(st, {"to": "addressed", "addressed_kind": "offer", "addressed_id": 12345}), 200,
              "open -> addressed by an offer id (offers arrive with issue 15)",
              json={"addressed_by": {"kind": "offer", "id": 12345}})
    ck.expect(am.client.post(st, {"to": "open"}), 200, "reopen again")
    ck.expect(am.client.post(st, {"to": "dropped"}), 200, "open -> dropped", json={"status": "dropped"})
    ck.expect(am.client.post(st, {"to": "open"}), 200, "dropped -> open")
    rows = audit_of(ctx, "need", nid)
    ck.ok(isinstance(rows, list) and any(x[0] == "comment" for x in rows) and
          sum(1 for x in rows if x[0] == "update") >= 8, "moves and their notes are audited", repr(rows)[:300])

    # service staff on the account team: read and move, not edit or delete
    sv = ctx.U("service_e").client
    ck.expect(sv.get("/api/v1/needs/%d" % nid), 200, "service reads a need of their account")
    before = need_state(ctx, acc_id, nid)
    ck.expect(sv.patch("/api/v1/needs/%d" % nid, {"priority": "high"}), 403, "service may not PATCH a need")
    ck.expect(sv.delete("/api/v1/needs/%d" % nid), 403, "service may not delete a need")
    ck.expect(sv.post("/api/v1/accounts/%d/needs" % acc_id, {"description": "x"}), 403,
              "service may not create a need")
    ck.same(before, need_state(ctx, acc_id, nid), "service's refused writes changed nothing")
    ck.expect(sv.post(st, {"to": "addressing"}), 200, "service moves a need of their account")
    # another account manager: hidden
    w = ctx.U("am_w").client
    ck.expect(w.get("/api/v1/needs/%d" % nid), 404, "another account manager does not see it")
    ck.expect(w.post(st, {"to": "open"}), 404, "nor move it")

    # owner: set to someone who may, not to someone who may not
    ck.expect(a.patch("/api/v1/needs/%d" % nid, {"owner_id": ctx.U("lead_e").id}), 200, "owner -> the team lead",
              json={"owner_id": ctx.U("lead_e").id})
    ck.expect(a.patch("/api/v1/needs/%d" % nid, {"owner_id": ctx.U("service_e").id}), 400,
              "service staff cannot own needs", field="owner_id")

    # delete
    d = new_need(ctx, acc_id)
    ck.expect(am.client.delete("/api/v1/needs/%d" % d), 204, "DELETE need")
    ck.expect(a.get("/api/v1/needs/%d" % d), 404, "deleted need is gone")
    rows = audit_of(ctx, "need", d)
    ck.ok(isinstance(rows, list) and any(x[0] == "delete" for x in rows), "need delete audited", repr(rows)[:300])

    # an account that is deleted takes its needs and interviews with it
    gone = ctx.new_account("am_e", code=ctx.uniq("NDX"), name="将删除 " + ctx.tag)
    gi = new_interview(ctx, gone)
    gn = new_need(ctx, gone, interview_id=gi)
    ck.expect(a.delete("/api/v1/accounts/%d" % gone), 204, "delete an account with needs and an interview")
    ck.expect(a.get("/api/v1/needs/%d" % gn), 404, "its need is gone")
    ck.expect(a.get("/api/v1/interviews/%d" % gi), 404, "its interview is gone")
    # a need from a visit (visits are cancelled, never deleted)
    vv = ctx.new_visit(acc_id, "am_e")
    vn = new_need(ctx, acc_id, visit_id=vv)
    ck.expect(a.get("/api/v1/needs/%d" % vn), 200, "a need from a visit", json={"visit_id": vv, "source": "visit"})
    # a deleted contact leaves the need, without the contact
    c2 = ctx.new_contact(acc_id, name="会离开的人")
    n2 = new_need(ctx, acc_id, contact_id=c2)
    ck.expect(a.delete("/api/v1/contacts/%d" % c2), 204, "delete the contact who voiced a need")
    ck.expect(a.get("/api/v1/needs/%d" % n2), 200, "the need stays, without its contact", json={"contact_id": None})


def g_needs_lists(ctx):
    ck = ctx.ck
    a = ctx.admin
    acc1 = ctx.new_account("am_f", code=ctx.uniq("NL"), name="需求列表一 " + ctx.tag)
    acc2 = ctx.new_account("am_f", code=ctx.uniq("NL"), name="需求列表二 " + ctx.tag)
    made = []
    cats = ("product", "service", "price", "delivery", "technical", "other")
    for i in range(12):
        made.append(new_need(ctx, acc1 if i % 2 == 0 else acc2, category=cats[i % 6],
                             priority=("low", "medium", "high")[i % 3],
                             due_on="2026-0%d-15" % (i % 9 + 1) if i % 4 else None,
                             description="列表需求 %d %s" % (i, ctx.tag)))
    # statuses: 0..2 addressing, 3 dropped
    for i in range(3):
        ctx.must(a.post("/api/v1/needs/%d/status" % made[i], {"to": "addressing"}), 200, "move")
    ctx.must(a.post("/api/v1/needs/%d/status" % made[3], {"to": "dropped"}), 200, "drop")
    base = {"owner_id": str(ctx.U("am_f").id)}

    def ids(q):
        items, _, err = a.list_all("/api/v1/needs", dict(base, **q))
        return None if err else [x["id"] for x in items]

    def count(q):
        r = a.get("/api/v1/needs/count", dict(base, **q))
        return r.json.get("total") if r.status == 200 else r.describe()

    allids = ids({})
    ck.ok(allids is not None and sorted(allids) == sorted(made), "owner filter: the 12 needs", repr(allids))
    ck.ok(allids == sorted(made, reverse=True), "default sort: newest first", repr(allids))
    for cat in cats:
        got = ids({"category": cat})
        want = [made[i] for i in range(12) if cats[i % 6] == cat]
        ck.ok(sorted(got or []) == sorted(want), "category=%s" % cat, "%r != %r" % (got, want))
        ck.ok(count({"category": cat}) == len(want), "count category=%s" % cat)
    ck.ok(sorted(ids({"status": "addressing"}) or []) == sorted(made[:3]), "status=addressing")
    ck.ok(sorted(ids({"open": "1"}) or []) == sorted(made[:3] + made[4:]), "open=1: open and addressing")
    ck.ok(sorted(ids({"priority": "high"}) or []) == sorted(made[i] for i in range(12) if i % 3 == 2),
          "priority=high")
    ck.ok(sorted(ids({"account_id": str(acc1)}) or []) == sorted(made[0::2]), "account_id")
    ck.ok(ctx.ids_of("/api/v1/accounts/%d/needs" % acc2) == sorted(made[1::2]), "the account's needs route")
    want_due = sorted(made[i] for i in range(12) if i % 4 and "2026-0%d-15" % (i % 9 + 1) < "2026-04-01")
    ck.ok(sorted(ids({"due_before": "2026-04-01"}) or []) == want_due, "due_before", repr(ids({"due_before": "2026-04-01"})))
    ck.ok(ids({"older_than_days": "30"}) == [], "latent: nothing older than 30 days yet")
    ck.ok(sorted(ids({"q": "列表需求 1 " + ctx.tag}) or []) == [made[1]], "q matches the description")
    # sorts and paging
    for sort in ("created_at", "-created_at", "status", "-status", "priority", "-priority", "due_on", "-due_on"):
        items, pages, err = a.list_all("/api/v1/needs", dict(base, sort=sort, limit="5"))
        got = [x["id"] for x in items] if not err else None
        ck.ok(got is not None and sorted(got) == sorted(made) and len(got) == 12,
              "sort=%s pages through all 12 once" % sort, repr(got))
        if got:
            key = sort.lstrip("-")
            rank = {"status": {"open": 0, "addressing": 1, "addressed": 2, "dropped": 3},
                    "priority": {"high": 0, "medium": 1, "low": 2}}
            vals = []
            for x in items:
                if key == "created_at":
                    vals.append((x["created_at"], x["id"]))
                elif key == "due_on":
                    vals.append((x["due_on"] or "9999-12-31", x["id"]))
                else:
                    vals.append((rank[key][x[key]], x["id"]))
            ck.ok(vals == sorted(vals, reverse=sort.startswith("-")), "sort=%s is ordered" % sort, repr(vals))
    for q, field in (({"category": "x"}, "category"), ({"status": "x"}, "status"), ({"priority": "x"}, "priority"),
                     ({"due_before": "2026-13-01"}, "due_before"), ({"older_than_days": "-1"}, "older_than_days"),
                     ({"older_than_days": "x"}, "older_than_days"), ({"open": "2"}, "open"),
                     ({"sort": "name"}, "sort"), ({"limit": "501"}, "limit"), ({"cursor": "zz"}, "cursor"),
                     ({"bogus": "1"}, "bogus")):
        ck.expect(a.get("/api/v1/needs", q), 400, "bad list parameter %r -> 400" % q, field=field)
    # the scope filter: an account manager sees only their accounts' needs
    r = ctx.U("am_w").client.get("/api/v1/needs", dict(base))
    ck.ok(r.status == 200 and r.json["items"] == [], "another account manager sees none of them", r.describe())
    r = ctx.U("am_w").client.get("/api/v1/needs/count", dict(base))
    ck.ok(r.status == 200 and r.json["total"] == 0, "and counts none", r.describe())
    ck.expect(ctx.U("hr").client.get("/api/v1/needs"), 403, "hr reads no needs")
    # export
    r = a.get("/api/v1/needs/export", dict(base, format="csv", columns="id,description,category,status"))
    text = r.body.decode("utf-8-sig") if isinstance(r.body, bytes) else str(r.body)
    ck.ok(r.status == 200 and text.count("\n") >= 13 and ("列表需求 0 " + ctx.tag) in text,
          "export: a CSV with the 12 needs", r.describe())
    r = a.get("/api/v1/needs/export", dict(base, format="csv", columns="category,priority,status", lang="zh-CN"))
    text = r.body.decode("utf-8-sig") if isinstance(r.body, bytes) else str(r.body)
    ck.ok(r.status == 200 and "交付" in text and "待处理" in text and "delivery" not in text,
          "export lang=zh-CN words category, priority and status", text[:200])
    # latent needs older than N days: tests/unit/test_needs.c moves the clock (ctx->now)


def g_interviews(ctx):
    ck = ctx.ck
    a = ctx.admin
    am = ctx.U("am_e")
    acc_id = ctx.new_account("am_e", code=ctx.uniq("IV"), name="访谈客户 " + ctx.tag)
    other = ctx.new_account("am_w", code=ctx.uniq("IV"), name="访谈别家 " + ctx.tag)
    c1, c2 = ctx.new_contact(acc_id, name="采购经理"), ctx.new_contact(acc_id, name="技术总监")
    c_other = ctx.new_contact(other, name="外人")
    v = ctx.new_visit(acc_id, "am_e")
    it = ctx.new_interaction(acc_id, subject="访谈电话")
    body = {"held_on": "2026-03-02", "title": "年度需求访谈", "questions": "1. 交期？\n2. 价格？", "notes": "对交期不满",
            "visit_id": v, "interaction_id": it, "user_ids": [am.id, ctx.U("lead_e").id, am.id],
            "contact_ids": [c2, c1]}
    r = am.client.post("/api/v1/accounts/%d/interviews" % acc_id, body)
    want = dict(body, account_id=acc_id, user_ids=sorted({am.id, ctx.U("lead_e").id}), contact_ids=sorted([c1, c2]),
                needs=0, version=1, created_by=am.id)
    if not ck.expect(r, 201, "POST interview with attendees on both sides", json=want):
        return
    iid = r.json["id"]
    ck.expect(a.get("/api/v1/interviews/%d" % iid), 200, "GET interview", json=want)
    # needs from the interview
    n = new_need(ctx, acc_id, client=am.client, interview_id=iid, contact_id=c1)
    ck.expect(a.get("/api/v1/needs/%d" % n), 200, "a need from an interview has source interview",
              json={"interview_id": iid, "source": "interview"})
    ck.expect(a.get("/api/v1/interviews/%d" % iid), 200, "the interview counts its needs", json={"needs": 1})
    r = a.get("/api/v1/needs", {"interview_id": str(iid)})
    ck.ok(r.status == 200 and [x["id"] for x in r.json["items"]] == [n], "needs?interview_id", r.describe())
    # PATCH: attendees replaced whole
    r = am.client.patch("/api/v1/interviews/%d" % iid, {"contact_ids": [c1], "version": 1})
    ck.expect(r, 200, "PATCH attendees", json={"contact_ids": [c1], "user_ids": want["user_ids"], "version": 2})
    ck.expect(am.client.patch("/api/v1/interviews/%d" % iid, {"notes": "x", "version": 1}), 409, "stale -> 409",
              field="version")
    r = am.client.patch("/api/v1/interviews/%d" % iid, {"contact_ids": [c1]})
    ck.expect(r, 200, "same attendees: no new version", json={"version": 2})
    # bad input
    before = interview_state(ctx, acc_id, iid)
    for b, field in (({"title": "x"}, "held_on"), ({"held_on": "2026-02-30"}, "held_on"),
                     ({"held_on": "2026-03-01", "contact_ids": [c_other]}, "contact_ids"),
                     ({"held_on": "2026-03-01", "user_ids": [99999999]}, "user_ids"),
                     ({"held_on": "2026-03-01", "visit_id": ctx.new_visit(other, "am_w")}, "visit_id"),
                     ({"held_on": "2026-03-01", "interaction_id": 99999999}, "interaction_id"),
                     ({"held_on": "2026-03-01", "notes": "x" * 10001}, "notes"),
                     ({"held_on": "2026-03-01", "questions": "x" * 10001}, "questions"),
                     ({"held_on": "2026-03-01", "title": "a\nb"}, "title"),
                     ({"held_on": "2026-03-01", "user_ids": list(range(1, 60))}, "user_ids"),
                     ({"held_on": "2026-03-01", "contact_ids": "1"}, "contact_ids")):
        ck.expect(a.post("/api/v1/accounts/%d/interviews" % acc_id, b), 400, "bad interview -> 400 %s" % field,
                  field=field)
    ck.same(before, interview_state(ctx, acc_id, iid), "rejected interviews changed nothing")
    r = a.post("/api/v1/accounts/%d/needs" % other, {"description": "x", "interview_id": iid})
    ck.expect(r, 400, "a need cannot name another account's interview", field="interview_id")
    # list
    i2 = new_interview(ctx, acc_id, held_on="2026-04-01")
    r = a.get("/api/v1/accounts/%d/interviews" % acc_id)
    ck.ok(r.status == 200 and [x["id"] for x in r.json["items"]] == [i2, iid], "interviews: latest first",
          r.describe())
    items, pages, err = a.list_all("/api/v1/accounts/%d/interviews" % acc_id, {"limit": "1"})
    ck.ok(err is None and [x["id"] for x in items] == [i2, iid], "interviews page one by one", repr(items)[:200])
    # delete: the needs stay, unlinked
    ck.expect(am.client.delete("/api/v1/interviews/%d" % iid), 204, "DELETE interview")
    ck.expect(a.get("/api/v1/interviews/%d" % iid), 404, "gone")
    ck.expect(a.get("/api/v1/needs/%d" % n), 200, "its need stays, unlinked", json={"interview_id": None})
    rows = audit_of(ctx, "interview", iid)
    ck.ok(isinstance(rows, list) and [x[0] for x in rows].count("delete") == 1, "interview delete audited",
          repr(rows)[:300])
    # scope
    ck.expect(ctx.U("am_w").client.get("/api/v1/interviews/%d" % i2), 404, "another AM does not see it")
    ck.expect(ctx.U("viewer_x").client.get("/api/v1/accounts/%d/interviews" % acc_id), 404,
              "a viewer outside the account does not see it")


def g_learnings(ctx):
    ck = ctx.ck
    a = ctx.admin
    am = ctx.U("am_e")
    acc_id = ctx.new_account("am_e", code=ctx.uniq("LN"), name="回访客户 " + ctx.tag)
    v = ctx.new_visit(acc_id, "am_e")
    path = "/api/v1/visits/%d/complete" % v
    before = (a.get("/api/v1/visits/%d" % v).json, ctx.ids_of("/api/v1/accounts/%d/needs" % acc_id))
    bad = [
        ({"learnings": {"how_used": "x" * 4001}}, "learnings.how_used"),
        ({"learnings": {"works": 5}}, "learnings.works"),
        ({"learnings": {"fails": "a\x00b"}}, "learnings.fails"),
        ({"learnings": {"new_needs": ["x"] * 11}}, "learnings.new_needs"),
        ({"learnings": {"new_needs": [""]}}, "learnings.new_needs"),
        ({"learnings": {"new_needs": ["y" * 2001]}}, "learnings.new_needs"),
        ({"learnings": {"new_needs": [1]}}, "learnings.new_needs"),
        ({"learnings": {"mood": "good"}}, "learnings"),
        ({"learnings": "good"}, "learnings"),
    ]
    for extra, field in bad:
        body = dict({"outcome": "谈妥了"}, **extra)
        ck.expect(am.client.post(path, body), 400, "bad learnings -> 400 %s" % field, field=field)
    after = (a.get("/api/v1/visits/%d" % v).json, ctx.ids_of("/api/v1/accounts/%d/needs" % acc_id))
    ck.same(before, after, "refused completions left the visit planned and made no needs")
    ck.ok("learnings" not in (after[0] or {}), "a visit without learnings has no learnings key")
    body = {"outcome": "回访完成", "learnings": {"how_used": "产线 A 用我们的 X200", "works": "稳定",
                                                "fails": "换型慢", "new_needs": ["换型时间缩短到 10 分钟", "中文操作手册"]}}
    r = am.client.post(path, body)
    ck.expect(r, 200, "complete a visit with learnings", json={"status": "done", "learnings": {
        "how_used": "产线 A 用我们的 X200", "works": "稳定", "fails": "换型慢"}})
    ck.expect(a.get("/api/v1/visits/%d" % v), 200, "the visit shows what it learned",
              json={"learnings": {"how_used": "产线 A 用我们的 X200", "works": "稳定", "fails": "换型慢"}})
    r = a.get("/api/v1/accounts/%d/needs" % acc_id, {"sort": "created_at"})
    items = r.json["items"] if r.status == 200 else []
    ck.ok([(x["description"], x["source"], x["visit_id"], x["owner_id"]) for x in items] ==
          [("换型时间缩短到 10 分钟", "visit", v, am.id), ("中文操作手册", "visit", v, am.id)],
          "each new need became a need with source visit and the visit's id", r.describe())
    rows = audit_of(ctx, "visit", v)
    ck.ok(isinstance(rows, list) and any("learnings.how_used" in repr(x[1]) for x in rows),
          "learnings are audited on the visit", repr(rows)[:400])
    # an empty learnings object stores nothing
    v2 = ctx.new_visit(acc_id, "am_e")
    r = am.client.post("/api/v1/visits/%d/complete" % v2, {"outcome": "ok", "learnings": {}})
    ck.ok(r.status == 200 and "learnings" not in r.json, "empty learnings: nothing stored", r.describe())
    v3 = ctx.new_visit(acc_id, "am_e")
    r = am.client.post("/api/v1/visits/%d/complete" % v3, {"outcome": "ok", "learnings": None})
    ck.ok(r.status == 200 and "learnings" not in r.json, "learnings null: nothing stored", r.describe())


def g_needs_review(ctx):
    """The review's findings (issue 14 item 1), each checked against the behaviour it fixed."""
    ck = ctx.ck
    a = ctx.admin
    am = ctx.U("am_e")
    acc_id = ctx.new_account("am_e", members=[("service_e", "service"), ("viewer_e", "marketing")],
                             code=ctx.uniq("NR"), name="复查客户 " + ctx.tag)

    # 1. new needs from a visit's learnings are need creations: a role that may complete the
    # visit but may not create needs (service) gets 403 on learnings.new_needs, nothing written
    for role in pol.ROLES:
        if not pol.allowed(role, "visit", "update", True):
            continue
        u = ctx.U(ROLE_USER[role])
        v = ctx.new_visit(acc_id, "am_e")
        path = "/api/v1/visits/%d/complete" % v
        body = {"outcome": "回访 " + role, "learnings": {"how_used": "x", "new_needs": ["%s 的新需求" % role]}}
        if pol.allowed(role, "need", "create", True):
            r = u.client.post(path, body)
            ck.expect(r, 200, "%s completes a visit with new needs" % role, json={"status": "done"})
            r = a.get("/api/v1/needs", {"account_id": str(acc_id), "q": "%s 的新需求" % role})
            ck.ok(r.status == 200 and len(r.json["items"]) == 1 and r.json["items"][0]["created_by"] == u.id,
                  "%s: the new need is stored" % role, r.describe())
        else:
            before = (ctx.record_state("visits", v, acc_id), ctx.ids_of("/api/v1/accounts/%d/needs" % acc_id),
                      ctx.audit_ids("visit", v))
            ck.expect(u.client.post(path, body), 403, "%s may complete a visit but not create needs" % role,
                      field="learnings.new_needs")
            ck.same(before, (ctx.record_state("visits", v, acc_id),
                             ctx.ids_of("/api/v1/accounts/%d/needs" % acc_id), ctx.audit_ids("visit", v)),
                    "%s: the refused completion wrote nothing" % role)
            body["learnings"].pop("new_needs")
            ck.expect(u.client.post(path, body), 200, "%s completes it with learnings but no new needs" % role,
                      json={"status": "done", "learnings": {"how_used": "x"}})

    # 2. removing attendees (two rows each side, no insert after) is no conflict
    c1, c2 = ctx.new_contact(acc_id), ctx.new_contact(acc_id)
    lead = ctx.U("lead_e")
    iid = new_interview(ctx, acc_id, contact_ids=[c1, c2], user_ids=[am.id, lead.id])
    r = am.client.patch("/api/v1/interviews/%d" % iid, {"contact_ids": [], "version": 1})
    ck.expect(r, 200, "remove both contacts", json={"contact_ids": [], "user_ids": sorted([am.id, lead.id]),
                                                    "version": 2})
    r = am.client.patch("/api/v1/interviews/%d" % iid, {"user_ids": []})
    ck.expect(r, 200, "remove both users", json={"contact_ids": [], "user_ids": [], "version": 3})
    rows = audit_of(ctx, "interview", iid)
    ck.ok(isinstance(rows, list) and [x[0] for x in rows].count("update") == 2, "both removals audited",
          repr(rows)[:300])

    # 5. attendees: newly added users must be enabled and may read the account; ones already on
    # the interview stay when disabled since
    dis = ctx.new_user("ndis", "director", login=False, name="停用总监 " + ctx.tag)
    kept = new_interview(ctx, acc_id, user_ids=[dis.id, am.id])
    ctx.must(a.patch("/api/v1/users/%d" % dis.id, {"disabled": True}), 200, "disable user")
    before = interview_state(ctx, acc_id, kept)
    for uid, why in ((dis.id, "a disabled user"), (ctx.U("am_w").id, "a user who may not read the account"),
                     (ctx.U("hr").id, "hr (reads no accounts)")):
        ck.expect(a.post("/api/v1/accounts/%d/interviews" % acc_id, {"held_on": "2026-03-01", "user_ids": [uid]}),
                  400, "new interview with %s -> 400" % why, field="user_ids")
        if uid != dis.id:
            ck.expect(a.patch("/api/v1/interviews/%d" % kept, {"user_ids": [dis.id, am.id, uid]}), 400,
                      "adding %s -> 400" % why, field="user_ids")
    ck.same(before, interview_state(ctx, acc_id, kept), "refused attendees changed nothing")
    ck.expect(a.patch("/api/v1/interviews/%d" % kept, {"notes": "仍可编辑"}), 200,
              "an interview with a since-disabled attendee stays editable", json={"user_ids": sorted([dis.id, am.id])})
    ck.expect(a.patch("/api/v1/interviews/%d" % kept, {"user_ids": [dis.id, am.id, lead.id]}), 200,
              "keeping the disabled attendee and adding one who may read the account",
              json={"user_ids": sorted([dis.id, am.id, lead.id])})
    ck.expect(a.post("/api/v1/accounts/%d/interviews" % acc_id,
                     {"held_on": "2026-03-01", "user_ids": [ctx.U("fin").id, ctx.U("dir").id]}), 201,
              "org-wide readers may attend")

    # 4. deleting an interview with more than 50 needs audits every unlinked need
    big = new_interview(ctx, acc_id, title="大访谈")
    many = [new_need(ctx, acc_id, interview_id=big, description="访谈需求 %d" % i) for i in range(55)]
    ck.expect(a.delete("/api/v1/interviews/%d" % big), 204, "delete an interview with 55 needs")
    items = ctx.audit_items("account", acc_id)
    unlinked = sorted({x["entity_id"] for x in items if isinstance(items, list) and x.get("entity") == "need"
                       and x.get("action") == "update" and "interview_id" in (x.get("changes") or {})})
    ck.ok(unlinked == sorted(many), "each of the 55 needs has its unlink audited",
          "%d audited of %d" % (len(unlinked), len(many)))
    r = a.get("/api/v1/needs", {"account_id": str(acc_id), "interview_id": str(big)})
    ck.ok(r.status == 200 and r.json["items"] == [], "none still names it", r.describe())

    # 7. one cap (10) for learnings.new_needs, in the decoder and the OpenAPI document; blank texts
    v = ctx.new_visit(acc_id, "am_e")
    for n in (11, 51):
        r = am.client.post("/api/v1/visits/%d/complete" % v, {"outcome": "x", "learnings": {"new_needs": ["x"] * n}})
        ck.expect(r, 400, "%d new needs -> 400" % n, field="learnings.new_needs")
        ck.ok(r.err is not None and "10" in r.err.get("message", ""), "%d new needs: the message says 10" % n,
              r.describe())
    doc = a.get("/api/v1/openapi.json").json or {}
    want_max = []

    def walk(x):
        if isinstance(x, dict):
            p = x.get("properties")
            if isinstance(p, dict) and isinstance(p.get("new_needs"), dict):
                want_max.append(p["new_needs"].get("maxItems"))
            for y in x.values():
                walk(y)
        elif isinstance(x, list):
            for y in x:
                walk(y)
    walk(doc)
    ck.ok(want_max == [10], "OpenAPI: learnings.new_needs maxItems 10", repr(want_max))
    before = (a.get("/api/v1/visits/%d" % v).json, ctx.ids_of("/api/v1/accounts/%d/needs" % acc_id))
    for blank in ("   ", "\u3000\n\t", "\u00a0"):
        ck.expect(am.client.post("/api/v1/visits/%d/complete" % v, {"outcome": "x", "learnings": {"new_needs": [blank]}}),
                  400, "a blank new need %r -> 400" % blank, field="learnings.new_needs")
        ck.expect(a.post("/api/v1/accounts/%d/needs" % acc_id, {"description": blank}), 400,
                  "a blank description %r -> 400" % blank, field="description")
    ck.same(before, (a.get("/api/v1/visits/%d" % v).json, ctx.ids_of("/api/v1/accounts/%d/needs" % acc_id)),
            "blank texts changed nothing")
    nid = new_need(ctx, acc_id, description="有内容")
    ck.expect(a.patch("/api/v1/needs/%d" % nid, {"description": "  \n "}), 400, "PATCH a blank description -> 400",
              field="description")

    # 8. "an issue"; the export words addressed_by.kind
    other = ctx.new_account("am_w", code=ctx.uniq("NR"))
    iss_other = ctx.new_issue(other)
    r = a.post("/api/v1/needs/%d/status" % nid, {"to": "addressed", "addressed_kind": "issue",
                                                 "addressed_id": iss_other})
    ck.expect(r, 400, "addressed by another account's issue", field="addressed_id")
    ck.ok(r.err is not None and "must be an issue" in r.err.get("message", ""), "the message reads 'an issue'",
          r.describe())
    iss = ctx.new_issue(acc_id)
    ck.expect(a.post("/api/v1/needs/%d/status" % nid, {"to": "addressed", "addressed_kind": "issue",
                                                        "addressed_id": iss}), 200, "addressed by an issue")
    q = {"account_id": str(acc_id), "q": "有内容", "format": "csv", "columns": "description,addressed_by.kind"}
    r = a.get("/api/v1/needs/export", dict(q, lang="zh-CN"))
    text = r.body.decode("utf-8-sig") if isinstance(r.body, bytes) else str(r.body)
    ck.ok(r.status == 200 and "\"有内容\",\"问题\"" in text and "issue" not in text.split("\n", 1)[1],
          "export lang=zh-CN words addressed_by.kind", text[:200])
    for lang in ("en", "zh-CN", "zh-TW"):
        word = web_labels(lang, "needs.kinds.issue")
        r = a.get("/api/v1/needs/export", dict(q, lang=lang))
        text = r.body.decode("utf-8-sig") if isinstance(r.body, bytes) else str(r.body)
        ck.ok(r.status == 200 and ("\"有内容\",\"%s\"" % word) in text,
              "export lang=%s words addressed_by.kind as the web does (%s)" % (lang, word), text[:200])

    # 10. owner_id null on create: nobody; absent: the account owner
    r = a.post("/api/v1/accounts/%d/needs" % acc_id, {"description": "无人负责", "owner_id": None})
    ck.expect(r, 201, "owner_id null -> no owner", json={"owner_id": None})
    r = a.post("/api/v1/accounts/%d/needs" % acc_id, {"description": "默认负责"})
    ck.expect(r, 201, "no owner_id -> the account owner", json={"owner_id": am.id})

    # 3. deleting the account purges its needs and interviews with one delete audit row each
    gone = ctx.new_account("am_e", code=ctx.uniq("NRX"))
    gi = new_interview(ctx, gone, user_ids=[am.id])
    gn = [new_need(ctx, gone, interview_id=gi), new_need(ctx, gone)]
    n_before = len(ctx.audit_items("account", gone))
    ck.expect(a.delete("/api/v1/accounts/%d" % gone), 204, "delete an account with needs and an interview")
    rows = ctx.audit_items("account", gone)
    new = rows[: max(0, len(rows) - n_before)] if isinstance(rows, list) else []
    dels = sorted((x.get("entity"), x.get("entity_id")) for x in new if x.get("action") == "delete")
    want = sorted([("need", gn[0]), ("need", gn[1]), ("interview", gi), ("account", gone)])
    ck.ok(dels == want, "one delete row for each need, the interview and the account", repr(dels))


GROUPS = [
    ("needs", g_needs, True),
    ("needs-lists", g_needs_lists, True),
    ("interviews", g_interviews, True),
    ("learnings", g_learnings, True),
    ("needs-review", g_needs_review, True),
]


# ---- permission matrix builders (t_matrix.py): every route of api/needs/needs.c

def _need(ctx, rec_):
    key = "N_own" if rec_ == "own" else "N_other"
    if key not in ctx.ids:
        ctx.ids[key] = new_need(ctx, acc(ctx, rec_), description="矩阵需求")
    return ctx.ids[key]


def _interview(ctx, rec_):
    key = "IV_own" if rec_ == "own" else "IV_other"
    if key not in ctx.ids:
        ctx.ids[key] = new_interview(ctx, acc(ctx, rec_), title="矩阵访谈")
    return ctx.ids[key]


@route("GET", "/api/v1/needs", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/needs")


@route("GET", "/api/v1/needs/count", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/needs/count")


@route("GET", "/api/v1/needs/export", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/needs/export", query={"format": "csv"})


@route("GET", "/api/v1/accounts/{id}/needs", "account")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/accounts/%d/needs" % acc(ctx, rec_))


@route("POST", "/api/v1/accounts/{id}/needs", "account")
def _(ctx, u, rec_):
    a = acc(ctx, rec_)
    return Attempt("POST", "/api/v1/accounts/%d/needs" % a, {"description": "矩阵 " + ctx.uniq()}, ok=201,
                   state=lambda: need_state(ctx, a))


@route("GET", "/api/v1/needs/{id}", "need")
def _(ctx, u, rec_):
    n = _need(ctx, rec_)
    return Attempt("GET", "/api/v1/needs/%d" % n)


@route("PATCH", "/api/v1/needs/{id}", "need")
def _(ctx, u, rec_):
    n, a = _need(ctx, rec_), acc(ctx, rec_)
    return Attempt("PATCH", "/api/v1/needs/%d" % n, {"pain_point": "matrix " + ctx.uniq()},
                   state=lambda: need_state(ctx, a, n))


@route("DELETE", "/api/v1/needs/{id}", "need")
def _(ctx, u, rec_):
    a = acc(ctx, rec_)
    n = new_need(ctx, a, description="矩阵删除")
    return Attempt("DELETE", "/api/v1/needs/%d" % n, ok=204, state=lambda: need_state(ctx, a, n))


@route("POST", "/api/v1/needs/{id}/status", "need")
def _(ctx, u, rec_):
    a = acc(ctx, rec_)
    n = new_need(ctx, a, description="矩阵流转")
    return Attempt("POST", "/api/v1/needs/%d/status" % n, {"to": "addressing", "note": "matrix"},
                   state=lambda: need_state(ctx, a, n))


@route("GET", "/api/v1/accounts/{id}/interviews", "account")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/accounts/%d/interviews" % acc(ctx, rec_))


@route("POST", "/api/v1/accounts/{id}/interviews", "account")
def _(ctx, u, rec_):
    a = acc(ctx, rec_)
    return Attempt("POST", "/api/v1/accounts/%d/interviews" % a,
                   {"held_on": "2026-05-01", "contact_ids": [con(ctx, rec_)]}, ok=201,
                   state=lambda: interview_state(ctx, a))


@route("GET", "/api/v1/interviews/{id}", "interview")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/interviews/%d" % _interview(ctx, rec_))


@route("PATCH", "/api/v1/interviews/{id}", "interview")
def _(ctx, u, rec_):
    i, a = _interview(ctx, rec_), acc(ctx, rec_)
    return Attempt("PATCH", "/api/v1/interviews/%d" % i, {"notes": "matrix " + ctx.uniq()},
                   state=lambda: interview_state(ctx, a, i))


@route("DELETE", "/api/v1/interviews/{id}", "interview")
def _(ctx, u, rec_):
    a = acc(ctx, rec_)
    i = new_interview(ctx, a, title="矩阵删除访谈")
    return Attempt("DELETE", "/api/v1/interviews/%d" % i, ok=204, state=lambda: interview_state(ctx, a, i))
