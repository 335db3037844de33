"""Receivables (issue 16 item 2, src/api/risk/receivables.c, svc/risk/receivable.c,
docs/CREDIT.md): invoices and payments loaded through the import machinery as CSV, GBK CSV with
Chinese headers, a hand-made .xlsx and kam's own .xlsx template (libxlsxwriter); bad rows named
with row and column and nothing written; re-loading an invoice updates it; a payment loaded
again is skipped when identical and refused otherwise; payments applied to the invoice named,
then oldest first, the rest unapplied and applied to an invoice loaded later; the receivables
list (most overdue first, over_limit / overdue filters), invoices (status and bucket filters,
one with its allocations), payments; an account manager sees only their accounts, cannot
import; the permission matrix builders of every route of api/risk/receivables.c."""

import json

from t_matrix import route, Attempt, acc
from t_answers import sql
from t_credit import today, csv_text, load, credit_account, INV_HEAD, PAY_HEAD
from t_importfmt import xlsx_by_hand, XLSX_CT
from t_exports import csv_rows


def table_state(ctx):
    return sql(ctx, "SELECT (SELECT COUNT(*) FROM invoices), (SELECT COUNT(*) FROM payments), "
                    "(SELECT COUNT(*) FROM payment_allocations), (SELECT COALESCE(SUM(paid), 0) FROM invoices), "
                    "(SELECT COUNT(*) FROM audit WHERE entity IN ('invoice', 'payment'))")


def inv_of(ctx, no):
    r = sql(ctx, "SELECT id, amount, paid, due_day, paid_on FROM invoices WHERE invoice_no = '%s'" % no)
    return r[0] if r else None


