#!/bin/sh
# Installs Debian's Go (GO_PACKAGES from GO_SUITE, pinned to GO_VERSION), puts `go` and
# `gofmt` on PATH, and lays it out in the tool cache as actions/setup-go looks for it:
# $RUNNER_TOOL_CACHE/go/<version>/x64 with its x64.complete marker.
set -eu
series=$(echo "$GO_VERSION" | cut -d. -f1,2)
goroot="/usr/lib/go-$series"

echo "deb $GO_URL $GO_SUITE main" >/etc/apt/sources.list.d/replay-go.list
printf 'Package: %s\nPin: version %s-*\nPin-Priority: 990\n\nPackage: *\nPin: release n=%s\nPin-Priority: 100\n' \
  "$GO_PACKAGES" "$GO_VERSION" "$GO_SUITE" >/etc/apt/preferences.d/replay-go
apt-get update
# shellcheck disable=SC2086
apt-get install -y --no-install-recommends $GO_PACKAGES
rm -f /etc/apt/sources.list.d/replay-go.list /etc/apt/preferences.d/replay-go
apt-get clean
rm -rf /var/lib/apt/lists/*

ln -sf "$goroot/bin/go" /usr/local/bin/go
ln -sf "$goroot/bin/gofmt" /usr/local/bin/gofmt
actual=$(go env GOVERSION)
if [ "$actual" != "go$GO_VERSION" ]; then
  echo "install-go.sh: expected go$GO_VERSION, got $actual" >&2
  exit 1
fi
tool_cache=${RUNNER_TOOL_CACHE:-/opt/hostedtoolcache}
mkdir -p "$tool_cache/go/$GO_VERSION"
ln -s "$goroot" "$tool_cache/go/$GO_VERSION/x64"
touch "$tool_cache/go/$GO_VERSION/x64.complete"
chown -R runner:runner "$tool_cache/go"
mkdir -p /etc/replay/toolchains.d
printf '{"go":{"version":"%s","source":"debian","detail":"Debian %s %s"}}\n' \
  "$GO_VERSION" "$GO_SUITE" "$(dpkg-query -W -f '${Version}' "golang-$series-go")" >/etc/replay/toolchains.d/go.json
