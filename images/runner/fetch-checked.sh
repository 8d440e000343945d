#!/bin/sh
# Downloads URL to FILE and fails unless its sha512 is SHA512 (the pin in
# images/toolchains.yml); nothing unchecked is ever unpacked.
#
# usage: fetch-checked.sh URL SHA512 FILE
set -eu
[ "$#" -eq 3 ] || { echo "fetch-checked.sh: expected 3 arguments, got $#" >&2; exit 2; }
curl -fsSL --retry 5 --retry-delay 2 -o "$3" "$1"
if ! printf '%s  %s\n' "$2" "$3" | sha512sum -c --quiet -; then
  echo "fetch-checked.sh: sha512 mismatch for $1 (expected $2)" >&2
  rm -f "$3"
  exit 1
fi
