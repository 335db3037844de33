"""Customer issues (F2.5): SLA deadlines, the workflow, notes, lists; SLA rules; SLA
statistics; notifications."""

import time

from lib import ANY, is_id, is_time, iso, epoch
from t_accounts import paginate
from t_interactions import near, audit_rows

ISSUE_SHAPE = {"id": is_id, "account_id": is_id, "contact_id": ANY, "title": str, "description": str,
               "category": str, "severity": str, "status": str, "assignee_id": ANY, "reported_at": is_time,
               "response_due_at": is_time, "resolution_due_at": is_time, "first_response_at": ANY,
               "resolved_at": ANY, "confirmed_at": ANY, "escalated_at": ANY, "escalated_to": ANY, "version": int,
               "created_at": is_time, "updated_at": is_time}
TIERS = ("strategic", "key", "growth", "maintain")
SEVERITIES = ("low", "medium", "high", "critical")
NOTIFICATION_SHAPE = {"id": is_id, "kind": str, "title": str, "body": str, "link": str, "created_at": is_time,
                      "read_at": ANY}


def sla_table(ctx):
    r = ctx.admin.get("/api/v1/sla-rules")
    return {(x.get("tier"), x.get("severity")): x for x in (r.items or [])}


def deadline_problems(issue, resp_h, res_h):
    rep = epoch(issue.get("reported_at"))
    out = []
    if rep is None:
        return ["reported_at %r" % issue.get("reported_at")]
    for f, h in (("response_due_at", resp_h), ("resolution_due_at", res_h)):
        if epoch(issue.get(f)) != rep + h * 3600:
            out.append("%s %s != reported_at %s + %d h" % (f, issue.get(f), issue.get("reported_at"), h))
    return out


