//===- FrameBuilder.cpp - Building well-formed frames
//----------------------===//

#include "scrrt/FrameBuilder.h"

namespace scrrt {

namespace {
void put16(std::vector<uint8_t> &B, uint16_t V) {
  B.push_back(uint8_t(V >> 8));
  B.push_back(uint8_t(V));
}
void put32(std::vector<uint8_t> &B, uint32_t V) {
  put16(B, uint16_t(V >> 16));
  put16(B, uint16_t(V));
}
void store16(std::vector<uint8_t> &B, size_t Off, uint16_t V) {
  B[Off] = uint8_t(V >> 8);
  B[Off + 1] = uint8_t(V);
}
// Sum of the IPv4 pseudo header, for TCP and UDP checksums.
uint32_t pseudoHeaderSum(uint32_t Src, uint32_t Dst, uint8_t Proto,
                         size_t Len) {
  return (Src >> 16) + (Src & 0xffff) + (Dst >> 16) + (Dst & 0xffff) + Proto +
         uint32_t(Len);
}
} // namespace

MacAddr macFor(uint32_t Ip) {
  return {
      0x02,       0x00, uint8_t(Ip >> 24), uint8_t(Ip >> 16), uint8_t(Ip >> 8),
      uint8_t(Ip)};
}

std::vector<uint8_t> patternPayload(size_t Bytes, uint8_t Salt) {
  std::vector<uint8_t> P(Bytes);
  for (size_t I = 0; I < Bytes; ++I)
    P[I] = uint8_t(I * 31 + Salt);
  return P;
}

uint16_t internetChecksum(std::span<const uint8_t> Bytes, uint32_t Sum) {
  uint64_t S = Sum;
  size_t I = 0;
  for (; I + 1 < Bytes.size(); I += 2)
    S += uint32_t(Bytes[I]) << 8 | Bytes[I + 1];
  if (I < Bytes.size())
    S += uint32_t(Bytes[I]) << 8;
  while (S >> 16)
    S = (S & 0xffff) + (S >> 16);
  return uint16_t(~S);
}

std::vector<uint8_t> ethernetHeader(const EthernetSpec &E, uint16_t EtherType) {
  std::vector<uint8_t> B(E.Dst.begin(), E.Dst.end());
  B.insert(B.end(), E.Src.begin(), E.Src.end());
  for (auto [Tpid, Tci] : E.Vlans) {
    put16(B, Tpid);
    put16(B, Tci);
  }
  put16(B, EtherType);
  return B;
}

std::vector<uint8_t> ipv4Header(const Ipv4Spec &Ip, size_t L4Bytes) {
  std::vector<uint8_t> Opt = Ip.Options;
  Opt.resize((Opt.size() + 3) / 4 * 4, 0); // EOL-padded to whole words
  size_t HeaderBytes = 20 + Opt.size();
  std::vector<uint8_t> B;
  B.push_back(uint8_t(0x40 | (HeaderBytes / 4)));
  B.push_back(0); // DSCP/ECN
  put16(B, uint16_t(HeaderBytes + L4Bytes));
  put16(B, Ip.Id);
  put16(B, uint16_t((Ip.DontFragment ? 0x4000 : 0) |
                    (Ip.MoreFragments ? 0x2000 : 0) |
                    (Ip.FragmentOffset8 & 0x1fff)));
  B.push_back(Ip.Ttl);
  B.push_back(Ip.Protocol);
  put16(B, 0); // checksum, below
  put32(B, Ip.Src);
  put32(B, Ip.Dst);
  B.insert(B.end(), Opt.begin(), Opt.end());
  store16(B, 10, internetChecksum(B));
  return B;
}

std::vector<uint8_t> tcpSegment(const TcpSpec &T, uint32_t SrcIp,
                                uint32_t DstIp, std::span<const uint8_t> Data) {
  std::vector<uint8_t> B;
  put16(B, T.SrcPort);
  put16(B, T.DstPort);
  put32(B, T.Seq);
  put32(B, T.Ack);
  B.push_back(5 << 4); // data offset: no options
  B.push_back(T.Flags);
  put16(B, T.Window);
  put16(B, 0); // checksum, below
  put16(B, 0); // urgent pointer
  B.insert(B.end(), Data.begin(), Data.end());
  store16(B, 16,
          internetChecksum(
              B, pseudoHeaderSum(SrcIp, DstIp, ipproto::TCP, B.size())));
  return B;
}

std::vector<uint8_t> udpDatagram(const UdpSpec &U, uint32_t SrcIp,
                                 uint32_t DstIp,
                                 std::span<const uint8_t> Data) {
  std::vector<uint8_t> B;
  put16(B, U.SrcPort);
  put16(B, U.DstPort);
  put16(B, uint16_t(8 + Data.size()));
  put16(B, 0);
  B.insert(B.end(), Data.begin(), Data.end());
  uint16_t Sum = internetChecksum(
      B, pseudoHeaderSum(SrcIp, DstIp, ipproto::UDP, B.size()));
  store16(B, 6, Sum ? Sum : 0xffff); // 0 would mean "no checksum"
  return B;
}

void padFrame(std::vector<uint8_t> &Frame) {
  if (Frame.size() < MinEthernetFrame)
    Frame.resize(MinEthernetFrame, 0);
}

std::vector<uint8_t> ipv4Frame(const EthernetSpec &E, const Ipv4Spec &Ip,
                               std::span<const uint8_t> L4) {
  std::vector<uint8_t> F = ethernetHeader(E, ethertype::IPv4);
  std::vector<uint8_t> H = ipv4Header(Ip, L4.size());
  F.insert(F.end(), H.begin(), H.end());
  F.insert(F.end(), L4.begin(), L4.end());
  padFrame(F);
  return F;
}

static EthernetSpec defaultEthernet(const Ipv4Spec &Ip) {
  EthernetSpec E;
  E.Dst = macFor(Ip.Dst);
  E.Src = macFor(Ip.Src);
  return E;
}

std::vector<uint8_t> tcp4Frame(const Ipv4Spec &Ip, const TcpSpec &T,
                               size_t PayloadBytes) {
  Ipv4Spec I = Ip;
  I.Protocol = ipproto::TCP;
  std::vector<uint8_t> L4 =
      tcpSegment(T, I.Src, I.Dst, patternPayload(PayloadBytes, uint8_t(T.Seq)));
  return ipv4Frame(defaultEthernet(I), I, L4);
}

std::vector<uint8_t> udp4Frame(const Ipv4Spec &Ip, const UdpSpec &U,
                               size_t PayloadBytes) {
  Ipv4Spec I = Ip;
  I.Protocol = ipproto::UDP;
  std::vector<uint8_t> L4 = udpDatagram(
      U, I.Src, I.Dst, patternPayload(PayloadBytes, uint8_t(U.SrcPort)));
  return ipv4Frame(defaultEthernet(I), I, L4);
}

std::vector<uint8_t> icmp4Frame(const Ipv4Spec &Ip, uint8_t Type, uint8_t Code,
                                uint32_t Rest, size_t PayloadBytes) {
  Ipv4Spec I = Ip;
  I.Protocol = ipproto::ICMP;
  std::vector<uint8_t> L4 = {Type, Code, 0, 0};
  put16(L4, uint16_t(Rest >> 16));
  put16(L4, uint16_t(Rest));
  std::vector<uint8_t> Data = patternPayload(PayloadBytes, uint8_t(Rest));
  L4.insert(L4.end(), Data.begin(), Data.end());
  store16(L4, 2, internetChecksum(L4));
  return ipv4Frame(defaultEthernet(I), I, L4);
}

} // namespace scrrt
