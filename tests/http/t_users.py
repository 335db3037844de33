"""Me, users, teams, password change."""

from lib import is_id, is_time, ABSENT
from fixtures import USER_SHAPE
from t_accounts import paginate


def g_users(ctx):
    ck = ctx.ck
    a = ctx.admin
    am = ctx.U("am_e")
    r = am.client.get("/api/v1/me")
    ck.expect(r, 200, "GET /api/v1/me -> the user",
              json=dict(USER_SHAPE, id=am.id, login=am.login, name=am.name, email="%s@example.com" % am.login,
                        role="account_manager", team_id=ctx.teams["east"], disabled=False,
                        created_at=is_time, updated_at=is_time, password=ABSENT, password_hash=ABSENT))

    east = {ctx.U(k).id for k in ("lead_e", "am_e", "service_e", "viewer_e")}
    items = paginate(ctx, a, "/api/v1/users", {"team_id": str(ctx.teams["east"])}, 2, "users team_id=East limit=2")
    if items is not None:
        ck.ok({i.get("id") for i in items} == east and len(items) == 4, "users filter team_id=East -> its 4 users",
              repr([i.get("login") for i in items]))
        ck.ok(all(not [k for k in i if "pass" in k or "hash" in k] for i in items), "user list items carry no password material",
              repr(items[0]))
    r = a.get("/api/v1/users", {"team_id": str(ctx.teams["east"]), "role": "viewer"})
    ck.ok(r.status == 200 and [i.get("id") for i in r.items or []] == [ctx.U("viewer_e").id],
          "users filter team_id + role=viewer", r.describe())
    r = a.get("/api/v1/users", {"q": "service_e_" + ctx.tag})
    ck.ok(r.status == 200 and [i.get("id") for i in r.items or []] == [ctx.U("service_e").id],
          "users q=login", r.describe())
    r = a.get("/api/v1/users", {"q": "SERVICE_E_" + ctx.tag.upper()})
    ck.ok(r.status == 200 and [i.get("id") for i in r.items or []] == [ctx.U("service_e").id],
          "users q is case-insensitive", r.describe())
    r = a.get("/api/v1/users", {"q": "华东组"})
    ck.ok(r.status == 200 and ctx.U("lead_e").id in [i.get("id") for i in r.items or []],
          "users q Chinese substring of the name", r.describe())
    for p, v in (("role", "root"), ("limit", "0"), ("limit", "501"), ("cursor", "garbage!!"), ("team_id", "x")):
        r = a.get("/api/v1/users", {p: v})
        ck.expect(r, 400, "users %s=%s -> 400 field %s" % (p, v, p), field=p, code="invalid")

    r = ctx.U("viewer_e").client.get("/api/v1/users/%d" % am.id)
    ck.expect(r, 200, "GET /api/v1/users/{id} (as viewer)", json=dict(USER_SHAPE, id=am.id, login=am.login))
    r = a.get("/api/v1/users/999999999")
    ck.expect(r, 404, "GET unknown user -> 404", code="not_found")

    login = "newbie_" + ctx.tag
    body = {"login": login, "name": "新人 Newbie", "email": login + "@example.com", "role": "viewer",
            "team_id": ctx.teams["west"], "password": "newbie-password-1"}
    r = a.post("/api/v1/users", body)
    if not ck.expect(r, 201, "POST /api/v1/users -> 201 user",
                     json=dict(USER_SHAPE, login=login, name="新人 Newbie", email=login + "@example.com", role="viewer",
                               team_id=ctx.teams["west"], disabled=False, password=ABSENT)):
        return
    uid = r.json["id"]
    r = a.get("/api/v1/users/%d" % uid)
    ck.expect(r, 200, "GET new user round-trips", json={"login": login, "role": "viewer", "team_id": ctx.teams["west"]})
    before = ctx.user_state(uid)
    r = a.post("/api/v1/users", dict(body, name="Other"))
    ck.expect(r, 409, "duplicate login -> 409 field login", field="login", code="conflict")
    ck.same(before, ctx.user_state(uid), "duplicate login changed nothing")

    patches = [({"name": "改名 Renamed"}, {"name": "改名 Renamed"}),
               ({"email": "renamed@example.com"}, {"email": "renamed@example.com"}),
               ({"role": "service"}, {"role": "service"}),
               ({"team_id": ctx.teams["east"]}, {"team_id": ctx.teams["east"]}),
               ({"team_id": None}, {"team_id": None}),
               ({"disabled": True}, {"disabled": True}),
               ({"disabled": False}, {"disabled": False}),
               ({"password": "brand-new-password"}, {"login": login, "password": ABSENT})]
    for p, w in patches:
        # as admin: hr may not change a user whose role sees account data (issue 10, g_admin_guard)
        r = a.patch("/api/v1/users/%d" % uid, p)
        ck.expect(r, 200, "PATCH user %s (as admin)" % list(p)[0], json=w)
    c = ctx.client("newbie")
    r = c.login(login, "brand-new-password")
    ck.expect(r, 200, "login with the password set by PATCH", json={"user": {"id": uid, "role": "service"}})


