//===- ScrOutput.h - The files scrcc writes for one program -----*- C++ -*-===//
//
// scrcc INPUT --cores K -o OUTDIR writes scr_layout.json, <stem>.scr.bpf.c
// and <stem>.ref.bpf.c (the reference variant), stem being the layout's
// source file name without .bpf.c / .c. The runtime finds them from OUTDIR.
//
//===----------------------------------------------------------------------===//
#ifndef SCRRT_SCROUTPUT_H
#define SCRRT_SCROUTPUT_H

#include "scrcc/Layout.h"

#include <optional>
#include <string>

namespace scrrt {

/// Conventions of the generated programs (docs/runtime-replay.md).
inline constexpr const char *ReplicaMapName = "scr_replica";
inline constexpr const char *RefEnvMapName = "scr_ref_env";
/// Per-CPU count of frames from RX queues no replica owns (dropped).
inline constexpr const char *UnownedMapName = "scr_unowned";

/// Value of the SCR program's `scr_replica` map (entry r: replica r). A program
/// may append fields of its own; these 40 bytes are the fixed prefix.
struct ReplicaStats {
  uint32_t Applied = 0; // relevant packets applied to this replica
  uint32_t Reserved = 0;
  uint64_t Prng = 0;        // PRNG state XOR layout.prng_seed
  uint64_t ShortFrames = 0; // frames too short for the prefix: dropped
  uint64_t Gaps = 0;        // history entries missed
  uint64_t Replayed = 0;    // history entries applied
};
static_assert(sizeof(ReplicaStats) == 40, "struct scr_replica is 40 bytes");

/// Value of the reference variant's `scr_ref_env` map.
struct RefEnv {
  uint64_t NowNs = 0;
  uint64_t Prng = 0; // PRNG state XOR layout.prng_seed
};

struct ScrOutput {
  std::string Dir;
  std::string Stem;
  scr::Layout Layout;
  std::string ScrProgram; // Dir/<stem>.scr.bpf.c
  std::string RefProgram; // Dir/<stem>.ref.bpf.c (may not exist)

  /// Reads Dir/scr_layout.json and derives the program paths. On failure
  /// (missing directory or layout, unsupported version, no SCR program)
  /// returns nullopt and sets \p Error.
  static std::optional<ScrOutput> open(const std::string &Dir,
                                       std::string &Error);
};

/// "a.bpf.c" -> "a", "dir/b.c" -> "b".
std::string programStem(const std::string &Source);

/// Serial-number order of 32-bit counters (RFC 1982): true iff \p A is
/// ahead of \p B, wrap-around included.
inline bool serialAfter(uint32_t A, uint32_t B) { return int32_t(A - B) > 0; }

} // namespace scrrt

#endif
