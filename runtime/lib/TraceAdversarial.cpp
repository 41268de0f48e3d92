//===- TraceAdversarial.cpp - Frames that test a program's parsing
//---------===//
//
// Everything a parser must survive: other EtherTypes, ARP, IPv6, VLAN and
// QinQ tags, IPv4 options, fragments, frames cut inside the IP or TCP/UDP
// header, bogus header lengths, empty payloads, the smallest and largest
// frames, traffic to the special ports of the example programs, and a few
// runts (< 14 bytes; tools drop them before sequencing). Every frame except
// the runts has a complete Ethernet header.
//
//===----------------------------------------------------------------------===//

#include "TrafficSource.h"

namespace scrrt {

namespace {
enum Category {
  NonIp,
  Ipv6,
  Arp,
  Vlan,
  QinQ,
  Ipv4Options,
  FirstFragment,
  LaterFragment,
  CutInIpHeader,
  CutInL4Header,
  BogusIhl,
  LengthMismatch,
  EmptyPayload,
  MinimumFrame,
  MaximumFrame,
  SpecialPorts,
  Icmp,
  Runt,
  NumCategories
};

class AdversarialSource : public TrafficSource {
public:
  AdversarialSource(uint64_t Seed, uint64_t StartNs)
      : R(Seed), Clock(StartNs, 400) {
    // The first NumCategories frames show every category once, in a
    // seed-dependent order, so even short traces contain all of them.
    for (unsigned I = 0; I < NumCategories; ++I)
      FirstRound.push_back(Category(I));
    for (size_t I = FirstRound.size(); I > 1; --I)
      std::swap(FirstRound[I - 1], FirstRound[R.below(I)]);
  }

  Packet next() override {
    Category C;
    if (Emitted < FirstRound.size())
      C = FirstRound[Emitted];
    else if (R.chance(0.01))
      C = Runt;
    else
      C = Category(R.below(Runt)); // every category but runts, uniformly
    ++Emitted;
    std::vector<uint8_t> F = build(C);
    uint64_t T = Clock.stamp(R, std::max(F.size(), MinEthernetFrame));
    return {T, std::move(F)};
  }

private:
  Ipv4Spec ip(uint8_t Proto) {
    Ipv4Spec Ip;
    Ip.Src = 0x0a000000 | uint32_t(R.below(64)); // few sources: state repeats
    Ip.Dst = serverIp(R, 4);
    Ip.Protocol = Proto;
    Ip.Id = uint16_t(R.next());
    return Ip;
  }
  EthernetSpec eth(const Ipv4Spec &Ip) {
    EthernetSpec E;
    E.Dst = macFor(Ip.Dst);
    E.Src = macFor(Ip.Src);
    return E;
  }
  uint16_t port() {
    static const uint16_t Special[] = {7000, 8000, 9000, 22, 53, 80, 443};
    return R.chance(0.5) ? Special[R.below(7)] : uint16_t(R.range(0, 65535));
  }
  /// TCP or UDP header + payload for \p Ip (whose protocol it sets).
  std::vector<uint8_t> l4(Ipv4Spec &Ip, size_t Payload) {
    auto Data = patternPayload(Payload, uint8_t(R.next()));
    if (R.chance(0.5)) {
      Ip.Protocol = ipproto::UDP;
      return udpDatagram({ephemeralPort(R), port()}, Ip.Src, Ip.Dst, Data);
    }
    Ip.Protocol = ipproto::TCP;
    TcpSpec T{ephemeralPort(R),     port(),
              uint32_t(R.next()),   uint32_t(R.next()),
              uint8_t(R.below(64)), 1024};
    return tcpSegment(T, Ip.Src, Ip.Dst, Data);
  }
  std::vector<uint8_t> tcpOrUdp4(size_t Payload) {
    Ipv4Spec Ip = ip(ipproto::TCP);
    auto L4 = l4(Ip, Payload);
    return ipv4Frame(eth(Ip), Ip, L4);
  }

