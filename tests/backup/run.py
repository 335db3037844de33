#!/usr/bin/env python3
"""kam backup / kam restore on SQLite and, with --dsn/--dsn2, on PostgreSQL.

    tests/backup/run.py --kam build/kam [--dsn postgres://... --dsn2 postgres://...(empty db)]
                        [--postgres-only]
    scripts/pg-tmp.sh sh -c 'python3 tests/backup/run.py --kam "$0" --dsn "$KAM_TEST_PG_DSN" \
        --dsn2 "$KAM_TEST_PG_DSN2"' build/kam

Per engine:
1. A backup while the server writes: four clients create accounts through the HTTP API before,
   during and after `kam backup`. The backup restores into a new database, every table
   verifies against the manifest, every account acknowledged before the backup started is in
   the copy, nothing is in it that no client sent, and the copy's audit hash chain is intact
   (`kam audit verify`), i.e. the copy is one consistent moment.
2. A target that holds a database is refused (and left alone) without --force and replaced
   with it; a backup of the other engine is refused (pointing to migrate-data).
3. A backup made at an older schema restores and is migrated forward.
SQLite only: a changed backup file, a missing, cut or foreign manifest, a manifest of a newer
schema, a copy whose tables differ from the manifest (per-table MISMATCH, nothing installed),
--to naming the database itself or a file that is not a backup, a missing database, usage.
PostgreSQL only: a DSN with a password (scram authentication) reaches pg_dump/pg_restore
through a passfile, never their argv (checked by wrappers in KAM_PG_BINDIR).
Last line: N passed, N failed.
"""
import argparse
import glob
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "http"))
from lib import Server, http_call  # noqa: E402

ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
PASSED = 0
FAILED = 0


def ok(cond, name, detail=""):
    global PASSED, FAILED
    if cond:
        PASSED += 1
    else:
        FAILED += 1
        print("FAIL %s %s" % (name, str(detail)[-1500:]))
    return cond


