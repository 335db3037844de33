"""Department follow-ups (issue 14, F3.6/F3.7): hand-offs between departments, the workflow
(open > in_progress > resolved (action) > confirmed (the customer's confirmation) | reopened;
dropped with a reason), owners and notifications, lists with filters and keyset paging, count,
export, stats per department (a team with its subteams), the thresholds' settings, follow-ups
made from a survey response's low scores and negative comments (the respondent, score and
comment withheld from readers who may not read responses, never in the audit or notifications,
scrubbed when the response is erased), and the permission-matrix builders of every route of
api/needs/follow_ups.c.

(The module is t_follow_ups.py: t_followups.py is an older module about other follow-ups.)"""

import time

from lib import ANY, is_id, is_time
from t_matrix import route, Attempt, acc

FU_SHAPE = {"id": is_id, "account_id": is_id, "account_name": str, "dept_role": str, "source": str,
            "response_id": ANY, "question_id": ANY, "from_dept": ANY, "title": str, "detail": str,
            "detail_withheld": bool, "owner_id": ANY, "owner_name": str, "due_on": ANY, "status": str,
            "overdue": bool, "action": str, "resolved_at": ANY, "confirmed_at": ANY, "confirmation": str,
            "reason": str, "created_by": ANY, "version": int, "created_at": is_time, "updated_at": is_time}
DEPTS = ("sales", "marketing", "technical", "production", "service")


def china_day(offset_days=0):
    return time.strftime("%Y-%m-%d", time.gmtime(time.time() + 8 * 3600 + offset_days * 86400))


def new_handoff(ctx, account_id, client=None, **fields):
    body = {"from_dept": "sales", "dept_role": "service", "title": "转交 " + ctx.uniq()}
    body.update(fields)
    return ctx.must((client or ctx.admin).post("/api/v1/accounts/%d/follow-ups" % account_id, body), 201,
                    "create follow-up")


def fu_state(ctx, acc_id, fid=None):
    st = {"follow_ups": ctx.ids_of("/api/v1/accounts/%d/follow-ups" % acc_id)}
    if fid:
        r = ctx.admin.get("/api/v1/follow-ups/%d" % fid)
        st["record"] = (r.status, r.json)
        st["audit"] = ctx.audit_ids("follow_up", fid)
    return st


def notifications_about(ctx, user_key, fid):
    items, _, err = ctx.U(user_key).client.list_all("/api/v1/notifications")
    if err is not None:
        return ("error", err.status)
    return [n for n in items if n.get("link") == "/follow-ups/%d" % fid]


