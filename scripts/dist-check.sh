#!/usr/bin/env bash
# Checks the static tarball `make dist` wrote: its SHA-256 file matches; unpacked into a folder
# outside the build tree, its binary lists only the C library's own parts under `ldd` and runs
# the demo with an empty LD_LIBRARY_PATH and no Swift toolchain on PATH, giving the same JSON
# report as the development build (timestamps aside).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
version=$(sed -n 's/.*segscoreVersion = "\(.*\)".*/\1/p' Sources/SegScore/Version.swift)
name=segscore-$version-linux-$(uname -m)
tarball=dist/$name.tar.gz
[ -f "$tarball" ] || { echo "dist-check: $tarball is missing: run make dist" >&2; exit 2; }
(cd dist && sha256sum --check --quiet "$name.tar.gz.sha256")
echo "dist-check: $tarball $(du -h "$tarball" | cut -f1), SHA-256 matches"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -xzf "$tarball" -C "$work"
binary=$work/$name/bin/segscore
echo "dist-check: binary $(du -h "$binary" | cut -f1)"

# Allowed: glibc's own libraries, the dynamic loader and the kernel's vDSO.
unexpected=$(ldd "$binary" | awk '{print $1}' | grep -v -E '^(linux-vdso\.so\.1|libc\.so\.6|libm\.so\.6|libpthread\.so\.0|libdl\.so\.2|librt\.so\.1|/lib64/ld-linux-x86-64\.so\.2|/lib/ld-linux-aarch64\.so\.1)$' || true)
if [ -n "$unexpected" ]; then
    echo "dist-check: the binary needs shared libraries beyond the C library: $unexpected" >&2
    exit 1
fi
echo "dist-check: ldd lists only: $(ldd "$binary" | awk '{print $1}' | tr '\n' ' ')"

demo=(Fixtures/demo/gt Fixtures/demo/pred --labels Fixtures/demo/labels.json)
(cd "$work" && env -i HOME="$work" PATH=/usr/bin:/bin LD_LIBRARY_PATH= SOURCE_DATE_EPOCH=0 \
    "$binary" evaluate "${demo[@]/#Fixtures/$root/Fixtures}" --json "$work/static.json" >/dev/null)
dev=${SEGSCORE_DEV_BIN:-.build/debug/segscore}
if [ -x "$dev" ]; then
    SOURCE_DATE_EPOCH=0 "$dev" evaluate "${demo[@]/#Fixtures/$root/Fixtures}" --json "$work/dev.json" >/dev/null
    strip_times() { grep -v -E '"(seconds|started|finished|timestamp|elapsed_seconds|pairs_per_second)"' "$1"; }
    if ! diff <(strip_times "$work/static.json") <(strip_times "$work/dev.json") >/dev/null; then
        echo "dist-check: the static binary's demo report differs from the development build's" >&2
        diff <(strip_times "$work/static.json") <(strip_times "$work/dev.json") | head -20 >&2
        exit 1
    fi
    echo "dist-check: demo report identical to the development build's"
fi
echo "dist-check: ok"
