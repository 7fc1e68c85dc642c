#!/usr/bin/env bash
# Installs code-server (the VS Code server plus the web workbench) into .cache/code-server/ for the
# end-to-end tests, without reaching GitHub: see shared/testing/real-vscode.md.
#
# Why code-server 4.100.3: it is the last release whose npm postinstall accepts Node 20, and it
# ships VS Code 1.100.3, which matches our `engines.vscode` and `@types/vscode ~1.100`.
#
# Idempotent: when the pinned version is already installed and its postinstall finished, it exits
# at once. Needs the Debian packages ripgrep and libkrb5-dev (and g++/make/python3 for argon2);
# .ci/run installs them.
set -euo pipefail

VERSION=4.100.3
# The @vscode/ripgrep version code-server 4.100.3 pins, and the asset name its postinstall wants.
RG_PKG_VERSION=1.15.11
RG_ASSET=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prefix="${CODE_SERVER_PREFIX:-$root/.cache/code-server}"
pkg="$prefix/node_modules/code-server"
# Written last, so an interrupted install is retried rather than mistaken for a finished one.
stamp="$prefix/.installed-$VERSION"

if [[ -f "$stamp" && -f "$pkg/out/node/entry.js" ]]; then
  echo "code-server $VERSION already installed in $prefix"
  exit 0
fi

for tool in rg g++ make python3; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "setup-code-server: '$tool' is missing (apt-get install -y ripgrep g++ make python3 libkrb5-dev)" >&2
    exit 1
  fi
done

start=$(date +%s)
mkdir -p "$prefix"
cd "$prefix"
# A private package.json so this install never touches the repository's own lock file.
[[ -f package.json ]] || echo '{"name":"shardlens-code-server","private":true}' > package.json

# Root runs npm scripts only with unsafe_perm; node-pty's postinstall calls `npx node-gyp`, which
# asks for confirmation unless npm_config_yes is set (there is no terminal in CI).
export npm_config_unsafe_perm=true npm_config_yes=true npm_config_fund=false npm_config_audit=false

echo "setup-code-server: npm install code-server@$VERSION (scripts deferred)"
npm install --no-save --ignore-scripts "code-server@$VERSION"

# argon2's prebuilt binary lives on GitHub; with no route there node-pre-gyp falls back to a source build.
echo "setup-code-server: building argon2"
npm rebuild argon2

# @vscode/ripgrep downloads its binary from GitHub unless the asset is already in its tmp cache;
# a tarball with Debian's rg at its root satisfies it.
cache="$(node -p 'require("os").tmpdir()')/vscode-ripgrep-cache-$RG_PKG_VERSION"
mkdir -p "$cache"
if [[ ! -s "$cache/$RG_ASSET" ]]; then
  tar -C "$(dirname "$(command -v rg)")" -czf "$cache/$RG_ASSET" rg
fi

echo "setup-code-server: running code-server's postinstall (installs VS Code's own modules)"
(cd "$pkg" && npm run postinstall)

touch "$stamp"
echo "setup-code-server: installed code-server $VERSION in $prefix in $(( $(date +%s) - start ))s"
