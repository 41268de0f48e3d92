//===- TofinoResources.h - What a sequencer needs on a Tofino pipe -*- C++ -*-//
//
// The resource model of the generated Tofino sequencer. It packs a layout's
// history entry into register words, places the registers on MAU stages the
// way the P4 emitter does, and says whether the pipe has room; if not, it
// reports the largest history (and core count) that fits. The emitter uses
// the same plan, so the model and the P4 cannot drift apart.
//
//===----------------------------------------------------------------------===//
#ifndef SCRCC_TOFINORESOURCES_H
#define SCRCC_TOFINORESOURCES_H

#include "scrcc/Layout.h"

#include <optional>
#include <string>
#include <vector>

namespace scrp4 {

/// The hardware limits the model checks. Values are per pipe.
struct TofinoTarget {
  std::string Name;       // "tofino" or "tofino2"
  std::string Include;    // architecture header: "tna.p4" / "t2na.p4"
  unsigned Stages;        // MAU stages (shared by ingress and egress)
  unsigned SalusPerStage; // stateful ALUs per stage
  unsigned SaluWordBits;  // bits one register access reads out per packet
  unsigned PhvMauBits;    // PHV bits the MAU can read/write
  unsigned PhvTotalBits;  // including deparse-only (tagalong) containers
};

const TofinoTarget &tofino1();
const TofinoTarget &tofino2();
/// "tofino" / "tofino2"; nullptr for anything else.
const TofinoTarget *targetByName(const std::string &Name);

/// One history register: word \p Word of ring slot \p Slot.
struct HistoryRegister {
  unsigned Slot;
  unsigned Word;
  unsigned Bits;  // bits of the entry this word carries (8..32)
  unsigned Stage; // MAU stage that holds its stateful ALU
};

/// What the P4 emitter's analysis of a layout tells the model (it depends
/// only on the layout's expressions, not on N or the target).
struct SequencerNeeds {
  /// Per register word of the entry: the first MAU stage its registers may
  /// use -- one after the stage that packs it, which is the stage its last
  /// field becomes available (parsed bytes: 0; a value an action or table
  /// computes in stage s: s + 1); never 0, the stage of the write pointer.
  std::vector<unsigned> WordFirstStage;
  unsigned ComputeStages = 1; // stages holding tables/actions before history
  unsigned ComputedBits = 0;  // MAU-computed metadata (PHV estimate)
};

/// Runs the P4 emitter's analysis (P4Emitter.cpp) on \p L. Fails (nullopt,
/// \p Error set) if the switch cannot compute the layout.
std::optional<SequencerNeeds> analyseSequencer(const scr::Layout &L,
                                               std::string &Error);

struct ResourceReport {
  const TofinoTarget *Target = nullptr;
  unsigned HistoryLength = 0;           // N
  unsigned EntryBits = 0;               // entry.bytes * 8 (what is emitted)
  std::vector<unsigned> WordBits;       // entry split into register words
  std::vector<unsigned> WordFirstStage; // earliest stage per word
  unsigned FirstHistoryStage = 1;       // lowest WordFirstStage
  unsigned ControlSalus = 0;            // seq, hist_seq, write pointer
  std::vector<HistoryRegister> Registers;
  std::vector<unsigned> SalusPerStage; // used, index = stage
  unsigned StagesUsed = 0;
  unsigned SalusUsed = 0;
  unsigned HistorySaluCapacity = 0; // stateful ALUs in stages >= first
  unsigned PhvMauBits = 0;          // modelled PHV use (MAU-visible)
  unsigned PhvTotalBits = 0;
  bool Fits = false;
  std::string Problem;           // why it does not fit
  unsigned MaxHistoryLength = 0; // largest N that fits
  unsigned MaxCores = 0;         // MaxHistoryLength + 1

  /// Human-readable table of the plan (scr-p4 --report).
  std::string str() const;
};

/// Plans the sequencer of \p L on \p T for the layout's own history length.
ResourceReport planTofino(const scr::Layout &L, const TofinoTarget &T);
/// Same, for history length \p N instead of the layout's.
ResourceReport planTofino(const scr::Layout &L, const TofinoTarget &T,
                          unsigned N);
/// Same, with the analysis already done. Registers go, word by word and
/// slot by slot, into the lowest stage at or after their word's first stage
/// that has a free stateful ALU (optimal for equal-cost registers with
/// earliest stages).
ResourceReport planTofino(const scr::Layout &L, const TofinoTarget &T,
                          unsigned N, const SequencerNeeds &Needs);

/// Register words one entry needs: the entry (entry.bytes * 8 bits, the
/// width emitted per slot) cut into SaluWordBits-wide words, MSB first.
std::vector<unsigned> entryWords(const scr::Layout &L, unsigned WordBits);

} // namespace scrp4

#endif
