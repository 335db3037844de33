"""Plain language (issue 12 item 2): error keys and parameters with a message in the request's
Accept-Language, notifications stored as key + params and rendered per reader, notification
filters, import problems keyed, import history with the file name and the user."""

from lib import is_id
import t_sales


def _lang(v):
    return {"Accept-Language": v}


def g_error_keys(ctx):
    ck, a = ctx.ck, ctx.admin
    long_name = "名" * 201
    body = {"code": ctx.uniq("MSG"), "name": long_name}
    for hdr, want in (("zh-TW", "不能超過 200 個字元"), ("zh-CN,en;q=0.5", "不能超过 200 个字符"),
                      ("en-US", "name is longer than 200 characters"),
                      ("fr, zh-HK;q=0.7, en;q=0.6", "不能超過 200 個字元"), (None, "name is longer than 200 characters")):
        r = a.post("/api/v1/accounts", body, headers=_lang(hdr) if hdr else None)
        e = r.err or {}
        ck.ok(r.status == 400 and e.get("code") == "invalid" and e.get("field") == "name"
              and e.get("key") == "too_long" and e.get("params") == {"max": "200"},
              "400 too long (Accept-Language %s): code, field, key too_long, params {max: 200}" % hdr, r.describe())
        ck.ok(want in (e.get("message") or ""), "the message is in the asked language (%s): %r" % (hdr, want),
              r.describe())
    ck.ok(a.get("/api/v1/accounts", {"limit": "5"}).status == 200, "nothing was created by the refused requests")
    # enum: not_one_of with the allowed values
    r = a.post("/api/v1/accounts", {"code": ctx.uniq("MSG"), "name": "语言客户", "tier": "Z"},
               headers=_lang("zh-TW"))
    e = r.err or {}
    ck.ok(r.status == 400 and e.get("key") == "not_one_of" and e.get("field") == "tier"
          and "strategic" in (e.get("params") or {}).get("allowed", "") and "必須是以下之一" in e.get("message", ""),
          "a bad enum: key not_one_of, params.allowed, message in zh-TW", r.describe())
    # required
    r = a.post("/api/v1/accounts", {"code": ctx.uniq("MSG"), "name": ""}, headers=_lang("zh-CN"))
    e = r.err or {}
    ck.ok(r.status == 400 and e.get("key") == "required" and e.get("field") == "name"
          and "必填" in e.get("message", ""), "an empty name: key required, message in zh-CN", r.describe())
    # a code's own key when the call site has none; 404 in Chinese
    r = a.get("/api/v1/accounts/999999999", headers=_lang("zh-CN"))
    e = r.err or {}
    ck.ok(r.status == 404 and e.get("key") == "not_found" and e.get("params") == {}
          and e.get("message") == "记录不存在", "404: key not_found, params {}, message 记录不存在", r.describe())
    r = a.get("/api/v1/accounts/999999999")
    ck.ok(r.status == 404 and (r.err or {}).get("message") == "no such account",
          "404 without Accept-Language keeps the English text", r.describe())
    # junk header: English, no crash
    r = a.post("/api/v1/accounts", body, headers=_lang(";;q=9,,zh-XX-;q=abc"))
    ck.ok(r.status == 400 and "longer than 200" in (r.err or {}).get("message", ""),
          "a junk Accept-Language falls back to English", r.describe())


def g_notify_lang(ctx):
    ck = ctx.ck
    u = ctx.new_user("msgn", "account_manager")
    acc = ctx.new_account(u.key, code=ctx.uniq("MN"), name="语言通知客户 " + ctx.tag)
    ctx.new_issue(acc, title="漏水 leak")
    r = u.client.get("/api/v1/notifications", headers=_lang("zh-TW"))
    it = (r.items or [{}])[0]
    ck.ok(r.status == 200 and it.get("key") == "notify.issue_new" and it.get("params") == {"title": "漏水 leak"}
          and it.get("kind") == "issue_assigned", "a new issue's notification carries key and params", r.describe())
    ck.ok(it.get("title") == "新問題：漏水 leak", "zh-TW reader: the title in zh-TW only", repr(it.get("title")))
    r = u.client.get("/api/v1/notifications", headers=_lang("zh-CN"))
    ck.ok(((r.items or [{}])[0]).get("title") == "新问题：漏水 leak", "zh-CN reader: the title in zh-CN only",
          r.describe())
    r = u.client.get("/api/v1/notifications", headers=_lang("en"))
    ck.ok(((r.items or [{}])[0]).get("title") == "New issue: 漏水 leak", "English reader: the title in English only",
          r.describe())
    r = u.client.get("/api/v1/notifications")
    ck.ok(((r.items or [{}])[0]).get("title") == "New issue: 漏水 leak", "no Accept-Language: English",
          r.describe())


