//===- MapInit.h - Filling configuration maps from a JSON file --*- C++ -*-===//
//
// A control plane fills a program's read-only maps (rule tables, block
// lists, backends, flags) before traffic arrives. `--map-init FILE.json`
// of scr-replay and scr-replica does the same from a file:
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

class BpfObject;

/// One encoded entry: key and value bytes in the map's sizes.
struct MapInitEntry {
  std::string Map;
  std::vector<uint8_t> Key, Value;
  std::string Where; // "FILE: MAP[i]", for messages
};

/// Why map \p Map cannot be filled as configuration of the program of
/// layout \p L (it is written by the data plane, or not in the layout's
/// state), or nullopt if it can: configuration is shared by every replica
/// and the same on both sides of a replay; replicated state is not.
std::optional<std::string> notConfiguration(const scr::Layout &L,
                                            const std::string &Map);

/// Reads \p Path and encodes every entry with the BTF of the maps of
/// \p Obj (which must have every map the file names), each of which must
/// be configuration of the program of layout \p L (notConfiguration). On
/// failure returns nullopt and sets \p Error (naming the file, the map and
/// the entry).
std::optional<std::vector<MapInitEntry>> readMapInit(const std::string &Path,
                                                     const BpfObject &Obj,
                                                     const scr::Layout &L,
                                                     std::string &Error);

} // namespace scrrt

#endif
