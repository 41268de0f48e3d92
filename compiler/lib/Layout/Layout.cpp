//===- Layout.cpp - SCR layout model, evaluation and JSON -----------------===//

#include "scrcc/Layout.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

using nlohmann::json;
/// The writer keeps keys in the order they are set, so that a reader of
/// scr_layout.json sees the schema first and each object's name first.
using OrderedJson = nlohmann::ordered_json;

namespace scr {

namespace {
struct OpInfo {
  Expr::Op K;
  const char *Name;
  const char *Infix; // for str(); nullptr if not infix
};
const OpInfo Ops[] = {
    {Expr::Op::Const, "const", nullptr}, {Expr::Op::Pkt, "pkt", nullptr},
    {Expr::Op::Len, "len", nullptr},     {Expr::Op::Add, "add", "+"},
    {Expr::Op::Sub, "sub", "-"},         {Expr::Op::Mul, "mul", "*"},
    {Expr::Op::And, "and", "&"},         {Expr::Op::Or, "or", "|"},
    {Expr::Op::Xor, "xor", "^"},         {Expr::Op::Shl, "shl", "<<"},
    {Expr::Op::Shr, "shr", ">>"},        {Expr::Op::Eq, "eq", "=="},
    {Expr::Op::Ne, "ne", "!="},          {Expr::Op::Ult, "ult", "<"},
    {Expr::Op::Ule, "ule", "<="},        {Expr::Op::Ugt, "ugt", ">"},
    {Expr::Op::Uge, "uge", ">="},        {Expr::Op::Slt, "slt", "<s"},
    {Expr::Op::Sle, "sle", "<=s"},       {Expr::Op::Sgt, "sgt", ">s"},
    {Expr::Op::Sge, "sge", ">=s"},       {Expr::Op::LAnd, "land", "&&"},
    {Expr::Op::LOr, "lor", "||"},        {Expr::Op::Not, "not", nullptr},
    {Expr::Op::LNot, "lnot", nullptr},   {Expr::Op::Ite, "ite", nullptr},
};

unsigned arity(Expr::Op K) {
  switch (K) {
  case Expr::Op::Const:
  case Expr::Op::Len:
    return 0;
  case Expr::Op::Pkt:
  case Expr::Op::Not:
  case Expr::Op::LNot:
    return 1;
  case Expr::Op::Ite:
    return 3;
  default:
    return 2;
  }
}
} // namespace

const char *opName(Expr::Op K) {
  for (const auto &O : Ops)
    if (O.K == K)
      return O.Name;
  return "?";
}

std::optional<Expr::Op> opFromName(const std::string &Name) {
  for (const auto &O : Ops)
    if (Name == O.Name)
      return O.K;
  return std::nullopt;
}

ExprRef Expr::constant(uint64_t V) {
  auto E = std::make_shared<Expr>();
  E->K = Op::Const;
  E->Value = V;
  return E;
}

ExprRef Expr::pkt(ExprRef Off, unsigned Bytes) {
  auto E = std::make_shared<Expr>();
  E->K = Op::Pkt;
  E->Bytes = Bytes;
  E->Args = {std::move(Off)};
  return E;
}

ExprRef Expr::len() {
  auto E = std::make_shared<Expr>();
  E->K = Op::Len;
  return E;
}

ExprRef Expr::make(Op K, std::vector<ExprRef> Args) {
  auto E = std::make_shared<Expr>();
  E->K = K;
  E->Args = std::move(Args);
  return E;
}

uint64_t Expr::eval(std::span<const uint8_t> P) const {
  auto A = [&](unsigned I) { return Args[I]->eval(P); };
  switch (K) {
  case Op::Const:
    return Value;
  case Op::Len:
    return P.size();
  case Op::Pkt: {
    uint64_t Off = A(0), V = 0;
    for (unsigned I = 0; I < Bytes; ++I) {
      uint64_t At = Off + I;
      V = (V << 8) | (At < P.size() && At >= Off ? P[At] : 0);
    }
    return V;
  }
  case Op::Add:
    return A(0) + A(1);
  case Op::Sub:
    return A(0) - A(1);
  case Op::Mul:
    return A(0) * A(1);
  case Op::And:
    return A(0) & A(1);
  case Op::Or:
    return A(0) | A(1);
  case Op::Xor:
    return A(0) ^ A(1);
  case Op::Shl: {
    uint64_t S = A(1);
    return S >= 64 ? 0 : A(0) << S;
  }
  case Op::Shr: {
    uint64_t S = A(1);
    return S >= 64 ? 0 : A(0) >> S;
  }
  case Op::Eq:
    return A(0) == A(1);
  case Op::Ne:
    return A(0) != A(1);
  case Op::Ult:
    return A(0) < A(1);
  case Op::Ule:
    return A(0) <= A(1);
  case Op::Ugt:
    return A(0) > A(1);
  case Op::Uge:
    return A(0) >= A(1);
  case Op::Slt:
    return int64_t(A(0)) < int64_t(A(1));
  case Op::Sle:
    return int64_t(A(0)) <= int64_t(A(1));
  case Op::Sgt:
    return int64_t(A(0)) > int64_t(A(1));
  case Op::Sge:
    return int64_t(A(0)) >= int64_t(A(1));
  case Op::LAnd:
    return A(0) && A(1);
  case Op::LOr:
    return A(0) || A(1);
  case Op::Not:
    return ~A(0);
  case Op::LNot:
    return !A(0);
  case Op::Ite:
    return A(0) ? A(1) : A(2);
  }
  return 0;
}

bool Expr::equals(const Expr &O) const {
  if (K != O.K || Value != O.Value || Bytes != O.Bytes ||
      Args.size() != O.Args.size())
    return false;
  for (size_t I = 0; I < Args.size(); ++I)
    if (!Args[I]->equals(*O.Args[I]))
      return false;
  return true;
}

std::string Expr::str() const {
  char Buf[32];
  switch (K) {
  case Op::Const:
    std::snprintf(Buf, sizeof Buf, Value < 10 ? "%llu" : "0x%llx",
                  (unsigned long long)Value);
    return Buf;
  case Op::Len:
    return "len";
  case Op::Pkt:
    return "pkt" + std::to_string(Bytes * 8) + "[" + Args[0]->str() + "]";
  case Op::Not:
    return "~(" + Args[0]->str() + ")";
  case Op::LNot:
    return "!(" + Args[0]->str() + ")";
  case Op::Ite:
    return "(" + Args[0]->str() + " ? " + Args[1]->str() + " : " +
           Args[2]->str() + ")";
  default:
    for (const auto &O : Ops)
      if (O.K == K && O.Infix)
        return "(" + Args[0]->str() + " " + O.Infix + " " + Args[1]->str() +
               ")";
  }
  return "?";
}

const char *kindName(Field::Kind K) {
  switch (K) {
  case Field::Kind::Packet:
    return "packet";
  case Field::Kind::Value:
    return "value";
  case Field::Kind::Predicate:
    return "predicate";
  case Field::Kind::Length:
    return "length";
  case Field::Kind::Timestamp:
    return "timestamp";
  }
  return "?";
}

static std::optional<Field::Kind> kindFromName(const std::string &S) {
  for (auto K :
       {Field::Kind::Packet, Field::Kind::Value, Field::Kind::Predicate,
        Field::Kind::Length, Field::Kind::Timestamp})
    if (S == kindName(K))
      return K;
  return std::nullopt;
}

uint64_t Field::extract(std::span<const uint8_t> P, uint64_t Ts) const {
  uint64_t Mask = Bits >= 64 ? ~0ULL : ((1ULL << Bits) - 1);
  switch (K) {
  case Kind::Packet:
    return Expr::pkt(Offset, Bits / 8)->eval(P) & Mask;
  case Kind::Value:
    return Value->eval(P) & Mask;
  case Kind::Predicate:
    return Value->eval(P) != 0;
  case Kind::Length:
    return P.size() & Mask;
  case Kind::Timestamp:
    return Ts & Mask;
  }
  return 0;
}

unsigned Layout::entryBits() const {
  unsigned B = 0;
  for (const Field &F : Fields)
    B = std::max(B, F.BitOffset + F.Bits);
  return B;
}

unsigned Layout::prefixBytes() const {
  return (Mode == SequencerMode::Tor ? HeaderFormat::OuterEthernetBytes : 0) +
         HeaderFormat::Bytes + HistoryLength * entryBytes();
}

void Layout::assignOffsets() {
  // Whole-byte raw packet fields first: the replay then reads them in place
  // with their original C type. The rest are packed behind them, widest
  // first, so that wide values stay as aligned as they can.
  std::stable_sort(Fields.begin(), Fields.end(),
                   [](const Field &A, const Field &B) {
                     bool AB = A.K == Field::Kind::Packet;
                     bool BB = B.K == Field::Kind::Packet;
                     if (AB != BB)
                       return AB;
                     return A.Bits > B.Bits;
                   });
  unsigned Pos = 0;
  for (Field &F : Fields) {
    // A value wider than 56 bits is byte-aligned so that a reader can
    // assemble it from at most 8 bytes.
    if (F.Bits > 56)
      Pos = (Pos + 7) / 8 * 8;
    F.BitOffset = Pos;
    Pos += F.Bits;
  }
}

std::vector<uint8_t> Layout::packEntry(std::span<const uint8_t> P,
                                       uint64_t Ts) const {
  std::vector<uint8_t> E(entryBytes(), 0);
  for (const Field &F : Fields) {
    uint64_t V = F.extract(P, Ts);
    for (unsigned I = 0; I < F.Bits; ++I) {
      unsigned Bit = F.BitOffset + I; // MSB-first
      if ((V >> (F.Bits - 1 - I)) & 1)
        E[Bit / 8] |= uint8_t(0x80 >> (Bit % 8));
    }
  }
  return E;
}

uint64_t Layout::unpackField(std::span<const uint8_t> E, const Field &F) const {
  uint64_t V = 0;
  for (unsigned I = 0; I < F.Bits; ++I) {
    unsigned Bit = F.BitOffset + I;
    V = (V << 1) | ((E[Bit / 8] >> (7 - Bit % 8)) & 1);
  }
  return V;
}

//===----------------------------------------------------------------------===//
// Validation
//===----------------------------------------------------------------------===//

namespace {
std::string outOfRange(const std::string &What, const std::string &Value,
                       uint64_t Lo, uint64_t Hi) {
  return What + " is " + Value + "; it must be " + std::to_string(Lo) + ".." +
         std::to_string(Hi);
}

/// Checks the shape of an expression (arity, pkt widths) and its depth,
/// without recursion: the expression may come from anywhere.
bool validExpr(const ExprRef &Root, const std::string &Where,
               std::string &Error) {
  if (!Root) {
    Error = Where + ": missing expression";
    return false;
  }
  std::vector<std::pair<const Expr *, unsigned>> Todo = {{Root.get(), 1}};
  while (!Todo.empty()) {
    auto [E, Depth] = Todo.back();
    Todo.pop_back();
    if (Depth > MaxExprDepth) {
      Error = Where + ": expression nested deeper than " +
              std::to_string(MaxExprDepth) + " levels";
      return false;
    }
    if (E->Args.size() != arity(E->K)) {
      Error = Where + ": " + opName(E->K) + " takes " +
              std::to_string(arity(E->K)) + " argument(s), not " +
              std::to_string(E->Args.size());
      return false;
    }
    if (E->K == Expr::Op::Pkt && E->Bytes != 1 && E->Bytes != 2 &&
        E->Bytes != 4 && E->Bytes != 8) {
      Error = Where + ": pkt \"bytes\" must be 1, 2, 4 or 8 (got " +
              std::to_string(E->Bytes) + ")";
      return false;
    }
    for (const ExprRef &A : E->Args) {
      if (!A) {
        Error = Where + ": " + opName(E->K) + " has a missing argument";
        return false;
      }
      Todo.push_back({A.get(), Depth + 1});
    }
  }
  return true;
}

/// Names that go into generated C, P4 and Verilog: an identifier of at most
/// 64 characters that is not a C keyword.
std::string badIdentifier(const std::string &S) {
  static const char *const Keywords[] = {
      "auto",     "break",    "case",     "char",   "const",         "continue",
      "default",  "do",       "double",   "else",   "enum",          "extern",
      "float",    "for",      "goto",     "if",     "inline",        "int",
      "long",     "register", "restrict", "return", "short",         "signed",
      "sizeof",   "static",   "struct",   "switch", "typedef",       "union",
      "unsigned", "void",     "volatile", "while",  "_Bool",         "bool",
      "true",     "false",    "asm",      "typeof", "_Static_assert"};
  if (S.empty())
    return "is empty";
  if (S.size() > 64)
    return "is longer than 64 characters";
  auto Alpha = [](char C) {
    return (C >= 'a' && C <= 'z') || (C >= 'A' && C <= 'Z') || C == '_';
  };
  if (!Alpha(S[0]) || !std::all_of(S.begin(), S.end(), [&](char C) {
        return Alpha(C) || (C >= '0' && C <= '9');
      }))
    return "is not a C identifier";
  for (const char *K : Keywords)
    if (S == K)
      return "is a C keyword";
  return "";
}
} // namespace

bool Layout::validate(std::string &Error) const {
  auto Fail = [&](std::string M) {
    Error = std::move(M);
    return false;
  };
  auto Range = [](const char *What, uint64_t V, uint64_t Lo, uint64_t Hi) {
    return outOfRange(What, std::to_string(V), Lo, Hi);
  };
  if (Version != LayoutSchemaVersion)
    return Fail("layout schema version " + std::to_string(Version) +
                " is not supported (this build reads version " +
                std::to_string(LayoutSchemaVersion) + ")");
  if (!Entry.empty())
    if (std::string Why = badIdentifier(Entry); !Why.empty())
      return Fail("program.entry '" + Entry + "' " + Why);
  if (Cores < 1 || Cores > MaxCores)
    return Fail(Range("cores", Cores, 1, MaxCores));
  if (HistoryLength > MaxHistoryLength)
    return Fail(Range("history_length", HistoryLength, 0, MaxHistoryLength) +
                " (the header's oldest-slot index has 16 bits)");
  if (TimestampBits < 16 || TimestampBits > 64)
    return Fail(Range("timestamp_bits", TimestampBits, 16, 64));
  if (LossRecovery && ((LogEntries & (LogEntries - 1)) != 0 ||
                       LogEntries < 2 * (uint64_t(HistoryLength) + 1) ||
                       LogEntries > MaxLogEntries))
    return Fail("loss_recovery.log_entries is " + std::to_string(LogEntries) +
                "; it must be a power of two between 2 x (history_length + "
                "1) = " +
                std::to_string(2 * (uint64_t(HistoryLength) + 1)) + " and " +
                std::to_string(MaxLogEntries));
  if (Relevance && !validExpr(Relevance, "relevance", Error))
    return false;

  std::vector<std::pair<unsigned, const Field *>> Placed;
  for (size_t I = 0; I < Fields.size(); ++I) {
    const Field &F = Fields[I];
    std::string Where = "fields[" + std::to_string(I) + "]";
    if (std::string Why = badIdentifier(F.Name); !Why.empty())
      return Fail(Where + ": name '" + F.Name + "' " + Why);
    Where = "field '" + F.Name + "'";
    for (size_t J = 0; J < I; ++J)
      if (Fields[J].Name == F.Name)
        return Fail(Where + ": the name is used by fields[" +
                    std::to_string(J) + "] too");
    if (F.Bits < 1 || F.Bits > 64)
      return Fail(Where + ": " + Range("bits", F.Bits, 1, 64));
    unsigned MaxBits = MaxSlotBytes * 8;
    if (F.BitOffset > MaxBits - F.Bits)
      return Fail(Where + ": bit_offset " + std::to_string(F.BitOffset) +
                  " + bits " + std::to_string(F.Bits) +
                  " is past the largest entry (" + std::to_string(MaxBits) +
                  " bits)");
    if (F.Bits > 56 && F.BitOffset % 8)
      return Fail(Where +
                  ": a field wider than 56 bits must start on a byte "
                  "boundary (bit_offset " +
                  std::to_string(F.BitOffset) + ")");
    switch (F.K) {
    case Field::Kind::Packet:
      if (F.Bits != 8 && F.Bits != 16 && F.Bits != 32 && F.Bits != 64)
        return Fail(Where + ": packet fields are 1, 2, 4 or 8 bytes (bits " +
                    std::to_string(F.Bits) + ")");
      if (!validExpr(F.Offset, Where + " offset", Error))
        return false;
      break;
    case Field::Kind::Predicate:
      if (F.Bits != 1)
        return Fail(Where + ": a predicate has 1 bit (bits " +
                    std::to_string(F.Bits) + ")");
      [[fallthrough]];
    case Field::Kind::Value:
      if (!validExpr(F.Value, Where + " expr", Error))
        return false;
      break;
    case Field::Kind::Length:
    case Field::Kind::Timestamp:
      break;
    }
    if (!F.CType.empty() &&
        !std::all_of(F.CType.begin(), F.CType.end(), [](char C) {
          return std::isalnum((unsigned char)C) || C == '_' || C == ' ';
        }))
      return Fail(Where + ": c_type '" + F.CType +
                  "' is not a C type name (letters, digits, '_', ' ')");
    Placed.push_back({F.BitOffset, &F});
  }
  std::sort(Placed.begin(), Placed.end(),
            [](const auto &A, const auto &B) { return A.first < B.first; });
  for (size_t I = 1; I < Placed.size(); ++I) {
    const Field &A = *Placed[I - 1].second, &B = *Placed[I].second;
    if (B.BitOffset < A.BitOffset + A.Bits)
      return Fail(
          "field '" + B.Name + "': bits " + std::to_string(B.BitOffset) + ".." +
          std::to_string(B.BitOffset + B.Bits - 1) + " overlap field '" +
          A.Name + "' (bits " + std::to_string(A.BitOffset) + ".." +
          std::to_string(A.BitOffset + A.Bits - 1) + ")");
  }
  unsigned Packed = (entryBits() + 7) / 8;
  if (SlotBytes && (SlotBytes < Packed || SlotBytes > MaxSlotBytes))
    return Fail("entry.bytes is " + std::to_string(SlotBytes) +
                "; it must be between the packed entry (" +
                std::to_string(Packed) + " bytes) and " +
                std::to_string(MaxSlotBytes));
  uint64_t Prefix =
      (Mode == SequencerMode::Tor ? HeaderFormat::OuterEthernetBytes : 0) +
      HeaderFormat::Bytes + uint64_t(HistoryLength) * entryBytes();
  if (Prefix + 14 > MaxFrameBytes)
    return Fail("prefix_bytes would be " + std::to_string(Prefix) +
                " (history_length " + std::to_string(HistoryLength) + " x " +
                std::to_string(entryBytes()) +
                "-byte entries): with an Ethernet header that is more than "
                "a frame holds (" +
                std::to_string(MaxFrameBytes) + " bytes)");

  for (size_t I = 0; I < State.size(); ++I) {
    const StateObject &S = State[I];
    std::string Where = "state[" + std::to_string(I) + "]";
    if (std::string Why = badIdentifier(S.Name); !Why.empty())
      return Fail(Where + ": name '" + S.Name + "' " + Why);
    if (S.Kind != "map" && S.Kind != "global")
      return Fail(Where + " '" + S.Name + "': kind '" + S.Kind +
                  "' is not \"map\" or \"global\"");
    for (size_t J = 0; J < I; ++J)
      if (State[J].Name == S.Name)
        return Fail(Where + " '" + S.Name + "': the name is used by state[" +
                    std::to_string(J) + "] too");
  }
  return true;
}

bool Layout::setCores(unsigned K, std::string &Error) {
  if (K < 1 || K > MaxCores) {
    Error = "cores is " + std::to_string(K) + "; it must be 1.." +
            std::to_string(MaxCores);
    return false;
  }
  Cores = K;
  HistoryLength = K - 1;
  return validate(Error);
}

//===----------------------------------------------------------------------===//
// JSON
//===----------------------------------------------------------------------===//

static OrderedJson exprToJson(const Expr &E) {
  OrderedJson J = {{"op", opName(E.K)}};
  if (E.K == Expr::Op::Const)
    J["value"] = E.Value;
  if (E.K == Expr::Op::Pkt)
    J["bytes"] = E.Bytes;
  if (!E.Args.empty()) {
    OrderedJson A = OrderedJson::array();
    for (const auto &X : E.Args)
      A.push_back(exprToJson(*X));
    J["args"] = A;
  }
  return J;
}

namespace {
struct ParseError {
  std::string Msg;
};
} // namespace

/// Reads an expression \p Depth levels down (1 at the top); refuses one
/// nested deeper than MaxExprDepth before recursing any further.
static ExprRef exprFromJson(const json &J, const std::string &Where,
                            unsigned Depth = 1) {
  if (Depth > MaxExprDepth)
    throw ParseError{Where + ": expression nested deeper than " +
                     std::to_string(MaxExprDepth) + " levels"};
  if (!J.is_object() || !J.contains("op") || !J["op"].is_string())
    throw ParseError{Where + ": expression must be an object with \"op\""};
  auto K = opFromName(J["op"].get<std::string>());
  if (!K)
    throw ParseError{Where + ": unknown expression op \"" +
                     J["op"].get<std::string>() + "\""};
  auto E = std::make_shared<Expr>();
  E->K = *K;
  if (*K == Expr::Op::Const) {
    if (!J.contains("value") || !J["value"].is_number_unsigned())
      throw ParseError{Where + ": const needs an unsigned \"value\""};
    E->Value = J["value"].get<uint64_t>();
  }
  if (*K == Expr::Op::Pkt) {
    const json *B = J.contains("bytes") ? &J["bytes"] : nullptr;
    if (!B || !B->is_number_unsigned() ||
        (*B != 1 && *B != 2 && *B != 4 && *B != 8))
      throw ParseError{Where + ": pkt \"bytes\" must be 1, 2, 4 or 8"};
    E->Bytes = B->get<unsigned>();
  }
  unsigned N = arity(*K);
  const json *A = J.contains("args") ? &J["args"] : nullptr;
  if ((N == 0 && A && !A->empty()) ||
      (N > 0 && (!A || !A->is_array() || A->size() != N)))
    throw ParseError{Where + ": " + opName(*K) + " takes " + std::to_string(N) +
                     " argument(s)"};
  for (unsigned I = 0; I < N; ++I)
    E->Args.push_back(exprFromJson((*A)[I], Where, Depth + 1));
  return E;
}

namespace {
/// Typed access to the members of one JSON object, with messages that name
/// the member (`fields[2].bits must be ...`).
struct Members {
  const json &J;
  std::string Where; // "" at the top level, else e.g. "fields[2]"

