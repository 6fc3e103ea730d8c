"""Each tfd_msgs message and the Instruct action cross real Fast DDS between two processes."""

import math

import pytest

pytestmark = [pytest.mark.ros, pytest.mark.slow]

rclpy = pytest.importorskip('rclpy')


@pytest.fixture(scope='module')
def echo_process():
    from support.ros_graph import SUPPORT, spawn, stop
    proc = spawn([SUPPORT / 'interface_echo.py'])
    yield proc
    stop(proc)


@pytest.fixture
def ros_node():
    from rclpy.context import Context
    from rclpy.executors import SingleThreadedExecutor
    context = Context()
    rclpy.init(context=context)
    node = rclpy.create_node('interface_probe', context=context)
    executor = SingleThreadedExecutor(context=context)
    executor.add_node(node)
    yield node, executor
    executor.shutdown()
    node.destroy_node()
    rclpy.shutdown(context=context)


def _samples():
    from diagnostic_msgs.msg import KeyValue
    from tfd_msgs.msg import (
        ConditionVector,
        EconDecision,
        InstructionOutcome,
        ProposalWithdrawal,
        TaskProposal,
    )
    cv = ConditionVector(
        proposal_id='3f1c', skill_mode='precision_sorting', instruction_priority=0.75,
        safety_language_modulation=0.5, risk_tolerance=0.25, energy_budget_wh=math.inf,
        precision_mode=True, curriculum_phase=ConditionVector.CURRICULUM_PHASE_FRONTIER,
        novelty_tier=2, ood_recovery_mode=True, feature_names=['red', 'blue'],
        objective_vector=[-1.0, 1.0], sampler_tags=['latch'], embedding_model='',
        language_goal_embedding=[])
    cv.header.frame_id = 'base_link'
    proposal = TaskProposal(
        proposal_id='3f1c', operator_id='op',
        raw_text='Sort the blue blocks, ignore the red ones.',
        intent='sort_objects', target_task='sort_blocks',
        parameters=[KeyValue(key='target', value='blocks')],
        constraints=['ignore(color=red)'], risk_level=TaskProposal.RISK_LEVEL_LOW,
        precision_mode=True, speed=TaskProposal.SPEED_SLOW,
        priority=TaskProposal.PRIORITY_CRITICAL, max_energy_cost=12.5, energy_unlimited=False,
        confidence=0.5, compiler='heuristic', payload_json='{"intent": "sort_objects"}')
    decision = EconDecision(proposal_id='3f1c', approved=True, price=4.5, energy_wh=3.0,
                            wear_cost=1.0, risk_cost=0.5, account_balance=95.5, reason='ok')
    outcome = InstructionOutcome(proposal_id='3f1c', outcome=InstructionOutcome.ACCEPTED,
                                 accepted=True, reasons=['fine'], violated_rules=['none'],
                                 proposal=proposal, condition_vector=cv, decision=decision,
                                 priced=True)
    withdrawal = ProposalWithdrawal(proposal_id='3f1c', operator_id='op',
                                    reason='no EconDecision within econ_timeout_s')
    return [cv, proposal, decision, outcome, withdrawal]


@pytest.mark.parametrize('index', range(5))
def test_message_round_trip(echo_process, ros_node, index):
    from rclpy.qos import QoSProfile
    from support.ros_graph import spin_until
    node, executor = ros_node
    sample = _samples()[index]
    name = type(sample).__name__
    received = []
    node.create_subscription(type(sample), f'out/{name}', received.append, QoSProfile(depth=10))
    pub = node.create_publisher(type(sample), f'in/{name}', QoSProfile(depth=10))
    assert spin_until(executor, lambda: pub.get_subscription_count() > 0, 15.0)

    def publish_and_check():
        if not received:
            pub.publish(sample)
        return bool(received)

    # Publish until the echo arrives (discovery of the return path may lag a little).
    for _ in range(50):
        if spin_until(executor, publish_and_check, 0.2):
            break
    assert received, f'no echo for {name}'
    assert received[0] == sample


def test_constants_present():
    from tfd_msgs.msg import InstructionOutcome
    codes = {InstructionOutcome.ACCEPTED, InstructionOutcome.REJECTED_SAFETY,
             InstructionOutcome.REJECTED_ECON, InstructionOutcome.NOT_UNDERSTOOD,
             InstructionOutcome.INTENT_NOT_ALLOWED, InstructionOutcome.ECON_UNAVAILABLE,
             InstructionOutcome.INVALID_INPUT}
    assert len(codes) == 7


def test_action_round_trip(echo_process, ros_node):
    from rclpy.action import ActionClient
    from support.ros_graph import spin_until
    from tfd_msgs.action import Instruct
    from tfd_msgs.msg import InstructionOutcome
    node, executor = ros_node
    client = ActionClient(node, Instruct, 'instruct')
    assert spin_until(executor, client.server_is_ready, 15.0)
    feedback = []
    send = client.send_goal_async(Instruct.Goal(text='Run through the wall', operator_id='op7'),
                                  feedback_callback=lambda fb: feedback.append(fb.feedback.stage))
    assert spin_until(executor, send.done, 10.0)
    handle = send.result()
    assert handle.accepted
    result_future = handle.get_result_async()
    assert spin_until(executor, result_future.done, 10.0)
    result = result_future.result()
    assert result.status == 6  # GoalStatus.STATUS_ABORTED
    assert result.result.outcome.outcome == InstructionOutcome.REJECTED_SAFETY
    assert list(result.result.outcome.reasons) == ['Run through the wall', 'op7']
    assert spin_until(executor, lambda: len(feedback) >= 2, 5.0)
    assert feedback[:2] == [Instruct.Feedback.STAGE_RECEIVED, Instruct.Feedback.STAGE_COMPILED]
