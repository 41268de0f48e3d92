//===- TofinoResources.cpp - Resource model of the Tofino sequencer -------===//

#include "scrcc/TofinoResources.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <tuple>

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

static void place(const scr::Layout &L, const TofinoTarget &T, unsigned N,
                  const SequencerNeeds &Needs, ResourceReport &R) {
  R = ResourceReport();
  R.Target = &T;
  R.HistoryLength = N;
  R.EntryBits = L.entryBytes() * 8;
  R.WordBits = entryWords(L, T.SaluWordBits);
  R.WordFirstStage = Needs.WordFirstStage;
  R.WordFirstStage.resize(R.WordBits.size(), 1);
  R.FirstHistoryStage = ~0u;
  for (unsigned &S : R.WordFirstStage) {
    S = std::max(S, 1u); // the write slot is read in stage 0
    R.FirstHistoryStage = std::min(R.FirstHistoryStage, S);
  }
  if (R.WordFirstStage.empty())
    R.FirstHistoryStage = 1;
  // Stage 0: the relevance table drives the write pointer and hist_seq
  // registers, next to the sequence number. Every history register's write
  // decision needs the write slot, so history starts at stage 1 at best.
  R.ControlSalus = N ? 3 : 2;
  R.SalusPerStage.assign(T.Stages, 0);
  R.SalusPerStage[0] = R.ControlSalus;
  for (unsigned S = R.FirstHistoryStage; S < T.Stages; ++S)
    R.HistorySaluCapacity += T.SalusPerStage;

  // Registers in order of their word's first stage (then slot, word), each
  // into the lowest stage from there with a free stateful ALU. Placing
  // unit-size jobs with release times earliest-release-first this way fits
  // whenever any placement does.
  std::vector<unsigned> Words(R.WordBits.size());
  for (unsigned W = 0; W < Words.size(); ++W)
    Words[W] = W;
  std::stable_sort(Words.begin(), Words.end(), [&](unsigned A, unsigned B) {
    return R.WordFirstStage[A] < R.WordFirstStage[B];
  });
  unsigned Unplaced = 0, Cursor = 0;
  std::vector<HistoryRegister> Placed;
  for (size_t I = 0; I < Words.size(); ++I) {
    // Words with the same first stage go slot by slot, word by word.
    size_t J = I;
    while (J < Words.size() &&
           R.WordFirstStage[Words[J]] == R.WordFirstStage[Words[I]])
      ++J;
    std::vector<unsigned> Group(Words.begin() + I, Words.begin() + J);
    std::sort(Group.begin(), Group.end());
    Cursor = std::max(Cursor, R.WordFirstStage[Words[I]]);
    for (unsigned S = 0; S < N; ++S)
      for (unsigned W : Group) {
        while (Cursor < T.Stages && R.SalusPerStage[Cursor] >= T.SalusPerStage)
          ++Cursor;
        if (Cursor >= T.Stages) {
          ++Unplaced;
          Placed.push_back({S, W, R.WordBits[W], T.Stages});
          continue;
        }
        ++R.SalusPerStage[Cursor];
        Placed.push_back({S, W, R.WordBits[W], Cursor});
      }
    I = J - 1;
  }
  // Emitted in stage order, then slot and word order.
  std::stable_sort(Placed.begin(), Placed.end(),
                   [](const HistoryRegister &A, const HistoryRegister &B) {
                     return std::tie(A.Stage, A.Slot, A.Word) <
                            std::tie(B.Stage, B.Slot, B.Word);
                   });
  R.Registers = std::move(Placed);
  R.StagesUsed = std::max(1u, Needs.ComputeStages);
  for (const HistoryRegister &H : R.Registers)
    R.StagesUsed = std::max(R.StagesUsed, H.Stage + 1);
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
                  16 /*length*/ + 8 * Preds + 16 /*pkt_length*/ +
                  Needs.ComputedBits;
  R.PhvMauBits = Hist + (N ? Cur : 0) + scr::HeaderFormat::Bytes * 8 + Meta +
                 8 * parsedBytesEstimate(L);
  R.PhvTotalBits = R.PhvMauBits + 8 * scr::HeaderFormat::OuterEthernetBytes +
                   320 /*IPv4 options*/;

  char Buf[320];
  if (N > 65535) {
    R.Problem = "history length exceeds the 16-bit `oldest` field";
  } else if (Unplaced) {
    int Len = std::snprintf(
        Buf, sizeof Buf,
        "%u history slots x %zu register word(s) need %zu stateful ALUs, "
        "but %s has %u for history (stages %u..%u x %u)",
        N, R.WordBits.size(), R.Registers.size(), T.Name.c_str(),
        R.HistorySaluCapacity, R.FirstHistoryStage, T.Stages - 1,
        T.SalusPerStage);
    std::string Late;
    for (unsigned W = 0; W < R.WordBits.size(); ++W)
      if (R.WordFirstStage[W] > R.FirstHistoryStage)
        Late += (Late.empty() ? "" : ", ") + std::to_string(W) + " (from " +
                std::to_string(R.WordFirstStage[W]) + ")";
    R.Problem = std::string(Buf, std::min<size_t>(Len, sizeof Buf - 1));
    if (!Late.empty())
      R.Problem += "; word(s) " + Late +
                   " wait for values the MAU computes first";
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
                          unsigned N, const SequencerNeeds &Needs) {
  ResourceReport R;
  place(L, T, N, Needs, R);
  // Every requirement grows with N, so the largest N that fits is the last
  // one before the first failure. An empty entry costs no registers; cap the
  // search at the 16-bit slot limit.
  ResourceReport Probe;
  unsigned MaxN = 0;
  for (unsigned Try = 1; Try <= 65535; ++Try) {
    place(L, T, Try, Needs, Probe);
    if (!Probe.Fits)
      break;
    MaxN = Try;
  }
  place(L, T, 0, Needs, Probe);
  R.MaxHistoryLength = Probe.Fits ? MaxN : 0;
  R.MaxCores = Probe.Fits ? MaxN + 1 : 0;
  return R;
}

ResourceReport planTofino(const scr::Layout &L, const TofinoTarget &T,
                          unsigned N) {
  std::string Error;
  if (auto Needs = analyseSequencer(L, Error))
    return planTofino(L, T, N, *Needs);
  ResourceReport R;
  place(L, T, N, SequencerNeeds(), R);
  R.Fits = false;
  R.Problem = Error;
  return R;
}

ResourceReport planTofino(const scr::Layout &L, const TofinoTarget &T) {
  return planTofino(L, T, L.HistoryLength);
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
  S += "first stage per word:";
  for (unsigned W : WordFirstStage)
    S += " " + std::to_string(W);
  S += "\n";
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
