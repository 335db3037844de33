"""Visit plans (F2.3): cadence rules, visits (plan, reschedule, cancel, complete ->
interaction, overdue), the visit list and its filters, the calendar token and feed."""

import re
import time

from lib import ANY, is_id, is_time, iso, epoch
from t_accounts import paginate
from t_interactions import near, last_contacted, audit_rows

CADENCE_SHAPE = {"id": is_id, "tier": str, "decision_role": ANY, "kind": str, "every_days": int, "active": bool}
VISIT_SHAPE = {"id": is_id, "account_id": is_id, "contact_id": ANY, "owner_id": is_id, "kind": str,
               "planned_at": is_time, "status": str, "outcome": str, "next_steps": str, "completed_at": ANY,
               "interaction_id": ANY, "cadence_id": ANY, "overdue": bool, "version": int, "created_at": is_time,
               "updated_at": is_time}
DEFAULT_RULES = [("strategic", "onsite", 30), ("strategic", "phone", 14), ("key", "onsite", 60), ("key", "phone", 30),
                 ("growth", "phone", 45), ("maintain", "phone", 90)]


def g_cadences(ctx):
    ck = ctx.ck
    a = ctx.admin
    r = a.get("/api/v1/cadences")
    if not ck.expect(r, 200, "GET /cadences -> a list", json={"items": list}):
        return
    for it in r.items:
        ck.matches(it, CADENCE_SHAPE, "cadence rule %s shape" % it.get("id"))
    have = {(x.get("tier"), x.get("kind"), x.get("every_days")) for x in r.items if x.get("active")}
    for rule in DEFAULT_RULES:
        ck.ok(rule in have, "default cadence rule %s %s every %d days is there and active" % rule, repr(sorted(have)))
    sdm = [x for x in r.items if x.get("tier") == "strategic" and x.get("decision_role") == "decision_maker"
           and x.get("active")]
    ck.ok({(x.get("kind"), x.get("every_days")) for x in sdm} >= {("onsite", 30), ("phone", 14)},
          "the strategic rules are for decision makers", repr(sdm))
    r = ctx.U("viewer_x").client.get("/api/v1/cadences")
    ck.expect(r, 200, "a viewer reads the cadence rules too")

    made = []
    try:
        body = {"tier": "growth", "decision_role": "champion", "kind": "onsite", "every_days": 1}
        r = a.post("/api/v1/cadences", body)
        if not ck.expect(r, 201, "POST cadence rule (every_days 1) -> 201, active by default",
                         json=dict(CADENCE_SHAPE, active=True, **body)):
            return
        cid = r.json["id"]
        made.append(cid)
        for b in ({"tier": "maintain", "decision_role": None, "kind": "phone", "every_days": 365, "active": False},
                  {"tier": "key", "kind": "phone", "every_days": 200, "active": False}):
            r = ctx.U("dir").client.post("/api/v1/cadences", b)
            if ck.expect(r, 201, "POST cadence rule %s as director -> 201" % b,
                         json=dict(CADENCE_SHAPE, decision_role=b.get("decision_role"), **{k: v for k, v in b.items()
                                                                                              if k != "decision_role"})):
                made.append(r.json["id"])
        r = a.get("/api/v1/cadences")
        ck.ok(r.status == 200 and cid in [x.get("id") for x in r.items or []], "GET /cadences lists the new rule")

        r = a.patch("/api/v1/cadences/%d" % cid, {"every_days": 7, "active": False})
        ck.expect(r, 200, "PATCH cadence every_days=7 active=false", json=dict(body, id=cid, every_days=7, active=False))
        r = a.patch("/api/v1/cadences/%d" % cid, {"decision_role": None, "kind": "phone", "tier": "key"})
        ck.expect(r, 200, "PATCH cadence decision_role=null kind=phone tier=key",
                  json={"id": cid, "decision_role": None, "kind": "phone", "tier": "key", "every_days": 7})
        r = a.patch("/api/v1/cadences/%d" % cid, {"every_days": 365})
        ck.expect(r, 200, "PATCH cadence every_days=365 (boundary)", json={"every_days": 365})

        bad = [("every_days 0", {"every_days": 0}, "every_days"), ("every_days 366", {"every_days": 366}, "every_days"),
               ("every_days -30", {"every_days": -30}, "every_days"),
               ("every_days string", {"every_days": "30"}, "every_days"),
               ("every_days 1.5", {"every_days": 1.5}, "every_days"),
               ("every_days null", {"every_days": None}, "every_days"),
               ("tier platinum", {"tier": "platinum"}, "tier"), ("tier null", {"tier": None}, "tier"),
               ("tier upper-case", {"tier": "KEY"}, "tier"), ("kind visit", {"kind": "visit"}, "kind"),
               ("kind email", {"kind": "email"}, "kind"), ("kind null", {"kind": None}, "kind"),
               ("decision_role boss", {"decision_role": "boss"}, "decision_role"),
               ("decision_role number", {"decision_role": 1}, "decision_role"),
               ("active string", {"active": "yes"}, "active"), ("active 1", {"active": 1}, "active"),
               ("unknown field", {"weekday": "mon"}, "weekday"), ("id in body", {"id": 1}, "id")]
        post_only = [("tier missing", {"tier": None}, "tier"), ("kind missing", {"kind": None}, "kind"),
                     ("every_days missing", {"every_days": None}, "every_days")]
        before = ctx.config_state()
        base = {"tier": "growth", "decision_role": None, "kind": "phone", "every_days": 30, "active": False}
        for name, over, f in bad:
            r = a.post("/api/v1/cadences", dict(base, **over))
            ck.expect(r, 400, "POST cadence %s -> 400 field %s" % (name, f), field=f, code="invalid")
            if r.status == 201:
                made.append(r.json.get("id"))
            r = a.patch("/api/v1/cadences/%d" % cid, over)
            ck.expect(r, 400, "PATCH cadence %s -> 400 field %s" % (name, f), field=f, code="invalid")
        for name, over, f in post_only:
            b = dict(base)
            b.pop(f)
            r = a.post("/api/v1/cadences", b)
            ck.expect(r, 400, "POST cadence %s -> 400 field %s" % (name, f), field=f, code="invalid")
            if r.status == 201:
                made.append(r.json.get("id"))
        ck.same(before, ctx.config_state(), "refused cadence POST/PATCHes changed nothing")

        r = a.patch("/api/v1/cadences/999999999", {"every_days": 5})
        ck.expect(r, 404, "PATCH unknown cadence rule -> 404", code="not_found")
        r = a.delete("/api/v1/cadences/999999999")
        ck.expect(r, 404, "DELETE unknown cadence rule -> 404", code="not_found")
        r = a.delete("/api/v1/cadences/%d" % cid)
        ck.expect(r, 204, "DELETE cadence rule -> 204")
        made.remove(cid)
        r = a.get("/api/v1/cadences")
        ck.ok(r.status == 200 and cid not in [x.get("id") for x in r.items or []], "deleted rule no longer listed")
        r = a.patch("/api/v1/cadences/%d" % cid, {"every_days": 5})
        ck.expect(r, 404, "PATCH deleted cadence rule -> 404", code="not_found")
        r = a.delete("/api/v1/cadences/%d" % cid)
        ck.expect(r, 404, "DELETE deleted cadence rule again -> 404", code="not_found")
    finally:
        for x in made:
            if isinstance(x, int):
                a.delete("/api/v1/cadences/%d" % x)


