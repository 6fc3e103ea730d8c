"""The compiled form of one instruction: ``TextOpPayload`` and its parts (pure Python)."""

import json
import math
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

RiskLevel = Literal['low', 'medium', 'high']
Speed = Literal['slow', 'normal', 'fast']
Priority = Literal['low', 'medium', 'high', 'critical']
CompilerName = Literal['heuristic', 'llm', 'cascade']


class StrictModel(BaseModel):
    """Base model: unknown keys are errors, values are validated on assignment."""

    model_config = ConfigDict(extra='forbid', validate_assignment=True)


_set = object.__setattr__


def trusted(model: type, fields: dict) -> BaseModel:
    """Return ``model`` built from ``fields`` without validation (for the compiler's own data).

    ``fields`` must name every field of ``model``, in declaration order, with values that already
    pass its validation; the instance keeps ``fields`` as its ``__dict__`` (no copies). The
    result equals ``model(**fields)``; external input must go through ``model(...)`` or
    ``model_validate`` instead.
    """
    instance = model.__new__(model)
    _set(instance, '__dict__', fields)
    _set(instance, '__pydantic_fields_set__', set(fields))
    _set(instance, '__pydantic_extra__', None)
    _set(instance, '__pydantic_private__', None)
    return instance


class SemanticOverrides(StrictModel):
    """How the task should be carried out (manner modifiers)."""

    risk_level: RiskLevel = 'medium'
    precision_mode: bool = False
    speed: Speed = 'normal'


class EconBid(StrictModel):
    """What the operator offers to pay; unlimited energy is ``None`` plus the flag."""

    priority: Priority = 'medium'
    max_energy_cost: Optional[float] = Field(default=500.0, ge=0.0)
    energy_unlimited: bool = False

    @field_validator('max_energy_cost')
    @classmethod
    def _finite(cls, value):
        if value is not None and not math.isfinite(value):
            raise ValueError('must be finite; use null with energy_unlimited=true for no limit')
        return value

    @model_validator(mode='after')
    def _unlimited_consistent(self):
        if self.energy_unlimited and self.max_energy_cost is not None:
            raise ValueError('max_energy_cost must be null when energy_unlimited is true')
        if not self.energy_unlimited and self.max_energy_cost is None:
            raise ValueError('max_energy_cost is required unless energy_unlimited is true')
        return self


class Step(StrictModel):
    """One ordered sub-task of a compound instruction."""

    text: str
    intent: str
    target_task: str = ''
    parameters: dict[str, str] = Field(default_factory=dict)


class Curriculum(StrictModel):
    """Learning-frontier hints for the policy ("figure out how to ...")."""

    phase: Literal['nominal', 'frontier'] = 'nominal'
    novelty_tier: int = Field(default=0, ge=0, le=2)
    ood_recovery_mode: bool = False
    sampler_tags: list[str] = Field(default_factory=list)


class TextOpPayload(StrictModel):
    """A compiled instruction. ``intent`` is ``None`` when the text was not understood."""

    raw_text: str
    intent: Optional[str] = None
    target_task: str = ''
    parameters: dict[str, str] = Field(default_factory=dict)
    constraints: list[str] = Field(default_factory=list)
    steps: list[Step] = Field(default_factory=list)
    semantic_overrides: SemanticOverrides = Field(default_factory=SemanticOverrides)
    econ_bid: EconBid = Field(default_factory=EconBid)
    curriculum: Curriculum = Field(default_factory=Curriculum)
    objective_weights: dict[str, float] = Field(default_factory=dict)
    confidence: float = Field(default=0.0, ge=0.0, le=1.0)
    compiler: str = 'heuristic'
    notes: list[str] = Field(default_factory=list)

    @field_validator('objective_weights')
    @classmethod
    def _weights_in_range(cls, value):
        for name, weight in value.items():
            if not (math.isfinite(weight) and -1.0 <= weight <= 1.0):
                raise ValueError(f'objective weight {name!r}={weight} outside [-1, 1]')
        return value

    @property
    def understood(self) -> bool:
        """Whether the compiler mapped the text onto an intent."""
        return self.intent is not None

    def to_json(self) -> str:
        """Strict JSON (no Infinity/NaN tokens: every float field is validated finite)."""
        return self.model_dump_json()

    @classmethod
    def from_json(cls, text: str) -> 'TextOpPayload':
        """Parse and validate strict JSON; non-standard tokens are rejected."""
        return cls.model_validate(json.loads(text, parse_constant=_reject_constant))


def _reject_constant(token: str):
    raise ValueError(f'non-standard JSON token {token!r} (strict JSON has no Infinity/NaN)')
