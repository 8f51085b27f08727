#!/usr/bin/env bash
# Builds Trapeze's Linux guest kernel: build/linux/Image.
#
# Debian's linux-source-6.1 (/usr/src/linux-source-6.1.tar.xz) is unpacked
# once into build/linux/src, configured as `tinyconfig` plus
# guests/linux/kernel.config (merged with scripts/kconfig/merge_config.sh)
# and built out of tree in build/linux/kbuild.
#
# Cached: the key is a hash of the fragment, the linux-source package version
# and the cross compiler's version, kept in build/linux/kernel.key. When it
# matches and the Image exists, nothing is done, and the Image keeps its
# mtime (make relies on that).
#
# Environment: CROSS (default riscv64-linux-gnu-), BUILD (default build),
# JOBS (default nproc). Run from anywhere; paths are from the repo root.
set -euo pipefail

cd "$(dirname "$0")/../.."
CROSS=${CROSS:-riscv64-linux-gnu-}
BUILD=${BUILD:-build}
JOBS=${JOBS:-$(nproc)}
PKG=linux-source-6.1
TARBALL=/usr/src/$PKG.tar.xz
FRAGMENT=guests/linux/kernel.config
case "$BUILD" in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
OUT=$BUILD/linux
SRC=$OUT/src
OBJ=$OUT/kbuild
KEYFILE=$OUT/kernel.key

say() { echo "build-kernel: $*"; }

if [ ! -r "$TARBALL" ]; then
	say "$TARBALL missing: run scripts/install-deps.sh (package $PKG)" >&2
	exit 1
fi
version=$(dpkg-query -W -f='${Version}' "$PKG")
key=$( { echo "$PKG $version"; "${CROSS}gcc" --version | head -n1; cat "$FRAGMENT"; } \
	| sha256sum | cut -d' ' -f1)

if [ -f "$OUT/Image" ] && [ -f "$KEYFILE" ] && [ "$(cat "$KEYFILE")" = "$key" ]; then
	say "up to date ($PKG $version, key ${key:0:12})"
	exit 0
fi

start=$(date +%s.%N)
mkdir -p "$OUT"
rm -f "$KEYFILE"

# Unpack once per source package version.
if [ ! -f "$SRC/.trapeze-version" ] || [ "$(cat "$SRC/.trapeze-version")" != "$version" ]; then
	say "unpacking $TARBALL ($version)"
	rm -rf "$SRC" "$OBJ"
	mkdir -p "$SRC"
	tar -xJf "$TARBALL" -C "$SRC" --strip-components=1
	echo "$version" > "$SRC/.trapeze-version"
fi

kmake() {
	make -s -C "$SRC" O="$OBJ" ARCH=riscv CROSS_COMPILE="$CROSS" "$@"
}

mkdir -p "$OBJ"
say "configuring: tinyconfig + $FRAGMENT (log: $OUT/kconfig.log)"
{
	kmake tinyconfig
	(cd "$SRC" && ARCH=riscv CROSS_COMPILE="$CROSS" \
		scripts/kconfig/merge_config.sh -m -O "$OBJ" "$OBJ/.config" "$OLDPWD/$FRAGMENT")
	kmake olddefconfig
} >"$OUT/kconfig.log" 2>&1 || { cat "$OUT/kconfig.log" >&2; exit 1; }

# merge_config.sh only warns when Kconfig overrides a request (an unmet
# dependency, a misspelt name): make that an error here.
bad=0
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=*)
		grep -qxF "$line" "$OBJ/.config" || { say "not as requested: $line (got: $(grep -E "^(# )?${line%%=*}[= ]" "$OBJ/.config" || echo absent))" >&2; bad=1; }
		;;
	"# CONFIG_"*" is not set")
		sym=${line#\# }; sym=${sym%% *}
		! grep -q "^$sym=" "$OBJ/.config" || { say "not as requested: $line (got: $(grep "^$sym=" "$OBJ/.config"))" >&2; bad=1; }
		;;
	esac
done < "$FRAGMENT"
[ "$bad" -eq 0 ] || exit 1

say "building Image with -j$JOBS"
kmake -j"$JOBS" Image
cp "$OBJ/arch/riscv/boot/Image" "$OUT/Image"
echo "$key" > "$KEYFILE"
end=$(date +%s.%N)
say "built $OUT/Image ($(stat -c %s "$OUT/Image") bytes) in $(printf '%.1f' "$(echo "$end - $start" | bc)") s"
