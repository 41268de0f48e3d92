#!/usr/bin/env python3
"""drop-layout-field.py LAYOUT.json FIELD: removes FIELD from the layout in
place (the other fields keep their bit offsets), as a broken compiler that
forgot a history field would."""
import json
import sys

path, name = sys.argv[1], sys.argv[2]
layout = json.load(open(path))
fields = [f for f in layout["fields"] if f["name"] != name]
if len(fields) == len(layout["fields"]):
    sys.exit("drop-layout-field.py: no field %s in %s" % (name, path))
layout["fields"] = fields
json.dump(layout, open(path, "w"), indent=2)
