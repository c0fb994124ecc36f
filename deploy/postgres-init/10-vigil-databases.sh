#!/bin/bash
# Run once by the postgres image on an empty data directory (/docker-entrypoint-initdb.d): one
# role and one database per name in VIGIL_DATABASES, the role owning its database, with the
# password VIGIL_DB_PASSWORD, and no access for other roles. Each monitor gets its own database
# (its identity key, channels and chain position live there); `vigil_demo` is the demo manager's.
# To add a database later, run the same statements with psql: init scripts never run again.
set -euo pipefail

: "${VIGIL_DATABASES:?set VIGIL_DATABASES to the database names, separated by spaces}"
: "${VIGIL_DB_PASSWORD:?set VIGIL_DB_PASSWORD}"

for db in $VIGIL_DATABASES; do
  echo "vigil: creating role and database $db"
  psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname postgres \
    -v db="$db" -v password="$VIGIL_DB_PASSWORD" <<'SQL'
CREATE ROLE :"db" LOGIN PASSWORD :'password';
CREATE DATABASE :"db" OWNER :"db";
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
SQL
done
