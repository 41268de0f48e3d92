//===- TofinoResourcesTest.cpp - Resource model of the Tofino sequencer ---===//

#include "scrcc/TofinoResources.h"

#include <gtest/gtest.h>

#include <tuple>

using namespace scrp4;

static scr::Layout
layoutWith(std::vector<std::pair<scr::Field::Kind, unsigned>> Fields,
           unsigned N) {
  scr::Layout L;
  L.Cores = N + 1;
  L.HistoryLength = N;
  unsigned At = 0, I = 0;
  for (auto [K, Bits] : Fields) {
    scr::Field F;
    F.Name = "f" + std::to_string(I++);
    F.K = K;
    F.Bits = Bits;
    F.BitOffset = At;
    At += Bits;
    if (K == scr::Field::Kind::Packet)
      F.Offset = scr::Expr::constant(26);
    if (K == scr::Field::Kind::Predicate || K == scr::Field::Kind::Value)
      F.Value = scr::Expr::constant(1);
    L.Fields.push_back(F);
  }
  return L;
}

TEST(TofinoResources, OneWordEntryUsesStagesOneToEleven) {
  auto L = layoutWith({{scr::Field::Kind::Packet, 32}}, 44);
  ResourceReport R = planTofino(L, tofino1());
  EXPECT_TRUE(R.Fits) << R.Problem;
  EXPECT_EQ(R.FirstHistoryStage, 1u);
  EXPECT_EQ(R.Registers.size(), 44u);
  EXPECT_EQ(R.Registers.front().Stage, 1u);
  EXPECT_EQ(R.Registers.back().Stage, 11u);
  EXPECT_EQ(R.SalusUsed, 47u);
  EXPECT_EQ(R.MaxHistoryLength, 44u);
  EXPECT_EQ(R.MaxCores, 45u);
}

TEST(TofinoResources, RefusesTooLongHistoryAndReportsMax) {
  auto L = layoutWith({{scr::Field::Kind::Packet, 32}}, 45);
  ResourceReport R = planTofino(L, tofino1());
  EXPECT_FALSE(R.Fits);
  EXPECT_NE(R.Problem.find("45 history slots"), std::string::npos) << R.Problem;
  EXPECT_EQ(R.MaxCores, 45u);
}

TEST(TofinoResources, PacksFieldsIntoWordsNotOneRegisterPerField) {
  // 5-tuple + protocol + length: 120 bits -> 4 words, not 6 registers.
  auto L = layoutWith({{scr::Field::Kind::Packet, 32},
                       {scr::Field::Kind::Packet, 32},
                       {scr::Field::Kind::Packet, 16},
                       {scr::Field::Kind::Packet, 16},
                       {scr::Field::Kind::Packet, 8},
                       {scr::Field::Kind::Length, 16}},
                      10);
  ResourceReport R = planTofino(L, tofino1());
  EXPECT_EQ(R.WordBits, (std::vector<unsigned>{32, 32, 32, 24}));
  // Only the word holding the length (computed in stage 0) waits a stage.
  EXPECT_EQ(R.WordFirstStage, (std::vector<unsigned>{1, 1, 1, 2}));
  EXPECT_EQ(R.FirstHistoryStage, 1u);
  EXPECT_TRUE(R.Fits);
  EXPECT_EQ(R.MaxCores, 12u);
  EXPECT_TRUE(planTofino(L, tofino1(), 11).Fits);
  EXPECT_FALSE(planTofino(L, tofino1(), 12).Fits);
}

TEST(TofinoResources, PredicateBitsShareAWord) {
  auto L = layoutWith({{scr::Field::Kind::Packet, 32},
                       {scr::Field::Kind::Predicate, 1},
                       {scr::Field::Kind::Predicate, 1}},
                      20);
  auto Dport = scr::Expr::pkt(scr::Expr::constant(36), 2);
  for (unsigned I : {1, 2})
    L.Fields[I].Value = scr::Expr::make(scr::Expr::Op::Eq,
                                        {Dport, scr::Expr::constant(7000 + I)});
  ResourceReport R = planTofino(L, tofino1());
  EXPECT_EQ(R.WordBits, (std::vector<unsigned>{32, 8}));
  EXPECT_EQ(R.WordFirstStage, (std::vector<unsigned>{1, 2}));
  EXPECT_TRUE(R.Fits);
  // Port-knock's shape: 22 slots x 2 words fill stages 1..11 exactly.
  EXPECT_EQ(R.MaxCores, 23u);
}

TEST(TofinoResources, ConstantPredicatesNeedNoCompute) {
  auto L = layoutWith(
      {{scr::Field::Kind::Packet, 32}, {scr::Field::Kind::Predicate, 1}},
      4); // the predicate is the constant 1
  ResourceReport R = planTofino(L, tofino1());
  EXPECT_EQ(R.WordFirstStage, (std::vector<unsigned>{1, 1}));
}

