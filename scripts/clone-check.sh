#!/usr/bin/env bash
# Shows that on a file system that clones (XFS with reflink, Btrfs) upkg's
# default install is already a clone: the project's files share the cache's
# data blocks, copy-on-write, with no link between the two (editing one never
# changes the other).
#
# Needs root (it makes a loop file system of each kind and mounts it) and
# mkfs.xfs / mkfs.btrfs (Debian: apt-get install btrfs-progs xfsprogs). For
# each file system: builds a local tarball package (one 32 MB plugin and 400
# small files), installs it cold into project A (fills the cache: tarball and
# pkg/), then warm into project B, and prints
#   - the disk space the warm install took (df), against the package's size;
#   - filefrag -v of B's plugin: extents flagged "shared";
#   - that B's file is not A's or the cache's inode (no hard link);
# then runs the cache package's clone tests on that file system
# (TMPDIR=<mount> go test ./internal/cache -run Clone).
# Everything is unmounted and deleted on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

if [[ $(id -u) != 0 ]]; then
	echo "clone-check: needs root to mount loop file systems" >&2
	exit 2
fi
go build -o bin/upkg ./cmd/upkg
upkg=$root/bin/upkg

tmp=$(mktemp -d "${TMPDIR:-/tmp}/upkg-clone.XXXXXX")
mounts=()
cleanup() {
	for m in "${mounts[@]}"; do umount "$m" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT

# The package: package/package.json, a large plugin, many small files.
pkgsrc=$tmp/src/package
mkdir -p "$pkgsrc/Plugins" "$pkgsrc/Runtime"
printf '{"name":"com.example.big","version":"1.0.0","unity":"2021.3"}\n' >"$pkgsrc/package.json"
head -c $((32 << 20)) /dev/urandom >"$pkgsrc/Plugins/big.bin"
for i in $(seq 1 400); do printf 'class C%d {}\n' "$i" >"$pkgsrc/Runtime/C$i.cs"; done
tar -C "$tmp/src" -czf "$tmp/big.tgz" package

used_kb() { df --output=used -k "$1" | tail -1 | tr -d ' '; }

check() {
	local fs=$1 mnt=$tmp/$1
	mkdir -p "$mnt"
	truncate -s 1G "$tmp/$fs.img"
	case $fs in
	xfs) mkfs.xfs -q -m reflink=1 "$tmp/$fs.img" ;;
	btrfs) mkfs.btrfs -q "$tmp/$fs.img" >/dev/null ;;
	esac
	if ! mount -o loop "$tmp/$fs.img" "$mnt"; then
		echo "clone-check: cannot mount a loop $fs file system here" >&2
		return 1
	fi
	mounts+=("$mnt")
	echo
	echo "== $fs ($(stat -f -c %T "$mnt"))"
	cp "$tmp/big.tgz" "$mnt/big.tgz"
	for p in a b; do
		mkdir -p "$mnt/$p/Packages" "$mnt/$p/ProjectSettings"
		printf '{\n  "dependencies": {\n    "com.example.big": "file:../../big.tgz"\n  }\n}\n' >"$mnt/$p/Packages/manifest.json"
		printf 'm_EditorVersion: 2022.3.20f1\n' >"$mnt/$p/ProjectSettings/ProjectVersion.txt"
	done
	export HOME=$mnt/home UPM_CACHE_ROOT=$mnt/cache UPM_USER_CONFIG_FILE=$mnt/home/.upmconfig.toml NO_COLOR=1
	sync
	local before after
	before=$(used_kb "$mnt")
	(cd "$mnt/a" && "$upkg" install --quiet --offline)
	sync
	after=$(used_kb "$mnt")
	echo "cold install (cache tarball + pkg/ + project A): $((after - before)) kB used"
	before=$after
	(cd "$mnt/b" && "$upkg" install --quiet --offline)
	sync
	after=$(used_kb "$mnt")
	local unpacked
	unpacked=$(du -sk --apparent-size "$mnt/b/Library/PackageCache" | cut -f1)
	echo "warm install (project B): $((after - before)) kB used for $unpacked kB of files"
	local afile bfile cfile
	afile=$(ls "$mnt"/a/Library/PackageCache/com.example.big@*/Plugins/big.bin)
	bfile=$(ls "$mnt"/b/Library/PackageCache/com.example.big@*/Plugins/big.bin)
	cfile=$(ls "$mnt"/cache/upkg/v1/entries/*/pkg/Plugins/big.bin)
	echo "inodes: project B $(stat -c %i "$bfile"), project A $(stat -c %i "$afile"), cache $(stat -c %i "$cfile") (all different: no hard links)"
	echo "filefrag -v $bfile:"
	filefrag -v "$bfile" | sed -n '1,6p'
	if filefrag -v "$bfile" | grep -q shared; then
		echo "=> $fs: the warm install cloned (extents shared with the cache)"
	else
		echo "=> $fs: NOT shared" >&2
		return 1
	fi
	(cd "$root" && TMPDIR=$mnt go test -count=1 ./internal/cache -run 'Clone|Materialize|Link' -v 2>&1 | grep -E '^(--- |ok|FAIL|\s+clone)' || true)
}

rc=0
for fs in xfs btrfs; do
	if command -v "mkfs.$fs" >/dev/null; then
		check "$fs" || rc=1
	else
		echo "clone-check: mkfs.$fs not installed; skipping $fs" >&2
	fi
done
exit $rc
