//===- PacketInfo.cpp - A tolerant frame dissector
//-------------------------===//

#include "scrrt/PacketInfo.h"

#include "scrrt/FrameBuilder.h"

namespace scrrt {

namespace {
struct Reader {
  std::span<const uint8_t> B;
  bool has(size_t Off, size_t N) const { return Off + N <= B.size(); }
  uint16_t u16(size_t Off) const { return uint16_t(B[Off] << 8 | B[Off + 1]); }
  uint32_t u32(size_t Off) const {
    return uint32_t(u16(Off)) << 16 | u16(Off + 2);
  }
};

void dissectL4(const Reader &R, size_t Off, size_t L4Len, PacketInfo &I) {
  if (I.Protocol == ipproto::TCP) {
    if (!R.has(Off, 20)) {
      I.Truncated = true;
      return;
    }
    I.Tcp = true;
    I.SrcPort = R.u16(Off);
    I.DstPort = R.u16(Off + 2);
    I.TcpSeq = R.u32(Off + 4);
    I.TcpAck = R.u32(Off + 8);
    I.TcpFlags = R.B[Off + 13];
    size_t DataOff = size_t(R.B[Off + 12] >> 4) * 4;
    I.PayloadBytes = L4Len > DataOff ? L4Len - DataOff : 0;
  } else if (I.Protocol == ipproto::UDP) {
    if (!R.has(Off, 8)) {
      I.Truncated = true;
      return;
    }
    I.Udp = true;
    I.SrcPort = R.u16(Off);
    I.DstPort = R.u16(Off + 2);
    I.PayloadBytes = L4Len > 8 ? L4Len - 8 : 0;
  }
  // Clip to what the frame really holds.
  size_t Avail = R.B.size() - Off;
  size_t Header = I.Tcp ? 20 : 8;
  if (Avail < Header + I.PayloadBytes)
    I.PayloadBytes = Avail > Header ? Avail - Header : 0;
}
} // namespace

PacketInfo dissect(std::span<const uint8_t> Frame) {
  PacketInfo I;
  Reader R{Frame};
  I.Length = Frame.size();
  if (Frame.size() < 14) {
    I.Runt = true;
    return I;
  }
  size_t Off = 12;
  uint16_t Type = R.u16(Off);
  while ((Type == ethertype::VLAN || Type == ethertype::QinQ) &&
         R.has(Off + 4, 2)) {
    ++I.VlanTags;
    Off += 4;
    Type = R.u16(Off);
  }
  I.EtherType = Type;
  Off += 2;
  if (Type == ethertype::ARP) {
    I.Arp = true;
    I.Truncated = !R.has(Off, 28);
  } else if (Type == ethertype::IPv4) {
    I.Ipv4 = true;
    if (!R.has(Off, 20)) {
      I.Truncated = true;
      return I;
    }
    I.Ihl = R.B[Off] & 0xf;
    uint16_t TotalLen = R.u16(Off + 2);
    uint16_t Frag = R.u16(Off + 6);
    I.FragmentOffset8 = Frag & 0x1fff;
    I.Fragment = (Frag & 0x2000) || I.FragmentOffset8;
    I.Protocol = R.B[Off + 9];
    I.SrcIp = R.u32(Off + 12);
    I.DstIp = R.u32(Off + 16);
    size_t Hdr = size_t(I.Ihl) * 4;
    if (Hdr < 20)
      return I; // malformed, nothing further is trustworthy
    if (!R.has(Off, Hdr)) {
      I.Truncated = true;
      return I;
    }
    if (I.FragmentOffset8 == 0)
      dissectL4(R, Off + Hdr, TotalLen > Hdr ? TotalLen - Hdr : 0, I);
  } else if (Type == ethertype::IPv6) {
    I.Ipv6 = true;
    if (!R.has(Off, 40)) {
      I.Truncated = true;
      return I;
    }
    I.Protocol = R.B[Off + 6];
    dissectL4(R, Off + 40, R.u16(Off + 4), I);
  }
  return I;
}

} // namespace scrrt
