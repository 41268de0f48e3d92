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
#include <utility>
#include <vector>

namespace scrrt {

/// Conventions of the generated programs (docs/runtime-replay.md).
inline constexpr const char *ReplicaMapName = "scr_replica";
inline constexpr const char *RefEnvMapName = "scr_ref_env";
/// Per-CPU count of frames from RX queues no replica owns (dropped).
inline constexpr const char *UnownedMapName = "scr_unowned";

/// What the runtime needs of a replica's bookkeeping, the program's
/// `scr_replica` map entry (entry r: replica r). It is read through the
/// program's BTF by member name (ReplicaRecord), never as a mirrored struct.
struct ReplicaStats {
  uint32_t Applied = 0;     // applied: relevant packets applied
  uint64_t Prng = 0;        // prng: PRNG state XOR layout.prng_seed
  uint64_t ShortFrames = 0; // short_frames: frames too short: dropped
  uint64_t Gaps = 0;        // gaps: history entries missed
  uint64_t Replayed = 0;    // replayed: history entries applied
  /// Every integer member of the entry, named and in order as in the C
  /// struct (what `scr-replica state` prints).
  std::vector<std::pair<std::string, uint64_t>> Members;
};

/// The frames a replica dropped by reason (docs/packet-format.md, "What a
/// replica accepts"): members of `scr_replica` in programs with the frame
/// check.
struct FrameRejects {
  uint64_t NotScr = 0;     // tor mode: outer EtherType is not 0x88B5
  uint64_t Duplicates = 0; // seq not after the last accepted frame's
  uint64_t BadSeq = 0;     // seq more than SCR_SEQ_WINDOW ahead
  uint64_t BadHistSeq = 0; // hist_seq behind, or ahead of what seq allows
  uint64_t BadOldest = 0;  // oldest out of range or not the ring's
  uint64_t BadTs = 0;      // timestamp 0, too wide, or going back
  uint64_t BadFlags = 0;   // flags other than RELEVANT, or RELEVANT wrong
  uint64_t Resyncs = 0;    // times the replica followed a new stream

  /// Frames dropped (resyncs are not drops).
  uint64_t dropped() const {
    return NotScr + Duplicates + BadSeq + BadHistSeq + BadOldest + BadTs +
           BadFlags;
  }
  /// The counters and their names in the C struct.
  static constexpr std::pair<const char *, uint64_t FrameRejects::*>
      Counters[] = {{"not_scr", &FrameRejects::NotScr},
                    {"duplicates", &FrameRejects::Duplicates},
                    {"bad_seq", &FrameRejects::BadSeq},
                    {"bad_hist_seq", &FrameRejects::BadHistSeq},
                    {"bad_oldest", &FrameRejects::BadOldest},
                    {"bad_ts", &FrameRejects::BadTs},
                    {"bad_flags", &FrameRejects::BadFlags},
                    {"resyncs", &FrameRejects::Resyncs}};
  std::vector<std::pair<const char *, uint64_t>> named() const {
    std::vector<std::pair<const char *, uint64_t>> R;
    for (auto [Name, Counter] : Counters)
      R.push_back({Name, this->*Counter});
    return R;
  }
  /// "duplicates 1, bad_ts 2": the non-zero counters.
  std::string describe() const {
    std::string S;
    for (auto [Name, V] : named())
      if (V)
        S += (S.empty() ? "" : ", ") + std::string(Name) + " " +
             std::to_string(V);
    return S;
  }
};
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
  /// Dir/compile_flags.txt: what the generated programs need to compile
  /// (the input's -D, -I, -include ..., paths absolute); empty if the
  /// file is missing (an output of an older scrcc).
  std::vector<std::string> CompileFlags;

  /// CompileFlags, then \p Extra (a tool's `-- FLAGS`).
  std::vector<std::string>
  compileFlags(const std::vector<std::string> &Extra) const {
    std::vector<std::string> All = CompileFlags;
    All.insert(All.end(), Extra.begin(), Extra.end());
    return All;
  }

  /// Reads Dir/scr_layout.json and derives the program paths. On failure
  /// (missing directory or layout, unsupported version, no SCR program)
  /// returns nullopt and sets \p Error.
  static std::optional<ScrOutput> open(const std::string &Dir,
                                       std::string &Error);
};

/// Reads a compile_flags.txt: one argument per line, empty lines skipped.
/// A missing file is no flags; an unreadable one is an error.
std::optional<std::vector<std::string>>
readCompileFlags(const std::string &Path, std::string &Error);

/// Serial-number order of 32-bit counters (RFC 1982): true iff \p A is
/// ahead of \p B, wrap-around included.
inline bool serialAfter(uint32_t A, uint32_t B) { return int32_t(A - B) > 0; }

} // namespace scrrt

#endif
