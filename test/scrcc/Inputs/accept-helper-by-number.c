/* Counts TCP SYNs per destination port. The helpers are declared by hand,
 * under names of the program's own choosing (as BCC's helpers.h declares
 * bpf_trace_printk_): what a helper does follows from its number. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>

#define SEC(NAME) __attribute__((section(NAME), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name

static void *(*map_lookup)(void *map, const void *key) =
	(void *) BPF_FUNC_map_lookup_elem;
static long (*map_update)(void *map, const void *key, const void *value,
			  __u64 flags) = (void *) 2;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u16);
	__type(value, __u64);
} syns_by_port SEC(".maps");

SEC("xdp")
int xdp_syn_count(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	struct tcphdr *th = (void *)(iph + 1);
	__u64 one = 1, *count;
	__u16 port;

	if ((void *)(th + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != __builtin_bswap16(ETH_P_IP) ||
	    iph->protocol != IPPROTO_TCP || iph->ihl != 5)
		return XDP_PASS;
	if (!th->syn || th->ack)
		return XDP_PASS;
	port = th->dest;
	count = map_lookup(&syns_by_port, &port);
	if (count)
		*count += 1;
	else
		map_update(&syns_by_port, &port, &one, BPF_NOEXIST);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
