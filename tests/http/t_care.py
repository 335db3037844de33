"""Care (F2.4): reminders made by `kam jobs run` at a pinned clock, their list (filters,
paging, scope), send (template rendered -> outbox `mail_status`, an `email` interaction,
`last_contacted_at`), done (channel -> interaction kind), skip, 409 on a second move;
care occasions and message templates (CRUD and validation).

The reminders live in the main database. `care_world()` builds them once (the care groups
and the permission matrix both use it): accounts and contacts whose birthdays fall inside
the default 7-day birthday window of T (a pinned clock in July 2021, far from every
festival), then `kam jobs run --now T` with the active cadence rules switched off for the
run (so it plans no visit; they are switched back on right after). Nothing else is due at
T (every visit and issue deadline of the suite lies after it), and no SMTP URL is given, so
mail only waits in the outbox.
"""

import os
import re
import time

from lib import ANY, is_id, is_time, iso, run_cli
from t_accounts import paginate
from t_interactions import near, last_contacted

T = 1626055200  # 2021-07-12T02:00:00Z: 10:00 on 12 July 2021 in China
DAY = 86400
CHINA = 8 * 3600
CARE_RE = re.compile(r"(\d+) care reminders")
POOL = 30  # reminders per side (own/other) for the matrix: 9 roles x send/done/skip, + slack

CARE_SHAPE = {"id": is_id, "account_id": is_id, "account_name": str, "contact_id": is_id, "contact_name": str,
              "contact_email": ANY, "owner_id": is_id, "occasion_kind": str, "occasion_key": ANY,
              "occasion_name": str, "occasion_date": str, "status": str, "channel": ANY, "note": ANY,
              "done_at": ANY, "interaction_id": ANY, "mail_status": ANY, "version": int, "created_at": is_time}
OCCASION_SHAPE = {"id": is_id, "kind": str, "festival_key": ANY, "name": ANY, "month": ANY, "day": ANY,
                  "days_before": int, "key_people_only": bool, "active": bool}
TEMPLATE_SHAPE = {"id": is_id, "name": str, "locale": str, "occasion": str, "subject": str, "body": str}

TPL_BODY = "C={{contact_name}}\nA={{account_name}}\nO={{occasion}}\nS={{sender_name}}\nK={{company}}"
TPL_ZH = {"subject": "{{contact_name}}，生日快乐（{{account_name}}）", "locale": "zh", "occasion": "birthday"}
TPL_EN = {"subject": "Happy {{occasion}}, {{contact_name}}!", "locale": "en", "occasion": "any"}

# the functional account CF1 (owner am_e): contact key -> days after T's China date (None: no birthday)
CF1_SPEC = [("c0", 0), ("c1", 1), ("c2", 1), ("c3", 3), ("c4", 3), ("c5", 5), ("c6", 5), ("c7", 7),
            ("x8", 8), ("xm1", -1), ("xnone", None)]
CF1_REMIND = ["c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7"]  # inside [today, today + 7]
NO_EMAIL = {"c3"}


def odate(offset):
    """The China date `offset` days after T's, YYYY-MM-DD."""
    return time.strftime("%Y-%m-%d", time.gmtime(T + CHINA + offset * DAY))


def bday(offset):
    return "1980-" + odate(offset)[5:]


class CareWorld:
    def __init__(self):
        self.ok = False
        self.acc = {}       # key -> account id
        self.contact = {}   # key -> contact id
        self.rem = {}       # contact key -> reminder (dict, as listed after the run)
        self.pool = {"own": [], "other": []}
        self.fixed = {}     # own/other -> a reminder id that stays pending (for GET)
        self.tpl = {}       # zh/en -> template id
        self.counts = []    # care reminders reported by each run


def jobs_at(ctx, now, label):
    env = dict(os.environ)
    for k in ("KAM_NOW", "KAM_SMTP_URL", "KAM_SMTP_FROM", "KAM_SMTP_USER", "KAM_SMTP_PASSWORD"):
        env.pop(k, None)
    rc, out, err = run_cli(ctx.kam, ["jobs", "run", "--db", ctx.dsn, "--now", iso(now)], env=env)
    m = CARE_RE.search(out)
    ctx.ck.ok(rc == 0 and m is not None, "%s: kam jobs run --now %s exits 0 and reports its care reminders"
              % (label, iso(now)), "rc=%s stdout=%s stderr=%s" % (rc, out[-300:], err[-300:]))
    return int(m.group(1)) if (rc == 0 and m) else None


