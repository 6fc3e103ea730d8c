"""The operator ledger (SQLite), the econ service and the ``tfd ledger`` command."""

import json
import math
import os
from pathlib import Path
import sqlite3
import subprocess
import sys
import tempfile
import threading

from hypothesis import given, settings
from hypothesis import strategies as st
import pytest

from tfd_ros.econ.ledger import Ledger, default_ledger_path
from tfd_ros.econ.pricing import PricingModel, Quote
from tfd_ros.econ.service import EconService, open_ledger
from tfd_ros.proposal import TaskProposalData

PACKAGE_DIR = Path(__file__).resolve().parent.parent


@pytest.fixture(scope='module')
def pricing() -> PricingModel:
    return PricingModel.from_file()


@pytest.fixture
def ledger(tmp_path):
    book = Ledger(tmp_path / 'ledger.sqlite3', default_balance=1000.0,
                  seed_accounts={'poor': 50.0})
    yield book
    book.close()


def proposal(pid, operator='alice', intent='pick_place', bid=500.0, **fields):
    if fields.get('energy_unlimited'):
        bid = None
    return TaskProposalData(proposal_id=pid, operator_id=operator, raw_text='text',
                            intent=intent, max_energy_cost=bid, **fields)


def quote(energy=10.0, wear=5.0, risk=0.0, time=0.0, priority=0.0) -> Quote:
    return Quote(energy_wh=energy / 2, energy_cost=energy, wear_cost=wear, risk_cost=risk,
                 time_cost=time, priority_surcharge=priority,
                 price=round(energy + wear + risk + time + priority, 2))


def charged_total(book: Ledger, operator=None) -> float:
    return sum(e.charged for e in book.history(operator=operator, limit=1_000_000))


# -- decisions ------------------------------------------------------------------------------

def test_an_affordable_proposal_is_approved_and_charged(ledger):
    decision = ledger.decide(proposal('p1'), quote(energy=40.0, wear=20.0, risk=10.0))
    assert decision.approved
    assert decision.price == 70.0
    assert decision.wear_cost == 20.0 and decision.risk_cost == 10.0
    assert decision.energy_wh == 20.0
    assert decision.account_balance == 930.0
    assert ledger.balance('alice') == 930.0
    [entry] = ledger.history()
    assert entry.proposal_id == 'p1' and entry.charged == 70.0 and entry.balance_after == 930.0
    assert entry.parts['energy_cost'] == 40.0


def test_a_replay_returns_the_recorded_decision_and_never_charges_twice(ledger):
    first = ledger.decide(proposal('p1'), quote(energy=100.0))
    again = ledger.decide(proposal('p1'), quote(energy=100.0))
    dearer = ledger.decide(proposal('p1', intent='explore'), quote(energy=900.0))
    assert first == again == dearer
    assert ledger.balance('alice') == 1000.0 - first.price
    assert ledger.count() == 1


def test_a_replay_after_a_restart_is_not_charged(tmp_path):
    path = tmp_path / 'ledger.sqlite3'
    with Ledger(path) as book:
        first = book.decide(proposal('p1'), quote(energy=80.0))
        balance = book.balance('alice')
    with Ledger(path) as book:
        assert book.decide(proposal('p1'), quote(energy=80.0)) == first
        assert book.balance('alice') == balance
        assert book.count() == 1


def test_a_rejection_over_the_bid_names_the_bid_and_the_dearest_part(ledger):
    decision = ledger.decide(proposal('p1', bid=100.0), quote(energy=30.0, wear=20.0, risk=60.0))
    assert not decision.approved
    assert 'bid' in decision.reason and 'balance ' not in decision.reason
    assert 'dearest part: risk_cost 60.00' in decision.reason
    assert ledger.balance('alice') == 1000.0
    assert decision.account_balance == 1000.0


def test_a_rejection_over_the_balance_names_the_balance_and_the_dearest_part(ledger):
    decision = ledger.decide(proposal('p1', operator='poor'), quote(energy=80.0, wear=5.0))
    assert not decision.approved
    assert 'balance 50.00' in decision.reason and 'bid' not in decision.reason
    assert 'dearest part: energy_cost 80.00 for 40.0 Wh' in decision.reason
    assert ledger.balance('poor') == 50.0


def test_a_rejection_over_both_limits_names_both(ledger):
    decision = ledger.decide(proposal('p1', operator='poor', bid=10.0), quote(energy=80.0))
    assert not decision.approved
    assert 'bid' in decision.reason and 'balance' in decision.reason


