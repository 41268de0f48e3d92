#!/bin/bash
# Builds scrcc (if needed) and runs the test suite: unit tests and the fast
# lit tier (generated code, runtime, differential replay on the real
# kernel). SCR_LIT_LONG=1 adds the long tier (RTL simulation and lint, the
# replay matrix of every example, loss recovery, benchmarks, fuzzing).
# Arguments go to ctest (e.g. `-L long`, `-R lit-scrcc`). BPF tests need root.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -eq 0 ] && ! mountpoint -q /sys/fs/bpf; then
  mount -t bpf bpf /sys/fs/bpf
fi
[ -f build/build.ninja ] || cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
ninja -C build
cd build
# -V shows each lit run's summary as well as the unit tests.
if [ "${SCR_LIT_LONG:-0}" != 0 ]; then
  ctest -V --output-on-failure -j2 "$@"
else
  ctest -V --output-on-failure -j2 -LE long "$@"
fi
