//===- BtfStruct.h - A struct's members, read from BTF ----------*- C++ -*-===//
//
// The runtime reads the generated programs' bookkeeping (`scr_replica`) by
// member name through the program's BTF, as bpftool prints a map, instead
// of mirroring the C struct: a member scrcc adds shows up without a runtime
// change, and one the runtime needs but the program lacks is an error that
// names it.
//
//===----------------------------------------------------------------------===//
#ifndef SCRRT_BTFSTRUCT_H
#define SCRRT_BTFSTRUCT_H

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

struct btf;

namespace scrrt {

class BtfStruct {
public:
  /// An integer member (enums and typedefs of integers included), whole
  /// bytes: members of anonymous structs and unions are listed in place.
  struct Member {
    std::string Name;
    uint32_t Offset = 0; // bytes from the start of the struct
    uint32_t Size = 0;   // 1, 2, 4 or 8
  };

  /// `struct Name` of \p Btf; nullopt and \p Error if it has none.
  static std::optional<BtfStruct> find(const btf *Btf, const std::string &Name,
                                       std::string &Error);
  /// `struct Name` in the BTF the kernel keeps for the map \p MapFd (a
  /// pinned map of a loaded object).
  static std::optional<BtfStruct> ofMap(int MapFd, const std::string &Name,
                                        std::string &Error);

  const std::string &name() const { return Name; }
  uint32_t size() const { return Size; }
  const std::vector<Member> &members() const { return Members; }
  const Member *member(const std::string &Name) const;
  /// Member \p M of a value of this struct (host byte order).
  static uint64_t read(std::span<const uint8_t> Value, const Member &M);
  /// Sets member \p M of \p Value to \p V (truncated to its size).
  static void write(std::span<uint8_t> Value, const Member &M, uint64_t V);

private:
  std::string Name;
  uint32_t Size = 0;
  std::vector<Member> Members;
};

} // namespace scrrt

#endif
