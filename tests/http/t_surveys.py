"""Surveys (issue 14, F3.7): definitions in three languages (draft -> open -> closed, questions
frozen once opened), drivers, sending by links (the token given once, only its sha256 stored),
links by state, reissue, revoke, e-mail reminders (the scheduler, on its own database with a
pinned clock), response rates; permissions (the matrix builders for every route are below)."""

import hashlib
import os
import re
import subprocess

from lib import ANY, is_id, is_time, run_cli, iso
import fixtures
from t_matrix import route, Attempt, acc, con

T0 = 1930352400  # 2031-03-04T01:00:00Z, the reminders world's pinned clock
DAY = 86400
NMANY = 30  # e-mail links that two reminder passes at once race for


def texts(zh, tw=None, en=None):
    return {"zh-CN": zh, "zh-TW": tw if tw is not None else zh, "en": en if en is not None else ""}


def questions():
    return [
        {"kind": "nps", "text": texts("您有多大可能向同事推荐我们？", "您有多大可能向同事推薦我們？",
                                      "How likely are you to recommend us?"), "required": True},
        {"kind": "csat", "text": texts("总体满意度", "整體滿意度", "Overall satisfaction"), "overall": True},
        {"kind": "rating", "driver": "delivery", "text": texts("交付及时", "交貨準時", "On-time delivery")},
        {"kind": "single", "text": texts("您的角色", "您的角色", "Your role"),
         "options": [{"label": texts("采购", "採購", "Buyer")}, {"label": texts("技术", "技術", "Engineer")}]},
        {"kind": "multi", "text": texts("您关心哪些方面", en="What matters"),
         "options": [{"label": texts("价格")}, {"label": texts("质量")}, {"label": texts("服务")}]},
        {"kind": "text", "text": texts("其他意见", "其他意見", "Anything else?")},
    ]


def new_survey(ctx, client=None, open_it=False, **fields):
    body = {"title": texts("满意度调查 " + ctx.uniq(), "滿意度調查", "Satisfaction survey"),
            "questions": fields.pop("questions", questions())}
    body.update(fields)
    j = ctx.must((client or ctx.admin).post("/api/v1/surveys", body), 201, "create survey")
    if open_it:
        ctx.must(ctx.admin.post("/api/v1/surveys/%d/status" % j["id"], {"to": "open"}), 200, "open survey")
    return j["id"]


def survey_state(ctx, sid=None):
    st = {"surveys": ctx.ids_of("/api/v1/surveys")}
    if sid:
        r = ctx.admin.get("/api/v1/surveys/%d" % sid)
        st["record"] = (r.status, r.json)
        st["links"] = ctx.ids_of("/api/v1/surveys/%d/links" % sid) if r.status == 200 else None
        st["audit"] = ctx.audit_ids("survey", sid)
    return st


def link_state(ctx, sid, lid=None):
    st = {"links": ctx.ids_of("/api/v1/surveys/%d/links" % sid)}
    if lid:
        items = [x for x in ctx.admin.get("/api/v1/surveys/%d/links" % sid, query={"limit": "500"}).items or []
                 if x.get("id") == lid]
        st["record"] = items
        st["audit"] = ctx.audit_ids("survey_link", lid)
    return st


def drivers_state(ctx):
    r = ctx.admin.get("/api/v1/survey-drivers")
    return (r.status, r.json)


PUBLIC = "https://kam.example.com"


def set_public_url(ctx, url, client=None):
    return ctx.must((client or ctx.admin).patch("/api/v1/settings/surveys", {"public_url": url}), 200,
                    "public_url %r" % url)


def raw_post(ctx, client, path, body, host=None, extra=()):
    """A POST with a Host header of our making (the suite's client always sends 127.0.0.1:port)."""
    import http.client
    import json
    conn = http.client.HTTPConnection("127.0.0.1", client.port, timeout=20)
    try:
        conn.putrequest("POST", path, skip_host=host is not None, skip_accept_encoding=True)
        data = json.dumps(body).encode()
        hdrs = [("Content-Type", "application/json"), ("Content-Length", str(len(data))),
                ("Cookie", "; ".join("%s=%s" % kv for kv in client.cookies.items())),
                ("X-CSRF-Token", client.csrf)] + list(extra)
        if host is not None:
            hdrs.append(("Host", host))
        for k, v in hdrs:
            conn.putheader(k, v)
        conn.endheaders(data)
        r = conn.getresponse()
        out = r.read()
        return r.status, (json.loads(out) if out else None)
    finally:
        conn.close()


def plain(ctx, port, method, path, body, cookies=None, csrf=None):
    """One request on its own connection (for threads): the status."""
    import http.client
    import json
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        data = json.dumps(body).encode() if body is not None else b""
        hdrs = {"Content-Type": "application/json", "Content-Length": str(len(data))}
        if cookies:
            hdrs["Cookie"] = "; ".join("%s=%s" % kv for kv in cookies.items())
        if csrf:
            hdrs["X-CSRF-Token"] = csrf
        conn.request(method, path, body=data, headers=hdrs)
        r = conn.getresponse()
        r.read()
        return r.status
    except (OSError, http.client.HTTPException):
        return 0
    finally:
        conn.close()


def outbox(ctx, dsn, addr):
    """The outbox bodies to addr, oldest first."""
    from t_whomay import _sql
    n = int(_sql(dsn, "SELECT COUNT(*) FROM outbox WHERE to_addr = '%s'" % addr) or 0)
    return [_sql(dsn, "SELECT subject || '|' || body FROM outbox WHERE to_addr = '%s' ORDER BY id LIMIT 1 "
                      "OFFSET %d" % (addr, i)) or "" for i in range(n)]


def expect_key(ck, r, status, name, key, **kw):
    """ck.expect and the error's message key."""
    if ck.expect(r, status, name, **kw):
        ck.ok((r.err or {}).get("key") == key, name + ": key " + key, repr(r.err))


def send(ctx, sid, contact_ids, client=None, **fields):
    body = {"contact_ids": contact_ids}
    body.update(fields)
    return ctx.must((client or ctx.admin).post("/api/v1/surveys/%d/links" % sid, body), 201, "send survey")


SURVEY_SHAPE = {"id": is_id, "status": str, "title": dict, "intro": dict, "link_days": int, "remind_days": int,
                "max_reminders": int, "created_by": ANY, "opened_at": ANY, "closed_at": ANY, "version": int,
                "created_at": is_time, "updated_at": is_time, "question_count": int, "links": int,
                "responses": int, "response_rate": ANY}


