//===- Replay.cpp - Differential replay: original vs SCR replicas ---------===//

#include "scrrt/Replay.h"

#include "scrrt/BpfProgram.h"
#include "scrrt/LossReplay.h"
#include "scrrt/Pcap.h"
#include "scrrt/Sequencer.h"

#include <chrono>
#include <cstring>
#include <filesystem>
#include <linux/bpf.h>
#include <nlohmann/json.hpp>
#include <sched.h>

namespace fs = std::filesystem;

namespace scrrt {

namespace {
/// One replicated map: the original's and each replica's copy.
struct ReplicatedMap {
  std::string Name;
  BpfMap *Original = nullptr;
  std::vector<BpfMap *> Replicas;
};

bool endsWith(const std::string &S, const std::string &Suffix) {
  return S.size() >= Suffix.size() &&
         S.compare(S.size() - Suffix.size(), Suffix.size(), Suffix) == 0;
}

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
} // namespace

struct DifferentialReplay::Impl {
  ReplayOptions Opt;
  ScrOutput Out;
  std::vector<Packet> Trace;
  uint64_t Runts = 0;

  std::unique_ptr<BpfObject> Original;
  int OriginalProg = -1;
  BpfMap *OriginalEnv = nullptr; // scr_ref_env, if the program has it
  std::vector<std::unique_ptr<BpfObject>> Replicas;
  std::vector<int> ReplicaProgs;
  std::vector<BpfMap *> StatsMaps; // scr_replica of each replica
  std::vector<BpfMap *> CoreMaps;  // scr_lr_core (loss recovery)
  std::vector<int> ReplicaCpus;    // loss recovery: one CPU per replica
  cpu_set_t UsableCpus;            // before the replay pins its thread
  unsigned LossRuns = 0;           // loss replays run on these programs
  std::vector<ReplicatedMap> State;

  ReplayResult *R = nullptr;
  int Cpu = 0;
  int cpuOf(unsigned Replica) const {
    return ReplicaCpus.empty() ? Cpu : ReplicaCpus[Replica];
  }

