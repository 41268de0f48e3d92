//===- Layout.cpp - SCR layout model, evaluation and JSON -----------------===//

#include "scrcc/Layout.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

using nlohmann::json;

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
// JSON
//===----------------------------------------------------------------------===//

static json exprToJson(const Expr &E) {
  json J = {{"op", opName(E.K)}};
  if (E.K == Expr::Op::Const)
    J["value"] = E.Value;
  if (E.K == Expr::Op::Pkt)
    J["bytes"] = E.Bytes;
  if (!E.Args.empty()) {
    json A = json::array();
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

static ExprRef exprFromJson(const json &J, const std::string &Where) {
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
    unsigned B = J.value("bytes", 0u);
    if (B != 1 && B != 2 && B != 4 && B != 8)
      throw ParseError{Where + ": pkt \"bytes\" must be 1, 2, 4 or 8"};
    E->Bytes = B;
  }
  unsigned N = arity(*K);
  const json *A = J.contains("args") ? &J["args"] : nullptr;
  if ((N == 0 && A && !A->empty()) ||
      (N > 0 && (!A || !A->is_array() || A->size() != N)))
    throw ParseError{Where + ": " + opName(*K) + " takes " + std::to_string(N) +
                     " argument(s)"};
  for (unsigned I = 0; I < N; ++I)
    E->Args.push_back(exprFromJson((*A)[I], Where));
  return E;
}

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
  json J;
  J["schema"] = "scrcc-layout";
  J["version"] = Version;
  J["program"] = {{"source", Source}, {"entry", Entry}};
  J["cores"] = Cores;
  J["history_length"] = HistoryLength;
  json Seq = {{"mode", Mode == SequencerMode::Tor ? "tor" : "nic"}};
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
  json Fs = json::array();
  for (const Field &F : Fields) {
    json JF = {{"name", F.Name},
               {"kind", kindName(F.K)},
               {"bit_offset", F.BitOffset},
               {"bits", F.Bits},
               {"c_type", F.CType}};
    if (F.K == Field::Kind::Packet)
      JF["offset"] = exprToJson(*F.Offset);
    if (F.K == Field::Kind::Value || F.K == Field::Kind::Predicate)
      JF["expr"] = exprToJson(*F.Value);
    json W = json::array();
    for (const Reason &R : F.Why)
      W.push_back({{"kind", R.Kind}, {"text", R.Text}, {"at", R.Location}});
    JF["why"] = W;
    Fs.push_back(JF);
  }
  J["fields"] = Fs;
  json St = json::array();
  for (const StateObject &S : State) {
    json JS = {{"name", S.Name},
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
    if (!J.is_object() || J.value("schema", "") != "scrcc-layout")
      throw ParseError{"not an scrcc layout (missing \"schema\": "
                       "\"scrcc-layout\")"};
    int V = J.value("version", -1);
    if (V != LayoutSchemaVersion)
      throw ParseError{"layout schema version " + std::to_string(V) +
                       " is not supported (this build reads version " +
                       std::to_string(LayoutSchemaVersion) + ")"};
    Layout L;
    L.Version = V;
    L.Source = J["program"].value("source", "");
    L.Entry = J["program"].value("entry", "");
    L.Cores = J.at("cores").get<unsigned>();
    L.HistoryLength = J.at("history_length").get<unsigned>();
    if (L.Cores == 0 || L.HistoryLength > 65535)
      throw ParseError{"invalid cores/history_length"};
    std::string M = J.at("sequencer").value("mode", "nic");
    if (M != "nic" && M != "tor")
      throw ParseError{"sequencer.mode must be \"nic\" or \"tor\""};
    L.Mode = M == "tor" ? SequencerMode::Tor : SequencerMode::Nic;
    if (L.Mode == SequencerMode::Tor &&
        J["sequencer"].contains("outer_ethernet")) {
      const json &O = J["sequencer"]["outer_ethernet"];
      if (!parseMac(O.value("dst", ""), L.OuterDst) ||
          !parseMac(O.value("src", ""), L.OuterSrc))
        throw ParseError{"sequencer.outer_ethernet: bad MAC address"};
    }
    L.TimestampBits = J.value("timestamp_bits", 48u);
    L.PrngSeed = J.value("prng_seed", L.PrngSeed);
    if (J.contains("loss_recovery")) {
      L.LossRecovery = J["loss_recovery"].value("enabled", false);
      L.LogEntries = J["loss_recovery"].value("log_entries", 1024u);
    }
    if (J.contains("environment")) {
      L.UsesTime = J["environment"].value("time", false);
      L.UsesPrng = J["environment"].value("prng", false);
    }
    L.Relevance = exprFromJson(J.at("relevance"), "relevance");
    for (const json &JF : J.at("fields")) {
      Field F;
      F.Name = JF.at("name").get<std::string>();
      auto K = kindFromName(JF.at("kind").get<std::string>());
      if (!K)
        throw ParseError{"field " + F.Name + ": unknown kind"};
      F.K = *K;
      F.Bits = JF.at("bits").get<unsigned>();
      F.BitOffset = JF.at("bit_offset").get<unsigned>();
      F.CType = JF.value("c_type", "");
      if (F.Bits == 0 || F.Bits > 64)
        throw ParseError{"field " + F.Name + ": bits must be 1..64"};
      if (F.K == Field::Kind::Packet) {
        if (F.Bits % 8 ||
            (F.Bits != 8 && F.Bits != 16 && F.Bits != 32 && F.Bits != 64))
          throw ParseError{"field " + F.Name +
                           ": packet fields are 1, 2, 4 or 8 bytes"};
        F.Offset = exprFromJson(JF.at("offset"), "field " + F.Name);
      }
      if (F.K == Field::Kind::Value || F.K == Field::Kind::Predicate)
        F.Value = exprFromJson(JF.at("expr"), "field " + F.Name);
      if (JF.contains("why"))
        for (const json &W : JF["why"])
          F.Why.push_back(
              {W.value("kind", ""), W.value("text", ""), W.value("at", "")});
      L.Fields.push_back(std::move(F));
    }
    // entry.bytes is the slot stride: the packed entry, or more (padding).
    if (J.contains("entry") && J["entry"].contains("bytes")) {
      unsigned Packed = (L.entryBits() + 7) / 8,
               Bytes = J["entry"]["bytes"].get<unsigned>();
      if (Bytes < Packed)
        throw ParseError{"entry.bytes is " + std::to_string(Bytes) +
                         ", but the fields need " + std::to_string(Packed)};
      if (Bytes > MaxSlotBytes)
        throw ParseError{"entry.bytes is " + std::to_string(Bytes) +
                         " (at most " + std::to_string(MaxSlotBytes) + ")"};
      L.SlotBytes = Bytes > Packed ? Bytes : 0;
    }
    if (J.contains("state"))
      for (const json &S : J["state"])
        L.State.push_back({S.value("name", ""), S.value("kind", ""),
                           S.value("original_type", ""),
                           S.value("scr_type", ""), S.value("written", false),
                           S.value("replica_type", "")});
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
