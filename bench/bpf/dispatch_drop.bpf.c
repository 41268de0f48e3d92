// SPDX-License-Identifier: GPL-2.0
/* The cheapest XDP program that ends a frame's life: timed in
 * BPF_PROG_TEST_RUN live-frames mode it gives the kernel's cost of
 * presenting a frame to XDP and recycling it (the dispatch cost d, without a
 * NIC driver). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int bench_drop(struct xdp_md *ctx)
{
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
