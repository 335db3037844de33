#!/bin/sh
# export.sh -- the streaming list export (issue 12) on N order lines (default 1,000,000).
#
#   bench/export.sh                  SQLite in a temp dir
#   KAM_BENCH_LINES=200000 bench/export.sh
#
# Loads the demo data (33,372 order lines), imports N more order lines with `kam import`, starts
# `kam serve` and downloads GET /api/v1/orders/export?format=csv and format=xlsx (all lines),
# printing for each: time, bytes, rows, and the server's VmRSS idle and at its peak during the
# export (sampled from /proc every 50 ms). The csv and xlsx runs ask for lang=zh-CN (region and
# channel in words); "csv-raw" is format=csv&raw=1 (the stored values), the cost of the words
# being the difference. The reference is `sqlite3 -csv` writing the same rows
# and columns from the same database: the ratio export time / sqlite3 time is printed.
#
# The order lines list pages by (day, id) (keyset). Without an index on order_lines(day, id)
# each page sorts the whole table, so N lines cost O(N^2): the bench adds that index
# (KAM_BENCH_NO_INDEX=1 leaves the schema as migrated, to see the difference on small N).
# KAM_BENCH_FILTER=1 exports with family=BenchFam (the N lines only): the planner then takes
# the family index and sorts the family's lines for every page, O(N^2) again (see the report).
# No timed assertion: this prints figures.
set -eu
cd "$(dirname "$0")/.."
KAM=${KAM:-build/kam}
N=${KAM_BENCH_LINES:-1000000}
command -v sqlite3 >/dev/null || { echo "bench: needs sqlite3" >&2; exit 2; }
[ -x "$KAM" ] || make -s
T=$(mktemp -d)
PID=
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT INT TERM
DB="$T/bench.db"
DSN="sqlite:$DB"
KAM_SQLITE_SYNC=off "$KAM" demo --db "$DSN" | head -1
ACC=$(sqlite3 "$DB" "SELECT code FROM accounts ORDER BY id LIMIT 1")
FAM="BenchFam"
# One product of its own family, so the export's filter selects exactly the N lines.
printf 'sku,name,family,unit,list_price,currency\nBENCH-1,Bench product,%s,pc,1.00,CNY\n' "$FAM" >"$T/p.csv"
"$KAM" import products "$T/p.csv" --db "$DSN" --quiet
python3 - "$N" "$ACC" "$T/lines.csv" <<'PY'
import sys
n, acc, path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
with open(path, "w") as f:
    f.write("external_id,date,account_code,sku,region,channel,quantity,amount,currency\n")
    for i in range(n):
        f.write("B%d,20%02d-%02d-%02d,%s,BENCH-1,,,%d,%d.%02d,CNY\n"
                % (i, 15 + i % 10, 1 + i % 12, 1 + i % 28, acc, 1 + i % 9, 100 + i % 99991, i % 100))
PY
start=$(date +%s)
KAM_SQLITE_SYNC=off "$KAM" import orders "$T/lines.csv" --db "$DSN" --quiet
echo "bench: imported $N order lines in $(($(date +%s) - start)) s"
rm -f "$T/lines.csv"
if [ -z "${KAM_BENCH_NO_INDEX:-}" ]; then
    sqlite3 "$DB" "CREATE INDEX IF NOT EXISTS bench_order_lines_day ON order_lines(day, id)"
    echo "bench: added index order_lines(day, id) (see the header)"
fi
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$KAM" serve --db "$DSN" --listen "127.0.0.1:$PORT" --quiet --jobs-interval 0 2>"$T/serve.log" &
PID=$!
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 100); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.1; done
curl -sf -c "$T/cj" -H 'Content-Type: application/json' \
    -d '{"login":"admin","password":"kam-demo-2026"}' "$BASE/api/v1/session" >/dev/null
if [ -n "${KAM_BENCH_FILTER:-}" ]; then Q="family=$FAM&"; WHERE="WHERE p.family = '$FAM'"; else Q=; WHERE=; fi
rss() { awk '/^VmRSS:/ {print $2}' "/proc/$PID/status"; }

# The reference: sqlite3 writing the same rows and columns.
t0=$(date +%s.%N)
sqlite3 -csv -header "$DB" "SELECT o.id, o.external_id, o.day, o.account_id, a.name, o.product_id, p.sku,
  p.name, p.family, o.region, o.channel, o.quantity, o.amount, o.currency, o.amount_base, o.import_id,
  o.created_at, o.updated_at FROM order_lines o JOIN accounts a ON a.id = o.account_id
  JOIN products p ON p.id = o.product_id $WHERE ORDER BY o.day DESC, o.id DESC" >"$T/ref.csv"
t1=$(date +%s.%N)
REF=$(echo "$t1 - $t0" | bc)
echo "reference: sqlite3 -csv: $(($(wc -l <"$T/ref.csv") - 1)) rows, $(stat -c %s "$T/ref.csv") bytes in ${REF} s"
rm -f "$T/ref.csv"

for RUN in csv xlsx csv-raw; do
    case $RUN in
    csv-raw) FMT=csv EXTRA="raw=1&" ;;
    *) FMT=$RUN EXTRA="lang=zh-CN&" ;;
    esac
    curl -sf -b "$T/cj" "$BASE/api/v1/orders?${Q}limit=500" >/dev/null # warm
    IDLE=$(rss)
    (peak=$IDLE; while kill -0 "$PID" 2>/dev/null && [ ! -f "$T/stop" ]; do
        v=$(rss); [ "$v" -gt "$peak" ] && peak=$v; echo "$peak" >"$T/peak"; sleep 0.05; done) &
    SAMPLER=$!
    t0=$(date +%s.%N)
    curl -sf -b "$T/cj" -o "$T/out.$FMT" "$BASE/api/v1/orders/export?${Q}${EXTRA}format=$FMT"
    t1=$(date +%s.%N)
    touch "$T/stop"
    wait "$SAMPLER" 2>/dev/null || true
    rm -f "$T/stop"
    PEAK=$(cat "$T/peak")
    SECS=$(echo "$t1 - $t0" | bc)
    BYTES=$(stat -c %s "$T/out.$FMT")
    if [ "$FMT" = csv ]; then
        ROWS=$(python3 -c 'import csv,sys; print(sum(1 for _ in csv.reader(open(sys.argv[1], newline="", encoding="utf-8-sig"))) - 1)' "$T/out.csv")
    else
        ROWS=$(python3 -c '
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1]); n = 0; tail = b""
with z.open("xl/worksheets/sheet1.xml") as f:
    for chunk in iter(lambda: f.read(1 << 20), b""):
        buf = tail + chunk
        n += buf.count(b"<row ")
        tail = buf[-4:]
        n -= tail.count(b"<row ")
print(n - 1)' "$T/out.xlsx")
    fi
    echo "export $RUN: $ROWS rows, $BYTES bytes in ${SECS} s; kam serve VmRSS idle ${IDLE} kB, peak ${PEAK} kB (+$((PEAK - IDLE)) kB); time / sqlite3 = $(echo "scale=1; $SECS / $REF" | bc)"
    rm -f "$T/out.$FMT"
done
