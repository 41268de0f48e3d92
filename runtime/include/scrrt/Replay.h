//===- Replay.h - Differential replay: original vs SCR replicas -*- C++ -*-===//
//
// The oracle of DESIGN.md §5, run the way the program is deployed. The
// original program (in practice scrcc's reference variant) runs
// single-threaded over a trace; the reference sequencer turns the same
// trace into SCR frames, frame i going to replica i mod K; the SCR program
// is loaded ONCE, and replica r's frames arrive on RX queue r of a K-queue
// device (QueueDevice), which is how the program tells its replicas apart.
// The replicas run out of step under several schedules (lockstep, one
// replica ahead of or behind the others, seeded random interleavings, truly
// concurrent threads). Every verdict, every output packet and, at
// checkpoints, every replica's private copy of every written map and its
// PRNG must match the original at the same point of the trace. Any
// difference is a divergence.
//
//===----------------------------------------------------------------------===//
#ifndef SCRRT_REPLAY_H
#define SCRRT_REPLAY_H

#include "scrrt/LossModel.h"
#include "scrrt/LossReport.h"
#include "scrrt/ScrOutput.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace scrrt {

/// How the replicas' frames interleave (each replica always runs its own
/// frames in order, as a queue's NAPI context does).
enum class Schedule {
  Lockstep,   // trace order: replica i mod K runs frame i
  Ahead,      // each replica in turn runs up to Skew of its frames early
  Behind,     // each replica in turn runs up to Skew of its frames late
  Random,     // seeded random interleaving
  Concurrent, // one thread per CPU, each running some replicas' frames
};
const char *scheduleName(Schedule S);
/// "lockstep", "ahead", ..., or "all"; false if \p Name is none of them.
bool parseSchedules(const std::string &Name, std::vector<Schedule> &Out);

/// The order in which frames 0 .. N-1 run under a sequential schedule
/// (frame i is replica i mod K's; each replica's frames keep their order).
/// No frame runs \p Window frames or more ahead of the earliest frame not
/// run yet (loss recovery: a replica cannot be further ahead than its
/// receive ring and the log allow).
std::vector<uint64_t> scheduleOrder(Schedule S, uint64_t N, unsigned K,
                                    uint64_t Skew, uint64_t Seed,
                                    uint64_t Window = UINT64_MAX);

struct ReplayOptions {
  std::string ScrDir;   // scrcc's output directory
  std::string Original; // .bpf.c / .c / .o; empty: ScrDir/<stem>.ref.bpf.c
  std::string Trace;    // Ethernet pcap
  /// Compiler flags after those scrcc recorded (ScrOutput::CompileFlags)
  /// for compiling both programs.
  std::vector<std::string> CompileFlags;
  unsigned Cores = 0; // K replicas
  /// Compare a replica's state after every this many of its own packets
  /// (and always after its last one); 0 picks about 256 checkpoints per
  /// replica.
  uint64_t CheckpointEvery = 0;
  /// CPU the original and the sequential schedules run on; -1: the CPU
  /// the process is on when the replay starts.
  int Cpu = -1;
  /// The schedules to run, one after the other on the same loaded
  /// programs (the SCR program's state cleared in between). Programs
  /// compiled with --loss-recovery run their own concurrent replay.
  std::vector<Schedule> Schedules = {Schedule::Lockstep, Schedule::Ahead,
                                     Schedule::Behind, Schedule::Random,
                                     Schedule::Concurrent};
  /// How many of its own frames a replica runs ahead of / behind the
  /// others in the skewed schedules.
  uint64_t Skew = 3;
  /// Seed of the random schedule.
  uint64_t ScheduleSeed = 1;
  /// Entries written, before the replay, into maps of both programs, as a
  /// control plane fills them in production: configuration maps, and maps
  /// the program writes (in the SCR program every replica's copy).
  struct ConfigEntry {
    std::string Map;
    std::vector<uint8_t> Key, Value;
  };
  std::vector<ConfigEntry> Config;
  /// Files of entries for the program's maps (MapInit.h, --map-init),
  /// written after Config, encoded with the original's BTF.
  std::vector<std::string> MapInit;
  /// How many divergences to keep in detail (all are counted).
  size_t MaxListed = 10;
  /// If set, the SCR frames the replicas were given are written here
  /// (pcap, in trace order), e.g. to send them to a real interface.
  std::string FramesOut;
  /// Programs compiled with --loss-recovery: frames lost between the
  /// sequencer and the cores, and how far (in frames) a replica may run
  /// ahead of the slowest one (0: 4 K frames, at most a quarter of the log).
  LossOptions Loss;
  uint64_t MaxSkew = 0;
  /// Loss recovery: the sequencer starts its seq and hist_seq counters (and
  /// the replicas their applied count) here, e.g. just below 2^32 to cross
  /// the wrap-around.
  uint32_t StartSeq = 0;
  /// If not 0, every loaded object's hash maps hold at most this many
  /// entries (BpfObject::load): loads get faster, equivalence is unaffected
  /// unless a map fills.
  uint64_t MaxEntries = 0;
};

