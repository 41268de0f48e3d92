//===- ParsedProgram.h - An XDP program parsed from memory ------*- C++ -*-===//
//
// Parses a small in-memory XDP program with the flags scrcc parses its input
// with and runs the analyses on it, so that a unit test can look at what the
// packet evaluator and the slicer found.
//
//===----------------------------------------------------------------------===//
#ifndef SCRCC_UNITTESTS_PARSEDPROGRAM_H
#define SCRCC_UNITTESTS_PARSEDPROGRAM_H

#include "Analysis/PacketEvaluator.h"
#include "Analysis/Program.h"
#include "Analysis/Slicer.h"
#include "scrcc/BpfTarget.h"

#include "clang/Frontend/ASTUnit.h"
#include "clang/Tooling/Tooling.h"

#include <memory>
#include <string>

namespace scrcc::test {

struct ParsedProgram {
  std::unique_ptr<clang::ASTUnit> AST;
  std::unique_ptr<Diagnostics> Diags;
  std::unique_ptr<Program> P;
  EvalResult R;
  Slice S;

  /// Parses \p Code; false if it does not compile.
  bool parse(const std::string &Code) {
    std::vector<std::string> Args = scr::bpfTargetFlags();
    Args.insert(Args.end(), {"-O2", "-resource-dir", SCRCC_CLANG_RESOURCE_DIR});
    AST = clang::tooling::buildASTFromCodeWithArgs(Code, Args, "input.bpf.c");
    if (!AST || AST->getDiagnostics().hasErrorOccurred())
      return false;
    Diags = std::make_unique<Diagnostics>(
        AST->getDiagnostics(), AST->getSourceManager(), AST->getLangOpts(),
        Diagnostics::WarningPolicy());
    P = std::make_unique<Program>(AST->getASTContext(), *Diags);
    return true;
  }
  /// Parses \p Code and runs discovery, evaluation and the slicer, as scrcc
  /// does; false at the first step that reports an error.
  bool analyse(const std::string &Code) {
    return parse(Code) && P->discover("") && evaluateProgram(*P, R) &&
           computeSlice(*P, R, S);
  }
  const scr::Field *field(const std::string &Name) const {
    for (const scr::Field &F : S.Fields)
      if (F.Name == Name)
        return &F;
    return nullptr;
  }
};

/// The declarations every test program starts with.
inline const char *const XdpPrelude = R"(
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
)";

} // namespace scrcc::test

#endif
