//===- XdpTimer.cpp - Timing an XDP program with BPF_PROG_TEST_RUN --------===//

#include "XdpTimer.h"

#include <bpf/bpf.h>
#include <linux/bpf.h>

#include <cerrno>
#include <cstring>
#include <ctime>

namespace scrbench {

static double monotonicNs() {
  timespec T;
  clock_gettime(CLOCK_MONOTONIC_RAW, &T);
  return double(T.tv_sec) * 1e9 + double(T.tv_nsec);
}

std::optional<TimedRun> timeXdp(int ProgFd, std::span<const uint8_t> Frame,
                                uint32_t Repeat, RunMode Mode,
                                std::string &Error, const Arrival &At) {
  if (Repeat == 0) {
    Error = "repeat count must be positive";
    return std::nullopt;
  }
  LIBBPF_OPTS(bpf_test_run_opts, Opts, .data_in = Frame.data(),
              .data_size_in = uint32_t(Frame.size()), .repeat = int(Repeat));
  if (Mode == RunMode::LiveFrames)
    Opts.flags = BPF_F_TEST_XDP_LIVE_FRAMES;
  xdp_md Ctx{};
  if (At.Ifindex) {
    Ctx.data_end = uint32_t(Frame.size());
    Ctx.ingress_ifindex = uint32_t(At.Ifindex);
    Ctx.rx_queue_index = At.RxQueue;
    Opts.ctx_in = &Ctx;
    Opts.ctx_size_in = sizeof Ctx;
  }
  double Start = monotonicNs();
  int Rc = bpf_prog_test_run_opts(ProgFd, &Opts);
  double End = monotonicNs();
  if (Rc != 0) {
    Error = std::string("BPF_PROG_TEST_RUN failed: ") + std::strerror(errno);
    return std::nullopt;
  }
  TimedRun R;
  R.WallNsPerRun = (End - Start) / Repeat;
  R.KernelNsPerRun = Opts.duration;
  R.Verdict = Opts.retval;
  return R;
}

} // namespace scrbench
