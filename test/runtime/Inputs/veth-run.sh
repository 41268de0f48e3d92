#!/bin/sh
# veth-run.sh SCRDIR TRACE.pcap MODE CPUS WORKDIR
#
# Runs an SCR program on a real datapath: a veth pair between two fresh
# network namespaces, the program attached (MODE native|generic) to the
# receiving end with scr-replica, the reference sequencer's frames for TRACE
# sent into the other end from CPUS in turn (e.g. 0,1). Prints what passed
# XDP (veth-recv.py) and then scr-replica's state of every written map.
# Namespaces, pins and the private bpffs are always removed.
set -eu
SCR=$1 TRACE=$2 MODE=$3 CPUS=$4 WORK=$5
HERE=$(cd "$(dirname "$0")" && pwd)
NSA=scr-a-$$ NSB=scr-b-$$
PIN=$WORK/bpffs/replicas

cleanup() {
  ip netns del "$NSA" 2>/dev/null || true
  ip netns del "$NSB" 2>/dev/null || true
  scr-replica unload --scr "$SCR" --pin "$PIN" >/dev/null 2>&1 || true
  umount "$WORK/bpffs" 2>/dev/null || true
}
trap cleanup EXIT INT TERM HUP

rm -rf "$WORK" && mkdir -p "$WORK/bpffs"
# A private bpffs: the pins survive across commands and never collide with
# another test's.
mount -t bpf bpf "$WORK/bpffs"

scr-replay --scr "$SCR" --trace "$TRACE" --cores "$(echo "$CPUS" | tr ',' '\n' | wc -l)" \
  --frames "$WORK/frames.pcap" --quiet >/dev/null

ip netns add "$NSA"
ip netns add "$NSB"
ip link add vA netns "$NSA" type veth peer name vB netns "$NSB"
for NS in "$NSA" "$NSB"; do
  ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
done
ip -n "$NSA" link set vA up
ip -n "$NSB" link set vB up

# nsenter keeps our mount namespace (ip netns exec would remount /sys).
nsenter --net="/run/netns/$NSB" scr-replica attach --scr "$SCR" --dev vB \
  --mode "$MODE" --cpus "$CPUS" --pin "$PIN"
ip -n "$NSB" link show vB | grep -o ' xdp[a-z]* ' | tr -d ' '

ip netns exec "$NSB" python3 "$HERE/veth-recv.py" vB 1.5 "$WORK/ready" \
  >"$WORK/passed.txt" &
RECV=$!
while [ ! -e "$WORK/ready" ]; do sleep 0.05; done
ip netns exec "$NSA" python3 "$HERE/veth-send.py" vA "$WORK/frames.pcap" "$CPUS"
wait "$RECV"
cat "$WORK/passed.txt"

nsenter --net="/run/netns/$NSB" scr-replica detach --dev vB --mode "$MODE"
for MAP in $(python3 -c "import json,sys; print(' '.join(s['name'] for s in json.load(open(sys.argv[1]))['state'] if s['written']))" "$SCR/scr_layout.json"); do
  scr-replica state --scr "$SCR" --map "$MAP" --pin "$PIN"
done
