#!/usr/bin/env bash
# Installs what the editor end-to-end suite needs, outside the repository:
#   apt: chromium (headless browser), libkrb5-dev (code-server's kerberos module), ripgrep
#   npm: code-server@4.100.3 (VS Code 1.100.3, the newest that runs on Node 20) into
#        ${FOURFOLD_CACHE:-$HOME/.cache/fourfold}/cs-4.100.3
# Idempotent: does nothing when everything is present. Recipe and pitfalls: test/e2e/REAL-VSCODE.md.
set -euo pipefail

CS_VERSION=4.100.3
CACHE="${FOURFOLD_CACHE:-$HOME/.cache/fourfold}"
CS_DIR="$CACHE/cs-$CS_VERSION"
CS_BIN="$CS_DIR/node_modules/.bin/code-server"

log() { printf 'e2e-setup: %s\n' "$*"; }

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -f /usr/include/gssapi/gssapi.h ] || missing+=(libkrb5-dev)
command -v rg >/dev/null 2>&1 || missing+=(ripgrep)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    log "missing apt packages: ${missing[*]} (run as root, or install them yourself)"; exit 1
  fi
  log "apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  log "apt packages present"
fi

if [ -x "$CS_BIN" ] && [ -f "$CS_DIR/.installed" ]; then
  log "code-server $CS_VERSION present in $CS_DIR"
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
