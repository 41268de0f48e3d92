//===- scr-xdp-bench.cpp - Times XDP program variants side by side --------===//
//
//   scr-xdp-bench PLAN.json -o RESULT.json
//
// Loads every program of the plan, picks the measured trace packet
// (MeasuredFrame.h), and times all programs in interleaved rounds on one
// pinned CPU, so that drift and noise of a shared machine hit every variant
// alike. SCR programs built for benchmarking (check_replay) keep
// `applied` fixed, so every repeat replays the whole history; the tool
// proves it from the replica's `replayed` counter after every run.
// A test run without an xdp_md context arrives on RX queue 0: it runs as
// replica 0 (entry 0 of scr_replica), or, in the previous per-CPU design
// (the bench's `percpu` variant), as the slot of the pinned CPU.
// bench/run.py writes the plan and turns the result into the report.
//
//===----------------------------------------------------------------------===//

#include "MeasuredFrame.h"
#include "ReplicaCounters.h"
#include "XdpTimer.h"

#include "scrcli/Options.h"
#include "scrrt/BpfProgram.h"
#include "scrrt/MapInit.h"
#include "scrrt/Pcap.h"
#include "scrrt/QueueDevice.h"
#include "scrrt/TraceGen.h"

#include <linux/bpf.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

using nlohmann::json;

