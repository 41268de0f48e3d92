#!/bin/bash
# Every SCR program of the replay matrix, deployed with nothing of ours but
# the frames: loaded once with `bpftool prog loadall`, each frame run with
# `bpftool prog run` on RX queue (i mod K) of a K-queue veth
# (bpftool-replicas.py), lockstep and with each replica in turn two of its
# frames ahead of the others; its verdicts must be the original's (the
# reference variant under bpftool, its clock set to the trace's
# timestamps). test/replay/one-object.test also runs replicas behind.
# usage: bpftool-matrix.sh EXAMPLE.bpf.c WORKDIR "K..." KIND PACKETS [CONFIG...]
# (CONFIG: MAP:KEYHEX=VALUEHEX entries for configuration maps, written into
# both programs with bpftool map update)
set -u
src=$1 work=$2 cores=$3 kind=$4 packets=$5
shift 5
config=()
for c in "$@"; do config+=(--config "$c"); done
here=$(cd "$(dirname "$0")" && pwd)
# cc SOURCE OBJECT: with the flags scrcc recorded next to SOURCE.
# shellcheck disable=SC2046 # one flag per line
cc() { clang-19 -O2 -g $(cat "$(dirname "$1")/compile_flags.txt") -c "$1" -o "$2"; }
rm -rf "$work" && mkdir -p "$work"
scr-trace --kind "$kind" --packets "$packets" --seed 3 -o "$work/trace.pcap" >/dev/null || exit 2
want=
for k in $cores; do
  out=$work/k$k
  scrcc "$src" --cores "$k" -o "$out" --emit bpf,layout || { echo "scrcc failed at K=$k"; exit 2; }
  stem=$(basename "$src" .bpf.c)
  entry=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["program"]["entry"])' "$out/scr_layout.json")
  cc "$out/$stem.scr.bpf.c" "$out/scr.o" || exit 2
  scr-seq --scr "$out" -i "$work/trace.pcap" -o "$out/frames.pcap" >/dev/null || exit 2
  if [ -z "$want" ]; then
    # The reference does not depend on K.
    bits=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["timestamp_bits"])' "$out/scr_layout.json")
    cc "$out/$stem.ref.bpf.c" "$work/ref.o" || exit 2
    python3 "$here/bpftool-replicas.py" "${config[@]}" --reference "$work/ref.o" "$entry" "$work/trace.pcap" "$bits" > "$work/want" || exit 2
    want=$work/want
  fi
  for order in lockstep ahead:2; do
    python3 "$here/bpftool-replicas.py" "${config[@]}" "$out/scr.o" "$entry" "$out/frames.pcap" "$k" "$order" > "$out/$order.got" || exit 2
    if ! diff -q "$want" "$out/$order.got" >/dev/null; then
      echo "DIVERGENT K=$k order=$order"
      diff "$want" "$out/$order.got" | head -5
      exit 1
    fi
  done
  echo "K=$k: $(wc -l < "$want") verdicts equal in lockstep and ahead:2"
done
echo "all equal"
