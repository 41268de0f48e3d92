#!/bin/sh
# attach-once.sh OUTDIR PINDIR: loads OUTDIR's SCR program with scr-replica,
# attaches it (generic XDP) to a veth in a network namespace of its own,
# shows the link, and removes everything again whatever happens.
out=$1 pin=$2
ns=scr-old-$$
ip netns add "$ns" || exit 2
trap 'ip netns del "$ns"; scr-replica unload --scr "$out" --pin "$pin" 2>/dev/null' EXIT INT TERM
ip -n "$ns" link add scrold0 type veth peer name scrold1 || exit 2
# nsenter keeps the mount namespace (the pins stay visible).
nsenter --net=/run/netns/"$ns" scr-replica attach --scr "$out" --dev scrold0 --mode generic --pin "$pin" 2>&1 || exit 1
ip -n "$ns" link show scrold0 | grep -o xdpgeneric
