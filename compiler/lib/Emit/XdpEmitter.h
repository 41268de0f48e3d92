//===- XdpEmitter.h - Writes the SCR-aware and reference programs -*- C++ -*-//
//
// Source-to-source: both outputs are the user's file rewritten with Clang's
// Rewriter, so everything the slice does not touch stays as the user wrote it.
//
//   <stem>.scr.bpf.c  written maps made per-CPU, the original entry renamed
//                     <entry>__scr_original, the state-update slice cloned as
//                     <fn>__scr_replay functions reading history fields, and
//                     a new SEC("xdp") <entry> that fast-forwards the replica
//                     and then runs the original on the current packet.
//   <stem>.ref.bpf.c  the original with only the clock and the PRNG
//                     redirected to the `scr_ref_env` map, for the
//                     single-threaded side of the differential replay.
//
//===----------------------------------------------------------------------===//
#ifndef SCRCC_EMIT_XDPEMITTER_H
#define SCRCC_EMIT_XDPEMITTER_H

#include "../Analysis/Slicer.h"
#include "scrcc/Layout.h"

#include <string>

namespace scrcc {

struct XdpOutputs {
  std::string ScrProgram;
  std::string RefProgram;
};

/// Returns false (after reporting) if the program cannot be rewritten.
bool emitXdpPrograms(Program &P, const EvalResult &R, const Slice &S,
                     const scr::Layout &L, XdpOutputs &Out);

} // namespace scrcc

#endif
