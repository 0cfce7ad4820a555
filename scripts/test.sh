#!/usr/bin/env bash
# The whole test suite: the README's test command and what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-postgres.sh
bash scripts/ensure-mariadb.sh # the MySQL engine's tests run on MariaDB
bash scripts/ensure-chromium.sh # the browser tests of example/app drive it

echo "== gofmt" >&2
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change: $unformatted" >&2
  exit 1
fi

# The repository is five modules tied by go.work: the generator (with the
# example), the runtime (sessionrt), the runtime's lifecycle suite on SQLite
# (sessionrt/enginetest: its SQLite drivers stay out of the runtime's
# go.mod), the benchmarks and the reliability suite.
modules="./... ./sessionrt/... ./sessionrt/enginetest/... ./bench/... ./reliability/..."

echo "== go vet" >&2
go vet $modules

echo "== the runtime module builds and vets on its own (go 1.25, pgx only)" >&2
(cd sessionrt && GOWORK=off go vet ./...)

echo "== enginetest, bench and reliability build on their own too (their go.mod files are complete)" >&2
(cd sessionrt/enginetest && GOWORK=off go vet ./...)
(cd bench && GOWORK=off go build -o /dev/null ./...)
(cd reliability && GOWORK=off go build -o /dev/null ./...)

echo "== go test" >&2
go test -count=1 -timeout 30m $modules

echo "== race detector on the concurrency-sensitive runtime tests (hijack, TimeoutHandler, clock skew, renew race, cache, the lifecycle suite)" >&2
go test -count=1 -race -run 'Hijack|Timeout|Skew|Renew|LoginRace|Duplicate|Update|Cache|Memory|Lifecycle' ./sessionrt/sessionimpl
go test -count=1 -race -run 'Lifecycle|InMemory' ./sessionrt/enginetest/mattn # SQLite: a WAL file and an in-memory database

echo "== benchmarks run once (they must keep working; figures: docs/BENCHMARKS.md)" >&2
go test -run '^$' -bench . -benchtime 1x ./bench ./sessionrt/sessionimpl

echo "== generated files are up to date (sessiongen -check), generated both ways: cgo and CGO_ENABLED=0 (WebAssembly parser); both passing -check means identical output" >&2
go run ./cmd/sessiongen -check -dir example/app -type Session -cache -engine postgresql,sqlite,mysql
CGO_ENABLED=0 CC=/nonexistent/cc go run ./cmd/sessiongen -check -dir example/app -type Session -cache -engine postgresql,sqlite,mysql

echo "== the migration replay's parser tests with CGO_ENABLED=0 (WebAssembly libpg_query)" >&2
CGO_ENABLED=0 go test -count=1 -run 'CanonicalDefault|Replay|ReadMigrations|Plan|RenderMigration|StorageOptions' ./generator ./generator/dialect/postgresql

echo "== fuzz (bounded)" >&2
go test -run '^$' -fuzz '^FuzzCookie$' -fuzztime 15s ./sessionrt/sessionimpl
# FuzzLoader runs go/packages per input (about a second under load): a count,
# not a duration, so that the end of -fuzztime never cuts an execution short
# (the fuzzer reports that as "context deadline exceeded").
go test -run '^$' -fuzz '^FuzzLoader$' -fuzztime 40x -timeout 10m ./generator
