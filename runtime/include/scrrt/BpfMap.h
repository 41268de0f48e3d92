//===- BpfMap.h - Reading and writing one BPF map ---------------*- C++ -*-===//
//
// Keeps the map's file descriptor and geometry so that per-packet accesses
// cost one syscall. Per-CPU maps hold one value per possible CPU, each slot
// rounded up to 8 bytes; a replica's state is the slot of the CPU it ran on.
//
//===----------------------------------------------------------------------===//
#ifndef SCRRT_BPFMAP_H
#define SCRRT_BPFMAP_H

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace scrrt {

/// Map contents: key bytes -> value bytes (one CPU's slot for per-CPU maps).
using MapContents = std::map<std::vector<uint8_t>, std::vector<uint8_t>>;

class BpfMap {
public:
  BpfMap() = default;
  /// Takes (does not own) \p Fd; reads type and sizes from the kernel.
  static std::optional<BpfMap> fromFd(int Fd, std::string &Error);

  int fd() const { return Fd; }
  const std::string &name() const { return Name; }
  uint32_t type() const { return Type; }
  uint32_t keySize() const { return KeySize; }
  uint32_t valueSize() const { return ValueSize; }
  uint32_t maxEntries() const { return MaxEntries; }
  bool perCpu() const { return PerCpu; }
  bool isArray() const;
  /// Bytes of one CPU's slot in a per-CPU value buffer.
  uint32_t slotSize() const { return (ValueSize + 7) / 8 * 8; }
  /// Bytes a lookup writes: every CPU's slot for per-CPU maps.
  size_t rawValueSize() const;

  /// Looks \p Key up. Per-CPU maps: the value of \p Cpu; others ignore Cpu.
  /// nullopt if the key is absent.
  std::optional<std::vector<uint8_t>> lookup(std::span<const uint8_t> Key,
                                             int Cpu = 0) const;
  /// Looks \p Key up returning every CPU's slot (per-CPU maps only).
  std::optional<std::vector<std::vector<uint8_t>>>
  lookupAllCpus(std::span<const uint8_t> Key) const;
  /// Writes \p Value (ValueSize bytes) for \p Key; per-CPU maps: every CPU.
  bool update(std::span<const uint8_t> Key, std::span<const uint8_t> Value,
              std::string &Error) const;
  enum class EraseResult { Deleted, Absent, Failed };
  /// Deletes \p Key. An absent key is not a failure (Absent); Failed sets
  /// \p Error (e.g. on arrays, whose entries cannot be deleted).
  EraseResult erase(std::span<const uint8_t> Key, std::string &Error) const;
  /// Every entry, values of CPU \p Cpu for per-CPU maps (batched lookups
  /// where the kernel supports them, else key-by-key iteration).
  bool dump(MapContents &Out, std::string &Error, int Cpu = 0) const;

private:
  bool dumpBatched(MapContents &Out, int Cpu, bool &Unsupported,
                   std::string &Error) const;
  std::vector<uint8_t> slotOf(const std::vector<uint8_t> &Raw, int Cpu) const;

  int Fd = -1;
  std::string Name;
  uint32_t Type = 0, KeySize = 0, ValueSize = 0, MaxEntries = 0;
  bool PerCpu = false;
};

/// Number of possible CPUs (the per-CPU slot count), or a negative errno.
int possibleCpus();

/// Pins the calling thread to \p Cpu (XDP test runs execute on the calling
/// CPU, so a replica's per-CPU slot is that CPU's). Sets \p Error on failure.
bool pinThisThread(int Cpu, std::string &Error);

/// Lower-case hex of \p Bytes, e.g. "0a000001".
std::string hexBytes(std::span<const uint8_t> Bytes);

} // namespace scrrt

#endif
