"""Survey results and satisfaction (issue 14 items 3-4): a survey's results (NPS, CSAT,
distributions, driver means), its key-driver analysis (checked against the plain-Python brute
force of tests/kda/check_kda.py), satisfaction trends by group and period, an account's
satisfaction beside its loyalty; scope and the minimum-n rule (svc/needs/satisfaction.h);
bad filters. The survey data are written straight into the database (the routes under test only
read), so this module does not depend on the sending and answering routes."""

import calendar
import glob
import math
import os
import random
import subprocess
import sys
import time

from t_matrix import route, Attempt, acc
from t_sales import db_rows, sales_world, new_line

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "kda"))
from check_kda import lmg_bruteforce  # noqa: E402

MIN_N = 3
TZ = 8 * 3600


def db_script(ctx, stmts):
    """Runs writing statements in one transaction on the suite's database, outside kam."""
    if ctx.dsn.startswith("sqlite:"):
        import sqlite3
        con = sqlite3.connect(ctx.dsn[len("sqlite:"):], timeout=30)
        try:
            con.execute("PRAGMA foreign_keys = ON")
            for s in stmts:
                con.execute(s)
            con.commit()
        finally:
            con.close()
        return
    psql = sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"))
    sql = "BEGIN;\n" + ";\n".join(stmts) + ";\nCOMMIT;\n"
    p = subprocess.run([psql[-1] if psql else "psql", ctx.dsn, "-X", "-q", "-v", "ON_ERROR_STOP=1"],
                       input=sql.encode("utf-8"), capture_output=True, timeout=120)
    if p.returncode != 0:
        raise RuntimeError("psql: %s" % p.stderr.decode("utf-8", "replace")[:300])


def q(s):
    return "'" + s.replace("'", "''") + "'"


def ts(date):
    """Unix time of noon, China time, on YYYY-MM-DD."""
    return calendar.timegm(time.strptime(date, "%Y-%m-%d")) + 12 * 3600 - TZ


# Survey A: nps (overall) + csat + three ratings + single + multi + text.
QUESTIONS = [
    (1, "nps", None, 1), (2, "csat", None, 0), (3, "rating", "product_quality", 0), (4, "rating", "delivery", 0),
    (5, "rating", "price", 0), (6, "single", None, 0), (7, "multi", None, 0), (8, "text", None, 0),
]
WEIGHTS = {3: 1.6, 4: 0.7, 5: 0.15}


class World:
    pass


def survey_sql(tag, title, questions, options):
    now = int(time.time())
    st = ["INSERT INTO surveys (title_zh_cn, title_zh_tw, title_en, status, created_at, updated_at) VALUES "
          "(%s, %s, %s, 'open', %d, %d)" % (q("满意度 " + title), q("滿意度 " + title), q(title), now, now)]
    sid = "(SELECT id FROM surveys WHERE title_en = %s)" % q(title)
    for pos, kind, driver, overall in questions:
        st.append("INSERT INTO survey_questions (survey_id, position, kind, driver, text_zh_cn, text_zh_tw, text_en, "
                  "required, overall, created_at) VALUES (%s, %d, %s, %s, %s, %s, %s, 0, %d, %d)"
                  % (sid, pos, q(kind), q(driver) if driver else "NULL", q("问题%d" % pos), q("問題%d" % pos),
                     q("Question %d" % pos), overall, now))
    for pos, labels in options.items():
        qid = "(SELECT id FROM survey_questions WHERE survey_id = %s AND position = %d)" % (sid, pos)
        for i, lab in enumerate(labels):
            st.append("INSERT INTO survey_options (question_id, position, label_zh_cn, label_zh_tw, label_en) "
                      "VALUES (%s, %d, %s, %s, %s)" % (qid, i, q(lab), q(lab), q(lab)))
    return st, sid


def response_sql(sid, token, account, when, answers):
    st = ["INSERT INTO survey_links (survey_id, account_id, token_hash, lang, channel, expires_at, sent_at, "
          "created_at) VALUES (%s, %d, %s, 'zh-CN', 'copy', %d, %d, %d)" % (sid, account, q(token), when + 86400 * 30,
                                                                          when - 86400, when - 86400)]
    lid = "(SELECT id FROM survey_links WHERE token_hash = %s)" % q(token)
    st.append("UPDATE survey_links SET answered_at = %d WHERE id = %s" % (when, lid))
    st.append("INSERT INTO survey_responses (survey_id, link_id, account_id, lang, submitted_at) VALUES "
              "(%s, %s, %d, 'zh-CN', %d)" % (sid, lid, account, when))
    rid = "(SELECT id FROM survey_responses WHERE link_id = %s)" % lid
    for pos, val in answers.items():
        qid = "(SELECT id FROM survey_questions WHERE survey_id = %s AND position = %d)" % (sid, pos)
        if isinstance(val, str):
            st.append("INSERT INTO survey_answers (response_id, question_id, value, text) VALUES (%s, %s, NULL, %s)"
                      % (rid, qid, q(val)))
        else:
            st.append("INSERT INTO survey_answers (response_id, question_id, value, text) VALUES (%s, %s, %d, NULL)"
                      % (rid, qid, val))
    return st


