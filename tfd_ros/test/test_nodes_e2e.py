"""End to end through real processes and real DDS: tfd_node and econ_controller."""

import json
import math
import os
import time

import pytest

pytestmark = [pytest.mark.ros, pytest.mark.slow]

rclpy = pytest.importorskip('rclpy')


@pytest.fixture(scope='module')
def ledger_home(tmp_path_factory):
    return tmp_path_factory.mktemp('ledger')


@pytest.fixture(scope='module')
def nodes(ledger_home):
    from support.nodes import start, stop, wait_until_priced
    econ = start('econ_controller', '-p', f'ledger_path:={ledger_home / "ledger.sqlite3"}')
    tfd = start('tfd_node')
    wait_until_priced()
    yield tfd, econ
    stop(tfd)
    stop(econ)


@pytest.fixture
def client():
    from tfd_ros.operator_client import OperatorClient
    with OperatorClient(node_name='e2e_client') as c:
        assert c.wait_for_server(15.0)
        yield c


def _params(outcome):
    return {kv.key: kv.value for kv in outcome.proposal.parameters}


def _weights(outcome):
    vector = outcome.condition_vector
    return dict(zip(vector.feature_names, vector.objective_vector))


def test_vase_constraint(nodes, client):
    reply = client.send('Clean the kitchen, but be careful with the vase.', 'op')
    outcome = reply.outcome
    assert outcome.accepted, list(outcome.reasons)
    assert outcome.proposal.intent == 'clean_area'
    assert outcome.proposal.target_task == 'clean_kitchen'
    assert 'avoid_collision(vase)' in outcome.proposal.constraints
    assert 'fragility_threshold=0.9' in outcome.proposal.constraints
    assert outcome.priced and outcome.decision.approved and outcome.decision.price > 0
    assert reply.status == 4  # SUCCEEDED
    assert 'awaiting_econ_decision' in reply.stages


def test_blue_red_objective_weights(nodes, client):
    outcome = client.send('Sort the blue blocks, ignore the red ones.', 'op').outcome
    assert outcome.accepted
    assert outcome.condition_vector.skill_mode == 'precision_sorting'
    weights = _weights(outcome)
    assert weights['blue'] > 0 and weights['red'] == pytest.approx(-1.0)
    assert _params(outcome)['ignore_color'] == 'red'


def test_unlimited_energy_with_fast(nodes, client):
    outcome = client.send("Go fast, I don't care about energy.", 'op').outcome
    assert outcome.accepted, list(outcome.reasons)
    assert outcome.proposal.speed == 'fast' and outcome.proposal.energy_unlimited
    assert math.isinf(outcome.condition_vector.energy_budget_wh)
    assert json.loads(outcome.proposal.payload_json)['econ_bid']['max_energy_cost'] is None


def test_wall_rejected_as_action_result(nodes, client):
    from tfd_msgs.msg import InstructionOutcome
    reply = client.send('Run through the wall', 'op')
    assert reply.status == 6  # ABORTED, with the reasons in the result
    assert reply.outcome.outcome == InstructionOutcome.REJECTED_SAFETY
    assert not reply.outcome.accepted and not reply.outcome.priced
    assert reply.outcome.violated_rules and reply.outcome.reasons
    assert any('property_damage' in r for r in reply.outcome.reasons)
    # the node's log sums refusals up, once a second at most, with the latest in full
    tfd, _ = nodes
    deadline = time.monotonic() + 3.0
    while time.monotonic() < deadline and not any(
            'REJECTED_SAFETY' in line and reply.outcome.proposal_id in line
            for line in tfd.captured):
        time.sleep(0.05)
    [line] = [line for line in tfd.captured if reply.outcome.proposal_id in line]
    assert 'refused in the last 1 s:' in line and 'REJECTED_SAFETY' in line
    assert '[INFO]' in line


def test_latch_frontier(nodes, client):
    outcome = client.send('Figure out how to open that weird new latch.', 'op').outcome
    assert outcome.accepted
    vector = outcome.condition_vector
    assert vector.curriculum_phase == 'frontier' and vector.novelty_tier == 2
    assert 'latch' in list(vector.sampler_tags)


def test_different_instructions_different_vectors(nodes, client):
    vectors = []
    for text in ('Clean the kitchen carefully', 'Go to the living room.', 'Hurry up.'):
        outcome = client.send(text, 'op').outcome
        assert outcome.accepted
        v = outcome.condition_vector
        vectors.append((v.skill_mode, round(v.instruction_priority, 3),
                        round(v.risk_tolerance, 3),
                        tuple(round(x, 3) for x in v.objective_vector)))
        assert any(v.objective_vector) or v.instruction_priority > 0
    assert len(set(vectors)) == 3


def test_stop_is_never_priced(nodes, client):
    outcome = client.send('Stop!', 'op').outcome
    assert outcome.accepted and not outcome.priced
    assert outcome.proposal.priority == 'critical'


