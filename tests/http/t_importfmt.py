"""Imports as Chinese companies have their data (issue 13 section 5): files as Excel on a
Chinese Windows saves them, read into the same loads as UTF-8 CSV.

  - GBK and GB18030 CSV with Chinese headers (订单号, 日期, ...), detected (uchardet) and
    converted (iconv); UTF-16 LE "Unicode text" (BOM, tab-separated); every date form
    (2026/3/5, 2026-3-5, 2026年3月5日, 20260305, an Excel day number) and amount form
    ("1,234.50" quoted, ¥ / ￥, full-width digits, (1,234.50) negative), currency aliases (RMB,
    人民币, cny), trailing empty and ",,,,," rows ignored; the lines read back exactly;
  - .xlsx written three ways: by kam itself (the template, libxlsxwriter), by LibreOffice
    (`soffice --headless --convert-to xlsx`, skipped with a message when missing) with real
    date cells, and by hand (python zipfile: shared and inline strings, a date style, a custom
    date format, a second sheet picked with sheet=);
  - bad files refused with nothing loaded (the order, product and account tables and the
    rollups hashed before and after): bytes that are not the named encoding (400 naming the
    line), an unknown encoding, a damaged workbook, a DTD in a sheet, a sheet that does not
    exist, values past column 256, a row past 1048576, a bad date / amount in one row (422
    naming row, column and key);
  - templates (csv with a BOM and xlsx; Chinese and English headers), previews (encoding
    detected / overridden, columns mapped), saved mappings per user (reused by a load);
  - importfmt_fixes: each finding of the review of the readers (nearly-UTF-8, short Big5 and
    Latin-1 files; the shared-string amplification cap; bare numbers as dates; TSV stray
    quotes; long .xlsx numbers; date1904; sheet row numbers and blank rows; .xls; money forms
    as quantities; messages; sheet=/encoding= where they do not apply; _xHHHH_ escapes; one
    column matching for preview and import; unreadable files in the history).
"""

import datetime
import hashlib
import io
import os
import shutil
import subprocess
import tempfile
import zipfile

from t_matrix import route, Attempt
from t_sales import db_rows, lines_of, new_product

XLSX_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZH_HEADER = ["订单号", "日期", "客户代码", "产品编码", "区域", "渠道", "数量", "金额", "币种"]


@route("GET", "/api/v1/imports/template", "none")
def _tpl(ctx, u, rec_):
    return Attempt("GET", "/api/v1/imports/template", query={"kind": "orders", "format": "csv"})


@route("POST", "/api/v1/imports/preview", "none")
def _preview(ctx, u, rec_):
    data = ",".join(ZH_HEADER) + "\nX-1,2026/3/5,C1,S1,,,1,1,CNY\n"
    return Attempt("POST", "/api/v1/imports/preview", query={"kind": "orders"},
                   raw=data.encode("gbk"), content_type="text/csv", ok=200)


@route("GET", "/api/v1/imports/mappings", "none")
def _map_get(ctx, u, rec_):
    return Attempt("GET", "/api/v1/imports/mappings", query={"kind": "orders"})


@route("PUT", "/api/v1/imports/mappings", "none")
def _map_put(ctx, u, rec_):
    return Attempt("PUT", "/api/v1/imports/mappings", {"kind": "products", "mapping": "sku=物料号"})


def excel_serial(d):
    return (d - datetime.date(1899, 12, 30)).days


def table_hash(ctx):
    """What a load writes: order lines, rollups, products, accounts (not import_runs, which keep
    the record of a rejection)."""
    h = hashlib.sha256()
    for sql in ("SELECT id, external_id, day, account_id, product_id, quantity, amount, currency, amount_base "
                "FROM order_lines ORDER BY id",
                "SELECT account_id, month, family, region, channel, quantity, amount, lines FROM sales_monthly "
                "ORDER BY account_id, month, family, region, channel",
                "SELECT account_id, month, quantity, amount, lines FROM sales_monthly_account ORDER BY account_id, month",
                "SELECT id, sku, name, family, version FROM products ORDER BY id",
                "SELECT id, code, name, version FROM accounts ORDER BY id"):
        h.update(repr(db_rows(ctx, sql)).encode())
    return h.hexdigest()


class World:
    pass


def world(ctx):
    W = getattr(ctx, "importfmt_world", None)
    if W:
        return W
    W = World()
    W.code = ctx.uniq("IMPF")
    W.aid = ctx.new_account("am_e", code=W.code, name="导入格式%s有限公司" % ctx.tag)
    W.sku = new_product(ctx, "FmtFam-" + ctx.tag)["sku"]
    ctx.importfmt_world = W
    return W


def order_rows(ctx, W, prefix, forms):
    """Rows of (external_id, date text, amount text, currency text, qty text)."""
    out = []
    for i, (date, amount, cur, qty) in enumerate(forms):
        out.append([ctx.uniq(prefix), date, W.code, W.sku, "", "", qty, amount, cur])
    return out


def csv_text(rows, sep=","):
    def q(v):
        return '"%s"' % v.replace('"', '""') if (sep in v or '"' in v) else v
    return "\r\n".join(sep.join(q(v) for v in r) for r in rows) + "\r\n"


def check_lines(ctx, W, name, rows, want):
    """want: list of (date ISO, amount minor units, quantity) in row order."""
    by_ext = {l["external_id"]: l for l in lines_of(ctx, {"account_id": str(W.aid)})}
    got = []
    for r in rows:
        l = by_ext.get(r[0])
        got.append((l["date"], l["amount"]["amount"], l["amount"]["currency"], l["quantity"]) if l else None)
    ok = got == want
    return ctx.ck.ok(ok, name, "" if ok else "got %r, want %r" % (got, want))


# dates of every form, amounts of every form (all in CNY: the base currency)
D = datetime.date
FORMS = [  # (date text, amount text, currency text, qty text) -> (date, amount minor, qty)
    ("2026/3/5", "1,234.50", "RMB", "1", "2026-03-05", 123450, 1),
    ("2026-3-6", "￥1,234.50", "人民币", "２", "2026-03-06", 123450, 2),
    ("2026年3月7日", "（1,234.50）", "cny", "3", "2026-03-07", -123450, 3),
    (str(excel_serial(D(2026, 3, 9))), "１２３.５", "CNY", "4", "2026-03-09", 12350, 4),
    ("20260310", "(5.00)", "", "1,000", "2026-03-10", -500, 1000),
    ("2026-03-11", " 88 ", "Rmb", "0.5", "2026-03-11", 8800, 0.5),
]


def forms_rows(ctx, W, prefix, yen="￥"):
    rows = []
    for f in FORMS:
        amount = f[1].replace("￥", yen)
        rows.append([ctx.uniq(prefix), f[0], W.code, W.sku, "", "", f[3], amount, f[2]])
    return rows


def want_of():
    return [(f[4], f[5], "CNY", f[6]) for f in FORMS]


