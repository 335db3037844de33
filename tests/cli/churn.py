#!/usr/bin/env python3
"""churn.py -- `kam churn` end to end (no server, no database):

- train + score on synthetic files whose answer is known: a column that determines the target
  gives an AUC near 1 on fresh rows, pure noise near 0.5; score writes id,probability for every
  row (the id rule: a column named id, or ending in ID/_id, else the first), unseen categories
  and blanks scored without an error; training twice gives the same model bytes;
- explain: per row the contributions, the intercept and the rest sum to the printed logit;
- cv prints one AUC per fold and their mean;
- refusals: exit 2 on usage errors, 1 for a missing file, a blank target (naming its line), a
  target with three values, a ragged row, a damaged or foreign model, a file missing a model
  column, an output that cannot be written; nothing half-written.

Usage: python3 tests/cli/churn.py --kam build/kam     (last line: "N passed, N failed")
"""
import argparse
import math
import os
import random
import re
import subprocess
import sys
import tempfile


class Checks:
    def __init__(self):
        self.passed = self.failed = 0

    def ok(self, cond, what, detail=""):
        if cond:
            self.passed += 1
            print("ok   " + what)
        else:
            self.failed += 1
            print("FAIL " + what + (": " + str(detail)[:400] if detail else ""))


def auc(scores, labels):
    """Mann-Whitney AUC, ties half (independent of kam's)."""
    pos = [s for s, y in zip(scores, labels) if y]
    neg = [s for s, y in zip(scores, labels) if not y]
    wins = 0.0
    for p in pos:
        for q in neg:
            wins += 1.0 if p > q else 0.5 if p == q else 0.0
    return wins / (len(pos) * len(neg))


def synth(rng, n, start, signal):
    """Rows: customerID, plan (categorical), usage (numeric, some blanks), noise, Churn."""
    rows = []
    for i in range(n):
        usage = rng.uniform(0, 100)
        plan = rng.choice(["basic", "plus", "pro"])
        noise = rng.gauss(0, 1)
        if signal:
            y = usage < 40  # determined by usage
        else:
            y = rng.random() < 0.3
        rows.append(["C%05d" % (start + i), plan, "" if i % 13 == 7 else "%.3f" % usage,
                     "%.4f" % noise, "Yes" if y else "No"])
    return rows


