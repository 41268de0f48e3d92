// SPDX-License-Identifier: GPL-2.0
/*
 * conntrack.bpf.c - stateful TCP connection tracker / firewall.
 *
 * Tracks every IPv4 TCP connection through its life cycle and drops packets
 * that do not fit it, in the spirit of Linux nf_conntrack's TCP tracker:
 *
 *   (none) --SYN--> SYN_SENT --SYN-ACK--> SYN_RECV --ACK--> ESTABLISHED
 *   ESTABLISHED --FIN--> FIN_WAIT --FIN from the other side--> CLOSING
 *   CLOSING --both FINs acknowledged--> TIME_WAIT
 *   any state --in-window RST--> CLOSE
 *   TIME_WAIT / CLOSE --SYN--> SYN_SENT (the connection is reopened)
 *
 * Both directions of a connection share one entry: the key holds the two
 * endpoints in a canonical order (lower address/port first) and the entry
 * remembers which endpoint opened the connection, so every packet is either
 * ORIGINAL (from the initiator) or REPLY. For each direction the entry keeps
 * the sequence-space window it has been granted (after nf_conntrack's
 * tcp_in_window): the next sequence number expected from it, the highest
 * one the peer allows it to send, its largest advertised window, and
 * whether it has sent a FIN and had it acknowledged. TCP options are not
 * parsed: every window is treated as if scaled by the largest factor TCP
 * allows (2^14), so the window check never rejects legitimate traffic but
 * still stops blind injection of far-off sequence numbers.
 *
 * Entries carry the time of their last valid packet (bpf_ktime_get_ns());
 * an entry idle for longer than its state's timeout is deleted when the
 * connection's next packet arrives, and that packet is judged as if the
 * connection were unknown. Entries of connections that never send again are
 * left to user space to purge.
 *
 * State:    connections  BPF_MAP_TYPE_HASH  struct ct_key (canonical 4-tuple)
 *                                           -> struct ct_entry.
 * Config:   handshake_timeout_ns, established_timeout_ns,
 *           closing_timeout_ns (const volatile).
 * Verdicts: XDP_PASS for non-IPv4 traffic, non-TCP traffic, IP fragments and
 *           truncated headers (not tracked);
 *           XDP_PASS for TCP packets that are valid for their connection
 *           (including a SYN that opens a new one);
 *           XDP_DROP for invalid TCP packets: no connection and not a SYN,
 *           out-of-window sequence or acknowledgement numbers, handshake
 *           packets that do not match, SYNs inside an open connection,
 *           TCP header lengths that do not fit the IP length, and new
 *           connections when the table is full.
 *           Invalid packets change no state (beyond removing an expired
 *           entry).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

/* Fragment bits of iphdr.frag_off; not in the UAPI headers. */
#define IP_MF 0x2000
#define IP_OFFSET 0x1fff

#define NSEC_PER_SEC 1000000000ULL
/* Largest TCP window scale factor (RFC 7323). */
#define MAX_WINDOW_SHIFT 14
/* Floor of the acknowledgement window, as in nf_conntrack (MAXACKWINCONST). */
#define MIN_ACK_WINDOW 66000

const volatile __u64 handshake_timeout_ns = 60 * NSEC_PER_SEC;
const volatile __u64 established_timeout_ns = 300 * NSEC_PER_SEC;
const volatile __u64 closing_timeout_ns = 30 * NSEC_PER_SEC;

enum ct_state {
	CT_SYN_SENT = 1,
	CT_SYN_RECV,
	CT_ESTABLISHED,
	CT_FIN_WAIT,
	CT_CLOSING,
	CT_TIME_WAIT,
	CT_CLOSE,
};

enum ct_dir {
	DIR_ORIGINAL = 0,
	DIR_REPLY = 1,
};

/* The endpoints in canonical order: (addr_lo, port_lo) < (addr_hi, port_hi). */
struct ct_key {
	__u32 addr_lo;
	__u32 addr_hi;
	__u16 port_lo;
	__u16 port_hi;
};

/* What one endpoint may send, in its own sequence space. */
struct ct_peer {
	__u32 next_seq; /* one past the highest sequence number it sent */
	__u32 max_end; /* highest sequence number the other side allows */
	__u32 max_win; /* largest window it advertised (scaled) */
	__u8 fin_sent;
	__u8 fin_acked;
	__u16 pad;
};

struct ct_entry {
	__u64 last_seen_ns;
	struct ct_peer original;
	struct ct_peer reply;
	__u8 state;
	__u8 initiator_is_lo; /* the ORIGINAL direction starts at the lo side */
	__u16 pad;
	__u32 pad2;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1 << 16);
	__type(key, struct ct_key);
	__type(value, struct ct_entry);
} connections SEC(".maps");

/* The parts of a TCP segment the tracker looks at. */
struct tcp_segment {
	__u32 seq;
	__u32 ack_seq;
	__u32 end; /* seq + payload length + SYN + FIN */
	__u32 win; /* advertised window, scaled by MAX_WINDOW_SHIFT */
	__u8 syn;
	__u8 ack;
	__u8 fin;
	__u8 rst;
};

