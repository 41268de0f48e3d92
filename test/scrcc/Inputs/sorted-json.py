"""Prints a JSON file with its keys sorted, so that a test can pin what a
layout holds apart from the order scrcc writes it in (key-order.test pins
that)."""
import json
import sys

with open(sys.argv[1]) as f:
    print(json.dumps(json.load(f), indent=2, sort_keys=True, ensure_ascii=False))
