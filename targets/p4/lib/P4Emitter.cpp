//===- P4Emitter.cpp - Tofino (TNA, P4_16) sequencer from a layout --------===//
//
// Shape of the generated program (docs/p4.md):
//   ingress  hand-written (fragments/scr_ingress.p4): bridges the MAC
//            timestamp, picks the server port.
//   egress   parser: the layout's packet bytes (IPv4 options and the bytes
//            behind them per IHL value, length-gated so that no extract runs
//            past the frame);
//            stage 0: relevance table -> write pointer + hist_seq registers,
//            sequence number, predicate tables, frame length;
//            then the entry is packed into register words and every history
//            register reads its word out and overwrites it iff its slot is
//            the write slot; deparser: [outer Ethernet] SCR header, history,
//            original frame.
//
//===----------------------------------------------------------------------===//

#include "scrcc/P4Emitter.h"
#include "scrcc/Spdx.h"

#include "MatchRows.h"
#include "ValueTable.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

namespace scrp4 {

extern const char *const FragmentCommon;
extern const char *const FragmentIngress;

using scr::Field;
using scr::Layout;

namespace {

std::string hex(uint64_t V) {
  char B[24];
  std::snprintf(B, sizeof B, V < 10 ? "%llu" : "0x%llx", (unsigned long long)V);
  return B;
}

/// A run of frame bytes extracted as one header field.
struct Span {
  unsigned Off, Len;
};

/// Words P4_16 reserves, which a layout field's (C) name may be.
bool isP4Keyword(const std::string &N) {
  static const char *const Words[] = {
      "action", "actions",    "apply",        "bit",        "bool",
      "const",  "control",    "default",      "else",       "entries",
      "enum",   "error",      "exit",         "extern",     "false",
      "header", "if",         "in",           "inout",      "int",
      "key",    "list",       "out",          "package",    "parser",
      "return", "select",     "size",         "state",      "string",
      "struct", "switch",     "table",        "transition", "true",
      "tuple",  "type",       "typedef",      "varbit",     "verify",
      "void",   "match_kind", "header_union", "value_set",  "pragma",
      "this",   "priority"};
  for (const char *W : Words)
    if (N == W)
      return true;
  return false;
}

/// Bits of a value, MSB first; an empty Expr stands for zeros.
struct Seg {
  std::string Expr;
  unsigned Bits;
};

class Emitter {
public:
  Emitter(const Layout &L, const P4Options &O, std::string &Error)
      : L(L), Opts(O), Error(Error) {}
  bool run(std::string &Out);
  /// Everything but the resource plan; sets Needs.
  bool analyse();
  const SequencerNeeds &needs() const { return Needs; }

private:
  const Layout &L;
  const P4Options &Opts;
  std::string &Error;
  ResourceReport Plan;

  std::vector<Row> Relevance;
  std::vector<std::vector<Row>> PredRows; // per field (predicates only)
  std::vector<std::optional<Operand>> FieldOps;
  std::vector<Span> BaseSpans, L4Spans;
  unsigned BaseEnd = 0, L4End = 0;
  bool UsesL4 = false;
  // The relevance does not guarantee the L4 bytes: they are extracted in
  // chunks (split at every load boundary), each only if the frame holds it,
  // and zero-filled otherwise, as the reference reads past the frame's end.
  bool L4Chunked = false;
  // ... nor IHL >= 5: for IHL 0..4 the bytes lie inside hdr.pkt and are
  // copied from there.
  bool L4ShortIhlCopy = false;
  std::vector<Span> L4Chunks;
  bool UsesLength = false;
  // Values the MAU computes for match rows that compare two packet fields.
  DerivedValues Derived;
  // Per field: the table computing a value field from small bit-fields, or
  // the constant a predicate/value field always has.
  std::vector<std::optional<ValueTable>> ValueTables;
  std::vector<std::optional<uint64_t>> ConstFields;
  std::vector<unsigned> TableStage;    // per predicate/value-table field
  std::vector<unsigned> FieldReady;    // stage from which its bits are in PHV
  std::set<unsigned> BaseCuts, L4Cuts; // header fields must split here
  SequencerNeeds Needs;

  std::ostringstream OS;

  bool analyseFields(std::set<Operand> &Used);
  bool checkPlacedOperands();
  void computeReadiness();
  unsigned ready(const Operand &O) const;
  unsigned rowsStage(const std::vector<Row> &Rows) const;
  bool readsL4(const Operand &O) const;
  bool rowReadsL4(const Row &R) const;
  /// \p O, or the packet fields a Derived operand is computed from.
  std::vector<Operand> sources(const Operand &O) const;
  std::string regionBytes(Region R, unsigned Off, unsigned Len) const;
  std::string valName(const Field &F) const { return "scr_val_" + F.Name; }
  bool isPredTable(size_t I) const {
    return L.Fields[I].K == Field::Kind::Predicate && !ConstFields[I];
  }
  bool isValueTable(size_t I) const {
    return ValueTables[I] && !ConstFields[I];
  }
  unsigned lastComputeStage() const;
  bool fail(const std::string &M) {
    Error = M;
    return false;
  }
  static std::vector<Span> spans(std::vector<std::pair<unsigned, unsigned>> I,
                                 const std::set<unsigned> &Cuts);
  /// A header field's name: the layout field it carries (`iph_saddr`), the
  /// Ethernet field it is, or its offset (`b12`).
  std::string spanName(Region R, const Span &S) const;
  std::string operandExpr(const Operand &O) const;
  std::vector<Seg> operandSegs(const Operand &O) const;
  std::vector<Seg> fieldSegs(const Field &F, size_t Index) const;
  static std::string concat(const std::vector<Seg> &S, unsigned Hi,
                            unsigned Lo);
  std::string predName(const Field &F) const { return "scr_pred_" + F.Name; }
  std::string chunkName(size_t I) const { return "l4_c" + std::to_string(I); }
  std::string baseBytes(unsigned Off, unsigned Len) const;
  bool chooseL4Extraction(const std::vector<Row> &PredL4Rows);
  void emitL4Chunks();