def results_world(ctx):
    W = getattr(ctx, "results_world", None)
    if W is not None:
        return W
    W = World()
    ctx.results_world = W
    W.region = "R-" + ctx.tag
    W.a1 = ctx.new_account("am_e", members=[("service_e", "service"), ("viewer_e", "marketing")], tier="key",
                           region=W.region, code=ctx.uniq("SAT"), name="满意客户 " + ctx.tag)
    W.a2 = ctx.new_account("am_e", members=[("service_e", "service"), ("viewer_e", "marketing")], tier="growth",
                           region=W.region, code=ctx.uniq("SAT"), name="小客户 " + ctx.tag)
    W.a3 = ctx.new_account("am_w", tier="key", region=W.region, code=ctx.uniq("SAT"), name="西部客户 " + ctx.tag)
    title = "Results " + ctx.tag
    st, sid = survey_sql(title, title, QUESTIONS, {6: ["微信", "电话", "邮件"], 7: ["质量", "价格", "服务"]})
    st2, sid2 = survey_sql("Pulse " + ctx.tag, "Pulse " + ctx.tag, [(1, "csat", None, 0)], {})
    st += st2
    rnd = random.Random(1414)
    W.rows = []  # (account, when, answers)
    dates = ["2025-01-10", "2025-02-14", "2025-03-20", "2025-04-08", "2025-05-16", "2025-06-25"]
    for i in range(36):
        account = W.a1 if i < 30 else W.a2 if i < 32 else W.a3
        when = ts(dates[i % 6])
        ans = {}
        r = {p: rnd.randint(1, 5) for p in (3, 4, 5)}
        if account == W.a3:
            r = {3: 1, 4: 2, 5: 1}
        score = sum(WEIGHTS[p] * r[p] for p in r) - 0.5 + rnd.gauss(0, 0.8)
        ans[1] = max(0, min(10, int(round(score))))
        if i % 7 != 3:  # a few skip the csat question
            ans[2] = max(1, min(5, int(round(0.5 + 0.8 * r[3] + rnd.gauss(0, 0.7)))))
        if i != 11:  # one response without ratings: left out of the analysis (listwise)
            ans.update(r)
        ans[6] = i % 3
        if i in (4, 9):  # only two people answer the multi question
            ans[7] = 0b101 if i == 4 else 0b010
        if i % 5 == 0:
            ans[8] = "交货太慢了 %d" % i
        W.rows.append((account, when, ans))
        st += response_sql(sid, "tok-%s-%d" % (ctx.tag, i), account, when, ans)
    # The pulse survey: three csat answers on a1 in 2025-02.
    W.pulse = []
    for i, v in enumerate((5, 4, 2)):
        when = ts("2025-02-2%d" % i)
        W.pulse.append((W.a1, when, {1: v}))
        st += response_sql(sid2, "ptok-%s-%d" % (ctx.tag, i), W.a1, when, {1: v})
    db_script(ctx, st)
    W.sid = db_rows(ctx, "SELECT id FROM surveys WHERE title_en = %s" % q(title))[0][0]
    W.sid2 = db_rows(ctx, "SELECT id FROM surveys WHERE title_en = %s" % q("Pulse " + ctx.tag))[0][0]
    W.qid = {pos: db_rows(ctx, "SELECT id FROM survey_questions WHERE survey_id = %d AND position = %d"
                          % (W.sid, pos))[0][0] for pos, _, _, _ in QUESTIONS}
    return W


# ---- the independent computation

def nps_of(vals):
    n = len(vals)
    p = sum(1 for v in vals if v >= 9)
    d = sum(1 for v in vals if v <= 6)
    return {"n": n, "promoters": p, "passives": n - p - d, "detractors": d, "score": 100.0 * (p - d) / n}


def csat_of(vals):
    n = len(vals)
    return {"n": n, "mean": sum(vals) / n, "top2_share": 100.0 * sum(1 for v in vals if v >= 4) / n}


def near(a, b, tol=1e-9):
    if isinstance(a, dict) and isinstance(b, dict):
        return set(a) >= set(b) and all(near(a[k], b[k], tol) for k in b)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return abs(a - b) <= tol * max(1.0, abs(b))
    return a == b


