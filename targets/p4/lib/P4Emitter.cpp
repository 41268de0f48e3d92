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

#include "MatchRows.h"

#include <algorithm>
#include <cstdio>
#include <set>
#include <sstream>

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

  std::ostringstream OS;

  bool analyse();
  bool fail(const std::string &M) {
    Error = M;
    return false;
  }
  static std::vector<Span> spans(std::vector<std::pair<unsigned, unsigned>> I);
  std::string spanName(const Span &S) const {
    return "b" + std::to_string(S.Off);
  }
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

  void emitHeaders();
  void emitParser();
  void emitMatchTable(const std::string &Name, const std::vector<Row> &Rows,
                      const std::string &Hit, const std::string &Miss);
  void emitEgress();
  void emitDeparser();
  void regionHeader(const std::string &Name, const std::vector<Span> &S,
                    unsigned End, const std::string &What);
};

std::vector<Span> Emitter::spans(std::vector<std::pair<unsigned, unsigned>> I) {
  std::sort(I.begin(), I.end());
  std::vector<Span> Out;
  for (auto [B, E] : I) {
    if (!Out.empty() && B < Out.back().Off + Out.back().Len)
      Out.back().Len = std::max(Out.back().Off + Out.back().Len, E) -
                       Out.back().Off;
    else
      Out.push_back({B, E - B});
  }
  return Out;
}

