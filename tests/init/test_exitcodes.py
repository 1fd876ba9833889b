# SPDX-License-Identifier: MIT
"""Command mode: every exit code 0..255 passes through klein-init."""
import subprocess
import unittest
from concurrent.futures import ThreadPoolExecutor

from kleintest import KLEIN_CMD, UNSHARE_RUN, Sandbox, needs_ns


@needs_ns
class ExitCodes(unittest.TestCase):
    def test_every_exit_code_passes_through(self):
        sb = Sandbox(self)

        def one(code):
            r = subprocess.run(UNSHARE_RUN + KLEIN_CMD + [
                                "--", "sh", "-c", "exit %d" % code],
                               env=sb.env, capture_output=True, timeout=30)
            return code, r.returncode
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(one, range(256)))
        wrong = [(c, rc) for c, rc in results if c != rc]
        self.assertEqual(wrong, [])


if __name__ == "__main__":
    unittest.main()
