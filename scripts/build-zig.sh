#!/usr/bin/env bash
# The release addon for the targets this Linux machine cross-compiles with zig (napi build -x, the zig and
# cargo-zigbuild scripts/tools.js pins): `bash scripts/build-zig.sh gnu|darwin|<target>` (npm run build:gnu,
# build:darwin, build:linux-arm64-musl). Details: CONTRIBUTING.md, Scripts.
set -euo pipefail
cd "$(dirname "$0")/.."

# The oldest macOS the darwin builds load on (LC_BUILD_VERSION minos); the GitHub workflow's darwin
# jobs and scripts/check-binaries.sh say the same.
MACOS_MIN=11.0
# The oldest glibc the gnu builds load on: cargo-zigbuild's .2.17 target suffix.
GLIBC_MIN=2.17

fail() { echo "build-zig: $*" >&2; exit 1; }

case "${1:-}" in
  gnu) targets=("x86_64-unknown-linux-gnu.$GLIBC_MIN" "aarch64-unknown-linux-gnu.$GLIBC_MIN") ;;
  darwin) targets=(x86_64-apple-darwin aarch64-apple-darwin) ;;
  x86_64-unknown-linux-gnu | aarch64-unknown-linux-gnu) targets=("$1.$GLIBC_MIN") ;;
  x86_64-apple-darwin | aarch64-apple-darwin | x86_64-unknown-linux-musl | aarch64-unknown-linux-musl) targets=("$1") ;;
  *) fail "usage: bash scripts/build-zig.sh gnu|darwin|<one of their targets>|<x86_64|aarch64>-unknown-linux-musl" ;;
esac

if command -v rustup >/dev/null; then
  installed="$(rustup target list --installed)"
  for t in "${targets[@]}"; do
    grep -qx "${t%%.*}" <<<"$installed" || fail "rustup target ${t%%.*} is missing: rustup target add ${t%%.*}"
  done
fi

zig_env="$(node scripts/tools.js zig-env)" || fail "no zig toolchain (scripts/tools.js zig-env failed)"
eval "$zig_env"
# cargo-zigbuild passes it to zig as the target's OS version; rustc reads it too. Only darwin reads it.
export MACOSX_DEPLOYMENT_TARGET="$MACOS_MIN"

for t in "${targets[@]}"; do
  start=$SECONDS
  npx napi build --platform --release --no-js --dts binding.d.ts -x --target "$t" || fail "napi build -x --target $t failed"
  echo "build-zig: $t built in $((SECONDS - start)) s"
done