def g_teams(ctx):
    ck = ctx.ck
    a = ctx.admin
    r = ctx.U("viewer_e").client.get("/api/v1/teams")
    if ck.expect(r, 200, "GET /api/v1/teams (as viewer)", json={"items": list, "next_cursor": None}):
        by = {t.get("id"): t for t in r.items}
        for key, parent, mgr in (("sales", None, "lead0"), ("east", "sales", "lead_e"), ("west", "sales", "lead_w")):
            t = by.get(ctx.teams[key])
            want = {"id": ctx.teams[key], "name": "%s %s" % (key.capitalize(), ctx.tag),
                    "parent_id": ctx.teams[parent] if parent else None, "manager_id": ctx.U(mgr).id}
            ck.ok(t is not None and all(t.get(k) == v for k, v in want.items()), "team list has %s %s" % (key, want),
                  repr(t))
    r = a.get("/api/v1/teams/%d" % ctx.teams["east"])
    ck.expect(r, 200, "GET /api/v1/teams/{id}", json={"id": ctx.teams["east"], "parent_id": ctx.teams["sales"],
                                                      "manager_id": ctx.U("lead_e").id})
    r = a.get("/api/v1/teams/999999999")
    ck.expect(r, 404, "GET unknown team -> 404", code="not_found")

    t1 = a.post("/api/v1/teams", {"name": "T1 " + ctx.tag, "parent_id": None, "manager_id": None})
    ck.expect(t1, 201, "POST /api/v1/teams -> 201",
              json={"id": is_id, "name": "T1 " + ctx.tag, "parent_id": None, "manager_id": None})
    if t1.status != 201:
        return
    T1 = t1.json["id"]
    r = ctx.U("hr").client.post("/api/v1/teams", {"name": "T2 " + ctx.tag, "parent_id": T1,
                                                  "manager_id": ctx.U("spare").id})
    ck.expect(r, 201, "POST team with parent and manager (as hr)",
              json={"parent_id": T1, "manager_id": ctx.U("spare").id})
    T2 = r.json["id"] if r.status == 201 else None
    r = a.post("/api/v1/teams", {"name": "T3 " + ctx.tag, "parent_id": T2})
    ck.expect(r, 201, "POST team with only name + parent_id", json={"parent_id": T2})
    T3 = r.json["id"] if r.status == 201 else None
    r = a.patch("/api/v1/teams/%d" % T1, {"name": "T1 renamed " + ctx.tag})
    ck.expect(r, 200, "PATCH team name", json={"id": T1, "name": "T1 renamed " + ctx.tag})
    r = a.patch("/api/v1/teams/%d" % T1, {"manager_id": ctx.U("spare2").id})
    ck.expect(r, 200, "PATCH team manager", json={"manager_id": ctx.U("spare2").id})
    for target, parent, what in ((T1, T3, "grandchild"), (T1, T2, "child"), (T1, T1, "itself")):
        if not target or not parent:
            continue
        before = ctx.team_state(target)
        r = a.patch("/api/v1/teams/%d" % target, {"parent_id": parent})
        ck.expect(r, 409, "team parent_id %s -> 409 field parent_id" % what, field="parent_id", code="conflict")
        ck.same(before, ctx.team_state(target), "team cycle (%s) changed nothing" % what)
    if T3:
        r = a.patch("/api/v1/teams/%d" % T3, {"parent_id": None})
        ck.expect(r, 200, "PATCH team parent_id null", json={"parent_id": None})


