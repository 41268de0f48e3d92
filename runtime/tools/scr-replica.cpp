//===- scr-replica.cpp - Deploy an SCR program and reach its replicas -----===//
//
// scr-replica load   --scr OUTDIR [--pin DIR] [--map-init FILE.json]
//                    [-- CLANG-FLAGS...]
// scr-replica attach --scr OUTDIR --dev IFACE [--mode native|generic]
//                    [--pin DIR] [--map-init FILE.json] [-- CLANG-FLAGS...]
// scr-replica detach --dev IFACE [--mode native|generic]
// scr-replica state  --scr OUTDIR --map NAME [--replica R] [--pin DIR]
// scr-replica write  --scr OUTDIR --map NAME --key HEX --value HEX
//                    [--pin DIR]
// scr-replica delete --scr OUTDIR --map NAME --key HEX [--pin DIR]
// scr-replica unload --scr OUTDIR [--pin DIR]
//
//===----------------------------------------------------------------------===//

#include "scrrt/CommandLine.h"
#include "scrrt/ReplicaLoader.h"

#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <string>

using namespace scrrt;

static void usage() {
  std::fprintf(
      stderr,
      "usage: scr-replica load   --scr OUTDIR [--pin DIR] "
      "[--map-init FILE.json] [-- CLANG-FLAGS]\n"
      "       scr-replica attach --scr OUTDIR --dev IFACE "
      "[--mode native|generic] [--pin DIR] [--map-init FILE.json]\n"
      "                          [-- CLANG-FLAGS]\n"
      "       scr-replica detach --dev IFACE [--mode native|generic]\n"
      "       scr-replica state  --scr OUTDIR --map NAME [--replica R] "
      "[--pin DIR]\n"
      "       scr-replica write  --scr OUTDIR --map NAME --key HEX --value "
      "HEX [--pin DIR]\n"
      "       scr-replica delete --scr OUTDIR --map NAME --key HEX "
      "[--pin DIR]\n"
      "       scr-replica unload --scr OUTDIR [--pin DIR]\n"
      "DIR defaults to /sys/fs/bpf/scr_<stem>. Replica r is the program on\n"
      "the frames of RX queue r (r < layout.cores); frames of other queues\n"
      "are dropped. `state` prints replica R's copy of a written map\n"
      "(default: the most up-to-date replica's; copies are never summed).\n"
      "`write`/`delete` update every replica's copy, each at its own point\n"
      "of its packet stream. HEX: bytes in memory order, as `state` prints\n"
      "them (e.g. 0a000001). The program is compiled with\n"
      "OUTDIR/compile_flags.txt and then CLANG-FLAGS; --map-init fills its\n"
      "maps (every replica's copy of a written one) before it is pinned\n"
      "(docs/runtime-replay.md).\n");
}

static int fail(const std::string &Msg) {
  std::fprintf(stderr, "scr-replica: error: %s\n", Msg.c_str());
  return 1;
}

static int usageError(const std::string &Msg) {
  std::fprintf(stderr,
               "scr-replica: error: %s\n(scr-replica --help shows the "
               "usage)\n",
               Msg.c_str());
  return 2;
}

/// "0-3" for consecutive replicas, else "0, 2".
static std::string replicaList(const std::vector<unsigned> &Rs) {
  bool Consecutive = true;
  for (size_t I = 1; I < Rs.size(); ++I)
    Consecutive &= Rs[I] == Rs[I - 1] + 1;
  if (Rs.size() > 2 && Consecutive)
    return std::to_string(Rs.front()) + "-" + std::to_string(Rs.back());
  std::string S;
  for (unsigned R : Rs)
    S += (S.empty() ? "" : ", ") + std::to_string(R);
  return S;
}

