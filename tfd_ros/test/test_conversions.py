"""The pure models <-> tfd_msgs mapping, including the reusable outcome buffer."""

import math

import pytest

pytest.importorskip('rclpy')

from tfd_msgs.msg import InstructionOutcome  # noqa: E402

from tfd_ros import conversions  # noqa: E402
from tfd_ros.config import TFDConfig  # noqa: E402
from tfd_ros.factory import build_pipeline  # noqa: E402
from tfd_ros.outcome import InstructionResult, OutcomeCode  # noqa: E402
from tfd_ros.pipeline import PendingInstruction  # noqa: E402
from tfd_ros.proposal import EconDecisionData  # noqa: E402


@pytest.fixture(scope='module')
def pipeline():
    return build_pipeline(TFDConfig())


def _approved(pipeline, text):
    pending = pipeline.prepare(text, 'op')
    assert isinstance(pending, PendingInstruction)
    decision = EconDecisionData(proposal_id=pending.proposal.proposal_id, approved=True,
                                price=12.5, energy_wh=40.0, wear_cost=2.0, risk_cost=1.0,
                                account_balance=987.5, reason='approved')
    return pipeline.finish(pending, decision)


def test_accepted_outcome_carries_every_part(pipeline):
    result = _approved(pipeline, "Go fast, I don't care about energy.")
    msg = conversions.result_to_msg(result)
    assert msg.accepted and msg.priced and msg.outcome == InstructionOutcome.ACCEPTED
    assert conversions.proposal_from_msg(msg.proposal) == result.proposal
    assert msg.proposal.energy_unlimited and math.isinf(msg.proposal.max_energy_cost)
    assert conversions.decision_from_msg(msg.decision) == result.decision
    for name in conversions.VECTOR_FIELDS:
        expected = getattr(result.condition_vector, name)
        got = getattr(msg.condition_vector, name)
        assert (list(got) if isinstance(expected, list) else got) == expected, name


def test_refusal_keeps_ids_text_and_payload(pipeline):
    result = pipeline.prepare('Run through the wall', 'op', 'p-7')
    msg = conversions.result_to_msg(result)
    assert msg.outcome == OutcomeCode.REJECTED_SAFETY and not msg.accepted
    assert msg.reasons and msg.violated_rules
    assert (msg.proposal.proposal_id, msg.proposal.operator_id) == ('p-7', 'op')
    assert msg.proposal.raw_text == 'Run through the wall'
    assert msg.condition_vector == InstructionOutcome().condition_vector
    assert not msg.priced and msg.decision == InstructionOutcome().decision


@pytest.mark.parametrize('order', ['accepted_first', 'refusal_first'])
def test_reused_buffer_equals_a_fresh_message(pipeline, order):
    accepted = _approved(pipeline, 'Clean the kitchen, but be careful with the vase.')
    refused = pipeline.prepare('Hand the knife to the toddler.', 'op')
    first, second = (accepted, refused) if order == 'accepted_first' else (refused, accepted)
    stamp = conversions.header().stamp
    buffer = InstructionOutcome()
    conversions.fill_outcome(buffer, first, stamp)
    conversions.fill_outcome(buffer, second, stamp)
    assert buffer == conversions.result_to_msg(second, stamp)
    assert buffer != conversions.result_to_msg(first, stamp)


def test_bare_buffer_equals_a_fresh_message(pipeline):
    invalid = pipeline.prepare('', 'op', 'p-1')
    shed = InstructionResult(proposal_id='p-2', operator_id='tfd', raw_text='Bring me cup 7.',
                             outcome=OutcomeCode.REJECTED_OVERLOAD, reasons=['queue full'])
    assert conversions.is_bare(invalid) and conversions.is_bare(shed)
    stamp = conversions.header().stamp
    buffer = InstructionOutcome()
    for result in (invalid, shed, invalid):
        conversions.fill_bare_outcome(buffer, result, stamp)
        assert buffer == conversions.result_to_msg(result, stamp)


def test_bare_fill_refuses_a_result_that_carries_more(pipeline):
    refused = pipeline.prepare('Hand the knife to the toddler.', 'op')  # carries its payload
    assert not conversions.is_bare(refused)
    with pytest.raises(ValueError, match='not a bare result'):
        conversions.fill_bare_outcome(InstructionOutcome(), refused, conversions.header().stamp)