def care_world(ctx):
    """Build (once) the reminders of the care groups and the matrix; returns a CareWorld."""
    W = getattr(ctx, "care_world", None)
    if W is not None:
        return W
    W = ctx.care_world = CareWorld()
    ck, a = ctx.ck, ctx.admin

    r = a.get("/api/v1/care-occasions")
    births = [o for o in r.items or [] if o.get("kind") == "birthday" and o.get("active")]
    if not ck.ok(r.status == 200 and len(births) == 1 and births[0].get("days_before") == 7
                 and births[0].get("key_people_only") is False,
                 "care world: one active birthday occasion, 7 days ahead, for every contact (the default)",
                 r.describe()):
        return W

    W.acc["own"] = ctx.new_account("am_e", members=[("service_e", "service"), ("viewer_e", "marketing")],
                                   code=ctx.uniq("CRO"), name="关怀自有 " + ctx.tag)
    W.acc["other"] = ctx.new_account("am_w", code=ctx.uniq("CRX"), name="关怀他人 " + ctx.tag)
    W.acc["CF1"] = ctx.new_account("am_e", code=ctx.uniq("CF1"), name="关怀客户 " + ctx.tag)
    W.acc["CF2"] = ctx.new_account("am_w", code=ctx.uniq("CF2"), name="关怀客户二 " + ctx.tag)
    for side in ("own", "other"):
        for i in range(POOL):
            key = "%s%d" % (side, i)
            W.contact[key] = ctx.new_contact(W.acc[side], name="矩阵寿星 %s %d" % (side, i), birthday=bday(2),
                                             email="pool%d.%s@example.cn" % (i, side))
    for key, off in CF1_SPEC:
        fields = {"name": "寿星 %s" % key}
        if off is not None:
            fields["birthday"] = bday(off)
        if key not in NO_EMAIL:
            fields["email"] = "%s.%s@example.cn" % (key, ctx.tag)
        W.contact[key] = ctx.new_contact(W.acc["CF1"], **fields)
    for key, off in (("d2", 2), ("d4", 4)):
        W.contact[key] = ctx.new_contact(W.acc["CF2"], name="寿星 %s" % key, birthday=bday(off),
                                         email="%s.%s@example.cn" % (key, ctx.tag))
    for loc, spec in (("zh", TPL_ZH), ("en", TPL_EN)):
        j = ctx.must(a.post("/api/v1/message-templates", dict(spec, name="测试模板 %s %s" % (loc, ctx.tag),
                                                               body=TPL_BODY)), 201, "create the %s template" % loc)
        W.tpl[loc] = j["id"]

    # the run, with the cadence rules off so that it plans no visit in the main database
    r = a.get("/api/v1/cadences")
    active = [x.get("id") for x in r.items or [] if x.get("active")]
    ctx.must(r, 200, "list the cadence rules")
    try:
        for cid in active:
            ctx.must(a.patch("/api/v1/cadences/%d" % cid, {"active": False}), 200, "pause cadence rule %d" % cid)
        W.counts.append(jobs_at(ctx, T, "care world"))
        W.counts.append(jobs_at(ctx, T + 600, "care world, second run"))
    finally:
        for cid in active:
            ctx.must(a.patch("/api/v1/cadences/%d" % cid, {"active": True}), 200, "resume cadence rule %d" % cid)

    by_contact = {}
    for key in ("own", "other", "CF1", "CF2"):
        items, _, err = a.list_all("/api/v1/care", {"account_id": str(W.acc[key])})
        if not ck.ok(err is None, "care world: list the reminders of account %s" % key, err and err.describe()):
            return W
        for it in items:
            by_contact.setdefault(it.get("contact_id"), []).append(it)
    cid_key = {v: k for k, v in W.contact.items()}
    dup = [cid_key.get(c) for c, its in by_contact.items() if len(its) != 1]
    ck.ok(not dup, "care world: one birthday reminder per contact, also after a second run", repr(dup))
    for c, its in by_contact.items():
        if cid_key.get(c) is not None:
            W.rem[cid_key[c]] = its[0]
    for side in ("own", "other"):
        ids = [W.rem[k]["id"] for k in ("%s%d" % (side, i) for i in range(POOL)) if k in W.rem]
        if not ck.ok(len(ids) == POOL, "care world: %d reminders on the %s account" % (POOL, side),
                     "got %d" % len(ids)):
            return W
        W.fixed[side] = ids[0]
        W.pool[side] = ids[1:]
    W.ok = True
    return W


def care_state(ctx, rid, acc):
    """A reminder, its contact and everything of its account a refused request must not change."""
    r = ctx.admin.get("/api/v1/care/%d" % rid)
    st = ctx.rel_state(acc)
    st["care"] = (r.status, r.json)
    cid = r.json.get("contact_id") if isinstance(r.json, dict) else None
    if isinstance(cid, int):
        st["contact"] = ctx.admin.get("/api/v1/contacts/%d" % cid).json
    return st


def occasion_variants(name, locale):
    """{{occasion}} in a template: the reminder's occasion name, or its part in the template's
    language when the name is bilingual ("生日 Birthday")."""
    out = {name}
    if name in ("Birthday", "生日", "生日 Birthday"):  # worded by the key (issue 12: the template's language)
        return {"生日" if locale == "zh" else "Birthday"}
    if " " in name:
        zh, en = name.split(" ", 1)
        out.add(zh if locale == "zh" else en)
    return out