def g_importfmt_text(ctx):
    ck, a = ctx.ck, ctx.admin
    W = world(ctx)
    tail = "\r\n,,,,,,,,\r\n\r\n,,,,,,,,\r\n"

    # GBK with Chinese headers, detected
    rows = forms_rows(ctx, W, "GBK-")
    data = (csv_text([ZH_HEADER] + rows) + tail).encode("gbk")
    r = a.csv("orders", data, query={"filename": "订单-GBK.csv"})
    ck.expect(r, 201, "a GBK CSV with Chinese headers loads (detected, converted)",
              json={"status": "loaded", "rows_total": len(rows), "rows_inserted": len(rows), "format": "csv",
                    "rows_rejected": 0, "filename": "订单-GBK.csv"})
    ck.ok(r.json and r.json.get("encoding") in ("GB18030", "GBK", "GB2312"), "the GBK file is read as GB18030",
          repr(r.json and r.json.get("encoding")))
    check_lines(ctx, W, "GBK: every date and amount form reads back exactly", rows, want_of())

    # GB18030 (¥ U+00A5 is not in GBK), and trailing empty rows
    rows = forms_rows(ctx, W, "GB18-", yen="¥")
    data = (csv_text([ZH_HEADER] + rows) + tail).encode("gb18030")
    r = a.csv("orders", data, query={"filename": "orders-gb18030.csv"})
    ck.expect(r, 201, "a GB18030 CSV loads; ,,,,, and empty rows are not rows",
              json={"status": "loaded", "rows_total": len(rows), "rows_inserted": len(rows)})
    check_lines(ctx, W, "GB18030: the lines read back", rows, want_of())

    # named encoding wins over detection
    rows = forms_rows(ctx, W, "GBKN-")
    data = csv_text([ZH_HEADER] + rows).encode("gbk")
    r = a.csv("orders", data, query={"encoding": "gbk"})
    ck.expect(r, 201, "encoding=gbk loads the same file", json={"encoding": "GBK", "rows_inserted": len(rows)})

    # UTF-16 LE "Unicode text": BOM, tabs
    rows = forms_rows(ctx, W, "U16-")
    txt = csv_text([ZH_HEADER] + rows, sep="\t")
    r = a.csv("orders", b"\xff\xfe" + txt.encode("utf-16-le"), query={"filename": "unicode.txt"},
              content_type="text/plain")
    ck.expect(r, 201, "a UTF-16 LE tab-separated file (Excel's Unicode text) loads",
              json={"status": "loaded", "format": "tsv", "encoding": "UTF-16LE", "rows_inserted": len(rows)})
    check_lines(ctx, W, "UTF-16: the lines read back", rows, want_of())

    # UTF-16 BE with a BOM too
    rows = forms_rows(ctx, W, "U16B-")
    txt = csv_text([ZH_HEADER] + rows, sep="\t")
    r = a.csv("orders", b"\xfe\xff" + txt.encode("utf-16-be"), content_type="text/tab-separated-values")
    ck.expect(r, 201, "a UTF-16 BE file loads", json={"encoding": "UTF-16BE", "rows_inserted": len(rows)})

    # UTF-8 with a BOM and English headers in another case
    rows = forms_rows(ctx, W, "U8B-")
    hdr = ["External ID", "DATE", "account code", "SKU", "region", "channel", "Quantity", "amount", "currency"]
    r = a.csv("orders", b"\xef\xbb\xbf" + csv_text([hdr] + rows).encode("utf-8"))
    ck.expect(r, 201, "UTF-8 with a BOM, headers in any case and with spaces", json={"encoding": "UTF-8",
                                                                                    "rows_inserted": len(rows)})

    # the template's own headers "订单号 (external_id)" load
    t = a.get("/api/v1/imports/template", query={"kind": "orders", "format": "csv"})
    ck.ok(t.status == 200 and t.body.startswith(b"\xef\xbb\xbf"), "the CSV template is UTF-8 with a BOM")
    head = t.body[3:].decode("utf-8").splitlines()[0] if t.status == 200 else ""
    ck.ok("订单号 (external_id)" in head and "金额 (amount)" in head, "the template's headers are Chinese and English",
          head)
    rows = forms_rows(ctx, W, "TPL-")
    r = a.csv("orders", (head + "\r\n" + csv_text(rows)).encode("utf-8"))
    ck.expect(r, 201, "a file under the template's header loads", json={"rows_inserted": len(rows)})
    for kind in ("products", "accounts"):
        t = a.get("/api/v1/imports/template", query={"kind": kind, "format": "xlsx"})
        ck.ok(t.status == 200 and t.body[:2] == b"PK" and XLSX_CT in (t.header("Content-Type") or ""),
              "the %s template as .xlsx" % kind, "%s %s" % (t.status, t.header("Content-Type")))
    ck.expect(a.get("/api/v1/imports/template", query={"kind": "nope"}), 400, "a template of an unknown kind",
              field="kind")
    ck.expect(a.get("/api/v1/imports/template", query={"kind": "orders", "format": "pdf"}), 400,
              "a template in an unknown format", field="format")

    # products: list price forms, currency alias
    sku = ctx.uniq("FMTP-")
    data = csv_text([["物料编码", "品名", "产品系列", "单位", "单价", "币种"],
                     [sku, "轴承 6204", "FmtFam-" + ctx.tag, "个", "¥1,250.00", "人民币"]]).encode("gb18030")
    r = a.csv("products", data)
    ck.expect(r, 201, "a products file with Chinese headers, ¥1,250.00 and 人民币", json={"rows_inserted": 1})
    p = a.get("/api/v1/products", query={"q": sku})
    items = (p.json or {}).get("items", [])
    ck.ok(items and items[0].get("list_price") == {"amount": 125000, "currency": "CNY"},
          "the list price reads back as 1250.00 CNY", repr(items[:1]))


def xlsx_by_hand(sheets, styles=None, shared=None):
    """sheets: [(name, sheet xml body)] -> .xlsx bytes."""
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rns = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"/>')
        z.writestr("xl/workbook.xml", '<?xml version="1.0" encoding="UTF-8"?><workbook %s %s><sheets>%s</sheets>'
                   '</workbook>' % (ns, rns, "".join('<sheet name="%s" sheetId="%d" r:id="rId%d"/>' % (n, i + 1, i + 1)
                                                     for i, (n, _) in enumerate(sheets))))
        z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.'
                   'openxmlformats.org/package/2006/relationships">%s</Relationships>' %
                   "".join('<Relationship Id="rId%d" Type="x" Target="worksheets/s%d.xml"/>' % (i + 1, i + 1)
                           for i in range(len(sheets))))
        if styles is not None:
            z.writestr("xl/styles.xml", '<?xml version="1.0"?><styleSheet %s>%s</styleSheet>' % (ns, styles))
        if shared is not None:
            z.writestr("xl/sharedStrings.xml", '<?xml version="1.0"?><sst %s>%s</sst>' % (
                ns, "".join("<si><t>%s</t></si>" % s for s in shared)))
        for i, (_, body) in enumerate(sheets):
            z.writestr("xl/worksheets/s%d.xml" % (i + 1), '<?xml version="1.0"?><worksheet %s><sheetData>%s'
                       '</sheetData></worksheet>' % (ns, body) if not body.startswith("<?xml") else body)
    return b.getvalue()