def g_handoffs(ctx):
    ck = ctx.ck
    a = ctx.admin
    am = ctx.U("am_e")
    svc = ctx.U("service_e")
    acc_id = ctx.new_account("am_e", members=[("service_e", "service"), ("viewer_e", "marketing")],
                             code=ctx.uniq("FUH"), name="跟进客户 " + ctx.tag)

    # A hand-off from sales to service: the service member of the account team owns it, due in 7 days.
    body = {"from_dept": "sales", "dept_role": "service", "title": "客户反映安装调试慢",
            "detail": "请服务部安排工程师回访\n本周内"}
    r = am.client.post("/api/v1/accounts/%d/follow-ups" % acc_id, body)
    want = dict(FU_SHAPE, account_id=acc_id, source="handoff", status="open", owner_id=svc.id,
                owner_name="Sam Service", due_on=china_day(7), created_by=am.id, response_id=None,
                question_id=None, detail_withheld=False, overdue=False, action="", version=1, **body)
    if not ck.expect(r, 201, "POST hand-off as the account manager -> 201, owner = the service member", json=want):
        return
    fid = r.json["id"]
    ck.expect(svc.client.get("/api/v1/follow-ups/%d" % fid), 200, "the owner reads it", json=want)
    rows = ctx.audit_items("follow_up", fid)
    ck.ok(isinstance(rows, list) and [x.get("action") for x in rows] == ["create"], "the hand-off is audited",
          repr(rows)[:300])
    got = notifications_about(ctx, "service_e", fid)
    ck.ok(isinstance(got, list) and len(got) == 1 and got[0].get("key") == "notify.follow_up_new"
          and got[0].get("params", {}).get("title") == body["title"], "the owner is notified", repr(got)[:300])
    ck.ok(notifications_about(ctx, "am_e", fid) == [], "the creator is not notified of their own hand-off")

    # The marketing member is a viewer (may not work follow-ups): the account owner gets it.
    r = a.post("/api/v1/accounts/%d/follow-ups" % acc_id, {"from_dept": "sales", "dept_role": "marketing",
                                                           "title": "宣传资料更新"})
    ck.expect(r, 201, "no member of the department may work it -> the account owner", json={"owner_id": am.id})
    # owner_id null: nobody; an explicit due date is kept
    r = a.post("/api/v1/accounts/%d/follow-ups" % acc_id, {"from_dept": "service", "dept_role": "technical",
                                                           "title": "无人", "owner_id": None,
                                                           "due_on": "2030-01-31"})
    ck.expect(r, 201, "owner_id null -> nobody; due_on kept", json={"owner_id": None, "due_on": "2030-01-31",
                                                                      "owner_name": ""})

    # Bad input: 400 naming the field, nothing written.
    before = fu_state(ctx, acc_id)
    ok = {"from_dept": "sales", "dept_role": "service", "title": "x"}
    bad = [
        ({"dept_role": "service", "title": "x"}, "from_dept"),
        ({"from_dept": "sales", "title": "x"}, "dept_role"),
        ({"from_dept": "sales", "dept_role": "service"}, "title"),
        (dict(ok, title=""), "title"),
        (dict(ok, title="   "), "title"),
        (dict(ok, title="x" * 201), "title"),
        (dict(ok, title="a\nb"), "title"),
        (dict(ok, detail="y" * 4001), "detail"),
        (dict(ok, dept_role="legal"), "dept_role"),
        (dict(ok, from_dept="legal"), "from_dept"),
        (dict(ok, dept_role="sales"), "dept_role"),
        (dict(ok, due_on="2026-02-30"), "due_on"),
        (dict(ok, owner_id=ctx.U("am_w").id), "owner_id"),
        (dict(ok, owner_id=ctx.U("viewer_e").id), "owner_id"),
        (dict(ok, owner_id=ctx.U("hr").id), "owner_id"),
        (dict(ok, owner_id=99999999), "owner_id"),
        (dict(ok, version=3), "version"),
        (dict(ok, status="resolved"), "status"),
    ]
    for b, field in bad:
        ck.expect(a.post("/api/v1/accounts/%d/follow-ups" % acc_id, b), 400, "bad hand-off %r -> 400" % field,
                  field=field)
    r = a.post("/api/v1/accounts/%d/follow-ups" % acc_id, dict(ok, dept_role="sales"), headers={"Accept-Language": "zh-CN"})
    ck.ok(r.status == 400 and r.json["error"].get("key") == "follow_up.same_dept"
          and "另一个部门" in r.json["error"].get("message", ""), "same department: its own message key in zh-CN",
          r.describe())
    ck.same(before, fu_state(ctx, acc_id), "no bad hand-off wrote anything")

    # PATCH: changes, versions, a new owner is notified, nothing changed writes nothing.
    r = am.client.patch("/api/v1/follow-ups/%d" % fid, {"title": "客户反映安装调试慢（加急）", "version": 1})
    ck.expect(r, 200, "PATCH title", json={"title": "客户反映安装调试慢（加急）", "version": 2})
    r = am.client.patch("/api/v1/follow-ups/%d" % fid, {"title": "again", "version": 1})
    ck.expect(r, 409, "PATCH with a stale version -> 409", field="version")
    r = am.client.patch("/api/v1/follow-ups/%d" % fid, {"title": "客户反映安装调试慢（加急）"})
    ck.expect(r, 200, "PATCH that changes nothing", json={"version": 2})
    r = am.client.patch("/api/v1/follow-ups/%d" % fid, {"owner_id": am.id, "dept_role": "technical"})
    ck.expect(r, 200, "PATCH owner and department", json={"owner_id": am.id, "dept_role": "technical", "version": 3})
    r = am.client.patch("/api/v1/follow-ups/%d" % fid, {"owner_id": svc.id})
    ck.expect(r, 200, "PATCH the owner back", json={"owner_id": svc.id})
    r = am.client.patch("/api/v1/follow-ups/%d" % fid, {"owner_id": ctx.U("am_w").id})
    ck.expect(r, 400, "PATCH an owner out of scope -> 400", field="owner_id")
    r = am.client.patch("/api/v1/follow-ups/%d" % fid, {"from_dept": "technical"})
    ck.expect(r, 400, "PATCH from_dept to the department itself -> 400", field="dept_role")

    # The workflow.
    S = "/api/v1/follow-ups/%d/status" % fid
    ck.expect(svc.client.post(S, {"to": "in_progress"}), 200, "service starts it", json={"status": "in_progress"})
    ck.expect(svc.client.post(S, {"to": "resolved"}), 400, "resolved without an action -> 400", field="action")
    ck.expect(svc.client.post(S, {"to": "resolved", "action": "   "}), 400, "an action of blanks -> 400",
              field="action")
    ck.expect(svc.client.post(S, {"to": "confirmed", "confirmation": "好"}), 409,
              "in_progress -> confirmed -> 409", field="to")
    r = svc.client.post(S, {"to": "resolved", "action": "工程师上门重新调试，更换了传感器"})
    ck.expect(r, 200, "resolved with the action", json={"status": "resolved", "action": "工程师上门重新调试，更换了传感器",
                                                        "resolved_at": is_time, "confirmed_at": None})
    ck.expect(svc.client.post(S, {"to": "confirmed"}), 400, "confirmed without the customer's words -> 400",
              field="confirmation")
    ck.expect(svc.client.post(S, {"to": "reopened", "confirmation": "x"}), 400,
              "a confirmation on another move -> 400", field="confirmation")
    ck.expect(svc.client.post(S, {"to": "confirmed", "confirmation": "好", "action": "另一个"}), 400,
              "an action on the move to confirmed -> 400 (it would replace the one confirmed)", field="action")
    r = svc.client.post(S, {"to": "confirmed", "confirmation": "客户张经理电话确认已正常运行"})
    ck.expect(r, 200, "confirmed", json={"status": "confirmed", "confirmation": "客户张经理电话确认已正常运行",
                                         "confirmed_at": is_time, "resolved_at": is_time})
    v = r.json.get("version") if r.json else None
    r = svc.client.post(S, {"to": "reopened"}, headers={"Accept-Language": "zh-TW"})
    ck.expect(r, 409, "confirmed -> reopened -> 409 follow_up.bad_transition", field="to")
    ck.ok(r.json and r.json["error"].get("key") == "follow_up.bad_transition"
          and "跟進任務" in r.json["error"].get("message", ""), "bad transition worded in zh-TW", r.describe())
    ck.expect(svc.client.post(S, {"to": "open"}), 409, "-> open -> 409", field="to")
    ck.expect(svc.client.post(S, {"to": "finished"}), 400, "unknown status -> 400", field="to")
    ck.expect(svc.client.post(S, {}), 400, "no to -> 400", field="to")
    ck.expect(svc.client.post(S, {"to": "in_progress", "version": v}), 409, "confirmed is final", field="to")
    rows = ctx.audit_items("follow_up", fid)
    ck.ok(isinstance(rows, list) and len(rows) >= 7, "every move audited", "%d rows" % len(rows))

    # dropped needs a reason; dropped -> reopened clears it; reopened -> resolved keeps the action.
    f2 = new_handoff(ctx, acc_id, client=am.client)["id"]
    S2 = "/api/v1/follow-ups/%d/status" % f2
    ck.expect(am.client.post(S2, {"to": "dropped"}), 400, "dropped without a reason -> 400", field="reason")
    ck.expect(am.client.post(S2, {"to": "in_progress", "reason": "x"}), 400, "a reason on another move -> 400",
              field="reason")
    ck.expect(am.client.post(S2, {"to": "dropped", "reason": "客户已更换供应商"}), 200, "dropped",
              json={"status": "dropped", "reason": "客户已更换供应商"})
    ck.expect(am.client.post(S2, {"to": "resolved", "action": "x"}), 409, "dropped -> resolved -> 409", field="to")
    ck.expect(am.client.post(S2, {"to": "reopened"}), 200, "dropped -> reopened", json={"status": "reopened",
                                                                                      "reason": ""})
    ck.expect(am.client.post(S2, {"to": "resolved", "action": "补发了配件"}), 200, "reopened -> resolved",
              json={"status": "resolved", "resolved_at": is_time})
    ck.expect(am.client.post(S2, {"to": "reopened"}), 200, "resolved -> reopened (the customer says no)",
              json={"status": "reopened", "resolved_at": None, "action": "补发了配件"})
    ck.expect(am.client.post(S2, {"to": "resolved"}), 200, "resolved again with the stored action",
              json={"status": "resolved"})
    r = ctx.admin.get("/api/v1/follow-ups/%d" % f2)
    ck.expect(am.client.post(S2, {"to": "confirmed", "confirmation": "ok", "version": r.json["version"] - 1}), 409,
              "a stale version on a move -> 409", field="version")

    # Who may: viewers read, do not write; the account manager may not delete; a team lead may.
    viewer = ctx.U("viewer_e").client
    ck.expect(viewer.get("/api/v1/follow-ups/%d" % fid), 200, "viewer reads in scope")
    before = fu_state(ctx, acc_id, f2)
    ck.expect(viewer.post(S2, {"to": "confirmed", "confirmation": "x"}), 403, "viewer may not move it")
    ck.expect(am.client.delete("/api/v1/follow-ups/%d" % f2), 403, "account manager may not delete")
    ck.expect(ctx.U("am_w").client.get("/api/v1/follow-ups/%d" % f2), 404, "another team's manager: 404")
    ck.expect(ctx.U("fin").client.get("/api/v1/follow-ups"), 403, "finance: no follow-ups")
    ck.same(before, fu_state(ctx, acc_id, f2), "denied requests changed nothing")
    ck.expect(ctx.U("lead_e").client.delete("/api/v1/follow-ups/%d" % f2), 204, "the team lead deletes")
    ck.expect(a.get("/api/v1/follow-ups/%d" % f2), 404, "gone")
    rows = ctx.audit_items("follow_up", f2)
    ck.ok(isinstance(rows, list) and rows and rows[0].get("action") == "delete", "delete audited", repr(rows)[:200])

    # Deleting the account deletes its follow-ups, one delete row each.
    gone = ctx.new_account("am_e", code=ctx.uniq("FUX"))
    g = [new_handoff(ctx, gone)["id"], new_handoff(ctx, gone, dept_role="technical")["id"]]
    ck.expect(a.delete("/api/v1/accounts/%d" % gone), 204, "delete an account with follow-ups")
    for x in g:
        rows = ctx.audit_items("follow_up", x)
        ck.ok(isinstance(rows, list) and rows and rows[0].get("action") == "delete",
              "the account's deletion audits follow-up %d" % x, repr(rows)[:200])