static int printState(const ScrOutput &Out, const std::string &PinDir,
                      const std::string &Name, const std::string *Replica) {
  std::string Error;
  auto View = readReplicas(PinDir, Error);
  if (!View)
    return fail(Error);
  const unsigned K = View->Replicas.size();
  unsigned Shown = View->MostUpToDate;
  if (Replica) {
    auto R = parseUnsigned(*Replica);
    if (!R || *R >= K)
      return fail("--replica " + *Replica + ": the program has " +
                  std::to_string(K) + " replicas (0-" + std::to_string(K - 1) +
                  ")");
    Shown = unsigned(*R);
  }
  auto M = PinnedMap::open(Out, PinDir, Name, Error);
  if (!M)
    return fail(Error);

  std::printf("replicas: %u, most up to date: replica %u (applied %u)\n", K,
              View->MostUpToDate, View->Replicas[View->MostUpToDate].Applied);
  for (unsigned R = 0; R < K; ++R) {
    const ReplicaStats &S = View->Replicas[R];
    std::printf("  replica %u: applied %u, replayed %llu, gaps %llu, short "
                "frames %llu\n",
                R, S.Applied, (unsigned long long)S.Replayed,
                (unsigned long long)S.Gaps, (unsigned long long)S.ShortFrames);
    // Only when something was rejected: a healthy replica's line is all.
    if (const auto &Rej = View->Rejects[R];
        Rej && (Rej->dropped() || Rej->Resyncs))
      std::printf("    rejected frames: %s\n", Rej->describe().c_str());
  }
  if (View->Unowned)
    std::printf("  unowned frames (RX queue >= %u, dropped): %llu\n", K,
                (unsigned long long)*View->Unowned);

  MapContents Contents;
  if (!M->copy(Shown).dump(Contents, Error))
    return fail(Error);
  if (M->replicated())
    std::printf("map %s, replica %u's copy (%s__r%u): %zu entries\n",
                Name.c_str(), Shown, Name.c_str(), Shown, Contents.size());
  else
    std::printf("map %s: %zu entries (shared by all replicas, not "
                "replicated)\n",
                Name.c_str(), Contents.size());
  for (auto &[Key, V] : Contents)
    std::printf("%s: %s\n", hexBytes(Key).c_str(), hexBytes(V).c_str());
  return 0;
}

/// `write` and `delete`: one update of every copy of a program map.
static int controlUpdate(const ScrOutput &Out, const std::string &PinDir,
                         const std::string &Name, const std::string &KeyHex,
                         const std::string *ValueHex) {
  bool ProgramMap = false;
  for (const scr::StateObject &S : Out.Layout.State)
    ProgramMap |= S.Name == Name && S.Kind == "map";
  std::string Error;
  auto M = PinnedMap::open(Out, PinDir, Name, Error);
  if (!M)
    return fail(Error);
  if (!ProgramMap)
    return fail("map `" + Name +
                "` is the SCR runtime's, not the program's state: only maps "
                "of layout.state are written through scr-replica");
  auto Key = parseHexBytes(KeyHex, Error);
  if (!Key)
    return fail("--key " + Error);
  std::optional<std::vector<uint8_t>> Value;
  if (ValueHex && !(Value = parseHexBytes(*ValueHex, Error)))
    return fail("--value " + Error);

  ControlUpdate Done;
  bool Ok = Value ? writeReplicaMap(*M, *Key, *Value, Done, Error)
                  : eraseReplicaMap(*M, *Key, Done, Error);
  if (!Ok) {
    // A failure part-way leaves the replicas different: say which have it.
    if (!Done.Done.empty())
      Error += "; replicas " + replicaList(Done.Done) +
               " have the update, the others do not";
    return fail(Error);
  }
  std::string Verb = Value ? "wrote" : "deleted";
  std::string Where = Value ? " in " : " from ";
  if (!M->replicated()) {
    std::printf("%s: %s %s%sthe shared map (every replica reads it)\n",
                Name.c_str(), Verb.c_str(), hexBytes(*Key).c_str(),
                Where.c_str());
    return 0;
  }
  unsigned K = M->copies();
  std::string Copies =
      Done.Absent.empty() ? "all " + std::to_string(K) + " replicas' copies"
                          : "the copies of replicas " + replicaList(Done.Done) +
                                " (absent in " + replicaList(Done.Absent) + ")";
  std::printf("%s: %s %s%s%s (%s__r0 .. %s__r%u); each replica sees it at its "
              "own point of its packet stream\n",
              Name.c_str(), Verb.c_str(), hexBytes(*Key).c_str(), Where.c_str(),
              Copies.c_str(), Name.c_str(), Name.c_str(), K - 1);
  return 0;
}

/// Options each command takes (the rest is an error, not silently ignored).
static const std::map<std::string, std::set<std::string>> CommandOptions = {
    {"load", {"scr", "pin", "map-init"}},
    {"attach", {"scr", "dev", "mode", "pin", "map-init"}},
    {"detach", {"dev", "mode"}},
    {"state", {"scr", "map", "replica", "pin"}},
    {"write", {"scr", "map", "key", "value", "pin"}},
    {"delete", {"scr", "map", "key", "pin"}},
    {"unload", {"scr", "pin"}},
};

