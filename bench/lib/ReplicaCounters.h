//===- ReplicaCounters.h - The scr_replica map of SCR programs -*- C++ -*-===//
//
// The bench reads `replayed`, `gaps` and `short_frames` around every timed
// run to prove each repeat replayed the whole history, and sets `applied`
// (docs/packet-format.md, Receiver) so that it does.
//
// Two shapes of scr_replica: today's plain array with one entry per replica
// (key = replica index = RX queue), and the previous design's per-CPU array
// of one entry (the bench's `percpu` variant), whose replica is the slot of
// the CPU the test run executes on.
//
//===----------------------------------------------------------------------===//
#ifndef SCRBENCH_REPLICACOUNTERS_H
#define SCRBENCH_REPLICACOUNTERS_H

#include "scrrt/BpfMap.h"

#include <cstdint>
#include <optional>
#include <string>

namespace scrbench {

struct ReplicaCounters {
  uint32_t Applied = 0;
  uint64_t ShortFrames = 0;
  uint64_t Gaps = 0;
  uint64_t Replayed = 0;
};

/// Which replica a test run executes as: entry \p Replica of a plain
/// scr_replica array, or the slot of \p Cpu in a per-CPU one.
struct ReplicaSlot {
  uint32_t Replica = 0;
  int Cpu = 0;
};

/// The counters of the replica in \p Slot.
std::optional<ReplicaCounters> readReplica(const scrrt::BpfMap &Replica,
                                           const ReplicaSlot &Slot,
                                           std::string &Error);

/// Sets `applied` of the replica in \p Slot to \p Applied, its other fields
/// kept (a per-CPU map gets that value on every CPU).
bool setApplied(const scrrt::BpfMap &Replica, const ReplicaSlot &Slot,
                uint32_t Applied, std::string &Error);

} // namespace scrbench

#endif
