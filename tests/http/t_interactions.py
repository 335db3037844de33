"""Interactions (F2.2) and stakeholder freshness.

Interactions: CRUD round trips, the contacts' last_contacted_at moving forward (never back,
audited), contact_ids / material_type / occurred_at rules, the newest-first timeline and
its cursor, scope. Freshness: the settings, the contacts' `stale` flag, /stale-contacts.
Cascade: deleting a contact or an account takes its interactions, visits and issues along.
"""

import time

from lib import ANY, is_id, is_time, iso, epoch
from t_accounts import paginate

INTERACTION_SHAPE = {"id": is_id, "account_id": is_id, "user_id": ANY, "kind": str, "subject": str, "notes": str,
                     "material_type": ANY, "occurred_at": is_time, "visit_id": ANY, "contact_ids": list,
                     "version": int, "created_at": is_time, "updated_at": is_time}


def same_set(want):
    want = sorted(want)

    def pred(v):
        return isinstance(v, list) and sorted(v) == want
    pred.__name__ = "same set as %s" % want
    return pred


def near(t, slack=5):
    """An ISO time within `slack` seconds of unix time t."""
    def pred(v):
        e = epoch(v)
        return e is not None and abs(e - t) <= slack
    pred.__name__ = "within %d s of %s" % (slack, iso(t))
    return pred


def last_contacted(ctx, cid):
    r = ctx.admin.get("/api/v1/contacts/%d" % cid)
    return r.json.get("last_contacted_at") if r.status == 200 and isinstance(r.json, dict) else ("error", r.status)


def audit_rows(ctx, acc, entity=None, eid=None, action=None):
    items = ctx.audit_items("account", acc)
    if not isinstance(items, list):
        return []
    return [x for x in items if (entity is None or x.get("entity") == entity)
            and (eid is None or x.get("entity_id") == eid) and (action is None or x.get("action") == action)]


