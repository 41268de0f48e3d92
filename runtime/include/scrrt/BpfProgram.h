//===- BpfProgram.h - Loading and running BPF objects -----------*- C++ -*-===//
//
// A small C++ face over libbpf for what the runtime needs: compile a .bpf.c,
// load the object (reporting the verifier log when the kernel refuses it),
// run an XDP program on one packet with BPF_PROG_TEST_RUN, and reach its maps.
//
//===----------------------------------------------------------------------===//
#ifndef SCRRT_BPFPROGRAM_H
#define SCRRT_BPFPROGRAM_H

#include "scrrt/BpfMap.h"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

struct bpf_object;

namespace scrrt {

/// Compiles \p Source (a libbpf-style .bpf.c) with clang-19 -O2 -g -target bpf
/// -I/usr/include/<multiarch> and then \p Flags (the program's own -D, -I,
/// -include ..., e.g. ScrOutput::CompileFlags) into \p ObjectPath. On
/// failure returns false and sets \p Error to the compiler's diagnostics.
bool compileBpf(const std::string &Source, const std::string &ObjectPath,
                std::string &Error, const std::vector<std::string> &Flags = {});

/// A temporary directory removed (with its files) on destruction.
class TempDir {
public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir &) = delete;
  TempDir &operator=(const TempDir &) = delete;
  bool ok() const { return !Path.empty(); }
  const std::string &path() const { return Path; }

private:
  std::string Path;
};

/// What one XDP test run returned.
struct XdpResult {
  uint32_t Verdict = 0;        // XDP_ABORTED, XDP_DROP, XDP_PASS, ...
  std::vector<uint8_t> Output; // the packet as the program left it
  uint32_t DurationNs = 0;     // the kernel's measure of the run
};

const char *xdpVerdictName(uint32_t Verdict);

/// The largest frame BPF_PROG_TEST_RUN gives an XDP program whole: one page
/// less the XDP headroom and the (cache-aligned) skb_shared_info, 3520
/// bytes with 4 KiB pages on x86-64. The kernel puts the rest of a longer
/// frame in fragments, which a program without xdp.frags does not see.
size_t xdpTestRunMaxFrame();

/// Where a test run's frame arrives: interface index (0: none, queue 0)
/// and RX queue.
struct XdpArrival {
  int Ifindex = 0;
  uint32_t RxQueue = 0;
};

/// How BpfObject::load treats an object.
struct LoadOptions {
  /// Messages name this file if given (e.g. the source a temporary .o was
  /// compiled from).
  std::string DisplayName;
  /// Flags for compiling a .c (compileBpf).
  std::vector<std::string> CompileFlags;
  /// If not 0, caps max_entries of every hash map: preallocating (per-CPU)
  /// hash maps of a million entries costs seconds per load, and a
  /// differential replay of a short trace needs far fewer (both sides get
  /// the same cap, so equivalence holds unless a map fills).
  uint64_t MaxEntriesCap = 0;
};

/// One loaded BPF object: its programs and maps, owned until destruction.
///
/// Every object gets maps of its own: libbpf's pinning (`__uint(pinning,
/// LIBBPF_PIN_BY_NAME)`) is cleared before the load, so a map is never
/// reused from, nor left pinned in, /sys/fs/bpf (two objects of one
/// program, e.g. an original and its SCR program, would otherwise share
/// it, and a later run would start from an earlier run's state). Whoever
/// wants pins makes them (scr-replica pins under its own directory).
/// A program in a section libbpf cannot type (old-style names such as
/// SEC("xdp_prog") or SEC("prog")) is loaded as XDP.
class BpfObject {
public:
  /// Opens and loads \p Path: a .o, or a .c / .bpf.c compiled first. On
  /// failure returns null and sets \p Error; a verifier rejection includes
  /// the verifier log.
  static std::unique_ptr<BpfObject> load(const std::string &Path,
                                         std::string &Error,
                                         const LoadOptions &Options = {});
  ~BpfObject();
  BpfObject(const BpfObject &) = delete;
  BpfObject &operator=(const BpfObject &) = delete;

  /// File descriptor of the program whose function is \p Name, or -1.
  int programFd(const std::string &Name) const;
  /// The map called \p Name, or null.
  BpfMap *map(const std::string &Name);
  const std::map<std::string, BpfMap> &maps() const { return Maps; }
  bpf_object *raw() const { return Obj; }
  /// Maps load() capped (MaxEntriesCap): name and declared max_entries.
  const std::vector<std::pair<std::string, uint32_t>> &cappedMaps() const {
    return Capped;
  }

  /// Runs program \p ProgFd once on \p Packet (BPF_PROG_TEST_RUN, repeat 1;
  /// it executes on the calling CPU). With \p Arrival the frame arrives on
  /// that device's RX queue (the device must be in the caller's network
  /// namespace: QueueDevice). On failure sets \p Error.
  static bool runXdp(int ProgFd, std::span<const uint8_t> Packet,
                     XdpResult &Result, std::string &Error,
                     const XdpArrival &Arrival = {});

private:
  BpfObject() = default;
  bpf_object *Obj = nullptr;
  std::map<std::string, BpfMap> Maps;
  std::vector<std::pair<std::string, uint32_t>> Capped;
};

} // namespace scrrt

#endif
