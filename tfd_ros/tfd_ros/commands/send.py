"""``tfd send TEXT``: send one instruction to tfd_node over the ``instruct`` action."""

import json
import sys

EXIT_ACCEPTED, EXIT_ERROR, EXIT_REJECTED = 0, 1, 2


def add_arguments(parser):
    """Add the arguments of ``tfd send``."""
    parser.add_argument('text', help='the instruction, in free text')
    parser.add_argument('--operator', default='operator', help='operator id (ledger account)')
    parser.add_argument('--namespace', default='', help="namespace of the robot's tfd_node")
    parser.add_argument('--timeout', type=float, default=10.0, help='seconds to wait (default 10)')
    parser.add_argument('--json', action='store_true', help='print the outcome as JSON')


def run(args) -> int:
    """Send, print the outcome; exit 0 accepted, 2 rejected, 1 error or timeout."""
    from tfd_ros.operator_client import ClientError, OperatorClient, format_outcome, outcome_dict
    try:
        with OperatorClient(args.namespace) as client:
            reply = client.send(args.text, args.operator, args.timeout)
    except ClientError as exc:
        print(f'error: {exc}', file=sys.stderr)
        return EXIT_ERROR
    if args.json:
        print(json.dumps(outcome_dict(reply.outcome), allow_nan=False))
    else:
        print(format_outcome(reply.outcome, args.text))
    return EXIT_ACCEPTED if reply.accepted else EXIT_REJECTED
