"""Competencies and selection (issue 18 item 1, F6.1; src/api/team/competencies.c): the competency
model (six built-ins seeded by migration 0026, custom ones, rubric levels 1-5 with zh/en
descriptors set whole, versions, 409 keys for a taken code, a built-in or used competency),
role profiles (required level and weight per competency), assessments (self / manager / peer
rules at creation, the person's scope when reading: another account manager's -> 404, the lead's
team member's -> 200, outside the lead's team -> 404, finance -> 403), the current level per
competency checked against an independent Python computation of the documented rule (latest
manager score, else the mean of the latest self and each peer's latest), gaps and fit to a
profile, candidates (internal and external, interview scores, the ranking checked against a
Python computation of fit with fractions, the decision and its 409 keys), bad input naming the
field with nothing written, exports, the permission matrix of every route."""

from fractions import Fraction

import t_basic
import t_matrix
from t_matrix import route, Attempt
from t_answers import sql
import t_disputes

for kind in ("user", "assessment"):
    if kind not in t_matrix.RECORD_KINDS:
        t_matrix.RECORD_KINDS = t_matrix.RECORD_KINDS + (kind,)
    if kind not in t_basic.SCOPES:
        t_basic.SCOPES = t_basic.SCOPES + (kind,)

BUILTIN = ["communication", "legal_compliance", "negotiation", "problem_solving", "product_knowledge", "teamwork"]


def n_rows(ctx, q):
    return int(sql(ctx, q)[0][0])


def key_of(r):
    return ((r.json or {}).get("error") or {}).get("key")


def state(ctx):
    return {t: n_rows(ctx, "SELECT COUNT(*) FROM %s" % t)
            for t in ("competencies", "competency_levels", "role_profiles", "role_profile_levels",
                      "competency_assessments", "assessment_scores", "candidates", "interview_scores")} | {
        "audit": n_rows(ctx, "SELECT COUNT(*) FROM audit WHERE entity IN ('competency', 'role_profile', "
                             "'competency_assessment', 'candidate')"),
        "versions": sql(ctx, "SELECT id, version, active FROM competencies ORDER BY id"),
        "cands": sql(ctx, "SELECT id, status, version FROM candidates ORDER BY id")}


def rubric(tag):
    return [{"level": i, "descriptor_zh": "第%d级 %s" % (i, tag), "descriptor_en": "Level %d %s" % (i, tag)}
            for i in range(1, 6)]


def new_comp(ctx, client=None, **fields):
    code = fields.pop("code", None) or ctx.uniq("c_").lower()
    body = {"code": code, "name_zh": "能力 " + code, "name_en": "Skill " + code, "levels": rubric(code)}
    body.update(fields)
    return ctx.must((client or ctx.admin).post("/api/v1/competencies", body), 201, "create competency")["id"]


def new_profile(ctx, levels, client=None):
    code = ctx.uniq("p_").lower()
    body = {"code": code, "name_zh": "岗位 " + code, "name_en": "Role " + code,
            "levels": [{"competency_id": c, "level": lv, "weight": w} for c, lv, w in levels]}
    return ctx.must((client or ctx.admin).post("/api/v1/role-profiles", body), 201, "create profile")


def assess(ctx, client, user_id, kind, day, scores, status=201):
    body = {"user_id": user_id, "kind": kind, "assessed_on": day,
            "scores": [{"competency_id": c, "level": lv, "evidence": "证据 %d" % lv} for c, lv in scores]}
    r = client.post("/api/v1/assessments", body)
    ok = ctx.ck.expect(r, status, "assessment %s of %d on %s" % (kind, user_id, day))
    return r.json["id"] if ok and status == 201 else None


# ---- the independent computations (docs/TEAM.md "Competencies and selection")

def level_rule(obs):
    """obs: [(assessed_on, assessment_id, kind, assessor_id, level)] of one competency. The
    level (a Fraction) and the number of scores used, or None."""
    if not obs:
        return None
    obs = sorted(obs, key=lambda o: (o[0], o[1]), reverse=True)
    for o in obs:
        if o[2] == "manager":
            return Fraction(o[4]), 1
    seen, vals = set(), []
    for o in obs:
        k = ("self",) if o[2] == "self" else ("peer", o[3])
        if k not in seen:
            seen.add(k)
            vals.append(o[4])
    return Fraction(sum(vals), len(vals)), len(vals)


def fit_bp(reqs, levels):
    """reqs: [(competency, required, weight)]; levels: {competency: Fraction}. Round half up."""
    num = sum(Fraction(w) * min(levels.get(c, Fraction(0)), r) / r for c, r, w in reqs)
    den = sum(w for _, _, w in reqs)
    x = num * 10000 / den
    return int(x + Fraction(1, 2)) if x >= 0 else 0


def num2(x):
    """A level as the API writes it: 2 decimals, rounded half away from zero (llround)."""
    return float(int(x * 100 + Fraction(1, 2))) / 100


# ---- groups

