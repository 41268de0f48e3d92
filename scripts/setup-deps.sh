#!/bin/bash
# Installs everything scrcc needs on Debian 12, by package name.
set -euo pipefail
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
  build-essential cmake ninja-build pkg-config git python3 \
  clang-19 libclang-19-dev libclang-cpp19-dev llvm-19-dev llvm-19-tools \
  libclang-rt-19-dev \
  libbpf-dev bpftool linux-libc-dev libpcap-dev nlohmann-json3-dev \
  libgtest-dev iverilog verilator yosys iproute2 gnuplot-nox
