#!/bin/sh
# backup.sh -- kam backup + kam restore round trips of the demo database and of the demo with
# N more accounts (default 100,000, generated as a CSV in a temporary folder under /tmp and
# loaded with `kam import accounts`), against a reference in the same run:
#   SQLite:     sqlite3 DB ".backup FILE" (the same online backup API, no checksums, no
#               manifest, no verification) and a plain cp of the file;
#   PostgreSQL: pg_dump --format=custom + pg_restore --single-transaction into an empty
#               database, without kam's snapshot checksums and verification.
#
#   bench/backup.sh [N]        SQLite; PostgreSQL too when its binaries are installed
#
# Printed per database: size, seconds for kam backup, kam restore and their sum (the round
# trip), the reference's round trip, and the ratio kam / reference. Figures, never pass/fail.
set -eu
cd "$(dirname "$0")/.."
N=${1:-100000}
KAM=${KAM:-build/kam}
command -v sqlite3 >/dev/null || { echo "bench: needs sqlite3 (apt-get install sqlite3)" >&2; exit 2; }
[ -x "$KAM" ] || make -s
KAM=$(cd "$(dirname "$KAM")" && pwd)/$(basename "$KAM")
T=$(mktemp -d /tmp/kam-bench-backup.XXXXXX)
trap 'rm -rf "$T"' EXIT

now() { python3 -c 'import time; print(time.time())'; }
secs() { python3 -c "import sys; print('%.2f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$1" "$2"; }
ratio() { python3 -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); print('%.2f' % (a / b) if b > 0 else '-')" "$1" "$2"; }
mb() { python3 -c "import os, sys; print('%.1f' % (os.path.getsize(sys.argv[1]) / 1048576))" "$1"; }

KAM_SQLITE_SYNC=normal "$KAM" demo --db "sqlite:$T/demo.db" >/dev/null
sqlite3 "$T/demo.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
cp "$T/demo.db" "$T/big.db"
python3 - "$N" "$T/accounts.csv" <<'PY'
import random, sys
n, path = int(sys.argv[1]), sys.argv[2]
rnd = random.Random(11)
owners = ["am.east1", "am.east2", "am.east3", "am.south1", "am.south2", "am.south3",
          "am.global1", "am.global2", "am.global3"]
regions = ["east", "south", "north", "west", "global"]
with open(path, "w") as f:
    f.write("code,name,industry,region,channel,tier,owner_login\n")
    for i in range(n):
        f.write("BA%07d,Bench Account %d 基准客户,manufacturing,%s,direct,%s,%s\n"
                % (i, i, rnd.choice(regions), rnd.choice(["strategic", "key", "growth", "maintain"]), rnd.choice(owners)))
PY
t0=$(now)
KAM_SQLITE_SYNC=normal "$KAM" import accounts "$T/accounts.csv" --db "sqlite:$T/big.db" --quiet 2>"$T/import.log" ||
    { tail -3 "$T/import.log" >&2; exit 1; }
t1=$(now)
sqlite3 "$T/big.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
echo "bench/backup: demo, and demo + $N accounts (imported in $(secs "$t0" "$t1") s); load average $(cut -d" " -f1-3 /proc/loadavg)"
printf '%-38s %8s %8s %8s %8s %10s %8s\n' "" "MB" "backup" "restore" "trip" "reference" "ratio"

# sqlite_round NAME DB: kam backup + kam restore vs sqlite3 .backup + copy back (and cp).
sqlite_round() {
    name=$1
    db=$2
    rm -f "$T/k.bak" "$T/k.bak.manifest" "$T/k.db" "$T/r.bak" "$T/r.db" "$T/c.db"
    t0=$(now)
    "$KAM" backup --db "sqlite:$db" --to "$T/k.bak" >/dev/null
    t1=$(now)
    "$KAM" restore --from "$T/k.bak" --db "sqlite:$T/k.db" >/dev/null
    t2=$(now)
    sqlite3 "$db" ".backup '$T/r.bak'"
    sqlite3 "$T/r.db" ".restore '$T/r.bak'"
    t3=$(now)
    cp "$db" "$T/c.db"
    cp "$T/c.db" "$T/c2.db"
    t4=$(now)
    trip=$(secs "$t0" "$t2")
    ref=$(secs "$t2" "$t3")
    printf '%-38s %8s %8s %8s %8s %10s %8s\n' "$name (SQLite)" "$(mb "$db")" "$(secs "$t0" "$t1")" \
        "$(secs "$t1" "$t2")" "$trip" "$ref" "$(ratio "$trip" "$ref")"
    printf '%-38s %8s %8s %8s %8s %10s %8s\n' "  vs cp of the file, twice" "" "" "" "" "$(secs "$t3" "$t4")" \
        "$(ratio "$trip" "$(secs "$t3" "$t4")")"
}
sqlite_round "demo" "$T/demo.db"
sqlite_round "demo + $N accounts" "$T/big.db"

if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && [ -z "${KAM_BENCH_NO_PG:-}" ]; then
    # shellcheck disable=SC2016
    scripts/pg-tmp.sh sh -c '
        KAM=$0 T=$1 N=$2
        now() { python3 -c "import time; print(time.time())"; }
        secs() { python3 -c "import sys; print(\"%.2f\" % (float(sys.argv[2]) - float(sys.argv[1])))" "$1" "$2"; }
        ratio() { python3 -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); print(\"%.2f\" % (a / b) if b > 0 else \"-\")" "$1" "$2"; }
        mb() { python3 -c "import os, sys; print(\"%.1f\" % (os.path.getsize(sys.argv[1]) / 1048576))" "$1"; }
        empty() { psql -X -q -d "$KAM_TEST_PG_DSN2" -c "DROP SCHEMA public CASCADE; CREATE SCHEMA public" >/dev/null 2>&1; }
        pg_round() {
            name=$1
            rm -f "$T/p.bak" "$T/p.bak.manifest" "$T/p.ref"
            empty
            t0=$(now)
            "$KAM" backup --db "$KAM_TEST_PG_DSN" --to "$T/p.bak" >/dev/null
            t1=$(now)
            "$KAM" restore --from "$T/p.bak" --db "$KAM_TEST_PG_DSN2" >/dev/null
            t2=$(now)
            empty
            t3=$(now)
            pg_dump --format=custom --no-owner --no-privileges --no-comments --file="$T/p.ref" "$KAM_TEST_PG_DSN"
            pg_restore --exit-on-error --single-transaction --no-owner --no-privileges --dbname="$KAM_TEST_PG_DSN2" "$T/p.ref"
            t4=$(now)
            trip=$(secs "$t0" "$t2")
            ref=$(secs "$t3" "$t4")
            printf "%-38s %8s %8s %8s %8s %10s %8s\n" "$name (PostgreSQL)" "$(mb "$T/p.bak")" "$(secs "$t0" "$t1")" \
                "$(secs "$t1" "$t2")" "$trip" "$ref" "$(ratio "$trip" "$ref")"
        }
        "$KAM" migrate-data --from "sqlite:$T/demo.db" --to "$KAM_TEST_PG_DSN" >/dev/null
        pg_round "demo"
        "$KAM" import accounts "$T/accounts.csv" --db "$KAM_TEST_PG_DSN" --quiet 2>/dev/null
        pg_round "demo + $N accounts"
        echo "  (PostgreSQL MB: the pg_dump archive; $(pg_dump --version))"
    ' "$KAM" "$T" "$N" || echo "bench: the PostgreSQL run failed"
fi
