"""Import at scale (issue 13 section 6): order lines go in through the storage layer's bulk
load (PostgreSQL's binary COPY, SQLite's INSERTs of 100 rows), sorted by external id, with the
secondary indexes dropped and built again for a load that is big next to the table (foreign keys
stay), and the rollups merged in bulk. What must not change:

  - a file in random date and account order, some of whose lines exist already (through the
    API), loads with the right counts, written by the writer thread chunk by chunk while the
    file is read (KAM_IMPORT_CHUNK=7000); the three rollups equal a recomputation from the file's
    lines (the rewritten lines' old versions taken out); the indexes and foreign keys are there
    again afterwards;
  - a bad row in the middle of a big file (after the writer has written chunks): nothing changes (lines, rollups, products, accounts
    hashed before and after) and the indexes are all there;
  - awkward texts (backslashes, "\\N", "\\.", quotes, commas, CJK and emoji) read back exactly,
    through the CLI and through POST /imports/orders (whose rollups take the bulk path too);
    a NUL byte is refused with nothing loaded;
  - a second load of the same file through the API: every line updated, rollups unchanged; the
    same lines moved to other months: the emptied cells are deleted, not left at zero.
"""

import glob
import os
import random
import subprocess
import tempfile

from lib import run_cli
from t_importfmt import table_hash
from t_sales import (ORDER_HEADER, USD_RATE, account_code, db_rows, new_line, new_product, set_rate,
                     to_base)

AWKWARD = ["back\\slash", "\\N", "\\.", "say \"hi\"", "a,b", "华东 渠道 🙂", "數據\\t", "'single'", "\\\\"]


def csv_field(v):
    v = str(v)
    return '"%s"' % v.replace('"', '""') if any(c in v for c in ',"\r\n') else v


def orders_file(rows):
    return "\n".join([ORDER_HEADER] + [",".join(csv_field(v) for v in r) for r in rows]) + "\n"


def db_write(ctx, sql):
    """Runs statements on the suite's database (test-only triggers)."""
    if ctx.dsn.startswith("sqlite:"):
        import sqlite3
        con = sqlite3.connect(ctx.dsn[len("sqlite:"):], timeout=30)
        try:
            con.executescript(sql)
            con.commit()
        finally:
            con.close()
        return
    psql = sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"))
    p = subprocess.run([psql[-1] if psql else "psql", ctx.dsn, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql],
                       capture_output=True, timeout=60)
    if p.returncode != 0:
        raise RuntimeError("psql: %s" % p.stderr.decode("utf-8", "replace")[:300])


class World:
    pass


def world(ctx):
    W = getattr(ctx, "importscale_world", None)
    if W:
        return W
    W = World()
    t = ctx.tag
    W.fams = ["Scale-A-" + t, "Scale-B-" + t]
    W.acc, W.defaults = [], {}
    for i in range(6):
        aid = ctx.new_account("am_e", code=ctx.uniq("SCL"), name="规模导入客户%d %s" % (i, t),
                              region="SR%d-%s" % (i % 2, t), channel="SC%d-%s" % (i % 3, t))
        W.acc.append(aid)
        W.defaults[aid] = ("SR%d-%s" % (i % 2, t), "SC%d-%s" % (i % 3, t))
    W.code = {aid: account_code(ctx, aid) for aid in W.acc}
    W.prod = []  # (sku, family)
    for fam in W.fams:
        for _ in range(2):
            W.prod.append((new_product(ctx, fam)["sku"], fam))
    set_rate(ctx, "USD", USD_RATE)
    ctx.importscale_world = W
    return W


def random_rows(ctx, W, n, prefix, rnd, awkward=True):
    """n rows in random date and account order: (ext, date, account id, sku, family, region, channel,
    qty text, amount text, currency)."""
    out = []
    for i in range(n):
        aid = rnd.choice(W.acc)
        sku, fam = rnd.choice(W.prod)
        y, m, d = rnd.choice((2024, 2025)), rnd.randint(1, 12), rnd.randint(1, 28)
        region = channel = ""
        if awkward and i % 7 == 0:
            region = rnd.choice(AWKWARD)
        if awkward and i % 11 == 0:
            channel = rnd.choice(AWKWARD)
        cur = "USD" if i % 5 == 0 else "CNY"
        qty = "%d.%03d" % (rnd.randint(-2, 300), rnd.randint(0, 999))
        amt = "%d.%02d" % (rnd.randint(-50, 99999), rnd.randint(0, 99))
        out.append(["%s%07d-%s" % (prefix, i, ctx.tag), "%04d-%02d-%02d" % (y, m, d), aid, sku, fam, region,
                    channel, qty, amt, cur])
    return out


