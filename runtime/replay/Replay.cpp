//===- Replay.cpp - Differential replay: original vs SCR replicas ---------===//

#include "scrrt/Replay.h"

#include "scrrt/BpfProgram.h"
#include "scrrt/LossReplay.h"
#include "scrrt/MapInit.h"
#include "scrrt/Pcap.h"
#include "scrrt/QueueDevice.h"
#include "scrrt/Random.h"
#include "scrrt/ReplicaMaps.h"
#include "scrrt/ReplicaRecord.h"
#include "scrrt/Sequencer.h"

#include <chrono>
#include <cstring>
#include <filesystem>
#include <linux/bpf.h>
#include <nlohmann/json.hpp>
#include <sched.h>
#include <thread>

namespace fs = std::filesystem;

namespace scrrt {

const char *scheduleName(Schedule S) {
  switch (S) {
  case Schedule::Lockstep:
    return "lockstep";
  case Schedule::Ahead:
    return "ahead";
  case Schedule::Behind:
    return "behind";
  case Schedule::Random:
    return "random";
  case Schedule::Concurrent:
    return "concurrent";
  }
  return "?";
}

bool parseSchedules(const std::string &Name, std::vector<Schedule> &Out) {
  static const Schedule All[] = {Schedule::Lockstep, Schedule::Ahead,
                                 Schedule::Behind, Schedule::Random,
                                 Schedule::Concurrent};
  if (Name == "all") {
    Out.assign(std::begin(All), std::end(All));
    return true;
  }
  for (Schedule S : All)
    if (Name == scheduleName(S)) {
      Out.push_back(S);
      return true;
    }
  return false;
}

namespace {
/// One written map: the original's, and the array of maps whose slot r is
/// replica r's private copy.
struct ReplicatedMap {
  std::string Name;
  BpfMap *Original = nullptr;
  ReplicaMaps Copies;
};

/// The original's state after one packet: every written map, and the PRNG.
struct Snapshot {
  std::vector<MapContents> Maps; // in the order of Impl::State
  uint64_t Prng = 0;
};

/// What the original did with one packet.
struct Expected {
  uint32_t Verdict = 0;
  std::vector<uint8_t> Output;
};

std::string hex64(uint64_t V) {
  char B[24];
  std::snprintf(B, sizeof B, "0x%016llx", (unsigned long long)V);
  return B;
}
std::string firstDifference(const std::vector<uint8_t> &A,
                            const std::vector<uint8_t> &B) {
  size_t I = 0;
  while (I < A.size() && I < B.size() && A[I] == B[I])
    ++I;
  return std::to_string(I);
}

std::span<const uint8_t> keyOf(const uint32_t &K) {
  return {reinterpret_cast<const uint8_t *>(&K), sizeof K};
}

/// At most this many original-state snapshots are kept (each holds every
/// written map): checkpoints are thinned out on long traces.
constexpr uint64_t MaxSnapshots = 2048;
} // namespace

struct DifferentialReplay::Impl {
  ReplayOptions Opt;
  ScrOutput Out;
  std::vector<Packet> Trace;
  uint64_t Runts = 0;
  uint64_t Truncated = 0, TruncatedTo = 0;
  unsigned K = 0;

  std::unique_ptr<BpfObject> Original;
  int OriginalProg = -1;
  BpfMap *OriginalEnv = nullptr;  // scr_ref_env, if the program has it
  std::unique_ptr<BpfObject> Scr; // the one loaded SCR program
  int ScrProg = -1;
  BpfMap *StatsMap = nullptr;         // scr_replica: entry r is replica r's
  std::optional<ReplicaRecord> Stats; // how its values are laid out
  BpfMap *CoreMap = nullptr;          // scr_lr_core (loss recovery)
  BpfMap *UnownedMap = nullptr;       // scr_unowned
  std::optional<QueueDevice> Device;
  std::vector<ReplicatedMap> State;
  cpu_set_t UsableCpus; // before the replay pins its thread
  unsigned Runs = 0;    // replays run on these programs
  // The control plane's entries (--config, --map-init): every schedule
  // starts from them, as from a fresh load.
  std::vector<MapInitEntry> InitialEntries;

  // Computed once: the frames, the original's verdicts and its state at
  // every checkpoint.
  bool Prepared = false;
  std::vector<Sequencer::Frame> Frames;
  std::vector<Expected> Want;
  std::map<std::string, uint64_t> Verdicts; // the original's, by name
  std::vector<std::pair<std::string, uint64_t>> FinalEntries;
  std::map<uint64_t, Snapshot> Snapshots; // by packet
  std::vector<uint64_t> LastOf;           // each replica's last packet
  // Per replica, its frames rejected (and resyncs) so far in this schedule.
  std::vector<uint64_t> Rejected;
  uint64_t Every = 0;

  ReplayResult *R = nullptr;
  std::string CurrentSchedule;
  int Cpu = 0;

