/* Per-flow packet and byte counts in an open-addressing flow table (an
 * array of slots probed linearly from the flow's hash), as flow monitors
 * that avoid hash-map updates on the fast path keep them. The hash walks
 * the key a word at a time up to a length the caller passes (sizeof the
 * key), the probe loop counts a constant down, and the statistics macros
 * are do { } while (0) bodies. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define FLOW_SLOTS 1024
#define FLOW_PROBES 4

struct flow_key {
	__u32 saddr;
	__u32 daddr;
	__u16 sport;
	__u16 dport;
	__u8 proto;
	__u8 pad[3];
};

struct flow_slot {
	struct flow_key key;
	__u64 packets;
	__u64 bytes;
};

struct probe_stats {
	__u64 lookups;
	__u64 collisions;
	__u64 table_full;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FLOW_SLOTS);
	__type(key, __u32);
	__type(value, struct flow_slot);
} flow_table SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct probe_stats);
} probe_stats SEC(".maps");

#define STAT_INC(s, field)                                                     \
	do {                                                                   \
		if (s)                                                         \
			(s)->field++;                                          \
	} while (0)

/* FNV-1a over 64-bit words: len must be a multiple of 8. */
static __always_inline __u32 hash_words(const void *data, __u32 len)
{
	const __u64 *w = data;
	__u64 h = 0xcbf29ce484222325ULL;
	__u32 i;

	for (i = 0; i < len; i += 8) {
		h ^= w[i / 8];
		h *= 0x100000001b3ULL;
	}
	return (__u32)(h ^ (h >> 32));
}

static __always_inline int same_flow(const struct flow_key *a,
				     const struct flow_key *b)
{
	return a->saddr == b->saddr && a->daddr == b->daddr &&
	       a->sport == b->sport && a->dport == b->dport &&
	       a->proto == b->proto;
}

static __always_inline void account(struct flow_key *key, __u64 bytes)
{
	__u32 zero = 0, probes = FLOW_PROBES;
	struct probe_stats *ps = bpf_map_lookup_elem(&probe_stats, &zero);
	__u32 slot = hash_words(key, sizeof(*key)) % FLOW_SLOTS;
	struct flow_slot *fs;

	STAT_INC(ps, lookups);
	while (probes--) {
		fs = bpf_map_lookup_elem(&flow_table, &slot);
		if (!fs)
			return;
		if (fs->packets == 0) {
			__builtin_memcpy(&fs->key, key, sizeof(*key));
			fs->packets = 1;
			fs->bytes = bytes;
			return;
		}
		if (same_flow(&fs->key, key)) {
			fs->packets++;
			fs->bytes += bytes;
			return;
		}
		STAT_INC(ps, collisions);
		slot = (slot + 1) % FLOW_SLOTS;
	}
	STAT_INC(ps, table_full);
}

SEC("xdp")
int xdp_flow_table(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	struct flow_key key = {};
	struct iphdr *iph;
	struct udphdr *uh;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	iph = (void *)(eth + 1);
	if ((void *)(iph + 1) > data_end || iph->ihl != 5)
		return XDP_PASS;
	if (iph->protocol != IPPROTO_TCP && iph->protocol != IPPROTO_UDP)
		return XDP_PASS;
	/* TCP and UDP ports sit at the same offsets. */
	uh = (void *)(iph + 1);
	if ((void *)(uh + 1) > data_end)
		return XDP_PASS;

	key.saddr = iph->saddr;
	key.daddr = iph->daddr;
	key.sport = uh->source;
	key.dport = uh->dest;
	key.proto = iph->protocol;
	account(&key, data_end - data);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