def g_visits(ctx):
    ck = ctx.ck
    am = ctx.U("am_e")
    c = am.client
    a = ctx.admin
    now = time.time()
    # service_e is on the account team: a visit's owner must be able to work on the account.
    V = ctx.new_account("am_e", members=[("service_e", "service")], code=ctx.uniq("VIS"), name="拜访客户 " + ctx.tag,
                        tier="key")
    VO = ctx.new_account("am_e", code=ctx.uniq("VIO"), name="另一拜访客户 " + ctx.tag)
    vc1 = ctx.new_contact(V, name="拜访对象甲", decision_role="decision_maker")
    vc2 = ctx.new_contact(V, name="拜访对象乙")
    ox = ctx.new_contact(VO, name="别家联系人")

    t1 = iso(now + 3 * 86400)
    body = {"contact_id": vc1, "kind": "onsite", "planned_at": t1}
    r = c.post("/api/v1/accounts/%d/visits" % V, body)
    want = dict(VISIT_SHAPE, account_id=V, owner_id=am.id, status="planned", outcome="", next_steps="",
                completed_at=None, interaction_id=None, cadence_id=None, overdue=False, version=1, **body)
    if not ck.expect(r, 201, "POST visit as account_manager -> 201, owner = caller, planned", json=want):
        return
    v1 = r.json["id"]
    ck.expect(c.get("/api/v1/visits/%d" % v1), 200, "GET visit round-trips", json=dict(want, id=v1))
    rows = [x for x in audit_rows(ctx, V, "visit", v1, "create") if x.get("user_id") == am.id]
    ck.ok(len(rows) == 1, "account audit has the visit create row (by the caller)", repr(rows)[:300])

    # owner_id: the caller or someone they manage
    for key, owner, st in (("am_e", "am_e", 201), ("am_e", "am_w", 403), ("am_e", "lead_e", 403),
                           ("lead_e", "am_e", 201), ("lead_e", "service_e", 201), ("lead_e", "am_w", 403),
                           ("lead0", "am_e", 201), ("service_e", "am_e", 403)):
        u = ctx.U(key)
        acc = V if key != "service_e" else ctx.ids["A_own"]
        before = ctx.rel_state(acc) if st != 201 else None
        r = u.client.post("/api/v1/accounts/%d/visits" % acc, {"kind": "phone", "planned_at": iso(now + 4 * 86400),
                                                                "owner_id": ctx.U(owner).id})
        if st == 201:
            ck.expect(r, 201, "%s plans a visit for %s (someone they manage) -> 201" % (key, owner),
                      json={"owner_id": ctx.U(owner).id})
        else:
            ck.expect(r, 403, "%s plans a visit for %s (not someone they manage) -> 403 field owner_id" % (key, owner),
                      field="owner_id", code="forbidden")
            ck.same(before, ctx.rel_state(acc), "refused owner_id created nothing")

    before = ctx.rel_state(V)
    for name, b, st, f in (
            ("a contact of another account", {"contact_id": ox}, 400, "contact_id"),
            ("an unknown contact", {"contact_id": 999999999}, 400, "contact_id"),
            ("an unknown owner", {"owner_id": 999999999}, 400, "owner_id"),
            ("planned_at missing", {"planned_at": None}, 400, "planned_at"),
            ("planned_at not a time", {"planned_at": "next Monday"}, 400, "planned_at"),
            ("planned_at with an offset", {"planned_at": "2027-01-05T10:00:00+08:00"}, 400, "planned_at"),
            ("kind visit", {"kind": "visit"}, 400, "kind"),
            ("status in POST", {"status": "done"}, 400, "status"),
            ("version in POST", {"version": 1}, 400, "version"),
            ("outcome in POST", {"outcome": "x"}, 400, "outcome")):
        b2 = dict(body, **b)
        if b.get("planned_at", "") is None:
            b2.pop("planned_at")
        r = c.post("/api/v1/accounts/%d/visits" % V, b2)
        ck.expect(r, st, "POST visit with %s -> %d field %s" % (name, st, f), field=f)
    ck.same(before, ctx.rel_state(V), "refused visit POSTs changed nothing")

    # reschedule, reassign, version
    t2 = iso(now + 5 * 86400)
    r = c.patch("/api/v1/visits/%d" % v1, {"planned_at": t2})
    ck.expect(r, 200, "PATCH planned_at (reschedule) -> 200, version 2",
              json=dict(want, id=v1, planned_at=t2, version=2))
    rows = audit_rows(ctx, V, "visit", v1, "update")
    ck.ok(len(rows) == 1 and (rows[0].get("changes") or {}).get("planned_at") == [t1, t2],
          "audit has the visit update row with planned_at [before, after]", repr(rows)[:300])
    r = c.patch("/api/v1/visits/%d" % v1, {"kind": "phone", "contact_id": vc2, "version": 2})
    ck.expect(r, 200, "PATCH kind + contact_id with the current version -> 200",
              json={"kind": "phone", "contact_id": vc2, "version": 3})
    r = ctx.U("lead_e").client.patch("/api/v1/visits/%d" % v1, {"owner_id": ctx.U("service_e").id})
    ck.expect(r, 200, "lead_e reassigns the visit to service_e (someone they manage)",
              json={"owner_id": ctx.U("service_e").id})
    before = ctx.record_state("visits", v1, V)
    for name, b, st, f in (("a stale version", {"planned_at": t1, "version": 1}, 409, "version"),
                           ("contact_id of another account", {"contact_id": ox}, 400, "contact_id"),
                           ("owner_id someone am_e does not manage", {"owner_id": ctx.U("am_w").id}, 403, "owner_id"),
                           ("status done", {"status": "done"}, 400, "status"),
                           ("status bogus", {"status": "postponed"}, 400, "status"),
                           ("planned_at not a time", {"planned_at": "2027-02-30T10:00:00Z"}, 400, "planned_at"),
                           ("kind email", {"kind": "email"}, 400, "kind"),
                           ("outcome (complete sets it)", {"outcome": "x"}, 400, "outcome")):
        r = c.patch("/api/v1/visits/%d" % v1, b)
        ck.expect(r, st, "PATCH visit %s -> %d field %s" % (name, st, f), field=f)
    ck.same(before, ctx.record_state("visits", v1, V), "refused visit PATCHes changed nothing")

    # complete -> done + an interaction of kind visit (on-site) / call (phone)
    v2 = ctx.new_visit(V, "am_e", contact_id=vc1, kind="onsite", planned_at=iso(now + 86400))
    occ = iso(now - 1800)
    r = c.post("/api/v1/visits/%d/complete" % v2, {"outcome": "客户同意试点", "next_steps": "两周内发报价", "occurred_at": occ})
    ok = ck.expect(r, 200, "POST complete (on-site) -> 200 status done with outcome, next_steps, interaction",
                   json=dict(VISIT_SHAPE, id=v2, status="done", outcome="客户同意试点", next_steps="两周内发报价",
                             completed_at=is_time, interaction_id=is_id, overdue=False))
    if ok:
        iid = r.json["interaction_id"]
        r = c.get("/api/v1/interactions/%d" % iid)
        ck.expect(r, 200, "the completion logged an interaction of kind visit linked to the visit",
                  json={"kind": "visit", "visit_id": v2, "account_id": V, "occurred_at": occ, "user_id": am.id,
                        "contact_ids": [vc1]})
        ck.ok(last_contacted(ctx, vc1) == occ, "completing the visit moved its contact's last_contacted_at",
              repr(last_contacted(ctx, vc1)))
        tl = c.get("/api/v1/accounts/%d/interactions" % V)
        ck.ok(iid in [x.get("id") for x in tl.items or []], "the interaction is on the account timeline", tl.describe())
    before = ctx.record_state("visits", v2, V)
    r = c.post("/api/v1/visits/%d/complete" % v2, {"outcome": "再来一次"})
    ck.expect(r, 409, "complete a done visit again -> 409 field status", field="status", code="conflict")
    r = c.patch("/api/v1/visits/%d" % v2, {"planned_at": t2})
    ck.expect(r, 409, "PATCH a done visit -> 409", code="conflict")
    r = c.patch("/api/v1/visits/%d" % v2, {"status": "cancelled"})
    ck.expect(r, 409, "cancel a done visit -> 409", code="conflict")
    ck.same(before, ctx.record_state("visits", v2, V), "refused changes of a done visit changed nothing")

    v3 = ctx.new_visit(V, "am_e", contact_id=vc2, kind="phone", planned_at=iso(now + 86400))
    r = c.post("/api/v1/visits/%d/complete" % v3, {"outcome": "电话沟通", "contact_ids": [vc1, vc2]})
    if ck.expect(r, 200, "POST complete (phone, two contacts, no occurred_at) -> 200",
                 json={"status": "done", "completed_at": near(time.time()), "next_steps": ""}):
        r = c.get("/api/v1/interactions/%d" % r.json["interaction_id"])
        ck.expect(r, 200, "a phone visit logs an interaction of kind call with the listed contacts",
                  json={"kind": "call", "visit_id": v3, "contact_ids": sorted([vc1, vc2]),
                        "occurred_at": near(time.time())})

    # long outcome + next_steps, each well within their own limits
    v4 = ctx.new_visit(V, "am_e", contact_id=vc2, kind="onsite", planned_at=iso(now + 86400))
    r = c.post("/api/v1/visits/%d/complete" % v4, {"outcome": "果" * 2500, "next_steps": "步" * 2500})
    ck.expect(r, 200, "complete with a 2500-char outcome and 2500-char next_steps -> 200",
              json={"status": "done", "outcome": "果" * 2500, "next_steps": "步" * 2500})

    # a refused completion changes nothing: the visit stays planned, no interaction is logged
    v5 = ctx.new_visit(V, "am_e", contact_id=vc1, kind="onsite", planned_at=iso(now + 2 * 86400))
    before = dict(ctx.record_state("visits", v5, V), c=[last_contacted(ctx, x) for x in (vc1, vc2, ox)])
    for name, b, f in (("contact_ids of another account", {"outcome": "x", "contact_ids": [vc1, ox]}, "contact_ids"),
                       ("occurred_at 2 days ahead", {"outcome": "x", "occurred_at": iso(time.time() + 2 * 86400)},
                        "occurred_at"),
                       ("occurred_at not a time", {"outcome": "x", "occurred_at": "soon"}, "occurred_at"),
                       ("no outcome", {"next_steps": "x"}, "outcome"),
                       ("outcome number", {"outcome": 5}, "outcome"),
                       ("status in body", {"outcome": "x", "status": "done"}, "status")):
        r = c.post("/api/v1/visits/%d/complete" % v5, b)
        ck.expect(r, 400, "complete with %s -> 400 field %s" % (name, f), field=f, code="invalid")
    ck.same(before, dict(ctx.record_state("visits", v5, V), c=[last_contacted(ctx, x) for x in (vc1, vc2, ox)]),
            "refused completions: the visit stays planned and no interaction is logged")

    # cancel
    r = c.patch("/api/v1/visits/%d" % v5, {"status": "cancelled"})
    ck.expect(r, 200, "PATCH status cancelled -> 200", json={"status": "cancelled", "overdue": False})
    r = c.post("/api/v1/visits/%d/complete" % v5, {"outcome": "x"})
    ck.expect(r, 409, "complete a cancelled visit -> 409 field status", field="status", code="conflict")

    # overdue
    vp = ctx.new_visit(V, "am_e", contact_id=vc1, kind="phone", planned_at=iso(now - 7200))
    r = c.get("/api/v1/visits/%d" % vp)
    ck.expect(r, 200, "a planned visit in the past is overdue", json={"overdue": True, "status": "planned"})
    r = c.get("/api/v1/visits", {"account_id": str(V), "overdue": "1", "limit": "500"})
    ck.ok(r.status == 200 and [x.get("id") for x in r.items or []] == [vp],
          "visits?overdue=1&account_id: exactly the past planned visit", r.describe())
    r = c.patch("/api/v1/visits/%d" % vp, {"planned_at": iso(now + 3600)})
    ck.expect(r, 200, "rescheduling it into the future -> no longer overdue", json={"overdue": False})
    r = c.patch("/api/v1/visits/%d" % vp, {"planned_at": iso(now - 3600)})
    ck.expect(r, 200, "rescheduling it into the past again -> overdue", json={"overdue": True})
    r = c.post("/api/v1/visits/%d/complete" % vp, {"outcome": "补打电话"})
    ck.expect(r, 200, "completing it -> done, not overdue", json={"status": "done", "overdue": False})
    r = c.get("/api/v1/visits", {"account_id": str(V), "overdue": "1"})
    ck.expect(r, 200, "visits?overdue=1 after completion -> empty", json={"items": []})

    # scope
    for key, st in (("am_w", 404), ("viewer_x", 404), ("hr", 404), ("lead_e", 200), ("fin", 200), ("dir", 200)):
        r = ctx.U(key).client.get("/api/v1/visits/%d" % v1)
        ck.expect(r, st, "%s GET a visit of am_e's account -> %d" % (key, st))
    r = ctx.U("am_w").client.patch("/api/v1/visits/%d" % v1, {"planned_at": t1})
    ck.expect(r, 404, "am_w PATCH a visit out of scope -> 404", code="not_found")
    r = c.get("/api/v1/visits/999999999")
    ck.expect(r, 404, "GET unknown visit -> 404", code="not_found")
    r = c.post("/api/v1/visits/999999999/complete", {"outcome": "x"})
    ck.expect(r, 404, "complete unknown visit -> 404", code="not_found")