def col_name(i):
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def g_importfmt_xlsx(ctx):
    ck, a = ctx.ck, ctx.admin
    W = world(ctx)

    # by hand: header in shared strings, text inline, dates by style, numbers as numbers
    shared = ZH_HEADER
    styles = ('<numFmts count="1"><numFmt numFmtId="177" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/>'
              '</numFmts><cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="177"/></cellXfs>')
    exts = [ctx.uniq("XH-") for _ in range(4)]
    cells = []
    cells.append('<row r="1">%s</row>' % "".join('<c r="%s1" t="s"><v>%d</v></c>' % (col_name(i), i)
                                                 for i in range(9)))

    def inl(ref, s):
        return '<c r="%s" t="inlineStr"><is><t>%s</t></is></c>' % (ref, s)
    spec = [  # (date xml, amount number, currency or None, qty)
        ('<c r="B{r}" s="1"><v>%d</v></c>' % excel_serial(D(2026, 4, 1)), "1234.5", "RMB", "2"),
        ('<c r="B{r}" s="2"><v>%d.75</v></c>' % excel_serial(D(2026, 4, 2)), "0.30000000000000004", None, "1"),
        (inl("B{r}", "2026/4/3"), "-12", "人民币", "3"),
        ('<c r="B{r}"><v>%d</v></c>' % excel_serial(D(2026, 4, 4)), "99", "cny", "1"),
    ]
    r_no = 2
    for ext, (dx, amt, cur, qty) in zip(exts, spec):
        row = inl("A%d" % r_no, ext) + dx.format(r=r_no) + inl("C%d" % r_no, W.code) + inl("D%d" % r_no, W.sku)
        row += '<c r="G%d"><v>%s</v></c><c r="H%d"><v>%s</v></c>' % (r_no, qty, r_no, amt)
        if cur:
            row += inl("I%d" % r_no, cur)
        cells.append('<row r="%d">%s</row>' % (r_no, row))
        r_no += 2 if r_no == 3 else 1  # an empty row in between
    cells.append('<row r="%d"><c r="A%d" t="inlineStr"><is><t></t></is></c></row>' % (r_no + 3, r_no + 3))
    body = "".join(cells)
    x = xlsx_by_hand([("说明", '<row r="1">%s</row>' % inl("A1", "请填写第二个工作表")), ("订单", body)], styles,
                     shared)
    before = table_hash(ctx)
    r = a.csv("orders", x, content_type=XLSX_CT)
    ck.expect(r, 422, "the first sheet (instructions) is read by default: no columns, refused")
    ck.ok(table_hash(ctx) == before, "the refused workbook loaded nothing")
    r = a.csv("orders", x, query={"sheet": "订单", "filename": "订单.xlsx"}, content_type=XLSX_CT)
    ck.expect(r, 201, "sheet=订单 loads the second sheet (shared and inline strings, date styles, numbers)",
              json={"status": "loaded", "format": "xlsx", "sheet": "订单", "rows_inserted": 4, "rows_total": 4})
    rows = [[e] for e in exts]
    check_lines(ctx, W, "hand-made .xlsx: dates by style and as text, numbers exact", rows,
                [("2026-04-01", 123450, "CNY", 2), ("2026-04-02", 30, "CNY", 1), ("2026-04-03", -1200, "CNY", 3),
                 ("2026-04-04", 9900, "CNY", 1)])
    r = a.csv("orders", x, query={"sheet": "Sheet9"}, content_type=XLSX_CT)
    ck.expect(r, 400, "a sheet that does not exist: 400 naming it", field="sheet")
    ck.ok(r.json and r.json.get("error", {}).get("key") == "import.no_sheet", "its key is import.no_sheet")

    # preview of the workbook
    p = a.post("/api/v1/imports/preview", raw=x, query={"kind": "orders", "sheet": "订单"}, content_type=XLSX_CT)
    ck.expect(p, 200, "preview of a workbook: its sheets, the columns mapped, the rows",
              json={"format": "xlsx", "sheets": ["说明", "订单"], "sheet": "订单", "missing": []})
    if p.status == 200:
        ck.ok([c["field"] for c in p.json["columns"]] == ["external_id", "date", "account_code", "sku", "region",
                                                           "channel", "quantity", "amount", "currency"],
              "every Chinese header maps to its field", repr(p.json["columns"]))
        ck.ok(len(p.json["rows"]) == 4 and p.json["rows"][0]["cells"][1] == "2026-04-01",
              "the preview's rows (a date cell as YYYY-MM-DD)", repr(p.json["rows"][:1]))

    # kam's own .xlsx (libxlsxwriter): the template, previewed and checked
    t = a.get("/api/v1/imports/template", query={"kind": "orders", "format": "xlsx"})
    p = a.post("/api/v1/imports/preview", raw=t.body, query={"kind": "orders"}, content_type=XLSX_CT)
    ck.expect(p, 200, "the .xlsx template (libxlsxwriter) reads: every column mapped, the example row",
              json={"format": "xlsx", "missing": []})
    if p.status == 200:
        ck.ok(all(c["field"] for c in p.json["columns"]) and len(p.json["rows"]) == 1 and
              p.json["rows"][0]["cells"][7] == "1234.5", "template columns and example row", repr(p.json))
        # the example row with this run's account and product: a real load of a libxlsxwriter file
    r = a.csv("orders", t.body, query={"dry_run": "1"}, content_type=XLSX_CT)
    ck.expect(r, 422, "the template's example row is checked: only its example account and product are unknown")
    if r.json:
        ck.ok(sorted(p_["column"] for p_ in r.json["problems"]) in (["account_code", "sku"], ["account_code"],
                                                                    ["sku"], []),
              "the template's example is read (no date, amount or column problem)", repr(r.json["problems"]))

    # LibreOffice
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        print("SKIP [importfmt_xlsx] LibreOffice (soffice) is not installed: the .xlsx made by LibreOffice is not "
              "tested (apt-get install libreoffice-calc-nogui)", flush=True)
    else:
        rows = [[ctx.uniq("LO-"), "2026/5/%d" % (i + 1), W.code, W.sku, "华东", "直销", str(i + 1), "%d.25" % (100 * i + 1),
                 "RMB"] for i in range(3)]
        with tempfile.TemporaryDirectory() as d:
            src = os.path.join(d, "lo.csv")
            with open(src, "w", encoding="utf-8") as f:
                f.write(csv_text([ZH_HEADER] + rows))
            pr = subprocess.run([soffice, "-env:UserInstallation=file://%s/profile" % d, "--headless",
                                 "--infilter=CSV:44,34,76,1,,2052,false,true,true", "--convert-to", "xlsx", "--outdir", d, src],
                                capture_output=True, timeout=180)
            out = os.path.join(d, "lo.xlsx")
            if pr.returncode != 0 or not os.path.exists(out):
                ck.fail("soffice converts the CSV to .xlsx", pr.stderr.decode("utf-8", "replace")[:300])
            else:
                with open(out, "rb") as f:
                    x = f.read()
                with zipfile.ZipFile(io.BytesIO(x)) as z:
                    sheet = z.read("xl/worksheets/sheet1.xml").decode()
                ck.ok('t="s"' in sheet and "<v>46" in sheet, "LibreOffice wrote shared strings and date numbers")
                r = a.csv("orders", x, query={"filename": "lo.xlsx"}, content_type=XLSX_CT)
                ck.expect(r, 201, "an .xlsx made by LibreOffice loads", json={"rows_inserted": 3, "format": "xlsx"})
                check_lines(ctx, W, "LibreOffice .xlsx: date cells and numbers read back", rows,
                            [("2026-05-%02d" % (i + 1), 100 * i * 100 + 125, "CNY", i + 1) for i in range(3)])


