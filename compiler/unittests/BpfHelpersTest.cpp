//===- BpfHelpersTest.cpp - The BPF helper model --------------------------===//

#include "Analysis/BpfHelpers.h"

#include <gtest/gtest.h>

#include <linux/bpf.h>

#include <set>

using namespace scrcc;

namespace {

TEST(BpfHelpers, RowsAreKeyedByTheKernelsHelperNumbers) {
  const HelperModel *M = helperModel("bpf_map_update_elem");
  ASSERT_TRUE(M);
  EXPECT_EQ(M->Id, unsigned(BPF_FUNC_map_update_elem));
  EXPECT_EQ(M->Effect, HelperEffect::MapUpdate);
  EXPECT_EQ(M->MapArg, 0);
  M = helperModel("bpf_tail_call");
  ASSERT_TRUE(M);
  EXPECT_EQ(M->Id, unsigned(BPF_FUNC_tail_call));
  EXPECT_EQ(M->MapArg, 1); // bpf_tail_call(ctx, prog_array, index)
}

TEST(BpfHelpers, WhatEachKindOfHelperDoes) {
  const std::pair<const char *, HelperEffect> Expected[] = {
      {"bpf_map_lookup_elem", HelperEffect::MapLookup},
      {"bpf_map_delete_elem", HelperEffect::MapDelete},
      {"bpf_map_pop_elem", HelperEffect::MapUpdate},
      {"bpf_ktime_get_boot_ns", HelperEffect::Clock},
      {"bpf_get_prandom_u32", HelperEffect::Prng},
      {"bpf_get_smp_processor_id", HelperEffect::PerCore},
      {"bpf_xdp_adjust_head", HelperEffect::PacketWrite},
      {"bpf_spin_unlock", HelperEffect::SpinLock},
      {"bpf_ringbuf_reserve", HelperEffect::OutputRecord},
      {"bpf_trace_printk", HelperEffect::Output},
      {"bpf_fib_lookup", HelperEffect::NoState}};
  for (auto [Name, Effect] : Expected) {
    const HelperModel *M = helperModel(Name);
    ASSERT_TRUE(M) << Name;
    EXPECT_EQ(M->Effect, Effect) << Name;
  }
  EXPECT_EQ(helperModel("bpf_probe_write_user"), nullptr);
  EXPECT_EQ(helperModel("bpf_trace_printk_"), nullptr); // BCC's alias
}

TEST(BpfHelpers, OutputsAreTheRingBufferPerfAndTraceHelpers) {
  for (const char *H :
       {"bpf_ringbuf_reserve", "bpf_ringbuf_submit", "bpf_ringbuf_discard",
        "bpf_ringbuf_output", "bpf_perf_event_output", "bpf_trace_printk"})
    EXPECT_TRUE(isOutputHelper(H)) << H;
  for (const char *H :
       {"bpf_map_update_elem", "bpf_redirect", "bpf_xdp_load_bytes", "x"})
    EXPECT_FALSE(isOutputHelper(H)) << H;
}

} // namespace
