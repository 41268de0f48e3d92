//===- ReplicaRecord.h - Reading `scr_replica` by member name ---*- C++ -*-===//
//
// A replica's bookkeeping as the program's BTF lays it out: the members the
// runtime needs are found by name (an error names any that is missing), and
// every other integer member is read too, so that what scrcc adds to
// `struct scr_replica` reaches `scr-replica state` without a runtime change.
//
//===----------------------------------------------------------------------===//
#ifndef SCRRT_REPLICARECORD_H
#define SCRRT_REPLICARECORD_H

#include "scrrt/BtfStruct.h"
#include "scrrt/ScrOutput.h"

#include <optional>
#include <span>
#include <string>

struct bpf_object;

namespace scrrt {

class ReplicaRecord {
public:
  /// From the BTF of a loaded object.
  static std::optional<ReplicaRecord> ofObject(const bpf_object *Obj,
                                               std::string &Error);
  /// From the BTF the kernel keeps for the (pinned) `scr_replica` map.
  static std::optional<ReplicaRecord> ofMap(int MapFd, std::string &Error);
  /// Checks that \p S has the members ReplicaStats needs.
  static std::optional<ReplicaRecord> of(BtfStruct S, std::string &Error);

  /// Bytes of one value.
  uint32_t size() const { return Struct.size(); }
  ReplicaStats stats(std::span<const uint8_t> Value) const;
  /// A fresh replica's value that has applied \p Applied entries.
  std::vector<uint8_t> fresh(uint32_t Applied) const;
  /// The frame check's counters, or nullopt for a program without them.
  std::optional<FrameRejects> rejects(std::span<const uint8_t> Value) const;

private:
  explicit ReplicaRecord(BtfStruct S) : Struct(std::move(S)) {}
  uint64_t get(std::span<const uint8_t> Value, const char *Name) const;
  BtfStruct Struct;
  bool HasRejects = false;
};

} // namespace scrrt

#endif
