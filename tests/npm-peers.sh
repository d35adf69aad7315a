#!/usr/bin/env bash
# Installs the pinned npm packages the tests use as independent MCP peers, into a cache outside the
# repository. Idempotent; the tests call it themselves when the cache is missing.
set -euo pipefail
dir="${THREEMINAPI_TEST_NPM:-${XDG_CACHE_HOME:-$HOME/.cache}/3minapi-tests/npm}"
packages=(
  "@modelcontextprotocol/server-everything@2026.8.31"
  "@modelcontextprotocol/client@2.4.0"
)
stamp="$dir/.installed"
want="${packages[*]}"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
mkdir -p "$dir"
echo "npm-peers: installing ${packages[*]} into $dir" >&2
npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "${packages[@]}" >&2
printf '%s' "$want" > "$stamp"