def period_of(when, period):
    t = time.gmtime(when + TZ)
    if period == "month":
        return "%04d-%02d" % (t.tm_year, t.tm_mon)
    if period == "quarter":
        return "%04d-Q%d" % (t.tm_year, (t.tm_mon - 1) // 3 + 1)
    return "%04d" % t.tm_year


def g_results(ctx):
    ck = ctx.ck
    W = results_world(ctx)
    a = ctx.admin
    path = "/api/v1/surveys/%d/results" % W.sid
    rows = W.rows

    def expect_results(client, query, subset, name, may_read=True):
        r = client.get(path, query)
        if not ck.expect(r, 200, name):
            return None
        j = r.json
        ok = j["responses"] == len(subset) and j["survey_id"] == W.sid and j["min_n"] == MIN_N
        nps = [x[2][1] for x in subset if 1 in x[2]]
        cs = [x[2][2] for x in subset if 2 in x[2]]
        ok = ok and near(j["nps"], nps_of(nps)) and near(j["csat"], csat_of(cs))
        qs = {x["position"]: x for x in j["questions"]}
        for pos, kind, driver, _ in QUESTIONS:
            vals = [x[2][pos] for x in subset if pos in x[2]]
            qq = qs.get(pos)
            if qq is None or qq["n"] != len(vals) or qq["kind"] != kind or qq["driver"] != driver:
                ok = False
                continue
            if not may_read and len(vals) < MIN_N:
                ok = ok and qq["hidden"] is True and qq["distribution"] is None and qq["mean"] is None
                continue
            ok = ok and qq["hidden"] is False
            if kind in ("nps", "csat", "rating"):
                lo, hi = (0, 10) if kind == "nps" else (1, 5)
                want = [{"value": v, "n": vals.count(v)} for v in range(lo, hi + 1)]
                ok = ok and qq["distribution"] == want and near(qq["mean"], sum(vals) / len(vals))
            elif kind == "single":
                ok = ok and qq["distribution"] == [{"value": i, "n": vals.count(i)} for i in range(3)]
                ok = ok and qq["mean"] is None and [o["label"]["zh-CN"] for o in qq["options"]] == ["微信", "电话", "邮件"]
            elif kind == "multi":
                ok = ok and qq["distribution"] == [{"value": i, "n": sum(1 for v in vals if v >> i & 1)}
                                                   for i in range(3)]
            else:
                ok = ok and qq["distribution"] is None and "交货" not in repr(j)
        drv = {d["key"]: d for d in j["drivers"]}
        for pos, key in ((3, "product_quality"), (4, "delivery"), (5, "price")):
            vals = [x[2][pos] for x in subset if pos in x[2]]
            ok = ok and key in drv and drv[key]["n"] == len(vals) and near(drv[key]["mean"], sum(vals) / len(vals))
        ok = ok and set(drv) == {"product_quality", "delivery", "price"}
        ok = ok and drv["product_quality"]["label"] == {"zh-CN": "产品质量", "zh-TW": "產品品質", "en": "Product quality"}
        ck.ok(ok, name + ": figures equal the independent computation", repr(j)[:600])
        return j

    # 1. every figure, org-wide reader, over the run's region
    expect_results(a, {"region": W.region}, rows, "results as admin (all three accounts)")
    # 2. scope: the account manager sees a1 and a2 only; am_w only a3
    expect_results(ctx.U("am_e").client, {"region": W.region}, [x for x in rows if x[0] != W.a3],
                   "results as am_e: only the accounts in scope")
    expect_results(ctx.U("am_w").client, {"region": W.region}, [x for x in rows if x[0] == W.a3],
                   "results as am_w: only a3 (4 responses)")
    # 3. filters
    expect_results(a, {"region": W.region, "tier": "key"}, [x for x in rows if x[0] != W.a2], "tier=key")
    expect_results(a, {"account_id": str(W.a1)}, [x for x in rows if x[0] == W.a1], "account_id")
    expect_results(ctx.U("am_e").client, {"region": W.region, "owner_id": "me"}, [x for x in rows if x[0] != W.a3],
                   "owner_id=me")
    expect_results(a, {"region": W.region, "team_id": str(ctx.teams["west"])}, [x for x in rows if x[0] == W.a3],
                   "team_id (the owner's team)")
    # the one team rule (policy.h POLICY_TEAM_TT): a team counts its subteams' people
    expect_results(a, {"region": W.region, "team_id": str(ctx.teams["sales"])}, rows,
                   "team_id of the parent team: its subteams' accounts too")
    ck.expect(a.get(path, {"team_id": "999999999"}), 404, "unknown team_id -> 404", field="team_id")
    sub = [x for x in rows if ts("2025-02-14") <= x[1] <= ts("2025-04-08")]
    expect_results(a, {"region": W.region, "from": "2025-02-14", "to": "2025-04-08"}, sub,
                   "from/to are inclusive days")
    # 4. minimum n: the viewer (may not read responses) sees no figure of two responses
    r = ctx.U("viewer_e").client.get(path, {"account_id": str(W.a2)})
    j = r.json or {}
    ck.expect(r, 200, "viewer: results of a2 (2 responses)")
    ck.ok(j.get("responses") == 2 and j.get("suppressed") is True and j.get("nps") is None and j.get("csat") is None
          and j.get("nps_hidden") is True and all(x["distribution"] is None and x["mean"] is None
                                                  for x in j.get("questions", []))
          and all(d["mean"] is None and d["hidden"] for d in j.get("drivers", [])),
          "viewer: fewer than %d responses -> every figure null (suppressed)" % MIN_N, repr(j)[:500])
    r = ctx.U("fin").client.get(path, {"account_id": str(W.a2)})
    ck.ok(r.status == 200 and r.json["suppressed"] is True and r.json["nps"] is None,
          "finance (aggregates only): suppressed too", r.describe())
    expect_results(ctx.U("service_e").client, {"account_id": str(W.a2)}, [x for x in rows if x[0] == W.a2],
                   "service (may read responses): figures of 2 responses are shown")
    # a question answered by two people is hidden from the viewer even when the survey is not
    r = ctx.U("viewer_e").client.get(path, {"region": W.region})
    j = r.json or {}
    qs = {x["position"]: x for x in j.get("questions", [])}
    ck.ok(r.status == 200 and j["responses"] == 32 and not j["suppressed"] and j["nps"] is not None
          and qs[7]["hidden"] is True and qs[7]["distribution"] is None and qs[7]["n"] == 2
          and qs[1]["hidden"] is False and qs[1]["distribution"] is not None,
          "viewer: the multi question (2 answers) is hidden, the rest shown", repr(qs.get(7))[:300])
    expect_results(ctx.U("fin").client, {"region": W.region}, rows, "finance: all accounts, 36 responses shown",
                   may_read=False)

    # 4b. no answer at all: NPS and CSAT are null, not 0
    empty = ctx.new_account("am_e", code=ctx.uniq("SATE"))
    r = a.get(path, {"account_id": str(empty)})
    ck.ok(r.status == 200 and r.json["responses"] == 0 and r.json["nps"] is None and r.json["csat"] is None
          and r.json["nps_hidden"] is False, "no responses: nps and csat null (not 0)", r.describe())
    # 4c. differencing (satisfaction.h): a reader who may not read responses gives whole months, and
    # no filter may leave out only 1 or 2 responses of what a looser filter counts
    fin = ctx.U("fin").client
    for query, field in (({"from": "2025-02-14"}, "from"), ({"to": "2025-02-27"}, "to"),
                         ({"from": "2025-02-01", "to": "2025-03-30"}, "to")):
        ck.expect(fin.get(path, query), 400, "finance: results %r (not whole months) -> 400" % (query,), field=field)
    r = fin.get(path, {"from": "2025-02-01", "to": "2025-03-31"})
    ck.ok(r.status == 200 and r.json["responses"] == len([x for x in rows if ts("2025-02-01") <= x[1] <= ts("2025-03-31")]),
          "finance: whole months accepted", r.describe())
    r = a.get(path, {"from": "2025-02-14", "to": "2025-02-27"})
    ck.expect(r, 200, "admin (reads responses): any days")
    # tier=key leaves out a2's two responses: the difference would be those two
    for query in ({"tier": "key"}, {"region": W.region, "tier": "key"}):
        ck.expect(fin.get(path, query), 400, "finance: %r leaves out 2 responses -> 400" % (query,), field="tier")
        ck.expect(fin.get("/api/v1/surveys/%d/drivers" % W.sid, dict(query, boot="0")), 400,
                  "finance: drivers %r -> 400" % (query,), field="tier")
    expect_results(a, {"region": W.region, "tier": "key"}, [x for x in rows if x[0] != W.a2],
                   "admin: tier=key (may read responses: no complement rule)")
    # ... nor leave out only 1 or 2 of one shown question's answers: here tier=key leaves out 3
    # responses (allowed) but only 1 CSAT answer, which the two CSAT figures would give away
    region2 = "R2-" + ctx.tag
    k = ctx.new_account("am_e", tier="key", region=region2, code=ctx.uniq("SATK"))
    g = ctx.new_account("am_e", tier="growth", region=region2, code=ctx.uniq("SATG"))
    st, sid3 = survey_sql("Per figure " + ctx.tag, "Per figure " + ctx.tag,
                          [(1, "nps", None, 1), (2, "csat", None, 0)], {})
    for i in range(6):
        ans = {1: 6 + i % 4}
        if i < 3 or i == 4:
            ans[2] = 2 + i % 3
        st += response_sql(sid3, "pf-%s-%d" % (ctx.tag, i), k if i < 3 else g, ts("2025-03-1%d" % i), ans)
    db_script(ctx, st)
    sid3 = db_rows(ctx, "SELECT id FROM surveys WHERE title_en = %s" % q("Per figure " + ctx.tag))[0][0]
    path3 = "/api/v1/surveys/%d/results" % sid3
    ck.expect(fin.get(path3, {"region": region2, "tier": "key"}), 400,
              "finance: tier=key leaves out 3 responses but 1 CSAT answer -> 400", field="tier")
    r = fin.get(path3, {"region": region2})
    ck.ok(r.status == 200 and r.json["responses"] == 6 and r.json["csat"] is not None,
          "finance: the region alone (6 responses, 4 CSAT answers) is shown", r.describe())
    r = a.get(path3, {"region": region2, "tier": "key"})
    ck.ok(r.status == 200 and r.json["responses"] == 3, "admin: tier=key shown (reads responses)", r.describe())

    # 5. bad input: 4xx naming the field
    for query, field in (({"tier": "gold"}, "tier"), ({"from": "2025-13-01"}, "from"), ({"to": "tomorrow"}, "to"),
                         ({"from": "2025-05-01", "to": "2025-04-01"}, "to"), ({"account_id": "x"}, "account_id"),
                         ({"owner_id": "someone"}, "owner_id"), ({"region": "r" * 101}, "region"),
                         ({"sort": "x"}, "sort")):
        ck.expect(a.get(path, query), 400, "results %r -> 400" % (query,), field=field)
    ck.expect(a.get("/api/v1/surveys/999999999/results"), 404, "unknown survey -> 404")
    ck.expect(ctx.U("hr").client.get(path), 403, "hr may not read satisfaction")


def g_results_drivers(ctx):
    ck = ctx.ck
    W = results_world(ctx)
    a = ctx.admin
    path = "/api/v1/surveys/%d/drivers" % W.sid
    r = a.get(path, {"region": W.region, "boot": "0"})
    if not ck.expect(r, 200, "drivers, boot=0"):
        return
    j = r.json
    comp = [x for x in W.rows if all(p in x[2] for p in (1, 3, 4, 5))]
    y = [float(x[2][1]) for x in comp]
    cols = [[float(x[2][p]) for x in comp] for p in (3, 4, 5)]
    imp, r2 = lmg_bruteforce(cols, y)
    d = {x["key"]: x for x in j["drivers"]}
    keys = ["product_quality", "delivery", "price"]
    ok = j["ok"] is True and j["n_total"] == 36 and j["n_used"] == len(comp) and near(j["r2"], r2, 1e-8)
    ok = ok and j["overall_question_id"] == W.qid[1] and j["overall_kind"] == "nps"
    for i, k in enumerate(keys):
        ok = ok and near(d[k]["importance"], imp[i], 1e-8) and near(d[k]["share"], 100 * imp[i] / r2, 1e-7)
        ok = ok and near(d[k]["performance"], sum(cols[i]) / len(comp)) and d[k]["question_id"] == W.qid[3 + i]
    ck.ok(ok, "KDA importances and R^2 equal the brute force over all orderings (tests/kda/check_kda.py)",
          repr(j)[:600] + " want %r %r" % (imp, r2))
    ck.ok(d["product_quality"]["importance"] > d["delivery"]["importance"] > d["price"]["importance"],
          "the weights of the data (1.6 > 0.7 > 0.15) come out in order", repr(d)[:300])
    med_i = sorted(imp)[1]
    perf = [sum(c) / len(c) for c in cols]
    med_p = sorted(perf)[1]
    want_q = ["fix_first" if imp[i] > med_i and perf[i] < med_p else "keep_up" if imp[i] > med_i else
              "low_priority" if perf[i] < med_p else "maintain" for i in range(3)]
    ck.ok([d[k]["quadrant"] for k in keys] == want_q, "quadrants by kda.h's definition", repr(want_q))

    r1 = a.get(path, {"region": W.region, "boot": "200"})
    r2_ = a.get(path, {"region": W.region, "boot": "200"})
    ck.ok(r1.status == 200 and r1.json == r2_.json and r1.json["boot"] == 200, "the bootstrap is seeded: same answer",
          r1.describe())
    jj = r1.json
    ck.ok(all(x["importance_lo"] <= x["importance_hi"] and x["share_lo"] <= x["share_hi"] for x in jj["drivers"])
          and jj["r2_lo"] <= jj["r2_hi"] and any(x["importance_lo"] < x["importance_hi"] for x in jj["drivers"])
          and all(0 <= x["share_lo"] and x["share_hi"] <= 100 for x in jj["drivers"]),
          "intervals are ordered, within 0..100 %, and not all points", repr(jj)[:400])

    # data that cannot be analysed: not an error, ok false with the reason
    r = a.get(path, {"account_id": str(W.a2)})
    ck.ok(r.status == 200 and r.json["ok"] is False and r.json["why"] == "too_few_responses"
          and r.json["r2"] is None and all(x["importance"] is None for x in r.json["drivers"]),
          "two responses -> ok false, why too_few_responses", r.describe())
    r = a.get("/api/v1/surveys/%d/drivers" % W.sid2)
    ck.ok(r.status == 200 and r.json["ok"] is False and r.json["why"] == "no_overall" and r.json["drivers"] == [],
          "a survey without an overall question -> why no_overall", r.describe())
    r = a.get(path, {"account_id": str(W.a3)})
    ck.ok(r.status == 200 and r.json["ok"] is False and r.json["why"] in ("too_few_responses", "constant_rating"),
          "a3's four identical ratings cannot be analysed", r.describe())
    # scope: am_w's four responses only
    r = ctx.U("am_w").client.get(path, {"region": W.region})
    ck.ok(r.status == 200 and r.json["n_total"] == 4 and r.json["ok"] is False, "am_w analyses only a3's responses",
          r.describe())
    for query, field in (({"boot": "5001"}, "boot"), ({"boot": "-1"}, "boot"), ({"boot": "x"}, "boot"),
                         ({"tier": "gold"}, "tier")):
        ck.expect(a.get(path, query), 400, "drivers %r -> 400" % (query,), field=field)
    ck.expect(a.get("/api/v1/surveys/999999999/drivers"), 404, "unknown survey -> 404")


def g_results_trend(ctx):
    ck = ctx.ck
    W = results_world(ctx)
    a = ctx.admin
    allrows = [(x[0], x[1], x[2], "A") for x in W.rows] + [(x[0], x[1], {2: x[2][1]}, "P") for x in W.pulse]

    def cells(subset, keyf, period):
        out = {}
        for i, x in enumerate(subset):
            out.setdefault((keyf(x), period_of(x[1], period)), []).append((i, x))
        return out

    def check(client, query, subset, keyf, period, name, may_read=True):
        r = client.get("/api/v1/satisfaction", dict(query, period=period))
        if not ck.expect(r, 200, name):
            return None
        got = {(it["group"], it["period"]): it for it in r.json["items"]}
        want = cells(subset, keyf, period)
        ok = set(got) == set(want)
        # the figures each cell shows: every figure from MIN_N responses answering it; then, in a
        # grouped trend, the smallest shown cells of a period are hidden too until its hidden cells
        # add up to none or at least MIN_N responses (secondary suppression)
        fig = {}
        for key, xs in want.items():
            nps = [x[2][1] for _, x in xs if x[3] == "A" and 1 in x[2]]
            cs = [x[2][2] for _, x in xs if 2 in x[2]]
            ns = [len(xs), len(nps), len(cs)]
            fig[key] = {"n": ns, "nps": nps, "cs": cs,
                        "shown": [n > 0 and (may_read or (n >= MIN_N and len(xs) >= MIN_N)) for n in ns]}
        if not may_read and query.get("group", "all") != "all":
            for per in sorted({k[1] for k in fig}):
                keys = sorted(k for k in fig if k[1] == per)
                for which in range(3):
                    while True:
                        hid = sum(fig[k]["n"][which] for k in keys if fig[k]["n"][which] and not fig[k]["shown"][which])
                        shown = [k for k in keys if fig[k]["n"][which] and fig[k]["shown"][which]]
                        if not hid or hid >= MIN_N or not shown:
                            break
                        small = min(shown, key=lambda k: fig[k]["n"][which])
                        fig[small]["shown"] = [False] * 3 if which == 0 else \
                            [v if i != which else False for i, v in enumerate(fig[small]["shown"])]
        for key, xs in want.items():
            it = got.get(key)
            if not it:
                continue
            # a response counts when it has a score (nps, csat or rating)
            n = len(xs)
            hidden = not fig[key]["shown"][0]
            ok = ok and it["responses"] == n and it["hidden"] == hidden
            nps, cs = fig[key]["nps"], fig[key]["cs"]
            if hidden:
                ok = ok and it["nps"] is None and it["csat"] is None and it["drivers"] == []
                continue
            ok = ok and (near(it["nps"], nps_of(nps)) if fig[key]["shown"][1] else it["nps"] is None)
            ok = ok and (near(it["csat"], csat_of(cs)) if fig[key]["shown"][2] else it["csat"] is None)
            dm = {d["key"]: d for d in it["drivers"]}
            for pos, k in ((3, "product_quality"), (4, "delivery"), (5, "price")):
                vals = [x[2][pos] for _, x in xs if x[3] == "A" and pos in x[2]]
                if vals and (may_read or len(vals) >= MIN_N):
                    ok = ok and k in dm and dm[k]["n"] == len(vals) and near(dm[k]["mean"], sum(vals) / len(vals))
                else:
                    ok = ok and k not in dm
        ck.ok(ok, name + ": every cell equals the independent computation",
              repr(sorted(got))[:300] + " want " + repr(sorted(want))[:300])
        return r.json

    q = {"region": W.region}
    j = check(a, dict(q, group="account"), allrows, lambda x: str(x[0]), "quarter", "by account and quarter")
    if j:
        names = {it["group"]: it["name"] for it in j["items"]}
        ck.ok(names.get(str(W.a1)) == "满意客户 " + ctx.tag, "account groups carry the account name", repr(names)[:200])
    check(a, dict(q, group="tier"), allrows, lambda x: "growth" if x[0] == W.a2 else "key", "month", "by tier, month")
    check(a, dict(q, group="all"), allrows, lambda x: "all", "year", "all, by year")
    j = check(a, dict(q, group="owner"), allrows, lambda x: str(ctx.U("am_w" if x[0] == W.a3 else "am_e").id),
              "year", "by owner")
    if j:
        ck.ok(any(it["name"] == "王东" for it in j["items"]), "owner groups carry the owner's name", repr(j)[:200])
    check(a, dict(q, group="team"), allrows, lambda x: str(ctx.teams["west" if x[0] == W.a3 else "east"]), "year",
          "by team")
    check(ctx.U("am_e").client, dict(q, group="account"), [x for x in allrows if x[0] != W.a3], lambda x: str(x[0]),
          "year", "am_e: only accounts in scope")
    check(ctx.U("viewer_e").client, dict(q, group="account"), [x for x in allrows if x[0] != W.a3],
          lambda x: str(x[0]), "quarter", "viewer: cells under %d responses hidden" % MIN_N, may_read=False)
    check(ctx.U("fin").client, dict(q, group="account"), allrows, lambda x: str(x[0]), "month",
          "finance: by account and month, small cells hidden", may_read=False)
    r = a.get("/api/v1/satisfaction", {"region": W.region})
    ck.ok(r.status == 200 and r.json["group"] == "all" and r.json["period"] == "month", "defaults: all, month",
          r.describe())

    # each figure has its own minimum n: 4 responses of which 2 answer the nps question -> NPS null
    a5 = ctx.new_account("am_e", code=ctx.uniq("SATF"), name="四人客户 " + ctx.tag)
    st, sid = survey_sql("Fig " + ctx.tag, "Fig " + ctx.tag, [(1, "nps", None, 1), (2, "csat", None, 0),
                                                           (3, "rating", "delivery", 0), (4, "rating", "delivery", 0)], {})
    for i, ans in enumerate(({1: 9, 2: 5, 3: 4, 4: 5}, {1: 3, 2: 4, 3: 2, 4: 3}, {2: 2}, {2: 4})):
        st += response_sql(sid, "ftok-%s-%d" % (ctx.tag, i), a5, ts("2023-05-1%d" % i), ans)
    db_script(ctx, st)
    fin = ctx.U("fin").client
    fq = {"group": "account", "period": "month", "from": "2023-05-01", "to": "2023-05-31"}
    r = fin.get("/api/v1/satisfaction", fq)
    cell = [it for it in (r.json or {}).get("items", []) if it["group"] == str(a5)]
    ck.ok(r.status == 200 and len(cell) == 1 and cell[0]["responses"] == 4 and not cell[0]["hidden"]
          and cell[0]["nps"] is None and near(cell[0]["csat"], csat_of([5, 4, 2, 4])),
          "finance: a cell of 4 responses shows CSAT (4) but not an NPS of 2 answers", repr(cell)[:300])
    r = a.get("/api/v1/satisfaction", fq)
    cell = [it for it in (r.json or {}).get("items", []) if it["group"] == str(a5)]
    ck.ok(r.status == 200 and len(cell) == 1 and near(cell[0]["nps"], nps_of([9, 3])),
          "admin (reads responses): the NPS of 2 answers is shown", repr(cell)[:300])
    # a driver asked twice counts a person once: 4 delivery answers of 2 people stay hidden
    fsid = db_rows(ctx, "SELECT id FROM surveys WHERE title_en = 'Fig %s'" % ctx.tag)[0][0]
    r = fin.get("/api/v1/surveys/%d/results" % fsid)
    dv = [d for d in (r.json or {}).get("drivers", []) if d["key"] == "delivery"]
    ck.ok(r.status == 200 and len(dv) == 1 and dv[0]["n"] == 4 and dv[0]["hidden"] is True and dv[0]["mean"] is None
          and r.json["nps"] is None and r.json["nps_hidden"] is True and r.json["csat"] is not None,
          "finance: a driver's 4 answers by 2 people hidden; NPS of 2 hidden, CSAT of 4 shown", r.describe())
    # differencing: whole months, and no filter leaving out 1 or 2 responses of a period
    ck.expect(fin.get("/api/v1/satisfaction", dict(fq, to="2023-05-30")), 400, "finance: to not a month's end",
              field="to")
    ck.expect(fin.get("/api/v1/satisfaction", {"tier": "key", "from": "2025-01-01", "to": "2025-06-30"}), 400,
              "finance: tier=key leaves out a2's single January response -> 400", field="tier")
    ck.expect(a.get("/api/v1/satisfaction", {"tier": "key", "from": "2025-01-01", "to": "2025-06-03"}), 200,
              "admin: any filter")
    # the account's own trend hides such a period instead: viewer_e reads a1 and a2; in 2025-Q1 a1's
    # cell less the all-accounts cell would give a2's two responses away
    for who, q1_hidden in (("viewer_e", True), ("fin", False), ("admin", False)):
        cl = a if who == "admin" else ctx.U(who).client
        r = cl.get("/api/v1/accounts/%d/satisfaction" % W.a1)
        per = {p["period"]: p for p in (r.json or {}).get("trend", [])}
        ck.ok(r.status == 200 and per.get("2025-Q1", {}).get("hidden") is q1_hidden
              and per.get("2025-Q2", {}).get("hidden") is False and per["2025-Q2"]["nps"] is not None,
              "%s: a1's 2025-Q1 %s (a2 has 2 responses in it), Q2 shown"
              % (who, "hidden" if q1_hidden else "shown"), repr(per)[:400])
    for query, field in (({"group": "planet"}, "group"), ({"period": "week"}, "period"), ({"tier": "x"}, "tier"),
                         ({"from": "2025-02-30"}, "from"), ({"team_id": "-"}, "team_id")):
        ck.expect(a.get("/api/v1/satisfaction", query), 400, "satisfaction %r -> 400" % (query,), field=field)


def g_results_account(ctx):
    ck = ctx.ck
    a = ctx.admin
    sw = sales_world(ctx)
    acc4 = ctx.new_account("am_e", members=[("viewer_e", "marketing")], code=ctx.uniq("SATL"),
                           name="忠诚客户 " + ctx.tag)
    now = int(time.time())
    t = time.gmtime(now + TZ)
    cur = t.tm_year * 12 + t.tm_mon - 1

    def month_date(idx):
        return "%04d-%02d-%s" % (idx // 12, idx % 12 + 1, "01" if idx == cur else "15")

    for back in (20, 15, 5, 1, 0):  # 0: the current month, still running: not counted
        new_line(ctx, acc4, sw.prod[0]["sku"], month_date(cur - back), 1, 1000)
    title = "Acct " + ctx.tag
    st, sid = survey_sql(title, title, [(1, "nps", None, 1), (2, "csat", None, 0)], {})
    recent = [(10, 5), (9, 4), (3, 2), (8, 4)]
    for i, (n, c) in enumerate(recent):
        st += response_sql(sid, "atok-%s-%d" % (ctx.tag, i), acc4, now - 86400 * (10 + i), {1: n, 2: c})
    old = now - 86400 * 400  # outside "recent" (12 months)
    st += response_sql(sid, "atok-%s-old" % ctx.tag, acc4, old, {1: 0, 2: 1})
    db_script(ctx, st)

    r = a.get("/api/v1/accounts/%d/satisfaction" % acc4)
    if not ck.expect(r, 200, "account satisfaction"):
        return
    j = r.json
    ck.ok(near(j["recent"]["nps"], nps_of([v[0] for v in recent])) and
          near(j["recent"]["csat"], csat_of([v[1] for v in recent])),
          "recent: NPS and CSAT of the last 12 months only", repr(j["recent"]))
    lo = j["loyalty"]
    ck.ok(lo["months_ordered"] == 4 and lo["months_after_first"] == 19 and lo["months_with_repeat"] == 3
          and near(lo["repeat_rate"], 300.0 / 19) and lo["retained"] is True,
          "loyalty up to the last complete month: 3 of the 19 months after the first have orders (the current "
          "month's order not counted); retained year over year", repr(lo))
    periods = [p["period"] for p in j["trend"]]
    want = sorted({period_of(x, "quarter") for x in [now - 86400 * (10 + i) for i in range(4)] + [old]})
    ck.ok(j["period"] == "quarter" and periods == want and sum(p["responses"] for p in j["trend"]) == 5,
          "trend by quarter (default) over all the account's responses", repr(periods))
    r = ctx.U("viewer_e").client.get("/api/v1/accounts/%d/satisfaction" % acc4)
    ck.ok(r.status == 200 and r.json["recent"]["nps"] is not None and
          all(p["hidden"] == (p["responses"] < MIN_N) for p in r.json["trend"]),
          "viewer: recent figures of 4 answers shown, trend cells under %d hidden" % MIN_N, r.describe())
    r = a.get("/api/v1/accounts/%d/satisfaction" % acc4, {"period": "year"})
    ck.ok(r.status == 200 and all(len(p["period"]) == 4 for p in r.json["trend"]), "period=year", r.describe())
    # an account that ordered only before the last 12 months: lost (retained false); none: null
    lost = ctx.new_account("am_e", code=ctx.uniq("SATX"))
    new_line(ctx, lost, sw.prod[0]["sku"], month_date(cur - 14), 1, 500)
    r = a.get("/api/v1/accounts/%d/satisfaction" % lost)
    ck.ok(r.status == 200 and r.json["loyalty"] == {"months_ordered": 1, "months_after_first": 13,
                                                    "months_with_repeat": 0, "repeat_rate": 0.0, "retained": False}
          and r.json["recent"] == {"nps": None, "csat": None} and r.json["trend"] == [],
          "an account lost a year ago: retained false, repeat 0", r.describe())
    none = ctx.new_account("am_e", code=ctx.uniq("SATN"))
    r = a.get("/api/v1/accounts/%d/satisfaction" % none)
    ck.ok(r.status == 200 and r.json["loyalty"]["repeat_rate"] is None and r.json["loyalty"]["retained"] is None,
          "no orders: repeat_rate and retained null", r.describe())
    # The KPI table's satisfaction column: the account's NPS of the last 365 days (25 = (2 - 1) / 4);
    # a reader who may not read responses sees no NPS of fewer than 3 responses: the small account's
    # two people answer two nps questions each (4 answers, 2 responses).
    small = ctx.new_account("am_e", members=[("viewer_e", "marketing")], code=ctx.uniq("SATK"))
    new_line(ctx, small, sw.prod[0]["sku"], month_date(cur - 1), 1, 700)
    st, sid = survey_sql("Kpi " + ctx.tag, "Kpi " + ctx.tag, [(1, "nps", None, 1), (2, "nps", None, 0)], {})
    for i, v in enumerate((10, 2)):
        st += response_sql(sid, "ktok-%s-%d" % (ctx.tag, i), small, now - 86400 * (3 + i), {1: v, 2: v})
    db_script(ctx, st)
    r = ctx.U("viewer_e").client.get("/api/v1/accounts/%d/satisfaction" % small)
    ck.ok(r.status == 200 and r.json["recent"]["nps"] is None,
          "viewer: recent NPS of 4 answers by 2 people is null", r.describe())
    r = a.get("/api/v1/accounts/%d/satisfaction" % small)
    ck.ok(r.status == 200 and near(r.json["recent"]["nps"], nps_of([10, 10, 2, 2])) and r.json["recent"]["csat"] is None,
          "admin: recent NPS over the 4 answers; no csat answers -> null", r.describe())
    kq = {"family": sw.fam[0], "period": "%04d" % (cur // 12), "by": "account"}
    for who, may_read in (("admin", True), ("fin", False)):
        cl = a if who == "admin" else ctx.U(who).client
        r = cl.get("/api/v1/kpis", kq)
        items = {it["key"]: it for it in (r.json or {}).get("items", [])} if r.status == 200 else {}
        k4, ks, kl = items.get(str(acc4)), items.get(str(small)), items.get(str(lost))
        ok = k4 is not None and near(k4["satisfaction"], 25.0) and "satisfaction" not in k4["why"]
        if may_read:
            ok = ok and ks is not None and near(ks["satisfaction"], 0.0)
        else:
            ok = ok and ks is not None and ks["satisfaction"] is None and ks["why"]["satisfaction"] == "too_few_responses"
        ok = ok and (kl is None or (kl["satisfaction"] is None and kl["why"]["satisfaction"] == "no_surveys"))
        ck.ok(ok, "KPIs by account as %s: satisfaction is the NPS of the last 365 days%s"
              % (who, "" if may_read else "; 2 answers -> null, why too_few_responses"),
              repr((k4, ks, kl))[:600])
    # The value score's optional satisfaction criterion (svc/relationships/valuation.c): counted
    # when its scoring_criteria row (seeded inactive by 0019) is active; (NPS + 100) / 2 = 62.5 ->
    # 63; fewer than 3 responses: no value. Turned on through the API here and restored after.
    rc_ = a.get("/api/v1/scoring-criteria")
    crit = [c for c in (rc_.json or {}).get("items", []) if c["key"] == "satisfaction"]
    if not ck.ok(rc_.status == 200 and len(crit) == 1, "the satisfaction criterion is seeded", rc_.describe()):
        return
    was = crit[0]["active"]
    ck.expect(a.patch("/api/v1/scoring-criteria/%d" % crit[0]["id"], {"active": True}), 200, "turn the criterion on")
    try:
        vals = {}
        for acc_id in (acc4, small):
            r = a.get("/api/v1/accounts/%d/valuation" % acc_id)
            parts = {c["key"]: c for c in (r.json or {}).get("contributions", [])} if r.status == 200 else {}
            vals[acc_id] = parts.get("satisfaction", {}).get("value", "missing")
        ck.ok(vals == {acc4: 63, small: None},
              "value score: satisfaction criterion (NPS 25 -> 63; 4 answers of 2 responses -> none)",
              repr(vals))
    finally:
        a.patch("/api/v1/scoring-criteria/%d" % crit[0]["id"], {"active": was})
    ck.expect(a.get("/api/v1/accounts/%d/satisfaction" % acc4, {"period": "day"}), 400, "period=day -> 400",
              field="period")
    ck.expect(a.get("/api/v1/accounts/%d/satisfaction" % acc4, {"to": "2025-1-1"}), 400, "bad to -> 400", field="to")
    ck.expect(ctx.U("am_w").client.get("/api/v1/accounts/%d/satisfaction" % acc4), 404,
              "another account manager's account -> 404")


def g_results_cost(ctx):
    """The key-driver bootstrap's work is capped: boot x responses <= 2,000,000 (the answer says the
    resamples used)."""
    ck = ctx.ck
    a = ctx.admin
    acc_ = ctx.new_account("am_e", code=ctx.uniq("SATC"))
    st, sid = survey_sql("Cost " + ctx.tag, "Cost " + ctx.tag,
                         [(1, "nps", None, 1), (2, "rating", "product_quality", 0), (3, "rating", "delivery", 0)], {})
    rnd = random.Random(77)
    n = 1100
    for i in range(n):
        r2, r3 = rnd.randint(1, 5), rnd.randint(1, 5)
        st += response_sql(sid, "ctok-%s-%d" % (ctx.tag, i), acc_, ts("2022-07-1%d" % (i % 10)),
                           {1: max(0, min(10, r2 + r3 - 1 + rnd.randint(-1, 1))), 2: r2, 3: r3})
    db_script(ctx, st)
    sid = db_rows(ctx, "SELECT id FROM surveys WHERE title_en = %s" % q("Cost " + ctx.tag))[0][0]
    r = a.get("/api/v1/surveys/%d/drivers" % sid, {"boot": "2000"})
    ck.ok(r.status == 200 and r.json["ok"] is True and r.json["n_used"] == n and r.json["boot"] == 2000000 // n,
          "boot=2000 over %d responses: %d resamples used (boot x n <= 2e6)" % (n, 2000000 // n), r.describe())
    r = a.get("/api/v1/surveys/%d/drivers" % sid, {"boot": "100"})
    ck.ok(r.status == 200 and r.json["boot"] == 100, "boot=100: under the cap, as asked", r.describe())


GROUPS = [
    ("results", g_results, True),
    ("results-drivers", g_results_drivers, True),
    ("results-trend", g_results_trend, True),
    ("results-account", g_results_account, True),
    ("results-cost", g_results_cost, True),
]


# ---- permission matrix builders (t_matrix.py): every route of api/needs/satisfaction.c

@route("GET", "/api/v1/surveys/{id}/results", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/surveys/%d/results" % results_world(ctx).sid)


@route("GET", "/api/v1/surveys/{id}/drivers", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/surveys/%d/drivers" % results_world(ctx).sid, query={"boot": "20"})


@route("GET", "/api/v1/satisfaction", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/satisfaction", query={"group": "account", "period": "quarter"})


@route("GET", "/api/v1/accounts/{id}/satisfaction", "account")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/accounts/%d/satisfaction" % acc(ctx, rec_))
