//===- InPlaceUpdate.h - Updates that may write the looked-up entry -*- C++
//-*-//
//
// `T *p = bpf_map_lookup_elem(&M, &k); ... bpf_map_update_elem(&M, &k, &v,
// BPF_ANY)` replaces k's entry by a copy of v. Where p is non-NULL, writing
// v through p leaves the map with the same keys and values, without the
// helper call (for a hash map: without taking a free element, hashing and
// walking the bucket again). This finds the updates where nothing the
// program or the control plane can see tells the two apart; the emitters
// then write `(p ? (*p = v, 0) : bpf_map_update_elem(...))`.
//
//===----------------------------------------------------------------------===//

#ifndef SCRCC_ANALYSIS_INPLACEUPDATE_H
#define SCRCC_ANALYSIS_INPLACEUPDATE_H

#include "PacketEvaluator.h"

#include <vector>

namespace scrcc {

struct InPlaceUpdate {
  const clang::CallExpr *Lookup = nullptr; // p = bpf_map_lookup_elem(&M, &k)
  const clang::CallExpr *Update = nullptr; // bpf_map_update_elem(&M, &k, &v, F)
  const clang::VarDecl *Pointer = nullptr; // p
  const clang::VarDecl *Value = nullptr;   // v
  const MapInfo *Map = nullptr;            // M
};

/// Every update of the program that may be a write through the pointer a
/// lookup of the same key returned. Sound when, all checked here:
/// * M is a BPF_MAP_TYPE_HASH or _ARRAY whose every helper call is a
///   lookup, update or delete (no iteration sees an element's position);
/// * p is a local initialised by the lookup, only dereferenced or tested
///   (never assigned, copied or address-taken), and not used after the
///   update (for a hash map it would still see the replaced element);
/// * k is a local whose address only lookups, updates and deletes see (they
///   only read it), and nothing between
///   the lookup and the update assigns it, deletes or updates M (also not
///   in a called function) or passes a callback;
/// * the update follows the lookup in the same block, outside any loop or
///   goto of that block, so it runs once after it;
/// * the flags are BPF_ANY or BPF_EXIST (both succeed on an existing key);
/// * v has the map's value type, an integer of at most 8 bytes: written
///   with one store, a control-plane read cannot see half of it.
std::vector<InPlaceUpdate> findInPlaceUpdates(Program &P, const EvalResult &R);

} // namespace scrcc

#endif
