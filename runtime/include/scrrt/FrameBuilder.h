//===- FrameBuilder.h - Building Ethernet/IPv4/IPv6/TCP/UDP frames -*- C++
//-*-===//
//
// Builds well-formed frames (correct lengths and checksums) for the trace
// generator and for tests; the adversarial trace then bends them on purpose.
//
//===----------------------------------------------------------------------===//
#ifndef SCRRT_FRAMEBUILDER_H
#define SCRRT_FRAMEBUILDER_H

#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace scrrt {

namespace ethertype {
inline constexpr uint16_t IPv4 = 0x0800, ARP = 0x0806, VLAN = 0x8100,
                          QinQ = 0x88A8, IPv6 = 0x86DD, LLDP = 0x88CC;
}
namespace ipproto {
inline constexpr uint8_t ICMP = 1, TCP = 6, UDP = 17, ICMPv6 = 58;
}
namespace tcpflag {
inline constexpr uint8_t FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08,
                         ACK = 0x10, URG = 0x20;
}

/// Ethernet frames shorter than this (without FCS) are padded on the wire.
inline constexpr size_t MinEthernetFrame = 60;
/// Largest standard frame without FCS (1500-byte MTU).
inline constexpr size_t MaxEthernetFrame = 1514;

using MacAddr = std::array<uint8_t, 6>;
/// A locally administered unicast MAC derived from an IPv4 address.
MacAddr macFor(uint32_t Ipv4);

struct EthernetSpec {
  MacAddr Dst{}, Src{};
  /// 802.1Q tags, outermost first, each with its TPID (0x8100 or 0x88A8).
  std::vector<std::pair<uint16_t, uint16_t>> Vlans; // (TPID, TCI)
};

struct Ipv4Spec {
  uint32_t Src = 0, Dst = 0;
  uint8_t Protocol = ipproto::TCP;
  uint8_t Ttl = 64;
  uint16_t Id = 0;
  bool DontFragment = true;
  bool MoreFragments = false;
  uint16_t FragmentOffset8 = 0; // in 8-byte units
  std::vector<uint8_t> Options; // padded to 4 bytes; IHL follows
};

struct TcpSpec {
  uint16_t SrcPort = 0, DstPort = 0;
  uint32_t Seq = 0, Ack = 0;
  uint8_t Flags = 0;
  uint16_t Window = 65535;
};

struct UdpSpec {
  uint16_t SrcPort = 0, DstPort = 0;
};

/// Payload bytes: a deterministic pattern, so frames compare byte-exact.
std::vector<uint8_t> patternPayload(size_t Bytes, uint8_t Salt);

/// Ethernet header (with VLAN tags) for \p EtherType.
std::vector<uint8_t> ethernetHeader(const EthernetSpec &E, uint16_t EtherType);
/// IPv4 header (with options and checksum) carrying \p L4Bytes bytes.
std::vector<uint8_t> ipv4Header(const Ipv4Spec &Ip, size_t L4Bytes);
/// TCP header + payload with a correct IPv4 pseudo-header checksum.
std::vector<uint8_t> tcpSegment(const TcpSpec &T, uint32_t SrcIp,
                                uint32_t DstIp, std::span<const uint8_t> Data);
/// UDP header + payload with a correct IPv4 pseudo-header checksum.
std::vector<uint8_t> udpDatagram(const UdpSpec &U, uint32_t SrcIp,
                                 uint32_t DstIp, std::span<const uint8_t> Data);

/// Ethernet + IPv4 + the given L4 bytes, padded to MinEthernetFrame.
std::vector<uint8_t> ipv4Frame(const EthernetSpec &E, const Ipv4Spec &Ip,
                               std::span<const uint8_t> L4);
/// Convenience: an Ethernet/IPv4/TCP frame with a pattern payload.
std::vector<uint8_t> tcp4Frame(const Ipv4Spec &Ip, const TcpSpec &T,
                               size_t PayloadBytes);
/// Convenience: an Ethernet/IPv4/UDP frame with a pattern payload.
std::vector<uint8_t> udp4Frame(const Ipv4Spec &Ip, const UdpSpec &U,
                               size_t PayloadBytes);

/// Convenience: an Ethernet/IPv4/ICMP frame (type, code, the 4 bytes after
/// the checksum, e.g. echo id and sequence) with a pattern payload.
std::vector<uint8_t> icmp4Frame(const Ipv4Spec &Ip, uint8_t Type, uint8_t Code,
                                uint32_t Rest, size_t PayloadBytes);

/// Pads with zeros to MinEthernetFrame, as a NIC receives short frames.
void padFrame(std::vector<uint8_t> &Frame);
/// The Internet checksum (RFC 1071) of \p Bytes, starting from \p Sum.
uint16_t internetChecksum(std::span<const uint8_t> Bytes, uint32_t Sum = 0);

} // namespace scrrt

#endif
