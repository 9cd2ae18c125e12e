# Liaison — the recipes a newcomer needs. `just --list` shows them all.

set shell := ["bash", "-euo", "pipefail", "-c"]

# Project-local tools (nats-server) come first on PATH for every recipe.
export PATH := justfile_directory() + "/.tools/bin:" + env_var("PATH")

# Show the recipes.
default:
    @just --list

# Install what is not a Rust crate (nats-server 2.15) into .tools/.
setup:
    scripts/setup.sh

# Run every test against a real nats-server and real sled databases.
test: setup
    cargo test --workspace --all-targets --locked

# Run the whole stack locally and walk through the Meta–LG scenario.
demo: setup
    cargo build --release --locked -p liaison -p liaison-ingest -p liaison-projection -p liaison-notifier
    target/release/liaison demo

# Formatting and lints, as CI checks them.
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets --locked -- -D warnings

# Measure the pipeline against the raw engines (`just bench --quick` for a one-minute run).
bench *ARGS: setup
    cargo build --release --locked -p liaison-bench -p liaison-ingest -p liaison-projection -p liaison-notifier
    target/release/liaison-bench {{ARGS}}

# Start a local nats-server with the shipped single-node configuration, secured: credentials and
# certificates in ./data/nats-secrets (generated on first use, as `liaison dev` does).
nats: setup
    cargo build --release --locked -p liaison
    target/release/liaison admin nats-config --data-dir data
    nats-server -c data/nats-server.conf

# The news extractor against its gold set: precision, recall and F1 per event type and language
# (`just eval --verbose` lists misses and false positives with their sentence).
eval *ARGS:
    cargo run --release --locked -p liaison-extract --example eval -- {{ARGS}}
