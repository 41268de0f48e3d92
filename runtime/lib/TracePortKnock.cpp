//===- TracePortKnock.cpp - Knock sequences for a port-knocking firewall
//---===//

#include "TcpConversation.h"
#include "TrafficSource.h"

namespace scrrt {

namespace {
/// Each script is one source knocking on TCP 7000, 8000, 9000 (KnockPorts)
/// and then trying a protected port. Some knock correctly; others knock in
/// the wrong order, stop early, knock on a wrong port in between, or reset
/// midway. About 40% of frames are background traffic from other sources.
class PortKnockSource : public ScriptedSource {
public:
  PortKnockSource(uint64_t Seed, uint64_t StartNs)
      : ScriptedSource(Seed, StartNs, /*Concurrency=*/16, /*MeanIdleNs=*/800) {}

protected:
  Script newScript() override {
    uint32_t Src = clientIp(R), Dst = serverIp(R, 4);
    Script S;
    auto Knock = [&](uint16_t Port) {
      TcpConversation C{R, Src, Dst, ephemeralPort(R), Port};
      S.push_back(C.segment(true, tcpflag::SYN));
    };
    const uint16_t *K = KnockPorts;
    switch (R.below(6)) {
    case 0:
    case 1: // correct
      Knock(K[0]);
      Knock(K[1]);
      Knock(K[2]);
      break;
    case 2: // wrong order
      Knock(K[0]);
      Knock(K[2]);
      Knock(K[1]);
      break;
    case 3: // stops after one or two knocks
      Knock(K[0]);
      if (R.chance(0.5))
        Knock(K[1]);
      break;
    case 4: // a wrong port in between resets the sequence
      Knock(K[0]);
      Knock(K[1]);
      Knock(uint16_t(R.range(1024, 6999)));
      Knock(K[2]);
      break;
    default: { // reset midway, then the rest of the knocks
      Knock(K[0]);
      TcpConversation C{R, Src, Dst, ephemeralPort(R), K[1]};
      S.push_back(C.segment(true, tcpflag::SYN));
      S.push_back(C.segment(true, tcpflag::RST));
      Knock(K[2]);
      break;
    }
    }
    // Then the protected service: a short connection attempt.
    TcpConversation C{R, Src, Dst, ephemeralPort(R),
                      uint16_t(R.chance(0.7) ? 22 : 443)};
    S.push_back(C.segment(true, tcpflag::SYN));
    for (uint64_t I = 0, N = R.below(4); I < N; ++I)
      S.push_back(
          C.segment(true, tcpflag::ACK | tcpflag::PSH, R.range(1, 200)));
    return S;
  }

  bool oneOff(std::vector<uint8_t> &Frame) override {
    if (!R.chance(0.4))
      return false;
    Ipv4Spec Ip;
    Ip.Src = clientIp(R);
    Ip.Dst = serverIp(R, 4);
    Ip.Id = uint16_t(R.next());
    // Background, including the knock ports by UDP and lone TCP hits.
    uint16_t Port =
        R.chance(0.1) ? KnockPorts[R.below(3)] : uint16_t(R.range(1, 65535));
    if (R.chance(0.3)) {
      UdpSpec U{ephemeralPort(R), Port};
      Frame = udp4Frame(Ip, U, R.below(512));
    } else {
      Frame = tcp4Frame(
          Ip,
          {ephemeralPort(R), Port, uint32_t(R.next()), 0, tcpflag::SYN, 64240},
          0);
    }
    return true;
  }
};
} // namespace

std::unique_ptr<TrafficSource> makePortKnockSource(uint64_t Seed,
                                                   uint64_t Start) {
  return std::make_unique<PortKnockSource>(Seed, Start);
}

} // namespace scrrt
