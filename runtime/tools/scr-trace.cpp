//===- scr-trace.cpp - Generate seeded synthetic traces
//--------------------===//
//
// scr-trace --kind KIND --packets N --seed S -o FILE.pcap
//           [--ports LIST] [--max-frame B] [--rate PPS] [--cross-wrap BITS]
//
// Same arguments, same bytes (docs/runtime-sequencer.md lists the kinds).
//
//===----------------------------------------------------------------------===//

#include "scrrt/CommandLine.h"
#include "scrrt/PacketInfo.h"
#include "scrrt/Pcap.h"
#include "scrrt/TraceGen.h"

#include <cstdio>
#include <cstdlib>

using namespace scrrt;

static std::string kindList() {
  std::string S;
  for (TraceKind K : allTraceKinds())
    S += std::string(S.empty() ? "" : ", ") + traceKindName(K);
  return S;
}

static void printHelp() {
  std::printf(
      "OVERVIEW: scr-trace - seeded, deterministic synthetic Ethernet traces\n"
      "\n"
      "USAGE: scr-trace (--kind KIND | --mix KIND:W,...) --packets N "
      "[--seed S] -o FILE.pcap\n"
      "\n"
      "OPTIONS:\n"
      "  --kind KIND        one of: %s\n"
      "  --mix KIND:W,...   interleave kinds, each ~W/sum of the packets\n"
      "                     (e.g. zipf:0.9,adversarial:0.1)\n"
      "  --packets N        number of frames (exactly)\n"
      "  --seed S           random seed (default 1); same seed, same bytes\n"
      "  --start-ns T       timestamp of the first frame (default "
      "1700000000000000000)\n"
      "  --ports LIST       destination ports of the services kind, e.g.\n"
      "                     53,80,udp:5000,tcp:22 (bare: TCP and UDP;\n"
      "                     default 53,80,443)\n"
      "  --max-frame B      largest frame of the services and icmp kinds\n"
      "                     (60..%zu, default 1514)\n"
      "  --rate PPS         Poisson arrivals at PPS packets per second\n"
      "                     (gaps long enough for timeouts and refills)\n"
      "  --cross-wrap BITS  shift the clock so that a BITS-bit sequencer\n"
      "                     timestamp (scrcc --timestamp-bits) wraps in the\n"
      "                     middle of the trace (16..63)\n"
      "  -o FILE            output pcap (nanosecond resolution)\n"
      "  --summary          print what the trace contains to stdout\n"
      "  --help             display this help\n"
      "  --version          display the version\n",
      kindList().c_str(), MaxJumboFrame);
}

static void parseMix(CommandLine &CL, const std::string &Spec,
                     TraceOptions &O) {
  size_t Start = 0;
  while (Start <= Spec.size()) {
    size_t Comma = Spec.find(',', Start);
    std::string Item = Spec.substr(
        Start, Comma == std::string::npos ? std::string::npos : Comma - Start);
    size_t Colon = Item.find(':');
    std::string Name = Item.substr(0, Colon);
    auto K = traceKindFromName(Name);
    if (!K)
      CL.fail("unknown trace kind '" + Name + "' (kinds: " + kindList() + ")");
    double W = 1;
    if (Colon != std::string::npos) {
      char *End = nullptr;
      std::string WS = Item.substr(Colon + 1);
      W = std::strtod(WS.c_str(), &End);
      if (WS.empty() || *End || !(W > 0))
        CL.fail("--mix: weight '" + WS + "' of '" + Name +
                "' must be a positive number");
    }
    O.Mix.push_back({*K, W});
    if (Comma == std::string::npos)
      break;
    Start = Comma + 1;
  }
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
  CommandLine CL("scr-trace", Argc, Argv);
  TraceOptions O;
  std::string Out;
  bool HavePackets = false, Summary = false;
  while (CL.next()) {
    if (CL.is("--help") || CL.is("-h")) {
      printHelp();
      return 0;
    }
    if (CL.is("--version")) {
      std::printf("scr-trace (scrcc) %s\n", ScrccVersion);
      return 0;
    }
    if (CL.is("--kind")) {
      std::string Name = CL.value();
      auto K = traceKindFromName(Name);
      if (!K)
        CL.fail("unknown trace kind '" + Name + "' (kinds: " + kindList() +
                ")");
      O.Mix.push_back({*K, 1.0});
    } else if (CL.is("--mix")) {
      parseMix(CL, CL.value(), O);
    } else if (CL.is("--packets")) {
      O.Packets = CL.unsignedValue(100'000'000);
      HavePackets = true;
    } else if (CL.is("--seed")) {
      O.Seed = CL.unsignedValue();
    } else if (CL.is("--start-ns")) {
      O.StartNs = CL.unsignedValue(uint64_t(UINT32_MAX) * 1'000'000'000ULL);
    } else if (CL.is("--ports")) {
      std::string Error;
      auto Ports = parseServicePorts(CL.value(), Error);
      if (!Ports)
        CL.fail("--ports: " + Error);
      O.Ports = *Ports;
    } else if (CL.is("--max-frame")) {
      O.MaxFrame = CL.unsignedValue(MaxJumboFrame);
      if (O.MaxFrame < 60)
        CL.fail("--max-frame must be at least 60 bytes");
    } else if (CL.is("--rate")) {
      std::string V = CL.value();
      char *End = nullptr;
      O.RatePps = std::strtod(V.c_str(), &End);
      if (V.empty() || *End || !(O.RatePps > 0) || O.RatePps > 1e9)
        CL.fail("--rate: '" + V +
                "' is not a packet rate (packets per second, > 0)");
    } else if (CL.is("--cross-wrap")) {
      O.CrossWrapBits = unsigned(CL.unsignedValue(63));
      if (O.CrossWrapBits < 16)
        CL.fail("--cross-wrap: the sequencer clock has 16 to 63 bits (got " +
                std::to_string(O.CrossWrapBits) + ")");
    } else if (CL.is("-o") || CL.is("--output")) {
      Out = CL.value();
    } else if (CL.is("--summary")) {
      Summary = true;
    } else {
      CL.fail("unknown argument '" + CL.current() +
              "' (see 'scr-trace --help')");
    }
  }
  if (O.Mix.empty())
    CL.fail("no trace kind given (use --kind KIND or --mix; kinds: " +
            kindList() + ")");
  if (!HavePackets)
    CL.fail("no packet count given (use --packets N)");
  if (Out.empty() && !Summary)
    CL.fail("no output given (use -o FILE.pcap)");
  auto InMix = [&](TraceKind K) {
    for (const auto &M : O.Mix)
      if (M.first == K)
        return true;
    return false;
  };
  if (!O.Ports.empty() && !InMix(TraceKind::Services))
    CL.fail("--ports is for the services kind, which the trace does not "
            "have");
  if (O.MaxFrame != 1514 && !InMix(TraceKind::Services) &&
      !InMix(TraceKind::Icmp))
    CL.fail("--max-frame is for the services and icmp kinds, which the "
            "trace does not have");

  std::vector<Packet> Trace = generateTrace(O);
  std::string Error;
  if (!Out.empty() && !writePcap(Out, Trace, Error))
    CL.fail(Error);
  if (Summary)
    printSummary(Trace);
  return 0;
}
