#!/usr/bin/env python3
"""sentiment.py -- `kam sentiment` end to end (no server, no database):

- train on a tiny labelled file in each accepted format (label<TAB>text with a header line,
  text<TAB>label), twice: the same bytes; classify with that model (a file, standard input),
  with the model built into kam, and eval;
- exit codes: 2 on usage errors, 1 for an unreadable input, a line without a label, one class
  only, a damaged or foreign model, an output that cannot be written; nothing half-written;
- classify scores whole lines (a label column dropped, a header skipped); input that is not
  UTF-8 refused with file:line, a BOM dropped; an OpenCC config in the cwd is ignored; a model
  without a language falls back to the built-in model's section for it.

Usage: python3 tests/cli/sentiment.py --kam build/kam     (last line: "N passed, N failed")
"""
import argparse
import os
import subprocess
import sys
import tempfile

POS_ZH = ["服务很好，非常满意", "质量很好，推荐购买", "房间干净，服务热情", "非常满意，下次再来",
          "物流很快，包装很好", "性价比高，很喜欢"]
NEG_ZH = ["太差了，非常失望", "质量很差，不推荐", "房间很脏，服务很差", "失望，再也不来了",
          "物流太慢，包装破损", "价格太贵，不喜欢"]
POS_EN = ["great product, love it", "works great, very happy", "excellent and good value",
          "love it, great", "very good service", "happy with it, excellent"]
