//===- PacketInfo.h - A tolerant frame dissector ----------------*- C++ -*-===//
//
// Tells what a frame contains (VLAN tags, ARP, IPv4 with options or
// fragments, IPv6, TCP/UDP ports and flags, truncation) without ever reading
// out of bounds. Used by tests and by `scr-trace --summary`.
//
//===----------------------------------------------------------------------===//
#ifndef SCRRT_PACKETINFO_H
#define SCRRT_PACKETINFO_H

#include <cstddef>
#include <cstdint>
#include <span>

namespace scrrt {

struct PacketInfo {
  size_t Length = 0;
  bool Runt = false;      // shorter than an Ethernet header
  unsigned VlanTags = 0;  // 802.1Q / 802.1ad tags before the EtherType
  uint16_t EtherType = 0; // after the VLAN tags
  bool Arp = false, Ipv4 = false, Ipv6 = false;
  bool Truncated = false; // the frame ends inside an L3 or L4 header
  // IPv4 / IPv6
  unsigned Ihl = 0;              // IPv4 header length in 32-bit words
  uint32_t SrcIp = 0, DstIp = 0; // IPv4 only
  uint8_t Protocol = 0;          // IPv4 protocol / IPv6 next header
  bool Fragment = false;         // MF set or offset non-zero
  uint16_t FragmentOffset8 = 0;
  // TCP / UDP (first fragment with a complete header only)
  bool Tcp = false, Udp = false;
  uint16_t SrcPort = 0, DstPort = 0;
  uint32_t TcpSeq = 0, TcpAck = 0;
  uint8_t TcpFlags = 0;
  size_t PayloadBytes = 0; // L4 payload per the IP length, clipped to frame
};

PacketInfo dissect(std::span<const uint8_t> Frame);

} // namespace scrrt

#endif