bool Emitter::analyse() {
  const TofinoTarget &T = *Opts.Target;
  if (L.TimestampBits > 48)
    return fail("timestamp_bits is " + std::to_string(L.TimestampBits) +
                "; Tofino's MAC timestamp has 48 bits");
  // Fields must not overlap in the entry (packEntry ORs them together).
  std::vector<std::pair<unsigned, unsigned>> Bits;
  for (const Field &F : L.Fields)
    Bits.push_back({F.BitOffset, F.BitOffset + F.Bits});
  std::sort(Bits.begin(), Bits.end());
  for (size_t I = 1; I < Bits.size(); ++I)
    if (Bits[I].first < Bits[I - 1].second)
      return fail("layout fields overlap in the history entry");

  Plan = planTofino(L, T);
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

  std::string E;
  if (L.Relevance) {
    auto R = toRows(*L.Relevance, false, E);
    if (!R)
      return fail("relevance `" + L.Relevance->str() + "`: " + E);
    Relevance = std::move(*R);
  } else {
    Relevance = {Row{}};
  }

  std::set<Operand> Used;
  auto Note = [&](const std::vector<Row> &Rows) {
    for (const Row &R : Rows) {
      for (const auto &[O, _] : R.Ranges)
        Used.insert(O);
      for (const auto &[O, _] : R.Terns)
        Used.insert(O);
    }
  };
  Note(Relevance);
  bool FieldsNeedL4 = false;
  PredRows.resize(L.Fields.size());
  FieldOps.resize(L.Fields.size());
  for (size_t I = 0; I < L.Fields.size(); ++I) {
    const Field &F = L.Fields[I];
    switch (F.K) {
    case Field::Kind::Predicate: {
      auto R = toRows(*F.Value, false, E);
      if (!R)
        return fail("field '" + F.Name + "' (predicate `" + F.Value->str() +
                    "`): " + E);
      PredRows[I] = std::move(*R);
      Note(PredRows[I]);
      for (const Row &Rw : PredRows[I])
        for (const auto &[O, _] : Rw.Ranges)
          FieldsNeedL4 |= O.R == Region::L4;
      for (const Row &Rw : PredRows[I])
        for (const auto &[O, _] : Rw.Terns)
          FieldsNeedL4 |= O.R == Region::L4;
      break;
    }
    case Field::Kind::Packet:
    case Field::Kind::Value: {
      auto X = F.K == Field::Kind::Packet ? scr::Expr::pkt(F.Offset, F.Bits / 8)
                                          : F.Value;
      auto O = toOperand(*X);
      if (!O || (F.K == Field::Kind::Packet && O->R == Region::Length))
        return fail("field '" + F.Name + "': `" + X->str() +
                    "` cannot be computed on Tofino (supported: packet bytes "
                    "at constant or IPv4-IHL-relative offsets, low-bit "
                    "masks, shifts, byte swaps, the frame length)");
      FieldOps[I] = O;
      Used.insert(*O);
      FieldsNeedL4 |= O->R == Region::L4;
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
  BaseSpans = spans(Base);
  L4Spans = spans(L4);
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
  return chooseL4Extraction(PredL4Rows);
}

static bool rowReadsL4(const Row &R) {
  for (const auto &[O, _] : R.Ranges)
    if (O.R == Region::L4)
      return true;
  for (const auto &[O, _] : R.Terns)
    if (O.R == Region::L4)
      return true;
  return false;
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
                  std::to_string(L4End) +
                  ", and neither does the relevance `" +
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
  auto Note = [&](const Operand &O) {
    if (O.R != Region::L4)
      return;
    Cuts.insert(O.Offset);
    Cuts.insert(O.Offset + O.Bytes);
    Loads.push_back({O.Offset, O.Offset + O.Bytes});
  };
  for (size_t I = 0; I < L.Fields.size(); ++I)
    if (FieldOps[I])
      Note(*FieldOps[I]);
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
          return fail("a table key reads L4 bytes " +
                      std::to_string(O.Offset) + ".." +
                      std::to_string(O.Offset + O.Bytes - 1) +
                      " that overlap another load only in part");
  return true;
}

// Frame bytes Off..Off+Len-1 (all below BaseEnd) as slices of hdr.pkt.
std::string Emitter::baseBytes(unsigned Off, unsigned Len) const {
  std::vector<std::pair<std::string, Span>> Fields; // whole header layout
  unsigned At = 0;
  for (const Span &X : BaseSpans) {
    if (X.Off > At)
      Fields.push_back({"skip" + std::to_string(At), {At, X.Off - At}});
    Fields.push_back({spanName(X), X});
    At = X.Off + X.Len;
  }
  if (BaseEnd > At)
    Fields.push_back({"skip" + std::to_string(At), {At, BaseEnd - At}});
  std::string R;
  for (const auto &[Name, S] : Fields) {
    unsigned B = std::max(Off, S.Off), E = std::min(Off + Len, S.Off + S.Len);
    if (B >= E)
      continue;
    std::string F = "hdr.pkt." + Name;
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
             spanName(S);
        ++Parts;
      }
    }
    if (O.Lo == 0 && O.width() == 8 * O.Bytes)
      return V;
    if (Parts > 1)
      V = "((bit<" + std::to_string(8 * O.Bytes) + ">)(" + V + "))";
    return V + "[" + std::to_string(O.Hi) + ":" + std::to_string(O.Lo) + "]";
  }
  const auto &Spans = O.R == Region::Base ? BaseSpans : L4Spans;
  std::string Hdr = O.R == Region::Base ? "hdr.pkt." : "hdr.l4.";
  for (const Span &S : Spans)
    if (O.Offset >= S.Off && O.Offset + O.Bytes <= S.Off + S.Len) {
      unsigned Base = 8 * (S.Off + S.Len - O.Offset - O.Bytes);
      std::string F = Hdr + spanName(S);
      if (Base == 0 && O.Lo == 0 && O.width() == 8 * S.Len)
        return F;
      return F + "[" + std::to_string(Base + O.Hi) + ":" +
             std::to_string(Base + O.Lo) + "]";
    }
  return "<unplaced>"; // analyse() placed every operand
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
        X.Expr = "(" + X.Expr + ")[" + std::to_string(X.Bits - Drop - 1) + ":0]";
        X.Bits -= Drop;
        Drop = 0;
      }
      S.push_back(X);
    }
  };
  switch (F.K) {
  case Field::Kind::Packet:
  case Field::Kind::Value:
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
      Parts.push_back("((bit<" + std::to_string(X.Bits) + ">)" + X.Expr +
                      ")[" + std::to_string(A - SegLo) + ":" +
                      std::to_string(B - SegLo) + "]");
    }
  }
  std::string R;
  for (const std::string &P : Parts)
    R += (R.empty() ? "" : " ++ ") + P;
  return R;
}

void Emitter::regionHeader(const std::string &Name, const std::vector<Span> &S,
                           unsigned End, const std::string &What) {
  OS << "// " << What << "\nheader " << Name << " {\n";
  unsigned At = 0;
  for (const Span &X : S) {
    if (X.Off > At)
      OS << "    bit<" << 8 * (X.Off - At) << "> skip" << At << ";\n";
    OS << "    bit<" << 8 * X.Len << "> " << spanName(X) << ";   // bytes "
       << X.Off << ".." << X.Off + X.Len - 1 << "\n";
    At = X.Off + X.Len;
  }
  if (End > At)
    OS << "    bit<" << 8 * (End - At) << "> skip" << At << ";\n";
  OS << "}\n\n";
}