namespace {

struct Variant {
  std::string Name;
  std::unique_ptr<scrrt::BpfObject> Object;
  int Fd = -1;
  scrbench::RunMode Mode = scrbench::RunMode::Copy;
  std::optional<scr::Layout> Layout; // SCR programs: the frame's layout
  bool CheckReplay = false;
  std::vector<uint8_t> Frame;
  uint32_t HistSeq = 0;
  json Result = json::object();
};

[[noreturn]] void fail(const std::string &Msg) {
  std::cerr << "scr-xdp-bench: error: " << Msg << "\n";
  std::exit(1);
}

json readJson(const std::string &Path) {
  std::ifstream In(Path);
  if (!In)
    fail("cannot open " + Path);
  try {
    return json::parse(In);
  } catch (const json::exception &E) {
    fail(Path + ": " + E.what());
  }
}

template <typename T>
T get(const json &J, const std::string &Key, const std::string &Where) {
  if (!J.contains(Key))
    fail(Where + ": missing \"" + Key + "\"");
  try {
    return J.at(Key).get<T>();
  } catch (const json::exception &E) {
    fail(Where + ": \"" + Key + "\": " + E.what());
  }
}

Variant loadVariant(const json &P) {
  Variant V;
  V.Name = get<std::string>(P, "name", "program");
  std::string Where = "program '" + V.Name + "'";
  std::string Error;
  // A .c object is compiled with the plan's flags (e.g. those scrcc
  // recorded in OUTDIR/compile_flags.txt).
  scrrt::LoadOptions Load;
  if (P.contains("compile_flags"))
    Load.CompileFlags =
        get<std::vector<std::string>>(P, "compile_flags", Where);
  V.Object =
      scrrt::BpfObject::load(get<std::string>(P, "object", Where), Error, Load);
  if (!V.Object)
    fail(Where + ": " + Error);
  std::string Entry = get<std::string>(P, "entry", Where);
  V.Fd = V.Object->programFd(Entry);
  if (V.Fd < 0)
    fail(Where + ": no program '" + Entry + "' in the object");
  std::string Mode = P.value("mode", "copy");
  if (Mode == "live")
    V.Mode = scrbench::RunMode::LiveFrames;
  else if (Mode != "copy")
    fail(Where + ": mode must be copy or live, not '" + Mode + "'");
  if (P.contains("layout")) {
    V.Layout = scr::Layout::load(get<std::string>(P, "layout", Where), Error);
    if (!V.Layout)
      fail(Where + ": " + Error);
    if (!V.Object->map("scr_replica"))
      fail(Where + ": an SCR program needs the map scr_replica");
  }
  V.CheckReplay = P.value("check_replay", false);
  if (V.CheckReplay && !V.Layout)
    fail(Where + ": check_replay needs a layout");
  // The control plane's entries (MapInit.h): the layout names the maps
  // the program writes, which an SCR object holds as private copies.
  if (P.contains("map_init")) {
    const json &M = get<json>(P, "map_init", Where);
    auto L = scr::Layout::load(get<std::string>(M, "layout", Where), Error);
    if (!L)
      fail(Where + ": " + Error);
    for (const std::string &File :
         get<std::vector<std::string>>(M, "files", Where)) {
      auto Entries = scrrt::readMapInit(File, *V.Object, *L, Error);
      if (!Entries || !scrrt::writeMapInit(*V.Object, *L, *Entries, Error))
        fail(Where + ": " + Error);
    }
  }
  return V;
}

/// Times one variant once; checks what its replica did.
void timeOnce(Variant &V, int Cpu, uint32_t Repeat, bool Record,
              const scrbench::Arrival &At) {
  std::string Error;
  scrrt::BpfMap *Replica = V.Layout ? V.Object->map("scr_replica") : nullptr;
  const scrbench::ReplicaSlot Slot{0, Cpu};
  std::optional<scrbench::ReplicaCounters> Before;
  if (Replica) {
    // The frame carries entries HistSeq-N .. HistSeq-1: all are new to a
    // replica that applied HistSeq-N of them.
    if (!scrbench::setApplied(*Replica, Slot,
                              V.HistSeq - V.Layout->HistoryLength, Error))
      fail(V.Name + ": " + Error);
    Before = scrbench::readReplica(*Replica, Slot, Error);
    if (!Before)
      fail(V.Name + ": " + Error);
  }
  auto R = scrbench::timeXdp(V.Fd, V.Frame, Repeat, V.Mode, Error, At);
  if (!R)
    fail(V.Name + ": " + Error);
  if (V.Mode == scrbench::RunMode::Copy && R->Verdict == XDP_ABORTED)
    fail(V.Name + ": the program returned XDP_ABORTED");
  if (Replica) {
    auto After = scrbench::readReplica(*Replica, Slot, Error);
    if (!After)
      fail(V.Name + ": " + Error);
    uint64_t Expected = uint64_t(V.Layout->HistoryLength) * Repeat;
    uint64_t Replayed = After->Replayed - Before->Replayed;
    if (After->ShortFrames != Before->ShortFrames)
      fail(V.Name + ": frames counted as short: the prefix was not restored "
                    "between repeats");
    if (V.CheckReplay && Replayed != Expected)
      fail(V.Name + ": replayed " + std::to_string(Replayed) +
           " history entries in " + std::to_string(Repeat) +
           " repeats, expected " + std::to_string(Expected) +
           " (every repeat must replay the whole history)");
    if (Record)
      V.Result["replayed_per_run"] = double(Replayed) / Repeat;
  }
  if (Record) {
    V.Result["wall_ns"].push_back(R->WallNsPerRun);
    V.Result["kernel_ns"].push_back(R->KernelNsPerRun);
    V.Result["verdict"] = scrrt::xdpVerdictName(R->Verdict);
  }
}

} // namespace

