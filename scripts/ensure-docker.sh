#!/usr/bin/env bash
# Makes sure a Docker engine answers and replay's base image exists.
# Idempotent: each part is skipped when it is already in place, so `make setup`,
# `make demo` and `.ci/run` can all call it.
#
# On a root Debian machine with no engine it installs Debian's docker.io and starts
# dockerd in the background. The base image is pulled when a registry answers;
# otherwise it is made with debootstrap and `docker import`, and the rootfs tarball is
# kept in replay's cache folder ($XDG_CACHE_HOME/replay, else ~/.cache/replay) so a
# second machine state does not bootstrap again. (Not $REPLAY_CACHE_DIR: that names the
# folder of actions/cache entries, runners/services/cache-store.ts.)
set -euo pipefail

BASE_IMAGE="${REPLAY_BASE_IMAGE:-replay-base:bookworm}"
SUITE="${REPLAY_BASE_SUITE:-bookworm}"
MIRROR="${REPLAY_DEBIAN_MIRROR:-}"
CACHE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/replay"

log() { printf '[ensure-docker] %s\n' "$*" >&2; }

engine_answers() { timeout 10 docker info >/dev/null 2>&1; }

apt_mirror() {
  if [ -n "$MIRROR" ]; then echo "$MIRROR"; return; fi
  # Use the mirror the host's apt already uses, so a corporate mirror keeps working.
  local uri
  uri=$(grep -hoE '^URIs: *[^ ]+' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v security | head -n1 || true)
  [ -n "$uri" ] || uri=$(grep -hoE '^deb +[^ ]+' /etc/apt/sources.list 2>/dev/null | awk '{print $2}' | head -n1 || true)
  echo "${uri:-http://deb.debian.org/debian}"
}

apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

start_engine() {
  if engine_answers; then return; fi
  if [ "$(id -u)" != 0 ]; then
    log "no Docker engine answers and this is not root: start Docker yourself (or set DOCKER_HOST)"
    exit 1
  fi
  if ! command -v dockerd >/dev/null 2>&1; then
    log "installing Debian's docker.io"
    apt_install docker.io iptables
  fi
  log "starting dockerd in the background (log: /var/log/replay-dockerd.log)"
  nohup dockerd >/var/log/replay-dockerd.log 2>&1 &
  for _ in $(seq 1 60); do
    if engine_answers; then log "engine is up"; return; fi
    sleep 1
  done
  log "dockerd did not answer within 60 s; see /var/log/replay-dockerd.log"
  tail -n 30 /var/log/replay-dockerd.log >&2 || true
  exit 1
}

ensure_base_image() {
  if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then return; fi
  if [ -n "${REPLAY_BASE_PULL:-}" ] && docker pull "$REPLAY_BASE_PULL" >/dev/null 2>&1; then
    docker tag "$REPLAY_BASE_PULL" "$BASE_IMAGE"
    return
  fi
  local tarball="$CACHE_DIR/base-$SUITE.tar"
  if [ ! -s "$tarball" ]; then
    command -v debootstrap >/dev/null 2>&1 || apt_install debootstrap
    local root
    root=$(mktemp -d /var/tmp/replay-rootfs.XXXXXX)
    log "bootstrapping Debian $SUITE into $root (once; cached as $tarball)"
    debootstrap --variant=minbase --include=ca-certificates "$SUITE" "$root" "$(apt_mirror)" >/var/log/replay-debootstrap.log 2>&1 \
      || { tail -n 30 /var/log/replay-debootstrap.log >&2; exit 1; }
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
    # The bootstrapped sources point at the host's mirror; keep them so apt works in images.
    mkdir -p "$CACHE_DIR"
    tar -C "$root" -cf "$tarball.tmp" .
    mv "$tarball.tmp" "$tarball"
    rm -rf "$root"
  fi
  log "importing $tarball as $BASE_IMAGE"
  docker import -c 'CMD ["/bin/bash"]' -c 'ENV LANG=C.UTF-8' "$tarball" "$BASE_IMAGE" >/dev/null
}

# The TUI's end-to-end tests drive a real terminal with tmux (they fail, saying so, without it).
ensure_tmux() {
  if command -v tmux >/dev/null 2>&1; then return; fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing tmux (for the TUI's end-to-end tests)"
    apt_install tmux
  else
    log "tmux is missing: the TUI's end-to-end tests need it (e.g. sudo apt-get install tmux)"
  fi
}

# The engine tests start their own sshd (ssh:// engines) and Podman service; both from Debian.
ensure_engine_test_tools() {
  local missing=()
  [ -x /usr/sbin/sshd ] || missing+=(openssh-server)
  command -v podman >/dev/null 2>&1 || missing+=(podman)
  command -v catatonit >/dev/null 2>&1 || [ -x /usr/libexec/podman/catatonit ] || missing+=(catatonit)
  [ "${#missing[@]}" = 0 ] && return
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing ${missing[*]} (for the ssh:// and Podman engine tests)"
    apt_install "${missing[@]}"
  else
    log "${missing[*]} missing: the ssh:// and Podman engine tests need them (e.g. sudo apt-get install ${missing[*]})"
  fi
}

start_engine
ensure_base_image
ensure_tmux
ensure_engine_test_tools
log "ready: engine answers, base image $BASE_IMAGE present"
