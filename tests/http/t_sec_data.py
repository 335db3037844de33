"""t_sec_data -- issue 10 regression tests: data rules.

1. e-mail fields take one plain addr-spec (no display name, brackets, lists, quotes, comments);
   bidirectional embedding/override/isolate controls are refused in names, titles, codes and
   notes (400 naming the field, nothing changed); the implicit marks LRM/RLM/ALM stay allowed.
2. An account named in a body (measures) that the caller may not read gets the same answer as
   a missing one: same status, code, field and message.
3. Assignees and owners (issue assignee, measure owner, visit owner) must be active users who
   have the account in scope and whose role may change that kind of record; an issue without
   one goes to the account owner only when the owner may work on it.
(The e-mail encoder itself is tested in tests/care/run.py and tests/unit/test_rules_sec.c.)
"""

RLO = "\u202e"
BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]
MEASURE = {"kind": "promotion", "title": "安全测试举措", "start": "2031-01-01", "due": "2031-03-31"}


def g_sec_data(ctx):
    # A world of its own shaped like A_own (owner am_e; service_e and viewer_e on the account
    # team), so nothing here adds records to the fixtures other groups count.
    acc = ctx.new_account("am_e", members=[("service_e", "service"), ("viewer_e", "marketing")],
                          code=ctx.uniq("SD"), name="安全数据客户 " + ctx.tag)
    ctx.ids["SD_acc"] = acc
    ctx.ids["SD_con"] = ctx.new_contact(acc, name="安全联系人")
    ctx.ids["SD_issue"] = ctx.new_issue(acc, category="quality", severity="low")
    ctx.ids["SD_visit"] = ctx.new_visit(acc, "am_e")
    addresses(ctx)
    bidi(ctx)
    oracles(ctx)
    assignees(ctx)
    measure_owners(ctx)
    visit_owners(ctx)


def addresses(ctx):
    ck, a = ctx.ck, ctx.admin
    acc = ctx.ids["SD_acc"]
    con = ctx.ids["SD_con"]
    bad = [("a display name hiding another address", "x<evil@attacker.example>"),
           ("a name-addr", "Zhang Wei <zhang.wei@example.cn>"),
           ("angle brackets", "<zhang.wei@example.cn>"),
           ("two addresses with a comma", "a@example.cn, evil@attacker.example"),
           ("two addresses with a semicolon", "a@example.cn;evil@attacker.example"),
           ("a quoted local part", "\"zhang wei\"@example.cn"),
           ("a comment", "zhang(comment)@example.cn"),
           ("a local part of 65", "l" * 65 + "@example.cn"),
           ("a domain label of 64", "zhang@" + "d" * 64 + ".cn"),
           ("a host without a dot", "zhang@localhost"),
           ("a domain literal", "zhang@[192.0.2.1]"),
           ("consecutive dots", "zhang..wei@example.cn")]
    before = ctx.acct_state(acc)
    for name, email in bad:
        r = a.post("/api/v1/accounts/%d/contacts" % acc, {"name": "坏邮箱", "email": email})
        ck.expect(r, 400, "POST contact with %s (%r) -> 400 email" % (name, email), field="email", code="invalid")
    ck.same(before, ctx.acct_state(acc), "refused contact e-mails created nothing")
    before = ctx.contact_state(con, acc)
    for name, email in bad[:4]:
        r = a.patch("/api/v1/contacts/%d" % con, {"email": email})
        ck.expect(r, 400, "PATCH contact e-mail to %s -> 400 email" % name, field="email")
    ck.same(before, ctx.contact_state(con, acc), "refused contact e-mail changes changed nothing")
    r = a.post("/api/v1/users", {"login": ctx.uniq("mail_"), "name": "Mail", "email": "x<evil@attacker.example>",
                                 "role": "viewer", "password": "pw-mail-0123456789"})
    ck.expect(r, 400, "POST user with a bracketed e-mail -> 400 email", field="email")
    # Still fine: ordinary addresses, a 64-character local part.
    for email in ("zhang.wei+kam@example.com.cn", "o'brien@mail.example.org", "l" * 64 + "@example.cn"):
        r = a.post("/api/v1/accounts/%d/contacts" % acc, {"name": "好邮箱 " + ctx.uniq(), "email": email})
        ck.expect(r, 201, "POST contact with %r -> 201" % email, json={"email": email})


