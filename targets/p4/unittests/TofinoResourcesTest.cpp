//===- TofinoResourcesTest.cpp - Resource model of the Tofino sequencer ---===//

#include "scrcc/TofinoResources.h"

#include <gtest/gtest.h>

using namespace scrp4;

static scr::Layout layoutWith(std::vector<std::pair<scr::Field::Kind, unsigned>>
                                  Fields,
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
  EXPECT_TRUE(R.EntryNeedsMau);
  EXPECT_EQ(R.FirstHistoryStage, 2u);
  EXPECT_TRUE(R.Fits);
  EXPECT_EQ(R.MaxCores, 11u);
  EXPECT_FALSE(planTofino(L, tofino1(), 11).Fits);
}

TEST(TofinoResources, PredicateBitsShareAWord) {
  auto L = layoutWith({{scr::Field::Kind::Packet, 32},
                       {scr::Field::Kind::Predicate, 1},
                       {scr::Field::Kind::Predicate, 1}},
                      20);
  ResourceReport R = planTofino(L, tofino1());
  EXPECT_EQ(R.WordBits, (std::vector<unsigned>{32, 8}));
  EXPECT_TRUE(R.Fits);
  EXPECT_EQ(R.MaxCores, 21u);
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