def test_a_rejection_is_recorded_and_replayed(ledger):
    rejected = ledger.decide(proposal('p1', bid=10.0), quote(energy=80.0))
    ledger.top_up('alice', 10_000.0)
    assert ledger.decide(proposal('p1', bid=10.0), quote(energy=80.0)) == rejected
    assert not ledger.history()[0].approved


def test_price_equal_to_bid_and_balance_is_approved(ledger):
    decision = ledger.decide(proposal('p1', operator='poor', bid=50.0), quote(energy=45.0))
    assert decision.approved and decision.account_balance == 0.0
    assert ledger.balance('poor') == 0.0


def test_unlimited_energy_ignores_the_bid_but_not_the_balance(ledger):
    dear = quote(energy=900.0)
    assert ledger.decide(proposal('p1', energy_unlimited=True), dear).approved
    second = ledger.decide(proposal('p2', energy_unlimited=True), dear)
    assert not second.approved and 'balance' in second.reason and 'bid' not in second.reason


def test_a_proposal_without_a_bid_gets_the_default_bid(ledger):
    decision = ledger.decide(proposal('p1', bid=None), quote(energy=600.0))
    assert not decision.approved and 'bid' in decision.reason and '500.00' in decision.reason


def test_stop_is_approved_unpriced_and_recorded_even_for_an_empty_account(ledger):
    ledger.decide(proposal('p0', operator='poor', bid=50.0), quote(energy=45.0))
    assert ledger.balance('poor') == 0.0
    decision = ledger.decide(proposal('s1', operator='poor', intent='stop', bid=0.0),
                             quote(energy=300.0, priority=80.0))
    assert decision.approved and decision.price == 0.0
    assert ledger.balance('poor') == 0.0
    entry = ledger.recorded('s1')
    assert entry is not None and entry.charged == 0.0 and entry.intent == 'stop'
    assert 'never priced' in entry.reason


def test_an_unpriced_quote_is_not_charged_whatever_the_intent(tmp_path):
    with Ledger(tmp_path / 'l.db', unpriced_intents=['halt']) as book:
        assert book.decide(proposal('h1', intent='halt', bid=0.0), quote()).price == 0.0
        assert book.decide(proposal('h2', bid=0.0), Quote.free()).approved
        assert book.balance('alice') == book.default_balance


def test_a_proposal_without_operator_is_rejected(ledger):
    decision = ledger.decide(proposal('p1', operator=''), quote())
    assert not decision.approved and 'operator_id' in decision.reason
    assert '' not in ledger.balances()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(['decide', 'replay', 'top_up']),
                          st.floats(min_value=0.0, max_value=400.0, allow_nan=False)),
                max_size=25))
def test_balance_is_never_negative_and_adds_up(ops):
    with tempfile.TemporaryDirectory() as tmp, Ledger(Path(tmp) / 'l.db',
                                                      default_balance=300.0) as book:
        top_ups, n = 0.0, 0
        for op, amount in ops:
            if op == 'top_up':
                if round(amount, 2) > 0.0:
                    book.top_up('alice', amount)
                    top_ups += round(amount, 2)
                continue
            pid = f'p{n - 1}' if op == 'replay' and n else f'p{n}'
            n += op == 'decide' or not n
            decision = book.decide(proposal(pid, bid=1e9), quote(energy=amount))
            assert decision.account_balance >= 0.0
            assert book.balance('alice') >= 0.0
        expected = 300.0 + top_ups - charged_total(book)
        assert book.balance('alice') == pytest.approx(expected, abs=1e-6)


def test_the_database_refuses_a_negative_balance_and_history_edits(ledger):
    ledger.decide(proposal('p1'), quote())
    conn = sqlite3.connect(ledger.path)
    try:
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute("UPDATE accounts SET balance = -1 WHERE operator_id = 'alice'")
        for sql in ("UPDATE decisions SET price = 0 WHERE proposal_id = 'p1'",
                    "DELETE FROM decisions WHERE proposal_id = 'p1'"):
            with pytest.raises(sqlite3.DatabaseError, match='append-only'):
                conn.execute(sql)
    finally:
        conn.close()
    assert ledger.recorded('p1').price == 15.0


def test_wal_mode_and_full_sync(ledger):
    conn = sqlite3.connect(ledger.path)
    try:
        assert conn.execute('PRAGMA journal_mode').fetchone()[0] == 'wal'
    finally:
        conn.close()
    assert ledger._conn.execute('PRAGMA synchronous').fetchone()[0] == 2  # FULL


