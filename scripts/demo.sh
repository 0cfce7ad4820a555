#!/usr/bin/env bash
# The main job: make sure PostgreSQL is up, regenerate the example's session
# layer, and start the example on http://127.0.0.1:8080 (plain http, so the
# cookie is sent without Secure: -insecure-cookie).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-postgres.sh
go generate ./example/...
exec go run ./example -insecure-cookie "$@"
