"""Survey answers (issue 14, F3.7): the public answer page reached by a link's token (no session,
token in the body, throttled by address and token, one response per link, every field
validated, nothing changed on any refusal), answers taken by phone and entered by staff, the
verbatims (scope-filtered, personal data: never for viewer or finance) and their erasure.

Surveys and links are written straight into the database here (sqlite3 / psql), so these tests
do not depend on the sending routes: a link's token is known only as its sha256 to kam."""

import glob
import hashlib
import json
import secrets
import subprocess
import time

import t_matrix
from lib import ANY, Client, Server, is_id, is_time
from t_matrix import route, Attempt, acc

# SCOPE_SURVEY_LINK / SCOPE_RESPONSE paths name a record under an account: own/other runs.
for _k in ("survey_link", "response"):
    if _k not in t_matrix.RECORD_KINDS:
        t_matrix.RECORD_KINDS = t_matrix.RECORD_KINDS + (_k,)


# ---- the database, outside kam

_PSQL = {}  # dsn -> a psql session kept open: one process per statement cost ~50 ms on PostgreSQL


def _psql_session(dsn):
    p = _PSQL.get(dsn)
    if p is None or p.poll() is not None:
        psql = sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"))
        p = subprocess.Popen([psql[-1] if psql else "psql", dsn, "-X", "-q", "-At", "-F", "\t", "-P", "null=\\N"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        # notices would read as rows (stderr is merged to keep one ordered stream)
        p.stdin.write(b"SET client_min_messages = warning;\n")
        _PSQL[dsn] = p
    return p


def sql(ctx, q):
    """Runs one statement on the suite's database; returns its rows (lists of text/ints). On
    PostgreSQL through one psql session per database, each statement ended by an \\echo of
    psql's ERROR variable (a failed statement raises with psql's message)."""
    if ctx.dsn.startswith("sqlite:"):
        import sqlite3
        con = sqlite3.connect(ctx.dsn[len("sqlite:"):], timeout=30)
        try:
            rows = [list(r) for r in con.execute(q).fetchall()]
            con.commit()
            return rows
        finally:
            con.close()
    p = _psql_session(ctx.dsn)
    p.stdin.write((q.rstrip().rstrip(";") + ";\n\\echo __KAM_SQL_END__ :ERROR\n").encode("utf-8"))
    p.stdin.flush()
    lines = []
    while True:
        raw = p.stdout.readline()
        if not raw:
            _PSQL.pop(ctx.dsn, None)
            raise RuntimeError("psql: the session ended: %s" % "\n".join(lines)[:300])
        line = raw.decode("utf-8").rstrip("\n")
        if line.startswith("__KAM_SQL_END__ "):
            if line.split()[1] != "false":
                raise RuntimeError("psql: %s" % "\n".join(lines)[:300])
            break
        lines.append(line)
    out = []
    for line in lines:
        if line == "":
            continue
        out.append([None if x == "\\N" else int(x) if x.lstrip("-").isdigit() else x
                    for x in line.split("\t")])
    return out


def lit(v):
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, int):
        return str(v)
    return "'" + str(v).replace("'", "''") + "'"


def new_survey(ctx, status="open", questions=None, titles=("满意度调查", "滿意度調查", "Satisfaction survey")):
    """A survey with questions [(kind, driver, (zh_cn, zh_tw, en), required, overall, [option labels])].
    Returns (survey id, [question ids])."""
    now = int(time.time())
    sid = sql(ctx, "INSERT INTO surveys (title_zh_cn, title_zh_tw, title_en, intro_zh_cn, intro_zh_tw, intro_en, "
                   "status, created_at, updated_at) VALUES (%s, %s, %s, '请花两分钟', '請花兩分鐘', 'Two minutes', %s, "
                   "%d, %d) RETURNING id" % (lit(titles[0]), lit(titles[1]), lit(titles[2]), lit(status), now,
                                             now))[0][0]
    if questions is None:
        questions = STD_QUESTIONS
    qids = []
    for pos, (kind, driver, texts, req, overall, options) in enumerate(questions, 1):
        qid = sql(ctx, "INSERT INTO survey_questions (survey_id, position, kind, driver, text_zh_cn, text_zh_tw, "
                       "text_en, required, overall, created_at) VALUES (%d, %d, %s, %s, %s, %s, %s, %d, %d, %d) "
                       "RETURNING id" % (sid, pos, lit(kind), lit(driver), lit(texts[0]), lit(texts[1]),
                                         lit(texts[2]), req, overall, now))[0][0]
        for opos, labels in enumerate(options or []):
            sql(ctx, "INSERT INTO survey_options (question_id, position, label_zh_cn, label_zh_tw, label_en) "
                     "VALUES (%d, %d, %s, %s, %s)" % (qid, opos, lit(labels[0]), lit(labels[1]), lit(labels[2])))
        qids.append(qid)
    return sid, qids


STD_QUESTIONS = [
    ("nps", None, ("您向同行推荐我们的可能性？", "您向同業推薦我們的可能性？", "How likely are you to recommend us?"), 1, 1,
     None),
    ("csat", None, ("总体满意度", "整體滿意度", "Overall satisfaction"), 1, 0, None),
    ("rating", "delivery", ("交付及时", "交貨準時", "On-time delivery"), 0, 0, None),
    ("single", None, ("合作多久了？", "合作多久了？", "How long have we worked together?"), 0, 0,
     [("一年内", "一年內", "< 1 year"), ("一到三年", "一到三年", "1-3 years"), ("三年以上", "三年以上", "> 3 years")]),
    ("multi", None, ("您用过哪些服务？", "您用過哪些服務？", "Which services have you used?"), 0, 0,
     [("安装", "安裝", "Installation"), ("培训", "培訓", "Training"), ("维修", "維修", "Repair"),
      ("咨询", "諮詢", "Consulting")]),
    ("text", None, ("还有什么建议？", "", "Anything else?"), 0, 0, None),
]


def new_link(ctx, sid, account_id, contact_id=None, lang="zh-CN", channel="copy", expires_in=30 * 86400):
    """A link with a fresh token: (link id, token)."""
    token = secrets.token_urlsafe(16)
    assert len(token) == 22
    h = hashlib.sha256(token.encode()).hexdigest()
    now = int(time.time())
    lid = sql(ctx, "INSERT INTO survey_links (survey_id, contact_id, account_id, token_hash, lang, channel, "
                   "expires_at, sent_at, created_at) VALUES (%d, %s, %d, %s, %s, %s, %d, %d, %d) RETURNING id"
                   % (sid, lit(contact_id), account_id, lit(h), lit(lang), lit(channel), now + expires_in, now,
                      now))[0][0]
    return lid, token


def full_answers(q, nps=9, csat=4):
    return [{"question_id": q[0], "value": nps}, {"question_id": q[1], "value": csat},
            {"question_id": q[2], "value": 2}, {"question_id": q[3], "value": 1},
            {"question_id": q[4], "values": [0, 2]}, {"question_id": q[5], "text": "交期再快一点就好了"}]


def db_state(ctx, sid):
    """What a refused answer must not change: the survey's responses, answers, links, follow-ups
    and audit rows."""
    return {
        "responses": sql(ctx, "SELECT id, link_id, account_id, contact_id, lang, entered_by FROM survey_responses "
                              "WHERE survey_id = %d ORDER BY id" % sid),
        "answers": sql(ctx, "SELECT a.response_id, a.question_id, a.value, a.text FROM survey_answers a JOIN "
                            "survey_responses r ON r.id = a.response_id WHERE r.survey_id = %d ORDER BY 1, 2" % sid),
        "links": sql(ctx, "SELECT id, answered_at FROM survey_links WHERE survey_id = %d ORDER BY id" % sid),
        "follow_ups": sql(ctx, "SELECT COUNT(*) FROM follow_ups"),
        "audit": sql(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'survey_response'"),
    }


def audit_rows(ctx, rid):
    """The audit rows of a response: [action, user_id, account_id, changes]."""
    return sql(ctx, "SELECT action, user_id, account_id, changes FROM audit WHERE entity = 'survey_response' AND "
                    "entity_id = %d ORDER BY id" % rid)


def anon(ctx):
    return ctx.client("public")


def key_of(r):
    e = r.err
    return e.get("key") if e else None


RESPONSE_SHAPE = {"id": is_id, "survey_id": is_id, "link_id": is_id, "account_id": is_id, "account_name": str,
                  "contact_id": ANY, "contact_name": ANY, "lang": str, "channel": str, "entered_by": ANY,
                  "submitted_at": is_time, "answers": list}


# ---- groups

def g_public(ctx):
    ck = ctx.ck
    pub = anon(ctx)
    acc_id = ctx.new_account("am_e", members=[("service_e", "service")], code=ctx.uniq("SA"),
                             name="问卷客户 " + ctx.tag)
    c1 = ctx.new_contact(acc_id, name="王答卷")
    sid, q = new_survey(ctx)
    lid, tok = new_link(ctx, sid, acc_id, c1, lang="zh-TW")

    # the page in the link's language; fallback for a missing zh-TW text; other languages on request
    r = pub.post("/api/v1/public/survey", {"token": tok})
    if not ck.expect(r, 200, "public survey page in the link's language (zh-TW)",
                     json={"lang": "zh-TW", "title": "滿意度調查", "intro": "請花兩分鐘",
                           "langs": ["zh-CN", "zh-TW", "en"], "expires_at": is_time}):
        return
    qs = r.json["questions"]
    ck.ok([x["id"] for x in qs] == q, "questions in position order", repr([x["id"] for x in qs]))
    ck.ok([x["kind"] for x in qs] == ["nps", "csat", "rating", "single", "multi", "text"], "question kinds")
    ck.ok(qs[5]["text"] == "还有什么建议？", "a missing zh-TW text falls back to zh-CN", qs[5]["text"])
    ck.ok([o["label"] for o in qs[3]["options"]] == ["一年內", "一到三年", "三年以上"] and
          [o["position"] for o in qs[4]["options"]] == [0, 1, 2, 3], "options with positions and labels",
          repr(qs[3]["options"]))
    ck.ok(qs[0]["required"] and not qs[2]["required"], "required flags")
    ck.ok("driver" not in qs[2] and "contact" not in json.dumps(r.json), "the page shows no driver or contact")
    r = pub.post("/api/v1/public/survey", {"token": tok, "lang": "en"})
    ck.expect(r, 200, "the page in English on request", json={"lang": "en", "title": "Satisfaction survey"})
    ck.ok(r.json and r.json["questions"][0]["text"] == "How likely are you to recommend us?", "English question")
    ck.expect(pub.post("/api/v1/public/survey", {"token": tok, "lang": "fr"}), 400, "lang fr -> 400", field="lang")
    ck.expect(pub.post("/api/v1/public/survey", {}), 400, "no token -> 400", field="token")
    ck.expect(pub.post("/api/v1/public/survey", {"token": 5}), 400, "token not a string -> 400", field="token")
    ck.expect(pub.post("/api/v1/public/survey", {"token": tok, "x": 1}), 400, "unknown field -> 400", field="x")
    ck.expect(pub.get("/api/v1/public/survey"), 405, "GET (token in the URL) is not a route")
    r = pub.post("/api/v1/public/survey", {"token": secrets.token_urlsafe(16)})
    ck.expect(r, 404, "unknown token -> 404 survey.link_unknown", field="token")
    ck.ok(key_of(r) == "survey.link_unknown", "key survey.link_unknown", repr(r.err))
    ck.expect(pub.post("/api/v1/public/survey", {"token": tok[:-1]}), 404, "a cut token -> 404")
    ck.expect(pub.post("/api/v1/public/survey", {"token": "x" * 5000}), 404, "a long junk token -> 404")
    r = pub.post("/api/v1/public/survey", {"token": tok}, headers={"Accept-Language": "zh-TW"})
    ck.ok(r.status == 200, "Accept-Language does not matter", str(r.status))

    # bad answers: 400 naming the field; nothing changes
    before = db_state(ctx, sid)
    other_sid, other_q = new_survey(ctx)
    A = full_answers(q)

    def with_(i, **repl):
        x = [dict(a) for a in A]
        x[i] = dict({"question_id": q[i]}, **repl)
        return x

    bad = [
        ({"token": tok}, "answers"),
        ({"token": tok, "answers": {}}, "answers"),
        ({"token": tok, "answers": []}, "answers"),
        ({"token": tok, "answers": [5]}, "answers[0]"),
        ({"token": tok, "answers": [{"value": 3}]}, "answers[0].question_id"),
        ({"token": tok, "answers": A + [{"question_id": other_q[0], "value": 5}]}, "answers"),
        ({"token": tok, "answers": [{"question_id": other_q[0], "value": 5}] + A[1:]}, "answers[0].question_id"),
        ({"token": tok, "answers": A[:2] + [dict(A[0])]}, "answers[2].question_id"),
        ({"token": tok, "answers": with_(0, value=11)}, "answers[0].value"),
        ({"token": tok, "answers": with_(0, value=-1)}, "answers[0].value"),
        ({"token": tok, "answers": with_(0, value=7.5)}, "answers[0].value"),
        ({"token": tok, "answers": with_(0, value="9")}, "answers[0].value"),
        ({"token": tok, "answers": with_(1, value=0)}, "answers[1].value"),
        ({"token": tok, "answers": with_(1, value=6)}, "answers[1].value"),
        ({"token": tok, "answers": with_(2, value=0)}, "answers[2].value"),
        ({"token": tok, "answers": with_(3, value=3)}, "answers[3].value"),
        ({"token": tok, "answers": with_(3, values=[1])}, "answers[3].values"),
        ({"token": tok, "answers": with_(4, values=[])}, "answers[4].values"),
        ({"token": tok, "answers": with_(4, values=[4])}, "answers[4].values"),
        ({"token": tok, "answers": with_(4, values=[1, 1])}, "answers[4].values"),
        ({"token": tok, "answers": with_(4, values=[-1])}, "answers[4].values"),
        ({"token": tok, "answers": with_(4, values=list(range(21)))}, "answers[4].values"),
        ({"token": tok, "answers": with_(4, value=1)}, "answers[4].value"),
        ({"token": tok, "answers": with_(5, text="好" * 2001)}, "answers[5].text"),
        ({"token": tok, "answers": with_(5, text="a\u0000b")}, "answers[5].text"),
        ({"token": tok, "answers": with_(5, text="ok\u202e")}, "answers[5].text"),
        ({"token": tok, "answers": with_(5, value=3)}, "answers[5].value"),
        ({"token": tok, "answers": with_(0, value=9, text="x")}, ("answers[0].text", "answers[0].value")),
        ({"token": tok, "answers": with_(0, value=9, bogus=1)}, "answers[0]"),
        ({"token": tok, "answers": A[1:]}, "answers"),  # the required NPS question left out
        ({"token": tok, "answers": [A[0], A[2]]}, "answers"),  # the required CSAT left out
        ({"token": tok, "answers": A, "lang": "de"}, "lang"),
    ]
    for body, field in bad:
        r = pub.post("/api/v1/public/survey/answer", body)
        ck.expect(r, 400, "bad answer %s -> 400 %s" % (json.dumps(body, ensure_ascii=False)[:90], field),
                  field=field)
    r = pub.post("/api/v1/public/survey/answer", {"token": tok, "answers": A[1:]})
    ck.ok(key_of(r) == "survey.answer_required", "a missing required answer says so", repr(r.err))
    big = {"token": tok, "answers": A[:5] + [{"question_id": q[5], "text": "好" * 1000}], "pad": "x" * 70000}
    r = pub.post("/api/v1/public/survey/answer", big)
    ck.expect(r, 413, "a body over 64 KB -> 413")
    ck.expect(pub.post("/api/v1/public/survey/answer", {"token": tok, "answers": A}, content_type="text/plain"), 415,
              "not JSON -> 415")
    ck.same(before, db_state(ctx, sid), "refused answers changed nothing")
    # those 35 requests used the token's 30 a window (refusals count): a new window for it
    sql(ctx, "DELETE FROM survey_hits WHERE key = %s" % lit("tok:" + _h(tok)))

    # the answer: 201 with thanks in the link's language, stored once, audited without the texts
    r = pub.post("/api/v1/public/survey/answer", {"token": tok, "answers": A})
    if not ck.expect(r, 201, "answer the survey -> 201", json={"thanks": "感謝您的寶貴意見！"}):
        return
    st = db_state(ctx, sid)
    ck.ok(len(st["responses"]) == 1 and st["responses"][0][1:] == [lid, acc_id, c1, "zh-TW", None],
          "one response stored for the link (no entered_by)", repr(st["responses"]))
    want = sorted([[q[0], 9, None], [q[1], 4, None], [q[2], 2, None], [q[3], 1, None], [q[4], 5, None],
                   [q[5], None, "交期再快一点就好了"]])
    ck.ok(sorted([a[1:] for a in st["answers"]]) == want, "answers stored (multi as the bit mask 0b101)",
          repr(st["answers"]))
    ck.ok(st["links"][0][1] is not None, "the link is answered", repr(st["links"]))
    rid = st["responses"][0][0]
    aud = audit_rows(ctx, rid)
    ck.ok(len(aud) == 1 and aud[0][:3] == ["create", None, acc_id]
          and "交期" not in json.dumps(aud, ensure_ascii=False) and tok not in json.dumps(aud)
          and '"link_id"' in aud[0][3],
          "the response is audited (no user, the account, no answer text, no token)", repr(aud)[:400])
    # the low rating (2 for delivery) became a follow-up for production (the driver's department)
    fu = sql(ctx, "SELECT dept_role, source, question_id FROM follow_ups WHERE response_id = %d" % rid)
    ck.ok([x for x in fu if x[2] == q[2] and x[0] == "production" and x[1] == "survey"],
          "a low rating becomes a follow-up for its driver's department", repr(fu))
    ck.ok(not [x for x in fu if x[2] in (q[0], q[1])], "NPS 9 and CSAT 4 are not low", repr(fu))

    # replay, a used token on the page, another survey's token, expired, closed
    lid2, tok2 = new_link(ctx, other_sid, acc_id)
    lid3, tok3 = new_link(ctx, sid, acc_id, expires_in=-10)
    csid, cq = new_survey(ctx, status="closed")
    _, tok4 = new_link(ctx, csid, acc_id)
    before = db_state(ctx, sid)
    r = pub.post("/api/v1/public/survey/answer", {"token": tok, "answers": A})
    ck.expect(r, 409, "a second answer by the same link -> 409", field="token")
    ck.ok(key_of(r) == "survey.link_used", "key survey.link_used", repr(r.err))
    r = pub.post("/api/v1/public/survey", {"token": tok})
    ck.expect(r, 409, "the page of an answered link -> 409")
    r = pub.post("/api/v1/public/survey/answer", {"token": tok2, "answers": A})
    ck.expect(r, 400, "another survey's token with this survey's questions -> 400",
              field=("answers", "answers[0].question_id"))
    r = pub.post("/api/v1/public/survey/answer", {"token": tok3, "answers": A})
    ck.expect(r, 410, "an expired link -> 410", field="token")
    ck.ok(key_of(r) == "survey.link_expired" and r.code == "gone", "key survey.link_expired, code gone", repr(r.err))
    ck.expect(pub.post("/api/v1/public/survey", {"token": tok3}), 410, "the page of an expired link -> 410")
    r = pub.post("/api/v1/public/survey/answer", {"token": tok4, "answers": full_answers(cq)})
    ck.expect(r, 410, "a closed survey -> 410")
    ck.ok(key_of(r) == "survey.closed", "key survey.closed", repr(r.err))
    ck.same(before, db_state(ctx, sid), "replays and refusals changed nothing")
    ck.ok(db_state(ctx, other_sid)["responses"] == [] and db_state(ctx, csid)["responses"] == [],
          "nothing stored for the other surveys")

    # optional questions may be left out; a blank text is no answer; English thanks
    _, tok5 = new_link(ctx, sid, acc_id, lang="en")
    r = pub.post("/api/v1/public/survey/answer", {"token": tok5, "answers": [
        {"question_id": q[1], "value": 1}, {"question_id": q[0], "value": 0},
        {"question_id": q[5], "text": " \u3000 "}]})
    ck.expect(r, 201, "only the required answers, a blank comment -> 201 (English thanks)",
              json={"thanks": "Thank you for your answers."})
    n = sql(ctx, "SELECT COUNT(*) FROM survey_answers a JOIN survey_responses r ON r.id = a.response_id "
                 "JOIN survey_links l ON l.id = r.link_id WHERE l.token_hash = '%s'"
            % hashlib.sha256(tok5.encode()).hexdigest())[0][0]
    ck.ok(n == 2, "two answers stored (the blank comment dropped)", str(n))
    _, tok6 = new_link(ctx, sid, acc_id, lang="zh-CN")
    r = pub.post("/api/v1/public/survey/answer", {"token": tok6, "lang": "zh-TW", "answers": A})
    ck.expect(r, 201, "answered in zh-TW though the link is zh-CN", json={"thanks": "感謝您的寶貴意見！"})


def g_race(ctx):
    """Two answers by one link at once: exactly one wins, the other gets 409."""
    import threading
    ck = ctx.ck
    acc_id = ctx.new_account("am_e", code=ctx.uniq("SR"), name="并发问卷 " + ctx.tag)
    sid, q = new_survey(ctx)
    for round_ in range(3):
        _, tok = new_link(ctx, sid, acc_id)
        statuses = []
        barrier = threading.Barrier(4)

        def work():
            c = anon(ctx)
            barrier.wait()
            statuses.append(c.post("/api/v1/public/survey/answer", {"token": tok, "answers": full_answers(q)}).status)

        ts = [threading.Thread(target=work) for _ in range(4)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        ck.ok(sorted(statuses) == [201, 409, 409, 409], "round %d: one of four parallel answers wins" % round_,
              repr(statuses))
    n = sql(ctx, "SELECT COUNT(*) FROM survey_responses WHERE survey_id = %d" % sid)[0][0]
    ck.ok(n == 3, "three responses for three links", str(n))


def _h(token):
    return hashlib.sha256(token.encode()).hexdigest()


def g_tokens(ctx):
    """Which tokens open a link: its current one, the one a reminder replaced (prev_token_hash)
    while the link is unanswered; never one replaced by a reissue, also when the reissue races
    the answer."""
    import threading
    ck = ctx.ck
    pub = anon(ctx)
    acc_id = ctx.new_account("am_e", code=ctx.uniq("SK"), name="令牌问卷 " + ctx.tag)
    sid, q = new_survey(ctx)

    # a reminder: both the first mail's link and the reminder's work until one is answered
    lid, old = new_link(ctx, sid, acc_id)
    new = secrets.token_urlsafe(16)
    sql(ctx, "UPDATE survey_links SET prev_token_hash = token_hash, token_hash = %s WHERE id = %d"
        % (lit(_h(new)), lid))
    ck.expect(pub.post("/api/v1/public/survey", {"token": old}), 200, "the first mail's link still opens")
    ck.expect(pub.post("/api/v1/public/survey", {"token": new}), 200, "the reminder's link opens")
    ck.expect(pub.post("/api/v1/public/survey/answer", {"token": old, "answers": full_answers(q)}), 201,
              "answered by the first mail's link")
    r = pub.post("/api/v1/public/survey", {"token": new})
    ck.expect(r, 409, "the reminder's link now says answered")
    ck.ok(key_of(r) == "survey.link_used", "key survey.link_used", repr(r.err))
    ck.expect(pub.post("/api/v1/public/survey", {"token": old}), 404,
              "the replaced token opens nothing once the link is answered")

    # a reissue: the old token dies
    lid2, old2 = new_link(ctx, sid, acc_id)
    new2 = secrets.token_urlsafe(16)
    sql(ctx, "UPDATE survey_links SET token_hash = %s, prev_token_hash = NULL WHERE id = %d" % (lit(_h(new2)), lid2))
    before = db_state(ctx, sid)
    r = pub.post("/api/v1/public/survey/answer", {"token": old2, "answers": full_answers(q)})
    ck.expect(r, 404, "an answer with a reissued link's old token -> 404", field="token")
    ck.same(before, db_state(ctx, sid), "and stores nothing")

    if ctx.dsn.startswith("sqlite:"):
        return  # one writer at a time (BEGIN IMMEDIATE): the race below cannot happen
    # PostgreSQL: a reissue (or expiry) committed while the answer is between reading the link and
    # claiming it -> the guarded UPDATE claims nothing: 404 (410 for an expiry), nothing stored
    psql = sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"))
    for what, change, want in (("reissue", "token_hash = %s" % lit(_h(secrets.token_urlsafe(16))), 404),
                               ("expiry", "expires_at = %d" % (int(time.time()) - 5), 410)):
        lid3, tok3 = new_link(ctx, sid, acc_id)
        before = db_state(ctx, sid)
        p = subprocess.Popen([psql[-1] if psql else "psql", ctx.dsn, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        got = []
        try:
            p.stdin.write("BEGIN;\nUPDATE survey_links SET %s WHERE id = %d;\nSELECT pg_backend_pid();\n"
                          % (change, lid3))
            p.stdin.flush()
            held = p.stdout.readline().strip()
            ck.ok(held.isdigit(), "psql holds the link's row (%s)" % what, held)
            t = threading.Thread(target=lambda: got.append(
                anon(ctx).post("/api/v1/public/survey/answer", {"token": tok3, "answers": full_answers(q)})))
            t.start()
            for _ in range(800):  # until the answer's UPDATE waits on psql's row lock
                if not t.is_alive() or sql(ctx, "SELECT COUNT(*) FROM pg_locks WHERE NOT granted AND "
                                                "%s = ANY(pg_blocking_pids(pid))" % held)[0][0]:
                    break
                time.sleep(0.025)
            p.stdin.write("COMMIT;\n")
            p.stdin.close()
            p.wait(timeout=30)
            t.join(timeout=60)
        finally:
            if p.poll() is None:
                p.kill()
        r = got[0] if got else None
        ck.ok(r is not None and r.status == want, "an answer racing a %s -> %d" % (what, want),
              r.describe() if r is not None else "no answer")
        ck.same(before, db_state(ctx, sid), "the raced answer stores nothing (%s)" % what)


class _Other(Client):
    """An anonymous client of another server."""

    def __init__(self, ctx, srv):
        super().__init__(ctx, "public@" + srv.name)
        self._srv = srv

    @property
    def port(self):
        return self._srv.port


def g_throttle(ctx):
    ck = ctx.ck
    acc_id = ctx.new_account("am_e", code=ctx.uniq("ST"), name="限流问卷 " + ctx.tag)
    sid, q = new_survey(ctx)
    _, tok = new_link(ctx, sid, acc_id)
    pub = anon(ctx)
    # per token: 30 requests a window, refused ones counted too
    bogus = secrets.token_urlsafe(16)
    sts = [pub.post("/api/v1/public/survey", {"token": bogus}).status for _ in range(30)]
    ck.ok(sts == [404] * 30, "30 requests with an unknown token: 404 each", repr(sorted(set(sts))))
    r = pub.post("/api/v1/public/survey", {"token": bogus})
    ck.expect(r, 429, "the 31st request with that token -> 429", field="token")
    ra = r.header("Retry-After")
    ck.ok(ra is not None and ra.isdigit() and 1 <= int(ra) <= 600, "429 says Retry-After (1..600 s)", repr(ra))
    ck.ok(key_of(r) == "survey.throttled", "key survey.throttled", repr(r.err))
    ck.expect(pub.post("/api/v1/public/survey", {"token": tok}), 200, "another token is not throttled")
    # a bad lang is refused after the throttle counted it: 40 of them do not stay 400s
    bogus2 = secrets.token_urlsafe(16)
    sts = [pub.post("/api/v1/public/survey", {"token": bogus2, "lang": "fr"}).status for _ in range(40)]
    ck.ok(sts == [400] * 30 + [429] * 10, "40 x lang fr with one token: 30 x 400, then 429",
          repr(sts))
    # a good token hammered: throttled before the answer is stored
    sts = [pub.post("/api/v1/public/survey", {"token": tok}).status for _ in range(29)]
    before = db_state(ctx, sid)
    r = pub.post("/api/v1/public/survey/answer", {"token": tok, "answers": full_answers(q)})
    ck.expect(r, 429, "an answer past the token's limit -> 429 (%s before)" % sorted(set(sts)))
    ck.same(before, db_state(ctx, sid), "a throttled answer stores nothing")
    rows = sql(ctx, "SELECT key, count FROM survey_hits WHERE key LIKE 'tok:%%'")
    ck.ok(all(len(k) == 4 + 64 and tok not in k for k, _ in rows), "hits keep the token's hash, never the token",
          repr(rows[:2]))

    # per address (behind a trusted proxy): 300 requests a window over any tokens
    srv = Server(ctx.kam, ctx.dsn, ctx.tmp, name="kam-survey-throttle", args=["--trusted-proxies", "127.0.0.1"])
    if not ck.ok(srv.start(), "a server behind a trusted proxy starts", srv.start_error or ""):
        return
    try:
        c = _Other(ctx, srv)
        addr = "198.51.100.%d" % (secrets.randbelow(200) + 20)
        hdr = {"X-Forwarded-For": addr}
        sts = [c.post("/api/v1/public/survey", {"token": secrets.token_urlsafe(16)}, headers=hdr).status
               for _ in range(300)]
        ck.ok(sts == [404] * 300, "300 guesses from one address: 404 each", repr(sorted(set(sts))))
        _, tok7 = new_link(ctx, sid, acc_id)
        r = c.post("/api/v1/public/survey", {"token": tok7}, headers=hdr)
        ck.expect(r, 429, "the 301st request from that address -> 429, even with a good token")
        ck.ok(r.header("Retry-After") is not None, "with Retry-After")
        r = c.post("/api/v1/public/survey", {"token": tok7}, headers={"X-Forwarded-For": "203.0.113.9"})
        ck.expect(r, 200, "another address is not throttled")

        # refusals count on the address: a bad lang, a body that does not decode, no token
        hdr = {"X-Forwarded-For": "198.51.100.%d" % (secrets.randbelow(200) + 20)}
        while hdr["X-Forwarded-For"] == addr:
            hdr = {"X-Forwarded-For": "198.51.100.%d" % (secrets.randbelow(200) + 20)}
        sts = [c.post("/api/v1/public/survey", {"token": secrets.token_urlsafe(16), "lang": "fr"},
                      headers=hdr).status for _ in range(100)]
        sts += [c.request("POST", "/api/v1/public/survey/answer", raw=b'{"token": ', headers=hdr).status
                for _ in range(100)]
        sts += [c.post("/api/v1/public/survey", {}, headers=hdr).status for _ in range(100)]
        ck.ok(sts == [400] * 300, "300 refusals (lang fr, broken JSON, no token): 400 each", repr(sorted(set(sts))))
        r = c.post("/api/v1/public/survey", {"token": tok7}, headers=hdr)
        ck.expect(r, 429, "refused requests count: the 301st from that address -> 429, even with a good token")
        r = c.request("POST", "/api/v1/public/survey/answer", raw=b'{"token": ', headers=hdr)
        ck.expect(r, 429, "a body that does not decode, from an address over its limit -> 429")
        ck.ok(r.header("Retry-After") is not None, "with Retry-After")

        # IPv6: one /64 is one address (the login throttle's grouping); a storm over the limit
        # inserts nothing
        net = "2001:db8:%x:%x" % (secrets.randbelow(0xffff) + 1, secrets.randbelow(0xffff) + 1)
        h1 = {"X-Forwarded-For": net + "::1"}
        sts = [c.post("/api/v1/public/survey", {"token": secrets.token_urlsafe(16)}, headers=h1).status
               for _ in range(300)]
        ck.ok(sts == [404] * 300, "300 guesses from %s::1: 404 each" % net, repr(sorted(set(sts))))
        r = c.post("/api/v1/public/survey", {"token": tok7}, headers={"X-Forwarded-For": net + ":ab:cd:ef:12"})
        ck.expect(r, 429, "a neighbour in the same /64 shares the limit -> 429")
        other64 = "2001:db8:%x:%x::1" % (secrets.randbelow(0xffff) + 1, secrets.randbelow(0xffff) + 1)
        if not other64.startswith(net + "::"):
            ck.expect(c.post("/api/v1/public/survey", {"token": tok7}, headers={"X-Forwarded-For": other64}), 200,
                      "another /64 is not throttled")
        storm = [secrets.token_urlsafe(16) for _ in range(200)]
        sts = [c.post("/api/v1/public/survey", {"token": t}, headers=h1).status for t in storm]
        ck.ok(sts == [429] * 200, "a storm of 200 more: 429 each", repr(sorted(set(sts))))
        keys = ",".join(lit("tok:" + hashlib.sha256(t.encode()).hexdigest()) for t in storm)
        n = sql(ctx, "SELECT COUNT(*) FROM survey_hits WHERE key IN (%s)" % keys)[0][0]
        ck.ok(n == 0, "requests over the limit insert no token rows (survey_hits stays bounded)", str(n))
        row = sql(ctx, "SELECT key, count FROM survey_hits WHERE key LIKE %s" % lit("addr:%" + net + "%"))
        ck.ok(len(row) == 1 and row[0][1] == 300 and row[0][0].endswith("/64"),
              "one row for the /64, its count stopped at the limit", repr(row))
    finally:
        srv.stop()


def g_staff(ctx):
    ck = ctx.ck
    am, svc, viewer, fin = ctx.U("am_e"), ctx.U("service_e"), ctx.U("viewer_e"), ctx.U("fin")
    acc_id = ctx.new_account("am_e", members=[("service_e", "service"), ("viewer_e", "marketing")],
                             code=ctx.uniq("SS"), name="电话问卷 " + ctx.tag)
    other = ctx.new_account("am_w", code=ctx.uniq("SS"), name="别家问卷 " + ctx.tag)
    c1 = ctx.new_contact(acc_id, name="李电话")
    sid, q = new_survey(ctx)
    lid, _ = new_link(ctx, sid, acc_id, c1, channel="phone", lang="zh-CN")
    lid_other, _ = new_link(ctx, sid, other, channel="phone")

    before = db_state(ctx, sid)
    for body, field in [({}, "answers"), ({"answers": full_answers(q)[1:]}, "answers"),
                        ({"answers": full_answers(q), "lang": "xx"}, "lang"),
                        ({"answers": full_answers(q), "token": "x"}, "token")]:
        ck.expect(am.client.post("/api/v1/survey-links/%d/response" % lid, body), 400,
                  "staff entry %s -> 400 %s" % (list(body), field), field=field)
    ck.expect(am.client.post("/api/v1/survey-links/%d/response" % lid_other, {"answers": full_answers(q)}), 404,
              "a link of an account out of scope -> 404")
    ck.expect(viewer.client.post("/api/v1/survey-links/%d/response" % lid, {"answers": full_answers(q)}), 403,
              "a viewer may not enter answers")
    ck.expect(am.client.post("/api/v1/survey-links/99999999/response", {"answers": full_answers(q)}), 404,
              "no such link -> 404")
    ck.same(before, db_state(ctx, sid), "refused entries changed nothing")

    r = am.client.post("/api/v1/survey-links/%d/response" % lid, {"answers": full_answers(q, nps=3, csat=1)})
    if not ck.expect(r, 201, "the account manager enters answers taken by phone",
                     json=dict(RESPONSE_SHAPE, link_id=lid, account_id=acc_id, contact_id=c1, contact_name="李电话",
                               entered_by=am.id, lang="zh-CN", channel="phone")):
        return
    rid = r.json["id"]
    ans = {a["question_id"]: a for a in r.json["answers"]}
    ck.ok(ans[q[5]]["tone"] in ("negative", "neutral", "positive") and ans[q[0]]["tone"] is None,
          "a comment has its tone, a score none", repr(ans[q[5]]))
    ck.ok(ans[q[4]]["values"] == [0, 2] and ans[q[4]]["value"] is None and ans[q[0]]["value"] == 3 and
          ans[q[5]]["text"] == "交期再快一点就好了" and ans[q[0]]["values"] is None,
          "answers read back: multi as positions, text, scores", repr(r.json["answers"]))
    fu = sql(ctx, "SELECT dept_role, question_id FROM follow_ups WHERE response_id = %d ORDER BY question_id" % rid)
    ck.ok({q[0], q[1], q[2]} <= {x[1] for x in fu} <= {q[0], q[1], q[2], q[5]} and
          all(x[0] == "sales" for x in fu if x[1] in (q[0], q[1])),
          "NPS 3, CSAT 1 and delivery 2 became follow-ups (NPS and CSAT for sales)", repr(fu))
    ck.expect(am.client.post("/api/v1/survey-links/%d/response" % lid, {"answers": full_answers(q)}), 409,
              "a second entry for the link -> 409")
    # closed surveys take no entries
    csid, cq = new_survey(ctx, status="closed")
    clid, _ = new_link(ctx, csid, acc_id, channel="phone")
    r = am.client.post("/api/v1/survey-links/%d/response" % clid, {"answers": full_answers(cq)})
    ck.expect(r, 409, "entry for a closed survey -> 409")
    ck.ok(key_of(r) == "survey.closed", "key survey.closed", repr(r.err))
    # an expired phone link still takes the answers staff took
    elid, _ = new_link(ctx, sid, acc_id, channel="phone", expires_in=-5)
    ck.expect(am.client.post("/api/v1/survey-links/%d/response" % elid, {"answers": full_answers(q)}), 201,
              "an expired phone link takes staff's entry")

    # the tone of comments (svc/core/tone.h): a clear complaint is negative, a non-answer neutral
    for text, want in (("交货经常延迟，很失望", "negative"), ("无", "neutral")):
        tl, _ = new_link(ctx, sid, acc_id, channel="phone")
        body = {"answers": full_answers(q)[:5] + [{"question_id": q[5], "text": text}]}
        r = am.client.post("/api/v1/survey-links/%d/response" % tl, body)
        got = [a.get("tone") for a in (r.json or {}).get("answers", []) if a.get("question_id") == q[5]]
        ck.ok(r.status == 201 and got == [want], "comment %r reads as %s" % (text, want), r.describe())
        rid_t = r.json["id"] if r.status == 201 else None
        if rid_t:
            ck.expect(ctx.admin.delete("/api/v1/survey-responses/%d" % rid_t), 204, "erase the tone probe")

    # reading: who sees the verbatims
    ck.expect(svc.client.get("/api/v1/survey-responses/%d" % rid), 200, "service (account team) reads a response",
              json={"id": rid})
    ck.expect(viewer.client.get("/api/v1/survey-responses/%d" % rid), 403, "a viewer may not read a response")
    ck.expect(fin.client.get("/api/v1/survey-responses/%d" % rid), (403, 404), "finance may not read a response")
    ck.expect(ctx.U("am_w").client.get("/api/v1/survey-responses/%d" % rid), 404,
              "another account manager: no such response")
    lid_o2, tok_o2 = new_link(ctx, sid, other)
    ck.expect(anon(ctx).post("/api/v1/public/survey/answer", {"token": tok_o2, "answers": full_answers(q)}), 201,
              "a response on the other account")
    items, _, err = am.client.list_all("/api/v1/surveys/%d/responses" % sid)
    ck.ok(err is None and items and all(i["account_id"] == acc_id for i in items) and len(items) == 2,
          "the list holds only responses of accounts in scope", repr([(i["id"], i["account_id"]) for i in items]))
    items, _, err = ctx.admin.list_all("/api/v1/surveys/%d/responses" % sid)
    ck.ok(err is None and len(items) == 3 and {i["account_id"] for i in items} == {acc_id, other},
          "admin sees all three", repr([(i["id"], i["account_id"]) for i in items]))
    ck.ok(err is None and [i["submitted_at"] for i in items] == sorted([i["submitted_at"] for i in items],
                                                                         reverse=True), "latest first")
    items1, pages, err = ctx.admin.list_all("/api/v1/surveys/%d/responses" % sid, limit=1)
    ck.ok(err is None and len(pages) == 3 and [i["id"] for i in items1] == [i["id"] for i in items],
          "keyset paging, one a page", repr([i["id"] for i in items1]))
    # more responses than one answers query takes (25): each still has its answers
    bsid, bq = new_survey(ctx)
    for i in range(27):
        _, t = new_link(ctx, bsid, acc_id)
        ctx.must(anon(ctx).post("/api/v1/public/survey/answer", {"token": t, "answers": full_answers(bq, nps=i % 11)}),
                 201, "bulk response %d" % i)
    r = ctx.admin.get("/api/v1/surveys/%d/responses" % bsid, {"limit": "500"})
    ck.ok(r.status == 200 and len(r.items) == 27 and all(len(i["answers"]) == 6 for i in r.items) and
          sorted(i["answers"][0]["value"] for i in r.items) == sorted(i % 11 for i in range(27)),
          "27 responses on one page, each with its own six answers", r.describe())
    r = ctx.admin.get("/api/v1/surveys/%d/responses" % sid, {"account_id": str(other)})
    ck.ok(r.status == 200 and [i["account_id"] for i in r.items] == [other], "account_id filter", r.describe())
    ck.expect(viewer.client.get("/api/v1/surveys/%d/responses" % sid), 403, "a viewer may not list verbatims")
    ck.expect(ctx.admin.get("/api/v1/surveys/99999999/responses"), 404, "no such survey -> 404")
    ck.expect(ctx.admin.get("/api/v1/surveys/%d/responses" % sid, {"limit": "0"}), 400, "limit 0 -> 400",
              field="limit")
    ck.expect(ctx.admin.get("/api/v1/surveys/%d/responses" % sid, {"cursor": "junk"}), 400, "a bad cursor -> 400",
              field="cursor")

    # erasure: admin only; follow-ups stay without the link; the link stays answered
    ck.expect(am.client.delete("/api/v1/survey-responses/%d" % rid), 403, "an account manager may not erase")
    fu_ids = [x[0] for x in sql(ctx, "SELECT id FROM follow_ups WHERE response_id = %d" % rid)]
    r = ctx.admin.delete("/api/v1/survey-responses/%d" % rid)
    ck.expect(r, 204, "admin erases a response")
    ck.expect(ctx.admin.get("/api/v1/survey-responses/%d" % rid), 404, "the erased response is gone")
    ck.ok(sql(ctx, "SELECT COUNT(*) FROM survey_answers WHERE response_id = %d" % rid)[0][0] == 0,
          "its answers are gone")
    left = sql(ctx, "SELECT COUNT(*), COUNT(response_id) FROM follow_ups WHERE id IN (%s)"
               % ",".join(str(i) for i in fu_ids))[0] if fu_ids else [0, 0]
    ck.ok(left[0] == len(fu_ids) >= 3 and left[1] == 0, "its follow-ups stay, unlinked", repr(left))
    aud = audit_rows(ctx, rid)
    ck.ok([a[:2] for a in aud] == [["create", am.id], ["delete", ctx.U("admin").id]],
          "create (by the one who entered it) and erasure (by admin) audited", repr(aud)[:300])
    ck.ok("交期" not in json.dumps(aud, ensure_ascii=False), "no answer text in the audit log")
    ck.expect(am.client.post("/api/v1/survey-links/%d/response" % lid, {"answers": full_answers(q)}), 409,
              "the erased response's link stays answered")

    # erasure removes what the person said everywhere KAM copied it: follow-ups (title, detail),
    # their audit rows, the lists
    said, who = "交货经常延迟，很失望", "李电话"
    esid, eq = new_survey(ctx)
    elid2, _ = new_link(ctx, esid, acc_id, c1, channel="phone")
    body = {"answers": full_answers(eq, nps=2, csat=1)[:5] + [{"question_id": eq[5], "text": said}]}
    r = am.client.post("/api/v1/survey-links/%d/response" % elid2, body)
    if not ck.expect(r, 201, "a response to erase (low scores, a complaint)"):
        return
    rid2 = r.json["id"]
    fu2 = [x[0] for x in sql(ctx, "SELECT id FROM follow_ups WHERE response_id = %d" % rid2)]
    # (stored with a neutral word, the name composed in as they are read: t_fix14.py)
    copied = json.dumps([ctx.admin.get("/api/v1/follow-ups/%d" % f).json for f in fu2], ensure_ascii=False)
    ck.ok(fu2 and who in copied, "before erasure its follow-ups name the respondent (as read)", copied[:300])
    ck.expect(ctx.admin.delete("/api/v1/survey-responses/%d" % rid2), 204, "admin erases it")
    ids = ",".join(str(i) for i in fu2) or "0"
    left = json.dumps(sql(ctx, "SELECT title, detail, response_id FROM follow_ups WHERE id IN (%s)" % ids),
                      ensure_ascii=False)
    ck.ok(who not in left and said not in left and "2 分" not in left,
          "its follow-ups keep no name, comment or score", left[:300])
    aud = json.dumps(sql(ctx, "SELECT entity, changes FROM audit WHERE (entity = 'follow_up' AND entity_id IN (%s))"
                              " OR (entity = 'survey_response' AND entity_id = %d)" % (ids, rid2)),
                     ensure_ascii=False)
    ck.ok(who not in aud and said not in aud, "no audit row of them carries the name or the comment", aud[:300])
    items, _, err = ctx.admin.list_all("/api/v1/follow-ups", {"account_id": str(acc_id)}, limit=100)
    mine = json.dumps([i for i in items or [] if i.get("id") in fu2], ensure_ascii=False)
    ck.ok(err is None and len(fu2) and who not in mine and said not in mine,
          "the follow-ups list shows neither", mine[:300])
    items, _, err = ctx.admin.list_all("/api/v1/audit", {"entity": "account", "id": str(acc_id)}, limit=100)
    hist = json.dumps(items or [], ensure_ascii=False)
    fu_hist = json.dumps([i for i in items or [] if i.get("entity") in ("follow_up", "survey_response")],
                         ensure_ascii=False)
    ck.ok(err is None and said not in hist and who not in fu_hist,
          "the account's history keeps neither (only the contact's own record names the contact)", fu_hist[:300])


GROUPS = [
    ("answers-public", g_public, True),
    ("answers-race", g_race, True),
    ("answers-throttle", g_throttle, True),
    ("answers-tokens", g_tokens, True),
    ("answers-staff", g_staff, True),
]


# ---- permission matrix builders (t_matrix.py): every route of api/needs/survey_answers.c

def _mx_survey(ctx):
    s = getattr(ctx, "answers_mx_survey", None)
    if s is None:
        s = new_survey(ctx)
        ctx.answers_mx_survey = s
    return s


def _mx_response(ctx, rec):
    sid, q = _mx_survey(ctx)
    _, tok = new_link(ctx, sid, acc(ctx, rec))
    r = anon(ctx).post("/api/v1/public/survey/answer", {"token": tok, "answers": full_answers(q)})
    ctx.must(r, 201, "a response for the matrix")
    return sql(ctx, "SELECT MAX(id) FROM survey_responses WHERE survey_id = %d" % sid)[0][0]


def _resp_state(ctx, sid):
    return lambda: db_state(ctx, sid)


@route("POST", "/api/v1/public/survey", "none")
def _(ctx, u, rec_):
    sid, q = _mx_survey(ctx)
    _, tok = new_link(ctx, sid, ctx.ids["A_own"])
    return Attempt("POST", "/api/v1/public/survey", {"token": tok})


@route("POST", "/api/v1/public/survey/answer", "none")
def _(ctx, u, rec_):
    sid, q = _mx_survey(ctx)
    _, tok = new_link(ctx, sid, ctx.ids["A_own"])
    return Attempt("POST", "/api/v1/public/survey/answer", {"token": tok, "answers": full_answers(q)}, ok=201)


@route("POST", "/api/v1/survey-links/{id}/response", "survey_link")
def _(ctx, u, rec_):
    sid, q = _mx_survey(ctx)
    lid, _ = new_link(ctx, sid, acc(ctx, rec_), channel="phone")
    return Attempt("POST", "/api/v1/survey-links/%d/response" % lid, {"answers": full_answers(q)}, ok=201,
                   state=_resp_state(ctx, sid))


@route("GET", "/api/v1/surveys/{id}/responses", "none")
def _(ctx, u, rec_):
    sid, _ = _mx_survey(ctx)
    return Attempt("GET", "/api/v1/surveys/%d/responses" % sid)


@route("GET", "/api/v1/survey-responses/{id}", "response")
def _(ctx, u, rec_):
    rid = _mx_response(ctx, rec_)
    return Attempt("GET", "/api/v1/survey-responses/%d" % rid)


@route("DELETE", "/api/v1/survey-responses/{id}", "response")
def _(ctx, u, rec_):
    rid = _mx_response(ctx, rec_)
    sid, _ = _mx_survey(ctx)
    return Attempt("DELETE", "/api/v1/survey-responses/%d" % rid, ok=204, state=_resp_state(ctx, sid))
