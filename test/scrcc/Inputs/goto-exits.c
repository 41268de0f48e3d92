/* A rate limiter in the style of xdp-tools programs: error exits with
 * goto, a common `out:` label that counts the verdict, statement-expression
 * macros and `bpf_printk`, a `do { } while (0)` macro body. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define MAX_PER_SOURCE 8

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 4096);
} udp_budget SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, XDP_REDIRECT + 1);
} verdicts SEC(".maps");

/* True if header `hdr` does not fit in the frame. */
#define HDR_TRUNCATED(hdr, end) ({                              \
	void *__next = (void *)((hdr) + 1);                     \
	__next > (end);                                         \
})

#define DROP_WITH_REASON(reason) do {                            \
	bpf_printk("drop: %s", reason);                         \
	action = XDP_DROP;                                      \
} while (0)

static __always_inline void count_verdict(__u32 verdict)
{
	__u64 *cnt = bpf_map_lookup_elem(&verdicts, &verdict);

	if (cnt)
		*cnt += 1;
}

SEC("xdp")
int udp_limit(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph;
	__u32 *budget, saddr;
	int action = XDP_PASS;

	if (HDR_TRUNCATED(eth, data_end))
		goto drop;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		goto out;
	iph = (void *)(eth + 1);
	if (HDR_TRUNCATED(iph, data_end)) {
		bpf_printk("short IPv4 header");
		goto drop;
	}
	if (iph->protocol != IPPROTO_UDP)
		goto out;

	saddr = iph->saddr;
	budget = bpf_map_lookup_elem(&udp_budget, &saddr);
	if (!budget) {
		__u32 fresh = MAX_PER_SOURCE - 1;

		bpf_map_update_elem(&udp_budget, &saddr, &fresh, BPF_ANY);
		goto out;
	}
	if (*budget == 0) {
		DROP_WITH_REASON("over budget");
		goto out;
	}
	*budget -= 1;
	goto out;
drop:
	action = XDP_DROP;
out:
	count_verdict(action);
	return action;
}

char _license[] SEC("license") = "GPL";
