//===- P4Emitter.h - Tofino (TNA, P4_16) sequencer from a layout -*- C++ -*-=//
//
// Generates sequencer.p4: the packet-history sequencer of docs/packet-format.md
// for a Tofino switch in front of the server (tor mode). See docs/p4.md.
//
//===----------------------------------------------------------------------===//
#ifndef SCRCC_P4EMITTER_H
#define SCRCC_P4EMITTER_H

#include "scrcc/Layout.h"
#include "scrcc/TofinoResources.h"

#include <string>

namespace scrp4 {

struct P4Options {
  /// tofino1() or tofino2().
  const TofinoTarget *Target = &tofino1();
};

/// Emits the sequencer for \p L into \p Out. Fails (false, \p Error set) if
/// the layout uses something the switch cannot compute -- the message names
/// the field -- or if it does not fit the target (the message gives the
/// largest core count that does).
bool emitP4Sequencer(const scr::Layout &L, const P4Options &Opts,
                     std::string &Out, std::string &Error);

} // namespace scrp4

#endif