static ResourceReport planWords(std::vector<unsigned> WordStages, unsigned N,
                                unsigned ComputeStages = 1) {
  std::vector<std::pair<scr::Field::Kind, unsigned>> Fields(
      WordStages.size(), {scr::Field::Kind::Packet, 32});
  SequencerNeeds Needs;
  Needs.WordFirstStage = std::move(WordStages);
  Needs.ComputeStages = ComputeStages;
  return planTofino(layoutWith(Fields, N), tofino1(), N, Needs);
}

TEST(TofinoResources, EachWordStartsAtItsOwnStage) {
  ResourceReport R = planWords({1, 3}, 2);
  ASSERT_TRUE(R.Fits) << R.Problem;
  std::vector<std::tuple<unsigned, unsigned, unsigned>> Got;
  for (const HistoryRegister &H : R.Registers)
    Got.push_back({H.Slot, H.Word, H.Stage});
  // Stage order; the late word's registers wait for stage 3.
  EXPECT_EQ(Got, (std::vector<std::tuple<unsigned, unsigned, unsigned>>{
                     {0, 0, 1}, {1, 0, 1}, {0, 1, 3}, {1, 1, 3}}));
  EXPECT_EQ(R.SalusPerStage[2], 0u);
  EXPECT_EQ(R.StagesUsed, 4u);
}

TEST(TofinoResources, EarlyWordsFillStagesLateWordsCannotUse) {
  // 2 words from stage 1 and 1 word from stage 10: stages 10..11 hold at
  // most 8 late registers, so N <= 8 even though 44 ALUs would hold 14
  // slots of 3 words.
  ResourceReport R = planWords({1, 1, 10}, 8);
  EXPECT_TRUE(R.Fits) << R.Problem;
  EXPECT_EQ(R.MaxCores, 9u);
  ResourceReport Over = planWords({1, 1, 10}, 9);
  EXPECT_FALSE(Over.Fits);
  EXPECT_NE(Over.Problem.find("word(s) 2 (from 10) wait for values"),
            std::string::npos)
      << Over.Problem;
}

TEST(TofinoResources, PlacementIsTightWhenStagesAllow) {
  // 22 slots of a stage-1 word and a stage-2 word use all 44 history ALUs.
  ResourceReport R = planWords({1, 2}, 22);
  EXPECT_TRUE(R.Fits) << R.Problem;
  for (unsigned S = 1; S < 12; ++S)
    EXPECT_EQ(R.SalusPerStage[S], 4u) << S;
  for (const HistoryRegister &H : R.Registers)
    EXPECT_GE(H.Stage, H.Word == 1 ? 2u : 1u);
  EXPECT_FALSE(planWords({1, 2}, 23).Fits);
  EXPECT_EQ(planWords({1, 2}, 1).MaxCores, 23u);
  // A word ready only for the last stage: 4 slots.
  EXPECT_EQ(planWords({11}, 1).MaxCores, 5u);
}

TEST(TofinoResources, ComputeStagesCountAsUsed) {
  EXPECT_EQ(planWords({4}, 1, /*ComputeStages=*/4).StagesUsed, 5u);
  EXPECT_EQ(planWords({1}, 0, /*ComputeStages=*/3).StagesUsed, 3u);
}

TEST(TofinoResources, LayoutTheSwitchCannotComputeDoesNotFit) {
  auto L = layoutWith(
      {{scr::Field::Kind::Packet, 32}, {scr::Field::Kind::Value, 32}}, 4);
  L.Fields[1].Name = "sum";
  L.Fields[1].Value = scr::Expr::make(
      scr::Expr::Op::Add, {scr::Expr::pkt(scr::Expr::constant(26), 4),
                           scr::Expr::pkt(scr::Expr::constant(30), 4)});
  ResourceReport R = planTofino(L, tofino1());
  EXPECT_FALSE(R.Fits);
  EXPECT_NE(R.Problem.find("field 'sum'"), std::string::npos) << R.Problem;
  EXPECT_EQ(R.MaxCores, 0u);
}

TEST(TofinoResources, Tofino2HasMoreStages) {
  auto L = layoutWith({{scr::Field::Kind::Packet, 32}}, 60);
  EXPECT_FALSE(planTofino(L, tofino1()).Fits);
  ResourceReport R = planTofino(L, tofino2());
  EXPECT_TRUE(R.Fits);
  EXPECT_EQ(R.MaxCores, 77u);
}

TEST(TofinoResources, EmptyHistoryFits) {
  auto L = layoutWith({{scr::Field::Kind::Packet, 32}}, 0);
  ResourceReport R = planTofino(L, tofino1());
  EXPECT_TRUE(R.Fits);
  EXPECT_TRUE(R.Registers.empty());
  EXPECT_EQ(R.ControlSalus, 2u);
}

TEST(TofinoResources, TargetNames) {
  EXPECT_EQ(targetByName("tofino"), &tofino1());
  EXPECT_EQ(targetByName("tofino2"), &tofino2());
  EXPECT_EQ(targetByName("tofino3"), nullptr);
}