struct Divergence {
  std::string Schedule; // the schedule it happened under
  uint64_t Packet = 0;  // index in the trace after runt removal
  unsigned Replica = 0; // the replica that processed it
  std::string What;     // "verdict", "output", "map counts key 0a000001", ..
  std::string Expected; // the original's
  std::string Actual;   // the replica's
};

struct ReplicaSummary {
  unsigned Index = 0;
  uint64_t Packets = 0;
  uint64_t Checkpoints = 0;
  ReplicaStats Stats; // scr_replica after the replica's last packet
};

struct ScheduleSummary {
  std::string Name;
  uint64_t Divergences = 0;
  uint64_t Checkpoints = 0;
  double Seconds = 0;
};

struct ReplayResult {
  uint64_t Packets = 0;      // frames replayed
  uint64_t SkippedRunts = 0; // frames under 14 bytes, removed first
  /// Frames cut to TruncatedTo bytes before the replay: with the SCR
  /// prefix they would exceed what BPF_PROG_TEST_RUN gives an XDP program
  /// (xdpTestRunMaxFrame()); both sides run the cut frame.
  uint64_t TruncatedFrames = 0;
  uint64_t TruncatedTo = 0;
  /// What the original did over the trace (not for loss replays): how many
  /// frames got each verdict, and the entries of each written map after
  /// the last packet -- whether the trace and the configuration reached
  /// the program's logic.
  std::map<std::string, uint64_t> OriginalVerdicts;
  std::vector<std::pair<std::string, uint64_t>> OriginalEntries;
  uint64_t Divergences = 0;
  std::vector<Divergence> Listed; // the first MaxListed divergences
  std::vector<ReplicaSummary> Replicas;
  uint64_t Checkpoints = 0;
  uint64_t CheckpointEvery = 0;
  int Cpu = -1;
  std::vector<ScheduleSummary> Schedules; // in the order they ran
  uint64_t UnownedFrames = 0; // frames the program found on no replica's queue
  double Seconds = 0;         // the replay loop only (not loading)
  /// Sum of the kernel-measured run times of the replicas' frames in the
  /// first schedule (for benchmarks: BPF_PROG_TEST_RUN with repeat 1,
  /// whole ns per run).
  uint64_t ReplicaRunNs = 0;
  uint64_t ReplicaRunNsMedian = 0; // robust to a run preempted or migrated
  LossSummary Loss;                // programs compiled with --loss-recovery
  /// Hash maps of the original whose max_entries ReplayOptions::MaxEntries
  /// capped (the replicas' are capped alike): name and declared size.
  std::vector<std::pair<std::string, uint32_t>> CappedMaps;
  uint64_t MaxEntries = 0;
};

class DifferentialReplay {
public:
  DifferentialReplay();
  ~DifferentialReplay();

  /// Reads the layout and the trace, loads the original and the SCR
  /// program once each and makes the K-queue device. Input problems (unreadable
  /// or truncated trace, bad layout, a program the verifier refuses, ...)
  /// return false with \p Error.
  bool prepare(const ReplayOptions &Options, std::string &Error);

  /// Replays the whole trace under every schedule. \p Progress, if set, is
  /// called now and then with (packets done, total). Returns false with \p
  /// Error only when the replay cannot go on (e.g. a test run the kernel
  /// refuses).
  bool run(ReplayResult &Result, std::string &Error,
           const std::function<void(uint64_t, uint64_t)> &Progress = {});

  /// Loss recovery: the loss of the next run(). Runs after the first start
  /// from cleared state on the programs already loaded.
  void setLoss(const LossOptions &Loss);

private:
  struct Impl;
  std::unique_ptr<Impl> I;
};

/// The result as JSON (the schema docs/runtime-replay.md describes).
std::string replayResultJson(const ReplayResult &R);

} // namespace scrrt

#endif