int main(int Argc, char **Argv) {
  if (Argc < 2 || std::string(Argv[1]) == "-h" ||
      std::string(Argv[1]) == "--help") {
    usage();
    return Argc < 2 ? 2 : 0;
  }
  std::string Cmd = Argv[1];
  auto Allowed = CommandOptions.find(Cmd);
  if (Allowed == CommandOptions.end())
    return usageError("unknown command '" + Cmd + "'");
  std::map<std::string, std::string> Opt;
  DeployOptions Deploy;
  for (int A = 2; A < Argc; ++A) {
    std::string Arg = Argv[A];
    if (Arg == "--") {
      if (Cmd != "load" && Cmd != "attach")
        return usageError(Cmd + " compiles nothing: no flags after --");
      Deploy.CompileFlags.assign(Argv + A + 1, Argv + Argc);
      break;
    }
    if (Arg.rfind("--", 0) != 0)
      return usageError("bad argument '" + Arg + "'");
    std::string Name = Arg.substr(2);
    if (Name == "cpus")
      return usageError("--cpus is gone: replica r is the program on RX "
                        "queue r (r < layout.cores); steer frames onto those "
                        "queues with the NIC (RSS: ethtool -L / -X)");
    if (!Allowed->second.count(Name))
      return usageError(Cmd + " takes no option '" + Arg + "'");
    if (A + 1 >= Argc)
      return usageError("'" + Arg + "' needs a value");
    Opt[Name] = Argv[++A];
  }
  if (Opt.count("map-init"))
    Deploy.MapInit.push_back(Opt["map-init"]);
  auto Need = [&](std::initializer_list<const char *> Names) {
    for (const char *N : Names)
      if (!Opt.count(N)) {
        usageError(Cmd + " needs --" + N);
        return false;
      }
    return true;
  };
  XdpMode Mode = XdpMode::Native;
  if (Opt.count("mode")) {
    if (Opt["mode"] != "native" && Opt["mode"] != "generic")
      return usageError("--mode is native or generic, not '" + Opt["mode"] +
                        "'");
    Mode = Opt["mode"] == "native" ? XdpMode::Native : XdpMode::Generic;
  }

  std::string Error;
  if (Cmd == "detach") {
    if (!Need({"dev"}))
      return 2;
    return detachReplicas(Opt["dev"], Mode, Error) ? 0 : fail(Error);
  }
  if (!Need({"scr"}))
    return 2;
  auto Out = ScrOutput::open(Opt["scr"], Error);
  if (!Out)
    return fail(Error);
  std::string PinDir = Opt.count("pin") ? Opt["pin"] : defaultPinDir(*Out);

  if (Cmd == "state")
    return Need({"map"})
               ? printState(*Out, PinDir, Opt["map"],
                            Opt.count("replica") ? &Opt["replica"] : nullptr)
               : 2;
  if (Cmd == "write")
    return Need({"map", "key", "value"})
               ? controlUpdate(*Out, PinDir, Opt["map"], Opt["key"],
                               &Opt["value"])
               : 2;
  if (Cmd == "delete")
    return Need({"map", "key"})
               ? controlUpdate(*Out, PinDir, Opt["map"], Opt["key"], nullptr)
               : 2;
  if (Cmd == "unload")
    return unloadReplicas(PinDir, Error) ? 0 : fail(Error);

  if (Cmd == "attach" && !Need({"dev"}))
    return 2;
  const unsigned K = Out->Layout.Cores;
  bool Loaded = std::filesystem::exists(PinDir + "/prog");
  if (Cmd == "load" || !Loaded) {
    if (!loadReplicas(*Out, PinDir, Error, Deploy))
      return fail(Error);
    std::printf("loaded %s: %u replicas, one per RX queue 0-%u; pinned at %s\n",
                Out->ScrProgram.c_str(), K, K - 1, PinDir.c_str());
  }
  if (Cmd == "attach") {
    const std::string &Dev = Opt["dev"];
    if (!attachReplicas(PinDir, Dev, Mode, Error))
      return fail(Error);
    std::printf("attached to %s (%s XDP)\n", Dev.c_str(),
                Mode == XdpMode::Native ? "native" : "generic");
    // The queues decide the replicas: say when they do not match.
    std::fflush(stdout);
    if (auto Q = rxQueueCount(Dev)) {
      if (*Q > K)
        std::fprintf(stderr,
                     "scr-replica: warning: %s has %u RX queues; frames "
                     "arriving on queues %u-%u are dropped (no replica owns "
                     "them; counted in scr_unowned)\n",
                     Dev.c_str(), *Q, K, *Q - 1);
      else if (*Q < K)
        std::fprintf(stderr,
                     "scr-replica: warning: %s has %u RX queues but the "
                     "program has %u replicas: replicas %u-%u get no frames\n",
                     Dev.c_str(), *Q, K, *Q, K - 1);
    }
  }
  return 0;
}
