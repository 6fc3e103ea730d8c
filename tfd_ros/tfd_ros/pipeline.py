"""The instruction pipeline shared by every path to the robot (pure Python, no rclpy).

``prepare`` validates, compiles and runs the safety policy; it either finishes the
instruction at once (a rejection, or an order that needs no pricing) or returns a
``PendingInstruction`` that waits for the economic controller. ``finish`` turns the
controller's decision (or its absence) into the final ``InstructionResult``.
"""

from dataclasses import dataclass
import re
from typing import Optional, Union

from tfd_ros.compiler import SemanticCompiler
from tfd_ros.condition_vector import ConditionVectorBuilder
from tfd_ros.config import TFDConfig
from tfd_ros.outcome import InstructionResult, OutcomeCode
from tfd_ros.payload import trusted
from tfd_ros.proposal import EconDecisionData, TaskProposalData, build_proposal, new_proposal_id
from tfd_ros.safety import SafetyPolicy

# Intents that are always allowed and never priced (DESIGN §1: published at once).
UNPRICED_INTENTS = frozenset({'stop'})
# Unicode categories Cc (C0 and C1 controls) and Cs (surrogates), less tab and line breaks.
FORBIDDEN_CHARACTER = re.compile('[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]')


@dataclass
class PendingInstruction:
    """A compiled, safe proposal waiting for an ``EconDecision``."""

    result: InstructionResult

    @property
    def proposal(self) -> TaskProposalData:
        return self.result.proposal


def input_problem(text: object, max_length: int) -> Optional[str]:
    """Return why ``text`` is not a valid instruction, or ``None`` when it is."""
    if not isinstance(text, str):
        return f'instruction must be text, got {type(text).__name__}'
    if not text.strip():
        return 'empty instruction'
    if len(text) > max_length:
        return f'instruction too long: {len(text)} characters (max_text_length={max_length})'
    bad = FORBIDDEN_CHARACTER.search(text)
    if bad:
        return f'control character U+{ord(bad.group()):04X} at index {bad.start()}'
    return None


class InstructionPipeline:
    """Compile -> safety -> proposal -> (econ decision) -> condition vector, for one config."""

    def __init__(self, config: TFDConfig, compiler: SemanticCompiler, safety: SafetyPolicy,
                 builder: ConditionVectorBuilder):
        self.config = config
        self.compiler = compiler
        self.safety = safety
        self.builder = builder

    def prepare(self, text: str, operator_id: str = '',
                proposal_id: Optional[str] = None
                ) -> Union[InstructionResult, PendingInstruction]:
        """Run everything up to pricing; return a final result or a pending proposal."""
        proposal_id = proposal_id or new_proposal_id()
        base = {'proposal_id': proposal_id, 'operator_id': operator_id,
                'raw_text': text if isinstance(text, str) else ''}
        problem = input_problem(text, self.config.max_text_length)
        if problem:
            return InstructionResult(outcome=OutcomeCode.INVALID_INPUT, reasons=[problem], **base)
        try:
            payload = self.compiler.compile(text)
        except Exception as exc:  # a compiler defect must not lose the instruction
            payload = None
            compile_error = f'compiler error: {type(exc).__name__}: {exc}'
        # Safety is sovereign: it runs on the raw text even when compilation failed.
        verdict = self.safety.check(text, payload)
        if not verdict.allowed:
            return InstructionResult(
                outcome=OutcomeCode.REJECTED_SAFETY, reasons=verdict.reasons(),
                violated_rules=[v.rule_id for v in verdict.violations], payload=payload, **base)
        if payload is None:
            return InstructionResult(outcome=OutcomeCode.NOT_UNDERSTOOD,
                                     reasons=[compile_error], **base)
        if not payload.understood:
            return InstructionResult(
                outcome=OutcomeCode.NOT_UNDERSTOOD, payload=payload,
                reasons=payload.notes or ['no intent of the ontology matches the text'], **base)
        allowed = self.config.allowed_intents
        if allowed and payload.intent not in allowed and payload.intent not in UNPRICED_INTENTS:
            return InstructionResult(
                outcome=OutcomeCode.INTENT_NOT_ALLOWED, payload=payload,
                reasons=[f'intent {payload.intent!r} is not in allowed_intents '
                         f'{sorted(allowed)}'], **base)
        proposal = build_proposal(payload, operator_id, proposal_id)
        priced = self.needs_pricing(payload.intent)
        # Every value is the pipeline's own, checked above or built from validated models:
        # the result is built without validating again (declaration order, as ``trusted``
        # requires); an order that needs no pricing gets its condition vector at once.
        result = trusted(InstructionResult, {
            **base, 'outcome': OutcomeCode.ACCEPTED, 'reasons': [], 'violated_rules': [],
            'payload': payload, 'proposal': proposal,
            'condition_vector': None if priced else self.builder.build(payload, proposal_id),
            'decision': None})
        return PendingInstruction(result) if priced else result

    def needs_pricing(self, intent: str) -> bool:
        """Tell whether an intent waits for the economic controller's approval."""
        return self.config.require_econ_approval and intent not in UNPRICED_INTENTS

    def finish(self, pending: PendingInstruction,
               decision: Optional[EconDecisionData]) -> InstructionResult:
        """Conclude a pending instruction with the controller's decision (None: no answer)."""
        result = pending.result
        if decision is None:
            return result.model_copy(update={
                'outcome': OutcomeCode.ECON_UNAVAILABLE,
                'reasons': [f'no EconDecision within econ_timeout_s='
                            f'{self.config.econ_timeout_s} s (failing closed; the proposal '
                            'is withdrawn, so any late charge is refunded)']})
        if not decision.approved:
            return result.model_copy(update={
                'outcome': OutcomeCode.REJECTED_ECON, 'decision': decision,
                'reasons': [decision.reason or 'rejected by the economic controller']})
        return self._accept(result, decision)

    def cancel(self, pending: PendingInstruction, reason: str) -> InstructionResult:
        """Conclude a pending instruction that its operator canceled."""
        return pending.result.model_copy(update={'outcome': OutcomeCode.CANCELED,
                                                 'reasons': [reason]})

    def _accept(self, result: InstructionResult,
                decision: Optional[EconDecisionData]) -> InstructionResult:
        vector = self.builder.build(result.payload, result.proposal_id)
        reasons = [decision.reason] if decision and decision.reason else []
        return result.model_copy(update={'condition_vector': vector, 'decision': decision,
                                         'reasons': reasons})
