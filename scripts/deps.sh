#!/bin/sh
# deps.sh -- installs the Debian packages KAM needs to build, run and test, only when missing.
# Called by `make run` (scripts/deps.sh run) and `make test` (scripts/deps.sh test); safe to run
# again (does nothing when all are present).
set -eu
PKGS="gcc make pkg-config libmicrohttpd-dev libjansson-dev libsqlite3-dev libsodium-dev libpq-dev libcurl4-openssl-dev libcsv-dev libxlsxwriter-dev
libicu-dev libopencc-dev zlib1g-dev libzip-dev libuchardet-dev libexpat1-dev liblinear-dev
python3 sqlite3 ca-certificates"
# Tests also need a PostgreSQL server (a throw-away cluster, scripts/pg-tmp.sh) with its client
# tools (pg_dump/pg_restore for kam backup, psql), Chromium with CJK fonts for the browser tests,
# and python3-jsonschema (responses checked against the OpenAPI document).
[ "${1:-run}" = test ] && PKGS="$PKGS postgresql postgresql-client chromium fonts-noto-cjk python3-jsonschema libreoffice-calc-nogui"
[ "${KAM_DEPS_EXTRA:-}" ] && PKGS="$PKGS $KAM_DEPS_EXTRA"
# The web UI is built with Vite 8, which needs Node.js >= 20.19 (Debian 12's own nodejs is 18):
# it must come with the machine (as on the project's machines) or from nodesource.
if [ -f web/package.json ]; then
    v=$(node --version 2>/dev/null | sed 's/^v//')
    case "$v" in
    2[0-9].* | [3-9][0-9].*) ;;
    *) echo "deps: Node.js 20.19+ and npm are needed to build the web UI (found: ${v:-none})" >&2
       exit 1 ;;
    esac
fi
missing=""
for p in $PKGS; do
    st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$st" in
    *"install ok installed"*) ;;
    *) missing="$missing $p" ;;
    esac
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing" >&2
SUDO=""
if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
        echo "deps: missing packages:$missing -- run as root or install them" >&2
        exit 1
    fi
fi
export DEBIAN_FRONTEND=noninteractive
# A fresh machine may have no package lists yet; an install failure retries after an update.
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null 2>&1 ||
    { $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q --no-install-recommends $missing; }
