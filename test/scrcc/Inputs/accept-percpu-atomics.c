/* Input of accept-percpu-atomics.test (the checks and why are there). */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct stats {
	__u64 packets;
	__u64 bytes;
	__u64 flags;
	__u64 firsts;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct stats);
} by_source SEC(".maps");

SEC("xdp")
int count_sources(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	struct stats fresh = {};
	struct stats *s;
	__u32 saddr;

	if ((void *)(iph + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	saddr = iph->saddr;
	s = bpf_map_lookup_elem(&by_source, &saddr);
	if (!s) {
		bpf_map_update_elem(&by_source, &saddr, &fresh, BPF_NOEXIST);
		s = bpf_map_lookup_elem(&by_source, &saddr);
		if (!s)
			return XDP_PASS;
	}
	__sync_fetch_and_add(&s->packets, 1);
	(void)__sync_add_and_fetch(&s->bytes, data_end - data);
	__atomic_fetch_or(&s->flags, 1ULL << (iph->ttl & 63), __ATOMIC_RELAXED);
	/* The old value is used: this one stays atomic. */
	if (__sync_fetch_and_add(&s->firsts, 0) == 0)
		s->firsts = 1;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
