"""The safety core imports no rclpy, and the evaluation script runs on its own."""

from pathlib import Path
import subprocess
import sys

import pytest

REPO = Path(__file__).resolve().parents[2]
DEV = REPO.parent / 'shared' / 'eval' / 'dev.jsonl'


def test_safety_core_imports_no_rclpy():
    code = ('import sys\n'
            'import tfd_ros.safety, tfd_ros.safety.policy, tfd_ros.safety.rules\n'
            'import tfd_ros.safety.normalize, tfd_ros.safety.frames, tfd_ros.safety.lexicon\n'
            'p = tfd_ros.safety.SafetyPolicy.from_file()\n'
            'assert not p.check("smash the window").allowed\n'
            "assert 'rclpy' not in sys.modules, 'rclpy was imported'\n"
            "print('ok')\n")
    result = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                            timeout=60, cwd=str(REPO.parent))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == 'ok'


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
