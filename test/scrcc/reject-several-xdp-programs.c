// With several XDP programs in one file, scrcc does not guess: it lists them
// and asks for --entry. With --entry it compiles the chosen one.
// RUN: rm -rf %t.out %t.one
// RUN: not scrcc %s --cores 4 -o %t.out 2>&1 | FileCheck %s
// RUN: not test -e %t.out
// RUN: scrcc %s --cores 4 --entry second --emit layout -o %t.one
// RUN: FileCheck %s --check-prefix=ENTRY < %t.one/scr_layout.json
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int first(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
// CHECK: reject-several-xdp-programs.c:[[@LINE+1]]:5: error: several XDP programs (first, second); choose one with --entry
int second(struct xdp_md *ctx)
{
	return XDP_DROP;
}

// ENTRY: "entry": "second"

char LICENSE[] SEC("license") = "GPL";
