"""The numeric conditioning of the VLA policy: ``ConditionVectorData`` and its builder.

Numbers used (all documented here, none elsewhere):

- ``instruction_priority``: bid priority low/medium/high/critical -> 0.25/0.5/0.75/1.0.
- ``risk_tolerance``: risk level low/medium/high -> 0.2/0.5/0.8.
- ``safety_language_modulation`` (how strongly safety language conditions the policy):
  0.5 by default; the ``careful`` modifier group's value (ontology, 0.9) when the risk level is
  low; the ``fast`` group's value (0.3) when the speed is fast; at least the scoped-care value
  (0.7) when the payload constrains an object (``avoid_collision(...)``); 1.0 for ``stop``.
- ``energy_budget_wh``: the intent's ``energy_wh`` from the ontology, times 1.5 when fast and
  0.8 when slow ("going fast costs more"); ``inf`` when the operator lifted the energy limit.
  Only this model carries ``inf``; JSON forms use ``null`` plus a flag (``to_json_dict``).
- Objective vector: one weight in [-1, 1] per ``TFDConfig.feature_names`` entry, from
  ``objective_weights``: the ontology's base weights (safety 0.5, energy 0.5), plus the
  weights of the intent, of each active modifier group, of scoped care, of the curriculum
  frontier and of an unlimited energy budget (energy -0.5, so unlimited energy gives energy
  weight 0.0: "spend freely"), summed and clipped to [-1, 1]; target colours +1 and ignored
  colours -1 (these two are set, not summed). Features the vocabulary lacks are dropped.

``to_array`` layout, version ``LAYOUT_VERSION`` = 1 (float32):

==========  =========================================================================
index       content
==========  =========================================================================
0           instruction_priority
1           safety_language_modulation
2           risk_tolerance
3           energy code: min(energy_budget_wh / ENERGY_SCALE_WH, 1.0) for a finite
            budget (so in [0, 1]); ENERGY_UNLIMITED_CODE (2.0) for an unlimited one
4           precision_mode (0/1)
5           curriculum_phase (nominal 0, frontier 1)
6           novelty_tier / 2
7           ood_recovery_mode (0/1)
8 .. 8+S    one-hot skill mode over ``skill_modes(ontology)`` (S entries, ontology order,
            idle mode last)
next F      objective_vector (F = len(feature_names))
next H      goal hash: GOAL_HASH_DIM signed feature-hashing buckets (CRC-32) of the
            skill mode, curriculum phase and sampler tags (the task's object words),
            L2-normalised; two instructions that differ only in their object differ here
next E      language_goal_embedding (E = 0 without an embedder)
==========  =========================================================================
"""

import math
from typing import Literal, Optional
import zlib

import numpy as np
from pydantic import Field, field_validator

from tfd_ros.config import TFDConfig
from tfd_ros.ontology import Ontology, load_ontology
from tfd_ros.payload import StrictModel, TextOpPayload, trusted

LAYOUT_VERSION = 1
ENERGY_SCALE_WH = 1000.0
ENERGY_UNLIMITED_CODE = 2.0
GOAL_HASH_DIM = 16
SCALAR_FIELDS = ('instruction_priority', 'safety_language_modulation', 'risk_tolerance',
                 'energy_code', 'precision_mode', 'curriculum_phase', 'novelty', 'ood_recovery')

PRIORITY_VALUE = {'low': 0.25, 'medium': 0.5, 'high': 0.75, 'critical': 1.0}
RISK_TOLERANCE = {'low': 0.2, 'medium': 0.5, 'high': 0.8}
SPEED_ENERGY_FACTOR = {'slow': 0.8, 'normal': 1.0, 'fast': 1.5}
DEFAULT_SAFETY_MODULATION = 0.5
STOP_SAFETY_MODULATION = 1.0