  XdpArrival arrival(unsigned Replica) const {
    return {Device->ifindex(), Replica};
  }
  bool loadPrograms(std::string &Error);
  bool bindState(std::string &Error);
  bool fillConfig(std::string &Error);
  void diverge(uint64_t Packet, unsigned Replica, std::string What,
               std::string Expected, std::string Actual);
  bool setClock(uint64_t Ns, std::string &Error);
  bool snapshot(Snapshot &S, std::string &Error);
  bool precompute(std::string &Error);
  bool compareState(uint64_t Packet, unsigned Replica, const Snapshot &Want,
                    std::string &Error);
  std::optional<ReplicaStats>
  readStats(unsigned Replica, std::optional<FrameRejects> *Rejects) const;
  bool clearScrState(std::string &Error);
  void checkVerdict(uint64_t P, const XdpResult &Got);
  void checkStats(uint64_t P, const ReplicaStats &Stats,
                  const std::optional<FrameRejects> &Rejects);
  bool runSequential(Schedule S, std::string &Error,
                     const std::function<void(uint64_t, uint64_t)> &Progress);
  bool runConcurrent(std::string &Error);
  bool runWithLoss(ReplayResult &Result, std::string &Error);
};

DifferentialReplay::DifferentialReplay() : I(std::make_unique<Impl>()) {}
DifferentialReplay::~DifferentialReplay() = default;

bool DifferentialReplay::Impl::loadPrograms(std::string &Error) {
  const scr::Layout &L = Out.Layout;
  std::string OrigSource = Opt.Original.empty() ? Out.RefProgram : Opt.Original;
  if (Opt.Original.empty() && !fs::exists(OrigSource)) {
    Error = "no --original given and no reference variant '" + OrigSource + "'";
    return false;
  }
  // The original (scrcc's reference variant or the user's source) and the
  // SCR program are one program: the flags scrcc recorded, then --'s.
  LoadOptions Load;
  Load.CompileFlags = Out.compileFlags(Opt.CompileFlags);
  Load.MaxEntriesCap = Opt.MaxEntries;
  Original = BpfObject::load(OrigSource, Error, Load);
  if (!Original)
    return false;
  OriginalProg = Original->programFd(L.Entry);
  if (OriginalProg < 0) {
    Error =
        OrigSource + ": no program '" + L.Entry + "' (layout program.entry)";
    return false;
  }
  OriginalEnv = Original->map(RefEnvMapName);
  if ((L.UsesTime || L.UsesPrng) && !OriginalEnv) {
    Error = OrigSource + ": the program reads the " +
            std::string(L.UsesTime ? "clock" : "PRNG") +
            " but has no map `scr_ref_env`: replay against the reference "
            "variant (" +
            Out.Stem +
            ".ref.bpf.c), whose clock and PRNG "
            "match the replicas'";
    return false;
  }

  // One object, as deployed: its K replicas are told apart by RX queue.
  Scr = BpfObject::load(Out.ScrProgram, Error, Load);
  if (!Scr)
    return false;
  ScrProg = Scr->programFd(L.Entry);
  if (ScrProg < 0) {
    Error = Out.ScrProgram + ": no program '" + L.Entry +
            "' (layout program.entry)";
    return false;
  }
  StatsMap = Scr->map(ReplicaMapName);
  UnownedMap = Scr->map(UnownedMapName);
  if (!StatsMap || StatsMap->perCpu() || StatsMap->maxEntries() < K ||
      !UnownedMap) {
    Error = Out.ScrProgram +
            ": no array `scr_replica` with an entry per replica, or no "
            "`scr_unowned`; is it an SCR program of this scrcc?";
    return false;
  }
  Stats = ReplicaRecord::ofObject(Scr->raw(), Error);
  if (!Stats) {
    Error = Out.ScrProgram + ": " + Error;
    return false;
  }
  if (L.LossRecovery) {
    CoreMap = Scr->map(LossCoreMapName);
    if (!Scr->map(LossLogMapName) || !Scr->map(LossSeenMapName) || !CoreMap ||
        CoreMap->perCpu() || CoreMap->maxEntries() < K ||
        CoreMap->valueSize() < sizeof(LossCoreStats)) {
      Error = Out.ScrProgram +
              ": the layout asks for loss recovery but the program lacks "
              "its maps (scr_lr_log, scr_lr_seen, scr_lr_core with an "
              "entry per replica)";
      return false;
    }
  }
  return true;
}

bool DifferentialReplay::Impl::bindState(std::string &Error) {
  for (const scr::StateObject &S : Out.Layout.State) {
    if (!S.Written)
      continue;
    ReplicatedMap M;
    M.Name = S.Name;
    M.Original = Original->map(S.Name);
    if (!M.Original) {
      Error = "the original program has no map `" + S.Name + "` (layout state" +
              (S.Kind == "global" ? ": replicated globals are not supported "
                                    "by scr-replay yet)"
                                  : ")");
      return false;
    }
    BpfMap *Outer = Scr->map(S.Name);
    if (!Outer) {
      Error = Out.ScrProgram + ": no map `" + S.Name + "` (layout state)";
      return false;
    }
    auto Copies = ReplicaMaps::open(*Outer, Error);
    if (!Copies) {
      Error = Out.ScrProgram + ": " + Error;
      return false;
    }
    if (Copies->size() < K) {
      Error = Out.ScrProgram + ": map `" + S.Name + "` holds " +
              std::to_string(Copies->size()) + " replicas, fewer than " +
              std::to_string(K);
      return false;
    }
    for (unsigned Rep = 0; Rep < K; ++Rep)
      if ((*Copies)[Rep].keySize() != M.Original->keySize() ||
          (*Copies)[Rep].valueSize() != M.Original->valueSize()) {
        Error = "map `" + S.Name +
                "`: key/value sizes differ between the original and replica " +
                std::to_string(Rep) + " of the SCR program";
        return false;
      }
    M.Copies = std::move(*Copies);
    State.push_back(std::move(M));
  }
  return true;
}

bool DifferentialReplay::prepare(const ReplayOptions &Options,
                                 std::string &Error) {
  I->Opt = Options;
  if (sched_getaffinity(0, sizeof I->UsableCpus, &I->UsableCpus) != 0)
    CPU_ZERO(&I->UsableCpus);
  if (Options.Cores == 0) {
    Error = "--cores must be at least 1";
    return false;
  }
  if (Options.Schedules.empty()) {
    Error = "no schedule to run";
    return false;
  }
  I->K = Options.Cores;
  auto Out = ScrOutput::open(Options.ScrDir, Error);
  if (!Out)
    return false;
  I->Out = std::move(*Out);
  if (Options.Cores > I->Out.Layout.Cores) {
    Error = "the SCR program has room for " +
            std::to_string(I->Out.Layout.Cores) +
            " replicas (layout cores), not --cores " +
            std::to_string(Options.Cores);
    return false;
  }
  auto Trace = readPcap(Options.Trace, Error);
  if (!Trace)
    return false;
  I->Trace = std::move(*Trace);
  I->Runts = dropRuntFrames(I->Trace);
  if (I->Trace.empty()) {
    // Nothing to compare is not "no divergence".
    Error = Options.Trace + ": no packet to replay (" +
            (I->Runts ? "all " + std::to_string(I->Runts) +
                            " frames are shorter than an Ethernet header"
                      : std::string("the trace holds no frame")) +
            ")";
    return false;
  }
  // A frame whose SCR frame the kernel would cut (the rest in fragments
  // the program does not see) is cut here, for both sides, and counted.
  size_t Limit = xdpTestRunMaxFrame(), Prefix = I->Out.Layout.prefixBytes();
  if (Prefix + 14 > Limit) {
    Error = "the SCR prefix (" + std::to_string(Prefix) +
            " bytes) leaves no room for a frame in a test run (at most " +
            std::to_string(Limit) + " bytes)";
    return false;
  }
  I->TruncatedTo = Limit - Prefix;
  for (Packet &P : I->Trace)
    if (P.Data.size() > I->TruncatedTo) {
      P.Data.resize(I->TruncatedTo);
      ++I->Truncated;
    }
  if (!I->Out.Layout.LossRecovery && Options.Loss.Rate > 0) {
    Error = "--loss needs a program compiled with --loss-recovery (without "
            "it, lost history makes the replicas diverge)";
    return false;
  }
  if (!I->Out.Layout.LossRecovery && Options.StartSeq) {
    Error = "--start-seq is supported with loss recovery only";
    return false;
  }
  if (I->Out.Layout.LossRecovery && !Options.FramesOut.empty()) {
    Error = "--frames is not supported with loss recovery";
    return false;
  }
  // The device first: the threads of the concurrent schedule inherit its
  // network namespace from this one.
  I->Device = QueueDevice::create(Options.Cores, Error);
  if (!I->Device)
    return false;
  return I->loadPrograms(Error) && I->bindState(Error) && I->fillConfig(Error);
}

// The control plane's entries, the same on both sides: configuration maps
// are shared by every replica; a map the program also writes (a block list
// with per-entry counters) gets them in the original and in every
// replica's private copy, so every replica starts from the original's
// state.
bool DifferentialReplay::Impl::fillConfig(std::string &Error) {
  std::vector<MapInitEntry> Entries;
  for (const ReplayOptions::ConfigEntry &E : Opt.Config)
    Entries.push_back({E.Map, E.Key, E.Value, "--config " + E.Map});
  for (const std::string &File : Opt.MapInit) {
    auto FromFile = readMapInit(File, *Original, Out.Layout, Error);
    if (!FromFile)
      return false;
    Entries.insert(Entries.end(), FromFile->begin(), FromFile->end());
  }
  for (const MapInitEntry &E : Entries)
    if (auto Why = notProgramState(Out.Layout, E.Map)) {
      Error = E.Where + ": " + *Why;
      return false;
    }
  InitialEntries = std::move(Entries);
  return writeMapInit(*Original, Out.Layout, InitialEntries, Error) &&
         writeMapInit(*Scr, Out.Layout, InitialEntries, Error);
}

void DifferentialReplay::Impl::diverge(uint64_t Packet, unsigned Replica,
                                       std::string What, std::string Expected,
                                       std::string Actual) {
  ++R->Divergences;
  if (!R->Schedules.empty())
    ++R->Schedules.back().Divergences;
  if (R->Listed.size() < Opt.MaxListed)
    R->Listed.push_back({CurrentSchedule, Packet, Replica, std::move(What),
                         std::move(Expected), std::move(Actual)});
}

std::optional<ReplicaStats> DifferentialReplay::Impl::readStats(
    unsigned Replica, std::optional<FrameRejects> *Rejects) const {
  auto V = StatsMap->lookup(keyOf(Replica));
  if (!V)
    return std::nullopt;
  if (Rejects)
    *Rejects = Stats->rejects(*V);
  return Stats->stats(*V);
}

bool DifferentialReplay::Impl::setClock(uint64_t Ns, std::string &Error) {
  if (!OriginalEnv)
    return true;
  // now_ns is the sequencer's stamp; prng stays as the program left it.
  const uint32_t Zero = 0;
  auto Raw = OriginalEnv->lookup(keyOf(Zero));
  RefEnv E;
  if (Raw)
    std::memcpy(&E, Raw->data(), sizeof E);
  E.NowNs = Ns;
  return OriginalEnv->update(
      keyOf(Zero), {reinterpret_cast<const uint8_t *>(&E), sizeof E}, Error);
}

bool DifferentialReplay::Impl::snapshot(Snapshot &S, std::string &Error) {
  S.Maps.resize(State.size());
  for (size_t I = 0; I < State.size(); ++I)
    if (!State[I].Original->dump(S.Maps[I], Error, Cpu))
      return false;
  if (Out.Layout.UsesPrng) {
    const uint32_t Zero = 0;
    auto Env = OriginalEnv->lookup(keyOf(Zero));
    if (!Env) {
      Error = "cannot read the reference's PRNG state";
      return false;
    }
    RefEnv E;
    std::memcpy(&E, Env->data(), sizeof E);
    S.Prng = E.Prng;
  }
  return true;
}

// The original runs once, single-threaded, in trace order: its verdicts
// and its state at every checkpoint are what every schedule must match.
bool DifferentialReplay::Impl::precompute(std::string &Error) {
  const uint64_t N = Trace.size();
  Sequencer Seq(Out.Layout);
  Frames.reserve(N);
  for (const Packet &P : Trace)
    Frames.push_back(Seq.next(P));

  uint64_t PerReplica = (N + K - 1) / K;
  Every = Opt.CheckpointEvery ? Opt.CheckpointEvery
                              : std::max<uint64_t>(1, (PerReplica + 255) / 256);
  Every = std::max<uint64_t>(Every, (N + MaxSnapshots - 1) / MaxSnapshots);
  LastOf.assign(K, UINT64_MAX);
  for (uint64_t P = 0; P < N; ++P)
    LastOf[P % K] = P;

  Want.resize(N);
  XdpResult Got;
  for (uint64_t P = 0; P < N; ++P) {
    std::string RunError;
    if (!setClock(Frames[P].TimestampNs, Error))
      return false;
    if (!BpfObject::runXdp(OriginalProg, Trace[P].Data, Got, RunError)) {
      Error = "packet " + std::to_string(P) + ", original: " + RunError;
      return false;
    }
    Want[P] = {Got.Verdict, Got.Output};
    ++Verdicts[xdpVerdictName(Got.Verdict)];
    bool Checkpoint = (P / K + 1) % Every == 0 || P == LastOf[P % K];
    if (Checkpoint && !snapshot(Snapshots[P], Error))
      return false;
  }
  for (const ReplicatedMap &M : State) {
    MapContents Final;
    if (!M.Original->dump(Final, Error))
      return false;
    FinalEntries.emplace_back(M.Name, Final.size());
  }
  Prepared = true;
  return true;
}

bool DifferentialReplay::Impl::compareState(uint64_t Packet, unsigned Replica,
                                            const Snapshot &W,
                                            std::string &Error) {
  MapContents Got;
  for (size_t I = 0; I < State.size(); ++I) {
    const ReplicatedMap &M = State[I];
    const MapContents &Want = W.Maps[I];
    if (!M.Copies[Replica].dump(Got, Error))
      return false;
    if (Want == Got)
      continue;
    // Report the first key (in key order) where they differ.
    auto Wi = Want.cbegin();
    auto G = Got.cbegin();
    while (Wi != Want.end() && G != Got.end() && *Wi == *G)
      ++Wi, ++G;
    std::string What = "map " + M.Name + " key ", Expected, Actual;
    if (G == Got.end() || (Wi != Want.end() && Wi->first < G->first)) {
      What += hexBytes(Wi->first);
      Expected = hexBytes(Wi->second);
      Actual = "absent";
    } else if (Wi == Want.end() || G->first < Wi->first) {
      What += hexBytes(G->first);
      Expected = "absent";
      Actual = hexBytes(G->second);
    } else {
      What += hexBytes(Wi->first);
      Expected = hexBytes(Wi->second);
      Actual = hexBytes(G->second);
    }
    diverge(Packet, Replica, What, Expected, Actual);
  }
  if (Out.Layout.UsesPrng) {
    auto S = readStats(Replica, nullptr);
    if (!S) {
      Error = "cannot read scr_replica of replica " + std::to_string(Replica);
      return false;
    }
    if (W.Prng != S->Prng)
      diverge(Packet, Replica, "prng", hex64(W.Prng), hex64(S->Prng));
  }
  return true;
}

// Another schedule on the same loaded program starts from the state a
// fresh load has, the control plane's entries written.
bool DifferentialReplay::Impl::clearScrState(std::string &Error) {
  std::vector<const BpfMap *> Maps = {StatsMap, UnownedMap};
  for (const char *Name : {LossCoreMapName, LossLogMapName, LossSeenMapName})
    if (const BpfMap *M = Scr->map(Name))
      Maps.push_back(M);
  for (const ReplicatedMap &M : State)
    for (unsigned Rep = 0; Rep < K; ++Rep)
      Maps.push_back(&M.Copies[Rep]);
  for (const BpfMap *M : Maps)
    if (!clearMap(*M, Error))
      return false;
  return writeMapInit(*Scr, Out.Layout, InitialEntries, Error);
}

std::vector<uint64_t> scheduleOrder(Schedule S, uint64_t N, unsigned K,
                                    uint64_t Skew, uint64_t Seed,
                                    uint64_t Window) {
  std::vector<uint64_t> Order;
  Order.reserve(N);
  if (S == Schedule::Lockstep || S == Schedule::Concurrent || K == 1) {
    for (uint64_t P = 0; P < N; ++P)
      Order.push_back(P);
    return Order;
  }
  std::vector<uint64_t> Next(K);
  for (unsigned Rep = 0; Rep < K; ++Rep)
    Next[Rep] = Rep;
  Random Rng(Seed);
  const uint64_t Lead = Skew * K; // Skew of a replica's own frames
  // The replica whose next frame is earliest, optionally excluding one.
  auto Earliest = [&](int Except) {
    int Best = -1;
    for (unsigned Rep = 0; Rep < K; ++Rep)
      if (int(Rep) != Except && Next[Rep] < N &&
          (Best < 0 || Next[Rep] < Next[Best]))
        Best = int(Rep);
    return Best;
  };
  while (Order.size() < N) {
    const uint64_t Slowest = Next[Earliest(-1)];
    auto MayRun = [&](int Rep) {
      return Rep >= 0 && Next[Rep] < N && Next[Rep] - Slowest < Window;
    };
    int Pick = -1;
    // The replica singled out takes turns: each for 1/K of the trace.
    int Odd = int(Order.size() * K / N);
    if (S == Schedule::Random) {
      do
        Pick = int(Rng.below(K));
      while (!MayRun(Pick));
    } else if (S == Schedule::Ahead) {
      int Others = Earliest(Odd);
      bool Leads =
          MayRun(Odd) && (Others < 0 || Next[Odd] < Next[Others] + Lead);
      Pick = Leads ? Odd : Others;
    } else {
      int Others = Earliest(Odd);
      bool MustRun =
          MayRun(Odd) && (Others < 0 || Next[Odd] + Lead <= Next[Others]);
      Pick = MustRun ? Odd : Others;
    }
    Order.push_back(Next[Pick]);
    Next[Pick] += K;
  }
  return Order;
}

// Checks what one replica frame returned against the original: the
// verdict, and the output packet unless the packet goes nowhere.
void DifferentialReplay::Impl::checkVerdict(uint64_t P, const XdpResult &Got) {
  const unsigned Rep = unsigned(P % K);
  const Expected &W = Want[P];
  if (W.Verdict != Got.Verdict)
    diverge(P, Rep, "verdict", xdpVerdictName(W.Verdict),
            xdpVerdictName(Got.Verdict));
  else if (W.Verdict != XDP_DROP && W.Verdict != XDP_ABORTED &&
           W.Output != Got.Output)
    diverge(P, Rep, "output byte " + firstDifference(W.Output, Got.Output),
            hexBytes(W.Output), hexBytes(Got.Output));
}

// The replica's bookkeeping after frame P (docs/packet-format.md): it has
// applied every relevant packet before P, and P if it is relevant; nothing
// is lost in a replay, so no gap is counted, and the sequencer's frames
// are never rejected.
void DifferentialReplay::Impl::checkStats(
    uint64_t P, const ReplicaStats &Stats,
    const std::optional<FrameRejects> &Rejects) {
  const unsigned Rep = unsigned(P % K);
  const Sequencer::Frame &F = Frames[P];
  uint32_t Applied = F.HistSeq + (F.Relevant ? 1 : 0);
  if (Stats.Applied != Applied)
    diverge(P, Rep, "scr_replica.applied", std::to_string(Applied),
            std::to_string(Stats.Applied));
  if (Stats.Gaps)
    diverge(P, Rep, "scr_replica.gaps", "0", std::to_string(Stats.Gaps));
  if (!Rejects)
    return;
  uint64_t Now = Rejects->dropped() + Rejects->Resyncs;
  if (Now != Rejected[Rep]) {
    diverge(P, Rep, "scr_replica frames rejected", "none", Rejects->describe());
    Rejected[Rep] = Now;
  }
}

bool DifferentialReplay::Impl::runSequential(
    Schedule S, std::string &Error,
    const std::function<void(uint64_t, uint64_t)> &Progress) {
  const uint64_t N = Frames.size();
  const bool First = R->Schedules.size() == 1;
  std::vector<uint32_t> RunNs;
  XdpResult Got;
  uint64_t Done = 0;
  for (uint64_t P : scheduleOrder(S, N, K, Opt.Skew, Opt.ScheduleSeed)) {
    const unsigned Rep = unsigned(P % K);
    std::string RunError;
    if (!BpfObject::runXdp(ScrProg, Frames[P].Bytes, Got, RunError,
                           arrival(Rep))) {
      Error = std::string(scheduleName(S)) + " schedule, packet " +
              std::to_string(P) + ", replica " + std::to_string(Rep) + ": " +
              RunError;
      return false;
    }
    if (First) {
      R->ReplicaRunNs += Got.DurationNs;
      RunNs.push_back(Got.DurationNs);
    }
    std::optional<FrameRejects> Rejects;
    auto Stats = readStats(Rep, &Rejects);
    if (!Stats) {
      Error = "cannot read scr_replica of replica " + std::to_string(Rep);
      return false;
    }
    checkVerdict(P, Got);
    checkStats(P, *Stats, Rejects);
    ReplicaSummary &Sum = R->Replicas[Rep];
    Sum.Stats = *Stats;
    if (First)
      ++Sum.Packets;
    if (auto It = Snapshots.find(P); It != Snapshots.end()) {
      if (!compareState(P, Rep, It->second, Error))
        return false;
      ++Sum.Checkpoints;
      ++R->Checkpoints;
      ++R->Schedules.back().Checkpoints;
    }
    if (Progress && (++Done % 4096 == 0 || Done == N))
      Progress(Done, N);
  }
  if (First)
    R->ReplicaRunNsMedian = medianOf(RunNs);
  return true;
}

// Truly concurrent: one thread per usable CPU, thread t running the frames
// of replicas t, t + T, ... in trace order. Only verdicts are checked while
// they run; each replica's state is compared after its last frame.
bool DifferentialReplay::Impl::runConcurrent(std::string &Error) {
  std::vector<int> Cpus;
  for (int C = 0; C < CPU_SETSIZE; ++C)
    if (CPU_ISSET(C, &UsableCpus))
      Cpus.push_back(C);
  if (Cpus.empty())
    Cpus.push_back(Cpu);
  const unsigned T = std::min<unsigned>(K, unsigned(Cpus.size()));
  const uint64_t N = Frames.size();
  std::vector<XdpResult> Got(N);
  std::vector<std::string> Errors(T);
  std::vector<std::thread> Threads;
  for (unsigned Th = 0; Th < T; ++Th)
    Threads.emplace_back([&, Th] {
      if (!pinThisThread(Cpus[Th], Errors[Th]))
        return;
      for (uint64_t P = 0; P < N; ++P) {
        if (P % K % T != Th)
          continue;
        std::string RunError;
        if (!BpfObject::runXdp(ScrProg, Frames[P].Bytes, Got[P], RunError,
                               arrival(unsigned(P % K)))) {
          Errors[Th] = "concurrent schedule, packet " + std::to_string(P) +
                       ": " + RunError;
          return;
        }
      }
    });
  for (std::thread &Th : Threads)
    Th.join();
  for (const std::string &E : Errors)
    if (!E.empty()) {
      Error = E;
      return false;
    }
  for (uint64_t P = 0; P < N; ++P)
    checkVerdict(P, Got[P]);
  for (unsigned Rep = 0; Rep < K; ++Rep) {
    if (LastOf[Rep] == UINT64_MAX)
      continue;
    std::optional<FrameRejects> Rejects;
    auto Stats = readStats(Rep, &Rejects);
    if (!Stats) {
      Error = "cannot read scr_replica of replica " + std::to_string(Rep);
      return false;
    }
    checkStats(LastOf[Rep], *Stats, Rejects);
    if (!compareState(LastOf[Rep], Rep, Snapshots.at(LastOf[Rep]), Error))
      return false;
    ++R->Replicas[Rep].Checkpoints;
    ++R->Checkpoints;
    ++R->Schedules.back().Checkpoints;
  }
  return true;
}

bool DifferentialReplay::run(
    ReplayResult &Result, std::string &Error,
    const std::function<void(uint64_t, uint64_t)> &Progress) {
  Impl &M = *I;
  M.R = &Result;
  Result = ReplayResult();
  const unsigned K = M.K;
  Result.Packets = M.Trace.size();
  Result.SkippedRunts = M.Runts;
  Result.TruncatedFrames = M.Truncated;
  Result.TruncatedTo = M.TruncatedTo;

  M.Cpu = M.Opt.Cpu >= 0 ? M.Opt.Cpu : sched_getcpu();
  if (M.Cpu < 0)
    M.Cpu = 0;
  if (!pinThisThread(M.Cpu, Error))
    return false;
  Result.Cpu = M.Cpu;
  Result.CappedMaps = M.Original->cappedMaps();
  Result.MaxEntries = M.Opt.MaxEntries;
  Result.Replicas.resize(K);
  for (unsigned Rep = 0; Rep < K; ++Rep)
    Result.Replicas[Rep].Index = Rep;
  if (M.Out.Layout.LossRecovery)
    return M.runWithLoss(Result, Error);

  if (!M.Prepared && !M.precompute(Error))
    return false;
  Result.CheckpointEvery = M.Every;
  Result.OriginalVerdicts = M.Verdicts;
  Result.OriginalEntries = M.FinalEntries;
  auto Start = std::chrono::steady_clock::now();
  // With one replica every schedule is trace order: run it once.
  std::vector<Schedule> Schedules = M.Opt.Schedules;
  if (K == 1)
    Schedules = {Schedule::Lockstep};
  for (Schedule S : Schedules) {
    if (M.Runs++ && !M.clearScrState(Error))
      return false;
    M.CurrentSchedule = scheduleName(S);
    M.Rejected.assign(K, 0);
    Result.Schedules.push_back({M.CurrentSchedule, 0, 0, 0});
    auto SStart = std::chrono::steady_clock::now();
    bool Ok = S == Schedule::Concurrent ? M.runConcurrent(Error)
                                        : M.runSequential(S, Error, Progress);
    if (!Ok)
      return false;
    Result.Schedules.back().Seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - SStart)
            .count();
    if (!pinThisThread(M.Cpu, Error))
      return false;
  }
  Result.Seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - Start)
          .count();
  // Every frame had a replica: the device has exactly K queues.
  const uint32_t Zero = 0;
  if (auto All = M.UnownedMap->lookupAllCpus(keyOf(Zero)))
    for (const auto &Slot : *All) {
      uint64_t V = 0;
      std::memcpy(&V, Slot.data(), std::min(Slot.size(), sizeof V));
      Result.UnownedFrames += V;
    }
  if (Result.UnownedFrames)
    M.diverge(Result.Packets - 1, 0, "frames on no replica's queue", "0",
              std::to_string(Result.UnownedFrames));
  if (M.Opt.FramesOut.empty())
    return true;
  std::vector<Packet> Frames;
  for (uint64_t P = 0; P < M.Frames.size(); ++P)
    Frames.push_back({M.Trace[P].TimestampNs, M.Frames[P].Bytes});
  return writePcap(M.Opt.FramesOut, Frames, Error);
}

