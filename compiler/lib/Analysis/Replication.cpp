//===- Replication.cpp - Can every written map be replicated? -------------===//

#include "Replication.h"

using namespace clang;

namespace scrcc {

std::string replicaHelperFor(const std::string &Helper) {
  static const char *const Rerouted[] = {
      "bpf_map_lookup_elem", "bpf_map_update_elem", "bpf_map_delete_elem",
      "bpf_map_push_elem",   "bpf_map_pop_elem",    "bpf_map_peek_elem"};
  for (const char *H : Rerouted)
    if (Helper == H)
      return "scr_map_" + Helper.substr(std::string("bpf_map_").size());
  return "";
}

bool checkReplication(Program &P, const EvalResult &R) {
  unsigned Before = P.Diags.errorCount();
  const SourceManager &SM = P.sourceManager();
  for (const auto &[D, M] : P.Maps) {
    if (!M.Written)
      continue;
    if (!replicaMapType(M.Type)) {
      P.Diags.error(D->getLocation(),
                    "map `" + M.Name + "` (" + M.TypeName +
                        ") is written by the program, but scrcc cannot give "
                        "every replica a private copy of a map of this type");
      continue;
    }
    // The emitter rewrites the definition into the replicas' (XdpEmitter).
    const RecordDecl *RD = D->getType()->getAsRecordDecl();
    SourceRange Brace = RD ? RD->getBraceRange() : SourceRange();
    if (Brace.isInvalid() || Brace.getBegin().isMacroID() ||
        Brace.getEnd().isMacroID() || !SM.isInMainFile(Brace.getBegin()) ||
        !SM.isInMainFile(SM.getExpansionLoc(D->getBeginLoc())) ||
        M.TypeLoc.isInvalid() || !SM.isInMainFile(M.TypeLoc))
      P.Diags.error(D->getLocation(),
                    "cannot replicate map `" + M.Name +
                        "`: its definition is not plain C in the input file "
                        "(it comes from a macro or a header)");
  }
  for (const auto &[C, Maps] : R.MapCalls) {
    const MapInfo *Written = nullptr, *Shared = nullptr;
    for (const MapInfo *M : Maps)
      (M->Written ? Written : Shared) = M;
    if (!Written)
      continue;
    std::string H = helperName(C);
    if (Shared) {
      P.Diags.error(C->getBeginLoc(),
                    "this call may operate on the replicated map `" +
                        Written->Name + "` or on the shared map `" +
                        Shared->Name +
                        "`: every replica has its own copy of the first "
                        "only, so the call cannot be rerouted; call the "
                        "helper on each map separately");
      continue;
    }
    SourceLocation Callee = C->getCallee()->getBeginLoc();
    if (!replicaHelperFor(H).empty() &&
        (Callee.isMacroID() || !SM.isInMainFile(Callee))) {
      P.Diags.error(C->getBeginLoc(),
                    "scrcc cannot reroute this call on a replicated map to "
                    "the running replica's copy: the helper is named inside "
                    "a macro or outside the input file");
      continue;
    }
    if (replicaHelperFor(H).empty())
      P.Diags.error(C->getBeginLoc(),
                    "'" + H + "' on the written map `" + Written->Name +
                        "` is not supported: every replica owns a private "
                        "copy of that map, and scrcc reroutes only lookups, "
                        "updates, deletes, pushes, pops and peeks to it");
  }
  return P.Diags.errorCount() == Before;
}

} // namespace scrcc