def g_surveys(ctx):
    ck = ctx.ck
    a = ctx.admin
    lead = ctx.U("lead_e").client
    am = ctx.U("am_e").client

    # ---- create: defaults, round trip, audit
    body = {"title": texts("年度满意度调查", "年度滿意度調查", "Annual satisfaction survey"),
            "intro": texts("感谢您的支持", "感謝您的支持", "Thank you"), "questions": questions()}
    r = lead.post("/api/v1/surveys", body)
    want = dict(SURVEY_SHAPE, status="draft", link_days=30, remind_days=7, max_reminders=2, version=1,
                question_count=6, links=0, responses=0, title=body["title"], intro=body["intro"],
                created_by=ctx.U("lead_e").id, opened_at=None, closed_at=None)
    if not ck.expect(r, 201, "POST survey as a team lead -> 201 draft with defaults", json=want):
        return
    sid = r.json["id"]
    qs = r.json["questions"]
    ck.ok([q["position"] for q in qs] == [1, 2, 3, 4, 5, 6] and qs[2]["driver"] == "delivery" and
          qs[0]["required"] is True and qs[1]["overall"] is True and qs[0]["driver"] is None,
          "questions keep their order, driver, required and overall", repr(qs)[:400])
    ck.ok([o["label"]["zh-TW"] for o in qs[3]["options"]] == ["採購", "技術"] and
          [o["position"] for o in qs[4]["options"]] == [0, 1, 2],
          "options keep labels in three languages and positions from 0", repr(qs[3])[:300])
    ck.expect(a.get("/api/v1/surveys/%d" % sid), 200, "GET survey round-trips", json=dict(want, id=sid))
    rows = ctx.audit_items("survey", sid)
    ck.ok(isinstance(rows, list) and [x.get("action") for x in rows] == ["create"], "survey create is audited",
          repr(rows)[:300])

    # ---- bad input: 400 naming the field, nothing written
    before = survey_state(ctx)
    q_ok = {"kind": "csat", "text": texts("满意吗")}
    bad = [
        ({}, "title"),
        ({"title": texts("")}, "title"),
        ({"title": "标题"}, "title"),
        ({"title": texts("x" * 201)}, "title.zh-CN"),
        ({"title": {"fr": "Enquête"}}, "title"),
        ({"title": texts("t"), "intro": texts("x" * 2001)}, "intro.zh-CN"),
        ({"title": texts("t"), "link_days": 0}, "link_days"),
        ({"title": texts("t"), "link_days": 366}, "link_days"),
        ({"title": texts("t"), "remind_days": 0}, "remind_days"),
        ({"title": texts("t"), "max_reminders": 6}, "max_reminders"),
        ({"title": texts("t"), "version": 2}, "version"),
        ({"title": texts("t"), "bogus": 1}, "bogus"),
        ({"title": texts("t"), "questions": [q_ok] * 51}, "questions"),
        ({"title": texts("t"), "questions": [{"text": texts("x")}]}, "questions[0].kind"),
        ({"title": texts("t"), "questions": [{"kind": "stars", "text": texts("x")}]}, "questions[0].kind"),
        ({"title": texts("t"), "questions": [{"kind": "rating", "text": texts("x")}]}, "questions[0].driver"),
        ({"title": texts("t"), "questions": [{"kind": "rating", "driver": "no_such", "text": texts("x")}]},
         "questions[0].driver"),
        ({"title": texts("t"), "questions": [{"kind": "nps", "driver": "price", "text": texts("x")}]},
         "questions[0].driver"),
        ({"title": texts("t"), "questions": [{"kind": "text", "overall": True, "text": texts("x")}]},
         "questions[0].overall"),
        ({"title": texts("t"), "questions": [dict(q_ok, overall=True), dict(q_ok, overall=True)]},
         "questions[1].overall"),
        ({"title": texts("t"), "questions": [{"kind": "single", "text": texts("x"),
                                              "options": [{"label": texts("一")}]}]}, "questions[0].options"),
        ({"title": texts("t"), "questions": [{"kind": "multi", "text": texts("x"),
                                              "options": [{"label": texts(str(i))} for i in range(21)]}]},
         "questions[0].options"),
        ({"title": texts("t"), "questions": [dict(q_ok, options=[{"label": texts("a")}, {"label": texts("b")}])]},
         "questions[0].options"),
        ({"title": texts("t"), "questions": [{"kind": "csat", "text": texts("x" * 501)}]},
         "questions[0].text.zh-CN"),
        ({"title": texts("t"), "questions": [{"kind": "single", "text": texts("x"),
                                              "options": [{"label": texts("a")}, {"label": texts("b\nc")}]}]},
         "questions[0].options[1].label.zh-CN"),
        ({"title": texts("t"), "questions": [dict(q_ok, extra=1)]}, "questions[0]"),
        ({"title": texts("t"), "questions": {"kind": "csat"}}, "questions"),
    ]
    for b, field in bad:
        ck.expect(a.post("/api/v1/surveys", b), 400, "bad survey %s -> 400 %s" % (sorted(b.keys()), field),
                  field=field)
    ck.same(before, survey_state(ctx), "rejected surveys changed nothing")
    ck.expect(am.post("/api/v1/surveys", {"title": texts("t")}), 403, "an account manager does not build surveys",
              code="forbidden")

    # ---- PATCH: versions, no-op, questions replaced whole while draft
    p = "/api/v1/surveys/%d" % sid
    r = lead.patch(p, {"title": {"en": "Annual survey"}, "version": 1})
    ck.expect(r, 200, "PATCH one language of the title", json={"version": 2, "title": dict(
        body["title"], en="Annual survey")})
    ck.expect(lead.patch(p, {"link_days": 10, "version": 1}), 409, "PATCH with a stale version -> 409",
              field="version")
    ck.expect(lead.patch(p, {"link_days": 30}), 200, "PATCH that changes nothing keeps the version",
              json={"version": 2})
    r = lead.patch(p, {"questions": questions()[:2]})
    ck.expect(r, 200, "PATCH questions replaced whole while draft", json={"question_count": 2, "version": 3})
    r = lead.patch(p, {"questions": questions()})
    ck.expect(r, 200, "PATCH questions back", json={"question_count": 6, "version": 4})

    # ---- status: open, frozen, close, reopen
    st = p + "/status"
    empty = new_survey(ctx, questions=[])
    ck.expect(a.post("/api/v1/surveys/%d/status" % empty, {"to": "open"}), 409,
              "a survey without questions does not open", field="to")
    unworded = new_survey(ctx, questions=[{"kind": "text", "text": texts("")}])
    ck.expect(a.post("/api/v1/surveys/%d/status" % unworded, {"to": "open"}), 409,
              "a survey with an unworded question does not open", field="to")
    ck.expect(lead.post(st, {"to": "closed"}), 409, "draft -> closed is no move", field="to")
    ck.expect(lead.post(st, {"to": "draft"}), 400, "to draft -> 400", field="to")
    ck.expect(lead.post(st, {"to": "open", "version": 1}), 409, "stale version on status -> 409", field="version")
    r = lead.post(st, {"to": "open", "version": 4})
    ck.expect(r, 200, "open the survey", json={"status": "open", "opened_at": is_time, "version": 5})
    ck.expect(lead.patch(p, {"questions": questions()[:1]}), 409, "questions of an open survey are frozen",
              field="questions")
    ck.expect(lead.patch(p, {"questions": questions()}), 200, "the same questions again are no change",
              json={"version": 5})
    ck.expect(lead.patch(p, {"intro": {"en": "Thanks a lot"}}), 200, "texts change while open",
              json={"version": 6})

    # ---- copy
    r = lead.post(p + "/copy")
    ck.expect(r, 201, "copy -> a new draft with the same questions",
              json={"status": "draft", "question_count": 6, "links": 0, "version": 1})
    copy_id = r.json["id"] if r.status == 201 else None

    # ---- lists, count, q, paging
    r = a.get("/api/v1/surveys", query={"status": "open"})
    ck.ok(r.status == 200 and sid in [x["id"] for x in r.items] and all(x["status"] == "open" for x in r.items)
          and all("questions" not in x for x in r.items), "list by status (no questions in list items)",
          r.describe())
    r = a.get("/api/v1/surveys", query={"q": "年度滿意度"})
    ck.ok(r.status == 200 and sid in [x["id"] for x in r.items], "q finds a title in zh-TW", r.describe())
    r = a.get("/api/v1/surveys/count", query={"status": "draft"})
    items, _, err = a.list_all("/api/v1/surveys", {"status": "draft"})
    ck.ok(r.status == 200 and err is None and r.json["total"] == len(items), "count equals the list",
          "%s vs %d" % (r.describe(), len(items)))
    r1 = a.get("/api/v1/surveys", query={"limit": "1"})
    ck.ok(r1.status == 200 and len(r1.items) == 1 and r1.json.get("next_cursor"), "limit 1 gives a cursor",
          r1.describe())
    if r1.status == 200 and r1.json.get("next_cursor"):
        r2 = a.get("/api/v1/surveys", query={"limit": "1", "cursor": r1.json["next_cursor"]})
        ck.ok(r2.status == 200 and r2.items and r2.items[0]["id"] < r1.items[0]["id"], "next page is older",
              r2.describe())
    ck.expect(a.get("/api/v1/surveys", query={"status": "gone"}), 400, "bad status filter", field="status")
    ck.expect(a.get("/api/v1/surveys", query={"limit": "0"}), 400, "limit 0", field="limit")
    ck.expect(a.get("/api/v1/surveys/99999999"), 404, "no such survey -> 404")

    # ---- delete: a draft; an open survey without responses; not one with responses (ANSWERS)
    ck.expect(a.delete("/api/v1/surveys/%d" % empty), 204, "delete a draft")
    ck.expect(a.get("/api/v1/surveys/%d" % empty), 404, "deleted survey is gone")
    rows = ctx.audit_items("survey", empty)
    ck.ok(isinstance(rows, list) and "delete" in [x.get("action") for x in rows], "delete is audited",
          repr(rows)[:300])
    if copy_id:
        ck.expect(lead.delete("/api/v1/surveys/%d" % copy_id), 403, "a team lead does not delete surveys",
                  code="forbidden")
    ctx.ids["S_main"] = sid


