#!/bin/sh
# Installs Yarn 1 where `npm install -g yarn` puts it on GitHub's image (their Node lives
# in /usr/local): /usr/local/lib/node_modules/yarn, with `yarn` and `yarnpkg` in
# /usr/local/bin. It runs on whichever node is first on PATH, as there.
#
# usage: install-yarn.sh VERSION URL SHA512
set -eu
[ "$#" -eq 3 ] || { echo "install-yarn.sh: expected 3 arguments, got $#" >&2; exit 2; }
here=$(dirname "$0")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dest=/usr/local/lib/node_modules/yarn

sh "$here/fetch-checked.sh" "$2" "$3" "$work/yarn.tgz"
mkdir -p "$dest"
tar -xzf "$work/yarn.tgz" -C "$dest" --strip-components=1 --no-same-owner
ln -sf ../lib/node_modules/yarn/bin/yarn.js /usr/local/bin/yarn
ln -sf ../lib/node_modules/yarn/bin/yarn.js /usr/local/bin/yarnpkg
actual=$(yarn --version)
if [ "$actual" != "$1" ]; then
  echo "install-yarn.sh: expected yarn $1, it says $actual" >&2
  exit 1
fi
echo "yarn $actual installed in $dest"
