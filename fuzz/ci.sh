#!/usr/bin/env bash
# The fuzz step of .ci/run (after `cargo test`): builds every cargo-fuzz target and runs each for
# FUZZ_SECONDS (default 30) from the committed seeds. See fuzz/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."

# Fuzzing (DESIGN §14, fuzz/README.md): every parser facing the world has a cargo-fuzz target,
# run here for a bounded time from the committed seeds. libFuzzer's sanitizer flags need nightly;
# fuzz/ is its own workspace, built in fuzz/target (ignored). The corpus a run grows and any
# crashing input go to a temp dir, so nothing is written into the checkout.
if ! rustup toolchain list | grep -q '^nightly-'; then
  echo "ci: installing the nightly toolchain (for cargo fuzz)"
  if ! rustup toolchain install nightly --profile minimal; then
    echo "ci: error: the fuzz targets need the nightly toolchain and it could not be installed" >&2
    exit 1
  fi
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "ci: installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi
echo "ci: fuzz/: cargo fmt --check, cargo fuzz build"
cargo fmt --manifest-path fuzz/Cargo.toml -- --check
cargo +nightly fuzz build
fuzz_bin="fuzz/target/$(rustc +nightly -vV | sed -n 's/^host: //p')/release"
fuzz_seconds=${FUZZ_SECONDS:-30}
fuzz_targets=$(cargo fuzz list)
fuzz_tmp=$(mktemp -d)
fuzz_failed=()
for target in $fuzz_targets; do
  dir="$fuzz_tmp/$target"
  mkdir -p "$dir/corpus" "$dir/crash"
  cp fuzz/seeds/"$target"/* "$dir/corpus/"
  dict=()
  if [ -f "fuzz/dicts/$target.dict" ]; then dict=("-dict=fuzz/dicts/$target.dict"); fi
  # The binary is run directly: `cargo fuzz run` would create fuzz/artifacts/ in the checkout.
  # A 10 s timeout per input: a hang is a failure too.
  if ASAN_OPTIONS=detect_odr_violation=0 "$fuzz_bin/$target" "${dict[@]}" \
    -max_total_time="$fuzz_seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$dir/crash/" "$dir/corpus" >"$dir/log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log")
    echo "ci: fuzz $target: $runs runs in $fuzz_seconds s, no failure"
    continue
  fi
  # Every target runs even when one fails, so one CI run shows all there is to fix.
  fuzz_failed+=("$target")
  if grep -q 'panicked at' "$dir/log"; then
    sed -n '/panicked at/,/^stack backtrace:/p' "$dir/log" | head -n 40
  else
    tail -n 40 "$dir/log"
  fi
  for input in "$dir"/crash/*; do
    [ -f "$input" ] || continue
    echo "ci: fuzz $target failed on this input ($(wc -c <"$input") bytes, kept at $input):"
    od -An -c "$input" | head -n 40
    echo "ci: as base64: $(base64 -w0 "$input")"
  done
done
if [ ${#fuzz_failed[@]} -gt 0 ]; then
  echo "ci: error: fuzz targets failed: ${fuzz_failed[*]}; reproduce with" \
    "cargo +nightly fuzz run <target> <input>, and keep the input as a regression test" >&2
  exit 1
fi
rm -rf "$fuzz_tmp"

