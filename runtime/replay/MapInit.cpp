//===- MapInit.cpp - Filling a program's maps from a JSON file ------------===//

#include "scrrt/MapInit.h"

#include "scrcc/Layout.h"
#include "scrrt/BpfMap.h"
#include "scrrt/BpfProgram.h"
#include "scrrt/ReplicaLoader.h"

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

using nlohmann::json;

namespace scrrt {

namespace {

/// "10.0.0.1" -> its 4 bytes in network order.
std::optional<std::vector<uint8_t>> parseIpv4(const std::string &S) {
  std::vector<uint8_t> Bytes;
  size_t Pos = 0;
  for (int Part = 0; Part < 4; ++Part) {
    size_t End = S.find('.', Pos);
    if ((Part < 3) != (End != std::string::npos))
      return std::nullopt;
    std::string Digits = S.substr(Pos, End - Pos);
    if (Digits.empty() || Digits.size() > 3 ||
        Digits.find_first_not_of("0123456789") != std::string::npos ||
        std::stoi(Digits) > 255)
      return std::nullopt;
    Bytes.push_back(uint8_t(std::stoi(Digits)));
    Pos = End + 1;
  }
  return Bytes;
}

/// Encodes JSON values into the bytes of a BTF type (or, without BTF, of
/// a plain byte string).
class Encoder {
public:
  explicit Encoder(const btf *Btf) : Btf(Btf) {}

  /// Writes \p J, of type \p TypeId (0: unknown), into the \p Size bytes
  /// at \p Out (zeroed). \p Path names the value in messages.
  bool encode(const json &J, uint32_t TypeId, uint8_t *Out, size_t Size,
              const std::string &Path, std::string &Error) const {
    const btf_type *T = resolve(TypeId);
    if (J.is_null())
      return true; // zero
    if (J.is_string())
      return encodeString(J.get<std::string>(), T, Out, Size, Path, Error);
    if (J.is_number_integer() || J.is_boolean())
      return encodeInteger(J, T, Out, Size, Path, Error);
    if (J.is_object()) {
      if (!T || !btf_is_composite(T))
        return fail(Path, "an object is for a struct or union" + typeNote(T),
                    Error);
      for (const auto &[Name, V] : J.items()) {
        uint32_t MemberType = 0, Offset = 0;
        if (!findMember(T, Name, MemberType, Offset)) {
          Error = Path + ": " + typeName(T) + " has no member '" + Name + "'";
          return false;
        }
        if (MemberType == UINT32_MAX)
          return fail(Path + "." + Name,
                      "a bitfield member; give the struct in hex", Error);
        long MemberSize = btf__resolve_size(Btf, MemberType);
        if (MemberSize < 0 || Offset + size_t(MemberSize) > Size)
          return fail(Path + "." + Name, "member outside the value", Error);
        if (!encode(V, MemberType, Out + Offset, size_t(MemberSize),
                    Path + "." + Name, Error))
          return false;
      }
      return true;
    }
    if (J.is_array()) {
      if (!T || !btf_is_array(T))
        return fail(Path, "an array is for an array type" + typeNote(T), Error);
      const struct btf_array *A = btf_array(T);
      long ElemSize = btf__resolve_size(Btf, A->type);
      if (J.size() > A->nelems)
        return fail(Path,
                    std::to_string(J.size()) + " elements for an array of " +
                        std::to_string(A->nelems),
                    Error);
      for (size_t I = 0; I < J.size(); ++I) {
        if (ElemSize < 0 || (I + 1) * size_t(ElemSize) > Size)
          return fail(Path, "array outside the value", Error);
        if (!encode(J[I], A->type, Out + I * ElemSize, size_t(ElemSize),
                    Path + "[" + std::to_string(I) + "]", Error))
          return false;
      }
      return true;
    }
    return fail(Path,
                "expected hex bytes, an IPv4 address, an integer, an object "
                "or an array",
                Error);
  }

private:
  static bool fail(const std::string &Path, const std::string &Msg,
                   std::string &Error) {
    Error = Path + ": " + Msg;
    return false;
  }

  /// The type behind typedefs and qualifiers, or null.
  const btf_type *resolve(uint32_t &Id) const {
    if (!Btf || !Id)
      return nullptr;
    const btf_type *T = btf__type_by_id(Btf, Id);
    while (T && (btf_is_typedef(T) || btf_is_mod(T))) {
      Id = T->type;
      T = btf__type_by_id(Btf, Id);
    }
    return T;
  }

  std::string typeName(const btf_type *T) const {
    if (!T)
      return "the value";
    const char *Name = btf__name_by_offset(Btf, T->name_off);
    std::string Kind = btf_is_struct(T)     ? "struct "
                       : btf_is_union(T)    ? "union "
                       : btf_is_any_enum(T) ? "enum "
                                            : "";
    return "`" + Kind + (Name && *Name ? Name : "(anonymous)") + "`";
  }
  std::string typeNote(const btf_type *T) const {
    return T ? ", not " + typeName(T) : " (the map has no BTF type)";
  }

