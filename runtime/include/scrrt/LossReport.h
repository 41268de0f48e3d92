//===- LossReport.h - What the loss-recovery replay found -------*- C++ -*-===//
//
// The loss-recovery part of a replay result: what was lost, what every
// core lost (applied by no replica), and each replica's recovery counters
// (the generated program's `scr_lr_core` map, docs/loss-recovery.md).
//
//===----------------------------------------------------------------------===//
#ifndef SCRRT_LOSSREPORT_H
#define SCRRT_LOSSREPORT_H

#include <cstdint>
#include <vector>

namespace scrrt {

inline constexpr const char *LossCoreMapName = "scr_lr_core";
inline constexpr const char *LossLogMapName = "scr_lr_log";
inline constexpr const char *LossSeenMapName = "scr_lr_seen";

/// Value of the SCR program's `scr_lr_core` map (entry r: replica r's).
struct LossCoreStats {
  uint32_t Reserved = 0;
  uint32_t Seen = 0;  // published bound: entries below it are logged
  uint32_t Started = 0;
  uint32_t LastParked = 0; // the last frame was parked
  uint64_t Logged = 0;
  uint64_t Recovered = 0; // entries read from another core's log
  uint64_t Parked = 0;    // frames parked (verdict: the parked policy)
  uint64_t Rejected = 0;  // frames the frame check dropped (scr_replica: why)
  uint64_t Unrecoverable = 0;
  uint64_t Reserved2 = 0;
};
static_assert(sizeof(LossCoreStats) == 64, "struct scr_lr_core is 64 bytes");

struct LossSummary {
  bool Enabled = false;
  double Rate = 0;
  uint64_t Burst = 1, Seed = 1;
  uint64_t MaxSkew = 0;        // frames a replica may run ahead of the slowest
  uint64_t DrainFrames = 0;    // last frames, delivered in order, no loss
  uint64_t FramesLost = 0;     // frames that reached no core
  uint64_t RelevantLost = 0;   // ... of which carried a history entry
  uint64_t LostEverywhere = 0; // entries no core received: applied by none
  std::vector<uint64_t> LostEverywherePackets; // their trace indices (first 20)
  uint64_t VerdictsCompared = 0;
  uint64_t Parked = 0; // frames the replicas parked
  std::vector<int> ReplicaCpus;
  std::vector<LossCoreStats> Replicas; // after the last frame
};

} // namespace scrrt

#endif
