#!/usr/bin/env python3
"""check_kda.py -- an independent check of KAM's key-driver analysis (src/analytics/kda.c).

Generates seeded random survey data sets (integer ratings with a halo, CSAT and NPS overall
scores, continuous data, missing answers, duplicated and linearly dependent attributes, the
smallest accepted n, pure noise), runs them through tests/kda/kda_cli (the C code) and compares
with a computation that shares nothing with it:

- R^2 of every subset by least squares on the centred data themselves (modified Gram-Schmidt
  with re-orthogonalisation over the n-vectors), not through the correlation matrix;
- the LMG importance of each attribute as the brute-force average, over ALL k! orderings of the
  attributes (k <= 7), of the R^2 it adds when it enters -- no Shapley weights;
- the bootstrap: the same resamples drawn with splitmix64 (as kda.h documents), each analysed
  by the brute force above, and the percentile intervals by R's type-7 quantile;
- listwise deletion, the means (performance), the quadrants from kda.h's definition, and the
  refusals (constant rating or overall score, too few complete responses, too many attributes).

Plain Python (numpy is not installed). Prints "ok NAME" per check and "N passed, N failed" last.

  python3 tests/kda/check_kda.py --cli build/kda_cli [--seed S] [--sets N]
"""
import argparse
import itertools
import json
import math
import random
import subprocess
import sys

TOL = 1e-9
MAX_DEV = [0.0]  # the largest |KAM - brute force| of an importance or a share (as a fraction)
COLLINEAR_TOL = 1e-9  # kda.h: KDA_COLLINEAR_TOL
M64 = (1 << 64) - 1
DEFAULT_SEED = 0x4B414D4B4441  # kda.h: KDA_DEFAULT_SEED


# ---- the independent computation ----


def centred(col):
    """A column centred on its mean; a column of one repeated value is all zero (kda.h: a
    constant attribute cannot enter a regression)."""
    if all(v == col[0] for v in col):
        return [0.0] * len(col)
    m = math.fsum(col) / len(col)
    return [v - m for v in col]


def dot(a, b):
    return math.fsum(x * y for x, y in zip(a, b))


def r2_subsets(cols, y):
    """R^2 of the least-squares fit (with intercept) of y on every subset of cols, keyed by
    frozenset of column indices: Gram-Schmidt on the centred columns in index order, leaving out
    a column whose residual is below COLLINEAR_TOL of its own sum of squares."""
    k = len(cols)
    xc = [centred(c) for c in cols]
    yc = centred(y)
    syy = dot(yc, yc)
    out = {}
    for mask in range(1 << k):
        s = frozenset(j for j in range(k) if mask >> j & 1)
        if syy == 0:
            out[s] = 0.0
            continue
        basis = []
        for j in sorted(s):
            v = list(xc[j])
            ss = dot(v, v)
            if ss == 0:
                continue
            for _ in range(2):  # twice is enough (Giraud et al. 2005)
                for q in basis:
                    c = dot(q, v)
                    v = [a - c * b for a, b in zip(v, q)]
            rr = dot(v, v)
            if rr <= COLLINEAR_TOL * ss:
                continue
            nv = math.sqrt(rr)
            basis.append([a / nv for a in v])
        out[s] = math.fsum(dot(q, yc) ** 2 for q in basis) / syy
    return out


def lmg_bruteforce(cols, y):
    """Importance of each attribute: the mean over all k! orderings of the R^2 it adds."""
    k = len(cols)
    r2 = r2_subsets(cols, y)
    tot = [0.0] * k
    count = 0
    for order in itertools.permutations(range(k)):
        have = frozenset()
        for j in order:
            nxt = have | {j}
            tot[j] += r2[nxt] - r2[have]
            have = nxt
        count += 1
    return [t / count for t in tot], r2[frozenset(range(k))]


def listwise(y, x):
    rows = [(yi, xi) for yi, xi in zip(y, x) if yi is not None and all(v is not None for v in xi)]
    return [r[0] for r in rows], [list(r[1]) for r in rows]


def splitmix64(state):
    state = (state + 0x9E3779B97F4A7C15) & M64
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return state, z ^ (z >> 31)


def quantile7(v, p):
    v = sorted(v)
    h = (len(v) - 1) * p
    f = math.floor(h)
    if f >= len(v) - 1:
        return v[-1]
    return v[f] + (h - f) * (v[f + 1] - v[f])


