#!/usr/bin/env bash
# Checks the darwin-x64 and darwin-arm64 addons (`npm run check:darwin`, after `npm run build:darwin`
# here or `npm run build` on a Mac): each is a 64-bit Mach-O dylib for its architecture, built for
# macOS 11.0 and later (LC_BUILD_VERSION platform macos, minos 11.0), whose install name
# (LC_ID_DYLIB) is relative (@rpath/<file>, not a build folder), which loads only system libraries,
# and which exports _napi_register_module_v1 (what Node calls to load it). Prints what it read.
# Reads the Mach-O with llvm-objdump (Debian: apt-get install llvm); on macOS, Xcode's objdump is the
# same tool.
# Usage: bash scripts/check-macho.sh [file.node ...]   (default: both darwin addons at the root)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=mtribes-trusted-identity
# The same as MACOS_MIN in scripts/build-zig.sh and MACOSX_DEPLOYMENT_TARGET in the GitHub workflow.
MACOS_MIN=11.0

fail() { echo "check-macho: $*" >&2; exit 1; }

objdump="$(command -v llvm-objdump || true)"
if [ -z "$objdump" ] && [ "$(uname -s)" = Darwin ]; then objdump="$(command -v objdump || true)"; fi
[ -n "$objdump" ] || fail "llvm-objdump not found: apt-get install llvm"
command -v file >/dev/null || fail "file not found: apt-get install file"

files=("$@")
[ "${#files[@]}" -gt 0 ] || files=("$BIN.darwin-x64.node" "$BIN.darwin-arm64.node")

for f in "${files[@]}"; do
  [ -f "$f" ] || fail "$f not found (npm run build:darwin builds it)"
  case "$f" in
    *darwin-x64.node) cpu=X86_64 filearch=x86_64 ;;
    *darwin-arm64.node) cpu=ARM64 filearch=arm64 ;;
    *) fail "$f: no expected architecture for this file name" ;;
  esac
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
done
