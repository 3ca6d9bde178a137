#!/usr/bin/env python3
"""pty_run.py OUT CMD... - runs CMD with standard error on a pseudo-terminal
(standard input and output as given) and writes what it wrote to the
terminal to OUT; exits with CMD's status. For the progress-line checks."""
import os, pty, sys

out, cmd = sys.argv[1], sys.argv[2:]
master, slave = pty.openpty()
pid = os.fork()
if pid == 0:
    os.close(master)
    os.dup2(slave, 2)
    os.close(slave)
    os.execvp(cmd[0], cmd)
os.close(slave)
data = b""
while True:
    try:
        chunk = os.read(master, 65536)
    except OSError:  # EIO: the child closed the terminal
        break
    if not chunk:
        break
    data += chunk
_, status = os.waitpid(pid, 0)
with open(out, "wb") as f:
    f.write(data)
sys.exit(os.waitstatus_to_exitcode(status))
