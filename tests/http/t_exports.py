"""Exports of every list (issue 12): GET <list>/export?format=csv|xlsx&<the list's filters>
holds exactly the rows the list route returns over all its pages, for the same caller (scope and
permission), with formula-like text neutralised in the CSV, columns= picking and labelling; the
KPI table's own export; gzip of API JSON when the client accepts it; and an export of 100k order
lines whose server memory stays flat (VmRSS sampled from /proc while it streams).

Words, not codes: every enum value and stored code is the web's own label of it
(web/src/locales, merged as the app merges them), booleans the web's yes/no, user ids the users'
names, in lang= or Accept-Language (default en); raw=1 and <key>_code columns give the stored
values. Limits: at most --max-exports exports at once (held open by readers that do not read:
the next one 503 export.busy with Retry-After, nothing left behind), no export file ever visible
by name in TMPDIR, the .xlsx row cap refused before writing when the list has a count route.

The .xlsx files are read with zipfile + xml.etree only."""

import csv
import gzip
import io
import json
import os
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET
import zipfile

from lib import Server, http_call, run_cli
from fixtures import ROLE_USER
from t_matrix import route, Attempt, acc
from t_sales import sales_world, new_product, ORDER_HEADER, db_rows
from t_care import care_world

XLSX_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ---------------------------------------------------------------- file readers

def csv_rows(data):
    text = data.decode("utf-8")
    if text.startswith("\ufeff"):
        text = text[1:]
    return list(csv.reader(io.StringIO(text, newline="")))


def col_index(ref):
    n = 0
    for ch in ref:
        if ch.isalpha():
            n = n * 26 + (ord(ch.upper()) - 64)
        else:
            break
    return n - 1


def xlsx_rows(data):
    """The first sheet as a list of rows (None for an empty cell, str for text, float for numbers)."""
    z = zipfile.ZipFile(io.BytesIO(data))
    shared = []
    if "xl/sharedStrings.xml" in z.namelist():
        for si in ET.fromstring(z.read("xl/sharedStrings.xml")).iter(XLSX_NS + "si"):
            shared.append("".join(t.text or "" for t in si.iter(XLSX_NS + "t")))
    root = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
    rows = {}
    width = 0
    for row in root.iter(XLSX_NS + "row"):
        r = int(row.get("r")) - 1
        cells = {}
        for c in row.findall(XLSX_NS + "c"):
            i = col_index(c.get("r"))
            t = c.get("t")
            v = c.find(XLSX_NS + "v")
            if t == "inlineStr":
                val = "".join(x.text or "" for x in c.iter(XLSX_NS + "t"))
            elif t == "s":
                val = shared[int(v.text)]
            elif t == "str":
                val = v.text if v is not None else ""
            elif t == "b":
                val = v.text == "1"
            else:
                val = float(v.text) if v is not None and v.text is not None else None
            cells[i] = val
            width = max(width, i + 1)
        rows[r] = cells
    n = max(rows) + 1 if rows else 0
    return [[rows.get(r, {}).get(i) for i in range(width)] for r in range(n)]


# ---------------------------------------------------------------- words

LOCALES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "web", "src", "locales")

# (item shape, field) -> the web's labels of its values (a path in the locale files); the server's
# catalogue table "enum.<group>.<value>" (svc/core/msg.c) must say the same.
WORDED = {
    ("Account", "tier"): "tier", ("Account", "status"): "status", ("Account", "source"): "valuation.sources",
    ("Account", "screening"): "valuation.decisions", ("Account", "channel"): "channel",
    ("Account", "region"): "region", ("Account", "industry"): "industry",
    ("Contact", "decision_role"): "decisionRole", ("Contact", "attitude"): "attitude",
    ("Interaction", "kind"): "interaction.kinds", ("Interaction", "material_type"): "interaction.materials",
    ("Visit", "kind"): "visit.kinds", ("Visit", "status"): "visit.statuses",
    ("Issue", "category"): "issue.categories", ("Issue", "severity"): "issue.severities",
    ("Issue", "status"): "issue.statuses",
    ("CareReminder", "occasion_kind"): "care.kinds", ("CareReminder", "status"): "care.statuses",
    ("CareReminder", "channel"): "care.channels", ("CareReminder", "mail_status"): "care.mailStatuses",
    ("OrderLine", "region"): "region", ("OrderLine", "channel"): "channel",
    ("OrderLine", "price_check"): "pricing.line",
    # issue 16 (a "*" segment: every key at that level, the rest of the path under it)
    ("Risk", "category"): "risks.categories", ("Risk", "status"): "risks.statuses", ("Risk", "level"): "risks.levels",
    ("Risk", "response"): "risks.responses", ("Risk", "source"): "risks.sources",
    ("Gift", "kind"): "gifts.kinds", ("Gift", "status"): "gifts.statuses", ("Gift", "approver_role"): "gifts.approvers",
    ("CompetitorPresence", "price_level"): "competitors.priceLevels",
    ("CompetitorMove", "kind"): "competitors.moveKinds", ("CompetitorMove", "severity"): "competitors.severities",
    ("Alert", "status"): "health.status", ("Alert", "severity"): "health.severity", ("Alert", "dept"): "health.dept",
    ("Alert", "signal"): "signal.*.name",
    ("ChurnScore", "tier"): "tier",
    ("Invoice", "status"): "credit.invoiceStatus", ("Invoice", "bucket"): "credit.bucket",
}
USER_FIELDS = {"owner_id", "assignee_id", "user_id", "escalated_to", "screened_by", "created_by", "updated_by"}
SHAPES = [("/contacts", "Contact"), ("/interactions", "Interaction"), ("/api/v1/accounts", "Account"),
          ("/api/v1/visits", "Visit"), ("/api/v1/issues", "Issue"), ("/api/v1/care", "CareReminder"),
          ("/api/v1/orders", "OrderLine"),
          ("/api/v1/risks", "Risk"), ("/api/v1/gifts", "Gift"), ("/api/v1/competitors", "Competitor"),
          ("/api/v1/competitor-moves", "CompetitorMove"), ("/api/v1/alerts", "Alert"), ("/api/v1/health", "HealthRow"),
          ("/api/v1/churn", "ChurnScore"), ("/api/v1/receivables", "ReceivableRow"), ("/api/v1/invoices", "Invoice"),
          ("/api/v1/payments", "Payment")]
_web = {}


def shape_of(path):
    return next(s for suffix, s in SHAPES if path.endswith(suffix))


