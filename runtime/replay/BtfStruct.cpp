//===- BtfStruct.cpp - A struct's members, read from BTF ------------------===//

#include "scrrt/BtfStruct.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <cerrno>
#include <cstring>
#include <memory>

namespace scrrt {

namespace {

const btf_type *skipModifiers(const btf *Btf, uint32_t Id) {
  const btf_type *T = btf__type_by_id(Btf, Id);
  while (T && (btf_is_typedef(T) || btf_is_mod(T)))
    T = btf__type_by_id(Btf, T->type);
  return T;
}

void collect(const btf *Btf, const btf_type *T, uint32_t Base,
             std::vector<BtfStruct::Member> &Out) {
  const btf_member *M = btf_members(T);
  for (unsigned I = 0; I < btf_vlen(T); ++I, ++M) {
    uint32_t Bits = btf_member_bit_offset(T, I);
    const btf_type *MT = skipModifiers(Btf, M->type);
    const char *N = btf__name_by_offset(Btf, M->name_off);
    if (!MT || Bits % 8 || btf_member_bitfield_size(T, I))
      continue; // bit-fields: not bookkeeping scrcc writes
    if ((!N || !*N) && btf_is_composite(MT)) {
      collect(Btf, MT, Base + Bits / 8, Out);
      continue;
    }
    if (!N || !*N || !(btf_is_int(MT) || btf_is_any_enum(MT)))
      continue;
    uint32_t Size = MT->size;
    if (Size == 1 || Size == 2 || Size == 4 || Size == 8)
      Out.push_back({N, Base + Bits / 8, Size});
  }
}

} // namespace

std::optional<BtfStruct>
BtfStruct::find(const btf *Btf, const std::string &Name, std::string &Error) {
  if (!Btf) {
    Error = "the program has no BTF (compile it with -g)";
    return std::nullopt;
  }
  int Id = btf__find_by_name_kind(Btf, Name.c_str(), BTF_KIND_STRUCT);
  if (Id < 0) {
    Error = "the program's BTF has no `struct " + Name + "`";
    return std::nullopt;
  }
  const btf_type *T = btf__type_by_id(Btf, Id);
  BtfStruct S;
  S.Name = Name;
  S.Size = T->size;
  collect(Btf, T, 0, S.Members);
  return S;
}

std::optional<BtfStruct> BtfStruct::ofMap(int MapFd, const std::string &Name,
                                          std::string &Error) {
  bpf_map_info Info;
  std::memset(&Info, 0, sizeof Info);
  uint32_t Len = sizeof Info;
  if (bpf_obj_get_info_by_fd(MapFd, &Info, &Len) != 0) {
    Error = std::string("cannot read the map's info: ") + std::strerror(errno);
    return std::nullopt;
  }
  if (!Info.btf_id) {
    Error = "map `" + std::string(Info.name) +
            "` has no BTF (was its program compiled with -g?)";
    return std::nullopt;
  }
  std::unique_ptr<btf, void (*)(btf *)> Btf(
      btf__load_from_kernel_by_id(Info.btf_id), btf__free);
  if (!Btf) {
    Error = "cannot load the BTF of map `" + std::string(Info.name) +
            "`: " + std::strerror(errno);
    return std::nullopt;
  }
  return find(Btf.get(), Name, Error);
}

const BtfStruct::Member *BtfStruct::member(const std::string &N) const {
  for (const Member &M : Members)
    if (M.Name == N)
      return &M;
  return nullptr;
}

uint64_t BtfStruct::read(std::span<const uint8_t> Value, const Member &M) {
  if (M.Offset + M.Size > Value.size())
    return 0;
  switch (M.Size) {
  case 1:
    return Value[M.Offset];
  case 2: {
    uint16_t V;
    std::memcpy(&V, Value.data() + M.Offset, 2);
    return V;
  }
  case 4: {
    uint32_t V;
    std::memcpy(&V, Value.data() + M.Offset, 4);
    return V;
  }
  default: {
    uint64_t V;
    std::memcpy(&V, Value.data() + M.Offset, 8);
    return V;
  }
  }
}

void BtfStruct::write(std::span<uint8_t> Value, const Member &M, uint64_t V) {
  if (M.Offset + M.Size > Value.size())
    return;
  uint8_t Bytes[8];
  switch (M.Size) {
  case 1:
    Bytes[0] = uint8_t(V);
    break;
  case 2: {
    uint16_t X = uint16_t(V);
    std::memcpy(Bytes, &X, 2);
    break;
  }
  case 4: {
    uint32_t X = uint32_t(V);
    std::memcpy(Bytes, &X, 4);
    break;
  }
  default:
    std::memcpy(Bytes, &V, 8);
  }
  std::memcpy(Value.data() + M.Offset, Bytes, M.Size);
}

} // namespace scrrt
