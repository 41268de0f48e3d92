//===- Slicer.h - The state-update slice and its history fields -*- C++ -*-===//
//
// Computes the backward slice of the program from every state write, at the
// granularity of statements ("units"): a unit is kept if it writes state, if
// it defines a local a kept unit uses (data dependence), if it encloses a kept
// unit or is an exit (return/break/continue) that may skip one (control
// dependence), or if it calls a function that has kept units. Inside kept
// units, every maximal value computed only from packet bytes is replaced by a
// history field (a condition becomes a one-bit predicate), so the packet
// pointers and bounds checks that computed it drop out of the slice. Packet
// conditions that hold on every path to a state write become the sequencer's
// relevance filter and constants in the slice.
//
//===----------------------------------------------------------------------===//
#ifndef SCRCC_ANALYSIS_SLICER_H
#define SCRCC_ANALYSIS_SLICER_H

#include "PacketEvaluator.h"
#include "scrcc/Layout.h"

#include "clang/AST/ParentMap.h"

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace scrcc {

struct Slice {
  /// Width of the sequencer clock carried in history entries.
  unsigned TimestampBits = 48;
  std::set<const clang::Stmt *> Kept;
  std::set<const clang::FunctionDecl *> Relevant;
  std::set<std::pair<const clang::FunctionDecl *, unsigned>> NeededParams;
  std::set<const clang::FunctionDecl *> ValueNeeded;
  /// Locals kept only because their initialiser is a call with state
  /// effects; the replay never reads them.
  std::set<const clang::VarDecl *> UnreadLocals;
  /// Expression -> C text that replaces it in the replay (history field,
  /// constant implied by the relevance filter, or 0 for an unused argument).
  std::map<const clang::Expr *, std::string> Replace;
  std::vector<scr::Field> Fields;
  /// Literals every relevant packet satisfies (the relevance filter).
  std::vector<Literal> Assumed;
  scr::ExprRef Relevance;
  /// Parent maps of the functions, for the emitter.
  std::map<const clang::FunctionDecl *, std::unique_ptr<clang::ParentMap>>
      Parents;
  std::map<const clang::Stmt *, const clang::FunctionDecl *> FunctionOf;
};

/// True if \p St updates state or calls a function of the slice.
bool hasEffects(const clang::Stmt *St, const EvalResult &R, const Slice &S);

/// Computes the slice; returns false if errors were reported.
bool computeSlice(Program &P, EvalResult &R, Slice &S);

/// The unit (statement) that contains \p S.
const clang::Stmt *unitOf(const clang::Stmt *S, clang::ParentMap &PM);
/// True for statements the slicer treats as units.
bool isUnitParent(const clang::Stmt *Parent, const clang::Stmt *Child);

} // namespace scrcc

#endif