def g_interactions(ctx):
    ck = ctx.ck
    am = ctx.U("am_e")
    c = am.client
    now = time.time()
    K = ctx.new_account("am_e", code=ctx.uniq("INT"), name="互动客户 " + ctx.tag, tier="key")
    K2 = ctx.new_account("am_e", code=ctx.uniq("INT2"), name="另一互动客户 " + ctx.tag)
    c1 = ctx.new_contact(K, name="决策人甲", decision_role="decision_maker")
    c2 = ctx.new_contact(K, name="影响者乙", decision_role="influencer")
    c3 = ctx.new_contact(K, name="用户丙", decision_role="user")
    o1 = ctx.new_contact(K2, name="外部联系人")

    t1 = iso(now - 3 * 86400)
    body = {"kind": "meeting", "subject": "季度业务回顾", "notes": "讨论 2027 年框架协议\n下一步：报价",
            "occurred_at": t1, "contact_ids": [c2, c1]}
    r = c.post("/api/v1/accounts/%d/interactions" % K, body)
    want = dict(INTERACTION_SHAPE, kind="meeting", subject="季度业务回顾", notes=body["notes"], material_type=None,
                occurred_at=t1, visit_id=None, contact_ids=same_set([c1, c2]), account_id=K, user_id=am.id,
                version=1)
    if not ck.expect(r, 201, "POST interaction (meeting, two contacts) as account_manager -> 201", json=want):
        return
    i1 = r.json["id"]
    r = c.get("/api/v1/interactions/%d" % i1)
    ck.expect(r, 200, "GET interaction round-trips every field", json=dict(want, id=i1))
    r = c.get("/api/v1/accounts/%d/interactions" % K)
    ck.expect(r, 200, "the account timeline lists it", json={"items": [dict(want, id=i1)], "next_cursor": None})

    # last_contacted_at moves forward to occurred_at, audited
    ck.ok(last_contacted(ctx, c1) == t1 and last_contacted(ctx, c2) == t1,
          "logging the interaction set both contacts' last_contacted_at to occurred_at",
          "%r %r want %s" % (last_contacted(ctx, c1), last_contacted(ctx, c2), t1))
    ck.ok(last_contacted(ctx, c3) is None, "a contact not listed stays never contacted", repr(last_contacted(ctx, c3)))
    rows = [x for x in (ctx.audit_items("contact", c1) or []) if isinstance(x, dict)
            and (x.get("changes") or {}).get("last_contacted_at") == [None, t1]]
    ck.ok(len(rows) == 1, "contact audit has the last_contacted_at [null, occurred_at] row",
          repr(ctx.audit_items("contact", c1))[:500])
    rows = audit_rows(ctx, K, "interaction", i1, "create")
    ck.ok(len(rows) == 1 and rows[0].get("user_id") == am.id and rows[0].get("account_id") == K,
          "account audit has the interaction create row (by the caller)", repr(rows)[:400])

    # an older interaction never moves it back; a newer one moves it forward
    n_audit = len(ctx.audit_items("contact", c1))
    r = c.post("/api/v1/accounts/%d/interactions" % K, {"kind": "call", "subject": "旧电话",
                                                         "occurred_at": iso(now - 5 * 86400), "contact_ids": [c1]})
    ck.expect(r, 201, "POST an older interaction (5 days ago)")
    ck.ok(last_contacted(ctx, c1) == t1, "an older interaction does not move last_contacted_at back",
          "%r want %s" % (last_contacted(ctx, c1), t1))
    ck.ok(len(ctx.audit_items("contact", c1)) == n_audit, "...and writes no contact audit row")
    t3 = iso(now - 86400)
    r = c.post("/api/v1/accounts/%d/interactions" % K, {"kind": "email", "subject": "跟进邮件", "occurred_at": t3,
                                                         "contact_ids": [c1]})
    ck.expect(r, 201, "POST a newer interaction (1 day ago)")
    ck.ok(last_contacted(ctx, c1) == t3, "a newer interaction moves last_contacted_at forward",
          "%r want %s" % (last_contacted(ctx, c1), t3))
    rows = [x for x in (ctx.audit_items("contact", c1) or []) if isinstance(x, dict)
            and (x.get("changes") or {}).get("last_contacted_at") == [t1, t3]]
    ck.ok(len(rows) == 1, "contact audit has the [before, after] last_contacted_at row", repr(rows)[:300])

    # default occurred_at: now
    r = c.post("/api/v1/accounts/%d/interactions" % K, {"kind": "email", "subject": "无时间"})
    ck.expect(r, 201, "POST without occurred_at -> occurred_at is now", json={"occurred_at": near(time.time())})

    # PATCH: a later occurred_at and a new contact move contacts forward; an earlier one never back
    t4 = iso(now - 7200)
    r = c.patch("/api/v1/interactions/%d" % i1, {"occurred_at": t4, "contact_ids": [c1, c2, c3]})
    ck.expect(r, 200, "PATCH interaction occurred_at later + a third contact -> 200, version 2",
              json={"occurred_at": t4, "contact_ids": same_set([c1, c2, c3]), "version": 2})
    ck.ok([last_contacted(ctx, x) for x in (c1, c2, c3)] == [t4] * 3,
          "the PATCHed interaction moved all three contacts to its occurred_at",
          repr([last_contacted(ctx, x) for x in (c1, c2, c3)]))
    r = c.patch("/api/v1/interactions/%d" % i1, {"occurred_at": iso(now - 10 * 86400), "version": 2})
    ck.expect(r, 200, "PATCH occurred_at earlier (with the current version) -> 200", json={"version": 3})
    ck.ok([last_contacted(ctx, x) for x in (c1, c2, c3)] == [t4] * 3, "moving an interaction earlier moves no contact back",
          repr([last_contacted(ctx, x) for x in (c1, c2, c3)]))
    before = ctx.record_state("interactions", i1, K)
    r = c.patch("/api/v1/interactions/%d" % i1, {"subject": "过期版本", "version": 2})
    ck.expect(r, 409, "PATCH interaction with a stale version -> 409 field version", field="version", code="conflict")
    ck.same(before, ctx.record_state("interactions", i1, K), "stale PATCH changed nothing")
    r = c.patch("/api/v1/interactions/%d" % i1, {"contact_ids": [c1]})
    ck.expect(r, 200, "PATCH contact_ids down to one", json={"contact_ids": [c1]})
    rows = audit_rows(ctx, K, "interaction", i1, "update")
    ck.ok(len(rows) == 3, "one audit update row per successful interaction PATCH (3)", repr(rows)[:300])

    # contact_ids rules
    before = dict(ctx.rel_state(K), c=[last_contacted(ctx, x) for x in (c1, c2, c3, o1)])
    for name, ids in (("a contact of another account", [c1, o1]), ("an unknown contact", [999999999]),
                      ("the same contact twice", [c1, c1])):
        r = c.post("/api/v1/accounts/%d/interactions" % K, {"kind": "call", "subject": "坏联系人", "contact_ids": ids})
        ck.expect(r, 400, "POST contact_ids with %s -> 400 field contact_ids" % name, field="contact_ids",
                  code="invalid")
        r = c.patch("/api/v1/interactions/%d" % i1, {"contact_ids": ids})
        ck.expect(r, 400, "PATCH contact_ids with %s -> 400 field contact_ids" % name, field="contact_ids",
                  code="invalid")
    ck.same(before, dict(ctx.rel_state(K), c=[last_contacted(ctx, x) for x in (c1, c2, c3, o1)]),
            "refused contact_ids changed nothing (no interaction, no contact touched)")

    # material_type
    r = c.post("/api/v1/accounts/%d/interactions" % K, {"kind": "material", "subject": "行业报告",
                                                         "material_type": "industry_trends", "contact_ids": [c2]})
    ck.expect(r, 201, "POST material with material_type industry_trends -> 201",
              json={"kind": "material", "material_type": "industry_trends"})
    im = r.json.get("id") if r.status == 201 else None
    for mt in ("market_news", "product_info", "technology", "other"):
        r = c.post("/api/v1/accounts/%d/interactions" % K, {"kind": "material", "subject": "资料 " + mt,
                                                             "material_type": mt})
        ck.expect(r, 201, "material_type %s accepted" % mt, json={"material_type": mt})
    r = c.post("/api/v1/accounts/%d/interactions" % K, {"kind": "call", "subject": "电话", "material_type": None})
    ck.expect(r, 201, "kind call with material_type null -> 201", json={"material_type": None})
    before = ctx.rel_state(K)
    for name, b in (("material without material_type", {"kind": "material"}),
                    ("material with material_type null", {"kind": "material", "material_type": None}),
                    ("material with material_type brochure", {"kind": "material", "material_type": "brochure"}),
                    ("call with material_type other", {"kind": "call", "material_type": "other"}),
                    ("meeting with material_type technology", {"kind": "meeting", "material_type": "technology"})):
        r = c.post("/api/v1/accounts/%d/interactions" % K, dict(b, subject="资料规则"))
        ck.expect(r, 400, "POST %s -> 400 field material_type" % name, field="material_type", code="invalid")
    if im:
        r = c.patch("/api/v1/interactions/%d" % im, {"kind": "call"})
        ck.expect(r, 400, "PATCH material -> call keeping material_type -> 400 field material_type",
                  field="material_type", code="invalid")
    ck.same(before, ctx.rel_state(K), "refused material_type cases changed nothing")
    if im:
        r = c.patch("/api/v1/interactions/%d" % im, {"kind": "call", "material_type": None})
        ck.expect(r, 200, "PATCH material -> call with material_type null -> 200",
                  json={"kind": "call", "material_type": None})

    # occurred_at: not more than a day in the future
    r = c.post("/api/v1/accounts/%d/interactions" % K, {"kind": "call", "subject": "预约电话",
                                                         "occurred_at": iso(time.time() + 23 * 3600)})
    ck.expect(r, 201, "occurred_at 23 h in the future -> 201")
    before = ctx.rel_state(K)
    for label, dt in (("25 h", 25 * 3600), ("2 days", 2 * 86400), ("a year", 366 * 86400)):
        r = c.post("/api/v1/accounts/%d/interactions" % K, {"kind": "call", "subject": "未来", "contact_ids": [c3],
                                                             "occurred_at": iso(time.time() + dt)})
        ck.expect(r, 400, "occurred_at %s in the future -> 400 field occurred_at" % label, field="occurred_at",
                  code="invalid")
    if im:
        r = c.patch("/api/v1/interactions/%d" % im, {"occurred_at": iso(time.time() + 2 * 86400)})
        ck.expect(r, 400, "PATCH occurred_at 2 days in the future -> 400 field occurred_at", field="occurred_at",
                  code="invalid")
    ck.same(before, ctx.rel_state(K), "refused future occurred_at changed nothing")

    # scope
    for key, st in (("am_w", 404), ("viewer_e", 404), ("hr", 404), ("lead_e", 200), ("fin", 200)):
        r = ctx.U(key).client.get("/api/v1/interactions/%d" % i1)
        ck.expect(r, st, "%s GET an interaction of am_e's account -> %d" % (key, st))
    r = ctx.U("am_w").client.get("/api/v1/accounts/%d/interactions" % K)
    ck.expect(r, 404, "am_w GET the timeline of an account out of scope -> 404", code="not_found")

    # delete
    r = c.post("/api/v1/accounts/%d/interactions" % K, {"kind": "call", "subject": "待删除", "contact_ids": [c2]})
    if ck.expect(r, 201, "POST an interaction to delete"):
        idl = r.json["id"]
        r = c.delete("/api/v1/interactions/%d" % idl)
        ck.expect(r, 204, "DELETE interaction -> 204")
        for meth in ("GET", "PATCH", "DELETE"):
            r = c.request(meth, "/api/v1/interactions/%d" % idl, {"notes": "x"} if meth == "PATCH" else None)
            ck.expect(r, 404, "%s deleted interaction -> 404" % meth, code="not_found")
        rows = audit_rows(ctx, K, "interaction", idl, "delete")
        ck.ok(len(rows) == 1, "account audit has the interaction delete row", repr(rows)[:300])
    r = c.get("/api/v1/interactions/999999999")
    ck.expect(r, 404, "GET unknown interaction -> 404", code="not_found")
    r = c.post("/api/v1/accounts/999999999/interactions", {"kind": "call", "subject": "nobody"})
    ck.expect(r, 404, "POST interaction on an unknown account -> 404", code="not_found")


