#!/bin/bash
# Differential replay of one example over core counts and trace kinds.
# usage: replay-matrix.sh EXAMPLE.bpf.c WORKDIR "K..." "KIND..." [PACKETS [SCRCC-OPTIONS [REPLAY-OPTIONS]]]
# (REPLAY-OPTIONS: e.g. --map-init FILE.json to fill configuration maps)
# Each line ends with what the original did: its verdicts and the entries
# of its written maps after the trace.
# Prints one line per run; exits non-zero on the first divergence or error.
set -u
# Hash maps of the examples hold up to 1M entries; a 600-packet trace needs
# far fewer, and preallocating them dominates the run time.
max_entries=16384
src=$1 work=$2 cores=$3 kinds=$4 packets=${5:-1000} options=${6:-} replay_options=${7:-}
rm -rf "$work" && mkdir -p "$work"
for kind in $kinds; do
  scr-trace --kind "$kind" --packets "$packets" --seed 7 -o "$work/$kind.pcap" >/dev/null || exit 2
done
runs=0
for k in $cores; do
  out=$work/k$k
  # Only what the replay needs: the hardware back ends have their own tests.
  scrcc "$src" --cores "$k" -o "$out" --emit bpf,layout $options || { echo "scrcc failed at K=$k"; exit 2; }
  # Compile once per K, with the flags scrcc recorded; scr-replay uses
  # up-to-date objects next to the C.
  for c in "$out"/*.scr.bpf.c "$out"/*.ref.bpf.c; do
    # shellcheck disable=SC2046 # one flag per line
    clang-19 -O2 -g $(cat "$out/compile_flags.txt") -c "$c" -o "${c%.c}.o" || exit 2
  done
  for kind in $kinds; do
    if ! scr-replay --scr "$out" --trace "$work/$kind.pcap" --cores "$k" \
         --checkpoint-every 8 --max-entries $max_entries $replay_options --json > "$out/$kind.json" 2> "$out/$kind.err"; then
      echo "DIVERGENT K=$k trace=$kind"
      cat "$out/$kind.err"
      python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["first_divergence"]))' "$out/$kind.json" 2>/dev/null
      exit 1
    fi
    python3 - "$out/$kind.json" "$k" "$kind" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
# What the original did: did the trace and configuration reach the logic?
did = " ".join(f"{v} {n}" for v, n in d["original"]["verdicts"].items())
did += "".join(f", {m} {n} entries" for m, n in d["original"]["entries"].items())
print(f"K={sys.argv[2]} trace={sys.argv[3]}: {d['packets']} packets, "
      f"{d['divergences']} divergences; original: {did}")
PY
    runs=$((runs + 1))
  done
done
echo "$runs runs, all equivalent"
