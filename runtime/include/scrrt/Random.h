//===- Random.h - Portable seeded random numbers ---------------*- C++ -*-===//
//
// The trace generator must give identical bytes for a seed on every
// platform, so it cannot use std:: distributions (their algorithms are
// implementation-defined). xoshiro256** seeded through SplitMix64.
//
//===----------------------------------------------------------------------===//
#ifndef SCRRT_RANDOM_H
#define SCRRT_RANDOM_H

#include <cmath>
#include <cstdint>
#include <vector>

namespace scrrt {

class Random {
public:
  explicit Random(uint64_t Seed) {
    for (uint64_t &W : S)
      W = splitMix(Seed);
  }

  uint64_t next() {
    uint64_t Result = rotl(S[1] * 5, 7) * 9;
    uint64_t T = S[1] << 17;
    S[2] ^= S[0];
    S[3] ^= S[1];
    S[1] ^= S[2];
    S[0] ^= S[3];
    S[2] ^= T;
    S[3] = rotl(S[3], 45);
    return Result;
  }
  /// Uniform in [0, N) (N > 0); the tiny bias of the multiply is harmless.
  uint64_t below(uint64_t N) {
    return uint64_t((unsigned __int128)next() * N >> 64);
  }
  /// Uniform in [Lo, Hi].
  uint64_t range(uint64_t Lo, uint64_t Hi) { return Lo + below(Hi - Lo + 1); }
  /// Uniform in [0, 1).
  double unit() { return double(next() >> 11) * 0x1.0p-53; }
  bool chance(double P) { return unit() < P; }
  /// Exponentially distributed with the given mean (Poisson arrivals).
  double exponential(double Mean) { return -Mean * std::log1p(-unit()); }

  /// SplitMix64 step; also used to derive independent sub-seeds.
  static uint64_t splitMix(uint64_t &X) {
    uint64_t Z = (X += 0x9e3779b97f4a7c15ULL);
    Z = (Z ^ (Z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    Z = (Z ^ (Z >> 27)) * 0x94d049bb133111ebULL;
    return Z ^ (Z >> 31);
  }

private:
  static uint64_t rotl(uint64_t X, int K) { return (X << K) | (X >> (64 - K)); }
  uint64_t S[4];
};

/// Draws ranks 0..N-1 with P(k) proportional to 1/(k+1)^S.
class ZipfSampler {
public:
  ZipfSampler(size_t N, double S) : Cdf(N) {
    double Sum = 0;
    for (size_t K = 0; K < N; ++K)
      Cdf[K] = Sum += 1.0 / std::pow(double(K + 1), S);
    for (double &C : Cdf)
      C /= Sum;
  }
  size_t operator()(Random &R) const {
    double U = R.unit();
    size_t Lo = 0, Hi = Cdf.size() - 1;
    while (Lo < Hi) {
      size_t Mid = (Lo + Hi) / 2;
      if (Cdf[Mid] > U)
        Hi = Mid;
      else
        Lo = Mid + 1;
    }
    return Lo;
  }

private:
  std::vector<double> Cdf;
};

} // namespace scrrt

#endif
