# SPDX-License-Identifier: MIT
"""Issue 14 item 6: klein-porter is linear in the items of a list directive.

One unit with n items on one line, then 4n: CPU time (not wall clock: the
machine is shared) must grow about 4 times, not 16 (the old in-place dedup,
replace and grow-by-one loops). The bound 8 separates the two with room for
noise either way; n is large enough that fixed costs are small.
    time_bounds.py KLEIN_PORTER
"""
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import unittest

PORTER = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else "klein-porter"
N = 5000
RATIO = 8.0


def cpu_of(args):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    r = subprocess.run(args, capture_output=True, timeout=300, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


class TimeBounds(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="klein-time-bounds-")
        self.addCleanup(shutil.rmtree, self.root, True)

    def convert(self, directive, item, n):
        unit = os.path.join(self.root, "t%d.service" % n)
        with open(unit, "w", encoding="utf-8") as f:
            f.write("[Service]\nExecStart=/bin/true\nUser=nobody\n%s=%s\n"
                    % (directive, " ".join(item(i) for i in range(n))))
        r, cpu = cpu_of([PORTER, "convert", "--dry-run", "--root", self.root, unit])
        self.assertEqual(r.returncode, 0, r.stderr[-2000:])
        return cpu

    def scaling(self, directive, item):
        small = self.convert(directive, item, N)
        big = self.convert(directive, item, 4 * N)
        self.assertLess(big, RATIO * small + 0.05,
                        "%s=: n=%d %.2fs, n=%d %.2fs" % (directive, N, small, 4 * N, big))

    def test_time_bounds_runtime_directory(self):
        self.scaling("RuntimeDirectory", lambda i: "d%d" % i)

    def test_time_bounds_unset_environment(self):
        self.scaling("UnsetEnvironment", lambda i: "V%d" % i)

    def test_time_bounds_supplementary_groups(self):
        self.scaling("SupplementaryGroups", lambda i: "g%d" % i)

    def test_time_bounds_directory_symlinks(self):
        # SRC:DST items: each adds a symlink, deduplicated as systemd does.
        self.scaling("StateDirectory", lambda i: "d%d:l%d" % (i, i))

    def test_time_bounds_environment(self):
        self.scaling("Environment", lambda i: "V%d=x" % i)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0]], verbosity=2)