/* Sequence-number comparisons modulo 2^32. */
static __always_inline int seq_before(__u32 a, __u32 b)
{
	return (__s32)(a - b) < 0;
}

static __always_inline int seq_after(__u32 a, __u32 b)
{
	return seq_before(b, a);
}

static __u32 max_u32(__u32 a, __u32 b)
{
	return a > b ? a : b;
}

static __u64 state_timeout(__u8 state)
{
	switch (state) {
	case CT_SYN_SENT:
	case CT_SYN_RECV:
		return handshake_timeout_ns;
	case CT_ESTABLISHED:
		return established_timeout_ns;
	default:
		return closing_timeout_ns;
	}
}

/* Starts (or restarts) tracking with the sender of `seg` as initiator. */
static void ct_init(struct ct_entry *ct, const struct tcp_segment *seg,
		    int sender_is_lo, __u64 now)
{
	ct->last_seen_ns = now;
	ct->state = CT_SYN_SENT;
	ct->initiator_is_lo = sender_is_lo;
	ct->original.next_seq = seg->end;
	ct->original.max_end = seg->end;
	ct->original.max_win = max_u32(seg->win, 1);
	ct->original.fin_sent = 0;
	ct->original.fin_acked = 0;
	ct->reply.next_seq = 0;
	ct->reply.max_end = 0;
	ct->reply.max_win = 0;
	ct->reply.fin_sent = 0;
	ct->reply.fin_acked = 0;
}

/* Whether `seg` from `sender` fits the window `receiver` granted it and
 * acknowledges only data `receiver` has sent (nf_conntrack tcp_in_window). */
static int in_window(const struct ct_peer *sender,
		     const struct ct_peer *receiver,
		     const struct tcp_segment *seg)
{
	if (seq_after(seg->seq, sender->max_end))
		return 0;
	if (!seq_after(seg->end, sender->next_seq - receiver->max_win - 1))
		return 0;
	if (!seg->ack)
		return 1;

	__u32 ack_window = max_u32(sender->max_win, MIN_ACK_WINDOW);
	if (seq_after(seg->ack_seq, receiver->next_seq))
		return 0;
	if (!seq_after(seg->ack_seq, receiver->next_seq - ack_window - 1))
		return 0;
	return 1;
}

/* Records a valid segment in the window bookkeeping of both sides. */
static void update_window(struct ct_peer *sender, struct ct_peer *receiver,
			  const struct tcp_segment *seg)
{
	if (sender->max_win < seg->win)
		sender->max_win = seg->win;
	if (seq_after(seg->end, sender->next_seq))
		sender->next_seq = seg->end;
	if (seg->ack) {
		__u32 allowed_end = seg->ack_seq + seg->win;
		if (seq_after(allowed_end, receiver->max_end))
			receiver->max_end = allowed_end;
		if (receiver->fin_sent && seg->ack_seq == receiver->next_seq)
			receiver->fin_acked = 1;
	}
	if (seg->fin)
		sender->fin_sent = 1;
}

/* The state of an established connection given the FINs seen so far. */
static __u8 state_after_fins(const struct ct_entry *ct, __u8 open_state)
{
	if (ct->original.fin_acked && ct->reply.fin_acked)
		return CT_TIME_WAIT;
	if (ct->original.fin_sent && ct->reply.fin_sent)
		return CT_CLOSING;
	if (ct->original.fin_sent || ct->reply.fin_sent)
		return CT_FIN_WAIT;
	return open_state;
}

/* Handles the SYN-ACK that answers the initiator's SYN. */
static int handle_syn_ack(struct ct_entry *ct, const struct tcp_segment *seg)
{
	if (seg->ack_seq != ct->original.next_seq)
		return XDP_DROP;

	ct->reply.next_seq = seg->end;
	ct->reply.max_end = seg->end;
	ct->reply.max_win = max_u32(seg->win, 1);
	ct->original.max_end = seg->ack_seq + seg->win;
	ct->state = CT_SYN_RECV;
	return XDP_PASS;
}

/* Runs one segment through the connection's state machine. Returns the
 * verdict; only valid segments (XDP_PASS) change the entry. */
