#!/bin/sh
# own-pin-root.sh CMD [ARGS...]: runs CMD in a mount namespace of its own
# with an empty bpffs on /sys/fs/bpf (libbpf's default pin root), then
# prints what CMD left pinned there ("pinned: nothing" if nothing). The
# host's /sys/fs/bpf, shared with whatever else runs on the machine, is not
# touched. Exit status: CMD's.
if [ "$OWN_PIN_ROOT" != 1 ]; then
  OWN_PIN_ROOT=1 exec unshare --mount --propagation private sh "$0" "$@"
fi
mount -t bpf bpf /sys/fs/bpf || exit 2
"$@"
status=$?
# A fresh bpffs holds the kernel's preloaded iterators.
left=$(ls -A /sys/fs/bpf | grep -v -x -e maps.debug -e progs.debug | tr '\n' ' ')
echo "pinned: ${left:-nothing}"
exit $status
