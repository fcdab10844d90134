#!/usr/bin/env bash
# Builds the release addon for the targets this Linux machine cross-compiles with zig (cargo-zigbuild
# through `napi build -x`), with the pinned zig and cargo-zigbuild from PyPI (scripts/tools.js,
# zigToolchain), and writes them where the loader looks (mtribes-trusted-identity.<platform>.node):
#   gnu     (npm run build:gnu)     linux-x64-gnu, linux-arm64-gnu against glibc 2.17, so they load on
#                                   glibc 2.17 and later (check: npm run check:gnu)
#   darwin  (npm run build:darwin)  darwin-x64, darwin-arm64 for macOS 11.0 and later, with a relative
#                                   install name (build.rs) (check: npm run check:darwin)
#   aarch64-unknown-linux-musl      linux-arm64-musl (npm run build:linux-arm64-musl), linking musl's
#                                   libc.so dynamically (run: npm run test:musl, under qemu)
# One target alone: `bash scripts/build-zig.sh x86_64-unknown-linux-gnu` (what each GitHub workflow
# build job for a Linux glibc target runs; a gnu target is always built against glibc 2.17).
# Needs the rustup targets x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu x86_64-apple-darwin
# aarch64-apple-darwin (aarch64-unknown-linux-musl for that one). Prints how long each target took.
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
  *) fail "usage: bash scripts/build-zig.sh gnu|darwin|<one of their four targets>|<x86_64 or aarch64>-unknown-linux-musl" ;;
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
