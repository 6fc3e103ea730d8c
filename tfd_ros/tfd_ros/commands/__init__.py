"""Subcommands of the ``tfd`` command line, one module each."""

from typing import get_args

from tfd_ros.payload import CompilerName


def add_compiler_argument(parser) -> None:
    """Add ``--compiler`` with the backends ``TFDConfig.compiler`` accepts."""
    parser.add_argument('--compiler', default='heuristic', choices=get_args(CompilerName),
                        help='compiler backend (default: heuristic)')
