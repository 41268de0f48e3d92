//===- LossReplay.cpp - Differential replay with loss and concurrency -----===//

#include "scrrt/LossReplay.h"

#include "scrrt/BpfProgram.h"
#include "scrrt/LossModel.h"
#include "scrrt/Random.h"
#include "scrrt/ReplicaRecord.h"
#include "scrrt/Sequencer.h"

#include <algorithm>
#include <atomic>
#include <bpf/bpf.h>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <linux/bpf.h>
#include <mutex>
#include <optional>
#include <sched.h>
#include <thread>

namespace scrrt {

namespace {

constexpr uint32_t ParkedVerdict = XDP_DROP; // scr_lr_parked_verdict default
constexpr size_t ListedLostPackets = 20;

std::string firstDifference(const std::vector<uint8_t> &A,
                            const std::vector<uint8_t> &B) {
  size_t I = 0;
  while (I < A.size() && I < B.size() && A[I] == B[I])
    ++I;
  return std::to_string(I);
}

/// The state of the whole run that the replica threads share.
class LossRun {
public:
  LossRun(const LossReplayEnv &Env, const ReplayOptions &Opt, Schedule S,
          ReplayResult &Result)
      : Env(Env), Opt(Opt), S(S), R(Result), K(unsigned(Env.Arrivals.size())) {}

  bool run(std::string &Error);

private:
  const LossReplayEnv &Env;
  const ReplayOptions &Opt;
  const Schedule S;
  ReplayResult &R;
  const unsigned K;

  std::vector<Sequencer::Frame> Frames;
  std::vector<bool> Lost;
  std::vector<bool> Applied; // the original runs it: its state counts
  uint64_t DrainFrom = 0;
  /// The original's verdict and output for each delivered frame before the
  /// drain (computed first, single-threaded).
  std::vector<std::optional<XdpResult>> Want;

  std::mutex Lock; // divergences and the error
  std::string FirstError;
  std::atomic<bool> Abort{false};
  std::vector<std::atomic<uint64_t>> Next; // next frame each replica runs
  std::vector<uint64_t> Parked;            // frames each replica parked
  std::atomic<uint64_t> Compared{0};
  std::atomic<uint64_t> RunNs{0};
  std::vector<std::vector<uint32_t>> RunTimes; // per replica, per frame

  void diverge(uint64_t P, unsigned Rep, std::string What, std::string Exp,
               std::string Act) {
    std::lock_guard<std::mutex> G(Lock);
    Env.Diverge(P, Rep, std::move(What), std::move(Exp), std::move(Act));
  }
  void fail(std::string E) {
    std::lock_guard<std::mutex> G(Lock);
    if (FirstError.empty())
      FirstError = std::move(E);
    Abort = true;
  }