def g_timeline(ctx):
    """The timeline: newest first by occurred_at (ties by id), pages, kind filter."""
    ck = ctx.ck
    a = ctx.admin
    T = ctx.new_account("am_e", code=ctx.uniq("TL"), name="Timeline " + ctx.tag)
    now = time.time()
    offs = [(5, "call"), (1, "email"), (3, "meeting"), (1, "call"), (9, "visit"), (3, "call"), (0, "material")]
    made = []
    for days, kind in offs:
        b = {"kind": kind, "subject": "tl %d %s" % (days, kind), "occurred_at": iso(now - days * 86400 - 60)}
        if kind == "material":
            b["material_type"] = "other"
        r = a.post("/api/v1/accounts/%d/interactions" % T, b)
        if ck.expect(r, 201, "timeline setup: %s %d days ago" % (kind, days)):
            made.append((r.json["occurred_at"], r.json["id"], kind))
    want = [i for _, i, _ in sorted(made, reverse=True)]
    items = paginate(ctx, a, "/api/v1/accounts/%d/interactions" % T, {}, 2, "timeline limit=2")
    if items is not None:
        ck.ok([x.get("id") for x in items] == want, "timeline pages: newest occurred_at first, ties by id desc",
              "got %s want %s" % ([(x.get("id"), x.get("occurred_at")) for x in items], want))
    r = a.get("/api/v1/accounts/%d/interactions" % T, {"limit": "3"})
    ck.expect(r, 200, "timeline limit=3 -> 3 items and a cursor", json={"items": [ANY] * 3, "next_cursor": str})
    r = a.get("/api/v1/accounts/%d/interactions" % T, {"kind": "call", "limit": "500"})
    ck.ok(r.status == 200 and [x.get("id") for x in r.items or []] ==
          [i for _, i, k in sorted(made, reverse=True) if k == "call"], "timeline kind=call filter, newest first",
          r.describe())
    for q, f in (({"kind": "fax"}, "kind"), ({"limit": "0"}, "limit"), ({"limit": "501"}, "limit"),
                 ({"cursor": "garbage!!"}, "cursor"), ({"sort": "subject"}, "sort")):
        r = a.get("/api/v1/accounts/%d/interactions" % T, q)
        ck.expect(r, 400, "timeline %s -> 400 field %s" % (q, f), field=f, code="invalid")


