# SPDX-License-Identifier: MIT
"""The release binary is static: no interpreter, no libraries, runs anywhere."""
import os
import shutil
import struct
import subprocess
import tempfile
import unittest

from kleintest import KLEIN, UNSHARE, needs_ns

PT_INTERP, PT_DYNAMIC = 3, 2


def program_headers(path):
    """Types of the ELF64 little-endian program headers of path."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:4] == b"\x7fELF" and data[4] == 2 and data[5] == 1, "not ELF64 LE"
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    return [struct.unpack_from("<I", data, phoff + i * phentsize)[0] for i in range(phnum)]


@unittest.skipUnless(os.environ.get("KLEIN_EXPECT_STATIC"), "only for the static build")
class Static(unittest.TestCase):
    def test_no_interpreter_no_dynamic_section(self):
        types = program_headers(KLEIN)
        self.assertNotIn(PT_INTERP, types)
        self.assertNotIn(PT_DYNAMIC, types)

    @needs_ns
    def test_runs_in_an_empty_root(self):
        root = tempfile.mkdtemp(prefix="klein-init-chroot-")
        self.addCleanup(shutil.rmtree, root, True)
        shutil.copy(KLEIN, os.path.join(root, "klein-init"))
        r = subprocess.run(["chroot", root, "/klein-init", "--version"],
                           capture_output=True, text=True,
                           env={"PATH": os.environ["PATH"]})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"^klein-init \d+\.\d+\.\d+\n$")
        # As PID 1 of an image with nothing in it: a clear error, exit 1.
        env = {"PATH": os.environ["PATH"], "KLEIN_STOP_TIMEOUT": "1"}
        r = subprocess.run(UNSHARE + ["chroot", root, "/klein-init"], capture_output=True,
                           text=True, env=env, timeout=20)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("klein-init: error: cannot execute 'runsvdir'", r.stderr)


if __name__ == "__main__":
    unittest.main()
