#!/usr/bin/env bash
# Every cargo-fuzz target of fuzz/ for N seconds each: `npm run fuzz -- 300` (or `scripts/fuzz.sh 300`).
# Needs nightly Rust and cargo-fuzz. Details: CONTRIBUTING.md, Scripts.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

seconds="${1:-60}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
  echo "usage: scripts/fuzz.sh <seconds per target>" >&2
  exit 2
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "needs a nightly toolchain and cargo-fuzz: rustup toolchain install nightly && cargo install cargo-fuzz --locked" >&2
  exit 2
fi

for target in $(cargo +nightly fuzz list); do
  echo "== fuzz target ${target}: ${seconds} s"
  mkdir -p "corpus/${target}"
  cargo +nightly fuzz run -O "${target}" "corpus/${target}" -- \
    -max_total_time="${seconds}" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048
done
echo "== every fuzz target ran ${seconds} s without a finding"
