"""Training and its measured effect (issue 18 F6.2, src/api/team/training.c): the catalogue
(courses with the competencies they build, sessions; versions, audit rows, lists, exports, bad
input with nothing written), the enrolment workflow (attendance not before the session, the
post-test and feedback after it, feedback the person's own, practice on an account the person
may read, completion closing the person's matching needs, withdrawal), the personal data rules
(an account manager reads their own training only, a lead their team's, hr all; another's
record is 404), manual and derived training needs (competency gaps against the role profile,
idempotent), and the effect report against an independent Python calculation of the
difference-in-differences and its Welch CI (a Simpson integration of Student's t), with
not_enough_data when the post window is still open; the permission matrix of every route."""

import math

import policy as pol
import t_basic
import t_matrix
from t_matrix import route, Attempt
from t_answers import sql
import t_disputes

for _k in ("user", "enrolment"):
    if _k not in t_matrix.RECORD_KINDS:
        t_matrix.RECORD_KINDS = t_matrix.RECORD_KINDS + (_k,)
    if _k not in t_basic.SCOPES:
        t_basic.SCOPES = t_basic.SCOPES + (_k,)

CHINA = 8 * 3600


def n_rows(ctx, q):
    return int(sql(ctx, q)[0][0])


def state(ctx, eid=None):
    st = {"courses": n_rows(ctx, "SELECT COUNT(*) FROM courses"),
          "sessions": n_rows(ctx, "SELECT COUNT(*) FROM training_sessions"),
          "enrolments": n_rows(ctx, "SELECT COUNT(*) FROM training_enrolments"),
          "needs": n_rows(ctx, "SELECT COUNT(*) FROM training_needs"),
          "audit": n_rows(ctx, "SELECT COUNT(*) FROM audit WHERE entity IN ('course', 'training_session', "
                               "'enrolment', 'training_need')")}
    if eid:
        st["row"] = sql(ctx, "SELECT status, pre_score, post_score, feedback_rating, practice_account_id, version "
                             "FROM training_enrolments WHERE id = %d" % eid)
    return st


def new_course(ctx, client=None, **fields):
    body = {"code": ctx.uniq("CRS"), "title": "课程 " + ctx.uniq(), "topic": "communication"}
    body.update(fields)
    return ctx.must((client or ctx.U("hr").client).post("/api/v1/courses", body), 201, "create course")


def new_session(ctx, course_id, starts_on="2020-03-02", ends_on=None, **fields):
    body = {"course_id": course_id, "starts_on": starts_on, "ends_on": ends_on or starts_on,
            "trainer_name": "王老师", "place": "上海"}
    body.update(fields)
    return ctx.must(ctx.U("hr").client.post("/api/v1/training-sessions", body), 201, "create session")["id"]


def enrol(ctx, session_id, uid, client=None, attended=False):
    e = ctx.must((client or ctx.admin).post("/api/v1/enrolments", {"session_id": session_id, "user_id": uid}),
                 201, "enrol")
    if attended:
        e = ctx.must(ctx.admin.post("/api/v1/enrolments/%d/attendance" % e["id"], {"attended": True}), 200,
                     "attended")
    return e


def _shared_course(ctx):
    if "TR_course" not in ctx.ids:
        ctx.ids["TR_course"] = new_course(ctx, topic="communication")["id"]
    return ctx.ids["TR_course"]


# ---- catalogue

