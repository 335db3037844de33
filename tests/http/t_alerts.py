"""The early-warning engine's rules, alerts and health score (issue 16 item 4,
src/api/risk/alerts.c and health.c, docs/ALERTS.md).

alerts (shared database; alerts written straight into the table, the engine does not run there):
  rules with defaults and overrides, refusals naming the field, the preview writing nothing;
  the alert lifecycle open -> acknowledged -> responding -> resolved, version guard, owner,
  filters mine / dept=mine / status / severity / signal / account_id, export, the risk raised
  from an alert, the health score and its lines.
alerts_engine (its own database and server, pinned clock): `kam jobs run --now` raises an alert
  for an account whose visit is overdue (visits_overdue), once however often it runs, notifies the
  owner, scores the account's health; the visit done, the next run resolves the alert as cleared;
  two `kam jobs run` at once (both engines; PostgreSQL: two processes on one database) -> one alert.
Then the permission matrix builders of every route."""

import os
import subprocess

import fixtures
import policy as pol
import t_basic
import t_matrix
from lib import run_cli, iso
from policy import ALL, NONE, SCOPE, _roles
from t_answers import sql
from t_matrix import route, Attempt

pol.EXPECTED.update({
    ("alert", "read"): _roles(admin=ALL, director=ALL, finance=ALL, team_lead=SCOPE, account_manager=SCOPE,
                              service=SCOPE, hr=NONE, viewer=SCOPE),
    ("alert", "update"): _roles(NONE, admin=ALL, director=ALL, finance=ALL, team_lead=SCOPE,
                                account_manager=SCOPE, service=SCOPE),
})
pol.EXPECTED.setdefault(("risk", "create"), _roles(NONE, admin=ALL, director=ALL, finance=ALL, team_lead=SCOPE,
                                                   account_manager=SCOPE, service=SCOPE))

if "alert" not in t_matrix.RECORD_KINDS:
    t_matrix.RECORD_KINDS = t_matrix.RECORD_KINDS + ("alert",)
if "alert" not in t_basic.SCOPES:
    t_basic.SCOPES = t_basic.SCOPES + ("alert",)

SIGNAL = "visits_overdue"  # svc/relationships/signals.c: overdue planned visits, count, >= 1


def _n(ctx):
    ctx._alert_n = getattr(ctx, "_alert_n", 0) + 1
    return ctx._alert_n


def mk_alert(ctx, account, signal=SIGNAL, severity="medium", dept="sales", value=2000, evidence='{"visits":[]}'):
    """An open alert written straight into the table (the engine's row), as the engine would."""
    owner = sql(ctx, "SELECT owner_id FROM accounts WHERE id = %d" % account)[0][0]
    key = "t%s:%d:%d" % (ctx.tag, account, _n(ctx))
    sql(ctx, "INSERT INTO alerts (account_id, signal, open_key, severity, dept, value_milli, threshold_milli, "
             "evidence, status, owner_id, first_seen_at, last_seen_at, version, created_at, updated_at) VALUES "
             "(%d, '%s', '%s', '%s', '%s', %d, 1000, '%s', 'open', %d, 1780000000, 1780000000, 1, 1780000000, "
             "1780000000)" % (account, signal, key, severity, dept, value, evidence, owner))
    return int(sql(ctx, "SELECT id FROM alerts WHERE open_key = '%s'" % key)[0][0])


def alert_state(ctx, aid=None):
    st = {"n": sql(ctx, "SELECT COUNT(*) FROM alerts")[0][0],
          "audit": sql(ctx, "SELECT COUNT(*) FROM audit WHERE entity IN ('alert', 'alert_rule')")[0][0],
          "rules": sql(ctx, "SELECT COUNT(*) FROM alert_rules")[0][0],
          "risks": sql(ctx, "SELECT COUNT(*) FROM risks")[0][0]}
    if aid:
        st["row"] = sql(ctx, "SELECT status, version, response, owner_id, risk_id FROM alerts WHERE id = %d" % aid)
    return st


