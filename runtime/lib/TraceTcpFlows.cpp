//===- TraceTcpFlows.cpp - Many short client-to-server TCP flows
//-----------===//

#include "TcpConversation.h"
#include "TrafficSource.h"

namespace scrrt {

namespace {
/// Client side of short connections: SYN, handshake ACK, a few data
/// segments, then FIN/ACK, or an RST (sometimes before any data).
class TcpFlowsSource : public ScriptedSource {
public:
  TcpFlowsSource(uint64_t Seed, uint64_t StartNs)
      : ScriptedSource(Seed, StartNs, /*Concurrency=*/64, /*MeanIdleNs=*/500) {}

protected:
  Script newScript() override {
    static const uint16_t Ports[] = {80, 443, 22, 25, 8080};
    uint16_t Dport =
        R.chance(0.9) ? Ports[R.below(5)] : uint16_t(R.range(1, 65535));
    TcpConversation C{R, clientIp(R), serverIp(R, 16), ephemeralPort(R), Dport};
    Script S;
    S.push_back(C.segment(true, tcpflag::SYN));
    S.push_back(C.segment(true, tcpflag::ACK));
    bool Reset = R.chance(0.15);
    uint64_t Data = R.below(9);
    if (Reset)
      Data = R.below(Data + 1); // the reset may come midway
    for (uint64_t I = 0; I < Data; ++I)
      S.push_back(
          C.segment(true, tcpflag::ACK | tcpflag::PSH, R.range(1, 1460)));
    if (Reset)
      S.push_back(C.segment(true, tcpflag::RST | tcpflag::ACK));
    else
      S.push_back(C.segment(true, tcpflag::FIN | tcpflag::ACK));
    return S;
  }
};
} // namespace

std::unique_ptr<TrafficSource> makeTcpFlowsSource(uint64_t Seed,
                                                  uint64_t Start) {
  return std::make_unique<TcpFlowsSource>(Seed, Start);
}

} // namespace scrrt