def g_training_catalogue(ctx):
    ck, hr = ctx.ck, ctx.U("hr").client
    comp = {r[1]: int(r[0]) for r in sql(ctx, "SELECT id, code FROM competencies")}
    code = ctx.uniq("COM")
    r = hr.post("/api/v1/courses", {"code": code, "title": "客户沟通技巧", "topic": "communication",
                                    "format": "workshop", "description": "倾听与提问",
                                    "competency_ids": [comp["communication"], comp["negotiation"]]})
    ck.expect(r, 201, "hr adds a course")
    c = r.json or {}
    ck.ok(c.get("competency_ids") == sorted([comp["communication"], comp["negotiation"]]) and c.get("version") == 1
          and c.get("active") is True and c.get("sessions") == 0, "course fields", r.describe())
    cid = c.get("id", 0)
    ck.expect(hr.post("/api/v1/courses", {"code": code.lower(), "title": "x", "topic": "legal"}), 409,
              "a code taken (letter case aside)", field="code")
    ck.expect(ctx.U("am_e").client.post("/api/v1/courses", {"code": ctx.uniq("N"), "title": "x", "topic": "x"}),
              403, "an account manager adds no course")
    ck.expect(ctx.U("am_e").client.get("/api/v1/courses/%d" % cid), 200, "everyone reads the catalogue")
    r = hr.patch("/api/v1/courses/%d" % cid, {"title": "客户沟通技巧（进阶）", "competency_ids": [comp["communication"]],
                                             "version": 1})
    ck.ok(r.status == 200 and r.json["version"] == 2 and r.json["competency_ids"] == [comp["communication"]],
          "patch with version", r.describe())
    ck.expect(hr.patch("/api/v1/courses/%d" % cid, {"title": "stale", "version": 1}), 409, "a stale version",
              field="version")
    aud = sql(ctx, "SELECT action FROM audit WHERE entity = 'course' AND entity_id = %d ORDER BY id" % cid)
    ck.ok([a[0] for a in aud] == ["create", "update"], "audit rows of the course", repr(aud))
    r = hr.get("/api/v1/courses", {"q": code, "topic": "communication"})
    ck.ok(r.status == 200 and [i["id"] for i in r.json["items"]] == [cid], "list by q and topic", r.describe())
    r = hr.get("/api/v1/courses", {"competency_id": str(comp["communication"]), "q": code})
    ck.ok(r.status == 200 and len(r.json["items"]) == 1, "list by competency", r.describe())
    r = hr.get("/api/v1/courses/export", {"format": "csv", "q": code})
    ck.ok(r.status == 200 and "客户沟通技巧" in r.body.decode("utf-8-sig"), "courses export", r.describe())
    # sessions
    r = hr.post("/api/v1/training-sessions", {"course_id": cid, "starts_on": "2026-03-10", "ends_on": "2026-03-11",
                                              "trainer_id": ctx.U("legal").id, "place": "总部"})
    ck.expect(r, 201, "a session with a user as trainer")
    sid = (r.json or {}).get("id", 0)
    ck.ok(r.status == 201 and r.json["course_title"] == "客户沟通技巧（进阶）" and r.json["enrolled"] == 0,
          "session fields", r.describe())
    r = hr.patch("/api/v1/training-sessions/%d" % sid, {"place": "上海培训中心", "version": 1})
    ck.ok(r.status == 200 and r.json["place"] == "上海培训中心" and r.json["version"] == 2, "session patch", r.describe())
    ck.expect(hr.patch("/api/v1/training-sessions/%d" % sid, {"course_id": cid + 1000}), 400,
              "a session keeps its course", field="course_id")
    r = hr.get("/api/v1/training-sessions", {"course_id": str(cid)})
    ck.ok(r.status == 200 and [i["id"] for i in r.json["items"]] == [sid], "sessions of the course", r.describe())
    r = hr.get("/api/v1/training-sessions/export", {"format": "csv", "course_id": str(cid)})
    ck.ok(r.status == 200 and "上海培训中心" in r.body.decode("utf-8-sig"), "sessions export", r.describe())
    ck.expect(hr.delete("/api/v1/courses/%d" % cid), 409, "a course with sessions stays")
    e = enrol(ctx, sid, ctx.U("am_e").id)
    ck.expect(hr.delete("/api/v1/training-sessions/%d" % sid), 409, "a session with enrolments stays")
    ck.expect(ctx.admin.delete("/api/v1/enrolments/%d" % e["id"]), 204, "withdraw")
    ck.expect(hr.delete("/api/v1/training-sessions/%d" % sid), 204, "delete the empty session")
    ck.expect(hr.delete("/api/v1/courses/%d" % cid), 204, "delete the course without sessions")
    ck.expect(hr.get("/api/v1/courses/%d" % cid), 404, "gone")
    # bad input: 400 naming the field, nothing written
    base = {"code": ctx.uniq("BAD"), "title": "t", "topic": "communication"}
    cases = [
        ({"title": "t", "topic": "x"}, "code"),
        (dict(base, format="seminar"), "format"),
        (dict(base, topic="t" * 61), "topic"),
        (dict(base, topic="  "), "topic"),
        (dict(base, title=""), "title"),
        (dict(base, competency_ids=[999999999]), "competency_ids"),
        (dict(base, competency_ids=[comp["communication"], comp["communication"]]), "competency_ids"),
        (dict(base, description="d" * 4001), "description"),
        (dict(base, version=3), "version"),
    ]
    for body, field in cases:
        before = state(ctx)
        ck.expect(hr.post("/api/v1/courses", body), 400, "bad course %s" % field, field=field)
        ck.same(before, state(ctx), "bad course %s: nothing written" % field)
    course2 = new_course(ctx)["id"]
    scases = [
        ({"course_id": course2, "starts_on": "2026-02-30", "trainer_name": "x"}, "starts_on"),
        ({"course_id": course2, "starts_on": "2026-03-02", "ends_on": "2026-03-01", "trainer_name": "x"}, "ends_on"),
        ({"course_id": course2, "starts_on": "2026-03-02"}, "trainer_name"),
        ({"course_id": course2, "starts_on": "2026-03-02", "trainer_id": 999999999}, "trainer_id"),
        ({"course_id": 999999999, "starts_on": "2026-03-02", "trainer_name": "x"}, "course_id"),
        ({"starts_on": "2026-03-02", "trainer_name": "x"}, "course_id"),
    ]
    for body, field in scases:
        before = state(ctx)
        ck.expect(hr.post("/api/v1/training-sessions", body), 400, "bad session %s" % field, field=field)
        ck.same(before, state(ctx), "bad session %s: nothing written" % field)


# ---- enrolments

