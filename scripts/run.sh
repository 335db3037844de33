#!/bin/sh
# run.sh -- `make run`: create kam.db with the demo data when missing, then serve it.
set -eu
KAM=${1:-build/kam}
DB=kam.db
if [ ! -f "$DB" ]; then
    "$KAM" init --db "sqlite:$DB" >/dev/null
    "$KAM" demo --db "sqlite:$DB"
fi
LISTEN=${KAM_LISTEN:-127.0.0.1:8080}
cat <<MSG

  KAM is at http://$LISTEN/   (API description: http://$LISTEN/api/v1/openapi.json)
  Demo logins, all with the password kam-demo-2026:
    admin (users, teams)   director (all accounts)   lead.east (team lead)
    am.east1 (account manager)   finance   service1   hr   viewer (read-only)
  Stop with Ctrl-C.

MSG
exec "$KAM" serve --db "sqlite:$DB" --listen "$LISTEN"
