#!/usr/bin/env python3
"""One line from scr-replay --json: divergences, the original's verdicts
and the entries of one written map. Usage: replay-summary.py JSON LABEL MAP"""
import json
import sys

d = json.load(open(sys.argv[1]))
o = d["original"]
verdicts = " ".join(f"{v}={n}" for v, n in sorted(o["verdicts"].items()))
print(sys.argv[2], d["divergences"], "divergences", verdicts, sys.argv[3],
      o["entries"][sys.argv[3]])
