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


def g_prospects(ctx):
    ck = ctx.ck
    c = ctx.U("am_e").client
    code = ctx.uniq("PR")
    r = c.post("/api/v1/prospects", {"code": code, "name": "潜在客户 " + ctx.tag, "source": "trade_show"})
    ck.expect(r, 201, "create a prospect")
    pid = (r.json or {}).get("id")
    ck.ok(r.json and r.json["status"] == "prospect" and r.json["source"] == "trade_show",
          "a prospect: status prospect, source kept", r.describe())
    r = c.post("/api/v1/prospects", {"code": ctx.uniq("PR"), "name": "x", "source": "cold_call"})
    ck.expect(r, 400, "unknown source -> 400", field="source", code="invalid")
    r = c.get("/api/v1/prospects", {"owner_id": "me", "screening": "pending", "limit": "500"})
    ids = [a["id"] for a in (r.json or {}).get("items", [])]
    ck.ok(r.status == 200 and pid in ids and all("score" in a for a in r.json["items"]),
          "pending prospects list it, with a score field", r.describe())
    r = c.patch("/api/v1/prospects/%d/valuation" % pid,
                {"business_scale": 70, "market_position": 70, "growth_potential": 70})
    ck.ok(r.status == 200 and r.json["score"] == 70 and r.json["suggested_tier"] == "key",
          "assessing a prospect scores it", r.describe())
    r = c.get("/api/v1/prospects", {"owner_id": "me", "limit": "500"})
    row = [a for a in (r.json or {}).get("items", []) if a["id"] == pid]
    ck.ok(row and row[0]["score"] == 70, "the list shows the score", r.describe())
    r = c.post("/api/v1/prospects/%d/screening" % pid, {"decision": "accepted", "reason": "年采购额大"})
    ck.expect(r, 200, "screen the prospect")
    r = c.get("/api/v1/prospects", {"owner_id": "me", "screening": "accepted", "limit": "500"})
    ck.ok(r.status == 200 and pid in [a["id"] for a in r.json["items"]], "accepted prospects list it",
          r.describe())
    r = c.get("/api/v1/prospects", {"owner_id": "me", "screening": "pending", "limit": "500"})
    ck.ok(r.status == 200 and pid not in [a["id"] for a in r.json["items"]], "no longer pending",
          r.describe())
    r = c.get("/api/v1/prospects", {"screening": "maybe"})
    ck.expect(r, 400, "unknown screening -> 400", field="screening", code="invalid")
    r = ctx.U("am_w").client.get("/api/v1/prospects", {"limit": "500"})
    ck.ok(r.status == 200 and pid not in [a["id"] for a in r.json["items"]], "scope applies", r.describe())
