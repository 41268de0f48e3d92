//===- TraceGen.cpp - Kinds, and interleaving several into one trace
//-------===//

#include "scrrt/TraceGen.h"

#include "TrafficSource.h"

#include <algorithm>
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
};
constexpr TraceKind AllKinds[] = {TraceKind::Zipf,       TraceKind::Elephant,
                                  TraceKind::TcpFlows,   TraceKind::Conntrack,
                                  TraceKind::PortKnock,  TraceKind::Bursts,
                                  TraceKind::Adversarial};

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
                                                 uint64_t StartNs) {
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
  }
  return makeZipfSource(Seed, StartNs);
}

std::vector<Packet> generateTrace(const TraceOptions &O) {
  if (O.Mix.empty())
    return {};
  std::vector<double> Weights;
  for (const auto &M : O.Mix)
    Weights.push_back(std::max(M.second, 0.0));
  std::vector<size_t> Counts = apportion(Weights, O.Packets);

  // Each kind runs on its own clock from StartNs with its own sub-seed.
  std::vector<std::vector<Packet>> Parts;
  uint64_t SeedState = O.Seed;
  for (size_t I = 0; I < O.Mix.size(); ++I) {
    uint64_t SubSeed = Random::splitMix(SeedState);
    auto Src = makeTrafficSource(O.Mix[I].first, SubSeed, O.StartNs);
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

std::vector<Packet> generateTrace(TraceKind K, size_t Packets, uint64_t Seed) {
  TraceOptions O;
  O.Mix = {{K, 1.0}};
  O.Packets = Packets;
  O.Seed = Seed;
  return generateTrace(O);
}

} // namespace scrrt
