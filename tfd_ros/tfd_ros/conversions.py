"""The one place where the pure models meet ROS messages (pydantic <-> tfd_msgs)."""

import math
from typing import Optional

from builtin_interfaces.msg import Time
from diagnostic_msgs.msg import KeyValue
from std_msgs.msg import Header
from tfd_msgs.msg import ConditionVector, EconDecision, InstructionOutcome, TaskProposal

from tfd_ros.condition_vector import ConditionVectorData
from tfd_ros.outcome import InstructionResult
from tfd_ros.proposal import EconDecisionData, TaskProposalData

VECTOR_FIELDS = tuple(ConditionVectorData.model_fields)
DECISION_FIELDS = tuple(EconDecisionData.model_fields)


def _defaults(msg_type) -> dict:
    # Sequence defaults are shared between messages; nothing here mutates a field in place.
    blank = msg_type()
    return {name: getattr(blank, name) for name in msg_type.get_fields_and_field_types()
            if name != 'header'}


PROPOSAL_DEFAULTS = _defaults(TaskProposal)
VECTOR_DEFAULTS = _defaults(ConditionVector)
DECISION_DEFAULTS = _defaults(EconDecision)


def header(stamp: Optional[Time] = None, frame_id: str = '') -> Header:
    """Build a ``std_msgs/Header``."""
    return Header(stamp=stamp or Time(), frame_id=frame_id)


def proposal_to_msg(data: TaskProposalData, stamp: Optional[Time] = None) -> TaskProposal:
    """Map a proposal onto ``TaskProposal``; an unlimited bid travels as +inf plus the flag."""
    return _fill_proposal(TaskProposal(), data, stamp or Time())


def _fill_proposal(msg: TaskProposal, data: TaskProposalData, stamp: Time) -> TaskProposal:
    # Filled in place: generated constructors build every default sub-message even when
    # one is passed in, which made conversions the largest cost after compiling.
    msg.header.stamp = stamp
    msg.proposal_id = data.proposal_id
    msg.operator_id = data.operator_id
    msg.raw_text = data.raw_text
    msg.intent = data.intent
    msg.target_task = data.target_task
    msg.parameters = [KeyValue(key=k, value=v) for k, v in data.parameters.items()]
    msg.constraints = list(data.constraints)
    msg.risk_level = data.risk_level
    msg.precision_mode = data.precision_mode
    msg.speed = data.speed
    msg.priority = data.priority
    msg.max_energy_cost = math.inf if data.max_energy_cost is None else data.max_energy_cost
    msg.energy_unlimited = data.energy_unlimited
    msg.confidence = data.confidence
    msg.compiler = data.compiler
    msg.payload_json = data.payload_json
    return msg


def proposal_from_msg(msg: TaskProposal) -> TaskProposalData:
    """Validate a received ``TaskProposal`` into the pure model (raises on bad fields)."""
    unlimited = bool(msg.energy_unlimited) or not math.isfinite(msg.max_energy_cost)
    return TaskProposalData(
        proposal_id=msg.proposal_id, operator_id=msg.operator_id, raw_text=msg.raw_text,
        intent=msg.intent, target_task=msg.target_task,
        parameters={kv.key: kv.value for kv in msg.parameters},
        constraints=list(msg.constraints), risk_level=msg.risk_level or 'medium',
        precision_mode=msg.precision_mode, speed=msg.speed or 'normal',
        priority=msg.priority or 'medium',
        max_energy_cost=None if unlimited else msg.max_energy_cost,
        energy_unlimited=unlimited, confidence=min(max(msg.confidence, 0.0), 1.0),
        compiler=msg.compiler, payload_json=msg.payload_json)


def decision_to_msg(data: EconDecisionData, stamp: Optional[Time] = None) -> EconDecision:
    """Map a decision onto ``EconDecision``."""
    return _fill_fields(EconDecision(), data, DECISION_FIELDS, stamp or Time())


def _fill_fields(msg, data, fields: tuple, stamp: Time):
    msg.header.stamp = stamp
    for name in fields:
        setattr(msg, name, getattr(data, name))
    return msg


