"""Pricing of task proposals: the coefficients of ``config/econ.yaml`` and the ``Quote``."""

import json
import math
from pathlib import Path
import re
from typing import Any, Optional, Union

from pydantic import ConfigDict, Field, field_validator, model_validator
import yaml

from tfd_ros.config import ConfigError, validate_mapping
from tfd_ros.paths import config_file
from tfd_ros.payload import StrictModel
from tfd_ros.proposal import TaskProposalData

ECON_FILE = 'econ.yaml'
# Slots whose value may name a priced target, in order of preference.
TARGET_SLOTS = ('target', 'object', 'destination')
# Parts of a price, in the order they are reported.
PART_NAMES = ('energy_cost', 'wear_cost', 'risk_cost', 'time_cost', 'priority_surcharge')
_ARTICLES = frozenset({'the', 'a', 'an', 'my', 'our', 'your', 'this', 'that'})


class EconModel(StrictModel):
    """Base of the econ.yaml models: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra='forbid', frozen=True)


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise ValueError('must be a finite number')
    return value


class IntentPrice(EconModel):
    """Energy estimate of one intent."""

    base_energy_wh: float = Field(ge=0.0)
    target_extra_wh: dict[str, float] = Field(default_factory=dict)

    @field_validator('base_energy_wh')
    @classmethod
    def _base_finite(cls, value):
        return _finite(value)

    @field_validator('target_extra_wh')
    @classmethod
    def _keys_normalised(cls, value):
        for key, extra in value.items():
            _finite(extra)
            if key != normalise_target(key):
                raise ValueError(f'target key {key!r} must be written as '
                                 f'{normalise_target(key)!r} (lower case, "_" for spaces)')
        return value

    @model_validator(mode='after')
    def _never_negative(self):
        for key, extra in self.target_extra_wh.items():
            if self.base_energy_wh + extra < 0.0:
                raise ValueError(f'target extra {key!r}={extra} would make the energy negative '
                                 f'(base_energy_wh={self.base_energy_wh})')
        return self


class SpeedFactors(EconModel):
    """How one speed setting scales energy and wear (dimensionless, > 0)."""

    energy_factor: float = Field(gt=0.0, le=100.0)
    wear_factor: float = Field(gt=0.0, le=100.0)


class SpeedTable(EconModel):
    slow: SpeedFactors
    normal: SpeedFactors
    fast: SpeedFactors


class RiskPremiums(EconModel):
    """Credits added per risk level."""

    low: float = Field(ge=0.0, le=1e9)
    medium: float = Field(ge=0.0, le=1e9)
    high: float = Field(ge=0.0, le=1e9)


class PrioritySurcharges(EconModel):
    """Credits added per bid priority."""

    low: float = Field(ge=0.0, le=1e9)
    medium: float = Field(ge=0.0, le=1e9)
    high: float = Field(ge=0.0, le=1e9)
    critical: float = Field(ge=0.0, le=1e9)


class AccountSettings(EconModel):
    """Opening balances of operator accounts."""

    default_balance_credits: float = Field(ge=0.0, le=1e12)
    seed_balances_credits: dict[str, float] = Field(default_factory=dict)

    @field_validator('seed_balances_credits')
    @classmethod
    def _seed_valid(cls, value):
        for operator, balance in value.items():
            if not operator.strip():
                raise ValueError('operator ids must be non-empty')
            if not (math.isfinite(balance) and 0.0 <= balance <= 1e12):
                raise ValueError(f'balance of {operator!r} must be in [0, 1e12], got {balance}')
        return value


class Quote(EconModel):
    """The price of one proposal, part by part, in credits (energy in Wh)."""

    energy_wh: float = Field(default=0.0, ge=0.0)
    energy_cost: float = Field(default=0.0, ge=0.0)
    wear_cost: float = Field(default=0.0, ge=0.0)
    risk_cost: float = Field(default=0.0, ge=0.0)
    time_cost: float = Field(default=0.0, ge=0.0)
    priority_surcharge: float = Field(default=0.0, ge=0.0)
    price: float = Field(default=0.0, ge=0.0)
    unpriced: bool = False

    def parts(self) -> dict[str, float]:
        """Return the priced parts by name (``energy_cost`` ... ``priority_surcharge``)."""
        return {name: getattr(self, name) for name in PART_NAMES}

    def dearest_part(self) -> tuple[str, float]:
        """Return the name and amount of the largest part (first of equals)."""
        return max(self.parts().items(), key=lambda item: item[1])

    @classmethod
    def free(cls) -> 'Quote':
        """Return the quote of an unpriced intent (``stop``)."""
        return cls(unpriced=True)


class PricingModel(EconModel):
    """All coefficients of ``config/econ.yaml`` and the pricing rule (see that file)."""

    credits_per_wh: float = Field(ge=0.0, le=1e6)
    fallback_energy_wh: float = Field(ge=0.0, le=1e6)
    unpriced_intents: list[str] = Field(default_factory=lambda: ['stop'])
    intents: dict[str, IntentPrice]
    speed: SpeedTable
    precision_time_factor: float = Field(ge=1.0, le=100.0)
    wear_credits_per_task: float = Field(ge=0.0, le=1e6)
    risk_premium_credits: RiskPremiums
    priority_surcharge_credits: PrioritySurcharges
    accounts: AccountSettings

    @field_validator('unpriced_intents')
    @classmethod
    def _stop_unpriced(cls, value):
        if 'stop' not in value:
            raise ValueError('must contain "stop": stop is never priced')
        return value

    @classmethod
    def from_mapping(cls, data: Any, source: str = 'econ.yaml') -> 'PricingModel':
        """Validate a mapping; raise ``ConfigError`` naming the dotted key of the first error."""
        return validate_mapping(cls, data, source)

    @classmethod
    def from_file(cls, path: Optional[Union[str, Path]] = None) -> 'PricingModel':
        """Load ``path``, or the packaged ``config/econ.yaml`` when ``path`` is None."""
        path = Path(path) if path else config_file(ECON_FILE)
        try:
            data = yaml.safe_load(path.read_text(encoding='utf-8'))
        except OSError as exc:
            raise ConfigError('<file>', f'{path}: cannot read: {exc}') from None
        except yaml.YAMLError as exc:
            raise ConfigError('<file>', f'{path}: not valid YAML: {exc}') from None
        return cls.from_mapping(data, source=str(path))

    def is_unpriced(self, intent: str) -> bool:
        """Whether ``intent`` is never priced (``stop``)."""
        return intent in self.unpriced_intents

    def base_energy_wh(self, intent: str, parameters: dict[str, str]) -> float:
        """Energy of one (sub-)task at normal speed: intent base plus its target extra."""
        if self.is_unpriced(intent):
            return 0.0
        entry = self.intents.get(intent)
        if entry is None:
            return self.fallback_energy_wh
        return max(0.0, entry.base_energy_wh + _target_extra(entry, parameters))

    def quote(self, proposal: TaskProposalData) -> Quote:
        """Price ``proposal``; ``stop`` and other unpriced intents cost nothing."""
        if self.is_unpriced(proposal.intent):
            return Quote.free()
        speed = getattr(self.speed, proposal.speed)
        tasks = [(s.intent, s.parameters) for s in _steps(proposal)]
        if not tasks:
            tasks = [(proposal.intent, proposal.parameters)]
        priced = [(i, p) for i, p in tasks if not self.is_unpriced(i)]
        energy_wh = speed.energy_factor * sum(self.base_energy_wh(i, p) for i, p in priced)
        energy_cost = energy_wh * self.credits_per_wh
        parts = {
            'energy_cost': energy_cost,
            'wear_cost': self.wear_credits_per_task * speed.wear_factor * len(priced),
            'risk_cost': getattr(self.risk_premium_credits, proposal.risk_level),
            'time_cost': ((self.precision_time_factor - 1.0) * energy_cost
                          if proposal.precision_mode else 0.0),
            'priority_surcharge': getattr(self.priority_surcharge_credits, proposal.priority),
        }
        parts = {name: round(value, 2) for name, value in parts.items()}
        return Quote(energy_wh=round(energy_wh, 3), price=round(sum(parts.values()), 2), **parts)


def normalise_target(text: str) -> str:
    """Return the key form of a slot value: lower case, articles dropped, ``_`` for spaces."""
    words = [w for w in re.split(r'[^a-z0-9]+', text.lower()) if w and w not in _ARTICLES]
    return '_'.join(words)


def _target_extra(entry: IntentPrice, parameters: dict[str, str]) -> float:
    if not entry.target_extra_wh:
        return 0.0
    for slot in TARGET_SLOTS:
        key = normalise_target(parameters.get(slot, ''))
        if not key:
            continue
        if key in entry.target_extra_wh:
            return entry.target_extra_wh[key]
        head = key.rsplit('_', 1)[-1]
        if head in entry.target_extra_wh:
            return entry.target_extra_wh[head]
    return 0.0


class _PayloadStep(StrictModel):
    model_config = ConfigDict(extra='ignore')

    intent: str
    parameters: dict[str, str] = Field(default_factory=dict)


def _steps(proposal: TaskProposalData) -> list[_PayloadStep]:
    """Return the steps of a compound instruction from ``payload_json`` (empty if none)."""
    if not proposal.payload_json:
        return []
    try:
        raw = json.loads(proposal.payload_json).get('steps') or []
        steps = [_PayloadStep.model_validate(s) for s in raw]
    except (ValueError, TypeError, AttributeError):
        return []
    return steps if len(steps) > 1 else []
