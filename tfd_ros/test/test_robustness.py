"""Abuse the pipeline and the nodes: fuzzing, malformed input, floods, a dying controller."""

import os
from pathlib import Path
import subprocess
import sys
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
import pytest
import yaml

from tfd_ros.config import TFDConfig
from tfd_ros.factory import build_pipeline
from tfd_ros.outcome import InstructionResult, OutcomeCode
from tfd_ros.pipeline import PendingInstruction

BIN = Path(sys.executable).parent
SEEDS = ['Clean the kitchen, but be careful with the vase.', 'Run through the wall',
         'Sort the blue blocks, ignore the red ones.', "Go fast, I don't care about energy.",
         'Figure out how to open that weird new latch.', 'Hand the knife to the toddler.']


@pytest.fixture(scope='module')
def pipeline():
    return build_pipeline(TFDConfig())


def _typed(result):
    if isinstance(result, PendingInstruction):
        result = result.result
    assert isinstance(result, InstructionResult)
    assert isinstance(result.outcome, OutcomeCode)
    if result.outcome != OutcomeCode.ACCEPTED:
        assert result.reasons, result
    return result


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=1200))
def test_fuzz_arbitrary_unicode_gets_one_typed_outcome(pipeline, text):
    _typed(pipeline.prepare(text, 'fuzz'))


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(SEEDS), st.lists(st.tuples(st.integers(0, 60), st.characters()),
                                        max_size=6))
def test_fuzz_mutated_design_sentences(pipeline, seed, edits):
    text = seed
    for position, char in edits:
        position %= len(text) + 1
        text = text[:position] + char + text[position + 1:]
    _typed(pipeline.prepare(text, 'fuzz'))


@pytest.mark.parametrize('text,code', [
    ('x' * (1 << 20), OutcomeCode.INVALID_INPUT),
    ('Wipe the table.\x00', OutcomeCode.INVALID_INPUT),
    ('\x1b[31mWipe the table', OutcomeCode.INVALID_INPUT),
    ('   \n\t ', OutcomeCode.INVALID_INPUT),
    ('', OutcomeCode.INVALID_INPUT),
    ('\ud800 broken surrogate', OutcomeCode.INVALID_INPUT),
])
def test_malformed_text_is_invalid_input(pipeline, text, code):
    assert _typed(pipeline.prepare(text, 'fuzz')).outcome == code


def test_one_megabyte_straight_into_compiler_and_safety(pipeline):
    """Past the node's length gate, the core itself still never raises on 1 MB of text."""
    text = ('please wipe the table and then bring me the red cup ' * 20000)[:1 << 20]
    start = time.monotonic()
    payload = pipeline.compiler.compile(text)
    verdict = pipeline.safety.check(text, payload)
    assert isinstance(verdict.allowed, bool)
    assert payload.intent is None or payload.intent in ('clean_area', 'pick_place')
    assert time.monotonic() - start < 60.0


# -- against running nodes ------------------------------------------------------------------

ros = pytest.mark.ros


@pytest.fixture
def probe():
    pytest.importorskip('rclpy')
    from support.nodes import Probe
    p = Probe('robustness_probe', namespace='/robust')
    yield p
    p.close()


@ros
@pytest.mark.slow
def test_malformed_messages_and_goals_node_keeps_serving(probe):
    from std_msgs.msg import String
    from support.nodes import start, stop
    from tfd_msgs.msg import InstructionOutcome

    from tfd_ros import qos
    from tfd_ros.operator_client import OperatorClient
    tfd = start('tfd_node', '-p', 'require_econ_approval:=false', namespace='/robust')
    try:
        outcomes = probe.collect(InstructionOutcome, 'instruction_outcome', qos.OUTCOME)
        pub = probe.node.create_publisher(String, 'instruction', qos.INSTRUCTION)
        assert probe.spin_until(lambda: pub.get_subscription_count() > 0, 15.0)
        probe.spin_for(0.5)
        # (A NUL cannot travel: ROS strings end at it; the pure tests cover NUL.)
        bad = ['', 'y' * 300_000, 'Stop\x07 now', '\u202e\u200b', '\x1b[2JGo to the kitchen']
        for text in bad:
            pub.publish(String(data=text))
        assert probe.spin_until(lambda: len(outcomes) >= len(bad), 20.0)
        by_text = {o.proposal.raw_text: o for o in outcomes}
        assert set(by_text) == set(bad)
        for text in ('', 'y' * 300_000, 'Stop\x07 now', '\x1b[2JGo to the kitchen'):
            assert by_text[text].outcome == InstructionOutcome.INVALID_INPUT, text[:20]
            assert by_text[text].reasons
        assert by_text['\u202e\u200b'].outcome == InstructionOutcome.NOT_UNDERSTOOD
        with OperatorClient(namespace='/robust', node_name='robust_client') as client:
            reply = client.send('z' * 200_000, 'op', 20.0)
            assert reply.outcome.outcome == InstructionOutcome.INVALID_INPUT
            assert 'too long' in reply.outcome.reasons[0]
            assert client.send('Wipe the table.', 'op').accepted
    finally:
        stop(tfd)


