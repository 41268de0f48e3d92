//===- ReplicaCounters.cpp - The scr_replica map of an SCR program --------===//

#include "ReplicaCounters.h"

#include <cstring>
#include <vector>

namespace scrbench {

// Offsets in struct scr_replica (brief of the generated program).
static constexpr size_t AppliedOffset = 0;
static constexpr size_t ShortFramesOffset = 16;
static constexpr size_t GapsOffset = 24;
static constexpr size_t ReplayedOffset = 32;
static constexpr size_t MinValueBytes = 40;

static std::optional<std::vector<uint8_t>>
readSlot(const scrrt::BpfMap &Replica, int Cpu, std::string &Error) {
  if (Replica.valueSize() < MinValueBytes || Replica.keySize() != 4) {
    Error = "map scr_replica has an unexpected shape (key " +
            std::to_string(Replica.keySize()) + " bytes, value " +
            std::to_string(Replica.valueSize()) + " bytes)";
    return std::nullopt;
  }
  const uint8_t Zero[4] = {0, 0, 0, 0};
  auto V = Replica.lookup(Zero, Cpu);
  if (!V)
    Error = "cannot read scr_replica[0]";
  return V;
}

template <typename T>
static T field(const std::vector<uint8_t> &V, size_t Off) {
  T X;
  std::memcpy(&X, V.data() + Off, sizeof X);
  return X;
}

std::optional<ReplicaCounters> readReplica(const scrrt::BpfMap &Replica,
                                           int Cpu, std::string &Error) {
  auto V = readSlot(Replica, Cpu, Error);
  if (!V)
    return std::nullopt;
  ReplicaCounters C;
  C.Applied = field<uint32_t>(*V, AppliedOffset);
  C.ShortFrames = field<uint64_t>(*V, ShortFramesOffset);
  C.Gaps = field<uint64_t>(*V, GapsOffset);
  C.Replayed = field<uint64_t>(*V, ReplayedOffset);
  return C;
}

bool setApplied(const scrrt::BpfMap &Replica, int Cpu, uint32_t Applied,
                std::string &Error) {
  auto V = readSlot(Replica, Cpu, Error);
  if (!V)
    return false;
  std::memcpy(V->data() + AppliedOffset, &Applied, sizeof Applied);
  const uint8_t Zero[4] = {0, 0, 0, 0};
  std::vector<uint8_t> Value(V->begin(), V->begin() + Replica.valueSize());
  return Replica.update(Zero, Value, Error);
}

} // namespace scrbench
