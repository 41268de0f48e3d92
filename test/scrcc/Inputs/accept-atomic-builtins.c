/* Input of accept-atomic-builtins.test (the checks and why are there). */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct seen {
	__u64 packets;
	__u64 last_ttl;
	__u64 first_ttl;
};

/* Written only through __atomic_* builtins (AtomicExpr in Clang's AST,
 * not calls): still replicated state. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, struct seen);
} by_ttl_bucket SEC(".maps");

SEC("xdp")
int atomic_builtins(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	struct seen *s;
	__u64 expected = 0;
	__u32 bucket;

	if ((void *)(iph + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	bucket = iph->protocol;
	s = bpf_map_lookup_elem(&by_ttl_bucket, &bucket);
	if (!s)
		return XDP_PASS;
	__atomic_fetch_add(&s->packets, 1, __ATOMIC_RELAXED);
	__atomic_exchange_n(&s->last_ttl, iph->ttl, __ATOMIC_RELAXED);
	__atomic_compare_exchange_n(&s->first_ttl, &expected, iph->ttl, 0,
				    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
