#!/usr/bin/env bash
# Builds a static riscv64 busybox for the Linux guest's initramfs:
# build/linux/busybox (the binary) and build/linux/busybox.links (one applet
# path a line, e.g. /bin/sh).
#
# The source is Debian's busybox source package, fetched without touching the
# system's apt setup (design.md, "Guest software"): a one-line deb-src list
# naming the mirror of /etc/apt/sources.list.d/debian.sources, and apt state
# kept in build/linux/apt. The fetched .dsc pins the version: later runs reuse
# it without the network; `make linux-clean` (or removing build/linux/apt)
# fetches afresh.
#
# Configuration: `defconfig`, then CONFIG_STATIC=y and CONFIG_TC off (tc does
# not build against current kernel headers).
#
# Cached: the key is a hash of the .dsc, the cross compiler's version and the
# configuration edits, kept in build/linux/busybox.key; when it matches and
# the binary exists, nothing is done and the outputs keep their mtimes.
#
# Environment: CROSS (default riscv64-linux-gnu-), BUILD (default build),
# JOBS (default nproc), SUITE (default bookworm).
set -euo pipefail

cd "$(dirname "$0")/../.."
CROSS=${CROSS:-riscv64-linux-gnu-}
BUILD=${BUILD:-build}
JOBS=${JOBS:-$(nproc)}
SUITE=${SUITE:-bookworm}
case "$BUILD" in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
OUT=$BUILD/linux
APT=$OUT/apt
PKGDIR=$OUT/busybox-pkg
SRC=$PKGDIR/src            # beside the .dsc, so dpkg-source copies nothing
KEYFILE=$OUT/busybox.key
# The configuration edits, one `sed` expression each; part of the cache key.
CONFIG_EDITS=(
	's/^# CONFIG_STATIC is not set$/CONFIG_STATIC=y/'
	's/^CONFIG_TC=y$/# CONFIG_TC is not set/'
)

say() { echo "build-busybox: $*"; }

apt_opts=(
	-o "Dir::Etc::sourcelist=$APT/sources.list"
	-o "Dir::Etc::sourceparts=-"
	-o "Dir::State::Lists=$APT/lists"
	-o "Dir::Cache=$APT/cache"
	-o "APT::Sandbox::User=root"
)

# The mirror the system itself uses: the first URIs line of its deb822 list
# (one-line sources.list as a fallback).
mirror_uri() {
	local uri=""
	if [ -r /etc/apt/sources.list.d/debian.sources ]; then
		uri=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources)
	fi
	if [ -z "$uri" ] && [ -r /etc/apt/sources.list ]; then
		uri=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) { print $i; exit } }' \
			/etc/apt/sources.list)
	fi
	echo "${uri:-http://deb.debian.org/debian}"
}

fetch_source() {
	local uri
	uri=$(mirror_uri)
	say "fetching Debian source package busybox ($SUITE) from $uri"
	rm -rf "$APT" "$PKGDIR"
	mkdir -p "$APT/lists/partial" "$APT/cache/archives/partial" "$PKGDIR"
	echo "deb-src $uri $SUITE main" > "$APT/sources.list"
	apt-get -q "${apt_opts[@]}" update >"$APT/update.log" 2>&1 ||
		{ cat "$APT/update.log" >&2; exit 1; }
	(cd "$PKGDIR" && apt-get -q "${apt_opts[@]}" source --download-only busybox) \
		>"$APT/source.log" 2>&1 || { cat "$APT/source.log" >&2; exit 1; }
}

dsc=$(ls "$PKGDIR"/busybox_*.dsc 2>/dev/null | head -n1 || true)
if [ -z "$dsc" ]; then
	fetch_source
	dsc=$(ls "$PKGDIR"/busybox_*.dsc | head -n1)
fi
key=$( { cat "$dsc"; "${CROSS}gcc" --version | head -n1; printf '%s\n' "${CONFIG_EDITS[@]}"; } \
	| sha256sum | cut -d' ' -f1)

if [ -f "$OUT/busybox" ] && [ -f "$OUT/busybox.links" ] && [ -f "$KEYFILE" ] &&
   [ "$(cat "$KEYFILE")" = "$key" ]; then
	say "up to date ($(basename "$dsc" .dsc), key ${key:0:12})"
	exit 0
fi

start=$(date +%s.%N)
rm -f "$KEYFILE"
rm -rf "$SRC"
say "unpacking $(basename "$dsc")"
dpkg-source --no-check -x "$dsc" "$SRC" >"$OUT/busybox-unpack.log" 2>&1 ||
	{ cat "$OUT/busybox-unpack.log" >&2; exit 1; }

bbmake() {
	make -s -C "$SRC" CROSS_COMPILE="$CROSS" "$@"
}

say "configuring: defconfig + static, no tc"
bbmake defconfig >"$OUT/busybox-config.log" 2>&1
for e in "${CONFIG_EDITS[@]}"; do
	sed -i "$e" "$SRC/.config"
done
{ yes '' || :; } | bbmake oldconfig >>"$OUT/busybox-config.log" 2>&1
grep -qx 'CONFIG_STATIC=y' "$SRC/.config" || { say "CONFIG_STATIC did not stick" >&2; exit 1; }
! grep -q '^CONFIG_TC=y' "$SRC/.config" || { say "CONFIG_TC did not go" >&2; exit 1; }

say "building with -j$JOBS"
bbmake -j"$JOBS" busybox busybox.links >"$OUT/busybox-build.log" 2>&1 ||
	{ tail -n 40 "$OUT/busybox-build.log" >&2; exit 1; }
file_out=$("${CROSS}readelf" -h -l "$SRC/busybox")
grep -q 'RISC-V' <<<"$file_out" || { say "not a RISC-V binary" >&2; exit 1; }
! grep -q 'INTERP' <<<"$file_out" || { say "not static" >&2; exit 1; }

cp "$SRC/busybox" "$OUT/busybox"
cp "$SRC/busybox.links" "$OUT/busybox.links"
echo "$key" > "$KEYFILE"
end=$(date +%s.%N)
say "built $OUT/busybox ($(stat -c %s "$OUT/busybox") bytes, $(wc -l < "$OUT/busybox.links") applets) in $(printf '%.1f' "$(echo "$end - $start" | bc)") s"