def g_issues(ctx):
    ck = ctx.ck
    a = ctx.admin
    am = ctx.U("am_e")
    sla = sla_table(ctx)
    if not ck.ok(len(sla) == 16, "SLA rules: one per tier and severity (16)", repr(sorted(sla))):
        return
    accs = {t: ctx.new_account("am_e", code=ctx.uniq("IS" + t[:2].upper()), name="问题客户 %s %s" % (t, ctx.tag), tier=t)
            for t in TIERS}
    S = accs["strategic"]
    ic = ctx.new_contact(S, name="报告人")
    other_c = ctx.new_contact(accs["key"], name="别家报告人")

    body = {"title": "批次来料不良", "description": "第 3 批次有 2% 的不良率\n需要 8D 报告", "category": "quality",
            "severity": "high", "contact_id": ic}
    r = a.post("/api/v1/accounts/%d/issues" % S, body)
    want = dict(ISSUE_SHAPE, account_id=S, status="open", assignee_id=am.id, first_response_at=None,
                resolved_at=None, confirmed_at=None, escalated_at=None, escalated_to=None, version=1,
                reported_at=near(time.time()), **body)
    if not ck.expect(r, 201, "POST issue as admin -> 201 open, assignee = the account owner", json=want):
        return
    x1 = r.json
    xid = x1["id"]
    rh, sh = sla[("strategic", "high")]["response_hours"], sla[("strategic", "high")]["resolution_hours"]
    p = deadline_problems(x1, rh, sh)
    ck.ok(not p, "deadlines = reported_at + the strategic/high SLA hours (%d h, %d h)" % (rh, sh), "; ".join(p))
    ck.expect(a.get("/api/v1/issues/%d" % xid), 200, "GET issue round-trips", json=dict(want, id=xid,
                                                                                       reported_at=x1["reported_at"]))
    rows = audit_rows(ctx, S, "issue", xid, "create")
    ck.ok(len(rows) == 1, "account audit has the issue create row", repr(rows)[:300])

    # every tier x severity: exact deadline arithmetic
    for t in TIERS:
        for sv in SEVERITIES:
            r = am.client.post("/api/v1/accounts/%d/issues" % accs[t], {"title": "SLA %s %s" % (t, sv), "severity": sv,
                                                                         "category": "delivery"})
            if ck.expect(r, 201, "POST issue %s/%s" % (t, sv)):
                rule = sla[(t, sv)]
                p = deadline_problems(r.json, rule["response_hours"], rule["resolution_hours"])
                ck.ok(not p, "%s/%s deadlines = reported_at + %d h / + %d h" % (t, sv, rule["response_hours"],
                                                                               rule["resolution_hours"]), "; ".join(p))

    r = a.post("/api/v1/accounts/%d/issues" % S, {"title": "指定负责人", "assignee_id": ctx.U("lead_e").id})
    ck.expect(r, 201, "POST issue with assignee_id -> that assignee", json={"assignee_id": ctx.U("lead_e").id})
    r = a.post("/api/v1/accounts/%d/issues" % S, {"title": "负责人为空", "assignee_id": None})
    ck.expect(r, 201, "POST issue with assignee_id null -> the account owner", json={"assignee_id": am.id})

    before = ctx.rel_state(S)
    for name, b, f in (("a contact of another account", {"contact_id": other_c}, "contact_id"),
                       ("an unknown contact", {"contact_id": 999999999}, "contact_id"),
                       ("an unknown assignee", {"assignee_id": 999999999}, "assignee_id"),
                       ("title missing", {"title": None}, "title"), ("title empty", {"title": ""}, "title"),
                       ("title 201 chars", {"title": "问" * 201}, "title"),
                       ("title with a newline", {"title": "a\nb"}, "title"),
                       ("description 8001 chars", {"description": "d" * 8001}, "description"),
                       ("category bug", {"category": "bug"}, "category"),
                       ("severity urgent", {"severity": "urgent"}, "severity"),
                       ("severity null", {"severity": None}, "severity"),
                       ("status in POST", {"status": "in_progress"}, "status"),
                       ("reported_at in POST", {"reported_at": iso(time.time() - 86400)}, "reported_at"),
                       ("response_due_at in POST", {"response_due_at": iso(time.time())}, "response_due_at"),
                       ("version in POST", {"version": 1}, "version")):
        b2 = dict({"title": "坏问题"}, **b)
        if b.get("title", "") is None:
            b2.pop("title")
        r = a.post("/api/v1/accounts/%d/issues" % S, b2)
        ck.expect(r, 400, "POST issue with %s -> 400 field %s" % (name, f), field=f, code="invalid")
    ck.same(before, ctx.rel_state(S), "refused issue POSTs changed nothing")

    # PATCH: severity recomputes deadlines from reported_at; other fields do not
    r = am.client.patch("/api/v1/issues/%d" % xid, {"title": "批次来料不良（更新）", "category": "delivery"})
    ck.expect(r, 200, "PATCH title/category -> 200, version 2, deadlines unchanged",
              json={"version": 2, "response_due_at": x1["response_due_at"],
                    "resolution_due_at": x1["resolution_due_at"], "reported_at": x1["reported_at"]})
    r = am.client.patch("/api/v1/issues/%d" % xid, {"severity": "critical", "version": 2})
    if ck.expect(r, 200, "PATCH severity critical -> 200", json={"severity": "critical", "version": 3,
                                                                  "reported_at": x1["reported_at"]}):
        rule = sla[("strategic", "critical")]
        p = deadline_problems(r.json, rule["response_hours"], rule["resolution_hours"])
        ck.ok(not p, "PATCH severity recomputed the deadlines from reported_at (strategic/critical)", "; ".join(p))
    before = ctx.record_state("issues", xid, S)
    for name, b, st, f in (("a stale version", {"title": "x", "version": 1}, 409, "version"),
                           ("contact of another account", {"contact_id": other_c}, 400, "contact_id"),
                           ("unknown assignee", {"assignee_id": 999999999}, 400, "assignee_id"),
                           ("severity urgent", {"severity": "urgent"}, 400, "severity"),
                           ("status (use transition)", {"status": "resolved"}, 400, "status"),
                           ("escalated_at", {"escalated_at": iso(time.time())}, 400, "escalated_at"),
                           ("title empty", {"title": ""}, 400, "title")):
        r = am.client.patch("/api/v1/issues/%d" % xid, b)
        ck.expect(r, st, "PATCH issue %s -> %d field %s" % (name, st, f), field=f)
    ck.same(before, ctx.record_state("issues", xid, S), "refused issue PATCHes changed nothing")

    # workflow
    before = ctx.record_state("issues", xid, S)
    for to, st, f in (("confirmed", 409, "to"), ("open", 409, "to"), ("closed", 400, "to"), (None, 400, "to"),
                      (5, 400, "to")):
        b = {"to": to} if to is not None else {"note": "no target"}
        r = am.client.post("/api/v1/issues/%d/transition" % xid, b)
        ck.expect(r, st, "open -> %r: %d field to" % (to, st), field=f)
    ck.same(before, ctx.record_state("issues", xid, S), "refused transitions changed nothing")
    t0 = time.time()
    r = am.client.post("/api/v1/issues/%d/transition" % xid, {"to": "in_progress", "note": "已联系客户，安排质检"})
    ok = ck.expect(r, 200, "open -> in_progress with a note -> first_response_at set",
                   json={"status": "in_progress", "first_response_at": near(t0), "resolved_at": None})
    first = r.json.get("first_response_at") if ok else None
    rows = audit_rows(ctx, S, "issue", xid, "comment")
    ck.ok(len(rows) == 1 and (rows[0].get("changes") or {}).get("note") == [None, "已联系客户，安排质检"]
          and rows[0].get("user_id") == am.id,
          "the note is in the issue's history: audit action comment, changes note [null, text]", repr(rows)[:400])
    for to in ("open", "confirmed", "in_progress"):
        r = am.client.post("/api/v1/issues/%d/transition" % xid, {"to": to})
        ck.expect(r, 409, "in_progress -> %s: 409 field to" % to, field="to", code="conflict")
    r = am.client.post("/api/v1/issues/%d/transition" % xid, {"to": "resolved"})
    ck.expect(r, 200, "in_progress -> resolved (no note) -> resolved_at set, first_response_at kept",
              json={"status": "resolved", "resolved_at": near(time.time()), "first_response_at": first})
    ck.ok(len(audit_rows(ctx, S, "issue", xid, "comment")) == 1, "a transition without a note adds no comment row")
    r = am.client.post("/api/v1/issues/%d/transition" % xid, {"to": "in_progress", "note": "客户反馈仍有问题"})
    ck.expect(r, 200, "resolved -> in_progress (reopened) -> resolved_at cleared, first_response_at kept",
              json={"status": "in_progress", "resolved_at": None, "first_response_at": first})
    r = am.client.post("/api/v1/issues/%d/transition" % xid, {"to": "resolved"})
    ck.expect(r, 200, "in_progress -> resolved again", json={"status": "resolved", "resolved_at": is_time})
    r = am.client.post("/api/v1/issues/%d/transition" % xid, {"to": "confirmed", "note": "客户确认"})
    ck.expect(r, 200, "resolved -> confirmed -> confirmed_at set",
              json={"status": "confirmed", "confirmed_at": near(time.time()), "resolved_at": is_time})
    before = ctx.record_state("issues", xid, S)
    for to in ("open", "in_progress", "resolved", "confirmed"):
        r = am.client.post("/api/v1/issues/%d/transition" % xid, {"to": to, "note": "太晚了"})
        ck.expect(r, 409, "confirmed -> %s: 409 field to" % to, field="to", code="conflict")
    ck.same(before, ctx.record_state("issues", xid, S), "transitions out of confirmed changed nothing")
    ck.ok(len(audit_rows(ctx, S, "issue", xid, "comment")) == 3, "three notes, three comment rows")

    x2 = ctx.new_issue(S, title="直接解决", severity="low")
    r = am.client.post("/api/v1/issues/%d/transition" % x2, {"to": "resolved"})
    ck.expect(r, 200, "open -> resolved directly -> first_response_at and resolved_at set",
              json={"status": "resolved", "first_response_at": near(time.time()), "resolved_at": near(time.time())})
    r = am.client.post("/api/v1/issues/%d/transition" % x2, {"to": "note", "note": "x"})
    ck.expect(r, 400, "transition to an unknown status -> 400 field to", field="to", code="invalid")
    r = am.client.post("/api/v1/issues/%d/transition" % x2, {"to": "confirmed", "note": "n" * 4001})
    ck.expect(r, 400, "transition with a 4001-char note -> 400 field note", field="note", code="invalid")
    r = am.client.post("/api/v1/issues/%d/transition" % x2, {"to": "confirmed", "when": "now"})
    ck.expect(r, 400, "transition with an unknown field -> 400 field when", field="when", code="invalid")

    # scope, delete
    for key, st in (("am_w", 404), ("viewer_x", 404), ("hr", 404), ("lead_e", 200), ("fin", 200)):
        r = ctx.U(key).client.get("/api/v1/issues/%d" % xid)
        ck.expect(r, st, "%s GET an issue of am_e's account -> %d" % (key, st))
    r = ctx.U("am_w").client.post("/api/v1/issues/%d/transition" % x2, {"to": "confirmed"})
    ck.expect(r, 404, "am_w transition of an issue out of scope -> 404", code="not_found")
    r = am.client.delete("/api/v1/issues/%d" % x2)
    ck.expect(r, 403, "account_manager DELETE issue -> 403", code="forbidden")
    r = ctx.U("lead_e").client.delete("/api/v1/issues/%d" % x2)
    ck.expect(r, 204, "team_lead DELETE issue in scope -> 204")
    for meth, path, b in (("GET", "/api/v1/issues/%d" % x2, None), ("PATCH", "/api/v1/issues/%d" % x2, {"title": "z"}),
                          ("POST", "/api/v1/issues/%d/transition" % x2, {"to": "confirmed"}),
                          ("DELETE", "/api/v1/issues/%d" % x2, None)):
        r = a.request(meth, path, b) if b is not None else a.request(meth, path)
        ck.expect(r, 404, "%s deleted issue -> 404" % meth, code="not_found")
    rows = audit_rows(ctx, S, "issue", x2, "delete")
    ck.ok(len(rows) == 1, "account audit has the issue delete row", repr(rows)[:300])
    r = a.post("/api/v1/accounts/999999999/issues", {"title": "nobody"})
    ck.expect(r, 404, "POST issue on an unknown account -> 404", code="not_found")


