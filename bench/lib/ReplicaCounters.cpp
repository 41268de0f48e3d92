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

/// The key of the replica in \p Slot; nullopt (and \p Error) if the map
/// has neither shape.
static std::optional<uint32_t> keyOf(const scrrt::BpfMap &Replica,
                                     const ReplicaSlot &Slot,
                                     std::string &Error) {
  bool Array = Replica.isArray() && Replica.keySize() == 4 &&
               Replica.valueSize() >= MinValueBytes;
  if (Array && Replica.perCpu() && Replica.maxEntries() == 1)
    return 0;
  if (Array && !Replica.perCpu() && Slot.Replica < Replica.maxEntries())
    return Slot.Replica;
  Error = "map scr_replica has an unexpected shape (key " +
          std::to_string(Replica.keySize()) + " bytes, value " +
          std::to_string(Replica.valueSize()) + " bytes, " +
          std::to_string(Replica.maxEntries()) + " entries" +
          (Replica.perCpu() ? ", per-CPU" : "") + ") for replica " +
          std::to_string(Slot.Replica);
  return std::nullopt;
}

static std::optional<std::vector<uint8_t>>
readSlot(const scrrt::BpfMap &Replica, uint32_t Key, const ReplicaSlot &Slot,
         std::string &Error) {
  uint8_t K[4];
  std::memcpy(K, &Key, sizeof K);
  auto V = Replica.lookup(K, Slot.Cpu);
  if (!V)
    Error = "cannot read scr_replica[" + std::to_string(Key) + "]";
  return V;
}

template <typename T>
static T field(const std::vector<uint8_t> &V, size_t Off) {
  T X;
  std::memcpy(&X, V.data() + Off, sizeof X);
  return X;
}

std::optional<ReplicaCounters> readReplica(const scrrt::BpfMap &Replica,
                                           const ReplicaSlot &Slot,
                                           std::string &Error) {
  auto Key = keyOf(Replica, Slot, Error);
  if (!Key)
    return std::nullopt;
  auto V = readSlot(Replica, *Key, Slot, Error);
  if (!V)
    return std::nullopt;
  ReplicaCounters C;
  C.Applied = field<uint32_t>(*V, AppliedOffset);
  C.ShortFrames = field<uint64_t>(*V, ShortFramesOffset);
  C.Gaps = field<uint64_t>(*V, GapsOffset);
  C.Replayed = field<uint64_t>(*V, ReplayedOffset);
  return C;
}

bool setApplied(const scrrt::BpfMap &Replica, const ReplicaSlot &Slot,
                uint32_t Applied, std::string &Error) {
  auto Key = keyOf(Replica, Slot, Error);
  if (!Key)
    return false;
  auto V = readSlot(Replica, *Key, Slot, Error);
  if (!V)
    return false;
  std::memcpy(V->data() + AppliedOffset, &Applied, sizeof Applied);
  uint8_t K[4];
  std::memcpy(K, &*Key, sizeof K);
  std::vector<uint8_t> Value(V->begin(), V->begin() + Replica.valueSize());
  return Replica.update(K, Value, Error);
}

} // namespace scrbench