int main(int Argc, char **Argv) {
  std::string OutPath;
  std::vector<std::string> Plans;
  scrcli::Options CL({"scr-xdp-bench",
                      "times XDP program variants side by side",
                      {"PLAN.json -o RESULT.json"},
                      "bench/run.py writes the plan and turns the result "
                      "into the report.",
                      {}});
  CL.addString("o", "RESULT.json", "where the timings go", OutPath);
  CL.positionals("PLAN.json", Plans, 1);
  if (auto Exit = CL.parse(Argc, Argv))
    return *Exit;
  if (Plans.empty())
    CL.usageError("no plan given (scr-xdp-bench PLAN.json -o RESULT.json)");
  if (OutPath.empty())
    CL.usageError("no output given (use -o RESULT.json)");
  const std::string &PlanPath = Plans.front();

  json Plan = readJson(PlanPath);
  int Cpu = get<int>(Plan, "cpu", "plan");
  uint32_t Repeat = get<uint32_t>(Plan, "repeat", "plan");
  unsigned Rounds = get<unsigned>(Plan, "rounds", "plan");
  if (Repeat == 0 || Rounds == 0)
    fail("plan: repeat and rounds must be positive");
  json TraceJ = get<json>(Plan, "trace", "plan");
  std::string Error;
  std::vector<scrrt::Packet> Trace;
  // A user's capture ("pcap") or one of scr-trace's generators ("kind").
  if (TraceJ.contains("pcap")) {
    auto FromFile =
        scrrt::readPcap(get<std::string>(TraceJ, "pcap", "trace"), Error);
    if (!FromFile)
      fail(Error);
    Trace = std::move(*FromFile);
  } else {
    auto Kind =
        scrrt::traceKindFromName(get<std::string>(TraceJ, "kind", "trace"));
    if (!Kind)
      fail("trace: unknown kind '" + TraceJ["kind"].get<std::string>() + "'");
    Trace = scrrt::generateTrace(*Kind, get<size_t>(TraceJ, "packets", "trace"),
                                 get<uint64_t>(TraceJ, "seed", "trace"));
  }
  scrrt::dropRuntFrames(Trace);

  if (!scrrt::pinThisThread(Cpu, Error))
    fail(Error);
  // "loopback" (default): no xdp_md context, RX queue 0 of the loopback
  // device, whose xdp_rxq_info every context-less test run on the machine
  // writes (frag_size, once per syscall). "veth": RX queue 0 of a veth pair
  // in a network namespace of this process's own, as a NIC queue would be.
  scrbench::Arrival At;
  std::string ArrivalName = Plan.value("arrival", "loopback");
  if (ArrivalName == "veth") {
    auto Dev = scrrt::QueueDevice::create(1, Error);
    if (!Dev)
      fail(Error);
    At.Ifindex = Dev->ifindex();
  } else if (ArrivalName != "loopback") {
    fail("plan: arrival must be loopback or veth, not '" + ArrivalName + "'");
  }

  std::vector<Variant> Variants;
  for (const json &P : get<json>(Plan, "programs", "plan"))
    Variants.push_back(loadVariant(P));
  if (Variants.empty())
    fail("plan: no programs");

  // The deepest SCR layout decides the measured packet.
  const scr::Layout *Deepest = nullptr;
  for (const Variant &V : Variants)
    if (V.Layout &&
        (!Deepest || V.Layout->HistoryLength > Deepest->HistoryLength))
      Deepest = &*V.Layout;
  size_t Index = 0;
  if (Deepest) {
    auto I = scrbench::pickMeasuredPacket(Trace, *Deepest, Error);
    if (!I)
      fail(Error);
    Index = *I;
  } else if (Trace.empty()) {
    fail("the trace is empty");
  }
  for (Variant &V : Variants) {
    if (!V.Layout) {
      V.Frame = Trace[Index].Data;
      continue;
    }
    scrrt::Sequencer::Frame F = scrbench::frameFor(Trace, *V.Layout, Index);
    if (!F.Relevant || F.HistSeq < V.Layout->HistoryLength)
      fail(V.Name + ": the measured packet has no full history under its "
                    "layout (layouts of one example must share the relevance)");
    V.Frame = F.Bytes;
    V.HistSeq = F.HistSeq;
  }

  // Warm-up: state, caches and branch predictors reach a steady state.
  for (Variant &V : Variants)
    timeOnce(V, Cpu, std::min<uint32_t>(Repeat, 10000), false, At);
  for (unsigned R = 0; R < Rounds; ++R)
    for (size_t J = 0; J < Variants.size(); ++J)
      timeOnce(Variants[(J + R) % Variants.size()], Cpu, Repeat, true, At);

  json Out;
  Out["cpu"] = Cpu;
  Out["repeat"] = Repeat;
  Out["rounds"] = Rounds;
  Out["arrival"] = ArrivalName;
  Out["packet_index"] = Index;
  Out["packet_bytes"] = Trace[Index].Data.size();
  for (Variant &V : Variants) {
    V.Result["frame_bytes"] = V.Frame.size();
    if (V.Layout)
      V.Result["history"] = V.Layout->HistoryLength;
    Out["programs"][V.Name] = V.Result;
  }
  std::ofstream OutFile(OutPath);
  OutFile << Out.dump(2) << "\n";
  if (!OutFile)
    fail("cannot write " + OutPath);
  return 0;
}