def g_alert_rules(ctx):
    ck, a = ctx.ck, ctx.admin
    am = ctx.U("am_e").client
    r = a.get("/api/v1/alert-rules")
    if not ck.expect(r, 200, "GET alert-rules"):
        return
    rules = {x["signal"]: x for x in r.json["items"]}
    ck.ok(SIGNAL in rules and "receivables_overdue" in rules, "every signal table's rules are listed", repr(sorted(rules)))
    vo = rules.get(SIGNAL, {})
    ck.ok(vo.get("default_threshold_milli") == 1000 and vo.get("unit") == "count" and vo.get("default_dept") == "sales",
          "visits_overdue: default 1 visit, count, sales", repr(vo))
    ck.expect(am.get("/api/v1/alert-rules"), 200, "an account manager reads the rules")

    before = alert_state(ctx)
    bad = [
        ({"signal": "no_such_signal", "threshold_milli": 1}, 404, "signal"),
        ({"threshold_milli": 1}, 400, "signal"),
        ({"signal": SIGNAL, "severity": "urgent"}, 400, "severity"),
        ({"signal": SIGNAL, "dept": "hr"}, 400, "dept"),
        ({"signal": SIGNAL, "params": "[1, 2]"}, 400, "params"),
        ({"signal": SIGNAL, "params": "{\"days\": "}, 400, "params"),
        ({"signal": SIGNAL, "params": "{" + " " * 2001 + "}"}, 400, "params"),
        ({"signal": SIGNAL, "enabled": "yes"}, 400, "enabled"),
        # params the signal does not take, or out of their range; thresholds it cannot mean
        ({"signal": "sla_breach", "params": '{"days": 0}'}, 400, "params.days"),
        ({"signal": "sla_breach", "params": '{"days": 3651}'}, 400, "params.days"),
        ({"signal": "sla_breach", "params": '{"days": "30"}'}, 400, "params.days"),
        ({"signal": "sla_breach", "params": '{"dayz": 30}'}, 400, "params.dayz"),
        ({"signal": SIGNAL, "params": '{"days": 30}'}, 400, "params.days"),
        ({"signal": SIGNAL, "threshold_milli": 0}, 400, "threshold_milli"),
        ({"signal": "volume_decline", "threshold_milli": -150000}, 400, "threshold_milli"),
    ]
    for body, status, field in bad:
        ck.expect(a.put("/api/v1/alert-rules", body), status, "PUT alert-rule %r -> %d %s" % (body, status, field),
                  field=field)
    ck.expect(am.put("/api/v1/alert-rules", {"signal": SIGNAL, "threshold_milli": 2000}), 403,
              "an account manager may not change a rule")
    ck.same(before, alert_state(ctx), "refused rule changes wrote nothing")

    r = a.put("/api/v1/alert-rules", {"signal": SIGNAL, "threshold_milli": 3000, "severity": "high"})
    ck.expect(r, 200, "PUT alert-rule overrides threshold and severity",
              json={"signal": SIGNAL, "threshold_milli": 3000, "severity": "high", "dept": "sales", "overridden": True,
                    "default_threshold_milli": 1000, "default_severity": "medium", "version": 1})
    n_audit = sql(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'alert_rule'")[0][0]
    ck.ok(n_audit == sql(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'alert_rule' AND action = 'update'")[0][0]
          + sql(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'alert_rule' AND action = 'reset'")[0][0]
          and n_audit >= 1, "the rule change is audited")
    ck.expect(a.put("/api/v1/alert-rules", {"signal": SIGNAL, "threshold_milli": 3000}), 200, "the same again",
              json={"version": 1})
    ck.ok(sql(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'alert_rule'")[0][0] == n_audit,
          "an unchanged rule writes no audit row")
    r = a.post("/api/v1/alert-rules/reset", {"signal": SIGNAL})
    ck.expect(r, 200, "reset -> the defaults", json={"threshold_milli": 1000, "severity": "medium", "overridden": False})
    ck.ok(sql(ctx, "SELECT COUNT(*) FROM alert_rules WHERE signal = '%s'" % SIGNAL)[0][0] == 0, "no override row")
    ck.ok(sql(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'alert_rule' AND action = 'reset'")[0][0] >= 1,
          "the reset is audited")
    ck.expect(a.post("/api/v1/alert-rules/reset", {"signal": "nope"}), 404, "reset an unknown signal", field="signal")

    # the preview: an account with 7 overdue visits would alert at threshold 7, one with 6 not
    acc7 = ctx.new_account("am_e", code=ctx.uniq("PV7"), name="预览七 " + ctx.tag)
    acc6 = ctx.new_account("am_e", code=ctx.uniq("PV6"), name="预览六 " + ctx.tag)
    other = ctx.ids["A_other"]  # not am_e's: the AM's preview must never show it
    for acc, n in ((acc7, 7), (acc6, 6), (other, 7)):
        for i in range(n):
            sql(ctx, "INSERT INTO visits (account_id, owner_id, kind, planned_at, status, purpose, created_at, "
                     "updated_at) SELECT %d, owner_id, 'phone', 1000000000 + %d, 'planned', 'preview', 1, 1 FROM "
                     "accounts WHERE id = %d" % (acc, i, acc))
    before = alert_state(ctx)
    r = a.post("/api/v1/alert-rules/preview", {"signal": SIGNAL, "threshold_milli": 7000})
    if ck.expect(r, 200, "preview at threshold 7"):
        ids = [x["account_id"] for x in r.json["items"]]
        ck.ok(acc7 in ids and acc6 not in ids and r.json["count"] >= 1 and r.json["threshold_milli"] == 7000,
              "the account with 7 overdue visits would alert, the one with 6 not", repr(r.json)[:400])
        ck.ok(other in ids, "admin: the other account too (the scope check below is not vacuous)", repr(ids))
        admin_count = r.json["count"]
        mine = [x for x in r.json["items"] if x["account_id"] == acc7]
        ck.ok(mine and mine[0]["value_milli"] == 7000 and mine[0]["name"] == "预览七 " + ctx.tag,
              "preview row: name and value", repr(mine))
    r = am.post("/api/v1/alert-rules/preview", {"signal": SIGNAL, "threshold_milli": 6000})
    if ck.expect(r, 200, "an account manager previews (their accounts only)"):
        ids = [x["account_id"] for x in r.json["items"]]
        ck.ok(acc7 in ids and acc6 in ids, "threshold 6: both", repr(ids))
        ck.ok(other not in ids, "never an account out of the caller's scope", repr(ids))
    r = am.post("/api/v1/alert-rules/preview", {"signal": SIGNAL, "threshold_milli": 7000})
    if ck.expect(r, 200, "an account manager previews at threshold 7"):
        ids = [x["account_id"] for x in r.json["items"]]
        ck.ok(acc7 in ids and other not in ids and r.json["count"] < admin_count,
              "the AM's preview lists and counts their accounts only", repr(r.json)[:300])
    ck.expect(a.post("/api/v1/alert-rules/preview", {"signal": SIGNAL, "severity": "bad"}), 400,
              "preview refuses what PUT refuses", field="severity")
    ck.expect(a.post("/api/v1/alert-rules/preview", {"signal": "sla_breach", "params": '{"days": 9999}'}), 400,
              "preview refuses params out of range", field="params.days")
    ck.same(before, alert_state(ctx), "the preview wrote nothing (no alert, no rule, no audit row)")
    sql(ctx, "DELETE FROM visits WHERE purpose = 'preview' AND account_id IN (%d, %d, %d)" % (acc7, acc6, other))


def g_alerts(ctx):
    ck, a = ctx.ck, ctx.admin
    am = ctx.U("am_e").client
    am_id = ctx.U("am_e").id
    svc = ctx.U("service_e").client
    hr = ctx.U("hr").client
    acc = ctx.new_account("am_e", code=ctx.uniq("AL"), name="预警客户 " + ctx.tag)
    ctx.must(a.post("/api/v1/accounts/%d/members" % acc, {"user_id": ctx.U("service_e").id, "dept_role": "service"}),
             201, "service_e on the account team")
    ev = '{"visits":[{"id":5,"planned_at":"2026-05-01T02:00:00Z"}],"count":2}'
    aid = mk_alert(ctx, acc, value=2000, evidence=ev)
    sid = mk_alert(ctx, acc, signal="sla_breach", severity="critical", dept="service")
    other = mk_alert(ctx, ctx.ids["A_other"], signal="sla_breach", severity="high", dept="service")

    r = am.get("/api/v1/alerts/%d" % aid)
    ck.expect(r, 200, "the owner reads the alert with evidence, rule and account",
              json={"id": aid, "account_id": acc, "account_name": "预警客户 " + ctx.tag, "signal": SIGNAL,
                    "unit": "count", "status": "open", "owner_id": am_id, "value_milli": 2000,
                    "evidence": {"count": 2, "visits": [{"id": 5}]}, "rule": {"signal": SIGNAL}})
    ck.expect(hr.get("/api/v1/alerts/%d" % aid), 404, "hr reads no alert")
    ck.expect(am.get("/api/v1/alerts/%d" % other), 404, "another account's alert is hidden from the AM")

    def ids(client, q):
        r = client.get("/api/v1/alerts", dict(q, limit="500"))
        return [x["id"] for x in r.json["items"]] if r.status == 200 else None

    ck.ok(set(ids(am, {"mine": "1", "account_id": str(acc)}) or []) == {aid, sid}, "mine=1: both of the AM's")
    ck.ok(ids(svc, {"mine": "1", "account_id": str(acc)}) == [], "service_e owns none")
    got = ids(svc, {"dept": "mine", "account_id": str(acc)})
    ck.ok(got == [sid], "dept=mine: service_e sees the service alert of their account team only", repr(got))
    got = ids(a, {"severity": "critical", "account_id": str(acc)})
    ck.ok(got == [sid], "severity filter", repr(got))
    got = ids(a, {"signal": SIGNAL, "account_id": str(acc)})
    ck.ok(got == [aid], "signal filter", repr(got))
    got = ids(am, {"status": "open"}) or []
    ck.ok(aid in got and sid in got and other not in got, "status=open, scope-filtered", repr(got)[:200])
    for q, field in (({"status": "closed"}, "status"), ({"severity": "x"}, "severity"), ({"dept": "hr"}, "dept"),
                     ({"mine": "2"}, "mine"), ({"limit": "501"}, "limit")):
        ck.expect(am.get("/api/v1/alerts", q), 400, "alerts list refuses %r" % q, field=field)
    r = am.get("/api/v1/alerts", {"account_id": str(acc), "limit": "1"})
    if ck.expect(r, 200, "paging: limit 1") and r.json.get("next_cursor"):
        r2 = am.get("/api/v1/alerts", {"account_id": str(acc), "limit": "1", "cursor": r.json["next_cursor"]})
        ck.ok(r2.status == 200 and len(r2.json["items"]) == 1 and r2.json["items"][0]["id"] != r.json["items"][0]["id"],
              "the next page has the other alert")
    else:
        ck.fail("paging: a next cursor after one of two alerts")
    r = am.get("/api/v1/alerts/export", {"account_id": str(acc), "format": "csv"})
    ck.ok(r.status == 200 and "预警客户" in r.body.decode("utf-8", "replace"), "export: csv with the account")

    # lifecycle
    before = alert_state(ctx, aid)
    ck.expect(am.post("/api/v1/alerts/%d/resolve" % aid, {}), 400, "resolve without resolution", field="resolution")
    ck.expect(am.patch("/api/v1/alerts/%d" % aid, {"response_due": "2026-02-30"}), 400, "bad due date",
              field="response_due")
    ck.expect(am.patch("/api/v1/alerts/%d" % aid, {"owner_id": ctx.U("hr").id}), 400, "an owner who may not",
              field="owner_id")
    ck.expect(am.patch("/api/v1/alerts/%d" % aid, {"response": "x" * 2001}), 400, "response too long",
              field="response")
    ck.same(before, alert_state(ctx, aid), "refused changes wrote nothing")
    r = am.post("/api/v1/alerts/%d/acknowledge" % aid)
    ck.expect(r, 200, "acknowledge", json={"status": "acknowledged", "acknowledged_by": am_id, "version": 2})
    ck.expect(am.post("/api/v1/alerts/%d/acknowledge" % aid), 409, "acknowledge twice", field="status")
    r = am.patch("/api/v1/alerts/%d" % aid, {"response": "本周内拜访采购", "response_due": "2026-06-05", "version": 2})
    ck.expect(r, 200, "a response plan -> responding",
              json={"status": "responding", "response": "本周内拜访采购", "response_due": "2026-06-05", "version": 3})
    ck.expect(am.patch("/api/v1/alerts/%d" % aid, {"response": "旧", "version": 2}), 409, "stale version",
              field="version")
    r = am.patch("/api/v1/alerts/%d" % aid, {"owner_id": ctx.U("service_e").id})
    ck.expect(r, 200, "hand the alert to a team member", json={"owner_id": ctx.U("service_e").id})
    r = am.post("/api/v1/alerts/%d/resolve" % aid, {"resolution": "已拜访，订单恢复"})
    ck.expect(r, 200, "resolve", json={"status": "resolved", "resolution": "已拜访，订单恢复", "resolved_by": am_id})
    ck.expect(am.post("/api/v1/alerts/%d/resolve" % aid, {"resolution": "again"}), 409, "resolve twice",
              field="status")
    ck.expect(am.patch("/api/v1/alerts/%d" % aid, {"response": "x"}), 409, "a resolved alert is not changed",
              field="status")
    acts = [x[0] for x in sql(ctx, "SELECT action FROM audit WHERE entity = 'alert' AND entity_id = %d ORDER BY id"
                                   % aid)]
    ck.ok(acts == ["acknowledge", "update", "update", "resolve"], "audited: acknowledge, update x2, resolve",
          repr(acts))
    ck.ok(sql(ctx, "SELECT COUNT(*) FROM alerts WHERE id = %d AND open_key IS NOT NULL" % aid)[0][0] == 1,
          "resolved while its signal fires (never cleared): it keeps its account and signal until it stops")
    ck.ok(ids(a, {"status": "open", "account_id": str(acc)}) == [sid], "status=open leaves the resolved one out")
    ck.ok(ids(a, {"status": "resolved", "account_id": str(acc)}) == [aid], "status=resolved")

    # the health score: one critical open alert (35) -> 65
    r = am.get("/api/v1/accounts/%d/health" % acc)
    ck.expect(r, 200, "health: 100 - 35 for the critical alert",
              json={"account_id": acc, "score": 65,
                    "lines": [{"alert_id": sid, "signal": "sla_breach", "severity": "critical", "points": 35}]})
    ck.expect(hr.get("/api/v1/accounts/%d/health" % acc), 404, "hr: no health score")
    sql(ctx, "INSERT INTO account_health (account_id, day, score, lines) VALUES (%d, '2026-01-01', 40, '[]')" % acc)
    r = am.get("/api/v1/health", {"limit": "500"})
    if ck.expect(r, 200, "health list"):
        rows = [x for x in r.json["items"] if x["account_id"] == acc]
        scores = [x["score"] for x in r.json["items"]]
        ck.ok(rows and rows[0]["score"] == 40 and rows[0]["open_alerts"] == 1, "the stored score and open alerts",
              repr(rows))
        ck.ok(scores == sorted(scores), "lowest first")
        ck.ok(ctx.ids["A_other"] not in [x["account_id"] for x in r.json["items"]], "scope-filtered")
    ck.expect(am.get("/api/v1/health/export", {"format": "csv"}), 200, "health export")

    # raise a risk from the critical alert: operating (a service signal), linked; again -> the same
    r = am.post("/api/v1/alerts/%d/risk" % sid)
    if ck.expect(r, 200, "raise a risk from the alert") and r.json.get("risk_id"):
        rid = r.json["risk_id"]
        row = sql(ctx, "SELECT category, source, source_id, account_id FROM risks WHERE id = %d" % rid)
        ck.ok(row and row[0][0] == "operating" and row[0][1] == "alert" and row[0][2] == sid and row[0][3] == acc,
              "the risk: operating, source alert, the account", repr(row))
        r = am.post("/api/v1/alerts/%d/risk" % sid)
        ck.expect(r, 200, "again: the same risk", json={"risk_id": rid})
    # viewer_e is not on this account's team: the alert is not even theirs to read
    ck.expect(ctx.U("viewer_e").client.post("/api/v1/alerts/%d/risk" % sid), 404, "a viewer raises no risk here")
    ck.expect(ctx.U("hr").client.post("/api/v1/alerts/%d/risk" % sid), 404, "nor does hr")


def g_alerts_sight(ctx):
    """A signal reading receivables (receivables_overdue): its alert, health line, export row and
    preview hits reach readers of receivables only; a service member of the account team and a
    viewer see the account's other alerts, not this one (docs/ALERTS.md "Who sees which signal")."""
    ck, a = ctx.ck, ctx.admin
    am = ctx.U("am_e").client
    svc = ctx.U("service_e").client
    viewer = ctx.U("viewer_e").client
    fin = ctx.U("fin").client
    acc = ctx.new_account("am_e", code=ctx.uniq("AS"), name="应收预警 " + ctx.tag,
                          members=[("service_e", "service"), ("viewer_e", "marketing")])
    ev = '{"invoices":[{"kind":"invoice","id":1,"no":"INV-1","open":123456}],"total":123456}'
    money = mk_alert(ctx, acc, signal="receivables_overdue", severity="high", dept="finance", value=45000,
                     evidence=ev)
    visits = mk_alert(ctx, acc, severity="medium")

    def ids(client, q):
        r = client.get("/api/v1/alerts", dict(q, limit="500"))
        return sorted(x["id"] for x in r.json["items"]) if r.status == 200 else None

    for name, client in (("service", svc), ("viewer", viewer)):
        got = ids(client, {"account_id": str(acc)})
        ck.ok(got == [visits], "%s: the list leaves the receivables alert out" % name, repr(got))
        ck.expect(client.get("/api/v1/alerts/%d" % money), 404, "%s: the receivables alert is no alert to them" % name)
        ck.expect(client.get("/api/v1/alerts/%d" % visits), 200, "%s: the visits alert is theirs to read" % name)
        r = client.get("/api/v1/accounts/%d/health" % acc)
        ck.expect(r, 200, "%s: the health score counts it, its line is left out" % name,
                  json={"score": 70, "restricted_points": 20, "lines": [{"alert_id": visits}]})
        ck.ok(r.status == 200 and len(r.json["lines"]) == 1, "%s: one line" % name)
        r = client.get("/api/v1/alerts/export", {"account_id": str(acc), "format": "csv", "raw": "1"})
        body = r.body.decode("utf-8", "replace") if r.status == 200 else ""
        ck.ok(r.status == 200 and "receivables_overdue" not in body and "visits_overdue" in body,
              "%s: the export leaves it out" % name, body[:300])
        sql(ctx, "INSERT INTO account_health (account_id, day, score, lines) SELECT %d, '2026-01-02', 70, '[]' "
                 "WHERE NOT EXISTS (SELECT 1 FROM account_health WHERE account_id = %d)" % (acc, acc))
        r = client.get("/api/v1/health", {"limit": "500"})
        rows = [x for x in r.json["items"] if x["account_id"] == acc] if r.status == 200 else []
        ck.ok(rows and rows[0]["open_alerts"] == 1, "%s: open_alerts counts what they may read" % name, repr(rows))
    for name, client in (("account manager", am), ("finance", fin)):
        got = ids(client, {"account_id": str(acc)})
        ck.ok(got == sorted([money, visits]), "%s: both alerts" % name, repr(got))
        r = client.get("/api/v1/alerts/%d" % money)
        ck.expect(r, 200, "%s: the receivables alert with its evidence" % name,
                  json={"evidence": {"total": 123456}})
    r = am.get("/api/v1/accounts/%d/health" % acc)
    ck.expect(r, 200, "the owner: both lines", json={"score": 70, "restricted_points": 0})
    ck.ok(r.status == 200 and len(r.json["lines"]) == 2, "the owner: two lines")
    ck.expect(am.patch("/api/v1/alerts/%d" % money, {"owner_id": ctx.U("service_e").id}), 400,
              "the receivables alert is not handed to a service user", field="owner_id")

    # its history (the audit rows name the signal and its value) and a risk raised from it
    r = am.post("/api/v1/alerts/%d/risk" % money)
    rid = r.json.get("risk_id") if ck.expect(r, 200, "the owner raises a risk from the receivables alert") else None
    if rid:
        r = am.get("/api/v1/risks/%d" % rid)
        ck.ok(r.status == 200 and r.json["title"] == "预警：应收账款逾期" and "123456" not in r.json["description"]
              and "#%d" % money in r.json["description"],
              "the risk: the signal's name and a link to the alert, not its evidence", r.describe())
    for name, client in (("service", svc), ("viewer", viewer)):
        ck.expect(client.get("/api/v1/audit", {"entity": "alert", "id": str(money)}), 404,
                  "%s: no history of the receivables alert" % name)
        r = client.get("/api/v1/audit", {"entity": "account", "id": str(acc), "limit": "200"})
        rows = r.json["items"] if r.status == 200 else []
        ck.ok(r.status == 200 and not [x for x in rows if x["entity"] == "alert" and x["entity_id"] == money],
              "%s: the account's history leaves the receivables alert's rows out" % name, repr(rows)[:300])
        if rid:
            ck.expect(client.get("/api/v1/risks/%d" % rid), 404, "%s: the risk raised from it is no risk to them" % name)
            r = client.get("/api/v1/risks", {"account_id": str(acc)})
            ck.ok(r.status == 200 and rid not in [x["id"] for x in r.json["items"]],
                  "%s: the register leaves it out" % name, r.describe())
    r = am.get("/api/v1/audit", {"entity": "account", "id": str(acc), "limit": "200"})
    ck.ok(r.status == 200 and [x for x in r.json["items"] if x["entity"] == "alert" and x["entity_id"] == money],
          "the owner: the account's history has the receivables alert's rows", r.describe())

    # the preview of a receivables signal: an overdue invoice of the account
    sql(ctx, "INSERT INTO invoices (invoice_no, account_id, day, due_day, amount, currency, amount_base, paid, "
             "created_at, updated_at) VALUES ('%s', %d, '2020-01-01', '2020-02-01', 5000, 'CNY', 5000, 0, 1, 1)"
             % (ctx.uniq("INV"), acc))
    r = a.post("/api/v1/alert-rules/preview", {"signal": "receivables_overdue"})
    ck.ok(r.status == 200 and acc in [x["account_id"] for x in r.json["items"]], "admin: the overdue account",
          repr(r.json)[:300] if r.json else r.status)
    r = am.post("/api/v1/alert-rules/preview", {"signal": "receivables_overdue"})
    ck.ok(r.status == 200 and acc in [x["account_id"] for x in r.json["items"]], "the owner previews it too")
    for name, client in (("service", svc), ("viewer", viewer)):
        r = client.post("/api/v1/alert-rules/preview", {"signal": "receivables_overdue"})
        ck.expect(r, 200, "%s: the preview of a receivables signal lists nothing" % name, json={"count": 0, "items": []})
    sql(ctx, "DELETE FROM invoices WHERE account_id = %d" % acc)


# ---- the engine on its own database with a pinned clock

T0 = 1930352400  # 2031-03-04T01:00:00Z
DAY = 86400


def g_alerts_engine(ctx):
    from t_jobs import World
    ck = ctx.ck
    dsn = ctx.jobs_dsn or "sqlite:%s" % os.path.join(ctx.tmp, "alerts.db")
    run_cli(ctx.kam, ["init", "--db", dsn])  # the jobs group may have initialised it already
    J = World(ctx, dsn)
    J.w.tag = ctx.tag + "e"  # on PostgreSQL the jobs group's database: logins and codes of its own
    if not fixtures.bootstrap_admin(J.w) or not J.start(T0):
        return
    try:
        _engine(J, ctx)
    finally:
        J.stop()


def _jobs(J, now, n=1):
    env = dict(os.environ)
    env.pop("KAM_NOW", None)
    procs = [subprocess.Popen([J.ctx.kam, "jobs", "run", "--db", J.dsn, "--now", iso(now)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env=env) for _ in range(n)]
    outs = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        outs.append((p.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")))
    return outs


def _engine(J, ctx):
    w, ck = J.w, J.ck
    adm = w.users["admin"]
    adm.client = w.client("admin")
    w.must(adm.client.login(adm.login, adm.password), 200, "alerts engine: admin login")
    adm.id = adm.client.user["id"]
    am = w.new_user("eam", "account_manager")
    acc = w.new_account(am.key, code=w.uniq("EA"), name="引擎客户 " + w.tag)
    quiet = w.new_account(am.key, code=w.uniq("EQ"), name="安静客户 " + w.tag)
    vid = w.new_visit(acc, am.key, planned_at=iso(T0 + DAY))
    w.new_visit(quiet, am.key, planned_at=iso(T0 + 30 * DAY))  # the near miss: not yet due

    # two runs at once, 3 days later: one alert for the overdue visit's account, none for the other
    outs = _jobs(J, T0 + 3 * DAY, n=2)
    ck.ok(all(o[0] == 0 and " alerts raised" in o[1] for o in outs), "two concurrent kam jobs run exit 0",
          repr([(o[1][-200:], o[2][-200:]) for o in outs]))
    r = am.client.get("/api/v1/alerts", {"signal": SIGNAL, "limit": "50"})
    items = r.json["items"] if r.status == 200 else []
    ck.ok(len(items) == 1 and items[0]["account_id"] == acc and items[0]["value_milli"] == 1000
          and items[0]["owner_id"] == am.id and items[0]["evidence"].get("visits", [{}])[0].get("id") == vid,
          "one alert: the account, one overdue visit, its evidence, the owner", repr(items)[:400])
    notes = [x for x in (am.client.get("/api/v1/notifications", {"limit": "50"}).json or {}).get("items", [])
             if x.get("kind") == "alert"]
    ck.ok(len(notes) == 1, "the owner is notified once", repr(notes)[:300])
    # again the next day: still one
    _jobs(J, T0 + 4 * DAY)
    r = am.client.get("/api/v1/alerts", {"signal": SIGNAL, "limit": "50"})
    ck.ok(r.status == 200 and len(r.json["items"]) == 1, "a later run adds no second alert")
    r = am.client.get("/api/v1/accounts/%d/health" % acc)
    ck.expect(r, 200, "health of the account: 90 (a medium alert)", json={"score": 90})
    ck.ok(r.status == 200 and [h["score"] for h in r.json["history"]][-1:] == [90], "today's score is stored",
          repr(r.json.get("history")) if r.json else "")
    r = am.client.get("/api/v1/accounts/%d/health" % quiet)
    ck.expect(r, 200, "the quiet account: 100", json={"score": 100, "lines": []})

    # the visit done: the next run clears and resolves the alert (nobody acknowledged it)
    if dsn_is_sqlite(J.dsn):
        import sqlite3
        con = sqlite3.connect(J.dsn[len("sqlite:"):], timeout=30)
        con.execute("UPDATE visits SET status = 'cancelled' WHERE id = %d" % vid)
        con.commit()
        con.close()
    else:
        import glob
        psql = sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"))
        subprocess.run([psql[-1] if psql else "psql", J.dsn, "-X", "-q", "-c",
                        "UPDATE visits SET status = 'cancelled' WHERE id = %d" % vid], check=True, capture_output=True)
    _jobs(J, T0 + 5 * DAY)
    r = am.client.get("/api/v1/alerts", {"signal": SIGNAL, "limit": "50"})
    items = r.json["items"] if r.status == 200 else []
    ck.ok(len(items) == 1 and items[0]["status"] == "resolved" and items[0]["resolution"] == "cleared"
          and items[0]["cleared_at"], "the alert is resolved as cleared", repr(items)[:300])
    r = am.client.get("/api/v1/accounts/%d/health" % acc)
    ck.expect(r, 200, "health back to 100", json={"score": 100})

    def alerts_of(account):
        r = am.client.get("/api/v1/alerts", {"signal": SIGNAL, "account_id": str(account), "limit": "50"})
        return r.json["items"] if r.status == 200 else []

    # overdue again: a new alert; resolved by its owner while the visit is still overdue, the
    # next runs raise no new one (it stays resolved until the signal stops firing)
    w.new_visit(acc, am.key, planned_at=iso(T0 + 6 * DAY))
    _jobs(J, T0 + 7 * DAY)
    items = [x for x in alerts_of(acc) if x["status"] == "open"]
    ck.ok(len(items) == 1, "overdue again: a new alert", repr(items)[:300])
    if items:
        ck.expect(am.client.post("/api/v1/alerts/%d/resolve" % items[0]["id"], {"resolution": "客户已确认改期"}), 200,
                  "the owner resolves it while the visit is still overdue")
    _jobs(J, T0 + 8 * DAY)
    _jobs(J, T0 + 9 * DAY)
    items = alerts_of(acc)
    ck.ok(len(items) == 2 and all(x["status"] == "resolved" for x in items),
          "resolved while firing: the next runs raise no new alert", repr(items)[:400])
    ck.expect(am.client.get("/api/v1/accounts/%d/health" % acc), 200, "nor does it lower health", json={"score": 100})

    # a disabled rule: its acknowledged alert is closed at the next run, health back to 100
    acc2 = w.new_account(am.key, code=w.uniq("ED"), name="停用规则 " + w.tag)
    w.new_visit(acc2, am.key, planned_at=iso(T0 + 9 * DAY + 3600))
    _jobs(J, T0 + 10 * DAY)
    items = alerts_of(acc2)
    ck.ok(len(items) == 1 and items[0]["status"] == "open", "acc2: an alert", repr(items)[:300])
    if items:
        ck.expect(am.client.post("/api/v1/alerts/%d/acknowledge" % items[0]["id"]), 200, "acc2: acknowledged")
    ck.expect(adm.client.put("/api/v1/alert-rules", {"signal": SIGNAL, "enabled": False}), 200, "the rule disabled")
    _jobs(J, T0 + 11 * DAY)
    items = alerts_of(acc2)
    ck.ok(len(items) == 1 and items[0]["status"] == "resolved" and items[0]["resolution"] == "rule_disabled"
          and items[0]["cleared_at"], "a disabled rule's alert is closed as rule_disabled", repr(items)[:300])
    ck.expect(am.client.get("/api/v1/accounts/%d/health" % acc2), 200, "acc2: health back to 100", json={"score": 100})
    adm.client.post("/api/v1/alert-rules/reset", {"signal": SIGNAL})


def dsn_is_sqlite(dsn):
    return dsn.startswith("sqlite:")


GROUPS = [
    ("alert_rules", g_alert_rules, True),
    ("alerts", g_alerts, True),
    ("alerts_sight", g_alerts_sight, True),
    ("alerts_engine", g_alerts_engine, True),
]


# ---- permission matrix builders (t_matrix.py): alerts are records of an account (x-kam-scope alert)

def _acc(ctx, rec_):
    return ctx.ids["A_other" if rec_ == "other" else "A_own"]


def _fresh(ctx, rec_):
    return mk_alert(ctx, _acc(ctx, rec_), signal="sla_breach")


@route("GET", "/api/v1/alert-rules", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/alert-rules")


@route("PUT", "/api/v1/alert-rules", "none")
def _(ctx, u, rec_):
    return Attempt("PUT", "/api/v1/alert-rules", {"signal": "sla_breach", "params": '{"days": %d}' % (30 + _n(ctx))},
                   state=lambda: alert_state(ctx),
                   cleanup=lambda: ctx.admin.post("/api/v1/alert-rules/reset", {"signal": "sla_breach"}))


@route("POST", "/api/v1/alert-rules/reset", "none")
def _(ctx, u, rec_):
    ctx.admin.put("/api/v1/alert-rules", {"signal": "sla_breach", "params": '{"days": 31}'})
    return Attempt("POST", "/api/v1/alert-rules/reset", {"signal": "sla_breach"}, state=lambda: alert_state(ctx))


@route("POST", "/api/v1/alert-rules/preview", "none")
def _(ctx, u, rec_):
    return Attempt("POST", "/api/v1/alert-rules/preview", {"signal": "sla_breach", "threshold_milli": 1000})


@route("GET", "/api/v1/alerts", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/alerts", query={"limit": "5"})


@route("GET", "/api/v1/alerts/export", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/alerts/export", query={"format": "csv", "status": "open"})


@route("GET", "/api/v1/alerts/{id}", "alert")
def _(ctx, u, rec_):
    key = "AL_matrix_%s" % rec_
    if key not in ctx.ids:
        ctx.ids[key] = _fresh(ctx, rec_)
    return Attempt("GET", "/api/v1/alerts/%d" % ctx.ids[key])


@route("PATCH", "/api/v1/alerts/{id}", "alert")
def _(ctx, u, rec_):
    aid = _fresh(ctx, rec_)
    return Attempt("PATCH", "/api/v1/alerts/%d" % aid, {"response": "matrix"}, state=lambda: alert_state(ctx, aid))


@route("POST", "/api/v1/alerts/{id}/acknowledge", "alert")
def _(ctx, u, rec_):
    aid = _fresh(ctx, rec_)
    return Attempt("POST", "/api/v1/alerts/%d/acknowledge" % aid, state=lambda: alert_state(ctx, aid))


@route("POST", "/api/v1/alerts/{id}/resolve", "alert")
def _(ctx, u, rec_):
    aid = _fresh(ctx, rec_)
    return Attempt("POST", "/api/v1/alerts/%d/resolve" % aid, {"resolution": "matrix"},
                   state=lambda: alert_state(ctx, aid))


@route("POST", "/api/v1/alerts/{id}/risk", "alert")
def _(ctx, u, rec_):
    aid = _fresh(ctx, rec_)
    return Attempt("POST", "/api/v1/alerts/%d/risk" % aid, state=lambda: alert_state(ctx, aid))


@route("GET", "/api/v1/accounts/{id}/health", "account")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/accounts/%d/health" % _acc(ctx, rec_))


@route("GET", "/api/v1/health", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/health", query={"limit": "5"})


@route("GET", "/api/v1/health/export", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/health/export", query={"format": "csv"})
