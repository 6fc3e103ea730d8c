"""Expose tfd_ros console scripts in both layouts of a venv: bin/ and ament's lib/tfd_ros/."""

from pathlib import Path
import sys

EXECUTABLES = ('tfd', 'tfd_node', 'econ_controller', 'tfd_bringup')


def main(venv: str) -> int:
    """Make every executable exist in ``bin/`` and ``lib/tfd_ros/`` (symlinks)."""
    bin_dir = Path(venv) / 'bin'
    lib_dir = Path(venv) / 'lib' / 'tfd_ros'
    lib_dir.mkdir(parents=True, exist_ok=True)
    for name in EXECUTABLES:
        in_bin, in_lib = bin_dir / name, lib_dir / name
        real = in_lib if in_lib.is_file() and not in_lib.is_symlink() else in_bin
        if not real.is_file():
            print(f'missing console script {name}', file=sys.stderr)
            return 1
        link = in_bin if real == in_lib else in_lib
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(real)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1]))
