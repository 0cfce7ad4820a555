#!/usr/bin/env bash
# Makes sure MariaDB answers on 127.0.0.1:3306 for user root without a
# password, with a database named test: starts the server if it is down, and
# installs Debian's mariadb-server with apt-get if it is missing. Used by CI
# and the test command (the MySQL engine's tests run on it).
set -euo pipefail

host=127.0.0.1 port=3306
ready() { mariadb-admin --protocol=tcp -h "$host" -P "$port" -uroot ping >/dev/null 2>&1; }
sudo_() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if [ ! -x /usr/sbin/mariadbd ]; then
  echo "ensure-mariadb: MariaDB is not installed; installing mariadb-server with apt-get" >&2
  sudo_ env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mariadb-server mariadb-client >/dev/null
fi

if ! ready; then
  echo "ensure-mariadb: starting MariaDB" >&2
  sudo_ install -d -o mysql -g mysql /run/mysqld
  sudo_ start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql
fi

for _ in $(seq 1 60); do
  ready && break
  # A fresh install has root@localhost on the socket only: give root on
  # 127.0.0.1 no password (local development and CI only).
  if sudo_ mariadb -uroot -e "SELECT 1" >/dev/null 2>&1; then
    sudo_ mariadb -uroot -e "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY ''; GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION" || true
  fi
  sleep 1
done
if ! ready; then
  echo "ensure-mariadb: MariaDB does not answer on $host:$port as root after 60 s; see /var/log/mysql/" >&2
  exit 1
fi
mariadb --protocol=tcp -h "$host" -P "$port" -uroot -e "CREATE DATABASE IF NOT EXISTS test"
echo "ensure-mariadb: MariaDB is up on $host:$port" >&2
