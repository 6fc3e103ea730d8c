"""Test-wide set-up: every run gets its own, local-only ROS graph and a temporary ROS home."""

import os
from pathlib import Path
import random
import subprocess
import sys
import tempfile

import pytest

# Isolate this run's graph before anything initialises rclpy: child processes inherit it.
os.environ.setdefault('ROS_DOMAIN_ID', str(random.SystemRandom().randint(1, 100)))
os.environ['ROS_AUTOMATIC_DISCOVERY_RANGE'] = 'LOCALHOST'
os.environ.setdefault('RMW_IMPLEMENTATION', 'rmw_fastrtps_cpp')
os.environ['RCUTILS_LOGGING_BUFFERED_STREAM'] = '0'  # node logs reach tests line by line
os.environ.setdefault('PYTHONFAULTHANDLER', '1')  # a crashing child process says where
os.environ.setdefault('ROS_HOME', tempfile.mkdtemp(prefix='tfd-ros-home-'))

TEST_DIR = Path(__file__).resolve().parent
SUPPORT_DIR = TEST_DIR / 'support'
PACKAGE_DIR = TEST_DIR.parent
REPO_DIR = PACKAGE_DIR.parent


def have_ros() -> bool:
    """Tell whether rclpy and the generated tfd_msgs interfaces import."""
    try:
        import rclpy  # noqa: F401
        import tfd_msgs.msg  # noqa: F401
    except ImportError:
        return False
    return True


def pytest_collection_modifyitems(config, items):
    """Skip tests marked ``ros`` with a reason where rclpy or tfd_msgs are missing."""
    if have_ros():
        return
    skip = pytest.mark.skip(reason='rclpy or tfd_msgs not importable (run tools/setup.sh)')
    for item in items:
        if 'ros' in item.keywords:
            item.add_marker(skip)


def run_python(code: str, timeout: float = 60.0) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter of this venv and return the completed process."""
    return subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                          timeout=timeout, check=False)


@pytest.fixture
def python_fresh():
    """Give tests a way to run code in a fresh interpreter (for import-isolation checks)."""
    return run_python


@pytest.fixture(scope='session')
def strict():
    """Give the packaged safety policy at strict level (loaded once per run)."""
    from tfd_ros.safety import SafetyPolicy
    return SafetyPolicy.from_file()


@pytest.fixture(scope='session')
def standard():
    """Give the packaged safety policy at standard level (loaded once per run)."""
    from tfd_ros.safety import SafetyPolicy
    return SafetyPolicy.from_file(level='standard')


@pytest.fixture
def context():
    """Give an in-process rclpy test its own initialised Context, shut down after the test."""
    import rclpy
    from rclpy.context import Context
    ctx = Context()
    rclpy.init(context=ctx)
    yield ctx
    rclpy.try_shutdown(context=ctx)
