#!/bin/sh
# build.sh "BPF_CC" PROGRAM.bpf.c ENTRY K OUT SCRIPT [SCRCC_OPTION]...
#
# Everything a hostile-frame test starts from, in OUT: the trace of SCRIPT
# (xdp-verdicts.py format) as trace.pcap, scrcc's output for K cores, the
# SCR program compiled as scr.o and, as unchecked.o, the same program with
# its frame check switched off (what the frames do when nothing drops
# them), the sequencer's frames.pcap and the clean run of those frames
# through scr.o (clean.txt; its verdicts in clean.verdicts, its state lines
# in clean.state).
set -e
CC=$1 PROG=$2 ENTRY=$3 K=$4 OUT=$5 SCRIPT=$6
shift 6
HERE=$(dirname "$0")
rm -rf "$OUT" && mkdir -p "$OUT"
python3 "$HERE/../../examples/Inputs/xdp-verdicts.py" --pcap "$OUT/trace.pcap" "$SCRIPT"
scrcc "$PROG" --cores "$K" -o "$OUT" --emit bpf,layout "$@"
SRC=$(ls "$OUT"/*.scr.bpf.c)
$CC -c "$SRC" -o "$OUT/scr.o"
grep -q 'if (scr_check_frame(ctx, rep))' "$SRC"
sed 's/if (scr_check_frame(ctx, rep))/if (0 \&\& scr_check_frame(ctx, rep))/' \
  "$SRC" > "$OUT/unchecked.bpf.c"
$CC -c "$OUT/unchecked.bpf.c" -o "$OUT/unchecked.o"
scr-seq --scr "$OUT" -i "$OUT/trace.pcap" -o "$OUT/frames.pcap"
python3 "$HERE/hostile.py" "$OUT/scr.o" "$ENTRY" "$OUT" "$OUT/frames.pcap" "$K" > "$OUT/clean.txt"
grep '^frame' "$OUT/clean.txt" > "$OUT/clean.verdicts"
grep '^state' "$OUT/clean.txt" > "$OUT/clean.state"