def rendered(text, want, occ):
    """Check a rendered TPL_BODY: C/A/S exact, O one of occ, K (company) filled in."""
    lines = dict(ln.split("=", 1) for ln in (text or "").split("\n") if "=" in ln)
    problems = []
    for k in ("C", "A", "S"):
        if lines.get(k) != want[k]:
            problems.append("%s=%r want %r" % (k, lines.get(k), want[k]))
    if lines.get("O") not in occ:
        problems.append("O=%r want one of %s" % (lines.get("O"), sorted(occ)))
    if not lines.get("K") or "{{" in lines.get("K", ""):
        problems.append("K (company)=%r" % lines.get("K"))
    if "{{" in (text or ""):
        problems.append("placeholders left")
    return problems


# ------------------------------------------------------------------ reminders

def g_care(ctx):
    ck = ctx.ck
    W = care_world(ctx)
    if not W.ok:
        ck.fail("care world could not be built")
        return
    _generation(ctx, W)
    _lists(ctx, W, before=True)
    _send(ctx, W)
    _done_skip(ctx, W)
    _lists(ctx, W, before=False)
    _cascade(ctx, W)


def _generation(ctx, W):
    ck = ctx.ck
    n_mine = 2 * POOL + len(CF1_REMIND) + 2
    first, second = (W.counts + [None, None])[:2]
    ck.ok(first is not None and first >= n_mine,
          "the run at T reports at least the %d birthday reminders of this run's contacts" % n_mine, repr(first))
    ck.ok(second == 0, "a second run (T + 10 min) creates no reminder", repr(second))
    got = sorted(k for k in W.rem if k.startswith(("c", "x", "d")))
    want = sorted(CF1_REMIND + ["d2", "d4"])
    ck.ok(got == want, "reminders exactly for the birthdays from today to today + 7 (China dates), not for "
          "+8, -1 or no birthday", "got %s want %s" % (got, want))
    owners = {"CF1": ctx.U("am_e").id, "CF2": ctx.U("am_w").id}
    offs = dict(CF1_SPEC, d2=2, d4=4)
    for key in want:
        rem = W.rem.get(key)
        if rem is None:
            continue
        acc = "CF2" if key.startswith("d") else "CF1"
        ck.matches(rem, dict(CARE_SHAPE, account_id=W.acc[acc], contact_id=W.contact[key], owner_id=owners[acc],
                             account_name=("关怀客户二 " if acc == "CF2" else "关怀客户 ") + ctx.tag,
                             contact_name="寿星 %s" % key,
                             contact_email="" if key in NO_EMAIL else "%s.%s@example.cn" % (key, ctx.tag),
                             occasion_kind="birthday", occasion_date=odate(offs[key]), status="pending",
                             done_at=None, interaction_id=None, mail_status=None, created_at=iso(T)),
                   "reminder of %s: pending, for the owner, on the birthday this year, made at T" % key)
    r = ctx.U("am_e").client.get("/api/v1/care/%d" % W.rem["c1"]["id"])
    ck.expect(r, 200, "GET /care/{id} (owner) = the list item", json=W.rem["c1"])
    r = ctx.admin.get("/api/v1/care/999999999")
    ck.expect(r, 404, "GET /care/{unknown} -> 404", code="not_found")

    # the owner is notified once per occasion and date
    for ukey, offsets in (("am_e", [0, 1, 2, 3, 5, 7]), ("am_w", [2, 4])):
        items, _, err = ctx.U(ukey).client.list_all("/api/v1/notifications")
        at_t = [n for n in items or [] if n.get("created_at") == iso(T)]
        per = {o: [n for n in at_t if odate(o) in n.get("title", "") + n.get("body", "") + n.get("link", "")]
               for o in offsets}
        ck.ok(err is None and len(at_t) == len(offsets) and all(len(v) == 1 for v in per.values()),
              "%s got one care notification per birthday date (%d dates), not one per contact" % (ukey, len(offsets)),
              repr([(n.get("title"), n.get("link")) for n in at_t])[:500])


def _ids(ctx, q, client=None):
    r = (client or ctx.admin).get("/api/v1/care", dict(q, limit="500"))
    return [x.get("id") for x in r.items or []] if r.status == 200 else ("error", r.status, r.body[:200])