  /// Finds member \p Name of composite \p T, also inside anonymous
  /// members. Bitfields give MemberType UINT32_MAX.
  bool findMember(const btf_type *T, const std::string &Name,
                  uint32_t &MemberType, uint32_t &Offset) const {
    const btf_member *M = btf_members(T);
    for (unsigned I = 0; I < btf_vlen(T); ++I, ++M) {
      uint32_t Bits = btf_member_bit_offset(T, I);
      const char *N = btf__name_by_offset(Btf, M->name_off);
      if (N && Name == N) {
        bool Bitfield = btf_member_bitfield_size(T, I) != 0 || Bits % 8 != 0;
        MemberType = Bitfield ? UINT32_MAX : M->type;
        Offset = Bits / 8;
        return true;
      }
      uint32_t Inner = M->type;
      const btf_type *IT = resolve(Inner);
      if ((!N || !*N) && IT && btf_is_composite(IT) &&
          findMember(IT, Name, MemberType, Offset)) {
        Offset += Bits / 8;
        return true;
      }
    }
    return false;
  }

  bool encodeString(const std::string &S, const btf_type *T, uint8_t *Out,
                    size_t Size, const std::string &Path,
                    std::string &Error) const {
    if (T && btf_is_any_enum(T)) {
      for (unsigned I = 0; I < btf_vlen(T); ++I) {
        const char *N = btf__name_by_offset(
            Btf, btf_is_enum(T) ? btf_enum(T)[I].name_off
                                : btf_enum64(T)[I].name_off);
        if (N && S == N) {
          uint64_t V = btf_is_enum(T) ? uint64_t(int64_t(btf_enum(T)[I].val))
                                      : btf_enum64_value(btf_enum64(T) + I);
          std::memcpy(Out, &V, std::min(Size, sizeof V));
          return true;
        }
      }
    }
    if (auto Ip = parseIpv4(S)) {
      if (Size != 4)
        return fail(Path,
                    "an IPv4 address is 4 bytes, not " + std::to_string(Size),
                    Error);
      std::memcpy(Out, Ip->data(), 4);
      return true;
    }
    std::string HexError;
    auto Bytes = parseHexBytes(S, HexError);
    if (!Bytes)
      return fail(Path, HexError, Error);
    if (Bytes->size() != Size)
      return fail(Path,
                  std::to_string(Bytes->size()) + " bytes of hex for " +
                      std::to_string(Size) + " bytes" +
                      (T ? " (" + typeName(T) + ")" : std::string()),
                  Error);
    std::memcpy(Out, Bytes->data(), Size);
    return true;
  }

  bool encodeInteger(const json &J, const btf_type *T, uint8_t *Out,
                     size_t Size, const std::string &Path,
                     std::string &Error) const {
    if (T && !btf_is_int(T) && !btf_is_any_enum(T))
      return fail(Path,
                  "an integer is for an integer or enum type" + typeNote(T),
                  Error);
    if (Size > 8)
      return fail(Path,
                  "an integer for " + std::to_string(Size) +
                      " bytes; give hex bytes",
                  Error);
    uint64_t V = 0;
    bool Fits = true;
    if (J.is_boolean()) {
      V = J.get<bool>();
    } else if (J.is_number_unsigned()) {
      V = J.get<uint64_t>();
      Fits = Size == 8 || V >> (8 * Size) == 0;
    } else {
      int64_t S = J.get<int64_t>();
      V = uint64_t(S);
      Fits = Size == 8 || (S >= -(int64_t(1) << (8 * Size - 1)) &&
                           S < (int64_t(1) << (8 * Size - 1)));
    }
    if (!Fits)
      return fail(Path,
                  J.dump() + " does not fit " + std::to_string(Size) + " byte" +
                      (Size == 1 ? "" : "s"),
                  Error);
    std::memcpy(Out, &V, Size); // the host's (little-endian) byte order
    return true;
  }