def g_survey_drivers(ctx):
    ck = ctx.ck
    a = ctx.admin
    r = ctx.U("am_e").client.get("/api/v1/survey-drivers")
    ck.ok(r.status == 200 and {"product_quality", "delivery", "price", "service_response", "technical_support",
                               "account_manager", "communication"} <= {x["key"] for x in r.items},
          "the seven seeded drivers are listed", r.describe())
    d = {x["key"]: x for x in r.items or []}
    ck.ok(d.get("delivery", {}).get("dept_role") == "production" and
          d.get("delivery", {}).get("label", {}).get("zh-TW") == "交貨準時", "a driver has its department and labels",
          repr(d.get("delivery")))
    key = "packaging_" + ctx.tag.lower()
    body = {"key": key, "label": texts("包装", "包裝", "Packaging"), "dept_role": "production", "position": 8}
    r = a.put("/api/v1/survey-drivers", body)
    ck.expect(r, 200, "PUT a new driver", json={"key": key, "active": True, "position": 8, "label": body["label"]})
    r = a.put("/api/v1/survey-drivers", dict(body, dept_role="service", active=False))
    ck.expect(r, 200, "PUT changes a driver", json={"dept_role": "service", "active": False})
    # an inactive driver is refused for new questions
    r = a.post("/api/v1/surveys", {"title": texts("t"), "questions": [
        {"kind": "rating", "driver": key, "text": texts("包装")}]})
    ck.expect(r, 400, "an inactive driver is refused", field="questions[0].driver")
    before = drivers_state(ctx)
    for b, field in [({"key": "Bad Key", "label": texts("x"), "dept_role": "sales"}, "key"),
                     ({"key": "k1", "label": texts(""), "dept_role": "sales"}, "label"),
                     ({"key": "k1", "label": texts("x"), "dept_role": "finance"}, "dept_role"),
                     ({"key": "k1", "label": texts("x" * 501), "dept_role": "sales"}, "label.zh-CN"),
                     ({"label": texts("x"), "dept_role": "sales"}, "key"),
                     ({"key": "k1", "dept_role": "sales"}, "label"),
                     ({"key": "k1", "label": texts("x"), "dept_role": "sales", "position": -1}, "position")]:
        ck.expect(a.put("/api/v1/survey-drivers", b), 400, "bad driver -> 400 %s" % field, field=field)
    ck.same(before, drivers_state(ctx), "rejected drivers changed nothing")
    ck.expect(ctx.U("lead_e").client.put("/api/v1/survey-drivers", body), 403,
              "drivers are configuration: a team lead may not change them", code="forbidden")


def settings_audit(ctx):
    from t_whomay import _sql
    return _sql(ctx.dsn, "SELECT COUNT(*) FROM audit WHERE entity = 'settings'")


