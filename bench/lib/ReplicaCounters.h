//===- ReplicaCounters.h - The scr_replica map of SCR programs -*- C++ -*-===//
//
// The bench reads `replayed`, `gaps` and `short_frames` around every timed
// run to prove each repeat replayed the whole history, and sets `applied`
// (docs/packet-format.md, Receiver) so that it does.
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

/// The counters of the replica on \p Cpu.
std::optional<ReplicaCounters> readReplica(const scrrt::BpfMap &Replica,
                                           int Cpu, std::string &Error);

/// Sets `applied` of every CPU's replica to \p Applied, other fields kept as
/// they are on \p Cpu.
bool setApplied(const scrrt::BpfMap &Replica, int Cpu, uint32_t Applied,
                std::string &Error);

} // namespace scrbench

#endif
