"""Account team members and record scope (explicit cases; the generated
matrix is in t_matrix.py)."""

from lib import is_time


def g_members(ctx):
    ck = ctx.ck
    a = ctx.admin
    A, AO = ctx.ids["A_own"], ctx.ids["A_other"]
    r = a.get("/api/v1/accounts/%d/members" % A)
    if ck.expect(r, 200, "GET members", json={"items": list}):
        by = {m.get("user_id"): m for m in r.items}
        for key, dept in (("service_e", "service"), ("viewer_e", "marketing")):
            u = ctx.U(key)
            ck.ok(by.get(u.id) is not None and by[u.id].get("login") == u.login and by[u.id].get("name") == u.name
                  and by[u.id].get("dept_role") == dept and is_time(by[u.id].get("created_at")),
                  "member %s listed with login, name, dept_role=%s, created_at" % (key, dept), repr(by.get(u.id)))
        ck.ok(len(r.items) == 2, "A_own has exactly its 2 members", repr(r.items))

    vx = ctx.U("viewer_x")
    amw = ctx.U("am_w").client
    r = vx.client.get("/api/v1/accounts/%d" % AO)
    ck.expect(r, 404, "viewer_x cannot see A_other before joining its team", code="not_found")
    r = amw.post("/api/v1/accounts/%d/members" % AO, {"user_id": vx.id, "dept_role": "technical"})
    ck.expect(r, 201, "owner adds a member -> 201", json={"user_id": vx.id, "dept_role": "technical"})
    r = vx.client.get("/api/v1/accounts/%d" % AO)
    ck.expect(r, 200, "new member can read the account", json={"id": AO})
    r = vx.client.get("/api/v1/contacts/%d" % ctx.ids["C_other"])
    ck.expect(r, 200, "new member can read its contacts", json={"id": ctx.ids["C_other"]})
    r = vx.client.get("/api/v1/accounts", {"limit": "500"})
    ck.ok(r.status == 200 and AO in [i.get("id") for i in r.items or []], "account appears in the member's list",
          r.describe())
    before = ctx.acct_state(AO)
    r = vx.client.patch("/api/v1/accounts/%d" % AO, {"alias": "viewer edit"})
    ck.expect(r, 403, "viewer member may read but not change -> 403", code="forbidden")
    ck.same(before, ctx.acct_state(AO), "refused viewer PATCH changed nothing")
    r = a.get("/api/v1/accounts/%d/members" % AO)
    ck.ok(r.status == 200 and [(m.get("user_id"), m.get("dept_role")) for m in r.items or []] == [(vx.id, "technical")],
          "member list shows the new member", r.describe())
    r = amw.delete("/api/v1/accounts/%d/members/%d" % (AO, vx.id))
    ck.expect(r, 204, "owner removes the member -> 204")
    r = vx.client.get("/api/v1/accounts/%d" % AO)
    ck.expect(r, 404, "removed member no longer sees the account", code="not_found")
    r = amw.delete("/api/v1/accounts/%d/members/%d" % (AO, vx.id))
    ck.expect(r, 404, "removing a non-member -> 404", code="not_found")
    r = amw.delete("/api/v1/accounts/%d/members/999999999" % AO)
    ck.expect(r, 404, "removing an unknown user -> 404", code="not_found")
    r = a.get("/api/v1/accounts/999999999/members")
    ck.expect(r, 404, "members of an unknown account -> 404", code="not_found")


SEES = {
    # key: (sees A_own, sees A_other)
    "admin": (True, True), "dir": (True, True), "fin": (True, True),
    "lead0": (True, True),      # manager of Sales, up the tree of East and West
    "lead_e": (True, False), "lead_w": (False, True),
    "am_e": (True, False), "am_w": (False, True),
    "service_e": (True, False), "viewer_e": (True, False),  # account team of A_own
    "viewer_x": (False, False), "hr": (False, False),
}


