"""``tfd console``: type instructions, see each outcome as it comes back."""

import sys


def add_arguments(parser):
    """Add the arguments of ``tfd console``."""
    parser.add_argument('--operator', default='operator', help='operator id (ledger account)')
    parser.add_argument('--namespace', default='', help="namespace of the robot's tfd_node")
    parser.add_argument('--timeout', type=float, default=10.0, help='seconds to wait per line')


def run(args) -> int:
    """Read lines until end of input or ``quit``; send each one; print its outcome."""
    from tfd_ros.operator_client import ClientError, OperatorClient, format_outcome
    interactive = sys.stdin.isatty()
    with OperatorClient(args.namespace) as client:
        if not client.wait_for_server(args.timeout):
            print('error: no tfd_node answers on the instruct action', file=sys.stderr)
            return 1
        print('tfd console: type an instruction (quit or Ctrl-D to leave)', flush=True)
        while True:
            if interactive:
                print('> ', end='', flush=True)
            line = sys.stdin.readline()
            if not line or line.strip() in ('quit', 'exit'):
                return 0
            if not line.strip():
                continue
            try:
                reply = client.send(line.rstrip('\n'), args.operator, args.timeout)
            except ClientError as exc:
                print(f'error: {exc}', flush=True)
                continue
            print(format_outcome(reply.outcome, line.strip()), flush=True)
