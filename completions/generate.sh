#!/bin/sh
# Regenerates the committed shell completions from the CLI: run from the repository root after
# changing a command or flag (tests/cli_meta.rs fails until the files match the binary).
set -eu
cargo build --quiet --bin 3minapi
bin=target/debug/3minapi
"$bin" completions bash > completions/3minapi.bash
"$bin" completions zsh > completions/_3minapi
"$bin" completions fish > completions/3minapi.fish
"$bin" completions powershell > completions/_3minapi.ps1
"$bin" completions elvish > completions/3minapi.elv
