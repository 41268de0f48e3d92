#!/bin/sh
# loss-matrix.sh EXAMPLE.bpf.c TRACEKIND WORKDIR [K...]
#
# The loss-recovery check of one example: for each K (default 2 4 8)
# scrcc compiles it with --loss-recovery, and scr-replay runs K concurrent
# replicas over a 20000-packet trace with frames lost between sequencer and
# cores at 0.01 % and 0.1 % (single losses), 1 % in bursts of 4 and 5 % in
# bursts of 20 (longer than the history N = K - 1): four replays on one
# load. One line per replay:
#   K=2 loss=1% burst=4: exit=0 divergences=0 frames_lost=20 lost_everywhere=17 ...
# exit is scr-replay's status (0 equal, 1 divergence, 2 error).
# SCRCC_OPTIONS, if set, is passed to scrcc (e.g. --slot-bytes 8).
set -u
EXAMPLE=$1 KIND=$2 WORK=$3
shift 3
KS=${*:-2 4 8}
rm -rf "$WORK" && mkdir -p "$WORK"
scr-trace --kind "$KIND" --packets 20000 --seed 7 -o "$WORK/trace.pcap" || exit 2
for K in $KS; do
  scrcc "$EXAMPLE" --cores "$K" --loss-recovery ${SCRCC_OPTIONS:-} -o "$WORK/k$K" 2>/dev/null || exit 2
  scr-replay --scr "$WORK/k$K" --trace "$WORK/trace.pcap" --cores "$K" \
    --seed "$K" --loss 0.01% --loss 0.1% --loss 1%/4 --loss 5%/20 --json \
    > "$WORK/k$K.json" 2> "$WORK/k$K.err"
  STATUS=$?
  python3 - "$WORK/k$K.json" "$K" "$STATUS" <<'PY'
import json, sys
path, k, status = sys.argv[1:]
try:
    runs = json.load(open(path))
except Exception:
    print("K=%s: exit=%s no result" % (k, status)); sys.exit(0)
for j in runs:
    l = j["loss"]
    print("K=%s loss=%g%% burst=%d: exit=%s divergences=%d frames_lost=%d "
          "lost_everywhere=%d compared=%d parked=%d"
          % (k, l["rate"] * 100, l["burst"], status, j["divergences"],
             l["frames_lost"], l["entries_lost_everywhere"],
             l["verdicts_compared"], l["parked"]))
    for d in j["listed_divergences"][:3]:
        print("  packet %d replica %d: %s: expected %s, actual %s"
              % (d["packet"], d["replica"], d["what"], d["expected"][:40],
                 d["actual"][:40]))
PY
  [ $STATUS -eq 2 ] && cat "$WORK/k$K.err"
done
exit 0