def g_importfmt_bad(ctx):
    ck, a = ctx.ck, ctx.admin
    W = world(ctx)
    rows = forms_rows(ctx, W, "BAD-")
    gbk = csv_text([ZH_HEADER] + rows).encode("gbk")
    before = table_hash(ctx)

    def refused(r, status, name, field=None, key=None, json=None):
        kw = {}
        if field:
            kw["field"] = field
        if json is not None:
            kw["json"] = json
        ck.expect(r, status, name, **kw)
        if key and r.json:
            got = r.json.get("error", {}).get("key") if status == 400 else None
            ck.ok(got == key, name + ": key " + key, repr(r.json.get("error")))
        ck.ok(table_hash(ctx) == before, name + ": nothing loaded")

    r = a.csv("orders", gbk, query={"encoding": "utf-8"})
    refused(r, 400, "a GBK file read as UTF-8: 400 naming the line", "encoding", "import.bad_encoding")
    if r.json:
        ck.ok(r.json["error"].get("params", {}).get("n") == "1", "the first line with bytes that are not UTF-8",
              repr(r.json["error"]))
    refused(a.csv("orders", gbk, query={"encoding": "latin9"}), 400, "an unknown encoding", "encoding",
            "import.unknown_encoding")
    refused(a.csv("orders", b"PK\x03\x04" + os.urandom(300), content_type=XLSX_CT), 400, "a damaged workbook",
            "file", "import.bad_xlsx")
    bomb = xlsx_by_hand([("s", '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 '
                               '"&lol;&lol;&lol;&lol;&lol;&lol;">]><worksheet><sheetData><row r="1"><c r="A1" '
                               't="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>')])
    refused(a.csv("orders", bomb, content_type=XLSX_CT), 400, "a sheet with a DTD (entity expansion)", "file",
            "import.bad_xlsx")
    wide = xlsx_by_hand([("s", '<row r="1"><c r="IW1" t="inlineStr"><is><t>x</t></is></c></row>')])
    refused(a.csv("orders", wide, content_type=XLSX_CT), 400, "a value past column 256", "file",
            "import.xlsx_too_many_columns")
    tall = xlsx_by_hand([("s", '<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
                               '<row r="1048577"><c r="A1048577" t="inlineStr"><is><t>x</t></is></c></row>')])
    refused(a.csv("orders", tall, content_type=XLSX_CT), 400, "a row past 1048576", "file",
            "import.xlsx_too_many_rows")
    refused(a.csv("orders", gbk, content_type="image/png"), 415, "another content type")

    # one bad row among good ones: 422 naming row, column and key
    bad = [list(rw) for rw in rows]
    bad[1][1] = "2026/2/30"
    bad[3][7] = "1,23"
    r = a.csv("orders", csv_text([ZH_HEADER] + bad).encode("gbk"))
    refused(r, 422, "a bad date and a bad amount in a GBK file: 422, nothing loaded", json={"status": "rejected"})
    probs = sorted((p["row"], p["column"], p["key"]) for p in (r.json or {}).get("problems", []))
    ck.ok(probs == [(3, "date", "import.bad_date"), (5, "amount", "import.bad_number")],
          "the problems name row, column and key", repr(probs))
    p = [p for p in (r.json or {}).get("problems", []) if p["column"] == "date"]
    ck.ok(p and p[0]["params"].get("value") == "2026/2/30", "the bad value is quoted as written (in UTF-8)",
          repr(p))
    zh = a.request("POST", "/api/v1/imports/orders", raw=gbk, query={"encoding": "utf-8"},
                   content_type="text/csv", headers={"Accept-Language": "zh-CN"})
    ck.ok(zh.status == 400 and "不是" in (zh.json or {}).get("error", {}).get("message", ""),
          "the refusal in the user's language (zh-CN)", repr(zh.json))


def g_importfmt_params(ctx):
    """A bad parameter (encoding=foo, sheet= on a text file, encoding= on an .xlsx) is a 400
    that leaves the DB as it was: no import run, no audit row. A file that cannot be read is
    still recorded (the contrast)."""
    ck, a = ctx.ck, ctx.admin
    W = world(ctx)
    gbk = csv_text([ZH_HEADER] + forms_rows(ctx, W, "PRM-")).encode("gbk")
    book = xlsx_by_hand([("s", '<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>')])
    name = "params-%s.csv" % ctx.tag

    def runs_hash():
        h = hashlib.sha256()
        h.update(repr(db_rows(ctx, "SELECT id, kind, filename, status FROM import_runs WHERE filename = '%s' "
                                   "ORDER BY id" % name)).encode())
        h.update(repr(db_rows(ctx, "SELECT a.id FROM audit a JOIN import_runs r ON a.entity = 'import' "
                                   "AND a.entity_id = r.id WHERE r.filename = '%s' ORDER BY a.id" % name)).encode())
        return h.hexdigest()

    before, runs0 = table_hash(ctx), runs_hash()
    for label, data, ctype, q, key in (
            ("encoding=foo", gbk, "text/csv", {"encoding": "foo"}, "import.unknown_encoding"),
            ("sheet= on a text file", gbk, "text/csv", {"sheet": "Sheet1"}, "import.sheet_not_xlsx"),
            ("encoding= on an .xlsx", book, XLSX_CT, {"encoding": "gbk"}, "import.encoding_not_text")):
        q = dict(q, filename=name)
        r = a.csv("orders", data, query=q, content_type=ctype)
        ck.expect(r, 400, label + ": 400")
        got = ((r.json or {}).get("error") or {}).get("key")
        ck.ok(got == key, label + ": key " + key, repr(r.json))
        ck.ok(table_hash(ctx) == before and runs_hash() == runs0,
              label + ": the DB is unchanged (no import run, no audit row)")
    r = a.csv("orders", b"PK\x03\x04" + os.urandom(300), query={"filename": name}, content_type=XLSX_CT)
    ck.expect(r, 400, "a damaged workbook: 400")
    n = db_rows(ctx, "SELECT COUNT(*) FROM import_runs WHERE filename = '%s'" % name)[0][0]
    ck.ok(n == 1, "a file that cannot be read is still recorded as a run", repr(n))