  void sequenceAndDrop();
  bool runOriginal(uint64_t P, XdpResult &Out, std::string &Error);
  bool precomputeOriginal(std::string &Error);
  std::optional<ReplicaStats>
  replicaStats(unsigned Rep, std::optional<FrameRejects> *Rejects) const;
  std::optional<LossCoreStats> coreStats(unsigned Rep) const;
  /// Runs frame P on its replica (on the calling thread) and checks what
  /// it returned against \p Expected. Sets \p WasParked.
  bool runReplica(uint64_t P, const XdpResult &Expected, bool &WasParked,
                  std::string &Error);
  void replicaThread(unsigned Rep);
  bool drain(std::string &Error);
  bool finalChecks(std::string &Error);
};

void LossRun::sequenceAndDrop() {
  const scr::Layout &L = *Env.Layout;
  const auto &Trace = *Env.Trace;
  const uint64_t N = Trace.size();
  const uint32_t Start = Opt.StartSeq;
  Sequencer Seq(L, Start, Start);
  Frames.reserve(N);
  for (const Packet &P : Trace)
    Frames.push_back(Seq.next(P));
  // The drain: three rounds of frames, so that after the first every core
  // has published past every loss and the second finds everything decided.
  DrainFrom = N > 3 * uint64_t(K) ? N - 3 * uint64_t(K) : 0;
  Lost = drawLosses(Opt.Loss, N, DrainFrom);

  // Entry m reaches a core iff a delivered frame carries it: its own frame
  // (if relevant) or one whose history holds it (hist_seq in m+1 .. m+N).
  // Entries are indexed from the start (hist_seq wraps at 2^32).
  auto Index = [Start](uint32_t HistSeq) { return uint32_t(HistSeq - Start); };
  const uint64_t Entries = Index(Seq.histSeq());
  std::vector<bool> Received(Entries, false);
  for (uint64_t P = 0; P < N; ++P) {
    if (Lost[P])
      continue;
    uint64_t H = Index(Frames[P].HistSeq);
    for (uint64_t D = 1; D <= L.HistoryLength && D <= H; ++D)
      Received[H - D] = true;
    if (Frames[P].Relevant)
      Received[H] = true;
  }
  LossSummary &S = R.Loss;
  Applied.assign(N, false);
  for (uint64_t P = 0; P < N; ++P) {
    const Sequencer::Frame &F = Frames[P];
    Applied[P] = F.Relevant ? bool(Received[Index(F.HistSeq)]) : !Lost[P];
    if (Lost[P]) {
      ++S.FramesLost;
      S.RelevantLost += F.Relevant;
    }
    if (F.Relevant && !Received[Index(F.HistSeq)]) {
      ++S.LostEverywhere;
      if (S.LostEverywherePackets.size() < ListedLostPackets)
        S.LostEverywherePackets.push_back(P);
    }
  }
  S.DrainFrames = N - DrainFrom;
}

bool LossRun::runOriginal(uint64_t P, XdpResult &Out, std::string &Error) {
  std::string RunError;
  if (!Env.SetClock(Frames[P].TimestampNs, Error))
    return false;
  if (!BpfObject::runXdp(Env.OriginalProg, (*Env.Trace)[P].Data, Out,
                         RunError)) {
    Error = "packet " + std::to_string(P) + ", original: " + RunError;
    return false;
  }
  return true;
}

bool LossRun::precomputeOriginal(std::string &Error) {
  Want.resize(DrainFrom);
  XdpResult Out;
  for (uint64_t P = 0; P < DrainFrom; ++P) {
    if (!Applied[P])
      continue;
    if (!runOriginal(P, Out, Error))
      return false;
    if (!Lost[P])
      Want[P] = Out;
  }
  return true;
}

std::optional<ReplicaStats>
LossRun::replicaStats(unsigned Rep,
                      std::optional<FrameRejects> *Rejects) const {
  auto V = Env.ReplicaMap->lookup(
      {reinterpret_cast<const uint8_t *>(&Rep), sizeof Rep});
  if (!V)
    return std::nullopt;
  if (Rejects)
    *Rejects = Env.ReplicaLayout->rejects(*V);
  return Env.ReplicaLayout->stats(*V);
}

std::optional<LossCoreStats> LossRun::coreStats(unsigned Rep) const {
  auto V = Env.CoreMap->lookup(
      {reinterpret_cast<const uint8_t *>(&Rep), sizeof Rep});
  if (!V)
    return std::nullopt;
  LossCoreStats S;
  std::memcpy(&S, V->data(), sizeof S);
  return S;
}

bool LossRun::runReplica(uint64_t P, const XdpResult &Expected, bool &WasParked,
                         std::string &Error) {
  const unsigned Rep = unsigned(P % K);
  const Sequencer::Frame &F = Frames[P];
  XdpResult Got;
  std::string RunError;
  if (!BpfObject::runXdp(Env.ScrProg, F.Bytes, Got, RunError,
                         Env.Arrivals[Rep])) {
    Error = "packet " + std::to_string(P) + ", replica " + std::to_string(Rep) +
            ": " + RunError;
    return false;
  }
  RunNs += Got.DurationNs;
  RunTimes[Rep].push_back(Got.DurationNs);
  auto Core = coreStats(Rep);
  auto Stats = replicaStats(Rep, nullptr);
  if (!Core || !Stats) {
    Error = "cannot read scr_replica / scr_lr_core of replica " +
            std::to_string(Rep);
    return false;
  }
  WasParked = Core->LastParked;
  if (WasParked) {
    // Not run: the verdict is the policy's, the state update comes later.
    ++Parked[Rep];
    if (Got.Verdict != ParkedVerdict)
      diverge(P, Rep, "verdict of a parked frame",
              xdpVerdictName(ParkedVerdict), xdpVerdictName(Got.Verdict));
    return true;
  }
  ++Compared;
  if (Expected.Verdict != Got.Verdict)
    diverge(P, Rep, "verdict", xdpVerdictName(Expected.Verdict),
            xdpVerdictName(Got.Verdict));
  else if (Expected.Verdict != XDP_DROP && Expected.Verdict != XDP_ABORTED &&
           Expected.Output != Got.Output)
    diverge(P, Rep,
            "output byte " + firstDifference(Expected.Output, Got.Output),
            hexBytes(Expected.Output), hexBytes(Got.Output));
  // A frame that ran had every entry before it applied (or skipped as lost
  // everywhere), and its own if relevant.
  uint32_t Applied = F.HistSeq + (F.Relevant ? 1 : 0);
  if (Stats->Applied != Applied)
    diverge(P, Rep, "scr_replica.applied", std::to_string(Applied),
            std::to_string(Stats->Applied));
  return true;
}

void LossRun::replicaThread(unsigned Rep) {
  std::string Error;
  if (!pinThisThread(Env.ReplicaCpus[Rep], Error))
    return fail(Error);
  // Occasional yields shuffle which replica is ahead.
  Random Jitter(Opt.Loss.Seed * 1000003 + Rep);
  const uint64_t Window = R.Loss.MaxSkew;
  for (uint64_t P = Rep; P < DrainFrom && !Abort; P += K) {
    if (Lost[P])
      continue;
    Next[Rep] = P;
    // Stay within the window of the slowest replica: a real core cannot be
    // further ahead than its receive ring lets it.
    for (;;) {
      uint64_t Slowest = UINT64_MAX;
      for (unsigned Q = 0; Q < K; ++Q)
        Slowest = std::min<uint64_t>(Slowest, Next[Q]);
      if (P < Slowest + Window || Abort)
        break;
      std::this_thread::yield();
    }
    if (Jitter.chance(1.0 / 16))
      std::this_thread::yield();
    bool WasParked = false;
    if (!runReplica(P, *Want[P], WasParked, Error))
      return fail(Error);
  }
  Next[Rep] = UINT64_MAX;
}

bool LossRun::drain(std::string &Error) {
  const uint64_t N = Frames.size();
  std::vector<uint64_t> LastFrame(K, UINT64_MAX);
  for (uint64_t P = DrainFrom; P < N; ++P)
    LastFrame[P % K] = P;
  for (uint64_t P = DrainFrom; P < N; ++P) {
    const unsigned Rep = unsigned(P % K);
    XdpResult Expected;
    if (!runOriginal(P, Expected, Error))
      return false;
    if (!pinThisThread(Env.ReplicaCpus[Rep], Error))
      return false;
    bool WasParked = false;
    bool Ok = runReplica(P, Expected, WasParked, Error);
    if (!pinThisThread(Env.OriginalCpu, Error) || !Ok)
      return false;
    if (WasParked) {
      if (P == LastFrame[Rep])
        diverge(P, Rep, "replica still behind at its last frame", "caught up",
                "parked");
      continue;
    }
    if (!Env.CompareState(P, Rep, Error))
      return false;
    ++R.Checkpoints;
    ++R.Replicas[Rep].Checkpoints;
  }
  return true;
}

bool LossRun::finalChecks(std::string &Error) {
  LossSummary &S = R.Loss;
  for (unsigned Rep = 0; Rep < K; ++Rep) {
    auto Core = coreStats(Rep);
    std::optional<FrameRejects> Rejects;
    auto Stats = replicaStats(Rep, &Rejects);
    if (!Core || !Stats) {
      Error = "cannot read scr_replica / scr_lr_core of replica " +
              std::to_string(Rep);
      return false;
    }
    R.Replicas[Rep].Stats = *Stats;
    S.Replicas.push_back(*Core);
    S.Parked += Core->Parked;
    const uint64_t Last = Frames.size() - 1;
    // Every replica skipped exactly the entries no core received.
    if (Stats->Gaps != S.LostEverywhere)
      diverge(Last, Rep, "entries skipped as lost everywhere (gaps)",
              std::to_string(S.LostEverywhere), std::to_string(Stats->Gaps));
    if (Core->Parked != Parked[Rep])
      diverge(Last, Rep, "scr_lr_core.parked", std::to_string(Parked[Rep]),
              std::to_string(Core->Parked));
    for (auto [What, V] :
         {std::pair{"scr_lr_core.unrecoverable", Core->Unrecoverable},
          {"scr_lr_core.rejected", Core->Rejected}})
      if (V)
        diverge(Last, Rep, What, "0", std::to_string(V));
    // A loss is not a fault: the sequencer's frames are never rejected.
    if (Rejects && (Rejects->dropped() || Rejects->Resyncs))
      diverge(Last, Rep, "scr_replica frames rejected", "none",
              Rejects->describe());
  }
  S.VerdictsCompared = Compared;
  R.ReplicaRunNs = RunNs;
  std::vector<uint32_t> All;
  for (const auto &V : RunTimes)
    All.insert(All.end(), V.begin(), V.end());
  R.ReplicaRunNsMedian = medianOf(All);
  return true;
}

bool LossRun::run(std::string &Error) {
  R.Loss.Enabled = true;
  R.Loss.Rate = Opt.Loss.Rate;
  R.Loss.Burst = Opt.Loss.Burst;
  R.Loss.Seed = Opt.Loss.Seed;
  // By default a replica may be four rounds of frames ahead of the slowest
  // one, and never more than a quarter of the log (docs/loss-recovery.md:
  // the log must cover the cores' spread).
  R.Loss.MaxSkew =
      Opt.MaxSkew
          ? Opt.MaxSkew
          : std::clamp<uint64_t>(4 * uint64_t(K), 1,
                                 std::max(1u, Env.Layout->LogEntries / 4));
  R.Loss.ReplicaCpus = Env.ReplicaCpus;
  sequenceAndDrop();
  for (uint64_t P = 0; P < Frames.size(); ++P)
    if (!Lost[P])
      ++R.Replicas[P % K].Packets;

  // Each replica starts where the sequencer starts.
  for (unsigned Rep = 0; Rep < K; ++Rep) {
    LossCoreStats Init;
    std::vector<uint8_t> Replica = Env.ReplicaLayout->fresh(Opt.StartSeq);
    std::span<const uint8_t> Key(reinterpret_cast<const uint8_t *>(&Rep),
                                 sizeof Rep);
    if (!Env.CoreMap->update(
            Key, {reinterpret_cast<const uint8_t *>(&Init), sizeof Init},
            Error) ||
        !Env.ReplicaMap->update(Key, Replica, Error))
      return false;
  }
  auto Start = std::chrono::steady_clock::now();
  if (!precomputeOriginal(Error))
    return false;

  Next = std::vector<std::atomic<uint64_t>>(K);
  for (unsigned Rep = 0; Rep < K; ++Rep)
    Next[Rep] = Rep;
  Parked.assign(K, 0);
  RunTimes.assign(K, {});
  if (S == Schedule::Concurrent) {
    std::vector<std::thread> Threads;
    for (unsigned Rep = 0; Rep < K; ++Rep)
      Threads.emplace_back([this, Rep] { replicaThread(Rep); });
    for (std::thread &T : Threads)
      T.join();
    if (Abort) {
      Error = FirstError;
      return false;
    }
  } else {
    // One thread, the replicas interleaved as the schedule says.
    for (uint64_t P : scheduleOrder(S, DrainFrom, K, Opt.Skew, Opt.ScheduleSeed,
                                    R.Loss.MaxSkew)) {
      bool WasParked = false;
      if (!Lost[P] && !runReplica(P, *Want[P], WasParked, Error))
        return false;
    }
  }
  if (!drain(Error) || !finalChecks(Error))
    return false;
  R.Seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - Start)
          .count();
  return true;
}

} // namespace

