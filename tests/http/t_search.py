"""Global search and the duplicate check (issue 12 item 5): GET /api/v1/search and
GET /api/v1/search/duplicates.

The group makes its own accounts (names carry the run's tag, so the shared database's other
records do not interfere): one of am_e's (East) and one of am_w's (West), a contact with a phone
on each, and checks:
  - pinyin: the full pinyin ("ceping<tag>") and the initials ("cp<tag>") find 测评<tag>科技;
  - traditional and simplified find each other (東莞 / 东莞, 廣州 / 广州);
  - phone digits typed with spaces or dashes find the contact; an e-mail finds it too;
  - scope: am_e finds neither am_w's account nor its contact (by name, pinyin or phone), admin
    finds both; a kinds filter narrows;
  - the index follows writes: a renamed account is found by its new name only, a deleted one
    no more;
  - duplicates: a near name (company suffix and traditional characters aside) names the
    caller's own account with reason similar_name; the other team's account is only counted
    in `hidden`, its name nowhere in the answer; same code, same phone;
  - bad input: q missing / too long, kinds unknown, limit 0, kind unknown, exclude_id not a
    number -> 400 naming the parameter; limit over 50 is capped.
"""

from t_matrix import route, Attempt


@route("GET", "/api/v1/search", "none")
def _search(ctx, u, rec_):
    return Attempt("GET", "/api/v1/search", query={"q": "matrix"})


@route("GET", "/api/v1/search/duplicates", "none")
def _dups(ctx, u, rec_):
    return Attempt("GET", "/api/v1/search/duplicates", query={"kind": "account", "name": "矩阵"})


def _hits(r, kind=None):
    if r.status != 200 or not isinstance(r.json, dict):
        return []
    return [(h["kind"], h["id"]) for h in r.json.get("items", []) if kind is None or h["kind"] == kind]


def _matched(r, kind, rid):
    for h in (r.json or {}).get("items", []) if r.status == 200 else []:
        if h["kind"] == kind and h["id"] == rid:
            return h["matched"]
    return None


