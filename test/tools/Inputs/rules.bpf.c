// SPDX-License-Identifier: GPL-2.0
/*
 * rules.bpf.c - a rule table as real programs configure it: a hash map of
 * rules keyed by (destination address, port, protocol) whose values are
 * structs with an enum, filled by a control plane (scr-replay --map-init);
 * a flags array; and a per-rule hit counter pinned by name, as tools that
 * read statistics from bpffs expect.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

enum rule_action {
	RULE_PASS = 2,
	RULE_DROP = 1,
	RULE_LIMIT = 7,
};

struct rule_key {
	__u32 daddr; /* network order */
	__u16 dport; /* network order */
	__u8 protocol;
	__u8 pad;
};

struct rule {
	enum rule_action action;
	__u32 limit; /* RULE_LIMIT: datagrams passed before dropping */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, struct rule_key);
	__type(value, struct rule);
} rules SEC(".maps");

/* flags[0] != 0: drop what no rule matches. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} flags SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, struct rule_key);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} rule_hits SEC(".maps");

SEC("xdp")
int rules_fw(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	struct iphdr *iph = (void *)(eth + 1);
	if ((void *)(iph + 1) > data_end)
		return XDP_PASS;
	if (iph->ihl != 5 ||
	    (iph->protocol != IPPROTO_UDP && iph->protocol != IPPROTO_TCP))
		return XDP_PASS;
	struct udphdr *l4 = (void *)(iph + 1);
	if ((void *)(l4 + 1) > data_end)
		return XDP_PASS;

	struct rule_key key = {};
	key.daddr = iph->daddr;
	key.dport = l4->dest;
	key.protocol = iph->protocol;
	struct rule *r = bpf_map_lookup_elem(&rules, &key);
	if (!r) {
		__u32 zero = 0;
		__u64 *drop_unmatched = bpf_map_lookup_elem(&flags, &zero);
		return drop_unmatched && *drop_unmatched ? XDP_DROP : XDP_PASS;
	}
	__u64 *hits = bpf_map_lookup_elem(&rule_hits, &key);
	__u64 n = 1;
	if (hits) {
		*hits += 1;
		n = *hits;
	} else {
		bpf_map_update_elem(&rule_hits, &key, &n, BPF_ANY);
	}
	if (r->action == RULE_LIMIT)
		return n > r->limit ? XDP_DROP : XDP_PASS;
	return r->action == RULE_DROP ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