def g_password(ctx):
    ck = ctx.ck
    u = ctx.U("pw")
    c = ctx.client("pw")
    r = c.login(u.login, u.password)
    if not ck.expect(r, 200, "login pw user"):
        return
    r = c.post("/api/v1/me/password", {"old_password": u.password, "new_password": "short"})
    ck.expect(r, 400, "new password < 10 chars -> 400 field new_password", field="new_password", code="invalid")
    r = c.post("/api/v1/me/password", {"old_password": u.password, "new_password": "123456789"})
    ck.expect(r, 400, "new password of 9 chars -> 400 field new_password", field="new_password", code="invalid")
    r = c.post("/api/v1/me/password", {"old_password": u.password})
    ck.expect(r, 400, "missing new_password -> 400 field new_password", field="new_password", code="invalid")
    r = c.post("/api/v1/me/password", {"new_password": "another-password-1"})
    ck.expect(r, 400, "missing old_password -> 400 field old_password", field="old_password", code="invalid")
    r = c.post("/api/v1/me/password", {"old_password": u.password, "new_password": "x" * 12, "extra": 1})
    ck.expect(r, 400, "unknown field -> 400 field extra", field="extra", code="invalid")
    r = c.post("/api/v1/me/password", {"old_password": "not-the-password", "new_password": "another-password-1"})
    ck.expect(r, (400, 401, 403), "wrong old_password is refused (4xx)")
    r = c.post("/api/v1/me/password", {"old_password": u.password, "new_password": "another-password-1"}, csrf=False)
    ck.expect(r, 403, "password change without CSRF -> 403", field="X-CSRF-Token")
    new = "ＵＮＩ密码-%s-long" % ctx.tag
    r = c.post("/api/v1/me/password", {"old_password": u.password, "new_password": new})
    ck.expect(r, 204, "POST /api/v1/me/password (non-ASCII new password) -> 204")
    if r.status == 204:
        old = u.password
        u.password = new
        r = ctx.client().login(u.login, new)
        ck.expect(r, 200, "login with the new password")
        r = ctx.client().login(u.login, old)
        ck.expect(r, 401, "old password no longer works", code="unauthenticated")


def g_admin_guard(ctx):
    """Who may grant which role (docs/API.md "Roles"): a role at least as strong; hr (no account
    data) only roles without account data; nobody their own role. 403 field role, nothing changed.
    The full actor x role table is in t_matrix.g_role_matrix."""
    ck = ctx.ck
    a = ctx.admin
    hr = ctx.U("hr")

    def new_user(client, role, who):
        login = ctx.uniq("ag")
        return login, client.post("/api/v1/users", {"login": login, "name": "Guard " + who, "email": login + "@example.com",
                                                    "role": role, "team_id": None, "password": "guard-password-1"})

    for role in ("admin", "director", "viewer", "finance"):
        login, r = new_user(hr.client, role, "hr-made " + role)
        ck.expect(r, 403, "hr creates a %s -> 403 field role" % role, field="role", code="forbidden")
        ck.same([], ctx.ids_of("/api/v1/users", {"q": login}), "refused %s creation created nothing" % role)

    _, r = new_user(a, "admin", "second admin")
    if not ck.expect(r, 201, "admin creates an admin -> 201", json={"role": "admin"}):
        return
    A2 = r.json["id"]
    for body in ({"name": "renamed by hr"}, {"disabled": True}, {"password": "hr-chosen-password"},
                 {"role": "viewer"}, {"email": "hr@example.com"}, {"team_id": ctx.teams["east"]}):
        before = ctx.user_state(A2)
        r = hr.client.patch("/api/v1/users/%d" % A2, body)
        ck.expect(r, 403, "hr changes an admin %s -> 403 field role" % list(body), field="role", code="forbidden")
        ck.same(before, ctx.user_state(A2), "hr PATCH of an admin (%s) changed nothing" % list(body))

    _, r = new_user(hr.client, "hr", "hr-made hr")
    if ck.expect(r, 201, "hr creates an hr user -> 201", json={"role": "hr"}):
        H = r.json["id"]
        for role in ("admin", "director", "viewer"):
            before = ctx.user_state(H)
            r = hr.client.patch("/api/v1/users/%d" % H, {"role": role})
            ck.expect(r, 403, "hr gives another hr user the role %s -> 403 field role" % role, field="role",
                      code="forbidden")
            ck.same(before, ctx.user_state(H), "refused grant of %s changed nothing" % role)
        r = hr.client.patch("/api/v1/users/%d" % H, {"name": "Now renamed", "disabled": True})
        ck.expect(r, 200, "hr changes another hr user -> 200", json={"name": "Now renamed", "disabled": True})
        r = a.patch("/api/v1/users/%d" % H, {"role": "finance", "disabled": False})
        ck.expect(r, 200, "admin changes an hr user to finance -> 200", json={"role": "finance"})
        before = ctx.user_state(H)
        r = hr.client.patch("/api/v1/users/%d" % H, {"disabled": True})
        ck.expect(r, 403, "hr disables a finance user -> 403 field role", field="role", code="forbidden")
        ck.same(before, ctx.user_state(H), "refused disable changed nothing")
        r = a.patch("/api/v1/users/%d" % H, {"role": "admin"})
        ck.expect(r, 200, "admin promotes a user to admin -> 200", json={"role": "admin"})
    for role in ("admin", "director"):
        before = ctx.user_state(hr.id)
        r = hr.client.patch("/api/v1/users/%d" % hr.id, {"role": role})
        ck.expect(r, 403, "hr promotes itself to %s -> 403 field role" % role, field="role", code="forbidden")
        ck.same(before, ctx.user_state(hr.id), "refused self-promotion to %s changed nothing" % role)
    r = a.patch("/api/v1/users/%d" % A2, {"name": "renamed by admin", "disabled": True})
    ck.expect(r, 200, "admin changes another admin -> 200", json={"name": "renamed by admin", "disabled": True})