def g_model(ctx):
    ck = ctx.ck
    hr = ctx.U("hr").client
    am = ctx.U("am_e").client
    r = am.get("/api/v1/competencies", {"limit": "500"})
    if not ck.expect(r, 200, "every role reads the model"):
        return
    by_code = {c["code"]: c for c in r.json["items"]}
    ck.ok(all(c in by_code and not by_code[c]["custom"] for c in BUILTIN), "the six built-ins, custom false",
          sorted(by_code))
    codes = [c["code"] for c in r.json["items"]]
    ck.ok(codes == sorted(codes), "sorted by code", codes)

    code = ctx.uniq("cmp_").lower()
    body = {"code": code, "name_zh": "客户洞察", "name_en": "Customer insight", "description_zh": "理解客户业务",
            "levels": list(reversed(rubric("洞察")))}
    r = hr.post("/api/v1/competencies", body)
    if not ck.expect(r, 201, "hr creates a custom competency",
                     json={"code": code, "custom": True, "active": True, "version": 1,
                           "levels": [{"level": i, "descriptor_zh": "第%d级 洞察" % i} for i in range(1, 6)]}):
        return
    cid = r.json["id"]
    ck.ok(n_rows(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'competency' AND entity_id = %d AND action = "
                      "'create'" % cid) == 1, "audited")
    before = state(ctx)
    bad = [
        ({k: v for k, v in body.items() if k != "code"}, 400, "code", None),
        (dict(body, code="Bad Code"), 400, "code", "competency.bad_code"),
        (dict(body, code="x" * 41), 400, "code", None),
        (dict(body, code=ctx.uniq("n_").lower(), name_zh=" "), 400, "name_zh", "required"),
        (dict(body, code=ctx.uniq("n_").lower(), name_en="e" * 101), 400, "name_en", None),
        (dict(body, code=ctx.uniq("n_").lower(), description_en="d" * 2001), 400, "description_en", None),
        (dict(body, code=ctx.uniq("n_").lower(), levels=rubric("x")[:4]), 400, "levels", "competency.five_levels"),
        (dict(body, code=ctx.uniq("n_").lower(), levels=rubric("x")[:4] + [dict(rubric("x")[0])]), 400,
         "levels[4].level", "competency.five_levels"),
        (dict(body, code=ctx.uniq("n_").lower(), levels=rubric("x")[:4] + [{"level": 6}]), 400, "levels[4].level",
         None),
        (dict(body, code=ctx.uniq("n_").lower(), levels=rubric("x")[:4] + [{"level": 5, "descriptor_zh": "d" * 501}]),
         400, "levels[4].descriptor_zh", None),
        (dict(body, code=ctx.uniq("n_").lower(), levels=rubric("x") + rubric("y")[:1]), 400, "levels", None),
        (dict(body, code=ctx.uniq("n_").lower(), version=1), 400, "version", None),
        (dict(body, code=ctx.uniq("n_").lower(), colour="red"), 400, "colour", None),
        (dict(body), 409, "code", "competency.code_taken"),
    ]
    for b, status, field, key in bad:
        r = hr.post("/api/v1/competencies", b)
        ck.expect(r, status, "POST competency refused -> %d %s" % (status, field), field=field)
        if key:
            ck.ok(key_of(r) == key, "key %s" % key, r.describe())
    ck.expect(am.post("/api/v1/competencies", dict(body, code=ctx.uniq("n_").lower())), 403,
              "an account manager does not change the model")
    ck.expect(ctx.U("lead_e").client.patch("/api/v1/competencies/%d" % cid, {"name_en": "x"}), 403,
              "a team lead does not change the model")
    ck.same(before, state(ctx), "refused writes changed nothing")

    # PATCH: version, rubric set whole, no code change
    r = hr.patch("/api/v1/competencies/%d" % cid, {"version": 1, "name_en": "Customer insight (B2B)",
                                                   "levels": rubric("新")})
    ck.expect(r, 200, "patch with the version read", json={"version": 2, "name_en": "Customer insight (B2B)",
                                                           "levels": rubric("新")})
    ck.expect(hr.patch("/api/v1/competencies/%d" % cid, {"version": 1, "name_en": "stale"}), 409, "stale version",
              field="version")
    ck.expect(hr.patch("/api/v1/competencies/%d" % cid, {"code": "other"}), 400, "code cannot change", field="code")
    r = hr.patch("/api/v1/competencies/%d" % cid, {"name_en": "Customer insight (B2B)"})
    ck.expect(r, 200, "a patch that changes nothing", json={"version": 2})
    r = hr.patch("/api/v1/competencies/%d" % cid, {"levels": []})
    ck.expect(r, 200, "the rubric emptied", json={"version": 3, "levels": []})
    ck.ok(n_rows(ctx, "SELECT COUNT(*) FROM competency_levels WHERE competency_id = %d" % cid) == 0,
          "no level rows left")
    ck.ok(n_rows(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'competency' AND entity_id = %d" % cid) == 3,
          "create + two changes audited (not the no-op)")

    # delete: built-in refused, used refused, unused deleted
    builtin = by_code["communication"]["id"]
    r = hr.delete("/api/v1/competencies/%d" % builtin)
    ck.expect(r, 409, "a built-in is not deleted")
    ck.ok(key_of(r) == "competency.builtin", "key competency.builtin", r.describe())
    used = new_comp(ctx, hr)
    new_profile(ctx, [(used, 3, 1)], hr)
    before = state(ctx)
    r = hr.delete("/api/v1/competencies/%d" % used)
    ck.expect(r, 409, "a used competency is not deleted")
    ck.ok(key_of(r) == "competency.in_use", "key competency.in_use", r.describe())
    ck.same(before, state(ctx), "nothing deleted")
    r = hr.patch("/api/v1/competencies/%d" % used, {"active": False})
    ck.expect(r, 200, "deactivated instead", json={"active": False})
    r = hr.get("/api/v1/competencies", {"active": "0", "limit": "500"})
    ck.ok(r.status == 200 and used in [c["id"] for c in r.json["items"]] and
          all(not c["active"] for c in r.json["items"]), "active=0 lists the inactive ones", r.describe())
    ck.expect(hr.get("/api/v1/competencies", {"active": "2"}), 400, "active 0|1", field="active")
    ck.expect(hr.delete("/api/v1/competencies/%d" % cid), 204, "an unused custom one is deleted")
    ck.expect(hr.get("/api/v1/competencies/%d" % cid), 404, "gone")
    ck.ok(n_rows(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'competency' AND entity_id = %d AND action = "
                      "'delete'" % cid) == 1, "the delete audited")
    # paging by code
    codes = [c["code"] for c in hr.get("/api/v1/competencies", {"limit": "500"}).json["items"]]
    r1 = hr.get("/api/v1/competencies", {"limit": "2"})
    r2 = hr.get("/api/v1/competencies", {"limit": "2", "cursor": r1.json.get("next_cursor") or ""})
    ck.ok(r2.status == 200 and [c["code"] for c in r1.json["items"] + r2.json["items"]] == codes[:4] or
          len(codes) < 4, "keyset paging by code", r2.describe())
    r = am.get("/api/v1/competencies/export", {"format": "csv"})
    ck.ok(r.status == 200 and "communication" in r.body.decode("utf-8-sig"), "export", r.describe())


def g_profiles(ctx):
    ck = ctx.ck
    hr = ctx.U("hr").client
    c1, c2 = new_comp(ctx, hr), new_comp(ctx, hr)
    p = new_profile(ctx, [(c2, 4, 2), (c1, 3, 1)], hr)
    ck.ok([(x["competency_id"], x["level"], x["weight"]) for x in p["levels"]] == sorted([(c1, 3, 1), (c2, 4, 2)]),
          "levels by competency", p)
    body = {"code": ctx.uniq("p_").lower(), "name_zh": "岗", "name_en": "Role",
            "levels": [{"competency_id": c1, "level": 3}]}
    before = state(ctx)
    bad = [
        (dict(body, levels=[]), 400, "levels"),
        ({k: v for k, v in body.items() if k != "levels"}, 400, "levels"),
        (dict(body, levels=[{"competency_id": c1}]), 400, "levels[0].level"),
        (dict(body, levels=[{"level": 3}]), 400, "levels[0].competency_id"),
        (dict(body, levels=[{"competency_id": c1, "level": 0}]), 400, "levels[0].level"),
        (dict(body, levels=[{"competency_id": c1, "level": 3, "weight": 101}]), 400, "levels[0].weight"),
        (dict(body, levels=[{"competency_id": 999999999, "level": 3}]), 400, "levels[0].competency_id"),
        (dict(body, levels=[{"competency_id": c1, "level": 3}, {"competency_id": c1, "level": 2}]), 400,
         "levels[1].competency_id"),
        (dict(body, levels=[{"competency_id": c1, "level": 3}] * 31), 400, "levels"),
        (dict(body, code=p["code"]), 409, "code"),
        (dict(body, name_zh=""), 400, "name_zh"),
    ]
    for b, status, field in bad:
        ck.expect(hr.post("/api/v1/role-profiles", b), status, "POST profile refused -> %d %s" % (status, field),
                  field=field)
    ck.expect(ctx.U("dir").client.post("/api/v1/role-profiles", body), 403, "the director does not write profiles")
    ck.same(before, state(ctx), "refused profiles wrote nothing")
    r = hr.patch("/api/v1/role-profiles/%d" % p["id"], {"version": 1, "levels": [{"competency_id": c1, "level": 5}]})
    ck.expect(r, 200, "levels replaced whole", json={"version": 2, "levels": [{"competency_id": c1, "level": 5,
                                                                                "weight": 1}]})
    ck.ok(len(r.json["levels"]) == 1 if r.json else False, "one level left")
    ck.expect(hr.patch("/api/v1/role-profiles/%d" % p["id"], {"version": 1, "name_en": "x"}), 409, "stale")
    ck.ok(n_rows(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'role_profile' AND entity_id = %d" % p["id"]) == 2,
          "profile audited")
    r = ctx.U("am_e").client.get("/api/v1/role-profiles/%d" % p["id"])
    ck.expect(r, 200, "every role reads profiles")
    cand = ctx.must(hr.post("/api/v1/candidates", {"profile_id": p["id"], "name": "候选人 " + ctx.tag}), 201,
                    "candidate")
    r = hr.delete("/api/v1/role-profiles/%d" % p["id"])
    ck.expect(r, 409, "a profile with candidates is not deleted")
    ck.ok(key_of(r) == "role_profile.in_use", "key role_profile.in_use", r.describe())
    p2 = new_profile(ctx, [(c1, 2, 1)], hr)
    ck.expect(hr.delete("/api/v1/role-profiles/%d" % p2["id"]), 204, "an unused profile is deleted")
    r = hr.get("/api/v1/role-profiles/export", {"format": "csv"})
    ck.ok(r.status == 200 and p["code"] in r.body.decode("utf-8-sig"), "export", r.describe())
    ck.ok(cand["profile_code"] == p["code"], "candidate names its profile")


def g_assessments(ctx):
    ck = ctx.ck
    am, am_w, lead, lead_w, hr = (ctx.U(k).client for k in ("am_e", "am_w", "lead_e", "lead_w", "hr"))
    svc = ctx.U("service_e").client
    am_id, amw_id, svc_id = ctx.U("am_e").id, ctx.U("am_w").id, ctx.U("service_e").id
    c = [new_comp(ctx) for _ in range(3)]
    # a fresh person of the East team, so the levels are this test's alone
    p = ctx.new_user("cmpp", "account_manager", "east")
    pc = p.client

    # who may write what
    before = state(ctx)
    cases = [
        (am, {"user_id": amw_id, "kind": "self"}, 400, "user_id", "assessment.self_only"),
        (am, {"user_id": am_id, "kind": "peer"}, 400, "user_id", "assessment.not_self"),
        (lead, {"user_id": ctx.U("lead_e").id, "kind": "manager"}, 400, "user_id", "assessment.not_self"),
        (lead, {"user_id": amw_id, "kind": "manager"}, 403, "user_id", "assessment.not_manager"),
        (am, {"user_id": svc_id, "kind": "manager"}, 403, "user_id", "assessment.not_manager"),
        (am_w, {"user_id": am_id, "kind": "peer"}, 403, "user_id", "assessment.not_colleague"),
        (am, {"user_id": 999999999, "kind": "peer"}, 400, "user_id", None),
        (am, {"user_id": am_id, "kind": "boss"}, 400, "kind", None),
        (am, {"user_id": am_id, "kind": "self", "assessed_on": "2999-01-01"}, 400, "assessed_on",
         "assessment.future"),
        (am, {"user_id": am_id, "kind": "self", "assessed_on": "2025-02-30"}, 400, "assessed_on", None),
        (am, {"user_id": am_id, "kind": "self", "scores": []}, 400, "scores", "assessment.no_scores"),
        (am, {"user_id": am_id, "kind": "self", "scores": [{"competency_id": c[0], "level": 6}]}, 400,
         "scores[0].level", None),
        (am, {"user_id": am_id, "kind": "self", "scores": [{"competency_id": c[0]}]}, 400, "scores[0].level", None),
        (am, {"user_id": am_id, "kind": "self", "scores": [{"competency_id": 999999999, "level": 3}]}, 400,
         "scores[0].competency_id", "competency.no_such"),
        (am, {"user_id": am_id, "kind": "self", "scores": [{"competency_id": c[0], "level": 3},
                                                            {"competency_id": c[0], "level": 2}]}, 400,
         "scores[1].competency_id", "competency.twice"),
        (am, {"user_id": am_id, "kind": "self",
              "scores": [{"competency_id": c[0], "level": 3, "evidence": "e" * 2001}]}, 400, "scores[0].evidence",
         None),
        (am, {"user_id": am_id, "kind": "self", "note": "n" * 2001}, 400, "note", None),
        (am, {"user_id": am_id, "kind": "self", "scores": [{"competency_id": c[0], "level": 3}] * 31}, 400, "scores",
         None),
        (ctx.U("fin").client, {"user_id": ctx.U("fin").id, "kind": "self"}, 403, None, None),
    ]
    for client, b, status, field, key in cases:
        body = {"assessed_on": "2025-03-01", "scores": [{"competency_id": c[0], "level": 3}]}
        body.update(b)
        r = client.post("/api/v1/assessments", body)
        ck.expect(r, status, "assessment refused -> %d %s %s" % (status, field, key), **({"field": field}
                                                                                         if field else {}))
        if key:
            ck.ok(key_of(r) == key, "key %s" % key, r.describe())
    ck.same(before, state(ctx), "refused assessments wrote nothing")

    # the person's record: self, peers (same team), the lead, hr; two rounds
    D1, D2, D3 = "2025-01-10", "2025-06-10", "2025-09-10"
    obs = {x: [] for x in c}

    def rec(client, who, kind, day, scores):
        aid = assess(ctx, client, p.id, kind, day, scores)
        for cc, lv in scores:
            obs[cc].append((day, aid or 0, kind, who, lv))
        return aid

    a_self1 = rec(pc, p.id, "self", D1, [(c[0], 4), (c[1], 3), (c[2], 5)])
    rec(am, am_id, "peer", D1, [(c[0], 2), (c[1], 3)])
    rec(svc, svc_id, "peer", D1, [(c[0], 3), (c[2], 4)])
    rec(lead, ctx.U("lead_e").id, "manager", D2, [(c[1], 2)])
    rec(pc, p.id, "self", D2, [(c[0], 5), (c[2], 4)])
    rec(am, am_id, "peer", D3, [(c[0], 4)])
    rec(hr, ctx.U("hr").id, "manager", D3, [(c[2], 3)])
    r = pc.get("/api/v1/assessments/%d" % (a_self1 or 0))
    ck.expect(r, 200, "the person reads their own assessment",
              json={"kind": "self", "user_id": p.id, "assessor_id": p.id, "assessed_on": D1,
                    "scores": [{"competency_id": c[0], "level": 4, "evidence": "证据 4"},
                               {"competency_id": c[1], "level": 3}, {"competency_id": c[2], "level": 5}]})
    ck.ok(n_rows(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'competency_assessment' AND entity_id = %d AND action = "
                      "'create'" % (a_self1 or 0)) == 1, "audited")

    # personal data: another AM 404; the lead 200; the other lead 404; finance 403; hr 200
    ck.expect(am_w.get("/api/v1/assessments/%d" % a_self1), 404, "another team's account manager: 404")
    ck.expect(lead.get("/api/v1/assessments/%d" % a_self1), 200, "the person's lead: 200")
    ck.expect(lead_w.get("/api/v1/assessments/%d" % a_self1), 404, "another team's lead: 404")
    ck.expect(ctx.U("fin").client.get("/api/v1/assessments/%d" % a_self1), 404, "finance (reads no assessment): 404")
    ck.expect(hr.get("/api/v1/assessments/%d" % a_self1), 200, "hr: 200")
    ck.expect(am.get("/api/v1/assessments/%d" % a_self1), 404, "a peer does not read the person's assessments")
    r = am_w.get("/api/v1/assessments", {"user_id": str(p.id)})
    ck.ok(r.status == 200 and r.json["items"] == [], "another AM lists none of the person's", r.describe())
    r = pc.get("/api/v1/assessments", {"user_id": "me", "limit": "500"})
    ck.ok(r.status == 200 and len(r.json["items"]) == 7, "the person lists all seven about them", r.describe())
    r = lead.get("/api/v1/assessments", {"user_id": str(p.id), "kind": "peer"})
    ck.ok(r.status == 200 and len(r.json["items"]) == 3 and all(i["kind"] == "peer" for i in r.json["items"]),
          "the lead lists the peer ones", r.describe())
    r = pc.get("/api/v1/assessments", {"limit": "500"})
    ck.ok(r.status == 200 and all(i["user_id"] == p.id for i in r.json["items"]),
          "an account manager's list holds only their own", r.describe())
    r = pc.get("/api/v1/assessments", {"sort": "assessed_on", "user_id": "me", "limit": "3"})
    days = [i["assessed_on"] for i in r.json["items"]] if r.status == 200 else []
    r2 = pc.get("/api/v1/assessments", {"sort": "assessed_on", "user_id": "me", "limit": "10",
                                        "cursor": r.json.get("next_cursor") or ""}) if r.status == 200 else r
    ck.ok(r2.status == 200 and days + [i["assessed_on"] for i in r2.json["items"]] == sorted([D1] * 3 + [D2] * 2 +
                                                                                          [D3] * 2),
          "sorted by day over pages", r2.describe())
    ck.expect(pc.get("/api/v1/assessments", {"kind": "boss"}), 400, "bad kind", field="kind")

    # the current levels as of three days, against the rule computed here
    prof = new_profile(ctx, [(c[0], 4, 2), (c[1], 3, 1), (c[2], 5, 1)])
    reqs = [(c[0], 4, 2), (c[1], 3, 1), (c[2], 5, 1)]
    for on in ("2025-03-01", "2025-07-01", None):
        q = {"profile": prof["code"]}
        if on:
            q["on"] = on
        r = pc.get("/api/v1/users/%d/competencies" % p.id, q)
        if not ck.expect(r, 200, "the person's competencies on %s" % on):
            continue
        items = {i["competency_id"]: i for i in r.json["items"]}
        levels = {}
        for cc in c:
            o = [x for x in obs[cc] if on is None or x[0] <= on]
            want = level_rule(o)
            got = items.get(cc)
            if want:
                levels[cc] = want[0]
            ck.ok(got is not None and got["level"] == (num2(want[0]) if want else None) and
                  got["n_assessments"] == (want[1] if want else 0) and len(got["assessments"]) == len(o),
                  "level of competency %d on %s = %s" % (cc, on, want), got)
            rq = [x for x in reqs if x[0] == cc][0]
            gap = max(Fraction(rq[1]) - levels.get(cc, Fraction(0)), Fraction(0))
            ck.ok(got is not None and got["required"] == rq[1] and got["gap"] == num2(gap),
                  "gap of %d on %s" % (cc, on), got)
        ck.ok(r.json["fit_bp"] == fit_bp(reqs, levels), "fit on %s = %d" % (on, fit_bp(reqs, levels)), r.json)
    # explicit numbers for the last day: c0 mean(self 5, peer am 4, peer svc 3) = 4; c1 manager 2; c2 manager 3
    r = pc.get("/api/v1/users/%d/competencies" % p.id, {"profile": prof["code"]})
    if r.status == 200:
        items = {i["competency_id"]: i for i in r.json["items"]}
        ck.ok([items[x]["level"] for x in c] == [4.0, 2.0, 3.0], "worked example: 4, 2, 3", items)
        # fit = (2*4/4 + 1*2/3 + 1*3/5) / 4 = 3.2666.. / 4 -> 8167 bp
        ck.ok(r.json["fit_bp"] == 8167, "worked example: fit 8167 bp", r.json)
        used = [a for a in items[c[0]]["assessments"] if a["used"]]
        ck.ok(sorted(a["level"] for a in used) == [3, 4, 5], "the scores behind the mean are marked used", used)
    r = pc.get("/api/v1/users/%d/competencies" % p.id)
    ck.ok(r.status == 200 and r.json["profile"] is None and r.json["fit_bp"] is None,
          "without a profile: no fit", r.describe())
    ck.expect(pc.get("/api/v1/users/%d/competencies" % p.id, {"profile": "nope_" + ctx.tag}), 400,
              "unknown profile", field="profile")
    ck.expect(pc.get("/api/v1/users/%d/competencies" % p.id, {"on": "2025-13-01"}), 400, "bad day", field="on")
    ck.expect(am_w.get("/api/v1/users/%d/competencies" % p.id), 404, "another AM: 404")
    ck.expect(lead.get("/api/v1/users/%d/competencies" % p.id), 200, "the lead: 200")
    ck.expect(lead_w.get("/api/v1/users/%d/competencies" % p.id), 404, "another lead: 404")
    ck.expect(ctx.U("fin").client.get("/api/v1/users/%d/competencies" % p.id), 404, "finance (reads no assessment): 404")
    ck.expect(am.get("/api/v1/users/%d/competencies" % am_id), 200, "an AM reads their own")

    # an inactive competency is refused in new assessments
    ctx.must(ctx.admin.patch("/api/v1/competencies/%d" % c[2], {"active": False}), 200, "deactivate")
    r = pc.post("/api/v1/assessments", {"user_id": p.id, "kind": "self", "assessed_on": D3,
                                        "scores": [{"competency_id": c[2], "level": 3}]})
    ck.expect(r, 400, "inactive competency refused", field="scores[0].competency_id")
    # delete: hr only; audited
    ck.expect(lead.delete("/api/v1/assessments/%d" % a_self1), 403, "a lead does not delete")
    ck.expect(hr.delete("/api/v1/assessments/%d" % a_self1), 204, "hr deletes")
    ck.ok(n_rows(ctx, "SELECT COUNT(*) FROM assessment_scores WHERE assessment_id = %d" % a_self1) == 0 and
          n_rows(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'competency_assessment' AND entity_id = %d AND action = "
                      "'delete'" % a_self1) == 1, "scores gone, delete audited")
    r = hr.get("/api/v1/assessments/export", {"format": "csv", "user_id": str(p.id)})
    ck.ok(r.status == 200 and p.name in r.body.decode("utf-8-sig"), "export", r.describe())


def g_candidates(ctx):
    ck = ctx.ck
    hr, lead, am = ctx.U("hr").client, ctx.U("lead_e").client, ctx.U("am_e").client
    c = [new_comp(ctx) for _ in range(3)]
    reqs = [(c[0], 4, 3), (c[1], 3, 1), (c[2], 2, 1)]
    prof = new_profile(ctx, reqs, hr)
    pid = prof["id"]
    p = ctx.new_user("cmpc", "account_manager", "east")
    # the internal candidate's assessed levels: c0 manager 3, c1 mean(self 4, peer 2) = 3, c2 none
    assess(ctx, lead, p.id, "manager", "2025-05-01", [(c[0], 3)])
    assess(ctx, p.client, p.id, "self", "2025-05-01", [(c[0], 5), (c[1], 4)])
    assess(ctx, am, p.id, "peer", "2025-05-02", [(c[1], 2)])

    before = state(ctx)
    bad = [
        ({}, 400, "profile_id"),
        ({"profile_id": pid}, 400, "name"),
        ({"profile_id": 999999999, "name": "x"}, 400, "profile_id"),
        ({"profile_id": pid, "user_id": 999999999}, 400, "user_id"),
        ({"profile_id": pid, "name": "n" * 101}, 400, "name"),
        ({"profile_id": pid, "name": "x", "contact": "c" * 201}, 400, "contact"),
        ({"profile_id": pid, "name": "x", "version": 1}, 400, "version"),
    ]
    for b, status, field in bad:
        ck.expect(hr.post("/api/v1/candidates", b), status, "POST candidate refused -> %s" % field, field=field)
    ck.expect(am.post("/api/v1/candidates", {"profile_id": pid, "name": "x"}), 403, "an AM has no candidates")
    ck.same(before, state(ctx), "refused candidates wrote nothing")

    r = hr.post("/api/v1/candidates", {"profile_id": pid, "user_id": p.id, "source": "内部晋升"})
    ck.expect(r, 201, "internal candidate", json={"internal": True, "user_id": p.id, "name": p.name,
                                                  "status": "open", "version": 1})
    k_int = r.json["id"] if r.json else 0
    r = hr.post("/api/v1/candidates", {"profile_id": pid, "user_id": p.id})
    ck.expect(r, 409, "the same person twice while open")
    ck.ok(key_of(r) == "candidate.already", "key candidate.already", r.describe())
    k_a = ctx.must(lead.post("/api/v1/candidates", {"profile_id": pid, "name": "外部甲 " + ctx.tag,
                                                    "contact": "a@example.com", "source": "猎头"}), 201, "ext a")["id"]
    k_b = ctx.must(hr.post("/api/v1/candidates", {"profile_id": pid, "name": "External B " + ctx.tag}), 201,
                   "ext b")["id"]
    k_c = ctx.must(hr.post("/api/v1/candidates", {"profile_id": pid, "name": "External C " + ctx.tag}), 201,
                   "ext c")["id"]

    def scores(client, kid, sc, status=200):
        r = client.post("/api/v1/candidates/%d/scores" % kid,
                        {"scores": [{"competency_id": cc, "level": lv, "note": "面试 %d" % lv} for cc, lv in sc]})
        ck.expect(r, status, "scores for %d" % kid)
        return r

    scores(lead, k_a, [(c[0], 5), (c[1], 2), (c[2], 3)])
    scores(hr, k_a, [(c[0], 4), (c[1], 3)])
    scores(lead, k_b, [(c[0], 3), (c[1], 4), (c[2], 2)])
    scores(hr, k_b, [(c[0], 2)])
    scores(hr, k_b, [(c[0], 4)])  # replaces hr's earlier score
    scores(lead, k_c, [(c[1], 5)])
    # an internal candidate's interview fills only what no assessment covers (c2)
    scores(lead, k_int, [(c[2], 1), (c[0], 5)])
    r = hr.get("/api/v1/candidates/%d" % k_b)
    ck.ok(r.status == 200 and sorted((s["competency_id"], s["interviewer_id"], s["level"])
                                     for s in r.json["interview_scores"]) ==
          sorted([(c[0], ctx.U("lead_e").id, 3), (c[1], ctx.U("lead_e").id, 4), (c[2], ctx.U("lead_e").id, 2),
                  (c[0], ctx.U("hr").id, 4)]), "one score per interviewer and competency", r.describe())
    before = state(ctx)
    for b, field in [({"scores": []}, "scores"), ({"scores": [{"competency_id": c[0], "level": 0}]}, "scores[0].level"),
                     ({"scores": [{"competency_id": 999999999, "level": 3}]}, "scores[0].competency_id"),
                     ({}, "scores"), ({"scores": [{"competency_id": c[0], "level": 3, "note": "n" * 2001}]},
                                      "scores[0].note")]:
        ck.expect(hr.post("/api/v1/candidates/%d/scores" % k_a, b), 400, "bad scores %s" % field, field=field)
    ck.same(before, state(ctx), "refused scores wrote nothing")

    # the ranking against fit computed here
    lv_int = {c[0]: Fraction(3), c[1]: Fraction(3), c[2]: Fraction(1)}
    lv = {k_int: lv_int,
          k_a: {c[0]: Fraction(9, 2), c[1]: Fraction(5, 2), c[2]: Fraction(3)},
          k_b: {c[0]: Fraction(7, 2), c[1]: Fraction(4), c[2]: Fraction(2)},
          k_c: {c[1]: Fraction(5)}}

    def gaps(levels):
        return [(cc, r_, levels.get(cc)) for cc, r_, _ in sorted(reqs) if levels.get(cc, 0) < r_]

    want = sorted(lv, key=lambda k: (-fit_bp(reqs, lv[k]), sum(r_ - (h or 0) for _, r_, h in gaps(lv[k])), k))
    r = lead.get("/api/v1/role-profiles/%d/ranking" % pid)
    if ck.expect(r, 200, "the ranking"):
        got = r.json["items"]
        ck.ok([i["candidate_id"] for i in got] == want, "ranked by fit", (want, [(i["candidate_id"], i["fit_bp"])
                                                                               for i in got]))
        for i in got:
            k = i["candidate_id"]
            ck.ok(i["fit_bp"] == fit_bp(reqs, lv[k]), "fit of %d = %d" % (k, fit_bp(reqs, lv[k])), i)
            g = [(x["competency_id"], x["required"], x["has"]) for x in i["gaps"]]
            ck.ok(g == [(cc, r_, num2(h) if h is not None else None) for cc, r_, h in gaps(lv[k])],
                  "gaps of %d" % k, i["gaps"])
            ck.ok(i["meets"] == (not gaps(lv[k])), "meets of %d" % k)
            ck.ok(i["rank"] == got.index(i) + 1, "rank numbers")
        src = {x["competency_id"]: x["source"] for x in [i for i in got if i["candidate_id"] == k_int][0]["levels"]}
        ck.ok(src == {c[0]: "assessment", c[1]: "assessment", c[2]: "interview"},
              "internal: assessed levels first, interviews for the rest", src)
    # the internal candidate's assessments are personal: a lead of another team ranks them by
    # their interviews only
    r = ctx.U("lead_w").client.get("/api/v1/role-profiles/%d/ranking" % pid)
    if ck.expect(r, 200, "the ranking for the other team's lead"):
        mine = [i for i in r.json["items"] if i["candidate_id"] == k_int][0]
        src = {x["competency_id"]: x.get("source") for x in mine["levels"] if x.get("source")}
        ck.ok(src and "assessment" not in src.values(), "another team's lead: no assessed level of the internal candidate",
              str(mine["levels"]))
    # worked example: k_a = (3*4/4 + 1*2.5/3 + 1*2/2) / 5 = 4.8333../5 -> 9667 bp
    ck.ok(fit_bp(reqs, lv[k_a]) == 9667, "hand-computed fit of candidate A")
    ck.expect(am.get("/api/v1/role-profiles/%d/ranking" % pid), 403, "an AM sees no ranking")
    ck.expect(hr.get("/api/v1/role-profiles/%d/ranking" % pid, {"status": "x"}), 400, "bad status", field="status")

    # the decision
    before = state(ctx)
    r = hr.post("/api/v1/candidates/%d/decision" % k_a, {"decision": "hired"})
    ck.expect(r, 409, "a decision without a reason")
    ck.ok(key_of(r) == "candidate.reason_required", "key candidate.reason_required", r.describe())
    r = hr.post("/api/v1/candidates/%d/decision" % k_a, {"decision": "hired", "reason": "  "})
    ck.ok(key_of(r) == "candidate.reason_required", "a blank reason too", r.describe())
    r = hr.post("/api/v1/candidates/%d/decision" % k_a, {"decision": "promoted", "reason": "x"})
    ck.expect(r, 409, "an external candidate is not promoted")
    ck.ok(key_of(r) == "candidate.promote_external", "key candidate.promote_external", r.describe())
    ck.expect(hr.post("/api/v1/candidates/%d/decision" % k_a, {"decision": "fired", "reason": "x"}), 400,
              "bad decision", field="decision")
    ck.expect(hr.post("/api/v1/candidates/%d/decision" % k_a, {"reason": "x"}), 400, "no decision", field="decision")
    ck.same(before, state(ctx), "refused decisions wrote nothing")
    r = lead.post("/api/v1/candidates/%d/decision" % k_a, {"decision": "hired", "reason": "最佳匹配，谈判能力突出"})
    ck.expect(r, 200, "hired with a reason", json={"status": "hired", "decision_reason": "最佳匹配，谈判能力突出",
                                                   "decided_by": ctx.U("lead_e").id, "version": 2})
    rows = sql(ctx, "SELECT action, changes FROM audit WHERE entity = 'candidate' AND entity_id = %d AND action = "
                    "'decide'" % k_a)
    ck.ok(len(rows) == 1 and "最佳匹配" in str(rows[0][1]), "the decision and its reason audited", rows)
    r = hr.post("/api/v1/candidates/%d/decision" % k_a, {"decision": "rejected", "reason": "x"})
    ck.ok(r.status == 409 and key_of(r) == "candidate.decided", "decided once", r.describe())
    r = scores(hr, k_a, [(c[0], 1)], 409)
    ck.ok(key_of(r) == "candidate.decided", "no scores after the decision", r.describe())
    ck.expect(hr.post("/api/v1/candidates/%d/decision" % k_int, {"decision": "on_hold", "reason": "等下一轮"}), 200,
              "on hold")
    ck.expect(hr.post("/api/v1/candidates/%d/decision" % k_int, {"decision": "promoted", "reason": "评估达标"}),
              200, "then promoted")
    r = hr.get("/api/v1/role-profiles/%d/ranking" % pid, {"status": "open"})
    ck.ok(r.status == 200 and sorted(i["candidate_id"] for i in r.json["items"]) == sorted([k_b, k_c]),
          "status=open ranks the undecided", r.describe())
    # patch, list, export
    r = hr.patch("/api/v1/candidates/%d" % k_b, {"version": 1, "contact": "b@example.com"})
    ck.expect(r, 200, "patch", json={"contact": "b@example.com", "version": 2})
    ck.expect(hr.patch("/api/v1/candidates/%d" % k_b, {"profile_id": pid}), 400, "profile fixed", field="profile_id")
    ck.expect(hr.patch("/api/v1/candidates/%d" % k_b, {"version": 1, "note": "x"}), 409, "stale")
    r = hr.get("/api/v1/candidates", {"profile_id": str(pid), "status": "hired"})
    ck.ok(r.status == 200 and [i["id"] for i in r.json["items"]] == [k_a], "list by status", r.describe())
    r = hr.get("/api/v1/candidates/export", {"format": "csv", "profile_id": str(pid)})
    ck.ok(r.status == 200 and "External B" in r.body.decode("utf-8-sig"), "export", r.describe())


# ---- the permission matrix

def _comp(ctx):
    if "CMP_matrix" not in ctx.ids:
        ctx.ids["CMP_matrix"] = new_comp(ctx)
    return ctx.ids["CMP_matrix"]


def _profile(ctx):
    if "CMP_profile" not in ctx.ids:
        ctx.ids["CMP_profile"] = new_profile(ctx, [(_comp(ctx), 3, 1)])["id"]
    return ctx.ids["CMP_profile"]


def _cand(ctx):
    return ctx.must(ctx.admin.post("/api/v1/candidates", {"profile_id": _profile(ctx), "name": "矩阵 " + ctx.uniq()}),
                    201, "candidate")["id"]


def _person(ctx, u, rec_):
    return u.id if rec_ == "own" else ctx.U("am_w").id


def _assessment(ctx, u, rec_):
    """An assessment about u (own) or about am_w (other), written by hr (by admin when u is hr)."""
    who = _person(ctx, u, rec_)
    writer = ctx.admin if who == ctx.U("hr").id else ctx.U("hr").client
    r = writer.post("/api/v1/assessments", {"user_id": who, "kind": "manager", "assessed_on": "2025-04-01",
                                            "scores": [{"competency_id": _comp(ctx), "level": 3}]})
    return ctx.must(r, 201, "matrix assessment")["id"]


@route("GET", "/api/v1/competencies", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/competencies", query={"limit": "5"})


@route("GET", "/api/v1/competencies/export", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/competencies/export", query={"format": "csv", "active": "1"})


@route("POST", "/api/v1/competencies", "none")
def _(ctx, u, rec_):
    code = ctx.uniq("m_").lower()
    return Attempt("POST", "/api/v1/competencies", {"code": code, "name_zh": "矩阵", "name_en": "Matrix"}, ok=201,
                   state=lambda: state(ctx))


@route("GET", "/api/v1/competencies/{id}", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/competencies/%d" % _comp(ctx))


@route("PATCH", "/api/v1/competencies/{id}", "none")
def _(ctx, u, rec_):
    return Attempt("PATCH", "/api/v1/competencies/%d" % _comp(ctx), {"description_en": "matrix " + ctx.uniq()},
                   state=lambda: state(ctx))


@route("DELETE", "/api/v1/competencies/{id}", "none")
def _(ctx, u, rec_):
    cid = new_comp(ctx)
    return Attempt("DELETE", "/api/v1/competencies/%d" % cid, ok=204, state=lambda: state(ctx))


@route("GET", "/api/v1/role-profiles", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/role-profiles", query={"limit": "5"})


@route("GET", "/api/v1/role-profiles/export", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/role-profiles/export", query={"format": "csv"})


@route("POST", "/api/v1/role-profiles", "none")
def _(ctx, u, rec_):
    return Attempt("POST", "/api/v1/role-profiles",
                   {"code": ctx.uniq("m_").lower(), "name_zh": "矩阵", "name_en": "Matrix",
                    "levels": [{"competency_id": _comp(ctx), "level": 2}]}, ok=201, state=lambda: state(ctx))


@route("GET", "/api/v1/role-profiles/{id}", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/role-profiles/%d" % _profile(ctx))


@route("PATCH", "/api/v1/role-profiles/{id}", "none")
def _(ctx, u, rec_):
    return Attempt("PATCH", "/api/v1/role-profiles/%d" % _profile(ctx), {"description": "matrix " + ctx.uniq()},
                   state=lambda: state(ctx))


@route("DELETE", "/api/v1/role-profiles/{id}", "none")
def _(ctx, u, rec_):
    pid = new_profile(ctx, [(_comp(ctx), 2, 1)])["id"]
    return Attempt("DELETE", "/api/v1/role-profiles/%d" % pid, ok=204, state=lambda: state(ctx))


@route("GET", "/api/v1/role-profiles/{id}/ranking", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/role-profiles/%d/ranking" % _profile(ctx))


@route("GET", "/api/v1/assessments", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/assessments", query={"limit": "5"})


@route("GET", "/api/v1/assessments/export", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/assessments/export", query={"format": "csv", "kind": "self"})


@route("POST", "/api/v1/assessments", "none")
def _(ctx, u, rec_):
    return Attempt("POST", "/api/v1/assessments",
                   {"user_id": u.id, "kind": "self", "assessed_on": "2025-04-02",
                    "scores": [{"competency_id": _comp(ctx), "level": 2}]}, ok=201, state=lambda: state(ctx))


@route("GET", "/api/v1/assessments/{id}", "assessment")
def _(ctx, u, rec_):
    key = "CMP_as_%s_%s" % (u.key, rec_)
    if key not in ctx.ids:
        ctx.ids[key] = _assessment(ctx, u, rec_)
    return Attempt("GET", "/api/v1/assessments/%d" % ctx.ids[key])


@route("DELETE", "/api/v1/assessments/{id}", "assessment")
def _(ctx, u, rec_):
    aid = _assessment(ctx, u, rec_)
    return Attempt("DELETE", "/api/v1/assessments/%d" % aid, ok=204, state=lambda: state(ctx))


@route("GET", "/api/v1/users/{id}/competencies", "user")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/users/%d/competencies" % _person(ctx, u, rec_))


@route("GET", "/api/v1/candidates", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/candidates", query={"limit": "5"})


@route("GET", "/api/v1/candidates/export", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/candidates/export", query={"format": "csv", "status": "open"})


@route("POST", "/api/v1/candidates", "none")
def _(ctx, u, rec_):
    return Attempt("POST", "/api/v1/candidates", {"profile_id": _profile(ctx), "name": "矩阵 " + ctx.uniq()}, ok=201,
                   state=lambda: state(ctx))


@route("GET", "/api/v1/candidates/{id}", "none")
def _(ctx, u, rec_):
    if "CMP_cand" not in ctx.ids:
        ctx.ids["CMP_cand"] = _cand(ctx)
    return Attempt("GET", "/api/v1/candidates/%d" % ctx.ids["CMP_cand"])


@route("PATCH", "/api/v1/candidates/{id}", "none")
def _(ctx, u, rec_):
    if "CMP_cand" not in ctx.ids:
        ctx.ids["CMP_cand"] = _cand(ctx)
    return Attempt("PATCH", "/api/v1/candidates/%d" % ctx.ids["CMP_cand"], {"note": "matrix " + ctx.uniq()},
                   state=lambda: state(ctx))


@route("POST", "/api/v1/candidates/{id}/scores", "none")
def _(ctx, u, rec_):
    kid = _cand(ctx)
    return Attempt("POST", "/api/v1/candidates/%d/scores" % kid,
                   {"scores": [{"competency_id": _comp(ctx), "level": 4}]}, state=lambda: state(ctx))


@route("POST", "/api/v1/candidates/{id}/decision", "none")
def _(ctx, u, rec_):
    kid = _cand(ctx)
    return Attempt("POST", "/api/v1/candidates/%d/decision" % kid, {"decision": "rejected", "reason": "matrix"},
                   state=lambda: state(ctx))


def g_matrix(ctx):
    t_disputes.run_matrix(ctx, ("/api/v1/competencies", "/api/v1/role-profiles", "/api/v1/assessments",
                                "/api/v1/candidates", "/api/v1/users/{id}/competencies"), 26, "competencies.c")


GROUPS = [
    ("competency_model", g_model, True),
    ("role_profiles", g_profiles, True),
    ("assessments", g_assessments, True),
    ("candidates", g_candidates, True),
    ("competencies_matrix", g_matrix, True),
]
