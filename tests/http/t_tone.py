"""The tone line (issue 14 items 5 and 6, WEB14): GET|PATCH /api/v1/settings/tone
(api/needs/tone.c). The line negative_below_ppm (millionths of "positive", 0..500000, default
150000) decides which comment is negative: flagged in the responses and results, and made a
follow-up for the department. Read by everyone who reads settings, changed by who may update
config (admins and directors); a refused change changes nothing; a change is audited (who, before
and after); stored scores are relabelled at once (a mild wish: neutral under the default line,
negative under 0.5). Also the permission-matrix builders of both routes."""

from t_answers import full_answers, new_link, new_survey
from t_matrix import route, Attempt

PATH = "/api/v1/settings/tone"
NEG = "交货经常延迟，很失望，考虑换供应商"
# A mild wish (tone.h: about 0.26): neutral under the default line, negative under 0.5 -- the
# comment that shows the line matters (NEG is negative under both).
MILD = "价格偏高"


def tone_audit(ctx, like=""):
    from t_whomay import _sql
    return int(_sql(ctx.dsn, "SELECT COUNT(*) FROM audit WHERE entity = 'settings' AND changes LIKE "
                             "'%%tone.negative_below_ppm%%%s'" % like) or 0)


def last_tone_audit(ctx):
    """(user_id, action, entity_id, [before, after]) of the newest audit row of the line."""
    import json
    from t_whomay import _sql
    row = _sql(ctx.dsn, "SELECT user_id || '|' || action || '|' || entity_id || '|' || changes FROM audit "
                        "WHERE entity = 'settings' AND changes LIKE '%%tone.negative_below_ppm%%' "
                        "ORDER BY id DESC LIMIT 1")
    if not row:
        return None
    uid, action, eid, changes = row.split("|", 3)
    return (int(uid) if uid else None, action, int(eid), json.loads(changes).get("tone.negative_below_ppm"))


def comment_follow_ups(ctx, acc_id):
    items, _, err = ctx.admin.list_all("/api/v1/accounts/%d/follow-ups" % acc_id, {"source": "comment"})
    return len(items) if err is None else ("error", err.status)


def comment_tone_of(resp, qid):
    return [a.get("tone") for a in (resp or {}).get("answers", []) if a.get("question_id") == qid]


def comment_tone(r, qid):
    return comment_tone_of(r.json, qid)