def g_lists(ctx):
    ck = ctx.ck
    a = ctx.admin
    am = ctx.U("am_e")
    acc_id = ctx.new_account("am_e", members=[("service_e", "service")], code=ctx.uniq("FUL"),
                             name="跟进列表 " + ctx.tag)
    other = ctx.new_account("am_w", code=ctx.uniq("FUL"), name="别家跟进 " + ctx.tag)
    made = []
    for i, (frm, dept, due) in enumerate([("sales", "service", "2020-01-01"), ("sales", "technical", None),
                                          ("service", "production", "2099-12-31"), ("sales", "marketing", "2021-06-01"),
                                          ("technical", "service", None)]):
        body = {"from_dept": frm, "dept_role": dept, "title": "列表 %d %s" % (i, ctx.tag)}
        if due:
            body["due_on"] = due
        made.append(new_handoff(ctx, acc_id, **body))
    o1 = new_handoff(ctx, other, title="别家 " + ctx.tag)
    ids = [m["id"] for m in made]
    a.post("/api/v1/follow-ups/%d/status" % ids[3], {"to": "dropped", "reason": "不再需要"})

    def listed(q, client=None):
        items, _, err = (client or a).list_all("/api/v1/follow-ups", dict(q, account_id=str(acc_id)))
        return sorted(i["id"] for i in items) if err is None else ("error", err.status)

    ck.ok(listed({}) == sorted(ids), "all of the account's follow-ups", repr(listed({})))
    ck.ok(listed({"dept_role": "service"}) == sorted([ids[0], ids[4]]), "dept_role=service")
    ck.ok(listed({"status": "dropped"}) == [ids[3]], "status=dropped")
    ck.ok(listed({"open": "1"}) == sorted([ids[0], ids[1], ids[2], ids[4]]), "open=1")
    ck.ok(listed({"overdue": "1"}) == [ids[0]], "overdue=1: open and due before today (a dropped one is not)",
          repr(listed({"overdue": "1"})))
    ck.ok(listed({"source": "handoff"}) == sorted(ids) and listed({"source": "survey"}) == [], "source")
    svc_id = ctx.U("service_e").id
    ck.ok(listed({"owner_id": "me"}, ctx.U("service_e").client) == sorted([ids[0], ids[4]]),
          "owner_id=me for the service member", repr(listed({"owner_id": "me"}, ctx.U("service_e").client)))
    ck.ok(listed({"owner_id": str(svc_id)}) == sorted([ids[0], ids[4]]), "owner_id=<id>")
    r = a.get("/api/v1/follow-ups/%d" % ids[0])
    ck.expect(r, 200, "an overdue follow-up says so", json={"overdue": True, "due_on": "2020-01-01"})
    # The account list, and scope.
    items, _, err = am.client.list_all("/api/v1/accounts/%d/follow-ups" % acc_id)
    ck.ok(err is None and sorted(i["id"] for i in items) == sorted(ids), "the account's list")
    items, _, err = am.client.list_all("/api/v1/follow-ups")
    got = {i["id"] for i in items} if err is None else set()
    ck.ok(set(ids) <= got and o1["id"] not in got, "the list keeps to the caller's scope")
    items, _, err = ctx.U("viewer_e").client.list_all("/api/v1/follow-ups", {"account_id": str(other)})
    ck.ok(err is None and items == [], "a viewer sees no follow-ups of another team's account")
    # Keyset paging: every row once, in order, by both sorts.
    for sort in ("created_at", "-created_at", "due_on", "-due_on"):
        items, pages, err = a.list_all("/api/v1/follow-ups", {"account_id": str(acc_id), "sort": sort}, limit=2)
        got = [i["id"] for i in items]
        ck.ok(err is None and sorted(got) == sorted(ids) and len(pages) == 3, "paging by %s: 3 pages, each row once"
              % sort, repr(got))
        keys = [(i["due_on"] or "9999-12-31") if "due_on" in sort else i["created_at"] for i in items]
        pairs = list(zip(keys, got))
        want = sorted(pairs, reverse=sort.startswith("-"))
        ck.ok(pairs == want, "sorted by %s then id" % sort, repr(pairs))
    # count
    for q in ({}, {"dept_role": "service"}, {"overdue": "1"}, {"status": "dropped"}):
        r = a.get("/api/v1/follow-ups/count", dict(q, account_id=str(acc_id)))
        ck.expect(r, 200, "count %r" % q, json={"total": len(listed(q))})
    # export: the screen's words
    r = a.get("/api/v1/follow-ups/export", {"account_id": str(acc_id), "format": "csv", "lang": "zh-CN",
                                            "columns": "title,dept_role,status", "sort": "created_at"})
    text = r.body.decode("utf-8-sig") if isinstance(r.body, bytes) else str(r.body)
    lines = text.strip().split("\n")
    ck.ok(r.status == 200 and len(lines) == 6 and "服务" in lines[1] and "待处理" in lines[1]
          and "已放弃" in lines[4], "export in zh-CN words departments and statuses", text[:300])
    r = a.get("/api/v1/follow-ups/export", {"account_id": str(acc_id), "format": "csv", "raw": "1",
                                            "columns": "dept_role,status", "sort": "created_at"})
    text = r.body.decode("utf-8-sig") if isinstance(r.body, bytes) else str(r.body)
    ck.ok(r.status == 200 and "service" in text and "dropped" in text, "export raw=1 keeps codes", text[:200])
    # bad filters
    for q, field in (({"dept_role": "legal"}, "dept_role"), ({"status": "done"}, "status"),
                     ({"source": "x"}, "source"), ({"overdue": "2"}, "overdue"), ({"open": "x"}, "open"),
                     ({"limit": "0"}, "limit"), ({"limit": "501"}, "limit"), ({"sort": "title"}, "sort"),
                     ({"cursor": "bogus"}, "cursor"), ({"owner_id": "x"}, "owner_id"), ({"color": "red"}, "color")):
        ck.expect(a.get("/api/v1/follow-ups", q), 400, "bad filter %r" % q, field=field)


