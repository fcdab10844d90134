#!/usr/bin/env bash
# Checks built addons before they ship: the gnu ones' glibc floor, the darwin ones' Mach-O load commands.
# `bash scripts/check-binaries.sh gnu | darwin | file.node ...` (npm run check:gnu, check:darwin).
# Details: CONTRIBUTING.md, Scripts.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=mtribes-trusted-identity
# The oldest glibc the gnu builds may need: GLIBC_MIN in scripts/build-zig.sh.
FLOOR=2.17
# The same as MACOS_MIN in scripts/build-zig.sh and MACOSX_DEPLOYMENT_TARGET in the GitHub workflow.
MACOS_MIN=11.0

fail() { echo "check-binaries: $*" >&2; exit 1; }

check_gnu() {
  local f="$1" machine="$2"
  command -v readelf >/dev/null || fail "readelf not found: apt-get install binutils"
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
}

check_darwin() {
  local f="$1" cpu="$2" filearch="$3"
  local objdump
  objdump="$(command -v llvm-objdump || true)"
  if [ -z "$objdump" ] && [ "$(uname -s)" = Darwin ]; then objdump="$(command -v objdump || true)"; fi
  [ -n "$objdump" ] || fail "llvm-objdump not found: apt-get install llvm"
  command -v file >/dev/null || fail "file not found: apt-get install file"
  kind="$(file -b "$f")"
  # Debian's file says "Mach-O 64-bit x86_64 dynamically linked shared library", macOS's puts the
  # architecture last.
  { grep -q '^Mach-O 64-bit ' <<<"$kind" && grep -q 'dynamically linked shared library' <<<"$kind" &&
    grep -Eq "(^| )$filearch( |,|$)" <<<"$kind"; } || fail "$f is not a 64-bit $filearch Mach-O dylib: $kind"

  # The mach header line: magic cputype cpusubtype caps filetype ncmds sizeofcmds flags.
  header="$("$objdump" --macho --private-header "$f" | awk '$1 == "MH_MAGIC_64"')"
  [ "$(awk '{ print $2 }' <<<"$header")" = "$cpu" ] || fail "$f: cputype is not $cpu: $header"
  [ "$(awk '{ print $5 }' <<<"$header")" = DYLIB ] || fail "$f: filetype is not DYLIB: $header"

  # One "cmd <field>=<value>..." line per load command, from llvm-objdump's indented listing.
  commands="$("$objdump" --macho --private-headers "$f" | awk '
    /^Load command/ { if (line) print line; line = ""; next }
    $1 == "cmd" { line = $2; next }
    line && ($1 == "platform" || $1 == "minos" || $1 == "sdk" || $1 == "name") { line = line " " $1 "=" $2 }
    END { if (line) print line }')"
  build="$(grep '^LC_BUILD_VERSION ' <<<"$commands" || true)"
  [ -n "$build" ] || fail "$f has no LC_BUILD_VERSION"
  platform="$(sed -nE 's/.* platform=([^ ]*).*/\1/p' <<<"$build")"
  minos="$(sed -nE 's/.* minos=([^ ]*).*/\1/p' <<<"$build")"
  sdk="$(sed -nE 's/.* sdk=([^ ]*).*/\1/p' <<<"$build")"
  [ "$platform" = macos ] || fail "$f: LC_BUILD_VERSION platform is $platform, not macos"
  [ "$minos" = "$MACOS_MIN" ] || fail "$f: LC_BUILD_VERSION minos is $minos, not $MACOS_MIN"
  id="$(sed -nE 's/^LC_ID_DYLIB name=(.*)$/\1/p' <<<"$commands")"
  [ -n "$id" ] || fail "$f has no LC_ID_DYLIB"
  [ "$id" = "@rpath/$(basename "$f")" ] || fail "$f: install name (LC_ID_DYLIB) is $id, not @rpath/$(basename "$f")"
  loads="$(sed -nE 's/^LC_LOAD_DYLIB name=(.*)$/\1/p' <<<"$commands")"
  while read -r lib; do
    case "$lib" in /usr/lib/* | /System/Library/*) ;; *) fail "$f loads $lib, not a system library" ;; esac
  done <<<"$loads"

  exports="$("$objdump" --macho --exports-trie "$f" | awk '$1 ~ /^0x/ { print $2 }')"
  grep -qx '_napi_register_module_v1' <<<"$exports" || fail "$f does not export _napi_register_module_v1"

  echo "$f: $filearch Mach-O dylib, platform $platform minos $minos (sdk $sdk), install name $id," \
    "loads $(tr '\n' ' ' <<<"$loads" | sed 's/ $//'), exports _napi_register_module_v1 ($(grep -c . <<<"$exports") exports)"
}

case "${1:-}" in
  gnu) files=("$BIN.linux-x64-gnu.node" "$BIN.linux-arm64-gnu.node") ;;
  darwin) files=("$BIN.darwin-x64.node" "$BIN.darwin-arm64.node") ;;
  '') fail "usage: bash scripts/check-binaries.sh gnu | darwin | file.node ..." ;;
  *) files=("$@") ;;
esac

for f in "${files[@]}"; do
  [ -f "$f" ] || fail "$f not found (npm run build:gnu or npm run build:darwin builds it)"
  case "$f" in
    *linux-x64-gnu.node) check_gnu "$f" 'Advanced Micro Devices X86-64' ;;
    *linux-arm64-gnu.node) check_gnu "$f" 'AArch64' ;;
    *darwin-x64.node) check_darwin "$f" X86_64 x86_64 ;;
    *darwin-arm64.node) check_darwin "$f" ARM64 arm64 ;;
    *) fail "$f: not a gnu or darwin addon name" ;;
  esac
done