def g_visit_lists(ctx):
    ck = ctx.ck
    a = ctx.admin
    now = time.time()
    # Visit owners must be able to work on the account: the second owner is on its team.
    L = ctx.new_account("am_e", members=[("service_e", "service")], code=ctx.uniq("VL"), name="拜访列表 " + ctx.tag)
    lc = ctx.new_contact(L, name="列表联系人")
    spec = [(1, "am_e"), (2, "service_e"), (3, "am_e"), (4, "am_e"), (5, "service_e"), (6, "am_e"), (6, "am_e")]
    vis = []
    for days, owner in spec:
        vis.append(ctx.new_visit(L, owner, contact_id=lc if days % 2 else None, kind="phone",
                                 planned_at=iso(now + days * 86400)))
    p1, p2, p3, p4, p5, p6, p7 = vis
    ck.expect(a.patch("/api/v1/visits/%d" % p3, {"status": "cancelled"}), 200, "cancel p3")
    ck.expect(a.post("/api/v1/visits/%d/complete" % p4, {"outcome": "ok"}), 200, "complete p4")

    items = paginate(ctx, a, "/api/v1/visits", {"account_id": str(L)}, 2, "visits?account_id limit=2")
    if items is not None:
        ck.ok([x.get("id") for x in items] == vis, "visit list: by planned_at, ties by id, across pages",
              repr([(x.get("id"), x.get("planned_at")) for x in items]))
        for x in items:
            ck.matches(x, dict(VISIT_SHAPE, account_name="拜访列表 " + ctx.tag,
                               contact_name="列表联系人" if x.get("contact_id") else None),
                       "visit list item %s carries account_name and contact_name" % x.get("id"))

    def ids(q, client=None):
        q = dict(q, limit="500")
        r = (client or a).get("/api/v1/visits", q)
        return [x.get("id") for x in r.items or []] if r.status == 200 else ("error", r.status, r.body[:200])

    svc = str(ctx.U("service_e").id)
    for q, want in ((({"status": "planned"}), [p1, p2, p5, p6, p7]), ({"status": "cancelled"}, [p3]),
                    ({"status": "done"}, [p4]), ({"owner_id": svc}, [p2, p5]),
                    ({"from": iso(now + 1.5 * 86400), "to": iso(now + 4.5 * 86400)}, [p2, p3, p4]),
                    ({"from": iso(now + 4.5 * 86400)}, [p5, p6, p7]), ({"to": iso(now + 2.5 * 86400)}, [p1, p2]),
                    ({"from": iso(now + 1.5 * 86400), "status": "planned", "owner_id": str(ctx.U("am_e").id)}, [p6, p7]),
                    ({"overdue": "1"}, []), ({"overdue": "0"}, vis)):
        qq = dict(q, account_id=str(L))
        ck.ok(ids(qq) == want, "visits %s -> %s" % (q, want), "got %s" % (ids(qq),))
    ck.ok(ids({"account_id": str(L)}, ctx.U("lead_e").client) == vis, "lead_e (manager of the owner) lists them all")
    for key in ("am_w", "viewer_x"):
        got = ids({"account_id": str(L)}, ctx.U(key).client)
        ck.ok(got == [], "%s (account out of scope) lists none" % key, repr(got))
    r = ctx.U("hr").client.get("/api/v1/visits")
    ck.expect(r, 403, "hr GET /visits -> 403", code="forbidden")
    for q, f in (({"status": "postponed"}, "status"), ({"overdue": "2"}, "overdue"), ({"overdue": "yes"}, "overdue"),
                 ({"from": "yesterday"}, "from"), ({"to": "2027-13-01T00:00:00Z"}, "to"),
                 ({"owner_id": "myself"}, "owner_id"), ({"account_id": "x"}, "account_id"), ({"limit": "0"}, "limit"),
                 ({"limit": "501"}, "limit"), ({"cursor": "garbage!!"}, "cursor"), ({"kind": "phone"}, "kind")):
        r = a.get("/api/v1/visits", q)
        ck.expect(r, 400, "visits %s -> 400 field %s" % (q, f), field=f, code="invalid")