def median(v):
    v = sorted(v)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


# ---- data ----


def clamp(v, lo, hi):
    return lo if v < lo else hi if v > hi else v


def gen(rnd, kind, k, n):
    """(overall, ratings) with None for a missing answer."""
    beta = [rnd.uniform(0, 1.5) for _ in range(k)]
    if rnd.random() < 0.3:
        beta[rnd.randrange(k)] = 0.0  # a driver that does not drive
    y, x = [], []
    for _ in range(n):
        halo = rnd.gauss(0, 0.8)
        if kind == "gauss":
            row = [halo + rnd.gauss(0, 1) for _ in range(k)]
            o = sum(b * v for b, v in zip(beta, row)) + rnd.gauss(0, 1)
        else:
            row = [clamp(round(3 + halo + rnd.gauss(0, 1)), 1, 5) for _ in range(k)]
            t = sum(b * (v - 3) for b, v in zip(beta, row))
            if kind == "csat":
                o = clamp(round(3.5 + 0.5 * t + rnd.gauss(0, 0.7)), 1, 5)
            elif kind == "noise":
                o = rnd.randint(0, 10)
            else:
                o = clamp(round(7 + t + rnd.gauss(0, 1.5)), 0, 10)
        if kind == "dup" and k >= 2:
            row[k - 1] = row[0]
        if kind == "lincomb" and k >= 3:
            row[2] = row[0] + row[1]
        if kind == "affine" and k >= 2:
            row[1] = 10 * row[1] - 7.5
        y.append(o)
        x.append(row)
    if kind == "missing":
        for i in range(n):
            for j in range(k):
                if rnd.random() < 0.06:
                    x[i][j] = None
            if rnd.random() < 0.03:
                y[i] = None
    return y, x


def to_csv(y, x, header=False):
    def f(v):
        if v is None:
            return "" if random.random() < 0.5 else "NA"
        if isinstance(v, float) and not v.is_integer():
            return repr(v)
        return str(int(v)) if float(v).is_integer() else repr(v)

    lines = []
    if header:
        lines.append(",".join(["overall"] + ["attr%d" % (j + 1) for j in range(len(x[0]))]))
    for yi, xi in zip(y, x):
        lines.append(",".join([f(yi)] + [f(v) for v in xi]))
    return "\n".join(lines) + "\n"


# ---- running KAM ----


def run_cli(cli, csv, boot=0, seed=None, level=None):
    args = [cli, "--boot", str(boot)]
    if seed is not None:
        args += ["--seed", str(seed)]
    if level is not None:
        args += ["--level", repr(level)]
    p = subprocess.run(args, input=csv, capture_output=True, text=True, timeout=120)
    if p.returncode not in (0, 2):
        raise RuntimeError("kda_cli exit %d: %s" % (p.returncode, p.stderr.strip()))
    return p.returncode, json.loads(p.stdout)


class Checker:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, problems):
        if problems:
            self.failed += 1
            print("FAIL %s" % name)
            for p in problems[:8]:
                print("   %s" % p)
        else:
            self.passed += 1
            print("ok %s" % name)


def near(a, b, tol=TOL):
    return abs(a - b) <= tol


