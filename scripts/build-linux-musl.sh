#!/usr/bin/env bash
# `npm run build:musl`: the linux-x64-musl addon on a glibc Linux host (Debian: musl-tools), through musl-gcc,
# linking musl's libc.so dynamically. Details: CONTRIBUTING.md, Scripts.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v musl-gcc >/dev/null || { echo "musl-gcc not found: apt-get install musl-tools" >&2; exit 1; }
libgcc="$(gcc -print-file-name=libgcc_s.so.1)"
linkdir="$PWD/target/musl-link"
mkdir -p "$linkdir"
ln -sf "$libgcc" "$linkdir/libgcc_s.so.1"
export CARGO_TARGET_X86_64_UNKNOWN_LINUX_MUSL_LINKER=musl-gcc
export RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=-crt-static -C link-arg=-L$linkdir"
exec npx napi build --platform --release --no-js --dts binding.d.ts --target x86_64-unknown-linux-musl "$@"
