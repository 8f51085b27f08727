#!/usr/bin/env bash
# Installs every Debian package Trapeze needs, skipping what is present.
# Called first by `make run`, `make test` and .ci/run.
set -euo pipefail

PACKAGES=(
  make gcc gcc-riscv64-linux-gnu libc6-dev-riscv64-cross binutils-riscv64-linux-gnu
  qemu-system-misc opensbi device-tree-compiler
  libfdt-dev libinih-dev libcmocka-dev pkg-config
  python3 python3-pytest python3-pexpect
  clang libclang-rt-14-dev gnuplot-nox
  linux-source-6.1 bc flex bison libssl-dev libelf-dev cpio xz-utils dpkg-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