def _lists(ctx, W, before):
    ck = ctx.ck
    rid = {k: W.rem[k]["id"] for k in W.rem}
    cf1 = str(W.acc["CF1"])
    order = [rid[k] for k in CF1_REMIND]
    if before:
        items = paginate(ctx, ctx.admin, "/api/v1/care", {"account_id": cf1}, 3, "care?account_id limit=3")
        if items is not None:
            ck.ok([x.get("id") for x in items] == order, "care list: by occasion_date, ties by id, across pages",
                  repr([(x.get("id"), x.get("occasion_date")) for x in items]))
        cases = [({"status": "pending"}, order), ({"status": "sent"}, []),
                 ({"from": odate(3)}, [rid[k] for k in ("c3", "c4", "c5", "c6", "c7")]),
                 ({"to": odate(2)}, [rid[k] for k in ("c0", "c1", "c2")]),
                 ({"from": odate(2), "to": odate(6)}, [rid[k] for k in ("c3", "c4", "c5", "c6")]),
                 ({"from": odate(8)}, []), ({"to": odate(0)}, []),
                 ({"owner_id": str(ctx.U("am_w").id)}, []), ({"owner_id": str(ctx.U("am_e").id)}, order)]
        got = _ids(ctx, {"account_id": cf1, "to": odate(3)})
        print("NOTE: care?to=%s (a reminder on that date) %s it" % (odate(3), "includes" if rid["c3"] in got
                                                                 else "excludes"), flush=True)
    else:
        cases = [({"status": "pending"}, [rid["c0"], rid["c7"]]), ({"status": "sent"}, [rid["c1"], rid["c5"]]),
                 ({"status": "done"}, [rid["c2"], rid["c4"], rid["c6"]]), ({"status": "skipped"}, [rid["c3"]]),
                 ({"status": "done", "from": odate(2)}, [rid["c4"], rid["c6"]]),
                 ({"status": "pending", "to": odate(4), "owner_id": str(ctx.U("am_e").id)}, [rid["c0"]])]
    for q, want in cases:
        got = _ids(ctx, dict(q, account_id=cf1))
        ck.ok(got == want, "care %s (account CF1) -> %d reminders" % (q, len(want)), "got %s want %s" % (got, want))
    if not before:
        return

    # owner filter without an account, scope
    items, _, err = ctx.admin.list_all("/api/v1/care", {"owner_id": str(ctx.U("am_w").id)})
    ids = {x.get("id") for x in items or []}
    ck.ok(err is None and all(x.get("owner_id") == ctx.U("am_w").id for x in items)
          and {rid["d2"], rid["d4"]} <= ids and not ids & set(order),
          "care?owner_id=am_w: only am_w's reminders (CF2's among them, none of CF1)", repr(sorted(ids))[:300])
    ck.ok(_ids(ctx, {"account_id": cf1}, ctx.U("lead_e").client) == order,
          "lead_e (manager of the owner am_e) lists CF1's reminders")
    ck.ok(_ids(ctx, {"account_id": cf1}, ctx.U("fin").client) == order, "finance (reads all) lists them")
    for key in ("am_w", "viewer_x", "service_e"):
        got = _ids(ctx, {"account_id": cf1}, ctx.U(key).client)
        ck.ok(got == [], "%s (CF1 out of scope) lists none of its reminders" % key, repr(got))
    got = _ids(ctx, {"account_id": str(W.acc["own"])}, ctx.U("viewer_e").client)
    ck.ok(isinstance(got, list) and len(got) == POOL,
          "viewer_e (account team member) lists the reminders of that account", repr(got)[:200])
    r = ctx.U("hr").client.get("/api/v1/care")
    ck.expect(r, 403, "hr GET /care -> 403", code="forbidden")
    r = ctx.U("am_w").client.get("/api/v1/care/%d" % rid["c1"])
    ck.expect(r, 404, "am_w GET a reminder of an account out of scope -> 404", code="not_found")
    r = ctx.U("viewer_x").client.get("/api/v1/care/%d" % rid["c1"])
    ck.expect(r, 404, "viewer_x GET a reminder of an account out of scope -> 404", code="not_found")
    for q, f in (({"status": "open"}, "status"), ({"status": "sent,done"}, "status"), ({"from": "2021-13-01"}, "from"),
                 ({"from": "yesterday"}, "from"), ({"to": "2021-02-30"}, "to"), ({"owner_id": "myself"}, "owner_id"),
                 ({"account_id": "x"}, "account_id"), ({"limit": "0"}, "limit"), ({"limit": "501"}, "limit"),
                 ({"cursor": "garbage!!"}, "cursor"), ({"kind": "birthday"}, "kind")):
        r = ctx.admin.get("/api/v1/care", q)
        ck.expect(r, 400, "care %s -> 400 field %s" % (q, f), field=f, code="invalid")


