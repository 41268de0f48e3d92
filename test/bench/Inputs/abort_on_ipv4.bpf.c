// Counts frames, and aborts on every IPv4 one (a test run reports
// XDP_ABORTED, which scr-bench must refuse to time).
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} frames SEC(".maps");

SEC("xdp")
int abort_on_ipv4(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&frames, &zero);

	if (n)
		*n += 1;
	if ((void *)(eth + 1) <= data_end && eth->h_proto == bpf_htons(ETH_P_IP))
		return XDP_ABORTED;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