def bidi(ctx):
    ck, a = ctx.ck, ctx.admin
    acc = ctx.ids["SD_acc"]
    con = ctx.ids["SD_con"]
    xid = ctx.ids["SD_issue"]
    before = ctx.rel_state(acc)
    for ch in BIDI:
        code = "U+%04X" % ord(ch)
        r = a.post("/api/v1/accounts", {"code": ctx.uniq("BD"), "name": "ACME" + ch + "gpj.exe"})
        ck.expect(r, 400, "POST account with %s in the name -> 400 name" % code, field="name", code="invalid")
        r = a.post("/api/v1/accounts/%d/contacts" % acc, {"name": "张" + ch + "伟"})
        ck.expect(r, 400, "POST contact with %s in the name -> 400 name" % code, field="name")
    cases = [("POST", "/api/v1/accounts", {"code": "BD" + RLO + ctx.uniq(), "name": "双向"}, "code"),
             ("POST", "/api/v1/accounts", {"code": ctx.uniq("BD"), "name": "双向", "alias": "a" + RLO}, "alias"),
             ("PATCH", "/api/v1/accounts/%d" % acc, {"name": "自有客户" + RLO + "evil"}, "name"),
             ("POST", "/api/v1/accounts/%d/contacts" % acc, {"name": "张伟", "title": "总" + RLO + "监"}, "title"),
             ("PATCH", "/api/v1/contacts/%d" % con, {"notes": "备注第一行\n第二行" + RLO + "txt.exe"}, "notes"),
             ("POST", "/api/v1/accounts/%d/issues" % acc, {"title": "来料" + RLO + "不良"}, "title"),
             ("POST", "/api/v1/accounts/%d/issues" % acc,
              {"title": "来料不良", "description": "多行\n说明" + RLO}, "description"),
             ("PATCH", "/api/v1/issues/%d" % xid, {"title": "x" + "\u2067" + "y"}, "title"),
             ("POST", "/api/v1/accounts/%d/interactions" % acc, {"kind": "call", "subject": "电话" + RLO}, "subject"),
             ("POST", "/api/v1/teams", {"name": "团队" + RLO, "parent_id": None, "manager_id": None}, "name"),
             ("POST", "/api/v1/measures", dict(MEASURE, account_id=acc, title="促销" + RLO), "title"),
             ("POST", "/api/v1/accounts/%d/contacts" % acc, {"name": "张伟\u2028李娜"}, "name")]
    for meth, path, body, field in cases:
        r = a.request(meth, path, body)
        ck.expect(r, 400, "%s %s with a bidi control in %s -> 400 %s" % (meth, path.split("/api/v1")[1], field, field),
                  field=field, code="invalid")
    ck.same(before, ctx.rel_state(acc), "refused bidi texts changed nothing")
    # The implicit direction marks are allowed (right-to-left names need them).
    r = a.post("/api/v1/accounts/%d/contacts" % acc, {"name": "\u05e9\u05dc\u05d5\u05dd\u200f 12 " + ctx.uniq()})
    ck.expect(r, 201, "POST contact with RLM in a Hebrew name -> 201")
    r = a.post("/api/v1/accounts/%d/contacts" % acc, {"name": "Ali\u200e " + ctx.uniq(), "notes": "a\u061cb\nc"})
    ck.expect(r, 201, "POST contact with LRM in the name and ALM in the notes -> 201")