def write_csv(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(",".join(header) + "\r\n")
        for r in rows:
            f.write(",".join(r) + "\r\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kam", default="build/kam")
    a = ap.parse_args()
    kam = os.path.abspath(a.kam)
    ck = Checks()
    tmp = tempfile.mkdtemp(prefix="kam-churn-")
    rng = random.Random(5)
    H = ["customerID", "plan", "usage", "noise", "Churn"]

    def run(args):
        p = subprocess.run([kam, "churn"] + args, capture_output=True, text=True,
                           errors="replace", timeout=300)
        return p.returncode, p.stdout, p.stderr

    def path(n):
        return os.path.join(tmp, n)

    def read_scores(p):
        with open(p, encoding="utf-8") as f:
            lines = f.read().splitlines()
        return lines[0], {l.split(",")[0]: float(l.split(",")[1]) for l in lines[1:]}

    # ---- a column that determines the target ----
    train = synth(rng, 600, 0, True)
    test = synth(rng, 300, 10000, True)
    write_csv(path("sig_train.csv"), H, train)
    write_csv(path("sig_test.csv"), H, test)
    rc, out, err = run(["train", "--input", path("sig_train.csv"), "--target", "Churn",
                        "--output", path("sig.model")])
    ck.ok(rc == 0 and os.path.exists(path("sig.model")), "train on a file with a signal", err)
    ck.ok("Churn = \"Yes\"" in err, "the positive class is named", err)
    with open(path("sig.model"), encoding="utf-8") as f:
        model_text = f.read()
    ck.ok(model_text.startswith("KAMCHURN 1\n") and "positive Yes" in model_text,
          "the model file is versioned text naming the positive class")
    rc2, _, _ = run(["train", "--input", path("sig_train.csv"), "--target", "Churn",
                     "--output", path("sig2.model")])
    with open(path("sig2.model"), encoding="utf-8") as f:
        ck.ok(rc2 == 0 and f.read() == model_text, "training is deterministic (same bytes)")
    rc, out, err = run(["score", "--model", path("sig.model"), "--input", path("sig_test.csv"),
                        "--output", path("sig_scores.csv")])
    ck.ok(rc == 0, "score", err)
    head, sc = read_scores(path("sig_scores.csv"))
    ck.ok(head == "id,probability", "the score file's header is id,probability", head)
    ck.ok(len(sc) == 300 and all(r[0] in sc for r in test), "one score per row, by customerID")
    ck.ok(all(0 <= v <= 1 for v in sc.values()), "probabilities in 0..1")
    a_sig = auc([sc[r[0]] for r in test], [r[4] == "Yes" for r in test])
    ck.ok(a_sig > 0.97, "a determining column: AUC near 1 on fresh rows (%.3f)" % a_sig)

    # ---- noise ----
    write_csv(path("noise_train.csv"), H, synth(rng, 600, 0, False))
    noise_test = synth(rng, 600, 20000, False)
    write_csv(path("noise_test.csv"), H, noise_test)
    rc, _, err = run(["train", "--input", path("noise_train.csv"), "--target", "Churn",
                      "--output", path("noise.model")])
    rc2, _, err2 = run(["score", "--model", path("noise.model"), "--input",
                        path("noise_test.csv"), "--output", path("noise_scores.csv")])
    ck.ok(rc == 0 and rc2 == 0, "train and score on noise", err + err2)
    _, sc = read_scores(path("noise_scores.csv"))
    a_noise = auc([sc[r[0]] for r in noise_test], [r[4] == "Yes" for r in noise_test])
    ck.ok(0.4 < a_noise < 0.6, "noise: AUC near 0.5 (%.3f)" % a_noise)

    # ---- unseen categories, blanks, columns in another order, no target, id rule ----
    with open(path("odd.csv"), "w", encoding="utf-8") as f:
        f.write("noise,usage,plan,account_id\n0.1,10,enterprise,X1\n,,,X2\n"
                "1,\"5\",\"plus\",\"X,3\"\n")
    rc, _, err = run(["score", "--model", path("sig.model"), "--input", path("odd.csv"),
                      "--output", path("odd_scores.csv")])
    ck.ok(rc == 0, "unseen category, blanks, reordered columns, no target: scored", err)
    with open(path("odd_scores.csv"), encoding="utf-8") as f:
        lines = f.read().splitlines()
    ck.ok(lines[1:] and lines[1].startswith("X1,") and lines[3].startswith('"X,3",'),
          "the id column ending in _id is used (quoted when needed)", lines)
    with open(path("noid.csv"), "w", encoding="utf-8") as f:
        f.write("name,plan,usage,noise\nfirst,basic,1,0\n")
    rc, _, err = run(["score", "--model", path("sig.model"), "--input", path("noid.csv"),
                      "--output", path("noid_scores.csv")])
    with open(path("noid_scores.csv"), encoding="utf-8") as f:
        ck.ok(rc == 0 and f.read().splitlines()[1].startswith("first,"),
              "without an id-like column, the first column is the id")

    rc, out, err = run(["score", "--model", path("sig.model"), "--input", path("noid.csv"),
                        "--output", "-"])
    ck.ok(rc == 0 and out.splitlines()[:1] == ["id,probability"] and len(out.splitlines()) == 2,
          "score --output - writes to standard output", err)

    # ---- explain ----
    rc, out, err = run(["explain", "--model", path("sig.model"), "--input",
                        path("sig_test.csv"), "--top", "2"])
    ck.ok(rc == 0, "explain", err)
    blocks = re.findall(r"^(\S+) probability ([\d.]+) logit ([-+][\d.]+) = intercept "
                        r"([-+][\d.]+)\n((?:  .*\n)+)", out, re.M)
    good = len(blocks) == 300
    for _, p, logit, icpt, body in blocks:
        parts = [float(l.split()[0]) for l in body.splitlines()]
        if abs(float(icpt) + sum(parts) - float(logit)) > 1e-3 * (len(parts) + 2):
            good = False
        if abs(1 / (1 + math.exp(-float(logit))) - float(p)) > 1e-3:
            good = False
    ck.ok(good, "explain: intercept + contributions = logit, sigmoid(logit) = probability",
          out[:400])
    ck.ok(" usage = " in out, "explain names the deciding column and its value")

    # ---- cv ----
    rc, out, err = run(["cv", "--input", path("sig_train.csv"), "--target", "Churn",
                        "--folds", "3", "--gbm", "0"])
    m = re.search(r"auc mean ([\d.]+) sd ([\d.]+) folds 3", out)
    ck.ok(rc == 0 and len(re.findall(r"fold \d auc", out)) == 3 and m and
          float(m.group(1)) > 0.95, "cv: three folds and their mean", out + err)

    # ---- refusals ----
    def refused(args, code, needle, what):
        rc, out, err = run(args)
        ck.ok(rc == code and needle in err, what, "rc %d: %s" % (rc, err))

    refused([], 2, "subcommand", "no subcommand: exit 2")
    refused(["fit"], 2, "subcommand", "an unknown subcommand: exit 2")
    refused(["train", "--input", path("sig_train.csv"), "--output", path("x.model")], 2,
            "--target", "train without --target: exit 2")
    refused(["score", "--input", path("sig_test.csv"), "--output", path("x.csv")], 2, "--model",
            "score without --model: exit 2")
    refused(["cv", "--input", path("sig_train.csv"), "--target", "Churn", "--folds", "1"], 2,
            "--folds", "--folds 1: exit 2")
    refused(["train", "--input", path("nope.csv"), "--target", "Churn", "--output",
             path("x.model")], 1, "cannot read", "a missing input: exit 1")
    rows = synth(rng, 50, 0, True)
    rows[20][4] = ""
    write_csv(path("blank.csv"), H, rows)
    refused(["train", "--input", path("blank.csv"), "--target", "Churn", "--output",
             path("x.model")], 1, "line 22", "a blank target: exit 1 naming the line")
    rows[20][4] = "Maybe"
    write_csv(path("three.csv"), H, rows)
    refused(["train", "--input", path("three.csv"), "--target", "Churn", "--output",
             path("x.model")], 1, "third value", "a target with three values: exit 1")
    refused(["train", "--input", path("sig_train.csv"), "--target", "churn", "--output",
             path("x.model")], 1, "no column named", "an unknown target column: exit 1")
    with open(path("ragged.csv"), "w", encoding="utf-8") as f:
        f.write("id,a,y\n1,2,Yes\n2,3\n")
    refused(["train", "--input", path("ragged.csv"), "--target", "y", "--output",
             path("x.model")], 1, "line 3", "a ragged row: exit 1 naming the line")
    with open(path("latin1.csv"), "wb") as f:
        f.write(b"id,a,y\n1,caf\xe9,Yes\n")
    refused(["train", "--input", path("latin1.csv"), "--target", "y", "--output",
             path("x.model")], 1, "latin1.csv:2: not UTF-8", "not UTF-8: exit 1 with file:line")
    with open(path("bad.model"), "w", encoding="utf-8") as f:
        f.write(model_text[: len(model_text) // 2])
    refused(["score", "--model", path("bad.model"), "--input", path("sig_test.csv"), "--output",
             path("x.csv")], 1, "model line", "a truncated model: exit 1")
    refused(["score", "--model", path("sig_test.csv"), "--input", path("sig_test.csv"),
             "--output", path("x.csv")], 1, "not a churn model", "a foreign model: exit 1")
    with open(path("missing_col.csv"), "w", encoding="utf-8") as f:
        f.write("customerID,plan,noise\nA,basic,1\n")
    refused(["score", "--model", path("sig.model"), "--input", path("missing_col.csv"),
             "--output", path("x.csv")], 1, "\"usage\"", "a model column missing: exit 1")
    refused(["score", "--model", path("sig.model"), "--input", path("sig_test.csv"), "--output",
             path("no/such/dir/out.csv")], 1, "cannot write", "an unwritable output: exit 1")
    ck.ok(not os.path.exists(path("x.model")) and not os.path.exists(path("x.csv")),
          "nothing written by a refused run")
    for n in os.listdir(tmp):
        os.remove(path(n))
    os.rmdir(tmp)
    print("%d passed, %d failed" % (ck.passed, ck.failed))
    return 1 if ck.failed else 0


if __name__ == "__main__":
    sys.exit(main())
