//===- QueueDevice.h - A K-queue device to run frames on --------*- C++ -*-===//
//
// An SCR program identifies a replica by the RX queue its frames arrive on.
// BPF_PROG_TEST_RUN runs a frame "as if it arrived on queue r" when its
// xdp_md context names a device and r (ingress_ifindex, rx_queue_index);
// the kernel checks that the device exists in the caller's network
// namespace and has that queue. This makes such a device: a veth pair with
// K queues, in a network namespace of the calling thread's own, so that
// nothing outside the process sees it and it disappears with the process.
//
//===----------------------------------------------------------------------===//
#ifndef SCRRT_QUEUEDEVICE_H
#define SCRRT_QUEUEDEVICE_H

#include <optional>
#include <string>

namespace scrrt {

class QueueDevice {
public:
  /// Moves the calling thread into a new network namespace (threads it
  /// starts later inherit it) and creates a veth pair with \p Queues RX
  /// and TX queues there. Needs CAP_NET_ADMIN and CAP_SYS_ADMIN.
  static std::optional<QueueDevice> create(unsigned Queues, std::string &Error);

  int ifindex() const { return Ifindex; }
  unsigned queues() const { return Queues; }

private:
  int Ifindex = 0;
  unsigned Queues = 0;
};

} // namespace scrrt

#endif