def kam(args, env=None, timeout=600):
    e = dict(os.environ)
    e.pop("KAM_DB", None)
    e.update(env or {})
    p = subprocess.run([ARGS.kam] + args, capture_output=True, text=True, env=e, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def call(port, method, path, body=None, cookie=None, csrf=None):
    hdrs = [("Connection", "close")]
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        hdrs.append(("Content-Type", "application/json"))
    if cookie:
        hdrs.append(("Cookie", cookie))
    if csrf:
        hdrs.append(("X-CSRF-Token", csrf))
    status, headers, raw, _ = http_call(port, method, path, data, hdrs)
    try:
        js = json.loads(raw) if raw else None
    except ValueError:
        js = None
    return status, headers, js


def login(port, user="director", password="kam-demo-2026"):
    st, headers, js = call(port, "POST", "/api/v1/session", {"login": user, "password": password})
    cookie = None
    for k, v in headers:
        if k.lower() == "set-cookie" and v.startswith("kam_session="):
            cookie = v.split(";")[0]
    return st, cookie, (js or {}).get("csrf_token")


def table_lines(out):
    """{table: (rows, checksum, status)} from kam backup/restore output."""
    res = {}
    for line in out.splitlines():
        m = re.match(r"^(\w+)\s+(\d+) rows  checksum ([0-9a-f]{16})(?:  (\S+))?", line)
        if m:
            res[m.group(1)] = (int(m.group(2)), m.group(3), m.group(4))
    return res


def query(dsn, sql):
    """Rows of sql on a SQLite file or a PostgreSQL database (psql), as lists of strings."""
    if dsn.startswith("sqlite:"):
        con = sqlite3.connect(dsn[7:])
        try:
            return [[str(v) for v in r] for r in con.execute(sql).fetchall()]
        finally:
            con.close()
    p = subprocess.run(["psql", "-X", "-At", "-F", "\t", "-d", dsn, "-c", sql], capture_output=True,
                       text=True)
    if p.returncode != 0:
        raise RuntimeError(p.stderr)
    return [l.split("\t") for l in p.stdout.splitlines() if l]


def codes(dsn):
    return {r[0] for r in query(dsn, "SELECT code FROM accounts WHERE code LIKE 'BK-%'")}


# ---- 1. a backup while the server writes ---------------------------------------------------

def live_backup(engine, src, dst, tmp):
    srv = Server(ARGS.kam, src, tmp, name="serve-" + engine)
    if not ok(srv.start(), engine + ": kam serve starts", srv.start_error):
        return
    try:
        st, cookie, csrf = login(srv.port)
        if not ok(st == 200 and cookie, engine + ": login", st):
            return
        lock = threading.Lock()
        acked = []        # (code, monotonic time the 201 arrived)
        sent = set()      # every code a client sent (acknowledged or not)
        errors = []
        stop = threading.Event()
        cv = threading.Condition(lock)

        def writer(k):
            i = 0
            while not stop.is_set():
                code = "BK-%s-%d-%d" % (engine, k, i)
                i += 1
                with lock:
                    sent.add(code)
                st, _, js = call(srv.port, "POST", "/api/v1/accounts",
                                 {"code": code, "name": "备份测试 %d-%d" % (k, i)},
                                 cookie=cookie, csrf=csrf)
                now = time.monotonic()
                with lock:
                    if st == 201:
                        acked.append((code, now))
                    else:
                        errors.append(st)
                    cv.notify_all()

        threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        with lock:
            cv.wait_for(lambda: len(acked) >= 40 or errors, 60)
        t_start = time.monotonic()
        rc, out, err = kam(["backup", "--db", src, "--to", os.path.join(tmp, engine + ".bak")])
        t_end = time.monotonic()
        # a few more writes after the backup, then stop
        with lock:
            after = len(acked)
            cv.wait_for(lambda: len(acked) >= after + 8 or errors, 60)
        stop.set()
        for t in threads:
            t.join()
    finally:
        srv.stop()
    ok(rc == 0, engine + ": kam backup while the server writes exits 0", err + out)
    ok(not errors, engine + ": every write during the backup succeeded", errors[:5])
    before = [c for c, t in acked if t < t_start]
    during = [c for c, t in acked if t_start <= t <= t_end]
    print("%s: %d accounts acknowledged before the backup, %d during it (%.2f s), %d in all"
          % (engine, len(before), len(during), t_end - t_start, len(acked)))
    ok(len(before) >= 40, engine + ": writes acknowledged before the backup", len(before))
    ok(len(during) >= 1, engine + ": writes acknowledged while the backup ran", len(during))
    lines = table_lines(out)
    ok("accounts" in lines and "audit" in lines and len(lines) >= 40,
       engine + ": one line per table", out[-500:])
    bak = os.path.join(tmp, engine + ".bak")
    man = open(bak + ".manifest").read()
    ok(man.startswith("kam-backup 1\nengine %s\n" % engine) and man.endswith("end\n"),
       engine + ": manifest names the engine and is complete", man[:80])

    rc, out, err = kam(["restore", "--from", bak, "--db", dst])
    ok(rc == 0, engine + ": kam restore exits 0", err + out)
    rl = table_lines(out)
    ok(rl and all(v[2] == "ok" for v in rl.values()) and set(rl) == set(lines),
       engine + ": every table verified against the manifest", out[-800:])
    ok(all(rl.get(t, (None, None))[:2] == v[:2] for t, v in lines.items()),
       engine + ": restore reports the backup's counts and checksums")
    got = codes(dst)
    missing = [c for c in before if c not in got]
    ok(not missing, engine + ": every account acknowledged before the backup is in the copy",
       missing[:5])
    ok(got <= sent, engine + ": the copy holds nothing no client sent", sorted(got - sent)[:5])
    ok(int(query(dst, "SELECT COUNT(*) FROM accounts WHERE code LIKE 'BK-%'")[0][0]) ==
       lines["accounts"][0] - int(query(src, "SELECT COUNT(*) FROM accounts WHERE code NOT LIKE 'BK-%'")[0][0]),
       engine + ": the copy's account count is the manifest's")
    rc, out2, err2 = kam(["audit", "verify", "--db", dst])
    ok(rc == 0 and "chain intact" in out2, engine + ": the copy's audit chain is intact (one moment)",
       err2 + out2)
    return bak


# ---- 2. existing targets, --force, the other engine -----------------------------------------

def targets(engine, bak, src, used_target, other_engine_target):
    before = query(used_target, "SELECT COUNT(*) FROM accounts")
    rc, out, err = kam(["restore", "--from", bak, "--db", used_target])
    ok(rc == 1 and "--force" in err, engine + ": a target holding a database is refused", err + out)
    ok(query(used_target, "SELECT COUNT(*) FROM accounts") == before,
       engine + ": the refused target is unchanged")
    rc, out, err = kam(["restore", "--from", bak, "--db", used_target, "--force"])
    ok(rc == 0, engine + ": --force restores over it", err + out)
    man = {l.split()[1]: int(l.split()[2]) for l in open(bak + ".manifest") if l.startswith("table ")}
    ok(int(query(used_target, "SELECT COUNT(*) FROM accounts")[0][0]) == man["accounts"],
       engine + ": --force replaced the content", (query(used_target, "SELECT COUNT(*) FROM accounts"), man["accounts"]))
    rc, out, err = kam(["restore", "--from", bak, "--db", other_engine_target])
    ok(rc == 1 and "migrate-data" in err, engine + ": a backup into the other engine is refused", err)


# ---- 3. an older schema -----------------------------------------------------------------------

def older_schema(engine, make_db, restore_to, tmp, force=False):
    """make_db(): a database at schema 7 (migrations 0001-0007 applied by hand)."""
    dsn = make_db()
    bak = os.path.join(tmp, engine + "-old.bak")
    rc, out, err = kam(["backup", "--db", dsn, "--to", bak])
    ok(rc == 0 and "schema 7" in out, engine + ": backup of a schema-7 database", err + out)
    rc, out, err = kam(["restore", "--from", bak, "--db", restore_to] + (["--force"] if force else []))
    ok(rc == 0 and "migration" in out, engine + ": restore migrates an older backup forward", err + out)
    v = query(restore_to, "SELECT MAX(version) FROM schema_version")[0][0]
    latest = max(int(os.path.basename(f)[:4]) for f in glob.glob(os.path.join(ROOT, "src/store/migrations/sqlite/*.sql")))
    ok(int(v) == latest, engine + ": the restored database is at the current schema", v)


def sqlite_schema7(path):
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, name TEXT NOT NULL, applied_at INTEGER NOT NULL)")
    for f in sorted(glob.glob(os.path.join(ROOT, "src/store/migrations/sqlite/*.sql"))):
        n = int(os.path.basename(f)[:4])
        if n > 7:
            break
        con.executescript(open(f).read())
        con.execute("INSERT INTO schema_version VALUES (?, ?, 0)", (n, os.path.basename(f)))
    con.execute("INSERT INTO teams (id, name, created_at, updated_at) VALUES (1, 'old', 0, 0)")
    con.commit()
    con.close()
    return "sqlite:" + path