def g_receivable_imports(ctx):
    ck = ctx.ck
    fin = ctx.U("fin").client
    am = ctx.U("am_e").client
    aid, code = credit_account(ctx)
    n = [ctx.uniq("RI-") for _ in range(4)]

    # an account manager may not import receivables
    ck.expect(am.csv("invoices", csv_text([INV_HEAD, [n[0], code, today(), today(30), "1", "CNY"]])), 403,
              "an account manager may not import invoices")

    # bad rows are named with row and column; nothing is written
    before = table_state(ctx)
    r = fin.csv("invoices", csv_text([INV_HEAD,
                                      [n[0], code, today(-50), today(-20), "1000.00", "CNY"],
                                      [n[1], "NO-SUCH-" + ctx.tag, today(-40), today(-10), "10", "CNY"],
                                      [n[2], code, "2026-13-45", today(), "10", "CNY"],
                                      [n[3], code, today(), today(-5), "10", "CNY"],
                                      [n[0], code, today(), today(), "abc", "QQQ"]]))
    ck.expect(r, 422, "a file with bad rows is refused whole")
    probs = sorted((p["row"], p["column"]) for p in (r.json or {}).get("problems", []))
    ck.ok(probs == [(3, "account_code"), (4, "date"), (5, "due_date"), (6, "amount"), (6, "currency"),
                    (6, "invoice_no")], "each problem names its row and column", repr(probs))
    ck.ok(table_state(ctx) == before, "the refused file wrote nothing")

    # UTF-8 CSV: three invoices, oldest due first I0 (1000.00), I1 (500.00), I2 (800.00)
    r = load(ctx, "invoices", [INV_HEAD, [n[0], code, today(-100), today(-70), "1000.00", "CNY"],
                               [n[1], code, today(-80), today(-50), "500", "RMB"],
                               [n[2], code, today(-20), today(10), "800", "人民币"]], client=fin)
    ck.ok(r.json and r.json.get("rows_inserted") == 3 and r.json.get("kind") == "invoices",
          "three invoices loaded", repr(r.json))
    # GBK CSV with Chinese headers: 1200.00 unnamed -> I0 in full, 200.00 of I1
    p = [ctx.uniq("RP-") for _ in range(4)]
    zh = csv_text([["回款单号", "客户编码", "回款日期", "金额", "币种", "发票号"],
                   [p[0], code, today(-60), '"1,200.00"', "人民币", ""]]).encode("gbk")
    r = fin.csv("payments", zh)
    ck.expect(r, 201, "a GBK file with Chinese headers loads", json={"rows_inserted": 1})
    ck.ok(inv_of(ctx, n[0])[2] == 100000 and inv_of(ctx, n[1])[2] == 20000, "applied oldest first: I0 whole, "
          "200.00 of I1", repr((inv_of(ctx, n[0]), inv_of(ctx, n[1]))))
    ck.ok(inv_of(ctx, n[0])[4] == today(-60), "I0's paid_on is the payment's day", repr(inv_of(ctx, n[0])))
    # an .xlsx (by hand): 900.00 naming I2 -> I2 in full, 100.00 to I1; 400.00 more -> I1 done, 200.00 left
    x = xlsx_by_hand([("回款", "".join(
        '<row r="%d">%s</row>' % (i + 1, "".join('<c r="%s%d" t="inlineStr"><is><t>%s</t></is></c>'
                                                  % ("ABCDEF"[j], i + 1, v) for j, v in enumerate(row)))
        for i, row in enumerate([PAY_HEAD, [p[1], code, today(-30), "900", "CNY", n[2]],
                                 [p[2], code, today(-25), "400.00", "CNY", ""]])))])
    r = fin.csv("payments", x, content_type=XLSX_CT)
    ck.expect(r, 201, "a hand-made .xlsx of payments loads", json={"format": "xlsx", "rows_inserted": 2})
    ck.ok([inv_of(ctx, k)[2] for k in n[:3]] == [100000, 50000, 80000], "I2 whole, I1 whole (100.00 + 400.00)",
          repr([inv_of(ctx, k) for k in n[:3]]))
    un = sql(ctx, "SELECT unapplied FROM payments WHERE payment_no = '%s'" % p[2])
    ck.ok(un == [[20000]], "200.00 of the last payment is unapplied", repr(un))
    # an invoice loaded later takes it
    load(ctx, "invoices", [INV_HEAD, [n[3], code, today(-5), today(25), "300", "CNY"]], client=fin)
    ck.ok(inv_of(ctx, n[3])[2] == 20000, "the unapplied 200.00 goes to the invoice loaded later",
          repr(inv_of(ctx, n[3])))
    ck.ok(sql(ctx, "SELECT unapplied FROM payments WHERE payment_no = '%s'" % p[2]) == [[0]], "nothing unapplied")

    # re-loading an invoice updates it (audited); a payment again: identical skipped, different refused
    r = load(ctx, "invoices", [INV_HEAD, [n[3], code, today(-5), today(35), "300", "CNY"]], client=fin)
    ck.ok(r.json and r.json.get("rows_updated") == 1 and inv_of(ctx, n[3])[3] == today(35),
          "a known invoice_no is updated", repr(r.json))
    ck.ok(int(sql(ctx, "SELECT COUNT(*) FROM audit WHERE entity = 'invoice' AND entity_id = %d AND action = "
                       "'update'" % inv_of(ctx, n[3])[0])[0][0]) == 1, "the update is audited")
    r = load(ctx, "payments", [PAY_HEAD, [p[1], code, today(-30), "900", "CNY", n[2]]], client=fin)
    ck.ok(r.json and r.json.get("rows_inserted") == 0 and r.json.get("rows_total") == 1,
          "an identical payment again is skipped", repr(r.json))
    before = table_state(ctx)
    r = fin.csv("payments", csv_text([PAY_HEAD, [p[1], code, today(-30), "901", "CNY", n[2]]]))
    ck.expect(r, 422, "a payment_no with other figures is refused")
    ck.ok([(q["row"], q["column"]) for q in (r.json or {}).get("problems", [])] == [(2, "payment_no")],
          "naming payment_no", repr(r.json))
    # a payment naming another account's invoice is refused (one naming an invoice not loaded yet
    # waits for it: receivable_waiting)
    other, ocode = credit_account(ctx)
    r = fin.csv("payments", csv_text([PAY_HEAD, [p[3], ocode, today(), "1", "CNY", n[0]],
                                      [ctx.uniq("RP-"), ocode, today(), "1", "CNY", "NONE-" + ctx.tag]]))
    ck.ok(r.status == 422 and [(q["row"], q["column"]) for q in r.json["problems"]] ==
          [(2, "invoice_no")], "another account's invoice: refused naming invoice_no", r.describe())
    ck.ok(table_state(ctx) == before, "refused payments wrote nothing")

    # dry run and skip-bad-rows
    r = fin.csv("invoices", csv_text([INV_HEAD, [ctx.uniq("RD-"), code, today(), today(30), "5", "CNY"]]),
                query={"dry_run": "1"})
    ck.expect(r, 200, "a dry run checks", json={"status": "checked"})
    ck.ok(table_state(ctx) == before, "a dry run writes nothing")
    good = ctx.uniq("RS-")
    r = fin.csv("invoices", csv_text([INV_HEAD, [good, code, today(), today(30), "5", "CNY"],
                                      [ctx.uniq("RS-"), code, today(), today(30), "x", "CNY"]]),
                query={"skip_bad_rows": "1"})
    ck.expect(r, 201, "skip_bad_rows loads the good rows", json={"rows_inserted": 1, "rows_rejected": 1})

    # kam's own .xlsx template (libxlsxwriter): its example reads, only its account is unknown
    for kind in ("invoices", "payments"):
        t = fin.get("/api/v1/imports/template", query={"kind": kind, "format": "xlsx"})
        ck.expect(t, 200, "the %s template (.xlsx)" % kind)
        r = fin.csv(kind, t.body, query={"dry_run": "1"}, content_type=XLSX_CT)
        cols = sorted(q["column"] for q in (r.json or {}).get("problems", []))
        ck.ok(r.status == 422 and cols in (["account_code"], ["account_code", "invoice_no"]),
              "the %s template's example: only its account (and invoice) unknown" % kind, r.describe())