def decision_from_msg(msg: EconDecision) -> EconDecisionData:
    """Map a received ``EconDecision`` onto the pure model."""
    return EconDecisionData(
        proposal_id=msg.proposal_id, approved=msg.approved, price=msg.price,
        energy_wh=msg.energy_wh, wear_cost=msg.wear_cost, risk_cost=msg.risk_cost,
        account_balance=msg.account_balance, reason=msg.reason)


def condition_vector_to_msg(data: ConditionVectorData,
                            stamp: Optional[Time] = None) -> ConditionVector:
    """Map a condition vector onto ``ConditionVector``."""
    return _fill_fields(ConditionVector(), data, VECTOR_FIELDS, stamp or Time())


def result_to_msg(result: InstructionResult, stamp: Optional[Time] = None) -> InstructionOutcome:
    """Map an instruction's result onto a new ``InstructionOutcome`` (everything it carries).

    A refusal without a proposal still names its proposal id, operator, text and (when
    compiled) payload in ``proposal``; sub-messages without data keep their defaults.
    """
    return fill_outcome(InstructionOutcome(), result, stamp or Time())


def fill_outcome(msg: InstructionOutcome, result: InstructionResult,
                 stamp: Time) -> InstructionOutcome:
    """Write ``result`` over every field of ``msg``, sub-messages included; return ``msg``.

    Nothing of what ``msg`` held before survives, so a publisher can reuse one message
    (``publish`` serialises it at once) instead of paying for a new one each time.
    """
    msg.header.stamp = stamp
    msg.header.frame_id = ''
    msg.proposal_id = result.proposal_id
    msg.outcome = int(result.outcome)
    msg.accepted = result.accepted
    msg.reasons = list(result.reasons)
    msg.violated_rules = list(result.violated_rules)
    msg.priced = result.decision is not None
    if result.proposal is not None:
        _fill_proposal(msg.proposal, result.proposal, stamp)
    else:
        _fill_defaults(msg.proposal, PROPOSAL_DEFAULTS, stamp)
        msg.proposal.proposal_id = result.proposal_id
        msg.proposal.operator_id = result.operator_id
        msg.proposal.raw_text = result.raw_text
        if result.payload is not None:
            msg.proposal.payload_json = result.payload.to_json()
    if result.condition_vector is not None:
        _fill_fields(msg.condition_vector, result.condition_vector, VECTOR_FIELDS, stamp)
    else:
        _fill_defaults(msg.condition_vector, VECTOR_DEFAULTS, stamp)
    if result.decision is not None:
        _fill_fields(msg.decision, result.decision, DECISION_FIELDS, stamp)
    else:
        _fill_defaults(msg.decision, DECISION_DEFAULTS, stamp)
    return msg


def is_bare(result: InstructionResult) -> bool:
    """Tell whether ``result`` carries ids and text only: no payload, proposal, vector, decision.

    Such are the refusals that never reached the compiler (shed under overload, invalid input).
    """
    return (result.payload is None and result.proposal is None
            and result.condition_vector is None and result.decision is None)


def fill_bare_outcome(msg: InstructionOutcome, result: InstructionResult,
                      stamp: Time) -> InstructionOutcome:
    """Write a bare ``result`` (see ``is_bare``) into ``msg``, a buffer kept for bare results.

    Cheaper than ``fill_outcome``: the sub-messages keep their defaults, except for the fields
    written here, so ``msg`` must be a fresh message or one only ever filled by this function.
    """
    if not is_bare(result):
        raise ValueError(f'{result.outcome.name} {result.proposal_id} is not a bare result')
    msg.header.stamp = stamp
    msg.proposal_id = result.proposal_id
    msg.outcome = int(result.outcome)
    msg.accepted = result.accepted
    msg.reasons = list(result.reasons)
    msg.violated_rules = list(result.violated_rules)
    proposal = msg.proposal
    proposal.header.stamp = stamp
    proposal.proposal_id = result.proposal_id
    proposal.operator_id = result.operator_id
    proposal.raw_text = result.raw_text
    msg.condition_vector.header.stamp = stamp
    msg.decision.header.stamp = stamp
    return msg


def _fill_defaults(msg, defaults: dict, stamp: Time) -> None:
    msg.header.stamp = stamp
    for name, value in defaults.items():
        setattr(msg, name, value)
