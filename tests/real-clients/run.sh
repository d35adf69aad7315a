#!/usr/bin/env bash
# Proof with the clients people use: Claude Code, Gemini CLI, Codex and the MCP Inspector connect to
# `3minapi mcp serve` through the entries `3minapi config install` writes, with the key in a private
# Secret Service, list the tools and call `help` — offline (127.0.0.1 only, fake model APIs).
# Prints one line per client; exits 1 if any of them fails. Run by .ci/run; by hand:
#   bash tests/real-clients/run.sh [claude-code|gemini|codex|inspector]...
set -euo pipefail
cd "$(dirname "$0")/../.."

dir="${THREEMINAPI_REAL_CLIENTS:-${XDG_CACHE_HOME:-$HOME/.cache}/3minapi-tests/real-clients}"
packages=(
  "@anthropic-ai/claude-code@2.1.330"
  "@google/gemini-cli@0.61.0"
  "@openai/codex@0.169.0"
  "@modelcontextprotocol/inspector-cli@1.0.3"
)
stamp="$dir/.installed"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "${packages[*]}" ]; then
  mkdir -p "$dir"
  echo "real-clients: installing ${packages[*]} into $dir" >&2
  npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "${packages[@]}" >&2
  printf '%s' "${packages[*]}" > "$stamp"
fi

cargo build --quiet --bin 3minapi --example fake_upstream
target="${CARGO_TARGET_DIR:-target}"
export BRIDGE_BIN="$PWD/$target/debug/3minapi"
export FAKE_UPSTREAM_BIN="$PWD/$target/debug/examples/fake_upstream"
export CLIENTS_DIR="$dir/node_modules"

echo "real-clients: $(node --version), ${packages[*]}" >&2
# A private session bus for the Secret Service; nothing of the caller's session is used.
exec dbus-run-session -- node tests/real-clients/drive.mjs "$@"