def g_receivable_lists(ctx):
    ck = ctx.ck
    fin = ctx.U("fin").client
    am = ctx.U("am_e").client
    aid, code = credit_account(ctx)
    bid, bcode = credit_account(ctx, owner="dir")
    i = [ctx.uniq("RL-") for _ in range(3)]
    load(ctx, "invoices", [INV_HEAD, [i[0], code, today(-130), today(-100), "100", "CNY"],
                           [i[1], code, today(-40), today(-10), "200", "CNY"],
                           [i[2], code, today(-5), today(25), "300", "CNY"],
                           [ctx.uniq("RL-"), bcode, today(-5), today(-1), "900", "CNY"]], client=fin)
    pay = ctx.uniq("RLP-")
    load(ctx, "payments", [PAY_HEAD, [pay, code, today(-3), "50", "CNY", i[1]]], client=fin)
    ctx.must(fin.put("/api/v1/accounts/%d/credit-limit" % aid, {"amount": 40000}), 200, "limit")

    r = fin.get("/api/v1/invoices", {"account_id": str(aid), "status": "overdue"})
    ck.ok(r.status == 200 and sorted(x["invoice_no"] for x in r.json["items"]) == sorted(i[:2]),
          "status=overdue: the two past due", r.describe())
    # the payment is in the invoice's history too (paid 0 -> 50.00), not only in the payment's
    iid1 = int(sql(ctx, "SELECT id FROM invoices WHERE invoice_no = '%s'" % i[1])[0][0])
    r = fin.get("/api/v1/audit", {"entity": "invoice", "id": str(iid1)})
    ch = [x.get("changes") for x in (r.json or {}).get("items", []) if x.get("action") == "update"]
    ck.ok(r.status == 200 and any("paid" in json.dumps(c) and "5000" in json.dumps(c) for c in ch),
          "the invoice's history shows the payment applied to it (paid -> 50.00)", r.describe())
    r = fin.get("/api/v1/invoices", {"account_id": str(aid), "status": "open"})
    ck.ok(r.status == 200 and [x["invoice_no"] for x in r.json["items"]] == [i[2]] and
          all(x["status"] == "open" for x in r.json["items"]),
          "status=open: the one not yet due, not the overdue ones", r.describe())
    r = fin.get("/api/v1/invoices", {"account_id": str(aid), "bucket": "over_90"})
    ck.ok(r.status == 200 and [x["invoice_no"] for x in r.json["items"]] == [i[0]] and
          r.json["items"][0]["days_past_due"] == 100, "bucket=over_90", r.describe())
    r = fin.get("/api/v1/invoices", {"account_id": str(aid), "bucket": "1_30"})
    ck.ok(r.status == 200 and [x["invoice_no"] for x in r.json["items"]] == [i[1]] and
          r.json["items"][0]["open"] == 15000, "bucket=1_30 (150.00 open)", r.describe())
    r = fin.get("/api/v1/invoices", {"account_id": str(aid), "bucket": "not_due", "status": "open"})
    ck.ok(r.status == 200 and [x["invoice_no"] for x in r.json["items"]] == [i[2]], "bucket=not_due", r.describe())
    ck.expect(fin.get("/api/v1/invoices", {"bucket": "2_3"}), 400, "an unknown bucket", field="bucket")
    ck.expect(fin.get("/api/v1/invoices", {"status": "late"}), 400, "an unknown status", field="status")
    # paging
    r = fin.get("/api/v1/invoices", {"account_id": str(aid), "limit": "2"})
    if ck.expect(r, 200, "page 1 of invoices") and r.json.get("next_cursor"):
        r2 = fin.get("/api/v1/invoices", {"account_id": str(aid), "limit": "2", "cursor": r.json["next_cursor"]})
        ck.ok(r2.status == 200 and len(r.json["items"]) + len(r2.json["items"]) == 3 and
              not r2.json.get("next_cursor"), "page 2 ends the list", r2.describe())
    iid = int(sql(ctx, "SELECT id FROM invoices WHERE invoice_no = '%s'" % i[1])[0][0])
    ck.expect(am.get("/api/v1/invoices/%d" % iid), 200, "the account manager reads their invoice with allocations",
              json={"invoice_no": i[1], "paid": 5000, "status": "overdue", "bucket": "1_30",
                    "allocations": [{"payment_no": pay, "amount": 5000}]})
    bi = int(sql(ctx, "SELECT id FROM invoices WHERE account_id = %d" % bid)[0][0])
    ck.expect(am.get("/api/v1/invoices/%d" % bi), 404, "another's invoice: 404")
    r = am.get("/api/v1/invoices", {"limit": "500"})
    ck.ok(r.status == 200 and all(x["account_id"] != bid for x in r.json["items"]),
          "an account manager lists only their accounts' invoices")
    r = fin.get("/api/v1/payments", {"account_id": str(aid)})
    ck.expect(r, 200, "payments with what they were applied to",
              json={"items": [{"payment_no": pay, "amount": 5000, "unapplied": 0, "invoice_no": i[1],
                               "allocations": [{"invoice_no": i[1], "amount": 5000}]}]})

    # the receivables list: most overdue first; over_limit and overdue filters
    r = fin.get("/api/v1/receivables", {"over_limit": "1", "limit": "500"})
    rows = {x["account_id"]: x for x in (r.json or {}).get("items", [])}
    ck.ok(r.status == 200 and aid in rows and bid not in rows, "over_limit=1: exposure 550.00 over 400.00",
          r.describe())
    if aid in rows:
        x = rows[aid]
        ck.ok(x["exposure"]["receivables"] == 55000 and x["used_bp"] == 13750 and x["over_limit"] and
              x["ageing"]["over_90"] == 10000 and x["ageing"]["d1_30"] == 15000 and x["ageing"]["not_due"] == 30000,
              "its row: exposure, used %, buckets", repr(x))
    r = fin.get("/api/v1/receivables", {"overdue": "1", "limit": "500"})
    items = (r.json or {}).get("items", [])
    ov = [x["ageing"]["overdue"] for x in items]
    ck.ok(r.status == 200 and ov == sorted(ov, reverse=True) and all(v > 0 for v in ov),
          "overdue=1: most overdue first", repr(ov[:10]))
    r = am.get("/api/v1/receivables", {"limit": "500"})
    ck.ok(r.status == 200 and all(x["account_id"] != bid for x in r.json["items"]) and
          any(x["account_id"] == aid for x in r.json["items"]), "an account manager's list: their accounts only")
    ck.expect(fin.get("/api/v1/receivables", {"overdue": "2"}), 400, "overdue 0 | 1", field="overdue")
    # the exports: the list's rows with its filters, statuses in words (lang=), codes on request
    r = fin.get("/api/v1/invoices/export", {"account_id": str(aid), "status": "overdue", "lang": "zh-CN",
                                            "columns": "invoice_no,status,bucket,status_code,open"})
    if ck.expect(r, 200, "invoices export (status=overdue, lang=zh-CN)"):
        rows = sorted(csv_rows(r.body)[1:])
        ck.ok(rows == sorted([[i[0], "已逾期", "90 天以上", "overdue", "10000"],
                              [i[1], "已逾期", "1-30 天", "overdue", "15000"]]),
              "the two overdue invoices in Chinese words", repr(rows))
    ck.expect(fin.get("/api/v1/invoices/export", {"bucket": "2_3"}), 400, "export: an unknown bucket",
              field="bucket")
    r = am.get("/api/v1/invoices/export", {"format": "csv", "columns": "account_id"})
    ck.ok(r.status == 200 and str(bid) not in [x[0] for x in csv_rows(r.body)[1:]],
          "an account manager's invoices export: their accounts only", r.describe())
    r = fin.get("/api/v1/payments/export", {"account_id": str(aid), "lang": "en",
                                            "columns": "payment_no,amount,unapplied,invoice_no"})
    if ck.expect(r, 200, "payments export"):
        ck.ok(csv_rows(r.body)[1:] == [[pay, "5000", "0", i[1]]], "the payment, as listed", r.describe())
    r = fin.get("/api/v1/receivables/export", {"over_limit": "1", "lang": "zh-TW",
                                               "columns": "account_id,over_limit,exposure.receivables,used_bp"})
    if ck.expect(r, 200, "receivables export (over_limit=1)"):
        rows = {x[0]: x for x in csv_rows(r.body)[1:]}
        ck.ok(rows.get(str(aid)) == [str(aid), "是", "55000", "13750"] and str(bid) not in rows,
              "the account over its limit, yes in words", repr(rows.get(str(aid))))
    ck.expect(fin.get("/api/v1/receivables/export", {"overdue": "2"}), 400, "export: overdue 0 | 1",
              field="overdue")
    r = fin.get("/api/v1/receivables", {"limit": "1"})
    if ck.expect(r, 200, "receivables page 1") and r.json.get("next_cursor"):
        r2 = fin.get("/api/v1/receivables", {"limit": "1", "cursor": r.json["next_cursor"]})
        ck.ok(r2.status == 200 and r2.json["items"] and r2.json["items"][0]["account_id"] !=
              r.json["items"][0]["account_id"], "receivables page 2 goes on", r2.describe())