  std::vector<uint8_t> build(Category C) {
    switch (C) {
    case NonIp: {
      static const uint16_t Types[] = {ethertype::LLDP, 0x9000, 0x8137, 0x88F7,
                                       0x0600};
      EthernetSpec E{macFor(1), macFor(uint32_t(R.next())), {}};
      auto F = ethernetHeader(E, Types[R.below(5)]);
      auto P = patternPayload(R.range(0, 200), 7);
      F.insert(F.end(), P.begin(), P.end());
      padFrame(F);
      return F;
    }
    case Ipv6:
      return ipv6Frame();
    case Arp:
      return arpFrame();
    case Vlan:
    case QinQ: {
      Ipv4Spec Ip = ip(ipproto::TCP);
      auto L4 = l4(Ip, R.below(300));
      EthernetSpec E = eth(Ip);
      if (C == QinQ)
        E.Vlans.push_back({ethertype::QinQ, uint16_t(R.range(1, 4094))});
      E.Vlans.push_back({ethertype::VLAN, uint16_t(R.range(1, 4094))});
      return ipv4Frame(E, Ip, L4);
    }
    case Ipv4Options: {
      Ipv4Spec Ip = ip(ipproto::TCP);
      size_t Words = R.range(1, 10);   // IHL 6..15
      Ip.Options.assign(Words * 4, 1); // NOPs...
      Ip.Options[0] = 7;               // ...after a record-route option
      Ip.Options[1] = uint8_t(std::min<size_t>(Words * 4 - 1, 39));
      Ip.Options[2] = 4;
      for (size_t I = 3; I < Ip.Options[1]; ++I)
        Ip.Options[I] = 0; // empty route slots
      auto L4 = l4(Ip, R.below(200));
      return ipv4Frame(eth(Ip), Ip, L4);
    }
    case FirstFragment: {
      Ipv4Spec Ip = ip(ipproto::TCP);
      Ip.DontFragment = false;
      Ip.MoreFragments = true;
      auto L4 = l4(Ip, 8 * R.range(1, 100)); // whole 8-byte blocks
      return ipv4Frame(eth(Ip), Ip, L4);
    }
    case LaterFragment: {
      // No L4 header here: the bytes at the "port" offsets are payload.
      Ipv4Spec Ip = ip(R.chance(0.5) ? ipproto::TCP : ipproto::UDP);
      Ip.DontFragment = false;
      Ip.MoreFragments = R.chance(0.5);
      Ip.FragmentOffset8 = uint16_t(R.range(1, 8000));
      return ipv4Frame(eth(Ip), Ip, patternPayload(R.range(8, 1400), 3));
    }
    case CutInIpHeader: {
      auto F = tcpOrUdp4(R.below(100));
      F.resize(14 + R.range(1, 19)); // ends inside the 20-byte IP header
      return F;
    }
    case CutInL4Header: {
      Ipv4Spec Ip = ip(ipproto::TCP);
      auto L4 = l4(Ip, 0);
      auto F = ipv4Frame(eth(Ip), Ip, L4);
      size_t L4Header = Ip.Protocol == ipproto::TCP ? 20 : 8;
      F.resize(14 + 20 + R.range(0, L4Header - 1)); // header incomplete
      return F;
    }
    case BogusIhl: {
      auto F = tcpOrUdp4(R.below(100));
      F[14] = uint8_t(0x40 | R.below(5)); // IHL 0..4: shorter than allowed
      return F;
    }
    case LengthMismatch: {
      auto F = tcpOrUdp4(R.range(20, 400));
      uint16_t Claimed = R.chance(0.5) ? uint16_t(R.range(1400, 65535))
                                       : uint16_t(R.range(0, 19));
      F[16] = uint8_t(Claimed >> 8); // IP total length disagrees with frame
      F[17] = uint8_t(Claimed);
      return F;
    }
    case EmptyPayload:
      return tcpOrUdp4(0);
    case MinimumFrame: {
      auto F = tcpOrUdp4(0);
      F.resize(MinEthernetFrame, 0); // TCP: 54 -> 60; UDP: 42 -> 60
      return F;
    }
    case MaximumFrame: {
      Ipv4Spec Ip = ip(ipproto::TCP);
      bool Tcp = R.chance(0.5);
      auto Data = patternPayload(Tcp ? 1460 : 1472, 9);
      std::vector<uint8_t> L4;
      if (Tcp) {
        Ip.Protocol = ipproto::TCP;
        L4 = tcpSegment({ephemeralPort(R), port(), uint32_t(R.next()), 0,
                         tcpflag::ACK, 1024},
                        Ip.Src, Ip.Dst, Data);
      } else {
        Ip.Protocol = ipproto::UDP;
        L4 = udpDatagram({ephemeralPort(R), port()}, Ip.Src, Ip.Dst, Data);
      }
      return ipv4Frame(eth(Ip), Ip, L4); // 14 + 20 + 1480 = 1514
    }
    case SpecialPorts: {
      Ipv4Spec Ip = ip(ipproto::TCP);
      uint16_t Port = KnockPorts[R.below(3)];
      if (R.chance(0.7))
        return tcp4Frame(
            Ip,
            {ephemeralPort(R), Port, uint32_t(R.next()), 0, tcpflag::SYN, 1024},
            0);
      UdpSpec U{ephemeralPort(R), Port};
      return udp4Frame(Ip, U, R.below(64));
    }
    case Icmp: {
      Ipv4Spec Ip = ip(ipproto::ICMP);
      std::vector<uint8_t> Echo = {8, 0, 0, 0, 0, 1, 0, 1};
      auto P = patternPayload(56, 1);
      Echo.insert(Echo.end(), P.begin(), P.end());
      uint16_t Sum = internetChecksum(Echo);
      Echo[2] = uint8_t(Sum >> 8);
      Echo[3] = uint8_t(Sum);
      return ipv4Frame(eth(Ip), Ip, Echo);
    }
    case Runt:
    case NumCategories:
      break;
    }
    // A runt: the first bytes of some frame, shorter than Ethernet's header.
    auto F = tcpOrUdp4(0);
    F.resize(R.below(MinFrameBytes));
    return F;
  }

