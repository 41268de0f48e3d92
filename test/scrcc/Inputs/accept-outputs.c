/* A flow monitor that reports to user space: a new flow is announced
 * through a ring buffer record (bpf_ringbuf_reserve, filled in place,
 * submitted), a flow's end through bpf_ringbuf_output of a local event,
 * and every 64th packet of a flow is sampled with bpf_perf_event_output.
 * The flow table itself is the state. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define SAMPLE_EVERY 64

struct flow_key {
	__u32 saddr;
	__u32 daddr;
	__u16 sport;
	__u16 dport;
};

struct flow_info {
	__u64 first_seen_ns;
	__u64 last_seen_ns;
	__u64 packets;
	__u64 bytes;
};

enum event_kind { FLOW_NEW = 1, FLOW_END = 2 };

struct flow_event {
	struct flow_key key;
	__u32 kind;
	__u32 len;
	__u64 packets;
	__u64 ts_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct flow_key);
	__type(value, struct flow_info);
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 16);
} flow_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} samples SEC(".maps");

static __always_inline void announce(const struct flow_key *key, __u32 len,
				     __u64 now)
{
	struct flow_event *e;

	e = bpf_ringbuf_reserve(&flow_events, sizeof(*e), 0);
	if (!e)
		return;
	e->key = *key;
	e->kind = FLOW_NEW;
	e->len = len;
	e->packets = 1;
	e->ts_ns = now;
	bpf_ringbuf_submit(e, 0);
}

SEC("xdp")
int xdp_flow_monitor(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	struct flow_info *fi, fresh = {};
	struct flow_key key = {};
	struct flow_event end = {};
	struct iphdr *iph;
	struct tcphdr *th;
	__u64 now, len = data_end - data;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	iph = (void *)(eth + 1);
	if ((void *)(iph + 1) > data_end || iph->ihl != 5 ||
	    iph->protocol != IPPROTO_TCP)
		return XDP_PASS;
	th = (void *)(iph + 1);
	if ((void *)(th + 1) > data_end)
		return XDP_PASS;

	key.saddr = iph->saddr;
	key.daddr = iph->daddr;
	key.sport = th->source;
	key.dport = th->dest;
	now = bpf_ktime_get_ns();

	fi = bpf_map_lookup_elem(&flows, &key);
	if (!fi) {
		fresh.first_seen_ns = now;
		fresh.last_seen_ns = now;
		fresh.packets = 1;
		fresh.bytes = len;
		bpf_map_update_elem(&flows, &key, &fresh, BPF_ANY);
		announce(&key, len, now);
		return XDP_PASS;
	}
	fi->last_seen_ns = now;
	fi->packets++;
	fi->bytes += len;
	if (fi->packets % SAMPLE_EVERY == 0)
		bpf_perf_event_output(ctx, &samples, BPF_F_CURRENT_CPU, fi,
				      sizeof(*fi));
	if (th->fin || th->rst) {
		end.key = key;
		end.kind = FLOW_END;
		end.len = len;
		end.packets = fi->packets;
		end.ts_ns = now;
		bpf_ringbuf_output(&flow_events, &end, sizeof(end), 0);
		bpf_map_delete_elem(&flows, &key);
	}
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
