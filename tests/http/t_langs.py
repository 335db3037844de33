"""Every server text in the reader's language; pinyin that knows place names (issue 12, items 2
and 5; the "langs" helper).

  - care: a birthday reminder's occasion_name in the request's Accept-Language (zh-CN, zh-TW,
    en), its occasion_key to word it; the care notification's title re-rendered per reader;
  - the user's language (migration 0016): PATCH /me {"lang"} saves it (GET /me shows it),
    an unknown one is a 400 naming lang that changes nothing, the change is audited; an
    administrator sets another user's;
  - conflicts with keys of their own: a stale version (stale_version), a contact reporting to
    themselves, an account cycle, a taken code, in the request's language;
  - search: 长沙… found by cs / changsha (not zhangsha), 厦门… by xm / xiamen (not shamen);
  - copy: `kam migrate-data` carries users.lang; a source column it does not list is refused;
  - PATCH /me and /users/{id} {"lang": null}: back to "not chosen".
No new route: no matrix builder.
"""

from lib import ABSENT


def _lang(lang):
    return {"Accept-Language": lang}


def g_langs_care(ctx):
    import t_care
    ck = ctx.ck
    W = t_care.care_world(ctx)
    rem = W.rem.get("c1")
    if not ck.ok(rem is not None, "care world: a birthday reminder for c1", repr(list(W.rem)[:5])):
        return
    rid = rem["id"]
    am = ctx.U("am_e").client
    want = {"zh-CN": "生日", "zh-TW": "生日", "en": "Birthday", "zh-Hant-HK": "生日"}
    for lang, name in want.items():
        r = am.get("/api/v1/care/%d" % rid, headers=_lang(lang))
        ck.expect(r, 200, "GET /care/{id} in %s: occasion_name %r, occasion_key birthday" % (lang, name),
                  json={"occasion_name": name, "occasion_key": "birthday", "occasion_kind": "birthday"})
    r = am.get("/api/v1/care", {"account_id": str(W.acc["CF1"])}, headers=_lang("en"))
    names = {it.get("occasion_name") for it in r.items or []}
    ck.ok(r.status == 200 and names == {"Birthday"}, "the care list in English: every birthday is 'Birthday'",
          repr(names))
    # the care notification of the owner, worded per reader
    titles = {}
    for lang in ("zh-TW", "zh-CN", "en"):
        r = am.get("/api/v1/notifications", {"kind": "care_due", "limit": "500"}, headers=_lang(lang))
        mine = [n for n in r.items or [] if (n.get("params") or {}).get("occasion") == "birthday"]
        titles[lang] = mine[0]["title"] if mine else None
    ck.ok((titles["zh-TW"] or "").startswith("客戶關懷：生日 ") and "Birthday" not in titles["zh-TW"],
          "care notification title in zh-TW: 客戶關懷：生日 <date>, no English", repr(titles))
    ck.ok((titles["zh-CN"] or "").startswith("客户关怀：生日 "), "... in zh-CN: 客户关怀：生日 <date>", repr(titles))
    ck.ok((titles["en"] or "").startswith("Care: Birthday "), "... in English: Care: Birthday <date>", repr(titles))


