"""Contacts: CRUD round trips, defaults, versioning, list sort/filter/search,
reports_to rules."""

from lib import ANY, is_id, is_time
from t_accounts import paginate, _ids

CONTACT_SHAPE = {"id": is_id, "account_id": is_id, "name": str, "title": ANY, "department": ANY,
                 "decision_role": str, "influence": int, "attitude": int, "reports_to_id": ANY, "phone": ANY,
                 "email": ANY, "birthday": ANY, "last_contacted_at": ANY, "notes": ANY, "version": int,
                 "created_at": is_time, "updated_at": is_time}


def g_contacts(ctx):
    ck = ctx.ck
    am = ctx.U("am_e").client
    a = ctx.admin
    K = ctx.new_account("am_e", code=ctx.uniq("K"), name="联系人测试 " + ctx.tag)
    K2 = ctx.new_account("am_e", code=ctx.uniq("K2"), name="另一客户 " + ctx.tag)
    full = {"name": "张伟", "title": "采购总监", "department": "采购部", "decision_role": "decision_maker",
            "influence": 5, "attitude": 1, "reports_to_id": None, "phone": "+86 138 0000 0000",
            "email": "zhang.wei@example.cn", "birthday": "1975-04-12", "notes": "首次拜访：2023 年"}
    r = am.post("/api/v1/accounts/%d/contacts" % K, full)
    want = dict(CONTACT_SHAPE, **full)
    want.update(account_id=K, version=1, last_contacted_at=None)
    if not ck.expect(r, 201, "POST contact with all fields -> 201", json=want):
        return
    cz = r.json["id"]
    created = r.json["created_at"]
    r = am.get("/api/v1/contacts/%d" % cz)
    ck.expect(r, 200, "GET contact round-trips every field", json=dict(want, id=cz, created_at=created))

    r = am.post("/api/v1/accounts/%d/contacts" % K, {"name": "李娜"})
    ck.expect(r, 201, "POST minimal contact -> defaults other/3/0/null",
              json=dict(CONTACT_SHAPE, name="李娜", decision_role="other", influence=3, attitude=0,
                        reports_to_id=None, birthday=None, account_id=K, version=1))
    cl = r.json["id"] if r.status == 201 else None

    r = am.patch("/api/v1/contacts/%d" % cz, {"influence": 4, "attitude": -2})
    ck.expect(r, 200, "PATCH influence/attitude -> version 2",
              json=dict(want, id=cz, influence=4, attitude=-2, version=2, created_at=created))
    before = ctx.contact_state(cz, K)
    r = am.patch("/api/v1/contacts/%d" % cz, {"version": 1, "influence": 1})
    ck.expect(r, 409, "PATCH contact with stale version -> 409 field version", field="version", code="conflict")
    ck.same(before, ctx.contact_state(cz, K), "stale contact PATCH changed nothing")
    r = am.patch("/api/v1/contacts/%d" % cz, {"version": 2, "birthday": "2024-02-29"})
    ck.expect(r, 200, "PATCH with current version, leap-day birthday 2024-02-29",
              json={"birthday": "2024-02-29", "version": 3})
    for f, v in (("birthday", None), ("email", ""), ("notes", "备" * 2000), ("title", "t" * 100),
                 ("phone", "9" * 40), ("influence", 1), ("attitude", 2), ("decision_role", "champion"),
                 ("email", "x" * 64 + "@" + "d" * 63 + "." + "e" * 63 + "." + "f" * 58 + ".cn"), ("notes", "第一行\n第二行\r\n\tindented")):
        r = am.patch("/api/v1/contacts/%d" % cz, {f: v})
        ck.expect(r, 200, "PATCH contact %s=%s accepted (boundary)" % (f, repr(v)[:30]), json={f: v})

    # list, sort, filter, search on a dedicated account with ASCII names
    K3 = ctx.new_account("am_e", code=ctx.uniq("K3"), name="Contact list " + ctx.tag)
    roles = ["champion", "user", "champion", "gatekeeper", "influencer", "other", "decision_maker"]
    infl = [2, 5, 1, 4, 3, 5, 2]
    made = {}
    for i in range(7):
        ni = (i * 3) % 7
        cid = ctx.new_contact(K3, name="Ct%sN%d" % (ctx.tag, ni), influence=infl[i], decision_role=roles[i])
        made[cid] = {"ni": ni, "inf": infl[i], "role": roles[i]}
    all_ids = set(made)
    for s, key in ((None, lambda c: made[c]["ni"]), ("name", lambda c: made[c]["ni"]), ("-name", lambda c: -made[c]["ni"]),
                   ("id", lambda c: c), ("-id", lambda c: -c), ("influence", None), ("-influence", None)):
        qq = {"sort": s} if s else {}
        items = paginate(ctx, a, "/api/v1/accounts/%d/contacts" % K3, qq, 2, "contacts sort=%s limit=2" % s)
        if items is None:
            continue
        got = [it.get("id") for it in items]
        ck.ok(set(got) == all_ids and len(got) == 7, "contacts sort=%s: pages cover all 7" % s, repr(got))
        if key:
            ck.ok(got == sorted(all_ids, key=key), "contacts sort=%s: order" % s, repr([made.get(i) for i in got]))
        else:
            infs = [it.get("influence") for it in items]
            want = sorted(infs, reverse=(s == "-influence"))
            ck.ok(infs == want, "contacts sort=%s: order" % s, repr(infs))
    r = a.get("/api/v1/accounts/%d/contacts" % K3, {"decision_role": "champion", "limit": "500"})
    ck.ok(_ids(r) == sorted(c for c in made if made[c]["role"] == "champion"), "contacts filter decision_role=champion",
          r.describe())
    r = a.get("/api/v1/accounts/%d/contacts" % K3, {"q": "n4", "limit": "500"})
    ck.ok(_ids(r) == sorted(c for c in made if made[c]["ni"] == 4), "contacts q substring, case-insensitive", r.describe())
    r = a.get("/api/v1/accounts/%d/contacts" % K, {"q": "张", "limit": "500"})
    ck.ok(_ids(r) == [cz], "contacts q Chinese substring", r.describe())
    r = a.get("/api/v1/accounts/%d/contacts" % K3, {"sort": "title"})
    ck.expect(r, 400, "contacts sort=title -> 400 field sort", field="sort", code="invalid")
    r = a.get("/api/v1/accounts/%d/contacts" % K3, {"decision_role": "boss"})
    ck.expect(r, 400, "contacts decision_role=boss -> 400 field decision_role", field="decision_role", code="invalid")
    r = a.get("/api/v1/accounts/%d/contacts" % K3, {"limit": "501"})
    ck.expect(r, 400, "contacts limit=501 -> 400 field limit", field="limit", code="invalid")
    r = a.get("/api/v1/accounts/%d/contacts" % K3, {"cursor": "garbage!!"})
    ck.expect(r, 400, "contacts bad cursor -> 400 field cursor", field="cursor", code="invalid")
    r = a.get("/api/v1/accounts/999999999/contacts")
    ck.expect(r, 404, "contacts of an unknown account -> 404", code="not_found")
    r = a.post("/api/v1/accounts/999999999/contacts", {"name": "nobody"})
    ck.expect(r, 404, "POST contact on an unknown account -> 404", code="not_found")

    # reports_to
    if cl is None:
        return
    r = am.patch("/api/v1/contacts/%d" % cz, {"reports_to_id": cl})
    ck.expect(r, 200, "reports_to_id a contact of the same account", json={"reports_to_id": cl})
    r = am.post("/api/v1/accounts/%d/contacts" % K, {"name": "王芳", "reports_to_id": cz})
    ck.expect(r, 201, "POST contact reporting to another one", json={"reports_to_id": cz})
    c3 = r.json["id"] if r.status == 201 else None
    for target, boss, what in ((cl, cz, "2-cycle"), (cz, cz, "itself"), (cl, c3, "3-cycle")):
        if target is None or boss is None:
            continue
        before = ctx.contact_state(target, K)
        r = am.patch("/api/v1/contacts/%d" % target, {"reports_to_id": boss})
        ck.expect(r, 409, "reports_to_id %s -> 409 field reports_to_id" % what, field="reports_to_id", code="conflict")
        ck.same(before, ctx.contact_state(target, K), "reports_to %s changed nothing" % what)
    other = ctx.new_contact(K2, name="外部联系人")
    before = ctx.contact_state(cl, K)
    r = am.patch("/api/v1/contacts/%d" % cl, {"reports_to_id": other})
    ck.expect(r, 400, "PATCH reports_to_id a contact of another account -> 400 field reports_to_id",
              field="reports_to_id", code="invalid")
    r = am.post("/api/v1/accounts/%d/contacts" % K, {"name": "跨客户", "reports_to_id": other})
    ck.expect(r, 400, "POST reports_to_id a contact of another account -> 400 field reports_to_id",
              field="reports_to_id", code="invalid")
    r = am.patch("/api/v1/contacts/%d" % cl, {"reports_to_id": 999999999})
    ck.expect(r, 400, "reports_to_id unknown contact -> 400 field reports_to_id", field="reports_to_id", code="invalid")
    ck.same(before, ctx.contact_state(cl, K), "refused reports_to changes changed nothing")

    # deleting the boss nulls the reporter's reports_to_id (audited)
    r = am.delete("/api/v1/contacts/%d" % cl)
    ck.expect(r, 204, "DELETE contact others report to -> 204")
    r = am.get("/api/v1/contacts/%d" % cz)
    ck.expect(r, 200, "reporter's reports_to_id became null", json={"reports_to_id": None})
    items = ctx.audit_items("contact", cz)
    rows = [it for it in items if isinstance(it, dict) and it.get("action") == "update"
            and isinstance(it.get("changes"), dict) and it["changes"].get("reports_to_id") == [cl, None]] \
        if isinstance(items, list) else []
    ck.ok(len(rows) == 1, "audit has the reports_to_id [boss, null] update of the reporter", repr(items)[:600])
    r = am.get("/api/v1/contacts/%d" % cl)
    ck.expect(r, 404, "GET deleted contact -> 404", code="not_found")
    r = am.delete("/api/v1/contacts/%d" % cl)
    ck.expect(r, 404, "DELETE deleted contact -> 404", code="not_found")
    r = am.patch("/api/v1/contacts/%d" % cl, {"name": "zombie"})
    ck.expect(r, 404, "PATCH deleted contact -> 404", code="not_found")