# ---- calendar

def ics_lines(raw):
    """Physical lines (bytes, without CRLF) and problems with the line structure."""
    problems = []
    if not raw.endswith(b"\r\n"):
        problems.append("does not end with CRLF")
    body = raw[:-2] if raw.endswith(b"\r\n") else raw
    lines = body.split(b"\r\n")
    bare = [i for i, ln in enumerate(lines) if b"\n" in ln or b"\r" in ln]
    if bare:
        problems.append("bare LF/CR inside lines %s" % bare[:5])
    long_ = [(i, len(ln)) for i, ln in enumerate(lines) if len(ln) > 75]
    if long_:
        problems.append("lines longer than 75 octets: %s" % long_[:5])
    return lines, problems


def ics_unfold(lines):
    """Logical content lines (str) after unfolding."""
    out = []
    for ln in lines:
        if ln[:1] in (b" ", b"\t") and out:
            out[-1] += ln[1:]
        else:
            out.append(ln)
    return [x.decode("utf-8", "replace") for x in out]


def ics_events(logical):
    events, cur = [], None
    for ln in logical:
        if ln == "BEGIN:VEVENT":
            cur = {}
        elif ln == "END:VEVENT":
            events.append(cur)
            cur = None
        elif cur is not None and ":" in ln:
            k, v = ln.split(":", 1)
            cur[k.split(";", 1)[0]] = v
    return events