def web(lang):
    """The web's messages of a language, the feature files merged over the base file."""
    if lang not in _web:
        with open(os.path.join(LOCALES, lang + ".json"), encoding="utf-8") as f:
            d = json.load(f)

        def merge(into, frm):
            for k, v in frm.items():
                if isinstance(v, dict) and isinstance(into.get(k), dict):
                    merge(into[k], v)
                else:
                    into[k] = v
        sub = os.path.join(LOCALES, lang)
        for n in sorted(os.listdir(sub)):
            if n.endswith(".json"):
                with open(os.path.join(sub, n), encoding="utf-8") as f:
                    merge(d, json.load(f))
        _web[lang] = d
    return _web[lang]


def web_labels(lang, path):
    """The web's labels at path; a "*" segment takes every key at that level, each worded by the
    rest of the path under it (signal.*.name: {signal: its name})."""
    d = web(lang)
    segs = path.split(".")
    for i, seg in enumerate(segs):
        if seg == "*":
            out = {}
            for k, v in d.items():
                for rest in segs[i + 1:]:
                    v = v.get(rest) if isinstance(v, dict) else None
                if isinstance(v, str):
                    out[k] = v
            return out
        d = d[seg]
    return d


def user_names(ctx):
    """id -> the name a screen shows (the login when there is none), from the users list."""
    if getattr(ctx, "export_user_names", None) is None:
        items, _, err = ctx.admin.list_all("/api/v1/users")
        ctx.export_user_names = {u["id"]: u.get("name") or u["login"] for u in items} if err is None else {}
    return ctx.export_user_names


def words(ctx, shape, key, v, lang):
    """What an export in lang shows for the list's value v of field key: the screen's words."""
    if v is None or lang is None:
        return v
    if isinstance(v, bool):
        return web_labels(lang, "common.yes" if v else "common.no")
    if (shape, key) in WORDED:
        return web_labels(lang, WORDED[(shape, key)]).get(str(v), v)
    if key in USER_FIELDS and isinstance(v, int):
        return user_names(ctx).get(v, "#%d" % v)
    return v


# ---------------------------------------------------------------- expected cells

def formula_like(s):
    if s[:1] in ("\t", "\r", "\n"):
        return True
    t = s.lstrip(" \t\r\n\v\f\u00a0\u3000")
    return t[:1] in ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def lookup(item, key):
    v = item
    for seg in key.split("."):
        if not isinstance(v, dict) or seg not in v:
            return None
        v = v[seg]
    return v


def text_of(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float, str)):
        return str(v)
    return None


def cell_ok(v, got, fmt):
    """Whether a file cell shows the list's value v."""
    if v is None:
        return got in ("", None)
    if isinstance(v, bool):
        return got == ("true" if v else "false")
    if isinstance(v, (int, float)):
        try:
            return abs(float(got) - float(v)) <= 1e-9 * max(1.0, abs(float(v)))
        except (TypeError, ValueError):
            return False
    if isinstance(v, str):
        if fmt == "csv":
            return got == ("'" + v if formula_like(v) else v)
        return got == v or (v == "" and got is None)
    if isinstance(v, list):
        parts = [text_of(x) for x in v]
        if any(p is None for p in parts):
            return True  # objects inside arrays are JSON text: not compared here
        want = ", ".join(parts)
        if fmt == "csv":
            return got == ("'" + want if formula_like(want) else want)
        return got == want or (want == "" and got is None)
    return True


ZERO_DECIMALS = {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI",
                 "VND", "VUV", "XAF", "XOF", "XPF"}