def g_search(ctx):
    ck = ctx.ck
    tag = ctx.tag  # six hex digits
    digits = "".join(str(int(c, 16) % 10) for c in tag)
    east = ctx.new_account("am_e", code=ctx.uniq("SRCH"), name="测评%s科技有限公司" % tag)
    west = ctx.new_account("am_w", code=ctx.uniq("SRCH"), name="東莞%s測評實業有限公司" % tag)
    gz = ctx.new_account("am_e", code=ctx.uniq("SRCH"), name="广州%s" % tag)
    phone_e, phone_w = "138%s11" % digits, "139%s22" % digits
    c_east = ctx.new_contact(east, name="张三%s" % tag, phone="%s %s %s" % (phone_e[:3], phone_e[3:7], phone_e[7:]),
                             email="Zhang.%s@Example.com" % tag)
    c_west = ctx.new_contact(west, name="李四%s" % tag, phone=phone_w)
    admin, am = ctx.admin, ctx.U("am_e").client

    # pinyin, initials, traditional <-> simplified
    r = am.get("/api/v1/search", {"q": "ceping" + tag})
    ck.ok(("account", east) in _hits(r), "full pinyin finds 测评… (ceping<tag>)", r.describe())
    ck.ok(_matched(r, "account", east) == "pinyin", "matched says pinyin", r.describe())
    r = am.get("/api/v1/search", {"q": "cp" + tag})
    ck.ok(("account", east) in _hits(r), "initials find 测评… (cp<tag>)", r.describe())
    ck.ok(_matched(r, "account", east) == "initials", "matched says initials", r.describe())
    r = admin.get("/api/v1/search", {"q": "东莞" + tag})
    ck.ok(("account", west) in _hits(r), "东莞 finds 東莞 (admin)", r.describe())
    r = admin.get("/api/v1/search", {"q": "廣州" + tag})
    ck.ok(("account", gz) in _hits(r), "廣州 finds 广州", r.describe())
    r = admin.get("/api/v1/search", {"q": "dg" + tag + "cp"})
    ck.ok(("account", west) in _hits(r), "initials of a traditional name (dg<tag>cp)", r.describe())

    # phone digits and e-mail
    r = am.get("/api/v1/search", {"q": phone_e})
    ck.ok(("contact", c_east) in _hits(r), "phone digits find the contact stored with spaces", r.describe())
    ck.ok(_matched(r, "contact", c_east) == "phone", "matched says phone", r.describe())
    r = am.get("/api/v1/search", {"q": "%s-%s-%s" % (phone_e[:3], phone_e[3:7], phone_e[7:])})
    ck.ok(("contact", c_east) in _hits(r), "phone typed with dashes finds the contact", r.describe())
    r = am.get("/api/v1/search", {"q": "zhang.%s@example" % tag})
    ck.ok(("contact", c_east) in _hits(r), "e-mail (any case) finds the contact", r.describe())
    hit = [h for h in (r.json or {}).get("items", []) if h.get("id") == c_east]
    ck.ok(bool(hit) and hit[0]["account_id"] == east and tag in hit[0]["sub"],
          "a contact hit names its account (account_id, sub)", r.describe())

    # scope: am_e does not find the other team's account or its contact
    for q in ("东莞" + tag, "dg" + tag, "李四" + tag, phone_w):
        r = am.get("/api/v1/search", {"q": q})
        ck.ok(r.status == 200 and ("account", west) not in _hits(r) and ("contact", c_west) not in _hits(r),
              "am_e does not find am_w's account or contact (%s)" % q, r.describe())
        r = admin.get("/api/v1/search", {"q": q})
        ck.ok(("account", west) in _hits(r) or ("contact", c_west) in _hits(r),
              "admin finds it (%s)" % q, r.describe())
    r = ctx.U("am_w").client.get("/api/v1/search", {"q": "东莞" + tag})
    ck.ok(("account", west) in _hits(r), "am_w finds their own", r.describe())
    r = admin.get("/api/v1/search", {"q": "张三" + tag, "kinds": "account,issue"})
    ck.ok(r.status == 200 and not _hits(r, "contact"), "kinds=account,issue leaves contacts out", r.describe())
    r = admin.get("/api/v1/search", {"q": "张三" + tag, "kinds": "contact"})
    ck.ok(_hits(r) == [("contact", c_east)], "kinds=contact", r.describe())

    # the index follows writes
    r = admin.patch("/api/v1/accounts/%d" % gz, {"name": "深圳%s" % tag})
    ck.expect(r, 200, "rename an account")
    r = admin.get("/api/v1/search", {"q": "广州" + tag})
    ck.ok(r.status == 200 and ("account", gz) not in _hits(r), "the old name no longer finds it", r.describe())
    r = admin.get("/api/v1/search", {"q": "sz" + tag})
    ck.ok(("account", gz) in _hits(r), "the new name's initials do", r.describe())
    r = admin.delete("/api/v1/accounts/%d" % gz)
    ck.expect(r, 204, "delete the account")
    r = admin.get("/api/v1/search", {"q": "深圳" + tag})
    ck.ok(r.status == 200 and ("account", gz) not in _hits(r), "a deleted account is not found", r.describe())

    # duplicates (查重)
    r = am.get("/api/v1/search/duplicates", {"kind": "account", "name": "測評%s科技股份有限公司" % tag})
    ck.expect(r, 200, "duplicates for a near name")
    items = (r.json or {}).get("items", []) if r.status == 200 else []
    mine = [i for i in items if i["id"] == east]
    ck.ok(bool(mine) and mine[0]["reason"] == "similar_name" and mine[0]["score"] >= 60,
          "own account named as similar_name", r.describe())
    r = am.get("/api/v1/search/duplicates", {"kind": "account", "name": "东莞%s测评实业" % tag})
    ck.ok(r.status == 200 and not any(i["id"] == west for i in r.json["items"]) and r.json["hidden"] >= 1,
          "another team's similar account is only counted (hidden)", r.describe())
    ck.ok(("%s測評" % tag) not in r.body.decode("utf-8") and "東莞" not in r.body.decode("utf-8"),
          "the hidden candidate's name is nowhere in the answer", r.describe())
    r = admin.get("/api/v1/search/duplicates", {"kind": "account", "name": "东莞%s测评实业" % tag})
    ck.ok(r.status == 200 and any(i["id"] == west for i in r.json["items"]) and r.json["hidden"] == 0,
          "admin sees it by name", r.describe())
    code_w = admin.get("/api/v1/accounts/%d" % west).json["code"]
    r = admin.get("/api/v1/search/duplicates", {"kind": "account", "code": code_w.lower(), "name": "x"})
    ck.ok(r.status == 200 and any(i["id"] == west and i["reason"] == "same_code" for i in r.json["items"]),
          "same code (any case)", r.describe())
    r = admin.get("/api/v1/search/duplicates", {"kind": "account", "code": code_w, "exclude_id": str(west)})
    ck.ok(r.status == 200 and not any(i["id"] == west for i in r.json["items"]),
          "exclude_id leaves the record being edited out", r.describe())
    r = am.get("/api/v1/search/duplicates", {"kind": "contact", "phone": "+%s" % phone_e, "account_id": str(east)})
    ck.ok(r.status == 200 and any(i["id"] == c_east and i["reason"] == "same_phone" for i in r.json["items"]),
          "same phone (contact)", r.describe())
    # an account the caller cannot read is no place to probe for its people
    r = am.get("/api/v1/search/duplicates", {"kind": "contact", "name": "張三%s" % tag, "account_id": str(west)})
    ck.expect(r, 400, "duplicates under another team's account -> 400 field account_id", field="account_id")
    r = am.get("/api/v1/search/duplicates", {"kind": "contact", "name": "張三%s" % tag, "account_id": str(east)})
    ck.ok(r.status == 200 and any(i["id"] == c_east and i["reason"] == "similar_name" for i in r.json["items"]),
          "same name in traditional characters under the same account", r.describe())
    r = am.get("/api/v1/search/duplicates", {"kind": "account", "phone": phone_w})
    ck.ok(r.status == 200 and r.json["items"] == [] and r.json["hidden"] >= 1,
          "the other team's phone: counted, not named", r.describe())

    # bad input
    ck.expect(am.get("/api/v1/search"), 400, "q missing -> 400 q", field="q")
    ck.expect(am.get("/api/v1/search", {"q": "   "}), 400, "q blank -> 400 q", field="q")
    ck.expect(am.get("/api/v1/search", {"q": "测" * 101}), 400, "q over 100 characters -> 400 q", field="q")
    ck.expect(am.get("/api/v1/search", {"q": "x", "kinds": "account,offers"}), 400, "unknown kind -> 400 kinds",
              field="kinds")
    ck.expect(am.get("/api/v1/search", {"q": "x", "limit": "0"}), 400, "limit 0 -> 400 limit", field="limit")
    r = admin.get("/api/v1/search", {"q": "a", "limit": "500"})
    ck.ok(r.status == 200 and len(r.json["items"]) <= 50, "limit over 50 is capped", r.describe())
    ck.expect(am.get("/api/v1/search", {"q": "x", "bogus": "1"}), 400, "unknown parameter -> 400")
    ck.expect(am.get("/api/v1/search/duplicates", {"kind": "offer", "name": "x"}), 400, "kind unknown -> 400 kind",
              field="kind")
    ck.expect(am.get("/api/v1/search/duplicates", {"kind": "account", "exclude_id": "abc"}), 400,
              "exclude_id not a number -> 400 exclude_id", field="exclude_id")
    r = am.get("/api/v1/search/duplicates", {"kind": "account"})
    ck.expect(r, 200, "nothing to compare: no candidates", json={"items": [], "hidden": 0})


GROUPS = [
    ("search", g_search, True),
]