NEG_EN = ["terrible, broke quickly", "bad quality, waste of money", "not good, very bad",
          "terrible waste, do not buy", "awful service", "bad, broke, waste"]


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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kam", default="build/kam")
    a = ap.parse_args()
    kam = os.path.abspath(a.kam)
    ck = Checks()
    tmp = tempfile.mkdtemp(prefix="kam-sent-")

    def run(args, stdin=None):
        p = subprocess.run([kam, "sentiment"] + args, input=stdin, capture_output=True,
                           text=True, errors="replace", timeout=120)
        return p.returncode, p.stdout, p.stderr

    def write(name, text):
        path = os.path.join(tmp, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    first = write("first.tsv", "label\ttext_a\n" +
                  "".join("1\t%s\n" % t for t in POS_ZH + POS_EN) +
                  "".join("0\t%s\n" % t for t in NEG_ZH + NEG_EN))
    last = write("last.tsv", "".join("%s\t1\r\n" % t for t in POS_EN) +
                 "".join("%s\t0\r\n" % t for t in NEG_EN))
    m1, m2, m3 = (os.path.join(tmp, n) for n in ("m1.kam", "m2.kam", "m3.kam"))
    rc, out, err = run(["train", "--input", first, "--output", m1, "--folds", "3"])
    ck.ok(rc == 0 and os.path.getsize(m1) > 100 and "zh: 12 texts (6 positive)" in out
          and "en: 12 texts (6 positive)" in out,
          "train (label<TAB>text, header): exit 0, both languages reported", (rc, out, err))
    rc2, _, _ = run(["train", "--input", first, "--output", m2, "--folds", "3"])
    ck.ok(rc2 == 0 and open(m1, "rb").read() == open(m2, "rb").read(),
          "training is deterministic: the same bytes twice")
    ck.ok(not os.path.exists(m1 + ".tmp"), "no temporary file left behind")
    rc, out, err = run(["train", "--input", last, "--output", m3, "--lang", "en", "--folds", "3"])
    ck.ok(rc == 0 and "en: 12 texts" in out and "zh:" not in out,
          "train (text<TAB>label, CRLF, --lang en): exit 0", (rc, out, err))

    texts = write("texts.txt", "服务很好，非常满意\n\n服務很差，非常失望\ngreat, love it\t1\n"
                  "terrible waste\n")
    rc, out, err = run(["classify", "--input", texts, "--model", m1])
    rows = [l.split("\t") for l in out.splitlines()]
    ck.ok(rc == 0 and len(rows) == 4 and all(len(r) == 3 for r in rows),
          "classify: label<TAB>score<TAB>text per non-empty line", (rc, out, err))
    if len(rows) == 4:
        ck.ok([r[0] for r in rows] == ["positive", "negative", "positive", "negative"],
              "classify: obvious texts right (zh-CN, zh-TW, en; a TSV line's label dropped)", out)
        ck.ok(all(0 < float(r[1]) < 1 and (float(r[1]) >= 0.5) == (r[0] == "positive")
                  for r in rows), "scores in (0,1) agree with the labels", out)
        ck.ok(rows[2][2] == "great, love it", "the label column of a TSV line is dropped", out)
    rc, out2, _ = run(["classify", "--input", "-", "--model", m1],
                      stdin=open(texts, encoding="utf-8").read())
    ck.ok(rc == 0 and out2 == out, "classify --input - reads standard input", out2)
    rc, out, err = run(["classify", "--input", texts])
    ck.ok(rc == 0 and [l.split("\t")[0] for l in out.splitlines()] ==
          ["positive", "negative", "positive", "negative"],
          "classify with the model built into kam", (rc, out, err))
    rc, out, err = run(["eval", "--input", first, "--model", m1])
    ck.ok(rc == 0 and out.startswith("n 24 accuracy ") and "ms_per_text" in out,
          "eval prints n, accuracy, majority and ms per text", (rc, out, err))

    # classify scores the whole line: a tab inside a comment is kept, a label column (first or
    # last, as train reads it) dropped, a header skipped as train skips it
    tabbed = write("tabbed.txt", "Delivery was late\tand the box was broken\n")
    rc, out, err = run(["classify", "--input", tabbed])
    ck.ok(rc == 0 and out.split("\t", 2)[2] == "Delivery was late\tand the box was broken\n",
          "classify: a line with a tab is scored whole", (rc, out, err))
    chn = write("chn.tsv", "label\ttext_a\n1\t服务很好，非常满意\n0\t质量很差，非常失望\n")
    rc, out, err = run(["classify", "--input", chn])
    rows = [l.split("\t") for l in out.splitlines()]
    ck.ok(rc == 0 and [r[2] for r in rows] == ["服务很好，非常满意", "质量很差，非常失望"]
          and [r[0] for r in rows] == ["positive", "negative"],
          "classify on label<TAB>text with a header: header skipped, labels dropped",
          (rc, out, err))
    uci = write("uci.txt", "Great phone, love it.\t1\nBroke after a day, waste of money.\t0\n")
    rc, out, err = run(["classify", "--input", uci])
    rows = [l.split("\t") for l in out.splitlines()]
    ck.ok(rc == 0 and [r[0] for r in rows] == ["positive", "negative"] and
          rows[0][2] == "Great phone, love it.", "classify on text<TAB>label: the text is scored",
          (rc, out, err))
    plain = write("plain.txt", "header\tlike\nstill a text\n")
    rc, out, err = run(["classify", "--input", plain])
    ck.ok(rc == 0 and len(out.splitlines()) == 2,
          "classify: a first line is a header only when labelled lines follow", (rc, out, err))

    # only UTF-8: GBK / Big5 refused naming file:line; a leading BOM dropped
    gbk = os.path.join(tmp, "gbk.tsv")
    open(gbk, "wb").write("label\ttext_a\n1\t服务很好，非常满意，下次还来\n0\t质量很差\n"
                          .encode("gbk"))
    for sub in (["classify", "--input", gbk], ["eval", "--input", gbk],
                ["train", "--input", gbk, "--output", m3]):
        rc, out, err = run(sub)
        ck.ok(rc == 1 and "gbk.tsv:2: not UTF-8" in err and out == "",
              "%s on GBK text: exit 1 naming file:line" % sub[0], (rc, out, err))
    big5 = os.path.join(tmp, "big5.txt")
    open(big5, "wb").write("服務很好，非常滿意，下次還會再來住這家酒店\n".encode("big5"))
    rc, out, err = run(["classify", "--input", big5])
    ck.ok(rc == 1 and "big5.txt:1: not UTF-8" in err, "classify on Big5: exit 1", (rc, out, err))
    bom = os.path.join(tmp, "bom.tsv")
    open(bom, "wb").write(b"\xef\xbb\xbf" + "1\t服务很好\n0\t质量很差\n1\tgreat\n".encode())
    rc, out, err = run(["eval", "--input", bom])
    ck.ok(rc == 0 and out.startswith("n 3 "), "a leading BOM is dropped (the first line counts)",
          (rc, out, err))

    # a tw2sp.json in the working directory is not read (OpenCC by absolute path)
    cwd = os.path.join(tmp, "cwd")
    os.mkdir(cwd)
    with open("/usr/share/opencc/s2tw.json", encoding="utf-8") as f:
        open(os.path.join(cwd, "tw2sp.json"), "w", encoding="utf-8").write(f.read())
    open(os.path.join(cwd, "t2s.json"), "w").write("{}")
    zhs = write("zhs.txt", "服務很好，房間乾淨\n质量太差了，很失望\n還不錯，下次再來\n")
    rc, ref, _ = run(["classify", "--input", zhs])
    p = subprocess.run([kam, "sentiment", "classify", "--input", zhs], capture_output=True,
                       text=True, timeout=120, cwd=cwd)
    ck.ok(rc == 0 and p.returncode == 0 and p.stdout == ref,
          "an OpenCC config in the cwd changes nothing", (ref, p.stdout, p.stderr))

    # a model without a language's section: the built-in model's section, said once
    enonly = os.path.join(tmp, "enonly.kam")
    rc, out, err = run(["train", "--input", last, "--output", enonly, "--lang", "en",
                        "--folds", "3"])
    rc, out, err = run(["classify", "--input", zhs, "--model", enonly])
    rc2, ref, _ = run(["classify", "--input", zhs])
    ck.ok(rc == 0 and out == ref and err.count("no Chinese section") == 1,
          "a model without zh: Chinese scored by the built-in section, said once on stderr",
          (rc, out, err))

    # training that cannot give a useful model says why (not "one class") and writes nothing
    tiny = write("tiny.tsv", "1\t好\n0\t差\n1\tgood\n0\tbad\n1\tgreat\n0\tawful\n1\tnice\n"
                 "0\tpoor\n")
    tk = os.path.join(tmp, "tiny.kam")
    rc, out, err = run(["train", "--input", tiny, "--output", tk])
    ck.ok(rc == 1 and "fewer texts than the 5 cross-validation folds" in err and
          "no weights" in err and not os.path.exists(tk),
          "train on too few texts: exit 1 with the real reasons, no model", (rc, out, err))
    rc, out, err = run(["train", "--input", last, "--output", m3, "--lang", "en", "--folds", "3"])
    ck.ok(rc == 0 and "agree" not in out, "--lang: no unmeasured agreement figure", (rc, out))
    for flag, val in (("--folds", "2.5"), ("--min-df", "1.9"), ("--nb", "0.5")):
        rc, _, err = run(["cv", "--input", first, flag, val])
        ck.ok(rc == 2 and "whole number" in err, "%s %s: usage error" % (flag, val), (rc, err))

    # usage errors: exit 2
    for args, what in ((["train", "--output", m3], "train without --input"),
                       (["bogus", "--input", first], "an unknown subcommand"),
                       ([], "no subcommand"),
                       (["train", "--input", first, "--output", m3, "--lang", "fr"], "--lang fr"),
                       (["train", "--input", first], "train without --output"),
                       (["cv", "--input", first, "--C", "-1"], "--C -1"),
                       (["classify", "--input", texts, "extra"], "a stray argument")):
        rc, out, err = run(args)
        ck.ok(rc == 2 and "usage" in err.lower() or rc == 2 and "must" in err,
              "usage error (exit 2): " + what, (rc, err))

    # failures: exit 1 with the reason
    rc, _, err = run(["classify", "--input", os.path.join(tmp, "missing.txt"), "--model", m1])
    ck.ok(rc == 1 and "cannot read" in err, "a missing input: exit 1", (rc, err))
    bad = write("bad.tsv", "label\ttext\n1\tgood\nno label here\n")
    rc, _, err = run(["train", "--input", bad, "--output", m3])
    ck.ok(rc == 1 and "bad.tsv:3" in err, "a line without a label: exit 1 naming file:line",
          (rc, err))
    one = write("one.tsv", "".join("1\t%s\n" % t for t in POS_ZH))
    before = open(m3, "rb").read()
    rc, _, err = run(["train", "--input", one, "--output", m3])
    ck.ok(rc == 1 and "positive and negative" in err and open(m3, "rb").read() == before,
          "one class only: exit 1, the old model untouched", (rc, err))
    rc, _, err = run(["train", "--input", first, "--output", os.path.join(tmp, "no", "m.kam"),
                      "--folds", "3"])
    ck.ok(rc == 1 and "cannot write" in err, "an output that cannot be written: exit 1", (rc, err))
    data = bytearray(open(m1, "rb").read())
    data[len(data) // 2] ^= 0x40
    broken = os.path.join(tmp, "broken.kam")
    open(broken, "wb").write(bytes(data))
    rc, out, err = run(["classify", "--input", texts, "--model", broken])
    ck.ok(rc == 1 and out == "" and "not a usable sentiment model" in err,
          "a damaged model: exit 1, nothing classified", (rc, err))
    open(broken, "wb").write(bytes(data[:40]))
    rc, _, err = run(["classify", "--input", texts, "--model", broken])
    ck.ok(rc == 1 and "not a usable sentiment model" in err, "a truncated model: exit 1", (rc, err))
    rc, _, err = run(["classify", "--input", texts, "--model", first])
    ck.ok(rc == 1 and "KAMSENT" in err, "a foreign file as model: exit 1", (rc, err))

    print("%d passed, %d failed" % (ck.passed, ck.failed))
    return 1 if ck.failed else 0


if __name__ == "__main__":
    sys.exit(main())
