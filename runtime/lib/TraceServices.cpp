//===- TraceServices.cpp - Kinds that reach a program's rules: services, icmp
//===//
//
// `services`: TCP and UDP from Zipf-skewed clients to the ports a program
// cares about (TraceOptions::Ports), so that rule tables, per-port limits
// and heavy sources all see traffic. `icmp`: echo requests and replies, and
// destination-unreachable errors. Both draw frames up to
// TraceOptions::MaxFrame.
//
//===----------------------------------------------------------------------===//

#include "TrafficSource.h"

#include <map>

namespace scrrt {

namespace {

/// A payload for a frame of at most \p MaxFrame bytes with \p Headers bytes
/// of headers: many small, some medium, many as large as allowed.
size_t payloadUpTo(Random &R, size_t MaxFrame, size_t Headers) {
  size_t Max = MaxFrame > Headers ? MaxFrame - Headers : 0;
  double U = R.unit();
  if (U < 0.4 || Max < 64)
    return R.below(std::min<size_t>(Max, 64) + 1);
  if (U < 0.6)
    return R.range(std::min<size_t>(200, Max), std::min<size_t>(600, Max));
  return R.chance(0.8) ? Max : R.range(std::min<size_t>(600, Max), Max);
}

constexpr size_t EthIp = 14 + 20;

class ServicesSource : public TrafficSource {
public:
  ServicesSource(uint64_t Seed, const TraceOptions &O)
      : R(Seed), Clock(O.StartNs, 2000), Pick(NumClients, 1.1),
        MaxFrame(O.MaxFrame) {
    std::vector<ServicePort> Ports = O.Ports;
    if (Ports.empty())
      Ports = {{53, true, true}, {80, true, true}, {443, true, true}};
    for (const ServicePort &P : Ports) {
      if (P.Tcp)
        Services.push_back({P.Port, true});
      if (P.Udp)
        Services.push_back({P.Port, false});
    }
    for (unsigned I = 0; I < NumClients; ++I)
      Clients.push_back(clientIp(R));
  }

  Packet next() override {
    uint32_t Client = Clients[Pick(R)];
    unsigned S = unsigned(R.below(Services.size()));
    auto [Port, Tcp] = Services[S];
    Conversation &C = Conversations[{Client, S}];
    if (!C.SrcPort) {
      C.SrcPort = ephemeralPort(R);
      C.Seq = uint32_t(R.next());
      C.Server = serverIp(R, 4);
    }
    Ipv4Spec Ip;
    Ip.Src = Client;
    Ip.Dst = C.Server;
    Ip.Id = C.IpId++;
    Ip.Ttl = 64;
    std::vector<uint8_t> Frame;
    bool Ended = false;
    if (!Tcp) {
      Frame =
          udp4Frame(Ip, {C.SrcPort, Port}, payloadUpTo(R, MaxFrame, EthIp + 8));
    } else {
      uint8_t Flags = tcpflag::ACK | tcpflag::PSH;
      size_t Payload = payloadUpTo(R, MaxFrame, EthIp + 20);
      if (C.Sent == 0) {
        Flags = tcpflag::SYN;
        Payload = 0;
      } else if (R.chance(0.02)) {
        Flags = tcpflag::FIN | tcpflag::ACK;
        Payload = 0;
      }
      Frame = tcp4Frame(Ip, {C.SrcPort, Port, C.Seq, 1, Flags, 64240}, Payload);
      C.Seq +=
          uint32_t(Payload) + ((Flags & (tcpflag::SYN | tcpflag::FIN)) ? 1 : 0);
      Ended = Flags & tcpflag::FIN;
    }
    ++C.Sent;
    if (Ended)
      Conversations.erase({Client, S}); // the next one is a new connection
    uint64_t T = Clock.stamp(R, Frame.size());
    return {T, std::move(Frame)};
  }

private:
  struct Conversation {
    uint16_t SrcPort = 0, IpId = 0;
    uint32_t Seq = 0, Server = 0;
    uint64_t Sent = 0;
  };
  static constexpr unsigned NumClients = 64;
  Random R;
  Pacer Clock;
  ZipfSampler Pick;
  size_t MaxFrame;
  std::vector<std::pair<uint16_t, bool>> Services; // (port, TCP)
  std::vector<uint32_t> Clients;
  std::map<std::pair<uint32_t, unsigned>, Conversation> Conversations;
};

namespace icmp {
constexpr uint8_t EchoReply = 0, Unreachable = 3, EchoRequest = 8;
constexpr uint8_t PortUnreachable = 3;
} // namespace icmp

Ipv4Spec icmpIp(uint32_t Src, uint32_t Dst) {
  Ipv4Spec Ip;
  Ip.Src = Src;
  Ip.Dst = Dst;
  Ip.Protocol = ipproto::ICMP;
  return Ip;
}

class IcmpSource : public TrafficSource {
public:
  IcmpSource(uint64_t Seed, const TraceOptions &O)
      : R(Seed), Clock(O.StartNs, 5000), MaxFrame(O.MaxFrame) {
    for (unsigned I = 0; I < NumPingers; ++I)
      Pingers.push_back({clientIp(R), serverIp(R, 4), uint16_t(R.next()), 0});
  }

  Packet next() override {
    std::vector<uint8_t> Frame;
    if (PendingReply) {
      Frame = std::move(*PendingReply);
      PendingReply.reset();
    } else if (R.chance(0.05)) {
      // A server's port unreachable, quoting the datagram's headers.
      const Pinger &P = Pingers[R.below(Pingers.size())];
      Frame = icmp4Frame(icmpIp(P.Server, P.Client), icmp::Unreachable,
                         icmp::PortUnreachable, 0, 20 + 8);
    } else {
      Pinger &P = Pingers[R.below(Pingers.size())];
      size_t Payload = payloadUpTo(R, MaxFrame, EthIp + 8);
      uint32_t IdSeq = uint32_t(P.Id) << 16 | P.Seq++;
      Frame = icmp4Frame(icmpIp(P.Client, P.Server), icmp::EchoRequest, 0,
                         IdSeq, Payload);
      if (R.chance(0.9)) {
        PendingReply = icmp4Frame(icmpIp(P.Server, P.Client), icmp::EchoReply,
                                  0, IdSeq, Payload);
      }
    }
    uint64_t T = Clock.stamp(R, Frame.size());
    return {T, std::move(Frame)};
  }

private:
  struct Pinger {
    uint32_t Client, Server;
    uint16_t Id, Seq;
  };
  static constexpr unsigned NumPingers = 32;
  Random R;
  Pacer Clock;
  size_t MaxFrame;
  std::vector<Pinger> Pingers;
  std::optional<std::vector<uint8_t>> PendingReply;
};

} // namespace

std::unique_ptr<TrafficSource> makeServicesSource(uint64_t Seed,
                                                  const TraceOptions &O) {
  return std::make_unique<ServicesSource>(Seed, O);
}
std::unique_ptr<TrafficSource> makeIcmpSource(uint64_t Seed,
                                              const TraceOptions &O) {
  return std::make_unique<IcmpSource>(Seed, O);
}

} // namespace scrrt
