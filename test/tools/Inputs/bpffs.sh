#!/bin/sh
# bpffs.sh DIR CMD [ARGS...]: runs CMD with a private bpffs mounted on DIR,
# unmounted afterwards whatever CMD does (everything pinned there goes with
# it). Exit status: CMD's.
dir=$1
shift
umount "$dir" 2>/dev/null
mkdir -p "$dir" && mount -t bpf bpf "$dir" || exit 2
trap 'umount "$dir"' EXIT INT TERM
"$@"