  void emitScrHeader();
  void emitHeaders();
  void emitParser();
  void emitMatchTable(const std::string &Name, const std::vector<Row> &Rows,
                      const std::string &Hit, const std::string &Miss);
  void emitEgress();
  void emitDeparser();
  void regionHeader(const std::string &Name, Region R,
                    const std::vector<Span> &S, unsigned End,
                    const std::string &What);
};

std::vector<Span> Emitter::spans(std::vector<std::pair<unsigned, unsigned>> I,
                                 const std::set<unsigned> &Cuts) {
  std::sort(I.begin(), I.end());
  std::vector<Span> Merged, Out;
  for (auto [B, E] : I) {
    if (!Merged.empty() && B < Merged.back().Off + Merged.back().Len)
      Merged.back().Len = std::max(Merged.back().Off + Merged.back().Len, E) -
                          Merged.back().Off;
    else
      Merged.push_back({B, E - B});
  }
  // Bytes an ALU instruction reads must be whole header fields.
  for (Span S : Merged) {
    for (unsigned C : Cuts)
      if (C > S.Off && C < S.Off + S.Len) {
        Out.push_back({S.Off, C - S.Off});
        S = {C, S.Off + S.Len - C};
      }
    Out.push_back(S);
  }
  return Out;
}

std::vector<Operand> Emitter::sources(const Operand &O) const {
  if (O.R != Region::Derived)
    return {O};
  const SatSub &D = Derived.Items[O.Offset];
  return {D.Minuend, D.Subtrahend};
}

bool Emitter::readsL4(const Operand &O) const {
  for (const Operand &S : sources(O))
    if (S.R == Region::L4)
      return true;
  return false;
}

bool Emitter::rowReadsL4(const Row &R) const {
  for (const auto &[O, _] : R.Ranges)
    if (readsL4(O))
      return true;
  for (const auto &[O, _] : R.Terns)
    if (readsL4(O))
      return true;
  return false;
}

// The stage from which an operand is in the PHV: parsed bytes at once; L4
// chunks after the stage-0 zero-fill; a derived value one stage after its
// inputs. The frame length is matched as eg_intr_md.pkt_length directly.
unsigned Emitter::ready(const Operand &O) const {
  switch (O.R) {
  case Region::Base:
  case Region::Length:
    return 0;
  case Region::L4:
    return L4Chunked ? 1 : 0;
  case Region::Derived: {
    unsigned S = 0;
    for (const Operand &X : sources(O))
      S = std::max(S, ready(X));
    return S + 1;
  }
  }
  return 0;
}

unsigned Emitter::rowsStage(const std::vector<Row> &Rows) const {
  unsigned S = 0;
  for (const Row &R : Rows) {
    for (const auto &[O, _] : R.Ranges)
      S = std::max(S, ready(O));
    for (const auto &[O, _] : R.Terns)
      S = std::max(S, ready(O));
  }
  return S;
}

bool Emitter::analyse() {
  if (L.TimestampBits > 48)
    return fail("timestamp_bits is " + std::to_string(L.TimestampBits) +
                "; Tofino's MAC timestamp has 48 bits");
  // Field placement, names and expressions: Layout::validate.
  std::string Invalid;
  if (!L.validate(Invalid))
    return fail(Invalid);

  std::string E;
  if (L.Relevance) {
    // No DerivedValues: the relevance decides the write pointer in stage 0,
    // before anything could be computed.
    auto R = toRows(*L.Relevance, false, E);
    if (!R)
      return fail("relevance `" + L.Relevance->str() + "`: " + E);
    Relevance = std::move(*R);
  } else {
    Relevance = {Row{}};
  }

  std::set<Operand> Used;
  if (!analyseFields(Used))
    return false;
  // Operands of saturating subtractions must be whole header fields.
  for (const SatSub &D : Derived.Items)
    for (const Operand &O : {D.Minuend, D.Subtrahend})
      (O.R == Region::Base ? BaseCuts : L4Cuts)
          .insert({O.Offset, O.Offset + O.Bytes});

  std::vector<std::pair<unsigned, unsigned>> Base, L4;
  for (const Operand &O : Used) {
    if (O.R == Region::Base)
      Base.push_back({O.Offset, O.Offset + O.Bytes});
    if (O.R == Region::L4) {
      L4.push_back({O.Offset, O.Offset + O.Bytes});
      UsesL4 = true;
    }
  }
  if (UsesL4)
    Base.push_back({14, 15}); // the IHL nibble selects the options
  BaseSpans = spans(Base, BaseCuts);
  L4Spans = spans(L4, L4Cuts);
  for (const Span &S : BaseSpans)
    BaseEnd = std::max(BaseEnd, S.Off + S.Len);
  for (const Span &S : L4Spans)
    L4End = std::max(L4End, S.Off + S.Len);
  if (UsesL4) {
    if (BaseEnd > 34)
      return fail("the layout reads frame bytes up to offset " +
                  std::to_string(BaseEnd) +
                  " at constant offsets and also behind the IPv4 header "
                  "(IHL-relative); constant offsets must stay within the "
                  "first 34 bytes (Ethernet + IPv4 without options)");
    BaseEnd = 34;
    // The bytes between the last extracted span and 34 are a skip field.
  } else if (BaseEnd > 60) {
    return fail("the layout reads frame bytes up to offset " +
                std::to_string(BaseEnd) +
                " without a length check the parser can use; only the first "
                "60 bytes (the minimum Ethernet frame) are always present");
  }
  // Bytes behind the IPv4 header are extracted only when IHL >= 5 and the
  // frame holds them; a table row reading them must imply both.
  std::vector<Row> PredL4Rows;
  for (const auto &Rows : PredRows)
    for (const Row &R : Rows)
      PredL4Rows.push_back(R);
  if (!chooseL4Extraction(PredL4Rows) || !checkPlacedOperands())
    return false;
  computeReadiness();
  return true;
}

bool Emitter::analyseFields(std::set<Operand> &Used) {
  std::string E;
  auto NoteOp = [&](const Operand &O) {
    for (const Operand &S : sources(O))
      Used.insert(S);
  };
  auto Note = [&](const std::vector<Row> &Rows) {
    for (const Row &R : Rows) {
      for (const auto &[O, _] : R.Ranges)
        NoteOp(O);
      for (const auto &[O, _] : R.Terns)
        NoteOp(O);
    }
  };
  Note(Relevance);
  PredRows.resize(L.Fields.size());
  FieldOps.resize(L.Fields.size());
  ValueTables.resize(L.Fields.size());
  ConstFields.resize(L.Fields.size());
  for (size_t I = 0; I < L.Fields.size(); ++I) {
    const Field &F = L.Fields[I];
    switch (F.K) {
    case Field::Kind::Predicate: {
      auto R = toRows(*F.Value, false, E, &Derived);
      if (!R)
        return fail("field '" + F.Name + "' (predicate `" + F.Value->str() +
                    "`): " + E);
      PredRows[I] = std::move(*R);
      const auto &Rows = PredRows[I];
      if (Rows.empty()) // never true: a constant 0 in the entry
        ConstFields[I] = 0;
      else if (Rows.size() == 1 && Rows[0].Ranges.empty() &&
               Rows[0].Terns.empty())
        ConstFields[I] = 1;
      Note(PredRows[I]);
      break;
    }
    case Field::Kind::Packet:
    case Field::Kind::Value: {
      auto X = F.K == Field::Kind::Packet ? scr::Expr::pkt(F.Offset, F.Bits / 8)
                                          : F.Value;
      auto O = toOperand(*X);
      if (F.K == Field::Kind::Value && !O) {
        // A function of a few small bit-fields: an exact-match table.
        std::string Why;
        ValueTables[I] = enumerateValue(*X, F.Bits, Why);
        if (!ValueTables[I])
          return fail("field '" + F.Name + "': `" + X->str() +
                      "` cannot be computed on Tofino (supported: packet "
                      "bytes at constant or IPv4-IHL-relative offsets, "
                      "low-bit masks, shifts, byte swaps, the frame length, "
                      "or a function of packet bit-fields of at most " +
                      std::to_string(MaxValueTableKeyBits) +
                      " bits together, looked up in a table): it " + Why);
        if (ValueTables[I]->Keys.empty())
          ConstFields[I] = ValueTables[I]->Entries.front().Value;
        for (const Operand &K : ValueTables[I]->Keys)
          Used.insert(K);
        break;
      }
      if (!O || (F.K == Field::Kind::Packet && O->R == Region::Length))
        return fail("field '" + F.Name + "': `" + X->str() +
                    "` cannot be computed on Tofino (supported: packet bytes "
                    "at constant or IPv4-IHL-relative offsets, low-bit "
                    "masks, shifts, byte swaps, the frame length)");
      FieldOps[I] = O;
      Used.insert(*O);
      UsesLength |= O->R == Region::Length;
      break;
    }
    case Field::Kind::Length:
      UsesLength = true;
      break;
    case Field::Kind::Timestamp:
      break;
    }
  }
  return true;
}

// Table keys must be single (slices of) header fields, and the inputs of
// saturating subtractions whole header fields.
bool Emitter::checkPlacedOperands() {
  auto Single = [&](const Operand &O) {
    return operandExpr(O).find(" ++ ") == std::string::npos;
  };
  auto Key = [&](const Operand &O, const std::string &Table) {
    if (Single(O))
      return true;
    return fail(Table + " would match frame bytes " + std::to_string(O.Offset) +
                ".." + std::to_string(O.Offset + O.Bytes - 1) +
                (O.R == Region::L4 ? " behind the IPv4 header" : "") +
                ", which the parser splits into several fields (another "
                "load or comparison needs them apart); a table key must be "
                "one field");
  };
  auto Rows = [&](const std::vector<Row> &Rs, const std::string &Table) {
    for (const Row &R : Rs) {
      for (const auto &[O, _] : R.Ranges)
        if (!Key(O, Table))
          return false;
      for (const auto &[O, _] : R.Terns)
        if (!Key(O, Table))
          return false;
    }
    return true;
  };
  if (!Rows(Relevance, "the relevance table"))
    return false;
  for (size_t I = 0; I < L.Fields.size(); ++I) {
    if (!Rows(PredRows[I], "the table of predicate '" + L.Fields[I].Name + "'"))
      return false;
    if (ValueTables[I])
      for (const Operand &K : ValueTables[I]->Keys)
        if (!Key(K, "the table of field '" + L.Fields[I].Name + "'"))
          return false;
  }
  for (const SatSub &D : Derived.Items)
    for (const Operand &O : {D.Minuend, D.Subtrahend}) {
      std::string X = operandExpr(O);
      if (X.find(" ++ ") != std::string::npos ||
          X.find('[') != std::string::npos)
        return fail("internal error: saturating subtraction input `" + X +
                    "` is not a whole header field");
    }
  return true;
}

unsigned Emitter::lastComputeStage() const {
  unsigned S = 0;
  for (unsigned R : FieldReady)
    S = std::max(S, R);
  return S;
}

// When each field's bits are in the PHV, and from that the first stage of
// each register word: the word is packed in the stage its last field is
// ready, its registers read the packed word from the next stage on.
void Emitter::computeReadiness() {
  TableStage.assign(L.Fields.size(), 0);
  FieldReady.assign(L.Fields.size(), 0);
  unsigned Computed = 0;
  for (size_t I = 0; I < L.Fields.size(); ++I) {
    const Field &F = L.Fields[I];
    unsigned &R = FieldReady[I];
    if (ConstFields[I]) {
      R = 0; // a constant in the pack action
    } else if (F.K == Field::Kind::Predicate) {
      TableStage[I] = rowsStage(PredRows[I]);
      R = TableStage[I] + 1;
      Computed += 8;
    } else if (ValueTables[I]) {
      for (const Operand &K : ValueTables[I]->Keys)
        TableStage[I] = std::max(TableStage[I], ready(K));
      R = TableStage[I] + 1;
      Computed += F.Bits <= 8 ? 8 : F.Bits <= 16 ? 16 : 32;
    } else if (FieldOps[I]) {
      R = FieldOps[I]->R == Region::Length ? 1 : ready(*FieldOps[I]);
    } else {
      R = F.K == Field::Kind::Length ? 1 : 0; // scr_measure() in stage 0
    }
  }
  for (const SatSub &D : Derived.Items)
    Computed += 8 * D.Minuend.Bytes;
  std::vector<unsigned> Words = entryWords(L, Opts.Target->SaluWordBits);
  Needs = SequencerNeeds();
  Needs.ComputedBits = Computed;
  unsigned Start = 0;
  for (unsigned WB : Words) {
    unsigned Ready = 0;
    for (size_t I = 0; I < L.Fields.size(); ++I) {
      const Field &F = L.Fields[I];
      if (F.BitOffset < Start + WB && F.BitOffset + F.Bits > Start)
        Ready = std::max(Ready, FieldReady[I]);
    }
    Needs.WordFirstStage.push_back(Ready + 1);
    Start += WB;
  }
  Needs.ComputeStages = lastComputeStage() + 1;
}

bool Emitter::chooseL4Extraction(const std::vector<Row> &PredL4Rows) {
  if (!UsesL4)
    return true;
  bool Guaranteed = true, IhlGuaranteed = true;
  for (const Row &R : Relevance) {
    if (rowReadsL4(R) && !rowImpliesL4(R, L4End))
      return fail("relevance `" + L.Relevance->str() +
                  "` reads bytes behind the IPv4 header without guaranteeing "
                  "ihl >= 5 and len >= 14 + ihl * 4 + " +
                  std::to_string(L4End) +
                  "; the switch can only extract them from frames that hold "
                  "them");
    Guaranteed &= rowImpliesL4(R, L4End);
    auto It = R.Ranges.find(ihlOperand());
    IhlGuaranteed &= It != R.Ranges.end() && It->second.Lo >= 5;
  }
  if (Guaranteed) // every relevant frame holds them: one header
    return true;
  // Fields only: chunks, zero-filled when absent.
  for (const Row &R : PredL4Rows)
    if (rowReadsL4(R) && !rowImpliesL4(R, L4End))
      return fail("a predicate reads bytes behind the IPv4 header without "
                  "guaranteeing ihl >= 5 and len >= 14 + ihl * 4 + " +
                  std::to_string(L4End) + ", and neither does the relevance `" +
                  (L.Relevance ? L.Relevance->str() : std::string("1")) + "`");
  L4Chunked = true;
  if (!IhlGuaranteed) {
    if (14 + 4 * 4 + L4End > BaseEnd)
      return fail("the layout reads " + std::to_string(L4End) +
                  " bytes behind the IPv4 header, but the relevance does not "
                  "guarantee ihl >= 5; for IHL 0..4 those bytes would have to "
                  "come from the first " +
                  std::to_string(BaseEnd) +
                  " bytes, which hold at most 4 of them");
    L4ShortIhlCopy = true;
  }
  std::set<unsigned> Cuts;
  std::vector<std::pair<unsigned, unsigned>> Loads;
  auto Note = [&](const Operand &Op) {
    for (const Operand &O : sources(Op)) {
      if (O.R != Region::L4)
        continue;
      Cuts.insert(O.Offset);
      Cuts.insert(O.Offset + O.Bytes);
      Loads.push_back({O.Offset, O.Offset + O.Bytes});
    }
  };
  for (size_t I = 0; I < L.Fields.size(); ++I) {
    if (FieldOps[I])
      Note(*FieldOps[I]);
    if (ValueTables[I])
      for (const Operand &K : ValueTables[I]->Keys)
        Note(K);
  }
  for (const Row &R : Relevance) {
    for (const auto &[O, _] : R.Ranges)
      Note(O);
    for (const auto &[O, _] : R.Terns)
      Note(O);
  }
  for (const Row &R : PredL4Rows) {
    for (const auto &[O, _] : R.Ranges)
      Note(O);
    for (const auto &[O, _] : R.Terns)
      Note(O);
  }
  std::vector<unsigned> C(Cuts.begin(), Cuts.end());
  for (size_t I = 0; I + 1 < C.size(); ++I) {
    bool Covered = false;
    for (auto [B, E] : Loads)
      Covered |= B <= C[I] && C[I + 1] <= E;
    if (Covered)
      L4Chunks.push_back({C[I], C[I + 1] - C[I]});
  }
  // Table keys must be single fields: a key inside one chunk.
  auto InOneChunk = [&](const Operand &O) {
    for (const Span &S : L4Chunks)
      if (O.Offset >= S.Off && O.Offset + O.Bytes <= S.Off + S.Len)
        return true;
    return false;
  };
  for (const std::vector<Row> *Rows :
       {static_cast<const std::vector<Row> *>(&Relevance), &PredL4Rows})
    for (const Row &R : *Rows)
      for (const auto &[O, _] : R.Ranges)
        if (O.R == Region::L4 && !InOneChunk(O))
          return fail("a table key reads L4 bytes " + std::to_string(O.Offset) +
                      ".." + std::to_string(O.Offset + O.Bytes - 1) +
                      " that overlap another load only in part");
  return true;
}

std::string Emitter::spanName(Region R, const Span &S) const {
  // Names of the other kinds (`b12`, `skip14`) and P4's words stay free.
  auto Usable = [](const std::string &N) {
    size_t Digits = N.find_first_of("0123456789");
    bool OffsetName =
        Digits != std::string::npos &&
        N.find_first_not_of("0123456789", Digits) == std::string::npos &&
        (N.substr(0, Digits) == "b" || N.substr(0, Digits) == "skip");
    return !OffsetName && !isP4Keyword(N);
  };
  for (size_t I = 0; I < L.Fields.size(); ++I) {
    const std::optional<Operand> &O = FieldOps[I];
    if (L.Fields[I].K == Field::Kind::Packet && O && O->R == R &&
        O->Offset == S.Off && O->Bytes == S.Len && !O->Swapped &&
        Usable(L.Fields[I].Name))
      return L.Fields[I].Name;
  }
  // Every frame starts with an Ethernet header (unless a layout field
  // already has the name).
  const char *Eth = nullptr;
  if (R == Region::Base && S.Len == 6 && (S.Off == 0 || S.Off == 6))
    Eth = S.Off == 0 ? "eth_dst" : "eth_src";
  if (R == Region::Base && S.Off == 12 && S.Len == 2)
    Eth = "eth_type";
  if (Eth && std::none_of(L.Fields.begin(), L.Fields.end(),
                          [&](const Field &F) { return F.Name == Eth; }))
    return Eth;
  return "b" + std::to_string(S.Off);
}

// Frame bytes Off..Off+Len-1 (all below BaseEnd) as slices of hdr.pkt.
std::string Emitter::baseBytes(unsigned Off, unsigned Len) const {
  return regionBytes(Region::Base, Off, Len);
}

// Bytes Off..Off+Len-1 of hdr.pkt / hdr.l4 (not chunked) as a
// concatenation of (slices of) their header fields.
std::string Emitter::regionBytes(Region Rg, unsigned Off, unsigned Len) const {
  const auto &Spans = Rg == Region::Base ? BaseSpans : L4Spans;
  unsigned End = Rg == Region::Base ? BaseEnd : L4End;
  std::string Hdr = Rg == Region::Base ? "hdr.pkt." : "hdr.l4.";
  std::vector<std::pair<std::string, Span>> Fields; // whole header layout
  unsigned At = 0;
  for (const Span &X : Spans) {
    if (X.Off > At)
      Fields.push_back({"skip" + std::to_string(At), {At, X.Off - At}});
    Fields.push_back({spanName(Rg, X), X});
    At = X.Off + X.Len;
  }
  if (End > At)
    Fields.push_back({"skip" + std::to_string(At), {At, End - At}});
  std::string R;
  for (const auto &[Name, S] : Fields) {
    unsigned B = std::max(Off, S.Off), E = std::min(Off + Len, S.Off + S.Len);
    if (B >= E)
      continue;
    std::string F = Hdr + Name;
    if (B != S.Off || E != S.Off + S.Len) // bits, LSB 0 = last byte
      F += "[" + std::to_string(8 * (S.Off + S.Len - B) - 1) + ":" +
           std::to_string(8 * (S.Off + S.Len - E)) + "]";
    R += (R.empty() ? "" : " ++ ") + F;
  }
  return R;
}

std::vector<Seg> Emitter::operandSegs(const Operand &O) const {
  if (O.R == Region::Length) // a field value: the frame length itself
    return {{"meta.scr_len[" + std::to_string(O.Hi) + ":" +
                 std::to_string(O.Lo) + "]",
             O.width()}};
  if (O.Swapped) {
    std::vector<Seg> S;
    for (unsigned I = O.Bytes; I-- > 0;) {
      Operand B{O.R, O.Offset + I, 1, 7, 0, false};
      S.push_back({operandExpr(B), 8});
    }
    return S;
  }
  return {{operandExpr(O), O.width()}};
}

std::string Emitter::operandExpr(const Operand &O) const {
  if (O.R == Region::Length)
    return "eg_intr_md.pkt_length";
  if (O.R == Region::L4 && L4Chunked) {
    // The chunks holding the load, concatenated, then the operand's bits.
    std::string V;
    unsigned Parts = 0;
    for (size_t I = 0; I < L4Chunks.size(); ++I) {
      const Span &S = L4Chunks[I];
      if (S.Off >= O.Offset && S.Off + S.Len <= O.Offset + O.Bytes) {
        V += (V.empty() ? "hdr." : " ++ hdr.") + chunkName(I) + "." +
             spanName(Region::L4, S);
        ++Parts;
      }
    }
    if (O.Lo == 0 && O.width() == 8 * O.Bytes)
      return V;
    if (Parts > 1)
      V = "((bit<" + std::to_string(8 * O.Bytes) + ">)(" + V + "))";
    return V + "[" + std::to_string(O.Hi) + ":" + std::to_string(O.Lo) + "]";
  }
  if (O.R == Region::Derived)
    return "meta.scr_d" + std::to_string(O.Offset);
  const auto &Spans = O.R == Region::Base ? BaseSpans : L4Spans;
  std::string Hdr = O.R == Region::Base ? "hdr.pkt." : "hdr.l4.";
  for (const Span &S : Spans)
    if (O.Offset >= S.Off && O.Offset + O.Bytes <= S.Off + S.Len) {
      unsigned Base = 8 * (S.Off + S.Len - O.Offset - O.Bytes);
      std::string F = Hdr + spanName(O.R, S);
      if (Base == 0 && O.Lo == 0 && O.width() == 8 * S.Len)
        return F;
      return F + "[" + std::to_string(Base + O.Hi) + ":" +
             std::to_string(Base + O.Lo) + "]";
    }
  // Split into several header fields (a comparison needs some of its bytes
  // apart): their concatenation.
  std::string V = regionBytes(O.R, O.Offset, O.Bytes);
  if (O.Lo == 0 && O.width() == 8 * O.Bytes)
    return V;
  return "((bit<" + std::to_string(8 * O.Bytes) + ">)(" + V + "))[" +
         std::to_string(O.Hi) + ":" + std::to_string(O.Lo) + "]";
}

std::vector<Seg> Emitter::fieldSegs(const Field &F, size_t I) const {
  std::vector<Seg> S;
  auto Fit = [&](std::vector<Seg> V, unsigned Width) {
    // Keep the low F.Bits bits of a Width-bit value; zero-extend if short.
    if (Width < F.Bits)
      S.push_back({"", F.Bits - Width});
    unsigned Drop = Width > F.Bits ? Width - F.Bits : 0;
    for (Seg &X : V) {
      if (Drop >= X.Bits) {
        Drop -= X.Bits;
        continue;
      }
      if (Drop) {
        X.Expr =
            "(" + X.Expr + ")[" + std::to_string(X.Bits - Drop - 1) + ":0]";
        X.Bits -= Drop;
        Drop = 0;
      }
      S.push_back(X);
    }
  };
  if (ConstFields[I]) {
    Fit({{std::to_string(F.Bits) + "w" + hex(*ConstFields[I]), F.Bits}},
        F.Bits);
    return S;
  }
  switch (F.K) {
  case Field::Kind::Packet:
  case Field::Kind::Value:
    if (ValueTables[I])
      Fit({{"meta." + valName(F), F.Bits}}, F.Bits);
    else
      Fit(operandSegs(*FieldOps[I]), FieldOps[I]->width());
    break;
  case Field::Kind::Predicate:
    Fit({{"meta." + predName(F), 1}}, 1);
    break;
  case Field::Kind::Length:
    Fit({{"meta.scr_len", 16}}, 16);
    break;
  case Field::Kind::Timestamp:
    Fit({{"hdr.bridge.ts[" + std::to_string(L.TimestampBits - 1) + ":0]",
          L.TimestampBits}},
        L.TimestampBits);
    break;
  }
  return S;
}

// Bits Hi..Lo (0 = LSB) of the value made of segments \p S.
std::string Emitter::concat(const std::vector<Seg> &S, unsigned Hi,
                            unsigned Lo) {
  unsigned Total = 0;
  for (const Seg &X : S)
    Total += X.Bits;
  std::vector<std::string> Parts;
  unsigned Top = Total; // bit index one above the current segment
  for (const Seg &X : S) {
    unsigned SegHi = Top - 1, SegLo = Top - X.Bits;
    Top = SegLo;
    unsigned A = std::min(Hi, SegHi), B = std::max(Lo, SegLo);
    if (A < B || A > SegHi || B < SegLo || SegHi < Lo || SegLo > Hi)
      continue;
    unsigned W = A - B + 1;
    if (X.Expr.empty()) {
      Parts.push_back(std::to_string(W) + "w0");
    } else if (W == X.Bits) {
      Parts.push_back(X.Expr);
    } else {
      // Re-slice: X.Expr may already be a slice, so slice its value.
      Parts.push_back("((bit<" + std::to_string(X.Bits) + ">)" + X.Expr + ")[" +
                      std::to_string(A - SegLo) + ":" +
                      std::to_string(B - SegLo) + "]");
    }
  }
  std::string R;
  for (const std::string &P : Parts)
    R += (R.empty() ? "" : " ++ ") + P;
  return R;
}

void Emitter::regionHeader(const std::string &Name, Region R,
                           const std::vector<Span> &S, unsigned End,
                           const std::string &What) {
  OS << "// " << What << "\nheader " << Name << " {\n";
  unsigned At = 0;
  for (const Span &X : S) {
    if (X.Off > At)
      OS << "    bit<" << 8 * (X.Off - At) << "> skip" << At << ";\n";
    OS << "    bit<" << 8 * X.Len << "> " << spanName(R, X) << ";   // bytes "
       << X.Off << ".." << X.Off + X.Len - 1 << "\n";
    At = X.Off + X.Len;
  }
  if (End > At)
    OS << "    bit<" << 8 * (End - At) << "> skip" << At << ";\n";
  OS << "}\n\n";
}

// The SCR header, from scr::HeaderFormat (the description every back end
// renders its copy from).
void Emitter::emitScrHeader() {
  OS << "// The " << scr::HeaderFormat::Bytes
     << "-byte SCR header (docs/packet-format.md), big-endian on the "
        "wire.\nheader scr_h {\n";
  for (const scr::HeaderField &F : scr::HeaderFormat::Fields)
    OS << "    bit<" << 8 * F.Bytes << "> " << F.Name << ";   // " << F.Meaning
       << "\n";
  OS << "}\n\n";
}

void Emitter::emitHeaders() {
  OS << "// ---- generated: egress headers ----\n\n";
  if (BaseEnd)
    regionHeader("scr_pkt_h", Region::Base, BaseSpans, BaseEnd,
                 "Frame bytes 0.." + std::to_string(BaseEnd - 1) +
                     " (re-emitted unchanged).");
  if (UsesL4) {
    for (unsigned K = 6; K <= 15; ++K)
      OS << "header scr_ipv4_options" << K << "_h { bit<" << 32 * (K - 5)
         << "> data; }   // IHL " << K << "\n";
    OS << "\n";
    if (!L4Chunked) {
      regionHeader("scr_l4_h", Region::L4, L4Spans, L4End,
                   "Bytes behind the IPv4 header, at offset 14 + ihl * 4.");
    } else {
      OS << "// Bytes behind the IPv4 header (offset 14 + ihl * 4) in chunks, "
            "each\n// extracted only if the frame holds it (zero-filled "
            "otherwise).\n";
      unsigned At = 0;
      for (size_t I = 0; I < L4Chunks.size(); ++I) {
        const Span &S = L4Chunks[I];
        OS << "header scr_" << chunkName(I) << "_h {\n";
        if (S.Off > At)
          OS << "    bit<" << 8 * (S.Off - At) << "> skip" << At << ";\n";
        OS << "    bit<" << 8 * S.Len << "> " << spanName(Region::L4, S)
           << ";   // bytes " << S.Off << ".." << S.Off + S.Len - 1 << "\n";
        OS << "}\n";
        At = S.Off + S.Len;
      }
      OS << "\n";
    }
  }
  if (!Plan.Registers.empty()) {
    OS << "// The N = " << L.HistoryLength << " ring slots, " << L.entryBytes()
       << " bytes each, slot order (packet-format.md).\nheader scr_hist_h {\n";
    // Wire order is slot by slot, whatever stage holds each register.
    std::vector<HistoryRegister> Wire = Plan.Registers;
    std::sort(Wire.begin(), Wire.end(),
              [](const HistoryRegister &A, const HistoryRegister &B) {
                return std::tie(A.Slot, A.Word) < std::tie(B.Slot, B.Word);
              });
    for (const HistoryRegister &H : Wire)
      OS << "    bit<" << H.Bits << "> s" << H.Slot << "_w" << H.Word << ";\n";
    OS << "}\n\n";
  }
  OS << "struct scr_egress_headers_t {\n"
     << "    scr_bridge_h bridge;\n"
     << "    scr_outer_ethernet_h outer;\n"
     << "    scr_h scr;\n";
  if (!Plan.Registers.empty())
    OS << "    scr_hist_h hist;\n";
  if (BaseEnd)
    OS << "    scr_pkt_h pkt;\n";
  if (UsesL4) {
    for (unsigned K = 6; K <= 15; ++K)
      OS << "    scr_ipv4_options" << K << "_h ipv4_options" << K << ";\n";
    if (!L4Chunked)
      OS << "    scr_l4_h l4;\n";
    for (size_t I = 0; I < (L4Chunked ? L4Chunks.size() : 0); ++I)
      OS << "    scr_" << chunkName(I) << "_h " << chunkName(I) << ";\n";
  }
  OS << "}\n\nstruct scr_egress_metadata_t {\n"
     << "    bit<16> scr_wslot;   // slot this frame's entry goes to, or "
        "SCR_NO_SLOT\n";
  if (UsesLength)
    OS << "    bit<16> scr_len;     // frame length without FCS\n";
  for (size_t I = 0; I < L.Fields.size(); ++I) {
    const Field &F = L.Fields[I];
    if (isPredTable(I))
      OS << "    bit<1> " << predName(F) << ";\n";
    if (isValueTable(I))
      OS << "    bit<" << F.Bits << "> " << valName(F) << ";\n";
  }
  for (size_t I = 0; I < Derived.Items.size(); ++I) {
    const SatSub &D = Derived.Items[I];
    OS << "    bit<" << 8 * D.Minuend.Bytes << "> scr_d" << I << ";   // "
       << operandExpr(D.Minuend) << " |-| " << operandExpr(D.Subtrahend)
       << "\n";
  }
  if (!Plan.Registers.empty())
    for (size_t W = 0; W < Plan.WordBits.size(); ++W)
      OS << "    bit<"
         << (Plan.WordBits[W] <= 8    ? 8
             : Plan.WordBits[W] <= 16 ? 16
                                      : 32)
         << "> scr_cur_w" << W << ";   // this frame's entry, word " << W
         << "\n";
  OS << "}\n\n";
}

void Emitter::emitParser() {
  OS << "parser ScrEgressParser(packet_in pkt,\n"
     << "                       out scr_egress_headers_t hdr,\n"
     << "                       out scr_egress_metadata_t meta,\n"
     << "                       out egress_intrinsic_metadata_t eg_intr_md) {\n"
     << "    state start {\n"
     << "        pkt.extract(eg_intr_md);\n"
     << "        pkt.extract(hdr.bridge);\n"
     << "        transition select(hdr.bridge.sequence) {\n"
     << "            1 : parse_frame;\n"
     << "            default : accept;\n"
     << "        }\n"
     << "    }\n"
     << "    state parse_frame {\n";
  if (BaseEnd)
    OS << "        pkt.extract(hdr.pkt);\n";
  if (!UsesL4) {
    OS << "        transition accept;\n    }\n";
  } else {
    OS << "        transition select(" << operandExpr(ihlOperand()) << ") {\n";
    for (unsigned K = 5; K <= 15; ++K)
      OS << "            " << K << " : check_length_ihl" << K
         << (L4Chunked ? "_c0" : "") << ";\n";
    OS << "            default : accept;   // IHL < 5: no L4 bytes\n"
       << "        }\n    }\n";
    if (L4Chunked)
      emitL4Chunks();
    for (unsigned K = 5; K <= 15 && !L4Chunked; ++K) {
      unsigned Need = 14 + 4 * K + L4End + PktLengthFcsBytes;
      OS << "    // IHL " << K << ": extract only if the frame holds "
         << 14 + 4 * K + L4End << " bytes (pkt_length counts the FCS).\n"
         << "    state check_length_ihl" << K << " {\n"
         << "        transition select(eg_intr_md.pkt_length) {\n";
      for (const Masked &M : rangeToPrefixes(Need, 0xffff, 16))
        OS << "            " << hex(M.Value) << " &&& " << hex(M.Mask)
           << " : parse_l4_ihl" << K << ";\n";
      OS << "            default : accept;\n        }\n    }\n"
         << "    state parse_l4_ihl" << K << " {\n";
      if (K > 5)
        OS << "        pkt.extract(hdr.ipv4_options" << K << ");\n";
      OS << "        pkt.extract(hdr.l4);\n        transition accept;\n    }\n";
    }
  }
  OS << "}\n\n";
}

// Per IHL: the options, then chunk after chunk while the frame holds it.
// Ethernet frames have at least 60 bytes, so bytes below 60 need no check.
void Emitter::emitL4Chunks() {
  constexpr unsigned MinFrame = 60;
  for (unsigned K = 5; K <= 15; ++K) {
    for (size_t I = 0; I < L4Chunks.size(); ++I) {
      unsigned End = 14 + 4 * K + L4Chunks[I].Off + L4Chunks[I].Len;
      std::string Here = "ihl" + std::to_string(K) + "_c" + std::to_string(I);
      std::string Next = I + 1 < L4Chunks.size()
                             ? "check_length_ihl" + std::to_string(K) + "_c" +
                                   std::to_string(I + 1)
                             : std::string("accept");
      OS << "    // IHL " << K << ", " << chunkName(I) << ": ends at byte "
         << End
         << (End <= MinFrame ? ", inside every frame.\n"
                             : "; only if the frame holds it "
                               "(pkt_length counts the FCS).\n")
         << "    state check_length_" << Here << " {\n";
      if (End <= MinFrame) {
        OS << "        transition parse_" << Here << ";   // always: minimum "
           << "frame\n    }\n";
      } else {
        OS << "        transition select(eg_intr_md.pkt_length) {\n";
        for (const Masked &M :
             rangeToPrefixes(End + PktLengthFcsBytes, 0xffff, 16))
          OS << "            " << hex(M.Value) << " &&& " << hex(M.Mask)
             << " : parse_" << Here << ";\n";
        OS << "            default : accept;\n        }\n    }\n";
      }
      OS << "    state parse_" << Here << " {\n";
      if (I == 0 && K > 5)
        OS << "        pkt.extract(hdr.ipv4_options" << K << ");\n";
      OS << "        pkt.extract(hdr." << chunkName(I) << ");\n"
         << "        transition " << Next << ";\n    }\n";
    }
  }
}

void Emitter::emitMatchTable(const std::string &Name,
                             const std::vector<Row> &Rows,
                             const std::string &Hit, const std::string &Miss) {
  // Keys: one per (operand, match kind) used by any row.
  std::vector<std::pair<Operand, bool>> Keys; // bool: ternary
  for (const Row &R : Rows) {
    for (const auto &[O, _] : R.Ranges)
      if (std::find(Keys.begin(), Keys.end(), std::pair{O, false}) ==
          Keys.end())
        Keys.push_back({O, false});
    for (const auto &[O, _] : R.Terns)
      if (std::find(Keys.begin(), Keys.end(), std::pair{O, true}) == Keys.end())
        Keys.push_back({O, true});
  }
  OS << "    table " << Name << " {\n        key = {\n";
  for (const auto &[O, Tern] : Keys)
    OS << "            " << operandExpr(O) << " : "
       << (Tern ? "ternary" : "range") << ";\n";
  OS << "        }\n        actions = { " << Hit << "; " << Miss << "; }\n"
     << "        const entries = {\n";
  for (const Row &R : Rows) {
    std::string E;
    for (const auto &[O, Tern] : Keys) {
      std::string V = "_";
      if (Tern) {
        if (auto It = R.Terns.find(O); It != R.Terns.end())
          V = hex(It->second.Value) + " &&& " + hex(It->second.Mask);
      } else if (auto It = R.Ranges.find(O); It != R.Ranges.end()) {
        V = hex(It->second.Lo) + " .. " + hex(It->second.Hi);
      }
      E += (E.empty() ? "" : ", ") + V;
    }
    OS << "            " << (Keys.size() > 1 ? "(" + E + ")" : E) << " : "
       << Hit << "();\n";
  }
  OS << "        }\n        const default_action = " << Miss << "();\n"
     << "        size = " << Rows.size() << ";\n    }\n";
}

static const char *regType(unsigned Bits) {
  return Bits <= 8 ? "bit<8>" : Bits <= 16 ? "bit<16>" : "bit<32>";
}

void Emitter::emitEgress() {
  const unsigned N = L.HistoryLength;
  OS << "control ScrEgress(inout scr_egress_headers_t hdr,\n"
     << "                  inout scr_egress_metadata_t meta,\n"
     << "                  in egress_intrinsic_metadata_t eg_intr_md,\n"
     << "                  in egress_intrinsic_metadata_from_parser_t "
        "eg_prsr_md,\n"
     << "                  inout egress_intrinsic_metadata_for_deparser_t "
        "eg_dprsr_md,\n"
     << "                  inout egress_intrinsic_metadata_for_output_port_t "
        "eg_oport_md) {\n";
  OS << "    // ---- stage 0: sequence number, hist_seq, write pointer ----\n"
     << "    Register<bit<32>, bit<1>>(1, 0) scr_seq_reg;\n"
     << "    RegisterAction<bit<32>, bit<1>, bit<32>>(scr_seq_reg) "
        "scr_seq_next = {\n"
     << "        void apply(inout bit<32> v, out bit<32> rv) { rv = v; v = v + "
        "1; }\n    };\n"
     << "    Register<bit<32>, bit<1>>(1, 0) scr_hist_seq_reg;\n"
     << "    RegisterAction<bit<32>, bit<1>, bit<32>>(scr_hist_seq_reg) "
        "scr_hist_seq_advance = {\n"
     << "        void apply(inout bit<32> v, out bit<32> rv) { rv = v; v = v + "
        "1; }\n    };\n"
     << "    RegisterAction<bit<32>, bit<1>, bit<32>>(scr_hist_seq_reg) "
        "scr_hist_seq_read = {\n"
     << "        void apply(inout bit<32> v, out bit<32> rv) { rv = v; }\n"
     << "    };\n";
  if (N) {
    OS << "    // w: the slot the next entry goes to; wraps at N = " << N
       << ".\n"
       << "    Register<bit<16>, bit<1>>(1, 0) scr_ptr_reg;\n"
       << "    RegisterAction<bit<16>, bit<1>, bit<16>>(scr_ptr_reg) "
          "scr_ptr_advance = {\n"
       << "        void apply(inout bit<16> v, out bit<16> rv) {\n"
       << "            rv = v;\n"
       << "            if (v == " << N - 1
       << ") { v = 0; } else { v = v + 1; }\n"
       << "        }\n    };\n"
       << "    RegisterAction<bit<16>, bit<1>, bit<16>>(scr_ptr_reg) "
          "scr_ptr_read = {\n"
       << "        void apply(inout bit<16> v, out bit<16> rv) { rv = v; }\n"
       << "    };\n";
  }
  OS << "    // A relevant frame's entry is written at w, then w and hist_seq "
        "advance.\n"
     << "    action scr_relevant() {\n"
     << "        hdr.scr.hist_seq = scr_hist_seq_advance.execute(0);\n";
  if (N)
    OS << "        hdr.scr.oldest = scr_ptr_advance.execute(0);\n"
       << "        meta.scr_wslot = hdr.scr.oldest;\n";
  else
    OS << "        hdr.scr.oldest = 0;\n        meta.scr_wslot = "
          "SCR_NO_SLOT;\n";
  OS << "        hdr.scr.flags = SCR_FLAG_RELEVANT;\n    }\n"
     << "    action scr_irrelevant() {\n"
     << "        hdr.scr.hist_seq = scr_hist_seq_read.execute(0);\n";
  if (N)
    OS << "        hdr.scr.oldest = scr_ptr_read.execute(0);\n";
  else
    OS << "        hdr.scr.oldest = 0;\n";
  OS << "        meta.scr_wslot = SCR_NO_SLOT;\n"
     << "        hdr.scr.flags = 0;\n    }\n";
  bool RelevanceTable = !(Relevance.empty() || (Relevance.size() == 1 &&
                                                Relevance[0].Ranges.empty() &&
                                                Relevance[0].Terns.empty()));
  if (RelevanceTable) {
    OS << "    // relevance: " << (L.Relevance ? L.Relevance->str() : "1")
       << "\n";
    emitMatchTable("scr_relevance", Relevance, "scr_relevant",
                   "scr_irrelevant");
  }

  // Statements of the apply block, by the stage the model puts them in.
  std::map<unsigned, std::vector<std::string>> Apply;
  Apply[0].push_back(RelevanceTable      ? "scr_relevance.apply();"
                     : Relevance.empty() ? "scr_irrelevant();"
                                         : "scr_relevant();");

  // Two packet fields are compared through saturating differences (one ALU
  // instruction each) that a table matches against zero one stage later.
  std::map<unsigned, std::vector<size_t>> DerivedAt;
  for (size_t I = 0; I < Derived.Items.size(); ++I) {
    unsigned B = Derived.Items[I].Minuend.Bytes;
    DerivedAt[ready({Region::Derived, unsigned(I), B, 8 * B - 1, 0, false}) - 1]
        .push_back(I);
  }
  for (const auto &[S, Items] : DerivedAt) {
    std::string A = "scr_compare_s" + std::to_string(S);
    OS << "    // stage " << S << " (model): x |-| y (saturating) is non-zero "
       << "iff x > y\n    action " << A << "() {\n";
    for (size_t I : Items)
      OS << "        meta.scr_d" << I << " = "
         << operandExpr(Derived.Items[I].Minuend) << " |-| "
         << operandExpr(Derived.Items[I].Subtrahend) << ";\n";
    OS << "    }\n";
    Apply[S].push_back(A + "();");
  }

  for (size_t I = 0; I < L.Fields.size(); ++I) {
    const Field &F = L.Fields[I];
    if (isPredTable(I)) {
      std::string P = predName(F);
      OS << "    // predicate " << F.Name << ": " << F.Value->str()
         << "\n    // stage " << TableStage[I] << " (model)\n"
         << "    action " << P << "_true() { meta." << P << " = 1; }\n"
         << "    action " << P << "_false() { meta." << P << " = 0; }\n";
      emitMatchTable(P + "_table", PredRows[I], P + "_true", P + "_false");
      Apply[TableStage[I]].push_back(P + "_table.apply();");
    }
    if (isValueTable(I)) {
      // Every key combination is an entry whose value is the layout's own
      // expression evaluated on it (ValueTable.h).
      const ValueTable &T = *ValueTables[I];
      std::string V = valName(F);
      OS << "    // field " << F.Name << ": " << F.Value->str()
         << "\n    // stage " << TableStage[I]
         << " (model): one entry per value of its bit-fields\n"
         << "    action " << V << "_set(bit<" << F.Bits << "> v) { meta." << V
         << " = v; }\n"
         << "    table " << V << "_table {\n        key = {\n";
      for (const Operand &K : T.Keys)
        OS << "            " << operandExpr(K) << " : exact;\n";
      OS << "        }\n        actions = { " << V << "_set; }\n"
         << "        const entries = {\n";
      for (const ValueTable::Entry &E : T.Entries) {
        std::string Key;
        for (uint64_t X : E.Key)
          Key += (Key.empty() ? "" : ", ") + hex(X);
        OS << "            " << (T.Keys.size() > 1 ? "(" + Key + ")" : Key)
           << " : " << V << "_set(" << hex(E.Value) << ");\n";
      }
      OS << "        }\n        const default_action = " << V << "_set(0);\n"
         << "        size = " << T.Entries.size() << ";\n    }\n";
      Apply[TableStage[I]].push_back(V + "_table.apply();");
    }
  }
  if (L4Chunked) {
    OS << "    // L4 chunks the frame does not hold read zero, as in the "
          "reference.\n";
    for (size_t I = 0; I < L4Chunks.size(); ++I)
      OS << "    action scr_" << chunkName(I) << "_absent() { hdr."
         << chunkName(I) << "." << spanName(Region::L4, L4Chunks[I])
         << " = 0; }\n";
  }
  if (L4ShortIhlCopy) {
    OS << "    // IHL 0..4: the bytes at 14 + ihl * 4 lie inside hdr.pkt.\n";
    for (unsigned K = 0; K < 5; ++K) {
      OS << "    action scr_l4_from_ihl" << K << "() {\n";
      for (size_t I = 0; I < L4Chunks.size(); ++I)
        OS << "        hdr." << chunkName(I) << "."
           << spanName(Region::L4, L4Chunks[I]) << " = "
           << baseBytes(14 + 4 * K + L4Chunks[I].Off, L4Chunks[I].Len) << ";\n";
      OS << "    }\n";
    }
    OS << "    table scr_l4_short_ihl {\n        key = { "
       << operandExpr(ihlOperand()) << " : exact; }\n        actions = { ";
    for (unsigned K = 0; K < 5; ++K)
      OS << "scr_l4_from_ihl" << K << "; ";
    OS << "NoAction; }\n        const entries = {\n";
    for (unsigned K = 0; K < 5; ++K)
      OS << "            " << K << " : scr_l4_from_ihl" << K << "();\n";
    OS << "        }\n        const default_action = NoAction();\n"
       << "        size = 5;\n    }\n";
  }
  if (UsesLength)
    OS << "    action scr_measure() {\n"
       << "        meta.scr_len = eg_intr_md.pkt_length - " << PktLengthFcsBytes
       << ";   // without FCS\n    }\n";

  if (UsesLength)
    Apply[0].push_back("scr_measure();");
  if (L4Chunked) {
    std::vector<std::string> &A = Apply[0];
    std::string Indent;
    if (L4ShortIhlCopy) {
      A.push_back("if (" + operandExpr(ihlOperand()) + " < 5) {");
      A.push_back("    scr_l4_short_ihl.apply();");
      A.push_back("} else {");
      Indent = "    ";
    }
    for (size_t I = 0; I < L4Chunks.size(); ++I)
      A.push_back(Indent + "if (!hdr." + chunkName(I) + ".isValid()) { scr_" +
                  chunkName(I) + "_absent(); }");
    if (L4ShortIhlCopy)
      A.push_back("}");
  }

  if (!Plan.Registers.empty()) {
    Apply[0].push_back("hdr.hist.setValid();");
    // Pack this frame's entry into register words (MSB first, by
    // bit_offset), each in the stage its last field is ready.
    std::vector<size_t> Order(L.Fields.size());
    for (size_t I = 0; I < Order.size(); ++I)
      Order[I] = I;
    std::sort(Order.begin(), Order.end(), [&](size_t A, size_t B) {
      return L.Fields[A].BitOffset < L.Fields[B].BitOffset;
    });
    std::map<unsigned, std::vector<size_t>> PackAt;
    for (size_t W = 0; W < Plan.WordBits.size(); ++W)
      PackAt[Plan.WordFirstStage[W] - 1].push_back(W);
    std::vector<unsigned> WordStart(Plan.WordBits.size() + 1, 0);
    for (size_t W = 0; W < Plan.WordBits.size(); ++W)
      WordStart[W + 1] = WordStart[W] + Plan.WordBits[W];
    for (const auto &[S, Words] : PackAt) {
      std::string A = "scr_pack_s" + std::to_string(S);
      OS << "    // ---- stage " << S << ": pack word(s)";
      for (size_t W : Words)
        OS << " " << W;
      OS << " of this frame's entry (fields MSB-first by bit_offset) ----\n"
         << "    action " << A << "() {\n";
      for (size_t W : Words) {
        unsigned WB = Plan.WordBits[W], WordEnd = WordStart[W] + WB;
        std::vector<std::string> Parts;
        std::vector<std::string> Names;
        unsigned At = WordStart[W];
        for (size_t I : Order) {
          const Field &F = L.Fields[I];
          unsigned B = std::max(At, F.BitOffset),
                   E = std::min(WordEnd, F.BitOffset + F.Bits);
          if (B >= E)
            continue;
          if (B > At)
            Parts.push_back(std::to_string(B - At) + "w0");
          unsigned Hi = F.Bits - 1 - (B - F.BitOffset),
                   Lo = F.Bits - 1 - (E - 1 - F.BitOffset);
          Parts.push_back(concat(fieldSegs(F, I), Hi, Lo));
          Names.push_back(F.Name);
          At = E;
        }
        if (WordEnd > At)
          Parts.push_back(std::to_string(WordEnd - At) + "w0");
        std::string Rhs;
        for (const std::string &P : Parts)
          Rhs += (Rhs.empty() ? "" : " ++ ") + P;
        std::string T = regType(WB);
        if (T != "bit<" + std::to_string(WB) + ">")
          Rhs = "(" + T + ")(" + Rhs + ")";
        OS << "        // word " << W << ": entry bits " << WordStart[W] << ".."
           << WordEnd - 1 << " (";
        for (size_t K = 0; K < Names.size(); ++K)
          OS << (K ? ", " : "") << Names[K];
        OS << ")\n        meta.scr_cur_w" << W << " = " << Rhs << ";\n";
      }
      OS << "    }\n";
      Apply[S].push_back(A + "();");
    }

    // History registers: read the slot out, overwrite it iff it is w.
    unsigned Stage = ~0u;
    for (const HistoryRegister &H : Plan.Registers) {
      if (H.Stage != Stage) {
        Stage = H.Stage;
        OS << "    // ---- stage " << Stage << " (model) ----\n";
      }
      std::string Name =
          "scr_hist_s" + std::to_string(H.Slot) + "_w" + std::to_string(H.Word);
      std::string T = regType(H.Bits);
      OS << "    Register<" << T << ", bit<1>>(1, 0) " << Name << ";\n"
         << "    RegisterAction<" << T << ", bit<1>, " << T << ">(" << Name
         << ") " << Name << "_rw = {\n"
         << "        void apply(inout " << T << " v, out " << T << " rv) {\n"
         << "            rv = v;\n"
         << "            if (meta.scr_wslot == " << H.Slot << ") { v = "
         << "meta.scr_cur_w" << H.Word << "; }\n"
         << "        }\n    };\n"
         << "    action " << Name << "_access() { hdr.hist.s" << H.Slot << "_w"
         << H.Word << " = ";
      if (T != "bit<" + std::to_string(H.Bits) + ">")
        OS << "(bit<" << H.Bits << ">)";
      OS << Name << "_rw.execute(0); }\n";
      Apply[H.Stage].push_back(Name + "_access();");
    }
  }

  OS << "\n    apply {\n"
     << "        if (hdr.bridge.sequence == 1) {\n";
  if (L.Mode == scr::SequencerMode::Tor) {
    auto Mac = [](const uint8_t *M) {
      uint64_t V = 0;
      for (int I = 0; I < 6; ++I)
        V = V << 8 | M[I];
      return hex(V);
    };
    OS << "            hdr.outer.setValid();\n"
       << "            hdr.outer.dst = " << Mac(L.OuterDst) << ";\n"
       << "            hdr.outer.src = " << Mac(L.OuterSrc) << ";\n"
       << "            hdr.outer.ether_type = "
       << hex(scr::HeaderFormat::OuterEtherType) << ";\n";
  }
  OS << "            hdr.scr.setValid();\n"
     << "            hdr.scr.seq = scr_seq_next.execute(0);\n";
  if (L.TimestampBits < 48)
    OS << "            hdr.scr.ts = (bit<64>)hdr.bridge.ts["
       << L.TimestampBits - 1 << ":0];\n";
  else
    OS << "            hdr.scr.ts = (bit<64>)hdr.bridge.ts;\n";
  OS << "            hdr.scr.reserved = 0;\n";
  for (const auto &[S, Lines] : Apply) {
    OS << "            // stage " << S << " (model)\n";
    for (const std::string &X : Lines)
      OS << "            " << X << "\n";
  }
  OS << "        }\n"
     << "        hdr.bridge.setInvalid();\n"
     << "    }\n}\n\n";
}

void Emitter::emitDeparser() {
  OS << "control ScrEgressDeparser(packet_out pkt,\n"
     << "                          inout scr_egress_headers_t hdr,\n"
     << "                          in scr_egress_metadata_t meta,\n"
     << "                          in egress_intrinsic_metadata_for_deparser_t "
        "eg_dprsr_md) {\n"
     << "    apply {\n"
     << "        pkt.emit(hdr.outer);\n"
     << "        pkt.emit(hdr.scr);\n";
  if (!Plan.Registers.empty())
    OS << "        pkt.emit(hdr.hist);\n";
  if (BaseEnd)
    OS << "        pkt.emit(hdr.pkt);\n";
  if (UsesL4) {
    for (unsigned K = 6; K <= 15; ++K)
      OS << "        pkt.emit(hdr.ipv4_options" << K << ");\n";
    if (!L4Chunked)
      OS << "        pkt.emit(hdr.l4);\n";
    for (size_t I = 0; I < (L4Chunked ? L4Chunks.size() : 0); ++I)
      OS << "        pkt.emit(hdr." << chunkName(I) << ");\n";
  }
  OS << "    }\n}\n\n";
}

bool Emitter::run(std::string &Out) {
  if (!analyse())
    return false;
  const TofinoTarget &T = *Opts.Target;
  Plan = planTofino(L, T, L.HistoryLength, Needs);
  if (!Plan.Fits) {
    std::string M = "the sequencer for " + std::to_string(L.Cores) +
                    " cores (N = " + std::to_string(L.HistoryLength) +
                    ") does not fit " + T.Name + ": " + Plan.Problem + "; ";
    if (Plan.MaxCores)
      M += "the largest core count that fits is " +
           std::to_string(Plan.MaxCores) + " (--cores " +
           std::to_string(Plan.MaxCores) + ")";
    else
      M += "no core count fits";
    return fail(M);
  }
  OS << scr::spdxLine() << "// sequencer.p4 - SCR packet-history sequencer for "
     << T.Name << ", generated by scrcc from scr_layout.json.\n"
     << "// Program: " << L.Source << " (" << L.Entry << "), " << L.Cores
     << " cores, N = " << L.HistoryLength << " history slots of "
     << L.entryBytes() << " bytes; frame format: docs/packet-format.md.\n"
     << "// Resource model: " << Plan.SalusUsed << " stateful ALUs in "
     << Plan.StagesUsed << " of " << T.Stages
     << " stages; largest core count that fits: " << Plan.MaxCores << ".\n"
     << "// Do not edit: regenerate with scrcc / scr-p4.\n\n"
     << "#include <core.p4>\n#include <" << T.Include << ">\n\n"
     << "#define SCR_NO_SLOT 0xffff\n#define SCR_FLAG_RELEVANT "
     << unsigned(scr::HeaderFormat::FlagRelevant) << "\n\n"
     << FragmentCommon << "\n";
  emitScrHeader();
  OS << FragmentIngress << "\n";
  emitHeaders();
  emitParser();
  emitEgress();
  emitDeparser();
  OS << "Pipeline(ScrIngressParser(), ScrIngress(), ScrIngressDeparser(),\n"
     << "         ScrEgressParser(), ScrEgress(), ScrEgressDeparser()) pipe;\n"
     << "Switch(pipe) main;\n";
  Out = OS.str();
  return true;
}

} // namespace

std::optional<SequencerNeeds> analyseSequencer(const Layout &L,
                                               std::string &Error) {
  P4Options Opts;
  Emitter E(L, Opts, Error);
  if (!E.analyse())
    return std::nullopt;
  return E.needs();
}

bool emitP4Sequencer(const Layout &L, const P4Options &Opts, std::string &Out,
                     std::string &Error) {
  if (!Opts.Target) {
    Error = "no P4 target given";
    return false;
  }
  // A Tofino switch sequences for the servers behind it (tor mode); a
  // nic-mode frame has no Ethernet header for a switch port to send.
  if (L.Mode != scr::SequencerMode::Tor) {
    Error = "the Tofino sequencer is a top-of-rack switch's: the layout must "
            "be for tor mode (scrcc --sequencer tor)";
    return false;
  }
  Emitter E(L, Opts, Error);
  return E.run(Out);
}

} // namespace scrp4