class ConditionVectorData(StrictModel):
    """The fields of ``tfd_msgs/ConditionVector`` without the header."""

    proposal_id: str = ''
    skill_mode: str
    instruction_priority: float = Field(ge=0.0, le=1.0)
    safety_language_modulation: float = Field(ge=0.0, le=1.0)
    risk_tolerance: float = Field(ge=0.0, le=1.0)
    energy_budget_wh: float = Field(ge=0.0)
    precision_mode: bool = False
    curriculum_phase: Literal['nominal', 'frontier'] = 'nominal'
    novelty_tier: int = Field(default=0, ge=0, le=2)
    ood_recovery_mode: bool = False
    feature_names: list[str] = Field(default_factory=list)
    objective_vector: list[float] = Field(default_factory=list)
    sampler_tags: list[str] = Field(default_factory=list)
    embedding_model: str = ''
    language_goal_embedding: list[float] = Field(default_factory=list)

    @field_validator('objective_vector')
    @classmethod
    def _in_range(cls, value):
        for weight in value:
            if not (math.isfinite(weight) and -1.0 <= weight <= 1.0):
                raise ValueError(f'objective weight {weight} outside [-1, 1]')
        return value

    @property
    def energy_unlimited(self) -> bool:
        return math.isinf(self.energy_budget_wh)

    def to_json_dict(self) -> dict:
        """Strict-JSON form: an unlimited budget is ``null`` plus ``energy_unlimited: true``."""
        data = self.model_dump(mode='python')
        data['energy_unlimited'] = self.energy_unlimited
        if self.energy_unlimited:
            data['energy_budget_wh'] = None
        return data


def skill_modes(ontology: Ontology) -> list:
    """Return the skill-mode vocabulary of the one-hot block: ontology order, idle mode last."""
    modes = []
    for spec in ontology.intents.values():
        if spec.skill_mode not in modes:
            modes.append(spec.skill_mode)
    if ontology.idle_skill_mode not in modes:
        modes.append(ontology.idle_skill_mode)
    return modes


def _add(weights: dict, extra: dict) -> None:
    for name, value in extra.items():
        weights[name] = weights.get(name, 0.0) + value


def objective_weights(payload: TextOpPayload, ontology: Ontology) -> dict:
    """Derive objective weights (feature -> [-1, 1]) from a payload's fields (any compiler)."""
    spec = ontology.objective
    weights = dict(spec.base)
    if payload.intent in spec.intent_weights:
        _add(weights, spec.intent_weights[payload.intent])
    manner = payload.semantic_overrides
    groups = ontology.modifiers
    if 'careful' in groups and (manner.risk_level == 'low' or manner.precision_mode):
        _add(weights, groups['careful'].objective)
    if 'fast' in groups and manner.speed == 'fast':
        _add(weights, groups['fast'].objective)
    if 'low_priority' in groups and payload.econ_bid.priority == 'low':
        _add(weights, groups['low_priority'].objective)
    if any(c.startswith('avoid_collision(') for c in payload.constraints):
        _add(weights, ontology.scoped_care.objective)
    if payload.curriculum.phase == 'frontier' and payload.curriculum.novelty_tier >= 2:
        _add(weights, ontology.frontier.objective)
    if payload.econ_bid.energy_unlimited:
        _add(weights, ontology.energy.objective)
    out = {name: max(-1.0, min(1.0, value)) for name, value in weights.items()}
    colours = set(ontology.colours.values())
    target = payload.parameters.get('target_color', '')
    for colour in (c.strip() for c in target.split(',')):
        if colour in colours:
            out[colour] = spec.target_colour
    ignore = payload.parameters.get('ignore_color', '')
    for colour in (c.strip() for c in ignore.split(',')):
        if colour in colours:
            out[colour] = spec.ignore_colour
    return out