def g_tone(ctx):
    ck = ctx.ck
    a = ctx.admin
    r = a.get(PATH)
    if not ck.expect(r, 200, "the tone line", json={"negative_below_ppm": 150000, "default_ppm": 150000,
                                                    "max_ppm": 500000, "model_id": str}):
        return
    mid = r.json["model_id"]
    ck.ok(mid == "" or (len(mid) == 8 and all(c in "0123456789abcdef" for c in mid)), "model_id: 8 hex digits", mid)
    for who in ("am_e", "lead_e", "viewer_e", "fin"):
        ck.expect(ctx.U(who).client.get(PATH), 200, "%s reads the line (who reads settings)" % who,
                  json={"negative_below_ppm": 150000})

    # validation: a 400 naming the field; refused changes change nothing
    before = (a.get(PATH).json, tone_audit(ctx))
    for b, field in (({"negative_below_ppm": -1}, "negative_below_ppm"),
                     ({"negative_below_ppm": 500001}, "negative_below_ppm"),
                     ({"negative_below_ppm": 1000000}, "negative_below_ppm"),
                     ({"negative_below_ppm": 0.15}, "negative_below_ppm"),
                     ({"negative_below_ppm": "150000"}, "negative_below_ppm"),
                     ({"negative_below_ppm": None}, "negative_below_ppm"),
                     ({}, "negative_below_ppm"),
                     ({"negative_below": 0.2}, "negative_below"),
                     ({"negative_below_ppm": 1000, "x": 1}, "x")):
        ck.expect(a.patch(PATH, b), 400, "bad line %r -> 400" % b, field=field)
    for who in ("am_e", "lead_e"):
        ck.expect(ctx.U(who).client.patch(PATH, {"negative_below_ppm": 200000}), 403,
                  "%s may not move the line" % who, code="forbidden")
    ck.same(before, (a.get(PATH).json, tone_audit(ctx)), "refused changes changed nothing")

    admin_id = (a.get("/api/v1/me").json or {}).get("id")
    # the line decides which comment is negative
    acc_id = ctx.new_account("am_e", members=[("service_e", "service")], code=ctx.uniq("TONE"),
                             name="语气 " + ctx.tag)
    sid, q = new_survey(ctx)
    am = ctx.U("am_e").client
    body = {"answers": full_answers(q, nps=9, csat=4)[:5] + [{"question_id": q[5], "text": NEG}]}
    try:
        r = a.patch(PATH, {"negative_below_ppm": 0})
        ck.expect(r, 200, "line 0: nothing is negative", json={"negative_below_ppm": 0})
        ck.ok(tone_audit(ctx) == before[1] + 1, "the change is audited: one row",
              "%s -> %s" % (before[1], tone_audit(ctx)))
        ck.same(last_tone_audit(ctx), (admin_id, "update", 1, [150000, 0]),
                "the audit row: the admin, settings 1 update, 150000 -> 0")
        lid, _ = new_link(ctx, sid, acc_id, channel="phone")
        r = am.post("/api/v1/survey-links/%d/response" % lid, body)
        ck.ok(r.status == 201 and comment_tone(r, q[5]) and comment_tone(r, q[5])[0] != "negative",
              "under line 0 the complaint is not negative", r.describe())
        rid = r.json["id"] if r.status == 201 else 0
        ck.ok(comment_follow_ups(ctx, acc_id) == 0, "... and makes no follow-up",
              repr(comment_follow_ups(ctx, acc_id)))

        ck.expect(a.patch(PATH, {"negative_below_ppm": 150000}), 200, "back to the default",
                  json={"negative_below_ppm": 150000})
        r = a.get("/api/v1/survey-responses/%d" % rid)
        ck.ok(r.status == 200 and comment_tone(r, q[5]) == ["negative"],
              "the stored comment is relabelled at once: negative", r.describe())
        lid2, _ = new_link(ctx, sid, acc_id, channel="phone")
        r = am.post("/api/v1/survey-links/%d/response" % lid2, body)
        ck.ok(r.status == 201 and comment_tone(r, q[5]) == ["negative"], "under the default line it is negative",
              r.describe())
        ck.ok(comment_follow_ups(ctx, acc_id) == 1, "... and becomes a follow-up",
              repr(comment_follow_ups(ctx, acc_id)))
        items, _, err = a.list_all("/api/v1/surveys/%d/responses" % sid)
        tones = sorted(t for x in (items or []) for t in comment_tone_of(x, q[5]))
        ck.ok(err is None and tones == ["negative", "negative"], "the responses' verbatims read negative",
              repr(tones))

        # a mild wish is neutral under the default line: no follow-up
        mild = {"answers": body["answers"][:5] + [{"question_id": q[5], "text": MILD}]}
        lid3, _ = new_link(ctx, sid, acc_id, channel="phone")
        r = am.post("/api/v1/survey-links/%d/response" % lid3, mild)
        ck.ok(r.status == 201 and comment_tone(r, q[5]) == ["neutral"],
              "under the default line the mild wish is neutral", r.describe())
        rid3 = r.json["id"] if r.status == 201 else 0
        ck.ok(comment_follow_ups(ctx, acc_id) == 1, "... and makes no follow-up",
              repr(comment_follow_ups(ctx, acc_id)))

        # the highest line: the same stored wish reads negative, a new one becomes a follow-up
        ck.expect(a.patch(PATH, {"negative_below_ppm": 500000}), 200, "the highest line",
                  json={"negative_below_ppm": 500000})
        ck.same(last_tone_audit(ctx), (admin_id, "update", 1, [150000, 500000]),
                "the audit row: 150000 -> 500000")
        r = a.get("/api/v1/survey-responses/%d" % rid3)
        ck.ok(r.status == 200 and comment_tone(r, q[5]) == ["negative"],
              "under 0.5 the stored mild wish is relabelled negative", r.describe())
        lid4, _ = new_link(ctx, sid, acc_id, channel="phone")
        r = am.post("/api/v1/survey-links/%d/response" % lid4, mild)
        ck.ok(r.status == 201 and comment_tone(r, q[5]) == ["negative"],
              "under 0.5 a new mild wish is negative", r.describe())
        ck.ok(comment_follow_ups(ctx, acc_id) == 2, "... and becomes a follow-up",
              repr(comment_follow_ups(ctx, acc_id)))
    finally:
        a.patch(PATH, {"negative_below_ppm": 150000})
    ck.expect(a.get(PATH), 200, "the default again", json={"negative_below_ppm": 150000})


GROUPS = [
    ("tone", g_tone, True),
]


# ---- permission matrix builders (t_matrix.py)

@route("GET", PATH, "none")
def _(ctx, u, rec_):
    return Attempt("GET", PATH)


@route("PATCH", PATH, "none")
def _(ctx, u, rec_):
    r = ctx.admin.get(PATH)
    cur = r.json.get("negative_below_ppm") if isinstance(r.json, dict) else None
    cur = cur if isinstance(cur, int) else 150000
    return Attempt("PATCH", PATH, {"negative_below_ppm": cur + 1000 if cur < 499000 else cur - 1000},
                   state=lambda: ctx.admin.get(PATH).json,
                   cleanup=lambda: ctx.admin.patch(PATH, {"negative_below_ppm": cur}))
