#!/usr/bin/env bash
# Builds the linux-x64-musl addon on a glibc Linux host (Debian: `apt-get install musl-tools`) for
# `npm run build:musl`. The addon links musl's libc.so dynamically (a cdylib cannot use the static
# C runtime; napi build adds -crt-static to RUSTFLAGS), through musl-gcc. musl-gcc searches only musl's own library
# folder, so libgcc_s.so.1 (unwinding; Alpine's Node loads it too) is offered from a folder holding
# just that file. On Alpine itself (the CI workflow) plain `napi build --target ...-musl` is enough.
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