def g_langs_me(ctx):
    ck, a = ctx.ck, ctx.admin
    u = ctx.new_user("lang", "account_manager", "east")
    c = u.client
    r = c.get("/api/v1/me")
    ck.expect(r, 200, "GET /me: a new user has chosen no language (lang null)", json={"lang": None})
    r = c.patch("/api/v1/me", {"lang": "zh-TW"})
    ck.expect(r, 200, "PATCH /me {lang: zh-TW} -> 200, saved", json={"lang": "zh-TW", "id": u.id})
    ck.expect(c.get("/api/v1/me"), 200, "GET /me shows zh-TW", json={"lang": "zh-TW"})
    for bad in ("fr", "zh", "", 5):
        r = c.patch("/api/v1/me", {"lang": bad})
        ck.expect(r, 400, "PATCH /me {lang: %r} -> 400 naming lang" % (bad,), field="lang")
    ck.expect(c.get("/api/v1/me"), 200, "... and the language is unchanged", json={"lang": "zh-TW"})
    r = c.patch("/api/v1/me", {"lang": "en", "name": "Lang Tester"})
    ck.expect(r, 200, "PATCH /me {lang: en, name} -> 200", json={"lang": "en", "name": "Lang Tester"})
    r = a.get("/api/v1/audit", {"entity": "user", "id": str(u.id)})
    changes = [(it.get("changes") or {}).get("lang") for it in r.items or []]
    changes = [c for c in changes if c]
    ck.ok(r.status == 200 and set(map(tuple, changes)) == {("zh-TW", "en"), (None, "zh-TW")} and len(changes) == 2,
          "both language changes are audited on the user (before, after)", r.describe())
    r = a.patch("/api/v1/users/%d" % u.id, {"lang": "zh-CN"})
    ck.expect(r, 200, "an administrator sets another user's language", json={"lang": "zh-CN"})
    r = a.get("/api/v1/users/%d" % u.id)
    ck.expect(r, 200, "GET /users/{id} shows it", json={"lang": "zh-CN", "password_hash": ABSENT})
    # null: back to "not chosen" (the digest in zh-CN), audited
    r = c.patch("/api/v1/me", {"lang": None})
    ck.expect(r, 200, "PATCH /me {lang: null} -> 200, not chosen again", json={"lang": None})
    ck.expect(c.get("/api/v1/me"), 200, "GET /me shows lang null", json={"lang": None})
    r = a.get("/api/v1/audit", {"entity": "user", "id": str(u.id)})
    changes = [(it.get("changes") or {}).get("lang") for it in r.items or []]
    ck.ok(["zh-CN", None] in changes or ("zh-CN", None) in map(tuple, filter(None, changes)),
          "the reset is audited (zh-CN -> null)", repr(changes))
    r = a.patch("/api/v1/users/%d" % u.id, {"lang": None})
    ck.expect(r, 200, "an administrator's PATCH /users/{id} {lang: null} -> 200", json={"lang": None})


def g_langs_errors(ctx):
    ck, a = ctx.ck, ctx.admin
    acc = ctx.new_account("am_e", name="冲突测试 " + ctx.tag)
    r = a.get("/api/v1/accounts/%d" % acc)
    version = (r.json or {}).get("version", 1)
    cases = {"zh-TW": "記錄已被他人修改，請重新整理後再試", "zh-CN": "记录已被他人修改，请刷新后重试"}
    for lang, text in cases.items():
        r = a.patch("/api/v1/accounts/%d" % acc, {"name": "x" + ctx.tag, "version": version + 7},
                    headers=_lang(lang))
        ck.expect(r, 409, "a stale version in %s -> 409 stale_version, its text" % lang, field="version",
                  code="conflict")
        err = (r.json or {}).get("error", {})
        ck.ok(err.get("key") == "stale_version" and err.get("message") == text,
              "... key stale_version, message %r" % text, r.describe())
    r = a.patch("/api/v1/accounts/%d" % acc, {"name": "x" + ctx.tag, "version": version + 7}, headers=_lang("en"))
    err = (r.json or {}).get("error", {})
    ck.ok(r.status == 409 and err.get("key") == "stale_version" and "changed by someone else" in err.get("message", ""),
          "... in English the specific text (which version)", r.describe())
    # a contact reporting to themselves
    cid = ctx.new_contact(acc, name="自己 " + ctx.tag)
    r = a.patch("/api/v1/contacts/%d" % cid, {"reports_to_id": cid}, headers=_lang("zh-TW"))
    err = (r.json or {}).get("error", {})
    ck.ok(r.status == 409 and err.get("key") == "contact.self_report" and err.get("message") == "聯絡人不能向自己匯報",
          "a contact reporting to themselves -> 409 contact.self_report, in zh-TW", r.describe())
    # an account cycle
    child = ctx.new_account("am_e", parent_id=acc, name="子客户 " + ctx.tag)
    r = a.patch("/api/v1/accounts/%d" % acc, {"parent_id": child}, headers=_lang("zh-CN"))
    err = (r.json or {}).get("error", {})
    ck.ok(r.status == 409 and err.get("key") == "account.parent_cycle" and err.get("field") == "parent_id"
          and err.get("message", "").startswith("客户不能是自己的上级客户"),
          "an account under its own subsidiary -> 409 account.parent_cycle, in zh-CN", r.describe())
    # a taken code: a key of its own (the field's), never the bare code name
    code = (a.get("/api/v1/accounts/%d" % acc).json or {}).get("code")
    r = a.post("/api/v1/accounts", {"code": code, "name": "重复 " + ctx.tag}, headers=_lang("zh-TW"))
    err = (r.json or {}).get("error", {})
    ck.ok(r.status == 409 and err.get("key") == "taken" and err.get("field") == "code"
          and "已被使用" in err.get("message", ""),
          "a taken account code -> 409 taken naming code, in zh-TW", r.describe())