def oracles(ctx):
    """A caller who may not read an account gets for it exactly what a missing account gets."""
    ck = ctx.ck
    am = ctx.U("am_e").client
    other, missing = ctx.ids["A_other"], 987654321
    before = ctx.ids_of("/api/v1/measures", {"limit": "500"})

    def same_answer(name, make):
        r1, r2 = make(other), make(missing)
        e1, e2 = [tuple((r.err or {}).get(k) for k in ("code", "field", "message")) for r in (r1, r2)]
        ck.ok(r1.status == r2.status and r1.status >= 400 and e1 == e2,
              "%s: an out-of-scope account and a missing one get the same answer" % name,
              "out of scope: %s | missing: %s" % (r1.describe(), r2.describe()))
        return r1

    r = same_answer("POST /measures as am_e",
                    lambda acc: am.post("/api/v1/measures", dict(MEASURE, account_id=acc)))
    ck.expect(r, 400, "POST /measures with am_w's account as am_e -> 400 account_id", field="account_id",
              code="invalid")
    mine = am.post("/api/v1/measures", dict(MEASURE, account_id=ctx.ids["SD_acc"], title="自有举措 " + ctx.uniq()))
    if ck.expect(mine, 201, "am_e plans a measure on their own account"):
        mid = mine.json["id"]
        snap = ctx.admin.get("/api/v1/measures/%d" % mid).json
        same_answer("PATCH /measures/{id} account_id as am_e",
                    lambda acc: am.patch("/api/v1/measures/%d" % mid, {"account_id": acc}))
        ck.same(snap, ctx.admin.get("/api/v1/measures/%d" % mid).json, "the refused measure moves changed nothing")
        before.append(mid)
    ck.same(sorted(before), ctx.ids_of("/api/v1/measures", {"limit": "500"}), "refused measures were not made")
    # The other body references already answer alike (kept as guards).
    same_answer("POST /accounts parent_id as am_e",
                lambda acc: am.post("/api/v1/accounts", {"code": ctx.uniq("PO"), "name": "父级探测",
                                                         "parent_id": acc}))
    c_other = ctx.ids["C_other"]
    for path, field, body in (("issues", "contact_id", lambda c: {"title": "探测", "contact_id": c}),
                              ("visits", "contact_id", lambda c: {"planned_at": "2031-01-01T02:00:00Z",
                                                                  "contact_id": c}),
                              ("interactions", "contact_ids", lambda c: {"kind": "call", "subject": "探测",
                                                                          "contact_ids": [c]})):
        r1 = am.post("/api/v1/accounts/%d/%s" % (ctx.ids["SD_acc"], path), body(c_other))
        r2 = am.post("/api/v1/accounts/%d/%s" % (ctx.ids["SD_acc"], path), body(987654321))
        ck.ok(r1.status == r2.status == 400 and r1.field == r2.field == field
              and (r1.err or {}).get("message", "").replace(str(c_other), "N")
              == (r2.err or {}).get("message", "").replace("987654321", "N"),
              "POST %s: a contact of an unseen account and a missing contact get the same answer" % path,
              "%s | %s" % (r1.describe(), r2.describe()))


def assignees(ctx):
    ck, a = ctx.ck, ctx.admin
    acc, xid = ctx.ids["SD_acc"], ctx.ids["SD_issue"]
    U = ctx.U
    before = ctx.rel_state(acc)
    for key, why in (("am_w", "has not the account in scope"), ("lead_w", "leads another team"),
                     ("viewer_e", "is on the account team but a viewer"), ("fin", "is finance"),
                     ("hr", "is HR")):
        r = a.post("/api/v1/accounts/%d/issues" % acc, {"title": "指派 " + key, "assignee_id": U(key).id})
        ck.expect(r, 400, "POST issue assigned to %s (%s) -> 400 assignee_id" % (key, why),
                  field="assignee_id", code="invalid")
    ck.same(before, ctx.rel_state(acc), "refused assignees created nothing")
    before = ctx.record_state("issues", xid, acc)
    r = a.patch("/api/v1/issues/%d" % xid, {"assignee_id": U("am_w").id})
    ck.expect(r, 400, "PATCH issue assignee to am_w (account out of their scope) -> 400 assignee_id",
              field="assignee_id")
    r = ctx.U("lead_e").client.patch("/api/v1/issues/%d" % xid, {"assignee_id": U("viewer_e").id})
    ck.expect(r, 400, "lead_e PATCH issue assignee to viewer_e -> 400 assignee_id", field="assignee_id")
    ck.same(before, ctx.record_state("issues", xid, acc), "refused reassignments changed nothing")
    for key in ("service_e", "lead_e", "lead0", "dir", "am_e"):
        r = a.post("/api/v1/accounts/%d/issues" % acc, {"title": "指派 " + key, "assignee_id": U(key).id})
        ck.expect(r, 201, "POST issue assigned to %s (may work on it) -> 201" % key, json={"assignee_id": U(key).id})
    # The default assignee: the owner when the owner may work on issues, else nobody.
    vacc = ctx.new_account("viewer_x", code=ctx.uniq("VWO"), name="观察者客户 " + ctx.tag)
    r = a.post("/api/v1/accounts/%d/issues" % vacc, {"title": "无人负责"})
    ck.expect(r, 201, "POST issue on an account a viewer owns -> 201 unassigned", json={"assignee_id": None})