def test_topic_path_gets_the_same_gate(nodes):
    from std_msgs.msg import String
    from support.nodes import Probe
    from tfd_msgs.msg import ConditionVector, InstructionOutcome

    from tfd_ros import qos
    probe = Probe('topic_probe')
    try:
        outcomes = probe.collect(InstructionOutcome, 'instruction_outcome', qos.OUTCOME)
        vectors = probe.collect(ConditionVector, 'condition_vector', qos.CONDITION_VECTOR)
        pub = probe.node.create_publisher(String, 'instruction', qos.INSTRUCTION)
        assert probe.spin_until(lambda: pub.get_subscription_count() > 0, 15.0)
        probe.spin_for(0.5)
        texts = ['Run through the wall', 'Wipe the table.', '']
        for text in texts:
            pub.publish(String(data=text))
        mine = lambda: [o for o in outcomes if o.proposal.raw_text in texts]  # noqa: E731
        assert probe.spin_until(lambda: len(mine()) >= 3, 15.0)
        by_text = {o.proposal.raw_text: o for o in mine()}
        assert by_text['Run through the wall'].outcome == InstructionOutcome.REJECTED_SAFETY
        assert by_text['Wipe the table.'].accepted
        assert by_text[''].outcome == InstructionOutcome.INVALID_INPUT
        accepted_id = by_text['Wipe the table.'].proposal_id
        assert probe.spin_until(lambda: any(v.proposal_id == accepted_id for v in vectors), 5.0)
        rejected_id = by_text['Run through the wall'].proposal_id
        assert not any(v.proposal_id == rejected_id for v in vectors)
    finally:
        probe.close()


def test_burst_of_200_each_gets_exactly_one_outcome(nodes):
    from collections import Counter

    from std_msgs.msg import String
    from support.nodes import Probe
    from tfd_msgs.msg import InstructionOutcome

    from tfd_ros import qos
    probe = Probe('burst_probe')
    try:
        outcomes = probe.collect(InstructionOutcome, 'instruction_outcome', qos.OUTCOME)
        pub = probe.node.create_publisher(String, 'instruction', qos.INSTRUCTION)
        assert probe.spin_until(lambda: pub.get_subscription_count() > 0, 15.0)
        probe.spin_for(0.5)
        texts = [f'Bring me the cup number {i}.' for i in range(200)]
        for text in texts:
            pub.publish(String(data=text))
        wanted = set(texts)
        mine = lambda: [o for o in outcomes if o.proposal.raw_text in wanted]  # noqa: E731
        assert probe.spin_until(lambda: len(mine()) >= 200, 60.0), len(mine())
        probe.spin_for(0.5)
        counts = Counter(o.proposal.raw_text for o in mine())
        assert set(counts) == wanted and set(counts.values()) == {1}
        assert all(o.outcome != InstructionOutcome.ECON_UNAVAILABLE for o in mine())
    finally:
        probe.close()


def test_econ_rejection_when_account_is_empty(tmp_path):
    from support.nodes import start, stop
    from tfd_msgs.msg import InstructionOutcome
    import yaml

    from tfd_ros.operator_client import OperatorClient
    from tfd_ros.paths import config_file
    econ = yaml.safe_load(config_file('econ.yaml').read_text())
    econ['accounts']['seed_balances_credits'] = {'broke': 0.0}
    econ_file = tmp_path / 'econ.yaml'
    econ_file.write_text(yaml.safe_dump(econ))
    ns = '/robot_broke'
    econ_proc = start('econ_controller', '-p', f'econ_file:={econ_file}',
                      '-p', f'ledger_path:={tmp_path / "l.sqlite3"}', namespace=ns)
    tfd = start('tfd_node', namespace=ns)
    try:
        from support.nodes import wait_until_priced
        wait_until_priced(ns)
        with OperatorClient(namespace=ns, node_name='broke_client') as client:
            outcome = client.send('Wipe the table.', 'broke').outcome
            assert outcome.outcome == InstructionOutcome.REJECTED_ECON
            assert outcome.priced and not outcome.decision.approved
            assert outcome.decision.account_balance == 0.0
            assert outcome.reasons and 'balance' in outcome.reasons[0]
            stop_outcome = client.send('Stop!', 'broke').outcome
            assert stop_outcome.accepted  # stop is never priced, even with no credit
    finally:
        stop(tfd)
        stop(econ_proc)


def test_econ_unavailable_within_timeout(tmp_path):
    from support.nodes import start, stop
    from tfd_msgs.msg import InstructionOutcome

    from tfd_ros.operator_client import OperatorClient
    ns = '/robot_alone'
    tfd = start('tfd_node', '-p', 'econ_timeout_s:=0.5', namespace=ns)
    try:
        with OperatorClient(namespace=ns, node_name='alone_client') as client:
            assert client.wait_for_server(15.0)
            reply = client.send('Wipe the table.', 'op')
            assert reply.outcome.outcome == InstructionOutcome.ECON_UNAVAILABLE
            assert 0.5 <= reply.latency_s < 3.0
            assert not reply.outcome.condition_vector.skill_mode
    finally:
        stop(tfd)