def g_stats(ctx):
    ck = ctx.ck
    a = ctx.admin
    acc_id = ctx.new_account("am_e", members=[("service_e", "service")], code=ctx.uniq("FUS"),
                             name="跟进统计 " + ctx.tag)
    f = [new_handoff(ctx, acc_id, dept_role=d, from_dept="sales" if d != "sales" else "service")["id"]
         for d in ("service", "service", "service", "technical", "sales")]
    a.post("/api/v1/follow-ups/%d/status" % f[0], {"to": "resolved", "action": "做了"})
    a.post("/api/v1/follow-ups/%d/status" % f[0], {"to": "confirmed", "confirmation": "好了"})
    a.post("/api/v1/follow-ups/%d/status" % f[1], {"to": "resolved", "action": "做了"})
    a.post("/api/v1/follow-ups/%d/status" % f[2], {"to": "dropped", "reason": "不做"})
    a.post("/api/v1/accounts/%d/follow-ups" % acc_id, {"from_dept": "sales", "dept_role": "production",
                                                       "title": "过期", "due_on": "2020-05-05"})
    today = china_day()

    def independent(client):
        """The figures computed here from the list (every follow-up the caller may read)."""
        items, _, err = client.list_all("/api/v1/follow-ups")
        if err is not None:
            return None
        out = {}
        for d in DEPTS:
            rows = [i for i in items if i["dept_role"] == d]  # all made by this run: within the window
            out[d] = {"created": len(rows),
                      "resolved": sum(1 for i in rows if i["resolved_at"]),
                      "confirmed": sum(1 for i in rows if i["confirmed_at"]),
                      "dropped": sum(1 for i in rows if i["status"] == "dropped"),
                      "overdue": sum(1 for i in rows if i["overdue"])}
        return out

    for who in ("admin", "am_e", "viewer_e"):
        client = ctx.U(who).client
        want = independent(client)
        r = client.get("/api/v1/follow-ups/stats", {"from": china_day(-2), "to": today})
        if not ck.expect(r, 200, "stats as %s" % who):
            continue
        got = {i["dept_role"]: {k: i[k] for k in ("created", "resolved", "confirmed", "dropped", "overdue")}
               for i in r.json["items"]}
        ck.ok(got == want, "stats as %s equal the figures counted from the list" % who,
              "got %r want %r" % (got, want))
        for i in r.json["items"]:
            rate = round(i["confirmed"] / i["created"], 3) if i["created"] else 0
            ck.ok(abs(i["closed_loop_rate"] - rate) < 1e-9, "closed-loop rate %s = confirmed / created" % i["dept_role"],
                  repr(i))
            ck.ok((i["mean_days_resolve"] is None) == (i["resolved"] == 0), "mean days null iff nothing resolved",
                  repr(i))
        tot = r.json["total"]
        ck.ok(tot["created"] == sum(v["created"] for v in want.values()), "total created", repr(tot))
    # The account manager's figures include ours: service 3 created, 2 resolved, 1 confirmed, 1 dropped.
    r = ctx.U("am_e").client.get("/api/v1/follow-ups/stats", {"from": china_day(-1), "to": today})
    svc = [i for i in r.json["items"] if i["dept_role"] == "service"][0] if r.status == 200 else {}
    ck.ok(svc.get("created", 0) >= 3 and svc.get("confirmed", 0) >= 1 and svc.get("median_days_resolve") is not None
          and svc["median_days_resolve"] < 0.1, "service figures", repr(svc))
    # Another team's manager does not see them; finance may not ask.
    r = ctx.U("am_w").client.get("/api/v1/follow-ups/stats", {"from": china_day(-1), "to": today})
    mine = r.json["total"]["created"] if r.status == 200 else -1
    r2 = a.get("/api/v1/follow-ups/stats", {"from": china_day(-1), "to": today})
    ck.ok(0 <= mine < r2.json["total"]["created"], "another team's manager counts fewer", "%s vs %s" % (
        mine, r2.json["total"]["created"]))
    ck.expect(ctx.U("fin").client.get("/api/v1/follow-ups/stats"), 403, "finance may not read follow-up stats")
    # team_id: accounts owned by the team's people (am_e is in "east", am_w in "west").
    east = a.get("/api/v1/follow-ups/stats", {"from": china_day(-1), "to": today, "team_id": str(ctx.teams["east"])})
    west = a.get("/api/v1/follow-ups/stats", {"from": china_day(-1), "to": today, "team_id": str(ctx.teams["west"])})
    items, _, err = a.list_all("/api/v1/follow-ups")
    owners = {}
    for i in items if err is None else []:
        acc_ = owners.setdefault(i["account_id"], a.get("/api/v1/accounts/%d" % i["account_id"]).json.get("owner_id"))
        i["_owner"] = acc_
    teams = {}
    for uid in {i["_owner"] for i in items if i["_owner"]}:
        teams[uid] = a.get("/api/v1/users/%d" % uid).json.get("team_id")
    want_e = sum(1 for i in items if i["_owner"] and teams.get(i["_owner"]) == ctx.teams["east"])
    ck.ok(east.status == 200 and east.json["total"]["created"] == want_e and want_e >= 5,
          "team_id=east counts the follow-ups of accounts owned by the east team's people",
          "%s want %d" % (east.describe(), want_e))
    ck.ok(west.status == 200 and west.json["total"]["created"] < east.json["total"]["created"],
          "team_id=west counts fewer", west.describe())
    # The parent team "sales" takes in east and west (its subteams) and their managers.
    sales = a.get("/api/v1/follow-ups/stats", {"from": china_day(-1), "to": today, "team_id": str(ctx.teams["sales"])})
    ck.ok(sales.status == 200 and east.status == 200 and west.status == 200
          and sales.json["total"]["created"] >= east.json["total"]["created"] + west.json["total"]["created"]
          and east.json["total"]["created"] >= 5,
          "team_id=sales counts its subteams' follow-ups", "%s %s %s" % (sales.describe(), east.describe(),
                                                                        west.describe()))
    lead_acc = ctx.new_account("lead_e", code=ctx.uniq("FUT"), name="组长客户 " + ctx.tag)
    new_handoff(ctx, lead_acc, dept_role="marketing")
    east2 = a.get("/api/v1/follow-ups/stats", {"from": china_day(-1), "to": today, "team_id": str(ctx.teams["east"])})
    ck.ok(east2.status == 200 and east2.json["total"]["created"] == east.json["total"]["created"] + 1,
          "team_id=east counts the follow-ups of accounts its manager owns", east2.describe())
    r = a.get("/api/v1/follow-ups/stats", {"team_id": "99999999"})
    ck.expect(r, 404, "an unknown team -> 404 naming team_id", field="team_id")
    # A window before anything existed is empty; a team without accounts is empty.
    r = a.get("/api/v1/follow-ups/stats", {"from": "2001-01-01", "to": "2001-12-31"})
    ck.expect(r, 200, "an empty window", json={"total": {"created": 0, "closed_loop_rate": 0}})
    for q, field in (({"from": "2026-13-01"}, "from"), ({"to": "x"}, "to"),
                     ({"from": "2026-02-01", "to": "2026-01-01"}, "to"), ({"team_id": "x"}, "team_id")):
        ck.expect(a.get("/api/v1/follow-ups/stats", q), 400, "bad stats query %r" % q, field=field)