def g_issue_lists(ctx):
    ck = ctx.ck
    a = ctx.admin
    L = ctx.new_account("am_e", code=ctx.uniq("ISL"), name="问题列表 " + ctx.tag)
    L2 = ctx.new_account("am_e", code=ctx.uniq("ISL2"), name="问题列表二 " + ctx.tag)
    lead = ctx.U("lead_e").id
    xs = [ctx.new_issue(L, title="列表 %d" % i, assignee_id=lead if i % 2 else None) for i in range(5)]
    other = ctx.new_issue(L2, title="别的客户")
    a.post("/api/v1/issues/%d/transition" % xs[1], {"to": "in_progress"})
    a.post("/api/v1/issues/%d/transition" % xs[2], {"to": "resolved"})
    items = paginate(ctx, a, "/api/v1/issues", {"account_id": str(L)}, 2, "issues?account_id limit=2")
    if items is not None:
        ck.ok([x.get("id") for x in items] == xs[::-1], "issue list: newest first across pages, only that account",
              repr([x.get("id") for x in items]))
        for x in items[:1]:
            ck.matches(x, ISSUE_SHAPE, "issue list item shape")

    def ids(q, client=None):
        r = (client or a).get("/api/v1/issues", dict(q, limit="500"))
        return [x.get("id") for x in r.items or []] if r.status == 200 else ("error", r.status, r.body[:200])

    for q, want in (({"status": "open"}, [xs[4], xs[3], xs[0]]), ({"status": "in_progress"}, [xs[1]]),
                    ({"status": "resolved"}, [xs[2]]), ({"status": "confirmed"}, []),
                    ({"assignee_id": str(lead)}, [xs[3], xs[1]]), ({"escalated": "1"}, []),
                    ({"escalated": "0"}, xs[::-1])):
        ck.ok(ids(dict(q, account_id=str(L))) == want, "issues %s -> %s" % (q, want),
              "got %s" % (ids(dict(q, account_id=str(L))),))
    got = ids({"assignee_id": str(lead)})
    ck.ok(isinstance(got, list) and xs[3] in got and xs[1] in got and other not in got and got == sorted(got, reverse=True),
          "issues?assignee_id across accounts, newest first", repr(got)[:300])
    for key in ("am_w", "viewer_x"):
        ck.ok(ids({"account_id": str(L)}, ctx.U(key).client) == [], "%s lists none of them (out of scope)" % key)
    ck.ok(ids({"account_id": str(L)}, ctx.U("lead_e").client) == xs[::-1], "lead_e lists them all")
    ck.expect(ctx.U("hr").client.get("/api/v1/issues"), 403, "hr GET /issues -> 403", code="forbidden")
    for q, f in (({"status": "closed"}, "status"), ({"escalated": "2"}, "escalated"), ({"escalated": "yes"}, "escalated"),
                 ({"assignee_id": "myself"}, "assignee_id"), ({"limit": "0"}, "limit"), ({"cursor": "garbage!!"}, "cursor"),
                 ({"severity": "urgent"}, "severity"), ({"priority": "high"}, "priority")):
        r = a.get("/api/v1/issues", q)
        ck.expect(r, 400, "issues %s -> 400 field %s" % (q, f), field=f, code="invalid")


