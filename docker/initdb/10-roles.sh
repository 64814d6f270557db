#!/bin/sh
# Run once by the db container when it creates the cluster (/docker-entrypoint-initdb.d),
# as the cluster's superuser (POSTGRES_USER): the two roles the web container uses.
#   DATABASE_OWNER_USER  owns the database, its schema and every table: migrations run as it
#                        (docker/start.sh, MIGRATE_DATABASE_URL). Not a superuser.
#   DATABASE_APP_USER    the web application (DATABASE_URL): owns nothing; after each
#                        migrate, `manage.py grant_app_role` gives it SELECT and INSERT on
#                        the history tables and read/write on the others (SECURITY.md).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v db="$POSTGRES_DB" \
  -v owner="$DATABASE_OWNER_USER" -v owner_password="$DATABASE_OWNER_PASSWORD" \
  -v app="$DATABASE_APP_USER" -v app_password="$DATABASE_APP_PASSWORD" <<'SQL'
CREATE ROLE :"owner" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'owner_password';
CREATE ROLE :"app" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'app_password';
ALTER DATABASE :"db" OWNER TO :"owner";
ALTER SCHEMA public OWNER TO :"owner";
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"db" TO :"app";
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SQL