def g_settings(ctx):
    ck = ctx.ck
    a = ctx.admin
    r = a.get("/api/v1/settings/follow-ups")
    ck.expect(r, 200, "the follow-up settings", json={"nps_max": 6, "csat_max": 2, "rating_max": 2,
                                                      "due_days": 7, "urgent_days": 3})
    before = ctx.config_state(), a.get("/api/v1/settings/follow-ups").json
    for b, field in (({"nps_max": 10}, "nps_max"), ({"csat_max": 0}, "csat_max"), ({"rating_max": 5}, "rating_max"),
                     ({"due_days": 0}, "due_days"), ({"urgent_days": 366}, "urgent_days"), ({"x": 1}, "x")):
        ck.expect(a.patch("/api/v1/settings/follow-ups", b), 400, "bad setting %r" % b, field=field)
    ck.expect(ctx.U("am_e").client.patch("/api/v1/settings/follow-ups", {"due_days": 5}), 403,
              "an account manager may not change them")
    ck.same(before, (ctx.config_state(), a.get("/api/v1/settings/follow-ups").json), "nothing changed")
    for b in ({"urgent_days": 8}, {"due_days": 2}, {"due_days": 4, "urgent_days": 5}):
        ck.expect(a.patch("/api/v1/settings/follow-ups", b), 400, "urgent_days > due_days %r -> 400" % b,
                  field="urgent_days")
    ck.same(before, (ctx.config_state(), a.get("/api/v1/settings/follow-ups").json), "nothing changed")
    r = a.patch("/api/v1/settings/follow-ups", {"due_days": 10})
    ck.expect(r, 200, "PATCH due_days", json={"due_days": 10, "nps_max": 6})
    acc_id = ctx.new_account("am_e", code=ctx.uniq("FUC"))
    ck.ok(new_handoff(ctx, acc_id)["due_on"] == china_day(10), "a new follow-up is due in the configured days")
    ck.expect(a.patch("/api/v1/settings/follow-ups", {"due_days": 7}), 200, "back to 7")