void DifferentialReplay::setLoss(const LossOptions &Loss) {
  I->Opt.Loss = Loss;
}

// Loss recovery: every schedule is a loss replay of its own, from the
// state a fresh load has; the concurrent one runs a thread per replica,
// spread over the CPUs this process may use (the original stays on the
// CPU the replay started on).
bool DifferentialReplay::Impl::runWithLoss(ReplayResult &Result,
                                           std::string &Error) {
  std::vector<int> Cpus;
  for (int C = 0; C < CPU_SETSIZE; ++C)
    if (CPU_ISSET(C, &UsableCpus) && C != Cpu)
      Cpus.push_back(C);
  Cpus.insert(Cpus.begin(), Cpu);

  LossReplayEnv Env;
  Env.Layout = &Out.Layout;
  Env.Trace = &Trace;
  Env.OriginalProg = OriginalProg;
  Env.OriginalCpu = Cpu;
  Env.SetClock = [this](uint64_t Ns, std::string &Err) {
    return setClock(Ns, Err);
  };
  Env.ScrProg = ScrProg;
  for (unsigned Rep = 0; Rep < K; ++Rep) {
    Env.Arrivals.push_back(arrival(Rep));
    Env.ReplicaCpus.push_back(Cpus[Rep % Cpus.size()]);
  }
  Env.ReplicaMap = StatsMap;
  Env.ReplicaLayout = &*Stats;
  Env.CoreMap = CoreMap;
  Env.Diverge = [this](uint64_t P, unsigned Rep, std::string What,
                       std::string Expected, std::string Actual) {
    diverge(P, Rep, std::move(What), std::move(Expected), std::move(Actual));
  };
  Env.CompareState = [this](uint64_t P, unsigned Rep, std::string &Err) {
    Snapshot Now;
    return snapshot(Now, Err) && compareState(P, Rep, Now, Err);
  };
  auto Start = std::chrono::steady_clock::now();
  for (Schedule S : Opt.Schedules) {
    // Another run on the same loaded programs (loading them costs far
    // more than a replay) starts from empty state, as a fresh load.
    if (Runs++) {
      if (!clearScrState(Error))
        return false;
      for (const ReplicatedMap &M : State)
        if (!clearMap(*M.Original, Error))
          return false;
      if (OriginalEnv && !clearMap(*OriginalEnv, Error))
        return false;
      if (!writeMapInit(*Original, Out.Layout, InitialEntries, Error))
        return false;
    }
    CurrentSchedule = scheduleName(S);
    Result.Schedules.push_back({CurrentSchedule, 0, 0, 0});
    // The loss summary and replica counts are the last schedule's.
    uint64_t Checkpoints = Result.Checkpoints;
    Result.Loss = LossSummary();
    Result.Checkpoints = 0;
    for (ReplicaSummary &Rep : Result.Replicas)
      Rep.Packets = Rep.Checkpoints = 0;
    auto SStart = std::chrono::steady_clock::now();
    if (!runLossReplay(Env, Opt, S, Result, Error))
      return false;
    Result.Schedules.back().Checkpoints = Result.Checkpoints;
    Result.Checkpoints += Checkpoints;
    Result.Schedules.back().Seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - SStart)
            .count();
  }
  Result.Seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - Start)
          .count();
  return true;
}