def g_training_enrolments(ctx):
    ck = ctx.ck
    am_e, am_w, lead_e, lead_w, hr, fin = (ctx.U(k) for k in ("am_e", "am_w", "lead_e", "lead_w", "hr", "fin"))
    course = new_course(ctx, topic="negotiation")["id"]
    past = new_session(ctx, course, "2020-05-11", "2020-05-12")
    future = new_session(ctx, course, "2035-01-08")
    # who may enrol whom
    r = am_e.client.post("/api/v1/enrolments", {"session_id": past, "user_id": am_e.id})
    ck.expect(r, 201, "an account manager enrols themself")
    mine = (r.json or {}).get("id", 0)
    ck.ok(r.status == 201 and r.json["status"] == "enrolled" and r.json["course_topic"] == "negotiation",
          "enrolment fields", r.describe())
    before = state(ctx)
    ck.expect(am_e.client.post("/api/v1/enrolments", {"session_id": past, "user_id": am_w.id}), 403,
              "not another person", field="user_id")
    ck.expect(lead_e.client.post("/api/v1/enrolments", {"session_id": past, "user_id": am_w.id}), 403,
              "a lead not another team's", field="user_id")
    ck.expect(am_e.client.post("/api/v1/enrolments", {"session_id": past, "user_id": am_e.id}), 409,
              "enrolled once", field="user_id")
    ck.expect(hr.client.post("/api/v1/enrolments", {"session_id": 999999999, "user_id": am_e.id}), 400,
              "no such session", field="session_id")
    ck.expect(hr.client.post("/api/v1/enrolments", {"session_id": past, "user_id": 999999999}), 400,
              "no such user", field="user_id")
    ck.expect(hr.client.post("/api/v1/enrolments", {"session_id": past, "user_id": am_w.id, "pre_score": 5}), 400,
              "scores come later", field="pre_score")
    ck.same(before, state(ctx), "refused enrolments wrote nothing")
    w = ctx.must(lead_w.client.post("/api/v1/enrolments", {"session_id": past, "user_id": am_w.id}), 201,
                 "lead_w enrols am_w")["id"]
    # personal data: their own, a lead their team's, hr all
    ck.expect(am_e.client.get("/api/v1/enrolments/%d" % w), 404, "another AM's enrolment is hidden")
    ck.expect(lead_e.client.get("/api/v1/enrolments/%d" % mine), 200, "a lead reads their member's")
    ck.expect(lead_e.client.get("/api/v1/enrolments/%d" % w), 404, "not another team's")
    ck.expect(hr.client.get("/api/v1/enrolments/%d" % w), 200, "hr reads all")
    ck.expect(fin.client.get("/api/v1/enrolments/%d" % w), 404, "finance (reads its own enrolments only) gets 404")
    ck.expect(am_e.client.get("/api/v1/users/%d/training" % am_w.id), 404, "another AM's training is hidden")
    r = lead_w.client.get("/api/v1/users/%d/training" % am_w.id, {"course_id": str(course)})
    ck.ok(r.status == 200 and [i["id"] for i in r.json["items"]] == [w], "a lead reads their member's training",
          r.describe())
    r = am_e.client.get("/api/v1/enrolments", {"course_id": str(course)})
    ck.ok(r.status == 200 and [i["id"] for i in r.json["items"]] == [mine], "the list: their own only", r.describe())
    r = lead0 = ctx.U("lead0").client.get("/api/v1/enrolments", {"course_id": str(course)})
    ck.ok(r.status == 200 and sorted(i["id"] for i in r.json["items"]) == sorted([mine, w]),
          "the lead above both teams sees both", r.describe())
    del lead0
    r = am_e.client.get("/api/v1/users/%d/training/export" % am_e.id, {"format": "csv"})
    ck.ok(r.status == 200 and "negotiation" in r.body.decode("utf-8-sig"), "own training export", r.describe())
    r = hr.client.get("/api/v1/enrolments/export", {"format": "csv", "course_id": str(course)})
    ck.ok(r.status == 200 and r.body.decode("utf-8-sig").count("\n") >= 3, "enrolments export", r.describe())
    # workflow
    ck.expect(am_e.client.patch("/api/v1/enrolments/%d" % mine, {"post_score": 80}), 409,
              "no post-test before attendance", field="post_score")
    ck.expect(am_e.client.post("/api/v1/enrolments/%d/feedback" % mine, {"rating": 4}), 409,
              "no feedback before attendance")
    ck.expect(am_e.client.post("/api/v1/enrolments/%d/complete" % mine), 409, "no completion before attendance",
              field="status")
    fut = enrol(ctx, future, am_e.id)["id"]
    ck.expect(ctx.admin.post("/api/v1/enrolments/%d/attendance" % fut, {"attended": True}), 409,
              "no attendance before the session", field="attended")
    r = am_e.client.patch("/api/v1/enrolments/%d" % mine, {"pre_score": 55})
    ck.ok(r.status == 200 and r.json["pre_score"] == 55, "pre-test", r.describe())
    r = lead_e.client.post("/api/v1/enrolments/%d/attendance" % mine, {"attended": True})
    ck.ok(r.status == 200 and r.json["status"] == "attended", "the lead records attendance", r.describe())
    r = lead_e.client.patch("/api/v1/enrolments/%d" % mine, {"post_score": 85})
    ck.ok(r.status == 200 and r.json["post_score"] == 85, "post-test", r.describe())
    ck.expect(lead_e.client.post("/api/v1/enrolments/%d/feedback" % mine, {"rating": 5}), 403,
              "feedback is the person's own")
    r = am_e.client.post("/api/v1/enrolments/%d/feedback" % mine, {"rating": 4, "comment": "很实用"})
    ck.ok(r.status == 200 and r.json["feedback_rating"] == 4 and r.json["feedback_at"], "own feedback", r.describe())
    # practice on a real account the person may read
    for body, field in [({"practice_account_id": ctx.ids["A_other"], "practice_task": "x"}, "practice_account_id"),
                        ({"practice_account_id": 999999999}, "practice_account_id"),
                        ({"practice_task": "x"}, "practice_account_id"),
                        ({"practice_account_id": ctx.ids["A_own"], "practice_due_on": "2026-13-01"},
                         "practice_due_on"),
                        ({"practice_account_id": ctx.ids["A_own"], "practice_done_on": "2099-01-01"},
                         "practice_done_on"),
                        ({"pre_score": 101}, "pre_score"), ({"post_score": -1}, "post_score")]:
        b = state(ctx, mine)
        ck.expect(lead_e.client.patch("/api/v1/enrolments/%d" % mine, body), 400, "bad practice %s" % field,
                  field=field)
        ck.same(b, state(ctx, mine), "bad %s: nothing changed" % field)
    r = lead_e.client.patch("/api/v1/enrolments/%d" % mine, {
        "practice_account_id": ctx.ids["A_own"], "practice_task": "季度回顾演练", "practice_due_on": "2020-06-30",
        "practice_done_on": "2020-06-20", "practice_result": "客户提出两项新需求"})
    ck.ok(r.status == 200 and r.json["practice_account_id"] == ctx.ids["A_own"]
          and r.json["practice_done_on"] == "2020-06-20", "practice assignment", r.describe())
    ck.expect(hr.client.post("/api/v1/enrolments/%d/feedback" % mine, {"rating": 6}), 400, "rating 1..5",
              field="rating")
    # a need on the course's topic closes on completion; one on another topic stays
    n1 = ctx.must(hr.client.post("/api/v1/training-needs", {"topic": "negotiation", "user_id": am_e.id}), 201,
                  "manual need")
    ck.ok(n1["source"] == "manual" and n1["status"] == "open", "a manual need", repr(n1))
    n2 = ctx.must(lead_e.client.post("/api/v1/training-needs", {"topic": "legal", "user_id": am_e.id}), 201,
                  "a lead's need for their member")
    ck.expect(lead_e.client.post("/api/v1/training-needs", {"topic": "legal", "user_id": am_w.id}), 403,
              "not for another team", field="user_id")
    ck.expect(lead_e.client.post("/api/v1/training-needs", {"topic": "legal", "audience_role": "account_manager"}),
              403, "a role's need is org-wide", field="user_id")
    ck.expect(hr.client.post("/api/v1/training-needs", {"topic": "legal", "user_id": am_e.id,
                                                         "audience_role": "account_manager"}),
              400, "person or role", field="audience_role")
    r = lead_e.client.post("/api/v1/enrolments/%d/complete" % mine)
    ck.ok(r.status == 200 and r.json["status"] == "completed" and r.json["completed_at"], "completed", r.describe())
    st = {int(i): s for i, s in sql(ctx, "SELECT id, status FROM training_needs WHERE id IN (%d, %d)"
                                          % (n1["id"], n2["id"]))}
    ck.ok(st == {n1["id"]: "done", n2["id"]: "open"}, "the matching need is done, the other open", repr(st))
    aud = sql(ctx, "SELECT action FROM audit WHERE entity = 'training_need' AND entity_id = %d ORDER BY id"
              % n1["id"])
    ck.ok([a[0] for a in aud] == ["create", "update"], "the closing is audited", repr(aud))
    ck.expect(lead_e.client.post("/api/v1/enrolments/%d/attendance" % mine, {"attended": False}), 409,
              "completed stays", field="status")
    ck.expect(ctx.admin.delete("/api/v1/enrolments/%d" % mine), 409, "a completed training is not withdrawn")
    # an account used for practice can still be deleted: the assignment loses its account
    acc = ctx.new_account(owner_key="am_w")
    ctx.must(ctx.admin.patch("/api/v1/enrolments/%d" % w, {"practice_account_id": acc, "practice_task": "x"}), 200,
             "practice on a fresh account")
    ck.expect(ctx.admin.delete("/api/v1/accounts/%d" % acc), 204, "the practice account is deleted")
    r = ctx.admin.get("/api/v1/enrolments/%d" % w)
    ck.ok(r.status == 200 and r.json["practice_account_id"] is None, "the assignment lost its account", r.describe())
    acts = [a[0] for a in sql(ctx, "SELECT action FROM audit WHERE entity = 'enrolment' AND entity_id = %d "
                                    "ORDER BY id" % mine)]
    ck.ok(acts[0] == "create" and acts[-1] == "complete" and "attendance" in acts and "feedback" in acts,
          "the enrolment's audit rows", repr(acts))


