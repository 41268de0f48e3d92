//===- scr-replay.cpp - Differential replay of an SCR program -------------===//
//
// scr-replay --original PROG --scr OUTDIR --trace TRACE.pcap --cores K
//            [--schedule NAME]... [--skew W] [--schedule-seed S]
//            [--config MAP:KEY=VALUE]... [--map-init FILE.json]...
//            [--json] [--checkpoint-every P] [--cpu C] [--quiet]
//            [--frames OUT.pcap]
//            [--loss RATE[/LEN]]... [--burst LEN] [--seed S] [--max-skew W]
//            [--start-seq X] [-- CLANG-FLAGS...]
//
// Exit status: 0 no divergence, 1 divergence, 2 usage or input error.
//
//===----------------------------------------------------------------------===//

#include "scrrt/BpfProgram.h"
#include "scrrt/Replay.h"
#include "scrrt/ReplicaLoader.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unistd.h>
#include <vector>

using namespace scrrt;

static void usage() {
  std::fprintf(
      stderr,
      "usage: scr-replay --scr OUTDIR --trace TRACE.pcap --cores K\n"
      "                  [--original PROG.bpf.c|PROG.o] [--json]\n"
      "                  [--checkpoint-every P] [--cpu C] [--quiet]\n"
      "                  [--frames OUT.pcap]\n"
      "                  [--loss RATE[/LEN]]... [--burst LEN] [--seed S]\n"
      "                  [--max-skew W] [--start-seq X] [--max-entries N]\n"
      "                  [--schedule NAME]... [--skew W] "
      "[--schedule-seed S]\n"
      "                  [--config MAP:KEYHEX=VALUEHEX]... "
      "[--map-init FILE.json]...\n"
      "                  [-- CLANG-FLAGS...]\n"
      "Runs the original program single-threaded, and the SCR program loaded\n"
      "once as deployed: frame i goes to replica i mod K, arriving on RX\n"
      "queue i mod K of a K-queue veth in a private network namespace.\n"
      "Compares verdicts, output packets and every replica's state with the\n"
      "original at the same point, under each schedule in turn: lockstep,\n"
      "ahead / behind (each replica in turn W of its frames, default 3,\n"
      "early or late), random (seed S) and concurrent (a thread per CPU);\n"
      "default: all. PROG defaults to OUTDIR/<stem>.ref.bpf.c. --frames\n"
      "writes the SCR frames. --config MAP:KEY=VALUE (hex, repeatable)\n"
      "fills a map of both programs (every replica's copy of a map the\n"
      "program writes) before the replay;\n"
      "--map-init FILE.json fills them from a file (map -> [{key, value}],\n"
      "hex, integers, IPv4 addresses or BTF-typed objects).\n"
      "Programs are compiled with OUTDIR/compile_flags.txt (what scrcc was\n"
      "given after --) and then the flags after --.\n"
      "Exit: 0 equal, 1 divergence, 2 error.\n"
      "A program compiled with --loss-recovery runs its replicas concurrently\n"
      "(one thread each, at most W frames ahead of the slowest; default 4 K,\n"
      "at most a quarter of the log) sharing the log; --loss drops RATE\n"
      "of the frames (\"1%%\" or \"0.01\") in bursts of LEN (default --burst,\n"
      "else 1) between sequencer and cores, seeded by S (default 1). Each\n"
      "--loss is one replay on the same loaded programs (state cleared in\n"
      "between); with several, --json prints an array. --start-seq X starts\n"
      "the sequencer's counters at X (e.g. 4294966296 to cross 2^32).\n"
      "--max-entries N caps max_entries of every hash map of both programs\n"
      "(large preallocated maps dominate load time; same cap on both "
      "sides).\n");
}

static bool parseUnsigned(const char *S, uint64_t &V) {
  char *End = nullptr;
  errno = 0;
  unsigned long long X = std::strtoull(S, &End, 10);
  if (errno || !End || *End || !*S || *S == '-')
    return false;
  V = X;
  return true;
}