def g_receivable_waiting(ctx):
    """A payment naming an invoice not loaded yet is loaded, unapplied, and waits for it: an
    invoice loaded meanwhile does not take it; the named one does when it comes, first."""
    ck = ctx.ck
    fin = ctx.U("fin").client
    aid, code = credit_account(ctx)
    i = [ctx.uniq("RW-") for _ in range(2)]
    p = ctx.uniq("RWP-")
    load(ctx, "payments", [PAY_HEAD, [p, code, today(-5), "300", "CNY", i[1]]], client=fin)
    r = fin.get("/api/v1/payments", {"account_id": str(aid)})
    ck.expect(r, 200, "the payment waits for its invoice, unapplied",
              json={"items": [{"payment_no": p, "unapplied": 30000, "invoice_no": i[1], "invoice_id": None,
                               "allocations": []}]})
    # the same row again is the same payment (skipped); another invoice loaded meanwhile leaves it waiting
    r = load(ctx, "payments", [PAY_HEAD, [p, code, today(-5), "300", "CNY", i[1]]], client=fin)
    ck.ok((r.json or {}).get("rows_inserted") == 0, "loaded again: skipped", repr(r.json))
    load(ctx, "invoices", [INV_HEAD, [i[0], code, today(-30), today(-1), "1000", "CNY"]], client=fin)
    ck.ok(inv_of(ctx, i[0])[2] == 0, "an invoice it does not name does not take it", repr(inv_of(ctx, i[0])))
    # its invoice comes: applied to it (200.00 in full), the 100.00 left to the older open one
    load(ctx, "invoices", [INV_HEAD, [i[1], code, today(-3), today(27), "200", "CNY"]], client=fin)
    ck.ok(inv_of(ctx, i[1])[2] == 20000 and inv_of(ctx, i[0])[2] == 10000,
          "its invoice takes it first when loaded, the rest goes oldest first",
          repr((inv_of(ctx, i[0]), inv_of(ctx, i[1]))))
    r = fin.get("/api/v1/payments", {"account_id": str(aid)})
    x = ((r.json or {}).get("items") or [{}])[0]
    ck.ok(x.get("unapplied") == 0 and x.get("invoice_no") == i[1] and x.get("invoice_id") == inv_of(ctx, i[1])[0],
          "the payment now names the loaded invoice", repr(x))
    ck.ok(not alloc_broken(ctx, aid), "allocations add up", repr(alloc_broken(ctx, aid)))


