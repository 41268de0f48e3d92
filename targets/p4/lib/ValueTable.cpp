//===- ValueTable.cpp - Values of small packet bit-fields as tables -------===//

#include "ValueTable.h"

#include <algorithm>

namespace scrp4 {

using scr::Expr;
using scr::ExprRef;
using Op = Expr::Op;

// Collects the bit-fields \p E reads; false (with \p Error) if it reads
// anything else.
static bool collectKeys(const Expr &E, std::vector<Operand> &Keys,
                        std::string &Error) {
  if (auto O = toOperand(E)) {
    if ((O->R != Region::Base && O->R != Region::L4) || O->Swapped) {
      Error = "`" + E.str() + "` is " +
              (O->R == Region::Length ? std::string("the frame length")
                                      : std::string("a byte swap")) +
              ", not a small packet bit-field";
      return false;
    }
    if (std::find(Keys.begin(), Keys.end(), *O) == Keys.end())
      Keys.push_back(*O);
    return true;
  }
  if (E.K == Op::Const)
    return true;
  if (E.K == Op::Pkt) {
    Error = "`" + E.str() + "` loads from an offset the parser cannot place";
    return false;
  }
  for (const auto &A : E.Args)
    if (!collectKeys(*A, Keys, Error))
      return false;
  return true;
}

// \p E with every key bit-field replaced by its value in \p Values.
static ExprRef substitute(const Expr &E, const std::vector<Operand> &Keys,
                          const std::vector<uint64_t> &Values) {
  if (auto O = toOperand(E)) {
    auto It = std::find(Keys.begin(), Keys.end(), *O);
    return Expr::constant(Values[It - Keys.begin()]);
  }
  if (E.Args.empty())
    return std::make_shared<Expr>(E);
  std::vector<ExprRef> Args;
  for (const auto &A : E.Args)
    Args.push_back(substitute(*A, Keys, Values));
  auto R = std::make_shared<Expr>(E);
  R->Args = std::move(Args);
  return R;
}

std::optional<ValueTable> enumerateValue(const Expr &E, unsigned Bits,
                                         std::string &Error) {
  ValueTable T;
  if (!collectKeys(E, T.Keys, Error))
    return std::nullopt;
  unsigned KeyBits = 0;
  for (const Operand &K : T.Keys)
    KeyBits += K.width();
  if (KeyBits > MaxValueTableKeyBits) {
    Error = "depends on " + std::to_string(KeyBits) +
            " bits of packet fields; a table enumerates at most " +
            std::to_string(MaxValueTableKeyBits);
    return std::nullopt;
  }
  uint64_t Mask = Bits >= 64 ? ~0ULL : (1ULL << Bits) - 1;
  for (uint64_t Combo = 0; Combo < (1ULL << KeyBits); ++Combo) {
    std::vector<uint64_t> Values;
    uint64_t Rest = Combo;
    for (const Operand &K : T.Keys) {
      Values.push_back(Rest & K.maxValue());
      Rest >>= K.width();
    }
    // No packet load is left: evaluate on an empty frame.
    uint64_t V = substitute(E, T.Keys, Values)->eval({}) & Mask;
    T.Entries.push_back({std::move(Values), V});
  }
  return T;
}

} // namespace scrp4
