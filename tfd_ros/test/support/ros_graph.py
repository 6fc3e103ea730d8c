"""Helpers for tests that talk to other processes over real DDS."""

import os
from pathlib import Path
import subprocess
import sys
import threading
import time


def spawn(args, ready_token='READY', timeout=30.0, env=None, interpreter=True):
    """Start ``python args...`` (or ``args...``) and wait for ``ready_token`` in its output."""
    command = [sys.executable] if interpreter else []
    proc = subprocess.Popen([*command, *[str(a) for a in args]], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env=env or os.environ.copy())
    lines = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            if proc.poll() is not None:
                break
            continue
        lines.append(line)
        if ready_token in line:
            threading.Thread(target=_drain, args=(proc, lines), daemon=True).start()
            proc.captured = lines
            return proc
    stop(proc)
    raise RuntimeError(f'{args[0]} did not become ready:\n' + ''.join(lines))


def _drain(proc, lines):
    for line in proc.stdout:
        lines.append(line)


def stop(proc, timeout=10.0):
    """Interrupt a spawned process and wait for it; kill it if it lingers."""
    if proc.poll() is None:
        proc.send_signal(2)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def spin_until(executor, predicate, timeout=10.0):
    """Spin ``executor`` until ``predicate()`` is true; return whether it became true."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        executor.spin_once(timeout_sec=0.05)
    return predicate()


SUPPORT = Path(__file__).resolve().parent
