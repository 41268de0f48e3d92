//===- TraceGen.cpp - Kinds, and interleaving several into one trace
//-------===//

#include "scrrt/TraceGen.h"

#include "TrafficSource.h"

#include <algorithm>
#include <cstdlib>
#include <numeric>

namespace scrrt {

namespace {
struct KindName {
  TraceKind K;
  const char *Name;
};
constexpr KindName Kinds[] = {
    {TraceKind::Zipf, "zipf"},
    {TraceKind::Elephant, "elephant"},
    {TraceKind::TcpFlows, "tcp-flows"},
    {TraceKind::Conntrack, "conntrack"},
    {TraceKind::PortKnock, "portknock"},
    {TraceKind::Bursts, "bursts"},
    {TraceKind::Adversarial, "adversarial"},
    {TraceKind::Services, "services"},
    {TraceKind::Icmp, "icmp"},
};
constexpr TraceKind AllKinds[] = {
    TraceKind::Zipf,        TraceKind::Elephant,  TraceKind::TcpFlows,
    TraceKind::Conntrack,   TraceKind::PortKnock, TraceKind::Bursts,
    TraceKind::Adversarial, TraceKind::Services,  TraceKind::Icmp};

// Packets per kind proportional to the weights (largest remainder), so the
// total is exactly Packets.
std::vector<size_t> apportion(const std::vector<double> &W, size_t Packets) {
  double Sum = std::accumulate(W.begin(), W.end(), 0.0);
  std::vector<size_t> N(W.size());
  std::vector<std::pair<double, size_t>> Rest;
  size_t Given = 0;
  for (size_t I = 0; I < W.size(); ++I) {
    double Share = Sum > 0 ? Packets * W[I] / Sum : 0;
    N[I] = size_t(Share);
    Given += N[I];
    Rest.push_back({Share - double(N[I]), I});
  }
  std::stable_sort(Rest.begin(), Rest.end(),
                   [](auto &A, auto &B) { return A.first > B.first; });
  for (size_t I = 0; Given < Packets; ++I, ++Given)
    ++N[Rest[I % Rest.size()].second];
  return N;
}
} // namespace

const char *traceKindName(TraceKind K) {
  for (const auto &E : Kinds)
    if (E.K == K)
      return E.Name;
  return "?";
}

std::optional<TraceKind> traceKindFromName(const std::string &Name) {
  for (const auto &E : Kinds)
    if (Name == E.Name)
      return E.K;
  return std::nullopt;
}

std::span<const TraceKind> allTraceKinds() { return AllKinds; }

std::unique_ptr<TrafficSource> makeTrafficSource(TraceKind K, uint64_t Seed,
                                                 const TraceOptions &O) {
  uint64_t StartNs = O.StartNs;
  switch (K) {
  case TraceKind::Zipf:
    return makeZipfSource(Seed, StartNs);
  case TraceKind::Elephant:
    return makeElephantSource(Seed, StartNs);
  case TraceKind::TcpFlows:
    return makeTcpFlowsSource(Seed, StartNs);
  case TraceKind::Conntrack:
    return makeConntrackSource(Seed, StartNs);
  case TraceKind::PortKnock:
    return makePortKnockSource(Seed, StartNs);
  case TraceKind::Bursts:
    return makeBurstSource(Seed, StartNs);
  case TraceKind::Adversarial:
    return makeAdversarialSource(Seed, StartNs);
  case TraceKind::Services:
    return makeServicesSource(Seed, O);
  case TraceKind::Icmp:
    return makeIcmpSource(Seed, O);
  }
  return makeZipfSource(Seed, StartNs);
}

namespace {
/// The kinds' frames, interleaved by time.
std::vector<Packet> mixKinds(const TraceOptions &O) {
  std::vector<double> Weights;
  for (const auto &M : O.Mix)
    Weights.push_back(std::max(M.second, 0.0));
  std::vector<size_t> Counts = apportion(Weights, O.Packets);

  // Each kind runs on its own clock from StartNs with its own sub-seed.
  std::vector<std::vector<Packet>> Parts;
  uint64_t SeedState = O.Seed;
  for (size_t I = 0; I < O.Mix.size(); ++I) {
    uint64_t SubSeed = Random::splitMix(SeedState);
    auto Src = makeTrafficSource(O.Mix[I].first, SubSeed, O);
    std::vector<Packet> Part;
    Part.reserve(Counts[I]);
    for (size_t J = 0; J < Counts[I]; ++J)
      Part.push_back(Src->next());
    Parts.push_back(std::move(Part));
  }
  if (Parts.size() == 1)
    return std::move(Parts[0]);

  // Interleave: stretch every part's time axis to the longest part's span
  // (stretching only, so no frame gets closer to the previous than the wire
  // allows), then merge by time; ties go to the earlier kind in the mix.
  uint64_t Span = 0;
  for (const auto &P : Parts)
    if (!P.empty())
      Span = std::max(Span, P.back().TimestampNs - O.StartNs);
  for (auto &P : Parts) {
    if (P.empty() || P.back().TimestampNs == O.StartNs)
      continue;
    double Stretch = double(Span) / double(P.back().TimestampNs - O.StartNs);
    for (Packet &Pk : P)
      Pk.TimestampNs =
          O.StartNs + uint64_t(double(Pk.TimestampNs - O.StartNs) * Stretch);
  }
  std::vector<Packet> Out;
  Out.reserve(O.Packets);
  std::vector<size_t> Pos(Parts.size(), 0);
  for (size_t N = 0; N < O.Packets; ++N) {
    size_t Best = Parts.size();
    for (size_t I = 0; I < Parts.size(); ++I)
      if (Pos[I] < Parts[I].size() &&
          (Best == Parts.size() ||
           Parts[I][Pos[I]].TimestampNs < Parts[Best][Pos[Best]].TimestampNs))
        Best = I;
    Out.push_back(std::move(Parts[Best][Pos[Best]++]));
  }
  return Out;
}

/// Poisson arrivals at \p RatePps from the first frame's time on.
void redrawArrivals(std::vector<Packet> &Trace, double RatePps, uint64_t Seed) {
  uint64_t State = Seed ^ 0x5241544550505300ULL; // its own stream
  Random R(Random::splitMix(State));
  uint64_t T = Trace.front().TimestampNs;
  for (Packet &P : Trace) {
    P.TimestampNs = T;
    T += std::max<uint64_t>(Pacer::wireNs(P.Data.size()),
                            uint64_t(R.exponential(1e9 / RatePps)));
  }
}

/// Shifts the timestamps so that the trace's midpoint is the first multiple
/// of 2^Bits after its start.
void crossWrap(std::vector<Packet> &Trace, unsigned Bits) {
  uint64_t First = Trace.front().TimestampNs;
  uint64_t Span = Trace.back().TimestampNs - First;
  uint64_t Wrap = uint64_t(1) << Bits;
  uint64_t Mid = (First / Wrap + 1) * Wrap;
  uint64_t Start = Mid - std::min(Span / 2, Mid);
  for (Packet &P : Trace)
    P.TimestampNs = P.TimestampNs - First + Start;
}
} // namespace

std::vector<Packet> generateTrace(const TraceOptions &O) {
  if (O.Mix.empty() || O.Packets == 0)
    return {};
  std::vector<Packet> Trace = mixKinds(O);
  if (O.RatePps > 0)
    redrawArrivals(Trace, O.RatePps, O.Seed);
  if (O.CrossWrapBits)
    crossWrap(Trace, O.CrossWrapBits);
  return Trace;
}

std::optional<std::vector<ServicePort>> parseServicePorts(const std::string &S,
                                                          std::string &Error) {
  std::vector<ServicePort> Ports;
  size_t Start = 0;
  while (true) {
    size_t Comma = S.find(',', Start);
    std::string Item = S.substr(
        Start, Comma == std::string::npos ? std::string::npos : Comma - Start);
    ServicePort P;
    std::string Number = Item;
    if (Item.rfind("tcp:", 0) == 0 || Item.rfind("udp:", 0) == 0) {
      P.Tcp = Item[0] == 't';
      P.Udp = !P.Tcp;
      Number = Item.substr(4);
    }
    char *End = nullptr;
    unsigned long V = std::strtoul(Number.c_str(), &End, 10);
    if (Number.empty() || *End || Number[0] == '-' || Number[0] == '+' ||
        V == 0 || V > 65535) {
      Error = "'" + Item + "' is not a port (1-65535, optionally tcp: or udp:)";
      return std::nullopt;
    }
    P.Port = uint16_t(V);
    Ports.push_back(P);
    if (Comma == std::string::npos)
      return Ports;
    Start = Comma + 1;
  }
}

std::vector<Packet> generateTrace(TraceKind K, size_t Packets, uint64_t Seed) {
  TraceOptions O;
  O.Mix = {{K, 1.0}};
  O.Packets = Packets;
  O.Seed = Seed;
  return generateTrace(O);
}

} // namespace scrrt
