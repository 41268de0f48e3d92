/* Input of accept-replicated-shapes.test: a per-CPU statistics array and a
 * pinned flow table, both written, plus a configuration map read through a
 * lookup helper that is only ever given it. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} proto_packets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} seen_sources SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} watch_ttl SEC(".maps");

static __always_inline __u64 *counter(void *map, __u32 key)
{
	return bpf_map_lookup_elem(map, &key);
}

SEC("xdp")
int count(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	__u32 zero = 0, saddr;
	__u32 *ttl;
	__u64 *n, one = 1;

	if ((void *)(iph + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	n = counter(&proto_packets, iph->protocol & 3);
	if (n)
		*n += 1;
	ttl = bpf_map_lookup_elem(&watch_ttl, &zero);
	if (!ttl || iph->ttl != *ttl)
		return XDP_PASS;
	saddr = iph->saddr;
	n = bpf_map_lookup_elem(&seen_sources, &saddr);
	if (n)
		*n += 1;
	else
		bpf_map_update_elem(&seen_sources, &saddr, &one, BPF_ANY);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