# ---- follow-ups made from a survey response (the SURVEYS and ANSWERS routes make it)

def g_from_survey(ctx):
    ck = ctx.ck
    a = ctx.admin
    am = ctx.U("am_e")
    ops = {(m, p) for m, p, _ in __import__("t_basic").openapi_ops(ctx.openapi or a.get("/api/v1/openapi.json").json)}
    need = [("post", "/api/v1/surveys"), ("post", "/api/v1/surveys/{id}/links"),
            ("post", "/api/v1/survey-links/{id}/response")]
    missing = [p for p in need if p not in ops and (p[0].upper(), p[1]) not in ops]
    if not ck.ok(not missing, "the survey routes this group needs exist", repr(missing)):
        return
    acc_id = ctx.new_account("am_e", members=[("service_e", "service"), ("lead_e", "production"),
                                              ("viewer_e", "marketing")],
                             code=ctx.uniq("FUV"), name="问卷跟进 " + ctx.tag)
    contact = ctx.new_contact(acc_id, name="刘客户")
    T = lambda s: {"zh-CN": s, "zh-TW": s, "en": s}  # noqa: E731
    body = {"title": T("满意度调查 " + ctx.tag), "questions": [
        {"kind": "nps", "text": T("您向同行推荐我们的可能性有多大？"), "required": True},
        {"kind": "csat", "text": T("总体满意度"), "overall": True},
        {"kind": "rating", "driver": "delivery", "text": T("交货准时")},
        {"kind": "rating", "driver": "service_response", "text": T("服务响应")},
        {"kind": "text", "text": T("其他意见")},
    ]}
    s = ctx.must(a.post("/api/v1/surveys", body), 201, "create survey")
    ctx.must(a.post("/api/v1/surveys/%d/status" % s["id"], {"to": "open", "version": s["version"]}), 200, "open it")
    links = ctx.must(am.client.post("/api/v1/surveys/%d/links" % s["id"],
                                    {"contact_ids": [contact], "channel": "phone", "lang": "zh-CN"}), 201, "a link")
    lid = links["items"][0]["id"]
    full = ctx.must(a.get("/api/v1/surveys/%d" % s["id"]), 200, "read survey")
    q = {x["kind"] + (x.get("driver") or ""): x["id"] for x in full["questions"]}
    answers = [{"question_id": q["nps"], "value": 3}, {"question_id": q["csat"], "value": 4},
               {"question_id": q["ratingdelivery"], "value": 2}, {"question_id": q["ratingservice_response"], "value": 5},
               {"question_id": q["text"], "text": "交货一再延误，质量也很差，非常失望，考虑换供应商"}]
    r = am.client.post("/api/v1/survey-links/%d/response" % lid, {"lang": "zh-CN", "answers": answers})
    if not ck.expect(r, 201, "staff enter the answers taken by phone"):
        return
    items, _, err = am.client.list_all("/api/v1/accounts/%d/follow-ups" % acc_id)
    by_q = {i["question_id"]: i for i in items} if err is None else {}
    ck.ok(len(items) == 3, "three follow-ups: NPS 3, delivery 2, the negative comment (CSAT 4 and service 5 are fine)",
          repr([(i["source"], i["dept_role"], i["title"]) for i in items]))
    nps = by_q.get(q["nps"], {})
    ck.matches(nps, dict(FU_SHAPE, source="survey", dept_role="sales", owner_id=am.id, due_on=china_day(3),
                         status="open", response_id=is_id), "NPS 3 -> sales, the account owner, urgent (3 days)")
    ck.ok("3/10" in nps.get("title", "") and nps.get("detail", "").startswith("受访者于 ") and
          "刘客户" not in nps.get("detail", "") and nps.get("respondent_name") == "刘客户",
          "title and detail say what scored low; the respondent beside them (respondent_name), not in them",
          repr(nps))
    dl = by_q.get(q["ratingdelivery"], {})
    ck.matches(dl, {"source": "survey", "dept_role": "production", "owner_id": ctx.U("lead_e").id,
                    "due_on": china_day(7)}, "delivery 2 -> production, its member on the team, 7 days")
    cm = by_q.get(q["text"], {})
    ck.matches(cm, {"source": "comment", "dept_role": "sales", "detail_withheld": False}, "the negative comment")
    ck.ok("交货一再延误" in cm.get("detail", ""), "the account manager reads the comment", repr(cm))
    r = ctx.U("viewer_e").client.get("/api/v1/follow-ups/%d" % cm.get("id", 0))
    ck.expect(r, 200, "a viewer reads the comment's follow-up without the comment",
              json={"detail": "", "detail_withheld": True})
    r = ctx.U("viewer_e").client.get("/api/v1/follow-ups/%d" % nps.get("id", 0))
    ck.expect(r, 200, "a viewer reads a score's follow-up without the respondent or the score",
              json={"detail": "", "detail_withheld": True, "title": "低分：您向同行推荐我们的可能性有多大？",
                    "respondent_name": None})
    r = ctx.U("viewer_e").client.get("/api/v1/follow-ups/%d" % cm.get("id", 0))
    ck.expect(r, 200, "... and a comment's without the respondent", json={"title": "负面评论：其他意见"})
    got = notifications_about(ctx, "lead_e", dl.get("id", 0))
    ck.ok(isinstance(got, list) and len(got) == 1, "the production member is notified", repr(got)[:200])

    # The respondent, their score and comment: never in the audit (whoever reads it), nor in
    # notifications; viewers and finance see none of them anywhere.
    secrets = ("刘客户", "3/10", "2/5", "交货一再延误", "打了")
    fids = [i["id"] for i in items]

    def clean(what, blob):
        text = blob if isinstance(blob, str) else repr(blob)
        bad = [x for x in secrets if x in text]
        ck.ok(not bad, what + ": no respondent, score or comment", "%r in %s" % (bad, text[:300]))

    for f_ in fids:
        clean("admin's audit of follow-up %d" % f_, ctx.audit_items("follow_up", f_))
    for who in ("am_e", "lead_e"):
        clean("%s's notifications" % who, ctx.U(who).client.list_all("/api/v1/notifications")[0])
    viewer = ctx.U("viewer_e").client
    v_items, _, err = viewer.list_all("/api/v1/accounts/%d/follow-ups" % acc_id)
    ck.ok(err is None and len(v_items) == 3, "the viewer lists the three", repr(err))
    clean("the viewer's list", v_items)
    clean("the viewer's list of all", viewer.list_all("/api/v1/follow-ups", {"account_id": str(acc_id)})[0])
    for f_ in fids:
        clean("the viewer's follow-up %d" % f_, viewer.get("/api/v1/follow-ups/%d" % f_).body)
    r = viewer.get("/api/v1/follow-ups/export", {"account_id": str(acc_id), "format": "csv",
                                                 "columns": "title,detail,status"})
    text = r.body.decode("utf-8-sig") if isinstance(r.body, bytes) else str(r.body)
    ck.ok(r.status == 200 and "其他意见" in text, "the viewer exports them", text[:200])
    clean("the viewer's export", text)
    for f_ in fids:
        rows = ctx.audit_items("follow_up", f_, client=viewer)
        ck.ok(isinstance(rows, list) and rows, "the viewer reads follow-up %d's history" % f_, repr(rows)[:200])
        clean("the viewer's audit of follow-up %d" % f_, rows)
    rows = ctx.audit_items("account", acc_id, client=viewer)
    ck.ok(isinstance(rows, list) and any(x.get("entity") == "follow_up" for x in rows),
          "the viewer's account history has the follow-ups", repr(rows)[:200])
    # (the contact's own rows carry its name: that is the contact, not what they answered)
    clean("the viewer's account history", [x for x in rows if x.get("entity") == "follow_up"])
    fin = ctx.U("fin").client
    ck.expect(fin.get("/api/v1/follow-ups/%d" % fids[0]), 403, "finance may not read a follow-up")
    for f_ in fids:
        ck.expect(fin.get("/api/v1/audit", {"entity": "follow_up", "id": str(f_)}), 403,
                  "finance may not read follow-up %d's history either" % f_)
    rows = ctx.audit_items("account", acc_id, client=fin)
    ck.ok(isinstance(rows, list) and rows and not any(x.get("entity") in ("follow_up", "survey_response", "survey_link")
                                                      for x in rows),
          "finance's account history leaves out follow-ups and responses", repr(rows)[:300])
    ck.ok(isinstance(rows, list) and any(x.get("entity") == "account" for x in rows),
          "... and keeps the account's own rows", repr(rows)[:200])

    # A move by the account manager: the stored title and detail stay; the action only where it belongs.
    S = "/api/v1/follow-ups/%d/status" % nps.get("id", 0)
    ck.expect(am.client.post(S, {"to": "dropped", "reason": "x", "action": "y"}), 400,
              "an action on the move to dropped -> 400", field="action")
    ck.expect(am.client.post(S, {"to": "in_progress", "action": "已致电客户"}), 200, "started with an action",
              json={"action": "已致电客户", "title": nps.get("title"), "detail": nps.get("detail")})

    # Erasing the response (the respondent asked): its follow-ups stay, without the respondent,
    # score or comment, the change audited without the text.
    rid = nps.get("response_id") or 0
    ck.expect(a.delete("/api/v1/survey-responses/%d" % rid), 204, "erase the response")
    for f_ in fids:
        r = a.get("/api/v1/follow-ups/%d" % f_)
        ck.expect(r, 200, "follow-up %d stays after the erasure" % f_,
                  json={"response_id": None, "detail": "（已按要求删除 / erased）", "detail_withheld": False})
        clean("follow-up %d after the erasure (as admin)" % f_, r.body)
        rows = ctx.audit_items("follow_up", f_)
        ck.ok(isinstance(rows, list) and rows and rows[0].get("action") == "update", "the erasure is audited on %d" % f_,
              repr(rows)[:200])
        clean("follow-up %d's history after the erasure" % f_, rows)
    r = a.get("/api/v1/follow-ups/%d" % nps.get("id", 0))
    ck.expect(r, 200, "the NPS follow-up's title names the question only",
              json={"title": "低分：您向同行推荐我们的可能性有多大？", "status": "in_progress", "action": "已致电客户"})


