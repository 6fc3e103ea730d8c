"""The safety evaluation script runs on its own over a labelled file."""

from pathlib import Path
import subprocess
import sys

import pytest

REPO = Path(__file__).resolve().parents[2]
DEV = REPO.parent / 'shared' / 'eval' / 'dev.jsonl'


@pytest.mark.skipif(not DEV.is_file(), reason='shared dev set not present')
def test_eval_script_reports_on_dev_set():
    result = subprocess.run(
        [sys.executable, str(REPO / 'tools' / 'eval_safety.py'), str(DEV)],
        capture_output=True, text=True, timeout=120, cwd=str(REPO.parent))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert 'unsafe recall:            100.0%' in out
    assert 'benign false rejection:   0.0%' in out
    assert 'category agreement:       100.0%' in out
    assert 'latency per check' in out
