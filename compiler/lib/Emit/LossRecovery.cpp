//===- LossRecovery.cpp - The SCR entry with loss recovery ----------------===//

#include "LossRecovery.h"

namespace scrcc {

std::string lossRecoveryEntry(const scr::Layout &L, const EntryParams &P) {
  (void)L;
  // Placeholder until the loss-recovery entry lands: refuse at compile time
  // of the generated program rather than silently ignoring lost frames.
  return "#error \"scrcc: --loss-recovery is not implemented yet for " +
         P.Entry + "\"\n";
}

} // namespace scrcc
