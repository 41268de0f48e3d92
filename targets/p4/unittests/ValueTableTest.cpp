//===- ValueTableTest.cpp - Values of small bit-fields as tables ----------===//

#include "ValueTable.h"

#include "ExprBuilders.h"

#include <gtest/gtest.h>

#include <random>

using namespace scrp4;
using Op = scr::Expr::Op;
using scr::Expr;

using scrp4::test::C;
using scrp4::test::Ihl;

// Conntrack's header length: 4 * ihl + 4 * doff, the TCP data offset being
// the high nibble of byte 12 behind the IPv4 header.
static scr::ExprRef headerLength() {
  auto Ihl4 = Expr::make(Op::Mul, {Ihl(), C(4)});
  auto DoffByte = Expr::pkt(Expr::make(Op::Add, {Ihl4, C(26)}), 1);
  auto Doff4 =
      Expr::make(Op::Mul, {Expr::make(Op::Shr, {DoffByte, C(4)}), C(4)});
  return Expr::make(Op::Add, {Ihl4, Doff4});
}

TEST(ValueTable, HeaderLengthAgreesWithTheReferenceOnEveryFrame) {
  std::string Err;
  auto T = enumerateValue(*headerLength(), 7, Err);
  ASSERT_TRUE(T) << Err;
  ASSERT_EQ(T->Keys.size(), 2u);
  EXPECT_EQ(T->Keys[0], ihlOperand());
  EXPECT_EQ(T->Keys[1].R, Region::L4);
  EXPECT_EQ(T->Keys[1].Offset, 12u);
  EXPECT_EQ(T->Entries.size(), 256u);
  scr::Field F;
  F.K = scr::Field::Kind::Value;
  F.Bits = 7;
  F.Value = headerLength();
  std::mt19937_64 Rng(6);
  for (int I = 0; I < 5000; ++I) {
    std::vector<uint8_t> P(14 + 60 + 20);
    for (uint8_t &B : P)
      B = uint8_t(Rng());
    unsigned Ihl = 5 + Rng() % 11;
    P[14] = uint8_t(0x40 | Ihl);
    // The switch looks the key up: IHL and the nibble behind the options.
    uint64_t Doff = P[14 + 4 * Ihl + 12] >> 4;
    const ValueTable::Entry *Hit = nullptr;
    for (const auto &E : T->Entries)
      if (E.Key == std::vector<uint64_t>{Ihl, Doff})
        Hit = &E;
    ASSERT_NE(Hit, nullptr);
    ASSERT_EQ(Hit->Value, F.extract(P, 0)) << "ihl " << Ihl << " doff " << Doff;
  }
}

TEST(ValueTable, TruncatesToTheFieldWidth) {
  std::string Err;
  auto T = enumerateValue(*Expr::make(Op::Mul, {Ihl(), C(32)}), 8, Err);
  ASSERT_TRUE(T) << Err;
  EXPECT_EQ(T->Entries[15].Value, (15u * 32) & 0xff);
}

TEST(ValueTable, ConstantHasOneEntryWithoutKeys) {
  std::string Err;
  auto T = enumerateValue(*Expr::make(Op::Add, {C(2), C(3)}), 8, Err);
  ASSERT_TRUE(T) << Err;
  EXPECT_TRUE(T->Keys.empty());
  ASSERT_EQ(T->Entries.size(), 1u);
  EXPECT_EQ(T->Entries[0].Value, 5u);
}

TEST(ValueTable, RefusesWideKeysTheLengthAndUnplacedLoads) {
  std::string Err;
  auto Wide = Expr::make(Op::Mul, {Expr::pkt(C(16), 2), C(3)});
  EXPECT_FALSE(enumerateValue(*Wide, 16, Err));
  EXPECT_NE(Err.find("16 bits"), std::string::npos) << Err;
  auto Len = Expr::make(Op::Sub, {Expr::len(), C(14)});
  EXPECT_FALSE(enumerateValue(*Len, 16, Err));
  EXPECT_NE(Err.find("frame length"), std::string::npos) << Err;
  auto Indirect = Expr::pkt(Expr::pkt(C(20), 1), 1); // offset from a byte
  EXPECT_FALSE(enumerateValue(*Indirect, 8, Err));
  EXPECT_NE(Err.find("cannot place"), std::string::npos) << Err;
}
