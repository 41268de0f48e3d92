#!/bin/sh
# replay-example.sh EXAMPLE.bpf.c K TRACEKIND WORKDIR [PACKETS [SCR-REPLAY-ARGS...]]
#
# The end-to-end check of one example: scrcc compiles it for K cores into
# WORKDIR/out, scr-trace makes a TRACEKIND trace of PACKETS (default 2000)
# packets, and scr-replay compares the reference variant with K replicas of
# the SCR program (JSON on stdout; exit status 0 equal, 1 divergence,
# 2 error). Copy into a lit test as, e.g.:
#   RUN: sh %S/../runtime/Inputs/replay-example.sh %examples/ddos.bpf.c 4 zipf %t | FileCheck %s
#   CHECK: "divergences": 0,
set -eu
EXAMPLE=$1 K=$2 KIND=$3 WORK=$4
PACKETS=${5:-2000}
shift 4
if [ $# -gt 0 ]; then shift; fi
rm -rf "$WORK" && mkdir -p "$WORK"
scrcc "$EXAMPLE" --cores "$K" -o "$WORK/out"
scr-trace --kind "$KIND" --packets "$PACKETS" --seed 1 -o "$WORK/trace.pcap"
exec scr-replay --scr "$WORK/out" --trace "$WORK/trace.pcap" --cores "$K" --json "$@"
