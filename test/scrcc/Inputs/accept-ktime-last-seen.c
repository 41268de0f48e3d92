/* Input of accept-ktime-last-seen.test (the checks and why are there). */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} last_seen SEC(".maps");

SEC("xdp")
int remember_last_seen(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);

	if ((void *)(iph + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	__u32 saddr = iph->saddr;
	__u64 now = bpf_ktime_get_ns();

	bpf_map_update_elem(&last_seen, &saddr, &now, BPF_ANY);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
