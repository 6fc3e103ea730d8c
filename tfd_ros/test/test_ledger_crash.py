"""The ledger across processes: a writer killed mid-burst, and two writers at once."""

import json
import os
from pathlib import Path
import signal
import subprocess
import sys
import time

import pytest

from tfd_ros.econ.ledger import Ledger

pytestmark = pytest.mark.slow

OPERATOR = 'crash-op'
TOP_UP = 1_000_000.0

# A writer process: decides proposals prefix-START..STOP (range with STEP) through the packaged
# pricing and prints every decision as one JSON line once ``handle`` has returned (committed).
WRITER = """
import json
import sys

from tfd_ros.econ.service import EconService
from tfd_ros.proposal import TaskProposalData

INTENTS = ['pick_place', 'navigation', 'clean_area', 'inspection', 'stop', 'explore']
SPEEDS = ['slow', 'normal', 'fast']
db, operator, prefix, start, stop, step = sys.argv[1:7]
service = EconService.from_files(db_path=db)
print(json.dumps({'ready': True}), flush=True)
for i in range(int(start), int(stop), int(step)):
    proposal = TaskProposalData(
        proposal_id=f'{prefix}-{i:05d}', operator_id=operator, raw_text=f'task {i}',
        intent=INTENTS[i % len(INTENTS)], speed=SPEEDS[i % len(SPEEDS)],
        precision_mode=i % 4 == 0, max_energy_cost=500.0)
    print(json.dumps(service.handle(proposal).model_dump()), flush=True)
service.close()
"""


@pytest.fixture
def writer(tmp_path):
    script = tmp_path / 'writer.py'
    script.write_text(WRITER, encoding='utf-8')
    db = tmp_path / 'ledger.sqlite3'
    with Ledger(db) as book:
        opening = book.top_up(OPERATOR, TOP_UP)
    assert opening == book.default_balance + TOP_UP
    env = dict(os.environ, ROS_HOME=str(tmp_path / 'roshome'))

    def start(prefix, first, stop, step=1) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, str(script), str(db), OPERATOR, prefix, str(first), str(stop),
             str(step)],
            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    start.db = db
    start.opening = opening
    return start


def decisions(lines) -> dict:
    out = {}
    for line in lines:
        record = json.loads(line)
        if 'ready' not in record:
            out[record['proposal_id']] = record
    return out


def check_books(db: Path, ids: set[str], opening: float) -> Ledger:
    """No lost and no doubled entry: one record per id, charges add up to the balance drop."""
    book = Ledger(db)
    history = book.history(OPERATOR, limit=1_000_000)
    recorded = [e.proposal_id for e in history]
    assert len(recorded) == len(set(recorded)) == len(ids)
    assert set(recorded) == ids
    drop = opening - book.balance(OPERATOR)
    assert sum(e.charged for e in history) == pytest.approx(drop, abs=1e-6)
    assert all(e.charged == (e.price if e.approved and e.intent != 'stop' else 0.0)
               for e in history)
    return book


def kill_mid_burst(writer, burst: int, lines: int) -> dict:
    """Start a writer over the whole burst, SIGKILL it after ``lines`` decisions; its output."""
    proc = writer('burst', 0, burst)
    assert json.loads(proc.stdout.readline()) == {'ready': True}
    seen = []
    deadline = time.monotonic() + 30
    while len(seen) < lines and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    seen += proc.stdout.read().splitlines()
    proc.stdout.close()
    proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    return decisions(seen)


def test_a_writer_killed_mid_burst_loses_and_doubles_nothing(writer):
    burst = 20_000
    printed = {}
    # Three crashes: each restarted writer replays the burst from its first proposal.
    for lines in (200, 500, 900):
        out = kill_mid_burst(writer, burst, lines)
        assert lines <= len(out) < burst, 'the kill must land in the middle of the burst'
        for pid, decision in out.items():
            assert printed.setdefault(pid, decision) == decision, f'{pid} decided twice'

    # After the crashes every decision a writer reported is recorded, exactly as reported.
    with Ledger(writer.db) as book:
        for pid, decision in printed.items():
            assert book.recorded(pid).to_decision().model_dump() == decision
        done_before = book.count(OPERATOR)
        balance_before = book.balance(OPERATOR)
    assert len(printed) <= done_before <= len(printed) + 3  # at most one in flight per kill

    # A restarted writer replays every proposal of the burst done so far, and 300 new ones.
    replay_stop = done_before + 300
    final = writer('burst', 0, replay_stop)
    out, err = final.communicate(timeout=120)
    assert final.returncode == 0, err
    after = decisions(out.splitlines())
    assert len(after) == replay_stop
    for pid, decision in printed.items():
        assert after[pid] == decision, 'a replay must return the recorded decision'

    book = check_books(writer.db, set(after), writer.opening)
    try:
        # The replayed part of the burst cost nothing; only the new proposals were charged.
        new = [e for e in book.history(OPERATOR, limit=1_000_000)
               if int(e.proposal_id.split('-')[1]) >= done_before]
        assert len(new) == replay_stop - done_before
        assert balance_before - book.balance(OPERATOR) == pytest.approx(
            sum(e.charged for e in new), abs=1e-6)
    finally:
        book.close()


def test_two_writer_processes_decide_each_proposal_once(writer):
    count = 400
    forward = writer('both', 0, count)
    backward = writer('both', count - 1, -1, -1)
    out_f, err_f = forward.communicate(timeout=120)
    out_b, err_b = backward.communicate(timeout=120)
    assert forward.returncode == 0, err_f
    assert backward.returncode == 0, err_b
    seen_f = decisions(out_f.splitlines())
    seen_b = decisions(out_b.splitlines())
    ids = {f'both-{i:05d}' for i in range(count)}
    assert set(seen_f) == set(seen_b) == ids
    # Both processes got the same answer for every id: one decided, the other replayed it.
    assert all(seen_f[pid] == seen_b[pid] for pid in ids)
    check_books(writer.db, ids, writer.opening).close()
