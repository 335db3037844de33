"""The churn / decline model inside KAM (issue 16 item 5, src/api/risk/churn.c): a constructed
company of 80 accounts with 28 months of monthly volume (every 4th falls 20 % a month for four
months at some point, some are falling now, one stopped), POST /api/v1/churn/train (validation 400s
naming the field, 409 churn.too_little_history with nothing changed, one active model), the
account's churn (probability, top factors of the model's features, the model, the month's score;
an account without recent volume is not scored), the list by probability (scope, paging, min_bp,
export), the model; the permission matrix builders of every route of api/risk/churn.c."""

import csv
import os
import io
import time

import policy as pol
from policy import ALL, SCOPE, NONE, _roles
from t_matrix import route, Attempt
from t_answers import sql
from lib import Client, Server, run_cli

# docs/API.md "Risk and early warning": the churn scores are `alert` reads; training is `config`.
pol.EXPECTED.setdefault(("alert", "read"), _roles(admin=ALL, director=ALL, finance=ALL, team_lead=SCOPE,
                                                  account_manager=SCOPE, service=SCOPE, hr=NONE, viewer=SCOPE))

FEATURES = ["vol_3m", "vol_6m", "vol_12m", "chg_3m", "chg_yoy", "months_since_purchase", "active_months_12m",
            "families_12m", "tier", "visits_6m", "visits_overdue", "issues_6m", "sla_breaches_6m", "nps_last",
            "csat_last", "ar_days_past_due", "dso"]
MONTHS = 28


