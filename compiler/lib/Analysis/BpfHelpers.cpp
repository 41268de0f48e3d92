//===- BpfHelpers.cpp - What the analyses know about BPF helpers ----------===//

#include "BpfHelpers.h"

#include "clang/AST/ASTContext.h"

#include <linux/bpf.h>

using namespace clang;

namespace scrcc {

namespace {
// BPF_FUNC_##Fn makes every row name a helper linux/bpf.h knows.
#define SCRCC_HELPER(Fn, Effect, MapArg)                                       \
  HelperModel { BPF_FUNC_##Fn, "bpf_" #Fn, HelperEffect::Effect, MapArg }
const HelperModel Helpers[] = {
    SCRCC_HELPER(map_lookup_elem, MapLookup, 0),
    SCRCC_HELPER(map_update_elem, MapUpdate, 0),
    SCRCC_HELPER(map_push_elem, MapUpdate, 0),
    SCRCC_HELPER(map_pop_elem, MapUpdate, 0),
    SCRCC_HELPER(map_delete_elem, MapDelete, 0),
    SCRCC_HELPER(ktime_get_ns, Clock, -1),
    SCRCC_HELPER(ktime_get_boot_ns, Clock, -1),
    SCRCC_HELPER(ktime_get_coarse_ns, Clock, -1),
    SCRCC_HELPER(ktime_get_tai_ns, Clock, -1),
    SCRCC_HELPER(get_prandom_u32, Prng, -1),
    SCRCC_HELPER(get_smp_processor_id, PerCore, -1),
    SCRCC_HELPER(get_numa_node_id, PerCore, -1),
    SCRCC_HELPER(tail_call, TailCall, 1),
    SCRCC_HELPER(spin_lock, SpinLock, -1),
    SCRCC_HELPER(spin_unlock, SpinLock, -1),
    SCRCC_HELPER(xdp_adjust_head, PacketWrite, -1),
    SCRCC_HELPER(xdp_adjust_tail, PacketWrite, -1),
    SCRCC_HELPER(xdp_adjust_meta, PacketWrite, -1),
    SCRCC_HELPER(xdp_store_bytes, PacketWrite, -1),
    SCRCC_HELPER(ringbuf_reserve, OutputRecord, 0),
    SCRCC_HELPER(ringbuf_output, Output, 0),
    SCRCC_HELPER(ringbuf_submit, Output, -1),
    SCRCC_HELPER(ringbuf_discard, Output, -1),
    SCRCC_HELPER(perf_event_output, Output, 1),
    SCRCC_HELPER(trace_printk, Output, -1),
    SCRCC_HELPER(trace_vprintk, Output, -1),
    SCRCC_HELPER(redirect, NoState, -1),
    SCRCC_HELPER(redirect_map, NoState, 0),
    SCRCC_HELPER(csum_diff, NoState, -1),
    SCRCC_HELPER(fib_lookup, NoState, -1),
    SCRCC_HELPER(xdp_load_bytes, NoState, -1),
    SCRCC_HELPER(check_mtu, NoState, -1),
};
#undef SCRCC_HELPER
} // namespace

const HelperModel *helperModel(const std::string &Name) {
  for (const HelperModel &M : Helpers)
    if (Name == M.Name)
      return &M;
  return nullptr;
}

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
  const HelperModel *M = helperModel(H);
  return M && (M->Effect == HelperEffect::Output ||
               M->Effect == HelperEffect::OutputRecord);
}

} // namespace scrcc