# ---- needs derived from competency gaps

def g_training_needs(ctx):
    ck, hr = ctx.ck, ctx.U("hr").client
    p = ctx.new_user("trn", "account_manager", login=False)
    comp = {r[1]: int(r[0]) for r in sql(ctx, "SELECT id, code FROM competencies")}
    prof = sql(ctx, "SELECT id FROM role_profiles WHERE code = 'account_manager'")
    if not prof:
        sql(ctx, "INSERT INTO role_profiles (code, name_zh, name_en, created_at, updated_at) VALUES "
                 "('account_manager', '客户经理', 'Account manager', 1, 1)")
        prof = sql(ctx, "SELECT id FROM role_profiles WHERE code = 'account_manager'")
    pid = int(prof[0][0])
    if not sql(ctx, "SELECT 1 FROM role_profile_levels WHERE profile_id = %d AND competency_id = %d"
                    % (pid, comp["negotiation"])):
        sql(ctx, "INSERT INTO role_profile_levels (profile_id, competency_id, level) VALUES (%d, %d, 3)"
                 % (pid, comp["negotiation"]))
    levels = {int(c): int(lv) for c, lv in sql(ctx, "SELECT l.competency_id, l.level FROM role_profile_levels l "
                                                     "JOIN competencies k ON k.id = l.competency_id WHERE "
                                                     "l.profile_id = %d AND k.active = 1" % pid)}
    # a manager assessment at level 2 of every competency the profile names, and 5 on one it does not
    sql(ctx, "INSERT INTO competency_assessments (user_id, assessor_id, kind, assessed_on, created_at, updated_at) "
             "VALUES (%d, %d, 'manager', '2026-01-05', 1, 1)" % (p.id, ctx.U("lead_e").id))
    aid = int(sql(ctx, "SELECT MAX(id) FROM competency_assessments WHERE user_id = %d" % p.id)[0][0])
    for c in set(levels) | {comp["teamwork"]}:
        sql(ctx, "INSERT INTO assessment_scores (assessment_id, competency_id, level) VALUES (%d, %d, %d)"
                 % (aid, c, 2 if c in levels else 5))
    code_of = {v: k for k, v in comp.items()}
    want = sorted(code_of[c] for c, lv in levels.items() if lv > 2)
    ck.ok("negotiation" in want, "the profile needs negotiation above 2", repr(levels))
    before = state(ctx)
    r = hr.post("/api/v1/training-needs/derive", {"user_id": p.id, "on_day": "2026-01-04"})
    ck.ok(r.status == 200 and r.json["created"] == [] and r.json["gaps"] == 0, "no level before the assessment",
          r.describe())
    r = hr.post("/api/v1/training-needs/derive", {"user_id": p.id})
    got = sorted(n["topic"] for n in (r.json or {}).get("created", []))
    ck.ok(r.status == 200 and got == want and r.json["people"] == 1, "one need per gap", r.describe())
    ck.ok(all(n["source"] == "competency" and n["user_id"] == p.id and n["status"] == "open"
              for n in (r.json or {}).get("created", [])), "competency needs of the person", r.describe())
    ck.ok(state(ctx)["needs"] == before["needs"] + len(want), "written", "")
    r = hr.post("/api/v1/training-needs/derive", {"user_id": p.id})
    ck.ok(r.status == 200 and r.json["created"] == [] and r.json["already_open"] == len(want), "idempotent",
          r.describe())
    # appraisal: a final scorecard's line below its threshold is a need; one above it, or a
    # draft's, is not
    sql(ctx, "INSERT INTO appraisal_schemes (name, role, period_kind, created_at, updated_at) VALUES "
             "('trn %s', 'account_manager', 'quarter', 1, 1)" % ctx.tag)
    sch = int(sql(ctx, "SELECT MAX(id) FROM appraisal_schemes")[0][0])
    for pos, kind in ((1, "visits_vs_cadence"), (2, "growth")):
        sql(ctx, "INSERT INTO appraisal_indicators (scheme_id, scheme_version, position, kind, weight_bp, threshold, "
                 "target, stretch, cap_score) VALUES (%d, 1, %d, '%s', 5000, 50, 100, 120, 15000)" % (sch, pos, kind))
    ind = {r[1]: int(r[0]) for r in sql(ctx, "SELECT id, kind FROM appraisal_indicators WHERE scheme_id = %d" % sch)}
    for start, status in (("2026-01-01", "final"), ("2026-04-01", "draft")):
        sql(ctx, "INSERT INTO scorecards (scheme_id, user_id, period_start, period_end, status, score, created_at, "
                 "updated_at) VALUES (%d, %d, '%s', '%s', '%s', 6000, 1, 1)"
                 % (sch, p.id, start, start[:5] + "03-31", status))
        scid = int(sql(ctx, "SELECT MAX(id) FROM scorecards WHERE user_id = %d" % p.id)[0][0])
        for pos, kind, actual in ((1, "visits_vs_cadence", 30), (2, "growth", 80)):
            sql(ctx, "INSERT INTO scorecard_lines (scorecard_id, indicator_id, position, kind, weight_bp, threshold, "
                     "target, stretch, cap_score, actual) VALUES (%d, %d, %d, '%s', 5000, 50, 100, 120, 15000, %d)"
                     % (scid, ind[kind], pos, kind, actual))
    r = hr.post("/api/v1/training-needs/derive", {"user_id": p.id})
    ck.ok(r.status == 200 and [(n["source"], n["topic"]) for n in r.json["created"]] == [
        ("appraisal", "visits_vs_cadence")] and r.json["low_lines"] == 1, "a need from the low appraisal line",
        r.describe())
    r = hr.post("/api/v1/training-needs/derive", {"user_id": p.id})
    ck.ok(r.status == 200 and r.json["created"] == [], "still idempotent", r.describe())
    ck.expect(ctx.U("lead_e").client.post("/api/v1/training-needs/derive", {"user_id": ctx.U("am_w").id}), 403,
              "a lead derives for their people only", field="user_id")
    ck.expect(hr.post("/api/v1/training-needs/derive", {"on_day": "2026-02-31"}), 400, "bad day", field="on_day")
    ck.expect(ctx.U("am_e").client.post("/api/v1/training-needs/derive", {}), 403, "an AM derives nothing")
    r = ctx.U("lead_e").client.post("/api/v1/training-needs/derive", {})
    ck.ok(r.status == 200 and all(n["user_id"] in (ctx.U("lead_e").id, ctx.U("am_e").id, ctx.U("service_e").id,
                                                   ctx.U("viewer_e").id) for n in r.json["created"]),
          "a lead's derivation stays in their team", r.describe())


