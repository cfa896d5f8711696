#!/usr/bin/env bash
# Checks what `make release-snapshot` (GoReleaser) left in dist/: the six
# archives, each holding the upkg binary for its OS and architecture (read from
# the executable's header: ELF, Mach-O or PE, and its machine field), README.md,
# checksums.txt listing every archive with its right SHA-256, the Homebrew cask
# and the Scoop manifest.
set -euo pipefail
cd "$(dirname "$0")/.."
dist=${1:-dist}

fail() {
	echo "check-release: $*" >&2
	exit 1
}

# hexat FILE OFFSET COUNT: COUNT bytes at OFFSET as hex, in file order.
hexat() { od -An -tx1 -j "$2" -N "$3" "$1" | tr -d ' \n'; }
# le FILE OFFSET COUNT: a little-endian unsigned number.
le() {
	local h out="" i
	h=$(hexat "$1" "$2" "$3")
	for ((i = ${#h} - 2; i >= 0; i -= 2)); do out+=${h:i:2}; done
	echo $((16#$out))
}

# kind FILE: "os/arch" of an executable, from its header.
kind() {
	local f=$1 magic
	magic=$(hexat "$f" 0 4)
	case $magic in
	7f454c46) # ELF: e_machine at 18
		case $(le "$f" 18 2) in
		62) echo linux/amd64 ;;   # EM_X86_64
		183) echo linux/arm64 ;;  # EM_AARCH64
		*) echo linux/unknown ;;
		esac ;;
	cffaedfe) # Mach-O 64-bit, little-endian: cputype at 4
		case $(le "$f" 4 4) in
		16777223) echo darwin/amd64 ;; # CPU_TYPE_X86_64
		16777228) echo darwin/arm64 ;; # CPU_TYPE_ARM64
		*) echo darwin/unknown ;;
		esac ;;
	4d5a*) # MZ: the PE header's offset at 0x3c, then "PE\0\0" and the machine
		local pe
		pe=$(le "$f" 60 4)
		[[ $(hexat "$f" "$pe" 4) == 50450000 ]] || { echo windows/not-pe; return; }
		case $(le "$f" $((pe + 4)) 2) in
		34404) echo windows/amd64 ;; # IMAGE_FILE_MACHINE_AMD64 0x8664
		43620) echo windows/arm64 ;; # IMAGE_FILE_MACHINE_ARM64 0xaa64
		*) echo windows/unknown ;;
		esac ;;
	*) echo "unknown/$magic" ;;
	esac
}

sha256() {
	if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | awk '{print $1}'; else shasum -a 256 "$1" | awk '{print $1}'; fi
}

unzip_to() {
	if command -v unzip >/dev/null 2>&1; then
		unzip -q "$1" -d "$2"
	else
		python3 -m zipfile -e "$1" "$2"
	fi
}

[[ -f $dist/checksums.txt ]] || fail "$dist/checksums.txt is missing"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

n=0
for os in linux darwin windows; do
	for arch in amd64 arm64; do
		ext=tar.gz exe=upkg
		if [[ $os == windows ]]; then ext=zip exe=upkg.exe; fi
		shopt -s nullglob
		matches=("$dist"/upkg_*_"${os}_${arch}.$ext")
		shopt -u nullglob
		[[ ${#matches[@]} == 1 ]] || fail "want one upkg_*_${os}_${arch}.$ext in $dist, found ${#matches[@]}"
		archive=${matches[0]}
		name=$(basename "$archive")
		x="$work/${os}_$arch"
		mkdir -p "$x"
		if [[ $ext == zip ]]; then unzip_to "$archive" "$x"; else tar -xzf "$archive" -C "$x"; fi
		[[ -f $x/$exe ]] || fail "$name holds no $exe"
		[[ -f $x/README.md ]] || fail "$name holds no README.md"
		got=$(kind "$x/$exe")
		[[ $got == "$os/$arch" ]] || fail "$name: $exe is a $got executable, want $os/$arch"
		want=$(awk -v f="$name" '$2 == f { print $1 }' "$dist/checksums.txt")
		[[ -n $want ]] || fail "checksums.txt does not list $name"
		[[ $(sha256 "$archive") == "$want" ]] || fail "checksums.txt has the wrong SHA-256 for $name"
		printf '  %-48s %s, sha256 ok\n' "$name" "$got"
		n=$((n + 1))
	done
done

# The binary for this machine runs and reports the version GoReleaser stamped
# with -ldflags (internal/cli.Version).
host="$(uname -s | tr '[:upper:]' '[:lower:]')_$(uname -m | sed 's/x86_64/amd64/; s/aarch64/arm64/')"
if [[ -x $work/$host/upkg ]]; then
	version=$(sed -n 's/.*"version":"\([^"]*\)".*/\1/p' "$dist/metadata.json")
	out=$("$work/$host/upkg" --version | head -n 1)
	[[ $out == "upkg $version" ]] || fail "the $host binary says '$out', want 'upkg $version' (ldflags -X …cli.Version)"
	echo "  $host binary: $out"
fi

cask=$dist/homebrew/Casks/upkg.rb
[[ -s $cask ]] || fail "the Homebrew cask $cask was not generated"
grep -q 'binary "upkg"' "$cask" || fail "$cask does not install the upkg binary"
for a in darwin_amd64 darwin_arm64 linux_amd64 linux_arm64; do
	grep -q "_${a}.tar.gz" "$cask" || fail "$cask has no $a archive"
done
scoop=$dist/scoop/upkg.json
[[ -s $scoop ]] || fail "the Scoop manifest $scoop was not generated"
for a in windows_amd64 windows_arm64; do
	grep -q "_${a}.zip" "$scoop" || fail "$scoop has no $a archive"
done
grep -q '"upkg.exe"' "$scoop" || fail "$scoop does not name upkg.exe"

echo "check-release: $n archives (linux, darwin, windows × amd64, arm64), checksums.txt, $cask, $scoop: ok"
