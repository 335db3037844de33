"""The planning world (targets, KPIs, measures, behaviour, series) and the suite's own model of
the decomposition, shared by t_plans.py (HTTP suite) and tests/pg/cross_engine.py.

A server with a pinned clock (KAM_NOW = NOW(Y), 16 May of the plan year Y at noon UTC) sees
three accounts with order lines imported as CSV in Y-2, Y-1 (the "last year" of plans for Y)
and Y up to the pinned day. Every expectation is computed here from LINES: month sums, the
basis weights, the largest-remainder split (ties to the lower key in the order account_id,
family, region, channel, month by byte order), the rebalancing of edits, order-day intervals,
the family mix and the baskets of the affinity.
"""

import calendar
import datetime

# (account, year offset, month, day, family, region, channel, quantity, amount in yuan)
LINES = [
    ("A1", -2, 6, 10, "FA", "N", "D", 1, 80),
    ("A1", -1, 1, 10, "FA", "N", "D", 1, 100),
    ("A1", -1, 4, 10, "FA", "N", "D", 1, 100),
    ("A1", -1, 7, 10, "FA", "N", "D", 2, 100),
    ("A1", -1, 10, 10, "FB", "N", "D", 1, 100),
    ("A1", 0, 1, 10, "FA", "N", "D", 1, 120),
    ("A1", 0, 2, 10, "FB", "N", "D", 1, 60),
    ("A1", 0, 4, 12, "FA", "N", "D", 2, 150),
    ("A1", 0, 5, 3, "FA", "N", "D", 1, 50),
    ("A2", -2, 9, 9, "FC", "N", "W", 1, 90),
    ("A2", -1, 3, 5, "FA", "N", "W", 1, 200),
    ("A2", -1, 6, 5, "FC", "N", "W", 3, 200),
    ("A2", -1, 6, 5, "FA", "N", "W", 1, 40),
    ("A2", 0, 3, 5, "FA", "N", "W", 1, 100),
    ("A2", 0, 3, 5, "FC", "N", "W", 1, 50),
    ("A2", 0, 5, 5, "FC", "N", "W", 1, 100),
    ("A3", -1, 2, 20, "FA", "S", "D", 1, 100),
    ("A3", -1, 5, 20, "FB", "S", "D", 1, 100),
    ("A3", -1, 8, 20, "FC", "S", "D", 1, 100),
    ("A3", -1, 8, 21, "FA", "S", "D", 1, 30),
    ("A3", -1, 11, 11, "FB", "S", "W", 2, 70),
    ("A3", 0, 2, 20, "FB", "S", "D", 4, 300),
    ("A3", 0, 2, 21, "FA", "S", "D", 1, 10),
]
ACCOUNTS = ("A1", "A2", "A3")
FAMS = ("FA", "FB", "FC")
REGIONS = ("N", "S")
CHANNELS = ("D", "W")
DIMS = ("account", "family", "region", "channel", "month")
SMART = "以可衡量、可实现、相关且有期限的方式提高重点客户的销量 (plan test)"
BLEND_SCALE = 10 ** 12


def NOW(year):
    return calendar.timegm((year, 5, 16, 12, 0, 0, 0, 0, 0))


