#!/bin/sh
# bench/loss/run.sh [BUILD_BIN_DIR] [PACKETS] [K (default 2: one replica
#                   thread per CPU of a 2-CPU machine)] [EXAMPLES...]
#
# The cost of loss recovery. For each example: scrcc compiles it for K
# cores without and with --loss-recovery; scr-replay runs both over the same
# trace (PACKETS, default 20000) and reports the median kernel-measured run
# time of the replicas' frames (BPF_PROG_TEST_RUN, repeat 1, whole ns; the
# test run's own overhead is included in both). Recovery runs at 0 %
# loss (the cost of logging alone) and at 0.01 %, 0.1 %, 1 % (bursts of 4)
# and 5 % (bursts of 20) loss, on one load. Also: frames parked per 1000.
# Not a CI gate: the machine is shared; rerun and compare ratios of one run.
set -eu
BIN=${1:-$(dirname "$0")/../../build/bin}
PACKETS=${2:-20000}
K=${3:-2}
shift $(( $# < 3 ? $# : 3 ))
EXAMPLES=${*:-portknock ddos heavy_hitter token_bucket conntrack lb}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PATH=$BIN:$PATH
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
kind() {
  case $1 in
  portknock) echo portknock ;; token_bucket) echo bursts ;;
  conntrack) echo conntrack ;; *) echo zipf ;;
  esac
}
printf "%-13s %3s %9s %9s %9s %9s %9s %9s   %s\n" program K off "lr 0%" \
  "0.01%" "0.1%" "1%/4" "5%/20" "(median ns per frame; parked per 1000 frames)"
for E in $EXAMPLES; do
  scr-trace --kind "$(kind "$E")" --packets "$PACKETS" --seed 11 \
    -o "$WORK/$E.pcap" >/dev/null
  scrcc "$ROOT/examples/$E.bpf.c" --cores "$K" -o "$WORK/$E-off" 2>/dev/null
  scrcc "$ROOT/examples/$E.bpf.c" --cores "$K" --loss-recovery \
    -o "$WORK/$E-on" 2>/dev/null
  scr-replay --scr "$WORK/$E-off" --trace "$WORK/$E.pcap" --cores "$K" \
    --json > "$WORK/off.json" || true
  scr-replay --scr "$WORK/$E-on" --trace "$WORK/$E.pcap" --cores "$K" \
    --loss 0 --loss 0.01% --loss 0.1% --loss 1%/4 --loss 5%/20 --json \
    > "$WORK/on.json" || true
  python3 - "$E" "$K" "$WORK/off.json" "$WORK/on.json" <<'PY'
import json, sys
name, k, off, on = sys.argv[1:]
o = json.load(open(off))
runs = json.load(open(on))
per = lambda j: j["replica_run_ns_median"]
cells = ["%9.1f" % per(o)] + ["%9.1f" % per(j) for j in runs]
parked = [1000.0 * j["loss"]["parked"] / max(1, j["packets"]) for j in runs]
bad = sum(j["divergences"] for j in runs) + o["divergences"]
print("%-13s %3s %s   parked %s%s" % (name, k, " ".join(cells),
      "/".join("%.1f" % p for p in parked),
      "" if not bad else "  (%d DIVERGENCES)" % bad))
PY
done
