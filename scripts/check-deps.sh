#!/bin/sh
# check-deps.sh -- keeps the include arrows of docs/ARCHITECTURE.md honest.
# Allowed: main -> cli, http; cli -> api, http, svc, store, base; http -> api?, base;
# api -> svc, http (req.h), store (db.h through svc), base; svc -> store, analytics, base;
# store -> base; analytics -> base; base -> nothing. No sqlite3/libpq outside src/store/.
cd "$(dirname "$0")/.." || exit 1
bad=0
check() { # dir, forbidden-include regex
    hits=$(grep -n -E "#include \"($2)/" src/"$1"/*.c src/"$1"/*.h 2>/dev/null)
    [ -n "$hits" ] && { echo "check-deps: src/$1 must not include $2:"; echo "$hits"; bad=1; }
}
check base 'store|svc|api|http|cli|analytics'
check store 'svc|api|http|cli|analytics'
check analytics 'store|svc|api|http|cli'
check svc 'api|http|cli'
check api 'cli'
check http 'svc|store|cli'
hits=$(grep -l -E '#include <(sqlite3|libpq-fe)\.h>' $(find src -name '*.[ch]' ! -path 'src/store/*'))
[ -n "$hits" ] && { echo "check-deps: database headers outside src/store/: $hits"; bad=1; }
hits=$(grep -n -E '\b(sqlite3|PQ)[a-z_]+\(' $(find src -name '*.[ch]' ! -path 'src/store/*') | grep -v '^\s*/\*')
[ -n "$hits" ] && { echo "check-deps: database calls outside src/store/:"; echo "$hits"; bad=1; }
[ $bad = 0 ] && echo "check-deps: ok"
exit $bad
