//===- TraceConntrack.cpp - Bidirectional TCP for connection trackers
//------===//

#include "TcpConversation.h"
#include "TrafficSource.h"

namespace scrrt {

namespace {
/// Whole connections seen from both directions: three-way handshake, data
/// both ways with consistent seq/ack, then a four-way FIN teardown, an RST,
/// or nothing (abandoned). Between them, about 3% invalid segments: unknown
/// connections, out-of-window data, SYN+FIN, null scans, forged resets.
class ConntrackSource : public ScriptedSource {
public:
  ConntrackSource(uint64_t Seed, uint64_t StartNs)
      : ScriptedSource(Seed, StartNs, /*Concurrency=*/32, /*MeanIdleNs=*/600) {}

protected:
  Script newScript() override {
    TcpConversation C{R, clientIp(R), serverIp(R, 8), ephemeralPort(R),
                      uint16_t(R.chance(0.5) ? 443 : 80)};
    using namespace tcpflag;
    Script S;
    S.push_back(C.segment(true, SYN));
    if (R.chance(0.03)) // SYN retransmission: same sequence number
      S.push_back(C.forged(true, SYN, C.nextSeq(true) - 1, 0));
    if (R.chance(0.05)) { // refused
      S.push_back(C.segment(false, RST | ACK));
      return S;
    }
    S.push_back(C.segment(false, SYN | ACK));
    S.push_back(C.segment(true, ACK));
    for (uint64_t I = 0, N = R.below(10); I < N; ++I) {
      bool FromClient = R.chance(0.4);
      S.push_back(C.segment(FromClient, ACK | PSH, R.range(1, 1460)));
      if (R.chance(0.5))
        S.push_back(C.segment(!FromClient, ACK));
    }
    double U = R.unit();
    if (U < 0.75) {
      bool First = R.chance(0.7); // who closes first
      S.push_back(C.segment(First, FIN | ACK));
      S.push_back(C.segment(!First, ACK));
      S.push_back(C.segment(!First, FIN | ACK));
      S.push_back(C.segment(First, ACK));
    } else if (U < 0.9) {
      S.push_back(C.segment(R.chance(0.5), RST | ACK));
    } // else: abandoned, the tracker must time it out
    return S;
  }

  bool oneOff(std::vector<uint8_t> &Frame) override {
    if (!R.chance(0.03))
      return false;
    using namespace tcpflag;
    TcpConversation C{R, clientIp(R), serverIp(R, 8), ephemeralPort(R), 443};
    switch (R.below(5)) {
    case 0: // ACK for a connection nobody opened
      Frame = C.segment(true, ACK | PSH, R.range(1, 512));
      break;
    case 1: // data far outside any window
      Frame = C.forged(true, ACK, C.nextSeq(true) + 0x40000000u,
                       C.nextSeq(false), 100);
      break;
    case 2:
      Frame = C.segment(true, SYN | FIN);
      break;
    case 3: // null scan
      Frame = C.forged(true, 0, C.nextSeq(true), 0);
      break;
    default: // reset with a guessed sequence number
      Frame = C.forged(false, RST, uint32_t(R.next()), 0);
      break;
    }
    return true;
  }
};
} // namespace

std::unique_ptr<TrafficSource> makeConntrackSource(uint64_t Seed,
                                                   uint64_t Start) {
  return std::make_unique<ConntrackSource>(Seed, Start);
}

} // namespace scrrt
