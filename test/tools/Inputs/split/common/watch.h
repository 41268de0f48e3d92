/* Shared definitions of udpwatch.bpf.c: a header in a subdirectory of the
 * program's, included with a path relative to the program. */
#ifndef WATCH_H
#define WATCH_H

#include <linux/types.h>

/* What the program keeps per source. */
struct watch_entry {
	__u32 datagrams;
	__u32 bytes;
};

/* The verdict for a source that has sent `datagrams` (XDP_DROP = 1,
 * XDP_PASS = 2); used for verdicts only, so it is not replayed. */
static __always_inline int watch_verdict(__u32 datagrams, __u32 limit)
{
	return datagrams > limit ? 1 : 2;
}

#endif
