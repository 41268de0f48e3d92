//===- ReplicaRecord.cpp - Reading `scr_replica` by member name -----------===//

#include "scrrt/ReplicaRecord.h"

#include <bpf/libbpf.h>

namespace scrrt {

namespace {

/// The members every SCR program's `struct scr_replica` has.
constexpr const char *Needed[] = {"applied", "prng", "short_frames", "gaps",
                                  "replayed"};

} // namespace

std::optional<ReplicaRecord> ReplicaRecord::ofObject(const bpf_object *Obj,
                                                     std::string &Error) {
  auto S = BtfStruct::find(bpf_object__btf(Obj), ReplicaMapName, Error);
  if (!S)
    return std::nullopt;
  return of(std::move(*S), Error);
}

std::optional<ReplicaRecord> ReplicaRecord::ofMap(int MapFd,
                                                  std::string &Error) {
  auto S = BtfStruct::ofMap(MapFd, ReplicaMapName, Error);
  if (!S)
    return std::nullopt;
  return of(std::move(*S), Error);
}

std::optional<ReplicaRecord> ReplicaRecord::of(BtfStruct S,
                                               std::string &Error) {
  for (const char *N : Needed)
    if (!S.member(N)) {
      Error = "`struct " + S.name() + "` has no integer member `" + N +
              "`: not the bookkeeping of an SCR program of this scrcc";
      return std::nullopt;
    }
  ReplicaRecord R(std::move(S));
  R.HasRejects = true;
  for (auto [Name, Counter] : FrameRejects::Counters)
    R.HasRejects &= R.Struct.member(Name) != nullptr;
  return R;
}

uint64_t ReplicaRecord::get(std::span<const uint8_t> Value,
                            const char *Name) const {
  const BtfStruct::Member *M = Struct.member(Name);
  return M ? BtfStruct::read(Value, *M) : 0;
}

ReplicaStats ReplicaRecord::stats(std::span<const uint8_t> Value) const {
  ReplicaStats S;
  S.Applied = uint32_t(get(Value, "applied"));
  S.Prng = get(Value, "prng");
  S.ShortFrames = get(Value, "short_frames");
  S.Gaps = get(Value, "gaps");
  S.Replayed = get(Value, "replayed");
  for (const BtfStruct::Member &M : Struct.members())
    S.Members.push_back({M.Name, BtfStruct::read(Value, M)});
  return S;
}

std::vector<uint8_t> ReplicaRecord::fresh(uint32_t Applied) const {
  std::vector<uint8_t> V(size());
  BtfStruct::write(V, *Struct.member("applied"), Applied);
  return V;
}

std::optional<FrameRejects>
ReplicaRecord::rejects(std::span<const uint8_t> Value) const {
  if (!HasRejects)
    return std::nullopt;
  FrameRejects R;
  for (auto [Name, Counter] : FrameRejects::Counters)
    R.*Counter = get(Value, Name);
  return R;
}

} // namespace scrrt
