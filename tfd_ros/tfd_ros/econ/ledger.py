"""
The operator ledger: accounts and the append-only decision history in embedded SQLite.

Durability and concurrency:

- WAL journal: readers (``tfd ledger``) never block the writer and the writer never blocks
  readers; a process killed mid-transaction leaves the file consistent (the half-written
  transaction is simply absent after recovery).
- ``synchronous=FULL``: every committed decision is on disk before ``decide`` returns. With
  NORMAL a power cut could drop the last decisions although their approvals were already
  published and acted upon (work done, never charged); one fsync per decision is cheap at
  the rate operators type.
- Each decision is one ``BEGIN IMMEDIATE`` transaction: the write lock is taken before the
  replay check, so two processes deciding the same ``proposal_id`` are serialised and the
  second one finds the first one's record (idempotency across processes and restarts).
- ``busy_timeout`` makes a contending process wait for the lock instead of failing.
- One connection per ``Ledger`` guarded by a lock, so one instance may be shared by threads.
"""

from datetime import datetime, timezone
import json
import math
from pathlib import Path
import sqlite3
import threading
from typing import Iterable, Mapping, Optional, Union

from pydantic import Field

from tfd_ros.config import TFDConfig
from tfd_ros.econ.pricing import Quote
from tfd_ros.paths import ros_home
from tfd_ros.payload import StrictModel
from tfd_ros.proposal import EconDecisionData, TaskProposalData

