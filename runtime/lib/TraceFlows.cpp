//===- TraceFlows.cpp - Flow-level kinds: zipf, elephant, bursts
//-----------===//

#include "TrafficSource.h"

#include <queue>

namespace scrrt {

namespace {
struct Flow {
  Ipv4Spec Ip;
  uint16_t SrcPort = 0, DstPort = 0;
  bool Tcp = true;
  uint32_t Seq = 0, Ack = 0;
  uint16_t IpId = 0;
};

Flow randomFlow(Random &R, bool Tcp) {
  Flow F;
  F.Tcp = Tcp;
  F.Ip.Src = clientIp(R);
  F.Ip.Dst = 0xc0a80000 | uint32_t(R.below(1u << 16)); // 192.168.0.0/16
  F.Ip.Protocol = Tcp ? ipproto::TCP : ipproto::UDP;
  F.Ip.Ttl = uint8_t(R.range(32, 64));
  static const uint16_t TcpPorts[] = {80, 443, 22, 8080, 3306};
  static const uint16_t UdpPorts[] = {53, 123, 443, 4789, 5353};
  F.SrcPort = ephemeralPort(R);
  F.DstPort = R.chance(0.8) ? (Tcp ? TcpPorts : UdpPorts)[R.below(5)]
                            : uint16_t(R.range(1, 65535));
  F.Seq = uint32_t(R.next());
  F.Ack = uint32_t(R.next());
  F.IpId = uint16_t(R.next());
  return F;
}

/// Builds the flow's next data frame with \p Payload bytes and advances it.
std::vector<uint8_t> flowFrame(Flow &F, size_t Payload, uint8_t Flags) {
  F.Ip.Id = F.IpId++;
  if (!F.Tcp)
    return udp4Frame(F.Ip, {F.SrcPort, F.DstPort}, Payload);
  TcpSpec T{F.SrcPort, F.DstPort, F.Seq, F.Ack, Flags, 64240};
  F.Seq +=
      uint32_t(Payload) + ((Flags & (tcpflag::SYN | tcpflag::FIN)) ? 1 : 0);
  return tcp4Frame(F.Ip, T, Payload);
}

/// Internet-like size mix: many small, some medium, many full-size frames.
size_t trimodalPayload(Random &R, bool Tcp) {
  size_t Max = Tcp ? 1460 : 1472;
  double U = R.unit();
  if (U < 0.4)
    return R.below(64);
  if (U < 0.6)
    return R.range(200, 600);
  return R.chance(0.8) ? Max : R.range(600, Max);
}

class ZipfSource : public TrafficSource {
public:
  ZipfSource(uint64_t Seed, uint64_t StartNs)
      : R(Seed), Clock(StartNs, 300), Pick(NumFlows, 1.1) {
    for (unsigned I = 0; I < NumFlows; ++I)
      Flows.push_back(randomFlow(R, R.chance(0.7)));
  }
  Packet next() override {
    Flow &F = Flows[Pick(R)];
    auto Frame = flowFrame(F, trimodalPayload(R, F.Tcp),
                           tcpflag::ACK | (R.chance(0.3) ? tcpflag::PSH : 0));
    uint64_t T = Clock.stamp(R, Frame.size());
    return {T, std::move(Frame)};
  }

private:
  static constexpr unsigned NumFlows = 1024;
  Random R;
  Pacer Clock;
  ZipfSampler Pick;
  std::vector<Flow> Flows;
};

/// One bulk TCP transfer at about line rate: SYN, ACK, full-size data with
/// the odd short PSH segment. (A finite trace simply stops mid-transfer.)
class ElephantSource : public TrafficSource {
public:
  ElephantSource(uint64_t Seed, uint64_t StartNs)
      : R(Seed), Clock(StartNs, 40), F(randomFlow(R, true)) {
    F.DstPort = 443;
  }
  Packet next() override {
    std::vector<uint8_t> Frame;
    if (Sent == 0)
      Frame = flowFrame(F, 0, tcpflag::SYN);
    else if (Sent == 1)
      Frame = flowFrame(F, 0, tcpflag::ACK);
    else if (R.chance(0.05))
      Frame = flowFrame(F, R.range(1, 1459), tcpflag::ACK | tcpflag::PSH);
    else
      Frame = flowFrame(F, 1460, tcpflag::ACK);
    ++Sent;
    uint64_t T = Clock.stamp(R, Frame.size());
    return {T, std::move(Frame)};
  }

private:
  Random R;
  Pacer Clock;
  Flow F;
  uint64_t Sent = 0;
};

/// Flows that alternate between a burst of back-to-back frames and an idle
/// period, as a token-bucket policer sees them: the burst exceeds the rate,
/// the idle time refills the bucket.
class BurstSource : public TrafficSource {
public:
  BurstSource(uint64_t Seed, uint64_t StartNs) : R(Seed) {
    for (unsigned I = 0; I < NumFlows; ++I) {
      BurstyFlow B;
      B.F = randomFlow(R, R.chance(0.6));
      B.Payload = R.chance(0.5) ? R.below(64) : R.range(400, 1400);
      B.GapNs = R.range(100, 2000);
      B.Left = burstLength();
      // Flow 0 starts the trace; the others join within 200 us.
      Queue.push({StartNs + (I ? R.below(200000) : 0), I});
      Flows.push_back(B);
    }
  }
  Packet next() override {
    auto [T, I] = Queue.top();
    Queue.pop();
    BurstyFlow &B = Flows[I];
    auto Frame = flowFrame(B.F, B.Payload, tcpflag::ACK);
    uint64_t Next = T + Pacer::wireNs(Frame.size()) + B.GapNs;
    if (--B.Left == 0) {
      B.Left = burstLength();
      // Idle 100 us .. several ms: long enough to refill a bucket.
      Next += 100000 + uint64_t(R.exponential(2000000));
    }
    Queue.push({Next, I});
    return {T, std::move(Frame)};
  }

private:
  struct BurstyFlow {
    Flow F;
    size_t Payload = 0;
    uint64_t GapNs = 0;
    uint64_t Left = 0;
  };
  uint64_t burstLength() { return R.range(5, 200); }
  static constexpr unsigned NumFlows = 16;
  using Event = std::pair<uint64_t, unsigned>; // (time, flow): ties by flow
  Random R;
  std::vector<BurstyFlow> Flows;
  std::priority_queue<Event, std::vector<Event>, std::greater<Event>> Queue;
};
} // namespace

std::unique_ptr<TrafficSource> makeZipfSource(uint64_t Seed, uint64_t Start) {
  return std::make_unique<ZipfSource>(Seed, Start);
}
std::unique_ptr<TrafficSource> makeElephantSource(uint64_t Seed,
                                                  uint64_t Start) {
  return std::make_unique<ElephantSource>(Seed, Start);
}
std::unique_ptr<TrafficSource> makeBurstSource(uint64_t Seed, uint64_t Start) {
  return std::make_unique<BurstSource>(Seed, Start);
}

} // namespace scrrt