def g_sla(ctx):
    ck = ctx.ck
    a = ctx.admin
    r = a.get("/api/v1/sla-rules")
    if not ck.expect(r, 200, "GET /sla-rules -> a list", json={"items": list}):
        return
    combos = sorted((x.get("tier"), x.get("severity")) for x in r.items)
    ck.ok(combos == sorted((t, s) for t in TIERS for s in SEVERITIES), "one SLA rule per tier and severity", repr(combos))
    for x in r.items:
        ck.matches(x, {"id": is_id, "tier": str, "severity": str, "response_hours": int, "resolution_hours": int},
                   "SLA rule %s/%s shape" % (x.get("tier"), x.get("severity")))
        ck.ok(1 <= x.get("response_hours", 0) <= x.get("resolution_hours", 0),
              "SLA rule %s/%s: 1 <= response_hours <= resolution_hours" % (x.get("tier"), x.get("severity")), repr(x))
    ck.expect(ctx.U("viewer_x").client.get("/api/v1/sla-rules"), 200, "a viewer reads the SLA rules")
    rule = next(x for x in r.items if x.get("tier") == "growth" and x.get("severity") == "critical")
    rid, orig = rule["id"], (rule["response_hours"], rule["resolution_hours"])
    try:
        r = a.patch("/api/v1/sla-rules/%d" % rid, {"response_hours": 5, "resolution_hours": 50})
        ck.expect(r, 200, "PATCH SLA rule growth/critical 5 h / 50 h -> 200",
                  json={"id": rid, "tier": "growth", "severity": "critical", "response_hours": 5,
                        "resolution_hours": 50})
        r = a.get("/api/v1/sla-rules")
        ck.ok(any(x.get("id") == rid and x.get("response_hours") == 5 and x.get("resolution_hours") == 50
                  for x in r.items or []), "GET /sla-rules shows the change")
        G = ctx.new_account("am_e", code=ctx.uniq("SLA"), name="SLA growth " + ctx.tag, tier="growth")
        r = a.post("/api/v1/accounts/%d/issues" % G, {"title": "新规则", "severity": "critical"})
        if ck.expect(r, 201, "POST a growth/critical issue"):
            p = deadline_problems(r.json, 5, 50)
            ck.ok(not p, "a new issue uses the changed SLA rule (5 h / 50 h)", "; ".join(p))
        r = ctx.U("dir").client.patch("/api/v1/sla-rules/%d" % rid, {"resolution_hours": 5})
        ck.expect(r, 200, "director PATCH resolution_hours = response_hours (boundary) -> 200",
                  json={"response_hours": 5, "resolution_hours": 5})
        before = ctx.config_state()
        for name, b, f in (("resolution < response", {"response_hours": 10, "resolution_hours": 9},
                            ("resolution_hours", "response_hours")),
                           ("response above the stored resolution", {"response_hours": 6},
                            ("resolution_hours", "response_hours")),
                           ("resolution below the stored response", {"resolution_hours": 4},
                            ("resolution_hours", "response_hours")),
                           ("response_hours 0", {"response_hours": 0}, "response_hours"),
                           ("response_hours -1", {"response_hours": -1}, "response_hours"),
                           ("resolution_hours 8761", {"resolution_hours": 8761}, "resolution_hours"),
                           ("response_hours string", {"response_hours": "4"}, "response_hours"),
                           ("response_hours 1.5", {"response_hours": 1.5}, "response_hours"),
                           ("resolution_hours null", {"resolution_hours": None}, "resolution_hours"),
                           ("tier in body", {"tier": "key"}, "tier"), ("unknown field", {"hours": 1}, "hours")):
            r = a.patch("/api/v1/sla-rules/%d" % rid, b)
            ck.expect(r, 400, "PATCH SLA rule %s -> 400" % name, field=f, code="invalid")
        ck.same(before, ctx.config_state(), "refused SLA PATCHes changed nothing")
        r = a.patch("/api/v1/sla-rules/999999999", {"response_hours": 5})
        ck.expect(r, 404, "PATCH unknown SLA rule -> 404", code="not_found")
        r = a.patch("/api/v1/sla-rules/%d" % rid, {"response_hours": 8760, "resolution_hours": 8760})
        ck.expect(r, 200, "PATCH 8760 h / 8760 h (upper boundary) -> 200")
    finally:
        a.patch("/api/v1/sla-rules/%d" % rid, {"response_hours": orig[0], "resolution_hours": orig[1]})
    r = a.get("/api/v1/sla-rules")
    ck.ok(any(x.get("id") == rid and (x.get("response_hours"), x.get("resolution_hours")) == orig for x in r.items or []),
          "SLA rule restored")