def _send(ctx, W):
    ck = ctx.ck
    am, lead = ctx.U("am_e"), ctx.U("lead_e")
    cf1 = W.acc["CF1"]
    acct_name = "关怀客户 " + ctx.tag
    for key, who, loc, label in (("c1", am, "zh", "the owner, zh template"),
                                 ("c5", lead, "en", "the owner's team lead, en template")):
        rem = W.rem[key]
        rid, cid = rem["id"], W.contact[key]
        ck.ok(last_contacted(ctx, cid) is None, "%s was never contacted before" % key)
        t0 = time.time()
        r = who.client.post("/api/v1/care/%d/send" % rid, {"template_id": W.tpl[loc]})
        if not ck.expect(r, 200, "POST /care/{id}/send by %s -> 200 sent, channel email, mail queued" % label,
                         json=dict(CARE_SHAPE, id=rid, status="sent", channel="email", mail_status="queued",
                                   interaction_id=is_id, done_at=near(t0))):
            continue
        iid = r.json["interaction_id"]
        ck.expect(ctx.admin.get("/api/v1/care/%d" % rid), 200, "GET the sent reminder: mail_status queued",
                  json={"status": "sent", "mail_status": "queued", "interaction_id": iid})
        r = ctx.admin.get("/api/v1/interactions/%d" % iid)
        occ = occasion_variants(rem["occasion_name"], loc)
        name = "寿星 %s" % key
        if loc == "zh":
            subj_ok = lambda s: s == "%s，生日快乐（%s）" % (name, acct_name)  # noqa: E731
        else:
            subj_ok = lambda s: s in {"Happy %s, %s!" % (o, name) for o in occ}  # noqa: E731
        subj_ok.__name__ = "the rendered subject"
        if ck.expect(r, 200, "send logged an email interaction on the account with the contact, by the sender, "
                     "its subject the rendered template subject",
                     json={"account_id": cf1, "kind": "email", "contact_ids": [cid], "user_id": who.id,
                           "occurred_at": near(t0), "subject": subj_ok}):
            problems = rendered(r.json.get("notes"), {"C": name, "A": acct_name, "S": who.name}, occ)
            ck.ok(not problems, "the interaction holds the rendered body (contact, account, occasion, sender, "
                  "company filled in)", "; ".join(problems) + " | " + repr(r.json.get("notes")))
        ck.ok(near(t0)(last_contacted(ctx, cid)), "sending moved the contact's last_contacted_at to now",
              repr(last_contacted(ctx, cid)))
        before = care_state(ctx, rid, cf1)
        r = who.client.post("/api/v1/care/%d/send" % rid, {"template_id": W.tpl[loc]})
        ck.expect(r, 409, "sending a sent reminder again -> 409 field status", field="status", code="conflict")
        r = who.client.post("/api/v1/care/%d/done" % rid, {"channel": "call"})
        ck.expect(r, 409, "done on a sent reminder -> 409 field status", field="status", code="conflict")
        r = who.client.post("/api/v1/care/%d/skip" % rid)
        ck.expect(r, 409, "skip on a sent reminder -> 409 field status", field="status", code="conflict")
        ck.same(before, care_state(ctx, rid, cf1), "the refused moves changed nothing")

    # no e-mail address; bad bodies (on c3, which stays pending until skipped)
    rid = W.rem["c3"]["id"]
    before = care_state(ctx, rid, cf1)
    for body, f, label in (({"template_id": W.tpl["zh"]}, "email", "a contact without e-mail"),
                           ({"template_id": 999999999}, "template_id", "an unknown template"),
                           ({}, "template_id", "no template_id"),
                           ({"template_id": "1"}, "template_id", "template_id a string"),
                           ({"template_id": None}, "template_id", "template_id null"),
                           ({"template_id": W.tpl["zh"], "to": "x@example.com"}, "to", "an unknown field")):
        r = am.client.post("/api/v1/care/%d/send" % rid, body)
        ck.expect(r, 400, "send with %s -> 400 field %s" % (label, f), field=f, code="invalid")
    ck.same(before, care_state(ctx, rid, cf1), "the refused sends changed nothing (still pending, no interaction)")
    r = am.client.post("/api/v1/care/999999999/send", {"template_id": W.tpl["zh"]})
    ck.expect(r, 404, "send on an unknown reminder -> 404", code="not_found")


