#!/bin/sh
# check-deps.sh -- keeps the include arrows of docs/ARCHITECTURE.md honest.
#
# Layers: main -> cli; cli -> api, http, svc, analytics, base (the store only through svc/core/conn.h); http -> base;
# api -> svc, http (req.h), base; svc -> store, analytics, base; store -> base;
# analytics -> base; base -> nothing. No sqlite3/libpq outside src/store/.
# Chapters: svc/ and api/ hold one folder per chapter (core, relationships, volume, ...). A
# chapter includes core and itself; core includes no chapter. The cross-chapter calls that are
# real are named below, file by file: nothing else may cross.
cd "$(dirname "$0")/.." || exit 1
bad=0

# Every '#include "..."' line of the C files under the given folders, as "file:line:text",
# with the include inside a comment dropped.
includes() {
    find "$@" -name '*.[ch]' | sort | xargs grep -n '#include "' /dev/null |
        awk -F: '{ t = $0; sub(/^[^:]*:[^:]*:/, "", t); if (t !~ /^[ \t]*(\/\*|\*|\/\/)/) print }'
}

# check DIR REGEX [EXCEPTION-FILE...]: no file under src/DIR includes a path matching
# "REGEX/..."; the named files may.
check() {
    dir=$1
    re=$2
    shift 2
    hits=$(includes "src/$dir" | grep -E "#include \"($re)/")
    for ok in "$@"; do
        hits=$(printf '%s\n' "$hits" | grep -v "^src/$ok:")
    done
    hits=$(printf '%s\n' "$hits" | grep -v '^$')
    if [ -n "$hits" ]; then
        echo "check-deps: src/$dir must not include $re:"
        echo "$hits"
        bad=1
    fi
}

check base 'store|svc|api|http|cli|analytics'
check store 'svc|api|http|cli|analytics'
check analytics 'store|svc|api|http|cli'
check svc 'api|http|cli'
check api 'cli|store|analytics'
check http 'svc|store|cli|api|analytics'
check cli 'store'
[ -n "$(find src -maxdepth 1 -name '*.c' ! -name main.c)" ] && { echo "check-deps: only main.c lives in src/"; bad=1; }
check_main=$(grep -n '#include "' src/main.c | grep -v -E '#include "(cli|base)/')
[ -n "$check_main" ] && { echo "check-deps: src/main.c includes only cli/ and base/:"; echo "$check_main"; bad=1; }

# Chapters. Named exceptions: the scheduler runs every chapter's jobs; the demo loads every
# chapter's data; an accounts import creates accounts through the account service; the home
# page gathers every chapter's figures; the audit trail leaves out the rows of alerts whose
# signal the reader may not read (svc/risk/alert.h); completing a visit records what it learned as needs
# (needs, a later chapter, may read the relationships chapter's records); every order line is
# priced through the price engine (issue 15: the sales service and the import's pricing call
# svc/offers/price_check.h); an accepted offer becomes order lines through the sales service.
check svc/core 'svc/(relationships|volume|needs|offers|risk|contracts)' svc/core/jobs.c svc/core/home.c \
    svc/core/audit.c
check svc/relationships 'svc/(volume|needs|offers|risk|contracts)' svc/relationships/demo.c svc/relationships/visit.c
check svc/volume 'svc/(relationships|needs|offers|risk|contracts)' svc/volume/import_rows.c svc/volume/sales.c \
    svc/volume/import_price.c
check svc/needs 'svc/(volume|offers|risk|contracts)'
# Issue 16 (CREDIT): an order line (sales.c) or a submitted offer (offer_flow.c) over the credit
# limit is flagged or held through svc/risk/credit.h (and its quote is stamped a draft while held); invoices and payments load through the
# import machinery into svc/risk/receivable.h (import_rows.c, already named above).
check svc/offers 'svc/(relationships|volume|needs|risk|contracts)' svc/offers/offer_convert.c svc/offers/offer_flow.c \
    svc/offers/quote_doc.c
check api/core 'svc/(relationships|volume|needs|offers|risk|contracts)|api/(relationships|volume|needs|offers|risk|contracts)'
check api/relationships 'svc/(volume|needs|offers|risk)|api/(volume|needs|offers|risk)'
check api/volume 'svc/(relationships|needs|offers|risk)|api/(relationships|needs|offers|risk)'
check api/needs 'svc/(volume|offers|risk)|api/(relationships|volume|offers|risk)'
check api/offers 'svc/(relationships|volume|needs|risk)|api/(relationships|volume|needs|risk)'
# Risk (issue 16) reads the other chapters' records through SQL and their signals through
# svc/core/signal.h, never their headers.
check svc/risk 'svc/(relationships|volume|needs|offers|contracts)'
check api/risk 'svc/(relationships|volume|needs|offers|contracts)|api/(relationships|volume|needs|offers|contracts)'
# Contracts (issue 17) read the other chapters' records through SQL and register their signals
# through svc/core/signal.h; the price breach scan asks the price engine (svc/offers/price.h), and
# the demo writes a contract price list (svc/offers/pricing.h), and the dispute dossier writes
# money as the quote document does (svc/offers/quote_doc.h: quote_money).
check svc/contracts 'svc/(relationships|volume|needs|offers|risk)' svc/contracts/breach_scan.c \
    svc/contracts/demo_contracts.c svc/contracts/dispute_doc.c
check api/contracts 'svc/(relationships|volume|needs|offers|risk)|api/(relationships|volume|needs|offers|risk)'

# Database libraries only in the store.
hits=$(grep -l -E '#include <(sqlite3|libpq-fe)\.h>' $(find src -name '*.[ch]' ! -path 'src/store/*'))
[ -n "$hits" ] && { echo "check-deps: database headers outside src/store/: $hits"; bad=1; }
hits=$(find src -name '*.[ch]' ! -path 'src/store/*' | sort | xargs grep -n -E '\b(sqlite3|PQ)[a-z_]+\(' /dev/null |
    awk '{ t = $0; sub(/^[^:]*:[^:]*:/, "", t); if (t !~ /^[ \t]*(\/\*|\*|\/\/)/) print }')
[ -n "$hits" ] && { echo "check-deps: database calls outside src/store/:"; echo "$hits"; bad=1; }
# api/ and cli/ reach a database only through svc/core/conn.h: no store call, no statement.
hits=$(find src/api src/cli -name '*.[ch]' | sort | xargs grep -n -E '\bdb_[a-z0-9_]+\(|struct db_stmt' /dev/null |
    awk '{ t = $0; sub(/^[^:]*:[^:]*:/, "", t); if (t !~ /^[ \t]*(\/\*|\*|\/\/)/) print }')
[ -n "$hits" ] && { echo "check-deps: api/ and cli/ use the store (go through svc/core/conn.h):"; echo "$hits"; bad=1; }
[ $bad = 0 ] && echo "check-deps: ok"
exit $bad
