#!/bin/sh
# run.sh -- the API contract suite: the document `kam openapi` writes (the same one the server
# serves at GET /api/v1/openapi.json) must lint with 0 errors under an independent linter,
# @redocly/cli with its recommended rules (redocly.yaml; installed from package-lock.json into
# tests/contract/node_modules on first use). Whether real responses match the document is
# checked by the HTTP suite (tests/http/lib.py validates every response it sees).
#
# Usage: tests/contract/run.sh [KAM_BINARY]   (default build/kam)
# Last line: "N passed, N failed".
set -u
here=$(cd "$(dirname "$0")" && pwd)
kam=${1:-build/kam}
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
bad() { failed=$((failed + 1)); echo "FAIL $1"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# 1. kam openapi writes one JSON document.
# Pretty-printed, so the linter's line numbers point somewhere readable.
if "$kam" openapi >"$tmp/raw.json" 2>"$tmp/err" &&
    python3 -m json.tool "$tmp/raw.json" >"$tmp/openapi.json" 2>>"$tmp/err"; then
    ok "kam openapi writes JSON"
else
    bad "kam openapi writes JSON: $(cat "$tmp/err")"
fi

# 2. redocly lint: 0 errors (warnings are listed, not failed).
redocly="$here/node_modules/.bin/redocly"
if [ ! -x "$redocly" ]; then
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >"$tmp/npm" 2>&1) ||
        { cat "$tmp/npm"; }
fi
if [ ! -x "$redocly" ]; then
    bad "redocly lint: @redocly/cli is not installed (cd tests/contract && npm ci)"
else
    export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_COLOR=1
    "$redocly" lint --config "$here/redocly.yaml" --format=stylish "$tmp/openapi.json" \
        >"$tmp/lint" 2>&1
    rc=$?
    grep -v '^\s*$' "$tmp/lint" | grep -v '[║╔╚]' | tail -n 60
    if [ $rc -eq 0 ]; then
        ok "redocly lint: 0 errors"
    else
        bad "redocly lint (exit $rc)"
    fi
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
