"""t_forecast13.py -- `kam forecast` as issue 13 wants it (the CLI; no server, no database).

- exit 1 when no series could be forecast, and the count of skipped series on stderr;
- an unknown KAM_FORECAST_METHOD refused (exit 2, naming it);
- values written so that they read back exactly (%.17g): a series near DBL_MAX stays finite;
- a gap in t (1..10, 14..60) refused for that series naming the first missing t, or filled with
  zeros under --zero-fill (the seasonal phase kept);
- an outlier (a 1e15 month among 89..147) named on stderr by its t, and no negative forecast or
  bound for non-negative data.
The dashboard's window (all history, whatever window) is checked in t_plans.py's series().
"""
import csv
import io
import math
import os
import tempfile

from lib import run_cli


def _run(ctx, text, args=(), env=None):
    e = dict(os.environ)
    e.pop("KAM_FORECAST_METHOD", None)
    e.update(env or {})
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
        f.write(text)
        path = f.name
    try:
        return run_cli(ctx.kam, ["forecast", "--input", path] + list(args), env=e, timeout=60)
    finally:
        os.unlink(path)


def _rows(out):
    by = {}
    for r in csv.DictReader(io.StringIO(out)):
        by.setdefault(r["series_id"], []).append(r)
    return by


def _doc(series):
    lines = ["series_id,t,value"]
    for sid, pts in series.items():
        lines += ["%s,%s,%r" % (sid, t, v) for t, v in pts]
    return "\n".join(lines) + "\n"