def g_scope(ctx):
    ck = ctx.ck
    A, AO, C, CO = ctx.ids["A_own"], ctx.ids["A_other"], ctx.ids["C_own"], ctx.ids["C_other"]
    for key, (own, other) in SEES.items():
        c = ctx.U(key).client
        for acc, con, sees, label in ((A, C, own, "A_own"), (AO, CO, other, "A_other")):
            st = 200 if sees else 404
            r = c.get("/api/v1/accounts/%d" % acc)
            ck.expect(r, st, "%s GET %s -> %d" % (key, label, st))
            r = c.get("/api/v1/contacts/%d" % con)
            ck.expect(r, st, "%s GET contact of %s -> %d" % (key, label, st))
            r = c.get("/api/v1/accounts/%d/contacts" % acc)
            ck.expect(r, st, "%s GET contacts of %s -> %d" % (key, label, st))
            r = c.get("/api/v1/audit", {"entity": "account", "id": str(acc)})
            ck.expect(r, st, "%s GET audit of %s -> %d" % (key, label, st))
        if key == "hr":
            r = c.get("/api/v1/accounts")
            ck.expect(r, 403, "hr GET /api/v1/accounts -> 403", code="forbidden")
            continue
        items, _, err = c.list_all("/api/v1/accounts")
        if err is not None:
            ck.fail("%s lists accounts" % key, err.describe())
            continue
        ids = {i.get("id") for i in items}
        ck.ok((A in ids) == own and (AO in ids) == other,
              "%s account list shows exactly what it may read (A_own %s, A_other %s)" % (key, own, other),
              "A_own listed %s, A_other listed %s" % (A in ids, AO in ids))

    # scope through a manager of an account-team member
    M = ctx.new_account("am_w", members=[("service_e", "service")], code=ctx.uniq("MEM"), name="Member scope " + ctx.tag)
    for key, st in (("lead_e", 200), ("lead_w", 200), ("lead0", 200), ("service_e", 200), ("am_w", 200),
                    ("am_e", 404), ("viewer_e", 404), ("viewer_x", 404)):
        r = ctx.U(key).client.get("/api/v1/accounts/%d" % M)
        ck.expect(r, st, "%s GET account whose team has service_e -> %d" % (key, st))

    # readable but not writable -> 403; unreadable -> 404; nothing changes either way
    cases = [
        ("viewer_e", "PATCH", "/api/v1/accounts/%d" % A, {"alias": "x"}, 403, A),
        ("service_e", "PATCH", "/api/v1/accounts/%d" % A, {"alias": "x"}, 403, A),
        ("fin", "PATCH", "/api/v1/accounts/%d" % AO, {"alias": "x"}, 403, AO),
        ("am_e", "DELETE", "/api/v1/accounts/%d" % A, None, 403, A),
        ("viewer_e", "POST", "/api/v1/accounts/%d/contacts" % A, {"name": "x"}, 403, A),
        ("lead_e", "PATCH", "/api/v1/accounts/%d" % AO, {"alias": "x"}, 404, AO),
        ("am_e", "DELETE", "/api/v1/accounts/%d" % AO, None, 404, AO),
        ("hr", "PATCH", "/api/v1/accounts/%d" % A, {"alias": "x"}, 404, A),
        ("viewer_x", "POST", "/api/v1/accounts/%d/members" % A, {"user_id": ctx.U("viewer_x").id, "dept_role": "sales"}, 404, A),
        ("service_e", "PATCH", "/api/v1/contacts/%d" % CO, {"notes": "x"}, 404, AO),
    ]
    for key, meth, path, body, st, acc in cases:
        before = ctx.acct_state(acc)
        c = ctx.U(key).client
        r = c.request(meth, path, body) if body is not None else c.request(meth, path)
        ck.expect(r, st, "%s %s %s -> %d" % (key, meth, path, st), code="forbidden" if st == 403 else "not_found")
        ck.same(before, ctx.acct_state(acc), "%s %s %s changed nothing" % (key, meth, path))
    r = ctx.U("service_e").client.patch("/api/v1/contacts/%d" % C, {"notes": "service may edit contacts in scope"})
    ck.expect(r, 200, "service_e PATCH contact of A_own -> 200", json={"notes": "service may edit contacts in scope"})
