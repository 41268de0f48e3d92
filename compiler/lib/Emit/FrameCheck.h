//===- FrameCheck.h - What a replica accepts --------------------*- C++ -*-===//
//
// Every SCR frame passes one check before anything of it is applied
// (docs/packet-format.md, "What a replica accepts"): the frame alone (outer
// EtherType in tor mode, flags against the packet's relevance, `oldest` in
// range, a timestamp within its width) and the frame against the last one
// the replica accepted (sequence numbers within a window, `hist_seq` no
// further ahead than `seq` allows, `oldest` where the ring must be, the
// clock not going back). A frame that fails is dropped and counted in
// scr_replica, never applied. Both entries (plain and loss recovery) call
// the same check.
//
//===----------------------------------------------------------------------===//
#ifndef SCRCC_EMIT_FRAMECHECK_H
#define SCRCC_EMIT_FRAMECHECK_H

#include "scrcc/Layout.h"

#include <string>

namespace scrcc {

/// The check's limits, scr_relevant() and scr_check_frame(). Needs
/// struct scr_hdr, struct scr_replica and the frame geometry macros.
/// \p Frags: the entry is an xdp.frags program (frames may be
/// multi-buffer, so the frame length is bpf_xdp_get_buff_len()).
std::string frameCheckC(const scr::Layout &L, bool Frags);

} // namespace scrcc

#endif
