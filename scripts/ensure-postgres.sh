#!/usr/bin/env bash
# Makes sure PostgreSQL answers on 127.0.0.1:5432 with trust auth for user
# postgres and a database named test: starts the cluster if it is down, and
# installs it with apt-get if it is missing. Used by CI, the test command and
# the demo command alike.
set -euo pipefail

host=127.0.0.1 port=5432
ready() { pg_isready -q -h "$host" -p "$port" -U postgres 2>/dev/null; }
sudo_() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  echo "ensure-postgres: PostgreSQL is not installed; installing it with apt-get" >&2
  sudo_ env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql postgresql-client >/dev/null
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  hba=/etc/postgresql/$version/main/pg_hba.conf
  # Local development and CI only: trust connections from this machine.
  sudo_ sed -i -E 's/^(local|host)(\s+.*\s+)(peer|md5|scram-sha-256|ident)\s*$/\1\2trust/' "$hba"
fi

if ! ready; then
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  echo "ensure-postgres: starting PostgreSQL $version" >&2
  sudo_ pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
fi

for _ in $(seq 1 60); do
  ready && break
  sleep 1
done
if ! ready; then
  echo "ensure-postgres: PostgreSQL does not answer on $host:$port after 60 s; see /var/log/postgresql/" >&2
  exit 1
fi

if ! psql -h "$host" -p "$port" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'test'" | grep -q 1; then
  psql -h "$host" -p "$port" -U postgres -d postgres -qc "CREATE DATABASE test"
fi
echo "ensure-postgres: PostgreSQL is up on $host:$port" >&2
