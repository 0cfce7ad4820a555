#!/usr/bin/env bash
# The main job: regenerate the example's session layer and start the example
# on http://127.0.0.1:8080 (plain http, so the cookie is sent without
# Secure: -insecure-cookie).
#
# Without DATABASE_URL the example runs on the SQLite file sessions.db
# (-db names another): no database server is needed. With
# DATABASE_URL=postgres://... it runs on PostgreSQL; a local one
# (127.0.0.1:5432 or localhost:5432) this script makes sure is up first
# (scripts/ensure-postgres.sh). With DATABASE_URL=mysql://... it runs on
# MySQL or MariaDB; a local one (127.0.0.1:3306) likewise
# (scripts/ensure-mariadb.sh):
#
#   DATABASE_URL='postgres://postgres@127.0.0.1:5432/test?sslmode=disable' bash scripts/demo.sh -cache 10000
#   DATABASE_URL='mysql://root@127.0.0.1:3306/test' bash scripts/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."

case "${DATABASE_URL:-}" in
postgres*://*@127.0.0.1:5432/* | postgres*://*@localhost:5432/*) bash scripts/ensure-postgres.sh ;;
mysql://*@127.0.0.1:3306/* | mysql://*@localhost:3306/*) bash scripts/ensure-mariadb.sh ;;
esac
go generate ./example/...
exec go run ./example -insecure-cookie "$@"
