/* A UDP echo reflector that keeps per-source counters: frames to our
 * MAC with UDP destination port 7 are sent back (MACs swapped with
 * __builtin_memcpy), the rest pass. Counters are keyed by the source
 * address in host order (__builtin_bswap32) in a zeroed key
 * (__builtin_memset), and a TTL histogram is indexed by the masked TTL,
 * asserted in range with __builtin_trap; the verdict switch ends in
 * __builtin_unreachable. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define ASSERT(cond)                                                           \
	do {                                                                   \
		if (!(cond))                                                   \
			__builtin_trap();                                      \
	} while (0)

#define ECHO_PORT 7
#define HIST_SLOTS 64

const volatile __u8 our_mac[ETH_ALEN] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};

struct src_key {
	__u32 addr_host;
	__u8 proto;
	__u8 pad[3];
};

struct src_counters {
	__u64 frames;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct src_key);
	__type(value, struct src_counters);
} by_source SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, HIST_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} ttl_hist SEC(".maps");

static __always_inline void swap_macs(struct ethhdr *eth)
{
	__u8 tmp[ETH_ALEN];

	__builtin_memcpy(tmp, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, tmp, ETH_ALEN);
}

SEC("xdp")
int xdp_udp_echo(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	struct src_counters *c, init = {};
	struct src_key key;
	struct iphdr *iph;
	struct udphdr *uh;
	__u32 slot;
	__u64 *h;
	int action = XDP_PASS;

	if (unlikely((void *)(eth + 1) > data_end))
		return XDP_DROP;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	iph = (void *)(eth + 1);
	if (unlikely((void *)(iph + 1) > data_end))
		return XDP_DROP;

	slot = iph->ttl & (HIST_SLOTS - 1);
	ASSERT(slot < HIST_SLOTS);
	h = bpf_map_lookup_elem(&ttl_hist, &slot);
	if (likely(h != NULL))
		*h += 1;

	__builtin_memset(&key, 0, sizeof(key));
	key.addr_host = __builtin_bswap32(iph->saddr);
	key.proto = iph->protocol;
	c = bpf_map_lookup_elem(&by_source, &key);
	if (!c) {
		bpf_map_update_elem(&by_source, &key, &init, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&by_source, &key);
		if (!c)
			return XDP_PASS;
	}
	c->frames++;
	c->bytes += data_end - data;

	if (iph->protocol != IPPROTO_UDP || iph->ihl != 5)
		return XDP_PASS;
	uh = (void *)(iph + 1);
	if ((void *)(uh + 1) > data_end)
		return XDP_PASS;
	if (__builtin_memcmp(eth->h_dest, (const void *)our_mac, ETH_ALEN) == 0 &&
	    uh->dest == bpf_htons(ECHO_PORT)) {
		swap_macs(eth);
		action = XDP_TX;
	}

	switch (action) {
	case XDP_TX:
		return XDP_TX;
	case XDP_PASS:
		return XDP_PASS;
	default:
		__builtin_unreachable();
	}
}

char _license[] SEC("license") = "GPL";
