"""Lessons learned (issue 17 item 5, src/api/contracts/lessons.c): lessons with links to
disputes, breaches, opportunities, accounts, issues and contracts (each must exist and be
readable by the caller: 400 naming links[i] with nothing written; the first link's account
becomes the lesson's), tags (words without commas, at most 20, each at most 30 characters),
versions and audit rows, q= through the search index (a Chinese word, an English word, a
Traditional-character query for Simplified text, pinyin) on both engines, lists and export;
accountability (personal data: admin, director, legal write; hr reads; a team lead reads only
the people they manage; finance and account managers nothing) and training needs (hr, legal,
director, admin; team leads in scope); the permission matrix of every route."""

import policy as pol
import t_basic
import t_matrix
from policy import ALL, NONE, SCOPE, _roles
from t_matrix import route, Attempt
from t_answers import sql
import t_disputes

# src/svc/core/policy.c: lessons are read by every role (hr and the org-wide roles all of them,
# the account roles those of their accounts and of no account), written by the account team
# (not service's updates) and finance, deleted by admin, director, legal; accountability is
# written by admin, director, legal and read by them, hr (all) and team leads (in scope);
# training needs are hr's, legal's (read, create), a team lead's in scope (read, create).
pol.EXPECTED.update({
    ("lesson", "read"): _roles(SCOPE, admin=ALL, director=ALL, finance=ALL, hr=ALL, legal=ALL),
    ("lesson", "create"): _roles(NONE, admin=ALL, director=ALL, finance=ALL, team_lead=SCOPE,
                                 account_manager=SCOPE, service=SCOPE, legal=ALL),
    ("lesson", "update"): _roles(NONE, admin=ALL, director=ALL, finance=ALL, team_lead=SCOPE,
                                 account_manager=SCOPE, legal=ALL),
    ("lesson", "delete"): _roles(NONE, admin=ALL, director=ALL, legal=ALL),
    ("accountability", "read"): _roles(NONE, admin=ALL, director=ALL, team_lead=SCOPE, hr=ALL, legal=ALL),
    ("accountability", "create"): _roles(NONE, admin=ALL, director=ALL, legal=ALL),
    ("training", "read"): _roles(NONE, admin=ALL, director=ALL, team_lead=SCOPE, hr=ALL, legal=ALL),
    ("training", "create"): _roles(NONE, admin=ALL, director=ALL, team_lead=SCOPE, hr=ALL, legal=ALL),
})

if "lesson" not in t_matrix.RECORD_KINDS:
    t_matrix.RECORD_KINDS = t_matrix.RECORD_KINDS + ("lesson",)
if "lesson" not in t_basic.SCOPES:
    t_basic.SCOPES = t_basic.SCOPES + ("lesson",)


def n_rows(ctx, q):
    return int(sql(ctx, q)[0][0])


def new_lesson(ctx, account, client=None, **fields):
    body = {"account_id": account, "title": "教训 " + ctx.uniq(), "what_happened": "交付延误",
            "root_cause": "排产计划缺失", "changes": "每周排产评审", "tags": ["交付", "planning"]}
    body.update(fields)
    return ctx.must((client or ctx.admin).post("/api/v1/lessons", body), 201, "create lesson")["id"]


def state(ctx, lid=None):
    st = {"n": n_rows(ctx, "SELECT COUNT(*) FROM lessons"),
          "links": n_rows(ctx, "SELECT COUNT(*) FROM lesson_links"),
          "acc": n_rows(ctx, "SELECT COUNT(*) FROM lesson_accountability"),
          "tn": n_rows(ctx, "SELECT COUNT(*) FROM training_needs"),
          "audit": n_rows(ctx, "SELECT COUNT(*) FROM audit WHERE entity IN ('lesson', 'lesson_accountability', "
                               "'training_need')")}
    if lid:
        st["row"] = sql(ctx, "SELECT title, what_happened, tags, version FROM lessons WHERE id = %d" % lid)
        st["row_links"] = sql(ctx, "SELECT kind, ref_id FROM lesson_links WHERE lesson_id = %d ORDER BY kind, ref_id"
                              % lid)
    return st


def ids(r):
    return [i["id"] for i in (r.json or {}).get("items", [])]