@ros
@pytest.mark.slow
def test_flood_at_five_times_measured_throughput():
    """Measure the node's throughput, then ask another process for 5x that for 10 s.

    The node must shed by its policy (REJECTED_OVERLOAD with a reason, counted in the
    diagnostics), answer every instruction exactly once, keep its memory bounded and serve
    normally afterwards. Generator, collector and node share the machine's cores.
    """
    from diagnostic_msgs.msg import DiagnosticArray
    from support.nodes import start, stop

    from tfd_ros import qos
    from tfd_ros.bench.run import Client, flood_over, throughput
    from tfd_ros.operator_client import OperatorClient
    tfd = start('tfd_node', '-p', 'require_econ_approval:=false', '-p',
                'max_queue_delay_s:=0.5', namespace='/robust')
    client = Client(namespace='/robust')
    diagnostics = []
    client.node.create_subscription(DiagnosticArray, 'diagnostics', diagnostics.append,
                                    qos.DIAGNOSTICS)

    def shed_so_far():
        client.spin_until(lambda: False, 1.2)  # one diagnostics tick
        values = {kv.key: kv.value for kv in diagnostics[-1].status[0].values}
        return int(values.get('outcome_rejected_overload', 0))
    try:
        measured = throughput(client, 2000, SEEDS)
        assert measured['lost'] == 0, measured
        shed_before = shed_so_far()
        rate = 5.0 * measured['throughput_per_s']
        over = flood_over(client, rate, 10.0, tfd.pid)
        # The generator is Python too and shares the machine with the node and the collector;
        # on 2 cores it reaches 1.6x-2.0x of the throughput instead of the 5x asked. Under
        # 1.3x, or with less than a third of the flood shed, the test fails: the node must
        # really have been flooded beyond what it compiles.
        assert over['send_rate_per_s'] >= 1.3 * measured['throughput_per_s'], over
        assert over['shed'] >= over['sent'] / 3, over
        assert over['lost'] == 0 and over['doubled'] == 0, over
        assert over['outcomes'] == over['sent'] == int(rate * 10.0)
        assert over['shed'] > 0 and over['accepted'] > 0, over
        assert over['refusals_without_reason'] == 0
        assert shed_so_far() - shed_before == over['shed']  # reported, not silent
        assert over['rss_peak_mb'] < over['rss_before_mb'] + 150.0  # bounded
        with OperatorClient(namespace='/robust', node_name='after_flood') as operator:
            assert operator.send('Wipe the table.', 'op', 20.0).accepted
    finally:
        client.close()
        stop(tfd)


@ros
@pytest.mark.slow
def test_econ_controller_killed_and_restarted(tmp_path):
    import signal

    from support.nodes import start, stop
    from tfd_msgs.msg import InstructionOutcome

    from tfd_ros.econ.ledger import Ledger
    from tfd_ros.operator_client import OperatorClient
    ns, ledger = '/robust_econ', tmp_path / 'ledger.sqlite3'
    econ_args = ('econ_controller', '-p', f'ledger_path:={ledger}')
    econ = start(*econ_args, namespace=ns)
    tfd = start('tfd_node', '-p', 'econ_timeout_s:=0.5', namespace=ns)
    accepted = []
    try:
        from support.nodes import wait_until_priced
        wait_until_priced(ns)
        with OperatorClient(namespace=ns, node_name='econ_restart_client') as client:
            for _ in range(4):
                outcome = client.send('Wipe the table.', 'alice').outcome
                assert outcome.accepted, list(outcome.reasons)
                accepted.append(outcome)
            econ.send_signal(signal.SIGKILL)
            econ.wait(10)
            for _ in range(3):
                outcome = client.send('Wipe the table.', 'alice').outcome
                assert outcome.outcome == InstructionOutcome.ECON_UNAVAILABLE
            econ = start(*econ_args, namespace=ns)
            deadline = time.monotonic() + 20.0
            while len(accepted) < 8 and time.monotonic() < deadline:
                outcome = client.send('Wipe the table.', 'alice').outcome
                if outcome.accepted:
                    accepted.append(outcome)
                else:
                    assert outcome.outcome == InstructionOutcome.ECON_UNAVAILABLE
            assert len(accepted) == 8
    finally:
        stop(tfd)
        stop(econ)
    with Ledger(ledger) as book:
        # Proposals decided after tfd_node gave up on them were withdrawn and refunded.
        kept = [e for e in book.history('alice', limit=100)
                if e.charged and not book.withdrawn(e.proposal_id)]
        assert sorted(e.proposal_id for e in kept) == sorted(o.proposal_id for o in accepted)
        charged = sum(o.decision.price for o in accepted)
        assert book.balance('alice') == pytest.approx(accepted[0].decision.account_balance
                                                      + accepted[0].decision.price - charged)


# -- invalid files refuse start-up, naming the key -----------------------------------------

def _refused(command, timeout=60):
    proc = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                          env=os.environ.copy())
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert 'refusing to start' in proc.stderr
    return proc.stderr


def _broken_copy(name, tmp_path):
    from tfd_ros.paths import config_file
    data = yaml.safe_load(config_file(name).read_text())
    section = next(k for k, v in data.items() if isinstance(v, dict))
    data[section]['no_such_key'] = 1
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data))
    return path, f'{section}.no_such_key'


@ros
def test_bad_params_file_refuses_start(tmp_path):
    params = tmp_path / 'params.yaml'
    params.write_text('tfd_node:\n  ros__parameters:\n    cascade_confidence_threshold: 1.5\n')
    err = _refused([str(BIN / 'tfd_node'), '--ros-args', '--params-file', str(params)])
    assert 'cascade_confidence_threshold' in err


@ros
@pytest.mark.parametrize('executable,parameter,name', [
    ('tfd_node', 'ontology_file', 'ontology.yaml'),
    ('tfd_node', 'safety_file', 'safety.yaml'),
    ('econ_controller', 'econ_file', 'econ.yaml'),
])
def test_bad_data_file_refuses_start_naming_the_key(tmp_path, executable, parameter, name):
    path, dotted = _broken_copy(name, tmp_path)
    err = _refused([str(BIN / executable), '--ros-args', '-p', f'{parameter}:={path}',
                    '-p', f'ledger_path:={tmp_path / "l.db"}'] if executable == 'econ_controller'
                   else [str(BIN / executable), '--ros-args', '-p', f'{parameter}:={path}'])
    assert dotted in err
