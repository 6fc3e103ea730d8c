"""The ``tfd`` command: one entry point, one module per subcommand in ``tfd_ros.commands``."""

import argparse
import importlib
import sys

# Subcommand name -> module in tfd_ros.commands defining ``add_arguments`` and ``run``.
SUBCOMMANDS = {
    'compile': 'Compile one instruction and print payload, proposal and condition vector.',
    'eval': 'Score the compiler and safety policy on a labelled JSONL file.',
    'send': 'Send one instruction to a running tfd_node (action client).',
    'console': 'Interactive operator console: type instructions, see outcomes.',
    'ledger': 'Show balances and history of the operator ledger, or top up an account.',
    'bench': 'Measure latency, throughput and memory against bare rclpy.',
    'demo': 'Bring up the nodes and send the design examples through them.',
}


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser; a subcommand module is imported only when it exists."""
    parser = argparse.ArgumentParser(
        prog='tfd', description='Text-Front-Door: operator text to validated robot directives.')
    sub = parser.add_subparsers(dest='command', metavar='COMMAND')
    for name, help_text in SUBCOMMANDS.items():
        module = _load(name)
        if module is None:
            continue
        cmd = sub.add_parser(name, help=help_text, description=help_text)
        module.add_arguments(cmd)
        cmd.set_defaults(_run=module.run)
    return parser


def _load(name: str):
    try:
        return importlib.import_module(f'tfd_ros.commands.{name}')
    except ModuleNotFoundError as exc:
        if exc.name == f'tfd_ros.commands.{name}':
            return None
        raise


def main(argv=None) -> int:
    """Run the ``tfd`` command; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, '_run', None):
        parser.print_help()
        return 0
    return int(args._run(args) or 0)


if __name__ == '__main__':
    sys.exit(main())