DEFAULT_BALANCE = 2000.0
# Bid of a proposal that states none (max_energy_cost null without energy_unlimited).
DEFAULT_BID = TFDConfig.model_fields['default_max_energy_cost'].default
BUSY_TIMEOUT_S = 30.0
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    operator_id TEXT PRIMARY KEY,
    balance REAL NOT NULL CHECK (balance >= 0),
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS decisions (
    proposal_id TEXT PRIMARY KEY,
    operator_id TEXT NOT NULL,
    intent TEXT NOT NULL,
    approved INTEGER NOT NULL CHECK (approved IN (0, 1)),
    price REAL NOT NULL CHECK (price >= 0),
    charged REAL NOT NULL CHECK (charged >= 0),
    energy_wh REAL NOT NULL,
    parts TEXT NOT NULL,
    balance_after REAL NOT NULL CHECK (balance_after >= 0),
    reason TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS decisions_by_operator ON decisions (operator_id);
CREATE TABLE IF NOT EXISTS top_ups (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    operator_id TEXT NOT NULL,
    amount REAL NOT NULL CHECK (amount > 0),
    balance_after REAL NOT NULL CHECK (balance_after >= 0),
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS withdrawals (
    proposal_id TEXT PRIMARY KEY,
    operator_id TEXT NOT NULL,
    refunded REAL NOT NULL CHECK (refunded >= 0),
    reason TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS withdrawals_no_update BEFORE UPDATE ON withdrawals
BEGIN SELECT RAISE(ABORT, 'withdrawals are append-only'); END;
CREATE TRIGGER IF NOT EXISTS withdrawals_no_delete BEFORE DELETE ON withdrawals
BEGIN SELECT RAISE(ABORT, 'withdrawals are append-only'); END;
CREATE TRIGGER IF NOT EXISTS decisions_no_update BEFORE UPDATE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
CREATE TRIGGER IF NOT EXISTS decisions_no_delete BEFORE DELETE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
CREATE TRIGGER IF NOT EXISTS top_ups_no_update BEFORE UPDATE ON top_ups
BEGIN SELECT RAISE(ABORT, 'top_ups are append-only'); END;
CREATE TRIGGER IF NOT EXISTS top_ups_no_delete BEFORE DELETE ON top_ups
BEGIN SELECT RAISE(ABORT, 'top_ups are append-only'); END;
"""


class LedgerEntry(StrictModel):
    """One recorded decision, as ``history`` returns it."""

    proposal_id: str
    operator_id: str
    intent: str
    approved: bool
    price: float
    charged: float
    energy_wh: float
    parts: dict[str, float] = Field(default_factory=dict)
    balance_after: float
    reason: str
    created_at: str

    def to_decision(self) -> EconDecisionData:
        """Return the ``EconDecision`` this entry recorded."""
        return EconDecisionData(
            proposal_id=self.proposal_id, approved=self.approved, price=self.price,
            energy_wh=self.energy_wh, wear_cost=self.parts.get('wear_cost', 0.0),
            risk_cost=self.parts.get('risk_cost', 0.0), account_balance=self.balance_after,
            reason=self.reason)


def default_ledger_path() -> Path:
    """Return ``$ROS_HOME/tfd/ledger.sqlite3`` (``~/.ros/tfd/ledger.sqlite3``)."""
    return ros_home() / 'tfd' / 'ledger.sqlite3'


def _money(value: float) -> float:
    """Round to 0.01 credit; ledger amounts are always stored rounded."""
    return round(float(value), 2)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec='microseconds')


class Ledger:
    """Operator accounts and decisions in one SQLite file, safe across threads and processes."""

    def __init__(self, path: Optional[Union[str, Path]] = None,
                 default_balance: float = DEFAULT_BALANCE,
                 seed_accounts: Optional[Mapping[str, float]] = None,
                 unpriced_intents: Iterable[str] = ('stop',),
                 busy_timeout_s: float = BUSY_TIMEOUT_S,
                 default_bid: float = DEFAULT_BID):
        if not (math.isfinite(default_balance) and default_balance >= 0.0):
            raise ValueError(f'default_balance must be finite and >= 0, got {default_balance}')
        self.path = Path(path) if path else default_ledger_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.default_balance = _money(default_balance)
        self.unpriced_intents = frozenset(unpriced_intents) | {'stop'}
        self.default_bid = float(default_bid)
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(str(self.path), timeout=busy_timeout_s,
                                     isolation_level=None, check_same_thread=False)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute(f'PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}')
        mode = self._conn.execute('PRAGMA journal_mode = WAL').fetchone()[0]
        if mode.lower() != 'wal':
            raise sqlite3.OperationalError(f'{self.path}: cannot enable WAL (got {mode})')
        self._conn.execute('PRAGMA synchronous = FULL')
        with self._transaction() as cur:
            for statement in _SCHEMA.split(';\n'):
                if statement.strip():
                    cur.execute(statement)
            cur.execute(f'PRAGMA user_version = {SCHEMA_VERSION}')
            for operator, balance in (seed_accounts or {}).items():
                self._open_account(cur, operator, _money(balance))

    # -- transactions -------------------------------------------------------------------

    def _transaction(self):
        return _Transaction(self._conn, self._lock)

    def _live(self) -> sqlite3.Connection:
        if self._conn is None:
            raise sqlite3.ProgrammingError('the ledger is closed')
        return self._conn

    def _open_account(self, cur, operator: str, balance: float) -> None:
        if not (math.isfinite(balance) and balance >= 0.0):
            raise ValueError(f'opening balance of {operator!r} must be >= 0, got {balance}')
        cur.execute('INSERT OR IGNORE INTO accounts (operator_id, balance, created_at) '
                    'VALUES (?, ?, ?)', (operator, balance, _now()))

    def _balance(self, cur, operator: str) -> Optional[float]:
        row = cur.execute('SELECT balance FROM accounts WHERE operator_id = ?',
                          (operator,)).fetchone()
        return None if row is None else float(row[0])

    # -- public API ---------------------------------------------------------------------

    def decide(self, proposal: TaskProposalData, quote: Quote) -> EconDecisionData:
        """
        Approve and charge, or reject, ``proposal`` at ``quote``; idempotent by proposal_id.

        A replayed ``proposal_id`` returns the decision recorded the first time and charges
        nothing. Approval needs ``price <= bid`` (unless ``energy_unlimited``) and
        ``price <= balance``; ``stop`` and other unpriced intents are approved at price 0.
        """
        with self._transaction() as cur:
            recorded = self._recorded(cur, proposal.proposal_id)
            if recorded is not None:
                return recorded.to_decision()
            operator = proposal.operator_id
            withdrawn = self._withdrawn(cur, proposal.proposal_id)
            unpriced = quote.unpriced or proposal.intent in self.unpriced_intents
            if unpriced:
                quote = Quote.free()
            balance = self._balance(cur, operator)
            if balance is None:
                balance = self.default_balance
                if operator and not unpriced:
                    self._open_account(cur, operator, balance)
            price = _money(quote.price)
            if withdrawn:
                approved = False
                reason = ('rejected: the proposal was withdrawn before it could be decided '
                          '(no charge)')
            elif unpriced:
                approved = True
                reason = f'approved: {proposal.intent or "stop"} is never priced (no charge)'
            else:
                approved, reason = _verdict(proposal, quote, price, balance, self.default_bid)
            charged = price if approved and not unpriced else 0.0
            balance_after = _money(balance - charged)
            if charged:
                cur.execute('UPDATE accounts SET balance = ? WHERE operator_id = ?',
                            (balance_after, operator))
            entry = LedgerEntry(
                proposal_id=proposal.proposal_id, operator_id=operator, intent=proposal.intent,
                approved=approved, price=price, charged=charged, energy_wh=quote.energy_wh,
                parts=quote.parts(), balance_after=balance_after, reason=reason,
                created_at=_now())
            cur.execute(
                'INSERT INTO decisions (proposal_id, operator_id, intent, approved, price, '
                'charged, energy_wh, parts, balance_after, reason, created_at) '
                'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
                (entry.proposal_id, entry.operator_id, entry.intent, int(entry.approved),
                 entry.price, entry.charged, entry.energy_wh, json.dumps(entry.parts),
                 entry.balance_after, entry.reason, entry.created_at))
            return entry.to_decision()

    def withdraw(self, proposal_id: str, operator_id: str, reason: str) -> float:
        """Withdraw a proposal: refund what it was charged; refuse it if it comes later.

        Idempotent: a second withdrawal of the same id refunds nothing. Returns the refund.
        """
        with self._transaction() as cur:
            if self._withdrawn(cur, proposal_id):
                return 0.0
            recorded = self._recorded(cur, proposal_id)
            refund = recorded.charged if recorded is not None else 0.0
            operator = recorded.operator_id if recorded is not None else operator_id
            if refund:
                balance = self._balance(cur, operator) or 0.0
                cur.execute('UPDATE accounts SET balance = ? WHERE operator_id = ?',
                            (_money(balance + refund), operator))
            cur.execute('INSERT INTO withdrawals (proposal_id, operator_id, refunded, reason, '
                        'created_at) VALUES (?, ?, ?, ?, ?)',
                        (proposal_id, operator, refund, reason, _now()))
            return refund

    def withdrawn(self, proposal_id: str) -> bool:
        """Tell whether ``proposal_id`` was withdrawn."""
        with self._lock:
            return self._withdrawn(self._live(), proposal_id)

    @staticmethod
    def _withdrawn(cur, proposal_id: str) -> bool:
        return cur.execute('SELECT 1 FROM withdrawals WHERE proposal_id = ?',
                           (proposal_id,)).fetchone() is not None

    def recorded(self, proposal_id: str) -> Optional[LedgerEntry]:
        """Return the recorded decision of ``proposal_id``, or None."""
        with self._lock:
            return self._recorded(self._live(), proposal_id)

    def balance(self, operator: str) -> float:
        """Return the balance of ``operator`` (the default opening balance if never seen)."""
        with self._lock:
            value = self._balance(self._live(), operator)
        return self.default_balance if value is None else value

    def balances(self) -> dict[str, float]:
        """Return every opened account: operator id -> balance, sorted by operator id."""
        with self._lock:
            rows = self._live().execute(
                'SELECT operator_id, balance FROM accounts ORDER BY operator_id').fetchall()
        return {row['operator_id']: float(row['balance']) for row in rows}

    def history(self, operator: Optional[str] = None, limit: int = 50) -> list[LedgerEntry]:
        """Return recorded decisions, newest first, optionally of one operator only."""
        if limit < 0:
            raise ValueError(f'limit must be >= 0, got {limit}')
        sql = 'SELECT * FROM decisions'
        args: tuple = ()
        if operator is not None:
            sql += ' WHERE operator_id = ?'
            args = (operator,)
        sql += ' ORDER BY rowid DESC LIMIT ?'
        with self._lock:
            rows = self._live().execute(sql, args + (limit,)).fetchall()
        return [_entry(row) for row in rows]

    def count(self, operator: Optional[str] = None) -> int:
        """Return the number of recorded decisions (of one operator, or all)."""
        sql, args = 'SELECT COUNT(*) FROM decisions', ()
        if operator is not None:
            sql, args = sql + ' WHERE operator_id = ?', (operator,)
        with self._lock:
            return int(self._live().execute(sql, args).fetchone()[0])

    def top_up(self, operator: str, amount: float) -> float:
        """Credit ``amount`` (> 0) to ``operator``, opening the account if needed; new balance."""
        amount = float(amount)
        if not (math.isfinite(amount) and amount > 0.0):
            raise ValueError(f'top-up amount must be a finite number > 0, got {amount}')
        amount = _money(amount)
        if amount <= 0.0:
            raise ValueError('top-up amount rounds to 0.00 credits')
        if not operator:
            raise ValueError('operator id must be non-empty')
        with self._transaction() as cur:
            self._open_account(cur, operator, self.default_balance)
            after = _money(self._balance(cur, operator) + amount)
            cur.execute('UPDATE accounts SET balance = ? WHERE operator_id = ?',
                        (after, operator))
            cur.execute('INSERT INTO top_ups (operator_id, amount, balance_after, created_at) '
                        'VALUES (?, ?, ?, ?)', (operator, amount, after, _now()))
        return after

    def close(self) -> None:
        """Close the database connection (idempotent)."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @staticmethod
    def _recorded(cur, proposal_id: str) -> Optional[LedgerEntry]:
        row = cur.execute('SELECT * FROM decisions WHERE proposal_id = ?',
                          (proposal_id,)).fetchone()
        return None if row is None else _entry(row)


class _Transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT`` (``ROLLBACK`` on error) under the ledger's lock."""

    def __init__(self, conn: Optional[sqlite3.Connection], lock: threading.RLock):
        self._conn = conn
        self._lock = lock

    def __enter__(self) -> sqlite3.Cursor:
        self._lock.acquire()
        try:
            if self._conn is None:
                raise sqlite3.ProgrammingError('the ledger is closed')
            self._conn.execute('BEGIN IMMEDIATE')
            return self._conn.cursor()
        except BaseException:
            self._lock.release()
            raise

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None:
                try:
                    self._conn.execute('COMMIT')
                except BaseException:
                    self._conn.rollback()
                    raise
            else:
                self._conn.rollback()
        finally:
            self._lock.release()
        return False


def _verdict(proposal: TaskProposalData, quote: Quote, price: float, balance: float,
             default_bid: float) -> tuple[bool, str]:
    """Return (approved, reason); a rejection names the limit and the dearest part."""
    if not proposal.operator_id:
        return False, 'rejected: the proposal has no operator_id, so no account can pay'
    limits = []
    bid = None
    if not proposal.energy_unlimited:
        bid = default_bid if proposal.max_energy_cost is None else proposal.max_energy_cost
    if bid is not None and price > bid + 1e-9:
        limits.append(f'price {price:.2f} exceeds the bid (max_energy_cost) {bid:.2f} '
                      f'by {price - bid:.2f}')
    if price > balance + 1e-9:
        limits.append(f'price {price:.2f} exceeds the balance {balance:.2f} of operator '
                      f'{proposal.operator_id!r} by {price - balance:.2f}')
    if not limits:
        bid_text = 'unlimited' if bid is None else f'{bid:.2f}'
        return True, f'approved: price {price:.2f} within bid {bid_text} and balance {balance:.2f}'
    name, amount = quote.dearest_part()
    detail = f'{name} {amount:.2f}'
    if name == 'energy_cost':
        detail += f' for {quote.energy_wh:.1f} Wh'
    return False, f'rejected: {"; ".join(limits)}; dearest part: {detail}'


def _entry(row: sqlite3.Row) -> LedgerEntry:
    return LedgerEntry(
        proposal_id=row['proposal_id'], operator_id=row['operator_id'], intent=row['intent'],
        approved=bool(row['approved']), price=row['price'], charged=row['charged'],
        energy_wh=row['energy_wh'], parts=json.loads(row['parts']),
        balance_after=row['balance_after'], reason=row['reason'], created_at=row['created_at'])
