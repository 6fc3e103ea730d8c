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


def header(stamp: Optional[Time] = None, frame_id: str = '') -> Header:
    """Build a ``std_msgs/Header``."""
    return Header(stamp=stamp or Time(), frame_id=frame_id)


def proposal_to_msg(data: TaskProposalData, stamp: Optional[Time] = None) -> TaskProposal:
    """Map a proposal onto ``TaskProposal``; an unlimited bid travels as +inf plus the flag."""
    return TaskProposal(
        header=header(stamp), proposal_id=data.proposal_id, operator_id=data.operator_id,
        raw_text=data.raw_text, intent=data.intent, target_task=data.target_task,
        parameters=[KeyValue(key=k, value=v) for k, v in data.parameters.items()],
        constraints=list(data.constraints), risk_level=data.risk_level,
        precision_mode=data.precision_mode, speed=data.speed, priority=data.priority,
        max_energy_cost=math.inf if data.max_energy_cost is None else data.max_energy_cost,
        energy_unlimited=data.energy_unlimited, confidence=data.confidence,
        compiler=data.compiler, payload_json=data.payload_json)


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
    return EconDecision(header=header(stamp), **data.model_dump())


def decision_from_msg(msg: EconDecision) -> EconDecisionData:
    """Map a received ``EconDecision`` onto the pure model."""
    return EconDecisionData(
        proposal_id=msg.proposal_id, approved=msg.approved, price=msg.price,
        energy_wh=msg.energy_wh, wear_cost=msg.wear_cost, risk_cost=msg.risk_cost,
        account_balance=msg.account_balance, reason=msg.reason)


def condition_vector_to_msg(data: ConditionVectorData,
                            stamp: Optional[Time] = None) -> ConditionVector:
    """Map a condition vector onto ``ConditionVector``."""
    return ConditionVector(header=header(stamp), **data.model_dump())


def result_to_msg(result: InstructionResult, stamp: Optional[Time] = None,
                  vector: Optional[ConditionVector] = None) -> InstructionOutcome:
    """Map an instruction's result onto ``InstructionOutcome`` (with everything it carries).

    ``vector`` is the already converted condition vector of ``result``, when the caller has
    one (it publishes the same message on its own topic); it is converted here otherwise.
    """
    stamp = stamp or Time()
    if result.proposal is not None:
        proposal = proposal_to_msg(result.proposal, stamp)
    else:
        proposal = TaskProposal(
            proposal_id=result.proposal_id, operator_id=result.operator_id,
            raw_text=result.raw_text,
            payload_json=result.payload.to_json() if result.payload is not None else '')
    if result.condition_vector is not None:
        vector = vector or condition_vector_to_msg(result.condition_vector, stamp)
    else:
        vector = ConditionVector()
    return InstructionOutcome(
        header=header(stamp), proposal_id=result.proposal_id, outcome=int(result.outcome),
        accepted=result.accepted, reasons=list(result.reasons),
        violated_rules=list(result.violated_rules), priced=result.decision is not None,
        proposal=proposal, condition_vector=vector,
        decision=(decision_to_msg(result.decision, stamp) if result.decision is not None
                  else EconDecision()))
