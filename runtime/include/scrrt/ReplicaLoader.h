//===- ReplicaLoader.h - Running an SCR program on real CPUs ----*- C++ -*-===//
//
// Deploys scrcc's SCR program: loads it once (its written maps are per-CPU,
// so every CPU that receives frames keeps its own full replica), pins the
// program and maps on bpffs so they outlive the loader, attaches it to an
// interface, and reads the replicated state back.
//
// Reading state: every CPU holds a *full* replica, so summing a per-CPU map
// over CPUs (the usual idiom for per-CPU counters) gives K times the truth.
// The state is the replica of one CPU: the most up-to-date one, i.e. the one
// whose scr_replica.applied is largest in serial-number order.
//
//===----------------------------------------------------------------------===//
#ifndef SCRRT_REPLICALOADER_H
#define SCRRT_REPLICALOADER_H

#include "scrrt/BpfMap.h"
#include "scrrt/ScrOutput.h"

#include <optional>
#include <string>
#include <vector>

namespace scrrt {

enum class XdpMode { Native, Generic };

/// Pin directory used when none is given: /sys/fs/bpf/scr_<stem>.
std::string defaultPinDir(const ScrOutput &Out);

/// Mounts bpffs on /sys/fs/bpf if nothing is mounted there and checks that
/// \p PinDir's parent is on a bpffs.
bool ensureBpffs(const std::string &PinDir, std::string &Error);

/// Loads Out's SCR program once and pins it as PinDir/prog, its maps as
/// PinDir/maps/NAME and the CPU list \p Cpus (the CPUs frames are sprayed
/// over; at most layout.cores of them) as PinDir/cpus. Fails if PinDir
/// already holds a program.
bool loadReplicas(const ScrOutput &Out, const std::string &PinDir,
                  const std::vector<int> &Cpus, std::string &Error);

/// Attaches the program pinned in PinDir to interface \p Dev (replacing
/// nothing: fails if an XDP program is already attached).
bool attachReplicas(const std::string &PinDir, const std::string &Dev,
                    XdpMode Mode, std::string &Error);
bool detachReplicas(const std::string &Dev, XdpMode Mode, std::string &Error);
/// Removes PinDir and everything pinned in it.
bool unloadReplicas(const std::string &PinDir, std::string &Error);

struct ReplicaView {
  int Cpu = -1;
  ReplicaStats Stats;
  std::vector<std::pair<int, ReplicaStats>> All; // every CPU considered
};

/// The replica whose `applied` is largest (serial-number order) among the
/// pinned CPU list (all possible CPUs if none was pinned).
std::optional<ReplicaView> mostUpToDateReplica(const std::string &PinDir,
                                               std::string &Error);

/// Reads map \p Name as CPU \p Cpu's replica holds it (shared maps: as is).
/// \p Info receives the map's description.
bool readReplicaMap(const std::string &PinDir, const std::string &Name, int Cpu,
                    MapContents &Out, BpfMap &Info, std::string &Error);

/// Parses "0,2-3" into {0, 2, 3}.
std::optional<std::vector<int>> parseCpuList(const std::string &S,
                                             std::string &Error);

} // namespace scrrt

#endif
