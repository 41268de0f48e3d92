// State that depends on an output helper's result is refused: whether a
// ring buffer had room, or a perf event was delivered, differs per core,
// and history entries must not produce output at all. (Outputs that no
// state depends on are fine: accept-outputs.test.)
// RUN: rm -rf %t.out
// RUN: not scrcc %s --cores 4 -o %t.out 2>&1 | FileCheck %s
// RUN: not test -e %t.out
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct event {
	__u32 saddr;
	__u32 len;
};

struct report_stats {
	__u64 reported;
	__u64 lost;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 16);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} perf_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct report_stats);
} stats SEC(".maps");

SEC("xdp")
int xdp_report(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	struct report_stats *st;
	struct event *e, ev;
	__u32 zero = 0;

	if ((void *)(iph + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	st = bpf_map_lookup_elem(&stats, &zero);
	if (!st)
		return XDP_PASS;
	ev.saddr = iph->saddr;
	ev.len = data_end - data;
	// CHECK: reject-output-in-state.c:[[@LINE+1]]:6: error: the replayed state update depends on 'bpf_perf_event_output', an output: its result differs per core (each has its own buffer space) and history entries must produce no output, so replicas would diverge; make the state update independent of it
	if (bpf_perf_event_output(ctx, &perf_events, BPF_F_CURRENT_CPU, &ev,
				  sizeof(ev)))
		st->lost++;
	// CHECK: reject-output-in-state.c:[[@LINE+1]]:6: error: the replayed state update depends on 'bpf_ringbuf_reserve'
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return XDP_PASS;
	*e = ev;
	bpf_ringbuf_submit(e, 0);
	st->reported++;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
