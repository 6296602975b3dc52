#!/usr/bin/env bash
# The test command: every unit, integration and browser test, on a fresh machine too.
# Needs Java 17, Maven and Node 20; installs Chromium with apt-get when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in java mvn node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "test: '$tool' is not installed (the tests need Java 17, Maven and Node 20)" >&2
    exit 1
  fi
done

scripts/install-browser.sh
exec mvn -B verify "$@"
