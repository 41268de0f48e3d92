//===- ScrHeader.h - The SCR header as C, for the XDP program ---*- C++ -*-===//
//
// The generated program's `struct scr_hdr` and its byte constants, rendered
// from scr::HeaderFormat (the one description of the header) so that they
// cannot drift from the sequencers and the runtime.
//
//===----------------------------------------------------------------------===//
#ifndef SCRCC_EMIT_SCRHEADER_H
#define SCRCC_EMIT_SCRHEADER_H

#include "scrcc/Layout.h"

#include <string>

namespace scrcc {

/// SCR_OUTER_BYTES, SCR_HDR_BYTES, SCR_FLAG_RELEVANT and `struct scr_hdr`
/// (packed, big-endian members), with a compile-time check of every
/// member's offset.
std::string scrHeaderC(scr::SequencerMode Mode);

} // namespace scrcc

#endif
