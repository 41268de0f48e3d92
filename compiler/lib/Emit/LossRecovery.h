//===- LossRecovery.h - The SCR entry with loss recovery -------*- C++ -*-===//
//
// With --loss-recovery the SCR program's entry also keeps a per-core log of
// the history entries it received and fills gaps from other cores' logs
// (SCR paper, Algorithm 1). This emitter writes that entry; the rest of the
// SCR program (decode, replay slice, original) is shared with the plain one.
//
//===----------------------------------------------------------------------===//
#ifndef SCRCC_EMIT_LOSSRECOVERY_H
#define SCRCC_EMIT_LOSSRECOVERY_H

#include "scrcc/Layout.h"

#include <string>

namespace scrcc {

/// What the generated SCR program already provides to the entry:
///   struct scr_replica, scr_this_replica(), struct scr_hdr, struct
///   scr_fields, scr_decode(f, raw), int scr_replay_entry(const struct
///   scr_fields *), <Entry>__scr_original(struct xdp_md *), and the macros
///   SCR_HISTORY_LEN, SCR_ENTRY_BYTES, SCR_OUTER_BYTES, SCR_HDR_BYTES,
///   SCR_PREFIX_BYTES, SCR_FLAG_RELEVANT.
struct EntryParams {
  std::string Entry;   // name of the XDP function to define
  std::string Section; // its ELF section (the original's)
};

/// C code of the maps and the SEC("xdp") entry for loss recovery.
std::string lossRecoveryEntry(const scr::Layout &L, const EntryParams &P);

} // namespace scrcc

#endif