GROUPS = [
    ("followups-handoffs", g_handoffs, True),
    ("followups-lists", g_lists, True),
    ("followups-stats", g_stats, True),
    ("followups-settings", g_settings, True),
    ("followups-survey", g_from_survey, True),
]


# ---- permission matrix builders (t_matrix.py): every route of api/needs/follow_ups.c

def _fu(ctx, rec_):
    key = "FU_own" if rec_ == "own" else "FU_other"
    if key not in ctx.ids:
        ctx.ids[key] = new_handoff(ctx, acc(ctx, rec_), title="矩阵跟进")["id"]
    return ctx.ids[key]


@route("GET", "/api/v1/follow-ups", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/follow-ups")


@route("GET", "/api/v1/follow-ups/count", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/follow-ups/count")


@route("GET", "/api/v1/follow-ups/export", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/follow-ups/export", query={"format": "csv"})


@route("GET", "/api/v1/follow-ups/stats", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/follow-ups/stats")


@route("GET", "/api/v1/accounts/{id}/follow-ups", "account")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/accounts/%d/follow-ups" % acc(ctx, rec_))


@route("POST", "/api/v1/accounts/{id}/follow-ups", "account")
def _(ctx, u, rec_):
    a = acc(ctx, rec_)
    return Attempt("POST", "/api/v1/accounts/%d/follow-ups" % a,
                   {"from_dept": "sales", "dept_role": "technical", "title": "矩阵 " + ctx.uniq()}, ok=201,
                   state=lambda: fu_state(ctx, a))


@route("GET", "/api/v1/follow-ups/{id}", "follow_up")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/follow-ups/%d" % _fu(ctx, rec_))


@route("PATCH", "/api/v1/follow-ups/{id}", "follow_up")
def _(ctx, u, rec_):
    f, a = _fu(ctx, rec_), acc(ctx, rec_)
    return Attempt("PATCH", "/api/v1/follow-ups/%d" % f, {"detail": "matrix " + ctx.uniq()},
                   state=lambda: fu_state(ctx, a, f))


@route("DELETE", "/api/v1/follow-ups/{id}", "follow_up")
def _(ctx, u, rec_):
    a = acc(ctx, rec_)
    f = new_handoff(ctx, a, title="矩阵删除")["id"]
    return Attempt("DELETE", "/api/v1/follow-ups/%d" % f, ok=204, state=lambda: fu_state(ctx, a, f))


@route("POST", "/api/v1/follow-ups/{id}/status", "follow_up")
def _(ctx, u, rec_):
    a = acc(ctx, rec_)
    f = new_handoff(ctx, a, title="矩阵流转")["id"]
    return Attempt("POST", "/api/v1/follow-ups/%d/status" % f, {"to": "in_progress"},
                   state=lambda: fu_state(ctx, a, f))


@route("GET", "/api/v1/settings/follow-ups", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/settings/follow-ups")


@route("PATCH", "/api/v1/settings/follow-ups", "none")
def _(ctx, u, rec_):
    r = ctx.admin.get("/api/v1/settings/follow-ups")
    cur = r.json.get("due_days") if isinstance(r.json, dict) else None
    cur = cur if isinstance(cur, int) else 7
    return Attempt("PATCH", "/api/v1/settings/follow-ups", {"due_days": cur + 1 if cur < 365 else cur - 1},
                   state=lambda: ctx.admin.get("/api/v1/settings/follow-ups").json,
                   cleanup=lambda: ctx.admin.patch("/api/v1/settings/follow-ups", {"due_days": cur}))