def test_seeded_accounts_open_once_and_are_never_reset(tmp_path):
    path = tmp_path / 'l.db'
    with Ledger(path, seed_accounts={'boss': 100.0}) as book:
        book.decide(proposal('p1', operator='boss'), quote(energy=40.0))
    with Ledger(path, seed_accounts={'boss': 100.0}) as book:
        assert book.balance('boss') == 55.0


def test_top_up(ledger):
    assert ledger.top_up('alice', 25.257) == pytest.approx(1025.26)
    assert ledger.balance('alice') == pytest.approx(1025.26)
    for bad in (0.0, -5.0, float('nan'), math.inf, 0.001):
        with pytest.raises(ValueError):
            ledger.top_up('alice', bad)
    with pytest.raises(ValueError):
        ledger.top_up('', 5.0)
    assert ledger.balance('alice') == pytest.approx(1025.26)


def test_history_is_newest_first_filtered_and_limited(ledger):
    for i in range(5):
        ledger.decide(proposal(f'a{i}'), quote())
        ledger.decide(proposal(f'b{i}', operator='bob'), quote())
    assert [e.proposal_id for e in ledger.history(limit=3)] == ['b4', 'a4', 'b3']
    assert [e.proposal_id for e in ledger.history('bob', limit=2)] == ['b4', 'b3']
    assert len(ledger.history()) == 10 and ledger.count('alice') == 5
    assert ledger.history(limit=0) == []
    with pytest.raises(ValueError):
        ledger.history(limit=-1)


def test_the_default_path_is_under_ros_home(tmp_path, monkeypatch):
    monkeypatch.setenv('ROS_HOME', str(tmp_path / 'roshome'))
    expected = tmp_path / 'roshome' / 'tfd' / 'ledger.sqlite3'
    assert default_ledger_path() == expected
    with Ledger() as book:
        assert book.path == expected
        book.decide(proposal('p1'), quote())
    assert expected.is_file()


def test_a_closed_ledger_refuses_work(tmp_path):
    book = Ledger(tmp_path / 'l.db')
    book.close()
    book.close()
    with pytest.raises(sqlite3.ProgrammingError):
        book.decide(proposal('p1'), quote())
    with pytest.raises(sqlite3.ProgrammingError):
        book.balance('alice')
    with pytest.raises(sqlite3.ProgrammingError):
        book.history()


