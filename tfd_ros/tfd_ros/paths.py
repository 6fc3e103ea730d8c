"""Find the package's own data files from an ament install, a pip install or a checkout."""

import os
from pathlib import Path
import sys

PACKAGE = 'tfd_ros'


def share_dirs():
    """Candidate share directories of tfd_ros, most specific first."""
    dirs = []
    for prefix in os.environ.get('AMENT_PREFIX_PATH', '').split(os.pathsep):
        if prefix:
            dirs.append(Path(prefix) / 'share' / PACKAGE)
    dirs.append(Path(sys.prefix) / 'share' / PACKAGE)
    # A source checkout or an editable install: tfd_ros/tfd_ros/paths.py -> tfd_ros/
    dirs.append(Path(__file__).resolve().parent.parent)
    return dirs


def config_file(name: str) -> Path:
    """Return the path of a file shipped in the package's ``config/`` folder."""
    for share in share_dirs():
        candidate = share / 'config' / name
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(
        f'{name} not found in the config/ folder of {PACKAGE} '
        f'(looked in: {", ".join(str(d) for d in share_dirs())})')


def ros_home() -> Path:
    """Return the ROS home directory (``ROS_HOME``, else ``~/.ros``)."""
    return Path(os.environ.get('ROS_HOME') or Path.home() / '.ros')
