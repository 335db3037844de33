"""Audit rows for create/update/delete of accounts, contacts and members."""

from lib import is_id, is_time, match, trunc
from t_accounts import paginate

BOOKKEEPING = {"version", "updated_at", "created_at"}
ROW_SHAPE = {"id": is_id, "at": is_time, "user_id": is_id, "user_login": str, "entity": str, "entity_id": is_id,
             "account_id": is_id, "action": str, "changes": dict}


def _rows(ctx, entity, eid, client=None):
    items = ctx.audit_items(entity, eid, client)
    return items if isinstance(items, list) else []


def _check_row(ck, name, row, want_entity, want_eid, want_acc, action, user, exact_changes=None, has_changes=None):
    problems = match(dict(ROW_SHAPE, entity=want_entity, entity_id=want_eid, account_id=want_acc, action=action,
                          user_id=user.id, user_login=user.login), row)
    ch = row.get("changes") if isinstance(row, dict) else None
    if isinstance(ch, dict):
        if exact_changes is not None:
            keys = set(ch) - BOOKKEEPING
            if keys != set(exact_changes):
                problems.append("changes keys %s, want exactly %s (+ optional version/updated_at)"
                                % (sorted(keys), sorted(exact_changes)))
            for k, v in exact_changes.items():
                if k in ch and ch[k] != v:
                    problems.append("changes.%s = %r, want %r" % (k, ch[k], v))
        for k, v in (has_changes or {}).items():
            if ch.get(k) != v:
                problems.append("changes.%s = %r, want %r" % (k, ch.get(k), v))
    return ck.ok(not problems, name, "; ".join(problems) + " | row " + trunc(repr(row), 500))


