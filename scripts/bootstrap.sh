#!/bin/bash
# Fresh machine to a working scrcc: install dependencies, build, compile the
# port-knocking example for 14 cores into out/, and load the result into the
# kernel to show the verifier accepts it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
ninja -C build
build/bin/scrcc examples/portknock.bpf.c --cores 14 -o out/
ls -l out/
# Load it (needs root and bpf(2)); skipped where BPF is not available.
if [ "$(id -u)" -eq 0 ]; then
  mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
  clang-19 -O2 -g -target bpf -I"/usr/include/$(gcc -print-multiarch)" \
    -c out/portknock.scr.bpf.c -o out/portknock.scr.bpf.o
  pin=/sys/fs/bpf/scrcc-bootstrap-$$
  bpftool prog load out/portknock.scr.bpf.o "$pin"
  bpftool prog show pinned "$pin"
  rm -f "$pin"
  echo "out/portknock.scr.bpf.c: accepted by the kernel verifier"
fi
