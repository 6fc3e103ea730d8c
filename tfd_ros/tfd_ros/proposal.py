"""What TFD offers the economic controller and what it answers (pure Python models)."""

import random
from typing import Optional

from pydantic import Field

from tfd_ros.payload import Priority, RiskLevel, Speed, StrictModel, TextOpPayload, trusted


class TaskProposalData(StrictModel):
    """The fields of ``tfd_msgs/TaskProposal`` without the header."""

    proposal_id: str
    operator_id: str
    raw_text: str
    intent: str
    target_task: str = ''
    parameters: dict[str, str] = Field(default_factory=dict)
    constraints: list[str] = Field(default_factory=list)
    risk_level: RiskLevel = 'medium'
    precision_mode: bool = False
    speed: Speed = 'normal'
    priority: Priority = 'medium'
    max_energy_cost: Optional[float] = Field(default=None, ge=0.0)
    energy_unlimited: bool = False
    confidence: float = Field(default=0.0, ge=0.0, le=1.0)
    compiler: str = 'heuristic'
    payload_json: str = ''


class EconDecisionData(StrictModel):
    """The fields of ``tfd_msgs/EconDecision`` without the header."""

    proposal_id: str
    approved: bool
    price: float = 0.0
    energy_wh: float = 0.0
    wear_cost: float = 0.0
    risk_cost: float = 0.0
    account_balance: float = 0.0
    reason: str = ''


# The version (4) and variant (RFC 4122) bits of a random UUID.
UUID4_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))
UUID4_SET = (0x4000 << 64) | (0x8000 << 48)


def new_proposal_id() -> str:
    """Return a fresh random UUID (version 4) in its canonical string form.

    An identifier, not a secret: 122 bits from the interpreter's generator, which is seeded
    from the OS and reseeded in a forked child, without ``uuid.uuid4``'s system call.
    """
    h = '%032x' % (random.getrandbits(128) & UUID4_CLEAR | UUID4_SET)
    return f'{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}'


def build_proposal(payload: TextOpPayload, operator_id: str,
                   proposal_id: Optional[str] = None) -> TaskProposalData:
    """Map a compiled payload onto the proposal sent to the economic controller."""
    bid = payload.econ_bid
    manner = payload.semantic_overrides
    # Every value comes from the payload, whose model has the same constraints: no need to
    # validate them again (declaration order, as ``trusted`` requires).
    return trusted(TaskProposalData, {
        'proposal_id': proposal_id or new_proposal_id(),
        'operator_id': operator_id,
        'raw_text': payload.raw_text,
        'intent': payload.intent or '',
        'target_task': payload.target_task,
        'parameters': dict(payload.parameters),
        'constraints': list(payload.constraints),
        'risk_level': manner.risk_level,
        'precision_mode': manner.precision_mode,
        'speed': manner.speed,
        'priority': bid.priority,
        'max_energy_cost': bid.max_energy_cost,
        'energy_unlimited': bid.energy_unlimited,
        'confidence': payload.confidence,
        'compiler': payload.compiler,
        'payload_json': payload.to_json(),
    })