def month_add(yyyymm, k):
    i = (yyyymm // 100) * 12 + yyyymm % 100 - 1 + k
    return (i // 12) * 100 + i % 12 + 1


def llround(x):
    """C llround: half away from zero."""
    import math
    return int(math.floor(x + 0.5)) if x >= 0 else -int(math.floor(-x + 0.5))


def bkey(s):
    return s.encode("utf-8")


# ---------------------------------------------------------------- the world

class World:
    def __init__(self, tag, year):
        self.tag = tag
        self.Y = year
        self.now = NOW(year)
        self.today = datetime.date(year, 5, 16)
        self.now_m = year * 100 + 5
        self.fam = {f: "%s-%s" % (f, tag) for f in FAMS}
        self.reg = {r: "%s-%s" % (r, tag) for r in REGIONS}
        self.chan = {c: "%s-%s" % (c, tag) for c in CHANNELS}
        self.code = {a: "PW%s%s" % (a, tag) for a in ACCOUNTS}
        self.name = {"A1": "计划客户一 " + tag, "A2": "Plan two " + tag, "A3": "=SUM(1+1) plan three " + tag}
        self.acc = {}  # A1 -> id
        self.sku = {f: "PWSKU-%s-%s" % (f, tag) for f in FAMS}
        self.wallet = {}  # account key -> {year: amount in cents}

    # -- the lines, resolved
    def lines(self):
        out = []
        for a, dy, m, d, f, r, c, q, amt in LINES:
            out.append({"acc": a, "aid": self.acc.get(a, 0), "date": datetime.date(self.Y + dy, m, d),
                        "month": (self.Y + dy) * 100 + m, "fam": self.fam[f], "reg": self.reg[r],
                        "ch": self.chan[c], "qty": q * 1000, "amount": amt * 100})
        return out

    def csv(self):
        rows = ["external_id,date,account_code,sku,region,channel,quantity,amount,currency"]
        for i, (a, dy, m, d, f, r, c, q, amt) in enumerate(LINES):
            rows.append("PWL-%s-%03d,%04d-%02d-%02d,%s,%s,%s,%s,%d,%d.00,CNY"
                        % (self.tag, i, self.Y + dy, m, d, self.code[a], self.sku[f], self.reg[r], self.chan[c],
                           q, amt))
        return "\n".join(rows) + "\n"

    def build(self, client, must, owners=None):
        """Products, accounts, the order lines (one CSV import), one wallet estimate."""
        owners = owners or {}
        for f in FAMS:
            must(client.post("/api/v1/products", {"sku": self.sku[f], "name": "计划产品 " + self.sku[f],
                                                  "family": self.fam[f]}), 201, "create product " + f)
        for a in ACCOUNTS:
            body = {"code": self.code[a], "name": self.name[a]}
            if owners.get(a):
                body["owner_id"] = owners[a]
            self.acc[a] = must(client.post("/api/v1/accounts", body), 201, "create account " + a)["id"]
        r = client.csv("orders", self.csv())
        j = must(r, 201, "import the plan world's order lines")
        if j.get("rows_inserted") != len(LINES):
            raise RuntimeError("import inserted %r of %d lines" % (j.get("rows_inserted"), len(LINES)))
        self.set_wallet(client, must, "A1", self.Y, 200000)

    def set_wallet(self, client, must, a, year, amount):
        must(client.put("/api/v1/accounts/%d/wallet/%d" % (self.acc[a], year), {"amount": amount}), 200,
             "wallet estimate %s %d" % (a, year))
        self.wallet.setdefault(a, {})[year] = amount

    # -- sums
    def month_total(self, pred=None, quantity=False, months=None):
        s = 0
        for ln in self.lines():
            if months and not (months[0] <= ln["month"] <= months[1]):
                continue
            if pred and not pred(ln):
                continue
            s += ln["qty"] if quantity else ln["amount"]
        return s

    # -- the decomposition model
    def basis_window(self, year):
        last_complete = self.Y * 12 + 5 - 1 - 1  # month index (0-based months) of April of Y
        end = min(year * 12 - 1, last_complete)
        start = end - 11
        return (start // 12) * 100 + start % 12 + 1, (end // 12) * 100 + end % 12 + 1

    def rollup(self, quantity=False):
        """sales_monthly: (aid, month, fam, reg, ch) -> value."""
        out = {}
        for ln in self.lines():
            k = (ln["aid"], ln["month"], ln["fam"], ln["reg"], ln["ch"])
            out[k] = out.get(k, 0) + (ln["qty"] if quantity else ln["amount"])
        return out

    def leaf_key(self, dims, aid, fam, reg, ch, month):
        return (aid if "account" in dims else 0, fam if "family" in dims else "",
                reg if "region" in dims else "", ch if "channel" in dims else "",
                month % 100 if "month" in dims else 0)

    def leaves(self, plan):
        """leaf key -> {basis: weight} (forecast: None, not modelled), in the server's leaf order."""
        dims = plan["dims"].split(",")
        q = plan.get("measure") == "quantity"
        lo, hi = self.basis_window(plan["year"])
        sr, sc, sf = plan.get("scope_region", ""), plan.get("scope_channel", ""), plan.get("scope_family", "")
        ru = self.rollup(q)
        amounts = self.rollup(False)
        lyv = {}
        for (aid, m, f, r, c), v in amounts.items():
            if lo <= m <= hi:
                lyv[aid] = lyv.get(aid, 0) + v
        pot = {}
        for a, aid in self.acc.items():
            ys = [y for y in self.wallet.get(a, {}) if y <= plan["year"]]
            if ys and lyv.get(aid, 0) > 0:
                pot[aid] = self.wallet[a][max(ys)] / lyv[aid]
        out = {}
        for (aid, m, f, r, c), v in sorted(ru.items()):
            if not lo <= m <= hi or (sr and r != sr) or (sc and c != sc) or (sf and f != sf):
                continue
            k = self.leaf_key(dims, aid, f, r, c, m)
            w = out.setdefault(k, {"last_year": 0, "potential": 0, "equal": 0})
            if v <= 0:
                continue
            w["last_year"] += v
            w["potential"] += llround(v * pot.get(aid, 1.0))
            w["equal"] = 1
        return dict(sorted(out.items(), key=lambda kv: order_key(kv[0])))

    def expected_cells(self, plan):
        """leaf key -> value after decomposing (None when the basis is not modelled)."""
        lv = self.leaves(plan)
        keys = list(lv)
        basis = plan.get("basis", "last_year")
        if basis == "forecast":
            return None
        if basis == "blend":
            pct = {}
            for part in plan["blend"].split(","):
                b, p = part.split(":")
                pct[b] = pct.get(b, 0) + int(p)
            if pct.get("forecast"):
                return None
            w = blend([[lv[k][b] for k in keys] for b in ("last_year", "potential", "equal") if pct.get(b)],
                      [pct[b] for b in ("last_year", "potential", "equal") if pct.get(b)])
        else:
            w = [lv[k][basis] for k in keys]
        vals = split(plan["total"], w)
        return dict(zip(keys, vals))


def order_key(k):
    return (k[0], bkey(k[1]), bkey(k[2]), bkey(k[3]), k[4])


def split(total, w, locked=None, fixed=None):
    """alloc_split: largest remainder, ties to the lower index; None when infeasible."""
    n = len(w)
    locked = locked or [False] * n
    fixed_sum = sum(fixed[i] for i in range(n) if locked[i])
    if fixed_sum > total:
        return None
    rest = total - fixed_sum
    free = [i for i in range(n) if not locked[i]]
    if not free and rest:
        return None
    out = [fixed[i] if locked[i] else 0 for i in range(n)]
    W = sum(w[i] for i in free)
    if W == 0:
        base, extra = (rest // len(free), rest % len(free)) if free else (0, 0)
        for i in free:
            out[i] = base + (1 if extra > 0 else 0)
            extra -= 1 if extra > 0 else 0
        return out
    rem = {}
    for i in free:
        out[i] = rest * w[i] // W
        rem[i] = rest * w[i] - out[i] * W
    left = rest - sum(out[i] for i in free)
    for i in sorted(free, key=lambda i: (-rem[i], i))[:left]:
        out[i] += 1
    return out


def blend(rows, pcts):
    n = len(rows[0]) if rows else 0
    out = [0] * n
    active = sum(p for r, p in zip(rows, pcts) if sum(r) > 0)
    if not active:
        return out
    for r, p in zip(rows, pcts):
        s = sum(r)
        if not s or not p:
            continue
        for i in range(n):
            out[i] += (r[i] * BLEND_SCALE // s) * p
    if active != 100:
        out = [v * 100 // active for v in out]
    return out


def apply_edit(cells, sel, total, value=None, lock=None):
    """The server's PUT cells on a model {key: [value, locked]}: False when it must refuse (409)."""
    keys = sorted(cells, key=order_key)

    def match(k):
        return all(sel.get(d) is None or k[i] == sel[d]
                   for i, d in enumerate(("account_id", "family", "region", "channel", "month")))
    inn = [k for k in keys if match(k)]
    rest = [k for k in keys if not match(k)]
    if not inn:
        return False
    before = sum(cells[k][0] for k in inn)
    new = {k: list(v) for k, v in cells.items()}
    if value is not None and value != before:
        for part, tot in ((inn, value), (rest, total - value)):
            got = split(tot, [new[k][0] for k in part], [bool(new[k][1]) for k in part],
                        [new[k][0] for k in part])
            if got is None:
                return False
            for k, v in zip(part, got):
                new[k][0] = v
    if lock is not None:
        for k in inn:
            new[k][1] = 1 if lock else 0
    cells.clear()
    cells.update(new)
    return True


# ---------------------------------------------------------------- reading a plan's cells

def known_values(world):
    return {"account": sorted(world.acc.values()), "family": sorted(world.fam.values()),
            "region": sorted(world.reg.values()), "channel": sorted(world.chan.values()),
            "month": list(range(1, 13))}


def read_cells(client, pid, dims, world, extra_filter=None):
    """Every leaf cell of a plan through GET .../grid: {key: (value, locked)}, or an error string.

    rows = the first dim, cols = the second, the others iterated as filters over the values the
    world knows; one request per filter combination."""
    dims = [d for d in DIMS if d in dims]
    kv = known_values(world)
    rows = dims[0] if dims else "none"
    cols = dims[1] if len(dims) > 1 else "none"
    others = dims[2:]
    combos = [{}]
    for d in others:
        combos = [dict(c, **{d: v}) for c in combos for v in kv[d]]
    out = {}
    qname = {"account": "account_id"}
    for combo in combos:
        q = {"rows": rows, "cols": cols}
        for d, v in combo.items():
            q[qname.get(d, d)] = str(v)
        if extra_filter:
            q.update(extra_filter)
        r = client.get("/api/v1/targets/%d/grid" % pid, q)
        if r.status != 200 or not isinstance(r.json, dict):
            return "grid %s: %s" % (q, r.describe())
        for row in r.json.get("rows", []):
            for cell in row.get("cells", []):
                parts = dict(combo)
                if rows != "none":
                    parts[rows] = row["key"]
                if cols != "none":
                    parts[cols] = cell["col"]
                k = (int(parts.get("account", 0)), parts.get("family", ""), parts.get("region", ""),
                     parts.get("channel", ""), int(parts.get("month", 0)))
                if cell["locked"] == "some":
                    return "a leaf cell reads locked=some: %s" % (k,)
                out[k] = (cell["value"], 1 if cell["locked"] == "all" else 0)
    return out



def compare_cells(got, model):
    """Problems between cells read by read_cells (which also lists empty row x col combinations
    as 0) and the model {key: value or [value, locked]}."""
    probs = []
    for k, v in model.items():
        want = tuple(v) if isinstance(v, (list, tuple)) else None
        g = got.get(k)
        if g is None:
            probs.append("%s missing" % (k,))
        elif want is not None and g != want:
            probs.append("%s: got %s, want %s" % (k, g, want))
        elif want is None and g[0] != v:
            probs.append("%s: got %s, want %s" % (k, g[0], v))
    for k, g in got.items():
        if k not in model and g != (0, 0):
            probs.append("%s: not a leaf of the model, got %s" % (k, g))
    return probs
