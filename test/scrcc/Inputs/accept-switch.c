/* Input of accept-switch.test (the checks and why are there). */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, __u64);
} per_protocol SEC(".maps");

static void bump(__u32 slot)
{
	__u64 *n = bpf_map_lookup_elem(&per_protocol, &slot);

	if (n)
		*n += 1;
}

SEC("xdp")
int count_protocols(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);

	if ((void *)(iph + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	switch (iph->protocol) {
	case IPPROTO_TCP:
		bump(0);
		break;
	case IPPROTO_UDP:
		bump(1);
		break;
	case IPPROTO_ICMP:
		return XDP_DROP;
	default:
		bump(2);
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