def g_survey_settings(ctx):
    ck = ctx.ck
    a = ctx.admin
    r = a.get("/api/v1/settings/surveys")
    ck.expect(r, 200, "the surveys' settings", json={"public_url": str, "env_public_url": None, "in_use": ANY})
    before = (a.get("/api/v1/settings/surveys").json, settings_audit(ctx))
    for b, field in (({"public_url": "kam.example.com"}, "public_url"), ({"public_url": "ftp://kam.example.com"},
                     "public_url"), ({"public_url": "https://"}, "public_url"),
                     ({"public_url": "https://kam.example.com/?a=1"}, "public_url"),
                     ({"public_url": "https://kam.example.com/#x"}, "public_url"),
                     ({"public_url": "https://kam example.com"}, "public_url"),
                     ({"public_url": "https://k.example.com/" + "x" * 180}, "public_url"),
                     ({"public_url": 5}, "public_url"), ({}, "public_url"), ({"x": 1}, "x")):
        ck.expect(a.patch("/api/v1/settings/surveys", b), 400, "bad setting %r -> 400" % b, field=field)
    ck.expect(ctx.U("lead_e").client.patch("/api/v1/settings/surveys", {"public_url": PUBLIC}), 403,
              "a team lead may not change it", code="forbidden")
    ck.same(before, (a.get("/api/v1/settings/surveys").json, settings_audit(ctx)),
            "refused settings changed nothing")
    url = "http://kam-%s.example.com:8080/kam" % ctx.tag.lower()
    ck.expect(a.patch("/api/v1/settings/surveys", {"public_url": url}), 200, "PATCH public_url",
              json={"public_url": url, "in_use": url})
    from t_whomay import _sql
    ck.ok(int(_sql(ctx.dsn, "SELECT COUNT(*) FROM audit WHERE entity = 'settings' AND changes LIKE '%%%s%%'"
                   % url) or 0) == 1, "the change is audited", "")
    ck.expect(a.patch("/api/v1/settings/surveys", {"public_url": ""}), 200, "clear it",
              json={"public_url": "", "in_use": None})
    ck.expect(a.patch("/api/v1/settings/surveys", {"public_url": PUBLIC}), 200, "set it back",
              json={"public_url": PUBLIC, "in_use": PUBLIC})


