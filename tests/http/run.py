#!/usr/bin/env python3
"""KAM HTTP end-to-end suite.

    tests/http/run.py --kam build/kam [--dsn DSN] [--jobs-dsn DSN] [--only GROUP,...] [--keep]

Without --dsn a fresh SQLite database is made in a temp dir. With --dsn
(e.g. postgres://...) the suite runs `kam init` on it (skip with
--skip-init) and uses run-unique logins/codes, so an already used database
works too. The jobs group uses its own empty database (--jobs-dsn, default a fresh
SQLite file) and its own server with a pinned clock. Prints one line per failing check, one line per group, and last
`N passed, N failed`. Exit status 1 if anything failed.
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
import traceback

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from lib import CONTRACT, Checker, Server, run_cli  # noqa: E402
import fixtures  # noqa: E402
import t_basic  # noqa: E402
import t_session  # noqa: E402
import t_accounts  # noqa: E402
import t_contacts  # noqa: E402
import t_users  # noqa: E402
import t_scope  # noqa: E402
import t_badinput  # noqa: E402
import t_audit  # noqa: E402
import t_audit_chain  # noqa: E402
import t_matrix  # noqa: E402
import t_interactions  # noqa: E402
import t_visits  # noqa: E402
import t_issues  # noqa: E402
import t_jobs  # noqa: E402
import t_care  # noqa: E402
import t_valuation  # noqa: E402
import t_shutdown  # noqa: E402
import t_followups  # noqa: E402
import t_sales  # noqa: E402
import t_plans  # noqa: E402
import t_badinput_sales  # noqa: E402
import t_server  # noqa: E402
import t_sec_auth  # noqa: E402
import t_sec_data  # noqa: E402

# (name, function, needs fixtures)
GROUPS = [
    ("health", t_basic.g_health, False),
    ("fixtures", fixtures.build, False),
    ("session", t_session.g_session, True),
    ("tokens", t_session.g_tokens, True),
    ("accounts", t_accounts.g_accounts_crud, True),
    ("account-lists", t_accounts.g_accounts_lists, True),
    ("account-filters", t_accounts.g_accounts_filters, True),
    ("account-search", t_accounts.g_accounts_search, True),
    ("hierarchy+conflicts", t_accounts.g_accounts_hierarchy, True),
    ("contacts", t_contacts.g_contacts, True),
    ("members", t_scope.g_members, True),
    ("users", t_users.g_users, True),
    ("admin-guard", t_users.g_admin_guard, True),
    ("teams", t_users.g_teams, True),
    ("password", t_users.g_password, True),
    ("me", t_users.g_me, True),
    ("scope", t_scope.g_scope, True),
    ("audit", t_audit.g_audit, True),
    ("audit-chain", t_audit_chain.g_audit_chain, True),
    ("bad-input", t_badinput.g_badinput, True),
    ("rel-bad-input", t_badinput.g_badinput_rel, True),
    ("interactions", t_interactions.g_interactions, True),
    ("timeline", t_interactions.g_timeline, True),
    ("freshness", t_interactions.g_freshness, True),
    ("cascade", t_interactions.g_cascade, True),
    ("cadences", t_visits.g_cadences, True),
    ("visits", t_visits.g_visits, True),
    ("visit-lists", t_visits.g_visit_lists, True),
    ("calendar", t_visits.g_calendar, True),
    ("issues", t_issues.g_issues, True),
    ("issue-lists", t_issues.g_issue_lists, True),
    ("sla-rules", t_issues.g_sla, True),
    ("issue-stats", t_issues.g_issue_stats, True),
    ("notifications", t_issues.g_notifications, True),
    ("jobs", t_jobs.g_jobs, True),  # its own database, server and pinned clock
    ("care", t_care.g_care, True),  # reminders from `kam jobs run --now` (2021) on the main database
    ("care-config", t_care.g_care_config, True),
    ("valuation", t_valuation.g_valuation, True),
    ("screening", t_valuation.g_screening, True),
    ("products", t_sales.g_products, True),
    ("fx-rates", t_sales.g_fx, True),
    ("orders", t_sales.g_orders, True),
    ("order-lists", t_sales.g_order_lists, True),
    ("imports", t_sales.g_imports, True),
    ("imports-other", t_sales.g_imports_other, True),
    ("imports-cli", t_sales.g_imports_cli, True),
    ("wallet", t_sales.g_wallet, True),
    ("sales-bad-input", t_badinput_sales.g_badinput_sales, True),
    ("plans", t_plans.g_plans, True),  # its own server on the main database, clock pinned (KAM_NOW)
    ("openapi", t_basic.g_openapi, True),
    ("followups", t_followups.g_followups, True),
    ("prospects", t_followups.g_prospects, True),
    ("security-data", t_sec_data.g_sec_data, True),
    ("server", t_server.g_server, True),  # its own servers and CLI runs
    ("matrix", t_matrix.g_matrix, True),
    ("security-auth", t_sec_auth.g_sec_auth, True),
    ("failed-logins", t_session.g_failed_logins, True),  # last on the main server
]

# Feature modules: any other tests/http/t_*.py defining GROUPS (same tuples) runs before
# "openapi", its GROUPS_LAST before "failed-logins" (groups that leave the main database much
# bigger); it registers the permission matrix's builders of its routes with t_matrix.route.
_known = {m for m in sys.modules if m.startswith("t_")}
_extra, _last = [], []
for _f in sorted(os.listdir(HERE)):
    _m = _f[:-3]
    if _f.startswith("t_") and _f.endswith(".py") and _m not in _known:
        _mod = __import__(_m)
        _extra += getattr(_mod, "GROUPS", [])
        _last += getattr(_mod, "GROUPS_LAST", [])
_at = [g[0] for g in GROUPS].index("failed-logins")
GROUPS[_at:_at] = _last
_at = [g[0] for g in GROUPS].index("openapi")
GROUPS[_at:_at] = _extra


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kam", required=True, help="path to the kam binary")
    ap.add_argument("--dsn", help="database DSN (default: fresh sqlite in a temp dir)")
    ap.add_argument("--skip-init", action="store_true", help="do not run `kam init` on --dsn")
    ap.add_argument("--only", help="comma-separated group names to run (plus health/fixtures)")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir (logs, sqlite db)")
    ap.add_argument("--jobs-dsn", help="an EMPTY database for the jobs group (default: a fresh sqlite in the temp dir)")
    args = ap.parse_args()

    kam = os.path.abspath(args.kam)
    tmp = tempfile.mkdtemp(prefix="kam-http-")
    dsn = args.dsn or "sqlite:%s" % os.path.join(tmp, "kam.db")
    ck = Checker()
    ctx = fixtures.Ctx(kam, dsn, tmp, ck, api_md=os.path.normpath(os.path.join(HERE, "..", "..", "docs", "API.md")))
    ctx.jobs_dsn = args.jobs_dsn
    only = set(args.only.split(",")) if args.only else None
    t_start = time.time()
    servers_to_show = []

    def finish():
        ck.group = "errors"
        if ck.envelope_seen or ck.envelope_bad:
            ck.report_envelope()
        if CONTRACT.doc is not None or CONTRACT.load_error:
            ck.group = "contract"
            ck.ok(CONTRACT.checked > 0, "responses were validated against the OpenAPI document",
                  CONTRACT.load_error or "none validated")
            print("contract: %d responses validated against GET /api/v1/openapi.json, %d mismatched; "
                  "%d of %d operations exercised; %.1f s spent validating"
                  % (CONTRACT.checked, CONTRACT.failed, len(CONTRACT.seen), CONTRACT.n_ops, CONTRACT.seconds))
        if ck.failed:
            for s in servers_to_show:
                print("---- tail of %s" % s.log_path)
                print(s.log_tail(40))
            print("temp dir kept: %s" % tmp)
        elif not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        if ck.known:
            print("known src/ bugs still present (not counted): %d checks of %s"
                  % (len(ck.known), ", ".join(sorted(set(ck.known)))))
        print("suite time %.1f s" % (time.time() - t_start))
        print("%d passed, %d failed" % (ck.passed, ck.failed))
        sys.exit(1 if ck.failed else 0)

    # ---- CLI: init + admin
    ck.group = "cli"
    if not ck.ok(os.path.isfile(kam) and os.access(kam, os.X_OK), "kam binary exists and is executable", kam):
        finish()
    if not (args.dsn and args.skip_init):
        rc, out, err = run_cli(kam, ["init", "--db", dsn])
        if not ck.ok(rc == 0, "kam init --db %s exits 0" % dsn, "rc=%s stdout=%s stderr=%s" % (rc, out[-300:], err[-300:])):
            finish()
    if not fixtures.bootstrap_admin(ctx):
        finish()
    for label, args_, pw in (("password shorter than 10 chars", ["--role", "viewer"], "short-pw\n"),
                             ("unknown role", ["--role", "emperor"], "long-enough-password\n")):
        rc, out, err = run_cli(kam, ["user", "add", "--db", dsn, "--login", ctx.uniq("cli")] + args_, stdin_text=pw)
        ck.ok(rc != 0, "kam user add refuses a %s" % label, "rc=%s stdout=%s stderr=%s" % (rc, out[-200:], err[-200:]))
    print("-- cli: done", flush=True)

    # ---- main server
    srv = Server(kam, dsn, tmp, name="kam")
    servers_to_show.append(srv)
    ctx.srv = srv
    if not ck.ok(srv.start(), "kam serve starts and answers GET /healthz", srv.start_error or ""):
        srv.stop()
        finish()

    fixtures_ok = True
    for name, fn, needs in GROUPS:
        if only and name not in only and name not in ("health", "fixtures"):
            continue
        ck.group = name
        p0, f0, t0 = ck.passed, ck.failed, time.time()
        if needs and not fixtures_ok:
            ck.fail("group skipped: fixtures could not be built")
        elif not srv.alive():
            ck.fail("group skipped: server is not running (exit status %s)" % srv.proc.returncode)
        else:
            try:
                fn(ctx)
            except Exception as e:
                ck.fail("group aborted by %s: %s" % (type(e).__name__, e),
                        traceback.format_exc(limit=4).strip().replace("\n", " | "))
                if name == "fixtures":
                    fixtures_ok = False
        print("-- %s: %d passed, %d failed (%.2f s)" % (name, ck.passed - p0, ck.failed - f0, time.time() - t0),
              flush=True)

    ck.group = "shutdown"
    was_alive = srv.alive()
    ck.ok(was_alive, "kam serve is still running after all groups")
    if was_alive:
        t_shutdown.g_graceful(ctx, srv)
    srv.stop()

    if (not only or "expiry" in only) and fixtures_ok:
        ck.group = "expiry"
        p0, f0, t0 = ck.passed, ck.failed, time.time()
        try:
            t_session.g_expiry(ctx)
        except Exception as e:
            ck.fail("group aborted by %s: %s" % (type(e).__name__, e),
                    traceback.format_exc(limit=4).strip().replace("\n", " | "))
        servers_to_show.append(Server(kam, dsn, tmp, name="kam-ttl2"))
        print("-- expiry: %d passed, %d failed (%.2f s)" % (ck.passed - p0, ck.failed - f0, time.time() - t0),
              flush=True)
    finish()


if __name__ == "__main__":
    main()
