#!/bin/sh
# Installs 3minapi.
#
#   curl -fsSL <url>/install.sh | sh   downloads the release archive for this OS and CPU (Linux
#                                      x86_64/aarch64, macOS) from $THREEMINAPI_RELEASE_URL, by
#                                      default the project's latest release, and checks it against
#                                      the release's SHA256SUMS
#   sh install.sh                      from a checkout: builds the release binary with cargo (with
#                                      THREEMINAPI_RELEASE_URL set it downloads first, and builds
#                                      when there is nothing to download)
#
# Options: --bin-dir DIR (default $PREFIX/bin, else ~/.local/bin), --uninstall, --help.
# Running it again upgrades in place. Nothing outside the bin directory and the completion
# directories is touched; the files installed are listed in ~/.local/share/3minapi/installed-files.
set -eu

# Where releases are downloaded from unless THREEMINAPI_RELEASE_URL says otherwise.
DEFAULT_RELEASE_URL=https://github.com/3minapi/3minapi/releases/latest/download

say() { printf '%s\n' "$*"; }
die() {
	printf 'error: %s\n' "$1" >&2
	if [ $# -gt 1 ]; then printf 'hint: %s\n' "$2" >&2; fi
	exit 1
}

usage() {
	cat <<'EOF'
usage: sh install.sh [--bin-dir DIR] [--uninstall]
  --bin-dir DIR  install the binary here (default: $PREFIX/bin when PREFIX is set, else ~/.local/bin)
  --uninstall    remove what earlier runs installed (the key in the OS keychain stays: see below);
                 with --bin-dir DIR, only the binary in DIR
It downloads the release archive from $THREEMINAPI_RELEASE_URL (default: the latest release,
<base>/3minapi-<os>-<arch>.tar.gz, checked against <base>/SHA256SUMS). From a checkout it builds
with cargo instead, unless THREEMINAPI_RELEASE_URL is set.
EOF
}

bin_dir=""
bin_dir_given=0
uninstall=0
while [ $# -gt 0 ]; do
	case "$1" in
	--bin-dir)
		[ $# -ge 2 ] || die "--bin-dir needs a directory" "sh install.sh --bin-dir ~/bin"
		bin_dir=$2
		bin_dir_given=1
		shift 2
		;;
	--bin-dir=*)
		bin_dir=${1#--bin-dir=}
		bin_dir_given=1
		shift
		;;
	--uninstall)
		uninstall=1
		shift
		;;
	-h | --help)
		usage
		exit 0
		;;
	*)
		usage >&2
		exit 2
		;;
	esac
done

[ -n "${HOME:-}" ] || die "HOME is not set" "run this as the user who will use 3minapi"
if [ -z "$bin_dir" ]; then
	if [ -n "${PREFIX:-}" ]; then bin_dir=$PREFIX/bin; else bin_dir=$HOME/.local/bin; fi
fi
data_home=${XDG_DATA_HOME:-$HOME/.local/share}
config_home=${XDG_CONFIG_HOME:-$HOME/.config}
manifest=$data_home/3minapi/installed-files
target=$bin_dir/3minapi

# ----------------------------------------------------------------------------------------------
# --uninstall
# ----------------------------------------------------------------------------------------------
if [ "$uninstall" = 1 ]; then
	removed=0
	if [ "$bin_dir_given" = 1 ]; then
		# Only the binary --bin-dir names; other installs stay, and the completions while one does.
		if [ -x "$target" ] && { grep -qxF "$target" "$manifest" 2>/dev/null || "$target" --version 2>/dev/null | grep -q '^3minapi '; }; then
			rm -f "$target"
			say "removed $target"
			removed=1
		fi
		if [ -f "$manifest" ]; then
			grep -vxF "$target" "$manifest" >"$manifest.tmp" || true
			mv -f "$manifest.tmp" "$manifest"
			left=0
			while IFS= read -r file; do
				if [ -n "$file" ] && [ -x "$file" ]; then left=1; fi
			done <"$manifest"
			if [ "$left" = 1 ]; then
				say "other installs stay (see $manifest); \`sh install.sh --uninstall\` removes them all"
			else
				while IFS= read -r file; do
					if [ -n "$file" ] && [ -f "$file" ]; then
						rm -f "$file"
						say "removed $file"
					fi
				done <"$manifest"
				rm -f "$manifest"
				rmdir "$data_home/3minapi/zsh" "$data_home/3minapi" 2>/dev/null || true
			fi
		fi
	elif [ -f "$manifest" ]; then
		while IFS= read -r file; do
			if [ -n "$file" ] && [ -f "$file" ]; then
				rm -f "$file"
				say "removed $file"
				removed=1
			fi
		done <"$manifest"
		rm -f "$manifest"
		rmdir "$data_home/3minapi/zsh" "$data_home/3minapi" 2>/dev/null || true
	elif [ -x "$target" ] && "$target" --version 2>/dev/null | grep -q '^3minapi '; then
		rm -f "$target"
		say "removed $target"
		removed=1
	fi
	[ "$removed" = 1 ] || say "nothing to remove: no 3minapi installed by this script in $bin_dir"
	say "the MCP key stays in the OS keychain (service 3minapi, account mcp-key); remove it with"
	say "  Linux:  secret-tool clear service 3minapi username mcp-key"
	say "  macOS:  security delete-generic-password -s 3minapi -a mcp-key"
	say "(or run \`3minapi auth logout\` before uninstalling). Entries written by \`3minapi config install\`"
	say "stay in the clients' files: \`3minapi config uninstall <client>\` removes one."
	exit 0