def _done_skip(ctx, W):
    ck = ctx.ck
    am = ctx.U("am_e")
    cf1 = W.acc["CF1"]
    for key, who, channel, kind in (("c2", am, "call", "call"), ("c4", am, "gift", "care"),
                                    ("c6", ctx.U("dir"), "visit", "visit")):
        rid, cid = W.rem[key]["id"], W.contact[key]
        note = "%s 关怀 %s" % (channel, ctx.uniq())
        t0 = time.time()
        r = who.client.post("/api/v1/care/%d/done" % rid, {"channel": channel, "note": note})
        if not ck.expect(r, 200, "done channel=%s -> 200 done, channel and note kept" % channel,
                         json=dict(CARE_SHAPE, id=rid, status="done", channel=channel, note=note,
                                   interaction_id=is_id, done_at=near(t0), mail_status=None)):
            continue
        r = ctx.admin.get("/api/v1/interactions/%d" % r.json["interaction_id"])
        ck.expect(r, 200, "done channel=%s logged an interaction of kind %s with the contact" % (channel, kind),
                  json={"account_id": cf1, "kind": kind, "contact_ids": [cid], "user_id": who.id,
                        "occurred_at": near(t0)})
        ck.ok(near(t0)(last_contacted(ctx, cid)), "done (%s) moved the contact's last_contacted_at to now" % channel,
              repr(last_contacted(ctx, cid)))
    rid = W.rem["c2"]["id"]
    before = care_state(ctx, rid, cf1)
    r = am.client.post("/api/v1/care/%d/done" % rid, {"channel": "call"})
    ck.expect(r, 409, "done twice -> 409 field status", field="status", code="conflict")
    r = am.client.post("/api/v1/care/%d/skip" % rid)
    ck.expect(r, 409, "skip after done -> 409 field status", field="status", code="conflict")
    ck.same(before, care_state(ctx, rid, cf1), "...changed nothing")

    rid = W.rem["c7"]["id"]  # stays pending
    before = care_state(ctx, rid, cf1)
    for body, f in (({}, "channel"), ({"channel": "fax"}, "channel"), ({"channel": "email"}, "channel"),
                    ({"channel": "CALL"}, "channel"), ({"channel": None}, "channel"), ({"channel": 1}, "channel"),
                    ({"channel": "call", "note": "x" * 2001}, "note"), ({"channel": "call", "note": 5}, "note"),
                    ({"channel": "call", "note": "bad\u0000"}, "note"),
                    ({"channel": "call", "kind": "call"}, "kind")):
        r = am.client.post("/api/v1/care/%d/done" % rid, body)
        ck.expect(r, 400, "done %s -> 400 field %s" % (str(body)[:60], f), field=f, code="invalid")
    ck.same(before, care_state(ctx, rid, cf1), "the refused done bodies changed nothing")
    r = am.client.post("/api/v1/care/999999999/done", {"channel": "call"})
    ck.expect(r, 404, "done on an unknown reminder -> 404", code="not_found")

    rid, cid = W.rem["c3"]["id"], W.contact["c3"]
    r = am.client.post("/api/v1/care/%d/skip" % rid)
    ck.expect(r, 200, "skip -> 200 skipped, no interaction, no mail",
              json=dict(CARE_SHAPE, id=rid, status="skipped", interaction_id=None, mail_status=None))
    ck.ok(last_contacted(ctx, cid) is None, "skipping does not count as a contact", repr(last_contacted(ctx, cid)))
    before = care_state(ctx, rid, cf1)
    for path, body in (("skip", None), ("done", {"channel": "call"}), ("send", {"template_id": W.tpl["zh"]})):
        r = am.client.post("/api/v1/care/%d/%s" % (rid, path), body) if body else am.client.post(
            "/api/v1/care/%d/%s" % (rid, path))
        ck.expect(r, 409 if path != "send" else (409, 400),
                  "%s on a skipped reminder -> 409 field status" % path + (" (or 400 email: no address)"
                                                                          if path == "send" else ""),
                  field=("status", "email") if path == "send" else "status")
    ck.same(before, care_state(ctx, rid, cf1), "...changed nothing")
    r = am.client.post("/api/v1/care/999999999/skip")
    ck.expect(r, 404, "skip on an unknown reminder -> 404", code="not_found")


# ------------------------------------------------------------------ occasions and templates

def _list(ctx, path):
    r = ctx.admin.get(path)
    return (r.status, r.json)


def g_care_config(ctx):
    _occasions(ctx)
    _templates(ctx)


DEFAULT_OCCASIONS = [("birthday", None, 7, False), ("festival", "spring_festival", 14, True),
                     ("festival", "mid_autumn", 14, True), ("festival", "dragon_boat", 7, True),
                     ("festival", "national_day", 7, True), ("festival", "new_year", 7, True)]


