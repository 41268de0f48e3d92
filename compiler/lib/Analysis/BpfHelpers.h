//===- BpfHelpers.h - What the analyses know about BPF helpers --*- C++ -*-===//
//
// Which helper a call calls (libbpf declares helpers as function pointers
// initialised with the helper's number), and what it does to the state the
// replicas keep: one table, keyed by linux/bpf.h's BPF_FUNC_* numbers, that
// the packet evaluator acts on (docs/architecture.md#adding-things).
//
//===----------------------------------------------------------------------===//
#ifndef SCRCC_ANALYSIS_BPFHELPERS_H
#define SCRCC_ANALYSIS_BPFHELPERS_H

#include "clang/AST/Expr.h"

#include <string>

namespace scrcc {

/// What a helper call does, as far as SCR is concerned.
enum class HelperEffect {
  MapLookup,    // a pointer into the map's values; on an LRU map a write
  MapUpdate,    // writes the map
  MapDelete,    // deletes from the map
  Clock,        // reads the clock: the sequencer timestamp under SCR
  Prng,         // steps the PRNG, which SCR replicates
  PerCore,      // a per-core value: refused (replicas must agree)
  TailCall,     // refused: the slice must see the whole program
  SpinLock,     // refused: not supported
  PacketWrite,  // changes the packet (not state)
  OutputRecord, // a pointer to an output record (ring buffer), not state
  Output,       // output for the current packet only: never replayed
  NoState       // acts on the packet or the device, never on state
};

struct HelperModel {
  unsigned Id;      // BPF_FUNC_* in linux/bpf.h's enum bpf_func_id
  const char *Name; // "bpf_" + the enumerator's name after BPF_FUNC_
  HelperEffect Effect;
  int MapArg; // the argument that is the map, or -1
};

/// The model of helper \p Name (as helperName() returns it), or nullptr
/// for a helper scrcc has no model of: such a call is accepted only if it
/// cannot write into map values.
const HelperModel *helperModel(const std::string &Name);

/// Name of the BPF helper called by \p C (libbpf declares helpers as static
/// function pointers), or "" if it is not a helper call.
std::string helperName(const clang::CallExpr *C);
/// True for helpers that only emit output for the current packet (perf
/// events, ring buffers, trace_printk): never state, never replayed, and
/// they only read what their pointer arguments point to.
bool isOutputHelper(const std::string &Helper);

} // namespace scrcc

#endif