def g_audit(ctx):
    ck = ctx.ck
    am = ctx.U("am_e")
    c = am.client
    adm = ctx.U("admin")
    spare = ctx.U("spare")
    code = ctx.uniq("AUD")
    r = c.post("/api/v1/accounts", {"code": code, "name": "审计客户", "tier": "key", "region": "华北", "employees": 10})
    if not ck.expect(r, 201, "create account to audit"):
        return
    X = r.json["id"]
    rows = _rows(ctx, "account", X)
    ck.ok(len(rows) == 1, "one audit row after create", repr(rows)[:400])
    if rows:
        _check_row(ck, "account create row: user, entity, action, changes [null, value]", rows[0], "account", X, X,
                   "create", am, has_changes={"code": [None, code], "name": [None, "审计客户"], "tier": [None, "key"],
                                              "region": [None, "华北"], "employees": [None, 10]})
        ch = rows[0].get("changes") or {}
        ck.ok(all(isinstance(v, list) and len(v) == 2 and v[0] is None for v in ch.values()),
              "every change of a create is [null, value]", repr(ch)[:400])

    r = c.patch("/api/v1/accounts/%d" % X, {"name": "审计客户二", "tier": "key", "region": "华南"})
    ck.expect(r, 200, "update account (tier unchanged)")
    rows = _rows(ctx, "account", X)
    ck.ok(len(rows) == 2, "two audit rows after update", repr(rows)[:400])
    if len(rows) >= 2:
        _check_row(ck, "account update row has only the changed fields", rows[0], "account", X, X, "update", am,
                   exact_changes={"name": ["审计客户", "审计客户二"], "region": ["华北", "华南"]})

    r = c.post("/api/v1/accounts/%d/contacts" % X, {"name": "审计联系人", "influence": 4})
    ok = ck.expect(r, 201, "create contact to audit")
    Cx = r.json["id"] if ok else None
    if Cx:
        rows = _rows(ctx, "contact", Cx)
        ck.ok(len(rows) == 1, "one contact audit row after create", repr(rows)[:400])
        if rows:
            _check_row(ck, "contact create row", rows[0], "contact", Cx, X, "create", am,
                       has_changes={"name": [None, "审计联系人"], "influence": [None, 4]})
        r = c.patch("/api/v1/contacts/%d" % Cx, {"influence": 5, "attitude": 0})
        ck.expect(r, 200, "update contact (attitude unchanged)")
        rows = _rows(ctx, "contact", Cx)
        if ck.ok(len(rows) == 2, "two contact audit rows after update", repr(rows)[:400]):
            _check_row(ck, "contact update row has only the changed fields", rows[0], "contact", Cx, X, "update", am,
                       exact_changes={"influence": [4, 5]})

    r = c.post("/api/v1/accounts/%d/members" % X, {"user_id": spare.id, "dept_role": "sales"})
    ck.expect(r, 201, "add member to audit")
    rows = _rows(ctx, "account", X)
    mrow = [x for x in rows if x.get("entity") == "account_member"]
    if ck.ok(len(mrow) == 1, "account audit includes the member create row", repr(rows)[:600]):
        _check_row(ck, "member create row", mrow[0], "account_member", mrow[0].get("entity_id"), X, "create", am,
                   has_changes={"dept_role": [None, "sales"]})
        uc = (mrow[0].get("changes") or {}).get("user_id")
        ck.ok(uc in (None, [None, spare.id]), "member create row user_id change is [null, user]", repr(uc))
    r = c.delete("/api/v1/accounts/%d/members/%d" % (X, spare.id))
    ck.expect(r, 204, "remove member to audit")
    rows = _rows(ctx, "account", X)
    if rows:
        _check_row(ck, "member delete row (newest first)", rows[0], "account_member", rows[0].get("entity_id"), X,
                   "delete", am, has_changes={"dept_role": ["sales", None]})

    if Cx:
        r = c.delete("/api/v1/contacts/%d" % Cx)
        ck.expect(r, 204, "delete contact to audit")
        rows = _rows(ctx, "contact", Cx)
        if rows:
            _check_row(ck, "contact delete row: changes [value, null]", rows[0], "contact", Cx, X, "delete", am,
                       has_changes={"name": ["审计联系人", None], "influence": [5, None]})

    # everything under the account, newest first, paginates
    rows = _rows(ctx, "account", X)
    ents = [(x.get("entity"), x.get("action")) for x in rows]
    want = [("contact", "delete"), ("account_member", "delete"), ("account_member", "create"), ("contact", "update"),
            ("contact", "create"), ("account", "update"), ("account", "create")]
    ck.ok(ents == want, "account audit lists every row under the account, newest first", "got %s" % ents)
    ids = [x.get("id") for x in rows]
    ck.ok(all(isinstance(i, int) for i in ids) and ids == sorted(ids, reverse=True), "audit ids descending", repr(ids))
    ats = [x.get("at") or "" for x in rows]
    ck.ok(ats == sorted(ats, reverse=True), "audit times newest first", repr(ats))
    items = paginate(ctx, ctx.admin, "/api/v1/audit", {"entity": "account", "id": str(X)}, 2, "audit limit=2")
    if items is not None:
        ck.ok([x.get("id") for x in items] == ids, "audit pages equal the full list in order",
              "%s vs %s" % ([x.get("id") for x in items], ids))

    # delete the account: contacts and members deleted too, each audited
    r = c.post("/api/v1/accounts/%d/contacts" % X, {"name": "随客户删除"})
    Cy = r.json["id"] if ck.expect(r, 201, "contact that dies with the account") else None
    ck.expect(c.post("/api/v1/accounts/%d/members" % X, {"user_id": spare.id, "dept_role": "service"}), 201,
              "member that dies with the account")
    n_before = len(_rows(ctx, "account", X))
    r = ctx.admin.delete("/api/v1/accounts/%d" % X)
    if ck.expect(r, 204, "admin deletes the audited account"):
        rows = _rows(ctx, "account", X)
        new = rows[: max(0, len(rows) - n_before)]
        kinds = sorted((x.get("entity"), x.get("action")) for x in new)
        ck.ok(kinds == [("account", "delete"), ("account_member", "delete"), ("contact", "delete")],
              "account delete audits the account, its contact and its member", "new rows %s" % kinds)
        arow = [x for x in new if x.get("entity") == "account"]
        if arow:
            _check_row(ck, "account delete row by admin: changes [value, null]", arow[0], "account", X, X, "delete",
                       adm, has_changes={"code": [code, None], "name": ["审计客户二", None]})
        if Cy:
            r = ctx.admin.get("/api/v1/contacts/%d" % Cy)
            ck.expect(r, 404, "contact of the deleted account is gone", code="not_found")

    # users, teams: audited; admin and hr only; no password material
    rows = _rows(ctx, "user", spare.id)
    ck.ok(any(x.get("action") == "create" and x.get("entity") == "user" for x in rows), "user create is audited",
          repr(rows)[:400])
    blob = repr(rows)
    ck.ok(spare.password not in blob and "hash" not in blob.lower(), "user audit rows carry no password material",
          trunc(blob, 400))
    rows = _rows(ctx, "team", ctx.teams["east"])
    ck.ok([x.get("action") for x in rows][-1:] == ["create"] and any(
        (x.get("changes") or {}).get("manager_id") == [None, ctx.U("lead_e").id] for x in rows),
        "team create and manager change are audited", repr(rows)[:400])
    for key, st in (("hr", 200), ("admin", 200), ("am_e", 403), ("viewer_e", 403), ("dir", 403)):
        r = ctx.U(key).client.get("/api/v1/audit", {"entity": "user", "id": str(spare.id)})
        ck.expect(r, st, "%s reads audit of a user -> %d" % (key, st))
        r = ctx.U(key).client.get("/api/v1/audit", {"entity": "team", "id": str(ctx.teams["east"])})
        ck.expect(r, st, "%s reads audit of a team -> %d" % (key, st))
    tok = c.post("/api/v1/tokens", {"name": "audited"})
    if tok.status == 201:
        rows = _rows(ctx, "token", tok.json["id"])
        ck.ok(any(x.get("action") == "create" for x in rows), "token create is audited", repr(rows)[:300])
        ck.ok(tok.json["token"] not in repr(rows), "token audit carries no secret", "")
        c.delete("/api/v1/tokens/%d" % tok.json["id"])

    a = ctx.admin
    for q, field in (({"entity": "foo", "id": "1"}, "entity"), ({"id": "1"}, "entity"),
                     ({"entity": "account", "id": "abc"}, "id"), ({"entity": "account"}, "id"),
                     ({"entity": "account", "id": str(ctx.ids["A_own"]), "limit": "0"}, "limit"),
                     ({"entity": "account", "id": str(ctx.ids["A_own"]), "limit": "501"}, "limit"),
                     ({"entity": "account", "id": str(ctx.ids["A_own"]), "cursor": "garbage!!"}, "cursor")):
        r = a.get("/api/v1/audit", q)
        ck.expect(r, 400, "audit %s -> 400 field %s" % (q, field), field=field, code="invalid")