def g_forecast13(ctx):
    ck = ctx.ck
    # none forecast -> exit 1, the count said
    rc, out, err = _run(ctx, "series_id,t,value\na,1,1\na,2,2\nb,1,x\n", ["--horizon", "3"])
    ck.ok(rc == 1 and "0 of 2 series forecast, 2 skipped" in err and "no series could be forecast" in err,
          "no series could be forecast: exit 1, '0 of 2 ... 2 skipped'", "rc=%s %s" % (rc, err))
    rc, out, err = _run(ctx, "series_id,t,value\n", ["--horizon", "3"])
    ck.ok(rc == 1, "an input without series: exit 1", "rc=%s %s" % (rc, err))
    good = "series_id,t,value\n" + "".join("g,%d,%d\n" % (t, 100 + t % 7) for t in range(1, 25)) + "b,1,x\n"
    rc, out, err = _run(ctx, good, ["--horizon", "3"])
    ck.ok(rc == 0 and "1 of 2 series forecast, 1 skipped" in err and len(_rows(out).get("g", [])) == 3,
          "one of two forecast: exit 0, '1 of 2 ... 1 skipped'", "rc=%s %s" % (rc, err))

    # unknown method refused; the known ones accepted
    rc, out, err = _run(ctx, good, ["--horizon", "3"], env={"KAM_FORECAST_METHOD": "arima"})
    ck.ok(rc == 2 and "KAM_FORECAST_METHOD" in err and not out, "KAM_FORECAST_METHOD=arima: exit 2 naming it",
          "rc=%s %s" % (rc, err))
    for m in ("auto", "theta", "ets", "naive"):
        rc, out, err = _run(ctx, good, ["--horizon", "2"], env={"KAM_FORECAST_METHOD": m})
        ck.ok(rc == 0 and len(_rows(out).get("g", [])) == 2, "KAM_FORECAST_METHOD=%s runs" % m, err)

    # exact values: a constant series at 1.7976931348623157e308 reads back as that double
    big = 1.7976931348623157e308
    rc, out, err = _run(ctx, "series_id,t,value\nm,1,%r\nm,2,%r\nm,3,%r\n" % (big, big, big), ["--horizon", "2"])
    vals = [float(r[k]) for r in _rows(out).get("m", []) for k in ("mean", "lo80", "hi80", "lo95", "hi95")]
    ck.ok(rc == 0 and len(vals) == 10 and all(v == big and math.isfinite(v) for v in vals),
          "values read back exactly (DBL_MAX stays DBL_MAX)", "rc=%s %r %s" % (rc, vals[:2], err))
    rc, out, err = _run(ctx, good, ["--horizon", "2"])
    cells = [r[k] for r in _rows(out).get("g", []) for k in ("mean", "lo80", "hi80", "lo95", "hi95")]
    ck.ok(rc == 0 and len(cells) == 10 and all("%.17g" % float(x) == x for x in cells),
          "values written as %.17g", out[:300])

    # gaps: refused per series naming the first missing t, or zeros under --zero-fill
    season = [0, 0, 0, 40, 80, 120, 160, 120, 80, 40, 0, 0]
    pts = [(t, season[(t - 1) % 12] + (t % 3)) for t in range(1, 61) if not 11 <= t <= 13]
    doc = _doc({"gap": pts, "ok": [(t, 10 + t % 4) for t in range(1, 30)]})
    rc, out, err = _run(ctx, doc, ["--horizon", "12", "--freq", "12"])
    ck.ok(rc == 0 and "gap" not in _rows(out) and "t 11 is missing" in err and "ok" in _rows(out),
          "a gap in t (1..10, 14..60): that series refused naming t 11, the others forecast", err)
    rc, out, err = _run(ctx, doc, ["--horizon", "12", "--freq", "12", "--zero-fill"])
    fc = [float(r["mean"]) for r in _rows(out).get("gap", [])]
    # t = 61.. continues the season at phase (61 - 1) % 12 = 0: months 4..9 sell, 10..12 and 1..3 not
    ck.ok(rc == 0 and len(fc) == 12 and fc[6] > 100 and max(fc[0:3] + fc[10:12]) < 20,
          "--zero-fill: the missing periods are zeros, the seasonal phase is kept", "%r %s" % (fc, err))

    # an outlier: named by its t, and no negative forecast or bound for non-negative data
    base = [89, 120, 147, 101, 95, 133, 140, 110, 92, 125, 131, 104, 98, 117, 144, 108, 90, 128, 136, 112,
            97, 122, 139, 106]
    pts = [(t + 1, v) for t, v in enumerate(base)]
    pts[9] = (10, 1e15)
    rc, out, err = _run(ctx, _doc({"spike": pts}), ["--horizon", "6"])
    rows = _rows(out).get("spike", [])
    vals = [float(r[k]) for r in rows for k in ("mean", "lo80", "hi80", "lo95", "hi95")]
    ck.ok(rc == 0 and "1 outlier at t = 10" in err, "the 1e15 month is reported as an outlier at t = 10", err)
    ck.ok(len(rows) == 6 and all(v >= 0 for v in vals) and all(50 < float(r["mean"]) < 200 for r in rows),
          "no negative forecast or bound, and the forecast stays in the range of the data", repr(vals[:10]))
    rc, out, err = _run(ctx, _doc({"calm": [(t + 1, v) for t, v in enumerate(base)]}), ["--horizon", "6"])
    ck.ok(rc == 0 and "outlier" not in err, "an ordinary series has no outliers", err)
    # a flat series (MAD 0) and a short one (n < 8) with a 1e15 month: found all the same (they
    # forecast ~1.85e13 before)
    flat = [(t, 1e15 if t == 21 else 100) for t in range(1, 37)]
    short = [(1, 100), (2, 120), (3, 1e15), (4, 90), (5, 110)]
    rc, out, err = _run(ctx, _doc({"flat": flat, "short": short}), ["--horizon", "6", "--freq", "12"])
    rows = _rows(out)
    ck.ok(rc == 0 and "1 outlier at t = 21" in err and "1 outlier at t = 3" in err,
          "MAD 0 and n < 8: the 1e15 months are reported as outliers", err)
    for sid in ("flat", "short"):
        means = [float(r["mean"]) for r in rows.get(sid, [])]
        ck.ok(len(means) == 6 and all(50 < m < 200 for m in means),
              "%s: the forecast stays in the range of the ordinary months" % sid, repr(means))


GROUPS = [("forecast13", g_forecast13, True)]