def _occasions(ctx):
    ck, a = ctx.ck, ctx.admin
    path = "/api/v1/care-occasions"
    r = ctx.U("viewer_x").client.get(path)
    if not ck.expect(r, 200, "GET /care-occasions (as a viewer) -> a list", json={"items": list}):
        return
    for it in r.items:
        ck.matches(it, OCCASION_SHAPE, "occasion %s shape" % it.get("id"))
    have = {(o.get("kind"), o.get("festival_key") if o.get("kind") == "festival" else None, o.get("days_before"),
             o.get("key_people_only")) for o in r.items if o.get("active")}
    for d in DEFAULT_OCCASIONS:
        ck.ok(d in have, "default occasion %s %s %d days ahead (key people only: %s) is there and active" % d,
              repr(sorted(have, key=repr)))

    rc, out, err = run_cli(ctx.kam, ["festivals", "--year", "2027"])
    keys = [ln.split("\t")[1] for ln in out.splitlines() if ln.count("\t") >= 2]
    ck.ok(rc == 0 and "qixi" in keys and "spring_festival" in keys, "kam festivals --year 2027 lists festival keys",
          "rc=%s %s %s" % (rc, out[:200], err[:200]))

    made = []
    try:
        name = "公司周年 " + ctx.tag
        body = {"kind": "special", "name": name, "month": 3, "day": 15, "days_before": 10, "key_people_only": True,
                "active": False}
        r = ctx.U("dir").client.post(path, body)
        if not ck.expect(r, 201, "POST a special date (director) -> 201", json=dict(OCCASION_SHAPE, **body)):
            return
        sid = r.json["id"]
        made.append(sid)
        fest = {"kind": "festival", "festival_key": "qixi", "days_before": 60, "key_people_only": False,
                "active": False}
        r = a.post(path, fest)
        if ck.expect(r, 201, "POST a festival occasion (qixi, 60 days: the maximum) -> 201, no month/day",
                     json=dict(OCCASION_SHAPE, month=None, day=None, **fest)):
            made.append(r.json["id"])
        r = a.post(path, {"kind": "special", "name": "零天 " + ctx.tag, "month": 2, "day": 29, "days_before": 0,
                          "active": False})
        if ck.expect(r, 201, "POST a special date on 29 February, 0 days ahead -> 201",
                     json={"month": 2, "day": 29, "days_before": 0}):
            made.append(r.json["id"])
        r = a.get(path)
        ck.ok(r.status == 200 and set(made) <= {o.get("id") for o in r.items or []}, "GET lists the new occasions")

        before = _list(ctx, path)
        cases = [
            ({"kind": "festival", "festival_key": "easter", "days_before": 7}, "festival_key",
             "festival_key unknown"),
            ({"kind": "festival", "days_before": 7}, "festival_key", "festival without festival_key"),
            ({"kind": "festival", "festival_key": None}, "festival_key", "festival_key null"),
            ({"kind": "festival", "festival_key": "qixi", "days_before": 61}, "days_before", "days_before 61"),
            ({"kind": "festival", "festival_key": "qixi", "days_before": -1}, "days_before", "days_before -1"),
            ({"kind": "festival", "festival_key": "qixi", "days_before": "7"}, "days_before", "days_before a string"),
            ({"kind": "special", "name": "无日期"}, ("month", "day"), "special without month/day"),
            ({"kind": "special", "name": "无日", "month": 5}, ("month", "day"), "special without day"),
            ({"kind": "special", "name": "无月", "day": 5}, ("month", "day"), "special without month"),
            ({"kind": "special", "name": "二月三十", "month": 2, "day": 30}, ("month", "day"), "special 02-30"),
            ({"kind": "special", "name": "十三月", "month": 13, "day": 1}, ("month", "day"), "special month 13"),
            ({"kind": "special", "name": "零日", "month": 1, "day": 0}, ("month", "day"), "special day 0"),
            ({"kind": "special", "month": 5, "day": 5}, "name", "special without a name"),
            ({"kind": "special", "name": "", "month": 5, "day": 5}, "name", "special with an empty name"),
            ({"kind": "special", "name": "x" * 101, "month": 5, "day": 5}, "name", "name of 101 chars"),
            ({"kind": "anniversary", "month": 5, "day": 5}, "kind", "kind unknown"),
            ({"days_before": 7}, "kind", "no kind"),
            ({"kind": "birthday", "active": "yes"}, "active", "active a string"),
            ({"kind": "birthday", "key_people_only": 1}, "key_people_only", "key_people_only a number"),
            ({"kind": "birthday", "color": "red"}, "color", "an unknown field"),
        ]
        for bad, f, label in cases:
            r = a.post(path, bad)
            ck.expect(r, 400, "POST occasion: %s -> 400 field %s" % (label, "/".join(f) if isinstance(f, tuple)
                                                                     else f), field=f, code="invalid")
        ck.same(before, _list(ctx, path), "the refused POSTs added no occasion")

        r = a.patch("%s/%d" % (path, sid), {"days_before": 30, "name": name + " 改", "month": 4})
        ck.expect(r, 200, "PATCH the special date (days_before, name, month) -> 200",
                  json=dict(body, id=sid, days_before=30, name=name + " 改", month=4, day=15))
        before = _list(ctx, path)
        for b, f in (({"days_before": 61}, "days_before"), ({"day": 31}, ("month", "day")),
                     ({"kind": "festival"}, "festival_key"), ({"kind": "lunar"}, "kind"), ({"id": 5}, "id")):
            r = a.patch("%s/%d" % (path, sid), b)
            ck.expect(r, 400, "PATCH occasion %s -> 400" % b, field=f, code="invalid")
        ck.same(before, _list(ctx, path), "the refused PATCHes changed nothing")
        r = a.patch("%s/%d" % (path, sid), {"kind": "festival", "festival_key": "dongzhi"})
        ck.expect(r, 200, "PATCH special -> festival dongzhi -> 200, month/day gone",
                  json={"kind": "festival", "festival_key": "dongzhi", "month": None, "day": None})
        r = a.patch("%s/999999999" % path, {"days_before": 3})
        ck.expect(r, 404, "PATCH an unknown occasion -> 404", code="not_found")

        r = a.delete("%s/%d" % (path, sid))
        ck.expect(r, 204, "DELETE the occasion -> 204")
        made.remove(sid)
        r = a.get(path)
        ck.ok(r.status == 200 and sid not in {o.get("id") for o in r.items or []}, "GET no longer lists it")
        for m, b in (("DELETE", None), ("PATCH", {"days_before": 3})):
            r = a.request(m, "%s/%d" % (path, sid), b) if b else a.request(m, "%s/%d" % (path, sid))
            ck.expect(r, 404, "%s the deleted occasion -> 404" % m, code="not_found")
        r = ctx.U("lead_e").client.post(path, {"kind": "birthday", "active": False})
        ck.expect(r, 403, "a team lead may not add an occasion -> 403", code="forbidden")
    finally:
        for oid in made:
            a.delete("%s/%d" % (path, oid))