def g_importfmt_prefs(ctx):
    ck, a = ctx.ck, ctx.admin
    W = world(ctx)
    fin = ctx.U("fin").client
    # preview: detection and override
    rows = forms_rows(ctx, W, "PV-")
    gbk = csv_text([ZH_HEADER] + rows).encode("gbk")
    p = a.post("/api/v1/imports/preview", raw=gbk, query={"kind": "orders", "filename": "x.csv"},
               content_type="text/csv")
    ck.expect(p, 200, "preview of a GBK file: detected, the headers in Chinese, mapped",
              json={"format": "csv", "encoding": "GB18030", "detected": "GB18030", "missing": []})
    if p.status == 200:
        ck.ok([c["header"] for c in p.json["columns"]] == ZH_HEADER, "the headers decoded", repr(p.json["columns"]))
        ck.ok(len(p.json["rows"]) == 5, "at most 5 rows previewed")
    p = a.post("/api/v1/imports/preview", raw=gbk, query={"kind": "orders", "encoding": "big5"},
               content_type="text/csv")
    ck.expect(p, 400, "an overriding encoding is honoured (big5): the GBK bytes are not Big5", field="encoding")
    ck.ok(p.json and p.json["error"].get("key") == "import.bad_encoding" and
          p.json["error"]["params"].get("value") == "BIG5", "refused as Big5 text, naming the line", repr(p.json))
    p = a.post("/api/v1/imports/preview", raw=csv_text([["訂單號", "金額"], ["X", "1"]]).encode("big5"),
               query={"kind": "orders", "encoding": "big5"}, content_type="text/csv")
    ck.expect(p, 200, "encoding=big5 on a Big5 file: read, its headers mapped", json={"encoding": "BIG5"})
    if p.status == 200:
        ck.ok([c["field"] for c in p.json["columns"]] == ["external_id", "amount"], "訂單號 and 金額 mapped",
              repr(p.json["columns"]))
    ck.expect(a.post("/api/v1/imports/preview", raw=gbk, query={"kind": "nope"}, content_type="text/csv"), 400,
              "preview of an unknown kind", field="kind")

    # mappings: per user, saved, reused
    ck.expect(fin.put("/api/v1/imports/mappings", {"kind": "orders", "mapping": ""}), 200, "finance clears")
    r = fin.get("/api/v1/imports/mappings", query={"kind": "orders"})
    ck.expect(r, 200, "no mapping saved yet", json={"kind": "orders", "mapping": "", "updated_at": None})
    m = "external_id=单据号,amount=价税合计金额"
    r = fin.put("/api/v1/imports/mappings", {"kind": "orders", "mapping": m})
    ck.expect(r, 200, "finance saves a mapping", json={"kind": "orders", "mapping": m})
    ck.expect(fin.get("/api/v1/imports/mappings", query={"kind": "orders"}), 200, "and reads it back",
              json={"mapping": m})
    r = a.get("/api/v1/imports/mappings", query={"kind": "orders"})
    ck.ok(r.status == 200 and r.json["mapping"] != m, "another user does not see it", repr(r.json))
    for bad in ("nope=X", "external_id=", "external_id=A,external_id=B", "external_id"):
        ck.expect(fin.put("/api/v1/imports/mappings", {"kind": "orders", "mapping": bad}), 400,
                  "a bad mapping %r refused" % bad, field="mapping")
    ck.expect(fin.put("/api/v1/imports/mappings", {"kind": "x", "mapping": ""}), 400, "an unknown kind", field="kind")
    ck.expect(fin.put("/api/v1/imports/mappings", {"kind": "orders", "mapping": "a" * 2001}), 400,
              "a mapping over 2000 characters", field="mapping")
    ck.expect(fin.get("/api/v1/imports/mappings"), 400, "GET without kind", field="kind")
    hdr = ["单据号"] + ZH_HEADER[1:7] + ["价税合计金额", "币种"]
    rows = forms_rows(ctx, W, "MAP-")
    saved = fin.get("/api/v1/imports/mappings", query={"kind": "orders"}).json["mapping"]
    r = fin.csv("orders", csv_text([hdr] + rows).encode("gbk"), query={"mapping": saved})
    ck.expect(r, 201, "the saved mapping reused on the next load", json={"rows_inserted": len(rows)})
    ck.expect(fin.put("/api/v1/imports/mappings", {"kind": "orders", "mapping": ""}), 200, "and forgotten",
              json={"mapping": "", "updated_at": None})


def xlsx_cells(rows, styles=None, shared=None, workbook_pr=""):
    """rows: {sheet row number: [cell xml with {r}]} -> .xlsx bytes of one sheet."""
    body = "".join('<row r="%d">%s</row>' % (r, "".join(c.format(r=r) for c in cells))
                   for r, cells in sorted(rows.items()))
    x = xlsx_by_hand([("s", body)], styles, shared)
    if not workbook_pr:
        return x
    src, out = io.BytesIO(x), io.BytesIO()
    with zipfile.ZipFile(src) as zi, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zo:
        for n in zi.namelist():
            data = zi.read(n)
            if n == "xl/workbook.xml":
                data = data.replace(b"<sheets>", workbook_pr.encode() + b"<sheets>")
            zo.writestr(n, data)
    return out.getvalue()


