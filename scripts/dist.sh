#!/usr/bin/env bash
# Builds dist/segscore-VERSION-linux-ARCH.tar.gz: a segscore binary that needs neither a Swift
# runtime nor libpng/libtiff/zlib/libdeflate (or libtiff's codecs) as shared libraries, only
# the C library (glibc) and the kernel's vDSO. Also writes the tarball's SHA-256 file.
#
# How the C libraries become static: the linker searches the -L folders it is given before the
# system ones, and takes the first libNAME it finds there; the folder below holds only the
# static archives (.a) of Debian's -dev packages, so `-lpng16` and friends resolve to them.
set -euo pipefail
cd "$(dirname "$0")/.."

scratch=.build-dist
staticlibs=$scratch/staticlibs
arch=$(uname -m)
version=$(sed -n 's/.*segscoreVersion = "\(.*\)".*/\1/p' Sources/SegScore/Version.swift)
[ -n "$version" ] || { echo "dist: cannot read the version from Sources/SegScore/Version.swift" >&2; exit 2; }
multiarch=$(gcc -print-multiarch)
gcc_dir=$(dirname "$(gcc -print-libgcc-file-name)")

mkdir -p "$staticlibs"
rm -f "$staticlibs"/*.a
# libtiff's own dependencies as Debian builds it (`pkg-config --static --libs libtiff-4`),
# libpng, zlib, libdeflate, and libstdc++ (LERC is C++).
libs=(png16 tiff z deflate webp zstd lzma Lerc jbig jpeg)
for lib in "${libs[@]}"; do
    archive=/usr/lib/$multiarch/lib$lib.a
    [ -f "$archive" ] || { echo "dist: $archive is missing (install the -dev package that has it)" >&2; exit 2; }
    ln -s "$archive" "$staticlibs/lib$lib.a"
done
ln -s "$gcc_dir/libstdc++.a" "$staticlibs/libstdc++.a"

# pkg-config files naming that folder as libdir, so the libraries the package's system-library
# targets ask pkg-config for are found there first.
pcdir=$scratch/pkgconfig
mkdir -p "$pcdir"
for pc in libpng libpng16 libtiff-4; do
    source_pc=$(pkg-config --variable=pcfiledir "$pc")/$pc.pc
    sed "s|^libdir=.*|libdir=$PWD/$staticlibs|" "$source_pc" >"$pcdir/$pc.pc"
done
export PKG_CONFIG_PATH=$PWD/$pcdir${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}

link=(-Xlinker "-L$PWD/$staticlibs")
for lib in "${libs[@]}" stdc++; do link+=(-Xlinker "-l$lib"); done
swift build -c release --product segscore --static-swift-stdlib --scratch-path "$scratch" "${link[@]}" \
    -Xlinker -lpthread -Xlinker -lm -Xlinker -Bstatic -Xlinker -lgcc_eh -Xlinker -Bdynamic

binary=$scratch/release/segscore
name=segscore-$version-linux-$arch
stage=$scratch/stage/$name
rm -rf "$scratch/stage"
mkdir -p "$stage/bin" dist
cp "$binary" "$stage/bin/segscore"
strip "$stage/bin/segscore"
cp README.md CHANGELOG.md "$stage/"
[ -f LICENSE ] && cp LICENSE "$stage/"
tarball=dist/$name.tar.gz
# Reproducible archive: fixed order, owner and time (SOURCE_DATE_EPOCH or the last commit's).
epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" -C "$scratch/stage" -cf - "$name" \
    | gzip -n -9 >"$tarball"
(cd dist && sha256sum "$name.tar.gz" >"$name.tar.gz.sha256")
echo "dist: $tarball ($(du -h "$tarball" | cut -f1)), $(cat "dist/$name.tar.gz.sha256")"