static void printHuman(const ReplayResult &R, bool Quiet) {
  std::printf("replayed %llu packets on %zu replicas of one loaded program, "
              "%llu runt frames skipped, %llu checkpoints (every %llu "
              "packets of a replica)\n",
              (unsigned long long)R.Packets, R.Replicas.size(),
              (unsigned long long)R.SkippedRunts,
              (unsigned long long)R.Checkpoints,
              (unsigned long long)R.CheckpointEvery);
  if (R.TruncatedFrames)
    std::printf("%llu frames cut to %llu bytes: with the SCR prefix they are "
                "longer than the %zu bytes BPF_PROG_TEST_RUN gives an XDP "
                "program (both sides ran the cut frames)\n",
                (unsigned long long)R.TruncatedFrames,
                (unsigned long long)R.TruncatedTo, xdpTestRunMaxFrame());
  if (!R.OriginalVerdicts.empty()) {
    std::printf("original:");
    for (const auto &[Verdict, N] : R.OriginalVerdicts)
      std::printf(" %s %llu", Verdict.c_str(), (unsigned long long)N);
    for (const auto &[Map, N] : R.OriginalEntries)
      std::printf(", %s %llu entries", Map.c_str(), (unsigned long long)N);
    std::printf("\n");
  }
  for (const ScheduleSummary &S : R.Schedules)
    std::printf("  schedule %-10s %llu divergences, %llu checkpoints\n",
                S.Name.c_str(), (unsigned long long)S.Divergences,
                (unsigned long long)S.Checkpoints);
  if (!R.CappedMaps.empty()) {
    std::printf("hash maps capped at %llu entries (--max-entries):",
                (unsigned long long)R.MaxEntries);
    for (size_t I = 0; I < R.CappedMaps.size(); ++I)
      std::printf("%s %s (declared %u)", I ? "," : "",
                  R.CappedMaps[I].first.c_str(), R.CappedMaps[I].second);
    std::printf("\n");
  }
  if (!Quiet)
    for (const ReplicaSummary &S : R.Replicas)
      std::printf("  replica %u: %llu packets, applied %u, replayed %llu, "
                  "gaps %llu, short frames %llu\n",
                  S.Index, (unsigned long long)S.Packets, S.Stats.Applied,
                  (unsigned long long)S.Stats.Replayed,
                  (unsigned long long)S.Stats.Gaps,
                  (unsigned long long)S.Stats.ShortFrames);
  if (R.Loss.Enabled) {
    const LossSummary &S = R.Loss;
    std::printf("loss %.4g%% in bursts of %llu (seed %llu): %llu frames lost "
                "(%llu with a history entry), %llu entries lost on every "
                "core",
                S.Rate * 100, (unsigned long long)S.Burst,
                (unsigned long long)S.Seed, (unsigned long long)S.FramesLost,
                (unsigned long long)S.RelevantLost,
                (unsigned long long)S.LostEverywhere);
    for (size_t I = 0; I < S.LostEverywherePackets.size(); ++I)
      std::printf("%s%llu", I ? ", " : " (packets ",
                  (unsigned long long)S.LostEverywherePackets[I]);
    std::printf("%s\n", S.LostEverywherePackets.empty() ? ""
                        : S.LostEverywherePackets.size() < S.LostEverywhere
                            ? ", ...)"
                            : ")");
    std::printf("  %llu verdicts compared, %llu frames parked, last %llu "
                "frames drained in order\n",
                (unsigned long long)S.VerdictsCompared,
                (unsigned long long)S.Parked,
                (unsigned long long)S.DrainFrames);
    if (!Quiet)
      for (size_t I = 0; I < S.Replicas.size(); ++I)
        std::printf("  replica %zu (cpu %d): logged %llu, recovered %llu, "
                    "parked %llu\n",
                    I, S.ReplicaCpus[I],
                    (unsigned long long)S.Replicas[I].Logged,
                    (unsigned long long)S.Replicas[I].Recovered,
                    (unsigned long long)S.Replicas[I].Parked);
  }
  if (!R.Divergences) {
    std::printf("no divergence\n");
    return;
  }
  std::printf("%llu divergence(s)\n", (unsigned long long)R.Divergences);
  for (const Divergence &D : R.Listed)
    std::printf("  %s: packet %llu, replica %u: %s\n    expected %s\n    "
                "actual   %s\n",
                D.Schedule.c_str(), (unsigned long long)D.Packet, D.Replica,
                D.What.c_str(), D.Expected.c_str(), D.Actual.c_str());
}

