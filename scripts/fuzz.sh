#!/usr/bin/env bash
# Fuzzing, outside CI (`make fuzz`): every fuzz target of the module runs for
# FUZZTIME (default 2m), one after the other; `make fuzz PKG=./internal/x`
# (FUZZPKG) limits it to one package. An input that fails is written to the
# package's testdata/fuzz/<Target>/ by go test: fix the bug and commit the
# input, so that every CI run (`go test`, which runs the seed corpora) checks it.
set -euo pipefail
cd "$(dirname "$0")/.."

fuzztime=${FUZZTIME:-2m}
if [[ -n ${FUZZPKG:-} ]]; then
	pkgdirs=("$FUZZPKG")
else
	mapfile -t pkgdirs < <(go list -e -f '{{.Dir}}' ./... | sed "s|^$PWD/\{0,1\}|./|; s|^\./$|.|")
fi

# Every `func FuzzXxx(` in a _test.go file, found afresh on each run so new
# targets are picked up without editing this script.
mapfile -t targets < <(
	for d in "${pkgdirs[@]}"; do
		for f in "$d"/*_test.go; do
			[[ -f $f ]] || continue
			sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' "$f" | sed "s|^|$d |"
		done
	done | sort -u
)
[[ ${#targets[@]} -gt 0 ]] || { echo "no fuzz targets found"; exit 0; }
for target in "${targets[@]}"; do
	read -r d name <<<"$target"
	printf '\n==> fuzz %s in %s for %s\n' "$name" "$d" "$fuzztime"
	go test -run='^$' -fuzz="^${name}\$" -fuzztime="$fuzztime" -fuzzminimizetime=10s "$d"
done