  std::string name(const char *Key) const {
    return Where.empty() ? Key : Where + "." + Key;
  }
  const json *find(const char *Key, bool Required) const {
    if (J.contains(Key))
      return &J[Key];
    if (Required)
      throw ParseError{"missing \"" + name(Key) + "\""};
    return nullptr;
  }
  /// An integer in Lo..Hi; Layout::validate checks the finer rules.
  uint64_t uint(const char *Key, std::optional<uint64_t> Default, uint64_t Lo,
                uint64_t Hi) const {
    const json *V = find(Key, !Default);
    if (!V)
      return *Default;
    if (!V->is_number_integer())
      throw ParseError{name(Key) + " must be an integer (got " +
                       V->dump().substr(0, 40) + ")"};
    if (!V->is_number_unsigned() || V->get<uint64_t>() < Lo ||
        V->get<uint64_t>() > Hi)
      throw ParseError{outOfRange(name(Key), V->dump(), Lo, Hi)};
    return V->get<uint64_t>();
  }
  std::string str(const char *Key, std::optional<std::string> Default) const {
    const json *V = find(Key, !Default);
    if (!V)
      return *Default;
    if (!V->is_string())
      throw ParseError{name(Key) + " must be a string"};
    return V->get<std::string>();
  }
  bool boolean(const char *Key, bool Default) const {
    const json *V = find(Key, false);
    if (!V)
      return Default;
    if (!V->is_boolean())
      throw ParseError{name(Key) + " must be true or false"};
    return V->get<bool>();
  }
  Members object(const char *Key, bool Required) const {
    static const json Empty = json::object();
    const json *V = find(Key, Required);
    if (V && !V->is_object())
      throw ParseError{name(Key) + " must be an object"};
    return {V ? *V : Empty, name(Key)};
  }
  const json &array(const char *Key, bool Required) const {
    static const json Empty = json::array();
    const json *V = find(Key, Required);
    if (V && !V->is_array())
      throw ParseError{name(Key) + " must be an array"};
    return V ? *V : Empty;
  }
};
} // namespace

static std::string macStr(const uint8_t M[6]) {
  char B[18];
  std::snprintf(B, sizeof B, "%02x:%02x:%02x:%02x:%02x:%02x", M[0], M[1], M[2],
                M[3], M[4], M[5]);
  return B;
}

static bool parseMac(const std::string &S, uint8_t M[6]) {
  unsigned V[6];
  if (std::sscanf(S.c_str(), "%x:%x:%x:%x:%x:%x", &V[0], &V[1], &V[2], &V[3],
                  &V[4], &V[5]) != 6)
    return false;
  for (int I = 0; I < 6; ++I) {
    if (V[I] > 255)
      return false;
    M[I] = uint8_t(V[I]);
  }
  return true;
}

std::string Layout::toJson() const {
  OrderedJson J;
  J["schema"] = "scrcc-layout";
  J["version"] = Version;
  J["program"] = {{"source", Source}, {"entry", Entry}};
  J["cores"] = Cores;
  J["history_length"] = HistoryLength;
  OrderedJson Seq = {{"mode", Mode == SequencerMode::Tor ? "tor" : "nic"}};
  if (Mode == SequencerMode::Tor)
    Seq["outer_ethernet"] = {{"dst", macStr(OuterDst)},
                             {"src", macStr(OuterSrc)},
                             {"ethertype", HeaderFormat::OuterEtherType}};
  J["sequencer"] = Seq;
  J["header"] = {{"bytes", HeaderFormat::Bytes},
                 {"seq_offset", HeaderFormat::SeqOffset},
                 {"hist_seq_offset", HeaderFormat::HistSeqOffset},
                 {"timestamp_offset", HeaderFormat::TimestampOffset},
                 {"oldest_offset", HeaderFormat::OldestOffset},
                 {"flags_offset", HeaderFormat::FlagsOffset}};
  J["timestamp_bits"] = TimestampBits;
  J["prng_seed"] = PrngSeed;
  J["environment"] = {{"time", UsesTime}, {"prng", UsesPrng}};
  J["loss_recovery"] = {{"enabled", LossRecovery}, {"log_entries", LogEntries}};
  J["entry"] = {{"bits", entryBits()}, {"bytes", entryBytes()}};
  J["prefix_bytes"] = prefixBytes();
  J["relevance"] =
      Relevance ? exprToJson(*Relevance) : exprToJson(*Expr::constant(1));
  OrderedJson Fs = OrderedJson::array();
  for (const Field &F : Fields) {
    OrderedJson JF = {{"name", F.Name},
                      {"kind", kindName(F.K)},
                      {"bit_offset", F.BitOffset},
                      {"bits", F.Bits},
                      {"c_type", F.CType}};
    if (F.K == Field::Kind::Packet)
      JF["offset"] = exprToJson(*F.Offset);
    if (F.K == Field::Kind::Value || F.K == Field::Kind::Predicate)
      JF["expr"] = exprToJson(*F.Value);
    OrderedJson W = OrderedJson::array();
    for (const Reason &R : F.Why)
      W.push_back({{"kind", R.Kind}, {"text", R.Text}, {"at", R.Location}});
    JF["why"] = W;
    Fs.push_back(JF);
  }
  J["fields"] = Fs;
  OrderedJson St = OrderedJson::array();
  for (const StateObject &S : State) {
    OrderedJson JS = {{"name", S.Name},
                      {"kind", S.Kind},
                      {"original_type", S.Original},
                      {"scr_type", S.Replicated},
                      {"written", S.Written}};
    if (S.Written)
      JS["replica_type"] = S.ReplicaType;
    St.push_back(JS);
  }
  J["state"] = St;
  return J.dump(2) + "\n";
}

std::optional<Layout> Layout::fromJson(const std::string &Text,
                                       std::string &Error) {
  json J = json::parse(Text, nullptr, /*allow_exceptions=*/false);
  if (J.is_discarded()) {
    Error = "layout is not valid JSON";
    return std::nullopt;
  }
  try {
    if (!J.is_object() || !J.contains("schema") ||
        J["schema"] != "scrcc-layout")
      throw ParseError{"not an scrcc layout (missing \"schema\": "
                       "\"scrcc-layout\")"};
    Members Top{J, ""};
    Layout L;
    L.Version = int(Top.uint("version", 0, 0, INT32_MAX));
    if (L.Version != LayoutSchemaVersion)
      throw ParseError{"layout schema version " + std::to_string(L.Version) +
                       " is not supported (this build reads version " +
                       std::to_string(LayoutSchemaVersion) + ")"};
    Members Prog = Top.object("program", false);
    L.Source = Prog.str("source", "");
    L.Entry = Prog.str("entry", "");
    L.Cores = unsigned(Top.uint("cores", std::nullopt, 1, MaxCores));
    L.HistoryLength =
        unsigned(Top.uint("history_length", std::nullopt, 0, MaxHistoryLength));
    Members Seq = Top.object("sequencer", true);
    std::string M = Seq.str("mode", "nic");
    if (M != "nic" && M != "tor")
      throw ParseError{"sequencer.mode must be \"nic\" or \"tor\""};
    L.Mode = M == "tor" ? SequencerMode::Tor : SequencerMode::Nic;
    if (L.Mode == SequencerMode::Tor && Seq.J.contains("outer_ethernet")) {
      Members O = Seq.object("outer_ethernet", true);
      if (!parseMac(O.str("dst", ""), L.OuterDst) ||
          !parseMac(O.str("src", ""), L.OuterSrc))
        throw ParseError{"sequencer.outer_ethernet: bad MAC address"};
    }
    L.TimestampBits = unsigned(Top.uint("timestamp_bits", 48, 16, 64));
    L.PrngSeed = Top.uint("prng_seed", L.PrngSeed, 0, UINT64_MAX);
    Members Loss = Top.object("loss_recovery", false);
    L.LossRecovery = Loss.boolean("enabled", false);
    L.LogEntries = unsigned(Loss.uint("log_entries", 1024, 1, MaxLogEntries));
    Members Env = Top.object("environment", false);
    L.UsesTime = Env.boolean("time", false);
    L.UsesPrng = Env.boolean("prng", false);
    L.Relevance = exprFromJson(*Top.find("relevance", true), "relevance");
    const json &Fs = Top.array("fields", true);
    for (size_t I = 0; I < Fs.size(); ++I) {
      if (!Fs[I].is_object())
        throw ParseError{"fields[" + std::to_string(I) + "] must be an object"};
      Members JF{Fs[I], "fields[" + std::to_string(I) + "]"};
      Field F;
      F.Name = JF.str("name", std::nullopt);
      std::string Kind = JF.str("kind", std::nullopt);
      auto K = kindFromName(Kind);
      if (!K)
        throw ParseError{JF.name("kind") + ": unknown kind \"" + Kind +
                         "\" (packet, value, predicate, length, timestamp)"};
      F.K = *K;
      F.Bits = unsigned(JF.uint("bits", std::nullopt, 1, 64));
      F.BitOffset = unsigned(
          JF.uint("bit_offset", std::nullopt, 0, MaxSlotBytes * 8 - 1));
      F.CType = JF.str("c_type", "");
      std::string Where = "field '" + F.Name + "'";
      if (F.K == Field::Kind::Packet)
        F.Offset = exprFromJson(*JF.find("offset", true), Where + " offset");
      if (F.K == Field::Kind::Value || F.K == Field::Kind::Predicate)
        F.Value = exprFromJson(*JF.find("expr", true), Where + " expr");
      for (const json &W : JF.array("why", false)) {
        if (!W.is_object())
          throw ParseError{JF.name("why") + " must hold objects"};
        Members R{W, JF.name("why")};
        F.Why.push_back(
            {R.str("kind", ""), R.str("text", ""), R.str("at", "")});
      }
      L.Fields.push_back(std::move(F));
    }
    // entry.bytes is the slot stride: the packed entry, or more (padding).
    L.SlotBytes =
        unsigned(Top.object("entry", false).uint("bytes", 0, 0, MaxSlotBytes));
    const json &St = Top.array("state", false);
    for (size_t I = 0; I < St.size(); ++I) {
      if (!St[I].is_object())
        throw ParseError{"state[" + std::to_string(I) + "] must be an object"};
      Members S{St[I], "state[" + std::to_string(I) + "]"};
      L.State.push_back({S.str("name", ""), S.str("kind", ""),
                         S.str("original_type", ""), S.str("scr_type", ""),
                         S.boolean("written", false),
                         S.str("replica_type", "")});
    }
    if (!L.validate(Error))
      return std::nullopt;
    if (L.SlotBytes == (L.entryBits() + 7) / 8)
      L.SlotBytes = 0; // packed
    return L;
  } catch (const ParseError &E) {
    Error = E.Msg;
  } catch (const json::exception &E) {
    Error = std::string("malformed layout: ") + E.what();
  }
  return std::nullopt;
}

std::optional<Layout> Layout::load(const std::string &Path,
                                   std::string &Error) {
  std::ifstream In(Path);
  if (!In) {
    Error = "cannot open '" + Path + "'";
    return std::nullopt;
  }
  std::stringstream SS;
  SS << In.rdbuf();
  auto L = fromJson(SS.str(), Error);
  if (!L)
    Error = Path + ": " + Error;
  return L;
}

} // namespace scr
