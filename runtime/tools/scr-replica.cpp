//===- scr-replica.cpp - Deploy an SCR program and read its state ---------===//
//
// scr-replica load   --scr OUTDIR --cpus LIST [--pin DIR]
// scr-replica attach --scr OUTDIR --dev IFACE [--mode native|generic]
//                    [--cpus LIST] [--pin DIR]
// scr-replica detach --dev IFACE [--mode native|generic]
// scr-replica state  --scr OUTDIR --map NAME [--pin DIR]
// scr-replica unload --scr OUTDIR [--pin DIR]
//
//===----------------------------------------------------------------------===//

#include "scrrt/ReplicaLoader.h"

#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <unistd.h>

using namespace scrrt;

static void usage() {
  std::fprintf(
      stderr,
      "usage: scr-replica load   --scr OUTDIR --cpus LIST [--pin DIR]\n"
      "       scr-replica attach --scr OUTDIR --dev IFACE "
      "[--mode native|generic] [--cpus LIST] [--pin DIR]\n"
      "       scr-replica detach --dev IFACE [--mode native|generic]\n"
      "       scr-replica state  --scr OUTDIR --map NAME [--pin DIR]\n"
      "       scr-replica unload --scr OUTDIR [--pin DIR]\n"
      "DIR defaults to /sys/fs/bpf/scr_<stem>. LIST is e.g. 0,1 or 0-3: the\n"
      "CPUs the NIC sprays frames over (default: 0..cores-1).\n"
      "`state` prints the map as the most up-to-date replica holds it: every\n"
      "CPU keeps a full replica, so per-CPU values are never summed.\n");
}

static int fail(const std::string &Msg) {
  std::fprintf(stderr, "scr-replica: error: %s\n", Msg.c_str());
  return 1;
}

static int printState(const std::string &PinDir, const std::string &Name) {
  std::string Error;
  auto View = mostUpToDateReplica(PinDir, Error);
  if (!View)
    return fail(Error);
  std::printf("replica: cpu %d, applied %u\n", View->Cpu, View->Stats.Applied);
  for (auto &[Cpu, S] : View->All)
    std::printf("  cpu %d: applied %u, replayed %llu, gaps %llu, short "
                "frames %llu\n",
                Cpu, S.Applied, (unsigned long long)S.Replayed,
                (unsigned long long)S.Gaps, (unsigned long long)S.ShortFrames);
  MapContents Contents;
  BpfMap Info;
  if (!readReplicaMap(PinDir, Name, View->Cpu, Contents, Info, Error))
    return fail(Error);
  std::printf("map %s: %zu entries%s\n", Name.c_str(), Contents.size(),
              Info.perCpu() ? "" : " (shared, not replicated)");
  for (auto &[K, V] : Contents)
    std::printf("%s: %s\n", hexBytes(K).c_str(), hexBytes(V).c_str());
  return 0;
}

int main(int Argc, char **Argv) {
  if (Argc < 2 || std::string(Argv[1]) == "-h" ||
      std::string(Argv[1]) == "--help") {
    usage();
    return Argc < 2 ? 2 : 0;
  }
  std::string Cmd = Argv[1];
  std::map<std::string, std::string> Opt;
  for (int A = 2; A < Argc; ++A) {
    std::string Arg = Argv[A];
    if (Arg.rfind("--", 0) != 0 || A + 1 >= Argc) {
      std::fprintf(stderr, "scr-replica: bad argument '%s'\n", Arg.c_str());
      usage();
      return 2;
    }
    Opt[Arg.substr(2)] = Argv[++A];
  }
  auto Need = [&](std::initializer_list<const char *> Names) {
    for (const char *N : Names)
      if (!Opt.count(N)) {
        std::fprintf(stderr, "scr-replica %s: --%s is required\n", Cmd.c_str(),
                     N);
        return false;
      }
    return true;
  };
  XdpMode Mode = XdpMode::Native;
  if (Opt.count("mode")) {
    if (Opt["mode"] != "native" && Opt["mode"] != "generic") {
      std::fprintf(stderr, "scr-replica: --mode is native or generic\n");
      return 2;
    }
    Mode = Opt["mode"] == "native" ? XdpMode::Native : XdpMode::Generic;
  }

  std::string Error;
  if (Cmd == "detach") {
    if (!Need({"dev"}))
      return 2;
    return detachReplicas(Opt["dev"], Mode, Error) ? 0 : fail(Error);
  }
  if (Cmd != "load" && Cmd != "attach" && Cmd != "state" && Cmd != "unload") {
    std::fprintf(stderr, "scr-replica: unknown command '%s'\n", Cmd.c_str());
    usage();
    return 2;
  }
  if (!Need({"scr"}))
    return 2;
  auto Out = ScrOutput::open(Opt["scr"], Error);
  if (!Out)
    return fail(Error);
  std::string PinDir = Opt.count("pin") ? Opt["pin"] : defaultPinDir(*Out);

  if (Cmd == "state")
    return Need({"map"}) ? printState(PinDir, Opt["map"]) : 2;
  if (Cmd == "unload")
    return unloadReplicas(PinDir, Error) ? 0 : fail(Error);

  if (Cmd == "load" && !Need({"cpus"}))
    return 2;
  if (Cmd == "attach" && !Need({"dev"}))
    return 2;
  std::vector<int> Cpus;
  if (Opt.count("cpus")) {
    auto C = parseCpuList(Opt["cpus"], Error);
    if (!C)
      return fail(Error);
    Cpus = *C;
  } else {
    for (int C = 0; C < int(Out->Layout.Cores) && C < possibleCpus(); ++C)
      Cpus.push_back(C);
  }
  bool Loaded = std::filesystem::exists(PinDir + "/prog");
  if (Cmd == "load" || !Loaded) {
    if (!loadReplicas(*Out, PinDir, Cpus, Error))
      return fail(Error);
    std::printf("loaded %s on CPUs", Out->ScrProgram.c_str());
    for (int C : Cpus)
      std::printf(" %d", C);
    std::printf("; pinned at %s\n", PinDir.c_str());
  }
  if (Cmd == "attach") {
    if (!attachReplicas(PinDir, Opt["dev"], Mode, Error))
      return fail(Error);
    std::printf("attached to %s (%s XDP)\n", Opt["dev"].c_str(),
                Mode == XdpMode::Native ? "native" : "generic");
  }
  return 0;
}
