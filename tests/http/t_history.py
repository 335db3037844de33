"""Readable history and the visit details (issue 12 items 3 and 7): a visit's duration, place,
purpose and optional check-in (外勤签到) round-trip through POST, PATCH and complete and are
audited; check-in values are refused by field and leave the visit unchanged; PATCH stays
compatible (old bodies still work, new fields untouched); the API still records a visit planned
in the past (the web form refuses a past day); the audit list names the actor (user_name) and
the currency of wallet amounts."""

import time

from lib import is_time, iso, epoch
from t_interactions import audit_rows

DETAILS = {"duration_min": 90, "place": "客户总部 3 楼会议室", "purpose": "介绍新品，确认试点范围"}


def _user(ctx, key):
    r = ctx.admin.get("/api/v1/users/%d" % ctx.U(key).id)
    return r.json if r.status == 200 else {}


def g_history(ctx):
    ck = ctx.ck
    am = ctx.U("am_e")
    c = am.client
    now = time.time()
    acc = ctx.new_account("am_e", code=ctx.uniq("HIS"), name="历史客户 " + ctx.tag, tier="key")
    con = ctx.new_contact(acc, name="历史联系人")

    # ---- details on create, GET round trip, audit create row
    body = dict(DETAILS, contact_id=con, kind="onsite", planned_at=iso(now + 2 * 86400))
    r = c.post("/api/v1/accounts/%d/visits" % acc, body)
    if not ck.expect(r, 201, "POST visit with duration, place, purpose -> 201 with them",
                     json=dict(DETAILS, checkin_lat=None, checkin_lon=None, checkin_accuracy_m=None,
                               checkin_at=None)):
        return
    v = r.json["id"]
    ck.expect(c.get("/api/v1/visits/%d" % v), 200, "GET visit returns the details", json=DETAILS)
    rows = audit_rows(ctx, acc, "visit", v, "create")
    ch = (rows[0].get("changes") or {}) if len(rows) == 1 else {}
    ck.ok(ch.get("duration_min") == [None, 90] and ch.get("place") == [None, DETAILS["place"]]
          and ch.get("purpose") == [None, DETAILS["purpose"]],
          "the create audit row carries duration_min, place, purpose", repr(rows)[:400])

    # ---- an old-style PATCH (no new fields) leaves the details alone
    r = c.patch("/api/v1/visits/%d" % v, {"planned_at": iso(now + 3 * 86400), "version": 1})
    ck.expect(r, 200, "PATCH planned_at only (old body) -> 200, details unchanged", json=dict(DETAILS, version=2))

    # ---- check-in: stored, server-stamped, audited
    t0 = time.time()
    r = c.patch("/api/v1/visits/%d" % v, {"checkin_lat": 31.2304161, "checkin_lon": 121.4737009,
                                          "checkin_accuracy_m": 14.2, "version": 2})
    ok = ck.expect(r, 200, "PATCH check-in -> 200: micro-degrees, accuracy rounded up to whole metres",
                   json={"checkin_lat": 31.230416, "checkin_lon": 121.473701, "checkin_accuracy_m": 15,
                         "checkin_at": is_time, "version": 3})
    if ok:
        at = epoch(r.json["checkin_at"])
        ck.ok(t0 - 5 <= at <= time.time() + 5, "checkin_at is the server's time of the check-in", r.json["checkin_at"])
    rows = audit_rows(ctx, acc, "visit", v, "update")
    ch = (rows[0].get("changes") or {}) if rows else {}
    ck.ok(ch.get("checkin_lat") == [None, "31.230416"] and ch.get("checkin_lon") == [None, "121.473701"]
          and ch.get("checkin_accuracy_m") == [None, 15] and (ch.get("checkin_at") or [1])[0] is None,
          "the newest visit audit row records the check-in (coordinates as exact decimals)", repr(rows[:1])[:400])

    # a second check-in is refused (the first is the record of arrival; tests/http/t_whomay.py)
    r = c.patch("/api/v1/visits/%d" % v, {"checkin_lat": -90, "checkin_lon": -180})
    ck.expect(r, 409, "a second check-in -> 409 field checkin_at", field="checkin_at")
    # a check-in without accuracy, on the southern/western hemisphere edge values (on create)
    r = c.post("/api/v1/accounts/%d/visits" % acc, {"kind": "onsite", "planned_at": iso(now + 86400),
                                                    "checkin_lat": -90, "checkin_lon": -180})
    ck.expect(r, 201, "a check-in at -90/-180 without accuracy -> 201, accuracy null",
              json={"checkin_lat": -90, "checkin_lon": -180, "checkin_accuracy_m": None, "checkin_at": is_time})

    # ---- refusals by field, nothing changed
    before = ctx.record_state("visits", v, acc)
    long_place = "地" * 201
    for name, b, f in (
            ("latitude without longitude", {"checkin_lat": 31.2}, "checkin_lon"),
            ("longitude without latitude", {"checkin_lon": 121.4}, "checkin_lat"),
            ("accuracy alone", {"checkin_accuracy_m": 10}, "checkin_lat"),
            ("latitude 90.5", {"checkin_lat": 90.5, "checkin_lon": 0}, "checkin_lat"),
            ("latitude -91", {"checkin_lat": -91, "checkin_lon": 0}, "checkin_lat"),
            ("longitude 180.01", {"checkin_lat": 0, "checkin_lon": 180.01}, "checkin_lon"),
            ("latitude as text", {"checkin_lat": "31.2", "checkin_lon": 121.4}, "checkin_lat"),
            ("latitude null", {"checkin_lat": None, "checkin_lon": 121.4}, "checkin_lat"),
            ("accuracy -1", {"checkin_lat": 1, "checkin_lon": 1, "checkin_accuracy_m": -1}, "checkin_accuracy_m"),
            ("accuracy 100001", {"checkin_lat": 1, "checkin_lon": 1, "checkin_accuracy_m": 100001},
             "checkin_accuracy_m"),
            ("duration 0", {"duration_min": 0}, "duration_min"),
            ("duration 1441", {"duration_min": 1441}, "duration_min"),
            ("duration 1.5", {"duration_min": 1.5}, "duration_min"),
            ("place of 201 characters", {"place": long_place}, "place"),
            ("place with a line break", {"place": "一楼\n二楼"}, "place"),
            ("purpose of 2001 characters", {"purpose": "目" * 2001}, "purpose"),
            ("a stale version with a check-in", {"checkin_lat": 1, "checkin_lon": 1, "version": 1}, "version")):
        r = c.patch("/api/v1/visits/%d" % v, b)
        ck.expect(r, 409 if f == "version" else 400, "PATCH visit with %s -> field %s" % (name, f), field=f)
    r = c.post("/api/v1/accounts/%d/visits" % acc, {"kind": "onsite", "planned_at": iso(now + 86400),
                                                    "checkin_lat": 95, "checkin_lon": 0})
    ck.expect(r, 400, "POST visit with a latitude of 95 -> 400 field checkin_lat", field="checkin_lat")
    ck.same(before, ctx.record_state("visits", v, acc), "refused detail and check-in writes changed nothing")

    # ---- null clears the duration; the same value again changes nothing
    r = c.patch("/api/v1/visits/%d" % v, {"duration_min": None, "place": ""})
    ck.expect(r, 200, "duration_min null and an empty place clear them",
              json={"duration_min": None, "place": "", "purpose": DETAILS["purpose"], "version": 4})
    n_before = len(audit_rows(ctx, acc, "visit", v))
    r = c.patch("/api/v1/visits/%d" % v, {"purpose": DETAILS["purpose"]})
    ck.expect(r, 200, "PATCH with the same purpose -> 200, no new version", json={"version": 4})
    ck.ok(len(audit_rows(ctx, acc, "visit", v)) == n_before, "an unchanged PATCH wrote no audit row")

    # ---- completion takes the details too; a done visit takes no check-in
    r = c.post("/api/v1/visits/%d/complete" % v, {"outcome": "客户同意试点", "duration_min": 75, "place": "线上会议"})
    ck.expect(r, 200, "complete with duration and place -> 200 done with them",
              json={"status": "done", "duration_min": 75, "place": "线上会议", "purpose": DETAILS["purpose"]})
    r = c.post("/api/v1/accounts/%d/visits" % acc, {"kind": "onsite", "planned_at": iso(now + 86400)})
    if ck.expect(r, 201, "a second visit"):
        v2 = r.json["id"]
        r = c.post("/api/v1/visits/%d/complete" % v2, {"outcome": "x", "duration_min": 2000})
        ck.expect(r, 400, "complete with duration 2000 -> 400 field duration_min", field="duration_min")
        ck.expect(c.get("/api/v1/visits/%d" % v2), 200, "the refused completion left the visit planned",
                  json={"status": "planned", "interaction_id": None})
    r = c.patch("/api/v1/visits/%d" % v, {"checkin_lat": 1, "checkin_lon": 1})
    ck.expect(r, 409, "a check-in on a done visit -> 409 field status", field="status")

    # ---- planning in the past: the API records it (an overdue visit); the web form refuses it
    r = c.post("/api/v1/accounts/%d/visits" % acc, {"kind": "phone", "planned_at": iso(now - 3 * 86400)})
    ck.expect(r, 201, "the API still records a visit planned three days ago, overdue", json={"overdue": True})

    # ---- the audit list: the actor's display name beside the login; wallet rows name the currency
    items = ctx.audit_items("account", acc)
    ck.ok(isinstance(items, list) and items, "the account's history lists rows", repr(items)[:200])
    if isinstance(items, list):
        me = _user(ctx, "am_e")
        mine = [x for x in items if x.get("user_id") == am.id]
        want = me.get("name") or me.get("login")
        ck.ok(mine and all(x.get("user_name") == want and x.get("user_login") == me.get("login") for x in mine),
              "rows by am_e carry user_name %r and user_login %r" % (want, me.get("login")), repr(mine[:1])[:300])
        ck.ok(all(x.get("currency") is None for x in items if x.get("entity") != "wallet"),
              "rows of the account, its contacts, visits and interactions have currency null")
    r = ctx.admin.patch("/api/v1/users/%d" % am.id, {"name": "改名后的经理"})
    if ck.expect(r, 200, "admin renames am_e"):
        items = ctx.audit_items("account", acc)
        mine = [x for x in items if x.get("user_id") == am.id] if isinstance(items, list) else []
        ck.ok(mine and all(x.get("user_name") == "改名后的经理" for x in mine),
              "the history shows the actor's current name", repr(mine[:1])[:300])
        ctx.admin.patch("/api/v1/users/%d" % am.id, {"name": me.get("name", "") if isinstance(items, list) else ""})
    r = c.put("/api/v1/accounts/%d/wallet/2026" % acc, {"amount": 1234567, "note": "估算"})
    if ck.expect(r, 200, "am_e sets a 2026 wallet estimate"):
        base = ctx.admin.get("/api/v1/fx-rates")
        base_cur = base.json.get("base_currency") if base.status == 200 and isinstance(base.json, dict) else "CNY"
        items = ctx.audit_items("account", acc)
        w = [x for x in items if x.get("entity") == "wallet"] if isinstance(items, list) else []
        ck.ok(len(w) == 1 and w[0].get("currency") == base_cur and w[0]["changes"].get("amount") == [None, 1234567]
              and w[0]["changes"].get("year") == [None, 2026],
              "the wallet row names the base currency (%s); the amount stays in minor units" % base_cur, repr(w)[:300])


GROUPS = [("history", g_history, True)]