def g_freshness(ctx):
    ck = ctx.ck
    a = ctx.admin
    r = a.get("/api/v1/settings/freshness")
    shape = {"strategic": int, "key": int, "growth": int, "maintain": int}
    if not ck.expect(r, 200, "GET /settings/freshness -> the four tiers in days", json=shape):
        return
    orig = r.json
    try:
        _freshness(ctx, orig)
    finally:
        a.patch("/api/v1/settings/freshness", {k: orig[k] for k in shape})


def _freshness(ctx, orig):
    ck = ctx.ck
    a = ctx.admin
    r = a.patch("/api/v1/settings/freshness", {"strategic": 30, "key": 45})
    ck.expect(r, 200, "PATCH freshness strategic=30 key=45 as admin -> the whole object",
              json={"strategic": 30, "key": 45, "growth": orig["growth"], "maintain": orig["maintain"]})
    r = ctx.U("dir").client.patch("/api/v1/settings/freshness", {"growth": 60})
    ck.expect(r, 200, "PATCH freshness as director -> 200", json={"growth": 60, "strategic": 30})
    for v in (1, 365):
        r = a.patch("/api/v1/settings/freshness", {"maintain": v})
        ck.expect(r, 200, "freshness maintain=%d accepted (boundary)" % v, json={"maintain": v})
    a.patch("/api/v1/settings/freshness", {"maintain": orig["maintain"]})

    F = ctx.new_user("fresh", "account_manager", login=False)
    S = ctx.new_account(F.key, code=ctx.uniq("FS"), name="保鲜战略 " + ctx.tag, tier="strategic")
    K = ctx.new_account(F.key, code=ctx.uniq("FK"), name="保鲜重点 " + ctx.tag, tier="key")
    now = time.time()

    def contact(acc, name, role, days_ago):
        cid = ctx.new_contact(acc, name=name, decision_role=role)
        if days_ago is not None:
            ctx.new_interaction(acc, subject="上次联系 " + name, contact_ids=[cid],
                                occurred_at=iso(now - days_ago * 86400 - 600))
        return cid

    dm_never = contact(S, "从未联系的决策人", "decision_maker", None)
    ch_60 = contact(S, "六十天前的支持者", "champion", 60)
    ch_40 = contact(S, "四十天前的支持者", "champion", 40)
    dm_10 = contact(S, "十天前的决策人", "decision_maker", 10)
    inf_never = contact(S, "从未联系的影响者", "influencer", None)
    dm_k40 = contact(K, "重点四十天决策人", "decision_maker", 40)
    ch_k50 = contact(K, "重点五十天支持者", "champion", 50)
    expect = {dm_never: True, ch_60: True, ch_40: True, dm_10: False, inf_never: False, dm_k40: False, ch_k50: True}
    for cid, st in expect.items():
        r = a.get("/api/v1/contacts/%d" % cid)
        ck.expect(r, 200, "contact %s: stale %s" % (r.json and r.json.get("name"), st), json={"stale": st})
    r = a.get("/api/v1/accounts/%d/contacts" % S, {"limit": "500"})
    got = {x.get("id"): x.get("stale") for x in (r.items or [])}
    ck.ok(got == {k: v for k, v in expect.items() if k in got} and len(got) == 5,
          "the contact list carries the same stale flags", repr(got))

    items = paginate(ctx, a, "/api/v1/stale-contacts", {"owner_id": str(F.id)}, 1, "stale-contacts limit=1")
    if items is not None:
        ids = [x.get("id") for x in items]
        ck.ok(set(ids) == {c for c, s in expect.items() if s},
              "stale-contacts?owner_id: exactly the stale decision makers and champions", repr(ids))
        byid = {x.get("id"): x for x in items}
        for cid, days, acc, tier in ((ch_40, 40, S, "strategic"), (ch_k50, 50, K, "key"), (dm_never, None, S, "strategic")):
            if cid in byid:
                ck.matches(byid[cid], {"stale": True, "account_id": acc, "tier": tier, "account_name": str,
                                       "decision_role": str, "last_contacted_at": ANY, "name": str},
                           "stale item: a contact plus account_name, tier (%s)" % tier)
                if days is not None:
                    ck.ok(byid[cid].get("days_since") == days, "stale item days_since = %d" % days,
                          repr(byid[cid].get("days_since")))
                else:
                    ck.ok(byid[cid].get("days_since") is None or isinstance(byid[cid].get("days_since"), int),
                          "never contacted: days_since null or a number", repr(byid[cid].get("days_since")))
        pos = {c: i for i, c in enumerate(ids)}
        if all(c in pos for c in (dm_never, ch_60, ch_40, ch_k50)):
            ck.ok(pos[dm_never] == 0, "most overdue first: the never contacted one leads", repr(ids))
            ck.ok(pos[ch_60] < pos[ch_40], "most overdue first within a tier: 60 days before 40 days", repr(ids))
            # strategic 40 d with 30 d freshness is 10 days overdue; key 50 d with 45 d is 5 days overdue
            ck.ok(pos[ch_40] < pos[ch_k50],
                  "most overdue first across tiers: 10 days overdue (strategic, 40 d since) before "
                  "5 days overdue (key, 50 d since)",
                  "order %s: %s" % (ids, [(x.get("name"), x.get("tier"), x.get("days_since")) for x in items]))

    # scope and filters
    for key in ("am_w", "viewer_x", "am_e"):
        its, _, err = ctx.U(key).client.list_all("/api/v1/stale-contacts")
        ck.ok(err is None and not ({x.get("id") for x in its} & set(expect)),
              "%s (F's accounts out of scope) sees none of them in stale-contacts" % key,
              err.describe() if err else "")
    r = a.get("/api/v1/stale-contacts", {"owner_id": str(ctx.U("am_w").id), "limit": "500"})
    ck.ok(r.status == 200 and not ({x.get("id") for x in r.items or []} & set(expect)),
          "stale-contacts?owner_id=another owner lists none of them", r.describe())
    for q, f in (({"limit": "0"}, "limit"), ({"cursor": "garbage!!"}, "cursor"), ({"owner_id": "x"}, "owner_id"),
                 ({"tier": "key"}, "tier")):
        r = a.get("/api/v1/stale-contacts", q)
        ck.expect(r, 400, "stale-contacts %s -> 400 field %s" % (q, f), field=f, code="invalid")

    # contacting them clears the flag; a longer freshness too
    ctx.new_interaction(S, kind="call", subject="终于联系上", contact_ids=[dm_never])
    r = a.get("/api/v1/contacts/%d" % dm_never)
    ck.expect(r, 200, "after an interaction the decision maker is no longer stale", json={"stale": False})
    r = a.patch("/api/v1/settings/freshness", {"strategic": 45})
    ck.expect(r, 200, "PATCH freshness strategic=45")
    r = a.get("/api/v1/contacts/%d" % ch_40)
    ck.expect(r, 200, "strategic freshness 45: the champion contacted 40 days ago is no longer stale",
              json={"stale": False})
    its, _, err = a.list_all("/api/v1/stale-contacts", {"owner_id": str(F.id)})
    ck.ok(err is None and sorted(x.get("id") for x in its) == sorted([ch_60, ch_k50]),
          "stale-contacts follows: only the 60-day and key 50-day champions remain",
          repr([x.get("name") for x in its]))

    # validation: nothing changes
    before = ctx.config_state()
    for name, b, f in (("strategic 0", {"strategic": 0}, "strategic"), ("key 366", {"key": 366}, "key"),
                       ("growth -1", {"growth": -1}, "growth"), ("maintain string", {"maintain": "90"}, "maintain"),
                       ("maintain 1.5", {"maintain": 1.5}, "maintain"), ("maintain null", {"maintain": None}, "maintain"),
                       ("unknown tier", {"platinum": 10}, "platinum"),
                       ("one valid, one invalid", {"strategic": 20, "key": 0}, "key")):
        r = a.patch("/api/v1/settings/freshness", b)
        ck.expect(r, 400, "PATCH freshness %s -> 400 field %s" % (name, f), field=f, code="invalid")
    ck.same(before, ctx.config_state(), "refused freshness PATCHes changed nothing")


