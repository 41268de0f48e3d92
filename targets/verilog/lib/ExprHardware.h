//===- ExprHardware.h - Layout expressions as combinational logic -*- C++
//-*-===//
//
// Lowers scr::Expr trees to Verilog: every node becomes a 64-bit wire with
// the layout's semantics (unsigned wrapping arithmetic, 0/1 comparisons,
// loads past the frame's end read zero). Every packet load is evaluated on
// the head as it streams past (the bytes of the beat being accepted, plus
// registers for earlier head beats) and its value is registered when the
// head is complete (`head_done`): the sequencer keeps the loaded values, not
// the head. A load at a computed offset becomes a multiplexer over the
// offsets an interval and a known-bits analysis prove possible, selected by
// the offset bits that are not known; its offset is evaluated on the head
// too.
//
//===----------------------------------------------------------------------===//
#ifndef SCRCC_VERILOG_EXPRHARDWARE_H
#define SCRCC_VERILOG_EXPRHARDWARE_H

#include "scrcc/Layout.h"
#include "scrcc/ValueRange.h"

#include <cstdint>
#include <optional>
#include <set>
#include <string>

namespace scr::verilog {

using scr::rangeOf;
using scr::ValueRange;

/// Bits of a value known for every frame: a bit set in Zero is 0, a bit set
/// in One is 1; a bit in neither is unknown (never in both).
struct KnownBits {
  uint64_t Zero = 0, One = 0;
  uint64_t known() const { return Zero | One; }
  bool isConstant() const { return known() == ~0ULL; }
};

/// Conservative known bits of \p E for any frame of at most 65535 bytes.
KnownBits knownBitsOf(const Expr &E);

/// Checks that the relevance uses the frame length only in comparisons with
/// a constant or an expression of packet bytes whose range is bounded (e.g.
/// `14 + (pkt8[14] & 0xf) * 4 + 20 > len`): the sequencer decides them once
/// it has seen more bytes than the bound, with the length capped there.
/// Raises \p HeadBytes to cover them. On failure sets \p Error.
bool checkHeadLength(const Expr &E, unsigned &HeadBytes, std::string &Error);

class ExprLowering {
public:
  /// \p MaxHeadBytes bounds the bytes loads may read.
  explicit ExprLowering(unsigned MaxHeadBytes) : MaxHead(MaxHeadBytes) {}

  /// Lowers \p E; \p LenSignal is the 16-bit frame length it sees. Appends
  /// declarations to code() and returns the name of the 64-bit result, or
  /// nullopt with \p Error set (the caller adds which field it was).
  std::optional<std::string> lower(const Expr &E, const std::string &LenSignal,
                                   std::string &Error);
  /// A big-endian load of \p Bytes bytes at \p Offset, as a 64-bit wire.
  std::optional<std::string> lowerLoad(const Expr &Offset, unsigned Bytes,
                                       const std::string &LenSignal,
                                       std::string &Error);

  /// Names the wires lowered from now on after what they compute (a layout
  /// field, "relevance"): \p Scope + "_t" + a number unique in the design.
  void setScope(std::string Scope) { this->Scope = std::move(Scope); }

  const std::string &code() const { return Code; }
  /// Packet bytes some load may read, which the sequencer must snoop.
  const std::set<unsigned> &bytesRead() const { return Bytes; }

  /// Name of the wire showing packet byte \p Index while the head streams
  /// past (byteName(I) + "_v" tells whether the frame has that byte).
  static std::string byteName(unsigned Index);

private:
  std::string fresh();
  std::string wire(const std::string &Value);
  /// The bytes (\p Data) and their validity bits (\p Valid) of a load.
  bool loadAt(uint64_t Offset, unsigned Width, std::string &Data,
              std::string &Valid, std::string &Error);

  /// True while lowering a load offset: it is evaluated on the streaming
  /// head, where the frame length is not known yet.
  bool InOffset = false;

  unsigned MaxHead;
  unsigned Next = 0;
  std::string Scope = "e";
  std::string Code;
  std::set<unsigned> Bytes;
};

} // namespace scr::verilog

#endif