def g_me(ctx):
    """PATCH /api/v1/me: one's own name, e-mail and digest choice; nothing else."""
    ck = ctx.ck
    u = ctx.new_user("me", "service", team="east", name="自助用户")
    c = u.client
    email = u.login + "@example.com"
    r = c.get("/api/v1/me")
    ck.expect(r, 200, "GET /me shows digest false by default",
              json=dict(USER_SHAPE, id=u.id, name="自助用户", email=email, role="service", digest=False))
    r = c.patch("/api/v1/me", {"digest": True})
    ck.expect(r, 200, "PATCH /me digest=true -> 200 the user", json=dict(USER_SHAPE, id=u.id, digest=True,
                                                                         role="service", login=u.login))
    r = c.get("/api/v1/me")
    ck.expect(r, 200, "GET /me shows digest true", json={"id": u.id, "digest": True})
    r = c.patch("/api/v1/me", {"name": "改名 Renamed", "email": "renamed.%s@example.cn" % ctx.tag})
    ck.expect(r, 200, "PATCH /me name and email -> 200",
              json={"name": "改名 Renamed", "email": "renamed.%s@example.cn" % ctx.tag, "digest": True,
                    "role": "service", "team_id": ctx.teams["east"], "login": u.login})
    r = ctx.admin.get("/api/v1/users/%d" % u.id)
    ck.expect(r, 200, "an admin sees the new name and e-mail", json={"name": "改名 Renamed",
                                                                  "email": "renamed.%s@example.cn" % ctx.tag})
    rows = [x for x in ctx.audit_items("user", u.id) if isinstance(x, dict)
            and (x.get("changes") or {}).get("name") == ["自助用户", "改名 Renamed"]]
    ck.ok(len(rows) == 1 and rows[0].get("user_id") == u.id, "the profile change is audited, by the user",
          repr(ctx.audit_items("user", u.id))[:400])
    r = c.patch("/api/v1/me", {"email": ""})
    ck.expect(r, 200, "PATCH /me email empty -> 200 (an e-mail is optional)", json={"email": ""})

    before = ctx.user_state(u.id)
    for body, f in (({"role": "admin"}, "role"), ({"role": "service"}, "role"), ({"login": "x" + u.login}, "login"),
                    ({"team_id": None}, "team_id"), ({"disabled": True}, "disabled"),
                    ({"password": "a-new-password-123"}, "password"), ({"id": 1}, "id"),
                    ({"email": "no-at-sign"}, "email"), ({"email": "a@b@c"}, "email"),
                    ({"name": "x" * 101}, "name"), ({"name": "two\nlines"}, "name"), ({"digest": "yes"}, "digest"),
                    ({"digest": 1}, "digest"), ({"digest": None}, "digest")):
        r = c.patch("/api/v1/me", body)
        ck.expect(r, 400, "PATCH /me %s -> 400 field %s" % (str(body)[:40], f), field=f, code="invalid")
    r = c.patch("/api/v1/me", {"digest": False}, csrf=False)
    ck.expect(r, 403, "PATCH /me without CSRF -> 403", field="X-CSRF-Token")
    ck.same(before, ctx.user_state(u.id), "the refused PATCHes changed nothing (role, team, digest, audit)")
    r = ctx.client().patch("/api/v1/me", {"digest": False})
    ck.expect(r, 401, "PATCH /me without a session -> 401", code="unauthenticated")
    # the digest is the user's own choice: PATCH /users/{id} lists name, email, role, team_id,
    # disabled and password, and unknown fields are rejected
    r = ctx.admin.patch("/api/v1/users/%d" % u.id, {"digest": False})
    ck.expect(r, 400, "an admin's PATCH /users/{id} with digest (not one of its fields) -> 400 field digest",
              field="digest", code="invalid")

    # with a bearer token (no CSRF), and back to no digest
    r = c.post("/api/v1/tokens", {"name": "me-patch"})
    if ck.expect(r, 201, "create a token"):
        t = ctx.client("me-bearer")
        t.bearer = r.json.get("token")
        r = t.patch("/api/v1/me", {"digest": False})
        ck.expect(r, 200, "PATCH /me with a bearer token -> 200 digest false", json={"id": u.id, "digest": False})
    r = c.get("/api/v1/me")
    ck.expect(r, 200, "GET /me shows digest false again", json={"digest": False, "name": "改名 Renamed"})
