#!/usr/bin/env bash
# pseg as an application gets it (issue 16): cmake --install into a temporary prefix, then the
# example (examples/segment.c) built against it through pkg-config and through find_package(pseg
# 1.0), each run on a real photo; the installed files, the soname, the exported symbols (pseg_
# only), the version checks, and the .deb that cpack makes (its files and declared dependencies).
# Usage: test_install.sh SOURCE_DIR BUILD_DIR
set -uo pipefail
SRC=$1 BUILD=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
status=0
fail() { echo "FAIL $*"; status=1; }
ok() { echo "ok   $*"; }

P=$T/prefix
cmake --install "$BUILD" --prefix "$P" > "$T/install.log" 2>&1 || { cat "$T/install.log"; fail "cmake --install"; exit 1; }
LIB=$(sed -n 's/^libdir=\${prefix}\///p' "$P"/lib*/pkgconfig/pseg.pc 2>/dev/null | head -1)
[ -n "$LIB" ] || { fail "no lib*/pkgconfig/pseg.pc"; exit 1; }
for f in bin/pseg "$LIB/libpseg.so.1" "$LIB/libpseg.a" include/pseg.h "$LIB/pkgconfig/pseg.pc" \
         "$LIB/cmake/pseg/psegConfig.cmake" "$LIB/cmake/pseg/psegConfigVersion.cmake" \
         share/doc/pseg/weights/NOTICE share/doc/pseg/weights/LICENSE share/doc/pseg/models/NOTICE; do
  [ -e "$P/$f" ] || fail "not installed: $f"
done
ok "installed: bin/pseg, $LIB/libpseg.so.1 and libpseg.a, include/pseg.h, pkg-config and CMake files, notices"
readelf -d "$P/$LIB/libpseg.so.1" | grep -c 'SONAME.*\[libpseg\.so\.1\]' >/dev/null && ok "soname libpseg.so.1" || fail "soname"
others=$(nm -D --defined-only "$P/$LIB/libpseg.so.1" | awk '{print $3}' | grep -v '^pseg_' | head -5)
[ -z "$others" ] && ok "libpseg.so exports only pseg_ symbols ($(nm -D --defined-only "$P/$LIB/libpseg.so.1" | grep -c ' pseg_'))" ||
  fail "libpseg.so exports more than pseg_: $others"
v=$("$P/bin/pseg" --version) && [[ $v == "pseg 1.0.0 (libpseg 1.0.0)" ]] && ok "pseg --version: $v" || fail "pseg --version: $v"
export PKG_CONFIG_PATH=$P/$LIB/pkgconfig
[ "$(pkg-config --modversion pseg)" = 1.0.0 ] && ok "pkg-config --modversion pseg: 1.0.0" || fail "pkg-config version"

PHOTO=$SRC/tests/data/astronaut.png
export LD_LIBRARY_PATH=$P/$LIB
# 1. pkg-config
if cc -Wall -Wextra -Werror "$SRC/examples/segment.c" $(pkg-config --cflags --libs pseg libpng) -o "$T/segment_pc" 2> "$T/cc.log"; then
  out=$("$T/segment_pc" "$PHOTO" "$T/mask_pc.png" "$T/comp_pc.png") && [ -s "$T/mask_pc.png" ] && [ -s "$T/comp_pc.png" ] &&
    ok "example through pkg-config: $out" || fail "example through pkg-config did not run: $out"
  ldd "$T/segment_pc" | grep -c "libpseg.so.1 => $P" >/dev/null && ok "it runs the installed libpseg.so.1" || fail "not linked to the installed libpseg.so.1"
else
  cat "$T/cc.log"; fail "example through pkg-config does not build"
fi
# 2. find_package(pseg 1.0)
if cmake -S "$SRC/examples" -B "$T/bx" -DCMAKE_PREFIX_PATH="$P" > "$T/cm.log" 2>&1 && cmake --build "$T/bx" >> "$T/cm.log" 2>&1; then
  out=$("$T/bx/segment" "$PHOTO" "$T/mask_cm.png" "$T/comp_cm.png") && cmp -s "$T/mask_pc.png" "$T/mask_cm.png" &&
    ok "example through find_package(pseg 1.0): $out (the same mask)" || fail "example through find_package: $out"
else
  cat "$T/cm.log"; fail "example through find_package(pseg 1.0) does not build"
fi
# the version file refuses another major version
mkdir -p "$T/v2"
printf 'cmake_minimum_required(VERSION 3.16)\nproject(v2 C)\nfind_package(pseg 2.0 REQUIRED)\n' > "$T/v2/CMakeLists.txt"
cmake -S "$T/v2" -B "$T/v2/b" -DCMAKE_PREFIX_PATH="$P" > /dev/null 2>&1 && fail "find_package(pseg 2.0) accepted 1.0.0" ||
  ok "find_package(pseg 2.0) refuses 1.0.0"
# the installed tool
"$P/bin/pseg" segment "$PHOTO" -o "$T/mask_tool.png" > /dev/null 2>&1 && [ -s "$T/mask_tool.png" ] &&
  ok "the installed pseg segments the photo" || fail "installed pseg segment"

# 3. the .deb
if (cd "$BUILD" && cpack -G DEB -B "$T/deb" > "$T/cpack.log" 2>&1); then
  deb=$(ls "$T"/deb/*.deb | head -1)
  dep=$(dpkg-deb -f "$deb" Depends)
  echo "$dep" | grep -c libvulkan1 >/dev/null && echo "$dep" | grep -c libpng >/dev/null && ok "$(basename "$deb"): Depends: $dep" || fail ".deb dependencies: $dep"
  files=$(dpkg-deb -c "$deb")
  grep -q 'usr/bin/pseg$' <<< "$files" && grep -q 'libpseg.so.1' <<< "$files" && grep -q 'include/pseg.h$' <<< "$files" &&
    ok ".deb holds usr/bin/pseg, libpseg.so.1, include/pseg.h" || fail ".deb contents"
else
  cat "$T/cpack.log"; fail "cpack -G DEB"
fi
exit $status
