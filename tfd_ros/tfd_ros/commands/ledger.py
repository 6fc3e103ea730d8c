"""``tfd ledger``: balances and history of the operator ledger, or top up an account."""

import argparse
import json
from pathlib import Path
import sys

from tfd_ros.config import ConfigError
from tfd_ros.econ.ledger import default_ledger_path
from tfd_ros.econ.pricing import PricingModel
from tfd_ros.econ.service import open_ledger


def _common(parser: argparse.ArgumentParser, suppress: bool) -> None:
    """Add --db/--econ/--json; on sub-actions they must not reset what the parent parsed."""
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument('--db', default=default, metavar='PATH',
                        help=f'ledger file (default: {default_ledger_path()})')
    parser.add_argument('--econ', default=default, metavar='FILE',
                        help='pricing file with the opening balances (default: packaged '
                             'econ.yaml)')
    parser.add_argument('--json', action='store_true',
                        default=argparse.SUPPRESS if suppress else False,
                        help='print JSON instead of a table')


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Define ``balances``, ``history`` and ``top-up``."""
    _common(parser, suppress=False)
    actions = parser.add_subparsers(dest='action', metavar='ACTION')
    balances = actions.add_parser('balances', help='balance of every account (default)')
    _common(balances, suppress=True)
    history = actions.add_parser('history', help='recorded decisions, newest first')
    _common(history, suppress=True)
    history.add_argument('--operator', default=None, metavar='ID',
                         help='only the decisions of this operator')
    history.add_argument('--limit', type=int, default=50, metavar='N',
                         help='at most N decisions (default: 50)')
    top_up = actions.add_parser('top-up', help='credit an operator account')
    _common(top_up, suppress=True)
    top_up.add_argument('operator', metavar='OPERATOR')
    top_up.add_argument('amount', type=float, metavar='AMOUNT', help='credits, > 0')


def run(args: argparse.Namespace) -> int:
    """Run the chosen action; exit code 1 when there is no ledger, 2 on a bad argument."""
    action = args.action or 'balances'
    db = Path(args.db) if args.db else default_ledger_path()
    if action != 'top-up' and not db.exists():
        print(f'tfd ledger: no ledger at {db} (the economic controller creates it)',
              file=sys.stderr)
        return 1
    try:
        pricing = PricingModel.from_file(args.econ)
        ledger = open_ledger(pricing, db)
    except (ConfigError, OSError) as exc:
        print(f'tfd ledger: {exc}', file=sys.stderr)
        return 2
    try:
        if action == 'balances':
            return _balances(ledger, args.json)
        if action == 'history':
            if args.limit < 0:
                print('tfd ledger: --limit must be >= 0', file=sys.stderr)
                return 2
            return _history(ledger, args.operator, args.limit, args.json)
        return _top_up(ledger, args.operator, args.amount, args.json)
    finally:
        ledger.close()


def _balances(ledger, as_json: bool) -> int:
    balances = ledger.balances()
    if as_json:
        print(json.dumps({'db': str(ledger.path), 'balances': balances}, indent=2))
        return 0
    print(f'ledger: {ledger.path}')
    if not balances:
        print('no accounts')
    width = max([len('operator')] + [len(op) for op in balances])
    for operator, balance in balances.items():
        print(f'{operator:<{width}}  {balance:>12.2f}')
    return 0


def _history(ledger, operator, limit: int, as_json: bool) -> int:
    entries = ledger.history(operator=operator, limit=limit)
    if as_json:
        print(json.dumps([e.model_dump(mode='json') for e in entries], indent=2))
        return 0
    if not entries:
        print('no decisions')
    for e in entries:
        verdict = 'APPROVED' if e.approved else 'REJECTED'
        print(f'{e.created_at}  {e.proposal_id}  {e.operator_id}  {e.intent or "-"}  {verdict}'
              f'  price {e.price:.2f}  charged {e.charged:.2f}  balance {e.balance_after:.2f}'
              f'\n    {e.reason}')
    return 0


def _top_up(ledger, operator: str, amount: float, as_json: bool) -> int:
    try:
        balance = ledger.top_up(operator, amount)
    except ValueError as exc:
        print(f'tfd ledger: {exc}', file=sys.stderr)
        return 2
    if as_json:
        print(json.dumps({'operator_id': operator, 'amount': round(amount, 2),
                          'balance': balance}))
    else:
        print(f'{operator}: +{amount:.2f} -> balance {balance:.2f}')
    return 0