  std::vector<uint8_t> ipv6Frame() {
    EthernetSpec E{macFor(2), macFor(uint32_t(R.below(64))), {}};
    auto F = ethernetHeader(E, ethertype::IPv6);
    uint8_t Next = R.chance(0.4)   ? ipproto::TCP
                   : R.chance(0.5) ? ipproto::UDP
                                   : ipproto::ICMPv6;
    std::vector<uint8_t> L4;
    size_t Payload = R.below(200);
    if (Next == ipproto::TCP) {
      L4 = tcpSegment(
          {ephemeralPort(R), port(), uint32_t(R.next()), 0, tcpflag::SYN, 1024},
          0, 0, patternPayload(Payload, 5));
    } else if (Next == ipproto::UDP) {
      L4 = udpDatagram({ephemeralPort(R), port()}, 0, 0,
                       patternPayload(Payload, 5));
    } else {
      L4 = {128, 0, 0, 0, 0, 1, 0, 1}; // echo request
    }
    // (L4 checksums use a zero IPv4 pseudo header: fine for parsers.)
    const uint8_t Hdr[8] = {
        0x60, 0, 0, 0, uint8_t(L4.size() >> 8), uint8_t(L4.size()), Next, 64};
    F.insert(F.end(), Hdr, Hdr + 8);
    for (int Addr = 0; Addr < 2; ++Addr) { // 2001:db8::/32
      const uint8_t Prefix[4] = {0x20, 0x01, 0x0d, 0xb8};
      F.insert(F.end(), Prefix, Prefix + 4);
      for (int I = 0; I < 12; ++I)
        F.push_back(I == 11 ? uint8_t(R.below(64) + Addr * 100) : 0);
    }
    F.insert(F.end(), L4.begin(), L4.end());
    padFrame(F);
    return F;
  }

  std::vector<uint8_t> arpFrame() {
    uint32_t Sender = 0x0a000000 | uint32_t(R.below(64)),
             Target = serverIp(R, 4);
    bool Reply = R.chance(0.5);
    MacAddr Bcast = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    EthernetSpec E{Reply ? macFor(Target) : Bcast, macFor(Sender), {}};
    auto F = ethernetHeader(E, ethertype::ARP);
    const uint8_t Fixed[8] = {0, 1, 8, 0, 6, 4, 0, uint8_t(Reply ? 2 : 1)};
    F.insert(F.end(), Fixed, Fixed + 8);
    auto PutAddr = [&](uint32_t Ip, bool Zero) {
      MacAddr M = macFor(Ip);
      for (uint8_t B : M)
        F.push_back(Zero ? 0 : B);
      for (int S = 24; S >= 0; S -= 8)
        F.push_back(uint8_t(Ip >> S));
    };
    PutAddr(Sender, false);
    PutAddr(Target, !Reply);
    padFrame(F);
    return F;
  }

  Random R;
  Pacer Clock;
  std::vector<Category> FirstRound;
  size_t Emitted = 0;
};
} // namespace

std::unique_ptr<TrafficSource> makeAdversarialSource(uint64_t Seed,
                                                     uint64_t Start) {
  return std::make_unique<AdversarialSource>(Seed, Start);
}

} // namespace scrrt
