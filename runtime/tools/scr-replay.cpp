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

#include "scrcli/Options.h"
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
  uint64_t Cores = 0, StartSeq = 0, Cpu = 0;
  scrcli::Options CL(
      {"scr-replay",
       "differential replay of an SCR program against the original",
       {"--scr OUTDIR --trace TRACE.pcap --cores K [options] [-- "
        "CLANG-FLAGS...]"},
       "Runs the original program single-threaded, and the SCR program loaded\n"
       "once as deployed: frame i goes to replica i mod K, arriving on RX\n"
       "queue i mod K of a K-queue veth in a private network namespace.\n"
       "Compares verdicts, output packets and every replica's state with the\n"
       "original at the same point, under each schedule in turn: lockstep,\n"
       "ahead / behind (each replica in turn W of its frames, default 3,\n"
       "early or late), random (seed S) and concurrent (a thread per CPU);\n"
       "default: all. PROG defaults to OUTDIR/<stem>.ref.bpf.c.\n"
       "Programs are compiled with OUTDIR/compile_flags.txt (what scrcc was\n"
       "given after --) and then the flags after --.\n"
       "A program compiled with --loss-recovery runs its replicas "
       "concurrently\n"
       "(one thread each, at most W frames ahead of the slowest; default 4 K,\n"
       "at most a quarter of the log) sharing the log. Each --loss is one\n"
       "replay on the same loaded programs (state cleared in between); with\n"
       "several, --json prints an array.\n"
       "Exit: 0 equal, 1 divergence, 2 error.",
       {}});
  CL.addString("scr", "OUTDIR", "scrcc's output directory", O.ScrDir);
  CL.addString("trace", "TRACE.pcap", "the trace to replay", O.Trace);
  // Replica r is RX queue r of the veth and slot r of every replicated
  // map, which a layout sizes for at most MaxCores replicas.
  CL.addNumber("cores", "K", "replicas of the SCR program", Cores, 1,
               scr::MaxCores, "a layout describes at most 1024 replicas");
  CL.addString("original", "PROG",
               "the original program (.bpf.c or .o; default: the reference "
               "variant)",
               O.Original);
  CL.addFlag("json", "print the result as JSON", Json);
  CL.addNumber("checkpoint-every", "P",
               "compare the state every P packets of a replica",
               O.CheckpointEvery, 1, 1u << 20);
  CL.addNumber("cpu", "C", "run the programs on CPU C", Cpu, 0,
               CPU_SETSIZE - 1);
  CL.addFlag("quiet", "no per-replica lines, no progress bar", Quiet);
  CL.addString("frames", "OUT.pcap", "write the SCR frames", O.FramesOut);
  CL.addCustom(
      "loss", "RATE[/LEN]",
      "drop RATE of the frames (\"1%\" or \"0.01\") in bursts of LEN "
      "(default --burst, else 1) between sequencer and cores; "
      "repeatable",
      [&](const std::string &Text) -> std::string {
        auto Rate = parseLossRate(Text.substr(0, Text.find('/')));
        std::optional<uint64_t> Burst = 0;
        if (Text.find('/') != std::string::npos)
          Burst = scrcli::parseUnsigned(Text.substr(Text.find('/') + 1));
        if (!Rate || !Burst ||
            (Text.find('/') != std::string::npos && *Burst == 0))
          return "bad value '" + Text + "' (RATE[/BURST], e.g. 1% or 0.01/20)";
        LossOptions Run;
        Run.Rate = *Rate;
        Run.Burst = *Burst; // 0: --burst
        LossRuns.push_back(Run);
        return "";
      });
  CL.addNumber("burst", "LEN", "default burst length of --loss", O.Loss.Burst,
               1, UINT64_MAX);
  CL.addNumber("seed", "S", "seed of the losses (default 1)", O.Loss.Seed, 0,
               UINT64_MAX);
  CL.addNumber("max-skew", "W",
               "with loss recovery: at most W frames ahead of the slowest "
               "replica",
               O.MaxSkew, 1, UINT64_MAX);
  CL.addNumber("start-seq", "X",
               "start the sequencer's counters at X (e.g. 4294966296 to cross "
               "2^32)",
               StartSeq, 0, UINT32_MAX);
  CL.addNumber("max-entries", "N",
               "cap max_entries of every hash map of both programs (large "
               "preallocated maps dominate load time; same cap on both sides)",
               O.MaxEntries, 1, 1u << 30);
  CL.addCustom("schedule", "NAME",
               "lockstep, ahead, behind, random, concurrent or all "
               "(repeatable; default all)",
               [&](const std::string &V) -> std::string {
                 if (!ScheduleGiven)
                   O.Schedules.clear();
                 ScheduleGiven = true;
                 if (!parseSchedules(V, O.Schedules))
                   return "unknown schedule '" + V +
                          "' (lockstep, ahead, behind, random, concurrent, "
                          "all)";
                 return "";
               });
  CL.addNumber("skew", "W",
               "frames early or late in the ahead/behind schedules", O.Skew, 1,
               1u << 20);
  CL.addNumber("schedule-seed", "S", "seed of the random schedule",
               O.ScheduleSeed, 0, UINT64_MAX);
  CL.addCustom(
      "config", "MAP:KEYHEX=VALUEHEX",
      "fill a map of both programs (every replica's copy of a map the "
      "program writes) before the replay (hex, as scr-replica prints it; "
      "repeatable)",
      [&](const std::string &Text) -> std::string {
        std::string Err;
        size_t Colon = Text.find(':'), Eq = Text.find('=');
        std::optional<std::vector<uint8_t>> Key, Val;
        if (Colon != std::string::npos && Eq != std::string::npos &&
            Colon < Eq) {
          Key = parseHexBytes(Text.substr(Colon + 1, Eq - Colon - 1), Err);
          if (Key)
            Val = parseHexBytes(Text.substr(Eq + 1), Err);
        }
        if (!Key || !Val || Colon == 0)
          return "bad value '" + Text +
                 "': " + (Err.empty() ? "want MAP:KEYHEX=VALUEHEX" : Err);
        O.Config.push_back({Text.substr(0, Colon), *Key, *Val});
        return "";
      });
  CL.addList("map-init", "FILE.json",
             "fill maps of both programs from a file (map -> "
             "[{key, value}], hex, integers, IPv4 addresses or BTF-typed "
             "objects; repeatable)",
             O.MapInit);
  CL.passthrough("CLANG-FLAGS...", O.CompileFlags);
  if (auto Exit = CL.parse(Argc, Argv))
    return *Exit;
  if (O.ScrDir.empty() || O.Trace.empty() || !CL.given("cores"))
    CL.usageError("--scr, --trace and --cores are required");
  O.StartSeq = uint32_t(StartSeq);
  if (CL.given("cpu"))
    O.Cpu = int(Cpu);
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
    return CL.error(Error, scrcli::ExitUsage);
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
      return CL.error(Error, scrcli::ExitUsage);
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