def g_notify_filters(ctx):
    ck, a = ctx.ck, ctx.admin
    u = ctx.new_user("msgf", "account_manager")
    other = ctx.new_user("msgo", "account_manager")
    acc = ctx.new_account(u.key, code=ctx.uniq("MF"), name="筛选客户 " + ctx.tag,
                          members=[(other.key, "sales")])
    x1 = ctx.new_issue(acc, title="一")
    ctx.new_issue(acc, title="二")
    r = a.patch("/api/v1/issues/%d" % x1, {"assignee_id": other.id})
    ck.expect(r, 200, "reassign to the other user")
    r = a.patch("/api/v1/issues/%d" % x1, {"assignee_id": u.id})
    ck.expect(r, 200, "and back: u gets an 'assigned' notification")
    r = u.client.get("/api/v1/notifications")
    allv = r.items or []
    ck.ok(len(allv) == 3 and all(x.get("kind") == "issue_assigned" for x in allv),
          "u has three issue_assigned notifications", r.describe())
    keys = sorted(x.get("key") for x in allv)
    ck.ok(keys == ["notify.issue_assigned", "notify.issue_new", "notify.issue_new"],
          "two 'new issue' and one 'assigned' keys", repr(keys))
    r = u.client.get("/api/v1/notifications", {"kind": "issue_assigned"})
    ck.ok(r.status == 200 and len(r.items or []) == 3, "kind=issue_assigned: all three", r.describe())
    r = u.client.get("/api/v1/notifications", {"kind": "kpi_off_track"})
    ck.expect(r, 200, "kind=kpi_off_track: none", json={"items": [], "next_cursor": None})
    if allv:
        ck.expect(u.client.post("/api/v1/notifications/%d/read" % allv[0]["id"]), 204, "read the newest")
    r = u.client.get("/api/v1/notifications", {"kind": "issue_assigned", "unread": "1"})
    ck.ok(r.status == 200 and [x.get("id") for x in r.items or []] == [x.get("id") for x in allv[1:]],
          "kind + unread=1: the two unread", r.describe())
    r = u.client.get("/api/v1/notifications", {"kind": "issue_assigned", "limit": "1"})
    ck.ok(r.status == 200 and len(r.items or []) == 1 and r.json.get("next_cursor"),
          "kind with limit=1 pages", r.describe())
    if r.status == 200 and r.json.get("next_cursor"):
        r2 = u.client.get("/api/v1/notifications", {"kind": "issue_assigned", "limit": "1",
                                                    "cursor": r.json["next_cursor"]})
        ck.ok(r2.status == 200 and [x.get("id") for x in r2.items or []] == [allv[1]["id"]],
              "the second page of the kind", r2.describe())
    r = other.client.get("/api/v1/notifications", {"kind": "issue_assigned"})
    ck.ok(r.status == 200 and all(x.get("params", {}).get("title") in ("一",) for x in r.items or []),
          "the other user's filter sees only their own", r.describe())
    r = u.client.get("/api/v1/notifications", {"kind": "k" * 41})
    ck.expect(r, 400, "kind longer than 40 -> 400", field="kind", code="invalid")


