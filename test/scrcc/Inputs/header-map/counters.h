/* The program's written map, declared in a header it includes. */
#ifndef COUNTERS_H
#define COUNTERS_H

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} per_source SEC(".maps");

#endif