static int ct_track(struct ct_entry *ct, int dir, const struct tcp_segment *seg,
		    int sender_is_lo, __u64 now)
{
	struct ct_peer *sender = &ct->original;
	struct ct_peer *receiver = &ct->reply;
	if (dir == DIR_REPLY) {
		sender = &ct->reply;
		receiver = &ct->original;
	}

	int pure_syn = seg->syn && !seg->ack && !seg->rst && !seg->fin;

	switch (ct->state) {
	case CT_SYN_SENT:
		if (dir == DIR_ORIGINAL) {
			/* Retransmitted SYN, possibly with a new ISN. */
			if (!pure_syn)
				return XDP_DROP;
			ct_init(ct, seg, sender_is_lo, now);
			return XDP_PASS;
		}
		if (seg->rst) {
			/* Connection refused: the RST must ack the SYN. */
			if (!seg->ack || seg->ack_seq != ct->original.next_seq)
				return XDP_DROP;
			ct->state = CT_CLOSE;
			break;
		}
		if (!seg->syn || !seg->ack || seg->fin)
			return XDP_DROP;
		if (handle_syn_ack(ct, seg) != XDP_PASS)
			return XDP_DROP;
		break;

	case CT_SYN_RECV:
		if (seg->syn) {
			/* Retransmissions of either handshake packet. */
			if (dir == DIR_ORIGINAL && pure_syn &&
			    seg->end == ct->original.next_seq)
				break;
			if (dir == DIR_REPLY && seg->ack && !seg->rst &&
			    !seg->fin && seg->end == ct->reply.next_seq)
				break;
			return XDP_DROP;
		}
		if (!in_window(sender, receiver, seg))
			return XDP_DROP;
		if (seg->rst) {
			ct->state = CT_CLOSE;
			break;
		}
		update_window(sender, receiver, seg);
		/* The initiator ACKing the SYN-ACK completes the handshake. */
		if (dir == DIR_ORIGINAL && seg->ack &&
		    seg->ack_seq == ct->reply.next_seq)
			ct->state = state_after_fins(ct, CT_ESTABLISHED);
		break;

	case CT_ESTABLISHED:
	case CT_FIN_WAIT:
	case CT_CLOSING:
		if (seg->syn)
			return XDP_DROP;
		if (!in_window(sender, receiver, seg))
			return XDP_DROP;
		if (seg->rst) {
			ct->state = CT_CLOSE;
			break;
		}
		update_window(sender, receiver, seg);
		ct->state = state_after_fins(ct, ct->state);
		break;

	case CT_TIME_WAIT:
	case CT_CLOSE:
		/* A new connection may reuse the 4-tuple. */
		if (pure_syn) {
			ct_init(ct, seg, sender_is_lo, now);
			return XDP_PASS;
		}
		/* Late retransmissions of the closing exchange. */
		if (ct->state == CT_TIME_WAIT && !seg->syn && !seg->rst &&
		    in_window(sender, receiver, seg))
			break;
		return XDP_DROP;

	default:
		return XDP_DROP;
	}

	ct->last_seen_ns = now;
	return XDP_PASS;
}

SEC("xdp")
int conntrack(struct xdp_md *ctx)
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
	if (iph->protocol != IPPROTO_TCP)
		return XDP_PASS;
	if (iph->ihl < 5)
		return XDP_PASS;
	if (iph->frag_off & bpf_htons(IP_MF | IP_OFFSET))
		return XDP_PASS;

	struct tcphdr *tcp = (void *)iph + iph->ihl * 4;
	if ((void *)(tcp + 1) > data_end)
		return XDP_PASS;

	__u32 ip_len = bpf_ntohs(iph->tot_len);
	__u32 headers_len = iph->ihl * 4 + tcp->doff * 4;
	if (tcp->doff < 5 || ip_len < headers_len)
		return XDP_DROP;

	struct tcp_segment seg = {
		.seq = bpf_ntohl(tcp->seq),
		.ack_seq = bpf_ntohl(tcp->ack_seq),
		.win = (__u32)bpf_ntohs(tcp->window) << MAX_WINDOW_SHIFT,
		.syn = tcp->syn,
		.ack = tcp->ack,
		.fin = tcp->fin,
		.rst = tcp->rst,
	};
	seg.end = seg.seq + (ip_len - headers_len) + seg.syn + seg.fin;

	/* Canonical key: the lower (address, port) endpoint first. */
	__u32 saddr = iph->saddr;
	__u32 daddr = iph->daddr;
	__u16 sport = bpf_ntohs(tcp->source);
	__u16 dport = bpf_ntohs(tcp->dest);
	int sender_is_lo = saddr < daddr || (saddr == daddr && sport <= dport);

	struct ct_key key = {};
	if (sender_is_lo) {
		key.addr_lo = saddr;
		key.port_lo = sport;
		key.addr_hi = daddr;
		key.port_hi = dport;
	} else {
		key.addr_lo = daddr;
		key.port_lo = dport;
		key.addr_hi = saddr;
		key.port_hi = sport;
	}

	__u64 now = bpf_ktime_get_ns();
	struct ct_entry *ct = bpf_map_lookup_elem(&connections, &key);
	if (ct && now - ct->last_seen_ns > state_timeout(ct->state)) {
		bpf_map_delete_elem(&connections, &key);
		ct = NULL;
	}

	if (!ct) {
		/* Only a SYN may open a connection. */
		if (!seg.syn || seg.ack || seg.rst || seg.fin)
			return XDP_DROP;
		struct ct_entry fresh = {};
		ct_init(&fresh, &seg, sender_is_lo, now);
		if (bpf_map_update_elem(&connections, &key, &fresh,
					BPF_NOEXIST))
			return XDP_DROP;
		return XDP_PASS;
	}

	int dir =
		sender_is_lo == ct->initiator_is_lo ? DIR_ORIGINAL : DIR_REPLY;
	return ct_track(ct, dir, &seg, sender_is_lo, now);
}

char LICENSE[] SEC("license") = "GPL";
