//===- scr-trace.cpp - Generate seeded synthetic traces
//--------------------===//
//
// scr-trace --kind KIND --packets N --seed S -o FILE.pcap
//           [--ports LIST] [--max-frame B] [--rate PPS] [--cross-wrap BITS]
//
// Same arguments, same bytes (docs/runtime-sequencer.md lists the kinds).
//
//===----------------------------------------------------------------------===//

#include "scrcli/Options.h"
#include "scrrt/PacketInfo.h"
#include "scrrt/Pcap.h"
#include "scrrt/TraceGen.h"

#include <cstdio>
#include <cstdlib>

using namespace scrrt;
using scrcli::Option;

static std::string kindList() {
  std::string S;
  for (TraceKind K : allTraceKinds())
    S += std::string(S.empty() ? "" : ", ") + traceKindName(K);
  return S;
}

/// --mix KIND:W,...: returns an error message or "".
static std::string parseMix(const std::string &Spec, TraceOptions &O) {
  size_t Start = 0;
  while (Start <= Spec.size()) {
    size_t Comma = Spec.find(',', Start);
    std::string Item = Spec.substr(
        Start, Comma == std::string::npos ? std::string::npos : Comma - Start);
    size_t Colon = Item.find(':');
    std::string Name = Item.substr(0, Colon);
    auto K = traceKindFromName(Name);
    if (!K)
      return "unknown trace kind '" + Name + "' (kinds: " + kindList() + ")";
    double W = 1;
    if (Colon != std::string::npos) {
      char *End = nullptr;
      std::string WS = Item.substr(Colon + 1);
      W = std::strtod(WS.c_str(), &End);
      if (WS.empty() || *End || !(W > 0))
        return "weight '" + WS + "' of '" + Name +
               "' must be a positive number";
    }
    O.Mix.push_back({*K, W});
    if (Comma == std::string::npos)
      break;
    Start = Comma + 1;
  }
  return "";
}

static void printSummary(const std::vector<Packet> &Trace) {
  size_t Runt = 0, Vlan = 0, Arp = 0, V4 = 0, V6 = 0, Other = 0, Options = 0,
         Frag = 0, Trunc = 0, Tcp = 0, Udp = 0, Syn = 0, Fin = 0, Rst = 0,
         Knock = 0, Icmp = 0, Min = SIZE_MAX, Max = 0;
  for (const Packet &P : Trace) {
    PacketInfo I = dissect(P.Data);
    Min = std::min(Min, I.Length);
    Max = std::max(Max, I.Length);
    Runt += I.Runt;
    Vlan += I.VlanTags > 0;
    Arp += I.Arp;
    V4 += I.Ipv4;
    V6 += I.Ipv6;
    Other += !I.Runt && !I.Arp && !I.Ipv4 && !I.Ipv6;
    Options += I.Ipv4 && I.Ihl > 5;
    Frag += I.Fragment;
    Trunc += I.Truncated;
    Tcp += I.Tcp;
    Udp += I.Udp;
    Icmp += I.Ipv4 && I.Protocol == 1;
    Syn += I.Tcp && (I.TcpFlags & 0x02);
    Fin += I.Tcp && (I.TcpFlags & 0x01);
    Rst += I.Tcp && (I.TcpFlags & 0x04);
    for (uint16_t K : KnockPorts)
      Knock += (I.Tcp || I.Udp) && I.DstPort == K;
  }
  double Secs =
      Trace.size() > 1
          ? double(Trace.back().TimestampNs - Trace.front().TimestampNs) / 1e9
          : 0;
  std::printf("frames: %zu (%zu..%zu bytes) over %.6f s\n", Trace.size(),
              Trace.empty() ? 0 : Min, Max, Secs);
  std::printf("ipv4: %zu (options %zu, fragments %zu)  ipv6: %zu  arp: %zu  "
              "other: %zu\n",
              V4, Options, Frag, V6, Arp, Other);
  std::printf("vlan-tagged: %zu  truncated headers: %zu  runts: %zu\n", Vlan,
              Trunc, Runt);
  std::printf("tcp: %zu (syn %zu, fin %zu, rst %zu)  udp: %zu  icmp: %zu  "
              "to knock ports: %zu\n",
              Tcp, Syn, Fin, Rst, Udp, Icmp, Knock);
  // Which sequencer clock widths (scrcc --timestamp-bits) wrap in the trace.
  if (Trace.size() > 1) {
    std::string Wraps;
    for (unsigned Bits : {16u, 24u, 32u, 40u, 48u, 56u})
      if (Trace.front().TimestampNs >> Bits != Trace.back().TimestampNs >> Bits)
        Wraps += " " + std::to_string(Bits);
    std::printf("clock wraps at bits:%s\n",
                Wraps.empty() ? " none" : Wraps.c_str());
  }
}

