//===- BpfHelpers.cpp - What the analyses know about BPF helpers ----------===//

#include "BpfHelpers.h"

#include "clang/AST/ASTContext.h"

using namespace clang;

namespace scrcc {

/// The helper \p Id names: "bpf_" + the rest of its `BPF_FUNC_` enumerator
/// in linux/bpf.h's `enum bpf_func_id`, or "" if that enum is not declared.
static std::string helperById(const ASTContext &Ctx, uint64_t Id) {
  auto &Idents = const_cast<ASTContext &>(Ctx).Idents;
  for (const NamedDecl *D : Ctx.getTranslationUnitDecl()->lookup(
           DeclarationName(&Idents.get("bpf_func_id"))))
    if (const auto *ED = dyn_cast<EnumDecl>(D))
      if (const EnumDecl *Def = ED->getDefinition())
        for (const EnumConstantDecl *EC : Def->enumerators())
          if (EC->getName().starts_with("BPF_FUNC_") &&
              EC->getInitVal().getZExtValue() == Id)
            return "bpf_" + EC->getName().drop_front(9).str();
  return "";
}

std::string helperName(const CallExpr *C) {
  // Helpers are function pointers initialised with a constant helper
  // number: `static T (*const name)(...) = (void *) 1;` in libbpf, `=
  // (void *) BPF_FUNC_map_lookup_elem;` in old samples/bpf-style headers
  // (sometimes under another name, like BCC's `bpf_trace_printk_`). The
  // number says which helper it is; the name is used only when
  // linux/bpf.h's enum is not there to translate it. Any other function
  // pointer is an indirect call.
  const Expr *Callee = C->getCallee()->IgnoreParenImpCasts();
  if (const auto *DR = dyn_cast<DeclRefExpr>(Callee))
    if (const auto *V = dyn_cast<VarDecl>(DR->getDecl()))
      if (V->getType()->isPointerType() &&
          V->getType()->getPointeeType()->isFunctionType() &&
          V->getStorageClass() == SC_Static && V->hasInit()) {
        const Expr *Init = V->getInit()->IgnoreParenCasts();
        Expr::EvalResult ER;
        if (Init->getType()->isIntegerType() && !Init->isValueDependent() &&
            Init->EvaluateAsInt(ER, V->getASTContext())) {
          std::string ById =
              helperById(V->getASTContext(), ER.Val.getInt().getZExtValue());
          return ById.empty() ? V->getName().str() : ById;
        }
      }
  return "";
}

bool isOutputHelper(const std::string &H) {
  return H == "bpf_perf_event_output" || H == "bpf_ringbuf_output" ||
         H == "bpf_ringbuf_reserve" || H == "bpf_ringbuf_submit" ||
         H == "bpf_ringbuf_discard" || H == "bpf_trace_printk" ||
         H == "bpf_trace_vprintk";
}

} // namespace scrcc
