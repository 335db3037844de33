"""Appraisal computed from the records (issue 18 F6.3, src/api/team/appraisal.c): schemes
(weights adding up to 10000 bp, scoring curves, versions, bad input with nothing written), a
worked example computed by hand for one account manager in one quarter (order lines and a
target by owner, last year's lines, visits, interactions, issues answered within the SLA, no
survey answers: satisfaction has no data and its weight is shared out, a manual value) with
every line's measured/basis/actual/score/weighted asserted exactly and every line traced to its
records (sums and counts, paged), the personal-data rules (the person, their lead, hr and the
director read it; another account manager and another team's lead get 404), the workflow with
its 409 message keys (submit, acknowledge by the person only, calibrate with a reason kept old
-> new, finalise, a final scorecard skipped by compute), the calibration distribution, and the
permission matrix of every route."""

import calendar
import threading

import policy as pol
import t_basic
import t_matrix
from t_matrix import route, Attempt
from t_answers import sql
import t_disputes
import t_sales

for kind in ("scorecard", "user"):
    if kind not in t_matrix.RECORD_KINDS:
        t_matrix.RECORD_KINDS = t_matrix.RECORD_KINDS + (kind,)
    if kind not in t_basic.SCOPES:
        t_basic.SCOPES = t_basic.SCOPES + (kind,)

PERIOD = "2019Q2"  # a quarter no other module writes records into


def n_rows(ctx, q):
    return int(sql(ctx, q)[0][0])


def key(r):
    return ((r.json or {}).get("error") or {}).get("key")


def china(y, m, d, h=0):
    """Unix seconds of a day's hour in China (UTC+8)."""
    return calendar.timegm((y, m, d, h, 0, 0)) - 8 * 3600


def rnd(num, den):
    """num / den rounded half away from zero (the server's appr_div_round)."""
    if den < 0:
        num, den = -num, -den
    q = (abs(num) * 2 + den) // (2 * den)
    return q if num >= 0 else -q


def curve(a, thr, tgt, st, cap, lower=False):
    """The scoring curve of docs/TEAM.md, written again here."""
    if lower:
        a, thr, tgt, st = -a, -thr, -tgt, -st
    if a < thr:
        return 0
    if a >= tgt:
        if st <= tgt:
            return 10000
        if a >= st:
            return cap
        return 10000 + rnd((cap - 10000) * (a - tgt), st - tgt)
    return 5000 + rnd(5000 * (a - thr), tgt - thr)


def ind(kind, w, thr, tgt, st, cap=15000, **kw):
    d = {"kind": kind, "weight_bp": w, "threshold": thr, "target": tgt, "stretch": st, "cap_score": cap}
    d.update(kw)
    return d


WORLD_INDICATORS = [
    ind("volume_attainment", 3000, 8000, 10000, 12000, label="销售达成"),
    ind("growth", 1500, 0, 1000, 3000),
    ind("visits_vs_cadence", 1500, 7000, 9000, 10000, 12000),
    ind("interactions", 1000, 6, 12, 24, 13000),
    ind("issue_sla", 1000, 5000, 9000, 10000, 12000),
    ind("satisfaction", 1000, 0, 3000, 6000, 13000),
    ind("manual", 1000, 1, 3, 5, 13000, label="关系维护 relationship quality"),
]


def new_scheme(ctx, client=None, **fields):
    body = {"name": "考核 " + ctx.uniq(), "role": "account_manager", "period_kind": "quarter",
            "indicators": [ind("interactions", 6000, 1, 2, 4), ind("manual", 4000, 1, 3, 5)]}
    body.update(fields)
    return ctx.must((client or ctx.admin).post("/api/v1/appraisal-schemes", body), 201, "create scheme")


