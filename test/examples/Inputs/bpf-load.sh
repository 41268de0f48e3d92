#!/bin/sh
# Loads a BPF object through the kernel verifier with bpftool, prints what
# was loaded, and removes the pin again whatever happens.
# Usage: bpf-load.sh OBJECT.o [TYPE]
# TYPE (e.g. xdp) for programs in sections libbpf cannot guess a type from.
# The pin lives in a fresh directory of its own, so concurrent test runs from
# different build trees never collide.
set -eu
if [ $# -lt 1 ] || [ $# -gt 2 ] || [ ! -f "$1" ]; then
  echo "usage: $0 OBJECT.o [TYPE]" >&2
  exit 2
fi
if ! mountpoint -q /sys/fs/bpf; then
  mount -t bpf bpf /sys/fs/bpf
fi
pin_dir=$(mktemp -d /sys/fs/bpf/scrcc-test-XXXXXX)
trap 'rm -rf "$pin_dir"' EXIT INT TERM
bpftool prog load "$1" "$pin_dir/prog" ${2:+type "$2"}
bpftool prog show pinned "$pin_dir/prog"
