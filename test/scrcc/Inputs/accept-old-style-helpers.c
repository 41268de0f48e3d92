/* Drops IPv4 packets from blocked sources and keeps, for every other
 * source, how many packets and bytes it sent and when it was last seen.
 * Written in the style of the old samples/bpf programs: kernel headers
 * only, a local SEC() and helper pointers declared by BPF_FUNC_ number
 * (the two BTF map macros are copied in, as tools that avoid libbpf's
 * headers do). */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/swab.h>

#define SEC(NAME) __attribute__((section(NAME), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name

#define htons(x) ((__be16)___constant_swab16((x)))

/* helper functions called from eBPF programs written in C */
static void *(*bpf_map_lookup_elem)(void *map, const void *key) =
	(void *) BPF_FUNC_map_lookup_elem;
static int (*bpf_map_update_elem)(void *map, const void *key, const void *value,
				  unsigned long long flags) =
	(void *) BPF_FUNC_map_update_elem;
static unsigned long long (*bpf_ktime_get_ns)(void) =
	(void *) BPF_FUNC_ktime_get_ns;

struct src_stats {
	__u64 packets;
	__u64 bytes;
	__u64 last_seen_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u8);
} blocked_ips SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct src_stats);
} stats_by_src SEC(".maps");

SEC("xdp")
int xdp_src_filter(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	struct iphdr *iph;
	struct src_stats *st, fresh = {};
	__u32 saddr;

	if (data + sizeof(*eth) > data_end)
		return XDP_DROP;
	if (eth->h_proto != htons(ETH_P_IP))
		return XDP_PASS;
	iph = data + sizeof(*eth);
	if ((void *)(iph + 1) > data_end)
		return XDP_DROP;

	saddr = iph->saddr;
	if (bpf_map_lookup_elem(&blocked_ips, &saddr))
		return XDP_DROP;

	st = bpf_map_lookup_elem(&stats_by_src, &saddr);
	if (!st) {
		fresh.packets = 1;
		fresh.bytes = data_end - data;
		fresh.last_seen_ns = bpf_ktime_get_ns();
		bpf_map_update_elem(&stats_by_src, &saddr, &fresh, BPF_NOEXIST);
		return XDP_PASS;
	}
	st->packets++;
	st->bytes += data_end - data;
	st->last_seen_ns = bpf_ktime_get_ns();
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
