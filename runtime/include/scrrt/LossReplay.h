//===- LossReplay.h - Differential replay with loss and concurrency -*- C++
//-*-===//
//
// The differential replay of a program compiled with --loss-recovery:
// frames are dropped between the sequencer and the cores (LossModel), the K
// replicas of the one loaded program run truly concurrently (one pinned
// thread each, free to run ahead of or behind each other within a window,
// each on its RX queue) and share the loss-recovery log as in a real
// deployment. The oracle: the original program,
// single-threaded, over the packets that were applied (every packet except
// those whose history entry reached no core); every verdict a replica gives
// for a frame it ran must equal the original's; a parked frame must carry
// the parked verdict; the last frames (the drain) are delivered in order so
// that every replica catches up, and each replica's state is then compared
// with the original's at the same point. docs/loss-recovery.md.
//
//===----------------------------------------------------------------------===//
#ifndef SCRRT_LOSSREPLAY_H
#define SCRRT_LOSSREPLAY_H

#include "scrrt/BpfMap.h"
#include "scrrt/BpfProgram.h"
#include "scrrt/Packet.h"
#include "scrrt/Replay.h"

#include <functional>
#include <string>
#include <vector>

namespace scrrt {

class ReplicaRecord;

/// What the loss-recovery replay borrows from the differential replay.
struct LossReplayEnv {
  const scr::Layout *Layout = nullptr;
  const std::vector<Packet> *Trace = nullptr; // runts removed
  int OriginalProg = -1;
  int OriginalCpu = 0; // the calling thread is pinned there
  /// Sets the original's clock (scr_ref_env.now_ns) for the next packet.
  std::function<bool(uint64_t TimestampNs, std::string &Error)> SetClock;
  /// The one loaded SCR program; replica r's frames arrive as
  /// Arrivals[r] (RX queue r of the QueueDevice).
  int ScrProg = -1;
  std::vector<XdpArrival> Arrivals;
  std::vector<int> ReplicaCpus;       // where each replica's thread runs
  const BpfMap *ReplicaMap = nullptr; // scr_replica: entry r is replica r's
  const ReplicaRecord *ReplicaLayout = nullptr; // its values' members
  const BpfMap *CoreMap = nullptr; // scr_lr_core: entry r is replica r's
  /// Records a divergence (called with a lock held).
  std::function<void(uint64_t Packet, unsigned Replica, std::string What,
                     std::string Expected, std::string Actual)>
      Diverge;
  /// Compares replica \p Replica's state with the original's now.
  std::function<bool(uint64_t Packet, unsigned Replica, std::string &Error)>
      CompareState;
};

/// Empties \p M: deletes every key of a hash map, zeroes every element of an
/// array (every CPU's slot for per-CPU maps). For another replay on the
/// same loaded programs.
bool clearMap(const BpfMap &M, std::string &Error);

/// The median of \p V (0 if empty); reorders V.
uint64_t medianOf(std::vector<uint32_t> &V);

/// Runs the replay under schedule \p S (Concurrent: a thread per replica;
/// the others: one thread, frames in scheduleOrder() within the skew
/// window); fills \p Result (replicas, checkpoints, Loss). Returns false
/// with \p Error only when it cannot go on.
bool runLossReplay(const LossReplayEnv &Env, const ReplayOptions &Options,
                   Schedule S, ReplayResult &Result, std::string &Error);

} // namespace scrrt

#endif