  const btf *Btf;
};

} // namespace

namespace {

const scr::StateObject *stateOf(const scr::Layout &L, const std::string &Map) {
  for (const scr::StateObject &S : L.State)
    if (S.Name == Map)
      return &S;
  return nullptr;
}

} // namespace

std::optional<std::string> notProgramState(const scr::Layout &L,
                                           const std::string &Map) {
  if (stateOf(L, Map))
    return std::nullopt;
  return std::string("no such map in the layout's state");
}

std::optional<std::vector<BpfMap *>> initialStateTargets(BpfObject &Obj,
                                                         const scr::Layout &L,
                                                         const std::string &Map,
                                                         std::string &Error) {
  BpfMap *M = Obj.map(Map);
  if (!M) {
    Error = "the program has no map `" + Map + "`";
    return std::nullopt;
  }
  const scr::StateObject *S = stateOf(L, Map);
  // Configuration, or a written map of the original program: the map.
  if (!S || !S->Written || M->type() != BPF_MAP_TYPE_ARRAY_OF_MAPS)
    return std::vector<BpfMap *>{M};
  // A written map of the SCR program: every private copy it declares
  // (replica r's is NAME__r<r>; a bench variant may declare fewer).
  std::vector<BpfMap *> Copies;
  for (unsigned R = 0;; ++R) {
    BpfMap *C = Obj.map(Map + "__r" + std::to_string(R));
    if (!C)
      break;
    Copies.push_back(C);
  }
  if (Copies.empty()) {
    Error = "written map `" + Map + "` has no private copy `" + Map +
            "__r0` in the SCR program";
    return std::nullopt;
  }
  return Copies;
}

bool writeMapInit(BpfObject &Obj, const scr::Layout &L,
                  const std::vector<MapInitEntry> &Entries,
                  std::string &Error) {
  for (const MapInitEntry &E : Entries) {
    auto Targets = initialStateTargets(Obj, L, E.Map, Error);
    if (!Targets) {
      Error = E.Where + ": " + Error;
      return false;
    }
    for (BpfMap *M : *Targets) {
      if (E.Key.size() != M->keySize() || E.Value.size() != M->valueSize()) {
        Error = E.Where + ": key and value must be " +
                std::to_string(M->keySize()) + " and " +
                std::to_string(M->valueSize()) + " bytes (got " +
                std::to_string(E.Key.size()) + " and " +
                std::to_string(E.Value.size()) + ")";
        return false;
      }
      if (!M->update(E.Key, E.Value, Error)) {
        Error = E.Where + ": " + Error;
        return false;
      }
    }
  }
  return true;
}

std::optional<std::vector<MapInitEntry>> readMapInit(const std::string &Path,
                                                     const BpfObject &Obj,
                                                     const scr::Layout &L,
                                                     std::string &Error) {
  std::ifstream In(Path);
  if (!In) {
    Error = "cannot open '" + Path + "'";
    return std::nullopt;
  }
  json Doc;
  try {
    Doc = json::parse(In);
  } catch (const json::exception &E) {
    Error = Path + ": not JSON: " + E.what();
    return std::nullopt;
  }
  if (!Doc.is_object()) {
    Error = Path + ": expected an object: map name -> list of "
                   "{\"key\": ..., \"value\": ...}";
    return std::nullopt;
  }
  Encoder Enc(bpf_object__btf(Obj.raw()));
  std::vector<MapInitEntry> Out;
  for (const auto &[Name, Entries] : Doc.items()) {
    const bpf_map *M = bpf_object__find_map_by_name(Obj.raw(), Name.c_str());
    // A written map of the SCR program is an array of maps: the entries
    // are encoded for its private copies (replica 0's stands for all).
    const scr::StateObject *S = stateOf(L, Name);
    if (M && S && S->Written && bpf_map__type(M) == BPF_MAP_TYPE_ARRAY_OF_MAPS)
      M = bpf_object__find_map_by_name(Obj.raw(), (Name + "__r0").c_str());
    if (!M) {
      Error = Path + ": no map `" + Name + "` in the program";
      return std::nullopt;
    }
    if (auto Why = notProgramState(L, Name)) {
      Error = Path + ": " + Name + ": " + *Why;
      return std::nullopt;
    }
    if (!Entries.is_array()) {
      Error = Path + ": " + Name + ": expected a list of entries";
      return std::nullopt;
    }
    for (size_t I = 0; I < Entries.size(); ++I) {
      const json &E = Entries[I];
      std::string Where = Path + ": " + Name + "[" + std::to_string(I) + "]";
      if (!E.is_object() || !E.contains("key") || !E.contains("value") ||
          E.size() != 2) {
        Error = Where + ": expected {\"key\": ..., \"value\": ...}";
        return std::nullopt;
      }
      MapInitEntry Entry{Name, std::vector<uint8_t>(bpf_map__key_size(M)),
                         std::vector<uint8_t>(bpf_map__value_size(M)), Where};
      if (!Enc.encode(E["key"], bpf_map__btf_key_type_id(M), Entry.Key.data(),
                      Entry.Key.size(), Where + ".key", Error) ||
          !Enc.encode(E["value"], bpf_map__btf_value_type_id(M),
                      Entry.Value.data(), Entry.Value.size(), Where + ".value",
                      Error))
        return std::nullopt;
      Out.push_back(std::move(Entry));
    }
  }
  return Out;
}

} // namespace scrrt