  bool loadPrograms(std::string &Error);
  bool bindState(std::string &Error);
  void diverge(uint64_t Packet, unsigned Replica, std::string What,
               std::string Expected, std::string Actual);
  bool compareState(uint64_t Packet, unsigned Replica, std::string &Error);
  std::optional<ReplicaStats> readStats(unsigned Replica) const;
  bool runWithLoss(ReplayResult &Result, std::string &Error);
  bool clearAllState(std::string &Error);
};

DifferentialReplay::DifferentialReplay() : I(std::make_unique<Impl>()) {}
DifferentialReplay::~DifferentialReplay() = default;

// Compiles \p Source once into \p Dir (a .o is used as is) so that K
// replicas do not cost K compilations.
static std::optional<std::string> objectFor(const std::string &Source,
                                            const TempDir &Dir,
                                            const std::string &Name,
                                            std::string &Error) {
  if (!fs::exists(Source)) {
    Error = "cannot open '" + Source + "': no such file";
    return std::nullopt;
  }
  if (!endsWith(Source, ".c"))
    return Source;
  std::string Obj = Dir.path() + "/" + Name + ".o";
  if (!compileBpf(Source, Obj, Error))
    return std::nullopt;
  return Obj;
}

bool DifferentialReplay::Impl::loadPrograms(std::string &Error) {
  TempDir Tmp;
  if (!Tmp.ok()) {
    Error = "cannot create a temporary directory";
    return false;
  }
  const scr::Layout &L = Out.Layout;
  std::string OrigSource = Opt.Original.empty() ? Out.RefProgram : Opt.Original;
  if (Opt.Original.empty() && !fs::exists(OrigSource)) {
    Error = "no --original given and no reference variant '" + OrigSource + "'";
    return false;
  }
  auto OrigObj = objectFor(OrigSource, Tmp, "original", Error);
  if (!OrigObj)
    return false;
  Original =
      BpfObject::load(*OrigObj, Error, OrigSource, {}, Opt.MaxEntries);
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

  auto ScrObj = objectFor(Out.ScrProgram, Tmp, "scr", Error);
  if (!ScrObj)
    return false;
  // With loss recovery all replicas share the log, as the cores of one
  // program do: the first replica's log maps are reused by the others.
  std::map<std::string, int> SharedMaps;
  for (unsigned K = 0; K < Opt.Cores; ++K) {
    auto Obj = BpfObject::load(*ScrObj, Error, Out.ScrProgram, SharedMaps,
                               Opt.MaxEntries);
    if (!Obj)
      return false;
    if (L.LossRecovery) {
      BpfMap *Log = Obj->map(LossLogMapName), *Seen = Obj->map(LossSeenMapName);
      BpfMap *Core = Obj->map(LossCoreMapName);
      if (!Log || !Seen || !Core || !Core->perCpu() ||
          Core->valueSize() < sizeof(LossCoreStats)) {
        Error = Out.ScrProgram +
                ": the layout asks for loss recovery but the program lacks "
                "its maps (scr_lr_log, scr_lr_seen, per-CPU scr_lr_core)";
        return false;
      }
      SharedMaps = {{LossLogMapName, Log->fd()}, {LossSeenMapName, Seen->fd()}};
      CoreMaps.push_back(Core);
    }
    int Prog = Obj->programFd(L.Entry);
    if (Prog < 0) {
      Error = Out.ScrProgram + ": no program '" + L.Entry +
              "' (layout program.entry)";
      return false;
    }
    BpfMap *Stats = Obj->map(ReplicaMapName);
    if (!Stats || !Stats->perCpu() ||
        Stats->valueSize() < sizeof(ReplicaStats)) {
      Error =
          Out.ScrProgram +
          ": no per-CPU map `scr_replica` of at least 40-byte values; is it an "
          "SCR program?";
      return false;
    }
    ReplicaProgs.push_back(Prog);
    StatsMaps.push_back(Stats);
    Replicas.push_back(std::move(Obj));
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
    for (auto &Obj : Replicas) {
      BpfMap *RM = Obj->map(S.Name);
      if (!RM) {
        Error = Out.ScrProgram + ": no map `" + S.Name + "` (layout state)";
        return false;
      }
      if (!RM->perCpu()) {
        Error = Out.ScrProgram + ": map `" + S.Name +
                "` is written but not per-CPU (layout scr_type " +
                S.Replicated + ")";
        return false;
      }
      if (RM->keySize() != M.Original->keySize() ||
          RM->valueSize() != M.Original->valueSize()) {
        Error = "map `" + S.Name +
                "`: key/value sizes differ between the "
                "original and the SCR program";
        return false;
      }
      M.Replicas.push_back(RM);
    }
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
  auto Out = ScrOutput::open(Options.ScrDir, Error);
  if (!Out)
    return false;
  I->Out = std::move(*Out);
  auto Trace = readPcap(Options.Trace, Error);
  if (!Trace)
    return false;
  I->Trace = std::move(*Trace);
  I->Runts = dropRuntFrames(I->Trace);
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
  return I->loadPrograms(Error) && I->bindState(Error);
}

void DifferentialReplay::Impl::diverge(uint64_t Packet, unsigned Replica,
                                       std::string What, std::string Expected,
                                       std::string Actual) {
  ++R->Divergences;
  if (R->Listed.size() < Opt.MaxListed)
    R->Listed.push_back({Packet, Replica, std::move(What), std::move(Expected),
                         std::move(Actual)});
}

std::optional<ReplicaStats>
DifferentialReplay::Impl::readStats(unsigned Replica) const {
  uint32_t Zero = 0;
  auto V = StatsMaps[Replica]->lookup(
      {reinterpret_cast<const uint8_t *>(&Zero), sizeof Zero}, cpuOf(Replica));
  if (!V)
    return std::nullopt;
  ReplicaStats S;
  std::memcpy(&S, V->data(), sizeof S);
  return S;
}

bool DifferentialReplay::Impl::compareState(uint64_t Packet, unsigned Replica,
                                            std::string &Error) {
  MapContents Want, Got;
  for (const ReplicatedMap &M : State) {
    if (!M.Original->dump(Want, Error, Cpu) ||
        !M.Replicas[Replica]->dump(Got, Error, cpuOf(Replica)))
      return false;
    if (Want == Got)
      continue;
    // Report the first key (in key order) where they differ.
    auto W = Want.begin(), G = Got.begin();
    while (W != Want.end() && G != Got.end() && *W == *G)
      ++W, ++G;
    std::string What = "map " + M.Name + " key ", Expected, Actual;
    if (G == Got.end() || (W != Want.end() && W->first < G->first)) {
      What += hexBytes(W->first);
      Expected = hexBytes(W->second);
      Actual = "absent";
    } else if (W == Want.end() || G->first < W->first) {
      What += hexBytes(G->first);
      Expected = "absent";
      Actual = hexBytes(G->second);
    } else {
      What += hexBytes(W->first);
      Expected = hexBytes(W->second);
      Actual = hexBytes(G->second);
    }
    diverge(Packet, Replica, What, Expected, Actual);
  }
  if (Out.Layout.UsesPrng) {
    uint32_t Zero = 0;
    auto Env = OriginalEnv->lookup(
        {reinterpret_cast<const uint8_t *>(&Zero), sizeof Zero});
    auto S = readStats(Replica);
    if (!Env || !S) {
      Error = "cannot read the PRNG state";
      return false;
    }
    RefEnv E;
    std::memcpy(&E, Env->data(), sizeof E);
    if (E.Prng != S->Prng)
      diverge(Packet, Replica, "prng", hex64(E.Prng), hex64(S->Prng));
  }
  return true;
}

bool DifferentialReplay::run(
    ReplayResult &Result, std::string &Error,
    const std::function<void(uint64_t, uint64_t)> &Progress) {
  Impl &M = *I;
  M.R = &Result;
  Result = ReplayResult();
  const unsigned K = M.Opt.Cores;
  const uint64_t N = M.Trace.size();
  Result.Packets = N;
  Result.SkippedRunts = M.Runts;

  M.Cpu = M.Opt.Cpu >= 0 ? M.Opt.Cpu : sched_getcpu();
  if (M.Cpu < 0)
    M.Cpu = 0;
  if (!pinThisThread(M.Cpu, Error))
    return false;
  Result.Cpu = M.Cpu;
  Result.CappedMaps = M.Original->cappedMaps();
  Result.MaxEntries = M.Opt.MaxEntries;
  if (M.Out.Layout.LossRecovery)
    return M.runWithLoss(Result, Error);

  uint64_t PerReplica = (N + K - 1) / K;
  uint64_t Every = M.Opt.CheckpointEvery
                       ? M.Opt.CheckpointEvery
                       : std::max<uint64_t>(1, (PerReplica + 255) / 256);
  Result.CheckpointEvery = Every;
  Result.Replicas.resize(K);
  for (unsigned R = 0; R < K; ++R)
    Result.Replicas[R].Index = R;

  Sequencer Seq(M.Out.Layout);
  const uint32_t Zero = 0;
  const std::span<const uint8_t> ZeroKey(
      reinterpret_cast<const uint8_t *>(&Zero), sizeof Zero);
  XdpResult Want, Got;
  std::vector<uint64_t> ReportedGaps(K, 0);
  std::vector<Packet> Frames;
  std::vector<uint32_t> RunNs;
  auto Start = std::chrono::steady_clock::now();

  for (uint64_t P = 0; P < N; ++P) {
    const unsigned R = P % K;
    Sequencer::Frame F = Seq.next(M.Trace[P]);
    if (!M.Opt.FramesOut.empty())
      Frames.push_back({M.Trace[P].TimestampNs, F.Bytes});

    if (M.OriginalEnv) {
      // now_ns is the sequencer's stamp; prng stays as the program left it.
      auto Raw = M.OriginalEnv->lookup(ZeroKey);
      RefEnv Env;
      if (Raw)
        std::memcpy(&Env, Raw->data(), sizeof Env);
      Env.NowNs = F.TimestampNs;
      if (!M.OriginalEnv->update(
              ZeroKey, {reinterpret_cast<const uint8_t *>(&Env), sizeof Env},
              Error))
        return false;
    }
    std::string RunError;
    if (!BpfObject::runXdp(M.OriginalProg, M.Trace[P].Data, Want, RunError)) {
      Error = "packet " + std::to_string(P) + ", original: " + RunError;
      return false;
    }
    if (!BpfObject::runXdp(M.ReplicaProgs[R], F.Bytes, Got, RunError)) {
      Error = "packet " + std::to_string(P) + ", replica " + std::to_string(R) +
              ": " + RunError;
      return false;
    }

    Result.ReplicaRunNs += Got.DurationNs;
    RunNs.push_back(Got.DurationNs);
    if (Want.Verdict != Got.Verdict)
      M.diverge(P, R, "verdict", xdpVerdictName(Want.Verdict),
                xdpVerdictName(Got.Verdict));
    else if (Want.Verdict != XDP_DROP && Want.Verdict != XDP_ABORTED &&
             Want.Output != Got.Output)
      M.diverge(P, R, "output byte " + firstDifference(Want.Output, Got.Output),
                hexBytes(Want.Output), hexBytes(Got.Output));

    auto Stats = M.readStats(R);
    if (!Stats) {
      Error = "cannot read scr_replica of replica " + std::to_string(R);
      return false;
    }
    // docs/packet-format.md: after its frame a replica has applied every
    // relevant packet before it, and this one if it is relevant.
    uint32_t Applied = F.HistSeq + (F.Relevant ? 1 : 0);
    if (Stats->Applied != Applied)
      M.diverge(P, R, "scr_replica.applied", std::to_string(Applied),
                std::to_string(Stats->Applied));
    // Nothing is lost in a replay: any gap is a bug.
    if (Stats->Gaps != ReportedGaps[R]) {
      M.diverge(P, R, "scr_replica.gaps", std::to_string(ReportedGaps[R]),
                std::to_string(Stats->Gaps));
      ReportedGaps[R] = Stats->Gaps;
    }

    ReplicaSummary &S = Result.Replicas[R];
    S.Stats = *Stats;
    ++S.Packets;
    bool Last = P + K >= N;
    if (S.Packets % Every == 0 || Last) {
      if (!M.compareState(P, R, Error))
        return false;
      ++S.Checkpoints;
      ++Result.Checkpoints;
    }
    if (Progress && (P % 4096 == 0 || P + 1 == N))
      Progress(P + 1, N);
  }
  Result.Seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - Start)
          .count();
  Result.ReplicaRunNsMedian = medianOf(RunNs);
  return M.Opt.FramesOut.empty() || writePcap(M.Opt.FramesOut, Frames, Error);
}

// Another loss replay on the same loaded programs (loading them, with
// their preallocated maps, costs far more than a replay) starts from
// empty state, as a fresh load would.
bool DifferentialReplay::Impl::clearAllState(std::string &Error) {
  std::vector<const BpfMap *> Maps = {Replicas[0]->map(LossLogMapName),
                                      Replicas[0]->map(LossSeenMapName)};
  if (OriginalEnv)
    Maps.push_back(OriginalEnv);
  for (const ReplicatedMap &M : State) {
    Maps.push_back(M.Original);
    Maps.insert(Maps.end(), M.Replicas.begin(), M.Replicas.end());
  }
  Maps.insert(Maps.end(), StatsMaps.begin(), StatsMaps.end());
  Maps.insert(Maps.end(), CoreMaps.begin(), CoreMaps.end());
  for (const BpfMap *M : Maps)
    if (!clearMap(*M, Error))
      return false;
  return true;
}

void DifferentialReplay::setLoss(const LossOptions &Loss) {
  I->Opt.Loss = Loss;
}

// The replicas run concurrently, one thread each, spread over the CPUs this
// process may use (the original stays on the CPU the replay started on).
bool DifferentialReplay::Impl::runWithLoss(ReplayResult &Result,
                                           std::string &Error) {
  if (LossRuns++ && !clearAllState(Error))
    return false;
  ReplicaCpus.clear();
  std::vector<int> Cpus;
  for (int C = 0; C < CPU_SETSIZE; ++C)
    if (CPU_ISSET(C, &UsableCpus) && C != Cpu)
      Cpus.push_back(C);
  Cpus.insert(Cpus.begin(), Cpu);
  for (unsigned K = 0; K < Opt.Cores; ++K)
    ReplicaCpus.push_back(Cpus[K % Cpus.size()]);

  const unsigned K = Opt.Cores;
  Result.Packets = Trace.size();
  Result.SkippedRunts = Runts;
  Result.Replicas.resize(K);
  for (unsigned R = 0; R < K; ++R)
    Result.Replicas[R].Index = R;

  LossReplayEnv Env;
  Env.Layout = &Out.Layout;
  Env.Trace = &Trace;
  Env.OriginalProg = OriginalProg;
  Env.OriginalCpu = Cpu;
  Env.SetClock = [this](uint64_t Ns, std::string &Err) {
    if (!OriginalEnv)
      return true;
    const uint32_t Zero = 0;
    const std::span<const uint8_t> ZeroKey(
        reinterpret_cast<const uint8_t *>(&Zero), sizeof Zero);
    auto Raw = OriginalEnv->lookup(ZeroKey);
    RefEnv E;
    if (Raw)
      std::memcpy(&E, Raw->data(), sizeof E);
    E.NowNs = Ns;
    return OriginalEnv->update(
        ZeroKey, {reinterpret_cast<const uint8_t *>(&E), sizeof E}, Err);
  };
  Env.ReplicaProgs = ReplicaProgs;
  Env.ReplicaCpus = ReplicaCpus;
  Env.ReplicaMaps = StatsMaps;
  Env.CoreMaps = CoreMaps;
  Env.Diverge = [this](uint64_t P, unsigned Rep, std::string What,
                       std::string Expected, std::string Actual) {
    diverge(P, Rep, std::move(What), std::move(Expected), std::move(Actual));
  };
  Env.CompareState = [this](uint64_t P, unsigned Rep, std::string &Err) {
    return compareState(P, Rep, Err);
  };
  return runLossReplay(Env, Opt, Result, Error);
}

std::string replayResultJson(const ReplayResult &R) {
  using json = nlohmann::ordered_json;
  auto DivJson = [](const Divergence &D) {
    return json{{"packet", D.Packet},
                {"replica", D.Replica},
                {"what", D.What},
                {"expected", D.Expected},
                {"actual", D.Actual}};
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
  json Reps = json::array();
  for (const ReplicaSummary &S : R.Replicas)
    Reps.push_back({{"replica", S.Index},
                    {"cpu", R.Cpu},
                    {"packets", S.Packets},
                    {"checkpoints", S.Checkpoints},
                    {"applied", S.Stats.Applied},
                    {"replayed", S.Stats.Replayed},
                    {"gaps", S.Stats.Gaps},
                    {"short_frames", S.Stats.ShortFrames}});
  J["replicas"] = Reps;
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
                       {"stale", C.Stale},
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