def pg_schema7(dsn):
    sql = ["CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, name TEXT NOT NULL, applied_at BIGINT NOT NULL);"]
    for f in sorted(glob.glob(os.path.join(ROOT, "src/store/migrations/postgres/*.sql"))):
        n = int(os.path.basename(f)[:4])
        if n > 7:
            break
        sql.append(open(f).read())
        sql.append("INSERT INTO schema_version VALUES (%d, '%s', 0);" % (n, os.path.basename(f)))
    p = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-1", "-d", dsn], input="\n".join(sql),
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(p.stderr)
    return dsn


# ---- SQLite only: what restore and backup refuse ----------------------------------------------

def refusals(bak, src, tmp):
    def copy_pair(name):
        p = os.path.join(tmp, name)
        shutil.copy(bak, p)
        shutil.copy(bak + ".manifest", p + ".manifest")
        return p

    # a changed byte in the backup file
    p = copy_pair("changed.bak")
    with open(p, "r+b") as f:
        f.seek(os.path.getsize(p) // 2)
        b = f.read(1)
        f.seek(-1, 1)
        f.write(bytes([b[0] ^ 1]))
    tgt = os.path.join(tmp, "t-changed.db")
    rc, out, err = kam(["restore", "--from", p, "--db", "sqlite:" + tgt])
    ok(rc == 1 and "does not match its manifest" in err and not os.path.exists(tgt),
       "sqlite: a changed backup file is refused before anything is written", err)
    # no manifest
    p = copy_pair("nomanifest.bak")
    os.unlink(p + ".manifest")
    rc, out, err = kam(["restore", "--from", p, "--db", "sqlite:" + tgt])
    ok(rc == 1 and "manifest" in err and "--from" in err, "sqlite: a missing manifest is named", err)
    # cut short
    p = copy_pair("cut.bak")
    txt = open(p + ".manifest").read()
    open(p + ".manifest", "w").write(txt[: len(txt) // 2].rsplit("\n", 1)[0] + "\n")
    rc, out, err = kam(["restore", "--from", p, "--db", "sqlite:" + tgt])
    ok(rc == 1 and "cut short" in err, "sqlite: a manifest cut short is refused", err)
    # a newer schema
    p = copy_pair("newer.bak")
    open(p + ".manifest", "w").write(txt.replace("\nschema ", "\nschema 9", 1))
    rc, out, err = kam(["restore", "--from", p, "--db", "sqlite:" + tgt])
    ok(rc == 1 and "newer kam" in err and not os.path.exists(tgt),
       "sqlite: a backup of a newer schema is refused", err)
    # not a manifest
    p = copy_pair("foreign.bak")
    open(p + ".manifest", "w").write("hello\n")
    rc, out, err = kam(["restore", "--from", p, "--db", "sqlite:" + tgt])
    ok(rc == 1 and "not a kam backup manifest" in err, "sqlite: a foreign manifest is refused", err)
    # a copy whose tables differ from the manifest (the file matches its hash: the manifest of
    # another moment): every table is reported, the differing one as MISMATCH, nothing installed
    p = copy_pair("mismatch.bak")
    con = sqlite3.connect(p)
    con.execute("UPDATE accounts SET name = name || 'x' WHERE id = (SELECT MIN(id) FROM accounts)")
    con.commit()
    con.close()
    import hashlib
    data = open(p, "rb").read()
    h = hashlib.blake2b(data, digest_size=32).hexdigest()
    m = re.sub(r"\nbytes \d+\n", "\nbytes %d\n" % len(data), txt)
    m = re.sub(r"\nblake2b [0-9a-f]+\n", "\nblake2b %s\n" % h, m)
    open(p + ".manifest", "w").write(m)
    rc, out, err = kam(["restore", "--from", p, "--db", "sqlite:" + tgt])
    rl = table_lines(out)
    ok(rc == 1 and rl.get("accounts", (0, 0, ""))[2] == "MISMATCH" and
       rl.get("users", (0, 0, ""))[2] == "ok" and "accounts" in err,
       "sqlite: a table that differs from the manifest is reported and fails", err + out[-600:])
    leftovers = [f for f in os.listdir(tmp) if f.startswith("t-changed.db")]
    ok(not leftovers, "sqlite: a failed restore leaves no file behind", leftovers)
    # backup --to the database itself, --to a file that is not a backup, a missing database
    rc, out, err = kam(["backup", "--db", src, "--to", src[7:]])
    ok(rc == 1 and "database itself" in err, "sqlite: --to the database itself is refused", err)
    other = os.path.join(tmp, "notes.txt")
    open(other, "w").write("keep me\n")
    rc, out, err = kam(["backup", "--db", src, "--to", other])
    ok(rc == 1 and "not a kam backup" in err and open(other).read() == "keep me\n",
       "sqlite: --to an existing file that is not a backup is refused", err)
    rc, out, err = kam(["backup", "--db", "sqlite:" + os.path.join(tmp, "nope.db"), "--to",
                        os.path.join(tmp, "nope.bak")])
    ok(rc == 1 and not os.path.exists(os.path.join(tmp, "nope.bak")) and
       not [f for f in os.listdir(tmp) if f.startswith("nope")],
       "sqlite: a missing database is an error and leaves no file", err)
    # a second backup to the same name replaces the first, atomically, and restores
    rc, out, err = kam(["backup", "--db", src, "--to", bak])
    ok(rc == 0, "sqlite: a backup replaces an older backup of the same name", err)
    rc, out, err = kam(["restore", "--from", bak, "--db", "sqlite:" + os.path.join(tmp, "again.db")])
    ok(rc == 0, "sqlite: ... which restores", err)
    ok(not [f for f in os.listdir(tmp) if ".tmp-" in f or ".restore-" in f],
       "sqlite: no temporary files are left", os.listdir(tmp))
    # usage
    rc, _, err = kam(["backup", "--db", src])
    ok(rc == 2 and "usage" in err, "backup without --to: usage, exit 2", err)
    rc, _, err = kam(["restore", "--db", src])
    ok(rc == 2 and "usage" in err, "restore without --from: usage, exit 2", err)
    rc, _, err = kam(["restore", "--from", bak, "--db", src, "--bogus"])
    ok(rc == 2, "restore with an unknown flag: exit 2", err)


# ---- PostgreSQL only: a password never in argv ---------------------------------------------

def pg_password(dsn, dsn2, tmp):
    pw = "s3cr:et@/%x\\y?q"
    # the '?' stays raw: libpq reads the user information up to the first '@' (a '?' does not
    # end it), so kam must find the password there too
    enc = "s3cr%3Aet%40%2F%25x%5Cy?q"
    hba = query(dsn, "SHOW hba_file")[0][0]
    try:
        query(dsn, "CREATE ROLE bkpw LOGIN SUPERUSER PASSWORD '%s'" % pw.replace("'", "''"))
        # scram for bkpw from 127.0.0.1, first in the file; the postgres-owned file is edited
        # through the server itself (pg_read_file / COPY) so this works as any user
        old = open(hba).read() if os.access(hba, os.R_OK) else None
        if old is None or not os.access(hba, os.W_OK):
            print("SKIP pg: the password test needs to write %s" % hba)
            return
        open(hba, "w").write("host all bkpw 127.0.0.1/32 scram-sha-256\n" + old)
        query(dsn, "SELECT pg_reload_conf()")
    except (RuntimeError, OSError) as e:
        ok(False, "pg: set up a password role", e)
        return
    wrap = os.path.join(tmp, "pgbin")
    os.makedirs(wrap, exist_ok=True)
    real = os.path.dirname(shutil.which("pg_dump") or "/usr/bin/pg_dump")
    log = os.path.join(tmp, "argv.log")
    for tool in ("pg_dump", "pg_restore"):
        w = os.path.join(wrap, tool)
        open(w, "w").write('#!/bin/sh\nprintf "%%s\\n" "$0" "$@" >> %s\necho "PGPASSFILE=$PGPASSFILE" >> %s\n'
                           'exec %s/%s "$@"\n' % (log, log, real, tool))
        os.chmod(w, 0o755)
    host = dsn.split("@", 1)[1]
    pdsn = "postgres://bkpw:%s@%s" % (enc, host)
    pdsn2 = "postgres://bkpw:%s@%s" % (enc, dsn2.split("@", 1)[1])
    wrong = "postgres://bkpw:nope@%s" % host
    env = {"KAM_PG_BINDIR": wrap, "PGPASSFILE": "/nonexistent"}
    bak = os.path.join(tmp, "pw.bak")
    rc, out, err = kam(["backup", "--db", pdsn, "--to", bak], env=env)
    ok(rc == 0, "pg: backup with a password in the DSN (scram)", err + out[-300:])
    rc, out, err = kam(["restore", "--from", bak, "--db", pdsn2, "--force"], env=env)
    ok(rc == 0, "pg: restore with a password in the DSN (scram)", err + out[-300:])
    argv = open(log).read() if os.path.exists(log) else ""
    ok("pg_dump" in argv and "pg_restore" in argv and "--dbname=postgres://bkpw@" in argv,
       "pg: the tools got the DSN without its password", argv[:600])
    ok("s3cr" not in argv and enc not in argv, "pg: the password is not in any argv", argv[:600])
    pf = re.findall(r"PGPASSFILE=(\S+)", argv)
    ok(pf and all(not os.path.exists(p) for p in pf), "pg: the passfile is removed afterwards", pf)
    # a wrong password fails cleanly (the server's own words) and writes no backup
    rc, out, err = kam(["backup", "--db", wrong, "--to", os.path.join(tmp, "wrong.bak")], env=env)
    ok(rc == 1 and "password" in err and not os.path.exists(os.path.join(tmp, "wrong.bak")),
       "pg: a wrong password fails with a clear error", err)
    rc, out, err = kam(["backup", "--db", pdsn, "--to", os.path.join(tmp, "nobin.bak")],
                       env={"KAM_PG_BINDIR": os.path.join(tmp, "empty")})
    ok(rc == 1 and "pg_dump not found" in err, "pg: a missing pg_dump is named", err)


def sqlite_suite(tmp):
    src = "sqlite:" + os.path.join(tmp, "live.db")
    rc, _, err = kam(["demo", "--db", src])
    if not ok(rc == 0, "sqlite: demo database", err):
        return
    bak = live_backup("sqlite", src, "sqlite:" + os.path.join(tmp, "restored.db"), tmp)
    if bak:
        targets("sqlite", bak, src, "sqlite:" + os.path.join(tmp, "restored.db"),
                ARGS.dsn or "postgres://kam@127.0.0.1:1/none")
        refusals(bak, src, tmp)
    older_schema("sqlite", lambda: sqlite_schema7(os.path.join(tmp, "old7.db")),
                 "sqlite:" + os.path.join(tmp, "old7-restored.db"), tmp)


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--kam", required=True)
    ap.add_argument("--dsn")
    ap.add_argument("--dsn2")
    ap.add_argument("--postgres-only", action="store_true",
                    help="skip the SQLite checks (when another run has made them)")
    ARGS = ap.parse_args()
    ARGS.kam = os.path.abspath(ARGS.kam)
    tmp = tempfile.mkdtemp(prefix="kam-backup-")
    try:
        if not ARGS.postgres_only:
            sqlite_suite(tmp)
        if ARGS.dsn and ARGS.dsn2:
            rc, _, err = kam(["demo", "--db", ARGS.dsn])
            if ok(rc == 0, "postgres: demo database", err):
                pbak = live_backup("postgres", ARGS.dsn, ARGS.dsn2, tmp)
                if pbak:
                    targets("postgres", pbak, ARGS.dsn, ARGS.dsn2,
                            "sqlite:" + os.path.join(tmp, "x.db"))
                    pg_password(ARGS.dsn, ARGS.dsn2, tmp)
                query(ARGS.dsn2, "DROP SCHEMA public CASCADE; CREATE SCHEMA public")
                older_schema("postgres", lambda: pg_schema7(ARGS.dsn2), ARGS.dsn, tmp, force=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        print("%d passed, %d failed" % (PASSED, FAILED))


if __name__ == "__main__":
    main()
    sys.exit(1 if FAILED else 0)
