#!/usr/bin/env python3
"""family_race.py -- the rollups after product family changes that race other sales writes.

    tests/soak/family_race.py --kam build/kam [--dsn postgres://...] [--rounds N] [--with-import]

No kill here: one `kam serve`, one client writing order lines of one product (POST /orders,
PATCH, DELETE), another moving that product between families (PATCH /products/{id}
{"family"}), and with --with-import a `kam import orders` re-importing lines of the product at
the same time. Afterwards sales_monthly, sales_monthly_dim and sales_monthly_account must equal a
recomputation from order_lines joined with products (each line under its product's family now),
as in crash.py. Found by the crash soak (issue 11): on PostgreSQL (READ COMMITTED) a line write or
an import that read the product's family without a lock added its delta under the old family
after svc/volume/product.c: move_family() had summed the lines it could see. Writers now
share-lock the products (svc/volume/sales.c, row locks); without that, 5-10 cells differ. SQLite
serialises writers. Last line `N passed, N failed`.
"""

import argparse
import os
import random
import shutil
import sys
import tempfile
import threading

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from crash import (DB, FAMILIES, PASSWORD, T0, Serve, call, cli, date_of, session)  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kam", required=True)
    ap.add_argument("--dsn")
    ap.add_argument("--rounds", type=int, default=300)
    ap.add_argument("--with-import", action="store_true")
    ap.add_argument("--seed", default="1")
    a = ap.parse_args()
    kam = os.path.abspath(a.kam)
    tmp = tempfile.mkdtemp(prefix="kam-race-")
    dsn = a.dsn or "sqlite:%s" % os.path.join(tmp, "race.db")
    db = DB(dsn)
    rc, out, err = cli(kam, ["init", "--db", dsn])
    assert rc == 0, out + err
    rc, out, err = cli(kam, ["user", "add", "--db", dsn, "--login", "race.admin", "--role", "admin"],
                       PASSWORD + "\n")
    assert rc == 0, out + err
    srv = Serve(kam, dsn, tmp)
    e = srv.start(T0)
    assert not e, e
    port = srv.port
    cookie, csrf, _ = session(port, "race.admin")
    st, t, _ = call(port, "POST", "/api/v1/tokens", body={"name": "race"}, cookie=cookie, csrf=csrf)
    tok = t["token"]
    st, acct, _ = call(port, "POST", "/api/v1/accounts", tok, {"code": "RACE-1", "name": "race"})
    st, prod, _ = call(port, "POST", "/api/v1/products", tok, {"sku": "RACE-P", "name": "p",
                                                               "family": FAMILIES[0]})
    assert st == 201, prod
    rng = random.Random(a.seed)
    stop = threading.Event()
    counts = {"lines": 0, "moves": 0, "imports": 0}

    def lines():
        ids = []
        for i in range(a.rounds):
            r = rng.random()
            if not ids or r < 0.6:
                st, j, _ = call(port, "POST", "/api/v1/orders", tok, {
                    "external_id": "race-%d" % i, "date": date_of(T0 // 86400 - rng.randint(0, 60)),
                    "account_id": acct["id"], "sku": "RACE-P", "region": "east", "channel": "direct",
                    "quantity": rng.randint(1, 9), "amount": {"amount": rng.randint(100, 9999),
                                                              "currency": "CNY"}})
                if st == 201:
                    ids.append(j["id"])
            elif r < 0.85:
                call(port, "PATCH", "/api/v1/orders/%d" % rng.choice(ids), tok,
                     {"quantity": rng.randint(1, 9)})
            else:
                call(port, "DELETE", "/api/v1/orders/%d" % ids.pop(rng.randrange(len(ids))), tok)
            counts["lines"] += 1
        stop.set()

    def moves():
        fam = FAMILIES[0]
        while not stop.is_set():
            fam = FAMILIES[(FAMILIES.index(fam) + 1) % len(FAMILIES)]
            st, _, _ = call(port, "PATCH", "/api/v1/products/%d" % prod["id"], tok, {"family": fam})
            counts["moves"] += st == 200

    def imports():
        path = os.path.join(tmp, "race.csv")
        with open(path, "w") as f:
            f.write("external_id,date,account_code,sku,region,channel,quantity,amount,currency\n")
            for i in range(3000):
                f.write("imp-%d,%s,RACE-1,RACE-P,north,direct,1,1.00,CNY\n" % (i, date_of(T0 // 86400 - i % 90)))
        while not stop.is_set():
            rc, out, err = cli(kam, ["import", "orders", path, "--db", dsn, "--quiet"], now=T0)
            counts["imports"] += rc == 0

    th = [threading.Thread(target=lines), threading.Thread(target=moves)]
    if a.with_import:
        th.append(threading.Thread(target=imports))
    for x in th:
        x.start()
    for x in th:
        x.join()
    mq = db.month("o.day")
    snap = db.snapshot({
        "recomputed": "SELECT p.family AS family, %s AS month, SUM(o.quantity) AS quantity, "
                      "SUM(o.amount_base) AS amount, COUNT(*) AS lines FROM order_lines o JOIN products p "
                      "ON p.id = o.product_id GROUP BY p.family, %s" % (mq, mq),
        "dim": "SELECT family, month, SUM(quantity) AS quantity, SUM(amount) AS amount, SUM(lines) AS lines "
               "FROM sales_monthly_dim GROUP BY family, month",
    })
    want = {(r["family"], r["month"]): (int(r["quantity"]), int(r["amount"]), int(r["lines"]))
            for r in snap["recomputed"]}
    got = {(r["family"], r["month"]): (int(r["quantity"]), int(r["amount"]), int(r["lines"]))
           for r in snap["dim"] if (int(r["quantity"]), int(r["amount"]), int(r["lines"])) != (0, 0, 0)}
    diff = sorted(k for k in set(want) | set(got) if want.get(k) != got.get(k))
    srv.stop()
    print("%s: %d line writes, %d family moves, %d imports; %d (family, month) rollup cells differ "
          "from the lines" % ("SQLite" if db.sqlite else "PostgreSQL", counts["lines"], counts["moves"],
                              counts["imports"], len(diff)))
    for k in diff[:5]:
        print("  %s: sales_monthly_dim %s, order lines %s" % (k, got.get(k), want.get(k)))
    if diff:
        print("kept %s" % tmp)
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (0 if diff else 1, 1 if diff else 0))
    return 1 if diff else 0


if __name__ == "__main__":
    sys.exit(main())
