#!/usr/bin/env bash
# Installs what the console's browser tests drive: Debian's `chromium` and `chromium-driver`
# (chromedriver), never a downloaded browser (docs/decisions/018-the-console.md).
# Safe to run again: it does nothing when /usr/bin/chromium and /usr/bin/chromedriver exist.
set -euo pipefail

if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  echo "setup: $(/usr/bin/chromium --version 2>/dev/null | head -n1) and chromedriver at /usr/bin"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup: the console's browser tests need Debian's chromium and chromium-driver" \
       "(/usr/bin/chromium, /usr/bin/chromedriver); install them with your package manager" >&2
  exit 1
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
  else
    echo "setup: installing chromium needs root (apt-get install chromium chromium-driver)" >&2
    exit 1
  fi
fi

echo "setup: installing Debian's chromium and chromium-driver (apt-get), for the console's browser tests"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
[ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] || {
  echo "setup: chromium or chromedriver missing after apt-get install" >&2
  exit 1
}
echo "setup: $(/usr/bin/chromium --version 2>/dev/null | head -n1) and chromedriver at /usr/bin"
