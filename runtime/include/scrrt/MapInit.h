//===- MapInit.h - Filling a program's maps from a JSON file ----*- C++ -*-===//
//
// A control plane fills a program's maps before traffic arrives: read-only
// configuration (rule tables, backends, flags), and state the program
// also writes (a block list whose entries count the drops). `--map-init
// FILE.json` of scr-replay, scr-replica and scr-bench does the same from a
// file:
//
//   { "MAP": [ {"key": KEY, "value": VALUE}, ... ], ... }
//
// KEY and VALUE are each, for the map's key or value type (read from the
// object's BTF) or for a part of it:
//   - a string of hex digits: the bytes in memory order, as
//     `scr-replica state` prints them ("0a000001"; ':' or ' ' between
//     bytes allowed);
//   - a string "A.B.C.D": an IPv4 address, 4 bytes in network order;
//   - a JSON integer or boolean: the integer in the host's byte order at
//     the type's size (without BTF: the whole key or value, at most 8
//     bytes);
//   - a string naming an enumerator of an enum type;
//   - an object {"MEMBER": ..., ...} for a struct or union (members not
//     given are zero);
//   - an array [...] for an array type (elements not given are zero).
// A map the program writes is replicated state: in the SCR program the
// entries go into every replica's private copy, so that every replica
// starts from the state the original starts from.
// docs/runtime-replay.md has the details and an example.
//
//===----------------------------------------------------------------------===//
#ifndef SCRRT_MAPINIT_H
#define SCRRT_MAPINIT_H

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace scr {
struct Layout;
}

namespace scrrt {

class BpfMap;
class BpfObject;

/// One encoded entry: key and value bytes in the map's sizes.
struct MapInitEntry {
  std::string Map;
  std::vector<uint8_t> Key, Value;
  std::string Where; // "FILE: MAP[i]", for messages
};

/// Why map \p Map cannot be filled for the program of layout \p L (it is
/// not in the layout's state), or nullopt if it can.
std::optional<std::string> notProgramState(const scr::Layout &L,
                                           const std::string &Map);

/// The maps of \p Obj an initial entry of map \p Map goes into: the map
/// itself (configuration, or any map of the original program), or for a
/// map the SCR program replicates, every private copy NAME__r<r> the
/// object declares. On failure returns nullopt and sets \p Error.
std::optional<std::vector<BpfMap *>> initialStateTargets(BpfObject &Obj,
                                                         const scr::Layout &L,
                                                         const std::string &Map,
                                                         std::string &Error);

/// Writes \p Entries into \p Obj (initialStateTargets), checking sizes.
bool writeMapInit(BpfObject &Obj, const scr::Layout &L,
                  const std::vector<MapInitEntry> &Entries, std::string &Error);

/// Reads \p Path and encodes every entry with the BTF of the maps of
/// \p Obj (which must have every map the file names), each of which must
/// be in the state of the program of layout \p L (notProgramState). On
/// failure returns nullopt and sets \p Error (naming the file, the map and
/// the entry).
std::optional<std::vector<MapInitEntry>> readMapInit(const std::string &Path,
                                                     const BpfObject &Obj,
                                                     const scr::Layout &L,
                                                     std::string &Error);

} // namespace scrrt

#endif