def test_two_namespaced_robots_do_not_cross_talk(tmp_path):
    from support.nodes import Probe, start, stop
    from tfd_msgs.msg import InstructionOutcome

    from tfd_ros import qos
    from tfd_ros.operator_client import OperatorClient
    procs = []
    for ns in ('/robot_a', '/robot_b'):
        procs.append(start('econ_controller', '-p', f'ledger_path:={tmp_path / ns[1:]}.db',
                           namespace=ns))
        procs.append(start('tfd_node', namespace=ns))
    probe = Probe('crosstalk_probe', namespace='/robot_b')
    try:
        from support.nodes import wait_until_priced
        for ns in ('/robot_a', '/robot_b'):
            wait_until_priced(ns)
        seen_b = probe.collect(InstructionOutcome, 'instruction_outcome', qos.OUTCOME)
        probe.spin_for(1.0)
        with OperatorClient(namespace='/robot_a', node_name='a_client') as client:
            assert client.send('Open the top drawer.', 'op').outcome.accepted
        probe.spin_for(1.0)
        assert seen_b == []
        with OperatorClient(namespace='/robot_b', node_name='b_client') as client:
            assert client.send('Open the top drawer.', 'op').outcome.accepted
        assert probe.spin_until(lambda: len(seen_b) == 1, 5.0)
    finally:
        probe.close()
        for proc in procs:
            stop(proc)


@pytest.mark.parametrize('ros_arg,name', [
    ('safety_filter:=lax', 'safety_filter'),
    ('econ_timeout_s:=-3.0', 'econ_timeout_s'),
    ('max_text_length:=not_a_number', 'max_text_length'),
    ('compiler:=magic', 'compiler'),
])
def test_invalid_parameter_refuses_start_naming_it(ros_arg, name):
    from pathlib import Path
    import subprocess
    import sys
    exe = Path(sys.executable).parent / 'tfd_node'
    proc = subprocess.run([str(exe), '--ros-args', '-p', ros_arg], capture_output=True,
                          text=True, timeout=60, env=os.environ.copy())
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert 'refusing to start' in proc.stderr and name in proc.stderr


def test_cancel_while_waiting_for_econ():
    from rclpy.action import ActionClient
    from support.nodes import Probe, start, stop
    from tfd_msgs.action import Instruct
    from tfd_msgs.msg import InstructionOutcome, ProposalWithdrawal

    from tfd_ros import qos
    ns = '/robot_cancel'
    tfd = start('tfd_node', '-p', 'econ_timeout_s:=10.0', namespace=ns)
    probe = Probe('cancel_probe', namespace=ns)
    try:
        withdrawals = probe.collect(ProposalWithdrawal, 'proposal_withdrawal', qos.ECON)
        client = ActionClient(probe.node, Instruct, 'instruct')
        assert probe.spin_until(client.server_is_ready, 15.0)
        stages = []
        goal = client.send_goal_async(Instruct.Goal(text='Wipe the table.', operator_id='op'),
                                      feedback_callback=lambda fb: stages.append(
                                          fb.feedback.stage))
        assert probe.spin_until(goal.done, 10.0) and goal.result().accepted
        assert probe.spin_until(lambda: 'awaiting_econ_decision' in stages, 10.0)
        cancel = goal.result().cancel_goal_async()
        assert probe.spin_until(cancel.done, 10.0)
        assert len(cancel.result().goals_canceling) == 1
        result = goal.result().get_result_async()
        assert probe.spin_until(result.done, 10.0)
        assert result.result().status == 5  # CANCELED
        outcome = result.result().result.outcome
        assert outcome.outcome == InstructionOutcome.CANCELED and outcome.reasons
        assert probe.spin_until(lambda: len(withdrawals) == 1, 5.0)
        assert withdrawals[0].proposal_id == outcome.proposal_id
    finally:
        probe.close()
        stop(tfd)


def _tfd(*args, stdin=None, timeout=60):
    from pathlib import Path
    import subprocess
    import sys
    return subprocess.run([str(Path(sys.executable).parent / 'tfd'), *args], input=stdin,
                          capture_output=True, text=True, timeout=timeout,
                          env=os.environ.copy())


def test_tfd_send_exit_codes(nodes):
    accepted = _tfd('send', 'Open the top drawer.', '--operator', 'cli', '--json')
    assert accepted.returncode == 0, accepted.stderr
    data = json.loads(accepted.stdout)
    assert data['outcome'] == 'ACCEPTED' and data['intent'] == 'open_close'
    assert data['price'] > 0
    rejected = _tfd('send', 'Run through the wall')
    assert rejected.returncode == 2
    assert 'REJECTED_SAFETY' in rejected.stdout and 'property_damage' in rejected.stdout
    nobody = _tfd('send', 'Wipe the table.', '--namespace', '/nobody_here', '--timeout', '2')
    assert nobody.returncode == 1 and 'error' in nobody.stderr


def test_tfd_console_answers_each_line(nodes):
    lines = 'Wipe the table.\nRun through the wall\n\nWhat a lovely day.\nquit\n'
    proc = _tfd('console', '--operator', 'console', stdin=lines)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.index('ACCEPTED') < out.index('REJECTED_SAFETY') < out.index('NOT_UNDERSTOOD')
