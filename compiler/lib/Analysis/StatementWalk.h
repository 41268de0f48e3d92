//===- StatementWalk.h - Every statement below one ---------------*- C++
//-*-===//

#ifndef SCRCC_ANALYSIS_STATEMENTWALK_H
#define SCRCC_ANALYSIS_STATEMENTWALK_H

#include "clang/AST/Stmt.h"

#include <vector>

namespace scrcc {

/// Appends \p S and every statement and expression below it to \p Out, in
/// source order (a parent before its children).
inline void collectStatements(const clang::Stmt *S,
                              std::vector<const clang::Stmt *> &Out) {
  if (!S)
    return;
  Out.push_back(S);
  for (const clang::Stmt *C : S->children())
    collectStatements(C, Out);
}

} // namespace scrcc

#endif
