//===- TcpConversation.h - Both ends of one TCP connection (internal) -*- C++
//-*-===//
//
// Keeps each end's next sequence number so that every segment it builds has
// the seq/ack numbers a real stack would put there.
//
//===----------------------------------------------------------------------===//
#ifndef SCRRT_LIB_TCPCONVERSATION_H
#define SCRRT_LIB_TCPCONVERSATION_H

#include "scrrt/FrameBuilder.h"
#include "scrrt/Random.h"

namespace scrrt {

class TcpConversation {
public:
  TcpConversation(Random &R, uint32_t ClientIp, uint32_t ServerIp,
                  uint16_t ClientPort, uint16_t ServerPort) {
    End[0] = {ClientIp, ClientPort, uint32_t(R.next()), uint16_t(R.next())};
    End[1] = {ServerIp, ServerPort, uint32_t(R.next()), uint16_t(R.next())};
  }

  /// A segment from the client (or server) with the right seq and ack
  /// (ack only when ACK is set); SYN and FIN take one sequence number.
  std::vector<uint8_t> segment(bool FromClient, uint8_t Flags,
                               size_t Payload = 0) {
    Side &S = End[FromClient ? 0 : 1], &O = End[FromClient ? 1 : 0];
    TcpSpec T{S.Port,    O.Port,
              S.NextSeq, (Flags & tcpflag::ACK) ? O.NextSeq : 0u,
              Flags,     64240};
    S.NextSeq +=
        uint32_t(Payload) + ((Flags & (tcpflag::SYN | tcpflag::FIN)) ? 1u : 0u);
    return frameFrom(S, O, T, Payload);
  }

  /// A segment with explicit numbers that does not advance the state
  /// (out-of-window data, forged resets, retransmissions).
  std::vector<uint8_t> forged(bool FromClient, uint8_t Flags, uint32_t Seq,
                              uint32_t Ack, size_t Payload = 0) {
    Side &S = End[FromClient ? 0 : 1], &O = End[FromClient ? 1 : 0];
    return frameFrom(S, O, {S.Port, O.Port, Seq, Ack, Flags, 64240}, Payload);
  }

  uint32_t nextSeq(bool Client) const { return End[Client ? 0 : 1].NextSeq; }

private:
  struct Side {
    uint32_t Ip = 0;
    uint16_t Port = 0;
    uint32_t NextSeq = 0;
    uint16_t IpId = 0;
  };
  std::vector<uint8_t> frameFrom(Side &S, const Side &O, const TcpSpec &T,
                                 size_t Payload) {
    Ipv4Spec Ip;
    Ip.Src = S.Ip;
    Ip.Dst = O.Ip;
    Ip.Id = S.IpId++;
    return tcp4Frame(Ip, T, Payload);
  }
  Side End[2];
};

} // namespace scrrt

#endif