def alloc_broken(ctx, aid):
    """What breaks the allocation's books of account aid: an invoice paid over its amount or
    whose paid is not its allocations' sum; a payment with a negative unapplied or whose
    unapplied is not its amount less its allocations."""
    bad = sql(ctx, "SELECT 'invoice', i.invoice_no, i.amount, i.paid, COALESCE((SELECT SUM(pa.amount) FROM "
                   "payment_allocations pa WHERE pa.invoice_id = i.id), 0) FROM invoices i WHERE i.account_id = %d"
              % aid)
    bad = [r for r in bad if r[3] > r[2] or r[3] != r[4]]
    pays = sql(ctx, "SELECT 'payment', p.payment_no, p.amount, p.unapplied, COALESCE((SELECT SUM(pa.amount) FROM "
                    "payment_allocations pa WHERE pa.payment_id = p.id), 0) FROM payments p WHERE p.account_id = %d"
               % aid)
    return bad + [r for r in pays if r[3] < 0 or r[3] != r[2] - r[4]]


def g_receivable_race(ctx):
    """Loads that allocate one account's payments at once (on PostgreSQL two transactions at a
    time) take turns on the account: two payment files on the same open invoices, and two invoice
    files applying the same unapplied payment, never over-allocate an invoice nor leave a
    negative unapplied."""
    import threading
    ck = ctx.ck
    clients = [ctx.U("fin").client, ctx.admin]
    broken, statuses = [], []
    for rnd in range(10):
        aid, code = credit_account(ctx)
        i = [ctx.uniq("RC-") for _ in range(4)]
        p = [ctx.uniq("RCP-") for _ in range(3)]
        if rnd % 2 == 0:
            # two open invoices of 1000.00; two payments of 1500.00 at once: 2000.00 applied, 1000.00 left
            load(ctx, "invoices", [INV_HEAD, [i[0], code, today(-60), today(-30), "1000", "CNY"],
                                   [i[1], code, today(-50), today(-20), "1000", "CNY"]], client=clients[0])
            files = [("payments", [PAY_HEAD, [p[0], code, today(-10), "1500", "CNY", ""]]),
                     ("payments", [PAY_HEAD, [p[1], code, today(-9), "1500", "CNY", ""]])]
        else:
            # a payment of 1500.00 with nothing to apply to; two invoices of 1000.00 loaded at once
            load(ctx, "payments", [PAY_HEAD, [p[2], code, today(-10), "1500", "CNY", ""]], client=clients[0])
            files = [("invoices", [INV_HEAD, [i[2], code, today(-8), today(20), "1000", "CNY"]]),
                     ("invoices", [INV_HEAD, [i[3], code, today(-7), today(21), "1000", "CNY"]])]
        gate = threading.Barrier(2)
        got = [None, None]

        def run(k):
            gate.wait()
            got[k] = clients[k].csv(files[k][0], csv_text(files[k][1])).status
        ts = [threading.Thread(target=run, args=(k,)) for k in (0, 1)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        statuses.append(tuple(got))
        b = alloc_broken(ctx, aid)
        if b:
            broken.append((rnd, b))
        total = sql(ctx, "SELECT COALESCE(SUM(paid), 0) FROM invoices WHERE account_id = %d" % aid)[0][0]
        left = sql(ctx, "SELECT COALESCE(SUM(unapplied), 0) FROM payments WHERE account_id = %d" % aid)[0][0]
        want = (200000, 100000) if rnd % 2 == 0 else (150000, 0)
        if (total, left) != want:
            broken.append((rnd, "paid %s unapplied %s, want %s" % (total, left, want)))
    ck.ok(all(s == (201, 201) for s in statuses), "every concurrent load succeeds", repr(statuses))
    ck.ok(not broken, "10 rounds of concurrent loads: no invoice over-allocated, no negative unapplied",
          repr(broken[:3]))


GROUPS = [
    ("receivables", g_receivable_imports, True),
    ("receivable_lists", g_receivable_lists, True),
    ("receivable_race", g_receivable_race, True),
    ("receivable_waiting", g_receivable_waiting, True),
]


# ---- permission matrix builders (t_matrix.py): every route of api/risk/receivables.c

def _invoice(ctx, rec_):
    key = "INV_matrix_" + rec_
    if key not in ctx.ids:
        a = acc(ctx, rec_)
        no = ctx.uniq("MXI-")
        code = sql(ctx, "SELECT code FROM accounts WHERE id = %d" % a)[0][0]
        ctx.must(ctx.admin.csv("invoices", csv_text([INV_HEAD, [no, code, today(-5), today(25), "1", "CNY"]])),
                 201, "matrix invoice")
        ctx.ids[key] = int(sql(ctx, "SELECT id FROM invoices WHERE invoice_no = '%s'" % no)[0][0])
    return ctx.ids[key]


@route("GET", "/api/v1/receivables", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/receivables", query={"limit": "5"})


@route("GET", "/api/v1/invoices", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/invoices", query={"limit": "5"})


@route("GET", "/api/v1/invoices/{id}", "invoice")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/invoices/%d" % _invoice(ctx, rec_))


@route("GET", "/api/v1/payments", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/payments", query={"limit": "5"})


@route("GET", "/api/v1/receivables/export", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/receivables/export", query={"format": "csv"})


@route("GET", "/api/v1/invoices/export", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/invoices/export", query={"format": "csv", "status": "open"})


@route("GET", "/api/v1/payments/export", "none")
def _(ctx, u, rec_):
    return Attempt("GET", "/api/v1/payments/export", query={"format": "xlsx"})


@route("POST", "/api/v1/imports/invoices", "none")
def _(ctx, u, rec_):
    a = acc(ctx, "own")
    code = sql(ctx, "SELECT code FROM accounts WHERE id = %d" % a)[0][0]
    # the import right: admin, director, finance; invoices take receivable create too (director: 403 kind)
    ok = 201 if u.role in ("admin", "finance") else 403
    return Attempt("POST", "/api/v1/imports/invoices", raw=csv_text(
        [INV_HEAD, [ctx.uniq("MXJ-"), code, today(), today(30), "1", "CNY"]]).encode(), content_type="text/csv",
        ok=ok, state=lambda: table_state(ctx))


@route("POST", "/api/v1/imports/payments", "none")
def _(ctx, u, rec_):
    a = acc(ctx, "own")
    code = sql(ctx, "SELECT code FROM accounts WHERE id = %d" % a)[0][0]
    ok = 201 if u.role in ("admin", "finance") else 403
    return Attempt("POST", "/api/v1/imports/payments", raw=csv_text(
        [PAY_HEAD, [ctx.uniq("MXQ-"), code, today(), "1", "CNY", ""]]).encode(), content_type="text/csv",
        ok=ok, state=lambda: table_state(ctx))