class ConditionVectorBuilder:
    """Turn a compiled payload into the ConditionVector of the VLA policy."""

    def __init__(self, config: Optional[TFDConfig] = None, ontology: Optional[Ontology] = None):
        self.config = config or TFDConfig()
        self.ontology = ontology or load_ontology(self.config.ontology_file or None)
        self.skill_modes = skill_modes(self.ontology)
        self._skill_index = {m: i for i, m in enumerate(self.skill_modes)}

    def build(self, payload: TextOpPayload, proposal_id: str = '') -> ConditionVectorData:
        """Build the condition vector of ``payload``."""
        onto = self.ontology
        manner = payload.semantic_overrides
        bid = payload.econ_bid
        intent_spec = onto.intents.get(payload.intent) if payload.intent else None
        if bid.energy_unlimited:
            budget = math.inf
        elif intent_spec is None:
            budget = 0.0
        else:
            budget = intent_spec.energy_wh * SPEED_ENERGY_FACTOR[manner.speed]
        modulation = DEFAULT_SAFETY_MODULATION
        groups = onto.modifiers
        if manner.risk_level == 'low' and 'careful' in groups:
            modulation = groups['careful'].safety_language_modulation
        elif manner.speed == 'fast' and 'fast' in groups:
            modulation = groups['fast'].safety_language_modulation
        if any(c.startswith('avoid_collision(') for c in payload.constraints):
            modulation = max(modulation, onto.scoped_care.safety_language_modulation)
        if payload.intent == 'stop':
            modulation = STOP_SAFETY_MODULATION
        weights = payload.objective_weights or objective_weights(payload, onto)
        names = list(self.config.feature_names)
        # Both sources keep every weight in [-1, 1]: the payload's validator, and
        # ``objective_weights``, which clips.
        vector = [float(weights.get(name, 0.0)) for name in names]
        curriculum = payload.curriculum
        # Values from validated models, tables and the ontology, weights in range: built
        # without validating again (declaration order, as ``trusted`` requires).
        return trusted(ConditionVectorData, {
            'proposal_id': proposal_id,
            'skill_mode': onto.skill_mode(payload.intent),
            'instruction_priority': PRIORITY_VALUE[bid.priority],
            'safety_language_modulation': modulation,
            'risk_tolerance': RISK_TOLERANCE[manner.risk_level],
            'energy_budget_wh': budget,
            'precision_mode': manner.precision_mode,
            'curriculum_phase': curriculum.phase,
            'novelty_tier': curriculum.novelty_tier,
            'ood_recovery_mode': curriculum.ood_recovery_mode,
            'feature_names': names,
            'objective_vector': vector,
            'sampler_tags': list(curriculum.sampler_tags),
            'embedding_model': self.config.embedding_model,
            'language_goal_embedding': [],
        })

    @staticmethod
    def goal_hash(cv: ConditionVectorData) -> np.ndarray:
        """Signed feature hashing of the goal words (skill mode and sampler tags)."""
        out = np.zeros(GOAL_HASH_DIM, dtype=np.float32)
        words = [cv.skill_mode, cv.curriculum_phase] + list(cv.sampler_tags)
        for word in words:
            if not word:
                continue
            h = zlib.crc32(word.encode('utf-8'))
            out[h % GOAL_HASH_DIM] += 1.0 if (h >> 16) & 1 else -1.0
        norm = float(np.linalg.norm(out))
        return out / norm if norm > 0 else out

    def layout(self) -> list:
        """Names of the ``to_array`` entries, in order (documentation and tests)."""
        names = list(SCALAR_FIELDS)
        names += [f'skill:{m}' for m in self.skill_modes]
        names += [f'objective:{f}' for f in self.config.feature_names]
        names += [f'goal_hash:{i}' for i in range(GOAL_HASH_DIM)]
        return names

    def to_array(self, cv: ConditionVectorData) -> np.ndarray:
        """Flatten ``cv`` into the documented float32 layout (``LAYOUT_VERSION``)."""
        if math.isinf(cv.energy_budget_wh):
            energy = ENERGY_UNLIMITED_CODE
        else:
            energy = min(cv.energy_budget_wh / ENERGY_SCALE_WH, 1.0)
        head = [cv.instruction_priority, cv.safety_language_modulation, cv.risk_tolerance,
                energy, float(cv.precision_mode),
                1.0 if cv.curriculum_phase == 'frontier' else 0.0,
                cv.novelty_tier / 2.0, float(cv.ood_recovery_mode)]
        skills = [0.0] * len(self.skill_modes)
        if cv.skill_mode in self._skill_index:
            skills[self._skill_index[cv.skill_mode]] = 1.0
        parts = [np.asarray(head, dtype=np.float32), np.asarray(skills, dtype=np.float32),
                 np.asarray(cv.objective_vector, dtype=np.float32),
                 self.goal_hash(cv),
                 np.asarray(cv.language_goal_embedding, dtype=np.float32)]
        return np.concatenate(parts).astype(np.float32)