int main(int Argc, char **Argv) {
  ReplayOptions O;
  std::vector<LossOptions> LossRuns;
  bool Json = false, Quiet = false, ScheduleGiven = false;
  uint64_t Cores = 0;
  for (int A = 1; A < Argc; ++A) {
    std::string Arg = Argv[A];
    auto Value = [&](const char *&Out) {
      if (A + 1 >= Argc) {
        std::fprintf(stderr, "scr-replay: %s needs a value\n", Arg.c_str());
        return false;
      }
      Out = Argv[++A];
      return true;
    };
    const char *V = nullptr;
    // A number in Lo..Hi, or a message that says what was expected.
    auto Number = [&](uint64_t &Out, uint64_t Lo, uint64_t Hi,
                      const char *Why = "") {
      if (!Value(V))
        return false;
      uint64_t N = 0;
      if (!parseUnsigned(V, N) || N < Lo || N > Hi) {
        std::fprintf(stderr,
                     "scr-replay: error: %s: '%s' is not an integer in "
                     "%llu..%llu%s\n",
                     Arg.c_str(), V, (unsigned long long)Lo,
                     (unsigned long long)Hi, Why);
        return false;
      }
      Out = N;
      return true;
    };
    if (Arg == "--") {
      // Compiler flags for both programs, after OUTDIR/compile_flags.txt.
      O.CompileFlags.assign(Argv + A + 1, Argv + Argc);
      break;
    }
    if (Arg == "--json") {
      Json = true;
    } else if (Arg == "--quiet") {
      Quiet = true;
    } else if (Arg == "-h" || Arg == "--help") {
      usage();
      return 0;
    } else if (Arg == "--map-init") {
      if (!Value(V))
        return 2;
      O.MapInit.push_back(V);
    } else if (Arg == "--original" || Arg == "--scr" || Arg == "--trace" ||
               Arg == "--frames") {
      if (!Value(V))
        return 2;
      (Arg == "--original" ? O.Original
       : Arg == "--scr"    ? O.ScrDir
       : Arg == "--trace"  ? O.Trace
                           : O.FramesOut) = V;
    } else if (Arg == "--schedule") {
      if (!Value(V))
        return 2;
      if (!ScheduleGiven)
        O.Schedules.clear();
      ScheduleGiven = true;
      if (!parseSchedules(V, O.Schedules)) {
        std::fprintf(stderr,
                     "scr-replay: --schedule: unknown schedule '%s' "
                     "(lockstep, ahead, behind, random, concurrent, all)\n",
                     V);
        return 2;
      }
    } else if (Arg == "--skew") {
      if (!Number(O.Skew, 1, 1u << 20))
        return 2;
    } else if (Arg == "--schedule-seed") {
      if (!Number(O.ScheduleSeed, 0, UINT64_MAX))
        return 2;
    } else if (Arg == "--config") {
      if (!Value(V))
        return 2;
      // MAP:KEY=VALUE, key and value in hex as scr-replica prints them.
      std::string Text = V, Err;
      size_t Colon = Text.find(':'), Eq = Text.find('=');
      std::optional<std::vector<uint8_t>> Key, Val;
      if (Colon != std::string::npos && Eq != std::string::npos && Colon < Eq) {
        Key = parseHexBytes(Text.substr(Colon + 1, Eq - Colon - 1), Err);
        if (Key)
          Val = parseHexBytes(Text.substr(Eq + 1), Err);
      } else {
        Err = "want MAP:KEYHEX=VALUEHEX";
      }
      if (!Key || !Val || Colon == 0) {
        std::fprintf(stderr, "scr-replay: --config: bad value '%s': %s\n", V,
                     Err.empty() ? "want MAP:KEYHEX=VALUEHEX" : Err.c_str());
        return 2;
      }
      O.Config.push_back({Text.substr(0, Colon), *Key, *Val});
    } else if (Arg == "--loss") {
      if (!Value(V))
        return 2;
      std::string Text = V, RateText = Text.substr(0, Text.find('/'));
      auto Rate = parseLossRate(RateText);
      uint64_t Burst = 0;
      bool BurstOk = Text.find('/') == std::string::npos ||
                     (parseUnsigned(Text.c_str() + Text.find('/') + 1, Burst) &&
                      Burst > 0);
      if (!Rate || !BurstOk) {
        std::fprintf(stderr,
                     "scr-replay: --loss: bad value '%s' (RATE[/BURST], e.g. "
                     "1%% or 0.01/20)\n",
                     V);
        return 2;
      }
      LossOptions Run;
      Run.Rate = *Rate;
      Run.Burst = Burst; // 0: --burst
      LossRuns.push_back(Run);
    } else if (Arg == "--start-seq") {
      uint64_t N = 0;
      if (!Number(N, 0, UINT32_MAX))
        return 2;
      O.StartSeq = uint32_t(N);
    } else if (Arg == "--burst" || Arg == "--max-skew") {
      if (!Number(Arg == "--burst" ? O.Loss.Burst : O.MaxSkew, 1, UINT64_MAX))
        return 2;
    } else if (Arg == "--seed") {
      if (!Number(O.Loss.Seed, 0, UINT64_MAX))
        return 2;
    } else if (Arg == "--max-entries") {
      if (!Number(O.MaxEntries, 1, 1u << 30))
        return 2;
    } else if (Arg == "--cores") {
      // Replica r is RX queue r of the veth and slot r of every replicated
      // map, which a layout sizes for at most MaxCores replicas.
      if (!Number(Cores, 1, scr::MaxCores,
                  " (a layout describes at most 1024 replicas)"))
        return 2;
    } else if (Arg == "--checkpoint-every") {
      if (!Number(O.CheckpointEvery, 1, 1u << 20))
        return 2;
    } else if (Arg == "--cpu") {
      uint64_t N = 0;
      if (!Number(N, 0, CPU_SETSIZE - 1))
        return 2;
      O.Cpu = int(N);
    } else {
      std::fprintf(stderr, "scr-replay: unknown argument '%s'\n", Arg.c_str());
      usage();
      return 2;
    }
  }
  if (O.ScrDir.empty() || O.Trace.empty() || Cores == 0) {
    std::fprintf(stderr, "scr-replay: --scr, --trace and --cores are "
                         "required\n");
    usage();
    return 2;
  }
  O.Cores = unsigned(Cores);
  for (LossOptions &Run : LossRuns) {
    Run.Burst = Run.Burst ? Run.Burst : O.Loss.Burst;
    Run.Seed = O.Loss.Seed;
  }
  if (LossRuns.empty())
    LossRuns.push_back(O.Loss);
  O.Loss = LossRuns.front();

  DifferentialReplay Replay;
  std::string Error;
  if (!Replay.prepare(O, Error)) {
    std::fprintf(stderr, "scr-replay: error: %s\n", Error.c_str());
    return 2;
  }
  bool Bar = !Quiet && isatty(2);
  auto Progress = [&](uint64_t Done, uint64_t Total) {
    int Width = 40, Filled = Total ? int(Width * Done / Total) : Width;
    std::fprintf(stderr, "\r[%.*s%*s] %llu/%llu", Filled,
                 "########################################", Width - Filled, "",
                 (unsigned long long)Done, (unsigned long long)Total);
    if (Done == Total)
      std::fputc('\n', stderr);
  };
  bool Diverged = false;
  if (Json && LossRuns.size() > 1)
    std::fputs("[\n", stdout);
  for (size_t Run = 0; Run < LossRuns.size(); ++Run) {
    Replay.setLoss(LossRuns[Run]);
    ReplayResult R;
    bool Ok = Bar ? Replay.run(R, Error, Progress) : Replay.run(R, Error);
    if (!Ok) {
      std::fprintf(stderr, "scr-replay: error: %s\n", Error.c_str());
      return 2;
    }
    if (Json && Run)
      std::fputs(",\n", stdout);
    if (Json)
      std::fputs(replayResultJson(R).c_str(), stdout);
    else
      printHuman(R, Quiet);
    Diverged |= R.Divergences != 0;
  }
  if (Json && LossRuns.size() > 1)
    std::fputs("]\n", stdout);
  return Diverged ? 1 : 0;
}
