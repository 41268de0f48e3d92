//===- ExprHardware.cpp - Layout expressions as combinational logic -------===//

#include "ExprHardware.h"

#include "scrcc/Comparison.h"
#include "scrcc/ValueRange.h"

#include <algorithm>
#include <bit>
#include <cstdio>
#include <vector>

namespace scr::verilog {

using Op = Expr::Op;

namespace {
/// E.g. "offsets 16, 20, .., 76 (16 + 4k)" for a comment.
std::string describeOffsets(const std::vector<uint64_t> &Os) {
  auto Join = [&](size_t From, size_t To) {
    std::string S;
    for (size_t I = From; I < To; ++I)
      S += (S.empty() ? "" : ", ") + std::to_string(Os[I]);
    return S;
  };
  if (Os.size() <= 4)
    return "offsets " + Join(0, Os.size());
  uint64_t Step = Os[1] - Os[0];
  bool Arithmetic = true;
  for (size_t I = 1; I < Os.size(); ++I)
    Arithmetic &= Os[I] - Os[I - 1] == Step;
  std::string S = "offsets " + Join(0, Arithmetic ? 2 : 3) + ", .., " +
                  std::to_string(Os.back());
  if (Arithmetic)
    return S + " (" + std::to_string(Os[0]) + " + " +
           (Step == 1 ? "" : std::to_string(Step)) + "k)";
  return S + " (" + std::to_string(Os.size()) + " of them)";
}

/// The bits of \p V where \p Select has ones, MSB first, as a number.
uint64_t selectedBits(uint64_t V, uint64_t Select) {
  uint64_t R = 0;
  for (int I = 63; I >= 0; --I)
    if (Select >> I & 1)
      R = R << 1 | (V >> I & 1);
  return R;
}

std::string hex64(uint64_t V) {
  char B[32];
  std::snprintf(B, sizeof B, "64'h%llx", (unsigned long long)V);
  return B;
}
} // namespace

namespace {
/// The low \p N bits (all of them from 64 on).
uint64_t lowMask(unsigned N) { return N >= 64 ? ~0ULL : (1ULL << N) - 1; }
/// The high \p N bits.
uint64_t highMask(unsigned N) { return ~lowMask(64 - std::min(N, 64u)); }

KnownBits exactly(uint64_t V) { return {~V, V}; }

/// The values bit \p I of \p K may take: bit 0 set if it may be 0, bit 1 set
/// if it may be 1.
unsigned possible(const KnownBits &K, unsigned I) {
  uint64_t M = 1ULL << I;
  return (K.One & M) ? 2 : (K.Zero & M) ? 1 : 3;
}

/// Known bits of A + B + CarryIn (mod 2^64), one bit at a time from the LSB:
/// every combination of the values the two operand bits and the incoming
/// carry may take gives a sum bit and an outgoing carry, and a result is
/// known when all combinations agree. Forgetting how the bits correlate
/// loses precision, never soundness.
KnownBits addKnown(const KnownBits &A, const KnownBits &B, bool CarryIn) {
  KnownBits R;
  unsigned Carry = CarryIn ? 2 : 1; // the values the carry may take
  for (unsigned I = 0; I < 64; ++I) {
    unsigned PA = possible(A, I), PB = possible(B, I), Sum = 0, Out = 0;
    for (unsigned X = 0; X < 2; ++X)
      for (unsigned Y = 0; Y < 2; ++Y)
        for (unsigned C = 0; C < 2; ++C)
          if ((PA >> X & 1) && (PB >> Y & 1) && (Carry >> C & 1)) {
            Sum |= 1u << ((X + Y + C) & 1);
            Out |= 1u << ((X + Y + C) >> 1);
          }
    if (Sum == 1)
      R.Zero |= 1ULL << I;
    else if (Sum == 2)
      R.One |= 1ULL << I;
    Carry = Out;
  }
  return R;
}

KnownBits mulKnown(const KnownBits &A, const KnownBits &B) {
  KnownBits R;
  // The low N bits of a product depend only on the low N bits of the
  // factors, which are exact in One where they are all known.
  unsigned N = std::min(std::countr_one(A.known()), std::countr_one(B.known()));
  uint64_t P = A.One * B.One;
  R.Zero |= ~P & lowMask(N);
  R.One |= P & lowMask(N);
  // a = 2^i * a', b = 2^j * b': a * b = 2^(i+j) * a' * b'.
  R.Zero |= lowMask(std::countr_one(A.Zero) + std::countr_one(B.Zero));
  // a < 2^p, b < 2^q: a * b < 2^(p+q).
  unsigned Width =
      (64 - std::countl_one(A.Zero)) + (64 - std::countl_one(B.Zero));
  if (Width < 64)
    R.Zero |= ~lowMask(Width);
  return R;
}
} // namespace

KnownBits knownBitsOf(const Expr &E) {
  switch (E.K) {
  case Op::Const:
    return exactly(E.Value);
  case Op::Pkt: // the bytes beyond the load's width are zero
    return {E.Bytes >= 8 ? 0 : ~lowMask(8 * E.Bytes), 0};
  case Op::Len:
    return {~lowMask(16), 0}; // MaxFrameBytes < 2^16
  default:
    break;
  }
  std::vector<KnownBits> A;
  bool AllConstant = true;
  for (const auto &Arg : E.Args) {
    A.push_back(knownBitsOf(*Arg));
    AllConstant &= A.back().isConstant();
  }
  // An operator on constants folds, with the layout's own semantics.
  if (AllConstant) {
    std::vector<ExprRef> C;
    for (const KnownBits &K : A)
      C.push_back(Expr::constant(K.One));
    return exactly(Expr::make(E.K, std::move(C))->eval({}));
  }
  switch (E.K) {
  case Op::Add:
    return addKnown(A[0], A[1], false);
  case Op::Sub: // a - b = a + ~b + 1
    return addKnown(A[0], {A[1].One, A[1].Zero}, true);
  case Op::Mul:
    return mulKnown(A[0], A[1]);
  case Op::And:
    return {A[0].Zero | A[1].Zero, A[0].One & A[1].One};
  case Op::Or:
    return {A[0].Zero & A[1].Zero, A[0].One | A[1].One};
  case Op::Xor: {
    uint64_t Known = A[0].known() & A[1].known(), V = A[0].One ^ A[1].One;
    return {Known & ~V, Known & V};
  }
  case Op::Not:
    return {A[0].One, A[0].Zero};
  case Op::Shl: {
    if (!A[1].isConstant()) // the trailing zeros stay (or all become zero)
      return {lowMask(std::countr_one(A[0].Zero)), 0};
    uint64_t S = A[1].One;
    if (S >= 64)
      return exactly(0);
    return {(A[0].Zero << S) | lowMask(unsigned(S)), A[0].One << S};
  }
  case Op::Shr: {
    if (!A[1].isConstant()) // the leading zeros stay (or all become zero)
      return {highMask(std::countl_one(A[0].Zero)), 0};
    uint64_t S = A[1].One;
    if (S >= 64)
      return exactly(0);
    return {(A[0].Zero >> S) | highMask(unsigned(S)), A[0].One >> S};
  }
  case Op::Ite:
    if (A[0].One) // surely nonzero
      return A[1];
    if (A[0].Zero == ~0ULL)
      return A[2];
    return {A[1].Zero & A[2].Zero, A[1].One & A[2].One};
  default:
    if (E.K == Op::LNot || E.K == Op::LAnd || E.K == Op::LOr ||
        isComparison(E.K))
      return {~1ULL, 0}; // 0 or 1
    return {};
  }
}

bool checkHeadLength(const Expr &E, unsigned &HeadBytes, std::string &Error) {
  if (E.K == Op::Len) {
    Error = "uses the frame length outside a comparison (the sequencer "
            "must set the RELEVANT flag before the frame has ended)";
    return false;
  }
  if (isComparison(E.K)) {
    for (unsigned I = 0; I < 2; ++I) {
      if (E.Args[I]->K != Op::Len) {
        if (!checkHeadLength(*E.Args[I], HeadBytes, Error))
          return false;
        continue;
      }
      // The other side: a constant, or an expression of head bytes such as
      // the end of the TCP header, 14 + (pkt8[14] & 0xf) * 4 + 20.
      const Expr &Bound = *E.Args[1 - I];
      if (Bound.K == Op::Len) {
        Error = "compares the frame length with itself: " + E.str();
        return false;
      }
      if (!checkHeadLength(Bound, HeadBytes, Error))
        return false;
      ValueRange C = rangeOf(Bound);
      if (C.Hi >= MaxFrameBytes) {
        Error = "compares the frame length with " + Bound.str() +
                ", which may reach " +
                (C.Hi == ~0ULL ? std::string("2^64-1") : std::to_string(C.Hi)) +
                "; the sequencer decides on the frame's head, so the other "
                "side must stay below a bound it can prove: " +
                E.str();
        return false;
      }
      // The bound never exceeds C.Hi, so frames longer than C.Hi bytes all
      // compare alike (also signed: both sides are below 2^16): once
      // C.Hi + 1 bytes have arrived the comparison is decided.
      HeadBytes = std::max<uint64_t>(HeadBytes, C.Hi + 1);
    }
    return true;
  }
  for (const auto &A : E.Args)
    if (!checkHeadLength(*A, HeadBytes, Error))
      return false;
  return true;
}

std::string ExprLowering::byteName(unsigned Index) {
  return "pkt_b" + std::to_string(Index);
}

std::string ExprLowering::fresh() {
  return Scope + "_t" + std::to_string(Next++);
}

std::string ExprLowering::wire(const std::string &Value) {
  std::string N = fresh();
  Code += "  wire [63:0] " + N + " = " + Value + ";\n";
  return N;
}

bool ExprLowering::loadAt(uint64_t Offset, unsigned Width, std::string &Data,
                          std::string &Valid, std::string &Error) {
  if (Offset + Width > MaxHead) {
    Error = "reads packet bytes " + std::to_string(Offset) + ".." +
            std::to_string(Offset + Width - 1) +
            ", but the Verilog sequencer reads only the first " +
            std::to_string(MaxHead) + " bytes of a frame";
    return false;
  }
  Data = Valid = "";
  for (unsigned I = 0; I < Width; ++I) {
    Bytes.insert(unsigned(Offset + I));
    Data += (I ? ", " : "") + byteName(unsigned(Offset + I));
    Valid += (I ? ", " : "") + byteName(unsigned(Offset + I)) + "_v";
  }
  Data = "{" + Data + "}";
  Valid = "{" + Valid + "}";
  return true;
}

std::optional<std::string> ExprLowering::lowerLoad(const Expr &Offset,
                                                   unsigned Width,
                                                   const std::string &LenSignal,
                                                   std::string &Error) {
  // The offsets possible: in the interval, with the known bits.
  ValueRange R = rangeOf(Offset);
  if (!R.isPoint() && R.Hi >= MaxHead) {
    Error = "loads at offset " + Offset.str() + ", which may reach byte " +
            (R.Hi == ~0ULL ? std::string("2^64-1") : std::to_string(R.Hi)) +
            "; the Verilog sequencer reads only the first " +
            std::to_string(MaxHead) + " bytes of a frame";
    return std::nullopt;
  }
  KnownBits K = knownBitsOf(Offset);
  std::vector<uint64_t> Offsets;
  if (R.isPoint())
    Offsets.push_back(R.Lo);
  else
    for (uint64_t O = R.Lo; O <= R.Hi; ++O)
      if ((O & K.known()) == K.One)
        Offsets.push_back(O);
  if (Offsets.empty()) {
    Error = "loads at offset " + Offset.str() +
            ", which the analyses of its range and bits find impossible";
    return std::nullopt;
  }
  std::string Data, Valid;
  if (Offsets.size() == 1) {
    if (!loadAt(Offsets[0], Width, Data, Valid, Error))
      return std::nullopt;
    std::string N = fresh();
    Code += "  wire [" + std::to_string(8 * Width - 1) + ":0] " + N +
            "_d = " + Data + ";\n  wire [" + std::to_string(Width - 1) +
            ":0] " + N + "_v = " + Valid + ";\n";
    Data = N + "_d";
    Valid = N + "_v";
  } else {
    bool Outer = InOffset;
    InOffset = true;
    auto Off = lower(Offset, LenSignal, Error);
    InOffset = Outer;
    if (!Off)
      return std::nullopt;
    // A multiplexer over the possible offsets, of the bytes and of whether
    // the frame has them, selected by the offset bits below the range's top
    // that are not known (MSB first): synthesis never sees the others.
    uint64_t Select = ~K.known() & lowMask(std::bit_width(R.Hi));
    // Of those, the high ones go while the others still tell the possible
    // offsets apart: 16 + 4k (k < 16) differ in bits 5..2 alone, a full
    // 16:1 multiplexer (on bits 6..2 it is half of a 32:1 one, and Yosys
    // maps it to about 1.5 times the LUTs). Only a possible offset can
    // occur, so the values the other bits would have told apart never do.
    while (std::popcount(Select) > 1) {
      uint64_t Fewer = Select & ~(1ULL << (std::bit_width(Select) - 1));
      std::set<uint64_t> Labels;
      for (uint64_t O : Offsets)
        Labels.insert(selectedBits(O, Fewer));
      if (Labels.size() < Offsets.size())
        break;
      Select = Fewer;
    }
    unsigned SelectBits = unsigned(std::popcount(Select));
    std::string Selector;
    for (int I = 63; I >= 0; --I) {
      if (!(Select >> I & 1))
        continue;
      int Lo = I;
      while (Lo > 0 && (Select >> (Lo - 1) & 1))
        --Lo;
      Selector += std::string(Selector.empty() ? "" : ", ") + *Off + "[" +
                  std::to_string(I) +
                  (Lo == I ? "" : ":" + std::to_string(Lo)) + "]";
      I = Lo;
    }
    std::string N = fresh();
    Code += "  reg [" + std::to_string(8 * Width - 1) + ":0] " + N +
            "_d;\n  reg [" + std::to_string(Width - 1) + ":0] " + N +
            "_v;\n  always @* begin\n    // " + describeOffsets(Offsets) +
            "\n    case ({" + Selector + "})\n";
    for (uint64_t O : Offsets) {
      std::string D, V;
      if (!loadAt(O, Width, D, V, Error))
        return std::nullopt;
      Code += "      " + std::to_string(SelectBits) + "'d" +
              std::to_string(selectedBits(O, Select)) + ": {" + N + "_v, " + N +
              "_d} = {" + V + ", " + D + "};\n";
    }
    // Selector values that no possible offset has.
    Code += "      default: {" + N + "_v, " + N +
            "_d} = " + std::to_string(9 * Width) + "'d0;\n    endcase\n  end\n";
    Data = N + "_d";
    Valid = N + "_v";
  }
  std::string N = fresh();
  std::string Pad = Width < 8 ? std::to_string(64 - 8 * Width) + "'d0, " : "";
  if (InOffset) {
    // Inside an offset: the value on the streaming head, as logic.
    Code += "  wire [63:0] " + N + ";\n";
    std::string Gated;
    for (unsigned I = 0; I < Width; ++I)
      Gated += std::string(I ? ", " : "") + "(" + Valid + "[" +
               std::to_string(Width - 1 - I) + "] ? " + Data + "[" +
               std::to_string(8 * (Width - I) - 1) + ":" +
               std::to_string(8 * (Width - 1 - I)) + "] : 8'd0)";
    Code += "  assign " + N + " = {" + Pad + Gated + "};\n";
    return N;
  }
  // The value kept from the head: a byte past the frame's end clears its
  // register. Written as a reset over the enable, so that synthesis maps it
  // to the flip-flops' own synchronous reset (one gate per byte, none per
  // bit).
  Code += "  reg [" + std::to_string(8 * Width - 1) + ":0] " + N + "_q;\n";
  for (unsigned I = 0; I < Width; ++I) {
    std::string Hi = std::to_string(8 * (Width - I) - 1),
                Lo = std::to_string(8 * (Width - 1 - I)),
                Byte = "[" + Hi + ":" + Lo + "]";
    Code += "  always @(posedge clk)\n    if (head_done && !" + Valid + "[" +
            std::to_string(Width - 1 - I) + "]) " + N + "_q" + Byte +
            " <= 8'd0;\n    else if (head_done) " + N + "_q" + Byte +
            " <= " + Data + Byte + ";\n";
  }
  Code += "  wire [63:0] " + N + " = {" + Pad + N + "_q};\n";
  return N;
}

std::optional<std::string> ExprLowering::lower(const Expr &E,
                                               const std::string &LenSignal,
                                               std::string &Error) {
  ValueRange R = rangeOf(E);
  if (R.isPoint() && E.K != Op::Pkt)
    return wire(hex64(R.Lo));
  if (E.K == Op::Pkt)
    return lowerLoad(*E.Args[0], E.Bytes, LenSignal, Error);
  if (E.K == Op::Len) {
    if (InOffset) {
      Error = "a load offset depends on the frame length, which the Verilog "
              "sequencer knows only after the loads were taken from the "
              "frame's head";
      return std::nullopt;
    }
    return wire("{48'd0, " + LenSignal + "}");
  }

  std::string A[3];
  for (size_t I = 0; I < E.Args.size(); ++I) {
    auto V = lower(*E.Args[I], LenSignal, Error);
    if (!V)
      return std::nullopt;
    A[I] = *V;
  }
  auto Bit = [](const std::string &B) { return "{63'd0, " + B + "}"; };
  auto NonZero = [](const std::string &X) { return "(" + X + " != 64'd0)"; };
  switch (E.K) {
  case Op::Add:
    return wire(A[0] + " + " + A[1]);
  case Op::Sub:
    return wire(A[0] + " - " + A[1]);
  case Op::Mul:
    return wire(A[0] + " * " + A[1]);
  case Op::And:
    return wire(A[0] + " & " + A[1]);
  case Op::Or:
    return wire(A[0] + " | " + A[1]);
  case Op::Xor:
    return wire(A[0] + " ^ " + A[1]);
  // Verilog shifts by >= 64 give 0, as the layout semantics require.
  case Op::Shl:
    return wire(A[0] + " << " + A[1]);
  case Op::Shr:
    return wire(A[0] + " >> " + A[1]);
  case Op::Eq:
    return wire(Bit(A[0] + " == " + A[1]));
  case Op::Ne:
    return wire(Bit(A[0] + " != " + A[1]));
  case Op::Ult:
    return wire(Bit(A[0] + " < " + A[1]));
  case Op::Ule:
    return wire(Bit(A[0] + " <= " + A[1]));
  case Op::Ugt:
    return wire(Bit(A[0] + " > " + A[1]));
  case Op::Uge:
    return wire(Bit(A[0] + " >= " + A[1]));
  case Op::Slt:
    return wire(Bit("$signed(" + A[0] + ") < $signed(" + A[1] + ")"));
  case Op::Sle:
    return wire(Bit("$signed(" + A[0] + ") <= $signed(" + A[1] + ")"));
  case Op::Sgt:
    return wire(Bit("$signed(" + A[0] + ") > $signed(" + A[1] + ")"));
  case Op::Sge:
    return wire(Bit("$signed(" + A[0] + ") >= $signed(" + A[1] + ")"));
  case Op::LAnd:
    return wire(Bit(NonZero(A[0]) + " && " + NonZero(A[1])));
  case Op::LOr:
    return wire(Bit(NonZero(A[0]) + " || " + NonZero(A[1])));
  case Op::Not:
    return wire("~" + A[0]);
  case Op::LNot:
    return wire(Bit(A[0] + " == 64'd0"));
  case Op::Ite:
    return wire(NonZero(A[0]) + " ? " + A[1] + " : " + A[2]);
  default:
    Error = std::string("cannot generate hardware for operator ") + opName(E.K);
    return std::nullopt;
  }
}

} // namespace scr::verilog
