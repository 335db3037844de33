"""Small API conveniences the web UI asked for: `me` in user filters, issue account names,
history of one interaction/visit/issue, the calendar feed's state, the unread count."""


def g_followups(ctx):
    ck = ctx.ck
    am = ctx.U("am_e")
    c = am.client
    acc = ctx.new_account("am_e", code=ctx.uniq("FU"), name="跟进客户 " + ctx.tag)
    v = ctx.new_visit(acc, "am_e")
    x = ctx.new_issue(acc, title="跟进问题 " + ctx.tag)
    it = ctx.new_interaction(acc, subject="跟进互动 " + ctx.tag)

    # `me` stands for the caller in user filters.
    for path, key in (("/api/v1/visits", "owner_id"), ("/api/v1/accounts", "owner_id"),
                      ("/api/v1/issues", "assignee_id"), ("/api/v1/care", "owner_id"),
                      ("/api/v1/stale-contacts", "owner_id")):
        r1 = c.get(path, {key: "me", "limit": "500"})
        r2 = c.get(path, {key: str(am.id), "limit": "500"})
        ck.ok(r1.status == 200 and r1.json == r2.json, "%s?%s=me is the caller's id" % (path, key),
              "%s | %s" % (r1.describe(), r2.describe()))
    r = c.get("/api/v1/accounts/summary", {"owner_id": "me"})
    r2 = c.get("/api/v1/accounts/summary", {"owner_id": str(am.id)})
    ck.ok(r.status == 200 and r.json == r2.json, "summary?owner_id=me", r.describe())

    # Issues carry their account's name, in lists and one by one.
    r = c.get("/api/v1/issues/%d" % x)
    ck.ok(r.status == 200 and r.json.get("account_name") == "跟进客户 " + ctx.tag,
          "an issue names its account", r.describe())
    r = c.get("/api/v1/issues", {"account_id": str(acc)})
    ck.ok(r.status == 200 and all(i.get("account_name") == "跟进客户 " + ctx.tag for i in r.json["items"])
          and r.json["items"], "issue lists name the account", r.describe())

    # The history of one record under an account.
    for entity, eid in (("issue", x), ("visit", v), ("interaction", it)):
        r = c.get("/api/v1/audit", {"entity": entity, "id": str(eid)})
        ok = r.status == 200 and r.json["items"] and all(
            row["entity"] == entity and row["entity_id"] == eid for row in r.json["items"])
        ck.ok(ok, "audit of one %s" % entity, r.describe())
        r = ctx.U("am_w").client.get("/api/v1/audit", {"entity": entity, "id": str(eid)})
        ck.expect(r, 404, "audit of another's %s is hidden" % entity)

    # The calendar feed's state.
    r = c.get("/api/v1/calendar-token")
    ck.ok(r.status == 200 and "active" in (r.json or {}), "calendar-token state", r.describe())
    c.post("/api/v1/calendar-token")
    r = c.get("/api/v1/calendar-token")
    ck.ok(r.status == 200 and r.json["active"] is True and r.json["created_at"], "active after POST",
          r.describe())
    c.delete("/api/v1/calendar-token")
    r = c.get("/api/v1/calendar-token")
    ck.ok(r.status == 200 and r.json["active"] is False and r.json["created_at"] is None,
          "inactive after DELETE", r.describe())

    # The unread count matches the unread list.
    r = c.get("/api/v1/notifications/count")
    lst = c.get("/api/v1/notifications", {"unread": "1", "limit": "500"})
    ck.ok(r.status == 200 and r.json["unread"] == len(lst.json["items"]), "unread count = unread list",
          "%s | %d" % (r.describe(), len(lst.json["items"])))
    c.post("/api/v1/notifications/read-all")
    r = c.get("/api/v1/notifications/count")
    ck.ok(r.status == 200 and r.json["unread"] == 0, "read-all -> 0 unread", r.describe())