def _templates(ctx):
    ck, a = ctx.ck, ctx.admin
    path = "/api/v1/message-templates"
    r = ctx.U("service_e").client.get(path)
    if not ck.expect(r, 200, "GET /message-templates (as service) -> a list", json={"items": list}):
        return
    for it in r.items:
        ck.matches(it, TEMPLATE_SHAPE, "template %s shape" % it.get("id"))
    have = {(t.get("locale"), t.get("occasion")) for t in r.items}
    ck.ok({("zh", "birthday"), ("en", "birthday"), ("zh", "festival"), ("en", "festival")} <= have,
          "default templates: birthday and festival, in Chinese and English", repr(sorted(have)))

    made = []
    try:
        body = {"name": "周年贺词 " + ctx.tag, "locale": "en", "occasion": "special",
                "subject": "Happy anniversary, {{contact_name}}",
                "body": "Dear {{contact_name}},\n\nAll of us at {{company}} ...\n\n{{sender_name}}"}
        r = ctx.U("dir").client.post(path, body)
        if not ck.expect(r, 201, "POST a template (director) -> 201, multi-line body kept",
                         json=dict(TEMPLATE_SHAPE, **body)):
            return
        tid = r.json["id"]
        made.append(tid)
        before = _list(ctx, path)
        good = dict(body, name="x " + ctx.tag)
        cases = [("name", None, "no name", True), ("name", "", "empty name", False),
                 ("name", "x" * 101, "name of 101 chars", False),
                 ("locale", "fr", "locale fr", False), ("locale", "ZH", "locale ZH", False),
                 ("occasion", "easter", "occasion easter", False), ("occasion", None, "occasion null", False),
                 ("subject", "", "empty subject", False), ("subject", None, "no subject", True),
                 ("subject", "s" * 201, "subject of 201 chars", False),
                 ("body", "", "empty body", False), ("body", None, "no body", True),
                 ("body", "b" * 8001, "body of 8001 chars", False), ("body", 7, "body a number", False),
                 ("sender", "me", "an unknown field", False)]
        for field, value, label, drop in cases:
            b = dict(good)
            if drop:
                b.pop(field)
            else:
                b[field] = value
            r = a.post(path, b)
            ck.expect(r, 400, "POST template: %s -> 400 field %s" % (label, field), field=field, code="invalid")
        ck.same(before, _list(ctx, path), "the refused POSTs added no template")

        r = a.patch("%s/%d" % (path, tid), {"subject": "Congratulations, {{contact_name}}", "locale": "zh"})
        ck.expect(r, 200, "PATCH template subject and locale -> 200",
                  json=dict(body, id=tid, subject="Congratulations, {{contact_name}}", locale="zh"))
        before = _list(ctx, path)
        for b, f in (({"locale": "xx"}, "locale"), ({"subject": ""}, "subject"), ({"occasion": "any2"}, "occasion"),
                     ({"id": 3}, "id")):
            r = a.patch("%s/%d" % (path, tid), b)
            ck.expect(r, 400, "PATCH template %s -> 400 field %s" % (b, f), field=f, code="invalid")
        ck.same(before, _list(ctx, path), "the refused PATCHes changed nothing")
        r = a.patch("%s/999999999" % path, {"name": "x"})
        ck.expect(r, 404, "PATCH an unknown template -> 404", code="not_found")
        r = ctx.U("am_e").client.patch("%s/%d" % (path, tid), {"name": "mine"})
        ck.expect(r, 403, "an account manager may not change a template -> 403", code="forbidden")
        r = a.delete("%s/%d" % (path, tid))
        ck.expect(r, 204, "DELETE the template -> 204")
        made.remove(tid)
        r = a.get(path)
        ck.ok(r.status == 200 and tid not in {t.get("id") for t in r.items or []}, "GET no longer lists it")
        r = a.delete("%s/%d" % (path, tid))
        ck.expect(r, 404, "DELETE it again -> 404", code="not_found")
    finally:
        for tid in made:
            a.delete("%s/%d" % (path, tid))


def _cascade(ctx, W):
    """Deleting a contact or an account with reminders works; the reminders go with them."""
    ck, a = ctx.ck, ctx.admin
    rid = W.rem["c7"]["id"]
    r = a.delete("/api/v1/contacts/%d" % W.contact["c7"])
    ck.expect(r, 204, "DELETE a contact that has a pending reminder -> 204")
    ck.expect(a.get("/api/v1/care/%d" % rid), 404, "...its reminder is gone (404)", code="not_found")
    got = _ids(ctx, {"account_id": str(W.acc["CF1"])})
    ck.ok(isinstance(got, list) and rid not in got and len(got) == len(CF1_REMIND) - 1,
          "...and no longer listed", repr(got))
    r = a.delete("/api/v1/accounts/%d" % W.acc["CF2"])
    ck.expect(r, 204, "DELETE an account with reminders -> 204")
    for key in ("d2", "d4"):
        ck.expect(a.get("/api/v1/care/%d" % W.rem[key]["id"]), 404, "...its reminder %s is gone (404)" % key,
                  code="not_found")