void Emitter::emitHeaders() {
  OS << "// ---- generated: egress headers ----\n\n";
  if (BaseEnd)
    regionHeader("scr_pkt_h", BaseSpans, BaseEnd,
                 "Frame bytes 0.." + std::to_string(BaseEnd - 1) +
                     " (re-emitted unchanged).");
  if (UsesL4) {
    for (unsigned K = 6; K <= 15; ++K)
      OS << "header scr_ipv4_options" << K << "_h { bit<" << 32 * (K - 5)
         << "> data; }   // IHL " << K << "\n";
    OS << "\n";
    if (!L4Chunked) {
      regionHeader("scr_l4_h", L4Spans, L4End,
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
        OS << "    bit<" << 8 * S.Len << "> " << spanName(S) << ";   // bytes "
           << S.Off << ".." << S.Off + S.Len - 1 << "\n";
        OS << "}\n";
        At = S.Off + S.Len;
      }
      OS << "\n";
    }
  }
  if (!Plan.Registers.empty()) {
    OS << "// The N = " << L.HistoryLength << " ring slots, " << L.entryBytes()
       << " bytes each, slot order (packet-format.md).\nheader scr_hist_h {\n";
    for (const HistoryRegister &H : Plan.Registers)
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
  for (const Field &F : L.Fields)
    if (F.K == Field::Kind::Predicate)
      OS << "    bit<1> " << predName(F) << ";\n";
  if (!Plan.Registers.empty())
    for (size_t W = 0; W < Plan.WordBits.size(); ++W)
      OS << "    bit<" << (Plan.WordBits[W] <= 8    ? 8
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
      std::string Next =
          I + 1 < L4Chunks.size()
              ? "check_length_ihl" + std::to_string(K) + "_c" +
                    std::to_string(I + 1)
              : std::string("accept");
      OS << "    // IHL " << K << ", " << chunkName(I) << ": ends at byte "
         << End << (End <= MinFrame ? ", inside every frame.\n"
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
       << "            if (v == " << N - 1 << ") { v = 0; } else { v = v + 1; }\n"
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
    OS << "        hdr.scr.oldest = 0;\n        meta.scr_wslot = SCR_NO_SLOT;\n";
  OS << "        hdr.scr.flags = SCR_FLAG_RELEVANT;\n    }\n"
     << "    action scr_irrelevant() {\n"
     << "        hdr.scr.hist_seq = scr_hist_seq_read.execute(0);\n";
  if (N)
    OS << "        hdr.scr.oldest = scr_ptr_read.execute(0);\n";
  else
    OS << "        hdr.scr.oldest = 0;\n";
  OS << "        meta.scr_wslot = SCR_NO_SLOT;\n"
     << "        hdr.scr.flags = 0;\n    }\n";
  bool RelevanceTable = !(Relevance.empty() ||
                          (Relevance.size() == 1 &&
                           Relevance[0].Ranges.empty() &&
                           Relevance[0].Terns.empty()));
  if (RelevanceTable) {
    OS << "    // relevance: " << (L.Relevance ? L.Relevance->str() : "1")
       << "\n";
    emitMatchTable("scr_relevance", Relevance, "scr_relevant",
                   "scr_irrelevant");
  }

  std::vector<std::string> PredApply;
  for (size_t I = 0; I < L.Fields.size(); ++I) {
    const Field &F = L.Fields[I];
    if (F.K != Field::Kind::Predicate)
      continue;
    std::string P = predName(F);
    const auto &Rows = PredRows[I];
    OS << "    // predicate " << F.Name << ": " << F.Value->str() << "\n"
       << "    action " << P << "_true() { meta." << P << " = 1; }\n"
       << "    action " << P << "_false() { meta." << P << " = 0; }\n";
    if (Rows.empty())
      PredApply.push_back(P + "_false();");
    else if (Rows.size() == 1 && Rows[0].Ranges.empty() &&
             Rows[0].Terns.empty())
      PredApply.push_back(P + "_true();");
    else {
      emitMatchTable(P + "_table", Rows, P + "_true", P + "_false");
      PredApply.push_back(P + "_table.apply();");
    }
  }
  if (L4Chunked) {
    OS << "    // L4 chunks the frame does not hold read zero, as in the "
          "reference.\n";
    for (size_t I = 0; I < L4Chunks.size(); ++I)
      OS << "    action scr_" << chunkName(I) << "_absent() { hdr."
         << chunkName(I) << "." << spanName(L4Chunks[I]) << " = 0; }\n";
  }
  if (L4ShortIhlCopy) {
    OS << "    // IHL 0..4: the bytes at 14 + ihl * 4 lie inside hdr.pkt.\n";
    for (unsigned K = 0; K < 5; ++K) {
      OS << "    action scr_l4_from_ihl" << K << "() {\n";
      for (size_t I = 0; I < L4Chunks.size(); ++I)
        OS << "        hdr." << chunkName(I) << "." << spanName(L4Chunks[I])
           << " = "
           << baseBytes(14 + 4 * K + L4Chunks[I].Off, L4Chunks[I].Len)
           << ";\n";
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
       << "        meta.scr_len = eg_intr_md.pkt_length - "
       << PktLengthFcsBytes << ";   // without FCS\n    }\n";

  if (!Plan.Registers.empty()) {
    // Pack this frame's entry into register words (MSB first, by bit_offset).
    std::vector<size_t> Order(L.Fields.size());
    for (size_t I = 0; I < Order.size(); ++I)
      Order[I] = I;
    std::sort(Order.begin(), Order.end(), [&](size_t A, size_t B) {
      return L.Fields[A].BitOffset < L.Fields[B].BitOffset;
    });
    OS << "    // ---- stage " << Plan.FirstHistoryStage - 1
       << ": pack this frame's entry (fields MSB-first by bit_offset) ----\n"
       << "    action scr_pack() {\n";
    unsigned WordStart = 0;
    for (size_t W = 0; W < Plan.WordBits.size(); ++W) {
      unsigned WB = Plan.WordBits[W], WordEnd = WordStart + WB;
      std::vector<std::string> Parts;
      std::vector<std::string> Names;
      unsigned At = WordStart;
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
      OS << "        // word " << W << ": entry bits " << WordStart << ".."
         << WordEnd - 1 << " (";
      for (size_t K = 0; K < Names.size(); ++K)
        OS << (K ? ", " : "") << Names[K];
      OS << ")\n        meta.scr_cur_w" << W << " = " << Rhs << ";\n";
      WordStart = WordEnd;
    }
    OS << "    }\n";

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
    OS << "            hdr.scr.ts = (bit<64>)hdr.bridge.ts[" << L.TimestampBits - 1
       << ":0];\n";
  else
    OS << "            hdr.scr.ts = (bit<64>)hdr.bridge.ts;\n";
  OS << "            hdr.scr.reserved = 0;\n";
  if (RelevanceTable)
    OS << "            scr_relevance.apply();\n";
  else
    OS << "            " << (Relevance.empty() ? "scr_irrelevant" : "scr_relevant")
       << "();\n";
  for (const std::string &P : PredApply)
    OS << "            " << P << "\n";
  if (UsesLength)
    OS << "            scr_measure();\n";
  if (L4Chunked) {
    std::string Indent = "            ";
    if (L4ShortIhlCopy) {
      OS << Indent << "if (" << operandExpr(ihlOperand()) << " < 5) {\n"
         << Indent << "    scr_l4_short_ihl.apply();\n" << Indent
         << "} else {\n";
      Indent += "    ";
    }
    for (size_t I = 0; I < L4Chunks.size(); ++I)
      OS << Indent << "if (!hdr." << chunkName(I) << ".isValid()) { scr_"
         << chunkName(I) << "_absent(); }\n";
    if (L4ShortIhlCopy)
      OS << "            }\n";
  }
  if (!Plan.Registers.empty()) {
    OS << "            hdr.hist.setValid();\n"
       << "            scr_pack();\n";
    for (const HistoryRegister &H : Plan.Registers)
      OS << "            scr_hist_s" << H.Slot << "_w" << H.Word
         << "_access();\n";
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
  OS << "// sequencer.p4 - SCR packet-history sequencer for " << T.Name
     << ", generated by scrcc from scr_layout.json.\n"
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
     << FragmentCommon << "\n"
     << FragmentIngress << "\n";
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

bool emitP4Sequencer(const Layout &L, const P4Options &Opts, std::string &Out,
                     std::string &Error) {
  if (!Opts.Target) {
    Error = "no P4 target given";
    return false;
  }
  Emitter E(L, Opts, Error);
  return E.run(Out);
}

} // namespace scrp4