uint64_t medianOf(std::vector<uint32_t> &V) {
  if (V.empty())
    return 0;
  std::nth_element(V.begin(), V.begin() + V.size() / 2, V.end());
  return V[V.size() / 2];
}

bool clearMap(const BpfMap &M, std::string &Error) {
  std::vector<uint8_t> Key(M.keySize()), Next(M.keySize());
  if (M.isArray() && M.keySize() != sizeof(uint32_t)) {
    Error = "cannot clear map " + M.name() + ": unexpected array key size";
    return false;
  }
  if (M.isArray()) {
    std::vector<uint8_t> Zero(M.valueSize(), 0);
    for (uint32_t I = 0; I < M.maxEntries(); ++I) {
      std::memcpy(Key.data(), &I, sizeof I);
      if (!M.update(Key, Zero, Error))
        return false;
    }
    return true;
  }
  // Collect the keys first: deleting while iterating can restart the walk.
  std::vector<std::vector<uint8_t>> Keys;
  const void *Prev = nullptr;
  while (bpf_map_get_next_key(M.fd(), Prev, Next.data()) == 0) {
    Keys.push_back(Next);
    Prev = Keys.back().data();
  }
  for (const auto &K : Keys)
    if (bpf_map_delete_elem(M.fd(), K.data()) != 0 && errno != ENOENT) {
      Error = "cannot clear map " + M.name() + ": " + std::strerror(errno);
      return false;
    }
  return true;
}

bool runLossReplay(const LossReplayEnv &Env, const ReplayOptions &Options,
                   Schedule S, ReplayResult &Result, std::string &Error) {
  LossRun Run(Env, Options, S, Result);
  return Run.run(Error);
}

} // namespace scrrt