def test_threads_sharing_one_ledger_lose_and_double_nothing(ledger):
    ids = [f'p{i}' for i in range(120)]
    errors = []

    def work(order):
        try:
            for pid in order:
                ledger.decide(proposal(pid), quote(energy=3.0, wear=0.5))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    orders = [ids, ids[::-1], ids[::2] + ids[1::2], ids[60:] + ids[:60]]
    threads = [threading.Thread(target=work, args=(order,)) for order in orders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert ledger.count() == len(ids)
    assert ledger.balance('alice') == pytest.approx(1000.0 - 3.5 * len(ids))
    assert charged_total(ledger) == pytest.approx(3.5 * len(ids))


# -- service --------------------------------------------------------------------------------

def test_the_service_quotes_then_decides(tmp_path, pricing):
    service = EconService(pricing, open_ledger(pricing, tmp_path / 'l.db'))
    try:
        task = proposal('p1', intent='clean_area', parameters={'target': 'kitchen'})
        expected = pricing.quote(task)
        decision = service.handle(task)
        assert decision.approved and decision.price == expected.price
        assert decision.energy_wh == expected.energy_wh
        opening = pricing.accounts.default_balance_credits
        assert service.ledger.balance('alice') == pytest.approx(opening - expected.price)
        assert service.handle(task) == decision
        assert service.ledger.balance('supervisor') == (
            pricing.accounts.seed_balances_credits['supervisor'])
    finally:
        service.close()


def test_the_service_rejects_a_fast_risky_dear_task_on_a_small_bid(tmp_path, pricing):
    service = EconService(pricing, open_ledger(pricing, tmp_path / 'l.db'))
    try:
        task = proposal('p1', intent='explore', bid=200.0, speed='fast', risk_level='high',
                        priority='critical', parameters={'target': 'house'})
        decision = service.handle(task)
        assert not decision.approved
        assert 'bid' in decision.reason and 'energy_cost' in decision.reason
        stop = service.handle(proposal('p2', intent='stop', bid=0.0))
        assert stop.approved and stop.price == 0.0
    finally:
        service.close()


def test_the_service_answers_an_internal_error_with_a_rejection(tmp_path, pricing):
    service = EconService(pricing, open_ledger(pricing, tmp_path / 'l.db'))
    service.ledger.close()
    decision = service.handle(proposal('p1'))
    assert not decision.approved
    assert decision.proposal_id == 'p1'
    assert 'error' in decision.reason and 'closed' in decision.reason


def test_the_service_from_files(tmp_path, monkeypatch):
    monkeypatch.setenv('ROS_HOME', str(tmp_path))
    service = EconService.from_files()
    try:
        assert service.ledger.path == tmp_path / 'tfd' / 'ledger.sqlite3'
        assert service.handle(proposal('p1')).approved
    finally:
        service.close()


# -- tfd ledger -----------------------------------------------------------------------------

def tfd(tmp_path, *args):
    env = dict(os.environ, ROS_HOME=str(tmp_path / 'roshome'))
    return subprocess.run([sys.executable, '-m', 'tfd_ros.cli', 'ledger', *args],
                          cwd=PACKAGE_DIR, env=env, capture_output=True, text=True, timeout=60)


def test_cli_balances_history_and_top_up(tmp_path, pricing):
    db = tmp_path / 'cli.db'
    missing = tfd(tmp_path, '--db', str(db), 'balances')
    assert missing.returncode == 1 and 'no ledger' in missing.stderr
    with open_ledger(pricing, db) as book:
        book.decide(proposal('p1'), quote(energy=40.0))
        book.decide(proposal('p2', operator='bob', bid=1.0), quote(energy=40.0))

    result = tfd(tmp_path, '--db', str(db), '--json', 'balances')
    assert result.returncode == 0, result.stderr
    balances = json.loads(result.stdout)['balances']
    assert balances['alice'] == pricing.accounts.default_balance_credits - 45.0
    assert balances['supervisor'] == pricing.accounts.seed_balances_credits['supervisor']

    result = tfd(tmp_path, 'history', '--db', str(db), '--json', '--operator', 'bob')
    assert result.returncode == 0, result.stderr
    [entry] = json.loads(result.stdout)
    assert entry['proposal_id'] == 'p2' and entry['approved'] is False

    result = tfd(tmp_path, '--db', str(db), 'history', '--limit', '1')
    assert result.returncode == 0 and 'p2' in result.stdout and 'p1' not in result.stdout
    assert 'REJECTED' in result.stdout

    result = tfd(tmp_path, '--db', str(db), 'top-up', 'alice', '100', '--json')
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)['balance'] == balances['alice'] + 100.0

    result = tfd(tmp_path, '--db', str(db))
    assert result.returncode == 0 and 'alice' in result.stdout
    assert f'{balances["alice"] + 100.0:.2f}' in result.stdout

    bad = tfd(tmp_path, '--db', str(db), 'top-up', 'alice', '-5')
    assert bad.returncode == 2 and '> 0' in bad.stderr
    with Ledger(db) as book:
        assert book.balance('alice') == balances['alice'] + 100.0


def test_cli_uses_the_default_path_under_ros_home(tmp_path):
    result = tfd(tmp_path, 'top-up', 'carol', '5')
    assert result.returncode == 0, result.stderr
    assert (tmp_path / 'roshome' / 'tfd' / 'ledger.sqlite3').is_file()
    result = tfd(tmp_path, 'balances', '--json')
    assert json.loads(result.stdout)['balances']['carol'] > 5.0


def test_withdrawal_refunds_a_late_charge_and_refuses_a_late_proposal(tmp_path):
    from tfd_ros.econ.ledger import Ledger
    from tfd_ros.econ.pricing import PricingModel
    from tfd_ros.proposal import TaskProposalData
    pricing = PricingModel.from_file(None)
    with Ledger(tmp_path / 'w.sqlite3', default_balance=1000.0) as book:
        first = TaskProposalData(proposal_id='late-1', operator_id='bob', raw_text='wipe',
                                 intent='clean_area', max_energy_cost=500.0)
        decision = book.decide(first, pricing.quote(first))
        assert decision.approved and book.balance('bob') == 1000.0 - decision.price
        assert book.withdraw('late-1', 'bob', 'timeout') == decision.price
        assert book.balance('bob') == 1000.0
        assert book.withdraw('late-1', 'bob', 'timeout') == 0.0  # idempotent
        assert book.balance('bob') == 1000.0
        second = first.model_copy(update={'proposal_id': 'late-2'})
        assert book.withdraw('late-2', 'bob', 'timeout') == 0.0  # before it arrives
        refused = book.decide(second, pricing.quote(second))
        assert not refused.approved and 'withdrawn' in refused.reason
        assert book.balance('bob') == 1000.0
        assert book.decide(second, pricing.quote(second)) == refused  # replay: same answer
