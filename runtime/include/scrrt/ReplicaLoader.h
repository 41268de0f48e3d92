//===- ReplicaLoader.h - Deploying an SCR program and its replicas -*- C++ -*-//
//
// Deploys scrcc's SCR program: loads it once, pins the program and its maps
// on bpffs so they outlive the loader, attaches it to an interface, and
// gives user space the replicas' view of the state.
//
// Replicas (docs/transformation.md §1): replica r is the program running on
// the frames of RX queue r, for r < K = layout.cores; frames of queues >= K
// are dropped and counted in `scr_unowned`. A written map NAME is an array
// of maps whose slot r holds replica r's private copy NAME__r<r>; entry r
// of `scr_replica` is replica r's bookkeeping. Every replica holds a *full*
// copy, so the state is one replica's (by default the most up-to-date one,
// whose `applied` is largest in serial-number order), never a sum.
//
// Control-plane updates (writeReplicaMap, eraseReplicaMap) go to every
// replica's copy in turn while the replicas run: each replica sees the
// update at a different point of its own packet stream, so no packet is
// "the first after the update" for all of them (docs/runtime-replay.md).
//
//===----------------------------------------------------------------------===//
#ifndef SCRRT_REPLICALOADER_H
#define SCRRT_REPLICALOADER_H

#include "scrrt/BpfMap.h"
#include "scrrt/ReplicaMaps.h"
#include "scrrt/ScrOutput.h"

#include <optional>
#include <span>
#include <string>
#include <vector>

namespace scrrt {

enum class XdpMode { Native, Generic };

/// Pin directory used when none is given: /sys/fs/bpf/scr_<stem>.
std::string defaultPinDir(const ScrOutput &Out);

/// Mounts bpffs on /sys/fs/bpf if nothing is mounted there and checks that
/// \p PinDir's parent is on a bpffs.
bool ensureBpffs(const std::string &PinDir, std::string &Error);

/// How loadReplicas builds and prepares the program.
struct DeployOptions {
  /// Compiler flags after Out.CompileFlags (compile_flags.txt).
  std::vector<std::string> CompileFlags;
  /// Files of configuration-map entries (MapInit.h) written after the
  /// load, before the program is pinned (so before it can be attached).
  std::vector<std::string> MapInit;
};

/// Loads Out's SCR program once and pins it as PinDir/prog and every map of
/// the object as PinDir/maps/NAME: for a written map the array of maps NAME
/// and each replica's copy NAME__r<r>. Fails if PinDir already holds a
/// program or if the program does not have one replica per RX queue (an
/// output of an older scrcc).
bool loadReplicas(const ScrOutput &Out, const std::string &PinDir,
                  std::string &Error, const DeployOptions &Options = {});

/// Attaches the program pinned in PinDir to interface \p Dev (replacing
/// nothing: fails if an XDP program is already attached).
bool attachReplicas(const std::string &PinDir, const std::string &Dev,
                    XdpMode Mode, std::string &Error);
bool detachReplicas(const std::string &Dev, XdpMode Mode, std::string &Error);
/// Removes PinDir and everything pinned in it.
bool unloadReplicas(const std::string &PinDir, std::string &Error);

/// RX queues interface \p Dev uses (ethtool channels), or nullopt if its
/// driver does not say.
std::optional<unsigned> rxQueueCount(const std::string &Dev);

/// Every replica's bookkeeping, read from the pinned `scr_replica`.
struct ReplicaView {
  std::vector<ReplicaStats> Replicas; // entry r: replica r
  unsigned MostUpToDate = 0;          // largest `applied` (serial order)
  /// Entry r: the frames replica r rejected, by reason (nullopt for a
  /// program without the frame check).
  std::vector<std::optional<FrameRejects>> Rejects;
  /// Frames dropped because no replica owns their RX queue (the per-CPU
  /// `scr_unowned` summed over CPUs); nullopt if the program has no such
  /// map.
  std::optional<uint64_t> Unowned;
};
std::optional<ReplicaView> readReplicas(const std::string &PinDir,
                                        std::string &Error);

/// One pinned map of an SCR program as user space sees it: a written map
/// (layout.state, written: true) is K private copies, anything else one
/// shared map.
class PinnedMap {
public:
  static std::optional<PinnedMap> open(const ScrOutput &Out,
                                       const std::string &PinDir,
                                       const std::string &Name,
                                       std::string &Error);
  PinnedMap() = default;
  PinnedMap(PinnedMap &&O) noexcept;
  PinnedMap &operator=(PinnedMap &&O) noexcept;
  PinnedMap(const PinnedMap &) = delete;
  PinnedMap &operator=(const PinnedMap &) = delete;
  ~PinnedMap();

  const std::string &name() const { return Name; }
  bool replicated() const { return Copies.size() != 0; }
  /// Copies an update must reach: K for a written map, 1 for a shared one.
  unsigned copies() const { return replicated() ? Copies.size() : 1; }
  /// Replica \p R's copy (a shared map: the map itself, whatever R).
  const BpfMap &copy(unsigned R) const {
    return replicated() ? Copies[R] : Map;
  }

private:
  std::string Name;
  BpfMap Map; // the pinned map (an array of maps if replicated); fd is ours
  ReplicaMaps Copies;
};

/// Which copies a control-plane update reached (replica numbers; a shared
/// map is copy 0).
struct ControlUpdate {
  std::vector<unsigned> Done;
  std::vector<unsigned> Absent; // erase: copies without the key
};

/// Writes \p Value for \p Key into every copy of \p M (their sizes are
/// checked first). On a failure part-way, \p Done says which replicas
/// have the update.
bool writeReplicaMap(const PinnedMap &M, std::span<const uint8_t> Key,
                     std::span<const uint8_t> Value, ControlUpdate &Done,
                     std::string &Error);
/// Deletes \p Key from every copy of \p M; fails if no copy had it.
bool eraseReplicaMap(const PinnedMap &M, std::span<const uint8_t> Key,
                     ControlUpdate &Done, std::string &Error);

/// Parses bytes written as hex digits in memory order, as `state` prints
/// them ("0a000001"); ':' and ' ' between bytes are allowed.
std::optional<std::vector<uint8_t>> parseHexBytes(const std::string &S,
                                                  std::string &Error);

} // namespace scrrt

#endif