def g_langs_search(ctx):
    ck = ctx.ck
    tag = ctx.tag
    cs = ctx.new_account("am_e", code=ctx.uniq("PY"), name="长沙%s宏达机械有限公司" % tag)
    xm = ctx.new_account("am_e", code=ctx.uniq("PY"), name="廈門%s海聯貿易" % tag)
    am = ctx.U("am_e").client

    def hits(q):
        r = am.get("/api/v1/search", {"q": q, "kinds": "account"})
        return [h["id"] for h in (r.json or {}).get("items", [])] if r.status == 200 else None

    for q in ("cs" + tag, "changsha" + tag, "长沙" + tag):
        ck.ok(cs in (hits(q) or []), "search %r finds 长沙…公司" % q)
    ck.ok(cs not in (hits("zhangsha" + tag) or []), "search zhangsha<tag> (ICU's reading) finds it no more")
    for q in ("xm" + tag, "xiamen" + tag, "厦门" + tag):
        ck.ok(xm in (hits(q) or []), "search %r finds 廈門… (traditional)" % q)
    ck.ok(xm not in (hits("shamen" + tag) or []), "search shamen<tag> finds it no more")


def g_langs_copy(ctx):
    """kam migrate-data carries users.lang (0016); a source column it does not list is refused."""
    import os
    import sqlite3
    from lib import run_cli
    ck, a = ctx.ck, ctx.admin
    u = ctx.new_user("langcp", "account_manager", "east")
    ck.expect(a.patch("/api/v1/users/%d" % u.id, {"lang": "zh-TW"}), 200, "a user's language set to zh-TW")
    path = os.path.join(ctx.tmp, "langs-copy-%s.db" % ctx.tag)
    rc, out, err = run_cli(ctx.kam, ["migrate-data", "--from", ctx.dsn, "--to", "sqlite:" + path], timeout=300)
    if ck.ok(rc == 0 and "copied and verified" in out, "kam migrate-data to a new SQLite file", (out + err)[-400:]):
        con = sqlite3.connect(path)
        try:
            got = con.execute("SELECT lang FROM users WHERE id = ?", (u.id,)).fetchone()
            con.execute("ALTER TABLE users ADD COLUMN shoe_size INTEGER")
            con.commit()
        finally:
            con.close()
        ck.ok(got == ("zh-TW",), "the copy keeps the user's language", repr(got))
        path2 = os.path.join(ctx.tmp, "langs-copy2-%s.db" % ctx.tag)
        rc, out, err = run_cli(ctx.kam, ["migrate-data", "--from", "sqlite:" + path, "--to", "sqlite:" + path2],
                               timeout=300)
        ck.ok(rc != 0 and "users.shoe_size" in err and "not known to migrate-data" in err,
              "a source column migrate-data does not list is refused, named", (out + err)[-400:])


GROUPS = [
    ("langs_copy", g_langs_copy, True),
    ("langs_care", g_langs_care, True),
    ("langs_me", g_langs_me, True),
    ("langs_errors", g_langs_errors, True),
    ("langs_search", g_langs_search, True),
]