def _months():
    """The 28 months before this one (China time), oldest first, as YYYYMM integers."""
    t = time.gmtime(time.time() + 8 * 3600)
    m = t.tm_year * 12 + t.tm_mon - 1
    return [((m - MONTHS + i) // 12) * 100 + (m - MONTHS + i) % 12 + 1 for i in range(MONTHS)]


def _volume(k, t):
    v = 1000 + (k * 37 + t * 11) % 200
    if k == 79:  # stopped 7 months ago
        return 0 if t > 20 else v
    start = None
    if k % 4 == 0:
        start = 6 + (k // 4 % 6) * 3
    elif k % 8 == 2:
        start = 25  # falling now
    if start is not None and t >= start:
        v *= 0.3 if t - start >= 4 else 1 - 0.2 * (t - start + 1)
    return int(v)


def world(ctx):
    if getattr(ctx, "churn_world", None):
        return ctx.churn_world
    ids = []
    for k in range(80):
        ids.append(ctx.new_account("am_e" if k % 8 == 0 else "am_w", code=ctx.uniq("CH%02d" % k),
                                   name="流失模型客户 %02d %s" % (k, ctx.tag), tier="key"))
    months = _months()
    rows = []
    for k, a in enumerate(ids):
        for t, ym in enumerate(months):
            v = _volume(k, t)
            if v > 0:
                rows.append("(%d, %d, 1, %d, 1)" % (a, ym, v))
    sql(ctx, "INSERT INTO sales_monthly_account (account_id, month, quantity, amount, lines) VALUES "
        + ", ".join(rows))
    ctx.churn_world = {"ids": ids, "falling": [ids[k] for k in range(80) if k % 8 == 2],
                       "steady": [ids[k] for k in range(80) if k % 4 in (1, 3) and k != 79],
                       "stopped": ids[79], "mine": [ids[k] for k in range(80) if k % 8 == 0]}
    return ctx.churn_world


def _today():
    return time.strftime("%Y-%m-%d", time.gmtime(time.time() + 8 * 3600))


def models(ctx):
    return sql(ctx, "SELECT id, active FROM churn_models ORDER BY id")


def g_churn(ctx):
    ck = ctx.ck
    a = ctx.admin
    am = ctx.U("am_e").client
    w = world(ctx)

    # validation: 400 naming the field, nothing written
    before = models(ctx)
    ck.expect(a.post("/api/v1/churn/train", {"horizon_months": 13}), 400, "horizon 13 -> 400", field="horizon_months")
    ck.expect(a.post("/api/v1/churn/train", {"horizon_months": 0}), 400, "horizon 0 -> 400", field="horizon_months")
    ck.expect(a.post("/api/v1/churn/train", {"drop_bp": 99}), 400, "drop 99 bp -> 400", field="drop_bp")
    ck.expect(a.post("/api/v1/churn/train", {"drop_bp": 9901}), 400, "drop 9901 bp -> 400", field="drop_bp")
    ck.expect(a.post("/api/v1/churn/train", {"horizon": 6}), 400, "unknown field -> 400", field="horizon")
    ck.expect(am.post("/api/v1/churn/train", {}), 403, "an account manager may not train")
    ck.ok(models(ctx) == before, "refused trainings wrote no model")

    # train: 6 months, 30 %
    r = a.post("/api/v1/churn/train", {"horizon_months": 6, "drop_bp": 3000})
    if not ck.expect(r, 200, "train -> 200", json={"horizon_months": 6, "drop_bp": 3000, "features": FEATURES}):
        return
    m = r.json
    ck.ok(m["rows"] >= 200 and m["positives"] >= 20, "rows %d >= 200, falls %d >= 20" % (m["rows"], m["positives"]))
    ck.ok(m["auc_bp"] is not None and 5000 < m["auc_bp"] <= 10000, "a cross-validated AUC: %s" % m["auc_bp"])
    act = [x for x in models(ctx) if x[1] == 1]
    ck.ok(len(act) == 1 and act[0][0] == m["id"], "one active model, the new one")
    ck.expect(am.get("/api/v1/churn/model"), 200, "the model as an account manager",
              json={"model": {"id": m["id"], "rows": m["rows"], "positives": m["positives"]}})
    au = sql(ctx, "SELECT user_id, changes FROM audit WHERE entity = 'churn_model' AND entity_id = %d AND action = "
                  "'train'" % m["id"])
    ck.ok(len(au) == 1 and str(au[0][0]) == str(ctx.U("admin").id) and '"horizon_months"' in au[0][1]
          and '"rows"' in au[0][1], "the training is audited (by whom, on what)", repr(au))

    # an account falling now: scored today, top factors among the model's features
    f0 = w["falling"][0]
    r = a.get("/api/v1/accounts/%d/churn" % f0)
    if ck.expect(r, 200, "a falling account's churn", json={"account_id": f0, "day": _today(),
                                                           "model": {"id": m["id"]}}):
        j = r.json
        ck.ok(j["probability_bp"] is not None and 0 <= j["probability_bp"] <= 10000, "a probability")
        ck.ok(1 <= len(j["factors"]) <= 5 and all(x["feature"] in FEATURES for x in j["factors"]),
              "1-5 factors, each a model feature")
        ck.ok(all(abs(j["factors"][i]["contribution"]) >= abs(j["factors"][i + 1]["contribution"])
                  for i in range(len(j["factors"]) - 1)), "factors by the size of their contribution")
        ck.ok(len(j["history"]) == 1 and j["history"][0]["day"] == _today()
              and j["history"][0]["probability_bp"] == j["probability_bp"], "this month's score in the history")
    # the ones falling now score higher than the steady ones, on average
    def prob(acc):
        return a.get("/api/v1/accounts/%d/churn" % acc).json["probability_bp"]
    pf = [prob(x) for x in w["falling"]]
    ps = [prob(x) for x in w["steady"][:20]]
    ck.ok(sum(pf) / len(pf) > sum(ps) / len(ps), "falling accounts score higher: %s vs %s"
          % (sum(pf) / len(pf), sum(ps) / len(ps)))
    # stopped 7 months ago: no volume in the horizon, not scored
    ck.expect(a.get("/api/v1/accounts/%d/churn" % w["stopped"]), 200, "a stopped account is not scored",
              json={"probability_bp": None, "day": None, "factors": [], "history": [], "model": {"id": m["id"]}})
    # scope: an account manager reads their own, not another's
    ck.expect(am.get("/api/v1/accounts/%d/churn" % w["mine"][0]), 200, "own account's churn")
    ck.expect(am.get("/api/v1/accounts/%d/churn" % w["falling"][0]), 404, "another's account -> 404")

    # the list: by probability, scoped, paged
    items, _, err = a.list_all("/api/v1/churn", {"limit": "500"})
    ck.ok(err is None, "admin lists the churn")
    mine = [x for x in items if x["account_id"] in w["ids"]]
    ck.ok(len(mine) == 79, "79 of the company's accounts scored (the stopped one not): %d" % len(mine))
    probs = [x["probability_bp"] for x in items]
    ck.ok(probs == sorted(probs, reverse=True), "by probability, highest first")
    own, _, err = am.list_all("/api/v1/churn", {"limit": "3"})
    ck.ok(err is None and sorted(x["account_id"] for x in own) == sorted(w["mine"]),
          "an account manager's list: their 10 accounts over pages of 3")
    p = [x["probability_bp"] for x in own]
    ck.ok(p == sorted(p, reverse=True), "pages keep the order")
    r = a.get("/api/v1/churn", {"sort": "name", "limit": "5"})
    ck.expect(r, 200, "sorted by name")
    cut = probs[len(probs) // 2] if probs else 0
    hi, _, _ = a.list_all("/api/v1/churn", {"min_bp": str(cut), "limit": "500"})
    ck.ok(hi and all(x["probability_bp"] >= cut for x in hi) and len(hi) < len(items) + 1, "min_bp filters")
    ck.expect(a.get("/api/v1/churn", {"min_bp": "10001"}), 400, "min_bp over 10000 -> 400", field="min_bp")
    ck.expect(a.get("/api/v1/churn", {"sort": "risk"}), 400, "unknown sort -> 400", field="sort")
    r = a.get("/api/v1/churn/export", {"format": "csv", "columns": "account_name:客户,probability_bp:概率",
                                       "min_bp": str(cut)})
    if ck.expect(r, 200, "export csv"):
        rows = list(csv.reader(io.StringIO(r.body.decode("utf-8-sig"))))
        ck.ok(rows[0] == ["客户", "概率"] and len(rows) == len(hi) + 1
              and [int(x[1]) for x in rows[1:]] == [x["probability_bp"] for x in hi],
              "export: header and the list's rows: %r, %d rows for %d" % (rows[:2], len(rows), len(hi)))

    # too little history, on a database of its own (the suite's shared one holds whatever the
    # other modules' accounts did): a fresh one with a single account trains nothing
    _too_little_history(ctx)
    act = [x for x in models(ctx) if x[1] == 1]
    ck.ok(len(act) == 1 and act[0][0] == m["id"], "the model in use is kept")

    # train again: a new active model, the previous one kept inactive, scores the new one's
    r = a.post("/api/v1/churn/train", {})
    if ck.expect(r, 200, "train again (defaults)", json={"horizon_months": 6, "drop_bp": 3000}):
        act = [x for x in models(ctx) if x[1] == 1]
        ck.ok(len(act) == 1 and act[0][0] == r.json["id"] != m["id"], "one active model: the newest")
        n = sql(ctx, "SELECT COUNT(*) FROM churn_scores WHERE day = '%s' AND model_id <> %d"
                % (_today(), r.json["id"]))
        ck.ok(int(n[0][0]) == 0, "today's scores are the new model's")


class _Fresh(Client):
    """A client of the fresh database's server."""

    def __init__(self, ctx, srv):
        super().__init__(ctx, "admin@" + srv.name)
        self._srv = srv

    @property
    def port(self):
        return self._srv.port


def _too_little_history(ctx):
    ck = ctx.ck
    dsn = "sqlite:" + os.path.join(ctx.tmp, "churn-fresh-%s.db" % ctx.tag)
    rc, _, err = run_cli(ctx.kam, ["init", "--db", dsn])
    rc2, _, err2 = run_cli(ctx.kam, ["user", "add", "--db", dsn, "--login", "churnadm", "--role", "admin"],
                           stdin_text="a-long-password-1\n")
    if not ck.ok(rc == 0 and rc2 == 0, "a fresh database with an administrator", err + err2):
        return
    srv = Server(ctx.kam, dsn, ctx.tmp, name="kam-churn-fresh")
    if not ck.ok(srv.start(), "a server on the fresh database starts", srv.start_error or ""):
        return
    try:
        c = _Fresh(ctx, srv)
        ck.expect(c.login("churnadm", "a-long-password-1"), 200, "sign in on the fresh database")
        acc = c.post("/api/v1/accounts", {"code": "CF1", "name": "单一客户"})
        ck.expect(acc, 201, "one account")
        r = c.post("/api/v1/churn/train", {"horizon_months": 12, "drop_bp": 9900})
        if ck.expect(r, 409, "too little history -> 409", field="horizon_months"):
            ck.ok(r.json["error"]["key"] == "churn.too_little_history", "key churn.too_little_history")
    finally:
        srv.stop()


GROUPS = [
    ("churn", g_churn, True),
]


# ---- permission matrix builders (t_matrix.py): every route of api/risk/churn.c

@route("GET", "/api/v1/accounts/{id}/churn", "account")
def _(ctx, u, rec):
    from t_matrix import acc
    return Attempt("GET", "/api/v1/accounts/%d/churn" % acc(ctx, rec))


@route("GET", "/api/v1/churn", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/churn", query={"limit": "5"})


@route("GET", "/api/v1/churn/export", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/churn/export", query={"format": "csv"})


@route("GET", "/api/v1/churn/model", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/churn/model")


@route("POST", "/api/v1/churn/train", "none")
def _(ctx, u, rec_):
    world(ctx)
    return Attempt("POST", "/api/v1/churn/train", {"horizon_months": 6}, state=lambda: models(ctx))
