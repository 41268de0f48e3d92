// SPDX-License-Identifier: GPL-2.0
/* An empty program: its BPF_PROG_TEST_RUN time per repeat is the test-run
 * loop's own overhead, subtracted from every program's time. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int bench_empty(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
