//===- ReplicaState.cpp - Private replicas in one loaded program ----------===//

#include "ReplicaState.h"

namespace scrcc {

std::string replicaMapName(const std::string &Map, unsigned R) {
  return Map + "__r" + std::to_string(R);
}

namespace {

struct Wrapper {
  const char *Name;
  const char *Signature; // after the map parameter
  const char *Call;      // the helper call on `map`
  const char *Ret;
  const char *Missing; // returned when there is no replica map
};

// The helpers' libbpf signatures, rerouted to the running replica's map.
const Wrapper Wrappers[] = {
    {"scr_map_lookup_elem", "const void *key", "bpf_map_lookup_elem(map, key)",
     "void *", "NULL"},
    {"scr_map_update_elem", "const void *key, const void *value, __u64 flags",
     "bpf_map_update_elem(map, key, value, flags)", "long", "-2 /* ENOENT */"},
    {"scr_map_delete_elem", "const void *key", "bpf_map_delete_elem(map, key)",
     "long", "-2 /* ENOENT */"},
    {"scr_map_push_elem", "const void *value, __u64 flags",
     "bpf_map_push_elem(map, value, flags)", "long", "-2 /* ENOENT */"},
    {"scr_map_pop_elem", "void *value", "bpf_map_pop_elem(map, value)", "long",
     "-2 /* ENOENT */"},
    {"scr_map_peek_elem", "void *value", "bpf_map_peek_elem(map, value)",
     "long", "-2 /* ENOENT */"},
};

/// \p Text as a C block comment wrapped at 76 columns.
std::string blockComment(const std::string &Text) {
  std::string O = "/*", Line;
  size_t Pos = 0;
  while (Pos < Text.size()) {
    size_t Sp = Text.find(' ', Pos);
    std::string Word =
        Text.substr(Pos, Sp == std::string::npos ? Sp : Sp - Pos);
    Pos = Sp == std::string::npos ? Text.size() : Sp + 1;
    if (!Line.empty() && Line.size() + 1 + Word.size() > 73) {
      O += Line + "\n *";
      Line.clear();
    }
    Line += " " + Word;
  }
  return O + Line + " */\n";
}

} // namespace

std::string replicaRuntimeC(const std::set<std::string> &Used) {
  std::string O;
  O += "/* Bookkeeping of each replica (scr-replica state shows it). */\n"
       "struct scr_replica {\n"
       "\t__u32 applied;      /* relevant packets applied to this replica */\n"
       "\t__u32 reserved;\n"
       "\t__u64 prng;         /* PRNG state XOR SCR_PRNG_SEED (0 = fresh) */\n"
       "\t__u64 short_frames; /* frames too short for the SCR prefix */\n"
       "\t__u64 gaps;         /* history entries missed (lost) */\n"
       "\t__u64 replayed;     /* history entries applied */\n"
       "\t/* The frame check (docs/packet-format.md): the last frame the\n"
       "\t * replica accepted, and the run of rejected frames that agree\n"
       "\t * with each other (a stream to resynchronise on). */\n"
       "\t__u32 seq;          /* last accepted frame: seq, */\n"
       "\t__u32 hist_seq;     /* hist_seq, */\n"
       "\t__u64 ts;           /* timestamp, */\n"
       "\t__u16 oldest;       /* oldest, */\n"
       "\t__u8 relevant;      /* RELEVANT */\n"
       "\t__u8 started;       /* 1 once a frame was accepted */\n"
       "\t__u32 bad_run;      /* rejected frames in a row that agree */\n"
       "\t__u32 cand_seq;     /* the last of them: seq, */\n"
       "\t__u32 cand_next;    /* hist_seq + RELEVANT, */\n"
       "\t__u64 cand_ts;      /* timestamp */\n"
       "\t/* Frames dropped, never applied, by reason. */\n"
       "\t__u64 not_scr;      /* tor mode: outer EtherType not 0x88B5 */\n"
       "\t__u64 duplicates;   /* seq not after the last accepted one */\n"
       "\t__u64 bad_seq;      /* seq more than SCR_SEQ_WINDOW ahead */\n"
       "\t__u64 bad_hist_seq; /* hist_seq behind, or beyond seq */\n"
       "\t__u64 bad_oldest;   /* oldest out of range, not the ring's */\n"
       "\t__u64 bad_ts;       /* timestamp 0, too wide, going back */\n"
       "\t__u64 bad_flags;    /* unknown flag, or RELEVANT wrong */\n"
       "\t__u64 resyncs;      /* times it followed a new stream */\n"
       "};\n\n"
       "/* Entry r is replica r's: a replica is the RX queue its frames "
       "arrive on. */\n"
       "struct {\n"
       "\t__uint(type, BPF_MAP_TYPE_ARRAY);\n"
       "\t__uint(max_entries, SCR_REPLICAS);\n"
       "\t__type(key, __u32);\n"
       "\t__type(value, struct scr_replica);\n"
       "} scr_replica SEC(\".maps\");\n\n"
       "/* The frame running on this CPU: its replica and its sequencer\n"
       " * timestamp. An XDP program runs to completion on its CPU, so this\n"
       " * slot belongs to that frame until it returns. */\n"
       "struct scr_current {\n"
       "\t__u32 replica;\n"
       "\t__u32 reserved;\n"
       "\t__u64 now;\n"
       "};\n\n"
       "struct {\n"
       "\t__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);\n"
       "\t__uint(max_entries, 1);\n"
       "\t__type(key, __u32);\n"
       "\t__type(value, struct scr_current);\n"
       "} scr_current SEC(\".maps\");\n\n"
       "/* Frames from an RX queue >= SCR_REPLICAS: no replica owns them, so\n"
       " * they are dropped and counted here (sum over CPUs). */\n"
       "struct {\n"
       "\t__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);\n"
       "\t__uint(max_entries, 1);\n"
       "\t__type(key, __u32);\n"
       "\t__type(value, __u64);\n"
       "} scr_unowned SEC(\".maps\");\n\n"
       "static __always_inline struct scr_current *scr_current_get(void)\n"
       "{\n\t__u32 zero = 0;\n\n"
       "\treturn bpf_map_lookup_elem(&scr_current, &zero);\n}\n\n"
       "static __always_inline struct scr_replica *scr_this_replica(void)\n"
       "{\n\tstruct scr_current *cur = scr_current_get();\n\n"
       "\treturn cur ? bpf_map_lookup_elem(&scr_replica, &cur->replica) : "
       "NULL;\n}\n\n"
       "/* Makes the frame's RX queue the running replica; NULL (the frame is\n"
       " * counted in scr_unowned) if no replica owns that queue. */\n"
       "static __always_inline struct scr_replica *scr_enter(struct xdp_md "
       "*ctx)\n"
       "{\n\tstruct scr_current *cur = scr_current_get();\n"
       "\t__u32 replica = ctx->rx_queue_index;\n"
       "\t__u32 zero = 0;\n"
       "\t__u64 *unowned;\n\n"
       "\tif (!cur)\n\t\treturn NULL;\n"
       "\tif (replica >= SCR_REPLICAS) {\n"
       "\t\tunowned = bpf_map_lookup_elem(&scr_unowned, &zero);\n"
       "\t\tif (unowned)\n\t\t\t(*unowned)++;\n"
       "\t\treturn NULL;\n\t}\n"
       "\tcur->replica = replica;\n"
       "\treturn bpf_map_lookup_elem(&scr_replica, &replica);\n}\n\n"
       "/* The sequencer's timestamp of the frame running on this CPU. */\n"
       "static __always_inline void scr_set_now(__u64 ns)\n"
       "{\n\tstruct scr_current *cur = scr_current_get();\n\n"
       "\tif (cur)\n\t\tcur->now = ns;\n}\n\n";
  if (Used.empty())
    return O;
  O += "/* The running replica's private copy of a replicated map (an array "
       "of\n"
       " * maps indexed by replica). */\n"
       "static __always_inline void *scr_replica_map(void *replicas)\n"
       "{\n\tstruct scr_current *cur = scr_current_get();\n\n"
       "\treturn cur ? bpf_map_lookup_elem(replicas, &cur->replica) : "
       "NULL;\n}\n\n"
       "/* Map helpers on a replicated map, run on the replica's copy. */\n";
  for (const Wrapper &W : Wrappers) {
    if (!Used.count(W.Name))
      continue;
    O += std::string("static __always_inline ") + W.Ret +
         (std::string(W.Ret).back() == '*' ? "" : " ") + W.Name +
         "(void *replicas, " + W.Signature +
         ")\n{\n\tvoid *map = scr_replica_map(replicas);\n\n\treturn map ? " +
         W.Call + " : " + W.Missing + ";\n}\n\n";
  }
  return O;
}

std::string replicaFrameC(const std::vector<std::string> &Maps,
                          bool FromCurrent) {
  std::string O =
      "/* The running replica, resolved once per frame: the replay clones\n"
      " * reach its state through this instead of looking scr_current and\n"
      " * the arrays of maps up on every access. */\n"
      "struct scr_frame {\n"
      "\tstruct scr_replica *rep;\n";
  for (const std::string &M : Maps)
    O += "\tvoid *" + M + "; /* its copy of `" + M + "` */\n";
  O += "};\n\n";
  auto Resolve = [&](const std::string &Key) {
    std::string R;
    for (const std::string &M : Maps)
      R += "\tfr->" + M + " = bpf_map_lookup_elem(&" + M + ", " + Key +
           ");\n\tif (!fr->" + M + ")\n\t\treturn -1;\n";
    return R;
  };
  if (!FromCurrent)
    return O +
           "/* Replica `replica`'s frame (its entry is `rep`); -1 if one of "
           "its\n"
           " * maps is missing. */\n"
           "static __always_inline int scr_frame_enter(struct scr_frame *fr, "
           "struct scr_replica *rep, __u32 replica)\n{\n"
           "\tfr->rep = rep;\n" +
           Resolve("&replica") + "\treturn 0;\n}\n\n";
  return O +
         "/* The frame of the replica running on this CPU (scr_current). */\n"
         "static __always_inline int scr_frame_current(struct scr_frame *fr)\n"
         "{\n\tstruct scr_current *cur = scr_current_get();\n\n"
         "\tif (!cur)\n\t\treturn -1;\n"
         "\tfr->rep = bpf_map_lookup_elem(&scr_replica, &cur->replica);\n"
         "\tif (!fr->rep)\n\t\treturn -1;\n" +
         Resolve("&cur->replica") + "\treturn 0;\n}\n\n";
}

std::string replicatedMapDecl(const std::string &Name,
                              const std::string &OriginalType,
                              const std::string &Body, bool Pinned,
                              unsigned Replicas) {
  std::string Def = Name + "__scr_def";
  std::string O;
  bool Global = OriginalType.rfind("global ", 0) == 0;
  O += blockComment("SCR: `" + Name + "` (" + OriginalType +
                    ") is written by the program, so every replica owns a "
                    "private copy" +
                    (Global ? std::string(" (a one-entry array holding the "
                                          "value)")
                            : std::string(" with its own keys, capacity and "
                                          "LRU order")) +
                    ": " + replicaMapName(Name, 0) + " .. " +
                    replicaMapName(Name, Replicas - 1) + ". `" + Name +
                    "` is the array of those maps, indexed by replica; the "
                    "program reaches the running replica's copy through it.");
  O += "struct " + Def + " " + Body + ";\n\n";
  for (unsigned R = 0; R < Replicas; ++R)
    O += "struct " + Def + " " + replicaMapName(Name, R) + " SEC(\".maps\");\n";
  O += "\nstruct {\n"
       "\t__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);\n"
       "\t__uint(max_entries, SCR_REPLICAS);\n"
       "\t__type(key, __u32);\n";
  if (Pinned)
    O += "\t__uint(pinning, LIBBPF_PIN_BY_NAME);\n";
  // libbpf wants the values last: a flexible array member.
  O += "\t__array(values, struct " + Def + ");\n";
  O += "} " + Name + " SEC(\".maps\") = {\n\t.values = {\n";
  for (unsigned R = 0; R < Replicas; ++R)
    O +=
        "\t\t[" + std::to_string(R) + "] = &" + replicaMapName(Name, R) + ",\n";
  O += "\t},\n}";
  return O;
}

} // namespace scrcc