def measure_owners(ctx):
    ck, a = ctx.ck, ctx.admin
    U = ctx.U
    acc = ctx.ids["SD_acc"]
    dirc = U("dir").client
    before = ctx.ids_of("/api/v1/measures", {"limit": "500"})
    for key, why in (("am_w", "has not the account in scope"), ("service_e", "is on the account team, but "
                                                                             "service changes no measures"),
                     ("viewer_e", "is a viewer"), ("fin", "is finance")):
        r = a.post("/api/v1/measures", dict(MEASURE, account_id=acc, owner_id=U(key).id))
        ck.expect(r, 400, "POST measure on the account owned by %s (%s) -> 400 owner_id" % (key, why),
                  field="owner_id", code="invalid")
    r = dirc.post("/api/v1/measures", dict(MEASURE, owner_id=U("viewer_e").id))
    ck.expect(r, 400, "plan-wide measure owned by a viewer -> 400 owner_id", field="owner_id")
    ck.same(before, ctx.ids_of("/api/v1/measures", {"limit": "500"}), "refused measure owners made nothing")
    r = a.post("/api/v1/measures", dict(MEASURE, account_id=acc, owner_id=U("lead_e").id, title="组长举措"))
    if ck.expect(r, 201, "POST measure on the account owned by lead_e -> 201", json={"owner_id": U("lead_e").id}):
        mid = r.json["id"]
        snap = a.get("/api/v1/measures/%d" % mid).json
        r = a.patch("/api/v1/measures/%d" % mid, {"owner_id": U("am_w").id})
        ck.expect(r, 400, "PATCH measure owner to am_w -> 400 owner_id", field="owner_id")
        r = a.patch("/api/v1/measures/%d" % mid, {"account_id": ctx.ids["A_other"]})
        ck.expect(r, 400, "PATCH measure onto A_other keeping owner lead_e (not theirs) -> 400 owner_id",
                  field="owner_id")
        ck.same(snap, a.get("/api/v1/measures/%d" % mid).json, "refused measure changes changed nothing")
    r = dirc.post("/api/v1/measures", dict(MEASURE, owner_id=U("am_w").id, title="全国举措"))
    ck.expect(r, 201, "plan-wide measure owned by an account manager -> 201", json={"owner_id": U("am_w").id})


def visit_owners(ctx):
    ck, a = ctx.ck, ctx.admin
    U = ctx.U
    acc = ctx.ids["SD_acc"]
    before = ctx.rel_state(acc)
    for key, why in (("am_w", "has not the account in scope"), ("viewer_e", "is a viewer"), ("fin", "is finance")):
        r = a.post("/api/v1/accounts/%d/visits" % acc, {"planned_at": "2031-02-03T02:00:00Z", "owner_id": U(key).id})
        ck.expect(r, 400, "POST visit on the account owned by %s (%s) -> 400 owner_id" % (key, why),
                  field="owner_id", code="invalid")
    vid = ctx.ids["SD_visit"]
    snap = ctx.record_state("visits", vid, acc)
    r = a.patch("/api/v1/visits/%d" % vid, {"owner_id": U("am_w").id})
    ck.expect(r, 400, "PATCH visit owner to am_w -> 400 owner_id", field="owner_id")
    ck.same(snap, ctx.record_state("visits", vid, acc), "refused visit owners changed nothing")
    ck.same(before, ctx.rel_state(acc), "refused visit owners created nothing")
    r = a.post("/api/v1/accounts/%d/visits" % acc, {"planned_at": "2031-02-03T02:00:00Z",
                                                    "owner_id": U("service_e").id})
    ck.expect(r, 201, "POST visit on the account owned by service_e (account team) -> 201",
              json={"owner_id": U("service_e").id})
