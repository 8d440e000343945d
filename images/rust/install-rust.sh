#!/bin/sh
# Installs the pinned Rust toolchain from RUST_SOURCE (rustup or debian); see the Dockerfile.
# Reads RUST_* and RUSTUP_* from the environment (the Dockerfile's build args).
set -eu

record() { # source detail
  mkdir -p /etc/replay/toolchains.d
  printf '{"rust":{"version":"%s","source":"%s","detail":"%s"}}\n' \
    "$(rustc --version | cut -d' ' -f2)" "$1" "$2" >/etc/replay/toolchains.d/rust.json
}

check_version() {
  actual=$(rustc --version | cut -d' ' -f2)
  if [ "$actual" != "$RUST_VERSION" ]; then
    echo "install-rust.sh: expected rustc $RUST_VERSION, got $actual" >&2
    exit 1
  fi
  cargo --version
  cargo fmt --version
  cargo clippy --version
}

case "$RUST_SOURCE" in
rustup)
  work=$(mktemp -d)
  curl -fsSL --retry 5 --retry-delay 2 -o "$work/rustup-init" "$RUSTUP_URL"
  if ! printf '%s  %s\n' "$RUSTUP_SHA256" "$work/rustup-init" | sha256sum -c --quiet -; then
    echo "install-rust.sh: sha256 mismatch for $RUSTUP_URL (expected $RUSTUP_SHA256)" >&2
    exit 1
  fi
  chmod 0755 "$work/rustup-init"
  install -d -o runner -g runner "$CARGO_HOME" "$RUSTUP_HOME"
  # As the runner, so that `rustup component add` and `cargo install` work in steps.
  sudo -u runner --preserve-env=CARGO_HOME,RUSTUP_HOME,PATH "$work/rustup-init" -y --no-modify-path \
    --profile minimal --default-toolchain "$RUST_VERSION" --component rustfmt,clippy
  rm -rf "$work"
  check_version
  record rustup "rustup $RUSTUP_VERSION"
  ;;
debian)
  # The runner image lists bookworm-security already; another suite gets a source of its own.
  if ! grep -rqsE "^deb [^ ]+ $RUST_SUITE " /etc/apt/sources.list /etc/apt/sources.list.d/; then
    echo "deb $RUST_URL $RUST_SUITE main" >/etc/apt/sources.list.d/replay-rust.list
  fi
  # The Rust packages are pinned to RUST_VERSION; nothing else changes release.
  printf 'Package: %s libstd-rust-web-*\nPin: version %s+*\nPin-Priority: 990\n' "$RUST_PACKAGES" "$RUST_VERSION" \
    >/etc/apt/preferences.d/replay-rust
  apt-get update
  # shellcheck disable=SC2086
  apt-get install -y --no-install-recommends $RUST_PACKAGES
  apt-get clean
rm -rf /var/lib/apt/lists/*
  install -d -o runner -g runner "$CARGO_HOME" "$CARGO_HOME/bin" "$RUSTUP_HOME"
  check_version
  record debian "Debian $RUST_SUITE $(dpkg-query -W -f '${Version}' rustc-web)"
  ;;
*)
  echo "install-rust.sh: RUST_SOURCE must be rustup or debian, not '$RUST_SOURCE'" >&2
  exit 2
  ;;
esac
