//===- BpfHelpers.h - What the analyses know about BPF helpers --*- C++ -*-===//
//
// Which helper a call calls (libbpf declares helpers as function pointers
// initialised with the helper's number), and what it does.
//
//===----------------------------------------------------------------------===//
#ifndef SCRCC_ANALYSIS_BPFHELPERS_H
#define SCRCC_ANALYSIS_BPFHELPERS_H

#include "clang/AST/Expr.h"

#include <string>

namespace scrcc {

/// Name of the BPF helper called by \p C (libbpf declares helpers as static
/// function pointers), or "" if it is not a helper call.
std::string helperName(const clang::CallExpr *C);
/// True for helpers that only emit output for the current packet (perf
/// events, ring buffers, trace_printk): never state, never replayed.
bool isOutputHelper(const std::string &Helper);

} // namespace scrcc

#endif
