//===- TrafficSource.h - One kind of synthetic traffic (internal) -*- C++
//-*-===//
//
// Private to runtime/lib: each trace kind is a TrafficSource producing an
// endless stream of frames with non-decreasing timestamps; TraceGen.cpp
// takes a prefix of it, or interleaves several.
//
//===----------------------------------------------------------------------===//
#ifndef SCRRT_LIB_TRAFFICSOURCE_H
#define SCRRT_LIB_TRAFFICSOURCE_H

#include "scrrt/FrameBuilder.h"
#include "scrrt/Packet.h"
#include "scrrt/Random.h"
#include "scrrt/TraceGen.h"

#include <deque>
#include <memory>

namespace scrrt {

class TrafficSource {
public:
  virtual ~TrafficSource() = default;
  /// The next frame; timestamps never decrease.
  virtual Packet next() = 0;
};

std::unique_ptr<TrafficSource> makeTrafficSource(TraceKind K, uint64_t Seed,
                                                 const TraceOptions &O);
// One factory per kind (TraceFlows.cpp, TraceTcpFlows.cpp, ...).
std::unique_ptr<TrafficSource> makeZipfSource(uint64_t Seed, uint64_t Start);
std::unique_ptr<TrafficSource> makeElephantSource(uint64_t Seed,
                                                  uint64_t Start);
std::unique_ptr<TrafficSource> makeBurstSource(uint64_t Seed, uint64_t Start);
std::unique_ptr<TrafficSource> makeTcpFlowsSource(uint64_t Seed,
                                                  uint64_t Start);
std::unique_ptr<TrafficSource> makeConntrackSource(uint64_t Seed,
                                                   uint64_t Start);
std::unique_ptr<TrafficSource> makePortKnockSource(uint64_t Seed,
                                                   uint64_t Start);
std::unique_ptr<TrafficSource> makeAdversarialSource(uint64_t Seed,
                                                     uint64_t Start);
// TraceServices.cpp: these read O.Ports and O.MaxFrame.
std::unique_ptr<TrafficSource> makeServicesSource(uint64_t Seed,
                                                  const TraceOptions &O);
std::unique_ptr<TrafficSource> makeIcmpSource(uint64_t Seed,
                                              const TraceOptions &O);

/// Arrival times on a 10 Gb/s link: a frame occupies the wire for its bytes
/// plus preamble, FCS and inter-frame gap; on top comes a Poisson gap.
class Pacer {
public:
  Pacer(uint64_t StartNs, double MeanIdleNs)
      : Now(StartNs), MeanIdleNs(MeanIdleNs) {}
  uint64_t stamp(Random &R, size_t FrameBytes) {
    uint64_t T = Now;
    Now += wireNs(FrameBytes) + uint64_t(R.exponential(MeanIdleNs));
    return T;
  }
  void idle(uint64_t Ns) { Now += Ns; }
  static uint64_t wireNs(size_t FrameBytes) {
    return (uint64_t(FrameBytes) + 24) * 4 / 5; // 0.8 ns per byte at 10G
  }

private:
  uint64_t Now;
  double MeanIdleNs;
};

/// A source made of many short scripted conversations (a TCP connection, a
/// knock sequence...) of which several are active at once and interleave.
class ScriptedSource : public TrafficSource {
public:
  ScriptedSource(uint64_t Seed, uint64_t StartNs, unsigned Concurrency,
                 double MeanIdleNs)
      : R(Seed), Clock(StartNs, MeanIdleNs), Active(Concurrency) {}

  Packet next() override {
    std::vector<uint8_t> Frame;
    if (!oneOff(Frame)) {
      size_t I = R.below(Active.size());
      while (Active[I].empty())
        Active[I] = newScript();
      Frame = std::move(Active[I].front());
      Active[I].pop_front();
    }
    uint64_t T = Clock.stamp(R, Frame.size());
    return {T, std::move(Frame)};
  }

protected:
  using Script = std::deque<std::vector<uint8_t>>;
  /// A new conversation, in order; never empty.
  virtual Script newScript() = 0;
  /// Optionally a frame outside any script (background, invalid packets).
  virtual bool oneOff(std::vector<uint8_t> &) { return false; }

  Random R;

private:
  Pacer Clock;
  std::vector<Script> Active;
};

// Determinism note: C++ leaves the evaluation order of function arguments
// unspecified, so two draws from a Random never go into the arguments of one
// call; braced initialisers (which are ordered left to right) are used instead.

/// Random addresses in a few realistic ranges.
inline uint32_t clientIp(Random &R) {
  return 0x0a000000 | uint32_t(R.below(1u << 24));
}
inline uint32_t serverIp(Random &R, unsigned Pool) {
  return 0xc0a80001 + uint32_t(R.below(Pool)); // 192.168.0.1 + i
}
inline uint16_t ephemeralPort(Random &R) {
  return uint16_t(R.range(32768, 60999));
}

} // namespace scrrt

#endif