def g_survey_links(ctx):
    ck = ctx.ck
    a = ctx.admin
    am = ctx.U("am_e")
    own = ctx.new_account("am_e", code=ctx.uniq("SV"), name="问卷客户 " + ctx.tag, tier="key")
    other = ctx.new_account("am_w", code=ctx.uniq("SV"), name="别家问卷 " + ctx.tag, tier="key")
    dm = ctx.new_contact(own, name="决策人", decision_role="decision_maker", influence=5,
                         email="dm-%s@example.com" % ctx.tag.lower())
    user = ctx.new_contact(own, name="使用者", decision_role="user", influence=2)
    infl = ctx.new_contact(own, name="影响者", decision_role="user", influence=4, email="i@example.com")
    far = ctx.new_contact(other, name="别家决策人", decision_role="decision_maker", influence=5)
    draft = new_survey(ctx)
    sid = new_survey(ctx, open_it=True, link_days=14)
    L = "/api/v1/surveys/%d/links" % sid

    # only an open survey is sent
    ck.expect(a.post("/api/v1/surveys/%d/links" % draft, {"contact_ids": [dm]}), 409,
              "a draft is not sent", field="id")
    before = link_state(ctx, sid)
    for b, field in [({}, "contact_ids"), ({"contact_ids": [dm], "tier": "key", "key_only": True}, "tier"),
                     ({"tier": "A", "key_only": True}, "tier"), ({"tier": "key"}, "key_only"),
                     ({"contact_ids": [dm], "channel": "fax"}, "channel"),
                     ({"contact_ids": [dm], "lang": "fr"}, "lang"),
                     ({"contact_ids": [0]}, "contact_ids"),
                     ({"contact_ids": list(range(1, 52))}, "contact_ids")]:
        ck.expect(a.post(L, b), 400, "bad send %r -> 400 %s" % (sorted(b.keys()), field), field=field)
    ck.same(before, link_state(ctx, sid), "rejected sends changed nothing")

    # e-mail needs a configured public address: never the request's Host
    set_public_url(ctx, "")
    expect_key(ck, a.post(L, {"contact_ids": [dm], "channel": "email"}), 409,
              "e-mail without a public address -> 409 naming channel", field="channel", key="survey.no_public_url")
    ck.same(before, link_state(ctx, sid), "the refused e-mail send changed nothing")
    # a copy link shows the sender the address they used; X-Forwarded-* from an untrusted peer count for nothing
    cp = ctx.new_contact(own, name="复制", decision_role="user")
    st, j = raw_post(ctx, am.client, L, {"contact_ids": [cp], "channel": "copy"}, host="kam.intra:8080",
                     extra=[("X-Forwarded-Host", "kam-login.evil.example"), ("X-Forwarded-Proto", "https")])
    url = ((j or {}).get("items") or [{}])[0].get("url", "")
    ck.ok(st == 201 and url.startswith("http://kam.intra:8080/s#"),
          "copy link: the request's Host, X-Forwarded-Host/Proto ignored from an untrusted peer", "%s %s" % (st, url))
    set_public_url(ctx, PUBLIC + "/")
    # the account manager sends to contacts: in scope, out of scope, unknown, no e-mail (Host: a phishing site)
    st, j = raw_post(ctx, am.client, L, {"contact_ids": [dm, far, 99999999, user], "channel": "email",
                                          "lang": "zh-TW"}, host="kam-login.evil.example")
    if not ck.ok(st == 201 and isinstance(j, dict), "send by e-mail as the account manager -> 201", repr(j)[:300]):
        return
    items, skipped = j["items"], j["skipped"]
    ck.ok([x["contact_id"] for x in items] == [dm], "one link: the in-scope contact with an e-mail", repr(items))
    ck.ok(sorted((s["contact_id"], s["reason"]) for s in skipped) ==
          sorted([(far, "not_found"), (99999999, "not_found"), (user, "no_email")]),
          "skipped: out of scope (unseen), unknown, no e-mail", repr(skipped))
    link = items[0] if items else {}
    tok = link.get("token", "")
    ck.ok(len(tok) == 22 and all(ch.isalnum() or ch in "-_" for ch in tok), "token: 22 base64url characters",
          tok)
    ck.ok(link.get("url") == PUBLIC + "/s#" + tok, "url is <public_url>/s#<token>, not the request's Host",
          link.get("url"))
    mail = outbox(ctx, ctx.dsn, "dm-%s@example.com" % ctx.tag.lower())
    ck.ok(len(mail) == 1 and (PUBLIC + "/s#" + tok) in mail[0] and "evil" not in mail[0],
          "the e-mail links to the public address", repr(mail)[:300])
    ck.ok(link.get("state") == "pending" and link.get("lang") == "zh-TW" and link.get("channel") == "email" and
          link.get("account_id") == own and link.get("reminders") == 0, "the link's fields", repr(link))
    # the token is given once: never in lists, never in the audit
    r = a.get(L)
    ck.ok(r.status == 200 and all("token" not in x and "url" not in x for x in r.items), "lists never show a token",
          r.describe())
    rows = ctx.audit_items("survey_link", link.get("id", 0))
    ck.ok(isinstance(rows, list) and rows and tok not in repr(rows) and hashlib.sha256(tok.encode()).hexdigest()
          not in repr(rows), "the link's creation is audited without its token", repr(rows)[:300])
    # sending again: already sent
    r = am.client.post(L, {"contact_ids": [dm], "channel": "copy"})
    ck.expect(r, 201, "send again -> 201 skipped", json={"items": [], "skipped": [
        {"contact_id": dm, "reason": "already_sent"}]})
    # admin sees the other account's contact: sends to it
    r = a.post(L, {"contact_ids": [far], "channel": "phone", "lang": "en"})
    ck.expect(r, 201, "admin sends a phone link to another account")
    # a tier's key contacts in the caller's scope: decision maker (sent), influence 4 (new), not the user
    r = am.client.post(L, {"tier": "key", "key_only": True, "channel": "copy"})
    ck.expect(r, 201, "send to the key tier's key contacts")
    got = sorted(x["contact_id"] for x in (r.json or {}).get("items", []))
    ck.ok(infl in got and dm not in got and user not in got and far not in got,
          "tier: key contacts in scope only, not already sent", repr(r.json)[:400])
    ck.ok(any(s["contact_id"] == dm and s["reason"] == "already_sent" for s in (r.json or {}).get("skipped", [])),
          "tier: the decision maker was already sent", repr(r.json)[:400])

    # lists: scope, state, account, paging
    mine = ctx.ids_of(L, client=am.client)
    alln = ctx.ids_of(L)
    ck.ok(isinstance(mine, list) and isinstance(alln, list) and len(alln) == len(mine) + 1,
          "the account manager sees the links of their accounts only", "%r vs %r" % (mine, alln))
    r1, r2 = am.client.get("/api/v1/surveys/%d" % sid), a.get("/api/v1/surveys/%d" % sid)
    ck.ok(r1.status == 200 and r2.status == 200 and r1.json["links"] == len(mine) and r2.json["links"] == len(alln),
          "a survey's link count is the caller's scope", "%s / %s" % (r1.json and r1.json.get("links"),
                                                                      r2.json and r2.json.get("links")))
    r = a.get(L, query={"state": "pending", "account_id": str(own)})
    ck.ok(r.status == 200 and r.items and all(x["state"] == "pending" and x["account_id"] == own for x in r.items),
          "filter by state and account", r.describe())
    ck.expect(a.get(L, query={"state": "late"}), 400, "bad state", field="state")
    r = a.get("/api/v1/accounts/%d/survey-links" % own)
    ck.ok(r.status == 200 and sorted(x["id"] for x in r.items) == ctx.ids_of(L, query={"account_id": str(own)}),
          "the account's links", r.describe())
    ck.expect(ctx.U("am_w").client.get("/api/v1/accounts/%d/survey-links" % own), 404,
              "another account manager cannot see the account's links")

    # reissue: a new token, the old one dead (sha256 stored); revoke
    lid = link.get("id", 0)
    r = am.client.post("/api/v1/survey-links/%d/reissue" % lid)
    ck.expect(r, 200, "reissue -> a new token and url", json={"id": lid, "state": "pending"})
    tok2 = (r.json or {}).get("token", "")
    ck.ok(len(tok2) == 22 and tok2 != tok, "reissue gives a different token", tok2)
    rows = ctx.audit_items("survey_link", lid)
    ck.ok(isinstance(rows, list) and "reissue" in [x.get("action") for x in rows] and tok2 not in repr(rows),
          "reissue is audited without the token", repr(rows)[:300])
    # the old token no longer opens the survey, the new one does
    pub = ctx.client("public")
    ck.expect(pub.post("/api/v1/public/survey", {"token": tok}), 404, "the old token is unknown after a reissue")
    ck.expect(pub.post("/api/v1/public/survey", {"token": tok2}), 200, "the reissued token opens the survey")
    # an e-mail link is e-mailed again; the queued e-mail with the dead link is gone
    mail = outbox(ctx, ctx.dsn, "dm-%s@example.com" % ctx.tag.lower())
    ck.ok(len(mail) == 1 and (PUBLIC + "/s#" + tok2) in mail[0] and tok not in mail[0],
          "reissue e-mails the new link; the queued e-mail holding the old one is deleted", repr(mail)[:300])
    rev_addr = "x-%s@example.com" % ctx.tag.lower()
    r = a.post(L, {"contact_ids": [ctx.new_contact(own, name="撤回", email=rev_addr)], "channel": "email"})
    rev = r.json["items"][0]["id"] if r.status == 201 and r.json["items"] else 0
    ck.ok(len(outbox(ctx, ctx.dsn, rev_addr)) == 1, "the e-mail to revoke is queued", "")
    ck.expect(am.client.delete("/api/v1/survey-links/%d" % rev), 403, "an account manager does not revoke",
              code="forbidden")
    ck.expect(ctx.U("lead_e").client.delete("/api/v1/survey-links/%d" % rev), 204, "the team lead revokes a link")
    ck.ok(rev not in (ctx.ids_of(L) or []), "a revoked link is gone", "")
    ck.ok(outbox(ctx, ctx.dsn, rev_addr) == [], "its queued e-mail (holding the link) went with it", "")
    ck.expect(ctx.U("lead_e").client.delete("/api/v1/survey-links/%d" % rev), 404, "revoking it again -> 404")
    ck.expect(a.post("/api/v1/survey-links/99999999/reissue"), 404, "reissue of no such link -> 404")

    # rates: by account, tier and channel, in scope
    r = a.get("/api/v1/surveys/%d/rates" % sid)
    if ck.expect(r, 200, "rates"):
        j = r.json
        ck.ok(j["total"]["sent"] == len(ctx.ids_of(L)) and j["total"]["answered"] == 0 and j["total"]["rate"] == 0,
              "total sent counts every link", repr(j["total"]))
        ck.ok({x["key"] for x in j["by_channel"]} == {"email", "phone", "copy"} and
              [x["key"] for x in j["by_tier"]] == ["key"], "by channel and tier", repr(j)[:400])
        names = {x["key"]: x["name"] for x in j["by_account"]}
        ck.ok(names.get(str(own)) == "问卷客户 " + ctx.tag, "by account with its name", repr(names))
    r = am.client.get("/api/v1/surveys/%d/rates" % sid)
    ck.ok(r.status == 200 and str(other) not in [x["key"] for x in r.json["by_account"]],
          "rates of an account manager: their accounts only", r.describe())
    ck.expect(a.get("/api/v1/surveys/99999999/rates"), 404, "rates of no such survey -> 404")

    # closing stops sending and reissuing; the list shows the survey's counts
    r = a.get("/api/v1/surveys", query={"status": "open", "limit": "500"})
    it = [x for x in r.items or [] if x["id"] == sid]
    ck.ok(it and it[0]["links"] == len(ctx.ids_of(L)), "the list counts the survey's links", repr(it))
    ck.expect(a.post("/api/v1/surveys/%d/status" % sid, {"to": "closed"}), 200, "close the survey",
              json={"status": "closed", "closed_at": is_time})
    ck.expect(a.post(L, {"contact_ids": [user]}), 409, "a closed survey is not sent", field="id")
    ck.expect(a.post("/api/v1/survey-links/%d/reissue" % lid), 409, "a closed survey's link is not reissued")
    gone = ctx.ids_of(L)
    ck.expect(a.delete("/api/v1/surveys/%d" % sid), 204, "a survey without responses can be deleted")
    ck.ok(ctx.ids_of("/api/v1/accounts/%d/survey-links" % own) == [], "its links went with it", "")
    ck.ok(outbox(ctx, ctx.dsn, "dm-%s@example.com" % ctx.tag.lower()) == [],
          "their queued e-mails (holding the links) went too", "")
    rows = ctx.audit_items("survey_link", gone[0] if gone else 0)
    ck.ok(isinstance(rows, list) and rows and rows[0].get("action") == "delete" and rows[0].get("account_id") == own,
          "each link removed with the survey is audited (delete) under its account", repr(rows)[:300])

    # a survey with a response is not deleted (409) and keeps everything
    sid2 = new_survey(ctx, open_it=True, questions=[{"kind": "csat", "text": texts("满意吗")}])
    qid = a.get("/api/v1/surveys/%d" % sid2).json["questions"][0]["id"]
    j = send(ctx, sid2, [dm], channel="email")
    ck.ok(len(outbox(ctx, ctx.dsn, "dm-%s@example.com" % ctx.tag.lower())) == 1, "the e-mail is queued", "")
    tk = j["items"][0]["token"]
    ck.expect(pub.post("/api/v1/public/survey/answer", {"token": tk, "answers": [{"question_id": qid, "value": 4}]}),
              201, "answer the survey")
    ck.ok(outbox(ctx, ctx.dsn, "dm-%s@example.com" % ctx.tag.lower()) == [],
          "answering deletes the link's queued e-mail (it held the link)", "")
    before = survey_state(ctx, sid2)
    expect_key(ck, a.delete("/api/v1/surveys/%d" % sid2), 409, "a survey with a response is not deleted",
              field="id", key="survey.has_responses")
    ck.same(before, survey_state(ctx, sid2), "the refused delete changed nothing")
    expect_key(ck, a.delete("/api/v1/survey-links/%d" % j["items"][0]["id"]), 409, "an answered link is not revoked",
               key="survey.link_answered")
    expect_key(ck, a.post("/api/v1/survey-links/%d/reissue" % j["items"][0]["id"]), 409,
               "an answered link is not reissued", key="survey.link_answered")

    # revoke racing an answer: either the answer is stored and the revoke refused, or the link is
    # gone and the answer refused -- never a stored answer deleted with its link
    lead = ctx.U("lead_e").client
    cs = [ctx.new_contact(own, name="竞争%d" % k) for k in range(12)]
    race = send(ctx, sid2, cs)["items"]
    results = {}

    def answer(l):
        results[("a", l["id"])] = plain(ctx, a.port, "POST", "/api/v1/public/survey/answer",
                                         {"token": l["token"], "answers": [{"question_id": qid, "value": 5}]})

    def revoke(l):
        results[("r", l["id"])] = plain(ctx, a.port, "DELETE", "/api/v1/survey-links/%d" % l["id"], None,
                                        lead.cookies, lead.csrf)

    import threading
    ts = [threading.Thread(target=f, args=(l,)) for l in race for f in (answer, revoke)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    left = {x["id"]: x for x in a.list_all("/api/v1/surveys/%d/links" % sid2)[0] or []}
    bad = []
    for l in race:
        ra, rr = results.get(("a", l["id"])), results.get(("r", l["id"]))
        kept = l["id"] in left and left[l["id"]]["state"] == "answered" and left[l["id"]]["response_id"]
        if not ((ra == 201 and rr == 409 and kept) or (rr == 204 and ra in (404, 409) and l["id"] not in left)):
            bad.append((l["id"], ra, rr, left.get(l["id"], {}).get("state")))
    ck.ok(not bad, "answer vs revoke at once: the answer kept and the revoke refused, or the link gone and "
                   "the answer refused", repr(bad))
    ck.ok(sum(1 for l in race if results.get(("a", l["id"])) == 201) ==
          len([x for x in left.values() if x["state"] == "answered"]) - 1,
          "every 201 answer is stored", repr(results))


def g_survey_reminders(ctx):
    """The reminder job on its own database (SQLite file, or --jobs-dsn's second database when the
    suite runs on PostgreSQL), clock pinned."""
    from t_jobs import World
    from t_whomay import _psql
    import urllib.parse
    ck = ctx.ck
    pg = None
    if ctx.dsn.startswith("sqlite:"):
        dsn = "sqlite:%s" % os.path.join(ctx.tmp, "surveys-jobs-%s.db" % ctx.tag)
    else:
        pg = "kam_surveys_%s" % ctx.tag.lower()
        _psql(ctx.dsn, "CREATE DATABASE %s" % pg)
        u = urllib.parse.urlsplit(ctx.dsn)
        dsn = urllib.parse.urlunsplit((u.scheme, u.netloc, "/" + pg, u.query, u.fragment))
    try:
        _reminders(ctx, dsn)
    finally:
        if pg:
            _psql(ctx.dsn, "DROP DATABASE IF EXISTS %s" % pg)


def _reminders(ctx, dsn):
    from t_jobs import World
    ck = ctx.ck
    rc, out, err = run_cli(ctx.kam, ["init", "--db", dsn])
    if not ck.ok(rc == 0, "kam init --db (surveys reminder database)", err[-300:]):
        return
    J = World(ctx, dsn)
    if not fixtures.bootstrap_admin(J.w) or not J.start(T0):
        return
    try:
        w = J.w
        adm = w.users["admin"]
        adm.client = w.client("admin")
        w.must(adm.client.login(adm.login, adm.password), 200, "reminders: admin login")
        a = adm.client
        acc_id = w.must(a.post("/api/v1/accounts", {"code": w.uniq("RM"), "name": "提醒客户"}), 201, "account")["id"]
        c1 = w.new_contact(acc_id, name="甲", email="a@example.com", decision_role="decision_maker", influence=5)
        c2 = w.new_contact(acc_id, name="乙", email="b@example.com", decision_role="decision_maker", influence=5)
        c3 = w.new_contact(acc_id, name="丙", decision_role="decision_maker", influence=5)
        sid = w.must(a.post("/api/v1/surveys", {"title": texts("提醒测试", "提醒測試", "Reminder test"),
                                                "remind_days": 3, "max_reminders": 2, "link_days": 30,
                                                "questions": [{"kind": "csat", "text": texts("满意吗")}]}),
                     201, "survey")["id"]
        w.must(a.post("/api/v1/surveys/%d/status" % sid, {"to": "open"}), 200, "open")
        r = a.post("/api/v1/surveys/%d/links" % sid, {"contact_ids": [c1], "channel": "email"})
        ck.expect(r, 409, "no public address: e-mail links are refused", field="channel")
        set_public_url(w, PUBLIC, client=a)
        r = w.must(a.post("/api/v1/surveys/%d/links" % sid, {"contact_ids": [c1, c2], "channel": "email",
                                                              "lang": "en"}), 201, "send e-mail links")
        tok = {x["contact_id"]: x["token"] for x in r["items"]}
        w.must(a.post("/api/v1/surveys/%d/links" % sid, {"contact_ids": [c3], "channel": "copy"}), 201, "copy link")
        # more e-mail links, so that two passes at once really race for them
        many = [w.new_contact(acc_id, name="多%d" % i, email="m%d@example.com" % i) for i in range(NMANY)]
        w.must(a.post("/api/v1/surveys/%d/links" % sid, {"contact_ids": many, "channel": "email"}), 201,
               "send %d more e-mail links" % NMANY)
        pub = w.client("pub")

        def opens(t):
            return pub.post("/api/v1/public/survey", {"token": t}).status

        def reminders(now, passes=1):
            args, env = J.jobs_cmd(now)
            procs = [subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                     for _ in range(passes)]
            total = 0
            for p in procs:
                out, err = p.communicate(timeout=120)
                m = re.search(r"(\d+) survey reminders", out)
                ck.ok(p.returncode == 0 and m, "kam jobs run reports survey reminders", out[-300:] + err[-300:])
                total += int(m.group(1)) if m else 0
            return total

        def links():
            items, _, _err = a.list_all("/api/v1/surveys/%d/links" % sid)
            return {x["contact_id"]: x for x in items or []}

        from t_whomay import _sql

        def mails(addr):
            n = _sql(dsn, "SELECT COUNT(*) FROM outbox WHERE to_addr = '%s'" % addr)
            last = _sql(dsn, "SELECT subject || '|' || body FROM outbox WHERE to_addr = '%s' ORDER BY id DESC "
                             "LIMIT 1" % addr)
            return int(n or 0), last or ""

        def token_in(body):
            m = re.search(re.escape(PUBLIC) + r"/s#([A-Za-z0-9_-]{22})", body)
            return m.group(1) if m else ""

        n, last = mails("a@example.com")
        ck.ok(n == 1 and last.startswith("Survey: Reminder test|") and (PUBLIC + "/s#" + tok[c1]) in last,
              "an e-mail link is queued in the outbox in the link's language with its url", last[:300])
        ck.ok(mails("b@example.com")[0] == 1, "one e-mail per e-mail link", "")
        ck.ok(reminders(T0 + 2 * DAY) == 0, "no reminder before remind_days", "")
        set_public_url(w, "", client=a)
        ck.ok(reminders(T0 + 3 * DAY) == 0, "no public address at reminder time: nothing sent", "")
        ck.ok(mails("a@example.com")[0] == 1 and links()[c1]["reminders"] == 0, "... and nothing changed", "")
        set_public_url(w, PUBLIC, client=a)
        got = reminders(T0 + 3 * DAY, passes=2)
        ck.ok(got == 2 + NMANY, "two passes at once: every e-mail link reminded once (not the copy link)",
              "%s reminders for %d links" % (got, 2 + NMANY))
        L = links()
        ck.ok(all(L[c]["reminders"] == 1 for c in [c1, c2] + many) and L[c3]["reminders"] == 0,
              "each link counts one reminder", repr([L[c]["reminders"] for c in [c1, c2] + many]))
        ck.ok(all(mails("m%d@example.com" % i)[0] == 2 for i in range(NMANY)), "each got one reminder e-mail",
              repr([mails("m%d@example.com" % i)[0] for i in range(NMANY)]))
        ck.ok(L[c1]["reminded_at"] == iso(T0 + 3 * DAY), "reminded_at recorded", repr(L[c1]))
        ck.ok(L[c1]["expires_at"] == iso(T0 + 30 * DAY), "a reminder keeps the link's expiry", repr(L[c1]))
        n, last = mails("a@example.com")
        t1 = token_in(last)
        ck.ok(n == 2 and last.startswith("Reminder: Reminder test|") and t1 and t1 != tok[c1],
              "the reminder e-mail carries a new full link (the public address), in English", last[:300])
        # the link the contact already has keeps working after a reminder; so does the new one
        ck.ok(opens(tok[c1]) == 200 and opens(t1) == 200, "after a reminder both the first and the new link open",
              "%s / %s" % (opens(tok[c1]), opens(t1)))
        ck.ok(reminders(T0 + 3 * DAY + 3600) == 0, "the same pass again reminds nobody (idempotent)", "")
        ck.ok(reminders(T0 + 6 * DAY) == 2 + NMANY, "second reminder 3 days after the first", "")
        t2 = token_in(mails("a@example.com")[1])
        ck.ok(opens(tok[c1]) == 404 and opens(t1) == 200 and opens(t2) == 200,
              "after the second reminder: the first link dies, the last two open",
              "%s %s %s" % (opens(tok[c1]), opens(t1), opens(t2)))
        ck.ok(reminders(T0 + 20 * DAY) == 0, "no more than max_reminders", "")
        rows = w.audit_items("survey_link", L[c1]["id"])
        ck.ok(isinstance(rows, list) and [x.get("action") for x in rows].count("remind") == 2,
              "each reminder is audited", repr(rows)[:300])
        # a reissue kills every earlier link and e-mails the new one
        b_last = token_in(mails("b@example.com")[1])
        b_prev = [token_in(x) for x in outbox(w, dsn, "b@example.com")][1]
        r = a.post("/api/v1/survey-links/%d/reissue" % L[c2]["id"])
        ck.expect(r, 200, "reissue a reminded e-mail link")
        tb = (r.json or {}).get("token", "")
        ck.ok(opens(b_last) == 404 and opens(b_prev) == 404 and opens(tb) == 200,
              "after a reissue only the reissued link opens", "%s %s %s" % (opens(b_last), opens(b_prev), opens(tb)))
        n, last = mails("b@example.com")
        ck.ok(token_in(last) == tb and last.startswith("Survey: Reminder test|"), "the reissued link is e-mailed",
              last[:300])
        # a closed survey gets no reminders
        c4 = w.new_contact(acc_id, name="丁", email="d@example.com", decision_role="decision_maker", influence=5)
        w.must(a.post("/api/v1/surveys/%d/links" % sid, {"contact_ids": [c4], "channel": "email"}), 201, "send")
        w.must(a.post("/api/v1/surveys/%d/status" % sid, {"to": "closed"}), 200, "close")
        ck.ok(reminders(T0 + 25 * DAY) == 0, "a closed survey's links are not reminded", "")
    finally:
        J.stop()


GROUPS = [
    ("surveys", g_surveys, True),
    ("surveys-drivers", g_survey_drivers, True),
    ("surveys-settings", g_survey_settings, True),
    ("surveys-links", g_survey_links, True),
    ("surveys-reminders", g_survey_reminders, True),
]


# ---- permission matrix builders (t_matrix.py): every route of api/needs/surveys.c

def _open_survey(ctx):
    if "SV_open" not in ctx.ids:
        ctx.ids["SV_open"] = new_survey(ctx, open_it=True)
    return ctx.ids["SV_open"]


def _draft(ctx):
    if "SV_draft" not in ctx.ids:
        ctx.ids["SV_draft"] = new_survey(ctx)
    return ctx.ids["SV_draft"]


def _fresh_link(ctx, rec_):
    """A new link (a new contact) of the open survey on the own or other account."""
    a = acc(ctx, rec_)
    c = ctx.new_contact(a, name="矩阵链接" + ctx.uniq())
    j = send(ctx, _open_survey(ctx), [c])
    return j["items"][0]["id"], a


@route("GET", "/api/v1/surveys", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/surveys")


@route("GET", "/api/v1/surveys/count", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/surveys/count")


@route("POST", "/api/v1/surveys", "none")
def _(ctx, u, rec_):
    return Attempt("POST", "/api/v1/surveys", {"title": texts("矩阵问卷 " + ctx.uniq())}, ok=201,
                   state=lambda: survey_state(ctx))


@route("GET", "/api/v1/surveys/{id}", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/surveys/%d" % _draft(ctx))


@route("PATCH", "/api/v1/surveys/{id}", "none")
def _(ctx, u, rec_):
    s = _draft(ctx)
    return Attempt("PATCH", "/api/v1/surveys/%d" % s, {"intro": texts("矩阵 " + ctx.uniq())},
                   state=lambda: survey_state(ctx, s))


@route("DELETE", "/api/v1/surveys/{id}", "none")
def _(ctx, u, rec_):
    s = new_survey(ctx)
    return Attempt("DELETE", "/api/v1/surveys/%d" % s, ok=204, state=lambda: survey_state(ctx, s))


@route("POST", "/api/v1/surveys/{id}/status", "none")
def _(ctx, u, rec_):
    s = new_survey(ctx)
    return Attempt("POST", "/api/v1/surveys/%d/status" % s, {"to": "open"}, state=lambda: survey_state(ctx, s))


@route("POST", "/api/v1/surveys/{id}/copy", "none")
def _(ctx, u, rec_):
    s = _draft(ctx)
    return Attempt("POST", "/api/v1/surveys/%d/copy" % s, ok=201, state=lambda: survey_state(ctx))


@route("GET", "/api/v1/survey-drivers", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/survey-drivers")


@route("PUT", "/api/v1/survey-drivers", "none")
def _(ctx, u, rec_):
    return Attempt("PUT", "/api/v1/survey-drivers",
                   {"key": "communication", "label": texts("沟通与信息", "溝通與資訊", "Communication"),
                    "dept_role": "marketing", "position": 7}, state=lambda: drivers_state(ctx))


@route("POST", "/api/v1/surveys/{id}/links", "none")
def _(ctx, u, rec_):
    s = _open_survey(ctx)
    c = ctx.new_contact(acc(ctx, "own"), name="矩阵发送" + ctx.uniq())
    return Attempt("POST", "/api/v1/surveys/%d/links" % s, {"contact_ids": [c]}, ok=201,
                   state=lambda: link_state(ctx, s))


@route("GET", "/api/v1/surveys/{id}/links", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/surveys/%d/links" % _open_survey(ctx))


@route("GET", "/api/v1/settings/surveys", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/settings/surveys")


@route("PATCH", "/api/v1/settings/surveys", "none")
def _(ctx, u, rec_):
    return Attempt("PATCH", "/api/v1/settings/surveys", {"public_url": PUBLIC + "/" + ctx.uniq().lower()},
                   state=lambda: (ctx.admin.get("/api/v1/settings/surveys").json, settings_audit(ctx)))


@route("GET", "/api/v1/surveys/{id}/rates", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/surveys/%d/rates" % _open_survey(ctx))


@route("GET", "/api/v1/accounts/{id}/survey-links", "account")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/accounts/%d/survey-links" % acc(ctx, rec_))


@route("POST", "/api/v1/survey-links/{id}/reissue", "survey_link")
def _(ctx, u, rec_):
    key = "SL_" + rec_
    if key not in ctx.ids:
        ctx.ids[key] = _fresh_link(ctx, rec_)[0]
    lid = ctx.ids[key]
    s = _open_survey(ctx)
    return Attempt("POST", "/api/v1/survey-links/%d/reissue" % lid, state=lambda: link_state(ctx, s, lid))


@route("DELETE", "/api/v1/survey-links/{id}", "survey_link")
def _(ctx, u, rec_):
    lid, _a = _fresh_link(ctx, rec_)
    s = _open_survey(ctx)
    return Attempt("DELETE", "/api/v1/survey-links/%d" % lid, ok=204, state=lambda: link_state(ctx, s, lid))
