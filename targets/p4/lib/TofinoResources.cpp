//===- TofinoResources.cpp - Resource model of the Tofino sequencer -------===//

#include "scrcc/TofinoResources.h"

#include <algorithm>
#include <cstdio>
#include <functional>

namespace scrp4 {

const TofinoTarget &tofino1() {
  // 12 stages x 4 stateful ALUs; one access reads out at most 32 bits.
  // PHV: 64x8 + 96x16 + 64x32 = 4096 MAU bits, plus 2048 tagalong bits
  // that can only be parsed and deparsed.
  static const TofinoTarget T{"tofino", "tna.p4", 12, 4, 32, 4096, 6144};
  return T;
}

const TofinoTarget &tofino2() {
  // 20 stages x 4 stateful ALUs. The generator still reads one 32-bit word
  // per access (the t2na multi-output forms are not used), so the per-ALU
  // model is the same as on Tofino 1. PHV: 5120 bits, all MAU-visible.
  static const TofinoTarget T{"tofino2", "t2na.p4", 20, 4, 32, 5120, 5120};
  return T;
}

const TofinoTarget *targetByName(const std::string &Name) {
  if (Name == "tofino" || Name == "tofino1")
    return &tofino1();
  if (Name == "tofino2")
    return &tofino2();
  return nullptr;
}

std::vector<unsigned> entryWords(const scr::Layout &L, unsigned WordBits) {
  std::vector<unsigned> W;
  for (unsigned Left = L.entryBytes() * 8; Left; Left -= std::min(Left, WordBits))
    W.push_back(std::min(Left, WordBits));
  return W;
}

static unsigned containerBits(unsigned Bits) {
  return Bits <= 8 ? 8 : Bits <= 16 ? 16 : ((Bits + 31) / 32) * 32;
}

// Bytes of the original packet the parser extracts: constant offsets up to
// their end; IHL-relative ones behind a full 20-byte IPv4 header.
static unsigned parsedBytesEstimate(const scr::Layout &L) {
  unsigned End = 0;
  std::function<void(const scr::Expr &)> Walk = [&](const scr::Expr &E) {
    if (E.K == scr::Expr::Op::Pkt) {
      const scr::Expr &Off = *E.Args[0];
      if (Off.K == scr::Expr::Op::Const)
        End = std::max<uint64_t>(End, Off.Value + E.Bytes);
      else // 14 + ihl*4 + r: count the fixed header and r + bytes
        End = std::max(End, 34u + 8u + E.Bytes);
    }
    for (const auto &A : E.Args)
      Walk(*A);
  };
  if (L.Relevance)
    Walk(*L.Relevance);
  for (const scr::Field &F : L.Fields) {
    if (F.Offset)
      Walk(*scr::Expr::pkt(F.Offset, F.Bits / 8));
    if (F.Value)
      Walk(*F.Value);
  }
  return End;
}

ResourceReport planTofino(const scr::Layout &L, const TofinoTarget &T) {
  return planTofino(L, T, L.HistoryLength);
}

static void place(const scr::Layout &L, const TofinoTarget &T, unsigned N,
                  ResourceReport &R) {
  R = ResourceReport();
  R.Target = &T;
  R.HistoryLength = N;
  R.EntryBits = L.entryBytes() * 8;
  R.WordBits = entryWords(L, T.SaluWordBits);
  for (const scr::Field &F : L.Fields)
    if (F.K == scr::Field::Kind::Predicate ||
        F.K == scr::Field::Kind::Length || F.K == scr::Field::Kind::Value)
      R.EntryNeedsMau = true;
    else if (F.Offset && F.Offset->K != scr::Expr::Op::Const)
      R.EntryNeedsMau = true; // behind the IPv4 header: may be zero-filled
  // Stage 0: the relevance table drives the write pointer and hist_seq
  // registers, next to the sequence number. The history registers need the
  // write slot, so they start at stage 1 -- or 2 when the entry has values
  // the MAU computes in stage 0 before they can be packed.
  R.ControlSalus = N ? 3 : 2;
  R.FirstHistoryStage = R.EntryNeedsMau ? 2 : 1;
  R.HistorySaluCapacity =
      (T.Stages > R.FirstHistoryStage ? T.Stages - R.FirstHistoryStage : 0) *
      T.SalusPerStage;
  R.SalusPerStage.assign(T.Stages, 0);
  R.SalusPerStage[0] = R.ControlSalus;
  unsigned Next = 0, Words = R.WordBits.size();
  for (unsigned S = 0; S < N && Words; ++S)
    for (unsigned W = 0; W < Words; ++W, ++Next)
      R.Registers.push_back({S, W, R.WordBits[W],
                             R.FirstHistoryStage + Next / T.SalusPerStage});
  R.StagesUsed = 1;
  for (const HistoryRegister &H : R.Registers) {
    R.StagesUsed = std::max(R.StagesUsed, H.Stage + 1);
    if (H.Stage < T.Stages)
      ++R.SalusPerStage[H.Stage];
  }
  R.SalusUsed = R.ControlSalus + R.Registers.size();

  // PHV: read-out history + current entry + SCR header + metadata + parsed
  // packet bytes; the outer Ethernet header and IPv4 options may live in
  // deparse-only containers.
  unsigned Hist = 0, Cur = 0;
  for (unsigned B : R.WordBits)
    Cur += containerBits(B);
  Hist = N * Cur;
  unsigned Preds = 0;
  for (const scr::Field &F : L.Fields)
    Preds += F.K == scr::Field::Kind::Predicate;
  unsigned Meta = 64 /*bridged ts*/ + 8 /*bridged flag*/ + 16 /*slot*/ +
                  16 /*length*/ + 8 * Preds + 16 /*pkt_length*/;
  R.PhvMauBits = Hist + (N ? Cur : 0) + scr::HeaderFormat::Bytes * 8 + Meta +
                 8 * parsedBytesEstimate(L);
  R.PhvTotalBits = R.PhvMauBits + 8 * scr::HeaderFormat::OuterEthernetBytes +
                   320 /*IPv4 options*/;

  char Buf[256];
  if (N > 65535) {
    R.Problem = "history length exceeds the 16-bit `oldest` field";
  } else if (R.StagesUsed > T.Stages) {
    std::snprintf(Buf, sizeof Buf,
                  "%u history slots x %zu register word(s) need %zu stateful "
                  "ALUs, but %s has %u for history (stages %u..%u x %u)",
                  N, R.WordBits.size(), R.Registers.size(), T.Name.c_str(),
                  R.HistorySaluCapacity, R.FirstHistoryStage, T.Stages - 1,
                  T.SalusPerStage);
    R.Problem = Buf;
  } else if (R.PhvMauBits > T.PhvMauBits) {
    std::snprintf(Buf, sizeof Buf,
                  "needs about %u PHV bits in the MAU, %s has %u", R.PhvMauBits,
                  T.Name.c_str(), T.PhvMauBits);
    R.Problem = Buf;
  } else if (R.PhvTotalBits > T.PhvTotalBits) {
    std::snprintf(Buf, sizeof Buf, "needs about %u PHV bits, %s has %u",
                  R.PhvTotalBits, T.Name.c_str(), T.PhvTotalBits);
    R.Problem = Buf;
  }
  R.Fits = R.Problem.empty();
}

ResourceReport planTofino(const scr::Layout &L, const TofinoTarget &T,
                          unsigned N) {
  ResourceReport R;
  place(L, T, N, R);
  // Every requirement grows with N, so the largest N that fits is the last
  // one before the first failure. An empty entry costs no registers; cap the
  // search at the 16-bit slot limit.
  ResourceReport Probe;
  unsigned MaxN = 0;
  for (unsigned Try = 1; Try <= 65535; ++Try) {
    place(L, T, Try, Probe);
    if (!Probe.Fits)
      break;
    MaxN = Try;
  }
  place(L, T, 0, Probe);
  R.MaxHistoryLength = Probe.Fits ? MaxN : 0;
  R.MaxCores = Probe.Fits ? MaxN + 1 : 0;
  return R;
}

std::string ResourceReport::str() const {
  std::string S;
  char Buf[256];
  std::snprintf(Buf, sizeof Buf,
                "target %s: %u stages x %u stateful ALUs, %u-bit register "
                "read-out\n",
                Target->Name.c_str(), Target->Stages, Target->SalusPerStage,
                Target->SaluWordBits);
  S += Buf;
  std::snprintf(Buf, sizeof Buf, "entry: %u bits in %zu register word(s):",
                EntryBits, WordBits.size());
  S += Buf;
  for (unsigned B : WordBits)
    S += " " + std::to_string(B);
  S += "\n";
  std::snprintf(Buf, sizeof Buf,
                "history: N = %u slots, %zu history registers from stage %u "
                "(%u available)\n",
                HistoryLength, Registers.size(), FirstHistoryStage,
                HistorySaluCapacity);
  S += Buf;
  S += "stateful ALUs per stage:";
  for (unsigned U : SalusPerStage)
    S += " " + std::to_string(U);
  std::snprintf(Buf, sizeof Buf,
                "\nstateful ALUs used: %u of %u; stages used: %u of %u\n",
                SalusUsed, Target->Stages * Target->SalusPerStage, StagesUsed,
                Target->Stages);
  S += Buf;
  std::snprintf(Buf, sizeof Buf, "PHV: ~%u of %u MAU bits, ~%u of %u total\n",
                PhvMauBits, Target->PhvMauBits, PhvTotalBits,
                Target->PhvTotalBits);
  S += Buf;
  std::snprintf(Buf, sizeof Buf, "fits: %s\n", Fits ? "yes" : "no");
  S += Buf;
  if (!Fits)
    S += "problem: " + Problem + "\n";
  std::snprintf(Buf, sizeof Buf, "max history length: %u (max cores: %u)\n",
                MaxHistoryLength, MaxCores);
  S += Buf;
  return S;
}

} // namespace scrp4