def g_cascade(ctx):
    """Deleting a contact unlinks it; deleting an account takes its interactions, visits
    and issues along, each audited."""
    ck = ctx.ck
    a = ctx.admin
    A = ctx.new_account("am_e", code=ctx.uniq("CAS"), name="级联 " + ctx.tag, tier="key")
    cx = ctx.new_contact(A, name="将被删除", decision_role="decision_maker")
    cy = ctx.new_contact(A, name="留下")
    i1 = ctx.new_interaction(A, kind="meeting", contact_ids=[cx, cy])
    v1 = ctx.new_visit(A, "am_e", contact_id=cx)
    x1 = ctx.new_issue(A, contact_id=cx, severity="low")
    r = a.delete("/api/v1/contacts/%d" % cx)
    ck.expect(r, 204, "DELETE a contact named by an interaction, a visit and an issue -> 204")
    ck.expect(a.get("/api/v1/interactions/%d" % i1), 200, "the interaction stays, without the contact",
              json={"contact_ids": [cy]})
    ck.expect(a.get("/api/v1/visits/%d" % v1), 200, "the visit stays, contact_id null", json={"contact_id": None})
    ck.expect(a.get("/api/v1/issues/%d" % x1), 200, "the issue stays, contact_id null", json={"contact_id": None})

    v2 = ctx.new_visit(A, "am_e", contact_id=cy)
    r = a.post("/api/v1/visits/%d/complete" % v2, {"outcome": "完成"})
    ck.expect(r, 200, "complete a visit (its interaction links back to it)")
    i2 = r.json.get("interaction_id") if r.status == 200 else None
    r = a.delete("/api/v1/accounts/%d" % A)
    ck.expect(r, 204, "DELETE the account with interactions, a completed visit and an issue -> 204")
    for path in ["/api/v1/interactions/%d" % i for i in (i1, i2) if i] + ["/api/v1/visits/%d" % v for v in (v1, v2)] + \
            ["/api/v1/issues/%d" % x1]:
        ck.expect(a.get(path), 404, "GET %s after the account is gone -> 404" % path, code="not_found")
    rows = audit_rows(ctx, A, action="delete")
    got = sorted((x.get("entity"), x.get("entity_id")) for x in rows)
    want = sorted([("account", A), ("contact", cy), ("interaction", i1), ("interaction", i2), ("visit", v1),
                   ("visit", v2), ("issue", x1)])
    ck.ok(all(w in got for w in want), "account delete: a delete audit row for each interaction, visit and issue",
          "got %s, want at least %s" % (got, want))

    # the history of a deleted account must not become the history of a new account (on SQLite an
    # INTEGER PRIMARY KEY without AUTOINCREMENT hands the deleted newest id out again)
    aw = ctx.U("am_w").client
    r = aw.post("/api/v1/accounts", {"code": ctx.uniq("NEW"), "name": "删除之后的新客户 " + ctx.tag})
    if ck.expect(r, 201, "am_w creates an account right after the deletion"):
        B = r.json["id"]
        rows, _, err = aw.list_all("/api/v1/audit", {"entity": "account", "id": str(B)})
        foreign = [(x.get("entity"), x.get("entity_id"), x.get("action"), x.get("user_login")) for x in rows
                   if not (x.get("entity") == "account" and x.get("action") == "create")]
        ck.ok(err is None and len(rows) == 1 and not foreign,
              "the new account's history (read by its owner am_w) is its own create row only, nothing of the "
              "deleted account",
              "new id %d, deleted id %d; %d rows, foreign: %s" % (B, A, len(rows), foreign[:8]))
