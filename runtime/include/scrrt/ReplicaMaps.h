//===- ReplicaMaps.h - Each replica's private copy of a map -----*- C++ -*-===//
//
// In an SCR program every written map NAME is an array of maps indexed by
// replica: slot r holds replica r's private copy (docs/transformation.md
// §1). This opens the maps an array of maps holds, by the ids the kernel
// keeps in its slots, so that user space reads exactly what each replica
// uses, whoever loaded the program.
//
//===----------------------------------------------------------------------===//
#ifndef SCRRT_REPLICAMAPS_H
#define SCRRT_REPLICAMAPS_H

#include "scrrt/BpfMap.h"

#include <optional>
#include <string>
#include <vector>

namespace scrrt {

class ReplicaMaps {
public:
  /// Opens every map \p Outer (an ARRAY_OF_MAPS) holds. Fails if \p Outer
  /// is not an array of maps or a slot is empty.
  static std::optional<ReplicaMaps> open(const BpfMap &Outer,
                                         std::string &Error);
  ReplicaMaps() = default;
  ReplicaMaps(ReplicaMaps &&O) noexcept;
  ReplicaMaps &operator=(ReplicaMaps &&O) noexcept;
  ReplicaMaps(const ReplicaMaps &) = delete;
  ReplicaMaps &operator=(const ReplicaMaps &) = delete;
  ~ReplicaMaps();

  unsigned size() const { return unsigned(Maps.size()); }
  /// Replica \p R's copy.
  const BpfMap &operator[](unsigned R) const { return Maps[R]; }
  /// The kernel's id of replica \p R's copy (two replicas sharing a copy
  /// have the same id).
  uint32_t id(unsigned R) const { return Ids[R]; }

private:
  std::vector<BpfMap> Maps; // the fds are ours
  std::vector<uint32_t> Ids;
};

} // namespace scrrt

#endif
