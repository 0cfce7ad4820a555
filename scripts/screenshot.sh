#!/usr/bin/env bash
# Regenerates docs/example-page.png, the screenshot of the example's page
# in the README: TestBrowserScreenshot drives headless Chromium through the
# page (alice on two devices, a cart, the counter, a notice) and writes it.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-postgres.sh
bash scripts/ensure-chromium.sh
go test -count=1 -run '^TestBrowserScreenshot$' ./example/app -args -screenshot "$PWD/docs/example-page.png"
echo "screenshot: wrote docs/example-page.png" >&2