def scheme_state(ctx):
    return {"schemes": sql(ctx, "SELECT id, name, role, active, version FROM appraisal_schemes ORDER BY id"),
            "ind": n_rows(ctx, "SELECT COUNT(*) FROM appraisal_indicators"),
            "audit": n_rows(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'appraisal_scheme'")}


def card_state(ctx, cid=None):
    st = {"cards": n_rows(ctx, "SELECT COUNT(*) FROM scorecards"),
          "lines": n_rows(ctx, "SELECT COUNT(*) FROM scorecard_lines"),
          "adj": n_rows(ctx, "SELECT COUNT(*) FROM scorecard_adjustments"),
          "audit": n_rows(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'scorecard'")}
    if cid:
        st["row"] = sql(ctx, "SELECT status, score, comment, version FROM scorecards WHERE id = %d" % cid)
    return st


class World:
    pass


def world(ctx):
    """One account manager of the East team (led by lead_e) with one account, and the records of
    PERIOD (2019-04-01 .. 2019-06-30) and of the same quarter of 2018, all known here."""
    W = getattr(ctx, "appraisal_world", None)
    if W is not None:
        return W
    W = World()
    ctx.appraisal_world = W
    W.am = ctx.new_user("appr_am", "account_manager", "east", name="考核对象")
    W.acc = ctx.new_account(code=ctx.uniq("APR"), owner_id=W.am.id)
    fam = "FamAppr-" + ctx.tag
    sku = t_sales.new_product(ctx, fam)["sku"]
    # sales: 600.00 + 400.00 in the quarter, 800.00 a year before (CNY = the base currency)
    W.lines = [t_sales.new_line(ctx, W.acc, sku, "2019-04-10", 1, 60000)["id"],
               t_sales.new_line(ctx, W.acc, sku, "2019-06-30", 1, 40000)["id"],
               t_sales.new_line(ctx, W.acc, sku, "2018-05-02", 1, 80000)["id"]]
    t_sales.new_line(ctx, W.acc, sku, "2019-07-01", 1, 99900)  # the day after: not counted
    # an approved plan of 2019 split by owner and month: 300 + 400 + 400 whole units in Q2
    admin_id = ctx.U("admin").id
    sql(ctx, "INSERT INTO target_plans (year, name, measure, total, dims, basis, status, owner_id, deadline, "
             "created_at, updated_at) VALUES (2019, 'appr %s', 'amount', 4000, 'owner,month', 'equal', 'approved', "
             "%d, 0, 1, 1)" % (ctx.tag, admin_id))
    W.plan = n_rows(ctx, "SELECT MAX(id) FROM target_plans WHERE name = 'appr %s'" % ctx.tag)
    for month, value in ((3, 999), (4, 300), (5, 400), (6, 400), (7, 900)):
        sql(ctx, "INSERT INTO target_cells (plan_id, account_id, family, region, channel, month, value, basis, "
                 "owner_id, team_id) VALUES (%d, 0, '', '', '', %d, %d, 0, %d, %d)"
            % (W.plan, month, value, W.am.id, ctx.teams["east"]))
    # visits: five due in the quarter (four done), one cancelled, one done on the first moment after
    visits = [(china(2019, 4, 1), "done"), (china(2019, 5, 5, 10), "done"), (china(2019, 6, 30, 23), "done"),
              (china(2019, 6, 1), "done"), (china(2019, 6, 2), "planned"), (china(2019, 4, 3), "cancelled"),
              (china(2019, 7, 1), "done")]
    for at, status in visits:
        sql(ctx, "INSERT INTO visits (account_id, owner_id, kind, planned_at, status, created_at, updated_at) "
                 "VALUES (%d, %d, 'onsite', %d, '%s', 1, 1)" % (W.acc, W.am.id, at, status))
    # interactions: seven by the person in the quarter, one by someone else, one before it
    for i in range(7):
        sql(ctx, "INSERT INTO interactions (account_id, user_id, kind, subject, occurred_at, created_at, updated_at) "
                 "VALUES (%d, %d, 'call', 'appr', %d, 1, 1)" % (W.acc, W.am.id, china(2019, 4, 2 + i, 9)))
    sql(ctx, "INSERT INTO interactions (account_id, user_id, kind, subject, occurred_at, created_at, updated_at) "
             "VALUES (%d, %d, 'call', 'appr', %d, 1, 1)" % (W.acc, admin_id, china(2019, 4, 20)))
    sql(ctx, "INSERT INTO interactions (account_id, user_id, kind, subject, occurred_at, created_at, updated_at) "
             "VALUES (%d, %d, 'call', 'appr', %d, 1, 1)" % (W.acc, W.am.id, china(2019, 4, 1) - 1))
    # issues of the account: three reported in the quarter, two answered before their due time
    t = china(2019, 5, 1)
    for first in (t + 3600, t + 7200, t + 90000):
        sql(ctx, "INSERT INTO issues (account_id, title, category, severity, status, reported_at, response_due_at, "
                 "resolution_due_at, first_response_at, created_at, updated_at) VALUES (%d, 'appr', 'quality', "
                 "'high', 'resolved', %d, %d, %d, %d, 1, 1)" % (W.acc, t, t + 86400, t + 86400 * 3, first))
    W.scheme = new_scheme(ctx, name="季度考核 worked " + ctx.tag, indicators=WORLD_INDICATORS)
    return W


def expected_lines():
    """Every line of the worked example by hand."""
    exp = {}
    att = rnd(100000 * 10000, 110000)                    # 9091 bp of the target
    exp["volume_attainment"] = (100000, 110000, att, curve(att, 8000, 10000, 12000, 15000))
    gr = rnd((100000 - 80000) * 10000, 80000)            # 2500 bp
    exp["growth"] = (100000, 80000, gr, curve(gr, 0, 1000, 3000, 15000))
    vis = rnd(4 * 10000, 5)                              # 8000 bp
    exp["visits_vs_cadence"] = (4, 5, vis, curve(vis, 7000, 9000, 10000, 12000))
    exp["interactions"] = (7, None, 7, curve(7, 6, 12, 24, 13000))
    sla = rnd(2 * 10000, 3)                              # 6667 bp
    exp["issue_sla"] = (2, 3, sla, curve(sla, 5000, 9000, 10000, 12000))
    exp["satisfaction"] = (0, 0, None, None)
    return exp


def g_appraisal_worked(ctx):
    ck = ctx.ck
    W = world(ctx)
    lead = ctx.U("lead_e").client
    # the curve as documented, by hand: 9091 -> 5000 + 5000 x 1091 / 2000 = 7727.5 -> 7728
    ck.ok(curve(9091, 8000, 10000, 12000, 15000) == 7728, "the suite's curve by hand")
    r = lead.post("/api/v1/scorecards/compute", {"scheme_id": W.scheme["id"], "period": PERIOD, "user_ids": [W.am.id]})
    if not ck.expect(r, 200, "the lead computes the person's scorecard", json={"created": 1, "skipped": 0}):
        return
    cid = r.json["items"][0]["id"]
    W.card = cid
    ck.ok(r.json["items"][0]["period_start"] == "2019-04-01" and r.json["items"][0]["period_end"] == "2019-06-30",
          "the quarter's days")
    r = lead.get("/api/v1/scorecards/%d" % cid)
    ck.expect(r, 200, "the lead reads the scorecard", json={"status": "draft", "period": PERIOD})
    lines = {l["kind"]: l for l in (r.json or {}).get("lines", [])}
    exp = expected_lines()
    scored = 0
    acc = 0
    for kind, (measured, basis, actual, score) in exp.items():
        l = lines.get(kind, {})
        ck.ok(l.get("measured") == measured and l.get("basis") == basis and l.get("actual") == actual
              and l.get("score") == score,
              "line %s: measured %s basis %s actual %s score %s" % (kind, measured, basis, actual, score),
              repr(l))
        if score is not None:
            scored += l.get("weight_bp", 0)
            acc += l.get("weight_bp", 0) * score
    ck.ok(lines.get("satisfaction", {}).get("why") == "no_responses" and
          lines["satisfaction"].get("weighted") is None, "no survey answers: no data, left out", repr(lines.get("satisfaction")))
    ck.ok(lines.get("manual", {}).get("why") == "not_assessed", "the manual line waits for the manager")
    # W = 10000 - satisfaction 1000 - manual 1000 = 8000
    ck.ok(scored == 8000, "the weights of the scored lines", str(scored))
    for kind, l in lines.items():
        if l.get("score") is not None:
            ck.ok(l["weighted"] == rnd(l["weight_bp"] * l["score"], scored), "weighted %s shared out" % kind, repr(l))
    ck.ok(r.json.get("score") == rnd(acc, scored), "the total, rounded once", "%s vs %s" % (r.json.get("score"), rnd(acc, scored)))
    ck.ok(lines.get("volume_attainment", {}).get("attainment_bp") == 9091, "attainment against the curve's target")
    # the counts the explanations name, as fields a screen can say in its own language
    facts = {k: l.get("facts") for k, l in lines.items()}
    ck.ok(facts.get("volume_attainment") == {"order_lines": 2, "plan_id": W.plan}, "sales facts: the two order lines "
          "and the target plan", repr(facts.get("volume_attainment")))
    ck.ok(facts.get("satisfaction") == {"promoters": 0, "detractors": 0}, "no answers: no promoters or detractors",
          repr(facts.get("satisfaction")))
    ck.ok(all(facts.get(k) == {} for k in ("growth", "visits_vs_cadence", "interactions", "issue_sla", "manual")
              if k in facts), "the other lines name no further count", repr(facts))
    # a stored facts column edited by hand into something else: the response stays JSON, with
    # the integer members only ({} for what is not an object)
    saved = sql(ctx, "SELECT indicator_id, facts FROM scorecard_lines WHERE scorecard_id = %d ORDER BY indicator_id" % cid)
    try:
        sql(ctx, "UPDATE scorecard_lines SET facts = '{\"order_lines\": 3, \"x\": \"y\", \"z\": [1]}' "
                 "WHERE scorecard_id = %d AND indicator_id = %d" % (cid, saved[0][0]))
        sql(ctx, "UPDATE scorecard_lines SET facts = 'not json' WHERE scorecard_id = %d AND indicator_id <> %d"
            % (cid, saved[0][0]))
        r2 = lead.get("/api/v1/scorecards/%d" % cid)
        got = sorted(([l.get("facts") for l in (r2.json or {}).get("lines", [])]), key=len)
        ck.ok(r2.status == 200 and got and got[-1] == {"order_lines": 3} and all(f == {} for f in got[:-1]),
              "facts edited by hand: integers kept, the rest left out, not-JSON as {}", "%s %r" % (r2.status, got))
    finally:
        for ind, f in saved:
            sql(ctx, "UPDATE scorecard_lines SET facts = '%s' WHERE scorecard_id = %d AND indicator_id = %d"
                % (str(f).replace("'", "''"), cid, ind))

    # every line traceable: its records add up to its figures (paged two at a time)
    def records(ind_id, side):
        out, cursor = [], None
        for _ in range(50):
            q = {"limit": "2", "side": side}
            if cursor:
                q["cursor"] = cursor
            rr = lead.get("/api/v1/scorecards/%d/lines/%d/records" % (cid, ind_id), query=q)
            if not ck.expect(rr, 200, "records of line %d side %s" % (ind_id, side)):
                return out
            out += rr.json["items"]
            cursor = rr.json.get("next_cursor")
            if not cursor:
                break
        return out
    vol = lines.get("volume_attainment", {})
    if vol:
        act = records(vol["indicator_id"], "actual")
        ck.ok(sorted(x["ref_id"] for x in act) == sorted(W.lines[:2]), "the sales are the two order lines", repr(act))
        ck.ok(sum(x["value"] for x in act) == vol["measured"], "order lines add up to measured")
        ck.ok(sorted(x["day"] for x in act) == ["2019-04-10", "2019-06-30"], "their days")
        ck.ok(all(x["account_id"] == W.acc and x["ref_kind"] == "order_line" for x in act), "their account")
        bas = records(vol["indicator_id"], "basis")
        ck.ok(len(bas) == 3 and sum(x["value"] for x in bas) == vol["basis"], "the target cells add up to basis",
              repr(bas))
    gro = lines.get("growth", {})
    if gro:
        bas = records(gro["indicator_id"], "basis")
        ck.ok([x["ref_id"] for x in bas] == [W.lines[2]] and bas[0]["value"] == gro["basis"], "last year's line")
    for kind in ("visits_vs_cadence", "issue_sla"):
        l = lines.get(kind, {})
        if l:
            ck.ok(len(records(l["indicator_id"], "actual")) == l["measured"] and
                  len(records(l["indicator_id"], "basis")) == l["basis"], "%s counted from its records" % kind)
    itr = lines.get("interactions", {})
    if itr:
        ck.ok(len(records(itr["indicator_id"], "actual")) == 7, "seven interactions behind the line")
        ck.expect(lead.get("/api/v1/scorecards/%d/lines/%d/records" % (cid, 999999999)), 404,
                  "no such line: 404", field="indicator")
        ck.expect(lead.get("/api/v1/scorecards/%d/lines/%d/records" % (cid, itr["indicator_id"]),
                           query={"side": "sideways"}), 400, "bad side", field="side")

    # the manual value by the lead: 4 on (1, 3, 5, cap 13000) -> 10000 + 3000 x 1 / 2 = 11500
    man = lines.get("manual", {})
    r = lead.patch("/api/v1/scorecards/%d" % cid, {"manual": [{"indicator_id": man.get("indicator_id", 0), "value": 4}],
                                                  "comment": "拜访节奏良好"})
    ck.expect(r, 200, "the lead sets the manual value and a comment", json={"comment": "拜访节奏良好"})
    ml = {l["kind"]: l for l in (r.json or {}).get("lines", [])}
    ck.ok(ml.get("manual", {}).get("score") == 11500, "manual 4 scores 11500", repr(ml.get("manual")))
    acc2, w2 = acc + 1000 * 11500, scored + 1000
    ck.ok((r.json or {}).get("score") == rnd(acc2, w2), "the total with the manual line", "%s vs %s"
          % ((r.json or {}).get("score"), rnd(acc2, w2)))
    before = card_state(ctx, cid)
    bad = [({"manual": [{"indicator_id": vol.get("indicator_id", 0), "value": 1}]}, 400, "manual[0].indicator_id"),
           ({"manual": [{"indicator_id": man.get("indicator_id", 0)}]}, 400, "manual[0]"),
           ({"manual": [{"indicator_id": man.get("indicator_id", 0), "value": 10 ** 13}]}, 400, "manual[0].value"),
           ({"comment": "x" * 4001}, 400, "comment"),
           ({"colour": 1}, 400, "colour"),
           ({"comment": "old", "version": 1}, 409, "version")]
    for b, st, f in bad:
        ck.expect(lead.patch("/api/v1/scorecards/%d" % cid, b), st, "PATCH refused -> %d %s" % (st, f), field=f)
    ck.expect(W.am.client.patch("/api/v1/scorecards/%d" % cid, {"comment": "I am great"}), 403,
              "the person does not set their own manual values or comment", field="id")
    ck.ok(card_state(ctx, cid) == before, "refused changes wrote nothing")
    # a refresh keeps the manual value and the comment
    r = lead.post("/api/v1/scorecards/compute", {"scheme_id": W.scheme["id"], "period": PERIOD, "user_ids": [W.am.id]})
    ck.expect(r, 200, "compute again refreshes the draft", json={"created": 0, "refreshed": 1})
    r = lead.get("/api/v1/scorecards/%d" % cid)
    ck.ok(r.json and r.json["comment"] == "拜访节奏良好" and
          {l["kind"]: l for l in r.json["lines"]}["manual"]["actual"] == 4, "manual value and comment kept")
    ck.ok(n_rows(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'scorecard' AND entity_id = %d AND action = 'compute'"
                 % cid) == 1, "the refresh audited")


def g_appraisal_flow(ctx):
    ck = ctx.ck
    W = world(ctx)
    cid = getattr(W, "card", None)
    if not cid:
        r = ctx.admin.post("/api/v1/scorecards/compute", {"scheme_id": W.scheme["id"], "period": PERIOD,
                                                          "user_ids": [W.am.id]})
        cid = W.card = r.json["items"][0]["id"]
    lead = ctx.U("lead_e").client
    am = W.am.client
    hr = ctx.U("hr").client
    path = "/api/v1/scorecards/%d" % cid
    # personal data
    for k, st in (("lead_e", 200), ("hr", 200), ("dir", 200), ("admin", 200), ("am_e", 404), ("am_w", 404),
                  ("lead_w", 404), ("viewer_e", 404)):
        ck.expect(ctx.U(k).client.get(path), st, "%s reads the scorecard -> %d" % (k, st))
    ck.expect(am.get(path), 200, "the person reads their own scorecard")
    ck.expect(ctx.U("am_e").client.get("/api/v1/users/%d/scorecards" % W.am.id), 404, "another AM: no history")
    r = lead.get("/api/v1/users/%d/scorecards" % W.am.id)
    ck.expect(r, 200, "the lead reads the person's history")
    ck.ok(cid in [x["id"] for x in (r.json or {}).get("items", [])], "history lists the scorecard")
    r = ctx.U("am_e").client.get("/api/v1/scorecards", query={"limit": "500"})
    ck.ok(r.status == 200 and all(x["user_id"] == ctx.U("am_e").id for x in r.json["items"]),
          "an account manager lists their own scorecards only")
    r = am.get("/api/v1/scorecards", query={"user_id": "me"})
    ck.ok(r.status == 200 and [x["id"] for x in r.json["items"]] == [cid], "the person lists theirs", r.describe())
    r = ctx.U("lead_w").client.get("/api/v1/scorecards", query={"scheme_id": str(W.scheme["id"])})
    ck.ok(r.status == 200 and cid not in [x["id"] for x in r.json["items"]], "another team's lead does not list it")
    # compute: a lead for their own people only; an account manager not at all
    ck.expect(ctx.U("lead_w").client.post("/api/v1/scorecards/compute", {"scheme_id": W.scheme["id"], "period": PERIOD,
                                                                         "user_ids": [W.am.id]}),
              403, "another team's lead computes no scorecard of the person", field="user_ids[0]")
    ck.expect(am.post("/api/v1/scorecards/compute", {"scheme_id": W.scheme["id"], "period": PERIOD}), 403,
              "an account manager computes none")
    # the workflow and its 409 keys
    r = am.post(path + "/acknowledge")
    ck.expect(r, 409, "a draft is not acknowledged", field="status")
    ck.ok(key(r) == "scorecard.not_in_review", "key scorecard.not_in_review", r.describe())
    ck.expect(am.post(path + "/submit"), 403, "the person does not submit their own")
    ck.expect(lead.post(path + "/submit"), 200, "the lead submits", json={"status": "review"})
    ck.ok(n_rows(ctx, "SELECT COUNT(*) FROM notifications WHERE user_id = %d AND kind = 'scorecard_review'"
                 % W.am.id) == 1, "the person is told")
    r = lead.post(path + "/submit")
    ck.ok(r.status == 409 and key(r) == "scorecard.not_draft", "submitted twice: 409 scorecard.not_draft", r.describe())
    r = lead.patch(path, {"manual": [{"indicator_id": 1, "value": 1}]})
    ck.ok(r.status == 409 and key(r) == "scorecard.not_draft", "manual values only in a draft", r.describe())
    r = lead.post(path + "/acknowledge")
    ck.ok(r.status == 403 and key(r) == "scorecard.not_yours", "only the person acknowledges", r.describe())
    ck.expect(am.post(path + "/acknowledge"), 200, "the person acknowledges", json={"status": "acknowledged"})
    r = am.post(path + "/acknowledge")
    ck.ok(r.status == 409 and key(r) == "scorecard.not_in_review", "acknowledged twice: 409", r.describe())
    before = card_state(ctx, cid)
    for b, st, f in (({"score": 9500}, 400, "reason"), ({"score": 9500, "reason": "  "}, 400, "reason"),
                     ({"score": 30001, "reason": "x"}, 400, "score"), ({"score": -1, "reason": "x"}, 400, "score"),
                     ({"reason": "x"}, 400, "score"), ({"score": 9500, "reason": "r" * 501}, 400, "reason")):
        ck.expect(lead.post(path + "/calibrate", b), st, "calibrate refused -> %s" % f, field=f)
    r = am.post(path + "/calibrate", {"score": 15000, "reason": "I deserve it"})
    ck.ok(r.status == 403 and key(r) == "scorecard.own", "nobody calibrates their own", r.describe())
    ck.ok(card_state(ctx, cid) == before, "refused calibrations wrote nothing")
    old = lead.get(path).json["score"]
    r = lead.post(path + "/calibrate", {"score": 9500, "reason": "跨组对齐 team alignment"})
    ck.expect(r, 200, "the lead calibrates with a reason",
              json={"status": "calibrated", "score": 9500, "computed_score": old,
                    "adjustments": [{"old_score": old, "new_score": 9500, "reason": "跨组对齐 team alignment",
                                     "adjusted_by": ctx.U("lead_e").id}]})
    ck.expect(hr.post(path + "/calibrate", {"score": 9800, "reason": "hr review"}), 200, "hr calibrates again",
              json={"score": 9800})
    rows = sql(ctx, "SELECT old_score, new_score FROM scorecard_adjustments WHERE scorecard_id = %d ORDER BY id" % cid)
    ck.ok([[int(a), int(b)] for a, b in rows] == [[old, 9500], [9500, 9800]], "old -> new kept", repr(rows))
    ck.ok(n_rows(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'scorecard' AND entity_id = %d AND action = "
                      "'calibrate' AND changes LIKE '%%hr review%%'" % cid) == 1, "the reason audited")
    # calibration across the team
    r = hr.get("/api/v1/scorecards/calibration", query={"scheme_id": str(W.scheme["id"]), "period": PERIOD,
                                                        "team_id": str(ctx.teams["east"])})
    ck.expect(r, 200, "the team's distribution")
    if r.status == 200:
        scores = sorted(x["score"] for x in r.json["items"])
        ck.ok(r.json["n"] == len(scores) >= 1 and 9800 in scores, "n counts the scored scorecards", repr(scores))
        ck.ok(r.json["mean"] == rnd(sum(scores), len(scores)), "the mean")
        ck.ok(sum(b["n"] for b in r.json["bands"]) == len(scores), "the bands add up")
        ck.ok([b for b in r.json["bands"] if b["band"] == "meets"][0]["n"] >= 1, "9800 meets")
    r = ctx.U("am_e").client.get("/api/v1/scorecards/calibration", query={"scheme_id": str(W.scheme["id"]),
                                                                           "period": PERIOD})
    ck.ok(r.status == 200 and all(x["user_id"] == ctx.U("am_e").id for x in r.json["items"]),
          "an account manager's distribution holds their own scorecard only", r.describe())
    for q, f in (({"period": PERIOD}, "scheme_id"), ({"scheme_id": str(W.scheme["id"]), "period": "2019"}, "period"),
                 ({"scheme_id": str(W.scheme["id"]), "period": PERIOD, "team_id": "999999999"}, "team_id")):
        ck.expect(hr.get("/api/v1/scorecards/calibration", query=q), 400, "calibration refused: %s" % f, field=f)
    # final
    ck.expect(lead.post(path + "/finalise"), 200, "the lead makes it final", json={"status": "final", "score": 9800})
    for p, b, k in (("/finalise", None, "scorecard.not_finalisable"),
                    ("/calibrate", {"score": 1, "reason": "late"}, "scorecard.not_calibratable")):
        r = lead.post(path + p, b) if b else lead.post(path + p)
        ck.ok(r.status == 409 and key(r) == k, "after final: %s -> 409 %s" % (p, k), r.describe())
    r = lead.patch(path, {"comment": "too late"})
    ck.ok(r.status == 409 and key(r) == "scorecard.final", "a final scorecard's comment stays", r.describe())
    r = lead.post("/api/v1/scorecards/compute", {"scheme_id": W.scheme["id"], "period": PERIOD, "user_ids": [W.am.id]})
    ck.expect(r, 200, "compute leaves a final scorecard", json={"created": 0, "refreshed": 0, "skipped": 1})
    # the scheme: a new indicator version; a scheme with scorecards is not deleted
    sp = "/api/v1/appraisal-schemes/%d" % W.scheme["id"]
    r = hr.patch(sp, {"indicators": WORLD_INDICATORS[:6] + [ind("training_completed", 1000, 0, 1, 3)]})
    ck.expect(r, 200, "hr changes the indicators", json={"version": W.scheme["version"] + 1,
                                                       "indicators_version": W.scheme["version"] + 1})
    ck.ok(lead.get(path).json["lines"][-1]["kind"] == "manual", "the final scorecard keeps its lines")
    r = hr.delete(sp)
    ck.ok(r.status == 409 and key(r) == "scheme.in_use", "a scheme with scorecards stays", r.describe())
    r = hr.patch(sp, {"active": False})
    ck.expect(r, 200, "hr deactivates it", json={"active": False})
    r = lead.post("/api/v1/scorecards/compute", {"scheme_id": W.scheme["id"], "period": "2019Q3"})
    ck.ok(r.status == 409 and key(r) == "scheme.inactive", "an inactive scheme computes nothing", r.describe())
    hr.patch(sp, {"active": True})


def g_appraisal_schemes(ctx):
    ck = ctx.ck
    hr = ctx.U("hr").client
    base = {"name": "方案 " + ctx.tag, "role": "account_manager", "period_kind": "year",
            "indicators": [ind("breaches_disputes", 5000, 4, 2, 0, 12000, lower_better=True),
                           ind("training_completed", 5000, 0, 2, 4)]}
    before = scheme_state(ctx)
    bad = [
        (dict(base, indicators=[ind("interactions", 9999, 1, 2, 3)]), "indicators", "appraisal.weights_sum"),
        (dict(base, indicators=[ind("telepathy", 10000, 1, 2, 3)]), "indicators[0].kind", None),
        (dict(base, indicators=[ind("interactions", 10000, 3, 2, 1)]), "indicators[0].target", "appraisal.curve_order"),
        (dict(base, indicators=[ind("breaches_disputes", 10000, 1, 2, 3, lower_better=True)]), "indicators[0].target",
         "appraisal.curve_order"),
        (dict(base, indicators=[ind("interactions", 10000, 1, 2, 3, 9000)]), "indicators[0].cap_score", None),
        (dict(base, indicators=[ind("interactions", 5000, 1, 2, 3), ind("interactions", 5000, 1, 2, 3)]),
         "indicators[1].kind", "appraisal.kind_twice"),
        (dict(base, indicators=[]), "indicators", "appraisal.no_indicators"),
        (dict(base, indicators=[{"kind": "manual", "weight_bp": 10000, "threshold": 1, "target": 2}]),
         "indicators[0].stretch", "required"),
        (dict(base, indicators=[ind("manual", 500, 1, 2, 3)] * 21), "indicators", None),
        (dict(base, period_kind="month"), "period_kind", None),
        (dict(base, role="astronaut"), "role", None),
        (dict(base, name="n" * 201), "name", None),
        (dict(base, name="  "), "name", None),
        ({k: v for k, v in base.items() if k != "role"}, "role", "required"),
        (dict(base, version=3), "version", None),
    ]
    for b, f, k in bad:
        r = hr.post("/api/v1/appraisal-schemes", b)
        ck.expect(r, 400, "scheme refused: %s" % f, field=f)
        if k:
            ck.ok(key(r) == k, "key %s" % k, r.describe())
    ck.expect(ctx.U("dir").client.post("/api/v1/appraisal-schemes", base), 403, "the director reads schemes only")
    ck.ok(scheme_state(ctx) == before, "refused schemes wrote nothing")
    r = hr.post("/api/v1/appraisal-schemes", base)
    ck.expect(r, 201, "hr creates a yearly scheme",
              json={"version": 1, "active": True, "scorecards": 0,
                    "indicators": [{"kind": "breaches_disputes", "lower_better": True, "position": 1},
                                   {"kind": "training_completed", "cap_score": 15000, "lower_better": False}]})
    sid = r.json["id"] if r.json else 0
    ck.ok(n_rows(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'appraisal_scheme' AND entity_id = %d" % sid) == 1,
          "the scheme audited")
    ck.expect(hr.patch("/api/v1/appraisal-schemes/%d" % sid, {"period_kind": "quarter"}), 400,
              "the period kind stays", field="period_kind")
    ck.expect(hr.patch("/api/v1/appraisal-schemes/%d" % sid, {"name": "x", "version": 7}), 409, "stale version",
              field="version")
    r = hr.patch("/api/v1/appraisal-schemes/%d" % sid, {"name": base["name"]})
    ck.expect(r, 200, "no change, no new version", json={"version": 1})
    r = ctx.U("am_e").client.get("/api/v1/appraisal-schemes", query={"role": "account_manager", "limit": "500"})
    ck.ok(r.status == 200 and sid in [x["id"] for x in r.json["items"]], "everyone reads the schemes")
    ck.expect(hr.get("/api/v1/appraisal-schemes", query={"role": "astronaut"}), 400, "bad role filter", field="role")
    r = hr.post("/api/v1/scorecards/compute", {"scheme_id": sid, "period": "2019Q2"})
    ck.ok(r.status == 400 and r.field == "period" and key(r) == "appraisal.bad_period",
          "a yearly scheme takes a year", r.describe())
    ck.expect(hr.post("/api/v1/scorecards/compute", {"scheme_id": 999999999, "period": "2019"}), 400,
              "no such scheme", field="scheme_id")
    ck.expect(hr.post("/api/v1/scorecards/compute", {"period": "2019"}), 400, "scheme required", field="scheme_id")
    ck.expect(hr.post("/api/v1/scorecards/compute", {"scheme_id": sid, "period": "2019", "user_ids": [999999999]}),
              400, "no such person", field="user_ids[0]")
    ck.expect(hr.delete("/api/v1/appraisal-schemes/%d" % sid), 204, "a scheme without scorecards is deleted")
    ck.ok(n_rows(ctx, "SELECT COUNT(*) FROM appraisal_indicators WHERE scheme_id = %d" % sid) == 0,
          "with its indicators")


# ---- the permission matrix

def _scheme(ctx):
    if "APR_scheme" not in ctx.ids:
        ctx.ids["APR_scheme"] = new_scheme(ctx, indicators=[ind("interactions", 6000, 1, 2, 4),
                                                            ind("manual", 4000, 1, 3, 5)])["id"]
    return ctx.ids["APR_scheme"]


def _period(ctx):
    ctx.ids["APR_n"] = ctx.ids.get("APR_n", 0) + 1
    n = ctx.ids["APR_n"]
    return "%04dQ%d" % (1980 + n // 4, n % 4 + 1)


def _card(ctx, uid, submit=False):
    r = ctx.admin.post("/api/v1/scorecards/compute", {"scheme_id": _scheme(ctx), "period": _period(ctx),
                                                      "user_ids": [uid]})
    cid = ctx.must(r, 200, "compute a scorecard")["items"][0]["id"]
    if submit:  # by admin, or by hr for admin's own
        by = ctx.U("hr").client if uid == ctx.U("admin").id else ctx.admin
        ctx.must(by.post("/api/v1/scorecards/%d/submit" % cid), 200, "submit a scorecard")
    return cid


def _subject(ctx, u, rec_, manager_step):
    """The person of the record: 'other' is am_w's (of nobody the matrix users lead but the
    org-wide roles); 'own' is the user's own, or for a manager's step am_e's when the user leads
    East or holds the right company-wide (a manager's step on one's own scorecard is refused)."""
    if rec_ == "other":
        return ctx.U("am_w").id
    if manager_step and (u.key == "lead_e" or u.role in ("admin", "director", "hr")):
        return ctx.U("am_e").id
    return u.id


def _read_card(ctx, u, rec_):
    k = "APR_read_%s_%s" % (u.key, rec_)
    if k not in ctx.ids:
        ctx.ids[k] = _card(ctx, _subject(ctx, u, rec_, False))
    return ctx.ids[k]


@route("GET", "/api/v1/appraisal-schemes", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/appraisal-schemes", query={"limit": "5"})


@route("GET", "/api/v1/appraisal-schemes/export", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/appraisal-schemes/export", query={"format": "csv", "role": "hr"})


@route("POST", "/api/v1/appraisal-schemes", "none")
def _(ctx, u, rec_):
    return Attempt("POST", "/api/v1/appraisal-schemes",
                   {"name": "矩阵 " + ctx.uniq(), "role": "account_manager", "period_kind": "quarter",
                    "indicators": [ind("manual", 10000, 1, 2, 3)]}, ok=201, state=lambda: scheme_state(ctx))


@route("GET", "/api/v1/appraisal-schemes/{id}", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/appraisal-schemes/%d" % _scheme(ctx))


@route("PATCH", "/api/v1/appraisal-schemes/{id}", "none")
def _(ctx, u, rec_):
    return Attempt("PATCH", "/api/v1/appraisal-schemes/%d" % _scheme(ctx), {"name": "矩阵 " + ctx.uniq()},
                   state=lambda: scheme_state(ctx))


@route("DELETE", "/api/v1/appraisal-schemes/{id}", "none")
def _(ctx, u, rec_):
    sid = new_scheme(ctx)["id"]
    return Attempt("DELETE", "/api/v1/appraisal-schemes/%d" % sid, ok=204, state=lambda: scheme_state(ctx))


@route("POST", "/api/v1/scorecards/compute", "none")
def _(ctx, u, rec_):
    return Attempt("POST", "/api/v1/scorecards/compute", {"scheme_id": _scheme(ctx), "period": "1979Q4",
                                                          "user_ids": [u.id]}, state=lambda: card_state(ctx))


@route("GET", "/api/v1/scorecards", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/scorecards", query={"limit": "5"})


@route("GET", "/api/v1/scorecards/export", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/scorecards/export", query={"format": "csv", "status": "final"})


@route("GET", "/api/v1/scorecards/calibration", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/scorecards/calibration", query={"scheme_id": str(_scheme(ctx)), "period": "1979Q4"})


@route("GET", "/api/v1/scorecards/{id}", "scorecard")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/scorecards/%d" % _read_card(ctx, u, rec_))


@route("GET", "/api/v1/scorecards/{id}/lines/{indicator}/records", "scorecard")
def _(ctx, u, rec_):
    cid = _read_card(ctx, u, rec_)
    ind_id = ctx.admin.get("/api/v1/scorecards/%d" % cid).json["lines"][0]["indicator_id"]
    return Attempt("GET", "/api/v1/scorecards/%d/lines/%d/records" % (cid, ind_id))


def _manager_step(ctx, u, rec_, path, body=None, submit=True):
    subj = _subject(ctx, u, rec_, True)
    cid = _card(ctx, subj, submit=submit)
    # the person's own scorecard: the grant lets them through dispatch, the rule says no
    ok = 403 if subj == u.id else 200
    kw = {"ok": ok, "state": lambda: card_state(ctx, cid)}
    if body is not None:
        return Attempt("POST" if path else "PATCH", "/api/v1/scorecards/%d%s" % (cid, path), body, **kw)
    return Attempt("POST", "/api/v1/scorecards/%d%s" % (cid, path), **kw)


@route("PATCH", "/api/v1/scorecards/{id}", "scorecard")
def _(ctx, u, rec_):
    return _manager_step(ctx, u, rec_, "", {"comment": "矩阵 " + ctx.uniq()}, submit=False)


@route("POST", "/api/v1/scorecards/{id}/submit", "scorecard")
def _(ctx, u, rec_):
    return _manager_step(ctx, u, rec_, "/submit", submit=False)


@route("POST", "/api/v1/scorecards/{id}/calibrate", "scorecard")
def _(ctx, u, rec_):
    return _manager_step(ctx, u, rec_, "/calibrate", {"score": 10100, "reason": "matrix"})


@route("POST", "/api/v1/scorecards/{id}/finalise", "scorecard")
def _(ctx, u, rec_):
    return _manager_step(ctx, u, rec_, "/finalise")


@route("POST", "/api/v1/scorecards/{id}/acknowledge", "scorecard")
def _(ctx, u, rec_):
    subj = _subject(ctx, u, rec_, False)
    cid = _card(ctx, subj, submit=True)
    return Attempt("POST", "/api/v1/scorecards/%d/acknowledge" % cid, ok=200 if subj == u.id else 403,
                   state=lambda: card_state(ctx, cid))


@route("GET", "/api/v1/users/{id}/scorecards", "user")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/users/%d/scorecards" % (ctx.U("am_w").id if rec_ == "other" else u.id))


def g_matrix(ctx):
    t_disputes.run_matrix(ctx, ("/api/v1/appraisal-schemes", "/api/v1/scorecards", "/api/v1/users/{id}/scorecards"),
                          18, "appraisal.c")


def g_race(ctx):
    """Two computes of one scheme and period at the same moment, each making the same new
    scorecard: the second waits for the first (the scheme row locked on PostgreSQL; one writer on
    SQLite) and recomputes it, so both answer 200 and the person has one scorecard."""
    ck = ctx.ck
    W = world(ctx)
    hr, adm = ctx.U("hr").client, ctx.admin
    bad = []
    for i in range(8):
        year, q = 2015 + i // 4, 1 + i % 4  # a new quarter each round: a new scorecard
        got = {}
        gate = threading.Barrier(2)

        def compute(name, c):
            gate.wait()
            r = c.post("/api/v1/scorecards/compute", {"scheme_id": W.scheme["id"], "period": "%dQ%d" % (year, q),
                                                      "user_ids": [W.am.id]})
            got[name] = r.status
        ts = [threading.Thread(target=compute, args=(n, c)) for n, c in (("hr", hr), ("admin", adm))]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        n = n_rows(ctx, "SELECT COUNT(*) FROM scorecards WHERE scheme_id = %d AND user_id = %d AND period_start = "
                        "'%d-%02d-01'" % (W.scheme["id"], W.am.id, year, 3 * q - 2))
        if got != {"hr": 200, "admin": 200} or n != 1:
            bad.append((year, q, got, n))
    ck.ok(not bad, "8 pairs of concurrent computes: both 200, one scorecard each time", str(bad))


GROUPS = [
    ("appraisal_schemes", g_appraisal_schemes, True),
    ("appraisal_worked", g_appraisal_worked, True),
    ("appraisal_flow", g_appraisal_flow, True),
    ("appraisal_matrix", g_matrix, True),
    ("appraisal_race", g_race, True),
]
