//===- ExprHardware.cpp - Layout expressions as combinational logic -------===//

#include "ExprHardware.h"

#include <algorithm>
#include <bit>
#include <cstdio>

namespace scr::verilog {

using Op = Expr::Op;

namespace {
constexpr uint64_t MaxFrameBytes = 65535;
const ValueRange Full{0, ~0ULL};

uint64_t allOnesCovering(uint64_t V) {
  return V == 0 ? 0 : (~0ULL >> std::countl_zero(V));
}

bool isCompare(Op K) {
  switch (K) {
  case Op::Eq:
  case Op::Ne:
  case Op::Ult:
  case Op::Ule:
  case Op::Ugt:
  case Op::Uge:
  case Op::Slt:
  case Op::Sle:
  case Op::Sgt:
  case Op::Sge:
    return true;
  default:
    return false;
  }
}

std::string hex64(uint64_t V) {
  char B[32];
  std::snprintf(B, sizeof B, "64'h%llx", (unsigned long long)V);
  return B;
}
} // namespace

ValueRange rangeOf(const Expr &E) {
  auto R = [&](unsigned I) { return rangeOf(*E.Args[I]); };
  switch (E.K) {
  case Op::Const:
    return {E.Value, E.Value};
  case Op::Pkt:
    return {0, E.Bytes >= 8 ? ~0ULL : (1ULL << (8 * E.Bytes)) - 1};
  case Op::Len:
    return {0, MaxFrameBytes};
  case Op::Add: {
    ValueRange A = R(0), B = R(1);
    uint64_t Hi;
    if (__builtin_add_overflow(A.Hi, B.Hi, &Hi))
      return Full;
    return {A.Lo + B.Lo, Hi};
  }
  case Op::Sub: {
    ValueRange A = R(0), B = R(1);
    if (A.Lo < B.Hi)
      return Full; // may wrap
    return {A.Lo - B.Hi, A.Hi - B.Lo};
  }
  case Op::Mul: {
    ValueRange A = R(0), B = R(1);
    uint64_t Hi;
    if (__builtin_mul_overflow(A.Hi, B.Hi, &Hi))
      return Full;
    return {A.Lo * B.Lo, Hi};
  }
  case Op::And: {
    ValueRange A = R(0), B = R(1);
    if (A.isPoint() && B.isPoint())
      return {A.Lo & B.Lo, A.Lo & B.Lo};
    return {0, std::min(A.Hi, B.Hi)};
  }
  case Op::Or:
  case Op::Xor: {
    ValueRange A = R(0), B = R(1);
    if (A.isPoint() && B.isPoint()) {
      uint64_t V = E.K == Op::Or ? A.Lo | B.Lo : A.Lo ^ B.Lo;
      return {V, V};
    }
    return {E.K == Op::Or ? std::max(A.Lo, B.Lo) : 0,
            allOnesCovering(std::max(A.Hi, B.Hi))};
  }
  case Op::Shl: {
    ValueRange A = R(0), S = R(1);
    if (!S.isPoint())
      return Full;
    if (S.Lo >= 64)
      return {0, 0};
    if (A.Hi > (~0ULL >> S.Lo))
      return Full;
    return {A.Lo << S.Lo, A.Hi << S.Lo};
  }
  case Op::Shr: {
    ValueRange A = R(0), S = R(1);
    if (!S.isPoint())
      return {0, A.Hi};
    if (S.Lo >= 64)
      return {0, 0};
    return {A.Lo >> S.Lo, A.Hi >> S.Lo};
  }
  case Op::Not: {
    ValueRange A = R(0);
    if (A.isPoint())
      return {~A.Lo, ~A.Lo};
    return Full;
  }
  case Op::Ite: {
    ValueRange C = R(0), A = R(1), B = R(2);
    if (C.isPoint())
      return C.Lo ? A : B;
    return {std::min(A.Lo, B.Lo), std::max(A.Hi, B.Hi)};
  }
  default: // comparisons and logical operators
    if (E.K == Op::LNot || E.K == Op::LAnd || E.K == Op::LOr ||
        isCompare(E.K)) {
      // Fold constant operands so that constant predicates stay constant.
      bool AllPoints = true;
      for (const auto &A : E.Args)
        AllPoints &= rangeOf(*A).isPoint();
      if (AllPoints) {
        uint64_t V = E.eval({});
        return {V, V};
      }
      return {0, 1};
    }
    return Full;
  }
}

bool checkHeadLength(const Expr &E, unsigned &HeadBytes, std::string &Error) {
  if (E.K == Op::Len) {
    Error = "uses the frame length outside a comparison (the sequencer "
            "must set the RELEVANT flag before the frame has ended)";
    return false;
  }
  if (isCompare(E.K)) {
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

std::string ExprLowering::fresh() { return "e" + std::to_string(Next++); }

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
  ValueRange R = rangeOf(Offset);
  std::string W = std::to_string(Width), Data, Valid;
  if (R.isPoint()) {
    if (!loadAt(R.Lo, Width, Data, Valid, Error))
      return std::nullopt;
    std::string N = fresh();
    Code += "  wire [" + std::to_string(8 * Width - 1) + ":0] " + N +
            "_d = " + Data + ";\n  wire [" + std::to_string(Width - 1) +
            ":0] " + N + "_v = " + Valid + ";\n";
    Data = N + "_d";
    Valid = N + "_v";
  } else {
    if (R.Hi >= MaxHead) {
      Error = "loads at offset " + Offset.str() + ", which may reach byte " +
              (R.Hi == ~0ULL ? std::string("2^64-1") : std::to_string(R.Hi)) +
              "; the Verilog sequencer reads only the first " +
              std::to_string(MaxHead) + " bytes of a frame";
      return std::nullopt;
    }
    bool Outer = InOffset;
    InOffset = true;
    auto Off = lower(Offset, LenSignal, Error);
    InOffset = Outer;
    if (!Off)
      return std::nullopt;
    // A multiplexer over every offset the analysis allows, of the bytes and
    // of whether the frame has them.
    unsigned IndexBits = std::max(1, int(std::bit_width(R.Hi)));
    std::string N = fresh();
    Code += "  reg [" + std::to_string(8 * Width - 1) + ":0] " + N +
            "_d;\n  reg [" + std::to_string(Width - 1) + ":0] " + N +
            "_v;\n  always @* begin\n    case (" + *Off + "[" +
            std::to_string(IndexBits - 1) + ":0])\n";
    for (uint64_t O = R.Lo; O <= R.Hi; ++O) {
      std::string D, V;
      if (!loadAt(O, Width, D, V, Error))
        return std::nullopt;
      Code += "      " + std::to_string(IndexBits) + "'d" + std::to_string(O) +
              ": {" + N + "_v, " + N + "_d} = {" + V + ", " + D + "};\n";
    }
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
  // register (a synchronous reset, no logic per bit).
  Code += "  reg [" + std::to_string(8 * Width - 1) + ":0] " + N +
          "_q;\n  always @(posedge clk)\n    if (head_done) begin\n";
  for (unsigned I = 0; I < Width; ++I) {
    std::string Hi = std::to_string(8 * (Width - I) - 1),
                Lo = std::to_string(8 * (Width - 1 - I));
    Code += "      " + N + "_q[" + Hi + ":" + Lo + "] <= " + Valid + "[" +
            std::to_string(Width - 1 - I) + "] ? " + Data + "[" + Hi + ":" +
            Lo + "] : 8'd0;\n";
  }
  Code += "    end\n  wire [63:0] " + N + " = {" + Pad + N + "_q};\n";
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
