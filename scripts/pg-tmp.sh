#!/bin/sh
# pg-tmp.sh -- runs a command against a throw-away PostgreSQL cluster.
#
#   scripts/pg-tmp.sh COMMAND [ARG...]
#
# initdb in a temp directory (as the unprivileged user "postgres" when run as root), start on
# 127.0.0.1 at a free port with fsync off, create database kam_test, run COMMAND with
# KAM_TEST_PG_DSN=postgres://kam@127.0.0.1:PORT/kam_test (and an empty second database in
# KAM_TEST_PG_DSN2) in its environment, stop, clean up.
# Exit status: COMMAND's. Needs Debian's postgresql package (scripts/deps.sh installs it).
set -eu
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$BIN" ] || { echo "pg-tmp: PostgreSQL is not installed" >&2; exit 3; }
D=$(mktemp -d /tmp/kam-pg.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
as_pg() {
    if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$1"; else sh -c "$1"; fi
}
[ "$(id -u)" = 0 ] && chown postgres "$D"
chmod 755 "$D"
cleanup() {
    as_pg "$BIN/pg_ctl -D $D/data -m fast stop" >/dev/null 2>&1 || true
    rm -rf "$D"
}
trap cleanup EXIT INT TERM
as_pg "$BIN/initdb -D $D/data -A trust --no-sync -U kam --no-locale -E UTF8" >"$D/initdb.log" 2>&1 ||
    { cat "$D/initdb.log" >&2; exit 3; }
as_pg "$BIN/pg_ctl -D $D/data -l $D/pg.log -o \"-p $PORT -k $D -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200\" -w start" >/dev/null ||
    { cat "$D/pg.log" >&2; exit 3; }
as_pg "$BIN/createdb -h 127.0.0.1 -p $PORT -U kam kam_test"
as_pg "$BIN/createdb -h 127.0.0.1 -p $PORT -U kam kam_test2"
KAM_TEST_PG_DSN="postgres://kam@127.0.0.1:$PORT/kam_test"
KAM_TEST_PG_DSN2="postgres://kam@127.0.0.1:$PORT/kam_test2"
# A command that restarts the server (tests of reconnecting after a lost connection).
if [ "$(id -u)" = 0 ]; then
    KAM_TEST_PG_RESTART="su postgres -s /bin/sh -c '$BIN/pg_ctl -D $D/data -m fast -w restart -l $D/pg.log' >/dev/null"
else
    KAM_TEST_PG_RESTART="$BIN/pg_ctl -D $D/data -m fast -w restart -l $D/pg.log >/dev/null"
fi
export KAM_TEST_PG_DSN KAM_TEST_PG_DSN2 KAM_TEST_PG_RESTART
set +e
"$@"
status=$?
exit $status
