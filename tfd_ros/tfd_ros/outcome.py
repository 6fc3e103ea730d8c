"""The one outcome every instruction gets (pure Python mirror of ``InstructionOutcome``)."""

from enum import IntEnum
from typing import Optional

from pydantic import Field

from tfd_ros.condition_vector import ConditionVectorData
from tfd_ros.payload import StrictModel, TextOpPayload
from tfd_ros.proposal import EconDecisionData, TaskProposalData


class OutcomeCode(IntEnum):
    """Outcome codes; the values are those of ``tfd_msgs/msg/InstructionOutcome``."""

    ACCEPTED = 0
    REJECTED_SAFETY = 1
    REJECTED_ECON = 2
    NOT_UNDERSTOOD = 3
    INTENT_NOT_ALLOWED = 4
    ECON_UNAVAILABLE = 5
    INVALID_INPUT = 6
    CANCELED = 7
    REJECTED_OVERLOAD = 8
    INTERNAL_ERROR = 9


class InstructionResult(StrictModel):
    """Outcome of one instruction: accepted, or rejected with reasons."""

    proposal_id: str
    operator_id: str = ''
    raw_text: str = ''
    outcome: OutcomeCode
    reasons: list[str] = Field(default_factory=list)
    violated_rules: list[str] = Field(default_factory=list)
    payload: Optional[TextOpPayload] = None
    proposal: Optional[TaskProposalData] = None
    condition_vector: Optional[ConditionVectorData] = None
    decision: Optional[EconDecisionData] = None

    @property
    def accepted(self) -> bool:
        """Whether the instruction was accepted."""
        return self.outcome == OutcomeCode.ACCEPTED
