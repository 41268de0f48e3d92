# The test format of `lit -Dlong=only`: the tests that say `REQUIRES: long`
# run, the others (the default tier) are unsupported. A module of its own,
# so that lit can hand the format to its worker processes.
import re

import lit.formats
import lit.Test

LONG = re.compile(r"REQUIRES:.*\blong\b")


class LongOnly(lit.formats.ShTest):
    def execute(self, test, litConfig):
        with open(test.getSourcePath(), errors="replace") as f:
            if not LONG.search(f.read()):
                return lit.Test.Result(lit.Test.UNSUPPORTED, "in the default tier")
        return super().execute(test, litConfig)
