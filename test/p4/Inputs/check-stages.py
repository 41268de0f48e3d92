#!/usr/bin/env python3
"""Checks that the stage placement written in sequencer.p4 is consistent and
respects Tofino's limits: usage check-stages.py sequencer.p4 [salus-per-stage]

* every history register scr_hist_sS_wW is declared once, under a
  `// ---- stage K (model) ----` comment, and accessed once in the apply
  block under `// stage K (model)` -- the same K;
* its word W is packed (`---- stage P: pack word(s) ...`) in a stage P < K,
  and K >= 1 (stage 0 reads the write pointer);
* no stage holds more stateful ALUs than the target has (stage 0: the
  sequence, hist_seq and write-pointer registers count too);
* every table or action the apply block runs at stage K only reads values
  produced before K: `meta.scr_dI` (computed by scr_compare_sJ, J < K) and
  the `meta.scr_pred_*`/`meta.scr_val_*` read by a pack action of stage K
  were set by tables of stages < K.
Prints one OK line with the per-stage stateful ALU counts, or the first
problem and exits 1.
"""
import re
import sys


def main():
    p4 = open(sys.argv[1]).read()
    per_stage = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    egress = p4[p4.index("control ScrEgress("):]
    body, apply = egress.split("\n    apply {", 1)

    declared = {}
    stage = None
    for line in body.splitlines():
        m = re.match(r"\s+// ---- stage (\d+) \(model\) ----", line)
        if m:
            stage = int(m.group(1))
        m = re.match(r"\s+Register<[^>]*>, bit<1>>\(1, 0\) (scr_hist_s\d+_w\d+);",
                     line)
        if m:
            if m.group(1) in declared:
                sys.exit("FAIL: %s declared twice" % m.group(1))
            declared[m.group(1)] = stage

    packed = {}
    for st, words in re.findall(r"// ---- stage (\d+): pack word\(s\) ([\d ]+) of",
                                body):
        for w in words.split():
            packed[int(w)] = int(st)

    # Statements of the apply block by stage.
    run = {}
    stage = None
    for line in apply.splitlines():
        m = re.match(r"\s+// stage (\d+) \(model\)", line)
        if m:
            stage = int(m.group(1))
            continue
        for name in re.findall(r"(\w+)(?:\.apply)?\(\);", line):
            run.setdefault(name, []).append(stage)

    salus = {0: 3 if declared else 2}
    for reg, st in declared.items():
        word = int(reg.rsplit("_w", 1)[1])
        if st is None or st < 1:
            sys.exit("FAIL: %s is in stage %s" % (reg, st))
        if run.get(reg + "_access") != [st]:
            sys.exit("FAIL: %s declared in stage %d, accessed in stage(s) %s"
                     % (reg, st, run.get(reg + "_access")))
        if word not in packed or packed[word] >= st:
            sys.exit("FAIL: %s in stage %d, its word packed in stage %s"
                     % (reg, st, packed.get(word)))
        salus[st] = salus.get(st, 0) + 1
    for st, n in salus.items():
        if n > per_stage:
            sys.exit("FAIL: stage %d holds %d stateful ALUs" % (st, n))

    # Producers of computed metadata, by stage.
    made = {}
    for st, body_ in re.findall(r"action scr_compare_s(\d+)\(\) \{([^}]*)\}", body):
        for d in re.findall(r"meta\.(scr_d\d+) =", body_):
            made[d] = int(st)
    for meta in re.findall(r"table (scr_(?:pred|val)_\w+)_table", body):
        made[meta] = run.get(meta + "_table", [None])[0]
    readers = list(re.findall(r"table (\w+) \{(.*?)\n    \}", body, re.S))
    readers += re.findall(r"action (scr_pack_s\d+)\(\) \{(.*?)\n    \}", body, re.S)
    for name, text in readers:
        st = run.get(name, [None])[0]
        if st is None:
            continue
        for m in set(re.findall(r"meta\.(scr_(?:d\d+|pred_\w+|val_\w+))", text)):
            if m.startswith("scr_pred_") and m.endswith(("_true", "_false")):
                continue
            if m not in made or made[m] is None or made[m] >= st:
                sys.exit("FAIL: %s (stage %d) reads meta.%s made in stage %s"
                         % (name, st, m, made.get(m)))
    counts = " ".join(str(salus.get(s, 0)) for s in range(max(salus) + 1))
    print("OK %d history registers; stateful ALUs per stage: %s"
          % (len(declared), counts))


if __name__ == "__main__":
    main()
