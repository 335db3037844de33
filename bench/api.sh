#!/bin/sh
# api.sh -- wrk against the JSON API on the demo data scaled to N accounts (default 100,000).
#
#   bench/api.sh                     SQLite, and PostgreSQL too when its binaries are installed
#                                    (a throw-away cluster, scripts/pg-tmp.sh)
#   bench/api.sh DSN [DSN...]        the given databases, e.g. sqlite:/tmp/b.db postgres://...
#
# For each database it prints req/s and p99 latency of: GET /healthz (the reference: the server
# and one SELECT 1, no auth), GET /api/v1/accounts/:id (point read with auth and policy) and
# GET /api/v1/accounts?limit=50 (a 50-row page), and their ratios to the reference.
# Environment: KAM_BENCH_SCALE (accounts), KAM_BENCH_SECONDS (per run), KAM_BENCH_CONNS.
set -eu
cd "$(dirname "$0")/.."
KAM=${KAM:-build/kam}
SCALE=${KAM_BENCH_SCALE:-100000}
SECS=${KAM_BENCH_SECONDS:-10}
CONNS=${KAM_BENCH_CONNS:-64}
command -v wrk >/dev/null || { echo "bench: needs wrk (apt-get install wrk)" >&2; exit 2; }
[ -x "$KAM" ] || make -s

if [ $# -eq 0 ]; then
    T=$(mktemp -d)
    trap 'rm -rf "$T"' EXIT
    "$0" "sqlite:$T/bench.db"
    if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
        scripts/pg-tmp.sh sh -c '"$0" "$KAM_TEST_PG_DSN"' "$0"
    else
        echo "bench: PostgreSQL not installed; SQLite only"
    fi
    exit 0
fi

for DSN in "$@"; do
    TMP=$(mktemp -d)
    PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    echo "== $DSN"
    start=$(date +%s)
    case "$DSN" in
    sqlite:*) KAM_SQLITE_SYNC=normal "$KAM" demo --db "$DSN" --scale "$SCALE" | head -1 ;;
    *) # the demo makes one round trip per statement: build it in SQLite, then copy it over
        KAM_SQLITE_SYNC=off "$KAM" demo --db "sqlite:$TMP/seed.db" --scale "$SCALE" | head -1
        "$KAM" migrate-data --from "sqlite:$TMP/seed.db" --to "$DSN" | tail -1 ;;
    esac
    echo "bench: demo load took $(($(date +%s) - start)) s"
    "$KAM" serve --db "$DSN" --listen "127.0.0.1:$PORT" --quiet --jobs-interval 0 2>"$TMP/serve.log" &
    PID=$!
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
    BASE="http://127.0.0.1:$PORT"
    curl -sf -c "$TMP/cj" -H 'Content-Type: application/json' \
        -d '{"login":"director","password":"kam-demo-2026"}' "$BASE/api/v1/session" >"$TMP/login.json"
    CSRF=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["csrf_token"])' "$TMP/login.json")
    TOKEN=$(curl -sf -b "$TMP/cj" -H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/json' \
        -d '{"name":"bench"}' "$BASE/api/v1/tokens" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
    ID=$((SCALE / 2))
    run() { # name url key
        out=$(wrk -t2 -c"$CONNS" -d"${SECS}s" --latency -H "Authorization: Bearer $TOKEN" "$2")
        rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
        p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
        non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
        printf '%-34s %10s req/s   p99 %8s%s\n' "$1" "$rps" "$p99" "${non2xx:+   non-2xx: $non2xx}"
        echo "$rps" >"$TMP/rps.$3"
    }
    echo "bench: wrk -t2 -c$CONNS -d${SECS}s on $(nproc) cores (wrk shares them with the server)"
    run "GET /healthz (reference)" "$BASE/healthz" ref
    run "GET /api/v1/accounts/$ID" "$BASE/api/v1/accounts/$ID" one
    run "GET /api/v1/accounts?limit=50" "$BASE/api/v1/accounts?limit=50" page
    python3 - "$TMP" <<'PY'
import sys
d = sys.argv[1]
r = {k: float(open(f"{d}/rps.{k}").read()) for k in ("ref", "one", "page")}
print(f"ratios to the reference: point read {r['one']/r['ref']:.2f}, 50-row page {r['page']/r['ref']:.2f}")
PY
    kill "$PID"
    wait "$PID" 2>/dev/null || true
    rm -rf "$TMP"
done
