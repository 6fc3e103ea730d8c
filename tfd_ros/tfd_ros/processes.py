"""Start helper processes (nodes, baselines), wait until they are ready, always stop them."""

from contextlib import contextmanager
import os
import signal
import subprocess
import tempfile
import threading
import time


@contextmanager
def processes(*commands, ready: str = 'ready:', timeout_s: float = 30.0):
    """Start each command, wait for ``ready`` in its output, interrupt all on exit.

    Output is read until the end so that a chatty process never blocks on a full pipe; the
    lines after the ready line are kept in ``proc.lines``.
    The working directory is neutral: a checkout's root would shadow the installed package.
    """
    procs = []
    env = {**os.environ, 'RCUTILS_LOGGING_BUFFERED_STREAM': '0'}
    try:
        for command in commands:
            proc = subprocess.Popen([str(c) for c in command], stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, text=True, env=env,
                                    cwd=tempfile.gettempdir())
            procs.append(proc)
            deadline = time.monotonic() + timeout_s
            for line in proc.stdout:
                if ready in line or time.monotonic() > deadline:
                    break
            proc.lines = []  # everything after the ready line, for callers that need it
            threading.Thread(target=_collect, args=(proc,), daemon=True).start()
        yield procs
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
        for proc in procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _collect(proc) -> None:
    for line in proc.stdout:
        proc.lines.append(line)
