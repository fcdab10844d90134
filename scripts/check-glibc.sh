#!/usr/bin/env bash
# Checks the linux-x64-gnu and linux-arm64-gnu addons (`npm run check:gnu`, after `npm run build:gnu`):
# each is a 64-bit ELF shared object for its architecture, links glibc (libc.so.6), and needs no
# GLIBC_ symbol version above 2.17, so it loads on glibc 2.17 (CentOS 7, Amazon Linux 2) and later.
# Prints the highest version each needs and the symbols that need it. Reads the ELF with binutils'
# readelf, so it checks either architecture on any Linux host.
# Usage: bash scripts/check-glibc.sh [file.node ...]   (default: both gnu addons at the root)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=mtribes-trusted-identity
FLOOR=2.17

fail() { echo "check-glibc: $*" >&2; exit 1; }
command -v readelf >/dev/null || fail "readelf not found: apt-get install binutils"

files=("$@")
[ "${#files[@]}" -gt 0 ] || files=("$BIN.linux-x64-gnu.node" "$BIN.linux-arm64-gnu.node")

for f in "${files[@]}"; do
  [ -f "$f" ] || fail "$f not found (npm run build:gnu builds it)"
  case "$f" in
    *linux-x64-gnu.node) machine='Advanced Micro Devices X86-64' ;;
    *linux-arm64-gnu.node) machine='AArch64' ;;
    *) fail "$f: no expected architecture for this file name" ;;
  esac
  header="$(readelf -h "$f")"
  grep -Eq '^\s+Class:\s+ELF64$' <<<"$header" || fail "$f is not a 64-bit ELF"
  grep -Eq '^\s+Type:\s+DYN ' <<<"$header" || fail "$f is not a shared object"
  got="$(sed -nE 's/^\s+Machine:\s+(.*)$/\1/p' <<<"$header")"
  [ "$got" = "$machine" ] || fail "$f is for $got, expected $machine"
  readelf -d "$f" | grep -q '\[libc.so.6\]' || fail "$f does not link glibc (libc.so.6)"
  # Every versioned dynamic symbol the file imports, as "name@GLIBC_x.y".
  syms="$(readelf --dyn-syms -W "$f" | awk '$7 == "UND" { print $8 }' | sed -E 's/ \([0-9]+\)$//' | grep -E '@GLIBC_[0-9.]+$' || true)"
  [ -n "$syms" ] || fail "$f imports no GLIBC_-versioned symbol: cannot tell its glibc floor"
  highest="$(sed -E 's/.*@GLIBC_//' <<<"$syms" | sort -uV | tail -1)"
  needing="$(grep -E "@GLIBC_${highest//./\\.}$" <<<"$syms" | sed -E 's/@.*//' | sort -u)"
  some="$(head -4 <<<"$needing" | tr '\n' ' ')"
  echo "$f: $got, links libc.so.6, highest GLIBC_$highest (needed by $(grep -c . <<<"$needing") of $(grep -c . <<<"$syms") versioned imports: ${some% }$([ "$(grep -c . <<<"$needing")" -le 4 ] || echo ' ...'))"
  [ "$(printf '%s\n%s\n' "$highest" "$FLOOR" | sort -V | tail -1)" = "$FLOOR" ] ||
    fail "$f needs GLIBC_$highest, above the $FLOOR floor"
done