std::string replayResultJson(const ReplayResult &R) {
  using json = nlohmann::ordered_json;
  auto DivJson = [](const Divergence &D) {
    return json{{"schedule", D.Schedule}, {"packet", D.Packet},
                {"replica", D.Replica},   {"what", D.What},
                {"expected", D.Expected}, {"actual", D.Actual}};
  };
  json J;
  J["packets"] = R.Packets;
  J["skipped_runts"] = R.SkippedRunts;
  J["divergences"] = R.Divergences;
  J["first_divergence"] =
      R.Listed.empty() ? json(nullptr) : DivJson(R.Listed.front());
  json L = json::array();
  for (const Divergence &D : R.Listed)
    L.push_back(DivJson(D));
  J["listed_divergences"] = L;
  json Ss = json::array();
  for (const ScheduleSummary &S : R.Schedules)
    Ss.push_back({{"schedule", S.Name},
                  {"divergences", S.Divergences},
                  {"checkpoints", S.Checkpoints},
                  {"seconds", S.Seconds}});
  J["schedules"] = Ss;
  json Reps = json::array();
  for (const ReplicaSummary &S : R.Replicas)
    Reps.push_back({{"replica", S.Index},
                    {"packets", S.Packets},
                    {"checkpoints", S.Checkpoints},
                    {"applied", S.Stats.Applied},
                    {"replayed", S.Stats.Replayed},
                    {"gaps", S.Stats.Gaps},
                    {"short_frames", S.Stats.ShortFrames}});
  J["replicas"] = Reps;
  J["unowned_frames"] = R.UnownedFrames;
  J["truncated_frames"] = R.TruncatedFrames;
  J["truncated_to"] = R.TruncatedTo;
  if (!R.Loss.Enabled) {
    json Entries = json::object();
    for (const auto &[Name, N] : R.OriginalEntries)
      Entries[Name] = N;
    J["original"] = {{"verdicts", R.OriginalVerdicts}, {"entries", Entries}};
  }
  J["checkpoints"] = R.Checkpoints;
  J["checkpoint_every"] = R.CheckpointEvery;
  J["cpu"] = R.Cpu;
  J["seconds"] = R.Seconds;
  J["replica_run_ns"] = R.ReplicaRunNs;
  J["replica_run_ns_median"] = R.ReplicaRunNsMedian;
  if (R.Loss.Enabled) {
    const LossSummary &S = R.Loss;
    json Cores = json::array();
    for (size_t I = 0; I < S.Replicas.size(); ++I) {
      const LossCoreStats &C = S.Replicas[I];
      Cores.push_back({{"replica", I},
                       {"cpu", S.ReplicaCpus[I]},
                       {"logged", C.Logged},
                       {"recovered", C.Recovered},
                       {"parked", C.Parked},
                       {"rejected", C.Rejected},
                       {"unrecoverable", C.Unrecoverable}});
    }
    J["loss"] = {{"rate", S.Rate},
                 {"burst", S.Burst},
                 {"seed", S.Seed},
                 {"max_skew", S.MaxSkew},
                 {"drain_frames", S.DrainFrames},
                 {"frames_lost", S.FramesLost},
                 {"relevant_frames_lost", S.RelevantLost},
                 {"entries_lost_everywhere", S.LostEverywhere},
                 {"packets_lost_everywhere", S.LostEverywherePackets},
                 {"verdicts_compared", S.VerdictsCompared},
                 {"parked", S.Parked},
                 {"cores", Cores}};
  }
  return J.dump(2) + "\n";
}

} // namespace scrrt