def g_lessons(ctx):
    ck = ctx.ck
    a = ctx.admin
    am = ctx.U("am_e").client
    legal = ctx.U("legal").client
    hr = ctx.U("hr").client
    own, other = ctx.ids["A_own"], ctx.ids["A_other"]
    d_own = t_disputes.new_dispute(ctx, own)
    d_other = t_disputes.new_dispute(ctx, other)

    # created through a link: the dispute's account becomes the lesson's
    body = {"title": "账期失控 " + ctx.tag, "what_happened": "客户拖欠货款三个月，催收无果后发生争议",
            "root_cause": "Credit limit was never reviewed after the reorganisation",
            "changes": "每季度复核信用额度", "tags": ["回款", "credit", "回款"],
            "links": [{"kind": "dispute", "ref_id": d_own}, {"kind": "issue", "ref_id": ctx.ids["X_own"]}]}
    r = am.post("/api/v1/lessons", body)
    if not ck.expect(r, 201, "an account manager records a lesson from a dispute",
                     json={"account_id": own, "tags": ["回款", "credit"], "version": 1,
                           "links": [{"kind": "dispute", "ref_id": d_own}, {"kind": "issue", "ref_id": ctx.ids["X_own"]}],
                           "created_by": ctx.U("am_e").id}):
        return
    l1 = r.json["id"]
    ck.ok(n_rows(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'lesson' AND entity_id = %d AND action = 'create' "
                      "AND account_id = %d" % (l1, own)) == 1, "the lesson audited with its account")

    before = state(ctx)
    bad = [
        ({k: v for k, v in body.items() if k != "title"}, 400, "title"),
        (dict(body, title="  "), 400, "title"),
        (dict(body, title="t" * 201), 400, "title"),
        (dict(body, what_happened="w" * 8001), 400, "what_happened"),
        (dict(body, tags=["a,b"]), 400, "tags[0]"),
        (dict(body, tags=["ok", "x" * 31]), 400, "tags[1]"),
        (dict(body, tags=[" "]), 400, "tags[0]"),
        (dict(body, tags=["t%d" % i for i in range(21)]), 400, "tags"),
        (dict(body, links=[{"kind": "dispute", "ref_id": d_other}]), 400, "links[0]"),
        (dict(body, links=[{"kind": "issue", "ref_id": ctx.ids["X_own"]}, {"kind": "dispute", "ref_id": 999999999}]),
         400, "links[1]"),
        (dict(body, links=[{"kind": "account", "ref_id": other}]), 400, "links[0]"),
        (dict(body, links=[{"kind": "planet", "ref_id": 1}]), 400, "links[0].kind"),
        (dict(body, links=[{"kind": "dispute"}]), 400, "links[0]"),
        (dict(body, links=[{"kind": "dispute", "ref_id": d_own}, {"kind": "dispute", "ref_id": d_own}]), 400,
         "links[1]"),
        (dict(body, links=[{"kind": "issue", "ref_id": ctx.ids["X_own"]}] * 21), 400, "links"),
        (dict(body, account_id=other), 400, "account_id"),
        (dict(body, version=1), 400, "version"),
        (dict(body, colour="red"), 400, "colour"),
    ]
    for b, status, field in bad:
        ck.expect(am.post("/api/v1/lessons", b), status, "POST lesson refused -> %d %s" % (status, field),
                  field=field)
    # no account at all: only org-wide writers
    ck.expect(am.post("/api/v1/lessons", {"title": "公司级 " + ctx.tag}), 403, "an account manager: no company-wide "
              "lesson", field="account_id")
    ck.ok(state(ctx) == before, "refused lessons wrote nothing")
    r = legal.post("/api/v1/lessons", {"title": "Company-wide: contract review checklist " + ctx.tag,
                                       "what_happened": "Three contracts signed without legal review",
                                       "tags": ["合同", "review"]})
    ck.expect(r, 201, "legal records a company-wide lesson", json={"account_id": None, "links": []})
    l_co = r.json["id"] if r.json else 0
    ck.expect(am.get("/api/v1/lessons/%d" % l_co), 200, "every lesson reader reads a company-wide one")
    ck.expect(am.patch("/api/v1/lessons/%d" % l_co, {"changes": "x"}), 403,
              "an account manager may not change a company-wide lesson")
    ck.expect(ctx.U("am_w").client.get("/api/v1/lessons/%d" % l1), 404, "another team's lesson: 404")
    ck.expect(hr.get("/api/v1/lessons/%d" % l1), 200, "hr reads lessons")
    ck.expect(hr.post("/api/v1/lessons", {"title": "x", "account_id": own}), 403, "hr writes none")
    ck.expect(ctx.U("viewer_e").client.get("/api/v1/lessons/%d" % l1), 200, "a viewer of the account reads it")

    # PATCH: texts, tags, links replaced whole; version; account fixed
    r = am.patch("/api/v1/lessons/%d" % l1, {"tags": ["credit"], "links": [{"kind": "account", "ref_id": own}],
                                            "version": 1})
    ck.expect(r, 200, "tags and links replaced", json={"tags": ["credit"], "links": [{"kind": "account", "ref_id": own}],
                                                       "version": 2})
    ck.expect(am.patch("/api/v1/lessons/%d" % l1, {"title": "旧", "version": 1}), 409, "stale version",
              field="version")
    ck.expect(am.patch("/api/v1/lessons/%d" % l1, {"account_id": other}), 400, "account fixed", field="account_id")
    before = state(ctx, l1)
    ck.expect(am.patch("/api/v1/lessons/%d" % l1, {"links": [{"kind": "dispute", "ref_id": d_other}]}), 400,
              "PATCH with an unreadable link", field="links[0]")
    ck.expect(am.patch("/api/v1/lessons/%d" % l1, {"tags": ["credit"]}), 200, "the same tags again",
              json={"version": 2})
    ck.same(before, state(ctx, l1), "a refused or empty PATCH changed nothing")
    ck.ok(n_rows(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'lesson' AND entity_id = %d" % l1) == 2,
          "create and one update audited")
    # a dispute a lesson links stays
    lk = new_lesson(ctx, own, links=[{"kind": "dispute", "ref_id": d_own}])
    r = legal.delete("/api/v1/disputes/%d" % d_own)
    ck.expect(r, 409, "a linked dispute is not deleted", field="id")
    ck.ok((r.err or {}).get("key") == "dispute.has_lessons", "its key", repr(r.err))

    # DELETE
    ck.expect(am.delete("/api/v1/lessons/%d" % lk), 403, "an account manager may not delete lessons")
    ck.expect(legal.delete("/api/v1/lessons/%d" % lk), 204, "legal deletes a lesson")
    ck.ok(n_rows(ctx, "SELECT COUNT(*) FROM lesson_links WHERE lesson_id = %d" % lk) == 0, "its links went")
    ck.ok(n_rows(ctx, "SELECT COUNT(*) FROM search_index WHERE kind = 'lesson' AND id = %d" % lk) == 0,
          "and its search entry")
    # the first lesson's links were replaced and the second lesson is gone: the dispute may go
    ck.expect(legal.delete("/api/v1/disputes/%d" % d_own), 204, "the dispute goes once no lesson links it")

    # an account with a lesson is not deleted
    acc = ctx.new_account("am_e", code=ctx.uniq("LSN"), name="教训客户 " + ctx.tag)
    new_lesson(ctx, acc)
    r = a.delete("/api/v1/accounts/%d" % acc)
    ck.expect(r, 409, "an account with a lesson is not deleted", field="id")


def g_lesson_search(ctx):
    ck = ctx.ck
    am = ctx.U("am_e").client
    legal = ctx.U("legal").client
    own, other = ctx.ids["A_own"], ctx.ids["A_other"]
    tag = ctx.tag
    l_zh = new_lesson(ctx, own, title="模具报价失误 " + tag, what_happened="报价时漏算了模具摊销费用",
                      root_cause="报价模板缺少模具栏", changes="模板增加模具摊销", tags=["报价"])
    l_en = new_lesson(ctx, own, title="Late delivery " + tag,
                      what_happened="The shipment missed the customer's production window",
                      root_cause="Forwarder capacity was never confirmed", changes="Confirm capacity two weeks "
                      "ahead", tags=["logistics"])
    l_oth = new_lesson(ctx, other, title="他人模具 " + tag, what_happened="模具摊销争议")
    r = am.get("/api/v1/lessons", {"q": "摊销"})
    ck.expect(r, 200, "search by a Chinese word")
    ck.ok(l_zh in ids(r) and l_en not in ids(r), "the Chinese lesson found", repr(ids(r)))
    ck.ok(l_oth not in ids(r), "another team's lesson not found by an account manager")
    r = legal.get("/api/v1/lessons", {"q": "摊销"})
    ck.ok(l_zh in ids(r) and l_oth in ids(r), "legal finds both", repr(ids(r)))
    r = am.get("/api/v1/lessons", {"q": "forwarder"})
    ck.ok(r.status == 200 and ids(r) == [l_en], "an English word, any letter case", r.describe())
    r = am.get("/api/v1/lessons", {"q": "攤銷"})
    ck.ok(r.status == 200 and l_zh in ids(r), "Traditional characters find Simplified text", r.describe())
    r = am.get("/api/v1/lessons", {"q": "baojiashiwu"})
    ck.ok(r.status == 200 and l_zh in ids(r), "pinyin of the title", r.describe())
    r = am.get("/api/v1/lessons", {"q": "没有这个词" + tag})
    ck.ok(r.status == 200 and ids(r) == [], "nothing for an absent word")
    r = am.get("/api/v1/lessons", {"tag": "logistics"})
    ck.ok(r.status == 200 and l_en in ids(r) and l_zh not in ids(r), "by tag", r.describe())
    r = am.get("/api/v1/lessons", {"tag": "logist"})
    ck.ok(r.status == 200 and l_en not in ids(r), "a tag is a whole word")
    r = am.get("/api/v1/lessons", {"account_id": str(own), "q": tag, "limit": "1"})
    if ck.expect(r, 200, "paging") and r.json["next_cursor"]:
        r2 = am.get("/api/v1/lessons", {"account_id": str(own), "q": tag, "limit": "1",
                                        "cursor": r.json["next_cursor"]})
        ck.ok(r2.status == 200 and ids(r2) and ids(r2) != ids(r), "the next page")
    lk = new_lesson(ctx, own, links=[{"kind": "issue", "ref_id": ctx.ids["X_own"]}])
    r = am.get("/api/v1/lessons", {"kind": "issue", "ref_id": str(ctx.ids["X_own"])})
    ck.ok(r.status == 200 and lk in ids(r), "linked to an issue", r.describe())
    for q, field in (({"ref_id": "3"}, "kind"), ({"kind": "x"}, "kind"), ({"q": "q" * 101}, "q"),
                     ({"sort": "title"}, "sort")):
        ck.expect(am.get("/api/v1/lessons", q), 400, "list refused: %s" % field, field=field)
    r = legal.get("/api/v1/lessons/export", {"format": "csv", "q": "摊销", "columns": "id,title,tags"})
    if ck.expect(r, 200, "export"):
        text = r.body.decode("utf-8-sig")
        ck.ok("模具报价失误" in text and "他人模具" in text, "both in the file", text[:300])
    # the global search finds lessons too
    r = legal.get("/api/v1/search", {"q": "模具报价失误"})
    ck.ok(r.status == 200 and any(h.get("kind") == "lesson" and h.get("id") == l_zh for h in r.json.get("items", [])),
          "the global search finds the lesson", r.describe())
    r = ctx.U("hr").client.get("/api/v1/search", {"q": "模具报价失误"})
    ck.ok(r.status == 200 and [h["id"] for h in r.json.get("items", []) if h.get("kind") == "lesson"] == [l_zh],
          "hr (lessons org-wide, no accounts) finds it too", r.describe())
    l_co = ctx.must(legal.post("/api/v1/lessons", {"title": "全公司教训 " + tag}), 201, "company-wide")["id"]
    r = am.get("/api/v1/search", {"q": "全公司教训 " + tag, "kinds": "lesson"})
    ck.ok(r.status == 200 and [h["id"] for h in r.json.get("items", [])] == [l_co],
          "an account manager finds a company-wide lesson", r.describe())
    r = am.get("/api/v1/search", {"q": "他人模具 " + tag, "kinds": "lesson"})
    ck.ok(r.status == 200 and r.json.get("items") == [], "but not another team's", r.describe())


def g_accountability(ctx):
    ck = ctx.ck
    legal = ctx.U("legal").client
    hr = ctx.U("hr").client
    lead = ctx.U("lead_e").client
    lead_w = ctx.U("lead_w").client
    own = ctx.ids["A_own"]
    l1 = new_lesson(ctx, own)
    am_e, am_w = ctx.U("am_e").id, ctx.U("am_w").id
    r = legal.post("/api/v1/lessons/%d/accountability" % l1, {"user_id": am_e, "decision": "未复核信用额度即发货",
                                                              "note": "绩效面谈"})
    ck.expect(r, 201, "legal records who decided", json={"user_id": am_e, "lesson_id": l1,
                                                         "decision": "未复核信用额度即发货"})
    ctx.must(legal.post("/api/v1/lessons/%d/accountability" % l1, {"user_id": am_w, "decision": "批准了例外折扣"}), 201,
             "a second one")
    ck.ok(n_rows(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'lesson_accountability' AND account_id = %d" % own)
          >= 2, "audited with the lesson's account")
    before = state(ctx)
    for b, field in (({"decision": "x"}, "user_id"), ({"user_id": am_e}, "decision"),
                     ({"user_id": 999999999, "decision": "x"}, "user_id"),
                     ({"user_id": am_e, "decision": "d" * 501}, "decision"),
                     ({"user_id": am_e, "decision": " "}, "decision")):
        ck.expect(legal.post("/api/v1/lessons/%d/accountability" % l1, b), 400, "accountability refused: %s" % field,
                  field=field)
    # hr reads no accounts: dispatch answers a denied record of an account as missing (404)
    for who, status in (("hr", 404), ("fin", 403), ("am_e", 403), ("lead_e", 403)):
        ck.expect(ctx.U(who).client.post("/api/v1/lessons/%d/accountability" % l1, {"user_id": am_e,
                                                                                   "decision": "x"}),
                  status, "%s may not record accountability" % who)
    ck.ok(state(ctx) == before, "refused records wrote nothing")
    r = hr.get("/api/v1/accountability", {"user_id": str(am_e)})
    ck.ok(r.status == 200 and r.json["items"] and all(i["user_id"] == am_e for i in r.json["items"]),
          "hr reads a person's accountability for appraisal", r.describe())
    r = hr.get("/api/v1/lessons/%d/accountability" % l1)
    ck.ok(r.status == 200 and len(r.json["items"]) == 2, "hr reads the lesson's records", r.describe())
    r = lead.get("/api/v1/lessons/%d/accountability" % l1)
    ck.ok(r.status == 200 and [i["user_id"] for i in r.json["items"]] == [am_e],
          "the East lead sees their own people only", r.describe())
    r = lead_w.get("/api/v1/accountability", {"lesson_id": str(l1)})
    ck.ok(r.status == 200 and r.json["items"] == [], "the West lead: not a lesson of theirs", r.describe())
    ck.expect(ctx.U("fin").client.get("/api/v1/accountability"), 403, "finance reads no accountability")
    ck.expect(ctx.U("am_e").client.get("/api/v1/lessons/%d/accountability" % l1), 403,
              "an account manager reads no accountability, not even their own lesson's")
    r = legal.get("/api/v1/accountability/export", {"format": "csv", "lesson_id": str(l1)})
    ck.ok(r.status == 200 and "批准了例外折扣" in r.body.decode("utf-8-sig"), "export", r.describe())

    # training needs
    r = hr.post("/api/v1/lessons/%d/training-needs" % l1, {"topic": "信用管理培训", "audience_role": "account_manager"})
    ck.expect(r, 201, "hr: a training need for a role", json={"source": "lesson", "source_id": l1, "status": "open",
                                                              "audience_role": "account_manager", "user_id": None})
    r = lead.post("/api/v1/lessons/%d/training-needs" % l1, {"topic": "谈判技巧", "user_id": am_e, "detail": "一对一"})
    ck.expect(r, 201, "a team lead: one for a person of theirs", json={"user_id": am_e})
    before = state(ctx)
    for b, field in (({}, "topic"), ({"topic": " "}, "topic"), ({"topic": "x", "audience_role": "pilot"}, "audience_role"),
                     ({"topic": "x", "audience_role": "hr", "user_id": am_e}, "audience_role"),
                     ({"topic": "x", "user_id": 999999999}, "user_id")):
        ck.expect(hr.post("/api/v1/lessons/%d/training-needs" % l1, b), 400, "training refused: %s" % field,
                  field=field)
    ck.expect(ctx.U("fin").client.post("/api/v1/lessons/%d/training-needs" % l1, {"topic": "x"}), 403,
              "finance may not")
    ck.ok(state(ctx) == before, "refused needs wrote nothing")
    r = lead.get("/api/v1/training-needs", {"lesson_id": str(l1)})
    ck.ok(r.status == 200 and len(r.json["items"]) == 2, "the team lead sees the needs of their lesson", r.describe())
    r = lead_w.get("/api/v1/training-needs", {"lesson_id": str(l1)})
    ck.ok(r.status == 200 and r.json["items"] == [], "the West lead does not", r.describe())
    r = hr.get("/api/v1/training-needs", {"user_id": str(am_e), "status": "open"})
    ck.ok(r.status == 200 and len(r.json["items"]) >= 1, "hr lists a person's open needs", r.describe())
    ck.expect(hr.get("/api/v1/training-needs", {"status": "x"}), 400, "bad status", field="status")
    ck.expect(ctx.U("am_e").client.get("/api/v1/training-needs"), 403, "an account manager reads no training needs")
    r = hr.get("/api/v1/training-needs/export", {"format": "csv", "lesson_id": str(l1)})
    ck.ok(r.status == 200 and "谈判技巧" in r.body.decode("utf-8-sig"), "export", r.describe())


# ---- the permission matrix

def _acc(ctx, rec_):
    return ctx.ids["A_other" if rec_ == "other" else "A_own"]


def _lesson(ctx, rec_):
    key = "LE_matrix_%s" % rec_
    if key not in ctx.ids:
        ctx.ids[key] = new_lesson(ctx, _acc(ctx, rec_))
    return ctx.ids[key]


@route("GET", "/api/v1/lessons", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/lessons", query={"limit": "5"})


@route("GET", "/api/v1/lessons/export", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/lessons/export", query={"format": "csv", "q": "nothing-" + ctx.tag})


@route("POST", "/api/v1/lessons", "none")
def _(ctx, u, rec_):
    return Attempt("POST", "/api/v1/lessons", {"account_id": ctx.ids["A_own"], "title": "矩阵 " + ctx.uniq()}, ok=201,
                   state=lambda: state(ctx))


@route("GET", "/api/v1/lessons/{id}", "lesson")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/lessons/%d" % _lesson(ctx, rec_))


@route("PATCH", "/api/v1/lessons/{id}", "lesson")
def _(ctx, u, rec_):
    lid = _lesson(ctx, rec_)
    return Attempt("PATCH", "/api/v1/lessons/%d" % lid, {"changes": "matrix " + ctx.uniq()},
                   state=lambda: state(ctx, lid))


@route("DELETE", "/api/v1/lessons/{id}", "lesson")
def _(ctx, u, rec_):
    lid = new_lesson(ctx, _acc(ctx, rec_))
    return Attempt("DELETE", "/api/v1/lessons/%d" % lid, ok=204, state=lambda: state(ctx, lid))


@route("POST", "/api/v1/lessons/{id}/accountability", "lesson")
def _(ctx, u, rec_):
    lid = _lesson(ctx, rec_)
    return Attempt("POST", "/api/v1/lessons/%d/accountability" % lid,
                   {"user_id": ctx.U("am_e").id, "decision": "matrix"}, ok=201, state=lambda: state(ctx, lid))


@route("GET", "/api/v1/lessons/{id}/accountability", "lesson")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/lessons/%d/accountability" % _lesson(ctx, rec_))


@route("GET", "/api/v1/accountability", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/accountability", query={"limit": "5"})


@route("GET", "/api/v1/accountability/export", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/accountability/export", query={"format": "csv", "lesson_id": "1"})


@route("POST", "/api/v1/lessons/{id}/training-needs", "lesson")
def _(ctx, u, rec_):
    lid = _lesson(ctx, rec_)
    return Attempt("POST", "/api/v1/lessons/%d/training-needs" % lid, {"topic": "matrix"}, ok=201,
                   state=lambda: state(ctx, lid))


@route("GET", "/api/v1/training-needs", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/training-needs", query={"limit": "5"})


@route("GET", "/api/v1/training-needs/export", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/training-needs/export", query={"format": "csv", "status": "open"})


def g_matrix(ctx):
    t_disputes.run_matrix(ctx, ("/api/v1/lessons", "/api/v1/accountability", "/api/v1/training-needs"), 15,
                          "lessons.c")


GROUPS = [
    ("lessons", g_lessons, True),
    ("lesson_search", g_lesson_search, True),
    ("accountability", g_accountability, True),
    ("lessons_matrix", g_matrix, True),
]