def ics_time(t):
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(t))


def feed(ctx, url):
    return ctx.client("calendar").get(url)


def g_calendar(ctx):
    ck = ctx.ck
    a = ctx.admin
    now = time.time()
    cal = ctx.new_user("cal", "account_manager")
    name = "日历测试客户，分公司; Calendar, Ltd " + ctx.tag + " " + "长" * 30
    CA = ctx.new_account(cal.key, members=[("am_e", "sales")], code=ctx.uniq("CAL"), name=name)
    cc = ctx.new_contact(CA, name="日历联系人")
    e1 = ctx.new_visit(CA, cal.key, contact_id=cc, kind="onsite", planned_at=iso(now + 2 * 86400))
    e2 = ctx.new_visit(CA, cal.key, kind="phone", planned_at=iso(now - 10 * 86400))
    e3 = ctx.new_visit(CA, cal.key, kind="phone", planned_at=iso(now - 40 * 86400))
    e4 = ctx.new_visit(CA, cal.key, kind="phone", planned_at=iso(now + 3 * 86400))
    e5 = ctx.new_visit(CA, cal.key, kind="phone", planned_at=iso(now + 4 * 86400))
    e6 = ctx.new_visit(CA, "am_e", kind="phone", planned_at=iso(now + 5 * 86400))
    ck.expect(a.patch("/api/v1/visits/%d" % e4, {"status": "cancelled"}), 200, "cancel e4")
    ck.expect(a.post("/api/v1/visits/%d/complete" % e5, {"outcome": "done"}), 200, "complete e5")
    planned = {v: a.get("/api/v1/visits/%d" % v).json.get("planned_at") for v in (e1, e2)}

    r = cal.client.post("/api/v1/calendar-token")
    if not ck.expect(r, 201, "POST /calendar-token -> 201 {url}",
                     json={"url": lambda u: isinstance(u, str) and bool(re.match(r"^/calendar/[^/?#]+\.ics$", u))}):
        return
    url = r.json["url"]
    r = feed(ctx, url)
    ok = ck.expect(r, 200, "GET the feed URL without a session -> 200")
    ct = (r.header("Content-Type") or "").lower()
    ck.ok(ct.startswith("text/calendar"), "feed Content-Type is text/calendar", repr(ct))
    if ok:
        lines, problems = ics_lines(r.body)
        ck.ok(not problems, "feed: every line ends with CRLF and is at most 75 octets", "; ".join(problems))
        try:
            r.body.decode("utf-8")
            ck.ok(True, "feed is valid UTF-8 (folding never splits a character)")
        except UnicodeDecodeError as e:
            ck.fail("feed is valid UTF-8 (folding never splits a character)", str(e))
        logical = ics_unfold(lines)
        ck.ok(logical[:1] == ["BEGIN:VCALENDAR"] and logical[-1:] == ["END:VCALENDAR"],
              "feed is one VCALENDAR", repr(logical[:2] + logical[-1:]))
        ck.ok("VERSION:2.0" in logical and any(x.startswith("PRODID:") for x in logical),
              "VCALENDAR has VERSION:2.0 and PRODID")
        ck.ok(len(logical) < len(lines), "long lines were folded", "%d physical, %d logical" % (len(lines), len(logical)))
        evs = ics_events(logical)
        uids = sorted(e.get("UID", "") for e in evs)
        ck.ok(uids == sorted(["visit-%d@kam" % e1, "visit-%d@kam" % e2]),
              "VEVENTs: exactly the user's planned visits from 30 days ago on (UID visit-<id>@kam)",
              "got %s; e1=%d e2=%d; not: 40 days ago %d, cancelled %d, done %d, someone else's %d"
              % (uids, e1, e2, e3, e4, e5, e6))
        for e in evs:
            vid = int(re.sub(r"\D", "", e.get("UID", "0")) or 0)
            if vid in planned:
                ck.ok(e.get("DTSTART") == ics_time(epoch(planned[vid])),
                      "VEVENT %s DTSTART = planned_at (UTC)" % e.get("UID"), repr(e))
                ck.ok(re.match(r"^\d{8}T\d{6}Z$", e.get("DTSTAMP", "")) is not None,
                      "VEVENT %s has a UTC DTSTAMP" % e.get("UID"), repr(e))
            if vid == e1:
                esc = name.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
                ck.ok(esc in e.get("SUMMARY", ""), "SUMMARY names the account, with , and ; escaped",
                      "SUMMARY %r" % e.get("SUMMARY"))
    # the feed is live: a rescheduled visit moves
    t_new = iso(now + 6 * 86400)
    ck.expect(a.patch("/api/v1/visits/%d" % e1, {"planned_at": t_new}), 200, "reschedule e1")
    r = feed(ctx, url)
    evs = ics_events(ics_unfold(ics_lines(r.body)[0])) if r.status == 200 else []
    ck.ok(any(e.get("UID") == "visit-%d@kam" % e1 and e.get("DTSTART") == ics_time(epoch(t_new)) for e in evs),
          "the feed shows the new time of a rescheduled visit", r.describe())

    # another user's token: their visits only
    r = ctx.U("am_e").client.post("/api/v1/calendar-token")
    if ck.expect(r, 201, "am_e makes a calendar token"):
        r2 = feed(ctx, r.json["url"])
        uids = [e.get("UID") for e in ics_events(ics_unfold(ics_lines(r2.body)[0]))] if r2.status == 200 else []
        ck.ok("visit-%d@kam" % e6 in uids and "visit-%d@kam" % e2 not in uids,
              "am_e's feed has am_e's visit and none of cal's", r2.describe())

    # a new token replaces the old one; DELETE revokes
    r = cal.client.post("/api/v1/calendar-token")
    if ck.expect(r, 201, "POST /calendar-token again -> a new URL"):
        url2 = r.json["url"]
        ck.ok(url2 != url, "the new URL differs from the old one", url2)
        ck.expect(feed(ctx, url), 404, "the old URL -> 404", code="not_found")
        ck.expect(feed(ctx, url2), 200, "the new URL -> 200")
        r = cal.client.delete("/api/v1/calendar-token")
        ck.expect(r, 204, "DELETE /calendar-token -> 204")
        ck.expect(feed(ctx, url2), 404, "the revoked URL -> 404", code="not_found")
        ck.expect(feed(ctx, url), 404, "the old URL still 404", code="not_found")
    for bad in ("/calendar/cal_nosuchtoken%s.ics" % ctx.tag, "/calendar/.ics", url[:-4], url + ".ics"):
        ck.expect(feed(ctx, bad), 404, "GET %s (no such calendar) -> 404" % bad, code="not_found")

    # a disabled user's feed stops working
    r = cal.client.post("/api/v1/calendar-token")
    if ck.expect(r, 201, "cal makes one more token"):
        url3 = r.json["url"]
        ck.expect(a.patch("/api/v1/users/%d" % cal.id, {"disabled": True}), 200, "disable cal")
        ck.expect(feed(ctx, url3), 404, "the feed of a disabled user -> 404", code="not_found")