int main(int Argc, char **Argv) {
  TraceOptions O;
  std::string Out;
  bool Summary = false;
  scrcli::Options CL(
      {"scr-trace",
       "seeded, deterministic synthetic Ethernet traces",
       {"(--kind KIND | --mix KIND:W,...) --packets N [--seed S] -o FILE.pcap "
        "[options]"},
       "Same arguments, same bytes (docs/runtime-sequencer.md lists the "
       "kinds).",
       {}});
  CL.addCustom("kind", "KIND", "one of: " + kindList(),
               [&](const std::string &Name) -> std::string {
                 auto K = traceKindFromName(Name);
                 if (!K)
                   return "unknown trace kind '" + Name +
                          "' (kinds: " + kindList() + ")";
                 O.Mix.push_back({*K, 1.0});
                 return "";
               });
  CL.addCustom("mix", "KIND:W,...",
               "interleave kinds, each ~W/sum of the packets (e.g. "
               "zipf:0.9,adversarial:0.1)",
               [&](const std::string &V) { return parseMix(V, O); });
  Option &Packets = CL.addNumber("packets", "N", "number of frames (exactly)",
                                 O.Packets, 0, 100'000'000);
  CL.addNumber("seed", "S", "random seed (default 1); same seed, same bytes",
               O.Seed, 0, UINT64_MAX);
  CL.addNumber("start-ns", "T",
               "timestamp of the first frame (default 1700000000000000000)",
               O.StartNs, 0, uint64_t(UINT32_MAX) * 1'000'000'000ULL);
  CL.addCustom("ports", "LIST",
               "destination ports of the services kind, e.g. "
               "53,80,udp:5000,tcp:22 (bare: TCP and UDP; default 53,80,443)",
               [&](const std::string &V) -> std::string {
                 std::string Error;
                 auto Ports = parseServicePorts(V, Error);
                 if (!Ports)
                   return Error;
                 O.Ports = *Ports;
                 return "";
               });
  CL.addNumber("max-frame", "B",
               "largest frame of the services and icmp kinds (default 1514)",
               O.MaxFrame, 60, MaxJumboFrame, "bytes");
  CL.addCustom("rate", "PPS",
               "Poisson arrivals at PPS packets per second (gaps long enough "
               "for timeouts and refills)",
               [&](const std::string &V) -> std::string {
                 char *End = nullptr;
                 O.RatePps = std::strtod(V.c_str(), &End);
                 if (V.empty() || *End || !(O.RatePps > 0) || O.RatePps > 1e9)
                   return "'" + V +
                          "' is not a packet rate (packets per second, > 0 "
                          "and <= 1e9)";
                 return "";
               });
  CL.addNumber("cross-wrap", "BITS",
               "shift the clock so that a BITS-bit sequencer timestamp "
               "(scrcc --timestamp-bits) wraps in the middle of the trace",
               O.CrossWrapBits, 16, 63, "bits of the sequencer clock");
  CL.addString("o,output", "FILE", "output pcap (nanosecond resolution)", Out);
  CL.addFlag("summary", "print what the trace contains to stdout", Summary);
  if (auto Exit = CL.parse(Argc, Argv))
    return *Exit;
  bool HavePackets = Packets.count();
  if (O.Mix.empty())
    CL.usageError("no trace kind given (use --kind KIND or --mix; kinds: " +
                  kindList() + ")");
  if (!HavePackets)
    CL.usageError("no packet count given (use --packets N)");
  if (Out.empty() && !Summary)
    CL.usageError("no output given (use -o FILE.pcap)");
  auto InMix = [&](TraceKind K) {
    for (const auto &M : O.Mix)
      if (M.first == K)
        return true;
    return false;
  };
  if (!O.Ports.empty() && !InMix(TraceKind::Services))
    CL.usageError("--ports is for the services kind, which the trace does not "
                  "have");
  if (O.MaxFrame != 1514 && !InMix(TraceKind::Services) &&
      !InMix(TraceKind::Icmp))
    CL.usageError("--max-frame is for the services and icmp kinds, which the "
                  "trace does not have");

  std::vector<Packet> Trace = generateTrace(O);
  std::string Error;
  if (!Out.empty() && !writePcap(Out, Trace, Error))
    CL.fail(Error);
  if (Summary)
    printSummary(Trace);
  return 0;
}