THREE_DECIMALS = {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"}


def money_value(item, key):
    """The value an export shows for key: a Money amount (minor units in the API) as the
    number people read, in its currency's decimals; anything else as the list has it."""
    v = lookup(item, key)
    if key.endswith(".amount") and isinstance(v, int) and not isinstance(v, bool):
        parent = lookup(item, key[:-len(".amount")])
        if isinstance(parent, dict) and isinstance(parent.get("currency"), str):
            cur = parent["currency"]
            return v / 10 ** (0 if cur in ZERO_DECIMALS else 3 if cur in THREE_DECIMALS else 2)
    return v


def export(client, path, fmt, query=None, headers=None):
    q = dict(query or {})
    q["format"] = fmt
    return client.get(path + "/export", q, headers=headers)


def want_of(ctx, shape, item, key, lang):
    """The cell an export in lang (None: raw) shows for key of the list's item; "<key>_code"
    columns are the stored value."""
    if key.endswith("_code") and lookup(item, key) is None and lookup(item, key[:-5]) is not None:
        return lookup(item, key[:-5])
    return words(ctx, shape, key, money_value(item, key), lang)


def parse(r, fmt):
    return csv_rows(r.body) if fmt == "csv" else xlsx_rows(r.body)


def _list_all(client, path, query, headers):
    """client.list_all with headers: (items, pages, error_resp_or_None)."""
    q = dict(query or {})
    q["limit"] = "500"
    items, pages = [], []
    for _ in range(200):
        r = client.get(path, q, headers=headers)
        if r.status != 200 or r.items is None:
            return items, pages, r
        pages.append(r)
        items += r.items
        nc = r.json.get("next_cursor")
        if nc is None:
            return items, pages, None
        if not isinstance(nc, str):
            return items, pages, r
        q["cursor"] = nc
    return items, pages, r


def same_as_list(ctx, name, client, path, query=None, columns=None, min_rows=0, lang="en", eq=None,
                 headers=None):
    """The export in both formats equals the list over all its pages, every value in the words
    the screen shows in lang (None: the stored values); eq: the export's own parameters (lang,
    raw). Returns the list's items."""
    ck = ctx.ck
    shape = shape_of(path)
    # The list as its screen in the export's language shows it (lang=, else the request's
    # Accept-Language): what a list words itself (care's occasion names) is the file's too.
    lh = {"Accept-Language": (eq or {})["lang"]} if (eq or {}).get("lang") else headers
    items, pages, err = _list_all(client, path, query, lh)
    if not ck.ok(err is None, "%s: the list answers" % name, err.describe() if err else ""):
        return None
    ck.ok(len(items) >= min_rows, "%s: the list has at least %d rows (%d pages)" % (name, min_rows, len(pages)),
          "%d rows" % len(items))
    for fmt in ("csv", "xlsx"):
        q = dict(query or {})
        q.update(eq or {})
        if columns:
            q["columns"] = columns
        r = export(client, path, fmt, q, headers=headers)
        if not ck.expect(r, 200, "%s: %s export is 200" % (name, fmt)):
            continue
        ctype = r.header("Content-Type") or ""
        ck.ok(ctype.startswith("text/csv") if fmt == "csv" else ctype == XLSX_TYPE,
              "%s: %s Content-Type" % (name, fmt), ctype)
        disp = r.header("Content-Disposition") or ""
        ck.ok(disp.startswith("attachment;") and "filename*=UTF-8''" in disp and disp.endswith("." + fmt),
              "%s: %s Content-Disposition names a .%s file (RFC 5987 filename*)" % (name, fmt, fmt), disp)
        ck.ok(r.header("Content-Encoding") is None, "%s: %s file is not gzip-encoded" % (name, fmt))
        try:
            rows = parse(r, fmt)
        except Exception as e:  # noqa: BLE001
            ck.fail("%s: %s file parses" % (name, fmt), repr(e))
            continue
        header, body = rows[0], rows[1:]
        if not columns:
            ck.ok("id" in header or "account_id" in header, "%s: %s header has the item fields" % (name, fmt),
                  str(header[:8]))
        ck.ok(len(body) == len(items), "%s: %s has the list's %d rows" % (name, fmt, len(items)),
              "%d rows in the file" % len(body))
        keys = header if not columns else [c.split(":", 1)[0] for c in columns.split(",")]
        bad = []
        for i, (it, row) in enumerate(zip(items, body)):
            for k, key in enumerate(keys):
                got = row[k] if k < len(row) else None
                want = want_of(ctx, shape, it, key, lang)
                if not cell_ok(want, got, fmt):
                    bad.append("row %d %s: list %r file %r" % (i, key, want, got))
                    break
            if len(bad) > 3:
                break
        ck.ok(not bad, "%s: every %s cell is the list's value" % (name, fmt), "; ".join(bad))
    return items


# ---------------------------------------------------------------- the world

def export_world(ctx):
    W = getattr(ctx, "export_world", None)
    if W is not None:
        return W

    class X:
        pass
    W = X()
    ctx.export_world = W
    SW = sales_world(ctx)
    W.fam = "ExpFam-" + ctx.tag
    W.prod = new_product(ctx, W.fam)
    W.lines = 1100  # three pages of 500
    rows = [ORDER_HEADER]
    for i in range(W.lines):
        code = SW.code["own"] if i % 2 == 0 else SW.code["other"]
        rows.append("%s,2025-%02d-%02d,%s,%s,,,%d,%d.%02d,CNY" % (ctx.uniq("EXL-"), 1 + i % 12, 1 + i % 28, code,
                                                                  W.prod["sku"], 1 + i % 7, 10 + i, i % 100))
    r = ctx.admin.csv("orders", "\n".join(rows) + "\n")
    ctx.must(r, 201, "import %d order lines" % W.lines)
    # Formula-like text in a contact of A_own.
    W.formula = "=HYPERLINK(\"http://x\",\"y\")"
    W.contact = ctx.new_contact(ctx.ids["A_own"], name="@公式" + ctx.uniq(), title=W.formula,
                                department="+1 部门", decision_role="influencer")
    return W


# ---------------------------------------------------------------- groups

def g_exports(ctx):
    ck = ctx.ck
    W = export_world(ctx)
    admin = ctx.admin
    am = ctx.U("am_e").client
    a_own, a_other = ctx.ids["A_own"], ctx.ids["A_other"]

    # Every list, both formats, equal to the list over all its pages.
    same_as_list(ctx, "accounts (admin, owner filter)", admin, "/api/v1/accounts",
                 {"owner_id": str(ctx.U("am_e").id)}, min_rows=1)
    items = same_as_list(ctx, "accounts (account manager: scope)", am, "/api/v1/accounts", min_rows=1)
    if items is not None:
        ids = {x["id"] for x in items}
        ck.ok(a_own in ids and a_other not in ids, "an account manager's export holds only their accounts")
    same_as_list(ctx, "contacts", am, "/api/v1/accounts/%d/contacts" % a_own, min_rows=2)
    items = same_as_list(ctx, "contacts (decision_role filter)", am, "/api/v1/accounts/%d/contacts" % a_own,
                         {"decision_role": "influencer"}, min_rows=1)
    if items is not None:
        ck.ok(all(x["decision_role"] == "influencer" for x in items), "the contacts filter applies")
    same_as_list(ctx, "interactions", am, "/api/v1/accounts/%d/interactions" % a_own, min_rows=1)
    same_as_list(ctx, "interactions (kind filter)", am, "/api/v1/accounts/%d/interactions" % a_own,
                 {"kind": "meeting"}, min_rows=1)
    same_as_list(ctx, "visits", am, "/api/v1/visits", min_rows=1)
    same_as_list(ctx, "visits (status filter)", admin, "/api/v1/visits", {"status": "planned"}, min_rows=1)
    same_as_list(ctx, "issues", am, "/api/v1/issues", min_rows=1)
    same_as_list(ctx, "issues (account filter)", admin, "/api/v1/issues", {"account_id": str(a_own)}, min_rows=1)
    same_as_list(ctx, "care", admin, "/api/v1/care")
    items = same_as_list(ctx, "order lines (family filter, 3 pages)", admin, "/api/v1/orders", {"family": W.fam},
                         min_rows=W.lines)
    if items is not None:
        ck.ok(len(items) == W.lines and all(x["family"] == W.fam for x in items),
              "the order lines filter applies across pages")
    items = same_as_list(ctx, "order lines (account manager: scope)", am, "/api/v1/orders", {"family": W.fam},
                         min_rows=W.lines // 2)
    if items is not None:
        ck.ok(len(items) == W.lines // 2 and all(x["account_id"] == a_own for x in items),
              "an account manager's order lines export holds only their lines")

    # The KPI table's own export (unchanged route): its rows are the report's items and total.
    rep = admin.get("/api/v1/kpis", {"family": W.fam, "by": "account"})
    if ck.expect(rep, 200, "kpis answers"):
        for fmt in ("csv", "xlsx"):
            r = admin.get("/api/v1/kpis/export", {"family": W.fam, "by": "account", "format": fmt})
            if ck.expect(r, 200, "kpis export (%s) is 200" % fmt):
                rows = parse(r, fmt)
                ck.ok(rows[0][:3] == ["key", "label", "actual"], "kpis %s header as before" % fmt, str(rows[0]))
                ck.ok(len(rows) - 1 == len(rep.json["items"]) + 1, "kpis %s: one row per item and the total" % fmt,
                      "%d vs %d" % (len(rows) - 1, len(rep.json["items"])))

        r = admin.get("/api/v1/kpis/export", {"family": W.fam, "by": "account", "format": "csv",
                                              "columns": "label:名称,actual:实际"})
        if ck.expect(r, 200, "kpis export with columns="):
            rows = csv_rows(r.body)
            ck.ok(rows[0] == ["名称", "实际"] and len(rows) - 1 == len(rep.json["items"]) + 1,
                  "kpis export: columns= picks and labels", str(rows[:2]))
        ck.expect(admin.get("/api/v1/kpis/export", {"format": "csv", "columns": "nope"}), 400,
                  "kpis export: an unknown column is a 400", field="columns")

    # Formula-like text: neutralised in the CSV, a plain string cell in the .xlsx.
    for fmt in ("csv", "xlsx"):
        r = export(am, "/api/v1/accounts/%d/contacts" % a_own, fmt, {"columns": "id,title,department,name"})
        if ck.expect(r, 200, "contacts export with columns (%s)" % fmt):
            rows = parse(r, fmt)
            row = next((x for x in rows[1:] if x[0] in (str(W.contact), float(W.contact))), None)
            want = ["'" + W.formula, "'+1 部门"] if fmt == "csv" else [W.formula, "+1 部门"]
            ck.ok(row is not None and row[1:3] == want and row[3].lstrip("'").startswith("@公式")
                  and (row[3].startswith("'") == (fmt == "csv")),
                  "formula-like cells are neutralised (%s)" % fmt, str(row))
    if fmt == "xlsx" and r.status == 200:
        sheet = zipfile.ZipFile(io.BytesIO(r.body)).read("xl/worksheets/sheet1.xml").decode()
        ck.ok("<f>" not in sheet, "the .xlsx holds no formula cell")

    # columns= picks, orders and labels (an object key takes its fields).
    r = export(admin, "/api/v1/accounts", "csv", {"columns": "name:名称,code:编码,revenue:营收,id",
                                                   "owner_id": str(ctx.U("am_e").id)})
    if ck.expect(r, 200, "accounts export with labelled columns"):
        rows = csv_rows(r.body)
        ck.ok(rows[0] == ["名称", "编码", "营收.amount", "营收.currency", "id"], "columns= picks and labels",
              str(rows[0]))
    same_as_list(ctx, "order lines (columns)", admin, "/api/v1/orders", {"family": W.fam},
                 columns="sku,quantity,amount.amount,amount.currency,account_name", min_rows=W.lines)

    # Bad input: a clear 400 naming the parameter.
    ck.expect(export(admin, "/api/v1/accounts", "pdf"), 400, "format=pdf: 400", field="format")
    ck.expect(export(admin, "/api/v1/accounts", "csv", {"columns": "name,nope"}), 400, "unknown column: 400",
              field="columns")
    ck.expect(export(admin, "/api/v1/accounts", "csv", {"limit": "5"}), 400, "limit is no export parameter",
              field="limit")
    ck.expect(export(admin, "/api/v1/orders", "csv", {"account_id": "x"}), 400,
              "a bad filter is the list's 400", field="account_id")

    # Permission and scope: for every role, the export answers as the list does.
    lists = ["/api/v1/accounts", "/api/v1/visits", "/api/v1/issues", "/api/v1/care", "/api/v1/orders",
             "/api/v1/accounts/%d/contacts" % a_own, "/api/v1/accounts/%d/contacts" % a_other,
             "/api/v1/accounts/%d/interactions" % a_own, "/api/v1/accounts/%d/interactions" % a_other]
    denied = 0
    for role, key in ROLE_USER.items():
        c = ctx.U(key).client
        for p in lists:
            lr = c.get(p, {"limit": "1"})
            er = export(c, p, "csv")
            if lr.status != 200:
                denied += 1
            ck.ok(er.status == lr.status, "%s: export of %s answers as the list (%d)" % (role, p, lr.status),
                  er.describe())
    ck.ok(denied > 0, "some role is refused some export")
    r = export(ctx.U("hr").client, "/api/v1/accounts", "xlsx")
    ck.expect(r, 403, "hr may not export accounts: 403")

    # gzip of JSON.
    g_gzip(ctx)


def g_export_words(ctx):
    """Words the screen shows, in the reader's language; the stored values on request."""
    ck = ctx.ck
    W = export_world(ctx)
    admin = ctx.admin
    am = ctx.U("am_e").client
    a_own = ctx.ids["A_own"]
    # Data with every kind of value: an issue assigned (user id), an interaction with two
    # contacts and one with none (arrays), a visit, a care-free account list.
    c2 = ctx.new_contact(a_own, decision_role="champion", attitude=-1)
    two = ctx.new_interaction(a_own, kind="material", material_type="market_news", contact_ids=[W.contact, c2])
    none = ctx.new_interaction(a_own, kind="meeting")
    ctx.must(admin.post("/api/v1/accounts/%d/issues" % a_own,
                        {"title": "导出 " + ctx.uniq(), "category": "delivery", "severity": "high",
                         "assignee_id": ctx.U("am_e").id}), 201, "an assigned issue")
    ctx.new_visit(a_own, owner_key="am_e", kind="phone")
    care_world(ctx)  # care reminders (birthdays) made by the jobs

    # Every enum field of an exported item has words (this test's table mirrors the server's).
    doc = admin.get("/api/v1/openapi.json")
    if ck.expect(doc, 200, "openapi.json"):
        schemas = doc.json.get("components", {}).get("schemas", {})
        missing = []
        for _, shape in SHAPES:
            for f, prop in (schemas.get(shape, {}).get("properties") or {}).items():
                if '"enum"' in json.dumps(prop) and (shape, f) not in WORDED:
                    missing.append("%s.%s" % (shape, f))
        ck.ok(not missing, "every enum field of an exported list has words", ", ".join(missing))

    lists = [(admin, "/api/v1/accounts", {"owner_id": str(ctx.U("am_e").id)}),
             (am, "/api/v1/accounts/%d/contacts" % a_own, None),
             (am, "/api/v1/accounts/%d/interactions" % a_own, None),
             (am, "/api/v1/visits", None), (am, "/api/v1/issues", None), (admin, "/api/v1/care", None),
             (admin, "/api/v1/orders", {"family": W.fam})]
    for lang in ("zh-CN", "zh-TW", "en"):
        for client, path, q in lists:
            same_as_list(ctx, "%s (lang=%s)" % (path, lang), client, path, q, lang=lang, eq={"lang": lang},
                         min_rows=1)
    # Accept-Language when there is no lang=; lang= wins over it; English by default.
    same_as_list(ctx, "issues (Accept-Language: zh-TW)", am, "/api/v1/issues", lang="zh-TW",
                 headers={"Accept-Language": "zh-Hant-TW,zh;q=0.8,en;q=0.5"}, min_rows=1)
    same_as_list(ctx, "issues (lang=zh-CN over Accept-Language: en)", am, "/api/v1/issues", lang="zh-CN",
                 eq={"lang": "zh-CN"}, headers={"Accept-Language": "en"}, min_rows=1)
    # A list that words texts itself (care's occasion names): in lang=, not the header's
    # language; raw=1 writes the name as stored.
    for lang, other in (("zh-TW", "en"), ("en", "zh-CN")):
        items = same_as_list(ctx, "care (lang=%s over Accept-Language: %s)" % (lang, other), admin, "/api/v1/care",
                             lang=lang, eq={"lang": lang}, headers={"Accept-Language": other}, min_rows=1)
        names = {it.get("occasion_name") for it in items or [] if it.get("occasion_key") == "birthday"}
        ck.ok(names == {"生日" if lang == "zh-TW" else "Birthday"}, "... a birthday is %s's word" % lang, repr(names))
    r = export(admin, "/api/v1/care", "csv", {"raw": "1", "columns": "id,occasion_name", "lang": "en"},
               headers={"Accept-Language": "zh-TW"})
    if ck.expect(r, 200, "care export raw=1"):
        stored = {int(i): n for i, n in db_rows(ctx, "SELECT id, occasion_name FROM care_reminders")}
        rows = csv_rows(r.body)[1:]
        bad = [x for x in rows if stored.get(int(x[0])) != x[1]]
        ck.ok(rows and not bad, "care raw=1: occasion_name as stored", repr(bad[:3]))
    # The words are the screen's: spot checks against the locale files, by hand.
    r = export(am, "/api/v1/issues", "csv", {"lang": "zh-CN", "columns": "severity,assignee_id,status_code,assignee_id_code"})
    if ck.expect(r, 200, "issues export with words and codes"):
        rows = csv_rows(r.body)
        row = next((x for x in rows[1:] if x[3] == str(ctx.U("am_e").id)), None)
        ck.ok(rows[0] == ["severity", "assignee_id", "status_code", "assignee_id_code"], "codes columns named as asked",
              str(rows[0]))
        ck.ok(row is not None and row[0] in web_labels("zh-CN", "issue.severities").values()
              and row[1] == ctx.U("am_e").name and row[2] in ("open", "in_progress", "resolved", "confirmed"),
              "severity in Chinese words, the assignee's name, the status code as stored", str(row))
    # raw=1: every cell as the list's JSON has it (the export as tools knew it).
    same_as_list(ctx, "issues (raw=1)", am, "/api/v1/issues", lang=None, eq={"raw": "1", "lang": "zh-CN"}, min_rows=1)
    same_as_list(ctx, "contacts (raw=1)", am, "/api/v1/accounts/%d/contacts" % a_own, lang=None, eq={"raw": "1"},
                 min_rows=2)
    same_as_list(ctx, "visits (codes beside words)", am, "/api/v1/visits", lang="zh-TW", eq={"lang": "zh-TW"},
                 columns="id,kind,kind_code,status,status_code,owner_id,owner_id_code,overdue", min_rows=1)
    # Arrays: ids joined with ", ", an empty array an empty cell; null an empty cell.
    for fmt in ("csv", "xlsx"):
        r = export(am, "/api/v1/accounts/%d/interactions" % a_own, fmt, {"columns": "id,contact_ids,visit_id,kind",
                                                                         "lang": "zh-CN"})
        if ck.expect(r, 200, "interactions export (%s)" % fmt):
            rows = {int(float(x[0])): x for x in parse(r, fmt)[1:]}
            ck.ok(rows.get(two, [None, None])[1] == "%d, %d" % (W.contact, c2), "an array of ids: joined (%s)" % fmt,
                  str(rows.get(two)))
            ck.ok(rows.get(none, [None, "x"])[1] in ("", None) and rows[none][2] in ("", None)
                  and rows[none][3] == web_labels("zh-CN", "interaction.kinds.meeting"),
                  "an empty array and a null: empty cells (%s)" % fmt, str(rows.get(none)))
    # Bad input names the parameter.
    ck.expect(export(admin, "/api/v1/accounts", "csv", {"lang": "fr"}), 400, "lang=fr: 400", field="lang")
    ck.expect(export(admin, "/api/v1/accounts", "csv", {"raw": "yes"}), 400, "raw=yes: 400", field="raw")
    ck.expect(export(admin, "/api/v1/accounts", "csv", {"columns": "name_code"}), 400,
              "a _code column of a plain field: 400", field="columns")


def g_export_risk_words(ctx):
    """Issue 16's lists (risks, gifts, competitors, moves, alerts, health, churn, receivables,
    invoices, payments): each export holds its list in the screen's words in every language."""
    from t_risks import new_risk
    from t_gifts import new_gift, rules, today as gift_day
    from t_competitors import new_competitor, new_move
    from t_alerts import mk_alert
    from t_credit import load, credit_account, INV_HEAD, PAY_HEAD, today as credit_day
    ck = ctx.ck
    admin = ctx.admin
    fin = ctx.U("fin").client
    a = ctx.ids["A_own"]
    risk = new_risk(ctx, a, category="credit", response="reduce")["id"]
    new_risk(ctx, a, category="compliance")
    rules(ctx)
    champ = ctx.new_contact(a, decision_role="champion")
    gift = new_gift(ctx, a, contact_id=champ, kind="hospitality", value=300000, given_on=gift_day(5))["id"]
    comp = new_competitor(ctx)
    move = new_move(ctx, a, comp, kind="won_business", severity="medium")
    alert = mk_alert(ctx, a, signal="receivables_overdue", severity="high", dept="finance")
    aid, code = credit_account(ctx)
    inv = [ctx.uniq("EXI-"), ctx.uniq("EXI-")]
    load(ctx, "invoices", [INV_HEAD, [inv[0], code, credit_day(-60), credit_day(-40), "100", "CNY"],
                           [inv[1], code, credit_day(-2), credit_day(28), "50", "CNY"]], client=fin)
    load(ctx, "payments", [PAY_HEAD, [ctx.uniq("EXP-"), code, credit_day(-1), "30", "CNY", inv[0]]], client=fin)

    lists = [("/api/v1/risks", {"account_id": str(a)}, 2), ("/api/v1/gifts", {"account_id": str(a)}, 1),
             ("/api/v1/competitors", None, 1), ("/api/v1/competitor-moves", {"account_id": str(a)}, 1),
             ("/api/v1/alerts", None, 1), ("/api/v1/health", None, 0), ("/api/v1/churn", None, 0),
             ("/api/v1/receivables", None, 1), ("/api/v1/invoices", {"account_id": str(aid)}, 2),
             ("/api/v1/payments", {"account_id": str(aid)}, 1)]
    for lang in ("zh-CN", "zh-TW", "en"):
        for path, q, n in lists:
            same_as_list(ctx, "%s (lang=%s)" % (path, lang), admin, path, q, lang=lang, eq={"lang": lang},
                         min_rows=n)
    same_as_list(ctx, "invoices (raw=1)", fin, "/api/v1/invoices", {"account_id": str(aid)}, lang=None,
                 eq={"raw": "1", "lang": "zh-CN"}, min_rows=2)

    # The words by hand (the locale files' texts), beside the stored codes.
    def row_of(path, q, cols, lang, key):
        r = export(admin, path, "csv", dict(q, columns=cols, lang=lang))
        if not ck.expect(r, 200, "%s export (%s)" % (path, cols)):
            return None
        return next((x for x in csv_rows(r.body)[1:] if x[0] == str(key)), None)

    row = row_of("/api/v1/risks", {"account_id": str(a)}, "id,category,status,response,source,category_code", "zh-CN",
                 risk)
    ck.ok(row == [str(risk), "信用", "应对中", "降低", "手工登记", "credit"], "a risk in Chinese words", str(row))
    row = row_of("/api/v1/gifts", {"account_id": str(a)}, "id,kind,kind_code", "zh-TW", gift)
    ck.ok(row == [str(gift), "宴請招待", "hospitality"], "a gift in traditional Chinese words", str(row))
    row = row_of("/api/v1/competitor-moves", {"account_id": str(a)}, "id,kind,severity", "en", move)
    ck.ok(row == [str(move), "Won business", "Medium"], "a competitor's move in English words", str(row))
    row = row_of("/api/v1/alerts", {}, "id,signal,severity,dept,status,signal_code", "zh-TW", alert)
    ck.ok(row == [str(alert), "應收帳款逾期", "高", "財務", "待處理", "receivables_overdue"],
          "an alert in traditional Chinese words (the signal's name)", str(row))
    row = row_of("/api/v1/invoices", {"account_id": str(aid)}, "invoice_no,status,bucket,status_code", "en", inv[0])
    ck.ok(row == [inv[0], "Overdue", "31-60 days", "overdue"], "an overdue invoice in English words", str(row))
    row = row_of("/api/v1/invoices", {"account_id": str(aid)}, "invoice_no,status,bucket", "zh-CN", inv[1])
    ck.ok(row == [inv[1], "未到期", "未到期"], "an invoice not yet due in Chinese words", str(row))
    # the receivables list answers each role as its export does
    for key in ("am_e", "fin", "hr", "viewer_e"):
        c = ctx.U(key).client
        for path in ("/api/v1/receivables", "/api/v1/invoices", "/api/v1/payments"):
            lr = c.get(path, {"limit": "1"})
            ck.ok(export(c, path, "csv").status == lr.status, "%s: export of %s answers as the list (%d)"
                  % (key, path, lr.status))


def _cookie_headers(client):
    return [("Cookie", "; ".join("%s=%s" % kv for kv in client.cookies.items())), ("Connection", "close")]


def g_gzip(ctx):
    ck = ctx.ck
    admin = ctx.admin
    url = "/api/v1/orders?limit=500&family=" + urllib.parse.quote(export_world(ctx).fam)
    st, h1, plain, err = http_call(ctx.srv.port, "GET", url, None, _cookie_headers(admin))
    st2, h2, zipped, err2 = http_call(ctx.srv.port, "GET", url, None,
                                      _cookie_headers(admin) + [("Accept-Encoding", "gzip, deflate, br")])
    hd1, hd2 = dict((k.lower(), v) for k, v in h1), dict((k.lower(), v) for k, v in h2)
    if not ck.ok(st == 200 and st2 == 200, "a page of 500 order lines answers with and without gzip", "%s %s" % (err, err2)):
        return
    ck.ok("content-encoding" not in hd1 and json.loads(plain)["items"] is not None,
          "no Accept-Encoding: plain JSON")
    ck.ok(hd2.get("content-encoding") == "gzip" and "Accept-Encoding" in hd2.get("vary", ""),
          "Accept-Encoding: gzip: Content-Encoding gzip, Vary: Accept-Encoding", str(hd2))
    try:
        same = json.loads(gzip.decompress(zipped)) == json.loads(plain)
    except Exception as e:  # noqa: BLE001
        same = False
        err = repr(e)
    ck.ok(same, "the gzipped body decodes to the same JSON", err or "")
    print("    gzip: order lines page (%d items) %d bytes -> %d gzipped (%.0f%% saved)"
          % (len(json.loads(plain)["items"]), len(plain), len(zipped), 100.0 * (1 - len(zipped) / max(1, len(plain)))))
    st, h3, _, _ = http_call(ctx.srv.port, "GET", url, None, _cookie_headers(admin) + [("Accept-Encoding", "gzip;q=0")])
    ck.ok(st == 200 and "content-encoding" not in dict((k.lower(), v) for k, v in h3), "gzip;q=0: plain JSON")
    st, h4, body4, _ = http_call(ctx.srv.port, "GET", "/api/v1/accounts?limit=1", None,
                                 _cookie_headers(admin) + [("Accept-Encoding", "gzip")])
    ck.ok(st == 200 and "content-encoding" not in dict((k.lower(), v) for k, v in h4) and len(body4) <= 1024
          and json.loads(body4)["items"] is not None, "a small JSON body (<= 1 KB) is not gzipped", str(len(body4)))
    st, h5, body5, _ = http_call(ctx.srv.port, "GET", "/api/v1/orders/export?format=xlsx&family=" +
                                 urllib.parse.quote(export_world(ctx).fam), None,
                                 _cookie_headers(admin) + [("Accept-Encoding", "gzip")])
    ck.ok(st == 200 and "content-encoding" not in dict((k.lower(), v) for k, v in h5) and body5[:2] == b"PK",
          "an .xlsx export is never gzip-encoded")


def _rss_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


MEM_LINES = 100000


def g_export_memory(ctx):
    """An export of 100k order lines (imported by `kam import`) while VmRSS of the server is
    sampled: its growth stays far below the file's size."""
    ck = ctx.ck
    SW = sales_world(ctx)
    fam = "MemFam-" + ctx.tag
    prod = new_product(ctx, fam)
    path = os.path.join(ctx.tmp, "mem-orders.csv")
    with open(path, "w") as f:
        f.write(ORDER_HEADER + "\n")
        for i in range(MEM_LINES):
            f.write("MEM-%s-%d,2025-%02d-%02d,%s,%s,,,%d,%d.%02d,CNY\n" % (ctx.tag, i, 1 + i % 12, 1 + i % 28,
                                                                         SW.code["own"], prod["sku"], 1 + i % 9,
                                                                         100 + i, i % 100))
    t0 = time.time()
    rc, out, err = run_cli(ctx.kam, ["import", "orders", path, "--db", ctx.dsn, "--quiet"], timeout=600)
    if not ck.ok(rc == 0, "kam import of %d order lines" % MEM_LINES, (out + err)[-400:]):
        return
    print("    memory: imported %d lines in %.1f s" % (MEM_LINES, time.time() - t0))
    # A server of one worker thread: the warm-up and the measured exports read through the same
    # connection, so its page cache (SQLite: up to 32 MiB a connection) is full before the
    # baseline instead of filling during a measured export on another thread's connection.
    srv = Server(ctx.kam, ctx.dsn, ctx.tmp, name="kam-export-memory", args=["--threads", "1"])
    if not ck.ok(srv.start(), "a one-thread server for the memory check starts", srv.start_error or ""):
        return
    try:
        _export_memory(ctx, srv, fam)
    finally:
        srv.stop()


def _export_memory(ctx, srv, fam):
    ck = ctx.ck
    pid = srv.proc.pid
    admin = ctx.admin
    # Warm-up: one export first, so the baseline holds what any read of these rows leaves behind
    # and is bounded (SQLite's page cache, 32 MiB a connection); the measured exports then show
    # what the export itself takes while it streams.
    st, _, _, e = http_call(srv.port, "GET", "/api/v1/orders/export?" +
                            urllib.parse.urlencode({"family": fam, "columns": "id"}), None,
                            _cookie_headers(admin), timeout=600)
    ck.ok(st == 200, "warm-up export answers 200", e or str(st))
    for fmt in ("csv", "xlsx"):
        base = _rss_kb(pid)
        peak = [base]
        stop = threading.Event()

        def sample():
            while not stop.is_set():
                v = _rss_kb(pid)
                if v and v > peak[0]:
                    peak[0] = v
                stop.wait(0.01)
        th = threading.Thread(target=sample)
        th.start()
        q = urllib.parse.urlencode({"family": fam, "format": fmt})
        t0 = time.time()
        st, hdrs, body, e = http_call(srv.port, "GET", "/api/v1/orders/export?" + q, None,
                                      _cookie_headers(admin), timeout=600)
        secs = time.time() - t0
        stop.set()
        th.join()
        if not ck.ok(st == 200, "export of %d lines (%s) answers 200" % (MEM_LINES, fmt), e or str(st)):
            continue
        rows = parse_bytes(body, fmt)
        ck.ok(len(rows) == MEM_LINES + 1, "the %s file holds the %d lines" % (fmt, MEM_LINES), "%d rows" % len(rows))
        growth = (peak[0] - base) * 1024
        bound = min(len(body) // 4, 32 << 20) if fmt == "csv" else 32 << 20
        print("    memory: %s export of %d lines: %d bytes in %.1f s; server RSS %d kB idle, peak %d kB (+%d kB)"
              % (fmt, MEM_LINES, len(body), secs, base, peak[0], growth // 1024))
        if asan_build(ctx.kam):
            # AddressSanitizer keeps freed memory in quarantine (up to 256 MB): RSS says
            # nothing about what the export holds. The plain build checks it.
            print("    memory: bound not checked under AddressSanitizer")
            continue
        ck.ok(growth < bound, "%s export: server memory grows %d kB, under %d kB (file %d kB)"
              % (fmt, growth // 1024, bound // 1024, len(body) // 1024))


def asan_build(kam):
    """Whether the kam binary is built with AddressSanitizer (make SANITIZE=address,...)."""
    with open(kam, "rb") as f:
        return b"__asan_init" in f.read()


def parse_bytes(body, fmt):
    return csv_rows(body) if fmt == "csv" else xlsx_rows(body)


def g_export_limits(ctx):
    """A server of its own: --max-exports 2, a TMPDIR of its own, an .xlsx row cap lowered
    (KAM_EXPORT_XLSX_ROWS) under the suite's account count."""
    ck = ctx.ck
    W = export_world(ctx)
    admin = ctx.admin
    tmp = os.path.join(ctx.tmp, "export-limits-tmp")
    os.makedirs(tmp, exist_ok=True)
    # An account whose timeline exports to ~20 MB: more than socket buffers hold, so a reader
    # that does not read keeps its export running.
    acc_id = ctx.new_account(name="导出上限 " + ctx.uniq())
    notes = "测" * 10000
    for i in range(60):
        ctx.new_interaction(acc_id, notes=notes)
    r = admin.get("/api/v1/accounts/count")
    if not ck.expect(r, 200, "accounts count"):
        return
    total = r.json["total"]
    cap = max(1, total - 1)
    srv = Server(ctx.kam, ctx.dsn, ctx.tmp, name="kam-export-limits",
                 args=["--max-exports", "2", "--threads", "1"],
                 env_extra={"KAM_EXPORT_XLSX_ROWS": str(cap), "TMPDIR": tmp})
    if not ck.ok(srv.start(), "a server with --max-exports 2 starts", srv.start_error or ""):
        return
    try:
        _export_limits(ctx, srv, W, total, cap, tmp, acc_id)
    finally:
        srv.stop()


def _get(srv, client, path, query, extra=()):
    st, h, body, err = http_call(srv.port, "GET", path + "?" + urllib.parse.urlencode(query), None,
                                 _cookie_headers(client) + list(extra), timeout=120)
    hd = dict((k.lower(), v) for k, v in h or [])
    try:
        j = json.loads(body) if hd.get("content-type", "").startswith("application/json") else None
    except ValueError:
        j = None
    return st, hd, body, j, err


def _fds(pid):
    try:
        return len(os.listdir("/proc/%d/fd" % pid))
    except OSError:
        return -1


def _held(srv, client, path, query):
    """A request whose reader does not read (a 4 KiB receive buffer): the server cannot finish."""
    import socket
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(("127.0.0.1", srv.port))
    cookie = "; ".join("%s=%s" % kv for kv in client.cookies.items())
    s.sendall(("GET %s?%s HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: %s\r\n\r\n"
               % (path, urllib.parse.urlencode(query), cookie)).encode())
    s.settimeout(120)
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = s.recv(1)
        if not chunk:
            break
        head += chunk
    return s, head.decode("latin-1")


def _export_limits(ctx, srv, W, total, cap, tmp, acc_id):
    ck = ctx.ck
    admin = ctx.admin
    # The .xlsx row cap: accounts (a count route) refused before writing, with the count; the
    # order lines (no count route) stop at the cap with the same 413; CSV has no cap.
    st, _, _, j, e = _get(srv, admin, "/api/v1/accounts/export", {"format": "xlsx"})
    ck.ok(st == 413 and j and j["error"]["key"] == "export.too_many_rows" and j["error"]["field"] == "format"
          and j["error"]["params"].get("n") == str(total) and j["error"]["params"].get("max") == str(cap),
          "accounts .xlsx over the row cap: 413 from the count route, before writing", str(j or e))
    st, _, _, j, e = _get(srv, admin, "/api/v1/orders/export", {"format": "xlsx", "family": W.fam, "columns": "id"})
    ck.ok(st == (413 if W.lines > cap else 200) and (st == 200 or j["error"]["key"] == "export.too_many_rows"),
          "order lines .xlsx over the row cap: 413 at the cap", str(j or e))
    st, _, body, _, e = _get(srv, admin, "/api/v1/accounts/export", {"format": "csv", "columns": "id"})
    ck.ok(st == 200 and len(csv_rows(body)) == total + 1, "the CSV has no row cap", e or str(st))

    # Two exports held open by readers that do not read: the third is refused, 503 with its key
    # and Retry-After; none of their files has a name in TMPDIR; once they are gone, their slots
    # and descriptors are given back.
    pid = srv.proc.pid
    big = "/api/v1/accounts/%d/interactions/export" % acc_id
    q = {"format": "csv", "columns": ",".join(["notes"] * 12)}
    st, _, body, _, e = _get(srv, admin, big, q)
    ck.ok(st == 200, "a big timeline export answers", e or str(st))
    size = len(body)
    base_fds = _fds(pid)  # after the first export: the worker's database connection is open
    held = []
    try:
        for _ in range(2):
            held.append(_held(srv, admin, big, q))
        ck.ok(all(h[1].startswith("HTTP/1.1 200") for h in held), "two held exports answered 200",
              " | ".join(h[1][:40] for h in held))
        ck.ok(os.listdir(tmp) == [], "no export file has a name in TMPDIR while they stream", str(os.listdir(tmp)))
        with open(srv.log_path, "rb") as f:
            log_at = len(f.read())
        for fmt in ("csv", "xlsx"):
            st, hd, _, j, e = _get(srv, admin, "/api/v1/orders/export", {"format": fmt, "columns": "id",
                                                                        "family": W.fam},
                                   [("Accept-Language", "zh-CN")])
            ck.ok(st == 503 and j and j["error"]["key"] == "export.busy" and hd.get("retry-after", "").isdigit()
                  and "导出" in j["error"]["message"],
                  "a third export (%s) while two stream (%d bytes each): 503 export.busy with Retry-After"
                  % (fmt, size), "%s %s %s" % (st, hd.get("retry-after"), j or e))
        with open(srv.log_path, "rb") as f:
            refusals_log = f.read()[log_at:].decode("utf-8", "replace")
        ck.ok("retrying once" not in refusals_log and "request failed" not in refusals_log,
              "the refusals are answers, not failures: no retry, no error in the log", refusals_log[-600:])
        st, _, _, _, e = _get(srv, admin, "/api/v1/orders", {"family": W.fam, "limit": "1"})
        ck.ok(st == 200, "other requests are served meanwhile", e or str(st))
    finally:
        for s, _ in held:
            s.close()
    # the server notices the closed connections on its own time: give it up to 10 s
    deadline = time.time() + 10
    while time.time() < deadline and _fds(pid) > base_fds:
        time.sleep(0.05)
    ck.ok(_fds(pid) <= base_fds, "the held exports' descriptors are closed", "%d > %d" % (_fds(pid), base_fds))
    ok = 0
    for _ in range(3):
        st, _, _, _, _ = _get(srv, admin, "/api/v1/orders/export", {"format": "xlsx", "columns": "id,sku",
                                                                    "family": W.fam})
        ok += st in (200, 413)
    ck.ok(ok == 3, "their slots are given back: exports answer again", str(ok))
    ck.ok(os.listdir(tmp) == [], "nothing left in TMPDIR", str(os.listdir(tmp)))


GROUPS = [
    ("exports", g_exports, True),
    ("exports-words", g_export_words, True),
    ("exports-limits", g_export_limits, True),
    ("exports-risk", g_export_risk_words, True),
]
# 100k lines in the main database would slow every later group that lists orders: last.
GROUPS_LAST = [
    ("exports-memory", g_export_memory, True),
]


# ---------------------------------------------------------------- permission matrix builders

@route("GET", "/api/v1/accounts/export", "none")
def _(ctx, u, rec_):
    # .xlsx: the count route is asked first (the row cap), then the owners' names
    return Attempt("GET", "/api/v1/accounts/export", query={"format": "xlsx", "tier": "key", "lang": "zh-CN"})


@route("GET", "/api/v1/accounts/{id}/contacts/export", "account")
def _(ctx, u, rec_):
    a = acc(ctx, rec_)
    return Attempt("GET", "/api/v1/accounts/%d/contacts/export" % a, query={"format": "xlsx"},
                   state=lambda: ctx.acct_state(a))


@route("GET", "/api/v1/accounts/{id}/interactions/export", "account")
def _(ctx, u, rec_):
    a = acc(ctx, rec_)
    return Attempt("GET", "/api/v1/accounts/%d/interactions/export" % a, query={"format": "csv"},
                   state=lambda: ctx.rel_state(a))


@route("GET", "/api/v1/visits/export", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/visits/export", query={"format": "csv", "status": "planned"})


@route("GET", "/api/v1/issues/export", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/issues/export", query={"format": "csv"})


@route("GET", "/api/v1/care/export", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/care/export", query={"format": "csv"})


@route("GET", "/api/v1/orders/export", "none")
def _(ctx, u, rec_):
    W = sales_world(ctx)
    # One family: the permission check, not a walk over every line the suite imported.
    return Attempt("GET", "/api/v1/orders/export", query={"format": "csv", "columns": "id,sku",
                                                         "family": W.fam[0]})