# ---- the effect report against an independent calculation

def _tpdf(x, df):
    return math.exp(math.lgamma((df + 1) / 2) - math.lgamma(df / 2)) / math.sqrt(df * math.pi) * \
        (1 + x * x / df) ** (-(df + 1) / 2)


def _tcdf(t, df, steps=4000):
    h = abs(t) / steps
    s = _tpdf(0, df) + _tpdf(abs(t), df)
    for i in range(1, steps):
        s += (4 if i % 2 else 2) * _tpdf(i * h, df)
    return 0.5 + s * h / 3


def t975(df):
    lo, hi = 0.0, 16.0
    while _tcdf(hi, df) < 0.975:
        hi *= 2
    for _ in range(50):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if _tcdf(mid, df) < 0.975 else (lo, mid)
    return (lo + hi) / 2


def _day(y, m, d):
    import datetime
    return (datetime.date(y, m, d) - datetime.date(1970, 1, 1)).days


def _month_bounds(y, m):
    """[first second, next month's first second) in China time, as unix seconds."""
    ny, nm = (y + 1, 1) if m == 12 else (y, m + 1)
    return _day(y, m, 1) * 86400 - CHINA, _day(ny, nm, 1) * 86400 - CHINA


def _visit(ctx, owner, account, y, m, d):
    t = _day(y, m, d) * 86400 + 2 * 3600
    sql(ctx, "INSERT INTO visits (account_id, owner_id, kind, planned_at, status, completed_at, created_at, "
             "updated_at) VALUES (%d, %d, 'onsite', %d, 'done', %d, %d, %d)" % (account, owner, t, t, t, t))


