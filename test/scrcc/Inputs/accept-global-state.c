/* Input of accept-global-state.test: per-program totals in plain globals,
 * as small XDP programs often keep them (a struct, a counter updated
 * atomically, a static remembered between packets). */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct totals {
	__u64 packets;
	__u64 bytes;
};

__u64 ipv4_packets;
struct totals seen = {};
static __u32 last_ttl;

SEC("xdp")
int count(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);

	seen.packets++;
	seen.bytes += data_end - data;
	if ((void *)(iph + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	__sync_fetch_and_add(&ipv4_packets, 1);
	if (iph->ttl < last_ttl && ipv4_packets > 10)
		return XDP_DROP;
	last_ttl = iph->ttl;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
