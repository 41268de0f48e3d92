//===- QueueDevice.cpp - A K-queue device to run frames on ----------------===//
//
// The veth pair is made with one rtnetlink request (RTM_NEWLINK, kind
// "veth", the peer in VETH_INFO_PEER), so the tool needs no `ip` binary.
//
//===----------------------------------------------------------------------===//

#include "scrrt/QueueDevice.h"

#include <cerrno>
#include <cstring>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

namespace scrrt {

namespace {

/// An rtnetlink message under construction: attributes nest by offset.
class NetlinkMessage {
public:
  explicit NetlinkMessage(uint16_t Type, uint16_t Flags) {
    Buf.resize(NLMSG_HDRLEN);
    hdr()->nlmsg_type = Type;
    hdr()->nlmsg_flags = Flags;
    hdr()->nlmsg_seq = 1;
  }
  template <typename T> void put(const T &V) {
    append(&V, sizeof V);
    align();
  }
  void attr(uint16_t Type, const void *Data, size_t Len) {
    rtattr A{uint16_t(RTA_LENGTH(Len)), Type};
    append(&A, sizeof A);
    append(Data, Len);
    align();
  }
  void attrU32(uint16_t Type, uint32_t V) { attr(Type, &V, sizeof V); }
  void attrString(uint16_t Type, const std::string &S) {
    attr(Type, S.c_str(), S.size() + 1);
  }
  size_t begin(uint16_t Type) {
    size_t At = Buf.size();
    attr(Type, nullptr, 0);
    return At;
  }
  void end(size_t At) {
    reinterpret_cast<rtattr *>(Buf.data() + At)->rta_len =
        uint16_t(Buf.size() - At);
  }
  nlmsghdr *hdr() { return reinterpret_cast<nlmsghdr *>(Buf.data()); }
  const std::vector<uint8_t> &bytes() {
    hdr()->nlmsg_len = uint32_t(Buf.size());
    return Buf;
  }

private:
  void append(const void *Data, size_t Len) {
    const auto *P = static_cast<const uint8_t *>(Data);
    Buf.insert(Buf.end(), P, P + Len);
  }
  void align() { Buf.resize(NLMSG_ALIGN(Buf.size())); }
  std::vector<uint8_t> Buf;
};

/// Sends \p M on a new rtnetlink socket and waits for the kernel's ack.
bool request(NetlinkMessage &M, std::string &Error) {
  int Fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (Fd < 0) {
    Error = std::string("rtnetlink socket: ") + std::strerror(errno);
    return false;
  }
  const std::vector<uint8_t> &B = M.bytes();
  sockaddr_nl To{};
  To.nl_family = AF_NETLINK;
  bool Ok = sendto(Fd, B.data(), B.size(), 0, reinterpret_cast<sockaddr *>(&To),
                   sizeof To) == ssize_t(B.size());
  int Err = Ok ? 0 : errno;
  if (Ok) {
    alignas(nlmsghdr) uint8_t Reply[4096];
    ssize_t N = recv(Fd, Reply, sizeof Reply, 0);
    const auto *H = reinterpret_cast<const nlmsghdr *>(Reply);
    if (N < ssize_t(NLMSG_HDRLEN + sizeof(nlmsgerr)) ||
        H->nlmsg_type != NLMSG_ERROR)
      Err = N < 0 ? errno : EPROTO;
    else
      Err = -static_cast<const nlmsgerr *>(NLMSG_DATA(H))->error;
  }
  close(Fd);
  if (Err) {
    Error = std::string("cannot create a veth pair: ") + std::strerror(Err);
    return false;
  }
  return true;
}

void putLink(NetlinkMessage &M, const std::string &Name, unsigned Queues) {
  M.attrString(IFLA_IFNAME, Name);
  M.attrU32(IFLA_NUM_TX_QUEUES, Queues);
  M.attrU32(IFLA_NUM_RX_QUEUES, Queues);
}

} // namespace

std::optional<QueueDevice> QueueDevice::create(unsigned Queues,
                                               std::string &Error) {
  if (unshare(CLONE_NEWNET) != 0) {
    Error = std::string("cannot create a network namespace (needs root): ") +
            std::strerror(errno);
    return std::nullopt;
  }
  NetlinkMessage M(RTM_NEWLINK,
                   NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
  M.put(ifinfomsg{});
  putLink(M, "scr0", Queues);
  size_t Info = M.begin(IFLA_LINKINFO);
  M.attrString(IFLA_INFO_KIND, "veth");
  size_t Data = M.begin(IFLA_INFO_DATA);
  size_t Peer = M.begin(VETH_INFO_PEER);
  M.put(ifinfomsg{});
  putLink(M, "scr1", Queues);
  M.end(Peer);
  M.end(Data);
  M.end(Info);
  if (!request(M, Error))
    return std::nullopt;
  QueueDevice D;
  D.Ifindex = int(if_nametoindex("scr0"));
  D.Queues = Queues;
  if (!D.Ifindex) {
    Error = "the veth pair was created but scr0 has no index";
    return std::nullopt;
  }
  return D;
}

} // namespace scrrt
