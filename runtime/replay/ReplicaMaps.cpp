//===- ReplicaMaps.cpp - Each replica's private copy of a map -------------===//

#include "scrrt/ReplicaMaps.h"

#include <bpf/bpf.h>
#include <cerrno>
#include <cstring>
#include <linux/bpf.h>
#include <unistd.h>

namespace scrrt {

std::optional<ReplicaMaps> ReplicaMaps::open(const BpfMap &Outer,
                                             std::string &Error) {
  if (Outer.type() != BPF_MAP_TYPE_ARRAY_OF_MAPS || Outer.keySize() != 4 ||
      Outer.valueSize() != 4) {
    Error = "map `" + Outer.name() +
            "` is not an array of maps (one private map per replica)";
    return std::nullopt;
  }
  ReplicaMaps RM;
  for (uint32_t R = 0; R < Outer.maxEntries(); ++R) {
    uint32_t Id = 0;
    if (bpf_map_lookup_elem(Outer.fd(), &R, &Id) != 0 || Id == 0) {
      Error = "map `" + Outer.name() + "` holds no map for replica " +
              std::to_string(R);
      return std::nullopt;
    }
    int Fd = bpf_map_get_fd_by_id(Id);
    if (Fd < 0) {
      Error = "cannot open map id " + std::to_string(Id) + " (replica " +
              std::to_string(R) + " of `" + Outer.name() +
              "`): " + std::strerror(errno);
      return std::nullopt;
    }
    auto M = BpfMap::fromFd(Fd, Error);
    if (!M) {
      close(Fd);
      return std::nullopt;
    }
    RM.Maps.push_back(*M);
    RM.Ids.push_back(Id);
  }
  return RM;
}

ReplicaMaps::ReplicaMaps(ReplicaMaps &&O) noexcept
    : Maps(std::move(O.Maps)), Ids(std::move(O.Ids)) {
  O.Maps.clear();
}

ReplicaMaps &ReplicaMaps::operator=(ReplicaMaps &&O) noexcept {
  if (this != &O) {
    for (const BpfMap &M : Maps)
      close(M.fd());
    Maps = std::move(O.Maps);
    Ids = std::move(O.Ids);
    O.Maps.clear();
  }
  return *this;
}

ReplicaMaps::~ReplicaMaps() {
  for (const BpfMap &M : Maps)
    close(M.fd());
}

} // namespace scrrt