def g_issue_stats(ctx):
    """Counts for a small known set on the live clock (the exact medians and late
    responses are in the jobs group, whose server has a pinned clock)."""
    ck = ctx.ck
    a = ctx.admin
    r = a.post("/api/v1/teams", {"name": "Stats " + ctx.uniq(), "parent_id": None, "manager_id": None})
    if not ck.expect(r, 201, "create a team for the statistics"):
        return
    team = r.json["id"]
    tkey = "stats" + ctx.uniq()
    ctx.teams[tkey] = team
    su = ctx.new_user("stat", "account_manager", team=tkey, login=False)
    SA = ctx.new_account(su.key, code=ctx.uniq("STA"), name="统计客户 " + ctx.tag, tier="key")
    t0 = time.time()
    x = [ctx.new_issue(SA, title="统计 %d" % i, severity="medium") for i in range(4)]
    a.post("/api/v1/issues/%d/transition" % x[0], {"to": "in_progress"})
    a.post("/api/v1/issues/%d/transition" % x[1], {"to": "resolved"})
    a.post("/api/v1/issues/%d/transition" % x[2], {"to": "in_progress"})
    a.post("/api/v1/issues/%d/transition" % x[2], {"to": "resolved"})
    q = {"from": iso(t0 - 60), "to": iso(time.time() + 60)}
    r = a.get("/api/v1/issues/stats", q)
    if not ck.expect(r, 200, "GET /issues/stats?from&to -> 200", json={"items": list}):
        return
    mine = [it for it in r.items if it.get("team_id") == team]
    small = lambda v: isinstance(v, (int, float)) and 0 <= v < 0.2  # noqa: E731  (seconds, in hours)
    if ck.ok(len(mine) == 1, "one stats row for the assignee's team", repr(r.items)[:400]):
        ck.matches(mine[0], {"team_id": team, "team_name": str, "issues": 4, "responded": 3, "responded_in_sla": 3,
                             "resolved": 2, "resolved_in_sla": 2, "response_sla_pct": 100, "resolution_sla_pct": 100,
                             "median_response_hours": small, "median_resolution_hours": small},
                   "stats: 4 issues, 3 responded in SLA, 2 resolved in SLA, 100 %, medians in hours")
    r = a.get("/api/v1/issues/stats", {"from": iso(time.time() + 3600), "to": iso(time.time() + 7200)})
    ck.ok(r.status == 200 and not [it for it in r.items or [] if it.get("team_id") == team],
          "stats for a window without those issues has no row for the team", r.describe())
    # a team whose issues have no response yet: percentages and medians null
    tkey2 = "stats" + ctx.uniq()
    r = a.post("/api/v1/teams", {"name": "Stats idle " + ctx.uniq(), "parent_id": None, "manager_id": None})
    if ck.expect(r, 201, "create an idle team"):
        ctx.teams[tkey2] = r.json["id"]
        su2 = ctx.new_user("stat2", "account_manager", team=tkey2, login=False)
        SB = ctx.new_account(su2.key, code=ctx.uniq("STB"), name="统计客户二 " + ctx.tag)
        ctx.new_issue(SB, title="无人响应")
        r = a.get("/api/v1/issues/stats", {"from": iso(t0 - 60), "to": iso(time.time() + 60)})
        row = [it for it in r.items or [] if it.get("team_id") == ctx.teams[tkey2]]
        if ck.ok(len(row) == 1, "stats row for the idle team", r.describe()):
            ck.matches(row[0], {"issues": 1, "responded": 0, "resolved": 0, "response_sla_pct": None,
                                "resolution_sla_pct": None, "median_response_hours": None,
                                "median_resolution_hours": None},
                       "nothing to measure: percentages and medians are null")
    # scope: am_w cannot see these accounts, so no row for the team
    r = ctx.U("am_w").client.get("/api/v1/issues/stats", q)
    ck.ok(r.status == 200 and not [it for it in r.items or [] if it.get("team_id") == team],
          "am_w's stats leave out issues of accounts out of scope", r.describe())
    for qq, f in (({"from": "yesterday"}, "from"), ({"to": "2027-02-30T00:00:00Z"}, "to"), ({"team_id": "1"}, "team_id")):
        r = a.get("/api/v1/issues/stats", qq)
        ck.expect(r, 400, "stats %s -> 400 field %s" % (qq, f), field=f, code="invalid")


