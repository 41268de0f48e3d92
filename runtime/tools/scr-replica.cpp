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

#include "scrcli/Options.h"
#include "scrrt/ReplicaLoader.h"

#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>

using namespace scrrt;

static int fail(const std::string &Msg) {
  std::fflush(stdout);
  std::fprintf(stderr, "scr-replica: error: %s\n", Msg.c_str());
  return scrcli::ExitError;
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
                      const std::string &Name,
                      std::optional<uint64_t> Replica) {
  std::string Error;
  auto View = readReplicas(PinDir, Error);
  if (!View)
    return fail(Error);
  const unsigned K = View->Replicas.size();
  unsigned Shown = View->MostUpToDate;
  if (Replica) {
    if (*Replica >= K)
      return fail("--replica " + std::to_string(*Replica) +
                  ": the program has " + std::to_string(K) + " replicas (0-" +
                  std::to_string(K - 1) + ")");
    Shown = unsigned(*Replica);
  }
  auto M = PinnedMap::open(Out, PinDir, Name, Error);
  if (!M)
    return fail(Error);

  std::printf("replicas: %u, most up to date: replica %u (applied %u)\n", K,
              View->MostUpToDate, View->Replicas[View->MostUpToDate].Applied);
  for (unsigned R = 0; R < K; ++R) {
    // Every member of `struct scr_replica`, by its name in the program's
    // BTF (reserved padding left out), wrapped at 100 columns.
    std::string Text = "  replica " + std::to_string(R) + ":";
    size_t LineStart = 0;
    bool First = true;
    for (const auto &[Name, V] : View->Replicas[R].Members) {
      if (Name.rfind("reserved", 0) == 0)
        continue;
      std::string Item = Name + " " + std::to_string(V);
      if (!First && Text.size() - LineStart + Item.size() + 2 > 100) {
        Text += ",\n   ";
        LineStart = Text.size() - 3; // just after the newline
      } else {
        Text += First ? "" : ",";
      }
      Text += " " + Item;
      First = false;
    }
    std::printf("%s\n", Text.c_str());
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

int main(int Argc, char **Argv) {
  std::string Cmd, ScrDir, Dev, ModeName = "native", PinOpt, Map, KeyHex,
                                ValueHex;
  uint64_t Replica = 0;
  DeployOptions Deploy;
  scrcli::Options CL(
      {"scr-replica",
       "deploy an SCR program and reach its replicas",
       {"load   --scr OUTDIR [--pin DIR] [--map-init FILE.json] [-- "
        "CLANG-FLAGS]",
        "attach --scr OUTDIR --dev IFACE [--mode native|generic] [--pin DIR] "
        "[--map-init FILE.json] [-- CLANG-FLAGS]",
        "detach --dev IFACE [--mode native|generic]",
        "state  --scr OUTDIR --map NAME [--replica R] [--pin DIR]",
        "write  --scr OUTDIR --map NAME --key HEX --value HEX [--pin DIR]",
        "delete --scr OUTDIR --map NAME --key HEX [--pin DIR]",
        "unload --scr OUTDIR [--pin DIR]"},
       "DIR defaults to /sys/fs/bpf/scr_<stem>. Replica r is the program on\n"
       "the frames of RX queue r (r < layout.cores); frames of other queues\n"
       "are dropped. `state` prints replica R's copy of a written map\n"
       "(default: the most up-to-date replica's; copies are never summed).\n"
       "`write`/`delete` update every replica's copy, each at its own point\n"
       "of its packet stream. HEX: bytes in memory order, as `state` prints\n"
       "them (e.g. 0a000001). The program is compiled with\n"
       "OUTDIR/compile_flags.txt and then CLANG-FLAGS; --map-init fills its\n"
       "maps (every replica's copy of a written one) before it is pinned\n"
       "(docs/runtime-replay.md).",
       {}});
  CL.commands({{"load", "load and pin the program, one replica per RX queue"},
               {"attach", "load (unless loaded) and attach to a device"},
               {"detach", "detach the program from a device"},
               {"state", "print a replica's copy of a map"},
               {"write", "write an entry in every replica's copy"},
               {"delete", "delete an entry from every replica's copy"},
               {"unload", "unpin the program and its maps"}},
              Cmd);
  CL.addString("scr", "OUTDIR", "scrcc's output directory", ScrDir)
      .onlyIn({"load", "attach", "state", "write", "delete", "unload"});
  CL.addString("pin", "DIR", "bpffs directory of the loaded program", PinOpt)
      .onlyIn({"load", "attach", "state", "write", "delete", "unload"});
  CL.addList("map-init", "FILE.json",
             "fill maps from a file (every replica's copy of a written one)",
             Deploy.MapInit)
      .onlyIn({"load", "attach"});
  CL.addString("dev", "IFACE", "network device", Dev)
      .onlyIn({"attach", "detach"});
  CL.addChoice("mode", "XDP attach mode (default native)",
               {"native", "generic"}, ModeName)
      .onlyIn({"attach", "detach"});
  CL.addString("map", "NAME", "the program's map", Map)
      .onlyIn({"state", "write", "delete"});
  CL.addNumber("replica", "R", "the replica whose copy to print", Replica, 0,
               UINT32_MAX)
      .onlyIn({"state"});
  CL.addString("key", "HEX", "the entry's key", KeyHex)
      .onlyIn({"write", "delete"});
  CL.addString("value", "HEX", "the entry's value", ValueHex).onlyIn({"write"});
  // Gone since replica r became the program on RX queue r.
  CL.addCustom("cpus", "LIST", "", [](const std::string &) {
      return std::string("--cpus is gone: replica r is the program on RX "
                         "queue r (r < layout.cores); steer frames onto those "
                         "queues with the NIC (RSS: ethtool -L / -X)");
    }).hidden();
  CL.passthrough("CLANG-FLAGS", Deploy.CompileFlags);
  if (auto Exit = CL.parse(Argc, Argv))
    return *Exit;
  if (!Deploy.CompileFlags.empty() && Cmd != "load" && Cmd != "attach")
    CL.usageError(Cmd + " compiles nothing: no flags after --");
  auto Need = [&](std::initializer_list<const char *> Names) {
    for (const char *N : Names)
      if (!CL.given(N))
        CL.usageError(Cmd + " needs --" + N);
  };
  // What each command needs, before anything is opened.
  if (Cmd != "detach")
    Need({"scr"});
  if (Cmd == "attach" || Cmd == "detach")
    Need({"dev"});
  if (Cmd == "state" || Cmd == "write" || Cmd == "delete")
    Need({"map"});
  if (Cmd == "write" || Cmd == "delete")
    Need({"key"});
  if (Cmd == "write")
    Need({"value"});
  XdpMode Mode = ModeName == "native" ? XdpMode::Native : XdpMode::Generic;

  std::string Error;
  if (Cmd == "detach")
    return detachReplicas(Dev, Mode, Error) ? 0 : fail(Error);
  auto Out = ScrOutput::open(ScrDir, Error);
  if (!Out)
    return fail(Error);
  std::string PinDir = CL.given("pin") ? PinOpt : defaultPinDir(*Out);

  if (Cmd == "state")
    return printState(*Out, PinDir, Map,
                      CL.given("replica") ? std::optional(Replica)
                                          : std::nullopt);
  if (Cmd == "write")
    return controlUpdate(*Out, PinDir, Map, KeyHex, &ValueHex);
  if (Cmd == "delete")
    return controlUpdate(*Out, PinDir, Map, KeyHex, nullptr);
  if (Cmd == "unload")
    return unloadReplicas(PinDir, Error) ? 0 : fail(Error);

  const unsigned K = Out->Layout.Cores;
  bool Loaded = std::filesystem::exists(PinDir + "/prog");
  if (Cmd == "load" || !Loaded) {
    if (!loadReplicas(*Out, PinDir, Error, Deploy))
      return fail(Error);
    std::printf("loaded %s: %u replicas, one per RX queue 0-%u; pinned at %s\n",
                Out->ScrProgram.c_str(), K, K - 1, PinDir.c_str());
  }
  if (Cmd == "attach") {
    if (!attachReplicas(PinDir, Dev, Mode, Error))
      return fail(Error);
    std::printf("attached to %s (%s XDP)\n", Dev.c_str(),
                Mode == XdpMode::Native ? "native" : "generic");
    // The queues decide the replicas: say when they do not match.
    std::fflush(stdout);
    if (auto Q = rxQueueCount(Dev)) {
      if (*Q > K)
        CL.warn(Dev + " has " + std::to_string(*Q) +
                " RX queues; frames arriving on queues " + std::to_string(K) +
                "-" + std::to_string(*Q - 1) +
                " are dropped (no replica owns them; counted in scr_unowned)");
      else if (*Q < K)
        CL.warn(Dev + " has " + std::to_string(*Q) +
                " RX queues but the program has " + std::to_string(K) +
                " replicas: replicas " + std::to_string(*Q) + "-" +
                std::to_string(K - 1) + " get no frames");
    }
  }
  return 0;
}