def g_training_effect(ctx):
    ck, hr = ctx.ck, ctx.U("hr").client
    comp = {r[1]: int(r[0]) for r in sql(ctx, "SELECT id, code FROM competencies")}
    course = new_course(ctx, topic="communication", competency_ids=[comp["communication"]])["id"]
    ses = new_session(ctx, course, "2019-06-10", "2019-06-11")
    # three trained and three untrained account managers, each with an account of their own
    people = {}
    for k in ("T1", "T2", "T3", "C1", "C2", "C3"):
        u = ctx.new_user("eff" + k.lower(), "account_manager", login=False)
        people[k] = (u.id, ctx.new_account(owner_key=u.login))
    pre_months, post_months = [(2019, 3), (2019, 4), (2019, 5)], [(2019, 7), (2019, 8), (2019, 9)]
    plan = {"T1": (3, 12), "T2": (6, 12), "T3": (0, 10), "C1": (3, 3), "C2": (6, 4), "C3": (1, 5)}
    for k, (npre, npost) in plan.items():
        uid, acc = people[k]
        for i in range(npre):
            y, m = pre_months[i % 3]
            _visit(ctx, uid, acc, y, m, 1 + i // 3)
        for i in range(npost):
            y, m = post_months[i % 3]
            _visit(ctx, uid, acc, y, m, 1 + i // 3)
        _visit(ctx, uid, acc, 2019, 6, 20)  # the session's month: in neither window
    scores = {"T1": (50, 70, 4), "T2": (60, 90, 5), "T3": (40, 55, 3)}
    for k in ("T1", "T2", "T3"):
        uid = people[k][0]
        e = enrol(ctx, ses, uid, attended=True)
        ctx.must(hr.patch("/api/v1/enrolments/%d" % e["id"], {"pre_score": scores[k][0], "post_score": scores[k][1]}),
                 200, "scores")
        sql(ctx, "UPDATE training_enrolments SET feedback_rating = %d WHERE id = %d" % (scores[k][2], e["id"]))
        ctx.must(hr.post("/api/v1/enrolments/%d/complete" % e["id"]), 200, "complete")
    r = hr.get("/api/v1/courses/%d/effect" % course, {"kpi": "visits", "months": "3"})
    if not ck.expect(r, 200, "the effect report"):
        return
    rep = r.json
    # -- the independent calculation, from the database as it is now
    users = sql(ctx, "SELECT id FROM users WHERE role = 'account_manager' AND disabled = 0 AND id NOT IN (SELECT "
                     "e.user_id FROM training_enrolments e JOIN training_sessions s ON s.id = e.session_id WHERE "
                     "s.course_id = %d OR (e.status = 'completed' AND s.starts_on >= '2019-03-01' AND s.starts_on "
                     "<= '2019-09-30'))" % course)
    controls = sorted(int(u[0]) for u in users)
    trained = sorted(people[k][0] for k in ("T1", "T2", "T3"))
    t0, t1 = _month_bounds(2019, 3)[0], _month_bounds(2019, 9)[1]
    done = sql(ctx, "SELECT owner_id, completed_at FROM visits WHERE status = 'done' AND completed_at >= %d AND "
                    "completed_at < %d" % (t0, t1))
    pre_lo, pre_hi = _month_bounds(2019, 3)[0], _month_bounds(2019, 5)[1]
    post_lo, post_hi = _month_bounds(2019, 7)[0], _month_bounds(2019, 9)[1]

    def change(uid):
        pre = sum(1 for o, t in done if int(o) == uid and pre_lo <= int(t) < pre_hi) / 3.0
        post = sum(1 for o, t in done if int(o) == uid and post_lo <= int(t) < post_hi) / 3.0
        return pre, post

    dt = [change(u)[1] - change(u)[0] for u in trained]
    dc = [change(u)[1] - change(u)[0] for u in controls]
    ck.ok(dt == [3.0, 2.0, 10 / 3.0] or sorted(dt) == sorted([3.0, 2.0, 10 / 3.0]), "the trained changes as planted",
          repr(dt))

    def mv(x):
        mu = sum(x) / len(x)
        return mu, sum((v - mu) ** 2 for v in x) / (len(x) - 1)

    mt, vt = mv(dt)
    mc, vc = mv(dc)
    did = mt - mc
    a, b = vt / len(dt), vc / len(dc)
    se = math.sqrt(a + b)
    df = (a + b) ** 2 / (a * a / (len(dt) - 1) + b * b / (len(dc) - 1))
    half = t975(df) * se
    res = rep["results"]

    def close(x, y, tol=1e-6):
        return x is not None and abs(x - y) <= tol * max(1.0, abs(y))

    ck.ok(res["status"] == "ok" and res["n_trained"] == 3 and res["n_control"] == len(controls),
          "groups as computed here (%d controls)" % len(controls), repr(res))
    ck.ok(close(res["did"], did) and close(res["se"], se) and close(res["df"], df), "DiD, SE and Welch df",
          "got %r, want did %r se %r df %r" % (res, did, se, df))
    ck.ok(close(res["ci_low"], did - half, 1e-5) and close(res["ci_high"], did + half, 1e-5), "the 95 % CI",
          "got %r, want [%r, %r]" % (res, did - half, did + half))
    ck.ok(res["ci_low"] is not None and res["ci_low"] > 0, "the trained improved: the CI excludes 0", repr(res))
    # the other levels
    ck.ok(rep["enrolled"] == 3 and rep["completed"] == 3 and rep["scope"] == "all", "counts", repr(rep))
    ck.ok(rep["reaction"]["n"] == 3 and close(rep["reaction"]["mean"], 4.0) and
          rep["reaction"]["distribution"] == [0, 0, 1, 1, 1], "reaction", repr(rep["reaction"]))
    gains = [20, 30, 15]
    gm = sum(gains) / 3.0
    gsd = math.sqrt(sum((g - gm) ** 2 for g in gains) / 2)
    gh = t975(2) * gsd / math.sqrt(3)
    ln = rep["learning"]
    ck.ok(ln["n"] == 3 and close(ln["mean_gain"], gm) and close(ln["sd"], gsd) and close(ln["ci_low"], gm - gh, 1e-5)
          and close(ln["ci_high"], gm + gh, 1e-5) and close(ln["mean_pre"], 50) and close(ln["mean_post"], 215 / 3.0),
          "learning: the paired t interval", repr(ln))
    vis = rep["behaviour"]["visits"]
    ck.ok(vis["n"] == 3 and close(vis["change"], mt), "behaviour: visits per month", repr(vis))
    ck.ok([c["code"] for c in rep["behaviour"]["competencies"]] == ["communication"], "the course's competencies",
          repr(rep["behaviour"]))
    # a team lead: the same report over the people in their scope (none of these): no data
    r = ctx.U("lead_e").client.get("/api/v1/courses/%d/effect" % course, {"kpi": "visits"})
    ck.ok(r.status == 200 and r.json["scope"] == "team" and r.json["results"]["status"] == "not_enough_data"
          and r.json["completed"] == 0, "a lead sees only their team's figures", r.describe())
    ck.expect(ctx.U("am_e").client.get("/api/v1/courses/%d/effect" % course), 403, "an AM reads no effect report")
    for q, field in [({"months": "13"}, "months"), ({"months": "0"}, "months"), ({"kpi": "profit"}, "kpi")]:
        ck.expect(hr.get("/api/v1/courses/%d/effect" % course, q), 400, "bad %s" % field, field=field)
    ck.expect(hr.get("/api/v1/courses/999999999/effect"), 404, "no such course")
    # a post window not over yet: not_enough_data with its reason
    import time
    today = time.strftime("%Y-%m-%d", time.gmtime(time.time() + CHINA - 86400))
    c2 = new_course(ctx, topic="legal")["id"]
    s2 = new_session(ctx, c2, today)
    for k in ("C1", "C2"):
        e = enrol(ctx, s2, people[k][0], attended=True)
        ctx.must(hr.post("/api/v1/enrolments/%d/complete" % e["id"]), 200, "complete recent")
    r = hr.get("/api/v1/courses/%d/effect" % c2)
    ck.ok(r.status == 200 and r.json["results"]["status"] == "not_enough_data"
          and r.json["results"]["reason"] == "post_window_open" and r.json["results"]["pending"] == 2
          and r.json["results"]["did"] is None and r.json["results"]["ci_low"] is None, "post window open",
          r.describe())


# ---- the permission matrix

def _session(ctx):
    if "TR_mx_session" not in ctx.ids:
        ctx.ids["TR_mx_session"] = new_session(ctx, _shared_course(ctx), "2020-03-02")
    return ctx.ids["TR_mx_session"]


def _person(ctx, u, rec_):
    return u.id if rec_ == "own" else ctx.U("am_w").id


def _enrolment(ctx, u, rec_, fresh=False, attended=True):
    """An enrolment about u (own) or am_w (other), attended; fresh: a new one in a new session."""
    uid = _person(ctx, u, rec_)
    key = "TR_mx_enr_%d" % uid
    if fresh or key not in ctx.ids:
        sid = new_session(ctx, _shared_course(ctx), "2020-03-02") if fresh else _session(ctx)
        e = enrol(ctx, sid, uid, attended=attended)
        if fresh:
            return e["id"]
        ctx.ids[key] = e["id"]
    return ctx.ids[key]


@route("GET", "/api/v1/courses", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/courses", query={"limit": "5"})


@route("GET", "/api/v1/courses/export", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/courses/export", query={"format": "csv", "q": "nothing-" + ctx.tag})


@route("POST", "/api/v1/courses", "none")
def _(ctx, u, rec_):
    return Attempt("POST", "/api/v1/courses", {"code": ctx.uniq("MXC"), "title": "矩阵", "topic": "other"}, ok=201,
                   state=lambda: state(ctx))


@route("GET", "/api/v1/courses/{id}", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/courses/%d" % _shared_course(ctx))


@route("PATCH", "/api/v1/courses/{id}", "none")
def _(ctx, u, rec_):
    return Attempt("PATCH", "/api/v1/courses/%d" % _shared_course(ctx), {"description": "matrix " + ctx.uniq()},
                   state=lambda: state(ctx))


@route("DELETE", "/api/v1/courses/{id}", "none")
def _(ctx, u, rec_):
    return Attempt("DELETE", "/api/v1/courses/%d" % new_course(ctx)["id"], ok=204, state=lambda: state(ctx))


@route("GET", "/api/v1/courses/{id}/effect", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/courses/%d/effect" % _shared_course(ctx))


@route("GET", "/api/v1/training-sessions", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/training-sessions", query={"limit": "5"})


@route("GET", "/api/v1/training-sessions/export", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/training-sessions/export", query={"format": "csv", "course_id": "1"})


@route("POST", "/api/v1/training-sessions", "none")
def _(ctx, u, rec_):
    return Attempt("POST", "/api/v1/training-sessions", {"course_id": _shared_course(ctx), "starts_on": "2021-01-04",
                                                         "trainer_name": "矩阵"}, ok=201, state=lambda: state(ctx))


@route("GET", "/api/v1/training-sessions/{id}", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/training-sessions/%d" % _session(ctx))


@route("PATCH", "/api/v1/training-sessions/{id}", "none")
def _(ctx, u, rec_):
    return Attempt("PATCH", "/api/v1/training-sessions/%d" % _session(ctx), {"place": "matrix " + ctx.uniq()},
                   state=lambda: state(ctx))


@route("DELETE", "/api/v1/training-sessions/{id}", "none")
def _(ctx, u, rec_):
    return Attempt("DELETE", "/api/v1/training-sessions/%d" % new_session(ctx, _shared_course(ctx)), ok=204,
                   state=lambda: state(ctx))


@route("GET", "/api/v1/enrolments", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/enrolments", query={"limit": "5"})


@route("GET", "/api/v1/enrolments/export", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/enrolments/export", query={"format": "csv", "status": "absent"})


@route("POST", "/api/v1/enrolments", "none")
def _(ctx, u, rec_):
    sid = new_session(ctx, _shared_course(ctx))
    return Attempt("POST", "/api/v1/enrolments", {"session_id": sid, "user_id": u.id}, ok=201,
                   state=lambda: state(ctx))


@route("GET", "/api/v1/enrolments/{id}", "enrolment")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/enrolments/%d" % _enrolment(ctx, u, rec_))


@route("PATCH", "/api/v1/enrolments/{id}", "enrolment")
def _(ctx, u, rec_):
    eid = _enrolment(ctx, u, rec_)
    return Attempt("PATCH", "/api/v1/enrolments/%d" % eid, {"pre_score": len(ctx.uniq()) % 100},
                   state=lambda: state(ctx, eid))


@route("DELETE", "/api/v1/enrolments/{id}", "enrolment")
def _(ctx, u, rec_):
    eid = _enrolment(ctx, u, rec_, fresh=True)
    return Attempt("DELETE", "/api/v1/enrolments/%d" % eid, ok=204, state=lambda: state(ctx, eid))


@route("POST", "/api/v1/enrolments/{id}/attendance", "enrolment")
def _(ctx, u, rec_):
    eid = _enrolment(ctx, u, rec_)
    return Attempt("POST", "/api/v1/enrolments/%d/attendance" % eid, {"attended": True},
                   state=lambda: state(ctx, eid))


@route("POST", "/api/v1/enrolments/{id}/feedback", "enrolment")
def _(ctx, u, rec_):
    eid = _enrolment(ctx, u, rec_)
    # feedback is the person's own: anyone else allowed by the policy gets 403 from the service
    return Attempt("POST", "/api/v1/enrolments/%d/feedback" % eid, {"rating": 3 + len(ctx.uniq()) % 3},
                   ok=200 if rec_ == "own" else 403, state=lambda: state(ctx, eid))


@route("POST", "/api/v1/enrolments/{id}/complete", "enrolment")
def _(ctx, u, rec_):
    eid = _enrolment(ctx, u, rec_, fresh=True)
    return Attempt("POST", "/api/v1/enrolments/%d/complete" % eid, state=lambda: state(ctx, eid))


@route("GET", "/api/v1/users/{id}/training", "user")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/users/%d/training" % _person(ctx, u, rec_))


@route("GET", "/api/v1/users/{id}/training/export", "user")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/users/%d/training/export" % _person(ctx, u, rec_), query={"format": "csv"})


@route("POST", "/api/v1/training-needs", "none")
def _(ctx, u, rec_):
    return Attempt("POST", "/api/v1/training-needs", {"topic": "matrix", "user_id": u.id}, ok=201,
                   state=lambda: state(ctx))


@route("POST", "/api/v1/training-needs/derive", "none")
def _(ctx, u, rec_):
    return Attempt("POST", "/api/v1/training-needs/derive", {"user_id": u.id, "on_day": "2000-01-01"},
                   state=lambda: state(ctx))


def g_training_matrix(ctx):
    t_disputes.run_matrix(ctx, ("/api/v1/courses", "/api/v1/training-sessions", "/api/v1/enrolments",
                                "/api/v1/users/{id}/training", "/api/v1/training-needs"), 28, "training.c")


GROUPS = [
    ("training_catalogue", g_training_catalogue, True),
    ("training_enrolments", g_training_enrolments, True),
    ("training_needs", g_training_needs, True),
    ("training_effect", g_training_effect, True),
    ("training_matrix", g_training_matrix, True),
]
