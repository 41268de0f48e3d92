//===- ReplicaState.h - Private replicas in one loaded program --*- C++ -*-===//
//
// The C that gives every replica its own state inside the one SCR program
// every core runs (docs/transformation.md §1):
//
//  - a replica is identified by the RX queue its frames arrive on
//    (ctx->rx_queue_index): the queue's NAPI context runs its frames one
//    at a time and in order, whichever CPU serves it;
//  - each written map NAME becomes an array of maps of that name, indexed
//    by replica, statically holding the private copies NAME__r0 .. __r<K-1>
//    (any libbpf loader creates and links them);
//  - the bookkeeping `scr_replica` has one entry per replica, and the
//    per-CPU `scr_current` tells the code below the entry which replica the
//    frame running on this CPU belongs to.
//
//===----------------------------------------------------------------------===//
#ifndef SCRCC_EMIT_REPLICASTATE_H
#define SCRCC_EMIT_REPLICASTATE_H

#include "scrcc/Layout.h"

#include <set>
#include <string>
#include <vector>

namespace scrcc {

/// SCR_REPLICAS, struct scr_replica and its map, scr_current, scr_unowned,
/// scr_this_replica(), scr_replica_map() and the helper wrappers named in
/// \p Wrappers (scr_map_lookup_elem, ...).
std::string replicaRuntimeC(const std::set<std::string> &Wrappers);

/// The declarations that replace written map \p Name: the definition
/// \p Body ("{ __uint(type, ...); ... }", with the replica's map type and
/// without pinning) as `struct NAME__scr_def`, one map of it per replica,
/// and the array of maps NAME holding them (pinned by name if \p Pinned).
/// \p OriginalType is the map's type, or "global T" for a written global.
std::string replicatedMapDecl(const std::string &Name,
                              const std::string &OriginalType,
                              const std::string &Body, bool Pinned,
                              unsigned Replicas);

/// struct scr_frame, the running replica resolved once per frame: its
/// bookkeeping entry and its private copy of every replicated map in
/// \p Maps (written maps and written globals, by name), which the replay
/// clones reach through a pointer instead of scr_current. Also
/// scr_frame_enter() (the entry, from the frame's RX queue) or, if
/// \p FromCurrent, scr_frame_current() (a global function, from
/// scr_current).
std::string replicaFrameC(const std::vector<std::string> &Maps,
                          bool FromCurrent);

/// Name of replica \p R's private copy of written map \p Map.
std::string replicaMapName(const std::string &Map, unsigned R);

} // namespace scrcc

#endif