fi

# ----------------------------------------------------------------------------------------------
# Get the binary: build it from this checkout, or download a release
# ----------------------------------------------------------------------------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/3minapi-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

# A checkout: this script is a file next to the package's Cargo.toml.
src=""
case "$0" in
*/install.sh | install.sh)
	dir=$(cd "$(dirname "$0")" 2>/dev/null && pwd) || dir=""
	if [ -n "$dir" ] && [ -f "$dir/Cargo.toml" ] && grep -q '^name = "threeminapi"' "$dir/Cargo.toml"; then
		src=$dir
	fi
	;;
esac

# "1.89" >= "1.89.0"? Compares the major and minor numbers.
version_at_least() {
	have_major=$(printf '%s' "$1" | cut -d. -f1)
	have_minor=$(printf '%s' "$1" | cut -d. -f2)
	want_major=$(printf '%s' "$2" | cut -d. -f1)
	want_minor=$(printf '%s' "$2" | cut -d. -f2)
	[ "$have_major" -gt "$want_major" ] || { [ "$have_major" -eq "$want_major" ] && [ "$have_minor" -ge "$want_minor" ]; }
}

fetch() {
	if command -v curl >/dev/null 2>&1; then
		curl --proto '=https,http' -fsSL -o "$2" "$1"
	elif command -v wget >/dev/null 2>&1; then
		wget -q -O "$2" "$1"
	else
		die "neither curl nor wget is installed" "install one of them and run this again"
	fi
}

# No release to download for this machine: from a checkout, build instead; else say how.
no_download() {
	if [ -n "$src" ]; then
		say "$1; building from this checkout instead"
		return 1
	fi
	die "$1" "build from source: get a checkout of the 3minapi repository and run \`sh install.sh\` in it (needs Rust, https://rustup.rs)"
}

build() {
	want=$(sed -n 's/^rust-version = "\([0-9.]*\)"/\1/p' "$src/Cargo.toml")
	rustup_hint="install Rust with rustup (https://rustup.rs): curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh, then open a new shell and run this again"
	command -v cargo >/dev/null 2>&1 || die "building from this checkout needs Rust $want or newer, and cargo is not on PATH" "$rustup_hint"
	have=$(rustc --version 2>/dev/null | sed -n 's/^rustc \([0-9]*\.[0-9]*\).*/\1/p')
	[ -n "$have" ] || die "cannot tell the Rust version (rustc --version failed)" "$rustup_hint"
	version_at_least "$have" "$want" || die "Rust $have is too old: 3minapi needs $want or newer" "run \`rustup update stable\` (or install Rust with rustup: https://rustup.rs), then run this again"
	say "building 3minapi with Rust $have (cargo build --release --locked; a first build takes a few minutes)…"
	cargo build --release --locked --bin 3minapi --manifest-path "$src/Cargo.toml" ||
		die "cargo build failed (output above)" "fix what it says, or report it with the output"
	built=${CARGO_TARGET_DIR:-$src/target}/release/3minapi
	[ -x "$built" ] || die "the build did not produce $built" "report this with the build output"
	cp "$built" "$tmp/3minapi"
}

