//===- TraceGen.h - Seeded synthetic traces ---------------------*- C++ -*-===//
//
// Deterministic synthetic Ethernet traces for tests and benchmarks: the same
// kind, packet count and seed always give the same bytes. Each kind stresses
// one sort of program (docs/runtime-sequencer.md lists what each contains).
//
//===----------------------------------------------------------------------===//
#ifndef SCRRT_TRACEGEN_H
#define SCRRT_TRACEGEN_H

#include "scrrt/Packet.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace scrrt {

enum class TraceKind {
  Zipf,        // Zipf-skewed TCP and UDP flows over IPv4
  Elephant,    // one single TCP flow
  TcpFlows,    // many short TCP flows: SYN, data, FIN/ACK, sometimes RST
  Conntrack,   // bidirectional TCP connections with consistent seq/ack
  PortKnock,   // knock sequences on TCP 7000, 8000, 9000, plus background
  Bursts,      // per-flow bursts separated by idle gaps
  Adversarial, // odd framing: ARP, IPv6, VLAN, IP options, fragments, runts..
  Services,    // TCP and UDP from Zipf-skewed clients to chosen ports
  Icmp,        // ICMP echo requests and replies, some destination unreachable
};

const char *traceKindName(TraceKind K);
std::optional<TraceKind> traceKindFromName(const std::string &Name);
std::span<const TraceKind> allTraceKinds();

/// The knock sequence of the `portknock` kind (TCP destination ports).
inline constexpr uint16_t KnockPorts[3] = {7000, 8000, 9000};

/// A destination port of the `services` kind: TCP, UDP or both.
struct ServicePort {
  uint16_t Port = 0;
  bool Tcp = true, Udp = true;
};
/// Parses "53,80,udp:5000,tcp:22" (a bare port is TCP and UDP); nullopt and
/// \p Error if malformed.
std::optional<std::vector<ServicePort>> parseServicePorts(const std::string &S,
                                                          std::string &Error);

/// Largest frame a kind may draw (the standard maximum unless asked for more,
/// up to a jumbo frame).
inline constexpr size_t MaxJumboFrame = 9018;

struct TraceOptions {
  /// Kinds and their weights: one kind gives a pure trace; several are
  /// interleaved in time, each contributing about weight/sum of the packets.
  std::vector<std::pair<TraceKind, double>> Mix;
  size_t Packets = 1000;
  uint64_t Seed = 1;
  /// Arrival time of the first packet (ns since the epoch).
  uint64_t StartNs = 1'700'000'000'000'000'000ULL;
  /// Destination ports of the `services` kind (empty: 53, 80, 443).
  std::vector<ServicePort> Ports;
  /// Largest frame the `services` and `icmp` kinds draw (60 ..
  /// MaxJumboFrame; the other kinds keep to standard frames).
  size_t MaxFrame = 1514;
  /// If not 0: arrivals are re-drawn as a Poisson process of this many
  /// packets per second (exponential gaps, never shorter than the frame's
  /// time on a 10 Gb/s wire), so that idle timeouts and refills happen.
  double RatePps = 0;
  /// If not 0: the timestamps are shifted, keeping their gaps, so that the
  /// trace's midpoint is a multiple of 2^CrossWrapBits ns: a sequencer clock
  /// of that many bits (scrcc --timestamp-bits) wraps during the trace.
  unsigned CrossWrapBits = 0;
};

/// Generates the trace: exactly O.Packets frames, timestamps non-decreasing
/// (none at all if O.Mix is empty).
std::vector<Packet> generateTrace(const TraceOptions &O);
/// Convenience: a pure trace of one kind.
std::vector<Packet> generateTrace(TraceKind K, size_t Packets, uint64_t Seed);

} // namespace scrrt

#endif
