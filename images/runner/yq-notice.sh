#!/bin/sh
# /usr/local/bin/yq: GitHub's runners have mikefarah's yq (Go, v4). Debian has only
# kislyuk's yq, a jq wrapper with other flags and output (JSON unless -y), so a step that
# calls yq is told which one it got rather than left to guess. See docs/parity.md.
echo "replay: this yq is Debian's (kislyuk's jq wrapper), not mikefarah's yq 4 that GitHub's runner image has; its syntax and output differ" >&2
exec /usr/bin/yq "$@"