def g_import_msgs(ctx):
    ck = ctx.ck
    fin = ctx.U("fin")
    I = t_sales.ImpWorld(ctx, "M")
    c0, _ = I.code
    s0, _ = I.sku
    ext = ctx.uniq("MSGIMP-")
    rows = [(ext, "2025-13-01", c0, s0, "", "", "1", "1.234", "CNY"),
            (ctx.uniq("MSGIMP-"), "2025-07-01", "NO-SUCH-" + ctx.tag, s0, "", "", "1", "1", "CNY")]
    data = t_sales.orders_csv(rows).encode("utf-8")
    fname = "订单-%s.csv" % ctx.tag
    r = fin.client.request("POST", "/api/v1/imports/orders", raw=data, query={"filename": fname},
                           content_type="text/csv", headers=_lang("zh-TW"))
    j = r.json if isinstance(r.json, dict) else {}
    probs = j.get("problems") or []
    by_col = {p.get("column"): p for p in probs}
    ck.ok(r.status == 422 and j.get("status") == "rejected", "a file with bad rows is rejected", r.describe())
    d = by_col.get("date") or {}
    ck.ok(d.get("key") == "import.bad_date" and d.get("params") == {"value": "2025-13-01"} and d.get("row") == 2,
          "a bad date: key import.bad_date, params.value, row 2", repr(d))
    m = by_col.get("amount") or {}
    ck.ok(m.get("key") == "import.bad_number" and m.get("params", {}).get("max") == "2"
          and m.get("params", {}).get("value") == "1.234", "a bad amount: key import.bad_number {value, max 2}",
          repr(m))
    acc = by_col.get("account_code") or {}
    ck.ok(acc.get("key") == "import.no_account" and acc.get("params") == {"value": "NO-SUCH-" + ctx.tag}
          and acc.get("row") == 3, "an unknown account: key import.no_account", repr(acc))
    ck.ok(all(isinstance(p.get("reason"), str) and p.get("reason") for p in probs),
          "every problem keeps its English reason for API users", repr(probs)[:300])
    ck.ok(j.get("filename") == fname and j.get("user_id") == fin.id and j.get("user_name") == fin.name,
          "the report names the file and who ran it", repr({k: j.get(k) for k in ("filename", "user_id", "user_name")}))
    run_id = j.get("id")
    if is_id(run_id):
        g = ctx.admin.get("/api/v1/imports/%d" % run_id)
        gj = g.json if isinstance(g.json, dict) else {}
        ck.ok(g.status == 200 and gj.get("filename") == fname and gj.get("user_name") == fin.name
              and gj.get("user_id") == fin.id, "GET /imports/{id}: file name and user", g.describe())
        gp = {p.get("column"): p for p in gj.get("problems") or []}
        ck.ok((gp.get("date") or {}).get("key") == "import.bad_date"
              and (gp.get("date") or {}).get("params") == {"value": "2025-13-01"},
              "the stored report keeps keys and params", repr(gp.get("date")))
        lst = ctx.admin.get("/api/v1/imports", {"kind": "orders", "limit": "50"})
        mine = [x for x in lst.items or [] if x.get("id") == run_id]
        ck.ok(lst.status == 200 and mine and mine[0].get("filename") == fname and mine[0].get("user_name") == fin.name,
              "the import history lists the file name and the user", lst.describe())


def g_criteria_hant(ctx):
    ck, a = ctx.ck, ctx.admin
    r = a.get("/api/v1/scoring-criteria")
    by_key = {x.get("key"): x for x in r.items or []}
    want = {"business_scale": "業務規模", "growth_potential": "增長潛力", "volume_12m": "近12個月採購量"}
    for k, tw in want.items():
        x = by_key.get(k) or {}
        ck.ok(x.get("name_zh_tw") == tw, "criterion %s: name_zh_tw %r (OpenCC s2twp of %r)" % (k, tw, x.get("name_zh")),
              repr(x))
    simplified = set("业规场产长潜个购务")
    ck.ok(r.status == 200 and all(not (set(x.get("name_zh_tw", "")) & simplified) for x in r.items or []),
          "no criterion's zh-TW name holds simplified characters", r.describe())
    acc = ctx.new_account("am_e", code=ctx.uniq("MV"), name="繁体名客户 " + ctx.tag)
    v = a.get("/api/v1/accounts/%d/valuation" % acc)
    parts = (v.json or {}).get("contributions") or []
    ck.ok(v.status == 200 and parts and all(p.get("name_zh_tw") for p in parts)
          and any(p.get("name_zh_tw") == "業務規模" for p in parts),
          "an account's valuation contributions carry name_zh_tw", v.describe())


GROUPS = [
    ("msg-errors", g_error_keys, True),
    ("msg-notify-lang", g_notify_lang, True),
    ("msg-notify-filters", g_notify_filters, True),
    ("msg-imports", g_import_msgs, True),
    ("msg-criteria-hant", g_criteria_hant, True),
]
