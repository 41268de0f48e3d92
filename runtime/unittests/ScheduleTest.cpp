//===- ScheduleTest.cpp - The replay's sequential schedules ---------------===//

#include "scrrt/Replay.h"

#include <gtest/gtest.h>
#include <vector>

using namespace scrrt;

namespace {

// Every schedule runs each frame once, each replica's frames in their own
// order, never a frame Window or more ahead of the earliest one not run.
void expectValid(Schedule S, uint64_t N, unsigned K, uint64_t Skew,
                 uint64_t Window) {
  std::vector<uint64_t> Order = scheduleOrder(S, N, K, Skew, 7, Window);
  ASSERT_EQ(Order.size(), N) << scheduleName(S) << " N=" << N << " K=" << K;
  std::vector<bool> Ran(N, false);
  std::vector<uint64_t> Next(K);
  for (unsigned R = 0; R < K; ++R)
    Next[R] = R;
  uint64_t Earliest = 0;
  for (uint64_t P : Order) {
    ASSERT_LT(P, N);
    ASSERT_FALSE(Ran[P]) << "frame " << P << " twice";
    ASSERT_EQ(P, Next[P % K]) << "replica " << P % K << " out of order";
    ASSERT_LT(P - Earliest, Window) << scheduleName(S);
    Ran[P] = true;
    Next[P % K] += K;
    while (Earliest < N && Ran[Earliest])
      ++Earliest;
  }
}

TEST(Schedule, EverySchedulePermutesFramesKeepingEachReplicasOrder) {
  for (Schedule S : {Schedule::Lockstep, Schedule::Ahead, Schedule::Behind,
                     Schedule::Random, Schedule::Concurrent})
    for (unsigned K : {1u, 2u, 3u, 4u, 7u, 16u})
      for (uint64_t N : {1ull, 2ull, 3ull, 5ull, 16ull, 17ull, 100ull, 601ull})
        for (uint64_t Window : {uint64_t(UINT64_MAX), uint64_t(4 * K + 1)})
          expectValid(S, N, K, 3, Window);
}

TEST(Schedule, SkewedSchedulesRunAReplicaAheadAndBehind) {
  // K = 2, skew 2: in the first half replica 0 runs two of its frames
  // early (ahead) or late (behind).
  std::vector<uint64_t> Ahead =
      scheduleOrder(Schedule::Ahead, 16, 2, 2, 1, UINT64_MAX);
  EXPECT_EQ(Ahead[0], 0u);
  EXPECT_EQ(Ahead[1], 2u);
  EXPECT_EQ(Ahead[2], 4u);
  std::vector<uint64_t> Behind =
      scheduleOrder(Schedule::Behind, 16, 2, 2, 1, UINT64_MAX);
  EXPECT_EQ(Behind[0], 1u);
  EXPECT_EQ(Behind[1], 3u);
  EXPECT_EQ(Behind[2], 0u);
}

TEST(Schedule, LockstepIsTraceOrder) {
  std::vector<uint64_t> L = scheduleOrder(Schedule::Lockstep, 9, 3, 3, 1);
  for (uint64_t P = 0; P < 9; ++P)
    EXPECT_EQ(L[P], P);
}

} // namespace
