#!/bin/bash
# Builds scrcc (if needed) and runs the whole test suite: unit tests and the
# lit suite (generated code, runtime, differential replay on the real
# kernel, hardware simulation). BPF tests need root.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -eq 0 ] && ! mountpoint -q /sys/fs/bpf; then
  mount -t bpf bpf /sys/fs/bpf
fi
[ -f build/build.ninja ] || cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
ninja -C build
cd build
# -V shows lit's summary (it is one CTest test) as well as the unit tests.
ctest -V --output-on-failure -j2 "$@"
