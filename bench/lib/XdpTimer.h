//===- XdpTimer.h - Timing XDP programs with BPF_PROG_TEST_RUN -*- C++ -*-===//
//
// One BPF_PROG_TEST_RUN with a large repeat count on the calling (pinned)
// CPU. The kernel times its repeat loop alone (pausing the clock while it
// reschedules) and reports the whole-ns average; that is the number to use.
// The syscall's wall time is kept for reference only: with repeat > 1 the
// kernel swaps the XDP dispatcher in and out around the loop, which costs
// milliseconds (an RCU grace period) and swamps the wall clock.
//
//===----------------------------------------------------------------------===//
#ifndef SCRBENCH_XDPTIMER_H
#define SCRBENCH_XDPTIMER_H

#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace scrbench {

enum class RunMode {
  /// The default test run: the same frame buffer for every repeat (the
  /// kernel does not reset data/data_end between repeats).
  Copy,
  /// BPF_F_TEST_XDP_LIVE_FRAMES: a fresh page-pool frame per repeat, and
  /// verdicts are acted upon (XDP_DROP recycles the page). Used to measure
  /// what presenting a frame to XDP costs in the kernel.
  LiveFrames,
};

struct TimedRun {
  uint32_t KernelNsPerRun = 0; // the kernel's average of its loop (whole ns)
  double WallNsPerRun = 0;     // syscall wall time / repeat (see above)
  uint32_t Verdict = 0;        // of the last repeat (Copy mode only)
};

/// Where the frame arrives. Ifindex 0: no xdp_md context, so the kernel
/// runs it on RX queue 0 of the loopback device (the queue every other test
/// run on the machine without a context shares); otherwise RX queue
/// \p RxQueue of that device (scrrt::QueueDevice).
struct Arrival {
  int Ifindex = 0;
  uint32_t RxQueue = 0;
};

/// Runs \p ProgFd \p Repeat times on \p Frame. On failure returns nullopt and
/// sets \p Error.
std::optional<TimedRun> timeXdp(int ProgFd, std::span<const uint8_t> Frame,
                                uint32_t Repeat, RunMode Mode,
                                std::string &Error, const Arrival &At = {});

} // namespace scrbench

#endif