def compare_point(out, y, x):
    """Problems of KAM's point estimates against the brute force; [] if none."""
    prob = []
    yu, xu = listwise(y, x)
    k = len(x[0])
    if out["n_used"] != len(yu):
        prob.append("n_used %d, expected %d" % (out["n_used"], len(yu)))
        return prob
    cols = [[r[j] for r in xu] for j in range(k)]
    imp, r2 = lmg_bruteforce(cols, yu)
    if not near(out["r2"], r2):
        prob.append("r2 %.17g, expected %.17g" % (out["r2"], r2))
    attrs = out["attributes"]
    for j in range(k):
        a = attrs[j]
        MAX_DEV[0] = max(MAX_DEV[0], abs(a["importance"] - imp[j]),
                         abs(a["share"] / 100 - (imp[j] / r2 if r2 > 0 else 0.0)))
        if not near(a["importance"], imp[j]):
            prob.append("importance[%d] %.17g, expected %.17g" % (j, a["importance"], imp[j]))
        share = imp[j] / r2 if r2 > 0 else 0.0
        if not near(a["share"] / 100, share):
            prob.append("share[%d] %.17g %%, expected %.17g %%" % (j, a["share"], 100 * share))
        perf = math.fsum(cols[j]) / len(cols[j])
        if not near(a["performance"], perf, 1e-12):
            prob.append("performance[%d] %.17g, expected %.17g" % (j, a["performance"], perf))
    # the efficiency of the Shapley value: importances add up to R^2
    if not near(math.fsum(a["importance"] for a in attrs), out["r2"], 1e-12):
        prob.append("importances do not sum to r2")
    # quadrants by kda.h's definition, on KAM's own importances (so this checks the rule, not
    # the rounding of near-ties)
    mi = median([a["importance"] for a in attrs])
    mp = median([a["performance"] for a in attrs])
    if not (near(out["med_importance"], mi, 0) and near(out["med_performance"], mp, 1e-12)):
        prob.append("medians %r %r, expected %r %r" % (out["med_importance"],
                                                        out["med_performance"], mi, mp))
    for j, a in enumerate(attrs):
        imp_hi = a["importance"] > mi
        weak = a["performance"] < out["med_performance"]
        q = ("fix_first" if weak else "keep_up") if imp_hi else ("low_priority" if weak else "maintain")
        if a["quadrant"] != q:
            prob.append("quadrant[%d] %s, expected %s" % (j, a["quadrant"], q))
    return prob