download() {
	base=${THREEMINAPI_RELEASE_URL:-$DEFAULT_RELEASE_URL}
	case "$(uname -s)" in
	Linux) os=linux ;;
	Darwin) os=macos ;;
	*) no_download "no prebuilt 3minapi for $(uname -s)" || return 1 ;;
	esac
	case "$(uname -m)" in
	x86_64 | amd64) arch=x86_64 ;;
	aarch64 | arm64) arch=aarch64 ;;
	*) no_download "no prebuilt 3minapi for $(uname -m)" || return 1 ;;
	esac
	archive=3minapi-$os-$arch.tar.gz
	say "downloading $base/$archive…"
	fetch "$base/$archive" "$tmp/$archive" || { no_download "cannot download $base/$archive"; return 1; }
	fetch "$base/SHA256SUMS" "$tmp/SHA256SUMS" || die "cannot download $base/SHA256SUMS, so the archive cannot be checked; nothing was installed" "check THREEMINAPI_RELEASE_URL and the network, and try again"
	expected=$(awk -v name="$archive" '$2 == name || $2 == "*" name { print $1; exit }' "$tmp/SHA256SUMS" | tr -d '\r')
	[ -n "$expected" ] || die "$base/SHA256SUMS has no line for $archive; nothing was installed" "the release is incomplete: report it"
	if command -v sha256sum >/dev/null 2>&1; then
		actual=$(sha256sum "$tmp/$archive" | cut -d' ' -f1)
	elif command -v shasum >/dev/null 2>&1; then
		actual=$(shasum -a 256 "$tmp/$archive" | cut -d' ' -f1)
	else
		die "cannot check the download: neither sha256sum nor shasum is installed" "install coreutils (or perl's shasum) and run this again"
	fi
	if [ "$actual" != "$expected" ]; then
		die "the SHA-256 of $archive is $actual, not $expected as SHA256SUMS says; nothing was installed" \
			"the download is corrupt or was tampered with: try again, and report it if it persists"
	fi
	mkdir "$tmp/unpacked"
	tar -xzf "$tmp/$archive" -C "$tmp/unpacked" || die "cannot unpack $archive; nothing was installed" "try again"
	found=$(find "$tmp/unpacked" -type f -name 3minapi | head -n 1)
	[ -n "$found" ] || die "$archive holds no 3minapi binary; nothing was installed" "check THREEMINAPI_RELEASE_URL"
	cp "$found" "$tmp/3minapi"
}

if [ -n "$src" ] && [ -z "${THREEMINAPI_RELEASE_URL:-}" ]; then
	build
elif ! download; then
	build
fi
chmod 755 "$tmp/3minapi"
"$tmp/3minapi" --version >/dev/null 2>&1 || die "the new binary does not run on this machine; nothing was installed" "build from source: \`sh install.sh\` in a checkout"

# ----------------------------------------------------------------------------------------------
# Install (replacing an older binary in one rename, also while it runs)
# ----------------------------------------------------------------------------------------------
mkdir -p "$bin_dir" "$data_home/3minapi"
previous=""
if [ -x "$target" ]; then previous=$("$target" --version 2>/dev/null || true); fi
cp "$tmp/3minapi" "$bin_dir/.3minapi.new.$$"
chmod 755 "$bin_dir/.3minapi.new.$$"
mv -f "$bin_dir/.3minapi.new.$$" "$target"
version=$("$target" --version)
if [ -n "$previous" ] && [ "$previous" != "$version" ]; then
	say "upgraded $target: $previous → $version"
elif [ -n "$previous" ]; then
	say "reinstalled $target ($version)"
else
	say "installed $target ($version)"
fi
installed=$target

# Shell completion, where a file in a standard directory is enough (nothing is appended to rc files).
shell=$(basename "${SHELL:-sh}")
case "$shell" in
bash)
	completion=$data_home/bash-completion/completions/3minapi
	mkdir -p "$(dirname "$completion")"
	"$target" completions bash >"$completion"
	installed="$installed
$completion"
	say "installed the bash completion in $completion (new shells load it)"
	;;
fish)
	completion=$config_home/fish/completions/3minapi.fish
	mkdir -p "$(dirname "$completion")"
	"$target" completions fish >"$completion"
	installed="$installed
$completion"
	say "installed the fish completion in $completion"
	;;
zsh)
	completion=$data_home/3minapi/zsh/_3minapi
	mkdir -p "$(dirname "$completion")"
	"$target" completions zsh >"$completion"
	installed="$installed
$completion"
	say "installed the zsh completion in $completion; to load it, add this line to ~/.zshrc before compinit:"
	say "  fpath=(\"$(dirname "$completion")\" \$fpath)"
	;;
*)
	say "no completion installed for $shell: \`3minapi completions <bash|zsh|fish|powershell|elvish>\` prints one"
	;;
esac
# Every install is recorded (another --bin-dir adds to the list): --uninstall finds them all.
{
	if [ -f "$manifest" ]; then cat "$manifest"; fi
	printf '%s\n' "$installed"
} | awk 'NF && !seen[$0]++' >"$manifest.tmp"
mv -f "$manifest.tmp" "$manifest"

case ":${PATH:-}:" in
*":$bin_dir:"*)
	first=$(command -v 3minapi 2>/dev/null || true)
	if [ -n "$first" ] && [ "$first" != "$target" ]; then
		say "warning: $first comes first on PATH and hides $target: remove it or put $bin_dir earlier in PATH"
	fi
	;;
*)
	say "$bin_dir is not on PATH: add it, e.g. with this line in ~/.profile (then open a new shell):"
	say "  export PATH=\"$bin_dir:\$PATH\""
	;;
esac

say ""
say "next: 3minapi auth login            (paste the tm_mcp_ key from Settings → AI Integration → CLI / IDE)"
say "then: 3minapi config install --all     (every AI client found here; or name one: claude-code, cursor, …)"
say "      3minapi doctor                    (checks everything)"
