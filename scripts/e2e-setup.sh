#!/usr/bin/env bash
# Installs what the editor end-to-end suite needs, outside the repository:
#   apt: chromium (headless browser), libkrb5-dev (code-server's kerberos module), ripgrep, and the
#        compilers code-server's native modules build with (g++, make, python3) when absent
#   npm: code-server@4.100.3 (VS Code 1.100.3, the newest that runs on Node 20) into
#        ${FOURFOLD_CACHE:-$HOME/.cache/fourfold}/cs-4.100.3
# Idempotent: does nothing when everything is present. `npm test` runs it when something is missing
# (test/e2e/editor.test.ts); .ci/run runs it first. Recipe and pitfalls: test/e2e/REAL-VSCODE.md.
#
#   scripts/e2e-setup.sh           install what is missing
#   scripts/e2e-setup.sh --check   install nothing; say what is missing and whether this script can
#                                  install it. Exit 0: nothing missing; 10: missing, installable here;
#                                  20: missing, and this machine cannot install it (the reason and the
#                                  command to run are printed).
# apt needs root, or sudo without a password. FOURFOLD_CHROMIUM / FOURFOLD_CODE_SERVER point at a
# browser / code-server installed elsewhere, which are then not installed.
set -euo pipefail

CS_VERSION=4.100.3
CACHE="${FOURFOLD_CACHE:-$HOME/.cache/fourfold}"
CS_DIR="$CACHE/cs-$CS_VERSION"
CS_BIN="${FOURFOLD_CODE_SERVER:-$CS_DIR/node_modules/.bin/code-server}"
CHROMIUM="${FOURFOLD_CHROMIUM:-/usr/bin/chromium}"
CHECK=0
[ "${1:-}" = "--check" ] && CHECK=1

log() { printf 'e2e-setup: %s\n' "$*"; }

code_server_present() {
  if [ -n "${FOURFOLD_CODE_SERVER:-}" ]; then [ -x "$CS_BIN" ]; else [ -x "$CS_BIN" ] && [ -f "$CS_DIR/.installed" ]; fi
}

missing=()
[ -x "$CHROMIUM" ] || missing+=(chromium)
if ! code_server_present; then
  # Only needed to build code-server.
  [ -f /usr/include/gssapi/gssapi.h ] || missing+=(libkrb5-dev)
  command -v rg >/dev/null 2>&1 || missing+=(ripgrep)
  command -v g++ >/dev/null 2>&1 || missing+=(g++)
  command -v make >/dev/null 2>&1 || missing+=(make)
  command -v python3 >/dev/null 2>&1 || missing+=(python3)
fi

# How apt can be run here: as root, or through sudo without a password; else not at all.
apt=""
if command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then apt="apt-get"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then apt="sudo -n apt-get"
  fi
fi

if [ "$CHECK" -eq 1 ]; then
  needs=()
  [ ${#missing[@]} -gt 0 ] && needs+=("apt packages: ${missing[*]}")
  code_server_present || needs+=("code-server $CS_VERSION (npm, into $CS_DIR)")
  if [ ${#needs[@]} -eq 0 ]; then log "nothing missing"; exit 0; fi
  listed=$(printf '%s; ' "${needs[@]}"); listed=${listed%; }
  if [ ${#missing[@]} -gt 0 ] && [ -z "$apt" ]; then
    if command -v apt-get >/dev/null 2>&1; then why="apt-get needs root or password-less sudo"; else why="no apt-get on this machine"; fi
    log "missing: $listed; cannot install here: $why. Install with: sudo apt-get install -y --no-install-recommends ${missing[*]} && scripts/e2e-setup.sh (or point FOURFOLD_CHROMIUM / FOURFOLD_CODE_SERVER at existing installs)"
    exit 20
  fi
  log "missing: $listed; scripts/e2e-setup.sh installs them"
  exit 10
fi

if [ ${#missing[@]} -gt 0 ]; then
  if [ -z "$apt" ]; then
    log "missing apt packages: ${missing[*]} (run as root, or with password-less sudo, or install them yourself)"; exit 1
  fi
  log "$apt install ${missing[*]}"
  $apt update -qq
  DEBIAN_FRONTEND=noninteractive $apt install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  log "apt packages present"
fi

if code_server_present; then
  log "code-server $CS_VERSION present ($CS_BIN)"
  exit 0
fi

# (a) @vscode/ripgrep's postinstall downloads rg from GitHub unless this cache file exists.
RG_CACHE="${TMPDIR:-/tmp}/vscode-ripgrep-cache-1.15.11"
mkdir -p "$RG_CACHE"
RG_TGZ="$RG_CACHE/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
[ -f "$RG_TGZ" ] || tar czf "$RG_TGZ" -C "$(dirname "$(command -v rg)")" rg

log "npm install code-server@$CS_VERSION into $CS_DIR (about a minute)"
mkdir -p "$CS_DIR"
cd "$CS_DIR"
[ -f package.json ] || echo '{"private":true}' > package.json
# unsafe_perm: code-server refuses to install as root without it; yes: node-pty's postinstall runs npx node-gyp.
start=$(date +%s)
npm_config_unsafe_perm=true npm_config_yes=true npm install --no-audit --no-fund --loglevel=error "code-server@$CS_VERSION"
# (Running code-server --version here would write ~/.config/code-server/config.yaml; check the manifest.)
installed=$(node -p "require('$CS_DIR/node_modules/code-server/package.json').version")
[ "$installed" = "$CS_VERSION" ] || { log "expected code-server $CS_VERSION, found $installed"; exit 1; }
touch "$CS_DIR/.installed"
log "code-server installed in $(( $(date +%s) - start )) s"
