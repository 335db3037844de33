"""The quote document (issue 15 items 4-5; src/api/offers/quote_docs.c, docs/OFFERS.md "The quote
document"): GET|PATCH /api/v1/settings/company (the header on every quote: caps, an e-mail that is
one, audited as settings, refused for who may not update config, nothing changed on a refusal);
GET /api/v1/offers/{id}/quote.html (escaping: an account name with <script> prints as text, the
offer's language or lang=, money and dates per language, the totals equal the offer's, bundle
components and the service line's SLA, customisations, 404 for an AM of another team, 403 for a
role without offers) and quote.xlsx (a real workbook whose sheet holds the lines and the total);
the permission-matrix builders of the four routes."""

import io
import re
import zipfile

from t_matrix import route, Attempt, acc
from t_answers import sql

COMPANY = "/api/v1/settings/company"
FIELDS = ("name_zh_hans", "name_zh_hant", "name_en", "address_zh_hans", "address_zh_hant", "address_en",
          "phone", "email", "tax_id", "bank", "website")


def company_state(ctx):
    r = ctx.admin.get(COMPANY)
    return (r.status, r.json,
            sql(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'settings' AND changes LIKE '%company.%'"))


def money(minor, sym):
    neg = minor < 0
    minor = abs(minor)
    return "%s%s%s.%02d" % ("-" if neg else "", sym, "{:,}".format(minor // 100), minor % 100)


def world(ctx):
    """A product with a list price, a bundle of two products, a service item with an SLA, an
    account of am_e whose name carries markup, and a draft offer with the three kinds of line,
    a discounted product line and a customisation."""
    if getattr(ctx, "quote_world", None):
        return ctx.quote_world
    a = ctx.admin
    fam = ctx.uniq("QDF")
    p = ctx.must(a.post("/api/v1/products", {"sku": ctx.uniq("QDP"), "name": "报价打印机", "family": fam,
                                            "list_price": {"amount": 123456, "currency": "CNY"}}), 201, "product")
    c1 = ctx.must(a.post("/api/v1/products", {"sku": ctx.uniq("QDC"), "name": "墨盒组件", "family": fam,
                                             "list_price": {"amount": 5000, "currency": "CNY"}}), 201, "component 1")
    c2 = ctx.must(a.post("/api/v1/products", {"sku": ctx.uniq("QDD"), "name": "纸盒组件", "family": fam,
                                             "list_price": {"amount": 3000, "currency": "CNY"}}), 201, "component 2")
    b = ctx.must(a.post("/api/v1/bundles", {"code": ctx.uniq("QDB"), "name": "办公套装", "currency": "CNY",
                                           "price": 7000, "description": "套装说明",
                                           "items": [{"product_id": c1["id"], "quantity": 2},
                                                     {"product_id": c2["id"], "quantity": 1}]}), 201, "bundle")
    s = ctx.must(a.post("/api/v1/service-items", {"code": ctx.uniq("QDS"), "kind": "support", "name": "现场支持",
                                                 "unit": "day", "price": 80000, "currency": "CNY",
                                                 "sla": "4 小时响应 & 24 小时到场"}), 201, "service item")
    acct = ctx.new_account("am_e", code=ctx.uniq("QDA"), name="<script>alert(1)</script> 报价客户 " + ctx.tag)
    ctx.new_contact(acct, name="采购经理陈", title="采购部经理", decision_role="decision_maker", influence=5,
                    attitude=1, phone="13800000000", email="chen@example.com")
    other = ctx.new_account("am_w", code=ctx.uniq("QDO"), name="别队报价客户 " + ctx.tag)
    w = {"p": p, "c1": c1, "c2": c2, "b": b, "s": s, "acct": acct, "other": other}
    w["offer"] = new_offer(ctx, ctx.U("am_e").client, acct, w)
    w["other_offer"] = new_offer(ctx, ctx.U("am_w").client, other, w, bundle=False)
    ctx.quote_world = w
    return w


def new_offer(ctx, client, account_id, w, bundle=True, **fields):
    lines = [{"kind": "product", "product_id": w["p"]["id"], "quantity": 3, "discount_bp": 300,
              "description": "含安装 <b>不是粗体</b>"},
             {"kind": "service", "service_item_id": w["s"]["id"], "quantity": 2}]
    if bundle:
        lines.insert(1, {"kind": "bundle", "bundle_id": w["b"]["id"], "quantity": 1})
    body = {"account_id": account_id, "title": "年度采购报价 " + ctx.uniq(), "lang": "zh-CN",
            "valid_until": "2099-12-31", "terms": "付款：月结 30 天\n交货：两周内", "lines": lines,
            "customisations": [{"request": "外壳印客户 logo", "confirm_by": "production"}]}
    body.update(fields)
    return ctx.must(client.post("/api/v1/offers", body), 201, "create offer")


def g_quote_company(ctx):
    ck = ctx.ck
    a = ctx.admin
    r = a.get(COMPANY)
    ck.expect(r, 200, "company settings: read")
    ck.ok(isinstance(r.json, dict) and all(isinstance(r.json.get(f), str) for f in FIELDS),
          "company settings: every field a string ('' when unset)", repr(r.json))
    body = {"name_zh_hans": "示例科技有限公司", "name_zh_hant": "示例科技有限公司(繁)", "name_en": "Example Tech Ltd.",
            "address_zh_hans": "上海市浦东新区\n张江路 1 号", "phone": "021-12345678", "email": "sales@example.com",
            "tax_id": "91310000MA1234567X", "bank": "招商银行上海分行\n账号 1234 5678 9012"}
    before = company_state(ctx)[2]
    r = a.patch(COMPANY, body)
    ck.expect(r, 200, "company settings: set", json=body)
    ck.ok(company_state(ctx)[2] > before, "company settings: the change is audited as settings")
    n = company_state(ctx)[2]
    r = a.patch(COMPANY, {"phone": "021-12345678"})
    ck.expect(r, 200, "company settings: the same value again", json={"phone": "021-12345678", "name_en": "Example Tech Ltd."})
    ck.ok(company_state(ctx)[2] == n, "company settings: an unchanged value writes no audit row")
    st = company_state(ctx)
    ck.expect(a.patch(COMPANY, {"name_en": "x" * 201, "phone": "1"}), 400, "company settings: name over 200 characters",
              field="name_en")
    ck.expect(a.patch(COMPANY, {"email": "not an address"}), 400, "company settings: a bad e-mail", field="email")
    ck.expect(a.patch(COMPANY, {"website": 5}), 400, "company settings: a number for a string", field="website")
    ck.expect(a.patch(COMPANY, {"logo": "x"}), 400, "company settings: an unknown field", field="logo")
    ck.expect(ctx.U("am_e").client.patch(COMPANY, {"name_en": "AM Inc."}), 403,
              "company settings: an account manager may not change them")
    ck.same(st, company_state(ctx), "company settings: refused changes change nothing")
    ck.expect(ctx.U("am_e").client.get(COMPANY), 200, "company settings: everyone who reads config reads them")


def g_quote_docs(ctx):
    ck = ctx.ck
    ctx.admin.patch(COMPANY, {"name_zh_hans": "示例科技有限公司", "name_zh_hant": "示例科技有限公司(繁)",
                              "name_en": "Example Tech Ltd."})
    w = world(ctx)
    o = w["offer"]
    am = ctx.U("am_e").client
    path = "/api/v1/offers/%d/quote.html" % o["id"]
    r = am.get(path)
    ck.expect(r, 200, "quote.html: the owner reads it")
    ck.ok((r.header("Content-Type") or "").startswith("text/html"), "quote.html: text/html",
          r.header("Content-Type") or "")
    cd = r.header("Content-Disposition") or ""
    ck.ok(o["number"] in cd and "filename*=UTF-8''" in cd, "quote.html: inline file name with the number", cd)
    csp = r.header("Content-Security-Policy") or ""
    ck.ok("script-src" not in csp and "default-src 'none'" in csp, "quote.html: no script may run", csp)
    h = r.body.decode("utf-8")
    ck.ok("<script>alert" not in h and "&lt;script&gt;alert(1)&lt;/script&gt;" in h,
          "quote.html: the account name's markup prints as text")
    ck.ok("<b>不是粗体</b>" not in h and "&lt;b&gt;不是粗体&lt;/b&gt;" in h, "quote.html: a line's description is escaped")
    ck.ok('<html lang="zh-CN">' in h and "报价单" in h and "示例科技有限公司" in h,
          "quote.html: the offer's language (zh-CN) and our header")
    ck.ok(o["number"] in h and "v1" in h, "quote.html: number and version")
    ck.ok("2099年12月31日" in h, "quote.html: the validity as a Chinese date")
    ck.ok(money(o["total"], "¥") in h, "quote.html: the total equals the offer's", money(o["total"], "¥"))
    for ln in o["lines"]:
        ck.ok(money(ln["amount"], "¥") in h and ln["code"] in h, "quote.html: line %s with its amount" % ln["code"])
    ck.ok(w["c1"]["sku"] in h and "墨盒组件" in h and 'class="comp"' in h, "quote.html: the bundle's components, indented")
    ck.ok("4 小时响应 &amp; 24 小时到场" in h, "quote.html: the service line's SLA (escaped)")
    ck.ok("外壳印客户 logo" in h and "待评估" in h and "生产部" in h, "quote.html: customisations with feasibility")
    ck.ok("采购经理陈" in h, "quote.html: the customer's contact")
    ck.ok("@page{size:A4" in h and "table-header-group" in h and "Noto Sans CJK SC" in h,
          "quote.html: print CSS (A4, repeated table header, CJK fonts)")
    ck.ok("付款：月结 30 天<br>交货：两周内" in h, "quote.html: terms with their line breaks")
    if o["subtotal"] > o["total"]:
        ck.ok(money(o["subtotal"], "¥") in h, "quote.html: the subtotal at engine prices")

    r = am.get(path, query={"lang": "en"})
    ck.expect(r, 200, "quote.html?lang=en")
    h = r.body.decode("utf-8")
    ck.ok('<html lang="en">' in h and "Quotation" in h and "31 Dec 2099" in h and "Example Tech Ltd." in h,
          "quote.html?lang=en: English words, date and company name")
    r = am.get(path, query={"lang": "zh-TW"})
    h = r.body.decode("utf-8")
    ck.ok("報價單" in h and "示例科技有限公司(繁)" in h, "quote.html?lang=zh-TW: Traditional words and name")
    ck.expect(am.get(path, query={"lang": "fr"}), 400, "quote.html: an unknown language", field="lang")
    ck.expect(am.get(path, query={"colour": "red"}), 400, "quote.html: an unknown query parameter")

    # another team's AM does not see it; a role without offers is refused; a missing offer 404
    ck.expect(ctx.U("am_w").client.get(path), 404, "quote.html: an AM of another team gets 404")
    ck.expect(ctx.U("am_w").client.get("/api/v1/offers/%d/quote.xlsx" % o["id"]), 404,
              "quote.xlsx: an AM of another team gets 404")
    # hr reads no offers and no accounts: the record is not there for them (404, as dispatch
    # answers a record outside what a role may read)
    ck.expect(ctx.U("hr").client.get(path), 404, "quote.html: hr may not read offers")
    ck.expect(am.get("/api/v1/offers/999999999/quote.html"), 404, "quote.html: no such offer")
    ck.expect(ctx.U("dir").client.get(path), 200, "quote.html: the director reads any")

    # the workbook
    r = am.get("/api/v1/offers/%d/quote.xlsx" % o["id"])
    ck.expect(r, 200, "quote.xlsx: the owner downloads it")
    ck.ok((r.header("Content-Type") or "").startswith("application/vnd.openxmlformats-officedocument.spreadsheetml"),
          "quote.xlsx: the workbook's content type", r.header("Content-Type") or "")
    cd = r.header("Content-Disposition") or ""
    ck.ok(cd.startswith("attachment;") and ("%s-v1.xlsx" % o["number"]) in cd, "quote.xlsx: attachment named by the number", cd)
    try:
        z = zipfile.ZipFile(io.BytesIO(r.body))
        sheet = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
        strings = z.read("xl/sharedStrings.xml").decode("utf-8") if "xl/sharedStrings.xml" in z.namelist() else ""
        wbx = z.read("xl/workbook.xml").decode("utf-8")
    except Exception as e:  # not a workbook
        ck.fail("quote.xlsx: a zip workbook", repr(e))
        return
    ck.ok('name="报价单"' in wbx, "quote.xlsx: the sheet is named in the offer's language", wbx[:300])
    for ln in o["lines"]:
        ck.ok(ln["code"] in strings, "quote.xlsx: line %s's code" % ln["code"])
        amt = ln["amount"] / 100.0
        ck.ok(re.search(r"<v>%s</v>" % re.escape(("%.2f" % amt).rstrip("0").rstrip(".")), sheet) is not None,
              "quote.xlsx: line %s's amount %.2f as a number" % (ln["code"], amt))
    tot = ("%.2f" % (o["total"] / 100.0)).rstrip("0").rstrip(".")
    ck.ok("<v>%s</v>" % tot in sheet, "quote.xlsx: the total as the offer's", tot)
    ck.ok("&lt;script&gt;" in strings, "quote.xlsx: the account name as text")
    ck.ok("示例科技有限公司" in strings and "外壳印客户 logo" in strings, "quote.xlsx: header and customisations")
    r = am.get("/api/v1/offers/%d/quote.xlsx" % o["id"], query={"lang": "en"})
    z = zipfile.ZipFile(io.BytesIO(r.body))
    ck.ok('name="Quotation"' in z.read("xl/workbook.xml").decode("utf-8"), "quote.xlsx?lang=en: English sheet")


DRAFT_ZH = "草稿 — 未经审批，非正式报价"


def _quote(ctx, client, oid, lang=None):
    q = {"lang": lang} if lang else None
    h = client.get("/api/v1/offers/%d/quote.html" % oid, query=q)
    x = client.get("/api/v1/offers/%d/quote.xlsx" % oid, query=q)
    strings = ""
    if x.status == 200:
        z = zipfile.ZipFile(io.BytesIO(x.body))
        strings = z.read("xl/sharedStrings.xml").decode("utf-8")
    return h.status, h.body.decode("utf-8") if h.status == 200 else "", x.status, strings, x


def g_quote_doc_rules(ctx):
    """The review's findings: the draft stamp on an offer the customer may not hold yet (an
    unapproved discount, pending, superseded), a 2000-character CJK description in the
    workbook, bundle components as frozen on the line, a zero-decimal currency."""
    ck = ctx.ck
    w = world(ctx)
    am = ctx.U("am_e").client
    # 1. a discount over the AM's limit: the draft prints stamped until it is approved
    big = new_offer(ctx, am, w["acct"], w, bundle=False,
                    lines=[{"kind": "product", "product_id": w["p"]["id"], "quantity": 1, "discount_bp": 3000}])
    ck.ok(big["status"] == "draft" and big.get("needs_approval"), "quote rules: a 30 % draft needs approval",
          repr((big["status"], big.get("needs_approval"))))
    hs, h, xs, strings, _ = _quote(ctx, am, big["id"])
    ck.ok(hs == 200 and DRAFT_ZH in h and 'class="draft"' in h, "quote rules: an unapproved draft's page is stamped")
    ck.ok(xs == 200 and DRAFT_ZH in strings, "quote rules: an unapproved draft's workbook is stamped")
    hs, h, _, _, _ = _quote(ctx, am, big["id"], "en")
    ck.ok("DRAFT \u2013 not valid" in h, "quote rules: the stamp in English")
    hs, h, _, _, _ = _quote(ctx, am, big["id"], "zh-TW")
    ck.ok("草稿 — 未經審批，非正式報價" in h, "quote rules: the stamp in Traditional Chinese")
    r = am.post("/api/v1/offers/%d/submit" % big["id"], {})
    ck.expect(r, 200, "quote rules: submit the 30 % draft")
    ck.ok(r.json and r.json.get("status") == "pending", "quote rules: pending", repr(r.json and r.json.get("status")))
    _, h, _, strings, _ = _quote(ctx, am, big["id"])
    ck.ok(DRAFT_ZH in h and DRAFT_ZH in strings, "quote rules: a pending offer is still stamped")
    # within the limit: clean as a draft, clean once approved; the superseded v1 is stamped
    ok = new_offer(ctx, am, w["acct"], w, bundle=False)
    _, h, _, strings, _ = _quote(ctx, am, ok["id"])
    ck.ok(DRAFT_ZH not in h and 'class="draft"' not in h and DRAFT_ZH not in strings,
          "quote rules: a draft within the caller's limit prints clean")
    r = am.post("/api/v1/offers/%d/submit" % ok["id"], {})
    ck.ok(r.status == 200 and r.json.get("status") == "approved", "quote rules: within the limit -> approved",
          repr((r.status, r.json and r.json.get("status"))))
    _, h, _, _, _ = _quote(ctx, am, ok["id"])
    ck.ok(DRAFT_ZH not in h, "quote rules: an approved offer prints clean")
    r = am.post("/api/v1/offers/%d/versions" % ok["id"], {})
    ck.ok(r.status in (200, 201), "quote rules: a new version", repr(r.status))
    _, h, _, strings, _ = _quote(ctx, am, ok["id"])
    ck.ok(DRAFT_ZH in h and DRAFT_ZH in strings, "quote rules: the superseded v1 is stamped")

    # 3. a 2000-character CJK description: the workbook's XML stays valid and holds it whole
    import xml.etree.ElementTree as ET
    desc = ("长描述测试内容" * 300)[:2000]
    long_ = new_offer(ctx, am, w["acct"], w, bundle=False,
                      lines=[{"kind": "product", "product_id": w["p"]["id"], "quantity": 1, "description": desc}])
    _, h, xs, strings, _ = _quote(ctx, am, long_["id"])
    ck.ok(xs == 200, "quote rules: the workbook of a long description", repr(xs))
    try:
        root = ET.fromstring(strings.encode("utf-8"))
        texts = "".join(t.text or "" for t in root.iter() if t.tag.endswith("}t"))
        ck.ok(desc in texts, "quote rules: the 2000-character description whole in sharedStrings.xml")
    except ET.ParseError as e:
        ck.fail("quote rules: sharedStrings.xml parses", repr(e))
    ck.ok(desc in h, "quote rules: the long description whole on the page")

    # 4. bundle components as frozen on the line: a later rename of a component does not show
    fam = ctx.uniq("QFF")
    c1 = ctx.must(ctx.admin.post("/api/v1/products", {"sku": ctx.uniq("QFC"), "name": "冻结组件旧名", "family": fam,
                                                     "list_price": {"amount": 4000, "currency": "CNY"}}), 201, "component")
    b = ctx.must(ctx.admin.post("/api/v1/bundles", {"code": ctx.uniq("QFB"), "name": "冻结套装", "currency": "CNY",
                                                   "price": 3000, "items": [{"product_id": c1["id"], "quantity": 2}]}),
                 201, "bundle")
    fo = new_offer(ctx, am, w["acct"], w, bundle=False,
                   lines=[{"kind": "bundle", "bundle_id": b["id"], "quantity": 3}])
    ck.expect(ctx.admin.patch("/api/v1/products/%d" % c1["id"], {"name": "冻结组件新名"}), 200,
              "quote rules: rename the component")
    _, h, _, strings, _ = _quote(ctx, am, fo["id"])
    ck.ok("冻结组件旧名" in h and "冻结组件新名" not in h, "quote rules: the page shows the component as priced")
    ck.ok("冻结组件旧名" in strings and "冻结组件新名" not in strings, "quote rules: so does the workbook")
    ck.ok("每套 2" in h, "quote rules: a component's quantity is per set")

    # 7. a zero-decimal currency: JPY 163188 prints as 163,188 yen, the workbook holds 163188
    ctx.must(ctx.admin.put("/api/v1/fx-rates", {"currency": "JPY", "rate_micro": 48000}), 200, "fx JPY")
    jp = ctx.must(ctx.admin.post("/api/v1/products", {"sku": ctx.uniq("QDJ"), "name": "日元产品", "family": fam,
                                                     "unit": "pc",
                                                     "list_price": {"amount": 163188, "currency": "JPY"}}), 201,
                  "JPY product")
    jo = new_offer(ctx, am, w["acct"], w, bundle=False, currency="JPY",
                   lines=[{"kind": "product", "product_id": jp["id"], "quantity": 1}])
    ck.ok(jo["total"] == 163188, "quote rules: the JPY offer's total", repr(jo["total"]))
    _, h, _, _, x = _quote(ctx, am, jo["id"])
    ck.ok("JPY 163,188<" in h and "1,631.88" not in h, "quote rules: JPY without decimals on the page")
    ck.ok("10 件" not in h and "1 件" in h and "1 pc" not in h, "quote rules: the unit pc in Chinese")
    sheet = zipfile.ZipFile(io.BytesIO(x.body)).read("xl/worksheets/sheet1.xml").decode("utf-8")
    ck.ok("<v>163188</v>" in sheet, "quote rules: JPY in the workbook as whole yen")


GROUPS = [
    ("quote_company", g_quote_company, True),
    ("quote_docs", g_quote_docs, True),
    ("quote_doc_rules", g_quote_doc_rules, True),
]


# ---- permission matrix builders (t_matrix.py): every route of api/offers/quote_docs.c

@route("GET", COMPANY, "none")
def _(ctx, u, rec_):
    return Attempt("GET", COMPANY)


@route("PATCH", COMPANY, "none")
def _(ctx, u, rec_):
    return Attempt("PATCH", COMPANY, {"website": "https://example.com/" + ctx.uniq()},
                   state=lambda: company_state(ctx))


def _doc(ctx, rec):
    w = world(ctx)
    return w["other_offer" if rec == "other" else "offer"]["id"]


def _matrix_offer(ctx, rec):
    """An offer on the matrix's own account (A_own) or the other one (A_other)."""
    key = "mx_offer_" + (rec or "own")
    if key not in ctx.ids:
        w = world(ctx)
        ctx.ids[key] = new_offer(ctx, ctx.admin, acc(ctx, "other" if rec == "other" else "own"), w)["id"]
    return ctx.ids[key]


@route("GET", "/api/v1/offers/{id}/quote.html", "offer")
def _(ctx, u, rec):
    return Attempt("GET", "/api/v1/offers/%d/quote.html" % _matrix_offer(ctx, rec))


@route("GET", "/api/v1/offers/{id}/quote.xlsx", "offer")
def _(ctx, u, rec):
    return Attempt("GET", "/api/v1/offers/%d/quote.xlsx" % _matrix_offer(ctx, rec))
