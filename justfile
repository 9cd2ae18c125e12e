# Liaison — the recipes a newcomer needs. `just --list` shows them all.

set shell := ["bash", "-euo", "pipefail", "-c"]

# Project-local tools (nats-server) come first on PATH for every recipe.
export PATH := justfile_directory() + "/.tools/bin:" + env_var("PATH")

# Show the recipes.
default:
    @just --list

# Install what is not a crate: nats-server 2.15 (.tools/), Debian's chromium and chromedriver.
setup: setup-nats
    scripts/setup-browser.sh

# Install nats-server 2.15 into .tools/ (all the demo and the bench need).
setup-nats:
    scripts/setup.sh

# Run every test against a real nats-server and real sled databases.
test: setup
    cargo test --workspace --all-targets --locked

# Run the whole stack locally and walk through the Meta–LG scenario.
demo: setup-nats
    cargo build --release --locked -p liaison -p liaison-ingest -p liaison-projection -p liaison-notifier -p liaison-reader -p liaison-console
    target/release/liaison demo

# Formatting and lints, as CI checks them (and that the console's built UI is its sources').
lint: check-assets
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets --locked -- -D warnings

# Build the console's UI (console/web, with the locked npm packages) into services/console/assets.
console-assets:
    cd console/web && npm ci --no-audit --no-fund --loglevel=error && node build.mjs

# Rebuild the console's UI and fail when it differs from the committed services/console/assets.
check-assets: console-assets
    @git diff --exit-code --stat -- services/console/assets || { echo "services/console/assets differs from a fresh build of console/web: run \`just console-assets\` and commit the result" >&2; exit 1; }
    @untracked=$(git ls-files --others --exclude-standard -- services/console/assets); [ -z "$untracked" ] || { echo "services/console/assets has files not committed: $untracked; run \`just console-assets\` and commit the result" >&2; exit 1; }

# Measure the pipeline against the raw engines (`just bench --quick` for a one-minute run).
bench *ARGS: setup-nats
    cargo build --release --locked -p liaison-bench -p liaison -p liaison-ingest -p liaison-projection -p liaison-notifier -p liaison-reader
    target/release/liaison-bench {{ARGS}}

# Start a local nats-server with the shipped single-node configuration, secured: credentials and
# certificates in ./data/nats-secrets (generated on first use, as `liaison dev` does).
nats: setup-nats
    cargo build --release --locked -p liaison
    target/release/liaison admin nats-config --data-dir data
    nats-server -c data/nats-server.conf

# The news extractor against its gold set: precision, recall and F1 per event type and language
# (`just eval --verbose` lists misses and false positives with their sentence).
eval *ARGS:
    cargo run --release --locked -p liaison-extract --features gold --example eval -- {{ARGS}}
