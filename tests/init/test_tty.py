# SPDX-License-Identifier: MIT
"""TTY: an interactive shell under klein-init has job control (docker run -it)."""
import os
import pty
import select
import time
import unittest

from kleintest import KLEIN_CMD, UNSHARE_RUN, Sandbox, needs_ns


class Pty:
    def __init__(self, argv, env):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execvpe(argv[0], argv, env)
        self.buf = b""

    def read_until(self, needle, timeout=10):
        end = time.monotonic() + timeout
        while needle not in self.buf and time.monotonic() < end:
            r, _, _ = select.select([self.fd], [], [], 0.1)
            if r:
                try:
                    data = os.read(self.fd, 4096)
                except OSError:
                    break
                if not data:
                    break
                self.buf += data
        return needle in self.buf

    def send(self, data):
        os.write(self.fd, data)

    def wait(self, timeout=10):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self.read_until(b"\0never", 0.05)
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return os.waitstatus_to_exitcode(status)
        raise AssertionError("klein-init did not exit: %r" % self.buf[-500:])


def fg_comm(fd):
    """The command name of the terminal's foreground process group leader."""
    try:
        with open("/proc/%d/comm" % os.tcgetpgrp(fd)) as f:
            return f.read().strip()
    except OSError:
        return ""


def wait_fg(p, comm, timeout=10):
    """Waits (reading output) until comm runs in the terminal's foreground."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if fg_comm(p.fd) == comm:
            return True
        p.read_until(b"\0never", 0.05)
    return False


@needs_ns
class Tty(unittest.TestCase):
    def test_job_control_in_interactive_shell(self):
        sb = Sandbox(self)
        env = dict(sb.env, PS1="klein$ ", TERM="dumb")
        p = Pty(UNSHARE_RUN + KLEIN_CMD + ["--", "bash", "--norc", "--noprofile", "-i"], env)
        self.assertTrue(p.read_until(b"klein$ "), p.buf)
        self.assertNotIn(b"no job control", p.buf)
        # klein-init handed the terminal to the command's process group.
        self.assertEqual(fg_comm(p.fd), "bash")
        # ^C ends the foreground job only: the shell reports 130. Each key
        # is sent once the job owns the terminal, not after a guessed delay.
        p.send(b"sleep 100\n")
        self.assertTrue(wait_fg(p, "sleep"), p.buf)
        p.send(b"\x03")
        self.assertTrue(wait_fg(p, "bash"), p.buf)
        p.send(b"echo rc=$?\n")
        self.assertTrue(p.read_until(b"rc=130"), p.buf)
        # ^Z stops it; fg resumes it in the foreground, where ^C reaches it.
        p.send(b"sleep 100\n")
        self.assertTrue(wait_fg(p, "sleep"), p.buf)
        p.send(b"\x1a")
        self.assertTrue(p.read_until(b"Stopped"), p.buf)
        self.assertTrue(wait_fg(p, "bash"), p.buf)
        p.send(b"fg\n")
        self.assertTrue(wait_fg(p, "sleep"), p.buf)
        p.send(b"\x03")
        self.assertTrue(wait_fg(p, "bash"), p.buf)
        p.send(b"echo rc2=$?\n")
        self.assertTrue(p.read_until(b"rc2=130"), p.buf)
        p.send(b"exit 7\n")
        self.assertEqual(p.wait(), 7, p.buf)


if __name__ == "__main__":
    unittest.main()