def g_importfmt_fixes(ctx):
    """The review of the import readers (issue 13 section 5): each finding pinned."""
    ck, a = ctx.ck, ctx.admin
    W = world(ctx)

    def key_of(r):
        return ((r.json or {}).get("error") or {}).get("key")

    def preview(data, ctype="text/csv", **q):
        q.setdefault("kind", "products")
        return a.post("/api/v1/imports/preview", raw=data, query=q, content_type=ctype)

    # 1. a UTF-8 file with one Latin-1 byte: UTF-8, only that row refused (import.bad_utf8)
    sku = [ctx.uniq("U8-") for _ in range(3)]
    data = ("sku,name,family\n%s,深沟球轴承,轴承\n%s,圆锥滚子轴承,轴承\n" % (sku[0], sku[1])).encode() + \
        ("%s,Caf" % sku[2]).encode() + b"\xe9" + " 调心轴承,轴承\n".encode()
    r = a.csv("products", data, query={"dry_run": "1"})
    ck.expect(r, 422, "nearly-UTF-8: read as UTF-8, the bad row refused", json={"encoding": "UTF-8"})
    probs = [(p_["row"], p_["key"]) for p_ in (r.json or {}).get("problems", [])]
    ck.ok(probs == [(4, "import.bad_utf8")], "only row 4 is refused (import.bad_utf8)", repr(probs))
    r = a.csv("products", data, query={"skip_bad_rows": "1"})
    ck.expect(r, 201, "nearly-UTF-8 with skip_bad_rows: the good rows load", json={"rows_inserted": 2})
    got = a.get("/api/v1/products", query={"q": sku[1]})
    ck.ok(got.status == 200 and got.json["items"] and got.json["items"][0]["name"] == "圆锥滚子轴承",
          "the UTF-8 names read back (no mojibake)", got.describe())
    # a short Big5 file (uchardet calls it ISO-8859-x): Big5, never GB18030 mojibake
    sku5 = ctx.uniq("B5-")
    r = a.csv("products", ("sku,name,family\n%s,張三軸承,bearing\n" % sku5).encode("big5"))
    ck.expect(r, 201, "a short Big5 file is read as Big5", json={"encoding": "BIG5", "rows_inserted": 1})
    got = a.get("/api/v1/products", query={"q": sku5})
    ck.ok(got.status == 200 and got.json["items"] and got.json["items"][0]["name"] == "張三軸承",
          "its name reads back as written", got.describe())
    # Latin-1 Müller: unclear, 400 naming the choices; named, it loads
    skul = ctx.uniq("L1-")
    lat = ("sku,name,family\n%s,Müller Lager,bearing\n" % skul).encode("latin-1")
    r = a.csv("products", lat)
    ck.expect(r, 400, "a Latin-1 file: the encoding is unclear, 400 on encoding", field="encoding")
    ck.ok(key_of(r) == "import.encoding_uncertain" and "windows-1252" in r.json["error"]["params"].get("value", ""),
          "import.encoding_uncertain names the choices (windows-1252 among them)", repr(r.json))
    r = a.csv("products", lat, query={"encoding": "windows-1252"})
    ck.expect(r, 201, "encoding=windows-1252 loads it", json={"encoding": "WINDOWS-1252", "rows_inserted": 1})
    got = a.get("/api/v1/products", query={"q": skul})
    ck.ok(got.status == 200 and got.json["items"] and got.json["items"][0]["name"] == "Müller Lager",
          "Müller reads back (not M黮ler)", got.describe())

    # 2. zip bomb: a 1 MiB shared string in 100 rows (100 MiB of CSV; the old 1 GiB cap read
    # it) is refused at the 64 MiB cap
    big = "A" * ((1 << 20) - 64)
    amp = xlsx_cells({r_: ['<c r="A{r}" t="s"><v>0</v></c>'] for r_ in range(1, 101)}, shared=[big])
    ck.ok(len(amp) < 20000, "the amplifying workbook is small", "%d bytes" % len(amp))
    r = preview(amp, XLSX_CT)
    ck.expect(r, 400, "a shared string copied into 100 cells: refused at the cap", field="file")
    ck.ok(key_of(r) == "import.file_too_big", "key import.file_too_big", repr(r.json))

    # 3. a bare number is a date only as a plausible Excel serial (1990-2100)
    ext = [ctx.uniq("SER-") for _ in range(3)]
    rows = [[ext[0], "2026", W.code, W.sku, "", "", "1", "1", "CNY"],
            [ext[1], "12", W.code, W.sku, "", "", "1", "1", "CNY"],
            [ext[2], str(excel_serial(D(2026, 3, 9))), W.code, W.sku, "", "", "1", "1", "CNY"]]
    r = a.csv("orders", csv_text([ZH_HEADER] + rows), query={"dry_run": "1"})
    probs = sorted((p_["row"], p_["column"], p_["key"]) for p_ in (r.json or {}).get("problems", []))
    ck.ok(r.status == 422 and probs == [(2, "date", "import.bad_date"), (3, "date", "import.bad_date")],
          "2026 and 12 are no dates; a serial of 2026-03-09 is", "%s %r" % (r.status, probs))

    # 4. TSV: a value starting with a quote is literal, no row vanishes
    tsv = 'sku\tname\tfamily\nT1\t"Best" item\tbearing\nT2\tok\tbearing\nT3\t"quoted, tab\tin"\tbearing\n'
    r = preview(tsv.encode(), "text/tab-separated-values", filename="x.tsv")
    ck.expect(r, 200, "a TSV with a stray quote previews", json={"format": "tsv"})
    cells = [row_["cells"] for row_ in (r.json or {}).get("rows", [])]
    ck.ok(cells == [["T1", '"Best" item', "bearing"], ["T2", "ok", "bearing"], ["T3", "quoted, tab\tin", "bearing"]],
          "every row kept, the stray quote literal, a properly quoted field unquoted", repr(cells))

    # 5-7. .xlsx numbers exact, date1904, rows as Excel numbers them
    inl = '<c r="%s{r}" t="inlineStr"><is><t>%s</t></is></c>'
    num = '<c r="%s{r}"><v>%s</v></c>'
    hdr = [inl % ("A", "sku"), inl % ("B", "name"), inl % ("C", "family")]
    x = xlsx_cells({1: hdr, 2: [inl % ("A", "N1"), num % ("B", "1234567890123456"), inl % ("C", "f")],
                    3: [inl % ("A", "N2"), num % ("B", "1.2345678901234E+15"), inl % ("C", "f")],
                    4: [inl % ("A", "N3"), num % ("B", "1234.5599999999999"), inl % ("C", "f")],
                    5: [inl % ("A", "N4"), num % ("B", "-0.0015"), inl % ("C", "f")]})
    r = preview(x, XLSX_CT)
    cells = [row_["cells"][1] for row_ in (r.json or {}).get("rows", [])]
    ck.ok(r.status == 200 and cells == ["1234567890123456", "1234567890123400", "1234.56", "-0.0015"],
          ".xlsx numbers: long integers whole, exponent form in full, Excel's binary tails dropped", repr(cells))
    ohdr = [inl % (col_name(i), h) for i, h in enumerate(ZH_HEADER)]
    big_ext = ctx.uniq("BIG-")
    x = xlsx_cells({1: ohdr, 2: [inl % ("A", big_ext), inl % ("B", "2026-03-05"), inl % ("C", W.code),
                                 inl % ("D", W.sku), num % ("G", "1"), num % ("H", "1E+300")]})
    r = a.csv("orders", x, query={"dry_run": "1"}, content_type=XLSX_CT)
    probs = [(p_["row"], p_["column"], p_["params"].get("value")) for p_ in (r.json or {}).get("problems", [])]
    ck.ok(r.status == 422 and probs == [(2, "amount", "1E+300")],
          "a number no plain text keeps (1E+300) is read as Excel shows it and refused in its row",
          "%s %r" % (r.status, probs))
    styles = '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs>'
    dcell = '<c r="B{r}" s="1"><v>%d</v></c>' % ((D(2026, 3, 5) - D(1904, 1, 1)).days)
    x = xlsx_cells({1: hdr, 2: [inl % ("A", "D1"), dcell, inl % ("C", "f")]}, styles,
                   workbook_pr='<workbookPr date1904="1"/>')
    r = preview(x, XLSX_CT)
    cells = [row_["cells"][1] for row_ in (r.json or {}).get("rows", [])]
    ck.ok(r.status == 200 and cells == ["2026-03-05"], "a date1904 workbook's date cell is its day", repr(cells))
    orow = [inl % ("A", ctx.uniq("OFF-")), inl % ("B", "2026-03-05"), inl % ("C", W.code), inl % ("D", W.sku),
            num % ("G", "1"), num % ("H", "1")]
    brow = [inl % ("A", ctx.uniq("OFF-")), inl % ("B", "2026-02-30"), inl % ("C", W.code), inl % ("D", W.sku),
            num % ("G", "1"), num % ("H", "1")]
    x = xlsx_cells({3: ohdr, 4: orow, 7: brow})
    r = a.csv("orders", x, query={"dry_run": "1"}, content_type=XLSX_CT)
    probs = [(p_["row"], p_["column"]) for p_ in (r.json or {}).get("problems", [])]
    ck.ok(r.status == 422 and probs == [(7, "date")] and r.json.get("rows_total") == 2,
          "header at sheet row 3: the bad row is named as Excel's row 7; blank rows are no rows",
          "%s %r %r" % (r.status, probs, (r.json or {}).get("rows_total")))

    # blank sheet rows are no rows: 2 products 250,000 sheet rows apart pass the 200,000-row
    # limit of a non-admin, and the second is named by its sheet row
    fin = ctx.U("fin").client
    x = xlsx_cells({1: hdr, 2: [inl % ("A", ctx.uniq("FAR-")), inl % ("B", "n"), inl % ("C", "FmtFam-" + ctx.tag)],
                    250001: [inl % ("A", ctx.uniq("FAR-")), inl % ("B", "n"), inl % ("C", "")]})
    r = fin.csv("products", x, query={"dry_run": "1"}, content_type=XLSX_CT)
    probs = [(p_["row"], p_["column"]) for p_ in (r.json or {}).get("problems", [])]
    ck.ok(r.status == 422 and r.json.get("rows_total") == 2 and probs == [(250001, "family")],
          "blank rows do not count toward the row limit; the bad row is sheet row 250001",
          "%s %r %r" % (r.status, (r.json or {}).get("rows_total"), probs))

    # 9. legacy .xls and password-protected workbooks (OLE files)
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    for ctype in ("application/octet-stream", XLSX_CT):  # a .xls; a password-protected .xlsx
        r = a.csv("orders", ole, content_type=ctype)
        ck.expect(r, 400, "an OLE workbook sent as %s: 400 on file" % ctype, field="file")
        ck.ok(key_of(r) == "import.xls_unsupported", "key import.xls_unsupported (save as .xlsx)", repr(r.json))

    # 10. quantities are numbers, not money
    rows = [[ctx.uniq("Q-"), "2026-03-05", W.code, W.sku, "", "", q, "¥3", "CNY"] for q in ("¥3", "5元", "(2)")]
    r = a.csv("orders", csv_text([ZH_HEADER] + rows), query={"dry_run": "1"})
    probs = sorted((p_["row"], p_["column"]) for p_ in (r.json or {}).get("problems", []))
    ck.ok(r.status == 422 and probs == [(2, "quantity"), (3, "quantity"), (4, "quantity")],
          "¥3, 5元 and (2) are refused as quantities (and ¥3 read as an amount)", "%s %r" % (r.status, probs))

    # 12. messages: every accepted encoding name; the date forms in each language
    r = a.csv("orders", b"a\n", query={"encoding": "latin9"})
    msg = ((r.json or {}).get("error") or {}).get("message", "")
    ck.ok(r.status == 400 and all(n in msg for n in ("utf8", "cp936", "gb2312", "big5", "windows-1252")),
          "import.unknown_encoding lists every accepted name", msg)
    bad = [[ctx.uniq("BD-"), "2026/2/30", W.code, W.sku, "", "", "1", "1", "CNY"]]
    r = a.csv("orders", csv_text([ZH_HEADER] + bad), query={"dry_run": "1"})
    m = [p_.get("reason", "") for p_ in (r.json or {}).get("problems", [])]
    ck.ok(r.status == 422 and m and "2026/3/5" in m[0] and "20260305" in m[0],
          "import.bad_date's reason lists the accepted forms (the catalogue's three languages: unit test)", repr(m))

    # 13. sheet= is for workbooks, encoding= for text
    r = a.csv("orders", csv_text([ZH_HEADER]), query={"sheet": "订单"})
    ck.expect(r, 400, "sheet= on a text file: 400 naming sheet", field="sheet")
    r = a.csv("orders", xlsx_cells({1: hdr}), query={"encoding": "gbk"}, content_type=XLSX_CT)
    ck.expect(r, 400, "encoding= on an .xlsx: 400 naming encoding", field="encoding")
    # Excel's _xHHHH_ escapes decoded (inline and shared strings)
    x = xlsx_cells({1: hdr, 2: [inl % ("A", "E1"), inl % ("B", "Line1_x000D_Line2"), '<c r="C{r}" t="s"><v>0</v></c>']},
                   shared=["A_x005F_x0041_B"])
    r = preview(x, XLSX_CT)
    cells = [row_["cells"][1:] for row_ in (r.json or {}).get("rows", [])]
    ck.ok(r.status == 200 and cells == [["Line1\rLine2", "A_x0041_B"]], "_x000D_ and _x005F_ decoded", repr(cells))
    # preview and import map columns alike: two fields mapped to one column
    data = "编码,名称,系列\nM1,n,f\n"
    m = "sku=编码,name=编码,family=系列"
    p = a.post("/api/v1/imports/preview", raw=data.encode(), query={"kind": "products", "mapping": m},
               content_type="text/csv")
    r = a.csv("products", data, query={"mapping": m, "dry_run": "1"})
    ck.ok(p.status == 200 and p.json["missing"] == ["name"] and r.status == 422 and
          [(p_["column"], p_["key"]) for p_ in r.json["problems"]] == [("name", "import.no_column")],
          "a column serves one field in the preview and the import alike",
          "%s %r / %s %r" % (p.status, (p.json or {}).get("missing"), r.status, (r.json or {}).get("problems")))

    # 8. a file that cannot be read leaves a rejected run in the history
    name = ctx.uniq("unreadable-") + ".xlsx"
    r = a.csv("orders", b"PK\x03\x04" + b"\0" * 200, query={"filename": name}, content_type=XLSX_CT)
    ck.expect(r, 400, "a damaged workbook: 400", field="file")
    lst = a.get("/api/v1/imports", {"kind": "orders", "limit": "100"})
    run = [it for it in (lst.json or {}).get("items", []) if it.get("filename") == name]
    ck.ok(lst.status == 200 and run and run[0]["status"] == "rejected",
          "the unreadable file is in the history, rejected", lst.describe())
    if run:
        g = a.get("/api/v1/imports/%d" % run[0]["id"])
        ck.ok(g.status == 200 and [p_.get("key") for p_ in g.json.get("problems", [])] == ["import.bad_xlsx"],
              "its report names the refusal", g.describe())


