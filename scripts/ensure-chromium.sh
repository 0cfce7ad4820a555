#!/usr/bin/env bash
# Makes sure a Chromium for the browser tests (example/app/browser_test.go)
# is installed: Debian's chromium package, with apt-get when it is missing.
# Used by the test command (scripts/test.sh, what CI runs) and the
# screenshot command. A browser named by SESSIONGEN_CHROMIUM, or chromium,
# chromium-browser, google-chrome on PATH, is used as it is.
set -euo pipefail

sudo_() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

found() {
  if [ -n "${SESSIONGEN_CHROMIUM:-}" ]; then
    [ -x "$SESSIONGEN_CHROMIUM" ] && echo "$SESSIONGEN_CHROMIUM"
    return
  fi
  for name in chromium chromium-browser google-chrome google-chrome-stable; do
    if command -v "$name" >/dev/null 2>&1; then
      command -v "$name"
      return
    fi
  done
  return 1
}

if ! path=$(found); then
  if [ -n "${SESSIONGEN_CHROMIUM:-}" ]; then
    echo "ensure-chromium: SESSIONGEN_CHROMIUM=$SESSIONGEN_CHROMIUM is not an executable" >&2
    exit 1
  fi
  echo "ensure-chromium: Chromium is not installed; installing Debian's chromium with apt-get" >&2
  sudo_ env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  path=$(found) || { echo "ensure-chromium: apt-get installed chromium, but no chromium is on PATH" >&2; exit 1; }
fi
echo "ensure-chromium: $("$path" --version 2>/dev/null || echo "$path")" >&2
