#!/bin/sh
# veth-run.sh SCRDIR TRACE.pcap MODE WORKDIR
#
# Runs an SCR program on a real datapath: a veth pair between two fresh
# network namespaces, each end with K + 2 queues (K = layout.cores), the
# program attached (MODE native|generic) to the receiving end vB with
# scr-replica. The reference sequencer's frames for TRACE go out of vA,
# frame i onto the queue that arrives at vB as RX queue i mod K (replica
# i mod K); then frame 2 once more onto the queue arriving as RX queue K,
# which no replica owns. Prints what passed XDP (veth-recv.py), the
# bookkeeping and the most up-to-date replica's copy of every written map,
# then every replica's copy (scr-replica state --replica r).
#
# Steering (veth-send.py): XPS maps the sending CPU to one TX queue before
# each frame; veth hands a frame sent on TX queue q to the peer's RX queue
# q. Native XDP on veth runs on that queue (xdp_md.rx_queue_index = q).
# Generic XDP reads the RX queue an skb recorded, queue_mapping - 1
# (skb_record_rx_queue's encoding), but veth passes the TX queue on as is,
# so there TX queue q arrives as RX queue q - 1 (and 0 as 0): generic mode
# sends on q + 1. The replicas' `applied` counters show where frames went.
# Namespaces, pins and the private bpffs are always removed.
set -eu
SCR=$1 TRACE=$2 MODE=$3 WORK=$4
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

K=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['cores'])" "$SCR/scr_layout.json")
QUEUES=$((K + 2))
SHIFT=0
[ "$MODE" = generic ] && SHIFT=1
PLAN=$(python3 -c "print(','.join(str(r + $SHIFT) for r in range($K)))")

scr-seq --scr "$SCR" -i "$TRACE" -o "$WORK/frames.pcap"

ip netns add "$NSA"
ip netns add "$NSB"
ip link add vA netns "$NSA" numrxqueues $QUEUES numtxqueues $QUEUES type veth \
  peer name vB netns "$NSB" numrxqueues $QUEUES numtxqueues $QUEUES
for NS in "$NSA" "$NSB"; do
  ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
done
ip -n "$NSA" link set vA up
ip -n "$NSB" link set vB up

# nsenter keeps our mount namespace (ip netns exec would remount /sys).
nsenter --net="/run/netns/$NSB" scr-replica attach --scr "$SCR" --dev vB \
  --mode "$MODE" --pin "$PIN" 2>&1
ip -n "$NSB" link show vB | grep -o ' xdp[a-z]* ' | tr -d ' '

ip netns exec "$NSB" python3 "$HERE/veth-recv.py" vB 1.5 "$WORK/ready" \
  >"$WORK/passed.txt" &
RECV=$!
while [ ! -e "$WORK/ready" ]; do sleep 0.05; done
# ip netns exec: the sender writes vA's XPS maps in the namespace's /sys.
ip netns exec "$NSA" python3 "$HERE/veth-send.py" vA "$WORK/frames.pcap" \
  "$PLAN" --again 2:$((K + SHIFT))
wait "$RECV"
cat "$WORK/passed.txt"

nsenter --net="/run/netns/$NSB" scr-replica detach --dev vB --mode "$MODE"
MAPS=$(python3 -c "import json,sys; print(' '.join(s['name'] for s in json.load(open(sys.argv[1]))['state'] if s['written']))" "$SCR/scr_layout.json")
for MAP in $MAPS; do
  scr-replica state --scr "$SCR" --map "$MAP" --pin "$PIN"
  R=0
  while [ $R -lt "$K" ]; do
    scr-replica state --scr "$SCR" --map "$MAP" --pin "$PIN" --replica $R \
      >"$WORK/state.txt"
    sed -n '/^map /,$p' "$WORK/state.txt"
    R=$((R + 1))
  done
done
