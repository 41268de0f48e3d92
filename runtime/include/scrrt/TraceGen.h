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
};

const char *traceKindName(TraceKind K);
std::optional<TraceKind> traceKindFromName(const std::string &Name);
std::span<const TraceKind> allTraceKinds();

/// The knock sequence of the `portknock` kind (TCP destination ports).
inline constexpr uint16_t KnockPorts[3] = {7000, 8000, 9000};

struct TraceOptions {
  /// Kinds and their weights: one kind gives a pure trace; several are
  /// interleaved in time, each contributing about weight/sum of the packets.
  std::vector<std::pair<TraceKind, double>> Mix;
  size_t Packets = 1000;
  uint64_t Seed = 1;
  /// Arrival time of the first packet (ns since the epoch).
  uint64_t StartNs = 1'700'000'000'000'000'000ULL;
};

/// Generates the trace: exactly O.Packets frames, timestamps non-decreasing
/// (none at all if O.Mix is empty).
std::vector<Packet> generateTrace(const TraceOptions &O);
/// Convenience: a pure trace of one kind.
std::vector<Packet> generateTrace(TraceKind K, size_t Packets, uint64_t Seed);

} // namespace scrrt

#endif