def compare_boot(out, y, x, boot, seed, level):
    prob = []
    yu, xu = listwise(y, x)
    k, n = len(x[0]), len(yu)
    state = seed
    imps = [[] for _ in range(k)]
    shares = [[] for _ in range(k)]
    r2s = []
    degenerate = 0
    for _ in range(boot):
        idx = []
        for _ in range(n):
            state, u = splitmix64(state)
            idx.append((u * n) >> 64)
        by = [yu[i] for i in idx]
        cols = [[xu[i][j] for i in idx] for j in range(k)]
        if any(all(v == c[0] for v in c) for c in cols + [by]):
            degenerate += 1
        imp, r2 = lmg_bruteforce(cols, by)
        r2s.append(r2)
        for j in range(k):
            imps[j].append(imp[j])
            shares[j].append(100 * imp[j] / r2 if r2 > 0 else 0.0)
    if out["boot_degenerate"] != degenerate:
        prob.append("boot_degenerate %d, expected %d" % (out["boot_degenerate"], degenerate))
    plo, phi = (1 - level) / 2, (1 + level) / 2
    for name, lo, hi in [("r2", quantile7(r2s, plo), quantile7(r2s, phi))]:
        if not (near(out[name + "_lo"], lo) and near(out[name + "_hi"], hi)):
            prob.append("%s interval [%r, %r], expected [%r, %r]" % (name, out[name + "_lo"],
                                                                     out[name + "_hi"], lo, hi))
    for j, a in enumerate(out["attributes"]):
        for key, vals, scale in (("imp", imps[j], 1), ("share", shares[j], 100)):
            lo, hi = quantile7(vals, plo), quantile7(vals, phi)
            if not (near(a[key + "_lo"] / scale, lo / scale) and near(a[key + "_hi"] / scale, hi / scale)):
                prob.append("%s[%d] interval [%r, %r], expected [%r, %r]" % (key, j, a[key + "_lo"],
                                                                             a[key + "_hi"], lo, hi))
    return prob


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True, help="the kda_cli test tool (make BUILD/kda_cli)")
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--sets", type=int, default=36, help="random data sets for the point check")
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    random.seed(a.seed)
    ck = Checker()

    # 1. point estimates against the brute force over all orderings
    kinds = ["survey", "csat", "gauss", "missing", "dup", "lincomb", "affine", "noise", "tiny"]
    for s in range(a.sets):
        kind = kinds[s % len(kinds)]
        k = 1 + s % 6 if kind != "lincomb" else 3 + s % 4
        n = k + 2 if kind == "tiny" else rnd.randint(30, 400)
        y, x = gen(rnd, "survey" if kind == "tiny" else kind, k, n)
        try:
            rc, out = run_cli(a.cli, to_csv(y, x, header=s % 2 == 0))
        except RuntimeError as e:
            ck.check("point %s k=%d n=%d" % (kind, k, n), [str(e)])
            continue
        if rc != 0:
            # a tiny or missing-heavy set may leave a constant column: KAM must refuse exactly then
            yu, xu = listwise(y, x)
            const = [j for j in range(k) if all(r[j] == xu[0][j] for r in xu)] if xu else []
            ok = out["error"]["key"] in ("kda.constant_rating", "kda.constant_overall") and (
                const or all(v == yu[0] for v in yu))
            ok = ok or (out["error"]["key"] == "kda.too_few_responses" and len(yu) < k + 2)
            ck.check("point %s k=%d n=%d (refused: %s)" % (kind, k, n, out["error"]["key"]),
                     [] if ok else ["unexpected refusal %r" % out["error"]])
            continue
        ck.check("point %s k=%d n=%d r2=%.3f" % (kind, k, n, out["r2"]), compare_point(out, y, x))
    # k = 7: 5040 orderings
    y, x = gen(rnd, "survey", 7, 150)
    rc, out = run_cli(a.cli, to_csv(y, x))
    ck.check("point survey k=7 n=150", compare_point(out, y, x) if rc == 0 else ["refused"])

    # 2. the bootstrap: the same resamples, each by brute force, the same percentile intervals
    for s, (kind, k, n, boot, level) in enumerate([("survey", 3, 60, 40, 0.95),
                                                   ("missing", 4, 80, 25, 0.9),
                                                   ("csat", 2, 12, 60, 0.8),
                                                   ("dup", 3, 50, 30, 0.95)]):
        y, x = gen(rnd, kind, k, n)
        seed = DEFAULT_SEED if s == 0 else rnd.getrandbits(64)
        rc, out = run_cli(a.cli, to_csv(y, x), boot=boot, seed=None if s == 0 else seed, level=level)
        if rc != 0:
            ck.check("bootstrap %s k=%d n=%d" % (kind, k, n), ["refused: %r" % out["error"]])
            continue
        prob = compare_point(out, y, x) + compare_boot(out, y, x, boot, seed, level)
        ck.check("bootstrap %s k=%d n=%d B=%d (%d degenerate)" % (kind, k, n, boot,
                                                                 out["boot_degenerate"]), prob)

    # a sample so small that some resamples repeat one rating value: counted, kept, and the
    # constant attribute gets 0 there
    y = [2, 3, 5, 4, 9, 7]
    x = [[1, 1], [2, 1], [1, 3], [1, 2], [5, 4], [1, 5]]
    rc, out = run_cli(a.cli, to_csv(y, x), boot=200)
    prob = ["refused: %r" % out.get("error")] if rc != 0 else (
        compare_point(out, y, x) + compare_boot(out, y, x, 200, DEFAULT_SEED, 0.95))
    if rc == 0 and out["boot_degenerate"] == 0:
        prob.append("expected degenerate resamples")
    ck.check("bootstrap degenerate resamples k=2 n=6 B=200 (%s degenerate)"
             % (out.get("boot_degenerate")), prob)

    # 3. refusals
    y, x = gen(rnd, "survey", 3, 40)
    for r in x:
        r[1] = 4
    rc, out = run_cli(a.cli, to_csv(y, x))
    ck.check("refuse constant rating", [] if rc == 2 and out["error"]["key"] == "kda.constant_rating"
             and out["error"]["bad_column"] == 1 else ["got %r" % out])
    y2 = [7] * 40
    y, x = gen(rnd, "survey", 3, 40)
    rc, out = run_cli(a.cli, to_csv(y2, x))
    ck.check("refuse constant overall", [] if rc == 2 and out["error"]["field"] == "overall"
             and out["error"]["bad_column"] == -1 else ["got %r" % out])
    y, x = gen(rnd, "survey", 4, 8)
    x[0][0] = None
    x[5][3] = None
    x[6][2] = None
    rc, out = run_cli(a.cli, to_csv(y, x))
    ck.check("refuse too few complete responses", [] if rc == 2 and out["error"]["key"] ==
             "kda.too_few_responses" and out["error"]["n_used"] == 5 else ["got %r" % out])
    y, x = gen(rnd, "survey", 13, 40)
    rc, out = run_cli(a.cli, to_csv(y, x))
    ck.check("refuse 13 attributes", [] if rc == 2 and out["error"]["field"] == "attributes"
             else ["got %r" % out])

    print("largest |KAM - brute force| of an importance or share: %.3g (tolerance %g)"
          % (MAX_DEV[0], TOL))
    print("%d passed, %d failed" % (ck.passed, ck.failed))
    return 1 if ck.failed else 0


if __name__ == "__main__":
    sys.exit(main())