def g_importfmt_titles(ctx):
    """Title rows above the header (a report title, an export note, a blank line): skipped by the
    import and by its preview alike, up to ten; a file of titles only has no header."""
    ck, a = ctx.ck, ctx.admin
    sku = [ctx.uniq("TT-") for _ in range(2)]
    body = "sku,name,family\n%s,标题测试一,轴承\n%s,标题测试二,轴承\n" % (sku[0], sku[1])
    data = "2026年产品清单\n导出时间,2026-03-01\n,,\n" + body
    p = a.post("/api/v1/imports/preview", raw=data.encode(), query={"kind": "products"},
               content_type="text/csv")
    ck.ok(p.status == 200 and p.json["header_row"] == 4 and
          [c["field"] for c in p.json["columns"]] == ["sku", "name", "family"] and not p.json["missing"] and
          p.json["rows"][0]["cells"][0] == sku[0],
          "preview: three rows above the header skipped (header_row 4), columns found", p.describe())
    r = a.csv("products", data.encode())
    ck.expect(r, 201, "import: the title rows are skipped, the rows load", json={"rows_inserted": 2})
    bad = data.replace("%s,标题测试二" % sku[1], "%s,标题测试二,轴承,extra" % sku[1])
    r = a.csv("products", bad.encode(), query={"dry_run": "1"})
    probs = [(p_["row"], p_["key"]) for p_ in (r.json or {}).get("problems", [])]
    ck.ok(r.status == 422 and probs == [(6, "import.field_count")],
          "rows keep their file numbers after the titles (row 6)", repr(probs))
    # a header row of two columns is a header, not a title
    code = ctx.uniq("TA-")
    r = a.csv("accounts", ("code,name\n%s,标题客户\n" % code).encode(), query={"dry_run": "1"})
    ck.expect(r, 200, "a two-column header (accounts: code,name) is read as the header")
    # only titles: no header
    r = a.csv("products", "产品清单\n备注：无\n".encode(), query={"dry_run": "1"})
    keys = [p_.get("key") for p_ in (r.json or {}).get("problems", [])]
    ck.ok(r.status == 422 and keys == ["import.no_header"], "a file of titles only: import.no_header", r.describe())
    # eleven title rows: the eleventh is taken as the header (and names no column)
    r = a.csv("products", ("标题\n" * 11 + body).encode(), query={"dry_run": "1"})
    keys = sorted({p_.get("key") for p_ in (r.json or {}).get("problems", [])})
    ck.ok(r.status == 422 and keys == ["import.no_column"], "at most ten title rows are skipped", r.describe())
    # a workbook with a merged title cell in row 1 and a blank row 2
    sku3 = ctx.uniq("TX-")
    x = xlsx_cells({1: ['<c r="A{r}" t="inlineStr"><is><t>2026年产品清单</t></is></c>'],
                    3: ['<c r="A{r}" t="inlineStr"><is><t>sku</t></is></c>',
                        '<c r="B{r}" t="inlineStr"><is><t>name</t></is></c>',
                        '<c r="C{r}" t="inlineStr"><is><t>family</t></is></c>'],
                    4: ['<c r="A{r}" t="inlineStr"><is><t>%s</t></is></c>' % sku3,
                        '<c r="B{r}" t="inlineStr"><is><t>表格标题测试</t></is></c>',
                        '<c r="C{r}" t="inlineStr"><is><t>轴承</t></is></c>']})
    r = a.csv("products", x, content_type=XLSX_CT)
    ck.expect(r, 201, "an .xlsx with a title row and a blank row above the header loads", json={"rows_inserted": 1})
    # a hidden first sheet (a lookup table the user never sees) is not the default
    cell = '<c r="{c}{r}" t="inlineStr"><is><t>{v}</t></is></c>'

    def rows(*rs):
        return "".join('<row r="%d">%s</row>' % (i + 1, "".join(cell.format(c="ABC"[j], r=i + 1, v=v)
                                                                 for j, v in enumerate(r)))
                       for i, r in enumerate(rs))
    sku4 = ctx.uniq("TH-")
    x = xlsx_by_hand([('Lookup" state="hidden', rows(["code", "label"], ["a", "b"])),
                      ("产品", rows(["sku", "name", "family"], [sku4, "隐藏表测试", "轴承"]))])
    p = a.post("/api/v1/imports/preview", raw=x, query={"kind": "products"}, content_type=XLSX_CT)
    ck.ok(p.status == 200 and p.json["sheet"] == "产品" and p.json["sheets"] == ["Lookup", "产品"],
          "a hidden first sheet: the first visible one is previewed (both listed)", p.describe())
    r = a.csv("products", x, content_type=XLSX_CT)
    ck.expect(r, 201, "and imported", json={"rows_inserted": 1, "sheet": "产品"})
    if r.status == 201:  # the run remembers how its file was read (migration 0018)
        g = a.get("/api/v1/imports/%d" % r.json["id"])
        ck.expect(g, 200, "the import history keeps the format and sheet of the run",
                  json={"format": "xlsx", "encoding": "UTF-8", "sheet": "产品"})
    gbk = ("sku,name,family\n%s,国标编码测试,轴承\n" % ctx.uniq("TG-")).encode("gbk")
    r = a.csv("products", gbk)
    ck.ok(r.status == 201 and r.json["encoding"] in ("GB18030", "GBK"), "a GBK file loads", r.describe())
    if r.status == 201:
        lst = a.get("/api/v1/imports", {"kind": "products", "limit": "100"})
        run = [it for it in (lst.json or {}).get("items", []) if it.get("id") == r.json["id"]]
        ck.ok(run and run[0]["format"] == "csv" and run[0]["encoding"] == r.json["encoding"],
              "the history list names its format and encoding", repr(run))
    r = a.csv("products", x, query={"sheet": "Lookup", "dry_run": "1"}, content_type=XLSX_CT)
    ck.ok(r.status == 422, "the hidden sheet is still read when named", r.describe())


GROUPS = [
    ("importfmt_text", g_importfmt_text, True),
    ("importfmt_xlsx", g_importfmt_xlsx, True),
    ("importfmt_bad", g_importfmt_bad, True),
    ("importfmt_params", g_importfmt_params, True),
    ("importfmt_prefs", g_importfmt_prefs, True),
    ("importfmt_fixes", g_importfmt_fixes, True),
    ("importfmt_titles", g_importfmt_titles, True),
]