def as_file(W, rows):
    return orders_file([[r[0], r[1], W.code[r[2]], r[3], r[5], r[6], r[7], r[8], r[9]] for r in rows])


def minor(text, decimals):
    neg = text.startswith("-")
    whole, _, frac = text.lstrip("-").partition(".")
    v = int(whole) * 10 ** decimals + int((frac + "0" * decimals)[:decimals] or 0)
    return -v if neg else v


def expected_rollups(W, rows):
    """The rollups of W's accounts and families recomputed from the final version of each line."""
    fine, acct, dim = {}, {}, {}
    for r in rows:
        aid, fam = r[2], r[4]
        region = r[5] or W.defaults[aid][0]
        channel = r[6] or W.defaults[aid][1]
        month = int(r[1][:4]) * 100 + int(r[1][5:7])
        q = minor(r[7], 3)
        a = minor(r[8], 2)
        base = to_base(a, USD_RATE) if r[9] == "USD" else a
        for d, k in ((fine, (aid, month, fam, region, channel)), (acct, (aid, month)),
                     (dim, (month, fam, region, channel))):
            s = d.setdefault(k, [0, 0, 0])
            s[0] += q
            s[1] += base
            s[2] += 1
    return fine, acct, dim


def stored_rollups(ctx, W):
    ids = ",".join(str(a) for a in W.acc)
    fams = ",".join("'%s'" % f for f in W.fams)
    nz = "(quantity <> 0 OR amount <> 0 OR lines <> 0)"
    fine = {tuple(r[:5]): list(r[5:]) for r in db_rows(
        ctx, "SELECT account_id, month, family, region, channel, quantity, amount, lines FROM sales_monthly "
             "WHERE account_id IN (%s) AND %s" % (ids, nz))}
    acct = {tuple(r[:2]): list(r[2:]) for r in db_rows(
        ctx, "SELECT account_id, month, quantity, amount, lines FROM sales_monthly_account "
             "WHERE account_id IN (%s) AND %s" % (ids, nz))}
    dim = {tuple(r[:4]): list(r[4:]) for r in db_rows(
        ctx, "SELECT month, family, region, channel, quantity, amount, lines FROM sales_monthly_dim "
             "WHERE family IN (%s) AND %s" % (fams, nz))}
    return fine, acct, dim


def check_rollups(ctx, W, rows, label):
    want = expected_rollups(W, rows)
    try:
        got = stored_rollups(ctx, W)
    except Exception as e:  # noqa: BLE001 -- the reason goes into the failure
        return ctx.ck.fail("%s: rollups readable" % label, "%s: %s" % (type(e).__name__, e))
    for name, w, g in zip(("sales_monthly", "sales_monthly_account", "sales_monthly_dim"), want, got):
        bad = sorted(k for k in set(w) | set(g) if w.get(k) != g.get(k))
        ctx.ck.ok(not bad, "%s: %s = a recomputation from the lines (%d keys)" % (label, name, len(w)),
                  "first differences: %s" % [(k, w.get(k), g.get(k)) for k in bad[:5]])


def index_state(ctx):
    """The secondary indexes and foreign keys of order_lines, by name."""
    if ctx.dsn.startswith("sqlite:"):
        return sorted(r[0] for r in db_rows(ctx, "SELECT name FROM sqlite_master WHERE type = 'index' AND "
                                                 "tbl_name = 'order_lines'"))
    return sorted(r[0] for r in db_rows(ctx, "SELECT indexname FROM pg_indexes WHERE tablename = 'order_lines'")) + \
        sorted(r[0] for r in db_rows(ctx, "SELECT conname FROM pg_constraint WHERE conrelid = "
                                          "'order_lines'::regclass"))


def line_texts(ctx, exts):
    q = ",".join("'%s'" % e for e in exts)
    return {r[0]: (r[1], r[2]) for r in db_rows(
        ctx, "SELECT external_id, region, channel FROM order_lines WHERE external_id IN (%s)" % q)}


