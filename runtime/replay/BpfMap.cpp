//===- BpfMap.cpp - Reading and writing one BPF map -----------------------===//

#include "scrrt/BpfMap.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <cerrno>
#include <cstring>
#include <sched.h>

namespace scrrt {

int possibleCpus() {
  static int N = libbpf_num_possible_cpus();
  return N;
}

bool pinThisThread(int Cpu, std::string &Error) {
  cpu_set_t Set;
  CPU_ZERO(&Set);
  CPU_SET(Cpu, &Set);
  if (sched_setaffinity(0, sizeof Set, &Set) != 0) {
    Error = "cannot pin thread to CPU " + std::to_string(Cpu) + ": " +
            std::strerror(errno);
    return false;
  }
  return true;
}

std::string hexBytes(std::span<const uint8_t> Bytes) {
  static const char Digits[] = "0123456789abcdef";
  std::string S;
  S.reserve(Bytes.size() * 2);
  for (uint8_t B : Bytes) {
    S += Digits[B >> 4];
    S += Digits[B & 15];
  }
  return S;
}

static bool isPerCpuType(uint32_t T) {
  return T == BPF_MAP_TYPE_PERCPU_HASH || T == BPF_MAP_TYPE_PERCPU_ARRAY ||
         T == BPF_MAP_TYPE_LRU_PERCPU_HASH ||
         T == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
}

std::optional<BpfMap> BpfMap::fromFd(int Fd, std::string &Error) {
  bpf_map_info Info;
  std::memset(&Info, 0, sizeof Info);
  uint32_t Len = sizeof Info;
  if (bpf_obj_get_info_by_fd(Fd, &Info, &Len) != 0) {
    Error = std::string("cannot query map: ") + std::strerror(errno);
    return std::nullopt;
  }
  BpfMap M;
  M.Fd = Fd;
  M.Name = Info.name;
  M.Type = Info.type;
  M.KeySize = Info.key_size;
  M.ValueSize = Info.value_size;
  M.MaxEntries = Info.max_entries;
  M.PerCpu = isPerCpuType(Info.type);
  return M;
}

bool BpfMap::isArray() const {
  return Type == BPF_MAP_TYPE_ARRAY || Type == BPF_MAP_TYPE_PERCPU_ARRAY;
}

size_t BpfMap::rawValueSize() const {
  return PerCpu ? size_t(slotSize()) * possibleCpus() : ValueSize;
}

std::vector<uint8_t> BpfMap::slotOf(const std::vector<uint8_t> &Raw,
                                    int Cpu) const {
  if (!PerCpu)
    return Raw;
  auto Begin = Raw.begin() + size_t(Cpu) * slotSize();
  return std::vector<uint8_t>(Begin, Begin + ValueSize);
}

std::optional<std::vector<uint8_t>> BpfMap::lookup(std::span<const uint8_t> Key,
                                                   int Cpu) const {
  std::vector<uint8_t> Raw(rawValueSize());
  if (bpf_map_lookup_elem(Fd, Key.data(), Raw.data()) != 0)
    return std::nullopt;
  return slotOf(Raw, Cpu);
}

std::optional<std::vector<std::vector<uint8_t>>>
BpfMap::lookupAllCpus(std::span<const uint8_t> Key) const {
  std::vector<uint8_t> Raw(rawValueSize());
  if (bpf_map_lookup_elem(Fd, Key.data(), Raw.data()) != 0)
    return std::nullopt;
  std::vector<std::vector<uint8_t>> Slots;
  int N = PerCpu ? possibleCpus() : 1;
  for (int C = 0; C < N; ++C)
    Slots.push_back(slotOf(Raw, C));
  return Slots;
}

bool BpfMap::update(std::span<const uint8_t> Key,
                    std::span<const uint8_t> Value, std::string &Error) const {
  std::vector<uint8_t> Raw(rawValueSize(), 0);
  size_t Copy = std::min<size_t>(Value.size(), ValueSize);
  if (PerCpu)
    for (int C = 0; C < possibleCpus(); ++C)
      std::memcpy(Raw.data() + size_t(C) * slotSize(), Value.data(), Copy);
  else
    std::memcpy(Raw.data(), Value.data(), Copy);
  if (bpf_map_update_elem(Fd, Key.data(), Raw.data(), BPF_ANY) != 0) {
    Error = "cannot update map " + Name + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

BpfMap::EraseResult BpfMap::erase(std::span<const uint8_t> Key,
                                  std::string &Error) const {
  if (bpf_map_delete_elem(Fd, Key.data()) == 0)
    return EraseResult::Deleted;
  int Err = errno;
  if (Err == ENOENT)
    return EraseResult::Absent;
  Error = "cannot delete from map " + Name + ": " + std::strerror(Err);
  return EraseResult::Failed;
}

bool BpfMap::dumpBatched(MapContents &Out, int Cpu, bool &Unsupported,
                         std::string &Error) const {
  // Batches of up to 4096 entries: a map of a few thousand keys costs one or
  // two syscalls instead of two per key.
  const uint32_t Batch =
      std::min<uint32_t>(std::max<uint32_t>(MaxEntries, 1), 4096);
  std::vector<uint8_t> Keys(size_t(Batch) * KeySize);
  std::vector<uint8_t> Values(size_t(Batch) * rawValueSize());
  // The opaque batch cursor is at least a key wide (arrays: a u32 index).
  std::vector<uint8_t> InBatch(std::max<uint32_t>(KeySize, 8)),
      OutBatch(std::max<uint32_t>(KeySize, 8));
  bool First = true;
  for (;;) {
    uint32_t Count = Batch;
    int R = bpf_map_lookup_batch(Fd, First ? nullptr : InBatch.data(),
                                 OutBatch.data(), Keys.data(), Values.data(),
                                 &Count, nullptr);
    int Err = R ? errno : 0;
    if (R && Err != ENOENT) {
      if (Err == EINVAL || Err == ENOTSUP || Err == EOPNOTSUPP ||
          Err == ENOSPC) {
        Unsupported = true;
        return false;
      }
      Error = "cannot dump map " + Name + ": " + std::strerror(Err);
      return false;
    }
    for (uint32_t I = 0; I < Count; ++I) {
      std::vector<uint8_t> K(Keys.begin() + size_t(I) * KeySize,
                             Keys.begin() + size_t(I + 1) * KeySize);
      auto VB = Values.begin() + size_t(I) * rawValueSize();
      std::vector<uint8_t> Raw(VB, VB + rawValueSize());
      Out[std::move(K)] = slotOf(Raw, Cpu);
    }
    if (Err == ENOENT)
      return true;
    InBatch = OutBatch;
    First = false;
  }
}

bool BpfMap::dump(MapContents &Out, std::string &Error, int Cpu) const {
  Out.clear();
  bool Unsupported = false;
  if (dumpBatched(Out, Cpu, Unsupported, Error))
    return true;
  if (!Unsupported)
    return false;
  Out.clear();
  std::vector<uint8_t> Key(KeySize), Next(KeySize);
  std::vector<uint8_t> Raw(rawValueSize());
  const void *Prev = nullptr;
  while (bpf_map_get_next_key(Fd, Prev, Next.data()) == 0) {
    // A key deleted between the two calls is simply skipped.
    if (bpf_map_lookup_elem(Fd, Next.data(), Raw.data()) == 0)
      Out[Next] = slotOf(Raw, Cpu);
    Key = Next;
    Prev = Key.data();
  }
  if (errno != ENOENT) {
    Error = "cannot iterate map " + Name + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

} // namespace scrrt