def g_notifications(ctx):
    ck = ctx.ck
    a = ctx.admin
    n1 = ctx.new_user("note1", "account_manager")
    n2 = ctx.new_user("note2", "account_manager")
    # n2 is on the account team: an issue goes only to someone who may work on the account.
    NA = ctx.new_account(n1.key, members=[(n2.key, "sales")], code=ctx.uniq("NT"), name="通知客户 " + ctx.tag)
    r = n1.client.get("/api/v1/notifications")
    ck.expect(r, 200, "a new user has no notifications", json={"items": [], "next_cursor": None})

    x1 = ctx.new_issue(NA, title="通知一号")  # default assignee: n1, the owner
    r = n1.client.get("/api/v1/notifications")
    ok = ck.expect(r, 200, "an issue assigned (by default) to n1 by admin notifies n1",
                   json={"items": [dict(NOTIFICATION_SHAPE, read_at=None, created_at=near(time.time()))],
                         "next_cursor": None})
    if ok:
        it = r.items[0]
        ck.ok("通知一号" in it.get("title", "") + it.get("body", "") or str(x1) in it.get("link", ""),
              "the notification names the issue (title/body or link)", repr(it))
    ctx.new_issue(NA, title="自己的问题", client=n1.client)
    ck.ok(len(n1.client.get("/api/v1/notifications").items or []) == 1,
          "an issue n1 records for their own account (assigned to themselves) does not notify them")
    r = a.patch("/api/v1/issues/%d" % x1, {"assignee_id": n2.id})
    ck.expect(r, 200, "admin reassigns the issue to n2")
    r = n2.client.get("/api/v1/notifications")
    ck.ok(r.status == 200 and len(r.items or []) == 1 and r.items[0].get("read_at") is None,
          "the reassignment notifies n2", r.describe())
    r = a.patch("/api/v1/issues/%d" % x1, {"title": "通知一号（改）"})
    ck.ok(len(n2.client.get("/api/v1/notifications").items or []) == 1, "a PATCH that keeps the assignee notifies no one")
    ctx.new_issue(NA, title="通知二号", assignee_id=n1.id)
    ctx.new_issue(NA, title="通知三号", client=ctx.U("dir").client)

    items = paginate(ctx, n1.client, "/api/v1/notifications", {}, 1, "notifications limit=1")
    if items is None or not ck.ok(len(items) == 3, "n1 has 3 notifications", repr(items)[:400]):
        return
    ids = [x.get("id") for x in items]
    ck.ok(ids == sorted(ids, reverse=True) and [x.get("created_at") for x in items] ==
          sorted([x.get("created_at") for x in items], reverse=True), "notifications newest first", repr(ids))
    newest, middle, oldest = ids
    r = n1.client.get("/api/v1/notifications", {"unread": "1"})
    ck.ok(r.status == 200 and [x.get("id") for x in r.items or []] == ids, "unread=1: all three", r.describe())
    r = n1.client.post("/api/v1/notifications/%d/read" % middle)
    ck.expect(r, 204, "POST /notifications/{id}/read -> 204")
    r = n1.client.get("/api/v1/notifications")
    st = {x.get("id"): x.get("read_at") for x in r.items or []}
    ck.ok(is_time(st.get(middle)) and st.get(newest) is None and st.get(oldest) is None,
          "only that one has read_at", repr(st))
    r = n1.client.get("/api/v1/notifications", {"unread": "1"})
    ck.ok(r.status == 200 and [x.get("id") for x in r.items or []] == [newest, oldest], "unread=1 leaves it out",
          r.describe())
    r = n1.client.post("/api/v1/notifications/%d/read" % middle)
    ck.expect(r, 204, "reading it again -> 204")
    r = n1.client.get("/api/v1/notifications")
    ck.ok({x.get("id"): x.get("read_at") for x in r.items or []}.get(middle) == st.get(middle),
          "reading again keeps the first read_at")

    # only one's own
    before = ctx.notif_state(n1.client)
    for who, nid in ((n2, newest), (ctx.U("admin"), oldest)):
        r = who.client.post("/api/v1/notifications/%d/read" % nid)
        ck.expect(r, 404, "%s reads n1's notification -> 404" % who.key, code="not_found")
    r = n1.client.post("/api/v1/notifications/999999999/read")
    ck.expect(r, 404, "unknown notification -> 404", code="not_found")
    ck.same(before, ctx.notif_state(n1.client), "others' attempts changed none of n1's notifications")
    r = n2.client.get("/api/v1/notifications", {"limit": "500"})
    ck.ok(r.status == 200 and not ({x.get("id") for x in r.items or []} & set(ids)), "n2 does not see n1's notifications")
    r = n2.client.post("/api/v1/notifications/read-all")
    ck.expect(r, 204, "n2 read-all -> 204")
    ck.same(before, ctx.notif_state(n1.client), "n2's read-all left n1's notifications alone")

    r = n1.client.post("/api/v1/notifications/read-all")
    ck.expect(r, 204, "read-all -> 204")
    r = n1.client.get("/api/v1/notifications", {"unread": "1"})
    ck.expect(r, 200, "unread=1 after read-all -> empty", json={"items": [], "next_cursor": None})
    r = n1.client.get("/api/v1/notifications")
    ck.ok(all(is_time(x.get("read_at")) for x in r.items or []) and len(r.items or []) == 3, "all three read",
          r.describe())
    for q, f in (({"unread": "2"}, "unread"), ({"unread": "yes"}, "unread"), ({"limit": "0"}, "limit"),
                 ({"cursor": "garbage!!"}, "cursor"), ({"kind": "k" * 41}, "kind")):
        r = n1.client.get("/api/v1/notifications", q)
        ck.expect(r, 400, "notifications %s -> 400 field %s" % (q, f), field=f, code="invalid")