def check_texts(ctx, W, rows, label):
    picked = [r for r in rows if r[5] or r[6]][:60]
    got = line_texts(ctx, [r[0] for r in picked])
    want = {r[0]: (r[5] or W.defaults[r[2]][0], r[6] or W.defaults[r[2]][1]) for r in picked}
    bad = [(k, want[k], got.get(k)) for k in want if got.get(k) != want[k]]
    ctx.ck.ok(picked and not bad, "%s: %d lines with awkward region/channel texts read back byte for byte"
              % (label, len(picked)), repr(bad[:5]))


def g_importscale(ctx):
    ck = ctx.ck
    W = world(ctx)
    rnd = random.Random(13)
    d = tempfile.mkdtemp(prefix="scale-", dir=ctx.tmp)
    before_idx = index_state(ctx)

    # chunks of 7,000 rows (the first one 875): the big loads below go through the writer thread,
    # which writes each chunk while the next one is read (import_write.c)
    threaded = dict(os.environ, KAM_IMPORT_CHUNK="7000")

    def kam(path):
        return run_cli(ctx.kam, ["import", "orders", path, "--db", ctx.dsn], env=threaded, timeout=600)

    # three lines exist already (through the API): the file rewrites them, in three different
    # chunks (the writer takes their counts back out of the rollups and rewrites them)
    rows = random_rows(ctx, W, 60000, "SC", rnd)
    old_ids = [rows[i][0] for i in (17, 29999, 59998)]
    for i, ext in enumerate(old_ids):
        new_line(ctx, W.acc[(i + 3) % len(W.acc)], W.prod[0][0], date="2023-0%d-15" % (i + 1), qty=5,
                 amount=777, external_id=ext)
    path = os.path.join(d, "random.csv")
    with open(path, "w", encoding="utf-8") as f:
        f.write(as_file(W, rows))
    rc, out, err = kam(path)
    ck.ok(rc == 0 and "loaded; 60000 rows read, 59997 inserted, 3 updated, 0 rejected" in err,
          "kam import orders of 60,000 lines in random date and account order, 3 of them existing: "
          "exit 0, 59997 inserted, 3 updated", "rc=%s stderr=%s" % (rc, err[-400:]))
    n = db_rows(ctx, "SELECT COUNT(*) FROM order_lines WHERE account_id IN (%s)" % ",".join(map(str, W.acc)))
    ck.ok(n == [(60000,)], "60,000 lines on the world's accounts (the existing ones rewritten, not doubled)", repr(n))
    check_rollups(ctx, W, rows, "after the random-order load")
    check_texts(ctx, W, rows, "after the random-order load")
    ck.same(index_state(ctx), before_idx, "order_lines has its indexes and foreign keys again after the load")

    # the writer thread fails in the middle of a big file (a trigger refuses one line of chunk 6 of
    # 9): the import fails with the engine's error, nothing changes, and the connection's checks
    # are back on
    h0 = table_hash(ctx)
    boom = random_rows(ctx, W, 8500, "SW", rnd, awkward=False)
    victim = sorted(r[0] for r in boom)[6000]
    sqlite = ctx.dsn.startswith("sqlite:")
    db_write(ctx, ("CREATE TRIGGER kam_test_boom BEFORE INSERT ON order_lines WHEN NEW.external_id = '%s' "
                   "BEGIN SELECT RAISE(ABORT, 'kam test boom'); END" % victim) if sqlite else
             ("CREATE FUNCTION kam_test_boom() RETURNS trigger AS $$ BEGIN IF NEW.external_id = '%s' THEN "
              "RAISE EXCEPTION 'kam test boom'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql; "
              "CREATE TRIGGER kam_test_boom BEFORE INSERT ON order_lines FOR EACH ROW EXECUTE FUNCTION "
              "kam_test_boom()" % victim))
    try:
        wpath = os.path.join(d, "writer-fails.csv")
        with open(wpath, "w", encoding="utf-8") as f:
            f.write(as_file(W, boom))
        rc, out, err = run_cli(ctx.kam, ["import", "orders", wpath, "--db", ctx.dsn],
                               env=dict(os.environ, KAM_IMPORT_CHUNK="1000"), timeout=600)
        ck.ok(rc != 0 and "kam test boom" in err, "the writer thread's error fails the import with the engine's "
              "message", "rc=%s stderr=%s" % (rc, err[-300:]))
    finally:
        db_write(ctx, "DROP TRIGGER kam_test_boom" if sqlite else
                 "DROP TRIGGER kam_test_boom ON order_lines; DROP FUNCTION kam_test_boom()")
    ck.ok(table_hash(ctx) == h0, "nothing changed after the writer's failure (lines, rollups, products, accounts)")
    ck.same(index_state(ctx), before_idx, "the indexes and foreign keys are all there after the writer's failure")

    # a bad row in the middle of a big file: nothing changes
    h0 = table_hash(ctx)
    bad = random_rows(ctx, W, 60000, "SB", rnd)
    text = as_file(W, bad).split("\n")
    text[30001] = text[30001].replace(W.code[bad[30000][2]], "NO-SUCH-" + ctx.tag)
    bpath = os.path.join(d, "bad.csv")
    with open(bpath, "w", encoding="utf-8") as f:
        f.write("\n".join(text))
    rc, out, err = kam(bpath)
    ck.ok(rc == 1 and "rejected" in err and "row 30002, column account_code" in err,
          "a bad account code at row 30,002 of 60,000: exit 1, rejected, the report names row and column",
          "rc=%s stderr=%s" % (rc, err[-400:]))
    ck.ok(table_hash(ctx) == h0, "the rejected big file changed nothing (lines, rollups, products, accounts)")
    ck.same(index_state(ctx), before_idx, "the indexes and foreign keys are all there after the rejected load")
    check_rollups(ctx, W, rows, "after the rejected load")

    # through the API: a file whose rollup deltas take the bulk path, then the same file again
    fin = ctx.U("fin").client
    api_rows = random_rows(ctx, W, 900, "SA", rnd)
    r = fin.csv("orders", as_file(W, api_rows), {"filename": "scale-%s.csv" % ctx.tag})
    ck.expect(r, 201, "POST /imports/orders of 900 random-order lines with awkward texts: 201, 900 inserted",
              json={"status": "loaded", "rows_inserted": 900, "rows_updated": 0})
    check_rollups(ctx, W, rows + api_rows, "after the API load")
    check_texts(ctx, W, api_rows, "after the API load")
    r = fin.csv("orders", as_file(W, api_rows), {"filename": "scale-again-%s.csv" % ctx.tag})
    ck.expect(r, 201, "the same 900 lines again: 201, 0 inserted, 900 updated",
              json={"status": "loaded", "rows_inserted": 0, "rows_updated": 900})
    check_rollups(ctx, W, rows + api_rows, "after loading the API file again")

    # the same lines moved to 2026: hundreds of cells lose every line (pruned, not left at 0)
    moved = [r[:1] + ["2026" + r[1][4:]] + r[2:] for r in api_rows]
    r = fin.csv("orders", as_file(W, moved), {"filename": "scale-moved-%s.csv" % ctx.tag})
    ck.expect(r, 201, "the 900 lines moved to 2026: 201, 900 updated",
              json={"status": "loaded", "rows_inserted": 0, "rows_updated": 900})
    check_rollups(ctx, W, rows + moved, "after moving the API lines")
    ids = ",".join(str(a) for a in W.acc)
    empty = db_rows(ctx, "SELECT (SELECT COUNT(*) FROM sales_monthly WHERE account_id IN (%s) AND lines <= 0) + "
                         "(SELECT COUNT(*) FROM sales_monthly_account WHERE account_id IN (%s) AND lines <= 0)"
                         % (ids, ids))
    ck.ok(empty == [(0,)], "no rollup row is left with no lines after the move", repr(empty))

    # a NUL byte in a text: refused, nothing loaded
    h1 = table_hash(ctx)
    nul = random_rows(ctx, W, 3, "SN", rnd, awkward=False)
    parts = as_file(W, nul).encode("utf-8").split(b"\n")
    f = parts[2].split(b",")
    f[4] = b"R\x00X"
    parts[2] = b",".join(f)
    r = fin.csv("orders", b"\n".join(parts))
    ck.ok(r.status in (400, 422) and table_hash(ctx) == h1,
          "a NUL byte in a region: refused (%s), nothing loaded" % r.status, r.describe())


GROUPS = [
    ("importscale", g_importscale, True),
]
